-- Foundation: companies, effective-dated org units, positions, headcount quotas (编制),
-- employees with lifecycle events and derived assignments, contracts, accounts, sessions.
-- Conventions: ids are UUIDs; dates are DATE; instants are TIMESTAMPTZ;
-- effective ranges are half-open [valid_from, valid_to), valid_to NULL = open-ended.

CREATE TABLE companies (
    id UUID PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    credit_code TEXT,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE org_units (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (company_id, code)
);

CREATE TABLE org_unit_versions (
    unit_id UUID NOT NULL REFERENCES org_units(id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    name TEXT NOT NULL,
    parent_id UUID REFERENCES org_units(id),
    kind TEXT NOT NULL,
    PRIMARY KEY (unit_id, valid_from)
);
CREATE INDEX org_unit_versions_parent ON org_unit_versions (parent_id, valid_from);

-- The evidence trail of structural changes (create/rename/move/merge/dissolve).
CREATE TABLE org_changes (
    id UUID PRIMARY KEY,
    unit_id UUID NOT NULL REFERENCES org_units(id),
    kind TEXT NOT NULL,
    effective_date DATE NOT NULL,
    details TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX org_changes_unit ON org_changes (unit_id, effective_date);

CREATE TABLE positions (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    org_unit_id UUID NOT NULL REFERENCES org_units(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    job_family TEXT NOT NULL,
    grade TEXT NOT NULL,
    is_key BOOLEAN NOT NULL DEFAULT false,
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (company_id, code)
);
CREATE INDEX positions_unit ON positions (org_unit_id);

CREATE TABLE headcount_quotas (
    id UUID PRIMARY KEY,
    org_unit_id UUID NOT NULL REFERENCES org_units(id),
    category TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    allow_overrun BOOLEAN NOT NULL DEFAULT false,
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX headcount_quotas_unit ON headcount_quotas (org_unit_id, category, valid_from);

CREATE TABLE employees (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    employee_no TEXT NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date DATE,
    id_type TEXT NOT NULL,
    id_number TEXT NOT NULL,
    ethnicity TEXT,
    political_status TEXT,
    marital_status TEXT,
    native_place TEXT,
    education_level TEXT,
    degree TEXT,
    phone TEXT,
    email TEXT,
    address TEXT,
    employment_type TEXT NOT NULL,
    hire_date DATE NOT NULL,
    probation_end DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (company_id, employee_no),
    UNIQUE (company_id, id_type, id_number)
);
CREATE INDEX employees_hire_date ON employees (hire_date);
CREATE INDEX employees_name ON employees (name);

CREATE TABLE employee_educations (
    id UUID PRIMARY KEY,
    employee_id UUID NOT NULL REFERENCES employees(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    school TEXT NOT NULL,
    major TEXT,
    education_level TEXT NOT NULL,
    degree TEXT,
    start_date DATE,
    end_date DATE,
    full_time BOOLEAN NOT NULL DEFAULT true
);
CREATE INDEX employee_educations_employee ON employee_educations (employee_id, seq);

CREATE TABLE employee_contacts (
    id UUID PRIMARY KEY,
    employee_id UUID NOT NULL REFERENCES employees(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    phone TEXT,
    workplace TEXT
);
CREATE INDEX employee_contacts_employee ON employee_contacts (employee_id, seq);

-- Lifecycle events are evidence: inserted, never updated or deleted. A mistake is
-- fixed by a later event whose cancels_event_id names the wrong one.
CREATE TABLE employee_events (
    id UUID PRIMARY KEY,
    employee_id UUID NOT NULL REFERENCES employees(id),
    kind TEXT NOT NULL,
    effective_date DATE NOT NULL,
    payload TEXT NOT NULL,
    reason TEXT,
    cancels_event_id UUID REFERENCES employee_events(id),
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX employee_events_employee ON employee_events (employee_id, effective_date);

-- Derived from the events (recomputable): the employee's situation over time.
CREATE TABLE assignments (
    employee_id UUID NOT NULL REFERENCES employees(id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    status TEXT NOT NULL,
    employed BOOLEAN NOT NULL,
    org_unit_id UUID NOT NULL REFERENCES org_units(id),
    host_org_unit_id UUID REFERENCES org_units(id),
    position_id UUID REFERENCES positions(id),
    manager_id UUID REFERENCES employees(id),
    employment_type TEXT NOT NULL,
    quota_category TEXT NOT NULL,
    work_location TEXT,
    event_id UUID NOT NULL REFERENCES employee_events(id),
    PRIMARY KEY (employee_id, valid_from)
);
CREATE INDEX assignments_unit ON assignments (org_unit_id, valid_from);
CREATE INDEX assignments_manager ON assignments (manager_id);

CREATE TABLE contracts (
    id UUID PRIMARY KEY,
    employee_id UUID NOT NULL REFERENCES employees(id),
    kind TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE,
    renewal_count INTEGER NOT NULL DEFAULT 0,
    signed_on DATE,
    status TEXT NOT NULL,
    previous_contract_id UUID REFERENCES contracts(id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX contracts_employee ON contracts (employee_id, start_date);
CREATE INDEX contracts_end ON contracts (end_date);

CREATE TABLE users (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    employee_id UUID REFERENCES employees(id),
    roles TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL
);

-- Server-side sessions; only a hash of the bearer secret is kept.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
