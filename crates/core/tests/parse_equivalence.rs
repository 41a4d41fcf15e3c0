//! The fast CSV readers of `parse::fred` and `parse::user_csv` against the readers they replaced
//! (issue 19): on random bodies, both give the same series, bit for bit, or the same error at the
//! same place. The old readers are kept here, verbatim, as the reference, and only here.
//!
//! The bodies are built from the pieces that make CSV hard: BOMs, CRLF and lone CR, blank lines
//! and lines of blanks, `.` and empty cells, quotes, spaces and tabs around cells, odd numbers
//! (`+1`, `1e3`, `-0`, `.5`, long digit runs, `inf`), bad and repeated dates, extra cells, and a
//! last line cut anywhere.

use proptest::prelude::*;
use tideline_core::parse::{fred, user_csv};
use tideline_core::{ParseError, Series};

/// The readers as they were before the fast paths, the reference of this test.
#[allow(dead_code)]
mod reference {
    /// What the old readers shared from `parse/mod.rs`.
    pub mod common {
        use tideline_core::{Location, ParseError, ParseErrorKind};

        /// The non-blank records of a delimited body (quotes, embedded delimiters and CRLF handled by the
        /// `csv` crate; cells trimmed; rows of any width) with the 1-based line each starts on. A record
        /// the reader cannot read is [`ParseErrorKind::Truncated`] at its line.
        pub fn csv_records(
            source: &str,
            body: &str,
            delimiter: u8,
        ) -> Result<Vec<(usize, csv::StringRecord)>, ParseError> {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .trim(csv::Trim::All)
                .delimiter(delimiter)
                .from_reader(body.as_bytes());
            let mut rows = Vec::new();
            for record in reader.records() {
                let record = record.map_err(|e| {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    ParseError::new(
                        source,
                        Location::Line(line),
                        ParseErrorKind::Truncated { what: e.to_string() },
                    )
                })?;
                if record.iter().all(str::is_empty) {
                    continue; // a blank line, or one of delimiters only
                }
                let line = record.position().map_or(0, |p| p.line() as usize);
                rows.push((line, record));
            }
            Ok(rows)
        }

        /// Parses a decimal number; `None` when it is not one.
        pub fn parse_number(text: &str) -> Option<f64> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            t.parse::<f64>().ok()
        }
    }

    /// The old `parse/fred.rs`.
    pub mod fred {
        use super::common::parse_number;
        use tideline_core::parse::{reject_html, stem, SeriesBuilder};
        use tideline_core::{Date, Location, ParseError, ParseErrorKind, Series};

        const EXPECTED_HEADER: &str = "`observation_date,<ID>` or `DATE,<ID>`";

        /// Parses a FRED CSV body. The series id is `id` when given, else the header's value column
        /// (unless it is the generic `value`), else the source's file stem.
        /// Parses a FRED CSV body. The series id is `id` when given, else the header's value column
        /// (unless it is the generic `value`), else the source's file stem.
        pub fn parse(source: &str, body: &str, id: Option<&str>) -> Result<Series, ParseError> {
            reject_html(source, body, "FRED CSV")?;
            let body = body.trim_start_matches('\u{feff}');
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .trim(csv::Trim::All)
                .from_reader(body.as_bytes());
            let ends_cleanly = body.ends_with('\n');
            let total_lines = body.lines().count();

            let mut records = reader.records();
            let header = match records.next() {
                Some(Ok(h)) => h,
                Some(Err(e)) => return Err(csv_error(source, &e)),
                None => return Err(ParseError::new(source, Location::Body, ParseErrorKind::Empty)),
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
            let column = header.get(1).unwrap_or("");
            let series_id = match id {
                Some(id) => id.to_string(),
                None if !column.is_empty() && !column.eq_ignore_ascii_case("value") => column.to_string(),
                None => stem(source).to_string(),
            };

            let mut builder = SeriesBuilder::new(source);
            for record in records {
                let record = record.map_err(|e| csv_error(source, &e))?;
                let line = record.position().map_or(0, |p| p.line() as usize);
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

        fn csv_error(source: &str, e: &csv::Error) -> ParseError {
            let line = e.position().map_or(0, |p| p.line() as usize);
            let kind = match e.kind() {
                csv::ErrorKind::Utf8 { .. } => ParseErrorKind::NonNumeric { value: "<invalid UTF-8>".into() },
                _ => ParseErrorKind::Truncated { what: e.to_string() },
            };
            ParseError::new(source, Location::Line(line), kind)
        }
    }

    /// The old `parse/user_csv.rs`.
    pub mod user_csv {
        use super::common::{csv_records, parse_number};
        use tideline_core::dating::is_snapshot_after_midnight;
        use tideline_core::parse::{reject_html, stem, SeriesBuilder};
        use tideline_core::{Date, Location, ParseError, ParseErrorKind, Series};

        const EXPECTED_DATE: &str =
            "a date as YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY or a Unix \
                                     timestamp (10 digits: seconds, 13: milliseconds)";
        const ONE_ORDER: &str =
            "one day/month order in the whole date column (either DD/MM/YYYY or MM/DD/YYYY)";
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
            let decimal_comma = delimiter != b',';
            let rows = read_rows(source, body, delimiter)?;

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

            let is_header = |row: &Row| looks_like_header(&row.cells, decimal_comma);
            let header = rows.first().filter(|r| is_header(r));
            let data_start = match header {
                Some(_) => rows.iter().skip(1).position(|r| !is_header(r)).map_or(rows.len(), |n| n + 1),
                None => 0,
            };
            let data = rows.get(data_start..).unwrap_or(&[]);
            let Some(first) = data.first() else {
                let kind =
                    if header.is_some() { ParseErrorKind::NoObservations } else { ParseErrorKind::Empty };
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
                let value = first.cells.get(0).unwrap_or("").to_string();
                return Err(fail(first.line, ParseErrorKind::BadDate { value, expected: EXPECTED_DATE }));
            };
            let order = day_month_order(data, date_column).map_err(|(line, kind)| fail(line, kind))?;
            let Some(value_column) = choose_value_column(header, data, date_column, width, id, decimal_comma)
            else {
                return Err(fail(first.line, ParseErrorKind::WrongColumnCount { expected: 2, found: width }));
            };
            let series_id = match (id, header.and_then(|h| h.cells.get(value_column))) {
                (Some(id), _) => id.to_string(),
                (None, Some(name))
                    if !name.is_empty() && !VALUE_NAMES.contains(&normalise(name).as_str()) =>
                {
                    name.to_string()
                }
                _ => stem(source).to_string(),
            };

            // CoinGecko's export (`snapped_at`) stamps a day's close at the next midnight UTC.
            let snapshots = header
                .and_then(|h| h.cells.get(date_column))
                .is_some_and(|n| normalise(n) == SNAPSHOT_COLUMN);
            let mut builder = SeriesBuilder::new(source);
            let mut pending: Option<(Date, f64, usize)> = None;
            for row in data {
                let line = row.line;
                let date_text = row.cells.get(date_column).unwrap_or("");
                let date = classify_date(date_text).and_then(|raw| raw.resolve(order)).ok_or_else(|| {
                    fail(
                        line,
                        ParseErrorKind::BadDate { value: date_text.to_string(), expected: EXPECTED_DATE },
                    )
                })?;
                let date =
                    if snapshots && is_snapshot_after_midnight(date_text) { date.add_days(-1) } else { date };
                let value_text = row.cells.get(value_column).unwrap_or("");
                if is_missing(value_text) {
                    if cut_line == Some(line) && value_text.is_empty() {
                        return Err(fail(line, ParseErrorKind::NonNumeric { value: String::new() }));
                    }
                    continue;
                }
                let value = parse_value(value_text, decimal_comma).ok_or_else(|| {
                    fail(line, ParseErrorKind::NonNumeric { value: value_text.to_string() })
                })?;
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

        /// A non-blank record and the 1-based line it starts on.
        #[derive(Debug)]
        struct Row {
            line: usize,
            cells: csv::StringRecord,
        }

        fn read_rows(source: &str, body: &str, delimiter: u8) -> Result<Vec<Row>, ParseError> {
            Ok(csv_records(source, body, delimiter)?
                .into_iter()
                .map(|(line, cells)| Row { line, cells })
                .collect())
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
            let sample: Vec<&str> =
                complete.lines().filter(|l| !l.trim().is_empty()).take(SNIFF_LINES).collect();
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
        fn looks_like_header(cells: &csv::StringRecord, decimal_comma: bool) -> bool {
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
                    let cells = data.iter().take(SAMPLE_ROWS).filter_map(|r| r.cells.get(column));
                    let filled: Vec<&str> = cells.filter(|c| !c.is_empty()).collect();
                    let dates = filled
                        .iter()
                        .filter(|c| classify_date(c).is_some_and(|raw| raw.could_be_a_date()))
                        .count();
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
                let text = row.cells.get(column).unwrap_or("");
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
                    return Err((
                        row.line,
                        ParseErrorKind::BadDate { value: text.to_string(), expected: ONE_ORDER },
                    ));
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
                self.resolve(Some(Order::DayFirst)).is_some()
                    || self.resolve(Some(Order::MonthFirst)).is_some()
            }
        }

        /// Reads a date cell's form; `None` when it is no accepted form (or an impossible day).
        fn classify_date(text: &str) -> Option<RawDate> {
            let text = text.trim();
            if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                let number: i64 = text.parse().ok()?;
                let millis = match text.len() {
                    13 => number,
                    10 => number.checked_mul(1000)?,
                    _ => return None,
                };
                return Date::from_unix_millis(millis).map(RawDate::Exact);
            }
            if let Some(date) = Date::parse_iso(text) {
                return Some(RawDate::Exact(date));
            }
            // A time after the date (`01/02/2024 16:00`) is ignored, as for ISO dates.
            let day_part = text.split_once(' ').map_or(text, |(d, _)| d);
            if let Some([a, b, c]) = three_numbers(day_part, '/') {
                return match (a.len(), c.len()) {
                    (4, 1..=2) if b.len() <= 2 => {
                        Date::from_ymd(number(a)? as i32, number(b)?, number(c)?).map(RawDate::Exact)
                    }
                    (1..=2, 4) if b.len() <= 2 => Some(RawDate::Slash {
                        first: number(a)?,
                        second: number(b)?,
                        year: number(c)? as i32,
                    }),
                    _ => None,
                };
            }
            if let Some([day, month, year]) = three_numbers(day_part, '.') {
                if day.len() <= 2 && month.len() <= 2 && year.len() == 4 {
                    return Date::from_ymd(number(year)? as i32, number(month)?, number(day)?)
                        .map(RawDate::Exact);
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
                let names: Vec<String> = header.cells.iter().map(normalise).collect();
                let wanted = id.map(normalise).into_iter().chain(VALUE_NAMES.iter().map(|n| n.to_string()));
                for want in wanted {
                    if let Some(column) =
                        names.iter().enumerate().position(|(i, n)| i != date_column && *n == want)
                    {
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
        pub fn is_missing(text: &str) -> bool {
            let t = text.trim();
            t.is_empty()
                || [".", "-", "–", "—", "nan", "null", "na", "n/a", "#n/a", "none"]
                    .iter()
                    .any(|m| t.eq_ignore_ascii_case(m))
        }

        /// A number: plain (`-1.5e3`), with a decimal comma when `decimal_comma` (`1,5`, `1.234,5`), or
        /// with thousands separators (`1,234.5`). With a decimal comma, a single comma is the decimal
        /// point: `1,234` is 1.234 there.
        pub fn parse_value(text: &str, decimal_comma: bool) -> Option<f64> {
            let t = text.trim();
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
    }
}

/// Same series (id, dates, values to the bit) or the same error.
fn same(
    body: &str,
    new: Result<Series, ParseError>,
    old: Result<Series, ParseError>,
) -> Result<(), TestCaseError> {
    match (new, old) {
        (Ok(new), Ok(old)) => {
            prop_assert_eq!(&new.id, &old.id, "{:?}", body);
            prop_assert_eq!(new.dates(), old.dates(), "{:?}", body);
            let bits = |s: &Series| s.values().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&new), bits(&old), "{:?}", body);
        }
        (Err(new), Err(old)) => prop_assert_eq!(new, old, "{:?}", body),
        (new, old) => {
            prop_assert!(false, "{:?}: new {:?}, old {:?}", body, new.map(|s| s.len()), old.map(|s| s.len()))
        }
    }
    Ok(())
}

/// Value cells, the good and the odd.
const VALUES: [&str; 24] = [
    "1234.56",
    "-0.5",
    "7",
    "0.1",
    "42",
    "3.14159",
    ".",
    "",
    "+1",
    "1e3",
    "-0",
    ".5",
    "5.",
    "inf",
    "NaN",
    "abc",
    "12345678901234567890.5",
    " 3.25 ",
    "\t4",
    "\"5\"",
    "1,5",
    "\"1,234.5\"",
    "-",
    "9007199254740993",
];
const LINE_ENDS: [&str; 6] = ["\n", "\n", "\n", "\r\n", "\n\n", "\n  \n"];
const ODD_LINE_ENDS: [&str; 3] = ["\r", "\n ,\n", "\n\u{a0}\n"];

/// One row's choices: (date step, date form, value, extra, line end).
type RowChoice = (u8, u8, u16, u8, u8);

fn rows() -> impl Strategy<Value = Vec<RowChoice>> {
    prop::collection::vec((0u8..8, 0u8..16, 0u16..400, 0u8..16, 0u8..16), 0..30)
}

/// A value cell: mostly a random plain decimal, sometimes one of [`VALUES`].
fn value(choice: u16, noisy: bool) -> String {
    if noisy && choice.is_multiple_of(4) {
        VALUES[(choice / 4) as usize % VALUES.len()].to_string()
    } else {
        let scaled = (choice as f64 * 7919.0).sin() * 10f64.powi((choice % 9) as i32);
        format!("{:.*}", (choice % 5) as usize, scaled)
    }
}

fn line_end(choice: u8, noisy: bool) -> &'static str {
    if noisy && choice == 15 {
        ODD_LINE_ENDS[choice as usize % ODD_LINE_ENDS.len()]
    } else {
        LINE_ENDS[choice as usize % LINE_ENDS.len()]
    }
}

/// The body, cut after `cut` bytes (at a char boundary) when `cut` is inside it.
fn finish(mut body: String, cut: usize, bom: bool) -> String {
    if cut < body.len() {
        let mut at = cut;
        while !body.is_char_boundary(at) {
            at -= 1;
        }
        body.truncate(at);
    }
    if bom {
        body.insert(0, '\u{feff}');
    }
    body
}

/// The day number of the `index`-th row: mostly ascending, sometimes repeated or going back.
fn day(index: &mut i32, step: u8, noisy: bool) -> i32 {
    *index += match step {
        0 if noisy => 0,
        1 if noisy => -1,
        _ => 1 + step as i32 % 3,
    };
    *index
}

fn fred_body(header: u8, rows: &[RowChoice], noise: u8, cut: usize, bom: bool) -> String {
    const HEADERS: [&str; 8] = [
        "observation_date,WALCL",
        "DATE,DFF",
        "date,value",
        " DATE , X ",
        "when,X",
        "DATE,X,Y",
        "\"DATE\",\"X\"",
        "",
    ];
    let noisy = noise > 0;
    let header = if noisy { HEADERS[header as usize % HEADERS.len()] } else { HEADERS[header as usize % 3] };
    let mut body = format!("{header}\n");
    let mut index = 0;
    for &(step, form, value_choice, extra, end) in rows {
        let date = tideline_core::Date::from_days(18_000 + day(&mut index, step, noisy));
        let date = match form {
            13 if noisy => "2020-13-01".to_string(),
            14 if noisy => format!(" {date}\t"),
            15 if noisy => format!("{date}T00:00:00"),
            _ => date.to_string(),
        };
        let extra = if noisy && extra == 15 { ",x" } else { "" };
        body.push_str(&format!("{date},{}{extra}{}", value(value_choice, noisy), line_end(end, noisy)));
    }
    finish(body, cut, bom)
}

fn user_csv_body(shape: u8, rows: &[RowChoice], noise: u8, cut: usize, bom: bool) -> String {
    let noisy = noise > 0;
    let (header, delimiter) = match shape % 8 {
        0 => ("date,value", ','),
        1 => ("Date,Open,High,Low,Close,Adj Close,Volume", ','),
        2 => ("snapped_at,price,market_cap,total_volume", ','),
        3 => ("", ','),
        4 => ("date;value", ';'),
        5 => ("date\tvalue", '\t'),
        6 => ("Price,Close\nTicker,BNB\nDate,", ','),
        _ => ("id,when,amount", ','),
    };
    let width = header.lines().next().map_or(2, |h| h.matches(delimiter).count() + 1).max(2);
    let mut body = if header.is_empty() { String::new() } else { format!("{header}\n") };
    let mut index = 0;
    for &(step, form, value_choice, extra, end) in rows {
        let date = tideline_core::Date::from_days(18_000 + day(&mut index, step, noisy));
        let (y, m, d) = date.ymd();
        let date = match form % 8 {
            _ if shape % 8 == 2 => format!("{date} 00:00:00 UTC"),
            5 if noisy => format!("{m:02}/{d:02}/{y}"),
            6 if noisy => format!("{d}.{m}.{y}"),
            7 if noisy => format!("{}", date.days() as i64 * 86_400_000),
            _ => date.to_string(),
        };
        let mut cells = vec![value(value_choice, noisy); width];
        let date_column = if shape % 8 == 7 { 1 } else { 0 };
        cells[date_column] = date;
        if shape % 8 == 7 {
            cells[0] = "x".to_string();
        }
        if delimiter != ',' && noisy && value_choice.is_multiple_of(3) {
            cells[1] = cells[1].replace('.', ",");
        }
        if noisy && extra == 15 {
            cells.push("extra".to_string());
        }
        body.push_str(&cells.join(&delimiter.to_string()));
        body.push_str(line_end(end, noisy));
    }
    finish(body, cut, bom)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn fred_reads_as_before(header in 0u8..16, rows in rows(), noise in 0u8..3, cut in 0usize..2000, bom in any::<bool>(), named in any::<bool>()) {
        let body = fred_body(header, &rows, noise, cut, bom);
        let id = named.then_some("ID");
        same(&body, fred::parse("dir/X.csv", &body, id), reference::fred::parse("dir/X.csv", &body, id))?;
    }

    #[test]
    fn user_csv_reads_as_before(shape in 0u8..16, rows in rows(), noise in 0u8..3, cut in 0usize..3000, bom in any::<bool>(), named in any::<bool>()) {
        let body = user_csv_body(shape, &rows, noise, cut, bom);
        let id = named.then_some("close");
        same(&body, user_csv::parse("dir/X.csv", &body, id), reference::user_csv::parse("dir/X.csv", &body, id))?;
    }

    /// Any text at all, mostly CSV's own characters.
    #[test]
    fn any_text_reads_as_before(body in "[0-9a-zA-Z,;.\"\\-\\t \\r\\n/:]{0,120}") {
        for id in [None, Some("ID")] {
            same(&body, fred::parse("t.csv", &body, id), reference::fred::parse("t.csv", &body, id))?;
            same(&body, user_csv::parse("t.csv", &body, id), reference::user_csv::parse("t.csv", &body, id))?;
        }
    }
}

/// The shared data folder's CSVs, when present, read as before.
#[test]
fn shared_csvs_read_as_before() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    for dir in [dir.clone(), dir.join("market")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.extension().is_none_or(|e| e != "csv") {
                continue;
            }
            let name = path.display().to_string();
            let Ok(body) = std::fs::read_to_string(&path) else { continue };
            let check = |new, old| same(&body, new, old).unwrap_or_else(|e| panic!("{name}: {e}"));
            check(fred::parse(&name, &body, None), reference::fred::parse(&name, &body, None));
            check(user_csv::parse(&name, &body, None), reference::user_csv::parse(&name, &body, None));
        }
    }
}
