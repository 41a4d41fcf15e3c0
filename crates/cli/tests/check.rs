//! Golden runs of `tideline check` over the files in `tests/fixtures/` (MODEL.md section 9): one
//! line per file, `OK <file>: <rows> rows, <first>..<last>` or `ERROR <file>: <what, where>`, exit
//! 0 only when every file is good, 1 otherwise, and never a panic.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `tideline check ARGS...` from the crate's folder, so fixture paths print as given.
fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tideline"))
        .arg("check")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the tideline binary runs")
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_string).collect()
}

/// Asserts the exit code, the exact stdout lines, and that nothing panicked.
fn assert_run(output: &Output, code: i32, expected: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "the check panicked: {stderr}");
    assert_eq!(stdout_lines(output), expected, "stderr: {stderr}");
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
}

const GOOD_FRED: &str = "tests/fixtures/good_fred.csv";
const GOOD_COINGECKO: &str = "tests/fixtures/good_coingecko.json";
const BAD_VALUE: &str = "tests/fixtures/bad_value.csv";
const HTML: &str = "tests/fixtures/error_page.html";
const EMPTY: &str = "tests/fixtures/empty.csv";
const MISSING: &str = "tests/fixtures/no_such_file.csv";

const OK_FRED: &str = "OK tests/fixtures/good_fred.csv: 3 rows, 2024-01-02..2024-01-05";
// Midnight snapshots close the day before; the 16:00 "now" point of 2024-01-03 keeps its day.
const OK_COINGECKO: &str = "OK tests/fixtures/good_coingecko.json: 4 rows, 2023-12-31..2024-01-03";

#[test]
fn every_file_gets_its_line_and_any_bad_one_fails_the_run() {
    let output = check(&[GOOD_FRED, GOOD_COINGECKO, BAD_VALUE, HTML, EMPTY, MISSING]);
    assert_run(
        &output,
        1,
        &[
            // The `.` on 2024-01-04 is a missing observation, skipped.
            OK_FRED,
            // Four points, the last one intraday on 2024-01-03: one value per UTC day.
            OK_COINGECKO,
            "ERROR tests/fixtures/bad_value.csv: line 4: non-numeric value \"n/a\"",
            "ERROR tests/fixtures/error_page.html: line 1: an HTML page where CSV or JSON was expected (an \
             error or rate-limit page?)",
            "ERROR tests/fixtures/empty.csv: body: empty body: expected a header and at least one \
             observation",
            "ERROR tests/fixtures/no_such_file.csv: cannot read the file: no such file",
        ],
    );
}

#[test]
fn all_good_files_exit_zero() {
    assert_run(&check(&[GOOD_FRED, GOOD_COINGECKO]), 0, &[OK_FRED, OK_COINGECKO]);
    assert_run(&check(&["--format", "fred", GOOD_FRED]), 0, &[OK_FRED]);
    assert_run(&check(&["--format", "coingecko", GOOD_COINGECKO]), 0, &[OK_COINGECKO]);
}

#[test]
fn each_kind_of_bad_file_alone_exits_one() {
    for bad in [BAD_VALUE, HTML, EMPTY, MISSING] {
        let output = check(&[bad]);
        let lines = stdout_lines(&output);
        assert_eq!(lines.len(), 1, "{bad}: {lines:?}");
        assert!(lines[0].starts_with(&format!("ERROR {bad}: ")), "{bad}: {lines:?}");
        assert_eq!(output.status.code(), Some(1), "{bad}");
    }
}

#[test]
fn a_forced_wrong_format_is_an_error_line_not_a_panic() {
    assert_run(
        &check(&["--format", "binance", GOOD_FRED]),
        1,
        &["ERROR tests/fixtures/good_fred.csv: line 1: unexpected JSON: expected value at line 1 column 1 \
           (the body starts with \"observation_date,DFF\\n2024-01-02,5.33\\n202\")"],
    );
    // The other formats refuse the file too, each with an error line.
    for format in ["coingecko", "defillama"] {
        let output = check(&["--format", format, GOOD_FRED]);
        let lines = stdout_lines(&output);
        assert_eq!(lines.len(), 1, "{format}: {lines:?}");
        assert!(lines[0].starts_with("ERROR tests/fixtures/good_fred.csv: line 1: "), "{format}: {lines:?}");
        assert_eq!(output.status.code(), Some(1), "{format}");
    }
    // A good file after the forced-format failure is still checked and reported.
    let output = check(&["--format", "binance", GOOD_COINGECKO, GOOD_FRED]);
    let lines = stdout_lines(&output);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with("ERROR ")), "{lines:?}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_non_utf8_file_says_where() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("check_non_utf8");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("latin1.csv");
    std::fs::write(&path, b"observation_date,DFF\n2024-01-02,5.33\n2024-01-03,5\xb033\n").expect("written");
    let name = path.display().to_string();
    assert_run(&check(&[&name]), 1, &[&format!("ERROR {name}: line 3: not UTF-8 text (byte 49)")]);
}

#[test]
fn an_unknown_format_name_is_a_usage_error() {
    let output = check(&["--format", "xml", GOOD_FRED]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown format \"xml\""));
}

/// The bad-input corpus (`tests/fixtures/bad/expected.json` at the repository root, shared with
/// the page's tests in `tests/browser_cache.rs`): each file with where its error is and what it
/// is. `check` names both, one line per file, and never panics.
#[test]
fn the_bad_input_corpus_gets_its_error_and_position() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/fixtures/bad/expected.json")).expect("expected.json"),
    )
    .expect("expected.json is JSON");
    let cases = expected.as_array().expect("a list");
    assert!(cases.len() >= 10, "the corpus has {} files", cases.len());
    let files: Vec<String> = cases
        .iter()
        .map(|c| format!("../../tests/fixtures/bad/{}", c["file"].as_str().expect("file")))
        .collect();
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let output = check(&args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(1));
    let lines = stdout_lines(&output);
    assert_eq!(lines.len(), cases.len(), "{lines:?}");
    for ((case, file), line) in cases.iter().zip(&files).zip(&lines) {
        let (at, kind) = (case["at"].as_str().expect("at"), case["kind"].as_str().expect("kind"));
        assert!(line.starts_with(&format!("ERROR {file}: {at}: ")), "{line} (expected at {at})");
        assert!(line.contains(kind), "{line} (expected {kind})");
    }
}
