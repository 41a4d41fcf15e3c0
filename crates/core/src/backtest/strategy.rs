//! Strategies and benchmarks: from the week's public signals to target weights (MODEL.md 7).
//!
//! Every strategy reads [`Signals`] at week `t` only (the panel, the chain's link scores and the
//! regimes are trailing computations: their value at `t` is what was public at `t`) and writes the
//! target weights of `t` into [`Targets`]; the engine makes the position earn the next week.
//!
//! - (a) **Chain rotation** ([`StrategySpec::ChainRotation`]): the regime rule table of the
//!   spectrum view ([`RotationTable`], default [`RotationTable::default_table`]) applied to each
//!   week's regimes, through [`target_weights`]. Tiers without a fresh price that week are left
//!   out and their weight shared among the others in proportion (the table's own semantics).
//!   Defined once the liquidity and risk regimes are known.
//! - (b) **Liquidity timing** ([`StrategySpec::LiquidityTiming`], [`TimingParams`]): all in the risk
//!   asset when the net-liquidity impulse over `lookback_weeks` (the % change of `NETLIQ`) is above
//!   `threshold_pct` and the risk-appetite link score is at least `risk_floor` (not restrictive),
//!   else all cash. An unknown impulse or score is not "above": cash. Defined once both are known
//!   and the risk asset trades.
//! - (c) **Cycle-quadrant allocation** ([`StrategySpec::CycleQuadrant`]): the same machinery with
//!   a table keyed on the cycle quadrant only ([`quadrant_table`]). When the quadrant is unknown
//!   the previous target is kept. Defined once the quadrant is known.
//! - (d) **A composed rule** ([`Rule`], e.g. `VIX:lt:20:NASDAQ100:CASH`): all in `asset_true` while
//!   the indicator compares true with the threshold, else all in `asset_false`; while the indicator
//!   is unknown the previous target is kept. Indicators are resolved by [`Signals::indicator`].
//!
//! Benchmarks ([`BenchmarkSpec`]) are fixed mixes rebalanced like any strategy: buy and hold of
//! one asset (a single-asset mix never trades after the first week) or 60/40.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::model::chain::{Chain, Link};
use crate::model::panel::Panel;
use crate::model::regime::RegimeWeek;
use crate::model::spectrum::{target_weights, RegimeMatch, RotationRule, RotationTable};
use crate::model::{Quadrant, RegimeSnapshot};
use crate::transform::{Change, LogReturn, PercentChange, Transform};

use super::engine::{Market, Targets, CASH};
use super::BacktestError;

/// The regimes of a week nobody knows anything about.
const UNKNOWN: RegimeSnapshot = RegimeSnapshot { cycle: None, monetary: None, liquidity: None, risk: None };

/// The default assets of the risk spectrum, safe to risky (cash first).
pub const SPECTRUM_ASSETS: [&str; 8] =
    [CASH, "UST10", "GOLD", "SP500", "NASDAQ100", "NASDAQCOM", "CBBTCUSD", "CBETHUSD"];

/// Chain indicators the composed rule can name besides panel columns and link names (their values
/// are computed here as in [`crate::model::chain`], in their own units).
pub const INDICATOR_ALIASES: [&str; 12] = [
    "NETLIQ_IMPULSE",
    "NETLIQ_ACCELERATION",
    "VIX",
    "HY_OAS",
    "HY_OAS_4W_CHANGE",
    "T10YIE_13W_CHANGE",
    "DFII10_13W_CHANGE",
    "DGS10_13W_CHANGE",
    "DGS2_MINUS_DFF",
    "REAL_POLICY_RATE",
    "DOLLAR_13W_PCT",
    "<ASSET>_13W_RETURN",
];

/// Resizes a slice to `n` values, padding with NaN.
fn fit(values: &[f64], n: usize) -> Vec<f64> {
    (0..n).map(|t| values.get(t).copied().unwrap_or(f64::NAN)).collect()
}

fn transformed<T: Transform>(t: Result<T, crate::transform::TransformError>, values: &[f64]) -> Vec<f64> {
    t.map_or_else(|_| vec![f64::NAN; values.len()], |t| t.apply(values))
}

/// What the strategies may read, per week of the panel: every panel column (NaN where missing or
/// stale), the link score histories, the regimes, and net liquidity. Everything at week `t` was
/// public at `t`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Signals {
    dates: Vec<Date>,
    columns: BTreeMap<String, Vec<f64>>,
    links: BTreeMap<String, Vec<f64>>,
    regimes: Vec<RegimeSnapshot>,
}

impl Signals {
    /// Empty signals over a calendar; fill them with the `with_*` methods (tests, benches, or
    /// signals computed elsewhere).
    pub fn new(dates: Vec<Date>) -> Signals {
        let n = dates.len();
        Signals { dates, columns: BTreeMap::new(), links: BTreeMap::new(), regimes: vec![UNKNOWN; n] }
    }

    /// The signals of the model: the panel's columns (stale values masked as NaN, MODEL.md 1.3),
    /// the chain's link score histories and the regimes of every week.
    pub fn from_model(panel: &Panel, chain: &Chain, regimes: &[RegimeWeek]) -> Signals {
        let mut signals = Signals::new(panel.calendar.dates().to_vec());
        for id in panel.ids() {
            signals = signals.with_column(id, &panel.fresh_or_nan(id));
        }
        for link in &chain.links {
            signals = signals.with_link(&link.name, &link.history);
        }
        let snapshots: Vec<RegimeSnapshot> = regimes.iter().map(|r| r.regimes).collect();
        signals.with_regimes(&snapshots)
    }

    /// Adds (or replaces) a column, resized to the calendar.
    pub fn with_column(mut self, id: &str, values: &[f64]) -> Signals {
        self.columns.insert(id.to_string(), fit(values, self.dates.len()));
        self
    }

    /// Adds (or replaces) a link's score history (`risk_appetite`, `liquidity`, ...).
    pub fn with_link(mut self, name: &str, scores: &[f64]) -> Signals {
        self.links.insert(name.to_string(), fit(scores, self.dates.len()));
        self
    }

    /// Sets the regimes of every week (unknown past the end of `regimes`).
    pub fn with_regimes(mut self, regimes: &[RegimeSnapshot]) -> Signals {
        self.regimes = (0..self.dates.len()).map(|t| regimes.get(t).copied().unwrap_or(UNKNOWN)).collect();
        self
    }

    /// Number of weeks.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True without weeks.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The Fridays.
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// A panel column (NaN where missing or stale).
    pub fn column(&self, id: &str) -> Option<&[f64]> {
        self.columns.get(id).map(Vec::as_slice)
    }

    /// A link's score history.
    pub fn link(&self, name: &str) -> Option<&[f64]> {
        self.links.get(name).map(Vec::as_slice)
    }

    /// The regimes of week `t` (all unknown out of range).
    pub fn regimes(&self, t: usize) -> RegimeSnapshot {
        self.regimes.get(t).copied().unwrap_or(UNKNOWN)
    }

    /// The net-liquidity impulse over `lookback_weeks`: the % change of `NETLIQ` (all NaN without
    /// net liquidity or with a lookback of 0).
    ///
    /// # Formula
    ///
    /// `(NETLIQ_t - NETLIQ_{t-k}) / |NETLIQ_{t-k}| * 100` ([`PercentChange`]).
    pub fn impulse(&self, lookback_weeks: usize) -> Vec<f64> {
        match self.column("NETLIQ") {
            Some(netliq) => transformed(PercentChange::new(lookback_weeks), netliq),
            None => vec![f64::NAN; self.len()],
        }
    }

    /// The weekly values of an indicator, resolved in this order:
    ///
    /// 1. a link name (`inflation`, `rates`, `liquidity`, `risk_appetite`, `asset_response`): its
    ///    score;
    /// 2. `NETLIQ_IMPULSE` (13 weeks) or `NETLIQ_IMPULSE_<k>W` (k weeks), `NETLIQ_ACCELERATION`;
    /// 3. a chain indicator id of [`INDICATOR_ALIASES`] (`VIX` is the VIX level, `HY_OAS` the
    ///    high-yield spread, `SP500_13W_RETURN` a 13-week log return, ...), in its own units;
    /// 4. any panel column id (`VIXCLS`, `NFCI`, `CPI_YOY`, `NETLIQ`, a price).
    ///
    /// `None` when the id resolves to nothing loaded.
    pub fn indicator(&self, id: &str) -> Option<Vec<f64>> {
        if let Some(scores) = self.links.get(id) {
            return Some(scores.clone());
        }
        let column = |c: &str| self.column(c);
        let change = |c: &str, k: usize| column(c).map(|v| transformed(Change::new(k), v));
        let difference = |a: &str, b: &str| -> Option<Vec<f64>> {
            let (a, b) = (column(a)?, column(b)?);
            Some(a.iter().zip(b).map(|(x, y)| x - y).collect())
        };
        match id {
            "NETLIQ_IMPULSE" => column("NETLIQ").map(|_| self.impulse(13)),
            "NETLIQ_ACCELERATION" => {
                column("NETLIQ").map(|_| transformed(Change::new(13), &self.impulse(13)))
            }
            "VIX" => column("VIXCLS").map(<[f64]>::to_vec),
            "HY_OAS" => column("BAMLH0A0HYM2").map(<[f64]>::to_vec),
            "HY_OAS_4W_CHANGE" => change("BAMLH0A0HYM2", 4),
            "T10YIE_13W_CHANGE" => change("T10YIE", 13),
            "DFII10_13W_CHANGE" => change("DFII10", 13),
            "DGS10_13W_CHANGE" => change("DGS10", 13),
            "DGS2_MINUS_DFF" => difference("DGS2", "DFF"),
            "REAL_POLICY_RATE" => difference("DFF", "CORE_PCE_YOY"),
            "DOLLAR_13W_PCT" => column("DTWEXBGS").map(|v| transformed(PercentChange::new(13), v)),
            _ => {
                if let Some(k) = id.strip_prefix("NETLIQ_IMPULSE_").and_then(|s| s.strip_suffix('W')) {
                    let k: usize = k.parse().ok().filter(|k| *k > 0)?;
                    return column("NETLIQ").map(|_| self.impulse(k));
                }
                if let Some(asset) = id.strip_suffix("_13W_RETURN") {
                    return column(asset).map(|v| transformed(LogReturn::new(13), v));
                }
                column(id).map(<[f64]>::to_vec)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Strategy specifications
// ---------------------------------------------------------------------------------------------

/// Parameters of the liquidity-timing strategy (b).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimingParams {
    /// The asset held when the tide is in (a panel price column id).
    pub risk_asset: String,
    /// Weeks over which the impulse (% change of net liquidity) is measured.
    pub lookback_weeks: usize,
    /// The impulse must be above this, percent.
    pub threshold_pct: f64,
    /// The risk-appetite link score must be at least this (-0.5: not restrictive).
    pub risk_floor: f64,
}

impl Default for TimingParams {
    fn default() -> TimingParams {
        TimingParams {
            risk_asset: "NASDAQ100".into(),
            lookback_weeks: 13,
            threshold_pct: 0.0,
            risk_floor: -0.5,
        }
    }
}

/// How a rule compares its indicator with the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Comparison {
    /// Strictly greater than.
    Gt,
    /// Strictly less than.
    Lt,
}

impl Comparison {
    /// Whether `value` compares true with `threshold` (false for NaN).
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Gt => value > threshold,
            Comparison::Lt => value < threshold,
        }
    }

    /// `gt` or `lt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Gt => "gt",
            Comparison::Lt => "lt",
        }
    }
}

/// A rule the user composes (d): `asset_true` while `indicator comparison threshold`, else
/// `asset_false`.
///
/// Its compact, URL-safe form is `INDICATOR:gt|lt:THRESHOLD:ASSET_TRUE:ASSET_FALSE`.
///
/// # Example
///
/// ```
/// use tideline_core::backtest::strategy::{Comparison, Rule};
///
/// let rule: Rule = "VIX:lt:20:NASDAQ100:CASH".parse().unwrap();
/// assert_eq!(rule.comparison, Comparison::Lt);
/// assert_eq!(rule.threshold, 20.0);
/// assert_eq!(rule.to_string(), "VIX:lt:20:NASDAQ100:CASH");
/// assert!("VIX:le:20:NASDAQ100:CASH".parse::<Rule>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// A panel column, an indicator id or a link name (see [`Signals::indicator`]).
    pub indicator: String,
    /// The comparison.
    pub comparison: Comparison,
    /// The threshold, in the indicator's units.
    pub threshold: f64,
    /// Held while the comparison is true.
    pub asset_true: String,
    /// Held while it is false.
    pub asset_false: String,
}

/// Why a compact rule or strategy name could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpecParseError {
    /// A rule has other than five `:`-separated fields.
    #[error(
        "{text:?}: a rule has five fields INDICATOR:gt|lt:THRESHOLD:ASSET_TRUE:ASSET_FALSE, found {found}"
    )]
    FieldCount {
        /// The text read.
        text: String,
        /// How many fields it had.
        found: usize,
    },
    /// A field is empty or holds characters that are not URL-safe (`A-Z a-z 0-9 _ - .`).
    #[error("{text:?}: field {field} must be a non-empty id of letters, digits, '_', '-' or '.'")]
    BadId {
        /// The text read.
        text: String,
        /// Which field.
        field: &'static str,
    },
    /// The comparison is not `gt` or `lt`.
    #[error("{text:?}: the comparison must be gt or lt, found {found:?}")]
    BadComparison {
        /// The text read.
        text: String,
        /// The comparison found.
        found: String,
    },
    /// A number that does not parse or is not finite.
    #[error("{text:?}: {field} must be a finite number, found {found:?}")]
    BadNumber {
        /// The text read.
        text: String,
        /// Which field.
        field: &'static str,
        /// What was found.
        found: String,
    },
    /// Not a strategy name.
    #[error(
        "{text:?}: not a strategy; use rotation, timing[:ASSET[:LOOKBACK[:THRESHOLD[:FLOOR]]]], quadrant, \
         rule:<rule> or all"
    )]
    UnknownStrategy {
        /// The text read.
        text: String,
    },
}

fn url_safe_id(text: &str, field: &'static str, whole: &str) -> Result<String, SpecParseError> {
    let ok =
        !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(text.to_string())
    } else {
        Err(SpecParseError::BadId { text: whole.to_string(), field })
    }
}

fn number<T: FromStr>(text: &str, field: &'static str, whole: &str) -> Result<T, SpecParseError> {
    text.trim().parse().map_err(|_| SpecParseError::BadNumber {
        text: whole.to_string(),
        field,
        found: text.to_string(),
    })
}

fn finite_number(text: &str, field: &'static str, whole: &str) -> Result<f64, SpecParseError> {
    let x: f64 = number(text, field, whole)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(SpecParseError::BadNumber { text: whole.to_string(), field, found: text.to_string() })
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}:{}:{}",
            self.indicator,
            self.comparison.as_str(),
            self.threshold,
            self.asset_true,
            self.asset_false
        )
    }
}

impl FromStr for Rule {
    type Err = SpecParseError;

    fn from_str(text: &str) -> Result<Rule, SpecParseError> {
        let fields: Vec<&str> = text.split(':').collect();
        let [indicator, comparison, threshold, asset_true, asset_false] = fields.as_slice() else {
            return Err(SpecParseError::FieldCount { text: text.to_string(), found: fields.len() });
        };
        let comparison = match comparison.to_ascii_lowercase().as_str() {
            "gt" => Comparison::Gt,
            "lt" => Comparison::Lt,
            _ => {
                return Err(SpecParseError::BadComparison {
                    text: text.to_string(),
                    found: comparison.to_string(),
                })
            }
        };
        Ok(Rule {
            indicator: url_safe_id(indicator, "indicator", text)?,
            comparison,
            threshold: finite_number(threshold, "threshold", text)?,
            asset_true: url_safe_id(asset_true, "asset_true", text)?,
            asset_false: url_safe_id(asset_false, "asset_false", text)?,
        })
    }
}

/// One strategy to run, with its parameters. In JSON: `{"kind": "liquidity_timing",
/// "risk_asset": "CBBTCUSD", ...}`; its [`Display`](fmt::Display) and [`FromStr`] form is compact
/// and URL-safe: `rotation`, `timing:NASDAQ100:13:0:-0.5`, `quadrant`,
/// `rule:VIX:lt:20:NASDAQ100:CASH`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StrategySpec {
    /// (a) Tier weights from the regime rule table.
    ChainRotation {
        /// The rule table (default [`RotationTable::default_table`]).
        #[serde(default)]
        table: RotationTable,
    },
    /// (b) Risk asset or cash on the net-liquidity impulse and risk appetite.
    LiquidityTiming(TimingParams),
    /// (c) Weights by cycle quadrant.
    CycleQuadrant {
        /// The quadrant table (default [`quadrant_table`]).
        #[serde(default = "quadrant_table")]
        table: RotationTable,
    },
    /// (d) A composed rule.
    Rule(Rule),
}

impl StrategySpec {
    /// The four strategies with their defaults; the rule is `VIX:lt:20:NASDAQ100:CASH`.
    pub fn defaults() -> Vec<StrategySpec> {
        vec![
            StrategySpec::ChainRotation { table: RotationTable::default_table() },
            StrategySpec::LiquidityTiming(TimingParams::default()),
            StrategySpec::CycleQuadrant { table: quadrant_table() },
            StrategySpec::Rule(Rule {
                indicator: "VIX".into(),
                comparison: Comparison::Lt,
                threshold: 20.0,
                asset_true: "NASDAQ100".into(),
                asset_false: CASH.into(),
            }),
        ]
    }

    /// Reads a list of compact names separated by commas; `all` (or an empty text) gives
    /// [`StrategySpec::defaults`].
    pub fn parse_list(text: &str) -> Result<Vec<StrategySpec>, SpecParseError> {
        let mut out = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("all") {
                out.extend(StrategySpec::defaults());
            } else {
                out.push(part.parse()?);
            }
        }
        if out.is_empty() {
            out = StrategySpec::defaults();
        }
        Ok(out)
    }

    /// A sentence saying what the strategy does.
    pub fn label(&self) -> String {
        match self {
            StrategySpec::ChainRotation { .. } => {
                "Chain rotation: tier weights from the regime rule table".into()
            }
            StrategySpec::LiquidityTiming(p) => format!(
                "Liquidity timing: {} when the {}-week net-liquidity impulse > {}% and risk appetite >= {}, \
                 else cash",
                p.risk_asset, p.lookback_weeks, p.threshold_pct, p.risk_floor
            ),
            StrategySpec::CycleQuadrant { .. } => "Cycle-quadrant allocation".into(),
            StrategySpec::Rule(r) => format!(
                "Rule: {} when {} {} {}, else {}",
                r.asset_true,
                r.indicator,
                if r.comparison == Comparison::Gt { ">" } else { "<" },
                r.threshold,
                r.asset_false
            ),
        }
    }

    /// The asset ids the strategy may hold.
    pub fn assets(&self) -> Vec<String> {
        match self {
            StrategySpec::ChainRotation { table } | StrategySpec::CycleQuadrant { table } => {
                let mut ids: Vec<String> = Vec::new();
                for (id, _) in table.rules.iter().flat_map(|r| r.weights.iter()) {
                    if !ids.contains(id) {
                        ids.push(id.clone());
                    }
                }
                ids
            }
            StrategySpec::LiquidityTiming(p) => vec![p.risk_asset.clone()],
            StrategySpec::Rule(r) => vec![r.asset_true.clone(), r.asset_false.clone()],
        }
    }

    /// Checks the parameters that can be checked without data.
    pub fn validate(&self) -> Result<(), BacktestError> {
        match self {
            StrategySpec::ChainRotation { table } | StrategySpec::CycleQuadrant { table } => {
                table.validate().map_err(|e| BacktestError::InvalidConfig(format!("{self}: {e}")))
            }
            StrategySpec::LiquidityTiming(p) => validate_timing(p),
            StrategySpec::Rule(r) => {
                if r.threshold.is_finite() {
                    Ok(())
                } else {
                    Err(BacktestError::InvalidConfig(format!("{self}: the threshold must be finite")))
                }
            }
        }
    }
}

/// Checks timing parameters: a lookback of at least one week, finite threshold and floor.
pub fn validate_timing(p: &TimingParams) -> Result<(), BacktestError> {
    if p.lookback_weeks == 0 {
        return Err(BacktestError::InvalidConfig("timing: lookback_weeks must be at least 1".into()));
    }
    if !(p.threshold_pct.is_finite() && p.risk_floor.is_finite()) {
        return Err(BacktestError::InvalidConfig(
            "timing: threshold_pct and risk_floor must be finite".into(),
        ));
    }
    Ok(())
}

impl fmt::Display for StrategySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StrategySpec::ChainRotation { .. } => f.write_str("rotation"),
            StrategySpec::LiquidityTiming(p) => {
                write!(f, "timing:{}:{}:{}:{}", p.risk_asset, p.lookback_weeks, p.threshold_pct, p.risk_floor)
            }
            StrategySpec::CycleQuadrant { .. } => f.write_str("quadrant"),
            StrategySpec::Rule(r) => write!(f, "rule:{r}"),
        }
    }
}

impl FromStr for StrategySpec {
    type Err = SpecParseError;

    /// `rotation` (or `chain_rotation`), `quadrant` (or `cycle_quadrant`),
    /// `timing[:ASSET[:LOOKBACK[:THRESHOLD[:FLOOR]]]]` (or `liquidity_timing...`; missing fields
    /// take their defaults), `rule:<rule>` or a bare five-field rule.
    fn from_str(text: &str) -> Result<StrategySpec, SpecParseError> {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        match lower.as_str() {
            "rotation" | "chain_rotation" => {
                return Ok(StrategySpec::ChainRotation { table: RotationTable::default_table() })
            }
            "quadrant" | "cycle_quadrant" => {
                return Ok(StrategySpec::CycleQuadrant { table: quadrant_table() })
            }
            _ => {}
        }
        let (head, rest) = text.split_once(':').unwrap_or((text, ""));
        match head.to_ascii_lowercase().as_str() {
            "timing" | "liquidity_timing" => {
                let mut p = TimingParams::default();
                let fields: Vec<&str> = if rest.is_empty() { Vec::new() } else { rest.split(':').collect() };
                if fields.len() > 4 {
                    return Err(SpecParseError::UnknownStrategy { text: text.to_string() });
                }
                if let Some(asset) = fields.first() {
                    p.risk_asset = url_safe_id(asset, "risk_asset", text)?;
                }
                if let Some(k) = fields.get(1) {
                    p.lookback_weeks = number(k, "lookback_weeks", text)?;
                }
                if let Some(x) = fields.get(2) {
                    p.threshold_pct = finite_number(x, "threshold_pct", text)?;
                }
                if let Some(x) = fields.get(3) {
                    p.risk_floor = finite_number(x, "risk_floor", text)?;
                }
                Ok(StrategySpec::LiquidityTiming(p))
            }
            "rule" => Ok(StrategySpec::Rule(rest.parse()?)),
            _ if text.split(':').count() == 5 => Ok(StrategySpec::Rule(text.parse()?)),
            _ => Err(SpecParseError::UnknownStrategy { text: text.to_string() }),
        }
    }
}

/// The default cycle-quadrant table (strategy c), after the investment clock: equities in
/// recovery, gold and equities in overheat, cash and gold in stagflation, Treasuries in
/// reflation. No catch-all: with the quadrant unknown no rule matches and the previous target is
/// kept.
///
/// | quadrant | cash | UST10 | gold | S&P 500 | Nasdaq 100 | BTC |
/// |---|---|---|---|---|---|---|
/// | Recovery (growth up, inflation down) | | 10 | | 40 | 40 | 10 |
/// | Overheat (growth up, inflation up) | 10 | | 30 | 40 | 20 | |
/// | Stagflation (growth down, inflation up) | 50 | 10 | 40 | | | |
/// | Reflation (growth down, inflation down) | 20 | 60 | 10 | 10 | | |
///
/// (percent; each row sums to 100.)
pub fn quadrant_table() -> RotationTable {
    let rule = |label: &str, quadrant: Quadrant, weights: &[(&str, f64)]| RotationRule {
        label: label.to_string(),
        when: RegimeMatch { cycle: Some(quadrant), ..RegimeMatch::default() },
        weights: weights.iter().map(|(id, w)| (id.to_string(), *w)).collect(),
    };
    RotationTable {
        rules: vec![
            rule(
                "Recovery: equities",
                Quadrant::Recovery,
                &[("UST10", 0.10), ("SP500", 0.40), ("NASDAQ100", 0.40), ("CBBTCUSD", 0.10)],
            ),
            rule(
                "Overheat: gold and equities",
                Quadrant::Overheat,
                &[(CASH, 0.10), ("GOLD", 0.30), ("SP500", 0.40), ("NASDAQ100", 0.20)],
            ),
            rule(
                "Stagflation: cash and gold",
                Quadrant::Stagflation,
                &[(CASH, 0.50), ("UST10", 0.10), ("GOLD", 0.40)],
            ),
            rule(
                "Reflation: Treasuries",
                Quadrant::Reflation,
                &[(CASH, 0.20), ("UST10", 0.60), ("GOLD", 0.10), ("SP500", 0.10)],
            ),
        ],
    }
}

/// A benchmark: a fixed mix of assets rebalanced on the engine's schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkSpec {
    /// A short name (CSV headers): `hold:NASDAQ100`, `60/40`, `cash`.
    pub name: String,
    /// What it is.
    #[serde(default)]
    pub label: String,
    /// Weights by asset id (normalised by the engine).
    pub weights: Vec<(String, f64)>,
}

/// A short readable name of an asset id for the page: the catalog's name up to its first comma
/// or parenthesis (`CBBTCUSD` -> `Bitcoin`, `NASDAQ100` -> `Nasdaq-100 index`); the backtest's
/// own assets by what they are (`CASH` -> `cash`, `UST10` -> `10-year Treasury`); an unknown id
/// (an upload) as itself.
pub fn asset_name(id: &str, catalog: &crate::catalog::Catalog) -> String {
    match id {
        CASH => "cash".to_string(),
        "UST10" => "10-year Treasury".to_string(),
        _ => catalog.get(id).map_or_else(
            || id.to_string(),
            |e| e.name.split([',', '(']).next().unwrap_or(&e.name).trim().to_string(),
        ),
    }
}

/// A short readable title of a run of the backtest report, from its name (the strategy's
/// compact form, a benchmark's name or `static:<strategy>`), for headings, legends and table
/// rows; the report's `label` holds the full sentence.
///
/// ```
/// use tideline_core::{backtest::strategy::run_title, catalog::Catalog};
/// let catalog = Catalog::builtin();
/// assert_eq!(run_title("hold:CBBTCUSD", &catalog), "Hold Bitcoin");
/// assert_eq!(run_title("timing:NASDAQ100:13:0:-0.5", &catalog), "Liquidity timing, Nasdaq-100 index (13-week impulse > 0%)");
/// assert_eq!(run_title("static:rotation", &catalog), "Static mix of chain rotation");
/// assert_eq!(run_title("60/40", &catalog), "60/40 stocks / Treasuries");
/// assert_eq!(run_title("NOT A RUN", &catalog), "NOT A RUN");
/// ```
pub fn run_title(name: &str, catalog: &crate::catalog::Catalog) -> String {
    if let Some(strategy) = name.strip_prefix("static:") {
        let inner = run_title(strategy, catalog);
        let mut chars = inner.chars();
        let lowered = chars.next().map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect());
        return format!("Static mix of {lowered}");
    }
    if let Ok(bench) = BenchmarkSpec::parse(name) {
        return match name.strip_prefix("hold:") {
            Some(asset) => format!("Hold {}", asset_name(asset, catalog)),
            None if name == "60/40" => "60/40 stocks / Treasuries".to_string(),
            None => {
                let mut chars = bench.name.chars();
                chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
            }
        };
    }
    match StrategySpec::parse_list(name).ok().as_deref() {
        Some([StrategySpec::ChainRotation { .. }]) => "Chain rotation".to_string(),
        Some([StrategySpec::CycleQuadrant { .. }]) => "Cycle quadrant".to_string(),
        Some([StrategySpec::LiquidityTiming(p)]) => format!(
            "Liquidity timing, {} ({}-week impulse > {}%)",
            asset_name(&p.risk_asset, catalog),
            p.lookback_weeks,
            p.threshold_pct
        ),
        Some([StrategySpec::Rule(r)]) => format!(
            "Rule: {} when {} {} {}, else {}",
            asset_name(&r.asset_true, catalog),
            r.indicator,
            if r.comparison == Comparison::Gt { ">" } else { "<" },
            r.threshold,
            asset_name(&r.asset_false, catalog)
        ),
        _ => name.to_string(),
    }
}

impl BenchmarkSpec {
    /// Buy and hold one asset.
    pub fn buy_and_hold(asset: &str) -> BenchmarkSpec {
        BenchmarkSpec {
            name: format!("hold:{asset}"),
            label: format!("Buy and hold {asset}"),
            weights: vec![(asset.to_string(), 1.0)],
        }
    }

    /// 60% S&P 500, 40% the 10-year Treasury, rebalanced on the engine's schedule (weekly).
    pub fn sixty_forty() -> BenchmarkSpec {
        BenchmarkSpec {
            name: "60/40".into(),
            label: "60/40 S&P 500 / 10-year Treasury, rebalanced weekly".into(),
            weights: vec![("SP500".into(), 0.6), ("UST10".into(), 0.4)],
        }
    }

    /// All cash (fed funds).
    pub fn cash() -> BenchmarkSpec {
        BenchmarkSpec {
            name: "cash".into(),
            label: "Cash (fed funds)".into(),
            weights: vec![(CASH.into(), 1.0)],
        }
    }

    /// A benchmark by its name: `hold:ASSET` (any asset id), `60/40` or `cash`.
    ///
    /// ```
    /// use tideline_core::backtest::strategy::BenchmarkSpec;
    /// assert_eq!(BenchmarkSpec::parse("hold:GOLD").unwrap(), BenchmarkSpec::buy_and_hold("GOLD"));
    /// assert_eq!(BenchmarkSpec::parse("60/40").unwrap().name, "60/40");
    /// assert!(BenchmarkSpec::parse("hold:").is_err() && BenchmarkSpec::parse("bonds").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<BenchmarkSpec, String> {
        match name.trim() {
            "60/40" => Ok(BenchmarkSpec::sixty_forty()),
            "cash" => Ok(BenchmarkSpec::cash()),
            other => match other.strip_prefix("hold:") {
                Some(asset)
                    if !asset.is_empty()
                        && asset.len() <= 40
                        && asset.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    Ok(BenchmarkSpec::buy_and_hold(asset))
                }
                _ => Err(format!("{other:?} is not a benchmark (hold:ASSET, 60/40 or cash)")),
            },
        }
    }

    /// The benchmarks of MODEL.md 7: buy and hold BTC, Nasdaq 100, S&P 500; 60/40; cash.
    pub fn defaults() -> Vec<BenchmarkSpec> {
        vec![
            BenchmarkSpec::buy_and_hold("CBBTCUSD"),
            BenchmarkSpec::buy_and_hold("NASDAQ100"),
            BenchmarkSpec::buy_and_hold("SP500"),
            BenchmarkSpec::sixty_forty(),
            BenchmarkSpec::cash(),
        ]
    }
}

// ---------------------------------------------------------------------------------------------
// Target weights
// ---------------------------------------------------------------------------------------------

fn asset_index(market: &Market, id: &str) -> Result<usize, BacktestError> {
    let a = market.index_of(id).ok_or_else(|| BacktestError::UnknownAsset { asset: id.to_string() })?;
    if market.first_tradable(a).is_none() {
        return Err(BacktestError::NoPrice { asset: id.to_string() });
    }
    Ok(a)
}

/// The targets of a strategy on a market (which must hold the strategy's assets).
pub fn targets(spec: &StrategySpec, market: &Market, signals: &Signals) -> Result<Targets, BacktestError> {
    match spec {
        StrategySpec::ChainRotation { table } => {
            Ok(rotation_targets(market, signals, table, |r| r.liquidity.is_some() && r.risk.is_some()))
        }
        StrategySpec::CycleQuadrant { table } => {
            Ok(rotation_targets(market, signals, table, |r| r.cycle.is_some()))
        }
        StrategySpec::LiquidityTiming(p) => {
            validate_timing(p)?;
            let impulse = signals.impulse(p.lookback_weeks);
            timing_targets(market, signals, &impulse, p)
        }
        StrategySpec::Rule(rule) => rule_targets(market, signals, rule),
    }
}

/// Rotation (a) and quadrant (c) targets: each week, [`target_weights`] of the table for that
/// week's regimes over the table's tiers that trade that week (cash always does). When no rule
/// matches, the previous target is kept (cash before any). A week is defined when `defined` holds
/// for its regimes.
pub fn rotation_targets(
    market: &Market,
    signals: &Signals,
    table: &RotationTable,
    defined: impl Fn(&RegimeSnapshot) -> bool,
) -> Targets {
    let m = market.assets().len();
    let mut tiers: Vec<(usize, &str)> = vec![(0, CASH)];
    for (id, _) in table.rules.iter().flat_map(|r| r.weights.iter()) {
        if let Some(a) = market.index_of(id) {
            if !tiers.iter().any(|(b, _)| *b == a) {
                tiers.push((a, id.as_str()));
            }
        }
    }
    let mut out = Targets::new(market.len(), m);
    let mut row = vec![0.0; m];
    row[0] = 1.0;
    let mut label: Option<String> = None;
    for t in 0..market.len() {
        let regimes = signals.regimes(t);
        let present: Vec<&str> =
            tiers.iter().filter(|(a, _)| market.tradable(*a, t)).map(|(_, id)| *id).collect();
        let target = target_weights(table, &regimes, &present);
        if !target.weights.is_empty() {
            row.fill(0.0);
            for w in &target.weights {
                if let Some(a) = market.index_of(&w.tier) {
                    row[a] += w.weight;
                }
            }
            label = target.rule_label;
        }
        out.set(t, &row, label.clone());
        out.set_defined(t, defined(&regimes));
    }
    out
}

/// Liquidity-timing targets (b) for a precomputed impulse (the sweep computes each lookback's
/// impulse once): the risk asset when `impulse_t > threshold` and `risk_appetite_t >= floor`, else
/// cash. Defined when both are known and the risk asset trades.
pub fn timing_targets(
    market: &Market,
    signals: &Signals,
    impulse: &[f64],
    p: &TimingParams,
) -> Result<Targets, BacktestError> {
    let risk = asset_index(market, &p.risk_asset)?;
    let appetite = signals.link(Link::RiskAppetite.name()).unwrap_or(&[]);
    let mut out = Targets::new(market.len(), market.assets().len());
    for t in 0..market.len() {
        let x = impulse.get(t).copied().unwrap_or(f64::NAN);
        let score = appetite.get(t).copied().unwrap_or(f64::NAN);
        let on = x > p.threshold_pct && score >= p.risk_floor && market.tradable(risk, t);
        let defined = x.is_finite() && score.is_finite() && market.tradable(risk, t);
        out.set_single(t, if on { risk } else { 0 }, defined);
    }
    Ok(out)
}

/// Composed-rule targets (d). Defined from the first week the indicator is known, on weeks where
/// both assets trade.
pub fn rule_targets(market: &Market, signals: &Signals, rule: &Rule) -> Result<Targets, BacktestError> {
    let values = signals
        .indicator(&rule.indicator)
        .ok_or_else(|| BacktestError::UnknownIndicator { indicator: rule.indicator.clone() })?;
    let (a_true, a_false) = (asset_index(market, &rule.asset_true)?, asset_index(market, &rule.asset_false)?);
    let mut out = Targets::new(market.len(), market.assets().len());
    let mut held: Option<usize> = None;
    for t in 0..market.len() {
        let x = values.get(t).copied().unwrap_or(f64::NAN);
        if x.is_finite() {
            held = Some(if rule.comparison.holds(x, rule.threshold) { a_true } else { a_false });
        }
        let trades = market.tradable(a_true, t) && market.tradable(a_false, t);
        out.set_single(t, held.unwrap_or(0), held.is_some() && trades);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_round_trip_and_reject_bad_text() {
        for text in [
            "VIX:lt:20:NASDAQ100:CASH",
            "NETLIQ_IMPULSE:gt:-0.5:CBBTCUSD:UST10",
            "risk_appetite:gt:0:SP500:GOLD",
        ] {
            let rule: Rule = text.parse().expect("parses");
            assert_eq!(rule.to_string(), text);
        }
        assert!(matches!(
            "VIX:lt:20:NASDAQ100".parse::<Rule>(),
            Err(SpecParseError::FieldCount { found: 4, .. })
        ));
        assert!(matches!("VIX:lt:nan:A:B".parse::<Rule>(), Err(SpecParseError::BadNumber { .. })));
        assert!(matches!("VIX:lt:1:A B:C".parse::<Rule>(), Err(SpecParseError::BadId { .. })));
        assert!(matches!("VIX:ge:1:A:B".parse::<Rule>(), Err(SpecParseError::BadComparison { .. })));
        assert_eq!("VIX:GT:1e1:A:B".parse::<Rule>().map(|r| r.threshold), Ok(10.0));
    }

    #[test]
    fn strategies_round_trip() {
        for spec in StrategySpec::defaults() {
            let text = spec.to_string();
            assert_eq!(text.parse::<StrategySpec>().as_ref(), Ok(&spec), "{text}");
        }
        let timing: StrategySpec = "timing:CBBTCUSD:26".parse().expect("parses");
        assert_eq!(
            timing,
            StrategySpec::LiquidityTiming(TimingParams {
                risk_asset: "CBBTCUSD".into(),
                lookback_weeks: 26,
                ..TimingParams::default()
            })
        );
        assert!("momentum".parse::<StrategySpec>().is_err());
        assert_eq!(StrategySpec::parse_list("all").map(|v| v.len()), Ok(4));
        assert_eq!(StrategySpec::parse_list("rotation, timing").map(|v| v.len()), Ok(2));
        let json = serde_json::to_string(&StrategySpec::LiquidityTiming(TimingParams::default()))
            .unwrap_or_default();
        let back: StrategySpec = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back, StrategySpec::LiquidityTiming(TimingParams::default()));
        let partial: StrategySpec =
            serde_json::from_str(r#"{"kind": "cycle_quadrant"}"#).expect("default table");
        assert_eq!(partial, StrategySpec::CycleQuadrant { table: quadrant_table() });
    }

    #[test]
    fn quadrant_table_is_valid() {
        assert_eq!(quadrant_table().validate(), Ok(()));
        for rule in quadrant_table().rules {
            assert!((rule.weights.iter().map(|(_, w)| w).sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn indicators_resolve() {
        let dates: Vec<Date> = (0..20).map(|k| Date::from_days(19_726 + 7 * k)).collect();
        let netliq: Vec<f64> = (0..20).map(|k| 100.0 + k as f64).collect();
        let signals = Signals::new(dates)
            .with_column("NETLIQ", &netliq)
            .with_column("VIXCLS", &[15.0; 20])
            .with_link("risk_appetite", &[0.2; 20]);
        assert_eq!(signals.indicator("VIX").map(|v| v[3]), Some(15.0));
        assert_eq!(signals.indicator("risk_appetite").map(|v| v[0]), Some(0.2));
        let impulse = signals.indicator("NETLIQ_IMPULSE_4W").unwrap_or_default();
        assert!(impulse[3].is_nan());
        assert!((impulse[4] - 4.0).abs() < 1e-12);
        assert_eq!(signals.indicator("NETLIQ_IMPULSE").map(|v| v[13]), Some(13.0));
        assert!(signals.indicator("HY_OAS").is_none());
        assert!(signals.indicator("NETLIQ_IMPULSE_0W").is_none());
    }
}
