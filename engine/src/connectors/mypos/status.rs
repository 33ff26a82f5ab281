//! `IPCGetTxnStatus`: how myPOS says an order stands. Kassa posts a signed form (the method,
//! the store's identity, `OrderID` and `OutputFormat=json`) to the same address as the
//! checkout; myPOS answers JSON signed over all its values in document order, nested ones
//! included (the order's own `OrderStatus`, with its signature, inside). `Status` 0 only
//! means the question was answered: the order is paid only when its `OrderStatus` is the
//! `IPCPurchaseNotify` of this order, for this amount, with a transaction reference.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::{MyPos, PROVIDER, decimal, sign, verify_values};
use crate::connectors::Order;
use crate::connectors::{ConnectorError, Verdict, Verification};

pub const METHOD: &str = "IPCGetTxnStatus";

/// A JSON value that keeps its members' order (which the signature covers): text for any
/// scalar (numbers as written, `null` empty), or an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Text(String),
    Object(Vec<(String, Node)>),
}

impl Node {
    fn get(&self, name: &str) -> Option<&Node> {
        match self {
            Node::Object(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            Node::Text(_) => None,
        }
    }

    fn text(&self, name: &str) -> &str {
        match self.get(name) {
            Some(Node::Text(text)) => text,
            _ => "",
        }
    }

    /// Every scalar below this node, in document order.
    fn values<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Node::Text(text) => out.push(text),
            Node::Object(members) => members.iter().for_each(|(_, v)| v.values(out)),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object or scalar")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Text(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Text(if v { "1" } else { "" }.into()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Text(String::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut members = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Node>()? {
                    members.push((key, value));
                }
                Ok(Node::Object(members))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Text(text) => serializer.serialize_str(text),
            Node::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// An answer signed with `key` as myPOS signs one: `Signature` appended, over every value.
pub fn signed_answer(key: &rsa::RsaPrivateKey, mut members: Vec<(String, Node)>) -> String {
    let mut values = Vec::new();
    members.iter().for_each(|(_, v)| v.values(&mut values));
    let signature = sign(key, values);
    members.push(("Signature".into(), Node::Text(signature)));
    serde_json::to_string(&Node::Object(members)).unwrap_or_default()
}

impl MyPos {
    /// The signed `IPCGetTxnStatus` request for the payment's order.
    pub fn status_request(&self, payment: &Order) -> Vec<(String, String)> {
        let mut fields = vec![
            ("IPCmethod", METHOD.to_owned()),
            ("IPCVersion", "1.4".into()),
            ("IPCLanguage", "EN".into()),
            ("SID", self.sid.clone()),
            ("WalletNumber", self.wallet.clone()),
            ("KeyIndex", self.key_index.clone()),
            ("Source", "Kassa".into()),
            ("OrderID", payment.tracking_code.clone()),
            ("OutputFormat", "json".into()),
        ];
        let signature = sign(
            self.private_key.expose(),
            fields.iter().map(|(_, v)| v.as_str()),
        );
        fields.push(("Signature", signature));
        fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// Asks myPOS how the payment's order stands.
    pub async fn txn_status(&self, payment: &Order) -> Result<Verification, ConnectorError> {
        let answer = self
            .http
            .post(&self.checkout)
            .form(&self.status_request(payment))
            .send()
            .await
            .map_err(|e| ConnectorError::Unreachable(e.without_url().to_string()))?;
        if answer.status().is_server_error() {
            return Err(ConnectorError::Unreachable(format!(
                "myPOS answered {}",
                answer.status()
            )));
        }
        let raw = answer
            .text()
            .await
            .map_err(|e| ConnectorError::Unreachable(e.without_url().to_string()))?;
        self.read_status(payment, &raw)
    }

    /// Reads a signed `IPCGetTxnStatus` answer about the payment.
    pub fn read_status(&self, payment: &Order, raw: &str) -> Result<Verification, ConnectorError> {
        let answer: Node = serde_json::from_str(raw).map_err(|e| {
            ConnectorError::Protocol(format!("myPOS's status answer is not JSON: {e}"))
        })?;
        let Node::Object(members) = &answer else {
            return Err(ConnectorError::Protocol(
                "myPOS's status answer is not an object".into(),
            ));
        };
        let Some(((name, Node::Text(signature)), signed)) = members.split_last() else {
            return Err(ConnectorError::Rejected("the answer is not signed".into()));
        };
        if name != "Signature" {
            return Err(ConnectorError::Rejected(
                "the Signature is not the answer's last member".into(),
            ));
        }
        let mut values = Vec::new();
        signed.iter().for_each(|(_, v)| v.values(&mut values));
        verify_values(&self.certificate, values, signature)?;
        if answer.text("OrderID") != payment.tracking_code {
            return Err(ConnectorError::Rejected(
                "the answer is about another order".into(),
            ));
        }
        let raw = format!("{METHOD}: {raw}");
        let verdict = match answer.get("OrderStatus") {
            Some(order) if answer.text("Status") == "0" => self.order_verdict(payment, order)?,
            // Not answered (no such transaction yet, say): the payment still waits.
            _ => Verdict::Pending,
        };
        Ok(Verification { verdict, raw })
    }

    fn order_verdict(&self, payment: &Order, order: &Node) -> Result<Verdict, ConnectorError> {
        let reject = |why: String| Err(ConnectorError::Rejected(why));
        if order.text("OrderID") != payment.tracking_code || order.text("SID") != self.sid {
            return reject("the order status is about another order or store".into());
        }
        Ok(match order.text("IPCmethod") {
            "IPCPurchaseNotify" => {
                let amount = decimal(payment.amount, payment.currency);
                if order.text("Amount") != amount
                    || order.text("Currency") != payment.currency.code()
                {
                    return reject(format!(
                        "myPOS says {} {}, the payment is {amount} {}",
                        order.text("Amount"),
                        order.text("Currency"),
                        payment.currency.code()
                    ));
                }
                let reference = order.text("IPC_Trnref");
                if reference.is_empty() {
                    return reject("the paid order has no IPC_Trnref".into());
                }
                let pan = order.text("PAN");
                Verdict::Paid {
                    bank_ref: reference.to_owned(),
                    card_pan: (!pan.is_empty()).then(|| format!("**** {pan}")),
                }
            }
            "IPCPurchaseCancel" => Verdict::Cancelled {
                code: format!("{PROVIDER}:cancelled"),
            },
            // Paid, but the notification went unanswered: myPOS gave the money back.
            "IPCPurchaseRollback" => Verdict::Failed {
                code: format!("{PROVIDER}:rollback"),
            },
            _ => Verdict::Pending,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_values(answer: &str) -> (Vec<String>, String) {
        let Node::Object(mut members) = serde_json::from_str(answer).unwrap() else {
            panic!("an object");
        };
        let Some((_, Node::Text(signature))) = members.pop() else {
            panic!("signed last");
        };
        let mut values = Vec::new();
        members.iter().for_each(|(_, v)| v.values(&mut values));
        (values.into_iter().map(str::to_owned).collect(), signature)
    }

    #[test]
    fn answers_keep_their_order_and_sign_nested_values() {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
        let public = key.to_public_key();
        let text = |s: &str| Node::Text(s.into());
        let order = Node::Object(vec![
            ("IPCmethod".into(), text("IPCPurchaseNotify")),
            ("Amount".into(), text("1.00")),
        ]);
        let answer = signed_answer(
            &key,
            vec![
                ("OrderID".into(), text("ZX81")),
                ("OrderStatus".into(), order),
                ("Status".into(), text("0")),
            ],
        );
        assert!(answer.starts_with(r#"{"OrderID":"ZX81","OrderStatus":{"IPCmethod""#));
        let (values, signature) = signed_values(&answer);
        assert_eq!(values, ["ZX81", "IPCPurchaseNotify", "1.00", "0"]);
        let check = |values: &[String], signature: &str| {
            verify_values(&public, values.iter().map(String::as_str), signature)
        };
        assert_eq!(check(&values, &signature), Ok(()));
        // A nested value changed, or members reordered, breaks the signature.
        let (changed, signature) = signed_values(&answer.replace("1.00", "9.00"));
        assert!(check(&changed, &signature).is_err());
        let mut reordered = values.clone();
        reordered.swap(0, 3);
        assert!(check(&reordered, &signature).is_err());
        // Numbers and nulls read as myPOS's signer writes them.
        let node: Node = serde_json::from_str(r#"{"Status":0,"Note":null}"#).unwrap();
        assert_eq!((node.text("Status"), node.text("Note")), ("0", ""));
    }
}
