//! Global liquidity (model::global): FX conversion, shares, the impulse at constant FX, user banks,
//! point in time, and the real data.

use std::path::Path;

use tideline_core::catalog::Catalog;
use tideline_core::dataset::{Dataset, LoadedSeries};
use tideline_core::model::global::{global_liquidity, BankSpec, FxQuote, GlobalConfig, FED_ID};
use tideline_core::parse::Format;
use tideline_core::report::public_at;
use tideline_core::{Date, Series};

/// Values computed in a few exact-ish operations.
const EXACT: f64 = 1e-9;

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("test date")
}

/// A FRED body with the observations `(date, value)`.
fn fred(id: &str, rows: &[(Date, f64)]) -> String {
    let mut body = format!("observation_date,{id}\n");
    for (date, value) in rows {
        body.push_str(&format!("{date},{value}\n"));
    }
    body
}

/// Every `step` days from `first` to `last` inclusive.
fn every(first: &str, last: &str, step: i32) -> Vec<Date> {
    let (mut day, last) = (d(first), d(last));
    let mut out = Vec::new();
    while day <= last {
        out.push(day);
        day = day.add_days(step);
    }
    out
}

fn load(dataset: &mut Dataset, id: &str, rows: &[(Date, f64)]) {
    dataset.load_body(id, Format::Fred, &format!("{id}.csv"), &fred(id, rows)).expect("fixture loads");
}

/// The fixture, in native units:
///
/// - Fed: WALCL 7,000,000 USD mn, WDTGAL 500,000 USD mn, RRP 500 USD bn every Wednesday of 2023:
///   net liquidity 7,000 - 500 - 500 = 6,000 USD bn throughout.
/// - ECB: ECBASSETSW every Friday, 5,000,000 EUR mn (5,000 EUR bn) up to 2023-09-22, 5,100,000
///   from 2023-09-29 on (public 7 days later).
/// - BoJ: JPNASSETS 7,500,000 (100 mn JPY, i.e. 750,000 JPY bn) every month.
/// - FX every weekday: DEXUSEU 1.10 USD per EUR and DEXJPUS 150 JPY per USD up to 2023-09-28,
///   then 1.20 and 125 (public 8 days later: H.10 is weekly).
fn fixture() -> Dataset {
    let mut dataset = Dataset::new(Catalog::builtin());
    let wednesdays = every("2023-01-04", "2023-12-27", 7);
    let constant = |v: f64| wednesdays.iter().map(|w| (*w, v)).collect::<Vec<_>>();
    load(&mut dataset, "WALCL", &constant(7_000_000.0));
    load(&mut dataset, "WDTGAL", &constant(500_000.0));
    load(&mut dataset, "RRPONTSYD", &constant(500.0));
    let fridays = every("2023-01-06", "2023-12-29", 7);
    let ecb: Vec<_> =
        fridays.iter().map(|f| (*f, if *f <= d("2023-09-22") { 5_000_000.0 } else { 5_100_000.0 })).collect();
    load(&mut dataset, "ECBASSETSW", &ecb);
    let months: Vec<_> = (0..12).map(|m| (d("2023-01-01").add_months(m), 7_500_000.0)).collect();
    load(&mut dataset, "JPNASSETS", &months);
    let weekdays: Vec<Date> =
        every("2023-01-02", "2023-12-29", 1).into_iter().filter(|d| d.is_business_day()).collect();
    let switch = d("2023-09-28");
    let fx = |before: f64, after: f64| -> Vec<(Date, f64)> {
        weekdays.iter().map(|w| (*w, if *w <= switch { before } else { after })).collect()
    };
    load(&mut dataset, "DEXUSEU", &fx(1.10, 1.20));
    load(&mut dataset, "DEXJPUS", &fx(150.0, 125.0));
    dataset
}

#[test]
fn converts_each_bank_to_usd_and_shares_add_up() {
    let dataset = fixture();
    let g = global_liquidity(&dataset, d("2023-12-29"), &GlobalConfig::default()).expect("defined");
    assert!(g.missing.is_empty(), "{:?}", g.missing);
    let latest = g.latest.expect("latest");
    assert_eq!(latest.date, d("2023-12-29"));
    // Fed 6,000; ECB 5,100 EUR bn x 1.20 = 6,120; BoJ 750,000 JPY bn / 125 = 6,000. Total 18,120.
    let usd: Vec<f64> = latest.components.iter().map(|c| c.usd_bn).collect();
    for (got, want) in usd.iter().zip([6_000.0, 6_120.0, 6_000.0]) {
        assert!((got - want).abs() < EXACT, "{usd:?}");
    }
    assert!((latest.total_usd_bn - 18_120.0).abs() < EXACT);
    let boj = &latest.components[2];
    assert_eq!((boj.id.as_str(), boj.currency.as_str()), ("BOJ", "JPY"));
    assert_eq!(boj.fx_quote, Some(125.0));
    assert!((boj.usd_per_unit - 0.008).abs() < EXACT);
    // The ECB observation used is the one public 7 days before the Friday; FX 8 days before (H.10
    // comes out on Mondays for the week before).
    let ecb = &latest.components[1];
    assert_eq!((ecb.assets_observed, ecb.fx_observed), (d("2023-12-22"), Some(d("2023-12-21"))));
    // Shares: 6,000 / 18,120 = 0.331126; 6,120 / 18,120 = 0.337748.
    let shares: f64 = latest.components.iter().map(|c| c.share).sum();
    assert!((shares - 1.0).abs() < EXACT);
    assert!((latest.components[0].share - 6_000.0 / 18_120.0).abs() < EXACT);
    assert!(latest.stale_components.is_empty());
    assert_eq!(g.latest_fresh.map(|r| r.date), Some(d("2023-12-29")));
}

#[test]
fn impulse_at_constant_fx_strips_the_dollar() {
    let dataset = fixture();
    let g = global_liquidity(&dataset, d("2023-12-29"), &GlobalConfig::default()).expect("defined");
    let latest = g.latest.expect("latest");
    let impulse = latest.impulses.iter().find(|i| i.weeks == 13).expect("13-week impulse");
    assert_eq!(impulse.base_date, d("2023-09-29"));
    // At the base Friday: ECB 5,000 EUR bn (observed 09-22) x 1.10, BoJ 750,000 / 150, Fed 6,000:
    // T_base = 6,000 + 5,500 + 5,000 = 16,500.
    assert!((impulse.base_usd_bn - 16_500.0).abs() < EXACT);
    // In USD: 18,120 / 16,500 - 1 = +9.8182%.
    assert!((impulse.pct_usd - 100.0 * (18_120.0 / 16_500.0 - 1.0)).abs() < EXACT);
    // At constant FX: 6,000 + 5,100 x 1.10 + 750,000 / 150 = 16,610; 16,610 / 16,500 - 1 = +0.6667%:
    // the ECB's 2% of euro growth, not the dollar's fall.
    assert!((impulse.pct_constant_fx - 100.0 * (16_610.0 / 16_500.0 - 1.0)).abs() < EXACT);
    assert!((impulse.fx_effect_pct - 100.0 * (18_120.0 - 16_610.0) / 16_500.0).abs() < EXACT);
    assert!((impulse.change_constant_fx_usd_bn - 110.0).abs() < EXACT);
    // The chain-linked constant-FX index grows by the same 110 / 16,500 over those weeks.
    let at = |date: &str| g.history.iter().find(|w| w.date == d(date)).map(|w| w.constant_fx_index);
    let (Some(before), Some(after)) = (at("2023-09-29"), at("2023-12-29")) else { panic!("weeks missing") };
    assert!((after / before - 16_610.0 / 16_500.0).abs() < EXACT);
    // The 26-week window starts on 2023-06-30: the same balance-sheet and FX changes.
    let half = latest.impulses.iter().find(|i| i.weeks == 26).expect("26-week impulse");
    assert!((half.pct_constant_fx - impulse.pct_constant_fx).abs() < EXACT);
}

#[test]
fn a_user_bank_joins_with_its_own_fx_and_scale() {
    let mut dataset = fixture();
    // A bank reporting in CHF millions, weekly, converted with a CHF-per-USD rate of 0.8.
    let fridays = every("2023-01-06", "2023-12-29", 7);
    let assets = Series::from_pairs("SNB", &fridays.iter().map(|f| (*f, 800_000.0)).collect::<Vec<_>>())
        .expect("valid");
    let rate =
        Series::from_pairs("CHFUSD", &fridays.iter().map(|f| (*f, 0.8)).collect::<Vec<_>>()).expect("valid");
    let insert = |dataset: &mut Dataset, id: &str, series: Series| {
        dataset.insert(id, LoadedSeries { series, native_units: "user".into(), source: "test".into() });
    };
    insert(&mut dataset, "SNB", assets);
    insert(&mut dataset, "CHFUSD", rate);
    let mut config = GlobalConfig::default();
    config.banks.push(BankSpec {
        id: "SNB".into(),
        name: "Swiss National Bank".into(),
        assets_series: "SNB".into(),
        currency: "CHF".into(),
        fx_series: Some("CHFUSD".into()),
        fx_quote: FxQuote::UnitsPerUsd,
        scale_to_bn: 0.001,
        publication_lag_days: Some(0),
    });
    config.banks.push(BankSpec { assets_series: "NOT_LOADED".into(), id: "X".into(), ..BankSpec::ecb() });
    let g = global_liquidity(&dataset, d("2023-12-29"), &config).expect("defined");
    assert_eq!(g.missing, vec!["X: assets series NOT_LOADED not loaded".to_string()]);
    let latest = g.latest.expect("latest");
    // 800,000 CHF mn = 800 CHF bn; / 0.8 CHF per USD = 1,000 USD bn on top of 18,120.
    let snb = latest.components.iter().find(|c| c.id == "SNB").expect("SNB");
    assert!((snb.usd_bn - 1_000.0).abs() < EXACT);
    assert!((latest.total_usd_bn - 19_120.0).abs() < EXACT);
}

#[test]
fn stale_components_are_flagged_and_the_fresh_reading_kept() {
    let dataset = fixture();
    // Three months after the data end, everything is stale; the last fresh Friday is the data's.
    let g = global_liquidity(&dataset, d("2024-03-29"), &GlobalConfig::default()).expect("defined");
    let latest = g.latest.expect("latest");
    assert_eq!(latest.date, d("2024-03-29"));
    assert_eq!(latest.stale_components, vec![FED_ID.to_string(), "ECB".into(), "BOJ".into()]);
    let fresh = g.latest_fresh.expect("a fresh week exists");
    assert!(fresh.date <= d("2024-01-12") && fresh.stale_components.is_empty(), "{}", fresh.date);

    // The impulses at the latest Friday span stale weeks: flagged, and not the current reading.
    assert!(latest.impulses.iter().all(|i| !i.window_fresh), "{:?}", latest.impulses);
    // Each window's fresh impulse ends on or before the last fresh Friday, and no Friday of its
    // window had a stale component.
    assert_eq!(g.fresh_impulses.len(), 2);
    for impulse in &g.fresh_impulses {
        assert!(impulse.window_fresh && impulse.date <= fresh.date, "{impulse:?}");
        let window = g.history.iter().filter(|w| w.date >= impulse.base_date && w.date <= impulse.date);
        assert!(window.clone().all(|w| !w.any_stale));
        assert_eq!(window.count(), impulse.weeks + 1);
    }
    // Inside the data every window is fresh, and the fresh impulse is the current one.
    let inside = global_liquidity(&dataset, d("2023-12-29"), &GlobalConfig::default()).expect("defined");
    let current = inside.latest.expect("latest").impulses;
    assert!(current.iter().all(|i| i.window_fresh));
    assert_eq!(inside.fresh_impulses, current);
}

#[test]
fn nothing_loaded_is_none() {
    let empty = Dataset::new(Catalog::builtin());
    assert!(global_liquidity(&empty, d("2024-01-05"), &GlobalConfig::default()).is_none());
}

#[test]
fn point_in_time_later_data_changes_nothing() {
    let full = fixture();
    for as_of in ["2023-06-30", "2023-09-29", "2023-10-06", "2023-11-15"] {
        let as_of = d(as_of);
        let cut = public_at(&full, as_of);
        let with = global_liquidity(&full, as_of, &GlobalConfig::default());
        let without = global_liquidity(&cut, as_of, &GlobalConfig::default());
        assert!(with == without, "as of {as_of}: the result depends on data published later");
    }
}

fn real_data() -> Option<Dataset> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if !dir.join("ECBASSETSW.csv").exists() {
        return None;
    }
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_from(|name| std::fs::read_to_string(dir.join(name)).ok(), None);
    Some(dataset)
}

#[test]
fn real_data_point_in_time_and_latest() {
    let Some(dataset) = real_data() else { return };
    for as_of in ["2013-05-17", "2020-03-20", "2024-11-08"] {
        let as_of = d(as_of);
        let with = global_liquidity(&dataset, as_of, &GlobalConfig::default());
        let without = global_liquidity(&public_at(&dataset, as_of), as_of, &GlobalConfig::default());
        assert!(with.is_some());
        assert!(with == without, "as of {as_of}: the result depends on data published later");
    }
    let as_of = tideline_core::report::default_as_of(&dataset).expect("data");
    let g = global_liquidity(&dataset, as_of, &GlobalConfig::default()).expect("defined");
    for (label, reading) in [("latest", &g.latest), ("latest fresh", &g.latest_fresh)] {
        let Some(r) = reading else { continue };
        let shares: Vec<String> = r
            .components
            .iter()
            .map(|c| format!("{} {:.1}% ({:.0} USD bn)", c.id, 100.0 * c.share, c.usd_bn))
            .collect();
        let impulses: Vec<String> = r
            .impulses
            .iter()
            .map(|i| format!("{}w {:+.2}% USD, {:+.2}% const FX", i.weeks, i.pct_usd, i.pct_constant_fx))
            .collect();
        println!(
            "global liquidity {label} {}: {:.0} USD bn; {}; {}; stale: {:?}",
            r.date,
            r.total_usd_bn,
            shares.join(", "),
            impulses.join(", "),
            r.stale_components
        );
        assert!(r.total_usd_bn > 10_000.0 && r.total_usd_bn < 30_000.0);
    }
    for l in &g.lead_lag {
        println!(
            "lead-lag {} -> {}: best lag {} weeks, rho {:.3} (band {:.3}, n {})",
            l.x, l.y, l.best_lag_weeks, l.rho, l.band, l.n
        );
    }
    assert_eq!(g.lead_lag.len(), 3);
}

#[test]
fn the_pboc_joins_from_a_user_series_with_the_catalog_fx() {
    let mut dataset = fixture();
    // The PBoC publishes monthly in 100 million yuan: 4,300,000 = 430,000 CNY bn; DEXCHUS 7.2.
    let months: Vec<_> = (0..12).map(|m| (d("2023-01-31").add_months(m), 4_300_000.0)).collect();
    let series = Series::from_pairs("PBOC_ASSETS", &months).expect("valid");
    let loaded = LoadedSeries { series, native_units: "CNY 100 mn".into(), source: "upload".into() };
    dataset.insert_user("PBOC_ASSETS", loaded, tideline_core::catalog::Role::Global);
    let weekdays: Vec<Date> =
        every("2023-01-02", "2023-12-29", 1).into_iter().filter(|d| d.is_business_day()).collect();
    load(&mut dataset, "DEXCHUS", &weekdays.iter().map(|w| (*w, 7.2)).collect::<Vec<_>>());
    let mut config = GlobalConfig::default();
    config.banks.push(BankSpec::pboc("PBOC_ASSETS", 0.1));
    config.banks.push(BankSpec::boe("BOE_ASSETS", 1.0));
    let latest = global_liquidity(&dataset, d("2023-12-29"), &config).and_then(|g| g.latest).expect("latest");
    let pboc = latest.components.iter().find(|c| c.id == "PBOC").expect("PBOC component");
    // Public 45 days after its date: on 2023-12-29 the newest is the one dated 2023-10-31.
    assert_eq!(pboc.assets_observed, d("2023-10-31"));
    assert!((pboc.local_bn - 430_000.0).abs() < EXACT);
    assert!((pboc.usd_bn - 430_000.0 / 7.2).abs() < 1e-6, "{}", pboc.usd_bn);
    assert!((latest.total_usd_bn - (18_120.0 + 430_000.0 / 7.2)).abs() < 1e-6);
    // The Bank of England's series is not loaded: said, not guessed.
    let g = global_liquidity(&dataset, d("2023-12-29"), &config).expect("defined");
    assert!(g.missing.iter().any(|m| m.starts_with("BOE")), "{:?}", g.missing);
}
