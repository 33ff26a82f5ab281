//! PayMe's JSON. Every call is a POST of a JSON body carrying the credentials; success is
//! `status_code: 0`, failure `status_code: 1` with `status_error_code` and
//! `status_error_details` (PayMe answers failures with HTTP 500, so the body is read always).

use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct GenerateSale<'a> {
    pub seller_payme_id: &'a str,
    /// Minor units (agorot for ILS).
    pub sale_price: i64,
    pub currency: &'a str,
    pub product_name: &'a str,
    /// Our tracking code; PayMe echoes it in the callback.
    pub transaction_id: &'a str,
    pub installments: &'a str,
    pub sale_callback_url: &'a str,
    pub sale_return_url: &'a str,
    pub language: &'a str,
    pub sale_type: &'a str,
    pub sale_payment_method: &'a str,
    pub buyer_name: &'a str,
    pub buyer_phone: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_email: Option<&'a str>,
}

#[derive(Serialize)]
pub struct GetSales<'a> {
    pub seller_payme_id: &'a str,
    pub sale_payme_id: &'a str,
}

/// Partner calls: the platform's client key identifies Kassa; the seller is the merchant.
#[derive(Serialize)]
pub struct SellerCall<'a> {
    pub payme_client_key: &'a str,
    pub seller_payme_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_store_id: Option<&'a str>,
}

/// The common envelope: the status and, on failure, PayMe's error code (its
/// `status_error_details` stay in the raw answer that is logged).
#[derive(Deserialize)]
pub struct Status {
    pub status_code: i64,
    #[serde(default)]
    pub status_error_code: i64,
}

#[derive(Deserialize)]
pub struct SaleCreated {
    pub sale_url: String,
    pub payme_sale_id: String,
}

#[derive(Deserialize)]
pub struct Sales {
    #[serde(default)]
    pub items: Vec<Sale>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Sale {
    pub sale_payme_id: String,
    pub sale_status: String,
    pub sale_price: i64,
    pub sale_currency: String,
    pub transaction_id: String,
    #[serde(default)]
    pub payme_transaction_id: Option<String>,
    #[serde(default)]
    pub buyer_card_mask: Option<String>,
    #[serde(default)]
    pub sale_error_code: Option<i64>,
}

#[derive(Deserialize)]
pub struct Sellers {
    #[serde(default)]
    pub items: Vec<Seller>,
}

#[derive(Deserialize)]
pub struct Seller {
    pub seller_payme_id: String,
    pub seller_email: String,
}
