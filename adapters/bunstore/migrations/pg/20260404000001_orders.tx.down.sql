DROP TABLE IF EXISTS orders;
--bun:split
DROP TABLE IF EXISTS invoice_counters;
--bun:split
DROP TABLE IF EXISTS coupons;
--bun:split
DROP TABLE IF EXISTS state_fees;
--bun:split
DROP TABLE IF EXISTS order_settings;
--bun:split
DROP TABLE IF EXISTS shipping_methods;
