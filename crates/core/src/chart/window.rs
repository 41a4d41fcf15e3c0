//! The viewport: which dates a chart shows, and the value domain that fits them.
//!
//! A [`Window`] is a first and a last date. The page keeps it in the URL as a [`WindowSpec`]
//! (`5y`, or `2020-01-03..2024-05-31` after a brush), and every change (a preset button, a wheel
//! zoom around the pointer, a brush, a reset) is a pure function from the old window and the data's
//! span to the new one, clamped so that a chart never scrolls into dates it has no data for.

use std::fmt;
use std::str::FromStr;

use crate::date::Date;

use super::scale::TimeScale;

/// The shortest window a zoom or a brush narrows to, in days.
pub const MIN_WINDOW_DAYS: i32 = 7;

/// The narrowest drag, in pixels, that counts as a brush (anything shorter is a click).
pub const MIN_BRUSH_PX: f64 = 4.0;

/// The default padding of [`y_domain`]: 5% of the span on each side.
pub const Y_PADDING: f64 = 0.05;

/// A span of dates, `first <= last`, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// The first date shown.
    pub first: Date,
    /// The last date shown.
    pub last: Date,
}

/// The preset windows of the chart toolbar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// The last year of data.
    Y1,
    /// The last three years.
    Y3,
    /// The last five years.
    Y5,
    /// The last ten years.
    Y10,
    /// All the data.
    Max,
}

impl Preset {
    /// Every preset, shortest first, in toolbar order.
    pub const ALL: [Preset; 5] = [Preset::Y1, Preset::Y3, Preset::Y5, Preset::Y10, Preset::Max];

    /// The short form used in the URL and on the button: `1y`, `3y`, `5y`, `10y`, `max`.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Y1 => "1y",
            Preset::Y3 => "3y",
            Preset::Y5 => "5y",
            Preset::Y10 => "10y",
            Preset::Max => "max",
        }
    }

    /// The preset of a short form (case-insensitive), or `None`.
    pub fn parse(text: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The years the preset covers (`None` for `max`).
    pub fn years(self) -> Option<i32> {
        match self {
            Preset::Y1 => Some(1),
            Preset::Y3 => Some(3),
            Preset::Y5 => Some(5),
            Preset::Y10 => Some(10),
            Preset::Max => None,
        }
    }

    /// The window of this preset over data spanning `data`: the last years up to the last
    /// observation, starting no earlier than the first.
    ///
    /// ```
    /// use tideline_core::{chart::{Preset, Window}, Date};
    /// let d = |s| Date::parse_iso(s).expect("date");
    /// let data = Window::new(d("2000-01-07"), d("2026-07-24"));
    /// assert_eq!(Preset::Y5.window(data), Window::new(d("2021-07-24"), d("2026-07-24")));
    /// assert_eq!(Preset::Max.window(data), data);
    /// ```
    pub fn window(self, data: Window) -> Window {
        match self.years() {
            Some(years) => {
                Window { first: data.last.add_months(-12 * years).max(data.first), last: data.last }
            }
            None => data,
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Preset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::parse(s).ok_or_else(|| format!("expected one of 1y, 3y, 5y, 10y, max, found {s:?}"))
    }
}

impl Window {
    /// The window between two dates, in either order.
    pub fn new(a: Date, b: Date) -> Window {
        Window { first: a.min(b), last: a.max(b) }
    }

    /// The span of ascending dates (their first and last), or `None` when there is none.
    pub fn of_dates(dates: &[Date]) -> Option<Window> {
        Some(Window::new(*dates.first()?, *dates.last()?))
    }

    /// The span of several ascending series together: the earliest first date to the latest last.
    pub fn union_of<'a>(series: impl IntoIterator<Item = &'a [(Date, f64)]>) -> Option<Window> {
        series
            .into_iter()
            .filter_map(|s| Some(Window::new(s.first()?.0, s.last()?.0)))
            .reduce(|a, b| Window { first: a.first.min(b.first), last: a.last.max(b.last) })
    }

    /// Days from the first to the last date.
    pub fn span_days(self) -> i32 {
        self.last.days().saturating_sub(self.first.days())
    }

    /// True when `date` lies in the window.
    pub fn contains(self, date: Date) -> bool {
        self.first <= date && date <= self.last
    }

    /// The window reset to all the data.
    pub fn reset(data: Window) -> Window {
        data
    }

    /// This window moved inside `data`, keeping its length when it can (a window longer than the
    /// data becomes the data).
    pub fn clamp(self, data: Window) -> Window {
        let span = self.span_days();
        if span >= data.span_days() {
            return data;
        }
        if self.first < data.first {
            return Window { first: data.first, last: data.first.add_days(span) };
        }
        if self.last > data.last {
            return Window { first: data.last.add_days(-span), last: data.last };
        }
        self
    }

    /// The window zoomed by `factor` around `anchor` (the date under the pointer), clamped to
    /// `data`: a factor below 1 zooms in (0.5 halves the span), above 1 zooms out. The anchor keeps
    /// its place on screen; the window never narrows below [`MIN_WINDOW_DAYS`]. A factor that is
    /// not a positive number changes nothing but the clamp.
    ///
    /// ```
    /// use tideline_core::{chart::Window, Date};
    /// let d = |s| Date::parse_iso(s).expect("date");
    /// let data = Window::new(d("2020-01-01"), d("2020-12-31"));
    /// let w = Window::new(d("2020-03-01"), d("2020-05-01")); // 61 days
    /// let z = w.zoom(0.5, d("2020-04-01"), data);
    /// assert_eq!(z, Window::new(d("2020-03-17"), d("2020-04-16")));
    /// assert_eq!(w.zoom(100.0, d("2020-04-01"), data), data);
    /// ```
    pub fn zoom(self, factor: f64, anchor: Date, data: Window) -> Window {
        if !factor.is_finite() || factor <= 0.0 {
            return self.clamp(data);
        }
        let anchor = anchor.clamp(self.first, self.last);
        let a = f64::from(anchor.days());
        let before = f64::from(anchor.days() - self.first.days()) * factor;
        let after = f64::from(self.last.days() - anchor.days()) * factor;
        let first = days_to_date((a - before).round());
        let last = days_to_date((a + after).round());
        Window::new(first, last).at_least(MIN_WINDOW_DAYS, data).clamp(data)
    }

    /// The window a brush selects: the dates under two pixel x positions of `scale` (in either
    /// order), within `data`. `None` for a drag narrower than [`MIN_BRUSH_PX`] (a click) or one
    /// that misses the data; a brush narrower than [`MIN_WINDOW_DAYS`] is widened around its middle.
    ///
    /// ```
    /// use tideline_core::{chart::{TimeScale, Window}, Date};
    /// let d = |s| Date::parse_iso(s).expect("date");
    /// let data = Window::new(d("2020-01-01"), d("2020-12-31"));
    /// let x = TimeScale::new(data.first, data.last, 0.0, 365.0);
    /// assert_eq!(Window::brush(&x, 100.0, 40.0, data), Some(Window::new(d("2020-02-10"), d("2020-04-10"))));
    /// assert_eq!(Window::brush(&x, 100.0, 102.0, data), None);
    /// ```
    pub fn brush(scale: &TimeScale, x0: f64, x1: f64, data: Window) -> Option<Window> {
        if !x0.is_finite() || !x1.is_finite() || (x1 - x0).abs() < MIN_BRUSH_PX {
            return None;
        }
        let picked = Window::new(scale.invert(x0), scale.invert(x1));
        let first = picked.first.max(data.first);
        let last = picked.last.min(data.last);
        if first > last {
            return None;
        }
        Some(Window { first, last }.at_least(MIN_WINDOW_DAYS, data).clamp(data))
    }

    /// This window widened around its middle to at least `days` (at most to `data`'s length).
    fn at_least(self, days: i32, data: Window) -> Window {
        let days = days.min(data.span_days());
        let missing = days - self.span_days();
        if missing <= 0 {
            return self;
        }
        let first = self.first.add_days(-(missing / 2));
        Window { first, last: first.add_days(days) }
    }

    /// The index range of the dates of an ascending slice that lie in the window.
    pub fn index_range<T>(self, items: &[T], date: impl Fn(&T) -> Date) -> std::ops::Range<usize> {
        let start = items.partition_point(|t| date(t) < self.first);
        let end = items.partition_point(|t| date(t) <= self.last);
        start..end.max(start)
    }

    /// The points of an ascending series that lie in the window.
    pub fn slice(self, points: &[(Date, f64)]) -> &[(Date, f64)] {
        &points[self.index_range(points, |p| p.0)]
    }
}

/// A day number as a date, saturating at the ends of the calendar.
fn days_to_date(days: f64) -> Date {
    Date::from_days(days.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32)
}

impl fmt::Display for Window {
    /// `2020-01-03..2024-05-31`, the URL form of a custom window.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.first, self.last)
    }
}

impl FromStr for Window {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, b) = s.split_once("..").ok_or_else(|| format!("expected FIRST..LAST, found {s:?}"))?;
        Ok(Window::new(a.parse()?, b.parse()?))
    }
}

/// The window as the URL keeps it: a preset, or the dates of a brush.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WindowSpec {
    /// A preset (`5y`).
    Preset(Preset),
    /// Explicit dates (`2020-01-03..2024-05-31`).
    Dates(Window),
}

impl WindowSpec {
    /// The window this spec shows over data spanning `data` (explicit dates clamped to it).
    pub fn resolve(self, data: Window) -> Window {
        match self {
            WindowSpec::Preset(p) => p.window(data),
            WindowSpec::Dates(w) => {
                let first = w.first.max(data.first);
                let last = w.last.min(data.last);
                if first <= last {
                    Window { first, last }
                } else {
                    data
                }
            }
        }
    }
}

impl fmt::Display for WindowSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowSpec::Preset(p) => p.fmt(f),
            WindowSpec::Dates(w) => w.fmt(f),
        }
    }
}

impl FromStr for WindowSpec {
    type Err = String;
    /// `1y`, `3y`, `5y`, `10y`, `max`, or `FIRST..LAST`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match Preset::parse(s) {
            Some(p) => Ok(WindowSpec::Preset(p)),
            None => s.trim().parse().map(WindowSpec::Dates),
        }
    }
}

/// The value domain that shows `values` (non-finite ones ignored) with `padding` of the span added
/// on each side (see [`Y_PADDING`]); with `include_zero`, the domain reaches zero, and padding
/// never pushes it across zero, so an all-positive series sits on the zero line.
///
/// `None` when no value is finite. A single value gets a domain around it.
///
/// ```
/// use tideline_core::chart::y_domain;
/// assert_eq!(y_domain([10.0, 20.0], 0.1, false), Some((9.0, 21.0)));
/// assert_eq!(y_domain([10.0, 20.0], 0.1, true), Some((0.0, 22.0)));
/// assert_eq!(y_domain([f64::NAN], 0.1, true), None);
/// ```
pub fn y_domain(
    values: impl IntoIterator<Item = f64>,
    padding: f64,
    include_zero: bool,
) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = finite_extent(values)?;
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * if padding.is_finite() { padding.max(0.0) } else { 0.0 }
    } else {
        (lo.abs() * Y_PADDING).max(1.0)
    };
    let mut padded = (lo - pad, hi + pad);
    if include_zero {
        if lo >= 0.0 {
            padded.0 = padded.0.max(0.0);
        }
        if hi <= 0.0 {
            padded.1 = padded.1.min(0.0);
        }
        if padded.0 == padded.1 {
            padded = (lo - pad, hi + pad);
        }
    }
    Some(padded)
}

/// The domain of a log axis for `values` (only the finite ones above zero count), padded by
/// `padding` of the span in log terms. `None` when no value is above zero.
///
/// ```
/// use tideline_core::chart::y_domain_log;
/// let (lo, hi) = y_domain_log([1.0, 100.0, -5.0], 0.0).expect("positive values");
/// assert_eq!((lo, hi), (1.0, 100.0));
/// ```
pub fn y_domain_log(values: impl IntoIterator<Item = f64>, padding: f64) -> Option<(f64, f64)> {
    let (lo, hi) = finite_extent(values.into_iter().filter(|v| *v > 0.0))?;
    let padding = if padding.is_finite() { padding.max(0.0) } else { 0.0 };
    let factor = (hi / lo).powf(padding);
    Some((lo / factor, hi * factor))
}

/// The smallest and largest finite value, or `None`.
fn finite_extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| Some(acc.map_or((v, v), |(lo, hi): (f64, f64)| (lo.min(v), hi.max(v)))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap_or(Date::from_days(0))
    }

    #[test]
    fn presets_round_trip_and_clamp() {
        for p in Preset::ALL {
            assert_eq!(Preset::parse(p.as_str()), Some(p));
            assert_eq!(p.to_string().parse::<Preset>(), Ok(p));
        }
        assert_eq!(Preset::parse("MAX"), Some(Preset::Max));
        assert_eq!(Preset::parse("2y"), None);
        let short = Window::new(d("2024-01-05"), d("2026-07-24"));
        assert_eq!(Preset::Y10.window(short), short);
        assert_eq!(Preset::Y1.window(short).first, d("2025-07-24"));
    }

    #[test]
    fn specs_round_trip() {
        let w = Window::new(d("2020-01-03"), d("2024-05-31"));
        for spec in [WindowSpec::Preset(Preset::Y3), WindowSpec::Dates(w)] {
            assert_eq!(spec.to_string().parse::<WindowSpec>(), Ok(spec));
        }
        assert_eq!(w.to_string(), "2020-01-03..2024-05-31");
        assert!("2020-01-03".parse::<WindowSpec>().is_err());
        let data = Window::new(d("2022-01-01"), d("2023-01-01"));
        assert_eq!(WindowSpec::Dates(w).resolve(data), data);
        let outside = Window::new(d("1990-01-01"), d("1991-01-01"));
        assert_eq!(WindowSpec::Dates(outside).resolve(data), data);
    }

    #[test]
    fn zoom_clamps_and_keeps_a_minimum() {
        let data = Window::new(d("2020-01-01"), d("2020-12-31"));
        // Zooming out near the start shifts the window rather than leaving the data.
        let w = Window::new(d("2020-01-10"), d("2020-03-10"));
        let z = w.zoom(2.0, d("2020-02-09"), data);
        assert_eq!(z.first, data.first);
        assert_eq!(z.span_days(), 2 * w.span_days());
        // Zooming in hard stops at a week.
        let z = w.zoom(0.001, d("2020-02-10"), data);
        assert_eq!(z.span_days(), MIN_WINDOW_DAYS);
        assert!(z.contains(d("2020-02-10")));
        // Bad factors only clamp.
        assert_eq!(w.zoom(f64::NAN, d("2020-02-10"), data), w);
        assert_eq!(w.zoom(-1.0, d("2020-02-10"), data), w);
        // Data shorter than the minimum window: the data.
        let tiny = Window::new(d("2020-01-01"), d("2020-01-03"));
        assert_eq!(tiny.zoom(0.1, d("2020-01-02"), tiny), tiny);
    }

    #[test]
    fn brush_reads_pixels() {
        let data = Window::new(d("2020-01-01"), d("2020-12-31"));
        let x = TimeScale::new(data.first, data.last, 50.0, 415.0);
        // A brush past the right edge stops at the data's end.
        let w = Window::brush(&x, 400.0, 900.0, data).expect("a brush");
        assert_eq!(w.last, data.last);
        // A narrow brush becomes a week around its middle.
        let w = Window::brush(&x, 200.0, 205.0, data).expect("a brush");
        assert_eq!(w.span_days(), MIN_WINDOW_DAYS);
        // Entirely outside the data: nothing.
        assert_eq!(Window::brush(&x, -500.0, -100.0, data), None);
        assert_eq!(Window::brush(&x, f64::NAN, 100.0, data), None);
        assert_eq!(Window::reset(data), data);
    }

    #[test]
    fn slices_and_unions() {
        let pts: Vec<(Date, f64)> = (0..10).map(|i| (Date::from_days(i * 7), i as f64)).collect();
        let w = Window::new(Date::from_days(10), Date::from_days(30));
        assert_eq!(w.slice(&pts).iter().map(|p| p.1).collect::<Vec<_>>(), [2.0, 3.0, 4.0]);
        assert!(Window::new(Date::from_days(100), Date::from_days(200)).slice(&pts).is_empty());
        let u = Window::union_of([&pts[2..4], &pts[7..]]).expect("points");
        assert_eq!(u, Window::new(Date::from_days(14), Date::from_days(63)));
        assert_eq!(Window::union_of([&pts[..0]]), None);
        assert_eq!(Window::of_dates(&[]), None);
    }

    #[test]
    fn y_domains() {
        assert_eq!(y_domain([-10.0, -20.0], 0.1, true), Some((-22.0, 0.0)));
        assert_eq!(y_domain([-1.0, 1.0], 0.5, true), Some((-2.0, 2.0)));
        assert_eq!(y_domain([5.0], 0.1, false), Some((4.0, 6.0)));
        assert_eq!(y_domain([0.0], 0.1, true), Some((-1.0, 1.0)));
        assert_eq!(y_domain(std::iter::empty(), 0.1, true), None);
        assert_eq!(y_domain_log([0.0, -1.0], 0.1), None);
        let (lo, hi) = y_domain_log([1.0, 100.0], 0.5).expect("positive");
        assert!((lo - 0.1).abs() < 1e-12 && (hi - 1_000.0).abs() < 1e-9);
    }
}
