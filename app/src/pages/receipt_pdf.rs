//! A receipt's PDF, `/r/{token}/pdf?lang=xx`: what its page says, typeset by `receipt-pdf`
//! in the language asked for (the page's), else the store's. The first PDF made of a
//! receipt is marked "original", every later one "copy".

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use engine::checkout::Checkout;
use engine::db::images;
use engine::images::ImageName;
use engine::validation::LANGUAGES;

use super::receipt::{
    Document, Lines, ReceiptView, genuine_and_disclaimer, lines, path, receipt_view,
};
use crate::i18n::*;
use crate::state::AppState;

pub const PDF_PATH: &str = "/r/{token}/pdf";

pub async fn serve_pdf(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let (view, document) = match receipt_view(&state.checkout, &token).await {
        Ok(Some(found)) => found,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such receipt").into_response(),
        Err(err) => return failed(&err.to_string()),
    };
    let locale = asked_language(query.as_deref())
        .or_else(|| view.language.parse().ok())
        .unwrap_or_default();
    match pdf(&state.checkout, &view, &document, locale).await {
        Ok(pdf) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{}\"", file_name(&view)),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            pdf,
        )
            .into_response(),
        Err(err) => failed(&err),
    }
}

/// The document's PDF in `locale`: the original if it is the first made, else a copy.
pub(crate) async fn pdf(
    checkout: &Checkout,
    view: &ReceiptView,
    document: &Document,
    locale: Locale,
) -> Result<Vec<u8>, String> {
    let db = checkout.db();
    let logo = images::get(db, document.store_id(), ImageName::Store)
        .await
        .map_err(|e| e.to_string())?
        .map(|(_, bytes)| bytes);
    let original = document.pdf_made(db).await.map_err(|e| e.to_string())?;
    let url = format!("{}{}", checkout.public_url(), path(document.token()));
    let laid_out = laid_out(view, locale, original, url, logo);
    // Typesetting takes tens of milliseconds of CPU: off the request threads, and on all cores
    // but one, so a burst of receipts leaves a core to the requests and to the verification
    // of payments (and bounds what typesetting holds in memory at once).
    let _turn = TYPESETTERS.acquire().await.map_err(|e| e.to_string())?;
    match tokio::task::spawn_blocking(move || receipt_pdf::render(&laid_out)).await {
        Ok(Ok(pdf)) => Ok(pdf),
        Ok(Err(err)) => Err(err.to_string()),
        Err(err) => Err(err.to_string()),
    }
}

/// Turns to typeset: all cores but one (at least one). A customer's download waits its turn
/// behind a burst of receipts, first come first served.
static TYPESETTERS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1))
});

pub(crate) fn file_name(view: &ReceiptView) -> String {
    let kind = if view.cancels.is_some() {
        "cancellation"
    } else {
        "receipt"
    };
    format!("{kind}-{}.pdf", view.number)
}

fn failed(error: &str) -> Response {
    tracing::error!(%error, "a receipt's PDF could not be made");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "the receipt could not be made",
    )
        .into_response()
}

fn asked_language(query: Option<&str>) -> Option<Locale> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    params
        .into_iter()
        .find(|(k, v)| k == "lang" && LANGUAGES.contains(&v.as_str()))
        .and_then(|(_, v)| v.parse().ok())
}

/// The receipt as `receipt-pdf` lays it out.
fn laid_out(
    view: &ReceiptView,
    locale: Locale,
    original: bool,
    url: String,
    logo: Option<Vec<u8>>,
) -> receipt_pdf::Receipt {
    let Lines {
        title,
        issuer,
        rows,
        paid,
    } = lines(view, locale);
    let (_, note) = genuine_and_disclaimer(view, locale);
    receipt_pdf::Receipt {
        language: locale.as_str().to_owned(),
        title,
        mark: if original {
            text!(locale, receipt_original).to_string()
        } else {
            text!(locale, receipt_copy).to_string()
        },
        store: view.store_name.clone(),
        issuer,
        logo,
        rows: rows
            .into_iter()
            .map(|(label, value, ltr)| receipt_pdf::Row { label, value, ltr })
            .collect(),
        total: paid,
        verify: text!(locale, receipt_check_at).to_string(),
        url,
        note,
    }
}
