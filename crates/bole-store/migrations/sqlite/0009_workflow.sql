-- Issue 5 item 5 and the in-app part of item 6: approval workflows and notifications.
-- Definitions are data (JSON) per company and document type, versioned; an instance pins the
-- version it started with and keeps its resolved plan (steps, branches, approvers) as JSON.
-- Tasks are one row per assignee per step branch; history is append-only evidence.
-- Notifications are the in-app inbox; deliveries are the outbox drained by a job.
-- User ids are not foreign keys where the nil id (the system, e.g. timers) may act.

CREATE TABLE workflow_definitions (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    doc_type TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    body TEXT NOT NULL,             -- JSON FlowDefinition of the current version
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BLOB NOT NULL,
    UNIQUE (company_id, doc_type)
);

-- Every saved version (append-only): instances name (definition_id, version).
CREATE TABLE workflow_definition_versions (
    definition_id BLOB NOT NULL REFERENCES workflow_definitions(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by BLOB NOT NULL,
    PRIMARY KEY (definition_id, version)
);

CREATE TABLE workflow_instances (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    doc_type TEXT NOT NULL,
    doc_id BLOB NOT NULL,
    subject_id BLOB NOT NULL REFERENCES employees(id),
    requester_id BLOB NOT NULL,
    title TEXT NOT NULL,
    fields TEXT NOT NULL,           -- JSON document fields conditions test
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'returned', 'withdrawn')),
    version INTEGER NOT NULL CHECK (version >= 1),
    round INTEGER NOT NULL CHECK (round >= 1),
    definition_id BLOB,             -- NULL: the built-in default of the doc type
    definition_version INTEGER NOT NULL,
    plan TEXT NOT NULL,             -- JSON resolved plan: steps, branches, approvers, statuses
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT,
    UNIQUE (doc_type, doc_id)
);
CREATE INDEX workflow_instances_requester ON workflow_instances (requester_id, created_at);
CREATE INDEX workflow_instances_subject ON workflow_instances (subject_id, created_at);

CREATE TABLE workflow_tasks (
    id BLOB PRIMARY KEY,
    instance_id BLOB NOT NULL REFERENCES workflow_instances(id),
    round INTEGER NOT NULL,
    step INTEGER NOT NULL,
    branch INTEGER NOT NULL,
    doc_type TEXT NOT NULL,
    assignee_id BLOB NOT NULL,
    on_behalf_of BLOB,              -- the approver a delegate acts for
    status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'returned', 'superseded', 'escalated', 'cancelled')),
    created_at TEXT NOT NULL,
    remind_at TEXT,
    reminded_at TEXT,
    escalate_at TEXT,
    escalated_at TEXT,
    escalated_from BLOB,
    decided_by BLOB,
    decided_at TEXT,
    comment TEXT
);
CREATE INDEX workflow_tasks_inbox ON workflow_tasks (assignee_id, status, created_at);
CREATE INDEX workflow_tasks_instance ON workflow_tasks (instance_id, round, step, branch);
CREATE INDEX workflow_tasks_decided ON workflow_tasks (decided_by, decided_at);
CREATE INDEX workflow_tasks_remind ON workflow_tasks (status, remind_at);
CREATE INDEX workflow_tasks_escalate ON workflow_tasks (status, escalate_at);

-- Append-only evidence: who, on whose behalf, what, with which comment, when.
CREATE TABLE workflow_history (
    id BLOB PRIMARY KEY,
    instance_id BLOB NOT NULL REFERENCES workflow_instances(id),
    round INTEGER NOT NULL,
    step INTEGER,
    task_id BLOB,
    action TEXT NOT NULL,
    actor_id BLOB,                  -- NULL: the system (timers, automatic passes)
    on_behalf_of BLOB,
    comment TEXT,
    at TEXT NOT NULL
);
CREATE INDEX workflow_history_instance ON workflow_history (instance_id, at);
CREATE TRIGGER workflow_history_no_update BEFORE UPDATE ON workflow_history
BEGIN
    SELECT RAISE(ABORT, 'workflow_history is append-only');
END;
CREATE TRIGGER workflow_history_no_delete BEFORE DELETE ON workflow_history
BEGIN
    SELECT RAISE(ABORT, 'workflow_history is append-only');
END;

CREATE TABLE workflow_delegations (
    id BLOB PRIMARY KEY,
    delegator_id BLOB NOT NULL REFERENCES users(id),
    delegate_id BLOB NOT NULL REFERENCES users(id),
    valid_from TEXT NOT NULL,       -- inclusive
    valid_to TEXT NOT NULL,         -- inclusive
    doc_types TEXT,                 -- JSON array; NULL = every document type
    created_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX workflow_delegations_delegate ON workflow_delegations (delegate_id, valid_to);
CREATE INDEX workflow_delegations_delegator ON workflow_delegations (delegator_id, valid_to);

-- Heads of org units (部门负责人), effective-dated, half-open [valid_from, valid_to).
CREATE TABLE org_unit_heads (
    org_unit_id BLOB NOT NULL REFERENCES org_units(id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    employee_id BLOB NOT NULL REFERENCES employees(id),
    PRIMARY KEY (org_unit_id, valid_from)
);

CREATE TABLE notifications (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    instance_id BLOB,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, created_at);

-- The outbox: one row per notification and channel; addresses are resolved at delivery time.
CREATE TABLE notification_deliveries (
    id BLOB PRIMARY KEY,
    notification_id BLOB NOT NULL REFERENCES notifications(id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target TEXT,                    -- webhook name; NULL for email
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (status, next_attempt_at);
CREATE INDEX notification_deliveries_notification ON notification_deliveries (notification_id);
