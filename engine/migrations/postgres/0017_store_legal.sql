-- What a receipt says about the merchant: its legal name, registration number (company or
-- VAT number) and address, and the time zone its receipts are dated in. Existing stores get
-- the zone of their currency where it names one country.
ALTER TABLE stores ADD COLUMN legal_name TEXT;
ALTER TABLE stores ADD COLUMN registration_number TEXT;
ALTER TABLE stores ADD COLUMN address TEXT;
ALTER TABLE stores ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
UPDATE stores SET time_zone = 'Asia/Tehran' WHERE currency = 'IRR';
UPDATE stores SET time_zone = 'Asia/Jerusalem' WHERE currency = 'ILS';
