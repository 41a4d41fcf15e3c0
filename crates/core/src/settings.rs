//! The reader's settings, as they live in the page's URL: one typed struct with one parse
//! ([`Settings::from_query`]) and one print ([`Settings::to_query`]), so that a link reproduces a
//! view (MODEL.md 8) and the two can never disagree.
//!
//! # Design
//! Every field is optional in the sense that its default is "what the model uses by default";
//! only settings that differ from the default are printed, in a fixed key order, so equal settings
//! give equal links. Parsing never fails: a parameter that is malformed, out of its bounds or too
//! long is dropped (the default stands) and reported as a [`Notice`] the page shows; unknown keys
//! are ignored silently (other tools append their own, e.g. `utm_source`). Bounds that depend on
//! the data (an as-of date before the data starts, a series that is not loaded) are checked
//! afterwards by [`Settings::check_data`], once the data is known.
//!
//! The page (the route) is not a setting here: it is the URL's path, handled by the router.
//!
//! # Keys
//! | key | setting | bounds |
//! |---|---|---|
//! | `as_of` | analysis date, `YYYY-MM-DD` | inside the data ([`Settings::check_data`]) |
//! | `range` | chart window ([`WindowSpec`]): `1y`, `3y`, `5y`, `10y`, `max`, or `FIRST..LAST` | FIRST < LAST |
//! | `z` | chain z-score window, weeks | 26..=520 |
//! | `chg` | chain change horizon, weeks | 1..=104 |
//! | `thr` | chain state threshold | 0.05..=3 |
//! | `w.ID` | weight of chain indicator `ID` ([`crate::model::chain::is_indicator_id`]) | 0..=10 |
//! | `lag` | lead-lag largest lag, weeks | 1..=104 |
//! | `pairs` | asymmetry pairs `ASSET:BENCH,...` | at most 6, known series |
//! | `aw` | asymmetry rolling window, returns | 20..=520 |
//! | `gw` | gold rolling window, weeks | 26..=520 |
//! | `imp` | liquidity regime threshold, % over 13 weeks | -10..=10 |
//! | `series` | series chosen on the Explore page, `ID,ID` | at most 8, known series |
//! | `strat` | backtest strategies, compact form of [`StrategySpec`] | at most 8 |
//! | `start` | backtest start, no earlier than this Friday (`YYYY-MM-DD`) | in the data's span |
//! | `sweep` | run the backtest's parameter sweep: `1` (lookback x threshold) or `ROWS:COLS` of `lookback`, `threshold`, `floor` | two different parameters |
//! | `bench` | backtest benchmarks, `hold:ASSET`, `60/40`, `cash`, comma-separated | at most 6 |
//! | `wf` | run the backtest's walk-forward: `1` | `1` |
//! | `cost.CLASS` | trading cost of an asset class, bps (`cash`, `treasuries`, `gold`, `equities`, `crypto`, `other`) | 0..=500 |
//!
//! # Example
//! ```
//! use tideline_core::settings::Settings;
//! let (settings, notices) = Settings::from_query("?as_of=2024-06-28&lag=13&thr=9");
//! assert_eq!(settings.max_lag, Some(13));
//! assert_eq!(settings.threshold, None); // 9 is out of bounds: the default stands
//! assert_eq!(notices.len(), 1);
//! assert_eq!(settings.to_query(), "?as_of=2024-06-28&lag=13");
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::RangeInclusive;

use crate::backtest::strategy::BenchmarkSpec;
use crate::backtest::strategy::StrategySpec;
use crate::backtest::sweep::{SweepConfig, TimingParam};
use crate::backtest::walkforward::WalkForwardConfig;
use crate::backtest::BacktestConfig;
use crate::chart::{Window, WindowSpec};
use crate::date::Date;
use crate::model::chain::is_indicator_id;
use crate::report::ModelConfig;

/// The longest query read; a longer one is ignored as a whole (defaults, one notice).
pub const MAX_QUERY_LEN: usize = 2048;
/// The longest value of one parameter.
pub const MAX_VALUE_LEN: usize = 400;
/// Most asymmetry pairs.
pub const MAX_PAIRS: usize = 6;
/// Most series on the Explore page.
pub const MAX_SERIES: usize = 8;
/// Most strategies in a backtest.
pub const MAX_STRATEGIES: usize = 8;
/// Most backtest benchmarks.
pub const MAX_BENCHMARKS: usize = 6;
/// The sweep's default axes.
pub const DEFAULT_SWEEP: [TimingParam; 2] = [TimingParam::LookbackWeeks, TimingParam::ThresholdPct];
/// The asset classes of `cost.CLASS`, as in [`crate::backtest::engine::CostConfig`].
pub const COST_CLASSES: [&str; 6] = ["cash", "treasuries", "gold", "equities", "crypto", "other"];
/// Bounds of a trading cost, bps.
const COST_BOUNDS: RangeInclusive<f64> = 0.0..=500.0;
/// The longest series id accepted.
const MAX_ID_LEN: usize = 40;

/// A parameter of the URL that was not used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The key (`as_of`).
    pub key: String,
    /// The value as given (cut to 60 characters).
    pub value: String,
    /// Why it was dropped, in plain words.
    pub reason: String,
}

impl Notice {
    fn new(key: &str, value: &str, reason: impl Into<String>) -> Notice {
        let value: String = if value.chars().count() > 60 {
            value.chars().take(59).chain(std::iter::once('…')).collect()
        } else {
            value.to_string()
        };
        Notice { key: key.to_string(), value, reason: reason.into() }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}: {}", self.key, self.reason)
        } else {
            write!(f, "{}={}: {}", self.key, self.value, self.reason)
        }
    }
}

/// Every setting a link carries; `None` or empty means the model's default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// The analysis date (`None`: the newest observation).
    pub as_of: Option<Date>,
    /// The charts' window (`None`: the page's default).
    pub range: Option<WindowSpec>,
    /// Chain z-score window, weeks.
    pub zscore_weeks: Option<usize>,
    /// Chain change horizon, weeks.
    pub change_weeks: Option<usize>,
    /// Chain state threshold.
    pub threshold: Option<f64>,
    /// Chain indicator weights by indicator id (only ids [`is_indicator_id`] accepts).
    pub weights: BTreeMap<String, f64>,
    /// Lead-lag largest lag, weeks.
    pub max_lag: Option<usize>,
    /// Asymmetry `(asset, benchmark)` pairs (empty: the default pairs).
    pub pairs: Vec<(String, String)>,
    /// Asymmetry rolling window, in returns.
    pub asymmetry_window: Option<usize>,
    /// Gold rolling window, weeks.
    pub gold_window: Option<usize>,
    /// Liquidity regime threshold on the impulse, % over 13 weeks.
    pub impulse_threshold: Option<f64>,
    /// Series chosen on the Explore page.
    pub series: Vec<String>,
    /// Backtest strategies (empty: the defaults).
    pub strategies: Vec<StrategySpec>,
    /// Backtest start (`None`: when every strategy's warm-up ends).
    pub backtest_start: Option<Date>,
    /// Run the backtest's parameter sweep over these two parameters (rows, columns).
    pub sweep: Option<[TimingParam; 2]>,
    /// Backtest benchmarks by name ([`BenchmarkSpec::parse`]); empty: the defaults.
    pub benchmarks: Vec<String>,
    /// Run the backtest's walk-forward.
    pub walk_forward: bool,
    /// Trading costs in bps by asset class ([`COST_CLASSES`]); a class left out keeps the default.
    pub costs: BTreeMap<String, f64>,
}

const Z_BOUNDS: RangeInclusive<usize> = 26..=520;
const CHG_BOUNDS: RangeInclusive<usize> = 1..=104;
const THR_BOUNDS: RangeInclusive<f64> = 0.05..=3.0;
const WEIGHT_BOUNDS: RangeInclusive<f64> = 0.0..=10.0;
const LAG_BOUNDS: RangeInclusive<usize> = 1..=104;
const AW_BOUNDS: RangeInclusive<usize> = 20..=520;
const GW_BOUNDS: RangeInclusive<usize> = 26..=520;
const IMP_BOUNDS: RangeInclusive<f64> = -10.0..=10.0;

impl Settings {
    /// Reads a query string (with or without its leading `?`). Never fails: what cannot be used
    /// is left at its default and listed in the notices, in the order of the query.
    pub fn from_query(query: &str) -> (Settings, Vec<Notice>) {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut settings = Settings::default();
        let mut notices = Vec::new();
        if query.len() > MAX_QUERY_LEN {
            notices.push(Notice::new(
                "link",
                "",
                format!("longer than {MAX_QUERY_LEN} characters; every setting is at its default"),
            ));
            return (settings, notices);
        }
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let (Some(key), Some(value)) = (percent_decode(raw_key), percent_decode(raw_value)) else {
                notices.push(Notice::new(raw_key, raw_value, "not valid percent-encoded UTF-8"));
                continue;
            };
            if value.len() > MAX_VALUE_LEN {
                notices.push(Notice::new(&key, &value, format!("longer than {MAX_VALUE_LEN} characters")));
                continue;
            }
            if let Err(reason) = settings.set(&key, &value) {
                notices.push(Notice::new(&key, &value, reason));
            }
        }
        (settings, notices)
    }

    /// Applies one parameter; `Err` says why it was not used. Unknown keys are ignored.
    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "as_of" => self.as_of = Some(Date::parse_iso(value).ok_or("not a date (YYYY-MM-DD)")?),
            "range" => self.range = Some(parse_range(value)?),
            "z" => self.zscore_weeks = Some(bounded_int(value, Z_BOUNDS)?),
            "chg" => self.change_weeks = Some(bounded_int(value, CHG_BOUNDS)?),
            "thr" => self.threshold = Some(bounded_float(value, THR_BOUNDS)?),
            "lag" => self.max_lag = Some(bounded_int(value, LAG_BOUNDS)?),
            "aw" => self.asymmetry_window = Some(bounded_int(value, AW_BOUNDS)?),
            "gw" => self.gold_window = Some(bounded_int(value, GW_BOUNDS)?),
            "imp" => self.impulse_threshold = Some(bounded_float(value, IMP_BOUNDS)?),
            "pairs" => self.pairs = parse_pairs(value)?,
            "series" => self.series = parse_ids(value, MAX_SERIES)?,
            "strat" => {
                let specs = StrategySpec::parse_list(value).map_err(|e| e.to_string())?;
                if specs.len() > MAX_STRATEGIES {
                    return Err(format!("more than {MAX_STRATEGIES} strategies"));
                }
                // Printed, a spec spells out its defaults (`timing:X` is `timing:X:13:0:-0.5`):
                // what does not fit a parameter written out would not read back from the link.
                let printed = specs.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",");
                if printed.len() > MAX_VALUE_LEN {
                    return Err(format!("longer than {MAX_VALUE_LEN} characters once written out in full"));
                }
                self.strategies = if value.is_empty() || value == "all" { Vec::new() } else { specs };
            }
            "start" => self.backtest_start = Some(Date::parse_iso(value).ok_or("not a date (YYYY-MM-DD)")?),
            "sweep" => self.sweep = parse_sweep(value)?,
            "bench" => {
                let names: Vec<String> =
                    value.split(',').filter(|n| !n.is_empty()).map(str::to_string).collect();
                if names.len() > MAX_BENCHMARKS {
                    return Err(format!("more than {MAX_BENCHMARKS} benchmarks"));
                }
                for n in &names {
                    BenchmarkSpec::parse(n)?;
                }
                let mut unique = names.clone();
                unique.sort();
                unique.dedup();
                if unique.len() != names.len() {
                    return Err("a benchmark is named twice".to_string());
                }
                self.benchmarks = names;
            }
            "wf" => self.walk_forward = flag(value)?,
            _ => {
                if let Some(class) = key.strip_prefix("cost.") {
                    if !COST_CLASSES.contains(&class) {
                        return Err(format!("not an asset class (one of {})", COST_CLASSES.join(", ")));
                    }
                    self.costs.insert(class.to_string(), bounded_float(value, COST_BOUNDS)?);
                }
                if let Some(id) = key.strip_prefix("w.") {
                    if !is_indicator_id(id) {
                        return Err("not a chain indicator".to_string());
                    }
                    self.weights.insert(id.to_string(), bounded_float(value, WEIGHT_BOUNDS)?);
                }
            }
        }
        Ok(())
    }

    /// The query string of these settings: the keys that differ from the defaults, in the order of
    /// the module's table (`?as_of=2024-06-28&lag=13`), or the empty string.
    pub fn to_query(&self) -> String {
        let mut parts: Vec<(String, String)> = Vec::new();
        let mut put = |k: &str, v: String| parts.push((k.to_string(), v));
        if let Some(d) = self.as_of {
            put("as_of", d.to_string());
        }
        if let Some(r) = self.range {
            put("range", r.to_string());
        }
        if let Some(v) = self.zscore_weeks {
            put("z", v.to_string());
        }
        if let Some(v) = self.change_weeks {
            put("chg", v.to_string());
        }
        if let Some(v) = self.threshold {
            put("thr", v.to_string());
        }
        for (id, w) in &self.weights {
            put(&format!("w.{id}"), w.to_string());
        }
        if let Some(v) = self.max_lag {
            put("lag", v.to_string());
        }
        if !self.pairs.is_empty() {
            put("pairs", self.pairs.iter().map(|(a, b)| format!("{a}:{b}")).collect::<Vec<_>>().join(","));
        }
        if let Some(v) = self.asymmetry_window {
            put("aw", v.to_string());
        }
        if let Some(v) = self.gold_window {
            put("gw", v.to_string());
        }
        if let Some(v) = self.impulse_threshold {
            put("imp", v.to_string());
        }
        if !self.series.is_empty() {
            put("series", self.series.join(","));
        }
        if !self.strategies.is_empty() {
            put("strat", self.strategies.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(","));
        }
        if let Some(d) = self.backtest_start {
            put("start", d.to_string());
        }
        if let Some(axes) = self.sweep {
            put(
                "sweep",
                if axes == DEFAULT_SWEEP {
                    "1".to_string()
                } else {
                    format!("{}:{}", axes[0].key(), axes[1].key())
                },
            );
        }
        if !self.benchmarks.is_empty() {
            put("bench", self.benchmarks.join(","));
        }
        if self.walk_forward {
            put("wf", "1".to_string());
        }
        for (class, bps) in &self.costs {
            put(&format!("cost.{class}"), bps.to_string());
        }
        if parts.is_empty() {
            return String::new();
        }
        let body: Vec<String> =
            parts.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect();
        format!("?{}", body.join("&"))
    }

    /// Checks the settings that depend on the data: the as-of date and a zoom must fall inside
    /// `[first, last]` (the span of the loaded data), chosen series and pairs must be loaded
    /// (`known`). What fails is reset to its default and returned as notices.
    pub fn check_data(&mut self, first: Date, last: Date, known: impl Fn(&str) -> bool) -> Vec<Notice> {
        let mut notices = Vec::new();
        if let Some(d) = self.as_of {
            if d < first {
                notices.push(Notice::new(
                    "as_of",
                    &d.to_string(),
                    format!("before the data starts ({first})"),
                ));
                self.as_of = None;
            } else if d > last {
                notices.push(Notice::new("as_of", &d.to_string(), format!("after the newest data ({last})")));
                self.as_of = None;
            }
        }
        if let Some(d) = self.backtest_start {
            if d < first || d > last {
                notices.push(Notice::new(
                    "start",
                    &d.to_string(),
                    format!("outside the data ({first} to {last})"),
                ));
                self.backtest_start = None;
            }
        }
        if let Some(r @ WindowSpec::Dates(Window { first: a, last: b })) = self.range {
            if b < first || a > last {
                notices.push(Notice::new(
                    "range",
                    &r.to_string(),
                    format!("outside the data ({first} to {last})"),
                ));
                self.range = None;
            }
        }
        let missing: Vec<String> = self.series.iter().filter(|id| !known(id)).cloned().collect();
        if !missing.is_empty() {
            notices.push(Notice::new("series", &missing.join(","), "not loaded"));
            self.series.retain(|id| known(id));
        }
        let bad: Vec<String> = self
            .pairs
            .iter()
            .filter(|(a, b)| !known(a) || !known(b))
            .map(|(a, b)| format!("{a}:{b}"))
            .collect();
        if !bad.is_empty() {
            notices.push(Notice::new("pairs", &bad.join(","), "a series of the pair is not loaded"));
            self.pairs.retain(|(a, b)| known(a) && known(b));
        }
        notices
    }

    /// The model's settings: `base` with these settings over it.
    pub fn model_config(&self, base: &ModelConfig) -> ModelConfig {
        let mut config = base.clone();
        config.as_of = self.as_of.or(base.as_of);
        if let Some(v) = self.zscore_weeks {
            config.chain.zscore_weeks = v;
        }
        if let Some(v) = self.change_weeks {
            config.chain.change_weeks = v;
        }
        if let Some(v) = self.threshold {
            config.chain.threshold = v;
        }
        for (id, w) in &self.weights {
            config.chain.weights.insert(id.clone(), *w);
        }
        if let Some(v) = self.max_lag {
            config.lead_lag.max_lag = v;
        }
        if !self.pairs.is_empty() {
            config.asymmetry_pairs = self.pairs.clone();
        }
        if let Some(v) = self.asymmetry_window {
            config.asymmetry.rolling_window = Some(v);
        }
        if let Some(v) = self.gold_window {
            config.gold.window_weeks = v;
        }
        if let Some(v) = self.impulse_threshold {
            config.regimes.impulse_threshold_pct = v;
        }
        config
    }

    /// The backtest's settings: the defaults of [`BacktestConfig`] with these settings over them
    /// (as-of date, start, strategies, costs, sweep and walk-forward with their defaults, and the
    /// chain and regime settings the strategies read), with the weekly rows kept for the curves.
    /// `tideline backtest --config` reads the same document as JSON.
    pub fn backtest_config(&self) -> BacktestConfig {
        let model = self.model_config(&ModelConfig::default());
        let mut config = BacktestConfig {
            as_of: self.as_of,
            start: self.backtest_start,
            chain: model.chain,
            regimes: model.regimes,
            include_weeks: true,
            ..BacktestConfig::default()
        };
        if !self.strategies.is_empty() {
            config.strategies = self.strategies.clone();
        }
        let costs = &mut config.engine.costs;
        for (class, bps) in &self.costs {
            let slot = match class.as_str() {
                "cash" => &mut costs.cash_bps,
                "treasuries" => &mut costs.treasuries_bps,
                "gold" => &mut costs.gold_bps,
                "equities" => &mut costs.equities_bps,
                "crypto" => &mut costs.crypto_bps,
                _ => &mut costs.other_bps,
            };
            *slot = *bps;
        }
        if let Some([rows, cols]) = self.sweep {
            config.sweep = Some(SweepConfig {
                rows: rows.default_axis(),
                cols: cols.default_axis(),
                ..SweepConfig::default()
            });
        }
        if !self.benchmarks.is_empty() {
            config.benchmarks = self.benchmarks.iter().filter_map(|n| BenchmarkSpec::parse(n).ok()).collect();
        }
        if self.walk_forward {
            config.walk_forward = Some(WalkForwardConfig::default());
        }
        config
    }

    /// These settings without the page-local view state (the chart window, the Explore page's
    /// series, the backtest's settings), i.e. only what the model's report depends on: the key of
    /// a cached report.
    pub fn model_part(&self) -> Settings {
        Settings {
            range: None,
            series: Vec::new(),
            strategies: Vec::new(),
            backtest_start: None,
            sweep: None,
            benchmarks: Vec::new(),
            walk_forward: false,
            costs: BTreeMap::new(),
            ..self.clone()
        }
    }
}

fn parse_sweep(value: &str) -> Result<Option<[TimingParam; 2]>, String> {
    match value {
        "1" => Ok(Some(DEFAULT_SWEEP)),
        "0" | "" => Ok(None),
        _ => {
            let (a, b) = value.split_once(':').ok_or("1, 0 or ROWS:COLS (lookback, threshold, floor)")?;
            let (Some(a), Some(b)) = (TimingParam::from_key(a), TimingParam::from_key(b)) else {
                return Err("ROWS:COLS must name lookback, threshold or floor".to_string());
            };
            if a == b {
                return Err("the rows and columns must vary different parameters".to_string());
            }
            Ok(Some([a, b]))
        }
    }
}

fn flag(value: &str) -> Result<bool, String> {
    match value {
        "1" => Ok(true),
        "0" | "" => Ok(false),
        _ => Err("not 1 or 0".to_string()),
    }
}

fn bounded_int(value: &str, bounds: RangeInclusive<usize>) -> Result<usize, String> {
    let v: usize = value.parse().map_err(|_| "not a whole number".to_string())?;
    if bounds.contains(&v) {
        Ok(v)
    } else {
        Err(format!("outside {}..{}", bounds.start(), bounds.end()))
    }
}

fn bounded_float(value: &str, bounds: RangeInclusive<f64>) -> Result<f64, String> {
    let v: f64 = value.parse().map_err(|_| "not a number".to_string())?;
    if !v.is_finite() {
        return Err("not a finite number".to_string());
    }
    if bounds.contains(&v) {
        // `-0` prints as `-0`, which reads back as the same value; normalise it to `0` so that
        // equal settings print the same.
        Ok(if v == 0.0 { 0.0 } else { v })
    } else {
        Err(format!("outside {}..{}", bounds.start(), bounds.end()))
    }
}

fn parse_range(value: &str) -> Result<WindowSpec, String> {
    let spec: WindowSpec = value.parse()?;
    if let WindowSpec::Dates(w) = spec {
        if w.first >= w.last {
            return Err("FIRST is not before LAST".to_string());
        }
    }
    Ok(spec)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn parse_ids(value: &str, most: usize) -> Result<Vec<String>, String> {
    let ids: Vec<String> = value.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
    if ids.len() > most {
        return Err(format!("more than {most} series"));
    }
    if let Some(bad) = ids.iter().find(|id| !valid_id(id)) {
        return Err(format!("{bad:?} is not a series id"));
    }
    let mut unique = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    Ok(unique)
}

fn parse_pairs(value: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for item in value.split(',').filter(|s| !s.is_empty()) {
        let (a, b) = item.split_once(':').ok_or_else(|| format!("{item:?} is not ASSET:BENCHMARK"))?;
        if !valid_id(a) || !valid_id(b) {
            return Err(format!("{item:?} is not ASSET:BENCHMARK"));
        }
        if a == b {
            return Err(format!("{item:?} pairs a series with itself"));
        }
        let pair = (a.to_string(), b.to_string());
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    if pairs.len() > MAX_PAIRS {
        return Err(format!("more than {MAX_PAIRS} pairs"));
    }
    Ok(pairs)
}

/// Decodes `%XX` escapes; `None` when an escape is broken or the bytes are not UTF-8. A `+` stays a
/// `+` (no value here holds a space, and numbers may carry a sign).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Escapes everything but letters, digits and `-._~:,` (which URLs carry as they are).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Preset;
    use crate::model::chain::INDICATOR_IDS;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("date")
    }

    #[test]
    fn the_backtest_settings_make_the_config_the_command_reads() {
        let (s, notices) = Settings::from_query(
            "?as_of=2024-06-28&strat=timing:NASDAQ100:8:0.5:-0.5&start=2020-01-03&sweep=1&wf=1&cost.crypto=40&cost.equities=2",
        );
        assert!(notices.is_empty(), "{notices:?}");
        let config = s.backtest_config();
        assert_eq!(config.as_of, Date::parse_iso("2024-06-28"));
        assert_eq!(config.start, Date::parse_iso("2020-01-03"));
        assert_eq!(config.strategies.len(), 1);
        assert_eq!(config.engine.costs.crypto_bps, 40.0);
        assert_eq!(config.engine.costs.equities_bps, 2.0);
        assert_eq!(config.engine.costs.gold_bps, BacktestConfig::default().engine.costs.gold_bps);
        assert!(config.sweep.is_some() && config.walk_forward.is_some() && config.include_weeks);
        // The JSON the page offers is the document `tideline backtest --config` reads back.
        let json = serde_json::to_string(&config).expect("serialise");
        let back: BacktestConfig = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(serde_json::to_string(&back).expect("serialise"), json);
        // The backtest's settings do not touch the model's report.
        assert_eq!(s.model_part(), Settings::from_query("?as_of=2024-06-28").0);
        // Out of range or unknown: dropped with a notice.
        let (bad, notices) = Settings::from_query(
            "?cost.crypto=9000&cost.bonds=1&sweep=yes&sweep=floor:floor&bench=hold:,bonds",
        );
        assert_eq!(bad, Settings::default());
        assert_eq!(notices.len(), 5);
        // Any two parameters can be swept; benchmarks by name.
        let (s, notices) = Settings::from_query("?sweep=floor:lookback&bench=hold:GOLD,cash");
        assert!(notices.is_empty(), "{notices:?}");
        let config = s.backtest_config();
        let sweep = config.sweep.expect("a sweep");
        assert_eq!(
            (sweep.rows.param, sweep.cols.param),
            (TimingParam::RiskFloor, TimingParam::LookbackWeeks)
        );
        assert_eq!(sweep.cell_count(), 9 * 49);
        assert_eq!(
            config.benchmarks.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
            ["hold:GOLD", "cash"]
        );
        assert_eq!(s.to_query(), "?sweep=floor:lookback&bench=hold:GOLD,cash");
        // With no strategy named, the command's defaults.
        assert_eq!(Settings::default().backtest_config().strategies, BacktestConfig::default().strategies);
    }

    #[test]
    fn reads_and_prints_every_key() {
        let q = "?as_of=2024-06-28&range=2020-01-01..2024-01-01&z=104&chg=26&thr=0.75&w.VIX=2&lag=13\
                 &pairs=CBBTCUSD:SP500&aw=104&gw=52&imp=-1.5&series=WALCL,DGS10&strat=rotation,quadrant";
        let (s, notices) = Settings::from_query(q);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(s.as_of, Some(d("2024-06-28")));
        assert_eq!(s.range, Some(WindowSpec::Dates(Window::new(d("2020-01-01"), d("2024-01-01")))));
        assert_eq!(s.weights.get("VIX"), Some(&2.0));
        assert_eq!(s.pairs, vec![("CBBTCUSD".to_string(), "SP500".to_string())]);
        assert_eq!(s.strategies.len(), 2);
        assert_eq!(s.to_query(), q);
        let config = s.model_config(&ModelConfig::default());
        assert_eq!(config.lead_lag.max_lag, 13);
        assert_eq!(config.chain.weights.get("VIX"), Some(&2.0));
        assert_eq!(config.asymmetry.rolling_window, Some(104));
        assert_eq!(Settings::default().model_config(&ModelConfig::default()), ModelConfig::default());
    }

    #[test]
    fn bad_values_keep_their_defaults_and_say_why() {
        let (s, notices) = Settings::from_query(
            "as_of=junk&z=5&thr=NaN&w.NOPE=1&w.VIX=11&pairs=BTC&series=a%20b&strat=nope&range=3w&utm_source=x",
        );
        assert_eq!(s, Settings::default());
        let keys: Vec<&str> = notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, ["as_of", "z", "thr", "w.NOPE", "w.VIX", "pairs", "series", "strat", "range"]);
        assert!(notices[1].to_string().contains("outside 26..520"), "{}", notices[1]);
        let (s, notices) = Settings::from_query(&format!("as_of=2024-01-01&x={}", "a".repeat(MAX_QUERY_LEN)));
        assert_eq!((s, notices.len()), (Settings::default(), 1));
        let (_, notices) = Settings::from_query("as_of=%E0%A4&z=%zz");
        assert_eq!(notices.len(), 2);
    }

    #[test]
    fn data_bounds_reset_what_falls_outside() {
        let (mut s, _) = Settings::from_query("as_of=1900-01-01&series=WALCL,NOPE&pairs=CBBTCUSD:NOPE");
        let notices = s.check_data(d("1954-07-01"), d("2026-11-27"), |id| id != "NOPE");
        assert_eq!(notices.len(), 3);
        assert!(notices[0].reason.contains("before the data starts (1954-07-01)"));
        assert_eq!((s.as_of, s.series.clone(), s.pairs.len()), (None, vec!["WALCL".to_string()], 0));
    }

    /// Found by the `settings` fuzz target: short specs that spell out their defaults when printed
    /// made a printed link longer than a parameter may be, so the copied link lost them.
    #[test]
    fn strategies_that_print_too_long_are_refused() {
        let asset = "U".repeat(70);
        let value = std::iter::repeat_n(format!("timing:{asset}"), 5).collect::<Vec<_>>().join(",");
        assert!(value.len() <= MAX_VALUE_LEN);
        let (s, notices) = Settings::from_query(&format!("strat={value}"));
        assert!(s.strategies.is_empty());
        assert_eq!(notices.len(), 1);
        assert!(notices[0].reason.contains("once written out in full"), "{}", notices[0].reason);
        // What fits written out is kept, and its printed link reads back without a notice.
        let fits = format!("timing:{asset},rotation");
        let (s, notices) = Settings::from_query(&format!("strat={fits}"));
        assert!(notices.is_empty() && s.strategies.len() == 2);
        let (again, notices) = Settings::from_query(&s.to_query());
        assert!(notices.is_empty());
        assert_eq!(again, s);
    }

    #[test]
    fn weight_keys_are_the_chains_indicators() {
        let end = d("2026-06-26");
        let data = crate::synthetic::catalog(12, end, 7);
        let report = crate::report::analyze(&data, &ModelConfig::default()).expect("report");
        let mut ids: Vec<&str> = report
            .indicators
            .iter()
            .map(|i| i.id.as_str())
            .chain(
                report
                    .links
                    .iter()
                    .flat_map(|l| l.indicators_used.iter().chain(&l.indicators_left_out).map(String::as_str)),
            )
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert!(ids.iter().all(|id| is_indicator_id(id)), "{ids:?}");
        assert!(INDICATOR_IDS.iter().all(|id| ids.contains(id)), "{ids:?}");
        assert!(!is_indicator_id("NOPE") && !is_indicator_id("NOPE_13W_RETURN"));
    }

    fn id() -> impl Strategy<Value = String> {
        "[A-Z0-9_]{1,12}"
    }

    fn settings() -> impl Strategy<Value = Settings> {
        let date =
            (1950i32..2030, 1u32..13, 1u32..29).prop_map(|(y, m, d)| Date::from_ymd(y, m, d).expect("date"));
        let range = prop_oneof![
            (0usize..5).prop_map(|i| WindowSpec::Preset(Preset::ALL[i])),
            (date.clone(), 1i32..5000).prop_map(|(a, n)| WindowSpec::Dates(Window::new(a, a.add_days(n)))),
        ];
        let weights = prop::collection::btree_map(
            (0..INDICATOR_IDS.len()).prop_map(|i| INDICATOR_IDS[i].to_string()),
            WEIGHT_BOUNDS,
            0..4,
        );
        let pairs = prop::collection::vec((id(), id()), 0..=MAX_PAIRS).prop_map(|v| {
            let mut out: Vec<(String, String)> = Vec::new();
            for (a, b) in v {
                let pair = (a.clone(), format!("{b}X"));
                if a != pair.1 && !out.contains(&pair) {
                    out.push(pair);
                }
            }
            out
        });
        let series = prop::collection::btree_set(id(), 0..=MAX_SERIES).prop_map(|s| s.into_iter().collect());
        let strategies = prop::collection::vec(
            prop_oneof![
                Just("rotation".to_string()),
                Just("quadrant".to_string()),
                (1usize..60, -5.0f64..5.0).prop_map(|(w, t)| format!("timing:CBBTCUSD:{w}:{t}:-0.5")),
            ],
            0..4,
        )
        .prop_map(|v| {
            if v.is_empty() {
                Vec::new()
            } else {
                StrategySpec::parse_list(&v.join(",")).expect("specs")
            }
        });
        (
            (
                prop::option::of(date.clone()),
                prop::option::of(range),
                prop::option::of(Z_BOUNDS),
                prop::option::of(CHG_BOUNDS),
            ),
            (prop::option::of(THR_BOUNDS), weights, prop::option::of(LAG_BOUNDS), pairs),
            (prop::option::of(AW_BOUNDS), prop::option::of(GW_BOUNDS), prop::option::of(IMP_BOUNDS)),
            (series, strategies),
            (
                prop::option::of(date),
                prop::option::of(
                    (0..3usize, 1..3usize)
                        .prop_map(|(a, k)| [TimingParam::ALL[a], TimingParam::ALL[(a + k) % 3]]),
                ),
                prop::collection::vec(
                    prop_oneof![
                        Just("60/40".to_string()),
                        Just("cash".to_string()),
                        id().prop_map(|a| format!("hold:{a}")),
                    ],
                    0..4,
                )
                .prop_map(|mut v| {
                    let mut seen = std::collections::BTreeSet::new();
                    v.retain(|n| seen.insert(n.clone()));
                    v
                }),
                any::<bool>(),
                prop::collection::btree_map(
                    (0..COST_CLASSES.len()).prop_map(|i| COST_CLASSES[i].to_string()),
                    COST_BOUNDS,
                    0..3,
                ),
            ),
        )
            .prop_map(
                |(
                    (as_of, range, z, chg),
                    (thr, weights, lag, pairs),
                    (aw, gw, imp),
                    (series, strategies),
                    (backtest_start, sweep, benchmarks, walk_forward, costs),
                )| {
                    Settings {
                        as_of,
                        range,
                        zscore_weeks: z,
                        change_weeks: chg,
                        threshold: thr,
                        weights,
                        max_lag: lag,
                        pairs,
                        asymmetry_window: aw,
                        gold_window: gw,
                        impulse_threshold: imp.map(|v| if v == 0.0 { 0.0 } else { v }),
                        series,
                        strategies,
                        backtest_start,
                        sweep,
                        benchmarks,
                        walk_forward,
                        costs,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn print_then_parse_is_identity(s in settings()) {
            let query = s.to_query();
            let (back, notices) = Settings::from_query(&query);
            prop_assert!(notices.is_empty(), "{:?} from {}", notices, query);
            prop_assert_eq!(&back, &s);
            prop_assert_eq!(back.to_query(), query);
        }

        #[test]
        fn any_text_parses_without_panic_and_prints_canonically(q in ".{0,300}") {
            let (s, _) = Settings::from_query(&q);
            let printed = s.to_query();
            let (again, notices) = Settings::from_query(&printed);
            prop_assert!(notices.is_empty());
            prop_assert_eq!(again.to_query(), printed);
        }
    }
}
