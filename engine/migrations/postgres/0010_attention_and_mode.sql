-- `attention`: money the provider took that Kassa refused or did not expect (a "paid" for a
-- payment that had already ended, a second charge for a paid one): the merchant must look.
-- `live`: whether the payment ran against the provider's live system (1) or its test
-- environment (0); bank slips are real transfers (1).
ALTER TABLE payments ADD COLUMN attention INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN live INTEGER NOT NULL DEFAULT 1;
CREATE INDEX payments_store_attention_created ON payments(store_id, attention, created_at);
