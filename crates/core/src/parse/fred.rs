//! FRED CSV: `observation_date,<ID>` (current downloads) or `DATE,<ID>` (older ones), then
//! `YYYY-MM-DD,value` rows. `.` or an empty cell is a missing observation and is skipped. Copies
//! saved through the FRED API may name the columns `date,value`; those are accepted too.
//!
//! Design: two readers that agree. The fast one ([`read_plain`]) scans a plain body (no quote,
//! no lone `\r`: see [`super::scan`]) line by line, cells borrowed from the body, dates and
//! numbers read from bytes, the vectors sized once from the body's newline count. It gives up on
//! anything unusual, and on every error, without saying why; the general one ([`read_records`],
//! [`super::records`]: RFC 4180 records) then reads the body again and is the reference for every error, its
//! kind and its line. So the fast reader only has to be right about good bodies, and the errors
//! stay exactly what they were.

use super::{parse_number, reject_html, scan, stem, SeriesBuilder};
use crate::date::{Date, IsoDates};
use crate::error::{Location, ParseError, ParseErrorKind};
use crate::series::Series;

const EXPECTED_HEADER: &str = "`observation_date,<ID>` or `DATE,<ID>`";

/// Parses a FRED CSV body. The series id is `id` when given, else the header's value column
/// (unless it is the generic `value`), else the source's file stem.
pub fn parse(source: &str, body: &str, id: Option<&str>) -> Result<Series, ParseError> {
    reject_html(source, body, "FRED CSV")?;
    let body = body.trim_start_matches('\u{feff}');
    if scan::plain_body(body) {
        if let Some(series) = read_plain(source, body, id) {
            return Ok(series);
        }
    }
    read_records(source, body, id)
}

/// The series id: `id` when given, else the header's value column unless it is the generic
/// `value`, else the source's file stem.
fn series_id(source: &str, column: &str, id: Option<&str>) -> String {
    match id {
        Some(id) => id.to_string(),
        None if !column.is_empty() && !column.eq_ignore_ascii_case("value") => column.to_string(),
        None => stem(source).to_string(),
    }
}

/// The fast reader of a plain body; `None` on anything it does not read exactly as
/// [`read_records`] would (including every error, which [`read_records`] then names).
fn read_plain(source: &str, body: &str, id: Option<&str>) -> Option<Series> {
    let mut lines = scan::lines(body);
    let header = loop {
        match lines.next()? {
            (_, "", _) => continue, // `csv` skips empty lines
            (_, header, _) => break header,
        }
    };
    let (date_name, column) = scan::split_once(header, b',')?;
    let column = scan::trim(column);
    let date_name = scan::trim(date_name);
    if column.contains(',')
        || !(date_name.eq_ignore_ascii_case("observation_date") || date_name.eq_ignore_ascii_case("date"))
    {
        return None;
    }
    let mut builder = SeriesBuilder::with_capacity(source, scan::estimated_rows(body));
    let mut dates = IsoDates::default();
    let b = body.as_bytes();
    let mut pos = body.len() - lines.remainder().len();
    while pos < b.len() {
        // The usual row, read in one pass: `YYYY-MM-DD,<plain decimal or . or nothing>\n`.
        if let Some((date, value, next)) = usual_row(b, pos) {
            if let Some(date) = dates.read(date) {
                if let Some(value) = value {
                    builder.push(date, value, || Location::Body).ok()?;
                }
                pos = next;
                continue;
            }
        }
        // Any other line: cut at its newline, cells trimmed.
        let (end, cut) = match b[pos..].iter().position(|&c| c == b'\n') {
            Some(n) => (pos + n, false),
            None => (b.len(), true),
        };
        let line = match &b[pos..end] {
            [line @ .., b'\r'] => line,
            line => line,
        };
        pos = end + 1;
        if line.is_empty() {
            continue; // `csv` skips empty lines
        }
        let Some(comma) = line.iter().position(|&c| c == b',') else {
            if scan::trim_bytes(line)?.is_empty() {
                continue; // a line of blanks
            }
            return None;
        };
        let date = dates.read(scan::trim_bytes(&line[..comma])?)?;
        let value = match scan::trim_bytes(&line[comma + 1..])? {
            // An empty cell on a last line without its newline may be a cut value: an error.
            [] if cut => return None,
            [] | [b'.'] => continue,
            // A second comma (a third cell) fails `str::parse`, as it should.
            cell => match scan::plain_decimal(cell) {
                Some(value) => value,
                None => parse_number(std::str::from_utf8(cell).ok()?)?,
            },
        };
        builder.push(date, value, || Location::Body).ok()?;
    }
    builder.finish(&series_id(source, column, id)).ok()
}

/// The row at `pos` when it has the usual shape: ten bytes of date (no blank to trim: a date starts
/// and ends with a digit), a comma, a plain decimal, `.` or nothing (nothing to trim either), and
/// its line end (`\n` or `\r\n`, so the line is not a cut last one). Returns the date's bytes,
/// the value (`None` when missing) and where the next line starts.
#[inline]
fn usual_row(b: &[u8], pos: usize) -> Option<(&[u8], Option<f64>, usize)> {
    let row = b.get(pos..pos + 11)?;
    if row[10] != b',' {
        return None;
    }
    let cell = &b[pos + 11..];
    let (value, used) = match cell.first() {
        Some(b'\n' | b'\r') => (None, 0),
        Some(b'.') if matches!(cell.get(1), Some(b'\n' | b'\r')) => (None, 1),
        _ => scan::decimal_prefix(cell).map(|(value, used)| (Some(value), used))?,
    };
    let next = match (cell.get(used), cell.get(used + 1)) {
        (Some(b'\n'), _) => used + 1,
        (Some(b'\r'), Some(b'\n')) => used + 2,
        _ => return None,
    };
    Some((&row[..10], value, pos + 11 + next))
}

/// The general reader ([`super::records`], the `csv` crate's records): any body, and the reference for every error.
fn read_records(source: &str, body: &str, id: Option<&str>) -> Result<Series, ParseError> {
    let ends_cleanly = body.ends_with('\n');
    let total_lines = body.lines().count();

    let mut records = super::records::records(body, b',').into_iter();
    let Some((_, header)) = records.next() else {
        return Err(ParseError::new(source, Location::Body, ParseErrorKind::Empty));
    };
    let first = header.get(0).unwrap_or("").to_ascii_lowercase();
    if header.len() != 2 || !matches!(first.as_str(), "observation_date" | "date") {
        return Err(ParseError::new(
            source,
            Location::Line(1),
            ParseErrorKind::BadHeader {
                found: header.iter().collect::<Vec<_>>().join(","),
                expected: EXPECTED_HEADER.to_string(),
            },
        ));
    }
    let series_id = series_id(source, header.get(1).unwrap_or(""), id);

    let mut builder = SeriesBuilder::new(source);
    for (line, record) in records {
        let last_line_cut = !ends_cleanly && line == total_lines;
        let fail = |kind: ParseErrorKind| {
            let kind = if last_line_cut {
                ParseErrorKind::Truncated { what: format!("the last line ends mid-record ({kind})") }
            } else {
                kind
            };
            ParseError::new(source, Location::Line(line), kind)
        };
        if record.len() == 1 && record.get(0) == Some("") {
            continue; // a blank line
        }
        if record.len() != 2 {
            return Err(fail(ParseErrorKind::WrongColumnCount { expected: 2, found: record.len() }));
        }
        let date_text = record.get(0).unwrap_or("");
        let date = Date::parse_iso(date_text).ok_or_else(|| {
            fail(ParseErrorKind::BadDate { value: date_text.to_string(), expected: "YYYY-MM-DD" })
        })?;
        let value_text = record.get(1).unwrap_or("");
        if value_text.is_empty() || value_text == "." {
            if last_line_cut && value_text.is_empty() {
                return Err(fail(ParseErrorKind::NonNumeric { value: String::new() }));
            }
            continue;
        }
        let value = parse_number(value_text)
            .ok_or_else(|| fail(ParseErrorKind::NonNumeric { value: value_text.to_string() }))?;
        if !value.is_finite() {
            return Err(fail(ParseErrorKind::NotFinite { value: value_text.to_string() }));
        }
        builder.push(date, value, || Location::Line(line))?;
    }
    builder.finish(&series_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(body: &str) -> (Location, ParseErrorKind) {
        let e = parse("t.csv", body, None).expect_err("should fail");
        (e.location, e.kind)
    }

    #[test]
    fn parses_both_headers_and_skips_missing() {
        let s = parse(
            "x.csv",
            "observation_date,WALCL\n2020-01-01,1.5\n2020-01-08,.\n2020-01-15,\n2020-01-22,2\n",
            None,
        )
        .expect("valid");
        assert_eq!(s.id, "WALCL");
        assert_eq!(s.values(), &[1.5, 2.0]);
        let s = parse("DFF.csv", "DATE,DFF\r\n2020-01-01,1.5\r\n", None).expect("valid");
        assert_eq!(s.id, "DFF");
        let s = parse("data/DGS2.csv", "date,value\n2020-01-01,1.5\n", None).expect("valid");
        assert_eq!(s.id, "DGS2");
    }

    #[test]
    fn names_each_error_and_its_line() {
        assert_eq!(kind(""), (Location::Body, ParseErrorKind::Empty));
        assert!(matches!(kind("<!DOCTYPE html><html>429</html>").1, ParseErrorKind::Html { .. }));
        assert!(matches!(kind("when,what\n2020-01-01,1\n").1, ParseErrorKind::BadHeader { .. }));
        assert_eq!(
            kind("DATE,X\n2020-01-01,1\n2020-01-02,abc\n"),
            (Location::Line(3), ParseErrorKind::NonNumeric { value: "abc".into() })
        );
        assert!(matches!(
            kind("DATE,X\n2020-13-01,1\n"),
            (Location::Line(2), ParseErrorKind::BadDate { .. })
        ));
        assert!(matches!(
            kind("DATE,X\n2020-01-02,1\n2020-01-02,1\n"),
            (Location::Line(3), ParseErrorKind::DuplicateDate { .. })
        ));
        assert!(matches!(
            kind("DATE,X\n2020-01-02,1\n2020-01-01,1\n"),
            (Location::Line(3), ParseErrorKind::NotAscending { .. })
        ));
        assert!(matches!(
            kind("DATE,X\n2020-01-02,1,4\n"),
            (Location::Line(2), ParseErrorKind::WrongColumnCount { expected: 2, found: 3 })
        ));
        assert!(matches!(
            kind("DATE,X\n2020-01-02,1\n2020-01-0"),
            (Location::Line(3), ParseErrorKind::Truncated { .. })
        ));
        assert_eq!(kind("DATE,X\n2020-01-02,.\n"), (Location::Body, ParseErrorKind::NoObservations));
    }
}
