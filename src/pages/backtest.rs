//! The Backtest page: the strategies of the link run in the worker on the loaded data, point in
//! time, with their metrics, their curves, the honest comparisons (each benchmark and the
//! strategy's own static mix, by the Sharpe difference and its interval), the parameter sweep as
//! a heatmap with its progress, and the walk-forward. Every figure is the core's
//! (`tideline_core::backtest`); the settings are the URL's ([`Settings::backtest_config`]).

use std::sync::Arc;

use leptos::prelude::*;
use tideline_core::backtest::compare::Verdict;
use tideline_core::backtest::strategy::{run_title, StrategySpec};
use tideline_core::backtest::sweep::{SweepReport, TimingParam};
use tideline_core::backtest::walkforward::WalkForwardReport;
use tideline_core::backtest::{rebased_onto, BacktestReport, RunCurves, RunReport};
use tideline_core::catalog::Catalog;
use tideline_core::chart::{csv_of_table, heatmap, DivergingScale, LinearScale, Rect};
use tideline_core::settings::{Settings, COST_CLASSES, DEFAULT_SWEEP};
use tideline_core::Date;

use super::{interval, signed};
use crate::app::{use_app, BacktestAnswer};
use crate::components::line_chart::download;
use crate::components::LineChart;
use crate::state::SettingsWriter;

/// The strategies offered by name, as `tideline backtest --strategy` spells them.
const KINDS: [(&str, &str); 3] = [
    ("rotation", "Chain rotation: tier weights from the regime table"),
    ("timing", "Liquidity timing: the risk asset or cash on the net-liquidity impulse"),
    ("quadrant", "Cycle quadrant: weights by growth and inflation momentum"),
];

/// The benchmarks offered (at most six at once: [`tideline_core::settings::MAX_BENCHMARKS`]).
const BENCHMARKS: [&str; 7] =
    ["hold:CBBTCUSD", "hold:NASDAQ100", "hold:SP500", "hold:GOLD", "hold:CBETHUSD", "60/40", "cash"];

thread_local! {
    /// The catalog the runs' titles name assets from.
    static CATALOG: Catalog = Catalog::builtin();
}

/// A run's short readable title (`Hold Bitcoin`), from its name in the report
/// ([`run_title`]); the report's `label` is the full sentence.
fn title(name: &str) -> String {
    CATALOG.with(|c| run_title(name, c))
}

/// `text` with its first letter in lower case, for a title inside a sentence ("hold Bitcoin").
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

/// The compact name of a strategy's kind (`rotation`, `timing`, `quadrant`, `rule`).
fn kind_of(spec: &StrategySpec) -> &'static str {
    match spec {
        StrategySpec::ChainRotation { .. } => "rotation",
        StrategySpec::LiquidityTiming(_) => "timing",
        StrategySpec::CycleQuadrant { .. } => "quadrant",
        StrategySpec::Rule(_) => "rule",
    }
}

/// Backtest: do rotation strategies beat holding, point in time and out of sample?
#[component]
pub fn BacktestPage() -> impl IntoView {
    let app = use_app();
    let writer = StoredValue::new(SettingsWriter::new());
    let config = Memo::new(move |_| app.settings.with(Settings::backtest_config));
    // Runs (in the worker) whenever the data or the settings change while the page is open.
    Effect::new(move |_| {
        if app.data_ready.get() {
            app.run_backtest.run(config.get());
        }
    });
    let update = move |f: Box<dyn FnOnce(&mut Settings)>| {
        let current = app.settings.get_untracked();
        writer.with_value(|w| w.update(&current, f));
    };
    let state = app.backtest;
    // The result on screen: the newest that has come, kept while a newer one runs (the page does
    // not blank or jump while the worker computes), with the settings it was computed with.
    let shown = RwSignal::new(None::<Shown>);
    Effect::new(move |_| {
        state.with(|s| {
            let Some(s) = s else { return };
            let Some(result) = &s.result else { return };
            if shown.with_untracked(|x| x.as_ref().map(|x| &x.key) != Some(&s.key)) {
                // On the page's timeline, for the bench: the results mount in the tasks after it.
                crate::perf::mark("tideline:backtest-shown");
                shown.set(Some(Shown {
                    key: s.key.clone(),
                    result: result.clone(),
                    config: s.config.clone(),
                    compute_ms: s.compute_ms,
                }));
            }
        })
    });
    let result = move || shown.with(|s| s.as_ref().map(|s| s.result.clone()));
    let running = move || state.with(|s| s.as_ref().is_some_and(|s| s.result.is_none()));
    let progress = move || state.with(|s| s.as_ref().and_then(|s| s.progress));
    view! {
        <h1 class="answer" data-testid="answer" data-against=move || result().and_then(|r| r.ok()).and_then(|a| {
            a.report.strategies.first().and_then(|s| s.comparisons.first()).map(|c| c.against.clone())
        })>{move || match result() {
            Some(Ok(answer)) => headline(&answer.report),
            Some(Err(_)) => "The backtest could not run on this data.".to_string(),
            None => "Do rotation strategies beat holding, point in time and out of sample?".to_string(),
        }}</h1>
        <Controls update=update />
        <div class="computing-line" aria-live="polite" class:running=running>
            {move || (!app.data_ready.get()).then(|| view! {
                <p class="loading" role="status" data-testid="backtest-waiting">"Loading the data; the backtest runs once it is in."</p>
            })}
            {move || running().then(|| {
                let (done, total) = progress().unwrap_or((0, 0));
                view! {
                    <p class="loading" role="status" data-testid="backtest-running">
                        {if total > 0 { format!("Running the backtest in the worker: sweep cell {done} of {total}") } else { "Running the backtest in the worker…".to_string() }}
                    </p>
                    {(total > 0).then(|| view! {
                        <progress data-testid="sweep-progress" max=total.to_string() value=done.to_string()>{format!("{done} of {total}")}</progress>
                    })}
                }
            })}
        </div>
        {move || match result() {
            None => view! { <section class="panel skeleton" aria-busy="true"><div class="skeleton-block"></div></section> }.into_any(),
            Some(Err(message)) => view! {
                <section class="panel"><p class="error" role="alert" data-testid="backtest-error">{message}</p></section>
            }.into_any(),
            Some(Ok(answer)) => {
                let (ms, config) = shown.with_untracked(|s| s.as_ref().map(|s| (s.compute_ms, s.config.clone())).unwrap_or_default());
                let config_json = serde_json::to_string_pretty(&config).unwrap_or_default();
                view! { <Results answer=answer config_json=config_json compute_ms=ms update=update /> }.into_any()
            }
        }}
    }
}

/// A backtest result on screen.
#[derive(Clone)]
struct Shown {
    key: String,
    result: Result<Arc<BacktestAnswer>, String>,
    config: tideline_core::backtest::BacktestConfig,
    compute_ms: Option<f64>,
}

/// The answer of the page: the first strategy's comparison with its first benchmark, in the
/// words of its verdict (which the interval alone decides).
fn headline(report: &BacktestReport) -> String {
    let Some(strategy) = report.strategies.first() else {
        return "No strategy could run on this data.".to_string();
    };
    match strategy.comparisons.first() {
        Some(c) => {
            let head = match c.verdict {
                Verdict::Beats => "beats",
                Verdict::Trails => "trails",
                Verdict::NoSignificantDifference => "is not measurably better or worse than",
            };
            format!(
                "{} {head} {} on the Sharpe ratio ({} weeks, 95% interval of the difference {}).",
                title(&strategy.name),
                lower_first(&title(&c.against)),
                c.weeks,
                interval(c.ci95, 2)
            )
        }
        None => format!("{}: no benchmark to compare with.", title(&strategy.name)),
    }
}

/// The settings of the backtest, all in the URL.
#[component]
fn Controls(update: impl Fn(Box<dyn FnOnce(&mut Settings)>) + Copy + Send + Sync + 'static) -> impl IntoView {
    let app = use_app();
    // Made once per change of the settings, not once per control that reads it.
    let config = Memo::new(move |_| app.settings.with(Settings::backtest_config));
    let strategies = Memo::new(move |_| config.with(|c| c.strategies.clone()));
    let has_kind = move |kind: &str| strategies.with(|s| s.iter().any(|x| kind_of(x) == kind));
    let toggle = move |kind: &'static str, on: bool| {
        let mut next: Vec<StrategySpec> = strategies.get_untracked();
        if on {
            if let Ok(mut spec) = StrategySpec::parse_list(kind) {
                next.append(&mut spec);
            }
        } else {
            next.retain(|s| kind_of(s) != kind);
        }
        update(Box::new(move |s| s.strategies = next));
    };
    // The rule builder: INDICATOR gt|lt THRESHOLD -> ASSET_TRUE else ASSET_FALSE.
    let indicator = RwSignal::new("VIX".to_string());
    let comparison = RwSignal::new("lt".to_string());
    let threshold = RwSignal::new("20".to_string());
    let asset_true = RwSignal::new("NASDAQ100".to_string());
    let asset_false = RwSignal::new("CASH".to_string());
    let rule_error = RwSignal::new(None::<String>);
    let series = Memo::new(move |_| {
        app.outcome.with(|o| {
            o.as_ref()
                .map(|(o, _)| o.dataset.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let add_rule = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = format!(
            "rule:{}:{}:{}:{}:{}",
            indicator.get_untracked().trim(),
            comparison.get_untracked(),
            threshold.get_untracked().trim(),
            asset_true.get_untracked().trim(),
            asset_false.get_untracked().trim()
        );
        match StrategySpec::parse_list(&text) {
            Ok(mut spec) => {
                rule_error.set(None);
                let mut next = strategies.get_untracked();
                if next.len() >= tideline_core::settings::MAX_STRATEGIES {
                    rule_error.set(Some(format!(
                        "At most {} strategies.",
                        tideline_core::settings::MAX_STRATEGIES
                    )));
                    return;
                }
                next.append(&mut spec);
                update(Box::new(move |s| s.strategies = next));
            }
            Err(e) => rule_error.set(Some(e.to_string())),
        }
    };
    let remove = move |index: usize| {
        let mut next = strategies.get_untracked();
        if index < next.len() {
            next.remove(index);
        }
        update(Box::new(move |s| s.strategies = next));
    };
    let start = move || app.settings.with(|s| s.backtest_start.map(|d| d.to_string()).unwrap_or_default());
    let cost = move |class: &'static str| move || config.with(|c| c.engine.costs.bps_of(class).to_string());
    let set_cost = move |class: &'static str, value: String| {
        if let Ok(v) = value.trim().parse::<f64>() {
            if (0.0..=500.0).contains(&v) {
                update(Box::new(move |s| {
                    s.costs.insert(class.to_string(), v);
                }));
            }
        }
    };
    // The sweep's axes: two different parameters; choosing one the other holds swaps them.
    let axes = move || app.settings.with(|s| s.sweep.unwrap_or(DEFAULT_SWEEP));
    let axis_options = move |slot: usize| {
        let chosen = axes()[slot];
        TimingParam::ALL
            .into_iter()
            .map(|p| view! { <option value=p.key() selected=p == chosen>{param_name(p)}</option> })
            .collect_view()
    };
    let set_axis = move |slot: usize, key: String| {
        let Some(param) = TimingParam::from_key(&key) else { return };
        let mut next = axes();
        if next[1 - slot] == param {
            next.swap(0, 1);
        } else {
            next[slot] = param;
        }
        update(Box::new(move |s| s.sweep = Some(next)));
    };
    let benchmarks =
        Memo::new(move |_| config.with(|c| c.benchmarks.iter().map(|b| b.name.clone()).collect::<Vec<_>>()));
    let has_bench = move |name: &str| benchmarks.with(|b| b.iter().any(|n| n == name));
    let toggle_bench = move |name: &'static str, on: bool| {
        let mut next = benchmarks.get_untracked();
        next.retain(|n| n != name);
        if on {
            next.push(name.to_string());
        }
        if next.is_empty() || next.len() > tideline_core::settings::MAX_BENCHMARKS {
            return;
        }
        update(Box::new(move |s| s.benchmarks = next));
    };
    view! {
        <section class="panel controls" aria-labelledby="bt-settings">
            <h2 id="bt-settings">"Settings"</h2>
            <fieldset class="picker">
                <legend>"Strategies"</legend>
                {KINDS.into_iter().map(|(kind, label)| view! {
                    <label class="pick">
                        <input type="checkbox" data-testid=format!("strategy-{kind}") prop:checked=move || has_kind(kind)
                            on:change=move |ev| toggle(kind, event_target_checked(&ev)) />
                        {label}
                    </label>
                }).collect_view()}
            </fieldset>
            <ul class="strategy-list" data-testid="strategy-list">
                {move || strategies.get().into_iter().enumerate().map(|(i, s)| view! {
                    <li>{title(&s.to_string())}" "<code class="spec">{s.to_string()}</code>" "
                        <button type="button" class="link-button" on:click=move |_| remove(i)
                            aria-label=format!("Remove {}", title(&s.to_string()))>"Remove"</button></li>
                }).collect_view()}
            </ul>
            <form class="rule-builder" on:submit=add_rule aria-labelledby="rule-title">
                <h3 id="rule-title">"Rule builder"</h3>
                <p class="definition">"Each Friday: hold the first asset while the indicator's last published value is beyond the threshold, else the second. Any loaded series, uploads included."</p>
                <datalist id="rule-series">
                    {move || series.get().into_iter().map(|id| view! { <option value=id></option> }).collect_view()}
                </datalist>
                <label>"Indicator "<input id="rule-indicator" list="rule-series" size="12" prop:value=move || indicator.get() on:input=move |ev| indicator.set(event_target_value(&ev)) /></label>
                <label>" is "<select id="rule-comparison" on:change=move |ev| comparison.set(event_target_value(&ev))>
                    <option value="lt" selected=true>"below"</option>
                    <option value="gt">"above"</option>
                </select></label>
                <label>" "<input id="rule-threshold" size="6" inputmode="decimal" aria-label="Threshold" prop:value=move || threshold.get() on:input=move |ev| threshold.set(event_target_value(&ev)) /></label>
                <label>": hold "<input id="rule-true" list="rule-series" size="12" prop:value=move || asset_true.get() on:input=move |ev| asset_true.set(event_target_value(&ev)) /></label>
                <label>", else "<input id="rule-false" list="rule-series" size="12" prop:value=move || asset_false.get() on:input=move |ev| asset_false.set(event_target_value(&ev)) /></label>
                " "<button type="submit" class="button">"Add rule"</button>
                {move || rule_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </form>
            <div class="inline-fields">
                <label>"Start no earlier than "
                    <input type="date" id="bt-start" prop:value=start
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let d = Date::parse_iso(&v);
                            update(Box::new(move |s| s.backtest_start = d));
                        } />
                </label>
            </div>
            <fieldset class="picker costs">
                <legend>"Trading costs per trade, basis points of the amount traded"</legend>
                {COST_CLASSES.into_iter().map(|class| view! {
                    <label>{format!("{class} ")}
                        <input type="number" id=format!("cost-{class}") min="0" max="500" step="1" prop:value=cost(class)
                            on:change=move |ev| set_cost(class, event_target_value(&ev)) />
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="picker benchmarks">
                <legend>"Benchmarks"</legend>
                {BENCHMARKS.into_iter().map(|name| view! {
                    <label class="pick">
                        <input type="checkbox" data-testid=format!("bench-{name}") prop:checked=move || has_bench(name)
                            on:change=move |ev| toggle_bench(name, event_target_checked(&ev)) />
                        {title(name)}
                    </label>
                }).collect_view()}
            </fieldset>
            <div class="inline-fields">
                <label class="pick">
                    <input type="checkbox" data-testid="run-sweep" prop:checked=move || app.settings.with(|s| s.sweep.is_some())
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            update(Box::new(move |s| s.sweep = on.then_some(s.sweep.unwrap_or(DEFAULT_SWEEP))))
                        } />
                    "Parameter sweep of the timing strategy"
                </label>
                <label>"rows "
                    <select id="sweep-rows" on:change=move |ev| set_axis(0, event_target_value(&ev))>
                        {move || axis_options(0)}
                    </select>
                </label>
                <label>"× columns "
                    <select id="sweep-cols" on:change=move |ev| set_axis(1, event_target_value(&ev))>
                        {move || axis_options(1)}
                    </select>
                </label>
                <label class="pick">
                    <input type="checkbox" data-testid="run-wf" prop:checked=move || app.settings.with(|s| s.walk_forward)
                        on:change=move |ev| { let on = event_target_checked(&ev); update(Box::new(move |s| s.walk_forward = on)) } />
                    "Walk-forward (chosen in sample, traded out of sample)"
                </label>
            </div>
        </section>
    }
}

/// Every figure of one backtest report.
#[component]
fn Results(
    answer: Arc<BacktestAnswer>,
    config_json: String,
    compute_ms: Option<f64>,
    update: impl Fn(Box<dyn FnOnce(&mut Settings)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let report = &answer.report;
    let window = format!(
        "{} to {} ({} weeks), as of {}",
        report.window.start.map_or("?".to_string(), |d| d.to_string()),
        report.window.end.map_or("?".to_string(), |d| d.to_string()),
        report.window.weeks,
        report.as_of
    );
    let as_of = report.as_of;
    let shared = StoredValue::new(answer.clone());
    let export_json = move |_| {
        shared
            .with_value(|a| download(&a.json, "application/json", &format!("tideline-backtest-{as_of}.json")))
    };
    let export_config =
        move |_| download(&config_json, "application/json", "tideline-backtest-settings.json");
    let runs: Vec<RunReport> = report
        .strategies
        .iter()
        .cloned()
        .chain(report.strategies.iter().filter_map(|s| s.static_mix.as_ref().map(|m| m.run.clone())))
        .chain(report.benchmarks.iter().cloned())
        .collect();
    let notes = report.notes.clone();
    let skipped = report.skipped.clone();
    // The sections below the comparisons mount one per task (and their charts draw one per
    // task after them), so that no single task of the main thread draws the whole page.
    let stage = RwSignal::new(0u8);
    for k in 1..=6u8 {
        crate::components::later::in_own_task(move || {
            let _ = stage.try_set(k); // the result may have been replaced meanwhile
        });
    }
    let at_least = move |k: u8| Memo::new(move |_| stage.get() >= k);
    let (compare_shown, curves_shown, risk_shown) = (at_least(1), at_least(2), at_least(3));
    let (years_shown, sweep_shown, wf_shown) = (at_least(4), at_least(5), at_least(6));
    view! {
        <section class="panel" aria-labelledby="bt-metrics">
            <h2 id="bt-metrics">"Metrics"</h2>
            <p class="definition">{format!(
                "Weekly, decided on each Friday's published data and traded at the next week's prices, net of costs; window {window}. \
                 Returns are simple and annualised over 52 weeks; Sharpe over cash (fed funds accrual).{}",
                compute_ms.map_or(String::new(), |ms| format!(" Computed in the worker in {ms:.0} ms."))
            )}</p>
            <MetricsTable runs=runs />
            <div class="table-tools">
                <button type="button" class="button" on:click=export_json data-testid="export-backtest">"Report (JSON)"</button>
                <button type="button" class="button" on:click=export_config>"Settings for tideline backtest --config"</button>
            </div>
            {(!notes.is_empty() || !skipped.is_empty()).then(|| view! {
                <ul class="notes" data-testid="backtest-notes">
                    {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                    {skipped.into_iter().map(|s| view! { <li>{format!("{} not run: {}", s.name, s.reason)}</li> }).collect_view()}
                </ul>
            })}
        </section>
        {move || compare_shown.get().then(|| shared.with_value(|a| view! { <Comparisons report=a.report.clone() /> }))}
        {move || curves_shown.get().then(|| shared.with_value(|a| curves_section(a)))}
        {move || risk_shown.get().then(|| shared.with_value(|a| risk_section(a)))}
        {move || years_shown.get().then(|| shared.with_value(|a| {
            let report = &a.report;
            view! { <CalendarYears runs=report.strategies.iter().cloned().chain(report.benchmarks.iter().cloned()).collect() /> }
        }))}
        {move || sweep_shown.get().then(|| shared.with_value(|a| {
            a.report.sweep.clone().map(|sweep| view! { <SweepPanel sweep=sweep update=update /> })
        }))}
        {move || wf_shown.get().then(|| shared.with_value(|a| {
            a.report.walk_forward.clone().map(|wf| view! { <WalkForwardPanel wf=wf curves=a.curves.clone() /> })
        }))}
    }
}

/// Each strategy's equity curve against the benchmarks, on one chart per strategy.
fn curves_section(answer: &BacktestAnswer) -> impl IntoView {
    let report = &answer.report;
    let equity = |key: String| {
        RunCurves::find(&answer.curves, &key).map_or_else(Vec::new, |c| c.points(&c.equity, 1.0))
    };
    let positive = |points: Vec<(Date, f64)>| points.into_iter().filter(|p| p.1 > 0.0).collect::<Vec<_>>();
    let charts = report
        .strategies
        .iter()
        .map(|run| {
            let mine = positive(equity(RunCurves::strategy(&run.name)));
            // A benchmark held from a later first price starts on the strategy's curve.
            let benchmarks: Vec<(String, Vec<(Date, f64)>)> = report
                .benchmarks
                .iter()
                .map(|b| {
                    let points = positive(equity(RunCurves::benchmark(&b.name)));
                    (title(&b.name), rebased_onto(&points, &mine))
                })
                .collect();
            (run.clone(), mine, benchmarks)
        })
        .collect::<Vec<_>>();
    view! {
        <section class="panel" aria-labelledby="bt-curves">
            <h2 id="bt-curves">"Equity curves"</h2>
            <p class="definition">
                "Growth of 1 invested at the start, net of costs, on a log scale: each strategy against the benchmarks. "
                "A benchmark whose assets are priced later than the window's start is held from its first price and drawn from the strategy's value on that week."
            </p>
            {charts.into_iter().map(|(run, points, benchmarks)| {
                let name = title(&run.name);
                let label = format!("{name} against the benchmarks: growth of 1, net of costs");
                view! {
                    <h3 class="chart-title" title=run.label.clone()>{name.clone()}</h3>
                    <LineChart points=points unit="× initial (log)" label=label id=run.name.clone() log=true
                        name=name more=benchmarks />
                }
            }).collect_view()}
        </section>
    }
}

/// Each strategy's drawdown (against the benchmarks') and exposure over time.
fn risk_section(answer: &BacktestAnswer) -> impl IntoView {
    let report = &answer.report;
    let drawdowns = |key: String| {
        RunCurves::find(&answer.curves, &key).map_or_else(Vec::new, |c| c.points(&c.drawdown, 100.0))
    };
    view! {
        <section class="panel" aria-labelledby="bt-risk">
            <h2 id="bt-risk">"Drawdowns and exposure"</h2>
            <p class="definition">
                "Drawdown: the fall from the highest equity so far, in %, beside each benchmark's from its own start. Exposure: the share of the portfolio not in cash each week, in %, as decided on the Friday before."
            </p>
            {report.strategies.iter().map(|run| {
                let name = title(&run.name);
                let curves = RunCurves::find(&answer.curves, &RunCurves::strategy(&run.name));
                let drawdown = curves.map_or_else(Vec::new, |c| c.points(&c.drawdown, 100.0));
                let exposure = curves.map_or_else(Vec::new, |c| c.points(&c.exposure, 100.0));
                let benchmarks: Vec<(String, Vec<(Date, f64)>)> = report
                    .benchmarks
                    .iter()
                    .map(|b| (title(&b.name), drawdowns(RunCurves::benchmark(&b.name))))
                    .collect();
                view! {
                    <h3 class="chart-title">{format!("{name}: drawdown")}</h3>
                    <LineChart points=drawdown unit="% below peak" label=format!("{name}: drawdown against the benchmarks, %")
                        id=format!("{}_drawdown", run.name) name=name.clone() more=benchmarks />
                    <h3 class="chart-title">{format!("{name}: exposure")}</h3>
                    <LineChart points=exposure unit="% not in cash" label=format!("{name}: share not in cash, %")
                        id=format!("{}_exposure", run.name) area=true />
                }
            }).collect_view()}
        </section>
    }
}

/// The sweep cell (row, column) an event of the heatmap happened on: its target's `data-row` and
/// `data-col` (the `<rect>` itself, or its `<title>`).
fn cell_of(ev: &leptos::ev::Event) -> Option<(usize, usize)> {
    use wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let rect = target.closest("rect.cell").ok()??;
    let number = |name: &str| rect.get_attribute(name)?.parse::<usize>().ok();
    Some((number("data-row")?, number("data-col")?))
}

/// Each run's return in each calendar year (net of costs), beside cash's.
#[component]
fn CalendarYears(runs: Vec<RunReport>) -> impl IntoView {
    let mut years: Vec<i32> =
        runs.iter().flat_map(|r| r.metrics.calendar_years.iter().map(|y| y.year)).collect();
    years.sort_unstable();
    years.dedup();
    let headers: Vec<String> =
        std::iter::once("year".to_string()).chain(runs.iter().map(|r| title(&r.name))).collect();
    let rows: Vec<Vec<String>> = years
        .iter()
        .map(|year| {
            std::iter::once(year.to_string())
                .chain(runs.iter().map(|r| {
                    r.metrics.calendar_years.iter().find(|y| y.year == *year).map_or("–".to_string(), |y| {
                        let partial = if y.weeks < 50 { format!(" ({} wk)", y.weeks) } else { String::new() };
                        format!("{}{partial}", pct(Some(y.portfolio_return), 1))
                    })
                }))
                .collect()
        })
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let csv = csv_of_table(&header_refs, &rows);
    let export = move |_| download(&csv, "text/csv", "tideline-backtest-calendar-years.csv");
    view! {
        <section class="panel" aria-labelledby="bt-years">
            <h2 id="bt-years">"Calendar-year returns"</h2>
            <p class="definition">"Each run's compounded net return in each calendar year, in %; a year the window covers only in part says how many weeks."</p>
            <div class="table-wrap">
            <table class="data" data-testid="calendar-years">
                <caption>"Return by calendar year, %"</caption>
                <thead><tr>{headers.iter().enumerate().map(|(i, h)| {
                    let num = i > 0;
                    view! { <th scope="col" class:num=num>{h.clone()}</th> }
                }).collect_view()}</tr></thead>
                <tbody>{rows.into_iter().map(|row| view! {
                    <tr>{row.into_iter().enumerate().map(|(i, cell)| if i == 0 {
                        view! { <th scope="row">{cell}</th> }.into_any()
                    } else {
                        view! { <td class="num">{cell}</td> }.into_any()
                    }).collect_view()}</tr>
                }).collect_view()}</tbody>
            </table>
            </div>
            <div class="table-tools"><button type="button" class="button" on:click=export>"CSV"</button></div>
        </section>
    }
}

/// A percentage with its sign, or a dash.
fn pct(v: Option<f64>, decimals: usize) -> String {
    signed(v.map(|v| 100.0 * v), decimals)
}

/// The metrics of MODEL.md 7, one row per run, with a CSV export.
#[component]
fn MetricsTable(runs: Vec<RunReport>) -> impl IntoView {
    const HEADERS: [&str; 12] = [
        "run",
        "start",
        "weeks",
        "total return %",
        "CAGR %",
        "volatility %",
        "Sharpe",
        "Sortino",
        "max drawdown %",
        "longest drawdown (weeks)",
        "turnover (per year)",
        "exposure %",
    ];
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let m = &r.metrics;
            // The short title; the full sentence (a static mix's lists its weights) on hover.
            vec![
                title(&r.name),
                r.start.map_or("–".to_string(), |d| d.to_string()),
                m.weeks.to_string(),
                pct(m.total_return, 1),
                pct(m.cagr, 1),
                m.volatility.map_or("–".to_string(), |v| format!("{:.1}", 100.0 * v)),
                signed(m.sharpe, 2),
                signed(m.sortino, 2),
                pct(m.max_drawdown, 1),
                m.longest_drawdown_weeks.to_string(),
                m.turnover.map_or("–".to_string(), |v| format!("{v:.2}")),
                m.exposure.map_or("–".to_string(), |v| format!("{:.0}", 100.0 * v)),
            ]
        })
        .collect();
    let csv = csv_of_table(&HEADERS, &rows);
    let export = move |_| download(&csv, "text/csv", "tideline-backtest-metrics.csv");
    view! {
        <div class="table-wrap">
        <table class="data" data-testid="metrics">
            <caption>"Strategies, their static mixes, and the benchmarks"</caption>
            <thead><tr>{HEADERS.iter().enumerate().map(|(i, h)| {
                let num = i > 1;
                view! { <th scope="col" class:num=num>{h.to_string()}</th> }
            }).collect_view()}</tr></thead>
            <tbody>
                {runs.iter().zip(rows).map(|(run, row)| view! {
                    <tr data-run=run.name.clone()>
                        {row.into_iter().enumerate().map(|(i, cell)| {
                            let num = i > 1;
                            if i == 0 {
                                view! { <th scope="row" title=run.label.clone()>{cell}</th> }.into_any()
                            } else {
                                view! { <td class:num=num>{cell}</td> }.into_any()
                            }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <div class="table-tools"><button type="button" class="button" on:click=export>"CSV"</button></div>
    }
}

/// Each strategy against each benchmark and its own static mix: the Sharpe difference, its
/// Jobson-Korkie-Memmel interval, and the verdict it supports.
#[component]
fn Comparisons(report: BacktestReport) -> impl IntoView {
    const HEADERS: [&str; 7] =
        ["strategy", "against", "weeks", "Sharpe", "other's Sharpe", "difference [95% interval]", "verdict"];
    let rows: Vec<Vec<String>> = report
        .strategies
        .iter()
        .flat_map(|s| {
            s.comparisons.iter().map(move |c| {
                vec![
                    title(&s.name),
                    title(&c.against),
                    c.weeks.to_string(),
                    signed(c.sharpe_strategy, 2),
                    signed(c.sharpe_other, 2),
                    format!("{} {}", signed(c.difference, 2), interval(c.ci95, 2)),
                    match c.verdict {
                        Verdict::Beats => "beats",
                        Verdict::Trails => "trails",
                        Verdict::NoSignificantDifference => "no significant difference",
                    }
                    .to_string(),
                ]
            })
        })
        .collect();
    let csv = csv_of_table(&HEADERS, &rows);
    let export = move |_| download(&csv, "text/csv", "tideline-backtest-comparisons.csv");
    let mixes: Vec<(String, String)> = report
        .strategies
        .iter()
        .filter_map(|s| {
            let mix = s.static_mix.as_ref()?;
            let weights = mix.weights.iter().filter(|(_, w)| w.abs() > 1e-9).map(|(a, w)| {
                format!(
                    "{} {:.0}%",
                    CATALOG.with(|c| tideline_core::backtest::strategy::asset_name(a, c)),
                    100.0 * w
                )
            });
            Some((title(&format!("static:{}", s.name)), weights.collect::<Vec<_>>().join(", ")))
        })
        .collect();
    view! {
        <section class="panel" aria-labelledby="bt-compare">
            <h2 id="bt-compare">"Does the timing add anything?"</h2>
            <p class="definition">
                "Each strategy against each benchmark and against its static mix (its own average weights, held throughout): "
                "the difference of annualised Sharpe ratios on the weeks both hold, with its 95% interval (Jobson-Korkie with Memmel's correction). "
                "\"Beats\" or \"trails\" only when the interval excludes 0."
            </p>
            <div class="table-wrap">
            <table class="data grouped" data-testid="comparisons">
                <caption>"Sharpe differences with their intervals"</caption>
                <thead><tr>{HEADERS.iter().enumerate().map(|(i, h)| {
                    let num = (2..6).contains(&i);
                    view! { <th scope="col" class:num=num>{h.to_string()}</th> }
                }).collect_view()}</tr></thead>
                <tbody>{rows.iter().enumerate().map(|(k, row)| {
                    let (beats, trails) = (row[6] == "beats", row[6] == "trails");
                    // The strategy's name once, over all its rows.
                    let first = k == 0 || rows[k - 1][0] != row[0];
                    let span = rows[k..].iter().take_while(|r| r[0] == row[0]).count();
                    view! {
                        <tr class:verdict-beats=beats class:verdict-trails=trails class:first-of-asset=first>
                            {row.iter().cloned().enumerate().map(|(i, cell)| {
                                let num = (2..6).contains(&i);
                                if i == 0 {
                                    first.then(|| view! { <th scope="rowgroup" rowspan=span>{cell}</th> }).into_any()
                                } else {
                                    view! { <td class:num=num>{cell}</td> }.into_any()
                                }
                            }).collect_view()}
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
            </div>
            <div class="table-tools"><button type="button" class="button" on:click=export>"CSV"</button></div>
            <ul class="notes">{mixes.into_iter().map(|(name, w)| view! { <li>{format!("{name}: {w}")}</li> }).collect_view()}</ul>
        </section>
    }
}

/// The name of a swept parameter, with its unit.
fn param_name(p: TimingParam) -> &'static str {
    match p {
        TimingParam::LookbackWeeks => "impulse lookback (weeks)",
        TimingParam::ThresholdPct => "impulse threshold (%)",
        TimingParam::RiskFloor => "risk-appetite floor",
    }
}

/// The sweep: Sharpe over the grid as a heatmap centred on the benchmark's Sharpe (blue above,
/// orange below), the share of cells that beat it and the median; a cell's button runs that
/// cell as the timing strategy.
#[component]
fn SweepPanel(
    sweep: SweepReport,
    update: impl Fn(Box<dyn FnOnce(&mut Settings)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    const CELL_H: f64 = 16.0;
    const LEFT: f64 = 70.0;
    const TOP: f64 = 8.0;
    let rows = sweep.rows.values.len();
    let cols = sweep.cols.values.len();
    // The grid fits about 900 px: narrower cells for more columns (never below 14 px).
    let cell_w = (900.0 / cols.max(1) as f64).clamp(14.0, 34.0);
    let values: Vec<Vec<f64>> =
        sweep.sharpe.iter().map(|r| r.iter().map(|v| v.unwrap_or(f64::NAN)).collect()).collect();
    let mid = sweep.benchmark_sharpe.unwrap_or(0.0);
    let finite: Vec<f64> = values.iter().flatten().copied().filter(|v| v.is_finite()).collect();
    let spread = finite.iter().map(|v| (v - mid).abs()).fold(0.1, f64::max);
    // Blue above the benchmark's Sharpe (better), orange below.
    let scale = DivergingScale::new(mid - spread, mid, mid + spread).higher_is_supportive();
    let plot = Rect::new(LEFT, TOP, cell_w * cols as f64, CELL_H * rows as f64);
    let cells = heatmap(&values, plot, &scale, 2);
    let legend = scale.legend(5, 2);
    let width = LEFT + plot.width + 8.0;
    let height = TOP + plot.height + 34.0;
    let (row_param, col_param) = (sweep.rows.param, sweep.cols.param);
    let base = sweep.base.clone();
    let row_values = sweep.rows.values.clone();
    let col_values = sweep.cols.values.clone();
    let pick = Callback::new(move |(row, col): (usize, usize)| {
        let (Some(r), Some(c)) = (row_values.get(row), col_values.get(col)) else { return };
        let params = col_param.apply(&row_param.apply(&base, *r), *c);
        update(Box::new(move |s| {
            s.strategies = vec![StrategySpec::LiquidityTiming(params)];
            s.sweep = None;
        }));
    });
    let summary = format!(
        "{} of {} cells beat {} (Sharpe {}): {}; median Sharpe {}.",
        sweep.cells_beating,
        sweep.cells,
        sweep.benchmark,
        signed(sweep.benchmark_sharpe, 2),
        sweep.share_beating.map_or("undefined".to_string(), |s| format!("{:.0}%", 100.0 * s)),
        signed(sweep.median_sharpe, 2),
    );
    let row_labels: Vec<_> = sweep
        .rows
        .values
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 4 == 0)
        .map(|(i, v)| (TOP + (i as f64 + 0.7) * CELL_H, format!("{v}")))
        .collect();
    let col_labels: Vec<_> = sweep
        .cols
        .values
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 4 == 0)
        .map(|(i, v)| (LEFT + (i as f64 + 0.5) * cell_w, format!("{v}")))
        .collect();
    let (rname, cname) = (param_name(row_param), param_name(col_param));
    let (label_x, col_label_y, unit_y) = (LEFT - 4.0, TOP + plot.height + 12.0, TOP + plot.height + 28.0);
    view! {
        <section class="panel" aria-labelledby="bt-sweep">
            <h2 id="bt-sweep">"Sweep: is the result robust to its parameters?"</h2>
            <p class="headline" data-testid="sweep-summary">{summary}</p>
            <p class="definition">{format!(
                "The timing strategy's Sharpe ratio for each {rname} (rows) and {cname} (columns), on one common window. \
                 Blue cells beat the benchmark, orange ones trail it; the share of the grid that beats it, not the best cell, is the honest figure. \
                 Choose a cell to run it as the strategy."
            )}</p>
            <div class="table-wrap">
            // One listener for the grid, not two per cell: 441 cells' listeners cost more to add
            // and to remove than the rest of the page. The cell is its `data-row`/`data-col`.
            <svg class="heatmap" data-testid="sweep-heatmap" role="img" width=width height=height viewBox=format!("0 0 {width} {height}")
                aria-label=format!("Sharpe ratio over {rname} and {cname}")
                on:click=move |ev| { if let Some(cell) = cell_of(&ev) { pick.run(cell) } }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" || ev.key() == " " {
                        if let Some(cell) = cell_of(&ev) {
                            ev.prevent_default();
                            pick.run(cell);
                        }
                    }
                }>
                {cells.into_iter().map(|c| {
                    let (row, col) = (c.row, c.col);
                    let title = format!("{rname} {}, {cname} {}: Sharpe {}",
                        sweep.rows.values.get(row).copied().unwrap_or(f64::NAN),
                        sweep.cols.values.get(col).copied().unwrap_or(f64::NAN), c.text);
                    let (w, h) = (c.rect.width - 1.0, c.rect.height - 1.0);
                    view! {
                        <rect class="cell" data-row=row data-col=col x=c.rect.x y=c.rect.y width=w height=h
                            fill=c.fill tabindex="0" role="button">
                            // Its name for a screen reader and its tooltip.
                            <title>{title}</title>
                        </rect>
                    }
                }).collect_view()}
                {row_labels.into_iter().map(|(y, t)| view! { <text x=label_x y=y text-anchor="end">{t}</text> }).collect_view()}
                {col_labels.into_iter().map(|(x, t)| view! { <text x=x y=col_label_y text-anchor="middle">{t}</text> }).collect_view()}
                <text class="axis-unit" x=LEFT y=unit_y>{format!("{cname} →")}</text>
            </svg>
            </div>
            <p class="heat-legend" data-testid="sweep-legend">
                <span>{format!("Rows: {rname}. Sharpe:")}</span>
                {legend.into_iter().map(|stop| view! {
                    <span><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill=stop.colour></rect></svg>" "{stop.label}</span>
                }).collect_view()}
                <span>{format!("(middle: {}'s Sharpe)", sweep.benchmark)}</span>
            </p>
        </section>
    }
}

/// The walk-forward: each fold's windows and chosen parameters, in-sample against out-of-sample
/// Sharpe, and the stitched out-of-sample run against the benchmark on the same weeks.
#[component]
fn WalkForwardPanel(wf: WalkForwardReport, curves: Vec<RunCurves>) -> impl IntoView {
    let span = |s: &tideline_core::backtest::Span| {
        format!(
            "{} to {}",
            s.start.map_or("?".to_string(), |d| d.to_string()),
            s.end.map_or("?".to_string(), |d| d.to_string())
        )
    };
    let oos = wf.out_of_sample.clone();
    let bench = wf.benchmark.clone();
    let summary = format!(
        "Out of sample: Sharpe {} against {} for {} on the same {} weeks; in sample the chosen cells averaged {} (optimistic by construction).",
        signed(oos.metrics.sharpe, 2),
        signed(bench.metrics.sharpe, 2),
        bench.label,
        oos.metrics.weeks,
        signed(wf.in_sample_mean_sharpe, 2)
    );
    let equity = |key: &str| -> Vec<(Date, f64)> {
        RunCurves::find(&curves, key)
            .map_or_else(Vec::new, |c| c.points(&c.equity, 1.0))
            .into_iter()
            .filter(|p| p.1 > 0.0)
            .collect()
    };
    let oos_points = equity(RunCurves::WALK_FORWARD);
    let bench_points = equity(RunCurves::WALK_FORWARD_BENCHMARK);
    view! {
        <section class="panel" aria-labelledby="bt-wf">
            <h2 id="bt-wf">"Walk-forward: chosen in sample, traded out of sample"</h2>
            <p class="headline" data-testid="wf-summary">{summary}</p>
            <p class="definition">{format!(
                "Each fold picks the sweep's best cell on {} weeks in sample, then trades it on the next {} weeks; only the out-of-sample weeks count.",
                wf.in_sample_weeks, wf.out_of_sample_weeks
            )}</p>
            <WalkForwardTimeline wf=wf.clone() />
            <div class="table-wrap">
            <table class="data" data-testid="wf-folds">
                <caption>"Folds"</caption>
                <thead><tr>
                    <th scope="col">"In sample"</th><th scope="col">"Out of sample"</th><th scope="col">"Chosen (lookback, threshold, risk floor)"</th>
                    <th scope="col" class="num">"Sharpe in"</th><th scope="col" class="num">"Sharpe out"</th><th scope="col" class="num">"Return out %"</th>
                </tr></thead>
                <tbody>{wf.folds.iter().map(|f| view! {
                    <tr>
                        <td>{span(&f.in_sample)}</td><td>{span(&f.out_of_sample)}</td>
                        <td>{format!("{} weeks, {}%, floor {}", f.chosen.lookback_weeks, f.chosen.threshold_pct, f.chosen.risk_floor)}</td>
                        <td class="num">{signed(f.in_sample_sharpe, 2)}</td>
                        <td class="num">{signed(f.out_of_sample_sharpe, 2)}</td>
                        <td class="num">{pct(f.out_of_sample_return, 1)}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            </div>
            <h3 class="chart-title">"Stitched out-of-sample run"</h3>
            <LineChart points=oos_points unit="× initial (log)" label="Walk-forward out of sample: growth of 1" id="walk_forward" log=true />
            <h3 class="chart-title">{format!("{} on the same weeks", bench.label)}</h3>
            <LineChart points=bench_points unit="× initial (log)" label=format!("{}: growth of 1, same weeks", bench.label) id="walk_forward_benchmark" log=true />
        </section>
    }
}

/// The folds on one time axis: each fold a row, its in-sample window grey and its out-of-sample
/// window in the accent colour, the years marked below.
#[component]
fn WalkForwardTimeline(wf: WalkForwardReport) -> impl IntoView {
    const ROW: f64 = 9.0;
    const LEFT: f64 = 8.0;
    const WIDTH: f64 = 760.0;
    let days = |d: Option<Date>| d.map(|d| f64::from(d.days()));
    let first = wf.folds.iter().filter_map(|f| days(f.in_sample.start)).fold(f64::INFINITY, f64::min);
    let last = wf.folds.iter().filter_map(|f| days(f.out_of_sample.end)).fold(f64::NEG_INFINITY, f64::max);
    if !(first.is_finite() && last.is_finite() && last > first) {
        return None;
    }
    let x = LinearScale::new(first, last, LEFT, WIDTH - LEFT);
    let height = ROW * wf.folds.len() as f64 + 22.0;
    let bar = |span: &tideline_core::backtest::Span| {
        let (a, b) = (days(span.start)?, days(span.end)?);
        Some((x.map(a), (x.map(b) - x.map(a)).max(1.0)))
    };
    let rows = wf
        .folds
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let y = ROW * i as f64;
            let is = bar(&f.in_sample)
                .map(|(x0, w)| view! { <rect class="wf-in" x=x0 y=y width=w height=ROW - 2.0></rect> });
            let oos = bar(&f.out_of_sample)
                .map(|(x0, w)| view! { <rect class="wf-out" x=x0 y=y width=w height=ROW - 2.0></rect> });
            view! { <g>{is}{oos}</g> }
        })
        .collect_view();
    let first_year = Date::from_days(first as i32).year();
    let last_year = Date::from_days(last as i32).year();
    let step = ((last_year - first_year) / 8).max(1);
    let ticks = (first_year + 1..=last_year)
        .filter(|y| (y - first_year) % step == 0)
        .filter_map(|y| Date::from_ymd(y, 1, 1))
        .map(|d| {
            let px = x.map(f64::from(d.days()));
            let y = height - 4.0;
            view! { <text x=px y=y text-anchor="middle">{d.year().to_string()}</text> }
        })
        .collect_view();
    Some(view! {
        <div class="table-wrap">
        <svg class="wf-timeline" data-testid="wf-timeline" role="img" width=WIDTH height=height viewBox=format!("0 0 {WIDTH} {height}")
            aria-label=format!("{} folds: in-sample windows in grey, out-of-sample windows in colour", wf.folds.len())>
            {rows}
            {ticks}
        </svg>
        </div>
        <p class="band-legend"><span><span class="swatch wf-in"></span>"in sample (parameters chosen)"</span><span><span class="swatch wf-out"></span>"out of sample (traded)"</span></p>
    })
}
