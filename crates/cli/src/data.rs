//! Loading a data folder into a [`Dataset`] (see `Dataset::load_from`).

use std::path::Path;

use tideline_core::catalog::Catalog;
use tideline_core::dataset::Dataset;
use tideline_core::model::flows::FlowInputs;
use tideline_core::Date;

/// Loads every catalog series found in `dir` (choosing among a series' files by freshness as of
/// `as_of`); returns the dataset and one message per series that was present but unusable.
pub fn load_folder(dir: &Path, as_of: Option<Date>) -> (Dataset, Vec<String>) {
    let mut dataset = Dataset::new(Catalog::builtin());
    let errors = dataset.load_from(|name| std::fs::read_to_string(dir.join(name)).ok(), as_of);
    let prefix = format!("{}/", dir.display());
    let problems = errors.iter().map(|e| format!("{prefix}{e}")).collect();
    (dataset, problems)
}

/// Reads the table inputs of `dir` (the spot-ETF flow table and the treasury-company sheet, see
/// `FlowInputs::load_from`); returns them and one message per file that exists but does not parse.
pub fn load_tables(dir: &Path) -> (FlowInputs, Vec<String>) {
    let (inputs, errors) = FlowInputs::load_from(|name| std::fs::read_to_string(dir.join(name)).ok());
    let prefix = format!("{}/", dir.display());
    (inputs, errors.iter().map(|e| format!("{prefix}{e}")).collect())
}
