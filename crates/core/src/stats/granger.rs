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
//!
//! # Robust form and the search over lag orders
//!
//! The classical F assumes errors of constant variance; weekly returns are heteroskedastic, and a
//! few turbulent weeks can make the F reject too often. Each test therefore also carries a
//! heteroskedasticity-robust Wald test of the same restrictions: with `V` the HC3 covariance of
//! the unrestricted regression (see [`super::ols`]) and `b_x` its `p` coefficients on x's lags,
//! `W = b_x' V_xx^-1 b_x`, referred to `chi²(p)` (`p_robust`), and its F form `W / p`
//! (`robust_f`). The report carries both; a page that shows a Granger p-value shows the robust
//! one beside the classical one (the page has no Granger table yet).
//!
//! Testing eight lag orders and reading the smallest p-value is a search: [`granger_lags`] adds
//! Holm's step-down adjustment (Holm 1979) across the orders it returns, `p_holm` for the classical
//! and `p_robust_holm` for the robust p-values, which controls the chance of any false rejection
//! among the orders at the nominal level without assuming the tests independent (they are not:
//! the orders share most of their rows).
//!
//! # Design
//!
//! [`granger_lags`] fits 2 models at each of up to 8 lag orders. Instead of a Householder QR per
//! model (`O(n p²)` each, 16 of them), it reads every fit off one cross-product matrix:
//!
//! - The rows of order `p` (`R_p`, see [`granger`]) are nested, `R_8 ⊆ R_7 ⊆ ... ⊆ R_1`, so one
//!   pass from the largest order down accumulates the Gram matrix `Z'Z` of
//!   `Z = [1, y_{t-1..t-L}, x_{t-1..t-L}, y_t]` over `R_L`, then adds the rows that only the
//!   smaller orders use. A row added at order `p` holds zeros in its lag columns beyond `p`, which
//!   no order `<= p` reads. Each series is shifted by its mean first; with an intercept in every
//!   model this changes no fit and keeps the cross-products well scaled. Cost `O(n L²)` once.
//! - For order `p`, the Cholesky factor of the sub-block `[1, y lags, x lags, y_t]` gives both
//!   residual sums of squares: after the intercept and y's lags, the remaining diagonal entry of
//!   `y_t` is `RSS_r`; after x's lags too, `RSS_u` (`O(p³)`, independent of `n`).
//! - The normal equations square the condition number (see [`super::ols`]), so the fast path is
//!   used only when every pivot keeps at least [`FAST_PATH_MIN_SHARE`] of its column's squared
//!   norm (raw and shifted) and `RSS_u` at least that share of `sum (y_t - shift)²`: every angle
//!   between a regressor and the span of the earlier ones is then far above the collinearity
//!   tolerance of [`super::ols::COLLINEARITY_TOLERANCE`]. This is a heuristic, not a bound: it
//!   bounds each pivot, not the condition number of the whole block (a Kahan-type design can pass
//!   it and still be ill-conditioned), but lagged returns and changes are far from such designs.
//!   On the real and synthetic catalogs F and p agree with QR to better than `1e-9` relative (the
//!   unit tests' tolerance). Otherwise that order is fitted by the QR path (the exact former
//!   computation), which also decides collinearity. A unit test checks both paths against each
//!   other on random, missing-value and nearly collinear data.
//! - The robust Wald test needs each row's residual and leverage, so it costs one pass over the
//!   rows per order, `O(n p²)`. The Cholesky factor `R` of the order's Gram block gives each
//!   row of the thin `Q = Z R^-1` by forward substitution (`q_i = R^-T z_i`), its leverage
//!   `h_i = |q_i|²`, its residual `e_i = y_i - Σ_j R_jy q_ij` and, with
//!   `ω_i = (e_i / (1 - h_i))²`, the x block of the meat `S_xx = Σ_i ω_i q_ix q_ix'`. Since
//!   `V = R^-1 S R^-T`, `R` is upper triangular with x's lags last and `R_xx b_x = c_x` (the
//!   response column of `R` in x's rows), `W = b_x' V_xx^-1 b_x = c_x' S_xx^-1 c_x`: no inverse
//!   of `R` at all. With the intercept in
//!   the model, the shifts change neither the residuals, the leverages nor `b_x`.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

use super::finite;
use super::ols::{hc3_covariance, inverse_quadratic_form, least_squares, LEVERAGE_TOLERANCE};

/// Lags tested by default, 1 to 8 periods (weeks in MODEL.md section 6).
pub const DEFAULT_MAX_LAG: usize = 8;

/// An F statistic with its p-value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
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
    /// The heteroskedasticity-robust Wald statistic of the same `p` restrictions; `None` when a
    /// row has leverage 1 (HC3 undefined) or the robust covariance is singular.
    ///
    /// # Formula
    ///
    /// `W = b_x' V_xx^-1 b_x`, `b_x` the unrestricted coefficients on `x_{t-1..t-p}` and `V_xx`
    /// their block of the HC3 covariance `(X'X)^-1 X' diag(e_i² / (1 - h_ii)²) X (X'X)^-1`.
    pub robust_wald: Option<f64>,
    /// The F form of the robust test, `W / p`, comparable with `f`.
    pub robust_f: Option<f64>,
    /// `P(chi²_p > W)`: the robust p-value, shown beside the classical one.
    pub p_robust: Option<f64>,
    /// The classical p-value adjusted by Holm's step-down method across the lag orders tested
    /// together ([`granger_lags`]); equal to `p_value` for a single order ([`granger`]).
    ///
    /// # Formula
    ///
    /// With the `m` p-values sorted ascending, `p_(1) <= ... <= p_(m)`:
    /// `p_holm_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))`.
    pub p_holm: f64,
    /// The robust p-value adjusted the same way, over the orders whose robust test is defined.
    pub p_robust_holm: Option<f64>,
}

/// The robust Wald test of `restrictions` restrictions from its statistic: `(W, W / q, p)`.
fn robust_test(wald: Option<f64>, restrictions: usize) -> (Option<f64>, Option<f64>, Option<f64>) {
    let Some(wald) = wald.filter(|w| w.is_finite() && *w >= 0.0) else { return (None, None, None) };
    let p = ChiSquared::new(restrictions as f64).ok().and_then(|d| finite(d.sf(wald)));
    (Some(wald), finite(wald / restrictions as f64), p.map(|p| p.clamp(0.0, 1.0)))
}

/// Holm's step-down adjustment of a family of p-values (Holm 1979), in the input order.
///
/// # Formula
///
/// With the `m` p-values sorted ascending, `p_(1) <= ... <= p_(m)`:
/// `adjusted_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))`. Rejecting where `adjusted <= α`
/// keeps the chance of any false rejection at most `α`, whatever the dependence between tests.
///
/// # Example
///
/// ```
/// use tideline_core::stats::granger::holm;
///
/// // Sorted: 0.01 * 3 = 0.03, 0.02 * 2 = 0.04, then max(0.04, 0.5 * 1) = 0.5.
/// assert_eq!(holm(&[0.5, 0.01, 0.02]), vec![0.5, 0.03, 0.04]);
/// ```
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p_values[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Fills `p_holm` and `p_robust_holm` of tests run together (the family is the tests given; the
/// robust family, those with a robust p-value).
fn adjust_for_the_search(tests: &mut [GrangerTest]) {
    let classical = holm(&tests.iter().map(|t| t.p_value).collect::<Vec<_>>());
    for (test, p) in tests.iter_mut().zip(classical) {
        test.p_holm = p;
    }
    let robust: Vec<(usize, f64)> =
        tests.iter().enumerate().filter_map(|(i, t)| Some((i, t.p_robust?))).collect();
    let adjusted = holm(&robust.iter().map(|(_, p)| *p).collect::<Vec<_>>());
    for ((i, _), p) in robust.iter().zip(adjusted) {
        tests[*i].p_robust_holm = Some(p);
    }
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
/// `F = ((RSS_r - RSS_u) / p) / (RSS_u / (n - 2p - 1))`, p-value from `F(p, n - 2p - 1)`; the
/// robust Wald test as documented on [`GrangerTest::robust_wald`].
pub fn granger(x: &[f64], y: &[f64], lag: usize) -> Option<GrangerTest> {
    if x.len() != y.len() || lag == 0 || lag >= y.len() {
        return None;
    }
    LaggedGram::new(x, y, lag).tests(lag).pop().flatten()
}

/// [`granger`] by two Householder QR fits on the explicit lagged columns: the reference for the
/// normal-equation path and its fallback on ill-conditioned data.
fn granger_qr(x: &[f64], y: &[f64], lag: usize) -> Option<GrangerTest> {
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
    // The HC3 covariance's block of x's lags (indices lag + 1..=2 lag, after the intercept and
    // y's lags).
    let wald = hc3_covariance(&response, &refs, &unrestricted).and_then(|v| {
        let p = 2 * lag + 1;
        let block: Vec<f64> =
            (lag + 1..p).flat_map(|a| (lag + 1..p).map(move |b| (a, b))).map(|(a, b)| v[a * p + b]).collect();
        inverse_quadratic_form(&block, unrestricted.coefficients.get(lag + 1..p)?)
    });
    let (robust_wald, robust_f, p_robust) = robust_test(wald, lag);
    Some(GrangerTest {
        lag,
        f: test.f,
        p_value: test.p_value,
        n,
        rss_restricted: restricted.rss,
        rss_unrestricted: unrestricted.rss,
        robust_wald,
        robust_f,
        p_robust,
        p_holm: test.p_value,
        p_robust_holm: p_robust,
    })
}

/// [`granger`] for every lag order `1..=max_lag` (use [`DEFAULT_MAX_LAG`]); orders where the test
/// is undefined are left out, so read each entry's `lag`. `p_holm` and `p_robust_holm` are
/// adjusted across the orders returned ([`holm`]).
pub fn granger_lags(x: &[f64], y: &[f64], max_lag: usize) -> Vec<GrangerTest> {
    // Beyond half the sample no order can leave a residual degree of freedom.
    let reach = max_lag.min(y.len() / 2);
    if x.len() != y.len() || reach == 0 {
        return Vec::new();
    }
    let mut tests: Vec<GrangerTest> = LaggedGram::new(x, y, reach).tests(1).into_iter().flatten().collect();
    adjust_for_the_search(&mut tests);
    tests
}

/// The least share of a squared column norm that a Cholesky pivot (and `RSS_u`, of `y`'s) must
/// keep for the normal-equation fit to be trusted; below it the order is refitted by QR. `1e-4`
/// (an angle of at least 0.01 radian to the span of the earlier columns) bounds the loss to the
/// squared condition number at a few digits, leaving results within about `1e-9` of QR in the
/// tests (a heuristic: see the module docs).
pub const FAST_PATH_MIN_SHARE: f64 = 1e-4;

/// The Granger design over the rows of every order, column-major in the Gram's column order
/// (`dim` columns: intercept, y's lags, x's lags, the response), rows sorted by decreasing depth
/// so that the rows of order `p` are a prefix; a lag beyond a row's depth is 0 (never read).
struct Design {
    values: Vec<f64>,
    /// Rows allocated per column.
    rows: usize,
    /// Rows written so far.
    filled: usize,
}

impl Design {
    fn column(&self, c: usize) -> &[f64] {
        self.values.get(c * self.rows..(c + 1) * self.rows).unwrap_or_default()
    }
}

/// The Gram matrices of the Granger regressions for every order `1..=max_lag` (module docs,
/// "Design").
struct LaggedGram<'a> {
    x: &'a [f64],
    y: &'a [f64],
    max_lag: usize,
    /// Shifts subtracted from y and x (their means over the finite values, or 0).
    shift_y: f64,
    shift_x: f64,
    /// `depth[t]`: the largest order whose rows include `t` (0 when none), capped at `max_lag`.
    depth: Vec<usize>,
}

impl<'a> LaggedGram<'a> {
    /// `x` and `y` have the same length; `max_lag >= 1`.
    fn new(x: &'a [f64], y: &'a [f64], max_lag: usize) -> LaggedGram<'a> {
        let mean_of = |s: &[f64]| {
            let (count, sum) =
                s.iter().filter(|v| v.is_finite()).fold((0usize, 0.0), |(c, t), v| (c + 1, t + v));
            let mean = if count > 0 { sum / count as f64 } else { 0.0 };
            if mean.is_finite() {
                mean
            } else {
                0.0
            }
        };
        // `run`: consecutive complete (x, y) pairs ending just before t.
        let mut depth = Vec::with_capacity(y.len());
        let mut run = 0usize;
        for (&xt, &yt) in x.iter().zip(y) {
            depth.push(if yt.is_finite() { run.min(max_lag) } else { 0 });
            run = if xt.is_finite() && yt.is_finite() { run + 1 } else { 0 };
        }
        LaggedGram { x, y, max_lag, shift_y: mean_of(y), shift_x: mean_of(x), depth }
    }

    /// The Granger test of every order `lowest..=max_lag` (`lowest >= 1`), ascending.
    fn tests(&self, lowest: usize) -> Vec<Option<GrangerTest>> {
        let big = self.max_lag;
        // Columns: 0 intercept, 1..=L y lags, L+1..=2L x lags, 2L+1 the response.
        let dim = 2 * big + 2;
        let mut gram = vec![0.0; dim * dim]; // upper triangle, gram[a * dim + b] for a <= b
        let mut row = vec![0.0; dim];
        let mut n = 0usize;
        let mut out = Vec::with_capacity(big + 1 - lowest.min(big));
        // Every row any order uses, for the robust tests' passes (see `Design`).
        let total = self.depth.iter().filter(|d| **d >= lowest.max(1)).count();
        let mut design = Design { values: vec![0.0; dim * total], rows: total, filled: 0 };
        let mut workspace: Vec<f64> = Vec::new();
        for order in (lowest.max(1)..=big).rev() {
            for (t, _) in self.depth.iter().enumerate().filter(|(_, d)| **d == order) {
                row.fill(0.0);
                row[0] = 1.0;
                for j in 1..=order {
                    row[j] = self.y[t - j] - self.shift_y;
                    row[big + j] = self.x[t - j] - self.shift_x;
                }
                row[dim - 1] = self.y[t] - self.shift_y;
                for (a, &za) in row.iter().enumerate() {
                    if za == 0.0 {
                        continue;
                    }
                    for (g, zb) in gram[a * dim + a..(a + 1) * dim].iter_mut().zip(&row[a..]) {
                        *g += za * zb;
                    }
                }
                for (c, &value) in row.iter().enumerate() {
                    if let Some(slot) = design.values.get_mut(c * total + n) {
                        *slot = value;
                    }
                }
                n += 1;
            }
            design.filled = n;
            let fast = self.test(order, n, &gram, &design, &mut workspace);
            out.push(fast.unwrap_or_else(|| granger_qr(self.x, self.y, order)));
        }
        out.reverse();
        out
    }

    /// The test of one order from the Gram matrix over its `n` rows: `Some(result)` when the fast
    /// path is trustworthy (see [`FAST_PATH_MIN_SHARE`]), `None` to ask for the QR path.
    fn test(
        &self,
        order: usize,
        n: usize,
        gram: &[f64],
        design: &Design,
        workspace: &mut Vec<f64>,
    ) -> Option<Option<GrangerTest>> {
        let Some(dof) = n.checked_sub(2 * order + 1).filter(|dof| *dof > 0) else {
            return Some(None);
        };
        let (big, dim) = (self.max_lag, 2 * self.max_lag + 2);
        // Ascending, so that the sub-block's upper triangle is read from the stored one.
        let columns: Vec<usize> =
            (0..=order).chain(big + 1..=big + order).chain(std::iter::once(dim - 1)).collect();
        let size = columns.len();
        let g = |a: usize, b: usize| gram[columns[a] * dim + columns[b]];
        let shift = |c: usize| match c {
            0 => 0.0,
            c if c <= big => self.shift_y,
            _ => self.shift_x,
        };
        // Upper Cholesky factor R (A = R'R), column by column, row-major r[i * size + k].
        let mut r = vec![0.0; size * size];
        let mut rss_restricted = f64::NAN;
        for k in 0..size {
            for i in 0..k {
                let dot: f64 = (0..i).map(|l| r[l * size + i] * r[l * size + k]).sum();
                r[i * size + k] = (g(i, k) - dot) / r[i * size + i];
            }
            let is_response = k == size - 1;
            let mut pivot = g(k, k);
            for l in 0..k {
                pivot -= r[l * size + k] * r[l * size + k];
                if is_response && l == order {
                    rss_restricted = pivot;
                }
            }
            if is_response {
                // Shares written as positive tests so that NaN and infinity go to QR.
                let trusted = pivot > FAST_PATH_MIN_SHARE * g(k, k) && rss_restricted.is_finite();
                if !trusted {
                    return None;
                }
                let Some(test) = nested_f_test(rss_restricted, pivot, order, dof) else {
                    return Some(None);
                };
                let wald = self.robust_wald(order, &columns, &r, design, workspace);
                let (robust_wald, robust_f, p_robust) = robust_test(wald, order);
                return Some(Some(GrangerTest {
                    lag: order,
                    f: test.f,
                    p_value: test.p_value,
                    n,
                    rss_restricted,
                    rss_unrestricted: pivot,
                    robust_wald,
                    robust_f,
                    p_robust,
                    p_holm: test.p_value,
                    p_robust_holm: p_robust,
                }));
            }
            // The raw column's squared norm: sum (z + c)² = G_kk + 2 c sum z + c² n.
            let c = shift(columns[k]);
            let raw = g(k, k) + 2.0 * c * g(0, k) + c * c * g(0, 0);
            if !(pivot > FAST_PATH_MIN_SHARE * g(k, k).max(raw) && pivot.is_finite()) {
                return None;
            }
            r[k * size + k] = pivot.sqrt();
        }
        None
    }

    /// The robust Wald statistic of one order from the Cholesky factor `r` (row-major
    /// `size × size`, upper, the response last and its diagonal unset) of the Gram block over
    /// `columns`, on the order's `n` rows: the first `n` of `design` (module docs, "Design").
    /// `None` when a leverage reaches 1 or the meat is singular.
    fn robust_wald(
        &self,
        order: usize,
        columns: &[usize],
        r: &[f64],
        design: &Design,
        workspace: &mut Vec<f64>,
    ) -> Option<f64> {
        let (size, n) = (columns.len(), design.rows);
        let regressors = size - 1;
        let n = n.min(design.filled);
        // Column-major: q_0 .. q_{p-1}, then the residual; then the leverages.
        workspace.clear();
        workspace.resize((size + 1) * n, 0.0);
        let (columns_q, leverage) = workspace.split_at_mut(size * n);
        for (j, &column) in columns.iter().enumerate() {
            let (done, rest) = columns_q.split_at_mut(j * n);
            let current = &mut rest[..n];
            current.copy_from_slice(design.column(column).get(..n)?);
            for (k, earlier) in done.chunks_exact(n).enumerate() {
                let coefficient = r[k * size + j];
                for (value, q) in current.iter_mut().zip(earlier) {
                    *value -= coefficient * q;
                }
            }
            if j < regressors {
                let scale = 1.0 / r[j * size + j];
                for (value, h) in current.iter_mut().zip(leverage.iter_mut()) {
                    *value *= scale;
                    *h += *value * *value;
                }
            }
        }
        let (q, residual) = columns_q.split_at_mut(regressors * n);
        // ω_i = (e_i / (1 - h_i))², written over the residual.
        for (e, h) in residual.iter_mut().zip(leverage.iter()) {
            let room = 1.0 - h;
            // Written as a positive test so that NaN counts as undefined too.
            let defined = room > LEVERAGE_TOLERANCE;
            if !defined {
                return None;
            }
            *e = (*e / room) * (*e / room);
        }
        let weight: &[f64] = residual;
        // x's lags are the regressors after the intercept and y's `order` lags.
        let first_x = order + 1;
        let block = |a: usize| &q[(first_x + a) * n..(first_x + a + 1) * n];
        let mut meat = vec![0.0; order * order];
        for a in 0..order {
            for b in a..order {
                let mut total = 0.0;
                for ((w, u), v) in weight.iter().zip(block(a)).zip(block(b)) {
                    total += w * u * v;
                }
                meat[a * order + b] = total;
                meat[b * order + a] = total;
            }
        }
        let c_x: Vec<f64> = (first_x..regressors).map(|i| r[i * size + regressors]).collect();
        inverse_quadratic_form(&meat, &c_x)
    }
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
        assert!(forward.iter().all(|t| t.p_value < 1e-6 && t.p_robust.is_some_and(|p| p < 1e-6)));
        assert!(forward.iter().all(|t| t.p_holm < 1e-5));
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

    /// `a` and `b` equal to `1e-9` relative (or `1e-12` absolute, for p-values near 0).
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a - b).abs() < 1e-12
    }

    /// The QR path for every order, adjusted for the search like [`granger_lags`].
    fn qr_lags(x: &[f64], y: &[f64], max_lag: usize) -> Vec<GrangerTest> {
        let mut tests: Vec<GrangerTest> =
            (1..=max_lag.min(y.len() / 2)).filter_map(|lag| granger_qr(x, y, lag)).collect();
        adjust_for_the_search(&mut tests);
        tests
    }

    /// The rows of the largest order, `order`, of a Gram built for it.
    fn design_of(gram: &LaggedGram<'_>, order: usize) -> Design {
        let big = gram.max_lag;
        let dim = 2 * big + 2;
        let rows: Vec<usize> = (0..gram.depth.len()).filter(|t| gram.depth[*t] >= order).collect();
        let total = rows.len();
        let mut values = vec![0.0; dim * total];
        for (i, &t) in rows.iter().enumerate() {
            values[i] = 1.0;
            for j in 1..=order {
                values[j * total + i] = gram.y[t - j] - gram.shift_y;
                values[(big + j) * total + i] = gram.x[t - j] - gram.shift_x;
            }
            values[(dim - 1) * total + i] = gram.y[t] - gram.shift_y;
        }
        Design { values, rows: total, filled: total }
    }

    /// The normal-equation path of [`granger_lags`] against a QR fit per order.
    fn assert_paths_agree(x: &[f64], y: &[f64], max_lag: usize) {
        let fast = granger_lags(x, y, max_lag);
        let slow = qr_lags(x, y, max_lag);
        assert_eq!(fast.len(), slow.len(), "{fast:?}\n{slow:?}");
        for (f, s) in fast.iter().zip(&slow) {
            assert_eq!((f.lag, f.n), (s.lag, s.n));
            let robust = |t: &GrangerTest| {
                [t.robust_wald, t.robust_f, t.p_robust, t.p_robust_holm].map(|v| v.expect("robust defined"))
            };
            let (fr, sr) = (robust(f), robust(s));
            let pairs = [
                (f.f, s.f),
                (f.p_value, s.p_value),
                (f.rss_restricted, s.rss_restricted),
                (f.rss_unrestricted, s.rss_unrestricted),
                (f.p_holm, s.p_holm),
                (fr[0], sr[0]),
                (fr[1], sr[1]),
                (fr[2], sr[2]),
                (fr[3], sr[3]),
            ];
            assert!(pairs.iter().all(|(a, b)| close(*a, *b)), "{f:?}\n{s:?}");
            // A single order gives the same test as the whole range, up to the order of the sums.
            let single = granger(x, y, f.lag).expect("defined");
            assert!(close(single.f, f.f) && close(single.rss_unrestricted, f.rss_unrestricted));
        }
    }

    fn noise(seed: u64, n: usize) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        (0..n).map(|_| rng.next_f64() - 0.5).collect()
    }

    #[test]
    fn normal_equations_match_qr_on_random_and_dependent_data() {
        for seed in 0..20u64 {
            let mut x = noise(2 * seed, 250);
            let mut y = noise(2 * seed + 1, 250);
            // y partly driven by x's past (a strong fit for odd seeds), with a few gaps.
            let strength = if seed % 2 == 1 { 5.0 } else { 0.3 };
            for t in 2..y.len() {
                y[t] += strength * x[t - 1] - 0.4 * x[t - 2] + 0.2 * y[t - 1];
            }
            if seed % 3 == 0 {
                x[(seed as usize * 7) % 250] = f64::NAN;
                y[(seed as usize * 13 + 5) % 250] = f64::INFINITY;
            }
            let gram = LaggedGram::new(&x, &y, DEFAULT_MAX_LAG);
            let n = gram.depth.iter().filter(|d| **d == DEFAULT_MAX_LAG).count();
            // Well-conditioned data takes the fast path (the comparison below is not QR vs QR).
            let design = design_of(&gram, DEFAULT_MAX_LAG);
            let fast = gram.test(DEFAULT_MAX_LAG, n, &full_gram(&gram), &design, &mut Vec::new());
            assert!(fast.is_some_and(|t| t.is_some_and(|t| t.p_robust.is_some())));
            assert_paths_agree(&x, &y, DEFAULT_MAX_LAG);
        }
    }

    /// The Gram matrix of the largest order's rows alone, for probing the fast path.
    fn full_gram(gram: &LaggedGram<'_>) -> Vec<f64> {
        let big = gram.max_lag;
        let dim = 2 * big + 2;
        let mut out = vec![0.0; dim * dim];
        for (t, _) in gram.depth.iter().enumerate().filter(|(_, d)| **d == big) {
            let mut row = vec![1.0; dim];
            for j in 1..=big {
                row[j] = gram.y[t - j] - gram.shift_y;
                row[big + j] = gram.x[t - j] - gram.shift_x;
            }
            row[dim - 1] = gram.y[t] - gram.shift_y;
            for a in 0..dim {
                for b in a..dim {
                    out[a * dim + b] += row[a] * row[b];
                }
            }
        }
        out
    }

    #[test]
    fn normal_equations_fall_back_to_qr_when_ill_conditioned() {
        let y = noise(5, 200);
        let wiggle = noise(6, 200);
        // Nearly collinear (x's lags almost y's lags): the fast path declines, QR decides, and
        // the results are the QR ones exactly.
        for scale in [1e-3, 1e-7, 1e-9] {
            let x: Vec<f64> = y.iter().zip(&wiggle).map(|(a, w)| 2.0 * a + 1.0 + scale * w).collect();
            let gram = LaggedGram::new(&x, &y, 3);
            let n = gram.depth.iter().filter(|d| **d == 3).count();
            let design = design_of(&gram, 3);
            assert_eq!(gram.test(3, n, &full_gram(&gram), &design, &mut Vec::new()), None, "scale {scale}");
            assert_eq!(granger_lags(&x, &y, 8), qr_lags(&x, &y, 8));
        }
        // Moderately collinear: still the fast path, still QR's answer.
        let x: Vec<f64> = y.iter().zip(&wiggle).map(|(a, w)| a + 0.05 * w).collect();
        assert_paths_agree(&x, &y, 8);
        // Exactly collinear: undefined both ways.
        let x: Vec<f64> = y.iter().map(|a| 2.0 * a + 1.0).collect();
        assert!(granger_lags(&x, &y, 8).is_empty());
        // A level far from 0 with a tiny spread: collinear with the intercept by the raw norm.
        let x: Vec<f64> = wiggle.iter().map(|w| 1e6 + 1e-3 * w).collect();
        assert_eq!(granger_lags(&x, &y, 8), qr_lags(&x, &y, 8));
        // A near-perfect fit of y on x's past.
        let y2: Vec<f64> = (0..200).map(|t| if t == 0 { 0.0 } else { x[t - 1] + 1e-9 * y[t] }).collect();
        assert_eq!(granger_lags(&x, &y2, 8), qr_lags(&x, &y2, 8));
    }

    #[test]
    fn robust_wald_of_one_lag_is_the_squared_hc3_t_statistic() {
        // With one restriction, W = (b / se_HC3)², se_HC3 from the explicit regression through
        // `ols` (whose HC3 is checked against an exact computation in its own tests).
        let (x, y) = (noise(11, 120), noise(12, 120));
        let test = granger(&x, &y, 1).expect("defined");
        let (y0, y1, x1) = (&y[1..], &y[..119], &x[..119]);
        let fit = ols(y0, &[y1, x1]).expect("defined");
        let slope = fit.slope(1).expect("x lag");
        let t = slope.estimate / slope.hc3_std_error.expect("hc3");
        let wald = test.robust_wald.expect("robust");
        assert!((wald - t * t).abs() < 1e-9 * wald.max(1.0), "{wald} vs {}", t * t);
        assert!((test.robust_f.expect("f form") - wald).abs() < EXACT);
        // A single order is its own family: nothing to adjust.
        assert_eq!((test.p_holm, test.p_robust_holm), (test.p_value, test.p_robust));
    }

    #[test]
    fn robust_test_holds_its_size_when_the_variance_follows_x() {
        // x's past does not predict y's mean, but y's variance grows with x_{t-1}⁴: the classical
        // F sees a "signal" in the squared residuals and rejects too often; HC3 does not.
        let (mut classical, mut robust) = (0, 0);
        for seed in 0..200u64 {
            let x = noise(2 * seed + 1000, 150);
            let e = noise(2 * seed + 1001, 150);
            let y: Vec<f64> =
                (0..150).map(|t| if t == 0 { e[0] } else { e[t] * x[t - 1].powi(2) * 20.0 }).collect();
            let test = granger(&x, &y, 2).expect("defined");
            classical += usize::from(test.p_value < 0.05);
            robust += usize::from(test.p_robust.expect("robust") < 0.05);
        }
        assert!(robust < classical, "robust {robust}, classical {classical} of 200");
        assert!((2..=20).contains(&robust), "robust {robust} of 200");
    }

    #[test]
    fn holm_by_hand_and_across_the_orders() {
        // Sorted 0.01, 0.02, 0.03, 0.04 with m = 4: 0.04, 0.06, 0.06 (0.03 * 2, the running max),
        // 0.06 (max(0.06, 0.04)); a p of 0.4 times 4 clips at 1.
        let adjusted = holm(&[0.03, 0.01, 0.04, 0.02]);
        let expected = [0.06, 0.04, 0.06, 0.06];
        assert!(adjusted.iter().zip(expected).all(|(a, b)| (a - b).abs() < EXACT), "{adjusted:?}");
        assert_eq!(holm(&[0.4, 0.9]), vec![0.8, 0.9]);
        assert!(holm(&[]).is_empty());
        // Across granger_lags: never below the raw p-value, and the smallest is m times its raw.
        let (x, y) = (noise(3, 300), noise(4, 300));
        let tests = granger_lags(&x, &y, DEFAULT_MAX_LAG);
        assert!(tests.iter().all(|t| t.p_holm >= t.p_value && t.p_robust_holm >= t.p_robust));
        let smallest = tests.iter().min_by(|a, b| a.p_value.total_cmp(&b.p_value)).expect("tests");
        assert!((smallest.p_holm - (8.0 * smallest.p_value).min(1.0)).abs() < EXACT);
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
