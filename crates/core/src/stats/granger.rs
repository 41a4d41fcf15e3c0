//! Granger causality: does the past of x help predict y beyond y's own past?
//!
//! For a lag order `p`, two regressions are fitted on the *same* rows `t` (those where `y_t` and
//! every lagged value are finite, so that the residual sums of squares are comparable):
//!
//! - restricted: `y_t = a_0 + a_1 y_{t-1} + ... + a_p y_{t-p} + e_t`,
//! - unrestricted: the same plus `b_1 x_{t-1} + ... + b_p x_{t-p}`,
//!
//! and the F-test asks whether all `b_j` are zero. A small p-value says the past of x carries
//! information about y; it is a statement about prediction, not about mechanism (a common driver
//! that moves x first looks the same). Both series should be stationary: feed changes or returns,
//! not levels.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, FisherSnedecor};

use super::finite;
use super::ols::least_squares;

/// Lags tested by default, 1 to 8 periods (weeks in MODEL.md section 6).
pub const DEFAULT_MAX_LAG: usize = 8;

/// An F statistic with its p-value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FTest {
    /// The F statistic.
    pub f: f64,
    /// `P(F_{q, dof} > f)`.
    pub p_value: f64,
}

/// The F-test of `q` linear restrictions between nested least-squares models.
///
/// `None` when `q` or `dof_unrestricted` is zero, an RSS is negative or not finite, or the
/// unrestricted model fits perfectly (`rss_unrestricted == 0`, F undefined). A restricted RSS below
/// the unrestricted one (only possible by rounding) counts as no improvement, F = 0.
///
/// # Formula
///
/// `F = ((RSS_r - RSS_u) / q) / (RSS_u / dof_u)`, `p = P(F_{q, dof_u} > F)`.
pub fn nested_f_test(
    rss_restricted: f64,
    rss_unrestricted: f64,
    restrictions: usize,
    dof_unrestricted: usize,
) -> Option<FTest> {
    let valid = rss_restricted.is_finite() && rss_unrestricted.is_finite() && rss_restricted >= 0.0;
    if !valid || rss_unrestricted <= 0.0 || restrictions == 0 || dof_unrestricted == 0 {
        return None;
    }
    let improvement = (rss_restricted - rss_unrestricted).max(0.0) / restrictions as f64;
    let f = finite(improvement / (rss_unrestricted / dof_unrestricted as f64))?;
    let distribution = FisherSnedecor::new(restrictions as f64, dof_unrestricted as f64).ok()?;
    Some(FTest { f, p_value: finite(distribution.sf(f))?.clamp(0.0, 1.0) })
}

/// The Granger test of "x Granger-causes y" at one lag order.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GrangerTest {
    /// The lag order `p`.
    pub lag: usize,
    /// The F statistic with `(p, n - 2p - 1)` degrees of freedom.
    pub f: f64,
    /// Its p-value: small means x's past helps predict y.
    pub p_value: f64,
    /// Number of rows used by both regressions.
    pub n: usize,
    /// Residual sum of squares of y on its own lags.
    pub rss_restricted: f64,
    /// Residual sum of squares with x's lags added.
    pub rss_unrestricted: f64,
}

/// Tests whether `x` Granger-causes `y` with `lag` lags of each (see the module docs).
///
/// `x` and `y` are aligned on one calendar. Rows with a non-finite value among `y_t`,
/// `y_{t-1..t-p}`, `x_{t-1..t-p}` are skipped. `None` when the lengths differ, `lag` is zero, there
/// are too few rows (`n <= 2p + 1`), a regressor is constant or collinear (see
/// [`super::ols::COLLINEARITY_TOLERANCE`]), or the unrestricted model fits perfectly.
///
/// # Formula
///
/// `F = ((RSS_r - RSS_u) / p) / (RSS_u / (n - 2p - 1))`, p-value from `F(p, n - 2p - 1)`.
pub fn granger(x: &[f64], y: &[f64], lag: usize) -> Option<GrangerTest> {
    if x.len() != y.len() || lag == 0 || lag >= y.len() {
        return None;
    }
    let complete =
        |t: usize| y[t].is_finite() && (1..=lag).all(|j| y[t - j].is_finite() && x[t - j].is_finite());
    let rows: Vec<usize> = (lag..y.len()).filter(|&t| complete(t)).collect();
    let n = rows.len();
    let dof = n.checked_sub(2 * lag + 1).filter(|dof| *dof > 0)?;

    let response: Vec<f64> = rows.iter().map(|&t| y[t]).collect();
    let lagged = |series: &[f64], j: usize| -> Vec<f64> { rows.iter().map(|&t| series[t - j]).collect() };
    let columns: Vec<Vec<f64>> =
        (1..=lag).map(|j| lagged(y, j)).chain((1..=lag).map(|j| lagged(x, j))).collect();
    let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();

    let restricted = least_squares(&response, &refs[..lag])?;
    let unrestricted = least_squares(&response, &refs)?;
    let test = nested_f_test(restricted.rss, unrestricted.rss, lag, dof)?;
    Some(GrangerTest {
        lag,
        f: test.f,
        p_value: test.p_value,
        n,
        rss_restricted: restricted.rss,
        rss_unrestricted: unrestricted.rss,
    })
}

/// [`granger`] for every lag order `1..=max_lag` (use [`DEFAULT_MAX_LAG`]); orders where the test
/// is undefined are left out, so read each entry's `lag`.
pub fn granger_lags(x: &[f64], y: &[f64], max_lag: usize) -> Vec<GrangerTest> {
    // Beyond half the sample no order can leave a residual degree of freedom.
    let reach = max_lag.min(y.len() / 2);
    (1..=reach).filter_map(|lag| granger(x, y, lag)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::bootstrap::SplitMix64;
    use crate::stats::ols::ols;
    use crate::stats::tolerance::{EXACT, PROPERTY};

    #[test]
    fn f_test_by_hand() {
        // F = ((10 - 4) / 2) / (4 / 4) = 3. With 2 numerator dof the F tail has a closed form,
        // P(F > f) = (1 + 2 f / d2)^(-d2 / 2) = (1 + 1.5)^-2 = 1 / 6.25 = 0.16.
        let test = nested_f_test(10.0, 4.0, 2, 4).expect("defined");
        assert!((test.f - 3.0).abs() < EXACT && (test.p_value - 0.16).abs() < 1e-10);
        // No improvement: F = 0, p = 1.
        assert_eq!(nested_f_test(4.0, 4.0, 2, 4), Some(FTest { f: 0.0, p_value: 1.0 }));
        assert_eq!(nested_f_test(4.0, 0.0, 2, 4), None);
        assert_eq!(nested_f_test(f64::NAN, 1.0, 2, 4), None);
        assert_eq!(nested_f_test(4.0, 1.0, 0, 4), None);
        assert_eq!(nested_f_test(4.0, 1.0, 2, 0), None);
    }

    #[test]
    fn granger_by_hand() {
        // Lag 1 on y = [0,0,1,1,0], x = [0,1,0,0,0]: rows t = 1..4,
        // (y_{t-1}, x_{t-1}, y_t) = (0,0,0), (0,1,1), (1,0,1), (1,0,0).
        // Restricted: y_{t-1} = 0 -> y in {0, 1}, y_{t-1} = 1 -> {1, 0}; both groups fit 0.5,
        // RSS_r = 4 * 0.25 = 1. Unrestricted: the only row with x_{t-1} = 1 is fitted exactly, the
        // first row by the intercept 0, the last two by 0.5: RSS_u = 0.5, dof = 4 - 3 = 1.
        // F = ((1 - 0.5) / 1) / (0.5 / 1) = 1; F(1, 1) is a squared Cauchy, P(F > 1) = 0.5.
        let y = [0.0, 0.0, 1.0, 1.0, 0.0];
        let x = [0.0, 1.0, 0.0, 0.0, 0.0];
        let test = granger(&x, &y, 1).expect("defined");
        assert_eq!((test.lag, test.n), (1, 4));
        assert!((test.rss_restricted - 1.0).abs() < EXACT && (test.rss_unrestricted - 0.5).abs() < EXACT);
        assert!((test.f - 1.0).abs() < 1e-10 && (test.p_value - 0.5).abs() < 1e-10);
    }

    #[test]
    fn granger_matches_explicit_regressions_and_skips_missing_rows() {
        let mut rng = SplitMix64::new(7);
        let mut x: Vec<f64> = (0..60).map(|_| rng.next_f64() - 0.5).collect();
        let mut y: Vec<f64> = (0..60).map(|_| rng.next_f64() - 0.5).collect();
        x[20] = f64::NAN;
        y[41] = f64::NAN;
        let test = granger(&x, &y, 2).expect("defined");
        // Rows need y_t, y_{t-1}, y_{t-2}, x_{t-1}, x_{t-2}: t in 2..60 = 58 rows, minus t = 21, 22
        // (x[20]) and t = 41, 42, 43 (y[41]).
        assert_eq!(test.n, 58 - 5);
        // The same regressions through `ols`, with the lags written out (NaN rows skipped there).
        let shift = |s: &[f64], j: usize| -> Vec<f64> { (2..60).map(|t| s[t - j]).collect() };
        let (y0, y1, y2, x1, x2) = (shift(&y, 0), shift(&y, 1), shift(&y, 2), shift(&x, 1), shift(&x, 2));
        // The restricted model must skip the rows the unrestricted one lacks (x missing) too.
        let y0_common: Vec<f64> = y0
            .iter()
            .zip(x1.iter().zip(&x2))
            .map(|(v, (a, b))| if (a + b).is_nan() { f64::NAN } else { *v })
            .collect();
        let restricted = ols(&y0_common, &[&y1, &y2]).expect("defined");
        let unrestricted = ols(&y0, &[&y1, &y2, &x1, &x2]).expect("defined");
        assert!((test.rss_restricted - restricted.rss).abs() < PROPERTY);
        assert!((test.rss_unrestricted - unrestricted.rss).abs() < PROPERTY);
    }

    #[test]
    fn detects_a_real_lead() {
        // y_t = 0.8 x_{t-1} + noise: x's past predicts y at every lag order.
        let mut rng = SplitMix64::new(42);
        let x: Vec<f64> = (0..300).map(|_| rng.next_f64() - 0.5).collect();
        let y: Vec<f64> = (0..300)
            .map(|t| {
                let signal = if t == 0 { 0.0 } else { 0.8 * x[t - 1] };
                signal + 0.3 * (rng.next_f64() - 0.5)
            })
            .collect();
        let forward = granger_lags(&x, &y, DEFAULT_MAX_LAG);
        assert_eq!(forward.iter().map(|t| t.lag).collect::<Vec<_>>(), (1..=8).collect::<Vec<_>>());
        assert!(forward.iter().all(|t| t.p_value < 1e-6));
    }

    #[test]
    fn rejects_at_the_nominal_rate_under_the_null() {
        // Independent series: p-values are uniform, so about 5% of 200 seeds fall below 0.05
        // (binomial sd ~3); more than 20 would mean the test is mis-sized.
        let rejections = (0..200u64)
            .filter(|seed| {
                let mut rng = SplitMix64::new(*seed);
                let x: Vec<f64> = (0..200).map(|_| rng.next_f64() - 0.5).collect();
                let y: Vec<f64> = (0..200).map(|_| rng.next_f64() - 0.5).collect();
                granger(&x, &y, 2).is_some_and(|t| t.p_value < 0.05)
            })
            .count();
        assert!((2..=20).contains(&rejections), "{rejections} of 200");
    }

    #[test]
    fn undefined_cases() {
        let x = [1.0, 2.0, 3.0, 1.0, 2.0];
        let y = [2.0, 1.0, 3.0, 3.0, 1.0];
        assert_eq!(granger(&x, &y, 0), None);
        assert_eq!(granger(&x, &y, 2), None); // 3 rows, 5 parameters
        assert_eq!(granger(&x, &y[1..], 1), None);
        assert_eq!(granger(&[3.0; 5], &y, 1), None); // constant x: its lag duplicates the intercept
        assert!(granger_lags(&[], &[], 8).is_empty());
        assert!(granger_lags(&x, &y, usize::MAX).len() <= 2);
    }
}
