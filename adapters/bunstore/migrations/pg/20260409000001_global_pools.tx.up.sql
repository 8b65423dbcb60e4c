-- Global pools: series held by the organisation for no one customer, kind
-- 'global' with an empty code, from which customers flagged use_global draw
-- once their own stock of an item is exhausted.
ALTER TABLE series DROP CONSTRAINT series_owner_kind_check;

--bun:split

ALTER TABLE series ADD CONSTRAINT series_owner_kind_check
    CHECK (owner_kind IN ('customer', 'hub', 'global') AND ((owner_kind = 'global') = (owner_code = '')));

--bun:split

ALTER TABLE stock_thresholds DROP CONSTRAINT stock_thresholds_owner_kind_check;

--bun:split

ALTER TABLE stock_thresholds ADD CONSTRAINT stock_thresholds_owner_kind_check
    CHECK (owner_kind IN ('customer', 'hub', 'global') AND ((owner_kind = 'global') = (owner_code = '')));

--bun:split

ALTER TABLE customers ADD COLUMN use_global BOOLEAN NOT NULL DEFAULT FALSE;
