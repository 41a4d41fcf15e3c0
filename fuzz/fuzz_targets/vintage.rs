//! The vintage file (`vintage::parse`) and ALFRED's JSON answer (`vintage::parse_alfred`, for a
//! body that opens with `{`): rows strictly sorted by date then real-time start, no real-time start
//! before its date, finite values; first releases form a valid series with one release day each;
//! and `to_csv` writes a file that parses back to the same vintages.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tideline_core::parse::vintage::{self, Vintages};

fuzz_target!(|data: &[u8]| {
    let body = tideline_fuzz::text(data);
    let result = if body.trim_start().starts_with('{') {
        vintage::parse_alfred("alfred CPIAUCSL", &body, "CPIAUCSL")
    } else {
        vintage::parse("vintages/CPIAUCSL.csv", &body, None)
    };
    match result {
        Ok(vintages) => check_vintages(&vintages),
        Err(error) => tideline_fuzz::check_error(&error, &body),
    }
});

fn check_vintages(vintages: &Vintages) {
    let rows = vintages.rows();
    assert!(!rows.is_empty(), "vintages without rows were accepted");
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!((a.date, a.realtime_start) < (b.date, b.realtime_start), "rows not strictly sorted");
    }
    for row in rows {
        assert!(
            row.realtime_start >= row.date,
            "{}: published on {} before its date",
            row.date,
            row.realtime_start
        );
        assert!(row.value.is_finite(), "{}: a value is not finite", row.date);
    }
    let first = vintages.first_release();
    let mut distinct = rows.iter().map(|r| r.date).collect::<Vec<_>>();
    distinct.dedup();
    assert_eq!(first.series.len(), distinct.len(), "first releases lost an observation");
    tideline_fuzz::check_series(&first.series);
    assert_eq!(first.series.id, vintages.id());
    assert_eq!(first.released.len(), first.series.len());
    for (date, released) in first.series.dates().iter().zip(&first.released) {
        if let Some(released) = released {
            assert!(released >= date, "{date} released on {released}, before its date");
        }
    }
    let csv = vintages.to_csv();
    let again = vintage::parse("vintages/CPIAUCSL.csv", &csv, Some(vintages.id()))
        .unwrap_or_else(|e| panic!("to_csv wrote a file that does not parse ({e}):\n{csv}"));
    assert_eq!(&again, vintages, "vintages changed through to_csv:\n{csv}");
}
