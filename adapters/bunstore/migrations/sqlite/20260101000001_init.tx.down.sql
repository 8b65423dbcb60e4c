DROP TABLE IF EXISTS idempotency_keys;
--bun:split
DROP TABLE IF EXISTS series_service_types;
--bun:split
DROP TABLE IF EXISTS series;
--bun:split
DROP TABLE IF EXISTS service_types;
--bun:split
DROP TABLE IF EXISTS hubs;
--bun:split
DROP TABLE IF EXISTS customers;
--bun:split
DROP TABLE IF EXISTS api_keys;
--bun:split
DROP TABLE IF EXISTS organisations;
