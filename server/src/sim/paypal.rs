//! A PayPal Payments Standard simulator. The shop's `_xclick` form is posted to
//! `cgi-bin/webscr`, which opens a checkout page; paying there posts an IPN to the form's
//! `notify_url` (retried while it is not answered 200) and sends the browser to `return`. The
//! IPN is written in the charset chosen on the page (windows-1255, as many Hebrew accounts
//! are set, or UTF-8). A post-back (`cmd=_notify-validate&` + an IPN) is answered `VERIFIED`
//! only when its bytes are exactly those of an IPN the simulator sent, else `INVALID`.
//!
//! An order paid by eCheck is `Pending` until "Clear the eCheck"; a paid order can be
//! refunded, in part or all of what is left, each refund a transaction of its own with a
//! `Refunded` IPN (negative `mc_gross`). `ipn-history?invoice=…` lists the IPNs sent for an
//! invoice, one raw body per line, as PayPal's IPN History page lets a merchant see them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1255};
use engine::connectors::paypal;
use engine::money::Currency;
use serde::Deserialize;

use super::{deliver, escape, page};

pub const MOUNT: &str = engine::connectors::paypal::SPEC.sandbox_path;
/// The sandbox business account: its Secure Merchant Account ID and e-mail.
pub const DEMO_ACCOUNT_ID: &str = "KASSADEMOPP01";
pub const DEMO_EMAIL: &str = "paypal@demo.kassa.test";
/// The prefix of a post-back.
const VALIDATE: &[u8] = b"cmd=_notify-validate&";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Open,
    Pending,
    Completed,
    Refunded,
}

struct Order {
    item_name: String,
    amount: String,
    currency: String,
    invoice: String,
    notify_url: String,
    return_url: String,
    cancel_url: String,
    state: Stage,
    echeck: bool,
    txn_id: String,
    /// What refunds gave back so far, in minor units.
    refunded: i64,
    first_name: String,
    last_name: String,
    encoding: &'static Encoding,
}

#[derive(Clone)]
struct Simulator {
    shop: super::Shop,
    http: reqwest::Client,
    orders: Arc<Mutex<HashMap<String, Order>>>,
    /// Every IPN sent, with its exact bytes.
    sent: Arc<Mutex<Vec<Ipn>>>,
}

pub fn routes(shop: super::Shop) -> Router {
    let sim = Simulator {
        shop,
        http: reqwest::Client::new(),
        orders: Arc::new(Mutex::new(HashMap::new())),
        sent: Arc::new(Mutex::new(Vec::new())),
    };
    Router::new()
        .route("/cgi-bin/webscr", post(webscr))
        .route("/checkout/{id}", get(checkout_page).post(pay))
        .route("/checkout/{id}/clear", post(clear_echeck))
        .route("/checkout/{id}/refund", post(refund))
        .route("/ipn-history", get(ipn_history))
        .with_state(sim)
}

fn random_id(length: usize) -> String {
    let alphabet = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    (0..length)
        .map(|_| alphabet[rand::random::<u8>() as usize % alphabet.len()] as char)
        .collect()
}

fn refuse(status: StatusCode, why: &str) -> Response {
    let body = format!(
        "<h1>PayPal sandbox</h1><p role=\"alert\">Things don't appear to be working at the moment.</p><p>{}</p>",
        escape(why)
    );
    (status, page("PayPal sandbox", &body)).into_response()
}

/// The shop's checkout form, or a listener's post-back.
async fn webscr(State(sim): State<Simulator>, body: Bytes) -> Response {
    if let Some(ipn) = body.strip_prefix(VALIDATE) {
        let known = sim
            .sent
            .lock()
            .expect("simulator state")
            .iter()
            .any(|sent| sent.body == ipn);
        return if known { "VERIFIED" } else { "INVALID" }.into_response();
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    if field("cmd") != "_xclick" {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Only Buy Now buttons (_xclick) are simulated.",
        );
    }
    let business = field("business");
    if !business.eq_ignore_ascii_case(DEMO_ACCOUNT_ID) && !business.eq_ignore_ascii_case(DEMO_EMAIL)
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            "The merchant is not a PayPal sandbox business account.",
        );
    }
    let currency = field("currency_code");
    let amount = field("amount");
    let valid_amount = Currency::parse(&currency)
        .filter(|c| paypal::CURRENCIES.contains(&c.code()))
        .and_then(|c| engine::connectors::parse_decimal(&amount, c))
        .is_some_and(|minor| minor > 0);
    if !valid_amount {
        return refuse(
            StatusCode::BAD_REQUEST,
            "The amount or currency is not valid.",
        );
    }
    let is_url = |u: &str| sim.shop.owns(u);
    let invoice = field("invoice");
    let cancel = field("cancel_return");
    if invoice.is_empty()
        || !is_url(&field("notify_url"))
        || !is_url(&field("return"))
        || !(cancel.is_empty() || is_url(&cancel))
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invoice is required; notify_url, return and cancel_return must be the shop's own addresses.",
        );
    }
    let mut orders = sim.orders.lock().expect("simulator state");
    // PayPal's "block duplicate invoice" setting, on in the sandbox account.
    if orders
        .values()
        .any(|o| o.invoice == invoice && o.state != Stage::Open)
    {
        return refuse(StatusCode::CONFLICT, "This invoice has already been paid.");
    }
    let id = random_id(17);
    orders.insert(
        id.clone(),
        Order {
            item_name: field("item_name"),
            amount,
            currency,
            invoice,
            notify_url: field("notify_url"),
            return_url: field("return"),
            cancel_url: Some(field("cancel_return"))
                .filter(|u| is_url(u))
                .unwrap_or_else(|| field("return")),
            state: Stage::Open,
            echeck: false,
            txn_id: String::new(),
            refunded: 0,
            first_name: String::new(),
            last_name: String::new(),
            encoding: WINDOWS_1255,
        },
    );
    Redirect::to(&format!("{MOUNT}/checkout/{id}")).into_response()
}

fn unknown_order() -> Response {
    refuse(StatusCode::NOT_FOUND, "Unknown checkout.")
}

async fn checkout_page(State(sim): State<Simulator>, Path(id): Path<String>) -> Response {
    let orders = sim.orders.lock().expect("simulator state");
    let Some(o) = orders.get(&id) else {
        return unknown_order();
    };
    let summary = format!(
        r#"<h1>PayPal sandbox</h1><p>{item}</p><p>Amount: <strong data-testid="sim-amount">{amount}</strong> {currency}</p>"#,
        item = escape(&o.item_name),
        amount = escape(&o.amount),
        currency = escape(&o.currency),
    );
    let actions = match o.state {
        Stage::Open => r#"<form method="post">
<label for="first">Buyer's first name</label><input id="first" name="first_name" value="ישראל">
<label for="last">Buyer's last name</label><input id="last" name="last_name" value="ישראלי">
<label for="charset">The merchant's IPN encoding</label><select id="charset" name="charset"><option>windows-1255</option><option>UTF-8</option></select>
<button type="submit" name="funding" value="balance">Pay now</button>
<button type="submit" name="funding" value="echeck">Pay by eCheck</button>
<button type="submit" name="funding" value="cancel">Cancel and return to the merchant</button></form>"#
            .to_owned(),
        Stage::Pending => format!(
            r#"<p>The eCheck is pending.</p><form method="post" action="{MOUNT}/checkout/{id}/clear"><button type="submit">Clear the eCheck</button></form>"#
        ),
        Stage::Completed => format!(
            r#"<p>Paid: transaction <code>{}</code>.</p><form method="post" action="{MOUNT}/checkout/{id}/refund"><label for="refund">Amount to refund (empty: all that is left)</label><input id="refund" name="amount" inputmode="decimal"><button type="submit">Refund</button></form>"#,
            o.txn_id
        ),
        Stage::Refunded => "<p>Refunded.</p>".to_owned(),
    };
    page("PayPal sandbox", &format!("{summary}{actions}")).into_response()
}

#[derive(Deserialize)]
struct PayForm {
    funding: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    charset: String,
}

/// Pays (or starts an eCheck, or cancels), posts the IPN and sends the browser back.
async fn pay(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Form(form): Form<PayForm>,
) -> Response {
    let (ipn, back) = {
        let mut orders = sim.orders.lock().expect("simulator state");
        let Some(o) = orders.get_mut(&id) else {
            return unknown_order();
        };
        if o.state != Stage::Open {
            return Redirect::to(&format!("{MOUNT}/checkout/{id}")).into_response();
        }
        if form.funding == "cancel" {
            return Redirect::to(&o.cancel_url).into_response();
        }
        o.echeck = form.funding == "echeck";
        o.state = if o.echeck {
            Stage::Pending
        } else {
            Stage::Completed
        };
        o.txn_id = random_id(17);
        o.first_name = form.first_name;
        o.last_name = form.last_name;
        o.encoding = Encoding::for_label(form.charset.as_bytes()).unwrap_or(UTF_8);
        let back = return_url(o);
        (ipn_for(o, None), back)
    };
    send(&sim, ipn).await;
    Redirect::to(&back).into_response()
}

/// Where the buyer goes back (`rm=1`: a GET with the payment's variables).
fn return_url(o: &Order) -> String {
    let status = if o.state == Stage::Completed {
        "Completed"
    } else {
        "Pending"
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("tx", o.txn_id.as_str()),
            ("st", status),
            ("amt", &o.amount),
            ("cc", &o.currency),
            ("item_number", &o.invoice),
        ])
        .finish();
    let separator = if o.return_url.contains('?') { '&' } else { '?' };
    format!("{}{separator}{query}", o.return_url)
}

async fn clear_echeck(State(sim): State<Simulator>, Path(id): Path<String>) -> Response {
    let ipn = {
        let mut orders = sim.orders.lock().expect("simulator state");
        let Some(o) = orders.get_mut(&id).filter(|o| o.state == Stage::Pending) else {
            return unknown_order();
        };
        o.state = Stage::Completed;
        ipn_for(o, None)
    };
    send(&sim, ipn).await;
    Redirect::to(&format!("{MOUNT}/checkout/{id}")).into_response()
}

#[derive(Deserialize)]
struct RefundForm {
    #[serde(default)]
    amount: String,
}

/// Refunds `amount` (all that is left when empty) as a transaction of its own.
async fn refund(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Form(form): Form<RefundForm>,
) -> Response {
    let ipn = {
        let mut orders = sim.orders.lock().expect("simulator state");
        let Some(o) = orders.get_mut(&id).filter(|o| o.state == Stage::Completed) else {
            return unknown_order();
        };
        let Some((currency, paid)) = Currency::parse(&o.currency)
            .and_then(|c| Some((c, engine::connectors::parse_decimal(&o.amount, c)?)))
        else {
            return unknown_order();
        };
        let left = paid - o.refunded;
        let asked = form.amount.trim();
        let amount = if asked.is_empty() {
            Some(left)
        } else {
            engine::connectors::parse_decimal(asked, currency)
        };
        let Some(amount) = amount.filter(|a| (1..=left).contains(a)) else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "A refund gives back more than nothing and at most what is left of the payment.",
            );
        };
        o.refunded += amount;
        if o.refunded == paid {
            o.state = Stage::Refunded;
        }
        let refund = Refund {
            txn_id: random_id(17),
            amount: engine::connectors::decimal(amount, currency),
        };
        ipn_for(o, Some(refund))
    };
    send(&sim, ipn).await;
    Redirect::to(&format!("{MOUNT}/checkout/{id}")).into_response()
}

/// A refund: its own transaction and what it gave back.
struct Refund {
    txn_id: String,
    amount: String,
}

/// An IPN: where it goes, its invoice and its bytes.
#[derive(Clone)]
struct Ipn {
    url: String,
    invoice: String,
    body: Vec<u8>,
}

/// The IPN of an order's current state, in PayPal's field order and the account's charset.
/// A refund is a new transaction pointing at the payment's.
fn ipn_for(o: &Order, refund: Option<Refund>) -> Ipn {
    let (status, txn_id, gross, parent) = match (refund, o.state) {
        (Some(refund), _) => (
            "Refunded",
            refund.txn_id,
            format!("-{}", refund.amount),
            o.txn_id.clone(),
        ),
        (None, Stage::Pending) => ("Pending", o.txn_id.clone(), o.amount.clone(), String::new()),
        (None, _) => (
            "Completed",
            o.txn_id.clone(),
            o.amount.clone(),
            String::new(),
        ),
    };
    let payment_type = if o.echeck { "echeck" } else { "instant" };
    let mut fields: Vec<(&str, String)> = vec![
        ("mc_gross", gross.clone()),
        ("invoice", o.invoice.clone()),
        ("protection_eligibility", "Eligible".into()),
        ("payer_id", "KASSABUYER001".into()),
        ("payment_date", payment_date()),
        ("payment_status", status.into()),
        ("charset", o.encoding.name().into()),
        ("first_name", o.first_name.clone()),
        ("mc_fee", "0.00".into()),
        ("notify_version", "3.9".into()),
        ("custom", String::new()),
        ("payer_status", "verified".into()),
        ("business", DEMO_EMAIL.into()),
        ("quantity", "1".into()),
        ("verify_sign", random_id(56)),
        ("payer_email", "buyer@demo.kassa.test".into()),
        ("txn_id", txn_id),
        ("payment_type", payment_type.into()),
        ("last_name", o.last_name.clone()),
        ("receiver_email", DEMO_EMAIL.into()),
        ("receiver_id", DEMO_ACCOUNT_ID.into()),
        ("txn_type", "web_accept".into()),
        ("item_name", o.item_name.clone()),
        ("mc_currency", o.currency.clone()),
        ("item_number", o.invoice.clone()),
        ("residence_country", "IL".into()),
        ("test_ipn", "1".into()),
        ("payment_gross", gross),
        ("ipn_track_id", random_id(13).to_lowercase()),
    ];
    if status == "Pending" {
        fields.push(("pending_reason", "echeck".into()));
    }
    if !parent.is_empty() {
        fields.push(("parent_txn_id", parent));
        fields.push(("reason_code", "refund".into()));
    }
    let body = fields
        .iter()
        .map(|(name, value)| {
            let (bytes, _, _) = o.encoding.encode(value);
            format!(
                "{name}={}",
                url::form_urlencoded::byte_serialize(&bytes).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    Ipn {
        url: o.notify_url.clone(),
        invoice: o.invoice.clone(),
        body: body.into_bytes(),
    }
}

/// Now in PayPal's format, e.g. `10:04:06 Nov 24, 2026 UTC` (PayPal writes PST).
fn payment_date() -> String {
    let millis = engine::time::now_millis();
    let (seconds, days) = (millis / 1000 % 86_400, millis / 86_400_000);
    let (year, month, day) = engine::time::civil_from_days(days);
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{:02}:{:02}:{:02} {} {day:02}, {year} UTC",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        months[month as usize - 1]
    )
}

async fn send(sim: &Simulator, ipn: Ipn) {
    sim.sent.lock().expect("simulator state").push(ipn.clone());
    deliver(sim.http.clone(), ipn.url, ipn.body, "PayPal").await;
}

#[derive(Deserialize)]
struct History {
    invoice: String,
}

/// The IPNs sent for an invoice, oldest first, one raw body per line.
async fn ipn_history(State(sim): State<Simulator>, Query(q): Query<History>) -> String {
    sim.sent
        .lock()
        .expect("simulator state")
        .iter()
        .filter(|ipn| ipn.invoice == q.invoice)
        .map(|ipn| String::from_utf8_lossy(&ipn.body).into_owned() + "\n")
        .collect()
}
