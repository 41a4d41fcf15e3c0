//! The model in a Web Worker, and the page's side of it.
//!
//! The worker ([`ModelWorker`], registered by `src/bin/tideline-worker.rs`) wraps the core's pure
//! [`Engine`]: it receives [`Request`]s and answers [`Response`]s (the protocol is documented in
//! [`tideline_core::worker`]). The page holds a [`ModelClient`]: it sends the data once per change
//! (`SetData`), then one `Analyze` per view, numbered; it keeps only the answer to its newest
//! request (latest wins; an overtaken answer is dropped), and records each round trip on its
//! timeline as the measure `tideline:model`, beside the worker's own compute time.
//!
//! Why gloo-worker: it is the kept crate for Rust workers (bincode over `postMessage`, handler
//! ids, a registrar for the worker side), and Trunk builds its binary with `data-type="worker"`;
//! the hand-written alternative is the same glue without its tests.

use std::cell::Cell;
use std::rc::Rc;

use gloo_worker::{HandlerId, Spawnable, Worker, WorkerBridge, WorkerScope};
use tideline_core::worker::{Engine, Request, Response};
use wasm_bindgen::JsCast;

use crate::perf;

/// The worker: the core's engine behind gloo-worker's message loop.
pub struct ModelWorker {
    engine: Engine,
}

/// `performance.now()` in the worker's global scope.
fn worker_now() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|g| g.performance())
        .map_or(0.0, |p| p.now())
}

impl Worker for ModelWorker {
    type Message = ();
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        ModelWorker { engine: Engine::new() }
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, request: Self::Input, id: HandlerId) {
        let clock = worker_now;
        self.engine.handle(request, Some(&clock), &mut |response| scope.respond(id, response));
    }
}

/// What a request of the page asked for: the report, or a backtest. Each kind has its own
/// newest request: a backtest does not overtake the report of a view, nor the reverse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// [`Request::Analyze`].
    Analyze,
    /// [`Request::Backtest`].
    Backtest,
}

/// The page's side: a bridge to the worker, and the numbers of the newest request of each kind.
pub struct ModelClient {
    bridge: WorkerBridge<ModelWorker>,
    next_id: Rc<Cell<u64>>,
    latest_analyze: Rc<Cell<u64>>,
    latest_backtest: Rc<Cell<u64>>,
    started_ms: Rc<Cell<f64>>,
}

impl ModelClient {
    /// Starts the worker from `url` (the worker's script, under the app's root). `on_response` gets
    /// every answer to the newest request of each kind, with that kind (and data errors, with
    /// `None`); overtaken answers are dropped here.
    pub fn spawn(url: &str, on_response: impl Fn(Response, Option<Kind>) + 'static) -> ModelClient {
        let latest_analyze = Rc::new(Cell::new(0u64));
        let latest_backtest = Rc::new(Cell::new(0u64));
        let started_ms = Rc::new(Cell::new(0.0));
        let (analyze, backtest, started) =
            (latest_analyze.clone(), latest_backtest.clone(), started_ms.clone());
        let bridge = ModelWorker::spawner()
            .callback(move |response: Response| {
                let id = match &response {
                    Response::Report { id, .. }
                    | Response::Backtest { id, .. }
                    | Response::Progress { id, .. } => Some(*id),
                    Response::Error { id, .. } => *id,
                    Response::DataLoaded { .. } => None,
                };
                let kind = match id {
                    None => None,
                    Some(id) if id == analyze.get() => Some(Kind::Analyze),
                    Some(id) if id == backtest.get() => Some(Kind::Backtest),
                    Some(_) => return, // overtaken by a newer request of its kind
                };
                if let Response::Report { compute_ms, sections, .. } = &response {
                    perf::mark("tideline:model-end");
                    perf::measure("tideline:model", "tideline:model-start", "tideline:model-end");
                    // The worker's own compute time, beside the round trip the measure holds.
                    perf::add("worker_model", *compute_ms, 0);
                    perf::add("model_round_trip", perf::now_ms() - started.get(), 0);
                    perf::set_sections(sections);
                }
                if let Response::Backtest { compute_ms, .. } = &response {
                    perf::mark("tideline:backtest-end");
                    perf::measure("tideline:backtest", "tideline:backtest-start", "tideline:backtest-end");
                    perf::add("worker_backtest", *compute_ms, 0);
                }
                on_response(response, kind);
            })
            .spawn(url);
        ModelClient { bridge, next_id: Rc::new(Cell::new(0)), latest_analyze, latest_backtest, started_ms }
    }

    fn next_id(&self) -> u64 {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        id
    }

    /// Sends the data (once per change of it).
    pub fn set_data(&self, fingerprint: u64, dataset: Vec<u8>, tables: Vec<u8>) {
        self.bridge.send(Request::SetData { fingerprint, dataset, tables });
    }

    /// Asks for the report of `config` on the data `fingerprint`; supersedes every earlier
    /// report request.
    pub fn analyze(&self, fingerprint: u64, config: tideline_core::report::ModelConfig) {
        let id = self.next_id();
        self.latest_analyze.set(id);
        self.started_ms.set(perf::now_ms());
        perf::mark("tideline:model-start");
        self.bridge.send(Request::Analyze { id, fingerprint, config });
    }

    /// Asks for the backtest of `config` on the data `fingerprint`; supersedes every earlier
    /// backtest request (its progress and result are dropped).
    pub fn backtest(&self, fingerprint: u64, config: &tideline_core::backtest::BacktestConfig) {
        let Ok(config_json) = serde_json::to_string(config) else { return };
        let id = self.next_id();
        self.latest_backtest.set(id);
        perf::mark("tideline:backtest-start");
        self.bridge.send(Request::Backtest { id, fingerprint, config_json });
    }
}
