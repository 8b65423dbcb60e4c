-- Line stock on the number-level inventory (issue 15, item 4): an
-- organisation keeps SIM stock when its sim_stock setting says so (allot org
-- set --sim-stock Y), no longer because a series of item code SIM exists;
-- organisations that had such a series keep SIM stock. A line's SIM and
-- MDN are consumed as marks of their series (series_numbers), whose primary
-- key holds one state per number; line_sims is drained into those marks by
-- the store after migrating and is no longer written.

ALTER TABLE organisations ADD COLUMN sim_stock BOOLEAN NOT NULL DEFAULT FALSE;

--bun:split

UPDATE organisations SET sim_stock = TRUE
WHERE EXISTS (SELECT 1 FROM series WHERE series.org_id = organisations.id AND series.item_code = 'SIM' AND series.deleted_at IS NULL);

--bun:split

-- The area code (NPA) whose MDNs a zip's lines take first from the MDN
-- stock; NULL for none.
ALTER TABLE service_zips ADD COLUMN area_code TEXT COLLATE "C" CHECK (area_code ~ '^[2-9][0-9]{2}$');
