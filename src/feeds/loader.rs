//! Loading catalog series in the browser, keeping the last good copy of each.
//!
//! # Design
//!
//! For each catalog series, in this order:
//!
//! 1. **the browser cache** ([`super::cache`]): the last good body of an earlier visit, validated
//!    again (the catalog's plausible range may have changed) and used at once;
//!    [`load_cached`] stops here, so the page can draw before any request returns;
//! 2. **the mirror folder** on the page's own origin, `data/<ID>.csv` (FRED sends no CORS
//!    headers, so the mirror job copies every feed next to the page);
//! 3. **live feeds**, only when asked: with [`LoadOptions::live`], the catalog's CORS-enabled feeds
//!    (CoinGecko, Binance, DefiLlama; the first that answers with a valid body), and with
//!    [`LoadOptions::fred_proxy`], FRED through the user's own proxy.
//!
//! Every body goes to `tideline_core` ([`validate`]: format detection, the parser, the catalog's
//! units and plausible range, through a [`Dataset`]), which also refuses an observation dated
//! after today plus a margin ([`dataset::check_not_future`]: kept, such a copy could never be
//! replaced). A mirror file must also be the one the mirror wrote: its sha256, row count and last
//! date are checked against the folder's manifest ([`LoadOptions::manifest`],
//! [`ManifestEntry::verify_body`]), so a file cut inside its last line that still parses
//! (7,680,000 read as 768,000) is refused. Then [`offer`] applies one rule, [`accept`]: a valid
//! body replaces the current copy (and the cache entry) only when its last observation is not
//! older, its history does not start later, and it has no fewer observations over the current
//! copy's span. So an HTML error page, a truncated file, a 500 or a feed that changed its units
//! never overwrites the last good copy; it becomes a warning in the series' status.
//!
//! A valid live body that covers less history (CoinGecko's last 365 days against the mirror's full
//! history) does not replace the stored copy; when it holds newer observations, they extend the
//! series in memory after the stored copy's last date ([`extend_with_newer`]), and the status
//! says so in its source. Nothing is averaged or adjusted: the two sources meet at a date.
//!
//! Fetches run in parallel, at most [`LoadOptions::concurrency`] series at a time; each request
//! has a timeout and 429-aware retries ([`super::FetchPolicy`]). Staleness is the core's rule,
//! [`is_stale`], measured against [`LoadOptions::as_of`] or today.

use futures::stream::{self, StreamExt};
use tideline_core::align::is_stale;
use tideline_core::catalog::{Catalog, CatalogEntry};
use tideline_core::codec;
use tideline_core::dataset::{self, Dataset, LoadedSeries};
use tideline_core::manifest::{Manifest, ManifestEntry};
use tideline_core::model::flows::{FlowInputs, TableKind, TableSummary};
use tideline_core::parse::{self, Format};
use tideline_core::{Date, Series};

use super::cache::{Cache, CachedFeed, CachedTable, SavedCopy, StoredUpload};
use super::{fetch_body, today, Body, FetchError, FetchPolicy, Origin};
use crate::components::series_status::SeriesStatus;
use crate::perf;

/// What [`load_series`] fetches and how.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadOptions {
    /// Also fetch the catalog's CORS-enabled live feeds (CoinGecko, Binance, DefiLlama) for
    /// fresher values. Off by default: the page then talks to its own origin only.
    pub live: bool,
    /// A proxy URL template for FRED, such as `https://my-proxy.example/?url={url}`; `{url}` is
    /// replaced by the FRED download URL, percent-encoded. Setting it is the user's opt-in: FRED is
    /// then fetched through it whatever [`LoadOptions::live`] says.
    pub fred_proxy: Option<String>,
    /// The mirror folder, relative to the page.
    pub data_dir: String,
    /// Series loaded at the same time (at least 1).
    pub concurrency: usize,
    /// Timeout and retries of every request.
    pub fetch: FetchPolicy,
    /// The date staleness is measured at; `None` for today by the browser's clock.
    pub as_of: Option<Date>,
    /// Read and write the IndexedDB cache.
    pub use_cache: bool,
    /// The mirror folder's manifest: each mirror file is checked against its entry (sha256, rows,
    /// last date) before it is accepted. `None` for a folder without one (filled by hand).
    pub manifest: Option<Manifest>,
}

impl Default for LoadOptions {
    /// Mirror only (no live feeds, no proxy), folder `data`, 6 at a time, the default fetch policy,
    /// staleness as of today, with the cache.
    fn default() -> Self {
        LoadOptions {
            live: false,
            fred_proxy: None,
            data_dir: "data".to_string(),
            concurrency: 6,
            fetch: FetchPolicy::default(),
            as_of: None,
            use_cache: true,
            manifest: None,
        }
    }
}

/// The loaded series and one status row per series asked for.
#[derive(Clone, Debug)]
pub struct LoadOutcome {
    /// The series that could be loaded, in canonical units, with their provenance.
    pub dataset: Dataset,
    /// One row per series asked for, in the order asked (then one per upload).
    pub statuses: Vec<SeriesStatus>,
    /// Why the browser cache was not used, when it was not (private mode, storage refused).
    pub cache_unavailable: Option<String>,
}

impl LoadOutcome {
    /// The status row of a series.
    pub fn status(&self, id: &str) -> Option<&SeriesStatus> {
        self.statuses.iter().find(|s| s.id == id)
    }

    /// The ids of the loaded series that are not stale: the inputs a score may use.
    pub fn fresh_ids(&self) -> impl Iterator<Item = &str> {
        self.statuses.iter().filter(|s| s.origin.is_some() && !s.stale).map(|s| s.id.as_str())
    }

    /// A copy with the user's uploads in the statuses, and the series among them added to the
    /// dataset (under their names; tables go to the flow figures instead:
    /// `components::upload::tables_with_uploads`). An upload that does not parse, or whose name is a catalog series id, gets a
    /// status row with the error and is left out of the dataset.
    pub fn with_uploads(&self, uploads: &[StoredUpload]) -> LoadOutcome {
        let mut outcome = self.clone();
        for upload in uploads {
            let mut status = SeriesStatus {
                id: upload.name.clone(),
                source: format!("upload: {}", upload.file_name),
                units: "as uploaded".to_string(),
                licence: "your file".to_string(),
                ..SeriesStatus::default()
            };
            // (rows, first, last) of what the upload holds, or why it cannot be used.
            let checked = match upload.table {
                // A table feeds the flow figures, not the dataset: its row says whether it parses.
                Some(kind) => kind
                    .check(&upload.file_name, &upload.body)
                    .map(|t| (t.rows, t.first, t.last))
                    .map_err(|e| e.to_string()),
                None if outcome.dataset.catalog().get(&upload.name).is_some() => Err(format!(
                    "{} is the name of a catalog series; upload it under another name",
                    upload.name
                )),
                None => upload.series().map_err(|e| e.to_string()).map(|series| {
                    let summary = (series.len(), series.first().map(|f| f.0), series.last().map(|l| l.0));
                    let loaded = LoadedSeries {
                        series,
                        native_units: "as uploaded".to_string(),
                        source: status.source.clone(),
                    };
                    outcome.dataset.insert_user(&upload.name, loaded, upload.role);
                    summary
                }),
            };
            match checked {
                Ok((rows, first, last)) => {
                    status.rows = rows;
                    status.span = first.zip(last).map(|(a, b)| (a.to_string(), b.to_string()));
                    status.last_date = last;
                    status.origin = Some(Origin::Upload);
                    status.fetched_at_ms = Some(upload.added_at_ms);
                }
                Err(error) => status.error = Some(error),
            }
            outcome.statuses.retain(|s| s.id != upload.name);
            outcome.statuses.push(status);
        }
        outcome
    }
}

/// A body fetched from one place, before validation.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched {
    /// The file or URL it came from (named in error messages).
    pub source: String,
    /// Where it came from.
    pub origin: Origin,
    /// Its format when known (a live feed's catalog format); `None` to detect it from the body.
    pub format: Option<Format>,
    /// The body.
    pub body: String,
    /// When it was fetched, Unix milliseconds.
    pub fetched_at_ms: f64,
}

/// A body the core accepted: parsed, in plausible canonical units.
#[derive(Clone, Debug, PartialEq)]
pub struct Good {
    /// The file or URL it came from.
    pub source: String,
    /// Where it came from.
    pub origin: Origin,
    /// Its format.
    pub format: Format,
    /// When it was fetched, Unix milliseconds.
    pub fetched_at_ms: f64,
    /// The series it holds, in canonical units.
    pub loaded: LoadedSeries,
}

impl Good {
    /// The cache record of this body for series `id`.
    pub fn to_cached(&self, id: &str) -> CachedFeed {
        CachedFeed {
            id: id.to_string(),
            source: self.source.clone(),
            format: self.format,
            saved: SavedCopy::Series(codec::encode(id, &self.loaded)),
            fetched_at_ms: self.fetched_at_ms,
            last_date: self.loaded.series.last().map(|(d, _)| d),
        }
    }
}

/// Reads a saved copy back as series `id`: a binary copy is decoded and checked against the catalog
/// without parsing text ([`Dataset::load_saved`]); a text copy saved by an older version is parsed
/// as a fetched body is ([`validate`]). The error says what is wrong with the copy.
pub fn restore(catalog: &Catalog, id: &str, stored: CachedFeed) -> Result<Good, String> {
    match stored.saved {
        SavedCopy::Series(bytes) => {
            let started = perf::now_ms();
            let loaded = dataset::read_saved(catalog, id, &bytes);
            perf::add("decode", perf::now_ms() - started, bytes.len());
            let loaded = loaded.map_err(|e| e.to_string())?;
            dataset::check_not_future(id, &loaded.source, &loaded.series, today())
                .map_err(|e| e.to_string())?;
            Ok(Good {
                source: stored.source,
                origin: Origin::Cache,
                format: stored.format,
                fetched_at_ms: stored.fetched_at_ms,
                loaded,
            })
        }
        SavedCopy::Body(body) => validate(
            catalog,
            id,
            Fetched {
                source: stored.source,
                origin: Origin::Cache,
                format: Some(stored.format),
                body,
                fetched_at_ms: stored.fetched_at_ms,
            },
        ),
    }
}

/// Validates `fetched` as catalog series `id` through the core: the format (detected when not
/// given), the parser and the catalog's units and plausible range, via [`Dataset::load_body`].
/// The error is the core's message, which names the source, the line or JSON path, and the problem.
pub fn validate(catalog: &Catalog, id: &str, fetched: Fetched) -> Result<Good, String> {
    let format = match fetched.format {
        Some(format) => format,
        None => parse::detect(&fetched.source, &fetched.body).map_err(|e| e.to_string())?,
    };
    let started = perf::now_ms();
    let loaded = dataset::parse_body(catalog, id, format, &fetched.source, &fetched.body);
    perf::add("parse", perf::now_ms() - started, fetched.body.len());
    let loaded = loaded.map_err(|e| e.to_string())?;
    dataset::check_not_future(id, &fetched.source, &loaded.series, today()).map_err(|e| e.to_string())?;
    Ok(Good {
        source: fetched.source,
        origin: fetched.origin,
        format,
        fetched_at_ms: fetched.fetched_at_ms,
        loaded,
    })
}

/// Whether a validated `candidate` may replace the `current` copy: when there is none, or when the
/// candidate's last observation is not older, its first is not later, and it has at least as many
/// observations between the current copy's first and last dates (it loses no history: a body
/// with rows cut out of its middle is refused). An empty candidate never replaces anything.
pub fn accept(current: Option<&LoadedSeries>, candidate: &LoadedSeries) -> bool {
    let Some(current) = current else { return !candidate.series.is_empty() };
    match (current.series.first(), current.series.last(), candidate.series.first(), candidate.series.last()) {
        (Some((first, _)), Some((last, _)), Some((new_first, _)), Some((new_last, _))) => {
            let over_span = candidate.series.iter().filter(|(d, _)| *d >= first && *d <= last).count();
            new_last >= last && new_first <= first && over_span >= current.series.len()
        }
        (None, _, Some(_), _) => true,
        _ => false,
    }
}

/// What [`offer`] did with a body.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The body is the current copy now, and was written to the cache when there is one
    /// (`cache_error` says why that write failed; the copy is still used for this visit).
    Replaced {
        /// Why writing the cache failed.
        cache_error: Option<String>,
    },
    /// The body is valid but older, or covers less history, than the current copy, which stays.
    Kept {
        /// The valid body, for [`extend_with_newer`].
        candidate: Box<Good>,
    },
    /// The core refused the body; the current copy and the cache are untouched.
    Rejected {
        /// The core's error.
        error: String,
    },
}

/// The cache-update step of the loader: checks `fetched` against the manifest's entry `expected`
/// (a mirror file: sha256 before parsing, rows and last date after), validates it as series `id`,
/// and when [`accept`] allows it, makes it the `current` copy and writes it to `cache`. Anything
/// else leaves both untouched: a bad response never overwrites the last good copy.
pub async fn offer(
    cache: Option<&Cache>,
    catalog: &Catalog,
    id: &str,
    current: &mut Option<Good>,
    fetched: Fetched,
    expected: Option<&ManifestEntry>,
) -> Verdict {
    if let Some(entry) = expected.filter(|e| e.has_digest()) {
        let digest = super::sha256_hex(&fetched.body).await;
        if let Err(e) = entry.verify_digest(&fetched.source, &digest) {
            return Verdict::Rejected { error: e.to_string() };
        }
    }
    let candidate = match validate(catalog, id, fetched) {
        Ok(good) => good,
        Err(error) => return Verdict::Rejected { error },
    };
    if let Some(entry) = expected {
        let series = &candidate.loaded.series;
        if let Err(e) = entry.verify_parsed(&candidate.source, series.len(), series.last().map(|(d, _)| d)) {
            return Verdict::Rejected { error: e.to_string() };
        }
    }
    if !accept(current.as_ref().map(|c| &c.loaded), &candidate.loaded) {
        return Verdict::Kept { candidate: Box::new(candidate) };
    }
    let cache_error = match cache {
        Some(cache) => cache.put(&candidate.to_cached(id)).await.err().map(|e| e.to_string()),
        None => None,
    };
    *current = Some(candidate);
    Verdict::Replaced { cache_error }
}

/// `base` followed by the observations of `newer` dated after `base`'s last one; `None` when
/// `newer` has nothing newer. The source names both and the date where they meet.
pub fn extend_with_newer(base: &LoadedSeries, newer: &LoadedSeries) -> Option<LoadedSeries> {
    let (last, _) = base.series.last()?;
    let tail: Vec<(Date, f64)> = newer.series.iter().filter(|(d, _)| *d > last).collect();
    if tail.is_empty() {
        return None;
    }
    let pairs: Vec<(Date, f64)> = base.series.iter().chain(tail).collect();
    let series = Series::from_pairs(base.series.id.clone(), &pairs)?;
    let native_units = if base.native_units == newer.native_units {
        base.native_units.clone()
    } else {
        format!("{}; after {last}: {}", base.native_units, newer.native_units)
    };
    Some(LoadedSeries {
        series,
        native_units,
        source: format!("{} + {} after {last}", base.source, newer.source),
    })
}

/// One place to fetch a series from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceUrl {
    /// The URL (relative to the page for the mirror).
    pub url: String,
    /// Mirror or live.
    pub origin: Origin,
    /// The catalog's format for a live feed; `None` (detect) for the mirror.
    pub format: Option<Format>,
}

/// The places to fetch `entry` from, in order: the mirror file, then (with `options.live`) its
/// CORS-enabled feeds, then (with `options.fred_proxy`) its FRED feeds through the proxy. A proxy
/// template without `{url}` is an error.
pub fn sources(entry: &CatalogEntry, options: &LoadOptions) -> Result<Vec<SourceUrl>, String> {
    let mut out = vec![SourceUrl {
        url: format!("{}/{}", options.data_dir.trim_end_matches('/'), entry.file_name()),
        origin: Origin::Mirror,
        format: None,
    }];
    if options.live {
        out.extend(
            entry
                .feeds
                .iter()
                .filter(|f| matches!(f.format, Format::Coingecko | Format::Binance | Format::Defillama))
                .map(|f| SourceUrl { url: f.url.clone(), origin: Origin::Live, format: Some(f.format) }),
        );
    }
    if let Some(template) = options.fred_proxy.as_deref().filter(|t| !t.trim().is_empty()) {
        for feed in entry.feeds.iter().filter(|f| f.format == Format::Fred) {
            out.push(SourceUrl {
                url: proxied_url(template, &feed.url)?,
                origin: Origin::Live,
                format: Some(Format::Fred),
            });
        }
    }
    Ok(out)
}

/// `template` with `{url}` replaced by `url`, percent-encoded as by `encodeURIComponent`.
pub fn proxied_url(template: &str, url: &str) -> Result<String, String> {
    if !template.contains("{url}") {
        return Err(format!("the FRED proxy {template:?} has no {{url}} placeholder"));
    }
    let encoded: String = url
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    Ok(template.replace("{url}", &encoded))
}

/// Loads catalog series `ids`: cached copy, mirror, then live feeds as `options` say (see the
/// module docs). Never fails: a series that cannot be loaded has a status row with the reason.
pub async fn load_series(ids: &[&str], options: &LoadOptions) -> LoadOutcome {
    load(ids, options, true, &|_, _| {}).await
}

/// [`load_series`], calling `progress(done, total)` as each series is settled (loaded or not), for
/// the page's "31 of 45 series loaded" line.
pub async fn load_series_with_progress(
    ids: &[&str],
    options: &LoadOptions,
    progress: &dyn Fn(usize, usize),
) -> LoadOutcome {
    load(ids, options, true, progress).await
}

/// Loads catalog series `ids` from the browser cache only, with no request: the last good copies,
/// to draw at once while [`load_series`] runs.
pub async fn load_cached(ids: &[&str], options: &LoadOptions) -> LoadOutcome {
    load(ids, options, false, &|_, _| {}).await
}

async fn load(
    ids: &[&str],
    options: &LoadOptions,
    network: bool,
    progress: &dyn Fn(usize, usize),
) -> LoadOutcome {
    let catalog = Catalog::builtin();
    let (cache, cache_unavailable) = if options.use_cache {
        match Cache::open().await {
            Ok(cache) => (Some(cache), None),
            Err(e) => (None, Some(e.to_string())),
        }
    } else {
        (None, None)
    };
    let reference = options.as_of.unwrap_or_else(today);
    let done = std::cell::Cell::new(0usize);
    progress(0, ids.len());
    let results: Vec<(String, Option<LoadedSeries>, SeriesStatus)> = stream::iter(ids.iter().copied())
        .map(|id| {
            let (cache, catalog, done) = (cache.as_ref(), &catalog, &done);
            async move {
                let (loaded, status) = load_one(cache, catalog, id, options, network, reference).await;
                done.set(done.get() + 1);
                progress(done.get(), ids.len());
                (id.to_string(), loaded, status)
            }
        })
        .buffered(options.concurrency.max(1))
        .collect()
        .await;
    let mut dataset = Dataset::new(catalog);
    let mut statuses = Vec::with_capacity(results.len());
    for (id, loaded, status) in results {
        if let Some(loaded) = loaded {
            dataset.insert(&id, loaded);
        }
        statuses.push(status);
    }
    LoadOutcome { dataset, statuses, cache_unavailable }
}

/// One series: the cached copy, then each source in order; returns the copy to use and its status.
async fn load_one(
    cache: Option<&Cache>,
    catalog: &Catalog,
    id: &str,
    options: &LoadOptions,
    network: bool,
    reference: Date,
) -> (Option<LoadedSeries>, SeriesStatus) {
    let Some(entry) = catalog.get(id) else {
        let error = Some(format!("{id}: not a catalog series"));
        return (None, SeriesStatus { id: id.to_string(), error, ..SeriesStatus::default() });
    };
    let mut warnings = Vec::new();
    let mut current: Option<Good> = None;
    if let Some(cache) = cache {
        let stored = cache.get::<CachedFeed>(id).await;
        // Decoding a saved copy is work: in a task of its own, not in the one that settled the
        // read together with other series' (the page's goal: no main-thread task over 50 ms).
        crate::feeds::sleep(0).await;
        match stored {
            Ok(Some(stored)) => match restore(catalog, id, stored) {
                Ok(good) => current = Some(good),
                Err(e) => warnings.push(format!("the saved copy is no longer accepted: {e}")),
            },
            Ok(None) if !network => warnings.push("no copy saved in this browser yet".to_string()),
            Ok(None) => {}
            Err(e) => warnings.push(e.to_string()),
        }
    }
    // The newest valid body that did not replace the current copy (a shorter live window).
    let mut newer: Option<Good> = None;
    if network {
        let urls = sources(entry, options).unwrap_or_else(|e| {
            warnings.push(e);
            sources(entry, &LoadOptions { fred_proxy: None, ..options.clone() }).unwrap_or_default()
        });
        let mut live_done = false;
        for source in urls {
            if source.origin == Origin::Live && live_done {
                continue;
            }
            let body = match fetch_body(&source.url, &options.fetch).await {
                Ok(body) => {
                    warnings.extend(offline_note(&source.url, &body));
                    body.text
                }
                Err(FetchError::NotFound(url)) if source.origin == Origin::Mirror => {
                    warnings.push(format!("{url} is missing from the data folder"));
                    continue;
                }
                Err(e) => {
                    warnings.push(e.to_string());
                    continue;
                }
            };
            // Checking and parsing the body in a task of its own (as for a saved copy above).
            crate::feeds::sleep(0).await;
            let fetched = Fetched {
                source: source.url.clone(),
                origin: source.origin,
                format: source.format,
                body,
                fetched_at_ms: js_sys::Date::now(),
            };
            let expected = match source.origin {
                Origin::Mirror => options.manifest.as_ref().and_then(|m| m.series_entry(id)),
                _ => None,
            };
            match offer(cache, catalog, id, &mut current, fetched, expected).await {
                Verdict::Replaced { cache_error } => {
                    live_done |= source.origin == Origin::Live;
                    warnings.extend(cache_error);
                }
                Verdict::Kept { candidate } => {
                    live_done |= source.origin == Origin::Live;
                    let last = |g: &Good| g.loaded.series.last().map(|(d, _)| d);
                    if newer.as_ref().is_none_or(|n| last(&candidate) > last(n)) {
                        newer = Some(*candidate);
                    }
                }
                Verdict::Rejected { error } => warnings.push(error),
            }
        }
    }
    let Some(current) = current else {
        let mut status = base_status(entry);
        status.error = Some(if warnings.is_empty() {
            format!("{id}: no copy of this series was found")
        } else {
            warnings.join("; ")
        });
        return (None, status);
    };
    let extended = newer.as_ref().and_then(|n| extend_with_newer(&current.loaded, &n.loaded).map(|l| (l, n)));
    let (loaded, origin, fetched_at_ms) = match extended {
        Some((loaded, n)) => (loaded, n.origin, n.fetched_at_ms),
        None => (current.loaded, current.origin, current.fetched_at_ms),
    };
    let last_date = loaded.series.last().map(|(d, _)| d);
    let status = SeriesStatus {
        source: loaded.source.clone(),
        rows: loaded.series.len(),
        span: span(&loaded.series),
        units: format!("{} (native: {})", entry.canonical_units, loaded.native_units),
        origin: Some(origin),
        last_date,
        fetched_at_ms: Some(fetched_at_ms),
        stale: last_date.is_none_or(|d| is_stale(d, reference, entry.frequency, entry.publication_lag_days)),
        warnings,
        ..base_status(entry)
    };
    (Some(loaded), status)
}

/// A table input after [`load_tables`]: what it holds, and its status row.
#[derive(Clone, Debug)]
pub struct TablesOutcome {
    /// The parsed tables (a table with no usable copy is absent: the model runs without it).
    pub inputs: FlowInputs,
    /// One row per table asked for, as for the series (id = the file name).
    pub statuses: Vec<SeriesStatus>,
}

/// How many days a table's last row may be behind the date staleness is measured at before the
/// table is flagged stale: the flow tables are daily (business days) and published the next day,
/// so two weeks is long past a holiday.
pub const TABLE_STALE_DAYS: i32 = 14;

/// Loads the table inputs `names` (file names in the mirror folder) the way [`load_series`] loads
/// a series: the saved copy of an earlier visit ([`CachedTable`]), then the mirror file, which
/// must match the manifest's entry (sha256, rows, last date) and parse as its kind, must not be
/// dated in the future, and replaces the saved copy only when it loses no rows and ends no
/// earlier. Every problem is a warning or an error in the table's status row; a table with no
/// usable copy is left out.
pub async fn load_tables(names: &[String], options: &LoadOptions) -> TablesOutcome {
    let cache = if options.use_cache { Cache::open().await.ok() } else { None };
    let reference = options.as_of.unwrap_or_else(today);
    let mut inputs = FlowInputs::default();
    let mut statuses = Vec::new();
    for name in names {
        let Some(kind) = TableKind::of_file_name(name) else { continue };
        let mut status = SeriesStatus {
            id: name.clone(),
            units: format!("{} (table)", kind.label()),
            licence: "see the data folder's PROVENANCE".to_string(),
            ..SeriesStatus::default()
        };
        let mut warnings = Vec::new();
        // The saved copy, checked again as a fetched body is.
        let mut current: Option<(CachedTable, TableSummary)> = None;
        if let Some(cache) = cache.as_ref() {
            match cache.get::<CachedTable>(&CachedTable::key_of(name)).await {
                Ok(Some(saved)) => match check_table(kind, &saved.source, &saved.body, None, None) {
                    Ok(summary) => current = Some((saved, summary)),
                    Err(e) => warnings.push(format!("the saved copy is no longer accepted: {e}")),
                },
                Ok(None) => {}
                Err(e) => warnings.push(e.to_string()),
            }
        }
        let url = format!("{}/{name}", options.data_dir.trim_end_matches('/'));
        let mut origin = Origin::Cache;
        match fetch_body(&url, &options.fetch).await {
            Ok(body) => {
                warnings.extend(offline_note(&url, &body));
                let body = body.text;
                let expected = options.manifest.as_ref().and_then(|m| m.table_entry(name));
                let digest = match expected.filter(|e| e.has_digest()) {
                    Some(_) => Some(super::sha256_hex(&body).await),
                    None => None,
                };
                match check_table(kind, &url, &body, expected, digest.as_deref()) {
                    Ok(summary) => {
                        let keeps_history = current.as_ref().is_none_or(|(_, old)| {
                            summary.rows >= old.rows && summary.last >= old.last && summary.first <= old.first
                        });
                        if keeps_history {
                            let fresh = CachedTable {
                                key: CachedTable::key_of(name),
                                source: url.clone(),
                                body,
                                fetched_at_ms: js_sys::Date::now(),
                            };
                            if let Some(cache) = cache.as_ref() {
                                if let Err(e) = cache.put(&fresh).await {
                                    warnings.push(e.to_string());
                                }
                            }
                            current = Some((fresh, summary));
                            origin = Origin::Mirror;
                        } else {
                            warnings.push(format!(
                                "{url}: {} rows up to {} is less than the saved copy; the saved copy is used",
                                summary.rows,
                                summary.last.map_or_else(|| "none".to_string(), |d| d.to_string())
                            ));
                        }
                    }
                    Err(e) => warnings.push(e),
                }
            }
            Err(FetchError::NotFound(url)) => warnings.push(format!("{url} is missing from the data folder")),
            Err(e) => warnings.push(e.to_string()),
        }
        match current {
            Some((copy, summary)) => {
                // The body was parsed by `check_table`; it parses again the same way. Named by its
                // file name, as `tideline analyze` names it, so the two reports agree.
                let _ = kind.load_into(&mut inputs, name, &copy.body);
                status.source = copy.source;
                status.rows = summary.rows;
                status.span = summary.first.zip(summary.last).map(|(a, b)| (a.to_string(), b.to_string()));
                status.last_date = summary.last;
                status.origin = Some(origin);
                status.fetched_at_ms = Some(copy.fetched_at_ms);
                status.stale = summary.last.is_none_or(|d| d < reference.add_days(-TABLE_STALE_DAYS));
                status.warnings = warnings;
            }
            None => {
                status.error = Some(if warnings.is_empty() {
                    format!("{name}: no copy of this table was found")
                } else {
                    warnings.join("; ")
                });
            }
        }
        statuses.push(status);
    }
    TablesOutcome { inputs, statuses }
}

/// Checks a table body: against the manifest's entry when given (sha256 before parsing: `digest`
/// when the caller has it, [`super::sha256_hex`], else computed here; rows and last date after),
/// then as its kind, then for dates in the future.
pub fn check_table(
    kind: TableKind,
    source: &str,
    body: &str,
    expected: Option<&ManifestEntry>,
    digest: Option<&str>,
) -> Result<TableSummary, String> {
    if let Some(entry) = expected {
        match digest {
            Some(digest) => entry.verify_digest(source, digest),
            None => entry.verify_body(source, body.as_bytes()),
        }
        .map_err(|e| e.to_string())?;
    }
    let summary = kind.check(source, body).map_err(|e| e.to_string())?;
    if let Some(entry) = expected {
        entry.verify_parsed(source, summary.rows, summary.last).map_err(|e| e.to_string())?;
    }
    if let Some(last) = summary.last.filter(|d| *d > today().add_days(dataset::FUTURE_MARGIN_DAYS)) {
        return Err(format!(
            "{source}: a row is dated {last}, after today plus {} days: a feed or clock error, so the table is not used",
            dataset::FUTURE_MARGIN_DAYS
        ));
    }
    Ok(summary)
}

/// The warning for a body that is the service worker's offline copy (the server failed).
fn offline_note(url: &str, body: &Body) -> Option<String> {
    body.offline_copy_of.map(|reason| match reason {
        super::OfflineReason::Status(status) => {
            format!("{url} answered HTTP {status}; the copy this browser saved for offline use is shown")
        }
        super::OfflineReason::Timeout => {
            format!("{url}: no answer within 10 s; the copy this browser saved for offline use is shown")
        }
    })
}

fn base_status(entry: &CatalogEntry) -> SeriesStatus {
    SeriesStatus {
        id: entry.id.clone(),
        units: entry.canonical_units.clone(),
        licence: entry.licence.clone(),
        ..SeriesStatus::default()
    }
}

fn span(series: &Series) -> Option<(String, String)> {
    series.first().zip(series.last()).map(|((a, _), (b, _))| (a.to_string(), b.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fred(id: &str, rows: &[(&str, f64)]) -> String {
        let mut body = format!("observation_date,{id}\n");
        for (date, value) in rows {
            body.push_str(&format!("{date},{value}\n"));
        }
        body
    }

    fn fetched(source: &str, body: String) -> Fetched {
        Fetched { source: source.into(), origin: Origin::Mirror, format: None, body, fetched_at_ms: 0.0 }
    }

    fn good(body: String) -> Good {
        validate(&Catalog::builtin(), "WALCL", fetched("data/WALCL.csv", body)).expect("valid")
    }

    #[test]
    fn validation_refuses_html_garbage_and_implausible_units() {
        let catalog = Catalog::builtin();
        let html =
            fetched("data/WALCL.csv", "<!DOCTYPE html><html><body>Too many requests</body></html>".into());
        assert!(validate(&catalog, "WALCL", html).expect_err("html").contains("HTML"));
        let garbage = fetched("data/WALCL.csv", "observation_date,WALCL\n2024-01-03,abc\n".into());
        assert!(validate(&catalog, "WALCL", garbage).expect_err("garbage").contains("line 2"));
        // Billions where millions are expected: out of the plausible range.
        let units = fetched("data/WALCL.csv", fred("WALCL", &[("2024-01-03", 7.7)]));
        assert!(validate(&catalog, "WALCL", units).is_err());
    }

    #[test]
    fn accepts_only_bodies_that_are_not_older_and_lose_no_history() {
        let cached = good(fred("WALCL", &[("2024-01-03", 7_700_000.0), ("2024-01-10", 7_690_000.0)]));
        let newer = good(fred(
            "WALCL",
            &[("2024-01-03", 7_700_000.0), ("2024-01-10", 7_690_000.0), ("2024-01-17", 7_680_000.0)],
        ));
        let older = good(fred("WALCL", &[("2024-01-03", 7_700_000.0)]));
        let shorter = good(fred("WALCL", &[("2024-01-10", 7_690_000.0), ("2024-01-17", 7_680_000.0)]));
        assert!(accept(None, &cached.loaded));
        assert!(accept(Some(&cached.loaded), &newer.loaded));
        assert!(accept(Some(&cached.loaded), &cached.loaded), "the same dates: a revision is accepted");
        assert!(!accept(Some(&cached.loaded), &older.loaded));
        assert!(!accept(Some(&cached.loaded), &shorter.loaded));
        let extended = extend_with_newer(&cached.loaded, &shorter.loaded).expect("one newer observation");
        assert_eq!(extended.series.len(), 3);
        assert!(extended.source.contains("after 2024-01-10"), "{}", extended.source);
        assert_eq!(extend_with_newer(&newer.loaded, &cached.loaded), None);
    }

    #[test]
    fn lists_mirror_then_live_then_proxied_fred() {
        let catalog = Catalog::builtin();
        let btc = catalog.get("CBBTCUSD").expect("in catalog");
        let mirror_only = sources(btc, &LoadOptions::default()).expect("no proxy");
        assert_eq!(mirror_only.len(), 1);
        assert_eq!(mirror_only[0].url, "data/CBBTCUSD.csv");
        let options = LoadOptions {
            live: true,
            fred_proxy: Some("https://p.example/?u={url}".into()),
            ..LoadOptions::default()
        };
        let all = sources(btc, &options).expect("valid proxy");
        let formats: Vec<_> = all.iter().map(|s| s.format).collect();
        assert_eq!(formats, [None, Some(Format::Coingecko), Some(Format::Binance), Some(Format::Fred)]);
        assert_eq!(
            all[3].url,
            "https://p.example/?u=https%3A%2F%2Ffred.stlouisfed.org%2Fgraph%2Ffredgraph.csv%3Fid%3DCBBTCUSD"
        );
        let bad = LoadOptions { fred_proxy: Some("https://p.example/".into()), ..LoadOptions::default() };
        assert!(sources(btc, &bad).is_err());
    }

    #[test]
    fn uploads_join_the_dataset_or_say_why_not() {
        let outcome = LoadOutcome {
            dataset: Dataset::new(Catalog::builtin()),
            statuses: Vec::new(),
            cache_unavailable: None,
        };
        let upload = |name: &str, body: &str| StoredUpload {
            name: name.into(),
            role: tideline_core::catalog::Role::Asset,
            table: None,
            file_name: "mine.csv".into(),
            body: body.into(),
            added_at_ms: 0.0,
        };
        let with = outcome.with_uploads(&[
            upload("ALTS", "date,close\n2024-01-01,1.5\n2024-01-02,1.6\n"),
            upload("BROKEN", "date,close\n2024-01-01,1.5\n2024-01-02,abc\n"),
            upload("WALCL", "date,close\n2024-01-01,1.5\n"),
        ]);
        assert_eq!(with.dataset.get("ALTS").map(|s| s.len()), Some(2));
        assert_eq!(with.status("ALTS").and_then(|s| s.origin), Some(Origin::Upload));
        assert!(with.status("BROKEN").and_then(|s| s.error.clone()).is_some_and(|e| e.contains("line 3")));
        assert!(with.dataset.get("WALCL").is_none());
        assert!(with.status("WALCL").and_then(|s| s.error.clone()).is_some());
    }
}
