-- Back to invoice_counters: each period's counter is the last number drawn
-- from its invoice series. The series are soft-deleted, not removed: their
-- history is append-only.

CREATE TABLE invoice_counters (
    org_id      BIGINT NOT NULL REFERENCES organisations (id),
    period      TEXT COLLATE "C" NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (org_id, period)
);

--bun:split

INSERT INTO invoice_counters (org_id, period, last_number)
SELECT org_id,
       CASE WHEN item_code = 'INVOICE' THEN '' ELSE substr(item_code, 9) END,
       max(CASE WHEN prefix = 'INVC' THEN first_digits::bigint ELSE substr(first_digits, 7)::bigint END + drawn - 1)
FROM series
WHERE owner_kind = 'hub' AND owner_code = 'INVOICE' AND deleted_at IS NULL AND drawn > 0
    AND ((item_code = 'INVOICE' AND prefix = 'INVC') OR (item_code LIKE 'INVOICE-%' AND prefix = 'INV'))
GROUP BY org_id, item_code;

--bun:split

UPDATE series SET deleted_at = now()
WHERE owner_kind = 'hub' AND owner_code = 'INVOICE' AND deleted_at IS NULL
    AND ((item_code = 'INVOICE' AND prefix = 'INVC') OR (item_code LIKE 'INVOICE-%' AND prefix = 'INV'));
