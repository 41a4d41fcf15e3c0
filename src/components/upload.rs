//! The CSV upload panel: the user adds a series of their own (an altcoin index, a gold price) and
//! says which part of the model it feeds, or a table (a spot-ETF flow table, a treasury-company
//! sheet), which replaces the mirror's for the flow figures.
//!
//! The body is checked by the core's parser for its kind ([`validate_upload_body`]); a bad file is
//! refused with the parser's message, which names the line. A good one is stored in IndexedDB
//! (`uploads`, see [`crate::feeds::cache`]) and listed with a remove button. The list lives in a
//! signal the page owns, so the page can add the series to its dataset with
//! [`crate::feeds::loader::LoadOutcome::with_uploads`].
//!
//! Everything from the file (its name, its text, the parser's message quoting it) is rendered as
//! text nodes, never as markup.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tideline_core::catalog::{Catalog, Role};
use tideline_core::parse::{self, Format};
use tideline_core::Date;
use wasm_bindgen_futures::JsFuture;

use crate::components::series_status::format_timestamp;
use crate::feeds::cache::{role_from_name, role_name, Cache, StoredUpload, TableKind};
use tideline_core::model::flows::FlowInputs;

/// The roles an upload may take, with their labels, in the chain's order.
pub const ROLES: [(Role, &str); 6] = [
    (Role::Inflation, "Inflation"),
    (Role::Rates, "Rates"),
    (Role::Liquidity, "Liquidity"),
    (Role::RiskAppetite, "Risk appetite"),
    (Role::Growth, "Growth"),
    (Role::Asset, "Asset"),
];

/// Files above this size are refused before they are read (a daily series of a century is ~1 MB).
pub const MAX_UPLOAD_BYTES: f64 = 20_000_000.0;

/// The longest series name accepted.
pub const MAX_NAME_CHARS: usize = 64;

/// What a valid uploaded file holds.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadSummary {
    /// Observations read.
    pub rows: usize,
    /// The first observation date.
    pub first: Date,
    /// The last observation date.
    pub last: Date,
}

/// A file read into memory, not added yet.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingFile {
    /// The file's name.
    pub file_name: String,
    /// Its text.
    pub body: String,
}

/// The label of a role.
pub fn role_label(role: Role) -> &'static str {
    ROLES.iter().find(|(r, _)| *r == role).map_or("Other", |(_, label)| label)
}

/// What an upload is labelled as in the list.
pub fn upload_label(upload: &StoredUpload) -> &'static str {
    upload.table.map_or_else(|| role_label(upload.role), TableKind::label)
}

/// Checks an uploaded body: a series with the core's user-CSV parser (`Format::Csv`), a table
/// with its own parser. The error is the parser's message, which names the file, the line and the
/// problem.
pub fn validate_upload_body(
    file_name: &str,
    body: &str,
    table: Option<TableKind>,
) -> Result<UploadSummary, String> {
    let (rows, first, last) = match table {
        None => {
            let series = parse::parse(Format::Csv, file_name, body, None).map_err(|e| e.to_string())?;
            (series.len(), series.first().map(|f| f.0), series.last().map(|l| l.0))
        }
        Some(kind) => {
            let summary = kind.check(file_name, body).map_err(|e| e.to_string())?;
            (summary.rows, summary.first, summary.last)
        }
    };
    match (first, last) {
        (Some(first), Some(last)) => Ok(UploadSummary { rows, first, last }),
        _ => Err(format!("{file_name}: no observations")),
    }
}

/// The mirror's table inputs with the user's uploaded tables in their place (an uploaded table
/// wins; one that no longer parses is left out, and its status row says why: see
/// [`crate::feeds::loader::LoadOutcome::with_uploads`]).
pub fn tables_with_uploads(base: &FlowInputs, uploads: &[StoredUpload]) -> FlowInputs {
    let mut out = base.clone();
    for upload in uploads {
        if let Some(kind) = upload.table {
            // A failure leaves the mirror's table in place; the status row reports it.
            let _ = kind.load_into(&mut out, &upload.file_name, &upload.body);
        }
    }
    out
}

/// Checks the name the user chose for an upload and returns it trimmed: not empty, at most
/// [`MAX_NAME_CHARS`] characters without control characters, not a catalog series id (any case),
/// not the name of an upload already in `existing`.
pub fn validate_upload_name(
    name: &str,
    catalog: &Catalog,
    existing: &[StoredUpload],
) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Name the series.".to_string());
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!("Use a name of at most {MAX_NAME_CHARS} characters, without line breaks."));
    }
    if let Some(entry) = catalog.series.iter().find(|e| e.id.eq_ignore_ascii_case(name)) {
        return Err(format!("{} is a catalog series ({}); choose another name.", entry.id, entry.name));
    }
    if existing.iter().any(|u| u.name == name) {
        return Err(format!("You already added a series named {name}; remove it first to replace it."));
    }
    Ok(name.to_string())
}

/// Reads a picked or dropped file as text.
async fn read_file(file: web_sys::File) -> Result<PendingFile, String> {
    let file_name = file.name();
    if file.size() > MAX_UPLOAD_BYTES {
        return Err(format!(
            "{file_name} is {:.1} MB; files up to {:.0} MB are accepted.",
            file.size() / 1e6,
            MAX_UPLOAD_BYTES / 1e6
        ));
    }
    let text = JsFuture::from(file.text()).await.map_err(|_| format!("{file_name} could not be read."))?;
    let body = text.as_string().ok_or_else(|| format!("{file_name} is not text."))?;
    Ok(PendingFile { file_name, body })
}

/// Stores a checked upload; `Ok(Some(note))` when it could only be kept for this visit.
async fn store_upload(upload: &StoredUpload) -> Result<Option<String>, String> {
    match Cache::open().await {
        Ok(cache) => cache.put(upload).await.map(|()| None).map_err(|e| e.to_string()),
        Err(e) => Ok(Some(format!("{} was added for this visit only: {e}", upload.name))),
    }
}

/// The upload panel: a file picker and drop zone, the series' name and role, the parser's verdict,
/// and the list of uploads with a remove button each.
///
/// When it mounts, it adds the uploads saved in this browser to `uploads`.
#[component]
pub fn UploadPanel(
    /// The user's uploads. The panel adds the saved ones when it mounts, and adds and removes
    /// entries as the user does; the page reads it to add the series to its dataset.
    uploads: RwSignal<Vec<StoredUpload>>,
) -> impl IntoView {
    let catalog = StoredValue::new(Catalog::builtin());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Asset);
    // `Some` when the user says the file is a table rather than a series.
    let table = RwSignal::new(None::<TableKind>);
    let dragging = RwSignal::new(false);
    let form_error = RwSignal::new(None::<String>);
    let file_input = NodeRef::<leptos::html::Input>::new();

    // The saved uploads, merged with any the user added meanwhile.
    spawn_local(async move {
        let Ok(cache) = Cache::open().await else { return };
        if let Ok(mut saved) = cache.list::<StoredUpload>().await {
            saved.sort_by(|a, b| a.added_at_ms.total_cmp(&b.added_at_ms));
            uploads.update(|list| {
                let fresh: Vec<_> =
                    saved.into_iter().filter(|s| list.iter().all(|u| u.name != s.name)).collect();
                list.splice(0..0, fresh);
            });
        }
    });

    let read = Action::new_local(|file: &web_sys::File| read_file(file.clone()));
    let pending = read.value();
    let check = Memo::new(move |_| {
        pending.with(|p| match p {
            Some(Ok(file)) => Some(validate_upload_body(&file.file_name, &file.body, table.get())),
            Some(Err(error)) => Some(Err(error.clone())),
            None => None,
        })
    });

    let add = Action::new_unsync(move |upload: &StoredUpload| {
        let upload = upload.clone();
        async move {
            let stored = store_upload(&upload).await?;
            uploads.update(|list| list.push(upload));
            pending.set(None);
            name.set(String::new());
            if let Some(input) = file_input.get_untracked() {
                input.set_value("");
            }
            Ok::<_, String>(stored)
        }
    });
    let remove = Action::new_unsync(move |upload_name: &String| {
        let upload_name = upload_name.clone();
        async move {
            let result = match Cache::open().await {
                Ok(cache) => cache.delete::<StoredUpload>(&upload_name).await.map_err(|e| e.to_string()),
                Err(_) => Ok(()),
            };
            uploads.update(|list| list.retain(|u| u.name != upload_name));
            result
        }
    });

    let choose = move |file: Option<web_sys::File>| {
        if let Some(file) = file {
            form_error.set(None);
            read.dispatch_local(file);
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(Ok(file)) = pending.get_untracked() else {
            form_error.set(Some("Choose a CSV file first.".to_string()));
            return;
        };
        let kind = table.get_untracked();
        if let Err(error) = validate_upload_body(&file.file_name, &file.body, kind) {
            form_error.set(Some(format!("Not added: {error}")));
            return;
        }
        let typed = name.get_untracked();
        let chosen = match kind {
            Some(kind) => kind.file_name().to_string(),
            None if typed.trim().is_empty() => parse::stem(&file.file_name).to_string(),
            None => typed,
        };
        let checked = match kind {
            Some(kind) if uploads.with_untracked(|list| list.iter().any(|u| u.table == Some(kind))) => {
                Err(format!(
                    "You already added a {}; remove it first to replace it.",
                    kind.label().to_lowercase()
                ))
            }
            _ => {
                uploads.with_untracked(|list| catalog.with_value(|c| validate_upload_name(&chosen, c, list)))
            }
        };
        match checked {
            Ok(series_name) => {
                form_error.set(None);
                add.dispatch(StoredUpload {
                    name: series_name,
                    role: role.get_untracked(),
                    table: kind,
                    file_name: file.file_name,
                    body: file.body,
                    added_at_ms: js_sys::Date::now(),
                });
            }
            Err(error) => form_error.set(Some(error)),
        }
    };

    let verdict = move || match check.get() {
        Some(Ok(summary)) => Some(
            view! {
                <p class="upload-ok" role="status">
                    {pending.with(|p| p.as_ref().and_then(|r| r.as_ref().ok()).map(|f| f.file_name.clone()))}
                    {format!(": {} observations, {} to {}", summary.rows, summary.first, summary.last)}
                </p>
            }
            .into_any(),
        ),
        // Submitted anyway and refused: the form's refusal says it, once.
        Some(Err(_)) if form_error.with(Option::is_some) => None,
        Some(Err(error)) => Some(view! { <p class="upload-error" role="alert">{error}</p> }.into_any()),
        None => None,
    };
    let outcome = move || match add.value().get() {
        Some(Err(error)) => Some(
            view! { <p class="upload-error" role="alert">{format!("Not added: {error}")}</p> }.into_any(),
        ),
        Some(Ok(Some(note))) => Some(view! { <p class="upload-note" role="status">{note}</p> }.into_any()),
        _ => None,
    };
    let remove_error = move || match remove.value().get() {
        Some(Err(error)) => Some(view! { <p class="upload-error" role="alert">{error}</p> }),
        _ => None,
    };

    view! {
        <section class="panel upload" aria-labelledby="upload-title">
            <h2 id="upload-title">"Your series"</h2>
            <p class="definition">
                "Add a CSV file with a date column and a value column, or a spot-ETF flow table (date, one column per fund, total) "
                "or a treasury-company sheet (date, company, shares outstanding, share price, BTC held). It stays in this browser."
            </p>
            <form class="upload-form" on:submit=on_submit novalidate>
                <div
                    class="drop-zone"
                    class:dragging=move || dragging.get()
                    role="group"
                    aria-labelledby="upload-file-label"
                    aria-describedby="upload-drop-hint"
                    on:dragover=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        dragging.set(true);
                    }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        dragging.set(false);
                        choose(ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)));
                    }
                >
                    <label id="upload-file-label" for="upload-file">"CSV file"</label>
                    <input
                        id="upload-file"
                        type="file"
                        accept=".csv,text/csv"
                        node_ref=file_input
                        on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            choose(input.files().and_then(|f| f.get(0)));
                        }
                    />
                    <p id="upload-drop-hint" class="hint">"Choose a file, or drop one here."</p>
                </div>
                {verdict}
                <label for="upload-name">"Series name"</label>
                <input
                    id="upload-name"
                    type="text"
                    maxlength=MAX_NAME_CHARS.to_string()
                    placeholder=move || table.get().map_or("the file's name", TableKind::file_name)
                    disabled=move || table.get().is_some()
                    bind:value=name
                />
                <label for="upload-role">"What it is"</label>
                <select
                    id="upload-role"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some(kind) = TableKind::of_file_name(&value) {
                            table.set(Some(kind));
                        } else if let Some(r) = role_from_name(&value) {
                            table.set(None);
                            role.set(r);
                        }
                    }
                >
                    {ROLES
                        .iter()
                        .map(|(r, label)| {
                            let r = *r;
                            view! {
                                <option value=role_name(r) selected=move || table.get().is_none() && role.get() == r>
                                    {format!("Series: {label}")}
                                </option>
                            }
                        })
                        .collect_view()}
                    {TableKind::ALL
                        .into_iter()
                        .map(|kind| view! {
                            <option value=kind.file_name() selected=move || table.get() == Some(kind)>
                                {kind.label()}
                            </option>
                        })
                        .collect_view()}
                </select>
                <button type="submit" disabled=move || add.pending().get() || read.pending().get()>
                    "Add"
                </button>
                {move || form_error.get().map(|e| view! { <p class="upload-error" role="alert">{e}</p> })}
                {outcome}
            </form>
            {remove_error}
            <ul class="uploads" aria-label="Your uploaded series and tables">
                <For
                    each=move || uploads.get()
                    key=|u| (u.name.clone(), u.added_at_ms.to_bits())
                    let:upload
                >
                    <li>
                        <span class="upload-name">{upload.name.clone()}</span>
                        {format!(
                            " ({}), from {}, added {}",
                            upload_label(&upload),
                            upload.file_name,
                            format_timestamp(upload.added_at_ms),
                        )}
                        " "
                        <button
                            type="button"
                            aria-label=format!("Remove {}", upload.name)
                            on:click={
                                let upload_name = upload.name.clone();
                                move |_| {
                                    remove.dispatch(upload_name.clone());
                                }
                            }
                        >
                            "Remove"
                        </button>
                    </li>
                </For>
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_bad_csv_naming_the_line() {
        let error = validate_upload_body("mine.csv", "date,close\n2024-01-01,1.5\n2024-01-02,abc\n", None)
            .expect_err("non-numeric value");
        assert!(error.contains("mine.csv") && error.contains("line 3"), "{error}");
        let ok = validate_upload_body("mine.csv", "date,close\n2024-01-01,1.5\n2024-01-02,1.6\n", None)
            .expect("valid");
        assert_eq!(ok.rows, 2);
    }

    #[test]
    fn tables_are_checked_with_their_own_parser_and_replace_the_mirrors() {
        let flows = "Date,IBIT,GBTC,Total\n11 Jan 2024,111.7,(95.1),16.6\n12 Jan 2024,386.0,-,386.0\n";
        let ok = validate_upload_body("flows.csv", flows, Some(TableKind::EtfFlows)).expect("a flow table");
        assert_eq!((ok.rows, ok.first.to_string()), (2, "2024-01-11".to_string()));
        let error = validate_upload_body(
            "flows.csv",
            "Date,IBIT,Total\n2024-01-11,abc,1\n",
            Some(TableKind::EtfFlows),
        )
        .expect_err("bad cell");
        assert!(error.contains("line 2"), "{error}");
        let sheet = "date,company,shares,price,btc\n2024-01-10,MSTR,100,50,1000\n";
        assert_eq!(validate_upload_body("t.csv", sheet, Some(TableKind::Treasury)).map(|s| s.rows), Ok(1));
        let upload = StoredUpload {
            name: TableKind::EtfFlows.file_name().into(),
            role: Role::Asset,
            table: Some(TableKind::EtfFlows),
            file_name: "flows.csv".into(),
            body: flows.into(),
            added_at_ms: 0.0,
        };
        let tables = tables_with_uploads(&FlowInputs::default(), &[upload]);
        assert_eq!(tables.etf.map(|t| t.rows.len()), Some(2));
        assert!(tables.treasury.is_none());
    }

    #[test]
    fn names_must_be_new_and_not_catalog_ids() {
        let catalog = Catalog::builtin();
        assert_eq!(validate_upload_name("  ALTS ", &catalog, &[]), Ok("ALTS".to_string()));
        assert!(validate_upload_name("", &catalog, &[]).is_err());
        assert!(validate_upload_name("walcl", &catalog, &[]).is_err());
        let existing = StoredUpload {
            name: "ALTS".into(),
            role: Role::Asset,
            table: None,
            file_name: "a.csv".into(),
            body: String::new(),
            added_at_ms: 0.0,
        };
        assert!(validate_upload_name("ALTS", &catalog, &[existing]).is_err());
    }
}
