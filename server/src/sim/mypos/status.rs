//! The simulator's `IPCGetTxnStatus`: the merchant's signed question about an order, answered
//! in JSON signed by the simulator as myPOS signs it. `Status` 0 carries the order's last
//! message as `OrderStatus` (the `IPCPurchaseNotify` it sent, or the cancellation or rollback);
//! an order nobody paid, or none at all, gets a non-zero `Status` and no `OrderStatus`.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use engine::connectors::mypos::status::{METHOD, Node, signed_answer};
use engine::connectors::mypos::{self};
use engine::connectors::param;

use super::{DEMO_KEY_INDEX, DEMO_SID, DEMO_WALLET, Order, Simulator, Stage};

/// The fields of the question, in the order they are signed.
const FIELDS: &[&str] = &[
    "IPCmethod",
    "IPCVersion",
    "IPCLanguage",
    "SID",
    "WalletNumber",
    "KeyIndex",
    "Source",
    "OrderID",
    "OutputFormat",
    "Signature",
];

pub(super) fn answer(sim: &Simulator, form: &[(String, String)]) -> Response {
    let field = |name: &str| param(form, name).unwrap_or_default();
    let order_id = field("OrderID").to_owned();
    let refused = |status: &str, message: &str| {
        json(
            sim,
            vec![
                ("OrderID", Node::Text(order_id.clone())),
                ("Status", Node::Text(status.into())),
                ("StatusMsg", Node::Text(message.into())),
            ],
        )
    };
    let names: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    if names != FIELDS {
        return refused("1", "The request's fields are not IPCGetTxnStatus's");
    }
    if mypos::verify(&sim.merchant, form).is_err() {
        return refused("2", "Signature is not valid");
    }
    if field("SID") != DEMO_SID
        || field("KeyIndex") != DEMO_KEY_INDEX
        || field("WalletNumber") != DEMO_WALLET
    {
        return refused("4", "Unknown store or key index");
    }
    let last = {
        let orders = sim.orders.lock().expect("simulator state");
        orders
            .values()
            .filter(|o| o.get("OrderID") == order_id)
            .max_by_key(|o| rank(o.stage))
            .map(|o| (o.stage, last_message(sim, o)))
    };
    match last {
        Some((stage, Some(order))) if stage != Stage::Open => json(
            sim,
            vec![
                ("OrderID", Node::Text(order_id.clone())),
                ("OrderStatus", order),
                ("Status", Node::Text("0".into())),
                ("StatusMsg", Node::Text("Success".into())),
            ],
        ),
        _ => refused("21", "No transaction found for the order"),
    }
}

/// Which of several hand-offs of one order tells its state: a payment beats an ending.
fn rank(stage: Stage) -> u8 {
    match stage {
        Stage::Open => 0,
        Stage::Cancelled => 1,
        Stage::Reversed => 2,
        Stage::Paid => 3,
    }
}

/// The order's last message, as myPOS keeps it: the notification it sent for a payment, or
/// its cancellation or rollback, signed.
fn last_message(sim: &Simulator, o: &Order) -> Option<Node> {
    let method = match o.stage {
        Stage::Open => return None,
        Stage::Paid => {
            let sent = sim.sent.lock().expect("simulator state");
            let body = &sent
                .iter()
                .rev()
                .find(|n| n.order == o.get("OrderID"))?
                .body;
            let fields = url::form_urlencoded::parse(body.as_bytes()).into_owned();
            return Some(Node::Object(
                fields.map(|(k, v)| (k, Node::Text(v))).collect(),
            ));
        }
        Stage::Cancelled => "IPCPurchaseCancel",
        Stage::Reversed => "IPCPurchaseRollback",
    };
    let fields = super::signed(
        sim,
        vec![
            ("IPCmethod", method.to_owned()),
            ("SID", o.get("SID").to_owned()),
            ("Amount", o.get("Amount").to_owned()),
            ("Currency", o.get("Currency").to_owned()),
            ("OrderID", o.get("OrderID").to_owned()),
        ],
    );
    Some(Node::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k, Node::Text(v)))
            .collect(),
    ))
}

fn json(sim: &Simulator, members: Vec<(&str, Node)>) -> Response {
    let mut all = vec![("IPCMethod".to_owned(), Node::Text(METHOD.into()))];
    all.extend(members.into_iter().map(|(k, v)| (k.to_owned(), v)));
    (
        [(header::CONTENT_TYPE, "application/json")],
        signed_answer(&sim.key, all),
    )
        .into_response()
}
