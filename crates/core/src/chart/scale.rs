//! Scales: maps from a data domain to pixels and back.
//!
//! Every scale maps a value to a pixel with `map` and a pixel back to a value with `invert`, so the
//! crosshair, the brush and the wheel zoom all read the same geometry the paths were drawn with.
//! Constructors never panic: [`LinearScale::new`] and [`TimeScale::new`] widen a degenerate domain
//! (one value, one date) so that mapping stays finite; [`LogScale::new`] refuses a domain that is
//! not positive with a [`ScaleError`].

use crate::date::Date;

use super::format::{format_compact, format_ticks};
use super::ticks::{date_ticks_for_width, linear_ticks, log_ticks, DateTick, Tick};

/// Why a scale could not be built.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum ScaleError {
    /// A domain end is NaN or infinite.
    #[error("the domain [{lo}, {hi}] is not finite")]
    NonFinite {
        /// The lower end as given.
        lo: f64,
        /// The upper end as given.
        hi: f64,
    },
    /// A log scale's domain must be above zero.
    #[error("a log scale needs a domain above zero, found [{lo}, {hi}]")]
    NonPositive {
        /// The lower end as given.
        lo: f64,
        /// The upper end as given.
        hi: f64,
    },
}

/// A linear map from a data domain to a pixel range.
///
/// ```
/// use tideline_core::chart::LinearScale;
/// let s = LinearScale::new(0.0, 10.0, 100.0, 0.0); // y grows downwards in SVG
/// assert_eq!(s.map(5.0), 50.0);
/// assert_eq!(s.invert(50.0), 5.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearScale {
    /// Domain start.
    pub d0: f64,
    /// Domain end.
    pub d1: f64,
    /// Range start (pixels).
    pub r0: f64,
    /// Range end (pixels).
    pub r1: f64,
}

/// `[lo, hi]` made usable: non-finite ends become `[0, 1]`, and a domain of one value is widened
/// by 1 on each side (or by 5% of the value when that is larger).
pub(crate) fn usable_domain(lo: f64, hi: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if (hi - lo).abs() < f64::EPSILON * lo.abs().max(1.0) {
        let pad = (lo.abs() * 0.05).max(1.0);
        return (lo - pad, hi + pad);
    }
    (lo, hi)
}

impl LinearScale {
    /// A scale; a degenerate domain is widened (see the module docs) and a non-finite one becomes
    /// `[0, 1]`, so that mapping stays finite.
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> LinearScale {
        let (d0, d1) = usable_domain(d0, d1);
        LinearScale { d0, d1, r0, r1 }
    }

    /// Maps a domain value to pixels (a non-finite value maps to NaN, which paths treat as a gap).
    pub fn map(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }

    /// Maps pixels back to the domain; an empty pixel range inverts to the domain start.
    pub fn invert(&self, px: f64) -> f64 {
        if self.r1 == self.r0 {
            return self.d0;
        }
        self.d0 + (px - self.r0) / (self.r1 - self.r0) * (self.d1 - self.d0)
    }

    /// Round ticks inside the domain, at least `min_gap_px` apart, labelled with the same decimals.
    pub fn ticks(&self, min_gap_px: f64) -> Vec<Tick> {
        let (lo, hi) = (self.d0.min(self.d1), self.d0.max(self.d1));
        let (values, step) = linear_ticks(lo, hi, (self.r1 - self.r0).abs(), min_gap_px);
        let labels = format_ticks(&values, step);
        values
            .into_iter()
            .zip(labels)
            .map(|(value, label)| Tick { value, px: self.map(value), label })
            .collect()
    }
}

/// A base-10 logarithmic map from a positive domain to a pixel range.
///
/// ```
/// use tideline_core::chart::LogScale;
/// let s = LogScale::new(1.0, 1_000.0, 0.0, 300.0).expect("positive domain");
/// assert!((s.map(10.0) - 100.0).abs() < 1e-9);
/// assert!((s.invert(200.0) - 100.0).abs() < 1e-9);
/// assert!(LogScale::new(0.0, 10.0, 0.0, 1.0).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogScale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl LogScale {
    /// A log scale over `[d0, d1]`; both ends must be finite and above zero. A domain of one value
    /// is widened to a decade around it.
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Result<LogScale, ScaleError> {
        if !d0.is_finite() || !d1.is_finite() {
            return Err(ScaleError::NonFinite { lo: d0, hi: d1 });
        }
        if d0 <= 0.0 || d1 <= 0.0 {
            return Err(ScaleError::NonPositive { lo: d0, hi: d1 });
        }
        let (d0, d1) = if (d1.log10() - d0.log10()).abs() < 1e-12 {
            (d0 / 10f64.sqrt(), d1 * 10f64.sqrt())
        } else {
            (d0, d1)
        };
        Ok(LogScale { d0, d1, r0, r1 })
    }

    /// The domain `(start, end)`.
    pub fn domain(&self) -> (f64, f64) {
        (self.d0, self.d1)
    }

    /// The pixel range `(start, end)`.
    pub fn range(&self) -> (f64, f64) {
        (self.r0, self.r1)
    }

    /// Maps a value to pixels; a value that is not above zero (or not finite) maps to NaN, which
    /// paths draw as a gap.
    pub fn map(&self, v: f64) -> f64 {
        if v <= 0.0 || !v.is_finite() {
            return f64::NAN;
        }
        let (l0, l1) = (self.d0.log10(), self.d1.log10());
        self.r0 + (v.log10() - l0) / (l1 - l0) * (self.r1 - self.r0)
    }

    /// Maps pixels back to the domain; an empty pixel range inverts to the domain start.
    pub fn invert(&self, px: f64) -> f64 {
        if self.r1 == self.r0 {
            return self.d0;
        }
        let (l0, l1) = (self.d0.log10(), self.d1.log10());
        10f64.powf(l0 + (px - self.r0) / (self.r1 - self.r0) * (l1 - l0))
    }

    /// Ticks at 1, 2 and 5 per decade (or fewer, when decades are narrow), at least `min_gap_px`
    /// apart, labelled compactly (`1k`, `10k`).
    pub fn ticks(&self, min_gap_px: f64) -> Vec<Tick> {
        let (lo, hi) = (self.d0.min(self.d1), self.d0.max(self.d1));
        log_ticks(lo, hi, (self.r1 - self.r0).abs(), min_gap_px)
            .into_iter()
            .map(|value| Tick { value, px: self.map(value), label: format_compact(value) })
            .collect()
    }
}

/// A value axis that is either linear or logarithmic, behind one API.
///
/// ```
/// use tideline_core::chart::{LinearScale, YScale};
/// let y = YScale::Linear(LinearScale::new(-1.0, 1.0, 200.0, 0.0));
/// assert_eq!(y.zero_px(), Some(100.0));
/// assert_eq!(y.ticks(40.0).iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
///            ["-1.0", "-0.5", "0.0", "0.5", "1.0"]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum YScale {
    /// A linear axis.
    Linear(LinearScale),
    /// A base-10 log axis.
    Log(LogScale),
}

impl YScale {
    /// A linear scale, or a log one when `log` is set and the domain allows it (a log scale over a
    /// domain that reaches zero or below falls back to linear rather than failing the chart).
    pub fn new(lo: f64, hi: f64, r0: f64, r1: f64, log: bool) -> YScale {
        match (log, LogScale::new(lo, hi, r0, r1)) {
            (true, Ok(s)) => YScale::Log(s),
            _ => YScale::Linear(LinearScale::new(lo, hi, r0, r1)),
        }
    }

    /// Maps a value to pixels (NaN for a value the scale cannot show: a gap in a path).
    pub fn map(&self, v: f64) -> f64 {
        match self {
            YScale::Linear(s) => s.map(v),
            YScale::Log(s) => s.map(v),
        }
    }

    /// Maps pixels back to a value.
    pub fn invert(&self, px: f64) -> f64 {
        match self {
            YScale::Linear(s) => s.invert(px),
            YScale::Log(s) => s.invert(px),
        }
    }

    /// Ticks inside the domain, at least `min_gap_px` apart, with their labels.
    pub fn ticks(&self, min_gap_px: f64) -> Vec<Tick> {
        match self {
            YScale::Linear(s) => s.ticks(min_gap_px),
            YScale::Log(s) => s.ticks(min_gap_px),
        }
    }

    /// The domain `(start, end)`.
    pub fn domain(&self) -> (f64, f64) {
        match self {
            YScale::Linear(s) => (s.d0, s.d1),
            YScale::Log(s) => s.domain(),
        }
    }

    /// The pixel range `(start, end)`.
    pub fn range(&self) -> (f64, f64) {
        match self {
            YScale::Linear(s) => (s.r0, s.r1),
            YScale::Log(s) => s.range(),
        }
    }

    /// The pixel position of the zero line, when zero lies inside a linear domain (a log axis has
    /// no zero).
    pub fn zero_px(&self) -> Option<f64> {
        match self {
            YScale::Linear(s) if s.d0.min(s.d1) <= 0.0 && s.d0.max(s.d1) >= 0.0 => Some(s.map(0.0)),
            _ => None,
        }
    }
}

/// A map from dates to pixels and back, for the x axis of every time-series chart.
///
/// Dates map through their day numbers, so a fractional day is a position between two days; the
/// crosshair and the brush [`TimeScale::invert`] a pixel to the nearest day.
///
/// ```
/// use tideline_core::{chart::TimeScale, Date};
/// let d = |s| Date::parse_iso(s).expect("date");
/// let x = TimeScale::new(d("2026-01-01"), d("2026-01-11"), 0.0, 100.0);
/// assert_eq!(x.map(d("2026-01-06")), 50.0);
/// assert_eq!(x.invert(51.0), d("2026-01-06"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeScale {
    first: Date,
    last: Date,
    r0: f64,
    r1: f64,
}

impl TimeScale {
    /// A scale from `first` to `last` (swapped when reversed; one day is widened by a day on each
    /// side).
    pub fn new(first: Date, last: Date, r0: f64, r1: f64) -> TimeScale {
        let (first, last) = if first <= last { (first, last) } else { (last, first) };
        let (first, last) =
            if first == last { (first.add_days(-1), last.add_days(1)) } else { (first, last) };
        TimeScale { first, last, r0, r1 }
    }

    /// The first and last date of the domain.
    pub fn domain(&self) -> (Date, Date) {
        (self.first, self.last)
    }

    /// The pixel range `(start, end)`.
    pub fn range(&self) -> (f64, f64) {
        (self.r0, self.r1)
    }

    /// Maps a date to pixels.
    pub fn map(&self, date: Date) -> f64 {
        self.map_days(f64::from(date.days()))
    }

    /// Maps a (possibly fractional) day number to pixels.
    pub fn map_days(&self, days: f64) -> f64 {
        let (d0, d1) = (f64::from(self.first.days()), f64::from(self.last.days()));
        self.r0 + (days - d0) / (d1 - d0) * (self.r1 - self.r0)
    }

    /// Maps pixels to a fractional day number (the start of the domain for an empty pixel range).
    pub fn invert_days(&self, px: f64) -> f64 {
        let (d0, d1) = (f64::from(self.first.days()), f64::from(self.last.days()));
        if self.r1 == self.r0 || !px.is_finite() {
            return d0;
        }
        d0 + (px - self.r0) / (self.r1 - self.r0) * (d1 - d0)
    }

    /// Maps pixels to the nearest date (not clamped: a pixel left of the axis is a date before it).
    pub fn invert(&self, px: f64) -> Date {
        let days = self.invert_days(px).round().clamp(f64::from(i32::MIN), f64::from(i32::MAX));
        Date::from_days(days as i32)
    }

    /// Date ticks that fit: at least `min_label_px` apart (the width of the widest label plus its
    /// padding), labelled `2026`, `Jul 2026` or `Jul 24` as the span calls for.
    pub fn ticks(&self, min_label_px: f64) -> Vec<DateTick> {
        date_ticks_for_width(self.first, self.last, (self.r1 - self.r0).abs(), min_label_px)
            .into_iter()
            .map(|(date, label)| DateTick { date, px: self.map(date), label })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Relative tolerance of a round trip through a scale.
    const ROUND_TRIP: f64 = 1e-9;

    #[test]
    fn degenerate_domains_stay_finite() {
        let s = LinearScale::new(3.0, 3.0, 0.0, 100.0);
        assert!(s.map(3.0).is_finite());
        let s = LinearScale::new(f64::NAN, 1.0, 0.0, 100.0);
        assert_eq!((s.d0, s.d1), (0.0, 1.0));
        let s = LinearScale::new(0.0, 1.0, 5.0, 5.0);
        assert_eq!(s.invert(5.0), 0.0);
        let t = TimeScale::new(Date::from_days(10), Date::from_days(10), 0.0, 10.0);
        assert_eq!(t.map(Date::from_days(10)), 5.0);
        let l = LogScale::new(100.0, 100.0, 0.0, 10.0).expect("positive");
        assert!((l.map(100.0) - 5.0).abs() < 1e-9);
        assert_eq!(LogScale::new(-1.0, 10.0, 0.0, 1.0), Err(ScaleError::NonPositive { lo: -1.0, hi: 10.0 }));
        assert!(matches!(LogScale::new(f64::NAN, 10.0, 0.0, 1.0), Err(ScaleError::NonFinite { .. })));
        assert!(l.map(0.0).is_nan() && l.map(-5.0).is_nan());
    }

    #[test]
    fn y_scale_falls_back_to_linear() {
        assert!(matches!(YScale::new(-1.0, 10.0, 0.0, 1.0, true), YScale::Linear(_)));
        assert!(matches!(YScale::new(1.0, 10.0, 0.0, 1.0, true), YScale::Log(_)));
        assert_eq!(YScale::new(1.0, 10.0, 0.0, 1.0, true).zero_px(), None);
        assert_eq!(YScale::new(1.0, 10.0, 0.0, 1.0, false).zero_px(), None);
    }

    #[test]
    fn log_ticks_are_one_two_five() {
        let s = LogScale::new(1.0, 10_000.0, 400.0, 0.0).expect("positive");
        let labels: Vec<_> = s.ticks(20.0).into_iter().map(|t| t.label).collect();
        assert_eq!(labels, ["1", "2", "5", "10", "20", "50", "100", "200", "500", "1k", "2k", "5k", "10k"]);
        let labels: Vec<_> = s.ticks(60.0).into_iter().map(|t| t.label).collect();
        assert_eq!(labels, ["1", "10", "100", "1k", "10k"]);
    }

    proptest! {
        #[test]
        fn linear_invert_map(d0 in -1e6..1e6f64, span in 1e-3..1e6f64, v in -1e6..1e6f64) {
            let s = LinearScale::new(d0, d0 + span, 0.0, 640.0);
            let back = s.invert(s.map(v));
            prop_assert!((back - v).abs() <= ROUND_TRIP * (v.abs() + span + d0.abs()));
        }

        #[test]
        fn log_invert_map(lo in 1e-3..1e3f64, decades in 0.1..8.0f64, f in 0.0..1.0f64) {
            let hi = lo * 10f64.powf(decades);
            let s = LogScale::new(lo, hi, 300.0, 0.0).expect("positive");
            let v = lo * (hi / lo).powf(f);
            prop_assert!((s.invert(s.map(v)) - v).abs() <= ROUND_TRIP * v);
        }

        #[test]
        fn time_invert_map(first in -30_000i32..30_000, span in 0i32..30_000, offset in 0i32..30_000) {
            let s = TimeScale::new(Date::from_days(first), Date::from_days(first + span), 10.0, 710.0);
            let d = Date::from_days(first + offset.min(span));
            prop_assert_eq!(s.invert(s.map(d)), d);
        }
    }
}
