-- Case lists on large registers (issue 5 benchmark: 200,000 cases). The list index now matches the
-- list order exactly (id DESC too) and carries the filter columns (index-only filtering); the count
-- index answers capped counts for equality filters (and title searches) from the index alone.
DROP INDEX IF EXISTS dev_cases_list;
CREATE INDEX dev_cases_browse ON dev_cases (tenant_id, reported_at DESC, id DESC)
    INCLUDE (state, severity, category_id, unit_id, is_breach, next_due);
CREATE INDEX dev_cases_counts ON dev_cases
    (tenant_id, state, severity, category_id, unit_id, is_breach, title);
