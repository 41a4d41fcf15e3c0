//! The transmission chain (MODEL.md 2): indicators, the five links, transmission between them,
//! the break point and the one-sentence narrative.
//!
//! # Definitions
//!
//! - An **indicator** is a weekly series on the [`Panel`] with an orientation (+1 when a rise
//!   supports risk assets). Its **score** at week t is `clamp(orientation * z_t, -3, 3)`, where
//!   `z_t` is its z-score against the trailing `zscore_weeks` (default 156 = 3 years) including t.
//!   A stale input (MODEL.md 1.3) has no score that week.
//! - A **link score** is the weighted mean of its indicators' scores that week (weights from the
//!   config, 1 by default); undefined when none has a score. **State**: supportive above
//!   `+threshold` (0.5), restrictive below `-threshold`, neutral between. **Direction**: the sign of
//!   the link score's 13-week change.
//! - **Transmission** between two links: the correlation of weekly changes of their scores,
//!   `corr(dx_t, dy_{t+k})`, at the lag k in 0..=26 weeks with the largest |rho|, chosen on the
//!   trailing `transmission_window_weeks` (156) ending at the as-of date, with its Fisher-z 95%
//!   interval. For liquidity -> asset, y is the asset's weekly log return. Because the lag is the
//!   best of 27, the interval that decides `significant` is the Bonferroni one (level
//!   `1 - 0.05 / 27`, `ci95_adjusted`); the plain 95% interval is kept beside it. Bonferroni, not
//!   the circular shift of the lead-lag, because a three-year window leaves too few rotations.
//! - The **break point** is the first link, in chain order, whose state differs from the state of
//!   the link just upstream of it when that upstream link is not neutral: the impulse stops there.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::model::panel::{Column, Panel};
use crate::model::State;
use crate::stats::correlation::{best_lag, fisher_interval};
use crate::stats::search::bonferroni_level;
use crate::transform::{oriented_score, Change, LogReturn, Orientation, PercentChange, Transform, Zscore};

/// The five links of the chain, upstream first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// Inflation.
    Inflation,
    /// Interest rates, nominal and real.
    Rates,
    /// Systemic liquidity.
    Liquidity,
    /// Risk appetite.
    RiskAppetite,
    /// The assets' response.
    AssetResponse,
}

impl Link {
    /// All links, upstream first.
    pub const ALL: [Link; 5] =
        [Link::Inflation, Link::Rates, Link::Liquidity, Link::RiskAppetite, Link::AssetResponse];

    /// The link's name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Link::Inflation => "inflation",
            Link::Rates => "rates",
            Link::Liquidity => "liquidity",
            Link::RiskAppetite => "risk_appetite",
            Link::AssetResponse => "asset_response",
        }
    }
}

/// Settings of the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChainConfig {
    /// Trailing window of the z-scores, weeks.
    pub zscore_weeks: usize,
    /// Horizon of changes and of the direction, weeks.
    pub change_weeks: usize,
    /// State threshold on link scores.
    pub threshold: f64,
    /// Largest lag tried by the transmission, weeks.
    pub max_lag_weeks: i32,
    /// Trailing window of the transmission correlations, weeks.
    pub transmission_window_weeks: usize,
    /// Indicator weights by indicator id (1 when absent).
    pub weights: std::collections::BTreeMap<String, f64>,
}

/// The ids of the chain's fixed indicators (MODEL.md 2), in the order of the table; the asset
/// link adds `<ASSET>_13W_RETURN` for each asset it follows (see [`is_indicator_id`]).
pub const INDICATOR_IDS: [&str; 17] = [
    "CPI_YOY",
    "CPI_YOY_3M_CHANGE",
    "CORE_PCE_YOY",
    "T10YIE_13W_CHANGE",
    "DFII10_13W_CHANGE",
    "DGS10_13W_CHANGE",
    "DGS2_MINUS_DFF",
    "REAL_POLICY_RATE",
    "NETLIQ_IMPULSE",
    "NETLIQ_ACCELERATION",
    "M2_YOY",
    "DOLLAR_13W_PCT",
    "STABLECOINS_30D_PCT",
    "VIX",
    "HY_OAS",
    "HY_OAS_4W_CHANGE",
    "NFCI",
];

/// True for the id of a chain indicator: the keys of [`ChainConfig::weights`] and of the page's
/// `w.ID` link parameters.
pub fn is_indicator_id(id: &str) -> bool {
    INDICATOR_IDS.contains(&id)
        || id.strip_suffix("_13W_RETURN").is_some_and(|asset| RESPONSE_ASSETS.contains(&asset))
}

impl Default for ChainConfig {
    fn default() -> ChainConfig {
        ChainConfig {
            zscore_weeks: 156,
            change_weeks: 13,
            threshold: 0.5,
            max_lag_weeks: 26,
            transmission_window_weeks: 156,
            weights: Default::default(),
        }
    }
}

/// One scored indicator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Id, e.g. `CPI_YOY`.
    pub id: String,
    /// What it is.
    pub name: String,
    /// Its link.
    pub link: Link,
    /// +1 when a rise supports risk assets, -1 when it hurts.
    pub orientation: i8,
    /// The catalog series it uses.
    pub inputs: Vec<String>,
    /// Latest value of the indicator (its own units).
    pub value: Option<f64>,
    /// Latest z-score.
    pub z: Option<f64>,
    /// Latest oriented, clipped score (None when stale or undefined).
    pub score: Option<f64>,
    /// Whether the latest input is stale.
    pub stale: bool,
    /// Date of the newest observation behind the latest value.
    pub observed: Option<Date>,
    /// Weekly scores (NaN where undefined), for history and the link scores.
    #[serde(skip)]
    pub scores: Vec<f64>,
}

/// A link's summary at the as-of date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkSummary {
    /// The link's name.
    pub name: String,
    /// Score (weighted mean of fresh indicator scores).
    pub score: Option<f64>,
    /// State.
    pub state: Option<State>,
    /// Sign of the 13-week change of the score: "rising", "falling" or "flat".
    pub direction: Option<String>,
    /// The 13-week change of the score.
    pub change: Option<f64>,
    /// Ids of the indicators that were scored.
    pub indicators_used: Vec<String>,
    /// Ids of the indicators left out (stale or missing).
    pub indicators_left_out: Vec<String>,
    /// Weekly score history (NaN where undefined).
    #[serde(skip)]
    pub history: Vec<f64>,
}

/// The correlation between two links at their best lag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transmission {
    /// Upstream.
    pub from: String,
    /// Downstream (a link or an asset id).
    pub to: String,
    /// Best lag in weeks (upstream leads by this much).
    pub best_lag_weeks: i32,
    /// Correlation at that lag.
    pub rho: f64,
    /// Number of weekly pairs.
    pub n: usize,
    /// Fisher-z 95% interval of rho as if the lag had been fixed in advance (it was not: see
    /// `ci95_adjusted`).
    pub ci95: Option<[f64; 2]>,
    /// Lags searched for the best one (`0..=max_lag_weeks`: 27).
    pub lags_searched: usize,
    /// The Fisher-z interval at the Bonferroni level `1 - 0.05 / lags_searched`, which accounts
    /// for picking the best of the searched lags (see [`crate::stats::search`]).
    pub ci95_adjusted: Option<[f64; 2]>,
    /// `ci95_adjusted` excludes 0: the link's correlation is more than the best of noise.
    pub significant: bool,
}

/// The chain at the as-of date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chain {
    /// Every indicator.
    pub indicators: Vec<Indicator>,
    /// The links, upstream first.
    pub links: Vec<LinkSummary>,
    /// Adjacent-link and liquidity-to-asset transmissions.
    pub transmission: Vec<Transmission>,
    /// The first link where the chain breaks, if any.
    pub break_point: Option<String>,
    /// One sentence: where the economy sits in the chain and where it breaks.
    pub narrative: String,
}

/// The assets whose 13-week returns make the asset-response link.
pub const RESPONSE_ASSETS: [&str; 6] = ["SP500", "NASDAQ100", "NASDAQCOM", "CBBTCUSD", "CBETHUSD", "GOLD"];

struct Spec {
    id: &'static str,
    name: &'static str,
    link: Link,
    orientation: Orientation,
    column: Option<Column>,
}

fn weekly(panel: &Panel, id: &str, f: impl Fn(&[f64]) -> Vec<f64>) -> Option<Column> {
    panel.get(id).map(|c| c.derive(f(&c.values)))
}

fn apply<T: Transform>(t: Result<T, crate::transform::TransformError>, values: &[f64]) -> Vec<f64> {
    t.map_or_else(|_| vec![f64::NAN; values.len()], |t| t.apply(values))
}

/// Builds the indicators of MODEL.md 2 from the panel.
fn specs(panel: &Panel, cfg: &ChainConfig) -> Vec<Spec> {
    use Link::*;
    use Orientation::{RiseHurts as Hurts, RiseSupports as Supports};
    let k = cfg.change_weeks;
    let change = |id: &str| weekly(panel, id, |v| apply(Change::new(k), v));
    let pct = |id: &str, weeks: usize| weekly(panel, id, |v| apply(PercentChange::new(weeks), v));
    let level = |id: &str| panel.get(id).cloned();
    let combine = |a: &str, b: &str, f: fn(f64, f64) -> f64| -> Option<Column> {
        let (ca, cb) = (panel.get(a)?, panel.get(b)?);
        let values = ca.values.iter().zip(&cb.values).map(|(x, y)| f(*x, *y)).collect();
        let stale = ca.stale.iter().zip(&cb.stale).map(|(x, y)| *x || *y).collect();
        let obs_dates =
            ca.obs_dates.iter().zip(&cb.obs_dates).map(|(x, y)| (*x).min(*y).or(*x).or(*y)).collect();
        let inputs = ca.inputs.iter().chain(&cb.inputs).cloned().collect();
        Some(Column { values, stale, obs_dates, inputs })
    };
    let impulse = pct("NETLIQ", k);
    let acceleration = impulse.as_ref().map(|c| c.derive(apply(Change::new(k), &c.values)));
    let mut specs = vec![
        Spec {
            id: "CPI_YOY",
            name: "CPI, year over year (%)",
            link: Inflation,
            orientation: Hurts,
            column: level("CPI_YOY"),
        },
        Spec {
            id: "CPI_YOY_3M_CHANGE",
            name: "CPI YoY, 3-month change (pp)",
            link: Inflation,
            orientation: Hurts,
            column: level("CPI_YOY_3M_CHANGE"),
        },
        Spec {
            id: "CORE_PCE_YOY",
            name: "Core PCE, year over year (%)",
            link: Inflation,
            orientation: Hurts,
            column: level("CORE_PCE_YOY"),
        },
        Spec {
            id: "T10YIE_13W_CHANGE",
            name: "10y breakeven, 13-week change (pp)",
            link: Inflation,
            orientation: Hurts,
            column: change("T10YIE"),
        },
        Spec {
            id: "DFII10_13W_CHANGE",
            name: "10y real yield, 13-week change (pp)",
            link: Rates,
            orientation: Hurts,
            column: change("DFII10"),
        },
        Spec {
            id: "DGS10_13W_CHANGE",
            name: "10y nominal yield, 13-week change (pp)",
            link: Rates,
            orientation: Hurts,
            column: change("DGS10"),
        },
        Spec {
            id: "DGS2_MINUS_DFF",
            name: "2y yield minus fed funds (pp; negative = cuts priced)",
            link: Rates,
            orientation: Hurts,
            column: combine("DGS2", "DFF", |a, b| a - b),
        },
        Spec {
            id: "REAL_POLICY_RATE",
            name: "Real policy rate: fed funds minus core PCE YoY (pp)",
            link: Rates,
            orientation: Hurts,
            column: combine("DFF", "CORE_PCE_YOY", |a, b| a - b),
        },
        Spec {
            id: "NETLIQ_IMPULSE",
            name: "Net liquidity, 13-week % change (impulse)",
            link: Liquidity,
            orientation: Supports,
            column: impulse,
        },
        Spec {
            id: "NETLIQ_ACCELERATION",
            name: "Impulse, 13-week change (acceleration, pp)",
            link: Liquidity,
            orientation: Supports,
            column: acceleration,
        },
        Spec {
            id: "M2_YOY",
            name: "M2, year over year (%)",
            link: Liquidity,
            orientation: Supports,
            column: level("M2_YOY"),
        },
        Spec {
            id: "DOLLAR_13W_PCT",
            name: "Broad dollar, 13-week % change",
            link: Liquidity,
            orientation: Hurts,
            column: pct("DTWEXBGS", k),
        },
        Spec {
            id: "STABLECOINS_30D_PCT",
            name: "Stablecoin supply, 30-day % change",
            link: Liquidity,
            orientation: Supports,
            column: level("STABLECOINS_30D_PCT"),
        },
        Spec {
            id: "VIX",
            name: "VIX level",
            link: RiskAppetite,
            orientation: Hurts,
            column: level("VIXCLS"),
        },
        Spec {
            id: "HY_OAS",
            name: "High-yield spread level (pp)",
            link: RiskAppetite,
            orientation: Hurts,
            column: level("BAMLH0A0HYM2"),
        },
        Spec {
            id: "HY_OAS_4W_CHANGE",
            name: "High-yield spread, 4-week change (pp)",
            link: RiskAppetite,
            orientation: Hurts,
            column: weekly(panel, "BAMLH0A0HYM2", |v| apply(Change::new(4), v)),
        },
        Spec {
            id: "NFCI",
            name: "Chicago Fed financial conditions (NFCI)",
            link: RiskAppetite,
            orientation: Hurts,
            column: level("NFCI"),
        },
    ];
    for asset in RESPONSE_ASSETS {
        let column = weekly(panel, asset, |v| apply(LogReturn::new(k), v));
        specs.push(Spec {
            id: asset,
            name: "13-week log return",
            link: AssetResponse,
            orientation: Supports,
            column,
        });
    }
    specs
}

/// Computes the chain from the panel.
pub fn chain(panel: &Panel, cfg: &ChainConfig) -> Chain {
    let n = panel.len();
    let zscore = Zscore::new(cfg.zscore_weeks.max(2));
    let mut indicators = Vec::new();
    for spec in specs(panel, cfg) {
        let id = if spec.link == Link::AssetResponse {
            format!("{}_13W_RETURN", spec.id)
        } else {
            spec.id.to_string()
        };
        let orientation = if spec.orientation == Orientation::RiseSupports { 1 } else { -1 };
        let Some(column) = spec.column else {
            indicators.push(Indicator {
                id,
                name: spec.name.to_string(),
                link: spec.link,
                orientation,
                inputs: Vec::new(),
                value: None,
                z: None,
                score: None,
                stale: true,
                observed: None,
                scores: vec![f64::NAN; n],
            });
            continue;
        };
        let z = zscore.as_ref().map_or_else(|_| vec![f64::NAN; n], |t| t.apply(&column.values));
        let scores: Vec<f64> = z
            .iter()
            .zip(&column.stale)
            .map(
                |(z, stale)| {
                    if *stale {
                        f64::NAN
                    } else {
                        oriented_score(*z, spec.orientation).unwrap_or(f64::NAN)
                    }
                },
            )
            .collect();
        let last = n.checked_sub(1);
        let finite = |v: f64| v.is_finite().then_some(v);
        indicators.push(Indicator {
            id,
            name: spec.name.to_string(),
            link: spec.link,
            orientation,
            inputs: column.inputs.clone(),
            value: last.and_then(|i| finite(column.values[i])),
            z: last.and_then(|i| finite(z[i])),
            score: last.and_then(|i| finite(scores[i])),
            stale: last.is_none_or(|i| column.stale[i]),
            observed: last.and_then(|i| column.obs_dates[i]),
            scores,
        });
    }
    let links: Vec<LinkSummary> =
        Link::ALL.iter().map(|link| link_summary(*link, &indicators, cfg, n)).collect();
    let transmission = transmissions(panel, &links, cfg);
    let break_point = break_point(&links);
    let narrative = narrative(&links, &indicators, break_point.as_deref());
    Chain { indicators, links, transmission, break_point, narrative }
}

fn link_summary(link: Link, indicators: &[Indicator], cfg: &ChainConfig, n: usize) -> LinkSummary {
    let members: Vec<&Indicator> = indicators.iter().filter(|i| i.link == link).collect();
    let history: Vec<f64> = (0..n)
        .map(|t| {
            let (sum, weight) = members.iter().fold((0.0, 0.0), |(s, w), ind| {
                let score = ind.scores[t];
                let weight = cfg.weights.get(&ind.id).copied().unwrap_or(1.0);
                if score.is_finite() && weight > 0.0 {
                    (s + weight * score, w + weight)
                } else {
                    (s, w)
                }
            });
            if weight > 0.0 {
                sum / weight
            } else {
                f64::NAN
            }
        })
        .collect();
    let last = history.last().copied().filter(|v| v.is_finite());
    let before = n.checked_sub(1 + cfg.change_weeks).map(|i| history[i]).filter(|v| v.is_finite());
    let change = last.zip(before).map(|(a, b)| a - b);
    let direction = change.map(|c| {
        if c > 1e-9 {
            "rising"
        } else if c < -1e-9 {
            "falling"
        } else {
            "flat"
        }
        .to_string()
    });
    let (used, left_out): (Vec<&Indicator>, Vec<&Indicator>) =
        members.iter().partition(|i| i.score.is_some());
    LinkSummary {
        name: link.name().to_string(),
        score: last,
        state: last.map(|s| State::of(s, cfg.threshold)),
        direction,
        change,
        indicators_used: used.iter().map(|i| i.id.clone()).collect(),
        indicators_left_out: left_out.iter().map(|i| i.id.clone()).collect(),
        history,
    }
}

fn diff(values: &[f64]) -> Vec<f64> {
    apply(Change::new(1), values)
}

fn transmission(from: &str, to: &str, x: &[f64], y: &[f64], cfg: &ChainConfig) -> Option<Transmission> {
    let n = x.len().min(y.len());
    let start = n.saturating_sub(cfg.transmission_window_weeks);
    let best = best_lag(&x[start..n], &y[start..n], 0..=cfg.max_lag_weeks)?;
    let lags_searched = usize::try_from(cfg.max_lag_weeks.max(0)).unwrap_or(0) + 1;
    let ci95_adjusted = fisher_interval(best.rho, best.n, bonferroni_level(lags_searched));
    Some(Transmission {
        from: from.to_string(),
        to: to.to_string(),
        best_lag_weeks: best.lag,
        rho: best.rho,
        n: best.n,
        ci95: fisher_interval(best.rho, best.n, 0.95),
        lags_searched,
        ci95_adjusted,
        significant: ci95_adjusted.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0),
    })
}

fn transmissions(panel: &Panel, links: &[LinkSummary], cfg: &ChainConfig) -> Vec<Transmission> {
    let mut out = Vec::new();
    for pair in links.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if let Some(t) = transmission(&a.name, &b.name, &diff(&a.history), &diff(&b.history), cfg) {
            out.push(t);
        }
    }
    if let Some(liquidity) = links.iter().find(|l| l.name == Link::Liquidity.name()) {
        let dx = diff(&liquidity.history);
        for asset in RESPONSE_ASSETS {
            let Some(prices) = panel.get(asset) else { continue };
            let returns = apply(LogReturn::new(1), &prices.values);
            if let Some(t) = transmission(&liquidity.name, asset, &dx, &returns, cfg) {
                out.push(t);
            }
        }
    }
    out
}

/// The first link whose state differs from a non-neutral upstream link's state.
pub fn break_point(links: &[LinkSummary]) -> Option<String> {
    links.windows(2).find_map(|pair| {
        let (up, down) = (pair[0].state?, pair[1].state?);
        (up != State::Neutral && down != up).then(|| pair[1].name.clone())
    })
}

/// A link in words, as the narrative says it (`liquidity neutral, improving`).
pub fn describe(link: &LinkSummary, indicators: &[Indicator]) -> String {
    let Some(state) = link.state else {
        return format!("{} unknown", link.name.replace('_', " "));
    };
    let rising = link.direction.as_deref() == Some("rising");
    let falling = link.direction.as_deref() == Some("falling");
    let word = match (link.name.as_str(), state) {
        ("inflation", State::Supportive) => "cooling",
        ("inflation", State::Restrictive) => "heating",
        ("rates", State::Supportive) => "falling",
        ("rates", State::Restrictive) => "rising",
        ("liquidity", State::Supportive) => "expanding",
        ("liquidity", State::Restrictive) => "contracting",
        ("risk_appetite", State::Supportive) => "calm",
        ("risk_appetite", State::Restrictive) => "stressed",
        ("asset_response", State::Supportive) => "rising",
        ("asset_response", State::Restrictive) => "falling",
        (_, State::Neutral) if rising => "neutral, improving",
        (_, State::Neutral) if falling => "neutral, deteriorating",
        _ => "neutral",
    };
    let subject = match link.name.as_str() {
        "rates" => "real rates",
        "risk_appetite" => "risk appetite",
        "asset_response" => "assets",
        other => other,
    };
    let mut text = format!("{subject} {word}");
    if link.name == "liquidity" && state == State::Restrictive {
        // Say how fast it is contracting: the 13-week impulse.
        if let Some(imp) = indicators.iter().find(|i| i.id == "NETLIQ_IMPULSE").and_then(|i| i.value) {
            text.push_str(&format!(" (impulse {imp:+.1}% over 13 weeks)"));
        }
    }
    text
}

/// The one-sentence narrative: each link's state in chain order and where the chain breaks.
pub fn narrative(links: &[LinkSummary], indicators: &[Indicator], break_point: Option<&str>) -> String {
    let parts: Vec<String> = links.iter().map(|l| describe(l, indicators)).collect();
    let mut text = parts.join(" -> ");
    match break_point {
        Some(link) => text.push_str(&format!("; the chain breaks at {}.", link.replace('_', " "))),
        None => text.push_str("; no break in the chain."),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(name: &str, state: Option<State>) -> LinkSummary {
        LinkSummary {
            name: name.into(),
            score: None,
            state,
            direction: None,
            change: None,
            indicators_used: vec![],
            indicators_left_out: vec![],
            history: vec![],
        }
    }

    #[test]
    fn break_point_is_first_disagreement_with_a_non_neutral_upstream() {
        use State::*;
        let links = |s: [State; 5]| -> Vec<LinkSummary> {
            Link::ALL.iter().zip(s).map(|(l, s)| summary(l.name(), Some(s))).collect()
        };
        assert_eq!(
            break_point(&links([Supportive, Supportive, Restrictive, Neutral, Neutral])).as_deref(),
            Some("liquidity")
        );
        assert_eq!(break_point(&links([Neutral, Restrictive, Restrictive, Restrictive, Restrictive])), None);
        assert_eq!(
            break_point(&links([Neutral, Supportive, Neutral, Neutral, Neutral])).as_deref(),
            Some("liquidity")
        );
        assert_eq!(break_point(&links([Neutral, Neutral, Neutral, Neutral, Neutral])), None);
    }

    #[test]
    fn narrative_reads_in_chain_order() {
        use State::*;
        let links: Vec<LinkSummary> = Link::ALL
            .iter()
            .zip([Supportive, Supportive, Restrictive, Neutral, Restrictive])
            .map(|(l, s)| summary(l.name(), Some(s)))
            .collect();
        let text = narrative(&links, &[], break_point(&links).as_deref());
        assert_eq!(
            text,
            "inflation cooling -> real rates falling -> liquidity contracting -> risk appetite neutral -> assets falling; the chain breaks at liquidity."
        );
    }
}
