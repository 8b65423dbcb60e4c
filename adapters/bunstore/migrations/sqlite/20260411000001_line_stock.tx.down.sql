ALTER TABLE service_zips DROP COLUMN area_code;

--bun:split

ALTER TABLE organisations DROP COLUMN sim_stock;
