-- Title search on large case registers (issue 5 benchmark: `LOWER(title) LIKE '%word%'` read all
-- 200,000 titles). Each case keeps its title folded to lower case by Vakt (Unicode-aware, which
-- SQLite's own lower() is not); a contentless FTS5 table with the trigram tokenizer (bundled SQLite
-- has FTS5) indexes it, so a substring of three characters or more is found through the index.
-- The index's rows are keyed by `search_key`, a number of the case's own that VACUUM cannot change
-- (as it may change rowids), taken as one more than the largest so far (writes are serialised).
-- The folded title of cases from before this migration is filled in by `Db::migrate` (vakt-store
-- `deviations::fold_case_titles`), which the update trigger copies into the index.
ALTER TABLE dev_cases ADD COLUMN search_title TEXT;
ALTER TABLE dev_cases ADD COLUMN search_key INTEGER;
CREATE INDEX dev_cases_unfolded ON dev_cases (tenant_id) WHERE search_title IS NULL;
CREATE UNIQUE INDEX dev_cases_search_key ON dev_cases (search_key, tenant_id);
CREATE VIRTUAL TABLE dev_cases_title USING fts5 (
    search_title, content = '', contentless_delete = 1, tokenize = 'trigram'
);
CREATE TRIGGER dev_cases_title_insert AFTER INSERT ON dev_cases WHEN new.search_title IS NOT NULL BEGIN
    UPDATE dev_cases SET search_key = (SELECT COALESCE(MAX(search_key), 0) + 1 FROM dev_cases)
     WHERE rowid = new.rowid;
    INSERT INTO dev_cases_title (rowid, search_title)
        SELECT search_key, search_title FROM dev_cases WHERE rowid = new.rowid;
END;
CREATE TRIGGER dev_cases_title_update AFTER UPDATE OF search_title ON dev_cases BEGIN
    DELETE FROM dev_cases_title WHERE rowid = old.search_key;
    UPDATE dev_cases
       SET search_key = COALESCE(old.search_key, (SELECT COALESCE(MAX(search_key), 0) + 1 FROM dev_cases))
     WHERE rowid = new.rowid AND new.search_title IS NOT NULL;
    INSERT INTO dev_cases_title (rowid, search_title)
        SELECT search_key, search_title FROM dev_cases WHERE rowid = new.rowid AND search_title IS NOT NULL;
END;
CREATE TRIGGER dev_cases_title_delete AFTER DELETE ON dev_cases WHEN old.search_key IS NOT NULL BEGIN
    DELETE FROM dev_cases_title WHERE rowid = old.search_key;
END;
