-- Durable work. `inbox`: every provider notification as received (the raw body in base64,
-- since PayPal's bytes may not be UTF-8), written before it is answered. `jobs`: work to do
-- (verifying an inbox message, a payment's side effects), written in the transaction that
-- makes it necessary, claimed by workers with a lease, retried with backoff up to a cap and
-- then left `dead` with its last error. `dedupe_key` makes enqueueing idempotent.
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider TEXT NOT NULL,
    code TEXT NOT NULL,
    body TEXT NOT NULL,
    address TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    run_at INTEGER NOT NULL,
    lease_until INTEGER,
    worker TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX jobs_ready ON jobs (state, run_at);
