//! The full model (`report::analyze`) on the real catalog in ../shared/data (when present) and on
//! a synthetic 25-year daily catalog. Goal: under 10 ms natively, so the browser can rerun it
//! inside one animation frame. And writing the real report (`write/*`: thinning to the detail
//! and serialising into memory; goal for the default, lean compact: under 5 ms). And one setting
//! changed through the staged report (`model/setting_change/*`: `report::Stages` primed with
//! the default settings, each iteration flipping one setting, so only the stages that read it
//! rerun; goal: under 16 ms in the worker).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use tideline_core::model::divergence::policy_divergence;
use tideline_core::model::flows::crypto_flows;
use tideline_core::model::global::global_liquidity;
use tideline_core::model::gold::gold_real_rates;
use tideline_core::model::panel::Panel;
use tideline_core::model::stress::cross_asset_stress;
use tideline_core::report::{
    analyze, analyze_with, default_as_of, public_at, Detail, JsonStyle, ModelConfig, Stages,
};
use tideline_core::{synthetic, Date};

#[path = "../tests/common/mod.rs"]
mod common;
use common::shared_data as real_data;

fn bench(c: &mut Criterion) {
    let config = ModelConfig::default();
    if let Some((dataset, inputs)) = real_data() {
        c.bench_function("analyze/real catalog", |b| b.iter(|| analyze_with(&dataset, &config, &inputs)));
        if let Ok(report) = analyze_with(&dataset, &config, &inputs) {
            for detail in [Detail::Lean, Detail::Full] {
                for style in [JsonStyle::Compact, JsonStyle::Pretty] {
                    c.bench_function(&format!("write/{detail} {style:?}"), |b| {
                        b.iter_batched(
                            || report.clone(),
                            |report| {
                                let mut bytes = Vec::with_capacity(1 << 20);
                                report.with_detail(detail).write_json(&mut bytes, style).map(|()| bytes.len())
                            },
                            BatchSize::LargeInput,
                        )
                    });
                }
            }
        }
        let mut lead_lag = config.clone();
        lead_lag.lead_lag.max_lag = config.lead_lag.max_lag.saturating_sub(4).max(1);
        let mut chain_weight = config.clone();
        chain_weight.chain.weights.insert("VIX".into(), 2.0);
        // `none`: the same settings again, so nothing reruns: the cost of assembling the report.
        let stages_of = [("lead_lag", lead_lag), ("chain_weight", chain_weight), ("none", config.clone())];
        for (name, changed) in stages_of {
            let mut stages = Stages::borrowed(&dataset, &inputs);
            let _ = stages.analyze(&config, None);
            let mut flip = false;
            c.bench_function(&format!("model/setting_change/{name}"), |b| {
                b.iter(|| {
                    flip = !flip;
                    stages.analyze(if flip { &changed } else { &config }, None)
                })
            });
        }
        // The beyond-the-Fed parts alone, on the as-of cut the report uses.
        if let Some(as_of) = default_as_of(&dataset) {
            let data = public_at(&dataset, as_of);
            c.bench_function("part/global liquidity", |b| {
                b.iter(|| global_liquidity(&data, as_of, &config.global))
            });
            c.bench_function("part/policy divergence", |b| {
                b.iter(|| policy_divergence(&data, as_of, &config.divergence))
            });
            c.bench_function("part/cross-asset stress", |b| {
                b.iter(|| cross_asset_stress(&data, as_of, &config.stress))
            });
            c.bench_function("part/crypto flows", |b| {
                b.iter(|| crypto_flows(&data, as_of, &inputs, &config.flows))
            });
            if let Some(panel) = Panel::build(&data, Some(as_of)) {
                c.bench_function("part/gold vs real rates", |b| {
                    b.iter(|| gold_real_rates(&panel, as_of, &config.gold))
                });
            }
        }
    }
    let end = Date::from_ymd(2026, 6, 30).unwrap_or(Date::from_days(20_634));
    let dataset = synthetic::catalog(25, end, 7);
    c.bench_function("analyze/synthetic 25y daily catalog", |b| b.iter(|| analyze(&dataset, &config)));
    // How the cost grows with the work: more series (user series on top of the catalog), longer
    // history. `scripts/bench.sh` reads these and prints the growth exponents.
    let mut scale = c.benchmark_group("scale");
    scale.sample_size(20);
    for total in [45, 100, 200] {
        let dataset = synthetic::with_user_series(25, end, 7, total);
        scale.bench_function(format!("series {total}"), |b| b.iter(|| analyze(&dataset, &config)));
    }
    for years in [25, 50] {
        let dataset = synthetic::catalog(years, end, 7);
        scale.bench_function(format!("years {years}"), |b| b.iter(|| analyze(&dataset, &config)));
    }
    scale.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
