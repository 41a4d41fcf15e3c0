//! The report reads back: JSON -> [`Report`] -> JSON gives the same bytes, lean and full, on the
//! real shared data and on the synthetic catalog. This is what lets the page receive the report
//! from a Web Worker as JSON and use it as typed values, without linking the statistics.

mod common;
use common::shared_data;

use tideline_core::backtest::sweep::SweepConfig;
use tideline_core::backtest::walkforward::WalkForwardConfig;
use tideline_core::backtest::{run_backtest, BacktestConfig, BacktestReport};
use tideline_core::model::flows::FlowInputs;
use tideline_core::report::{analyze_with, Detail, JsonStyle, ModelConfig, Report};
use tideline_core::{synthetic, Date};

/// Fails with the first place two JSON texts differ (a few hundred bytes around it), not with two
/// documents of megabytes.
fn assert_same(before: &str, after: &str, what: &str) {
    if before == after {
        return;
    }
    let at =
        before.bytes().zip(after.bytes()).position(|(a, b)| a != b).unwrap_or(before.len().min(after.len()));
    let around = |s: &str| {
        let bytes = &s.as_bytes()[at.saturating_sub(200)..(at + 80).min(s.len())];
        String::from_utf8_lossy(bytes).into_owned()
    };
    panic!(
        "{what}: the JSON changed on a round trip at byte {at}:\nbefore: {}\nafter:  {}",
        around(before),
        around(after)
    );
}

/// The report as its JSON document holds it: without the chain's weekly working histories
/// (`indicators[].scores`, `links[].history`, `#[serde(skip)]`: inputs of the spectrum, not
/// figures of the report).
fn document(report: &Report) -> Report {
    let mut report = report.clone();
    report.indicators.iter_mut().for_each(|i| i.scores.clear());
    report.links.iter_mut().for_each(|l| l.history.clear());
    report
}

/// JSON -> report -> JSON, in both styles; returns the compact JSON.
fn assert_round_trips(report: &Report, what: &str) -> String {
    let mut compact = String::new();
    for style in [JsonStyle::Compact, JsonStyle::Pretty] {
        let json = report.to_json(style).expect("serialises");
        let back: Report = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{what} ({style:?}): {e}"));
        let again = back.to_json(style).expect("serialises");
        assert_same(&json, &again, &format!("{what} ({style:?})"));
        // Equal values, too: a NaN or an infinity anywhere (written as `null`) would fail here,
        // since it reads back as an error or as `None`, and NaN != NaN.
        assert!(
            back == document(report),
            "{what} ({style:?}): the report read back differs (a NaN or an infinity?)"
        );
        if style == JsonStyle::Compact {
            compact = json;
        }
    }
    compact
}

#[test]
fn the_real_report_round_trips_lean_and_full() {
    let Some((dataset, inputs)) = shared_data() else { return };
    let report = analyze_with(&dataset, &ModelConfig::default(), &inputs).expect("a report");
    let full = assert_round_trips(&report.clone().with_detail(Detail::Full), "full report");
    let lean = assert_round_trips(&report.with_detail(Detail::Lean), "lean report");
    assert!(lean.len() < full.len());
    // Every section is there: a round trip of a report with an empty section proves little.
    let back: Report = serde_json::from_str(&full).expect("reads");
    assert!(back.spectrum.is_some() && back.global_liquidity.is_some() && back.stress.is_some());
    assert!(back.flows.is_some() && back.gold_real_rates.is_some() && back.policy_divergence.is_some());
    assert!(!back.regimes.timeline.is_empty() && !back.lead_lag.is_empty() && !back.asymmetry.is_empty());
}

#[test]
fn a_synthetic_catalog_report_round_trips() {
    let end = Date::parse_iso("2024-06-28").expect("date");
    let dataset = synthetic::catalog(10, end, 7);
    let report = analyze_with(&dataset, &ModelConfig::default(), &FlowInputs::default()).expect("a report");
    assert_round_trips(&report.clone().with_detail(Detail::Full), "synthetic full report");
    assert_round_trips(&report.with_detail(Detail::Lean), "synthetic lean report");
}

#[test]
fn the_lean_report_keeps_the_histories_the_pages_draw() {
    use tideline_core::model::asymmetry::ReturnFrequency;
    let end = Date::parse_iso("2024-06-28").expect("date");
    let dataset = synthetic::catalog(10, end, 7);
    let full = analyze_with(&dataset, &ModelConfig::default(), &FlowInputs::default()).expect("a report");
    let lean = full.clone().with_detail(Detail::Lean);
    // The regime bands, the rolling betas, the weekly scatter and the rolling best lag: whole.
    assert!(!lean.regimes.timeline.is_empty());
    assert_eq!(lean.regimes.timeline, full.regimes.timeline);
    assert!(lean.asymmetry.iter().any(|a| a.frequency == ReturnFrequency::Weekly));
    for (l, f) in lean.asymmetry.iter().zip(&full.asymmetry) {
        assert_eq!(l.rolling, f.rolling);
        assert!(
            !f.points.is_empty() && f.points.len() == f.n,
            "{} / {}: one point per return",
            f.asset,
            f.benchmark
        );
        match l.frequency {
            ReturnFrequency::Weekly => assert_eq!(l.points, f.points),
            ReturnFrequency::Daily => assert!(l.points.is_empty(), "daily scatter points only in full"),
        }
    }
    assert!(lean.lead_lag.iter().any(|r| !r.rolling_best_lag.is_empty()));
    for (l, f) in lean.lead_lag.iter().zip(&full.lead_lag) {
        assert_eq!(l.rolling_best_lag, f.rolling_best_lag);
    }
}

#[test]
fn the_real_backtest_report_round_trips() {
    let Some((dataset, _)) = shared_data() else { return };
    let config = BacktestConfig {
        sweep: Some(SweepConfig::default()),
        walk_forward: Some(WalkForwardConfig::default()),
        include_weeks: true,
        ..BacktestConfig::default()
    };
    let report = run_backtest(&dataset, &config).expect("a backtest");
    assert!(report.sweep.is_some() && report.walk_forward.is_some(), "skipped: {:?}", report.skipped);
    let json = serde_json::to_string(&report).expect("serialises");
    let back: BacktestReport = serde_json::from_str(&json).expect("reads back");
    assert_same(&json, &serde_json::to_string(&back).expect("serialises"), "backtest report");
    assert!(back == report, "the backtest report read back differs (a NaN or an infinity?)");
}
