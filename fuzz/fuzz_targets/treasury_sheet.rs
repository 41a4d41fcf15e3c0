//! The treasury-company sheet (`parse_treasury_sheet`): rows sorted by company then date, no
//! company and date twice, every number finite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tideline_core::model::flows::parse_treasury_sheet;

fuzz_target!(|data: &[u8]| {
    let body = tideline_fuzz::text(data);
    match parse_treasury_sheet("treasury_companies.csv", &body) {
        Ok(sheet) => {
            assert!(!sheet.rows.is_empty(), "a sheet without rows was accepted");
            for pair in sheet.rows.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                assert!(
                    (&a.company, a.date) < (&b.company, b.date),
                    "rows not strictly sorted by company and date: {} {} then {} {}",
                    a.company,
                    a.date,
                    b.company,
                    b.date
                );
            }
            for row in &sheet.rows {
                for value in [row.shares_outstanding, row.share_price, row.btc_held] {
                    assert!(
                        value.is_finite(),
                        "{} {}: a number is not finite: {value}",
                        row.company,
                        row.date
                    );
                }
            }
        }
        Err(error) => tideline_fuzz::check_error(&error, &body),
    }
});
