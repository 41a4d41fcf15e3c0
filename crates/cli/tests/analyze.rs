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
