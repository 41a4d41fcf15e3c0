//! Regime bands: spans of dates drawn as pale rectangles behind the lines.

use crate::date::Date;

use super::scale::TimeScale;

/// The narrowest band drawn, in pixels, so that a one-week regime stays visible.
pub const MIN_BAND_PX: f64 = 1.0;

/// A span of dates with what it stands for (a regime, a recession).
#[derive(Clone, Debug, PartialEq)]
pub struct Span<T> {
    /// The first date.
    pub first: Date,
    /// The last date (the next span's first date when spans tile, see [`spans_of_runs`]).
    pub last: Date,
    /// What the span stands for.
    pub key: T,
}

/// Runs of equal keys on ascending dates as spans; each span ends where the next begins, so that
/// the bands tile the axis without slivers between weeks. `dates` and `keys` are read in parallel
/// (the shorter one decides).
///
/// ```
/// use tideline_core::{chart::spans_of_runs, Date};
/// let dates: Vec<Date> = [0, 7, 14, 21].into_iter().map(Date::from_days).collect();
/// let spans = spans_of_runs(&dates, &["calm", "calm", "stress", "calm"]);
/// assert_eq!(spans.len(), 3);
/// assert_eq!((spans[0].first, spans[0].last), (Date::from_days(0), Date::from_days(14)));
/// assert_eq!((spans[2].first, spans[2].last), (Date::from_days(21), Date::from_days(21)));
/// ```
pub fn spans_of_runs<T: PartialEq + Clone>(dates: &[Date], keys: &[T]) -> Vec<Span<T>> {
    let n = dates.len().min(keys.len());
    let mut spans: Vec<Span<T>> = Vec::new();
    for i in 0..n {
        match spans.last_mut() {
            Some(span) if span.key == keys[i] => span.last = dates[i],
            Some(span) => {
                span.last = dates[i];
                spans.push(Span { first: dates[i], last: dates[i], key: keys[i].clone() });
            }
            None => spans.push(Span { first: dates[i], last: dates[i], key: keys[i].clone() }),
        }
    }
    spans
}

/// A band's rectangle on the x axis (it spans the plot's full height).
#[derive(Clone, Debug, PartialEq)]
pub struct BandRect<T> {
    /// Left edge in pixels.
    pub x: f64,
    /// Width in pixels (at least [`MIN_BAND_PX`]).
    pub width: f64,
    /// What the band stands for.
    pub key: T,
}

/// The rectangles of `spans` on the x axis of `scale`, clipped to its domain; spans wholly outside
/// it are left out.
///
/// ```
/// use tideline_core::{chart::{band_rects, Span, TimeScale}, Date};
/// let d = Date::from_days;
/// let x = TimeScale::new(d(10), d(20), 0.0, 100.0);
/// let bands = band_rects(&[Span { first: d(0), last: d(15), key: 'a' }, Span { first: d(30), last: d(40), key: 'b' }], &x);
/// assert_eq!(bands.len(), 1);
/// assert_eq!((bands[0].x, bands[0].width), (0.0, 50.0));
/// ```
pub fn band_rects<T: Clone>(spans: &[Span<T>], scale: &TimeScale) -> Vec<BandRect<T>> {
    let (first, last) = scale.domain();
    spans
        .iter()
        .filter(|s| s.last >= first && s.first <= last && s.first <= s.last)
        .map(|s| {
            let (x0, x1) = (scale.map(s.first.max(first)), scale.map(s.last.min(last)));
            let (left, right) = (x0.min(x1), x0.max(x1));
            BandRect { x: left, width: (right - left).max(MIN_BAND_PX), key: s.key.clone() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_mismatched_inputs() {
        assert!(spans_of_runs::<u8>(&[], &[]).is_empty());
        let dates = [Date::from_days(0), Date::from_days(1)];
        assert_eq!(spans_of_runs(&dates, &[1]).len(), 1);
        let x = TimeScale::new(Date::from_days(0), Date::from_days(10), 0.0, 100.0);
        let one_day = [Span { first: Date::from_days(5), last: Date::from_days(5), key: () }];
        assert_eq!(band_rects(&one_day, &x)[0].width, MIN_BAND_PX);
        let reversed = [Span { first: Date::from_days(6), last: Date::from_days(5), key: () }];
        assert!(band_rects(&reversed, &x).is_empty());
    }
}
