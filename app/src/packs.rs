//! The back office's wasm modules are fetched a page's worth at a time, as one "pack"
//! (`server::packs` serves them and changes the loader to ask for them): each page's head
//! preloads its page's pack instead of each of its modules.

use leptos::prelude::*;

/// The address of the pack of `modules` (file names without `.wasm`: the modules sorted,
/// joined by `+`), relative to the `pkg` folder and without `.wasm`, as the loader asks for it.
pub fn pack_name(modules: &[String]) -> String {
    let mut names: Vec<&str> = modules.iter().map(String::as_str).collect();
    names.sort_unstable();
    format!("pack/{}", names.join("+"))
}

/// Replaces each page's list of modules that `HydrationScripts` read from the split manifest
/// (the head's preloads) with its pack. Must come after `HydrationScripts` in the head.
#[component]
pub fn PreloadPacks() -> impl IntoView {
    if let Some(manifest) = use_context::<leptos::WasmSplitManifest>() {
        let packed = manifest.0.with_value(|(pkg, pages, loader)| {
            let pages = pages
                .iter()
                .map(|(page, modules)| (page.clone(), vec![pack_name(modules)]))
                .collect();
            (pkg.clone(), pages, loader.clone())
        });
        provide_context(leptos::WasmSplitManifest(ArcStoredValue::new(packed)));
    }
}
