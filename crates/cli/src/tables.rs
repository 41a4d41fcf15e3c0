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
use tideline_core::model::flows::{parse_flow_table, parse_treasury_sheet, ETF_FLOW_FILES, TREASURY_FILES};
use tideline_core::Date;

/// A table that parsed: rows and span.
struct Parsed {
    rows: usize,
    first: Option<Date>,
    last: Option<Date>,
    units: &'static str,
}

/// One kind of table: the name it gets in the output folder, the names it may have in a source
/// folder, and its parser.
struct Kind {
    name: &'static str,
    candidates: &'static [&'static str],
    parse: fn(&str, &str) -> Result<Parsed, String>,
}

fn parse_etf(source: &str, body: &str) -> Result<Parsed, String> {
    let table = parse_flow_table(source, body, None).map_err(|e| e.to_string())?;
    Ok(Parsed {
        rows: table.rows.len(),
        first: table.rows.first().map(|r| r.date),
        last: table.rows.last().map(|r| r.date),
        units: "USD mn",
    })
}

fn parse_treasury(source: &str, body: &str) -> Result<Parsed, String> {
    let sheet = parse_treasury_sheet(source, body).map_err(|e| e.to_string())?;
    Ok(Parsed {
        rows: sheet.rows.len(),
        first: sheet.rows.iter().map(|r| r.date).min(),
        last: sheet.rows.iter().map(|r| r.date).max(),
        units: "shares, USD, BTC",
    })
}

const KINDS: [Kind; 2] = [
    Kind { name: ETF_FLOW_FILES[0], candidates: &ETF_FLOW_FILES, parse: parse_etf },
    Kind { name: TREASURY_FILES[0], candidates: &TREASURY_FILES, parse: parse_treasury },
];

fn entry(id: &str, source: String, parsed: &Parsed, body: &str, error: Option<String>) -> ManifestEntry {
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

/// True for the name of a table input in a data folder.
pub fn is_table(name: &str) -> bool {
    KINDS.iter().any(|k| k.name == name)
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
    for kind in KINDS.iter().filter(|k| wanted(k.name)) {
        let target = out.join(kind.name);
        let mut error = None;
        let source = from.and_then(|dir| {
            kind.candidates.iter().find_map(|name| {
                let path = dir.join(name);
                Some((path.display().to_string(), std::fs::read_to_string(&path).ok()?))
            })
        });
        if let Some((source, body)) = source {
            match (kind.parse)(&source, &body) {
                Ok(parsed) => match super::mirror::atomic_write(&target, body.as_bytes()) {
                    Ok(()) => {
                        println!(
                            "OK table {}: {} rows, {}..{} from {source}",
                            kind.name,
                            parsed.rows,
                            parsed.first.map(|d| d.to_string()).unwrap_or_default(),
                            parsed.last.map(|d| d.to_string()).unwrap_or_default()
                        );
                        entries.push(entry(kind.name, source, &parsed, &body, None));
                        continue;
                    }
                    Err(e) => error = Some(format!("cannot write {}: {e}", target.display())),
                },
                Err(e) => error = Some(e),
            }
        }
        if let Some(e) = &error {
            all_ok = false;
            println!("ERROR table {}: {e}", kind.name);
        }
        // The copy already in the folder, when it is still good.
        let kept = std::fs::read_to_string(&target).ok().and_then(|body| {
            let source = target.display().to_string();
            let parsed = (kind.parse)(&source, &body).ok()?;
            Some(entry(
                kind.name,
                format!("{source} (kept from an earlier run)"),
                &parsed,
                &body,
                error.clone(),
            ))
        });
        match (kept, error) {
            (Some(kept), _) => entries.push(kept),
            (None, Some(e)) => entries.push(ManifestEntry {
                id: kind.name.to_string(),
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

/// Checks a file that is a table input by its name (a name the mirror uses or reads, or any
/// `*etf_flows*.csv` / `*treasury*.csv`): `Some(Ok("<rows> rows, <first>..<last>"))` or
/// `Some(Err(where: what))`; `None` when the name is not a table's.
pub fn check_table(path: &Path, source: &str, body: &str) -> Option<Result<String, String>> {
    let file = path.file_name()?.to_str()?.to_ascii_lowercase();
    let kind = if file.contains("etf_flows") {
        &KINDS[0]
    } else if file.contains("treasury") {
        &KINDS[1]
    } else {
        return None;
    };
    let summary = (kind.parse)(source, body).map(|p| {
        let span = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        format!("{} rows, {}..{}", p.rows, span(p.first), span(p.last))
    });
    // The check line already starts with the file's name.
    Some(summary.map_err(|e| e.strip_prefix(&format!("{source}: ")).unwrap_or(&e).to_string()))
}
