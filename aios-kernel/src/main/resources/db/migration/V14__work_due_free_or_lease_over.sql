-- The work due, through two indexes instead of one on visible_at. A lease leaves its item's due time
-- as it was (freeing an abandoned lease makes the item due since then again), so the one index
-- listed every leased item among the due ones, and finding the first free item due walked past all
-- of them: at 64 steps in flight, 64 rows read each time a run ended to find the next run's first
-- step. work_free lists the free items by due time; work_leased the leased ones by lease expiry,
-- which finds the leases that ran out (mostly none) without reading the others.
DROP INDEX work_due;
CREATE INDEX work_free ON work (visible_at) WHERE lease_until IS NULL;
CREATE INDEX work_leased ON work (lease_until) WHERE lease_until IS NOT NULL;
