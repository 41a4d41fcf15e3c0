//! The simulation engine: target weights in, weekly portfolio returns, costs and equity out.
//!
//! # Timing (MODEL.md 7)
//!
//! Week `t` is a Friday of the panel. At the close of `t` the engine takes the strategy's target
//! weights for `t` (computed from data public at `t`), trades from the weights it holds to them,
//! pays the costs of that trade, and holds the new weights over the next week: they earn the
//! returns from the close of `t` to the close of `t + 1`. The return of the week that produced a
//! signal (`t - 1` to `t`) is never earned by the position the signal chose. A row of the output is
//! dated `t + 1`, the Friday its return is realised, and says which Friday decided it (`decided`).
//!
//! # Conventions
//!
//! - **Weights** are shares of equity. Without leverage (the default) negative or non-finite
//!   targets count as 0 and the rest, cash included, is scaled to sum to 1 (a target that names
//!   nothing is all cash). With `allow_leverage` the non-cash weights are taken as given (shorts
//!   and sums above 1 allowed) and cash holds `1 - sum`, borrowing at the cash rate when negative.
//! - **Rebalancing** happens every `rebalance_weeks` weeks, counted from the window's first week.
//!   Between rebalances the weights drift with prices: `w_i <- w_i (1 + r_i) / (1 + r_p)`.
//! - **Missing prices**: an asset is *tradable* at `t` when its Friday close is public, positive
//!   and fresh at `t` (MODEL.md 1.3: a close older than twice the native period is stale). On any
//!   week where a weight (target or held) sits on an asset that is not tradable, that weight moves
//!   to cash at the last known price, and the move is counted as turnover and costed. So a
//!   benchmark or tier whose data starts late is cash until its first price, and a feed that ends
//!   early is sold into cash. A held asset whose next close is missing earns 0 for the week (the
//!   price is carried forward): the engine never invents a return.
//! - **Returns**: simple returns of the panel's Friday closes, `r_t = p_{t+1} / p_t - 1`. Cash earns
//!   the fed funds accrual of the `CASH` total-return index over the same week (0 when DFF is not
//!   loaded: the report says so).
//! - **Costs**: `cost_t = sum_i |w_i^target - w_i^held| * bps(class_i) / 10_000`, charged on the
//!   decision week and subtracted from that week's return: `r^net = r^gross - cost`. Turnover is
//!   `sum over non-cash assets of |w_i^target - w_i^held|` (buying 100% of an index from cash is
//!   1.0; switching it for another is 2.0).
//! - **Equity** starts at 1 and compounds the net returns; it floors at 0 (a leveraged portfolio
//!   that loses everything stays at 0). Drawdown is `equity / running peak - 1` (the peak includes
//!   the starting 1), so it is 0 or negative.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::model::panel::Panel;

use super::BacktestError;

/// Weeks per year, the annualisation factor of every weekly figure.
pub const WEEKS_PER_YEAR: f64 = 52.0;

/// The id of cash in every market: the fed funds accrual (the panel's `CASH` index).
pub const CASH: &str = "CASH";

/// Weights smaller than this (in absolute value) count as zero: for exposure, and for the weights
/// listed in the report.
pub const WEIGHT_EPSILON: f64 = 1e-12;

/// What kind of asset an id is, for its trading cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetClass {
    /// Cash (fed funds accrual).
    Cash,
    /// Treasuries (`UST10`).
    Treasuries,
    /// Gold (`GOLD`).
    Gold,
    /// US equity indexes (`SP500`, `NASDAQ100`, `NASDAQCOM`).
    Equities,
    /// Crypto assets (`CBBTCUSD`, `CBETHUSD`, `ALTS`).
    Crypto,
    /// Anything else (an uploaded series used as an asset).
    Other,
}

impl AssetClass {
    /// The class of an asset id of the default spectrum; `Other` for any other id.
    pub fn of(id: &str) -> AssetClass {
        match id {
            CASH => AssetClass::Cash,
            "UST10" => AssetClass::Treasuries,
            "GOLD" => AssetClass::Gold,
            "SP500" | "NASDAQ100" | "NASDAQCOM" => AssetClass::Equities,
            "CBBTCUSD" | "CBETHUSD" | "ALTS" => AssetClass::Crypto,
            _ => AssetClass::Other,
        }
    }
}

/// Trading costs in basis points of the value traded, per asset class (MODEL.md 7 defaults: 10 for
/// equities and Treasuries, 20 for crypto; gold 10; cash free).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostConfig {
    /// Cash, bps.
    pub cash_bps: f64,
    /// Treasuries, bps.
    pub treasuries_bps: f64,
    /// Gold, bps.
    pub gold_bps: f64,
    /// Equities, bps.
    pub equities_bps: f64,
    /// Crypto, bps.
    pub crypto_bps: f64,
    /// Any other asset, bps.
    pub other_bps: f64,
}

impl CostConfig {
    /// The cost of an asset class by its name (`cash`, `treasuries`, `gold`, `equities`,
    /// `crypto`; anything else is `other`), bps.
    pub fn bps_of(&self, class: &str) -> f64 {
        match class {
            "cash" => self.cash_bps,
            "treasuries" => self.treasuries_bps,
            "gold" => self.gold_bps,
            "equities" => self.equities_bps,
            "crypto" => self.crypto_bps,
            _ => self.other_bps,
        }
    }
}

impl Default for CostConfig {
    fn default() -> CostConfig {
        CostConfig {
            cash_bps: 0.0,
            treasuries_bps: 10.0,
            gold_bps: 10.0,
            equities_bps: 10.0,
            crypto_bps: 20.0,
            other_bps: 10.0,
        }
    }
}

impl CostConfig {
    /// No costs at all (for frictionless comparisons).
    pub fn zero() -> CostConfig {
        CostConfig {
            cash_bps: 0.0,
            treasuries_bps: 0.0,
            gold_bps: 0.0,
            equities_bps: 0.0,
            crypto_bps: 0.0,
            other_bps: 0.0,
        }
    }

    /// Every class's cost multiplied by `factor` (for sensitivity checks).
    pub fn scaled(&self, factor: f64) -> CostConfig {
        CostConfig {
            cash_bps: self.cash_bps * factor,
            treasuries_bps: self.treasuries_bps * factor,
            gold_bps: self.gold_bps * factor,
            equities_bps: self.equities_bps * factor,
            crypto_bps: self.crypto_bps * factor,
            other_bps: self.other_bps * factor,
        }
    }

    /// The cost of trading one unit of equity in a class, in bps.
    pub fn bps(&self, class: AssetClass) -> f64 {
        match class {
            AssetClass::Cash => self.cash_bps,
            AssetClass::Treasuries => self.treasuries_bps,
            AssetClass::Gold => self.gold_bps,
            AssetClass::Equities => self.equities_bps,
            AssetClass::Crypto => self.crypto_bps,
            AssetClass::Other => self.other_bps,
        }
    }
}

/// How the engine trades.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineConfig {
    /// Rebalance every this many weeks (1 = every Friday).
    pub rebalance_weeks: usize,
    /// Trading costs.
    pub costs: CostConfig,
    /// Allow non-cash weights summing above 1 or below 0 (cash then borrows at the cash rate).
    pub allow_leverage: bool,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig { rebalance_weeks: 1, costs: CostConfig::default(), allow_leverage: false }
    }
}

impl EngineConfig {
    /// Checks the settings: at least one week between rebalances, finite non-negative costs.
    pub fn validate(&self) -> Result<(), BacktestError> {
        if self.rebalance_weeks == 0 {
            return Err(BacktestError::InvalidConfig("rebalance_weeks must be at least 1".into()));
        }
        let c = &self.costs;
        for (name, bps) in [
            ("cash_bps", c.cash_bps),
            ("treasuries_bps", c.treasuries_bps),
            ("gold_bps", c.gold_bps),
            ("equities_bps", c.equities_bps),
            ("crypto_bps", c.crypto_bps),
            ("other_bps", c.other_bps),
        ] {
            if !(bps.is_finite() && bps >= 0.0) {
                return Err(BacktestError::InvalidConfig(format!(
                    "costs.{name} must be a finite number >= 0, got {bps}"
                )));
            }
        }
        Ok(())
    }
}

/// The tradable universe on the weekly calendar: for each asset, its weekly returns and the weeks
/// on which it can be traded. Asset 0 is always [`CASH`].
#[derive(Clone, Debug, PartialEq)]
pub struct Market {
    dates: Vec<Date>,
    assets: Vec<String>,
    classes: Vec<AssetClass>,
    /// `returns[a][t]`: the simple return over `(t, t + 1]`; 0 where a close is missing.
    returns: Vec<Vec<f64>>,
    /// `tradable[a][t]`: a fresh, positive close is public at `t`.
    tradable: Vec<Vec<bool>>,
}

/// Weekly simple returns of a price path: `p[t+1] / p[t] - 1`, 0 where either close is missing or
/// not positive, and 0 for the last week (nothing follows it).
fn weekly_returns(prices: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; prices.len()];
    for (t, pair) in prices.windows(2).enumerate() {
        let (now, next) = (pair[0], pair[1]);
        if now.is_finite() && next.is_finite() && now > 0.0 && next > 0.0 {
            out[t] = next / now - 1.0;
        }
    }
    out
}

impl Market {
    /// A market from price paths on a calendar (for tests, benches and uploaded data): the cash
    /// total-return index (`None`: cash earns 0) and `(id, prices)` per asset. A week is tradable
    /// where the price is finite and positive. Paths shorter than the calendar are padded with
    /// missing prices; an asset named `CASH` in `assets` is ignored (cash is always asset 0).
    pub fn from_prices(dates: Vec<Date>, cash_index: Option<&[f64]>, assets: &[(&str, &[f64])]) -> Market {
        let n = dates.len();
        let fit = |v: &[f64]| -> Vec<f64> { (0..n).map(|t| v.get(t).copied().unwrap_or(f64::NAN)).collect() };
        let mut market = Market {
            assets: vec![CASH.to_string()],
            classes: vec![AssetClass::Cash],
            returns: vec![cash_index.map_or_else(|| vec![0.0; n], |c| weekly_returns(&fit(c)))],
            tradable: vec![vec![true; n]],
            dates,
        };
        for (id, prices) in assets {
            if *id == CASH || market.index_of(id).is_some() {
                continue;
            }
            let prices = fit(prices);
            let tradable = prices.iter().map(|p| p.is_finite() && *p > 0.0).collect();
            market.push(id, weekly_returns(&prices), tradable);
        }
        market
    }

    /// The market of the panel's Friday closes for `ids` (cash first, from the `CASH` column). An
    /// id with no panel column is kept but never tradable, so a strategy that names it holds cash
    /// instead (and the report notes it).
    pub fn from_panel(panel: &Panel, ids: &[&str]) -> Market {
        let n = panel.len();
        let cash = panel.get(CASH).map_or_else(|| vec![0.0; n], |c| weekly_returns(&c.values));
        let mut market = Market {
            dates: panel.calendar.dates().to_vec(),
            assets: vec![CASH.to_string()],
            classes: vec![AssetClass::Cash],
            returns: vec![cash],
            tradable: vec![vec![true; n]],
        };
        for id in ids {
            if *id == CASH || market.index_of(id).is_some() {
                continue;
            }
            match panel.get(id) {
                Some(column) => {
                    let tradable = column
                        .values
                        .iter()
                        .zip(&column.stale)
                        .map(|(p, stale)| p.is_finite() && *p > 0.0 && !stale)
                        .collect();
                    market.push(id, weekly_returns(&column.values), tradable);
                }
                None => market.push(id, vec![0.0; n], vec![false; n]),
            }
        }
        market
    }

    fn push(&mut self, id: &str, returns: Vec<f64>, tradable: Vec<bool>) {
        self.assets.push(id.to_string());
        self.classes.push(AssetClass::of(id));
        self.returns.push(returns);
        self.tradable.push(tradable);
    }

    /// A market of some of this market's assets (cash always included), in the order given.
    pub fn subset(&self, ids: &[&str]) -> Market {
        let mut out = Market {
            dates: self.dates.clone(),
            assets: vec![CASH.to_string()],
            classes: vec![AssetClass::Cash],
            returns: vec![self.returns[0].clone()],
            tradable: vec![self.tradable[0].clone()],
        };
        for id in ids {
            if let (Some(a), None) = (self.index_of(id), out.index_of(id)) {
                out.assets.push(self.assets[a].clone());
                out.classes.push(self.classes[a]);
                out.returns.push(self.returns[a].clone());
                out.tradable.push(self.tradable[a].clone());
            }
        }
        out
    }

    /// Number of weeks.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when the calendar is empty.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The Fridays.
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// The asset ids, cash first.
    pub fn assets(&self) -> &[String] {
        &self.assets
    }

    /// The position of an asset.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.assets.iter().position(|a| a == id)
    }

    /// The class of asset `a`.
    pub fn class(&self, a: usize) -> Option<AssetClass> {
        self.classes.get(a).copied()
    }

    /// Whether asset `a` can be traded at week `t` (false out of range).
    pub fn tradable(&self, a: usize, t: usize) -> bool {
        self.tradable.get(a).and_then(|v| v.get(t)).copied().unwrap_or(false)
    }

    /// The weekly returns of asset `a` (`r[t]` over `(t, t + 1]`); empty out of range.
    pub fn returns(&self, a: usize) -> &[f64] {
        self.returns.get(a).map_or(&[], Vec::as_slice)
    }

    /// The first week at which asset `a` is tradable.
    pub fn first_tradable(&self, a: usize) -> Option<usize> {
        self.tradable.get(a)?.iter().position(|x| *x)
    }

    /// How many weeks of `weeks` asset `a` cannot be traded on.
    pub fn untradable_weeks(&self, a: usize, weeks: Range<usize>) -> usize {
        weeks.filter(|t| !self.tradable(a, *t)).count()
    }

    /// The week index of the first Friday on or after `date`.
    pub fn index_on_or_after(&self, date: Date) -> usize {
        self.dates.partition_point(|d| *d < date)
    }

    /// The decision weeks available for simulation: every Friday but the last (whose return is
    /// not known yet).
    pub fn decision_weeks(&self) -> Range<usize> {
        0..self.len().saturating_sub(1)
    }
}

/// Target weights per week over a market's assets, as a strategy computed them from data public
/// at each week.
#[derive(Clone, Debug, PartialEq)]
pub struct Targets {
    assets: usize,
    weights: Vec<f64>,
    defined: Vec<bool>,
    labels: Vec<Option<String>>,
}

impl Targets {
    /// `weeks` weeks over `assets` assets, all cash and not yet defined.
    pub fn new(weeks: usize, assets: usize) -> Targets {
        let assets = assets.max(1);
        let mut weights = vec![0.0; weeks * assets];
        for row in weights.chunks_mut(assets) {
            row[0] = 1.0;
        }
        Targets { assets, weights, defined: vec![false; weeks], labels: vec![None; weeks] }
    }

    /// The same weights every week (`(asset id, weight)`; ids not in the market are ignored), all
    /// defined: a buy-and-hold or fixed-mix benchmark.
    pub fn constant(market: &Market, weights: &[(String, f64)]) -> Targets {
        let mut targets = Targets::new(market.len(), market.assets().len());
        let mut row = vec![0.0; targets.assets];
        for (id, w) in weights {
            if let Some(a) = market.index_of(id) {
                row[a] += w;
            }
        }
        for t in 0..market.len() {
            targets.set(t, &row, None);
        }
        targets
    }

    /// Number of weeks.
    pub fn len(&self) -> usize {
        self.defined.len()
    }

    /// True when there is no week.
    pub fn is_empty(&self) -> bool {
        self.defined.is_empty()
    }

    /// Number of assets per row.
    pub fn assets(&self) -> usize {
        self.assets
    }

    /// Sets week `t`'s raw target (one weight per asset; missing trailing entries are 0) and marks
    /// it defined. Out of range: nothing happens.
    pub fn set(&mut self, t: usize, weights: &[f64], label: Option<String>) {
        let Some(row) = self.weights.get_mut(t * self.assets..(t + 1) * self.assets) else { return };
        for (a, slot) in row.iter_mut().enumerate() {
            *slot = weights.get(a).copied().unwrap_or(0.0);
        }
        self.defined[t] = true;
        self.labels[t] = label;
    }

    /// Sets week `t` to all of one asset.
    pub fn set_single(&mut self, t: usize, asset: usize, defined: bool) {
        let Some(row) = self.weights.get_mut(t * self.assets..(t + 1) * self.assets) else { return };
        row.fill(0.0);
        if let Some(slot) = row.get_mut(asset) {
            *slot = 1.0;
        } else {
            row[0] = 1.0;
        }
        self.defined[t] = defined;
    }

    /// Marks week `t` as (not) defined without touching its weights.
    pub fn set_defined(&mut self, t: usize, defined: bool) {
        if let Some(slot) = self.defined.get_mut(t) {
            *slot = defined;
        }
    }

    /// The raw target of week `t` (empty out of range).
    pub fn row(&self, t: usize) -> &[f64] {
        self.weights.get(t * self.assets..(t + 1) * self.assets).unwrap_or(&[])
    }

    /// Whether the strategy had the information it needs at week `t`.
    pub fn defined(&self, t: usize) -> bool {
        self.defined.get(t).copied().unwrap_or(false)
    }

    /// The label of week `t` (the rotation rule that gave the weights, say).
    pub fn label(&self, t: usize) -> Option<&str> {
        self.labels.get(t).and_then(|l| l.as_deref())
    }

    /// The first week with a defined target: where the strategy's warm-up ends.
    pub fn first_defined(&self) -> Option<usize> {
        self.defined.iter().position(|d| *d)
    }

    /// Copies weeks `weeks` of `other` into this one (same shape; for stitching walk-forward
    /// folds).
    pub fn copy_weeks(&mut self, other: &Targets, weeks: Range<usize>) {
        if other.assets != self.assets {
            return;
        }
        for t in weeks {
            if t >= self.len() || t >= other.len() {
                break;
            }
            let label = other.labels[t].clone();
            let row = other.row(t).to_vec();
            self.set(t, &row, label);
            self.defined[t] = other.defined[t];
        }
    }
}

/// Scales a raw target to the weights actually held (see the module docs), into `out`.
fn normalise(raw: &[f64], allow_leverage: bool, out: &mut [f64]) {
    let clean = |w: f64| if w.is_finite() { w } else { 0.0 };
    if allow_leverage {
        let mut risky = 0.0;
        for (a, slot) in out.iter_mut().enumerate().skip(1) {
            *slot = clean(raw.get(a).copied().unwrap_or(0.0));
            risky += *slot;
        }
        out[0] = 1.0 - risky;
        return;
    }
    let mut total = 0.0;
    for (a, slot) in out.iter_mut().enumerate() {
        *slot = clean(raw.get(a).copied().unwrap_or(0.0)).max(0.0);
        total += *slot;
    }
    if total > 0.0 && total.is_finite() {
        out.iter_mut().for_each(|w| *w /= total);
    } else {
        out.fill(0.0);
        out[0] = 1.0;
    }
}

/// The columns of a simulation (one entry per holding week) without the per-week weight maps: what
/// the sweep needs, and what [`Simulation`] is made of.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Path {
    pub gross: Vec<f64>,
    pub cash: Vec<f64>,
    pub turnover: Vec<f64>,
    pub cost: Vec<f64>,
    pub net: Vec<f64>,
    /// Weights held over each week, `m` per week.
    pub held: Vec<f64>,
}

/// The engine's loop (see the module docs) over decision weeks `weeks`.
pub(crate) fn run_path(market: &Market, targets: &Targets, weeks: Range<usize>, cfg: &EngineConfig) -> Path {
    let m = market.assets().len();
    let end = weeks.end.min(market.decision_weeks().end).min(targets.len());
    let weeks = weeks.start.min(end)..end;
    let k = weeks.len();
    let bps: Vec<f64> = (0..m).map(|a| cfg.costs.bps(market.classes[a]) / 10_000.0).collect();
    let every = cfg.rebalance_weeks.max(1);
    let mut path = Path {
        gross: Vec::with_capacity(k),
        cash: Vec::with_capacity(k),
        turnover: Vec::with_capacity(k),
        cost: Vec::with_capacity(k),
        net: Vec::with_capacity(k),
        held: Vec::with_capacity(k * m),
    };
    // Start all in cash: the first week's trade into the target is costed like any other.
    let mut held = vec![0.0; m];
    held[0] = 1.0;
    let mut target = vec![0.0; m];
    for (i, t) in weeks.enumerate() {
        if targets.assets() == m && i % every == 0 {
            normalise(targets.row(t), cfg.allow_leverage, &mut target);
        } else {
            target.copy_from_slice(&held);
        }
        for a in 1..m {
            if target[a] != 0.0 && !market.tradable(a, t) {
                target[0] += target[a];
                target[a] = 0.0;
            }
        }
        let (mut turnover, mut cost, mut gross) = (0.0, 0.0, 0.0);
        for a in 0..m {
            let traded = (target[a] - held[a]).abs();
            if a > 0 {
                turnover += traded;
            }
            cost += traded * bps[a];
            gross += target[a] * market.returns[a][t];
        }
        let net = gross - cost;
        path.gross.push(gross);
        path.cash.push(market.returns[0][t]);
        path.turnover.push(turnover);
        path.cost.push(cost);
        path.net.push(net);
        path.held.extend_from_slice(&target);
        // Drift to the next week's held weights.
        let growth = 1.0 + gross;
        for a in 0..m {
            held[a] =
                if growth > 0.0 { target[a] * (1.0 + market.returns[a][t]) / growth } else { target[a] };
        }
    }
    path
}

/// Equity (from 1, floored at 0) and drawdown of a series of net returns.
pub(crate) fn equity_and_drawdown(net: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut equity = Vec::with_capacity(net.len());
    let mut drawdown = Vec::with_capacity(net.len());
    let (mut level, mut peak) = (1.0f64, 1.0f64);
    for r in net {
        level = (level * (1.0 + r)).max(0.0);
        peak = peak.max(level);
        equity.push(level);
        drawdown.push(if peak > 0.0 { level / peak - 1.0 } else { 0.0 });
    }
    (equity, drawdown)
}

/// One holding week of a simulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekRow {
    /// The Friday the week ends (its return is realised at this close).
    pub date: Date,
    /// The Friday whose close decided the weights (the previous Friday).
    pub decided: Date,
    /// Weights held over the week (non-zero only), after the rebalance at `decided`.
    pub weights: BTreeMap<String, f64>,
    /// Portfolio return net of costs over the week.
    pub portfolio_return: f64,
    /// Return before costs.
    pub gross_return: f64,
    /// The cash return over the week.
    pub cash_return: f64,
    /// Turnover of the trade at `decided` (sum of absolute non-cash weight changes).
    pub turnover: f64,
    /// Cost of that trade as a share of equity.
    pub cost: f64,
    /// Equity at `date` (1 at the start).
    pub equity: f64,
    /// Drawdown at `date` (`equity / peak - 1`, 0 or negative).
    pub drawdown: f64,
    /// The rule that gave the weights (rotation strategies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// A simulated portfolio over a window of weeks: columns, one entry per holding week.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    /// The asset ids, cash first (the order of [`Simulation::weights`]).
    pub assets: Vec<String>,
    /// The Friday each week's weights were decided on (`t`).
    pub decided: Vec<Date>,
    /// The Friday each week ends (`t + 1`).
    pub dates: Vec<Date>,
    /// Return before costs.
    pub gross_return: Vec<f64>,
    /// Cash return.
    pub cash_return: Vec<f64>,
    /// Turnover.
    pub turnover: Vec<f64>,
    /// Cost.
    pub cost: Vec<f64>,
    /// Net return.
    pub net_return: Vec<f64>,
    /// Equity after the week.
    pub equity: Vec<f64>,
    /// Drawdown after the week.
    pub drawdown: Vec<f64>,
    /// The target's label per week.
    pub labels: Vec<Option<String>>,
    held: Vec<f64>,
}

/// Simulates `targets` on `market` over the decision weeks `weeks` (clamped to the weeks whose
/// return is known). See the module docs for the conventions.
///
/// # Example
///
/// ```
/// use tideline_core::backtest::engine::{simulate, EngineConfig, Market, Targets};
/// use tideline_core::Date;
///
/// let dates: Vec<Date> = (0..5).map(|k| Date::from_days(19_726 + 7 * k)).collect();
/// let index = [100.0, 101.0, 102.01, 103.0301, 104.060401];
/// let market = Market::from_prices(dates, None, &[("SP500", &index)]);
/// let hold = Targets::constant(&market, &[("SP500".to_string(), 1.0)]);
/// let run = simulate(&market, &hold, market.decision_weeks(), &EngineConfig::default());
/// assert_eq!(run.len(), 4);
/// // 1% a week, less 10 bps of the first week's purchase.
/// assert!((run.equity[3] - (1.01 - 0.001) * 1.01f64.powi(3)).abs() < 1e-12);
/// ```
pub fn simulate(market: &Market, targets: &Targets, weeks: Range<usize>, cfg: &EngineConfig) -> Simulation {
    let path = run_path(market, targets, weeks.clone(), cfg);
    let k = path.net.len();
    let first = weeks.start;
    let dates = market.dates();
    let (equity, drawdown) = equity_and_drawdown(&path.net);
    Simulation {
        assets: market.assets().to_vec(),
        decided: (first..first + k).filter_map(|t| dates.get(t).copied()).collect(),
        dates: (first + 1..first + 1 + k).filter_map(|t| dates.get(t).copied()).collect(),
        labels: (first..first + k).map(|t| targets.label(t).map(str::to_string)).collect(),
        gross_return: path.gross,
        cash_return: path.cash,
        turnover: path.turnover,
        cost: path.cost,
        net_return: path.net,
        equity,
        drawdown,
        held: path.held,
    }
}

impl Simulation {
    /// Number of holding weeks.
    pub fn len(&self) -> usize {
        self.net_return.len()
    }

    /// True when nothing was simulated.
    pub fn is_empty(&self) -> bool {
        self.net_return.is_empty()
    }

    /// The weights held over week `k` (cash first; empty out of range).
    pub fn weights(&self, k: usize) -> &[f64] {
        let m = self.assets.len();
        self.held.get(k * m..(k + 1) * m).unwrap_or(&[])
    }

    /// Per week: whether anything but cash was held (`|w| >` [`WEIGHT_EPSILON`]).
    pub fn exposed(&self) -> Vec<bool> {
        (0..self.len()).map(|k| self.weights(k).iter().skip(1).any(|w| w.abs() > WEIGHT_EPSILON)).collect()
    }

    /// The first decision Friday (where equity is 1).
    pub fn start(&self) -> Option<Date> {
        self.decided.first().copied()
    }

    /// The last return Friday.
    pub fn end(&self) -> Option<Date> {
        self.dates.last().copied()
    }

    /// The equity curve for charts, starting with `(start, 1.0)`.
    pub fn equity_series(&self) -> Vec<(Date, f64)> {
        self.start()
            .map(|s| (s, 1.0))
            .into_iter()
            .chain(self.dates.iter().copied().zip(self.equity.iter().copied()))
            .collect()
    }

    /// The drawdown curve for charts, starting with `(start, 0.0)`.
    pub fn drawdown_series(&self) -> Vec<(Date, f64)> {
        self.start()
            .map(|s| (s, 0.0))
            .into_iter()
            .chain(self.dates.iter().copied().zip(self.drawdown.iter().copied()))
            .collect()
    }

    /// The weekly rows of the report.
    pub fn rows(&self) -> Vec<WeekRow> {
        (0..self.len())
            .filter_map(|k| {
                let weights = self
                    .assets
                    .iter()
                    .zip(self.weights(k))
                    .filter(|(_, w)| w.abs() > WEIGHT_EPSILON)
                    .map(|(id, w)| (id.clone(), *w))
                    .collect();
                Some(WeekRow {
                    date: *self.dates.get(k)?,
                    decided: *self.decided.get(k)?,
                    weights,
                    portfolio_return: self.net_return[k],
                    gross_return: self.gross_return[k],
                    cash_return: self.cash_return[k],
                    turnover: self.turnover[k],
                    cost: self.cost[k],
                    equity: self.equity[k],
                    drawdown: self.drawdown[k],
                    rule: self.labels.get(k).cloned().flatten(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOL: f64 = 1e-12;

    fn dates(n: usize) -> Vec<Date> {
        (0..n).map(|k| Date::from_days(19_726 + 7 * k as i32)).collect()
    }

    #[test]
    fn normalises_without_leverage_and_keeps_leverage_when_asked() {
        let mut out = vec![0.0; 3];
        normalise(&[1.0, 3.0, -1.0], false, &mut out);
        assert_eq!(out, vec![0.25, 0.75, 0.0]);
        normalise(&[0.0, 0.0, f64::NAN], false, &mut out);
        assert_eq!(out, vec![1.0, 0.0, 0.0]);
        normalise(&[0.0, 1.5, -0.2], true, &mut out);
        assert!((out[0] - (1.0 - 1.3)).abs() < TOL);
    }

    #[test]
    fn position_earns_the_next_week_only() {
        // The asset jumps 50% in week 2 -> 3; a target set at week 2 earns it, one set at week 3
        // does not.
        let prices = [100.0, 100.0, 100.0, 150.0, 150.0];
        let market = Market::from_prices(dates(5), None, &[("SP500", &prices)]);
        let cfg = EngineConfig { costs: CostConfig::zero(), ..EngineConfig::default() };
        let mut late = Targets::new(5, 2);
        late.set_single(3, 1, true);
        let run = simulate(&market, &late, market.decision_weeks(), &cfg);
        assert_eq!(run.equity.last().copied(), Some(1.0));
        let mut early = Targets::new(5, 2);
        early.set_single(2, 1, true);
        let run = simulate(&market, &early, market.decision_weeks(), &cfg);
        assert!((run.net_return[2] - 0.5).abs() < TOL);
        assert_eq!(run.dates[2], dates(5)[3]);
        assert_eq!(run.decided[2], dates(5)[2]);
    }

    #[test]
    fn untradable_weights_go_to_cash() {
        let prices = [f64::NAN, f64::NAN, 100.0, 110.0];
        let cash = [1.0, 1.01, 1.0201, 1.030301];
        let market = Market::from_prices(dates(4), Some(&cash), &[("CBBTCUSD", &prices)]);
        let hold = Targets::constant(&market, &[("CBBTCUSD".into(), 1.0)]);
        let run = simulate(&market, &hold, market.decision_weeks(), &EngineConfig::default());
        assert_eq!(run.weights(0), &[1.0, 0.0]);
        assert!((run.net_return[0] - 0.01).abs() < 1e-9);
        // Week 2: buys BTC at 20 bps and earns 10%.
        assert!((run.net_return[2] - (0.1 - 0.002)).abs() < 1e-12);
        assert_eq!(run.turnover, vec![0.0, 0.0, 1.0]);
    }

    #[test]
    fn weights_drift_between_rebalances() {
        let a = [100.0, 200.0, 200.0];
        let market = Market::from_prices(dates(3), None, &[("SP500", &a)]);
        let cfg = EngineConfig { rebalance_weeks: 2, costs: CostConfig::zero(), allow_leverage: false };
        let half = Targets::constant(&market, &[("SP500".into(), 0.5), (CASH.into(), 0.5)]);
        let run = simulate(&market, &half, market.decision_weeks(), &cfg);
        // After doubling: 1.0 / 1.5 in the index, no trade in week 1.
        assert!((run.weights(1)[1] - 2.0 / 3.0).abs() < TOL);
        assert_eq!(run.turnover[1], 0.0);
        let weekly = simulate(&market, &half, market.decision_weeks(), &EngineConfig::default());
        assert!((weekly.turnover[1] - (2.0 / 3.0 - 0.5)).abs() < TOL);
    }
}
