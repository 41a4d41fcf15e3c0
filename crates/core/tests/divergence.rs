//! Policy divergence (model::divergence): the table, the regime rule, unknowns, staleness, point in
//! time, and the real data.

use std::path::Path;

use tideline_core::catalog::Catalog;
use tideline_core::dataset::{Dataset, LoadedSeries};
use tideline_core::model::divergence::{policy_divergence, BalanceSheetDirection, DivergenceConfig};
use tideline_core::model::Monetary;
use tideline_core::parse::Format;
use tideline_core::report::public_at;
use tideline_core::{Date, Series};

const EXACT: f64 = 1e-9;

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("test date")
}

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
    let mut body = format!("observation_date,{id}\n");
    for (date, value) in rows {
        body.push_str(&format!("{date},{value}\n"));
    }
    dataset.load_body(id, Format::Fred, &format!("{id}.csv"), &body).expect("fixture loads");
}

/// A step series: `before` on dates before `switch`, `after` from it.
fn step(dates: &[Date], switch: &str, before: f64, after: f64) -> Vec<(Date, f64)> {
    dates.iter().map(|x| (*x, if *x < d(switch) { before } else { after })).collect()
}

/// The fixture (as of 2024-12-31: rate base 2024-06-30, balance-sheet base 2024-10-01):
///
/// - US: DFF 5.33 until 2024-09-18, 4.83 from 09-19 (lag 1): Δr = 4.83 - 5.33 = -0.50 pp, rate
///   component +2. WALCL 7,200,000 USD mn up to 09-25, 7,056,000 from 10-02 (lag 2): at 12-31 the
///   12-25 value 7,056 bn, at 10-01 the 09-25 value 7,200 bn: -2.0%, component -2. Score 0: neutral.
/// - Euro area: ECBDFR 3.75 from 2024-06-12, 3.0 from 12-18 (lag 1): at 06-30 3.75, at 12-31 3.0,
///   Δr = -0.75, component +3. ECBASSETSW flat at 6,500,000 EUR mn: 0%, component 0. Score +1.5:
///   easing.
/// - Japan: the user series IRSTCI01JPM156N monthly, 0.1 from 2024-03, 0.5 from 2024-10 (lag 31):
///   at 12-31 the 2024-11 value 0.5, at 06-30 the 2024-05 value 0.1: Δr = +0.4, component -1.6.
///   JPNASSETS 7,500,000 (100 mn JPY) up to 2024-09, 7,350,000 from 2024-10 (lag 30): at 12-31 the
///   2024-12 value, at 10-01 the 2024-09 value: -2.0%, component -2. Score -1.8: tightening.
fn fixture(with_japan_rate: bool) -> Dataset {
    let mut dataset = Dataset::new(Catalog::builtin());
    let days = every("2024-01-01", "2024-12-31", 1);
    load(&mut dataset, "DFF", &step(&days, "2024-09-19", 5.33, 4.83));
    let ecb_rate: Vec<_> = days
        .iter()
        .map(|x| {
            (
                *x,
                if *x < d("2024-06-12") {
                    4.0
                } else if *x < d("2024-12-18") {
                    3.75
                } else {
                    3.0
                },
            )
        })
        .collect();
    load(&mut dataset, "ECBDFR", &ecb_rate);
    load(
        &mut dataset,
        "WALCL",
        &step(&every("2024-01-03", "2024-12-25", 7), "2024-10-01", 7_200_000.0, 7_056_000.0),
    );
    let fridays = every("2024-01-05", "2024-12-27", 7);
    load(&mut dataset, "ECBASSETSW", &step(&fridays, "2030-01-01", 6_500_000.0, 0.0));
    let months: Vec<Date> = (0..12).map(|m| d("2024-01-01").add_months(m)).collect();
    load(&mut dataset, "JPNASSETS", &step(&months, "2024-10-01", 7_500_000.0, 7_350_000.0));
    if with_japan_rate {
        let pairs: Vec<(Date, f64)> = months
            .iter()
            .map(|m| {
                (
                    *m,
                    if *m < d("2024-03-01") {
                        0.0
                    } else if *m < d("2024-10-01") {
                        0.1
                    } else {
                        0.5
                    },
                )
            })
            .collect();
        let series = Series::from_pairs("IRSTCI01JPM156N", &pairs).expect("valid");
        dataset.insert(
            "IRSTCI01JPM156N",
            LoadedSeries { series, native_units: "percent".into(), source: "IRSTCI01JPM156N.csv".into() },
        );
    }
    dataset
}

#[test]
fn the_table_by_hand() {
    let table =
        policy_divergence(&fixture(true), d("2024-12-31"), &DivergenceConfig::default()).expect("table");
    let [us, ea, jp] = table.economies.as_slice() else { panic!("three economies") };

    let rate = us.policy_rate.as_ref().expect("DFF");
    assert_eq!((rate.observed, rate.base.map(|b| b.0)), (d("2024-12-30"), Some(d("2024-06-29"))));
    assert!((rate.change_pp.expect("change") + 0.5).abs() < EXACT);
    let sheet = us.balance_sheet.as_ref().expect("WALCL");
    assert_eq!((sheet.observed, sheet.base.map(|b| b.0)), (d("2024-12-25"), Some(d("2024-09-25"))));
    assert!((sheet.change_pct.expect("change") + 2.0).abs() < EXACT);
    assert_eq!(sheet.direction, Some(BalanceSheetDirection::Contracting));
    assert!((us.rate_component.expect("rate") - 2.0).abs() < EXACT);
    assert!((us.score.expect("score")).abs() < EXACT);
    assert_eq!(us.regime, Some(Monetary::Neutral));

    assert!((ea.policy_rate.as_ref().and_then(|r| r.change_pp).expect("change") + 0.75).abs() < EXACT);
    assert_eq!(ea.rate_component, Some(3.0)); // -(-0.75) / 0.25 = 3, at the clip
    assert_eq!(ea.balance_sheet.as_ref().and_then(|b| b.direction), Some(BalanceSheetDirection::Flat));
    assert!((ea.score.expect("score") - 1.5).abs() < EXACT);
    assert_eq!(ea.regime, Some(Monetary::Easing));

    let jp_rate = jp.policy_rate.as_ref().expect("call rate");
    assert_eq!((jp_rate.series.as_str(), jp_rate.lag_days), ("IRSTCI01JPM156N", 31));
    assert_eq!((jp_rate.observed, jp_rate.value), (d("2024-11-01"), 0.5));
    assert!((jp.rate_component.expect("rate") + 1.6).abs() < EXACT);
    let jp_sheet = jp.balance_sheet.as_ref().expect("JPNASSETS");
    // JPNASSETS is dated at the month's start and public 38 days later: December's figure is not
    // out on 2024-12-31, November's is (since 2024-12-09).
    assert_eq!((jp_sheet.observed, jp_sheet.base.map(|b| b.0)), (d("2024-11-01"), Some(d("2024-08-01"))));
    assert!((jp.score.expect("score") + 1.8).abs() < EXACT);
    assert_eq!(jp.regime, Some(Monetary::Tightening));

    assert_eq!(table.easing, vec!["euro area".to_string()]);
    assert_eq!(table.tightening, vec!["Japan".to_string()]);
    assert_eq!(table.summary, "Easing: euro area; tightening: Japan; neutral: United States");
}

#[test]
fn japan_without_a_call_rate_is_scored_on_its_balance_sheet() {
    let table =
        policy_divergence(&fixture(false), d("2024-12-31"), &DivergenceConfig::default()).expect("table");
    let jp = &table.economies[2];
    assert!(jp.policy_rate.is_none(), "no call-rate series loaded: unknown");
    assert_eq!(jp.rate_component, None);
    assert!((jp.score.expect("balance sheet only") + 2.0).abs() < EXACT);
    assert_eq!(jp.regime, Some(Monetary::Tightening));
}

#[test]
fn stale_inputs_are_shown_but_not_scored() {
    // Three months after the data end every input is stale: the values are shown, nothing scored.
    let table =
        policy_divergence(&fixture(true), d("2025-03-31"), &DivergenceConfig::default()).expect("table");
    for economy in &table.economies {
        assert!(economy.policy_rate.as_ref().is_some_and(|r| r.stale), "{}", economy.id);
        assert_eq!(economy.regime, None, "{}", economy.id);
    }
    assert_eq!(table.summary, "Unknown: United States, euro area, Japan");
    let empty = Dataset::new(Catalog::builtin());
    let unknown = policy_divergence(&empty, d("2024-12-31"), &DivergenceConfig::default()).expect("table");
    assert!(unknown.economies.iter().all(|e| e.policy_rate.is_none() && e.regime.is_none()));
    let none = DivergenceConfig { economies: Vec::new(), ..DivergenceConfig::default() };
    assert!(policy_divergence(&empty, d("2024-12-31"), &none).is_none());
}

#[test]
fn point_in_time_later_data_changes_nothing() {
    let full = fixture(true);
    for as_of in ["2024-07-15", "2024-10-02", "2024-12-20"] {
        let as_of = d(as_of);
        let with = policy_divergence(&full, as_of, &DivergenceConfig::default());
        let without = policy_divergence(&public_at(&full, as_of), as_of, &DivergenceConfig::default());
        // The user series has no catalog lag, so `public_at` keeps its observations up to as_of;
        // the table applies its 31-day lag itself, so both see the same values.
        assert_eq!(with, without, "as of {as_of}");
    }
}

#[test]
fn real_data_table() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if !dir.join("ECBDFR.csv").exists() {
        return;
    }
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_from(|name| std::fs::read_to_string(dir.join(name)).ok(), None);
    // Mid-2024: the ECB had cut (June), the Fed not yet, the BoJ had hiked (March) without a
    // call-rate series loaded here, so Japan is scored on its balance sheet alone.
    for as_of in ["2022-10-31", "2024-08-30", "2025-04-30"] {
        let table = policy_divergence(&dataset, d(as_of), &DivergenceConfig::default()).expect("table");
        println!("policy divergence {as_of}: {}", table.summary);
        for e in &table.economies {
            println!(
                "  {}: rate {:?} (6m {:+.2?} pp), balance sheet 13w {:+.2?}% -> {:?}",
                e.name,
                e.policy_rate.as_ref().map(|r| r.value),
                e.policy_rate.as_ref().and_then(|r| r.change_pp),
                e.balance_sheet.as_ref().and_then(|b| b.change_pct),
                e.regime
            );
        }
    }
    let late_2022 =
        policy_divergence(&dataset, d("2022-10-31"), &DivergenceConfig::default()).expect("table");
    assert_eq!(late_2022.economies[0].regime, Some(Monetary::Tightening), "the Fed hiked 300 bp in 2022");
    assert_eq!(late_2022.economies[1].regime, Some(Monetary::Tightening), "so did the ECB");
}
