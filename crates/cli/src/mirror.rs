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
//! # Vintages of the revised series
//!
//! For each revised catalog series (`revised: true`: CPI, core PCE, M2, INDPRO, UNRATE, GDPC1) the
//! mirror also fills `vintages/<ID>.csv` (every vintage of every observation, the format of
//! `tideline_core::parse::vintage`), from which `analyze` takes first releases at each as-of date.
//! The vintages come from ALFRED, FRED's real-time archive, whose API needs a key: the mirror reads
//! it from the environment variable `FRED_API_KEY` (in CI, a repository secret). The request is the
//! catalog's `vintages_url` (`https://api.stlouisfed.org/fred/series/observations?...`), rebased on
//! `--base-url` like every feed, fetched with the same retries, parsed, checked against the
//! catalog's plausible range, and written through a temporary file: a bad answer never replaces a
//! good file. The key is never written anywhere: URLs and errors show `api_key=REDACTED`.
//!
//! Without a key nothing is requested or written: the folder keeps latest vintages only (and any
//! vintage file of an earlier run), the command prints `NOTE FRED_API_KEY not set: latest vintages
//! only, revisions not accounted for`, and `manifest.json` says the same under `vintages.note`.
//! With `--from DIR` a valid `DIR/vintages/<ID>.csv` is copied instead (no key needed). Each file
//! gets an entry in the manifest's `vintages.files`; a failure is an `ERROR vintages/<ID>.csv:`
//! line and makes the exit code non-zero, like a failed series.
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
use tideline_core::manifest::{Manifest, ManifestEntry, VintagesManifest};
use tideline_core::parse::vintage::{self, Vintages};
use tideline_core::parse::{self, Format};
use tideline_core::Series;

/// The environment variable that holds the FRED API key.
pub const API_KEY_VARIABLE: &str = "FRED_API_KEY";

/// What the mirror says when it has no key.
pub const NO_KEY_NOTE: &str = "FRED_API_KEY not set: latest vintages only, revisions not accounted for";

/// Shown in place of the API key.
const REDACTED: &str = "REDACTED";

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
    let api_key =
        std::env::var(API_KEY_VARIABLE).ok().map(|k| k.trim().to_string()).filter(|k| !k.is_empty());
    let mut vintage_files = Vec::new();
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
        if !entry.revised {
            continue;
        }
        let outcome = match (&args.from, &api_key) {
            (Some(dir), _) => vintages_from_folder(entry, dir),
            (None, Some(key)) => {
                vintages_from_network(entry, &agent, args.base_url.as_deref(), key).map(Some)
            }
            (None, None) => Ok(None),
        };
        let file =
            match outcome.transpose().map(|r| r.and_then(|good| write_vintages(&args.out, entry, good))) {
                None => kept_vintages(&args.out, entry, None),
                Some(Ok(m)) => {
                    println!(
                        "OK {}: {} rows, {}..{} from {}",
                        entry.vintage_file_name(),
                        m.rows,
                        m.first.map(|d| d.to_string()).unwrap_or_default(),
                        m.last.map(|d| d.to_string()).unwrap_or_default(),
                        m.source.as_deref().unwrap_or("")
                    );
                    Some(m)
                }
                Some(Err(error)) => {
                    all_ok = false;
                    println!("ERROR {}: {error}", entry.vintage_file_name());
                    kept_vintages(&args.out, entry, Some(error))
                }
            };
        vintage_files.extend(file);
    }
    let revised_wanted =
        catalog.series.iter().any(|e| e.revised && (args.only.is_empty() || args.only.contains(&e.id)));
    let note = vintages_note(args, api_key.is_some(), revised_wanted, &vintage_files);
    if let Some(note) = &note {
        println!("NOTE {note}");
    }
    let vintages = VintagesManifest { api_key: api_key.is_some(), note, files: vintage_files };
    let wanted = |name: &str| args.only.is_empty() || args.only.iter().any(|o| o == name);
    let (tables, tables_ok) = crate::tables::mirror_tables(&args.out, args.from.as_deref(), &wanted);
    all_ok &= tables_ok;
    let manifest =
        Manifest { generated_at: now(), catalog_version: catalog.version, series: entries, tables, vintages };
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

/// Today's date (UTC) by the system clock.
fn today() -> tideline_core::Date {
    tideline_core::Date::from_unix_millis((now() as i64).saturating_mul(1000))
        .unwrap_or(tideline_core::Date::from_days(0))
}

pub(crate) fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Parses and validates a body against the entry.
fn validate(entry: &CatalogEntry, format: Format, source: &str, body: &str) -> Result<Good, String> {
    let native = parse::parse(format, source, body, Some(&entry.id)).map_err(|e| e.to_string())?;
    let (_, native_units) = entry.to_canonical(&native, source).map_err(|e| e.to_string())?;
    tideline_core::dataset::check_not_future(&entry.id, source, &native, today())
        .map_err(|e| e.to_string())?;
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

/// Vintages that parsed and passed the plausibility check.
struct GoodVintages {
    source: String,
    vintages: Vintages,
    native_units: String,
}

/// Why the folder has no fresh real-time vintages after this run (`None` when it has them, or when
/// no revised series was asked for).
fn vintages_note(
    args: &MirrorArgs,
    api_key: bool,
    revised_wanted: bool,
    files: &[ManifestEntry],
) -> Option<String> {
    let fresh = files.iter().any(|f| f.error.is_none() && !is_kept(f));
    let kept = files.iter().any(|f| f.sha256.is_some());
    match (&args.from, api_key) {
        _ if !revised_wanted || fresh => None,
        (None, false) if kept => {
            Some("FRED_API_KEY not set: vintages not refreshed, the files of an earlier run are kept".into())
        }
        (None, false) => Some(NO_KEY_NOTE.to_string()),
        (Some(dir), _) if !kept => Some(format!(
            "no vintages/<ID>.csv in {}: latest vintages only, revisions not accounted for",
            dir.display()
        )),
        _ => None,
    }
}

fn is_kept(entry: &ManifestEntry) -> bool {
    entry.source.as_deref().is_some_and(|s| s.ends_with("(kept from an earlier run)"))
}

/// Parses and validates a vintage body against the entry: ALFRED JSON or a vintage file.
fn validate_vintages(
    entry: &CatalogEntry,
    source: &str,
    body: &str,
    json: bool,
) -> Result<GoodVintages, String> {
    let vintages = if json {
        vintage::parse_alfred(source, body, &entry.id)
    } else {
        vintage::parse(source, body, Some(&entry.id))
    }
    .map_err(|e| e.to_string())?;
    // The model uses first releases: those must be in plausible units.
    let (_, native_units) =
        entry.to_canonical(&vintages.first_release().series, source).map_err(|e| e.to_string())?;
    Ok(GoodVintages { source: source.to_string(), vintages, native_units })
}

/// `DIR/vintages/<ID>.csv`, validated; `None` when there is no such file.
fn vintages_from_folder(entry: &CatalogEntry, dir: &Path) -> Result<Option<GoodVintages>, String> {
    let path = dir.join(entry.vintage_file_name());
    let source = path.display().to_string();
    let body = match std::fs::read(&path) {
        Ok(bytes) => utf8(bytes).map_err(|e| format!("{source}: {e}"))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{source}: cannot read the file: {e}")),
    };
    validate_vintages(entry, &source, &body, false).map(Some)
}

/// Every vintage of the series from ALFRED. The key appears in no returned text.
fn vintages_from_network(
    entry: &CatalogEntry,
    agent: &ureq::Agent,
    base: Option<&str>,
    api_key: &str,
) -> Result<GoodVintages, String> {
    let redact = |text: String| text.replace(api_key, REDACTED);
    let (Some(url), Some(shown)) = (entry.vintages_url(api_key), entry.vintages_url(REDACTED)) else {
        return Err(format!("{} is not a revised series", entry.id));
    };
    let (url, shown) = (rebase(&url, base), rebase(&shown, base));
    let body = fetch(agent, &url).map_err(redact)?;
    validate_vintages(entry, &shown, &body, true).map_err(redact)
}

/// Writes `vintages/<ID>.csv` and returns its manifest entry.
fn write_vintages(out: &Path, entry: &CatalogEntry, good: GoodVintages) -> Result<ManifestEntry, String> {
    let path = out.join(entry.vintage_file_name());
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    let text = good.vintages.to_csv();
    atomic_write(&path, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let rows = good.vintages.rows();
    Ok(ManifestEntry {
        id: entry.id.clone(),
        source: Some(good.source),
        fetched_at: now(),
        rows: rows.len(),
        first: rows.first().map(|r| r.date),
        last: rows.last().map(|r| r.date),
        native_units: Some(good.native_units),
        sha256: Some(format!("{:x}", Sha256::digest(text.as_bytes()))),
        error: None,
    })
}

/// The manifest entry of a vintage file not written this run: the file of an earlier run when it
/// is still there and valid, with `error` when this run failed; `None` when there is neither.
fn kept_vintages(out: &Path, entry: &CatalogEntry, error: Option<String>) -> Option<ManifestEntry> {
    let path = out.join(entry.vintage_file_name());
    let kept = std::fs::read_to_string(&path).ok().and_then(|text| {
        Some((vintage::parse(&path.display().to_string(), &text, Some(&entry.id)).ok()?, text))
    });
    if kept.is_none() && error.is_none() {
        return None;
    }
    let mut manifest_entry = failed_entry(&entry.id, String::new());
    manifest_entry.error = error;
    if let Some((vintages, text)) = kept {
        manifest_entry.source = Some(format!("{} (kept from an earlier run)", path.display()));
        manifest_entry.rows = vintages.rows().len();
        manifest_entry.first = vintages.rows().first().map(|r| r.date);
        manifest_entry.last = vintages.rows().last().map(|r| r.date);
        manifest_entry.sha256 = Some(format!("{:x}", Sha256::digest(text.as_bytes())));
    }
    Some(manifest_entry)
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
