ALTER TABLE lines DROP COLUMN pin_sealed;

--bun:split

ALTER TABLE enrollment_ids DROP COLUMN program;

--bun:split

ALTER TABLE organisations DROP COLUMN programs;

--bun:split

ALTER TABLE organisations DROP COLUMN bss_ids;
