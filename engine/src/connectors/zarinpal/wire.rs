//! Zarinpal v4 JSON. Success: `{"data": {...}, "errors": []}`; failure:
//! `{"data": [], "errors": {"code": -9, "message": "...", "validations": [...]}}`.

use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct Metadata<'a> {
    pub mobile: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    pub order_id: &'a str,
}

#[derive(Serialize)]
pub struct RequestBody<'a> {
    pub merchant_id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub description: &'a str,
    pub callback_url: &'a str,
    pub metadata: Metadata<'a>,
}

#[derive(Serialize, Deserialize)]
pub struct VerifyBody<'a> {
    pub merchant_id: &'a str,
    pub amount: i64,
    pub authority: &'a str,
}

#[derive(Deserialize)]
pub struct RequestData {
    pub code: i64,
    #[serde(default)]
    pub authority: String,
}

#[derive(Deserialize)]
pub struct VerifyData {
    pub code: i64,
    #[serde(default)]
    pub ref_id: i64,
    pub card_pan: Option<String>,
}

#[derive(Deserialize)]
pub struct ErrorBody {
    pub code: i64,
}

/// `data` is an object on success and `[]` on failure; `errors` the other way round.
#[derive(Deserialize)]
#[serde(untagged)]
enum OrEmpty<T> {
    Value(T),
    Empty(
        #[expect(dead_code, reason = "only the empty list's shape matters")] Vec<serde_json::Value>,
    ),
}

#[derive(Deserialize)]
pub struct Envelope<D> {
    data: Option<OrEmpty<D>>,
    errors: Option<OrEmpty<ErrorBody>>,
}

impl<D> Envelope<D> {
    /// The data, or the error code.
    pub fn into_result(self) -> Result<Result<D, i64>, &'static str> {
        match (self.data, self.errors) {
            (_, Some(OrEmpty::Value(e))) => Ok(Err(e.code)),
            (Some(OrEmpty::Value(d)), _) => Ok(Ok(d)),
            _ => Err("neither data nor errors"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_envelope_shapes_parse() {
        let ok: Envelope<RequestData> = serde_json::from_str(
            r#"{"data":{"code":100,"message":"Success","authority":"A0000000000000000000000000000wwOGYpd","fee_type":"Merchant","fee":100},"errors":[]}"#,
        )
        .unwrap();
        assert!(matches!(
            ok.into_result(),
            Ok(Ok(RequestData { code: 100, .. }))
        ));
        let err: Envelope<RequestData> = serde_json::from_str(
            r#"{"data":[],"errors":{"code":-9,"message":"The input params invalid, validation error.","validations":[{"amount":"The amount must be at least 1000."}]}}"#,
        )
        .unwrap();
        assert!(matches!(err.into_result(), Ok(Err(-9))));
        let verified: Envelope<VerifyData> = serde_json::from_str(
            r#"{"data":{"code":101,"message":"Verified","card_hash":"x","card_pan":"502229******5995","ref_id":201,"fee_type":"Merchant","fee":0},"errors":[]}"#,
        )
        .unwrap();
        let Ok(Ok(data)) = verified.into_result() else {
            panic!("verify answer did not parse")
        };
        assert_eq!(
            (data.code, data.ref_id, data.card_pan.as_deref()),
            (101, 201, Some("502229******5995"))
        );
        let neither: Envelope<VerifyData> =
            serde_json::from_str(r#"{"data":[],"errors":[]}"#).unwrap();
        assert!(neither.into_result().is_err());
    }
}
