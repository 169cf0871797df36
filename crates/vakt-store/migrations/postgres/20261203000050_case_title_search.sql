-- Title search on large case registers (issue 5 benchmark: `LOWER(title) LIKE '%word%'` read all
-- 200,000 titles). Each case keeps its title folded to lower case by Vakt, the same folding on both
-- engines; the trigram index (pg_trgm) that serves `search_title LIKE '%word%'` is made by
-- `Db::migrate` when the extension is available, as for people search. The folded title of cases
-- from before this migration is filled in by `Db::migrate` (vakt-store `deviations::fold_case_titles`).
ALTER TABLE dev_cases ADD COLUMN search_title TEXT;
CREATE INDEX dev_cases_unfolded ON dev_cases (tenant_id) WHERE search_title IS NULL;
