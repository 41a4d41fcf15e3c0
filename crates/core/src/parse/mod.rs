//! Parsers: feed bodies in, [`Series`] out, or a [`ParseError`] that says what and where.
//!
//! Design: each format has its own module with one entry function taking the source's name (for
//! error messages) and the body as text. They share [`SeriesBuilder`], which enforces the series
//! invariant (strictly ascending, unique dates, finite values) and turns a violation into a typed
//! error at the observation's position, and [`reject_html`], which recognises the error or
//! rate-limit page a feed sends instead of data. Missing observations (FRED's `.` or an empty cell)
//! are skipped, never filled.
//!
//! [`vintage`] reads the other shape of data: every vintage of a revised series (ALFRED's answer,
//! or the `vintages/<ID>.csv` file the mirror writes), from which the model takes first releases.

pub mod binance;
pub mod coingecko;
pub mod defillama;
pub mod fred;
mod json_fast;
pub mod records;
mod scan;
pub mod user_csv;
pub mod vintage;

use crate::date::Date;
use crate::error::{Location, ParseError, ParseErrorKind};
use crate::series::Series;

/// The feed formats Tideline reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// FRED CSV: `observation_date,<ID>` (or `DATE,<ID>`), `.` or empty for missing.
    Fred,
    /// CoinGecko `market_chart` JSON (`{"prices": [[ms, price], ...], ...}`).
    Coingecko,
    /// Binance klines JSON (`[[open_time_ms, "open", "high", "low", "close", ...], ...]`).
    Binance,
    /// DefiLlama stablecoin charts JSON (`[{"date": "secs", "totalCirculatingUSD": {...}}, ...]`).
    Defillama,
    /// A user CSV: a date column and a value column.
    Csv,
}

impl Format {
    /// The format's name as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Fred => "fred",
            Format::Coingecko => "coingecko",
            Format::Binance => "binance",
            Format::Defillama => "defillama",
            Format::Csv => "csv",
        }
    }

    /// Parses a format name as the command line spells it.
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "fred" => Some(Format::Fred),
            "coingecko" => Some(Format::Coingecko),
            "binance" => Some(Format::Binance),
            "defillama" => Some(Format::Defillama),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Parses `body` in `format`. `source` names the file or URL in error messages; `id` names the
/// resulting series (when `None`, the format's own column name or the source's stem is used).
pub fn parse(format: Format, source: &str, body: &str, id: Option<&str>) -> Result<Series, ParseError> {
    match format {
        Format::Fred => fred::parse(source, body, id),
        Format::Coingecko => coingecko::parse(source, body, id),
        Format::Binance => binance::parse(source, body, id),
        Format::Defillama => defillama::parse(source, body, id),
        Format::Csv => user_csv::parse(source, body, id),
    }
}

/// Guesses a body's format from its content (and the source's name as a tie-breaker).
///
/// - JSON object with `prices`: [`Format::Coingecko`]. An API error object (a rate limit, an
///   unknown coin or symbol) is refused with [`ParseErrorKind::BadJson`] naming it.
/// - JSON array whose first element is an array: [`Format::Binance`] (CoinGecko's `/ohlc` arrays
///   have the same shape and parse the same way).
/// - JSON array of objects with `date`: [`Format::Defillama`].
/// - An empty JSON array: the format the source's name suggests (`binance`, `llama`), else
///   [`ParseErrorKind::NoObservations`].
/// - A JSON body cut short is still recognised from its opening, so that parsing it reports
///   [`ParseErrorKind::Truncated`] at the right place.
/// - CSV whose header is two columns, the first `observation_date` or `DATE` (any case), and whose
///   first row starts with a `YYYY-MM-DD` date: [`Format::Fred`]. Any other text: [`Format::Csv`]
///   (the first-row check sends a `date,value` file with `MM/DD/YYYY` dates to the CSV parser,
///   which reads them).
/// - An HTML page: [`ParseErrorKind::Html`]; a blank body: [`ParseErrorKind::Empty`].
pub fn detect(source: &str, body: &str) -> Result<Format, ParseError> {
    use serde_json::Value;

    reject_html(source, body, "CSV or JSON")?;
    let text = body.trim_start_matches('\u{feff}').trim_start();

    if text.starts_with(['{', '[']) {
        // The usual bodies, told apart without building a tree; the rest read as a tree below.
        if let Some(format) = json_fast::detect_shape(body) {
            return Ok(format);
        }
        let root = match coingecko::read_json(source, body, "JSON") {
            Ok(root) => root,
            Err(e) => {
                // Cut short: tell the formats apart by their opening.
                let opening: String = text.chars().filter(|c| !c.is_whitespace()).take(64).collect();
                return if text.starts_with('{') && text.contains("\"prices\"") {
                    Ok(Format::Coingecko)
                } else if opening.starts_with("[[") {
                    Ok(Format::Binance)
                } else if opening.starts_with("[{") && text.contains("\"date\"") {
                    Ok(Format::Defillama)
                } else {
                    Err(e)
                };
            }
        };
        let unknown = |path: &str, found: &Value| {
            ParseError::new(
                source,
                Location::JsonPath(path.to_string()),
                ParseErrorKind::BadJson {
                    what: format!(
                        "expected CoinGecko market_chart (an object with `prices`), Binance klines (an array \
                         of arrays) or DefiLlama charts (an array of objects with `date`), found {}",
                        coingecko::describe(found)
                    ),
                },
            )
        };
        return match &root {
            Value::Object(object) if object.contains_key("prices") => Ok(Format::Coingecko),
            Value::Object(_) => {
                coingecko::reject_error_object(source, &root)?;
                Err(unknown("$", &root))
            }
            Value::Array(items) => match items.first() {
                Some(Value::Array(_)) => Ok(Format::Binance),
                Some(Value::Object(first)) if first.contains_key("date") => Ok(Format::Defillama),
                Some(first) => Err(unknown("$[0]", first)),
                None => {
                    let name = source.to_ascii_lowercase();
                    if name.contains("binance") || name.contains("klines") {
                        Ok(Format::Binance)
                    } else if name.contains("llama") {
                        Ok(Format::Defillama)
                    } else {
                        Err(ParseError::new(source, Location::Body, ParseErrorKind::NoObservations))
                    }
                }
            },
            other => Err(unknown("$", other)),
        };
    }

    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let first_cell = |line: &str| line.split(',').next().unwrap_or("").trim().trim_matches('"').to_string();
    let header = lines.next().unwrap_or("");
    let name = first_cell(header);
    let fred_header = header.split(',').count() == 2
        && (name.eq_ignore_ascii_case("observation_date") || name.eq_ignore_ascii_case("date"));
    let iso_rows = lines.next().is_none_or(|row| Date::parse_iso(&first_cell(row)).is_some());
    Ok(if fred_header && iso_rows { Format::Fred } else { Format::Csv })
}

/// Fails with [`ParseErrorKind::Empty`] on a blank body and [`ParseErrorKind::Html`] on an HTML
/// page.
pub fn reject_html(source: &str, body: &str, expected: &'static str) -> Result<(), ParseError> {
    let head = body.trim_start_matches('\u{feff}').trim_start();
    if head.is_empty() {
        return Err(ParseError::new(source, Location::Body, ParseErrorKind::Empty));
    }
    let lower: String = head.chars().take(64).collect::<String>().to_ascii_lowercase();
    if lower.starts_with("<!doctype")
        || lower.starts_with("<html")
        || lower.starts_with("<?xml")
        || lower.starts_with("<head")
        || lower.starts_with("<body")
    {
        return Err(ParseError::new(source, Location::Line(1), ParseErrorKind::Html { expected }));
    }
    Ok(())
}

/// Collects observations in order and enforces the series invariant.
#[derive(Debug)]
pub struct SeriesBuilder<'a> {
    source: &'a str,
    dates: Vec<Date>,
    values: Vec<f64>,
}

impl<'a> SeriesBuilder<'a> {
    /// A builder for observations from `source`.
    pub fn new(source: &'a str) -> SeriesBuilder<'a> {
        SeriesBuilder::with_capacity(source, 0)
    }

    /// A builder with room for `observations` pushes (an estimate from the body's size, so that
    /// the vectors are sized once).
    pub fn with_capacity(source: &'a str, observations: usize) -> SeriesBuilder<'a> {
        SeriesBuilder {
            source,
            dates: Vec::with_capacity(observations),
            values: Vec::with_capacity(observations),
        }
    }

    /// Adds one observation found at `location`.
    pub fn push(
        &mut self,
        date: Date,
        value: f64,
        location: impl FnOnce() -> Location,
    ) -> Result<(), ParseError> {
        if let Some(&previous) = self.dates.last() {
            if date == previous {
                return Err(ParseError::new(self.source, location(), ParseErrorKind::DuplicateDate { date }));
            }
            if date < previous {
                return Err(ParseError::new(
                    self.source,
                    location(),
                    ParseErrorKind::NotAscending { date, previous },
                ));
            }
        }
        if !value.is_finite() {
            return Err(ParseError::new(
                self.source,
                location(),
                ParseErrorKind::NotFinite { value: value.to_string() },
            ));
        }
        self.dates.push(date);
        self.values.push(value);
        Ok(())
    }

    /// The series, or [`ParseErrorKind::NoObservations`] when nothing was pushed.
    pub fn finish(self, id: &str) -> Result<Series, ParseError> {
        if self.dates.is_empty() {
            return Err(ParseError::new(self.source, Location::Body, ParseErrorKind::NoObservations));
        }
        // The pushes above kept the invariant, so `new` cannot refuse.
        Series::new(id, self.dates, self.values)
            .ok_or_else(|| ParseError::new(self.source, Location::Body, ParseErrorKind::NoObservations))
    }
}

/// The non-blank records of a delimited body (quotes, embedded delimiters and line ends handled by
/// [`records::records`]; cells trimmed; rows of any width) with the 1-based line each starts on.
/// Every text reads (a quote left open runs to the end of the body, as RFC 4180 readers do); what
/// the cells mean is the caller's to check.
pub(crate) fn csv_records(body: &str, delimiter: u8) -> Vec<(usize, records::Record)> {
    let mut rows = records::records(body, delimiter);
    rows.retain(|(_, record)| !record.iter().all(str::is_empty)); // blank lines, or delimiters only
    rows
}

/// Parses a decimal number; `None` when it is not one. Plain decimals take a fast path
/// ([`scan::plain_decimal`]) that gives the very bits `str::parse` gives.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let t = scan::trim(text);
    if t.is_empty() {
        return None;
    }
    scan::plain_decimal(t.as_bytes()).or_else(|| t.parse::<f64>().ok())
}

/// The file stem of a path or URL, used as a series id when a body does not name one.
pub fn stem(source: &str) -> &str {
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let name = name.split(['?', '#']).next().unwrap_or(name);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}
