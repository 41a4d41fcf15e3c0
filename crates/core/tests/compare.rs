//! The honest comparison of the backtest (`backtest::compare`): the static mix and the
//! Jobson-Korkie-Memmel Sharpe difference against closed forms on synthetic returns, its size
//! under the null on simulated pairs, and the comparisons the backtest report carries.

use tideline_core::backtest::compare::{
    average_weights, sharpe_difference, static_mix, Against, Comparison, Verdict,
};
use tideline_core::backtest::engine::{simulate, CostConfig, EngineConfig, Market, Targets};
use tideline_core::backtest::{run_backtest, BacktestConfig, BacktestReport};
use tideline_core::stats::bootstrap::SplitMix64;
use tideline_core::stats::correlation::Z_95;
use tideline_core::{synthetic, Date};

/// For values computed in a handful of operations.
const EXACT: f64 = 1e-12;
/// For closed forms that go through square roots and sums over the sample (the brief's 1e-9).
const FORMULA: f64 = 1e-9;

fn fridays(n: usize) -> Vec<Date> {
    let first = Date::parse_iso("2020-01-03").expect("date");
    (0..n).map(|k| first.add_days(7 * k as i32)).collect()
}

fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() < tol
}

// ---------------------------------------------------------------------------------------------
// The static mix
// ---------------------------------------------------------------------------------------------

/// Two assets with constant weekly returns (S&P 500 +1%, the 10-year Treasury +0.2%; cash earns
/// 0), and a strategy that holds all of the first on even weeks and all of the second on odd
/// weeks. Its average allocation is 50/50, and the static mix rebalanced weekly to 50/50 with
/// 10 bps on each side has a closed-form return every week.
#[test]
fn static_mix_of_an_alternating_strategy_is_fifty_fifty() {
    let n = 53;
    let equities: Vec<f64> = (0..n).map(|k| 100.0 * 1.01f64.powi(k as i32)).collect();
    let treasuries: Vec<f64> = (0..n).map(|k| 100.0 * 1.002f64.powi(k as i32)).collect();
    let market = Market::from_prices(fridays(n), None, &[("SP500", &equities), ("UST10", &treasuries)]);
    let mut alternating = Targets::new(n, 3);
    for t in 0..n {
        alternating.set_single(t, if t % 2 == 0 { 1 } else { 2 }, true);
    }
    let cfg = EngineConfig::default();
    let run = simulate(&market, &alternating, market.decision_weeks(), &cfg);
    assert_eq!(run.len(), 52);
    let average = average_weights(&run);
    assert!(near(average[0], 0.0, EXACT) && near(average[1], 0.5, EXACT) && near(average[2], 0.5, EXACT));

    let mix = static_mix(&market, &run, &cfg);
    assert_eq!(mix.weights, vec![("SP500".to_string(), 0.5), ("UST10".to_string(), 0.5)]);
    assert_eq!(mix.run.len(), run.len());
    assert_eq!(mix.run.dates, run.dates);
    // Week 0 buys the mix from cash: 10 bps on all of it. Afterwards the mix has drifted to
    // 0.5 * 1.01 / 1.006 and 0.5 * 1.002 / 1.006, and trading each back to 0.5 costs 10 bps of
    // 0.002 / 1.006 on each side.
    let gross = 0.5 * 0.01 + 0.5 * 0.002;
    assert!(near(mix.run.net_return[0], gross - 0.001, EXACT), "{}", mix.run.net_return[0]);
    let rebalance = 2.0 * 0.5 * (0.01 - gross) / (1.0 + gross) * 0.001;
    for (k, r) in mix.run.net_return.iter().enumerate().skip(1) {
        assert!(near(*r, gross - rebalance, EXACT), "week {k}: {r}");
        assert!(near(mix.run.turnover[k], 2.0 * 0.5 * (0.01 - gross) / (1.0 + gross), EXACT));
    }
    let total = (1.0 + gross - 0.001) * (1.0 + gross - rebalance).powi(51) - 1.0;
    let equity = mix.run.equity.last().copied().unwrap_or(0.0);
    assert!(near(equity - 1.0, total, FORMULA), "{equity} vs {total}");
    // Frictionless, the mix earns the average of the two returns exactly.
    let free = EngineConfig { costs: CostConfig::zero(), ..EngineConfig::default() };
    let mix = static_mix(&market, &simulate(&market, &alternating, market.decision_weeks(), &free), &free);
    assert!(mix.run.net_return.iter().all(|r| near(*r, gross, EXACT)));
}

#[test]
fn static_mix_of_a_constant_strategy_is_the_strategy() {
    let n = 30;
    let mut rng = SplitMix64::new(7);
    let mut price = 100.0;
    let prices: Vec<f64> = (0..n)
        .map(|_| {
            price *= 1.0 + 0.04 * (rng.next_f64() - 0.5);
            price
        })
        .collect();
    let market = Market::from_prices(fridays(n), None, &[("NASDAQ100", &prices)]);
    let hold = Targets::constant(&market, &[("NASDAQ100".to_string(), 1.0)]);
    let run = simulate(&market, &hold, 3..n - 1, &EngineConfig::default());
    let mix = static_mix(&market, &run, &EngineConfig::default());
    assert_eq!(mix.run.decided, run.decided);
    assert_eq!(mix.run.net_return, run.net_return);
    let same = Comparison::of_runs(&run, &mix.run, "static", Against::StaticMix);
    assert_eq!(same.difference, Some(0.0));
    assert_eq!(same.verdict, Verdict::NoSignificantDifference);
}

// ---------------------------------------------------------------------------------------------
// The Sharpe difference against closed forms
// ---------------------------------------------------------------------------------------------

/// Two orthogonal ±1 patterns of mean 0 over 8 weeks, each with sample standard deviation
/// `sqrt(8 / 7)`: series built from them have exactly the means, standard deviations and
/// correlation asked for.
fn patterned(mean_a: f64, sd_a: f64, mean_b: f64, sd_b: f64, rho: f64) -> (Vec<f64>, Vec<f64>) {
    let x = [1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0, -1.0];
    let y = [1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0, -1.0];
    let s = (8.0f64 / 7.0).sqrt();
    let a = x.iter().map(|x| mean_a + sd_a * x / s).collect();
    let b =
        x.iter().zip(&y).map(|(x, y)| mean_b + sd_b * (rho * x + (1.0 - rho * rho).sqrt() * y) / s).collect();
    (a, b)
}

#[test]
fn identical_series_differ_by_nothing() {
    let mut rng = SplitMix64::new(11);
    let a: Vec<f64> = (0..400).map(|_| 0.002 + 0.03 * (rng.next_f64() - 0.5)).collect();
    let test = sharpe_difference(&a, &a).expect("defined");
    assert_eq!(test.difference, 0.0);
    assert!(test.se < 1e-6, "se {}", test.se);
    assert!(test.ci95[0] <= 0.0 && test.ci95[1] >= 0.0, "{:?}", test.ci95);
    assert_eq!(test.verdict(), Verdict::NoSignificantDifference);
    assert!(test.correlation.is_some_and(|r| near(r, 1.0, EXACT)));
}

/// Means 0.01 and 0.005, standard deviations 0.02 and 0.02 (weekly Sharpe ratios 0.5 and 0.25),
/// correlation 0.6, T = 8: `Var = (1/8)[2 - 1.2 + ½(0.25 + 0.0625 - 2 · 0.125 · 0.36)]
/// = 0.11390625`, whose root is exactly 0.3375.
#[test]
fn hand_computed_example_matches_the_formula() {
    let (a, b) = patterned(0.01, 0.02, 0.005, 0.02, 0.6);
    let test = sharpe_difference(&a, &b).expect("defined");
    let annual = 52f64.sqrt();
    assert_eq!(test.weeks, 8);
    assert!(near(test.sharpe_a, 0.5 * annual, FORMULA), "{}", test.sharpe_a);
    assert!(near(test.sharpe_b, 0.25 * annual, FORMULA), "{}", test.sharpe_b);
    assert!(test.correlation.is_some_and(|r| near(r, 0.6, FORMULA)));
    assert!(near(test.difference, 0.25 * annual, FORMULA));
    assert!(near(test.se, 0.3375 * annual, FORMULA), "{}", test.se);
    assert!(near(test.ci95[0], (0.25 - Z_95 * 0.3375) * annual, FORMULA));
    assert!(near(test.ci95[1], (0.25 + Z_95 * 0.3375) * annual, FORMULA));
    assert!(test.z.is_some_and(|z| near(z, 0.25 / 0.3375, FORMULA)));
    // 2 (1 - Phi(20/27)) = erfc(20 / (27 sqrt 2)).
    assert!(test.p_value.is_some_and(|p| near(p, 0.458_850_651_929_467_4, FORMULA)), "{:?}", test.p_value);
    assert_eq!(test.verdict(), Verdict::NoSignificantDifference);

    // The same moments with the correlation negative, and the two sides swapped: the difference
    // changes sign, the standard error does not.
    let (a, b) = patterned(0.01, 0.02, 0.005, 0.02, -0.6);
    let test = sharpe_difference(&b, &a).expect("defined");
    let variance = (2.0 + 1.2 + 0.5 * (0.0625 + 0.25 - 2.0 * 0.125 * 0.36)) / 8.0f64;
    assert!(near(test.difference, -0.25 * annual, FORMULA));
    assert!(near(test.se, variance.sqrt() * annual, FORMULA), "{}", test.se);
    assert!(test.correlation.is_some_and(|r| near(r, -0.6, FORMULA)));

    // Against a riskless series (cash over cash) only the strategy's own term stays.
    let test = sharpe_difference(&a, &[0.0; 8]).expect("defined");
    assert!(near(test.se, ((1.0 + 0.5 * 0.25) / 8.0f64).sqrt() * annual, FORMULA));
    assert_eq!(test.sharpe_b, 0.0);
}

// ---------------------------------------------------------------------------------------------
// Simulated pairs
// ---------------------------------------------------------------------------------------------

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut SplitMix64) -> f64 {
    let u = 1.0 - rng.next_f64(); // in (0, 1]
    let v = rng.next_f64();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// `weeks` paired excess returns with weekly means `mean_a`, `mean_b`, common standard deviation
/// 2% and correlation `rho`.
fn simulated_pair(seed: u64, weeks: usize, mean_a: f64, mean_b: f64, rho: f64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = SplitMix64::new(seed);
    let (mut a, mut b) = (Vec::with_capacity(weeks), Vec::with_capacity(weeks));
    for _ in 0..weeks {
        let (z1, z2) = (normal(&mut rng), normal(&mut rng));
        a.push(mean_a + 0.02 * z1);
        b.push(mean_b + 0.02 * (rho * z1 + (1.0 - rho * rho).sqrt() * z2));
    }
    (a, b)
}

/// Fifty years of weeks, weekly Sharpe ratios 0.2 and 0.05 (1.44 and 0.36 a year), correlation
/// 0.5: the standard error is about 0.14 a year against a true difference of 1.08, so every seed
/// finds it, in the right direction.
#[test]
fn truly_different_sharpe_ratios_are_found() {
    for seed in 1..=20 {
        let (a, b) = simulated_pair(seed, 2600, 0.004, 0.001, 0.5);
        let test = sharpe_difference(&a, &b).expect("defined");
        assert_eq!(test.verdict(), Verdict::Beats, "seed {seed}: {test:?}");
        assert!(test.p_value.is_some_and(|p| p < 1e-6));
        let swapped = sharpe_difference(&b, &a).expect("defined");
        assert_eq!(swapped.verdict(), Verdict::Trails);
        assert!(near(swapped.difference, -test.difference, EXACT));
        assert!(near(swapped.se, test.se, EXACT));
    }
}

/// Equal Sharpe ratios (0.1 a week), ten years of weeks, correlation 0.5: the interval excludes
/// 0 on about 5% of seeds. Of 1,000 seeds a correct test rejects 50 on average (binomial standard
/// deviation 7); the bounds 3% and 7.5% hold unless the size is wrong.
#[test]
fn equal_sharpe_ratios_differ_at_about_the_five_percent_rate() {
    let seeds = 1000;
    let mut rejected = 0;
    for seed in 0..seeds {
        let (a, b) = simulated_pair(1_000 + seed, 520, 0.002, 0.002, 0.5);
        let test = sharpe_difference(&a, &b).expect("defined");
        match test.verdict() {
            Verdict::NoSignificantDifference => {
                assert!(test.p_value.is_some_and(|p| p >= 0.05 - EXACT), "{test:?}");
            }
            _ => {
                rejected += 1;
                assert!(test.p_value.is_some_and(|p| p < 0.05 + EXACT), "{test:?}");
            }
        }
    }
    let share = rejected as f64 / seeds as f64;
    assert!((0.03..=0.075).contains(&share), "rejected {rejected} of {seeds}");
}

// ---------------------------------------------------------------------------------------------
// The comparisons in the backtest report
// ---------------------------------------------------------------------------------------------

fn synthetic_report() -> BacktestReport {
    let end = Date::parse_iso("2024-06-28").expect("date");
    let dataset = synthetic::catalog(12, end, 3);
    let config = BacktestConfig { as_of: Some(end), ..BacktestConfig::default() };
    run_backtest(&dataset, &config).expect("runs")
}

#[test]
fn every_strategy_is_compared_with_every_benchmark_and_its_static_mix() {
    let report = synthetic_report();
    assert_eq!(report.schema_version, "1.1.0");
    assert!(!report.strategies.is_empty());
    for strategy in &report.strategies {
        let names: Vec<&str> = strategy.comparisons.iter().map(|c| c.against.as_str()).collect();
        let mut expected: Vec<String> = report.benchmarks.iter().map(|b| b.name.clone()).collect();
        expected.push(format!("static:{}", strategy.name));
        assert_eq!(names, expected, "{}", strategy.name);
        let mix = strategy.static_mix.as_ref().expect("a static mix");
        assert_eq!(mix.run.name, format!("static:{}", strategy.name));
        assert_eq!(mix.run.metrics.weeks, strategy.metrics.weeks);
        assert_eq!(mix.run.start, strategy.start);
        assert!(near(mix.weights.values().sum::<f64>(), 1.0, FORMULA), "{:?}", mix.weights);
        for c in &strategy.comparisons {
            assert_eq!(c.weeks, strategy.metrics.weeks);
            assert_eq!(c.verdict, Verdict::of_interval(c.ci95), "{c:?}");
            // The strategy's Sharpe ratio is the one of its metrics; the other's too (0 for a run
            // that only ever holds cash, whose metrics leave it undefined).
            if let (Some(mine), Some(theirs)) = (c.sharpe_strategy, strategy.metrics.sharpe) {
                assert!(near(mine, theirs, EXACT));
            }
            let other = match c.kind {
                Against::Benchmark => report.benchmarks.iter().find(|b| b.name == c.against),
                Against::StaticMix => Some(&mix.run),
            };
            let other = other.expect("the run compared with");
            match (c.sharpe_other, other.metrics.sharpe) {
                (Some(x), Some(y)) => assert!(near(x, y, EXACT)),
                (Some(x), None) => {
                    assert_eq!(x, 0.0, "{}", c.against);
                    assert_eq!(other.metrics.exposure, Some(0.0), "{}", c.against);
                }
                _ => {}
            }
            if let (Some(d), Some(se), Some([lo, hi])) = (c.difference, c.se, c.ci95) {
                assert!(near(lo, d - Z_95 * se, EXACT) && near(hi, d + Z_95 * se, EXACT));
            }
            let statement = c.statement();
            match c.verdict {
                Verdict::Beats => assert!(statement.starts_with("beats ")),
                Verdict::Trails => assert!(statement.starts_with("trails ")),
                Verdict::NoSignificantDifference => {
                    assert!(!statement.contains("beats") && !statement.contains("trails"), "{statement}")
                }
            }
        }
    }
    for bench in &report.benchmarks {
        assert!(bench.comparisons.is_empty() && bench.static_mix.is_none());
    }
}

#[test]
fn a_report_without_comparisons_still_reads() {
    let report = synthetic_report();
    let mut json = serde_json::to_value(&report).expect("serialises");
    json["schema_version"] = "1.0.0".into();
    for key in ["strategies", "benchmarks"] {
        for run in json[key].as_array_mut().expect("runs") {
            let run = run.as_object_mut().expect("a run");
            run.remove("comparisons");
            run.remove("static_mix");
        }
    }
    let old: BacktestReport = serde_json::from_value(json).expect("a 1.0.0 report reads");
    assert!(old.strategies.iter().all(|s| s.comparisons.is_empty() && s.static_mix.is_none()));
    assert_eq!(old.strategies[0].metrics, report.strategies[0].metrics);
}
