//! The browser entry point: the back office (`app::AdminApp`) hydrates here. Customer pages
//! load no script of Leptos and never this module (docs/ARCHITECTURE.md, page weight).
// The back office's views nest deep types (the shell, its navigation and the live badge), and
// their layout is computed here, where the app is compiled for the browser.
#![recursion_limit = "256"]

/// Hydrates asynchronously: the page on the screen is a lazy route (`app::admin::Pages`), whose
/// code chunk must be fetched before its view can take over the server's HTML.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    wasm_bindgen_futures::spawn_local(async {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(body) = document.body() else {
            return;
        };
        app::texts::read_page(&document);
        leptos::mount::hydrate_from_async(body, app::AdminApp)
            .await
            .forget();
        // Tells CSS and tests that the app is live.
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
}
