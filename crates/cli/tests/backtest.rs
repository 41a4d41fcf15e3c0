//! `tideline backtest` end to end: on a fixture folder written from the synthetic catalog (and on
//! the real data in ../shared/data when it is there), the report and `comparisons.csv` carry a
//! comparison of every strategy with every benchmark and its static mix, each with a verdict that
//! its 95% interval supports, and the summary says "beats" or "trails" only then.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use tideline_core::catalog::Catalog;
use tideline_core::{synthetic, Date};

fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.join("WALCL.csv").exists().then_some(dir)
}

/// A data folder of FRED CSVs (native units) for the series the default strategies and
/// benchmarks need, from the synthetic catalog.
fn fixture_folder(dir: &Path) {
    let end = Date::parse_iso("2024-06-28").expect("date");
    let dataset = synthetic::catalog(12, end, 5);
    let catalog = Catalog::builtin();
    std::fs::create_dir_all(dir).expect("temp dir");
    for id in [
        "WALCL",
        "WDTGAL",
        "RRPONTSYD",
        "DFF",
        "DGS2",
        "DGS10",
        "T10YIE",
        "DFII10",
        "CPIAUCSL",
        "PCEPILFE",
        "INDPRO",
        "UNRATE",
        "VIXCLS",
        "BAMLH0A0HYM2",
        "NFCI",
        "NASDAQ100",
        "SP500",
    ] {
        let (Some(series), Some(entry)) = (dataset.get(id), catalog.get(id)) else { continue };
        let scale = entry.units.first().map_or(1.0, |u| u.scale);
        let mut text = format!("observation_date,{id}\n");
        for (date, value) in series.iter() {
            let _ = writeln!(text, "{date},{}", value / scale);
        }
        std::fs::write(dir.join(format!("{id}.csv")), text).expect("write");
    }
}

/// What a verdict must be for an interval (`None`: no interval).
fn verdict_of(ci: Option<(f64, f64)>) -> &'static str {
    match ci {
        Some((lo, _)) if lo > 0.0 => "beats",
        Some((_, hi)) if hi < 0.0 => "trails",
        _ => "no_significant_difference",
    }
}

/// Runs `tideline backtest` on `data` into `out` and checks the comparisons of the report, the
/// CSV and the summary. Returns the report.
fn backtest_and_check(data: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_tideline"))
        .args(["backtest", "--data"])
        .arg(data)
        .args(extra)
        .arg("--out")
        .arg(out.join("report.json"))
        .arg("--csv")
        .arg(out.join("csv"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "backtest failed: {stderr}");
    let text = std::fs::read_to_string(out.join("report.json")).expect("report");
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(report["schema_version"], "1.1.0");
    let benchmarks: Vec<&str> = report["benchmarks"]
        .as_array()
        .expect("benchmarks")
        .iter()
        .filter_map(|b| b["name"].as_str())
        .collect();
    let strategies = report["strategies"].as_array().expect("strategies");
    assert!(!strategies.is_empty());
    let mut rows = 0;
    for s in strategies {
        let name = s["name"].as_str().expect("name");
        let comparisons = s["comparisons"].as_array().expect("comparisons");
        assert_eq!(comparisons.len(), benchmarks.len() + 1, "{name}");
        let static_name = format!("static:{name}");
        assert_eq!(s["static_mix"]["run"]["name"], static_name.as_str());
        for (c, expected) in comparisons.iter().zip(benchmarks.iter().copied().chain([static_name.as_str()]))
        {
            assert_eq!(c["against"], expected);
            for key in ["sharpe_strategy", "sharpe_other", "difference", "se", "ci95", "p_value", "verdict"] {
                assert!(c.get(key).is_some(), "{name} vs {expected}: no {key}");
            }
            let ci = c["ci95"].as_array().and_then(|ci| Some((ci.first()?.as_f64()?, ci.get(1)?.as_f64()?)));
            assert_eq!(c["verdict"], verdict_of(ci), "{name} vs {expected}: {c}");
            rows += 1;
        }
    }
    // comparisons.csv: one row per strategy and run compared with, the same verdicts.
    let csv = std::fs::read_to_string(out.join("csv/comparisons.csv")).expect("comparisons.csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (lo, hi, verdict) = (col("ci95_lo"), col("ci95_hi"), col("verdict"));
    let mut csv_rows = 0;
    for line in lines {
        // Strategy names hold no comma or quote; a label is not in this table.
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), header.len(), "{line}");
        let ci = fields[lo].parse::<f64>().ok().zip(fields[hi].parse::<f64>().ok());
        assert_eq!(fields[verdict], verdict_of(ci), "{line}");
        csv_rows += 1;
    }
    assert_eq!(csv_rows, rows);
    // The static mixes are runs of the other tables too.
    let metrics = std::fs::read_to_string(out.join("csv/metrics.csv")).expect("metrics.csv");
    assert!(metrics.lines().any(|l| l.starts_with("static:")));
    // The summary: one line per comparison, whose words are its verdict's.
    let mut said = 0;
    for line in stderr.lines().map(str::trim) {
        if line.starts_with("beats ") || line.starts_with("trails ") {
            said += 1;
            assert!(!line.contains("no significant"), "{line}");
        } else if line.starts_with("no significant difference from ") {
            said += 1;
            assert!(!line.contains("beats") && !line.contains("trails"), "{line}");
        } else if line.starts_with("cannot be compared") {
            said += 1;
        }
    }
    assert_eq!(said, rows, "{stderr}");
    let beats = strategies
        .iter()
        .flat_map(|s| s["comparisons"].as_array().into_iter().flatten())
        .filter(|c| c["verdict"] == "beats" || c["verdict"] == "trails")
        .count();
    assert_eq!(
        beats,
        stderr.lines().filter(|l| l.trim().starts_with("beats ") || l.trim().starts_with("trails ")).count()
    );
    report
}

#[test]
fn comparisons_on_the_fixtures_have_verdicts_their_intervals_support() {
    let root = std::env::temp_dir().join(format!("tideline-cli-compare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let data = root.join("data");
    fixture_folder(&data);
    let report = backtest_and_check(&data, &root.join("out"), &["--as-of", "2024-06-28"]);
    assert_eq!(report["strategies"].as_array().map(Vec::len), Some(4));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn comparisons_on_the_real_data_have_verdicts_their_intervals_support() {
    let Some(data) = shared_data() else { return };
    let out = std::env::temp_dir().join(format!("tideline-cli-compare-real-{}", std::process::id()));
    backtest_and_check(&data, &out, &[]);
    let _ = std::fs::remove_dir_all(&out);
}
