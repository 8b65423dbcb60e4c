-- Invoice numbers come from the organisation's own number series, drawn
-- like every other number in the transaction that inserts the order
-- (domain/order/invoice.go): the series of its hub INVOICE, item code
-- INVOICE-YYYY-MM for a monthly counter (numbers INV + YYYYMM + counter)
-- and INVOICE for a continuous one (INVC + counter, nine digits). Each
-- counter of invoice_counters becomes such a series whose drawn numbers are
-- the ones it issued (from the organisation's invoice start, or from its
-- last number if the start was raised since), so numbering goes on where
-- it was; one history entry records them. Then the counters go.

INSERT INTO series (org_id, prefix, width, first_digits, last_digits, size, drawn,
    owner_kind, owner_code, type, item_code, creator_hub, created_at, check_digit)
SELECT m.org_id,
       CASE WHEN m.period = '' THEN 'INVC' ELSE 'INV' END,
       length(m.pd) + m.w,
       m.pd || substr('0000000000000000000' || m.s, -m.w, m.w),
       m.pd || substr('9999999999999999999', 1, m.w),
       CAST(substr('9999999999999999999', 1, m.w) AS INTEGER) - m.s + 1,
       m.last_number - m.s + 1,
       'hub', 'INVOICE', 'virtual',
       CASE WHEN m.period = '' THEN 'INVOICE' ELSE 'INVOICE-' || m.period END,
       '', strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'), 'none'
FROM (
    SELECT c.org_id, c.period, c.last_number,
           min(COALESCE(o.invoice_start, 1), c.last_number) AS s,
           replace(c.period, '-', '') AS pd,
           max(CASE WHEN c.period = '' THEN 9 ELSE 4 END, length(CAST(c.last_number AS TEXT))) AS w
    FROM invoice_counters AS c LEFT JOIN order_settings AS o ON o.org_id = c.org_id
) AS m;

--bun:split

INSERT INTO series_audit (org_id, series_id, at, actor, action, first_pos, count, before_state, after_state, reference)
SELECT s.org_id, s.id, s.created_at, 'migration:20260408000001', 'draw', 0, s.drawn, 'available', 'used', 'invoice_counters'
FROM series AS s
WHERE s.owner_kind = 'hub' AND s.owner_code = 'INVOICE' AND (s.item_code = 'INVOICE' OR s.item_code LIKE 'INVOICE-%')
    AND s.deleted_at IS NULL AND s.drawn > 0
    AND NOT EXISTS (SELECT 1 FROM series_audit AS a WHERE a.series_id = s.id);

--bun:split

DROP TABLE invoice_counters;
