//! What the server functions need from the server, provided as Leptos context per request.

use engine::checkout::Checkout;

/// Shared by every request: a clone is one reference count (each request clones it a few
/// times: the router's state, the Leptos context, each server function's lookup).
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> AppState {
        AppState(std::sync::Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

pub struct Services {
    pub checkout: Checkout,
    /// The job queue's workers of this server (`engine::jobs`).
    pub queue: engine::jobs::Queue,
    /// News of each store's payments for open back-office pages (`admin::live`).
    pub activity: engine::activity::Activity,
    /// The store `/openpay` serves.
    pub default_store: String,
    /// The client address is the last `X-Forwarded-For` entry (Kassa runs behind a proxy).
    pub trust_forwarded: bool,
    /// Sign-ups allowed from one client address in an hour.
    pub sign_ups_per_hour: i64,
    /// Seals and opens provider credentials.
    pub secrets: engine::secrets::SecretKey,
    /// Where merchants open a PayMe account registered through Kassa (shown when PayMe does
    /// not know a key as Kassa's).
    pub payme_signup_url: Option<String>,
}

pub fn app_state() -> Result<AppState, leptos::prelude::ServerFnError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| leptos::prelude::ServerFnError::new("the server state is missing"))
}
