-- Marks as runs; see the PostgreSQL migration of the same name. SQLite has
-- no exclusion constraint: the triggers refuse a run sharing a number with
-- another of its series, and a change of a run's numbers in place (the
-- store replaces runs, it never moves one).

CREATE TABLE series_runs (
    series_id  INTEGER NOT NULL REFERENCES series (id),
    first_pos  INTEGER NOT NULL,
    last_pos   INTEGER NOT NULL,
    state      TEXT NOT NULL,
    reference  TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (series_id, first_pos),
    CONSTRAINT series_runs_pos_check CHECK (first_pos >= 0 AND last_pos >= first_pos),
    CONSTRAINT series_runs_state_check CHECK (state IN ('used', 'void', 'available'))
) WITHOUT ROWID;

--bun:split

-- Runs of a series are disjoint, so the one that starts last at or before
-- the new run's end is the only one that can overlap it.
CREATE TRIGGER series_runs_no_overlap BEFORE INSERT ON series_runs
WHEN EXISTS (SELECT 1 FROM series_runs AS r WHERE r.series_id = NEW.series_id
    AND r.first_pos = (SELECT MAX(q.first_pos) FROM series_runs AS q WHERE q.series_id = NEW.series_id AND q.first_pos <= NEW.last_pos)
    AND r.last_pos >= NEW.first_pos)
BEGIN
    SELECT RAISE(ABORT, 'series_runs_no_overlap: numbers of a series in two runs');
END;

--bun:split

CREATE TRIGGER series_runs_fixed BEFORE UPDATE OF series_id, first_pos, last_pos ON series_runs
BEGIN
    SELECT RAISE(ABORT, 'series_runs_no_overlap: a run is replaced, never moved');
END;

--bun:split

INSERT INTO series_runs (series_id, first_pos, last_pos, state, reference, updated_at)
SELECT series_id, MIN(pos), MAX(pos), state, reference, MAX(updated_at)
FROM (SELECT series_id, pos, state, reference, updated_at,
             pos - ROW_NUMBER() OVER (PARTITION BY series_id, state, reference ORDER BY pos) AS island
      FROM series_numbers) AS n
GROUP BY series_id, state, reference, island;

--bun:split

DROP TABLE series_numbers;
