//! What the provider tests share: a payment started at a store's method, messages posted to
//! Kassa as a provider posts them (one at a time, or many copies at once), waiting for a
//! message verified in the background, and form fields changed one at a time.

use std::time::Duration;

use engine::checkout::{CheckoutForm, Submitted};
use engine::connectors::HandOff;
use engine::db::payments::Payment;

use super::{Running, event_kinds};

/// The id of the store's method of `provider`.
pub async fn method_of(app: &Running, slug: &str, provider: &str) -> i64 {
    super::methods(app, slug)
        .await
        .into_iter()
        .find(|m| m.provider == provider)
        .unwrap_or_else(|| panic!("{slug} has a {provider} method"))
        .id
}

/// What the customer pays for.
pub struct Order<'a> {
    pub payer: &'a str,
    pub amount: &'a str,
    pub description: &'a str,
}

/// The payment form for `order` through `method`; `key` is the browser's idempotency key.
pub fn pay_form(method: i64, key: &str, order: &Order<'_>) -> CheckoutForm {
    CheckoutForm {
        key: key.into(),
        payer_name: order.payer.into(),
        mobile: "+37120000000".into(),
        email: "customer@example.com".into(),
        amount: order.amount.into(),
        description: order.description.into(),
        method: format!("gateway:{method}"),
        ..CheckoutForm::default()
    }
}

/// Submits `order` at the store's `provider` method: the payment's code and its hand-off.
pub async fn start(
    app: &Running,
    slug: &str,
    provider: &str,
    key: &str,
    order: &Order<'_>,
) -> (String, HandOff) {
    let form = pay_form(method_of(app, slug, provider).await, key, order);
    let Submitted::ToProvider { code } = app.state.checkout.submit(slug, &form).await.unwrap()
    else {
        panic!("{provider} takes the payment");
    };
    let hand_off = app.state.checkout.hand_off(&code).await.unwrap();
    (code, hand_off.expect("a started payment has a hand-off"))
}

/// [`start`] at a provider the browser posts a form to: the code, the form's action and fields.
pub async fn start_form(
    app: &Running,
    slug: &str,
    provider: &str,
    key: &str,
    order: &Order<'_>,
) -> (String, String, Vec<(String, String)>) {
    let (code, hand_off) = start(app, slug, provider, key, order).await;
    let HandOff::PostForm { url, fields } = hand_off else {
        panic!("a form posted to {provider}");
    };
    (code, url, fields)
}

/// [`start`] at a provider the browser is sent to: the code and the provider's page.
pub async fn start_redirect(
    app: &Running,
    slug: &str,
    provider: &str,
    key: &str,
    order: &Order<'_>,
) -> (String, String) {
    let (code, hand_off) = start(app, slug, provider, key, order).await;
    let HandOff::Redirect(url) = hand_off else {
        panic!("a redirect to {provider}");
    };
    (code, url)
}

/// Posts a form-encoded body to `url`: the answer's status and text.
pub async fn post_form(url: &str, body: impl Into<reqwest::Body>) -> (u16, String) {
    let answer = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// The lines of the text at `url` (a simulator's record of what it sent, one per line).
pub async fn lines_at(url: &str) -> Vec<String> {
    let text = reqwest::get(url).await.unwrap().text().await.unwrap();
    text.lines().map(str::to_owned).collect()
}

/// Posts `copies` copies of the same body to `url` all at once: their answers.
pub async fn post_at_once(copies: usize, url: &str, body: &str) -> Vec<(u16, String)> {
    let deliveries: Vec<_> = (0..copies)
        .map(|_| {
            let (url, body) = (url.to_owned(), body.to_owned());
            tokio::spawn(async move { post_form(&url, body).await })
        })
        .collect();
    let mut answers = Vec::new();
    for delivery in deliveries {
        answers.push(delivery.await.unwrap());
    }
    answers
}

/// The payment's event kinds once `done` holds of them (messages answered before they are
/// verified are verified within moments).
pub async fn until(app: &Running, p: &Payment, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    for _ in 0..100 {
        let kinds = event_kinds(app, p).await;
        if done(&kinds) {
            return kinds;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the message was not processed: {:?}",
        event_kinds(app, p).await
    );
}

/// Runs the payment's status polls as if their times had come, one after another, until it
/// has no poll left (a final payment schedules none): the payment and how many polls ran.
pub async fn fast_forward_polls(app: &Running, code: &str) -> (Payment, usize) {
    let db = app.state.checkout.db();
    let polls = format!("poll:{code}:%");
    for _ in 0..600 {
        let p = super::payment(app, code).await;
        let (open, ran): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN state <> 'done' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0) \
             FROM jobs WHERE dedupe_key LIKE $1",
        )
        .bind(&polls)
        .fetch_one(db.pool())
        .await
        .unwrap();
        if open == 0 {
            return (p, usize::try_from(ran).unwrap());
        }
        // In the server's turn to write, as its own writers are (`Db::writer`): outside it,
        // this write and theirs sleep in SQLite's busy handler and may time out.
        sqlx::query("UPDATE jobs SET run_at = 0 WHERE dedupe_key LIKE $1 AND state = 'queued'")
            .bind(&polls)
            .execute(db.writer().await.pool())
            .await
            .unwrap();
        app.state.queue.wake();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the polls of {code} did not end");
}

/// Why each refused notification about the payment was refused, as logged.
pub async fn refusals(app: &Running, p: &Payment) -> Vec<String> {
    super::events(app, p)
        .await
        .into_iter()
        .filter(|e| e.kind == "notification_not_verified")
        .map(|e| e.detail.unwrap_or_default())
        .collect()
}

/// Checks that each reason is among the logged refusals.
pub fn assert_refused_for<'a>(refused: &[String], reasons: impl IntoIterator<Item = &'a str>) {
    for reason in reasons {
        assert!(
            refused.iter().any(|d| d.contains(reason)),
            "{reason}: {refused:?}"
        );
    }
}

/// The value of `name` in a form's fields, or "".
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    engine::connectors::param(fields, name).unwrap_or_default()
}

pub fn count(kinds: &[String], kind: &str) -> usize {
    kinds.iter().filter(|k| *k == kind).count()
}

/// How many copies of a verified message were logged as duplicates.
pub fn duplicates(kinds: &[String]) -> usize {
    count(kinds, "ignored:verified") + count(kinds, "notification_after_final")
}

/// `fields` with `name` set to `value`.
pub fn replaced(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| {
            let v = if k == name { value } else { v.as_str() };
            (k.clone(), v.to_owned())
        })
        .collect()
}

pub fn encode(fields: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// A provider endpoint that answers every HTTP request with `body`, each answer held until
/// the test releases it: so that something else can happen while a verification waits for
/// its provider.
pub struct HeldProvider {
    pub url: String,
    arrived: tokio::sync::mpsc::UnboundedReceiver<()>,
    release: std::sync::Arc<tokio::sync::Semaphore>,
}

impl HeldProvider {
    pub async fn start(body: &'static str) -> HeldProvider {
        HeldProvider::answering("200 OK", body).await
    }

    /// Answers with `status` (e.g. `503 Service Unavailable`) instead of 200.
    pub async fn answering(status: &'static str, body: &'static str) -> HeldProvider {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tell, arrived) = tokio::sync::mpsc::unbounded_channel();
        let release = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
        let gate = release.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let (tell, gate) = (tell.clone(), gate.clone());
                tokio::spawn(async move {
                    // The request is small: read until its headers and body have come.
                    let mut request = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !complete(&request) {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let _ = tell.send(());
                    gate.acquire().await.unwrap().forget();
                    let answer = format!(
                        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        HeldProvider {
            url,
            arrived,
            release,
        }
    }

    /// Waits for the next request to arrive (and be held).
    pub async fn arrived(&mut self) {
        tokio::time::timeout(Duration::from_secs(10), self.arrived.recv())
            .await
            .expect("the provider was asked")
            .unwrap();
    }

    /// How many requests arrived since the last look.
    pub fn asked(&mut self) -> usize {
        std::iter::from_fn(|| self.arrived.try_recv().ok()).count()
    }

    /// Lets `n` held (or future) requests have their answer.
    pub fn release(&self, n: usize) {
        self.release.add_permits(n);
    }
}

/// Whether an HTTP request's headers and `Content-Length` body have all been read.
fn complete(request: &[u8]) -> bool {
    let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let headers = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
    let length = headers
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    request.len() >= end + 4 + length
}

/// Waits, if need be, so that the next half minute lies in one budget window
/// (`engine::intake::WINDOW`): a test counting a budget must not see it refill halfway.
pub async fn within_one_budget_window() {
    let left = engine::intake::retry_after(engine::time::now_millis());
    if left < 30 {
        tokio::time::sleep(Duration::from_secs(left + 1)).await;
    }
}
