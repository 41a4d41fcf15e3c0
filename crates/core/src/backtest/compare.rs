//! Honest comparison: does a strategy beat its benchmarks, and does its timing add anything over its
//! own average allocation?
//!
//! # Design
//!
//! A backtest that shows a strategy's Sharpe ratio of 0.71 beside a benchmark's 0.67 invites the
//! reader to conclude that one beats the other. Over twenty years of weekly returns two Sharpe
//! ratios that close are indistinguishable, and a benchmark that differs from the strategy only in
//! *what* it holds (buy and hold of the risk asset) leaves open whether the strategy's *timing*
//! did anything. So every strategy is compared, on the same weeks:
//!
//! - with each benchmark of the report (buy and hold of an asset, 60/40, cash; MODEL.md 7), and
//! - with its own **static mix** ([`static_mix`]): the strategy's average weight in each asset
//!   over its weeks, held constant. The strategy and its static mix hold the same assets in the
//!   same average amounts; only the timing differs. A strategy that cannot beat its static mix
//!   earns its return from its allocation, not from its signals.
//!
//! and each comparison is the difference of the annualised Sharpe ratios with its standard error
//! ([`sharpe_difference`]: Jobson and Korkie 1981 with Memmel's 2003 correction), a 95% interval, a
//! z statistic and a two-sided p-value. The [`Verdict`] is read from the interval alone: "beats"
//! when it lies above 0, "trails" when below, "no significant difference" otherwise. Nothing else
//! in the report may say that a strategy beats something.
//!
//! # Caveats, written down
//!
//! - The Jobson-Korkie-Memmel variance is asymptotic and assumes returns that are independent and
//!   identically (normally) distributed over time. Weekly returns have fat tails and volatility
//!   clusters, which make the true interval somewhat wider; the verdict errs, if anything, towards
//!   finding a difference. A studentised block bootstrap (Ledoit and Wolf 2008) would be robust to
//!   both at the cost of thousands of resamples per pair; it is not done here.
//! - The static mix's weights are the strategy's average over the whole window, known only at its
//!   end: the mix is a yardstick, not a strategy one could have traded. That is the point: it asks
//!   whether the weekly decisions beat the allocation they average to.
//! - Comparisons against the walk-forward's stitched run and the sweep's cells are not made: the
//!   sweep's "share of the grid that beats the benchmark" compares point estimates across a grid
//!   (a robustness figure, MODEL.md 7), not a test.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::date::Date;
use crate::stats::correlation::{pearson, Z_95};
use crate::stats::descriptive::{mean, std_dev};

use super::engine::{simulate, EngineConfig, Market, Simulation, Targets, WEEKS_PER_YEAR, WEIGHT_EPSILON};
use super::metrics::MIN_SPREAD;

// ---------------------------------------------------------------------------------------------
// The static mix
// ---------------------------------------------------------------------------------------------

/// A strategy's average allocation held constant over the strategy's weeks.
#[derive(Clone, Debug, PartialEq)]
pub struct StaticMix {
    /// The average weight of each asset, cash included, in the order of the market (zero weights
    /// left out). Without leverage they sum to 1.
    pub weights: Vec<(String, f64)>,
    /// The mix simulated on the strategy's weeks.
    pub run: Simulation,
}

impl StaticMix {
    /// The weights as a map (for the report).
    pub fn weight_map(&self) -> BTreeMap<String, f64> {
        self.weights.iter().cloned().collect()
    }
}

/// The average weight of each asset of `run` over its holding weeks, cash first, one entry per
/// asset of the run (zeros kept).
///
/// # Formula
///
/// `w̄_a = (1 / K) sum_k w_{a,k}`, with `w_{a,k}` the weight held over week `k` (after the
/// rebalance at its decision Friday, after weights on untradable assets moved to cash: what the
/// strategy really held), `K` the number of weeks. Empty without weeks.
pub fn average_weights(run: &Simulation) -> Vec<f64> {
    let (m, k) = (run.assets.len(), run.len());
    if k == 0 {
        return Vec::new();
    }
    let mut sum = vec![0.0; m];
    for week in 0..k {
        for (slot, w) in sum.iter_mut().zip(run.weights(week)) {
            *slot += w;
        }
    }
    sum.into_iter().map(|s| s / k as f64).collect()
}

/// The static mix of a strategy run: its [`average_weights`] as a constant target, simulated on
/// `market` over the run's own decision weeks with the engine settings `cfg`.
///
/// The mix trades exactly as a fixed-mix benchmark does ([`Targets::constant`], the engine's
/// rules in [`super::engine`]): it starts in cash and buys the mix at the run's first decision
/// Friday (costed), then rebalances back to the average weights every `cfg.rebalance_weeks`
/// weeks (every Friday by default), paying `cfg.costs` on the turnover of each rebalance; weights
/// on an asset that cannot be traded on a week are held as cash there. Pass the engine settings
/// of the strategy, so the two differ only in when they hold what.
///
/// `run` must come from `market` (the same calendar and asset ids); without weeks the mix has
/// none either.
///
/// # Example
///
/// ```
/// use tideline_core::backtest::compare::static_mix;
/// use tideline_core::backtest::engine::{simulate, CostConfig, EngineConfig, Market, Targets};
/// use tideline_core::Date;
///
/// let dates: Vec<Date> = (0..5).map(|k| Date::from_days(19_726 + 7 * k)).collect();
/// let index = [100.0, 101.0, 102.01, 103.0301, 104.060401];
/// let market = Market::from_prices(dates, None, &[("SP500", &index)]);
/// // In the index on weeks 0 and 2, in cash on weeks 1 and 3.
/// let mut timing = Targets::new(5, 2);
/// for t in 0..4 {
///     timing.set_single(t, if t % 2 == 0 { 1 } else { 0 }, true);
/// }
/// let cfg = EngineConfig { costs: CostConfig::zero(), ..EngineConfig::default() };
/// let run = simulate(&market, &timing, market.decision_weeks(), &cfg);
/// let mix = static_mix(&market, &run, &cfg);
/// assert_eq!(mix.weights, vec![("CASH".to_string(), 0.5), ("SP500".to_string(), 0.5)]);
/// assert!(mix.run.net_return.iter().all(|r| (r - 0.005).abs() < 1e-12));
/// ```
pub fn static_mix(market: &Market, run: &Simulation, cfg: &EngineConfig) -> StaticMix {
    let average = average_weights(run);
    let weights: Vec<(String, f64)> = run
        .assets
        .iter()
        .zip(&average)
        .filter(|(_, w)| w.abs() > WEIGHT_EPSILON)
        .map(|(id, w)| (id.clone(), *w))
        .collect();
    let weeks = match run.start() {
        Some(start) => {
            let first = market.index_on_or_after(start);
            first..first + run.len()
        }
        None => 0..0,
    };
    let mix = simulate(market, &Targets::constant(market, &weights), weeks, cfg);
    StaticMix { weights, run: mix }
}

// ---------------------------------------------------------------------------------------------
// The Sharpe difference
// ---------------------------------------------------------------------------------------------

/// What a comparison allows one to say, read from its 95% interval only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The interval of `SR_a - SR_b` lies above 0.
    Beats,
    /// The interval lies below 0.
    Trails,
    /// The interval holds 0 (or there is no interval: nothing supports a claim).
    NoSignificantDifference,
}

impl Verdict {
    /// The verdict of an interval `[lo, hi]` of `SR_a - SR_b`: [`Verdict::Beats`] when `lo > 0`,
    /// [`Verdict::Trails`] when `hi < 0`, else (0 inside or on the edge, or no interval)
    /// [`Verdict::NoSignificantDifference`].
    pub fn of_interval(ci95: Option<[f64; 2]>) -> Verdict {
        match ci95 {
            Some([lo, _]) if lo > 0.0 => Verdict::Beats,
            Some([_, hi]) if hi < 0.0 => Verdict::Trails,
            _ => Verdict::NoSignificantDifference,
        }
    }

    /// The words of a summary: `beats`, `trails`, `no significant difference`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Beats => "beats",
            Verdict::Trails => "trails",
            Verdict::NoSignificantDifference => "no significant difference",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The difference of two annualised Sharpe ratios with its Jobson-Korkie-Memmel standard error;
/// see [`sharpe_difference`] for every formula.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SharpeDifference {
    /// Number of paired weeks `T`.
    pub weeks: usize,
    /// Annualised Sharpe ratio of `a`, `SR_a * sqrt(52)`.
    pub sharpe_a: f64,
    /// Annualised Sharpe ratio of `b`.
    pub sharpe_b: f64,
    /// Correlation `rho` of the two excess-return series; `None` when one is riskless.
    pub correlation: Option<f64>,
    /// `sharpe_a - sharpe_b` (annualised).
    pub difference: f64,
    /// Standard error of the difference (annualised; 0 for identical series).
    pub se: f64,
    /// 95% interval `difference ± 1.96 se` (degenerate `[d, d]` when `se` is 0).
    pub ci95: [f64; 2],
    /// `difference / se`; `None` when `se` is 0.
    pub z: Option<f64>,
    /// Two-sided p-value of `z` under the standard normal; `None` when `z` is.
    pub p_value: Option<f64>,
}

impl SharpeDifference {
    /// The verdict of the interval ([`Verdict::of_interval`]).
    pub fn verdict(&self) -> Verdict {
        Verdict::of_interval(Some(self.ci95))
    }
}

/// Per-period moments of one excess-return series.
struct Moments {
    mean: f64,
    sd: f64,
}

impl Moments {
    fn of(values: &[f64]) -> Option<Moments> {
        Some(Moments { mean: mean(values)?, sd: std_dev(values)? })
    }

    /// Zero spread and zero mean: earns exactly the cash rate every week.
    fn riskless(&self) -> bool {
        self.sd < MIN_SPREAD && self.mean.abs() < MIN_SPREAD
    }

    /// The per-period Sharpe ratio: 0 when riskless, `None` for a constant non-zero excess return
    /// (an infinite ratio).
    fn sharpe(&self) -> Option<f64> {
        if self.riskless() {
            Some(0.0)
        } else if self.sd < MIN_SPREAD {
            None
        } else {
            Some(self.mean / self.sd)
        }
    }
}

/// The Jobson-Korkie test of `SR_a = SR_b` with Memmel's correction, on two aligned series of
/// weekly **excess** returns (returns over cash, `r_t - c_t`).
///
/// `None` when the slices differ in length, fewer than two weeks pair finite values, or a series
/// has a constant non-zero excess return (an infinite Sharpe ratio). Pairs where either value is
/// not finite are left out.
///
/// # Formula
///
/// With `T` paired weeks, the per-period Sharpe ratios `SR_i = m_i / s_i` (sample mean `m_i` and
/// sample standard deviation `s_i`, divisor `T - 1`, exactly as
/// [`super::metrics::sharpe_ratio`] computes them) and the sample correlation `rho` of the two
/// series, Memmel's (2003) corrected asymptotic variance of `SR_a - SR_b` (Jobson and Korkie
/// 1981) is
///
/// ```text
/// Var = (1/T) [ 2 - 2 rho + ½ (SR_a² + SR_b² - 2 SR_a SR_b rho²) ]
/// ```
///
/// (clamped at 0 against rounding; it is 0 only for `rho = 1` and `SR_a = SR_b`). Everything is
/// then annualised by `sqrt(52)` ([`WEEKS_PER_YEAR`]):
///
/// ```text
/// difference = sqrt(52) (SR_a - SR_b)
/// se         = sqrt(52) sqrt(Var)
/// ci95       = difference ± 1.959964 se
/// z          = difference / se          (the same on either scale)
/// p_value    = 2 (1 - Phi(|z|))
/// ```
///
/// A **riskless** series (excess returns all within [`MIN_SPREAD`] of 0: cash against cash) has a
/// Sharpe ratio of exactly 0 with no sampling error, where [`super::metrics`] leaves it
/// undefined; `rho` is then undefined too and the variance keeps only the other series' own term,
/// `Var = (1/T)(1 + ½ SR_a²)` (the same expression's `a` part: `Var(SR_a) + Var(SR_b) - 2 Cov`
/// with `Var(SR_b) = Cov = 0`), the test of one Sharpe ratio against 0 (Lo 2002, i.i.d. case).
///
/// # Example
///
/// ```
/// use tideline_core::backtest::compare::{sharpe_difference, Verdict};
///
/// let a = [0.01, -0.005, 0.02, 0.0, 0.015, -0.01];
/// let same = sharpe_difference(&a, &a).unwrap();
/// assert_eq!(same.difference, 0.0);
/// assert!(same.se < 1e-6);
/// assert_eq!(same.verdict(), Verdict::NoSignificantDifference);
/// ```
pub fn sharpe_difference(a: &[f64], b: &[f64]) -> Option<SharpeDifference> {
    if a.len() != b.len() {
        return None;
    }
    let (a, b): (Vec<f64>, Vec<f64>) =
        a.iter().zip(b).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| (*x, *y)).unzip();
    let weeks = a.len();
    if weeks < 2 {
        return None;
    }
    let (ma, mb) = (Moments::of(&a)?, Moments::of(&b)?);
    let (sr_a, sr_b) = (ma.sharpe()?, mb.sharpe()?);
    let t = weeks as f64;
    let (correlation, variance) = match (ma.riskless(), mb.riskless()) {
        (true, true) => (None, 0.0),
        (true, false) => (None, (1.0 + 0.5 * sr_b * sr_b) / t),
        (false, true) => (None, (1.0 + 0.5 * sr_a * sr_a) / t),
        (false, false) => {
            let rho = pearson(&a, &b)?.clamp(-1.0, 1.0);
            let v = (2.0 - 2.0 * rho + 0.5 * (sr_a * sr_a + sr_b * sr_b - 2.0 * sr_a * sr_b * rho * rho)) / t;
            (Some(rho), v)
        }
    };
    let annual = WEEKS_PER_YEAR.sqrt();
    let difference = annual * (sr_a - sr_b);
    let se = annual * variance.max(0.0).sqrt();
    let ci95 = [difference - Z_95 * se, difference + Z_95 * se];
    let z = (se > 0.0).then(|| difference / se).filter(|z| z.is_finite());
    let p_value = z.and_then(two_sided_p);
    let out = SharpeDifference {
        weeks,
        sharpe_a: annual * sr_a,
        sharpe_b: annual * sr_b,
        correlation,
        difference,
        se,
        ci95,
        z,
        p_value,
    };
    [out.sharpe_a, out.sharpe_b, out.difference, out.se, ci95[0], ci95[1]]
        .iter()
        .all(|x| x.is_finite())
        .then_some(out)
}

/// `2 (1 - Phi(|z|))`, computed as `2 Phi(-|z|)` so that large `|z|` keeps its digits.
fn two_sided_p(z: f64) -> Option<f64> {
    let normal = Normal::new(0.0, 1.0).ok()?;
    let p = 2.0 * normal.cdf(-z.abs());
    p.is_finite().then_some(p.min(1.0))
}

// ---------------------------------------------------------------------------------------------
// Comparisons of a strategy
// ---------------------------------------------------------------------------------------------

/// What a strategy is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Against {
    /// A benchmark of the report (buy and hold, 60/40, cash).
    Benchmark,
    /// The strategy's own static mix ([`static_mix`]).
    StaticMix,
}

/// One row of a strategy's `comparisons`: the strategy's annualised Sharpe ratio against another
/// run's on the weeks they share, by [`sharpe_difference`] (the strategy is `a`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The other run's name: a benchmark's (`hold:NASDAQ100`, `60/40`, `cash`) or the static
    /// mix's (`static:<strategy>`).
    pub against: String,
    /// Whether that is a benchmark or the static mix.
    pub kind: Against,
    /// Paired weeks `T`.
    pub weeks: usize,
    /// The strategy's annualised Sharpe ratio over cash on those weeks.
    pub sharpe_strategy: Option<f64>,
    /// The other run's, on the same weeks (0 for cash).
    pub sharpe_other: Option<f64>,
    /// Correlation of the two weekly excess-return series (`null` against cash).
    pub correlation: Option<f64>,
    /// `sharpe_strategy - sharpe_other`.
    pub difference: Option<f64>,
    /// Jobson-Korkie-Memmel standard error of the difference (annualised).
    pub se: Option<f64>,
    /// 95% interval of the difference, `[lo, hi]`.
    pub ci95: Option<[f64; 2]>,
    /// `difference / se`.
    pub z: Option<f64>,
    /// Two-sided p-value of `z`.
    pub p_value: Option<f64>,
    /// Read from `ci95` alone ([`Verdict::of_interval`]); `no_significant_difference` when the
    /// test is undefined (the other fields are then `null`).
    pub verdict: Verdict,
}

impl Comparison {
    /// Compares `strategy` with `other` on the weeks both hold (matched by the Friday each return
    /// is realised on), on their weekly excess returns (net return minus cash).
    pub fn of_runs(strategy: &Simulation, other: &Simulation, against: &str, kind: Against) -> Comparison {
        let (a, b) = paired_excess(strategy, other);
        let test = sharpe_difference(&a, &b);
        Comparison {
            against: against.to_string(),
            kind,
            weeks: a.len(),
            sharpe_strategy: test.map(|t| t.sharpe_a),
            sharpe_other: test.map(|t| t.sharpe_b),
            correlation: test.and_then(|t| t.correlation),
            difference: test.map(|t| t.difference),
            se: test.map(|t| t.se),
            ci95: test.map(|t| t.ci95),
            z: test.and_then(|t| t.z),
            p_value: test.and_then(|t| t.p_value),
            verdict: test.map_or(Verdict::NoSignificantDifference, |t| t.verdict()),
        }
    }

    /// A sentence for a summary, whose claim is the verdict's: `beats hold:NASDAQ100: Sharpe 0.91
    /// vs 0.62, difference +0.29, 95% CI [+0.05, +0.53], p = 0.018` (`p < 0.001` below that);
    /// `no significant difference from ...`; `cannot be compared with ... (...)` when the test is
    /// undefined.
    pub fn statement(&self) -> String {
        let (Some(sa), Some(sb), Some(d), Some([lo, hi])) =
            (self.sharpe_strategy, self.sharpe_other, self.difference, self.ci95)
        else {
            return format!(
                "cannot be compared with {} (a Sharpe ratio is undefined on the {} shared weeks)",
                self.against, self.weeks
            );
        };
        let head = match self.verdict {
            Verdict::Beats => format!("beats {}", self.against),
            Verdict::Trails => format!("trails {}", self.against),
            Verdict::NoSignificantDifference => format!("no significant difference from {}", self.against),
        };
        let p = match self.p_value {
            Some(p) if p < 0.001 => ", p < 0.001".to_string(),
            Some(p) => format!(", p = {p:.3}"),
            None => String::new(),
        };
        format!("{head}: Sharpe {sa:.2} vs {sb:.2}, difference {d:+.2}, 95% CI [{lo:+.2}, {hi:+.2}]{p}")
    }
}

/// The weekly excess returns of two runs on the Fridays both have (each run's dates ascend).
fn paired_excess(a: &Simulation, b: &Simulation) -> (Vec<f64>, Vec<f64>) {
    let excess = |run: &Simulation, k: usize| run.net_return[k] - run.cash_return[k];
    let (mut i, mut j) = (0, 0);
    let (mut xa, mut xb) = (Vec::new(), Vec::new());
    let date = |run: &Simulation, k: usize| -> Option<Date> { run.dates.get(k).copied() };
    while let (Some(da), Some(db)) = (date(a, i), date(b, j)) {
        match da.cmp(&db) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if i < a.len() && j < b.len() {
                    xa.push(excess(a, i));
                    xb.push(excess(b, j));
                }
                i += 1;
                j += 1;
            }
        }
    }
    (xa, xb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_reads_the_interval_only() {
        assert_eq!(Verdict::of_interval(Some([0.01, 0.5])), Verdict::Beats);
        assert_eq!(Verdict::of_interval(Some([-0.5, -0.01])), Verdict::Trails);
        assert_eq!(Verdict::of_interval(Some([-0.1, 0.5])), Verdict::NoSignificantDifference);
        assert_eq!(Verdict::of_interval(Some([0.0, 0.5])), Verdict::NoSignificantDifference);
        assert_eq!(Verdict::of_interval(None), Verdict::NoSignificantDifference);
    }

    #[test]
    fn riskless_side_is_a_sharpe_against_zero() {
        let a = [0.01, -0.005, 0.02, 0.0, 0.015, -0.01, 0.004, 0.007];
        let cash = [0.0; 8];
        let test = sharpe_difference(&a, &cash).expect("defined");
        let sr = mean(&a).unwrap_or(0.0) / std_dev(&a).unwrap_or(1.0);
        assert_eq!(test.sharpe_b, 0.0);
        assert!(test.correlation.is_none());
        let se = (52.0 * (1.0 + 0.5 * sr * sr) / 8.0f64).sqrt();
        assert!((test.se - se).abs() < 1e-12);
        // Constant non-zero excess: an infinite Sharpe ratio, no test.
        assert!(sharpe_difference(&a, &[0.001; 8]).is_none());
        assert!(sharpe_difference(&a, &cash[..7]).is_none());
    }
}
