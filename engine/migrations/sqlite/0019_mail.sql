-- E-mail after a payment (`effects`, `db::mails`). The payer's language, so their receipt
-- mail and PDF speak it ('' for payments made before: the store's language).
ALTER TABLE payments ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- One row per message a job sends (its `job_key`, which also makes its Message-ID): what the
-- back office shows of it, and the reason of its last failure.
CREATE TABLE mails (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id INTEGER NOT NULL REFERENCES stores (id),
    payment_id INTEGER NOT NULL REFERENCES payments (id),
    kind TEXT NOT NULL,
    job_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX mails_payment ON mails (store_id, payment_id);
-- Sandbox mode without an SMTP server: what would have been sent, for `/sim/mail`.
CREATE TABLE sandbox_mail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    attachment_name TEXT,
    attachment BLOB,
    created_at INTEGER NOT NULL
);
