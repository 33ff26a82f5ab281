-- What a customer typed into a refused form, kept for a short while under a random id so the
-- redirect back to the form carries the id instead of their mobile, email and slip details.
CREATE TABLE form_drafts (
    id TEXT PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id),
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX form_drafts_created_at ON form_drafts (created_at);
