DROP TABLE IF EXISTS stock_thresholds;

--bun:split

DROP TABLE IF EXISTS series_audit;

--bun:split

DROP FUNCTION IF EXISTS allot_audit_append_only();

--bun:split

DROP TABLE IF EXISTS series_numbers;

--bun:split

ALTER TABLE series DROP COLUMN IF EXISTS check_digit;

--bun:split

ALTER TABLE series DROP COLUMN IF EXISTS released_behind;

--bun:split

ALTER TABLE series DROP COLUMN IF EXISTS void_behind;

--bun:split

ALTER TABLE series DROP COLUMN IF EXISTS void_ahead;

--bun:split

ALTER TABLE series DROP COLUMN IF EXISTS used_ahead;

--bun:split

ALTER TABLE series DROP COLUMN IF EXISTS next_mark;
