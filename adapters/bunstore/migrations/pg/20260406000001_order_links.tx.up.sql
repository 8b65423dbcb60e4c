-- Customer lines tied to the make_payment order they were created with
-- (SPEC §2 "Orders and payments"), and the organisation setting that makes
-- a paid order a condition of creating a customer. order_id was kept in a
-- line's details since create_prepaid_postpaid_customer_v2 existed; it
-- becomes a column so that an order's lines can be listed, and a foreign
-- key on (org_id, order_id) keeps a line from naming another
-- organisation's order.

ALTER TABLE organisations ADD COLUMN require_payment BOOLEAN NOT NULL DEFAULT FALSE;

--bun:split

ALTER TABLE orders ADD CONSTRAINT orders_org_id_key UNIQUE (org_id, id);

--bun:split

ALTER TABLE lines ADD COLUMN order_id BIGINT;

--bun:split

-- Lines stored before this migration keep the order_id they were sent with
-- when it names an order of their organisation.
UPDATE lines SET order_id = o.id
    FROM orders o
    WHERE o.org_id = lines.org_id AND o.id::TEXT = ltrim(lines.details->>'order_id', '0');

--bun:split

ALTER TABLE lines ADD CONSTRAINT lines_order_fkey FOREIGN KEY (org_id, order_id) REFERENCES orders (org_id, id);

--bun:split

CREATE INDEX lines_order_idx ON lines (org_id, order_id) WHERE order_id IS NOT NULL;
