-- Cancelling documents: money a provider sent back (a refund, a chargeback) for a payment
-- whose receipt was issued. The receipt is never changed; a document of its own, numbered
-- from the same gapless series (`stores.receipt_seq`), says which receipt it cancels and how
-- much of it. One per provider transaction (`reference`); never updated or deleted.
CREATE TABLE cancellations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id INTEGER NOT NULL REFERENCES stores (id),
    receipt_id INTEGER NOT NULL REFERENCES receipts (id),
    payment_id INTEGER NOT NULL REFERENCES payments (id),
    number INTEGER NOT NULL,
    token TEXT NOT NULL UNIQUE,
    -- What went back to the payer, in the payment's minor units.
    amount INTEGER NOT NULL,
    -- The provider's word for it (`paypal:refunded`, `everypay:chargebacked`).
    reason TEXT NOT NULL,
    reference TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    UNIQUE (store_id, number),
    UNIQUE (receipt_id, reference)
);
-- The original/copy count of their PDFs, as `receipt_pdfs` for receipts.
CREATE TABLE cancellation_pdfs (
    cancellation_id INTEGER PRIMARY KEY REFERENCES cancellations (id),
    made INTEGER NOT NULL
);
