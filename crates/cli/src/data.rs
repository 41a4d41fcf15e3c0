//! Loading a data folder into a [`Dataset`]: each catalog series from `<ID>.csv` or one of the
//! entry's other known files (the freshest valid one wins), as `tideline mirror --from` does.

use std::path::Path;

use tideline_core::catalog::Catalog;
use tideline_core::dataset::{Dataset, LoadError};

/// Loads every catalog series found in `dir`; returns the dataset and one message per series that
/// was present but could not be used.
pub fn load_folder(dir: &Path) -> (Dataset, Vec<String>) {
    let catalog = Catalog::builtin();
    let mut dataset = Dataset::new(catalog.clone());
    let mut problems = Vec::new();
    for entry in &catalog.series {
        let names = std::iter::once(entry.file_name()).chain(entry.local_files.iter().cloned());
        let candidates: Vec<(String, String)> = names
            .filter_map(|name| {
                let path = dir.join(name);
                std::fs::read_to_string(&path).ok().map(|body| (path.display().to_string(), body))
            })
            .collect();
        if candidates.is_empty() {
            continue;
        }
        match dataset.load_freshest(&entry.id, &candidates) {
            Ok(_) => {}
            Err(LoadError::NoCandidate { .. }) => {}
            Err(e) => problems.push(e.to_string()),
        }
    }
    (dataset, problems)
}
