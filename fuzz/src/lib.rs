//! What every fuzz target checks beyond "no panic": the contracts the parsers promise in their docs.
//!
//! A target hands its input to one parser and then calls the checks here on what came back:
//!
//! - a [`Series`] is non-empty, its dates strictly ascend and its values are finite (the invariant
//!   of [`tideline_core::parse::SeriesBuilder`]);
//! - a [`ParseError`] prints, and a `Line(n)` it carries is a 1-based line of the body (errors
//!   carry the position where parsing failed, so a position outside the body is a bug too).
//!
//! Inputs are bytes; the parsers take text, so the bytes are read as UTF-8 with invalid sequences
//! replaced ([`text`]) rather than thrown away: every input reaches the parser.

use std::borrow::Cow;

use tideline_core::{Location, ParseError, Series};

/// The input as text: invalid UTF-8 replaced by U+FFFD, so that no input is wasted.
pub fn text(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Checks the series invariant on a parsed series.
pub fn check_series(series: &Series) {
    assert!(!series.is_empty(), "a parser returned an empty series");
    assert_eq!(series.dates().len(), series.values().len());
    for pair in series.dates().windows(2) {
        assert!(pair[0] < pair[1], "dates not strictly ascending: {} then {}", pair[0], pair[1]);
    }
    for value in series.values() {
        assert!(value.is_finite(), "a value is not finite: {value}");
    }
}

/// Checks that an error prints and that its line, if any, lies inside `body`.
pub fn check_error(error: &ParseError, body: &str) {
    let shown = error.to_string();
    assert!(!shown.is_empty());
    if let Location::Line(line) = error.location {
        // The `csv` crate ends a record at `\n`, `\r` or `\r\n`; counting both bounds every reader.
        let breaks = body.bytes().filter(|b| matches!(b, b'\n' | b'\r')).count();
        assert!(line >= 1, "line {line} is not 1-based: {shown}");
        assert!(line <= breaks + 1, "line {line} is past the end of a body of {breaks} line breaks: {shown}");
    }
}

/// Checks a parser's answer: the series invariant on success, a well-placed error on failure.
pub fn check_result(result: &Result<Series, ParseError>, body: &str) {
    match result {
        Ok(series) => check_series(series),
        Err(error) => check_error(error, body),
    }
}
