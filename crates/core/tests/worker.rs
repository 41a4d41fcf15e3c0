//! The worker's engine: the report it sends is the one `analyze` + `with_detail` + `to_json` make;
//! a second identical request is a cache hit with the same bytes; unknown data is a clear error;
//! every message survives serde (JSON, and bincode: gloo-worker's default codec).

mod common;
use common::shared_data;
use std::cell::Cell;

use tideline_core::backtest::sweep::{SweepAxis, SweepConfig, TimingParam};
use tideline_core::backtest::{run_backtest, BacktestConfig, BacktestReport, RunCurves};
use tideline_core::codec::{encode_dataset, encode_tables, fingerprint_of};
use tideline_core::dataset::Dataset;
use tideline_core::model::flows::FlowInputs;
use tideline_core::report::steps::ReportReader;
use tideline_core::report::{analyze_with, Detail, JsonStyle, ModelConfig, Report};
use tideline_core::worker::{Engine, Request, Response, CACHE_ENTRIES};
use tideline_core::{synthetic, Date};

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("test date")
}

/// Every response to one request.
fn ask(engine: &mut Engine, request: Request, clock: Option<&dyn Fn() -> f64>) -> Vec<Response> {
    let mut out = Vec::new();
    engine.handle(request, clock, &mut |r| out.push(r));
    out
}

/// The one response to a request that has one.
fn ask_one(engine: &mut Engine, request: Request) -> Response {
    let mut out = ask(engine, request, None);
    assert_eq!(out.len(), 1, "{out:?}");
    out.remove(0)
}

fn set_data(dataset: &Dataset, tables: &FlowInputs) -> (Request, u64) {
    let (dataset, tables) = (encode_dataset(dataset), encode_tables(tables));
    let fingerprint = fingerprint_of(&dataset, &tables);
    (Request::SetData { fingerprint, dataset, tables }, fingerprint)
}

#[test]
fn the_engine_sends_the_report_analyze_makes_and_caches_it() {
    let Some((dataset, tables)) = shared_data() else { return };
    let mut engine = Engine::new();
    let (request, fingerprint) = set_data(&dataset, &tables);
    match ask_one(&mut engine, request) {
        Response::DataLoaded { fingerprint: f, series, observations } => {
            assert_eq!(f, fingerprint);
            assert_eq!(series, dataset.iter().count() as u64);
            assert!(observations > 10_000);
        }
        other => panic!("{other:?}"),
    }
    let config = ModelConfig::default();
    let direct = analyze_with(&dataset, &config, &tables)
        .expect("a report")
        .with_detail(Detail::default())
        .to_json(JsonStyle::default())
        .expect("json");
    let analyze = |id| Request::Analyze { id, fingerprint, config: config.clone() };
    let (first, pieces) = match ask_one(&mut engine, analyze(1)) {
        Response::Report { id: 1, json, pieces, cached: false, .. } => (json, pieces),
        other => panic!("{other:?}"),
    };
    assert!(first == direct, "the engine's report differs from analyze + with_detail + to_json");
    let report: Report = serde_json::from_str(&first).expect("the page reads it");
    assert_eq!(report.detail, Detail::Lean);
    // The pieces the page reads in steps are the same report.
    assert_eq!(ReportReader::from_pieces(pieces.clone()).finish().expect("the pieces read"), report);
    match ask_one(&mut engine, analyze(2)) {
        Response::Report { id: 2, json, pieces: again, cached: true, .. } => {
            assert!(json == direct, "the cache changed it");
            assert!(again == pieces, "the cache changed the pieces");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(engine.cached(), 1);
}

#[test]
fn a_clock_times_the_run_and_the_cache_is_bounded() {
    let dataset = synthetic::catalog(4, d("2024-06-28"), 3);
    let (mut engine, fingerprint) = Engine::with_data(dataset, FlowInputs::default());
    let ticks = Cell::new(0.0);
    let clock = || {
        ticks.set(ticks.get() + 1.0);
        ticks.get()
    };
    let config = |k: usize| ModelConfig {
        as_of: Some(d("2024-06-28").add_days(-7 * k as i32)),
        ..ModelConfig::default()
    };
    let request = |k: usize| Request::Analyze { id: k as u64, fingerprint, config: config(k) };
    match ask(&mut engine, request(0), Some(&clock)).pop() {
        Some(Response::Report { compute_ms, sections, json, .. }) => {
            assert!(compute_ms > 0.0 && sections.len() >= 10, "{compute_ms} {sections:?}");
            let report: Report = serde_json::from_str(&json).expect("reads");
            assert_eq!(report.timing.sections, sections);
            assert!(report.timing.model_ms > 0.0);
        }
        other => panic!("{other:?}"),
    }
    for k in 1..=CACHE_ENTRIES {
        ask_one(&mut engine, request(k));
    }
    assert_eq!(engine.cached(), CACHE_ENTRIES);
    // The first was the least recently used: computed again; the newest is still cached.
    assert!(matches!(ask_one(&mut engine, request(0)), Response::Report { cached: false, .. }));
    assert!(matches!(ask_one(&mut engine, request(CACHE_ENTRIES)), Response::Report { cached: true, .. }));
}

#[test]
fn unknown_data_and_bad_messages_are_clear_errors() {
    let mut engine = Engine::new();
    let config = ModelConfig::default();
    match ask_one(&mut engine, Request::Analyze { id: 7, fingerprint: 0xabc, config: config.clone() }) {
        Response::Error { id: Some(7), message } => {
            assert!(message.contains("no data set for fingerprint 0000000000000abc"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let dataset = synthetic::catalog(2, d("2024-06-28"), 5);
    let (request, fingerprint) = set_data(&dataset, &FlowInputs::default());
    let Request::SetData { dataset: bytes, tables, .. } = request.clone() else { unreachable!() };
    let wrong =
        Request::SetData { fingerprint: fingerprint ^ 1, dataset: bytes.clone(), tables: tables.clone() };
    assert!(
        matches!(ask_one(&mut engine, wrong), Response::Error { id: None, message } if message.contains("fingerprint"))
    );
    let mut damaged = bytes.clone();
    damaged[20] ^= 0x10;
    let damaged_fingerprint = fingerprint_of(&damaged, &tables);
    let damaged = Request::SetData { fingerprint: damaged_fingerprint, dataset: damaged, tables };
    match ask_one(&mut engine, damaged) {
        Response::Error { id: None, message } => {
            assert!(message.contains("the dataset could not be read"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(engine.fingerprint(), None, "bad data never becomes current");
    assert!(matches!(ask_one(&mut engine, request), Response::DataLoaded { .. }));
    let other = Request::Analyze { id: 8, fingerprint: fingerprint ^ 1, config };
    match ask_one(&mut engine, other) {
        Response::Error { id: Some(8), message } => {
            assert!(message.contains("the worker holds"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let bad_settings = Request::Backtest { id: 9, fingerprint, config_json: "{\"strategies\": 3}".into() };
    assert!(matches!(ask_one(&mut engine, bad_settings), Response::Error { id: Some(9), .. }));
}

#[test]
fn a_backtest_reports_progress_then_the_report() {
    let dataset = synthetic::catalog(12, d("2024-06-28"), 11);
    let config = BacktestConfig {
        sweep: Some(SweepConfig {
            rows: SweepAxis::range(TimingParam::LookbackWeeks, 4.0, 12.0, 4.0),
            cols: SweepAxis::range(TimingParam::ThresholdPct, -1.0, 1.0, 1.0),
            ..SweepConfig::default()
        }),
        ..BacktestConfig::default()
    };
    let direct = serde_json::to_string(&run_backtest(&dataset, &config).expect("a backtest")).expect("json");
    let (mut engine, fingerprint) = Engine::with_data(dataset, FlowInputs::default());
    let config_json = serde_json::to_string(&config).expect("json");
    let responses = ask(&mut engine, Request::Backtest { id: 3, fingerprint, config_json }, None);
    let (last, progress) = responses.split_last().expect("responses");
    let steps: Vec<(u64, u64)> = progress
        .iter()
        .map(|r| match r {
            Response::Progress { id: 3, done, total } => (*done, *total),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(steps, (1..=9).map(|k| (k, 9)).collect::<Vec<_>>());
    match last {
        Response::Backtest { id: 3, json, view_json, curves, .. } => {
            assert!(json.trim_end() == direct, "the backtest differs");
            // The page's view: the same figures, the weekly rows apart as columns.
            let full: BacktestReport = serde_json::from_str(json).expect("the report");
            let view: BacktestReport = serde_json::from_str(view_json).expect("the view");
            assert_eq!((view.clone(), curves.clone()), full.page_view());
            assert!(view_json.len() * 4 < json.len(), "{} vs {}", view_json.len(), json.len());
            for (a, b) in view.strategies.iter().zip(&full.strategies) {
                assert_eq!(a.metrics, b.metrics);
                assert_eq!(a.comparisons, b.comparisons);
                assert!(a.weeks.is_empty());
                let c = RunCurves::find(curves, &RunCurves::strategy(&b.name)).expect("its curves");
                assert_eq!(c.dates, b.weeks.iter().map(|w| w.date).collect::<Vec<_>>());
                assert_eq!(c.equity, b.weeks.iter().map(|w| w.equity).collect::<Vec<_>>());
                assert_eq!(c.drawdown, b.weeks.iter().map(|w| w.drawdown).collect::<Vec<_>>());
                let cash = |w: &tideline_core::backtest::engine::WeekRow| {
                    w.weights.get("CASH").copied().unwrap_or(0.0)
                };
                assert_eq!(c.exposure, b.weeks.iter().map(|w| 1.0 - cash(w)).collect::<Vec<_>>());
                assert_eq!(
                    a.static_mix.as_ref().map(|m| &m.run.metrics),
                    b.static_mix.as_ref().map(|m| &m.run.metrics)
                );
            }
            for b in &full.benchmarks {
                assert!(RunCurves::find(curves, &RunCurves::benchmark(&b.name)).is_some(), "{}", b.name);
            }
            assert_eq!(view.sweep, full.sweep);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_message_survives_json_and_bincode() {
    let dataset = synthetic::catalog(1, d("2024-06-28"), 2);
    let (set, fingerprint) = set_data(&dataset, &FlowInputs::default());
    let (mut engine, _) = Engine::with_data(dataset, FlowInputs::default());
    let analyze = Request::Analyze { id: 1, fingerprint, config: ModelConfig::default() };
    let report = ask_one(&mut engine, analyze.clone());
    let backtest = Request::Backtest { id: 2, fingerprint, config_json: "{}".into() };
    let requests = [set, analyze, backtest];
    let responses = [
        report,
        Response::DataLoaded { fingerprint, series: 3, observations: 400 },
        Response::Progress { id: 2, done: 1, total: 9 },
        Response::Backtest {
            id: 2,
            fingerprint,
            json: "{}\n".into(),
            view_json: "{}".into(),
            curves: vec![RunCurves {
                key: RunCurves::strategy("liquidity"),
                dates: vec![d("2024-06-28")],
                equity: vec![1.0],
                drawdown: vec![0.0],
                exposure: vec![0.5],
            }],
            compute_ms: 1.5,
        },
        Response::Error { id: None, message: "bad".into() },
        Response::Error { id: Some(4), message: "worse".into() },
    ];
    for request in &requests {
        let json: Request =
            serde_json::from_str(&serde_json::to_string(request).expect("json")).expect("reads");
        assert_eq!(&json, request);
        let binary: Request =
            bincode::deserialize(&bincode::serialize(request).expect("bincode")).expect("reads");
        assert_eq!(&binary, request);
    }
    for response in &responses {
        let json: Response =
            serde_json::from_str(&serde_json::to_string(response).expect("json")).expect("reads");
        assert_eq!(&json, response);
        let binary: Response =
            bincode::deserialize(&bincode::serialize(response).expect("bincode")).expect("reads");
        assert_eq!(&binary, response);
    }
}

#[test]
fn with_a_clock_progress_is_sent_at_most_every_interval_and_always_last() {
    let dataset = synthetic::catalog(12, d("2024-06-28"), 11);
    let config = BacktestConfig {
        sweep: Some(SweepConfig {
            rows: SweepAxis::range(TimingParam::LookbackWeeks, 4.0, 40.0, 4.0),
            cols: SweepAxis::range(TimingParam::ThresholdPct, -1.0, 1.0, 0.5),
            ..SweepConfig::default()
        }),
        ..BacktestConfig::default()
    };
    let (mut engine, fingerprint) = Engine::with_data(dataset, FlowInputs::default());
    let config_json = serde_json::to_string(&config).expect("json");
    // A clock that moves 10 ms each time it is read.
    let t = Cell::new(0.0);
    let clock = || {
        t.set(t.get() + 10.0);
        t.get()
    };
    let responses = ask(&mut engine, Request::Backtest { id: 4, fingerprint, config_json }, Some(&clock));
    let steps: Vec<(u64, u64)> = responses
        .iter()
        .filter_map(|r| match r {
            Response::Progress { id: 4, done, total } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    let total = 10 * 5;
    assert_eq!(steps.first(), Some(&(1, total)));
    assert_eq!(steps.last(), Some(&(total, total)));
    // One read of the clock per cell: a message every 5 cells or so, not one per cell.
    assert!(steps.len() < total as usize / 3, "{} messages for {total} cells", steps.len());
    assert!(steps.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(matches!(responses.last(), Some(Response::Backtest { id: 4, .. })));
}
