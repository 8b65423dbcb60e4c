-- Dashboard operators (SPEC §1 "Dashboard", Tenancy) for SQLite: the same
-- logical tables as PostgreSQL. An email is unique across organisations,
-- because the sign-in form names no organisation, and stored lower-case.
-- Passwords are kept as slow salted hashes, and sessions only as keyed
-- digests of their ids.

CREATE TABLE operators (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    CONSTRAINT operators_email_key UNIQUE (email),
    CONSTRAINT operators_email_lower_check CHECK (email = lower(email))
);

--bun:split

CREATE INDEX operators_org_idx ON operators (org_id, email);

--bun:split

-- A session dies with its operator.
CREATE TABLE operator_sessions (
    digest      BLOB NOT NULL PRIMARY KEY,
    operator_id INTEGER NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX operator_sessions_expires_idx ON operator_sessions (expires_at);

--bun:split

-- One row per failed sign-in, for the lockout. email is whatever address
-- was tried, with or without an operator, so that the lockout treats both
-- alike; no foreign key.
CREATE TABLE sign_in_failures (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    email     TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX sign_in_failures_email_idx ON sign_in_failures (email, failed_at);

--bun:split

CREATE INDEX sign_in_failures_failed_at_idx ON sign_in_failures (failed_at);
