//! Browser tests of the data layer (wasm-bindgen-test in headless Chromium): the IndexedDB cache,
//! the loader's "keep the last good copy" rule, and the upload checks.
//!
//! Run by `scripts/test.sh` as
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p tideline-app --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use tideline_app::components::upload::{validate_upload_body, UploadPanel};
use tideline_app::feeds::cache::{self, Cache, CachedFeed, SavedCopy, StoredUpload};
use tideline_app::feeds::loader::{self, offer, Fetched, LoadOptions, Verdict};
use tideline_app::feeds::Origin;
use tideline_core::catalog::{Catalog, Role};
use tideline_core::manifest::{sha256_hex, ManifestEntry};
use tideline_core::parse::Format;
use tideline_core::Date;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GOOD: &str = "observation_date,WALCL\n2024-01-03,7700000\n2024-01-10,7690000\n";
const NEWER: &str = "observation_date,WALCL\n2024-01-03,7700000\n2024-01-10,7690000\n2024-01-17,7680000\n";
const OLDER: &str = "observation_date,WALCL\n2024-01-03,7700000\n";
const HTML: &str =
    "<!DOCTYPE html>\n<html><head><title>429 Too Many Requests</title></head><body>Slow down</body></html>\n";
const GARBAGE: &str = "observation_date,WALCL\n2024-01-03,7700000\n2024-01-10,#REF!\n";

/// A fresh, empty database for one test.
async fn fresh(name: &str) -> Cache {
    cache::delete_database(name).await.expect("delete the test database");
    Cache::open_named(name).await.expect("IndexedDB is available in headless Chromium")
}

/// The binary copy the loader saves for a FRED body of WALCL.
fn saved(body: &str) -> SavedCopy {
    let catalog = Catalog::builtin();
    let good = loader::validate(&catalog, "WALCL", mirror(body)).expect("a valid body");
    good.to_cached("WALCL").saved
}

fn mirror(body: &str) -> Fetched {
    Fetched {
        source: "data/WALCL.csv".into(),
        origin: Origin::Mirror,
        format: None,
        body: body.into(),
        fetched_at_ms: 1_704_900_000_000.0,
    }
}

#[wasm_bindgen_test]
async fn indexed_db_put_get_list_delete_round_trip() {
    let cache = fresh("tideline-test-round-trip").await;
    let feed = CachedFeed {
        id: "WALCL".into(),
        source: "data/WALCL.csv".into(),
        format: Format::Fred,
        saved: saved(GOOD),
        fetched_at_ms: 1_704_900_000_000.0,
        last_date: Date::parse_iso("2024-01-10"),
    };
    assert_eq!(cache.get::<CachedFeed>("WALCL").await, Ok(None));
    cache.put(&feed).await.expect("put");
    assert_eq!(cache.get::<CachedFeed>("WALCL").await, Ok(Some(feed.clone())));
    assert_eq!(cache.list::<CachedFeed>().await, Ok(vec![feed.clone()]));

    let upload = StoredUpload {
        name: "Alt index".into(),
        role: Role::RiskAppetite,
        table: None,
        file_name: "alts.csv".into(),
        body: "date,close\n2024-01-01,1.5\n".into(),
        added_at_ms: 1_704_900_000_001.0,
    };
    cache.put(&upload).await.expect("put upload");
    assert_eq!(cache.get::<StoredUpload>("Alt index").await, Ok(Some(upload.clone())));

    cache.delete::<CachedFeed>("WALCL").await.expect("delete");
    assert_eq!(cache.get::<CachedFeed>("WALCL").await, Ok(None));
    assert_eq!(cache.list::<StoredUpload>().await, Ok(vec![upload]), "the other store is untouched");
    cache.delete::<StoredUpload>("no such name").await.expect("deleting nothing is fine");
    cache.close();
}

#[wasm_bindgen_test]
async fn a_bad_body_never_replaces_the_last_good_copy() {
    let cache = fresh("tideline-test-last-good").await;
    let catalog = Catalog::builtin();
    let mut current = None;

    let verdict = offer(Some(&cache), &catalog, "WALCL", &mut current, mirror(GOOD), None).await;
    assert_eq!(verdict, Verdict::Replaced { cache_error: None });
    let stored = |c: Cache| async move { c.get::<CachedFeed>("WALCL").await.expect("get").expect("stored") };
    assert_eq!(stored(cache.clone()).await.saved, saved(GOOD));

    // An HTML rate-limit page, a file with a broken cell, and an older file: none replaces it.
    for (bad, expected) in [(HTML, "HTML"), (GARBAGE, "line 3")] {
        match offer(Some(&cache), &catalog, "WALCL", &mut current, mirror(bad), None).await {
            Verdict::Rejected { error } => assert!(error.contains(expected), "{error}"),
            other => panic!("expected a rejection, got {other:?}"),
        }
        assert_eq!(stored(cache.clone()).await.saved, saved(GOOD));
        assert_eq!(current.as_ref().map(|g| g.loaded.series.len()), Some(2));
    }
    let verdict = offer(Some(&cache), &catalog, "WALCL", &mut current, mirror(OLDER), None).await;
    assert!(matches!(verdict, Verdict::Kept { .. }), "{verdict:?}");
    assert_eq!(stored(cache.clone()).await.saved, saved(GOOD));

    // A newer valid body does replace it, with its last observation date.
    let verdict = offer(Some(&cache), &catalog, "WALCL", &mut current, mirror(NEWER), None).await;
    assert_eq!(verdict, Verdict::Replaced { cache_error: None });
    let record = stored(cache.clone()).await;
    assert_eq!((record.saved, record.last_date), (saved(NEWER), Date::parse_iso("2024-01-17")));
    cache.close();
}

/// The manifest entry `tideline mirror` writes for `body` (its sha256, rows and last date).
fn entry_for(body: &str, rows: usize, last: &str) -> ManifestEntry {
    ManifestEntry {
        id: "WALCL".into(),
        source: Some("fred".into()),
        fetched_at: 0,
        rows,
        first: Date::parse_iso("2024-01-03"),
        last: Date::parse_iso(last),
        native_units: Some("millions of USD".into()),
        sha256: Some(sha256_hex(body.as_bytes())),
        error: None,
    }
}

#[wasm_bindgen_test]
async fn a_mirror_file_must_be_the_one_the_manifest_describes() {
    let cache = fresh("tideline-test-manifest").await;
    let catalog = Catalog::builtin();
    let mut current = None;
    let verdict = offer(
        Some(&cache),
        &catalog,
        "WALCL",
        &mut current,
        mirror(GOOD),
        Some(&entry_for(GOOD, 2, "2024-01-10")),
    )
    .await;
    assert_eq!(verdict, Verdict::Replaced { cache_error: None });

    // The newer file cut inside its last line still parses (7,680,000 read as 768,000, within the
    // plausible range) but is not the file the manifest describes.
    let cut = &NEWER[..NEWER.len() - 2];
    assert!(loader::validate(&catalog, "WALCL", mirror(cut)).is_ok(), "the cut body parses on its own");
    match offer(
        Some(&cache),
        &catalog,
        "WALCL",
        &mut current,
        mirror(cut),
        Some(&entry_for(NEWER, 3, "2024-01-17")),
    )
    .await
    {
        Verdict::Rejected { error } => {
            assert!(error.contains("sha256") && error.contains("data/WALCL.csv"), "{error}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    // A manifest whose sha256 matches but whose row count does not (written by hand, or by another
    // version) is refused too.
    match offer(
        Some(&cache),
        &catalog,
        "WALCL",
        &mut current,
        mirror(NEWER),
        Some(&entry_for(NEWER, 4, "2024-01-17")),
    )
    .await
    {
        Verdict::Rejected { error } => {
            assert!(error.contains("3 observations") && error.contains("4"), "{error}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(current.as_ref().map(|g| g.loaded.series.len()), Some(2), "the last good copy stays");

    // A body with a row cut out of the middle, over the same span, never replaces a longer one.
    let holey = "observation_date,WALCL\n2024-01-03,7700000\n2024-01-17,7680000\n";
    let mut longer = Some(loader::validate(&catalog, "WALCL", mirror(NEWER)).expect("valid"));
    let verdict = offer(None, &catalog, "WALCL", &mut longer, mirror(holey), None).await;
    assert!(matches!(verdict, Verdict::Kept { .. }), "{verdict:?}");

    // An observation dated far in the future is refused: kept, it would block every newer file.
    let future = "observation_date,WALCL\n2024-01-03,7700000\n2099-01-07,7680000\n";
    match offer(Some(&cache), &catalog, "WALCL", &mut current, mirror(future), None).await {
        Verdict::Rejected { error } => {
            assert!(error.contains("2099-01-07") && error.contains("after today"), "{error}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    cache.close();
}

#[wasm_bindgen_test]
async fn the_cached_copy_is_shown_at_once_and_a_missing_mirror_is_reported() {
    // `load_cached` reads the page's own database, `tideline`.
    let cache = Cache::open().await.expect("IndexedDB");
    let feed = CachedFeed {
        id: "WALCL".into(),
        source: "data/WALCL.csv".into(),
        format: Format::Fred,
        saved: saved(GOOD),
        fetched_at_ms: 1_704_900_000_000.0,
        last_date: Date::parse_iso("2024-01-10"),
    };
    cache.put(&feed).await.expect("put");
    let options = LoadOptions {
        data_dir: "no-such-folder".into(),
        as_of: Date::parse_iso("2024-01-12"),
        ..LoadOptions::default()
    };
    let shown = loader::load_cached(&["WALCL", "WDTGAL"], &options).await;
    assert_eq!(shown.dataset.get("WALCL").map(|s| s.len()), Some(2));
    let walcl = shown.status("WALCL").expect("a row");
    assert_eq!((walcl.origin, walcl.stale, walcl.rows), (Some(Origin::Cache), false, 2));
    assert!(shown.status("WDTGAL").and_then(|s| s.error.clone()).is_some(), "no saved copy of WDTGAL");

    // The mirror folder is missing: the cached copy stays, and the row says what failed.
    let loaded = loader::load_series(&["WALCL"], &options).await;
    assert_eq!(loaded.dataset.get("WALCL").map(|s| s.len()), Some(2));
    let walcl = loaded.status("WALCL").expect("a row");
    assert_eq!(walcl.origin, Some(Origin::Cache));
    assert!(walcl.warnings.iter().any(|w| w.contains("no-such-folder/WALCL.csv")), "{:?}", walcl.warnings);
    assert_eq!(cache.get::<CachedFeed>("WALCL").await, Ok(Some(feed)), "the cache is untouched");

    // Staleness is the core's rule: weekly, lag 2, so stale after 16 days.
    let late = LoadOptions { as_of: Date::parse_iso("2024-02-01"), ..options };
    assert!(loader::load_cached(&["WALCL"], &late).await.status("WALCL").is_some_and(|s| s.stale));
    cache.delete::<CachedFeed>("WALCL").await.expect("clean up");
}

#[wasm_bindgen_test]
fn upload_validation_names_the_bad_line() {
    let error = validate_upload_body("mine.csv", "date,close\n2024-01-01,1.5\n2024-01-02,abc\n", None)
        .expect_err("a non-numeric value is refused");
    assert!(error.contains("line 3"), "{error}");
    assert!(validate_upload_body("page.csv", HTML, None).expect_err("html").contains("HTML"));
}

#[wasm_bindgen_test]
fn upload_panel_lists_uploads_as_text_only() {
    let document = web_sys::window().and_then(|w| w.document()).expect("document");
    let parent: web_sys::HtmlElement = document.create_element("div").expect("div").unchecked_into();
    document.body().expect("body").append_child(&parent).expect("append");
    let upload = StoredUpload {
        name: "<b>bold</b>".into(),
        role: Role::Asset,
        table: None,
        file_name: "<img src=x onerror=alert(1)>.csv".into(),
        body: "date,close\n2024-01-01,1.5\n".into(),
        added_at_ms: 1_704_900_000_000.0,
    };
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        let uploads = RwSignal::new(vec![upload.clone()]);
        view! { <UploadPanel uploads=uploads /> }
    });
    let text = parent.text_content().unwrap_or_default();
    assert!(text.contains("<b>bold</b>") && text.contains("<img src=x"), "{text}");
    assert!(parent.query_selector("li b").expect("query").is_none(), "no markup from the upload");
    assert!(parent.query_selector("li img").expect("query").is_none(), "no markup from the upload");
    let input = parent.query_selector("input[type=file]").expect("query").expect("a file input");
    assert_eq!(input.get_attribute("accept").as_deref(), Some(".csv,text/csv"));
    let label = parent.query_selector("label[for=upload-file]").expect("query");
    assert!(label.is_some(), "the file input is labelled");
    let remove = parent.query_selector("li button").expect("query").expect("a remove button");
    assert_eq!(remove.get_attribute("aria-label").as_deref(), Some("Remove <b>bold</b>"));
    drop(handle);
}

#[wasm_bindgen_test]
async fn a_saved_series_is_read_back_without_its_text_and_old_text_copies_still_load() {
    let cache = fresh("tideline-test-binary").await;
    let catalog = Catalog::builtin();
    let binary = CachedFeed {
        id: "WALCL".into(),
        source: "data/WALCL.csv".into(),
        format: Format::Fred,
        saved: saved(NEWER),
        fetched_at_ms: 1_704_900_000_000.0,
        last_date: Date::parse_iso("2024-01-17"),
    };
    cache.put(&binary).await.expect("put");
    let read = cache.get::<CachedFeed>("WALCL").await.expect("get").expect("stored");
    assert!(matches!(read.saved, SavedCopy::Series(_)), "stored as bytes, not text");
    let restored = loader::restore(&catalog, "WALCL", read).expect("decoded");
    let parsed = loader::validate(&catalog, "WALCL", mirror(NEWER)).expect("valid");
    assert_eq!(restored.loaded, parsed.loaded, "the same series as parsing the body");
    assert_eq!(restored.origin, Origin::Cache);

    // A record written before the binary form (the body as text) still loads.
    let legacy = CachedFeed { saved: SavedCopy::Body(GOOD.into()), ..binary.clone() };
    cache.put(&legacy).await.expect("put legacy");
    let read = cache.get::<CachedFeed>("WALCL").await.expect("get").expect("stored");
    assert_eq!(read.saved, SavedCopy::Body(GOOD.into()));
    assert_eq!(loader::restore(&catalog, "WALCL", read).expect("parsed").loaded.series.len(), 2);

    // Damaged bytes are refused with a message, never a panic.
    let SavedCopy::Series(mut bytes) = saved(NEWER) else { unreachable!("binary") };
    bytes.truncate(bytes.len() - 3);
    let damaged = CachedFeed { saved: SavedCopy::Series(bytes), ..binary };
    let error = loader::restore(&catalog, "WALCL", damaged).expect_err("cut short");
    assert!(error.contains("saved copy is unreadable"), "{error}");
    cache.close();
}

/// The bad-input corpus of `tests/fixtures/bad/` (its `expected.json` lists each file with where
/// its error is and what it is; `tideline check` runs the same list in `crates/cli/tests/check.rs`).
macro_rules! corpus {
    ($($file:literal),* $(,)?) => { &[$(($file, include_str!(concat!("fixtures/bad/", $file)))),*] };
}
const CORPUS: &[(&str, &str)] = corpus!(
    "non_numeric.csv",
    "html_page.csv",
    "cut_in_date.csv",
    "not_ascending.csv",
    "duplicate_date.csv",
    "impossible_date.csv",
    "extra_column.csv",
    "empty.csv",
    "header_only.csv",
    "infinite.csv",
    "markup_cell.csv",
    "cut_coingecko.json",
);

#[wasm_bindgen_test]
async fn every_bad_input_is_refused_by_the_loader_and_the_upload_with_its_position() {
    let expected: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/bad/expected.json")).expect("expected.json");
    let cases = expected.as_array().expect("a list");
    assert_eq!(cases.len(), CORPUS.len(), "every corpus file is listed once");
    let catalog = Catalog::builtin();
    for case in cases {
        let file = case["file"].as_str().expect("file");
        let body = CORPUS.iter().find(|(f, _)| *f == file).map(|(_, b)| *b).expect("in CORPUS");
        let field = |k: &str| case[k].as_str().or_else(|| case[k.trim_start_matches("upload_")].as_str());
        let (at, kind) = (field("at").expect("at"), field("kind").expect("kind"));
        // The page's loader, with a good copy in hand: refused, the copy kept.
        let mut current = Some(loader::validate(&catalog, "WALCL", mirror(GOOD)).expect("valid"));
        let fetched = Fetched { source: format!("data/{file}"), ..mirror(body) };
        match offer(None, &catalog, "WALCL", &mut current, fetched, None).await {
            Verdict::Rejected { error } => {
                assert!(
                    error.starts_with(&format!("data/{file}: {at}: ")) && error.contains(kind),
                    "{file}: {error}"
                )
            }
            other => panic!("{file}: expected a rejection, got {other:?}"),
        }
        assert_eq!(current.as_ref().map(|g| g.loaded.series.len()), Some(2), "{file}: the good copy stays");
        // The upload: refused with its position too (the user-CSV parser may word it its own way).
        let (at, kind) = (field("upload_at").expect("at"), field("upload_kind").expect("kind"));
        let error = validate_upload_body(file, body, None).expect_err(file);
        assert!(
            error.starts_with(&format!("{file}: {at}: ")) && error.contains(kind),
            "{file} upload: {error}"
        );
    }
}

#[wasm_bindgen_test]
async fn the_browsers_digest_is_the_cores() {
    // The page checks mirror files with `crypto.subtle` (native, off the main thread's clock);
    // it must be the digest the mirror wrote with the core's sha256.
    for body in ["", "observation_date,WALCL\n2024-01-03,7700000\n", &"é,1\n".repeat(50_000)] {
        assert_eq!(tideline_app::feeds::sha256_hex(body).await, sha256_hex(body.as_bytes()));
    }
}
