-- Global pools: series held by the organisation for no one customer, kind
-- 'global' with an empty code, from which customers flagged use_global draw
-- once their own stock of an item is exhausted.
--
-- SQLite cannot alter a CHECK constraint, and rebuilding series would
-- cascade through its service types and trip the append-only audit's
-- foreign keys. Widening a CHECK is the case SQLite's documentation
-- ("Making Other Kinds Of Table Schema Changes") allows by editing the
-- stored schema text: every existing row still satisfies the new check.
-- RESET makes this connection, and through the schema cookie the others,
-- read the schema again.
PRAGMA writable_schema = ON;

--bun:split

UPDATE sqlite_schema
SET sql = replace(sql,
    'CONSTRAINT series_owner_kind_check CHECK (owner_kind IN (''customer'', ''hub''))',
    'CONSTRAINT series_owner_kind_check CHECK (owner_kind IN (''customer'', ''hub'', ''global'') AND ((owner_kind = ''global'') = (owner_code = '''')))')
WHERE type = 'table' AND name = 'series';

--bun:split

UPDATE sqlite_schema
SET sql = replace(sql,
    'CONSTRAINT stock_thresholds_owner_kind_check CHECK (owner_kind IN (''customer'', ''hub''))',
    'CONSTRAINT stock_thresholds_owner_kind_check CHECK (owner_kind IN (''customer'', ''hub'', ''global'') AND ((owner_kind = ''global'') = (owner_code = '''')))')
WHERE type = 'table' AND name = 'stock_thresholds';

--bun:split

PRAGMA writable_schema = RESET;

--bun:split

ALTER TABLE customers ADD COLUMN use_global INTEGER NOT NULL DEFAULT 0 CONSTRAINT customers_use_global_check CHECK (use_global IN (0, 1));
