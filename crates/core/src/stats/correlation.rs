//! Correlation: Pearson's r, Spearman's rho, the Fisher-z interval, and cross-correlation by lag.
//!
//! Paired slices must have the same length (they are aligned on one calendar); a pair is used only
//! when both values are finite. Lags follow MODEL.md section 6: `rho(k) = corr(x_t, y_{t+k})`, so a
//! positive `k` means x *leads* y by `k` periods.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::descriptive::PairMoments;
use super::{finite, finite_pairs};

/// The two-sided 95% standard-normal quantile, `Phi^-1(0.975)`: the "1.96" of the textbooks.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Fewest complete pairs for which [`lag_correlation`], [`cross_correlation`] and [`best_lag`]
/// report a correlation, and for which [`Correlation`] (whose Fisher interval needs `n > 3`) exists.
///
/// With two pairs every correlation is `±1`, with three it is still mostly noise; comparing
/// correlations by lag is only honest when every lag has many pairs, so keep the largest lag well
/// below the sample length (Box and Jenkins suggest at most `n / 4`).
pub const MIN_LAG_PAIRS: usize = 4;

/// Pearson's product-moment correlation of the complete pairs.
///
/// `None` when the lengths differ, fewer than two pairs are complete, or either side has zero
/// variance.
///
/// # Formula
///
/// `r = sum(dx_i dy_i) / sqrt(sum(dx_i²) sum(dy_i²))`, deviations from the means of the complete
/// pairs.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    PairMoments::of(x, y)?.correlation()
}

/// Spearman's rank correlation of the complete pairs: Pearson's r of their ranks, tied values
/// sharing the average of the ranks they span.
///
/// `None` in the same cases as [`pearson`] (a side whose values are all tied has zero variance).
///
/// # Formula
///
/// `rho = pearson(rank(x), rank(y))`, ranks computed among the complete pairs only.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    let (xs, ys): (Vec<f64>, Vec<f64>) = finite_pairs(x, y).unzip();
    pearson(&average_ranks(&xs), &average_ranks(&ys))
}

/// 1-based ranks of finite values, ties sharing the mean of the ranks they occupy.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let value = values[order[start]];
        let end = order[start..].iter().position(|i| values[*i] != value).map_or(order.len(), |p| start + p);
        // Positions start..end hold ranks start+1..=end; their mean is (start + 1 + end) / 2.
        let rank = (start + 1 + end) as f64 / 2.0;
        for i in &order[start..end] {
            ranks[*i] = rank;
        }
        start = end;
    }
    ranks
}

/// The standard-normal quantile `Phi^-1(p)` for `p` strictly between 0 and 1.
pub(crate) fn normal_quantile(p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let normal = Normal::new(0.0, 1.0).ok()?;
    finite(normal.inverse_cdf(p))
}

/// The confidence interval `[lo, hi]` of a correlation `r` estimated on `n` pairs, at confidence
/// `level` (0.95 for 95%), by Fisher's z transformation.
///
/// `None` when `n <= 3`, `r` is outside `[-1, 1]` or `level` is outside `(0, 1)`. A perfect
/// correlation gives the degenerate interval `[r, r]`.
///
/// # Formula
///
/// `z = atanh(r)`, `se = 1 / sqrt(n - 3)`, `c = Phi^-1((1 + level) / 2)` (1.96 for 95%);
/// the interval is `[tanh(z - c se), tanh(z + c se)]`.
pub fn fisher_interval(r: f64, n: usize, level: f64) -> Option<[f64; 2]> {
    if n <= 3 || !(-1.0..=1.0).contains(&r) || !(level > 0.0 && level < 1.0) {
        return None;
    }
    let c = normal_quantile((1.0 + level) / 2.0)?;
    let z = r.atanh();
    let half_width = c / ((n - 3) as f64).sqrt();
    Some([finite((z - half_width).tanh())?, finite((z + half_width).tanh())?])
}

/// A Pearson correlation with its sample size and 95% Fisher-z interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correlation {
    /// Pearson's r.
    pub r: f64,
    /// Number of complete pairs.
    pub n: usize,
    /// The 95% interval `[lo, hi]` from [`fisher_interval`].
    pub ci95: [f64; 2],
}

impl Correlation {
    /// Pearson's r of the complete pairs with its 95% interval.
    ///
    /// `None` when [`pearson`] is undefined or fewer than [`MIN_LAG_PAIRS`] (4) pairs are complete,
    /// the least for which the interval exists.
    pub fn pearson(x: &[f64], y: &[f64]) -> Option<Correlation> {
        let moments = PairMoments::of(x, y)?;
        let r = moments.correlation()?;
        Some(Correlation { r, n: moments.n, ci95: fisher_interval(r, moments.n, 0.95)? })
    }
}

/// The correlation of `x_t` with `y_{t+lag}`, with the pairs it used and its null band.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LagCorrelation {
    /// The lag `k` in periods; positive when x leads y.
    pub lag: i32,
    /// `corr(x_t, y_{t+k})` over the complete pairs.
    pub rho: f64,
    /// Number of complete pairs at this lag.
    pub n: usize,
    /// Half-width of the 95% band under "no correlation", `1.96 / sqrt(n)`: a `|rho|` inside it is
    /// indistinguishable from zero at that lag.
    pub band: f64,
}

/// The correlation at one lag: pairs `(x_t, y_{t+lag})` where both are finite.
///
/// `None` when the lengths differ, `|lag|` is not shorter than the series, fewer than
/// [`MIN_LAG_PAIRS`] pairs are complete, or either side has zero variance.
///
/// # Formula
///
/// `rho(k) = pearson(x_t, y_{t+k})` over `t` with both indices in range; `band = 1.96 / sqrt(n)`.
pub fn lag_correlation(x: &[f64], y: &[f64], lag: i32) -> Option<LagCorrelation> {
    if x.len() != y.len() {
        return None;
    }
    let shift = usize::try_from(lag.unsigned_abs()).ok()?;
    let len = x.len().checked_sub(shift).filter(|len| *len > 0)?;
    let (xs, ys) = if lag >= 0 { (&x[..len], &y[shift..]) } else { (&x[shift..], &y[..len]) };
    let moments = PairMoments::of(xs, ys)?;
    if moments.n < MIN_LAG_PAIRS {
        return None;
    }
    Some(LagCorrelation {
        lag,
        rho: moments.correlation()?,
        n: moments.n,
        band: Z_95 / (moments.n as f64).sqrt(),
    })
}

/// The largest lag worth trying on series of `len` points, as an `i32`.
fn max_useful_lag(len: usize) -> i32 {
    i32::try_from(len.saturating_sub(1)).unwrap_or(i32::MAX)
}

/// Cross-correlation for every lag `k` in `-max_lag..=max_lag`, in ascending order of lag.
///
/// Lags where the correlation is undefined (see [`lag_correlation`]) are left out, so read each
/// entry's `lag` rather than its position. Empty when the lengths differ. Each lag costs one pass
/// over the pairs: `O(n * max_lag)`.
pub fn cross_correlation(x: &[f64], y: &[f64], max_lag: usize) -> Vec<LagCorrelation> {
    if x.len() != y.len() {
        return Vec::new();
    }
    let max = i32::try_from(max_lag).unwrap_or(i32::MAX).min(max_useful_lag(x.len()));
    (-max..=max).filter_map(|lag| lag_correlation(x, y, lag)).collect()
}

/// The lag in `lags` whose correlation is largest in absolute value (MODEL.md section 6 uses
/// `0..=26` weeks).
///
/// Ties go to the first lag in ascending order. `None` when no lag in the range has a defined
/// correlation. Lags beyond the series length are skipped, so any range is safe to pass.
///
/// Correlations at different lags rest on different numbers of pairs; with lags close to the
/// sample length the smaller samples win by noise, see [`MIN_LAG_PAIRS`].
pub fn best_lag(x: &[f64], y: &[f64], lags: RangeInclusive<i32>) -> Option<LagCorrelation> {
    if x.len() != y.len() {
        return None;
    }
    let reach = max_useful_lag(x.len());
    let (first, last) = ((*lags.start()).max(-reach), (*lags.end()).min(reach));
    strongest((first..=last).filter_map(|lag| lag_correlation(x, y, lag)))
}

/// The correlation largest in absolute value among `candidates`, ties to the first: [`best_lag`]'s
/// choice, for callers that already hold the correlations (the cross-correlation's lags `>= 0`).
/// `None` when there is no candidate.
///
/// # Formula
///
/// `argmax_c |c.rho|`, the earliest candidate among equals.
pub fn strongest(candidates: impl IntoIterator<Item = LagCorrelation>) -> Option<LagCorrelation> {
    candidates.into_iter().fold(None, |best, candidate| match best {
        Some(b) if b.rho.abs() >= candidate.rho.abs() => Some(b),
        _ => Some(candidate),
    })
}

/// Prefix sums of the complete pairs `(x_t, y_{t+lag})` for one lag, so that the correlation over
/// any window of `t` costs O(1): rolling correlations and rolling best lags in O(n) per lag
/// instead of O(n x window).
///
/// # Formula
///
/// With `dx = x - mean(x)`, `dy = y - mean(y)` (full-sample means of the complete pairs, which
/// keeps the one-pass sums accurate), over the pairs of a window:
/// `rho = (S_xy - S_x S_y / n) / sqrt((S_xx - S_x^2 / n) (S_yy - S_y^2 / n))`.
/// Undefined (as in [`lag_correlation`]) below [`MIN_LAG_PAIRS`] pairs or without spread.
#[derive(Clone, Debug)]
pub struct LaggedPrefix {
    lag: usize,
    /// `sums[i]` = `[n, S_x, S_y, S_xx, S_yy, S_xy]` over the pairs with `t < i`.
    sums: Vec<[f64; 6]>,
}

impl LaggedPrefix {
    /// The prefix sums of `(x_t, y_{t + lag})` for `t` in `0..len - lag`; `None` when the lengths
    /// differ or the lag is not shorter than the series.
    pub fn new(x: &[f64], y: &[f64], lag: usize) -> Option<LaggedPrefix> {
        if x.len() != y.len() || lag >= x.len() {
            return None;
        }
        let len = x.len() - lag;
        // The pairs (x_t, y_{t + lag}) as two aligned slices; plain loops over them (no per-element
        // index checks or pushes) keep the 27 prefixes of a lead-lag cheap.
        let (xs, ys) = (&x[..len], &y[lag..]);
        let (mut count, mut sx, mut sy) = (0.0, 0.0, 0.0);
        for (&a, &b) in xs.iter().zip(ys) {
            if a.is_finite() && b.is_finite() {
                count += 1.0;
                sx += a;
                sy += b;
            }
        }
        let (mx, my) = if count > 0.0 { (sx / count, sy / count) } else { (0.0, 0.0) };
        let mut sums = vec![[0.0; 6]; len + 1];
        // Six scalars stored one by one: copying a whole array built on the stack stalls on store
        // forwarding under the size-optimised profile.
        let (mut n, mut s_x, mut s_y, mut s_xx, mut s_yy, mut s_xy) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for ((slot, &a), &b) in sums[1..].iter_mut().zip(xs).zip(ys) {
            if a.is_finite() && b.is_finite() {
                let (dx, dy) = (a - mx, b - my);
                n += 1.0;
                s_x += dx;
                s_y += dy;
                s_xx += dx * dx;
                s_yy += dy * dy;
                s_xy += dx * dy;
            }
            slot[0] = n;
            slot[1] = s_x;
            slot[2] = s_y;
            slot[3] = s_xx;
            slot[4] = s_yy;
            slot[5] = s_xy;
        }
        Some(LaggedPrefix { lag, sums })
    }

    /// The lag.
    pub fn lag(&self) -> usize {
        self.lag
    }

    /// The correlation over the pairs with `first <= t <= last`.
    pub fn window(&self, first: usize, last: usize) -> Option<LagCorrelation> {
        if first > last {
            return None;
        }
        let (hi, lo) = (self.sums.get(last + 1)?, self.sums.get(first)?);
        let d: [f64; 6] = std::array::from_fn(|k| hi[k] - lo[k]);
        let n = d[0].round() as usize;
        if n < MIN_LAG_PAIRS {
            return None;
        }
        let count = d[0];
        let sxx = d[3] - d[1] * d[1] / count;
        let syy = d[4] - d[2] * d[2] / count;
        let sxy = d[5] - d[1] * d[2] / count;
        // Relative floors: a window of (numerically) constant values has no correlation.
        if !(sxx > 1e-12 * d[3].abs().max(f64::MIN_POSITIVE)
            && syy > 1e-12 * d[4].abs().max(f64::MIN_POSITIVE))
        {
            return None;
        }
        let rho = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
        rho.is_finite().then(|| LagCorrelation {
            lag: i32::try_from(self.lag).unwrap_or(i32::MAX),
            rho,
            n,
            band: Z_95 / (n as f64).sqrt(),
        })
    }
}

/// The best lag in `0..=max_lag` (largest |rho|, ties to the smaller lag) inside the window
/// `first..=last` of both series, for each window given: pairs `(x_t, y_{t+k})` with both `t` and
/// `t + k` in the window, as [`best_lag`] on the window's slices computes. O(n) per lag.
pub fn rolling_best_lags(
    x: &[f64],
    y: &[f64],
    max_lag: usize,
    windows: &[(usize, usize)],
) -> Vec<Option<LagCorrelation>> {
    let prefixes: Vec<LaggedPrefix> = (0..=max_lag).filter_map(|k| LaggedPrefix::new(x, y, k)).collect();
    windows
        .iter()
        .map(|&(first, last)| {
            let mut best: Option<LagCorrelation> = None;
            for prefix in &prefixes {
                let Some(end) = last.checked_sub(prefix.lag()) else { continue };
                if let Some(c) = prefix.window(first, end) {
                    if best.as_ref().is_none_or(|b| c.rho.abs() > b.rho.abs()) {
                        best = Some(c);
                    }
                }
            }
            best
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::tolerance::{EXACT, GOLDEN, PROPERTY};
    use proptest::prelude::*;

    #[test]
    fn pearson_golden() {
        // Means 3 and 4; Sxy = 6, Sxx = 10, Syy = 4+0+1+0+1 = 6; r = 6 / sqrt(60) = 0.7745967.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 4.0, 5.0, 4.0, 5.0];
        assert!((pearson(&x, &y).expect("defined") - 0.774_596_7).abs() < GOLDEN);
        // A missing value drops its pair only: the NaN pair below is the extra one.
        let xm = [1.0, 2.0, f64::NAN, 3.0, 4.0, 5.0];
        let ym = [2.0, 4.0, 1.0, 5.0, 4.0, 5.0];
        assert_eq!(pearson(&xm, &ym), pearson(&x, &y));
    }

    #[test]
    fn pearson_undefined_cases() {
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]), None);
        assert_eq!(pearson(&[1.0], &[2.0]), None);
        assert_eq!(pearson(&[1.0, 2.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(pearson(&[], &[]), None);
    }

    #[test]
    fn spearman_golden_with_ties() {
        // y = [5,6,7,8,7] ranks to [1,2,3.5,5,3.5] (the two 7s share ranks 3 and 4).
        // Deviations from 3: x [-2,-1,0,1,2], y [-2,-1,0.5,2,0.5]; Sxy = 4+1+0+2+1 = 8, Sxx = 10,
        // Syy = 4+1+0.25+4+0.25 = 9.5; rho = 8 / sqrt(95) = 0.8207827.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0]).expect("defined");
        assert!((rho - 0.820_782_7).abs() < GOLDEN);
        assert_eq!(average_ranks(&[10.0, 30.0, 20.0, 20.0]), vec![1.0, 4.0, 2.5, 2.5]);
        // Monotone but not linear: Spearman sees a perfect order.
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((spearman(&x, &[1.0, 8.0, 27.0, 64.0]).expect("defined") - 1.0).abs() < EXACT);
    }

    #[test]
    fn fisher_interval_golden() {
        // r = 0.5, n = 28: z = atanh(0.5) = 0.5493061, se = 1/sqrt(25) = 0.2, 1.959964 * 0.2 = 0.3919928;
        // tanh(0.1573133) = 0.1560284, tanh(0.9412990) = 0.7358185.
        let [lo, hi] = fisher_interval(0.5, 28, 0.95).expect("defined");
        assert!((lo - 0.156_028_4).abs() < GOLDEN && (hi - 0.735_818_5).abs() < GOLDEN);
        assert!((normal_quantile(0.975).expect("defined") - Z_95).abs() < 1e-9);
        assert_eq!(fisher_interval(1.0, 10, 0.95), Some([1.0, 1.0]));
        assert_eq!(fisher_interval(0.5, 3, 0.95), None);
        assert_eq!(fisher_interval(1.5, 30, 0.95), None);
        assert_eq!(fisher_interval(f64::NAN, 30, 0.95), None);
        assert_eq!(fisher_interval(0.5, 30, 1.0), None);
        assert_eq!(fisher_interval(0.5, 30, f64::NAN), None);
        assert_eq!(fisher_interval(0.5, 30, -0.5), None);
    }

    #[test]
    fn correlation_struct_needs_four_pairs() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 4.0, 5.0, 4.0, 5.0];
        let c = Correlation::pearson(&x, &y).expect("defined");
        assert_eq!(c.n, 5);
        assert!(c.ci95[0] < c.r && c.r < c.ci95[1]);
        assert_eq!(Correlation::pearson(&x[..3], &y[..3]), None);
    }

    #[test]
    fn cross_correlation_finds_the_lead() {
        // y_t = x_{t-2}: x leads y by two periods, so rho(+2) = corr(x_t, x_t) = 1 on 6 pairs
        // (y's first two values are missing). band = 1.959964 / sqrt(6) = 0.8001519.
        let x = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 2.0, 7.0];
        let y = [f64::NAN, f64::NAN, 1.0, 3.0, 2.0, 5.0, 4.0, 6.0];
        let best = best_lag(&x, &y, -3..=3).expect("defined");
        assert_eq!((best.lag, best.n), (2, 6));
        assert!((best.rho - 1.0).abs() < EXACT);
        assert!((best.band - 0.800_151_9).abs() < GOLDEN);
        // Reversing the roles reverses the sign of the lag.
        assert_eq!(best_lag(&y, &x, -3..=3).map(|b| b.lag), Some(-2));

        let all = cross_correlation(&x, &y, 3);
        assert!(all.windows(2).all(|w| w[0].lag < w[1].lag));
        assert!(all.iter().all(|c| c.lag.abs() <= 3 && c.n >= MIN_LAG_PAIRS));
        assert_eq!(all.iter().find(|c| c.lag == 2), Some(&best));
        // Lag -3 pairs x[3..8] with y[0..5], two of which are missing: 3 < MIN_LAG_PAIRS, left out.
        assert!(all.iter().all(|c| c.lag != -3));
        assert_eq!(all.iter().find(|c| c.lag == 3).map(|c| c.n), Some(5));
    }

    #[test]
    fn lags_out_of_range_are_safe() {
        let x = [1.0, 2.0, 4.0, 3.0, 5.0];
        assert!(cross_correlation(&x, &x, usize::MAX).iter().all(|c| c.lag.abs() <= 1));
        assert_eq!(best_lag(&x, &x, i32::MIN..=i32::MAX).map(|b| b.lag), Some(0));
        assert_eq!(best_lag(&x, &x, RangeInclusive::new(10, 3)), None);
        assert_eq!(lag_correlation(&x, &x, i32::MIN), None);
        assert!(cross_correlation(&x, &x[1..], 2).is_empty());
        assert_eq!(best_lag(&[], &[], 0..=26), None);
    }

    /// Integer-valued samples keep affine transforms exact enough to compare to `PROPERTY`.
    fn paired_samples() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
        prop::collection::vec((-1000i32..1000, -1000i32..1000), 3..60)
            .prop_map(|pairs| pairs.into_iter().map(|(a, b)| (f64::from(a), f64::from(b))).unzip())
    }

    proptest! {
        #[test]
        fn pearson_is_invariant_to_positive_affine_maps(
            (x, y) in paired_samples(),
            scale in 0.01f64..100.0,
            shift in -1000.0f64..1000.0,
        ) {
            let r = pearson(&x, &y);
            let x_scaled: Vec<f64> = x.iter().map(|v| scale * v + shift).collect();
            let y_scaled: Vec<f64> = y.iter().map(|v| scale * v - shift).collect();
            for other in [pearson(&x_scaled, &y), pearson(&x, &y_scaled), pearson(&x_scaled, &y_scaled)] {
                match (r, other) {
                    (Some(a), Some(b)) => prop_assert!((a - b).abs() < PROPERTY, "{a} vs {b}"),
                    (a, b) => prop_assert_eq!(a, b),
                }
            }
        }

        #[test]
        fn pearson_flips_sign_under_negative_scaling(
            (x, y) in paired_samples(),
            scale in 0.01f64..100.0,
            shift in -1000.0f64..1000.0,
        ) {
            let r = pearson(&x, &y);
            let x_flipped: Vec<f64> = x.iter().map(|v| -scale * v + shift).collect();
            match (r, pearson(&x_flipped, &y)) {
                (Some(a), Some(b)) => prop_assert!((a + b).abs() < PROPERTY, "{a} vs {b}"),
                (a, b) => prop_assert_eq!(a, b),
            }
        }

        #[test]
        fn spearman_is_invariant_to_monotone_maps((x, y) in paired_samples()) {
            let cubed: Vec<f64> = x.iter().map(|v| v * v * v + 5.0).collect();
            match (spearman(&x, &y), spearman(&cubed, &y)) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < PROPERTY),
                (a, b) => prop_assert_eq!(a, b),
            }
        }

        #[test]
        fn correlations_are_bounded((x, y) in paired_samples(), lag in -5i32..5) {
            for r in [pearson(&x, &y), spearman(&x, &y), lag_correlation(&x, &y, lag).map(|c| c.rho)]
                .into_iter()
                .flatten()
            {
                prop_assert!((-1.0..=1.0).contains(&r));
            }
        }
    }

    #[test]
    fn prefix_windows_match_the_direct_computation() {
        let x: Vec<f64> = (0..300)
            .map(|i| ((i * 37 % 101) as f64 - 50.0) / 10.0 + if i % 17 == 0 { f64::NAN } else { 0.0 })
            .collect();
        let y: Vec<f64> = (0..300)
            .map(|i| ((i * 53 % 97) as f64 - 48.0) / 7.0 + 0.3 * x[(i + 295) % 300].max(-9.0))
            .collect();
        let windows: Vec<(usize, usize)> = (0..20).map(|w| (w * 10, w * 10 + 99)).collect();
        let fast = rolling_best_lags(&x, &y, 8, &windows);
        for (&(first, last), fast) in windows.iter().zip(&fast) {
            let direct = best_lag(&x[first..=last], &y[first..=last], 0..=8);
            match (direct, fast) {
                (Some(d), Some(f)) => {
                    assert_eq!((d.lag, d.n), (f.lag, f.n));
                    assert!((d.rho - f.rho).abs() < 1e-9, "{} vs {}", d.rho, f.rho);
                }
                (d, f) => assert_eq!(d.is_some(), f.is_some()),
            }
        }
    }
}
