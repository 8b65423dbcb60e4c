DROP INDEX IF EXISTS lines_order_idx;

--bun:split

ALTER TABLE lines DROP COLUMN order_id;

--bun:split

ALTER TABLE organisations DROP COLUMN require_payment;
