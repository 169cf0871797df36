-- A counter per tenant that moves with every change of the data instruction standings are made of:
-- people, units (and their leaders), accounts' roles, group memberships, instructions, their
-- versions and acknowledgments. The coordinator's overview and the unit report pages are kept until
-- it moves (or the clock passes a deadline), instead of until any write in the tenant: a sign-in or
-- a comment on a deviation does not make 50,000 people's standings be counted again. Kept by
-- triggers, so every write path (the web, the API, imports, the demo) moves it, in every process.
CREATE TABLE standings_seq (
    tenant_id UUID PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL
);
-- One statement bumps each tenant it touched once (statement triggers with transition tables: a bulk
-- load of a million acknowledgments costs one update, not a million).
CREATE FUNCTION vakt_standings_bump_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO standings_seq (tenant_id, seq)
    SELECT DISTINCT tenant_id, 1 FROM changed_rows
    ON CONFLICT (tenant_id) DO UPDATE SET seq = standings_seq.seq + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER people_standings_insert AFTER INSERT ON people
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER people_standings_update AFTER UPDATE ON people
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER people_standings_delete AFTER DELETE ON people
REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER org_units_standings_insert AFTER INSERT ON org_units
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER org_units_standings_update AFTER UPDATE ON org_units
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER org_units_standings_delete AFTER DELETE ON org_units
REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER accounts_standings_insert AFTER INSERT ON accounts
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER accounts_standings_delete AFTER DELETE ON accounts
REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER group_members_standings_insert AFTER INSERT ON group_members
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER group_members_standings_update AFTER UPDATE ON group_members
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER group_members_standings_delete AFTER DELETE ON group_members
REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER instructions_standings_insert AFTER INSERT ON instructions
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER instructions_standings_update AFTER UPDATE ON instructions
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER instructions_standings_delete AFTER DELETE ON instructions
REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER instruction_versions_standings_insert AFTER INSERT ON instruction_versions
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER instruction_versions_standings_update AFTER UPDATE ON instruction_versions
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER instruction_versions_standings_delete AFTER DELETE ON instruction_versions
REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
CREATE TRIGGER acknowledgments_standings_insert AFTER INSERT ON acknowledgments
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_new();
-- Accounts change at every sign-in (failed attempts, lockout); only their roles and person count.
CREATE FUNCTION vakt_standings_bump_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = standings_seq.seq + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER accounts_standings_update AFTER UPDATE OF roles, person_id ON accounts
FOR EACH ROW WHEN (OLD.roles IS DISTINCT FROM NEW.roles OR OLD.person_id IS DISTINCT FROM NEW.person_id)
EXECUTE FUNCTION vakt_standings_bump_row();
