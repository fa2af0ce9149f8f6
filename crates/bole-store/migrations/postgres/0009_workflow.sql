-- Issue 5 item 5 and the in-app part of item 6: approval workflows and notifications.
-- Definitions are data (JSON) per company and document type, versioned; an instance pins the
-- version it started with and keeps its resolved plan (steps, branches, approvers) as JSON.
-- Tasks are one row per assignee per step branch; history is append-only evidence.
-- Notifications are the in-app inbox; deliveries are the outbox drained by a job.
-- User ids are not foreign keys where the nil id (the system, e.g. timers) may act.

CREATE TABLE workflow_definitions (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    doc_type TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    body TEXT NOT NULL,             -- JSON FlowDefinition of the current version
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by UUID NOT NULL,
    UNIQUE (company_id, doc_type)
);

-- Every saved version (append-only): instances name (definition_id, version).
CREATE TABLE workflow_definition_versions (
    definition_id UUID NOT NULL REFERENCES workflow_definitions(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL,
    PRIMARY KEY (definition_id, version)
);

CREATE TABLE workflow_instances (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    doc_type TEXT NOT NULL,
    doc_id UUID NOT NULL,
    subject_id UUID NOT NULL REFERENCES employees(id),
    requester_id UUID NOT NULL,
    title TEXT NOT NULL,
    fields TEXT NOT NULL,           -- JSON document fields conditions test
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'returned', 'withdrawn')),
    version INTEGER NOT NULL CHECK (version >= 1),
    round INTEGER NOT NULL CHECK (round >= 1),
    definition_id UUID,             -- NULL: the built-in default of the doc type
    definition_version INTEGER NOT NULL,
    plan TEXT NOT NULL,             -- JSON resolved plan: steps, branches, approvers, statuses
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ,
    UNIQUE (doc_type, doc_id)
);
CREATE INDEX workflow_instances_requester ON workflow_instances (requester_id, created_at);
CREATE INDEX workflow_instances_subject ON workflow_instances (subject_id, created_at);

CREATE TABLE workflow_tasks (
    id UUID PRIMARY KEY,
    instance_id UUID NOT NULL REFERENCES workflow_instances(id),
    round INTEGER NOT NULL,
    step INTEGER NOT NULL,
    branch INTEGER NOT NULL,
    doc_type TEXT NOT NULL,
    assignee_id UUID NOT NULL,
    on_behalf_of UUID,              -- the approver a delegate acts for
    status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'returned', 'superseded', 'escalated', 'cancelled')),
    created_at TIMESTAMPTZ NOT NULL,
    remind_at TIMESTAMPTZ,
    reminded_at TIMESTAMPTZ,
    escalate_at TIMESTAMPTZ,
    escalated_at TIMESTAMPTZ,
    escalated_from UUID,
    decided_by UUID,
    decided_at TIMESTAMPTZ,
    comment TEXT
);
CREATE INDEX workflow_tasks_inbox ON workflow_tasks (assignee_id, status, created_at);
CREATE INDEX workflow_tasks_instance ON workflow_tasks (instance_id, round, step, branch);
CREATE INDEX workflow_tasks_decided ON workflow_tasks (decided_by, decided_at);
CREATE INDEX workflow_tasks_remind ON workflow_tasks (status, remind_at);
CREATE INDEX workflow_tasks_escalate ON workflow_tasks (status, escalate_at);

-- Append-only evidence: who, on whose behalf, what, with which comment, when.
CREATE TABLE workflow_history (
    id UUID PRIMARY KEY,
    instance_id UUID NOT NULL REFERENCES workflow_instances(id),
    round INTEGER NOT NULL,
    step INTEGER,
    task_id UUID,
    action TEXT NOT NULL,
    actor_id UUID,                  -- NULL: the system (timers, automatic passes)
    on_behalf_of UUID,
    comment TEXT,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX workflow_history_instance ON workflow_history (instance_id, at);
CREATE FUNCTION workflow_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER workflow_history_append_only BEFORE UPDATE OR DELETE ON workflow_history
    FOR EACH ROW EXECUTE FUNCTION workflow_append_only();

CREATE TABLE workflow_delegations (
    id UUID PRIMARY KEY,
    delegator_id UUID NOT NULL REFERENCES users(id),
    delegate_id UUID NOT NULL REFERENCES users(id),
    valid_from DATE NOT NULL,       -- inclusive
    valid_to DATE NOT NULL,         -- inclusive
    doc_types TEXT,                 -- JSON array; NULL = every document type
    created_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ
);
CREATE INDEX workflow_delegations_delegate ON workflow_delegations (delegate_id, valid_to);
CREATE INDEX workflow_delegations_delegator ON workflow_delegations (delegator_id, valid_to);

-- Heads of org units (部门负责人), effective-dated, half-open [valid_from, valid_to).
CREATE TABLE org_unit_heads (
    org_unit_id UUID NOT NULL REFERENCES org_units(id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    employee_id UUID NOT NULL REFERENCES employees(id),
    PRIMARY KEY (org_unit_id, valid_from)
);

CREATE TABLE notifications (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    instance_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, created_at);

-- The outbox: one row per notification and channel; addresses are resolved at delivery time.
CREATE TABLE notification_deliveries (
    id UUID PRIMARY KEY,
    notification_id UUID NOT NULL REFERENCES notifications(id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target TEXT,                    -- webhook name; NULL for email
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (status, next_attempt_at);
CREATE INDEX notification_deliveries_notification ON notification_deliveries (notification_id);
