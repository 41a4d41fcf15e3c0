//! Dataset and table snapshots (the page -> Web Worker transport): what is read back gives the
//! identical report; damaged bytes are refused, never a panic; the fingerprint names the content.

mod common;

use proptest::prelude::*;
use tideline_core::catalog::{Catalog, Role};
use tideline_core::codec::{
    decode_dataset, decode_tables, encode_dataset, encode_tables, fingerprint, fingerprint_of, CodecError,
};
use tideline_core::dataset::{Dataset, LoadedSeries, RealTime};
use tideline_core::model::flows::FlowInputs;
use tideline_core::parse::Format;
use tideline_core::report::{analyze_with, Detail, JsonStyle, ModelConfig};
use tideline_core::{synthetic, Date};

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("test date")
}

/// The shared data folder, as the other real-data tests find it, plus a user series (an asset
/// under a name of the user's) so that roles travel too; `None` when the folder is not there.
fn shared_data() -> Option<(Dataset, FlowInputs)> {
    let (mut dataset, inputs) = common::shared_data()?;
    let mut mine = dataset.loaded("SP500").expect("SP500 in the shared data").clone();
    mine.series.id = "MY_INDEX".into();
    mine.source = "user/asset/MY_INDEX.csv".into();
    dataset.insert_user("MY_INDEX", mine, Role::Asset);
    Some((dataset, inputs))
}

/// A dataset with a series loaded from its vintages (release timing) and one without.
fn with_vintages() -> Dataset {
    let mut dataset = Dataset::new(Catalog::builtin());
    let latest = "observation_date,CPIAUCSL\n2023-11-01,98\n2023-12-01,99\n2024-01-01,105\n";
    dataset.load_body("CPIAUCSL", Format::Fred, "CPIAUCSL.csv", latest).expect("CPI csv");
    let dff = "observation_date,DFF\n2023-11-01,5.33\n2024-01-02,5.33\n2024-03-01,5.33\n";
    dataset.load_body("DFF", Format::Fred, "DFF.csv", dff).expect("DFF csv");
    let vintages = "date,realtime_start,value\n2023-11-01,2024-01-11,98\n2023-12-01,2024-01-11,99\n\
                    2024-01-01,2024-02-20,100\n2024-01-01,2024-03-12,105\n";
    dataset.load_vintages("CPIAUCSL", "vintages/CPIAUCSL.csv", vintages).expect("vintages");
    dataset
}

/// One series of a dataset with its role and release timing.
type Entry = (String, LoadedSeries, Option<Role>, Option<RealTime>);

/// Everything a dataset holds but its catalog, comparable (`Dataset` has no `PartialEq`: its
/// catalog is shared data, not content).
fn content(dataset: &Dataset) -> Vec<Entry> {
    dataset
        .iter()
        .map(|(id, loaded)| {
            (id.to_string(), loaded.clone(), dataset.user_role(id), dataset.real_time(id).cloned())
        })
        .collect()
}

/// The lean report JSON `tideline analyze` writes by default.
fn lean_json(dataset: &Dataset, inputs: &FlowInputs, config: &ModelConfig) -> String {
    let report = analyze_with(dataset, config, inputs).expect("a report");
    report.with_detail(Detail::Lean).to_json(JsonStyle::default()).expect("json")
}

#[test]
fn the_real_dataset_travels_whole_and_gives_the_identical_report() {
    let Some((dataset, inputs)) = shared_data() else { return };
    let bytes = encode_dataset(&dataset);
    let tables = encode_tables(&inputs);
    let rows: usize = dataset.iter().map(|(_, l)| l.series.len()).sum();
    assert!(bytes.len() < 10 * rows + 4096, "{} bytes for {rows} observations", bytes.len());
    let back = decode_dataset(&bytes).expect("decodes");
    let back_inputs = decode_tables(&tables).expect("decodes");
    assert!(content(&back) == content(&dataset), "the dataset changed on the way");
    assert_eq!(back.user_role("MY_INDEX"), Some(Role::Asset));
    assert!(back_inputs == inputs, "the tables changed on the way");
    assert!(inputs.etf.is_some(), "the shared data has an ETF flow table");
    // Encoding is deterministic: the same bytes again, so the fingerprint is a content name.
    assert!(encode_dataset(&back) == bytes && encode_tables(&back_inputs) == tables);
    assert_eq!(fingerprint(&back, &back_inputs), fingerprint(&dataset, &inputs));
    assert_eq!(fingerprint(&dataset, &inputs), fingerprint_of(&bytes, &tables));

    let config = ModelConfig::default();
    let direct = lean_json(&dataset, &inputs, &config);
    assert!(lean_json(&back, &back_inputs, &config) == direct, "the report changed");
    assert!(direct.contains("\"MY_INDEX\""), "the user series is in the report");
}

#[test]
fn release_timing_travels_and_the_point_in_time_cut_is_the_same() {
    let dataset = with_vintages();
    let back = decode_dataset(&encode_dataset(&dataset)).expect("decodes");
    assert!(back.real_time("CPIAUCSL").is_some() && back.real_time("DFF").is_none());
    assert!(content(&back) == content(&dataset));
    for as_of in ["2024-02-19", "2024-02-20", "2024-04-30"] {
        let config = ModelConfig { as_of: Some(d(as_of)), ..ModelConfig::default() };
        let inputs = FlowInputs::default();
        assert!(lean_json(&back, &inputs, &config) == lean_json(&dataset, &inputs, &config), "as of {as_of}");
    }
}

#[test]
fn the_fingerprint_changes_with_the_content() {
    let dataset = synthetic::catalog(2, d("2024-06-28"), 1);
    let tables = FlowInputs::default();
    let base = fingerprint(&dataset, &tables);
    assert_eq!(base, fingerprint(&dataset.clone(), &tables.clone()));
    assert_ne!(base, fingerprint(&synthetic::catalog(2, d("2024-06-28"), 2), &tables), "other values");
    let mut cut = dataset.clone();
    let mut walcl = cut.loaded("WALCL").expect("WALCL").clone();
    walcl.series = walcl.series.truncated_after(d("2024-06-01"));
    cut.insert("WALCL", walcl);
    assert_ne!(base, fingerprint(&cut, &tables), "one series shorter");
    let mut relabelled = dataset.clone();
    let mut vix = relabelled.loaded("VIXCLS").expect("VIX").clone();
    vix.source = "elsewhere.csv".into();
    relabelled.insert("VIXCLS", vix);
    assert_ne!(base, fingerprint(&relabelled, &tables), "provenance is content too");
    let (dataset_bytes, table_bytes) = (encode_dataset(&dataset), encode_tables(&tables));
    assert_ne!(fingerprint_of(&dataset_bytes, &table_bytes), fingerprint_of(&table_bytes, &dataset_bytes));
}

#[test]
fn every_cut_and_every_flipped_bit_is_refused() {
    let dataset = with_vintages();
    let bytes = encode_dataset(&dataset);
    for cut in 0..bytes.len() {
        assert!(decode_dataset(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    for at in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.clone();
            flipped[at] ^= 1 << bit;
            assert!(decode_dataset(&flipped).is_err(), "bit {bit} of byte {at}");
        }
    }
    let tables = encode_tables(&FlowInputs::default());
    for cut in 0..tables.len() {
        assert!(decode_tables(&tables[..cut]).is_err(), "tables cut at {cut}");
    }
    let mut newer = bytes.clone();
    newer[4] = 2;
    assert_eq!(decode_dataset(&newer).err(), Some(CodecError::Version { found: 2 }));
    let not_a_snapshot = decode_dataset(b"observation_date,WALCL\n").expect_err("text");
    assert!(not_a_snapshot.to_string().contains("not a dataset snapshot"), "{not_a_snapshot}");
    assert!(decode_tables(&bytes).is_err(), "a dataset is not a table snapshot");
    assert!(decode_dataset(&tables).is_err(), "and the other way round");
}

#[test]
fn an_empty_dataset_and_empty_tables_round_trip() {
    let empty = Dataset::new(Catalog::builtin());
    assert!(content(&decode_dataset(&encode_dataset(&empty)).expect("decodes")).is_empty());
    assert_eq!(decode_tables(&encode_tables(&FlowInputs::default())), Ok(FlowInputs::default()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Arbitrary bytes after a valid header, and arbitrary damage to a valid snapshot: an error
    /// or a dataset, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..256),
                                   at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = b"TLDS\x01".to_vec();
        bytes.extend_from_slice(&tail);
        let _ = decode_dataset(&bytes);
        let _ = decode_tables(&bytes);
        let mut damaged = encode_dataset(&with_vintages());
        let i = at.index(damaged.len());
        damaged[i] = byte;
        let _ = decode_dataset(&damaged);
    }
}
