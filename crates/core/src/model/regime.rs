//! Regimes for every week of history (MODEL.md 3).
//!
//! # Definitions
//!
//! - **Cycle quadrant** (investment clock): growth momentum `g` = z-score of industrial
//!   production's 6-month annualised growth, inflation momentum `i` = z-score of CPI's 6-month
//!   annualised rate, both against their trailing 3 years (156 weeks). Recovery when `g > 0, i <= 0`,
//!   Overheat `g > 0, i > 0`, Stagflation `g <= 0, i > 0`, Reflation `g <= 0, i <= 0`.
//!   Probabilities: a softmax over the quadrants of `(s_g * g + s_i * i) / temperature`, where
//!   `s_g, s_i` are the quadrant's signs (+1 for "up"); the most likely quadrant is the one whose
//!   signs match those of `g` and `i`.
//! - **Monetary**: the mean of the available components, each clipped to [-3, 3]: the rates link
//!   score; minus the 26-week change of fed funds in units of 25 bp; the 13-week % change of the
//!   Fed's balance sheet (WALCL) in units of 1% (QE positive, QT negative). Easing above +0.5,
//!   tightening below -0.5.
//! - **Liquidity**: the net-liquidity impulse (13-week % change): expanding above
//!   `+impulse_threshold_pct` (default 1%), contracting below its negative, flat between;
//!   unknown when net liquidity is stale at either end of the window (stale weeks are masked,
//!   as in the backtest's signals; the same for fed funds and the balance sheet of the monetary
//!   regime).
//! - **Risk**: the risk-appetite link's state: supportive = risk-on, restrictive = risk-off.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::model::chain::{Chain, Link};
use crate::model::panel::Panel;
use crate::model::{LiquidityRegime, Monetary, Quadrant, RegimeSnapshot, Risk, State};
use crate::transform::{Change, PercentChange, Transform, Zscore};

/// Regime settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegimeConfig {
    /// Softmax temperature of the cycle probabilities.
    pub temperature: f64,
    /// Liquidity regime threshold on the impulse, percent over 13 weeks.
    pub impulse_threshold_pct: f64,
    /// Threshold of the monetary score.
    pub monetary_threshold: f64,
    /// Trailing window of the momentum z-scores, weeks.
    pub zscore_weeks: usize,
}

impl Default for RegimeConfig {
    fn default() -> RegimeConfig {
        RegimeConfig {
            temperature: 1.0,
            impulse_threshold_pct: 1.0,
            monetary_threshold: 0.5,
            zscore_weeks: 156,
        }
    }
}

/// Probabilities of the four quadrants.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuadrantProbabilities {
    /// Recovery.
    pub recovery: f64,
    /// Overheat.
    pub overheat: f64,
    /// Stagflation.
    pub stagflation: f64,
    /// Reflation.
    pub reflation: f64,
}

/// The regimes of one week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegimeWeek {
    /// The Friday.
    pub date: Date,
    /// The four regimes.
    #[serde(flatten)]
    pub regimes: RegimeSnapshot,
    /// Growth momentum z-score.
    pub growth_z: Option<f64>,
    /// Inflation momentum z-score.
    pub inflation_z: Option<f64>,
    /// Cycle probabilities.
    pub probabilities: Option<QuadrantProbabilities>,
    /// Monetary score.
    pub monetary_score: Option<f64>,
    /// Net-liquidity impulse, % over 13 weeks.
    pub impulse_pct: Option<f64>,
}

/// Softmax probabilities of the quadrants for momentum z-scores `g` and `i`.
pub fn quadrant_probabilities(g: f64, i: f64, temperature: f64) -> QuadrantProbabilities {
    let t = if temperature > 0.0 { temperature } else { 1.0 };
    let scores = [(g - i) / t, (g + i) / t, (-g + i) / t, (-g - i) / t];
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    QuadrantProbabilities {
        recovery: e[0] / sum,
        overheat: e[1] / sum,
        stagflation: e[2] / sum,
        reflation: e[3] / sum,
    }
}

/// The quadrant of momentum z-scores.
pub fn quadrant(g: f64, i: f64) -> Quadrant {
    match (g > 0.0, i > 0.0) {
        (true, false) => Quadrant::Recovery,
        (true, true) => Quadrant::Overheat,
        (false, true) => Quadrant::Stagflation,
        (false, false) => Quadrant::Reflation,
    }
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Regimes for every week of the panel.
pub fn regimes(panel: &Panel, chain: &Chain, cfg: &RegimeConfig) -> Vec<RegimeWeek> {
    let n = panel.len();
    let z = |id: &str| {
        Zscore::new(cfg.zscore_weeks.max(2))
            .map_or_else(|_| vec![f64::NAN; n], |t| t.apply(&panel.values_or_nan(id)))
    };
    let (growth, inflation) = (z("INDPRO_6M_ANN"), z("CPI_6M_ANN"));
    let stale = |id: &str, t: usize| panel.get(id).is_none_or(|c| c.stale[t]);
    // Stale weeks are masked before the changes, as the strategies' signals are: a change whose
    // either end is a carried-forward value is undefined, so no regime rests on a stopped feed.
    let dff_change =
        Change::new(26).map_or_else(|_| vec![f64::NAN; n], |t| t.apply(&panel.fresh_or_nan("DFF")));
    let qe =
        PercentChange::new(13).map_or_else(|_| vec![f64::NAN; n], |t| t.apply(&panel.fresh_or_nan("WALCL")));
    let impulse =
        PercentChange::new(13).map_or_else(|_| vec![f64::NAN; n], |t| t.apply(&panel.fresh_or_nan("NETLIQ")));
    let link_history =
        |link: Link| chain.links.iter().find(|l| l.name == link.name()).map(|l| l.history.clone());
    let rates = link_history(Link::Rates).unwrap_or_else(|| vec![f64::NAN; n]);
    let risk = link_history(Link::RiskAppetite).unwrap_or_else(|| vec![f64::NAN; n]);
    (0..n)
        .map(|t| {
            let g = finite(growth[t]).filter(|_| !stale("INDPRO_6M_ANN", t));
            let i = finite(inflation[t]).filter(|_| !stale("CPI_6M_ANN", t));
            let components: Vec<f64> = [
                finite(rates[t]),
                finite(dff_change[t]).map(|c| (-c / 0.25).clamp(-3.0, 3.0)),
                finite(qe[t]).map(|c| c.clamp(-3.0, 3.0)),
            ]
            .into_iter()
            .flatten()
            .collect();
            let monetary_score =
                (!components.is_empty()).then(|| components.iter().sum::<f64>() / components.len() as f64);
            let imp = finite(impulse[t]);
            RegimeWeek {
                date: panel.calendar.dates()[t],
                regimes: RegimeSnapshot {
                    cycle: g.zip(i).map(|(g, i)| quadrant(g, i)),
                    monetary: monetary_score.map(|s| match State::of(s, cfg.monetary_threshold) {
                        State::Supportive => Monetary::Easing,
                        State::Neutral => Monetary::Neutral,
                        State::Restrictive => Monetary::Tightening,
                    }),
                    liquidity: imp.map(|p| {
                        if p > cfg.impulse_threshold_pct {
                            LiquidityRegime::Expanding
                        } else if p < -cfg.impulse_threshold_pct {
                            LiquidityRegime::Contracting
                        } else {
                            LiquidityRegime::Flat
                        }
                    }),
                    risk: finite(risk[t]).map(|s| match State::of(s, 0.5) {
                        State::Supportive => Risk::RiskOn,
                        State::Neutral => Risk::Neutral,
                        State::Restrictive => Risk::RiskOff,
                    }),
                },
                growth_z: g,
                inflation_z: i,
                probabilities: g.zip(i).map(|(g, i)| quadrant_probabilities(g, i, cfg.temperature)),
                monetary_score,
                impulse_pct: imp,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadrants_and_probabilities() {
        assert_eq!(quadrant(1.0, -1.0), Quadrant::Recovery);
        assert_eq!(quadrant(1.0, 1.0), Quadrant::Overheat);
        assert_eq!(quadrant(-1.0, 1.0), Quadrant::Stagflation);
        assert_eq!(quadrant(-1.0, -1.0), Quadrant::Reflation);
        let p = quadrant_probabilities(1.0, -1.0, 1.0);
        // Scores 2, 0, -2, 0: e^2 / (e^2 + 2 + e^-2) = 0.7758.
        assert!((p.recovery - 7.389_056 / (7.389_056 + 2.0 + 0.135_335)).abs() < 1e-6);
        assert!((p.recovery + p.overheat + p.stagflation + p.reflation - 1.0).abs() < 1e-12);
        let flat = quadrant_probabilities(0.0, 0.0, 1.0);
        assert!((flat.recovery - 0.25).abs() < 1e-12);
        // A higher temperature spreads the probabilities.
        assert!(quadrant_probabilities(1.0, -1.0, 4.0).recovery < p.recovery);
    }
}
