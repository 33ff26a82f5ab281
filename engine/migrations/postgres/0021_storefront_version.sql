-- What a customer page shows of a store besides its own row (its enabled methods, active bank
-- accounts and logos) is cached per app server (`checkout::storefront`) and reused while
-- `stores.storefront_version` is unchanged: any change to those tables moves it.
ALTER TABLE stores ADD COLUMN storefront_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION storefront_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE stores SET storefront_version = storefront_version + 1 WHERE id = OLD.store_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE stores SET storefront_version = storefront_version + 1 WHERE id = NEW.store_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER payment_methods_storefront AFTER INSERT OR UPDATE OR DELETE ON payment_methods
    FOR EACH ROW EXECUTE FUNCTION storefront_changed();
CREATE TRIGGER bank_accounts_storefront AFTER INSERT OR UPDATE OR DELETE ON bank_accounts
    FOR EACH ROW EXECUTE FUNCTION storefront_changed();
CREATE TRIGGER images_storefront AFTER INSERT OR UPDATE OR DELETE ON images
    FOR EACH ROW EXECUTE FUNCTION storefront_changed();
