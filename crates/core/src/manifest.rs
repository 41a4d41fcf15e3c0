//! The mirror's `manifest.json`: what a data folder holds, written by `tideline mirror` and read
//! by the page before it fetches anything (so it asks only for files that exist).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

/// How a mirror file differs from what the manifest says the mirror wrote ([`ManifestEntry::verify_body`],
/// [`ManifestEntry::verify_parsed`]): the file was cut short, replaced (an error page served with
/// status 200, a proxy's rewrite) or changed after the mirror ran. The page then keeps its last
/// good copy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManifestMismatch {
    /// The body's sha256 is not the manifest's.
    #[error(
        "{file}: its sha256 ({got:.12}...) is not the manifest's ({want:.12}...): the file was cut short or \
         replaced after the mirror wrote it, so it is not used"
    )]
    Sha256 {
        /// The file.
        file: String,
        /// The manifest's digest (hex).
        want: String,
        /// The body's digest (hex).
        got: String,
    },
    /// The parsed body has another number of observations than the manifest's `rows`.
    #[error("{file}: {got} observations where the manifest says the mirror wrote {want}, so it is not used")]
    Rows {
        /// The file.
        file: String,
        /// The manifest's count.
        want: usize,
        /// The body's count.
        got: usize,
    },
    /// The parsed body ends on another date than the manifest's `last`.
    #[error("{file}: its last observation is {got} where the manifest says {want}, so it is not used")]
    Last {
        /// The file.
        file: String,
        /// The manifest's last date.
        want: Date,
        /// The body's last date (`none` when it has none).
        got: String,
    },
}

/// The lower-case hex sha256 of `bytes`, as `tideline mirror` writes it in the manifest.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

impl ManifestEntry {
    /// Checks a fetched body against the entry's sha256 (when the entry has one; compared without
    /// regard to case). Run before parsing: a body the mirror did not write is never parsed.
    pub fn verify_body(&self, file: &str, body: &[u8]) -> Result<(), ManifestMismatch> {
        match self.sha256 {
            Some(_) => self.verify_digest(file, &sha256_hex(body)),
            None => Ok(()),
        }
    }

    /// [`ManifestEntry::verify_body`] for a body whose sha256 (`got`, hex) was computed elsewhere:
    /// the page has the browser's native digest (`crypto.subtle`) do it, off the main thread.
    pub fn verify_digest(&self, file: &str, got: &str) -> Result<(), ManifestMismatch> {
        let Some(want) = self.sha256.as_deref() else { return Ok(()) };
        if got.trim().eq_ignore_ascii_case(want.trim()) {
            Ok(())
        } else {
            Err(ManifestMismatch::Sha256 {
                file: file.to_string(),
                want: want.to_string(),
                got: got.to_string(),
            })
        }
    }

    /// True when the entry names a sha256 to check a body against.
    pub fn has_digest(&self) -> bool {
        self.sha256.is_some()
    }

    /// Checks what a body parsed to against the entry's row count (when it is not 0: an entry of
    /// a run that failed may carry none) and last date (when it has one).
    pub fn verify_parsed(&self, file: &str, rows: usize, last: Option<Date>) -> Result<(), ManifestMismatch> {
        if self.rows > 0 && rows != self.rows {
            return Err(ManifestMismatch::Rows { file: file.to_string(), want: self.rows, got: rows });
        }
        match self.last {
            Some(want) if last != Some(want) => Err(ManifestMismatch::Last {
                file: file.to_string(),
                want,
                got: last.map_or_else(|| "none".to_string(), |d| d.to_string()),
            }),
            _ => Ok(()),
        }
    }
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

    /// The entry of series `id`, if the manifest lists it.
    pub fn series_entry(&self, id: &str) -> Option<&ManifestEntry> {
        self.series.iter().find(|e| e.id == id)
    }

    /// The entry of table file `name` (`etf_flows.csv`, ...), if the manifest lists it.
    pub fn table_entry(&self, name: &str) -> Option<&ManifestEntry> {
        self.tables.iter().find(|e| e.id == name)
    }

    /// Ids whose vintage file (`vintages/<id>.csv`) is in the folder, written or kept.
    pub fn available_vintage_ids(&self) -> Vec<&str> {
        self.vintages.files.iter().filter(|e| e.sha256.is_some()).map(|e| e.id.as_str()).collect()
    }
}
