//! The user CSV (any delimited export) parser: any body gives a valid series or a well-placed error, and format
//! detection never panics on it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tideline_core::parse::{self, Format};

fuzz_target!(|data: &[u8]| {
    let body = tideline_fuzz::text(data);
    let result = parse::parse(Format::Csv, "upload.csv", &body, None);
    tideline_fuzz::check_result(&result, &body);
    if let Err(error) = parse::detect("upload.csv", &body) {
        tideline_fuzz::check_error(&error, &body);
    }
});
