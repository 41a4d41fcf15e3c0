//! The root component: loads the data, runs the model in the core, shows the overview.

use leptos::prelude::*;
use tideline_core::catalog::Catalog;
use tideline_core::chart::format_thousands;
use tideline_core::manifest::Manifest;
use tideline_core::model::flows::{FlowInputs, TableKind};
use tideline_core::report::{analyze_timed, Detail, JsonStyle, ModelConfig, Report};
use tideline_core::Date;
use wasm_bindgen::JsCast;

use crate::components::overview::ChainOverview;
use crate::components::series_status::SeriesStatus;
use crate::components::upload::tables_with_uploads;
use crate::components::{BeyondTheFed, LineChart, SeriesStatusTable, UploadPanel};
use crate::feeds::cache::StoredUpload;
use crate::feeds::fetch_text;
use crate::feeds::loader::{load_cached, load_series, LoadOptions, LoadOutcome};
use crate::perf::{self, now_ms};
use crate::state::UrlState;

/// The mirror folder, relative to the page (same origin: FRED sends no CORS headers).
const DATA_DIR: &str = "data";

/// What the page shows when the model cannot run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ViewError {
    /// What is wrong and what to do.
    pub message: String,
    /// The per-series statuses gathered so far.
    pub statuses: Vec<SeriesStatus>,
}

/// The mirror's manifest, when the folder has one.
async fn load_manifest() -> Option<Manifest> {
    let text = fetch_text(&format!("{DATA_DIR}/manifest.json")).await.ok()?;
    Manifest::from_json(&text).ok()
}

/// The series to ask for: those the manifest lists, or the whole catalog when the folder has no
/// manifest (a folder filled by hand).
fn series_to_load(catalog: &Catalog, manifest: Option<&Manifest>) -> Vec<String> {
    match manifest.map(Manifest::available_ids) {
        Some(ids) if !ids.is_empty() => ids.into_iter().map(str::to_string).collect(),
        _ => catalog.series.iter().map(|e| e.id.clone()).collect(),
    }
}

/// The data of the mirror folder: every available series (cache, then mirror) through the data
/// layer, and the table inputs.
pub async fn load_data() -> (LoadOutcome, FlowInputs) {
    let catalog = Catalog::builtin();
    let manifest = load_manifest().await;
    let ids = series_to_load(&catalog, manifest.as_ref());
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let outcome = load_series(&ids, &LoadOptions::default()).await;
    (outcome, load_tables(manifest.as_ref()).await)
}

/// The table inputs of the mirror folder (the spot-ETF flow table, the treasury-company sheet):
/// those the manifest lists as present, or, without a manifest (a folder filled by hand), each
/// kind's file name tried directly. A table that fails to load or parse is left out (its error is
/// logged to the console); the model runs without it.
async fn load_tables(manifest: Option<&Manifest>) -> FlowInputs {
    let names: Vec<String> = match manifest {
        Some(m) => m.tables.iter().filter(|t| t.sha256.is_some()).map(|t| t.id.clone()).collect(),
        None => TableKind::ALL.iter().map(|k| k.file_name().to_string()).collect(),
    };
    let mut inputs = FlowInputs::default();
    for name in names {
        let Some(kind) = TableKind::of_file_name(&name) else { continue };
        if let Ok(body) = fetch_text(&format!("{DATA_DIR}/{name}")).await {
            if let Err(e) = kind.load_into(&mut inputs, &name, &body) {
                leptos::logging::warn!("{e}");
            }
        }
    }
    inputs
}

/// The copies saved in this browser, for an instant first draw (no network); `None` when the cache
/// holds nothing usable.
pub async fn load_saved() -> Option<LoadOutcome> {
    let catalog = Catalog::builtin();
    let ids: Vec<&str> = catalog.series.iter().map(|e| e.id.as_str()).collect();
    let outcome = load_cached(&ids, &LoadOptions::default()).await;
    let usable = outcome.dataset.iter().next().is_some();
    usable.then_some(outcome)
}

/// Runs the model on the loaded data; the result with the time it took, lean (the detail
/// `tideline analyze` writes by default): the page draws only what the lean report keeps, and
/// exports it as it is.
pub fn run_model(
    outcome: &LoadOutcome,
    tables: &FlowInputs,
    as_of: Option<Date>,
) -> Result<Report, ViewError> {
    let config = ModelConfig { as_of, ..ModelConfig::default() };
    let started = now_ms();
    perf::mark("tideline:model-start");
    let clock = now_ms;
    let result = analyze_timed(&outcome.dataset, &config, tables, Some(&clock));
    perf::mark("tideline:model-end");
    perf::measure("tideline:model", "tideline:model-start", "tideline:model-end");
    let mut report = result.map_err(|e| ViewError {
        message: format!(
            "{e}. Fill the data folder with `tideline mirror --out <site>/data` (see the README)."
        ),
        statuses: outcome.statuses.clone(),
    })?;
    report.timing.model_ms = now_ms() - started;
    perf::set_sections(&report.timing.sections);
    let report = report.with_detail(Detail::default());
    if report.net_liquidity.latest.is_none() {
        return Err(ViewError {
            message: "Net liquidity needs WALCL and a TGA series (WDTGAL or WTREGEN) in the data folder. \
                      Fill it with `tideline mirror --out <site>/data` (see the README)."
                .to_string(),
            statuses: outcome.statuses.clone(),
        });
    }
    Ok(report)
}

/// True while the browser reports a network connection.
fn online_signal() -> ReadSignal<bool> {
    let initial = web_sys::window().is_none_or(|w| w.navigator().on_line());
    let (online, set_online) = signal(initial);
    let _ = window_event_listener(leptos::ev::online, move |_| set_online.set(true));
    let _ = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
    online
}

/// True once the service worker has installed a new version that waits to take over.
fn update_ready_signal() -> ReadSignal<bool> {
    let already = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"tidelineUpdateReady".into()).ok())
        .is_some_and(|v| v.is_truthy());
    let (ready, set_ready) = signal(already);
    let _ = window_event_listener_untyped("tideline-update-ready", move |_| set_ready.set(true));
    ready
}

/// Asks the waiting service worker to take over; the page reloads when it has.
fn apply_update() {
    let Some(window) = web_sys::window() else { return };
    if let Ok(f) = js_sys::Reflect::get(&window, &"tidelineApplyUpdate".into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call0(&window);
        }
    }
}

/// Offers the report as a JSON download: the document `tideline analyze` writes with its defaults
/// (the report is already lean, see [`run_model`]; compact JSON, through the same writer).
fn export_report(report: &Report) {
    let Ok(text) = report.to_json(JsonStyle::default()) else { return };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(anchor) = document.create_element("a") {
        let _ = anchor.set_attribute("href", &url);
        let _ = anchor.set_attribute("download", &format!("tideline-report-{}.json", report.as_of));
        if let Some(anchor) = anchor.dyn_ref::<web_sys::HtmlElement>() {
            anchor.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The application root.
#[component]
pub fn App() -> impl IntoView {
    let url_state = RwSignal::new(UrlState::current());
    Effect::new(move |_| url_state.with(UrlState::push));
    let saved = LocalResource::new(load_saved);
    let fresh = LocalResource::new(load_data);
    let uploads = RwSignal::new(Vec::<StoredUpload>::new());
    // The mirror's answer (series and tables) when it has come, else the browser's saved copies;
    // uploads on top.
    let outcome = Signal::derive(move || {
        let (base, tables) = match fresh.get() {
            Some(fresh) => fresh,
            None => (saved.get().flatten()?, FlowInputs::default()),
        };
        Some(uploads.with(|u| {
            let data = if u.is_empty() { base } else { base.with_uploads(u) };
            (data, tables_with_uploads(&tables, u))
        }))
    });
    let loading_fresh = Signal::derive(move || fresh.get().is_none());
    let report = Memo::new(move |_| {
        let as_of = url_state.with(|s| s.as_of);
        outcome.with(|o| {
            o.as_ref().map(|(o, tables)| {
                (run_model(o, tables, as_of), o.statuses.clone(), o.cache_unavailable.clone())
            })
        })
    });
    // The first report on screen, for the bench (`scripts/bench.sh`): effects run after the view.
    let first_drawn = StoredValue::new(false);
    Effect::new(move |_| {
        let drawn = report.with(|r| matches!(r, Some((Ok(_), _, _))));
        if drawn && !first_drawn.get_value() {
            first_drawn.set_value(true);
            perf::mark("tideline:first-report");
        }
    });
    let online = online_signal();
    let update_ready = update_ready_signal();
    view! {
        <header class="top">
            <div class="brand">
                <h1>"Tideline"</h1>
                <p class="tagline">"Where is the tide of liquidity, and how far up the risk spectrum does it reach?"</p>
            </div>
            <div class="status-bar" role="status" aria-live="polite">
                <Show when=move || !online.get()>
                    <span class="offline" data-testid="offline">"Offline: showing the data saved in this browser"</span>
                </Show>
                <Show when=move || loading_fresh.get() && report.with(Option::is_some)>
                    <span class="refreshing">"Showing saved data; checking for newer data…"</span>
                </Show>
                <Show when=move || update_ready.get()>
                    <span class="update" data-testid="update-ready">
                        "A new version of Tideline is ready. "
                        <button type="button" on:click=move |_| apply_update()>"Reload to update"</button>
                    </span>
                </Show>
            </div>
        </header>
        <main>
            {move || match report.get() {
                None => view! { <p class="loading" role="status">"Loading data…"</p> }.into_any(),
                Some((Ok(report), statuses, cache_note)) => view! {
                    {cache_note.map(|note| view! { <p class="note">{format!("Browser cache not used: {note}")}</p> })}
                    <Analysis report=report statuses=statuses url_state=url_state />
                }
                .into_any(),
                Some((Err(error), _, _)) => view! { <LoadFailure error=error /> }.into_any(),
            }}
            <section class="panel">
                <UploadPanel uploads=uploads />
            </section>
        </main>
        <footer class="bottom">
            <p>
                "Model, data layer and statistics run in your browser; nothing is sent anywhere. "
                "Sources and licences are listed beside each series."
            </p>
        </footer>
    }
}

/// The analysis view: freshness, the chain, net liquidity, and the data used.
#[component]
pub fn Analysis(
    /// The report.
    report: Report,
    /// Per-series load statuses.
    statuses: Vec<SeriesStatus>,
    /// The URL state (the as-of date lives there).
    url_state: RwSignal<UrlState>,
) -> impl IntoView {
    let stale: Vec<String> = report.series.iter().filter(|s| s.stale).map(|s| s.id.clone()).collect();
    let fresh = report.series.len() - stale.len();
    let total = report.series.len();
    let as_of = report.as_of;
    let model_ms = report.timing.model_ms;
    let latest = report.net_liquidity.latest.clone();
    let impulse = report.net_liquidity.impulse_13w_pct;
    let history: Vec<(Date, f64)> = report.net_liquidity.history.clone();
    let beyond = report.clone();
    let report = StoredValue::new(report);
    let on_date = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        url_state.update(|s| s.as_of = Date::parse_iso(&value));
    };
    view! {
        <section class="freshness panel" aria-label="Data freshness">
            <p>
                "Data as of "
                <time data-testid="as-of" datetime=as_of.to_string()>{as_of.to_string()}</time>
                {format!(": {fresh} of {total} series fresh")}
                {(!stale.is_empty()).then(|| format!("; stale or ended: {}", stale.join(", ")))}
                {format!(". Model run in {model_ms:.1} ms.")}
            </p>
            <div class="controls">
                <label>
                    "As of "
                    <input type="date" value=as_of.to_string() on:change=on_date aria-label="Analysis date" />
                </label>
                <button type="button" on:click=move |_| url_state.update(|s| s.as_of = None)>"Latest"</button>
                <button type="button" on:click=move |_| report.with_value(export_report)>"Export report (JSON)"</button>
            </div>
        </section>
        <ChainOverview report=Signal::derive(move || report.get_value()) />
        <section class="panel" aria-labelledby="netliq-title">
            <h2 id="netliq-title">"Fed net liquidity"</h2>
            <p class="definition">
                "Fed total assets (WALCL) − Treasury General Account − overnight reverse repo, weekly (Wednesday levels), in USD billions."
            </p>
            {latest.map(|p| view! {
                <p class="headline">
                    <span class="latest-value" data-testid="latest-value" data-usd-bn=format!("{:.3}", p.usd_bn)>
                        {format_thousands(p.usd_bn, 1)}
                    </span>
                    " USD bn on "
                    <time data-testid="latest-date" datetime=p.date.to_string()>{p.date.to_string()}</time>
                    <span class="inputs">
                        {format!(
                            " = {} assets − {} TGA ({}) − {} RRP",
                            format_thousands(p.walcl, 1),
                            format_thousands(p.tga, 1),
                            p.tga_source,
                            format_thousands(p.rrp, 1),
                        )}
                        {impulse.map(|i| format!("; 13-week change {i:+.1}%"))}
                    </span>
                </p>
            })}
            <LineChart points=history unit="USD bn" label="Fed net liquidity, weekly, USD billions" />
        </section>
        <BeyondTheFed report=beyond />
        <section class="panel">
            <SeriesStatusTable rows=statuses />
        </section>
    }
}

/// What the page shows when the data cannot be used: the reason and each series' status.
#[component]
pub fn LoadFailure(
    /// The failure.
    error: ViewError,
) -> impl IntoView {
    view! {
        <section class="panel failure" role="alert">
            <h2>"The data could not be loaded"</h2>
            <p data-testid="load-error">{error.message.clone()}</p>
            <SeriesStatusTable rows=error.statuses />
        </section>
    }
}
