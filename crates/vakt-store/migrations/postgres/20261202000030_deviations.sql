-- Deviations, security incidents and personal-data breaches (issue 5).

-- Per-tenant configuration of the deviation module.
CREATE TABLE dev_config (
    tenant_id UUID PRIMARY KEY NOT NULL REFERENCES tenants (id),
    anonymous_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    anonymous_token TEXT,
    triage_hours BIGINT NOT NULL DEFAULT 24,
    regimes_toml TEXT NOT NULL DEFAULT '',
    escalation_webhook TEXT,
    stats_threshold BIGINT NOT NULL DEFAULT 5,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX dev_config_token ON dev_config (anonymous_token);

CREATE TABLE dev_categories (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    security BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, key)
);

CREATE TABLE dev_cases (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category_id UUID,
    unit_id UUID,
    reporter_person UUID,
    reporter_account UUID,
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    receipt_hash TEXT,
    occurred_at TIMESTAMPTZ,
    discovered_at TIMESTAMPTZ NOT NULL,
    aware_at TIMESTAMPTZ NOT NULL,
    reported_at TIMESTAMPTZ NOT NULL,
    personal_data TEXT NOT NULL,
    reported_snapshot TEXT NOT NULL,
    reported_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    assignee UUID,
    severity TEXT,
    consequence TEXT,
    likelihood TEXT,
    checklist TEXT NOT NULL DEFAULT '{}',
    lessons_learned TEXT NOT NULL DEFAULT '',
    is_breach BOOLEAN NOT NULL DEFAULT FALSE,
    breach_flagged_at TIMESTAMPTZ,
    significant BOOLEAN NOT NULL DEFAULT FALSE,
    significant_flagged_at TIMESTAMPTZ,
    breach_draft TEXT,
    secrecy TEXT NOT NULL DEFAULT 'open',
    secrecy_basis TEXT NOT NULL DEFAULT '',
    hold_id UUID,
    triaged_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    dismissed_reason TEXT,
    next_due TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL,
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
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    case_id UUID NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id)
);
CREATE INDEX dev_affected_case ON dev_affected (tenant_id, case_id);

CREATE TABLE dev_events (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    case_id UUID NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor_label TEXT NOT NULL,
    actor_person UUID,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id)
);
CREATE INDEX dev_events_case ON dev_events (tenant_id, case_id, at);

CREATE TABLE dev_comments (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    case_id UUID NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    author_person UUID,
    author_label TEXT NOT NULL,
    body TEXT NOT NULL,
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id)
);
CREATE INDEX dev_comments_case ON dev_comments (tenant_id, case_id, at);

CREATE TABLE dev_attachments (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    case_id UUID NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    secrecy TEXT NOT NULL DEFAULT 'open',
    secrecy_basis TEXT NOT NULL DEFAULT '',
    uploaded_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id)
);
CREATE INDEX dev_attachments_case ON dev_attachments (tenant_id, case_id);

CREATE TABLE dev_links (
    tenant_id UUID NOT NULL,
    case_a UUID NOT NULL,
    case_b UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, case_a, case_b),
    FOREIGN KEY (tenant_id, case_a) REFERENCES dev_cases (tenant_id, id),
    FOREIGN KEY (tenant_id, case_b) REFERENCES dev_cases (tenant_id, id)
);

CREATE TABLE dev_measures (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    case_id UUID NOT NULL,
    title TEXT NOT NULL,
    owner UUID NOT NULL,
    due_at TIMESTAMPTZ,
    status TEXT NOT NULL,
    done_at TIMESTAMPTZ,
    done_by UUID,
    waive_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id),
    FOREIGN KEY (tenant_id, owner) REFERENCES people (tenant_id, id)
);
CREATE INDEX dev_measures_case ON dev_measures (tenant_id, case_id);
CREATE INDEX dev_measures_owner ON dev_measures (tenant_id, owner, status);

CREATE TABLE dev_obligations (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    case_id UUID NOT NULL,
    regime TEXT NOT NULL,
    aware_at TIMESTAMPTZ NOT NULL,
    decision TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, case_id, regime),
    FOREIGN KEY (tenant_id, case_id) REFERENCES dev_cases (tenant_id, id)
);

CREATE TABLE dev_submissions (
    id UUID PRIMARY KEY NOT NULL,
    tenant_id UUID NOT NULL,
    obligation_id UUID NOT NULL REFERENCES dev_obligations (id),
    phase TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    by_person UUID NOT NULL,
    channel TEXT NOT NULL,
    authority_reference TEXT,
    delay_reasons TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX dev_submissions_obligation ON dev_submissions (tenant_id, obligation_id, at);

-- Escalation points already sent, per case and clock (so each goes out exactly once).
CREATE TABLE dev_escalations (
    tenant_id UUID NOT NULL,
    case_id UUID NOT NULL,
    clock TEXT NOT NULL,
    point TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, case_id, clock, point)
);
