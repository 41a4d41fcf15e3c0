//! Statistics: descriptive moments, correlation with intervals, least squares, Granger tests, the
//! moving-block bootstrap and the up/down (conditional) betas.
//!
//! # Design
//!
//! Every function takes plain `&[f64]` slices already aligned on one calendar (see
//! [`crate::align`]); a non-finite value (`NaN`, the calendar's "missing", and also `±inf`) is
//! *missing*, and paired statistics skip a pair when either side is missing. Nothing here returns a
//! `NaN`: a statistic that is undefined (too few points, zero variance, a singular design, slices of
//! different lengths) is `None`, so the caller has to decide what to show instead of drawing a gap
//! by accident. No function panics on any input.
//!
//! Sample moments divide by `n - 1` throughout. The heavy lifting is written by hand (Householder QR,
//! the percentile bootstrap, a seeded SplitMix64 generator) to keep the wasm bundle small; `statrs`
//! provides only the distribution functions (normal, Student's t, Fisher-Snedecor).
//!
//! - [`descriptive`]: mean, variance, covariance, quantiles, a five-number summary.
//! - [`correlation`]: Pearson and Spearman, the Fisher-z interval, cross-correlation by lag.
//! - [`ols`]: multiple linear regression with standard errors, t-statistics and p-values.
//! - [`granger`]: the Granger-causality F-test.
//! - [`search`]: significance after a search (the best of 27 lags): circular-shift maximum
//!   statistic, Bonferroni.
//! - [`bootstrap`]: a seeded generator and the circular moving-block bootstrap.
//! - [`conditional`]: up and down betas, capture ratios and the asymmetry of MODEL.md section 5.

pub mod bootstrap;
pub mod conditional;
pub mod correlation;
pub mod descriptive;
pub mod granger;
pub mod ols;
pub mod search;

/// `Some(x)` when `x` is finite, the gate every public statistic passes its result through.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The pairs `(x[i], y[i])` where both values are finite. The caller checks that the lengths agree.
pub(crate) fn finite_pairs<'a>(x: &'a [f64], y: &'a [f64]) -> impl Iterator<Item = (f64, f64)> + 'a {
    x.iter().zip(y).map(|(a, b)| (*a, *b)).filter(|(a, b)| a.is_finite() && b.is_finite())
}

/// Float tolerances shared by the tests of this module.
#[cfg(test)]
pub(crate) mod tolerance {
    /// For values computed in a handful of exact-ish operations (hand-checked golden values).
    pub const EXACT: f64 = 1e-12;
    /// For golden values written with 7 to 9 significant digits.
    pub const GOLDEN: f64 = 1e-7;
    /// For properties that hold in exact arithmetic but go through a regression or a square root.
    pub const PROPERTY: f64 = 1e-9;
}
