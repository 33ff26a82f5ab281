//! The link-terms parser: any query gives canonical terms that are their own canonical form
//! (what a signature covers does not depend on how the query was written).
#![no_main]

use engine::links::canonical_terms;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|query: &[u8]| {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query).into_owned().collect();
    let terms = canonical_terms(&params);
    let again: Vec<(String, String)> = url::form_urlencoded::parse(terms.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(canonical_terms(&again), terms);
});
