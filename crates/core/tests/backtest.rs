//! The backtest (MODEL.md 7): metrics against closed forms, costs, point in time, the sweep and the
//! walk-forward.

use tideline_core::backtest::engine::{simulate, CostConfig, EngineConfig, Market, Targets, CASH};
use tideline_core::backtest::metrics::{self, Metrics};
use tideline_core::backtest::strategy::{self, BenchmarkSpec, Rule, Signals, StrategySpec, TimingParams};
use tideline_core::backtest::sweep::{self, SweepConfig};
use tideline_core::backtest::walkforward::WalkForwardConfig;
use tideline_core::backtest::{run_backtest, BacktestConfig, BacktestInputs, BacktestReport, RunReport};
use tideline_core::catalog::Catalog;
use tideline_core::dataset::{Dataset, LoadedSeries};
use tideline_core::report::public_at;
use tideline_core::{synthetic, Date, Series};

/// For values computed in a handful of operations.
const EXACT: f64 = 1e-12;
/// For compounded products over a year of weeks.
const COMPOUND: f64 = 1e-9;

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("date")
}

fn fridays(first: &str, n: usize) -> Vec<Date> {
    let first = d(first).next_friday();
    (0..n).map(|k| first.add_days(7 * k as i32)).collect()
}

fn frictionless() -> EngineConfig {
    EngineConfig { costs: CostConfig::zero(), ..EngineConfig::default() }
}

fn hold(market: &Market, id: &str) -> Targets {
    Targets::constant(market, &[(id.to_string(), 1.0)])
}

fn run_metrics(market: &Market, targets: &Targets, cfg: &EngineConfig) -> Metrics {
    metrics::of_simulation(&simulate(market, targets, market.decision_weeks(), cfg))
}

fn close(a: Option<f64>, b: f64, tol: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < tol)
}

// ---------------------------------------------------------------------------------------------
// Closed forms
// ---------------------------------------------------------------------------------------------

#[test]
fn buy_and_hold_of_one_percent_a_week() {
    let prices: Vec<f64> = (0..53).map(|k| 100.0 * 1.01f64.powi(k)).collect();
    let market = Market::from_prices(fridays("2023-01-06", 53), None, &[("SP500", &prices)]);
    let m = run_metrics(&market, &hold(&market, "SP500"), &frictionless());
    let year = 1.01f64.powi(52) - 1.0;
    assert_eq!(m.weeks, 52);
    assert!(close(m.total_return, year, COMPOUND), "{:?}", m.total_return);
    assert!(close(m.cagr, year, COMPOUND), "{:?}", m.cagr);
    assert_eq!(m.volatility, Some(0.0));
    assert_eq!(m.max_drawdown, Some(0.0));
    assert_eq!(m.longest_drawdown_weeks, 0);
    // Excess returns that never vary and never lose: no Sharpe, no Sortino, no Calmar.
    assert_eq!((m.sharpe, m.sortino, m.calmar), (None, None, None));
    assert_eq!((m.exposure, m.hit_rate), (Some(1.0), Some(1.0)));
    // One full purchase in a year.
    assert!(close(m.turnover, 1.0, EXACT));
    assert_eq!(m.total_cost, 0.0);

    // With the default 10 bps, the purchase costs 0.1% of the first week's return.
    let m = run_metrics(&market, &hold(&market, "SP500"), &EngineConfig::default());
    assert!(close(m.total_return, (1.01 - 0.001) * 1.01f64.powi(51) - 1.0, COMPOUND));
    assert!(close(Some(m.total_cost), 0.001, EXACT));
}

#[test]
fn one_drawdown_by_hand() {
    // Equity 1.1, 0.99, 0.88, 0.99, 1.21: peak 1.1, trough 0.88 (-20%), three weeks under water.
    let prices = [100.0, 110.0, 99.0, 88.0, 99.0, 121.0];
    let market = Market::from_prices(fridays("2023-01-06", 6), None, &[("NASDAQ100", &prices)]);
    let m = run_metrics(&market, &hold(&market, "NASDAQ100"), &frictionless());
    assert!(close(m.max_drawdown, 0.88 / 1.1 - 1.0, EXACT), "{:?}", m.max_drawdown);
    assert_eq!(m.longest_drawdown_weeks, 3);
    let cagr = 1.21f64.powf(52.0 / 5.0) - 1.0;
    assert!(close(m.cagr, cagr, COMPOUND));
    assert!(close(m.calmar, cagr / 0.2, 1e-6));
    assert!(close(m.total_return, 0.21, EXACT));
    // Two of five weeks lost money.
    assert!(close(m.hit_rate, 0.6, EXACT));
    let run = simulate(&market, &hold(&market, "NASDAQ100"), market.decision_weeks(), &frictionless());
    let drawdown = run.drawdown_series();
    assert_eq!(drawdown.len(), 6);
    assert_eq!(drawdown[0], (market.dates()[0], 0.0));
    assert!((drawdown[3].1 + 0.2).abs() < EXACT);
    assert_eq!(run.equity_series()[5], (market.dates()[5], run.equity[4]));
}

#[test]
fn cash_earns_fed_funds_and_sharpe_is_over_cash() {
    let cash: Vec<f64> = (0..30).map(|k| 1.0005f64.powi(k)).collect();
    // An asset that earns cash plus alternately 1% and 0%.
    let prices: Vec<f64> = (0..30)
        .scan(100.0, |p, k| Some(std::mem::replace(p, *p * (1.0005 + 0.01 * (k % 2) as f64))))
        .collect();
    let market = Market::from_prices(fridays("2023-01-06", 30), Some(&cash), &[("SP500", &prices)]);
    let m = run_metrics(&market, &hold(&market, CASH), &frictionless());
    assert!(close(m.total_return, 1.0005f64.powi(29) - 1.0, COMPOUND));
    assert_eq!((m.sharpe, m.exposure, m.hit_rate), (None, Some(0.0), None));
    let m = run_metrics(&market, &hold(&market, "SP500"), &frictionless());
    // Excess returns alternate 0 and 0.01 (15 and 14 times): mean 0.01 * 14 / 29.
    let excess: Vec<f64> = (0..29).map(|k| 0.01 * (k % 2) as f64).collect();
    let mean = 0.01 * 14.0 / 29.0;
    let var = excess.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / 28.0;
    assert!(close(m.sharpe, mean / var.sqrt() * 52f64.sqrt(), 1e-6), "{:?}", m.sharpe);
}

// ---------------------------------------------------------------------------------------------
// Constant signals and costs
// ---------------------------------------------------------------------------------------------

/// A random-walk market of two assets over `n` weeks, with cash at 2% a year.
fn walk_market(n: usize, seed: u64) -> Market {
    let mut walk = synthetic::Walk::new(seed);
    let mut level = (100.0, 50.0);
    let mut a = Vec::with_capacity(n);
    let mut b = Vec::with_capacity(n);
    for _ in 0..n {
        a.push(level.0);
        b.push(level.1);
        level.0 *= 1.0 + 0.04 * walk.next_centered();
        level.1 *= 1.0 + 0.10 * walk.next_centered();
    }
    let cash: Vec<f64> = (0..n).map(|k| (1.0 + 0.02 / 52.0f64).powi(k as i32)).collect();
    Market::from_prices(fridays("2010-01-01", n), Some(&cash), &[("NASDAQ100", &a), ("CBBTCUSD", &b)])
}

#[test]
fn constant_signal_equals_its_benchmark_minus_costs() {
    let market = walk_market(300, 11);
    let dates = market.dates().to_vec();
    let signals = Signals::new(dates).with_column("ALWAYS", &[1.0; 300]);
    let rule: Rule = "ALWAYS:gt:0:NASDAQ100:CASH".parse().expect("rule");
    let targets = strategy::rule_targets(&market, &signals, &rule).expect("targets");
    let costly = simulate(&market, &targets, market.decision_weeks(), &EngineConfig::default());
    let bench = simulate(&market, &hold(&market, "NASDAQ100"), market.decision_weeks(), &frictionless());
    // Identical every week but the first, which pays the purchase.
    assert!((costly.net_return[0] - (bench.net_return[0] - 0.001)).abs() < EXACT);
    assert_eq!(costly.net_return[1..], bench.net_return[1..]);
    let ratio = (1.0 + bench.net_return[0] - 0.001) / (1.0 + bench.net_return[0]);
    let last = bench.len() - 1;
    assert!((costly.equity[last] - bench.equity[last] * ratio).abs() < COMPOUND);
    // And against the benchmark with the same costs: equal.
    let bench_costly =
        simulate(&market, &hold(&market, "NASDAQ100"), market.decision_weeks(), &EngineConfig::default());
    assert_eq!(costly.net_return, bench_costly.net_return);
}

#[test]
fn costs_scale_linearly_with_turnover() {
    let market = walk_market(200, 5);
    // Switch between Nasdaq, Bitcoin and cash on a deterministic pattern.
    let mut targets = Targets::new(200, 3);
    for t in 0..200 {
        targets.set_single(t, t % 3, true);
    }
    let base = EngineConfig::default();
    let one = simulate(&market, &targets, market.decision_weeks(), &base);
    for factor in [0.0, 2.0, 3.5] {
        let cfg = EngineConfig { costs: base.costs.scaled(factor), ..base.clone() };
        let run = simulate(&market, &targets, market.decision_weeks(), &cfg);
        assert_eq!(run.turnover, one.turnover);
        assert_eq!(run.gross_return, one.gross_return);
        for k in 0..run.len() {
            assert!((run.cost[k] - factor * one.cost[k]).abs() < EXACT);
            assert!((run.net_return[k] - (run.gross_return[k] - run.cost[k])).abs() < EXACT);
        }
    }
    // Cost = sum of traded weights times each class's bps. Week 1: cash -> Nasdaq, 10 bps on one
    // unit; week 2: Nasdaq -> Bitcoin, one unit of each; week 3: Bitcoin -> cash, 20 bps.
    assert_eq!(one.turnover[..4], [0.0, 1.0, 2.0, 1.0]);
    assert!((one.cost[1] - 0.0010).abs() < EXACT);
    assert!((one.cost[2] - (0.0010 + 0.0020)).abs() < EXACT);
    assert!((one.cost[3] - 0.0020).abs() < EXACT);
    let m = metrics::of_simulation(&one);
    assert!(close(m.turnover, one.turnover.iter().sum::<f64>() / 199.0 * 52.0, EXACT));
}

#[test]
fn leverage_only_when_asked() {
    let market = walk_market(60, 3);
    let mut targets = Targets::new(60, 3);
    for t in 0..60 {
        targets.set(t, &[0.0, 1.5, 0.5], None);
    }
    let plain = simulate(&market, &targets, market.decision_weeks(), &frictionless());
    assert!((plain.weights(0)[1] - 0.75).abs() < EXACT);
    assert!((plain.weights(0).iter().sum::<f64>() - 1.0).abs() < EXACT);
    let cfg = EngineConfig { allow_leverage: true, ..frictionless() };
    let levered = simulate(&market, &targets, market.decision_weeks(), &cfg);
    assert_eq!(levered.weights(0), &[-1.0, 1.5, 0.5]);
}

// ---------------------------------------------------------------------------------------------
// Point in time
// ---------------------------------------------------------------------------------------------

fn insert(dataset: &mut Dataset, id: &str, pairs: &[(Date, f64)]) {
    let series = Series::from_pairs(id, pairs).expect("ascending");
    dataset.insert(id, LoadedSeries { series, native_units: "test".into(), source: format!("test:{id}") });
}

#[test]
fn positions_up_to_a_date_ignore_later_data() {
    let end = d("2024-06-28");
    let full = synthetic::catalog(15, end, 21);
    let cut = d("2020-03-13");
    let later = BacktestConfig { as_of: Some(end), ..BacktestConfig::default() };
    let early = BacktestConfig { as_of: Some(cut), ..BacktestConfig::default() };
    let with_future = run_backtest(&full, &later).expect("runs");
    let without = run_backtest(&public_at(&full, cut), &early).expect("runs");
    // Cutting the dataset ourselves changes nothing either.
    assert_eq!(run_backtest(&full, &early).expect("runs").strategies, without.strategies);
    assert_eq!(with_future.window.start, without.window.start);
    assert!(!without.strategies.is_empty());
    let runs = |r: &BacktestReport| -> Vec<RunReport> {
        r.strategies.iter().chain(&r.benchmarks).cloned().collect()
    };
    let (a, b) = (runs(&with_future), runs(&without));
    assert_eq!(a.len(), b.len());
    for (long, short) in a.iter().zip(&b) {
        assert_eq!(long.name, short.name);
        assert!(!short.weeks.is_empty());
        let shared: Vec<_> = long.weeks.iter().filter(|w| w.date <= cut).collect();
        assert_eq!(shared.len(), short.weeks.len(), "{}", long.name);
        for (x, y) in shared.iter().zip(&short.weeks) {
            // The positions (and the trades that reach them) are identical on every week.
            assert_eq!(
                (x.decided, &x.weights, &x.rule, x.turnover),
                (y.decided, &y.weights, &y.rule, y.turnover)
            );
            // So is everything else, except the return of the week ending on the cut itself: the
            // CASH and UST10 indexes are built from DFF and DGS10, whose Friday observations are
            // public the next day (lag 1), so the run cut on Friday D has not yet seen the index
            // accrue its last day. That is a realised return arriving late, not a signal.
            if x.date < cut {
                assert_eq!(*x, y, "{} on {}", long.name, y.date);
            }
        }
    }
}

/// Nasdaq rising 0.5% a week, cash at fed funds 2%, and NFCI stepping from +1 to -1 on `step`.
fn step_dataset(nfci_lag: i32, step: Date) -> Dataset {
    let mut catalog = Catalog::builtin();
    for entry in &mut catalog.series {
        if entry.id == "NFCI" {
            entry.publication_lag_days = nfci_lag;
        }
    }
    let mut dataset = Dataset::new(catalog);
    let weeks = fridays("2020-01-03", 120);
    let prices: Vec<(Date, f64)> =
        weeks.iter().enumerate().map(|(k, d)| (*d, 100.0 * 1.005f64.powi(k as i32))).collect();
    insert(&mut dataset, "NASDAQ100", &prices);
    let dff: Vec<(Date, f64)> = weeks.iter().map(|d| (*d, 2.0)).collect();
    insert(&mut dataset, "DFF", &dff);
    let nfci: Vec<(Date, f64)> = weeks.iter().map(|d| (*d, if *d < step { 1.0 } else { -1.0 })).collect();
    insert(&mut dataset, "NFCI", &nfci);
    dataset
}

#[test]
fn a_later_publication_never_trades_earlier() {
    let step = d("2021-01-08");
    let mut previous: Option<Date> = None;
    for lag in [0, 1, 5, 6, 7, 12, 20, 35] {
        let config = BacktestConfig {
            as_of: Some(d("2022-04-01")),
            strategies: vec!["rule:NFCI:lt:0:NASDAQ100:CASH".parse().expect("rule")],
            benchmarks: vec![],
            ..BacktestConfig::default()
        };
        let report = run_backtest(&step_dataset(lag, step), &config).expect("runs");
        let weeks = &report.strategies[0].weeks;
        let first_trade = weeks.iter().find(|w| w.weights.contains_key("NASDAQ100")).map(|w| w.decided);
        let first_trade = first_trade.expect("trades after the step");
        // It trades on the first Friday on which the step is public, never before.
        assert!(first_trade >= step.add_days(lag), "lag {lag}: traded {first_trade}");
        assert!(first_trade < step.add_days(lag + 7), "lag {lag}: traded {first_trade}");
        if let Some(p) = previous {
            assert!(first_trade >= p, "lag {lag} traded {first_trade}, before {p}");
        }
        previous = Some(first_trade);
    }
}

#[test]
fn a_signal_never_earns_the_week_that_produced_it() {
    // Nasdaq doubles on one Friday and stays flat; the rule buys once it sees the jump.
    let mut dataset = Dataset::new(Catalog::builtin());
    let weeks = fridays("2021-01-01", 40);
    let jump = weeks[20];
    let prices: Vec<(Date, f64)> =
        weeks.iter().map(|d| (*d, if *d < jump { 100.0 } else { 200.0 })).collect();
    insert(&mut dataset, "NASDAQ100", &prices);
    let config = BacktestConfig {
        as_of: weeks.last().copied(),
        strategies: vec!["rule:NASDAQ100:gt:150:NASDAQ100:CASH".parse().expect("rule")],
        benchmarks: vec![BenchmarkSpec::buy_and_hold("NASDAQ100")],
        engine: frictionless(),
        ..BacktestConfig::default()
    };
    let report = run_backtest(&dataset, &config).expect("runs");
    let run = &report.strategies[0];
    assert_eq!(run.metrics.total_return, Some(0.0));
    let bought = run.weeks.iter().find(|w| w.weights.contains_key("NASDAQ100")).expect("buys");
    assert_eq!(bought.decided, jump);
    // The benchmark, held throughout, did earn it.
    assert!(close(report.benchmarks[0].metrics.total_return, 1.0, EXACT));
}

// ---------------------------------------------------------------------------------------------
// Sweep and walk-forward
// ---------------------------------------------------------------------------------------------

fn synthetic_inputs(config: &BacktestConfig) -> (Dataset, BacktestInputs) {
    let dataset = synthetic::catalog(15, d("2024-06-28"), 8);
    let inputs = BacktestInputs::build(&dataset, config).expect("inputs");
    (dataset, inputs)
}

#[test]
fn sweep_cells_equal_single_runs() {
    let config = BacktestConfig { as_of: Some(d("2024-06-28")), ..BacktestConfig::default() };
    let (dataset, inputs) = synthetic_inputs(&config);
    let grid = SweepConfig::default();
    let base = TimingParams::default();
    let report =
        sweep::sweep(&inputs.market, &inputs.signals, &grid, &base, &config.engine, None).expect("sweep");
    assert!(report.cells >= 400);
    assert_eq!(report.sharpe.len(), 49);
    assert!(report.sharpe.iter().all(|row| row.len() == 9));
    assert!(report.share_beating.is_some_and(|s| (0.0..=1.0).contains(&s)));
    for (row, col) in [(0, 0), (9, 4), (48, 8), (20, 2)] {
        let params = grid.cell(&base, row, col).expect("cell");
        let single = BacktestConfig {
            start: report.window.start,
            strategies: vec![StrategySpec::LiquidityTiming(params.clone())],
            benchmarks: vec![BenchmarkSpec::buy_and_hold(&base.risk_asset)],
            ..config.clone()
        };
        let run = run_backtest(&dataset, &single).expect("single run");
        assert_eq!(run.window, report.window, "cell {row},{col}");
        assert_eq!(run.strategies[0].metrics.sharpe, report.sharpe[row][col], "cell {row},{col}: {params:?}");
        assert_eq!(run.benchmarks[0].metrics.sharpe, report.benchmark_sharpe);
    }
}

#[test]
fn walk_forward_windows_never_overlap() {
    let config = BacktestConfig {
        as_of: Some(d("2024-06-28")),
        walk_forward: Some(WalkForwardConfig::default()),
        sweep: Some(SweepConfig::default()),
        ..BacktestConfig::default()
    };
    let (dataset, _) = synthetic_inputs(&config);
    let report = run_backtest(&dataset, &config).expect("runs");
    assert!(report.skipped.iter().all(|s| s.name != "walk_forward"), "{:?}", report.skipped);
    let wf = report.walk_forward.expect("walk-forward");
    assert!(wf.folds.len() >= 3, "{} folds", wf.folds.len());
    let mut previous_oos_end: Option<Date> = None;
    let mut oos_weeks = 0;
    for fold in &wf.folds {
        let (is, oos) = (fold.in_sample, fold.out_of_sample);
        assert_eq!(is.weeks, 156);
        assert!(is.end.expect("end") <= oos.start.expect("start"));
        assert_eq!(is.end, oos.start);
        if let Some(p) = previous_oos_end {
            assert_eq!(oos.start, Some(p), "out-of-sample windows are contiguous");
        }
        previous_oos_end = oos.end;
        oos_weeks += oos.weeks;
        // The in-sample choice is the best cell of the grid there, at least as good as the base.
        assert!(fold.in_sample_sharpe.is_some());
    }
    assert_eq!(wf.out_of_sample.metrics.weeks, oos_weeks);
    assert_eq!(wf.benchmark.metrics.weeks, oos_weeks);
    assert_eq!(wf.out_of_sample.start, wf.folds[0].out_of_sample.start);
    let sweep = report.sweep.expect("sweep");
    assert_eq!(wf.folds[0].in_sample.start, sweep.window.start);
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

#[test]
fn report_serialises_and_config_reads_partial_json() {
    let config: BacktestConfig = serde_json::from_str(
        r#"{"as_of": "2024-06-28", "strategies": [{"kind": "liquidity_timing", "risk_asset": "CBBTCUSD"},
            {"kind": "rule", "indicator": "VIX", "comparison": "lt", "threshold": 25,
             "asset_true": "SP500", "asset_false": "UST10"}],
            "engine": {"rebalance_weeks": 2, "costs": {"crypto_bps": 30}}, "sweep": {}}"#,
    )
    .expect("partial config");
    assert_eq!(config.engine.costs.crypto_bps, 30.0);
    assert_eq!(config.engine.costs.equities_bps, 10.0);
    assert_eq!(config.benchmarks.len(), 5);
    assert_eq!(config.timing_base().risk_asset, "CBBTCUSD");
    let dataset = synthetic::catalog(12, d("2024-06-28"), 2);
    let report = run_backtest(&dataset, &config).expect("runs");
    assert_eq!(report.strategies.len(), 2);
    let sweep = report.sweep.as_ref().expect("sweep");
    assert_eq!(sweep.base.risk_asset, "CBBTCUSD");
    assert_eq!(sweep.benchmark, "hold:CBBTCUSD");
    let json = serde_json::to_value(&report).expect("serialises");
    for key in
        ["schema_version", "as_of", "window", "strategies", "benchmarks", "sweep", "walk_forward", "timing"]
    {
        assert!(json.get(key).is_some(), "{key}");
    }
    let week = &json["strategies"][0]["weeks"][0];
    for key in ["date", "weights", "portfolio_return", "turnover", "cost", "equity", "drawdown"] {
        assert!(week.get(key).is_some(), "{key}");
    }
    assert!(json["strategies"][0]["metrics"]["calendar_years"].as_array().is_some_and(|y| !y.is_empty()));
}

#[test]
fn missing_inputs_skip_strategies_and_never_panic() {
    // Only prices: the chain strategies cannot run, the price rule can.
    let mut dataset = Dataset::new(Catalog::builtin());
    let weeks = fridays("2021-01-01", 60);
    let prices: Vec<(Date, f64)> = weeks.iter().enumerate().map(|(k, d)| (*d, 100.0 + k as f64)).collect();
    insert(&mut dataset, "SP500", &prices);
    let mut config = BacktestConfig { as_of: weeks.last().copied(), ..BacktestConfig::default() };
    config.strategies.push("rule:SP500:gt:120:SP500:CASH".parse().expect("rule"));
    config.sweep = Some(SweepConfig::default());
    let report = run_backtest(&dataset, &config).expect("runs");
    assert_eq!(report.strategies.len(), 1);
    assert!(report.skipped.len() >= 4, "{:?}", report.skipped);
    assert!(report.skipped.iter().any(|s| s.name == "sweep"));
    assert!(report.notes.iter().any(|n| n.contains("DFF")));
    // No strategy at all: a typed error.
    config.strategies = vec![StrategySpec::LiquidityTiming(TimingParams::default())];
    assert!(run_backtest(&dataset, &config).is_err());
    assert!(run_backtest(&Dataset::new(Catalog::builtin()), &BacktestConfig::default()).is_err());
}

#[test]
fn a_benchmark_is_held_from_its_first_price_and_compared_there() {
    // SP500 priced only from 2019 (as the shared data has it from 2016): holding it is measured
    // from its first price, not as cash before, and a strategy is compared with it on those
    // weeks only.
    let end = d("2024-06-28");
    let mut dataset = synthetic::catalog(15, end, 21);
    let first_price = d("2019-01-04");
    let late: Vec<(Date, f64)> = {
        let full = &dataset.loaded("SP500").expect("synthetic SP500").series;
        full.iter().filter(|(date, _)| *date >= first_price).collect()
    };
    insert(&mut dataset, "SP500", &late);
    let config = BacktestConfig {
        as_of: Some(end),
        benchmarks: vec![BenchmarkSpec::buy_and_hold("SP500"), BenchmarkSpec::buy_and_hold("NASDAQ100")],
        ..BacktestConfig::default()
    };
    let report = run_backtest(&dataset, &config).expect("runs");
    let bench = |name: &str| report.benchmarks.iter().find(|b| b.name == name).expect(name);
    let (sp, nasdaq) = (bench("hold:SP500"), bench("hold:NASDAQ100"));
    assert!(report.window.start.is_some_and(|s| s < d("2015-01-01")), "{:?}", report.window);
    assert_eq!(nasdaq.start, report.window.start);
    let sp_start = sp.start.expect("a start");
    assert!(sp_start >= first_price && sp_start < d("2019-02-01"), "{sp_start}");
    assert!(sp.metrics.weeks < nasdaq.metrics.weeks);
    for strategy in &report.strategies {
        let against = |name: &str| strategy.comparisons.iter().find(|c| c.against == name).expect(name);
        assert_eq!(against("hold:SP500").weeks, sp.metrics.weeks, "{}", strategy.name);
        assert_eq!(against("hold:NASDAQ100").weeks, nasdaq.metrics.weeks, "{}", strategy.name);
    }
}
