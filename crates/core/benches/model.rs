//! The full model (`report::analyze`) on the real catalog in ../shared/data (when present) and on
//! a synthetic 25-year daily catalog. Goal: under 10 ms natively, so the browser can rerun it
//! inside one animation frame.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use tideline_core::catalog::Catalog;
use tideline_core::dataset::Dataset;
use tideline_core::report::{analyze, ModelConfig};
use tideline_core::{synthetic, Date};

fn real_data() -> Option<Dataset> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if !dir.join("WALCL.csv").exists() {
        return None;
    }
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_from(|name| std::fs::read_to_string(dir.join(name)).ok(), None);
    Some(dataset)
}

fn bench(c: &mut Criterion) {
    let config = ModelConfig::default();
    if let Some(dataset) = real_data() {
        c.bench_function("analyze/real catalog", |b| b.iter(|| analyze(&dataset, &config)));
    }
    let end = Date::from_ymd(2026, 6, 30).unwrap_or(Date::from_days(20_634));
    let dataset = synthetic::catalog(25, end, 7);
    c.bench_function("analyze/synthetic 25y daily catalog", |b| b.iter(|| analyze(&dataset, &config)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
