-- A merchant account (the seed's "Tirgotāja konts") is where a provider settles card payments;
-- a current account only takes customers' transfers and slips.
ALTER TABLE bank_accounts ADD COLUMN merchant_account BIGINT NOT NULL DEFAULT 0;
