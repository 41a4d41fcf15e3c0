//! The crosshair: the observation nearest to a pointer, found by binary search.
//!
//! Charts on a page share the crosshair by *date*, not by pixel or index: the chart under the
//! pointer inverts its x to a date, and every chart finds its own nearest observation to that date
//! on its own grid (a weekly series and a daily one land on different points, both honest). The
//! tooltip then reads the real observation at that index, never a downsampled one.

use crate::date::Date;

use super::scale::{TimeScale, YScale};

/// The index of the item whose date is nearest to `target_days` (a possibly fractional day
/// number), in items ascending by `date`; ties go to the earlier item. `None` when there is none.
pub fn nearest_by<T>(items: &[T], date: impl Fn(&T) -> Date, target_days: f64) -> Option<usize> {
    if items.is_empty() || target_days.is_nan() {
        return None;
    }
    let after = items.partition_point(|t| f64::from(date(t).days()) < target_days);
    let distance = |i: usize| (f64::from(date(&items[i]).days()) - target_days).abs();
    match after {
        0 => Some(0),
        i if i == items.len() => Some(i - 1),
        i => Some(if distance(i - 1) <= distance(i) { i - 1 } else { i }),
    }
}

/// The index of the date nearest to `target` in ascending `dates`.
///
/// ```
/// use tideline_core::{chart::nearest_index, Date};
/// let dates: Vec<Date> = [0, 7, 14].into_iter().map(Date::from_days).collect();
/// assert_eq!(nearest_index(&dates, Date::from_days(10)), Some(1));
/// assert_eq!(nearest_index(&dates, Date::from_days(11)), Some(2));
/// assert_eq!(nearest_index(&[], Date::from_days(11)), None);
/// ```
pub fn nearest_index(dates: &[Date], target: Date) -> Option<usize> {
    nearest_by(dates, |d| *d, f64::from(target.days()))
}

/// The index of the observation nearest to `target` in an ascending series.
pub fn nearest_point(points: &[(Date, f64)], target: Date) -> Option<usize> {
    nearest_by(points, |p| p.0, f64::from(target.days()))
}

/// The index of the observation nearest to the pixel `x` of a chart drawn with `scale`.
pub fn nearest_at_px(points: &[(Date, f64)], scale: &TimeScale, x: f64) -> Option<usize> {
    nearest_by(points, |p| p.0, scale.invert_days(x))
}

/// What a crosshair shows on one chart: the nearest real observation and where it is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Crosshair {
    /// The observation's index in the series.
    pub index: usize,
    /// Its date.
    pub date: Date,
    /// Its value (the real observation, not a downsampled one).
    pub value: f64,
    /// Its x in pixels.
    pub x: f64,
    /// Its y in pixels (NaN when the scale cannot show the value, such as zero on a log axis).
    pub y: f64,
}

/// The crosshair for the shared `date` on a chart of `points`: its nearest observation, provided it
/// lies within `max_days` of the date (so a chart whose series starts in 2010 shows nothing for a
/// date in 1990 rather than its first point).
///
/// ```
/// use tideline_core::{chart::{crosshair, LinearScale, TimeScale, YScale}, Date};
/// let pts = [(Date::from_days(0), 1.0), (Date::from_days(7), 2.0)];
/// let xs = TimeScale::new(Date::from_days(0), Date::from_days(7), 0.0, 70.0);
/// let ys = YScale::Linear(LinearScale::new(0.0, 2.0, 100.0, 0.0));
/// let c = crosshair(&pts, Date::from_days(6), 3, &xs, &ys).expect("near");
/// assert_eq!((c.index, c.x, c.y), (1, 70.0, 0.0));
/// assert!(crosshair(&pts, Date::from_days(30), 3, &xs, &ys).is_none());
/// ```
pub fn crosshair(
    points: &[(Date, f64)],
    date: Date,
    max_days: i32,
    xs: &TimeScale,
    ys: &YScale,
) -> Option<Crosshair> {
    let index = nearest_point(points, date)?;
    let (at, value) = points[index];
    if (at.days() - date.days()).abs() > max_days.max(0) {
        return None;
    }
    Some(Crosshair { index, date: at, value, x: xs.map(at), y: ys.map(value) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_and_ends() {
        let dates: Vec<Date> = [0, 10].into_iter().map(Date::from_days).collect();
        assert_eq!(nearest_index(&dates, Date::from_days(5)), Some(0));
        assert_eq!(nearest_index(&dates, Date::from_days(-100)), Some(0));
        assert_eq!(nearest_index(&dates, Date::from_days(100)), Some(1));
        assert_eq!(nearest_by(&dates, |d| *d, f64::NAN), None);
    }

    #[test]
    fn charts_sync_by_date() {
        let weekly: Vec<(Date, f64)> = (0..20).map(|i| (Date::from_days(i * 7), i as f64)).collect();
        let daily: Vec<(Date, f64)> = (0..140).map(|i| (Date::from_days(i), i as f64)).collect();
        let xs = TimeScale::new(Date::from_days(0), Date::from_days(139), 0.0, 139.0);
        // The pointer over day 45 on the daily chart: the weekly chart shows its day-42 point.
        let i = nearest_at_px(&daily, &xs, 45.2).unwrap_or(0);
        let shared = daily[i].0;
        assert_eq!(shared, Date::from_days(45));
        assert_eq!(nearest_point(&weekly, shared).map(|j| weekly[j].0), Some(Date::from_days(42)));
    }

    proptest! {
        #[test]
        fn nearest_is_nearest(mut days in prop::collection::vec(-1_000i32..1_000, 1..60), target in -1_200i32..1_200) {
            days.sort_unstable();
            days.dedup();
            let dates: Vec<Date> = days.iter().copied().map(Date::from_days).collect();
            let i = nearest_index(&dates, Date::from_days(target)).unwrap_or(usize::MAX);
            let best = days.iter().map(|d| (d - target).abs()).min().unwrap_or(0);
            prop_assert_eq!((days[i] - target).abs(), best);
        }
    }
}
