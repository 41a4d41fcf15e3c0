//! The point-in-time backtest (MODEL.md 7).
//!
//! # Design
//!
//! A backtest is only as honest as its clock. Everything here runs on the weekly panel
//! ([`crate::model::panel::Panel`]), whose value at Friday `t` is what was public at `t`
//! (publication lags applied, MODEL.md 1.3), and on the chain's link scores and the regimes, which
//! are trailing computations of that panel. A strategy turns the signals of `t` into target
//! weights at `t`; the engine trades at the close of `t` and the position earns the week from `t`
//! to `t + 1`, never the week that produced the signal. [`run_backtest`] also cuts the dataset at
//! the as-of date with [`crate::report::public_at`] first, so nothing published later can reach
//! any figure.
//!
//! - [`engine`]: the market (weekly returns, tradable weeks), target weights, costs, the
//!   simulation and its weekly rows.
//! - [`strategy`]: the signals, the four strategies of MODEL.md 7 and the benchmarks.
//! - [`metrics`]: total return, CAGR, volatility, Sharpe, Sortino, drawdowns, Calmar, turnover,
//!   exposure, hit rate, calendar years.
//! - [`sweep`]: the Sharpe heatmap over two timing parameters and the share of it that beats the
//!   benchmark.
//! - [`walkforward`]: parameters chosen in sample, traded out of sample, rolled.
//! - [`compare`]: each strategy against the benchmarks and its own static mix: the difference of
//!   Sharpe ratios with its standard error and a verdict read from its interval.
//!
//! # Windows
//!
//! Strategies and benchmarks of one report share one window, so their figures compare: from the
//! first Friday on which every strategy that can run has the information it needs (its warm-up:
//! z-scores, impulse lookbacks, a first price of the risk asset), or `start` when later, to the
//! last Friday of the panel. A strategy whose signal is never defined (a missing input) is
//! skipped and listed with the reason; a benchmark asset without a price on part of the window is
//! held as cash there and a note says so. The sweep and the walk-forward use their own common
//! window, where every cell of their grid is defined.
//!
//! # Report (schema [`BACKTEST_SCHEMA_VERSION`])
//!
//! ```text
//! schema_version, as_of, config,
//! window:        {start, end, weeks}
//! strategies:    [{name, label, start, end, metrics: {weeks, total_return, cagr, volatility, sharpe,
//!                  sortino, max_drawdown, longest_drawdown_weeks, calmar, turnover, total_cost,
//!                  exposure, hit_rate, calendar_years: [{year, portfolio_return, cash_return, weeks}]},
//!                  weeks: [{date, decided, weights, portfolio_return, gross_return, cash_return,
//!                           turnover, cost, equity, drawdown, rule?}],
//!                  static_mix: {weights: {asset: w}, run: {name, label, start, end, metrics, weeks,
//!                               static_mix: null, comparisons: []}},
//!                  comparisons: [{against, kind, weeks, sharpe_strategy, sharpe_other, correlation,
//!                                 difference, se, ci95: [lo, hi], z, p_value, verdict}]}]
//! benchmarks:    [same, with static_mix null and comparisons []]
//! skipped:       [{name, reason}]
//! notes:         [text]
//! sweep:         {base, window, rows: {param, values}, cols, sharpe: [[..]], benchmark,
//!                 benchmark_sharpe, cells, cells_beating, share_beating, median_sharpe} or null
//! walk_forward:  {base, in_sample_weeks, out_of_sample_weeks, folds: [{in_sample, out_of_sample,
//!                 chosen, in_sample_sharpe, in_sample_return, out_of_sample_sharpe,
//!                 out_of_sample_return}], in_sample_mean_sharpe, out_of_sample: run, benchmark: run}
//!                 or null
//! timing:        {model_ms}
//! ```
//!
//! `kind` is `benchmark` or `static_mix`; `verdict` is `beats`, `trails` or
//! `no_significant_difference`, read from `ci95` alone (see [`compare`]). Undefined figures are
//! `null`.
//!
//! Version policy (as in [`crate::report`]): a new key is a minor bump; a renamed or removed key,
//! or a changed meaning, is a major bump.
//!
//! # Changes
//!
//! - **1.1.0**: `strategies[].static_mix` (the strategy's average weights held constant on its
//!   weeks, with its own metrics and weekly rows) and `strategies[].comparisons` (against every
//!   benchmark and the static mix: the difference of annualised Sharpe ratios, its
//!   Jobson-Korkie-Memmel standard error, 95% interval, z, p-value and verdict). Both keys are
//!   written for every run (`null` and `[]` for benchmarks and the walk-forward's runs) and read
//!   as `null` and `[]` from a 1.0.0 report.
//! - **1.0.0**: the first version.
//!
//! # Example
//!
//! ```
//! use tideline_core::backtest::{run_backtest, BacktestConfig};
//! use tideline_core::{synthetic, Date};
//!
//! let end = Date::parse_iso("2024-06-28").unwrap();
//! let dataset = synthetic::catalog(12, end, 3);
//! let config = BacktestConfig { as_of: Some(end), ..BacktestConfig::default() };
//! let report = run_backtest(&dataset, &config).unwrap();
//! assert_eq!(report.benchmarks.len(), 5);
//! let timing = report.strategies.iter().find(|s| s.name.starts_with("timing")).unwrap();
//! assert!(timing.metrics.weeks > 100);
//! ```

pub mod compare;
pub mod engine;
pub mod metrics;
pub mod strategy;
pub mod sweep;
pub mod walkforward;

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::date::Date;
use crate::model::chain::{self, ChainConfig};
use crate::model::panel::Panel;
use crate::model::regime::{self, RegimeConfig};
use crate::report::{default_as_of, public_at, Timing};

use compare::{Against, Comparison, StaticMix};
use engine::{simulate, EngineConfig, Market, Simulation, Targets, WeekRow, CASH};
use metrics::Metrics;
use strategy::{BenchmarkSpec, Signals, StrategySpec, TimingParams, SPECTRUM_ASSETS};
use sweep::{SweepConfig, SweepReport};
use walkforward::{WalkForwardConfig, WalkForwardReport};

/// The backtest report's schema version (policy as in [`crate::report`]).
pub const BACKTEST_SCHEMA_VERSION: &str = "1.1.0";

/// Why a backtest could not run (or a strategy was skipped).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BacktestError {
    /// Nothing was public at the as-of date.
    #[error("no data public at {as_of:?}")]
    NoData {
        /// The as-of date.
        as_of: Option<Date>,
    },
    /// A setting is out of range.
    #[error("invalid backtest settings: {0}")]
    InvalidConfig(String),
    /// An asset id that is not in the market.
    #[error("{asset}: not an asset of the market")]
    UnknownAsset {
        /// The id.
        asset: String,
    },
    /// An asset with no usable price at all.
    #[error("{asset}: no price is loaded for it")]
    NoPrice {
        /// The id.
        asset: String,
    },
    /// An indicator id that resolves to nothing loaded.
    #[error("{indicator}: not a panel column, chain indicator or link name with data loaded")]
    UnknownIndicator {
        /// The id.
        indicator: String,
    },
    /// No week to simulate.
    #[error("no week to simulate: {reason}")]
    NoWindow {
        /// Why.
        reason: String,
    },
    /// Every strategy was skipped.
    #[error("no strategy could run: {}", reasons.join("; "))]
    NoStrategy {
        /// Why each was skipped.
        reasons: Vec<String>,
    },
}

/// Every setting of a backtest. Read from a JSON file or a URL (any key may be left out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BacktestConfig {
    /// Use only what was public on this date (default: [`crate::report::default_as_of`]).
    pub as_of: Option<Date>,
    /// Start no earlier than this Friday (default: when every strategy's warm-up ends).
    pub start: Option<Date>,
    /// The strategies (default: the four of MODEL.md 7, [`StrategySpec::defaults`]).
    pub strategies: Vec<StrategySpec>,
    /// The benchmarks (default: [`BenchmarkSpec::defaults`]).
    pub benchmarks: Vec<BenchmarkSpec>,
    /// Rebalancing, costs, leverage.
    pub engine: EngineConfig,
    /// Chain settings (link scores).
    pub chain: ChainConfig,
    /// Regime settings.
    pub regimes: RegimeConfig,
    /// Run the parameter sweep with these settings.
    pub sweep: Option<SweepConfig>,
    /// Run the walk-forward with these settings.
    pub walk_forward: Option<WalkForwardConfig>,
    /// Include the weekly rows of every run in the report (the equity and drawdown curves).
    pub include_weeks: bool,
}

impl Default for BacktestConfig {
    fn default() -> BacktestConfig {
        BacktestConfig {
            as_of: None,
            start: None,
            strategies: StrategySpec::defaults(),
            benchmarks: BenchmarkSpec::defaults(),
            engine: EngineConfig::default(),
            chain: ChainConfig::default(),
            regimes: RegimeConfig::default(),
            sweep: None,
            walk_forward: None,
            include_weeks: true,
        }
    }
}

impl BacktestConfig {
    /// Checks every setting that can be checked without data.
    pub fn validate(&self) -> Result<(), BacktestError> {
        self.engine.validate()?;
        if self.strategies.is_empty() {
            return Err(BacktestError::InvalidConfig("no strategy to run".into()));
        }
        for spec in &self.strategies {
            spec.validate()?;
        }
        if let Some(sweep) = &self.sweep {
            sweep.validate()?;
        }
        if let Some(wf) = &self.walk_forward {
            wf.validate()?;
        }
        Ok(())
    }

    /// The grid the walk-forward varies, when one is asked for: its own, else the sweep's, else
    /// [`SweepConfig::default`].
    pub fn walk_forward_grid(&self) -> Option<SweepConfig> {
        let wf = self.walk_forward.as_ref()?;
        Some(wf.grid.clone().or_else(|| self.sweep.clone()).unwrap_or_default())
    }

    /// The grid cells a run evaluates (the sweep's and the walk-forward's): the `total` of
    /// [`run_backtest_with_progress`].
    pub fn grid_cells(&self) -> usize {
        let sweep = self.sweep.as_ref().map_or(0, SweepConfig::cell_count);
        sweep + self.walk_forward_grid().map_or(0, |g| g.cell_count())
    }

    /// The strategy the sweep and the walk-forward vary: the sweep's `base`, else the first
    /// liquidity-timing strategy, else the default timing parameters.
    pub fn timing_base(&self) -> TimingParams {
        self.sweep.as_ref().and_then(|s| s.base.clone()).unwrap_or_else(|| {
            self.strategies
                .iter()
                .find_map(|s| match s {
                    StrategySpec::LiquidityTiming(p) => Some(p.clone()),
                    _ => None,
                })
                .unwrap_or_default()
        })
    }
}

/// A window of weeks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The first decision Friday (equity 1 at its close).
    pub start: Option<Date>,
    /// The Friday the last weekly return is realised.
    pub end: Option<Date>,
    /// Number of weekly returns.
    pub weeks: usize,
}

impl Span {
    /// The span of decision weeks `weeks` on a calendar.
    pub fn of(dates: &[Date], weeks: Range<usize>) -> Span {
        Span {
            start: dates.get(weeks.start).copied(),
            end: dates.get(weeks.end).copied(),
            weeks: weeks.len(),
        }
    }
}

/// One strategy or benchmark in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Short name (the strategy's compact form, or the benchmark's name).
    pub name: String,
    /// What it is.
    pub label: String,
    /// The first decision Friday.
    pub start: Option<Date>,
    /// The last return Friday.
    pub end: Option<Date>,
    /// Its metrics.
    pub metrics: Metrics,
    /// Weekly rows (empty when the configuration leaves them out).
    pub weeks: Vec<WeekRow>,
    /// Strategies only: the strategy's average weights held constant over its weeks
    /// ([`compare::static_mix`]); `null` for benchmarks and in reports before 1.1.0.
    #[serde(default)]
    pub static_mix: Option<Box<StaticMixReport>>,
    /// Strategies only: the strategy against every benchmark and its static mix
    /// ([`compare::Comparison`]); empty for benchmarks and in reports before 1.1.0.
    #[serde(default)]
    pub comparisons: Vec<Comparison>,
}

/// A strategy's static mix in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaticMixReport {
    /// The strategy's average weight per asset, cash included ([`compare::average_weights`]).
    pub weights: BTreeMap<String, f64>,
    /// The mix held on the strategy's weeks: name `static:<strategy>`, its metrics and weekly rows.
    pub run: RunReport,
}

impl StaticMixReport {
    /// The report of the static mix of the strategy named `strategy`.
    pub fn new(strategy: &str, mix: &StaticMix, include_weeks: bool) -> StaticMixReport {
        let listed: Vec<String> =
            mix.weights.iter().map(|(id, w)| format!("{id} {:.1}%", w * 100.0)).collect();
        let label = format!("Static mix: {strategy}'s average weights ({}) held constant", listed.join(", "));
        StaticMixReport {
            weights: mix.weight_map(),
            run: RunReport::new(format!("static:{strategy}"), label, &mix.run, include_weeks),
        }
    }
}

impl RunReport {
    /// The report of a simulation (no static mix, no comparisons: [`RunReport::compared`] adds
    /// them to a strategy's).
    pub fn new(name: String, label: String, run: &Simulation, include_weeks: bool) -> RunReport {
        RunReport {
            name,
            label,
            start: run.start(),
            end: run.end(),
            metrics: metrics::of_simulation(run),
            weeks: if include_weeks { run.rows() } else { Vec::new() },
            static_mix: None,
            comparisons: Vec::new(),
        }
    }

    /// A strategy's report with its static mix and its comparisons: against each benchmark run of
    /// `benchmarks` (`(name, run)`, in order), then against the static mix.
    pub fn compared(
        mut self,
        run: &Simulation,
        mix: &StaticMix,
        benchmarks: &[(String, Simulation)],
        include_weeks: bool,
    ) -> RunReport {
        let mix_report = StaticMixReport::new(&self.name, mix, include_weeks);
        self.comparisons = benchmarks
            .iter()
            .map(|(name, bench)| Comparison::of_runs(run, bench, name, Against::Benchmark))
            .chain(std::iter::once(Comparison::of_runs(
                run,
                &mix.run,
                &mix_report.run.name,
                Against::StaticMix,
            )))
            .collect();
        self.static_mix = Some(Box::new(mix_report));
        self
    }

    /// The equity curve for charts, starting with `(start, 1.0)`.
    pub fn equity_series(&self) -> Vec<(Date, f64)> {
        self.start
            .map(|s| (s, 1.0))
            .into_iter()
            .chain(self.weeks.iter().map(|w| (w.date, w.equity)))
            .collect()
    }

    /// The drawdown curve for charts, starting with `(start, 0.0)`.
    pub fn drawdown_series(&self) -> Vec<(Date, f64)> {
        self.start
            .map(|s| (s, 0.0))
            .into_iter()
            .chain(self.weeks.iter().map(|w| (w.date, w.drawdown)))
            .collect()
    }
}

/// A strategy, benchmark or analysis that could not run, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Its name.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// The whole backtest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    /// [`BACKTEST_SCHEMA_VERSION`].
    pub schema_version: String,
    /// Nothing published after this date was used.
    pub as_of: Date,
    /// The settings used.
    pub config: BacktestConfig,
    /// The common window of the strategies and benchmarks.
    pub window: Span,
    /// The strategies that ran.
    pub strategies: Vec<RunReport>,
    /// The benchmarks.
    pub benchmarks: Vec<RunReport>,
    /// What could not run.
    pub skipped: Vec<Skipped>,
    /// Caveats: assets without prices on part of the window, cash without DFF.
    pub notes: Vec<String>,
    /// The parameter sweep, when asked for.
    pub sweep: Option<SweepReport>,
    /// The walk-forward, when asked for.
    pub walk_forward: Option<WalkForwardReport>,
    /// Wall-clock timing, filled by the caller (the core has no clock).
    pub timing: Timing,
}

/// The weekly columns a page draws of one run (equity, drawdown, exposure), apart from the
/// report's JSON: plain vectors that cross from the worker in its binary codec and are read with
/// no text parsed ([`BacktestReport::page_view`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunCurves {
    /// Which run: [`RunCurves::strategy`], [`RunCurves::benchmark`], or one of the walk-forward's
    /// two ([`RunCurves::WALK_FORWARD`], [`RunCurves::WALK_FORWARD_BENCHMARK`]).
    pub key: String,
    /// The Friday each week ends.
    pub dates: Vec<Date>,
    /// Equity at each date (1 at the start), [`WeekRow::equity`].
    pub equity: Vec<f64>,
    /// Drawdown at each date, [`WeekRow::drawdown`] (0 or negative).
    pub drawdown: Vec<f64>,
    /// The share of the portfolio not in cash over each week, 1 minus the cash weight.
    pub exposure: Vec<f64>,
}

impl RunCurves {
    /// The key of the walk-forward's stitched out-of-sample run.
    pub const WALK_FORWARD: &'static str = "walk_forward/out_of_sample";
    /// The key of the walk-forward's benchmark on the same weeks.
    pub const WALK_FORWARD_BENCHMARK: &'static str = "walk_forward/benchmark";

    /// The key of the strategy `name`.
    pub fn strategy(name: &str) -> String {
        format!("strategy/{name}")
    }

    /// The key of the benchmark `name`.
    pub fn benchmark(name: &str) -> String {
        format!("benchmark/{name}")
    }

    /// The columns of `run`'s weeks under `key`.
    pub fn of(key: String, run: &RunReport) -> RunCurves {
        let weeks = &run.weeks;
        RunCurves {
            key,
            dates: weeks.iter().map(|w| w.date).collect(),
            equity: weeks.iter().map(|w| w.equity).collect(),
            drawdown: weeks.iter().map(|w| w.drawdown).collect(),
            exposure: weeks.iter().map(|w| 1.0 - w.weights.get(CASH).copied().unwrap_or(0.0)).collect(),
        }
    }

    /// The curves under `key` in `all`.
    pub fn find<'a>(all: &'a [RunCurves], key: &str) -> Option<&'a RunCurves> {
        all.iter().find(|c| c.key == key)
    }

    /// `(date, value)` points of one column (`self.equity`, …) scaled by `scale` (100 for %).
    pub fn points(&self, column: &[f64], scale: f64) -> Vec<(Date, f64)> {
        self.dates.iter().zip(column).map(|(d, v)| (*d, scale * v)).collect()
    }
}

/// An equity curve that starts later than `onto` (a benchmark held from its first price), scaled
/// to start where `onto` stood: its growth of 1 times `onto`'s equity on the last date before its
/// first (1 when `onto` has none), so the two can be read on one chart as "what holding it instead
/// from then would have made". Its shape and every return are unchanged.
///
/// ```
/// use tideline_core::{backtest::rebased_onto, Date};
/// let d = Date::from_days;
/// let strategy = [(d(7), 1.1), (d(14), 1.2), (d(21), 1.5)];
/// let late = [(d(21), 1.05)];
/// assert_eq!(rebased_onto(&late, &strategy), vec![(d(21), 1.2 * 1.05)]);
/// assert_eq!(rebased_onto(&strategy, &late), strategy.to_vec());
/// ```
pub fn rebased_onto(points: &[(Date, f64)], onto: &[(Date, f64)]) -> Vec<(Date, f64)> {
    let Some((first, _)) = points.first() else { return Vec::new() };
    let factor = onto.iter().take_while(|(d, _)| d < first).last().map_or(1.0, |p| p.1);
    points.iter().map(|(d, v)| (*d, v * factor)).collect()
}

impl BacktestReport {
    /// This report as a page draws it: the same document without its weekly rows (every figure
    /// and table kept unchanged), and the columns the page draws of those rows apart, one
    /// [`RunCurves`] for each strategy, benchmark and walk-forward run. The page's main thread
    /// then parses a small JSON and copies the curves as numbers.
    pub fn page_view(&self) -> (BacktestReport, Vec<RunCurves>) {
        let mut view = self.clone();
        let mut curves = Vec::new();
        for run in &mut view.strategies {
            curves.push(RunCurves::of(RunCurves::strategy(&run.name), run));
        }
        for run in &mut view.benchmarks {
            curves.push(RunCurves::of(RunCurves::benchmark(&run.name), run));
        }
        if let Some(wf) = view.walk_forward.as_mut() {
            curves.push(RunCurves::of(RunCurves::WALK_FORWARD.to_string(), &wf.out_of_sample));
            curves.push(RunCurves::of(RunCurves::WALK_FORWARD_BENCHMARK.to_string(), &wf.benchmark));
            wf.out_of_sample.weeks.clear();
            wf.benchmark.weeks.clear();
        }
        for run in view.strategies.iter_mut().chain(view.benchmarks.iter_mut()) {
            run.weeks.clear();
            if let Some(mix) = run.static_mix.as_mut() {
                mix.run.weeks.clear();
            }
        }
        (view, curves)
    }
}

/// The model's inputs to a backtest: the as-of date, the weekly signals and the market.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestInputs {
    /// The as-of date.
    pub as_of: Date,
    /// The signals of every week.
    pub signals: Signals,
    /// The market of every asset the configuration names (and the default spectrum).
    pub market: Market,
    /// Whether the cash index (DFF) is loaded.
    pub cash_loaded: bool,
}

impl BacktestInputs {
    /// Cuts the dataset at the as-of date, builds the panel, the chain and the regimes, and the
    /// market of every asset `config` names.
    pub fn build(dataset: &Dataset, config: &BacktestConfig) -> Result<BacktestInputs, BacktestError> {
        let as_of =
            config.as_of.or_else(|| default_as_of(dataset)).ok_or(BacktestError::NoData { as_of: None })?;
        let data = public_at(dataset, as_of);
        let panel = Panel::build(&data, Some(as_of)).ok_or(BacktestError::NoData { as_of: Some(as_of) })?;
        let chain = chain::chain(&panel, &config.chain);
        let regimes = regime::regimes(&panel, &chain, &config.regimes);
        let signals = Signals::from_model(&panel, &chain, &regimes);
        let mut ids: Vec<String> = SPECTRUM_ASSETS.iter().map(|s| s.to_string()).collect();
        let mut add = |id: &str| {
            if !ids.iter().any(|x| x == id) {
                ids.push(id.to_string());
            }
        };
        for spec in &config.strategies {
            spec.assets().iter().for_each(|a| add(a));
        }
        for bench in &config.benchmarks {
            bench.weights.iter().for_each(|(a, _)| add(a));
        }
        add(&config.timing_base().risk_asset);
        let sweep_benchmarks = [
            config.sweep.as_ref().and_then(|s| s.benchmark.as_ref()),
            config.walk_forward.as_ref().and_then(|w| w.grid.as_ref()).and_then(|s| s.benchmark.as_ref()),
        ];
        for bench in sweep_benchmarks.into_iter().flatten() {
            bench.weights.iter().for_each(|(a, _)| add(a));
        }
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let market = Market::from_panel(&panel, &refs);
        Ok(BacktestInputs { as_of, signals, market, cash_loaded: panel.get(CASH).is_some() })
    }
}

/// Runs the backtest: builds the inputs as of `config.as_of` (or the default as-of date), runs
/// every strategy that can run and every benchmark on their common window, and the sweep and the
/// walk-forward when asked for.
pub fn run_backtest(dataset: &Dataset, config: &BacktestConfig) -> Result<BacktestReport, BacktestError> {
    config.validate()?;
    let inputs = BacktestInputs::build(dataset, config)?;
    run_on_inputs(&inputs, config)
}

/// [`run_backtest`], calling `progress(done, total)` after each grid cell of the sweep and the
/// walk-forward (the costly part: hundreds of cells each; the strategies and benchmarks are a few
/// runs and are not counted). `total` is [`BacktestConfig::grid_cells`]; nothing is called when
/// neither is asked for. For a Web Worker's progress messages.
pub fn run_backtest_with_progress(
    dataset: &Dataset,
    config: &BacktestConfig,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<BacktestReport, BacktestError> {
    config.validate()?;
    let inputs = BacktestInputs::build(dataset, config)?;
    run_on_inputs_with_progress(&inputs, config, progress)
}

/// [`run_backtest`] on inputs already built (to rerun other settings on the same data).
pub fn run_on_inputs(
    inputs: &BacktestInputs,
    config: &BacktestConfig,
) -> Result<BacktestReport, BacktestError> {
    run_on_inputs_with_progress(inputs, config, &mut |_, _| {})
}

/// [`run_on_inputs`] with progress, as in [`run_backtest_with_progress`].
pub fn run_on_inputs_with_progress(
    inputs: &BacktestInputs,
    config: &BacktestConfig,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<BacktestReport, BacktestError> {
    config.validate()?;
    let total = config.grid_cells();
    let mut done = 0;
    let mut tick = || {
        done += 1;
        progress(done, total);
    };
    let (market, signals) = (&inputs.market, &inputs.signals);
    let mut skipped = Vec::new();
    let mut runnable: Vec<(&StrategySpec, Targets)> = Vec::new();
    for spec in &config.strategies {
        match strategy::targets(spec, market, signals) {
            Ok(t) if t.first_defined().is_some() => runnable.push((spec, t)),
            Ok(_) => skipped.push(Skipped {
                name: spec.to_string(),
                reason: "its signal is never defined: an input is missing (NETLIQ, the risk-appetite link, \
                         the regimes, the indicator) or the asset has no price"
                    .into(),
            }),
            Err(e) => skipped.push(Skipped { name: spec.to_string(), reason: e.to_string() }),
        }
    }
    if runnable.is_empty() {
        return Err(BacktestError::NoStrategy {
            reasons: skipped.iter().map(|s| format!("{}: {}", s.name, s.reason)).collect(),
        });
    }
    let first = runnable
        .iter()
        .filter_map(|(_, t)| t.first_defined())
        .chain(config.start.map(|d| market.index_on_or_after(d)))
        .max()
        .unwrap_or(0);
    let end = market.decision_weeks().end;
    if first >= end {
        return Err(BacktestError::NoWindow {
            reason: "the strategies' warm-up ends after the last week".into(),
        });
    }
    let window = first..end;
    let strategy_runs: Vec<(&StrategySpec, Simulation)> = runnable
        .iter()
        .map(|(spec, targets)| (*spec, simulate(market, targets, window.clone(), &config.engine)))
        .collect();
    let mut benchmarks = Vec::new();
    let mut benchmark_runs: Vec<(String, Simulation)> = Vec::new();
    for bench in &config.benchmarks {
        let priced = bench.weights.iter().any(|(id, w)| {
            *w > 0.0 && market.index_of(id).is_some_and(|a| window.clone().any(|t| market.tradable(a, t)))
        });
        if !priced {
            skipped.push(Skipped {
                name: bench.name.clone(),
                reason: "no asset of it has a price in the window".into(),
            });
            continue;
        }
        // A benchmark is held from the first week every asset of it has a price (hold:SP500 from
        // 2016 in the shared data, not cash before): its metrics are those of holding it, and a
        // strategy is compared with it on the weeks it was really held (the comparison pairs
        // weeks by date).
        let from = bench
            .weights
            .iter()
            .filter(|(id, w)| *w > 0.0 && id != CASH)
            .filter_map(|(id, _)| market.index_of(id).and_then(|a| market.first_tradable(a)))
            .max()
            .map_or(window.start, |t| t.max(window.start));
        if from >= window.end {
            skipped.push(Skipped {
                name: bench.name.clone(),
                reason: "no week of the window has a price for every asset of it".into(),
            });
            continue;
        }
        let run =
            simulate(market, &Targets::constant(market, &bench.weights), from..window.end, &config.engine);
        let label = if bench.label.is_empty() { bench.name.clone() } else { bench.label.clone() };
        benchmarks.push(RunReport::new(bench.name.clone(), label, &run, config.include_weeks));
        benchmark_runs.push((bench.name.clone(), run));
    }
    let strategies: Vec<RunReport> = strategy_runs
        .iter()
        .map(|(spec, run)| {
            let mix = compare::static_mix(market, run, &config.engine);
            RunReport::new(spec.to_string(), spec.label(), run, config.include_weeks).compared(
                run,
                &mix,
                &benchmark_runs,
                config.include_weeks,
            )
        })
        .collect();
    let notes = notes(inputs, config, window.clone());
    let base = config.timing_base();
    let sweep = match &config.sweep {
        Some(sweep_config) => {
            match sweep::sweep_ticking(
                market,
                signals,
                sweep_config,
                &base,
                &config.engine,
                config.start,
                &mut tick,
            ) {
                Ok(report) => Some(report),
                Err(e) => {
                    skipped.push(Skipped { name: "sweep".into(), reason: e.to_string() });
                    None
                }
            }
        }
        None => None,
    };
    let walk_forward = match &config.walk_forward {
        Some(wf) => {
            let grid = config.walk_forward_grid().unwrap_or_default();
            let result = walkforward::walk_forward_ticking(
                market,
                signals,
                wf,
                &grid,
                &base,
                &config.engine,
                config.start,
                config.include_weeks,
                &mut tick,
            );
            match result {
                Ok(report) => Some(report),
                Err(e) => {
                    skipped.push(Skipped { name: "walk_forward".into(), reason: e.to_string() });
                    None
                }
            }
        }
        None => None,
    };
    Ok(BacktestReport {
        schema_version: BACKTEST_SCHEMA_VERSION.to_string(),
        as_of: inputs.as_of,
        config: config.clone(),
        window: Span::of(market.dates(), window),
        strategies,
        benchmarks,
        skipped,
        notes,
        sweep,
        walk_forward,
        timing: Timing::default(),
    })
}

/// Caveats about the window: cash without DFF, assets without a fresh price on some weeks.
fn notes(inputs: &BacktestInputs, config: &BacktestConfig, window: Range<usize>) -> Vec<String> {
    let market = &inputs.market;
    let mut out = Vec::new();
    if !inputs.cash_loaded {
        out.push("DFF is not loaded: cash earns 0 and Sharpe ratios are over a zero rate".to_string());
    }
    let mut named: Vec<String> = Vec::new();
    for id in config
        .strategies
        .iter()
        .flat_map(StrategySpec::assets)
        .chain(config.benchmarks.iter().flat_map(|b| b.weights.iter().map(|(a, _)| a.clone())))
    {
        if id != CASH && !named.contains(&id) {
            named.push(id);
        }
    }
    for id in named {
        let Some(a) = market.index_of(&id) else { continue };
        let missing = market.untradable_weeks(a, window.clone());
        if missing == 0 {
            continue;
        }
        let first = market.first_tradable(a).and_then(|t| market.dates().get(t).copied());
        let held = "weights on it are held as cash (rotation tables share them among the other tiers)";
        out.push(match first {
            None => format!("{id}: no price loaded; {held}"),
            Some(first) => format!(
                "{id}: no fresh price on {missing} of {} weeks of the window (first price {first}); {held}",
                window.len()
            ),
        });
    }
    out
}
