//! Data: what was loaded, from where, how fresh; the reader's own files.

use leptos::prelude::*;

use crate::app::use_app;
use crate::components::{SeriesStatusTable, UploadPanel};
use crate::feeds::cache::clear_saved_data;

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
        <ClearSavedData />
    }
}

/// "Clear saved data": after the reader confirms, removes this browser's copies of the data
/// ([`clear_saved_data`]) and reloads, so the page shows only what the data folder serves now.
#[component]
fn ClearSavedData() -> impl IntoView {
    let (failure, set_failure) = signal(None::<String>);
    let clear = move |_| {
        let Some(window) = web_sys::window() else { return };
        let asked = "Remove the copies of the data saved in this browser (for offline use and as the last \
                     good copies)? Your uploads stay.";
        if !window.confirm_with_message(asked).unwrap_or(false) {
            return;
        }
        leptos::task::spawn_local(async move {
            match clear_saved_data().await {
                Ok(()) => {
                    let _ = window.location().reload();
                }
                Err(e) => set_failure.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="saved-data-heading">
            <h2 id="saved-data-heading">"Saved data"</h2>
            <p class="note">
                "This browser keeps the last good copy of every series and table, so the page opens at once, \
                 works offline and never loses good data to a failed feed. Nothing is sent anywhere."
            </p>
            <button type="button" class="button" data-testid="clear-saved" on:click=clear>"Clear saved data"</button>
            {move || failure.get().map(|e| view! { <p class="error" role="alert">{format!("Could not clear: {e}")}</p> })}
        </section>
    }
}
