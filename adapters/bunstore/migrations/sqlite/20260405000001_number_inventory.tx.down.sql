DROP TABLE IF EXISTS stock_thresholds;

--bun:split

DROP TRIGGER IF EXISTS series_audit_no_delete;

--bun:split

DROP TRIGGER IF EXISTS series_audit_no_update;

--bun:split

DROP TABLE IF EXISTS series_audit;

--bun:split

DROP TABLE IF EXISTS series_numbers;

--bun:split

ALTER TABLE series DROP COLUMN check_digit;

--bun:split

ALTER TABLE series DROP COLUMN released_behind;

--bun:split

ALTER TABLE series DROP COLUMN void_behind;

--bun:split

ALTER TABLE series DROP COLUMN void_ahead;

--bun:split

ALTER TABLE series DROP COLUMN used_ahead;

--bun:split

ALTER TABLE series DROP COLUMN next_mark;
