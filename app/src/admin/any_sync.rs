//! `AnyView`s that hydrate synchronously only, so the back office's wasm carries one way to
//! hydrate each page instead of two.
//!
//! An `AnyView` keeps pointers to every way its view can be rendered, `hydrate_async`
//! included, so erasing a view (`into_any`, a lazy route's page, a component's `Children`)
//! compiled an asynchronous twin of the view's whole tree into the wasm. Nothing here needs
//! it: the router hydrates a page synchronously once the page's code is in
//! (`leptos_router`'s nested router awaits its loaders, then hydrates the outlet), and only
//! the frame above the router hydrates asynchronously (`frontend::hydrate`). A view erased
//! through [`Synchronous`] answers `hydrate_async` with its synchronous hydration (the
//! trait's default), so the twin is never instantiated; everything else is the view's own.
//! Leptos' `ActionForm` takes its body as `Children`, so the back office's forms are
//! `fields::ServerForm`s, which keep their body's type. docs/ARCHITECTURE.md (page weight) has
//! what it saved.

use leptos::prelude::*;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Position, PositionState, Render, RenderHtml};

/// `V`, hydrated synchronously even when asked asynchronously.
pub struct Synchronous<V>(V);

/// [`IntoAny::into_any`] through [`Synchronous`].
pub trait IntoAnySync {
    fn into_any_sync(self) -> AnyView;
}

impl<V: RenderHtml + 'static> IntoAnySync for V {
    fn into_any_sync(self) -> AnyView {
        Synchronous(self).into_any()
    }
}

impl<V: Render> Render for Synchronous<V> {
    type State = V::State;

    fn build(self) -> Self::State {
        self.0.build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.0.rebuild(state)
    }
}

impl<V: AddAnyAttr> AddAnyAttr for Synchronous<V> {
    type Output<A: Attribute> = Synchronous<V::Output<A>>;

    fn add_any_attr<A: Attribute>(self, attr: A) -> Self::Output<A> {
        Synchronous(self.0.add_any_attr(attr))
    }
}

impl<V: RenderHtml> RenderHtml for Synchronous<V> {
    type AsyncOutput = Synchronous<V::AsyncOutput>;
    type Owned = Synchronous<V::Owned>;

    const MIN_LENGTH: usize = V::MIN_LENGTH;
    const EXISTS: bool = V::EXISTS;

    fn dry_resolve(&mut self) {
        self.0.dry_resolve()
    }

    async fn resolve(self) -> Self::AsyncOutput {
        Synchronous(self.0.resolve().await)
    }

    fn html_len(&self) -> usize {
        self.0.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0
            .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0.to_html_async_with_buf::<OUT_OF_ORDER>(
            buf,
            position,
            escape,
            mark_branches,
            extra_attrs,
        )
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        self.0.hydrate::<FROM_SERVER>(cursor, position)
    }

    fn into_owned(self) -> Self::Owned {
        Synchronous(self.0.into_owned())
    }
}
