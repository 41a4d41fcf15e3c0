//! The mirror's `manifest.json` (`Manifest::from_json`): a manifest that reads writes back to
//! JSON that reads as the same manifest, and its queries do not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tideline_core::manifest::Manifest;

fuzz_target!(|data: &[u8]| {
    let body = tideline_fuzz::text(data);
    let Ok(manifest) = Manifest::from_json(&body) else { return };
    let written = serde_json::to_string(&manifest).expect("a manifest always serialises");
    let again = Manifest::from_json(&written).expect("a written manifest reads back");
    assert_eq!(again, manifest, "the manifest changed through JSON: {written}");
    let _ = manifest.available_ids();
    let _ = manifest.available_vintage_ids();
});
