-- The case list and the people search walk their display-order index when a title or name search
-- has many matches, testing each row with `(search_title || '') LIKE …` / `(search_text || '') LIKE …`
-- (written so that the trigram index cannot serve them; see vakt-store `dev_cases` and
-- `search_people`). Without statistics on those expressions the planner guessed a handful of
-- matches for a literal pattern, expected the walk to read the whole index, and scanned and sorted
-- the table instead (75 ms against 2 ms for `telefon` on 200,000 cases). Statistics on the
-- expressions (collected by ANALYZE) let it see how common the text is.
CREATE STATISTICS dev_cases_title_walk ON (search_title || '') FROM dev_cases;
CREATE STATISTICS people_search_walk ON (search_text || '') FROM people;
