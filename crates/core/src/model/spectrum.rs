//! The risk spectrum (MODEL.md 4): measured sensitivities, overflow, concentration, inside crypto,
//! rotation weights and the defensive-exit checklist.
//!
//! # Design
//!
//! Every figure is computed on the weekly (Friday) panel the caller hands over in
//! [`SpectrumInputs`]: slices aligned on one calendar, `NaN` where unknown. Slices shorter or longer
//! than the calendar are read as if cut or padded with `NaN`, so a mismatched input degrades to
//! "unknown", never to a panic. Undefined figures are `None`; every history point carries its
//! calendar date. [`spectrum`] bundles the parts; each part is also a public function of its own.
//!
//! - [`sensitivities`] and [`measured_order`]: how much each tier moves with liquidity, measured, and
//!   whether the measured order agrees with the assumed one.
//! - [`overflow`]: how far up the spectrum the tide reaches now and in history, and after each turn
//!   of the liquidity impulse, how many weeks each tier took to turn positive.
//! - [`concentration`] and [`inside_crypto`]: mega-cap banding and the altcoin-season proxy.
//! - [`RotationTable`] and [`target_weights`]: the editable rule table of target weights.
//! - [`defensive_exit_checklist`]: the conditions that would end a defensive stance.
//!
//! ## Why two regression paths
//!
//! The current sensitivity (the table a reader looks at, with standard errors and p-values) is the
//! QR-based [`ols`] of [`crate::stats::ols`]. The rolling betas (one window every 13 weeks over the
//! whole history, about 100 windows per tier) would cost some 900 QR fits, a few milliseconds and
//! most of the model's budget. They are read instead from prefix sums of the cross products of the
//! regressors and the return (centred normal equations, Cholesky on a 4 x 4 matrix): `O(1)` per
//! window after one pass. Normal equations square the condition number, which is the trap QR avoids
//! for *levels*; these regressors are weekly *changes*, nearly centred and far from collinear, and
//! the sums are taken around the sample means to keep the cancellation small. A test checks that the
//! last rolling window agrees with the QR fit to 1e-9.
//!
//! # Example
//!
//! ```
//! use tideline_core::align::Calendar;
//! use tideline_core::model::spectrum::{spectrum, RotationTable, SpectrumInputs, TierPrices};
//! use tideline_core::Date;
//!
//! let calendar = Calendar::fridays(Date::parse_iso("2024-01-05").unwrap(), Date::parse_iso("2024-12-27").unwrap());
//! let n = calendar.len();
//! let rising: Vec<f64> = (0..n).map(|t| 100.0 * 1.01f64.powi(t as i32)).collect();
//! let tiers = [TierPrices { id: "SP500".into(), name: "S&P 500".into(), prices: rising.clone() }];
//! let nan = vec![f64::NAN; n];
//! let inputs = SpectrumInputs {
//!     calendar: &calendar,
//!     tiers: &tiers,
//!     net_liquidity: &nan,
//!     impulse: &nan,
//!     real_10y: &nan,
//!     hy_oas: &nan,
//!     dollar: &nan,
//!     dollar_observed: &nan,
//!     risk_state: &[],
//!     regimes: &[],
//!     nasdaq100: &nan,
//!     nasdaq_composite: &nan,
//!     btc: &nan,
//!     eth: &nan,
//!     etf_flows_weekly: None,
//! };
//! let result = spectrum(&inputs, &RotationTable::default());
//! assert_eq!(result.as_of, calendar.last());
//! // The only tier rose 1% a week: it is reached (stage 0), and nothing else is known.
//! assert_eq!(result.overflow.current.unwrap().stage, Some(0));
//! // No regression without regressors.
//! assert!(result.sensitivities[0].current.is_none());
//! ```

use serde::{Deserialize, Serialize};

use crate::align::Calendar;
use crate::date::Date;
use crate::model::{LiquidityRegime, Monetary, Quadrant, RegimeSnapshot, Risk, State};
use crate::stats::correlation::spearman;
use crate::stats::descriptive::quantile;
use crate::stats::finite;
use crate::stats::ols::{ols, Coefficient};
use crate::transform::{Change, LogReturn, Transform, TransformError};

/// One tier of the spectrum, safe to risky, with its weekly prices on the panel's Friday calendar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierPrices {
    /// Tier id (e.g. `CASH`, `UST10`, `GOLD`, `SP500`, `NASDAQ100`, `NASDAQCOM`, `CBBTCUSD`,
    /// `CBETHUSD`, `ALTS`).
    pub id: String,
    /// A readable name.
    pub name: String,
    /// Friday closes (a total-return index for cash and Treasuries); NaN where unknown.
    pub prices: Vec<f64>,
}

/// Everything the spectrum needs, aligned on one Friday calendar (every slice has the calendar's
/// length; NaN where unknown). Built by [`crate::model::panel`], point in time.
#[derive(Clone, Debug)]
pub struct SpectrumInputs<'a> {
    /// The Friday calendar.
    pub calendar: &'a Calendar,
    /// Tiers in the assumed order, safe to risky.
    pub tiers: &'a [TierPrices],
    /// Net liquidity, USD bn.
    pub net_liquidity: &'a [f64],
    /// Net-liquidity impulse: 13-week percent change of net liquidity.
    pub impulse: &'a [f64],
    /// 10-year real yield (DFII10), percent, on **observation dates**
    /// ([`crate::model::panel::Panel::observed`]): only the contemporaneous sensitivities read it.
    pub real_10y: &'a [f64],
    /// High-yield option-adjusted spread, percent, on observation dates (sensitivities only).
    pub hy_oas: &'a [f64],
    /// Broad dollar index on publication dates, for the defensive-exit checklist (a signal).
    pub dollar: &'a [f64],
    /// The same dollar index on observation dates, for the sensitivities.
    pub dollar_observed: &'a [f64],
    /// State of the risk-appetite link per week (None where unknown).
    pub risk_state: &'a [Option<State>],
    /// Regimes per week.
    pub regimes: &'a [RegimeSnapshot],
    /// Nasdaq-100 and Nasdaq Composite closes (concentration).
    pub nasdaq100: &'a [f64],
    /// Nasdaq Composite closes.
    pub nasdaq_composite: &'a [f64],
    /// Bitcoin closes.
    pub btc: &'a [f64],
    /// Ether closes.
    pub eth: &'a [f64],
    /// Spot BTC ETF net flows summed over each week (USD millions); None when no flows file.
    pub etf_flows_weekly: Option<&'a [f64]>,
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

/// Default length of the sensitivity regression window: 3 years of weeks (MODEL.md 4).
pub const DEFAULT_WINDOW_WEEKS: usize = 156;

/// Fewest complete weeks for a sensitivity regression: one year. Fewer, and four slopes with their
/// standard errors are noise.
pub const MIN_REGRESSION_WEEKS: usize = 52;

/// Spacing of the rolling sensitivity windows, in weeks (one quarter).
pub const ROLLING_STEP_WEEKS: usize = 13;

/// Horizon of momentum, relative strength, concentration and ETH/BTC trends: 13 weeks.
pub const TREND_WEEKS: usize = 13;

/// How long after a turn of the liquidity impulse the overflow table waits for a tier to turn
/// positive before it reports "not within the horizon".
pub const EPISODE_HORIZON_WEEKS: usize = 52;

/// Fewest measured tiers for the Spearman correlation of the measured order (with two it is ±1
/// whatever the data).
pub const MIN_RANKED_TIERS: usize = 3;

/// The regressors of [`sensitivities`], in the order of the slopes of [`SensitivityFit`].
pub const REGRESSORS: [&str; 4] = [
    "net-liquidity impulse, weekly change (pp)",
    "real 10y yield, weekly change (pp)",
    "HY OAS, weekly change (pp)",
    "broad dollar, weekly log change",
];

/// Number of regressors.
const K: usize = REGRESSORS.len();

/// Regressors plus the response.
const DIM: usize = K + 1;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/// The value at `t`; `NaN` past the slice's end.
fn at(values: &[f64], t: usize) -> f64 {
    values.get(t).copied().unwrap_or(f64::NAN)
}

/// `values` cut or padded with `NaN` to `len` slots, so every input lines up with the calendar.
fn on_calendar(values: &[f64], len: usize) -> Vec<f64> {
    (0..len).map(|t| at(values, t)).collect()
}

/// A transform applied to `values`; all `NaN` when the transform could not be built (its periods
/// are constants of this module, so that branch is not reached in practice).
fn apply<T: Transform>(transform: Result<T, TransformError>, values: &[f64]) -> Vec<f64> {
    match transform {
        Ok(transform) => transform.apply(values),
        Err(_) => vec![f64::NAN; values.len()],
    }
}

/// Log returns over `k` weeks of a calendar-length series.
fn log_returns(values: &[f64], len: usize, k: usize) -> Vec<f64> {
    apply(LogReturn::new(k), &on_calendar(values, len))
}

/// Kleene conjunction: false as soon as one condition is known false, unknown when one is unknown
/// and none is false.
fn all_of(conditions: &[Option<bool>]) -> Option<bool> {
    if conditions.contains(&Some(false)) {
        Some(false)
    } else if conditions.iter().all(Option::is_some) {
        Some(true)
    } else {
        None
    }
}

/// `Some(x > 0)` for a finite `x`.
fn positive(x: f64) -> Option<bool> {
    finite(x).map(|x| x > 0.0)
}

/// The ratio `a / b` of two positive prices; `NaN` otherwise.
fn price_ratio(a: f64, b: f64) -> f64 {
    if a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite() {
        a / b
    } else {
        f64::NAN
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Measured sensitivities
// ---------------------------------------------------------------------------------------------

/// The regression of one tier's weekly log return on the four regressors over one window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensitivityFit {
    /// First week of the window.
    pub start: Date,
    /// Last week of the window.
    pub end: Date,
    /// The intercept (mean weekly log return unexplained by the regressors).
    pub intercept: Coefficient,
    /// Slope on the weekly change of the net-liquidity impulse (per percentage point): the
    /// liquidity beta.
    pub liquidity: Coefficient,
    /// Slope on the weekly change of the real 10-year yield (per percentage point).
    pub real_yield: Coefficient,
    /// Slope on the weekly change of the high-yield spread (per percentage point).
    pub credit_spread: Coefficient,
    /// Slope on the dollar's weekly log change.
    pub dollar: Coefficient,
    /// R-squared.
    pub r_squared: f64,
    /// Adjusted R-squared.
    pub adj_r_squared: f64,
    /// Complete weeks used.
    pub n: usize,
}

/// The liquidity beta of one rolling window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollingBeta {
    /// Last week of the window.
    pub date: Date,
    /// Slope on the weekly change of the net-liquidity impulse; `None` when the window has fewer
    /// than [`MIN_REGRESSION_WEEKS`] complete weeks or a degenerate design.
    pub liquidity_beta: Option<f64>,
    /// Its standard error.
    pub std_error: Option<f64>,
    /// R-squared of the window's regression.
    pub r_squared: Option<f64>,
    /// Complete weeks in the window.
    pub n: usize,
}

/// A tier's measured sensitivities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// Tier id.
    pub tier: String,
    /// Tier name.
    pub name: String,
    /// Window length in weeks.
    pub window_weeks: usize,
    /// The regression over the window ending at the last week; `None` with fewer than
    /// [`MIN_REGRESSION_WEEKS`] complete weeks or a singular design.
    pub current: Option<SensitivityFit>,
    /// The liquidity beta of the same regression every [`ROLLING_STEP_WEEKS`] weeks, ending at the
    /// last week, oldest first (windows ending before week 52 of the calendar are left out).
    pub rolling: Vec<RollingBeta>,
}

/// The four regressors of [`sensitivities`] on the calendar, in [`REGRESSORS`] order.
fn regressors(inputs: &SpectrumInputs<'_>) -> [Vec<f64>; K] {
    let len = inputs.calendar.len();
    [
        apply(Change::new(1), &on_calendar(inputs.impulse, len)),
        apply(Change::new(1), &on_calendar(inputs.real_10y, len)),
        apply(Change::new(1), &on_calendar(inputs.hy_oas, len)),
        log_returns(inputs.dollar_observed, len, 1),
    ]
}

/// Each tier's sensitivity to liquidity, real yields, credit spreads and the dollar: the current
/// regression with full inference, and the liquidity beta every 13 weeks over history.
///
/// A week enters a regression when the tier's return and all four regressors are known there
/// (weeks with any `NaN` are skipped); the window is the `window_weeks` calendar weeks ending at the
/// regression's last week. The real yield, the spread and the dollar are read on observation dates
/// (this week's return against this week's changes; see [`crate::model::panel`]); the impulse is
/// the same either way on Fridays.
///
/// The current fit carries classical and HC3 standard errors and intervals ([`Coefficient`]:
/// `ci95` is the HC3 one). The rolling betas keep the classical standard error: HC3 needs every
/// week's leverage, one QR fit per window, which the prefix sums exist to avoid.
///
/// # Formula
///
/// `r_t = b_0 + b_1 ΔI_t + b_2 Δreal10_t + b_3 ΔOAS_t + b_4 Δln(USD)_t + e_t`, with
/// `r_t = ln(P_t / P_{t-1})` the tier's weekly log return, `I` the net-liquidity impulse (13-week
/// percent change of net liquidity) and `Δ` the change over one week, fitted by least squares
/// ([`ols`]: standard errors, t, two-sided p-values from Student's t with `n - 5` degrees of
/// freedom). The rolling betas are the same `b_1` and its standard error
/// `sqrt(s² [C⁻¹]_11)` from the centred cross-product matrix `C` of the window (see the module
/// docs).
pub fn sensitivities(inputs: &SpectrumInputs<'_>, window_weeks: usize) -> Vec<Sensitivity> {
    let len = inputs.calendar.len();
    let dates = inputs.calendar.dates();
    let regressors = regressors(inputs);
    inputs
        .tiers
        .iter()
        .map(|tier| {
            let returns = log_returns(&tier.prices, len, 1);
            let current = len.checked_sub(1).and_then(|last| {
                let start = (last + 1).saturating_sub(window_weeks);
                current_fit(&returns, &regressors, start, last, dates)
            });
            let cross_products = CrossProducts::new(&returns, &regressors);
            let rolling = rolling_ends(len)
                .into_iter()
                .filter_map(|end| {
                    let start = (end + 1).saturating_sub(window_weeks);
                    let window = cross_products.window(start, end + 1);
                    Some(RollingBeta {
                        date: *dates.get(end)?,
                        liquidity_beta: window.fit.map(|f| f.beta),
                        std_error: window.fit.map(|f| f.std_error),
                        r_squared: window.fit.map(|f| f.r_squared),
                        n: window.n,
                    })
                })
                .collect();
            Sensitivity { tier: tier.id.clone(), name: tier.name.clone(), window_weeks, current, rolling }
        })
        .collect()
}

/// The last weeks of the rolling windows: the calendar's last week and every 13th week before it,
/// ascending, from the first week that could close a one-year window.
fn rolling_ends(len: usize) -> Vec<usize> {
    let Some(last) = len.checked_sub(1) else { return Vec::new() };
    let mut ends: Vec<usize> =
        (0..=last).rev().step_by(ROLLING_STEP_WEEKS).filter(|end| end + 1 >= MIN_REGRESSION_WEEKS).collect();
    ends.reverse();
    ends
}

/// The QR regression over weeks `start..=end`.
fn current_fit(
    returns: &[f64],
    regressors: &[Vec<f64>; K],
    start: usize,
    end: usize,
    dates: &[Date],
) -> Option<SensitivityFit> {
    let range = start..end + 1;
    let y = returns.get(range.clone())?;
    let columns: Vec<&[f64]> = regressors.iter().map(|c| c.get(range.clone())).collect::<Option<_>>()?;
    let fit = ols(y, &columns)?;
    if fit.n < MIN_REGRESSION_WEEKS {
        return None;
    }
    Some(SensitivityFit {
        start: *dates.get(start)?,
        end: *dates.get(end)?,
        intercept: *fit.intercept(),
        liquidity: *fit.slope(0)?,
        real_yield: *fit.slope(1)?,
        credit_spread: *fit.slope(2)?,
        dollar: *fit.slope(3)?,
        r_squared: fit.r_squared,
        adj_r_squared: fit.adj_r_squared,
        n: fit.n,
    })
}

/// A rolling window's liquidity slope.
#[derive(Clone, Copy, Debug, PartialEq)]
struct WindowBeta {
    beta: f64,
    std_error: f64,
    r_squared: f64,
}

/// A rolling window: its complete weeks and, when defined, its liquidity slope.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Window {
    n: usize,
    fit: Option<WindowBeta>,
}

/// A pivot of the Cholesky factorisation of the centred cross-product matrix counts as zero (the
/// regressor is collinear with the others in this window) below this share of the regressor's own
/// centred sum of squares: a squared sine of 1e-12, an angle of 1e-6 to the others' span. The
/// same share of the raw sum of squares flags a regressor or return constant within the window.
const PIVOT_TOLERANCE: f64 = 1e-12;

/// Prefix sums over the complete weeks of `z = (x_1, ..., x_4, y) - shift`, `shift` the means of
/// all complete weeks (so the window sums are of small, nearly centred numbers).
struct CrossProducts {
    /// `count[t]`: complete weeks among `0..t`.
    count: Vec<usize>,
    /// `sums[t][i]`: sum of `z_i` over the complete weeks among `0..t`.
    sums: Vec<[f64; DIM]>,
    /// `products[t][i][j]`: sum of `z_i z_j` over the same weeks.
    products: Vec<[[f64; DIM]; DIM]>,
}

impl CrossProducts {
    fn new(returns: &[f64], regressors: &[Vec<f64>; K]) -> CrossProducts {
        let row = |t: usize| -> Option<[f64; DIM]> {
            let mut z = [at(returns, t); DIM];
            for (zi, column) in z.iter_mut().zip(regressors) {
                *zi = at(column, t);
            }
            z.iter().all(|v| v.is_finite()).then_some(z)
        };
        let len = returns.len();
        let (mut total, mut n) = ([0.0; DIM], 0usize);
        for z in (0..len).filter_map(row) {
            total.iter_mut().zip(z).for_each(|(s, v)| *s += v);
            n += 1;
        }
        let shift = if n > 0 { total.map(|s| s / n as f64) } else { [0.0; DIM] };

        let mut count = Vec::with_capacity(len + 1);
        let mut sums = Vec::with_capacity(len + 1);
        let mut products = Vec::with_capacity(len + 1);
        let (mut c, mut s, mut p) = (0usize, [0.0; DIM], [[0.0; DIM]; DIM]);
        count.push(c);
        sums.push(s);
        products.push(p);
        for t in 0..len {
            if let Some(z) = row(t) {
                let d: [f64; DIM] = std::array::from_fn(|i| z[i] - shift[i]);
                c += 1;
                for (i, (si, pi)) in s.iter_mut().zip(p.iter_mut()).enumerate() {
                    *si += d[i];
                    pi.iter_mut().zip(d).for_each(|(pij, dj)| *pij += d[i] * dj);
                }
            }
            count.push(c);
            sums.push(s);
            products.push(p);
        }
        CrossProducts { count, sums, products }
    }

    /// The regression over weeks `start..end` (end exclusive).
    fn window(&self, start: usize, end: usize) -> Window {
        let (Some(&c0), Some(&c1)) = (self.count.get(start), self.count.get(end)) else {
            return Window { n: 0, fit: None };
        };
        let n = c1.saturating_sub(c0);
        let fit = (n >= MIN_REGRESSION_WEEKS).then(|| self.window_fit(start, end, n)).flatten();
        Window { n, fit }
    }

    fn window_fit(&self, start: usize, end: usize, n: usize) -> Option<WindowBeta> {
        let (s0, s1) = (self.sums.get(start)?, self.sums.get(end)?);
        let (p0, p1) = (self.products.get(start)?, self.products.get(end)?);
        let nf = n as f64;
        let sum: [f64; DIM] = std::array::from_fn(|i| s1[i] - s0[i]);
        let raw: [[f64; DIM]; DIM] = std::array::from_fn(|i| std::array::from_fn(|j| p1[i][j] - p0[i][j]));
        // Centred sums of squares and cross products of the window.
        let c: [[f64; DIM]; DIM] =
            std::array::from_fn(|i| std::array::from_fn(|j| raw[i][j] - sum[i] * sum[j] / nf));
        // A regressor or the return that is constant in the window: nothing to fit or to explain.
        // Written as a positive test so that NaN sums count as degenerate too.
        let varies = |i: usize| c[i][i] > PIVOT_TOLERANCE * raw[i][i];
        if !(0..DIM).all(varies) {
            return None;
        }
        // Cholesky of the regressors' block C_xx = L L'.
        let mut l = [[0.0; K]; K];
        for j in 0..K {
            let pivot = c[j][j] - (0..j).map(|k| l[j][k] * l[j][k]).sum::<f64>();
            let independent = pivot > PIVOT_TOLERANCE * c[j][j];
            if !independent {
                return None;
            }
            l[j][j] = pivot.sqrt();
            for i in j + 1..K {
                l[i][j] = (c[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>()) / l[j][j];
            }
        }
        // Forward substitution: L u = C_xy and L w = e_0 (w: the first column of L^-1).
        let mut u = [0.0; K];
        let mut w = [0.0; K];
        for i in 0..K {
            let unit = if i == 0 { 1.0 } else { 0.0 };
            u[i] = (c[i][K] - (0..i).map(|k| l[i][k] * u[k]).sum::<f64>()) / l[i][i];
            w[i] = (unit - (0..i).map(|k| l[i][k] * w[k]).sum::<f64>()) / l[i][i];
        }
        // Back substitution: L' b = u; only b_0 (liquidity) is reported, but it needs the rest.
        let mut b = [0.0; K];
        for i in (0..K).rev() {
            b[i] = (u[i] - (i + 1..K).map(|k| l[k][i] * b[k]).sum::<f64>()) / l[i][i];
        }
        // RSS = C_yy - b' C_xy = C_yy - |u|²; [C_xx^-1]_00 = |w|².
        let tss = c[K][K];
        let rss = (tss - u.iter().map(|v| v * v).sum::<f64>()).max(0.0);
        let dof = n.checked_sub(DIM).filter(|d| *d > 0)? as f64;
        let std_error = finite((rss / dof * w.iter().map(|v| v * v).sum::<f64>()).sqrt())?;
        Some(WindowBeta {
            beta: finite(b[0])?,
            std_error,
            r_squared: finite(1.0 - rss / tss)?.clamp(0.0, 1.0),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Measured order
// ---------------------------------------------------------------------------------------------

/// One measured tier in the order of its liquidity beta.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasuredTier {
    /// Tier id.
    pub tier: String,
    /// 1-based rank in the assumed order (1 = safest).
    pub assumed_rank: usize,
    /// 1-based rank by liquidity beta (1 = least sensitive).
    pub measured_rank: usize,
    /// The current liquidity beta.
    pub liquidity_beta: f64,
    /// Its standard error.
    pub std_error: f64,
}

/// The measured spectrum beside the assumed one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasuredOrder {
    /// Tier ids in the assumed order, safe to risky.
    pub assumed: Vec<String>,
    /// The tiers with a current fit, sorted by liquidity beta, lowest first (ties keep the
    /// assumed order), so the list reads safe to risky when the assumption holds.
    pub measured: Vec<MeasuredTier>,
    /// Tiers without a current fit (too little data).
    pub unmeasured: Vec<String>,
    /// Spearman's rank correlation between assumed rank and liquidity beta over the measured
    /// tiers; `None` with fewer than [`MIN_RANKED_TIERS`] of them or all betas tied.
    pub spearman: Option<f64>,
}

/// The tiers sorted by measured liquidity beta, beside the assumed order (the order of
/// `sensitivities`, as [`sensitivities`] returns them).
///
/// # Formula
///
/// `rho = spearman(assumed rank, b_1)` over the tiers with a current fit: 1 when the liquidity
/// beta rises strictly along the assumed spectrum, -1 when it falls.
pub fn measured_order(sensitivities: &[Sensitivity]) -> MeasuredOrder {
    let assumed: Vec<String> = sensitivities.iter().map(|s| s.tier.clone()).collect();
    let mut measured: Vec<MeasuredTier> = sensitivities
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let fit = s.current.as_ref()?;
            Some(MeasuredTier {
                tier: s.tier.clone(),
                assumed_rank: i + 1,
                measured_rank: 0,
                liquidity_beta: fit.liquidity.estimate,
                std_error: fit.liquidity.std_error,
            })
        })
        .collect();
    let unmeasured = sensitivities.iter().filter(|s| s.current.is_none()).map(|s| s.tier.clone()).collect();
    let ranks: Vec<f64> = measured.iter().map(|m| m.assumed_rank as f64).collect();
    let betas: Vec<f64> = measured.iter().map(|m| m.liquidity_beta).collect();
    let spearman = if measured.len() >= MIN_RANKED_TIERS { spearman(&ranks, &betas) } else { None };
    // Stable: ties keep the assumed order.
    measured.sort_by(|a, b| a.liquidity_beta.total_cmp(&b.liquidity_beta));
    for (rank, tier) in measured.iter_mut().enumerate() {
        tier.measured_rank = rank + 1;
    }
    MeasuredOrder { assumed, measured, unmeasured, spearman }
}

// ---------------------------------------------------------------------------------------------
// 3. Overflow
// ---------------------------------------------------------------------------------------------

/// One tier's overflow condition at a week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierOverflow {
    /// Tier id.
    pub tier: String,
    /// 13-week log return.
    pub momentum_13w: Option<f64>,
    /// 13-week change of `ln(P_k / P_{k-1})` against the tier below; `None` for the first tier.
    pub relative_strength_13w: Option<f64>,
    /// Whether the tide reaches the tier; `None` when that depends on an unknown figure.
    pub reached: Option<bool>,
}

/// The overflow stage at the last week, with each tier's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverflowNow {
    /// The week.
    pub date: Date,
    /// Index (0-based, in the assumed order) of the highest tier reached; `None` when none is.
    pub stage: Option<usize>,
    /// Id of that tier.
    pub stage_tier: Option<String>,
    /// Indexes of every tier reached, ascending.
    pub reached: Vec<usize>,
    /// Every tier's figures, in the assumed order.
    pub tiers: Vec<TierOverflow>,
}

/// The overflow stage at one week of history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverflowPoint {
    /// The week.
    pub date: Date,
    /// Index of the highest tier reached; `None` when none is (or none is known).
    pub stage: Option<usize>,
    /// Indexes of every tier reached, ascending.
    pub reached: Vec<usize>,
}

/// One turn of the liquidity impulse from `<= 0` to `> 0`, and how long each tier took to follow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverflowEpisode {
    /// The first week with a positive impulse.
    pub date: Date,
    /// Weeks of data after the turn that were searched (less than the horizon for recent turns).
    pub follow_up_weeks: usize,
    /// Per tier (in [`OverflowTable::tiers`] order): weeks from the turn to the first week with a
    /// positive 13-week momentum (0 when it already was); `None` when that did not happen within
    /// `follow_up_weeks`.
    pub weeks_to_positive: Vec<Option<usize>>,
}

/// The typical lag of one tier over the episodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierLag {
    /// Tier id.
    pub tier: String,
    /// Median of the weeks to positive momentum over the episodes where it turned positive within
    /// the horizon; `None` when it never did.
    pub median_weeks: Option<f64>,
    /// Episodes where the tier turned positive within the horizon.
    pub reached: usize,
    /// All episodes.
    pub episodes: usize,
}

/// "Does money reach equities before crypto, and crypto before altcoins?"
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverflowTable {
    /// Column headers: tier ids in the assumed order.
    pub tiers: Vec<String>,
    /// The horizon in weeks ([`EPISODE_HORIZON_WEEKS`]).
    pub horizon_weeks: usize,
    /// One row per turn of the impulse, oldest first.
    pub episodes: Vec<OverflowEpisode>,
    /// The summary row.
    pub summary: Vec<TierLag>,
}

/// How far up the spectrum the tide reaches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overflow {
    /// At the last week; `None` for an empty calendar.
    pub current: Option<OverflowNow>,
    /// Every week of the calendar.
    pub history: Vec<OverflowPoint>,
    /// The episode table.
    pub table: OverflowTable,
}

/// 13-week momentum of every tier, and whether each tier is reached, week by week.
struct TierMomentum {
    momentum: Vec<Vec<f64>>,
}

impl TierMomentum {
    fn new(inputs: &SpectrumInputs<'_>) -> TierMomentum {
        let len = inputs.calendar.len();
        TierMomentum {
            momentum: inputs.tiers.iter().map(|t| log_returns(&t.prices, len, TREND_WEEKS)).collect(),
        }
    }

    fn momentum(&self, k: usize, t: usize) -> f64 {
        self.momentum.get(k).map_or(f64::NAN, |m| at(m, t))
    }

    /// `m_k - m_{k-1}`: with positive prices, exactly the 13-week change of `ln(P_k / P_{k-1})`.
    fn relative(&self, k: usize, t: usize) -> f64 {
        match k.checked_sub(1) {
            Some(below) => self.momentum(k, t) - self.momentum(below, t),
            None => f64::NAN,
        }
    }

    fn reached(&self, k: usize, t: usize) -> Option<bool> {
        let momentum = positive(self.momentum(k, t));
        if k == 0 {
            momentum
        } else {
            all_of(&[momentum, positive(self.relative(k, t))])
        }
    }

    fn reached_list(&self, t: usize) -> Vec<usize> {
        (0..self.momentum.len()).filter(|&k| self.reached(k, t) == Some(true)).collect()
    }
}

/// The overflow stage now and every week, and the episode table.
///
/// Tiers are read in the assumed order; a tier counts as reached on its own conditions, so a tier
/// can be reached while one below it is not (the stage is the highest reached, not the top of an
/// unbroken run; `reached` lists them all).
///
/// # Formula
///
/// With `m_k(t) = ln(P_k(t) / P_k(t-13))`: tier 0 is reached when `m_0(t) > 0`; tier `k > 0` when
/// `m_k(t) > 0` and `ln(P_k/P_{k-1})(t) - ln(P_k/P_{k-1})(t-13) = m_k(t) - m_{k-1}(t) > 0`.
/// `stage(t) = max {k reached at t}`. An episode starts at `t` when `I(t-1) <= 0 < I(t)` (the
/// impulse `I`, both known); its cell for tier `k` is `min {d in 0..=min(52, T - t) : m_k(t + d) > 0}`.
pub fn overflow(inputs: &SpectrumInputs<'_>) -> Overflow {
    let dates = inputs.calendar.dates();
    let len = dates.len();
    let tiers = TierMomentum::new(inputs);
    let tier_count = inputs.tiers.len();

    let history: Vec<OverflowPoint> = dates
        .iter()
        .enumerate()
        .map(|(t, &date)| {
            let reached = tiers.reached_list(t);
            OverflowPoint { date, stage: reached.last().copied(), reached }
        })
        .collect();

    let current = len.checked_sub(1).and_then(|last| {
        let point = history.get(last)?;
        Some(OverflowNow {
            date: point.date,
            stage: point.stage,
            stage_tier: point.stage.and_then(|k| inputs.tiers.get(k)).map(|t| t.id.clone()),
            reached: point.reached.clone(),
            tiers: inputs
                .tiers
                .iter()
                .enumerate()
                .map(|(k, tier)| TierOverflow {
                    tier: tier.id.clone(),
                    momentum_13w: finite(tiers.momentum(k, last)),
                    relative_strength_13w: finite(tiers.relative(k, last)),
                    reached: tiers.reached(k, last),
                })
                .collect(),
        })
    });

    let impulse = on_calendar(inputs.impulse, len);
    let episodes: Vec<OverflowEpisode> = (1..len)
        .filter(|&t| {
            let (before, now) = (impulse[t - 1], impulse[t]);
            before.is_finite() && now.is_finite() && before <= 0.0 && now > 0.0
        })
        .filter_map(|t| {
            let follow_up_weeks = EPISODE_HORIZON_WEEKS.min(len - 1 - t);
            let weeks_to_positive = (0..tier_count)
                .map(|k| (0..=follow_up_weeks).find(|d| tiers.momentum(k, t + d) > 0.0))
                .collect();
            Some(OverflowEpisode { date: *dates.get(t)?, follow_up_weeks, weeks_to_positive })
        })
        .collect();
    let summary = inputs
        .tiers
        .iter()
        .enumerate()
        .map(|(k, tier)| {
            let weeks: Vec<f64> = episodes
                .iter()
                .filter_map(|e| e.weeks_to_positive.get(k).copied().flatten())
                .map(|w| w as f64)
                .collect();
            TierLag {
                tier: tier.id.clone(),
                median_weeks: quantile(&weeks, 0.5),
                reached: weeks.len(),
                episodes: episodes.len(),
            }
        })
        .collect();
    let table = OverflowTable {
        tiers: inputs.tiers.iter().map(|t| t.id.clone()).collect(),
        horizon_weeks: EPISODE_HORIZON_WEEKS,
        episodes,
        summary,
    };
    Overflow { current, history, table }
}

// ---------------------------------------------------------------------------------------------
// 4. Concentration and 5. inside crypto
// ---------------------------------------------------------------------------------------------

/// Mega-cap concentration at one week.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConcentrationPoint {
    /// The week.
    pub date: Date,
    /// NASDAQ100 / NASDAQCOM.
    pub ratio: Option<f64>,
    /// 13-week log change of the ratio (rising = concentration rising).
    pub trend_13w: Option<f64>,
    /// 13-week change of net liquidity, USD bn.
    pub net_liquidity_change_13w: Option<f64>,
    /// Concentration rising while net liquidity is flat or falling; `None` when it depends on an
    /// unknown figure.
    pub limited_liquidity: Option<bool>,
}

/// Mega-cap concentration now and every week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Concentration {
    /// At the last week; `None` for an empty calendar.
    pub current: Option<ConcentrationPoint>,
    /// Every week of the calendar.
    pub history: Vec<ConcentrationPoint>,
}

/// The Nasdaq-100 / Nasdaq Composite ratio, its trend and the "limited liquidity" flag.
///
/// # Formula
///
/// `c_t = NDX_t / COMP_t`, `trend_t = ln(c_t / c_{t-13})`, `ΔNL_t = NL_t - NL_{t-13}`;
/// `limited_liquidity_t = trend_t > 0 and ΔNL_t <= 0` (known false as soon as one side is false).
pub fn concentration(inputs: &SpectrumInputs<'_>) -> Concentration {
    let dates = inputs.calendar.dates();
    let len = dates.len();
    let ratio: Vec<f64> =
        (0..len).map(|t| price_ratio(at(inputs.nasdaq100, t), at(inputs.nasdaq_composite, t))).collect();
    let trend = log_returns(&ratio, len, TREND_WEEKS);
    let liquidity_change = apply(Change::new(TREND_WEEKS), &on_calendar(inputs.net_liquidity, len));
    let history: Vec<ConcentrationPoint> = dates
        .iter()
        .enumerate()
        .map(|(t, &date)| {
            let net_liquidity_change_13w = finite(liquidity_change[t]);
            ConcentrationPoint {
                date,
                ratio: finite(ratio[t]),
                trend_13w: finite(trend[t]),
                net_liquidity_change_13w,
                limited_liquidity: all_of(&[positive(trend[t]), net_liquidity_change_13w.map(|c| c <= 0.0)]),
            }
        })
        .collect();
    Concentration { current: history.last().copied(), history }
}

/// ETH/BTC at one week.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EthBtcPoint {
    /// The week.
    pub date: Date,
    /// ETH / BTC.
    pub ratio: Option<f64>,
    /// 13-week log change of the ratio.
    pub trend_13w: Option<f64>,
    /// The trend is positive: the altcoin-season proxy says alts are gaining on Bitcoin.
    pub alts_gaining: Option<bool>,
}

/// ETH/BTC now and every week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsideCrypto {
    /// At the last week; `None` for an empty calendar.
    pub current: Option<EthBtcPoint>,
    /// Every week of the calendar.
    pub history: Vec<EthBtcPoint>,
}

/// The ETH/BTC ratio and its trend, the altcoin-season proxy. (Bitcoin dominance is not among the
/// inputs yet.)
///
/// # Formula
///
/// `q_t = ETH_t / BTC_t`, `trend_t = ln(q_t / q_{t-13})`, `alts_gaining_t = trend_t > 0`.
pub fn inside_crypto(inputs: &SpectrumInputs<'_>) -> InsideCrypto {
    let dates = inputs.calendar.dates();
    let len = dates.len();
    let ratio: Vec<f64> = (0..len).map(|t| price_ratio(at(inputs.eth, t), at(inputs.btc, t))).collect();
    let trend = log_returns(&ratio, len, TREND_WEEKS);
    let history: Vec<EthBtcPoint> = dates
        .iter()
        .enumerate()
        .map(|(t, &date)| EthBtcPoint {
            date,
            ratio: finite(ratio[t]),
            trend_13w: finite(trend[t]),
            alts_gaining: positive(trend[t]),
        })
        .collect();
    InsideCrypto { current: history.last().copied(), history }
}

// ---------------------------------------------------------------------------------------------
// 6. Rotation
// ---------------------------------------------------------------------------------------------

/// The regimes a rule applies to: each field `None` matches any value (including an unknown one);
/// a field that is set matches only that value, so an unknown regime never matches it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegimeMatch {
    /// Cycle quadrant.
    pub cycle: Option<Quadrant>,
    /// Monetary regime.
    pub monetary: Option<Monetary>,
    /// Liquidity regime.
    pub liquidity: Option<LiquidityRegime>,
    /// Risk regime.
    pub risk: Option<Risk>,
}

impl RegimeMatch {
    /// Whether the regimes at a week satisfy every condition that is set.
    pub fn matches(&self, regimes: &RegimeSnapshot) -> bool {
        fn field<T: PartialEq>(wanted: Option<T>, actual: Option<T>) -> bool {
            wanted.is_none_or(|w| actual == Some(w))
        }
        field(self.cycle, regimes.cycle)
            && field(self.monetary, regimes.monetary)
            && field(self.liquidity, regimes.liquidity)
            && field(self.risk, regimes.risk)
    }
}

/// One row of the rotation table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationRule {
    /// What the rule means, shown with the weights.
    pub label: String,
    /// When it applies (absent: always).
    #[serde(default)]
    pub when: RegimeMatch,
    /// Target weights by tier id (JSON: `[["CASH", 0.4], ["GOLD", 0.2]]`); they need not sum to 1
    /// (see [`target_weights`]).
    pub weights: Vec<(String, f64)>,
}

/// The rotation rule table: the first rule whose conditions match the current regimes gives the
/// target weights. Editable and shown; a user configuration replaces it whole (JSON or any serde
/// format).
///
/// # Example
///
/// ```
/// use tideline_core::model::spectrum::{target_weights, RotationTable};
/// use tideline_core::model::{RegimeSnapshot, Risk};
///
/// let table: RotationTable = serde_json::from_str(
///     r#"{"rules": [
///         {"label": "risk-off", "when": {"risk": "risk_off"}, "weights": [["CASH", 3], ["GOLD", 1]]},
///         {"label": "otherwise", "weights": [["SP500", 1]]}
///     ]}"#,
/// )
/// .unwrap();
/// table.validate().unwrap();
/// let regimes = RegimeSnapshot { cycle: None, monetary: None, liquidity: None, risk: Some(Risk::RiskOff) };
/// let target = target_weights(&table, &regimes, &["CASH", "GOLD", "SP500"]);
/// assert_eq!(target.rule_label.as_deref(), Some("risk-off"));
/// assert_eq!(target.weights[0].weight, 0.75); // 3 / (3 + 1)
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationTable {
    /// The rules, tried in order.
    pub rules: Vec<RotationRule>,
}

/// A rotation table that cannot give weights as written.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RotationError {
    /// The table has no rule.
    #[error("the rotation table has no rule")]
    NoRules,
    /// A weight is negative or not a finite number (weights are long-only shares).
    #[error("rule {rule:?}: the weight of {tier} must be a finite number >= 0, got {weight}")]
    InvalidWeight {
        /// The rule's label.
        rule: String,
        /// The tier id.
        tier: String,
        /// The weight given.
        weight: f64,
    },
    /// A rule whose weights are all zero (or that has none).
    #[error("rule {rule:?} has no positive weight")]
    NoWeight {
        /// The rule's label.
        rule: String,
    },
}

impl Default for RotationTable {
    /// The default table ([`RotationTable::default_table`]).
    fn default() -> RotationTable {
        RotationTable::default_table()
    }
}

impl RotationTable {
    /// The default table, over the default tier ids (`CASH`, `UST10`, `GOLD`, `SP500`, `NASDAQ100`,
    /// `NASDAQCOM`, `CBBTCUSD`, `CBETHUSD`, `ALTS`). Defensive rules come first, so risk-off or
    /// contracting liquidity overrides everything else; then expanding liquidity, reaching crypto
    /// only with risk-on (money fills equities first, crypto when it overflows); stagflation
    /// favours gold and cash; a catch-all ends the table, so some rule always matches.
    ///
    /// | rule | when | cash | UST10 | gold | S&P | NDX | COMP | BTC | ETH | alts |
    /// |---|---|---|---|---|---|---|---|---|---|---|
    /// | Risk-off: defensive | risk off | 40 | 25 | 20 | 10 | 5 | | | | |
    /// | Liquidity contracting: defensive | liquidity contracting | 35 | 20 | 20 | 15 | 10 | | | | |
    /// | Liquidity expanding, risk-on: the tide reaches crypto | expanding, risk on | 5 | 5 | 10 | 20 | 20 | 10 | 18 | 8 | 4 |
    /// | Liquidity expanding: equities first, a toe in Bitcoin | expanding | 10 | 10 | 15 | 25 | 20 | 5 | 10 | 5 | |
    /// | Stagflation: gold and cash | stagflation | 30 | 10 | 30 | 20 | 10 | | | | |
    /// | Balanced: large caps, little crypto | any | 20 | 20 | 15 | 25 | 15 | | 5 | | |
    ///
    /// (percent; each row sums to 100.)
    pub fn default_table() -> RotationTable {
        let rule = |label: &str, when: RegimeMatch, weights: &[(&str, f64)]| RotationRule {
            label: label.to_string(),
            when,
            weights: weights.iter().map(|(id, w)| (id.to_string(), *w)).collect(),
        };
        let any = RegimeMatch::default();
        let expanding = RegimeMatch { liquidity: Some(LiquidityRegime::Expanding), ..any };
        RotationTable {
            rules: vec![
                rule(
                    "Risk-off: defensive",
                    RegimeMatch { risk: Some(Risk::RiskOff), ..any },
                    &[("CASH", 0.40), ("UST10", 0.25), ("GOLD", 0.20), ("SP500", 0.10), ("NASDAQ100", 0.05)],
                ),
                rule(
                    "Liquidity contracting: defensive",
                    RegimeMatch { liquidity: Some(LiquidityRegime::Contracting), ..any },
                    &[("CASH", 0.35), ("UST10", 0.20), ("GOLD", 0.20), ("SP500", 0.15), ("NASDAQ100", 0.10)],
                ),
                rule(
                    "Liquidity expanding, risk-on: the tide reaches crypto",
                    RegimeMatch { risk: Some(Risk::RiskOn), ..expanding },
                    &[
                        ("CASH", 0.05),
                        ("UST10", 0.05),
                        ("GOLD", 0.10),
                        ("SP500", 0.20),
                        ("NASDAQ100", 0.20),
                        ("NASDAQCOM", 0.10),
                        ("CBBTCUSD", 0.18),
                        ("CBETHUSD", 0.08),
                        ("ALTS", 0.04),
                    ],
                ),
                rule(
                    "Liquidity expanding: equities first, a toe in Bitcoin",
                    expanding,
                    &[
                        ("CASH", 0.10),
                        ("UST10", 0.10),
                        ("GOLD", 0.15),
                        ("SP500", 0.25),
                        ("NASDAQ100", 0.20),
                        ("NASDAQCOM", 0.05),
                        ("CBBTCUSD", 0.10),
                        ("CBETHUSD", 0.05),
                    ],
                ),
                rule(
                    "Stagflation: gold and cash",
                    RegimeMatch { cycle: Some(Quadrant::Stagflation), ..any },
                    &[("CASH", 0.30), ("UST10", 0.10), ("GOLD", 0.30), ("SP500", 0.20), ("NASDAQ100", 0.10)],
                ),
                rule(
                    "Balanced: large caps, little crypto",
                    any,
                    &[
                        ("CASH", 0.20),
                        ("UST10", 0.20),
                        ("GOLD", 0.15),
                        ("SP500", 0.25),
                        ("NASDAQ100", 0.15),
                        ("CBBTCUSD", 0.05),
                    ],
                ),
            ],
        }
    }

    /// Checks a (user) table: at least one rule, every weight finite and `>= 0`, every rule with a
    /// positive weight. [`target_weights`] never fails on an invalid table (it ignores bad
    /// weights), so this is for telling the user what to fix.
    pub fn validate(&self) -> Result<(), RotationError> {
        if self.rules.is_empty() {
            return Err(RotationError::NoRules);
        }
        for rule in &self.rules {
            if let Some((tier, weight)) = rule.weights.iter().find(|(_, w)| !(w.is_finite() && *w >= 0.0)) {
                return Err(RotationError::InvalidWeight {
                    rule: rule.label.clone(),
                    tier: tier.clone(),
                    weight: *weight,
                });
            }
            if !rule.weights.iter().any(|(_, w)| *w > 0.0) {
                return Err(RotationError::NoWeight { rule: rule.label.clone() });
            }
        }
        Ok(())
    }
}

/// One tier's target weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierWeight {
    /// Tier id.
    pub tier: String,
    /// Share of the portfolio, in `[0, 1]`.
    pub weight: f64,
}

/// The target weights for one week's regimes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetWeights {
    /// The label of the rule that gave the weights; `None` when no rule applied.
    pub rule_label: Option<String>,
    /// Its 0-based position in the table.
    pub rule_index: Option<usize>,
    /// The regimes the rule was matched against.
    pub regimes: RegimeSnapshot,
    /// One entry per tier present (in the order given, duplicates dropped), summing to 1; empty
    /// when no rule applied.
    pub weights: Vec<TierWeight>,
}

/// The target weights of the first rule that matches `regimes` and puts weight on a tier present.
///
/// Tier ids match exactly. A rule's weights on tiers that are not present are dropped and the rest
/// rescaled to sum to 1, which shares the missing weight among the present tiers in proportion to
/// their own weights (a rule's `[A 0.5, B 0.3, C 0.2]` without C becomes `[A 0.625, B 0.375]`).
/// Weights that are negative or not finite are ignored, and a tier listed twice in a rule gets the
/// sum. A matching rule with no positive weight on any present tier is passed over for the next
/// match; when none is left, `rule_label` is `None` and `weights` is empty.
///
/// # Formula
///
/// `w_k = v_k / sum_{j present} v_j` for the present tiers `k`, `v` the rule's weights.
pub fn target_weights(table: &RotationTable, regimes: &RegimeSnapshot, tiers: &[&str]) -> TargetWeights {
    let mut present: Vec<&str> = Vec::with_capacity(tiers.len());
    for id in tiers {
        if !present.contains(id) {
            present.push(id);
        }
    }
    for (index, rule) in table.rules.iter().enumerate() {
        if !rule.when.matches(regimes) {
            continue;
        }
        let raw: Vec<f64> = present
            .iter()
            .map(|id| {
                rule.weights
                    .iter()
                    .filter(|(tier, w)| tier == id && w.is_finite() && *w > 0.0)
                    .map(|(_, w)| w)
                    .sum::<f64>()
            })
            .collect();
        let total: f64 = raw.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            continue;
        }
        return TargetWeights {
            rule_label: Some(rule.label.clone()),
            rule_index: Some(index),
            regimes: *regimes,
            weights: present
                .iter()
                .zip(raw)
                .map(|(id, w)| TierWeight { tier: id.to_string(), weight: w / total })
                .collect(),
        };
    }
    TargetWeights { rule_label: None, rule_index: None, regimes: *regimes, weights: Vec::new() }
}

// ---------------------------------------------------------------------------------------------
// 7. Defensive-exit checklist
// ---------------------------------------------------------------------------------------------

/// Weeks of the dollar's trailing high.
pub const DOLLAR_HIGH_WEEKS: usize = 26;

/// How far below its trailing high the dollar must be to count as past a peak.
pub const DOLLAR_PEAK_DRAWDOWN: f64 = 0.02;

/// Window of the decoupling share: the last 13 weeks.
pub const DECOUPLING_WEEKS: usize = 13;

/// Fewest Nasdaq-100 down weeks in a 13-week window for its decoupling share to count (with one
/// or two the share is 0, 0.5 or 1 by chance).
pub const MIN_DOWN_WEEKS: usize = 3;

/// History behind the decoupling comparison: the 3 years of weekly shares before the last week.
pub const DECOUPLING_HISTORY_WEEKS: usize = 156;

/// Fewest defined shares in that history for its median to count.
pub const MIN_DECOUPLING_HISTORY: usize = 52;

/// Weeks of ETF flows that must be non-negative.
pub const ETF_FLOW_WEEKS: usize = 2;

/// One condition of the checklist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Stable id (`dollar_past_peak`, `liquidity_impulse_positive`, `risk_not_restrictive`,
    /// `btc_decoupling`, `etf_outflows_stopped`).
    pub id: String,
    /// What the condition says.
    pub label: String,
    /// Whether it holds; `None` when an input it needs is missing (or too thin to judge).
    pub met: Option<bool>,
    /// The figures behind the verdict, or what is missing.
    pub detail: String,
}

/// The conditions that would end a defensive stance, at the last week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    /// The week; `None` for an empty calendar.
    pub date: Option<Date>,
    /// The items, in a fixed order.
    pub items: Vec<ChecklistItem>,
    /// Items met.
    pub met: usize,
    /// Items with a known verdict.
    pub known: usize,
}

/// The defensive-exit checklist at the last week of the calendar.
///
/// # Formula
///
/// With `T` the last week:
/// - dollar past a peak: `1 - USD_T / max(USD_{T-25..=T}) >= 2%` and `USD_T - USD_{T-13} < 0`;
/// - liquidity impulse positive: `I_T > 0`;
/// - risk appetite not restrictive: the risk-appetite link's state at `T` is not restrictive;
/// - Bitcoin rising on Nasdaq-down weeks: `s_T > median(s_{T-156..T})`, where `s_t` is the share of
///   the weeks `t-12..=t` with a negative Nasdaq-100 weekly log return on which Bitcoin's was
///   positive (defined with at least [`MIN_DOWN_WEEKS`] such weeks; the median needs
///   [`MIN_DECOUPLING_HISTORY`] defined shares; weeks with a zero Nasdaq return count as neither);
/// - ETF outflows stopped: the net flows of each of the last 2 weeks are `>= 0`.
pub fn defensive_exit_checklist(inputs: &SpectrumInputs<'_>) -> Checklist {
    let len = inputs.calendar.len();
    let last = len.checked_sub(1);
    let items = vec![
        dollar_past_peak(inputs.dollar, last),
        impulse_positive(inputs.impulse, last),
        risk_not_restrictive(inputs.risk_state, last),
        btc_decoupling(inputs, last),
        etf_outflows_stopped(inputs.etf_flows_weekly, last),
    ];
    Checklist {
        date: inputs.calendar.last(),
        met: items.iter().filter(|i| i.met == Some(true)).count(),
        known: items.iter().filter(|i| i.met.is_some()).count(),
        items,
    }
}

const NO_WEEK: &str = "no week on the calendar";

fn dollar_past_peak(dollar: &[f64], last: Option<usize>) -> ChecklistItem {
    let (id, label) = ("dollar_past_peak", "Dollar past a peak");
    let item = |met, detail| ChecklistItem { id: id.into(), label: label.into(), met, detail };
    let Some(t) = last else { return item(None, NO_WEEK.to_string()) };
    let now = at(dollar, t);
    if !now.is_finite() {
        return item(None, "broad dollar index missing at the last week".to_string());
    }
    let high = ((t + 1).saturating_sub(DOLLAR_HIGH_WEEKS)..=t)
        .map(|s| at(dollar, s))
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let below_high = finite(1.0 - now / high).filter(|_| high > 0.0);
    let before = t.checked_sub(TREND_WEEKS).map_or(f64::NAN, |s| at(dollar, s));
    let change = finite(now - before);
    let met = all_of(&[below_high.map(|b| b >= DOLLAR_PEAK_DRAWDOWN), change.map(|c| c < 0.0)]);
    let below_text = below_high.map_or("its 26-week high unknown".to_string(), |b| {
        format!("{:.1}% below its 26-week high {high:.2}", 100.0 * b)
    });
    let change_text = change.map_or("13-week change unknown".to_string(), |c| {
        format!("13-week change {:+.2} ({:+.1}%)", c, 100.0 * c / before)
    });
    item(met, format!("dollar {now:.2}, {below_text}; {change_text} (past a peak: >= 2% below and falling)"))
}

fn impulse_positive(impulse: &[f64], last: Option<usize>) -> ChecklistItem {
    let (id, label) = ("liquidity_impulse_positive", "Liquidity impulse positive");
    let Some(t) = last else {
        return ChecklistItem { id: id.into(), label: label.into(), met: None, detail: NO_WEEK.to_string() };
    };
    match finite(at(impulse, t)) {
        Some(i) => ChecklistItem {
            id: id.into(),
            label: label.into(),
            met: Some(i > 0.0),
            detail: format!("net-liquidity impulse {i:+.2}% (13-week change of net liquidity)"),
        },
        None => ChecklistItem {
            id: id.into(),
            label: label.into(),
            met: None,
            detail: "net-liquidity impulse missing at the last week".into(),
        },
    }
}

fn risk_not_restrictive(risk_state: &[Option<State>], last: Option<usize>) -> ChecklistItem {
    let (id, label) = ("risk_not_restrictive", "Risk appetite not restrictive");
    let Some(t) = last else {
        return ChecklistItem { id: id.into(), label: label.into(), met: None, detail: NO_WEEK.to_string() };
    };
    match risk_state.get(t).copied().flatten() {
        Some(state) => {
            let name = match state {
                State::Supportive => "supportive",
                State::Neutral => "neutral",
                State::Restrictive => "restrictive",
            };
            ChecklistItem {
                id: id.into(),
                label: label.into(),
                met: Some(state != State::Restrictive),
                detail: format!("the risk-appetite link is {name}"),
            }
        }
        None => ChecklistItem {
            id: id.into(),
            label: label.into(),
            met: None,
            detail: "risk-appetite state unknown at the last week".into(),
        },
    }
}

/// Bitcoin's rises among the Nasdaq-100 down weeks of the 13 weeks ending at `end`:
/// `(rose, down)`.
fn decoupling_counts(nasdaq: &[f64], btc: &[f64], end: usize) -> (usize, usize) {
    ((end + 1).saturating_sub(DECOUPLING_WEEKS)..=end)
        .filter(|&t| at(nasdaq, t) < 0.0 && at(btc, t).is_finite())
        .fold((0, 0), |(rose, down), t| (rose + usize::from(at(btc, t) > 0.0), down + 1))
}

fn decoupling_share(nasdaq: &[f64], btc: &[f64], end: usize) -> Option<f64> {
    let (rose, down) = decoupling_counts(nasdaq, btc, end);
    (down >= MIN_DOWN_WEEKS).then(|| rose as f64 / down as f64)
}

fn btc_decoupling(inputs: &SpectrumInputs<'_>, last: Option<usize>) -> ChecklistItem {
    let (id, label) = ("btc_decoupling", "Bitcoin rising on Nasdaq-down weeks");
    let item = |met, detail| ChecklistItem { id: id.into(), label: label.into(), met, detail };
    let Some(t) = last else { return item(None, NO_WEEK.to_string()) };
    let len = inputs.calendar.len();
    let nasdaq = log_returns(inputs.nasdaq100, len, 1);
    let btc = log_returns(inputs.btc, len, 1);
    let (rose, down) = decoupling_counts(&nasdaq, &btc, t);
    let Some(share) = decoupling_share(&nasdaq, &btc, t) else {
        return item(
            None,
            format!(
                "{down} Nasdaq-100 down weeks with a Bitcoin return in the last 13 (need {MIN_DOWN_WEEKS})"
            ),
        );
    };
    let history: Vec<f64> = (t.saturating_sub(DECOUPLING_HISTORY_WEEKS)..t)
        .filter_map(|s| decoupling_share(&nasdaq, &btc, s))
        .collect();
    let now_text = format!(
        "Bitcoin rose in {rose} of {down} Nasdaq-100 down weeks over the last 13 ({:.0}%)",
        100.0 * share
    );
    if history.len() < MIN_DECOUPLING_HISTORY {
        return item(
            None,
            format!(
                "{now_text}; only {} weekly shares in the trailing 3 years (need {MIN_DECOUPLING_HISTORY})",
                history.len()
            ),
        );
    }
    let Some(median) = quantile(&history, 0.5) else { return item(None, now_text) };
    item(
        Some(share > median),
        format!("{now_text}; trailing 3-year median share {:.0}% ({} weeks)", 100.0 * median, history.len()),
    )
}

fn etf_outflows_stopped(flows: Option<&[f64]>, last: Option<usize>) -> ChecklistItem {
    let (id, label) = ("etf_outflows_stopped", "ETF outflows stopped");
    let item = |met, detail| ChecklistItem { id: id.into(), label: label.into(), met, detail };
    let Some(flows) = flows else { return item(None, "no ETF flows file loaded".to_string()) };
    let Some(t) = last else { return item(None, NO_WEEK.to_string()) };
    let Some(first) = (t + 1).checked_sub(ETF_FLOW_WEEKS) else {
        return item(None, format!("fewer than {ETF_FLOW_WEEKS} weeks on the calendar"));
    };
    let recent: Vec<f64> = (first..=t).map(|s| at(flows, s)).collect();
    if recent.iter().any(|v| !v.is_finite()) {
        return item(None, "ETF flows missing in the last 2 weeks".to_string());
    }
    let text = recent.iter().map(|v| format!("{v:+.0}")).collect::<Vec<_>>().join(" and ");
    item(
        Some(recent.iter().all(|v| *v >= 0.0)),
        format!("net ETF flows of the last 2 weeks: {text} USD mn (stopped: both >= 0)"),
    )
}

// ---------------------------------------------------------------------------------------------
// 8. Everything
// ---------------------------------------------------------------------------------------------

/// A tier's id and name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierLabel {
    /// Tier id.
    pub id: String,
    /// Tier name.
    pub name: String,
}

/// The rotation view: the table (shown) and the current target weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rotation {
    /// The rule table in use.
    pub table: RotationTable,
    /// The week the weights are for; `None` for an empty calendar.
    pub date: Option<Date>,
    /// The target weights for the regimes of that week, over the tiers with a price there.
    pub current: TargetWeights,
}

/// The whole risk spectrum (MODEL.md 4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpectrumResult {
    /// The last week of the calendar.
    pub as_of: Option<Date>,
    /// The tiers in the assumed order, safe to risky.
    pub tiers: Vec<TierLabel>,
    /// Measured sensitivities ([`sensitivities`], 3-year window).
    pub sensitivities: Vec<Sensitivity>,
    /// The measured order beside the assumed one.
    pub measured_order: MeasuredOrder,
    /// Overflow stage, history and episode table.
    pub overflow: Overflow,
    /// Mega-cap concentration.
    pub concentration: Concentration,
    /// ETH/BTC, the altcoin-season proxy.
    pub inside_crypto: InsideCrypto,
    /// Rotation table and current target weights.
    pub rotation: Rotation,
    /// The defensive-exit checklist.
    pub checklist: Checklist,
}

/// Every figure of the risk spectrum at the last week of the calendar, with its history.
///
/// The rotation weights are for the regimes of the last week (all unknown when `regimes` is short),
/// over the tiers whose price is known and positive that week.
///
/// # Formula
///
/// See [`sensitivities`] (window [`DEFAULT_WINDOW_WEEKS`]), [`measured_order`], [`overflow`],
/// [`concentration`], [`inside_crypto`], [`target_weights`] and [`defensive_exit_checklist`].
pub fn spectrum(inputs: &SpectrumInputs<'_>, table: &RotationTable) -> SpectrumResult {
    let sensitivities = sensitivities(inputs, DEFAULT_WINDOW_WEEKS);
    let measured_order = measured_order(&sensitivities);
    let last = inputs.calendar.len().checked_sub(1);
    let unknown = RegimeSnapshot { cycle: None, monetary: None, liquidity: None, risk: None };
    let regimes = last.and_then(|t| inputs.regimes.get(t).copied()).unwrap_or(unknown);
    let present: Vec<&str> = inputs
        .tiers
        .iter()
        .filter(|tier| last.is_some_and(|t| at(&tier.prices, t) > 0.0 && at(&tier.prices, t).is_finite()))
        .map(|tier| tier.id.as_str())
        .collect();
    SpectrumResult {
        as_of: inputs.calendar.last(),
        tiers: inputs.tiers.iter().map(|t| TierLabel { id: t.id.clone(), name: t.name.clone() }).collect(),
        sensitivities,
        measured_order,
        overflow: overflow(inputs),
        concentration: concentration(inputs),
        inside_crypto: inside_crypto(inputs),
        rotation: Rotation {
            table: table.clone(),
            date: inputs.calendar.last(),
            current: target_weights(table, &regimes, &present),
        },
        checklist: defensive_exit_checklist(inputs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::bootstrap::SplitMix64;
    use crate::stats::tolerance::{EXACT, PROPERTY};

    /// Owns everything a [`SpectrumInputs`] borrows; every series starts all `NaN`.
    struct Fixture {
        calendar: Calendar,
        tiers: Vec<TierPrices>,
        net_liquidity: Vec<f64>,
        impulse: Vec<f64>,
        real_10y: Vec<f64>,
        hy_oas: Vec<f64>,
        dollar: Vec<f64>,
        risk_state: Vec<Option<State>>,
        regimes: Vec<RegimeSnapshot>,
        nasdaq100: Vec<f64>,
        nasdaq_composite: Vec<f64>,
        btc: Vec<f64>,
        eth: Vec<f64>,
        etf_flows: Option<Vec<f64>>,
    }

    const UNKNOWN: RegimeSnapshot =
        RegimeSnapshot { cycle: None, monetary: None, liquidity: None, risk: None };

    impl Fixture {
        fn new(weeks: usize) -> Fixture {
            let first = Date::parse_iso("2000-01-07").expect("a Friday");
            let calendar = Calendar::fridays(first, first.add_days(7 * weeks as i32 - 1));
            assert_eq!(calendar.len(), weeks);
            let nan = vec![f64::NAN; weeks];
            Fixture {
                calendar,
                tiers: Vec::new(),
                net_liquidity: nan.clone(),
                impulse: nan.clone(),
                real_10y: nan.clone(),
                hy_oas: nan.clone(),
                dollar: nan.clone(),
                risk_state: vec![None; weeks],
                regimes: vec![UNKNOWN; weeks],
                nasdaq100: nan.clone(),
                nasdaq_composite: nan.clone(),
                btc: nan.clone(),
                eth: nan,
                etf_flows: None,
            }
        }

        fn inputs(&self) -> SpectrumInputs<'_> {
            SpectrumInputs {
                calendar: &self.calendar,
                tiers: &self.tiers,
                net_liquidity: &self.net_liquidity,
                impulse: &self.impulse,
                real_10y: &self.real_10y,
                hy_oas: &self.hy_oas,
                dollar: &self.dollar,
                dollar_observed: &self.dollar,
                risk_state: &self.risk_state,
                regimes: &self.regimes,
                nasdaq100: &self.nasdaq100,
                nasdaq_composite: &self.nasdaq_composite,
                btc: &self.btc,
                eth: &self.eth,
                etf_flows_weekly: self.etf_flows.as_deref(),
            }
        }

        fn add_tier(&mut self, id: &str, prices: Vec<f64>) {
            self.tiers.push(TierPrices { id: id.to_string(), name: format!("tier {id}"), prices });
        }
    }

    /// Prices of 100 at week 0 whose weekly log returns are `returns[1..]`.
    fn prices_from_returns(returns: &[f64]) -> Vec<f64> {
        let mut level = 100.0;
        returns
            .iter()
            .enumerate()
            .map(|(t, r)| {
                if t > 0 {
                    level *= r.exp();
                }
                level
            })
            .collect()
    }

    /// Levels starting at `start` whose weekly changes are `changes[1..]`.
    fn levels_from_changes(start: f64, changes: &[f64]) -> Vec<f64> {
        let mut level = start;
        changes
            .iter()
            .enumerate()
            .map(|(t, c)| {
                if t > 0 {
                    level += c;
                }
                level
            })
            .collect()
    }

    // ----- 1. Sensitivities --------------------------------------------------------------------

    /// 200 weeks of uniform regressors and a tier whose return is `2 x1 - 1 x2 + noise`.
    fn synthetic(noise_width: f64) -> Fixture {
        let weeks = 200;
        let mut rng = SplitMix64::new(7);
        let mut draw =
            |scale: f64| -> Vec<f64> { (0..weeks).map(|_| scale * (2.0 * rng.next_f64() - 1.0)).collect() };
        let (x1, x2, x3, x4) = (draw(1.0), draw(0.5), draw(0.3), draw(0.01));
        let noise = draw(noise_width / 2.0);
        let returns: Vec<f64> = (0..weeks).map(|t| 2.0 * x1[t] - x2[t] + noise[t]).collect();
        let mut fx = Fixture::new(weeks);
        fx.impulse = levels_from_changes(1.0, &x1);
        fx.real_10y = levels_from_changes(2.0, &x2);
        fx.hy_oas = levels_from_changes(4.0, &x3);
        fx.dollar = prices_from_returns(&x4);
        fx.add_tier("Y", prices_from_returns(&returns));
        fx
    }

    #[test]
    fn sensitivities_recover_known_betas_without_noise() {
        // r = 2 x1 - 1 x2 exactly: the fit is exact, b = (0, 2, -1, 0, 0), R² = 1, n = 156 (the
        // last 156 weeks; every week after week 0 is complete).
        let fx = synthetic(0.0);
        let result = sensitivities(&fx.inputs(), DEFAULT_WINDOW_WEEKS);
        let fit = result[0].current.as_ref().expect("defined");
        assert_eq!(fit.n, 156);
        assert_eq!((fit.start, fit.end), (fx.calendar.dates()[44], fx.calendar.dates()[199]));
        for (coefficient, expected) in [
            (fit.intercept, 0.0),
            (fit.liquidity, 2.0),
            (fit.real_yield, -1.0),
            (fit.credit_spread, 0.0),
            (fit.dollar, 0.0),
        ] {
            assert!((coefficient.estimate - expected).abs() < PROPERTY, "{coefficient:?} vs {expected}");
        }
        assert!((fit.r_squared - 1.0).abs() < PROPERTY);
    }

    #[test]
    fn sensitivities_recover_known_betas_with_noise() {
        // Noise uniform on [-0.025, 0.025]: sd 0.05 / sqrt(12) = 0.0144. x1 is uniform on [-1, 1],
        // sd 0.577, so se(b1) ≈ 0.0144 / (0.577 sqrt(156)) ≈ 0.002; x2 on [-0.5, 0.5],
        // se(b2) ≈ 0.004. Each estimate must sit within 4 standard errors of the truth (and the
        // standard errors near those sizes), the zero slopes too.
        let fx = synthetic(0.05);
        let fit = sensitivities(&fx.inputs(), DEFAULT_WINDOW_WEEKS)[0].current.clone().expect("defined");
        for (coefficient, truth, se) in [
            (fit.liquidity, 2.0, 0.002),
            (fit.real_yield, -1.0, 0.004),
            (fit.credit_spread, 0.0, 0.0067),
            (fit.dollar, 0.0, 0.2),
        ] {
            assert!((coefficient.estimate - truth).abs() < 4.0 * coefficient.std_error, "{coefficient:?}");
            assert!(coefficient.std_error > se / 2.0 && coefficient.std_error < se * 2.0, "{coefficient:?}");
        }
        assert!(fit.liquidity.p_value.expect("p") < 1e-12);
        assert!(fit.r_squared > 0.99);
    }

    #[test]
    fn rolling_betas_match_the_qr_fit_window_by_window() {
        // 200 weeks: windows end at 199, 186, ..., 56 (12 of them; 43 would hold only 44 weeks).
        let fx = synthetic(0.05);
        let inputs = fx.inputs();
        let result = &sensitivities(&inputs, DEFAULT_WINDOW_WEEKS)[0];
        let dates = fx.calendar.dates();
        let ends: Vec<usize> = (0..12).rev().map(|k| 199 - 13 * k).collect();
        assert_eq!(
            result.rolling.iter().map(|p| p.date).collect::<Vec<_>>(),
            ends.iter().map(|&e| dates[e]).collect::<Vec<_>>()
        );
        let regressors = regressors(&inputs);
        let returns = log_returns(&fx.tiers[0].prices, 200, 1);
        for (point, &end) in result.rolling.iter().zip(&ends) {
            let start = (end + 1).saturating_sub(DEFAULT_WINDOW_WEEKS);
            let qr = current_fit(&returns, &regressors, start, end, dates).expect("defined");
            let beta = point.liquidity_beta.expect("defined");
            assert!((beta - qr.liquidity.estimate).abs() < PROPERTY * qr.liquidity.estimate.abs());
            assert!(
                (point.std_error.expect("se") - qr.liquidity.std_error).abs()
                    < PROPERTY * qr.liquidity.std_error
            );
            assert!((point.r_squared.expect("r2") - qr.r_squared).abs() < PROPERTY);
            assert_eq!(point.n, qr.n);
        }
        // The first window starts at week 0, whose return is unknown: 56 complete weeks.
        assert_eq!(result.rolling[0].n, 56);
    }

    #[test]
    fn too_few_weeks_give_no_fit() {
        // Only the last 40 prices are known: 39 returns, below the 52 needed.
        let mut fx = synthetic(0.05);
        let prices: Vec<f64> = fx.tiers[0]
            .prices
            .iter()
            .enumerate()
            .map(|(t, p)| if t >= 160 { *p } else { f64::NAN })
            .collect();
        fx.add_tier("SHORT", prices);
        let result = sensitivities(&fx.inputs(), DEFAULT_WINDOW_WEEKS);
        assert!(result[1].current.is_none());
        assert!(result[1].rolling.iter().all(|p| p.liquidity_beta.is_none() && p.n <= 39));
        assert_eq!(result[1].rolling.last().map(|p| p.n), Some(39));
        // A window shorter than a year never fits.
        assert!(sensitivities(&fx.inputs(), 51)[0].current.is_none());
        assert!(sensitivities(&fx.inputs(), 0)[0].current.is_none());
    }

    #[test]
    fn a_constant_regressor_gives_no_fit() {
        // The real yield never moves: its weekly change is 0, collinear with the intercept.
        let mut fx = synthetic(0.05);
        fx.real_10y = vec![2.0; 200];
        let result = &sensitivities(&fx.inputs(), DEFAULT_WINDOW_WEEKS)[0];
        assert!(result.current.is_none());
        assert!(result.rolling.iter().all(|p| p.liquidity_beta.is_none() && p.n > 0));
    }

    // ----- 2. Measured order -------------------------------------------------------------------

    fn fake_sensitivity(id: &str, beta: Option<f64>) -> Sensitivity {
        let date = Date::parse_iso("2024-01-05").expect("date");
        let c = |estimate| Coefficient {
            estimate,
            std_error: 0.1,
            t_stat: None,
            p_value: None,
            hc3_std_error: None,
            hc3_p_value: None,
            ci95: None,
            ci95_classical: None,
        };
        Sensitivity {
            tier: id.to_string(),
            name: id.to_string(),
            window_weeks: 156,
            current: beta.map(|b| SensitivityFit {
                start: date,
                end: date,
                intercept: c(0.0),
                liquidity: c(b),
                real_yield: c(0.0),
                credit_spread: c(0.0),
                dollar: c(0.0),
                r_squared: 0.5,
                adj_r_squared: 0.5,
                n: 156,
            }),
            rolling: Vec::new(),
        }
    }

    #[test]
    fn measured_order_and_spearman_by_hand() {
        // Assumed A, B, C, D, E with betas 0.1, 0.3, 0.2, 0.5 and E unmeasured.
        // Beta ranks 1, 3, 2, 4 against 1, 2, 3, 4: d² = 0 + 1 + 1 + 0 = 2,
        // rho = 1 - 6 * 2 / (4 * (16 - 1)) = 1 - 12/60 = 0.8.
        let sensitivities = [
            fake_sensitivity("A", Some(0.1)),
            fake_sensitivity("B", Some(0.3)),
            fake_sensitivity("C", Some(0.2)),
            fake_sensitivity("D", Some(0.5)),
            fake_sensitivity("E", None),
        ];
        let order = measured_order(&sensitivities);
        assert_eq!(order.assumed, ["A", "B", "C", "D", "E"]);
        assert_eq!(order.measured.iter().map(|m| m.tier.as_str()).collect::<Vec<_>>(), ["A", "C", "B", "D"]);
        assert_eq!(order.measured.iter().map(|m| m.assumed_rank).collect::<Vec<_>>(), [1, 3, 2, 4]);
        assert_eq!(order.measured.iter().map(|m| m.measured_rank).collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert_eq!(order.unmeasured, ["E"]);
        assert!((order.spearman.expect("defined") - 0.8).abs() < EXACT);
        // Two measured tiers: no correlation.
        assert_eq!(measured_order(&sensitivities[..2]).spearman, None);
        assert_eq!(measured_order(&[]).spearman, None);
    }

    // ----- 3. Overflow -------------------------------------------------------------------------

    /// Four tiers at 1.0 for weeks 0..=12, then the given prices at weeks 13 and 14.
    fn four_tiers(week13: [f64; 4], week14: [f64; 4]) -> Fixture {
        let mut fx = Fixture::new(15);
        for (k, id) in ["CASH", "UST", "EQ", "BTC"].iter().enumerate() {
            let mut prices = vec![1.0; 15];
            prices[13] = week13[k];
            prices[14] = week14[k];
            fx.add_tier(id, prices);
        }
        fx
    }

    #[test]
    fn overflow_stage_by_hand() {
        // Week 13 against week 0 (all 1.0): momentum = ln(price).
        //   CASH 1.01: m = 0.00995 > 0                         -> reached
        //   UST  1.02: m = 0.0198, relative 0.0198 - 0.00995 > 0 -> reached
        //   EQ   1.01: m = 0.00995, relative 0.00995 - 0.0198 < 0 -> not reached
        //   BTC  1.10: m = 0.0953, relative 0.0953 - 0.00995 > 0 -> reached
        // Stage 3 (the highest reached), reached [0, 1, 3].
        // Week 14 against week 1 (all 1.0): CASH 1.01, UST 1.02, EQ 1.05 (relative 0.0488 - 0.0198
        // > 0, reached), BTC 0.95 (momentum < 0): stage 2, reached [0, 1, 2].
        let fx = four_tiers([1.01, 1.02, 1.01, 1.10], [1.01, 1.02, 1.05, 0.95]);
        let result = overflow(&fx.inputs());
        assert_eq!(result.history.len(), 15);
        assert!(result.history[..13].iter().all(|p| p.stage.is_none() && p.reached.is_empty()));
        assert_eq!((result.history[13].stage, result.history[13].reached.clone()), (Some(3), vec![0, 1, 3]));
        assert_eq!(result.history[13].date, fx.calendar.dates()[13]);
        let now = result.current.expect("current");
        assert_eq!((now.stage, now.stage_tier.as_deref(), now.reached), (Some(2), Some("EQ"), vec![0, 1, 2]));
        assert_eq!(now.date, fx.calendar.dates()[14]);
        let btc = &now.tiers[3];
        assert!((btc.momentum_13w.expect("m") - 0.95f64.ln()).abs() < EXACT);
        assert!((btc.relative_strength_13w.expect("rs") - (0.95f64.ln() - 1.05f64.ln())).abs() < EXACT);
        assert_eq!(btc.reached, Some(false));
        assert_eq!(now.tiers[0].relative_strength_13w, None);
        assert_eq!(
            now.tiers.iter().map(|t| t.reached).collect::<Vec<_>>(),
            [Some(true), Some(true), Some(true), Some(false)]
        );
    }

    #[test]
    fn overflow_with_an_unknown_tier() {
        // EQ unknown at week 14: its own state and BTC's relative strength are unknown; BTC's
        // momentum is positive, so BTC is unknown too. UST is the highest reached.
        let fx = four_tiers([1.01, 1.02, 1.01, 1.10], [1.01, 1.02, f64::NAN, 1.20]);
        let now = overflow(&fx.inputs()).current.expect("current");
        assert_eq!(
            now.tiers.iter().map(|t| t.reached).collect::<Vec<_>>(),
            [Some(true), Some(true), None, None]
        );
        assert_eq!(now.stage, Some(1));
        // With BTC falling it is known not reached whatever EQ did.
        let fx = four_tiers([1.01, 1.02, 1.01, 1.10], [1.01, 1.02, f64::NAN, 0.90]);
        assert_eq!(overflow(&fx.inputs()).current.expect("current").tiers[3].reached, Some(false));
    }

    /// 1.0 through week `flat_until`, then rising 1% a week.
    fn flat_then_rising(weeks: usize, flat_until: usize) -> Vec<f64> {
        (0..weeks).map(|t| 1.01f64.powi(t.saturating_sub(flat_until) as i32)).collect()
    }

    #[test]
    fn overflow_history_table_by_hand() {
        // 40 weeks. Impulse -1 through week 14, +1 for 15..=24, -1 for 25..=27, +1 from 28:
        // episodes at weeks 15 and 28, followed up for min(52, 39 - 15) = 24 and 11 weeks.
        // Momentum is positive at t when the price at t is above the price at t - 13:
        //   A rises from week 0: positive from week 13 on         -> 0 and 0 weeks
        //   B flat through 17: first positive at 18               -> 3 and 0
        //   C flat through 20: first positive at 21               -> 6 and 0
        //   D flat throughout                                      -> None and None
        // Summary: medians 0, (3 + 0) / 2 = 1.5, (6 + 0) / 2 = 3, None (reached 0 of 2).
        let weeks = 40;
        let mut fx = Fixture::new(weeks);
        fx.impulse = (0..weeks).map(|t| if t <= 14 || (25..=27).contains(&t) { -1.0 } else { 1.0 }).collect();
        fx.add_tier("A", flat_then_rising(weeks, 0));
        fx.add_tier("B", flat_then_rising(weeks, 17));
        fx.add_tier("C", flat_then_rising(weeks, 20));
        fx.add_tier("D", vec![1.0; weeks]);
        let table = overflow(&fx.inputs()).table;
        assert_eq!(table.tiers, ["A", "B", "C", "D"]);
        assert_eq!(table.episodes.len(), 2);
        let dates = fx.calendar.dates();
        assert_eq!((table.episodes[0].date, table.episodes[0].follow_up_weeks), (dates[15], 24));
        assert_eq!((table.episodes[1].date, table.episodes[1].follow_up_weeks), (dates[28], 11));
        assert_eq!(table.episodes[0].weeks_to_positive, [Some(0), Some(3), Some(6), None]);
        assert_eq!(table.episodes[1].weeks_to_positive, [Some(0), Some(0), Some(0), None]);
        let medians: Vec<Option<f64>> = table.summary.iter().map(|s| s.median_weeks).collect();
        assert_eq!(medians, [Some(0.0), Some(1.5), Some(3.0), None]);
        assert_eq!(
            table.summary.iter().map(|s| (s.reached, s.episodes)).collect::<Vec<_>>(),
            [(2, 2), (2, 2), (2, 2), (0, 2)]
        );
    }

    #[test]
    fn overflow_history_horizon_is_52_weeks() {
        // One episode at week 1 (impulse -1 then +1; the NaN before week 0 is not a turn).
        // E flat through 52: first positive at 53, 52 weeks after: counted. F flat through 53:
        // first positive at 54, 53 weeks after: beyond the horizon.
        let weeks = 80;
        let mut fx = Fixture::new(weeks);
        fx.impulse = (0..weeks).map(|t| if t == 0 { -1.0 } else { 1.0 }).collect();
        fx.add_tier("E", flat_then_rising(weeks, 52));
        fx.add_tier("F", flat_then_rising(weeks, 53));
        let table = overflow(&fx.inputs()).table;
        assert_eq!(table.episodes.len(), 1);
        assert_eq!(table.episodes[0].follow_up_weeks, 52);
        assert_eq!(table.episodes[0].weeks_to_positive, [Some(52), None]);
    }

    // ----- 4. Concentration and 5. ETH/BTC -----------------------------------------------------

    /// 14 weeks: NDX 100 and COMP 200 (ratio 0.5), net liquidity 5000; at week 13 NDX and net
    /// liquidity take the given values.
    fn concentration_at_13(ndx: f64, net_liquidity: f64) -> ConcentrationPoint {
        let mut fx = Fixture::new(14);
        fx.nasdaq100 = vec![100.0; 14];
        fx.nasdaq100[13] = ndx;
        fx.nasdaq_composite = vec![200.0; 14];
        fx.net_liquidity = vec![5000.0; 14];
        fx.net_liquidity[13] = net_liquidity;
        let result = concentration(&fx.inputs());
        assert_eq!(result.history.len(), 14);
        assert_eq!((result.history[0].ratio, result.history[0].trend_13w), (Some(0.5), None));
        assert_eq!(result.history[0].limited_liquidity, None);
        result.current.expect("current")
    }

    #[test]
    fn concentration_flag_by_hand() {
        // NDX 110: ratio 0.55, trend ln(0.55 / 0.5) = ln 1.1 = 0.0953 > 0.
        let falling = concentration_at_13(110.0, 4900.0);
        assert_eq!(falling.ratio, Some(0.55));
        assert!((falling.trend_13w.expect("trend") - 1.1f64.ln()).abs() < EXACT);
        assert_eq!(falling.net_liquidity_change_13w, Some(-100.0));
        assert_eq!(falling.limited_liquidity, Some(true));
        // Flat liquidity counts as "not rising": still flagged.
        assert_eq!(concentration_at_13(110.0, 5000.0).limited_liquidity, Some(true));
        // Rising liquidity: concentration is not for lack of it.
        assert_eq!(concentration_at_13(110.0, 5100.0).limited_liquidity, Some(false));
        // Concentration falling (NDX 90, trend ln 0.9): not flagged, liquidity unknown or not.
        assert_eq!(concentration_at_13(90.0, f64::NAN).limited_liquidity, Some(false));
        // Concentration rising with liquidity unknown: unknown.
        assert_eq!(concentration_at_13(110.0, f64::NAN).limited_liquidity, None);
    }

    #[test]
    fn eth_btc_trend_by_hand() {
        // BTC 40000; ETH 2000 (ratio 0.05), then 2400 at week 13 (0.06): trend ln 1.2 = 0.1823.
        let mut fx = Fixture::new(14);
        fx.btc = vec![40_000.0; 14];
        fx.eth = vec![2000.0; 14];
        fx.eth[13] = 2400.0;
        let result = inside_crypto(&fx.inputs());
        let now = result.current.expect("current");
        assert!((now.ratio.expect("ratio") - 0.06).abs() < EXACT);
        assert!((now.trend_13w.expect("trend") - 1.2f64.ln()).abs() < EXACT);
        assert_eq!(now.alts_gaining, Some(true));
        assert_eq!(result.history[12].alts_gaining, None);
        // A non-positive price is not a ratio.
        fx.eth[13] = 0.0;
        assert_eq!(inside_crypto(&fx.inputs()).current.expect("current").ratio, None);
    }

    // ----- 6. Rotation -------------------------------------------------------------------------

    fn snapshot(liquidity: Option<LiquidityRegime>, risk: Option<Risk>) -> RegimeSnapshot {
        RegimeSnapshot { cycle: None, monetary: None, liquidity, risk }
    }

    fn weights_of(target: &TargetWeights) -> Vec<(&str, f64)> {
        target.weights.iter().map(|w| (w.tier.as_str(), w.weight)).collect()
    }

    #[test]
    fn rotation_first_match_wins() {
        let expanding = RegimeMatch { liquidity: Some(LiquidityRegime::Expanding), ..RegimeMatch::default() };
        let rule = |label: &str, when, tier: &str| RotationRule {
            label: label.to_string(),
            when,
            weights: vec![(tier.to_string(), 1.0)],
        };
        let table = RotationTable {
            rules: vec![
                rule("expanding", expanding, "A"),
                rule("expanding, risk-on", RegimeMatch { risk: Some(Risk::RiskOn), ..expanding }, "B"),
                rule("otherwise", RegimeMatch::default(), "C"),
            ],
        };
        let tiers = ["A", "B", "C"];
        // Rule 1 is more specific, but rule 0 comes first.
        let on =
            target_weights(&table, &snapshot(Some(LiquidityRegime::Expanding), Some(Risk::RiskOn)), &tiers);
        assert_eq!((on.rule_index, on.rule_label.as_deref()), (Some(0), Some("expanding")));
        assert_eq!(weights_of(&on), [("A", 1.0), ("B", 0.0), ("C", 0.0)]);
        let off = target_weights(&table, &snapshot(Some(LiquidityRegime::Contracting), None), &tiers);
        assert_eq!(off.rule_index, Some(2));
        // An unknown regime does not satisfy a condition on it.
        assert_eq!(target_weights(&table, &UNKNOWN, &tiers).rule_index, Some(2));
        // Nothing matches: no weights.
        let none = target_weights(&RotationTable { rules: table.rules[..1].to_vec() }, &UNKNOWN, &tiers);
        assert_eq!((none.rule_label, none.weights.len()), (None, 0));
    }

    #[test]
    fn rotation_weights_normalise_over_present_tiers() {
        // A 0.5, B 0.3, C 0.2 with C missing: 0.5 / 0.8 = 0.625 and 0.3 / 0.8 = 0.375.
        let table = RotationTable {
            rules: vec![
                // Only a missing tier: passed over.
                RotationRule {
                    label: "X only".into(),
                    when: RegimeMatch::default(),
                    weights: vec![("X".into(), 1.0)],
                },
                RotationRule {
                    label: "abc".into(),
                    when: RegimeMatch::default(),
                    weights: vec![
                        ("A".into(), 0.5),
                        ("B".into(), 0.3),
                        ("C".into(), 0.2),
                        ("B".into(), -1.0),
                    ],
                },
            ],
        };
        let target = target_weights(&table, &UNKNOWN, &["B", "A", "B"]);
        assert_eq!(target.rule_label.as_deref(), Some("abc"));
        let weights = weights_of(&target);
        assert_eq!(weights.iter().map(|w| w.0).collect::<Vec<_>>(), ["B", "A"]);
        assert!((weights[0].1 - 0.375).abs() < EXACT && (weights[1].1 - 0.625).abs() < EXACT);
        // Scale does not matter: weights 5 and 3 give the same shares.
        let scaled = RotationTable {
            rules: vec![RotationRule {
                label: "scaled".into(),
                when: RegimeMatch::default(),
                weights: vec![("A".into(), 5.0), ("B".into(), 3.0)],
            }],
        };
        assert_eq!(weights_of(&target_weights(&scaled, &UNKNOWN, &["A", "B"])), [("A", 0.625), ("B", 0.375)]);
    }

    #[test]
    fn default_table_is_valid_and_defensive_first() {
        let table = RotationTable::default();
        table.validate().expect("valid");
        for rule in &table.rules {
            let total: f64 = rule.weights.iter().map(|(_, w)| w).sum();
            assert!((total - 1.0).abs() < EXACT, "{}: {total}", rule.label);
        }
        assert_eq!(table.rules.last().map(|r| r.when), Some(RegimeMatch::default()));
        let all =
            ["CASH", "UST10", "GOLD", "SP500", "NASDAQ100", "NASDAQCOM", "CBBTCUSD", "CBETHUSD", "ALTS"];
        // Risk-off wins over expanding liquidity.
        let off =
            target_weights(&table, &snapshot(Some(LiquidityRegime::Expanding), Some(Risk::RiskOff)), &all);
        assert_eq!(off.rule_label.as_deref(), Some("Risk-off: defensive"));
        let crypto: f64 = off.weights[6..].iter().map(|w| w.weight).sum();
        assert_eq!(crypto, 0.0);
        // Expanding and risk-on reaches crypto; without ALTS its 4% is shared out: BTC 0.18 / 0.96.
        let on = snapshot(Some(LiquidityRegime::Expanding), Some(Risk::RiskOn));
        let without_alts = target_weights(&table, &on, &all[..8]);
        assert_eq!(without_alts.rule_index, Some(2));
        assert!((without_alts.weights[6].weight - 0.18 / 0.96).abs() < EXACT);
        assert!((without_alts.weights.iter().map(|w| w.weight).sum::<f64>() - 1.0).abs() < EXACT);
        // Stagflation with unknown liquidity and risk.
        let stagflation = RegimeSnapshot { cycle: Some(Quadrant::Stagflation), ..UNKNOWN };
        assert_eq!(
            target_weights(&table, &stagflation, &all).rule_label.as_deref(),
            Some("Stagflation: gold and cash")
        );
        assert_eq!(target_weights(&table, &UNKNOWN, &all).rule_index, Some(5));
    }

    #[test]
    fn rotation_table_round_trips_and_rejects_typos() {
        let table = RotationTable::default();
        let json = serde_json::to_string(&table).expect("serialise");
        assert_eq!(serde_json::from_str::<RotationTable>(&json).expect("parse"), table);
        let typo = r#"{"rules": [{"label": "x", "when": {"liquidty": "expanding"}, "weights": [["A", 1]]}]}"#;
        assert!(serde_json::from_str::<RotationTable>(typo).is_err());
        let bad_value =
            r#"{"rules": [{"label": "x", "when": {"liquidity": "booming"}, "weights": [["A", 1]]}]}"#;
        assert!(serde_json::from_str::<RotationTable>(bad_value).is_err());
    }

    #[test]
    fn rotation_table_validation() {
        let rule = |weights: Vec<(String, f64)>| RotationRule {
            label: "r".into(),
            when: RegimeMatch::default(),
            weights,
        };
        assert_eq!(RotationTable { rules: vec![] }.validate(), Err(RotationError::NoRules));
        assert!(matches!(
            RotationTable { rules: vec![rule(vec![("A".into(), -0.1)])] }.validate(),
            Err(RotationError::InvalidWeight { weight, .. }) if weight == -0.1
        ));
        assert_eq!(
            RotationTable { rules: vec![rule(vec![("A".into(), 0.0)])] }.validate(),
            Err(RotationError::NoWeight { rule: "r".into() })
        );
    }

    // ----- 7. Checklist ------------------------------------------------------------------------

    fn item<'a>(checklist: &'a Checklist, id: &str) -> &'a ChecklistItem {
        checklist.items.iter().find(|i| i.id == id).expect("item")
    }

    /// 30 weeks of the dollar: `early` through week 16, `peak` for 17..=20, `now` from 21.
    fn dollar_item(early: f64, peak: f64, now: f64) -> ChecklistItem {
        let mut fx = Fixture::new(30);
        fx.dollar = (0..30)
            .map(|t| {
                if t <= 16 {
                    early
                } else if t <= 20 {
                    peak
                } else {
                    now
                }
            })
            .collect();
        item(&defensive_exit_checklist(&fx.inputs()), "dollar_past_peak").clone()
    }

    #[test]
    fn checklist_dollar_past_peak() {
        // Last week 29: the 26-week high is the max over weeks 4..=29; the 13-week change compares
        // with week 16.
        // 100 -> 97: 3% below the high 100, change -3: past a peak.
        let past = dollar_item(100.0, 100.0, 97.0);
        assert_eq!(past.met, Some(true));
        assert!(past.detail.contains("3.0% below its 26-week high 100.00"), "{}", past.detail);
        assert!(past.detail.contains("-3.00 (-3.0%)"), "{}", past.detail);
        // 1% below: not far enough.
        assert_eq!(dollar_item(100.0, 100.0, 99.0).met, Some(false));
        // 3% below a peak of 100, but up from 90 over 13 weeks: still rising.
        assert_eq!(dollar_item(90.0, 100.0, 97.0).met, Some(false));
        // Missing now: unknown. Missing 13 weeks ago but only 1% below: known false.
        assert_eq!(dollar_item(100.0, 100.0, f64::NAN).met, None);
        assert_eq!(dollar_item(f64::NAN, 100.0, 99.0).met, Some(false));
        assert_eq!(dollar_item(f64::NAN, 100.0, 97.0).met, None);
    }

    #[test]
    fn checklist_impulse_risk_and_etf_flows() {
        let mut fx = Fixture::new(20);
        let check = |fx: &Fixture, id: &str| item(&defensive_exit_checklist(&fx.inputs()), id).met;
        assert_eq!(check(&fx, "liquidity_impulse_positive"), None);
        fx.impulse[19] = 1.5;
        assert_eq!(check(&fx, "liquidity_impulse_positive"), Some(true));
        fx.impulse[19] = -0.5;
        assert_eq!(check(&fx, "liquidity_impulse_positive"), Some(false));

        assert_eq!(check(&fx, "risk_not_restrictive"), None);
        fx.risk_state[19] = Some(State::Neutral);
        assert_eq!(check(&fx, "risk_not_restrictive"), Some(true));
        fx.risk_state[19] = Some(State::Restrictive);
        assert_eq!(check(&fx, "risk_not_restrictive"), Some(false));
        fx.risk_state.truncate(10);
        assert_eq!(check(&fx, "risk_not_restrictive"), None);

        assert_eq!(check(&fx, "etf_outflows_stopped"), None);
        let mut flows = vec![-500.0; 20];
        flows[18] = 10.0;
        flows[19] = 0.0;
        fx.etf_flows = Some(flows.clone());
        assert_eq!(check(&fx, "etf_outflows_stopped"), Some(true));
        flows[18] = -3.0;
        fx.etf_flows = Some(flows.clone());
        assert_eq!(check(&fx, "etf_outflows_stopped"), Some(false));
        flows[18] = f64::NAN;
        fx.etf_flows = Some(flows);
        assert_eq!(check(&fx, "etf_outflows_stopped"), None);
    }

    /// 200 weeks; the Nasdaq falls 1% on odd weeks and rises 1% on even ones. Bitcoin falls 2% on
    /// Nasdaq-down weeks, except in the last 13 weeks when `recent_rise`.
    fn decoupling_fixture(weeks: usize, recent_rise: bool) -> Fixture {
        let mut fx = Fixture::new(weeks);
        let nasdaq: Vec<f64> = (0..weeks).map(|t| if t % 2 == 1 { -0.01 } else { 0.01 }).collect();
        let btc: Vec<f64> = (0..weeks)
            .map(|t| match (t % 2 == 1, recent_rise && t + 13 >= weeks) {
                (true, true) => 0.02,
                (true, false) => -0.02,
                (false, _) => 0.01,
            })
            .collect();
        fx.nasdaq100 = prices_from_returns(&nasdaq);
        fx.btc = prices_from_returns(&btc);
        fx
    }

    #[test]
    fn checklist_btc_decoupling() {
        // Weeks 187..=199 hold 7 Nasdaq-down weeks (the odd ones), on each of which Bitcoin rose:
        // share 1. The 156 shares of the windows ending 43..=198 are 0, except the 12 windows
        // ending 187..=198 that overlap the last weeks: the median is 0, and 1 > 0.
        let fx = decoupling_fixture(200, true);
        let checklist = defensive_exit_checklist(&fx.inputs());
        let decoupling = item(&checklist, "btc_decoupling");
        assert_eq!(decoupling.met, Some(true));
        assert!(decoupling.detail.contains("rose in 7 of 7"), "{}", decoupling.detail);
        assert!(decoupling.detail.contains("median share 0% (156 weeks)"), "{}", decoupling.detail);
        // Never rising: share 0, not above the median 0.
        let fx = decoupling_fixture(200, false);
        assert_eq!(item(&defensive_exit_checklist(&fx.inputs()), "btc_decoupling").met, Some(false));
        // Too little history (40 weeks: 34 defined shares before the last week, windows ending 5..=38).
        let fx = decoupling_fixture(40, true);
        assert_eq!(item(&defensive_exit_checklist(&fx.inputs()), "btc_decoupling").met, None);
        // No Nasdaq: no down weeks.
        let mut fx = decoupling_fixture(200, true);
        fx.nasdaq100 = vec![f64::NAN; 200];
        assert_eq!(item(&defensive_exit_checklist(&fx.inputs()), "btc_decoupling").met, None);
    }

    #[test]
    fn checklist_counts() {
        let mut fx = decoupling_fixture(200, true);
        fx.impulse[199] = -1.0;
        fx.risk_state[199] = Some(State::Supportive);
        let checklist = defensive_exit_checklist(&fx.inputs());
        assert_eq!(checklist.date, fx.calendar.last());
        // Decoupling and risk met; impulse not; dollar and ETF flows unknown.
        assert_eq!((checklist.met, checklist.known), (2, 3));
        assert_eq!(checklist.items.len(), 5);
    }

    // ----- 8. Everything -----------------------------------------------------------------------

    #[test]
    fn empty_and_mismatched_inputs_do_not_panic() {
        let fx = Fixture::new(0);
        let result = spectrum(&fx.inputs(), &RotationTable::default());
        assert_eq!(result.as_of, None);
        assert!(result.overflow.current.is_none() && result.concentration.current.is_none());
        assert_eq!(result.checklist.known, 0);
        assert_eq!(result.rotation.current.rule_label, None);

        let mut fx = synthetic(0.05);
        fx.dollar.truncate(3);
        fx.impulse.extend([1.0; 10]);
        fx.nasdaq100 = vec![1.0; 7];
        fx.regimes.clear();
        fx.etf_flows = Some(vec![1.0]);
        fx.add_tier("SHORT", vec![1.0, 2.0]);
        let result = spectrum(&fx.inputs(), &RotationTable::default());
        assert_eq!(result.overflow.history.len(), 200);
        assert!(result.sensitivities[0].current.is_none()); // the dollar is gone
                                                            // Y is in no rule of the default table: every matching rule is passed over.
        assert_eq!(result.rotation.current.rule_index, None);
        fx.add_tier("GOLD", vec![1.0; 300]);
        let result = spectrum(&fx.inputs(), &RotationTable::default());
        // Unknown regimes: the catch-all. SHORT has no price at the last week: not in the weights.
        assert_eq!(result.rotation.current.rule_index, Some(5));
        assert_eq!(weights_of(&result.rotation.current), [("Y", 0.0), ("GOLD", 1.0)]);
    }

    #[test]
    fn spectrum_bundles_everything_on_the_calendar() {
        let mut fx = synthetic(0.05);
        fx.regimes[199] = snapshot(Some(LiquidityRegime::Expanding), Some(Risk::RiskOn));
        let mut cash = fx.tiers[0].clone();
        cash.id = "CASH".into();
        fx.tiers.insert(0, cash);
        let result = spectrum(&fx.inputs(), &RotationTable::default());
        let dates = fx.calendar.dates();
        assert_eq!(result.as_of, Some(dates[199]));
        assert_eq!(result.tiers.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["CASH", "Y"]);
        assert_eq!(result.overflow.history.iter().map(|p| p.date).collect::<Vec<_>>(), dates);
        assert_eq!(result.concentration.history.iter().map(|p| p.date).collect::<Vec<_>>(), dates);
        assert_eq!(result.inside_crypto.history.iter().map(|p| p.date).collect::<Vec<_>>(), dates);
        assert_eq!(result.rotation.current.rule_index, Some(2));
        // Only CASH is in the default table among CASH and Y.
        assert_eq!(weights_of(&result.rotation.current), [("CASH", 1.0), ("Y", 0.0)]);
        assert!(result.measured_order.measured.len() == 2 && result.measured_order.spearman.is_none());
        let json = serde_json::to_value(&result).expect("serialise");
        assert_eq!(json["as_of"], serde_json::json!(dates[199].to_string()));
        assert!(
            (json["sensitivities"][1]["current"]["liquidity"]["estimate"].as_f64().expect("beta") - 2.0)
                .abs()
                < 0.02
        );
        assert!(json["rotation"]["table"]["rules"].as_array().is_some_and(|r| r.len() == 6));
    }
}
