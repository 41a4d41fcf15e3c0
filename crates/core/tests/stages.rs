//! The staged report (`report::Stages`): for a sequence of settings, each one changing one part,
//! the staged report equals a fresh `analyze_timed` (`==` and the same JSON, timing aside), and a
//! setting reruns only the stages that read it.

mod common;
use common::shared_data;
use std::cell::Cell;

use tideline_core::dataset::Dataset;
use tideline_core::model::flows::FlowInputs;
use tideline_core::report::{analyze_timed, default_as_of, JsonStyle, ModelConfig, Report, Stages, Timing};
use tideline_core::{synthetic, Date};

fn synthetic_data() -> Dataset {
    let end = Date::from_ymd(2026, 6, 30).expect("end date");
    synthetic::catalog(12, end, 7)
}

fn untimed(report: Report) -> Report {
    Report { timing: Timing::default(), ..report }
}

/// The chain's weekly working histories (not in the JSON) hold NaN, so no report is `==` to
/// itself with them: they are compared bit for bit, then cleared, and the rest with `==`.
fn assert_same(name: &str, staged: Report, fresh: Report) {
    let bits = |r: &Report| {
        let links = r.links.iter().map(|l| l.history.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        let scores = r.indicators.iter().map(|i| i.scores.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        (links.collect::<Vec<_>>(), scores.collect::<Vec<_>>())
    };
    assert_eq!(bits(&staged), bits(&fresh), "{name}: the chain's working histories differ");
    let json = |r: &Report| r.to_json(JsonStyle::Compact).expect("json");
    assert_eq!(json(&staged), json(&fresh), "{name}: JSON differs");
    let cleared = |mut r: Report| {
        r.links.iter_mut().for_each(|l| l.history.clear());
        r.indicators.iter_mut().for_each(|i| i.scores.clear());
        r
    };
    assert!(cleared(staged) == cleared(fresh), "{name}: the staged report differs from a fresh one");
}

/// Default; one change to each of several parts; another as-of date; back to the default.
fn configs(dataset: &Dataset) -> Vec<(&'static str, ModelConfig)> {
    let base = ModelConfig::default();
    let mut chain_weight = base.clone();
    chain_weight.chain.weights.insert("VIX".into(), 2.0);
    let mut lead_lag = chain_weight.clone();
    lead_lag.lead_lag.max_lag = 8;
    let mut pairs = lead_lag.clone();
    pairs.asymmetry_pairs = vec![("CBETHUSD".into(), "CBBTCUSD".into()), ("GOLD".into(), "NASDAQ100".into())];
    let mut gold = pairs.clone();
    gold.gold.window_weeks = 78;
    let mut threshold = gold.clone();
    threshold.regimes.impulse_threshold_pct = 2.0;
    let mut risk = threshold.clone();
    risk.risk_by_regime.min_weeks = 40;
    risk.risk_by_regime.block_len = Some(3);
    let mut as_of = risk.clone();
    let default = default_as_of(dataset).expect("an as-of date");
    as_of.as_of = Some(default.add_days(-180));
    let mut explicit = base.clone();
    explicit.as_of = Some(default);
    vec![
        ("default", base.clone()),
        ("chain weight", chain_weight),
        ("lead-lag max lag", lead_lag),
        ("asymmetry pairs", pairs),
        ("gold window", gold),
        ("liquidity regime threshold", threshold),
        ("risk by regime", risk),
        ("as of", as_of),
        ("default again", base),
        ("the default as-of date, named", explicit),
    ]
}

fn staged_equals_fresh(dataset: &Dataset, inputs: &FlowInputs) {
    let mut stages = Stages::new(dataset.clone(), inputs.clone());
    for (name, config) in configs(dataset) {
        let staged = untimed(stages.analyze(&config, None).expect("staged report"));
        let fresh = untimed(analyze_timed(dataset, &config, inputs, None).expect("fresh report"));
        assert_same(name, staged, fresh);
    }
}

#[test]
fn the_staged_report_equals_a_fresh_one_on_synthetic_data() {
    staged_equals_fresh(&synthetic_data(), &FlowInputs::default());
}

#[test]
fn the_staged_report_equals_a_fresh_one_on_the_real_data() {
    let Some((dataset, inputs)) = shared_data() else { return };
    staged_equals_fresh(&dataset, &inputs);
}

#[test]
fn a_lead_lag_change_reruns_only_the_lead_lag() {
    let dataset = synthetic_data();
    let mut stages = Stages::new(dataset, FlowInputs::default());
    let base = ModelConfig::default();
    stages.analyze(&base, None).expect("report");
    let before: Vec<u64> = tideline_core::report::stages::STAGES.iter().map(|s| stages.runs(s)).collect();
    assert!(before.iter().all(|n| *n == 1), "a first run runs every stage once: {before:?}");

    let mut lead_lag = base.clone();
    lead_lag.lead_lag.max_lag = 8;
    // A clock that advances one millisecond a reading: only the lead-lag is listed.
    let ticks = Cell::new(0.0);
    let clock = || {
        ticks.set(ticks.get() + 1.0);
        ticks.get()
    };
    let report = stages.analyze(&lead_lag, Some(&clock)).expect("report");
    let listed: Vec<&str> = report.timing.sections.iter().map(|s| s.section.as_str()).collect();
    assert_eq!(listed, ["lead_lag"]);
    for stage in [
        "cut",
        "net_liquidity",
        "chain",
        "regimes",
        "asymmetry",
        "stability",
        "spectrum",
        "risk_by_regime",
        "gold",
    ] {
        assert_eq!(stages.runs(stage), 1, "{stage} reran on a lead-lag change");
    }
    assert_eq!(stages.runs("lead_lag"), 2);

    // The same settings again: nothing reruns.
    let report = stages.analyze(&lead_lag, Some(&clock)).expect("report");
    assert!(report.timing.sections.is_empty(), "{:?}", report.timing.sections);

    // A chain weight reruns the chain and what reads it (regimes, spectrum), not the panel, nor
    // the risk by regime: the liquidity regime and the cycle quadrant it reads do not move.
    let mut weight = lead_lag.clone();
    weight.chain.weights.insert("VIX".into(), 2.0);
    let report = stages.analyze(&weight, Some(&clock)).expect("report");
    let listed: Vec<&str> = report.timing.sections.iter().map(|s| s.section.as_str()).collect();
    assert_eq!(listed, ["chain", "regimes", "spectrum"]);
    assert_eq!(stages.runs("risk_by_regime"), 1);
    assert_eq!(stages.runs("cut"), 1);
    assert_eq!(stages.runs("asymmetry"), 1);

    // Another as-of date reruns everything.
    let mut as_of = weight.clone();
    as_of.as_of = Some(report.as_of.add_days(-91));
    let report = stages.analyze(&as_of, Some(&clock)).expect("report");
    assert_eq!(report.timing.sections.len(), 14, "{:?}", report.timing.sections);
}

#[test]
fn the_worker_reruns_only_the_lead_lag_on_a_lead_lag_change() {
    use tideline_core::report::{analyze_with, Detail};
    use tideline_core::worker::{Engine, Request, Response};
    let dataset = synthetic_data();
    let (mut engine, fingerprint) = Engine::with_data(dataset.clone(), FlowInputs::default());
    let ticks = Cell::new(0.0);
    let clock = || {
        ticks.set(ticks.get() + 1.0);
        ticks.get()
    };
    let mut lead_lag = ModelConfig::default();
    lead_lag.lead_lag.max_lag = 8;
    let mut listed = Vec::new();
    for (id, config) in [(1, ModelConfig::default()), (2, lead_lag.clone())] {
        let mut out = Vec::new();
        engine.handle(Request::Analyze { id, fingerprint, config: config.clone() }, Some(&clock), &mut |r| {
            out.push(r)
        });
        match out.pop() {
            Some(Response::Report { json, sections, cached: false, .. }) => {
                let fresh = analyze_with(&dataset, &config, &FlowInputs::default()).expect("report");
                let read: Report = serde_json::from_str(&json).expect("the report's JSON");
                let expected = fresh.with_detail(Detail::default());
                // Timing aside, the worker's report is a fresh one's.
                assert_eq!(
                    untimed(read).to_json(JsonStyle::Compact).expect("json"),
                    untimed(expected).to_json(JsonStyle::Compact).expect("json")
                );
                listed.push(sections.into_iter().map(|s| s.section).collect::<Vec<_>>());
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(listed[0].len(), 14, "{:?}", listed[0]);
    assert_eq!(listed[1], ["lead_lag"]);
}
