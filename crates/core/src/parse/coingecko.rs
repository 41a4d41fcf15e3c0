//! CoinGecko `market_chart` JSON: `{"prices": [[ms, price], ...], "market_caps": [...],
//! "total_volumes": [...]}`. Only `prices` is read.
//!
//! Design: CoinGecko stamps each point with a Unix time in milliseconds. With `interval=daily` the
//! points sit at 00:00 UTC, plus a last "now" point stamped with the time of the request; with
//! shorter ranges they are hourly or finer. Both reduce to one value per UTC calendar day: the
//! **last** point of the day wins, so an hourly series becomes a daily one. A point is dated by the
//! UTC day whose close it is ([`crate::dating::snapshot_day`]): the 00:00 UTC snapshot of day `D`
//! (or one within the hour after it) is the close of `D - 1` and is dated `D - 1` (FRED's Coinbase series, Binance and Yahoo date
//! that close `D - 1` too), while the "now" point of the request and hourly points keep their own
//! day (the "now" point is the latest price of a day not yet over, like Binance's open candle). Timestamps must strictly
//! increase; a repeated timestamp is a [`ParseErrorKind::DuplicateDate`], one that goes back a
//! [`ParseErrorKind::NotAscending`]. A `null` price is a missing observation and is skipped.
//!
//! Errors point at a JSON path such as `$.prices[12][1]`. A body cut short is
//! [`ParseErrorKind::Truncated`]; CoinGecko's error objects (`{"status": {"error_code": 429, ...}}`
//! when rate limited, `{"error": "coin not found"}`) are [`ParseErrorKind::BadJson`] naming the
//! code and message.
//!
//! The JSON plumbing shared by the three JSON feeds (reading a body, recognising an error object,
//! reading numbers and timestamps, collapsing several points per day) lives here, beside the first
//! JSON format, and is used by [`super::binance`] and [`super::defillama`].

use serde_json::Value;

use super::{parse_number, reject_html, stem, SeriesBuilder};
use crate::date::Date;
use crate::dating::snapshot_day;
use crate::error::{Location, ParseError, ParseErrorKind};
use crate::series::Series;

const EXPECTED_TIME: &str = "a Unix timestamp in milliseconds (years 1800 to 2200)";

/// Parses a CoinGecko `market_chart` body into one value per UTC day (the day's last price). The
/// series id is `id` when given, else the source's file stem.
pub fn parse(source: &str, body: &str, id: Option<&str>) -> Result<Series, ParseError> {
    const EXPECTED: &str = "CoinGecko market_chart JSON";
    let id = id.unwrap_or_else(|| stem(source));
    if let Some(series) = super::json_fast::coingecko(source, body, EXPECTED, id)? {
        return Ok(series);
    }
    read_tree(source, body, id)
}

/// The careful reader: the body as a `serde_json::Value` tree, walked with a JSON path, the
/// reference for every error (the fast reader of [`super::json_fast`] only reads good bodies).
pub(super) fn read_tree(source: &str, body: &str, id: &str) -> Result<Series, ParseError> {
    let root = read_json(source, body, "CoinGecko market_chart JSON")?;
    reject_error_object(source, &root)?;
    let Some(prices) = root.as_object().and_then(|o| o.get("prices")) else {
        return Err(bad_json(
            source,
            "$",
            format!("expected an object with a `prices` array, found {}", describe(&root)),
        ));
    };
    let Some(points) = prices.as_array() else {
        return Err(bad_json(
            source,
            "$.prices",
            format!("expected an array of [timestamp_ms, price] pairs, found {}", describe(prices)),
        ));
    };
    let mut days = LastOfDay::new(source);
    for (i, point) in points.iter().enumerate() {
        let Some([time, price]) = point.as_array().map(Vec::as_slice) else {
            return Err(bad_json(
                source,
                &format!("$.prices[{i}]"),
                format!("expected a [timestamp_ms, price] pair, found {}", describe(point)),
            ));
        };
        let time_path = format!("$.prices[{i}][0]");
        let (ms, stamped) = timestamp_date(source, time, &time_path, 1, EXPECTED_TIME)?;
        // A snapshot just after 00:00 UTC is the close of the day that just ended (crate::dating).
        let date = snapshot_day(ms).unwrap_or(stamped);
        let Some(value) =
            number(price).map_err(|kind| error_at(source, &format!("$.prices[{i}][1]"), kind))?
        else {
            continue;
        };
        days.push(ms, date, value, Location::JsonPath(time_path))?;
    }
    days.finish(id)
}

/// Reads a JSON body: [`ParseErrorKind::Empty`] or [`ParseErrorKind::Html`] first (see
/// [`reject_html`]), then [`ParseErrorKind::Truncated`] when the document ends early and
/// [`ParseErrorKind::BadJson`] for any other syntax error, at the line where it was found.
pub(super) fn read_json(source: &str, body: &str, expected: &'static str) -> Result<Value, ParseError> {
    reject_html(source, body, expected)?;
    let text = body.trim_start_matches('\u{feff}');
    serde_json::from_str(text).map_err(|e| {
        let kind = if e.is_eof() {
            ParseErrorKind::Truncated {
                what: format!("the JSON document ends early (line {}, column {})", e.line(), e.column()),
            }
        } else {
            let opening: String = text.trim_start().chars().take(40).collect();
            ParseErrorKind::BadJson { what: format!("{e} (the body starts with {opening:?})") }
        };
        ParseError::new(source, Location::Line(e.line().max(1)), kind)
    })
}

/// Fails with [`ParseErrorKind::BadJson`] when `root` is an API error object instead of data:
/// CoinGecko's `{"status": {"error_code": 429, "error_message": ...}}` or `{"error": ...}`, or
/// Binance's `{"code": -1121, "msg": "Invalid symbol."}`. The message names the code and the
/// provider's text, and says so when it is a rate limit.
pub(super) fn reject_error_object(source: &str, root: &Value) -> Result<(), ParseError> {
    let Some(object) = root.as_object() else { return Ok(()) };
    let status = object
        .get("status")
        .and_then(Value::as_object)
        .filter(|s| s.contains_key("error_code") || s.contains_key("error_message"));
    let (code, message) = if let Some(status) = status {
        (status.get("error_code"), status.get("error_message"))
    } else if let Some(error) = object.get("error") {
        (object.get("code").or_else(|| object.get("status")), Some(error))
    } else if object.contains_key("code") && object.contains_key("msg") {
        (object.get("code"), object.get("msg"))
    } else {
        return Ok(());
    };
    let message = message.map(plain).unwrap_or_default();
    let code_number = code.and_then(Value::as_i64);
    let lower = message.to_lowercase();
    // 429 is HTTP's and CoinGecko's code; Binance uses -1003 (too many requests), -1015 (too many
    // orders) and 418 (banned after ignoring 429s).
    let rate_limited = matches!(code_number, Some(429 | 418 | -1003 | -1015))
        || ["rate limit", "too many requests", "throttl"].iter().any(|w| lower.contains(w));
    let detail = match code {
        Some(code) => format!("code {}: {message}", plain(code)),
        None => message,
    };
    let what = format!(
        "the feed sent an error object instead of data{}: {detail}",
        if rate_limited { " (rate limit: wait and retry)" } else { "" }
    );
    Err(bad_json(source, "$", what))
}

/// A Unix timestamp (an integer, an integral float or a string of digits); `None` otherwise.
pub(super) fn timestamp(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            // Some writers emit `1.5405e12`; accept it when it is a whole number in range.
            n.as_f64().filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64)
        }),
        Value::String(s) => {
            let t = s.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            t.parse().ok()
        }
        _ => None,
    }
}

/// A timestamp and its UTC day: `raw` read by [`timestamp`] in units of `millis_per_unit`
/// milliseconds (1 for milliseconds, 1000 for seconds), returned in milliseconds. Anything else, or
/// a day outside the years 1800 to 2200 (a timestamp in microseconds, say), is a
/// [`ParseErrorKind::BadDate`] at `path` showing the value as written.
pub(super) fn timestamp_date(
    source: &str,
    raw: &Value,
    path: &str,
    millis_per_unit: i64,
    expected: &'static str,
) -> Result<(i64, Date), ParseError> {
    timestamp(raw)
        .and_then(|t| stamp_day(t, millis_per_unit))
        .ok_or_else(|| error_at(source, path, ParseErrorKind::BadDate { value: plain(raw), expected }))
}

/// A timestamp `t` in units of `millis_per_unit` milliseconds, in milliseconds, and its UTC day;
/// `None` outside the years 1800 to 2200 (see [`timestamp_date`]).
pub(super) fn stamp_day(t: i64, millis_per_unit: i64) -> Option<(i64, Date)> {
    const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1800..=2200;
    let ms = t.checked_mul(millis_per_unit)?;
    let date = Date::from_unix_millis(ms).filter(|d| PLAUSIBLE_YEARS.contains(&d.year()))?;
    Some((ms, date))
}

/// A JSON value as a number: `Ok(Some(x))` for a number or a numeric string, `Ok(None)` for `null`
/// or an empty string (a missing observation), else [`ParseErrorKind::NonNumeric`] or
/// [`ParseErrorKind::NotFinite`].
pub(super) fn number(value: &Value) -> Result<Option<f64>, ParseErrorKind> {
    let parsed = match value {
        Value::Null => return Ok(None),
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => parse_number(s),
        _ => None,
    };
    match parsed {
        Some(x) if x.is_finite() => Ok(Some(x)),
        Some(_) => Err(ParseErrorKind::NotFinite { value: plain(value) }),
        None => Err(ParseErrorKind::NonNumeric { value: plain(value) }),
    }
}

/// A value's text for an error message: a string without its quotes, anything else as JSON,
/// shortened to 40 characters.
pub(super) fn plain(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    shorten(&text)
}

/// What a value is, for "expected ..., found ..." messages.
pub(super) fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(a) if a.is_empty() => return "an empty array".to_string(),
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    format!("{kind} `{}`", shorten(&value.to_string()))
}

fn shorten(text: &str) -> String {
    const LIMIT: usize = 40;
    if text.chars().count() > LIMIT {
        format!("{}...", text.chars().take(LIMIT).collect::<String>())
    } else {
        text.to_string()
    }
}

/// A JSON path to a member: `$[3].date`, or `$[3]["odd key"]` when the key is not a plain name.
pub(super) fn member_path(base: &str, key: &str) -> String {
    let plain_name = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain_name {
        format!("{base}.{key}")
    } else {
        format!("{base}[{key:?}]")
    }
}

/// A [`ParseErrorKind::BadJson`] at `path`.
pub(super) fn bad_json(source: &str, path: &str, what: String) -> ParseError {
    error_at(source, path, ParseErrorKind::BadJson { what })
}

/// An error of `kind` at the JSON `path`.
pub(super) fn error_at(source: &str, path: &str, kind: ParseErrorKind) -> ParseError {
    ParseError::new(source, Location::JsonPath(path.to_string()), kind)
}

/// Collapses timestamped points to the last one of each UTC day, then feeds a [`SeriesBuilder`].
///
/// Timestamps must strictly increase: an equal one is a duplicate, an earlier one goes backwards.
#[derive(Debug)]
pub(super) struct LastOfDay<'a> {
    source: &'a str,
    builder: SeriesBuilder<'a>,
    pending: Option<Point>,
}

#[derive(Debug)]
struct Point {
    ms: i64,
    date: Date,
    value: f64,
    location: Location,
}

impl<'a> LastOfDay<'a> {
    /// A collector for points from `source`.
    pub(super) fn new(source: &'a str) -> LastOfDay<'a> {
        LastOfDay::with_capacity(source, 0)
    }

    /// A collector with room for `points` days.
    pub(super) fn with_capacity(source: &'a str, points: usize) -> LastOfDay<'a> {
        LastOfDay { source, builder: SeriesBuilder::with_capacity(source, points), pending: None }
    }

    /// Adds the point stamped `ms` (Unix milliseconds) on UTC day `date`, found at `location`.
    pub(super) fn push(
        &mut self,
        ms: i64,
        date: Date,
        value: f64,
        location: Location,
    ) -> Result<(), ParseError> {
        if let Some(pending) = &self.pending {
            if ms == pending.ms {
                return Err(ParseError::new(self.source, location, ParseErrorKind::DuplicateDate { date }));
            }
            if ms < pending.ms {
                let kind = ParseErrorKind::NotAscending { date, previous: pending.date };
                return Err(ParseError::new(self.source, location, kind));
            }
        }
        let next = Point { ms, date, value, location };
        match self.pending.take() {
            Some(done) if done.date != date => {
                self.builder.push(done.date, done.value, || done.location)?;
            }
            _ => {}
        }
        self.pending = Some(next);
        Ok(())
    }

    /// The series, or [`ParseErrorKind::NoObservations`] when no point was pushed.
    pub(super) fn finish(mut self, id: &str) -> Result<Series, ParseError> {
        if let Some(last) = self.pending.take() {
            self.builder.push(last.date, last.value, || last.location)?;
        }
        self.builder.finish(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: i64 = 86_400_000;
    /// 2024-01-01 00:00 UTC.
    const JAN_1: i64 = 1_704_067_200_000;

    fn fail(body: &str) -> (Location, ParseErrorKind) {
        let e = parse("cg.json", body, None).expect_err("should fail");
        (e.location, e.kind)
    }

    fn path(p: &str) -> Location {
        Location::JsonPath(p.to_string())
    }

    #[test]
    fn reads_daily_prices_and_keeps_the_last_point_of_a_day() {
        // Midnight snapshots close the day before; two hourly points of 2024-01-02 collapse into
        // the later one.
        let body = format!(
            r#"{{"prices": [[{a}, 100.5], [{b}, 101], [{h}, 101.5], [{now}, 102.25]], "market_caps": [], "total_volumes": []}}"#,
            a = JAN_1,
            b = JAN_1 + DAY_MS,
            h = JAN_1 + DAY_MS + 3_600_000,
            now = JAN_1 + DAY_MS + 17 * 3_600_000,
        );
        let s = parse("data/bitcoin.json", &body, None).expect("valid");
        assert_eq!(s.id, "bitcoin");
        let days: Vec<(String, f64)> = s.iter().map(|(d, v)| (d.to_string(), v)).collect();
        assert_eq!(
            days,
            [("2023-12-31".into(), 100.5), ("2024-01-01".into(), 101.0), ("2024-01-02".into(), 102.25)]
        );
        let s = parse("x", &body, Some("CBBTCUSD")).expect("valid");
        assert_eq!(s.id, "CBBTCUSD");
    }

    #[test]
    fn skips_null_prices_and_reads_numeric_strings() {
        let body = format!(r#"{{"prices": [[{}, null], [{}, "7.5"]]}}"#, JAN_1, JAN_1 + DAY_MS);
        let s = parse("x.json", &body, None).expect("valid");
        assert_eq!(s.values(), &[7.5]);
    }

    #[test]
    fn names_each_error_and_its_path() {
        assert_eq!(fail("  "), (Location::Body, ParseErrorKind::Empty));
        assert!(matches!(fail("<html><body>busy</body></html>").1, ParseErrorKind::Html { .. }));
        assert!(matches!(
            fail(r#"{"prices": [[1, 2]"#),
            (Location::Line(1), ParseErrorKind::Truncated { .. })
        ));
        assert!(matches!(fail("{prices}"), (Location::Line(1), ParseErrorKind::BadJson { .. })));
        assert!(
            matches!(fail(r#"{"total_volumes": []}"#), (l, ParseErrorKind::BadJson { .. }) if l == path("$"))
        );
        assert!(
            matches!(fail(r#"{"prices": 3}"#), (l, ParseErrorKind::BadJson { .. }) if l == path("$.prices"))
        );
        assert!(matches!(
            fail(&format!(r#"{{"prices": [[{JAN_1}, 1], [{JAN_1}]]}}"#)),
            (l, ParseErrorKind::BadJson { .. }) if l == path("$.prices[1]")
        ));
        assert_eq!(
            fail(&format!(r#"{{"prices": [[{JAN_1}, 1], [{}, "n/a"]]}}"#, JAN_1 + DAY_MS)),
            (path("$.prices[1][1]"), ParseErrorKind::NonNumeric { value: "n/a".into() })
        );
        assert!(matches!(
            fail(r#"{"prices": [["soon", 1]]}"#),
            (l, ParseErrorKind::BadDate { .. }) if l == path("$.prices[0][0]")
        ));
        assert!(matches!(
            fail(&format!(r#"{{"prices": [[{JAN_1}, 1], [{JAN_1}, 2]]}}"#)),
            (l, ParseErrorKind::DuplicateDate { .. }) if l == path("$.prices[1][0]")
        ));
        assert!(matches!(
            fail(&format!(r#"{{"prices": [[{JAN_1}, 1], [{}, 2]]}}"#, JAN_1 - DAY_MS)),
            (l, ParseErrorKind::NotAscending { .. }) if l == path("$.prices[1][0]")
        ));
        assert!(matches!(
            fail(r#"{"prices": [[99999999999999999, 1]]}"#),
            (l, ParseErrorKind::BadDate { .. }) if l == path("$.prices[0][0]")
        ));
        assert_eq!(fail(r#"{"prices": []}"#), (Location::Body, ParseErrorKind::NoObservations));
    }

    #[test]
    fn names_rate_limits_and_error_objects() {
        let (location, kind) =
            fail(r#"{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit."}}"#);
        assert_eq!(location, path("$"));
        let ParseErrorKind::BadJson { what } = kind else { panic!("expected BadJson, got {kind:?}") };
        assert!(what.contains("rate limit") && what.contains("429"), "{what}");
        let (_, kind) = fail(r#"{"error":"coin not found"}"#);
        assert!(matches!(kind, ParseErrorKind::BadJson { what } if what.contains("coin not found")));
    }

    #[test]
    fn reads_timestamps_in_every_spelling() {
        assert_eq!(timestamp(&serde_json::json!(1_704_067_200_000_i64)), Some(JAN_1));
        assert_eq!(timestamp(&serde_json::json!(1.7040672e12)), Some(JAN_1));
        assert_eq!(timestamp(&serde_json::json!("1704067200000")), Some(JAN_1));
        assert_eq!(timestamp(&serde_json::json!(1.5)), None);
        assert_eq!(timestamp(&serde_json::json!("12a")), None);
        assert_eq!(timestamp(&serde_json::json!("-")), None);
        assert_eq!(member_path("$[1]", "peggedUSD"), "$[1].peggedUSD");
        assert_eq!(member_path("$[1]", "a b"), "$[1][\"a b\"]");
    }
}
