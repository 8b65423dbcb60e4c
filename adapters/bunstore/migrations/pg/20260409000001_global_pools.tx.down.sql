ALTER TABLE customers DROP COLUMN use_global;

--bun:split

ALTER TABLE stock_thresholds DROP CONSTRAINT stock_thresholds_owner_kind_check;

--bun:split

ALTER TABLE stock_thresholds ADD CONSTRAINT stock_thresholds_owner_kind_check CHECK (owner_kind IN ('customer', 'hub'));

--bun:split

ALTER TABLE series DROP CONSTRAINT series_owner_kind_check;

--bun:split

ALTER TABLE series ADD CONSTRAINT series_owner_kind_check CHECK (owner_kind IN ('customer', 'hub'));
