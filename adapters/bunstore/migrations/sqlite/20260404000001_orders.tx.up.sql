-- Orders and payments (SPEC §2 "Orders and payments") for SQLite, the same
-- logical tables as PostgreSQL:
-- shipping methods, an organisation's order settings and fees per state,
-- coupons, invoice counters and orders. Money is whole cents in BIGINT
-- columns and rates are ten-thousandths of a percent, so that every
-- amount is exact and the same in both databases. No card number, CVV or
-- expiry has a column: an order keeps at most the brand and last four
-- digits.

CREATE TABLE shipping_methods (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations (id),
    name         TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    overnight    BOOLEAN NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    CONSTRAINT shipping_methods_org_name_key UNIQUE (org_id, name)
);

--bun:split

-- One row per organisation that changed a default (order.DefaultSettings).
CREATE TABLE order_settings (
    org_id               INTEGER NOT NULL PRIMARY KEY REFERENCES organisations (id),
    activation_fee_cents BIGINT NOT NULL DEFAULT 0 CHECK (activation_fee_cents >= 0),
    processing_fee_cents BIGINT NOT NULL DEFAULT 0 CHECK (processing_fee_cents >= 0),
    invoice_counter      TEXT NOT NULL DEFAULT 'monthly' CHECK (invoice_counter IN ('monthly', 'continuous')),
    invoice_start        BIGINT NOT NULL DEFAULT 1 CHECK (invoice_start >= 1)
);

--bun:split

CREATE TABLE state_fees (
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    state           TEXT NOT NULL,
    tax_rate        BIGINT NOT NULL CHECK (tax_rate BETWEEN 0 AND 1000000),
    regulatory_rate BIGINT NOT NULL CHECK (regulatory_rate BETWEEN 0 AND 1000000),
    PRIMARY KEY (org_id, state)
);

--bun:split

-- kind 'percent' discounts percent (ten-thousandths of a percent), kind
-- 'amount' amount_cents. uses is counted by a conditional update in the
-- order's transaction; the CHECK is the database's own guard of max_uses
-- (0: no limit).
CREATE TABLE coupons (
    org_id       INTEGER NOT NULL REFERENCES organisations (id),
    code         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('percent', 'amount')),
    percent      BIGINT NOT NULL DEFAULT 0,
    amount_cents BIGINT NOT NULL DEFAULT 0,
    max_uses     BIGINT NOT NULL DEFAULT 0 CHECK (max_uses >= 0),
    uses         BIGINT NOT NULL DEFAULT 0,
    expires_at   TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, code),
    CONSTRAINT coupons_code_upper_check CHECK (code = upper(code)),
    CONSTRAINT coupons_uses_check CHECK (max_uses = 0 OR uses <= max_uses)
);

--bun:split

-- The last invoice number drawn per organisation and period ("2026-05" for
-- a monthly counter, '' for a continuous one). A draw is an upsert that
-- locks the row, in the transaction that inserts the order.
CREATE TABLE invoice_counters (
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    period      TEXT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (org_id, period)
);

--bun:split

-- One order per enrollment id of an organisation: the unique constraint is
-- what makes concurrent make_payment calls for one enrollment id end in one
-- order. details is a JSON object of the order's plans (id, months, price)
-- and billing address.
CREATE TABLE orders (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id                    INTEGER NOT NULL REFERENCES organisations (id),
    enrollment_id             TEXT NOT NULL,
    invoice_number            TEXT NOT NULL,
    status                    TEXT NOT NULL,
    payment_method            TEXT NOT NULL,
    payment_method_option     TEXT NOT NULL DEFAULT '',
    transaction_id            TEXT NOT NULL DEFAULT '',
    charge_id                 TEXT NOT NULL DEFAULT '',
    gateway_reference         TEXT NOT NULL DEFAULT '',
    no_of_lines               BIGINT NOT NULL,
    zip_code                  TEXT NOT NULL DEFAULT '',
    state                     TEXT NOT NULL DEFAULT '',
    shipping_id               BIGINT NOT NULL DEFAULT 0,
    coupon_code               TEXT NOT NULL DEFAULT '',
    plan_amount_cents         BIGINT NOT NULL,
    discount_cents            BIGINT NOT NULL,
    activation_fee_cents      BIGINT NOT NULL,
    tax_cents                 BIGINT NOT NULL,
    regulatory_fee_cents      BIGINT NOT NULL,
    shipping_cents            BIGINT NOT NULL,
    overnight_shipping_cents  BIGINT NOT NULL,
    processing_fee_cents      BIGINT NOT NULL,
    total_cents               BIGINT NOT NULL,
    details                   TEXT NOT NULL,
    card_brand                TEXT NOT NULL DEFAULT '',
    card_last4                TEXT NOT NULL DEFAULT '',
    agent_id                  TEXT NOT NULL DEFAULT '',
    source                    TEXT NOT NULL DEFAULT '',
    external_transaction_id   TEXT NOT NULL DEFAULT '',
    created_at                TIMESTAMP NOT NULL,
    CONSTRAINT orders_org_enrollment_id_key UNIQUE (org_id, enrollment_id),
    CONSTRAINT orders_org_invoice_number_key UNIQUE (org_id, invoice_number),
    CONSTRAINT orders_card_last4_check CHECK (card_last4 = '' OR (length(card_last4) = 4 AND card_last4 NOT GLOB '*[^0-9]*')),
    CONSTRAINT orders_enrollment_id_issued_fkey FOREIGN KEY (org_id, enrollment_id)
        REFERENCES enrollment_ids (org_id, id)
);

--bun:split

CREATE INDEX orders_org_created_idx ON orders (org_id, created_at, id);
