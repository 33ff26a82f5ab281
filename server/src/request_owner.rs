//! Each request runs under a reactive owner of its own.
//!
//! Leptos finds "the current owner" in a thread-local that `Owner::new_root` sets and never
//! clears, so between polls a thread still names the last page it rendered. leptos_axum's
//! server-function handler makes its owner with `Owner::new()`, a child of that one: a
//! merchant's call became part of some customer's page (its contexts, its arena, and its
//! disposal when that page was done). Polling every request under a fresh root owner means
//! whatever Leptos makes outside an explicit owner belongs to this request alone.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;

pub async fn own_owner(req: Request, next: Next) -> Response {
    let owner = Owner::new_root(None);
    // `ScopedFuture` makes the owner (and its arena) the thread's at every poll.
    owner
        .with(|| ScopedFuture::new_untracked(next.run(req)))
        .await
}
