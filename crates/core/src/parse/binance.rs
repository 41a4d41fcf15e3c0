//! Binance klines JSON.

use crate::error::{Location, ParseError, ParseErrorKind};
use crate::series::Series;

/// Parses a body (placeholder until the parser lands).
pub fn parse(source: &str, _body: &str, _id: Option<&str>) -> Result<Series, ParseError> {
    Err(ParseError::new(
        source,
        Location::Body,
        ParseErrorKind::BadJson { what: "format not supported yet".into() },
    ))
}
