//! Date conventions of the feeds, and the check that two files of one series agree on them.
//!
//! # Why this exists
//!
//! Feeds stamp the same close on different days. A daily close belongs to the day whose trading it
//! ends, and that is how the model dates every observation. But:
//!
//! | feed | stamp | the close it carries | dated here |
//! |---|---|---|---|
//! | FRED (Coinbase `CBBTCUSD`, equities, rates) | observation date `D` | the close of `D` | `D` |
//! | Binance klines | candle open, 00:00 UTC of `D` | the close of `D` (23:59:59.999) | `D` |
//! | Yahoo and spreadsheet exports | `D` | the close of `D` | `D` |
//! | CoinGecko `market_chart` JSON | a snapshot at 00:00 UTC of `D` | the price as day `D - 1` ended | `D - 1` |
//! | CoinGecko CSV export (`snapped_at`, `2024-01-05 00:00:00 UTC`) | the same snapshot | the same | `D - 1` |
//! | DefiLlama stablecoin charts | 00:00 UTC of `D` | supply at the start of `D` (slow-moving) | `D` |
//!
//! A CoinGecko point stamped `D 00:00 UTC` is taken at the instant day `D - 1` ends, so it is
//! `D - 1`'s close: on the shared data its log changes correlate 0.99 with FRED's `CBETHUSD`
//! shifted by one day and about -0.08 as stamped. [`snapshot_day`] is that rule: a snapshot taken
//! in the first hour after 00:00 UTC closes the day before (CoinGecko's exports hold a few stamps
//! minutes after midnight, such as `00:05:18`), and any later instant (CoinGecko's "now" point, an
//! hourly point) stays on its own day; when two snapshots fall on one day, the later wins. The
//! CoinGecko parsers ([`crate::parse::coingecko`], and [`crate::parse::user_csv`] for a file whose
//! date column is CoinGecko's `snapped_at`) apply it; Binance's candle-open stamps and plain dates
//! are kept. A re-headed copy of a CoinGecko export (the shared data has one whose author already
//! moved every close to its day) has no known convention and keeps its dates.
//!
//! # The cross-file check
//!
//! A convention that is not known (a file from a new source, a renamed export) can still shift a
//! series by a day, which ruins every daily statistic that pairs it with another (correlations,
//! betas, co-movement). So before the freshest of several files of one series wins
//! ([`crate::dataset::Dataset::load_freshest`], `tideline mirror --from`), each candidate is
//! compared with the reference file (the first valid one in the catalog's order: the series' own
//! `<ID>.csv`, then its `local_files`) by [`shift_check`]: the correlation of their one-day changes
//! on common dates at shifts -1, 0 and +1 day. A file that lines up only when shifted
//! ([`ShiftCheck::misdated_by`]) is refused with an error that says by how much.
//!
//! Choices: changes are log changes when both files are positive throughout and differences
//! otherwise (rates); a change is a one-calendar-day change (both days observed), so business-day
//! series are compared on Tuesday to Friday; at least [`MIN_PAIRS`] common changes are needed to
//! judge (fewer: no verdict, the file is kept). The reference is trusted: with no independent
//! third file, the catalog's primary feed is the better guess.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::series::Series;
use crate::stats::correlation::pearson;

/// Common one-day changes needed before a shift verdict is given.
pub const MIN_PAIRS: usize = 60;

/// A shifted correlation must exceed this to call a file misdated...
pub const SHIFTED_MIN_RHO: f64 = 0.5;

/// ...and beat the unshifted one by at least this much.
pub const SHIFT_MARGIN: f64 = 0.2;

/// A snapshot taken within this long after 00:00 UTC is the close of the day before (CoinGecko's
/// daily points sit at midnight, and its exports hold a few stamped minutes after it).
pub const SNAPSHOT_GRACE_MS: i64 = 3_600_000;

/// The UTC day whose close a snapshot taken at instant `ms` (Unix milliseconds) is: an instant
/// in the first hour after 00:00 UTC of `D` ([`SNAPSHOT_GRACE_MS`]) is `D - 1`'s close, any later
/// instant (CoinGecko's "now" point, an hourly point) stays on its own day.
///
/// # Example
///
/// ```
/// use tideline_core::dating::snapshot_day;
/// // 2024-01-02 00:00 UTC closes 2024-01-01; 2024-01-02 17:00 UTC is 2024-01-02.
/// assert_eq!(snapshot_day(1_704_153_600_000).map(|d| d.to_string()), Some("2024-01-01".into()));
/// assert_eq!(
///     snapshot_day(1_704_153_600_000 + 17 * 3_600_000).map(|d| d.to_string()),
///     Some("2024-01-02".into())
/// );
/// ```
pub fn snapshot_day(ms: i64) -> Option<Date> {
    Date::from_unix_millis(ms.checked_sub(SNAPSHOT_GRACE_MS)?)
}

/// The time of day, in seconds, of a date cell written with a time and an explicit UTC zone, such
/// as CoinGecko's `2024-01-05 00:00:00 UTC` (also `T00:00:00Z`, `+00:00`, with or without seconds
/// or fractions); `None` for a plain date or a time with no UTC zone, whose zone is unknown.
pub fn utc_seconds_of_day(text: &str) -> Option<u32> {
    let rest = text.trim().get(10..)?.strip_prefix([' ', 'T'])?;
    let split = rest.find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))?;
    let (time, zone) = rest.split_at(split);
    if !matches!(zone.trim(), "UTC" | "Z" | "+00:00" | "+0000" | "GMT") {
        return None;
    }
    let whole = time.split('.').next()?;
    let mut fields = whole.split(':').map(|f| (f.len() == 2).then(|| f.parse::<u32>().ok()).flatten());
    let (hours, minutes) = (fields.next()??, fields.next()??);
    let seconds = fields.next().unwrap_or(Some(0))?;
    (fields.next().is_none() && hours < 24 && minutes < 60 && seconds < 61)
        .then_some(hours * 3600 + minutes * 60 + seconds)
}

/// Whether a date cell is a UTC snapshot taken within [`SNAPSHOT_GRACE_MS`] after midnight, and so
/// (in a snapshot file) the close of the day before.
pub fn is_snapshot_after_midnight(text: &str) -> bool {
    utc_seconds_of_day(text).is_some_and(|s| i64::from(s) * 1000 < SNAPSHOT_GRACE_MS)
}

/// The correlations of two files' one-day changes at three shifts (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftCheck {
    /// Correlation at shifts -1, 0, +1 day: `corr(ref_change(d), cand_change(d + shift))`
    /// (`None` with fewer than [`MIN_PAIRS`] pairs or no variance).
    pub rho: [Option<f64>; 3],
    /// Pairs behind each correlation.
    pub n: [usize; 3],
}

impl ShiftCheck {
    /// The shift (-1 or +1 day) by which the candidate lines up with the reference when it does
    /// not line up as dated; `None` when it lines up as dated or no verdict can be given.
    ///
    /// # Formula
    ///
    /// With `rho_s` the correlation at shift `s`: misdated by `s` when
    /// `rho_s >= 0.5` and `rho_s - rho_0 >= 0.2` (a missing `rho_0` counts as 0).
    pub fn misdated_by(&self) -> Option<i32> {
        let same = self.rho[1].unwrap_or(0.0);
        [(-1, self.rho[0]), (1, self.rho[2])]
            .into_iter()
            .filter_map(|(shift, rho)| rho.map(|r| (shift, r)))
            .filter(|&(_, r)| r >= SHIFTED_MIN_RHO && r - same >= SHIFT_MARGIN)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(shift, _)| shift)
    }

    /// The correlation at a shift of -1, 0 or +1 day.
    pub fn at(&self, shift: i32) -> Option<f64> {
        usize::try_from(shift + 1).ok().and_then(|i| self.rho.get(i).copied().flatten())
    }
}

/// One-day changes keyed by the later day: log changes when `log`, else differences.
fn one_day_changes(series: &Series, log: bool) -> HashMap<i32, f64> {
    let points: Vec<(Date, f64)> = series.iter().collect();
    points
        .windows(2)
        .filter_map(|w| {
            let [(d0, v0), (d1, v1)] = [w[0], w[1]];
            if d1.days() - d0.days() != 1 {
                return None;
            }
            let change = if log { (v1 / v0).ln() } else { v1 - v0 };
            change.is_finite().then_some((d1.days(), change))
        })
        .collect()
}

/// Compares `candidate` with `reference` at shifts -1, 0, +1 day (see the module docs).
pub fn shift_check(reference: &Series, candidate: &Series) -> ShiftCheck {
    let positive = |s: &Series| s.iter().all(|(_, v)| v > 0.0);
    let log = positive(reference) && positive(candidate);
    let reference = one_day_changes(reference, log);
    let candidate = one_day_changes(candidate, log);
    let mut rho = [None; 3];
    let mut n = [0; 3];
    for (slot, shift) in [-1, 0, 1].into_iter().enumerate() {
        let (xs, ys): (Vec<f64>, Vec<f64>) =
            reference.iter().filter_map(|(&day, &r)| candidate.get(&(day + shift)).map(|&c| (r, c))).unzip();
        n[slot] = xs.len();
        if xs.len() >= MIN_PAIRS {
            rho[slot] = pearson(&xs, &ys);
        }
    }
    ShiftCheck { rho, n }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic daily random walk of `days` prices from 2020-01-01.
    fn walk(days: i32) -> Series {
        let start = Date::from_ymd(2020, 1, 1).unwrap_or(Date::from_days(0));
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut price = 100.0_f64;
        let points = (0..days)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let u = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                price *= (0.04 * u).exp();
                (start.add_days(i), price)
            })
            .collect::<Vec<_>>();
        Series::from_pairs("X", &points).expect("ascending finite points")
    }

    fn shifted(series: &Series, days: i32) -> Series {
        let points: Vec<_> = series.iter().map(|(d, v)| (d.add_days(days), v)).collect();
        Series::from_pairs("X", &points).expect("ascending finite points")
    }

    #[test]
    fn a_copy_lines_up_and_a_shifted_copy_does_not() {
        let reference = walk(400);
        let same = shift_check(&reference, &reference);
        assert!(same.at(0).is_some_and(|r| r > 0.999));
        assert_eq!(same.misdated_by(), None);

        // Each close stamped a day late (CoinGecko's midnight snapshot read as its own day).
        let late = shift_check(&reference, &shifted(&reference, 1));
        assert!(late.at(1).is_some_and(|r| r > 0.999), "{late:?}");
        assert!(late.at(0).is_some_and(|r| r.abs() < 0.2), "{late:?}");
        assert_eq!(late.misdated_by(), Some(1));
        assert_eq!(shift_check(&reference, &shifted(&reference, -1)).misdated_by(), Some(-1));
    }

    #[test]
    fn too_few_common_days_give_no_verdict() {
        let reference = walk(30);
        let check = shift_check(&reference, &shifted(&reference, 1));
        assert_eq!(check.rho, [None, None, None]);
        assert_eq!(check.misdated_by(), None);
    }

    #[test]
    fn utc_times_are_read_and_snapshots_after_midnight_recognised() {
        assert_eq!(utc_seconds_of_day("2013-04-28 00:00:00 UTC"), Some(0));
        assert_eq!(utc_seconds_of_day("2013-04-28T00:05:18Z"), Some(318));
        assert_eq!(utc_seconds_of_day("2013-04-28T23:29:55.250+00:00"), Some(84_595));
        assert_eq!(utc_seconds_of_day("2013-04-28 01:00 UTC"), Some(3600));
        assert_eq!(utc_seconds_of_day("2013-04-28"), None);
        assert_eq!(utc_seconds_of_day("2013-04-28 00:00:00"), None);
        assert_eq!(utc_seconds_of_day("2013-04-28 25:00:00 UTC"), None);
        assert!(is_snapshot_after_midnight("2013-04-28 00:00:00 UTC"));
        assert!(is_snapshot_after_midnight("2013-04-28 00:05:28 UTC"));
        assert!(!is_snapshot_after_midnight("2013-04-28 01:00:00 UTC"));
        assert!(!is_snapshot_after_midnight("2013-04-28 23:39:21 UTC"));
    }

    #[test]
    fn snapshot_day_puts_midnight_on_the_day_before() {
        let jan_2 = 1_704_153_600_000_i64;
        assert_eq!(snapshot_day(jan_2).map(|d| d.to_string()), Some("2024-01-01".into()));
        assert_eq!(snapshot_day(jan_2 + 3_599_999).map(|d| d.to_string()), Some("2024-01-01".into()));
        assert_eq!(snapshot_day(jan_2 + 3_600_000).map(|d| d.to_string()), Some("2024-01-02".into()));
    }
}
