//! Data: what was loaded, from where, how fresh; the reader's own files.

use leptos::prelude::*;

use crate::app::use_app;
use crate::components::{SeriesStatusTable, UploadPanel};

/// The data page: each series' status and the upload panel.
#[component]
pub fn DataPage() -> impl IntoView {
    let app = use_app();
    let statuses = Signal::derive(move || {
        app.outcome.with(|o| o.as_ref().map(|(o, _)| o.statuses.clone()).unwrap_or_default())
    });
    let cache_note = move || app.outcome.with(|o| o.as_ref().and_then(|(o, _)| o.cache_unavailable.clone()));
    let summary = move || {
        app.outcome.with(|o| match o {
            None => "Loading data…".to_string(),
            Some((o, _)) => {
                let loaded = o.statuses.iter().filter(|s| s.origin.is_some()).count();
                format!("{loaded} of {} series loaded.", o.statuses.len())
            }
        })
    };
    view! {
        <h1 class="answer" data-testid="answer">{summary}</h1>
        {move || cache_note().map(|note| view! { <p class="note">{format!("Browser cache not used: {note}")}</p> })}
        <section class="panel">
            <SeriesStatusTable rows=statuses />
        </section>
        <section class="panel">
            <UploadPanel uploads=app.uploads />
        </section>
    }
}
