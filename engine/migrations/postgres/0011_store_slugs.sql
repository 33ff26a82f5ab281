-- Every slug a store has had, its current one included: an earlier slug stays its store's (an
-- old link must never open another merchant's page) and leads to the current one. Kept by a
-- trigger, so every write of a store's slug (sign-up, settings, the demo seed) goes through
-- the same uniqueness check: another store's slug, old or current, is a unique violation.
CREATE TABLE store_slugs (
    slug TEXT PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id),
    created_at BIGINT NOT NULL
);
INSERT INTO store_slugs (slug, store_id, created_at) SELECT slug, id, created_at FROM stores;
CREATE INDEX store_slugs_store ON store_slugs (store_id);

CREATE FUNCTION store_slug_history() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM store_slugs WHERE slug = NEW.slug AND store_id = NEW.id) THEN
        INSERT INTO store_slugs (slug, store_id, created_at)
        VALUES (NEW.slug, NEW.id, (extract(epoch FROM now()) * 1000)::bigint);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER store_slug_history AFTER INSERT OR UPDATE OF slug ON stores
FOR EACH ROW EXECUTE FUNCTION store_slug_history();
