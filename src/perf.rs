//! What the page measures about itself, for `scripts/bench.sh` and the browser's own profiler.
//!
//! - Each model run is a `performance.measure` named `tideline:model` on the page's timeline
//!   (between the marks `tideline:model-start` and `tideline:model-end`), and the first report on
//!   screen is the mark `tideline:first-report`.
//! - Totals that a timeline cannot hold (bytes parsed, how long parsing them took, saved copies
//!   decoded) are kept in `window.tidelineBench`, a plain object of
//!   `{ name: { ms, bytes, count } }`, plus `model_sections`: the last run's cost per stage as the
//!   core timed it ([`tideline_core::report::Timing::sections`]).
//!
//! Nothing here changes what the page shows; every call is a no-op outside a browser window (and
//! natively, where the data layer's unit tests run).

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// Milliseconds on the page's clock (`performance.now()`), 0 outside a window.
pub fn now_ms() -> f64 {
    if !IN_BROWSER {
        return 0.0;
    }
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Places the mark `name` on the page's timeline.
pub fn mark(name: &str) {
    if !IN_BROWSER {
        return;
    }
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Records the measure `name` from the mark `start` to the mark `end` (both placed by [`mark`]).
pub fn measure(name: &str, start: &str, end: &str) {
    if !IN_BROWSER {
        return;
    }
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.measure_with_start_mark_and_end_mark(name, start, end);
    }
}

/// Adds one operation of `ms` milliseconds over `bytes` bytes to the total `name` in
/// `window.tidelineBench`.
pub fn add(name: &str, ms: f64, bytes: usize) {
    let Some(entry) = entry(name) else { return };
    let read = |key: &str| Reflect::get(&entry, &key.into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let (total_ms, total_bytes, count) = (read("ms") + ms, read("bytes") + bytes as f64, read("count") + 1.0);
    let _ = Reflect::set(&entry, &"ms".into(), &total_ms.into());
    let _ = Reflect::set(&entry, &"bytes".into(), &total_bytes.into());
    let _ = Reflect::set(&entry, &"count".into(), &count.into());
}

/// Keeps the last model run's cost per stage in `window.tidelineBench.model_sections`.
pub fn set_sections(sections: &[tideline_core::report::SectionTime]) {
    let Some(bench) = bench() else { return };
    let object = Object::new();
    for s in sections {
        let _ = Reflect::set(&object, &s.section.as_str().into(), &s.ms.into());
    }
    let _ = Reflect::set(&bench, &"model_sections".into(), &object);
}

/// Calls into the browser exist only in wasm (natively they would panic).
const IN_BROWSER: bool = cfg!(target_arch = "wasm32");

fn bench() -> Option<JsValue> {
    if !IN_BROWSER {
        return None;
    }
    let window: JsValue = web_sys::window()?.into();
    let key: JsValue = "tidelineBench".into();
    let existing = Reflect::get(&window, &key).ok().filter(|v| v.is_object());
    existing.or_else(|| {
        let fresh: JsValue = Object::new().into();
        Reflect::set(&window, &key, &fresh).ok().map(|_| fresh)
    })
}

fn entry(name: &str) -> Option<JsValue> {
    let bench = bench()?;
    let existing = Reflect::get(&bench, &name.into()).ok().filter(|v| v.is_object());
    existing.or_else(|| {
        let fresh: JsValue = Object::new().into();
        Reflect::set(&bench, &name.into(), &fresh).ok().map(|_| fresh)
    })
}
