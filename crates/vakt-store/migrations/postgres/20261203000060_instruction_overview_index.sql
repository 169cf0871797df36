-- The instruction overview counts every person in an audience once per instruction in force
-- (issue 4 benchmark: 50,000 people, 20 instructions). The unit index now also holds every
-- column that count reads from `people` (the id the signers are matched on, state, kind, the
-- dates that start a signing period), so the count walks the index instead of looking up each
-- person's row; a unit's people are still listed in name order straight from it.
DROP INDEX people_unit;
CREATE INDEX people_unit ON people (tenant_id, unit_id, sort_key, id, state, kind, created_at, unit_since);
