//! Crypto flows (model::flows): the flow-table parser, flow sums and correlations,
//! `outflows_stopped`, treasury-company mNAV, the altcoin basket, and the real files.

use std::path::Path;

use tideline_core::align::Calendar;
use tideline_core::catalog::Catalog;
use tideline_core::dataset::{Dataset, LoadedSeries};
use tideline_core::error::{Location, ParseErrorKind};
use tideline_core::model::flows::{
    crypto_flows, etf_flows, flow_phase, load_coin, outflows_stopped, parse_flow_table, parse_treasury_sheet,
    weekly_flow_sums, AltRegime, FlowInputs, FlowPhase, FlowsConfig, TotalSource,
};
use tideline_core::stats::correlation::pearson;
use tideline_core::{Date, Series};

const EXACT: f64 = 1e-9;

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("test date")
}

fn insert(dataset: &mut Dataset, id: &str, pairs: &[(&str, f64)]) {
    let pairs: Vec<(Date, f64)> = pairs.iter().map(|(s, v)| (d(s), *v)).collect();
    let series = Series::from_pairs(id, &pairs).expect("valid fixture");
    dataset.insert(id, LoadedSeries { series, native_units: "USD".into(), source: "test".into() });
}

/// A Farside-style table with every quirk:
///
/// - line 2 repeats line 3's flows (10, 20, -5) under an earlier date: a copied row, dropped;
/// - line 4: IBIT `"1,234.5"` (thousands separator), FBTC `-` (no data), GBTC `(12.3)` (-12.3),
///   Total empty: total recomputed = 1,234.5 - 12.3 = 1,222.2;
/// - line 5: zeros everywhere (a holiday), dropped;
/// - line 6: 5 + (no data) - 1.5 = 3.5 against a reported total of 10: a disagreement of +6.5, the
///   table's 10 kept;
/// - line 7: Farside's date format and a blank cell;
/// - the label rows `Total` and `Average` at the bottom are skipped.
const TABLE: &str = "Date,IBIT,FBTC,GBTC,Total
2024-01-01,10.0,20.0,(5.0),25.0
2024-01-11,10.0,20.0,(5.0),25.0
2024-01-12,\"1,234.5\",-,(12.3),
2024-01-15,0,0,0,0
2024-01-16,5,,(1.5),10.0
17 Jan 2024,(100),50.0,,(50.0)
Total,\"1,149.5\",70,(18.8),\"1,207.2\"
Average,1,1,1,1
";

#[test]
fn parses_a_farside_table_with_its_quirks() {
    let table = parse_flow_table("flows.csv", TABLE, None).expect("parses");
    assert_eq!(table.funds, vec!["IBIT".to_string(), "FBTC".into(), "GBTC".into()]);
    assert_eq!(table.total_column.as_deref(), Some("Total"));
    let dates: Vec<Date> = table.rows.iter().map(|r| r.date).collect();
    assert_eq!(dates, vec![d("2024-01-11"), d("2024-01-12"), d("2024-01-16"), d("2024-01-17")]);
    let row = &table.rows[1];
    assert_eq!(row.funds, vec![Some(1234.5), None, Some(-12.3)]);
    assert_eq!((row.reported_total, row.total_source), (None, Some(TotalSource::Recomputed)));
    assert!((row.total.expect("total") - 1222.2).abs() < EXACT);
    let row = &table.rows[2];
    assert_eq!((row.total, row.total_source), (Some(10.0), Some(TotalSource::Reported)));
    assert_eq!(table.rows[3].funds, vec![Some(-100.0), Some(50.0), None]);
    assert_eq!(table.rows[3].total, Some(-50.0));
    assert_eq!(table.disagreements.len(), 1);
    assert!((table.disagreements[0].difference - 6.5).abs() < EXACT);
    let notes = table.notes_until(None).join(" | ");
    assert!(notes.contains("2024-01-01 (line 2): the same flows as 2024-01-11"), "{notes}");
    assert!(notes.contains("1 rows of zeros") && notes.contains("2024-01-15"), "{notes}");
    assert!(notes.contains("Total, Average"), "{notes}");
    let totals = table.totals("ETF");
    assert_eq!(totals.len(), 4);
}

/// A copied row is only a copy once the row it copies is public: as of a date between the two,
/// the figures are those of the file cut at that date, which has the row and not its copy.
#[test]
fn a_copied_row_counts_until_its_copy_is_public() {
    let table = parse_flow_table("flows.csv", TABLE, None).expect("parses");
    let cut_text: String = TABLE.lines().take(2).map(|l| format!("{l}\n")).collect();
    let cut = parse_flow_table("flows.csv", &cut_text, None).expect("the cut file parses");
    let config = FlowsConfig::default();
    let as_of = d("2024-01-06");
    let full = etf_flows(&table, None, as_of, &config);
    let only = etf_flows(&cut, None, as_of, &config);
    assert_eq!(full.latest.map(|l| (l.date, l.total)), Some((d("2024-01-01"), 25.0)));
    assert_eq!((full.days.clone(), full.phase), (only.days.clone(), only.phase));
    assert!(full.notes.iter().all(|n| !n.contains("copied")), "{:?}", full.notes);
    // Once 2024-01-11 is public, the copy is dropped and said.
    let later = etf_flows(&table, None, d("2024-01-12"), &config);
    assert_eq!(later.days.first().map(|d| d.date), Some(d("2024-01-11")));
    assert!(later.notes.iter().any(|n| n.contains("copied")), "{:?}", later.notes);
}

#[test]
fn flow_table_errors_say_where() {
    let bad_value = "date,IBIT,Total\n2024-01-11,abc,1\n";
    let e = parse_flow_table("f.csv", bad_value, None).expect_err("refused");
    assert_eq!((e.location, e.kind), (Location::Line(2), ParseErrorKind::NonNumeric { value: "abc".into() }));
    let bad_date = "date,IBIT,Total\n2024-01-11,1,1\n2024-13-01,1,1\n";
    let e = parse_flow_table("f.csv", bad_date, None).expect_err("refused");
    assert_eq!(e.location, Location::Line(3));
    assert!(matches!(e.kind, ParseErrorKind::BadDate { .. }), "{e}");
    let unordered = "date,IBIT,Total\n2024-01-12,1,1\n2024-01-11,1,1\n2024-01-15,1,1\n";
    let e = parse_flow_table("f.csv", unordered, None).expect_err("refused");
    assert!(matches!(e.kind, ParseErrorKind::NotAscending { .. }), "{e}");
    let short = "date,IBIT,FBTC,Total\n2024-01-11,1,1\n";
    assert!(matches!(
        parse_flow_table("f.csv", short, None).map_err(|e| e.kind),
        Err(ParseErrorKind::WrongColumnCount { expected: 4, found: 3 })
    ));
    assert!(parse_flow_table("f.csv", "<!DOCTYPE html><html>", None).is_err());
    assert!(matches!(
        parse_flow_table("f.csv", "date,A,COL11\n2024-01-11,1,1\n", Some("Total")).map_err(|e| e.kind),
        Err(ParseErrorKind::BadHeader { .. })
    ));
    // Newest first is accepted and reversed.
    let newest_first = "date,IBIT,Total\n2024-01-12,2,2\n2024-01-11,1,1\n";
    let table = parse_flow_table("f.csv", newest_first, None).expect("parses");
    assert_eq!(table.rows[0].date, d("2024-01-11"));
}

#[test]
fn sums_cumulative_and_outflows_stopped() {
    // 25 trading days: 20 days of -10 then 5 days of +1.
    let flows: Vec<f64> = (0..25).map(|t| if t < 20 { -10.0 } else { 1.0 }).collect();
    assert_eq!(outflows_stopped(&flows), Some(true));
    assert_eq!(flow_phase(&flows, 5, 20), Some(FlowPhase::OutflowsStopped));
    let still: Vec<f64> = (0..25).map(|t| if t < 20 { -10.0 } else { -1.0 }).collect();
    assert_eq!(
        (outflows_stopped(&still), flow_phase(&still, 5, 20)),
        (Some(false), Some(FlowPhase::Outflows))
    );
    let inflows = vec![5.0; 25];
    assert_eq!(
        (outflows_stopped(&inflows), flow_phase(&inflows, 5, 20)),
        (Some(false), Some(FlowPhase::Inflows))
    );
    assert_eq!(outflows_stopped(&flows[1..]), None, "24 days are too few");

    // The same as a table: 25 weekdays from 2024-03-01.
    let mut body = String::from("date,IBIT,Total\n");
    let mut day = d("2024-03-01");
    let mut dates = Vec::new();
    while dates.len() < 25 {
        if day.is_business_day() {
            let v = flows[dates.len()];
            body.push_str(&format!("{day},{v},{v}\n"));
            dates.push(day);
        }
        day = day.add_days(1);
    }
    let table = parse_flow_table("f.csv", &body, None).expect("parses");
    let out = etf_flows(&table, None, d("2024-12-31"), &FlowsConfig::default());
    let last = out.latest.expect("latest");
    // Cumulative: 20 x -10 + 5 x 1 = -195; last 5: +5; last 20: 15 x -10 + 5 = -145.
    assert!((last.cumulative + 195.0).abs() < EXACT);
    assert_eq!((last.sum_short, last.sum_long), (Some(5.0), Some(-145.0)));
    assert_eq!(out.days[3].sum_short, None);
    assert_eq!(out.outflows_stopped, Some(true));
    // The windows the rule tests: the last 5 days (+5) and the 20 before them (-200), not the
    // last 20 (which include the last 5).
    let windows = out.phase_windows.expect("25 days");
    assert_eq!((windows.date, windows.recent_days, windows.before_days), (dates[24], 5, 20));
    assert!((windows.recent_usd_mn - 5.0).abs() < EXACT && (windows.before_usd_mn + 200.0).abs() < EXACT);
    // Point in time: with a 1-day lag, as of the last day its row is not public yet.
    let early = etf_flows(&table, None, dates[24], &FlowsConfig::default());
    assert_eq!(early.latest.map(|l| l.date), Some(dates[23]));
    // Weekly sums on Fridays: each day counted in the week its row became public.
    let fridays = Calendar::fridays(d("2024-03-01"), d("2024-04-05"));
    let weekly = weekly_flow_sums(&out.days, &fridays, 1);
    let total: f64 = weekly.iter().filter(|v| v.is_finite()).sum();
    assert!((total + 195.0).abs() < EXACT, "{weekly:?}");
    // Friday 03-01's row is public on Saturday: it lands in the week ending 03-08.
    assert!(weekly[0].is_nan() && (weekly[1] + 50.0).abs() < EXACT, "{weekly:?}");
}

#[test]
fn flow_correlations_use_the_btc_return_between_flow_days() {
    // Flow days Mon 2024-03-04 .. Mon 03-11 (the weekend inside Monday's return).
    let table = parse_flow_table(
        "f.csv",
        "date,IBIT,Total\n2024-03-04,10,10\n2024-03-05,-20,-20\n2024-03-06,30,30\n2024-03-07,-40,-40\n\
         2024-03-08,50,50\n2024-03-11,-60,-60\n",
        None,
    )
    .expect("parses");
    // BTC closes so that the return into each flow day is flow / 1000; weekend prices in between.
    let mut level = 100.0;
    let mut btc = vec![("2024-03-04", level)];
    for (date, flow) in
        [("2024-03-05", -20.0), ("2024-03-06", 30.0), ("2024-03-07", -40.0), ("2024-03-08", 50.0)]
    {
        level *= f64::exp(flow / 1000.0);
        btc.push((date, level));
    }
    btc.push(("2024-03-09", level * 1.5)); // Saturday: inside Monday's return
    level *= f64::exp(-60.0 / 1000.0);
    btc.push(("2024-03-11", level));
    let mut dataset = Dataset::new(Catalog::builtin());
    insert(&mut dataset, "CBBTCUSD", &btc);
    let out = etf_flows(&table, dataset.get("CBBTCUSD"), d("2024-12-31"), &FlowsConfig::default());
    // Same day: flows 2..=6 against returns equal to flow / 1000: r = 1, n = 5.
    let same = out.same_day.expect("defined");
    assert_eq!(same.n, 5);
    assert!((same.r - 1.0).abs() < 1e-12);
    // Next day: (10, -20, 30, -40, 50) against (-0.02, 0.03, -0.04, 0.05, -0.06).
    let next = out.next_day.expect("defined");
    let expected =
        pearson(&[10.0, -20.0, 30.0, -40.0, 50.0], &[-0.02, 0.03, -0.04, 0.05, -0.06]).expect("defined");
    assert_eq!(next.n, 5);
    assert!((next.r - expected).abs() < 1e-12);
    assert!(next.ci95[0] <= next.r && next.r <= next.ci95[1]);
    assert_eq!(out.days_without_btc, 0);

    // The BTC feed stops after Friday: Monday has no close of its own and is left out (its
    // carried-forward "return" would be a zero), not paired with a zero return.
    let mut stopped = Dataset::new(Catalog::builtin());
    insert(&mut stopped, "CBBTCUSD", &btc[..5]);
    let out = etf_flows(&table, stopped.get("CBBTCUSD"), d("2024-12-31"), &FlowsConfig::default());
    assert_eq!(out.days_without_btc, 1);
    let same = out.same_day.expect("defined");
    assert_eq!(same.n, 4, "flows of 03-05..03-08 only");
    assert!((same.r - 1.0).abs() < 1e-12);
}

#[test]
fn mnav_by_hand() {
    let sheet = parse_treasury_sheet(
        "treasury.csv",
        "Date,Company,Shares outstanding,Share price,BTC held\n\
         2024-01-03,MSTR,\"1,000,000\",400,\"10,000\"\n\
         2024-01-02,MSTR,\"1,000,000\",500,\"10,000\"\n\
         2024-01-02,Metaplanet,\"2,000,000\",10,500\n",
    )
    .expect("parses");
    let mut dataset = Dataset::new(Catalog::builtin());
    insert(
        &mut dataset,
        "CBBTCUSD",
        &[("2024-01-01", 40_000.0), ("2024-01-02", 45_000.0), ("2024-01-03", 50_000.0)],
    );
    let flows = crypto_flows(
        &dataset,
        d("2024-01-31"),
        &FlowInputs { etf: None, treasury: Some(sheet) },
        &FlowsConfig { alt_coins: Vec::new(), ..FlowsConfig::default() },
    )
    .expect("defined");
    let [mstr, metaplanet] = flows.treasury.as_slice() else { panic!("two companies") };
    // MSTR 2024-01-02: 1,000,000 x 500 = 500 M over 10,000 x 45,000 = 450 M: mNAV 1.1111.
    // MSTR 2024-01-03: 1,000,000 x 400 = 400 M over 10,000 x 50,000 = 500 M: mNAV 0.8, below 1.
    assert_eq!(mstr.company, "MSTR");
    assert!((mstr.history[0].mnav - 500.0 / 450.0).abs() < EXACT);
    assert!(!mstr.history[0].below_one);
    let latest = mstr.latest.as_ref().expect("latest");
    assert!((latest.mnav - 0.8).abs() < EXACT && latest.below_one);
    assert_eq!(mstr.days_below_one, 1);
    // Metaplanet: 2,000,000 x 10 = 20 M over 500 x 45,000 = 22.5 M: 0.8889.
    assert!((metaplanet.history[0].mnav - 20.0 / 22.5).abs() < EXACT);
    let dup = "date,company,shares,price,btc\n2024-01-02,A,1,1,1\n2024-01-02,A,1,1,1\n";
    assert!(matches!(
        parse_treasury_sheet("t.csv", dup).map_err(|e| e.kind),
        Err(ParseErrorKind::DuplicateDate { .. })
    ));
    assert!(matches!(
        parse_treasury_sheet("t.csv", "date,company,price\n2024-01-02,A,1\n").map_err(|e| e.kind),
        Err(ParseErrorKind::BadHeader { .. })
    ));
}

#[test]
fn altcoin_basket_by_hand() {
    // Fridays 2024-01-05, 12, 19. Coin A: 10, 11, 12.1 (+10%, +10%); coin B: 100, 90, 99
    // (-10%, +10%). Equal weights rebalanced weekly: B_0 = 100, B_1 = 100 x (1.1 + 0.9) / 2 = 100,
    // B_2 = 100 x (1.1 + 1.1) / 2 = 110. BTC 1000, 1250, 1100: basket / BTC, 1 at the start, is
    // 1, 0.8, 1.0; its 1-week trend ln(0.8) < 0 (altcoin silence), then ln(1.25) > 0 (alt season).
    // ETH 50, 50, 66: ETH/BTC 0.05, 0.04, 0.06.
    let mut dataset = Dataset::new(Catalog::builtin());
    let fridays = ["2024-01-05", "2024-01-12", "2024-01-19"];
    let series = |values: [f64; 3]| -> Vec<(&str, f64)> { fridays.iter().copied().zip(values).collect() };
    insert(&mut dataset, "a", &series([10.0, 11.0, 12.1]));
    insert(&mut dataset, "b", &series([100.0, 90.0, 99.0]));
    insert(&mut dataset, "CBBTCUSD", &series([1000.0, 1250.0, 1100.0]));
    insert(&mut dataset, "CBETHUSD", &series([50.0, 50.0, 66.0]));
    let config = FlowsConfig {
        alt_coins: vec!["a".into(), "b".into(), "missing".into()],
        trend_weeks: 1,
        ..FlowsConfig::default()
    };
    let flows = crypto_flows(&dataset, d("2024-01-19"), &FlowInputs::default(), &config).expect("defined");
    let inside = flows.inside_crypto.expect("basket");
    assert_eq!((inside.coins.len(), inside.missing.clone()), (2, vec!["missing".to_string()]));
    let basket: Vec<f64> = inside.history.iter().filter_map(|w| w.basket).collect();
    assert_eq!(basket.len(), 3);
    for (got, want) in basket.iter().zip([100.0, 100.0, 110.0]) {
        assert!((got - want).abs() < EXACT, "{basket:?}");
    }
    let ratio: Vec<f64> = inside.history.iter().filter_map(|w| w.basket_to_btc).collect();
    for (got, want) in ratio.iter().zip([1.0, 0.8, 1.0]) {
        assert!((got - want).abs() < EXACT, "{ratio:?}");
    }
    assert_eq!(inside.history[1].regime, Some(AltRegime::AltcoinSilence));
    assert_eq!(inside.history[2].regime, Some(AltRegime::AltSeason));
    assert!((inside.history[2].basket_to_btc_trend.expect("trend") - 1.25f64.ln()).abs() < EXACT);
    assert!((inside.history[1].eth_btc.expect("ratio") - 0.04).abs() < EXACT);
    assert!((inside.history[2].eth_btc_trend.expect("trend") - 1.5f64.ln()).abs() < EXACT);
}

fn market(name: &str) -> Option<String> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/market"));
    std::fs::read_to_string(dir.join(name)).ok()
}

#[test]
fn real_farside_tables() {
    let Some(body) = market("farside_btc_etf_flows.csv") else { return };
    let table = parse_flow_table("farside_btc_etf_flows.csv", &body, None).expect("the real table parses");
    // The spurious first row (2024-01-01, a copy of 2024-01-11) is dropped; the funds launched on 01-11.
    assert_eq!(table.rows.first().map(|r| r.date), Some(d("2024-01-11")));
    assert!(
        table.notes_until(None).iter().any(|n| n.starts_with("2024-01-01 (line 2)")),
        "{:?}",
        table.notes_until(None)
    );
    // Total equals the sum of the funds on every row.
    assert!(table.disagreements.is_empty(), "{:?}", table.disagreements);
    assert_eq!(table.funds.len(), 12);
    println!(
        "farside BTC: {} trading days; notes: {:?}",
        table.rows.len(),
        table.notes_until(None).iter().map(|n| n.chars().take(90).collect::<String>()).collect::<Vec<_>>()
    );

    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_from(|name| std::fs::read_to_string(dir.join(name)).ok(), None);
    let as_of = d("2026-07-17");
    let out = etf_flows(
        &table,
        dataset.get("CBBTCUSD").map(|s| s.truncated_after(as_of)).as_ref(),
        as_of,
        &FlowsConfig::default(),
    );
    let latest = out.latest.expect("flows");
    println!(
        "ETF flows as of {as_of}: last day {} {:+.1} USD mn, 5d {:+.1?}, 20d {:+.1?}, cumulative {:.0}; phase {:?}, outflows stopped {:?}",
        latest.date, latest.total, latest.sum_short, latest.sum_long, latest.cumulative, out.phase, out.outflows_stopped
    );
    for (label, c) in [("same-day", out.same_day), ("next-day", out.next_day)] {
        let c = c.expect("defined");
        println!(
            "  flows vs {label} BTC log return: r {:.3} [{:.3}, {:.3}], n {}",
            c.r, c.ci95[0], c.ci95[1], c.n
        );
    }
    assert!(out.same_day.is_some_and(|c| c.n > 300));

    if let Some(eth) = market("farside_eth_etf_flows.csv") {
        let table = parse_flow_table("farside_eth_etf_flows.csv", &eth, Some("COL11"))
            .expect("the Ether table parses");
        assert_eq!(table.total_column.as_deref(), Some("COL11"));
        assert!(!table.funds.iter().any(|f| f == "COL11"));
        println!(
            "farside ETH: {} trading days, {} disagreements",
            table.rows.len(),
            table.disagreements.len()
        );
    }
}

#[test]
fn real_coingecko_basket() {
    let (Some(sol), Some(luna)) =
        (market("coingecko_sol-usd-max.csv"), market("coingecko_terra-luna_market_chart_max_daily.json"))
    else {
        return;
    };
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_from(|name| std::fs::read_to_string(dir.join(name)).ok(), None);
    load_coin(&mut dataset, "solana", "coingecko_sol-usd-max.csv", &sol).expect("CSV export loads");
    load_coin(&mut dataset, "terra-luna", "coingecko_terra-luna_market_chart_max_daily.json", &luna)
        .expect("JSON loads");
    let config =
        FlowsConfig { alt_coins: vec!["solana".into(), "terra-luna".into()], ..FlowsConfig::default() };
    let flows = crypto_flows(&dataset, d("2025-06-05"), &FlowInputs::default(), &config).expect("defined");
    let inside = flows.inside_crypto.expect("basket");
    assert_eq!(inside.coins, vec!["solana".to_string(), "terra-luna".into()]);
    // LUNA's feed ends in July 2022: from then on the basket is Solana alone.
    let after = inside.history.iter().find(|w| w.date >= d("2022-09-02")).expect("week");
    assert_eq!(after.coins, 1);
    let current = inside.current.expect("current");
    println!(
        "alt basket {}: basket/BTC {:.3?} (13w trend {:+.3?}) -> {:?}; ETH/BTC {:.4?} (13w {:+.3?})",
        current.date,
        current.basket_to_btc,
        current.basket_to_btc_trend,
        current.regime,
        current.eth_btc,
        current.eth_btc_trend
    );
    assert!(current.regime.is_some());
}
