-- Instructions (issue 4): named groups, instructions with versions, review, attachments and the
-- acknowledgment evidence. Same tables on PostgreSQL.

-- Named groups (e.g. "home office in the secure zone"); audiences and prerequisites refer to them.
CREATE TABLE groups (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_lc TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, name_lc)
);

CREATE TABLE group_members (
    tenant_id BLOB NOT NULL,
    group_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, person_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX group_members_person ON group_members (tenant_id, person_id, group_id);

-- When the person came into their current unit (NULL: since the person was created). Kept by a
-- trigger so that every write path (update, import) maintains it; signing deadlines count from it.
ALTER TABLE people ADD COLUMN unit_since TEXT;
CREATE TRIGGER people_unit_since AFTER UPDATE OF unit_id ON people
FOR EACH ROW WHEN OLD.unit_id IS NOT NEW.unit_id
BEGIN
    UPDATE people SET unit_since = NEW.updated_at WHERE id = NEW.id;
END;

CREATE TABLE instructions (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    title TEXT NOT NULL,
    owner_id BLOB NOT NULL,
    category TEXT NOT NULL,
    requires_signature INTEGER NOT NULL DEFAULT 0,
    audience TEXT NOT NULL DEFAULT '{"rules":[]}',
    sign_within_days INTEGER NOT NULL DEFAULT 14,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX instructions_title ON instructions (tenant_id, title);

CREATE TABLE instruction_versions (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    instruction_id BLOB NOT NULL,
    major INTEGER NOT NULL,
    minor INTEGER NOT NULL,
    change_kind TEXT NOT NULL,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    change_comment TEXT NOT NULL DEFAULT '',
    author_id BLOB NOT NULL,
    approver_id BLOB,
    approved_at TEXT,
    effective_from TEXT,
    published_at TEXT,
    retired_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, instruction_id, major, minor),
    FOREIGN KEY (tenant_id, instruction_id) REFERENCES instructions (tenant_id, id),
    FOREIGN KEY (tenant_id, author_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, approver_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX instruction_versions_state ON instruction_versions (tenant_id, state, instruction_id);

CREATE TABLE version_reviewers (
    tenant_id BLOB NOT NULL,
    version_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    PRIMARY KEY (tenant_id, version_id, person_id),
    FOREIGN KEY (tenant_id, version_id) REFERENCES instruction_versions (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX version_reviewers_person ON version_reviewers (tenant_id, person_id);

CREATE TABLE version_comments (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    version_id BLOB NOT NULL,
    author_id BLOB NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    FOREIGN KEY (tenant_id, version_id) REFERENCES instruction_versions (tenant_id, id),
    FOREIGN KEY (tenant_id, author_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX version_comments_version ON version_comments (tenant_id, version_id, created_at);

CREATE TABLE instruction_attachments (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    instruction_id BLOB NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL,
    FOREIGN KEY (tenant_id, instruction_id) REFERENCES instructions (tenant_id, id)
);
CREATE INDEX instruction_attachments_instruction ON instruction_attachments (tenant_id, instruction_id);

-- Evidence: who signed which exact version (hash of the text shown), when, how, from where.
-- Never changed: a new record supersedes an old one. The triggers refuse UPDATE and DELETE.
CREATE TABLE acknowledgments (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    instruction_id BLOB NOT NULL,
    version_id BLOB NOT NULL,
    major INTEGER NOT NULL,
    minor INTEGER NOT NULL,
    text_sha256 TEXT NOT NULL,
    method TEXT NOT NULL,
    at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    supersedes_id BLOB,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, version_id) REFERENCES instruction_versions (tenant_id, id)
);
CREATE INDEX acknowledgments_instruction ON acknowledgments (tenant_id, instruction_id, major, person_id);
CREATE INDEX acknowledgments_person ON acknowledgments (tenant_id, person_id, instruction_id, major);

CREATE TRIGGER acknowledgments_no_update BEFORE UPDATE ON acknowledgments
BEGIN
    SELECT RAISE(ABORT, 'acknowledgments are immutable');
END;
CREATE TRIGGER acknowledgments_no_delete BEFORE DELETE ON acknowledgments
BEGIN
    SELECT RAISE(ABORT, 'acknowledgments are immutable');
END;
