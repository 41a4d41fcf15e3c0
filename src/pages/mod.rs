//! One page per question (`../shared/UI.md`): each states its answer first, from the report, then
//! the evidence. Pages read the shared data and report through [`crate::app::use_app`]; they draw
//! and format, the core computes.

mod analysis;
mod backtest;
mod data;
mod explore;

pub use analysis::{AsymmetryPage, BeyondPage, ChainPage, LeadLagPage, Overview, RotationPage};
pub use backtest::BacktestPage;
pub use data::DataPage;
pub use explore::ExplorePage;

use std::sync::Arc;

use leptos::prelude::*;
use tideline_core::report::Report;

use crate::app::{use_app, LoadFailure};

/// The page's body once the report is there: `body(report)` (shared, not copied, by the views
/// that draw it); a skeleton of the same height while
/// the data loads; the failure and each series' status when the model cannot run.
pub(crate) fn with_report<V: IntoView + 'static>(
    title: &'static str,
    body: impl Fn(Arc<Report>) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let app = use_app();
    move || match app.report.get() {
        None => view! {
            <section class="panel skeleton" aria-busy="true" aria-label=title>
                <h1>{title}</h1>
                <p class="loading" role="status">"Loading data…"</p>
                <div class="skeleton-block"></div>
            </section>
        }
        .into_any(),
        Some(Ok(report)) => body(report).into_any(),
        Some(Err(error)) => view! { <LoadFailure error=error /> }.into_any(),
    }
}

/// An interval as `[-0.05, +0.81]`, or a dash.
pub(crate) fn interval(ci: Option<[f64; 2]>, decimals: usize) -> String {
    ci.map_or_else(|| "–".to_string(), |[lo, hi]| format!("[{lo:+.decimals$}, {hi:+.decimals$}]"))
}

/// A signed figure, or a dash.
pub(crate) fn signed(v: Option<f64>, decimals: usize) -> String {
    v.filter(|v| v.is_finite()).map_or_else(|| "–".to_string(), |v| format!("{v:+.decimals$}"))
}
