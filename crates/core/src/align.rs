//! Point-in-time alignment: every series joined to the model's calendar as the public saw it.
//!
//! # Design
//!
//! The model never looks ahead (MODEL.md 1.3). An observation dated `d` of a series whose
//! publication lag is `lag` days is first public on `d + lag`; at a calendar date `t` the model may
//! use it only when `d + lag <= t`, and then carries the newest such value forward until a newer one
//! is public. Everything in this module is built on that one rule, [`as_of`]:
//!
//! - a [`Calendar`] is the sorted list of dates the model computes on (business days, weeks ending
//!   Friday, or every day);
//! - [`as_of`] joins one [`Series`] to a calendar and returns an [`Aligned`] column: one value per
//!   calendar date (NaN before the first public value) and, beside it, the date of the observation
//!   that value came from, so every figure can say what it used;
//! - a [`Frame`] is a calendar plus named aligned columns, optionally cut off at an as-of date: an
//!   observation published after the cutoff is ignored everywhere, so a frame "as of D" is exactly
//!   the frame the model would have computed on D (the property tested in
//!   `crates/core/tests/point_in_time.rs`);
//! - [`as_of_released`] is the same join for a series whose observations each carry their own
//!   release day (first releases from real-time vintages): observation `i` is used from
//!   `max(public_from[i], d + lag)` on;
//! - [`is_stale`] and [`Aligned::stale_mask`] apply the staleness rule, [`resample`] buckets a series
//!   into weeks or months, and [`on_benchmark_calendar`] / [`friday_closes`] pair an asset with a
//!   benchmark for the asymmetry statistics (MODEL.md 5).
//!
//! ## Why merges, not look-ups
//!
//! With a non-negative lag, publication dates `d + lag` ascend with the observation dates, so a
//! join is one forward pass over the series and the calendar together, `O(n + m)`, with no binary
//! search per date. A full model run joins about thirty daily series of twenty-five years in well
//! under a millisecond this way.
//!
//! ## Choices where the specification is silent
//!
//! - **Negative lags** are treated as 0: no observation is ever used before its own date.
//! - **Arithmetic** on `d + lag` is done in `i64`, so no date near the ends of the `i32` range can
//!   overflow; calendars are clamped to [`MAX_CALENDAR_DAYS`] days so that no input can ask for an
//!   allocation of billions of dates. Nothing here panics, whatever the input (even a [`Series`]
//!   deserialised without its invariants checked).
//! - **Staleness of daily series** is counted in business days, because the native period of a
//!   business-daily series is one business day: counted in calendar days, every input would turn
//!   stale on the Tuesday after a Monday holiday. Weekly, monthly and quarterly series count
//!   calendar days.
//! - **Pairs end where the shorter series ends** ([`on_benchmark_calendar`], [`friday_closes`]): a
//!   feed that stopped is never extended by carrying its last value past its end, which would
//!   fabricate zero returns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{CatalogEntry, Frequency};
use crate::dataset::Dataset;
use crate::date::{days_in_month, Date};
use crate::series::Series;

/// The longest calendar a constructor builds, in days (about 2,700 years); longer spans are cut at
/// `first + MAX_CALENDAR_DAYS - 1`.
pub const MAX_CALENDAR_DAYS: i64 = 1_000_000;

/// The day number on which an observation dated `date` is first public, with `lag_days` clamped
/// to be non-negative. `i64`, so it cannot overflow.
fn published(date: Date, lag_days: i32) -> i64 {
    i64::from(date.days()) + i64::from(lag_days.max(0))
}

/// Day numbers `first..=last`, clamped to [`MAX_CALENDAR_DAYS`], as dates.
fn span(first: Date, last: Date) -> impl Iterator<Item = Date> {
    let start = i64::from(first.days());
    let end = i64::from(last.days()).min(start + MAX_CALENDAR_DAYS - 1);
    (start..=end).filter_map(|d| i32::try_from(d).ok().map(Date::from_days))
}

/// Monday = 0 ... Sunday = 6, for a day number.
fn weekday_index(days: i64) -> i64 {
    // 1970-01-01 was a Thursday.
    (days + 3).rem_euclid(7)
}

// ---------------------------------------------------------------------------------------------
// Calendars
// ---------------------------------------------------------------------------------------------

/// The dates the model computes on: strictly ascending, no duplicates.
///
/// # Example
///
/// ```
/// use tideline_core::{align::Calendar, Date};
///
/// let d = |s| Date::parse_iso(s).unwrap();
/// // 2024-01-01 is a Monday.
/// let week = Calendar::business_days(d("2024-01-01"), d("2024-01-07"));
/// assert_eq!(week.len(), 5);
/// let fridays = Calendar::fridays(d("2024-01-01"), d("2024-01-31"));
/// assert_eq!(fridays.first(), Some(d("2024-01-05")));
/// assert_eq!(fridays.len(), 4);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    dates: Vec<Date>,
}

impl Calendar {
    /// Every calendar day from `first` to `last` inclusive (empty when `first > last`).
    pub fn daily(first: Date, last: Date) -> Calendar {
        Calendar { dates: span(first, last).collect() }
    }

    /// Monday to Friday from `first` to `last` inclusive. Exchange holidays are not removed: a
    /// holiday carries the previous value forward, which is what the public saw that day.
    pub fn business_days(first: Date, last: Date) -> Calendar {
        Calendar { dates: span(first, last).filter(|d| d.is_business_day()).collect() }
    }

    /// The Fridays from `first` to `last` inclusive: the ends of the weeks (Saturday to Friday) that
    /// are complete by `last`.
    pub fn fridays(first: Date, last: Date) -> Calendar {
        let start = i64::from(first.days());
        let offset = (4 - weekday_index(start)).rem_euclid(7);
        let end = i64::from(last.days()).min(start + MAX_CALENDAR_DAYS - 1);
        let dates = (start + offset..=end)
            .step_by(7)
            .filter_map(|d| i32::try_from(d).ok().map(Date::from_days))
            .collect();
        Calendar { dates }
    }

    /// A calendar of arbitrary dates (a benchmark's trading days, say); they are sorted and
    /// duplicates dropped.
    pub fn from_dates(mut dates: Vec<Date>) -> Calendar {
        dates.sort_unstable();
        dates.dedup();
        Calendar { dates }
    }

    /// The dates, ascending.
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// Number of dates.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when the calendar has no date.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The first date.
    pub fn first(&self) -> Option<Date> {
        self.dates.first().copied()
    }

    /// The last date.
    pub fn last(&self) -> Option<Date> {
        self.dates.last().copied()
    }

    /// Iterates over the dates.
    pub fn iter(&self) -> impl Iterator<Item = Date> + '_ {
        self.dates.iter().copied()
    }

    /// The position of `date` in the calendar, when it is one of its dates.
    pub fn index_of(&self, date: Date) -> Option<usize> {
        self.dates.binary_search(&date).ok()
    }

    /// The position of the last calendar date on or before `date`.
    pub fn index_at_or_before(&self, date: Date) -> Option<usize> {
        self.dates.partition_point(|d| *d <= date).checked_sub(1)
    }

    /// The dates on or before `date`.
    pub fn truncated_after(&self, date: Date) -> Calendar {
        let n = self.dates.partition_point(|d| *d <= date);
        Calendar { dates: self.dates[..n].to_vec() }
    }
}

// ---------------------------------------------------------------------------------------------
// The as-of join
// ---------------------------------------------------------------------------------------------

/// A series joined to a calendar, point in time: one entry per calendar date.
///
/// `values[i]` is the newest observation public on calendar date `i` (NaN before the first public
/// value) and `obs_dates[i]` is the date of that observation (`None` exactly where the value is
/// NaN). The observation was first public on `obs_dates[i] + lag_days`.
///
/// Equality treats NaN as equal to NaN: here NaN marks "nothing public yet", and two columns that
/// had nothing public on the same dates are the same column.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Aligned {
    /// The value used at each calendar date; NaN before the first public value.
    pub values: Vec<f64>,
    /// The date of the observation each value came from.
    pub obs_dates: Vec<Option<Date>>,
    /// The publication lag the join applied, in days (never negative).
    pub lag_days: i32,
}

impl PartialEq for Aligned {
    fn eq(&self, other: &Aligned) -> bool {
        self.lag_days == other.lag_days
            && self.obs_dates == other.obs_dates
            && self.values.len() == other.values.len()
            && self.values.iter().zip(&other.values).all(|(a, b)| a == b || (a.is_nan() && b.is_nan()))
    }
}

impl Aligned {
    /// Number of calendar dates covered.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the column covers no date.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value at calendar position `i` and the date of the observation it came from, when a
    /// value was public then.
    pub fn get(&self, i: usize) -> Option<(f64, Date)> {
        let date = (*self.obs_dates.get(i)?)?;
        Some((*self.values.get(i)?, date))
    }

    /// The last calendar position with a public value, that value and its observation date.
    pub fn latest(&self) -> Option<(usize, f64, Date)> {
        let i = self.obs_dates.iter().rposition(Option::is_some)?;
        let (value, date) = self.get(i)?;
        Some((i, value, date))
    }

    /// Per calendar date, whether the value used is stale (see [`is_stale`]) for a series of native
    /// `frequency`. A date with no public value at all is stale: there is nothing fresh to score.
    ///
    /// `calendar` must be the one the column was joined on; if the lengths differ the mask has the
    /// shorter length.
    pub fn stale_mask(&self, calendar: &Calendar, frequency: Frequency) -> Vec<bool> {
        calendar
            .iter()
            .zip(&self.obs_dates)
            .map(|(t, obs)| obs.is_none_or(|d| is_stale(d, t, frequency, self.lag_days)))
            .collect()
    }

    /// The column as a [`Series`] dated on the calendar (the carried-forward values), leaving out
    /// the dates before the first public value. Its observations are already public on their
    /// dates: join it with lag 0.
    pub fn to_series(&self, id: &str, calendar: &Calendar) -> Series {
        let (dates, values): (Vec<Date>, Vec<f64>) = calendar
            .iter()
            .zip(self.values.iter().zip(&self.obs_dates))
            .filter(|(_, (v, obs))| obs.is_some() && v.is_finite())
            .map(|(t, (v, _))| (t, *v))
            .unzip();
        // Calendar dates ascend strictly and NaN is filtered out, so this cannot fail.
        Series::new(id, dates, values).unwrap_or_default()
    }
}

/// Joins `series` to `calendar` point in time: at calendar date `t` the value is the last
/// observation dated `d` with `d + lag_days <= t`, carried forward (NaN before the first one).
///
/// # Example
///
/// ```
/// use tideline_core::{align::{as_of, Calendar}, Date, Series};
///
/// let d = |s| Date::parse_iso(s).unwrap();
/// // WALCL: Wednesday level, public 2 days later (Friday).
/// let walcl = Series::from_pairs("WALCL", &[(d("2024-01-03"), 7700.0)]).unwrap();
/// let days = Calendar::daily(d("2024-01-03"), d("2024-01-05"));
/// let joined = as_of(&walcl, 2, &days);
/// assert!(joined.values[1].is_nan()); // Thursday: not public yet
/// assert_eq!(joined.get(2), Some((7700.0, d("2024-01-03")))); // Friday
/// ```
pub fn as_of(series: &Series, lag_days: i32, calendar: &Calendar) -> Aligned {
    as_of_with_cutoff(series, lag_days, calendar, None)
}

/// [`as_of`] with the lag of a catalog entry.
pub fn as_of_entry(series: &Series, entry: &CatalogEntry, calendar: &Calendar) -> Aligned {
    as_of(series, entry.publication_lag_days, calendar)
}

/// [`as_of`], ignoring every observation published after `cutoff` (`d + lag_days > cutoff`): the
/// column as the model would have computed it on the cutoff date. Calendar dates after the cutoff
/// carry the last value public at the cutoff.
pub fn as_of_with_cutoff(
    series: &Series,
    lag_days: i32,
    calendar: &Calendar,
    cutoff: Option<Date>,
) -> Aligned {
    let lag_days = lag_days.max(0);
    join(series, |date, _| published(date, lag_days), lag_days, calendar, cutoff)
}

/// [`as_of_with_cutoff`] for a series whose observations each have their own first public day
/// (first releases from real-time vintages, [`crate::dataset::RealTime`]): observation `i` is used
/// from `public_from[i]` on, and never before `date + lag_days`. Observations beyond the end of
/// `public_from` are never used. `lag_days` is also the column's lag for the staleness rule.
///
/// Public days that go backwards are held at the latest day before them, so an observation is never
/// used before an older one is out (the join stays one forward pass).
///
/// # Example
///
/// ```
/// use tideline_core::{align::{as_of_released, Calendar}, Date, Series};
///
/// let d = |s| Date::parse_iso(s).unwrap();
/// // January's CPI, lag 45 (public 2024-02-15), actually released late, on 2024-02-20.
/// let cpi = Series::from_pairs("CPIAUCSL", &[(d("2024-01-01"), 100.0)]).unwrap();
/// let days = Calendar::daily(d("2024-02-15"), d("2024-02-20"));
/// let joined = as_of_released(&cpi, &[d("2024-02-20")], 45, &days, None);
/// assert!(joined.values[4].is_nan());
/// assert_eq!(joined.get(5), Some((100.0, d("2024-01-01"))));
/// ```
pub fn as_of_released(
    series: &Series,
    public_from: &[Date],
    lag_days: i32,
    calendar: &Calendar,
    cutoff: Option<Date>,
) -> Aligned {
    let lag_days = lag_days.max(0);
    let mut days = Vec::with_capacity(public_from.len());
    for (date, day) in series.dates().iter().zip(public_from) {
        let day = i64::from(day.days()).max(published(*date, lag_days));
        let floor = days.last().copied().unwrap_or(day);
        days.push(day.max(floor));
    }
    join(series, |_, i| days.get(i).copied().unwrap_or(i64::MAX), lag_days, calendar, cutoff)
}

/// The merge behind every join: observation `i` (dated `d`) is public from day `public(d, i)`,
/// which must not decrease with `i`.
fn join(
    series: &Series,
    public: impl Fn(Date, usize) -> i64,
    lag_days: i32,
    calendar: &Calendar,
    cutoff: Option<Date>,
) -> Aligned {
    let dates = series.dates();
    let values = series.values();
    let mut usable = dates.len().min(values.len());
    if let Some(cutoff) = cutoff {
        let cutoff = i64::from(cutoff.days());
        usable = usable.min((0..usable).take_while(|&i| public(dates[i], i) <= cutoff).count());
    }
    let mut out_values = Vec::with_capacity(calendar.len());
    let mut out_dates = Vec::with_capacity(calendar.len());
    // `next` is the first observation not yet public; everything before it is.
    let mut next = 0;
    let mut current: Option<(f64, Date)> = None;
    for t in calendar.iter() {
        let t = i64::from(t.days());
        while next < usable {
            match (dates.get(next), values.get(next)) {
                (Some(d), Some(v)) if public(*d, next) <= t => {
                    current = Some((*v, *d));
                    next += 1;
                }
                _ => break,
            }
        }
        out_values.push(current.map_or(f64::NAN, |(v, _)| v));
        out_dates.push(current.map(|(_, d)| d));
    }
    Aligned { values: out_values, obs_dates: out_dates, lag_days }
}

// ---------------------------------------------------------------------------------------------
// Staleness
// ---------------------------------------------------------------------------------------------

/// Weekdays in `(from, to]`; zero or negative when `to <= from`.
fn business_days_after(from: Date, to: Date) -> i64 {
    let start = i64::from(from.days());
    let n = i64::from(to.days()) - start;
    if n <= 0 {
        return n;
    }
    let mut count = n / 7 * 5;
    let first_weekday = weekday_index(start);
    for k in 1..=n % 7 {
        if (first_weekday + k) % 7 < 5 {
            count += 1;
        }
    }
    count
}

/// Whether a series of native `frequency` and publication lag `lag_days`, whose newest usable
/// observation is dated `obs_date`, is stale at `t` (MODEL.md 1.3): its age is more than twice its
/// native period plus its lag.
///
/// # Formula
///
/// `stale = age(obs_date, t) > 2 * frequency.period_days() + max(lag_days, 0)`, where the age is
/// counted in calendar days, except for daily series where it is counted in business days (days
/// Monday to Friday after `obs_date` up to and including `t`): a daily series observed on Friday
/// with lag 1 is still fresh on the Tuesday after a Monday holiday.
///
/// # Example
///
/// ```
/// use tideline_core::{align::is_stale, catalog::Frequency, Date};
///
/// let wednesday = Date::parse_iso("2024-01-03").unwrap();
/// // Weekly with lag 2: fresh up to 2 * 7 + 2 = 16 days old.
/// assert!(!is_stale(wednesday, wednesday.add_days(16), Frequency::Weekly, 2));
/// assert!(is_stale(wednesday, wednesday.add_days(17), Frequency::Weekly, 2));
/// ```
pub fn is_stale(obs_date: Date, t: Date, frequency: Frequency, lag_days: i32) -> bool {
    let age = match frequency {
        Frequency::Daily => business_days_after(obs_date, t),
        _ => i64::from(t.days()) - i64::from(obs_date.days()),
    };
    age > 2 * i64::from(frequency.period_days()) + i64::from(lag_days.max(0))
}

// ---------------------------------------------------------------------------------------------
// Resampling
// ---------------------------------------------------------------------------------------------

/// A lower-frequency bucket for [`resample`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Bucket {
    /// Weeks ending Friday (Saturday to Friday), dated on the Friday.
    Week,
    /// Calendar months, dated on the month's last day.
    Month,
}

/// How the observations in a bucket become one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Resample {
    /// The arithmetic mean.
    Mean,
    /// The last observation (a close).
    Last,
    /// The sum (flows).
    Sum,
}

/// Resamples `series` to weekly or monthly buckets; each bucket with at least one observation
/// gives one value, dated at the bucket's end (the Friday, or the month's last calendar day).
///
/// # Publication
///
/// A bucket's value is only public once its last observation is: on the date of the last
/// observation in the bucket plus the series' publication lag, never earlier. Dating the bucket at
/// its end keeps that promise when the result is joined with the same lag (the bucket end is on or
/// after every observation in it), at the price of being up to a few days late for a bucket whose
/// last observation falls before its end (a Friday holiday). In particular the bucket that is
/// still running (this week, this month) is only partly observed: joined at its end plus the lag it
/// is invisible until it is complete, as it should be.
///
/// Buckets whose sum overflows to infinity are left out, so the result is always a valid series.
///
/// # Example
///
/// ```
/// use tideline_core::{align::{resample, Bucket, Resample}, Date, Series};
///
/// let d = |s| Date::parse_iso(s).unwrap();
/// let s = Series::from_pairs("x", &[(d("2024-01-10"), 1.0), (d("2024-01-20"), 3.0), (d("2024-02-01"), 5.0)])
///     .unwrap();
/// let monthly = resample(&s, Bucket::Month, Resample::Mean);
/// assert_eq!(monthly.dates(), &[d("2024-01-31"), d("2024-02-29")]);
/// assert_eq!(monthly.values(), &[2.0, 5.0]);
/// ```
pub fn resample(series: &Series, bucket: Bucket, how: Resample) -> Series {
    // Accumulator of the running bucket: key, sum, count, last value, last observation date.
    struct Acc {
        key: i64,
        sum: f64,
        count: u32,
        last: f64,
        last_date: Date,
    }
    let bucket_key = |d: Date| -> i64 {
        match bucket {
            Bucket::Week => {
                let days = i64::from(d.days());
                days + (4 - weekday_index(days)).rem_euclid(7)
            }
            Bucket::Month => {
                let (y, m, _) = d.ymd();
                i64::from(y) * 12 + i64::from(m) - 1
            }
        }
    };
    // The bucket's end date; at the extreme ends of the date range, where it is not representable,
    // the bucket's last observation (still after every earlier bucket).
    let bucket_end = |acc: &Acc| -> Date {
        let end = match bucket {
            Bucket::Week => i32::try_from(acc.key).ok().map(Date::from_days),
            Bucket::Month => {
                let (y, m, _) = acc.last_date.ymd();
                Date::from_ymd(y, m, days_in_month(y, m))
            }
        };
        end.unwrap_or(acc.last_date)
    };
    let value_of = |acc: &Acc| -> f64 {
        match how {
            Resample::Mean => acc.sum / f64::from(acc.count.max(1)),
            Resample::Last => acc.last,
            Resample::Sum => acc.sum,
        }
    };
    let mut dates = Vec::new();
    let mut values = Vec::new();
    let mut flush = |acc: &Acc| {
        let value = value_of(acc);
        let end = bucket_end(acc);
        // Keep the output strictly ascending even if the input was not (a series deserialised
        // without its checks).
        if value.is_finite() && dates.last().is_none_or(|last| *last < end) {
            dates.push(end);
            values.push(value);
        }
    };
    let mut running: Option<Acc> = None;
    for (date, value) in series.iter() {
        let key = bucket_key(date);
        match running.as_mut() {
            Some(acc) if acc.key == key => {
                acc.sum += value;
                acc.count = acc.count.saturating_add(1);
                acc.last = value;
                acc.last_date = date;
            }
            _ => {
                if let Some(acc) = running.take() {
                    flush(&acc);
                }
                running = Some(Acc { key, sum: value, count: 1, last: value, last_date: date });
            }
        }
    }
    if let Some(acc) = running.take() {
        flush(&acc);
    }
    Series::new(series.id.clone(), dates, values).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------------

/// A calendar with named point-in-time columns, optionally as of a cutoff date.
///
/// Built with [`Frame::new`] from `(id, series, publication lag in days)` triples, or from a
/// [`Dataset`] with the catalog's lags. With a cutoff `as_of = Some(D)`, every observation
/// published after `D` (`d + lag > D`) is ignored, so the frame is exactly what the model knew on
/// `D`. The calendar is kept as given: dates after `D` carry the values public on `D` (pass a
/// calendar that ends on `D`, e.g. with [`Calendar::truncated_after`], to stop there).
///
/// # Example
///
/// ```
/// use tideline_core::{align::{Calendar, Frame}, Date, Series};
///
/// let d = |s| Date::parse_iso(s).unwrap();
/// let cpi = Series::from_pairs("CPIAUCSL", &[(d("2024-01-01"), 308.4), (d("2024-02-01"), 309.7)]).unwrap();
/// let calendar = Calendar::business_days(d("2024-03-01"), d("2024-03-29"));
/// let frame = Frame::new(calendar, &[("CPIAUCSL", &cpi, 45)], Some(d("2024-03-15")));
/// // February's CPI is public on 2024-03-17: after the cutoff, so never used.
/// let last = frame.column("CPIAUCSL").and_then(|c| c.latest()).map(|(_, v, obs)| (v, obs));
/// assert_eq!(last, Some((308.4, d("2024-01-01"))));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    calendar: Calendar,
    as_of: Option<Date>,
    columns: BTreeMap<String, Aligned>,
}

impl Frame {
    /// Joins each `(id, series, lag_days)` to `calendar` point in time, ignoring observations
    /// published after `as_of` when it is given. A repeated id keeps the last one.
    pub fn new(calendar: Calendar, inputs: &[(&str, &Series, i32)], as_of: Option<Date>) -> Frame {
        let mut frame = Frame { calendar, as_of, columns: BTreeMap::new() };
        for (id, series, lag_days) in inputs {
            frame.add(id, series, *lag_days);
        }
        frame
    }

    /// The loaded series of `dataset` named in `ids`, joined with their catalog publication lags.
    /// Ids that are not loaded are left out; a loaded series without a catalog entry (a user
    /// upload) joins with lag 0, public on its own dates.
    pub fn from_dataset(dataset: &Dataset, ids: &[&str], calendar: Calendar, as_of: Option<Date>) -> Frame {
        let mut frame = Frame { calendar, as_of, columns: BTreeMap::new() };
        for id in ids {
            if let Some(series) = dataset.get(id) {
                let lag_days = dataset.entry(id).map_or(0, |e| e.publication_lag_days);
                frame.add(id, series, lag_days);
            }
        }
        frame
    }

    /// Adds (or replaces) column `id`: `series` joined with `lag_days` under the frame's cutoff.
    pub fn add(&mut self, id: &str, series: &Series, lag_days: i32) {
        let column = as_of_with_cutoff(series, lag_days, &self.calendar, self.as_of);
        self.columns.insert(id.to_string(), column);
    }

    /// The calendar.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The cutoff: observations published after it are ignored.
    pub fn as_of(&self) -> Option<Date> {
        self.as_of
    }

    /// Number of calendar dates.
    pub fn len(&self) -> usize {
        self.calendar.len()
    }

    /// True when the calendar is empty.
    pub fn is_empty(&self) -> bool {
        self.calendar.is_empty()
    }

    /// The column `id`.
    pub fn column(&self, id: &str) -> Option<&Aligned> {
        self.columns.get(id)
    }

    /// The values of column `id`, one per calendar date.
    pub fn values(&self, id: &str) -> Option<&[f64]> {
        self.columns.get(id).map(|c| c.values.as_slice())
    }

    /// The value of column `id` on calendar date `date` and the date of the observation it came
    /// from; `None` when `date` is not a calendar date or nothing was public yet.
    pub fn value_on(&self, id: &str, date: Date) -> Option<(f64, Date)> {
        self.columns.get(id)?.get(self.calendar.index_of(date)?)
    }

    /// The column ids, in sorted order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }

    /// The columns with their ids, in id order.
    pub fn columns(&self) -> impl Iterator<Item = (&str, &Aligned)> {
        self.columns.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The stale mask of column `id` (see [`Aligned::stale_mask`]) for native `frequency`.
    pub fn stale_mask(&self, id: &str, frequency: Frequency) -> Option<Vec<bool>> {
        Some(self.columns.get(id)?.stale_mask(&self.calendar, frequency))
    }
}

// ---------------------------------------------------------------------------------------------
// Benchmark calendars (MODEL.md 5)
// ---------------------------------------------------------------------------------------------

/// An asset paired with a benchmark on common dates, with the observation each price came from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// The dates of the pairs, ascending.
    pub dates: Vec<Date>,
    /// The benchmark's price at each date.
    pub bench: Vec<f64>,
    /// The date of the benchmark observation used.
    pub bench_dates: Vec<Date>,
    /// The asset's price at each date.
    pub asset: Vec<f64>,
    /// The date of the asset observation used.
    pub asset_dates: Vec<Date>,
}

impl Paired {
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when there is no pair.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }
}

/// Both series' last observations at or before each calendar date, where both exist.
fn pair_on(calendar: &Calendar, bench: &Series, asset: &Series) -> Paired {
    let bench_joined = as_of(bench, 0, calendar);
    let asset_joined = as_of(asset, 0, calendar);
    let mut out = Paired::default();
    for (i, t) in calendar.iter().enumerate() {
        if let (Some((b, bd)), Some((a, ad))) = (bench_joined.get(i), asset_joined.get(i)) {
            out.dates.push(t);
            out.bench.push(b);
            out.bench_dates.push(bd);
            out.asset.push(a);
            out.asset_dates.push(ad);
        }
    }
    out
}

/// The asset on the benchmark's trading calendar (MODEL.md 5): on each date where the benchmark
/// has an observation, the asset's price is its last observation at or before that date, so a
/// weekend crypto move lands in Monday's return.
///
/// Dates before the asset's first observation and after its last one are left out (a stopped feed
/// is not carried forward).
///
/// # Example
///
/// ```
/// use tideline_core::{align::on_benchmark_calendar, Date, Series};
///
/// let d = |s| Date::parse_iso(s).unwrap();
/// let nasdaq = Series::from_pairs("NASDAQ100", &[(d("2024-01-05"), 100.0), (d("2024-01-08"), 101.0)]).unwrap();
/// let btc = Series::from_pairs(
///     "CBBTCUSD",
///     &[(d("2024-01-05"), 40.0), (d("2024-01-06"), 44.0), (d("2024-01-07"), 45.0), (d("2024-01-08"), 46.0)],
/// )
/// .unwrap();
/// let pairs = on_benchmark_calendar(&nasdaq, &btc);
/// assert_eq!(pairs.dates, vec![d("2024-01-05"), d("2024-01-08")]);
/// assert_eq!(pairs.asset, vec![40.0, 46.0]); // the weekend's move is in Monday's return
/// ```
pub fn on_benchmark_calendar(bench: &Series, asset: &Series) -> Paired {
    let Some((asset_last, _)) = asset.last() else {
        return Paired::default();
    };
    let dates = bench.dates().iter().copied().filter(|d| *d <= asset_last).collect();
    pair_on(&Calendar::from_dates(dates), bench, asset)
}

/// Weekly Friday closes of a benchmark and an asset (MODEL.md 5 and 6): on each Friday, each
/// series' last observation at or before it.
///
/// The Fridays run from the first one on which both series have an observation to the last one
/// on or before the earlier of the two series' last dates (a week appears once both series have
/// data through its Friday; a stopped feed is not carried forward).
pub fn friday_closes(bench: &Series, asset: &Series) -> Paired {
    let (Some((bench_first, _)), Some((asset_first, _))) = (bench.first(), asset.first()) else {
        return Paired::default();
    };
    let (Some((bench_last, _)), Some((asset_last, _))) = (bench.last(), asset.last()) else {
        return Paired::default();
    };
    let fridays = Calendar::fridays(bench_first.max(asset_first), bench_last.min(asset_last));
    pair_on(&fridays, bench, asset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("test date")
    }

    fn series(id: &str, pairs: &[(&str, f64)]) -> Series {
        let pairs: Vec<(Date, f64)> = pairs.iter().map(|(s, v)| (d(s), *v)).collect();
        Series::from_pairs(id, &pairs).expect("valid test series")
    }

    fn same(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || a == b
    }

    #[test]
    fn calendars_hold_the_right_days() {
        // 2024-01-01 is a Monday.
        let b = Calendar::business_days(d("2024-01-01"), d("2024-01-14"));
        assert_eq!(b.len(), 10);
        assert!(b.iter().all(|t| t.is_business_day()));
        let f = Calendar::fridays(d("2024-01-05"), d("2024-01-19"));
        assert_eq!(f.dates(), &[d("2024-01-05"), d("2024-01-12"), d("2024-01-19")]);
        // A week is in only when its Friday is.
        assert_eq!(Calendar::fridays(d("2024-01-06"), d("2024-01-18")).dates(), &[d("2024-01-12")]);
        assert_eq!(Calendar::daily(d("2024-02-27"), d("2024-03-01")).len(), 4);
        assert!(Calendar::daily(d("2024-03-01"), d("2024-02-01")).is_empty());
        assert!(Calendar::fridays(d("2024-03-01"), d("2024-02-01")).is_empty());
        let c = Calendar::from_dates(vec![d("2024-01-03"), d("2024-01-01"), d("2024-01-03")]);
        assert_eq!(c.dates(), &[d("2024-01-01"), d("2024-01-03")]);
        assert_eq!(c.index_at_or_before(d("2024-01-02")), Some(0));
        assert_eq!(c.index_of(d("2024-01-02")), None);
        assert_eq!(c.truncated_after(d("2024-01-02")).len(), 1);
    }

    #[test]
    fn calendars_at_the_ends_of_the_date_range_do_not_panic_or_explode() {
        let lo = Date::from_days(i32::MIN);
        let hi = Date::from_days(i32::MAX);
        assert_eq!(Calendar::daily(lo, hi).len() as i64, MAX_CALENDAR_DAYS);
        assert_eq!(Calendar::daily(hi.add_days(-2), hi).len(), 3);
        assert!(Calendar::fridays(hi.add_days(-20), hi)
            .iter()
            .all(|t| t.weekday() == crate::date::Weekday::Fri));
        assert!(!Calendar::business_days(lo, lo.add_days(30)).is_empty());
    }

    #[test]
    fn publication_lag_is_respected_exactly_at_the_boundary() {
        let s = series("x", &[("2024-01-10", 1.0), ("2024-01-11", 2.0)]);
        let cal = Calendar::daily(d("2024-01-09"), d("2024-01-14"));
        let a = as_of(&s, 2, &cal);
        // 9th, 10th, 11th: nothing public; the 10th's value is public on the 12th.
        assert!(a.values[..3].iter().all(|v| v.is_nan()));
        assert_eq!(a.obs_dates[2], None);
        assert_eq!(a.get(3), Some((1.0, d("2024-01-10"))));
        assert_eq!(a.get(4), Some((2.0, d("2024-01-11"))));
        assert_eq!(a.get(5), Some((2.0, d("2024-01-11"))));
        assert_eq!(a.lag_days, 2);
        // Lag 0: public on its own date.
        assert_eq!(as_of(&s, 0, &cal).get(1), Some((1.0, d("2024-01-10"))));
    }

    #[test]
    fn negative_lags_never_look_ahead() {
        let s = series("x", &[("2024-01-10", 1.0)]);
        let cal = Calendar::daily(d("2024-01-08"), d("2024-01-10"));
        let a = as_of(&s, -5, &cal);
        assert!(a.values[1].is_nan());
        assert_eq!(a.get(2), Some((1.0, d("2024-01-10"))));
        assert_eq!(a.lag_days, 0);
    }

    #[test]
    fn weekly_wednesday_data_joins_on_fridays() {
        // WALCL-like: Wednesdays, H.4.1 lag 2 (public Friday).
        let walcl = series("WALCL", &[("2024-01-03", 10.0), ("2024-01-10", 11.0), ("2024-01-17", 12.0)]);
        let fridays = Calendar::fridays(d("2023-12-29"), d("2024-01-26"));
        let a = as_of(&walcl, 2, &fridays);
        assert!(a.values[0].is_nan());
        assert_eq!(a.values[1..], [10.0, 11.0, 12.0, 12.0]);
        assert_eq!(a.obs_dates[4], Some(d("2024-01-17")));
        // With a lag of 3 (a delayed release), Friday sees the previous week's Wednesday.
        let late = as_of(&walcl, 3, &fridays);
        assert!(late.values[1].is_nan());
        assert_eq!(late.get(2), Some((10.0, d("2024-01-03"))));
    }

    #[test]
    fn monthly_cpi_with_lag_45_is_visible_mid_next_month() {
        let cpi = series("CPIAUCSL", &[("2024-01-01", 308.4), ("2024-02-01", 309.7)]);
        let cal = Calendar::business_days(d("2024-02-12"), d("2024-03-20"));
        let a = as_of(&cpi, 45, &cal);
        let at = |s: &str| cal.index_of(d(s)).and_then(|i| a.get(i));
        // January's CPI (dated the 1st) is public on 2024-02-15, February's on 2024-03-17 (a Sunday).
        assert_eq!(at("2024-02-14"), None);
        assert_eq!(at("2024-02-15"), Some((308.4, d("2024-01-01"))));
        assert_eq!(at("2024-03-15"), Some((308.4, d("2024-01-01"))));
        assert_eq!(at("2024-03-18"), Some((309.7, d("2024-02-01"))));
        // The catalog's worst case (46 days: out by the 15th of the next month) waits one day more.
        let entry = crate::catalog::Catalog::builtin().get("CPIAUCSL").cloned().expect("in catalog");
        assert_eq!(as_of_entry(&cpi, &entry, &cal), as_of(&cpi, 46, &cal));
        let worst = as_of_entry(&cpi, &entry, &cal);
        assert_eq!(cal.index_of(d("2024-02-15")).and_then(|i| worst.get(i)), None);
        assert_eq!(cal.index_of(d("2024-02-16")).and_then(|i| worst.get(i)), Some((308.4, d("2024-01-01"))));
    }

    #[test]
    fn resamples_mean_last_and_sum() {
        // 2024-01-05 and 2024-01-12 are Fridays.
        let s = series(
            "x",
            &[
                ("2024-01-04", 1.0),
                ("2024-01-05", 3.0),
                ("2024-01-06", 5.0),
                ("2024-01-12", 7.0),
                ("2024-02-02", 9.0),
            ],
        );
        let w = resample(&s, Bucket::Week, Resample::Mean);
        assert_eq!(w.dates(), &[d("2024-01-05"), d("2024-01-12"), d("2024-02-02")]);
        assert_eq!(w.values(), &[2.0, 6.0, 9.0]);
        assert_eq!(resample(&s, Bucket::Week, Resample::Last).values(), &[3.0, 7.0, 9.0]);
        assert_eq!(resample(&s, Bucket::Week, Resample::Sum).values(), &[4.0, 12.0, 9.0]);
        let m = resample(&s, Bucket::Month, Resample::Sum);
        assert_eq!(m.dates(), &[d("2024-01-31"), d("2024-02-29")]);
        assert_eq!(m.values(), &[16.0, 9.0]);
        assert_eq!(resample(&s, Bucket::Month, Resample::Last).values(), &[7.0, 9.0]);
        assert_eq!(resample(&s, Bucket::Month, Resample::Mean).values(), &[4.0, 9.0]);
        assert_eq!(m.id, "x");
        assert!(resample(&Series::default(), Bucket::Month, Resample::Mean).is_empty());
    }

    #[test]
    fn resampled_buckets_are_not_public_before_they_are_complete() {
        // A daily series resampled to months and joined with lag 1: January's mean is invisible
        // until February 1st, even though its first observations are old.
        let s = series("x", &[("2024-01-02", 1.0), ("2024-01-31", 3.0)]);
        let m = resample(&s, Bucket::Month, Resample::Mean);
        let a = as_of(&m, 1, &Calendar::daily(d("2024-01-30"), d("2024-02-01")));
        assert!(a.values[0].is_nan() && a.values[1].is_nan());
        assert_eq!(a.get(2), Some((2.0, d("2024-01-31"))));
    }

    #[test]
    fn resampling_extreme_or_huge_values_keeps_a_valid_series() {
        let s = Series::new("x", vec![Date::from_days(0), Date::from_days(1)], vec![f64::MAX, f64::MAX])
            .expect("finite");
        assert!(resample(&s, Bucket::Month, Resample::Sum).is_empty());
        assert_eq!(resample(&s, Bucket::Month, Resample::Last).len(), 1);
        let top =
            Series::new("x", vec![Date::from_days(i32::MAX - 1), Date::from_days(i32::MAX)], vec![1.0, 2.0])
                .expect("valid");
        for bucket in [Bucket::Week, Bucket::Month] {
            assert_eq!(resample(&top, bucket, Resample::Last).values(), &[2.0]);
        }
    }

    #[test]
    fn staleness_boundary() {
        let wed = d("2024-01-03");
        assert!(!is_stale(wed, wed.add_days(16), Frequency::Weekly, 2));
        assert!(is_stale(wed, wed.add_days(17), Frequency::Weekly, 2));
        // Monthly with lag 45: 2 * 31 + 45 = 107 days.
        let jan = d("2024-01-01");
        assert!(!is_stale(jan, jan.add_days(107), Frequency::Monthly, 45));
        assert!(is_stale(jan, jan.add_days(108), Frequency::Monthly, 45));
        // Daily with lag 1: 3 business days. Friday's value on the Tuesday after a Monday holiday is
        // 2 business days old: fresh; on Thursday (4 business days): stale.
        let fri = d("2024-01-12");
        assert!(!is_stale(fri, d("2024-01-16"), Frequency::Daily, 1));
        assert!(!is_stale(fri, d("2024-01-17"), Frequency::Daily, 1));
        assert!(is_stale(fri, d("2024-01-18"), Frequency::Daily, 1));
        assert_eq!(business_days_after(fri, d("2024-01-26")), 10);
        assert_eq!(business_days_after(fri, fri), 0);
        assert!(!is_stale(fri, fri.add_days(-3), Frequency::Daily, 1));
    }

    #[test]
    fn stale_mask_follows_the_rule() {
        let s = series("x", &[("2024-01-03", 1.0)]);
        let cal = Calendar::daily(d("2024-01-03"), d("2024-01-25"));
        let a = as_of(&s, 2, &cal);
        let mask = a.stale_mask(&cal, Frequency::Weekly);
        // Nothing public on the 3rd and 4th: stale. Fresh from the 5th to the 19th (16 days old).
        assert!(mask[0] && mask[1]);
        assert!(mask[2..=16].iter().all(|s| !s));
        assert!(mask[17..].iter().all(|s| *s));
        let frame = Frame::new(cal.clone(), &[("x", &s, 2)], None);
        assert_eq!(frame.stale_mask("x", Frequency::Weekly), Some(mask));
        assert_eq!(frame.stale_mask("y", Frequency::Weekly), None);
    }

    #[test]
    fn frame_cutoff_ignores_later_publications() {
        let s = series("x", &[("2024-01-01", 1.0), ("2024-01-05", 2.0), ("2024-01-09", 3.0)]);
        let cal = Calendar::daily(d("2024-01-01"), d("2024-01-15"));
        let cutoff = d("2024-01-06");
        let frame = Frame::new(cal.clone(), &[("x", &s, 1), ("y", &s, 0)], Some(cutoff));
        assert_eq!(frame.as_of(), Some(cutoff));
        assert_eq!(frame.ids().collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(frame.len(), 15);
        // x: the 5th's value is public on the 6th (= cutoff): used; the 9th's is not, ever.
        assert_eq!(frame.value_on("x", d("2024-01-15")), Some((2.0, d("2024-01-05"))));
        assert_eq!(frame.value_on("x", d("2024-01-05")), Some((1.0, d("2024-01-01"))));
        assert_eq!(frame.value_on("x", d("2023-12-31")), None);
        let full = Frame::new(cal, &[("x", &s, 1)], None);
        assert_eq!(full.value_on("x", d("2024-01-15")), Some((3.0, d("2024-01-09"))));
        for i in 0..=5 {
            let (a, b) = (frame.values("x").expect("x")[i], full.values("x").expect("x")[i]);
            assert!(same(a, b));
        }
        assert_eq!(frame.column("missing"), None);
        assert_eq!(frame.columns().count(), 2);
    }

    #[test]
    fn frame_from_dataset_uses_catalog_lags() {
        let mut dataset = Dataset::new(crate::catalog::Catalog::builtin());
        let body = "observation_date,CPIAUCSL\n2024-01-01,308.4\n";
        dataset.load_body("CPIAUCSL", crate::parse::Format::Fred, "CPIAUCSL.csv", body).expect("loads");
        // CPI's worst-case lag is 46 days (a month dated on the 1st, out by the 15th of the next).
        let cal = Calendar::daily(d("2024-02-15"), d("2024-02-16"));
        let frame = Frame::from_dataset(&dataset, &["CPIAUCSL", "WALCL"], cal, None);
        assert_eq!(frame.ids().collect::<Vec<_>>(), ["CPIAUCSL"]);
        let column = frame.column("CPIAUCSL").expect("loaded");
        assert_eq!((column.lag_days, column.values[0].is_nan(), column.values[1]), (46, true, 308.4));
    }

    #[test]
    fn aligned_helpers() {
        let s = series("x", &[("2024-01-02", 1.0), ("2024-01-04", 2.0)]);
        let cal = Calendar::daily(d("2024-01-01"), d("2024-01-05"));
        let a = as_of(&s, 0, &cal);
        assert_eq!(a.len(), 5);
        assert_eq!(a.latest(), Some((4, 2.0, d("2024-01-04"))));
        let back = a.to_series("x_daily", &cal);
        assert_eq!(back.dates(), &cal.dates()[1..]);
        assert_eq!(back.values(), &[1.0, 1.0, 2.0, 2.0]);
        assert_eq!(Aligned::default().latest(), None);
        assert!(as_of(&s, 0, &Calendar::default()).is_empty());
    }

    #[test]
    fn unchecked_series_do_not_panic() {
        // A deserialised series skips the constructor's checks: unsorted, ragged.
        let json = r#"{"id":"x","dates":["2024-01-05","2024-01-01","2024-01-09"],"values":[1.0,2.0]}"#;
        let s: Series = serde_json::from_str(json).expect("deserialises");
        let cal = Calendar::daily(d("2023-12-30"), d("2024-01-12"));
        let a = as_of_with_cutoff(&s, 1, &cal, Some(d("2024-01-07")));
        assert_eq!(a.len(), cal.len());
        let _ = resample(&s, Bucket::Week, Resample::Mean);
        let _ = on_benchmark_calendar(&s, &s);
        let _ = friday_closes(&s, &s);
    }

    #[test]
    fn benchmark_calendar_puts_weekend_moves_into_monday() {
        // Fri 5th, Mon 8th; BTC trades every day; BTC's feed stops on Tue 9th.
        let nasdaq = series("NDX", &[("2024-01-05", 100.0), ("2024-01-08", 101.0), ("2024-01-10", 102.0)]);
        let btc = series(
            "BTC",
            &[("2024-01-04", 39.0), ("2024-01-06", 44.0), ("2024-01-07", 45.0), ("2024-01-09", 46.0)],
        );
        let p = on_benchmark_calendar(&nasdaq, &btc);
        assert_eq!(p.dates, vec![d("2024-01-05"), d("2024-01-08")]);
        assert_eq!(p.bench, vec![100.0, 101.0]);
        assert_eq!(p.asset, vec![39.0, 45.0]);
        assert_eq!(p.asset_dates, vec![d("2024-01-04"), d("2024-01-07")]);
        assert_eq!(p.bench_dates, p.dates);
        assert!(on_benchmark_calendar(&nasdaq, &Series::default()).is_empty());
    }

    #[test]
    fn friday_closes_take_the_last_observation_of_each_week() {
        // Fridays 5th, 12th, 19th; the 12th is a holiday for the benchmark.
        let bench = series(
            "NDX",
            &[
                ("2024-01-04", 1.0),
                ("2024-01-05", 2.0),
                ("2024-01-11", 3.0),
                ("2024-01-19", 4.0),
                ("2024-01-22", 5.0),
            ],
        );
        let asset = series(
            "BTC",
            &[("2024-01-03", 10.0), ("2024-01-06", 11.0), ("2024-01-12", 12.0), ("2024-01-20", 13.0)],
        );
        let p = friday_closes(&bench, &asset);
        assert_eq!(p.dates, vec![d("2024-01-05"), d("2024-01-12"), d("2024-01-19")]);
        assert_eq!(p.bench, vec![2.0, 3.0, 4.0]);
        assert_eq!(p.bench_dates, vec![d("2024-01-05"), d("2024-01-11"), d("2024-01-19")]);
        assert_eq!(p.asset, vec![10.0, 12.0, 12.0]);
        assert_eq!(p.len(), 3);
        assert!(friday_closes(&Series::default(), &asset).is_empty());
    }
}
