-- Case lists filtered by unit (a leader's page) or by category on large registers (issue 5
-- benchmark): indexes led by the filter and then in list order, so the capped count and the
-- newest-first page of one unit or one category are short index walks. They replace the narrower
-- indexes of the same names.
DROP INDEX dev_cases_unit;
CREATE INDEX dev_cases_unit ON dev_cases (tenant_id, unit_id, reported_at DESC, id DESC, state, severity, category_id, is_breach, next_due);
DROP INDEX dev_cases_category;
CREATE INDEX dev_cases_category ON dev_cases (tenant_id, category_id, reported_at DESC, id DESC, state, severity, unit_id, is_breach, next_due);
