//! The model's Web Worker: registers [`tideline_app::worker::ModelWorker`] in the worker's global
//! scope. Trunk builds it as a second binary (`data-type="worker"` in `index.html`) into
//! `tideline-worker.js` and `tideline-worker_bg.wasm`; only this binary links the statistics.

use gloo_worker::Registrable;

fn main() {
    console_error_panic_hook::set_once();
    tideline_app::worker::ModelWorker::registrar().register();
}
