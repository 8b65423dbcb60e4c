-- The prepaid enrollment API (SPEC §2) for SQLite: the same logical tables
-- as PostgreSQL. Times are UTC text in one format, so they compare in order;
-- keys compare byte-wise (SQLite's BINARY collation). Secrets are never
-- stored in plain text: passwords and pins as slow salted hashes, the
-- port-out account password and SSN sealed (encrypted), and tokens as keyed
-- digests.

-- vendor_id is unique across organisations: POST /authenticate names no
-- organisation, so the vendor id alone must find one.
CREATE TABLE vendors (
    vendor_id     TEXT NOT NULL PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    pin_hash      TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX vendors_org_idx ON vendors (org_id);

--bun:split

-- actions is a JSON array of the action names the agent may call; an empty
-- array means every action. password_hash is '' for an agent that needs no
-- password.
CREATE TABLE agents (
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    id            TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    actions       TEXT NOT NULL DEFAULT '[]',
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, id)
);

--bun:split

CREATE TABLE allowed_sources (
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    source TEXT NOT NULL,
    PRIMARY KEY (org_id, source)
);

--bun:split

CREATE TABLE service_zips (
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    zip        TEXT NOT NULL,
    city       TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, zip)
);

--bun:split

-- price is the decimal text "25.00": exact, and the same in both databases.
CREATE TABLE plans (
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    plan_id    TEXT NOT NULL,
    name       TEXT NOT NULL,
    price      TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, plan_id)
);

--bun:split

-- An id is unique across organisations, so that check_service_availability
-- never hands out one that exists anywhere, and stored upper-case, since
-- enrollment ids compare case-insensitively. used_at is set, once, by the
-- conditional update that lets exactly one line claim the id.
CREATE TABLE enrollment_ids (
    id        TEXT NOT NULL PRIMARY KEY,
    org_id    INTEGER NOT NULL REFERENCES organisations (id),
    zip       TEXT NOT NULL,
    agent_id  TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    used_at   TIMESTAMP,
    CONSTRAINT enrollment_ids_upper_check CHECK (id = upper(id)),
    -- The target of the foreign keys that tie accounts and lines to an id
    -- issued to their own organisation.
    CONSTRAINT enrollment_ids_org_id_key UNIQUE (org_id, id)
);

--bun:split

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id               INTEGER NOT NULL REFERENCES organisations (id),
    parent_enrollment_id TEXT NOT NULL,
    agent_id             TEXT NOT NULL,
    source               TEXT NOT NULL,
    sub_source           TEXT NOT NULL DEFAULT '',
    invoice_number       TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMP NOT NULL,
    CONSTRAINT accounts_org_parent_key UNIQUE (org_id, parent_enrollment_id),
    CONSTRAINT accounts_parent_issued_fkey FOREIGN KEY (org_id, parent_enrollment_id)
        REFERENCES enrollment_ids (org_id, id)
);

--bun:split

CREATE INDEX accounts_org_created_idx ON accounts (org_id, created_at, id);

--bun:split

-- customer_id is the id the API answers with. details is a JSON object of
-- the line's remaining non-secret fields (addresses, device, the port-in
-- fields but its secrets). The secrets have their own columns:
-- password_hash holds the customer password's hash, the *_sealed columns the
-- sealed port-out account password and SSN; each is NULL when not sent.
CREATE TABLE lines (
    customer_id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id                       INTEGER NOT NULL REFERENCES organisations (id),
    account_id                   INTEGER NOT NULL REFERENCES accounts (id),
    enrollment_id                TEXT NOT NULL,
    enrollment_type              TEXT NOT NULL,
    activation_type              TEXT NOT NULL,
    plan_id                      TEXT NOT NULL,
    first_name                   TEXT NOT NULL,
    last_name                    TEXT NOT NULL,
    status                       TEXT NOT NULL,
    invoice_number               TEXT NOT NULL DEFAULT '',
    activation_later             BOOLEAN NOT NULL,
    details                      TEXT NOT NULL,
    password_hash                TEXT,
    port_account_password_sealed BLOB,
    port_ssn_sealed              BLOB,
    created_at                   TIMESTAMP NOT NULL,
    -- The second guard, after the conditional update of enrollment_ids, of
    -- "one customer per enrollment id".
    CONSTRAINT lines_org_enrollment_id_key UNIQUE (org_id, enrollment_id),
    CONSTRAINT lines_enrollment_id_issued_fkey FOREIGN KEY (org_id, enrollment_id)
        REFERENCES enrollment_ids (org_id, id)
);

--bun:split

CREATE INDEX lines_account_idx ON lines (account_id, customer_id);

--bun:split

CREATE TABLE provisioning_queue (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    customer_id INTEGER NOT NULL REFERENCES lines (customer_id),
    queued_at   TIMESTAMP NOT NULL,
    CONSTRAINT provisioning_queue_customer_key UNIQUE (customer_id)
);

--bun:split

CREATE INDEX provisioning_queue_org_idx ON provisioning_queue (org_id, id);

--bun:split

-- A token is stored only as its keyed digest. vendor_id names the credential
-- it was issued to without a foreign key: a token lives minutes and is
-- deleted in bulk once expired, so it must never hold a credential back.
CREATE TABLE tokens (
    digest      BLOB NOT NULL PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    vendor_id   TEXT NOT NULL,
    issued_at   TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    consumed_at TIMESTAMP
);

--bun:split

CREATE INDEX tokens_expires_idx ON tokens (expires_at);
