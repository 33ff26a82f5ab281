//! The demo stores `make run` starts with, each with an owner who can log in to the back
//! office: `demo` (IRR shown in toman, a Zarinpal gateway in sandbox mode, two bank accounts
//! for slips), `demo-il` (ILS, PayMe in sandbox mode, one bank account) and `demo-eu` (EUR,
//! myPOS, EveryPay and PayPal in sandbox mode, one bank account).

use engine::accounts::{self, AccountError};
use engine::db::bank_accounts::{self, NewBankAccount};
use engine::db::methods::{self, NewMethod};
use engine::db::stores::{self, NewStore};
use engine::db::{Db, DbError, users};
use engine::money::Currency;
use engine::secrets::SecretKey;

pub const SLUG: &str = "demo";
pub const IL_SLUG: &str = "demo-il";
pub const EU_SLUG: &str = "demo-eu";
/// The demo owners' log-ins, printed at start-up. Sandbox mode only: live mode seeds nothing.
pub const OWNER_EMAIL: &str = "owner@demo.kassa.test";
pub const IL_OWNER_EMAIL: &str = "owner@demo-il.kassa.test";
pub const EU_OWNER_EMAIL: &str = "owner@demo-eu.kassa.test";
pub const OWNER_PASSWORD: &str = "kassa-demo-owner";
/// Any well-formed id works with the simulator.
const ZARINPAL_MERCHANT_ID: &str = "5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d";

/// What start-up does to the database, by mode: in sandbox mode the demo stores and their
/// owners; in live mode no demo owner may log in. Several servers starting at once on one
/// PostgreSQL take turns (a database lock), so none trips over another's half-made store.
pub async fn prepare(db: &Db, key: &SecretKey, sandbox: bool) -> Result<(), AccountError> {
    db.exclusively("kassa: start-up", async {
        if !sandbox {
            if remove_owners(db).await? > 0 {
                tracing::warn!("live mode: removed the demo owners (their password is public)");
            }
            return Ok(());
        }
        if seed(db, key).await? {
            tracing::info!("seeded the demo stores");
        }
        ensure_owners(db).await
    })
    .await
}

/// Creates the demo stores that do not exist yet. Returns whether it created any.
pub async fn seed(db: &Db, key: &SecretKey) -> Result<bool, DbError> {
    let iranian = seed_iranian(db, key).await?;
    let israeli = seed_israeli(db, key).await?;
    let european = seed_european(db, key).await?;
    Ok(iranian || israeli || european)
}

/// The European store: EUR, English, myPOS with the simulator's store, EveryPay with its
/// e-shop (API v4) and PayPal with its business account. A provider's method is added when the store lacks one, so a newer Kassa
/// completes an older demo database.
async fn seed_european(db: &Db, key: &SecretKey) -> Result<bool, DbError> {
    use crate::sim::{everypay, mypos, paypal};
    use serde_json::json;
    let eur = Currency::parse("EUR").expect("EUR is supported");
    let (store, created) = match stores::by_slug(db, EU_SLUG).await? {
        Some(store) => (store, false),
        None => {
            let store = stores::create(
                db,
                NewStore {
                    slug: EU_SLUG,
                    name: "Kassa Demo Shop",
                    currency: eur,
                    toman_display: false,
                    default_lang: "en",
                    custom_amounts: false,
                    notification_email: Some(EU_OWNER_EMAIL),
                },
            )
            .await?;
            legal(
                db,
                store.id,
                "Kassa Demo SIA",
                "LV40003000000",
                "Brīvības iela 1, Rīga, LV-1010",
                "Europe/Riga",
            )
            .await?;
            bank_accounts::create(
                db,
                store.id,
                NewBankAccount {
                    bank_name: "Swedbank",
                    holder: "Kassa Demo Shop",
                    account_number: "LV80HABA0551020000001",
                    iban: Some("LV80HABA0551020000001"),
                    card_number: None,
                    merchant_account: false,
                },
            )
            .await?;
            (store, true)
        }
    };
    let saved = methods::list_all(db, store.id).await?;
    let mut added = false;
    let demo_methods = [
        (
            engine::connectors::mypos::PROVIDER,
            "Card (myPOS)",
            json!({
                "sid": mypos::DEMO_SID,
                "wallet": mypos::DEMO_WALLET,
                "certificate": mypos::CERTIFICATE,
                "key_index": mypos::DEMO_KEY_INDEX,
                "save_card": "false",
            }),
            Some(json!({ "private_key": mypos::DEMO_PRIVATE_KEY })),
        ),
        (
            engine::connectors::everypay::PROVIDER,
            "Bank card (EveryPay)",
            json!({
                "link_token": everypay::DEMO_LINK_TOKEN,
                "api_username": everypay::DEMO_API_USERNAME,
                "account_name": everypay::DEMO_ACCOUNT,
            }),
            Some(json!({ "api_secret": everypay::DEMO_API_SECRET })),
        ),
        (
            engine::connectors::paypal::PROVIDER,
            "PayPal",
            json!({ "account_id": paypal::DEMO_ACCOUNT_ID, "email": paypal::DEMO_EMAIL }),
            None,
        ),
    ];
    for (provider, display_name, config, secrets) in demo_methods {
        if saved.iter().any(|m| m.provider == provider) {
            continue;
        }
        let context = methods::secrets_context(store.id);
        let sealed = secrets.map(|s| key.seal(&s.to_string(), &context));
        let method = NewMethod {
            provider,
            display_name,
            live: false,
            min_amount: Some(100),
            max_amount: None,
            config: &config.to_string(),
            secrets: sealed.as_deref(),
            discount: None,
        };
        methods::create(db, store.id, method).await?;
        added = true;
    }
    Ok(created || added)
}

/// The Israeli store: ILS, Hebrew, PayMe with the simulator's demo seller.
async fn seed_israeli(db: &Db, key: &SecretKey) -> Result<bool, DbError> {
    use crate::sim::payme::{DEMO_EMAIL, DEMO_SELLER};
    if stores::by_slug(db, IL_SLUG).await?.is_some() {
        return Ok(false);
    }
    let ils = Currency::parse("ILS").expect("ILS is supported");
    let store = stores::create(
        db,
        NewStore {
            slug: IL_SLUG,
            name: "החנות לדוגמה של קאסה",
            currency: ils,
            toman_display: false,
            default_lang: "he",
            custom_amounts: false,
            notification_email: Some(IL_OWNER_EMAIL),
        },
    )
    .await?;
    legal(
        db,
        store.id,
        "קאסה הדגמה בע״מ",
        "515000000",
        "רחוב הרצל 1, תל אביב",
        "Asia/Jerusalem",
    )
    .await?;
    methods::create(
        db,
        store.id,
        NewMethod {
            provider: engine::connectors::payme::PROVIDER,
            display_name: "כרטיס אשראי (PayMe)",
            live: false,
            min_amount: Some(100),
            max_amount: None,
            config: &format!(r#"{{"email":"{DEMO_EMAIL}"}}"#),
            secrets: Some(&key.seal(
                &format!(r#"{{"seller_key":"{DEMO_SELLER}"}}"#),
                &methods::secrets_context(store.id),
            )),
            discount: None,
        },
    )
    .await?;
    bank_accounts::create(
        db,
        store.id,
        NewBankAccount {
            bank_name: "בנק הפועלים",
            holder: "החנות לדוגמה של קאסה",
            account_number: "12-600-123456",
            iban: Some("IL620108000000099999999"),
            card_number: None,
            merchant_account: false,
        },
    )
    .await?;
    Ok(true)
}

/// The Iranian store: IRR shown in toman, Persian, Zarinpal and two accounts for slips.
async fn seed_iranian(db: &Db, key: &SecretKey) -> Result<bool, DbError> {
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
    legal(
        db,
        store.id,
        "شرکت نمونهٔ کاسا",
        "14000000000",
        "تهران، خیابان ولیعصر، پلاک ۱",
        "Asia/Tehran",
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

/// Makes sure the demo owners exist and have the printed password (a password changed while
/// trying the demo is reset at the next start, so the printed one always works).
pub async fn ensure_owners(db: &Db) -> Result<(), AccountError> {
    ensure_owner(db, SLUG, OWNER_EMAIL).await?;
    ensure_owner(db, IL_SLUG, IL_OWNER_EMAIL).await?;
    ensure_owner(db, EU_SLUG, EU_OWNER_EMAIL).await
}

/// Removes the demo owners (live mode): their password is printed for everyone to read, so
/// they must not outlive sandbox mode on a server that once ran it. Returns how many went.
pub async fn remove_owners(db: &Db) -> Result<usize, DbError> {
    let mut removed = 0;
    for email in [OWNER_EMAIL, IL_OWNER_EMAIL, EU_OWNER_EMAIL] {
        removed += usize::from(users::remove(db, email).await?);
    }
    Ok(removed)
}

async fn ensure_owner(db: &Db, slug: &str, email: &str) -> Result<(), AccountError> {
    let store = stores::by_slug(db, slug)
        .await?
        .ok_or_else(|| DbError::Corrupt(format!("the demo store {slug} is missing")))?;
    let now = engine::time::now_millis();
    match users::by_email(db, email).await? {
        Some(user) if user.store_id == store.id => {
            accounts::reset_password(db, store.id, user.id, OWNER_PASSWORD, now).await
        }
        Some(_) => Err(DbError::Corrupt(format!("{email} belongs to another store")).into()),
        None => accounts::add_user(db, store.id, email, OWNER_PASSWORD, now)
            .await
            .map(drop),
    }
}

/// What a demo store's receipts say about it.
async fn legal(
    db: &Db,
    store_id: i64,
    name: &str,
    number: &str,
    address: &str,
    zone: &str,
) -> Result<(), DbError> {
    let legal = stores::Legal {
        legal_name: Some(name.into()),
        registration_number: Some(number.into()),
        address: Some(address.into()),
        time_zone: zone.into(),
    };
    stores::set_legal(db, store_id, &legal).await
}
