-- Signed webhooks (SPEC §2 "Line lifecycle", issue 15 item 7): an
-- organisation's subscriptions, each with its signing secret sealed
-- under the server key, and the log of deliveries, one row per event and
-- webhook. Delivery attempts are River jobs (river_job) naming a
-- delivery id; removing a webhook removes its deliveries, and a job left
-- for one ends without sending.

CREATE TABLE webhooks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    url           TEXT NOT NULL,
    events        TEXT NOT NULL,
    allow_private BOOLEAN NOT NULL DEFAULT 0,
    secret_sealed BLOB NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX webhooks_org_idx ON webhooks (org_id, id);

--bun:split

CREATE TABLE webhook_deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    webhook_id    INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event         TEXT NOT NULL,
    body          BLOB NOT NULL,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    response_code INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX webhook_deliveries_org_idx ON webhook_deliveries (org_id, id);

--bun:split

CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);
