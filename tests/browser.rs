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

/// Waits for the main thread's later tasks (a chart draws in a task after its mount).
async fn tasks(n: u32) {
    for _ in 0..n {
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            let window = web_sys::window().expect("window");
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 5);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
    }
}

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().and_then(|w| w.document()).expect("document");
    let div = document.create_element("div").expect("div");
    document.body().expect("body").append_child(&div).expect("append");
    div.unchecked_into()
}

#[wasm_bindgen_test]
async fn line_chart_draws_path_ticks_and_unit() {
    let parent = container();
    let points =
        vec![(date("2020-01-01"), 4_000.0), (date("2022-06-01"), 6_500.0), (date("2026-07-29"), 5_800.0)];
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <LineChart points=points.clone() unit="USD bn" label="test chart" /> }
    });
    // The frame at once; the line in a later task of its own.
    let svg = parent.query_selector("svg.line-chart").expect("query").expect("an svg");
    assert_eq!(svg.get_attribute("aria-label").as_deref(), Some("test chart"));
    assert!(parent.query_selector("path.series").expect("query").is_none());
    tasks(3).await;
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
async fn line_chart_with_no_points_draws_an_empty_frame() {
    let parent = container();
    let handle = leptos::mount::mount_to(parent.clone(), || {
        view! { <LineChart points=Vec::new() unit="USD bn" label="empty" /> }
    });
    tasks(3).await;
    let path = parent.query_selector("path.series").expect("query").expect("a path");
    assert_eq!(path.get_attribute("d").unwrap_or_default(), "");
    drop(handle);
}

#[wasm_bindgen_test]
async fn jobs_run_later_in_order_one_per_task() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use tideline_app::components::later::in_own_task;

    let log = Rc::new(RefCell::new(Vec::<(u32, f64)>::new()));
    tasks(3).await; // the queue left by earlier tests has run
    for k in 0..4 {
        let log = log.clone();
        in_own_task(move || {
            log.borrow_mut().push((k, js_sys::Date::now()));
            if k == 0 {
                // A task queued by the first job runs before the second job: each job is a task.
                let log = log.clone();
                leptos::prelude::set_timeout(
                    move || log.borrow_mut().push((5, js_sys::Date::now())),
                    std::time::Duration::ZERO,
                );
            }
        });
    }
    // Nothing runs in the task that queued the jobs.
    assert!(log.borrow().is_empty());
    // A job queued from a job runs after the ones already queued.
    {
        let log = log.clone();
        in_own_task(move || {
            let inner = log.clone();
            in_own_task(move || inner.borrow_mut().push((9, js_sys::Date::now())));
        });
    }
    tasks(12).await;
    let order: Vec<u32> = log.borrow().iter().map(|(k, _)| *k).collect();
    assert_eq!(order, [0, 5, 1, 2, 3, 9]);
}

#[wasm_bindgen_test]
async fn a_chart_removed_before_its_task_does_not_fail() {
    let parent = container();
    let handle = leptos::mount::mount_to(parent.clone(), || {
        view! { <LineChart points=vec![(date("2020-01-01"), 1.0), (date("2020-02-01"), 2.0)] unit="%" label="gone" /> }
    });
    drop(handle);
    tasks(3).await;
    assert!(parent.query_selector("path.series").expect("query").is_none());
}
