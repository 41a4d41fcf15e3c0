//! Date conventions across feeds (issue: a CoinGecko midnight snapshot is the previous day's
//! close) and the cross-file check that refuses a file one day off its series' reference file.

use tideline_core::catalog::Catalog;
use tideline_core::dataset::{Dataset, LoadError};
use tideline_core::Date;

/// A deterministic daily random walk of closes from 2023-01-01, `(date, close)`.
fn closes(days: i32) -> Vec<(Date, f64)> {
    let start = Date::from_ymd(2023, 1, 1).expect("a date");
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut price = 1500.0_f64;
    (0..days)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            price *= (0.06 * u).exp();
            (start.add_days(i), price)
        })
        .collect()
}

fn fred(id: &str, points: &[(Date, f64)]) -> String {
    let mut body = format!("observation_date,{id}\n");
    for (d, v) in points {
        body.push_str(&format!("{d},{v:.6}\n"));
    }
    body
}

/// CoinGecko `market_chart` JSON: each close stamped at 00:00 UTC of the next day, as CoinGecko does.
fn coingecko(points: &[(Date, f64)]) -> String {
    let prices: Vec<String> = points
        .iter()
        .map(|(d, v)| format!("[{}, {v:.6}]", i64::from(d.add_days(1).days()) * 86_400_000))
        .collect();
    format!(r#"{{"prices": [{}], "market_caps": [], "total_volumes": []}}"#, prices.join(", "))
}

#[test]
fn a_coingecko_body_lines_up_with_fred_and_a_shifted_copy_is_refused() {
    let all = closes(500);
    // The catalog's own file (FRED's Coinbase series) ends 100 days earlier than the others.
    let reference = fred("CBETHUSD", &all[..400]);
    // A fresher copy whose every close is stamped one day late (a convention not applied).
    let late: Vec<(Date, f64)> = all.iter().map(|&(d, v)| (d.add_days(1), v)).collect();
    let shifted = fred("CBETHUSD", &late);

    let mut dataset = Dataset::new(Catalog::builtin());
    let candidates =
        vec![("CBETHUSD.csv".to_string(), reference.clone()), ("market/late_copy.csv".to_string(), shifted)];
    let (loaded, refused) =
        dataset.load_freshest("CBETHUSD", &candidates, None).expect("the reference loads");
    assert_eq!(loaded.source, "CBETHUSD.csv", "the misdated copy must not win on freshness");
    assert_eq!(refused.len(), 1);
    match &refused[0] {
        LoadError::Misdated { file, reference, shift, rho_shifted, rho_as_dated, .. } => {
            assert_eq!(file, "market/late_copy.csv");
            assert_eq!(reference, "CBETHUSD.csv");
            assert_eq!(*shift, 1);
            assert!(*rho_shifted > 0.99, "{rho_shifted}");
            assert!(rho_as_dated.is_some_and(|r| r.abs() < 0.2), "{rho_as_dated:?}");
        }
        other => panic!("expected a misdated file, got {other}"),
    }
    let message = refused[0].to_string();
    assert!(message.contains("shifted by +1 day") && message.contains("late_copy.csv"), "{message}");

    // The same closes as CoinGecko stamps them (next midnight UTC) are re-dated and line up: the
    // fresher file wins and every close sits on its own day.
    let candidates = vec![
        ("CBETHUSD.csv".to_string(), reference),
        ("market/coingecko_ethereum.json".to_string(), coingecko(&all)),
    ];
    let (loaded, refused) = dataset.load_freshest("CBETHUSD", &candidates, None).expect("loads");
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(loaded.source, "market/coingecko_ethereum.json");
    let (last_date, last_value) = loaded.series.last().expect("observations");
    assert_eq!((last_date, format!("{last_value:.6}")), (all[499].0, format!("{:.6}", all[499].1)));
}

#[test]
fn the_check_sees_only_what_was_public_at_the_as_of_date() {
    // Before the as-of date the copy is identical; after it the copy slips by a day. As of the
    // earlier date the choice must not see the slip.
    let all = closes(500);
    let as_of = all[300].0;
    let mut copy: Vec<(Date, f64)> = all[..=300].to_vec();
    copy.extend(all[301..].iter().map(|&(d, v)| (d.add_days(1), v)));
    let candidates = vec![
        ("CBETHUSD.csv".to_string(), fred("CBETHUSD", &all[..250])),
        ("market/copy.csv".to_string(), fred("CBETHUSD", &copy)),
    ];
    let mut dataset = Dataset::new(Catalog::builtin());
    let (loaded, refused) = dataset.load_freshest("CBETHUSD", &candidates, Some(as_of)).expect("loads");
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(loaded.source, "market/copy.csv");
}
