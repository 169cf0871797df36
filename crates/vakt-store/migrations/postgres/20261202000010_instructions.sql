-- Instructions (issue 4): named groups, instructions with versions, review, attachments and the
-- acknowledgment evidence. Same tables as on SQLite, native types.

-- Named groups (e.g. "home office in the secure zone"); audiences and prerequisites refer to them.
CREATE TABLE groups (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_lc TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, name_lc)
);

CREATE TABLE group_members (
    tenant_id UUID NOT NULL,
    group_id UUID NOT NULL,
    person_id UUID NOT NULL,
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, group_id, person_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX group_members_person ON group_members (tenant_id, person_id, group_id);

-- When the person came into their current unit (NULL: since the person was created). Kept by a
-- trigger so that every write path (update, import) maintains it; signing deadlines count from it.
ALTER TABLE people ADD COLUMN unit_since TIMESTAMPTZ;
CREATE FUNCTION vakt_people_unit_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.unit_id IS DISTINCT FROM OLD.unit_id THEN
        NEW.unit_since := NEW.updated_at;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER people_unit_since BEFORE UPDATE ON people
FOR EACH ROW EXECUTE FUNCTION vakt_people_unit_since();

CREATE TABLE instructions (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    title TEXT NOT NULL,
    owner_id UUID NOT NULL,
    category TEXT NOT NULL,
    requires_signature BOOLEAN NOT NULL DEFAULT FALSE,
    audience TEXT NOT NULL DEFAULT '{"rules":[]}',
    sign_within_days BIGINT NOT NULL DEFAULT 14,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX instructions_title ON instructions (tenant_id, title);

CREATE TABLE instruction_versions (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    instruction_id UUID NOT NULL,
    major BIGINT NOT NULL,
    minor BIGINT NOT NULL,
    change_kind TEXT NOT NULL,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    change_comment TEXT NOT NULL DEFAULT '',
    author_id UUID NOT NULL,
    approver_id UUID,
    approved_at TIMESTAMPTZ,
    effective_from TIMESTAMPTZ,
    published_at TIMESTAMPTZ,
    retired_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, instruction_id, major, minor),
    FOREIGN KEY (tenant_id, instruction_id) REFERENCES instructions (tenant_id, id),
    FOREIGN KEY (tenant_id, author_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, approver_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX instruction_versions_state ON instruction_versions (tenant_id, state, instruction_id);

CREATE TABLE version_reviewers (
    tenant_id UUID NOT NULL,
    version_id UUID NOT NULL,
    person_id UUID NOT NULL,
    PRIMARY KEY (tenant_id, version_id, person_id),
    FOREIGN KEY (tenant_id, version_id) REFERENCES instruction_versions (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX version_reviewers_person ON version_reviewers (tenant_id, person_id);

CREATE TABLE version_comments (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    version_id UUID NOT NULL,
    author_id UUID NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (tenant_id, version_id) REFERENCES instruction_versions (tenant_id, id),
    FOREIGN KEY (tenant_id, author_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX version_comments_version ON version_comments (tenant_id, version_id, created_at);

CREATE TABLE instruction_attachments (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    instruction_id UUID NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (tenant_id, instruction_id) REFERENCES instructions (tenant_id, id)
);
CREATE INDEX instruction_attachments_instruction ON instruction_attachments (tenant_id, instruction_id);

-- Evidence: who signed which exact version (hash of the text shown), when, how, from where.
-- Never changed: a new record supersedes an old one. The triggers refuse UPDATE and DELETE.
CREATE TABLE acknowledgments (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    person_id UUID NOT NULL,
    instruction_id UUID NOT NULL,
    version_id UUID NOT NULL,
    major BIGINT NOT NULL,
    minor BIGINT NOT NULL,
    text_sha256 TEXT NOT NULL,
    method TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    ip TEXT,
    user_agent TEXT,
    supersedes_id UUID,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, version_id) REFERENCES instruction_versions (tenant_id, id)
);
CREATE INDEX acknowledgments_instruction ON acknowledgments (tenant_id, instruction_id, major, person_id);
CREATE INDEX acknowledgments_person ON acknowledgments (tenant_id, person_id, instruction_id, major);

CREATE FUNCTION vakt_acknowledgments_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'acknowledgments are immutable';
END
$$;
CREATE TRIGGER acknowledgments_no_update BEFORE UPDATE OR DELETE ON acknowledgments
FOR EACH ROW EXECUTE FUNCTION vakt_acknowledgments_immutable();
CREATE TRIGGER acknowledgments_no_truncate BEFORE TRUNCATE ON acknowledgments
FOR EACH STATEMENT EXECUTE FUNCTION vakt_acknowledgments_immutable();
