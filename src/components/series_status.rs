//! The per-series status table: what was loaded, from where, and how fresh it is.

use leptos::prelude::*;
use tideline_core::Date;

use crate::feeds::Origin;

/// One row of the status table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeriesStatus {
    /// Catalog id (or the user's name for an upload).
    pub id: String,
    /// The file or URL the copy in use came from.
    pub source: String,
    /// Observations loaded (0 on error).
    pub rows: usize,
    /// First and last observation dates.
    pub span: Option<(String, String)>,
    /// Native units and the canonical ones.
    pub units: String,
    /// Licence and attribution note.
    pub licence: String,
    /// Why it could not be loaded at all (no usable copy).
    pub error: Option<String>,
    /// Where the copy in use came from: the browser cache, the mirror folder, a live feed or an
    /// upload (`None` when nothing could be loaded).
    pub origin: Option<Origin>,
    /// The date of the newest observation in use.
    pub last_date: Option<Date>,
    /// When the body in use was fetched, Unix milliseconds.
    pub fetched_at_ms: Option<f64>,
    /// The newest observation is older than twice the native period plus the publication lag
    /// (MODEL.md 1.3): flagged here and excluded from scores. Never set for uploads, whose native
    /// frequency is unknown.
    pub stale: bool,
    /// Problems with other sources while a good copy was still used (a mirror file that failed,
    /// a live feed that sent an error page): the copy shown is the last good one.
    pub warnings: Vec<String>,
}

/// A Unix-milliseconds time as `YYYY-MM-DD HH:MM UTC`.
pub fn format_timestamp(ms: f64) -> String {
    if !ms.is_finite() {
        return String::new();
    }
    let ms = ms as i64;
    let Some(date) = Date::from_unix_millis(ms) else { return String::new() };
    let minutes = ms.rem_euclid(86_400_000) / 60_000;
    format!("{date} {:02}:{:02} UTC", minutes / 60, minutes % 60)
}

/// The freshness cell: stale or fresh, where the copy came from and when it was fetched.
fn freshness(row: &SeriesStatus) -> String {
    let Some(origin) = row.origin else { return String::new() };
    let state = match (row.stale, row.last_date) {
        (true, Some(d)) => format!("stale (last observation {d})"),
        (false, Some(_)) if origin != Origin::Upload => "fresh".to_string(),
        _ => String::new(),
    };
    let fetched =
        row.fetched_at_ms.map(|ms| format!(", fetched {}", format_timestamp(ms))).unwrap_or_default();
    let from = match origin {
        Origin::Cache => "saved copy in this browser",
        Origin::Mirror => "data folder",
        Origin::Live => "live feed",
        Origin::Upload => "your upload",
    };
    [state, format!("{from}{fetched}")].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("; ")
}

/// The key of a table row: every field that is shown, so that a row whose content changes (a cached
/// copy replaced by a fresher one) is redrawn.
type RowKey =
    (String, String, usize, Option<Date>, Option<u64>, bool, Option<String>, Vec<String>, Option<Origin>);

fn row_key(row: &SeriesStatus) -> RowKey {
    (
        row.id.clone(),
        row.source.clone(),
        row.rows,
        row.last_date,
        row.fetched_at_ms.map(f64::to_bits),
        row.stale,
        row.error.clone(),
        row.warnings.clone(),
        row.origin,
    )
}

/// A table of series statuses. Error and warning text is rendered as text, never as markup.
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
                    <th scope="col">"Freshness"</th>
                    <th scope="col">"Units"</th>
                    <th scope="col">"Source and licence"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || rows.get() key=row_key let:row>
                    <tr class:error=row.error.is_some() class:stale=row.stale>
                        <th scope="row">{row.id.clone()}</th>
                        <td>{row.rows}</td>
                        <td>
                            {match (&row.span, &row.error) {
                                (_, Some(e)) => e.clone(),
                                (Some((a, b)), None) => format!("{a} to {b}"),
                                (None, None) => String::new(),
                            }}
                        </td>
                        <td>
                            {freshness(&row)}
                            {(!row.warnings.is_empty()).then(|| view! {
                                <ul class="warnings">
                                    {row.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
                                </ul>
                            })}
                        </td>
                        <td>{row.units.clone()}</td>
                        <td>{format!("{} ({})", row.source, row.licence)}</td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_timestamps_in_utc() {
        // 2024-01-03 13:05 UTC.
        assert_eq!(format_timestamp(1_704_287_100_000.0), "2024-01-03 13:05 UTC");
        assert_eq!(format_timestamp(f64::NAN), "");
    }

    #[test]
    fn freshness_says_stale_origin_and_fetch_time() {
        let row = SeriesStatus {
            origin: Some(Origin::Cache),
            last_date: Date::parse_iso("2024-01-03"),
            stale: true,
            fetched_at_ms: Some(1_704_287_100_000.0),
            ..SeriesStatus::default()
        };
        assert_eq!(
            freshness(&row),
            "stale (last observation 2024-01-03); saved copy in this browser, fetched 2024-01-03 13:05 UTC"
        );
        assert_eq!(freshness(&SeriesStatus::default()), "");
    }
}
