//! The amount and digit parser: any text, in every currency and unit, parses to a
//! non-negative amount that reads back the same from its input value, or is refused.
#![no_main]

use engine::money::{Currency, Unit, amount_input_value, parse_amount};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for currency in Currency::all() {
        for toman in [false, true] {
            let unit = Unit::for_store(currency, toman);
            if let Ok(minor) = parse_amount(text, currency, unit) {
                assert!(minor >= 0, "{text:?} gave {minor}");
                let written = amount_input_value(minor, currency, unit);
                assert_eq!(
                    parse_amount(&written, currency, unit),
                    Ok(minor),
                    "{text:?}"
                );
            }
        }
    }
});
