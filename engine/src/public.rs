//! What a customer's browser may see of a store's payment options, and where it is sent to pay;
//! and what a merchant's browser may see of the store's bank accounts.
//! Pure types, shared by the server and the hydrated pages.

use serde::{Deserialize, Serialize};

use crate::money::Discount;

/// Shown instead of a masked secret that this server's key cannot open (the key changed, or
/// the row was copied from elsewhere): the merchant must enter it again.
pub const UNREADABLE_SECRET: &str = "unreadable";

/// A payment method without its configuration (which holds credentials).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicMethod {
    pub id: i64,
    pub provider: String,
    pub display_name: String,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub discount: Option<Discount>,
}

/// A bank account customers may pay into with a bank slip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(sqlx::FromRow))]
pub struct BankAccount {
    pub id: i64,
    pub bank_name: String,
    pub holder: String,
    pub account_number: String,
    pub iban: Option<String>,
    pub card_number: Option<String>,
}

/// A bank account as its merchant manages it in the back office, active or not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedAccount {
    pub account: BankAccount,
    pub active: bool,
    /// Providers settle card payments into it.
    pub merchant_account: bool,
}

/// Where the customer goes to pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandOff {
    /// Send the browser to this URL.
    Redirect(String),
    /// Post these fields to this URL from the browser (auto-submitted form).
    PostForm {
        url: String,
        fields: Vec<(String, String)>,
    },
}

/// How a provider's settings field is typed in the back office.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    /// One line of text.
    Line,
    /// Several lines (a PEM key or certificate).
    Text,
    /// On or off; saved as `true` or `false`.
    Switch,
}
