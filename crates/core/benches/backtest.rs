//! The backtest's parameter sweep (49 lookbacks x 9 thresholds = 441 cells) over 15 years of
//! deterministic synthetic weekly data, and over the real catalog in ../shared/data when present
//! (with the whole default backtest and the walk-forward beside it). Goal: the sweep under 100 ms
//! natively.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use tideline_core::backtest::engine::{EngineConfig, Market};
use tideline_core::backtest::strategy::{Signals, TimingParams};
use tideline_core::backtest::sweep::{sweep, SweepConfig};
use tideline_core::backtest::walkforward::{walk_forward, WalkForwardConfig};
use tideline_core::backtest::{run_on_inputs, BacktestConfig, BacktestInputs};
use tideline_core::catalog::Catalog;
use tideline_core::dataset::Dataset;
use tideline_core::synthetic::Walk;
use tideline_core::Date;

const REAL_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

/// 15 years of Fridays: a risk asset, cash at 2%, net liquidity and a risk-appetite score, all
/// deterministic random walks.
fn synthetic_weekly() -> (Market, Signals) {
    let weeks: usize = 15 * 52 + 1;
    let first = Date::from_ymd(2010, 1, 1).unwrap_or(Date::from_days(14_610)).next_friday();
    let dates: Vec<Date> = (0..weeks).map(|k| first.add_days(7 * k as i32)).collect();
    let mut walk = Walk::new(42);
    let (mut price, mut netliq, mut appetite) = (100.0, 4_000.0, 0.0);
    let (mut prices, mut liquidity, mut scores) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..weeks {
        prices.push(price);
        liquidity.push(netliq);
        scores.push(appetite);
        price *= 1.0 + 0.002 + 0.06 * walk.next_centered();
        netliq *= 1.0 + 0.02 * walk.next_centered();
        appetite = (0.9 * appetite + walk.next_centered()).clamp(-3.0, 3.0);
    }
    let cash: Vec<f64> = (0..weeks).map(|k| (1.0 + 0.02 / 52.0f64).powi(k as i32)).collect();
    let market = Market::from_prices(dates.clone(), Some(&cash), &[("NASDAQ100", &prices)]);
    let signals = Signals::new(dates).with_column("NETLIQ", &liquidity).with_link("risk_appetite", &scores);
    (market, signals)
}

fn real_inputs(config: &BacktestConfig) -> Option<BacktestInputs> {
    let dir = Path::new(REAL_DATA);
    if !dir.join("WALCL.csv").exists() {
        return None;
    }
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_from(|name| std::fs::read_to_string(dir.join(name)).ok(), None);
    BacktestInputs::build(&dataset, config).ok()
}

fn bench(c: &mut Criterion) {
    let grid = SweepConfig::default();
    let base = TimingParams::default();
    let engine = EngineConfig::default();
    let (market, signals) = synthetic_weekly();
    c.bench_function("backtest/sweep 441 cells, synthetic 15y weekly", |b| {
        b.iter(|| sweep(&market, &signals, &grid, &base, &engine, None))
    });
    let config = BacktestConfig::default();
    if let Some(inputs) = real_inputs(&config) {
        c.bench_function("backtest/sweep 441 cells, real data", |b| {
            b.iter(|| sweep(&inputs.market, &inputs.signals, &grid, &base, &engine, None))
        });
        let wf = WalkForwardConfig::default();
        c.bench_function("backtest/walk-forward 441 cells, real data", |b| {
            b.iter(|| walk_forward(&inputs.market, &inputs.signals, &wf, &grid, &base, &engine, None, false))
        });
        c.bench_function("backtest/4 strategies + 5 benchmarks, real data (inputs built)", |b| {
            b.iter(|| run_on_inputs(&inputs, &config))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
