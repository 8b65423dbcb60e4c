DROP TABLE IF EXISTS line_sims;

--bun:split

DROP TABLE IF EXISTS line_history;

--bun:split

DROP INDEX IF EXISTS lines_org_status_idx;

--bun:split

DROP INDEX IF EXISTS lines_org_mdn_key;

--bun:split

ALTER TABLE lines DROP COLUMN status_changed_at;

--bun:split

ALTER TABLE lines DROP COLUMN msid;

--bun:split

ALTER TABLE lines DROP COLUMN mdn;
