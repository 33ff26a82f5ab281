//! Live news in the back office: while a signed-in page is open, the browser listens to
//! `EVENTS_PATH` (server-sent events, `engine::activity`): the count of bank slips waiting
//! (the navigation's badge) and a word each time one of the store's payments moves, on which
//! the overview and the payments list read their data again. A page whose form or table has
//! the keyboard's focus is read again only once the focus leaves it, so nobody loses what they
//! were typing or their place. Without JavaScript the badge is as the page was rendered.

use leptos::prelude::*;

use crate::i18n::*;

/// The stream of news (`text/event-stream`), for the signed-in merchant's store.
pub const EVENTS_PATH: &str = "/admin/events";
/// The event with the count of bank slips waiting, sent first and after every move.
pub const SLIPS: &str = "slips";
/// The event of a move (its data is the count of bank slips waiting too).
pub const MOVED: &str = "moved";

/// What the news said last, for every page of the app.
#[derive(Clone, Copy)]
pub(super) struct Live {
    /// Bank slips waiting, once the stream has said.
    slips: RwSignal<Option<i64>>,
    /// What the live region reads out.
    said: RwSignal<String>,
}

impl Live {
    pub(super) fn provide() -> Live {
        let live = Live {
            slips: RwSignal::new(None),
            said: RwSignal::new(String::new()),
        };
        provide_context(live);
        live
    }
}

/// The live region that reads the news out (once, outside the pages).
#[component]
pub(super) fn Announcer() -> impl IntoView {
    let said = use_context::<Live>().map(|live| live.said);
    view! {
        <p class="visually-hidden" role="status" aria-live="polite">
            {move || said.map(|s| s.get()).unwrap_or_default()}
        </p>
    }
}

/// The count of bank slips waiting, beside the navigation's payments link: as the page was
/// rendered, then as the news says.
#[component]
pub(super) fn SlipsBadge(rendered: i64) -> impl IntoView {
    let i18n = use_i18n();
    let slips = use_context::<Live>().map(|live| live.slips);
    let count = move || slips.and_then(|s| s.get()).unwrap_or(rendered);
    view! {
        <Show when=move || { count() > 0 }>
            <span class="count" aria-hidden="true" data-testid="slips-badge">{count}</span>
            <span class="visually-hidden">
                {move || format!(" {}", text!(i18n.get_locale(), slips_waiting_badge, count = count()))}
            </span>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The open stream, once per app.
    static SOURCE: std::cell::RefCell<Option<web_sys::EventSource>> = const { std::cell::RefCell::new(None) };
    /// News came while the page was in use: read it again once the focus leaves.
    static PENDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The focus is watched (once per app, whatever the stream's restarts).
    static WATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the page at `path` lists payments, and is read again on news.
#[cfg(feature = "hydrate")]
fn shows_news(path: &str) -> bool {
    path == "/admin" || path == super::payments::PATH
}

/// Opens the stream once per app (later calls do nothing while it is open). `reload` reads
/// the page's data again (`super::Reload`).
#[cfg(feature = "hydrate")]
pub(super) fn listen(reload: RwSignal<u64>) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let Some(live) = use_context::<Live>() else {
        return;
    };
    if SOURCE.with(|s| s.borrow().is_some()) {
        return;
    }
    let Ok(source) = web_sys::EventSource::new(EVENTS_PATH) else {
        return;
    };
    // Another store's count (a log-out, then a log-in to another) is not this one's.
    live.slips.set(None);
    let i18n = use_i18n();
    // Reads the page again, if it still is one that shows news and nobody is using it.
    let refresh = move |focused: Option<web_sys::Element>| {
        if !shows_news(&window().location().pathname().unwrap_or_default()) {
            PENDING.set(false);
        } else if in_use(focused) {
            PENDING.set(true);
        } else {
            PENDING.set(false);
            reload.update(|n| *n += 1);
            let said = text!(i18n.get_locale_untracked(), live_payments_updated);
            live.said.set(said.to_string());
        }
    };
    let on_news =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |news: web_sys::MessageEvent| {
            if let Some(slips) = news.data().as_string().and_then(|d| d.trim().parse().ok()) {
                live.slips.set(Some(slips));
            }
            if news.type_() == MOVED {
                refresh(document().active_element());
            }
        });
    for kind in [SLIPS, MOVED] {
        let _ = source.add_event_listener_with_callback(kind, on_news.as_ref().unchecked_ref());
    }
    on_news.forget();
    SOURCE.with(|s| *s.borrow_mut() = Some(source));
    if WATCHING.replace(true) {
        return;
    }
    // Focus leaving the page's card (to the navigation, or nowhere) lets pending news in.
    let on_focus_out =
        Closure::<dyn Fn(web_sys::FocusEvent)>::new(move |moved: web_sys::FocusEvent| {
            if PENDING.get() {
                refresh(
                    moved
                        .related_target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok()),
                );
            }
        });
    let _ = document()
        .add_event_listener_with_callback("focusout", on_focus_out.as_ref().unchecked_ref());
    on_focus_out.forget();
}

/// Closes the stream (the merchant logs out); the next signed-in page opens it again.
#[cfg(feature = "hydrate")]
pub(super) fn stop() {
    SOURCE.with(|s| {
        if let Some(source) = s.borrow_mut().take() {
            source.close();
        }
    });
}

/// Whether `focused` is in use inside the page's card: a field (reading the page again would
/// take what was typed), a chart's day (focused only to be read, and the arrow keys go on
/// from it), or a link or button reached by keyboard (it would take the place). A link or
/// button the mouse clicked (the export, a sort) holds nothing: news comes in.
#[cfg(feature = "hydrate")]
fn in_use(focused: Option<web_sys::Element>) -> bool {
    focused.is_some_and(|e| {
        let in_card = e.closest("main .card").ok().flatten().is_some() && e.tag_name() != "H1";
        let read = matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
            || e.matches(".chart li").unwrap_or(false);
        in_card && (read || e.matches(":focus-visible").unwrap_or(true))
    })
}

/// `GET EVENTS_PATH`: the signed-in merchant's news, until the session ends or the server
/// stops.
#[cfg(feature = "ssr")]
pub async fn events(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use axum::response::sse::{Event, KeepAlive, Sse};

    // Not signed in: 204, which tells an `EventSource` to stop asking (a redirect to the
    // log-in page would be read as a broken stream, and asked again).
    let user = match crate::session::user_from_headers(&state, &headers).await {
        Ok(user) => user,
        Err(response) if response.status().is_redirection() => {
            return axum::http::StatusCode::NO_CONTENT.into_response();
        }
        Err(response) => return response,
    };
    let listener = state.activity.listen(user.store_id);
    let first = Some(SLIPS);
    let news = futures::stream::unfold(
        (state, headers, listener, first),
        |(state, headers, mut listener, first)| async move {
            let kind = match first {
                Some(kind) => kind,
                None if listener.moved().await => MOVED,
                None => return None,
            };
            // A session that ended (log-out, idle, expiry) ends its news; news is not the
            // merchant's activity, so it does not keep the session alive.
            let token = crate::cookies::find(&headers, crate::session::COOKIE)?;
            let now = engine::time::now_millis();
            let user = engine::accounts::session_untouched(state.checkout.db(), &token, now)
                .await
                .ok()
                .flatten()?;
            let slips = engine::db::payments::awaiting_count(state.checkout.db(), user.store_id)
                .await
                .inspect_err(|e| tracing::warn!("live news: {e}"))
                .ok()?;
            let event = Event::default().event(kind).data(slips.to_string());
            Some((
                Ok::<_, std::convert::Infallible>(event),
                (state, headers, listener, None),
            ))
        },
    );
    (
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Sse::new(news).keep_alive(KeepAlive::default()),
    )
        .into_response()
}
