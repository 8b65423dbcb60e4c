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

WITH RECURSIVE p(series_id, pos, last_pos, state, reference, updated_at) AS (
    SELECT series_id, first_pos, last_pos, state, reference, updated_at FROM series_runs
    UNION ALL
    SELECT series_id, pos + 1, last_pos, state, reference, updated_at FROM p WHERE pos < last_pos
)
INSERT INTO series_numbers (series_id, pos, state, reference, updated_at)
SELECT series_id, pos, state, reference, updated_at FROM p;

--bun:split

DROP TABLE series_runs;
