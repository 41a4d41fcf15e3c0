//! Point in time with revisions: a revised series loaded from its vintages is used as first
//! released, from its release day, at every as-of date and on every Friday of the history; the
//! report says per revised series which vintage it used.

use std::collections::HashMap;

use tideline_core::catalog::Catalog;
use tideline_core::dataset::{Dataset, LoadError, VintageUse};
use tideline_core::model::panel::Panel;
use tideline_core::parse::Format;
use tideline_core::report::{analyze, public_at, ModelConfig, Report};
use tideline_core::{Date, ParseErrorKind};

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("test date")
}

/// The latest vintage, as a FRED CSV has it: January revised to 105.
const CPI_LATEST: &str =
    "observation_date,CPIAUCSL\n2023-11-01,98\n2023-12-01,99\n2024-01-01,105\n2024-02-01,102\n";

/// Every vintage. November and December are in the earliest vintage (2024-01-11). January was first
/// released as 100 on 2024-02-20 (late: the catalog lag alone would have it public on 2024-02-16)
/// and revised to 105 on 2024-03-12; February was first released on 2024-03-12 as 101.5.
const CPI_VINTAGES: &str = "date,realtime_start,value\n\
                            2023-11-01,2024-01-11,98\n\
                            2023-12-01,2024-01-11,99\n\
                            2024-01-01,2024-02-20,100\n\
                            2024-01-01,2024-03-12,105\n\
                            2024-02-01,2024-03-12,101.5\n\
                            2024-02-01,2024-04-10,102\n";

const DFF: &str =
    "observation_date,DFF\n2023-11-01,5.33\n2024-01-02,5.33\n2024-03-01,5.33\n2024-04-30,5.33\n";

fn dataset(with_vintages: bool) -> Dataset {
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_body("CPIAUCSL", Format::Fred, "CPIAUCSL.csv", CPI_LATEST).expect("CPI csv");
    dataset.load_body("DFF", Format::Fred, "DFF.csv", DFF).expect("DFF csv");
    if with_vintages {
        dataset.load_vintages("CPIAUCSL", "vintages/CPIAUCSL.csv", CPI_VINTAGES).expect("vintages");
    }
    dataset
}

/// The newest CPI observation public at `as_of` and its value.
fn cpi_at(dataset: &Dataset, as_of: &str) -> Option<(Date, f64)> {
    public_at(dataset, d(as_of)).get("CPIAUCSL").and_then(|s| s.last())
}

fn report(dataset: &Dataset, as_of: &str) -> Report {
    let config = ModelConfig { as_of: Some(d(as_of)), ..ModelConfig::default() };
    analyze(dataset, &config).expect("report")
}

#[test]
fn as_of_uses_the_first_release_from_its_release_day() {
    let real_time = dataset(true);
    // Past the catalog lag (2024-02-16) but before the release (2024-02-20): not public yet.
    assert_eq!(cpi_at(&real_time, "2024-02-16"), Some((d("2023-12-01"), 99.0)));
    assert_eq!(cpi_at(&real_time, "2024-02-19"), Some((d("2023-12-01"), 99.0)));
    // Released: the first release.
    assert_eq!(cpi_at(&real_time, "2024-02-20"), Some((d("2024-01-01"), 100.0)));
    assert_eq!(cpi_at(&real_time, "2024-03-01"), Some((d("2024-01-01"), 100.0)));
    // After the revision: still the first release (and February's first release, 101.5).
    let later = public_at(&real_time, d("2024-05-01"));
    let cpi = later.get("CPIAUCSL").expect("CPI");
    assert_eq!(cpi.on(d("2024-01-01")), Some(100.0));
    assert_eq!(cpi.last(), Some((d("2024-02-01"), 101.5)));
    // The observations already in the earliest vintage keep the catalog lag: November is public on
    // 2023-12-17 (lag 46), before the archive's first day.
    assert_eq!(cpi_at(&real_time, "2023-12-16"), None);
    assert_eq!(cpi_at(&real_time, "2023-12-17"), Some((d("2023-11-01"), 98.0)));

    // Without vintages, the latest vintage: the revised 105 as if public on 2024-02-16.
    let latest = dataset(false);
    assert_eq!(cpi_at(&latest, "2024-02-16"), Some((d("2024-01-01"), 105.0)));
}

#[test]
fn the_panel_history_joins_first_releases_on_their_release_days() {
    let real_time = dataset(true);
    let as_of = d("2024-04-30");
    let panel = Panel::build(&public_at(&real_time, as_of), Some(as_of)).expect("panel");
    let cpi = panel.get("CPIAUCSL").expect("CPI column");
    let on = |friday: &str| {
        let i = panel.calendar.index_of(d(friday)).expect("a Friday of the panel");
        (cpi.obs_dates[i], cpi.values[i])
    };
    assert_eq!(on("2024-02-16"), (Some(d("2023-12-01")), 99.0), "January not released yet");
    assert_eq!(on("2024-02-23"), (Some(d("2024-01-01")), 100.0));
    // February was released on 2024-03-12, but the catalog lag (46 days: 2024-03-18) stays a floor.
    assert_eq!(on("2024-03-15"), (Some(d("2024-01-01")), 100.0));
    assert_eq!(on("2024-03-22"), (Some(d("2024-02-01")), 101.5));
    assert_eq!(on("2024-04-26"), (Some(d("2024-02-01")), 101.5), "revisions are never used");
}

#[test]
fn the_report_says_which_vintage_each_revised_series_used() {
    let entry = |report: &Report, id: &str| {
        report.series.iter().find(|s| s.id == id).cloned().unwrap_or_else(|| panic!("{id} in the report"))
    };
    let real_time = report(&dataset(true), "2024-02-19");
    let cpi = entry(&real_time, "CPIAUCSL");
    assert_eq!(
        (cpi.vintage, cpi.vintage_note.as_deref()),
        (Some(VintageUse::RealTime), Some("real-time vintages"))
    );
    assert_eq!(
        (cpi.last, cpi.rows, cpi.source.as_str()),
        (Some(d("2023-12-01")), 2, "vintages/CPIAUCSL.csv")
    );
    let dff = entry(&real_time, "DFF");
    assert_eq!((dff.vintage, dff.vintage_note.as_deref()), (None, None), "DFF is not revised");
    let json = serde_json::to_value(&real_time).expect("serialises");
    let cpi_json = json["series"].as_array().and_then(|s| s.iter().find(|e| e["id"] == "CPIAUCSL")).cloned();
    assert_eq!(cpi_json.as_ref().map(|e| e["vintage"].clone()), Some("real_time".into()));

    let latest = report(&dataset(false), "2024-02-19");
    let cpi = entry(&latest, "CPIAUCSL");
    assert_eq!(
        (cpi.vintage, cpi.vintage_note.as_deref()),
        (Some(VintageUse::Latest), Some("latest vintage: revisions not accounted for"))
    );
    assert_eq!(cpi.last, Some(d("2024-01-01")));
}

#[test]
fn a_data_folder_with_a_vintage_file_loads_it_and_a_bad_one_keeps_the_latest() {
    let mut files: HashMap<&str, &str> = HashMap::new();
    files.insert("CPIAUCSL.csv", CPI_LATEST);
    files.insert("vintages/CPIAUCSL.csv", CPI_VINTAGES);
    // A vintage file of a series that is not revised is not read.
    files.insert("vintages/DFF.csv", "not read");
    files.insert("DFF.csv", DFF);
    let mut dataset = Dataset::new(Catalog::builtin());
    let errors = dataset.load_from(|name| files.get(name).map(|s| s.to_string()), None);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(dataset.vintage_use("CPIAUCSL"), Some(VintageUse::RealTime));
    assert_eq!(dataset.get("CPIAUCSL").and_then(|s| s.on(d("2024-01-01"))), Some(100.0));
    assert_eq!(dataset.vintage_use("DFF"), None);

    files.insert("vintages/CPIAUCSL.csv", "date,realtime_start,value\n2024-01-01,2024-02-20,abc\n");
    let mut dataset = Dataset::new(Catalog::builtin());
    let errors = dataset.load_from(|name| files.get(name).map(|s| s.to_string()), None);
    match errors.as_slice() {
        [LoadError::Parse(e)] => {
            assert_eq!(e.source_name, "vintages/CPIAUCSL.csv");
            assert_eq!(e.to_string(), "vintages/CPIAUCSL.csv: line 2: non-numeric value \"abc\"");
        }
        other => panic!("expected one parse error, got {other:?}"),
    }
    assert_eq!(dataset.vintage_use("CPIAUCSL"), Some(VintageUse::Latest));
    assert_eq!(dataset.get("CPIAUCSL").and_then(|s| s.on(d("2024-01-01"))), Some(105.0));

    // Vintages in the wrong units are refused like a series would be.
    let mut dataset = Dataset::new(Catalog::builtin());
    let e = dataset
        .load_vintages(
            "CPIAUCSL",
            "vintages/CPIAUCSL.csv",
            "date,realtime_start,value\n2024-01-01,2024-02-13,3.1\n",
        )
        .expect_err("3.1 is not a CPI level");
    assert!(
        matches!(e, LoadError::Parse(ref p) if matches!(p.kind, ParseErrorKind::OutOfRange { .. })),
        "{e}"
    );
    assert!(dataset.get("CPIAUCSL").is_none());
}
