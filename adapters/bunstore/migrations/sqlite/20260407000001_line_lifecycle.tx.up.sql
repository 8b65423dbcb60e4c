-- Line lifecycle (SPEC §2 "Line lifecycle"): a line's carrier answer (MDN,
-- MSID), when its status last changed, and its history, one row per
-- transition. Provisioning jobs are River's (river_job, migrated by River
-- beside these files); provisioning_queue is drained into them by the
-- store after migrating and is no longer written.

ALTER TABLE lines ADD COLUMN mdn TEXT;

--bun:split

ALTER TABLE lines ADD COLUMN msid TEXT;

--bun:split

ALTER TABLE lines ADD COLUMN status_changed_at TIMESTAMP;

--bun:split

-- No two lines of an organisation hold one MDN.
CREATE UNIQUE INDEX lines_org_mdn_key ON lines (org_id, mdn) WHERE mdn IS NOT NULL;

--bun:split

CREATE TABLE line_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    customer_id INTEGER NOT NULL REFERENCES lines (customer_id),
    event       TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    message     TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX line_history_line_idx ON line_history (customer_id, id);

--bun:split

CREATE INDEX lines_org_status_idx ON lines (org_id, status, customer_id);

--bun:split

-- The SIMs (ICCIDs) lines hold, for an organisation that keeps SIM stock:
-- the primary key is what makes two lines, in one request or two
-- concurrent ones, unable to claim one SIM. A cancelled line's row is
-- deleted, returning its SIM to stock.
CREATE TABLE line_sims (
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    sim         TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES lines (customer_id),
    PRIMARY KEY (org_id, sim)
);
