-- The plan catalogue with the vendor's plan fields, and each
-- organisation's carrier catalogue. Money is kept as the exact decimal text
-- the domain renders ("15.75"), as plans.price always was; lists (carriers,
-- display features, discount texts, zip codes) as JSON arrays. Existing
-- plans keep their id, name and price and get the domain's defaults:
-- total_price is their price, 30 DAYS, PREPAID, NON_LIFELINE.
--
-- Every organisation, existing ones included, starts with the carrier codes
-- the vendor names (enrollment.SeedCarriers; new organisations get them
-- from CreateOrg). The list is repeated here because a migration is a
-- snapshot: it must not change when the domain's list does.

ALTER TABLE plans ADD COLUMN total_price TEXT NOT NULL DEFAULT '0.00';

--bun:split

ALTER TABLE plans ADD COLUMN description TEXT NOT NULL DEFAULT '';

--bun:split

ALTER TABLE plans ADD COLUMN code TEXT NOT NULL DEFAULT '';

--bun:split

ALTER TABLE plans ADD COLUMN carriers TEXT NOT NULL DEFAULT '[]';

--bun:split

ALTER TABLE plans ADD COLUMN data_mb BIGINT NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN talk_minutes BIGINT NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN text_messages BIGINT NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN data_unlimited BOOLEAN NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN talk_unlimited BOOLEAN NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN text_unlimited BOOLEAN NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN unlimited BOOLEAN NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN display_name TEXT NOT NULL DEFAULT '';

--bun:split

ALTER TABLE plans ADD COLUMN display_description TEXT NOT NULL DEFAULT '';

--bun:split

ALTER TABLE plans ADD COLUMN display_features TEXT NOT NULL DEFAULT '[]';

--bun:split

ALTER TABLE plans ADD COLUMN display_price TEXT NOT NULL DEFAULT '';

--bun:split

ALTER TABLE plans ADD COLUMN display_sequence BIGINT NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN billing TEXT NOT NULL DEFAULT 'PREPAID';

--bun:split

ALTER TABLE plans ADD COLUMN enrollment_type TEXT NOT NULL DEFAULT 'NON_LIFELINE';

--bun:split

ALTER TABLE plans ADD COLUMN family BOOLEAN NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN max_lines BIGINT NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN additional_line_price TEXT NOT NULL DEFAULT '0.00';

--bun:split

ALTER TABLE plans ADD COLUMN activation_fee TEXT NOT NULL DEFAULT '0.00';

--bun:split

ALTER TABLE plans ADD COLUMN expiry_days BIGINT NOT NULL DEFAULT 30;

--bun:split

ALTER TABLE plans ADD COLUMN expiry_type TEXT NOT NULL DEFAULT 'DAYS';

--bun:split

ALTER TABLE plans ADD COLUMN tax_included BOOLEAN NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN regulatory_fee_applicable BOOLEAN NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN offer_type TEXT NOT NULL DEFAULT '';

--bun:split

ALTER TABLE plans ADD COLUMN discount_details TEXT NOT NULL DEFAULT '[]';

--bun:split

ALTER TABLE plans ADD COLUMN autopay_discount BOOLEAN NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE plans ADD COLUMN zip_codes TEXT NOT NULL DEFAULT '[]';

--bun:split

UPDATE plans SET total_price = price;

--bun:split

CREATE TABLE carriers (
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, code)
);

--bun:split

INSERT INTO carriers (org_id, code, name, created_at)
SELECT o.id, c.column1, c.column2, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')
FROM organisations AS o CROSS JOIN (VALUES
    ('TMB', 'T-Mobile'),
    ('ATT', 'AT&T'),
    ('VERIZON', 'Verizon'),
    ('TELGOOATT', 'Telgoo AT&T'),
    ('HELIX', 'Helix'),
    ('BLUECONNECTS', 'BlueConnects'),
    ('BLUECONNECTSATT', 'BlueConnects AT&T'),
    ('SPR', 'Sprint')) AS c;
