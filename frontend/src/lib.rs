//! The browser entry point: the back office (`app::AdminApp`) hydrates here. Customer pages
//! load no script of Leptos and never this module (docs/ARCHITECTURE.md, page weight).
// The back office's views nest deep types (the shell, its navigation and the live badge), and
// their layout is computed here, where the app is compiled for the browser.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_body(app::AdminApp);
    // Tells CSS and tests that the app is live.
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
