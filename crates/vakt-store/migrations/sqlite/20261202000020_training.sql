-- Training: courses, completions with evidence files, prerequisites of named groups and roles, and the
-- reminder log (instructions and courses). Timestamps are fixed-width UTC TEXT, ids BLOB (UUIDv7).

CREATE TABLE courses (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    url TEXT,
    validity_months INTEGER,
    renew_days_before INTEGER NOT NULL DEFAULT 30,
    mandatory INTEGER NOT NULL DEFAULT 0,
    complete_within_days INTEGER,
    required_since TEXT NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, code)
);

CREATE TABLE training_evidence (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    person_id BLOB NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);

CREATE TABLE course_completions (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    course_id BLOB NOT NULL,
    person_id BLOB NOT NULL,
    completed_at TEXT NOT NULL,
    source TEXT NOT NULL,
    evidence_id BLOB,
    countersigned_by BLOB,
    countersigned_at TEXT,
    recorded_by BLOB,
    platform TEXT,
    external_ref TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, platform, external_ref),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, evidence_id) REFERENCES training_evidence (tenant_id, id)
);
CREATE INDEX course_completions_person ON course_completions (tenant_id, person_id);
CREATE INDEX course_completions_course ON course_completions (tenant_id, course_id);

-- What a named group or a role requires: signed instructions and valid courses.
CREATE TABLE prerequisites (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    holder_kind TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    item_kind TEXT NOT NULL,
    item_id BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, holder_kind, holder_id, item_kind, item_id)
);

-- Every reminder and escalation sent: the unique key makes a second send of the same one impossible,
-- whichever process tries.
CREATE TABLE reminder_log (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    person_id BLOB NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id BLOB NOT NULL,
    due_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    recipient_id BLOB,
    sent_at TEXT NOT NULL,
    UNIQUE (tenant_id, person_id, subject_kind, subject_id, due_at, kind, ordinal)
);
