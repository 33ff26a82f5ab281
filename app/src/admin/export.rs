//! The payments report's CSV export. `GET /admin/payments.csv?…` sends the report's current
//! view (filter and order, every page, at most `LIMIT` rows) as the database yields it. In the
//! app the button fetches it, says how many of the view's payments have arrived, and saves the
//! file when all have (100,000 rows take seconds); without JavaScript it is a plain download.

use leptos::prelude::*;

use super::any_sync::IntoAnySync;

use crate::i18n::*;

pub const PATH: &str = "/admin/payments.csv";
/// The most rows one export holds.
pub const LIMIT: i64 = 100_000;

/// Where an export started in the app stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// Only the browser moves it on: the server renders `Idle`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Progress {
    Idle,
    /// Rows received so far.
    Running(i64),
    /// Saved, with its rows.
    Saved(i64),
    Failed,
}

/// Where the page's export stands. The page keeps it, not the button: live news renders the
/// report (and its button) again, and an export under way or just saved must still say so.
#[derive(Clone, Copy)]
pub struct ExportProgress(RwSignal<Progress>);

impl Default for ExportProgress {
    fn default() -> Self {
        ExportProgress(RwSignal::new(Progress::Idle))
    }
}

/// The export button of a view (`query`, its query string) of `count` payments, and what the
/// export in the app is doing (a live region).
#[component]
pub fn ExportButton(query: String, count: i64, progress: ExportProgress) -> impl IntoView {
    let i18n = use_i18n();
    let ExportProgress(progress) = progress;
    let href = if query.is_empty() {
        PATH.to_owned()
    } else {
        format!("{PATH}?{query}")
    };
    let total = count.min(LIMIT);
    let shown = move || status(progress.get(), total);
    view! {
        <a class="button" href=href rel="external" download="payments.csv"
            on:click=move |event| export_in_place(event, progress)>
            {text!(i18n, export_csv)}
        </a>
        <p class="export-status" role="status" data-testid="export-status">{shown}</p>
    }
}

/// What the export in the app is doing: how many of the view's `total` rows have arrived, or
/// how it ended.
fn status(progress: Progress, total: i64) -> Option<AnyView> {
    let i18n = use_i18n();
    let number = |n: i64| engine::digits::localize(&n.to_string(), crate::components::lang());
    match progress {
        Progress::Idle => None,
        Progress::Running(done) => {
            let text = text!(
                i18n,
                export_progress,
                done = number(done),
                total = number(total)
            )
            .to_string();
            let bar = view! { <progress max=total value=done.min(total) aria-label=text.clone()></progress> };
            Some(view! { {bar} <span>{text}</span> }.into_any_sync())
        }
        Progress::Saved(rows) => {
            let text = text!(i18n, export_done, count = number(rows)).to_string();
            Some(text.into_any_sync())
        }
        Progress::Failed => {
            let text = text!(i18n, export_failed).to_string();
            Some(view! { <span class="form-error">{text}</span> }.into_any_sync())
        }
    }
}

/// With JavaScript, a plain click fetches the export here, counting its lines as they arrive,
/// then saves it under the link's name, or says it failed (nothing saved; the button is there
/// to try again). A click with a modifier (a new tab, "save as") is the browser's.
fn export_in_place(event: leptos::ev::MouseEvent, progress: RwSignal<Progress>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let modified = event.ctrl_key() || event.meta_key() || event.shift_key() || event.alt_key();
        if modified || event.button() != 0 {
            return;
        }
        let Some(href) = event
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlAnchorElement>().ok())
            .map(|a| a.href())
        else {
            return;
        };
        event.prevent_default();
        if matches!(progress.get_untracked(), Progress::Running(_)) {
            return;
        }
        progress.set(Progress::Running(0));
        leptos::task::spawn_local(async move {
            let counted = fetch_counting(&href, |rows| progress.set(Progress::Running(rows))).await;
            progress.set(
                match counted.and_then(|(blob, rows)| save(&blob).map(|()| rows)) {
                    Ok(rows) => Progress::Saved(rows),
                    Err(_) => Progress::Failed,
                },
            );
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (event, progress);
}

/// Fetches `href`, telling `rows` how many lines after the header have arrived, and gives the
/// whole body as a CSV blob with its row count. An answer cut short (the server's read failed
/// midway) is an error, never a short file.
#[cfg(feature = "hydrate")]
async fn fetch_counting(
    href: &str,
    rows: impl Fn(i64),
) -> Result<(web_sys::Blob, i64), wasm_bindgen::JsValue> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str(href))
        .await?
        .dyn_into()?;
    if !response.ok() {
        return Err(JsValue::from_str("the export was refused"));
    }
    let body = response
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().dyn_into()?;
    let parts = js_sys::Array::new();
    let mut lines = 0i64;
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))?.is_truthy() {
            break;
        }
        let bytes: js_sys::Uint8Array =
            js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))?.dyn_into()?;
        let new_lines = bytes.to_vec().iter().filter(|&&b| b == b'\n').count();
        lines += i64::try_from(new_lines).unwrap_or(0);
        parts.push(&bytes);
        rows((lines - 1).max(0));
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    Ok((blob, (lines - 1).max(0)))
}

/// Offers `blob` as `payments.csv`, as the link's own download would.
#[cfg(feature = "hydrate")]
fn save(blob: &web_sys::Blob) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download("payments.csv");
    link.click();
    // The download has taken the blob by the time a minute has passed.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// `GET /admin/payments.csv?…`: the report's current view as a CSV download, sent as the
/// database reads it. Needs the session like every back-office page. The rows are read at the
/// database's pace, not the client's (the connection is back in the pool when the query ends);
/// a read that fails midway cuts the answer off, so no client takes a short file for whole.
#[cfg(feature = "ssr")]
pub async fn csv(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    headers: axum::http::HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    use engine::report::ReportQuery;
    let user = match crate::session::user_from_headers(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let db = state.checkout.db().clone();
    let params: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let (query, _) = ReportQuery::parse(&params);
    let zone = match engine::db::stores::by_id(&db, user.store_id).await {
        Ok(Some(store)) => store.legal.time_zone,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!("csv export: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let (chunks, mut received) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut chunk = engine::report::csv_head();
        let read = engine::db::report::each_row(&db, user.store_id, &zone, &query, LIMIT, |row| {
            engine::report::csv_row(&mut chunk, &row.0, row.1, "Bank slip");
            if chunk.len() >= CHUNK {
                let _ = chunks.send(Ok(std::mem::take(&mut chunk)));
            }
        })
        .await;
        let last = match read {
            Ok(_) => Ok(chunk),
            Err(e) => {
                tracing::error!("csv export: {e}");
                Err(std::io::Error::other("the export's read failed"))
            }
        };
        let _ = chunks.send(last);
    });
    // A stream that keeps answering "no more" once the channel ends: the response compression
    // polls once more after the end, which a finished `unfold` panics at.
    let body = futures::stream::poll_fn(move |cx| received.poll_recv(cx));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"payments.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}

/// Bytes of CSV sent at a time: a few hundred rows.
#[cfg(feature = "ssr")]
const CHUNK: usize = 64 * 1024;
