DROP TABLE IF EXISTS attempts;

--bun:split

CREATE TABLE sign_in_failures (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    email     TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX sign_in_failures_email_idx ON sign_in_failures (email, failed_at);

--bun:split

CREATE INDEX sign_in_failures_failed_at_idx ON sign_in_failures (failed_at);
