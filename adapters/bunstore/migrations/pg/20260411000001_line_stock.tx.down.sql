ALTER TABLE organisations DROP COLUMN IF EXISTS sim_stock;
