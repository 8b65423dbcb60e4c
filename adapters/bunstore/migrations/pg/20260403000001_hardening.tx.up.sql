-- Counters of the guessing limits (domain/attempt): one row per key and
-- fixed window, incremented by one atomic upsert so that the limit holds
-- across server processes. window_start is Unix seconds. They replace the
-- per-failure rows of the sign-in lockout.
CREATE TABLE attempts (
    attempt_key  TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (attempt_key, window_start)
);

--bun:split

CREATE INDEX attempts_window_idx ON attempts (window_start);

--bun:split

DROP TABLE sign_in_failures;
