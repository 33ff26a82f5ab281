//! Provider simulators, served by Kassa in sandbox mode only, so the whole payment flow runs
//! on one machine without the internet. Each one speaks its provider's protocol.

pub mod everypay;
pub mod mypos;
pub mod payme;
pub mod paypal;
pub mod zarinpal;

use std::time::Duration;

use axum::response::Html;
use serde::Deserialize;

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A simulator's page: the provider's hosted page, plainly styled.
pub(crate) fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>body{{font-family:sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem}}label{{display:block;margin:.8rem 0 .2rem}}input{{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}}button{{font-size:1.1rem;padding:.6rem 1.2rem;margin-top:1rem}}code{{background:#eee;padding:0 .2rem}}</style></head>
<body>{body}</body></html>"#
    ))
}

/// Posts a form-encoded callback; while it is not answered 2xx, tries again in the background
/// (five more times, a second apart), as providers retry undelivered callbacks.
pub(crate) async fn deliver(
    http: reqwest::Client,
    url: String,
    body: Vec<u8>,
    provider: &'static str,
) {
    if post_form(&http, &url, &body).await {
        return;
    }
    tokio::spawn(async move {
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if post_form(&http, &url, &body).await {
                return;
            }
        }
        tracing::warn!(%url, provider, "a simulator gave up delivering a callback");
    });
}

/// Whether the callback was answered 2xx.
async fn post_form(http: &reqwest::Client, url: &str, body: &[u8]) -> bool {
    http.post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_vec())
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

/// A card page's form.
#[derive(Deserialize)]
pub(crate) struct CardForm {
    card_number: String,
}

impl CardForm {
    /// The card number as typed, without its spaces.
    fn digits(&self) -> String {
        card_digits(&self.card_number)
    }
}

fn card_digits(typed: &str) -> String {
    typed.chars().filter(char::is_ascii_digit).collect()
}
