//! Cross-asset stress (model::stress): shares of assets down, the co-movement index and its
//! percentile, episodes, the verdict, point in time, and March 2020 on the real data.

use std::path::Path;

use tideline_core::catalog::Catalog;
use tideline_core::dataset::{Dataset, LoadedSeries};
use tideline_core::model::stress::{
    cross_asset_stress, expanding_percentile, rolling_correlation, stress_is_extreme, StressConfig,
    StressThresholds,
};
use tideline_core::report::public_at;
use tideline_core::{Date, Series};

const EXACT: f64 = 1e-9;

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("test date")
}

/// `n` business days from Monday 2024-01-01.
fn business_days(n: usize) -> Vec<Date> {
    let mut out = Vec::new();
    let mut day = d("2024-01-01");
    while out.len() < n {
        if day.is_business_day() {
            out.push(day);
        }
        day = day.add_days(1);
    }
    out
}

/// A price path from 100 by daily factors.
fn path(factors: &[f64]) -> Vec<f64> {
    let mut level = 100.0;
    factors
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if i > 0 {
                level *= f;
            }
            level
        })
        .collect()
}

fn insert(dataset: &mut Dataset, id: &str, dates: &[Date], prices: &[f64]) {
    let series = Series::new(id, dates.to_vec(), prices.to_vec()).expect("valid fixture");
    dataset.insert(id, LoadedSeries { series, native_units: "USD".into(), source: "test".into() });
}

fn config(assets: &[&str]) -> StressConfig {
    StressConfig {
        assets: assets.iter().map(|s| s.to_string()).collect(),
        window_days: 4,
        min_window_obs: 3,
        min_history_days: 0,
        thresholds: StressThresholds { min_voting: 2, ..StressThresholds::default() },
        ..StressConfig::default()
    }
}

#[test]
fn co_movement_index_by_hand() {
    // Three assets over 12 business days. B has exactly A's log returns; C has their negatives for
    // the first 6 returns, then A's. Pairwise correlations over a 4-day window: corr(A, B) = 1;
    // corr(A, C) = corr(B, C) = -1 while C mirrors A, +1 once the window holds only copies.
    // So the index is (1 - 1 - 1) / 3 = -1/3 at first, and (1 + 1 + 1) / 3 = 1 from day 10 (the
    // window of returns 7..=10 is all copies).
    let dates = business_days(12);
    let returns = [0.0, 0.01, -0.02, 0.03, -0.01, 0.02, -0.03, 0.015, -0.005, 0.01, -0.02, 0.025];
    let a: Vec<f64> = returns
        .iter()
        .scan(0.0, |acc, r| {
            *acc += r;
            Some(100.0 * f64::exp(*acc))
        })
        .collect();
    let c: Vec<f64> = returns
        .iter()
        .enumerate()
        .scan(0.0, |acc, (t, r)| {
            *acc += if t <= 6 { -r } else { *r };
            Some(50.0 * f64::exp(*acc))
        })
        .collect();
    let b: Vec<f64> = a.iter().map(|p| 2.0 * p).collect();
    let mut dataset = Dataset::new(Catalog::builtin());
    insert(&mut dataset, "A", &dates, &a);
    insert(&mut dataset, "B", &dates, &b);
    insert(&mut dataset, "C", &dates, &c);
    let stress = cross_asset_stress(&dataset, dates[11], &config(&["A", "B", "C"])).expect("defined");
    let index: Vec<Option<f64>> = stress.history.iter().map(|day| day.comovement).collect();
    // Returns start on day 1; three complete returns (min_window_obs) first on day 3.
    assert_eq!(index[..3], [None, None, None]);
    for (t, value) in index.iter().enumerate().take(7).skip(3) {
        assert!((value.expect("defined") + 1.0 / 3.0).abs() < EXACT, "day {t}: {value:?}");
    }
    for (t, value) in index.iter().enumerate().skip(10) {
        assert!((value.expect("defined") - 1.0).abs() < EXACT, "day {t}: {value:?}");
    }
    assert_eq!(stress.history[11].pairs, 3);
    // The percentile of the last value against days 3..=11, ties counted as at or below: 1.
    assert_eq!(stress.history[11].comovement_pct, Some(1.0));
    // 1-day share on day 2 (A and B fell 2%, C rose 2%): 2/3.
    assert!((stress.history[2].share_short.expect("share") - 2.0 / 3.0).abs() < EXACT);
}

#[test]
fn holidays_do_not_vote_and_stopped_feeds_drop_out() {
    // A trades every day; B is closed on day 2 (no observation: its price is carried); C stops
    // after day 3.
    let dates = business_days(8);
    let mut dataset = Dataset::new(Catalog::builtin());
    insert(&mut dataset, "A", &dates, &path(&[1.0, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99]));
    let b_dates: Vec<Date> = dates.iter().enumerate().filter(|(t, _)| *t != 2).map(|(_, x)| *x).collect();
    insert(&mut dataset, "B", &b_dates, &path(&[1.0, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99]));
    insert(&mut dataset, "C", &dates[..4], &path(&[1.0, 1.01, 1.01, 1.01]));
    let cfg = StressConfig { min_assets: 2, ..config(&["A", "B", "C"]) };
    let stress = cross_asset_stress(&dataset, dates[7], &cfg).expect("defined");
    let day = |t: usize| &stress.history[t];
    // Day 2: A fell, B had no new close (not counted), C rose: 1 of 2.
    assert_eq!((day(2).n_short, day(2).share_short), (2, Some(0.5)));
    // Day 7: C's last close (day 3) is 4 business days old: stale, so only A and B count.
    assert_eq!((day(7).n_short, day(7).share_short), (2, Some(1.0)));
    // Five-day share on day 7: A and B fell over days 2..=7.
    assert_eq!(day(7).share_long, Some(1.0));
    let current = stress.current.expect("current");
    assert_eq!(current.fell_short, vec!["A".to_string(), "B".into()]);
}

/// Three identical assets (all pairwise correlations 1, so the index is at its maximum): rising 1%
/// a day except falls of 10% on days 20, 21, 22 and 30.
fn episode_fixture() -> (Dataset, Vec<Date>) {
    let dates = business_days(45);
    let factors: Vec<f64> = (0..45).map(|t| if [20, 21, 22, 30].contains(&t) { 0.9 } else { 1.01 }).collect();
    let prices = path(&factors);
    let mut dataset = Dataset::new(Catalog::builtin());
    for id in ["A", "B", "C"] {
        insert(&mut dataset, id, &dates, &prices);
    }
    (dataset, dates)
}

#[test]
fn episodes_are_runs_of_extreme_days_with_their_moves() {
    let (dataset, dates) = episode_fixture();
    // The 5-day change at t covers the returns of days t-4..=t. With falls on 20..=22, it is
    // negative for t = 20 (1.01^4 x 0.9 = 0.937) to t = 26 (0.9 x 1.01^4 = 0.937), not on 27; the
    // fall on day 30 makes days 30..=34 negative. The percentile threshold is set to 0 here (the
    // index of identical assets is 1 up to rounding, so its rank among equal values is arbitrary).
    let cfg = StressConfig {
        window_days: 10,
        min_window_obs: 5,
        thresholds: StressThresholds { share: 0.8, percentile: 0.0, min_voting: 3 },
        ..config(&["A", "B", "C"])
    };
    let stress = cross_asset_stress(&dataset, dates[44], &cfg).expect("defined");
    let spans: Vec<(Date, Date, usize)> =
        stress.episodes.iter().map(|e| (e.start, e.end, e.extreme_days)).collect();
    assert_eq!(spans, vec![(dates[20], dates[26], 7), (dates[30], dates[34], 5)]);
    let first = &stress.episodes[0];
    assert_eq!(first.base_date, dates[15]);
    // From day 15 to day 26: rises on 16..=19 and 23..=26, falls on 20..=22:
    // 1.01^8 x 0.9^3 - 1 = 1.0828567 x 0.729 - 1 = -21.0597%.
    let expected = 100.0 * (1.01f64.powi(8) * 0.729 - 1.0);
    assert_eq!(first.moves.len(), 3);
    assert!(first.moves.iter().all(|m| (m.change_pct - expected).abs() < 1e-9), "{:?}", first.moves);
    assert_eq!(first.fell, vec!["A".to_string(), "B".into(), "C".into()]);
    assert!((first.max_share_long - 1.0).abs() < EXACT);
    // Allowing gaps of up to 4 business days merges the two.
    let merged =
        cross_asset_stress(&dataset, dates[44], &StressConfig { merge_gap_days: 4, ..cfg }).expect("defined");
    assert_eq!(merged.episodes.len(), 1);
    assert_eq!(
        (merged.episodes[0].start, merged.episodes[0].end, merged.episodes[0].extreme_days),
        (dates[20], dates[34], 12)
    );
}

#[test]
fn the_verdict_needs_both_thresholds() {
    let (dataset, dates) = episode_fixture();
    let cfg = StressConfig {
        window_days: 10,
        min_window_obs: 5,
        thresholds: StressThresholds { share: 0.8, percentile: 0.0, min_voting: 3 },
        ..config(&["A", "B", "C"])
    };
    // As of day 22 the fall is broad and the index defined: extreme.
    let during = cross_asset_stress(&dataset, dates[22], &cfg).expect("defined");
    let current = during.current.expect("current");
    assert!(stress_is_extreme(&current) && during.current_extreme);
    assert_eq!(current.fell_long.len(), 3);
    // A percentile threshold above 1 can never be met.
    let mut strict = current.clone();
    strict.thresholds.percentile = 1.01;
    assert!(!stress_is_extreme(&strict));
    // Three assets voting are too few when four are required.
    let mut thin = current.clone();
    thin.thresholds.min_voting = 4;
    assert!(!stress_is_extreme(&thin));
    // As of day 40 nothing fell over 5 days.
    let calm = cross_asset_stress(&dataset, dates[40], &cfg).expect("defined");
    assert!(!calm.current.as_ref().is_some_and(stress_is_extreme));
    assert_eq!(calm.current.map(|c| c.day.share_long), Some(Some(0.0)));
}

#[test]
fn helpers_by_hand() {
    // Percentile: 3 -> 1/1; 1 -> 1/2; 2 -> 2/3; 2 -> 3/4 (ties count as at or below).
    assert_eq!(
        expanding_percentile(&[3.0, 1.0, 2.0, 2.0], 0),
        vec![Some(1.0), Some(0.5), Some(2.0 / 3.0), Some(0.75)]
    );
    assert_eq!(expanding_percentile(&[3.0, 1.0, 2.0], 2), vec![None, None, Some(2.0 / 3.0)]);
    // Rolling correlation of y = 2x + 1 over 3 slots is 1; of y = -x is -1.
    let x = [1.0, 2.0, 4.0, 3.0, 5.0];
    let up: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
    let down: Vec<f64> = x.iter().map(|v| -v).collect();
    let r = rolling_correlation(&x, &up, 3, 3);
    assert_eq!(r[1], None);
    assert!(r[2..].iter().all(|v| v.is_some_and(|v| (v - 1.0).abs() < EXACT)));
    assert!(rolling_correlation(&x, &down, 3, 3)[4].is_some_and(|v| (v + 1.0).abs() < EXACT));
    // Too few assets: no stress.
    let mut dataset = Dataset::new(Catalog::builtin());
    insert(&mut dataset, "A", &business_days(3), &[1.0, 2.0, 3.0]);
    assert!(cross_asset_stress(&dataset, d("2024-01-05"), &config(&["A", "B"])).is_none());
}

fn real_data() -> Option<Dataset> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if !dir.join("DGS10.csv").exists() {
        return None;
    }
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_from(|name| std::fs::read_to_string(dir.join(name)).ok(), None);
    Some(dataset)
}

#[test]
fn real_data_finds_march_2020() {
    let Some(dataset) = real_data() else { return };
    let as_of = tideline_core::report::default_as_of(&dataset).expect("data");
    let stress = cross_asset_stress(&dataset, as_of, &StressConfig::default()).expect("defined");
    let march_2020 = stress
        .episodes
        .iter()
        .find(|e| e.start <= d("2020-03-31") && e.end >= d("2020-03-01"))
        .expect("an episode in March 2020");
    let moves: Vec<String> =
        march_2020.moves.iter().map(|m| format!("{} {:+.1}%", m.asset, m.change_pct)).collect();
    println!(
        "stress episode {}..{} (from {}): 5-day share {:.2}, co-movement {:.3} (pct {:.3}); {}",
        march_2020.start,
        march_2020.end,
        march_2020.base_date,
        march_2020.max_share_long,
        march_2020.max_comovement,
        march_2020.max_comovement_pct,
        moves.join(", ")
    );
    // Gold, stocks and Bitcoin were all sold.
    for asset in ["GOLD", "SP500", "NASDAQ100", "CBBTCUSD"] {
        assert!(march_2020.fell.iter().any(|a| a == asset), "{asset} should have fallen: {moves:?}");
    }
    println!(
        "stress: {} episodes since {}",
        stress.episodes.len(),
        stress.history.first().map(|d| d.date.to_string()).unwrap_or_default()
    );
    if let Some(current) = &stress.current {
        println!(
            "stress current {}: 1-day share {:?}, 5-day share {:?} ({} assets), co-movement {:?} (pct {:?}), extreme {}",
            current.day.date,
            current.day.share_short,
            current.day.share_long,
            current.day.n_long,
            current.day.comovement,
            current.day.comovement_pct,
            stress_is_extreme(current)
        );
    }
    // Point in time: the history up to a date does not depend on later data.
    let cut_date = d("2020-03-20");
    let with = cross_asset_stress(&dataset, cut_date, &StressConfig::default());
    let without = cross_asset_stress(&public_at(&dataset, cut_date), cut_date, &StressConfig::default());
    assert!(with == without, "stress as of {cut_date} depends on later data");
}
