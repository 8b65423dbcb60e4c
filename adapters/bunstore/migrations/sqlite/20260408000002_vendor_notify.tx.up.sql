-- Servers cache verified vendor credentials (POST /authenticate). SQLite
-- has no notifications and another process (the CLI) may change the file,
-- so a cached verdict is used only while auth_epoch.n is what it was when
-- the verdict was reached: these triggers count every change to vendors,
-- organisations and API keys, by any process, in the transaction that
-- makes it. A new vendor or key changes no verdict and is not counted.

CREATE TABLE auth_epoch (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);

--bun:split

INSERT INTO auth_epoch (id, n) VALUES (1, 1);

--bun:split

CREATE TRIGGER vendors_auth_epoch_update AFTER UPDATE ON vendors
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

--bun:split

CREATE TRIGGER vendors_auth_epoch_delete AFTER DELETE ON vendors
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

--bun:split

CREATE TRIGGER organisations_auth_epoch_update AFTER UPDATE ON organisations
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

--bun:split

CREATE TRIGGER organisations_auth_epoch_delete AFTER DELETE ON organisations
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

--bun:split

CREATE TRIGGER api_keys_auth_epoch_update AFTER UPDATE ON api_keys
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

--bun:split

CREATE TRIGGER api_keys_auth_epoch_delete AFTER DELETE ON api_keys
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
