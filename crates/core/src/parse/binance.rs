//! Binance klines JSON (`GET /api/v3/klines`): an array of candles
//! `[open_time_ms, "open", "high", "low", "close", "volume", close_time_ms, ...]`.
//!
//! Design: the value is the candle's **close** (index 4, a string as Binance sends it or a number),
//! dated by the UTC day of its open time, so a `1d` candle opening at 00:00 UTC gives that day's
//! close. Shorter intervals (`4h`, `1h`) collapse to the last candle of each UTC day, whose close is
//! the day's close; open times must strictly increase. Only the first five elements are required,
//! so CoinGecko's `/coins/{id}/ohlc` arrays `[ms, open, high, low, close]` parse too; CoinGecko
//! stamps those candles at their *close* time, so each close is dated the day it was observed.
//! Binance's last candle may still be open (its close is the latest trade); it is kept.
//!
//! Errors point at a JSON path such as `$[3][4]`. An error object such as
//! `{"code": -1121, "msg": "Invalid symbol."}` is [`ParseErrorKind::BadJson`] naming the code and
//! message (and a rate limit as such).

use super::coingecko::{
    bad_json, describe, error_at, number, read_json, reject_error_object, timestamp_date, LastOfDay,
};
use super::stem;
use crate::error::{Location, ParseError};
use crate::series::Series;

const EXPECTED_TIME: &str = "an open time as a Unix timestamp in milliseconds (years 1800 to 2200)";

/// Parses a Binance klines body into daily closes. The series id is `id` when given, else the
/// source's file stem.
pub fn parse(source: &str, body: &str, id: Option<&str>) -> Result<Series, ParseError> {
    const EXPECTED: &str = "Binance klines JSON";
    let id = id.unwrap_or_else(|| stem(source));
    if let Some(series) = super::json_fast::binance(source, body, EXPECTED, id)? {
        return Ok(series);
    }
    read_tree(source, body, id)
}

/// The careful reader: the body as a `serde_json::Value` tree, walked with a JSON path, the
/// reference for every error (the fast reader of [`super::json_fast`] only reads good bodies).
pub(super) fn read_tree(source: &str, body: &str, id: &str) -> Result<Series, ParseError> {
    let root = read_json(source, body, "Binance klines JSON")?;
    reject_error_object(source, &root)?;
    let Some(klines) = root.as_array() else {
        return Err(bad_json(
            source,
            "$",
            format!(
                "expected an array of klines [open_time_ms, open, high, low, close, ...], found {}",
                describe(&root)
            ),
        ));
    };
    let mut days = LastOfDay::new(source);
    for (i, kline) in klines.iter().enumerate() {
        let Some([open_time, _open, _high, _low, close, ..]) = kline.as_array().map(Vec::as_slice) else {
            return Err(bad_json(
                source,
                &format!("$[{i}]"),
                format!(
                    "expected a kline [open_time_ms, open, high, low, close, ...] of at least 5 elements, \
                     found {}",
                    describe(kline)
                ),
            ));
        };
        let time_path = format!("$[{i}][0]");
        let (ms, date) = timestamp_date(source, open_time, &time_path, 1, EXPECTED_TIME)?;
        let Some(value) = number(close).map_err(|kind| error_at(source, &format!("$[{i}][4]"), kind))? else {
            continue;
        };
        days.push(ms, date, value, Location::JsonPath(time_path))?;
    }
    days.finish(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ParseErrorKind;

    fn fail(body: &str) -> (Location, ParseErrorKind) {
        let e = parse("k.json", body, None).expect_err("should fail");
        (e.location, e.kind)
    }

    fn path(p: &str) -> Location {
        Location::JsonPath(p.to_string())
    }

    const KLINES: &str = r#"[
        [1697328000000,"26852.48","27293.33","26808.25","27154.15","15274.69",1697414399999,"412673965.34",682942,"7802.69","210833694.13","0"],
        [1697414400000,"27154.14","30000.00","27112.66","28500.78","78399.22",1697500799999,"2210785548.23",2289339,"40738.04","1148700588.67","0"]
    ]"#;

    #[test]
    fn reads_closes_dated_by_open_day() {
        let s = parse("data/BTCUSDT_1d.json", KLINES, None).expect("valid");
        assert_eq!(s.id, "BTCUSDT_1d");
        let pairs: Vec<_> = s.iter().map(|(d, v)| (d.to_string(), v)).collect();
        assert_eq!(pairs, vec![("2023-10-15".to_string(), 27154.15), ("2023-10-16".to_string(), 28500.78)]);
    }

    #[test]
    fn reads_numeric_closes_and_collapses_intraday_candles() {
        // CoinGecko /ohlc shape, and two 12h candles of the same day.
        let body = "[[1697328000000, 1, 2, 0.5, 1.5], [1697371200000, 1.5, 3, 1, 2.5]]";
        let s = parse("ohlc.json", body, None).expect("valid");
        assert_eq!(s.len(), 1);
        assert_eq!(s.values(), &[2.5]);
    }

    #[test]
    fn names_each_error_and_its_path() {
        let (location, kind) = fail(r#"{"code":-1121,"msg":"Invalid symbol."}"#);
        assert_eq!(location, path("$"));
        assert!(
            matches!(&kind, ParseErrorKind::BadJson { what } if what.contains("-1121") && what.contains("Invalid symbol.")),
            "{kind:?}"
        );
        let (_, kind) = fail(r#"{"code":-1003,"msg":"Too many requests; current limit is 6000."}"#);
        assert!(matches!(&kind, ParseErrorKind::BadJson { what } if what.contains("rate limit")), "{kind:?}");
        assert!(matches!(fail(r#"{"x": 1}"#), (l, ParseErrorKind::BadJson { .. }) if l == path("$")));
        assert!(
            matches!(fail(r#"[[1697328000000, "1"]]"#), (l, ParseErrorKind::BadJson { .. }) if l == path("$[0]"))
        );
        assert_eq!(
            fail(r#"[[1697328000000, "1", "1", "1", "x"]]"#),
            (path("$[0][4]"), ParseErrorKind::NonNumeric { value: "x".into() })
        );
        assert_eq!(
            fail(r#"[[1697328000000, "1", "1", "1", "Infinity"]]"#),
            (path("$[0][4]"), ParseErrorKind::NotFinite { value: "Infinity".into() })
        );
        assert!(matches!(
            fail(r#"[[true, "1", "1", "1", "1"]]"#),
            (l, ParseErrorKind::BadDate { .. }) if l == path("$[0][0]")
        ));
        assert!(matches!(
            fail(r#"[[1697414400000, 1, 1, 1, 1], [1697328000000, 1, 1, 1, 1]]"#),
            (l, ParseErrorKind::NotAscending { .. }) if l == path("$[1][0]")
        ));
        assert!(matches!(
            fail("[[1697328000000, 1, 1, 1,"),
            (Location::Line(1), ParseErrorKind::Truncated { .. })
        ));
        assert_eq!(fail("[]"), (Location::Body, ParseErrorKind::NoObservations));
    }
}
