ALTER TABLE customers DROP COLUMN use_global;

--bun:split

PRAGMA writable_schema = ON;

--bun:split

UPDATE sqlite_schema
SET sql = replace(sql,
    'CONSTRAINT series_owner_kind_check CHECK (owner_kind IN (''customer'', ''hub'', ''global'') AND ((owner_kind = ''global'') = (owner_code = '''')))',
    'CONSTRAINT series_owner_kind_check CHECK (owner_kind IN (''customer'', ''hub''))')
WHERE type = 'table' AND name = 'series';

--bun:split

UPDATE sqlite_schema
SET sql = replace(sql,
    'CONSTRAINT stock_thresholds_owner_kind_check CHECK (owner_kind IN (''customer'', ''hub'', ''global'') AND ((owner_kind = ''global'') = (owner_code = '''')))',
    'CONSTRAINT stock_thresholds_owner_kind_check CHECK (owner_kind IN (''customer'', ''hub''))')
WHERE type = 'table' AND name = 'stock_thresholds';

--bun:split

PRAGMA writable_schema = RESET;
