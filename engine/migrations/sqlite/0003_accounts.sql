-- Merchant accounts. A user belongs to one store (its owner, for now); e-mails are stored
-- lower-cased so they are unique however they are typed.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);
CREATE INDEX users_store ON users (store_id);

-- Server-side sessions. The cookie holds a 256-bit random token; only its SHA-256 is stored, so
-- a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    store_id INTEGER NOT NULL REFERENCES stores(id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed log-ins, counted per account and per address over a sliding window.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_address ON login_failures (address, at);

-- Where the store's notices go (new payments, slips to confirm).
ALTER TABLE stores ADD COLUMN notification_email TEXT;
