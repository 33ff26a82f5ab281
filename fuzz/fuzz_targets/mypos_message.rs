//! myPOS's message checks: any body is read as a form and held to the documented field lists
//! and formats, or refused, never a panic.
#![no_main]

use engine::connectors::form_fields;
use engine::connectors::mypos::{PURCHASE_NOTIFY, PURCHASE_RETURN, documented, well_formed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(fields) = form_fields(body) {
        let _ = documented(&fields, PURCHASE_NOTIFY);
        let _ = documented(&fields, PURCHASE_RETURN);
        let _ = well_formed(&fields);
    }
});
