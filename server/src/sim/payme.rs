//! A PayMe simulator: the seller API (`generate-sale`, `get-sales`), the partner calls Kassa
//! makes as a platform (`get-sellers`, `connect-seller`, `disconnect-seller`), a hosted sale
//! page that takes PayMe's staging test cards, and a sign-up page that registers sellers
//! through Kassa. A paid or declined sale posts a signed, form-encoded callback to
//! `sale_callback_url` (retried while it is not answered 200) and sends the browser to
//! `sale_return_url`.
//!
//! Two sellers exist from the start: [`DEMO_SELLER`] registered through Kassa, and
//! [`FOREIGN_SELLER`] registered through another service, for the "not registered" case.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use engine::connectors::payme::{self, CONNECTED_ELSEWHERE, Platform};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{CardForm, deliver, escape, page};

/// Where Kassa mounts this simulator, its API and its sign-up page.
pub const MOUNT: &str = "/sim/payme";
pub const API: &str = engine::connectors::payme::SPEC.sandbox_path;
pub const SIGNUP: &str = "/sim/payme/signup";
/// The sandbox platform credentials Kassa and the simulator share by default.
pub const SANDBOX_CLIENT_KEY: &str = "kassa-sandbox-client-key";
pub const SANDBOX_CLIENT_SECRET: &str = "kassa-sandbox-client-secret";

/// The platform credentials the simulator knows: sandbox mode's default. Public, so never
/// used in live mode.
pub fn sandbox_platform() -> Platform {
    Platform {
        client_key: SANDBOX_CLIENT_KEY.into(),
        client_secret: engine::secrets::Secret::new(SANDBOX_CLIENT_SECRET),
    }
}
/// A seller registered through Kassa, and its account e-mail.
pub const DEMO_SELLER: &str = "MPL10001-KASSADEM-OSELLER0-00000001";
pub const DEMO_EMAIL: &str = "payme@demo.kassa.test";
/// A seller registered through another service (not Kassa's).
pub const FOREIGN_SELLER: &str = "MPL20002-OTHERPLA-TFORMSEL-LER00002";
pub const FOREIGN_EMAIL: &str = "other@payme.test";

const SELLER_NOT_FOUND: i64 = 20101;
const INVALID_PARAMETER: i64 = 20001;

/// Why a card was declined: PayMe's error code and text.
type Decline = (i64, &'static str);

/// PayMe's staging test cards, and which of them are declined.
const CARDS: &[(&str, Option<Decline>)] = &[
    ("4557430402053431", None),
    ("375516193000090", None),
    ("5326105300985846", None),
    ("4111111111111111", None),
    ("5555555555554444", None),
    ("4000000000000002", Some((1001, "Card declined"))),
    ("4000000000000051", Some((1002, "Card blocked"))),
    ("4000000000000085", Some((1003, "Card stolen"))),
    ("4000000000000069", Some((1004, "Card expired"))),
    ("4000000000000135", Some((1005, "Credit limit reached"))),
];
const UNKNOWN_CARD: Decline = (1006, "Incorrect card number");

struct Seller {
    email: String,
    /// The platform the seller registered through (its client key), if any.
    platform: Option<String>,
    /// The platform store the account is connected to.
    connected_to: Option<String>,
}

struct Sale {
    seller: String,
    price: i64,
    currency: String,
    product_name: String,
    transaction_id: String,
    callback_url: String,
    return_url: String,
    buyer_name: String,
    status: &'static str,
    payme_transaction_id: Option<String>,
    card_mask: Option<String>,
    error: Option<Decline>,
}

#[derive(Clone)]
struct Simulator {
    shop: super::Shop,
    platform: Platform,
    http: reqwest::Client,
    sellers: Arc<Mutex<HashMap<String, Seller>>>,
    sales: Arc<Mutex<HashMap<String, Sale>>>,
}

pub fn routes(shop: super::Shop, platform: Platform) -> Router {
    let mut sellers = HashMap::new();
    sellers.insert(
        DEMO_SELLER.to_owned(),
        Seller {
            email: DEMO_EMAIL.into(),
            platform: Some(platform.client_key.clone()),
            connected_to: None,
        },
    );
    sellers.insert(
        FOREIGN_SELLER.to_owned(),
        Seller {
            email: FOREIGN_EMAIL.into(),
            platform: Some("another-invoicing-service".into()),
            connected_to: None,
        },
    );
    let sim = Simulator {
        shop,
        platform,
        http: reqwest::Client::new(),
        sellers: Arc::new(Mutex::new(sellers)),
        sales: Arc::new(Mutex::new(HashMap::new())),
    };
    Router::new()
        .route("/api/generate-sale", post(generate_sale))
        .route("/api/get-sales", post(get_sales))
        .route("/api/get-sellers", post(get_sellers))
        .route("/api/connect-seller", post(connect_seller))
        .route("/api/disconnect-seller", post(disconnect_seller))
        .route("/sale/{id}", get(sale_page).post(pay))
        .route("/signup", get(signup_page).post(signup))
        .with_state(sim)
}

/// PayMe answers errors with HTTP 500 and `status_code: 1`.
fn error(code: i64, details: &str) -> Response {
    let body = json!({"status_code": 1, "status_error_code": code, "status_error_details": details, "status_additional_info": null});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

fn text(body: &Value, key: &str) -> String {
    body.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn random_id(prefix: &str) -> String {
    let alphabet = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    let group = || -> String {
        (0..8)
            .map(|_| alphabet[rand::random::<u8>() as usize % alphabet.len()] as char)
            .collect()
    };
    let first: String = group().chars().take(8 - prefix.len()).collect();
    format!("{prefix}{first}-{}-{}-{}", group(), group(), group())
}

async fn generate_sale(
    State(sim): State<Simulator>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let seller = text(&body, "seller_payme_id");
    let price = body.get("sale_price").and_then(Value::as_i64).unwrap_or(0);
    let currency = text(&body, "currency");
    let (callback_url, return_url) = (
        text(&body, "sale_callback_url"),
        text(&body, "sale_return_url"),
    );
    if !sim
        .sellers
        .lock()
        .expect("simulator state")
        .contains_key(&seller)
    {
        return error(SELLER_NOT_FOUND, "Seller not found");
    }
    if !payme::CURRENCIES.contains(&currency.as_str()) {
        return error(INVALID_PARAMETER, "Currency is not supported");
    }
    if price <= 0 {
        return error(INVALID_PARAMETER, "sale_price must be a positive integer");
    }
    if text(&body, "product_name").is_empty() {
        return error(INVALID_PARAMETER, "product_name is required");
    }
    if !sim.shop.owns(&callback_url) || !sim.shop.owns(&return_url) {
        return error(
            INVALID_PARAMETER,
            "sale_callback_url and sale_return_url must be the shop's own addresses",
        );
    }
    let id = random_id("SALE");
    let sale = Sale {
        seller,
        price,
        currency: currency.clone(),
        product_name: text(&body, "product_name"),
        transaction_id: text(&body, "transaction_id"),
        callback_url,
        return_url,
        buyer_name: text(&body, "buyer_name"),
        status: "initial",
        payme_transaction_id: None,
        card_mask: None,
        error: None,
    };
    sim.sales
        .lock()
        .expect("simulator state")
        .insert(id.clone(), sale);
    // The page's address comes from the request's Host: the sandbox runs wherever Kassa does.
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    Json(json!({
        "status_code": 0,
        "sale_url": format!("http://{host}{MOUNT}/sale/{id}"),
        "payme_sale_id": id,
        "payme_sale_code": rand::random::<u32>() % 90_000_000 + 10_000_000,
        "price": price,
        "transaction_id": text(&body, "transaction_id"),
        "currency": currency,
    }))
    .into_response()
}

async fn get_sales(State(sim): State<Simulator>, Json(body): Json<Value>) -> Response {
    let seller = text(&body, "seller_payme_id");
    let id = text(&body, "sale_payme_id");
    let sales = sim.sales.lock().expect("simulator state");
    let items: Vec<Value> = sales
        .get(&id)
        .filter(|s| s.seller == seller)
        .map(|s| {
            json!({
                "sale_payme_id": id,
                "sale_status": s.status,
                "sale_price": s.price,
                "sale_currency": s.currency,
                "transaction_id": s.transaction_id,
                "payme_transaction_id": s.payme_transaction_id,
                "buyer_card_mask": s.card_mask,
                "sale_error_code": s.error.map(|(code, _)| code),
                "sale_error_text": s.error.map(|(_, text)| text),
            })
        })
        .into_iter()
        .collect();
    Json(json!({"status_code": 0, "items": items})).into_response()
}

/// Why a partner call names no seller of the calling platform.
enum NotPartner {
    UnknownClient,
    UnknownSeller,
}

impl IntoResponse for NotPartner {
    fn into_response(self) -> Response {
        match self {
            NotPartner::UnknownClient => error(INVALID_PARAMETER, "Unknown payme_client_key"),
            NotPartner::UnknownSeller => error(SELLER_NOT_FOUND, "Seller not found"),
        }
    }
}

/// Partner calls answer only about sellers registered through the calling platform.
fn partner_seller<'a>(
    sim: &Simulator,
    sellers: &'a mut HashMap<String, Seller>,
    body: &Value,
) -> Result<(String, &'a mut Seller), NotPartner> {
    if text(body, "payme_client_key") != sim.platform.client_key {
        return Err(NotPartner::UnknownClient);
    }
    let key = text(body, "seller_payme_id");
    match sellers.get_mut(&key) {
        Some(seller) if seller.platform.as_deref() == Some(&sim.platform.client_key) => {
            Ok((key, seller))
        }
        _ => Err(NotPartner::UnknownSeller),
    }
}

async fn get_sellers(State(sim): State<Simulator>, Json(body): Json<Value>) -> Response {
    let mut sellers = sim.sellers.lock().expect("simulator state");
    let items = match partner_seller(&sim, &mut sellers, &body) {
        Ok((key, seller)) => vec![json!({"seller_payme_id": key, "seller_email": seller.email})],
        // An unknown seller is an empty list, as for any seller of another platform.
        Err(NotPartner::UnknownSeller) => Vec::new(),
        Err(refused) => return refused.into_response(),
    };
    Json(json!({"status_code": 0, "items": items})).into_response()
}

async fn connect_seller(State(sim): State<Simulator>, Json(body): Json<Value>) -> Response {
    let mut sellers = sim.sellers.lock().expect("simulator state");
    let store = text(&body, "platform_store_id");
    match partner_seller(&sim, &mut sellers, &body) {
        Ok(_) if store.is_empty() => error(INVALID_PARAMETER, "platform_store_id is required"),
        Ok((_, seller)) => match &seller.connected_to {
            Some(other) if *other != store => error(
                CONNECTED_ELSEWHERE,
                "The seller is connected to another store",
            ),
            _ => {
                seller.connected_to = Some(store);
                Json(json!({"status_code": 0})).into_response()
            }
        },
        Err(refused) => refused.into_response(),
    }
}

async fn disconnect_seller(State(sim): State<Simulator>, Json(body): Json<Value>) -> Response {
    let mut sellers = sim.sellers.lock().expect("simulator state");
    let store = text(&body, "platform_store_id");
    match partner_seller(&sim, &mut sellers, &body) {
        Ok((_, seller)) => {
            if seller.connected_to.as_deref() == Some(&store) {
                seller.connected_to = None;
            }
            Json(json!({"status_code": 0})).into_response()
        }
        Err(refused) => refused.into_response(),
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<h1>Unknown sale</h1>".to_owned()),
    )
        .into_response()
}

async fn sale_page(State(sim): State<Simulator>, Path(id): Path<String>) -> Response {
    let sales = sim.sales.lock().expect("simulator state");
    let Some(sale) = sales.get(&id) else {
        return not_found();
    };
    let amount = format!("{}.{:02}", sale.price / 100, sale.price % 100);
    let body = if sale.status == "initial" {
        format!(
            r#"<h1>PayMe sandbox</h1><p>{product}</p><p>Amount: <strong data-testid="sim-amount">{amount}</strong> {currency}</p>
<form method="post"><label for="card">Card number</label><input id="card" name="card_number" inputmode="numeric" autocomplete="off" required>
<label for="exp">Expiry (MM/YY)</label><input id="exp" name="expiry" value="12/30"><label for="cvv">CVV</label><input id="cvv" name="cvv" value="200">
<button type="submit">Pay {amount} {currency}</button></form>
<p>Test cards: <code>4557430402053431</code> is approved, <code>4000000000000002</code> is declined.</p>"#,
            product = escape(&sale.product_name),
            currency = escape(&sale.currency),
        )
    } else {
        format!("<h1>PayMe sandbox</h1><p>This sale is {}.</p>", sale.status)
    };
    page("PayMe sandbox", &body).into_response()
}

/// Charges the card, posts the callback, and sends the browser back to the shop.
async fn pay(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let card = form.digits();
    let decline = CARDS
        .iter()
        .find(|(number, _)| *number == card)
        .map_or(Some(UNKNOWN_CARD), |(_, decline)| *decline);
    let (callback, return_url) = {
        let mut sales = sim.sales.lock().expect("simulator state");
        let Some(sale) = sales.get_mut(&id) else {
            return not_found();
        };
        if sale.status != "initial" {
            return Redirect::to(&format!("{MOUNT}/sale/{id}")).into_response();
        }
        let mask =
            (card.len() >= 10).then(|| format!("{}******{}", &card[..6], &card[card.len() - 4..]));
        sale.card_mask = mask;
        match decline {
            None => {
                sale.status = "completed";
                sale.payme_transaction_id = Some(random_id("TRAN"));
            }
            Some(error) => {
                sale.status = "failed";
                sale.error = Some(error);
            }
        }
        (
            callback_fields(&sim.platform, &id, sale),
            return_fields(&id, sale),
        )
    };
    let (callback_url, fields) = callback;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    deliver(sim.http.clone(), callback_url, body.into_bytes(), "PayMe").await;
    let (url, query) = return_url;
    let separator = if url.contains('?') { '&' } else { '?' };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    Redirect::to(&format!("{url}{separator}{query}")).into_response()
}

/// The callback PayMe posts: form-encoded, signed when there is a transaction.
fn callback_fields(
    platform: &Platform,
    id: &str,
    sale: &Sale,
) -> (String, Vec<(&'static str, String)>) {
    let paid = sale.status == "completed";
    let transaction = sale.payme_transaction_id.clone().unwrap_or_default();
    let signature = if paid {
        payme::signature(platform, &transaction, id)
    } else {
        String::new()
    };
    let (error_code, error_text) = sale
        .error
        .map_or((String::new(), ""), |(c, t)| (c.to_string(), t));
    let fields = vec![
        ("status_code", if paid { "0" } else { "1" }.to_owned()),
        (
            "payme_status",
            if paid { "success" } else { "error" }.to_owned(),
        ),
        ("status_error_code", error_code),
        ("status_error_details", error_text.to_owned()),
        (
            "notify_type",
            if paid {
                "sale-complete"
            } else {
                "sale-failure"
            }
            .to_owned(),
        ),
        ("sale_status", sale.status.to_owned()),
        ("payme_sale_id", id.to_owned()),
        ("payme_transaction_id", transaction),
        ("transaction_id", sale.transaction_id.clone()),
        ("price", sale.price.to_string()),
        ("currency", sale.currency.clone()),
        ("sale_payment_method", "credit-card".to_owned()),
        ("installments", "1".to_owned()),
        (
            "buyer_card_mask",
            sale.card_mask.clone().unwrap_or_default(),
        ),
        ("buyer_name", sale.buyer_name.clone()),
        ("is_token_sale", "0".to_owned()),
        ("payme_signature", signature),
    ];
    (sale.callback_url.clone(), fields)
}

fn return_fields(id: &str, sale: &Sale) -> (String, Vec<(&'static str, String)>) {
    let paid = sale.status == "completed";
    let fields = vec![
        (
            "payme_status",
            if paid { "success" } else { "error" }.to_owned(),
        ),
        ("payme_sale_id", id.to_owned()),
        (
            "payme_transaction_id",
            sale.payme_transaction_id.clone().unwrap_or_default(),
        ),
        ("price", sale.price.to_string()),
        ("currency", sale.currency.clone()),
        ("transaction_id", sale.transaction_id.clone()),
        ("is_token_sale", "0".to_owned()),
    ];
    (sale.return_url.clone(), fields)
}

async fn signup_page() -> Html<String> {
    page(
        "PayMe sandbox · sign up",
        r#"<h1>Open a PayMe account (sandbox)</h1><p>The account is registered through Kassa, so it can be connected to a Kassa store.</p>
<form method="post"><label for="email">E-mail</label><input id="email" name="email" type="email" required><button type="submit">Open account</button></form>"#,
    )
}

#[derive(Deserialize)]
struct SignupForm {
    email: String,
}

async fn signup(State(sim): State<Simulator>, Form(form): Form<SignupForm>) -> Response {
    let email = form.email.trim().to_lowercase();
    if engine::validation::required_email(&email).is_err() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(
                "PayMe sandbox · sign up",
                "<h1>That is not an e-mail address</h1>",
            ),
        )
            .into_response();
    }
    let key = random_id("MPL");
    sim.sellers.lock().expect("simulator state").insert(
        key.clone(),
        Seller {
            email: email.clone(),
            platform: Some(sim.platform.client_key.clone()),
            connected_to: None,
        },
    );
    let body = format!(
        r#"<h1>Your PayMe account is open</h1><p>E-mail: <strong>{}</strong></p><p>Seller key (API key): <code data-testid="seller-key">{key}</code></p><p>Paste both into Kassa: Payment methods → Add PayMe.</p>"#,
        escape(&email)
    );
    page("PayMe sandbox · account", &body).into_response()
}
