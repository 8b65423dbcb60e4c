DROP TRIGGER series_no_overlap_update;

--bun:split

DROP TRIGGER series_no_overlap_insert;

--bun:split

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
