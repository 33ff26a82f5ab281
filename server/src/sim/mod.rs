//! Provider simulators, served by Kassa in sandbox mode only, so the whole payment flow runs
//! on one machine without the internet. Each one speaks its provider's protocol.

pub mod everypay;
pub mod mailbox;
pub mod mypos;
pub mod payme;
pub mod paypal;
pub mod zarinpal;

use std::time::Duration;

use axum::response::Html;
use engine::html::escape;
use serde::Deserialize;

/// Where a simulator may send a browser or a callback: Kassa's own public address, over http
/// or https. The simulators run on Kassa's origin, so a `javascript:` return address posted
/// to one would run there, and any other site would receive what only Kassa should.
#[derive(Clone, Debug)]
pub struct Shop {
    origin: String,
}

impl Shop {
    /// Kassa at `public_url`.
    pub fn new(public_url: &str) -> Shop {
        Shop {
            origin: origin(public_url).unwrap_or_default(),
        }
    }

    /// Kassa's own address for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Whether `address` is one of Kassa's own.
    pub fn owns(&self, address: &str) -> bool {
        !self.origin.is_empty() && origin(address).as_deref() == Some(self.origin.as_str())
    }
}

/// The origin of an http(s) address.
fn origin(address: &str) -> Option<String> {
    let url = url::Url::parse(address.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
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

#[cfg(test)]
mod tests {
    use super::Shop;

    #[test]
    fn only_kassa_s_own_http_addresses_are_the_shop_s() {
        let shop = Shop::new("http://127.0.0.1:3000");
        assert!(shop.owns("http://127.0.0.1:3000/pay/ABC/return"));
        for foreign in [
            "javascript:alert(document.cookie)",
            "JavaScript:alert(1)//http://127.0.0.1:3000/",
            "http://127.0.0.1:3001/pay/ABC/return",
            "https://127.0.0.1:3000/pay/ABC/return",
            "http://evil.example/?http://127.0.0.1:3000/",
            "data:text/html,<script>alert(1)</script>",
            "",
        ] {
            assert!(!shop.owns(foreign), "{foreign}");
        }
    }
}
