//! Indicator transforms (MODEL.md section 2): level, change, percent change, year-over-year,
//! annualised rate, log return, rolling z-score, rolling percentile rank, and the oriented score.
//!
//! # Conventions
//!
//! A transform maps a slice of values aligned on a calendar (one slot per business day or week,
//! see [`crate::align`]) to a slice of the same length, slot for slot. `NaN` marks a missing
//! input; an output is `NaN` where the transform is undefined: during the warm-up (the first
//! `k` slots of a `k`-period change), when an input it needs is missing, when a ratio has a zero or
//! (for logarithms and annualised rates) a non-positive base, and when a rolling window holds fewer
//! than its minimum count of values or has no spread. Every other output is finite. `NaN` is the
//! calendar's own "missing" here, so a transform output can be fed to the next transform; the
//! statistics of [`crate::stats`] skip it.
//!
//! "Periods" are slots of the slice: on a weekly calendar `Change::new(13)` is the 13-week change.
//! Every transform at slot `t` reads only slots `..=t`: no look-ahead.
//!
//! # Style
//!
//! As in `ta` (greyblake/ta-rs): one type per transform, a constructor that validates its
//! parameters and returns [`TransformError`] instead of panicking (`Change::new(0)` is an error),
//! [`std::fmt::Display`] like `Zscore(156)` for legends and reports, and one trait,
//! [`Transform`], that every type honours the same way (checked by one test for all of them).
//!
//! # Example
//!
//! ```
//! use tideline_core::transform::{oriented_score, Orientation, Transform, Zscore};
//!
//! let vix = [20.0, 22.0, 18.0, 25.0, 30.0];
//! let z = Zscore::new(4).unwrap();
//! assert_eq!(z.to_string(), "Zscore(4)");
//! let scores = z.apply(&vix);
//! assert!(scores[0].is_nan()); // one value: below the minimum count of 2
//! // A high VIX hurts risk assets.
//! let last = oriented_score(scores[4], Orientation::RiseHurts).unwrap();
//! assert!(last < 0.0 && last >= -3.0);
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

/// An invalid transform parameter.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TransformError {
    /// A period count or window of zero.
    #[error("{transform}: the number of periods must be at least 1")]
    ZeroPeriod {
        /// The transform's name.
        transform: &'static str,
    },
    /// A rolling window too short for the statistic (a standard deviation needs two values).
    #[error("{transform}: the window must hold at least {least} periods, got {window}")]
    WindowTooShort {
        /// The transform's name.
        transform: &'static str,
        /// The window given.
        window: usize,
        /// The least window allowed.
        least: usize,
    },
    /// A minimum count below what the statistic needs or above the window.
    #[error(
        "{transform}: the minimum count must be between {least} and the window {window}, got {min_count}"
    )]
    InvalidMinCount {
        /// The transform's name.
        transform: &'static str,
        /// The window.
        window: usize,
        /// The minimum count given.
        min_count: usize,
        /// The least minimum count allowed.
        least: usize,
    },
    /// Periods per year that are not a finite positive number.
    #[error("{transform}: periods per year must be finite and positive, got {value}")]
    InvalidPeriodsPerYear {
        /// The transform's name.
        transform: &'static str,
        /// The value given.
        value: f64,
    },
}

/// A slice-to-slice indicator transform; see the module docs for the shared conventions.
pub trait Transform: fmt::Display {
    /// The transformed values, one per input slot (`NaN` where undefined).
    fn apply(&self, values: &[f64]) -> Vec<f64>;

    /// How many earlier slots the output at `t` may read (`t - lookback ..= t`).
    fn lookback(&self) -> usize;
}

fn period(transform: &'static str, periods: usize) -> Result<usize, TransformError> {
    if periods == 0 {
        Err(TransformError::ZeroPeriod { transform })
    } else {
        Ok(periods)
    }
}

/// `f(x_t, x_{t-k})` for every slot: `NaN` in the first `k` slots, when either input is missing,
/// or when `f` is undefined (`NaN`) or overflows.
fn lagged(values: &[f64], k: usize, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    (0..values.len())
        .map(|t| {
            let Some(before) = t.checked_sub(k).map(|s| values[s]) else {
                return f64::NAN;
            };
            let now = values[t];
            if !now.is_finite() || !before.is_finite() {
                return f64::NAN;
            }
            let out = f(now, before);
            if out.is_finite() {
                out
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// The level itself: the identity, with non-finite values mapped to `NaN`. `Display`: `Level`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Level;

impl Transform for Level {
    fn apply(&self, values: &[f64]) -> Vec<f64> {
        values.iter().map(|v| if v.is_finite() { *v } else { f64::NAN }).collect()
    }

    fn lookback(&self) -> usize {
        0
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Level")
    }
}

/// The change over `k` periods, in the series' own units (percentage points for rates).
///
/// # Formula
///
/// `x_t - x_{t-k}`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    periods: usize,
}

impl Change {
    /// The change over `periods` slots; `periods` must be at least 1.
    pub fn new(periods: usize) -> Result<Change, TransformError> {
        Ok(Change { periods: period("Change", periods)? })
    }
}

impl Transform for Change {
    fn apply(&self, values: &[f64]) -> Vec<f64> {
        lagged(values, self.periods, |now, before| now - before)
    }

    fn lookback(&self) -> usize {
        self.periods
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Change({})", self.periods)
    }
}

/// `(x_t - x_{t-k}) / |x_{t-k}| * 100`: `NaN` when the base is zero.
///
/// Dividing by the base's magnitude keeps the sign of the result equal to the direction of the
/// move for series that can be negative (a rise from -10 to -5 is +50%, not -50%); for positive
/// series it is the usual percent change.
fn percent_change(now: f64, before: f64) -> f64 {
    if before == 0.0 {
        f64::NAN
    } else {
        (now - before) / before.abs() * 100.0
    }
}

/// The percent change over `k` periods.
///
/// # Formula
///
/// `(x_t - x_{t-k}) / |x_{t-k}| * 100`; undefined (`NaN`) when `x_{t-k} = 0`. For a positive
/// series this is `(x_t / x_{t-k} - 1) * 100`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PercentChange {
    periods: usize,
}

impl PercentChange {
    /// The percent change over `periods` slots; `periods` must be at least 1.
    pub fn new(periods: usize) -> Result<PercentChange, TransformError> {
        Ok(PercentChange { periods: period("PctChange", periods)? })
    }
}

impl Transform for PercentChange {
    fn apply(&self, values: &[f64]) -> Vec<f64> {
        lagged(values, self.periods, percent_change)
    }

    fn lookback(&self) -> usize {
        self.periods
    }
}

impl fmt::Display for PercentChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PctChange({})", self.periods)
    }
}

/// The year-over-year percent change: [`PercentChange`] over the calendar's periods per year
/// (12 for monthly slots, 52 for weekly, about 261 for business days), given by the caller.
///
/// # Formula
///
/// `(x_t - x_{t-k}) / |x_{t-k}| * 100` with `k = periods_per_year`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearOverYear {
    periods_per_year: usize,
}

impl YearOverYear {
    /// Year-over-year change on a calendar of `periods_per_year` slots; at least 1.
    pub fn new(periods_per_year: usize) -> Result<YearOverYear, TransformError> {
        Ok(YearOverYear { periods_per_year: period("YoY", periods_per_year)? })
    }
}

impl Transform for YearOverYear {
    fn apply(&self, values: &[f64]) -> Vec<f64> {
        lagged(values, self.periods_per_year, percent_change)
    }

    fn lookback(&self) -> usize {
        self.periods_per_year
    }
}

impl fmt::Display for YearOverYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "YoY({})", self.periods_per_year)
    }
}

/// The growth over `k` periods compounded to an annual rate, in percent (MODEL.md: the 6-month
/// annualised growth of industrial production, the 3-month annualised CPI).
///
/// # Formula
///
/// `((x_t / x_{t-k})^(ppy / k) - 1) * 100` with `ppy` the periods per year; undefined (`NaN`)
/// unless both values are positive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnnualisedRate {
    periods: usize,
    periods_per_year: f64,
}

impl AnnualisedRate {
    /// Growth over `periods` slots annualised with `periods_per_year` (12 monthly, 52 weekly, or a
    /// fractional 52.1775); `periods >= 1`, `periods_per_year` finite and positive.
    pub fn new(periods: usize, periods_per_year: f64) -> Result<AnnualisedRate, TransformError> {
        let transform = "Annualised";
        if !(periods_per_year.is_finite() && periods_per_year > 0.0) {
            return Err(TransformError::InvalidPeriodsPerYear { transform, value: periods_per_year });
        }
        Ok(AnnualisedRate { periods: period(transform, periods)?, periods_per_year })
    }
}

impl Transform for AnnualisedRate {
    fn apply(&self, values: &[f64]) -> Vec<f64> {
        let exponent = self.periods_per_year / self.periods as f64;
        lagged(values, self.periods, |now, before| {
            if now > 0.0 && before > 0.0 {
                ((now / before).powf(exponent) - 1.0) * 100.0
            } else {
                f64::NAN
            }
        })
    }

    fn lookback(&self) -> usize {
        self.periods
    }
}

impl fmt::Display for AnnualisedRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Annualised({}, {})", self.periods, self.periods_per_year)
    }
}

/// The log return over `k` periods, in natural units (0.01 is about 1%).
///
/// # Formula
///
/// `ln(x_t / x_{t-k})`; undefined (`NaN`) unless both values are positive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogReturn {
    periods: usize,
}

impl LogReturn {
    /// The log return over `periods` slots; `periods` must be at least 1.
    pub fn new(periods: usize) -> Result<LogReturn, TransformError> {
        Ok(LogReturn { periods: period("LogReturn", periods)? })
    }
}

impl Transform for LogReturn {
    fn apply(&self, values: &[f64]) -> Vec<f64> {
        lagged(
            values,
            self.periods,
            |now, before| {
                if now > 0.0 && before > 0.0 {
                    (now / before).ln()
                } else {
                    f64::NAN
                }
            },
        )
    }

    fn lookback(&self) -> usize {
        self.periods
    }
}

impl fmt::Display for LogReturn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LogReturn({})", self.periods)
    }
}

/// A trailing window of `window` slots ending at `t`, and the fewest finite values it must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    window: usize,
    min_count: usize,
}

impl Window {
    /// The default minimum count: half the window, rounded up, and never below `least`.
    fn with_default_count(
        transform: &'static str,
        window: usize,
        least: usize,
    ) -> Result<Window, TransformError> {
        Window::new(transform, window, window.div_ceil(2).max(least), least)
    }

    fn new(
        transform: &'static str,
        window: usize,
        min_count: usize,
        least: usize,
    ) -> Result<Window, TransformError> {
        if window < least {
            return Err(TransformError::WindowTooShort { transform, window, least });
        }
        if min_count < least || min_count > window {
            return Err(TransformError::InvalidMinCount { transform, window, min_count, least });
        }
        Ok(Window { window, min_count })
    }
}

/// The rolling z-score of each value against the trailing window of `w` slots that ends with it.
///
/// Only values up to and including `t` are used. The output is `NaN` when `x_t` is missing, when
/// the window holds fewer than `min_count` finite values (by default half the window, rounded up,
/// at least 2), or when all the window's values are equal.
///
/// # Formula
///
/// `z_t = (x_t - mean(W_t)) / sd(W_t)`, `W_t` the finite values among `x_{t-w+1..=t}`, `sd` the
/// sample standard deviation (divisor `n - 1`).
///
/// # Cost and accuracy
///
/// `O(n)` for the whole slice, whatever the window: the mean and the sum of squared deviations
/// are updated as a value enters and leaves (Welford's update and its inverse), which avoids the
/// cancellation of running sums of `x` and `x²`. The remove step still accumulates rounding, so the
/// moments are recomputed exactly (two-pass) every `w` slots, an amortised `O(1)`, and also when
/// the spread has collapsed since the last recomputation (see the source's `SHRINK_RECOMPUTE`),
/// which is when the accumulated rounding would start to matter. A window of
/// identical values is detected exactly (not by a tolerance on a rounded variance), so a policy
/// rate held flat for three years gives `NaN`, not a z-score made of rounding noise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zscore {
    window: Window,
}

impl Zscore {
    /// A z-score over `window` slots (at least 2) with the default minimum count.
    pub fn new(window: usize) -> Result<Zscore, TransformError> {
        Ok(Zscore { window: Window::with_default_count("Zscore", window, 2)? })
    }

    /// A z-score over `window` slots requiring `min_count` finite values (`2..=window`).
    pub fn with_min_count(window: usize, min_count: usize) -> Result<Zscore, TransformError> {
        Ok(Zscore { window: Window::new("Zscore", window, min_count, 2)? })
    }

    /// The window length in slots.
    pub fn window(&self) -> usize {
        self.window.window
    }

    /// The fewest finite values for an output.
    pub fn min_count(&self) -> usize {
        self.window.min_count
    }
}

/// The rolling z-score recomputes its moments exactly when the sum of squared deviations falls
/// below this share of its peak since the last recomputation.
///
/// Removing a value leaves an absolute rounding error of about `eps * d²` in the sum of squared
/// deviations, `d` the value's deviation; over a window of `w` removals that is at most
/// `w * eps * peak`. When the window calms down (a volatile year leaving a 3-year window), the true
/// sum can fall by orders of magnitude while that error stays, so the relative error grows as the
/// sum shrinks. Recomputing once the sum has fallen by 1000x caps the relative error near
/// `w * eps * 1000`, about `2e-10` for `w = 756`; on real data it fires a handful of times per
/// series.
const SHRINK_RECOMPUTE: f64 = 1e-3;

/// Running count, mean and sum of squared deviations (Welford).
#[derive(Clone, Copy, Debug, Default)]
struct Moments {
    n: usize,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// The inverse of `add` for a value that was added before.
    fn remove(&mut self, x: f64) {
        if self.n <= 1 {
            *self = Moments::default();
            return;
        }
        let rest = (self.n - 1) as f64;
        let mean_without = self.mean - (x - self.mean) / rest;
        self.m2 = (self.m2 - (x - mean_without) * (x - self.mean)).max(0.0);
        self.mean = mean_without;
        self.n -= 1;
    }

    /// Exact moments of `v - shift` over the finite values `v` of `window` (corrected two-pass).
    fn exact(window: &[f64], shift: f64) -> Moments {
        let finite = || window.iter().filter(|v| v.is_finite()).map(|v| v - shift);
        let (sum, n) = finite().fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
        if n == 0 {
            return Moments::default();
        }
        let first = sum / n as f64;
        let (sum_d, sum_sq) = finite().map(|v| v - first).fold((0.0, 0.0), |(s, q), d| (s + d, q + d * d));
        Moments { n, mean: first + sum_d / n as f64, m2: (sum_sq - sum_d * sum_d / n as f64).max(0.0) }
    }
}

impl Transform for Zscore {
    fn apply(&self, values: &[f64]) -> Vec<f64> {
        let Window { window, min_count } = self.window;
        let mut out = vec![f64::NAN; values.len()];
        let mut moments = Moments::default();
        // The latest finite value seen, and for the latest slot whose finite value differed from the
        // finite value before it, the slot of that earlier value: the window varies exactly when
        // that earlier slot is still inside it.
        let mut last_finite: Option<(usize, f64)> = None;
        let mut change_from: Option<usize> = None;
        // The largest sum of squared deviations since the last exact recomputation.
        let mut peak_m2 = 0.0f64;
        // The moments are those of `value - shift`, the shift being re-centred on the window's mean
        // at every exact recomputation: the running mean then stays near zero, and its updates do
        // not round at the scale of the level (an index near 1e6 with a spread of 0.05).
        let mut shift = 0.0;
        for (t, &x) in values.iter().enumerate() {
            if x.is_finite() {
                if moments.n == 0 {
                    shift = x;
                }
                moments.add(x - shift);
                if let Some((slot, previous)) = last_finite {
                    if previous != x {
                        change_from = Some(slot);
                    }
                }
                last_finite = Some((t, x));
            }
            let start = (t + 1).saturating_sub(window);
            if let Some(leaving) = t.checked_sub(window).map(|s| values[s]) {
                if leaving.is_finite() {
                    moments.remove(leaving - shift);
                }
            }
            peak_m2 = peak_m2.max(moments.m2);
            if (t + 1) % window == 0 || moments.m2 < SHRINK_RECOMPUTE * peak_m2 {
                let current = &values[start..=t];
                let recentred = shift + Moments::exact(current, shift).mean;
                if recentred.is_finite() {
                    shift = recentred;
                }
                moments = Moments::exact(current, shift);
                peak_m2 = moments.m2;
            }
            let varies = change_from.is_some_and(|slot| slot >= start);
            if !x.is_finite() || moments.n < min_count || !varies {
                continue;
            }
            let sd = (moments.m2 / (moments.n - 1) as f64).sqrt();
            let z = (x - shift - moments.mean) / sd;
            if sd > 0.0 && sd.is_finite() && z.is_finite() {
                out[t] = z;
            }
        }
        out
    }

    fn lookback(&self) -> usize {
        self.window.window - 1
    }
}

impl fmt::Display for Zscore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zscore({})", self.window.window)
    }
}

/// The rolling percentile rank: the share of the trailing window's values (the current one
/// included) that are at most the current value, in `(0, 1]`.
///
/// Output `NaN` when `x_t` is missing or the window holds fewer than `min_count` finite values (by
/// default half the window, rounded up, at least 2).
///
/// # Formula
///
/// `#{v in W_t : v <= x_t} / #W_t`, `W_t` the finite values among `x_{t-w+1..=t}`.
///
/// # Cost
///
/// `O(n log n)` for the whole slice, whatever the window: values are ranked once by sorting, and a
/// Fenwick (binary indexed) tree over the ranks counts the window's values at or below the current
/// one as values enter and leave. A naive scan would cost `O(n w)`: 5 million comparisons per
/// 25-year daily series with a 3-year window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PercentileRank {
    window: Window,
}

impl PercentileRank {
    /// A percentile rank over `window` slots (at least 2) with the default minimum count.
    pub fn new(window: usize) -> Result<PercentileRank, TransformError> {
        Ok(PercentileRank { window: Window::with_default_count("PctRank", window, 2)? })
    }

    /// A percentile rank over `window` slots requiring `min_count` finite values (`1..=window`).
    pub fn with_min_count(window: usize, min_count: usize) -> Result<PercentileRank, TransformError> {
        Ok(PercentileRank { window: Window::new("PctRank", window, min_count, 1)? })
    }
}

/// Counts of ranks `1..=len`, with prefix sums in `O(log len)`.
struct Fenwick {
    tree: Vec<i64>,
}

impl Fenwick {
    fn new(len: usize) -> Fenwick {
        Fenwick { tree: vec![0; len + 1] }
    }

    fn add(&mut self, rank: usize, delta: i64) {
        let mut i = rank;
        while i < self.tree.len() {
            self.tree[i] += delta;
            i += i & i.wrapping_neg();
        }
    }

    /// The count of ranks `1..=rank`.
    fn prefix(&self, rank: usize) -> i64 {
        let mut i = rank.min(self.tree.len() - 1);
        let mut total = 0;
        while i > 0 {
            total += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        total
    }
}

impl Transform for PercentileRank {
    fn apply(&self, values: &[f64]) -> Vec<f64> {
        let Window { window, min_count } = self.window;
        // Dense 1-based ranks of the finite values (equal values share a rank); 0 for missing.
        // Sorting (value, slot) pairs rather than slots keeps the comparisons cache-friendly.
        let mut order: Vec<(f64, usize)> =
            values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, v)| (*v, i)).collect();
        order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut rank = vec![0usize; values.len()];
        let mut distinct = 0;
        let mut previous = f64::NAN;
        for &(value, i) in &order {
            // `!=` (not `total_cmp`) so that -0.0 and 0.0 share a rank.
            if value != previous {
                distinct += 1;
                previous = value;
            }
            rank[i] = distinct;
        }

        let mut counts = Fenwick::new(distinct);
        let mut in_window = 0usize;
        let mut out = vec![f64::NAN; values.len()];
        for t in 0..values.len() {
            if rank[t] > 0 {
                counts.add(rank[t], 1);
                in_window += 1;
            }
            if let Some(leaving) = t.checked_sub(window) {
                if rank[leaving] > 0 {
                    counts.add(rank[leaving], -1);
                    in_window -= 1;
                }
            }
            if rank[t] > 0 && in_window >= min_count {
                out[t] = counts.prefix(rank[t]) as f64 / in_window as f64;
            }
        }
        out
    }

    fn lookback(&self) -> usize {
        self.window.window - 1
    }
}

impl fmt::Display for PercentileRank {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PctRank({})", self.window.window)
    }
}

/// Whether a rise of an indicator supports risk assets (+1) or hurts them (-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    /// +1: a rise supports risk assets (liquidity expanding, asset momentum).
    RiseSupports,
    /// -1: a rise hurts risk assets (inflation, real yields, VIX, credit spreads, the dollar).
    RiseHurts,
}

impl Orientation {
    /// `+1.0` or `-1.0`.
    pub fn sign(self) -> f64 {
        match self {
            Orientation::RiseSupports => 1.0,
            Orientation::RiseHurts => -1.0,
        }
    }

    /// The orientation of a sign as written in MODEL.md (`+1` / `-1`); `None` for zero or `NaN`.
    pub fn from_sign(sign: f64) -> Option<Orientation> {
        if sign > 0.0 {
            Some(Orientation::RiseSupports)
        } else if sign < 0.0 {
            Some(Orientation::RiseHurts)
        } else {
            None
        }
    }
}

/// Oriented scores are clipped to `[-SCORE_LIMIT, SCORE_LIMIT]`.
pub const SCORE_LIMIT: f64 = 3.0;

/// An indicator's oriented score: its z-score signed so that positive supports risk assets, and
/// clipped so that one extreme indicator cannot dominate a link.
///
/// `None` when `z` is `NaN` (a missing or undefined z-score); an infinite `z` clips to `±3`.
///
/// # Formula
///
/// `clamp(orientation * z, -3, 3)`
pub fn oriented_score(z: f64, orientation: Orientation) -> Option<f64> {
    if z.is_nan() {
        None
    } else {
        Some((orientation.sign() * z).clamp(-SCORE_LIMIT, SCORE_LIMIT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// For transforms computed in a few exact-ish operations.
    const EXACT: f64 = 1e-12;
    /// For golden values written with 7 to 9 significant digits.
    const GOLDEN: f64 = 1e-7;
    /// Between the O(n) rolling update and a from-scratch computation.
    const ROLLING: f64 = 1e-9;

    const NAN: f64 = f64::NAN;

    /// Slot-by-slot equality where NaN equals NaN and finite values agree within `tol`.
    fn same(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| (x.is_nan() && y.is_nan()) || (x - y).abs() <= tol * (1.0 + y.abs()))
    }

    #[test]
    fn changes_by_hand() {
        let x = [1.0, 2.0, 4.0, 7.0, NAN, 16.0];
        // 4-1, 7-2, 16-4; slot 4 is missing; slots 0 and 1 are the warm-up.
        assert!(same(&Change::new(2).expect("valid").apply(&x), &[NAN, NAN, 3.0, 5.0, NAN, 9.0], EXACT));

        let prices = [100.0, 110.0, 121.0, 0.0, 50.0];
        // +10%, +10%, -100%, then a zero base.
        let pct = PercentChange::new(1).expect("valid").apply(&prices);
        assert!(same(&pct, &[NAN, 10.0, 10.0, -100.0, NAN], EXACT));
        // A rise from -10 to -5 is +50%.
        assert!(same(&PercentChange::new(1).expect("valid").apply(&[-10.0, -5.0]), &[NAN, 50.0], EXACT));
        assert!(same(
            &YearOverYear::new(2).expect("valid").apply(&prices),
            &[NAN, NAN, 21.0, -100.0, -58.677_686_0],
            GOLDEN
        ));

        // ln(110 / 100) = 0.0953101798; non-positive prices have no log return.
        let logs = LogReturn::new(1).expect("valid").apply(&[100.0, 110.0, -1.0, 5.0]);
        assert!(same(&logs, &[NAN, 0.095_310_179_8, NAN, NAN], GOLDEN));
        assert!(same(&Level.apply(&[1.0, f64::INFINITY, NAN]), &[1.0, NAN, NAN], EXACT));
    }

    #[test]
    fn annualised_rate_by_hand() {
        // An index from 100 to 103 in 6 months: 1.03^(12/6) = 1.0609, so 6.09% a year.
        let x = [100.0, 101.0, 101.5, 102.0, 102.5, 102.8, 103.0];
        let out = AnnualisedRate::new(6, 12.0).expect("valid").apply(&x);
        assert!(out[..6].iter().all(|v| v.is_nan()));
        assert!((out[6] - 6.09).abs() < EXACT);
        // Fewer slots than the period: all warm-up.
        let short = AnnualisedRate::new(13, 52.0).expect("valid").apply(&[100.0, 101.0]);
        assert!(short.iter().all(|v| v.is_nan()));
        // One quarter of +1% compounds to 1.01^4 - 1 = 4.060401% a year.
        let quarter = AnnualisedRate::new(1, 4.0).expect("valid").apply(&[100.0, 101.0]);
        assert!((quarter[1] - 4.060_401).abs() < GOLDEN);
    }

    #[test]
    fn constructors_validate_and_display() {
        assert_eq!(Change::new(0), Err(TransformError::ZeroPeriod { transform: "Change" }));
        assert!(
            PercentChange::new(0).is_err() && YearOverYear::new(0).is_err() && LogReturn::new(0).is_err()
        );
        assert!(AnnualisedRate::new(0, 12.0).is_err());
        assert!(AnnualisedRate::new(3, 0.0).is_err() && AnnualisedRate::new(3, f64::NAN).is_err());
        assert_eq!(
            Zscore::new(1),
            Err(TransformError::WindowTooShort { transform: "Zscore", window: 1, least: 2 })
        );
        assert!(Zscore::new(0).is_err() && Zscore::with_min_count(10, 1).is_err());
        assert!(Zscore::with_min_count(10, 11).is_err() && PercentileRank::with_min_count(10, 0).is_err());
        assert!(PercentileRank::new(1).is_err());
        let z = Zscore::new(156).expect("valid");
        assert_eq!((z.window(), z.min_count()), (156, 78));
        assert_eq!(Zscore::new(5).expect("valid").min_count(), 3);
        assert_eq!(Zscore::new(2).expect("valid").min_count(), 2);

        let names: Vec<String> = vec![
            Level.to_string(),
            Change::new(13).expect("valid").to_string(),
            PercentChange::new(13).expect("valid").to_string(),
            YearOverYear::new(12).expect("valid").to_string(),
            AnnualisedRate::new(6, 12.0).expect("valid").to_string(),
            LogReturn::new(1).expect("valid").to_string(),
            z.to_string(),
            PercentileRank::new(156).expect("valid").to_string(),
        ];
        let expected = [
            "Level",
            "Change(13)",
            "PctChange(13)",
            "YoY(12)",
            "Annualised(6, 12)",
            "LogReturn(1)",
            "Zscore(156)",
            "PctRank(156)",
        ];
        assert_eq!(names, expected);
        assert_eq!(
            TransformError::ZeroPeriod { transform: "Zscore" }.to_string(),
            "Zscore: the number of periods must be at least 1"
        );
    }

    /// Every transform honours the shared contract: same length, warm-up of `lookback` at most,
    /// outputs finite or NaN, NaN where the current input is missing (except a transform that
    /// never reads it, none here), and nothing panics on empty or hostile input.
    #[test]
    fn every_transform_honours_the_contract() {
        let transforms: Vec<Box<dyn Transform>> = vec![
            Box::new(Level),
            Box::new(Change::new(3).expect("valid")),
            Box::new(PercentChange::new(3).expect("valid")),
            Box::new(YearOverYear::new(4).expect("valid")),
            Box::new(AnnualisedRate::new(2, 52.0).expect("valid")),
            Box::new(LogReturn::new(1).expect("valid")),
            Box::new(Zscore::new(5).expect("valid")),
            Box::new(PercentileRank::new(5).expect("valid")),
        ];
        let hostile =
            [1.0, f64::MAX, -f64::MAX, 0.0, -0.0, NAN, f64::INFINITY, 1e-310, 3.0, 3.0, 2.0, 5.0, 8.0];
        for transform in &transforms {
            assert!(transform.apply(&[]).is_empty(), "{transform}");
            let out = transform.apply(&hostile);
            assert_eq!(out.len(), hostile.len(), "{transform}");
            assert!(out.iter().all(|v| v.is_finite() || v.is_nan()), "{transform}: {out:?}");
            assert!(out[5].is_nan() && out[6].is_nan(), "{transform}: missing input gives NaN");
            let ramp: Vec<f64> = (1..=20).map(f64::from).collect();
            let out = transform.apply(&ramp);
            assert!(out[transform.lookback()..].iter().all(|v| v.is_finite()), "{transform}: {out:?}");
        }
    }

    #[test]
    fn zscore_by_hand() {
        // Window 3, min count 2.
        // t=1: [1,2], mean 1.5, sd 0.7071068 -> 0.5 / 0.7071068 = 0.7071068.
        // t=2: [1,2,3], mean 2, sd 1 -> 1. t=3: [2,3,4] -> 1.
        // t=4: [3,4,10], mean 17/3, squared deviations 64/9 + 25/9 + 169/9 = 258/9, variance 129/9,
        // sd 3.7859389; z = (13/3) / 3.7859389 = 1.1445862.
        let z = Zscore::new(3).expect("valid").apply(&[1.0, 2.0, 3.0, 4.0, 10.0]);
        assert!(same(&z, &[NAN, std::f64::consts::FRAC_1_SQRT_2, 1.0, 1.0, 1.144_586_2], GOLDEN));
    }

    #[test]
    fn zscore_of_a_flat_window_is_undefined() {
        // [5,5,5] has no spread; [5,5,6]: mean 16/3, sd 0.5773503, z = (2/3) / 0.5773503 = 1.1547005.
        let z = Zscore::new(3).expect("valid").apply(&[5.0, 5.0, 5.0, 5.0, 6.0, 6.0, 6.0, 6.0]);
        assert!(same(&z, &[NAN, NAN, NAN, NAN, 1.154_700_5, 0.577_350_3, NAN, NAN], GOLDEN));
        // 0.1 three times: a mean rounded off 0.1 must not turn into a z-score of rounding noise.
        let z = Zscore::new(3).expect("valid").apply(&[0.3, 0.7, 0.1, 0.1, 0.1, 0.1]);
        assert!(z[4].is_nan() && z[5].is_nan());
        // A change is tracked across a missing slot (1 -> 2 over the NaN at t=1), and forgotten once
        // the 1 has left the window: at t=3 the window [NaN, 2, 2] is flat.
        let z = Zscore::with_min_count(3, 2).expect("valid").apply(&[1.0, NAN, 2.0, 2.0, 2.0]);
        assert!(z[2].is_finite() && z[3].is_nan() && z[4].is_nan(), "{z:?}");
    }

    #[test]
    fn percentile_rank_by_hand() {
        // Window 4, min count 2, data [3,1,4,1,2]:
        // t=1: [3,1], 1 of 2 at most 1 -> 0.5; t=2: [3,1,4] -> 3/3; t=3: [3,1,4,1], two at most 1 ->
        // 0.5; t=4: [1,4,1,2] (the 3 left), three at most 2 -> 0.75.
        let r = PercentileRank::new(4).expect("valid").apply(&[3.0, 1.0, 4.0, 1.0, 2.0]);
        assert!(same(&r, &[NAN, 0.5, 1.0, 0.5, 0.75], EXACT));
        let r = PercentileRank::with_min_count(3, 1).expect("valid").apply(&[-0.0, 0.0, NAN, 1.0]);
        assert!(same(&r, &[1.0, 1.0, NAN, 1.0], EXACT));
    }

    #[test]
    fn oriented_scores() {
        assert_eq!(oriented_score(2.0, Orientation::RiseHurts), Some(-2.0));
        assert_eq!(oriented_score(5.0, Orientation::RiseSupports), Some(3.0));
        assert_eq!(oriented_score(5.0, Orientation::RiseHurts), Some(-3.0));
        assert_eq!(oriented_score(f64::NEG_INFINITY, Orientation::RiseSupports), Some(-3.0));
        assert_eq!(oriented_score(NAN, Orientation::RiseSupports), None);
        assert_eq!(Orientation::from_sign(-1.0), Some(Orientation::RiseHurts));
        assert_eq!(Orientation::from_sign(0.0), None);
    }

    /// The z-score recomputed from scratch for every slot.
    fn naive_zscore(values: &[f64], window: usize, min_count: usize) -> Vec<f64> {
        (0..values.len())
            .map(|t| {
                let w: Vec<f64> = values[(t + 1).saturating_sub(window)..=t]
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .collect();
                let flat = w.iter().all(|v| *v == w[0]);
                if !values[t].is_finite() || w.len() < min_count || flat {
                    return NAN;
                }
                let m = crate::stats::descriptive::mean(&w).unwrap_or(NAN);
                let sd = crate::stats::descriptive::std_dev(&w).unwrap_or(NAN);
                (values[t] - m) / sd
            })
            .collect()
    }

    fn naive_rank(values: &[f64], window: usize, min_count: usize) -> Vec<f64> {
        (0..values.len())
            .map(|t| {
                let w: Vec<f64> = values[(t + 1).saturating_sub(window)..=t]
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .collect();
                if !values[t].is_finite() || w.len() < min_count {
                    return NAN;
                }
                w.iter().filter(|v| **v <= values[t]).count() as f64 / w.len() as f64
            })
            .collect()
    }

    #[test]
    fn rolling_zscore_stays_accurate_on_long_levels() {
        // A random walk around 1e6 with a calm stretch after a volatile one, 25 years of days:
        // the O(n) update must match the from-scratch z-score. The calm windows have a spread near
        // 0.05 at a level of 1e6, so the values themselves carry a relative z error near 1e-9.
        let mut rng = crate::stats::bootstrap::SplitMix64::new(1);
        let mut level = 1e6;
        let values: Vec<f64> = (0..6500)
            .map(|t| {
                let step = if t < 3000 { 1000.0 } else { 0.01 };
                level += step * (rng.next_f64() - 0.5);
                if t % 97 == 0 {
                    NAN
                } else {
                    level
                }
            })
            .collect();
        let fast = Zscore::new(756).expect("valid").apply(&values);
        assert!(same(&fast, &naive_zscore(&values, 756, 378), 1e-7));
    }

    fn series_with_gaps() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(prop_oneof![8 => (-50i32..50).prop_map(f64::from), 1 => Just(NAN)], 0..120)
    }

    proptest! {
        #[test]
        fn rolling_zscore_matches_naive(values in series_with_gaps(), window in 2usize..30) {
            let z = Zscore::new(window).expect("valid");
            prop_assert!(same(&z.apply(&values), &naive_zscore(&values, window, z.min_count()), ROLLING));
        }

        #[test]
        fn percentile_rank_matches_naive(values in series_with_gaps(), window in 2usize..30) {
            let rank = PercentileRank::new(window).expect("valid");
            let expected = naive_rank(&values, window, window.div_ceil(2).max(2));
            prop_assert!(same(&rank.apply(&values), &expected, EXACT));
        }

        #[test]
        fn no_look_ahead(
            values in series_with_gaps(),
            replacement in prop::collection::vec(-1e6f64..1e6, 120),
            cut in 0usize..120,
            window in 2usize..30,
        ) {
            // Changing everything after `cut` leaves every output up to `cut` bit-for-bit equal.
            let cut = cut.min(values.len());
            let mut altered = values.clone();
            for (slot, new) in altered[cut..].iter_mut().zip(&replacement) {
                *slot = *new;
            }
            let transforms: Vec<Box<dyn Transform>> = vec![
                Box::new(Zscore::new(window).expect("valid")),
                Box::new(PercentileRank::new(window).expect("valid")),
                Box::new(Change::new(window).expect("valid")),
                Box::new(AnnualisedRate::new(window, 52.0).expect("valid")),
            ];
            for transform in &transforms {
                let (before, after) = (transform.apply(&values), transform.apply(&altered));
                for t in 0..cut {
                    prop_assert!(before[t].to_bits() == after[t].to_bits(), "{transform} at {t}");
                }
            }
        }
    }
}
