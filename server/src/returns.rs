//! Where providers send the customer back. The query string is handed to the connector, which
//! asks the provider itself; the customer then sees the payment's page.

use axum::extract::{Path, RawQuery, State};
use axum::response::Redirect;

use app::state::AppState;

pub async fn provider_return(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
) -> Redirect {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    if let Err(err) = state.checkout.complete_return(&code, &params).await {
        tracing::warn!(error = %err, "a provider return could not be settled");
    }
    match engine::tracking::normalize(&code) {
        Some(code) => Redirect::to(&format!("/pay/{code}")),
        None => Redirect::to("/track"),
    }
}
