//! PayPal's IPN parser: any bytes are decoded by their charset or refused, never a panic.
#![no_main]

use engine::connectors::paypal::{invoice_of, parse_ipn};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = parse_ipn(body);
    let _ = invoice_of(body);
});
