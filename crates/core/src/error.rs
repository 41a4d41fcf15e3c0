//! Errors of the data layer.
//!
//! Design: every parse failure names the *source* (a file name, URL or series id), *where* it
//! happened (a 1-based line of text or a JSON path) and *what* was expected, so a person can open
//! the file and fix it. Errors are `Send + Sync + 'static` so they cross threads, Web Workers and
//! Leptos' error boundaries unchanged.

use std::fmt;

use crate::date::Date;

/// Where in a body a problem was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The whole body (for example: it is empty).
    Body,
    /// A 1-based line of a text body.
    Line(usize),
    /// A JSON path such as `$.prices[12][1]`.
    JsonPath(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Body => f.write_str("body"),
            Location::Line(n) => write!(f, "line {n}"),
            Location::JsonPath(p) => write!(f, "{p}"),
        }
    }
}

/// What went wrong while parsing a feed body.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParseErrorKind {
    /// The body holds no data at all.
    #[error("empty body: expected a header and at least one observation")]
    Empty,
    /// The body holds a header but no observation.
    #[error("no observations after the header")]
    NoObservations,
    /// An HTML page arrived where CSV or JSON was expected (an error or rate-limit page).
    #[error("an HTML page where {expected} was expected (an error or rate-limit page?)")]
    Html {
        /// The format that was expected.
        expected: &'static str,
    },
    /// The header does not have the expected shape.
    #[error("unexpected header {found:?}: expected {expected}")]
    BadHeader {
        /// What was found.
        found: String,
        /// What was expected.
        expected: String,
    },
    /// A value that should be a number is not one.
    #[error("non-numeric value {value:?}")]
    NonNumeric {
        /// The offending text.
        value: String,
    },
    /// A number that is not finite (NaN or infinite).
    #[error("value {value:?} is not a finite number")]
    NotFinite {
        /// The offending text.
        value: String,
    },
    /// A date that cannot be read.
    #[error("unparseable date {value:?}: expected {expected}")]
    BadDate {
        /// The offending text.
        value: String,
        /// The accepted forms.
        expected: &'static str,
    },
    /// A date whose day/month order cannot be decided from the file.
    #[error("ambiguous date {value:?}: day and month could be either way round; use YYYY-MM-DD")]
    AmbiguousDate {
        /// The offending text.
        value: String,
    },
    /// The same date appears twice.
    #[error("duplicate date {date}")]
    DuplicateDate {
        /// The repeated date.
        date: Date,
    },
    /// The same observation date and real-time start appear twice in a vintage file.
    #[error("duplicate vintage: observation {date} with realtime_start {realtime_start} appears twice")]
    DuplicateVintage {
        /// The observation date.
        date: Date,
        /// The vintage's first day.
        realtime_start: Date,
    },
    /// Dates go backwards.
    #[error("dates not ascending: {date} after {previous}")]
    NotAscending {
        /// The out-of-order date.
        date: Date,
        /// The date before it.
        previous: Date,
    },
    /// A row with the wrong number of columns.
    #[error("wrong column count: expected {expected}, found {found}")]
    WrongColumnCount {
        /// Columns in the header.
        expected: usize,
        /// Columns in this row.
        found: usize,
    },
    /// The body ends in the middle of a record or document.
    #[error("truncated: {what}")]
    Truncated {
        /// What was cut short.
        what: String,
    },
    /// JSON that is malformed or does not have the expected structure.
    #[error("unexpected JSON: {what}")]
    BadJson {
        /// What was expected or wrong.
        what: String,
    },
    /// A value outside the series' plausible range in canonical units (a feed that changed units).
    #[error(
        "value {value} {units} is outside the plausible range {min}..{max} {units} (did the feed change its units?)"
    )]
    OutOfRange {
        /// The value, in canonical units.
        value: f64,
        /// The lower bound.
        min: f64,
        /// The upper bound.
        max: f64,
        /// The canonical units.
        units: String,
    },
}

/// A parse failure: which source, where in it, and what was wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{source_name}: {location}: {kind}")]
pub struct ParseError {
    /// The file name, URL or series id that was being parsed.
    pub source_name: String,
    /// Where in the body the problem was found.
    pub location: Location,
    /// What was wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    /// A new error.
    pub fn new(source_name: &str, location: Location, kind: ParseErrorKind) -> ParseError {
        ParseError { source_name: source_name.to_string(), location, kind }
    }
}
