//! The model behind a message protocol: what a Web Worker runs, pure and tested natively.
//!
//! # The protocol
//!
//! The page fetches and parses the feeds (it holds a [`Dataset`] and the [`FlowInputs`]) and
//! keeps only the report's types; the worker links the statistics. They talk in [`Request`]s and
//! [`Response`]s, which the worker hands to [`Engine::handle`]:
//!
//! 1. **Once per change of the data**, the page sends [`Request::SetData`]: the dataset and the
//!    tables as snapshots ([`codec::encode_dataset`], [`codec::encode_tables`]) and their
//!    [`codec::fingerprint_of`]. The engine checks the fingerprint against the bytes, decodes them
//!    and keeps them as its current data; it answers [`Response::DataLoaded`], or
//!    [`Response::Error`] with `id: None` (the previous data stays current).
//! 2. **Per view**, the page sends [`Request::Analyze`] with a request `id` of its choosing
//!    (increasing), the fingerprint of the data it means and the settings. The engine answers
//!    [`Response::Report`] with the report as JSON: exactly what `tideline analyze` writes by
//!    default (the lean report, compact: [`Report::with_detail`]`(`[`Detail::default`]`)` then
//!    [`Report::to_json`]`(`[`JsonStyle::default`]`)`), for the export, and the same report in
//!    [`Piece`]s, which the page reads into [`Report`] a step per task. Results are cached per
//!    (fingerprint, settings), the last [`CACHE_ENTRIES`] of them, so going back to a view
//!    answers at once (`cached: true`).
//!    A view not cached runs through the current data's [`Stages`]: only the stages whose
//!    settings changed since the last analysis rerun (a lead-lag setting reruns the lead-lag,
//!    not the panel, chain or asymmetry; see [`crate::report::stages`]).
//! 3. **Backtests** ([`Request::Backtest`]) run the same way, with [`Response::Progress`] after
//!    each cell of a sweep or walk-forward grid (with a clock, at most one per
//!    [`PROGRESS_INTERVAL_MS`], and always the last), then [`Response::Backtest`].
//!
//! A request whose fingerprint is neither the current data's nor cached is answered with
//! [`Response::Error`] ("no data set for fingerprint ...": the page sends `SetData` first, or
//! again after the worker restarted).
//!
//! **Latest wins, on the page.** A worker handles one message at a time, so a request that was
//! overtaken (the user moved a slider twice) still runs; the page drops every response whose `id`
//! is not its newest. The engine does not cancel: it cannot see the next message while it
//! computes, and a finished result still fills the cache.
//!
//! # Why these shapes
//!
//! [`Request`] and [`Response`] are plain externally tagged enums with no `flatten`, `untagged`
//! or `skip_serializing_if`, so any serde format carries them, including bincode (gloo-worker's
//! default codec), which cannot read those attributes. The report and the backtest settings do
//! use them (internally tagged strategies, flattened regimes), so they travel as JSON strings;
//! the JSON is also what the page exports, so it is made once. [`ModelConfig`] has none of them
//! and travels as itself.
//!
//! The engine has no clock (the core runs in wasm): [`Engine::handle`] takes one
//! (`performance.now()` in the worker), and without one every time is 0.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::backtest::{run_backtest_with_progress, BacktestConfig, RunCurves};
use crate::codec;
use crate::dataset::Dataset;
use crate::model::flows::FlowInputs;
use crate::report::steps::{pieces, Piece};
use crate::report::{Detail, JsonStyle, ModelConfig, Report, SectionTime, Stages};

/// Results the engine keeps (least recently used first out): the views a user flips between.
pub const CACHE_ENTRIES: usize = 16;

/// The least time between two [`Response::Progress`] messages of one request, when the engine
/// has a clock (a progress bar needs no more than a few updates a second).
pub const PROGRESS_INTERVAL_MS: f64 = 50.0;

/// A message from the page to the worker (module docs).
// One message is built, sent and dropped: the size of the largest variant costs nothing, and a
// `Box<ModelConfig>` would only make the page's code noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Makes this the current data.
    SetData {
        /// [`codec::fingerprint_of`]`(&dataset, &tables)`.
        fingerprint: u64,
        /// [`codec::encode_dataset`].
        #[serde(with = "serde_bytes")]
        dataset: Vec<u8>,
        /// [`codec::encode_tables`].
        #[serde(with = "serde_bytes")]
        tables: Vec<u8>,
    },
    /// Runs the model on the data named by `fingerprint` with `config`.
    Analyze {
        /// The page's request id, echoed in the response.
        id: u64,
        /// The data meant.
        fingerprint: u64,
        /// The settings.
        config: ModelConfig,
    },
    /// Runs the backtest (strategies, and the sweep and walk-forward when the settings ask).
    Backtest {
        /// The page's request id, echoed in the responses.
        id: u64,
        /// The data meant.
        fingerprint: u64,
        /// [`BacktestConfig`] as JSON (its strategies are internally tagged: not for bincode).
        config_json: String,
    },
}

/// A message from the worker to the page (module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The data of a [`Request::SetData`] is now current.
    DataLoaded {
        /// Its fingerprint.
        fingerprint: u64,
        /// Series it holds.
        series: u64,
        /// Observations over all of them.
        observations: u64,
    },
    /// The answer to a [`Request::Analyze`].
    Report {
        /// The request's id.
        id: u64,
        /// The data it was computed on.
        fingerprint: u64,
        /// The lean report, compact JSON, with its line break (module docs): the export.
        json: String,
        /// The same report in pieces ([`crate::report::steps::pieces`]): what the page reads, a
        /// step per task, with no pass over the whole document on its main thread.
        pieces: Vec<Piece>,
        /// Milliseconds the model and the JSON took when it was computed (0 without a clock).
        compute_ms: f64,
        /// What each stage of the model cost (empty without a clock), as in the report's
        /// `timing.sections`: only the stages this request reran ([`Stages::analyze`]).
        sections: Vec<SectionTime>,
        /// Served from the cache (`compute_ms` is then the original cost).
        cached: bool,
    },
    /// Progress of a long request: `done` of `total` units (grid cells of a backtest).
    Progress {
        /// The request's id.
        id: u64,
        /// Units done.
        done: u64,
        /// Units in all (`done` may stop short of it when a grid is skipped; the result follows).
        total: u64,
    },
    /// The answer to a [`Request::Backtest`].
    Backtest {
        /// The request's id.
        id: u64,
        /// The data it was computed on.
        fingerprint: u64,
        /// The backtest report, compact JSON (what `tideline backtest` writes), with its line
        /// break: the export.
        json: String,
        /// The same report made for drawing ([`BacktestReport::page_view`]), without its weekly
        /// rows: what the page parses, a fraction of `json`'s size.
        view_json: String,
        /// The weekly columns the page draws ([`BacktestReport::page_view`]).
        curves: Vec<RunCurves>,
        /// Milliseconds it took (0 without a clock).
        compute_ms: f64,
    },
    /// A request that could not be answered.
    Error {
        /// The request's id; `None` for a [`Request::SetData`].
        id: Option<u64>,
        /// What went wrong, for the user.
        message: String,
    },
}

/// The data a request runs on, inside the model's [`Stages`]: a setting change reruns only the
/// stages that read it (see [`crate::report::stages`]); new data starts new stages.
#[derive(Clone, Debug)]
struct Loaded {
    fingerprint: u64,
    stages: Stages<'static>,
}

/// One cached result.
#[derive(Clone, Debug)]
struct Cached {
    fingerprint: u64,
    /// The settings as canonical JSON: `ModelConfig` holds floats, so it is neither `Eq` nor
    /// `Hash`, and its JSON is a faithful key (two settings with the same JSON run the same).
    config: String,
    json: String,
    pieces: Vec<Piece>,
    compute_ms: f64,
    sections: Vec<SectionTime>,
}

/// The worker's state: the current data and the recent results (module docs).
#[derive(Debug, Default)]
pub struct Engine {
    data: Option<Loaded>,
    /// Most recently used last.
    cache: VecDeque<Cached>,
}

impl Engine {
    /// An engine with no data.
    pub fn new() -> Engine {
        Engine::default()
    }

    /// An engine whose current data is `dataset` and `tables` already in memory (a native caller,
    /// a test); returns it and the data's [`codec::fingerprint`].
    pub fn with_data(dataset: Dataset, tables: FlowInputs) -> (Engine, u64) {
        let fingerprint = codec::fingerprint(&dataset, &tables);
        let stages = Stages::new(dataset, tables);
        let engine = Engine { data: Some(Loaded { fingerprint, stages }), cache: VecDeque::new() };
        (engine, fingerprint)
    }

    /// The fingerprint of the current data, if any.
    pub fn fingerprint(&self) -> Option<u64> {
        self.data.as_ref().map(|d| d.fingerprint)
    }

    /// Results in the cache (at most [`CACHE_ENTRIES`]).
    pub fn cached(&self) -> usize {
        self.cache.len()
    }

    /// Answers one request through `emit`: one final response ([`Response::DataLoaded`],
    /// [`Response::Report`], [`Response::Backtest`] or [`Response::Error`]), preceded for a
    /// backtest by [`Response::Progress`] messages. `clock` gives milliseconds from any origin.
    pub fn handle(
        &mut self,
        request: Request,
        clock: Option<&dyn Fn() -> f64>,
        emit: &mut dyn FnMut(Response),
    ) {
        match request {
            Request::SetData { fingerprint, dataset, tables } => {
                emit(self.set_data(fingerprint, &dataset, &tables))
            }
            Request::Analyze { id, fingerprint, config } => {
                emit(self.analyze(id, fingerprint, &config, clock))
            }
            Request::Backtest { id, fingerprint, config_json } => {
                let response = self.backtest(id, fingerprint, &config_json, clock, emit);
                emit(response)
            }
        }
    }

    fn set_data(&mut self, fingerprint: u64, dataset: &[u8], tables: &[u8]) -> Response {
        let error = |message: String| Response::Error { id: None, message };
        let computed = codec::fingerprint_of(dataset, tables);
        if computed != fingerprint {
            return error(format!(
                "the data's fingerprint is {computed:016x}, the message said {fingerprint:016x}: \
                 send codec::fingerprint_of(dataset, tables)"
            ));
        }
        if self.fingerprint() != Some(fingerprint) {
            let dataset = match codec::decode_dataset(dataset) {
                Ok(d) => d,
                Err(e) => return error(format!("the dataset could not be read: {e}")),
            };
            let tables = match codec::decode_tables(tables) {
                Ok(t) => t,
                Err(e) => return error(format!("the tables could not be read: {e}")),
            };
            self.data = Some(Loaded { fingerprint, stages: Stages::new(dataset, tables) });
        }
        let dataset = self.data.as_ref().map(|d| d.stages.dataset());
        let (series, observations) = dataset.map_or((0, 0), |d| {
            d.iter().fold((0u64, 0u64), |(s, o), (_, l)| (s + 1, o + l.series.len() as u64))
        });
        Response::DataLoaded { fingerprint, series, observations }
    }

    /// The current data when it is the one meant, else the error to answer.
    fn data_for(&self, id: u64, fingerprint: u64) -> Result<&Loaded, Response> {
        self.data.as_ref().filter(|d| d.fingerprint == fingerprint).ok_or_else(|| Response::Error {
            id: Some(id),
            message: match self.fingerprint() {
                Some(current) => format!(
                    "no data set for fingerprint {fingerprint:016x} (the worker holds {current:016x}): \
                     send SetData first"
                ),
                None => format!("no data set for fingerprint {fingerprint:016x}: send SetData first"),
            },
        })
    }

    fn analyze(
        &mut self,
        id: u64,
        fingerprint: u64,
        config: &ModelConfig,
        clock: Option<&dyn Fn() -> f64>,
    ) -> Response {
        let key = match serde_json::to_string(config) {
            Ok(key) => key,
            Err(e) => return Response::Error { id: Some(id), message: format!("the settings: {e}") },
        };
        if let Some(at) = self.cache.iter().position(|c| c.fingerprint == fingerprint && c.config == key) {
            // Invariant: `at` was just found in the cache.
            let hit = self.cache.remove(at).expect("a cached entry");
            let response = Response::Report {
                id,
                fingerprint,
                json: hit.json.clone(),
                pieces: hit.pieces.clone(),
                compute_ms: hit.compute_ms,
                sections: hit.sections.clone(),
                cached: true,
            };
            self.cache.push_back(hit);
            return response;
        }
        if let Err(response) = self.data_for(id, fingerprint) {
            return response;
        }
        // Invariant: `data_for` just found the current data.
        let data = self.data.as_mut().expect("the current data");
        let started = clock.map_or(0.0, |now| now());
        let report = match data.stages.analyze(config, clock) {
            Ok(report) => report,
            Err(e) => return Response::Error { id: Some(id), message: e.to_string() },
        };
        let elapsed = || clock.map_or(0.0, |now| now() - started);
        let report =
            Report { timing: crate::report::Timing { model_ms: elapsed(), ..report.timing }, ..report };
        let sections = report.timing.sections.clone();
        let report = report.with_detail(Detail::default());
        let written = report.to_json(JsonStyle::default()).and_then(|json| Ok((json, pieces(&report)?)));
        let (json, pieces) = match written {
            Ok(written) => written,
            Err(e) => return Response::Error { id: Some(id), message: format!("the report: {e}") },
        };
        let compute_ms = elapsed();
        if self.cache.len() >= CACHE_ENTRIES {
            self.cache.pop_front();
        }
        self.cache.push_back(Cached {
            fingerprint,
            config: key,
            json: json.clone(),
            pieces: pieces.clone(),
            compute_ms,
            sections: sections.clone(),
        });
        Response::Report { id, fingerprint, json, pieces, compute_ms, sections, cached: false }
    }

    fn backtest(
        &self,
        id: u64,
        fingerprint: u64,
        config_json: &str,
        clock: Option<&dyn Fn() -> f64>,
        emit: &mut dyn FnMut(Response),
    ) -> Response {
        let error = |message: String| Response::Error { id: Some(id), message };
        let config: BacktestConfig = match serde_json::from_str(config_json) {
            Ok(config) => config,
            Err(e) => return error(format!("the backtest settings: {e}")),
        };
        let data = match self.data_for(id, fingerprint) {
            Ok(data) => data,
            Err(response) => return response,
        };
        let started = clock.map_or(0.0, |now| now());
        // With a clock, at most one message per PROGRESS_INTERVAL_MS (and always the first and
        // the last): each message is a post and a redraw on the page, and 441 of them cost more
        // than the sweep. Without a clock, one per unit.
        let mut last_sent: Option<f64> = None;
        let mut progress = |done: usize, total: usize| {
            if let Some(now) = clock {
                let t = now();
                let due = last_sent.is_none_or(|last| t - last >= PROGRESS_INTERVAL_MS);
                if !(due || done >= total) {
                    return;
                }
                last_sent = Some(t);
            }
            emit(Response::Progress { id, done: done as u64, total: total as u64 })
        };
        let mut report = match run_backtest_with_progress(data.stages.dataset(), &config, &mut progress) {
            Ok(report) => report,
            Err(e) => return error(e.to_string()),
        };
        let elapsed = || clock.map_or(0.0, |now| now() - started);
        report.timing.model_ms = elapsed();
        let json = serde_json::to_string(&report);
        let (view, curves) = report.page_view();
        let view_json = serde_json::to_string(&view);
        match (json, view_json) {
            (Ok(mut json), Ok(view_json)) => {
                json.push('\n');
                Response::Backtest { id, fingerprint, json, view_json, curves, compute_ms: elapsed() }
            }
            (Err(e), _) | (_, Err(e)) => error(format!("the backtest report: {e}")),
        }
    }
}
