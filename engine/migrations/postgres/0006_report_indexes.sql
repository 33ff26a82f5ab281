-- The payments report filters a store's payments by status or method and orders them by date;
-- with these each filter reads only its own rows, also at 100,000 payments.
CREATE INDEX payments_store_status_created ON payments(store_id, status, created_at);
CREATE INDEX payments_store_method_created ON payments(store_id, method_id, created_at);
CREATE INDEX payments_store_kind_created ON payments(store_id, kind, created_at);
