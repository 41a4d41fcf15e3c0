//! A synthetic catalog: every chain input and spectrum asset as deterministic random walks, in
//! canonical units, for benchmarks, property tests and offline demos. Not data: never shown as
//! such.

use crate::catalog::{Catalog, Frequency};
use crate::dataset::{Dataset, LoadedSeries};
use crate::date::Date;
use crate::series::Series;

/// A small deterministic generator (PCG-style LCG; uniform in [-0.5, 0.5)).
#[derive(Clone, Debug)]
pub struct Walk(u64);

impl Walk {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Walk {
        Walk(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1))
    }

    /// The next draw, uniform in [-0.5, 0.5).
    pub fn next_centered(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }
}

/// A dataset of `years` of every catalog series ending on `end`, at each series' native frequency
/// (daily series on business days, weekly on Wednesdays or Fridays, monthly on the first), as
/// geometric random walks around plausible levels.
pub fn catalog(years: i32, end: Date, seed: u64) -> Dataset {
    let catalog = Catalog::builtin();
    let mut dataset = Dataset::new(catalog.clone());
    let start = end.add_months(-12 * years);
    for (k, entry) in catalog.series.iter().enumerate() {
        let [lo, hi] = entry.plausible;
        let base = if lo > 0.0 { (lo * hi).sqrt().min(lo * 50.0).max(lo * 2.0) } else { (lo + hi) / 2.0 };
        let vol = match entry.frequency {
            Frequency::Daily => 0.01,
            Frequency::Weekly => 0.02,
            Frequency::Monthly => 0.004,
            Frequency::Quarterly => 0.006,
        };
        let mut walk = Walk::new(seed ^ (k as u64 + 1));
        let mut pairs = Vec::new();
        let mut date = match entry.frequency {
            Frequency::Weekly if entry.id == "NFCI" => start.next_friday(),
            Frequency::Weekly => start.next_friday().add_days(-2),
            Frequency::Monthly | Frequency::Quarterly => start.month_start(),
            Frequency::Daily => start,
        };
        let mut value = base;
        while date <= end {
            if entry.frequency != Frequency::Daily || date.is_business_day() {
                let step = vol * walk.next_centered();
                value = if lo > 0.0 {
                    (value * step.exp()).clamp(lo, hi)
                } else {
                    (value + step * (hi - lo) / 10.0).clamp(lo, hi)
                };
                pairs.push((date, value));
            }
            date = match entry.frequency {
                Frequency::Daily => date.add_days(1),
                Frequency::Weekly => date.add_days(7),
                Frequency::Monthly => date.add_months(1),
                Frequency::Quarterly => date.add_months(3),
            };
        }
        if let Some(series) = Series::from_pairs(entry.id.clone(), &pairs) {
            let loaded =
                LoadedSeries { series, native_units: "synthetic".into(), source: "synthetic".into() };
            dataset.insert(&entry.id, loaded);
        }
    }
    dataset
}

/// [`catalog`] plus user series up to `total` series in all (none when the catalog already has
/// that many): daily random-walk prices on business days, every fourth an asset (scored on the
/// risk spectrum), the others risk-appetite indicators. For measuring how the model's time grows
/// with the number of series.
pub fn with_user_series(years: i32, end: Date, seed: u64, total: usize) -> Dataset {
    let mut dataset = catalog(years, end, seed);
    let start = end.add_months(-12 * years);
    let existing = dataset.iter().count();
    for k in 0..total.saturating_sub(existing) {
        let mut walk = Walk::new(seed ^ (0xA5A5 + k as u64));
        let (mut date, mut value, mut pairs) = (start, 100.0_f64, Vec::new());
        while date <= end {
            if date.is_business_day() {
                value *= (0.02 * walk.next_centered()).exp();
                pairs.push((date, value));
            }
            date = date.add_days(1);
        }
        let id = format!("USER{k:03}");
        let role = if k % 4 == 0 { crate::catalog::Role::Asset } else { crate::catalog::Role::RiskAppetite };
        if let Some(series) = Series::from_pairs(id.clone(), &pairs) {
            let loaded =
                LoadedSeries { series, native_units: "synthetic".into(), source: "synthetic".into() };
            dataset.insert_user(&id, loaded, role);
        }
    }
    dataset
}
