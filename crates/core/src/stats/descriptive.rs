//! Descriptive statistics: mean, sample variance and standard deviation, covariance, quantiles and a
//! five-number summary.
//!
//! Non-finite values are missing and skipped (paired statistics skip the pair). Moments use the
//! corrected two-pass algorithm (Chan, Golub and LeVeque 1983): a first pass for the mean, a second
//! for the deviations, with the sum of deviations subtracted to cancel the rounding of the mean. It
//! is as cheap as the one-pass textbook formula and does not lose the digits that formula loses
//! when the mean is large against the spread (index levels, balance sheets in USD bn).

use serde::{Deserialize, Serialize};

use super::{finite, finite_pairs};

/// The arithmetic mean of the finite values; `None` when there is none.
///
/// # Formula
///
/// `m = sum(x_i) / n`, then refined once by `m += sum(x_i - m) / n` (as R's `mean` does), which
/// removes most of the rounding error of the first sum.
pub fn mean(values: &[f64]) -> Option<f64> {
    let (sum, n) = values.iter().filter(|v| v.is_finite()).fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        return None;
    }
    let first = sum / n as f64;
    let correction: f64 = values.iter().filter(|v| v.is_finite()).map(|v| v - first).sum();
    finite(first + correction / n as f64)
}

/// The sample variance of the finite values (divisor `n - 1`); `None` with fewer than two.
///
/// A constant sample has variance `Some(0.0)`: zero spread is a defined answer here; the statistics
/// that divide by it (correlation, beta, z-score) return `None` instead.
///
/// # Formula
///
/// `s² = (sum(d_i²) - sum(d_i)² / n) / (n - 1)` with `d_i = x_i - mean` (corrected two-pass).
pub fn variance(values: &[f64]) -> Option<f64> {
    let m = mean(values)?;
    let (sum_sq, sum_d, n) = values
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| v - m)
        .fold((0.0, 0.0, 0usize), |(sq, s, n), d| (sq + d * d, s + d, n + 1));
    if n < 2 {
        return None;
    }
    finite(((sum_sq - sum_d * sum_d / n as f64) / (n - 1) as f64).max(0.0))
}

/// The sample standard deviation, `sqrt(variance)`; `None` with fewer than two finite values.
pub fn std_dev(values: &[f64]) -> Option<f64> {
    variance(values).map(f64::sqrt)
}

/// The sample covariance of the pairs `(x[i], y[i])` where both are finite (divisor `n - 1`).
///
/// `None` when the slices differ in length or fewer than two pairs are complete.
///
/// # Formula
///
/// `cov = (sum(dx_i * dy_i) - sum(dx_i) * sum(dy_i) / n) / (n - 1)` with deviations from the means
/// of the complete pairs.
pub fn covariance(x: &[f64], y: &[f64]) -> Option<f64> {
    let moments = PairMoments::of(x, y)?;
    finite(moments.sxy / (moments.n - 1) as f64)
}

/// Centred second moments of the complete pairs of two slices: the shared kernel of covariance,
/// Pearson correlation and the conditional betas.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PairMoments {
    /// Number of complete pairs (at least 2).
    pub n: usize,
    /// Mean of x over the pairs.
    pub mean_x: f64,
    /// Mean of y over the pairs.
    pub mean_y: f64,
    /// Sum of squared x deviations.
    pub sxx: f64,
    /// Sum of squared y deviations.
    pub syy: f64,
    /// Sum of cross deviations.
    pub sxy: f64,
}

impl PairMoments {
    /// Moments of the pairs where both values are finite; `None` when the lengths differ or fewer
    /// than two pairs are complete.
    pub fn of(x: &[f64], y: &[f64]) -> Option<PairMoments> {
        if x.len() != y.len() {
            return None;
        }
        PairMoments::from_pairs(|| finite_pairs(x, y))
    }

    /// Moments of the pairs an iterator yields (called twice: one pass per mean, one for deviations).
    pub fn from_pairs<I: Iterator<Item = (f64, f64)>>(pairs: impl Fn() -> I) -> Option<PairMoments> {
        let (sx, sy, n) = pairs().fold((0.0, 0.0, 0usize), |(sx, sy, n), (a, b)| (sx + a, sy + b, n + 1));
        if n < 2 {
            return None;
        }
        let nf = n as f64;
        let (mx, my) = (sx / nf, sy / nf);
        let (mut dx_sum, mut dy_sum, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (a, b) in pairs() {
            let (dx, dy) = (a - mx, b - my);
            dx_sum += dx;
            dy_sum += dy;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        let moments = PairMoments {
            n,
            mean_x: mx + dx_sum / nf,
            mean_y: my + dy_sum / nf,
            sxx: (sxx - dx_sum * dx_sum / nf).max(0.0),
            syy: (syy - dy_sum * dy_sum / nf).max(0.0),
            sxy: sxy - dx_sum * dy_sum / nf,
        };
        let all_finite = [moments.mean_x, moments.mean_y, moments.sxx, moments.syy, moments.sxy]
            .iter()
            .all(|v| v.is_finite());
        all_finite.then_some(moments)
    }

    /// Pearson's r, `None` when either side has zero spread; clamped to `[-1, 1]` against rounding.
    pub fn correlation(&self) -> Option<f64> {
        if self.sxx <= 0.0 || self.syy <= 0.0 {
            return None;
        }
        finite((self.sxy / (self.sxx.sqrt() * self.syy.sqrt())).clamp(-1.0, 1.0))
    }
}

/// The `p`-quantile of the finite values, by linear interpolation between order statistics
/// (Hyndman and Fan type 7, the default of R and NumPy).
///
/// `None` when there is no finite value or `p` is outside `[0, 1]`. Sorts a copy; to take several
/// quantiles of one sample, sort once and call [`quantile_sorted`].
///
/// # Formula
///
/// With the values sorted `x_(0) <= ... <= x_(n-1)`: `h = (n - 1) p`, `j = floor(h)`,
/// `Q(p) = x_(j) + (h - j) (x_(j+1) - x_(j))`.
pub fn quantile(values: &[f64], p: f64) -> Option<f64> {
    quantile_sorted(&sorted_finite(values), p)
}

/// The type 7 `p`-quantile of values already sorted ascending (see [`quantile`]).
///
/// The order is the caller's promise: unsorted input gives a meaningless (but never panicking)
/// answer. `None` when the slice is empty, `p` is outside `[0, 1]` or the result is not finite.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let j = (h.floor() as usize).min(sorted.len() - 1);
    let below = sorted[j];
    let above = sorted[(j + 1).min(sorted.len() - 1)];
    // `below + f * (above - below)` is exact when the neighbours are equal (constant samples).
    finite(below + (h - j as f64) * (above - below))
}

/// The finite values of a slice, sorted ascending.
pub(crate) fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    sorted
}

/// Minimum, quartiles and maximum of a sample (quartiles by [`quantile`], type 7).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of finite values summarised.
    pub n: usize,
    /// The smallest value.
    pub min: f64,
    /// The first quartile (0.25-quantile).
    pub q1: f64,
    /// The median.
    pub median: f64,
    /// The third quartile (0.75-quantile).
    pub q3: f64,
    /// The largest value.
    pub max: f64,
}

/// The five-number summary of the finite values; `None` when there is none.
pub fn summary(values: &[f64]) -> Option<Summary> {
    let sorted = sorted_finite(values);
    Some(Summary {
        n: sorted.len(),
        min: *sorted.first()?,
        q1: quantile_sorted(&sorted, 0.25)?,
        median: quantile_sorted(&sorted, 0.5)?,
        q3: quantile_sorted(&sorted, 0.75)?,
        max: *sorted.last()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::tolerance::{EXACT, GOLDEN};

    fn close(a: Option<f64>, b: f64, tol: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= tol)
    }

    #[test]
    fn mean_skips_missing_values() {
        // (1 + 2 + 3 + 4) / 4 = 2.5; the NaN and the infinity are missing.
        assert_eq!(mean(&[1.0, f64::NAN, 2.0, 3.0, f64::INFINITY, 4.0]), Some(2.5));
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[f64::NAN]), None);
    }

    #[test]
    fn constant_samples_are_exact() {
        // 0.1 + 0.1 + 0.1 = 0.30000000000000004 in binary; the refinement pass brings the mean back.
        assert_eq!(mean(&[0.1, 0.1, 0.1]), Some(0.1));
        assert_eq!(variance(&[0.1, 0.1, 0.1]), Some(0.0));
        assert_eq!(quantile(&[0.1, 0.1, 0.1], 0.37), Some(0.1));
    }

    #[test]
    fn sample_variance_and_std_dev() {
        // Mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; 32 / 7 = 4.571428571...
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert!(close(variance(&x), 32.0 / 7.0, EXACT));
        assert!(close(std_dev(&x), 2.138_089_935, GOLDEN));
        assert_eq!(variance(&[3.0]), None);
        assert_eq!(std_dev(&[f64::NAN, 3.0]), None);
    }

    #[test]
    fn variance_keeps_digits_with_a_large_mean() {
        // The one-pass formula sum(x²)/n - mean² loses everything here; the deviations are 0, 1, 2.
        let x = [1e9 + 4.0, 1e9 + 5.0, 1e9 + 6.0];
        assert!(close(variance(&x), 1.0, EXACT));
    }

    #[test]
    fn covariance_of_pairs() {
        // Means 3 and 4; deviations (-2,-2), (-1,0), (0,1), (1,0), (2,1): products sum to 4+0+0+0+2 = 6.
        // 6 / (5 - 1) = 1.5. The NaN pair is skipped.
        let x = [1.0, 2.0, 3.0, f64::NAN, 4.0, 5.0];
        let y = [2.0, 4.0, 5.0, 9.0, 4.0, 5.0];
        assert!(close(covariance(&x, &y), 1.5, EXACT));
        assert_eq!(covariance(&x, &y[1..]), None);
        assert_eq!(covariance(&[1.0], &[2.0]), None);
    }

    #[test]
    fn quantiles_interpolate_like_r_type_7() {
        let x = [4.0, 1.0, 3.0, 2.0];
        // Sorted 1,2,3,4. p = 0.25: h = 3 * 0.25 = 0.75 -> 1 + 0.75 * (2 - 1) = 1.75.
        assert!(close(quantile(&x, 0.25), 1.75, EXACT));
        // p = 0.5: h = 1.5 -> 2.5. p = 0.9: h = 2.7 -> 3 + 0.7 = 3.7.
        assert!(close(quantile(&x, 0.5), 2.5, EXACT));
        assert!(close(quantile(&x, 0.9), 3.7, EXACT));
        assert_eq!(quantile(&x, 0.0), Some(1.0));
        assert_eq!(quantile(&x, 1.0), Some(4.0));
        assert_eq!(quantile(&x, 1.5), None);
        assert_eq!(quantile(&x, f64::NAN), None);
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn five_number_summary() {
        // Sorted 1..5: q1 at h = 1 -> 2, median at h = 2 -> 3, q3 at h = 3 -> 4.
        let s = summary(&[3.0, 1.0, f64::NAN, 2.0, 5.0, 4.0]).expect("defined");
        assert_eq!(s, Summary { n: 5, min: 1.0, q1: 2.0, median: 3.0, q3: 4.0, max: 5.0 });
        assert_eq!(summary(&[f64::NAN]), None);
    }
}
