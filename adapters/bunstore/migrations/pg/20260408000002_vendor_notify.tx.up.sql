-- Servers cache verified vendor credentials (POST /authenticate) and drop
-- them when channel allot_auth notifies (adapters/bunstore/authcache.go):
-- a change to a vendor's credentials, or its removal, by any process,
-- notifies like a change to an organisation or an API key. A new vendor
-- needs no notification: only verified credentials are cached.

CREATE TRIGGER vendors_notify_auth AFTER UPDATE OR DELETE OR TRUNCATE ON vendors
    FOR EACH STATEMENT EXECUTE FUNCTION allot_notify_auth();
