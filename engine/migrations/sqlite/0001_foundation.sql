-- Integers are 64-bit everywhere (booleans are 0/1) so one set of row types reads both databases.
CREATE TABLE stores (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    toman_display INTEGER NOT NULL DEFAULT 0,
    default_lang TEXT NOT NULL DEFAULT 'en',
    maintenance INTEGER NOT NULL DEFAULT 0,
    custom_amounts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE bank_accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    bank_name TEXT NOT NULL,
    holder TEXT NOT NULL,
    account_number TEXT NOT NULL,
    iban TEXT,
    card_number TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX bank_accounts_store ON bank_accounts(store_id, position);

CREATE TABLE payment_methods (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    provider TEXT NOT NULL,
    display_name TEXT NOT NULL,
    live INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    min_amount INTEGER,
    max_amount INTEGER,
    config TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX payment_methods_store ON payment_methods(store_id, position);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    tracking_code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    method_id INTEGER REFERENCES payment_methods(id),
    bank_account_id INTEGER REFERENCES bank_accounts(id),
    payer_name TEXT NOT NULL,
    mobile TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    description TEXT,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    provider_ref TEXT,
    bank_ref TEXT,
    card_pan TEXT,
    slip_number TEXT,
    slip_date TEXT,
    failure_code TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX payments_store_created ON payments(store_id, created_at);

CREATE TABLE payment_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX payment_events_payment ON payment_events(payment_id, id);

CREATE TABLE idempotency_keys (
    store_id INTEGER NOT NULL REFERENCES stores(id),
    key TEXT NOT NULL,
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (store_id, key)
);
