DROP TRIGGER IF EXISTS vendors_notify_auth ON vendors;
