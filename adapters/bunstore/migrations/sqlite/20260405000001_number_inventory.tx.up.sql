-- Number-level inventory; see the PostgreSQL migration of the same name.

ALTER TABLE series ADD COLUMN next_mark INTEGER;

--bun:split

ALTER TABLE series ADD COLUMN used_ahead INTEGER NOT NULL DEFAULT 0 CONSTRAINT series_used_ahead_check CHECK (used_ahead >= 0);

--bun:split

ALTER TABLE series ADD COLUMN void_ahead INTEGER NOT NULL DEFAULT 0 CONSTRAINT series_void_ahead_check CHECK (void_ahead >= 0);

--bun:split

ALTER TABLE series ADD COLUMN void_behind INTEGER NOT NULL DEFAULT 0 CONSTRAINT series_void_behind_check CHECK (void_behind >= 0);

--bun:split

ALTER TABLE series ADD COLUMN released_behind INTEGER NOT NULL DEFAULT 0 CONSTRAINT series_released_behind_check CHECK (released_behind >= 0);

--bun:split

ALTER TABLE series ADD COLUMN check_digit TEXT NOT NULL DEFAULT 'none'
    CONSTRAINT series_check_digit_check CHECK (check_digit IN ('none', 'mod7', 'luhn'));

--bun:split

CREATE TABLE series_numbers (
    series_id  INTEGER NOT NULL REFERENCES series (id),
    pos        INTEGER NOT NULL,
    state      TEXT NOT NULL,
    reference  TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (series_id, pos),
    CONSTRAINT series_numbers_pos_check CHECK (pos >= 0),
    CONSTRAINT series_numbers_state_check CHECK (state IN ('used', 'void', 'available'))
) WITHOUT ROWID;

--bun:split

CREATE TABLE series_audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations (id),
    series_id    INTEGER NOT NULL REFERENCES series (id),
    at           TIMESTAMP NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    first_pos    INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    before_state TEXT NOT NULL DEFAULT '',
    after_state  TEXT NOT NULL DEFAULT '',
    reference    TEXT NOT NULL DEFAULT ''
);

--bun:split

CREATE INDEX series_audit_series_idx ON series_audit (org_id, series_id, id);

--bun:split

CREATE INDEX series_audit_at_idx ON series_audit (org_id, at, id);

--bun:split

-- History is append-only here too, whatever code writes to the file.
CREATE TRIGGER series_audit_no_update BEFORE UPDATE ON series_audit
BEGIN
    SELECT RAISE(ABORT, 'series_audit is append-only');
END;

--bun:split

CREATE TRIGGER series_audit_no_delete BEFORE DELETE ON series_audit
BEGIN
    SELECT RAISE(ABORT, 'series_audit is append-only');
END;

--bun:split

CREATE TABLE stock_thresholds (
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    owner_kind TEXT NOT NULL,
    owner_code TEXT NOT NULL,
    item_code  TEXT NOT NULL,
    level      INTEGER NOT NULL,
    PRIMARY KEY (org_id, owner_kind, owner_code, item_code),
    CONSTRAINT stock_thresholds_level_check CHECK (level >= 0),
    CONSTRAINT stock_thresholds_owner_kind_check CHECK (owner_kind IN ('customer', 'hub'))
);
