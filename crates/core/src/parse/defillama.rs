//! DefiLlama stablecoin charts JSON (`https://stablecoins.llama.fi/stablecoincharts/all`): an
//! array of `{"date": "1617235200", "totalCirculating": {"peggedUSD": ...},
//! "totalCirculatingUSD": {"peggedUSD": ..., "peggedEUR": ...}, ...}`.
//!
//! Design: the value is the total stablecoin supply in USD, the **sum of every amount in
//! `totalCirculatingUSD`** (each peg already valued in USD by DefiLlama). When that object is absent
//! or holds no amount, `totalCirculating.peggedUSD` (the dollar-pegged supply, in units of about one
//! dollar) stands in; when neither holds an amount the day is missing and skipped, never filled with
//! zero (the earliest days of the feed have empty objects). `date` is a Unix time in **seconds**, as a
//! string or a number; several entries on one UTC day keep the last.
//!
//! Errors point at a JSON path such as `$[3].date` or `$[3].totalCirculatingUSD.peggedEUR`.

use serde_json::{Map, Value};

use super::coingecko::{
    bad_json, describe, error_at, member_path, number, read_json, reject_error_object, timestamp_date,
    LastOfDay,
};
use super::stem;
use crate::error::{Location, ParseError};
use crate::series::Series;

const CIRCULATING_USD: &str = "totalCirculatingUSD";
const CIRCULATING: &str = "totalCirculating";
const EXPECTED_TIME: &str = "a Unix timestamp in seconds (years 1800 to 2200)";

/// Parses a DefiLlama stablecoin charts body into the daily total supply in USD. The series id is
/// `id` when given, else the source's file stem.
pub fn parse(source: &str, body: &str, id: Option<&str>) -> Result<Series, ParseError> {
    const EXPECTED: &str = "DefiLlama stablecoin charts JSON";
    let id = id.unwrap_or_else(|| stem(source));
    if let Some(series) = super::json_fast::defillama(source, body, EXPECTED, id)? {
        return Ok(series);
    }
    read_tree(source, body, id)
}

/// The careful reader: the body as a `serde_json::Value` tree, walked with a JSON path, the
/// reference for every error (the fast reader of [`super::json_fast`] only reads good bodies).
pub(super) fn read_tree(source: &str, body: &str, id: &str) -> Result<Series, ParseError> {
    let root = read_json(source, body, "DefiLlama stablecoin charts JSON")?;
    reject_error_object(source, &root)?;
    let Some(entries) = root.as_array() else {
        return Err(bad_json(
            source,
            "$",
            format!(
                "expected an array of {{\"date\", \"{CIRCULATING_USD}\"}} objects, found {}",
                describe(&root)
            ),
        ));
    };
    let mut days = LastOfDay::new(source);
    for (i, entry) in entries.iter().enumerate() {
        let base = format!("$[{i}]");
        let Some(fields) = entry.as_object() else {
            return Err(bad_json(
                source,
                &base,
                format!("expected an object with `date` and `{CIRCULATING_USD}`, found {}", describe(entry)),
            ));
        };
        let date_path = member_path(&base, "date");
        let Some(date) = fields.get("date") else {
            return Err(bad_json(source, &base, "expected a `date` member (Unix seconds)".to_string()));
        };
        let (ms, date) = timestamp_date(source, date, &date_path, 1000, EXPECTED_TIME)?;
        let Some(value) = circulating_usd(source, fields, &base)? else { continue };
        days.push(ms, date, value, Location::JsonPath(date_path))?;
    }
    days.finish(id)
}

/// The entry's supply in USD, `None` when it holds no amount.
fn circulating_usd(source: &str, fields: &Map<String, Value>, base: &str) -> Result<Option<f64>, ParseError> {
    let usd = fields.get(CIRCULATING_USD);
    if let Some(usd) = usd {
        let usd_path = member_path(base, CIRCULATING_USD);
        let Some(pegs) = usd.as_object() else {
            return Err(bad_json(
                source,
                &usd_path,
                format!("expected an object of USD amounts by peg, found {}", describe(usd)),
            ));
        };
        let mut total = None;
        for (peg, amount) in pegs {
            let amount =
                number(amount).map_err(|kind| error_at(source, &member_path(&usd_path, peg), kind))?;
            if let Some(amount) = amount {
                total = Some(total.unwrap_or(0.0) + amount);
            }
        }
        if total.is_some() {
            return Ok(total);
        }
    }
    let fallback = fields.get(CIRCULATING);
    match fallback.and_then(|c| c.get("peggedUSD")) {
        Some(amount) => {
            let path = member_path(&member_path(base, CIRCULATING), "peggedUSD");
            number(amount).map_err(|kind| error_at(source, &path, kind))
        }
        None if usd.is_none() && fallback.is_none() => Err(bad_json(
            source,
            base,
            format!("expected `{CIRCULATING_USD}` (or `{CIRCULATING}.peggedUSD`) with the supply"),
        )),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ParseErrorKind;

    fn fail(body: &str) -> (Location, ParseErrorKind) {
        let e = parse("all.json", body, None).expect_err("should fail");
        (e.location, e.kind)
    }

    fn path(p: &str) -> Location {
        Location::JsonPath(p.to_string())
    }

    #[test]
    fn sums_pegs_and_falls_back_to_pegged_usd() {
        let body = r#"[
            {"date": "1511913600", "totalCirculating": {}, "totalCirculatingUSD": {}},
            {"date": "1617235200", "totalCirculating": {"peggedUSD": 60}, "totalCirculatingUSD": {"peggedUSD": 61, "peggedEUR": 2.5}},
            {"date": 1617321600, "totalCirculating": {"peggedUSD": 62}},
            {"date": "1617408000", "totalCirculating": {"peggedUSD": 63}, "totalCirculatingUSD": {}}
        ]"#;
        let s = parse("stablecoincharts/all", body, None).expect("valid");
        assert_eq!(s.id, "all");
        let pairs: Vec<_> = s.iter().map(|(d, v)| (d.to_string(), v)).collect();
        assert_eq!(
            pairs,
            vec![
                ("2021-04-01".to_string(), 63.5),
                ("2021-04-02".to_string(), 62.0),
                ("2021-04-03".to_string(), 63.0)
            ]
        );
    }

    #[test]
    fn names_each_error_and_its_path() {
        assert!(matches!(fail(r#"{"prices": []}"#), (l, ParseErrorKind::BadJson { .. }) if l == path("$")));
        assert!(matches!(fail("[3]"), (l, ParseErrorKind::BadJson { .. }) if l == path("$[0]")));
        assert!(matches!(
            fail(r#"[{"totalCirculatingUSD": {"peggedUSD": 1}}]"#),
            (l, ParseErrorKind::BadJson { .. }) if l == path("$[0]")
        ));
        assert!(matches!(
            fail(r#"[{"date": "April", "totalCirculatingUSD": {"peggedUSD": 1}}]"#),
            (l, ParseErrorKind::BadDate { .. }) if l == path("$[0].date")
        ));
        assert_eq!(
            fail(r#"[{"date": "1617235200", "totalCirculatingUSD": {"peggedUSD": 1, "peggedEUR": "lots"}}]"#),
            (path("$[0].totalCirculatingUSD.peggedEUR"), ParseErrorKind::NonNumeric { value: "lots".into() })
        );
        assert!(matches!(
            fail(r#"[{"date": "1617235200", "totalCirculatingUSD": 5}]"#),
            (l, ParseErrorKind::BadJson { .. }) if l == path("$[0].totalCirculatingUSD")
        ));
        assert!(matches!(
            fail(r#"[{"date": "1617235200", "tvl": 5}]"#),
            (l, ParseErrorKind::BadJson { .. }) if l == path("$[0]")
        ));
        assert!(matches!(
            fail(r#"[{"date": "1617235200", "totalCirculatingUSD": {"peggedUSD": 1}}, {"date": "1617235200", "totalCirculatingUSD": {"peggedUSD": 1}}]"#),
            (l, ParseErrorKind::DuplicateDate { .. }) if l == path("$[1].date")
        ));
        assert!(matches!(fail(r#"[{"date": "16172"#), (Location::Line(1), ParseErrorKind::Truncated { .. })));
        assert_eq!(
            fail(r#"[{"date": "1617235200", "totalCirculatingUSD": {}}]"#),
            (Location::Body, ParseErrorKind::NoObservations)
        );
    }
}
