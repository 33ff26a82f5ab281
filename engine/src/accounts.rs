//! Merchant accounts: sign-up, log-in with a rate limit, server-side sessions, log-out and
//! password changes.
//!
//! Passwords are hashed with argon2id (OWASP's parameters, the crate's defaults) on a blocking
//! thread. A session is a 256-bit random token in the cookie; the database keeps only its
//! SHA-256, so a copy of the database opens no session. Sessions end after `IDLE` without use
//! or `ABSOLUTE` after log-in, whichever comes first.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

use crate::db::login_failures::{self, Limits};
use crate::db::stores::{self, NewStore, Store};
use crate::db::{Db, DbError, sessions, sign_ups, users};
use crate::tracking::hex;
use crate::validation::{self as v, Field, FieldErrors, Problem};

const MINUTE: i64 = 60_000;
/// A session unused for this long has ended.
pub const IDLE: i64 = 2 * 60 * MINUTE;
/// A session ends this long after log-in, however busy.
pub const ABSOLUTE: i64 = 12 * 60 * MINUTE;
/// `last_seen_at` is written at most this often (not on every page).
const TOUCH_EVERY: i64 = MINUTE;
/// Failed log-ins are counted over this window...
pub const WINDOW: i64 = 15 * MINUTE;
/// ...and an attempt beyond a limit waits until the oldest failure it counts leaves the
/// window. Per account and address: guessing one merchant's password from one place, which
/// locks out that place only, not the merchant.
pub const PAIR_LIMIT: i64 = 5;
/// Per account from anywhere, over an hour: many places guessing one password. Slower, so a
/// stranger who knows the e-mail cannot keep its merchant out from a few addresses.
pub const ACCOUNT_LIMIT: i64 = 30;
pub const ACCOUNT_WINDOW: i64 = 60 * MINUTE;
/// Per address, any accounts: a few passwords tried on many accounts.
pub const ADDRESS_LIMIT: i64 = 20;

const LOG_IN_LIMITS: Limits = Limits {
    pair: (PAIR_LIMIT, WINDOW),
    account: (ACCOUNT_LIMIT, ACCOUNT_WINDOW),
    address: (ADDRESS_LIMIT, WINDOW),
};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the form has errors")]
    Invalid(FieldErrors),
    #[error("wrong e-mail or password")]
    WrongCredentials,
    #[error("too many attempts; retry in {retry_after_ms} ms")]
    Throttled { retry_after_ms: i64 },
    /// Too many passwords being hashed at once: try again in a moment (503, `Retry-After`).
    #[error("the server is busy checking passwords")]
    Busy,
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Storage(#[from] DbError),
}

impl AccountError {
    fn field(field: Field, problem: Problem) -> AccountError {
        let mut errors = FieldErrors::default();
        errors.add(field, problem);
        AccountError::Invalid(errors)
    }
}

/// Who a valid session belongs to. Every back-office call takes its store from here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: i64,
    pub store_id: i64,
    pub email: String,
}

/// A session just opened: the token goes into the cookie and nowhere else.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub token: String,
    pub user: SessionUser,
}

/// The sign-up form as typed.
#[derive(Clone, Debug, Default)]
pub struct SignUp {
    pub store_name: String,
    pub slug: String,
    pub currency: String,
    pub language: String,
    pub email: String,
    pub password: String,
}

/// Creates a store with its owner and logs the owner in. At most `per_hour` sign-ups come from
/// one `address` (the client's) in an hour; a refused form does not count.
pub async fn sign_up(
    db: &Db,
    form: &SignUp,
    address: &str,
    per_hour: i64,
    now: i64,
) -> Result<(Store, NewSession), AccountError> {
    let mut errors = FieldErrors::default();
    let name = errors.check(Field::StoreName, v::required_name(&form.store_name, 80));
    let slug = errors.check(Field::Slug, v::slug(&form.slug));
    let currency = errors.check(Field::Currency, v::currency(&form.currency));
    let language = errors.check(Field::Language, v::language(&form.language));
    let email = errors.check(
        Field::Email,
        v::required_email(&form.email).map(|e| e.to_lowercase()),
    );
    let password = errors.check(
        Field::Password,
        v::new_password(&form.password, email.as_deref().unwrap_or_default()),
    );
    if let Some(slug) = &slug
        && stores::by_slug(db, slug).await?.is_some()
    {
        errors.add(Field::Slug, Problem::Taken);
    }
    if let Some(email) = &email
        && users::by_email(db, email).await?.is_some()
    {
        errors.add(Field::Email, Problem::Taken);
    }
    let (Some(name), Some(slug), Some(currency), Some(language), Some(email), Some(password)) =
        (name, slug, currency, language, email, password)
    else {
        return Err(AccountError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AccountError::Invalid(errors));
    }
    let slot = HASHING.slot()?;
    if let Err(retry_after_ms) =
        sign_ups::reserve(db, address, (per_hour, ACCOUNT_WINDOW), now).await?
    {
        return Err(AccountError::Throttled { retry_after_ms });
    }
    let hash = hash_password_in(slot, password).await?;
    let token = new_token();
    let mut tx = db.begin().await?;
    let new_store = NewStore {
        slug: &slug,
        name: &name,
        currency,
        toman_display: false,
        default_lang: language,
        custom_amounts: false,
        notification_email: Some(&email),
    };
    // The checks above raced with other sign-ups; the UNIQUE constraints decide.
    let store = stores::create_with(&mut **tx, new_store)
        .await
        .map_err(|e| taken_or(e, Field::Slug))?;
    let user = users::create(&mut **tx, store.id, &email, &hash, now)
        .await
        .map_err(|e| taken_or(e, Field::Email))?;
    sessions::insert(&mut **tx, &token_hash(&token), user.id, store.id, now).await?;
    tx.commit().await?;
    let user = SessionUser {
        user_id: user.id,
        store_id: store.id,
        email,
    };
    Ok((store, NewSession { token, user }))
}

fn taken_or(e: DbError, field: Field) -> AccountError {
    if e.is_unique_violation() {
        AccountError::field(field, Problem::Taken)
    } else {
        AccountError::Storage(e)
    }
}

/// Checks an e-mail and password and opens a new session. `address` is the client's IP
/// address. A throttled account or address is refused before its password is looked at.
pub async fn log_in(
    db: &Db,
    email: &str,
    password: &str,
    address: &str,
    now: i64,
) -> Result<NewSession, AccountError> {
    let email = email.trim().to_lowercase();
    let since = now - WINDOW;
    // The hashing slot first: an attempt refused for load must not count as a failure.
    let slot = HASHING.slot()?;
    let attempt = match login_failures::reserve(db, &email, address, LOG_IN_LIMITS, now).await? {
        Ok(attempt) => attempt,
        Err(retry_after_ms) => return Err(AccountError::Throttled { retry_after_ms }),
    };
    let user = users::by_email(db, &email).await?;
    // An unknown e-mail costs the same hashing as a known one, so timing tells nothing.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_owned());
    let matches = match verify_password(slot, password.to_owned(), hash).await {
        Ok(matches) => matches,
        Err(err) => {
            login_failures::release(db, attempt).await?;
            return Err(err);
        }
    };
    // A wrong password leaves the attempt written: it was the failure.
    let Some(user) = user.filter(|_| matches) else {
        return Err(AccountError::WrongCredentials);
    };
    login_failures::clear(db, &email, since).await?;
    let token = new_token();
    sessions::insert(
        db.writer().await.pool(),
        &token_hash(&token),
        user.id,
        user.store_id,
        now,
    )
    .await?;
    Ok(NewSession {
        token,
        user: SessionUser {
            user_id: user.id,
            store_id: user.store_id,
            email: user.email,
        },
    })
}

/// The user a session token belongs to, if the session is still open. Ends expired sessions.
pub async fn session(db: &Db, token: &str, now: i64) -> Result<Option<SessionUser>, DbError> {
    signed_in(db, token, now, true).await
}

/// [`session`] without counting as the merchant's activity: for what the browser asks by
/// itself (the back office's live news), which must not keep an idle session alive.
pub async fn session_untouched(
    db: &Db,
    token: &str,
    now: i64,
) -> Result<Option<SessionUser>, DbError> {
    signed_in(db, token, now, false).await
}

async fn signed_in(
    db: &Db,
    token: &str,
    now: i64,
    touch: bool,
) -> Result<Option<SessionUser>, DbError> {
    if !is_token(token) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some(row) = sessions::find(db, &hash).await? else {
        return Ok(None);
    };
    if now - row.last_seen_at > IDLE || now - row.created_at > ABSOLUTE {
        sessions::delete(db, &hash).await?;
        return Ok(None);
    }
    if touch && now - row.last_seen_at > TOUCH_EVERY {
        sessions::touch(db, &hash, now).await?;
    }
    let Some(user) = users::get(db, row.store_id, row.user_id).await? else {
        return Ok(None);
    };
    Ok(Some(SessionUser {
        user_id: user.id,
        store_id: user.store_id,
        email: user.email,
    }))
}

pub async fn log_out(db: &Db, token: &str) -> Result<(), DbError> {
    if is_token(token) {
        sessions::delete(db, &token_hash(token)).await?;
    }
    Ok(())
}

/// Changes the password after checking the current one, ends every session of the user (a
/// thief's too) and opens a fresh one for this browser.
/// The current password is checked under the log-in's limits (`address` is the client's), so
/// a stolen session cannot guess it either.
pub async fn change_password(
    db: &Db,
    who: &SessionUser,
    current: &str,
    new: &str,
    address: &str,
    now: i64,
) -> Result<NewSession, AccountError> {
    let user = users::get(db, who.store_id, who.user_id)
        .await?
        .ok_or(AccountError::WrongCredentials)?;
    let new = v::new_password(new, &user.email)
        .map_err(|p| AccountError::field(Field::NewPassword, p))?;
    let slot = HASHING.slot()?;
    let attempt =
        match login_failures::reserve(db, &user.email, address, LOG_IN_LIMITS, now).await? {
            Ok(attempt) => attempt,
            Err(retry_after_ms) => return Err(AccountError::Throttled { retry_after_ms }),
        };
    match verify_password(slot, current.to_owned(), user.password_hash.clone()).await {
        Ok(true) => login_failures::clear(db, &user.email, now - ACCOUNT_WINDOW).await?,
        Ok(false) => return Err(AccountError::field(Field::Password, Problem::WrongPassword)),
        Err(err) => {
            login_failures::release(db, attempt).await?;
            return Err(err);
        }
    }
    let hash = hash_password(new).await?;
    let token = new_token();
    let mut tx = db.begin().await?;
    users::set_password(&mut **tx, user.store_id, user.id, &hash, now).await?;
    sessions::delete_for_user(&mut **tx, user.store_id, user.id).await?;
    sessions::insert(&mut **tx, &token_hash(&token), user.id, user.store_id, now).await?;
    tx.commit().await?;
    Ok(NewSession {
        token,
        user: who.clone(),
    })
}

/// Sets a user's password without the current one: the demo owner at start-up.
pub async fn reset_password(
    db: &Db,
    store_id: i64,
    user_id: i64,
    new: &str,
    now: i64,
) -> Result<(), AccountError> {
    let hash = hash_password(new.to_owned()).await?;
    users::set_password(db.writer().await.pool(), store_id, user_id, &hash, now).await?;
    Ok(())
}

/// Creates a user for an existing store (the demo owner).
pub async fn add_user(
    db: &Db,
    store_id: i64,
    email: &str,
    password: &str,
    now: i64,
) -> Result<users::User, AccountError> {
    let hash = hash_password(password.to_owned()).await?;
    Ok(users::create(
        db.writer().await.pool(),
        store_id,
        &email.to_lowercase(),
        &hash,
        now,
    )
    .await?)
}

/// A hash of a password nobody has, verified against when the e-mail is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$ZHVtbXlzYWx0ZHVtbXk$mSBmO6Shx4YjoV8C0Yqu8YJ0f6b9wz2cM1TaKVIUlZU";

/// Argon2 work is bounded: `running` hashes at once (each takes about 19 MiB and tens of
/// milliseconds of a core), at most `admitted` under way in all, running or waiting; beyond
/// that the caller is told to come back ([`AccountError::Busy`]), so a flood of log-ins
/// cannot queue unbounded work.
struct Gate {
    running: tokio::sync::Semaphore,
    admitted: std::sync::Arc<tokio::sync::Semaphore>,
}

/// A place among the admitted, taken before the work is queued.
struct Slot(#[allow(dead_code)] tokio::sync::OwnedSemaphorePermit);

impl Gate {
    fn new(running: usize, admitted: usize) -> Gate {
        Gate {
            running: tokio::sync::Semaphore::new(running),
            admitted: std::sync::Arc::new(tokio::sync::Semaphore::new(admitted)),
        }
    }

    fn slot(&self) -> Result<Slot, AccountError> {
        self.admitted
            .clone()
            .try_acquire_owned()
            .map(Slot)
            .map_err(|_| AccountError::Busy)
    }

    /// Runs `work` on a blocking thread once a hash may run; the slot is given back after.
    async fn run<T: Send + 'static>(
        &self,
        slot: Slot,
        work: impl FnOnce() -> Result<T, AccountError> + Send + 'static,
    ) -> Result<T, AccountError> {
        let running = self
            .running
            .acquire()
            .await
            .map_err(|_| AccountError::Busy)?;
        let result = tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AccountError::Hashing(e.to_string()))?;
        drop((running, slot));
        // A hash takes 19 MiB (argon2id at OWASP's parameters).
        crate::memory::give_back_freed();
        result
    }
}

static HASHING: std::sync::LazyLock<Gate> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Gate::new(cores.max(2), 64)
});

async fn hash_password(password: String) -> Result<String, AccountError> {
    hash_password_in(HASHING.slot()?, password).await
}

/// [`hash_password`] in a slot taken earlier.
async fn hash_password_in(slot: Slot, password: String) -> Result<String, AccountError> {
    HASHING
        .run(slot, move || {
            let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
                .map_err(|e| AccountError::Hashing(e.to_string()))?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| AccountError::Hashing(e.to_string()))
        })
        .await
}

async fn verify_password(slot: Slot, password: String, hash: String) -> Result<bool, AccountError> {
    HASHING
        .run(slot, move || {
            let parsed =
                PasswordHash::new(&hash).map_err(|e| AccountError::Hashing(e.to_string()))?;
            Ok(Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await
}

fn new_token() -> String {
    hex(&rand::random::<[u8; 32]>())
}

fn is_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_the_dummy_hash_parses() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let check = |password: &str, hash: &str| {
            verify_password(HASHING.slot().unwrap(), password.into(), hash.into())
        };
        assert!(check("correct horse battery", &hash).await.unwrap());
        assert!(!check("Correct horse battery", &hash).await.unwrap());
        assert!(!check("anything", DUMMY_HASH).await.unwrap());
    }

    #[tokio::test]
    async fn hashing_beyond_the_admitted_is_refused_at_once() {
        let gate = Gate::new(1, 2);
        let (first, second) = (gate.slot().unwrap(), gate.slot().unwrap());
        assert!(matches!(gate.slot(), Err(AccountError::Busy)));
        gate.run(first, || Ok(())).await.unwrap();
        let third = gate.slot().expect("a finished hash gives its place back");
        drop((second, third));
    }

    #[test]
    fn tokens_are_256_bits_and_stored_hashed() {
        let token = new_token();
        assert!(is_token(&token));
        assert_ne!(token, new_token());
        assert_eq!(token_hash(&token).len(), 64);
        assert_ne!(token_hash(&token), token);
        assert!(!is_token("../etc"));
    }
}
