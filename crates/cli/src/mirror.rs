//! `tideline mirror`: fill a data folder with every catalog series.
//!
//! For each catalog entry the mirror tries, in order, the local folder given by `--from` (the
//! entry's `<ID>.csv`, then its other known file names, keeping the freshest valid one), or else
//! the entry's public feeds (with `--base-url` replacing their scheme and host, for tests). Every
//! body is parsed and checked against the catalog's plausible range before it is written, as a
//! FRED-format CSV of native values, through a temporary file and a rename: a bad body never
//! replaces the last good copy. A `manifest.json` records, per series, the source, when it was
//! fetched, the rows, the first and last dates, the sha256 of the file and any error.
//!
//! Network fetches use timeouts and up to four attempts with exponential backoff, honouring a
//! `Retry-After` header on 429 and 503. A failed series is reported and skipped; the exit code is
//! non-zero when any series failed.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tideline_core::catalog::{Catalog, CatalogEntry};
use tideline_core::parse::{self, Format};
use tideline_core::{Date, Series};

/// Arguments of `tideline mirror`.
#[derive(Args, Debug)]
pub struct MirrorArgs {
    /// The folder to fill (created when missing).
    #[arg(long)]
    out: PathBuf,
    /// Fill from this local folder instead of the network.
    #[arg(long)]
    from: Option<PathBuf>,
    /// Replace the feeds' scheme and host with this URL (e.g. http://127.0.0.1:8000).
    #[arg(long)]
    base_url: Option<String>,
    /// Only these series (comma-separated ids); default: the whole catalog.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Seconds before a request is abandoned.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

/// One series' outcome, as written to `manifest.json`.
#[derive(Debug, Serialize)]
pub struct ManifestEntry {
    id: String,
    source: Option<String>,
    fetched_at: u64,
    rows: usize,
    first: Option<Date>,
    last: Option<Date>,
    native_units: Option<String>,
    sha256: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct Manifest {
    generated_at: u64,
    catalog_version: u32,
    series: Vec<ManifestEntry>,
}

/// A body that parsed and passed the plausibility check.
struct Good {
    source: String,
    native: Series,
    native_units: String,
}

/// Runs the mirror; true when every series succeeded.
pub fn run(args: &MirrorArgs) -> bool {
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("ERROR cannot create {}: {e}", args.out.display());
        return false;
    }
    let catalog = Catalog::builtin();
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(args.timeout.min(10)))
        .timeout(Duration::from_secs(args.timeout))
        .user_agent(concat!("tideline-mirror/", env!("CARGO_PKG_VERSION")))
        .build();
    let mut entries = Vec::new();
    let mut all_ok = true;
    for entry in catalog.series.iter().filter(|e| args.only.is_empty() || args.only.contains(&e.id)) {
        let outcome = match &args.from {
            Some(dir) => from_folder(entry, dir),
            None => from_network(entry, &agent, args.base_url.as_deref()),
        };
        let manifest_entry = match outcome.and_then(|good| write_series(&args.out, entry, good)) {
            Ok(m) => {
                println!(
                    "OK {}: {} rows, {}..{} from {}",
                    m.id,
                    m.rows,
                    m.first.map(|d| d.to_string()).unwrap_or_default(),
                    m.last.map(|d| d.to_string()).unwrap_or_default(),
                    m.source.as_deref().unwrap_or("")
                );
                m
            }
            Err(error) => {
                all_ok = false;
                println!("ERROR {}: {error}", entry.id);
                ManifestEntry {
                    id: entry.id.clone(),
                    source: None,
                    fetched_at: now(),
                    rows: 0,
                    first: None,
                    last: None,
                    native_units: None,
                    sha256: None,
                    error: Some(error),
                }
            }
        };
        entries.push(manifest_entry);
    }
    let manifest = Manifest { generated_at: now(), catalog_version: catalog.version, series: entries };
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_else(|_| "{}".into());
    if let Err(e) = atomic_write(&args.out.join("manifest.json"), text.as_bytes()) {
        eprintln!("ERROR cannot write manifest.json: {e}");
        all_ok = false;
    }
    all_ok
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Parses and validates a body against the entry.
fn validate(entry: &CatalogEntry, format: Format, source: &str, body: &str) -> Result<Good, String> {
    let native = parse::parse(format, source, body, Some(&entry.id)).map_err(|e| e.to_string())?;
    let (_, native_units) = entry.to_canonical(&native, source).map_err(|e| e.to_string())?;
    Ok(Good { source: source.to_string(), native, native_units })
}

fn from_folder(entry: &CatalogEntry, dir: &Path) -> Result<Good, String> {
    let mut candidates = vec![entry.file_name()];
    candidates.extend(entry.local_files.iter().cloned());
    let mut best: Option<Good> = None;
    let mut errors = Vec::new();
    for name in candidates {
        let path = dir.join(&name);
        let Ok(body) = std::fs::read_to_string(&path) else { continue };
        let source = path.display().to_string();
        let format = match parse::detect(&source, &body) {
            Ok(f) => f,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        match validate(entry, format, &source, &body) {
            Ok(good) => {
                let newer = best
                    .as_ref()
                    .is_none_or(|b| good.native.last().map(|l| l.0) > b.native.last().map(|l| l.0));
                if newer {
                    best = Some(good);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    best.ok_or_else(|| {
        if errors.is_empty() {
            format!("no {} (nor another known file of it) in {}", entry.file_name(), dir.display())
        } else {
            errors.join("; ")
        }
    })
}

/// The feed URL with its scheme and host replaced by `base`.
fn rebase(url: &str, base: Option<&str>) -> String {
    match base {
        None => url.to_string(),
        Some(base) => {
            let path =
                url.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..])).unwrap_or("/");
            format!("{}{}", base.trim_end_matches('/'), path)
        }
    }
}

fn from_network(entry: &CatalogEntry, agent: &ureq::Agent, base: Option<&str>) -> Result<Good, String> {
    let mut errors = Vec::new();
    for feed in &entry.feeds {
        let url = rebase(&feed.url, base);
        match fetch(agent, &url).and_then(|body| validate(entry, feed.format, &url, &body)) {
            Ok(good) => return Ok(good),
            Err(e) => errors.push(e),
        }
    }
    Err(errors.join("; "))
}

const ATTEMPTS: u32 = 4;

fn fetch(agent: &ureq::Agent, url: &str) -> Result<String, String> {
    let mut delay = Duration::from_millis(500);
    let mut last_error = String::new();
    for attempt in 1..=ATTEMPTS {
        match agent.get(url).call() {
            Ok(response) => {
                return response.into_string().map_err(|e| format!("{url}: reading the body failed: {e}"));
            }
            Err(ureq::Error::Status(code, response)) => {
                last_error = format!("{url}: HTTP status {code}");
                let retryable = code == 429 || code >= 500;
                if !retryable {
                    return Err(last_error);
                }
                if let Some(secs) = response.header("Retry-After").and_then(|v| v.trim().parse::<u64>().ok())
                {
                    delay = Duration::from_secs(secs.min(60));
                }
            }
            Err(ureq::Error::Transport(t)) => last_error = format!("{url}: {t}"),
        }
        if attempt < ATTEMPTS {
            std::thread::sleep(delay);
            delay *= 2;
        }
    }
    Err(format!("{last_error} (after {ATTEMPTS} attempts)"))
}

/// Writes the series as FRED-format CSV of native values and returns its manifest entry.
fn write_series(out: &Path, entry: &CatalogEntry, good: Good) -> Result<ManifestEntry, String> {
    let mut text = format!("observation_date,{}\n", entry.id);
    for (date, value) in good.native.iter() {
        text.push_str(&format!("{date},{value}\n"));
    }
    let path = out.join(entry.file_name());
    atomic_write(&path, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(ManifestEntry {
        id: entry.id.clone(),
        source: Some(good.source),
        fetched_at: now(),
        rows: good.native.len(),
        first: good.native.first().map(|f| f.0),
        last: good.native.last().map(|l| l.0),
        native_units: Some(good.native_units),
        sha256: Some(format!("{:x}", Sha256::digest(text.as_bytes()))),
        error: None,
    })
}

/// Writes through a temporary file and a rename, so a reader never sees a half-written file.
fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebases_feed_urls() {
        assert_eq!(
            rebase("https://fred.stlouisfed.org/graph/fredgraph.csv?id=DFF", Some("http://127.0.0.1:9/")),
            "http://127.0.0.1:9/graph/fredgraph.csv?id=DFF"
        );
        assert_eq!(rebase("https://a.b/c", None), "https://a.b/c");
    }
}
