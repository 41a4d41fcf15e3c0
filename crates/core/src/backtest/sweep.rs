//! The parameter sweep (MODEL.md 7): the liquidity-timing strategy over a grid of two of its
//! parameters, as a Sharpe heatmap and the share of the grid that beats the benchmark.
//!
//! # Design
//!
//! The question a sweep answers is robustness: does the rule work across reasonable settings, or
//! only in one lucky cell? So the report leads with the share of cells whose Sharpe beats the
//! benchmark's (and the median cell), not with the best cell.
//!
//! Every cell runs on one common window: from the first week at which every cell's signal is
//! defined (the longest lookback decides) to the last week, so the cells and the benchmark are
//! compared on the same weeks. Speed: each distinct lookback's impulse is computed once and shared
//! by its cells, and the engine runs on a two-asset market (cash and the risk asset), whose
//! results are identical to those on the full market (the other assets' weights are 0). On 15
//! years of weekly data, 441 cells take a few milliseconds natively.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::date::Date;

use super::engine::{run_path, simulate, EngineConfig, Market, Targets};
use super::metrics::{self, sharpe_ratio};
use super::strategy::{timing_targets, validate_timing, BenchmarkSpec, Signals, TimingParams};
use super::{BacktestError, Span};

/// A parameter of the liquidity-timing strategy that a sweep can vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimingParam {
    /// `lookback_weeks` (values rounded to whole weeks, at least 1).
    LookbackWeeks,
    /// `threshold_pct`.
    ThresholdPct,
    /// `risk_floor`.
    RiskFloor,
}

impl TimingParam {
    /// `params` with this parameter set to `value`.
    pub fn apply(self, params: &TimingParams, value: f64) -> TimingParams {
        let mut p = params.clone();
        match self {
            TimingParam::LookbackWeeks => p.lookback_weeks = value.round().max(0.0) as usize,
            TimingParam::ThresholdPct => p.threshold_pct = value,
            TimingParam::RiskFloor => p.risk_floor = value,
        }
        p
    }

    /// Every parameter, in the order a picker lists them.
    pub const ALL: [TimingParam; 3] =
        [TimingParam::LookbackWeeks, TimingParam::ThresholdPct, TimingParam::RiskFloor];

    /// The short name links use: `lookback`, `threshold`, `floor`.
    pub fn key(self) -> &'static str {
        match self {
            TimingParam::LookbackWeeks => "lookback",
            TimingParam::ThresholdPct => "threshold",
            TimingParam::RiskFloor => "floor",
        }
    }

    /// The parameter of a short name ([`TimingParam::key`]).
    pub fn from_key(key: &str) -> Option<TimingParam> {
        TimingParam::ALL.into_iter().find(|p| p.key() == key)
    }

    /// The axis a sweep gives this parameter unless told otherwise: lookback 4..=52 weeks by 1
    /// (49 values), threshold -2..=2 % by 0.5 (9), risk-appetite floor -2..=2 by 0.5 (9).
    pub fn default_axis(self) -> SweepAxis {
        match self {
            TimingParam::LookbackWeeks => SweepAxis::range(self, 4.0, 52.0, 1.0),
            TimingParam::ThresholdPct | TimingParam::RiskFloor => SweepAxis::range(self, -2.0, 2.0, 0.5),
        }
    }
}

/// One axis of the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepAxis {
    /// Which parameter.
    pub param: TimingParam,
    /// Its values, in display order.
    pub values: Vec<f64>,
}

impl SweepAxis {
    /// `from, from + step, ...` up to `to` inclusive (each value computed as `from + i * step`, so
    /// no rounding accumulates). Empty when `step` is not positive or the bounds are reversed.
    pub fn range(param: TimingParam, from: f64, to: f64, step: f64) -> SweepAxis {
        let mut values = Vec::new();
        if step > 0.0 && step.is_finite() && from.is_finite() && to.is_finite() && to >= from {
            let count = ((to - from) / step + 1e-9).floor() as usize;
            values = (0..=count).map(|i| from + i as f64 * step).collect();
        }
        SweepAxis { param, values }
    }
}

/// Settings of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SweepConfig {
    /// The strategy the grid varies (default: the first liquidity-timing strategy of the
    /// configuration, else [`TimingParams::default`]).
    pub base: Option<TimingParams>,
    /// The rows (default: lookback 4..=52 weeks, 49 values).
    pub rows: SweepAxis,
    /// The columns (default: threshold -2..=2 % in steps of 0.5, 9 values).
    pub cols: SweepAxis,
    /// The benchmark to beat (default: buy and hold the risk asset).
    pub benchmark: Option<BenchmarkSpec>,
}

impl Default for SweepConfig {
    fn default() -> SweepConfig {
        SweepConfig {
            base: None,
            rows: TimingParam::LookbackWeeks.default_axis(),
            cols: TimingParam::ThresholdPct.default_axis(),
            benchmark: None,
        }
    }
}

impl SweepConfig {
    /// Checks the grid: two different parameters, non-empty axes of finite values, lookbacks of at
    /// least one week.
    pub fn validate(&self) -> Result<(), BacktestError> {
        let bad = |m: String| Err(BacktestError::InvalidConfig(format!("sweep: {m}")));
        if self.rows.param == self.cols.param {
            return bad("rows and cols must vary different parameters".into());
        }
        for axis in [&self.rows, &self.cols] {
            if axis.values.is_empty() {
                return bad(format!("the {:?} axis has no value", axis.param));
            }
            if axis.values.iter().any(|v| !v.is_finite()) {
                return bad(format!("the {:?} axis has a value that is not finite", axis.param));
            }
            if axis.param == TimingParam::LookbackWeeks && axis.values.iter().any(|v| v.round() < 1.0) {
                return bad("lookbacks must be at least 1 week".into());
            }
        }
        if let Some(base) = &self.base {
            validate_timing(base)?;
        }
        Ok(())
    }

    /// Number of cells of the grid (`rows x cols`).
    pub fn cell_count(&self) -> usize {
        self.rows.values.len() * self.cols.values.len()
    }

    /// The parameters of cell `(row, col)`.
    pub fn cell(&self, base: &TimingParams, row: usize, col: usize) -> Option<TimingParams> {
        let (r, c) = (self.rows.values.get(row)?, self.cols.values.get(col)?);
        Some(self.cols.param.apply(&self.rows.param.apply(base, *r), *c))
    }
}

/// The sweep's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    /// The strategy varied.
    pub base: TimingParams,
    /// The common window of every cell and the benchmark.
    pub window: Span,
    /// The row axis.
    pub rows: SweepAxis,
    /// The column axis.
    pub cols: SweepAxis,
    /// Sharpe ratio per cell, `sharpe[row][col]` (`None` where undefined).
    pub sharpe: Vec<Vec<Option<f64>>>,
    /// The benchmark's name.
    pub benchmark: String,
    /// The benchmark's Sharpe ratio on the same window.
    pub benchmark_sharpe: Option<f64>,
    /// Number of cells.
    pub cells: usize,
    /// Cells whose Sharpe is above the benchmark's.
    pub cells_beating: usize,
    /// `cells_beating / cells`: the robustness figure (`None` when the benchmark's Sharpe is
    /// undefined).
    pub share_beating: Option<f64>,
    /// The median Sharpe of the cells where it is defined.
    pub median_sharpe: Option<f64>,
}

/// One evaluated cell: its parameters and its net returns over the grid's window.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cell {
    pub params: TimingParams,
    pub net: Vec<f64>,
}

/// Every cell of a grid run continuously over one window (shared by the sweep and the
/// walk-forward).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Grid {
    pub base: TimingParams,
    /// Decision weeks of the market.
    pub window: Range<usize>,
    /// Row-major.
    pub cells: Vec<Cell>,
    pub cash: Vec<f64>,
    /// The two-asset market (cash, risk asset).
    pub market: Market,
    pub impulses: BTreeMap<usize, Vec<f64>>,
}

/// Runs every cell of the grid over the common window starting no earlier than `start`, calling
/// `tick` after each cell (the unit of a backtest's progress, see
/// [`super::run_backtest_with_progress`]).
pub(crate) fn evaluate(
    market: &Market,
    signals: &Signals,
    config: &SweepConfig,
    base: &TimingParams,
    engine: &EngineConfig,
    start: Option<Date>,
    tick: &mut dyn FnMut(),
) -> Result<Grid, BacktestError> {
    config.validate()?;
    validate_timing(base)?;
    let market = market.subset(&[base.risk_asset.as_str()]);
    let (rows, cols) = (config.rows.values.len(), config.cols.values.len());
    let params: Vec<TimingParams> = (0..rows)
        .flat_map(|r| (0..cols).map(move |c| (r, c)))
        .filter_map(|(r, c)| config.cell(base, r, c))
        .collect();
    let mut impulses: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for p in &params {
        impulses.entry(p.lookback_weeks).or_insert_with(|| signals.impulse(p.lookback_weeks));
    }
    // The window starts where every cell is defined: the warm-up depends on the lookback only
    // (and the floor/threshold not at all), so one cell per lookback decides.
    let mut first = start.map_or(0, |d| market.index_on_or_after(d));
    for (lookback, impulse) in &impulses {
        let p = TimingParams { lookback_weeks: *lookback, ..base.clone() };
        let targets = timing_targets(&market, signals, impulse, &p)?;
        let defined = targets.first_defined().ok_or_else(|| BacktestError::NoWindow {
            reason: format!("the timing signal with a {lookback}-week lookback is never defined"),
        })?;
        first = first.max(defined);
    }
    let end = market.decision_weeks().end;
    if first >= end {
        return Err(BacktestError::NoWindow { reason: "the sweep's common window holds no week".into() });
    }
    let window = first..end;
    let mut cells = Vec::with_capacity(params.len());
    let mut cash = Vec::new();
    for p in params {
        let impulse = impulses.get(&p.lookback_weeks).map_or(&[][..], Vec::as_slice);
        let targets = timing_targets(&market, signals, impulse, &p)?;
        let path = run_path(&market, &targets, window.clone(), engine);
        if cash.is_empty() {
            cash = path.cash;
        }
        cells.push(Cell { params: p, net: path.net });
        tick();
    }
    Ok(Grid { base: base.clone(), window, cells, cash, market, impulses })
}

/// The Sharpe heatmap of the timing strategy over `config`'s grid, and the share of cells that
/// beat the benchmark on the same window. `market` must hold the risk asset and the benchmark's
/// assets; `start` bounds the window from below.
///
/// # Formula
///
/// Cell Sharpe as in [`metrics::sharpe_ratio`]; `share_beating = #{cells: sharpe > sharpe_bench} /
/// #cells` (a cell with an undefined Sharpe does not beat).
pub fn sweep(
    market: &Market,
    signals: &Signals,
    config: &SweepConfig,
    base: &TimingParams,
    engine: &EngineConfig,
    start: Option<Date>,
) -> Result<SweepReport, BacktestError> {
    sweep_ticking(market, signals, config, base, engine, start, &mut || {})
}

/// [`sweep`], calling `tick` after each cell.
pub(crate) fn sweep_ticking(
    market: &Market,
    signals: &Signals,
    config: &SweepConfig,
    base: &TimingParams,
    engine: &EngineConfig,
    start: Option<Date>,
    tick: &mut dyn FnMut(),
) -> Result<SweepReport, BacktestError> {
    let grid = evaluate(market, signals, config, base, engine, start, tick)?;
    let cols = config.cols.values.len().max(1);
    let values: Vec<Option<f64>> = grid.cells.iter().map(|c| sharpe_ratio(&c.net, &grid.cash)).collect();
    let sharpe: Vec<Vec<Option<f64>>> = values.chunks(cols).map(<[Option<f64>]>::to_vec).collect();
    let benchmark = config.benchmark.clone().unwrap_or_else(|| BenchmarkSpec::buy_and_hold(&base.risk_asset));
    let bench_targets = Targets::constant(market, &benchmark.weights);
    let bench_run = simulate(market, &bench_targets, grid.window.clone(), engine);
    let benchmark_sharpe = metrics::of_simulation(&bench_run).sharpe;
    let cells = values.len();
    let cells_beating = match benchmark_sharpe {
        Some(b) => values.iter().filter(|s| s.is_some_and(|s| s > b)).count(),
        None => 0,
    };
    let mut defined: Vec<f64> = values.iter().flatten().copied().collect();
    defined.sort_by(f64::total_cmp);
    Ok(SweepReport {
        base: grid.base.clone(),
        window: Span::of(market.dates(), grid.window.clone()),
        rows: config.rows.clone(),
        cols: config.cols.clone(),
        sharpe,
        benchmark: benchmark.name,
        benchmark_sharpe,
        cells,
        cells_beating,
        share_beating: benchmark_sharpe.filter(|_| cells > 0).map(|_| cells_beating as f64 / cells as f64),
        median_sharpe: crate::stats::descriptive::quantile_sorted(&defined, 0.5),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_grid_has_at_least_400_cells() {
        let config = SweepConfig::default();
        assert_eq!(config.rows.values.len(), 49);
        assert_eq!(config.cols.values.len(), 9);
        assert_eq!(config.cols.values[8], 2.0);
        assert!(config.validate().is_ok());
        let cell = config.cell(&TimingParams::default(), 2, 1).unwrap_or_default();
        assert_eq!((cell.lookback_weeks, cell.threshold_pct), (6, -1.5));
    }

    #[test]
    fn bad_grids_are_refused() {
        let mut config = SweepConfig::default();
        config.cols.param = TimingParam::LookbackWeeks;
        assert!(config.validate().is_err());
        let mut config = SweepConfig::default();
        config.rows.values = vec![0.0];
        assert!(config.validate().is_err());
        assert!(SweepAxis::range(TimingParam::RiskFloor, 1.0, 0.0, 0.5).values.is_empty());
    }
}
