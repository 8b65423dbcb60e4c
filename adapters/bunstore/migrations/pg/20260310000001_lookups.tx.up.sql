-- Cheaper look-ups on the hot paths. On PostgreSQL, stores cache the rows
-- that authenticate requests (API keys, organisations) and drop the cache
-- when these triggers notify: any change to either table, by any process,
-- notifies channel allot_auth when its transaction commits. (The SQLite
-- migration of the same name makes the no-overlap triggers probe one row.)

CREATE FUNCTION allot_notify_auth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('allot_auth', '');
    RETURN NULL;
END
$$;

--bun:split

CREATE TRIGGER api_keys_notify_auth AFTER UPDATE OR DELETE OR TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION allot_notify_auth();

--bun:split

CREATE TRIGGER organisations_notify_auth AFTER UPDATE OR DELETE OR TRUNCATE ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION allot_notify_auth();
