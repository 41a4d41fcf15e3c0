//! The per-series status table: what was loaded, from where, and how fresh it is.

use leptos::prelude::*;

/// One row of the status table.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesStatus {
    /// Catalog id.
    pub id: String,
    /// The file it came from.
    pub source: String,
    /// Observations loaded (0 on error).
    pub rows: usize,
    /// First and last observation dates.
    pub span: Option<(String, String)>,
    /// Native units and the canonical ones.
    pub units: String,
    /// Licence and attribution note.
    pub licence: String,
    /// Why it could not be loaded.
    pub error: Option<String>,
}

/// A table of series statuses. Error text is rendered as text, never as markup.
#[component]
pub fn SeriesStatusTable(
    /// The rows.
    #[prop(into)]
    rows: Signal<Vec<SeriesStatus>>,
) -> impl IntoView {
    view! {
        <table class="status">
            <caption>"Data used"</caption>
            <thead>
                <tr>
                    <th scope="col">"Series"</th>
                    <th scope="col">"Observations"</th>
                    <th scope="col">"Span"</th>
                    <th scope="col">"Units"</th>
                    <th scope="col">"Source and licence"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || rows.get() key=|r| r.id.clone() let:row>
                    <tr class:error=row.error.is_some()>
                        <th scope="row">{row.id.clone()}</th>
                        <td>{row.rows}</td>
                        <td>
                            {match (&row.span, &row.error) {
                                (_, Some(e)) => e.clone(),
                                (Some((a, b)), None) => format!("{a} to {b}"),
                                (None, None) => String::new(),
                            }}
                        </td>
                        <td>{row.units.clone()}</td>
                        <td>{format!("{} ({})", row.source, row.licence)}</td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}
