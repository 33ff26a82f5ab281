//! Each request's reactive values in an arena of its own.
//!
//! Leptos keeps a page's signals in an arena chosen per thread (`sandboxed-arenas`), and
//! `Owner::with` sets it without setting it back. leptos_axum wraps a page's render in a
//! `Sandboxed` that takes whatever arena the thread last had, often another request's, and
//! restores it at every poll: a signal read outside an owner's scope (a view's closure, run
//! as the page is written) then reads the other page's value under the same key: the likely
//! cause, read from the sources and not reproduced, of customer pages seen in CI in another
//! customer's language. Here every request starts in an arena of its own, which the render's
//! `Sandboxed` then takes.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use leptos::reactive::owner::{Owner, Sandboxed};

pub async fn own_arena(req: Request, next: Next) -> Response {
    // A root owner's arena is new; `with` makes it the thread's while the future is made,
    // and `Sandboxed` holds it and sets it again whenever the request is polled.
    let request = Owner::new_root(None).with(|| Sandboxed::new(next.run(req)));
    request.await
}
