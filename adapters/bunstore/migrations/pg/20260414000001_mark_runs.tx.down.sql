CREATE TABLE series_numbers (
    series_id  BIGINT NOT NULL REFERENCES series (id),
    pos        BIGINT NOT NULL,
    state      TEXT NOT NULL,
    reference  TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (series_id, pos),
    CONSTRAINT series_numbers_pos_check CHECK (pos >= 0),
    CONSTRAINT series_numbers_state_check CHECK (state IN ('used', 'void', 'available'))
);

--bun:split

INSERT INTO series_numbers (series_id, pos, state, reference, updated_at)
SELECT r.series_id, p.pos, r.state, r.reference, r.updated_at
FROM series_runs AS r CROSS JOIN LATERAL generate_series(r.first_pos, r.last_pos) AS p(pos);

--bun:split

DROP TABLE series_runs;
