//! The demo store `make run` starts with: IRR shown in toman, a Zarinpal gateway in sandbox
//! mode, two bank accounts for slips, and an owner who can log in to the back office.

use engine::accounts::{self, AccountError};
use engine::db::bank_accounts::{self, NewBankAccount};
use engine::db::methods::{self, NewMethod};
use engine::db::stores::{self, NewStore};
use engine::db::{Db, DbError, users};
use engine::money::Currency;
use engine::secrets::SecretKey;

pub const SLUG: &str = "demo";
/// The demo owner's log-in, printed at start-up. Sandbox mode only: live mode seeds nothing.
pub const OWNER_EMAIL: &str = "owner@demo.kassa.test";
pub const OWNER_PASSWORD: &str = "kassa-demo-owner";
/// Any well-formed id works with the simulator.
const ZARINPAL_MERCHANT_ID: &str = "5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d";

/// Creates the demo store unless it exists. Returns whether it was created.
pub async fn seed(db: &Db, key: &SecretKey) -> Result<bool, DbError> {
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
            notification_email: Some(OWNER_EMAIL),
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
            config: "{}",
            secrets: Some(&key.seal(
                &format!(r#"{{"merchant_id":"{ZARINPAL_MERCHANT_ID}"}}"#),
                &methods::secrets_context(store.id),
            )),
            discount: None,
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
                merchant_account: false,
            },
        )
        .await?;
    }
    Ok(true)
}

/// Makes sure the demo owner exists and has the printed password (a password changed while
/// trying the demo is reset at the next start, so the printed one always works).
pub async fn ensure_owner(db: &Db) -> Result<(), AccountError> {
    let store = stores::by_slug(db, SLUG)
        .await?
        .ok_or_else(|| DbError::Corrupt("the demo store is missing".into()))?;
    let now = engine::time::now_millis();
    match users::by_email(db, OWNER_EMAIL).await? {
        Some(user) if user.store_id == store.id => {
            accounts::reset_password(db, store.id, user.id, OWNER_PASSWORD, now).await
        }
        Some(_) => Err(DbError::Corrupt(format!("{OWNER_EMAIL} belongs to another store")).into()),
        None => accounts::add_user(db, store.id, OWNER_EMAIL, OWNER_PASSWORD, now)
            .await
            .map(drop),
    }
}
