//! Explore: any loaded series, charted over the chosen window.

use leptos::prelude::*;
use tideline_core::settings::Settings;
use tideline_core::Date;

use crate::app::use_app;
use crate::components::LineChart;
use crate::state::SettingsWriter;

/// The series shown when the link chooses none.
const DEFAULT_SERIES: [&str; 2] = ["WALCL", "DGS10"];

/// The explore page: a series picker and one chart per chosen series.
#[component]
pub fn ExplorePage() -> impl IntoView {
    let app = use_app();
    let writer = StoredValue::new(SettingsWriter::new());
    let ids = Memo::new(move |_| {
        app.outcome.with(|o| {
            o.as_ref()
                .map(|(o, _)| o.dataset.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let chosen = Memo::new(move |_| {
        app.settings.with(|s| {
            if s.series.is_empty() {
                DEFAULT_SERIES.iter().map(|s| s.to_string()).collect::<Vec<_>>()
            } else {
                s.series.clone()
            }
        })
    });
    let toggle = move |id: String, on: bool| {
        let mut next: Vec<String> = chosen.get_untracked();
        next.retain(|s| *s != id);
        if on {
            next.push(id);
        }
        let current: Settings = app.settings.get_untracked();
        writer.with_value(|w| {
            w.update(&current, |s| {
                s.series = next.into_iter().take(tideline_core::settings::MAX_SERIES).collect()
            })
        });
    };
    let charts = move || {
        let chosen = chosen.get();
        // The as-of date of the link: nothing after it is shown, as on every other page.
        let as_of = app.settings.with(|s| s.as_of);
        app.outcome.with(|o| {
            let Some((o, _)) = o else { return Vec::new() };
            chosen
                .iter()
                .filter_map(|id| {
                    let loaded = o.dataset.loaded(id)?;
                    let units =
                        o.dataset.entry(id).map_or("as uploaded".to_string(), |e| e.canonical_units.clone());
                    let name = o.dataset.entry(id).map_or(id.clone(), |e| e.name.clone());
                    let points: Vec<(Date, f64)> =
                        loaded.series.iter().filter(|(d, _)| as_of.is_none_or(|a| *d <= a)).collect();
                    Some(view! {
                        <section class="panel">
                            <h2>{name.clone()} " " <span class="series-id">{id.clone()}</span></h2>
                            <LineChart points=points unit=units.clone() label=format!("{name}, {units}") id=id.clone() />
                            <p class="source">{format!("Source: {}", loaded.source)}</p>
                        </section>
                    })
                })
                .collect::<Vec<_>>()
        })
    };
    let loading = move || app.outcome.with(Option::is_none);
    view! {
        <h1 class="answer">"Explore any loaded series"</h1>
        <Show when=loading>
            <section class="panel skeleton" aria-busy="true">
                <p class="loading" role="status">"Loading data…"</p>
                <div class="skeleton-block"></div>
            </section>
        </Show>
        <section class="panel" class:hidden=loading>
            <fieldset class="picker">
                <legend>{format!("Series to chart (at most {})", tideline_core::settings::MAX_SERIES)}</legend>
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    {
                        let id2 = id.clone();
                        let checked = move || chosen.with(|c| c.contains(&id2));
                        let id3 = id.clone();
                        view! {
                            <label class="pick">
                                <input type="checkbox" prop:checked=checked
                                    on:change=move |ev| toggle(id3.clone(), event_target_checked(&ev)) />
                                {id.clone()}
                            </label>
                        }
                    }
                </For>
            </fieldset>
        </section>
        {charts}
    }
}
