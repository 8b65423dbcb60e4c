DROP TABLE IF EXISTS tokens;
--bun:split
DROP TABLE IF EXISTS provisioning_queue;
--bun:split
DROP TABLE IF EXISTS lines;
--bun:split
DROP TABLE IF EXISTS accounts;
--bun:split
DROP TABLE IF EXISTS enrollment_ids;
--bun:split
DROP TABLE IF EXISTS plans;
--bun:split
DROP TABLE IF EXISTS service_zips;
--bun:split
DROP TABLE IF EXISTS allowed_sources;
--bun:split
DROP TABLE IF EXISTS agents;
--bun:split
DROP TABLE IF EXISTS vendors;
