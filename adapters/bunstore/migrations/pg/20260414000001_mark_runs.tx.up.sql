-- Marks as runs: one row per maximal run of consecutive numbers of a
-- series in the same state with the same reference, numbers first_pos to
-- last_pos inclusive, in place of a row per number, so that storage grows
-- with the runs of used numbers, not with their count. The exclusion
-- constraint is what makes a number impossible to consume twice, whatever
-- the number of processes: no two runs of a series share a number.

CREATE TABLE series_runs (
    series_id  BIGINT NOT NULL REFERENCES series (id),
    first_pos  BIGINT NOT NULL,
    last_pos   BIGINT NOT NULL,
    state      TEXT NOT NULL,
    reference  TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (series_id, first_pos),
    CONSTRAINT series_runs_pos_check CHECK (first_pos >= 0 AND last_pos >= first_pos),
    CONSTRAINT series_runs_state_check CHECK (state IN ('used', 'void', 'available')),
    CONSTRAINT series_runs_no_overlap EXCLUDE USING gist (series_id WITH =, int8range(first_pos, last_pos, '[]') WITH &&)
);

--bun:split

-- Each island of consecutive numbers with one state and reference: pos
-- minus its rank within (series, state, reference) is constant along it.
INSERT INTO series_runs (series_id, first_pos, last_pos, state, reference, updated_at)
SELECT series_id, MIN(pos), MAX(pos), state, reference, MAX(updated_at)
FROM (SELECT series_id, pos, state, reference, updated_at,
             pos - ROW_NUMBER() OVER (PARTITION BY series_id, state, reference ORDER BY pos) AS island
      FROM series_numbers) AS n
GROUP BY series_id, state, reference, island;

--bun:split

DROP TABLE series_numbers;
