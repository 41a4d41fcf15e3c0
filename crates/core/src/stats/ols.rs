//! Ordinary least squares with an intercept: `y = b_0 + b_1 x_1 + ... + b_k x_k + e`.
//!
//! # Why Householder QR
//!
//! The model regresses asset returns on a few macro changes (MODEL.md section 4: `k = 4`, at most
//! 8 here) and Granger tests need up to 17 columns, so the design matrix is tall and thin. The
//! normal equations `X'X b = X'y` solved by Cholesky are about twice as cheap, but they square the
//! condition number of `X`: levels such as years, index values and balance sheets in the same
//! regression (Longley's data, the classic trap) lose half of the digits. Householder QR works on
//! `X` itself, keeps the accuracy the data allow, and detects collinearity directly from the
//! diagonal of `R`. The cost, `O(n k²)` for `n` rows, is a few microseconds for three years of
//! weekly data. The coefficient covariance comes from `(X'X)^-1 = R^-1 R^-T`, computed on the small
//! `(k + 1) × (k + 1)` triangle.
//!
//! # Robust standard errors (HC3)
//!
//! Weekly returns are heteroskedastic (volatility clusters), and the classical `s² (X'X)^-1`
//! then misstates the uncertainty of a slope, usually understating it in calm samples with a few
//! turbulent weeks. Every fit therefore also carries the HC3 covariance of MacKinnon and White
//! (1985), `(X'X)^-1 X' diag(e_i² / (1 - h_ii)²) X (X'X)^-1`: the sandwich whose meat inflates
//! each squared residual by its leverage, which Long and Ervin (2000) found the best-sized of the
//! HC family in samples of a few hundred. Each [`Coefficient`] has both standard errors; its
//! `ci95` uses HC3 and `ci95_classical` the classical one. With `Q = X R^-1` (the thin Q of the
//! factorisation), `h_ii = |q_i|²` and the covariance is `R^-1 (Σ ω_i q_i q_i') R^-T`, so it costs
//! one more `O(n k²)` pass.
//!
//! A regressor is *collinear* when the part of its column that the previous columns cannot explain
//! is smaller than [`COLLINEARITY_TOLERANCE`] times the column's length; the fit is then `None`
//! (the coefficients are not identified), never a set of huge, meaningless numbers.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::descriptive::variance;
use super::finite;

/// A column counts as a linear combination of the earlier ones (intercept included) when the norm
/// of its component orthogonal to them, `|R_jj|`, is at most this share of its own norm: the sine
/// of its angle to their span. `1e-10` accepts designs conditioned up to about `1e10` (Longley's
/// data pass) and rejects exact collinearity, which leaves a residue near `1e-16`.
pub const COLLINEARITY_TOLERANCE: f64 = 1e-10;

/// A leverage `h_ii` this close to 1 leaves HC3 undefined: the fit passes through that row
/// whatever its value, so its residual says nothing about the row's variance (and `1 - h_ii`
/// divides).
pub const LEVERAGE_TOLERANCE: f64 = 1e-10;

/// One estimated coefficient with its inference.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    /// The least-squares estimate `b_j`.
    pub estimate: f64,
    /// Its classical standard error `sqrt(s² [(X'X)^-1]_jj)` (homoskedastic errors assumed).
    pub std_error: f64,
    /// `estimate / std_error`; `None` when the standard error is zero (a perfect fit).
    pub t_stat: Option<f64>,
    /// Two-sided p-value of `b_j = 0` from Student's t with the residual degrees of freedom; `None`
    /// with the t-statistic.
    pub p_value: Option<f64>,
    /// The heteroskedasticity-robust (HC3) standard error; `None` when a row has leverage 1
    /// (see [`LEVERAGE_TOLERANCE`]).
    ///
    /// # Formula
    ///
    /// `sqrt(V_jj)`, `V = (X'X)^-1 X' diag(e_i² / (1 - h_ii)²) X (X'X)^-1`,
    /// `h_ii = x_i' (X'X)^-1 x_i` (MacKinnon and White 1985).
    pub hc3_std_error: Option<f64>,
    /// Two-sided p-value of `b_j = 0` from `b_j / hc3_std_error` and Student's t with the residual
    /// degrees of freedom; `None` when the HC3 standard error is undefined or zero.
    pub hc3_p_value: Option<f64>,
    /// The 95% interval with the HC3 standard error, the one to show.
    ///
    /// # Formula
    ///
    /// `b_j ± t_{0.975, dof} hc3_std_error`.
    pub ci95: Option<[f64; 2]>,
    /// The 95% interval with the classical standard error, `b_j ± t_{0.975, dof} std_error`.
    pub ci95_classical: Option<[f64; 2]>,
}

/// A fitted regression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OlsFit {
    /// The intercept first, then one coefficient per regressor in the order given.
    pub coefficients: Vec<Coefficient>,
    /// `1 - RSS / TSS`, in `[0, 1]`.
    pub r_squared: f64,
    /// `1 - (1 - R²) (n - 1) / dof`; may be negative for a useless model.
    pub adj_r_squared: f64,
    /// The residual sum of squares.
    pub rss: f64,
    /// `s = sqrt(RSS / dof)`, the residual standard error.
    pub residual_std_error: f64,
    /// Number of complete rows used.
    pub n: usize,
    /// Residual degrees of freedom, `n - k - 1`.
    pub dof: usize,
}

impl OlsFit {
    /// The intercept `b_0`.
    pub fn intercept(&self) -> &Coefficient {
        // Invariant: a fit always holds the intercept, pushed first by `ols`.
        &self.coefficients[0]
    }

    /// The coefficient of regressor `j` (0-based, in the order given to [`ols`]).
    pub fn slope(&self, j: usize) -> Option<&Coefficient> {
        self.coefficients.get(j.checked_add(1)?)
    }

    /// The estimates `[b_0, b_1, ..., b_k]`.
    pub fn estimates(&self) -> Vec<f64> {
        self.coefficients.iter().map(|c| c.estimate).collect()
    }
}

/// Least squares of `y` on an intercept and `regressors` (each a column as long as `y`).
///
/// Rows where `y` or any regressor is not finite are skipped. `None` when a column's length
/// differs from `y`'s, when there are no more complete rows than parameters (`n <= k + 1`, leaving
/// no residual degree of freedom), when `y` is constant (nothing to explain, R² undefined) or when
/// a regressor is constant or collinear with others (see [`COLLINEARITY_TOLERANCE`]).
///
/// # Formula
///
/// `b = argmin |y - X b|²` with `X = [1, x_1, ..., x_k]`, solved as `R b = Q'y` from `X = QR`.
/// `s² = RSS / (n - k - 1)`, `se_j = sqrt(s² [(X'X)^-1]_jj)`, `t_j = b_j / se_j`,
/// `p_j = 2 P(T_dof > |t_j|)`, `R² = 1 - RSS / TSS` with `TSS = sum (y_i - mean(y))²`; the HC3
/// standard errors and both intervals as documented on [`Coefficient`].
///
/// # Example
///
/// ```
/// use tideline_core::stats::ols::ols;
///
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0];
/// let y = [2.0, 4.0, 5.0, 4.0, 5.0];
/// let fit = ols(&y, &[&x]).unwrap();
/// assert!((fit.intercept().estimate - 2.2).abs() < 1e-12);
/// assert!((fit.slope(0).unwrap().estimate - 0.6).abs() < 1e-12);
/// assert!((fit.r_squared - 0.6).abs() < 1e-12);
/// ```
pub fn ols(y: &[f64], regressors: &[&[f64]]) -> Option<OlsFit> {
    if regressors.iter().any(|column| column.len() != y.len()) {
        return None;
    }
    let complete: Vec<usize> = (0..y.len())
        .filter(|&i| y[i].is_finite() && regressors.iter().all(|column| column[i].is_finite()))
        .collect();
    let response: Vec<f64> = complete.iter().map(|&i| y[i]).collect();
    let columns: Vec<Vec<f64>> =
        regressors.iter().map(|column| complete.iter().map(|&i| column[i]).collect()).collect();
    let column_refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();

    let (n, k) = (response.len(), regressors.len());
    let dof = n.checked_sub(k + 1).filter(|dof| *dof > 0)?;
    let tss = variance(&response)? * (n - 1) as f64;
    if tss <= 0.0 {
        return None;
    }
    let solution = least_squares(&response, &column_refs)?;

    let sigma2 = solution.rss / dof as f64;
    let t_dist = StudentsT::new(0.0, 1.0, dof as f64).ok()?;
    let t_975 = finite(t_dist.inverse_cdf(0.975));
    let p = solution.coefficients.len();
    let hc3 = hc3_covariance(&response, &column_refs, &solution);
    let interval = |estimate: f64, se: f64| t_975.map(|q| [estimate - q * se, estimate + q * se]);
    let two_sided = |estimate: f64, se: f64| {
        let t = if se > 0.0 { finite(estimate / se) } else { None };
        (t, t.map(|t| (2.0 * t_dist.sf(t.abs())).clamp(0.0, 1.0)))
    };
    let coefficients = solution
        .coefficients
        .iter()
        .zip(&solution.unscaled_variances)
        .enumerate()
        .map(|(j, (&estimate, &unscaled))| {
            let std_error = finite((sigma2 * unscaled).sqrt())?;
            let (t_stat, p_value) = two_sided(estimate, std_error);
            let hc3_std_error = hc3.as_ref().and_then(|v| finite(v[j * p + j].max(0.0).sqrt()));
            Some(Coefficient {
                estimate,
                std_error,
                t_stat,
                p_value,
                hc3_std_error,
                hc3_p_value: hc3_std_error.and_then(|se| two_sided(estimate, se).1),
                ci95: hc3_std_error.and_then(|se| interval(estimate, se)),
                ci95_classical: interval(estimate, std_error),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let r_squared = (1.0 - solution.rss / tss).clamp(0.0, 1.0);
    Some(OlsFit {
        coefficients,
        r_squared,
        adj_r_squared: finite(1.0 - (1.0 - r_squared) * (n - 1) as f64 / dof as f64)?,
        rss: solution.rss,
        residual_std_error: sigma2.sqrt(),
        n,
        dof,
    })
}

/// The raw solution of a least-squares problem, shared with the Granger test.
#[derive(Clone, Debug)]
pub(crate) struct LeastSquares {
    /// `[b_0, b_1, ..., b_k]`.
    pub coefficients: Vec<f64>,
    /// Residual sum of squares.
    pub rss: f64,
    /// `diag((X'X)^-1)`, to be scaled by `s²`.
    pub unscaled_variances: Vec<f64>,
    /// `R^-1` of `X = QR`, row-major `p × p`, upper triangular: `(X'X)^-1 = R^-1 R^-T`.
    pub r_inv: Vec<f64>,
}

/// The HC3 covariance of a least-squares solution (see the module docs), row-major `p × p` with
/// the intercept first; `columns` and `y` are the complete rows `solution` was fitted on.
///
/// `None` when a row's leverage is within [`LEVERAGE_TOLERANCE`] of 1 or a result is not finite.
///
/// # Formula
///
/// `q_i = R^-T x_i` (row `i` of `Q`), `h_ii = |q_i|²`, `ω_i = (e_i / (1 - h_ii))²`,
/// `V = R^-1 (Σ_i ω_i q_i q_i') R^-T`, which equals
/// `(X'X)^-1 X' diag(ω) X (X'X)^-1` because `X = QR`.
pub(crate) fn hc3_covariance(y: &[f64], columns: &[&[f64]], solution: &LeastSquares) -> Option<Vec<f64>> {
    let p = columns.len() + 1;
    let (b, r_inv) = (&solution.coefficients, &solution.r_inv);
    if b.len() != p || r_inv.len() != p * p {
        return None;
    }
    let mut x = vec![0.0; p];
    let mut q = vec![0.0; p];
    let mut meat = vec![0.0; p * p]; // upper triangle of Σ ω q q'
    for (i, &yi) in y.iter().enumerate() {
        x[0] = 1.0;
        for (slot, column) in x[1..].iter_mut().zip(columns) {
            *slot = *column.get(i)?;
        }
        // q_j = Σ_{k <= j} x_k [R^-1]_kj (R^-1 is upper triangular).
        for (j, qj) in q.iter_mut().enumerate() {
            *qj = (0..=j).map(|k| x[k] * r_inv[k * p + j]).sum();
        }
        let leverage: f64 = q.iter().map(|v| v * v).sum();
        let room = 1.0 - leverage;
        // Written as a positive test so that NaN counts as undefined too.
        let defined = room > LEVERAGE_TOLERANCE;
        if !defined {
            return None;
        }
        let residual = yi - dot(&x, b);
        let weight = (residual / room) * (residual / room);
        for a in 0..p {
            let wa = weight * q[a];
            for (m, qb) in meat[a * p + a..(a + 1) * p].iter_mut().zip(&q[a..]) {
                *m += wa * qb;
            }
        }
    }
    let meat_at = |a: usize, b: usize| if a <= b { meat[a * p + b] } else { meat[b * p + a] };
    // V_ab = Σ_{c, d} [R^-1]_ac M_cd [R^-1]_bd, rows of R^-1 starting at their diagonal.
    let mut v = vec![0.0; p * p];
    for a in 0..p {
        for bb in a..p {
            let mut total = 0.0;
            for c in a..p {
                let inner: f64 = (bb..p).map(|d| meat_at(c, d) * r_inv[bb * p + d]).sum();
                total += r_inv[a * p + c] * inner;
            }
            v[a * p + bb] = total;
            v[bb * p + a] = total;
        }
    }
    v.iter().all(|e| e.is_finite()).then_some(v)
}

/// `b' A^-1 b` for a symmetric positive definite `A` (row-major `q × q`), by Cholesky; `None`
/// when `A` is not positive definite (to the pivot share `1e-12` of its diagonal) or the sizes
/// differ. The Wald statistics of the Granger tests are such forms.
pub(crate) fn inverse_quadratic_form(a: &[f64], b: &[f64]) -> Option<f64> {
    let q = b.len();
    if a.len() != q * q || q == 0 {
        return None;
    }
    // Lower factor L (A = L L'), then |L^-1 b|².
    let mut l = vec![0.0; q * q];
    let mut z = vec![0.0; q];
    for i in 0..q {
        for j in 0..=i {
            let partial: f64 = (0..j).map(|k| l[i * q + k] * l[j * q + k]).sum();
            let entry = a[i * q + j] - partial;
            if i == j {
                let positive = entry > 1e-12 * a[i * q + i].abs();
                if !positive {
                    return None;
                }
                l[i * q + i] = entry.sqrt();
            } else {
                l[i * q + j] = entry / l[j * q + j];
            }
        }
        z[i] = (b[i] - (0..i).map(|k| l[i * q + k] * z[k]).sum::<f64>()) / l[i * q + i];
    }
    finite(z.iter().map(|v| v * v).sum())
}

/// Least squares of `y` on an intercept and `columns`, all complete (finite) and as long as `y`.
///
/// `None` when there are fewer rows than parameters, a column is collinear (see
/// [`COLLINEARITY_TOLERANCE`]) or a result is not finite.
pub(crate) fn least_squares(y: &[f64], columns: &[&[f64]]) -> Option<LeastSquares> {
    let n = y.len();
    let p = columns.len() + 1;
    if n < p || columns.iter().any(|c| c.len() != n) {
        return None;
    }
    // Column-major design matrix, intercept first; overwritten by the Householder vectors and R.
    let mut a = Vec::with_capacity(n * p);
    a.resize(n, 1.0);
    for column in columns {
        a.extend_from_slice(column);
    }
    let mut qty = y.to_vec();
    let mut r_diag = vec![0.0; p];

    for j in 0..p {
        let (left, right) = a.split_at_mut((j + 1) * n);
        let column = &mut left[j * n..];
        let column_norm = norm(column);
        let below_norm = norm(&column[j..]);
        // Written as a positive test so that NaN norms count as collinear too.
        let independent = below_norm > COLLINEARITY_TOLERANCE * column_norm;
        if !independent {
            return None;
        }
        // Reflect column[j..] onto -sign(x_0) |x| e_0: choosing the sign away from x_0 avoids
        // cancellation in v_0 = x_0 - alpha.
        let alpha = if column[j] > 0.0 { -below_norm } else { below_norm };
        column[j] -= alpha;
        let v = &column[j..];
        let v_norm2 = dot(v, v);
        for target in right.chunks_exact_mut(n).map(|c| &mut c[j..]).chain(std::iter::once(&mut qty[j..])) {
            let scale = 2.0 * dot(v, target) / v_norm2;
            for (t, vi) in target.iter_mut().zip(v) {
                *t -= scale * vi;
            }
        }
        r_diag[j] = alpha;
    }
    // R[i][j] (i < j) sits at a[j * n + i]; R[j][j] in r_diag.
    let r = |i: usize, j: usize| if i == j { r_diag[j] } else { a[j * n + i] };

    let mut coefficients = vec![0.0; p];
    for i in (0..p).rev() {
        let tail: f64 = (i + 1..p).map(|j| r(i, j) * coefficients[j]).sum();
        coefficients[i] = (qty[i] - tail) / r(i, i);
    }
    // R^-1 column by column (upper triangular), then diag(R^-1 R^-T) = squared row norms of R^-1.
    let mut r_inv = vec![0.0; p * p]; // row-major, r_inv[i * p + j]
    for col in 0..p {
        for i in (0..=col).rev() {
            let unit = if i == col { 1.0 } else { 0.0 };
            let tail: f64 = (i + 1..=col).map(|j| r(i, j) * r_inv[j * p + col]).sum();
            r_inv[i * p + col] = (unit - tail) / r(i, i);
        }
    }
    let unscaled_variances: Vec<f64> =
        (0..p).map(|i| r_inv[i * p..(i + 1) * p].iter().map(|v| v * v).sum()).collect();

    let rss: f64 = (0..n)
        .map(|i| {
            let fitted =
                coefficients[0] + columns.iter().zip(&coefficients[1..]).map(|(c, b)| b * c[i]).sum::<f64>();
            let residual = y[i] - fitted;
            residual * residual
        })
        .sum();
    let all_finite = rss.is_finite() && coefficients.iter().chain(&unscaled_variances).all(|v| v.is_finite());
    all_finite.then_some(LeastSquares { coefficients, rss, unscaled_variances, r_inv })
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Euclidean norm, scaled by the largest magnitude so that squares of big values cannot overflow.
fn norm(v: &[f64]) -> f64 {
    let largest = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return largest;
    }
    largest * v.iter().map(|x| (x / largest) * (x / largest)).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::correlation::pearson;
    use crate::stats::descriptive::covariance;
    use crate::stats::tolerance::{EXACT, GOLDEN, PROPERTY};
    use proptest::prelude::*;

    /// Certified values of NIST StRD are given to 15 digits; Longley's design has condition number
    /// around 5e9, so a backward-stable solver keeps about 7 of them.
    const LONGLEY_RELATIVE: f64 = 1e-7;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn simple_regression_by_hand() {
        // x = 1..5, y = [2,4,5,4,5]: means 3 and 4, Sxx = 10, Sxy = 6.
        // slope = 6/10 = 0.6, intercept = 4 - 0.6 * 3 = 2.2.
        // fitted 2.8, 3.4, 4.0, 4.6, 5.2; residuals -0.8, 0.6, 1.0, -0.6, -0.2;
        // RSS = 0.64 + 0.36 + 1 + 0.36 + 0.04 = 2.4; TSS = 4+0+1+0+1 = 6; R² = 1 - 2.4/6 = 0.6.
        // dof = 3, s² = 0.8; se(slope) = sqrt(0.8/10) = 0.2828427, t = 2.1213203 (= 3 / sqrt 2);
        // se(intercept) = sqrt(0.8 (1/5 + 9/10)) = sqrt(0.88) = 0.9380832, t = 2.3452079.
        // adjusted R² = 1 - 0.4 * 4/3 = 0.4666667. A NaN row is skipped.
        let x = [1.0, 2.0, f64::NAN, 3.0, 4.0, 5.0];
        let y = [2.0, 4.0, 7.0, 5.0, 4.0, 5.0];
        let fit = ols(&y, &[&x]).expect("defined");
        let (b0, b1) = (fit.intercept(), fit.slope(0).expect("one regressor"));
        assert_eq!((fit.n, fit.dof), (5, 3));
        assert!(close(b0.estimate, 2.2, EXACT) && close(b1.estimate, 0.6, EXACT));
        assert!(close(fit.rss, 2.4, EXACT) && close(fit.r_squared, 0.6, EXACT));
        assert!(close(fit.adj_r_squared, 0.466_666_7, GOLDEN));
        assert!(close(b1.std_error, 0.282_842_7, GOLDEN) && close(b0.std_error, 0.938_083_2, GOLDEN));
        assert!(close(b1.t_stat.expect("t"), 2.121_320_3, GOLDEN));
        assert!(close(b0.t_stat.expect("t"), 2.345_207_9, GOLDEN));
        // Student's t with 3 dof has a closed-form CDF:
        // F(t) = 1/2 + (1/pi) (u / (1 + u²) + atan u), u = t / sqrt 3; p = 2 (1 - F(|t|)).
        let p_by_hand = |t: f64| {
            let u = t / 3f64.sqrt();
            2.0 * (0.5 - (u / (1.0 + u * u) + u.atan()) / std::f64::consts::PI)
        };
        assert!(close(b1.p_value.expect("p"), p_by_hand(2.121_320_343_559_642), 1e-10));
        assert!(close(fit.residual_std_error, 0.8f64.sqrt(), EXACT));
        assert_eq!(fit.estimates().len(), 2);
        assert_eq!(fit.slope(1), None);
    }

    #[test]
    fn hc3_simple_regression_by_hand() {
        // The data of `simple_regression_by_hand`: deviations d = x - 3 = -2..2, Sxx = 10,
        // residuals -0.8, 0.6, 1.0, -0.6, -0.2. Leverages h = 1/5 + d²/10 = 0.6, 0.3, 0.2, 0.3, 0.6.
        // For one regressor the sandwich's slope entry is Σ d² e² / (1 - h)² / Sxx²:
        // e²/(1-h)² = 0.64/0.16 = 4, 0.36/0.49, 1/0.64, 0.36/0.49, 0.04/0.16 = 0.25, so
        // Σ d² ω = 4·4 + 0.734694 + 0 + 0.734694 + 4·0.25 = 18.469388, V = 0.18469388,
        // se = 0.4297603. The intercept's 1.6892366 is from the exact rational computation below.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 4.0, 5.0, 4.0, 5.0];
        let fit = ols(&y, &[&x]).expect("defined");
        let slope = fit.slope(0).expect("slope");
        let by_hand = ((16.0 + 2.0 * 0.36 / 0.49 + 1.0) / 100.0f64).sqrt();
        assert!(close(slope.hc3_std_error.expect("hc3"), by_hand, EXACT));
        assert!(close(fit.intercept().hc3_std_error.expect("hc3"), 1.689_236_634_744_601_3, EXACT));
        // Intervals: b ± t_{0.975, 3} se with t_{0.975, 3} = 3.182446 (a t table).
        let [lo, hi] = slope.ci95.expect("interval");
        assert!(
            close(lo, 0.6 - 3.182_446_305 * by_hand, GOLDEN)
                && close(hi, 0.6 + 3.182_446_305 * by_hand, GOLDEN)
        );
        let [lo, hi] = slope.ci95_classical.expect("interval");
        assert!(close(hi - lo, 2.0 * 3.182_446_305 * 0.08f64.sqrt(), GOLDEN));
        assert!(slope.hc3_p_value.is_some_and(|p| p > slope.p_value.expect("p")));
    }

    #[test]
    fn hc3_two_regressors_match_an_exact_rational_computation() {
        // Reference values from an independent exact computation in rational arithmetic (Python
        // `fractions`: X'X inverted by Gauss-Jordan, h_ii = x_i'(X'X)^-1 x_i, the sandwich
        // multiplied out, one square root at the end), not from this code.
        let x1 = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let x2 = [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 9.0, 7.0];
        let y = [3.0, 5.0, 4.0, 8.0, 9.0, 8.0, 13.0, 12.0];
        let fit = ols(&y, &[&x1, &x2]).expect("defined");
        let expected = [
            (1.448_019_801_980_198, 1.129_930_236_818_004_4, 1.269_029_087_510_028_3),
            (1.084_983_498_349_835, 0.477_418_577_660_499_17, 0.578_567_406_104_239_3),
            (0.306_930_693_069_306_9, 0.438_109_333_429_692_8, 0.709_320_605_253_377_8),
        ];
        for (c, (b, se, hc3)) in fit.coefficients.iter().zip(expected) {
            assert!(close(c.estimate, b, PROPERTY) && close(c.std_error, se, PROPERTY));
            assert!(close(c.hc3_std_error.expect("hc3"), hc3, PROPERTY), "{c:?}");
        }
    }

    #[test]
    fn hc3_is_undefined_with_a_point_of_full_leverage() {
        // x differs from 0 in one row only: the line passes through it (h = 1).
        let x = [0.0, 0.0, 0.0, 0.0, 1.0];
        let y = [1.0, 2.0, 1.5, 2.5, 9.0];
        let fit = ols(&y, &[&x]).expect("classical fit defined");
        let slope = fit.slope(0).expect("slope");
        assert!(slope.ci95_classical.is_some());
        assert_eq!((slope.hc3_std_error, slope.hc3_p_value, slope.ci95), (None, None, None));
    }

    #[test]
    fn two_orthogonal_regressors_by_hand() {
        // x1 and x2 are centred and orthogonal, so X'X = diag(4, 4, 4) and each b is a projection:
        // b0 = mean(y) = 11/4 = 2.75, b1 = (-1+2-3+5)/4 = 0.75, b2 = (-1-2+3+5)/4 = 1.25.
        // fitted 0.75, 2.25, 3.25, 4.75; residuals ±0.25; RSS = 0.25; dof = 1; s² = 0.25;
        // every se = sqrt(0.25 / 4) = 0.25, so t = 11, 3, 5. TSS = 8.75, R² = 1 - 0.25/8.75.
        let x1 = [-1.0, 1.0, -1.0, 1.0];
        let x2 = [-1.0, -1.0, 1.0, 1.0];
        let y = [1.0, 2.0, 3.0, 5.0];
        let fit = ols(&y, &[&x1, &x2]).expect("defined");
        for (c, (b, t)) in fit.coefficients.iter().zip([(2.75, 11.0), (0.75, 3.0), (1.25, 5.0)]) {
            assert!(close(c.estimate, b, EXACT) && close(c.std_error, 0.25, EXACT));
            assert!(close(c.t_stat.expect("t"), t, 1e-10));
        }
        assert!(close(fit.rss, 0.25, EXACT));
        assert!(close(fit.r_squared, 1.0 - 0.25 / 8.75, EXACT));
        // With 1 dof, t is Cauchy: p = 1 - 2 atan(|t|) / pi; for t = 3 that is 0.2048328.
        assert!(close(fit.coefficients[1].p_value.expect("p"), 0.204_832_8, GOLDEN));
    }

    #[test]
    fn undefined_fits_are_none() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [1.0, 3.0, 2.0, 4.0];
        // n <= k + 1.
        assert!(ols(&y[..2], &[&x[..2]]).is_none());
        // Collinear: x2 = 2 x1; constant regressor = the intercept.
        let x2: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
        assert!(ols(&y, &[&x, &x2]).is_none());
        assert!(ols(&y, &[&[7.0; 4]]).is_none());
        // Constant response; mismatched lengths; all rows missing.
        assert!(ols(&[5.0; 4], &[&x]).is_none());
        assert!(ols(&y, &[&x[..3]]).is_none());
        assert!(ols(&[f64::NAN; 4], &[&x]).is_none());
        assert!(ols(&[], &[]).is_none());
    }

    #[test]
    fn intercept_only_model_is_the_mean() {
        let fit = ols(&[1.0, 2.0, 6.0], &[]).expect("defined");
        assert!(close(fit.intercept().estimate, 3.0, EXACT));
        assert!(close(fit.r_squared, 0.0, EXACT) && close(fit.adj_r_squared, 0.0, EXACT));
    }

    #[test]
    fn perfect_fit_has_no_t_statistics() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [3.0, 5.0, 7.0, 9.0];
        let fit = ols(&y, &[&x]).expect("defined");
        assert!(close(fit.slope(0).expect("slope").estimate, 2.0, EXACT));
        assert!(close(fit.r_squared, 1.0, EXACT));
        assert!(fit.coefficients.iter().all(|c| c.t_stat.is_none() && c.p_value.is_none()));
    }

    /// NIST StRD "Longley" (higher difficulty): TOTEMP on GNP deflator, GNP, unemployment, armed
    /// forces, population and year, 1947-1962.
    #[test]
    fn nist_longley_certified_values() {
        #[rustfmt::skip]
        let rows: [[f64; 7]; 16] = [
            // y, x1..x6
            [60323.0, 83.0, 234289.0, 2356.0, 1590.0, 107608.0, 1947.0],
            [61122.0, 88.5, 259426.0, 2325.0, 1456.0, 108632.0, 1948.0],
            [60171.0, 88.2, 258054.0, 3682.0, 1616.0, 109773.0, 1949.0],
            [61187.0, 89.5, 284599.0, 3351.0, 1650.0, 110929.0, 1950.0],
            [63221.0, 96.2, 328975.0, 2099.0, 3099.0, 112075.0, 1951.0],
            [63639.0, 98.1, 346999.0, 1932.0, 3594.0, 113270.0, 1952.0],
            [64989.0, 99.0, 365385.0, 1870.0, 3547.0, 115094.0, 1953.0],
            [63761.0, 100.0, 363112.0, 3578.0, 3350.0, 116219.0, 1954.0],
            [66019.0, 101.2, 397469.0, 2904.0, 3048.0, 117388.0, 1955.0],
            [67857.0, 104.6, 419180.0, 2822.0, 2857.0, 118734.0, 1956.0],
            [68169.0, 108.4, 442769.0, 2936.0, 2798.0, 120445.0, 1957.0],
            [66513.0, 110.8, 444546.0, 4681.0, 2637.0, 121950.0, 1958.0],
            [68655.0, 112.6, 482704.0, 3813.0, 2552.0, 123366.0, 1959.0],
            [69564.0, 114.2, 502601.0, 3931.0, 2514.0, 125368.0, 1960.0],
            [69331.0, 115.7, 518173.0, 4806.0, 2572.0, 127852.0, 1961.0],
            [70551.0, 116.9, 554894.0, 4007.0, 2827.0, 130081.0, 1962.0],
        ];
        let y: Vec<f64> = rows.iter().map(|r| r[0]).collect();
        let columns: Vec<Vec<f64>> = (1..7).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
        let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        let fit = ols(&y, &refs).expect("Longley is well defined");
        let certified = [
            (-3482258.63459582, 890420.383607373),
            (15.0618722713733, 84.9149257747669),
            (-0.358191792925910e-01, 0.334910077722432e-01),
            (-2.02022980381683, 0.488399681651699),
            (-1.03322686717359, 0.214274163161675),
            (-0.511041056535807e-01, 0.226073200069370),
            (1829.15146461355, 455.478499142212),
        ];
        let relative = |a: f64, b: f64| (a - b).abs() / b.abs();
        for (c, (b, se)) in fit.coefficients.iter().zip(certified) {
            assert!(relative(c.estimate, b) < LONGLEY_RELATIVE, "{} vs {b}", c.estimate);
            assert!(relative(c.std_error, se) < LONGLEY_RELATIVE, "{} vs {se}", c.std_error);
        }
        assert!(relative(fit.residual_std_error, 304.854073561965) < LONGLEY_RELATIVE);
        assert!(relative(fit.r_squared, 0.995479004577296) < LONGLEY_RELATIVE);
        assert!(relative(fit.rss, 836424.055505915) < LONGLEY_RELATIVE);
        assert_eq!(fit.dof, 9);
    }

    proptest! {
        #[test]
        fn one_regressor_matches_moments(
            pairs in prop::collection::vec((-1000i32..1000, -1000i32..1000), 3..50),
        ) {
            let (x, y): (Vec<f64>, Vec<f64>) =
                pairs.into_iter().map(|(a, b)| (f64::from(a), f64::from(b))).unzip();
            if let Some(fit) = ols(&y, &[&x]) {
                // A fit exists, so x varies and the moment formulas are defined.
                let slope = covariance(&x, &y).zip(variance(&x)).map(|(c, v)| c / v).expect("x varies");
                let estimate = fit.slope(0).expect("one regressor").estimate;
                prop_assert!(close(estimate, slope, PROPERTY), "{estimate} vs {slope}");
                let r = pearson(&x, &y).unwrap_or(0.0);
                prop_assert!(close(fit.r_squared, r * r, PROPERTY));
                let p_values_valid =
                    fit.coefficients.iter().all(|c| c.p_value.is_none_or(|p| (0.0..=1.0).contains(&p)));
                prop_assert!(p_values_valid);
            }
        }
    }
}
