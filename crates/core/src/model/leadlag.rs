//! Lead-lag, Granger tests and correlation stability (MODEL.md section 6).
//!
//! # Lead-lag
//!
//! Both series are sampled on Fridays, each at its last observation at or before the Friday
//! ([`friday_closes`]), over the weeks where both exist. Each is turned into weekly changes by its
//! [`ChangeKind`]: log changes for levels (net liquidity, prices), differences for rates in percent
//! (a real-yield change in percentage points). Then, with `x_t` and `y_t` the changes of the week
//! ending on Friday `t`:
//!
//! - the cross-correlation `rho(k) = corr(x_t, y_{t+k})` for `k = -26..=26` weeks, each with its
//!   null band `1.96 / sqrt(n_k)` ([`cross_correlation`]); a positive `k` means x leads y;
//! - the best lag, the `k` in `0..=26` with the largest `|rho(k)|`
//!   ([`crate::stats::correlation::best_lag`], read off the cross-correlation's lags `k >= 0`);
//! - the **significance of the best lag after the search**: the best of 27 lags is not one test,
//!   so it is judged against the 95% level of the largest `|rho(k)|` over `k = 0..=26` that the
//!   same two series give when their relation is broken by a circular shift
//!   ([`crate::stats::search::circular_shift_max`]; about `3.1 / sqrt(n)`, 0.12 at `n = 677`,
//!   against the one-lag band's 0.075), with its p-value; `significant` is read from it, the
//!   one-lag band is kept beside it for comparison;
//! - the rolling best lag on three-year (156-week) windows every 4 weeks, and the lag stability:
//!   the share of windows whose best lag is within ±2 weeks of the full-sample one, with the
//!   Bonferroni band a window's best lag must clear and the share of windows that clear it;
//! - Granger F-tests of "x helps predict y" for 1 to 8 weekly lags ([`granger_lags`]).
//!
//! # Correlation stability
//!
//! [`correlation_stability`] takes daily log returns on the second series' (the benchmark's)
//! calendar, as the asymmetry does ([`paired_log_returns`]), and summarises the rolling 90-day and
//! 180-day correlations: their five-number distribution, the full-sample correlation and the share
//! of windows whose correlation has the full-sample sign. A relationship is **stable** when that
//! share is at least [`STABLE_SHARE`] (0.75: three windows in four agree) and labelled
//! **unstable** below [`UNSTABLE_SHARE`] (0.6: a relationship that flips sign nearly half the time
//! cannot be leaned on); in between it is **mixed**.
//!
//! # Choices where the specification is silent
//!
//! - **Overlap only**: the Friday calendar runs over the weeks where both series exist; lags are
//!   taken inside it, so `rho(k)` rests on `n - |k|` pairs at most.
//! - **Publication lag**: Friday sampling uses observation dates. The weekly inputs here (the H.4.1
//!   balance sheet of Wednesday, public on Thursday; daily market prices) are public by the Friday
//!   they are sampled on, and the orchestrator cuts every series at the as-of date, so no figure
//!   uses an observation the public could not have seen that week, give or take a day for daily
//!   yields.
//! - **Rolling windows** are anchored at the last week (the newest window always ends on the last
//!   Friday), like the asymmetry's.
//! - The **sign** of a correlation of exactly 0 is 0, which no window "shares" unless it is also 0.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::align::friday_closes;
use crate::date::Date;
use crate::model::asymmetry::{log_returns, paired_log_returns, window_ends, ReturnFrequency};
use crate::series::Series;
use crate::stats::correlation::{
    cross_correlation, pearson, rolling_best_lags, strongest, LagCorrelation, LaggedPrefix,
};
use crate::stats::descriptive::{summary, Summary};
use crate::stats::granger::{granger_lags, GrangerTest, DEFAULT_MAX_LAG};
use crate::stats::search::{adjusted_best_lag, bonferroni_band, SearchAdjusted};
use crate::transform::{Change, Transform};

/// Largest lag of the cross-correlation and of the best-lag search, in weeks (MODEL.md 6).
pub const MAX_LAG_WEEKS: usize = 26;

/// Rolling best-lag window: three years of weeks.
pub const ROLLING_WINDOW_WEEKS: usize = 156;

/// Weeks between rolling best-lag windows.
pub const ROLLING_STEP_WEEKS: usize = 4;

/// A rolling best lag within this many weeks of the full-sample best lag counts as agreeing.
pub const LAG_STABILITY_TOLERANCE: i32 = 2;

/// The correlation-stability windows of MODEL.md 6, in trading days.
pub const DEFAULT_STABILITY_WINDOWS: [usize; 2] = [90, 180];

/// Trading days between rolling correlation windows.
pub const STABILITY_STEP: usize = 5;

/// Share of windows with the full-sample sign at or above which a relationship is stable.
pub const STABLE_SHARE: f64 = 0.75;

/// Share of windows with the full-sample sign below which a relationship is labelled unstable.
pub const UNSTABLE_SHARE: f64 = 0.6;

/// How a weekly level becomes a weekly change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// `ln(v_t / v_{t-1})`, for positive levels: net liquidity, prices.
    LogChange,
    /// `v_t - v_{t-1}`, for rates in percent: yields, spreads.
    Difference,
}

impl ChangeKind {
    /// The one-period changes of `levels`, slot for slot (NaN in the first slot and where
    /// undefined).
    ///
    /// # Formula
    ///
    /// `LogChange`: `ln(v_t / v_{t-1})` (NaN unless both are positive); `Difference`:
    /// `v_t - v_{t-1}`.
    pub fn apply(self, levels: &[f64]) -> Vec<f64> {
        match self {
            ChangeKind::LogChange => log_returns(levels),
            // `Change::new(1)` only fails for a zero period; the fallback keeps this panic-free.
            ChangeKind::Difference => {
                Change::new(1).map_or_else(|_| vec![f64::NAN; levels.len()], |t| t.apply(levels))
            }
        }
    }
}

/// One side of a lead-lag pair: a series, the id to report it under, and how it changes.
#[derive(Clone, Copy, Debug)]
pub struct Leg<'a> {
    /// The id shown in the report.
    pub id: &'a str,
    /// The series (already cut at the as-of date).
    pub series: &'a Series,
    /// How its weekly levels become changes.
    pub change: ChangeKind,
}

impl<'a> Leg<'a> {
    /// A leg reported under the series' own id.
    pub fn new(series: &'a Series, change: ChangeKind) -> Leg<'a> {
        Leg { id: &series.id, series, change }
    }
}

/// Settings of [`lead_lag`]; the defaults are MODEL.md 6's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadLagConfig {
    /// Largest lag, in weeks, of the cross-correlation and of the best-lag search (26).
    pub max_lag: usize,
    /// Rolling best-lag window in weeks (156).
    pub rolling_window: usize,
    /// Weeks between rolling windows (4); 0 counts as 1.
    pub rolling_step: usize,
    /// Agreement tolerance of the lag stability, in weeks (2).
    pub stability_tolerance: i32,
    /// Largest Granger lag order, in weeks (8).
    pub granger_max_lag: usize,
}

impl Default for LeadLagConfig {
    fn default() -> LeadLagConfig {
        LeadLagConfig {
            max_lag: MAX_LAG_WEEKS,
            rolling_window: ROLLING_WINDOW_WEEKS,
            rolling_step: ROLLING_STEP_WEEKS,
            stability_tolerance: LAG_STABILITY_TOLERANCE,
            granger_max_lag: DEFAULT_MAX_LAG,
        }
    }
}

/// Weekly changes of two series on common Fridays.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WeeklyChanges {
    /// The Friday each week ends on, ascending and consecutive.
    pub dates: Vec<Date>,
    /// x's change over each week (NaN where undefined).
    pub x: Vec<f64>,
    /// y's change over each week (NaN where undefined).
    pub y: Vec<f64>,
}

/// The weekly changes of `x` and `y` on the Fridays where both exist (see the module docs). The
/// first Friday only serves as the base of the first change and is not listed.
pub fn weekly_changes(x: Leg<'_>, y: Leg<'_>) -> WeeklyChanges {
    let paired = friday_closes(y.series, x.series);
    if paired.len() < 2 {
        return WeeklyChanges::default();
    }
    let x_changes = x.change.apply(&paired.asset);
    let y_changes = y.change.apply(&paired.bench);
    WeeklyChanges {
        dates: paired.dates.get(1..).unwrap_or_default().to_vec(),
        x: x_changes.get(1..).unwrap_or_default().to_vec(),
        y: y_changes.get(1..).unwrap_or_default().to_vec(),
    }
}

/// The lead-lag of one pair (MODEL.md 6).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadLagResult {
    /// The leading candidate's id.
    pub x: String,
    /// The follower's id.
    pub y: String,
    /// How x's levels became changes.
    pub x_change: ChangeKind,
    /// How y's levels became changes.
    pub y_change: ChangeKind,
    /// The Friday ending the first weekly change.
    pub first: Date,
    /// The Friday ending the last weekly change.
    pub last: Date,
    /// Weekly changes on the common calendar.
    pub weeks: usize,
    /// The `k` in `0..=26` with the largest `|corr(x_t, y_{t+k})|`: x leads y by this many weeks.
    pub best_lag_weeks: i32,
    /// The correlation at the best lag.
    pub rho: f64,
    /// `1.96 / sqrt(n)` at the best lag: a `|rho|` inside it is indistinguishable from 0.
    pub band: f64,
    /// Complete pairs at the best lag.
    pub n: usize,
    /// The best lag once the search over `0..=26` lags is accounted for: the 95% level of the
    /// largest `|rho|` of unrelated series with these series' own dynamics (circular shifts of y,
    /// Bonferroni when too short; see [`crate::stats::search`]). `None` when undefined.
    pub search: Option<SearchAdjusted>,
    /// `|rho|` clears the search-adjusted band (`search.band`): the best lead is more than the
    /// best of noise. Without an adjustment, `false`.
    pub significant: bool,
    /// `|rho| > band`, the one-lag band that ignores the search: shown for comparison only.
    pub significant_one_lag: bool,
    /// `rho(k)` for `k = -26..=26` where defined, ascending in `k`.
    pub cross: Vec<LagCorrelation>,
    /// Per rolling window: its last Friday, its best lag in `0..=26` and the correlation there.
    pub rolling_best_lag: Vec<(Date, i32, f64)>,
    /// The Bonferroni band (27 lags searched) for a window's best lag, on the pairs a window has
    /// at the longest lag (`rolling_window - 26`, the widest band of the window's lags; see
    /// [`crate::stats::search::bonferroni_band`]): a window whose best `|rho|` is inside it shows
    /// no lead at all. `None` without a window.
    pub rolling_band: Option<f64>,
    /// Share of rolling windows whose best `|rho|` clears `rolling_band` (`None` without a window).
    pub rolling_significant_share: Option<f64>,
    /// Share of rolling windows whose best lag is within ±2 weeks of `best_lag_weeks` (`None`
    /// without a window).
    ///
    /// # Formula
    ///
    /// `#{w : |lag_w - best_lag_weeks| <= 2} / #windows`.
    pub lag_stability: Option<f64>,
    /// Granger tests of "x helps predict y", lag orders 1..=8 where defined.
    pub granger: Vec<GrangerTest>,
}

/// Lead-lag of `x` on `y` (MODEL.md 6); see the module docs.
///
/// `None` when no lag in `0..=max_lag` has a defined correlation (too few common weeks or a
/// constant series).
///
/// # Formula
///
/// `rho(k) = pearson(x_t, y_{t+k})` over the weeks where both are defined;
/// `best_lag = argmax_{k in 0..=26} |rho(k)|` (ties to the smaller lag); `band = 1.96 / sqrt(n)`.
pub fn lead_lag(x: Leg<'_>, y: Leg<'_>, config: &LeadLagConfig) -> Option<LeadLagResult> {
    let changes = weekly_changes(x, y);
    let max_lag = i32::try_from(config.max_lag).unwrap_or(i32::MAX);
    let cross = cross_correlation(&changes.x, &changes.y, config.max_lag);
    // `best_lag(x, y, 0..=max_lag)` without computing its lags twice: they are the cross's `k >= 0`.
    let best = strongest(cross.iter().copied().filter(|c| (0..=max_lag).contains(&c.lag)))?;
    let step = config.rolling_step.max(1);
    let ends = window_ends(changes.dates.len(), config.rolling_window, step);
    let windows: Vec<(usize, usize)> =
        ends.iter().map(|&end| (end + 1 - config.rolling_window, end)).collect();
    let max_lag_usize = usize::try_from(max_lag.max(0)).unwrap_or(0);
    let rolling_best_lag: Vec<(Date, i32, f64)> =
        rolling_best_lags(&changes.x, &changes.y, max_lag_usize, &windows)
            .into_iter()
            .zip(&ends)
            .filter_map(|(best, &end)| {
                let best = best?;
                Some((*changes.dates.get(end)?, best.lag, best.rho))
            })
            .collect();
    let agreeing = rolling_best_lag
        .iter()
        .filter(|(_, lag, _)| {
            (i64::from(*lag) - i64::from(best.lag)).abs() <= i64::from(config.stability_tolerance)
        })
        .count();
    let lag_stability =
        (!rolling_best_lag.is_empty()).then(|| agreeing as f64 / rolling_best_lag.len() as f64);
    let searched = max_lag_usize + 1;
    let rolling_band = (!rolling_best_lag.is_empty())
        .then(|| bonferroni_band(config.rolling_window.saturating_sub(max_lag_usize), searched))
        .flatten()
        .map(|b| b.band);
    let rolling_significant_share = rolling_band.map(|band| {
        let clear = rolling_best_lag.iter().filter(|(_, _, rho)| rho.abs() > band).count();
        clear as f64 / rolling_best_lag.len() as f64
    });
    let search = adjusted_best_lag(&changes.x, &changes.y, 0..=max_lag, best.rho, best.n);
    Some(LeadLagResult {
        x: x.id.to_string(),
        y: y.id.to_string(),
        x_change: x.change,
        y_change: y.change,
        first: *changes.dates.first()?,
        last: *changes.dates.last()?,
        weeks: changes.dates.len(),
        best_lag_weeks: best.lag,
        rho: best.rho,
        band: best.band,
        n: best.n,
        significant: search.as_ref().is_some_and(|a| a.significant(best.rho)),
        significant_one_lag: best.rho.abs() > best.band,
        search,
        cross,
        rolling_best_lag,
        rolling_band,
        rolling_significant_share,
        lag_stability,
        granger: granger_lags(&changes.x, &changes.y, config.granger_max_lag),
    })
}

/// How far a correlation can be leaned on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StabilityLabel {
    /// At least [`STABLE_SHARE`] of the windows have the full-sample sign.
    Stable,
    /// Between [`UNSTABLE_SHARE`] and [`STABLE_SHARE`].
    Mixed,
    /// Below [`UNSTABLE_SHARE`]: the sign flips too often to mean anything.
    Unstable,
}

impl StabilityLabel {
    /// The label of a same-sign share.
    ///
    /// # Formula
    ///
    /// `Stable` when `share >= 0.75`, `Unstable` when `share < 0.6`, `Mixed` otherwise.
    pub fn of(share: f64) -> StabilityLabel {
        if share >= STABLE_SHARE {
            StabilityLabel::Stable
        } else if share >= UNSTABLE_SHARE {
            StabilityLabel::Mixed
        } else {
            StabilityLabel::Unstable
        }
    }
}

impl fmt::Display for StabilityLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StabilityLabel::Stable => "stable",
            StabilityLabel::Mixed => "mixed",
            StabilityLabel::Unstable => "unstable",
        })
    }
}

/// The stability of the rolling correlation of two series over one window length.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StabilityResult {
    /// The first series' id.
    pub x: String,
    /// The second (benchmark) series' id.
    pub y: String,
    /// Window length in trading days.
    pub window: usize,
    /// Trading days between windows.
    pub step: usize,
    /// Windows with a defined correlation.
    pub n_windows: usize,
    /// Min, quartiles and max of the rolling correlations.
    pub distribution: Option<Summary>,
    /// The full-sample correlation of the daily log returns.
    pub full_sample: Option<f64>,
    /// Daily return periods in the full sample.
    pub n: usize,
    /// The sign of the full-sample correlation: -1, 0 or 1 (0 also when undefined).
    pub sign: i8,
    /// Share of windows whose correlation has the full-sample sign.
    ///
    /// # Formula
    ///
    /// `#{w : sign(r_w) = sign(r_full)} / #windows`.
    pub share_same_sign: Option<f64>,
    /// `share_same_sign >= 0.75`.
    pub stable: bool,
    /// Stable, mixed or unstable (`None` when the share is undefined).
    pub label: Option<StabilityLabel>,
}

fn sign_of(r: f64) -> i8 {
    if r > 0.0 {
        1
    } else if r < 0.0 {
        -1
    } else {
        0
    }
}

/// Correlation stability of `x` against `y` (MODEL.md 6) for each window length in `windows`
/// (trading days; MODEL.md uses [`DEFAULT_STABILITY_WINDOWS`]), on daily log returns on `y`'s
/// calendar, windows every [`STABILITY_STEP`] days anchored at the last day. One result per
/// window length, in the order given; a window longer than the sample gives no rolling window.
pub fn correlation_stability(x: &Series, y: &Series, windows: &[usize]) -> Vec<StabilityResult> {
    let returns = paired_log_returns(x, y, ReturnFrequency::Daily);
    let full_sample = pearson(&returns.asset, &returns.bench);
    let sign = full_sample.map_or(0, sign_of);
    // One set of prefix sums serves every window length.
    let prefix = LaggedPrefix::new(&returns.asset, &returns.bench, 0);
    windows
        .iter()
        .map(|&window| {
            let rolling: Vec<f64> = window_ends(returns.len(), window, STABILITY_STEP)
                .into_iter()
                .filter_map(|end| Some(prefix.as_ref()?.window(end + 1 - window, end)?.rho))
                .collect();
            let same = rolling.iter().filter(|r| sign_of(**r) == sign).count();
            let share_same_sign =
                (full_sample.is_some() && !rolling.is_empty()).then(|| same as f64 / rolling.len() as f64);
            StabilityResult {
                x: x.id.clone(),
                y: y.id.clone(),
                window,
                step: STABILITY_STEP,
                n_windows: rolling.len(),
                distribution: summary(&rolling),
                full_sample,
                n: returns.len(),
                sign,
                share_same_sign,
                stable: share_same_sign.is_some_and(|s| s >= STABLE_SHARE),
                label: share_same_sign.map(StabilityLabel::of),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXACT: f64 = 1e-12;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("test date")
    }

    #[test]
    fn change_kinds_by_hand() {
        let levels = [100.0, 110.0, 99.0, -1.0];
        let log = ChangeKind::LogChange.apply(&levels);
        assert!(log[0].is_nan() && log[3].is_nan());
        assert!((log[1] - (1.1f64).ln()).abs() < EXACT && (log[2] - (0.9f64).ln()).abs() < EXACT);
        let diff = ChangeKind::Difference.apply(&[4.25, 4.5, 4.0]);
        assert!(diff[0].is_nan());
        assert_eq!(&diff[1..], &[0.25, -0.5]);
    }

    #[test]
    fn weekly_changes_sample_fridays_over_the_overlap() {
        // x daily from Wed 3 Jan; y (a yield) on Thu 4, Fri 12 (holiday-free), Thu 18.
        let x = Series::from_pairs(
            "NL",
            &[
                (d("2024-01-03"), 100.0),
                (d("2024-01-05"), 200.0),
                (d("2024-01-12"), 400.0),
                (d("2024-01-26"), 800.0),
            ],
        )
        .expect("valid");
        let y = Series::from_pairs(
            "DFII10",
            &[(d("2024-01-04"), 2.0), (d("2024-01-12"), 2.5), (d("2024-01-18"), 1.5)],
        )
        .expect("valid");
        let w = weekly_changes(Leg::new(&x, ChangeKind::LogChange), Leg::new(&y, ChangeKind::Difference));
        // Fridays 5, 12 (y ends on the 18th, so the 19th and 26th are out); one change, the 12th.
        assert_eq!(w.dates, vec![d("2024-01-12")]);
        assert!((w.x[0] - 2f64.ln()).abs() < EXACT);
        assert!((w.y[0] - 0.5).abs() < EXACT);
        let empty = Series::default();
        assert!(weekly_changes(
            Leg::new(&empty, ChangeKind::LogChange),
            Leg::new(&y, ChangeKind::Difference)
        )
        .dates
        .is_empty());
        assert!(lead_lag(
            Leg::new(&x, ChangeKind::LogChange),
            Leg::new(&y, ChangeKind::Difference),
            &LeadLagConfig::default()
        )
        .is_none());
    }

    #[test]
    fn stability_thresholds() {
        assert_eq!(StabilityLabel::of(0.75), StabilityLabel::Stable);
        assert_eq!(StabilityLabel::of(0.7499), StabilityLabel::Mixed);
        assert_eq!(StabilityLabel::of(0.6), StabilityLabel::Mixed);
        assert_eq!(StabilityLabel::of(0.5999), StabilityLabel::Unstable);
        assert_eq!(StabilityLabel::Unstable.to_string(), "unstable");
        assert_eq!(serde_json::to_string(&StabilityLabel::Mixed).expect("serialises"), "\"mixed\"");
        assert_eq!((sign_of(0.3), sign_of(-0.1), sign_of(0.0)), (1, -1, 0));
    }

    #[test]
    fn stability_of_nothing_is_undefined_not_unstable() {
        let out = correlation_stability(&Series::default(), &Series::default(), &DEFAULT_STABILITY_WINDOWS);
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|r| r.n_windows == 0 && r.label.is_none() && !r.stable && r.sign == 0));
        assert!(out.iter().all(|r| r.distribution.is_none() && r.full_sample.is_none()));
    }
}
