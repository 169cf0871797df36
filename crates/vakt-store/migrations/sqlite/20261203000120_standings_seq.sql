-- A counter per tenant that moves with every change of the data instruction standings are made of:
-- people, units (and their leaders), accounts' roles, group memberships, instructions, their
-- versions and acknowledgments. The coordinator's overview and the unit report pages are kept until
-- it moves (or the clock passes a deadline), instead of until any write in the tenant: a sign-in or
-- a comment on a deviation does not make 50,000 people's standings be counted again. Kept by
-- triggers, so every write path (the web, the API, imports, the demo) moves it, in every process.
CREATE TABLE standings_seq (
    tenant_id BLOB PRIMARY KEY NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TRIGGER people_standings_insert AFTER INSERT ON people
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER people_standings_update AFTER UPDATE ON people
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER people_standings_delete AFTER DELETE ON people
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER org_units_standings_insert AFTER INSERT ON org_units
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER org_units_standings_update AFTER UPDATE ON org_units
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER org_units_standings_delete AFTER DELETE ON org_units
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER accounts_standings_insert AFTER INSERT ON accounts
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER accounts_standings_update AFTER UPDATE OF roles, person_id ON accounts
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER accounts_standings_delete AFTER DELETE ON accounts
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER group_members_standings_insert AFTER INSERT ON group_members
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER group_members_standings_update AFTER UPDATE ON group_members
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER group_members_standings_delete AFTER DELETE ON group_members
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER instructions_standings_insert AFTER INSERT ON instructions
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER instructions_standings_update AFTER UPDATE ON instructions
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER instructions_standings_delete AFTER DELETE ON instructions
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER instruction_versions_standings_insert AFTER INSERT ON instruction_versions
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER instruction_versions_standings_update AFTER UPDATE ON instruction_versions
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER instruction_versions_standings_delete AFTER DELETE ON instruction_versions
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER acknowledgments_standings_insert AFTER INSERT ON acknowledgments
BEGIN
    INSERT INTO standings_seq (tenant_id, seq) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1;
END;
