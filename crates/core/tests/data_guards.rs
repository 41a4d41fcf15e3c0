//! The guards between a fetched body and the figures: an observation dated in the future is
//! refused ([`dataset::check_not_future`]), and a mirror file must be the one the manifest
//! describes ([`ManifestEntry::verify_body`], [`ManifestEntry::verify_parsed`]).

use tideline_core::dataset::{self, LoadError, FUTURE_MARGIN_DAYS};
use tideline_core::manifest::{sha256_hex, ManifestEntry, ManifestMismatch};
use tideline_core::{Date, Series};

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("date")
}

fn series(last: &str) -> Series {
    Series::from_pairs("WALCL", &[(d("2024-01-03"), 7_700.0), (d(last), 7_690.0)]).expect("ascending")
}

#[test]
fn an_observation_after_today_plus_the_margin_is_refused() {
    let today = d("2026-12-02");
    let edge = today.add_days(FUTURE_MARGIN_DAYS);
    assert_eq!(
        dataset::check_not_future("WALCL", "data/WALCL.csv", &series(&edge.to_string()), today),
        Ok(())
    );
    let late = edge.add_days(1);
    let err = dataset::check_not_future("WALCL", "data/WALCL.csv", &series(&late.to_string()), today)
        .expect_err("a day past the margin");
    assert!(matches!(err, LoadError::FutureDate { date, .. } if date == late), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("data/WALCL.csv: ") && text.contains("2026-12-06") && text.contains("2026-12-02"),
        "{text}"
    );
}

fn entry(body: &str, rows: usize, last: &str) -> ManifestEntry {
    ManifestEntry {
        id: "WALCL".into(),
        source: None,
        fetched_at: 0,
        rows,
        first: None,
        last: Date::parse_iso(last),
        native_units: None,
        sha256: Some(sha256_hex(body.as_bytes())),
        error: None,
    }
}

#[test]
fn the_manifest_digest_is_the_sha256_the_mirror_writes() {
    // The sha256 of "abc" (FIPS 180-2, appendix B.1).
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#[test]
fn a_file_that_is_not_the_one_the_manifest_describes_is_refused() {
    let body = "observation_date,WALCL\n2024-01-03,7700000\n2024-01-10,7680000\n";
    let e = entry(body, 2, "2024-01-10");
    assert_eq!(e.verify_body("data/WALCL.csv", body.as_bytes()), Ok(()));
    // Upper-case hex in a hand-edited manifest is the same digest.
    let upper = ManifestEntry { sha256: e.sha256.as_ref().map(|s| s.to_uppercase()), ..e.clone() };
    assert_eq!(upper.verify_body("data/WALCL.csv", body.as_bytes()), Ok(()));
    // A digest computed elsewhere (the browser's) is checked the same way.
    assert_eq!(e.verify_digest("data/WALCL.csv", &sha256_hex(body.as_bytes()).to_uppercase()), Ok(()));
    assert!(e.verify_digest("data/WALCL.csv", &sha256_hex(b"other")).is_err());
    // Cut inside its last line: 7,680,000 becomes 768,000, a plausible value; only the digest tells.
    let cut = &body[..body.len() - 2];
    match e.verify_body("data/WALCL.csv", cut.as_bytes()) {
        Err(ManifestMismatch::Sha256 { file, want, got }) => {
            assert_eq!((file.as_str(), want.as_str()), ("data/WALCL.csv", e.sha256.as_deref().unwrap_or("")));
            assert_eq!(got, sha256_hex(cut.as_bytes()));
        }
        other => panic!("expected a digest mismatch, got {other:?}"),
    }
    assert_eq!(e.verify_parsed("f", 2, Date::parse_iso("2024-01-10")), Ok(()));
    assert!(matches!(
        e.verify_parsed("f", 1, Date::parse_iso("2024-01-10")),
        Err(ManifestMismatch::Rows { want: 2, got: 1, .. })
    ));
    assert!(matches!(
        e.verify_parsed("f", 2, Date::parse_iso("2024-01-03")),
        Err(ManifestMismatch::Last { .. })
    ));
    assert!(e.verify_parsed("f", 2, None).expect_err("no last date").to_string().contains("none"));
    // An entry without a digest or a count (a series that failed, kept from an earlier run)
    // checks what it has.
    let bare = ManifestEntry { sha256: None, rows: 0, last: None, ..e };
    assert_eq!(bare.verify_body("f", b"anything"), Ok(()));
    assert_eq!(bare.verify_parsed("f", 7, None), Ok(()));
}
