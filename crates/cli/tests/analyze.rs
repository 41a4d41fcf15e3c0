//! `tideline analyze` on the real data in ../shared/data (skipped when absent): the report builds
//! with the contract keys, and `--as-of D` gives the identical report whether or not the folder
//! holds observations after D.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.join("WALCL.csv").exists().then_some(dir)
}

fn analyze(data: &Path, as_of: &str) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_tideline"))
        .args(["analyze", "--data"])
        .arg(data)
        .args(["--as-of", as_of])
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
/// before `cutoff` (the first 10 characters of the row, when they are an ISO date).
fn copy_truncated(from: &Path, to: &Path, cutoff: &str) {
    for sub in ["", "market"] {
        let (src, dst) = (from.join(sub), to.join(sub));
        std::fs::create_dir_all(&dst).expect("temp dir");
        for entry in std::fs::read_dir(&src).expect("read dir").flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("csv") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            let kept: Vec<&str> = text
                .lines()
                .enumerate()
                .filter(|(i, line)| {
                    *i == 0 || line.get(..10).is_none_or(|d| !d.as_bytes()[0].is_ascii_digit() || d <= cutoff)
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
    let as_of = "2024-06-28";
    let temp = std::env::temp_dir().join(format!("tideline-asof-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&temp);
    copy_truncated(&data, &temp, as_of);
    let full = analyze(&data, as_of);
    let cut = analyze(&temp, as_of);
    let _ = std::fs::remove_dir_all(&temp);
    assert_eq!(full["as_of"], as_of);
    assert_eq!(full, cut, "the report as of {as_of} changed when later observations were removed");
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
    assert!(report["net_liquidity"]["latest"]["usd_bn"]
        .as_f64()
        .is_some_and(|v| (3_000.0..10_000.0).contains(&v)));
    assert!(report["timing"]["model_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    eprintln!("as of {}: {}", report["as_of"], report["narrative"]);
}
