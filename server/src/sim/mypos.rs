//! A myPOS Checkout simulator (the test environment, `vmp/checkout-test`). It knows one store
//! ([`DEMO_SID`], wallet [`DEMO_WALLET`]) whose merchant key pair is [`DEMO_PRIVATE_KEY`] under
//! key index [`DEMO_KEY_INDEX`], and signs its own messages with a key pair of its own, whose
//! certificate is [`CERTIFICATE`].
//!
//! An `IPCPurchase` form is checked as myPOS does (the merchant's signature, the store and
//! wallet, the cart adding up to the amount) and opens a card page that takes the test cards
//! of myPOS's test environment; other cards are declined there. A paid card posts a signed
//! `IPCPurchaseNotify` to `URL_Notify`: answered `OK`, the browser is posted `IPCPurchaseOK`
//! to `URL_OK`; otherwise the payment is reversed, as myPOS does, and the browser is posted
//! `IPCPurchaseCancel` to `URL_Cancel`. `IPCGetTxnStatus` at the same address answers how an
//! order stands (`status`). `notifications?order=…` lists the notifications sent
//! for an order, one raw body per line; `package` is the store's configuration package, as
//! myPOS's portal offers it for download.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use engine::connectors::mypos::{self, TEST_PATH};
use engine::connectors::{param, parse_decimal};
use engine::money::Currency;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Deserialize;

use super::{CardForm, escape, page};

mod status;

pub const MOUNT: &str = engine::connectors::mypos::SPEC.sandbox_path;
/// The simulator's store: its Store ID, wallet and key index.
pub const DEMO_SID: &str = "000000000000099";
pub const DEMO_WALLET: &str = "61900000099";
pub const DEMO_KEY_INDEX: &str = "1";
/// The demo store's private key (its public half is registered with the simulator).
pub const DEMO_PRIVATE_KEY: &str = include_str!("mypos/merchant_key.pem");
const DEMO_PUBLIC_KEY: &str = include_str!("mypos/merchant_public.pem");
/// The simulator's certificate, which checks its messages (the "myPOS Public Certificate").
pub const CERTIFICATE: &str = include_str!("mypos/simulator_cert.pem");
/// The simulator's own private key (a sandbox key: tests sign messages "from myPOS" with it).
pub const SIMULATOR_KEY: &str = include_str!("mypos/simulator_key.pem");

/// The test cards of myPOS's test environment (any holder, future expiry and CVC).
pub const TEST_CARDS: &[(&str, &str)] = &[
    ("4006090000000007", "VISA"),
    ("4929131949828217", "VISA"),
    ("4002880000000005", "VISA Electron"),
    ("5326100000000004", "MasterCard"),
    ("67032000000000001", "Maestro"),
    ("4877000000000002", "VPay"),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Open,
    Paid,
    Reversed,
    Cancelled,
}

struct Order {
    /// The purchase form's fields.
    form: Vec<(String, String)>,
    stage: Stage,
    declined: bool,
}

impl Order {
    fn get(&self, name: &str) -> &str {
        param(&self.form, name).unwrap_or_default()
    }
}

#[derive(Clone)]
struct Simulator {
    shop: super::Shop,
    http: reqwest::Client,
    merchant: RsaPublicKey,
    key: RsaPrivateKey,
    orders: Arc<Mutex<HashMap<String, Order>>>,
    /// Every notification sent.
    sent: Arc<Mutex<Vec<Notification>>>,
}

struct Notification {
    order: String,
    body: String,
}

pub fn routes(shop: super::Shop) -> Router {
    use rsa::pkcs8::DecodePublicKey;
    let sim = Simulator {
        shop,
        http: reqwest::Client::new(),
        merchant: RsaPublicKey::from_public_key_pem(DEMO_PUBLIC_KEY)
            .expect("the demo merchant's public key is valid"),
        key: mypos::private_key(SIMULATOR_KEY).expect("the simulator's key is valid"),
        orders: Arc::new(Mutex::new(HashMap::new())),
        sent: Arc::new(Mutex::new(Vec::new())),
    };
    Router::new()
        .route(TEST_PATH, post(purchase))
        .route("/pay/{id}", get(card_page).post(pay))
        .route("/pay/{id}/cancel", post(cancel))
        .route("/notifications", get(notifications))
        .route("/package", get(package))
        .with_state(sim)
}

/// myPOS's answer to a bad request: its status code and message.
fn refuse(status: u8, message: &str) -> Response {
    let body = format!(
        "<h1>myPOS Checkout (test)</h1><p role=\"alert\">Status {status}: {}</p>",
        escape(message)
    );
    (StatusCode::BAD_REQUEST, page("myPOS Checkout", &body)).into_response()
}

/// Checks an `IPCPurchase` as myPOS does; `Err` is myPOS's status code and message.
fn check_purchase(sim: &Simulator, form: &[(String, String)]) -> Result<(), (u8, String)> {
    let field = |name: &str| param(form, name).unwrap_or_default();
    let missing = [
        "IPCmethod",
        "IPCVersion",
        "SID",
        "WalletNumber",
        "KeyIndex",
        "Currency",
        "Amount",
        "OrderID",
        "URL_OK",
        "URL_Cancel",
        "URL_Notify",
        "CartItems",
        "Signature",
    ]
    .into_iter()
    .find(|name| field(name).is_empty());
    if let Some(name) = missing {
        return Err((1, format!("{name} is missing")));
    }
    if field("IPCmethod") != "IPCPurchase" {
        return Err((10, "Only IPCPurchase is simulated".into()));
    }
    if let Some(name) = ["URL_OK", "URL_Cancel", "URL_Notify"]
        .into_iter()
        .find(|name| !sim.shop.owns(field(name)))
    {
        return Err((5, format!("{name} is not the shop's own address")));
    }
    if field("SID") != DEMO_SID || field("KeyIndex") != DEMO_KEY_INDEX {
        return Err((4, "Unknown store or key index".into()));
    }
    if mypos::verify(&sim.merchant, form).is_err() {
        return Err((2, "Signature is not valid".into()));
    }
    if field("WalletNumber") != DEMO_WALLET {
        return Err((5, "WalletNumber does not belong to the store".into()));
    }
    let currency = Currency::parse(field("Currency"))
        .filter(|c| mypos::CURRENCIES.contains(&c.code()))
        .ok_or((5, "Currency is not supported".to_owned()))?;
    let money = |name: &str| -> Result<i64, (u8, String)> {
        let text = field(name);
        let (sign, digits) = text.strip_prefix('-').map_or((1, text), |d| (-1, d));
        parse_decimal(digits, currency)
            .map(|v| sign * v)
            .ok_or((5, format!("{name} is not an amount")))
    };
    let amount = money("Amount")?;
    if amount <= 0 {
        return Err((9, "Amount must be positive".into()));
    }
    let lines: usize = field("CartItems")
        .parse()
        .map_err(|_| (5, "CartItems is not a number".to_owned()))?;
    let mut total = 0;
    for i in 1..=lines {
        let quantity: i64 = field(&format!("Quantity_{i}"))
            .parse()
            .map_err(|_| (5, format!("Quantity_{i} is not a number")))?;
        let price = money(&format!("Price_{i}"))?;
        let line = money(&format!("Amount_{i}"))?;
        if line != price * quantity || field(&format!("Currency_{i}")) != currency.code() {
            return Err((5, format!("cart line {i} does not add up")));
        }
        total += line;
    }
    if total != amount {
        return Err((9, "The cart does not add up to Amount".into()));
    }
    Ok(())
}

async fn purchase(State(sim): State<Simulator>, body: Bytes) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    if param(&form, "IPCmethod") == Some(mypos::status::METHOD) {
        return status::answer(&sim, &form);
    }
    if let Err((status, message)) = check_purchase(&sim, &form) {
        return refuse(status, &message);
    }
    let id = format!("{:016x}", rand::random::<u64>());
    sim.orders.lock().expect("simulator state").insert(
        id.clone(),
        Order {
            form,
            stage: Stage::Open,
            declined: false,
        },
    );
    Redirect::to(&format!("{MOUNT}/pay/{id}")).into_response()
}

fn unknown_order() -> Response {
    refuse(5, "Unknown payment")
}

async fn card_page(State(sim): State<Simulator>, Path(id): Path<String>) -> Response {
    let orders = sim.orders.lock().expect("simulator state");
    let Some(o) = orders.get(&id) else {
        return unknown_order();
    };
    let summary = format!(
        r#"<h1>myPOS Checkout (test)</h1><p>{article}</p><p>Amount: <strong data-testid="sim-amount">{amount}</strong> {currency}</p>"#,
        article = escape(o.get("Article_1")),
        amount = escape(o.get("Amount")),
        currency = escape(o.get("Currency")),
    );
    if o.stage != Stage::Open {
        return page(
            "myPOS Checkout",
            &format!("{summary}<p>This payment is closed.</p>"),
        )
        .into_response();
    }
    let declined = if o.declined {
        r#"<p role="alert">The card was declined. The test environment takes only its test cards.</p>"#
    } else {
        ""
    };
    let save = if o.get("CardTokenRequest") == "0" {
        ""
    } else {
        "<p>The card will be saved for your next purchase.</p>"
    };
    let cards = TEST_CARDS
        .iter()
        .map(|(number, kind)| format!("<code>{number}</code> ({kind})"))
        .collect::<Vec<_>>()
        .join(", ");
    let body = format!(
        r#"{summary}{declined}<form method="post"><label for="card">Card number</label><input id="card" name="card_number" inputmode="numeric" autocomplete="off" required>
<label for="holder">Cardholder</label><input id="holder" name="holder" value="TEST">
<label for="exp">Expiry (MM/YY)</label><input id="exp" name="expiry" value="12/30"><label for="cvc">CVC</label><input id="cvc" name="cvc" value="111">
{save}<button type="submit">Pay {amount} {currency}</button></form>
<form method="post" action="{MOUNT}/pay/{id}/cancel"><button type="submit">Cancel payment</button></form>
<p>Test cards: {cards}.</p>"#,
        amount = escape(o.get("Amount")),
        currency = escape(o.get("Currency")),
    );
    page("myPOS Checkout", &body).into_response()
}

/// Charges a test card, notifies the shop and sends the browser back to it.
async fn pay(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let card = form.digits();
    let notification = {
        let mut orders = sim.orders.lock().expect("simulator state");
        let Some(o) = orders.get_mut(&id).filter(|o| o.stage == Stage::Open) else {
            return unknown_order();
        };
        let Some((_, kind)) = TEST_CARDS.iter().find(|(number, _)| *number == card) else {
            o.declined = true;
            return Redirect::to(&format!("{MOUNT}/pay/{id}")).into_response();
        };
        (
            o.get("URL_Notify").to_owned(),
            o.get("OrderID").to_owned(),
            notify_fields(&sim, o, &card, kind),
        )
    };
    let (url, order, body) = notification;
    sim.sent
        .lock()
        .expect("simulator state")
        .push(Notification {
            order,
            body: body.clone(),
        });
    let confirmed = sim
        .http
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    let confirmed = match confirmed {
        Ok(answer) if answer.status().is_success() => {
            answer.text().await.is_ok_and(|text| text.trim() == "OK")
        }
        _ => false,
    };
    let mut orders = sim.orders.lock().expect("simulator state");
    let Some(o) = orders.get_mut(&id) else {
        return unknown_order();
    };
    if confirmed {
        o.stage = Stage::Paid;
        back_to_shop(&sim, o, "IPCPurchaseOK", "URL_OK", "Payment successful")
    } else {
        o.stage = Stage::Reversed;
        back_to_shop(
            &sim,
            o,
            "IPCPurchaseCancel",
            "URL_Cancel",
            "The shop did not confirm the payment, so myPOS reversed it.",
        )
    }
}

async fn cancel(State(sim): State<Simulator>, Path(id): Path<String>) -> Response {
    let mut orders = sim.orders.lock().expect("simulator state");
    let Some(o) = orders.get_mut(&id).filter(|o| o.stage == Stage::Open) else {
        return unknown_order();
    };
    o.stage = Stage::Cancelled;
    back_to_shop(
        &sim,
        o,
        "IPCPurchaseCancel",
        "URL_Cancel",
        "Payment cancelled",
    )
}

/// A signed form of `fields`, form-encoded, in order.
fn signed(sim: &Simulator, mut fields: Vec<(&str, String)>) -> Vec<(String, String)> {
    let signature = mypos::sign(&sim.key, fields.iter().map(|(_, v)| v.as_str()));
    fields.push(("Signature", signature));
    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The `IPCPurchaseNotify` of a paid order, form-encoded and signed.
fn notify_fields(sim: &Simulator, o: &Order, card: &str, kind: &str) -> String {
    let now = engine::time::now_millis();
    let (year, month, day) = engine::time::civil_from_days(now / 86_400_000);
    let seconds = now / 1000 % 86_400;
    let mut fields = vec![
        ("IPCmethod", "IPCPurchaseNotify".to_owned()),
        ("SID", o.get("SID").to_owned()),
        ("Amount", o.get("Amount").to_owned()),
        ("Currency", o.get("Currency").to_owned()),
        ("OrderID", o.get("OrderID").to_owned()),
        (
            "IPC_Trnref",
            (rand::random::<u64>() % 9_000_000_000 + 1_000_000_000).to_string(),
        ),
        (
            "RequestSTAN",
            (rand::random::<u32>() % 999_999 + 1).to_string(),
        ),
        (
            "RequestDateTime",
            format!(
                "{year}-{month:02}-{day:02} {:02}:{:02}:{:02}",
                seconds / 3600,
                seconds / 60 % 60,
                seconds % 60
            ),
        ),
        ("PaymentMethod", "1".to_owned()),
        ("BillingDescriptor", "MYPOS*KASSA DEMO".to_owned()),
        ("PAN", card[card.len() - 4..].to_owned()),
        ("ExpDate", "3012".to_owned()),
        ("CardType", kind.to_owned()),
    ];
    if o.get("CardTokenRequest") != "0" {
        fields.push(("CardToken", format!("{:032x}", rand::random::<u128>())));
    }
    fields.extend([
        ("CustomerEmail", o.get("customeremail").to_owned()),
        ("CustomerPhone", o.get("customerphone").to_owned()),
        ("CustomerFirstNames", o.get("customerfirstnames").to_owned()),
        ("CustomerFamilyName", o.get("customerfamilyname").to_owned()),
    ]);
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(signed(sim, fields))
        .finish()
}

/// A page that posts `method` (signed) to the order's `url_field`: at once with JavaScript,
/// with a button without.
fn back_to_shop(
    sim: &Simulator,
    o: &Order,
    method: &str,
    url_field: &str,
    message: &str,
) -> Response {
    let fields = signed(
        sim,
        vec![
            ("IPCmethod", method.to_owned()),
            ("SID", o.get("SID").to_owned()),
            ("OrderID", o.get("OrderID").to_owned()),
        ],
    );
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape(k),
                escape(v)
            )
        })
        .collect();
    let body = format!(
        r#"<h1>myPOS Checkout (test)</h1><p>{}</p><form method="post" action="{}">{inputs}<button type="submit">Back to the shop</button></form><script>document.forms[0].submit()</script>"#,
        escape(message),
        escape(o.get(url_field)),
    );
    page("myPOS Checkout", &body).into_response()
}

#[derive(Deserialize)]
struct Sent {
    order: String,
}

/// The notifications sent for an order, oldest first, one raw body per line.
async fn notifications(State(sim): State<Simulator>, Query(q): Query<Sent>) -> String {
    sim.sent
        .lock()
        .expect("simulator state")
        .iter()
        .filter(|n| n.order == q.order)
        .map(|n| format!("{}\n", n.body))
        .collect()
}

/// The demo store's configuration package: base64 of its JSON, as myPOS's portal gives it.
pub fn demo_package() -> String {
    use base64::Engine as _;
    let json = serde_json::json!({
        "sid": DEMO_SID,
        "cn": DEMO_WALLET,
        "pk": DEMO_PRIVATE_KEY,
        "pc": CERTIFICATE,
        "idx": DEMO_KEY_INDEX.parse::<u32>().expect("a numeric key index"),
    });
    base64::engine::general_purpose::STANDARD.encode(json.to_string())
}

async fn package() -> Response {
    (
        [(
            axum::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"mypos-config-package.txt\"",
        )],
        demo_package(),
    )
        .into_response()
}
