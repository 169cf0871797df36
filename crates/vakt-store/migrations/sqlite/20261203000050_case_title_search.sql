-- Title search on large case registers (issue 5 benchmark: `LOWER(title) LIKE '%word%'` read all
-- 200,000 titles). Each case keeps its title folded to lower case by Vakt (Unicode-aware, which
-- SQLite's own lower() is not); an FTS5 table with the trigram tokenizer (bundled SQLite has FTS5)
-- indexes it, so a substring of three characters or more is found through the index. The folded
-- title of cases from before this migration is filled in by `Db::migrate` (vakt-store
-- `deviations::fold_case_titles`), which the update trigger copies into the index.
ALTER TABLE dev_cases ADD COLUMN search_title TEXT;
CREATE INDEX dev_cases_unfolded ON dev_cases (tenant_id) WHERE search_title IS NULL;
CREATE VIRTUAL TABLE dev_cases_title USING fts5 (search_title, case_id UNINDEXED, tokenize = 'trigram');
CREATE TRIGGER dev_cases_title_insert AFTER INSERT ON dev_cases WHEN new.search_title IS NOT NULL BEGIN
    INSERT INTO dev_cases_title (search_title, case_id) VALUES (new.search_title, new.id);
END;
CREATE TRIGGER dev_cases_title_update AFTER UPDATE OF search_title ON dev_cases BEGIN
    DELETE FROM dev_cases_title WHERE old.search_title IS NOT NULL AND case_id = old.id;
    INSERT INTO dev_cases_title (search_title, case_id)
        SELECT new.search_title, new.id WHERE new.search_title IS NOT NULL;
END;
CREATE TRIGGER dev_cases_title_delete AFTER DELETE ON dev_cases WHEN old.search_title IS NOT NULL BEGIN
    DELETE FROM dev_cases_title WHERE case_id = old.id;
END;
