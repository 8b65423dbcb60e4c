DROP TABLE carriers;

--bun:split

ALTER TABLE plans DROP COLUMN total_price;

--bun:split

ALTER TABLE plans DROP COLUMN description;

--bun:split

ALTER TABLE plans DROP COLUMN code;

--bun:split

ALTER TABLE plans DROP COLUMN carriers;

--bun:split

ALTER TABLE plans DROP COLUMN data_mb;

--bun:split

ALTER TABLE plans DROP COLUMN talk_minutes;

--bun:split

ALTER TABLE plans DROP COLUMN text_messages;

--bun:split

ALTER TABLE plans DROP COLUMN data_unlimited;

--bun:split

ALTER TABLE plans DROP COLUMN talk_unlimited;

--bun:split

ALTER TABLE plans DROP COLUMN text_unlimited;

--bun:split

ALTER TABLE plans DROP COLUMN unlimited;

--bun:split

ALTER TABLE plans DROP COLUMN display_name;

--bun:split

ALTER TABLE plans DROP COLUMN display_description;

--bun:split

ALTER TABLE plans DROP COLUMN display_features;

--bun:split

ALTER TABLE plans DROP COLUMN display_price;

--bun:split

ALTER TABLE plans DROP COLUMN display_sequence;

--bun:split

ALTER TABLE plans DROP COLUMN billing;

--bun:split

ALTER TABLE plans DROP COLUMN enrollment_type;

--bun:split

ALTER TABLE plans DROP COLUMN family;

--bun:split

ALTER TABLE plans DROP COLUMN max_lines;

--bun:split

ALTER TABLE plans DROP COLUMN additional_line_price;

--bun:split

ALTER TABLE plans DROP COLUMN activation_fee;

--bun:split

ALTER TABLE plans DROP COLUMN expiry_days;

--bun:split

ALTER TABLE plans DROP COLUMN expiry_type;

--bun:split

ALTER TABLE plans DROP COLUMN tax_included;

--bun:split

ALTER TABLE plans DROP COLUMN regulatory_fee_applicable;

--bun:split

ALTER TABLE plans DROP COLUMN offer_type;

--bun:split

ALTER TABLE plans DROP COLUMN discount_details;

--bun:split

ALTER TABLE plans DROP COLUMN autopay_discount;

--bun:split

ALTER TABLE plans DROP COLUMN zip_codes;
