DROP TRIGGER IF EXISTS organisations_notify_auth ON organisations;

--bun:split

DROP TRIGGER IF EXISTS api_keys_notify_auth ON api_keys;

--bun:split

DROP FUNCTION IF EXISTS allot_notify_auth();
