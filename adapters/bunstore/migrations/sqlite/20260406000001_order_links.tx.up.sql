-- Customer lines tied to the make_payment order they were created with
-- (SPEC §2 "Orders and payments"), and the organisation setting that makes
-- a paid order a condition of creating a customer. order_id was kept in a
-- line's details since create_prepaid_postpaid_customer_v2 existed; it
-- becomes a column so that an order's lines can be listed. SQLite cannot
-- add a table constraint to an existing table, and a column that takes part
-- in a foreign key could not be dropped again, so here the use case's check
-- (the order is the organisation's) is the guard; PostgreSQL adds the key.

ALTER TABLE organisations ADD COLUMN require_payment BOOLEAN NOT NULL DEFAULT FALSE;

--bun:split

ALTER TABLE lines ADD COLUMN order_id INTEGER;

--bun:split

-- Lines stored before this migration keep the order_id they were sent with
-- when it names an order of their organisation.
UPDATE lines SET order_id = (
        SELECT o.id FROM orders o
        WHERE o.org_id = lines.org_id AND o.id = CAST(json_extract(lines.details, '$.order_id') AS INTEGER))
    WHERE json_extract(details, '$.order_id') IS NOT NULL;

--bun:split

CREATE INDEX lines_order_idx ON lines (org_id, order_id) WHERE order_id IS NOT NULL;
