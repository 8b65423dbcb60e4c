-- Each organisation's carrier secret (issue 15, item 3), sealed with the
-- program's key as webhook secrets are: it signs the organisation's
-- requests to the carrier gateway and checks the gateway's callbacks for
-- it. An organisation without one uses ALLOT_CARRIER_SECRET.
CREATE TABLE carrier_secrets (
    org_id     INTEGER PRIMARY KEY REFERENCES organisations (id),
    sealed     BLOB NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
