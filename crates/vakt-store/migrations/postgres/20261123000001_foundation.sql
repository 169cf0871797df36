-- Vakt foundation schema (PostgreSQL). Same tables and columns as the SQLite schema, native types:
-- TIMESTAMPTZ (UTC, microseconds), UUID (v7, generated in Rust), JSONB, BOOLEAN, DATE.

CREATE TABLE tenants (
    id UUID PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    default_language TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    settings JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE org_units (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    parent_id UUID,
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    leader_id UUID,
    settings JSONB,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, code),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX org_units_parent ON org_units (tenant_id, parent_id);
CREATE INDEX org_units_leader ON org_units (tenant_id, leader_id);

CREATE TABLE people (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    employee_number TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    email TEXT,
    kind TEXT NOT NULL,
    unit_id UUID,
    manager_id UUID,
    state TEXT NOT NULL,
    start_date DATE,
    end_date DATE,
    birth_date DATE,
    language TEXT,
    search_text TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, employee_number),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, manager_id) REFERENCES people (tenant_id, id) DEFERRABLE INITIALLY DEFERRED
);
ALTER TABLE org_units ADD CONSTRAINT org_units_leader_fk FOREIGN KEY (tenant_id, leader_id)
    REFERENCES people (tenant_id, id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX people_sort ON people (tenant_id, sort_key, id);
CREATE INDEX people_unit ON people (tenant_id, unit_id, sort_key);
CREATE INDEX people_manager ON people (tenant_id, manager_id);
CREATE INDEX people_email ON people (tenant_id, email);

CREATE TABLE accounts (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    username TEXT NOT NULL,
    username_lc TEXT NOT NULL,
    email TEXT,
    person_id UUID,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL DEFAULT '',
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    password_changed_at TIMESTAMPTZ,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    totp_secret TEXT,
    totp_last_step BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, username_lc),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX accounts_person ON accounts (tenant_id, person_id);

CREATE TABLE password_history (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    account_id UUID NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX password_history_account ON password_history (tenant_id, account_id, created_at);

CREATE TABLE recovery_codes (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    account_id UUID NOT NULL,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX recovery_codes_account ON recovery_codes (tenant_id, account_id);

CREATE TABLE sessions (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    account_id UUID NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    ip TEXT,
    user_agent TEXT,
    mfa_done BOOLEAN NOT NULL DEFAULT FALSE,
    csrf_token TEXT NOT NULL,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_account ON sessions (tenant_id, account_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    account_id UUID NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_account ON api_tokens (tenant_id, account_id);

-- The chain head and purge checkpoint of each tenant's audit chain.
CREATE TABLE audit_heads (
    tenant_id UUID PRIMARY KEY NOT NULL REFERENCES tenants (id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    checkpoint_seq BIGINT NOT NULL DEFAULT 0,
    checkpoint_hash TEXT NOT NULL
);

CREATE TABLE audit_events (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    seq BIGINT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    class TEXT NOT NULL,
    actor_account UUID,
    actor_person UUID,
    actor_label TEXT NOT NULL,
    ip TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    person_id UUID,
    before_text TEXT,
    after_text TEXT,
    redacted BOOLEAN NOT NULL DEFAULT FALSE,
    content_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_events_at ON audit_events (tenant_id, at);
CREATE INDEX audit_events_class_at ON audit_events (tenant_id, class, at);
CREATE INDEX audit_events_object ON audit_events (tenant_id, object_type, object_id);
CREATE INDEX audit_events_person ON audit_events (tenant_id, person_id);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_person);
CREATE INDEX audit_events_action ON audit_events (tenant_id, action);

CREATE TABLE legal_holds (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    scope TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    released_at TIMESTAMPTZ,
    released_by TEXT
);
CREATE INDEX legal_holds_tenant ON legal_holds (tenant_id, released_at);

CREATE TABLE jobs (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID REFERENCES tenants (id),
    kind TEXT NOT NULL,
    payload JSONB NOT NULL,
    unique_key TEXT UNIQUE,
    run_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    locked_until TIMESTAMPTZ,
    locked_by TEXT,
    done_at TIMESTAMPTZ,
    failed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL;
