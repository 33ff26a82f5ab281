-- Payment links a merchant built. `terms` is the link's query string as signed (for a signed
-- link the signature covers it, see engine::links); the columns hold the same terms as values.
-- `uses` counts the link's payments that hold a use: in progress or paid (a payment that ends
-- without the money gives its use back), so a usage limit holds under concurrent payments.
CREATE TABLE payment_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    token TEXT NOT NULL UNIQUE,
    signed INTEGER NOT NULL,
    terms TEXT NOT NULL,
    payer_name TEXT,
    description TEXT,
    amount INTEGER,
    min_amount INTEGER,
    max_amount INTEGER,
    expires_at INTEGER,
    max_uses INTEGER,
    uses INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX payment_links_store ON payment_links(store_id, created_at);
ALTER TABLE payments ADD COLUMN link_id INTEGER REFERENCES payment_links(id);
CREATE INDEX payments_link ON payments(link_id);
