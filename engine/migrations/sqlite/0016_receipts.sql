-- Receipts: one per paid payment, numbered per store from a gapless sequence
-- (`stores.receipt_seq`, advanced in the transaction that inserts the receipt, so a rolled
-- back issue gives its number back). Issued by the job a payment's move to `paid` enqueues.
-- Never updated or deleted; `token` is the unguessable key of the public check page.
ALTER TABLE stores ADD COLUMN receipt_seq INTEGER NOT NULL DEFAULT 0;
CREATE TABLE receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id INTEGER NOT NULL REFERENCES stores (id),
    payment_id INTEGER NOT NULL UNIQUE REFERENCES payments (id),
    number INTEGER NOT NULL,
    token TEXT NOT NULL UNIQUE,
    issued_at INTEGER NOT NULL,
    UNIQUE (store_id, number)
);
