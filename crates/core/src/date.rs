//! Calendar dates as day numbers.
//!
//! Design: the model joins thousands of observations across dozens of series on every run, so a
//! date is a plain `i32` count of days since 1970-01-01 (proleptic Gregorian). Comparisons,
//! differences and lookups are integer operations; conversion to and from `YYYY-MM-DD` uses Howard
//! Hinnant's civil-date algorithms. No time zones: every feed is reduced to its UTC calendar day.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar day, stored as days since 1970-01-01.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// Day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Date {
    /// The date of a day number (days since 1970-01-01).
    pub const fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i32 {
        self.0
    }

    /// The date of a year, month (1..=12) and day (1..=31), or `None` when no such day exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Hinnant, days_from_civil.
        let y = if month <= 2 { year - 1 } else { year } as i64;
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        i32::try_from(days).ok().map(Date)
    }

    /// Year, month (1..=12) and day (1..=31).
    pub fn ymd(self) -> (i32, u32, u32) {
        // Hinnant, civil_from_days.
        let z = self.0 as i64 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// Parses `YYYY-MM-DD` (a trailing time such as ` 00:00:00 UTC` or `T00:00:00Z` is ignored).
    pub fn parse_iso(text: &str) -> Option<Date> {
        Date::parse_iso_bytes(text.trim().as_bytes())
    }

    /// [`Date::parse_iso`] on bytes already trimmed, for the parsers' byte scanners: the same
    /// dates, without a UTF-8 or whitespace pass.
    pub fn parse_iso_bytes(b: &[u8]) -> Option<Date> {
        let (year, month, day) = iso_fields(b)?;
        Date::from_ymd(year, month, day)
    }

    /// The UTC calendar day of a Unix timestamp in milliseconds.
    pub fn from_unix_millis(ms: i64) -> Option<Date> {
        let days = ms.div_euclid(86_400_000);
        i32::try_from(days).ok().map(Date)
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.0 as i64 + 3).rem_euclid(7) {
            0 => Weekday::Mon,
            1 => Weekday::Tue,
            2 => Weekday::Wed,
            3 => Weekday::Thu,
            4 => Weekday::Fri,
            5 => Weekday::Sat,
            _ => Weekday::Sun,
        }
    }

    /// True on Monday to Friday.
    pub fn is_business_day(self) -> bool {
        !matches!(self.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// This date plus `n` days (negative `n` goes back).
    pub fn add_days(self, n: i32) -> Date {
        Date(self.0.saturating_add(n))
    }

    /// The Friday on or after this date.
    pub fn next_friday(self) -> Date {
        let offset = (4 - (self.0 as i64 + 3).rem_euclid(7)).rem_euclid(7) as i32;
        self.add_days(offset)
    }

    /// The Friday on or before this date.
    pub fn previous_friday(self) -> Date {
        let back = ((self.0 as i64 + 3).rem_euclid(7) - 4).rem_euclid(7) as i32;
        self.add_days(-back)
    }

    /// The first day of this date's month.
    pub fn month_start(self) -> Date {
        let (y, m, _) = self.ymd();
        Date::from_ymd(y, m, 1).unwrap_or(self)
    }

    /// The same day `months` months later (clamped to the month's last day).
    pub fn add_months(self, months: i32) -> Date {
        let (y, m, d) = self.ymd();
        let total = y * 12 + (m as i32 - 1) + months;
        let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
        let nd = d.min(days_in_month(ny, nm));
        Date::from_ymd(ny, nm, nd).unwrap_or(self)
    }
}

/// The year, month and day fields of `YYYY-MM-DD` (perhaps followed by a time), unchecked.
fn iso_fields(b: &[u8]) -> Option<(i32, u32, u32)> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if b.len() > 10 && !matches!(b[10], b' ' | b'T') {
        return None;
    }
    let digit = |i: usize| Some(u32::from(b[i].wrapping_sub(b'0'))).filter(|&d| d < 10);
    let year = digit(0)? * 1000 + digit(1)? * 100 + digit(2)? * 10 + digit(3)?;
    Some((year as i32, digit(5)? * 10 + digit(6)?, digit(8)? * 10 + digit(9)?))
}

/// Reads ISO dates as [`Date::parse_iso_bytes`] does, remembering the last month read: the
/// parsers' rows come in order, most in the month before them, and a day then costs one addition
/// instead of the calendar arithmetic.
#[derive(Debug, Default)]
pub(crate) struct IsoDates {
    /// The last month read: its `YYYY-MM-` bytes, its first day, its length.
    month: Option<([u8; 8], Date, u32)>,
}

impl IsoDates {
    /// [`Date::parse_iso_bytes`] of `b`.
    #[inline]
    pub(crate) fn read(&mut self, b: &[u8]) -> Option<Date> {
        // The month's bytes as last read: only the day is left to read (and what may follow it).
        if let (Some((month, first, length)), Some(head), Some(day)) = (&self.month, b.get(..8), b.get(8..10))
        {
            if head == month && (b.len() == 10 || matches!(b[10], b' ' | b'T')) {
                let digit = |d: u8| Some(u32::from(d.wrapping_sub(b'0'))).filter(|&d| d < 10);
                let day = digit(day[0])? * 10 + digit(day[1])?;
                return (1..=*length).contains(&day).then(|| first.add_days(day as i32 - 1));
            }
        }
        let (year, month, day) = iso_fields(b)?;
        let first = Date::from_ymd(year, month, 1)?;
        let length = days_in_month(year, month);
        let mut head = [0; 8];
        head.copy_from_slice(&b[..8]);
        self.month = Some((head, first, length));
        (1..=length).contains(&day).then(|| first.add_days(day as i32 - 1))
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in a month (0 for an invalid month).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse_iso(s).ok_or_else(|| format!("expected a date as YYYY-MM-DD, found {s:?}"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_civil_dates() {
        assert_eq!(Date::from_ymd(1970, 1, 1).map(Date::days), Some(0));
        assert_eq!(Date::from_ymd(2000, 3, 1).map(Date::days), Some(11_017));
        for days in -800_000..800_000 {
            let d = Date::from_days(days);
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
        }
    }

    #[test]
    fn rejects_impossible_days() {
        assert_eq!(Date::from_ymd(2023, 2, 29), None);
        assert!(Date::from_ymd(2024, 2, 29).is_some());
        assert_eq!(Date::parse_iso("2024-13-01"), None);
        assert_eq!(Date::parse_iso("2024-1-01"), None);
        assert_eq!(Date::parse_iso("2024-01-01x"), None);
    }

    #[test]
    fn parses_timestamps_and_iso_with_time() {
        let d = Date::parse_iso("2013-04-28 00:00:00 UTC");
        assert_eq!(d.map(|d| d.to_string()), Some("2013-04-28".into()));
        assert_eq!(
            Date::from_unix_millis(1_697_328_000_000).map(|d| d.to_string()),
            Some("2023-10-15".into())
        );
    }

    #[test]
    fn weekdays_and_fridays() {
        let wed = Date::parse_iso("2026-07-29").unwrap_or(Date(0));
        assert_eq!(wed.weekday(), Weekday::Wed);
        assert_eq!(wed.next_friday().to_string(), "2026-07-31");
        assert_eq!(wed.previous_friday().to_string(), "2026-07-24");
        let fri = wed.next_friday();
        assert_eq!(fri.next_friday(), fri);
        assert_eq!(fri.previous_friday(), fri);
        assert!(!fri.add_days(1).is_business_day());
    }

    #[test]
    fn adds_months_clamped() {
        let d = Date::parse_iso("2024-01-31").unwrap_or(Date(0));
        assert_eq!(d.add_months(1).to_string(), "2024-02-29");
        assert_eq!(d.add_months(-2).to_string(), "2023-11-30");
    }
}
