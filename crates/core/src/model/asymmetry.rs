//! Asymmetry: "follows the decline, not the rise" (MODEL.md section 5), measured with its
//! uncertainty.
//!
//! # What is computed
//!
//! For an asset (default Bitcoin) against a benchmark (default the Nasdaq-100), on daily or weekly
//! log returns:
//!
//! - the up and down betas, the asymmetry `down_beta - up_beta`, the capture ratios and the
//!   conditional correlations of the full sample ([`up_down_betas`]: moments inside each subset,
//!   zero benchmark returns in neither);
//! - a 95% circular moving-block bootstrap interval of the asymmetry and the [`Verdict`] read from
//!   it: "follows the decline more than the rise" only when the whole interval is above 0;
//! - rolling one-year up beta, down beta, asymmetry and decoupling ([`Rolling`]);
//! - decoupling: the share of the benchmark's down periods on which the asset rose, over the full
//!   sample and the current one-year value's percentile against its own rolling history
//!   ([`Decoupling`]).
//!
//! # Returns on the benchmark's calendar
//!
//! Daily returns are taken on the benchmark's trading days ([`on_benchmark_calendar`]): on each
//! date where the benchmark has an observation the asset's price is its last observation at or
//! before that date, so a weekend crypto move lands in Monday's return instead of vanishing.
//! Weekly returns use Friday closes ([`friday_closes`]). The inputs are already cut at the as-of
//! date by the caller, so nothing here can look ahead.
//!
//! # Choices where the specification is silent
//!
//! - **Rolling windows** hold one year of returns (252 daily, 52 weekly) and are anchored at the
//!   last return: the newest window always ends on the last date, earlier ones every `step`
//!   returns before it (5 daily, 1 weekly by default). Each point is dated by its window's last
//!   return. A window whose betas are undefined (fewer than two up or down periods) is `None`.
//! - **Block length** of the bootstrap: [`default_block_len`] (`n^(1/3)`, 14 for eleven years of
//!   daily returns); for weekly returns at least [`WEEKLY_MIN_BLOCK_LEN`] (4 weeks), because a
//!   month of dependence (volatility clusters, slow drifts) is the least a weekly block should keep
//!   and the cube root of 500 weeks, 8, would otherwise fall to 3 on short samples.
//! - **Verdict tolerance**: an interval end within [`ZERO_TOLERANCE`] of 0 counts as touching 0.
//!   An asset that is an exact multiple of the benchmark has an asymmetry of 0 up to rounding
//!   (about `1e-13`), and rounding must not produce a verdict.
//! - **Percentile** of the current decoupling: `#{v <= current} / #values` over the defined rolling
//!   values including the current one (the convention of [`crate::transform::PercentileRank`]), so
//!   1.0 means "as decoupled as it has ever been over these windows".
//!
//! # Cost
//!
//! The bootstrap dominates: `replicates` resamples of `n` periods. The statistic is evaluated by
//! an allocation-free kernel on prefix sums of the centred moments of each side: a resample made
//! of blocks costs one subtraction of prefix sums per run of consecutive periods, and a whole
//! block that does not wrap one read of its precomputed sums, not one update per period. It
//! computes exactly the statistic of [`crate::stats::conditional::asymmetry_at`] (checked by a
//! unit test to `1e-9`) on any index slice, blocks or not. Measured natively with the bench
//! profile on eleven years of daily Bitcoin against the Nasdaq-100 (about 2,600 returns, 1000
//! replicates, blocks of 14): about 1.5 to 2 ms for the whole daily asymmetry, of which about
//! half is [`block_bootstrap_runs_ci`] drawing the block starts (one SplitMix64 draw each) and
//! most of the rest the kernel's reads.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::align::{friday_closes, on_benchmark_calendar};
use crate::date::Date;
use crate::series::Series;
#[cfg(test)]
use crate::stats::bootstrap::block_bootstrap_ci;
use crate::stats::bootstrap::{block_bootstrap_runs_ci, default_block_len, DEFAULT_REPLICATES};
use crate::stats::conditional::{decoupling_share, up_down_betas};
use crate::transform::{LogReturn, Transform};

/// Confidence level of the asymmetry interval (MODEL.md 5: 95%).
pub const CI_LEVEL: f64 = 0.95;

/// The bootstrap seed when the caller sets none: any fixed value makes the report reproducible.
pub const DEFAULT_SEED: u64 = 0x71DE_11E5;

/// The shortest bootstrap block for weekly returns, in weeks (see the module docs).
pub const WEEKLY_MIN_BLOCK_LEN: usize = 4;

/// An interval end within this distance of 0 counts as touching 0 in the [`Verdict`]: rounding in
/// the betas of an exact multiple of the benchmark is about `1e-13`, and no asymmetry worth a
/// verdict is below `1e-9`.
pub const ZERO_TOLERANCE: f64 = 1e-9;

/// Below this share of `sum(dx²)`, a resample's centred `sxx` is treated as zero (a subset whose
/// benchmark returns are all equal): the prefix-sum kernel cannot tell an exact zero from rounding.
const SPREAD_FLOOR: f64 = 1e-12;

/// The sampling of the returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReturnFrequency {
    /// Returns between consecutive benchmark trading days.
    Daily,
    /// Returns between consecutive Friday closes.
    Weekly,
}

impl ReturnFrequency {
    /// Returns in one year: 252 trading days or 52 weeks (the rolling window).
    pub fn periods_per_year(self) -> usize {
        match self {
            ReturnFrequency::Daily => 252,
            ReturnFrequency::Weekly => 52,
        }
    }

    /// The default distance between rolling windows, in returns: 5 daily (weekly points keep the
    /// series light and fast), 1 weekly.
    pub fn default_rolling_step(self) -> usize {
        match self {
            ReturnFrequency::Daily => 5,
            ReturnFrequency::Weekly => 1,
        }
    }

    /// The default bootstrap block length for `n` returns.
    ///
    /// # Formula
    ///
    /// Daily: [`default_block_len`]`(n)`; weekly: `min(max(default_block_len(n), 4), n)`.
    pub fn default_block_len(self, n: usize) -> usize {
        match self {
            ReturnFrequency::Daily => default_block_len(n),
            ReturnFrequency::Weekly => default_block_len(n).max(WEEKLY_MIN_BLOCK_LEN).min(n.max(1)),
        }
    }

    /// `"daily"` or `"weekly"`, as in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnFrequency::Daily => "daily",
            ReturnFrequency::Weekly => "weekly",
        }
    }
}

impl fmt::Display for ReturnFrequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Settings of [`asymmetry`]. Every `None` takes the frequency's default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AsymmetryConfig {
    /// Seed of the bootstrap generator: the same seed gives the same interval.
    pub seed: u64,
    /// Bootstrap replicates (default [`DEFAULT_REPLICATES`], 1000); 0 gives no interval.
    pub replicates: usize,
    /// Bootstrap block length in returns (default [`ReturnFrequency::default_block_len`]); cut to
    /// `1..=n`.
    pub block_len: Option<usize>,
    /// Rolling window in returns (default one year, [`ReturnFrequency::periods_per_year`]).
    pub rolling_window: Option<usize>,
    /// Distance between rolling windows in returns (default
    /// [`ReturnFrequency::default_rolling_step`]); 0 counts as 1.
    pub rolling_step: Option<usize>,
}

impl Default for AsymmetryConfig {
    fn default() -> AsymmetryConfig {
        AsymmetryConfig {
            seed: DEFAULT_SEED,
            replicates: DEFAULT_REPLICATES,
            block_len: None,
            rolling_window: None,
            rolling_step: None,
        }
    }
}

/// What the asymmetry interval says, in the words the report shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// The whole interval is above 0: the asset follows the benchmark's falls more than its rises.
    #[serde(rename = "follows the decline more than the rise")]
    FollowsDecline,
    /// The whole interval is below 0.
    #[serde(rename = "follows the rise more than the decline")]
    FollowsRise,
    /// The interval contains 0 (or is undefined).
    #[serde(rename = "no significant asymmetry")]
    NoSignificantAsymmetry,
}

impl Verdict {
    /// The verdict of an asymmetry interval `[lo, hi]`; an undefined interval proves nothing.
    ///
    /// # Formula
    ///
    /// `FollowsDecline` when `lo > ZERO_TOLERANCE`, `FollowsRise` when `hi < -ZERO_TOLERANCE`,
    /// otherwise `NoSignificantAsymmetry`.
    pub fn from_interval(ci95: Option<[f64; 2]>) -> Verdict {
        match ci95 {
            Some([lo, _]) if lo > ZERO_TOLERANCE => Verdict::FollowsDecline,
            Some([_, hi]) if hi < -ZERO_TOLERANCE => Verdict::FollowsRise,
            _ => Verdict::NoSignificantAsymmetry,
        }
    }

    /// The sentence shown, identical to the serialised value.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::FollowsDecline => "follows the decline more than the rise",
            Verdict::FollowsRise => "follows the rise more than the decline",
            Verdict::NoSignificantAsymmetry => "no significant asymmetry",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Log returns of an asset and its benchmark on the benchmark's calendar (daily) or on Fridays
/// (weekly), complete periods only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PairedReturns {
    /// The date each return period ends on, ascending.
    pub dates: Vec<Date>,
    /// The asset's log return over each period.
    pub asset: Vec<f64>,
    /// The benchmark's log return over each period.
    pub bench: Vec<f64>,
    /// The date of the price the first return starts from.
    pub first_price: Option<Date>,
    /// The date of the asset observation behind the last price (before a holiday Friday, say, the
    /// Thursday).
    pub asset_last_observation: Option<Date>,
    /// The date of the benchmark observation behind the last price.
    pub bench_last_observation: Option<Date>,
}

impl PairedReturns {
    /// Number of return periods.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when there is no return period.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }
}

/// One-period log returns of a price slice (NaN in the first slot and where a price is not
/// positive).
pub(crate) fn log_returns(prices: &[f64]) -> Vec<f64> {
    // `LogReturn::new(1)` only fails for a zero period; the fallback keeps the data path panic-free.
    LogReturn::new(1).map_or_else(|_| vec![f64::NAN; prices.len()], |t| t.apply(prices))
}

/// The asset's and the benchmark's log returns on the benchmark's calendar (MODEL.md 5).
///
/// Daily: consecutive benchmark trading days, the asset's price being its last observation at or
/// before each (a weekend move lands in Monday's return). Weekly: consecutive Fridays, each
/// series' last observation at or before the Friday. A period is kept only when both returns are
/// defined (both prices positive).
///
/// # Formula
///
/// `r_t = ln(P_t / P_{t-1})` for consecutive calendar dates `t - 1`, `t`.
pub fn paired_log_returns(asset: &Series, bench: &Series, frequency: ReturnFrequency) -> PairedReturns {
    let paired = match frequency {
        ReturnFrequency::Daily => on_benchmark_calendar(bench, asset),
        ReturnFrequency::Weekly => friday_closes(bench, asset),
    };
    let asset_returns = log_returns(&paired.asset);
    let bench_returns = log_returns(&paired.bench);
    let mut out = PairedReturns::default();
    for (i, (a, m)) in asset_returns.iter().zip(&bench_returns).enumerate() {
        if !(a.is_finite() && m.is_finite()) {
            continue;
        }
        let (Some(date), Some(start)) =
            (paired.dates.get(i), i.checked_sub(1).and_then(|s| paired.dates.get(s)))
        else {
            continue;
        };
        if out.first_price.is_none() {
            out.first_price = Some(*start);
        }
        out.dates.push(*date);
        out.asset.push(*a);
        out.bench.push(*m);
        out.asset_last_observation = paired.asset_dates.get(i).copied();
        out.bench_last_observation = paired.bench_dates.get(i).copied();
    }
    out
}

/// Rolling one-year figures, one point per window, all columns parallel to `dates`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rolling {
    /// Returns per window.
    pub window: usize,
    /// Returns between consecutive windows.
    pub step: usize,
    /// The last return date of each window, ascending; the last one is the sample's last date.
    pub dates: Vec<Date>,
    /// Up beta inside each window (`None` where undefined).
    pub up_beta: Vec<Option<f64>>,
    /// Down beta inside each window.
    pub down_beta: Vec<Option<f64>>,
    /// `down_beta - up_beta` inside each window.
    pub asymmetry: Vec<Option<f64>>,
    /// Decoupling share inside each window (see [`Decoupling`]).
    pub decoupling: Vec<Option<f64>>,
}

/// Decoupling: how often the asset rose while the benchmark fell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Decoupling {
    /// Full-sample share of the benchmark's down periods on which the asset rose (`None` without a
    /// down period).
    pub share: Option<f64>,
    /// Benchmark down periods in the full sample.
    pub n_down: usize,
    /// Of those, the periods on which the asset rose.
    pub n_rose: usize,
    /// The newest rolling one-year share ([`Rolling::decoupling`]'s last value).
    pub current: Option<f64>,
    /// The current share's percentile against the rolling history, in `[0, 1]`.
    ///
    /// # Formula
    ///
    /// `#{v in history : v <= current} / #history`, over the defined rolling values.
    pub current_percentile: Option<f64>,
}

/// The asymmetry of one asset against one benchmark at one frequency (MODEL.md 5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AsymmetryResult {
    /// The asset's id.
    pub asset: String,
    /// The benchmark's id.
    pub benchmark: String,
    /// `"daily"` or `"weekly"`.
    pub frequency: ReturnFrequency,
    /// The date of the first price used (the start of the first return).
    pub first: Date,
    /// The date of the last price used (the end of the last return).
    pub last: Date,
    /// The asset observation behind the last price.
    pub asset_last_observation: Option<Date>,
    /// The benchmark observation behind the last price.
    pub benchmark_last_observation: Option<Date>,
    /// Return periods used.
    pub n: usize,
    /// `cov(a, m | m > 0) / var(m | m > 0)`.
    pub up_beta: f64,
    /// `cov(a, m | m < 0) / var(m | m < 0)`.
    pub down_beta: f64,
    /// `down_beta - up_beta`.
    pub asymmetry: f64,
    /// 95% moving-block bootstrap interval `[lo, hi]` of the asymmetry (`None` when the statistic
    /// is undefined on half the resamples or more, or `replicates` is 0).
    pub ci95: Option<[f64; 2]>,
    /// The bootstrap block length used, in returns.
    pub block_len: usize,
    /// Bootstrap replicates drawn.
    pub replicates: usize,
    /// The bootstrap seed.
    pub seed: u64,
    /// `mean(a | m > 0) / mean(m | m > 0)`.
    pub up_capture: f64,
    /// `mean(a | m < 0) / mean(m | m < 0)`.
    pub down_capture: f64,
    /// `corr(a, m | m > 0)`.
    pub up_correlation: Option<f64>,
    /// `corr(a, m | m < 0)`.
    pub down_correlation: Option<f64>,
    /// Periods with a rising benchmark.
    pub n_up: usize,
    /// Periods with a falling benchmark.
    pub n_down: usize,
    /// What the interval says.
    pub verdict: Verdict,
    /// Rolling one-year betas, asymmetry and decoupling.
    pub rolling: Rolling,
    /// The paired returns the betas are fitted on, `(date, benchmark return, asset return)` in
    /// log units, ascending (the scatter of the page; the lean report keeps them for weekly
    /// returns only).
    pub points: Vec<(Date, f64, f64)>,
    /// Full-sample and current decoupling.
    pub decoupling: Decoupling,
}

/// Asymmetry of `asset` against `bench` (MODEL.md 5); see the module docs.
///
/// `None` when the full-sample up or down beta is undefined: fewer than two up or two down periods,
/// or a benchmark without spread inside a subset. Never panics, whatever the configuration.
///
/// # Formula
///
/// With `U = {t : m_t > 0}`, `D = {t : m_t < 0}` and moments inside each subset:
/// `beta_U = cov_U(a, m) / var_U(m)`, `beta_D` likewise, `asymmetry = beta_D - beta_U`; the
/// interval is the 2.5% and 97.5% percentiles of the asymmetry over circular moving-block
/// resamples.
///
/// # Example
///
/// ```
/// use tideline_core::model::asymmetry::{asymmetry, AsymmetryConfig, ReturnFrequency, Verdict};
/// use tideline_core::{Date, Series};
///
/// // Twelve Fridays; the asset's price is the benchmark's squared: beta 2 both ways.
/// let fridays: Vec<Date> = (0..12).map(|k| Date::parse_iso("2024-01-05").unwrap().add_days(7 * k)).collect();
/// let bench: Vec<f64> = [100., 102., 99., 103., 101., 104., 100., 98., 101., 97., 99., 102.].to_vec();
/// let asset: Vec<f64> = bench.iter().map(|p| p * p).collect();
/// let bench = Series::new("NASDAQ100", fridays.clone(), bench).unwrap();
/// let asset = Series::new("CBBTCUSD", fridays, asset).unwrap();
/// let config = AsymmetryConfig { replicates: 200, ..AsymmetryConfig::default() };
/// let result = asymmetry("CBBTCUSD", &asset, "NASDAQ100", &bench, ReturnFrequency::Weekly, &config).unwrap();
/// assert!((result.up_beta - 2.0).abs() < 1e-9 && (result.down_beta - 2.0).abs() < 1e-9);
/// assert_eq!(result.verdict, Verdict::NoSignificantAsymmetry);
/// ```
pub fn asymmetry(
    asset_id: &str,
    asset: &Series,
    bench_id: &str,
    bench: &Series,
    frequency: ReturnFrequency,
    config: &AsymmetryConfig,
) -> Option<AsymmetryResult> {
    let returns = paired_log_returns(asset, bench, frequency);
    let full = up_down_betas(&returns.asset, &returns.bench)?;
    let n = returns.len();
    let block_len = config.block_len.unwrap_or_else(|| frequency.default_block_len(n)).clamp(1, n.max(1));
    let kernel = AsymmetryKernel::new(&returns.asset, &returns.bench).map(|k| k.with_blocks(block_len));
    let ci95 = kernel.as_ref().and_then(|kernel| {
        block_bootstrap_runs_ci(n, block_len, config.replicates, config.seed, CI_LEVEL, |runs| {
            kernel.asymmetry_of_runs(runs)
        })
    });
    let window = config.rolling_window.unwrap_or_else(|| frequency.periods_per_year());
    let step = config.rolling_step.unwrap_or_else(|| frequency.default_rolling_step()).max(1);
    let rolling = rolling(&returns, kernel.as_ref(), window, step);
    let (n_rose, n_down) = returns
        .bench
        .iter()
        .zip(&returns.asset)
        .filter(|(m, _)| **m < 0.0)
        .fold((0, 0), |(rose, down), (_, a)| (rose + usize::from(*a > 0.0), down + 1));
    let current = rolling.decoupling.last().copied().flatten();
    let decoupling = Decoupling {
        share: decoupling_share(&returns.asset, &returns.bench),
        n_down,
        n_rose,
        current,
        current_percentile: current.and_then(|c| percentile_in(&rolling.decoupling, c)),
    };
    Some(AsymmetryResult {
        asset: asset_id.to_string(),
        benchmark: bench_id.to_string(),
        frequency,
        first: returns.first_price?,
        last: *returns.dates.last()?,
        asset_last_observation: returns.asset_last_observation,
        benchmark_last_observation: returns.bench_last_observation,
        n,
        up_beta: full.up_beta,
        down_beta: full.down_beta,
        asymmetry: full.asymmetry,
        ci95,
        block_len,
        replicates: config.replicates,
        seed: config.seed,
        up_capture: full.up_capture,
        down_capture: full.down_capture,
        up_correlation: full.up_correlation,
        down_correlation: full.down_correlation,
        n_up: full.n_up,
        n_down: full.n_down,
        verdict: Verdict::from_interval(ci95),
        rolling,
        decoupling,
        points: returns
            .dates
            .iter()
            .zip(&returns.bench)
            .zip(&returns.asset)
            .map(|((d, m), a)| (*d, *m, *a))
            .collect(),
    })
}

/// The last index of every rolling window of `window` slots over `len` slots, ascending, anchored
/// at the end: `len - 1`, `len - 1 - step`, ... down to `window - 1`. Empty when `window` is 0 or
/// longer than `len`; a `step` of 0 counts as 1.
pub(crate) fn window_ends(len: usize, window: usize, step: usize) -> Vec<usize> {
    if window == 0 || window > len {
        return Vec::new();
    }
    let mut ends: Vec<usize> = (window - 1..len).rev().step_by(step.max(1)).collect();
    ends.reverse();
    ends
}

/// Rolling up/down betas and decoupling on windows of `window` returns every `step`.
fn rolling(returns: &PairedReturns, kernel: Option<&AsymmetryKernel>, window: usize, step: usize) -> Rolling {
    let mut out = Rolling { window, step, ..Rolling::default() };
    // Prefix counts of benchmark-down periods and of those on which the asset rose (decoupling).
    let mut down_prefix = Vec::with_capacity(returns.len() + 1);
    let (mut down, mut rose) = (0usize, 0usize);
    down_prefix.push((0, 0));
    for (m, a) in returns.bench.iter().zip(&returns.asset) {
        if m.is_finite() && a.is_finite() && *m < 0.0 {
            down += 1;
            rose += usize::from(*a > 0.0);
        }
        down_prefix.push((down, rose));
    }
    for end in window_ends(returns.len(), window, step) {
        let start = end + 1 - window;
        let Some(date) = returns.dates.get(end) else { continue };
        // Window sums in O(1): the same betas as `up_down_betas` on the window's slices.
        let betas =
            kernel.and_then(|k| Some((k.beta_in(true, start, end + 1)?, k.beta_in(false, start, end + 1)?)));
        out.dates.push(*date);
        out.up_beta.push(betas.map(|b| b.0));
        out.down_beta.push(betas.map(|b| b.1));
        out.asymmetry.push(betas.map(|b| b.1 - b.0).filter(|a| a.is_finite()));
        let decoupling = match (down_prefix.get(end + 1), down_prefix.get(start)) {
            (Some(hi), Some(lo)) if hi.0 > lo.0 => Some((hi.1 - lo.1) as f64 / (hi.0 - lo.0) as f64),
            _ => None,
        };
        out.decoupling.push(decoupling);
    }
    out
}

/// `#{v <= value} / #v` over the defined values; `None` when there is none.
fn percentile_in(values: &[Option<f64>], value: f64) -> Option<f64> {
    let (at_or_below, total) = values
        .iter()
        .flatten()
        .fold((0usize, 0usize), |(below, total), v| (below + usize::from(*v <= value), total + 1));
    (total > 0).then(|| at_or_below as f64 / total as f64)
}

/// Prefix sums of the centred moments of each side, `[count, dx, dy, dx², dx dy]`, with `dx`, `dy`
/// the deviations of the benchmark's and the asset's returns from the full-sample means of their
/// side. The sums over any run of consecutive periods are one subtraction away, so a block
/// resample costs one step per block. Centring on the side's full-sample means keeps the
/// corrected one-pass formulas accurate (the same arithmetic as the two-pass moments of
/// [`crate::stats::conditional`], with the first pass done once). Both sides sit in one entry per
/// period, up first, so a run costs two memory reads.
///
/// With [`AsymmetryKernel::with_blocks`] it also holds the sums over every full bootstrap block
/// that does not wrap, `prefix[s + block_len] - prefix[s]`, so that such a block (all of a
/// resample's blocks but the last and the wrapping ones) costs one read instead of two. The
/// difference is the one [`AsymmetryKernel::add_run`] would take, so the sums are bit-identical.
struct AsymmetryKernel {
    /// `prefix[i]` = the up side's sums then the down side's over the periods before `i`.
    prefix: Vec<[f64; 10]>,
    /// The block length `blocks` is built for (0: none).
    block_len: usize,
    /// `blocks[s]` = the sums over `s..s + block_len`, for `s + block_len <= n`.
    blocks: Vec<[f64; 10]>,
}

impl AsymmetryKernel {
    /// `None` when the lengths differ or a side has no complete period.
    fn new(asset: &[f64], bench: &[f64]) -> Option<AsymmetryKernel> {
        if asset.len() != bench.len() {
            return None;
        }
        let side_of = |m: f64, a: f64| {
            if !(m.is_finite() && a.is_finite()) {
                None
            } else if m > 0.0 {
                Some(0)
            } else if m < 0.0 {
                Some(1)
            } else {
                None
            }
        };
        let mut count = [0usize; 2];
        let mut sums = [(0.0, 0.0); 2];
        for (m, a) in bench.iter().zip(asset) {
            if let Some(s) = side_of(*m, *a) {
                count[s] += 1;
                sums[s].0 += m;
                sums[s].1 += a;
            }
        }
        if count.contains(&0) {
            return None;
        }
        let centre = [0, 1].map(|s| (sums[s].0 / count[s] as f64, sums[s].1 / count[s] as f64));
        let mut prefix = Vec::with_capacity(bench.len() + 1);
        let mut running = [0.0; 10];
        prefix.push(running);
        for (m, a) in bench.iter().zip(asset) {
            if let Some(s) = side_of(*m, *a) {
                let (dx, dy) = (m - centre[s].0, a - centre[s].1);
                let r = &mut running[5 * s..5 * s + 5];
                r[0] += 1.0;
                r[1] += dx;
                r[2] += dy;
                r[3] += dx * dx;
                r[4] += dx * dy;
            }
            prefix.push(running);
        }
        Some(AsymmetryKernel { prefix, block_len: 0, blocks: Vec::new() })
    }

    /// The kernel with the sums over every non-wrapping block of `block_len` periods (see the
    /// struct docs); `block_len` 0 builds none.
    fn with_blocks(mut self, block_len: usize) -> AsymmetryKernel {
        if block_len > 0 {
            let ends = self.prefix.iter().skip(block_len);
            self.blocks =
                self.prefix.iter().zip(ends).map(|(lo, hi)| std::array::from_fn(|k| hi[k] - lo[k])).collect();
            self.block_len = block_len;
        }
        self
    }

    /// `acc += sums`, written out for the reason given in [`AsymmetryKernel::add_run`].
    #[inline]
    fn add_sums(acc: &mut [f64; 10], sums: &[f64; 10]) {
        acc[0] += sums[0];
        acc[1] += sums[1];
        acc[2] += sums[2];
        acc[3] += sums[3];
        acc[4] += sums[4];
        acc[5] += sums[5];
        acc[6] += sums[6];
        acc[7] += sums[7];
        acc[8] += sums[8];
        acc[9] += sums[9];
    }

    /// Adds the sums over the periods `start..end` to `acc`; `false` when out of range.
    #[inline]
    fn add_run(&self, acc: &mut [f64; 10], start: usize, end: usize) -> bool {
        let (Some(hi), Some(lo)) = (self.prefix.get(end), self.prefix.get(start)) else {
            return false;
        };
        // Written out: this is the bootstrap's inner step, and the size-optimised profile the
        // browser runs does not unroll loops (an unrolled step keeps the sums in registers).
        acc[0] += hi[0] - lo[0];
        acc[1] += hi[1] - lo[1];
        acc[2] += hi[2] - lo[2];
        acc[3] += hi[3] - lo[3];
        acc[4] += hi[4] - lo[4];
        acc[5] += hi[5] - lo[5];
        acc[6] += hi[6] - lo[6];
        acc[7] += hi[7] - lo[7];
        acc[8] += hi[8] - lo[8];
        acc[9] += hi[9] - lo[9];
        true
    }

    /// The asymmetry from summed sides: `beta_down - beta_up`.
    fn asymmetry_of_sums(acc: &[f64; 10]) -> Option<f64> {
        let (up, down) = acc.split_at(5);
        let asymmetry = beta_of(down.try_into().ok()?)? - beta_of(up.try_into().ok()?)?;
        asymmetry.is_finite().then_some(asymmetry)
    }

    /// The asymmetry on the periods listed in `indices` (repeats allowed, out-of-range indices
    /// ignored): [`crate::stats::conditional::asymmetry_at`]'s statistic. No allocation.
    #[cfg(test)]
    fn asymmetry_at(&self, indices: &[usize]) -> Option<f64> {
        let n = self.prefix.len().saturating_sub(1);
        let mut acc = [0.0; 10];
        let mut j = 0;
        while j < indices.len() {
            let start = indices[j];
            j += 1;
            if start >= n {
                continue;
            }
            let mut end = start + 1;
            while end < n && indices.get(j) == Some(&end) {
                end += 1;
                j += 1;
            }
            // start < end <= n, and the prefix has n + 1 entries.
            if !self.add_run(&mut acc, start, end) {
                return None;
            }
        }
        AsymmetryKernel::asymmetry_of_sums(&acc)
    }
}

impl AsymmetryKernel {
    /// The up (`true`) or down beta over the periods `start..end`.
    fn beta_in(&self, up: bool, start: usize, end: usize) -> Option<f64> {
        let side = if up { 0 } else { 5 };
        let (hi, lo) = (self.prefix.get(end)?, self.prefix.get(start)?);
        beta_of(&std::array::from_fn(|k| hi[side + k] - lo[side + k]))
    }

    /// The asymmetry on a resample given as runs `(start, len)` of consecutive periods: one
    /// subtraction of prefix sums per run. Runs past the end are ignored.
    fn asymmetry_of_runs(&self, runs: &[(usize, usize)]) -> Option<f64> {
        let mut acc = [0.0; 10];
        for &(start, len) in runs {
            if len == self.block_len {
                if let Some(sums) = self.blocks.get(start) {
                    AsymmetryKernel::add_sums(&mut acc, sums);
                    continue;
                }
            }
            self.add_run(&mut acc, start, start.saturating_add(len));
        }
        AsymmetryKernel::asymmetry_of_sums(&acc)
    }
}

/// The beta from summed `[count, dx, dy, dx², dx dy]`; `None` below two periods or without spread.
fn beta_of(sums: &[f64; 5]) -> Option<f64> {
    let [count, sx, sy, sxx_raw, sxy_raw] = *sums;
    if count < 2.0 {
        return None;
    }
    let sxx = sxx_raw - sx * sx / count;
    let sxy = sxy_raw - sx * sy / count;
    // Written so that a NaN spread also falls through to `None`.
    if sxx > SPREAD_FLOOR * sxx_raw {
        let beta = sxy / sxx;
        beta.is_finite().then_some(beta)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::bootstrap::SplitMix64;
    use crate::stats::conditional::{asymmetry_at, asymmetry_interval};

    /// Kernel versus the reference statistic: both go through different but exact-in-theory sums.
    const KERNEL_TOLERANCE: f64 = 1e-9;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("test date")
    }

    /// Returns with an asymmetric response and noise, including zero-benchmark periods.
    fn noisy(seed: u64, n: usize) -> (Vec<f64>, Vec<f64>) {
        let mut rng = SplitMix64::new(seed);
        let bench: Vec<f64> =
            (0..n).map(|i| if i.is_multiple_of(17) { 0.0 } else { 0.02 * (rng.next_f64() - 0.5) }).collect();
        let asset = bench
            .iter()
            .map(|m| if *m < 0.0 { 1.8 * m } else { 0.9 * m } + 0.01 * (rng.next_f64() - 0.5))
            .collect();
        (asset, bench)
    }

    #[test]
    fn kernel_matches_the_reference_statistic_on_any_indices() {
        let (asset, bench) = noisy(1, 400);
        let kernel = AsymmetryKernel::new(&asset, &bench).expect("both sides present");
        let mut rng = SplitMix64::new(2);
        for round in 0..200usize {
            let len = 5 + rng.below(600);
            let indices: Vec<usize> = if round.is_multiple_of(2) {
                // Scattered, with repeats and out-of-range entries.
                (0..len).map(|_| rng.below(450)).collect()
            } else {
                // Circular blocks, as the bootstrap draws them.
                let block = 1 + rng.below(20);
                let mut v = Vec::new();
                while v.len() < len {
                    let start = rng.below(400);
                    v.extend((start..start + block).map(|i| i % 400));
                }
                v
            };
            match (kernel.asymmetry_at(&indices), asymmetry_at(&asset, &bench, &indices)) {
                (Some(a), Some(b)) => assert!((a - b).abs() < KERNEL_TOLERANCE, "{a} vs {b}"),
                (a, b) => assert_eq!(a, b, "round {round}"),
            }
        }
        let all: Vec<usize> = (0..400).collect();
        let full = up_down_betas(&asset, &bench).expect("defined").asymmetry;
        assert!((kernel.asymmetry_at(&all).expect("defined") - full).abs() < KERNEL_TOLERANCE);
        assert_eq!(kernel.asymmetry_at(&[]), None);
        assert_eq!(kernel.asymmetry_at(&[1000, 2000]), None);
    }

    #[test]
    fn block_sums_give_bit_identical_resamples() {
        let (asset, bench) = noisy(4, 500);
        let plain = AsymmetryKernel::new(&asset, &bench).expect("both sides present");
        for block in [1, 7, 13, 500] {
            let fast = AsymmetryKernel::new(&asset, &bench).expect("both sides present").with_blocks(block);
            let mut compared = 0;
            let ci = block_bootstrap_runs_ci(500, block, 200, 5, CI_LEVEL, |runs| {
                let value = fast.asymmetry_of_runs(runs);
                assert_eq!(value.map(f64::to_bits), plain.asymmetry_of_runs(runs).map(f64::to_bits));
                compared += 1;
                value
            });
            assert!(ci.is_some() && compared == 200);
        }
    }

    #[test]
    fn kernel_interval_matches_the_reference_interval() {
        let (asset, bench) = noisy(3, 600);
        let kernel = AsymmetryKernel::new(&asset, &bench).expect("both sides present");
        let ours =
            block_bootstrap_ci(600, 8, 300, 11, CI_LEVEL, |idx| kernel.asymmetry_at(idx)).expect("defined");
        let reference = asymmetry_interval(&asset, &bench, 8, 300, 11, CI_LEVEL).expect("defined");
        assert!((ours[0] - reference[0]).abs() < KERNEL_TOLERANCE);
        assert!((ours[1] - reference[1]).abs() < KERNEL_TOLERANCE);
    }

    #[test]
    fn kernel_sees_no_spread_where_the_benchmark_is_constant() {
        // Up periods all +1%: no spread, beta undefined (the reference agrees).
        let bench = [0.01, 0.01, 0.01, -0.01, -0.02, -0.03];
        let asset = [0.02, 0.01, 0.03, -0.01, -0.02, -0.03];
        let kernel = AsymmetryKernel::new(&asset, &bench).expect("both sides present");
        let all = [0, 1, 2, 3, 4, 5];
        assert_eq!(kernel.asymmetry_at(&all), None);
        assert_eq!(asymmetry_at(&asset, &bench, &all), None);
        assert!(AsymmetryKernel::new(&[0.1, 0.2], &[0.1, 0.2]).is_none());
        assert!(AsymmetryKernel::new(&[0.1], &[0.1, 0.2]).is_none());
    }

    #[test]
    fn windows_are_anchored_at_the_end() {
        assert_eq!(window_ends(10, 4, 3), vec![3, 6, 9]);
        assert_eq!(window_ends(10, 4, 4), vec![5, 9]);
        assert_eq!(window_ends(10, 10, 1), vec![9]);
        assert_eq!(window_ends(10, 4, 0), (3..10).collect::<Vec<_>>());
        assert!(window_ends(10, 11, 1).is_empty());
        assert!(window_ends(10, 0, 1).is_empty());
        assert!(window_ends(0, 1, 1).is_empty());
    }

    #[test]
    fn verdict_needs_the_whole_interval_on_one_side() {
        assert_eq!(Verdict::from_interval(Some([0.1, 0.5])), Verdict::FollowsDecline);
        assert_eq!(Verdict::from_interval(Some([-0.5, -0.1])), Verdict::FollowsRise);
        assert_eq!(Verdict::from_interval(Some([-0.1, 0.5])), Verdict::NoSignificantAsymmetry);
        assert_eq!(Verdict::from_interval(Some([0.0, 0.5])), Verdict::NoSignificantAsymmetry);
        // Rounding is not evidence.
        assert_eq!(Verdict::from_interval(Some([1e-14, 3e-14])), Verdict::NoSignificantAsymmetry);
        assert_eq!(Verdict::from_interval(None), Verdict::NoSignificantAsymmetry);
        let json = serde_json::to_string(&Verdict::FollowsDecline).expect("serialises");
        assert_eq!(json, format!("\"{}\"", Verdict::FollowsDecline));
    }

    #[test]
    fn block_lengths_by_frequency() {
        // cbrt(2800) = 14.1; cbrt(150) = 5.3; cbrt(20) = 2.7 -> 3, raised to 4 weekly.
        assert_eq!(ReturnFrequency::Daily.default_block_len(2800), 14);
        assert_eq!(ReturnFrequency::Weekly.default_block_len(150), 5);
        assert_eq!(ReturnFrequency::Weekly.default_block_len(20), 4);
        assert_eq!(ReturnFrequency::Daily.default_block_len(20), 3);
        assert_eq!(ReturnFrequency::Weekly.default_block_len(3), 3);
        assert_eq!(ReturnFrequency::Weekly.default_block_len(0), 1);
    }

    #[test]
    fn percentile_counts_ties_and_skips_gaps() {
        let values = [Some(0.2), None, Some(0.5), Some(0.3), Some(0.5)];
        assert_eq!(percentile_in(&values, 0.5), Some(1.0));
        assert_eq!(percentile_in(&values, 0.3), Some(0.5));
        assert_eq!(percentile_in(&[None], 0.3), None);
    }

    #[test]
    fn degenerate_inputs_give_none_without_panicking() {
        let one = Series::from_pairs("x", &[(d("2024-01-05"), 1.0)]).expect("valid");
        let config = AsymmetryConfig::default();
        for frequency in [ReturnFrequency::Daily, ReturnFrequency::Weekly] {
            assert!(asymmetry("a", &one, "b", &one, frequency, &config).is_none());
            let empty = Series::default();
            assert!(asymmetry("a", &empty, "b", &one, frequency, &config).is_none());
            assert!(paired_log_returns(&empty, &empty, frequency).is_empty());
        }
        // Extreme settings: no interval, no rolling, still a result.
        let dates: Vec<Date> = (0..12).map(|k| d("2024-01-01").add_days(k)).collect();
        let bench = Series::new(
            "b",
            dates.clone(),
            (0..12).map(|k| 100.0 + f64::from(k % 3) * 2.0 - f64::from(k) * 0.1).collect(),
        )
        .expect("valid");
        let asset =
            Series::new("a", dates, (0..12).map(|k| 50.0 + f64::from(k % 4)).collect()).expect("valid");
        let wild = AsymmetryConfig {
            replicates: 0,
            block_len: Some(0),
            rolling_window: Some(usize::MAX),
            rolling_step: Some(0),
            ..AsymmetryConfig::default()
        };
        let result = asymmetry("a", &asset, "b", &bench, ReturnFrequency::Daily, &wild).expect("defined");
        assert_eq!((result.ci95, result.block_len, result.rolling.dates.len()), (None, 1, 0));
        assert_eq!(result.verdict, Verdict::NoSignificantAsymmetry);
        let big_block =
            AsymmetryConfig { block_len: Some(usize::MAX), replicates: 10, ..AsymmetryConfig::default() };
        let result =
            asymmetry("a", &asset, "b", &bench, ReturnFrequency::Daily, &big_block).expect("defined");
        assert_eq!(result.block_len, result.n);
    }

    #[test]
    fn serialises_the_report_keys() {
        let dates: Vec<Date> = (0..40).map(|k| d("2024-01-05").add_days(7 * k)).collect();
        let mut rng = SplitMix64::new(4);
        let mut level = 100.0;
        let bench: Vec<f64> = (0..40)
            .map(|_| {
                level *= 1.0 + 0.04 * (rng.next_f64() - 0.5);
                level
            })
            .collect();
        let asset: Vec<f64> = bench.iter().map(|p| p * p / 10.0).collect();
        let bench = Series::new("NASDAQ100", dates.clone(), bench).expect("valid");
        let asset = Series::new("CBBTCUSD", dates, asset).expect("valid");
        let config =
            AsymmetryConfig { replicates: 50, rolling_window: Some(20), ..AsymmetryConfig::default() };
        let result = asymmetry("CBBTCUSD", &asset, "NASDAQ100", &bench, ReturnFrequency::Weekly, &config)
            .expect("defined");
        let json = serde_json::to_value(&result).expect("serialises");
        for key in [
            "asset",
            "benchmark",
            "frequency",
            "up_beta",
            "down_beta",
            "asymmetry",
            "ci95",
            "up_capture",
            "down_capture",
            "n_up",
            "n_down",
            "first",
            "last",
            "verdict",
            "rolling",
            "decoupling",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        assert_eq!(json["frequency"], "weekly");
        assert_eq!(json["first"], "2024-01-05");
        assert_eq!(json["ci95"].as_array().map(Vec::len), Some(2));
        assert_eq!(json["verdict"], "no significant asymmetry");
        assert_eq!(result.rolling.dates.len(), 39 - 20 + 1);
        assert_eq!(result.rolling.dates.last(), Some(&result.last));
    }
}
