-- Allot's first schema for SQLite: the same logical tables as PostgreSQL.
-- Times are stored as UTC text in one format, so they compare in order.
-- Series digits are zero-padded to the width, so within one prefix and width
-- their (binary) text order is their numeric order.

CREATE TABLE organisations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    disabled   BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT organisations_code_key UNIQUE (code)
);

--bun:split

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    prefix     TEXT NOT NULL,
    hash       BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
    CONSTRAINT api_keys_hash_key UNIQUE (hash)
);

--bun:split

CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at);

--bun:split

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT customers_org_code_key UNIQUE (org_id, code)
);

--bun:split

CREATE TABLE hubs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT hubs_org_code_key UNIQUE (org_id, code)
);

--bun:split

CREATE TABLE service_types (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT service_types_org_code_key UNIQUE (org_id, code)
);

--bun:split

-- last_take is scratch space for DrawNext: an UPDATE sets it to the count it
-- takes, so that RETURNING tells where the drawn run began (drawn - last_take).
CREATE TABLE series (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations (id),
    prefix       TEXT NOT NULL,
    width        INTEGER NOT NULL,
    first_digits TEXT NOT NULL,
    last_digits  TEXT NOT NULL,
    size         INTEGER NOT NULL,
    drawn        INTEGER NOT NULL DEFAULT 0,
    last_take    INTEGER NOT NULL DEFAULT 0,
    owner_kind   TEXT NOT NULL,
    owner_code   TEXT NOT NULL,
    type         TEXT NOT NULL,
    item_code    TEXT NOT NULL,
    creator_hub  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    deleted_at   TIMESTAMP,
    CONSTRAINT series_width_check CHECK (width BETWEEN 1 AND 20),
    CONSTRAINT series_digits_check CHECK (
        length(first_digits) = width AND length(last_digits) = width
        AND first_digits NOT GLOB '*[^0-9]*' AND last_digits NOT GLOB '*[^0-9]*'
        AND first_digits <= last_digits),
    CONSTRAINT series_size_check CHECK (size > 0),
    CONSTRAINT series_drawn_check CHECK (drawn >= 0 AND drawn <= size),
    CONSTRAINT series_owner_kind_check CHECK (owner_kind IN ('customer', 'hub')),
    CONSTRAINT series_type_check CHECK (type IN ('physical', 'virtual'))
);

--bun:split

CREATE INDEX series_range_idx ON series (org_id, prefix, width, first_digits) WHERE deleted_at IS NULL;

--bun:split

CREATE INDEX series_owner_idx ON series (org_id, owner_kind, owner_code, item_code, id) WHERE deleted_at IS NULL;

--bun:split

-- SQLite has no exclusion constraints; these triggers make the database the
-- last line of the no-overlap rule here too, whatever code writes to it.
CREATE TRIGGER series_no_overlap_insert BEFORE INSERT ON series
WHEN NEW.deleted_at IS NULL AND EXISTS (
    SELECT 1 FROM series AS o
    WHERE o.org_id = NEW.org_id AND o.prefix = NEW.prefix AND o.width = NEW.width
      AND o.deleted_at IS NULL
      AND o.first_digits <= NEW.last_digits AND o.last_digits >= NEW.first_digits)
BEGIN
    SELECT RAISE(ABORT, 'series_no_overlap');
END;

--bun:split

CREATE TRIGGER series_no_overlap_update BEFORE UPDATE OF org_id, prefix, width, first_digits, last_digits, deleted_at ON series
WHEN NEW.deleted_at IS NULL AND EXISTS (
    SELECT 1 FROM series AS o
    WHERE o.id <> NEW.id AND o.org_id = NEW.org_id AND o.prefix = NEW.prefix AND o.width = NEW.width
      AND o.deleted_at IS NULL
      AND o.first_digits <= NEW.last_digits AND o.last_digits >= NEW.first_digits)
BEGIN
    SELECT RAISE(ABORT, 'series_no_overlap');
END;

--bun:split

CREATE TABLE series_service_types (
    series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    code      TEXT NOT NULL,
    pos       INTEGER NOT NULL,
    PRIMARY KEY (series_id, code)
);

--bun:split

CREATE INDEX series_service_types_code_idx ON series_service_types (code, series_id);

--bun:split

CREATE TABLE idempotency_keys (
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    key         TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    done        BOOLEAN NOT NULL DEFAULT 0,
    status      INTEGER NOT NULL DEFAULT 0,
    body        BLOB,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, key)
);
