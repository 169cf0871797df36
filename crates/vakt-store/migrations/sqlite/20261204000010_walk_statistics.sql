-- PostgreSQL only (statistics on the expressions its planner sees in the walking searches of the
-- case list and the people directory). SQLite's queries name their index; nothing to do here.
SELECT 1;
