//! An EveryPay simulator (the demo environment): API v4 `payments/oneoff` and
//! `payments/{reference}` behind HTTP Basic auth, LinkPay links checked by their HMAC, and a
//! card page. A paid, failed or abandoned payment calls the e-shop's callback URL (the one a
//! merchant pastes into EveryPay's portal; here `portal` sets it, and by default it is
//! `/notify/everypay` on the host the customer came from) with `payment_reference`,
//! `order_reference` and `event_name`, retried while it is not answered 200, then sends the
//! browser to `customer_url`. A settled payment can be refunded on its page.
//!
//! One e-shop exists: [`DEMO_API_USERNAME`] / [`DEMO_API_SECRET`], processing account
//! [`DEMO_ACCOUNT`], LinkPay link token [`DEMO_LINK_TOKEN`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use engine::connectors::everypay::{self, basic_credentials, linkpay_hmac};
use engine::connectors::{param, parse_decimal};
use engine::money::Currency;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{deliver, escape, page};

pub const MOUNT: &str = engine::connectors::everypay::SPEC.sandbox_path;
pub const DEMO_API_USERNAME: &str = "kassa-demo-shop";
pub const DEMO_API_SECRET: &str = "sandbox-api-secret-4f1c9e2a";
pub const DEMO_ACCOUNT: &str = "EUR3D1";
pub const DEMO_LINK_TOKEN: &str = "lp-kassa-demo-7b21";

/// Cards the simulator approves; any other number fails.
pub const TEST_CARDS: &[&str] = &["4012001037141112", "5413330089600010"];

const UNAUTHORIZED: i64 = 4001;
const NOT_FOUND: i64 = 4004;
const INVALID: i64 = 4000;
const ORDER_REFERENCE_TAKEN: i64 = 4024;

struct SimPayment {
    order_reference: String,
    amount: String,
    currency: String,
    state: &'static str,
    customer_url: String,
    last_four: Option<String>,
}

#[derive(Clone)]
struct Simulator {
    shop: super::Shop,
    http: reqwest::Client,
    payments: Arc<Mutex<HashMap<String, SimPayment>>>,
    /// The e-shop's callback URL, when set in the portal.
    callback_url: Arc<Mutex<Option<String>>>,
}

pub fn routes(shop: super::Shop) -> Router {
    let sim = Simulator {
        shop,
        http: reqwest::Client::new(),
        payments: Arc::new(Mutex::new(HashMap::new())),
        callback_url: Arc::new(Mutex::new(None)),
    };
    Router::new()
        .route("/api/v4/payments/oneoff", post(oneoff))
        .route("/api/v4/payments/{reference}", get(payment))
        .route("/lp", get(linkpay))
        .route("/pay/{reference}", get(card_page).post(pay))
        .route("/pay/{reference}/refund", post(refund))
        .route("/portal", get(portal).post(set_callback))
        .with_state(sim)
}

fn error(status: StatusCode, code: i64, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(basic_credentials)
        .is_some_and(|(user, secret)| user == DEMO_API_USERNAME && secret == DEMO_API_SECRET)
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned()
}

fn new_reference() -> String {
    format!(
        "{:032x}{:032x}",
        rand::random::<u128>(),
        rand::random::<u128>()
    )
}

fn record(reference: &str, p: &SimPayment, link: Option<String>) -> Value {
    json!({
        "payment_reference": reference,
        "order_reference": p.order_reference,
        "account_name": DEMO_ACCOUNT,
        "initial_amount": p.amount.parse::<f64>().unwrap_or(0.0),
        // A refund gives all of it back.
        "standing_amount": if p.state == "refunded" { 0.0 } else { p.amount.parse::<f64>().unwrap_or(0.0) },
        "currency": p.currency,
        "payment_state": p.state,
        "payment_link": link,
        "payment_method": "card",
        "cc_details": p.last_four.as_ref().map(|l| json!({"last_four_digits": l})),
    })
}

/// Creates a payment and returns its reference; `None` when its order reference was used.
fn create(sim: &Simulator, p: SimPayment) -> Option<String> {
    let mut payments = sim.payments.lock().expect("simulator state");
    if payments
        .values()
        .any(|q| q.order_reference == p.order_reference)
    {
        return None;
    }
    let reference = new_reference();
    payments.insert(reference.clone(), p);
    Some(reference)
}

async fn oneoff(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !authorized(&headers) {
        return error(StatusCode::UNAUTHORIZED, UNAUTHORIZED, "Unauthorized");
    }
    let text = |key: &str| {
        body.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    if text("api_username") != DEMO_API_USERNAME || text("account_name") != DEMO_ACCOUNT {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            INVALID,
            "Unknown api_username or account_name",
        );
    }
    let amount = body.get("amount").and_then(Value::as_f64).unwrap_or(0.0);
    let missing = ["order_reference", "nonce", "timestamp", "customer_url"]
        .into_iter()
        .find(|k| text(k).is_empty());
    if amount <= 0.0 || missing.is_some() || !sim.shop.owns(&text("customer_url")) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            INVALID,
            "amount, order_reference, nonce, timestamp and customer_url (the shop's own \
             address) are required",
        );
    }
    let p = SimPayment {
        order_reference: text("order_reference"),
        amount: format!("{amount:.2}"),
        currency: "EUR".into(),
        state: "initial",
        customer_url: text("customer_url"),
        last_four: None,
    };
    let Some(reference) = create(&sim, p) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            ORDER_REFERENCE_TAKEN,
            "Order reference already used",
        );
    };
    let link = format!("http://{}{MOUNT}/pay/{reference}", host(&headers));
    let payments = sim.payments.lock().expect("simulator state");
    Json(record(&reference, &payments[&reference], Some(link))).into_response()
}

async fn payment(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    if !authorized(&headers) {
        return error(StatusCode::UNAUTHORIZED, UNAUTHORIZED, "Unauthorized");
    }
    let payments = sim.payments.lock().expect("simulator state");
    match payments.get(&reference) {
        Some(p) => Json(record(&reference, p, None)).into_response(),
        None => error(StatusCode::NOT_FOUND, NOT_FOUND, "Payment not found"),
    }
}

/// A LinkPay link: the HMAC must be the last parameter and sign exactly what precedes it.
async fn linkpay(State(sim): State<Simulator>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let Some((signed, hmac)) = query.rsplit_once("&hmac=") else {
        return refuse("The link has no hmac.");
    };
    if linkpay_hmac(DEMO_API_SECRET, signed) != hmac {
        return refuse("The link's hmac does not match.");
    }
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(signed.as_bytes())
        .into_owned()
        .collect();
    let field = |name| param(&fields, name).unwrap_or_default().to_owned();
    if field("linkpay_token") != DEMO_LINK_TOKEN {
        return refuse("Unknown link.");
    }
    let eur = Currency::parse("EUR").expect("EUR is supported");
    let amount = field("transaction_amount");
    if parse_decimal(&amount, eur).is_none_or(|minor| minor <= 0) {
        return refuse("The amount is not valid.");
    }
    if !sim.shop.owns(&field("customer_url")) {
        return refuse("The return address is not the shop's own.");
    }
    let p = SimPayment {
        order_reference: field("order_reference"),
        amount,
        currency: "EUR".into(),
        state: "initial",
        customer_url: field("customer_url"),
        last_four: None,
    };
    match create(&sim, p) {
        Some(reference) => Redirect::to(&format!("{MOUNT}/pay/{reference}")).into_response(),
        None => refuse("This order has already been paid."),
    }
}

fn refuse(why: &str) -> Response {
    let body = format!(
        "<h1>EveryPay demo</h1><p role=\"alert\">{}</p>",
        escape(why)
    );
    (StatusCode::BAD_REQUEST, page("EveryPay", &body)).into_response()
}

async fn card_page(State(sim): State<Simulator>, Path(reference): Path<String>) -> Response {
    let payments = sim.payments.lock().expect("simulator state");
    let Some(p) = payments.get(&reference) else {
        return refuse("Unknown payment.");
    };
    let summary = format!(
        r#"<h1>EveryPay demo</h1><p>Order {order}</p><p>Amount: <strong data-testid="sim-amount">{amount}</strong> {currency}</p>"#,
        order = escape(&p.order_reference),
        amount = escape(&p.amount),
        currency = escape(&p.currency),
    );
    let body = match p.state {
        "initial" => format!(
            r#"{summary}<form method="post"><label for="card">Card number</label><input id="card" name="card_number" inputmode="numeric" autocomplete="off" required>
<label for="exp">Expiry (MM/YY)</label><input id="exp" name="expiry" value="12/30"><label for="cvc">CVC</label><input id="cvc" name="cvc" value="123">
<button type="submit" name="action" value="pay">Pay {amount} {currency}</button>
<button type="submit" name="action" value="abandon" formnovalidate>Cancel and return to the shop</button></form>
<p>Test cards: {cards}. Any other number fails.</p>"#,
            amount = escape(&p.amount),
            currency = escape(&p.currency),
            cards = TEST_CARDS
                .iter()
                .map(|c| format!("<code>{c}</code>"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        "settled" => format!(
            r#"{summary}<p>Settled.</p><form method="post" action="{MOUNT}/pay/{reference}/refund"><button type="submit">Refund</button></form>"#
        ),
        state => format!("{summary}<p>This payment is {state}.</p>"),
    };
    page("EveryPay", &body).into_response()
}

#[derive(Deserialize)]
struct CardForm {
    action: String,
    #[serde(default)]
    card_number: String,
}

async fn pay(
    State(sim): State<Simulator>,
    Path(reference): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let (order, customer_url) = {
        let mut payments = sim.payments.lock().expect("simulator state");
        let Some(p) = payments
            .get_mut(&reference)
            .filter(|p| p.state == "initial")
        else {
            return refuse("Unknown payment.");
        };
        let card = super::card_digits(&form.card_number);
        p.state = match form.action.as_str() {
            "abandon" => "abandoned",
            _ if TEST_CARDS.contains(&card.as_str()) => "settled",
            _ => "failed",
        };
        p.last_four = (card.len() >= 4).then(|| card[card.len() - 4..].to_owned());
        (p.order_reference.clone(), p.customer_url.clone())
    };
    call_back(&sim, &reference, &order, "status_updated").await;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("order_reference", order.as_str()),
            ("payment_reference", reference.as_str()),
        ])
        .finish();
    let separator = if customer_url.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{customer_url}{separator}{query}")).into_response()
}

async fn refund(State(sim): State<Simulator>, Path(reference): Path<String>) -> Response {
    let order = {
        let mut payments = sim.payments.lock().expect("simulator state");
        let Some(p) = payments
            .get_mut(&reference)
            .filter(|p| p.state == "settled")
        else {
            return refuse("Only a settled payment can be refunded.");
        };
        p.state = "refunded";
        p.order_reference.clone()
    };
    call_back(&sim, &reference, &order, "refunded").await;
    Redirect::to(&format!("{MOUNT}/pay/{reference}")).into_response()
}

/// Calls the e-shop's callback URL (a form POST; Kassa also takes EveryPay's GET): the one set
/// in the portal, else Kassa's own address for it.
async fn call_back(sim: &Simulator, reference: &str, order: &str, event: &str) {
    let url = sim
        .callback_url
        .lock()
        .expect("simulator state")
        .clone()
        .unwrap_or_else(|| sim.shop.url(&format!("/notify/{}", everypay::PROVIDER)));
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("payment_reference", reference),
            ("order_reference", order),
            ("event_name", event),
        ])
        .finish();
    deliver(sim.http.clone(), url, body.into_bytes(), "EveryPay").await;
}

async fn portal(State(sim): State<Simulator>) -> Response {
    let current = sim
        .callback_url
        .lock()
        .expect("simulator state")
        .clone()
        .unwrap_or_default();
    let body = format!(
        r#"<h1>EveryPay demo portal</h1><p>API username: <code>{DEMO_API_USERNAME}</code></p><p>API secret: <code>{DEMO_API_SECRET}</code></p>
<p>Processing account: <code>{DEMO_ACCOUNT}</code></p><p>LinkPay link token: <code>{DEMO_LINK_TOKEN}</code></p>
<form method="post"><label for="url">Callback Notification URL</label><input id="url" name="url" value="{}"><button type="submit">Save</button></form>"#,
        escape(&current)
    );
    page("EveryPay portal", &body).into_response()
}

#[derive(Deserialize)]
struct CallbackForm {
    url: String,
}

async fn set_callback(State(sim): State<Simulator>, Form(form): Form<CallbackForm>) -> Response {
    let url = Some(form.url.trim().to_owned()).filter(|u| !u.is_empty());
    if url.as_deref().is_some_and(|u| !sim.shop.owns(u)) {
        return (
            StatusCode::BAD_REQUEST,
            super::page(
                "EveryPay portal",
                "<p>The callback URL must be the shop's own address.</p>",
            ),
        )
            .into_response();
    }
    *sim.callback_url.lock().expect("simulator state") = url;
    Redirect::to(&format!("{MOUNT}/portal")).into_response()
}
