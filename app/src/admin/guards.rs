//! Guards against losing work in the browser: a button carrying `data-confirm` (what cannot be
//! undone: rejecting a slip, removing the logo) asks before its form is sent, and a form with
//! changes not yet saved asks before the page is left, by a link, the router or closing the
//! tab. Listeners on the window, installed once, in the capture phase so that they run before
//! the router's. The questions come from the page, in its language (`data-confirm`, and the
//! shell's `data-leave`, which the language bar's links heed too). Without JavaScript the
//! forms post as they are.

/// Installs the listeners, once per app.
#[cfg(feature = "hydrate")]
pub(super) fn install() {
    use std::cell::Cell;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    /// The attribute of a button that asks before its form is sent: the question.
    const CONFIRM: &str = "data-confirm";
    /// The attribute of the shell with the question asked before unsaved changes are left.
    const LEAVE: &str = "data-leave";
    thread_local! {
        static INSTALLED: Cell<bool> = const { Cell::new(false) };
        /// A form was changed and not sent since.
        static UNSAVED: Cell<bool> = const { Cell::new(false) };
    }
    if INSTALLED.replace(true) {
        return;
    }
    let window = leptos::prelude::window();
    let on = |kind: &str, listener: Closure<dyn Fn(web_sys::Event)>| {
        let _ = window.add_event_listener_with_callback_and_bool(
            kind,
            listener.as_ref().unchecked_ref(),
            true,
        );
        listener.forget();
    };
    let element = |event: &web_sys::Event| {
        event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    };
    let ask = |question: &str| {
        leptos::prelude::window()
            .confirm_with_message(question)
            .unwrap_or(true)
    };
    let refuse = |event: &web_sys::Event| {
        event.prevent_default();
        event.stop_immediate_propagation();
    };
    // A change to a form that posts (the report's filter is a GET form: nothing to lose).
    on(
        "input",
        Closure::new(move |event: web_sys::Event| {
            let form = element(&event).and_then(|e| e.closest("form").ok().flatten());
            if form.is_some_and(|f| f.get_attribute("method").as_deref() != Some("get")) {
                UNSAVED.set(true);
            }
        }),
    );
    on(
        "submit",
        Closure::new(move |_: web_sys::Event| UNSAVED.set(false)),
    );
    // The back button cannot be refused; its page is gone with the form.
    on(
        "popstate",
        Closure::new(move |_: web_sys::Event| UNSAVED.set(false)),
    );
    on(
        "click",
        Closure::new(move |event: web_sys::Event| {
            let Some(target) = element(&event) else {
                return;
            };
            let confirm = target.closest(&format!("button[{CONFIRM}]")).ok().flatten();
            if let Some(question) = confirm.and_then(|b| b.get_attribute(CONFIRM)) {
                if !ask(&question) {
                    refuse(&event);
                }
                return;
            }
            let link = target.closest("a[href]").ok().flatten();
            let question = leptos::prelude::document()
                .query_selector(&format!("[{LEAVE}]"))
                .ok()
                .flatten()
                .and_then(|shell| shell.get_attribute(LEAVE));
            if let (Some(_), Some(question), true) = (link, question, UNSAVED.get()) {
                if ask(&question) {
                    UNSAVED.set(false);
                } else {
                    refuse(&event);
                }
            }
        }),
    );
    // Closing the tab or loading another page: the browser asks, in its own words.
    on(
        "beforeunload",
        Closure::new(move |event: web_sys::Event| {
            if UNSAVED.get() {
                event.prevent_default();
            }
        }),
    );
}
