-- Cheaper look-ups on the hot paths. On SQLite the no-overlap triggers
-- scanned every live series of the organisation, prefix and width that
-- starts before the new range ends: linear in the series, so inserts slowed
-- down as the table grew. Live ranges never overlap each other (these
-- triggers guarantee it), so the only one that can overlap a new range is
-- the live range with the greatest first number not after the new range's
-- last: one probe of series_range_idx, as InsertSeries' own check does.
-- (The PostgreSQL migration of the same name adds the notifications its
-- authentication cache relies on.)

DROP TRIGGER series_no_overlap_insert;

--bun:split

DROP TRIGGER series_no_overlap_update;

--bun:split

CREATE TRIGGER series_no_overlap_insert BEFORE INSERT ON series
WHEN NEW.deleted_at IS NULL AND EXISTS (
    SELECT 1 FROM (
        SELECT o.last_digits FROM series AS o
        WHERE o.org_id = NEW.org_id AND o.prefix = NEW.prefix AND o.width = NEW.width
          AND o.deleted_at IS NULL AND o.first_digits <= NEW.last_digits
        ORDER BY o.first_digits DESC LIMIT 1) AS c
    WHERE c.last_digits >= NEW.first_digits)
BEGIN
    SELECT RAISE(ABORT, 'series_no_overlap');
END;

--bun:split

CREATE TRIGGER series_no_overlap_update BEFORE UPDATE OF org_id, prefix, width, first_digits, last_digits, deleted_at ON series
WHEN NEW.deleted_at IS NULL AND EXISTS (
    SELECT 1 FROM (
        SELECT o.last_digits FROM series AS o
        WHERE o.id <> NEW.id AND o.org_id = NEW.org_id AND o.prefix = NEW.prefix AND o.width = NEW.width
          AND o.deleted_at IS NULL AND o.first_digits <= NEW.last_digits
        ORDER BY o.first_digits DESC LIMIT 1) AS c
    WHERE c.last_digits >= NEW.first_digits)
BEGIN
    SELECT RAISE(ABORT, 'series_no_overlap');
END;
