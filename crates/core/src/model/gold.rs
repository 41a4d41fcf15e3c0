//! Gold against real rates: the rolling sensitivity, what real rates leave unexplained, and when
//! that broke.
//!
//! # Design
//!
//! Gold pays no coupon, so the textbook says it falls when real yields rise. On the weekly (Friday)
//! panel, point in time:
//!
//! - **Observation dates.** These are contemporaneous statistics (this week's return against this
//!   week's yield change), so the real yield is read on observation dates
//!   ([`crate::model::panel::Panel::observed`]): the Friday-to-Friday return is paired with the
//!   Friday-to-Friday yield change. Joined with DFII10's one-day publication lag instead, the
//!   change would run Thursday to Thursday and the slope would come out about halved. Nothing
//!   published after the as-of date is used either way. The one exception is the last week when
//!   the as-of date is itself a Friday: Friday's yield is not public yet, so that week's change
//!   ends on Thursday.
//! - **Rolling regression.** For every week `t`, the least-squares fit over the 104 weeks ending
//!   `t` (two years) of gold's weekly log return on the weekly change of the 10-year TIPS yield
//!   DFII10 (percentage points): `g_s = a + b Δr_s + e_s`. Its 95% interval `ci95` is
//!   `b ± t_{0.975, n-2} se_HC3(b)` with the heteroskedasticity-robust HC3 standard error (weekly
//!   gold returns are heteroskedastic); the classical `se(b)` and its interval are kept beside it
//!   (`std_error`, `ci95_classical`). A window needs [`GoldConfig::min_obs`] complete weeks. The
//!   windows slide one week at a time, so the slope is read from running sums (`O(1)` per week);
//!   HC3 needs each week's leverage, one pass over the window (`O(window)` per week, about a
//!   hundred thousand steps over the history). The current window is also fitted with the QR
//!   least squares of [`crate::stats::ols`] for its full inference, and a test checks both agree.
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
//!   The search uses the Frisch-Waugh form: with `u` the one-line residuals and `h̃_τ` the hinge
//!   column residualised on `[1, x]`, the hinge removes `(h_τ'u)² / |h̃_τ|²` of the one-line
//!   error, and `h_τ'u` is `O(1)` from suffix sums of `u` and `x u`.
//! - **Which break.** A hinge has one break, and a long history has several (on the real data the
//!   full-sample fit picks mid-2009, the end of gold's 2000s run). The question asked is when the
//!   regime in force *now* began, so by default the search runs over the last ten years
//!   ([`GoldConfig::break_search_years`]); the full-sample break is reported beside it.
//! - **A null for the fitted break.** The best of some 400 candidate breaks always cuts the error
//!   of a persistent series a lot, break or not (a random walk looks like a sequence of trends).
//!   Beside the improvement, [`TrendBreak::null_p_value`] says how often a series *without* a
//!   break shows a best break at least as good: simulated series of one straight line plus AR(1)
//!   noise, with the AR coefficient `φ` estimated from the one-line fit's residuals
//!   (`φ = Σ u_t u_{t-1} / Σ u_{t-1}²`, capped at 1) and innovations drawn with replacement from
//!   the fitted ones (`u_t - φ u_{t-1}`, centred: their variance and their tails), the same weeks
//!   and the same minimum segment, [`GoldConfig::break_null_replicates`] of them from a fixed seed.
//!   The improvement is a ratio of sums of squares of residuals from models that both contain the
//!   line, so it does not depend on the line's intercept and slope or on the noise scale: only
//!   `φ`, the dates and the minimum segment matter. The first value is drawn from the stationary
//!   distribution (`ε / sqrt(1 - φ²)`), or 0 for a random walk. `φ` comes from the one-line
//!   residuals, which contain the break when there is one, so it errs towards persistence and the
//!   test towards "not significant": a conservative null. Each replicate is `O(n)`.
//!
//! Weeks where either input is stale (MODEL.md 1.3) or missing are skipped, never filled: a price
//! carried through a holiday would fake a zero return.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::date::Date;
use crate::model::panel::Panel;
use crate::stats::bootstrap::{Below, SplitMix64};
use crate::stats::ols::{ols, OlsFit};

/// Default number of simulated no-break series for the break's p-value: with 199, the smallest
/// possible p-value is 1/200 and the simulation costs about a millisecond per search window.
pub const DEFAULT_BREAK_NULL_REPLICATES: usize = 199;

/// How [`TrendBreak::null_p_value`] is simulated, in words (module docs, "A null for the fitted
/// break").
pub const BREAK_NULL_MODEL: &str = "one straight line plus AR(1) noise, phi and innovations \
     estimated from the one-line fit's residuals (innovations resampled), same weeks and minimum \
     segment; p = (1 + replicates with an improvement at least the observed) / (1 + replicates)";

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
    /// Simulated no-break series behind [`TrendBreak::null_p_value`] (199; 0: no null).
    pub break_null_replicates: usize,
    /// Seed of the simulation, so the p-value is reproducible.
    pub break_null_seed: u64,
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
            break_null_replicates: DEFAULT_BREAK_NULL_REPLICATES,
            break_null_seed: 17,
        }
    }
}

/// One rolling window's fit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Its classical standard error `sqrt(s² / Σ(Δr - mean)²)`, `s² = RSS / (n - 2)`.
    pub std_error: f64,
    /// Its heteroskedasticity-robust (HC3) standard error.
    ///
    /// # Formula
    ///
    /// `sqrt(Σ d_s² e_s² / (1 - h_s)²) / Σ d_s²`, `d_s = Δr_s - mean`, `e_s` the residual,
    /// `h_s = 1/n + d_s² / Σ d²` (the one-regressor case of [`crate::stats::ols::Coefficient::hc3_std_error`]).
    pub hc3_std_error: f64,
    /// The 95% interval with the HC3 standard error, `b ± t_{0.975, n-2} hc3_std_error`: the one
    /// the page shows.
    pub ci95: [f64; 2],
    /// The classical 95% interval `b ± t_{0.975, n-2} std_error`.
    pub ci95_classical: [f64; 2],
    /// The intercept `a = mean(g) - b mean(Δr)`.
    pub intercept: f64,
    /// `R² = b Σ(Δr - mean)(g - mean) / Σ(g - mean)²`.
    pub r_squared: f64,
}

/// One week of the residual.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// How often a series with no break shows a best break at least this good (module docs, "A
    /// null for the fitted break"); `None` without replicates or when the noise is degenerate.
    ///
    /// # Formula
    ///
    /// `(1 + #{replicates with improvement* >= improvement}) / (1 + replicates)`.
    pub null_p_value: Option<f64>,
    /// Simulated no-break series behind the p-value.
    pub null_replicates: usize,
    /// The AR(1) coefficient of the null, estimated from the one-line residuals (capped at 1).
    ///
    /// # Formula
    ///
    /// `φ = Σ_{t>=1} u_t u_{t-1} / Σ_{t>=1} u_{t-1}²`, `u` the one-line fit's residuals.
    pub null_ar1: Option<f64>,
    /// The null model in words ([`BREAK_NULL_MODEL`]).
    pub null_model: String,
}

/// Gold against real rates as of a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    // Observation dates: this week's return with this week's yield change (module docs), as
    // public at `as_of` (the panel may be built for a later date).
    let rate = panel.observed_as_of(&config.real_rate, as_of)?;
    let rate: &crate::model::panel::Column = &rate;
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
        let first = (t + 1).saturating_sub(window);
        let weeks = (first..=t).filter(|&s| complete(s)).map(|s| (dr[s], g[s]));
        // A window whose HC3 is undefined (a week with all the leverage) is left out like one
        // without spread: its slope rests on that single week.
        let Some(hc3) = hc3_slope_se(weeks, &sums, slope, intercept) else { continue };
        slope_at[t] = slope;
        rolling.push(SlopeFit {
            date: dates[t],
            start: dates[first],
            n: sums.n,
            slope,
            std_error: se,
            hc3_std_error: hc3,
            ci95: [slope - q * hc3, slope + q * hc3],
            ci95_classical: [slope - q * se, slope + q * se],
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
    let null = BreakNull { replicates: config.break_null_replicates, seed: config.break_null_seed };
    let trend_break = hinge_break(residuals.get(recent..).unwrap_or_default(), min_segment, null);
    let trend_break_full_sample = hinge_break(&residuals, min_segment, null);
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

/// The HC3 standard error of a one-regressor slope over the window's complete `(x, y)` weeks, with
/// the fit's `sums`, slope and intercept; `None` when a week's leverage reaches 1 (see
/// [`crate::stats::ols::LEVERAGE_TOLERANCE`]) or the result is not finite.
///
/// # Formula
///
/// `sqrt(Σ d² e² / (1 - h)²) / Sxx`, `d = x - mean(x)`, `e = y - a - b x`,
/// `h = 1/n + d² / Sxx`, `Sxx = Σ d²`.
fn hc3_slope_se(
    weeks: impl Iterator<Item = (f64, f64)>,
    sums: &Sums,
    slope: f64,
    intercept: f64,
) -> Option<f64> {
    let n = sums.n as f64;
    let mean_x = sums.sx / n;
    let sxx = sums.sxx - sums.sx * sums.sx / n;
    let mut meat = 0.0;
    for (x, y) in weeks {
        let d = x - mean_x;
        let room = 1.0 - 1.0 / n - d * d / sxx;
        // Written as a positive test so that NaN counts as undefined too.
        let defined = room > crate::stats::ols::LEVERAGE_TOLERANCE;
        if !defined {
            return None;
        }
        let scaled = d * (y - intercept - slope * x) / room;
        meat += scaled * scaled;
    }
    let se = meat.sqrt() / sxx;
    se.is_finite().then_some(se)
}

/// Settings of the no-break simulation of [`hinge_break`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakNull {
    /// Simulated series (0: no p-value).
    pub replicates: usize,
    /// Seed of the generator.
    pub seed: u64,
}

/// A hinge column's share of the candidate search: where it starts and what it needs.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    /// Index of the hinge week `τ`.
    k: usize,
    /// `x_τ`.
    tau: f64,
    /// `Σ h`, `Σ h x` (the hinge's projections on the centred `[1, x]`).
    sum_h: f64,
    sum_hx: f64,
    /// `1 / |h̃|²`, `h̃` the hinge residualised on `[1, x]`.
    inverse_norm: f64,
}

/// The candidate hinges of a time grid `x` (centred years), `min_segment` weeks on each side; a
/// hinge that `[1, x]` explain (to `1e-12` of its squared norm) is left out.
fn candidates(x: &[f64], sxx: f64, min_segment: usize) -> Vec<Candidate> {
    let n = x.len();
    // Suffix sums over t >= k of 1, x, x².
    let mut suffix = vec![[0.0f64; 3]; n + 1];
    for k in (0..n).rev() {
        let next = suffix[k + 1];
        suffix[k] = [next[0] + 1.0, next[1] + x[k], next[2] + x[k] * x[k]];
    }
    (min_segment..n.saturating_sub(min_segment))
        .filter_map(|k| {
            let tau = x[k];
            let [s1, sx, sxx_t] = suffix[k];
            let sum_h = sx - tau * s1;
            let sum_hh = sxx_t - 2.0 * tau * sx + tau * tau * s1;
            let sum_hx = sxx_t - tau * sx;
            let norm = sum_hh - sum_h * sum_h / n as f64 - sum_hx * sum_hx / sxx;
            let independent = norm > 1e-12 * sum_hh;
            independent.then(|| Candidate { k, tau, sum_h, sum_hx, inverse_norm: 1.0 / norm })
        })
        .collect()
}

/// The best candidate for a series `u` whose line `a + b x` is to be removed (`x` centred, `a`
/// and `b` the least-squares line of `u`): `(candidate index, reduction of the one-line SSE)`.
///
/// # Formula
///
/// `h_τ'ũ = (Σ_{t>=τ} x_t u_t - x_τ Σ_{t>=τ} u_t) - a Σh - b Σhx` with `ũ = u - a - b x`, and
/// the reduction is `(h_τ'ũ)² / |h̃_τ|²` (Frisch-Waugh).
fn best_candidate(u: &[f64], x: &[f64], a: f64, b: f64, candidates: &[Candidate]) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    let (mut su, mut sxu) = (0.0, 0.0);
    let mut next = candidates.len();
    // Backwards, so the suffix sums grow as the candidates are met (they ascend in k).
    for t in (0..u.len()).rev() {
        su += u[t];
        sxu += x[t] * u[t];
        while next > 0 && candidates[next - 1].k == t {
            next -= 1;
            let c = &candidates[next];
            let projection = (sxu - c.tau * su) - a * c.sum_h - b * c.sum_hx;
            let reduction = projection * projection * c.inverse_norm;
            if best.is_none_or(|(_, r)| reduction > r) {
                best = Some((next, reduction));
            }
        }
    }
    best
}

/// The best continuous two-segment fit of the cumulative residual against time (see the module
/// docs), with the share of no-break series that fit a break at least as well (`null`).
///
/// # Formula
///
/// For each candidate `τ`, least squares of `CR_t = α + β x_t + γ h_t`, `h_t = max(x_t - x_τ, 0)`,
/// `x_t` = years since the first week (centred). With `u` the one-line residuals and `h̃` the
/// hinge residualised on `[1, x]` (Frisch-Waugh): `γ = h̃'u / |h̃|²`,
/// `SSE_two = SSE_one - (h̃'u)² / |h̃|²`, `β = (Σxy - γ Σhx) / Σx²`; the sums over `t >= τ` come
/// from suffix sums, `Σh = S_x - x_τ S_1`, `Σh² = S_xx - 2 x_τ S_x + x_τ² S_1`,
/// `Σhx = S_xx - x_τ S_x`, so each candidate is `O(1)`.
pub fn hinge_break(points: &[ResidualPoint], min_segment: usize, null: BreakNull) -> Option<TrendBreak> {
    let n = points.len();
    let min_segment = min_segment.max(2);
    if n < 2 * min_segment + 1 {
        return None;
    }
    let first = points.first()?.date.days();
    let years: Vec<f64> = points.iter().map(|p| f64::from(p.date.days() - first) / 365.25).collect();
    let mean_x = years.iter().sum::<f64>() / n as f64;
    let mean_y = points.iter().map(|p| p.cumulative).sum::<f64>() / n as f64;
    let x: Vec<f64> = years.iter().map(|v| v - mean_x).collect();
    let y: Vec<f64> = points.iter().map(|p| p.cumulative - mean_y).collect();
    let (sxx, sxy, syy) =
        x.iter().zip(&y).fold((0.0, 0.0, 0.0), |(a, b, c), (xi, yi)| (a + xi * xi, b + xi * yi, c + yi * yi));
    // One line through the centred data: intercept 0, slope sxy / sxx.
    let spread = sxx > 0.0;
    if !spread {
        return None;
    }
    let line_slope = sxy / sxx;
    let sse_one = (syy - sxy * sxy / sxx).max(0.0);
    let grid = candidates(&x, sxx, min_segment);
    let (best, reduction) = best_candidate(&y, &x, 0.0, line_slope, &grid)?;
    let c = grid.get(best)?;
    // h'y over t >= τ, then the hinge coefficient and the line's slope given it.
    let shy: f64 = (c.k..n).map(|t| (x[t] - c.tau) * y[t]).sum();
    let projection = shy - line_slope * c.sum_hx;
    let gamma = projection * c.inverse_norm;
    let beta = (sxy - gamma * c.sum_hx) / sxx;
    let sse_two = (sse_one - reduction).max(0.0);
    let improvement = if sse_one > 0.0 { 1.0 - sse_two / sse_one } else { 0.0 };
    let residuals: Vec<f64> = x.iter().zip(&y).map(|(xi, yi)| yi - line_slope * xi).collect();
    let (null_p_value, null_ar1) = match simulate_no_break(&residuals, &x, sxx, &grid, improvement, null) {
        Some((p, phi)) => (Some(p), Some(phi)),
        None => (None, None),
    };
    [beta, gamma, sse_two, improvement].iter().all(|v| v.is_finite()).then_some(())?;
    Some(TrendBreak {
        date: points.get(c.k)?.date,
        slope_before_pct_per_year: 100.0 * beta,
        slope_after_pct_per_year: 100.0 * (beta + gamma),
        change_pct_per_year: 100.0 * gamma,
        sse_one_line: sse_one,
        sse_two_segment: sse_two,
        improvement,
        n,
        null_p_value,
        null_replicates: if null_p_value.is_some() { null.replicates } else { 0 },
        null_ar1,
        null_model: BREAK_NULL_MODEL.to_string(),
    })
}

/// The no-break simulation (module docs, "A null for the fitted break"): `(p-value, φ)` for the
/// one-line `residuals` on the centred grid `x`, or `None` without replicates or with no
/// innovation variance.
fn simulate_no_break(
    residuals: &[f64],
    x: &[f64],
    sxx: f64,
    grid: &[Candidate],
    observed: f64,
    null: BreakNull,
) -> Option<(f64, f64)> {
    let n = residuals.len();
    if null.replicates == 0 || n < 3 {
        return None;
    }
    let (lagged, cross) =
        residuals.windows(2).fold((0.0, 0.0), |(l, c), w| (l + w[0] * w[0], c + w[0] * w[1]));
    // Capped at 1 (a random walk): beyond it the series would explode, which no price residual does.
    let phi = (cross / lagged).clamp(-0.999, 1.0);
    if !phi.is_finite() {
        return None;
    }
    let mut innovations: Vec<f64> = residuals.windows(2).map(|w| w[1] - phi * w[0]).collect();
    let mean = innovations.iter().sum::<f64>() / innovations.len() as f64;
    innovations.iter_mut().for_each(|e| *e -= mean);
    if !innovations.iter().any(|e| *e != 0.0) {
        return None;
    }
    let start_scale = if phi < 1.0 { 1.0 / (1.0 - phi * phi).sqrt() } else { 0.0 };
    let mut rng = SplitMix64::new(null.seed);
    let draw = Below::new(innovations.len());
    let mut u = vec![0.0; n];
    let mut at_least = 0usize;
    for _ in 0..null.replicates {
        let (mut su, mut sxu, mut suu) = (0.0, 0.0, 0.0);
        let mut previous = start_scale * innovations[rng.below_with(draw)];
        for (t, slot) in u.iter_mut().enumerate() {
            if t > 0 {
                previous = phi * previous + innovations[rng.below_with(draw)];
            }
            *slot = previous;
            su += previous;
            sxu += x[t] * previous;
            suu += previous * previous;
        }
        let (a, b) = (su / n as f64, sxu / sxx);
        let sse_one = suu - n as f64 * a * a - b * b * sxx;
        let Some((_, reduction)) = best_candidate(&u, x, a, b, grid) else { continue };
        // A replicate with no error left to cut counts as no better than the observed.
        if sse_one > 0.0 && reduction / sse_one >= observed {
            at_least += 1;
        }
    }
    Some(((1 + at_least) as f64 / (1 + null.replicates) as f64, phi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Calendar;
    use crate::catalog::Catalog;
    use crate::dataset::{Dataset, LoadedSeries};
    use crate::series::Series;

    fn weekly_points(cumulative: &[f64]) -> Vec<ResidualPoint> {
        let first = Date::parse_iso("2015-01-02").expect("date");
        cumulative
            .iter()
            .enumerate()
            .map(|(i, &c)| ResidualPoint {
                date: first.add_days(7 * i as i32),
                gold_return: 0.0,
                real_rate_change: 0.0,
                slope: 0.0,
                residual: 0.0,
                cumulative: c,
            })
            .collect()
    }

    fn ar1(seed: u64, n: usize, phi: f64, scale: f64) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        let mut level = 0.0;
        (0..n)
            .map(|_| {
                level = phi * level + scale * (rng.next_f64() - 0.5);
                level
            })
            .collect()
    }

    const NO_NULL: BreakNull = BreakNull { replicates: 0, seed: 0 };

    #[test]
    fn hinge_on_a_noiseless_break_by_hand() {
        // Flat for 100 weeks, then rising 0.5 a year: the break is at week 100, the slopes are 0%
        // and 50% a year and the hinge leaves no error.
        let cumulative: Vec<f64> = (0..200)
            .map(|i| if i < 100 { 1.0 } else { 1.0 + 0.5 * 7.0 * (i - 100) as f64 / 365.25 })
            .collect();
        let points = weekly_points(&cumulative);
        let found = hinge_break(&points, 52, NO_NULL).expect("defined");
        assert_eq!(found.date, points[100].date);
        assert!(found.slope_before_pct_per_year.abs() < 1e-8, "{found:?}");
        assert!((found.slope_after_pct_per_year - 50.0).abs() < 1e-8, "{found:?}");
        assert!(found.improvement > 1.0 - 1e-12 && found.sse_two_segment < 1e-12);
        assert_eq!((found.null_p_value, found.null_replicates), (None, 0));
    }

    #[test]
    fn hinge_search_matches_least_squares_at_every_candidate() {
        // Brute force: each candidate's hinge fitted by QR least squares; the search must pick
        // the one with the smallest residual sum of squares, and report that sum.
        let noise = ar1(3, 130, 0.8, 1.0);
        let cumulative: Vec<f64> = noise.iter().enumerate().map(|(i, e)| 0.01 * i as f64 + e).collect();
        let points = weekly_points(&cumulative);
        let found = hinge_break(&points, 20, NO_NULL).expect("defined");
        let years: Vec<f64> = (0..130).map(|i| 7.0 * i as f64 / 365.25).collect();
        let (best_k, best_rss) = (20..110)
            .map(|k| {
                let hinge: Vec<f64> = years.iter().map(|x| (x - years[k]).max(0.0)).collect();
                (k, ols(&cumulative, &[&years, &hinge]).expect("defined").rss)
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("candidates");
        assert_eq!(found.date, points[best_k].date);
        assert!((found.sse_two_segment - best_rss).abs() < 1e-9 * best_rss.max(1.0));
        let line = ols(&cumulative, &[&years]).expect("defined");
        assert!((found.sse_one_line - line.rss).abs() < 1e-9 * line.rss);
    }

    #[test]
    fn a_real_break_is_rare_under_the_null() {
        // 520 weeks, flat then rising 40% a year from week 300, with mildly persistent noise.
        let noise = ar1(9, 520, 0.5, 0.02);
        let cumulative: Vec<f64> = (0..520)
            .map(|i| noise[i] + if i < 300 { 0.0 } else { 0.4 * 7.0 * (i - 300) as f64 / 365.25 })
            .collect();
        let null = BreakNull { replicates: 199, seed: 17 };
        let found = hinge_break(&weekly_points(&cumulative), 52, null).expect("defined");
        assert!(found.improvement > 0.9, "{found:?}");
        assert_eq!(found.null_replicates, 199);
        assert!(found.null_p_value.is_some_and(|p| p <= 0.01), "{found:?}");
        assert!(found.null_ar1.is_some_and(|phi| phi > 0.9), "the break makes the residuals persistent");
    }

    #[test]
    fn no_break_is_not_systematically_significant() {
        // AR(1) noise around a line, no break: across seeds the p-values spread over (0, 1] and
        // most are above 0.05 (about one in twenty below it would be the nominal rate).
        let null = BreakNull { replicates: 199, seed: 17 };
        let p_values: Vec<f64> = (0..12u64)
            .filter_map(|seed| {
                let noise = ar1(100 + seed, 520, 0.9, 1.0);
                let cumulative: Vec<f64> =
                    noise.iter().enumerate().map(|(i, e)| 0.002 * i as f64 + e).collect();
                hinge_break(&weekly_points(&cumulative), 52, null)?.null_p_value
            })
            .collect();
        assert_eq!(p_values.len(), 12);
        let small = p_values.iter().filter(|p| **p <= 0.05).count();
        assert!(small <= 3, "{p_values:?}");
        let spread =
            p_values.iter().fold(0.0f64, |m, p| m.max(*p)) - p_values.iter().fold(1.0f64, |m, p| m.min(*p));
        assert!(spread > 0.3, "{p_values:?}");
    }

    #[test]
    fn the_null_is_reproducible_from_its_seed() {
        let noise = ar1(5, 300, 0.9, 1.0);
        let points = weekly_points(&noise);
        let run = |seed| hinge_break(&points, 52, BreakNull { replicates: 99, seed }).expect("defined");
        assert_eq!(run(1), run(1));
        assert!(run(1).null_p_value.is_some());
    }

    #[test]
    fn gold_slope_uses_observation_dates() {
        // Daily business days over three years; the real yield is a random walk and gold's log
        // price is -k times it, so every Friday-to-Friday gold return is exactly -k times the same
        // week's yield change (observation dates). DFII10's catalog lag is 1 day.
        let k = 0.08;
        let calendar = Calendar::business_days(
            Date::parse_iso("2021-01-04").expect("date"),
            Date::parse_iso("2023-12-29").expect("date"),
        );
        let mut rng = SplitMix64::new(21);
        let mut level = 1.0;
        let (mut yields, mut gold) = (Vec::new(), Vec::new());
        for day in calendar.iter() {
            level += 0.05 * (rng.next_f64() - 0.5);
            yields.push((day, level));
            gold.push((day, 1800.0 * (-k * level).exp()));
        }
        let mut dataset = Dataset::new(Catalog::builtin());
        for (id, pairs) in [("DFII10", &yields), ("GOLD", &gold)] {
            let series = Series::from_pairs(id, pairs).expect("valid");
            dataset.insert(id, LoadedSeries { series, native_units: "x".into(), source: "test".into() });
        }
        let as_of = Date::parse_iso("2023-12-29").expect("date");
        let panel = Panel::build(&dataset, Some(as_of)).expect("panel");
        let config = GoldConfig { break_null_replicates: 0, ..GoldConfig::default() };
        let result = gold_real_rates(&panel, as_of, &config).expect("defined");
        let current = result.current.expect("a current window");
        // The as-of Friday's yield is not public yet, so the last week is left out of the check by
        // using the window ending a week earlier.
        let previous = result.rolling.iter().rev().nth(1).expect("window");
        assert!((previous.slope + k).abs() < 1e-9, "{previous:?}");
        assert!(current.slope < 0.0);
        // The publication-dated join pairs Friday returns with Thursday-to-Thursday changes: the
        // slope is far from -k.
        let lagged = panel.get("DFII10").expect("joined");
        let observed = panel.observed("DFII10").expect("joined");
        let price = panel.get("GOLD").expect("joined");
        let (mut returns, mut lagged_changes, mut observed_changes) = (Vec::new(), Vec::new(), Vec::new());
        for t in 1..panel.len() - 1 {
            returns.push((price.values[t] / price.values[t - 1]).ln());
            lagged_changes.push(lagged.values[t] - lagged.values[t - 1]);
            observed_changes.push(observed.values[t] - observed.values[t - 1]);
        }
        let slope = |x: &[f64]| ols(&returns, &[x]).expect("defined").slope(0).expect("slope").estimate;
        assert!((slope(&observed_changes) + k).abs() < 1e-9);
        assert!((slope(&lagged_changes) + k).abs() > 0.1 * k, "{}", slope(&lagged_changes));
    }

    #[test]
    fn hc3_interval_of_a_window_matches_ols() {
        // The running-sum window with its HC3 interval against the QR fit of the same weeks.
        let calendar = Calendar::fridays(
            Date::parse_iso("2022-01-07").expect("date"),
            Date::parse_iso("2024-12-27").expect("date"),
        );
        let mut rng = SplitMix64::new(4);
        let (mut rate, mut price) = (1.0, 1800.0);
        let (mut yields, mut gold) = (Vec::new(), Vec::new());
        for day in calendar.iter() {
            let change = 0.1 * (rng.next_f64() - 0.5);
            rate += change;
            // Heteroskedastic: the noise grows with the size of the yield move.
            price *= (-0.05 * change + 40.0 * change.abs() * (rng.next_f64() - 0.5) * 0.01).exp();
            yields.push((day, rate));
            gold.push((day, price));
        }
        let mut dataset = Dataset::new(Catalog::builtin());
        for (id, pairs) in [("DFII10", &yields), ("GOLD", &gold)] {
            let series = Series::from_pairs(id, pairs).expect("valid");
            dataset.insert(id, LoadedSeries { series, native_units: "x".into(), source: "test".into() });
        }
        let as_of = Date::parse_iso("2024-12-31").expect("date");
        let panel = Panel::build(&dataset, Some(as_of)).expect("panel");
        let config = GoldConfig { break_null_replicates: 0, ..GoldConfig::default() };
        let result = gold_real_rates(&panel, as_of, &config).expect("defined");
        let (current, fit) = (result.current.expect("window"), result.current_ols.expect("fit"));
        let slope = fit.slope(0).expect("slope");
        assert_eq!(current.n, fit.n);
        assert!((current.slope - slope.estimate).abs() < 1e-9);
        assert!((current.std_error - slope.std_error).abs() < 1e-9);
        assert!((current.hc3_std_error - slope.hc3_std_error.expect("hc3")).abs() < 1e-9);
        let [lo, hi] = slope.ci95.expect("interval");
        assert!((current.ci95[0] - lo).abs() < 1e-9 && (current.ci95[1] - hi).abs() < 1e-9);
        let [lo, hi] = slope.ci95_classical.expect("interval");
        assert!(
            (current.ci95_classical[0] - lo).abs() < 1e-9 && (current.ci95_classical[1] - hi).abs() < 1e-9
        );
    }
}
