-- The currency a payment link's amounts are in: the store's when the link was made. A store
-- that changes its currency leaves its older links refused rather than read in the new one
-- (2,500,000 rial must never become €25,000.00).
ALTER TABLE payment_links ADD COLUMN currency TEXT NOT NULL DEFAULT '';
UPDATE payment_links SET currency = (SELECT currency FROM stores WHERE stores.id = payment_links.store_id);
