//! Loading a data folder into a [`Dataset`] (see `Dataset::load_from`), with the user's own
//! series from `user/<role>/<ID>.csv` (any CSV layout `tideline check` accepts; `<role>` is one of
//! `inflation`, `rates`, `liquidity`, `risk_appetite`, `growth`, `asset`, `global`, `fx`), as the
//! page's upload panel adds them: e.g. `user/global/PBOC_ASSETS.csv` for a balance sheet named in
//! the `global.banks` setting, or `user/asset/ALTS.csv` to replace the altcoin tier.

use std::path::Path;

use tideline_core::catalog::{Catalog, Role};
use tideline_core::dataset::{Dataset, LoadedSeries};
use tideline_core::model::flows::FlowInputs;
use tideline_core::Date;

/// Loads every catalog series found in `dir` (choosing among a series' files by freshness as of
/// `as_of`); returns the dataset and one message per series that was present but unusable.
pub fn load_folder(dir: &Path, as_of: Option<Date>) -> (Dataset, Vec<String>) {
    let mut dataset = Dataset::new(Catalog::builtin());
    let errors = dataset.load_from(|name| std::fs::read_to_string(dir.join(name)).ok(), as_of);
    let prefix = format!("{}/", dir.display());
    let mut problems: Vec<String> = errors.iter().map(|e| format!("{prefix}{e}")).collect();
    problems.extend(load_user_series(&mut dataset, &dir.join("user")));
    (dataset, problems)
}

/// Adds every `<role>/<ID>.csv` under `user_dir` as a user series; one message per folder or
/// file that cannot be used.
fn load_user_series(dataset: &mut Dataset, user_dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let Ok(roles) = std::fs::read_dir(user_dir) else { return problems };
    let mut roles: Vec<_> = roles.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    roles.sort();
    for role_dir in roles {
        let name = role_dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let Ok(role) = serde_json::from_value::<Role>(serde_json::Value::String(name.clone())) else {
            problems.push(format!(
                "{}: not a role (inflation, rates, liquidity, risk_appetite, growth, asset, global, fx)",
                role_dir.display()
            ));
            continue;
        };
        let Ok(files) = std::fs::read_dir(&role_dir) else { continue };
        let mut files: Vec<_> = files.flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files.iter().filter(|p| p.extension().and_then(|e| e.to_str()) == Some("csv")) {
            let Some(id) = path.file_stem().and_then(|s| s.to_str()) else { continue };
            let source = path.display().to_string();
            if let Some(entry) = dataset.catalog().series.iter().find(|e| e.id.eq_ignore_ascii_case(id)) {
                problems.push(format!(
                    "{source}: {} is a catalog series ({}); a user series needs another name",
                    entry.id, entry.name
                ));
                continue;
            }
            if dataset.user_role(id).is_some() {
                problems
                    .push(format!("{source}: a user series named {id} was already loaded from another role"));
                continue;
            }
            let parsed = std::fs::read_to_string(path)
                .map_err(|e| format!("{source}: cannot read the file: {e}"))
                .and_then(|body| {
                    tideline_core::parse::user_csv::parse(&source, &body, Some(id)).map_err(|e| e.to_string())
                });
            match parsed {
                Ok(series) => {
                    let loaded = LoadedSeries { series, native_units: "as uploaded".into(), source };
                    dataset.insert_user(id, loaded, role);
                }
                Err(e) => problems.push(e),
            }
        }
    }
    problems
}

/// Reads the table inputs of `dir` (the spot-ETF flow table and the treasury-company sheet, see
/// `FlowInputs::load_from`); returns them and one message per file that exists but does not parse.
pub fn load_tables(dir: &Path) -> (FlowInputs, Vec<String>) {
    let (inputs, errors) = FlowInputs::load_from(|name| std::fs::read_to_string(dir.join(name)).ok());
    let prefix = format!("{}/", dir.display());
    (inputs, errors.iter().map(|e| format!("{prefix}{e}")).collect())
}
