DROP TRIGGER IF EXISTS api_keys_auth_epoch_delete;
--bun:split
DROP TRIGGER IF EXISTS api_keys_auth_epoch_update;
--bun:split
DROP TRIGGER IF EXISTS organisations_auth_epoch_delete;
--bun:split
DROP TRIGGER IF EXISTS organisations_auth_epoch_update;
--bun:split
DROP TRIGGER IF EXISTS vendors_auth_epoch_delete;
--bun:split
DROP TRIGGER IF EXISTS vendors_auth_epoch_update;
--bun:split
DROP TABLE IF EXISTS auth_epoch;
