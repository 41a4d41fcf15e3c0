//! Significance after a search: the best of several lags is not one test.
//!
//! A best lag is the largest `|rho(k)|` over `k = 0..=26`. Judged against the one-lag band
//! `1.96 / sqrt(n)`, unrelated series pass it at about one lag in twenty, so the best of 27 lags
//! passes it most of the time (about 75% for independent lags). The band that a best lag must
//! beat is the 95% quantile of the **largest** `|rho(k)|` over the searched lags under "no
//! relation" (for 27 roughly independent lags about `3.1 / sqrt(n)`, 0.12 at `n = 677`).
//!
//! Two ways to get it, named in every result ([`Adjustment`]):
//!
//! - [`circular_shift_max`], the default: rotate `y` against `x` by every shift that keeps the
//!   searched lags away from the real alignment, and take the largest `|rho|` over the searched
//!   lags at each rotation. A rotation keeps each series' own autocorrelation and
//!   heteroskedasticity and breaks only the relation between them, so the null distribution is
//!   that of the data, not of white noise; it needs no random numbers (every admissible rotation
//!   is used, so the result is deterministic). The p-value is `(1 + #{null >= observed}) /
//!   (1 + #draws)`.
//! - [`bonferroni_band`], the cheap fallback for short windows (the rolling best lag, the
//!   transmission's three-year window): the one-lag band at level `0.05 / m` for `m` searched lags,
//!   `Phi^-1(1 - 0.025 / m) / sqrt(n)`, conservative when lags are correlated.
//!
//! Choices: missing values are set to zero after each series is standardised on its own valid
//! points, so they add nothing to a cross-product; the null correlations use circular products
//! normalised by the whole series' sums of squares (the usual circular cross-correlation), which
//! matches the linear `rho(k)` of the observed statistic to `O(k / n)`; at least
//! [`MIN_ROTATIONS`] admissible rotations are needed, or the result is `None` (callers fall back
//! to Bonferroni).

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use super::correlation::normal_quantile;
use super::finite;

/// Fewest admissible rotations for a circular-shift quantile (below it, fall back to Bonferroni).
pub const MIN_ROTATIONS: usize = 99;

/// How a band or p-value accounts for the search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// The maximum statistic over every admissible circular rotation of `y` ([`circular_shift_max`]).
    CircularShift,
    /// Bonferroni over the searched lags ([`bonferroni_band`]).
    Bonferroni,
}

/// The significance of a best lag once the search over lags is accounted for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchAdjusted {
    /// How the search was accounted for.
    pub method: Adjustment,
    /// Number of lags searched.
    pub lags_searched: usize,
    /// The 95% level of the largest `|rho|` over the searched lags under "no relation": a best
    /// lag inside it is indistinguishable from the best of noise.
    pub band: f64,
    /// The probability, under "no relation", of a largest `|rho|` at least the observed one
    /// (`None` for Bonferroni, which gives only a band).
    pub p_value: Option<f64>,
    /// Circular rotations behind `band` and `p_value` (0 for Bonferroni).
    pub draws: usize,
}

impl SearchAdjusted {
    /// Whether `|rho|` clears the adjusted band.
    pub fn significant(&self, rho: f64) -> bool {
        rho.abs() > self.band
    }
}

/// The Bonferroni band for the best of `lags_searched` lags on `n` pairs at the 95% level.
///
/// `None` when `n` or `lags_searched` is 0.
///
/// # Formula
///
/// `band = Phi^-1(1 - 0.025 / m) / sqrt(n)` with `m = lags_searched` (3.11 / sqrt(n) for 27 lags).
pub fn bonferroni_band(n: usize, lags_searched: usize) -> Option<SearchAdjusted> {
    if n == 0 || lags_searched == 0 {
        return None;
    }
    let z = normal_quantile(1.0 - 0.025 / lags_searched as f64)?;
    Some(SearchAdjusted {
        method: Adjustment::Bonferroni,
        lags_searched,
        band: finite(z / (n as f64).sqrt())?,
        p_value: None,
        draws: 0,
    })
}

/// The two-sided confidence level that gives a family of `m` intervals 95% joint coverage
/// (Bonferroni): `1 - 0.05 / m`.
pub fn bonferroni_level(m: usize) -> f64 {
    1.0 - 0.05 / m.max(1) as f64
}

/// `values` standardised on their finite points, with missing points set to 0; `None` without
/// two finite points or without spread.
fn standardised(values: &[f64]) -> Option<Vec<f64>> {
    let valid: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if valid.len() < 2 {
        return None;
    }
    let mean = valid.iter().sum::<f64>() / valid.len() as f64;
    let var = valid.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / valid.len() as f64;
    let sd = finite(var.sqrt()).filter(|s| *s > 0.0)?;
    Some(values.iter().map(|v| if v.is_finite() { (v - mean) / sd } else { 0.0 }).collect())
}

/// The circular-shift null of the best lag in `lags` (see the module docs): the 95% quantile of
/// the largest `|rho|` over `lags` at every admissible rotation of `y`, and the p-value of
/// `observed` (the best lag's `|rho|`).
///
/// A rotation by `s` is admissible when every searched lag `s + k` stays at least `reach + 1`
/// periods (mod `n`) away from the real alignment, with `reach` the largest `|k|` searched, so no
/// null draw sees the relation being tested. `None` when the lengths differ, a series is constant
/// or too short, or fewer than [`MIN_ROTATIONS`] rotations are admissible.
///
/// # Formula
///
/// With `x~`, `y~` standardised (missing = 0) and `c(m) = sum_t x~_t y~_{(t+m) mod n} /
/// sqrt(sum x~^2 sum y~^2)`: `null_s = max_{k in lags} |c(s + k)|`; `band` = the 95% quantile of
/// the `null_s` (type 7); `p = (1 + #{null_s >= observed}) / (1 + #draws)`. The `c(m)` come from
/// one FFT product, `O(n log n)`.
pub fn circular_shift_max(
    x: &[f64],
    y: &[f64],
    lags: RangeInclusive<i32>,
    observed: f64,
) -> Option<SearchAdjusted> {
    if x.len() != y.len() || lags.is_empty() {
        return None;
    }
    let n = x.len();
    let (x, y) = (standardised(x)?, standardised(y)?);
    let scale = (x.iter().map(|v| v * v).sum::<f64>() * y.iter().map(|v| v * v).sum::<f64>()).sqrt();
    if !scale.is_finite() || scale <= 0.0 {
        return None;
    }
    let (low, high) = (i64::from(*lags.start()), i64::from(*lags.end()));
    let reach = low.abs().max(high.abs());
    let n_i = i64::try_from(n).ok()?;
    // Rotations s whose searched lags s + k (k in low..=high) all lie in [reach + 1, n - reach - 1].
    let first = reach + 1 - low;
    let last = n_i - reach - 1 - high;
    if last < first || usize::try_from(last - first + 1).ok()? < MIN_ROTATIONS {
        return None;
    }
    // |c(m)| for every m that an admissible rotation reaches.
    let all = circular_cross_products(&x, &y);
    let (m_first, m_last) = (usize::try_from(first + low).ok()?, usize::try_from(last + high).ok()?);
    let circular: Vec<f64> = all.get(m_first..=m_last)?.iter().map(|c| (c / scale).abs()).collect();
    let width = usize::try_from(high - low + 1).ok()?;
    let mut null: Vec<f64> = (0..=usize::try_from(last - first).ok()?)
        .map(|i| circular[i..i + width].iter().copied().fold(0.0, f64::max))
        .collect();
    let draws = null.len();
    let exceed = null.iter().filter(|&&v| v >= observed.abs()).count();
    null.sort_by(f64::total_cmp);
    let band = quantile_sorted(&null, 0.95)?;
    Some(SearchAdjusted {
        method: Adjustment::CircularShift,
        lags_searched: width,
        band,
        p_value: finite((1 + exceed) as f64 / (1 + draws) as f64),
        draws,
    })
}

/// `sum_t x_t y_{(t+m) mod n}` for `m = 0..n`, by FFT: `y` written twice and both zero-padded
/// to a power of two `N >= 2n`, so the linear correlation `sum_t x_t yy_{t+m}` needs no wrap.
fn circular_cross_products(x: &[f64], y: &[f64]) -> Vec<f64> {
    let n = x.len();
    let size = (2 * n).next_power_of_two();
    let mut fx: Vec<(f64, f64)> = vec![(0.0, 0.0); size];
    let mut fy: Vec<(f64, f64)> = vec![(0.0, 0.0); size];
    for (slot, v) in fx.iter_mut().zip(x) {
        slot.0 = *v;
    }
    for (slot, v) in fy.iter_mut().zip(y.iter().chain(y)) {
        slot.0 = *v;
    }
    fft(&mut fx, false);
    fft(&mut fy, false);
    // conj(X) Y, then the inverse transform.
    let mut product: Vec<(f64, f64)> =
        fx.iter().zip(&fy).map(|(&(a, b), &(c, d))| (a * c + b * d, a * d - b * c)).collect();
    fft(&mut product, true);
    product.iter().take(n).map(|&(re, _)| re / size as f64).collect()
}

/// In-place iterative radix-2 FFT (the length must be a power of two); `inverse` flips the sign of
/// the exponent and leaves the `1 / N` scaling to the caller.
fn fft(values: &mut [(f64, f64)], inverse: bool) {
    let n = values.len();
    if n < 2 {
        return;
    }
    let bits = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if j > i {
            values.swap(i, j);
        }
    }
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut len = 2;
    while len <= n {
        let angle = sign * 2.0 * std::f64::consts::PI / len as f64;
        let (w_re, w_im) = (angle.cos(), angle.sin());
        for start in (0..n).step_by(len) {
            let (mut re, mut im) = (1.0, 0.0);
            for k in 0..len / 2 {
                let (a, b) = (start + k, start + k + len / 2);
                let (u, v) = (values[a], values[b]);
                let t = (v.0 * re - v.1 * im, v.0 * im + v.1 * re);
                values[a] = (u.0 + t.0, u.1 + t.1);
                values[b] = (u.0 - t.0, u.1 - t.1);
                (re, im) = (re * w_re - im * w_im, re * w_im + im * w_re);
            }
        }
        len <<= 1;
    }
}

/// The circular-shift adjustment when it exists, else Bonferroni on `n` pairs.
pub fn adjusted_best_lag(
    x: &[f64],
    y: &[f64],
    lags: RangeInclusive<i32>,
    observed: f64,
    n: usize,
) -> Option<SearchAdjusted> {
    let searched = usize::try_from(i64::from(*lags.end()) - i64::from(*lags.start()) + 1).unwrap_or(0);
    circular_shift_max(x, y, lags, observed).or_else(|| bonferroni_band(n, searched))
}

/// The type-7 quantile of ascending `sorted` values.
fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = p * last as f64;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let a = *sorted.get(lo)?;
    let b = *sorted.get((lo + 1).min(last))?;
    finite(a + frac * (b - a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::bootstrap::SplitMix64;
    use crate::stats::correlation::cross_correlation;

    fn noise(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
        // Sum of uniforms: close enough to normal for a correlation null.
        (0..n).map(|_| (0..4).map(|_| rng.next_f64() - 0.5).sum()).collect()
    }

    fn best_of(x: &[f64], y: &[f64], max_lag: i32) -> f64 {
        cross_correlation(x, y, 26)
            .into_iter()
            .filter(|c| (0..=max_lag).contains(&c.lag))
            .map(|c| c.rho.abs())
            .fold(0.0, f64::max)
    }

    #[test]
    fn the_band_matches_the_closed_form_for_independent_lags() {
        // 27 nearly independent N(0, 1/n) correlations: P(max |rho| <= b) = (2 Phi(b sqrt n) - 1)^27
        // = 0.95 gives b = Phi^-1((1 + 0.95^(1/27)) / 2) / sqrt(n) = 3.105 / sqrt(n).
        let n = 1500;
        let closed =
            normal_quantile((1.0 + 0.95_f64.powf(1.0 / 27.0)) / 2.0).expect("defined") / (n as f64).sqrt();
        let mut bands = Vec::new();
        for seed in 0..5 {
            let mut rng = SplitMix64::new(seed);
            let (x, y) = (noise(&mut rng, n), noise(&mut rng, n));
            let adjusted = circular_shift_max(&x, &y, 0..=26, 0.0).expect("enough rotations");
            assert_eq!(adjusted.lags_searched, 27);
            assert!(adjusted.draws > 1400);
            bands.push(adjusted.band);
        }
        let mean = bands.iter().sum::<f64>() / bands.len() as f64;
        assert!((mean / closed - 1.0).abs() < 0.1, "mean band {mean} vs closed form {closed}");
        // Bonferroni is the conservative bound beside it: 3.11 / sqrt(n).
        let bonferroni = bonferroni_band(n, 27).expect("defined").band;
        assert!((bonferroni * (n as f64).sqrt() - 3.11).abs() < 0.01);
        assert!(bonferroni >= closed);
    }

    #[test]
    fn unrelated_series_pass_the_adjusted_band_about_one_time_in_twenty() {
        // The one-lag band passes the best of 27 lags most of the time; the adjusted band about 5%.
        let (n, trials) = (400, 200);
        let (mut naive, mut adjusted) = (0, 0);
        for seed in 0..trials {
            let mut rng = SplitMix64::new(1000 + seed);
            let (x, y) = (noise(&mut rng, n), noise(&mut rng, n));
            let best = best_of(&x, &y, 26);
            if best > 1.96 / (n as f64).sqrt() {
                naive += 1;
            }
            let a = circular_shift_max(&x, &y, 0..=26, best).expect("enough rotations");
            if a.significant(best) {
                adjusted += 1;
            }
            assert!(a.p_value.is_some_and(|p| p > 0.0 && p <= 1.0));
        }
        let (naive, adjusted) = (naive as f64 / trials as f64, adjusted as f64 / trials as f64);
        assert!(naive > 0.5, "the one-lag band passed only {naive}");
        assert!((0.01..=0.10).contains(&adjusted), "the adjusted band passed {adjusted}");
    }

    #[test]
    fn a_real_lead_is_found_significant() {
        let n = 500;
        let mut rng = SplitMix64::new(7);
        let x = noise(&mut rng, n);
        let e = noise(&mut rng, n);
        // y leads by 5: y_{t+5} = 0.4 x_t + e.
        let y: Vec<f64> = (0..n).map(|t| if t >= 5 { 0.4 * x[t - 5] + e[t] } else { e[t] }).collect();
        let best = best_of(&x, &y, 26);
        let a = circular_shift_max(&x, &y, 0..=26, best).expect("enough rotations");
        assert!(a.significant(best), "{best} vs {}", a.band);
        assert!(a.p_value.is_some_and(|p| p < 0.01));
    }

    #[test]
    fn fft_cross_products_equal_direct_sums() {
        let mut rng = SplitMix64::new(11);
        for n in [1, 2, 7, 64, 300] {
            let (x, y) = (noise(&mut rng, n), noise(&mut rng, n));
            let fast = circular_cross_products(&x, &y);
            for (m, c) in fast.iter().enumerate() {
                let direct: f64 = (0..n).map(|t| x[t] * y[(t + m) % n]).sum();
                assert!((c - direct).abs() < 1e-9, "n {n} m {m}: {c} vs {direct}");
            }
        }
    }

    #[test]
    fn short_or_constant_series_give_none_and_fall_back() {
        assert_eq!(circular_shift_max(&[1.0; 50], &[2.0; 50], 0..=26, 0.1), None);
        let mut rng = SplitMix64::new(3);
        let (x, y) = (noise(&mut rng, 120), noise(&mut rng, 120));
        assert_eq!(circular_shift_max(&x, &y, 0..=26, 0.1), None);
        let fallback = adjusted_best_lag(&x, &y, 0..=26, 0.1, 110).expect("Bonferroni");
        assert_eq!(fallback.method, Adjustment::Bonferroni);
        assert_eq!(circular_shift_max(&x, &y[1..], 0..=26, 0.1), None);
    }
}
