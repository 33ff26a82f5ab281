//! The demo store `make run` starts with: IRR shown in toman, a Zarinpal gateway in sandbox
//! mode and two bank accounts for slips.

use engine::db::bank_accounts::{self, NewBankAccount};
use engine::db::methods::{self, NewMethod};
use engine::db::stores::{self, NewStore};
use engine::db::{Db, DbError};
use engine::money::Currency;

pub const SLUG: &str = "demo";
/// Any well-formed id works with the simulator.
const ZARINPAL_MERCHANT_ID: &str = "5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d";

/// Creates the demo store unless it exists. Returns whether it was created.
pub async fn seed(db: &Db) -> Result<bool, DbError> {
    if stores::by_slug(db, SLUG).await?.is_some() {
        return Ok(false);
    }
    let store = stores::create(
        db,
        NewStore {
            slug: SLUG,
            name: "فروشگاه نمونه کاسا",
            currency: Currency::IRR,
            toman_display: true,
            default_lang: "fa",
            custom_amounts: false,
        },
    )
    .await?;
    methods::create(
        db,
        store.id,
        NewMethod {
            provider: engine::connectors::zarinpal::PROVIDER,
            display_name: "زرین‌پال (Zarinpal)",
            live: false,
            min_amount: Some(10_000),
            max_amount: Some(1_000_000_000),
            config: &format!(r#"{{"merchant_id":"{ZARINPAL_MERCHANT_ID}"}}"#),
        },
    )
    .await?;
    for (bank_name, holder, account_number, iban) in [
        (
            "بانک ملت",
            "فروشگاه نمونه کاسا",
            "4455667788",
            "IR820540102680020817909002",
        ),
        (
            "بانک ملی",
            "فروشگاه نمونه کاسا",
            "0107654321009",
            "IR062960000000100324200001",
        ),
    ] {
        bank_accounts::create(
            db,
            store.id,
            NewBankAccount {
                bank_name,
                holder,
                account_number,
                iban: Some(iban),
                card_number: None,
            },
        )
        .await?;
    }
    Ok(true)
}
