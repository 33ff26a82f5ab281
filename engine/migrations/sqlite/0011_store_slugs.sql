-- Every slug a store has had, its current one included: an earlier slug stays its store's (an
-- old link must never open another merchant's page) and leads to the current one. Kept by
-- triggers, so every write of a store's slug (sign-up, settings, the demo seed) goes through
-- the same uniqueness check: another store's slug, old or current, is a unique violation.
CREATE TABLE store_slugs (
    slug TEXT PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES stores(id),
    created_at INTEGER NOT NULL
);
INSERT INTO store_slugs (slug, store_id, created_at) SELECT slug, id, created_at FROM stores;
CREATE INDEX store_slugs_store ON store_slugs (store_id);

CREATE TRIGGER store_slug_created AFTER INSERT ON stores
BEGIN
    INSERT INTO store_slugs (slug, store_id, created_at) VALUES (NEW.slug, NEW.id, NEW.created_at);
END;

CREATE TRIGGER store_slug_changed AFTER UPDATE OF slug ON stores
WHEN NEW.slug <> OLD.slug
    AND NOT EXISTS (SELECT 1 FROM store_slugs WHERE slug = NEW.slug AND store_id = NEW.id)
BEGIN
    INSERT INTO store_slugs (slug, store_id, created_at)
    VALUES (NEW.slug, NEW.id, CAST(strftime('%s', 'now') AS INTEGER) * 1000);
END;
