//! Risk by regime: how each spectrum asset behaved in each liquidity regime and cycle quadrant
//! (MODEL.md 3 and 4): return, volatility, Sharpe over cash and maximum drawdown, with the number
//! of weeks and a bootstrap interval on the mean.
//!
//! # Point in time
//!
//! The regime of week `t` ([`crate::model::regime::regimes`]) is read from data public at the
//! Friday close of `t`. It is paired with the asset's return **over the following week**, from the
//! close of `t` to the close of `t + 1`: what a holder who saw the regime at `t` then earned, the
//! timing of the backtest ([`crate::backtest::engine`]). The return of the week that ended at `t`
//! (and so helped to make the regime) is never credited to it. The last week of the calendar has
//! no following week and is in no regime's sample.
//!
//! # Definitions
//!
//! Let `P_t` be the asset's Friday close and `C_t` the cash total-return index (fed funds
//! accrual, [`crate::model::panel::cash_index`]; the spectrum's `CASH` tier). For each week `t`:
//!
//! - `r_t = ln(P_{t+1} / P_t)`, the asset's next-week log return ([`next_week_log_returns`]);
//!   undefined when either close is unknown (missing, stale or not positive);
//! - `c_t = ln(C_{t+1} / C_t)`, cash's log return over the same week.
//!
//! A regime's sample is the weeks `t` whose regime is that one and whose `r_t` is defined, in
//! calendar order; `weeks` is their number `n`. With `n` below the minimum
//! ([`DEFAULT_MIN_WEEKS`], 8) every statistic is `None` and only `weeks` is reported. Otherwise:
//!
//! - `mean_weekly` = `mean(r)`, the mean weekly log return;
//! - `ci95` = the 95% percentile interval of `mean(r)` by the circular moving-block bootstrap
//!   ([`crate::stats::bootstrap::block_bootstrap_runs_ci`]) on the sample in calendar order,
//!   blocks of `n^(1/3)` weeks ([`crate::stats::bootstrap::default_block_len`]) unless set,
//!   seeded: the same seed gives the same interval. Regimes persist for months, so most blocks
//!   lie inside one episode and keep its dependence; a block that spans the end of one episode
//!   and the start of the next joins weeks that were apart (the sample is treated as one series);
//! - `annualised_return` = `52 * mean(r)`, an annualised **log** return (continuously compounded:
//!   `exp(x) - 1` is the simple annual growth rate);
//! - `annualised_volatility` = `s(r) * sqrt(52)`, `s` the sample standard deviation (divisor
//!   `n - 1`);
//! - `sharpe` = `mean(e) / s(e) * sqrt(52)` with the excess log return `e_t = r_t - c_t` over the
//!   sample's weeks where `c_t` is defined (the risk-free is the fed funds accrual, as in the
//!   backtest); `None` without a cash index, with fewer than the minimum weeks of cash, or when the
//!   excess does not vary (cash itself);
//! - `max_drawdown` = the deepest fall of the equity that holds the asset during the regime's
//!   weeks only, compounding their returns in calendar order and standing still between episodes:
//!   `E_0 = 1`, `E_k = exp(r_(1) + ... + r_(k))` over the sample's weeks `(1) < ... < (k)`, and
//!   `max_drawdown = min_k (E_k / max(E_0, ..., E_k) - 1)`, 0 or negative (-0.25 is a 25% fall).
//!   A drawdown can so run across episodes: a regime whose every episode starts with a fall has a
//!   deep drawdown even when no single episode has.
//!
//! Volatility, Sharpe and drawdown are the formulas of the backtest's metrics
//! ([`crate::backtest::metrics`]), applied to log returns (the drawdown to `exp(r) - 1`).
//! Annualisation is by 52 weeks a year ([`crate::backtest::engine::WEEKS_PER_YEAR`]).
//!
//! # Example
//!
//! ```
//! use tideline_core::model::risk_regime::{regime_risk, RiskRegimeConfig};
//!
//! // The regime at t is "true" on even weeks; the asset gains 2% the week after an even week.
//! let returns: Vec<f64> = (0..40).map(|t| if t % 2 == 0 { 0.02 } else { -0.01 }).collect();
//! let regimes: Vec<Option<bool>> = (0..40).map(|t| Some(t % 2 == 0)).collect();
//! let risk = regime_risk(&returns, None, &regimes, true, &RiskRegimeConfig::default());
//! assert_eq!(risk.weeks, 20);
//! assert!((risk.mean_weekly.unwrap() - 0.02).abs() < 1e-12);
//! assert!((risk.annualised_return.unwrap() - 1.04).abs() < 1e-12);
//! assert_eq!(risk.max_drawdown, Some(0.0));
//! assert_eq!(risk.sharpe, None); // no cash index
//! ```

use serde::{Deserialize, Serialize};

use crate::align::Calendar;
use crate::backtest::engine::WEEKS_PER_YEAR;
use crate::backtest::metrics::{annualised_volatility, max_drawdown, sharpe_ratio};
use crate::date::Date;
use crate::model::spectrum::TierPrices;
use crate::model::{LiquidityRegime, Quadrant, RegimeSnapshot};
use crate::stats::bootstrap::{block_bootstrap_runs_ci, default_block_len, DEFAULT_REPLICATES};
use crate::stats::descriptive::mean;

/// Fewest weeks in a regime for its statistics: fewer, and only the count is reported.
pub const DEFAULT_MIN_WEEKS: usize = 8;

/// The bootstrap seed when the caller sets none: any fixed value makes the report reproducible.
pub const DEFAULT_SEED: u64 = 0x71DE_4E61;

/// Level of the interval on the mean weekly return.
pub const CI_LEVEL: f64 = 0.95;

/// The liquidity regimes, in the order of [`AssetRisk::liquidity`].
pub const LIQUIDITY_REGIMES: [LiquidityRegime; 3] =
    [LiquidityRegime::Expanding, LiquidityRegime::Flat, LiquidityRegime::Contracting];

/// The cycle quadrants, in the order of [`AssetRisk::cycle`].
pub const QUADRANTS: [Quadrant; 4] =
    [Quadrant::Recovery, Quadrant::Overheat, Quadrant::Stagflation, Quadrant::Reflation];

/// Settings of [`risk_by_regime`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskRegimeConfig {
    /// Fewest weeks in a regime for its statistics (default [`DEFAULT_MIN_WEEKS`]).
    pub min_weeks: usize,
    /// Bootstrap replicates of the interval (default [`DEFAULT_REPLICATES`], 1000); 0 gives no
    /// interval.
    pub replicates: usize,
    /// Seed of the bootstrap generator (default [`DEFAULT_SEED`]).
    pub seed: u64,
    /// Bootstrap block length in weeks (default `n^(1/3)` of the regime's sample,
    /// [`default_block_len`]); cut to `1..=n`.
    pub block_len: Option<usize>,
}

impl Default for RiskRegimeConfig {
    fn default() -> RiskRegimeConfig {
        RiskRegimeConfig {
            min_weeks: DEFAULT_MIN_WEEKS,
            replicates: DEFAULT_REPLICATES,
            seed: DEFAULT_SEED,
            block_len: None,
        }
    }
}

/// The sample of [`AssetRisk::all`]: every week with a next-week return, whatever the regimes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllWeeks {
    /// Every week.
    All,
}

/// An asset's figures in one regime (module docs, "Definitions"). Every statistic is `None` when
/// `weeks` is below the minimum, or when it is undefined on the sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegimeRisk<R> {
    /// The regime.
    pub regime: R,
    /// Weeks `t` in the regime with a defined next-week return.
    pub weeks: usize,
    /// Mean weekly log return.
    pub mean_weekly: Option<f64>,
    /// 95% moving-block bootstrap interval of the mean weekly log return.
    pub ci95: Option<[f64; 2]>,
    /// `52 * mean_weekly`: annualised log return.
    pub annualised_return: Option<f64>,
    /// Annualised volatility of the weekly log returns.
    pub annualised_volatility: Option<f64>,
    /// Annualised Sharpe ratio of the weekly log returns over cash (fed funds accrual).
    pub sharpe: Option<f64>,
    /// Deepest drawdown of the regime's weeks compounded in order (0 or negative).
    pub max_drawdown: Option<f64>,
}

/// One asset's risk in every regime.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetRisk {
    /// Tier id.
    pub tier: String,
    /// Tier name.
    pub name: String,
    /// First week `t` with a next-week return (the return is realised a week later).
    pub first_week: Option<Date>,
    /// Last such week.
    pub last_week: Option<Date>,
    /// Every week, whatever the regimes: the baseline.
    pub all: RegimeRisk<AllWeeks>,
    /// Expanding, flat, contracting ([`LIQUIDITY_REGIMES`]), always all three.
    pub liquidity: Vec<RegimeRisk<LiquidityRegime>>,
    /// Recovery, overheat, stagflation, reflation ([`QUADRANTS`]), always all four.
    pub cycle: Vec<RegimeRisk<Quadrant>>,
}

/// Risk by regime for every spectrum asset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiskByRegime {
    /// The last week of the calendar.
    pub as_of: Option<Date>,
    /// The risk-free of the Sharpe ratios: the id of the cash index (`CASH`, fed funds accrual),
    /// or `None` when there is none (every Sharpe ratio is then `None`).
    pub risk_free: Option<String>,
    /// Fewest weeks for a regime's statistics.
    pub min_weeks: usize,
    /// The spectrum's tiers in its order, safe to risky.
    pub assets: Vec<AssetRisk>,
}

/// The log return over the week after each week: element `t` is `ln(p[t+1] / p[t])`, `NaN` when
/// either price is not finite and positive, and for the last week.
pub fn next_week_log_returns(prices: &[f64]) -> Vec<f64> {
    let usable = |p: f64| p.is_finite() && p > 0.0;
    let mut out = vec![f64::NAN; prices.len()];
    for (slot, pair) in out.iter_mut().zip(prices.windows(2)) {
        if usable(pair[0]) && usable(pair[1]) {
            *slot = (pair[1] / pair[0]).ln();
        }
    }
    out
}

/// The figures of one regime (module docs, "Definitions").
///
/// `returns[t]` is the asset's log return over the week after `t` ([`next_week_log_returns`]),
/// `cash[t]` cash's over the same week (`None`: no cash index, no Sharpe ratio), and `regimes[t]`
/// the regime known at `t` (`None` where unknown). The sample is the weeks with
/// `regimes[t] == Some(regime)` and a finite `returns[t]`. Slices of different lengths are read as
/// if cut to the shortest of `returns` and `regimes` (a short `cash` leaves the later weeks
/// without cash).
pub fn regime_risk<R: Copy + PartialEq>(
    returns: &[f64],
    cash: Option<&[f64]>,
    regimes: &[Option<R>],
    regime: R,
    config: &RiskRegimeConfig,
) -> RegimeRisk<R> {
    let weeks: Vec<usize> = returns
        .iter()
        .zip(regimes)
        .enumerate()
        .filter(|(_, (r, g))| r.is_finite() && **g == Some(regime))
        .map(|(t, _)| t)
        .collect();
    figures(regime, returns, cash, &weeks, config)
}

/// The figures of the sample `weeks` (ascending indices with a finite return).
fn figures<R>(
    regime: R,
    returns: &[f64],
    cash: Option<&[f64]>,
    weeks: &[usize],
    config: &RiskRegimeConfig,
) -> RegimeRisk<R> {
    let n = weeks.len();
    let mut risk = RegimeRisk {
        regime,
        weeks: n,
        mean_weekly: None,
        ci95: None,
        annualised_return: None,
        annualised_volatility: None,
        sharpe: None,
        max_drawdown: None,
    };
    if n < config.min_weeks.max(1) {
        return risk;
    }
    let sample: Vec<f64> = weeks.iter().map(|&t| returns[t]).collect();
    risk.mean_weekly = mean(&sample);
    risk.annualised_return = risk.mean_weekly.map(|m| m * WEEKS_PER_YEAR);
    risk.annualised_volatility = annualised_volatility(&sample);
    risk.ci95 = mean_interval(&sample, config);
    let simple: Vec<f64> = sample.iter().map(|r| r.exp_m1()).collect();
    risk.max_drawdown = max_drawdown(&simple);
    risk.sharpe = cash.and_then(|cash| {
        let (asset, cash): (Vec<f64>, Vec<f64>) = weeks
            .iter()
            .filter_map(|&t| cash.get(t).copied().filter(|c| c.is_finite()).map(|c| (returns[t], c)))
            .unzip();
        (asset.len() >= config.min_weeks).then(|| sharpe_ratio(&asset, &cash)).flatten()
    });
    risk
}

/// The bootstrap interval of the mean of `sample` (in calendar order), by prefix sums over runs.
fn mean_interval(sample: &[f64], config: &RiskRegimeConfig) -> Option<[f64; 2]> {
    let n = sample.len();
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for r in sample {
        prefix.push(prefix[prefix.len() - 1] + r);
    }
    let block_len = config.block_len.unwrap_or_else(|| default_block_len(n)).clamp(1, n.max(1));
    block_bootstrap_runs_ci(n, block_len, config.replicates, config.seed, CI_LEVEL, |runs| {
        let sum: f64 = runs.iter().map(|&(start, len)| prefix[start + len] - prefix[start]).sum();
        Some(sum / n as f64)
    })
}

/// One asset's risk in every liquidity regime and cycle quadrant, and over all weeks.
///
/// `prices` are the asset's Friday closes on `calendar` (`NaN` where unknown or stale), `cash` the
/// cash total-return index on the same calendar (`None`: no Sharpe ratios), `regimes` the regimes
/// known at each week (shorter than the calendar: the later weeks' regimes are unknown).
pub fn asset_risk(
    tier: &TierPrices,
    calendar: &Calendar,
    cash: Option<&[f64]>,
    regimes: &[RegimeSnapshot],
    config: &RiskRegimeConfig,
) -> AssetRisk {
    let len = calendar.len();
    let prices: Vec<f64> = (0..len).map(|t| tier.prices.get(t).copied().unwrap_or(f64::NAN)).collect();
    let returns = next_week_log_returns(&prices);
    let cash_returns = cash.map(|c| {
        next_week_log_returns(&(0..len).map(|t| c.get(t).copied().unwrap_or(f64::NAN)).collect::<Vec<_>>())
    });
    let cash_returns = cash_returns.as_deref();
    let liquidity: Vec<Option<LiquidityRegime>> =
        (0..len).map(|t| regimes.get(t).and_then(|s| s.liquidity)).collect();
    let cycle: Vec<Option<Quadrant>> = (0..len).map(|t| regimes.get(t).and_then(|s| s.cycle)).collect();
    let defined: Vec<usize> = (0..len).filter(|&t| returns[t].is_finite()).collect();
    let dates = calendar.dates();
    AssetRisk {
        tier: tier.id.clone(),
        name: tier.name.clone(),
        first_week: defined.first().map(|&t| dates[t]),
        last_week: defined.last().map(|&t| dates[t]),
        all: figures(AllWeeks::All, &returns, cash_returns, &defined, config),
        liquidity: LIQUIDITY_REGIMES
            .iter()
            .map(|&regime| regime_risk(&returns, cash_returns, &liquidity, regime, config))
            .collect(),
        cycle: QUADRANTS
            .iter()
            .map(|&regime| regime_risk(&returns, cash_returns, &cycle, regime, config))
            .collect(),
    }
}

/// Every tier's risk by regime ([`asset_risk`]), with `cash` as the risk-free (`cash_id` names
/// it in the result; `None`: no Sharpe ratios).
pub fn risk_by_regime(
    calendar: &Calendar,
    tiers: &[TierPrices],
    cash: Option<(&str, &[f64])>,
    regimes: &[RegimeSnapshot],
    config: &RiskRegimeConfig,
) -> RiskByRegime {
    let cash_prices = cash.map(|(_, prices)| prices);
    RiskByRegime {
        as_of: calendar.last(),
        risk_free: cash.map(|(id, _)| id.to_string()),
        min_weeks: config.min_weeks,
        assets: tiers.iter().map(|tier| asset_risk(tier, calendar, cash_prices, regimes, config)).collect(),
    }
}

/// The columns of [`RiskByRegime::table`], in order.
pub const TABLE_HEADERS: [&str; 11] = [
    "asset",
    "grouping",
    "regime",
    "weeks",
    "mean_weekly",
    "ci95_lo",
    "ci95_hi",
    "annualised_return",
    "annualised_volatility",
    "sharpe",
    "max_drawdown",
];

/// A regime's row of [`RiskByRegime::table`].
impl<R: Serialize> RegimeRisk<R> {
    /// The regime's name as in the JSON (`expanding`, `stagflation`, `all`): serde's, so the
    /// table, the CSV and the page agree with the report.
    pub fn regime_name(&self) -> String {
        serde_json::to_value(&self.regime)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

fn table_row<R: Serialize>(tier: &str, grouping: &str, risk: &RegimeRisk<R>) -> Vec<String> {
    let number = |v: Option<f64>| v.filter(|v| v.is_finite()).map_or_else(String::new, |v| v.to_string());
    vec![
        tier.to_string(),
        grouping.to_string(),
        risk.regime_name(),
        risk.weeks.to_string(),
        number(risk.mean_weekly),
        number(risk.ci95.map(|[lo, _]| lo)),
        number(risk.ci95.map(|[_, hi]| hi)),
        number(risk.annualised_return),
        number(risk.annualised_volatility),
        number(risk.sharpe),
        number(risk.max_drawdown),
    ]
}

impl RiskByRegime {
    /// The table the page shows and `tideline analyze --csv` writes (`risk_by_regime.csv`): one
    /// row per asset and regime, the assets in spectrum order, for each the liquidity regimes
    /// (grouping `liquidity`, [`LIQUIDITY_REGIMES`]) then the cycle quadrants (grouping
    /// `quadrant`, [`QUADRANTS`]); columns [`TABLE_HEADERS`]. The all-weeks baseline
    /// ([`AssetRisk::all`]) is not a row. An undefined statistic is an empty cell; numbers are
    /// written in the shortest form that reads back as the same `f64`.
    ///
    /// ```
    /// use tideline_core::model::risk_regime::{RiskByRegime, TABLE_HEADERS};
    ///
    /// let empty = RiskByRegime { as_of: None, risk_free: None, min_weeks: 8, assets: vec![] };
    /// assert!(empty.table().is_empty());
    /// assert_eq!(TABLE_HEADERS[..4], ["asset", "grouping", "regime", "weeks"]);
    /// ```
    pub fn table(&self) -> Vec<Vec<String>> {
        let mut rows = Vec::with_capacity(self.assets.len() * (LIQUIDITY_REGIMES.len() + QUADRANTS.len()));
        for asset in &self.assets {
            rows.extend(asset.liquidity.iter().map(|r| table_row(&asset.tier, "liquidity", r)));
            rows.extend(asset.cycle.iter().map(|r| table_row(&asset.tier, "quadrant", r)));
        }
        rows
    }

    /// [`RiskByRegime::table`] as CSV (RFC 4180, [`crate::chart::csv_of_table`]), headed by
    /// [`TABLE_HEADERS`].
    pub fn to_csv(&self) -> String {
        crate::chart::csv_of_table(&TABLE_HEADERS, &self.table())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::bootstrap::SplitMix64;

    /// Tolerance of figures computed in a few exact-ish operations.
    const EXACT: f64 = 1e-12;

    fn calendar(weeks: usize) -> Calendar {
        let first = Date::parse_iso("2001-01-05").expect("a Friday");
        Calendar::fridays(first, first.add_days(7 * weeks as i32 - 1))
    }

    fn prices_from_log_returns(returns: &[f64]) -> Vec<f64> {
        let mut level = 100.0;
        let mut out = vec![level];
        for r in returns {
            level *= r.exp();
            out.push(level);
        }
        out
    }

    fn snapshot(liquidity: Option<LiquidityRegime>, cycle: Option<Quadrant>) -> RegimeSnapshot {
        RegimeSnapshot { cycle, monetary: None, liquidity, risk: None }
    }

    #[test]
    fn next_week_returns_look_forward_and_skip_unknown_prices() {
        let r = next_week_log_returns(&[100.0, 110.0, f64::NAN, 50.0, 0.0, 60.0]);
        assert!((r[0] - (1.1f64).ln()).abs() < EXACT);
        assert!(r[1].is_nan() && r[2].is_nan() && r[3].is_nan() && r[4].is_nan() && r[5].is_nan());
        assert!(next_week_log_returns(&[]).is_empty());
        assert!(next_week_log_returns(&[1.0])[0].is_nan());
    }

    #[test]
    fn too_few_weeks_report_the_count_only() {
        let returns = [0.01; 7];
        let regimes = [Some(1u8); 7];
        let risk = regime_risk(&returns, Some(&[0.0; 7]), &regimes, 1, &RiskRegimeConfig::default());
        assert_eq!(risk.weeks, 7);
        assert_eq!(
            (risk.mean_weekly, risk.ci95, risk.annualised_volatility, risk.sharpe, risk.max_drawdown),
            (None, None, None, None, None)
        );
        // A regime never seen: zero weeks. Mismatched lengths do not panic.
        let none = regime_risk(&returns, None, &regimes[..3], 2, &RiskRegimeConfig::default());
        assert_eq!(none.weeks, 0);
    }

    #[test]
    fn figures_by_hand() {
        // Weeks in the regime: +10%, -20%, +5% (log), repeated 4 times: 12 weeks.
        let cycle = [0.1, -0.2, 0.05];
        let returns: Vec<f64> = (0..12).map(|t| cycle[t % 3]).collect();
        let cash = vec![0.001; 12];
        let regimes = vec![Some(true); 12];
        let risk = regime_risk(&returns, Some(&cash), &regimes, true, &RiskRegimeConfig::default());
        let m = -0.05 / 3.0;
        assert!((risk.mean_weekly.expect("mean") - m).abs() < EXACT);
        assert!((risk.annualised_return.expect("annual") - 52.0 * m).abs() < EXACT);
        let var = returns.iter().map(|r| (r - m).powi(2)).sum::<f64>() / 11.0;
        assert!((risk.annualised_volatility.expect("vol") - (var * 52.0).sqrt()).abs() < EXACT);
        // Cash is constant: the excess has the same spread, its mean 0.001 lower.
        let sharpe = (m - 0.001) / var.sqrt() * 52f64.sqrt();
        assert!((risk.sharpe.expect("sharpe") - sharpe).abs() < 1e-9);
        // Equity: peak exp(0.1) after week 1, then it drifts down by 0.05 every three weeks; the
        // low is after week 11 (the last -0.2): sum of 11 returns = 3*(-0.05) + 0.1 - 0.2 = -0.25.
        let expected = (-0.25f64).exp() / 0.1f64.exp() - 1.0;
        assert!((risk.max_drawdown.expect("drawdown") - expected).abs() < EXACT);
        let [lo, hi] = risk.ci95.expect("interval");
        assert!(lo <= m && m <= hi, "{lo} {m} {hi}");
    }

    #[test]
    fn drawdown_compounds_the_regime_weeks_across_episodes() {
        // Regime A on weeks 0..10 and 20..30; B between. A's weeks: -1% each in the first episode,
        // +1% each in the second; B's weeks fall 5% each, which A's drawdown must not see.
        let returns: Vec<f64> = (0..30)
            .map(|t| match t {
                0..=9 => -0.01,
                10..=19 => -0.05,
                _ => 0.01,
            })
            .collect();
        let regimes: Vec<Option<char>> =
            (0..30).map(|t| Some(if (10..20).contains(&t) { 'B' } else { 'A' })).collect();
        let a = regime_risk(&returns, None, &regimes, 'A', &RiskRegimeConfig::default());
        assert!((a.max_drawdown.expect("dd") - ((-0.1f64).exp() - 1.0)).abs() < EXACT);
        let b = regime_risk(&returns, None, &regimes, 'B', &RiskRegimeConfig::default());
        assert!((b.max_drawdown.expect("dd") - ((-0.5f64).exp() - 1.0)).abs() < EXACT);
    }

    /// The regime at t decides the return from t to t + 1: contracting weeks are followed by a
    /// crash, and the crash week itself is in whatever regime it is (here always expanding, so a
    /// pairing with the same week's return would see the crash in the expanding regime).
    #[test]
    fn the_regime_at_t_pairs_with_the_return_from_t_to_t_plus_1() {
        let weeks = 120;
        let cal = calendar(weeks);
        // Contracting at every fifth week, expanding otherwise.
        let contracting = |t: usize| t.is_multiple_of(5);
        let regimes: Vec<RegimeSnapshot> = (0..weeks)
            .map(|t| {
                let l =
                    if contracting(t) { LiquidityRegime::Contracting } else { LiquidityRegime::Expanding };
                snapshot(Some(l), None)
            })
            .collect();
        // The price falls 10% (log) over the week after a contracting week, rises 1% otherwise.
        let returns: Vec<f64> = (0..weeks - 1).map(|t| if contracting(t) { -0.1 } else { 0.01 }).collect();
        let tier = TierPrices { id: "X".into(), name: "X".into(), prices: prices_from_log_returns(&returns) };
        let risk = asset_risk(&tier, &cal, None, &regimes, &RiskRegimeConfig::default());
        let by = |l: LiquidityRegime| risk.liquidity.iter().find(|r| r.regime == l).expect("row");
        let (expanding, contracting_row) = (by(LiquidityRegime::Expanding), by(LiquidityRegime::Contracting));
        // Weeks 0..=118 have a next-week return; 24 of them (0, 5, ..., 115) are contracting.
        assert_eq!((contracting_row.weeks, expanding.weeks), (24, 95));
        assert!((contracting_row.mean_weekly.expect("mean") + 0.1).abs() < EXACT);
        assert!((expanding.mean_weekly.expect("mean") - 0.01).abs() < EXACT);
        assert_eq!(expanding.max_drawdown, Some(0.0));
        // Off by one (the regime at t with the return into t, `returns[t - 1]`) would give the
        // contracting weeks +1% a week and put every crash in the expanding regime.
        let into: Vec<f64> = (1..weeks).filter(|&t| contracting(t)).map(|t| returns[t - 1]).collect();
        assert!(into.len() == 23 && into.iter().all(|r| (r - 0.01).abs() < EXACT));
        assert_eq!(risk.first_week, cal.dates().first().copied());
        assert_eq!(risk.last_week, Some(cal.dates()[weeks - 2]));
        assert_eq!(risk.all.weeks, weeks - 1);
        // The flat regime never occurs; the cycle is unknown throughout.
        assert_eq!(by(LiquidityRegime::Flat).weeks, 0);
        assert!(risk.cycle.iter().all(|r| r.weeks == 0 && r.mean_weekly.is_none()));
    }

    /// A standard normal draw (Box-Muller).
    fn normal(rng: &mut SplitMix64) -> f64 {
        let u = 1.0 - rng.next_f64();
        let v = rng.next_f64();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Returns whose mean depends on the quadrant known the week before are given back: the means
    /// within a few standard errors, the intervals around the true means, the Sharpe ratio over a
    /// constant cash rate, and the ranking of volatilities.
    #[test]
    fn a_regime_dependent_series_gives_its_dependence_back() {
        let weeks = 1600;
        let cal = calendar(weeks);
        let mut rng = SplitMix64::new(42);
        // Quadrants in runs of 10 to 40 weeks, in a fixed rotation.
        let mut cycle = Vec::with_capacity(weeks);
        let mut q = 0;
        while cycle.len() < weeks {
            let run = 10 + rng.below(31);
            cycle.extend(std::iter::repeat_n(QUADRANTS[q % 4], run));
            q += 1;
        }
        cycle.truncate(weeks);
        let (means, vols) = ([0.004, 0.002, -0.006, 0.0], [0.02, 0.03, 0.05, 0.02]);
        let index = |q: Quadrant| QUADRANTS.iter().position(|x| *x == q).expect("a quadrant");
        let returns: Vec<f64> = (0..weeks - 1)
            .map(|t| {
                let k = index(cycle[t]);
                means[k] + vols[k] * normal(&mut rng)
            })
            .collect();
        let cash_rate = 0.0005;
        let cash: Vec<f64> = (0..weeks).map(|t| (cash_rate * t as f64).exp()).collect();
        let regimes: Vec<RegimeSnapshot> = cycle.iter().map(|q| snapshot(None, Some(*q))).collect();
        let tier = TierPrices { id: "X".into(), name: "X".into(), prices: prices_from_log_returns(&returns) };
        let config = RiskRegimeConfig::default();
        let result =
            risk_by_regime(&cal, std::slice::from_ref(&tier), Some(("CASH", &cash)), &regimes, &config);
        assert_eq!(result.risk_free.as_deref(), Some("CASH"));
        let risk = &result.assets[0];
        for (k, row) in risk.cycle.iter().enumerate() {
            assert_eq!(row.regime, QUADRANTS[k]);
            let n = row.weeks as f64;
            assert!(n > 250.0, "{:?}: {n} weeks", row.regime);
            let m = row.mean_weekly.expect("mean");
            let se = vols[k] / n.sqrt();
            assert!((m - means[k]).abs() < 3.0 * se, "{:?}: {m} against {}", row.regime, means[k]);
            let [lo, hi] = row.ci95.expect("interval");
            assert!(lo < means[k] && means[k] < hi, "{:?}: [{lo}, {hi}] misses {}", row.regime, means[k]);
            // The interval's width is about 2 * 1.96 standard errors.
            assert!((hi - lo) > 2.0 * se && (hi - lo) < 6.0 * se, "{:?}: width {}", row.regime, hi - lo);
            let vol = row.annualised_volatility.expect("vol") / 52f64.sqrt();
            assert!((vol - vols[k]).abs() < 0.1 * vols[k], "{:?}: vol {vol}", row.regime);
            let sharpe = row.sharpe.expect("sharpe");
            let true_sharpe = (means[k] - cash_rate) / vols[k] * 52f64.sqrt();
            assert!((sharpe - true_sharpe).abs() < 3.0 * 52f64.sqrt() / n.sqrt(), "{sharpe} {true_sharpe}");
        }
        // Stagflation is the worst quadrant, Recovery the best; the liquidity regime is unknown.
        let mean_of = |q: Quadrant| risk.cycle[index(q)].mean_weekly.expect("mean");
        assert!(mean_of(Quadrant::Stagflation) < mean_of(Quadrant::Reflation));
        assert!(mean_of(Quadrant::Recovery) > mean_of(Quadrant::Overheat));
        assert!(risk.liquidity.iter().all(|r| r.weeks == 0));
        assert_eq!(risk.all.weeks, weeks - 1);
        // Deterministic: the same seed gives the same figures.
        let again =
            risk_by_regime(&cal, std::slice::from_ref(&tier), Some(("CASH", &cash)), &regimes, &config);
        assert_eq!(again, result);
        // And the document reads back.
        let json = serde_json::to_string(&result).expect("json");
        assert_eq!(serde_json::from_str::<RiskByRegime>(&json).expect("parse"), result);
        let value: serde_json::Value = serde_json::from_str(&json).expect("value");
        assert_eq!(value["assets"][0]["cycle"][2]["regime"], "stagflation");
        assert_eq!(value["assets"][0]["all"]["regime"], "all");
    }

    #[test]
    fn the_table_has_a_row_per_asset_and_regime_with_empty_cells_for_undefined_figures() {
        let weeks = 40;
        let cal = calendar(weeks);
        let returns: Vec<f64> = (0..weeks - 1).map(|t| if t % 2 == 0 { 0.02 } else { -0.01 }).collect();
        let tier = TierPrices {
            id: "X".into(),
            name: "X, the asset".into(),
            prices: prices_from_log_returns(&returns),
        };
        // Expanding throughout; the cycle is known only for five weeks (below the minimum).
        let regimes: Vec<RegimeSnapshot> = (0..weeks)
            .map(|t| snapshot(Some(LiquidityRegime::Expanding), (t < 5).then_some(Quadrant::Overheat)))
            .collect();
        let result = risk_by_regime(&cal, &[tier], None, &regimes, &RiskRegimeConfig::default());
        let rows = result.table();
        assert_eq!(rows.len(), LIQUIDITY_REGIMES.len() + QUADRANTS.len());
        assert!(rows.iter().all(|r| r.len() == TABLE_HEADERS.len() && r[0] == "X"));
        let names: Vec<(&str, &str)> = rows.iter().map(|r| (r[1].as_str(), r[2].as_str())).collect();
        assert_eq!(
            names,
            [
                ("liquidity", "expanding"),
                ("liquidity", "flat"),
                ("liquidity", "contracting"),
                ("quadrant", "recovery"),
                ("quadrant", "overheat"),
                ("quadrant", "stagflation"),
                ("quadrant", "reflation"),
            ]
        );
        let expanding = &rows[0];
        let risk = &result.assets[0].liquidity[0];
        assert_eq!(expanding[3], "39");
        assert_eq!(expanding[4].parse::<f64>().ok(), risk.mean_weekly);
        let [lo, hi] = risk.ci95.expect("interval");
        assert_eq!(
            (expanding[5].parse::<f64>().ok(), expanding[6].parse::<f64>().ok()),
            (Some(lo), Some(hi))
        );
        assert_eq!(expanding[9], "", "no cash, no Sharpe ratio");
        // Five overheat weeks: the count only.
        assert_eq!(rows[4][3], "5");
        assert!(rows[4][4..].iter().all(String::is_empty));
        let csv = result.to_csv();
        assert!(csv.starts_with("asset,grouping,regime,weeks,mean_weekly,ci95_lo,ci95_hi,"));
        assert_eq!(csv.lines().count(), 1 + rows.len());
    }

    #[test]
    fn cash_has_no_sharpe_over_itself_and_no_cash_no_sharpe() {
        let weeks = 30;
        let cal = calendar(weeks);
        let cash: Vec<f64> = (0..weeks).map(|t| 1.0 + 0.001 * t as f64).collect();
        let tier = TierPrices { id: "CASH".into(), name: "Cash".into(), prices: cash.clone() };
        let regimes = vec![snapshot(Some(LiquidityRegime::Flat), Some(Quadrant::Recovery)); weeks];
        let config = RiskRegimeConfig::default();
        let with =
            risk_by_regime(&cal, std::slice::from_ref(&tier), Some(("CASH", &cash)), &regimes, &config);
        let flat = &with.assets[0].liquidity[1];
        assert_eq!(flat.weeks, weeks - 1);
        assert!(flat.mean_weekly.is_some() && flat.sharpe.is_none());
        let without = risk_by_regime(&cal, std::slice::from_ref(&tier), None, &regimes, &config);
        assert_eq!(without.risk_free, None);
        assert!(without.assets[0].all.sharpe.is_none());
        // Empty inputs.
        let empty = risk_by_regime(&calendar(0), &[], None, &[], &config);
        assert!(empty.as_of.is_none() && empty.assets.is_empty());
    }
}
