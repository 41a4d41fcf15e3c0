//! The saved binary form of a series: what is read back is what was loaded, on a real fixture and
//! on arbitrary series; a copy saved under another id or outside the plausible range is refused.

use proptest::prelude::*;
use tideline_core::catalog::Catalog;
use tideline_core::codec::{decode, encode, CodecError};
use tideline_core::dataset::{Dataset, LoadError, LoadedSeries};
use tideline_core::parse::Format;
use tideline_core::{Date, Series};

const WALCL: &str = include_str!("../../../tests/fixtures/data/WALCL.csv");

#[test]
fn a_saved_fixture_reads_back_identical_without_parsing() {
    let mut parsed = Dataset::new(Catalog::builtin());
    let loaded = parsed.load_body("WALCL", Format::Fred, "data/WALCL.csv", WALCL).expect("fixture").clone();
    let bytes = encode("WALCL", &loaded);
    assert!(bytes.len() < WALCL.len(), "{} bytes saved for {} of text", bytes.len(), WALCL.len());
    let mut restored = Dataset::new(Catalog::builtin());
    assert_eq!(restored.load_saved("WALCL", &bytes).expect("saved"), &loaded);

    let wrong_id = restored.load_saved("WDTGAL", &bytes).expect_err("saved as WALCL");
    assert!(matches!(wrong_id, LoadError::Saved { error: CodecError::Invalid { field: "the id", .. }, .. }));
    assert!(restored.get("WDTGAL").is_none(), "nothing loaded on error");

    // The catalog's plausible range applies to saved copies too (WALCL in billions of USD).
    let huge = Series::new("WALCL", vec![Date::from_days(19_000)], vec![1.0e12]).expect("one row");
    let implausible = LoadedSeries { series: huge, ..loaded };
    let error = restored.load_saved("WALCL", &encode("WALCL", &implausible)).expect_err("out of range");
    assert!(error.to_string().contains("observation dated"), "{error}");
}

proptest! {
    #[test]
    fn any_series_round_trips(
        start in -40_000i32..40_000,
        rows in proptest::collection::vec((1i32..400, -1.0e12f64..1.0e12), 0..300),
        units in "[a-zA-Z %()]{0,20}",
        source in "[a-z/._:-]{0,40}",
    ) {
        let mut day = start;
        let (mut dates, mut values) = (Vec::new(), Vec::new());
        for (gap, value) in rows {
            day += gap;
            dates.push(Date::from_days(day));
            values.push(value);
        }
        let loaded = LoadedSeries {
            series: Series::new("X", dates, values).expect("ascending, finite"),
            native_units: units,
            source,
        };
        prop_assert_eq!(decode(&encode("X", &loaded)), Ok(("X".to_string(), loaded)));
    }

    #[test]
    fn any_bytes_give_a_value_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut with_header = b"TLSB\x01".to_vec();
        with_header.extend_from_slice(&bytes);
        let _ = decode(&bytes);
        let _ = decode(&with_header);
    }
}
