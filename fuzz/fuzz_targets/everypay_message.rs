//! EveryPay's callback and credentials readers: any input names a payment or not, never a
//! panic.
#![no_main]

use engine::connectors::everypay::basic_credentials;
use engine::connectors::notified_payment;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = notified_payment("everypay", body);
    if let Ok(header) = std::str::from_utf8(body) {
        let _ = basic_credentials(header);
    }
});
