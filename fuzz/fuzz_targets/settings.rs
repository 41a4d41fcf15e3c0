//! The URL settings (`Settings::from_query`): parsing never fails, and what it reads prints to a
//! query that reads back to the very same settings without a notice and prints the same again
//! (parse(print(parse(x))) == parse(x)), so that a copied link always reproduces the view.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tideline_core::report::ModelConfig;
use tideline_core::settings::Settings;

fuzz_target!(|data: &[u8]| {
    let query = tideline_fuzz::text(data);
    let (settings, notices) = Settings::from_query(&query);
    for notice in &notices {
        let _ = notice.to_string();
    }
    let printed = settings.to_query();
    let (again, notices) = Settings::from_query(&printed);
    assert!(notices.is_empty(), "the printed query {printed:?} has notices: {notices:?}");
    assert_eq!(again, settings, "settings changed through the query {printed:?}");
    assert_eq!(again.to_query(), printed, "printing is not stable");
    let model_part = settings.model_part();
    assert_eq!(Settings::from_query(&model_part.to_query()).0, model_part);
    let _ = settings.model_config(&ModelConfig::default());
});
