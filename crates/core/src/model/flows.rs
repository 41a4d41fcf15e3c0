//! Crypto flows and the inside of crypto: spot-ETF flows, treasury companies' mNAV, and an
//! altcoin basket against Bitcoin.
//!
//! # Design
//!
//! Three inputs that are not catalog series, read here and analysed point in time:
//!
//! - **Spot-ETF flow tables** ([`parse_flow_table`]): the common Farside layout, one row per day,
//!   one column per fund and a `Total`, values in USD millions. Read with the `csv` crate. Cells
//!   `-`, `–`, `—`, `N/A` or empty are "no data"; `(12.3)` is -12.3; `1,234.5` is 1234.5; a
//!   leading `$` is dropped. Dates are `YYYY-MM-DD` or Farside's `11 Jan 2024`. Label rows
//!   (`Fee`, `Seed`, `Total`, `Average`, `Maximum`, `Minimum`) are skipped. Rows must ascend (a file
//!   that strictly descends is reversed). Then three repairs, each noted in [`FlowTable::notes`]:
//!   1. **A copied row**: a row whose fund cells equal the next row's, with at least three non-zero
//!      funds, is a copy and the earlier row is dropped. The real Farside-style file has one: its
//!      first row is dated 2024-01-01, before the funds launched on 2024-01-11, and repeats that
//!      day's flows.
//!   2. **Holiday rows**: a row whose every cell is zero or empty (its total included) is a market
//!      holiday written as zeros, not a trading day with no flow; it is dropped so that "the last 5
//!      trading days" are trading days.
//!   3. **The total**: the `Total` column when present, else the sum of the funds present. When
//!      both exist and differ by more than the rounding of the cells (0.05 per fund present), the
//!      disagreement is listed and the table's own total is kept.
//! - **A treasury-company sheet** ([`parse_treasury_sheet`]): `date, company, shares outstanding,
//!   share price, BTC held`, one row per company and date. mNAV compares the equity's market value
//!   with the bitcoin it holds, at the Bitcoin close on or before that date.
//! - **CoinGecko price series** of altcoins, loaded into the [`Dataset`] as user series with
//!   [`load_coin`] (a `market_chart` JSON through [`crate::parse::coingecko::parse`], or a CSV
//!   export through [`crate::parse::user_csv::parse`]).
//!
//! # Figures
//!
//! - Daily ETF total, its 5- and 20-trading-day sums and the cumulative sum; the correlation of the
//!   daily total with Bitcoin's log return over the same day and over the next day, with 95% Fisher
//!   intervals ([`Correlation`]); [`outflows_stopped`].
//! - mNAV per company and date, flagged below 1 (the market values the company at less than its
//!   bitcoin).
//! - An equal-weight altcoin basket (rebalanced weekly on Fridays), its ratio to Bitcoin and the
//!   ratio's 13-week trend (alt season when positive, altcoin silence when negative), beside
//!   ETH/BTC.
//!
//! # Point in time
//!
//! A flow row for day `d` is used from `d + lag` on ([`FlowsConfig::flow_lag_days`], default 1: the
//! table is completed after the US close); treasury rows and prices from their own dates. Nothing
//! after the as-of date is used.
//!
//! # Caveat: survivorship
//!
//! The default basket is today's largest coins that have a history. Coins that died on the way
//! (Terra's LUNA in 2022) are not in it unless loaded and listed, so the basket's long-run
//! performance is flattered. The ratio's 13-week trend, the figure used, is much less affected.

use serde::{Deserialize, Serialize};

use crate::align::{as_of_with_cutoff, Calendar};
use crate::catalog::Frequency;
use crate::dataset::{Dataset, LoadedSeries};
use crate::date::Date;
use crate::error::{Location, ParseError, ParseErrorKind};
use crate::parse::user_csv::{is_missing, parse_value};
use crate::parse::{self, csv_records, reject_html, Format};
use crate::series::Series;
use crate::stats::correlation::Correlation;

// ---------------------------------------------------------------------------------------------
// Flow tables
// ---------------------------------------------------------------------------------------------

const EXPECTED_FLOW_DATE: &str = "a date as YYYY-MM-DD or D Mon YYYY (11 Jan 2024)";

/// Where a row's total came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TotalSource {
    /// The table's own total column.
    Reported,
    /// The sum of the funds present (no total cell).
    Recomputed,
}

/// One trading day of a flow table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowRow {
    /// The day.
    pub date: Date,
    /// The 1-based line it was read from.
    pub line: usize,
    /// Each fund's net flow, USD millions (`None`: no data), in the order of [`FlowTable::funds`].
    pub funds: Vec<Option<f64>>,
    /// The total column's value.
    pub reported_total: Option<f64>,
    /// The sum of the funds present (`None` when no fund has data).
    pub recomputed_total: Option<f64>,
    /// The total used: reported, else recomputed.
    pub total: Option<f64>,
    /// Where `total` came from.
    pub total_source: Option<TotalSource>,
}

/// A row whose reported total differs from the sum of its funds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TotalDisagreement {
    /// The day.
    pub date: Date,
    /// The table's total.
    pub reported: f64,
    /// The sum of the funds.
    pub recomputed: f64,
    /// `reported - recomputed`.
    pub difference: f64,
}

/// A parsed spot-ETF flow table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowTable {
    /// The file or URL it was read from.
    pub source: String,
    /// The fund columns, in the file's order.
    pub funds: Vec<String>,
    /// The name of the total column, when there is one.
    pub total_column: Option<String>,
    /// The trading days, ascending.
    pub rows: Vec<FlowRow>,
    /// Notes about the file as a whole (label rows skipped, order reversed).
    pub general_notes: Vec<String>,
    /// Every dropped row, dated.
    pub dropped: Vec<DroppedRow>,
    /// Rows whose total disagrees with their funds.
    pub disagreements: Vec<TotalDisagreement>,
}

/// Why a row of a flow table was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DropReason {
    /// The same fund cells as the next row: a copy of that row.
    CopyOf {
        /// The row it copies.
        date: Date,
        /// Its line.
        line: usize,
    },
    /// Zeros in every cell: a market holiday written as zeros.
    Holiday,
    /// No value in any cell.
    Empty,
}

/// A dropped row of a flow table.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DroppedRow {
    /// Its date.
    pub date: Date,
    /// Its line in the file.
    pub line: usize,
    /// Why.
    pub reason: DropReason,
    /// Its total as read (a copied row is only known to be a copy once the row it copies is
    /// public; before that, [`etf_flows`] uses it with this total).
    pub total: Option<f64>,
}

impl DroppedRow {
    /// The date from which the drop is known: a copied row's copy date, else its own.
    pub fn known_at(&self) -> Date {
        match self.reason {
            DropReason::CopyOf { date, .. } => date.max(self.date),
            _ => self.date,
        }
    }
}

impl FlowTable {
    /// The daily totals a reader had on `cutoff`: the rows dated on or before it, plus any copied
    /// row whose copy was not yet public (it was then an ordinary row), ascending.
    pub fn totals_until(&self, cutoff: Date) -> Vec<(Date, f64)> {
        let kept = self.rows.iter().filter(|r| r.date <= cutoff).filter_map(|r| Some((r.date, r.total?)));
        let restored = self
            .dropped
            .iter()
            .filter(|d| {
                matches!(d.reason, DropReason::CopyOf { .. }) && d.date <= cutoff && d.known_at() > cutoff
            })
            .filter_map(|d| Some((d.date, d.total?)));
        let mut rows: Vec<(Date, f64)> = kept.chain(restored).collect();
        rows.sort_by_key(|r| r.0);
        rows
    }

    /// The rows dropped or repaired, in words: with `Some(cutoff)`, only what a reader of the
    /// rows dated on or before `cutoff` could have been told (a copied row is named once the row
    /// it copies is on or before `cutoff`); with `None`, the whole file.
    pub fn notes_until(&self, cutoff: Option<Date>) -> Vec<String> {
        let visible = |d: Date| cutoff.is_none_or(|c| d <= c);
        let mut notes = self.general_notes.clone();
        let dropped: Vec<&DroppedRow> = self.dropped.iter().filter(|r| visible(r.known_at())).collect();
        for row in &dropped {
            if let DropReason::CopyOf { date, line } = row.reason {
                notes.push(format!(
                    "{} (line {}): the same flows as {date} (line {line}), a copied row; dropped",
                    row.date, row.line
                ));
            }
        }
        let dates = |reason: DropReason| -> Vec<String> {
            dropped.iter().filter(|r| r.reason == reason).map(|r| r.date.to_string()).collect()
        };
        let holidays = dates(DropReason::Holiday);
        if !holidays.is_empty() {
            notes.push(format!(
                "{} rows of zeros in every fund (market holidays) dropped: {}",
                holidays.len(),
                holidays.join(", ")
            ));
        }
        let empty = dates(DropReason::Empty);
        if !empty.is_empty() {
            notes.push(format!("{} rows without any value dropped: {}", empty.len(), empty.join(", ")));
        }
        let disagreements = self.disagreements.iter().filter(|d| visible(d.date)).count();
        if disagreements > 0 {
            notes.push(format!(
                "{disagreements} rows whose total differs from the sum of their funds by more than rounding \
                 (the table's total kept)"
            ));
        }
        notes
    }

    /// The daily totals as a series (USD millions, id `id`), rows without a total left out.
    pub fn totals(&self, id: &str) -> Series {
        let pairs: Vec<(Date, f64)> = self.rows.iter().filter_map(|r| Some((r.date, r.total?))).collect();
        // Rows ascend strictly and totals are finite (checked by the parser).
        Series::from_pairs(id, &pairs).unwrap_or_default()
    }
}

/// A flow cell that is neither a number nor a "no data" mark.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a flow value: {0:?}")]
pub struct NotAFlowValue(pub String);

/// Reads one flow cell.
///
/// # Formula
///
/// `""`, `-`, `–`, `—`, `N/A`, `NA`, `.` -> `None`; `(x)` -> `-x`; `$` and thousands separators
/// (`1,234.5`) dropped; a Unicode minus read as `-`. [`NotAFlowValue`] when the text is not a
/// number.
pub fn parse_flow_value(text: &str) -> Result<Option<f64>, NotAFlowValue> {
    let t = text.trim();
    if is_missing(t) {
        return Ok(None);
    }
    let (negative, inner) = match t.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, t),
    };
    let cleaned: String =
        inner.replace('−', "-").replace('$', "").chars().filter(|c| !c.is_whitespace()).collect();
    match parse_value(&cleaned, false) {
        Some(value) if value.is_finite() && !(negative && value < 0.0) => {
            Ok(Some(if negative { -value } else { value }))
        }
        _ => Err(NotAFlowValue(text.to_string())),
    }
}

/// Reads `YYYY-MM-DD` or `D Mon YYYY` / `D-Mon-YYYY` (month names in English, 3 letters or full).
pub fn parse_flow_date(text: &str) -> Option<Date> {
    let t = text.trim();
    if let Some(d) = Date::parse_iso(t) {
        return Some(d);
    }
    let parts: Vec<&str> = t.split([' ', '-']).filter(|p| !p.is_empty()).collect();
    let [day, month, year] = parts.as_slice() else { return None };
    let month = month.to_ascii_lowercase();
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let m = MONTHS.iter().position(|name| month.starts_with(name))? as u32 + 1;
    let year: i32 = year.parse().ok().filter(|y: &i32| (1900..=2200).contains(y))?;
    Date::from_ymd(year, m, day.parse().ok()?)
}

/// Parses a spot-ETF flow table (see the module docs). `total_column` names the total column
/// when it is not called `Total` (the Ether file calls it `COL11`).
///
/// # Example
///
/// ```
/// use tideline_core::model::flows::parse_flow_table;
///
/// let body = "Date,IBIT,GBTC,Total\n11 Jan 2024,111.7,(95.1),16.6\n12 Jan 2024,\"1,000.0\",-,\n";
/// let table = parse_flow_table("flows.csv", body, None).unwrap();
/// assert_eq!(table.rows[0].funds, vec![Some(111.7), Some(-95.1)]);
/// // No total cell: the sum of the funds present.
/// assert_eq!(table.rows[1].total, Some(1000.0));
/// ```
pub fn parse_flow_table(
    source: &str,
    body: &str,
    total_column: Option<&str>,
) -> Result<FlowTable, ParseError> {
    reject_html(source, body, "a CSV flow table")?;
    let body = body.trim_start_matches('\u{feff}');
    let records = csv_records(body, b',');
    let Some((header_line, header)) = records.first() else {
        return Err(ParseError::new(source, Location::Body, ParseErrorKind::Empty));
    };
    let width = header.len();
    let names: Vec<String> = header.iter().map(str::to_string).collect();
    let wanted_total = total_column.unwrap_or("Total");
    let total_index = names.iter().skip(1).position(|n| n.eq_ignore_ascii_case(wanted_total)).map(|i| i + 1);
    if width < 2 || (total_column.is_some() && total_index.is_none()) {
        return Err(ParseError::new(
            source,
            Location::Line(*header_line),
            ParseErrorKind::BadHeader {
                found: names.join(","),
                expected: format!("date, one column per fund and a total column named {wanted_total:?}"),
            },
        ));
    }
    let fund_indices: Vec<usize> = (1..width).filter(|i| Some(*i) != total_index).collect();
    let mut table = FlowTable {
        source: source.to_string(),
        funds: fund_indices.iter().map(|&i| names[i].clone()).collect(),
        total_column: total_index.map(|i| names[i].clone()),
        ..FlowTable::default()
    };
    let mut rows: Vec<FlowRow> = Vec::new();
    let mut labels = Vec::new();
    for (line, record) in records.iter().skip(1) {
        let line = *line;
        let first = record.get(0).unwrap_or("");
        let Some(date) = parse_flow_date(first) else {
            if first.chars().any(char::is_alphabetic) && !first.chars().any(|c| c.is_ascii_digit()) {
                labels.push(first.to_string());
                continue;
            }
            return Err(ParseError::new(
                source,
                Location::Line(line),
                ParseErrorKind::BadDate { value: first.to_string(), expected: EXPECTED_FLOW_DATE },
            ));
        };
        if record.len() != width && record.iter().skip(width).any(|c| !c.is_empty()) || record.len() < width {
            return Err(ParseError::new(
                source,
                Location::Line(line),
                ParseErrorKind::WrongColumnCount { expected: width, found: record.len() },
            ));
        }
        let cell = |i: usize| -> Result<Option<f64>, ParseError> {
            let text = record.get(i).unwrap_or("");
            parse_flow_value(text).map_err(|_| {
                ParseError::new(
                    source,
                    Location::Line(line),
                    ParseErrorKind::NonNumeric { value: text.to_string() },
                )
            })
        };
        let funds = fund_indices.iter().map(|&i| cell(i)).collect::<Result<Vec<_>, _>>()?;
        let reported_total = total_index.map(cell).transpose()?.flatten();
        let present: Vec<f64> = funds.iter().flatten().copied().collect();
        let recomputed_total = (!present.is_empty()).then(|| present.iter().sum::<f64>());
        // Each cell is finite, but their sum, or the total's difference from it, can overflow
        // (two cells of 1e308): refuse the row here rather than hand on an infinite total, which
        // `FlowTable::totals` could not make a series of (found by fuzz/, target etf_flows).
        let difference = reported_total.zip(recomputed_total).map(|(r, c)| r - c);
        if let Some(overflow) = recomputed_total.iter().chain(&difference).find(|v| !v.is_finite()) {
            return Err(ParseError::new(
                source,
                Location::Line(line),
                ParseErrorKind::NotFinite { value: format!("{overflow} (the sum of the funds overflows)") },
            ));
        }
        rows.push(FlowRow {
            date,
            line,
            funds,
            reported_total,
            recomputed_total,
            total: reported_total.or(recomputed_total),
            total_source: match (reported_total, recomputed_total) {
                (Some(_), _) => Some(TotalSource::Reported),
                (None, Some(_)) => Some(TotalSource::Recomputed),
                _ => None,
            },
        });
    }
    if !labels.is_empty() {
        table.general_notes.push(format!("skipped label rows: {}", labels.join(", ")));
    }
    if rows.len() > 1 && rows.windows(2).all(|w| w[0].date > w[1].date) {
        rows.reverse();
        table.general_notes.push("rows were newest first; reversed".into());
    }
    for w in rows.windows(2) {
        let (previous, row) = (&w[0], &w[1]);
        let kind = if row.date == previous.date {
            ParseErrorKind::DuplicateDate { date: row.date }
        } else if row.date < previous.date {
            ParseErrorKind::NotAscending { date: row.date, previous: previous.date }
        } else {
            continue;
        };
        return Err(ParseError::new(source, Location::Line(row.line), kind));
    }
    // 1. Copied rows.
    let mut keep = vec![true; rows.len()];
    for i in 0..rows.len().saturating_sub(1) {
        let (a, b) = (&rows[i], &rows[i + 1]);
        let nonzero = a.funds.iter().flatten().filter(|v| **v != 0.0).count();
        if nonzero >= 3 && a.funds == b.funds {
            keep[i] = false;
            table.dropped.push(DroppedRow {
                date: a.date,
                line: a.line,
                reason: DropReason::CopyOf { date: b.date, line: b.line },
                total: a.total,
            });
        }
    }
    // 2. Holiday rows: zeros (or nothing) everywhere.
    for (i, row) in rows.iter().enumerate() {
        let cells = row.funds.iter().chain(std::iter::once(&row.reported_total));
        let reason = if cells.clone().all(Option::is_none) {
            DropReason::Empty
        } else if cells.flatten().all(|v| *v == 0.0) {
            DropReason::Holiday
        } else {
            continue;
        };
        keep[i] = false;
        table.dropped.push(DroppedRow { date: row.date, line: row.line, reason, total: row.total });
    }
    table.dropped.sort_by_key(|r| r.date);
    table.rows = rows.into_iter().zip(keep).filter(|(_, k)| *k).map(|(r, _)| r).collect();
    if table.rows.is_empty() {
        return Err(ParseError::new(source, Location::Body, ParseErrorKind::NoObservations));
    }
    // 3. Totals that disagree with their funds.
    for row in &table.rows {
        if let (Some(reported), Some(recomputed)) = (row.reported_total, row.recomputed_total) {
            let present = row.funds.iter().flatten().count() as f64;
            if (reported - recomputed).abs() > 0.05 * present.max(1.0) + 1e-9 {
                table.disagreements.push(TotalDisagreement {
                    date: row.date,
                    reported,
                    recomputed,
                    difference: reported - recomputed,
                });
            }
        }
    }
    Ok(table)
}

// ---------------------------------------------------------------------------------------------
// Treasury companies
// ---------------------------------------------------------------------------------------------

/// One row of a treasury-company sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TreasuryRow {
    /// The date.
    pub date: Date,
    /// The company (name or ticker).
    pub company: String,
    /// Shares outstanding.
    pub shares_outstanding: f64,
    /// Share price, USD.
    pub share_price: f64,
    /// Bitcoin held.
    pub btc_held: f64,
}

/// A parsed treasury-company sheet, rows sorted by company and date.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TreasurySheet {
    /// The file it was read from.
    pub source: String,
    /// The rows.
    pub rows: Vec<TreasuryRow>,
}

/// Parses a treasury-company sheet: a header naming the columns (in any order; matched by
/// `date`, `company`/`ticker`/`name`, `shares`, `price`, `btc`/`bitcoin`) and one row per company
/// and date. Numbers may carry thousands separators. A company and date seen twice is an error.
pub fn parse_treasury_sheet(source: &str, body: &str) -> Result<TreasurySheet, ParseError> {
    reject_html(source, body, "a CSV treasury sheet")?;
    let body = body.trim_start_matches('\u{feff}');
    let mut header: Option<Vec<String>> = None;
    let mut columns = [0usize; 5];
    let mut rows = Vec::new();
    for (line, record) in csv_records(body, b',') {
        let Some(names) = &header else {
            let names: Vec<String> = record.iter().map(|c| c.to_ascii_lowercase()).collect();
            let find = |keys: &[&str]| names.iter().position(|n| keys.iter().any(|k| n.contains(k)));
            let found = [
                find(&["date"]),
                find(&["company", "ticker", "name"]),
                find(&["shares"]),
                find(&["price"]),
                find(&["btc", "bitcoin"]),
            ];
            let Some(found) = found.iter().copied().collect::<Option<Vec<usize>>>() else {
                return Err(ParseError::new(
                    source,
                    Location::Line(line),
                    ParseErrorKind::BadHeader {
                        found: names.join(","),
                        expected: "date, company, shares outstanding, share price, BTC held".into(),
                    },
                ));
            };
            columns.copy_from_slice(&found);
            header = Some(names);
            continue;
        };
        if record.len() != names.len() {
            return Err(ParseError::new(
                source,
                Location::Line(line),
                ParseErrorKind::WrongColumnCount { expected: names.len(), found: record.len() },
            ));
        }
        let text = |i: usize| record.get(columns[i]).unwrap_or("");
        let date = parse_flow_date(text(0)).ok_or_else(|| {
            ParseError::new(
                source,
                Location::Line(line),
                ParseErrorKind::BadDate { value: text(0).to_string(), expected: EXPECTED_FLOW_DATE },
            )
        })?;
        let number = |i: usize| -> Result<f64, ParseError> {
            match parse_flow_value(text(i)) {
                Ok(Some(v)) => Ok(v),
                _ => Err(ParseError::new(
                    source,
                    Location::Line(line),
                    ParseErrorKind::NonNumeric { value: text(i).to_string() },
                )),
            }
        };
        rows.push((
            line,
            TreasuryRow {
                date,
                company: text(1).to_string(),
                shares_outstanding: number(2)?,
                share_price: number(3)?,
                btc_held: number(4)?,
            },
        ));
    }
    if header.is_none() {
        return Err(ParseError::new(source, Location::Body, ParseErrorKind::Empty));
    }
    if rows.is_empty() {
        return Err(ParseError::new(source, Location::Body, ParseErrorKind::NoObservations));
    }
    rows.sort_by(|(_, a), (_, b)| a.company.cmp(&b.company).then(a.date.cmp(&b.date)));
    for w in rows.windows(2) {
        if w[0].1.company == w[1].1.company && w[0].1.date == w[1].1.date {
            return Err(ParseError::new(
                source,
                Location::Line(w[1].0.max(w[0].0)),
                ParseErrorKind::DuplicateDate { date: w[1].1.date },
            ));
        }
    }
    Ok(TreasurySheet { source: source.to_string(), rows: rows.into_iter().map(|(_, r)| r).collect() })
}

/// One company at one date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MnavPoint {
    /// The date of the sheet row.
    pub date: Date,
    /// `shares_outstanding × share_price`, USD.
    pub market_cap_usd: f64,
    /// Bitcoin held.
    pub btc_held: f64,
    /// The Bitcoin close used (on or before the date) and its date.
    pub btc_price: f64,
    /// Its observation date.
    pub btc_observed: Date,
    /// `btc_held × btc_price`, USD.
    pub btc_value_usd: f64,
    /// Market cap over the value of the bitcoin held.
    ///
    /// # Formula
    ///
    /// `mNAV = shares × price / (btc_held × BTC_price)`.
    pub mnav: f64,
    /// `mnav < 1`: the market values the company below its bitcoin.
    pub below_one: bool,
}

/// mNAV of one company over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompanyMnav {
    /// The company.
    pub company: String,
    /// The latest point.
    pub latest: Option<MnavPoint>,
    /// Every date with a Bitcoin price and bitcoin held.
    pub history: Vec<MnavPoint>,
    /// Dates below 1.
    pub days_below_one: usize,
}

/// mNAV of every company of `sheet`, with Bitcoin closes from `btc` (rows after `as_of` and rows
/// without a Bitcoin close on or before their date, or with no bitcoin held, are left out).
pub fn mnav(sheet: &TreasurySheet, btc: &Series, as_of: Date) -> Vec<CompanyMnav> {
    let mut out: Vec<CompanyMnav> = Vec::new();
    for row in sheet.rows.iter().filter(|r| r.date <= as_of) {
        let point = btc.at_or_before(row.date).and_then(|(btc_observed, btc_price)| {
            let market_cap_usd = row.shares_outstanding * row.share_price;
            let btc_value_usd = row.btc_held * btc_price;
            let mnav = market_cap_usd / btc_value_usd;
            (btc_value_usd > 0.0 && mnav.is_finite()).then_some(MnavPoint {
                date: row.date,
                market_cap_usd,
                btc_held: row.btc_held,
                btc_price,
                btc_observed,
                btc_value_usd,
                mnav,
                below_one: mnav < 1.0,
            })
        });
        if out.last().is_none_or(|c| c.company != row.company) {
            out.push(CompanyMnav {
                company: row.company.clone(),
                latest: None,
                history: Vec::new(),
                days_below_one: 0,
            });
        }
        if let (Some(company), Some(point)) = (out.last_mut(), point) {
            company.days_below_one += usize::from(point.below_one);
            company.history.push(point);
        }
    }
    for company in &mut out {
        company.latest = company.history.last().cloned();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Coins
// ---------------------------------------------------------------------------------------------

/// Loads a coin's USD price history into `dataset` as user series `id`: a CoinGecko `market_chart`
/// JSON ([`crate::parse::coingecko::parse`]) or a CSV export ([`crate::parse::user_csv::parse`]),
/// told apart by [`crate::parse::detect`].
pub fn load_coin(dataset: &mut Dataset, id: &str, source: &str, body: &str) -> Result<(), ParseError> {
    let series = match parse::detect(source, body)? {
        Format::Coingecko => parse::coingecko::parse(source, body, Some(id))?,
        _ => parse::user_csv::parse(source, body, Some(id))?,
    };
    dataset.insert(id, LoadedSeries { series, native_units: "USD".into(), source: source.to_string() });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------------------------

/// Settings of [`crypto_flows`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FlowsConfig {
    /// Dataset id of Bitcoin (`CBBTCUSD`).
    pub btc: String,
    /// Dataset id of Ether (`CBETHUSD`).
    pub eth: String,
    /// Days after its date before a flow row is public (1).
    pub flow_lag_days: i32,
    /// Short flow sum, trading days (5).
    pub short_days: usize,
    /// Long flow sum, trading days (20).
    pub long_days: usize,
    /// Dataset ids of the altcoins of the basket (loaded with [`load_coin`]); those not loaded are
    /// skipped and listed.
    pub alt_coins: Vec<String>,
    /// Weeks of the basket-to-BTC trend (13).
    pub trend_weeks: usize,
}

/// The default altcoin list: catalog ids of the largest non-stablecoin coins other than Bitcoin and
/// Ether (Ether has its own ratio beside the basket) with several years of history. Each catalog
/// entry names its CoinGecko `market_chart` feed (and a Binance fallback), so `tideline mirror` and
/// the page fetch them like any other series; a user may list coins loaded with [`load_coin`].
pub const DEFAULT_ALT_COINS: [&str; 10] =
    ["SOLUSD", "XRPUSD", "BNBUSD", "ADAUSD", "DOGEUSD", "TRXUSD", "AVAXUSD", "LINKUSD", "LTCUSD", "DOTUSD"];

impl Default for FlowsConfig {
    fn default() -> FlowsConfig {
        FlowsConfig {
            btc: "CBBTCUSD".into(),
            eth: "CBETHUSD".into(),
            flow_lag_days: 1,
            short_days: 5,
            long_days: 20,
            alt_coins: DEFAULT_ALT_COINS.iter().map(|s| s.to_string()).collect(),
            trend_weeks: 13,
        }
    }
}

/// The inputs of [`crypto_flows`] that are tables rather than series.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowInputs {
    /// A spot-ETF flow table.
    pub etf: Option<FlowTable>,
    /// A treasury-company sheet.
    pub treasury: Option<TreasurySheet>,
}

/// Where a data folder keeps the spot-ETF flow table, in order of preference: the name `tideline
/// mirror` writes, then the recorded Farside table of the shared data.
pub const ETF_FLOW_FILES: [&str; 2] = ["etf_flows.csv", "market/farside_btc_etf_flows.csv"];

/// Where a data folder keeps the treasury-company sheet.
pub const TREASURY_FILES: [&str; 1] = ["treasury_companies.csv"];

/// The table inputs: files that are tables rather than series. One place says, for each, its file
/// name in a data folder, its parser and its summary, for the CLI (`check`, `mirror`, `analyze`)
/// and the page (mirror folder, uploads).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// A spot-ETF flow table ([`parse_flow_table`]).
    EtfFlows,
    /// A treasury-company sheet ([`parse_treasury_sheet`]).
    Treasury,
}

/// What a table file holds: rows and the span of their dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSummary {
    /// Rows kept.
    pub rows: usize,
    /// The first date.
    pub first: Option<Date>,
    /// The last date.
    pub last: Option<Date>,
    /// The units of its values, in words.
    pub units: &'static str,
}

impl TableKind {
    /// Both kinds.
    pub const ALL: [TableKind; 2] = [TableKind::EtfFlows, TableKind::Treasury];

    /// The file names a data folder may use, the first being the one the mirror writes.
    pub fn file_names(self) -> &'static [&'static str] {
        match self {
            TableKind::EtfFlows => &ETF_FLOW_FILES,
            TableKind::Treasury => &TREASURY_FILES,
        }
    }

    /// The name the mirror writes (also the key of a page upload: one table of each kind).
    pub fn file_name(self) -> &'static str {
        // Indexes of constant arrays: checked when the crate compiles.
        match self {
            TableKind::EtfFlows => ETF_FLOW_FILES[0],
            TableKind::Treasury => TREASURY_FILES[0],
        }
    }

    /// The kind whose file names include `name` (a path relative to a data folder, or a bare
    /// file name such as `farside_btc_etf_flows.csv`).
    pub fn of_file_name(name: &str) -> Option<TableKind> {
        let base = |n: &str| n.rsplit('/').next().unwrap_or(n).to_ascii_lowercase();
        let name = base(name);
        TableKind::ALL.into_iter().find(|k| k.file_names().iter().any(|f| base(f) == name))
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            TableKind::EtfFlows => "Spot-ETF flow table",
            TableKind::Treasury => "Treasury-company sheet",
        }
    }

    /// Parses `body` as this kind into `inputs` (replacing what was there) and summarises it.
    pub fn load_into(
        self,
        inputs: &mut FlowInputs,
        source: &str,
        body: &str,
    ) -> Result<TableSummary, ParseError> {
        match self {
            TableKind::EtfFlows => {
                let table = parse_flow_table(source, body, None)?;
                let summary = TableSummary {
                    rows: table.rows.len(),
                    first: table.rows.first().map(|r| r.date),
                    last: table.rows.last().map(|r| r.date),
                    units: "USD mn",
                };
                inputs.etf = Some(table);
                Ok(summary)
            }
            TableKind::Treasury => {
                let sheet = parse_treasury_sheet(source, body)?;
                let dates = || sheet.rows.iter().map(|r| r.date);
                let summary = TableSummary {
                    rows: sheet.rows.len(),
                    first: dates().min(),
                    last: dates().max(),
                    units: "shares, USD, BTC",
                };
                inputs.treasury = Some(sheet);
                Ok(summary)
            }
        }
    }

    /// Parses `body` as this kind and summarises it.
    pub fn check(self, source: &str, body: &str) -> Result<TableSummary, ParseError> {
        self.load_into(&mut FlowInputs::default(), source, body)
    }
}

impl FlowInputs {
    /// Reads the table inputs of a data folder: `read(name)` returns the body of a file named
    /// relative to the folder, or `None` when there is none. For each [`TableKind`] the first of
    /// its [`TableKind::file_names`] that exists is read. A file that exists but does not parse is
    /// left out, and its error (file, line, what) returned.
    pub fn load_from(read: impl Fn(&str) -> Option<String>) -> (FlowInputs, Vec<ParseError>) {
        let mut inputs = FlowInputs::default();
        let mut errors = Vec::new();
        for kind in TableKind::ALL {
            if let Some((name, body)) = kind.file_names().iter().find_map(|n| Some((*n, read(n)?))) {
                if let Err(e) = kind.load_into(&mut inputs, name, &body) {
                    errors.push(e);
                }
            }
        }
        (inputs, errors)
    }
}

/// One trading day of ETF flows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowDay {
    /// The day.
    pub date: Date,
    /// Net flow `F_t`, USD millions (the table's total, else the sum of its funds).
    pub total: f64,
    /// Sum of the last 5 trading days including this one (`None` in the warm-up).
    ///
    /// # Formula
    ///
    /// `Σ_{s=t-4..=t} F_s`.
    pub sum_short: Option<f64>,
    /// Sum of the last 20 trading days including this one: `Σ_{s=t-19..=t} F_s`.
    pub sum_long: Option<f64>,
    /// Sum since the first day: `Σ_{s<=t} F_s`.
    pub cumulative: f64,
}

/// The phase of ETF flows at the last day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowPhase {
    /// The last 5 days' sum is negative.
    Outflows,
    /// The last 5 days' sum is non-negative after a negative sum over the 20 days before them.
    OutflowsStopped,
    /// Non-negative over the last 5 days and the 20 before them: no outflow to stop.
    Inflows,
}

/// The phase of a daily flow series (oldest first; see [`FlowPhase`]) with windows of `short` and
/// `long` trading days; `None` with fewer than `short + long` days or a non-finite value in them.
///
/// # Formula
///
/// `S = Σ` of the last `short` days, `L = Σ` of the `long` days before them:
/// `S < 0` -> outflows; `S >= 0, L < 0` -> outflows stopped; otherwise inflows.
pub fn flow_phase(flows: &[f64], short: usize, long: usize) -> Option<FlowPhase> {
    let n = flows.len();
    let recent = flows.get(n.checked_sub(short)?..)?;
    let before = flows.get(n.checked_sub(short.checked_add(long)?)?..n - short)?;
    if short == 0 || long == 0 || !recent.iter().chain(before).all(|v| v.is_finite()) {
        return None;
    }
    let (s, l) = (recent.iter().sum::<f64>(), before.iter().sum::<f64>());
    Some(if s < 0.0 {
        FlowPhase::Outflows
    } else if l < 0.0 {
        FlowPhase::OutflowsStopped
    } else {
        FlowPhase::Inflows
    })
}

/// The sums [`flow_phase`] compares: the last `recent_days` and the `before_days` before them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseWindows {
    /// The last flow day.
    pub date: Date,
    /// Length of the recent window, trading days (5).
    pub recent_days: usize,
    /// Net flows over the recent window, USD mn: `Σ_{t-4..=t} F`.
    pub recent_usd_mn: f64,
    /// Length of the window before it, trading days (20).
    pub before_days: usize,
    /// Net flows over the window before, USD mn: `Σ_{t-24..=t-5} F`.
    pub before_usd_mn: f64,
}

/// The windows [`flow_phase`] tests on `flows` (ascending daily totals); `None` as there.
pub fn phase_windows(dates: &[Date], flows: &[f64], short: usize, long: usize) -> Option<PhaseWindows> {
    let n = flows.len();
    let recent = flows.get(n.checked_sub(short)?..)?;
    let before = flows.get(n.checked_sub(short.checked_add(long)?)?..n - short)?;
    (short > 0 && long > 0).then(|| PhaseWindows {
        date: dates.last().copied().unwrap_or(Date::from_days(0)),
        recent_days: short,
        recent_usd_mn: recent.iter().sum(),
        before_days: long,
        before_usd_mn: before.iter().sum(),
    })
}

/// Whether ETF outflows have stopped: the last 5 trading days' net flows sum to `>= 0` after the 20
/// trading days before them summed to `< 0`. `Some(false)` when the last 5 days are still negative
/// *or* there was no outflow phase to stop (read [`flow_phase`] to tell them apart); `None` with
/// fewer than 25 days.
///
/// # Formula
///
/// `Σ_{t-4..=t} F >= 0 && Σ_{t-24..=t-5} F < 0`.
///
/// # Example
///
/// ```
/// use tideline_core::model::flows::outflows_stopped;
///
/// let mut flows = vec![-100.0; 20]; // a month of outflows
/// flows.extend([20.0, -5.0, 10.0, 0.0, 1.0]); // then a week that nets positive
/// assert_eq!(outflows_stopped(&flows), Some(true));
/// assert_eq!(outflows_stopped(&flows[..24]), None);
/// ```
pub fn outflows_stopped(flows: &[f64]) -> Option<bool> {
    flow_phase(flows, 5, 20).map(|p| p == FlowPhase::OutflowsStopped)
}

/// ETF flows as of a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EtfFlows {
    /// The table's source.
    pub source: String,
    /// The funds.
    pub funds: Vec<String>,
    /// The lag applied, days.
    pub lag_days: i32,
    /// The parser's notes (dropped and repaired rows).
    pub notes: Vec<String>,
    /// Rows whose total disagrees with their funds (up to as_of).
    pub disagreements: Vec<TotalDisagreement>,
    /// The last day.
    pub latest: Option<FlowDay>,
    /// Every day public at as_of.
    pub days: Vec<FlowDay>,
    /// `corr(F_t, ln(P_t / P_{t-1}))`: flows against Bitcoin's return over the same trading day
    /// (from the previous flow day's close), with its 95% Fisher interval, over the flow days on
    /// which both closes exist (see `days_without_btc`).
    pub same_day: Option<Correlation>,
    /// `corr(F_t, ln(P_{t+1} / P_t))`: flows against the next trading day's return.
    pub next_day: Option<Correlation>,
    /// Flow days without a Bitcoin close of their own (a gap, or after the feed stopped): left out
    /// of both correlations rather than read as zero returns.
    pub days_without_btc: usize,
    /// The two windows [`flow_phase`] tests at the last day (`None` with too few days).
    pub phase_windows: Option<PhaseWindows>,
    /// [`flow_phase`] at the last day.
    pub phase: Option<FlowPhase>,
    /// [`outflows_stopped`] at the last day.
    pub outflows_stopped: Option<bool>,
}

/// The altcoin basket and ETH/BTC in one week.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AltWeek {
    /// The Friday.
    pub date: Date,
    /// The equal-weight basket index (100 at the first week).
    ///
    /// # Formula
    ///
    /// `B_t = B_{t-1} × mean_i(P_{i,t} / P_{i,t-1})` over the coins with a fresh close in both weeks.
    pub basket: Option<f64>,
    /// Coins in this week's link.
    pub coins: usize,
    /// Basket over Bitcoin, 1 at the first week with both.
    ///
    /// # Formula
    ///
    /// `R_t = (B_t / BTC_t) / (B_0 / BTC_0)`.
    pub basket_to_btc: Option<f64>,
    /// `ln(R_t / R_{t-13})`.
    pub basket_to_btc_trend: Option<f64>,
    /// `ETH_t / BTC_t`.
    pub eth_btc: Option<f64>,
    /// `ln(q_t / q_{t-13})` of ETH/BTC.
    pub eth_btc_trend: Option<f64>,
    /// Alt season (the basket gaining on Bitcoin) or altcoin silence.
    pub regime: Option<AltRegime>,
}

/// Alt season or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AltRegime {
    /// The basket's 13-week trend against Bitcoin is positive.
    AltSeason,
    /// It is zero or negative.
    AltcoinSilence,
}

/// Inside crypto as of a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsideCrypto {
    /// The coins of the basket found in the dataset.
    pub coins: Vec<String>,
    /// The configured coins not loaded.
    pub missing: Vec<String>,
    /// The last week.
    pub current: Option<AltWeek>,
    /// Every week from the first coin's.
    pub history: Vec<AltWeek>,
}

/// Crypto flows, treasury companies and the altcoin basket as of a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CryptoFlows {
    /// The as-of date.
    pub as_of: Date,
    /// Spot-ETF flows (`None` without a table).
    pub etf: Option<EtfFlows>,
    /// mNAV per company (empty without a sheet).
    pub treasury: Vec<CompanyMnav>,
    /// The altcoin basket against Bitcoin (`None` without Bitcoin or any coin).
    pub inside_crypto: Option<InsideCrypto>,
}

/// Crypto flows as of `as_of` (see the module docs). The ETF table and the treasury sheet come in
/// `inputs` (they are tables, not series); Bitcoin, Ether and the altcoins from `dataset`.
/// `None` when there is nothing at all to show.
pub fn crypto_flows(
    dataset: &Dataset,
    as_of: Date,
    inputs: &FlowInputs,
    config: &FlowsConfig,
) -> Option<CryptoFlows> {
    let btc = dataset.get(&config.btc).map(|s| s.truncated_after(as_of));
    let etf = inputs.etf.as_ref().map(|table| etf_flows(table, btc.as_ref(), as_of, config));
    let treasury = match (&inputs.treasury, &btc) {
        (Some(sheet), Some(btc)) => mnav(sheet, btc, as_of),
        _ => Vec::new(),
    };
    let inside = btc.as_ref().and_then(|btc| inside_crypto(dataset, btc, as_of, config));
    if etf.is_none() && treasury.is_empty() && inside.is_none() {
        return None;
    }
    Some(CryptoFlows { as_of, etf, treasury, inside_crypto: inside })
}

/// The ETF-flow figures of a table as of a date.
pub fn etf_flows(table: &FlowTable, btc: Option<&Series>, as_of: Date, config: &FlowsConfig) -> EtfFlows {
    let lag = config.flow_lag_days.max(0);
    let cutoff = as_of.add_days(-lag);
    let rows = table.totals_until(cutoff);
    let totals: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let window_sum = |t: usize, k: usize| -> Option<f64> {
        let start = (t + 1).checked_sub(k.max(1))?;
        Some(totals.get(start..=t)?.iter().sum())
    };
    let mut cumulative = 0.0;
    let days: Vec<FlowDay> = rows
        .iter()
        .enumerate()
        .map(|(t, &(date, total))| {
            cumulative += total;
            FlowDay {
                date,
                total,
                sum_short: window_sum(t, config.short_days),
                sum_long: window_sum(t, config.long_days),
                cumulative,
            }
        })
        .collect();
    // Bitcoin's log return between consecutive flow days (the weekend lands on Monday), only where
    // the feed has a close on both days: Bitcoin trades every day, so a missing close is a gap or
    // a stopped feed, and carrying the last close forward would add zero returns.
    let (mut same_x, mut same_y, mut next_x, mut next_y) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut days_without_btc = 0;
    if let Some(btc) = btc {
        let price = |d: Date| btc.on(d).filter(|p| *p > 0.0);
        days_without_btc = rows.iter().filter(|(d, _)| price(*d).is_none()).count();
        let returns: Vec<Option<f64>> = (0..rows.len())
            .map(|t| {
                let previous = rows.get(t.checked_sub(1)?)?.0;
                Some((price(rows.get(t)?.0)? / price(previous)?).ln())
            })
            .collect();
        for (t, &(_, flow)) in rows.iter().enumerate() {
            if let Some(Some(r)) = returns.get(t) {
                same_x.push(flow);
                same_y.push(*r);
            }
            if let Some(Some(r)) = returns.get(t + 1) {
                next_x.push(flow);
                next_y.push(*r);
            }
        }
    }
    let phase = flow_phase(&totals, config.short_days, config.long_days);
    let flow_dates: Vec<Date> = rows.iter().map(|r| r.0).collect();
    let phase_windows =
        phase_windows(&flow_dates, &totals, config.short_days, config.long_days).filter(|_| phase.is_some());
    EtfFlows {
        source: table.source.clone(),
        funds: table.funds.clone(),
        lag_days: lag,
        notes: table.notes_until(Some(cutoff)),
        disagreements: table.disagreements.iter().filter(|d| d.date <= cutoff).copied().collect(),
        latest: days.last().copied(),
        days,
        same_day: Correlation::pearson(&same_x, &same_y),
        next_day: Correlation::pearson(&next_x, &next_y),
        days_without_btc,
        phase_windows,
        phase,
        outflows_stopped: phase.map(|p| p == FlowPhase::OutflowsStopped),
    }
}

/// The altcoin basket, its ratio to Bitcoin and ETH/BTC on Fridays up to `as_of`.
fn inside_crypto(dataset: &Dataset, btc: &Series, as_of: Date, config: &FlowsConfig) -> Option<InsideCrypto> {
    let mut missing = Vec::new();
    let coins: Vec<(String, Series)> = config
        .alt_coins
        .iter()
        .filter_map(|id| match dataset.get(id).filter(|s| !s.is_empty()) {
            Some(s) => Some((id.clone(), s.truncated_after(as_of))),
            None => {
                missing.push(id.clone());
                None
            }
        })
        .collect();
    if coins.is_empty() {
        return None;
    }
    let first = coins.iter().filter_map(|(_, s)| s.first().map(|f| f.0)).min()?;
    let calendar = Calendar::fridays(first, as_of);
    let fresh_close = |series: &Series| -> Vec<f64> {
        let aligned = as_of_with_cutoff(series, 0, &calendar, Some(as_of));
        let stale = aligned.stale_mask(&calendar, Frequency::Daily);
        aligned.values.iter().zip(stale).map(|(v, s)| if s || *v <= 0.0 { f64::NAN } else { *v }).collect()
    };
    let closes: Vec<Vec<f64>> = coins.iter().map(|(_, s)| fresh_close(s)).collect();
    let btc_close = fresh_close(btc);
    let eth_close = dataset.get(&config.eth).map(|s| fresh_close(&s.truncated_after(as_of)));
    let n = calendar.len();
    let k = config.trend_weeks.max(1);
    let mut basket = vec![f64::NAN; n];
    let mut counts = vec![0usize; n];
    // The last week with a basket level: each link runs from there, so a week without any close
    // does not lose the move across it.
    let mut last: Option<(usize, f64)> = None;
    for t in 0..n {
        let close = |c: &Vec<f64>, s: usize| c.get(s).copied().filter(|v| v.is_finite());
        match last {
            None => {
                let present = closes.iter().filter(|c| close(c, t).is_some()).count();
                if present > 0 {
                    basket[t] = 100.0;
                    counts[t] = present;
                    last = Some((t, 100.0));
                }
            }
            Some((s, level)) => {
                let links: Vec<f64> =
                    closes.iter().filter_map(|c| Some(close(c, t)? / close(c, s)?)).collect();
                if !links.is_empty() {
                    let next = level * links.iter().sum::<f64>() / links.len() as f64;
                    basket[t] = next;
                    counts[t] = links.len();
                    last = Some((t, next));
                }
            }
        }
    }
    let raw_ratio: Vec<f64> = (0..n).map(|t| ratio(basket[t], btc_close[t])).collect();
    let base = raw_ratio.iter().copied().find(|v| v.is_finite());
    let to_btc: Vec<f64> = raw_ratio.iter().map(|v| base.map_or(f64::NAN, |b| v / b)).collect();
    let eth_btc: Vec<f64> = match &eth_close {
        Some(eth) => (0..n).map(|t| ratio(eth[t], btc_close[t])).collect(),
        None => vec![f64::NAN; n],
    };
    let trend = |v: &[f64], t: usize| -> Option<f64> {
        let before = *v.get(t.checked_sub(k)?)?;
        let x = (v[t] / before).ln();
        x.is_finite().then_some(x)
    };
    let finite = |v: f64| v.is_finite().then_some(v);
    let history: Vec<AltWeek> = calendar
        .iter()
        .enumerate()
        .map(|(t, date)| {
            let basket_to_btc_trend = trend(&to_btc, t);
            AltWeek {
                date,
                basket: finite(basket[t]),
                coins: counts[t],
                basket_to_btc: finite(to_btc[t]),
                basket_to_btc_trend,
                eth_btc: finite(eth_btc[t]),
                eth_btc_trend: trend(&eth_btc, t),
                regime: basket_to_btc_trend.map(|x| {
                    if x > 0.0 {
                        AltRegime::AltSeason
                    } else {
                        AltRegime::AltcoinSilence
                    }
                }),
            }
        })
        .collect();
    Some(InsideCrypto {
        coins: coins.into_iter().map(|(id, _)| id).collect(),
        missing,
        current: history.last().copied(),
        history,
    })
}

fn ratio(a: f64, b: f64) -> f64 {
    if a.is_finite() && b.is_finite() && b > 0.0 {
        a / b
    } else {
        f64::NAN
    }
}

/// Weekly (Friday) sums of daily flows on a calendar, for the spectrum's defensive-exit checklist
/// (`SpectrumInputs::etf_flows_weekly`): each Friday's value is the sum of the flow days first
/// public in the week ending that Friday (`previous Friday < date + lag <= Friday`), so every day
/// counts once and never before it is public; NaN for a week with no flow day.
pub fn weekly_flow_sums(days: &[FlowDay], calendar: &Calendar, lag_days: i32) -> Vec<f64> {
    let lag = lag_days.max(0);
    let mut out = vec![f64::NAN; calendar.len()];
    let Some(first) = calendar.first() else { return out };
    // Days public before the first week are not counted in any week.
    let mut i = days.iter().position(|d| d.date.add_days(lag) > first.add_days(-7)).unwrap_or(days.len());
    for (t, friday) in calendar.iter().enumerate() {
        let mut sum: Option<f64> = None;
        while let Some(day) = days.get(i).filter(|d| d.date.add_days(lag) <= friday) {
            sum = Some(sum.unwrap_or(0.0) + day.total);
            i += 1;
        }
        if let (Some(slot), Some(s)) = (out.get_mut(t), sum) {
            *slot = s;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_values() {
        assert_eq!(parse_flow_value("(12.3)"), Ok(Some(-12.3)));
        assert_eq!(parse_flow_value("1,234.5"), Ok(Some(1234.5)));
        assert_eq!(parse_flow_value("(1,234.5)"), Ok(Some(-1234.5)));
        assert_eq!(parse_flow_value("-95.1"), Ok(Some(-95.1)));
        assert_eq!(parse_flow_value("$5"), Ok(Some(5.0)));
        assert_eq!(parse_flow_value("-"), Ok(None));
        assert_eq!(parse_flow_value(""), Ok(None));
        assert_eq!(parse_flow_value("—"), Ok(None));
        assert_eq!(parse_flow_value("1,23"), Err(NotAFlowValue("1,23".into())));
        assert!(parse_flow_value("abc").is_err());
        assert!(parse_flow_value("(-3)").is_err());
    }

    #[test]
    fn flow_dates() {
        let d = |s| Date::parse_iso(s);
        assert_eq!(parse_flow_date("11 Jan 2024"), d("2024-01-11"));
        assert_eq!(parse_flow_date("1-February-2025"), d("2025-02-01"));
        assert_eq!(parse_flow_date("2024-01-11"), d("2024-01-11"));
        assert_eq!(parse_flow_date("Total"), None);
        assert_eq!(parse_flow_date("31 Feb 2024"), None);
    }

    /// Found by the `etf_flows` fuzz target: finite cells whose sum overflowed gave an infinite
    /// total, and `totals` then silently returned an empty series.
    #[test]
    fn a_sum_of_funds_that_overflows_is_refused_at_its_line() {
        let body = "Date,A,B\n2024-01-02,1e308,1e308\n2024-01-03,1,2\n";
        let error = parse_flow_table("flows.csv", body, None).unwrap_err();
        assert_eq!(error.location, Location::Line(2));
        assert!(matches!(error.kind, ParseErrorKind::NotFinite { .. }), "{error}");
        // A reported total whose difference from the funds overflows, likewise.
        let body = "Date,A,Total\n2024-01-02,-1e308,1e308\n";
        let error = parse_flow_table("flows.csv", body, None).unwrap_err();
        assert_eq!(error.location, Location::Line(2));
        assert!(matches!(error.kind, ParseErrorKind::NotFinite { .. }), "{error}");
        // Large but summable cells still read.
        let table = parse_flow_table("flows.csv", "Date,A,B\n2024-01-02,1e307,1e307\n", None).unwrap();
        assert_eq!(table.totals("ETF").len(), 1);
    }
}
