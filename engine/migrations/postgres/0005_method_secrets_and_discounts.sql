-- A method's credentials, sealed with the server's key (see engine::secrets); `config` keeps
-- only what may be shown.
ALTER TABLE payment_methods ADD COLUMN secrets TEXT;
-- A discount for paying with this method: 'fixed' (minor units) or 'percent' (basis points).
ALTER TABLE payment_methods ADD COLUMN discount_kind TEXT;
ALTER TABLE payment_methods ADD COLUMN discount_value BIGINT;
-- What the payer was let off; `amount` is what they were charged.
ALTER TABLE payments ADD COLUMN discount BIGINT NOT NULL DEFAULT 0;
