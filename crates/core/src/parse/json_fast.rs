//! Typed fast paths of the JSON feeds ([`super::coingecko`], [`super::binance`],
//! [`super::defillama`]).
//!
//! Design: the careful readers build a `serde_json::Value` tree (a map and a string per member,
//! a vector per point) and walk it with a JSON path for every error. These readers deserialize
//! the same body straight into small typed values borrowed from it, which reads a good body several
//! times faster with no allocation per point. They read the values exactly as the careful readers
//! do (the same `serde_json` number parser; timestamps and amounts by the same rules: see
//! [`Stamp`] and [`Amount`]) and give up, with `None`, on anything else: an odd shape, a value of a
//! kind the careful reader refuses, an error object, a duplicate member, a point out of order. The
//! careful reader then reads the body again and names the error at its JSON path, so errors are
//! exactly what they were.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::coingecko::{stamp_day, LastOfDay};
use super::{parse_number, reject_html};
use crate::dating::snapshot_day;
use crate::error::{Location, ParseError};
use crate::series::Series;

/// The JSON text of a body the careful reader would accept (HTML and blank bodies are refused
/// here first, with the careful reader's error).
fn json_text<'b>(source: &str, body: &'b str, expected: &'static str) -> Result<&'b str, ParseError> {
    reject_html(source, body, expected)?;
    Ok(body.trim_start_matches('\u{feff}'))
}

/// A CoinGecko `market_chart` body; `Ok(None)` when the careful reader must read it.
pub(super) fn coingecko(
    source: &str,
    body: &str,
    expected: &'static str,
    id: &str,
) -> Result<Option<Series>, ParseError> {
    let text = json_text(source, body, expected)?;
    let Ok(chart) = serde_json::from_str::<Chart>(text) else { return Ok(None) };
    if chart.status.0 || chart.error.0 || chart.code.0 {
        return Ok(None); // perhaps an error object: the careful reader says which
    }
    let mut days = LastOfDay::with_capacity(source, chart.prices.len());
    for (Stamp(time), Amount(price)) in chart.prices {
        let Some((ms, stamped)) = stamp_day(time, 1) else { return Ok(None) };
        let date = snapshot_day(ms).unwrap_or(stamped);
        let Some(value) = price else { continue };
        if days.push(ms, date, value, Location::Body).is_err() {
            return Ok(None);
        }
    }
    Ok(days.finish(id).ok())
}

/// A Binance klines body; `Ok(None)` when the careful reader must read it.
pub(super) fn binance(
    source: &str,
    body: &str,
    expected: &'static str,
    id: &str,
) -> Result<Option<Series>, ParseError> {
    let text = json_text(source, body, expected)?;
    let Ok(klines) = serde_json::from_str::<Vec<Kline>>(text) else { return Ok(None) };
    let mut days = LastOfDay::with_capacity(source, klines.len());
    for Kline { open_time, close } in klines {
        let Some((ms, date)) = stamp_day(open_time, 1) else { return Ok(None) };
        let Some(value) = close else { continue };
        if days.push(ms, date, value, Location::Body).is_err() {
            return Ok(None);
        }
    }
    Ok(days.finish(id).ok())
}

/// A DefiLlama stablecoin charts body; `Ok(None)` when the careful reader must read it.
pub(super) fn defillama(
    source: &str,
    body: &str,
    expected: &'static str,
    id: &str,
) -> Result<Option<Series>, ParseError> {
    let text = json_text(source, body, expected)?;
    let Ok(entries) = serde_json::from_str::<Vec<Entry>>(text) else { return Ok(None) };
    let mut days = LastOfDay::with_capacity(source, entries.len());
    for entry in entries {
        let Some((ms, date)) = stamp_day(entry.date, 1000) else { return Ok(None) };
        let Some(amount) = entry.circulating_usd() else { return Ok(None) };
        let Some(value) = amount else { continue };
        if days.push(ms, date, value, Location::Body).is_err() {
            return Ok(None);
        }
    }
    Ok(days.finish(id).ok())
}

/// A CoinGecko `market_chart` object: its prices, and whether it has a member that may make it an
/// error object (`status`, `error`, `code`).
#[derive(serde::Deserialize)]
struct Chart {
    prices: Vec<(Stamp, Amount)>,
    #[serde(default)]
    status: Seen,
    #[serde(default)]
    error: Seen,
    #[serde(default)]
    code: Seen,
}

/// Whether a member is there, whatever its value (`null` included, unlike an `Option`).
#[derive(Default)]
struct Seen(bool);

impl<'de> Deserialize<'de> for Seen {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Seen, D::Error> {
        IgnoredAny::deserialize(deserializer)?;
        Ok(Seen(true))
    }
}

/// A timestamp as `coingecko::timestamp` reads it: an integer, a whole float below 9e15, or a
/// string of digits (perhaps signed, perhaps padded).
struct Stamp(i64);

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Stamp, D::Error> {
        struct StampVisitor;
        impl Visitor<'_> for StampVisitor {
            type Value = Stamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Unix timestamp")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Stamp, E> {
                Ok(Stamp(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Stamp, E> {
                i64::try_from(v).map(Stamp).map_err(|_| E::custom("out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Stamp, E> {
                let whole = v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15;
                whole.then_some(Stamp(v as i64)).ok_or_else(|| E::custom("not a whole number"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Stamp, E> {
                let t = v.trim();
                let digits = t.strip_prefix('-').unwrap_or(t);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(E::custom("not digits"));
                }
                t.parse().map(Stamp).map_err(|_| E::custom("out of range"))
            }
        }
        deserializer.deserialize_any(StampVisitor)
    }
}

/// An amount as `coingecko::number` reads it: `None` for `null` or a blank string, else a number
/// or a numeric string with a finite value. Anything else fails.
struct Amount(Option<f64>);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Amount, D::Error> {
        struct AmountVisitor;
        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, a numeric string or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Amount, E> {
                Ok(Amount(None))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                self.visit_f64(v as f64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                v.is_finite().then_some(Amount(Some(v))).ok_or_else(|| E::custom("not finite"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                if v.trim().is_empty() {
                    return Ok(Amount(None));
                }
                parse_number(v).map_or_else(|| Err(E::custom("not a number")), |x| self.visit_f64(x))
            }
        }
        deserializer.deserialize_any(AmountVisitor)
    }
}

/// A Binance kline: its open time (element 0) and close (element 4); at least five elements.
struct Kline {
    open_time: i64,
    close: Option<f64>,
}

impl<'de> Deserialize<'de> for Kline {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Kline, D::Error> {
        struct KlineVisitor;
        impl<'de> Visitor<'de> for KlineVisitor {
            type Value = Kline;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a kline of at least five elements")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kline, A::Error> {
                let short = || de::Error::custom("fewer than five elements");
                let Stamp(open_time) = seq.next_element()?.ok_or_else(short)?;
                for _ in 1..4 {
                    seq.next_element::<IgnoredAny>()?.ok_or_else(short)?;
                }
                let Amount(close) = seq.next_element()?.ok_or_else(short)?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Kline { open_time, close })
            }
        }
        deserializer.deserialize_seq(KlineVisitor)
    }
}

/// Pegs summed per entry; an entry with more goes to the careful reader.
const MAX_PEGS: usize = 16;

/// A DefiLlama entry: `date`, and the amounts the careful reader reads.
struct Entry {
    date: i64,
    /// `totalCirculatingUSD`'s total (`None` when it is absent).
    usd: Option<UsdTotal>,
    /// `totalCirculating`: absent (`None`), or whether it has `peggedUSD` and its amount.
    circulating: Option<Option<Option<f64>>>,
}

/// The sum of `totalCirculatingUSD`'s amounts, `None` when it has none.
struct UsdTotal(Option<f64>);

impl Entry {
    /// The entry's supply in USD as `defillama::circulating_usd` reckons it (`Some(None)` for
    /// none); `None` when that would fail.
    fn circulating_usd(&self) -> Option<Option<f64>> {
        if let Some(UsdTotal(total @ Some(_))) = self.usd {
            return Some(total);
        }
        match self.circulating {
            Some(Some(amount)) => Some(amount),
            None if self.usd.is_none() => None,
            _ => Some(None),
        }
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Entry, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a DefiLlama entry")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
                let repeated = || de::Error::custom("a repeated member");
                let mut date = None;
                let mut usd = None;
                let mut circulating = None;
                while let Some(key) = map.next_key::<&str>()? {
                    match key {
                        "date" if date.is_some() => return Err(repeated()),
                        "date" => date = Some(map.next_value::<Stamp>()?.0),
                        "totalCirculatingUSD" if usd.is_some() => return Err(repeated()),
                        "totalCirculatingUSD" => usd = Some(map.next_value::<UsdTotal>()?),
                        "totalCirculating" if circulating.is_some() => return Err(repeated()),
                        "totalCirculating" => circulating = Some(map.next_value::<PeggedUsd>()?.0),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let date = date.ok_or_else(|| de::Error::custom("no date"))?;
                Ok(Entry { date, usd, circulating })
            }
        }
        deserializer.deserialize_map(EntryVisitor)
    }
}

impl<'de> Deserialize<'de> for UsdTotal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<UsdTotal, D::Error> {
        struct TotalVisitor;
        impl<'de> Visitor<'de> for TotalVisitor {
            type Value = UsdTotal;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of amounts by peg")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UsdTotal, A::Error> {
                let mut amounts: [(&str, Option<f64>); MAX_PEGS] = [("", None); MAX_PEGS];
                let mut len = 0;
                while let Some((peg, Amount(amount))) = map.next_entry::<&str, Amount>()? {
                    let slot = amounts.get_mut(len).ok_or_else(|| de::Error::custom("many pegs"))?;
                    *slot = (peg, amount);
                    len += 1;
                }
                // The careful reader sums a `serde_json::Map`: pegs in key order, the last of a
                // repeated key. Summing in the same order gives the same bits.
                let amounts = &mut amounts[..len];
                amounts.sort_by(|a, b| a.0.cmp(b.0)); // stable: repeated keys keep document order
                let mut total: Option<f64> = None;
                for (i, &(peg, amount)) in amounts.iter().enumerate() {
                    if amounts.get(i + 1).is_some_and(|next| next.0 == peg) {
                        continue; // a later value of the same key replaces this one
                    }
                    if let Some(amount) = amount {
                        total = Some(total.unwrap_or(0.0) + amount);
                    }
                }
                Ok(UsdTotal(total))
            }
        }
        deserializer.deserialize_map(TotalVisitor)
    }
}

/// `totalCirculating`'s `peggedUSD`: whether it is there, and its amount.
struct PeggedUsd(Option<Option<f64>>);

impl<'de> Deserialize<'de> for PeggedUsd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PeggedUsd, D::Error> {
        struct PeggedVisitor;
        impl<'de> Visitor<'de> for PeggedVisitor {
            type Value = PeggedUsd;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of amounts by peg")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PeggedUsd, A::Error> {
                let mut pegged = None;
                while let Some(key) = map.next_key::<&str>()? {
                    if key != "peggedUSD" {
                        map.next_value::<IgnoredAny>()?;
                    } else if pegged.is_some() {
                        return Err(de::Error::custom("a repeated member"));
                    } else {
                        pegged = Some(map.next_value::<Amount>()?.0);
                    }
                }
                Ok(PeggedUsd(pegged))
            }
        }
        deserializer.deserialize_map(PeggedVisitor)
    }
}

/// The shape of a JSON body, as [`super::detect`] tells the formats apart, read without building a
/// tree (keys compared in place, every value skipped): `None` for any shape the careful detector
/// must look at (an error object, an empty or odd array, a body that does not parse), which then
/// names what it found.
pub(super) fn detect_shape(body: &str) -> Option<super::Format> {
    let text = body.trim_start_matches('\u{feff}');
    match serde_json::from_str::<Shape>(text).ok()? {
        Shape::PricesObject => Some(super::Format::Coingecko),
        Shape::ArrayOfArrays => Some(super::Format::Binance),
        Shape::ArrayOfDatedObjects => Some(super::Format::Defillama),
        Shape::Other => None,
    }
}

/// What [`detect_shape`] saw.
enum Shape {
    /// An object with a `prices` member.
    PricesObject,
    /// An array whose first element is an array.
    ArrayOfArrays,
    /// An array whose first element is an object with a `date` member.
    ArrayOfDatedObjects,
    /// Anything else.
    Other,
}

/// A map key compared in place (no allocation unless it holds escapes).
fn key_is<'de, A: MapAccess<'de>>(map: &mut A, name: &str) -> Result<Option<bool>, A::Error> {
    Ok(map.next_key::<std::borrow::Cow<'de, str>>()?.map(|key| key == name))
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Shape, D::Error> {
        struct Root;
        impl<'de> Visitor<'de> for Root {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object or array")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                let mut prices = false;
                while let Some(is_prices) = key_is(&mut map, "prices")? {
                    prices |= is_prices;
                    map.next_value::<IgnoredAny>()?;
                }
                Ok(if prices { Shape::PricesObject } else { Shape::Other })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
                let first = seq.next_element::<First>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(match first {
                    Some(First::Array) => Shape::ArrayOfArrays,
                    Some(First::Dated) => Shape::ArrayOfDatedObjects,
                    Some(First::Other) | None => Shape::Other,
                })
            }
            fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_unit<E>(self) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
        }
        deserializer.deserialize_any(Root)
    }
}

/// The first element of an array, as far as [`Shape`] needs it.
enum First {
    Array,
    Dated,
    Other,
}

impl<'de> Deserialize<'de> for First {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<First, D::Error> {
        struct Element;
        impl<'de> Visitor<'de> for Element {
            type Value = First;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<First, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(First::Array)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<First, A::Error> {
                let mut dated = false;
                while let Some(is_date) = key_is(&mut map, "date")? {
                    dated |= is_date;
                    map.next_value::<IgnoredAny>()?;
                }
                Ok(if dated { First::Dated } else { First::Other })
            }
            fn visit_bool<E>(self, _: bool) -> Result<First, E> {
                Ok(First::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<First, E> {
                Ok(First::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<First, E> {
                Ok(First::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<First, E> {
                Ok(First::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<First, E> {
                Ok(First::Other)
            }
            fn visit_unit<E>(self) -> Result<First, E> {
                Ok(First::Other)
            }
        }
        deserializer.deserialize_any(Element)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{binance, coingecko, defillama};
    use crate::series::Series;

    /// Same id, dates and value bits.
    fn same(fast: &Series, tree: &Series) -> bool {
        let bits = |s: &Series| s.values().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        fast.id == tree.id && fast.dates() == tree.dates() && bits(fast) == bits(tree)
    }

    /// Timestamps and amounts in the spellings the feeds use, and some they should not.
    const STAMPS: [&str; 6] = ["{}", "\"{}\"", "{}.0", "\" {} \"", "1.7e12", "true"];
    const AMOUNTS: [&str; 12] =
        ["1.5", "\"2.25\"", "null", "\"\"", "-0", "7", "1e3", "\"x\"", "\"inf\"", "[]", "0.1", "\"+3\""];

    fn stamp(choice: u8, ms: i64) -> String {
        STAMPS[choice as usize % STAMPS.len()].replace("{}", &ms.to_string())
    }

    fn amount(choice: u8) -> &'static str {
        AMOUNTS[choice as usize % AMOUNTS.len()]
    }

    /// Points `(time step in hours, stamp spelling, amount spelling, extra)`.
    fn points() -> impl Strategy<Value = Vec<(u8, u8, u8, u8)>> {
        prop::collection::vec((0u8..60, 0u8..8, 0u8..14, 0u8..8), 0..25)
    }

    const START_MS: i64 = 1_704_067_200_000;
    const HOUR_MS: i64 = 3_600_000;

    fn times(points: &[(u8, u8, u8, u8)]) -> Vec<i64> {
        let mut ms = START_MS;
        points
            .iter()
            .map(|&(step, ..)| {
                ms += (step as i64 - 2) * HOUR_MS;
                ms
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Whenever the fast reader reads a body, the careful reader reads the same series.
        #[test]
        fn coingecko_fast_reads_as_the_tree(points in points(), extra in 0u8..4) {
            let times = times(&points);
            let prices: Vec<String> = points.iter().zip(&times).map(|(&(_, s, a, x), &ms)| {
                let third = if x == 7 { ",1" } else { "" };
                format!("[{},{}{third}]", stamp(s, ms), amount(a))
            }).collect();
            let tail = [r#","total_volumes":[[1,2]]"#, r#","error":null"#, r#","prices":[]"#, ""][extra as usize];
            let body = format!(r#"{{"prices":[{}]{tail}}}"#, prices.join(","));
            let tree = coingecko::read_tree("cg.json", &body, "cg");
            match super::coingecko("cg.json", &body, "x", "cg") {
                Ok(Some(fast)) => prop_assert!(tree.as_ref().is_ok_and(|t| same(&fast, t)), "{body}: {tree:?}"),
                Ok(None) => {}
                Err(e) => prop_assert_eq!(Err(e), tree.map(|_| ())),
            }
        }

        #[test]
        fn binance_fast_reads_as_the_tree(points in points()) {
            let times = times(&points);
            let klines: Vec<String> = points.iter().zip(&times).map(|(&(_, s, a, x), &ms)| {
                let rest = if x == 7 { "" } else { r#","9",1,"x",[]"# };
                format!(r#"[{},"1",2,null,{}{rest}]"#, stamp(s, ms), amount(a))
            }).collect();
            let body = format!("[{}]", klines.join(",\n"));
            let tree = binance::read_tree("k.json", &body, "k");
            if let Ok(Some(fast)) = super::binance("k.json", &body, "x", "k") {
                prop_assert!(tree.as_ref().is_ok_and(|t| same(&fast, t)), "{body}: {tree:?}");
            }
        }

        #[test]
        fn defillama_fast_reads_as_the_tree(points in points()) {
            let times = times(&points);
            let pegs = ["peggedUSD", "peggedEUR", "peggedAAA", "peggedUSD"];
            let entries: Vec<String> = points.iter().zip(&times).map(|(&(_, s, a, x), &ms)| {
                let usd: Vec<String> = (0..(x % 5) as usize)
                    .map(|k| format!(r#""{}":{}"#, pegs[k % 4], amount(a.wrapping_add(k as u8 * 5))))
                    .collect();
                let usd = if x == 6 { String::new() } else { format!(r#","totalCirculatingUSD":{{{}}}"#, usd.join(",")) };
                let circulating = if x.is_multiple_of(2) { format!(r#","totalCirculating":{{"peggedUSD":{}}}"#, amount(a / 2)) } else { String::new() };
                format!(r#"{{"date":{}{usd}{circulating}}}"#, stamp(s, ms / 1000))
            }).collect();
            let body = format!("[{}]", entries.join(","));
            let tree = defillama::read_tree("all.json", &body, "all");
            if let Ok(Some(fast)) = super::defillama("all.json", &body, "x", "all") {
                prop_assert!(tree.as_ref().is_ok_and(|t| same(&fast, t)), "{body}: {tree:?}");
            }
        }
    }
}
