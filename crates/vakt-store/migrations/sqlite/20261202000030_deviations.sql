-- Deviations, security incidents and personal-data breaches (issue 5).

-- Per-tenant configuration of the deviation module.
CREATE TABLE dev_config (
    tenant_id BLOB PRIMARY KEY NOT NULL REFERENCES tenants (id),
    anonymous_enabled INTEGER NOT NULL DEFAULT 0,
    anonymous_token TEXT,
    triage_hours INTEGER NOT NULL DEFAULT 24,
    regimes_toml TEXT NOT NULL DEFAULT '',
    escalation_webhook TEXT,
    stats_threshold INTEGER NOT NULL DEFAULT 5,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX dev_config_token ON dev_config (anonymous_token);

CREATE TABLE dev_categories (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    security INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, key)
);

CREATE TABLE dev_cases (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category_id BLOB,
    unit_id BLOB,
    reporter_person BLOB,
    reporter_account BLOB,
    anonymous INTEGER NOT NULL DEFAULT 0,
    receipt_hash TEXT,
    occurred_at TEXT,
    discovered_at TEXT NOT NULL,
    aware_at TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    personal_data TEXT NOT NULL,
    reported_snapshot TEXT NOT NULL,
    reported_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    assignee BLOB,
    severity TEXT,
    consequence TEXT,
    likelihood TEXT,
    checklist TEXT NOT NULL DEFAULT '{}',
    lessons_learned TEXT NOT NULL DEFAULT '',
    is_breach INTEGER NOT NULL DEFAULT 0,
    breach_flagged_at TEXT,
    significant INTEGER NOT NULL DEFAULT 0,
    significant_flagged_at TEXT,
    breach_draft TEXT,
    secrecy TEXT NOT NULL DEFAULT 'open',
    secrecy_basis TEXT NOT NULL DEFAULT '',
    hold_id BLOB,
    triaged_at TEXT,
    closed_at TEXT,
    dismissed_reason TEXT,
    next_due TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, category_id) REFERENCES dev_categories (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, reporter_person) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, assignee) REFERENCES people (tenant_id, id)
);
CREATE UNIQUE INDEX dev_cases_receipt ON dev_cases (receipt_hash);
CREATE INDEX dev_cases_list ON dev_cases (tenant_id, reported_at DESC, id);
CREATE INDEX dev_cases_state ON dev_cases (tenant_id, state, reported_at DESC);
CREATE INDEX dev_cases_unit ON dev_cases (tenant_id, unit_id, reported_at DESC);
CREATE INDEX dev_cases_category ON dev_cases (tenant_id, category_id, reported_at DESC);
CREATE INDEX dev_cases_reporter ON dev_cases (tenant_id, reporter_person, reported_at DESC);
CREATE INDEX dev_cases_assignee ON dev_cases (tenant_id, assignee, state);
CREATE INDEX dev_cases_due ON dev_cases (tenant_id, next_due);
CREATE INDEX dev_cases_breach ON dev_cases (tenant_id, is_breach, reported_at DESC);

CREATE TABLE dev_affected (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    case_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id)
);
CREATE INDEX dev_affected_case ON dev_affected (tenant_id, case_id);

CREATE TABLE dev_events (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    case_id BLOB NOT NULL,
    at TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    actor_person BLOB,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id)
);
CREATE INDEX dev_events_case ON dev_events (tenant_id, case_id, at);

CREATE TABLE dev_comments (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    case_id BLOB NOT NULL,
    at TEXT NOT NULL,
    author_person BLOB,
    author_label TEXT NOT NULL,
    body TEXT NOT NULL,
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id)
);
CREATE INDEX dev_comments_case ON dev_comments (tenant_id, case_id, at);

CREATE TABLE dev_attachments (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    case_id BLOB NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    secrecy TEXT NOT NULL DEFAULT 'open',
    secrecy_basis TEXT NOT NULL DEFAULT '',
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id)
);
CREATE INDEX dev_attachments_case ON dev_attachments (tenant_id, case_id);

CREATE TABLE dev_links (
    tenant_id BLOB NOT NULL,
    case_a BLOB NOT NULL,
    case_b BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, case_a, case_b),
    FOREIGN KEY (tenant_id, case_a) REFERENCES dev_cases (tenant_id, id),
    FOREIGN KEY (tenant_id, case_b) REFERENCES dev_cases (tenant_id, id)
);

CREATE TABLE dev_measures (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    case_id BLOB NOT NULL,
    title TEXT NOT NULL,
    owner BLOB NOT NULL,
    due_at TEXT,
    status TEXT NOT NULL,
    done_at TEXT,
    done_by BLOB,
    waive_reason TEXT,
    created_at TEXT NOT NULL,
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id),
    FOREIGN KEY (tenant_id, owner) REFERENCES people (tenant_id, id)
);
CREATE INDEX dev_measures_case ON dev_measures (tenant_id, case_id);
CREATE INDEX dev_measures_owner ON dev_measures (tenant_id, owner, status);

CREATE TABLE dev_obligations (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    case_id BLOB NOT NULL,
    regime TEXT NOT NULL,
    aware_at TEXT NOT NULL,
    decision TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, case_id, regime),
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id)
);

CREATE TABLE dev_submissions (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL,
    obligation_id BLOB NOT NULL REFERENCES dev_obligations (id),
    phase TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    by_person BLOB NOT NULL,
    channel TEXT NOT NULL,
    authority_reference TEXT,
    delay_reasons TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX dev_submissions_obligation ON dev_submissions (tenant_id, obligation_id, at);

-- Escalation points already sent, per case and clock (so each goes out exactly once).
CREATE TABLE dev_escalations (
    tenant_id BLOB NOT NULL,
    case_id BLOB NOT NULL,
    clock TEXT NOT NULL,
    point TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, case_id, clock, point)
);
