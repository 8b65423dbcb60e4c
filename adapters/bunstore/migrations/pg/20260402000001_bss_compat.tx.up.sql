-- Compatibility settings of an organisation for the clients of the BSS API:
-- the form of ids in its responses (JSON integers as the live service sends
-- them, or strings as the older document shows them) and the enrollment
-- programs it runs (comma-separated, NON_LIFELINE and/or LIFELINE); the
-- program each enrollment id was issued for, since LIFELINE customers are
-- not created through Allot; and the sealed transfer PIN a
-- create_prepaid_postpaid_customer_v2 line may carry.

ALTER TABLE organisations ADD COLUMN bss_ids TEXT NOT NULL DEFAULT 'int'
    CONSTRAINT organisations_bss_ids_check CHECK (bss_ids IN ('int', 'string'));

--bun:split

ALTER TABLE organisations ADD COLUMN programs TEXT NOT NULL DEFAULT 'NON_LIFELINE'
    CONSTRAINT organisations_programs_check CHECK (programs IN ('NON_LIFELINE', 'LIFELINE', 'NON_LIFELINE,LIFELINE'));

--bun:split

ALTER TABLE enrollment_ids ADD COLUMN program TEXT NOT NULL DEFAULT 'NON_LIFELINE'
    CONSTRAINT enrollment_ids_program_check CHECK (program IN ('NON_LIFELINE', 'LIFELINE'));

--bun:split

ALTER TABLE lines ADD COLUMN pin_sealed BYTEA;
