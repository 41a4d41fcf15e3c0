//! Gold against real rates: the rolling sensitivity, what real rates leave unexplained, and when
//! that broke.
//!
//! # Design
//!
//! Gold pays no coupon, so the textbook says it falls when real yields rise. On the weekly (Friday)
//! panel, point in time:
//!
//! - **Rolling regression.** For every week `t`, the least-squares fit over the 104 weeks ending
//!   `t` (two years) of gold's weekly log return on the weekly change of the 10-year TIPS yield
//!   DFII10 (percentage points): `g_s = a + b Δr_s + e_s`, with the slope's 95% interval
//!   `b ± t_{0.975, n-2} se(b)`. A window needs [`GoldConfig::min_obs`] complete weeks. The windows
//!   slide one week at a time, so they are read from running sums (`O(1)` per week); the current
//!   window is also fitted with the QR least squares of [`crate::stats::ols`] for its full
//!   inference, and a test checks both agree.
//! - **Residual level.** Each week's return less the part real rates explain, with the slope known
//!   the week before (fitted on the 104 weeks ending `t - 1`, so the residual is out of sample and
//!   point in time): `e_t = g_t - b_{t-1} Δr_t`; the cumulative residual `CR_t = Σ_{s<=t} e_s` is
//!   the log of gold's price relative to the path real rates alone would have given it. The
//!   intercept is deliberately *not* removed: gold's own drift is exactly what real rates do not
//!   explain, and a break shows as a change in the slope of `CR`.
//! - **Dating the break.** A continuous two-segment (hinge) line is fitted to `CR` against time,
//!   `CR_t ≈ α + β x_t + γ (x_t - x_τ)_+` with `x` in years, for every candidate week `τ` with at
//!   least [`GoldConfig::min_segment_weeks`] weeks on each side; the break is the `τ` with the
//!   smallest residual sum of squares (the largest improvement over one straight line). Its slopes
//!   before (`β`) and after (`β + γ`) are reported in percent per year. Each candidate costs
//!   `O(1)` from prefix and suffix sums, so the search is `O(n)`.
//! - **Which break.** A hinge has one break, and a long history has several (on the real data the
//!   full-sample fit picks mid-2009, the end of gold's 2000s run). The question asked is when the
//!   regime in force *now* began, so by default the search runs over the last ten years
//!   ([`GoldConfig::break_search_years`]); the full-sample break is reported beside it.
//!
//! Weeks where either input is stale (MODEL.md 1.3) or missing are skipped, never filled: a price
//! carried through a holiday would fake a zero return.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::date::Date;
use crate::model::panel::Panel;
use crate::stats::ols::{ols, OlsFit};

/// Settings of [`gold_real_rates`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoldConfig {
    /// Panel id of gold (`GOLD`).
    pub gold: String,
    /// Panel id of the real yield (`DFII10`).
    pub real_rate: String,
    /// Rolling window, weeks (104).
    pub window_weeks: usize,
    /// Fewest complete weeks in a window (52).
    pub min_obs: usize,
    /// Fewest weeks on each side of a break (52).
    pub min_segment_weeks: usize,
    /// The break is searched in the cumulative residual of the last this many years (10); `None`:
    /// the whole sample.
    pub break_search_years: Option<i32>,
}

impl Default for GoldConfig {
    fn default() -> GoldConfig {
        GoldConfig {
            gold: "GOLD".into(),
            real_rate: "DFII10".into(),
            window_weeks: 104,
            min_obs: 52,
            min_segment_weeks: 52,
            break_search_years: Some(10),
        }
    }
}

/// One rolling window's fit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SlopeFit {
    /// The window's last week.
    pub date: Date,
    /// The window's first week.
    pub start: Date,
    /// Complete weeks used.
    pub n: usize,
    /// The slope `b`: gold's weekly log return per percentage point of real-yield change.
    ///
    /// # Formula
    ///
    /// `b = Σ(Δr - mean)(g - mean) / Σ(Δr - mean)²`.
    pub slope: f64,
    /// Its standard error `sqrt(s² / Σ(Δr - mean)²)`, `s² = RSS / (n - 2)`.
    pub std_error: f64,
    /// The 95% interval `b ± t_{0.975, n-2} se`.
    pub ci95: [f64; 2],
    /// The intercept `a = mean(g) - b mean(Δr)`.
    pub intercept: f64,
    /// `R² = b Σ(Δr - mean)(g - mean) / Σ(g - mean)²`.
    pub r_squared: f64,
}

/// One week of the residual.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ResidualPoint {
    /// The Friday.
    pub date: Date,
    /// Gold's weekly log return `g_t`.
    pub gold_return: f64,
    /// The weekly change of the real yield `Δr_t`, percentage points.
    pub real_rate_change: f64,
    /// The slope used, fitted on the window ending the week before.
    pub slope: f64,
    /// `e_t = g_t - b_{t-1} Δr_t`.
    pub residual: f64,
    /// `CR_t = Σ_{s<=t} e_s`: log of gold relative to the path real rates explain.
    pub cumulative: f64,
}

/// Where the cumulative residual's trend changes most.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TrendBreak {
    /// The hinge week `τ`.
    pub date: Date,
    /// Trend of `CR` before it, percent (log points × 100) per year: `100 β`.
    pub slope_before_pct_per_year: f64,
    /// Trend after it: `100 (β + γ)`.
    pub slope_after_pct_per_year: f64,
    /// `100 γ`.
    pub change_pct_per_year: f64,
    /// Residual sum of squares of one straight line.
    pub sse_one_line: f64,
    /// Residual sum of squares of the hinge fit.
    pub sse_two_segment: f64,
    /// Share of the one-line error the hinge removes.
    ///
    /// # Formula
    ///
    /// `1 - sse_two_segment / sse_one_line`.
    pub improvement: f64,
    /// Weeks fitted.
    pub n: usize,
}

/// Gold against real rates as of a date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoldRealRates {
    /// The as-of date.
    pub as_of: Date,
    /// The settings used.
    pub config: GoldConfig,
    /// The window ending at the last week (running sums).
    pub current: Option<SlopeFit>,
    /// The same window by QR least squares, with t-statistics and p-values.
    pub current_ols: Option<OlsFit>,
    /// Every week's window with enough data.
    pub rolling: Vec<SlopeFit>,
    /// Every week with a residual.
    pub residuals: Vec<ResidualPoint>,
    /// The break in the cumulative residual's trend over the search window (the last
    /// [`GoldConfig::break_search_years`] years): when the relationship in force now began.
    pub trend_break: Option<TrendBreak>,
    /// The same over the whole sample, for comparison.
    pub trend_break_full_sample: Option<TrendBreak>,
}

/// Running sums of `(x, y)` pairs.
#[derive(Clone, Copy, Default)]
struct Sums {
    n: usize,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl Sums {
    fn add(&mut self, x: f64, y: f64, sign: f64) {
        if sign > 0.0 {
            self.n += 1;
        } else {
            self.n = self.n.saturating_sub(1);
        }
        self.sx += sign * x;
        self.sy += sign * y;
        self.sxx += sign * x * x;
        self.syy += sign * y * y;
        self.sxy += sign * x * y;
    }

    /// `(slope, se, intercept, r²)` of y on x; `None` with fewer than 3 pairs or no spread.
    fn fit(&self) -> Option<(f64, f64, f64, f64)> {
        if self.n < 3 {
            return None;
        }
        let n = self.n as f64;
        let sxx = self.sxx - self.sx * self.sx / n;
        let syy = self.syy - self.sy * self.sy / n;
        let sxy = self.sxy - self.sx * self.sy / n;
        if sxx <= 1e-12 * self.sxx.abs().max(f64::MIN_POSITIVE) || syy <= 0.0 {
            return None;
        }
        let slope = sxy / sxx;
        let rss = (syy - slope * sxy).max(0.0);
        let se = (rss / (n - 2.0) / sxx).sqrt();
        let intercept = self.sy / n - slope * self.sx / n;
        let r2 = (slope * sxy / syy).clamp(0.0, 1.0);
        [slope, se, intercept, r2].iter().all(|v| v.is_finite()).then_some((slope, se, intercept, r2))
    }
}

/// The two-sided 95% Student t quantile for `dof` degrees of freedom, cached by `dof`.
struct TQuantiles {
    cache: Vec<Option<f64>>,
}

impl TQuantiles {
    fn get(&mut self, dof: usize) -> Option<f64> {
        if dof == 0 {
            return None;
        }
        if self.cache.len() <= dof {
            self.cache.resize(dof + 1, None);
        }
        if let Some(Some(q)) = self.cache.get(dof) {
            return Some(*q);
        }
        let q = StudentsT::new(0.0, 1.0, dof as f64).ok()?.inverse_cdf(0.975);
        let q = q.is_finite().then_some(q)?;
        if let Some(slot) = self.cache.get_mut(dof) {
            *slot = Some(q);
        }
        Some(q)
    }
}

/// Gold against real rates as of `as_of` (see the module docs). `panel` must be built as of a date
/// on or after `as_of`; weeks after `as_of` are ignored. `None` when either series is missing from
/// the panel.
pub fn gold_real_rates(panel: &Panel, as_of: Date, config: &GoldConfig) -> Option<GoldRealRates> {
    let gold = panel.get(&config.gold)?;
    let rate = panel.get(&config.real_rate)?;
    let dates = panel.calendar.dates();
    let n = panel.calendar.index_at_or_before(as_of).map_or(0, |i| i + 1);
    let usable = |column: &crate::model::panel::Column, t: usize| -> Option<f64> {
        let v = *column.values.get(t)?;
        (v.is_finite() && !column.stale.get(t).copied().unwrap_or(true)).then_some(v)
    };
    // Weekly gold log return and real-rate change (NaN where undefined).
    let mut g = vec![f64::NAN; n];
    let mut dr = vec![f64::NAN; n];
    for t in 1..n {
        if let (Some(p1), Some(p0)) = (usable(gold, t), usable(gold, t - 1)) {
            if p1 > 0.0 && p0 > 0.0 {
                g[t] = (p1 / p0).ln();
            }
        }
        if let (Some(r1), Some(r0)) = (usable(rate, t), usable(rate, t - 1)) {
            dr[t] = r1 - r0;
        }
    }
    let complete = |t: usize| g[t].is_finite() && dr[t].is_finite();

    let window = config.window_weeks.max(3);
    let min_obs = config.min_obs.clamp(3, window);
    let mut sums = Sums::default();
    let mut quantiles = TQuantiles { cache: Vec::new() };
    // slope_at[t]: the slope of the window ending t.
    let mut slope_at = vec![f64::NAN; n];
    let mut rolling = Vec::new();
    for t in 0..n {
        if complete(t) {
            sums.add(dr[t], g[t], 1.0);
        }
        if let Some(s) = t.checked_sub(window) {
            if complete(s) {
                sums.add(dr[s], g[s], -1.0);
            }
        }
        if sums.n < min_obs {
            continue;
        }
        let Some((slope, se, intercept, r_squared)) = sums.fit() else { continue };
        let Some(q) = quantiles.get(sums.n - 2) else { continue };
        slope_at[t] = slope;
        rolling.push(SlopeFit {
            date: dates[t],
            start: dates[(t + 1).saturating_sub(window)],
            n: sums.n,
            slope,
            std_error: se,
            ci95: [slope - q * se, slope + q * se],
            intercept,
            r_squared,
        });
    }
    let current = rolling.last().copied().filter(|f| n > 0 && f.date == dates[n - 1]);
    let current_ols = n.checked_sub(1).and_then(|last| {
        let start = (last + 1).saturating_sub(window);
        let fit = ols(g.get(start..=last)?, &[dr.get(start..=last)?])?;
        (fit.n >= min_obs).then_some(fit)
    });

    let mut residuals = Vec::new();
    let mut cumulative = 0.0;
    for t in 1..n {
        let slope = slope_at[t - 1];
        if !(complete(t) && slope.is_finite()) {
            continue;
        }
        let residual = g[t] - slope * dr[t];
        cumulative += residual;
        residuals.push(ResidualPoint {
            date: dates[t],
            gold_return: g[t],
            real_rate_change: dr[t],
            slope,
            residual,
            cumulative,
        });
    }
    let min_segment = config.min_segment_weeks.max(2);
    let search_from = config.break_search_years.map(|y| as_of.add_months(-12 * y.clamp(1, 1000)));
    let recent = search_from.map_or(0, |from| residuals.partition_point(|p| p.date < from));
    let trend_break = hinge_break(residuals.get(recent..).unwrap_or_default(), min_segment);
    let trend_break_full_sample = hinge_break(&residuals, min_segment);
    Some(GoldRealRates {
        as_of,
        config: config.clone(),
        current,
        current_ols,
        rolling,
        residuals,
        trend_break,
        trend_break_full_sample,
    })
}

/// Solves a symmetric 3x3 system by Gaussian elimination with partial pivoting.
fn solve3(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let pivot = (col..3).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col];
        for row in col + 1..3 {
            let f = a[row][col] / pivot_row[col];
            for (x, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let tail: f64 = (row + 1..3).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// The best continuous two-segment fit of the cumulative residual against time (see the module
/// docs).
///
/// # Formula
///
/// For each candidate `τ`, least squares of `CR_t = α + β x_t + γ h_t`, `h_t = max(x_t - x_τ, 0)`,
/// `x_t` = years since the first week (centred). The normal equations need `Σh, Σh², Σhx, Σhy`,
/// which are `O(1)` from suffix sums of `1, x, x², y, xy` over `t >= τ`:
/// `Σh = S_x - x_τ S_1`, `Σh² = S_xx - 2 x_τ S_x + x_τ² S_1`, `Σhx = S_xx - x_τ S_x`,
/// `Σhy = S_xy - x_τ S_y`.
pub fn hinge_break(points: &[ResidualPoint], min_segment: usize) -> Option<TrendBreak> {
    let n = points.len();
    if n < 2 * min_segment.max(2) + 1 {
        return None;
    }
    let first = points.first()?.date.days();
    let years: Vec<f64> = points.iter().map(|p| f64::from(p.date.days() - first) / 365.25).collect();
    let mean_x = years.iter().sum::<f64>() / n as f64;
    let mean_y = points.iter().map(|p| p.cumulative).sum::<f64>() / n as f64;
    let x: Vec<f64> = years.iter().map(|v| v - mean_x).collect();
    let y: Vec<f64> = points.iter().map(|p| p.cumulative - mean_y).collect();
    let nf = n as f64;
    let (sxx, sxy, syy) =
        x.iter().zip(&y).fold((0.0, 0.0, 0.0), |(a, b, c), (xi, yi)| (a + xi * xi, b + xi * yi, c + yi * yi));
    // One line through the centred data: intercept 0, slope sxy / sxx.
    if sxx <= 0.0 {
        return None;
    }
    let sse_one = (syy - sxy * sxy / sxx).max(0.0);
    // Suffix sums over t >= k: [1, x, x², y, xy].
    let mut suffix = vec![[0.0f64; 5]; n + 1];
    for k in (0..n).rev() {
        let (xi, yi) = (x[k], y[k]);
        let next = suffix[k + 1];
        suffix[k] = [next[0] + 1.0, next[1] + xi, next[2] + xi * xi, next[3] + yi, next[4] + xi * yi];
    }
    let mut best: Option<(usize, f64, [f64; 3])> = None;
    for k in min_segment..=n - 1 - min_segment {
        let tau = x[k];
        let [s1, sx, sxx_t, sy, sxy_t] = suffix[k];
        let sh = sx - tau * s1;
        let shh = sxx_t - 2.0 * tau * sx + tau * tau * s1;
        let shx = sxx_t - tau * sx;
        let shy = sxy_t - tau * sy;
        // Columns [1, x, h]; Σ1 = n, Σx = 0, Σy = 0 after centring.
        let a = [[nf, 0.0, sh], [0.0, sxx, shx], [sh, shx, shh]];
        let b = [0.0, sxy, shy];
        let Some(coef) = solve3(a, b) else { continue };
        let sse = (syy - (coef[0] * b[0] + coef[1] * b[1] + coef[2] * b[2])).max(0.0);
        if best.is_none_or(|(_, best_sse, _)| sse < best_sse) {
            best = Some((k, sse, coef));
        }
    }
    let (k, sse_two, coef) = best?;
    Some(TrendBreak {
        date: points.get(k)?.date,
        slope_before_pct_per_year: 100.0 * coef[1],
        slope_after_pct_per_year: 100.0 * (coef[1] + coef[2]),
        change_pct_per_year: 100.0 * coef[2],
        sse_one_line: sse_one,
        sse_two_segment: sse_two,
        improvement: if sse_one > 0.0 { 1.0 - sse_two / sse_one } else { 0.0 },
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve3_by_hand() {
        // x + y = 3, y + z = 5, x + z = 4 -> x = 1, y = 2, z = 3.
        let x = solve3([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]], [3.0, 5.0, 4.0]);
        assert!(
            matches!(x, Some([a, b, c]) if (a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12 && (c - 3.0).abs() < 1e-12)
        );
        assert!(solve3([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [1.0, 1.0, 1.0]).is_none());
    }
}
