//! Ticks that thin out instead of overlapping.
//!
//! Every function here is given the pixels it has and the room a label needs, and picks the
//! densest round step whose ticks stay that far apart: a phone gets fewer ticks, never overlapping
//! ones. Steps are 1, 2 or 5 times a power of ten for values; 1, 2, 5 per decade for log axes; days,
//! weeks, months, quarters, half-years, then 1, 2, 5, 10... years for dates.

use crate::date::Date;

use super::format::step_decimals;
use super::scale::usable_domain;

/// A tick on a value axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// The value at the tick.
    pub value: f64,
    /// Its pixel position on the axis.
    pub px: f64,
    /// Its label.
    pub label: String,
}

/// A tick on a date axis.
#[derive(Clone, Debug, PartialEq)]
pub struct DateTick {
    /// The date at the tick.
    pub date: Date,
    /// Its pixel position on the axis.
    pub px: f64,
    /// Its label (`2026`, `Jul 2026` or `Jul 24`).
    pub label: String,
}

/// The most ticks any axis gets, whatever its length: a guard against absurd inputs.
const MAX_TICKS: usize = 1_000;

/// The smallest gap between labels honoured, in pixels.
const MIN_GAP_PX: f64 = 1.0;

/// The smallest step of 1, 2 or 5 times a power of ten that is at least `raw` (1 when `raw` is not a
/// positive number).
///
/// ```
/// use tideline_core::chart::nice_step;
/// assert_eq!(nice_step(0.37), 0.5);
/// assert_eq!(nice_step(1_200.0), 2_000.0);
/// ```
pub fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let exponent = raw.log10().floor() as i32;
    [1u32, 2, 5, 10]
        .into_iter()
        .map(|m| power_of_ten(m, exponent))
        .find(|s| *s >= raw * (1.0 - 1e-12))
        .unwrap_or_else(|| power_of_ten(10, exponent))
}

/// `mantissa × 10^exponent` as the nearest float (parsing `"2e-3"` gives exactly 0.002, where
/// `2.0 * 10f64.powi(-3)` does not).
fn power_of_ten(mantissa: u32, exponent: i32) -> f64 {
    format!("{mantissa}e{exponent}").parse().unwrap_or(f64::NAN)
}

/// About `target` round tick values (steps of 1, 2 or 5 times a power of ten) covering `[lo, hi]`,
/// and the widened domain that starts and ends on a tick.
///
/// For an axis of a known length prefer [`linear_ticks`], which chooses the count from the pixels.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (Vec::new(), 0.0, 1.0);
    }
    let (lo, hi) = if hi - lo <= 0.0 { (lo - 1.0, hi + 1.0) } else { (lo, hi) };
    let step = nice_step((hi - lo) / target.max(1) as f64);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    let n = (((end - start) / step).round() as usize).min(MAX_TICKS);
    let ticks = (0..=n).map(|i| clean(start + i as f64 * step, step)).collect();
    (ticks, start, end)
}

/// A tick value rounded to the decimals of its step, so that `0.1 + 0.2` shows as `0.3` and
/// `-0.0` as `0`.
fn clean(value: f64, step: f64) -> f64 {
    let scale = 10f64.powi(step_decimals(step) as i32);
    (value * scale).round() / scale + 0.0
}

/// Round ticks inside `[lo, hi]` for an axis `length_px` long, at least `min_gap_px` apart, and
/// their step (for [`super::format_ticks`]).
///
/// The step is the smallest of 1, 2 or 5 times a power of ten that keeps the gap; a short domain
/// may then hold a single tick, or none. Non-finite input gives no ticks.
///
/// ```
/// use tideline_core::chart::linear_ticks;
/// let (ticks, step) = linear_ticks(0.0, 1_000.0, 300.0, 50.0);
/// assert_eq!(step, 200.0);
/// assert_eq!(ticks, [0.0, 200.0, 400.0, 600.0, 800.0, 1_000.0]);
/// ```
pub fn linear_ticks(lo: f64, hi: f64, length_px: f64, min_gap_px: f64) -> (Vec<f64>, f64) {
    if !lo.is_finite() || !hi.is_finite() || !length_px.is_finite() || length_px <= 0.0 {
        return (Vec::new(), 1.0);
    }
    let (lo, hi) = usable_domain(lo.min(hi), lo.max(hi));
    let gap = min_gap_px.max(MIN_GAP_PX);
    let step = nice_step(gap * (hi - lo) / length_px);
    // A tolerance of a millionth of a step keeps ticks that sit on the ends up to rounding.
    let first = (lo / step - 1e-6).ceil();
    let last = (hi / step + 1e-6).floor();
    let count = if last >= first { ((last - first) as usize + 1).min(MAX_TICKS) } else { 0 };
    let ticks = (0..count).map(|i| clean((first + i as f64) * step, step)).collect();
    (ticks, step)
}

/// Ticks of a base-10 log axis over `[lo, hi]` (both above zero), `length_px` long: 1, 2 and 5 per
/// decade when they are `min_gap_px` apart, else 1 per decade, else every 2nd, 5th, 10th...
/// decade. A domain narrower than a decade, with fewer than two such ticks, gets round linear
/// ticks, thinned to the gap as they fall on the log axis.
pub fn log_ticks(lo: f64, hi: f64, length_px: f64, min_gap_px: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo && length_px.is_finite() && length_px > 0.0)
    {
        return Vec::new();
    }
    let gap = min_gap_px.max(MIN_GAP_PX);
    let decades = hi.log10() - lo.log10();
    let px_per_decade = length_px / decades;
    let (e0, e1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let in_domain = |v: &f64| *v >= lo * (1.0 - 1e-12) && *v <= hi * (1.0 + 1e-12);
    // The closest pair of 1, 2, 5 ticks is a factor of 2 apart: log10(2) of a decade.
    let ticks: Vec<f64> = if 2f64.log10() * px_per_decade >= gap {
        (e0..=e1).flat_map(|e| [1, 2, 5].map(|m| power_of_ten(m, e))).filter(in_domain).collect()
    } else {
        let every = [1, 2, 5, 10, 20, 50, 100].into_iter().find(|k| f64::from(*k) * px_per_decade >= gap);
        match every {
            Some(k) => (e0..=e1)
                .filter(|e| e.rem_euclid(k) == 0)
                .map(|e| power_of_ten(1, e))
                .filter(in_domain)
                .collect(),
            None => Vec::new(),
        }
    };
    if ticks.len() >= 2 {
        return ticks;
    }
    // Narrow domain: round linear values, kept only where they clear the gap on the log axis.
    let (linear, _) = linear_ticks(lo, hi, length_px, gap);
    let px = |v: f64| (v.log10() - lo.log10()) * px_per_decade;
    let mut kept: Vec<f64> = Vec::with_capacity(linear.len());
    for v in linear.into_iter().filter(|v| *v > 0.0) {
        if kept.last().is_none_or(|k| px(v) - px(*k) >= gap) {
            kept.push(v);
        }
    }
    kept
}

/// Date ticks for a span: 1 January of years (every 1, 2, 5 or 10 years) for long spans, first days
/// of months (every 1, 3 or 6 months) for shorter ones. Each tick has its label.
///
/// For an axis of a known width prefer [`date_ticks_for_width`], which never lets labels overlap.
pub fn date_ticks(first: Date, last: Date, target: usize) -> Vec<(Date, String)> {
    let span_days = (last.days() - first.days()).max(1) as f64;
    let years = span_days / 365.25;
    let target = target.max(2) as f64;
    if years / target >= 0.75 {
        let step = [1, 2, 5, 10, 20, 50].into_iter().find(|s| years / *s as f64 <= target).unwrap_or(100);
        let (y0, y1) = (first.year(), last.year());
        (y0..=y1 + 1)
            .filter(|y| y.rem_euclid(step) == 0)
            .filter_map(|y| Date::from_ymd(y, 1, 1))
            .filter(|d| *d >= first && *d <= last)
            .map(|d| (d, d.year().to_string()))
            .collect()
    } else {
        let months = span_days / 30.44;
        let step = [1, 2, 3, 6].into_iter().find(|s| months / *s as f64 <= target).unwrap_or(12);
        let mut out = Vec::new();
        let mut d = first.month_start();
        while d <= last {
            let (_, m, _) = d.ymd();
            if (m as i32 - 1) % step == 0 && d >= first {
                out.push((d, month_year(d)));
            }
            d = d.add_months(1);
        }
        out
    }
}

/// Short English month names.
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `Jul 2026`.
pub fn month_year(date: Date) -> String {
    let (y, m, _) = date.ymd();
    format!("{} {y}", MONTHS[(m as usize).clamp(1, 12) - 1])
}

/// `Jul 24`: month and day, for axes spanning weeks.
pub fn month_day(date: Date) -> String {
    let (_, m, d) = date.ymd();
    format!("{} {d}", MONTHS[(m as usize).clamp(1, 12) - 1])
}

/// A calendar step between date ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DateStep {
    /// Every n days (n = 1 or 2: every day, every other day).
    Days(i32),
    /// Every n weeks, on Mondays.
    Weeks(i32),
    /// Every n months, on the first of the month.
    Months(u32),
    /// Every n years, on 1 January.
    Years(i32),
}

impl DateStep {
    /// The fewest days between two ticks of this step (February for months).
    fn min_days(self) -> f64 {
        match self {
            DateStep::Days(n) => f64::from(n),
            DateStep::Weeks(n) => f64::from(7 * n),
            DateStep::Months(1) => 28.0,
            DateStep::Months(n) => f64::from(n) * 30.0 - 2.0,
            DateStep::Years(n) => f64::from(n) * 365.0,
        }
    }

    /// The step's ticks in `[first, last]`, labelled.
    fn ticks(self, first: Date, last: Date) -> Vec<(Date, String)> {
        match self {
            DateStep::Days(n) => (first.days()..=last.days())
                .filter(|d| d.rem_euclid(n) == 0)
                .map(Date::from_days)
                .map(|d| (d, month_day(d)))
                .collect(),
            DateStep::Weeks(n) => (first.days()..=last.days())
                // 1970-01-05 (day 4) was a Monday.
                .filter(|d| (d - 4).rem_euclid(7 * n) == 0)
                .map(Date::from_days)
                .map(|d| (d, month_day(d)))
                .collect(),
            DateStep::Months(n) => {
                let mut out = Vec::new();
                let mut d = first.month_start();
                while d <= last && out.len() < MAX_TICKS {
                    if (d.ymd().1 - 1).is_multiple_of(n) && d >= first {
                        out.push((d, month_year(d)));
                    }
                    d = d.add_months(1);
                }
                out
            }
            DateStep::Years(n) => (first.year()..=last.year())
                .filter(|y| y.rem_euclid(n) == 0)
                .filter_map(|y| Date::from_ymd(y, 1, 1))
                .filter(|d| *d >= first && *d <= last)
                .map(|d| (d, d.year().to_string()))
                .collect(),
        }
    }
}

/// The steps tried, densest first.
const DATE_STEPS: [DateStep; 17] = [
    DateStep::Days(1),
    DateStep::Days(2),
    DateStep::Weeks(1),
    DateStep::Weeks(2),
    DateStep::Months(1),
    DateStep::Months(2),
    DateStep::Months(3),
    DateStep::Months(6),
    DateStep::Years(1),
    DateStep::Years(2),
    DateStep::Years(5),
    DateStep::Years(10),
    DateStep::Years(20),
    DateStep::Years(50),
    DateStep::Years(100),
    DateStep::Years(500),
    DateStep::Years(1_000),
];

/// Date ticks for an axis `width_px` wide from `first` to `last`, at least `min_label_px` apart
/// (pass the width of the widest label, `Jul 2026`, plus its padding).
///
/// The densest calendar step that keeps the gap wins: days or weeks (`Jul 24`), months, quarters
/// or half-years (`Jul 2026`), then years (`2026`). Ticks lie inside `[first, last]`, ascending.
///
/// ```
/// use tideline_core::{chart::date_ticks_for_width, Date};
/// let d = |s| Date::parse_iso(s).expect("date");
/// let wide = date_ticks_for_width(d("2016-03-04"), d("2026-07-24"), 720.0, 60.0);
/// assert_eq!(wide.len(), 10); // every 1 January, 2017 to 2026
/// let phone = date_ticks_for_width(d("2016-03-04"), d("2026-07-24"), 320.0, 60.0);
/// assert_eq!(phone.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(), ["2018", "2020", "2022", "2024", "2026"]);
/// ```
pub fn date_ticks_for_width(
    first: Date,
    last: Date,
    width_px: f64,
    min_label_px: f64,
) -> Vec<(Date, String)> {
    if !width_px.is_finite() || width_px <= 0.0 {
        return Vec::new();
    }
    let (first, last) = if first <= last { (first, last) } else { (last, first) };
    if first == last {
        return vec![(first, first.to_string())];
    }
    let gap = min_label_px.max(MIN_GAP_PX);
    let px_per_day = width_px / f64::from(last.days() - first.days());
    let Some(step) = DATE_STEPS.into_iter().find(|s| s.min_days() * px_per_day >= gap) else {
        // Not even one tick per thousand years fits: label the start only.
        return vec![(first, first.year().to_string())];
    };
    step.ticks(first, last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap_or(Date::from_days(0))
    }

    #[test]
    fn nice_ticks_are_round_and_cover() {
        let (t, lo, hi) = nice_ticks(5_312.0, 6_987.0, 5);
        assert_eq!(t, vec![5_000.0, 5_500.0, 6_000.0, 6_500.0, 7_000.0]);
        assert_eq!((lo, hi), (5_000.0, 7_000.0));
        let (t, _, _) = nice_ticks(3.0, 3.0, 4);
        assert!(t.len() >= 2);
        let (t, _, _) = nice_ticks(0.1, 0.7, 3);
        assert_eq!(t, [0.0, 0.2, 0.4, 0.6, 0.8]);
    }

    #[test]
    fn date_ticks_pick_years_or_months() {
        let years = date_ticks(d("2015-03-04"), d("2026-07-29"), 6);
        assert_eq!(
            years.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            ["2016", "2018", "2020", "2022", "2024", "2026"]
        );
        let months = date_ticks(d("2026-01-15"), d("2026-07-29"), 6);
        assert_eq!(months.first().map(|t| t.1.as_str()), Some("Mar 2026"));
    }

    #[test]
    fn date_ticks_for_short_spans() {
        let weeks = date_ticks_for_width(d("2026-07-01"), d("2026-07-31"), 600.0, 60.0);
        assert_eq!(
            weeks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            ["Jul 6", "Jul 13", "Jul 20", "Jul 27"]
        );
        let months = date_ticks_for_width(d("2026-01-15"), d("2026-12-20"), 800.0, 60.0);
        assert_eq!(months.first().map(|t| t.1.as_str()), Some("Feb 2026"));
        assert_eq!(months.len(), 11);
        assert_eq!(date_ticks_for_width(d("2026-01-15"), d("2026-01-15"), 100.0, 60.0).len(), 1);
        assert!(date_ticks_for_width(d("2026-01-15"), d("2026-02-15"), 0.0, 60.0).is_empty());
        assert!(date_ticks_for_width(d("2026-01-15"), d("2026-02-15"), f64::NAN, 60.0).is_empty());
    }

    #[test]
    fn linear_ticks_edge_cases() {
        assert!(linear_ticks(f64::NAN, 1.0, 100.0, 10.0).0.is_empty());
        assert!(linear_ticks(0.0, 1.0, 0.0, 10.0).0.is_empty());
        let (t, step) = linear_ticks(0.0, 0.3, 300.0, 100.0);
        assert_eq!((t, step), (vec![0.0, 0.1, 0.2, 0.3], 0.1));
        let (t, _) = linear_ticks(5.0, 5.0, 100.0, 30.0);
        assert!(!t.is_empty());
        // A gap below a pixel counts as one pixel.
        assert_eq!(linear_ticks(-3.0, 7.0, 100.0, 0.0).0.len(), 101);
    }

    #[test]
    fn log_ticks_narrow_domain_falls_back() {
        let t = log_ticks(110.0, 180.0, 300.0, 40.0);
        assert!(t.len() >= 2, "{t:?}");
        assert!(t.iter().all(|v| (110.0..=180.0).contains(v)));
        assert!(log_ticks(0.0, 10.0, 100.0, 10.0).is_empty());
    }

    proptest! {
        #[test]
        fn linear_ticks_inside_and_apart(lo in -1e6..1e6f64, span in 1e-6..1e7f64, len in 10.0..2_000.0f64,
                                         gap in 1.0..200.0f64) {
            let hi = lo + span;
            let (t, step) = linear_ticks(lo, hi, len, gap);
            let tolerance = 1e-6 * step;
            for v in &t {
                prop_assert!(*v >= lo - tolerance && *v <= hi + tolerance, "{v} outside [{lo}, {hi}]");
            }
            for w in t.windows(2) {
                prop_assert!(w[1] > w[0]);
                let px = (w[1] - w[0]) / span * len;
                prop_assert!(px >= gap * (1.0 - 1e-6), "gap {px} < {gap}");
            }
        }

        #[test]
        fn log_ticks_inside_and_apart(lo in 1e-4..1e4f64, decades in 0.05..10.0f64, len in 10.0..2_000.0f64,
                                      gap in 1.0..200.0f64) {
            let hi = lo * 10f64.powf(decades);
            let t = log_ticks(lo, hi, len, gap);
            for v in &t {
                prop_assert!(*v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9));
            }
            for w in t.windows(2) {
                let px = (w[1].log10() - w[0].log10()) / decades * len;
                prop_assert!(px >= gap * (1.0 - 1e-6), "gap {px} < {gap} in {t:?}");
            }
        }

        #[test]
        fn date_ticks_inside_and_apart(first in -20_000i32..30_000, span in 1i32..40_000,
                                       width in 50.0..2_000.0f64, gap in 20.0..150.0f64) {
            let (a, b) = (Date::from_days(first), Date::from_days(first + span));
            let t = date_ticks_for_width(a, b, width, gap);
            let px_per_day = width / f64::from(span);
            for (date, label) in &t {
                prop_assert!(*date >= a && *date <= b);
                prop_assert!(!label.is_empty());
            }
            for w in t.windows(2) {
                let px = f64::from(w[1].0.days() - w[0].0.days()) * px_per_day;
                prop_assert!(px >= gap * (1.0 - 1e-9), "gap {px} < {gap}");
            }
        }
    }
}
