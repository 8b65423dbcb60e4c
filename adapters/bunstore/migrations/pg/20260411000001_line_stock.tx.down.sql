ALTER TABLE service_zips DROP COLUMN IF EXISTS area_code;

--bun:split

ALTER TABLE organisations DROP COLUMN IF EXISTS sim_stock;
