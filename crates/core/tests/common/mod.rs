//! What several test files (and the model bench) share: the shared public data folder, read at
//! run time (never copied into the project).

use std::path::Path;

use tideline_core::catalog::Catalog;
use tideline_core::dataset::Dataset;
use tideline_core::model::flows::FlowInputs;

/// The shared data folder (`../shared/data` beside the checkout) with its table inputs, or `None`
/// on a machine without it.
pub fn shared_data() -> Option<(Dataset, FlowInputs)> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if !dir.join("WALCL.csv").exists() {
        return None;
    }
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_from(read, None);
    let (inputs, _) = FlowInputs::load_from(read);
    Some((dataset, inputs))
}
