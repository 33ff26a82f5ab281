-- What a customer page shows of a store besides its own row (its enabled methods, active bank
-- accounts and logos) is cached per app server (`checkout::storefront`) and reused while
-- `stores.storefront_version` is unchanged: any change to those tables moves it.
ALTER TABLE stores ADD COLUMN storefront_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER payment_methods_storefront_insert AFTER INSERT ON payment_methods BEGIN
    UPDATE stores SET storefront_version = storefront_version + 1 WHERE id = NEW.store_id;
END;
CREATE TRIGGER payment_methods_storefront_update AFTER UPDATE ON payment_methods BEGIN
    UPDATE stores SET storefront_version = storefront_version + 1
        WHERE id IN (OLD.store_id, NEW.store_id);
END;
CREATE TRIGGER payment_methods_storefront_delete AFTER DELETE ON payment_methods BEGIN
    UPDATE stores SET storefront_version = storefront_version + 1 WHERE id = OLD.store_id;
END;

CREATE TRIGGER bank_accounts_storefront_insert AFTER INSERT ON bank_accounts BEGIN
    UPDATE stores SET storefront_version = storefront_version + 1 WHERE id = NEW.store_id;
END;
CREATE TRIGGER bank_accounts_storefront_update AFTER UPDATE ON bank_accounts BEGIN
    UPDATE stores SET storefront_version = storefront_version + 1
        WHERE id IN (OLD.store_id, NEW.store_id);
END;
CREATE TRIGGER bank_accounts_storefront_delete AFTER DELETE ON bank_accounts BEGIN
    UPDATE stores SET storefront_version = storefront_version + 1 WHERE id = OLD.store_id;
END;

CREATE TRIGGER images_storefront_insert AFTER INSERT ON images BEGIN
    UPDATE stores SET storefront_version = storefront_version + 1 WHERE id = NEW.store_id;
END;
CREATE TRIGGER images_storefront_update AFTER UPDATE ON images BEGIN
    UPDATE stores SET storefront_version = storefront_version + 1
        WHERE id IN (OLD.store_id, NEW.store_id);
END;
CREATE TRIGGER images_storefront_delete AFTER DELETE ON images BEGIN
    UPDATE stores SET storefront_version = storefront_version + 1 WHERE id = OLD.store_id;
END;
