//! A [`Dataset`]: the catalog's series loaded in canonical units, with where each came from.
//!
//! This is the entry point for callers that hold feed bodies (the browser after its fetches, the
//! command line after reading a folder): hand each body to [`Dataset::load_body`], then ask the
//! model for figures. A body that fails to parse or is implausible is reported and left out; it
//! never replaces a series already loaded (the last good copy stays).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{Catalog, CatalogEntry, Role};
use crate::date::Date;
use crate::error::ParseError;
use crate::liquidity::{self, NetLiquidityPoint};
use crate::parse::{self, Format};
use crate::series::Series;

/// A loaded series and its provenance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadedSeries {
    /// The series in canonical units.
    pub series: Series,
    /// The native units it was read in.
    pub native_units: String,
    /// The file or URL it was read from.
    pub source: String,
}

/// Series loaded from feed bodies, keyed by catalog id.
#[derive(Clone, Debug)]
pub struct Dataset {
    catalog: Catalog,
    series: BTreeMap<String, LoadedSeries>,
    /// Roles of the user's own series (uploads), which have no catalog entry.
    user_roles: BTreeMap<String, Role>,
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
        Dataset { catalog, series: BTreeMap::new(), user_roles: BTreeMap::new() }
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
        let entry = self.catalog.get(id).ok_or_else(|| LoadError::UnknownSeries { id: id.to_string() })?;
        let native = parse::parse(format, source, body, Some(id))?;
        let (series, native_units) = entry.to_canonical(&native, source)?;
        let loaded = LoadedSeries { series, native_units, source: source.to_string() };
        self.series.insert(id.to_string(), loaded);
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
    /// Among a series' files the freshest as of `as_of` wins ([`Dataset::load_freshest`]).
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
            if candidates.is_empty() {
                continue;
            }
            match self.load_freshest(&entry.id, &candidates, as_of) {
                Ok((_, refused)) => errors.extend(refused),
                Err(e) => errors.push(e),
            }
        }
        errors
    }

    /// Adds a user's own series (an upload) under `id` with the role the user gave it. The model
    /// joins it with no publication lag; an asset becomes an extra tier of the spectrum, and one
    /// named `ALTS` replaces the altcoin proxy.
    pub fn insert_user(&mut self, id: &str, loaded: LoadedSeries, role: Role) {
        self.user_roles.insert(id.to_string(), role);
        self.series.insert(id.to_string(), loaded);
    }

    /// The role of a user series (`None` for catalog series and unknown ids).
    pub fn user_role(&self, id: &str) -> Option<Role> {
        self.user_roles.get(id).copied()
    }

    /// Adds a series already in canonical units (an uploaded or computed series).
    pub fn insert(&mut self, id: &str, loaded: LoadedSeries) {
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
