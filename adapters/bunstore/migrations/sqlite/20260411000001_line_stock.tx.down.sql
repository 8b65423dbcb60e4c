ALTER TABLE organisations DROP COLUMN sim_stock;
