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
}
