//! Walk-forward evaluation (MODEL.md 7): choose the timing parameters on a trailing in-sample
//! window, trade them on the next out-of-sample window, roll.
//!
//! # Design
//!
//! The grid is the sweep's ([`super::sweep`]), run once, continuously, over its common window.
//! Fold `k` takes the in-sample decision weeks `[s, s + IS)` with `s = start + k * OOS`, picks the
//! cell with the best Sharpe over those weeks (ties: the first cell in row-major order; no defined
//! Sharpe: the base parameters), and trades it over the out-of-sample weeks
//! `[s + IS, s + IS + OOS)`. The last in-sample return is realised at the close of Friday
//! `s + IS`, the close at which the first out-of-sample position is taken: the choice uses nothing
//! the out-of-sample weeks earn, and the windows' returns never overlap.
//!
//! The out-of-sample weeks of all folds are stitched into one continuous run (positions carry
//! over the fold boundaries, and a change of parameters trades and pays costs like any signal), so
//! its equity is what following the procedure would have earned. It is reported apart from the
//! in-sample figures, which are optimistic by construction (they are the maxima over the grid).

use serde::{Deserialize, Serialize};

use crate::date::Date;

use super::engine::{simulate, EngineConfig, Market, Simulation, Targets};
use super::metrics::{sharpe_ratio, total_return};
use super::strategy::{timing_targets, BenchmarkSpec, Signals, TimingParams};
use super::sweep::{evaluate, SweepConfig};
use super::{BacktestError, RunReport, Span};

/// Settings of the walk-forward.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WalkForwardConfig {
    /// Length of the trailing in-sample window, weeks.
    pub in_sample_weeks: usize,
    /// Length of each out-of-sample window (and the roll), weeks.
    pub out_of_sample_weeks: usize,
    /// The grid to choose from (default: the sweep's settings, else [`SweepConfig::default`]).
    pub grid: Option<SweepConfig>,
}

impl Default for WalkForwardConfig {
    fn default() -> WalkForwardConfig {
        WalkForwardConfig { in_sample_weeks: 156, out_of_sample_weeks: 52, grid: None }
    }
}

impl WalkForwardConfig {
    /// Checks the windows: at least 2 in-sample weeks (a Sharpe needs two returns) and 1
    /// out-of-sample week.
    pub fn validate(&self) -> Result<(), BacktestError> {
        if self.in_sample_weeks < 2 || self.out_of_sample_weeks == 0 {
            return Err(BacktestError::InvalidConfig(
                "walk_forward: in_sample_weeks must be at least 2 and out_of_sample_weeks at least 1".into(),
            ));
        }
        match &self.grid {
            Some(grid) => grid.validate(),
            None => Ok(()),
        }
    }
}

/// One fold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fold {
    /// The in-sample window (its last return is realised at `end`).
    pub in_sample: Span,
    /// The out-of-sample window (its first position is taken at `start`, equal to the in-sample
    /// `end`).
    pub out_of_sample: Span,
    /// The parameters chosen in sample.
    pub chosen: TimingParams,
    /// The chosen cell's in-sample Sharpe (the best of the grid).
    pub in_sample_sharpe: Option<f64>,
    /// The chosen cell's in-sample total return.
    pub in_sample_return: Option<f64>,
    /// Sharpe of the stitched run over this fold's out-of-sample weeks.
    pub out_of_sample_sharpe: Option<f64>,
    /// Total return of the stitched run over those weeks.
    pub out_of_sample_return: Option<f64>,
}

/// The walk-forward result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WalkForwardReport {
    /// The strategy whose parameters are chosen.
    pub base: TimingParams,
    /// In-sample window, weeks.
    pub in_sample_weeks: usize,
    /// Out-of-sample window, weeks.
    pub out_of_sample_weeks: usize,
    /// The folds, in time order.
    pub folds: Vec<Fold>,
    /// Mean over the folds of the chosen cell's in-sample Sharpe (optimistic by construction).
    pub in_sample_mean_sharpe: Option<f64>,
    /// The stitched out-of-sample run: what following the procedure earned.
    pub out_of_sample: RunReport,
    /// The benchmark over the same out-of-sample weeks.
    pub benchmark: RunReport,
}

/// The folds' decision-week ranges `(in_sample, out_of_sample)` over `window`.
pub fn folds(
    window: std::ops::Range<usize>,
    in_sample: usize,
    out_of_sample: usize,
) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    if in_sample == 0 || out_of_sample == 0 {
        return out;
    }
    let mut s = window.start;
    while s + in_sample < window.end {
        let oos_start = s + in_sample;
        out.push((s..oos_start, oos_start..(oos_start + out_of_sample).min(window.end)));
        s += out_of_sample;
    }
    out
}

/// Runs the walk-forward of the timing strategy `base` over `grid`'s cells.
#[allow(clippy::too_many_arguments)]
pub fn walk_forward(
    market: &Market,
    signals: &Signals,
    config: &WalkForwardConfig,
    grid_config: &SweepConfig,
    base: &TimingParams,
    engine: &EngineConfig,
    start: Option<Date>,
    include_weeks: bool,
) -> Result<WalkForwardReport, BacktestError> {
    walk_forward_ticking(market, signals, config, grid_config, base, engine, start, include_weeks, &mut || {})
}

/// [`walk_forward`], calling `tick` after each cell of the grid.
#[allow(clippy::too_many_arguments)]
pub(crate) fn walk_forward_ticking(
    market: &Market,
    signals: &Signals,
    config: &WalkForwardConfig,
    grid_config: &SweepConfig,
    base: &TimingParams,
    engine: &EngineConfig,
    start: Option<Date>,
    include_weeks: bool,
    tick: &mut dyn FnMut(),
) -> Result<WalkForwardReport, BacktestError> {
    config.validate()?;
    let grid = evaluate(market, signals, grid_config, base, engine, start, tick)?;
    let w0 = grid.window.start;
    let plan = folds(grid.window.clone(), config.in_sample_weeks, config.out_of_sample_weeks);
    let (Some(first), Some(last)) = (plan.first(), plan.last()) else {
        return Err(BacktestError::NoWindow {
            reason: format!(
                "the walk-forward needs more than {} weeks after the warm-up; the window holds {}",
                config.in_sample_weeks,
                grid.window.len()
            ),
        });
    };
    let oos_span = first.1.start..last.1.end;
    let sub = &grid.market;
    let mut stitched = Targets::new(sub.len(), sub.assets().len());
    let mut chosen_per_fold = Vec::with_capacity(plan.len());
    for (is, oos) in &plan {
        let slice = (is.start - w0)..(is.end - w0);
        let cash = grid.cash.get(slice.clone()).unwrap_or(&[]);
        let mut best: Option<(usize, f64)> = None;
        for (i, cell) in grid.cells.iter().enumerate() {
            let Some(s) = sharpe_ratio(cell.net.get(slice.clone()).unwrap_or(&[]), cash) else { continue };
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
        let (params, is_sharpe, is_return) = match best.and_then(|(i, s)| grid.cells.get(i).map(|c| (c, s))) {
            Some((cell, s)) => {
                (cell.params.clone(), Some(s), total_return(cell.net.get(slice.clone()).unwrap_or(&[])))
            }
            None => (base.clone(), None, None),
        };
        let impulse = match grid.impulses.get(&params.lookback_weeks) {
            Some(v) => v.clone(),
            None => signals.impulse(params.lookback_weeks),
        };
        let targets = timing_targets(sub, signals, &impulse, &params)?;
        stitched.copy_weeks(&targets, oos.clone());
        chosen_per_fold.push((params, is_sharpe, is_return));
    }
    let run = simulate(sub, &stitched, oos_span.clone(), engine);
    let dates = market.dates();
    let folds_out: Vec<Fold> = plan
        .iter()
        .zip(chosen_per_fold)
        .map(|((is, oos), (chosen, in_sample_sharpe, in_sample_return))| {
            let k = (oos.start - oos_span.start)..(oos.end - oos_span.start);
            let net = run.net_return.get(k.clone()).unwrap_or(&[]);
            let cash = run.cash_return.get(k).unwrap_or(&[]);
            Fold {
                in_sample: Span::of(dates, is.clone()),
                out_of_sample: Span::of(dates, oos.clone()),
                chosen,
                in_sample_sharpe,
                in_sample_return,
                out_of_sample_sharpe: sharpe_ratio(net, cash),
                out_of_sample_return: total_return(net),
            }
        })
        .collect();
    let sharpes: Vec<f64> = folds_out.iter().filter_map(|f| f.in_sample_sharpe).collect();
    let in_sample_mean_sharpe = crate::stats::descriptive::mean(&sharpes);
    let benchmark =
        grid_config.benchmark.clone().unwrap_or_else(|| BenchmarkSpec::buy_and_hold(&base.risk_asset));
    let bench_run: Simulation =
        simulate(market, &Targets::constant(market, &benchmark.weights), oos_span, engine);
    Ok(WalkForwardReport {
        base: base.clone(),
        in_sample_weeks: config.in_sample_weeks,
        out_of_sample_weeks: config.out_of_sample_weeks,
        folds: folds_out,
        in_sample_mean_sharpe,
        out_of_sample: RunReport::new(
            "walk_forward".into(),
            format!("Walk-forward liquidity timing of {} (out of sample, stitched)", base.risk_asset),
            &run,
            include_weeks,
        ),
        benchmark: RunReport::new(benchmark.name, benchmark.label, &bench_run, include_weeks),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_roll_and_never_overlap() {
        let plan = folds(10..400, 156, 52);
        assert_eq!(plan.len(), 5);
        assert_eq!(plan[0], (10..166, 166..218));
        assert_eq!(plan[1].0, 62..218);
        // The last one is cut at the window's end.
        assert_eq!(plan[4].1, 374..400);
        for (is, oos) in &plan {
            assert!(is.end <= oos.start);
        }
        assert!(folds(0..100, 156, 52).is_empty());
        assert!(folds(0..100, 10, 0).is_empty());
    }
}
