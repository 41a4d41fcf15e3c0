//! A [`Dataset`]: the catalog's series loaded in canonical units, with where each came from.
//!
//! This is the entry point for callers that hold feed bodies (the browser after its fetches, the
//! command line after reading a folder): hand each body to [`Dataset::load_body`], then ask the
//! model for figures. A body that fails to parse or is implausible is reported and left out; it
//! never replaces a series already loaded (the last good copy stays).
//!
//! # Revised series and real-time vintages
//!
//! A catalog series marked `revised` (CPI, core PCE, M2, INDPRO, UNRATE, GDPC1) may also be loaded
//! from its vintages ([`Dataset::load_vintages`], or `vintages/<ID>.csv` in
//! [`Dataset::load_from`]). Its loaded series is then the **first-release** series (each
//! observation's earliest vintage, see [`crate::parse::vintage`]), and beside it the dataset keeps,
//! per observation, the first day the model may use it ([`RealTime::public_from`]): the later of its
//! first release and `date + publication lag` (the catalog lag stays a floor, so nothing becomes
//! public earlier than it did without vintages; an observation whose release the file does not
//! know, one already in its earliest vintage, keeps the lag alone).
//!
//! Why keep the timing beside the series instead of in it: every model function takes a
//! [`Series`] of dated values, and the first-release values are just such a series; only *when*
//! each value may be used differs. Two places consult the timing: the as-of cut
//! ([`Dataset::public_at`], used by the report and the backtest) drops the observations not yet
//! released at the cutoff, and the weekly panel joins a real-time series on its release days
//! ([`crate::align::as_of_released`]), so the history of a run never uses a figure before its
//! release either. With vintages, the series comes from the vintage file alone: mixing in newer
//! rows of the latest-vintage CSV would mix revised figures into first releases.
//!
//! The report says per revised series which it used ([`VintageUse`]).
//!
//! Choices where the specification is silent: a value is never replaced by its revisions (first
//! release semantics, see [`crate::parse::vintage`] for why); the staleness rule keeps the catalog
//! lag, so a release that came late shows as stale until it is out; and the default as-of date
//! ([`crate::report::default_as_of`]) is still chosen with the catalog lags: on that date a late
//! release is simply not yet in the cut, which can only make the picture older, never look ahead.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, CatalogEntry, Role};
use crate::date::Date;
use crate::error::ParseError;
use crate::liquidity::{self, NetLiquidityPoint};
use crate::parse::{self, Format};
use crate::series::Series;

/// A loaded series and its provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadedSeries {
    /// The series in canonical units.
    pub series: Series,
    /// The native units it was read in.
    pub native_units: String,
    /// The file or URL it was read from.
    pub source: String,
}

/// When each observation of a series loaded from its vintages may be used.
#[derive(Clone, Debug, PartialEq)]
pub struct RealTime {
    /// Per observation of the loaded series (same order and length): the first day the model may
    /// use it, the later of its first release and `date + publication lag`, never decreasing (an
    /// observation released before an older one is held back until that one is out too).
    pub public_from: Vec<Date>,
    /// The vintage file.
    pub source: String,
}

/// Which vintage of a revised series the model used (the report's per-series `vintage`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VintageUse {
    /// First releases from the series' vintages, each used from its release day.
    RealTime,
    /// Only the latest vintage was loaded: revised values are used as if public on their dates.
    Latest,
}

impl VintageUse {
    /// The report's note.
    pub fn note(self) -> &'static str {
        match self {
            VintageUse::RealTime => "real-time vintages",
            VintageUse::Latest => "latest vintage: revisions not accounted for",
        }
    }
}

/// Series loaded from feed bodies, keyed by catalog id.
#[derive(Clone, Debug)]
pub struct Dataset {
    catalog: Catalog,
    series: BTreeMap<String, LoadedSeries>,
    /// Roles of the user's own series (uploads), which have no catalog entry.
    user_roles: BTreeMap<String, Role>,
    /// Release timing of the series loaded from their vintages.
    real_time: BTreeMap<String, RealTime>,
}

/// Why a body was not loaded.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The id is not in the catalog.
    #[error("{id}: not a catalog series")]
    UnknownSeries {
        /// The id asked for.
        id: String,
    },
    /// No body was offered for the series.
    #[error("{id}: no file of this series was found")]
    NoCandidate {
        /// The id asked for.
        id: String,
    },
    /// The body could not be parsed or was implausible.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A file of the series lines up with the series' reference file only when shifted by a day:
    /// its dates follow another convention (see [`crate::dating`]); it is left out.
    #[error(
        "{file}: its daily changes line up with {reference} only when shifted by {shift:+} day \
         (correlation {rho_shifted:.2} shifted, {} as dated, over {n} days): its dates follow \
         another convention, so it is not used for {id}",
        rho_as_dated.map_or_else(|| "undefined".to_string(), |r| format!("{r:.2}"))
    )]
    Misdated {
        /// The series id.
        id: String,
        /// The refused file.
        file: String,
        /// The file it was checked against.
        reference: String,
        /// The shift in days that lines it up (`+1`: each close is stamped a day late).
        shift: i32,
        /// The correlation of one-day changes at that shift.
        rho_shifted: f64,
        /// The correlation as dated.
        rho_as_dated: Option<f64>,
        /// Common one-day changes at that shift.
        n: usize,
    },
    /// A saved binary copy (see [`crate::codec`]) could not be read back.
    #[error("{id}: the saved copy is unreadable: {error}")]
    Saved {
        /// The series id.
        id: String,
        /// What is wrong with it.
        error: crate::codec::CodecError,
    },
    /// An observation is dated after today plus [`FUTURE_MARGIN_DAYS`]: a feed or clock error.
    /// Kept, such a copy could never be replaced (no newer file has a later last date), so it is
    /// refused ([`check_not_future`]).
    #[error(
        "{source_name}: an observation is dated {date}, after today ({today}) plus {margin} days: a feed \
         or clock error, so the body is not used for {id}",
        margin = FUTURE_MARGIN_DAYS
    )]
    FutureDate {
        /// The series id.
        id: String,
        /// The file or URL.
        source_name: String,
        /// The latest observation date.
        date: Date,
        /// The date it was checked against.
        today: Date,
    },
}

/// How many days after today an observation may be dated before [`check_not_future`] refuses it:
/// time zones and a feed stamping the current week's end, no more.
pub const FUTURE_MARGIN_DAYS: i32 = 3;

/// Refuses `series` (read from `source` for catalog series `id`) when its last observation is
/// dated after `today` plus [`FUTURE_MARGIN_DAYS`]. `tideline mirror` checks every body with it
/// before it writes the file; the page's loader is meant to check fetched bodies and saved copies
/// the same way (not yet wired).
pub fn check_not_future(id: &str, source: &str, series: &Series, today: Date) -> Result<(), LoadError> {
    match series.last() {
        Some((date, _)) if date > today.add_days(FUTURE_MARGIN_DAYS) => {
            Err(LoadError::FutureDate { id: id.to_string(), source_name: source.to_string(), date, today })
        }
        _ => Ok(()),
    }
}

/// Of the valid files of one series, in the catalog's order (`(source, series)`), the index of the
/// freshest as of `as_of` among those whose dates line up with the first one (the reference, see
/// [`crate::dating`]), and one [`LoadError::Misdated`] per file refused because it lines up only
/// when shifted by a day.
///
/// Freshness is the last observation on or before `as_of` (all of them without it); ties go to
/// the earlier file. The check, too, looks only at observations on or before `as_of`, so the
/// choice never depends on later data. `tideline mirror --from` and [`Dataset::load_freshest`]
/// both choose this way.
pub fn pick_freshest(
    id: &str,
    candidates: &[(&str, &Series)],
    as_of: Option<Date>,
) -> (Option<usize>, Vec<LoadError>) {
    let cut = |s: &Series| match as_of {
        Some(d) => s.truncated_after(d),
        None => s.clone(),
    };
    let last_seen = |s: &Series| match as_of {
        Some(d) => s.at_or_before(d).map(|l| l.0),
        None => s.last().map(|l| l.0),
    };
    let mut refused = Vec::new();
    let mut best: Option<usize> = None;
    let reference = candidates.first().map(|(source, series)| (*source, cut(series)));
    for (i, (source, series)) in candidates.iter().enumerate() {
        if let Some((reference_source, reference_series)) = reference.as_ref().filter(|_| i > 0) {
            let check = crate::dating::shift_check(reference_series, &cut(series));
            if let Some(shift) = check.misdated_by() {
                let slot = usize::try_from(shift + 1).unwrap_or(1);
                refused.push(LoadError::Misdated {
                    id: id.to_string(),
                    file: source.to_string(),
                    reference: reference_source.to_string(),
                    shift,
                    rho_shifted: check.at(shift).unwrap_or(f64::NAN),
                    rho_as_dated: check.at(0),
                    n: check.n.get(slot).copied().unwrap_or(0),
                });
                continue;
            }
        }
        let newer =
            best.and_then(|b| candidates.get(b)).is_none_or(|(_, b)| last_seen(series) > last_seen(b));
        if newer {
            best = Some(i);
        }
    }
    (best, refused)
}

impl Dataset {
    /// An empty dataset over `catalog`.
    pub fn new(catalog: Catalog) -> Dataset {
        Dataset { catalog, series: BTreeMap::new(), user_roles: BTreeMap::new(), real_time: BTreeMap::new() }
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Parses `body` (in `format`, read from `source`) as catalog series `id`, converts it to
    /// canonical units and keeps it. On error nothing changes.
    pub fn load_body(
        &mut self,
        id: &str,
        format: Format,
        source: &str,
        body: &str,
    ) -> Result<&LoadedSeries, LoadError> {
        let loaded = parse_body(&self.catalog, id, format, source, body)?;
        self.real_time.remove(id);
        self.series.insert(id.to_string(), loaded);
        Ok(&self.series[id])
    }

    /// Loads catalog series `id` from a saved binary copy ([`crate::codec`]): decoded, checked to
    /// be saved under `id`, and checked against the plausible range as a parsed body is. No text
    /// is parsed. On error nothing changes.
    pub fn load_saved(&mut self, id: &str, bytes: &[u8]) -> Result<&LoadedSeries, LoadError> {
        let loaded = read_saved(&self.catalog, id, bytes)?;
        self.real_time.remove(id);
        self.series.insert(id.to_string(), loaded);
        Ok(&self.series[id])
    }

    /// Parses `body` (a vintage file, see [`crate::parse::vintage`], read from `source`) as the
    /// vintages of catalog series `id` and loads its first releases in canonical units, replacing
    /// any latest-vintage copy, with their release days (see the module docs). On error nothing
    /// changes.
    pub fn load_vintages(&mut self, id: &str, source: &str, body: &str) -> Result<&LoadedSeries, LoadError> {
        let entry = self.catalog.get(id).ok_or_else(|| LoadError::UnknownSeries { id: id.to_string() })?;
        let first = parse::vintage::parse(source, body, Some(id))?.first_release();
        let (series, native_units) = entry.to_canonical(&first.series, source)?;
        let lag = entry.publication_lag_days.max(0);
        let mut public_from = Vec::with_capacity(series.len());
        for (date, released) in series.dates().iter().zip(&first.released) {
            let by_lag = date.add_days(lag);
            let day = released.map_or(by_lag, |r| r.max(by_lag));
            let floor = public_from.last().copied().unwrap_or(day);
            public_from.push(day.max(floor));
        }
        self.real_time.insert(id.to_string(), RealTime { public_from, source: source.to_string() });
        self.series.insert(id.to_string(), LoadedSeries { series, native_units, source: source.to_string() });
        Ok(&self.series[id])
    }

    /// Loads catalog series `id` from the freshest of several candidate bodies (`(source, body)`,
    /// each in a detected format), as [`pick_freshest`] chooses: the valid candidate whose last
    /// observation is newest wins, among those whose dates line up with the first valid one.
    /// Returns the loaded series and the errors of the candidates refused for their dates
    /// ([`LoadError::Misdated`]). When none is valid, the error of the first candidate is returned
    /// and nothing changes.
    ///
    /// With `as_of`, freshness is judged on the observations dated on or before it, so that the
    /// choice of file never depends on data after the as-of date (ties go to the earlier
    /// candidate: the catalog's own `<ID>.csv` first).
    ///
    /// The command line uses this on a data folder (`<ID>.csv` and the entry's `local_files`).
    pub fn load_freshest(
        &mut self,
        id: &str,
        candidates: &[(String, String)],
        as_of: Option<Date>,
    ) -> Result<(&LoadedSeries, Vec<LoadError>), LoadError> {
        let entry = self.catalog.get(id).ok_or_else(|| LoadError::UnknownSeries { id: id.to_string() })?;
        let mut valid: Vec<LoadedSeries> = Vec::new();
        let mut first_error = None;
        for (source, body) in candidates {
            let parsed = parse::detect(source, body)
                .and_then(|format| parse::parse(format, source, body, Some(id)))
                .and_then(|native| entry.to_canonical(&native, source));
            match parsed {
                Ok((series, native_units)) => {
                    valid.push(LoadedSeries { series, native_units, source: source.clone() })
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let views: Vec<(&str, &Series)> = valid.iter().map(|l| (l.source.as_str(), &l.series)).collect();
        let (best, refused) = pick_freshest(id, &views, as_of);
        match (best, first_error) {
            (Some(i), _) => {
                let loaded = valid.swap_remove(i);
                self.real_time.remove(id);
                self.series.insert(id.to_string(), loaded);
                Ok((&self.series[id], refused))
            }
            (None, Some(e)) => Err(e.into()),
            (None, None) => {
                Err(refused.into_iter().next().unwrap_or(LoadError::NoCandidate { id: id.to_string() }))
            }
        }
    }

    /// Loads every catalog series that `read` can supply: `read(name)` returns the body of a file
    /// named relative to a data folder (`<ID>.csv`, then each entry's `local_files`), or `None`.
    /// Among a series' files the freshest as of `as_of` wins ([`Dataset::load_freshest`]). A
    /// revised series whose `vintages/<ID>.csv` is there is then loaded from it instead
    /// ([`Dataset::load_vintages`]); when that file is bad, its error is returned and the
    /// latest-vintage copy stays.
    /// Returns the errors of series that had files but none valid (those series are left out),
    /// and of files refused because their dates are a day off the series' reference file.
    pub fn load_from(
        &mut self,
        read: impl Fn(&str) -> Option<String>,
        as_of: Option<Date>,
    ) -> Vec<LoadError> {
        let entries = self.catalog.series.clone();
        let mut errors = Vec::new();
        for entry in &entries {
            let names = std::iter::once(entry.file_name()).chain(entry.local_files.iter().cloned());
            let candidates: Vec<(String, String)> =
                names.filter_map(|name| read(&name).map(|body| (name, body))).collect();
            if !candidates.is_empty() {
                match self.load_freshest(&entry.id, &candidates, as_of) {
                    Ok((_, refused)) => errors.extend(refused),
                    Err(e) => errors.push(e),
                }
            }
            let vintages = entry.vintage_file_name();
            if let Some(body) = entry.revised.then(|| read(&vintages)).flatten() {
                if let Err(e) = self.load_vintages(&entry.id, &vintages, &body) {
                    errors.push(e);
                }
            }
        }
        errors
    }

    /// The release timing of a series loaded from its vintages.
    pub fn real_time(&self, id: &str) -> Option<&RealTime> {
        self.real_time.get(id)
    }

    /// For a revised catalog series, which vintage is loaded; `None` for a series that is not
    /// revised (or not in the catalog).
    pub fn vintage_use(&self, id: &str) -> Option<VintageUse> {
        let revised = self.user_role(id).is_none() && self.entry(id).is_some_and(|e| e.revised);
        revised
            .then(|| if self.real_time.contains_key(id) { VintageUse::RealTime } else { VintageUse::Latest })
    }

    /// For each of `dates`, the first day on which a value computed from the observations of
    /// real-time series `id` dated on or before it may be used (the release day of the newest of
    /// them); `None` when `id` was not loaded from its vintages. A date before the first
    /// observation gets that observation's day.
    pub fn public_from_on(&self, id: &str, dates: &[Date]) -> Option<Vec<Date>> {
        let timing = self.real_time.get(id)?;
        let observed = self.get(id)?.dates();
        let days = dates.iter().filter_map(|date| {
            let newest = observed.partition_point(|d| d <= date).saturating_sub(1);
            timing.public_from.get(newest).copied()
        });
        Some(days.collect())
    }

    /// The dataset as the public saw it at `as_of`: each series cut to the observations published
    /// by then (asset prices and user series: dated on or before; series loaded from their
    /// vintages: first released by then, see the module docs; others: `date + publication lag <=
    /// as_of`).
    pub fn public_at(&self, as_of: Date) -> Dataset {
        let mut cut = Dataset::new(self.catalog.clone());
        for (id, loaded) in self.iter() {
            let mut kept = loaded.clone();
            if let Some(timing) = self.real_time.get(id) {
                let n = timing.public_from.partition_point(|day| *day <= as_of);
                let Some(last) = n.checked_sub(1).and_then(|i| loaded.series.dates().get(i)).copied() else {
                    continue;
                };
                kept.series = loaded.series.truncated_after(last);
                let public_from = timing.public_from[..n].to_vec();
                cut.real_time.insert(id.to_string(), RealTime { public_from, source: timing.source.clone() });
            } else {
                let lag =
                    self.entry(id)
                        .map_or(0, |e| if e.role == Role::Asset { 0 } else { e.publication_lag_days });
                kept.series = loaded.series.truncated_after(as_of.add_days(-lag));
            }
            if kept.series.is_empty() {
                continue;
            }
            cut.series.insert(id.to_string(), kept);
            if let Some(role) = self.user_role(id) {
                cut.user_roles.insert(id.to_string(), role);
            }
        }
        cut
    }

    /// Adds a user's own series (an upload) under `id` with the role the user gave it. The model
    /// joins it with no publication lag; an asset becomes an extra tier of the spectrum, and one
    /// named `ALTS` replaces the altcoin proxy.
    pub fn insert_user(&mut self, id: &str, loaded: LoadedSeries, role: Role) {
        self.real_time.remove(id);
        self.user_roles.insert(id.to_string(), role);
        self.series.insert(id.to_string(), loaded);
    }

    /// Puts back one series exactly as a snapshot recorded it ([`crate::codec::decode_dataset`]):
    /// its role when it is a user series, its release timing when it was loaded from vintages.
    pub(crate) fn restore(
        &mut self,
        id: &str,
        loaded: LoadedSeries,
        user_role: Option<Role>,
        real_time: Option<RealTime>,
    ) {
        self.series.insert(id.to_string(), loaded);
        match user_role {
            Some(role) => self.user_roles.insert(id.to_string(), role),
            None => self.user_roles.remove(id),
        };
        match real_time {
            Some(timing) => self.real_time.insert(id.to_string(), timing),
            None => self.real_time.remove(id),
        };
    }

    /// The role of a user series (`None` for catalog series and unknown ids).
    pub fn user_role(&self, id: &str) -> Option<Role> {
        self.user_roles.get(id).copied()
    }

    /// Adds a series already in canonical units (an uploaded or computed series).
    pub fn insert(&mut self, id: &str, loaded: LoadedSeries) {
        self.real_time.remove(id);
        self.series.insert(id.to_string(), loaded);
    }

    /// The series with this id, in canonical units.
    pub fn get(&self, id: &str) -> Option<&Series> {
        self.series.get(id).map(|l| &l.series)
    }

    /// The series with this id and its provenance.
    pub fn loaded(&self, id: &str) -> Option<&LoadedSeries> {
        self.series.get(id)
    }

    /// All loaded series, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &LoadedSeries)> {
        self.series.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The catalog entry of a loaded series.
    pub fn entry(&self, id: &str) -> Option<&CatalogEntry> {
        self.catalog.get(id)
    }

    /// The newest observation date over all loaded series.
    pub fn last_date(&self) -> Option<Date> {
        self.series.values().filter_map(|l| l.series.last()).map(|(d, _)| d).max()
    }

    /// Weekly Fed net liquidity (see [`liquidity`]); `None` without WALCL or any TGA series.
    pub fn net_liquidity_weekly(&self) -> Option<Vec<NetLiquidityPoint>> {
        let walcl = self.get("WALCL")?;
        let (wdtgal, wtregen) = (self.get("WDTGAL"), self.get("WTREGEN"));
        if wdtgal.is_none() && wtregen.is_none() {
            return None;
        }
        Some(liquidity::net_liquidity_weekly(walcl, wdtgal, wtregen, self.get("RRPONTSYD")))
    }
}

/// What [`Dataset::load_body`] loads, without a dataset: `body` parsed in `format` as catalog series
/// `id` and converted to canonical units within the plausible range.
pub fn parse_body(
    catalog: &Catalog,
    id: &str,
    format: Format,
    source: &str,
    body: &str,
) -> Result<LoadedSeries, LoadError> {
    let entry = catalog.get(id).ok_or_else(|| LoadError::UnknownSeries { id: id.to_string() })?;
    let native = parse::parse(format, source, body, Some(id))?;
    let (series, native_units) = entry.to_canonical(&native, source)?;
    Ok(LoadedSeries { series, native_units, source: source.to_string() })
}

/// What [`Dataset::load_saved`] loads, without a dataset: a saved binary copy decoded, checked to
/// be saved under `id` and within the plausible range.
pub fn read_saved(catalog: &Catalog, id: &str, bytes: &[u8]) -> Result<LoadedSeries, LoadError> {
    let entry = catalog.get(id).ok_or_else(|| LoadError::UnknownSeries { id: id.to_string() })?;
    let saved = |error| LoadError::Saved { id: id.to_string(), error };
    let (key, loaded) = crate::codec::decode(bytes).map_err(saved)?;
    if key != id {
        return Err(saved(crate::codec::CodecError::Invalid {
            field: "the id",
            why: format!("saved as {key}, read as {id}"),
        }));
    }
    entry.check_canonical(&loaded.series, &loaded.source)?;
    Ok(loaded)
}
