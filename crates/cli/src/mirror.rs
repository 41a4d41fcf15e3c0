//! `tideline mirror`: fill a data folder with every catalog series.
//!
//! For each catalog entry the mirror tries, in order, the local folder given by `--from` (the
//! entry's `<ID>.csv`, then its other known file names, keeping the freshest valid one whose dates
//! line up with the first valid one: `tideline_core::dataset::pick_freshest`), or else
//! the entry's public feeds (with `--base-url` replacing their scheme and host, for tests). Every
//! body is parsed and checked against the catalog's plausible range before it is written, as a
//! FRED-format CSV of native values, through a temporary file and a rename: a bad body never
//! replaces the last good copy. A `manifest.json` records, per series, the source, when it was
//! fetched, the rows, the first and last dates, the sha256 of the file and any error; and, under
//! `tables`, the table inputs copied from `--from` (see [`crate::tables`]).
//!
//! Network fetches use timeouts and up to four attempts with exponential backoff, honouring a
//! `Retry-After` header on 429 and 503; a body cut short (the connection closed before its
//! Content-Length, or a read timed out) is retried like a failed connection. A body that is not
//! UTF-8 is refused with the line and byte where it stops being text. A failed series is reported
//! and skipped; the exit code is non-zero when any series failed.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;
use sha2::{Digest, Sha256};
use tideline_core::catalog::{Catalog, CatalogEntry};
use tideline_core::manifest::{Manifest, ManifestEntry};
use tideline_core::parse::{self, Format};
use tideline_core::Series;

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
    /// Only these series (comma-separated ids) and tables (`etf_flows.csv`,
    /// `treasury_companies.csv`); default: the whole catalog and every table.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Seconds before a request is abandoned.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
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
    // An id that names no catalog series is a typo, not an empty request: report it as a failure.
    for id in args.only.iter().filter(|id| catalog.get(id).is_none() && !crate::tables::is_table(id)) {
        all_ok = false;
        let error = "not in the catalog".to_string();
        println!("ERROR {id}: {error}");
        entries.push(failed_entry(id, error));
    }
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
                kept_entry(&args.out, entry, error)
            }
        };
        entries.push(manifest_entry);
    }
    let wanted = |name: &str| args.only.is_empty() || args.only.iter().any(|o| o == name);
    let (tables, tables_ok) = crate::tables::mirror_tables(&args.out, args.from.as_deref(), &wanted);
    all_ok &= tables_ok;
    let manifest =
        Manifest { generated_at: now(), catalog_version: catalog.version, series: entries, tables };
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_else(|_| "{}".into());
    if let Err(e) = atomic_write(&args.out.join("manifest.json"), text.as_bytes()) {
        eprintln!("ERROR cannot write manifest.json: {e}");
        all_ok = false;
    }
    all_ok
}

/// The manifest entry of a series that failed this run: the error, and the description of the last
/// good file when one is still in the folder (so readers know it is there, and how old it is).
fn kept_entry(out: &Path, entry: &CatalogEntry, error: String) -> ManifestEntry {
    let path = out.join(entry.file_name());
    let kept = std::fs::read(&path).ok().and_then(|bytes| {
        let text = String::from_utf8(bytes).ok()?;
        let series =
            tideline_core::parse::fred::parse(&path.display().to_string(), &text, Some(&entry.id)).ok()?;
        Some((series, format!("{:x}", Sha256::digest(text.as_bytes()))))
    });
    let mut manifest_entry = failed_entry(&entry.id, error);
    if let Some((series, sha256)) = kept {
        manifest_entry.source = Some(format!("{} (kept from an earlier run)", path.display()));
        manifest_entry.rows = series.len();
        manifest_entry.first = series.first().map(|f| f.0);
        manifest_entry.last = series.last().map(|l| l.0);
        manifest_entry.sha256 = Some(sha256);
    }
    manifest_entry
}

/// The manifest entry of a series that failed.
fn failed_entry(id: &str, error: String) -> ManifestEntry {
    ManifestEntry {
        id: id.to_string(),
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

pub(crate) fn now() -> u64 {
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
    let mut valid: Vec<Good> = Vec::new();
    let mut errors = Vec::new();
    for name in candidates {
        let path = dir.join(&name);
        let source = path.display().to_string();
        let body = match std::fs::read(&path) {
            Ok(bytes) => match utf8(bytes) {
                Ok(body) => body,
                Err(e) => {
                    errors.push(format!("{source}: {e}"));
                    continue;
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                errors.push(format!("{source}: cannot read the file: {e}"));
                continue;
            }
        };
        let format = match parse::detect(&source, &body) {
            Ok(f) => f,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        match validate(entry, format, &source, &body) {
            Ok(good) => valid.push(good),
            Err(e) => errors.push(e),
        }
    }
    // The freshest file whose dates line up with the first valid one, as `analyze` chooses.
    let views: Vec<(&str, &tideline_core::Series)> =
        valid.iter().map(|g| (g.source.as_str(), &g.native)).collect();
    let (best, refused) = tideline_core::dataset::pick_freshest(&entry.id, &views, None);
    for misdated in &refused {
        eprintln!("WARNING {misdated}");
    }
    let best = best.map(|i| valid.swap_remove(i));
    errors.extend(refused.iter().map(ToString::to_string));
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

/// The largest body read (ureq's own `into_string` stops at 10 MB).
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// Text from bytes, or an error that says where the first byte that is not UTF-8 is.
pub(crate) fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("line {line}: not UTF-8 text (byte {at})")
    })
}

fn fetch(agent: &ureq::Agent, url: &str) -> Result<String, String> {
    use std::io::Read;

    let mut delay = Duration::from_millis(500);
    let mut last_error = String::new();
    for attempt in 1..=ATTEMPTS {
        match agent.get(url).call() {
            Ok(response) => {
                // A body cut short (the connection closed before Content-Length bytes, or a read
                // timed out) is a transient fault like a failed connection: try again.
                let mut bytes = Vec::new();
                match response.into_reader().take(MAX_BODY + 1).read_to_end(&mut bytes) {
                    Ok(_) if bytes.len() as u64 > MAX_BODY => {
                        return Err(format!("{url}: the body is larger than {MAX_BODY} bytes"));
                    }
                    Ok(_) => return utf8(bytes).map_err(|e| format!("{url}: {e}")),
                    Err(e) => last_error = format!("{url}: reading the body failed: {e}"),
                }
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
pub(crate) fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
