-- The payments report's totals without reading every payment: the number and sum of a store's
-- payments per mode, kind, method, status and currency, kept by triggers as payments are
-- written, so no code path can move a payment and forget them. `method_id` 0 stands for none
-- (a unique key treats NULLs as distinct). `slot` keeps PostgreSQL's writers apart; SQLite has
-- one writer and uses slot 0 only.
CREATE TABLE payment_counts (
    store_id INTEGER NOT NULL,
    live INTEGER NOT NULL,
    kind TEXT NOT NULL,
    method_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    slot INTEGER NOT NULL,
    payments INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (store_id, live, kind, method_id, status, currency, slot)
);

INSERT INTO payment_counts
SELECT store_id, live, kind, COALESCE(method_id, 0), status, currency, 0, COUNT(*), SUM(amount)
FROM payments GROUP BY store_id, live, kind, COALESCE(method_id, 0), status, currency;

CREATE TRIGGER payment_counts_insert AFTER INSERT ON payments
BEGIN
    INSERT INTO payment_counts
    VALUES (NEW.store_id, NEW.live, NEW.kind, COALESCE(NEW.method_id, 0), NEW.status, NEW.currency, 0, 1, NEW.amount)
    ON CONFLICT DO UPDATE SET payments = payments + 1, amount = amount + excluded.amount;
END;

CREATE TRIGGER payment_counts_update
AFTER UPDATE OF store_id, live, kind, method_id, status, currency, amount ON payments
WHEN OLD.store_id <> NEW.store_id OR OLD.live <> NEW.live OR OLD.kind <> NEW.kind
    OR OLD.method_id IS NOT NEW.method_id OR OLD.status <> NEW.status
    OR OLD.currency <> NEW.currency OR OLD.amount <> NEW.amount
BEGIN
    INSERT INTO payment_counts
    VALUES (OLD.store_id, OLD.live, OLD.kind, COALESCE(OLD.method_id, 0), OLD.status, OLD.currency, 0, -1, -OLD.amount)
    ON CONFLICT DO UPDATE SET payments = payments - 1, amount = amount + excluded.amount;
    INSERT INTO payment_counts
    VALUES (NEW.store_id, NEW.live, NEW.kind, COALESCE(NEW.method_id, 0), NEW.status, NEW.currency, 0, 1, NEW.amount)
    ON CONFLICT DO UPDATE SET payments = payments + 1, amount = amount + excluded.amount;
END;

CREATE TRIGGER payment_counts_delete AFTER DELETE ON payments
BEGIN
    INSERT INTO payment_counts
    VALUES (OLD.store_id, OLD.live, OLD.kind, COALESCE(OLD.method_id, 0), OLD.status, OLD.currency, 0, -1, -OLD.amount)
    ON CONFLICT DO UPDATE SET payments = payments - 1, amount = amount + excluded.amount;
END;

-- The report's sorts read a page in index order instead of sorting every payment of the store
-- (ties broken by id; the status sort by date, the order of `payments_store_status_created`).
CREATE INDEX payments_store_amount ON payments(store_id, amount, id);
CREATE INDEX payments_store_payer ON payments(store_id, LOWER(payer_name), id);
