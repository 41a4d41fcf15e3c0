//! A user CSV: any delimited text with a date column and a value column, such as a Yahoo, CoinGecko
//! or spreadsheet export.
//!
//! Design: the file is read into a table of cells borrowed from the body (one vector of cells for
//! the whole file, no allocation per row); this module only decides what the columns mean, in
//! the order below. A plain body (no quote, no lone `\r`: see [`super::scan`]) is split line by
//! line; any other, and any body the fast table fails on, is read again with the `csv` crate
//! (quotes, embedded delimiters and CRLF handled there), whose records are the reference for every
//! error and its line. The same column logic runs on both tables, so they cannot disagree on a
//! good body.
//!
//! 1. **Delimiter.** Comma, semicolon or tab, sniffed from the first ten lines: the first of tab,
//!    semicolon, comma that occurs the same (non-zero) number of times outside quotes on every
//!    sampled line wins. With a semicolon or a tab, a comma may be the decimal separator, so `1,5`
//!    reads as 1.5 (and `1.234,5` as 1234.5).
//! 2. **Header.** The first row is a header when none of its cells is a number or a date and every
//!    non-empty one contains a letter. Further rows of that kind right after it (the `Ticker` and
//!    `Date` rows of a multi-level yfinance export) are header rows too.
//! 3. **Date column.** The first column where most of the first 20 rows hold a date. Accepted:
//!    `YYYY-MM-DD` (optionally followed by a time, as in `2013-04-28 00:00:00 UTC`), `YYYY/MM/DD`,
//!    `MM/DD/YYYY` and `DD/MM/YYYY`, `DD.MM.YYYY`, and Unix timestamps of 13 (milliseconds) or 10
//!    (seconds) digits. Slash dates take one day/month order for the whole column: a first field
//!    above 12 means day first, a second field above 12 means month first. When no row decides,
//!    the file is refused with [`ParseErrorKind::AmbiguousDate`] rather than guessed; when rows
//!    decide both ways, with [`ParseErrorKind::BadDate`].
//! 4. **Value column.** With a header, the column named (case-insensitively, `_` and `-` read as
//!    spaces) like the requested `id`, else `value`, `close`, `price`, `adj close`,
//!    `close_price_usd`; otherwise the first numeric column after the date column. Other columns
//!    (`status`, `market_cap`, ...) are ignored.
//!
//! **Date convention.** A date column named `snapped_at` is CoinGecko's export: its stamps
//! (`2013-04-28 00:00:00 UTC`) are snapshots taken as the day before ended, so a stamp within the
//! first hour after midnight UTC is dated the day before, and of two snapshots of one day the
//! later wins (see [`crate::dating`]). Every other date is the day it
//! names: a file re-headed by someone else has no known convention, and the cross-file check of
//! [`crate::dataset::pick_freshest`] guards it.
//!
//! Missing values (empty, `.`, `-`, `NaN`, `null`, `NA`, `N/A`, `#N/A`, `none`) are skipped. A
//! quoted number with thousands separators (`"1,234.5"`) is accepted. The series id is `id` when
//! given, else the value column's header (unless it is one of the generic names above, which say
//! nothing about the series), else the source's file stem.
//!
//! Every row must have as many cells as the header (or the first row, without a header): otherwise
//! [`ParseErrorKind::WrongColumnCount`]. As in [`super::fred`], a failure on a last line that lacks
//! its newline is reported as [`ParseErrorKind::Truncated`]: the file was most likely cut there.

use super::{parse_number, reject_html, scan, stem, SeriesBuilder};
use crate::date::Date;
use crate::dating::is_snapshot_after_midnight;
use crate::error::{Location, ParseError, ParseErrorKind};
use crate::series::Series;

const EXPECTED_DATE: &str = "a date as YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY or a Unix \
                             timestamp (10 digits: seconds, 13: milliseconds)";
const ONE_ORDER: &str = "one day/month order in the whole date column (either DD/MM/YYYY or MM/DD/YYYY)";
/// Value column names that are preferred, normalised (see [`normalise`]), in order of preference.
const VALUE_NAMES: [&str; 5] = ["value", "close", "price", "adj close", "close price usd"];
/// The date column of CoinGecko's CSV export, normalised: its midnight-UTC stamps are snapshots.
const SNAPSHOT_COLUMN: &str = "snapped at";
/// Rows looked at to find the date column and the numeric columns.
const SAMPLE_ROWS: usize = 20;
/// Lines looked at to sniff the delimiter.
const SNIFF_LINES: usize = 10;

/// Parses a user CSV body (see the module docs for how columns are chosen).
pub fn parse(source: &str, body: &str, id: Option<&str>) -> Result<Series, ParseError> {
    reject_html(source, body, "CSV")?;
    let body = body.trim_start_matches('\u{feff}');
    let delimiter = sniff_delimiter(body);
    if scan::plain_body(body) {
        let (cells, spans) = plain_table(body, delimiter);
        if let Ok(series) = read_table(source, body, id, delimiter, &rows_of(&cells, &spans)) {
            return Ok(series);
        }
    }
    let records = super::csv_records(body, delimiter);
    let cells: Vec<&str> = records.iter().flat_map(|(_, record)| record.iter()).collect();
    let mut start = 0;
    let spans: Vec<Span> = records
        .iter()
        .map(|(line, record)| {
            start += record.len();
            Span { line: *line, start: start - record.len(), end: start }
        })
        .collect();
    read_table(source, body, id, delimiter, &rows_of(&cells, &spans))
}

/// Reads the series from the table's `rows` (the module docs say how).
fn read_table(
    source: &str,
    body: &str,
    id: Option<&str>,
    delimiter: u8,
    rows: &[Row<'_>],
) -> Result<Series, ParseError> {
    let decimal_comma = delimiter != b',';

    // A last line without its newline may have been cut mid-record; failures on it say so.
    // (A last line of blanks and delimiters is no record, so it cuts nothing.)
    let last_line = body.rsplit('\n').next().unwrap_or("");
    let holds_data = last_line.bytes().any(|b| !b.is_ascii_whitespace() && b != delimiter);
    let cut_line = if holds_data { rows.last().map(|r| r.line) } else { None };
    let fail = |line: usize, kind: ParseErrorKind| {
        let kind = if Some(line) == cut_line {
            ParseErrorKind::Truncated { what: format!("the last line ends mid-record ({kind})") }
        } else {
            kind
        };
        ParseError::new(source, Location::Line(line), kind)
    };
    if let Some(line) = cut_line {
        if last_line.matches('"').count() % 2 == 1 {
            return Err(ParseError::new(
                source,
                Location::Line(line),
                ParseErrorKind::Truncated { what: "the last line ends inside a quoted field".into() },
            ));
        }
    }

    let is_header = |row: &Row| looks_like_header(row.cells, decimal_comma);
    let header = rows.first().filter(|r| is_header(r));
    let data_start = match header {
        Some(_) => rows.iter().skip(1).position(|r| !is_header(r)).map_or(rows.len(), |n| n + 1),
        None => 0,
    };
    let data = rows.get(data_start..).unwrap_or(&[]);
    let Some(first) = data.first() else {
        let kind = if header.is_some() { ParseErrorKind::NoObservations } else { ParseErrorKind::Empty };
        return Err(ParseError::new(source, Location::Body, kind));
    };
    let width = header.unwrap_or(first).cells.len();
    if let Some(row) = data.iter().find(|r| r.cells.len() != width) {
        return Err(fail(
            row.line,
            ParseErrorKind::WrongColumnCount { expected: width, found: row.cells.len() },
        ));
    }

    let Some(date_column) = find_date_column(data, width) else {
        let value = first.cells.first().copied().unwrap_or("").to_string();
        return Err(fail(first.line, ParseErrorKind::BadDate { value, expected: EXPECTED_DATE }));
    };
    let order = day_month_order(data, date_column).map_err(|(line, kind)| fail(line, kind))?;
    let Some(value_column) = choose_value_column(header, data, date_column, width, id, decimal_comma) else {
        return Err(fail(first.line, ParseErrorKind::WrongColumnCount { expected: 2, found: width }));
    };
    let series_id = match (id, header.and_then(|h| h.cells.get(value_column).copied())) {
        (Some(id), _) => id.to_string(),
        (None, Some(name)) if !name.is_empty() && !VALUE_NAMES.contains(&normalise(name).as_str()) => {
            name.to_string()
        }
        _ => stem(source).to_string(),
    };

    // CoinGecko's export (`snapped_at`) stamps a day's close at the next midnight UTC.
    let snapshots =
        header.and_then(|h| h.cells.get(date_column)).is_some_and(|n| normalise(n) == SNAPSHOT_COLUMN);
    let mut builder = SeriesBuilder::with_capacity(source, data.len());
    let mut pending: Option<(Date, f64, usize)> = None;
    for row in data {
        let line = row.line;
        let date_text = row.cells.get(date_column).copied().unwrap_or("");
        let date = classify_date(date_text).and_then(|raw| raw.resolve(order)).ok_or_else(|| {
            fail(line, ParseErrorKind::BadDate { value: date_text.to_string(), expected: EXPECTED_DATE })
        })?;
        let date = if snapshots && is_snapshot_after_midnight(date_text) { date.add_days(-1) } else { date };
        let value_text = row.cells.get(value_column).copied().unwrap_or("");
        if is_missing(value_text) {
            if cut_line == Some(line) && value_text.is_empty() {
                return Err(fail(line, ParseErrorKind::NonNumeric { value: String::new() }));
            }
            continue;
        }
        let value = parse_value(value_text, decimal_comma)
            .ok_or_else(|| fail(line, ParseErrorKind::NonNumeric { value: value_text.to_string() }))?;
        if !value.is_finite() {
            return Err(fail(line, ParseErrorKind::NotFinite { value: value_text.to_string() }));
        }
        if snapshots {
            // Two snapshots of one day (`23:29:55`, then the next `00:00:00`): the later wins.
            if let Some((day, earlier, at)) = pending.filter(|p| p.0 != date) {
                builder.push(day, earlier, || Location::Line(at))?;
            }
            pending = Some((date, value, line));
            continue;
        }
        builder.push(date, value, || Location::Line(line))?;
    }
    if let Some((day, value, line)) = pending {
        builder.push(day, value, || Location::Line(line))?;
    }
    builder.finish(&series_id)
}

/// A non-blank record (its cells trimmed) and the 1-based line it starts on.
#[derive(Debug)]
struct Row<'t> {
    line: usize,
    cells: &'t [&'t str],
}

/// Where a row's cells sit in the table's one vector of cells.
#[derive(Debug)]
struct Span {
    line: usize,
    start: usize,
    end: usize,
}

fn rows_of<'t>(cells: &'t [&'t str], spans: &[Span]) -> Vec<Row<'t>> {
    spans.iter().map(|span| Row { line: span.line, cells: &cells[span.start..span.end] }).collect()
}

/// The table of a plain body (see [`scan::plain_body`]): the records the `csv` crate reads, cells
/// trimmed, blank records (nothing but blanks and delimiters) left out, as `csv_records` does.
fn plain_table(body: &str, delimiter: u8) -> (Vec<&str>, Vec<Span>) {
    let first = body.lines().next().unwrap_or("");
    let width = first.bytes().filter(|&b| b == delimiter).count() + 1;
    let rows = scan::estimated_rows(body);
    let mut cells = Vec::with_capacity(rows * width);
    let mut spans = Vec::with_capacity(rows);
    // One pass over the bytes: a delimiter ends a cell, a newline a cell and a row. Every cut is
    // at an ASCII byte, so at a char boundary.
    let bytes = body.as_bytes();
    let (mut line, mut row_start, mut cell_start) = (1, 0, 0);
    for at in 0..=bytes.len() {
        // The end of the body ends its last line (an empty one after a final newline is blank).
        let byte = bytes.get(at).copied().unwrap_or(b'\n');
        if byte == delimiter {
            cells.push(scan::trim(&body[cell_start..at]));
            cell_start = at + 1;
        } else if byte == b'\n' {
            // A `\r` before the newline ends the line, not the cell (a plain body has no other).
            let end = if at > cell_start && bytes[at - 1] == b'\r' { at - 1 } else { at };
            cells.push(scan::trim(&body[cell_start..end]));
            if cells[row_start..].iter().all(|c| c.is_empty()) {
                cells.truncate(row_start); // an empty line, or blanks and delimiters: no record
            } else {
                spans.push(Span { line, start: row_start, end: cells.len() });
            }
            row_start = cells.len();
            cell_start = at + 1;
            line += 1;
        }
    }
    (cells, spans)
}

/// The delimiter: the first of tab, semicolon and comma that occurs equally often (and at least
/// once) outside quotes on each of the first lines; else the first of them on the first line; else
/// a comma.
fn sniff_delimiter(body: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b'\t', b';', b','];
    // An unterminated last line may be cut short; leave it out unless it is all there is.
    let complete = match body.rsplit_once('\n') {
        Some((head, _)) if !body.ends_with('\n') && !head.trim().is_empty() => head,
        _ => body,
    };
    let sample: Vec<&str> = complete.lines().filter(|l| !l.trim().is_empty()).take(SNIFF_LINES).collect();
    let counts = |delimiter: u8| -> Vec<usize> {
        sample.iter().map(|line| count_outside_quotes(line, delimiter)).collect()
    };
    let consistent = CANDIDATES.into_iter().find(|&d| {
        let c = counts(d);
        c.first().is_some_and(|&n| n > 0 && c.iter().all(|&m| m == n))
    });
    consistent
        .or_else(|| {
            let first = sample.first().copied().unwrap_or("");
            CANDIDATES.into_iter().find(|&d| count_outside_quotes(first, d) > 0)
        })
        .unwrap_or(b',')
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

/// A header row: no cell is a number or a date, and every non-empty cell holds a letter.
fn looks_like_header(cells: &[&str], decimal_comma: bool) -> bool {
    let mut named = cells.iter().filter(|c| !c.is_empty()).peekable();
    named.peek().is_some()
        && named.all(|c| {
            c.chars().any(char::is_alphabetic)
                && parse_value(c, decimal_comma).is_none()
                && classify_date(c).is_none()
        })
}

/// The first column where at least half the sampled rows hold something that reads as a date, else
/// the first where any does (so that the rows that do not are reported as bad dates).
fn find_date_column(data: &[Row], width: usize) -> Option<usize> {
    let counts: Vec<(usize, usize)> = (0..width)
        .map(|column| {
            let cells = data.iter().take(SAMPLE_ROWS).filter_map(|r| r.cells.get(column).copied());
            let filled: Vec<&str> = cells.filter(|c| !c.is_empty()).collect();
            let dates =
                filled.iter().filter(|c| classify_date(c).is_some_and(|raw| raw.could_be_a_date())).count();
            (filled.len(), dates)
        })
        .collect();
    let majority = counts.iter().position(|&(filled, dates)| dates > 0 && dates * 2 >= filled);
    majority.or_else(|| counts.iter().position(|&(_, dates)| dates > 0))
}

/// Day/month order of slash dates, decided from the whole column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    DayFirst,
    MonthFirst,
}

/// The column's day/month order (`None` when it has no slash date), or the line and kind of the
/// error when no row decides it or rows decide it both ways.
fn day_month_order(data: &[Row], column: usize) -> Result<Option<Order>, (usize, ParseErrorKind)> {
    let mut day_first = false;
    let mut month_first = false;
    let mut undecided: Option<(usize, &str)> = None;
    for row in data {
        let text = row.cells.get(column).copied().unwrap_or("");
        if !text.as_bytes().contains(&b'/') {
            continue; // no slash date: spares reading every ISO date twice
        }
        let Some(RawDate::Slash { first, second, .. }) = classify_date(text) else { continue };
        match (first > 12, second > 12) {
            (true, false) => day_first = true,
            (false, true) => month_first = true,
            (false, false) => {
                undecided.get_or_insert((row.line, text));
            }
            (true, true) => {} // no order makes it a date; the row fails when it is read
        }
        if day_first && month_first {
            return Err((row.line, ParseErrorKind::BadDate { value: text.to_string(), expected: ONE_ORDER }));
        }
    }
    match (day_first, month_first, undecided) {
        (true, _, _) => Ok(Some(Order::DayFirst)),
        (_, true, _) => Ok(Some(Order::MonthFirst)),
        (false, false, Some((line, text))) => {
            Err((line, ParseErrorKind::AmbiguousDate { value: text.to_string() }))
        }
        (false, false, None) => Ok(None),
    }
}

/// A date cell as read, before the column's day/month order is known.
#[derive(Clone, Copy, Debug, PartialEq)]
enum RawDate {
    /// A date whose form says everything (ISO, `YYYY/MM/DD`, `DD.MM.YYYY`, a timestamp).
    Exact(Date),
    /// `a/b/YYYY`: day and month in an order the column decides.
    Slash { first: u32, second: u32, year: i32 },
}

impl RawDate {
    fn resolve(self, order: Option<Order>) -> Option<Date> {
        match (self, order) {
            (RawDate::Exact(date), _) => Some(date),
            (RawDate::Slash { first, second, year }, Some(Order::DayFirst)) => {
                Date::from_ymd(year, second, first)
            }
            (RawDate::Slash { first, second, year }, Some(Order::MonthFirst)) => {
                Date::from_ymd(year, first, second)
            }
            (RawDate::Slash { .. }, None) => None,
        }
    }

    fn could_be_a_date(self) -> bool {
        self.resolve(Some(Order::DayFirst)).is_some() || self.resolve(Some(Order::MonthFirst)).is_some()
    }
}

/// Reads a date cell's form; `None` when it is no accepted form (or an impossible day).
fn classify_date(text: &str) -> Option<RawDate> {
    let text = scan::trim(text);
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let number: i64 = text.parse().ok()?;
        let millis = match text.len() {
            13 => number,
            10 => number.checked_mul(1000)?,
            _ => return None,
        };
        return Date::from_unix_millis(millis).map(RawDate::Exact);
    }
    if let Some(date) = Date::parse_iso_bytes(text.as_bytes()) {
        return Some(RawDate::Exact(date));
    }
    // A time after the date (`01/02/2024 16:00`) is ignored, as for ISO dates.
    let day_part = text.split_once(' ').map_or(text, |(d, _)| d);
    if let Some([a, b, c]) = three_numbers(day_part, '/') {
        return match (a.len(), c.len()) {
            (4, 1..=2) if b.len() <= 2 => {
                Date::from_ymd(number(a)? as i32, number(b)?, number(c)?).map(RawDate::Exact)
            }
            (1..=2, 4) if b.len() <= 2 => {
                Some(RawDate::Slash { first: number(a)?, second: number(b)?, year: number(c)? as i32 })
            }
            _ => None,
        };
    }
    if let Some([day, month, year]) = three_numbers(day_part, '.') {
        if day.len() <= 2 && month.len() <= 2 && year.len() == 4 {
            return Date::from_ymd(number(year)? as i32, number(month)?, number(day)?).map(RawDate::Exact);
        }
    }
    None
}

/// Three non-empty runs of ASCII digits separated by `separator`.
fn three_numbers(text: &str, separator: char) -> Option<[&str; 3]> {
    let mut parts = text.split(separator);
    let fields = [parts.next()?, parts.next()?, parts.next()?];
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (parts.next().is_none() && fields.iter().all(|f| digits(f))).then_some(fields)
}

fn number(digits: &str) -> Option<u32> {
    digits.parse().ok()
}

/// The value column: a preferred name (with a header), else the first numeric column after the
/// date column (else before it), else any other column.
fn choose_value_column(
    header: Option<&Row>,
    data: &[Row],
    date_column: usize,
    width: usize,
    id: Option<&str>,
    decimal_comma: bool,
) -> Option<usize> {
    if let Some(header) = header {
        let names: Vec<String> = header.cells.iter().map(|name| normalise(name)).collect();
        let wanted = id.map(normalise).into_iter().chain(VALUE_NAMES.iter().map(|n| n.to_string()));
        for want in wanted {
            if let Some(column) = names.iter().enumerate().position(|(i, n)| i != date_column && *n == want) {
                return Some(column);
            }
        }
    }
    let numeric = |column: usize| {
        data.iter()
            .take(SAMPLE_ROWS)
            .filter_map(|r| r.cells.get(column))
            .find(|c| !is_missing(c))
            .is_some_and(|c| parse_value(c, decimal_comma).is_some())
    };
    let others = (date_column + 1..width).chain(0..date_column);
    others.clone().find(|&c| numeric(c)).or_else(|| others.clone().next())
}

/// A column name for comparison: lower case, `_` and `-` as spaces, runs of spaces as one.
fn normalise(name: &str) -> String {
    let spaced: String = name.chars().map(|c| if matches!(c, '_' | '-') { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A "no data" cell: empty, `.`, a dash (`-`, `–`, `—`), `NaN`, `null`, `NA`, `N/A`, `#N/A`,
/// `none` (any case).
pub(crate) fn is_missing(text: &str) -> bool {
    let t = scan::trim(text);
    if t.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false; // the usual number; no marker starts with a digit
    }
    t.is_empty()
        || [".", "-", "–", "—", "nan", "null", "na", "n/a", "#n/a", "none"]
            .iter()
            .any(|m| t.eq_ignore_ascii_case(m))
}

/// A number: plain (`-1.5e3`), with a decimal comma when `decimal_comma` (`1,5`, `1.234,5`), or
/// with thousands separators (`1,234.5`). With a decimal comma, a single comma is the decimal
/// point: `1,234` is 1.234 there.
pub(crate) fn parse_value(text: &str, decimal_comma: bool) -> Option<f64> {
    let t = scan::trim(text);
    if let Some(value) = parse_number(t) {
        return Some(value);
    }
    if !t.contains(',') {
        return None;
    }
    if decimal_comma && t.matches(',').count() == 1 && !t.contains('.') {
        return parse_number(&t.replacen(',', ".", 1));
    }
    if grouped(t, ',', '.') {
        return parse_number(&t.replace(',', ""));
    }
    if decimal_comma && grouped(t, '.', ',') {
        return parse_number(&t.replace('.', "").replacen(',', ".", 1));
    }
    None
}

/// True for `[sign]d{1,3}(<group>ddd)+[<decimal>d+]`, a number written with thousands separators.
fn grouped(text: &str, group: char, decimal: char) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (integer, fraction) = match unsigned.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    if fraction.is_some_and(|f| !digits(f)) {
        return false;
    }
    let mut groups = integer.split(group);
    let leading_ok = groups.next().is_some_and(|g| digits(g) && g.len() <= 3);
    let mut rest = groups.peekable();
    leading_ok && rest.peek().is_some() && rest.all(|g| digits(g) && g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Series {
        match parse("dir/sample.csv", body, None) {
            Ok(s) => s,
            Err(e) => panic!("expected a series, got {e}"),
        }
    }

    fn pairs(s: &Series) -> Vec<(String, f64)> {
        s.iter().map(|(d, v)| (d.to_string(), v)).collect()
    }

    fn fail(body: &str) -> (Location, ParseErrorKind) {
        let e = parse("t.csv", body, None).expect_err("should fail");
        (e.location, e.kind)
    }

    fn p(date: &str, value: f64) -> (String, f64) {
        (date.to_string(), value)
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("date,value\n2024-01-01,1\n"), b',');
        assert_eq!(sniff_delimiter("date;value\n2024-01-01;1,5\n2024-01-02;2\n"), b';');
        assert_eq!(sniff_delimiter("2024-01-01;1,5\n2024-01-02;2,5\n"), b';');
        assert_eq!(sniff_delimiter("date\tvalue\n2024-01-01\t1,5\n"), b'\t');
        assert_eq!(sniff_delimiter("date,value\n2024-01-01,\"1;5\"\n"), b',');
        assert_eq!(sniff_delimiter("date,value\n2024-01-01,1\n2024-01-0"), b',');
    }

    #[test]
    fn reads_numbers_in_local_spellings() {
        assert_eq!(parse_value("1,5", true), Some(1.5));
        assert_eq!(parse_value("1,5", false), None);
        assert_eq!(parse_value("1,234.5", false), Some(1234.5));
        assert_eq!(parse_value("-1,234,567", false), Some(-1_234_567.0));
        assert_eq!(parse_value("1.234,5", true), Some(1234.5));
        assert_eq!(parse_value("1,23,4", false), None);
        assert_eq!(parse_value("12,34.5", false), None);
        assert_eq!(parse_value("abc", true), None);
        assert!(is_missing(" NaN ") && is_missing("null") && is_missing("-") && is_missing("."));
    }

    #[test]
    fn reads_each_date_form() {
        let exact = |s: &str| classify_date(s).and_then(|r| r.resolve(None)).map(|d| d.to_string());
        assert_eq!(exact("2024-03-05"), Some("2024-03-05".into()));
        assert_eq!(exact("2013-04-28 00:00:00 UTC"), Some("2013-04-28".into()));
        assert_eq!(exact("2024/03/05"), Some("2024-03-05".into()));
        assert_eq!(exact("5.3.2024"), Some("2024-03-05".into()));
        assert_eq!(exact("1709596800000"), Some("2024-03-05".into()));
        assert_eq!(exact("1709596800"), Some("2024-03-05".into()));
        assert_eq!(exact("170959680"), None);
        assert_eq!(exact("2024-02-30"), None);
        assert_eq!(classify_date("03/05/2024"), Some(RawDate::Slash { first: 3, second: 5, year: 2024 }));
        assert_eq!(classify_date("3/5/24"), None);
        assert_eq!(classify_date("1/2/3/2024"), None);
        assert_eq!(classify_date("é/é/2024"), None);
    }

    #[test]
    fn reads_a_yahoo_export_with_many_columns() {
        let s = ok("Date,Open,High,Low,Close,Adj Close,Volume\n\
                    2024-01-02,10,11,9,10.5,10.4,100\n\
                    2024-01-03,10.5,12,10,11.5,11.4,120\n");
        assert_eq!(pairs(&s), vec![p("2024-01-02", 10.5), p("2024-01-03", 11.5)]);
        assert_eq!(s.id, "sample");
    }

    #[test]
    fn prefers_the_requested_column_then_generic_names() {
        let body = "date,market_cap,price,BTC\n2024-01-02,1000,10,20\n";
        assert_eq!(ok(body).values(), &[10.0]);
        let s = parse("x.csv", body, Some("btc")).expect("valid");
        assert_eq!((s.id.as_str(), s.values()), ("btc", &[20.0][..]));
        let s = ok("as_of,value,status\n2024-01-02,5,ok\n");
        assert_eq!((s.id.as_str(), s.values()), ("sample", &[5.0][..]));
        let s = ok("snapped_at,market_cap,total_volume\n1704153600000,1000,5\n");
        assert_eq!((s.id.as_str(), s.values()), ("market_cap", &[1000.0][..]));
        let s = ok("event_date,close_price_usd,market_cap_usd\n2024-01-02,7,1\n2024-01-03,\"\",2\n");
        assert_eq!(s.values(), &[7.0]);
    }

    #[test]
    fn finds_the_date_column_anywhere() {
        let s = ok("id,when,amount\nx,2024-01-02,3\nx,2024-01-03,4\n");
        assert_eq!(pairs(&s), vec![p("2024-01-02", 3.0), p("2024-01-03", 4.0)]);
        assert_eq!(s.id, "amount");
    }

    #[test]
    fn decides_day_month_order_from_the_column() {
        let us = ok("date,close\n01/02/2024,1\n01/13/2024,2\n");
        assert_eq!(pairs(&us), vec![p("2024-01-02", 1.0), p("2024-01-13", 2.0)]);
        let eu = ok("date,close\n01/02/2024,1\n13/02/2024,2\n");
        assert_eq!(pairs(&eu), vec![p("2024-02-01", 1.0), p("2024-02-13", 2.0)]);
        assert_eq!(
            fail("date,close\n01/02/2024,1\n02/02/2024,2\n"),
            (Location::Line(2), ParseErrorKind::AmbiguousDate { value: "01/02/2024".into() })
        );
        assert_eq!(
            fail("date,close\n13/01/2024,1\n01/14/2024,2\n"),
            (Location::Line(3), ParseErrorKind::BadDate { value: "01/14/2024".into(), expected: ONE_ORDER })
        );
    }

    #[test]
    fn skips_multi_level_yfinance_headers() {
        let s = ok("Price,Close,High,Low,Open,Volume\n\
                    Ticker,BNB-USD,BNB-USD,BNB-USD,BNB-USD,BNB-USD\n\
                    Date,,,,,\n\
                    2021-06-24,300.5,310,290,295,1000\n");
        assert_eq!(pairs(&s), vec![p("2021-06-24", 300.5)]);
    }

    #[test]
    fn reads_header_less_files_and_blank_lines() {
        let s = ok("2024-01-02,1\n\n2024-01-03,2\n   \n");
        assert_eq!(pairs(&s), vec![p("2024-01-02", 1.0), p("2024-01-03", 2.0)]);
        assert_eq!(s.id, "sample");
    }

    #[test]
    fn names_each_error_and_its_line() {
        assert_eq!(fail(""), (Location::Body, ParseErrorKind::Empty));
        assert_eq!(fail(",,\n"), (Location::Body, ParseErrorKind::Empty));
        assert_eq!(fail("date,value\n"), (Location::Body, ParseErrorKind::NoObservations));
        assert_eq!(fail("date,value\n2024-01-02,.\n"), (Location::Body, ParseErrorKind::NoObservations));
        assert!(matches!(fail("<!DOCTYPE html>").1, ParseErrorKind::Html { .. }));
        assert_eq!(
            fail("date,value\n2024-01-02,1\n2024-01-03,abc\n"),
            (Location::Line(3), ParseErrorKind::NonNumeric { value: "abc".into() })
        );
        assert_eq!(
            fail("date,value\n2024-01-02,1\n2024-01-03,inf\n"),
            (Location::Line(3), ParseErrorKind::NotFinite { value: "inf".into() })
        );
        assert!(matches!(
            fail("date,value\n2024-01-02,1\nlater,2\n"),
            (Location::Line(3), ParseErrorKind::BadDate { .. })
        ));
        assert!(matches!(fail("date,value\nsoon,1\n"), (Location::Line(2), ParseErrorKind::BadDate { .. })));
        assert!(matches!(fail("2024-13-01,1\n"), (Location::Line(1), ParseErrorKind::BadDate { .. })));
        assert!(matches!(
            fail("date,value\n2024-01-02,1\n2024-01-02,2\n"),
            (Location::Line(3), ParseErrorKind::DuplicateDate { .. })
        ));
        assert!(matches!(
            fail("date,value\n2024-01-02,1\n2024-01-01,2\n"),
            (Location::Line(3), ParseErrorKind::NotAscending { .. })
        ));
        assert_eq!(
            fail("date,value\n2024-01-02,1\n2024-01-03,2,3\n"),
            (Location::Line(3), ParseErrorKind::WrongColumnCount { expected: 2, found: 3 })
        );
        assert_eq!(
            fail("2024-01-02\n2024-01-03\n"),
            (Location::Line(1), ParseErrorKind::WrongColumnCount { expected: 2, found: 1 })
        );
        for cut in [
            "date,value\n2024-01-02,1\n2024-01-0",
            "date,value\n2024-01-02,1\n2024-01-03,",
            "date,value,x\n2024-01-02,1,1\n2024-01-03,2",
        ] {
            assert!(matches!(fail(cut), (Location::Line(3), ParseErrorKind::Truncated { .. })), "{cut:?}");
        }
        assert_eq!(
            fail("date,value\n2024-01-02,1\n2024-01-03,x\n,,"),
            (Location::Line(3), ParseErrorKind::NonNumeric { value: "x".into() })
        );
        assert!(matches!(
            fail("date,value\n2024-01-02,\"1,234"),
            (Location::Line(2), ParseErrorKind::Truncated { .. })
        ));
    }

    #[test]
    fn coingecko_exports_date_a_midnight_snapshot_the_day_before() {
        let export = "snapped_at,price,market_cap,total_volume\n\
                      2024-01-02 00:00:00 UTC,42000,1,1\n2024-01-03 00:00:00 UTC,43000,1,1\n";
        let s = parse("coingecko_btc-usd-max.csv", export, Some("BTC")).expect("valid");
        let days: Vec<String> = s.dates().iter().map(ToString::to_string).collect();
        assert_eq!(days, ["2024-01-01", "2024-01-02"]);
        // The same stamps under another header have no known convention: dated as written.
        let renamed = export.replace("snapped_at,price", "event_date,close_price_usd");
        let s = parse("renamed.csv", &renamed, Some("BTC")).expect("valid");
        assert_eq!(s.first().map(|(d, _)| d.to_string()), Some("2024-01-02".into()));
    }
}
