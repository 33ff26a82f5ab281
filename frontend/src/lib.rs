//! The browser entry point: the back office (`app::AdminApp`) hydrates here. Customer pages
//! load no script of Leptos and never this module (docs/ARCHITECTURE.md, page weight).

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
