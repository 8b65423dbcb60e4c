DROP TABLE IF EXISTS sign_in_failures;
--bun:split
DROP TABLE IF EXISTS operator_sessions;
--bun:split
DROP TABLE IF EXISTS operators;
