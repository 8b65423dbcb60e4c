DROP TABLE IF EXISTS carrier_secrets;
