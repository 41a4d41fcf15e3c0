//! The table inputs of a data folder (the spot-ETF flow table and the treasury-company sheet,
//! `FlowInputs::load_from`) in `tideline mirror`.
//!
//! They have no public machine-readable feed (Farside publishes an HTML page), so the mirror copies
//! them from `--from` when it has them: the first of the known names found there, validated by
//! parsing, written verbatim under the folder's own name (`etf_flows.csv`,
//! `treasury_companies.csv`) through a temporary file and a rename. Without `--from`, or when the
//! source is bad, a copy already in the output folder (from an earlier run, or put there by hand)
//! is validated and kept. Each table found gets a manifest entry under `tables`, so the page asks
//! only for files that exist.

use std::path::Path;

use sha2::{Digest, Sha256};
use tideline_core::manifest::ManifestEntry;
use tideline_core::model::flows::{TableKind, TableSummary};
use tideline_core::Date;

/// Parses a table file, the error as text.
fn parse(kind: TableKind, source: &str, body: &str) -> Result<TableSummary, String> {
    kind.check(source, body).map_err(|e| e.to_string())
}

fn entry(
    id: &str,
    source: String,
    parsed: &TableSummary,
    body: &str,
    error: Option<String>,
) -> ManifestEntry {
    ManifestEntry {
        id: id.to_string(),
        source: Some(source),
        fetched_at: super::mirror::now(),
        rows: parsed.rows,
        first: parsed.first,
        last: parsed.last,
        native_units: Some(parsed.units.to_string()),
        sha256: Some(format!("{:x}", Sha256::digest(body.as_bytes()))),
        error,
    }
}

/// True for the name the mirror gives a table input.
pub fn is_table(name: &str) -> bool {
    TableKind::ALL.iter().any(|k| k.file_name() == name)
}

/// Mirrors the tables `wanted` into `out` (see the module docs); prints one line per table found and
/// returns the manifest entries and whether all of them succeeded.
pub fn mirror_tables(
    out: &Path,
    from: Option<&Path>,
    wanted: &dyn Fn(&str) -> bool,
) -> (Vec<ManifestEntry>, bool) {
    let mut entries = Vec::new();
    let mut all_ok = true;
    for kind in TableKind::ALL.into_iter().filter(|k| wanted(k.file_name())) {
        let name = kind.file_name();
        let target = out.join(name);
        let mut error = None;
        let source = from.and_then(|dir| {
            kind.file_names().iter().find_map(|name| {
                let path = dir.join(name);
                Some((path.display().to_string(), std::fs::read_to_string(&path).ok()?))
            })
        });
        if let Some((source, body)) = source {
            match parse(kind, &source, &body) {
                Ok(parsed) => match super::mirror::atomic_write(&target, body.as_bytes()) {
                    Ok(()) => {
                        println!(
                            "OK table {}: {} rows, {}..{} from {source}",
                            name,
                            parsed.rows,
                            parsed.first.map(|d| d.to_string()).unwrap_or_default(),
                            parsed.last.map(|d| d.to_string()).unwrap_or_default()
                        );
                        entries.push(entry(name, source, &parsed, &body, None));
                        continue;
                    }
                    Err(e) => error = Some(format!("cannot write {}: {e}", target.display())),
                },
                Err(e) => error = Some(e),
            }
        }
        if let Some(e) = &error {
            all_ok = false;
            println!("ERROR table {}: {e}", name);
        }
        // The copy already in the folder, when it is still good.
        let kept = std::fs::read_to_string(&target).ok().and_then(|body| {
            let source = target.display().to_string();
            let parsed = parse(kind, &source, &body).ok()?;
            Some(entry(name, format!("{source} (kept from an earlier run)"), &parsed, &body, error.clone()))
        });
        match (kept, error) {
            (Some(kept), _) => entries.push(kept),
            (None, Some(e)) => entries.push(ManifestEntry {
                id: name.to_string(),
                source: None,
                fetched_at: super::mirror::now(),
                rows: 0,
                first: None,
                last: None,
                native_units: None,
                sha256: None,
                error: Some(e),
            }),
            (None, None) => {}
        }
    }
    (entries, all_ok)
}

/// Checks a file that is a table input by its name (any of [`TableKind::file_names`], e.g.
/// `etf_flows.csv` or `farside_btc_etf_flows.csv`): `Some(Ok("<rows> rows, <first>..<last>"))`
/// or `Some(Err("where: what"))`; `None` when the name is not a table's.
pub fn check_table(path: &Path, source: &str, body: &str) -> Option<Result<String, String>> {
    let kind = TableKind::of_file_name(path.file_name()?.to_str()?)?;
    let summary = kind.check(source, body).map(|p| {
        let span = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        format!("{} rows, {}..{}", p.rows, span(p.first), span(p.last))
    });
    // The check line already starts with the file's name: say only where and what.
    Some(summary.map_err(|e| format!("{}: {}", e.location, e.kind)))
}
