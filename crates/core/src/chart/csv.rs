//! CSV for "show as table" and "export CSV": exactly what a table shows, one line per row.
//!
//! RFC 4180: fields are separated by commas, lines end with CRLF, and a field holding a comma, a
//! double quote, a CR or an LF is enclosed in double quotes with its quotes doubled. Written by hand
//! rather than through the `csv` crate's writer because the output is a `String` built in memory,
//! where a writer's I/O errors cannot happen and would only add a `Result` to every call.

use crate::date::Date;

/// The line ending RFC 4180 prescribes.
const CRLF: &str = "\r\n";

/// A field quoted when it needs to be.
fn field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

/// Appends one record.
fn push_record<S: AsRef<str>>(out: &mut String, fields: impl IntoIterator<Item = S>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(f.as_ref()));
    }
    out.push_str(CRLF);
}

/// A table as CSV: the header line, then one line per row. A row shorter than the header is padded
/// with empty fields, so every line has at least as many fields as the header (none is dropped).
///
/// ```
/// use tideline_core::chart::csv_of_table;
/// let csv = csv_of_table(&["asset", "note"], &[vec!["SPX".into(), "large caps, US".into()]]);
/// assert_eq!(csv, "asset,note\r\nSPX,\"large caps, US\"\r\n");
/// ```
pub fn csv_of_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    push_record(&mut out, headers.iter().copied());
    for row in rows {
        let padding = headers.len().saturating_sub(row.len());
        push_record(&mut out, row.iter().map(String::as_str).chain(std::iter::repeat_n("", padding)));
    }
    out
}

/// Series as CSV on the union of their dates: a `date` column, then one column per series headed
/// by its id. Each cell is the real observation on that date (not stepped forward), written in the
/// shortest form that reads back as the same number; empty where the series has none or it is not
/// finite.
///
/// ```
/// use tideline_core::{chart::csv_of_series, Date};
/// let d = |s| Date::parse_iso(s).expect("date");
/// let walcl = [(d("2024-01-03"), 7_700.5), (d("2024-01-10"), 7_690.0)];
/// let tga = [(d("2024-01-10"), 750.25)];
/// let csv = csv_of_series(&[("WALCL", &walcl), ("WDTGAL", &tga)]);
/// assert_eq!(csv, "date,WALCL,WDTGAL\r\n2024-01-03,7700.5,\r\n2024-01-10,7690,750.25\r\n");
/// ```
pub fn csv_of_series(series: &[(&str, &[(Date, f64)])]) -> String {
    let mut out = String::new();
    push_record(&mut out, std::iter::once("date").chain(series.iter().map(|(id, _)| *id)));
    for (date, values) in rows_of_series(series) {
        let record = std::iter::once(date.to_string())
            .chain(values.into_iter().map(|v| v.map_or_else(String::new, |v| v.to_string())));
        push_record(&mut out, record);
    }
    out
}

/// Several series side by side: one row per date any of them has (ascending), with each series'
/// value on that date (`None` where it has none, or a non-finite one). What a chart of several
/// lines shows as a table and exports as CSV.
///
/// ```
/// use tideline_core::{chart::rows_of_series, Date};
/// let d = Date::from_days;
/// let a = [(d(1), 1.0), (d(3), 3.0)];
/// let b = [(d(2), 20.0), (d(3), 30.0)];
/// let rows = rows_of_series(&[("a", &a), ("b", &b)]);
/// assert_eq!(rows, vec![(d(1), vec![Some(1.0), None]), (d(2), vec![None, Some(20.0)]), (d(3), vec![Some(3.0), Some(30.0)])]);
/// ```
pub fn rows_of_series(series: &[(&str, &[(Date, f64)])]) -> Vec<(Date, Vec<Option<f64>>)> {
    let mut dates: Vec<Date> = series.iter().flat_map(|(_, pts)| pts.iter().map(|p| p.0)).collect();
    dates.sort_unstable();
    dates.dedup();
    let mut next = vec![0usize; series.len()];
    dates
        .into_iter()
        .map(|date| {
            let values = series
                .iter()
                .zip(next.iter_mut())
                .map(|((_, pts), i)| {
                    while *i < pts.len() && pts[*i].0 < date {
                        *i += 1;
                    }
                    pts.get(*i).filter(|(d, v)| *d == date && v.is_finite()).map(|p| p.1)
                })
                .collect();
            (date, values)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let rows = vec![
            vec!["say \"hi\"".to_string(), "two\nlines".to_string(), "cr\r".to_string()],
            vec!["plain".to_string()],
        ];
        let csv = csv_of_table(&["a", "b", "c"], &rows);
        assert_eq!(csv, "a,b,c\r\n\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\nplain,,\r\n");
        assert_eq!(csv_of_table(&[], &[]), "\r\n");
        // Read back by a conforming reader, the fields are what went in.
        let mut reader = ::csv::ReaderBuilder::new().from_reader(csv.as_bytes());
        let first = reader
            .records()
            .next()
            .and_then(Result::ok)
            .map(|r| r.iter().map(str::to_string).collect::<Vec<_>>());
        assert_eq!(first, Some(rows[0].clone()));
    }

    #[test]
    fn series_on_the_union_without_filling() {
        let d = Date::from_days;
        let a = [(d(0), 1.0), (d(2), f64::NAN), (d(3), 0.1 + 0.2)];
        let b = [(d(1), -2.5)];
        let csv = csv_of_series(&[("a", &a), ("b,id", &b)]);
        let lines: Vec<&str> = csv.split(CRLF).collect();
        assert_eq!(lines[0], "date,a,\"b,id\"");
        assert_eq!(lines[1], "1970-01-01,1,");
        assert_eq!(lines[2], "1970-01-02,,-2.5");
        assert_eq!(lines[3], "1970-01-03,,");
        assert_eq!(lines[4], "1970-01-04,0.30000000000000004,");
        assert_eq!(csv_of_series(&[]), "date\r\n");
    }
}
