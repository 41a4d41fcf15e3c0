//! The report is point in time: `analyze` as of D gives the identical report whether or not the
//! dataset holds observations after D; and it carries the keys of MODEL.md 9.

use tideline_core::catalog::Catalog;
use tideline_core::dataset::{Dataset, LoadedSeries};
use tideline_core::report::{analyze, analyze_with, Detail, JsonStyle, ModelConfig, Report};
use tideline_core::{Date, Series};

/// A deterministic pseudo-random walk (no `rand` dependency in tests either).
struct Walk(u64);

impl Walk {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }
}

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("date")
}

/// Eight years of synthetic data for every chain input, in canonical units.
fn synthetic() -> Dataset {
    let mut dataset = Dataset::new(Catalog::builtin());
    let start = d("2016-01-01");
    let end = d("2024-06-30");
    let mut add = |id: &str, step_days: i32, monthly: bool, base: f64, vol: f64, seed: u64| {
        let mut walk = Walk(seed);
        let mut pairs = Vec::new();
        let mut date = start;
        let mut value = base;
        while date <= end {
            value += vol * walk.next();
            if date.is_business_day() || monthly || step_days == 7 {
                pairs.push((date, value));
            }
            date = if monthly { date.add_months(1) } else { date.add_days(step_days) };
        }
        let series = Series::from_pairs(id, &pairs).expect("ascending");
        dataset.insert(
            id,
            LoadedSeries { series, native_units: "test".into(), source: format!("synthetic:{id}") },
        );
    };
    add("CPIAUCSL", 0, true, 240.0, 0.6, 1);
    add("PCEPILFE", 0, true, 110.0, 0.3, 2);
    add("M2SL", 0, true, 12_000.0, 40.0, 3);
    add("INDPRO", 0, true, 100.0, 0.8, 4);
    add("UNRATE", 0, true, 5.0, 0.1, 5);
    for (i, (id, base, vol)) in [
        ("T10YIE", 2.0, 0.02),
        ("DFF", 1.5, 0.01),
        ("DGS2", 1.8, 0.03),
        ("DGS10", 2.5, 0.03),
        ("DFII10", 0.5, 0.03),
        ("DTWEXBGS", 110.0, 0.3),
        ("VIXCLS", 18.0, 0.8),
        ("BAMLH0A0HYM2", 4.0, 0.05),
        ("SP500", 2_000.0, 20.0),
        ("NASDAQ100", 5_000.0, 60.0),
        ("NASDAQCOM", 5_500.0, 60.0),
        ("CBBTCUSD", 20_000.0, 600.0),
        ("CBETHUSD", 1_000.0, 40.0),
        ("GOLD", 1_300.0, 10.0),
        ("RRPONTSYD", 500.0, 10.0),
    ]
    .into_iter()
    .enumerate()
    {
        add(id, 1, false, base, vol, 100 + i as u64);
    }
    dataset
}

fn weekly_wednesdays(dataset: &mut Dataset) {
    let mut walk = Walk(77);
    let mut pairs_walcl = Vec::new();
    let mut pairs_tga = Vec::new();
    let mut date = d("2016-01-06");
    let (mut assets, mut tga) = (4_500.0, 300.0);
    while date <= d("2024-06-30") {
        assets += 20.0 * walk.next();
        tga += 15.0 * walk.next();
        pairs_walcl.push((date, assets));
        pairs_tga.push((date, tga.abs() + 10.0));
        date = date.add_days(7);
    }
    for (id, pairs) in [("WALCL", pairs_walcl), ("WDTGAL", pairs_tga)] {
        let series = Series::from_pairs(id, &pairs).expect("ascending");
        dataset.insert(
            id,
            LoadedSeries { series, native_units: "test".into(), source: format!("synthetic:{id}") },
        );
    }
}

fn dataset() -> Dataset {
    let mut data = synthetic();
    weekly_wednesdays(&mut data);
    data
}

fn truncated(dataset: &Dataset, cutoff: Date) -> Dataset {
    let mut out = Dataset::new(dataset.catalog().clone());
    for (id, loaded) in dataset.iter() {
        let mut kept = loaded.clone();
        kept.series = loaded.series.truncated_after(cutoff);
        out.insert(id, kept);
    }
    out
}

fn report_json(dataset: &Dataset, as_of: Date) -> serde_json::Value {
    let config = ModelConfig { as_of: Some(as_of), ..ModelConfig::default() };
    let report = analyze(dataset, &config).expect("report");
    serde_json::to_value(&report).expect("serialisable")
}

#[test]
fn report_as_of_ignores_later_observations() {
    let full = dataset();
    for as_of in ["2021-03-17", "2022-11-04", "2023-07-01"] {
        let as_of = d(as_of);
        let with_future = report_json(&full, as_of);
        let without = report_json(&truncated(&full, as_of), as_of);
        assert_eq!(with_future, without, "report as of {as_of} depends on later data");
    }
}

#[test]
fn report_has_the_contract_keys_and_scores_links() {
    let report = report_json(&dataset(), d("2023-07-01"));
    for key in ["schema_version", "as_of", "series", "net_liquidity", "links", "regimes", "timing"] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    assert_eq!(report["as_of"], "2023-07-01");
    assert!(report["net_liquidity"]["latest"]["usd_bn"].is_number());
    assert!(report["net_liquidity"]["latest"]["date"].is_string());
    let links = report["links"].as_array().expect("links");
    assert_eq!(links.len(), 5);
    for link in links {
        for key in ["name", "score", "state", "direction"] {
            assert!(link.get(key).is_some(), "link lacks {key}");
        }
        assert!(link["score"].is_number(), "{} unscored: {link}", link["name"]);
    }
    let current = &report["regimes"]["current"];
    for key in ["cycle", "monetary", "liquidity", "risk"] {
        assert!(current.get(key).is_some(), "regime lacks {key}");
    }
    let series = report["series"].as_array().expect("series");
    assert!(series.iter().all(|s| s["id"].is_string() && s["rows"].is_number() && s["stale"].is_boolean()));
}

#[test]
fn a_users_asset_becomes_a_spectrum_tier_and_alts_replaces_the_proxy() {
    use tideline_core::catalog::Role;
    let mut data = dataset();
    let btc = data.get("CBBTCUSD").expect("btc").clone();
    for id in ["SOLUSD", "ALTS"] {
        let series = btc.scaled(0.01).renamed(id);
        let loaded = LoadedSeries { series, native_units: "USD".into(), source: format!("upload: {id}.csv") };
        data.insert_user(id, loaded, Role::Asset);
    }
    let report = report_json(&data, d("2023-07-01"));
    let tiers: Vec<(String, String)> = report["spectrum"]["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .map(|t| (t["id"].as_str().unwrap_or("").to_string(), t["name"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(tiers.last().map(|t| t.0.as_str()), Some("SOLUSD"), "{tiers:?}");
    let alts = tiers.iter().find(|t| t.0 == "ALTS").expect("ALTS tier");
    assert!(!alts.1.contains("proxy"), "an uploaded ALTS series replaces the proxy: {alts:?}");
}

/// `id` with every observation in `(from, to]` replaced by `f(k, value)`, `k` = 1, 2, ... counting
/// those observations.
fn reshaped(dataset: &mut Dataset, id: &str, from: Date, to: Date, f: impl Fn(i32, f64) -> f64) {
    let loaded = dataset.get(id).expect("series").clone();
    let mut k = 0;
    let mut anchor = f64::NAN;
    let pairs: Vec<(Date, f64)> = loaded
        .iter()
        .map(|(date, value)| {
            if date <= from {
                anchor = value;
                return (date, value);
            }
            if date > to {
                return (date, value);
            }
            k += 1;
            (date, f(k, anchor))
        })
        .collect();
    let series = Series::from_pairs(id, &pairs).expect("ascending");
    dataset.insert(id, LoadedSeries { series, native_units: "test".into(), source: format!("crash:{id}") });
}

#[test]
fn extreme_cross_asset_stress_changes_the_narrative() {
    use tideline_core::report::STRESS_NARRATIVE;
    let as_of = d("2023-07-07");
    let calm =
        analyze(&dataset(), &ModelConfig { as_of: Some(as_of), ..ModelConfig::default() }).expect("report");
    let stress = calm.stress.as_ref().expect("stress is measured on the synthetic spectrum");
    assert!(!stress.current_extreme, "{:?}", stress.current);
    assert!(!calm.narrative.contains(STRESS_NARRATIVE));

    // Two weeks in which every asset falls every day, Treasuries included (yields up).
    let mut crashed = dataset();
    let from = as_of.add_days(-14);
    for id in ["SP500", "NASDAQ100", "NASDAQCOM", "CBBTCUSD", "CBETHUSD", "GOLD"] {
        reshaped(&mut crashed, id, from, as_of, |k, p0| p0 * 0.97f64.powi(k));
    }
    reshaped(&mut crashed, "DGS10", from, as_of.add_days(-1), |k, y0| y0 + 0.08 * f64::from(k));
    let report =
        analyze(&crashed, &ModelConfig { as_of: Some(as_of), ..ModelConfig::default() }).expect("report");
    let stress = report.stress.as_ref().expect("stress");
    assert!(stress.current_extreme, "{:?}", stress.current);
    assert!(report.narrative.ends_with(STRESS_NARRATIVE), "{}", report.narrative);
    let last = stress.episodes.last().expect("the crash is an episode");
    assert!(last.end >= as_of.add_days(-3) && last.start > from, "{last:?}");
    assert!(last.fell.iter().any(|a| a == "UST10"), "{:?}", last.fell);
}

#[test]
fn the_alts_tier_is_the_basket_of_loaded_coins() {
    let mut data = dataset();
    let btc = data.get("CBBTCUSD").expect("btc").clone();
    for (id, scale) in [("SOLUSD", 0.005), ("XRPUSD", 0.00003)] {
        let series = btc.scaled(scale).renamed(id);
        data.insert(id, LoadedSeries { series, native_units: "USD".into(), source: format!("{id}.csv") });
    }
    let report = report_json(&data, d("2023-07-07"));
    let alts = report["spectrum"]["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .find(|t| t["id"] == "ALTS")
        .expect("ALTS tier")
        .clone();
    assert!(alts["name"].as_str().is_some_and(|n| n.contains("basket of 2 coins")), "{alts}");
    let inside = &report["flows"]["inside_crypto"];
    assert_eq!(inside["coins"], serde_json::json!(["SOLUSD", "XRPUSD"]));
    // Both coins are Bitcoin scaled: the basket tracks Bitcoin exactly.
    let ratio = inside["current"]["basket_to_btc"].as_f64().expect("ratio");
    assert!((ratio - 1.0).abs() < 1e-9, "{ratio}");
    // Without coins the proxy is used and said.
    let plain = report_json(&dataset(), d("2023-07-07"));
    let alts =
        plain["spectrum"]["tiers"].as_array().expect("tiers").iter().find(|t| t["id"] == "ALTS").cloned();
    assert!(alts.is_some_and(|t| t["name"].as_str().is_some_and(|n| n.contains("proxy"))));
}

#[test]
fn etf_flows_feed_the_report_point_in_time() {
    use tideline_core::model::flows::{parse_flow_table, FlowInputs};
    // 30 trading days of outflows, then a positive week ending 2023-07-06 (public on 07-07).
    let mut body = String::from("Date,IBIT,FBTC,Total\n");
    let mut day = d("2023-05-01");
    let mut rows = Vec::new();
    while day <= d("2023-07-20") {
        if day.is_business_day() {
            rows.push(day);
        }
        day = day.add_days(1);
    }
    let turn = d("2023-06-30");
    for date in &rows {
        let (a, b) = if *date < turn { (-30.0, -20.0) } else { (15.0, 5.0) };
        body.push_str(&format!("{date},{a:.1},{b:.1},{:.1}\n", a + b));
    }
    let table = parse_flow_table("flows.csv", &body, None).expect("parses");
    let inputs = FlowInputs { etf: Some(table.clone()), treasury: None };
    let as_of = d("2023-07-07");
    let config = ModelConfig { as_of: Some(as_of), ..ModelConfig::default() };
    let report = analyze_with(&dataset(), &config, &inputs).expect("report");
    let etf = report.flows.as_ref().and_then(|f| f.etf.as_ref()).expect("etf flows");
    // The lag is one day: the row of 07-07 is not public on 07-07.
    assert_eq!(etf.latest.map(|l| l.date), Some(d("2023-07-06")));
    assert_eq!(etf.outflows_stopped, Some(true));
    let json = serde_json::to_value(&report).expect("json");
    let checklist = json["spectrum"]["checklist"]["items"].as_array().cloned().unwrap_or_default();
    let item = checklist.iter().find(|i| i["id"] == "etf_outflows_stopped").expect("checklist item");
    assert!(!item["met"].is_null(), "scored from the table: {item}");

    // Rows after the as-of date change nothing.
    let mut cut = table;
    cut.rows.retain(|r| r.date <= as_of);
    let cut_report =
        analyze_with(&dataset(), &config, &FlowInputs { etf: Some(cut), treasury: None }).expect("report");
    assert_eq!(report.flows, cut_report.flows);
    assert_eq!(report.spectrum, cut_report.spectrum);
}

#[test]
fn the_spectrum_is_also_measured_against_the_global_impulse() {
    let report = analyze(&dataset(), &ModelConfig { as_of: Some(d("2023-07-07")), ..ModelConfig::default() })
        .expect("report");
    let spectrum = report.spectrum.as_ref().expect("spectrum");
    let global = report.global_liquidity.as_ref().expect("global liquidity (the Fed alone here)");
    let tiers = |s: &[tideline_core::model::spectrum::Sensitivity]| {
        s.iter().map(|x| x.tier.clone()).collect::<Vec<_>>()
    };
    assert_eq!(tiers(&global.spectrum_sensitivities), tiers(&spectrum.sensitivities));
    let fitted = global.spectrum_sensitivities.iter().filter_map(|s| s.current.as_ref()).count();
    assert!(fitted >= 6, "{fitted} tiers fitted against the global impulse");
    assert!(global.spectrum_sensitivities.iter().filter_map(|s| s.current.as_ref()).all(|c| c
        .liquidity
        .estimate
        .is_finite()
        && c.liquidity.std_error > 0.0));
}

/// The paths (array indices as `[]`) of the histories the lean report empties; see the "Lean and
/// full" list in `tideline_core::report`'s docs.
const LEAN_EMPTIES: [&str; 12] = [
    "spectrum.sensitivities[].rolling",
    "spectrum.overflow.history",
    "spectrum.concentration.history",
    "spectrum.inside_crypto.history",
    "global_liquidity.history",
    "global_liquidity.lead_lag[].rolling_best_lag",
    "global_liquidity.spectrum_sensitivities[].rolling",
    "stress.history",
    "flows.etf.days",
    "flows.treasury[].history",
    "gold_real_rates.rolling",
    "gold_real_rates.residuals",
];

/// Every path where `lean` differs from `full`, with array indices as `[]`.
fn differences(full: &serde_json::Value, lean: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    use serde_json::Value;
    let join = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match (full, lean) {
        (Value::Object(f), Value::Object(l)) => {
            assert_eq!(f.keys().collect::<Vec<_>>(), l.keys().collect::<Vec<_>>(), "keys at {path}");
            for (key, value) in f {
                differences(value, &l[key], &join(key), out);
            }
        }
        (Value::Array(f), Value::Array(l)) if f.len() == l.len() => {
            for (a, b) in f.iter().zip(l) {
                differences(a, b, &format!("{path}[]"), out);
            }
        }
        (f, l) if f != l => out.push(path.to_string()),
        _ => {}
    }
}

/// The synthetic dataset with two basket coins, an ETF flow table and a treasury sheet, so that
/// every history the lean report thins is there.
fn report_with_every_section(as_of: &str) -> Report {
    use tideline_core::model::flows::{parse_flow_table, parse_treasury_sheet, FlowInputs};
    let mut data = dataset();
    let btc = data.get("CBBTCUSD").expect("btc").clone();
    for (id, scale) in [("SOLUSD", 0.005), ("XRPUSD", 0.00003)] {
        let series = btc.scaled(scale).renamed(id);
        data.insert(id, LoadedSeries { series, native_units: "USD".into(), source: format!("{id}.csv") });
    }
    let mut body = String::from("Date,IBIT,Total\n");
    let mut day = d("2023-01-02");
    let mut walk = Walk(9);
    while day <= d("2024-06-28") {
        if day.is_business_day() {
            let flow = 100.0 * walk.next();
            body.push_str(&format!("{day},{flow:.1},{flow:.1}\n"));
        }
        day = day.add_days(1);
    }
    let table = parse_flow_table("flows.csv", &body, None).expect("parses");
    let sheet = parse_treasury_sheet(
        "treasury.csv",
        "Date,Company,Shares outstanding,Share price,BTC held\n\
         2024-01-02,MSTR,\"1,000,000\",500,\"10,000\"\n\
         2024-01-03,MSTR,\"1,000,000\",400,\"10,000\"\n",
    )
    .expect("parses");
    let inputs = FlowInputs { etf: Some(table), treasury: Some(sheet) };
    let config = ModelConfig { as_of: Some(d(as_of)), ..ModelConfig::default() };
    analyze_with(&data, &config, &inputs).expect("report")
}

#[test]
fn the_full_report_is_the_models_report() {
    let report = report_with_every_section("2024-06-28");
    assert_eq!(report.detail, Detail::Full);
    // Compared as JSON: the report holds NaN (undefined weekly scores), which is unequal to itself.
    let full = report.clone().with_detail(Detail::Full);
    let text = full.to_json(JsonStyle::Compact).expect("json");
    assert_eq!(text, serde_json::to_string(&report).expect("json") + "\n");
    let value: serde_json::Value = serde_json::from_str(&text).expect("parses");
    assert_eq!(value["detail"], "full");
    assert_eq!(value["schema_version"], "1.5.0");
    // Pretty is the same document.
    let pretty: serde_json::Value =
        serde_json::from_str(&full.to_json(JsonStyle::Pretty).expect("json")).expect("parses");
    assert_eq!(pretty, value);
}

#[test]
fn the_lean_report_empties_only_the_listed_histories() {
    let full = report_with_every_section("2024-06-28");
    let lean = full.clone().with_detail(Detail::Lean);
    assert_eq!(lean.detail, Detail::Lean);
    let (full_json, lean_json) =
        (serde_json::to_value(&full).expect("json"), serde_json::to_value(&lean).expect("json"));
    let mut changed = Vec::new();
    differences(&full_json, &lean_json, "", &mut changed);
    changed.sort();
    changed.dedup();
    // Every listed history is non-empty in full (so this test sees it thinned) and empty in lean;
    // nothing else changed but `detail`.
    let mut expected: Vec<String> = LEAN_EMPTIES.iter().map(|p| p.to_string()).collect();
    expected.push("detail".to_string());
    // The scatter's points: emptied for the daily results only (`report_serde` checks which).
    expected.push("asymmetry[].points".to_string());
    expected.sort();
    assert_eq!(changed, expected);
    for path in LEAN_EMPTIES {
        let pick = |root: &serde_json::Value| -> Vec<serde_json::Value> {
            let mut nodes = vec![root.clone()];
            for part in path.split('.') {
                let (key, each) = part.strip_suffix("[]").map_or((part, false), |k| (k, true));
                nodes = nodes
                    .iter()
                    .map(|n| n[key].clone())
                    .flat_map(|n| if each { n.as_array().cloned().unwrap_or_default() } else { vec![n] })
                    .collect();
            }
            nodes
        };
        assert!(pick(&lean_json).iter().all(|n| n.as_array().is_some_and(Vec::is_empty)), "{path} in lean");
    }
}

#[test]
fn the_lean_report_keeps_the_drawn_histories_weekly_to_their_last_point() {
    let full = report_with_every_section("2024-06-28");
    let lean = full.clone().with_detail(Detail::Lean);
    let one_per_week = |dates: &[Date]| dates.windows(2).all(|w| w[0].next_friday() < w[1].next_friday());
    let net: Vec<Date> = lean.net_liquidity.history.iter().map(|p| p.0).collect();
    assert!(net.len() > 400 && one_per_week(&net), "{} net-liquidity weeks", net.len());
    assert_eq!(lean.net_liquidity.history.last(), full.net_liquidity.history.last());
    let basket =
        |r: &Report| r.flows.as_ref().and_then(|f| f.inside_crypto.as_ref()).map(|i| i.history.clone());
    let (lean_basket, full_basket) = (basket(&lean).expect("basket"), basket(&full).expect("basket"));
    let weeks: Vec<Date> = lean_basket.iter().map(|w| w.date).collect();
    assert!(weeks.len() > 100 && one_per_week(&weeks));
    assert_eq!(lean_basket.last(), full_basket.last());
    // The readings the page shows are the full report's.
    assert_eq!(lean.regimes.current, full.regimes.current);
    // Risk by regime is a small table the Rotation page draws: whole.
    assert!(full.risk_by_regime.as_ref().is_some_and(|r| r.assets.len() >= 8));
    assert_eq!(lean.risk_by_regime, full.risk_by_regime);
    assert_eq!(lean.stress.as_ref().map(|s| &s.current), full.stress.as_ref().map(|s| &s.current));
}

#[test]
fn the_lean_report_is_small() {
    let full = report_with_every_section("2024-06-28");
    let full_bytes = full.to_json(JsonStyle::Compact).expect("json").len();
    let lean_bytes = full.with_detail(Detail::Lean).to_json(JsonStyle::Compact).expect("json").len();
    eprintln!("synthetic report: lean {lean_bytes} bytes, full {full_bytes} bytes");

    // Eight and a half years of synthetic data: 0.61 MB since schema 1.4 keeps the drawn regime
    // timeline, rolling betas, weekly scatter and rolling best lags (0.26 MB before); the real
    // data's lean report is 1.2 MB over thirty years (bound 1.5 MB, bench.sh).
    assert!(lean_bytes <= 700_000, "lean report of {lean_bytes} bytes");
    assert!(lean_bytes * 3 <= full_bytes, "lean {lean_bytes} bytes against full {full_bytes}");
}

#[test]
fn a_clock_times_every_stage_in_order_and_changes_no_figure() {
    use std::cell::Cell;
    use tideline_core::model::flows::FlowInputs;
    use tideline_core::report::analyze_timed;
    let dataset = dataset();
    let config = ModelConfig::default();
    // A clock that advances one millisecond a reading: each stage costs exactly 1.
    let ticks = Cell::new(0.0);
    let clock = || {
        ticks.set(ticks.get() + 1.0);
        ticks.get()
    };
    let timed = analyze_timed(&dataset, &config, &FlowInputs::default(), Some(&clock)).expect("report");
    let stages: Vec<&str> = timed.timing.sections.iter().map(|s| s.section.as_str()).collect();
    assert_eq!(
        stages,
        [
            "as_of_cut",
            "panel",
            "chain",
            "regimes",
            "net_liquidity",
            "asymmetry",
            "lead_lag",
            "flows",
            "global_liquidity",
            "spectrum",
            "risk_by_regime",
            "policy_divergence",
            "stress",
            "gold"
        ]
    );
    assert!(timed.timing.sections.iter().all(|s| s.ms == 1.0), "{:?}", timed.timing.sections);
    let plain = analyze(&dataset, &config).expect("report");
    assert!(plain.timing.sections.is_empty(), "no clock, no stage times");
    let figures = |r: &Report| {
        let mut v = serde_json::to_value(r).expect("serialise");
        v.as_object_mut().map(|o| o.remove("timing"));
        v
    };
    assert_eq!(figures(&timed), figures(&plain), "timing changes no figure");
}

#[test]
fn the_headline_says_liquidity_and_how_far_the_tide_reaches() {
    let data = dataset();
    let report = analyze(&data, &ModelConfig::default()).expect("report");
    let text = tideline_core::report::headline(&report);
    assert!(text.starts_with("Liquidity "), "{text}");
    assert!(text.contains("; the tide reaches "), "{text}");
    assert!(text.ends_with('.'), "{text}");
    // The tier it names is the report's own stage.
    let spectrum = report.spectrum.as_ref().expect("spectrum");
    if let Some(stage) = spectrum.overflow.current.as_ref().and_then(|c| c.stage) {
        assert!(text.contains(&spectrum.tiers[stage].name), "{text}");
    }
}
