//! Vintages of a revised series: every value each observation had, and from when it was public.
//!
//! CPI, core PCE, M2, industrial production, the unemployment rate and real GDP are revised after
//! their first release (seasonal factors, benchmark revisions, late survey answers). A FRED CSV
//! holds only the latest vintage, so a model run "as of 2022-06-30" on it would use values nobody
//! saw on that day. FRED's real-time archive, ALFRED, keeps every vintage; this module reads it.
//!
//! # The vintage file: `vintages/<ID>.csv`
//!
//! The mirror writes one file per revised catalog series (those with `revised: true`) next to the
//! series' own `<ID>.csv`, in the series' **native units**:
//!
//! ```text
//! date,realtime_start,value
//! 2024-01-01,2024-02-13,308.417
//! 2024-01-01,2024-03-12,308.956
//! 2024-02-01,2024-03-12,310.326
//! ```
//!
//! - `date` is the observation date (`YYYY-MM-DD`), `realtime_start` the first day of the vintage
//!   in which the observation had `value`; a row says "from `realtime_start` on, until the next row
//!   of the same date, the public figure for `date` was `value`".
//! - Rows are sorted by `date`, then by `realtime_start`, and no pair repeats. A `realtime_start`
//!   before its observation date is refused (it would be a figure published before the period it
//!   measures: a swapped column).
//! - `.` or an empty value is a vintage in which the observation was missing; the row is skipped.
//!
//! Every failure is a [`ParseError`] at the file's line, like the other parsers. [`parse_alfred`]
//! reads the ALFRED API's answer (`GET /fred/series/observations?series_id=ID&realtime_start=
//! 1776-07-04&realtime_end=9999-12-31&file_type=json`), whose errors point at a JSON path; the
//! mirror turns it into the file above with [`Vintages::to_csv`].
//!
//! # First releases
//!
//! The model uses, for each observation, its **first release** ([`Vintages::first_release`]): the
//! value of its earliest vintage, public from that vintage's first day. Why first releases rather
//! than "the vintage in force on each date": a model run as of `D` must use what was public on `D`,
//! and over the history of a run the figure for a month must not change under the model's feet
//! (the 13-week changes and z-scores of the chain would otherwise mix vintages); the first release
//! is the one value that satisfies both, and it is what a person deciding on the day of a release
//! saw. Later revisions are never used, however late the as-of date.
//!
//! ALFRED's record of a series begins on some day (its earliest vintage in the file); the
//! observations already in that vintage were published earlier, on a day the file does not tell.
//! Their value is the earliest one known and [`FirstRelease::released`] is `None` for them: the
//! model keeps the catalog's publication lag for those, so that the history before the archive
//! starts is not withheld until the archive's first day.

use serde_json::Value;

use super::coingecko::{bad_json, describe, plain, read_json};
use super::{csv_records, parse_number, reject_html, stem};
use crate::date::Date;
use crate::error::{Location, ParseError, ParseErrorKind};
use crate::series::Series;

/// The header of a vintage file.
pub const HEADER: &str = "date,realtime_start,value";

const EXPECTED_DATE: &str = "YYYY-MM-DD";
const EXPECTED_REALTIME: &str = "a YYYY-MM-DD realtime_start on or after the observation date";

/// One row: the value observation `date` had in the vintage that began on `realtime_start`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VintageRow {
    /// The observation date.
    pub date: Date,
    /// The first day on which this value was the public one.
    pub realtime_start: Date,
    /// The value, in the series' native units.
    pub value: f64,
}

/// Every vintage of one series: rows sorted by date, then real-time start, no pair repeated.
#[derive(Clone, Debug, PartialEq)]
pub struct Vintages {
    id: String,
    rows: Vec<VintageRow>,
}

/// A series' first releases ([`Vintages::first_release`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FirstRelease {
    /// Each observation's first-release value, in native units.
    pub series: Series,
    /// Per observation of `series`: the day its first release became public, or `None` when it is
    /// already in the earliest vintage of the file (published before the record begins, on a day
    /// the file does not say).
    pub released: Vec<Option<Date>>,
}

impl Vintages {
    /// The series id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The rows, sorted by date, then real-time start.
    pub fn rows(&self) -> &[VintageRow] {
        &self.rows
    }

    /// The first day of the earliest vintage in the file.
    pub fn earliest_vintage(&self) -> Option<Date> {
        self.rows.iter().map(|r| r.realtime_start).min()
    }

    /// The first release of every observation (see the module docs).
    pub fn first_release(&self) -> FirstRelease {
        let earliest = self.earliest_vintage();
        let mut dates = Vec::new();
        let mut values = Vec::new();
        let mut released = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            // Rows are sorted by (date, realtime_start): a date's first row is its first release.
            if i > 0 && self.rows[i - 1].date == row.date {
                continue;
            }
            dates.push(row.date);
            values.push(row.value);
            released.push((Some(row.realtime_start) != earliest).then_some(row.realtime_start));
        }
        // One row per distinct, ascending date with a finite value (checked when the rows were
        // read), so `new` cannot refuse; the fallback is never taken.
        let series = Series::new(self.id.clone(), dates, values).unwrap_or_default();
        FirstRelease { series, released }
    }

    /// The vintage file's text (see the module docs), values in native units.
    pub fn to_csv(&self) -> String {
        let mut text = format!("{HEADER}\n");
        for row in &self.rows {
            text.push_str(&format!("{},{},{}\n", row.date, row.realtime_start, row.value));
        }
        text
    }
}

/// Enforces the order of the rows and builds [`Vintages`].
struct VintageBuilder<'a> {
    source: &'a str,
    rows: Vec<VintageRow>,
}

impl<'a> VintageBuilder<'a> {
    fn push(&mut self, row: VintageRow, location: impl FnOnce() -> Location) -> Result<(), ParseError> {
        if let Some(previous) = self.rows.last() {
            let key = (row.date, row.realtime_start);
            let previous_key = (previous.date, previous.realtime_start);
            if key == previous_key {
                return Err(ParseError::new(
                    self.source,
                    location(),
                    ParseErrorKind::DuplicateVintage { date: row.date, realtime_start: row.realtime_start },
                ));
            }
            if key < previous_key {
                let (date, previous) = if row.date == previous.date {
                    (row.realtime_start, previous.realtime_start)
                } else {
                    (row.date, previous.date)
                };
                return Err(ParseError::new(
                    self.source,
                    location(),
                    ParseErrorKind::NotAscending { date, previous },
                ));
            }
        }
        if !row.value.is_finite() {
            return Err(ParseError::new(
                self.source,
                location(),
                ParseErrorKind::NotFinite { value: row.value.to_string() },
            ));
        }
        self.rows.push(row);
        Ok(())
    }

    fn finish(self, id: &str) -> Result<Vintages, ParseError> {
        if self.rows.is_empty() {
            return Err(ParseError::new(self.source, Location::Body, ParseErrorKind::NoObservations));
        }
        Ok(Vintages { id: id.to_string(), rows: self.rows })
    }
}

/// Parses a vintage file (see the module docs). The series id is `id` when given, else the
/// source's file stem.
pub fn parse(source: &str, body: &str, id: Option<&str>) -> Result<Vintages, ParseError> {
    reject_html(source, body, "a vintage CSV")?;
    let body = body.trim_start_matches('\u{feff}');
    let records = csv_records(body, b',');
    let Some((header_line, header)) = records.first() else {
        return Err(ParseError::new(source, Location::Body, ParseErrorKind::Empty));
    };
    let names: Vec<String> = header.iter().map(str::to_ascii_lowercase).collect();
    if names != ["date", "realtime_start", "value"] {
        return Err(ParseError::new(
            source,
            Location::Line(*header_line),
            ParseErrorKind::BadHeader {
                found: header.iter().collect::<Vec<_>>().join(","),
                expected: format!("`{HEADER}`"),
            },
        ));
    }
    // A last line without its newline that fails to read was cut short: say so.
    let cut_line = (!body.ends_with('\n')).then(|| records.last().map(|(line, _)| *line)).flatten();
    let mut builder = VintageBuilder { source, rows: Vec::new() };
    for (line, record) in records.iter().skip(1) {
        let line = *line;
        let fail = |kind: ParseErrorKind| {
            let kind = if cut_line == Some(line) {
                ParseErrorKind::Truncated { what: format!("the last line ends mid-record ({kind})") }
            } else {
                kind
            };
            ParseError::new(source, Location::Line(line), kind)
        };
        if record.len() != 3 {
            return Err(fail(ParseErrorKind::WrongColumnCount { expected: 3, found: record.len() }));
        }
        let cell = |i: usize| record.get(i).unwrap_or("");
        let row = read_row(cell(0), cell(1), cell(2)).map_err(fail)?;
        if let Some(row) = row {
            builder.push(row, || Location::Line(line))?;
        }
    }
    builder.finish(id.unwrap_or_else(|| stem(source)))
}

/// Reads one row's cells; `None` for a missing value (`.` or empty).
fn read_row(date: &str, realtime_start: &str, value: &str) -> Result<Option<VintageRow>, ParseErrorKind> {
    let date = Date::parse_iso(date)
        .ok_or_else(|| ParseErrorKind::BadDate { value: date.to_string(), expected: EXPECTED_DATE })?;
    let realtime_start = Date::parse_iso(realtime_start).filter(|r| *r >= date).ok_or_else(|| {
        ParseErrorKind::BadDate { value: realtime_start.to_string(), expected: EXPECTED_REALTIME }
    })?;
    if value.is_empty() || value == "." {
        return Ok(None);
    }
    let value = parse_number(value).ok_or_else(|| ParseErrorKind::NonNumeric { value: value.to_string() })?;
    Ok(Some(VintageRow { date, realtime_start, value }))
}

/// Parses the ALFRED API's answer: `{"count": n, "observations": [{"realtime_start": "...",
/// "realtime_end": "...", "date": "...", "value": "..."}, ...]}` (`"."` = missing). Rows may come
/// in any order and are sorted; a repeated `(date, realtime_start)` is refused. An API error object
/// (`{"error_code": 400, "error_message": "..."}`, e.g. a bad API key) is
/// [`ParseErrorKind::BadJson`] naming it, and an answer with fewer observations than its `count`
/// (a page of a longer answer) is [`ParseErrorKind::Truncated`]. `source` must not contain the API
/// key: it is quoted in errors.
pub fn parse_alfred(source: &str, body: &str, id: &str) -> Result<Vintages, ParseError> {
    let root = read_json(source, body, "ALFRED observations JSON")?;
    if let Some(message) = root.get("error_message") {
        let code = root.get("error_code").map(plain).unwrap_or_default();
        return Err(bad_json(
            source,
            "$",
            format!("the API sent an error object instead of data: code {code}: {}", plain(message)),
        ));
    }
    let Some(observations) = root.get("observations").and_then(Value::as_array) else {
        return Err(bad_json(
            source,
            "$",
            format!("expected an object with an `observations` array, found {}", describe(&root)),
        ));
    };
    if let Some(count) = root.get("count").and_then(Value::as_u64) {
        if count > observations.len() as u64 {
            return Err(ParseError::new(
                source,
                Location::JsonPath("$.observations".into()),
                ParseErrorKind::Truncated {
                    what: format!("the answer holds {} of {count} observations", observations.len()),
                },
            ));
        }
    }
    let mut rows = Vec::with_capacity(observations.len());
    for (i, observation) in observations.iter().enumerate() {
        let text = |key: &str| -> Result<&str, ParseError> {
            observation.get(key).and_then(Value::as_str).ok_or_else(|| {
                let found = observation.get(key).map_or_else(|| "nothing".to_string(), describe);
                bad_json(
                    source,
                    &format!("$.observations[{i}].{key}"),
                    format!("expected a string, found {found}"),
                )
            })
        };
        let (date, realtime_start, value) = (text("date")?, text("realtime_start")?, text("value")?);
        let at = |key: &str| Location::JsonPath(format!("$.observations[{i}].{key}"));
        let row = read_row(date, realtime_start, value).map_err(|kind| {
            let key = match kind {
                ParseErrorKind::BadDate { expected: EXPECTED_DATE, .. } => "date",
                ParseErrorKind::BadDate { .. } => "realtime_start",
                _ => "value",
            };
            ParseError::new(source, at(key), kind)
        })?;
        if let Some(row) = row {
            rows.push((i, row));
        }
    }
    rows.sort_by_key(|(_, r)| (r.date, r.realtime_start));
    let mut builder = VintageBuilder { source, rows: Vec::with_capacity(rows.len()) };
    for (i, row) in rows {
        builder.push(row, || Location::JsonPath(format!("$.observations[{i}]")))?;
    }
    builder.finish(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("test date")
    }

    fn error(body: &str) -> (Location, ParseErrorKind) {
        let e = parse("vintages/CPIAUCSL.csv", body, None).expect_err("should fail");
        (e.location, e.kind)
    }

    const GOOD: &str = "date,realtime_start,value\n\
                        2023-12-01,2024-01-11,99\n\
                        2024-01-01,2024-02-20,100\n\
                        2024-01-01,2024-03-12,105\n\
                        2024-02-01,2024-03-12,.\n\
                        2024-02-01,2024-04-10,101.5\n";

    #[test]
    fn reads_a_good_file_and_its_first_releases() {
        let v = parse("vintages/CPIAUCSL.csv", GOOD, None).expect("valid");
        assert_eq!(v.id(), "CPIAUCSL");
        assert_eq!(v.rows().len(), 4, "the missing vintage is skipped");
        assert_eq!(v.earliest_vintage(), Some(d("2024-01-11")));
        let first = v.first_release();
        assert_eq!(first.series.dates(), &[d("2023-12-01"), d("2024-01-01"), d("2024-02-01")]);
        assert_eq!(first.series.values(), &[99.0, 100.0, 101.5]);
        // December is in the earliest vintage: its own release date is not in the file.
        assert_eq!(first.released, vec![None, Some(d("2024-02-20")), Some(d("2024-04-10"))]);
        // Written back, it reads the same (without the missing row).
        let again = parse("x.csv", &v.to_csv(), Some("CPIAUCSL")).expect("round trip");
        assert_eq!(again, v);
        // CRLF, a BOM and an upper-case header are fine.
        let crlf = "\u{feff}DATE,REALTIME_START,VALUE\r\n2024-01-01,2024-02-13,1\r\n";
        assert_eq!(parse("a.csv", crlf, Some("A")).expect("valid").rows().len(), 1);
    }

    #[test]
    fn names_each_error_and_its_line() {
        assert_eq!(error(""), (Location::Body, ParseErrorKind::Empty));
        assert!(matches!(
            error("<!DOCTYPE html><html>429</html>"),
            (Location::Line(1), ParseErrorKind::Html { .. })
        ));
        assert!(matches!(
            error("observation_date,CPIAUCSL\n2024-01-01,1\n"),
            (Location::Line(1), ParseErrorKind::BadHeader { .. })
        ));
        assert_eq!(error("date,realtime_start,value\n"), (Location::Body, ParseErrorKind::NoObservations));
        assert_eq!(
            error("date,realtime_start,value\n2024-01-01,2024-02-13,.\n"),
            (Location::Body, ParseErrorKind::NoObservations)
        );
        assert_eq!(
            error("date,realtime_start,value\n2024-01-01,2024-02-13,1\n2024-02-01,2024-03-12,abc\n"),
            (Location::Line(3), ParseErrorKind::NonNumeric { value: "abc".into() })
        );
        assert_eq!(
            error("date,realtime_start,value\n2024-01-01,2024-02-13,NaN\n"),
            (Location::Line(2), ParseErrorKind::NotFinite { value: "NaN".into() })
        );
        assert_eq!(
            error("date,realtime_start,value\n2024-13-01,2024-02-13,1\n"),
            (
                Location::Line(2),
                ParseErrorKind::BadDate { value: "2024-13-01".into(), expected: EXPECTED_DATE }
            )
        );
        assert_eq!(
            error("date,realtime_start,value\n2024-01-01,soon,1\n"),
            (
                Location::Line(2),
                ParseErrorKind::BadDate { value: "soon".into(), expected: EXPECTED_REALTIME }
            )
        );
        // Published before the month it measures: the columns are swapped.
        assert_eq!(
            error("date,realtime_start,value\n2024-02-13,2024-01-01,1\n"),
            (
                Location::Line(2),
                ParseErrorKind::BadDate { value: "2024-01-01".into(), expected: EXPECTED_REALTIME }
            )
        );
        assert_eq!(
            error("date,realtime_start,value\n2024-01-01,2024-02-13,1\n2024-01-01,2024-02-13,2\n"),
            (
                Location::Line(3),
                ParseErrorKind::DuplicateVintage { date: d("2024-01-01"), realtime_start: d("2024-02-13") }
            )
        );
        assert_eq!(
            error("date,realtime_start,value\n2024-02-01,2024-03-12,1\n2024-01-01,2024-02-13,2\n"),
            (
                Location::Line(3),
                ParseErrorKind::NotAscending { date: d("2024-01-01"), previous: d("2024-02-01") }
            )
        );
        assert_eq!(
            error("date,realtime_start,value\n2024-01-01,2024-03-12,1\n2024-01-01,2024-02-13,2\n"),
            (
                Location::Line(3),
                ParseErrorKind::NotAscending { date: d("2024-02-13"), previous: d("2024-03-12") }
            )
        );
        assert_eq!(
            error("date,realtime_start,value\n2024-01-01,2024-02-13\n"),
            (Location::Line(2), ParseErrorKind::WrongColumnCount { expected: 3, found: 2 })
        );
        assert!(matches!(
            error("date,realtime_start,value\n2024-01-01,2024-02-13,1\n2024-02-01,2024-03-1"),
            (Location::Line(3), ParseErrorKind::Truncated { .. })
        ));
    }

    #[test]
    fn reads_the_alfred_answer_in_any_order() {
        let body = r#"{"realtime_start":"1776-07-04","realtime_end":"9999-12-31","count":4,"offset":0,
            "limit":100000,"observations":[
            {"realtime_start":"2024-03-12","realtime_end":"9999-12-31","date":"2024-01-01","value":"105"},
            {"realtime_start":"2024-02-20","realtime_end":"2024-03-11","date":"2024-01-01","value":"100"},
            {"realtime_start":"2024-01-11","realtime_end":"9999-12-31","date":"2023-12-01","value":"99"},
            {"realtime_start":"2024-03-12","realtime_end":"9999-12-31","date":"2024-02-01","value":"."}]}"#;
        let v = parse_alfred("alfred:CPIAUCSL", body, "CPIAUCSL").expect("valid");
        assert_eq!(v.rows().len(), 3);
        assert_eq!(v.first_release().series.values(), &[99.0, 100.0]);
        assert_eq!(v.to_csv(), "date,realtime_start,value\n2023-12-01,2024-01-11,99\n2024-01-01,2024-02-20,100\n2024-01-01,2024-03-12,105\n");

        let e = parse_alfred("s", r#"{"error_code":400,"error_message":"Bad Request. The value for variable api_key is not registered."}"#, "X")
            .expect_err("an error object");
        assert!(
            matches!(&e.kind, ParseErrorKind::BadJson { what } if what.contains("code 400: Bad Request")),
            "{e}"
        );
        let e = parse_alfred(
            "s",
            r#"{"observations":[{"date":"2024-01-01","realtime_start":"2024-02-13","value":"x"}]}"#,
            "X",
        )
        .expect_err("non-numeric");
        assert_eq!(e.location, Location::JsonPath("$.observations[0].value".into()));
        let e = parse_alfred("s", r#"{"observations":[{"date":"2024-01-01","value":"1"}]}"#, "X")
            .expect_err("no start");
        assert_eq!(e.location, Location::JsonPath("$.observations[0].realtime_start".into()));
        let e = parse_alfred(
            "s",
            r#"{"count":2,"observations":[{"date":"2024-01-01","realtime_start":"2024-02-13","value":"1"}]}"#,
            "X",
        )
        .expect_err("a page of a longer answer");
        assert!(matches!(e.kind, ParseErrorKind::Truncated { .. }), "{e}");
        let e = parse_alfred(
            "s",
            r#"{"observations":[{"date":"2024-01-01","realtime_start":"2024-02-13","value":"1"},"#,
            "X",
        )
        .expect_err("cut short");
        assert!(matches!(e.kind, ParseErrorKind::Truncated { .. }), "{e}");
        let e = parse_alfred("s", "<html><body>503</body></html>", "X").expect_err("html");
        assert!(matches!(e.kind, ParseErrorKind::Html { .. }), "{e}");
    }
}
