-- How many PDFs of each receipt were made: the first is the original, every later one a
-- copy. Kept beside the receipt, which is never updated.
CREATE TABLE receipt_pdfs (
    receipt_id BIGINT PRIMARY KEY REFERENCES receipts (id),
    made BIGINT NOT NULL
);
