//! The mobile parser: any text is refused or gives an E.164 number that normalizes to itself.
#![no_main]

use engine::mobile::normalize_mobile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(mobile) = normalize_mobile(text) {
        assert!(mobile.starts_with('+'), "{text:?} gave {mobile}");
        assert_eq!(normalize_mobile(&mobile).as_deref(), Ok(mobile.as_str()));
    }
});
