DROP INDEX IF EXISTS lines_order_idx;

--bun:split

ALTER TABLE lines DROP CONSTRAINT IF EXISTS lines_order_fkey;

--bun:split

ALTER TABLE lines DROP COLUMN IF EXISTS order_id;

--bun:split

ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_org_id_key;

--bun:split

ALTER TABLE organisations DROP COLUMN IF EXISTS require_payment;
