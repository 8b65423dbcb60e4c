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

ALTER TABLE plans
    ADD COLUMN total_price TEXT NOT NULL DEFAULT '0.00',
    ADD COLUMN description TEXT NOT NULL DEFAULT '',
    ADD COLUMN code TEXT NOT NULL DEFAULT '',
    ADD COLUMN carriers TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN data_mb BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN talk_minutes BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN text_messages BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN data_unlimited BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN talk_unlimited BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN text_unlimited BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN unlimited BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN display_name TEXT NOT NULL DEFAULT '',
    ADD COLUMN display_description TEXT NOT NULL DEFAULT '',
    ADD COLUMN display_features TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN display_price TEXT NOT NULL DEFAULT '',
    ADD COLUMN display_sequence BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN billing TEXT NOT NULL DEFAULT 'PREPAID',
    ADD COLUMN enrollment_type TEXT NOT NULL DEFAULT 'NON_LIFELINE',
    ADD COLUMN family BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN max_lines BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN additional_line_price TEXT NOT NULL DEFAULT '0.00',
    ADD COLUMN activation_fee TEXT NOT NULL DEFAULT '0.00',
    ADD COLUMN expiry_days BIGINT NOT NULL DEFAULT 30,
    ADD COLUMN expiry_type TEXT NOT NULL DEFAULT 'DAYS',
    ADD COLUMN tax_included BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN regulatory_fee_applicable BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN offer_type TEXT NOT NULL DEFAULT '',
    ADD COLUMN discount_details TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN autopay_discount BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN zip_codes TEXT NOT NULL DEFAULT '[]';

--bun:split

UPDATE plans SET total_price = price;

--bun:split

CREATE TABLE carriers (
    org_id     BIGINT NOT NULL REFERENCES organisations (id),
    code       TEXT COLLATE "C" NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, code)
);

--bun:split

INSERT INTO carriers (org_id, code, name, created_at)
SELECT o.id, c.code, c.name, now()
FROM organisations AS o CROSS JOIN (VALUES
    ('TMB', 'T-Mobile'),
    ('ATT', 'AT&T'),
    ('VERIZON', 'Verizon'),
    ('TELGOOATT', 'Telgoo AT&T'),
    ('HELIX', 'Helix'),
    ('BLUECONNECTS', 'BlueConnects'),
    ('BLUECONNECTSATT', 'BlueConnects AT&T'),
    ('SPR', 'Sprint')) AS c (code, name);
