//! The root component: the router and the shell every page stands on. The shell loads the data
//! once, computes the report of the URL's settings once, and gives both to the pages
//! ([`AppData`]); each page (`crate::pages`) answers one question from them.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;
use tideline_core::backtest::BacktestConfig;
use tideline_core::catalog::Catalog;
use tideline_core::codec;
use tideline_core::manifest::Manifest;
use tideline_core::model::flows::{FlowInputs, TableKind};
use tideline_core::report::steps::{Piece, ReportReader, Step};
use tideline_core::report::{JsonStyle, ModelConfig, Report};
use tideline_core::settings::{Notice, Settings};
use tideline_core::worker::Response;
use tideline_core::Date;
use wasm_bindgen::JsCast;

use crate::components::line_chart::{download, ChartSync};
use crate::components::series_status::SeriesStatus;
use crate::components::upload::tables_with_uploads;
use crate::components::SeriesStatusTable;
use crate::feeds::cache::StoredUpload;
use crate::feeds::fetch_text;
use crate::feeds::loader::{load_cached, load_series_with_progress, load_tables, LoadOptions, LoadOutcome};
use crate::perf::{self, now_ms};
use crate::state::{app_url, router_base, use_settings, Page, SettingsWriter};
use crate::theme;
use crate::worker::{Kind, ModelClient};

/// The mirror folder, under the app's root (same origin: FRED sends no CORS headers). Fetches
/// resolve it against the document's base URL, never the route's path (see `crate::state`).
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
/// layer, each mirror file checked against the manifest, and the table inputs (whose status rows
/// join the series').
pub async fn load_data(progress: impl Fn(usize, usize)) -> (LoadOutcome, FlowInputs) {
    let catalog = Catalog::builtin();
    let manifest = load_manifest().await;
    let ids = series_to_load(&catalog, manifest.as_ref());
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let tables = tables_to_load(manifest.as_ref());
    let options = LoadOptions { manifest, ..LoadOptions::default() };
    let mut outcome = load_series_with_progress(&ids, &options, &progress).await;
    let tables = load_tables(&tables, &options).await;
    outcome.statuses.extend(tables.statuses);
    (outcome, tables.inputs)
}

/// The table inputs of the mirror folder (the spot-ETF flow table, the treasury-company sheet):
/// those the manifest lists as present, or, without a manifest (a folder filled by hand), each
/// kind's file name.
fn tables_to_load(manifest: Option<&Manifest>) -> Vec<String> {
    match manifest {
        Some(m) => m.tables.iter().filter(|t| t.sha256.is_some()).map(|t| t.id.clone()).collect(),
        None => TableKind::ALL.iter().map(|k| k.file_name().to_string()).collect(),
    }
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

/// Where the model's worker script is, under the app's root (Trunk names it after its binary).
const WORKER_SCRIPT: &str = "tideline-worker.js";

/// What to do when the model cannot run: the worker's reason, and how to fill the data folder.
fn no_report_message(reason: &str) -> String {
    format!("{reason}. Fill the data folder with `tideline mirror --out <site>/data` (see the README).")
}

/// The worker's report (the document `tideline analyze` writes by default: lean, compact) as
/// read, or the view's error: one that could not be read, or one without net liquidity (the
/// figure every page starts from).
fn checked_report(
    report: Result<Report, serde_json::Error>,
    statuses: impl Fn() -> Vec<SeriesStatus>,
) -> Result<Report, ViewError> {
    let report = report.map_err(|e| ViewError {
        message: format!("The model's report could not be read: {e}"),
        statuses: statuses(),
    })?;
    if report.net_liquidity.latest.is_none() {
        return Err(ViewError {
            message: "Net liquidity needs WALCL and a TGA series (WDTGAL or WTREGEN) in the data folder. \
                      Fill it with `tideline mirror --out <site>/data` (see the README)."
                .to_string(),
            statuses: statuses(),
        });
    }
    Ok(report)
}

/// Reads the report's `pieces` one step per task ([`ReportReader`]), then hands the report (or the
/// error) to `done` in a task of its own, unless a newer report has come meanwhile (`generation`
/// is no longer `mine`).
fn read_report_in_steps(
    pieces: Vec<Piece>,
    generation: Rc<Cell<u64>>,
    done: impl FnOnce(Result<Report, serde_json::Error>) + 'static,
) {
    let mine = generation.get() + 1;
    generation.set(mine);
    let bytes = pieces.iter().map(|p| p.json.len()).sum();
    fn next(
        mut reader: ReportReader,
        spent: f64,
        bytes: usize,
        current: impl Fn() -> bool + 'static,
        done: impl FnOnce(Result<Report, serde_json::Error>) + 'static,
    ) {
        if !current() {
            return; // overtaken: its figures are not drawn
        }
        let started = now_ms();
        let step = reader.step();
        let spent = spent + now_ms() - started;
        match step {
            Ok(Step::More) => {
                crate::components::later::in_own_task(move || next(reader, spent, bytes, current, done))
            }
            Ok(Step::Done(report)) => {
                perf::add("report_read", spent, bytes);
                crate::components::later::in_own_task(move || {
                    if current() {
                        done(Ok(*report));
                    }
                });
            }
            Err(e) => crate::components::later::in_own_task(move || {
                if current() {
                    done(Err(e));
                }
            }),
        }
    }
    let current = move || generation.get() == mine;
    let reader = ReportReader::from_pieces(pieces);
    crate::components::later::in_own_task(move || next(reader, 0.0, bytes, current, done));
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
    download(&text, "application/json", &format!("tideline-report-{}.json", report.as_of));
}

/// Everything the pages share: the data, the report of the current settings, the settings.
#[derive(Clone, Copy)]
pub struct AppData {
    /// The loaded data and table inputs (uploads included), once any has come.
    pub outcome: Signal<Option<(LoadOutcome, FlowInputs)>>,
    /// The report of the current settings (the worker's newest answer): `None` until the first.
    pub report: ReadSignal<Option<Result<Arc<Report>, ViewError>>>,
    /// True while the worker computes a newer report than the one shown.
    pub computing: ReadSignal<bool>,
    /// The settings in force (the URL's, checked against the data).
    pub settings: Memo<Settings>,
    /// The reader's uploads.
    pub uploads: RwSignal<Vec<StoredUpload>>,
    /// The newest backtest asked for by the Backtest page, its progress and its result.
    pub backtest: ReadSignal<Option<BacktestState>>,
    /// Runs a backtest in the worker (nothing when the same one on the same data is the newest).
    pub run_backtest: Callback<BacktestConfig>,
    /// True once the data has settled and been sent to the worker: the mirror's answer has come
    /// (or failed, leaving the saved copies), so a long computation (the backtest) runs once, on
    /// the data it will show, and not again a second later, nor during the data's load.
    pub data_ready: Signal<bool>,
}

/// A backtest's answer as the page holds it (shared, not copied, by the views that draw it).
#[derive(Debug)]
pub struct BacktestAnswer {
    /// The report without its weekly rows ([`tideline_core::backtest::BacktestReport::page_view`]).
    pub report: tideline_core::backtest::BacktestReport,
    /// The weekly columns the page draws.
    pub curves: Vec<tideline_core::backtest::RunCurves>,
    /// The command's JSON (what `tideline backtest` writes): the export.
    pub json: String,
}

/// A backtest asked of the worker.
#[derive(Clone, Debug)]
pub struct BacktestState {
    /// The data's fingerprint and the settings as JSON: what it was asked for.
    pub key: String,
    /// The settings.
    pub config: BacktestConfig,
    /// Grid cells done of all, while a sweep runs.
    pub progress: Option<(u64, u64)>,
    /// The answer, or the error; `None` while it runs.
    pub result: Option<Result<Arc<BacktestAnswer>, String>>,
    /// Milliseconds the worker took.
    pub compute_ms: Option<f64>,
}

/// The app's data and report, for a page.
pub fn use_app() -> AppData {
    // Provided by `Shell` above every route: a page outside it is a programming error.
    use_context::<AppData>().expect("AppData is provided by the shell")
}

/// The application root: the router under the app's base path, and the shell.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router base=router_base()>
            <Shell />
        </Router>
    }
}

/// The first and last dates of the loaded data.
fn data_span(outcome: &LoadOutcome) -> Option<(Date, Date)> {
    let first = outcome.dataset.iter().filter_map(|(_, l)| l.series.first().map(|f| f.0)).min()?;
    Some((first, outcome.dataset.last_date()?))
}

/// The frame of every page: header with navigation and status, the notice of unusable link
/// parameters, the routes, the footer. Loads the data and computes the report once for all pages.
#[component]
fn Shell() -> impl IntoView {
    let url = use_settings();
    let writer = SettingsWriter::new();
    let saved = LocalResource::new(load_saved);
    // "31 of 45 series loaded" while the mirror answers.
    let progress = RwSignal::new(None::<(usize, usize)>);
    let fresh = LocalResource::new(move || load_data(move |done, total| progress.set(Some((done, total)))));
    let uploads = RwSignal::new(Vec::<StoredUpload>::new());
    // The mirror's answer (series and tables) when it has come, else the browser's saved copies;
    // uploads on top. A memo: made once per change, however many views read it (a derived
    // signal would copy the whole dataset for each). Never compared: every change is new data.
    let outcome = Memo::<Option<(LoadOutcome, FlowInputs)>>::new_with_compare(
        move |_| {
            let (base, tables) = match fresh.get() {
                Some(fresh) => fresh,
                None => (saved.get().flatten()?, FlowInputs::default()),
            };
            Some(uploads.with(|u| {
                let data = if u.is_empty() { base } else { base.with_uploads(u) };
                (data, tables_with_uploads(&tables, u))
            }))
        },
        |_, _| true,
    );
    let outcome: Signal<Option<(LoadOutcome, FlowInputs)>> = outcome.into();
    // `with`, not `get`: no copy of the data to ask whether it has come.
    let loading_fresh = Signal::derive(move || fresh.with(Option::is_none));
    let span = Memo::new(move |_| outcome.with(|o| o.as_ref().and_then(|(o, _)| data_span(o))));
    // The URL's settings, checked against the data once it has come.
    let checked = Memo::new(move |_| {
        let (mut settings, mut notices) = url.parsed.get();
        if let Some((first, last)) = span.get() {
            outcome.with(|o| {
                if let Some((o, _)) = o {
                    notices.extend(settings.check_data(first, last, |id| o.dataset.get(id).is_some()));
                }
            });
        }
        (settings, notices)
    });
    let settings = Memo::new(move |_| checked.with(|c| c.0.clone()));
    // Notices stay on screen after the URL is corrected, until dismissed.
    let shown_notices = RwSignal::new(Vec::<Notice>::new());
    Effect::new(move |_| {
        let (settings, notices) = checked.get();
        if !notices.is_empty() {
            shown_notices.update(|shown| {
                for n in notices {
                    if !shown.contains(&n) {
                        shown.push(n);
                    }
                }
            });
            // The page's own correction: replaces the history entry, so Back does not return to
            // the broken link.
            writer.set(&settings, false);
        }
    });
    // Only what the report depends on: a change of chart window or of Explore's series does not
    // rerun the model.
    let model_settings = Memo::new(move |_| settings.with(Settings::model_part));
    // The model runs in the worker: the data goes over once per change, then one request per
    // view; the newest answer lands here.
    let report = RwSignal::new(None::<Result<Arc<Report>, ViewError>>);
    let computing = RwSignal::new(false);
    let backtest = RwSignal::new(None::<BacktestState>);
    // The number of the newest report being read (`read_report_in_steps`).
    let generation = Rc::new(Cell::new(0u64));
    let on_response = move |response: Response, kind: Option<Kind>| match response {
        Response::Progress { done, total, .. } => {
            backtest.update(|b| {
                if let Some(b) = b {
                    b.progress = Some((done, total));
                }
            });
        }
        Response::Backtest { json, view_json, curves, compute_ms, .. } => {
            // The page reads the view made for drawing; the command's JSON is kept for the export.
            let started = now_ms();
            let result = serde_json::from_str::<tideline_core::backtest::BacktestReport>(&view_json)
                .map_err(|e| format!("The backtest's report could not be read: {e}"));
            perf::add("backtest_read", now_ms() - started, view_json.len());
            // The worker's time in the backtest itself (strategies, sweep, walk-forward), apart
            // from writing its two JSON documents (`compute_ms` holds both).
            if let Ok(report) = &result {
                perf::add("worker_backtest_run", report.timing.model_ms, 0);
            }
            // Drawn in the next task: reading and drawing do not add up to one long task. The
            // answer belongs to the request in force now; one asked for in between drops it.
            let asked = backtest.with_untracked(|b| b.as_ref().map(|b| b.key.clone()));
            set_timeout(
                move || {
                    backtest.update(|b| {
                        if let Some(b) = b.as_mut().filter(|b| Some(&b.key) == asked.as_ref()) {
                            b.result =
                                Some(result.map(|report| Arc::new(BacktestAnswer { report, curves, json })));
                            b.compute_ms = Some(compute_ms);
                        }
                    })
                },
                std::time::Duration::ZERO,
            );
        }
        Response::Error { message, .. } if kind == Some(Kind::Backtest) => {
            backtest.update(|b| {
                if let Some(b) = b {
                    b.result = Some(Err(message));
                }
            });
        }
        Response::Report { pieces, .. } => {
            computing.set(false);
            let statuses = move || {
                outcome.with_untracked(|o| o.as_ref().map(|(o, _)| o.statuses.clone()).unwrap_or_default())
            };
            // Read over several tasks, then drawn in one of its own: no long task.
            read_report_in_steps(pieces, generation.clone(), move |read| {
                // On the page's timeline, for the bench: the views redraw in the tasks after it.
                perf::mark("tideline:report-set");
                report.set(Some(checked_report(read, statuses).map(Arc::new)));
            });
        }
        Response::Error { message, .. } => {
            computing.set(false);
            let statuses =
                outcome.with_untracked(|o| o.as_ref().map(|(o, _)| o.statuses.clone()).unwrap_or_default());
            let error = ViewError { message: no_report_message(&message), statuses };
            generation.set(generation.get() + 1); // a report still being read is older
                                                  // After any report still waiting to be drawn, so that the newest answer stays.
            crate::components::later::in_own_task(move || report.set(Some(Err(error))));
        }
        Response::DataLoaded { .. } => {}
    };
    let client = StoredValue::new_local(ModelClient::spawn(&app_url(WORKER_SCRIPT), on_response));
    // The data's fingerprint, once it has been sent to the worker.
    let fingerprint = Memo::new(move |_| {
        outcome.with(|o| {
            let (o, tables) = o.as_ref()?;
            let started = now_ms();
            perf::mark("tideline:snapshot"); // on the page's timeline, for the bench
            let dataset = codec::encode_dataset(&o.dataset);
            let tables = codec::encode_tables(tables);
            let fingerprint = codec::fingerprint_of(&dataset, &tables);
            perf::add("snapshot", now_ms() - started, dataset.len() + tables.len());
            client.with_value(|c| c.set_data(fingerprint, dataset, tables));
            Some(fingerprint)
        })
    });
    Effect::new(move |_| {
        let Some(fingerprint) = fingerprint.get() else { return };
        let config = model_settings.with(|s| s.model_config(&ModelConfig::default()));
        computing.set(true);
        client.with_value(|c| c.analyze(fingerprint, config));
    });
    // A backtest runs when its page asks, once per (data, settings): going back to the page
    // shows the last result at once.
    let run_backtest = Callback::new(move |config: BacktestConfig| {
        let Some(fingerprint) = fingerprint.get_untracked() else { return };
        let Ok(key) = serde_json::to_string(&config) else { return };
        let key = format!("{fingerprint}:{key}");
        if backtest.with_untracked(|b| b.as_ref().is_some_and(|b| b.key == key)) {
            return;
        }
        let total = config.sweep.as_ref().map(|s| (s.rows.values.len() * s.cols.values.len()) as u64);
        backtest.set(Some(BacktestState {
            key,
            config: config.clone(),
            progress: total.map(|t| (0, t)),
            result: None,
            compute_ms: None,
        }));
        client.with_value(|c| c.backtest(fingerprint, &config));
    });
    // The first report on screen, for the bench (`scripts/bench.sh`): effects run after the view.
    let first_drawn = StoredValue::new(false);
    Effect::new(move |_| {
        let drawn = report.with(|r| matches!(r, Some(Ok(_))));
        if drawn && !first_drawn.get_value() {
            first_drawn.set_value(true);
            perf::mark("tideline:first-report");
        }
    });
    // The page's charts share a crosshair and a window (the URL's `range`).
    let chart_writer = SettingsWriter::new();
    provide_context(ChartSync {
        date: RwSignal::new(None),
        range: Signal::derive(move || settings.with(|s| s.range)),
        set_range: Callback::new(move |range| {
            chart_writer.update(&settings.get_untracked(), |s| s.range = range)
        }),
    });
    provide_context(AppData {
        outcome,
        backtest: backtest.read_only(),
        run_backtest,
        data_ready: Signal::derive(move || !loading_fresh.get() && fingerprint.get().is_some()),
        report: report.read_only(),
        settings,
        uploads,
        computing: computing.read_only(),
    });
    let online = online_signal();
    let update_ready = update_ready_signal();
    // The page under the frame mounts in the next task: the first paint of the frame and the
    // page's own build are two tasks, not one long one.
    let page_mounted = RwSignal::new(false);
    crate::components::later::in_own_task(move || page_mounted.set(true));
    let base = router_base();
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="top">
            <div class="brand">
                <a class="brand-name" href=format!("{base}/")>"Tideline"</a>
                <p class="tagline">"Where is the tide of liquidity, and how far up the risk spectrum does it reach?"</p>
            </div>
            <ThemeToggle />
            <PageNav settings=settings />
            <div class="status-bar" role="status" aria-live="polite">
                // Always in the layout (hidden when idle), so the page does not jump.
                <span class="computing" class:active=move || computing.get() data-testid="computing">"Computing…"</span>
                <Show when=move || !online.get()>
                    <span class="offline" data-testid="offline">"Offline: showing the data saved in this browser"</span>
                </Show>
                <Show when=move || loading_fresh.get()>
                    <span class="progress" data-testid="data-progress">
                        {move || progress.get().map_or_else(
                            || "Loading data…".to_string(),
                            |(done, total)| format!("{done} of {total} series loaded"),
                        )}
                    </span>
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
        <Show when=move || shown_notices.with(|n| !n.is_empty())>
            <section class="notice" role="alert" data-testid="link-notice">
                <p>"Some settings of this link could not be used and were reset to their defaults:"</p>
                <ul>
                    {move || shown_notices.get().into_iter().map(|n| view! { <li>{n.to_string()}</li> }).collect_view()}
                </ul>
                <button type="button" on:click=move |_| shown_notices.set(Vec::new())>"Dismiss"</button>
            </section>
        </Show>
        <main id="main" tabindex="-1">
            {move || page_mounted.get().then(|| view! {
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/") view=crate::pages::Overview />
                <Route path=path!("/chain") view=crate::pages::ChainPage />
                <Route path=path!("/rotation") view=crate::pages::RotationPage />
                <Route path=path!("/asymmetry") view=crate::pages::AsymmetryPage />
                <Route path=path!("/lead-lag") view=crate::pages::LeadLagPage />
                <Route path=path!("/backtest") view=crate::pages::BacktestPage />
                <Route path=path!("/beyond") view=crate::pages::BeyondPage />
                <Route path=path!("/explore") view=crate::pages::ExplorePage />
                <Route path=path!("/data") view=crate::pages::DataPage />
            </Routes>
            })}
        </main>
        <footer class="bottom">
            <p>
                "Model, data layer and statistics run in your browser; nothing is sent anywhere. "
                "Sources and licences are listed on the Data page."
            </p>
        </footer>
    }
}

/// The navigation: one link per page, carrying the current settings; a menu button on a phone.
#[component]
fn PageNav(
    /// The settings the links carry.
    settings: Memo<Settings>,
) -> impl IntoView {
    let base = router_base();
    let location = use_location();
    let open = RwSignal::new(false);
    // Close the menu after a navigation.
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    let current = Memo::new(move |_| {
        let path = location.pathname.get();
        let base = router_base();
        Page::of_path(path.strip_prefix(base.as_str()).unwrap_or(&path))
    });
    let links = Page::ALL
        .into_iter()
        .map(|page| {
            let base = base.clone();
            let href = move || page.href(&base, &settings.with(Settings::to_query));
            let is_current = move || current.get() == Some(page);
            view! {
                <li>
                    <a href=href aria-current=move || is_current().then_some("page") data-page=page.slug()>
                        {page.title()}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="pages" aria-label="Pages" class:open=move || open.get()
            on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <button type="button" class="menu-button" aria-controls="page-list"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                {move || current.get().map_or("Pages", Page::title)} " ▾"
            </button>
            <ul id="page-list">{links}</ul>
        </nav>
    }
}

/// Light, dark, or the system's choice; kept in this browser (`localStorage`).
#[component]
fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(theme::stored());
    Effect::new(move |_| theme::apply(theme.get()));
    view! {
        <label class="theme">
            "Theme "
            <select aria-label="Colour theme" on:change=move |ev| theme.set(theme::Theme::parse(&event_target_value(&ev)))>
                {theme::Theme::ALL.into_iter().map(|t| view! {
                    <option value=t.as_str() selected=move || theme.get() == t>{t.label()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// An unknown path: say so, and offer every page.
#[component]
fn NotFound() -> impl IntoView {
    let base = router_base();
    view! {
        <section class="panel" data-testid="not-found">
            <h1>"No such page"</h1>
            <p>"This address is not a page of Tideline. The pages are:"</p>
            <ul>
                {Page::ALL.into_iter().map(|p| view! { <li><a href=p.href(&base, "")>{p.title()}</a></li> }).collect_view()}
            </ul>
        </section>
    }
}

/// The as-of control, freshness and export line shared by the pages.
#[component]
pub fn Freshness(
    /// The report.
    report: Arc<Report>,
) -> impl IntoView {
    let app = use_app();
    let writer = SettingsWriter::new();
    let stale: Vec<String> = report.series.iter().filter(|s| s.stale).map(|s| s.id.clone()).collect();
    let fresh = report.series.len() - stale.len();
    let total = report.series.len();
    let as_of = report.as_of;
    let model_ms = report.timing.model_ms;
    let report = StoredValue::new(report);
    let on_date = {
        let writer = writer.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            writer.update(&app.settings.get_untracked(), |s| s.as_of = Date::parse_iso(&value));
        }
    };
    let copied = RwSignal::new(false);
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
                <button type="button" on:click=move |_| writer.update(&app.settings.get_untracked(), |s| s.as_of = None)>"Latest"</button>
                <button type="button" on:click=move |_| report.with_value(|r| export_report(r))>"Export report (JSON)"</button>
                <button type="button" data-testid="copy-link" on:click=move |_| { copy_link(); copied.set(true); }>
                    {move || if copied.get() { "Link copied" } else { "Copy link" }}
                </button>
            </div>
        </section>
    }
}

/// Puts the current address on the clipboard.
fn copy_link() {
    let Some(window) = web_sys::window() else { return };
    let Ok(href) = window.location().href() else { return };
    let _ = window.navigator().clipboard().write_text(&href);
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
