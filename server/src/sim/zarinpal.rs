//! A Zarinpal v4 simulator: `request.json`, the StartPay page (pay or cancel), and
//! `verify.json` answering as the gateway does: 100 once, 101 on repeats, −50 for a different
//! amount, −51 when unpaid, −53 for another merchant's authority, −54 for an unknown one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::escape;

/// Where Kassa mounts this simulator.
pub const MOUNT: &str = engine::connectors::zarinpal::SPEC.sandbox_path;
/// A merchant id the simulator treats as an inactive terminal (−11), to test refusals.
pub const INACTIVE_MERCHANT: &str = "00000000-0000-0000-0000-000000000011";
const MIN_AMOUNT: i64 = 10_000;
const MAX_AMOUNT: i64 = 1_000_000_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Pending,
    Paid,
    Cancelled,
}

struct SimPayment {
    merchant_id: String,
    amount: i64,
    description: String,
    callback_url: String,
    stage: Stage,
    verified: bool,
    ref_id: i64,
}

#[derive(Clone)]
pub struct Simulator {
    shop: super::Shop,
    payments: Arc<Mutex<HashMap<String, SimPayment>>>,
}

/// The simulator, for the shop (Kassa) at `shop`.
pub fn routes(shop: super::Shop) -> Router {
    Router::new()
        .route("/pg/v4/payment/request.json", post(request))
        .route("/pg/v4/payment/verify.json", post(verify))
        .route("/pg/StartPay/{authority}", get(start_pay).post(decide))
        .with_state(Simulator {
            shop,
            payments: Arc::default(),
        })
}

fn error(code: i64, message: &str) -> Response {
    let body = json!({"data": [], "errors": {"code": code, "message": message, "validations": []}});
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn valid_uuid(id: &str) -> bool {
    engine::connectors::zarinpal::valid_merchant_id(id)
}

async fn request(State(sim): State<Simulator>, Json(body): Json<Value>) -> Response {
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let merchant_id = text("merchant_id");
    let amount = body.get("amount").and_then(Value::as_i64).unwrap_or(0);
    let description = text("description");
    let callback_url = text("callback_url");
    if !valid_uuid(&merchant_id) {
        return error(-9, "The merchant_id must be 36 characters.");
    }
    if merchant_id == INACTIVE_MERCHANT {
        return error(-11, "Terminal is not active.");
    }
    if description.is_empty() || description.chars().count() > 500 {
        return error(
            -9,
            "The description is required and at most 500 characters.",
        );
    }
    if !sim.shop.owns(&callback_url) {
        return error(-9, "The callback_url must be the shop's own address.");
    }
    if amount < MIN_AMOUNT {
        return error(-9, "The amount must be at least 1000 toman.");
    }
    if amount > MAX_AMOUNT {
        return error(-41, "Maximum amount is 100,000,000 toman.");
    }
    let authority = format!(
        "A{:035}",
        rand::random::<u64>() as u128 * 1_000 + rand::random::<u16>() as u128 % 1000
    );
    let payment = SimPayment {
        merchant_id,
        amount,
        description,
        callback_url,
        stage: Stage::Pending,
        verified: false,
        ref_id: i64::from(rand::random::<u32>()) + 1,
    };
    sim.payments
        .lock()
        .expect("simulator state")
        .insert(authority.clone(), payment);
    Json(json!({"data": {"code": 100, "message": "Success", "authority": authority, "fee_type": "Merchant", "fee": 0}, "errors": []}))
        .into_response()
}

async fn start_pay(State(sim): State<Simulator>, Path(authority): Path<String>) -> Response {
    let payments = sim.payments.lock().expect("simulator state");
    let Some(p) = payments.get(&authority) else {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1>Unknown authority</h1>".to_owned()),
        )
            .into_response();
    };
    let page = format!(
        r#"<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Zarinpal sandbox</title><style>body{{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}button{{font-size:1.1rem;padding:.6rem 1.2rem;margin:.3rem}}</style></head>
<body><h1>Zarinpal sandbox · درگاه آزمایشی</h1><p>{description}</p><p>Amount: <strong data-testid="sim-amount">{amount}</strong> IRR</p>
<form method="post"><button name="action" value="pay">Pay · پرداخت</button><button name="action" value="cancel">Cancel · انصراف</button></form></body></html>"#,
        description = escape(&p.description),
        amount = p.amount,
    );
    Html(page).into_response()
}

#[derive(Deserialize)]
struct Decision {
    action: String,
}

async fn decide(
    State(sim): State<Simulator>,
    Path(authority): Path<String>,
    Form(decision): Form<Decision>,
) -> Response {
    let mut payments = sim.payments.lock().expect("simulator state");
    let Some(p) = payments.get_mut(&authority) else {
        return (StatusCode::NOT_FOUND, "unknown authority").into_response();
    };
    if p.stage == Stage::Pending {
        p.stage = if decision.action == "pay" {
            Stage::Paid
        } else {
            Stage::Cancelled
        };
    }
    let status = if p.stage == Stage::Paid { "OK" } else { "NOK" };
    let separator = if p.callback_url.contains('?') {
        '&'
    } else {
        '?'
    };
    Redirect::to(&format!(
        "{}{separator}Authority={authority}&Status={status}",
        p.callback_url
    ))
    .into_response()
}

async fn verify(State(sim): State<Simulator>, Json(body): Json<Value>) -> Response {
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let amount = body.get("amount").and_then(Value::as_i64).unwrap_or(0);
    let mut payments = sim.payments.lock().expect("simulator state");
    let Some(p) = payments.get_mut(&text("authority")) else {
        return error(-54, "Invalid authority.");
    };
    if p.merchant_id != text("merchant_id") {
        return error(-53, "Session is not this merchant_id session.");
    }
    if p.amount != amount {
        return error(-50, "Session is not valid, amounts values is not the same.");
    }
    if p.stage != Stage::Paid {
        return error(-51, "Session is not valid, session is not active paid try.");
    }
    let code = if p.verified { 101 } else { 100 };
    p.verified = true;
    Json(json!({"data": {
        "code": code, "message": if code == 100 { "Paid" } else { "Verified" },
        "card_hash": "1EBE3EBEBE35C7EC0F8D6EE4F2F859107A87822CA179BC9528767EA7B5489B69",
        "card_pan": "502229******5995", "ref_id": p.ref_id, "fee_type": "Merchant", "fee": 0
    }, "errors": []}))
    .into_response()
}
