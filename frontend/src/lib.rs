//! The browser entry point. Kassa's pages are server components with no island (their few
//! interactive touches are the shell's plain script), so there is nothing to hydrate: Leptos'
//! islands loader, which also starts the islands router, still imports this module and calls
//! `hydrate`. Keeping it free of Leptos keeps the wasm at a few hundred bytes instead of the
//! reactive runtime (docs/ARCHITECTURE.md, page weight).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Tells CSS and tests that the page's script is live.
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
