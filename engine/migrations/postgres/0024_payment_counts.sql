-- The payments report's totals without reading every payment: the number and sum of a store's
-- payments per mode, kind, method, status and currency, kept by triggers as payments are
-- written, so no code path can move a payment and forget them. `method_id` 0 stands for none
-- (a unique key treats NULLs as distinct).
--
-- `slot` is the writing server process (`pg_backend_pid()`): a backend runs one transaction at
-- a time, so no two transactions ever update the same row. One row per store and key would be
-- a lock every payment of the store queues for (each checkout's insert, each settlement batch)
-- and, taken in payment order by two batches, a deadlock. `db::report::fold_counts` (the
-- housekeeping) folds the slots into slot 0, which only it writes.
CREATE TABLE payment_counts (
    store_id BIGINT NOT NULL,
    live INTEGER NOT NULL,
    kind TEXT NOT NULL,
    method_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    slot INTEGER NOT NULL,
    payments BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (store_id, live, kind, method_id, status, currency, slot)
);

INSERT INTO payment_counts
SELECT store_id, live, kind, COALESCE(method_id, 0), status, currency, 0, COUNT(*), SUM(amount)
FROM payments GROUP BY store_id, live, kind, COALESCE(method_id, 0), status, currency;

CREATE FUNCTION payment_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO payment_counts
        VALUES (OLD.store_id, OLD.live, OLD.kind, COALESCE(OLD.method_id, 0), OLD.status,
                OLD.currency, pg_backend_pid(), -1, -OLD.amount)
        ON CONFLICT (store_id, live, kind, method_id, status, currency, slot) DO UPDATE
        SET payments = payment_counts.payments - 1,
            amount = payment_counts.amount + EXCLUDED.amount;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO payment_counts
        VALUES (NEW.store_id, NEW.live, NEW.kind, COALESCE(NEW.method_id, 0), NEW.status,
                NEW.currency, pg_backend_pid(), 1, NEW.amount)
        ON CONFLICT (store_id, live, kind, method_id, status, currency, slot) DO UPDATE
        SET payments = payment_counts.payments + 1,
            amount = payment_counts.amount + EXCLUDED.amount;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER payment_counts_insert AFTER INSERT ON payments
FOR EACH ROW EXECUTE FUNCTION payment_counts_move();
CREATE TRIGGER payment_counts_update
AFTER UPDATE OF store_id, live, kind, method_id, status, currency, amount ON payments
FOR EACH ROW WHEN ((OLD.store_id, OLD.live, OLD.kind, OLD.method_id, OLD.status, OLD.currency, OLD.amount)
    IS DISTINCT FROM (NEW.store_id, NEW.live, NEW.kind, NEW.method_id, NEW.status, NEW.currency, NEW.amount))
EXECUTE FUNCTION payment_counts_move();
CREATE TRIGGER payment_counts_delete AFTER DELETE ON payments
FOR EACH ROW EXECUTE FUNCTION payment_counts_move();

-- The report's sorts read a page in index order instead of sorting every payment of the store
-- (ties broken by id; the status sort by date, the order of `payments_store_status_created`).
CREATE INDEX payments_store_amount ON payments(store_id, amount, id);
CREATE INDEX payments_store_payer ON payments(store_id, LOWER(payer_name), id);
