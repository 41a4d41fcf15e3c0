//! `tideline analyze` on the real data in ../shared/data (skipped when absent): the report builds
//! with the contract keys, the default (lean) report stays small, and `--as-of D` gives the
//! identical full report whether or not the folder holds observations after D. On the fixtures:
//! `--detail` and `--pretty`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.join("WALCL.csv").exists().then_some(dir)
}

/// The full report as of `as_of` (every history, so that a look-ahead anywhere would show).
fn analyze(data: &Path, as_of: &str) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_tideline"))
        .args(["analyze", "--data"])
        .arg(data)
        .args(["--as-of", as_of, "--detail", "full"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "analyze failed: {}", String::from_utf8_lossy(&output.stderr));
    // Sources name the folder; compare them relative to it.
    let text = String::from_utf8_lossy(&output.stdout).replace(&data.display().to_string(), "<data>");
    let mut report: serde_json::Value = serde_json::from_str(&text).expect("JSON report");
    report["timing"] = serde_json::Value::Null;
    report
}

/// Copies every CSV of `from` (and of `from/market`) into `to`, keeping only the rows dated on or
/// before `cutoff` (the first 10 characters of the row, when they are an ISO date). Other files
/// (the recorded JSON API bodies) are copied whole: their later rows must be ignored too.
fn copy_truncated(from: &Path, to: &Path, cutoff: &str) {
    for sub in ["", "market"] {
        let (src, dst) = (from.join(sub), to.join(sub));
        std::fs::create_dir_all(&dst).expect("temp dir");
        for entry in std::fs::read_dir(&src).expect("read dir").flatten() {
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("csv") {
                std::fs::copy(&path, dst.join(entry.file_name())).expect("copy");
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            // CoinGecko's export (`snapped_at`) stamps a day's close at the next midnight UTC, so
            // its row stamped the day after the cutoff is still the cutoff's close.
            let last_stamp = if text.starts_with("snapped_at") {
                tideline_core::Date::parse_iso(cutoff).expect("ISO cutoff").add_days(1).to_string()
            } else {
                cutoff.to_string()
            };
            let kept: Vec<&str> = text
                .lines()
                .enumerate()
                .filter(|(i, line)| {
                    *i == 0
                        || line.get(..10).is_none_or(|d| {
                            !d.as_bytes()[0].is_ascii_digit()
                                || d < last_stamp.as_str()
                                || d == last_stamp
                                    && (!text.starts_with("snapped_at")
                                        || line.get(11..19) == Some("00:00:00"))
                        })
                })
                .map(|(_, line)| line)
                .collect();
            std::fs::write(dst.join(entry.file_name()), kept.join("\n") + "\n").expect("write");
        }
    }
}

#[test]
fn as_of_report_is_identical_without_later_data() {
    let Some(data) = shared_data() else { return };
    // 2024-01-05: between the ETF table's copied first row (2024-01-01) and the row it copies.
    for as_of in ["2024-06-28", "2024-01-05"] {
        let temp = std::env::temp_dir().join(format!("tideline-asof-{}-{as_of}", std::process::id()));
        let _ = std::fs::remove_dir_all(&temp);
        copy_truncated(&data, &temp, as_of);
        let full = analyze(&data, as_of);
        let cut = analyze(&temp, as_of);
        let _ = std::fs::remove_dir_all(&temp);
        assert_eq!(full["as_of"], as_of);
        assert_eq!(full, cut, "the report as of {as_of} changed when later observations were removed");
    }
}

#[test]
fn real_data_report_has_the_contract() {
    let Some(data) = shared_data() else { return };
    let output = Command::new(env!("CARGO_BIN_EXE_tideline"))
        .args(["analyze", "--data"])
        .arg(&data)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    for key in ["schema_version", "as_of", "series", "net_liquidity", "links", "regimes", "timing"] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    // The default report is lean, compact and small (issue 19).
    assert_eq!(report["detail"], "lean");
    assert_eq!(output.stdout.iter().filter(|b| **b == b'\n').count(), 1, "one line");
    assert!(output.stdout.len() <= 1_500_000, "lean report of {} bytes", output.stdout.len());
    assert!(report["net_liquidity"]["history"].as_array().is_some_and(|h| h.len() > 1_000));
    assert!(report["net_liquidity"]["latest"]["usd_bn"]
        .as_f64()
        .is_some_and(|v| (3_000.0..10_000.0).contains(&v)));
    assert!(report["timing"]["model_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    eprintln!("as of {}: {}", report["as_of"], report["narrative"]);

    // Beyond the Fed (schema 1.1).
    assert_eq!(report["schema_version"], "1.5.0");
    let global = &report["global_liquidity"]["latest"];
    let total = global["total_usd_bn"].as_f64().expect("global total");
    let components = global["components"].as_array().expect("components");
    let ids: Vec<&str> = components.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids, ["FED", "ECB", "BOJ"]);
    let shares: f64 = components.iter().filter_map(|c| c["share"].as_f64()).sum();
    assert!((shares - 1.0).abs() < 1e-9, "shares add up to {shares}");
    assert!((10_000.0..40_000.0).contains(&total), "global total {total} USD bn");
    eprintln!(
        "global liquidity {}: {total:.0} USD bn; {}",
        global["date"],
        components
            .iter()
            .map(|c| format!(
                "{} {:.1}%{}",
                c["id"],
                100.0 * c["share"].as_f64().unwrap_or(0.0),
                if c["stale"] == true { " (stale)" } else { "" }
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let episodes = report["stress"]["episodes"].as_array().expect("stress episodes");
    assert!(
        episodes
            .iter()
            .any(|e| e["start"].as_str() <= Some("2020-03-31") && e["end"].as_str() >= Some("2020-03-01")),
        "an episode in March 2020"
    );
    assert_eq!(report["policy_divergence"]["economies"].as_array().map(Vec::len), Some(3));
    eprintln!("policy: {}", report["policy_divergence"]["summary"]);
    let etf = &report["flows"]["etf"];
    assert!(etf["same_day"]["ci95"].is_array(), "ETF flows from market/farside_btc_etf_flows.csv: {etf}");
    assert!(report["flows"]["inside_crypto"]["coins"].as_array().is_some_and(|c| c.len() >= 3));
    assert!(report["gold_real_rates"]["current"]["ci95"].is_array());
}

/// A bank beyond the catalog: its balance sheet as a user series (`user/global/<ID>.csv`), its FX
/// rate from the catalog (DEXCHUS), named in the `global.banks` setting of `--config`.
#[test]
fn a_user_bank_joins_global_liquidity_from_the_folder() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/data");
    let dir = std::env::temp_dir().join(format!("tideline-userbank-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("user/global")).expect("user dir");
    std::fs::create_dir_all(dir.join("user/nonsense")).expect("bad role dir");
    std::fs::create_dir_all(dir.join("user/liquidity")).expect("liquidity dir");
    // A catalog id as a user series would replace the catalog's without its units: refused.
    std::fs::write(dir.join("user/liquidity/walcl.csv"), "date,value\n2024-05-01,1\n").expect("write");
    for id in ["WALCL", "WDTGAL", "RRPONTSYD"] {
        std::fs::copy(fixtures.join(format!("{id}.csv")), dir.join(format!("{id}.csv"))).expect("copy");
    }
    // 4,300,000 x 100 million yuan = 430,000 CNY bn; 7.2 CNY per USD.
    std::fs::write(
        dir.join("user/global/PBOC_ASSETS.csv"),
        "date,value\n2024-04-30,4300000\n2024-05-31,4300000\n",
    )
    .expect("write");
    let mut fx = String::from("observation_date,DEXCHUS\n");
    let mut day = tideline_core::Date::parse_iso("2024-05-01").expect("date");
    while day.to_string().as_str() <= "2024-06-28" {
        if day.is_business_day() {
            fx.push_str(&format!("{day},7.2\n"));
        }
        day = day.add_days(1);
    }
    std::fs::write(dir.join("DEXCHUS.csv"), fx).expect("write");
    let config = dir.join("config.json");
    std::fs::write(
        &config,
        r#"{"global": {"banks": [{"id": "PBOC", "assets_series": "PBOC_ASSETS", "currency": "CNY",
            "fx_series": "DEXCHUS", "fx_quote": "units_per_usd", "scale_to_bn": 0.1,
            "publication_lag_days": 45}]}}"#,
    )
    .expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_tideline"))
        .args(["analyze", "--data"])
        .arg(&dir)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("runs");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("user/nonsense: not a role"), "{stderr}");
    assert!(stderr.contains("walcl.csv: WALCL is a catalog series"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let components =
        report["global_liquidity"]["latest"]["components"].as_array().cloned().unwrap_or_default();
    let pboc = components.iter().find(|c| c["id"] == "PBOC").expect("PBOC component");
    let usd = pboc["usd_bn"].as_f64().expect("usd");
    assert!((usd - 430_000.0 / 7.2).abs() < 1e-6, "{usd}");
}

/// `tideline analyze` on the fixtures with extra arguments: its exit status, stdout and stderr.
fn analyze_fixtures(extra: &[&str]) -> (bool, Vec<u8>, String) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/data");
    let output = Command::new(env!("CARGO_BIN_EXE_tideline"))
        .args(["analyze", "--data"])
        .arg(&fixtures)
        .args(extra)
        .output()
        .expect("runs");
    (output.status.success(), output.stdout, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn detail_full_is_accepted_and_a_bad_detail_is_refused() {
    let json = |bytes: &[u8]| -> serde_json::Value {
        let mut report: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
        report["timing"] = serde_json::Value::Null;
        report
    };
    let (ok, lean, stderr) = analyze_fixtures(&[]);
    assert!(ok, "{stderr}");
    let (ok, full, stderr) = analyze_fixtures(&["--detail", "full"]);
    assert!(ok, "{stderr}");
    let (lean, full) = (json(&lean), json(&full));
    assert_eq!((lean["detail"].as_str(), full["detail"].as_str()), (Some("lean"), Some("full")));
    assert_eq!(lean["net_liquidity"], full["net_liquidity"]);
    let (ok, explicit, _) = analyze_fixtures(&["--detail", "lean"]);
    assert!(ok);
    assert_eq!(json(&explicit), lean);

    let (ok, stdout, stderr) = analyze_fixtures(&["--detail", "weekly"]);
    assert!(!ok && stdout.is_empty());
    assert!(stderr.contains("invalid value 'weekly' for '--detail"), "{stderr}");
    assert!(stderr.contains("expected `lean` (the default) or `full`"), "{stderr}");
}

#[test]
fn pretty_is_the_same_document_indented() {
    let (ok, compact, stderr) = analyze_fixtures(&[]);
    assert!(ok, "{stderr}");
    let (ok, pretty, stderr) = analyze_fixtures(&["--pretty"]);
    assert!(ok, "{stderr}");
    assert!(pretty.len() > compact.len() && pretty.starts_with(b"{\n  \""));
    assert!(compact.ends_with(b"}\n") && pretty.ends_with(b"}\n"));
    let parse = |bytes: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
        v["timing"] = serde_json::Value::Null;
        v
    };
    assert_eq!(parse(&pretty), parse(&compact));
}

#[test]
fn out_writes_the_same_document_as_stdout() {
    let out = std::env::temp_dir().join(format!("tideline-out-{}.json", std::process::id()));
    let (ok, stdout, stderr) = analyze_fixtures(&["--as-of", "2024-06-28"]);
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = analyze_fixtures(&["--as-of", "2024-06-28", "--out", out.to_str().expect("utf-8")]);
    assert!(ok, "{stderr}");
    let written = std::fs::read(&out).expect("written");
    let _ = std::fs::remove_file(&out);
    let parse = |bytes: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
        v["timing"] = serde_json::Value::Null;
        v
    };
    assert_eq!(parse(&written), parse(&stdout));
}

/// A data folder holding every catalog series of the synthetic catalog as a FRED CSV in its
/// native units (the repo's fixtures hold only the Fed's liquidity inputs: no asset, no growth or
/// inflation, so no regime to measure an asset in).
fn synthetic_folder(dir: &Path) {
    use std::fmt::Write as _;
    let end = tideline_core::Date::parse_iso("2024-06-28").expect("date");
    let dataset = tideline_core::synthetic::catalog(14, end, 7);
    let catalog = tideline_core::catalog::Catalog::builtin();
    std::fs::create_dir_all(dir).expect("temp dir");
    for entry in &catalog.series {
        let Some(series) = dataset.get(&entry.id) else { continue };
        let scale = entry.units.first().map_or(1.0, |u| u.scale);
        let mut text = format!("observation_date,{}\n", entry.id);
        for (date, value) in series.iter() {
            let _ = writeln!(text, "{date},{}", value / scale);
        }
        std::fs::write(dir.join(entry.file_name()), text).expect("write");
    }
}

const LIQUIDITY: [&str; 3] = ["expanding", "flat", "contracting"];
const QUADRANTS: [&str; 4] = ["recovery", "overheat", "stagflation", "reflation"];

/// The contract of `risk_by_regime` in a report: every asset has the three liquidity regimes and
/// the four quadrants in order, and wherever a statistic is present the regime has weeks and its
/// interval holds the mean. Returns the number of assets.
fn check_risk_by_regime(report: &serde_json::Value) -> usize {
    let risk = &report["risk_by_regime"];
    assert!(risk["min_weeks"].as_u64().is_some_and(|n| n > 0), "{risk}");
    let assets = risk["assets"].as_array().expect("assets");
    for asset in assets {
        let tier = asset["tier"].as_str().expect("tier");
        let regimes = |key: &str| -> Vec<String> {
            let rows = asset[key].as_array().expect("rows");
            rows.iter().map(|r| r["regime"].as_str().expect("regime").to_string()).collect()
        };
        assert_eq!(regimes("liquidity"), LIQUIDITY, "{tier}");
        assert_eq!(regimes("cycle"), QUADRANTS, "{tier}");
        let rows = asset["liquidity"].as_array().into_iter().chain(asset["cycle"].as_array()).flatten();
        for row in rows.chain([&asset["all"]]) {
            let Some(mean) = row["mean_weekly"].as_f64() else { continue };
            assert!(row["weeks"].as_u64().is_some_and(|n| n > 0), "{tier}: {row}");
            let ci = row["ci95"].as_array().expect("an interval with the mean");
            let (lo, hi) = (ci[0].as_f64().expect("lo"), ci[1].as_f64().expect("hi"));
            assert!(lo <= mean && mean <= hi, "{tier} {}: {mean} outside [{lo}, {hi}]", row["regime"]);
            assert!(row["annualised_volatility"].as_f64().is_some_and(|v| v >= 0.0), "{tier}: {row}");
            assert!(row["max_drawdown"].as_f64().is_some_and(|d| (-1.0..=0.0).contains(&d)), "{tier}: {row}");
        }
    }
    assets.len()
}

/// `risk_by_regime.csv` read back as (asset, grouping, regime) -> the other columns.
fn read_risk_csv(text: &str) -> Vec<(String, String, String, Vec<String>)> {
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "asset,grouping,regime,weeks,mean_weekly,ci95_lo,ci95_hi,annualised_return,\
             annualised_volatility,sharpe,max_drawdown"
        )
    );
    lines
        .map(|line| {
            let cells: Vec<String> = line.split(',').map(str::to_string).collect();
            assert_eq!(cells.len(), 11, "{line}");
            (cells[0].clone(), cells[1].clone(), cells[2].clone(), cells[3..].to_vec())
        })
        .collect()
}

#[test]
fn risk_by_regime_is_in_the_report_and_in_its_csv() {
    let root = std::env::temp_dir().join(format!("tideline-riskregime-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let data = root.join("data");
    synthetic_folder(&data);
    let csv_dir = root.join("csv");
    let output = Command::new(env!("CARGO_BIN_EXE_tideline"))
        .args(["analyze", "--data"])
        .arg(&data)
        .arg("--csv")
        .arg(&csv_dir)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let csv = std::fs::read_to_string(csv_dir.join("risk_by_regime.csv")).expect("risk_by_regime.csv");
    let _ = std::fs::remove_dir_all(&root);

    assert_eq!(report["schema_version"], "1.5.0");
    // The lean report (the default) keeps the section whole.
    assert_eq!(report["detail"], "lean");
    let assets = check_risk_by_regime(&report);
    assert!(assets >= 8, "{assets} assets");
    assert_eq!(report["risk_by_regime"]["risk_free"], "CASH");
    // On 14 years of synthetic data every regime and quadrant occurs, and has its figures.
    let sp500 = report["risk_by_regime"]["assets"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["tier"] == "SP500"))
        .expect("SP500");
    for row in sp500["liquidity"].as_array().into_iter().chain(sp500["cycle"].as_array()).flatten() {
        assert!(row["weeks"].as_u64().is_some_and(|n| n >= 8), "SP500: {row}");
        assert!(row["sharpe"].is_f64() && row["ci95"].is_array(), "SP500: {row}");
    }
    let timed: Vec<&str> = report["timing"]["sections"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["section"].as_str()).collect())
        .unwrap_or_default();
    assert!(timed.contains(&"risk_by_regime"), "{timed:?}");

    // The CSV: one row per asset and regime, liquidity then quadrant, the JSON's figures.
    let rows = read_risk_csv(&csv);
    assert_eq!(rows.len(), assets * (LIQUIDITY.len() + QUADRANTS.len()));
    let json_assets = report["risk_by_regime"]["assets"].as_array().expect("assets");
    for (chunk, asset) in rows.chunks(7).zip(json_assets) {
        let tier = asset["tier"].as_str().expect("tier");
        let names: Vec<(&str, &str)> = chunk.iter().map(|r| (r.1.as_str(), r.2.as_str())).collect();
        let expected: Vec<(&str, &str)> = LIQUIDITY
            .iter()
            .map(|r| ("liquidity", *r))
            .chain(QUADRANTS.iter().map(|r| ("quadrant", *r)))
            .collect();
        assert_eq!(names, expected, "{tier}");
        let json_rows = asset["liquidity"].as_array().into_iter().chain(asset["cycle"].as_array()).flatten();
        for ((row_tier, _, regime, cells), json) in chunk.iter().zip(json_rows) {
            assert_eq!(row_tier, tier);
            let number = |i: usize| cells[i].parse::<f64>().ok();
            let weeks: u64 = cells[0].parse().expect("weeks");
            assert_eq!(Some(weeks), json["weeks"].as_u64(), "{tier} {regime}");
            assert_eq!(number(1), json["mean_weekly"].as_f64(), "{tier} {regime}");
            assert_eq!(number(6), json["sharpe"].as_f64(), "{tier} {regime}");
            assert_eq!(number(7), json["max_drawdown"].as_f64(), "{tier} {regime}");
            if let Some(mean) = number(1) {
                assert!(weeks > 0, "{tier} {regime}");
                let (lo, hi) = (number(2).expect("ci95_lo"), number(3).expect("ci95_hi"));
                assert!(lo <= mean && mean <= hi, "{tier} {regime}: {mean} outside [{lo}, {hi}]");
                assert!((number(4).expect("annualised") - 52.0 * mean).abs() < 1e-12);
            } else {
                assert!(cells[1..].iter().all(String::is_empty), "{tier} {regime}: {cells:?}");
            }
        }
    }
}

#[test]
fn risk_by_regime_on_the_fixtures_is_null_without_an_asset() {
    // The fixtures hold the Fed's liquidity inputs and no asset: no tier, no table, no error.
    let dir = std::env::temp_dir().join(format!("tideline-riskregime-fixtures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (ok, stdout, stderr) = analyze_fixtures(&["--csv", dir.to_str().expect("utf-8")]);
    let written = dir.join("risk_by_regime.csv").exists();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&stdout).expect("JSON");
    assert!(report["risk_by_regime"].is_null(), "{}", report["risk_by_regime"]);
    assert!(report["config"]["risk_by_regime"]["min_weeks"].as_u64().is_some_and(|n| n > 0));
    assert!(!written);
}

#[test]
fn risk_by_regime_on_the_real_data() {
    let Some(data) = shared_data() else { return };
    let output = Command::new(env!("CARGO_BIN_EXE_tideline"))
        .args(["analyze", "--data"])
        .arg(&data)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(check_risk_by_regime(&report) >= 8);
    let assets = report["risk_by_regime"]["assets"].as_array().expect("assets");
    for tier in ["SP500", "CBBTCUSD"] {
        let asset = assets.iter().find(|a| a["tier"] == tier).expect(tier);
        for row in asset["liquidity"].as_array().into_iter().flatten() {
            assert!(row["weeks"].as_u64().is_some_and(|n| n >= 50), "{tier}: {row}");
            eprintln!(
                "{tier} {}: {} weeks, mean {:.3}%/wk [{:.3}, {:.3}], {:.1}%/yr, vol {:.1}%, Sharpe {:.2}, max dd {:.1}%",
                row["regime"],
                row["weeks"],
                100.0 * row["mean_weekly"].as_f64().unwrap_or(f64::NAN),
                100.0 * row["ci95"][0].as_f64().unwrap_or(f64::NAN),
                100.0 * row["ci95"][1].as_f64().unwrap_or(f64::NAN),
                100.0 * row["annualised_return"].as_f64().unwrap_or(f64::NAN),
                100.0 * row["annualised_volatility"].as_f64().unwrap_or(f64::NAN),
                row["sharpe"].as_f64().unwrap_or(f64::NAN),
                100.0 * row["max_drawdown"].as_f64().unwrap_or(f64::NAN),
            );
        }
    }
}
