//! Browser tests (wasm-bindgen-test in headless Chromium): components mount and draw.
//!
//! Run by `scripts/test.sh` as
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p tideline-app --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use tideline_app::components::LineChart;
use tideline_core::Date;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn date(s: &str) -> Date {
    Date::parse_iso(s).expect("test date")
}

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().and_then(|w| w.document()).expect("document");
    let div = document.create_element("div").expect("div");
    document.body().expect("body").append_child(&div).expect("append");
    div.unchecked_into()
}

#[wasm_bindgen_test]
fn line_chart_draws_path_ticks_and_unit() {
    let parent = container();
    let points =
        vec![(date("2020-01-01"), 4_000.0), (date("2022-06-01"), 6_500.0), (date("2026-07-29"), 5_800.0)];
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <LineChart points=points.clone() unit="USD bn" label="test chart" /> }
    });
    let svg = parent.query_selector("svg.line-chart").expect("query").expect("an svg");
    assert_eq!(svg.get_attribute("aria-label").as_deref(), Some("test chart"));
    let path = parent.query_selector("path.series").expect("query").expect("a path");
    let d = path.get_attribute("d").unwrap_or_default();
    assert!(d.starts_with('M') && d.matches('L').count() == 2, "path {d}");
    let text = parent.text_content().unwrap_or_default();
    assert!(text.contains("USD bn"), "unit shown: {text}");
    assert!(text.contains("2022") && text.contains("6,000"), "ticks shown: {text}");
    assert!(parent.query_selector("circle.latest-dot").expect("query").is_some());
    drop(handle);
}

#[wasm_bindgen_test]
fn line_chart_with_no_points_draws_an_empty_frame() {
    let parent = container();
    let handle = leptos::mount::mount_to(parent.clone(), || {
        view! { <LineChart points=Vec::new() unit="USD bn" label="empty" /> }
    });
    let path = parent.query_selector("path.series").expect("query").expect("a path");
    assert_eq!(path.get_attribute("d").unwrap_or_default(), "");
    drop(handle);
}
