//! The mirror's `manifest.json`: what a data folder holds, written by `tideline mirror` and read
//! by the page before it fetches anything (so it asks only for files that exist).

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// One series in the manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Catalog id (the file is `<id>.csv`).
    pub id: String,
    /// Where the body came from (URL or file), when it succeeded.
    pub source: Option<String>,
    /// Unix seconds when it was fetched.
    pub fetched_at: u64,
    /// Observations written.
    pub rows: usize,
    /// First observation date.
    pub first: Option<Date>,
    /// Last observation date.
    pub last: Option<Date>,
    /// The native units the body was read in.
    pub native_units: Option<String>,
    /// sha256 of the file written.
    pub sha256: Option<String>,
    /// Why this run failed for the series (an earlier good file may still be in the folder).
    pub error: Option<String>,
}

/// The manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Unix seconds when the mirror ran.
    pub generated_at: u64,
    /// The catalog version used.
    pub catalog_version: u32,
    /// One entry per series attempted.
    pub series: Vec<ManifestEntry>,
    /// One entry per table input found (the spot-ETF flow table, the treasury-company sheet; see
    /// `model::flows::FlowInputs::load_from`); `id` is the file name in the folder.
    #[serde(default)]
    pub tables: Vec<ManifestEntry>,
    /// The vintages of the revised series (absent in manifests written before they existed).
    #[serde(default)]
    pub vintages: VintagesManifest,
}

/// The vintage files of the revised series: `vintages/<ID>.csv` beside `<ID>.csv`, in the format
/// of [`crate::parse::vintage`]. The mirror fetches them from ALFRED only when the environment
/// has a FRED API key (`FRED_API_KEY`); without one the folder holds latest vintages only, and
/// `note` says so.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VintagesManifest {
    /// Whether `FRED_API_KEY` was set for this run.
    #[serde(default)]
    pub api_key: bool,
    /// Why the folder has no fresh real-time vintages, e.g. "FRED_API_KEY not set: latest
    /// vintages only, revisions not accounted for"; `None` when they were fetched or copied.
    #[serde(default)]
    pub note: Option<String>,
    /// One entry per revised series attempted (or whose earlier file was kept): `id` is the series
    /// id, the file is `vintages/<id>.csv`, `rows` counts its rows (observations times vintages),
    /// `first` and `last` are its first and last observation dates.
    #[serde(default)]
    pub files: Vec<ManifestEntry>,
}

impl Manifest {
    /// Parses a manifest.
    pub fn from_json(text: &str) -> Result<Manifest, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Ids whose file is in the folder: written by this run, or kept from an earlier one (an entry
    /// with an error but a sha256 from before). Entries that never succeeded are left out.
    pub fn available_ids(&self) -> Vec<&str> {
        self.series.iter().filter(|e| e.sha256.is_some() || e.rows > 0).map(|e| e.id.as_str()).collect()
    }

    /// Ids whose vintage file (`vintages/<id>.csv`) is in the folder, written or kept.
    pub fn available_vintage_ids(&self) -> Vec<&str> {
        self.vintages.files.iter().filter(|e| e.sha256.is_some()).map(|e| e.id.as_str()).collect()
    }
}
