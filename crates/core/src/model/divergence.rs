//! Policy divergence: who is easing and who is tightening, economy by economy, as of any date.
//!
//! # Design
//!
//! For each economy of [`DivergenceConfig::economies`] (default: the United States, the euro area
//! and Japan) the table shows, as the public saw it on the as-of date:
//!
//! - the **policy rate** (US: DFF; euro area: ECBDFR; Japan: a call-rate series when one is loaded,
//!   by default the user series `IRSTCI01JPM156N`, else "unknown") and its **6-month change**;
//! - the **balance-sheet direction**: the 13-week percent change of total assets (WALCL,
//!   ECBASSETSW, JPNASSETS), expanding above +1%, contracting below -1%, flat between;
//! - the resulting **monetary regime**, by the rule below, and a one-line summary.
//!
//! Every value is the last observation dated `d` with `d + lag <= t` (the series' publication lag),
//! at `t = as_of` and at the base date of its change (`as_of` minus 6 months, or minus 13 weeks).
//!
//! # The regime rule
//!
//! The same rule as the Fed's monetary regime in [`crate::model::regime`], without the rates link
//! (which only exists for the US):
//!
//! - rate component `c_r = clip(-Δr_6m / 0.25, -3, 3)`: each 25 bp of cuts over six months is +1;
//! - balance-sheet component `c_b = clip(g_13w / 1%, -3, 3)`: each 1% of growth over 13 weeks
//!   (QE) is +1, shrinking (QT) negative;
//! - score = the mean of the components that are known and fresh (a stale input, MODEL.md 1.3,
//!   is shown but not scored); **easing** when the score is above +0.5, **tightening** below -0.5,
//!   **neutral** between, **unknown** with no fresh component.
//!
//! So a 25 bp cut alone (score +1) is easing, a 25 bp cut with a balance sheet shrinking 2% in 13
//! weeks (+1 and -2: -0.5) is neutral, and a central bank at its floor with a flat balance sheet is
//! neutral.

use serde::{Deserialize, Serialize};

use crate::align::is_stale;
use crate::dataset::Dataset;
use crate::date::Date;
use crate::model::global::{series_frequency, series_lag};
use crate::model::Monetary;

/// One candidate policy-rate series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateSpec {
    /// The dataset id.
    pub series: String,
    /// Publication lag in days; `None`: the catalog's, else 0.
    #[serde(default)]
    pub publication_lag_days: Option<i32>,
}

impl RateSpec {
    fn new(series: &str, publication_lag_days: Option<i32>) -> RateSpec {
        RateSpec { series: series.into(), publication_lag_days }
    }
}

/// One economy of the table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EconomySpec {
    /// Short id (`US`, `EA`, `JP`).
    pub id: String,
    /// A readable name (`United States`).
    pub name: String,
    /// Policy-rate series in order of preference; the first one loaded is used.
    pub policy_rates: Vec<RateSpec>,
    /// The central bank's total assets.
    pub balance_sheet: Option<String>,
    /// Publication lag of the balance sheet in days; `None`: the catalog's, else 0.
    #[serde(default)]
    pub balance_sheet_lag_days: Option<i32>,
}

/// Settings of [`policy_divergence`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DivergenceConfig {
    /// The economies (default: US, euro area, Japan).
    pub economies: Vec<EconomySpec>,
    /// Months of the policy-rate change (6).
    pub rate_change_months: i32,
    /// Weeks of the balance-sheet change (13).
    pub balance_sheet_weeks: i32,
    /// Rate change worth one unit of score, percentage points (0.25).
    pub rate_step_pp: f64,
    /// Balance-sheet change worth one unit of score, percent (1).
    pub balance_sheet_step_pct: f64,
    /// Components are clipped to ±this (3).
    pub clip: f64,
    /// Easing above +threshold, tightening below -threshold (0.5).
    pub threshold: f64,
    /// Balance sheet flat within ±this percent over the window (1).
    pub flat_band_pct: f64,
}

impl Default for DivergenceConfig {
    fn default() -> DivergenceConfig {
        DivergenceConfig {
            economies: vec![
                EconomySpec {
                    id: "US".into(),
                    name: "United States".into(),
                    policy_rates: vec![RateSpec::new("DFF", None)],
                    balance_sheet: Some("WALCL".into()),
                    balance_sheet_lag_days: None,
                },
                EconomySpec {
                    id: "EA".into(),
                    name: "euro area".into(),
                    policy_rates: vec![RateSpec::new("ECBDFR", None)],
                    balance_sheet: Some("ECBASSETSW".into()),
                    balance_sheet_lag_days: None,
                },
                EconomySpec {
                    id: "JP".into(),
                    name: "Japan".into(),
                    // OECD immediate (call) rate, monthly averages dated on the 1st: public about a
                    // month later.
                    policy_rates: vec![RateSpec::new("IRSTCI01JPM156N", Some(31))],
                    balance_sheet: Some("JPNASSETS".into()),
                    balance_sheet_lag_days: None,
                },
            ],
            rate_change_months: 6,
            balance_sheet_weeks: 13,
            rate_step_pp: 0.25,
            balance_sheet_step_pct: 1.0,
            clip: 3.0,
            threshold: 0.5,
            flat_band_pct: 1.0,
        }
    }
}

/// The policy rate of an economy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateReading {
    /// The series used.
    pub series: String,
    /// Publication lag applied, days.
    pub lag_days: i32,
    /// The rate public at as_of, percent.
    pub value: f64,
    /// Its observation date.
    pub observed: Date,
    /// Stale at as_of (not scored).
    pub stale: bool,
    /// The base date of the change (as_of minus the window).
    pub base_date: Date,
    /// The rate public at the base date and its observation date.
    pub base: Option<(Date, f64)>,
    /// Change over the window, percentage points.
    ///
    /// # Formula
    ///
    /// `Δr = r(as_of) - r(as_of - 6 months)`, each the value public then.
    pub change_pp: Option<f64>,
}

/// Direction of a balance sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BalanceSheetDirection {
    /// Growing by more than the flat band (QE).
    Expanding,
    /// Within the flat band.
    Flat,
    /// Shrinking by more than the flat band (QT).
    Contracting,
}

/// The balance sheet of an economy's central bank.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BalanceSheetReading {
    /// The series used.
    pub series: String,
    /// Publication lag applied, days.
    pub lag_days: i32,
    /// Total assets public at as_of, canonical units of the series.
    pub level: f64,
    /// Its observation date.
    pub observed: Date,
    /// Stale at as_of (not scored).
    pub stale: bool,
    /// The base date of the change.
    pub base_date: Date,
    /// The level public at the base date and its observation date.
    pub base: Option<(Date, f64)>,
    /// Percent change over the window.
    ///
    /// # Formula
    ///
    /// `g = 100 × (B(as_of) / B(as_of - 13 weeks) - 1)`, each the value public then.
    pub change_pct: Option<f64>,
    /// Expanding, flat or contracting (`g` against ±1%).
    pub direction: Option<BalanceSheetDirection>,
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EconomyStance {
    /// Short id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The policy rate (`None`: unknown, no series loaded).
    pub policy_rate: Option<RateReading>,
    /// The balance sheet (`None`: unknown).
    pub balance_sheet: Option<BalanceSheetReading>,
    /// The rate component of the score (`None` when unknown or stale).
    ///
    /// # Formula
    ///
    /// `clip(-Δr / 0.25, -3, 3)`.
    pub rate_component: Option<f64>,
    /// The balance-sheet component (`None` when unknown or stale).
    ///
    /// # Formula
    ///
    /// `clip(g / 1, -3, 3)`.
    pub balance_sheet_component: Option<f64>,
    /// The mean of the known components.
    pub score: Option<f64>,
    /// Easing, neutral or tightening (`None`: unknown).
    pub regime: Option<Monetary>,
}

/// The policy-divergence table as of a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyDivergence {
    /// The as-of date.
    pub as_of: Date,
    /// One row per economy, in the configured order.
    pub economies: Vec<EconomyStance>,
    /// Names of the economies easing.
    pub easing: Vec<String>,
    /// Names of the economies tightening.
    pub tightening: Vec<String>,
    /// Names of the neutral economies.
    pub neutral: Vec<String>,
    /// Names of the economies whose regime is unknown.
    pub unknown: Vec<String>,
    /// One line: who is easing and who is tightening.
    pub summary: String,
    /// The regime rule in words.
    pub rule: String,
}

/// The last observation public at `at`: dated `d` with `d + lag <= at`.
fn public_value(dataset: &Dataset, id: &str, lag: i32, at: Date) -> Option<(Date, f64)> {
    dataset.get(id)?.at_or_before(at.add_days(-lag.max(0)))
}

/// The policy-divergence table as of `as_of` (see the module docs for the rule).
///
/// `dataset` may hold later data: it is ignored. Always returns a table (economies whose inputs are
/// not loaded are "unknown"); `None` only when no economy is configured.
pub fn policy_divergence(
    dataset: &Dataset,
    as_of: Date,
    config: &DivergenceConfig,
) -> Option<PolicyDivergence> {
    if config.economies.is_empty() {
        return None;
    }
    // Windows are clamped to a century, so no setting can overflow the date arithmetic.
    let rate_base = as_of.add_months(-config.rate_change_months.clamp(0, 1200));
    let sheet_base = as_of.add_days(-7 * config.balance_sheet_weeks.clamp(0, 5200));
    let clip = |v: f64| v.clamp(-config.clip.abs(), config.clip.abs());
    let economies: Vec<EconomyStance> = config
        .economies
        .iter()
        .map(|economy| {
            let policy_rate =
                economy.policy_rates.iter().find(|r| dataset.get(&r.series).is_some()).and_then(|spec| {
                    let lag =
                        spec.publication_lag_days.unwrap_or_else(|| series_lag(dataset, &spec.series)).max(0);
                    let (observed, value) = public_value(dataset, &spec.series, lag, as_of)?;
                    let base = public_value(dataset, &spec.series, lag, rate_base);
                    Some(RateReading {
                        series: spec.series.clone(),
                        lag_days: lag,
                        value,
                        observed,
                        stale: is_stale(observed, as_of, series_frequency(dataset, &spec.series), lag),
                        base_date: rate_base,
                        base,
                        change_pp: base.map(|(_, b)| value - b),
                    })
                });
            let balance_sheet = economy.balance_sheet.as_ref().and_then(|id| {
                let lag = economy.balance_sheet_lag_days.unwrap_or_else(|| series_lag(dataset, id)).max(0);
                let (observed, level) = public_value(dataset, id, lag, as_of)?;
                let base = public_value(dataset, id, lag, sheet_base);
                let change_pct = base.and_then(|(_, b)| (b != 0.0).then(|| 100.0 * (level / b - 1.0)));
                Some(BalanceSheetReading {
                    series: id.clone(),
                    lag_days: lag,
                    level,
                    observed,
                    stale: is_stale(observed, as_of, series_frequency(dataset, id), lag),
                    base_date: sheet_base,
                    base,
                    change_pct,
                    direction: change_pct.map(|g| direction(g, config.flat_band_pct)),
                })
            });
            let rate_component = policy_rate
                .as_ref()
                .filter(|r| !r.stale)
                .and_then(|r| r.change_pp)
                .filter(|_| config.rate_step_pp > 0.0)
                .map(|c| clip(-c / config.rate_step_pp));
            let balance_sheet_component = balance_sheet
                .as_ref()
                .filter(|b| !b.stale)
                .and_then(|b| b.change_pct)
                .filter(|_| config.balance_sheet_step_pct > 0.0)
                .map(|g| clip(g / config.balance_sheet_step_pct));
            let known: Vec<f64> = [rate_component, balance_sheet_component].into_iter().flatten().collect();
            let score = (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64);
            EconomyStance {
                id: economy.id.clone(),
                name: economy.name.clone(),
                policy_rate,
                balance_sheet,
                rate_component,
                balance_sheet_component,
                score,
                regime: score.map(|s| regime_of(s, config.threshold)),
            }
        })
        .collect();
    let names = |want: Option<Monetary>| -> Vec<String> {
        economies.iter().filter(|e| e.regime == want).map(|e| e.name.clone()).collect()
    };
    let (easing, tightening, neutral, unknown) = (
        names(Some(Monetary::Easing)),
        names(Some(Monetary::Tightening)),
        names(Some(Monetary::Neutral)),
        names(None),
    );
    let summary = summary_line(&easing, &tightening, &neutral, &unknown);
    Some(PolicyDivergence {
        as_of,
        economies,
        easing,
        tightening,
        neutral,
        unknown,
        summary,
        rule: format!(
            "score = mean of clip(-(6-month rate change) / {} pp, ±{c}) and clip(13-week balance-sheet change / {}%, ±{c}), \
             fresh inputs only; easing > +{t}, tightening < -{t}, neutral between",
            config.rate_step_pp,
            config.balance_sheet_step_pct,
            c = config.clip,
            t = config.threshold
        ),
    })
}

/// The direction of a balance-sheet change.
///
/// # Formula
///
/// `Expanding` when `g > band`, `Contracting` when `g < -band`, `Flat` otherwise.
pub fn direction(change_pct: f64, band_pct: f64) -> BalanceSheetDirection {
    if change_pct > band_pct {
        BalanceSheetDirection::Expanding
    } else if change_pct < -band_pct {
        BalanceSheetDirection::Contracting
    } else {
        BalanceSheetDirection::Flat
    }
}

/// The regime of a score.
///
/// # Formula
///
/// `Easing` when `score > threshold`, `Tightening` when `score < -threshold`, `Neutral` otherwise.
pub fn regime_of(score: f64, threshold: f64) -> Monetary {
    if score > threshold {
        Monetary::Easing
    } else if score < -threshold {
        Monetary::Tightening
    } else {
        Monetary::Neutral
    }
}

/// "Easing: A, B; tightening: C; neutral: D; unknown: E", leaving out empty groups.
fn summary_line(easing: &[String], tightening: &[String], neutral: &[String], unknown: &[String]) -> String {
    let groups = [("easing", easing), ("tightening", tightening), ("neutral", neutral), ("unknown", unknown)];
    let parts: Vec<String> = groups
        .iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(label, names)| format!("{label}: {}", names.join(", ")))
        .collect();
    if parts.is_empty() {
        return "no economy".into();
    }
    let line = parts.join("; ");
    let mut chars = line.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().collect::<String>() + chars.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_edges() {
        assert_eq!(regime_of(0.5, 0.5), Monetary::Neutral);
        assert_eq!(regime_of(0.51, 0.5), Monetary::Easing);
        assert_eq!(regime_of(-0.51, 0.5), Monetary::Tightening);
        assert_eq!(direction(1.0, 1.0), BalanceSheetDirection::Flat);
        assert_eq!(direction(-1.5, 1.0), BalanceSheetDirection::Contracting);
        let s = summary_line(&["euro area".into()], &["Japan".into()], &[], &["United States".into()]);
        assert_eq!(s, "Easing: euro area; tightening: Japan; unknown: United States");
    }
}
