-- Logos a merchant uploaded (the store's, each method's), kept in the database so every app
-- server behind a load balancer serves them without a shared disk. `name` is `store` or
-- `method-{id}`; `content_type` is what the bytes were sniffed as, never what the browser said.
CREATE TABLE images (
    store_id INTEGER NOT NULL REFERENCES stores(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (store_id, name)
);
