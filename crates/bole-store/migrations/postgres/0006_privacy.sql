-- Issue 3 item 9, PIPL rights (个人信息保护法; T/GXDSL 9.3): privacy-notice versions and
-- acknowledgements, consent history, data-subject requests with their status history, and
-- the register of third-party provision and cross-border transfers.
-- User ids are not foreign keys: the nil id is the system deciding (legal-retention refusals).
-- Columns marked SENSITIVE hold personal data a person typed about themselves: they are
-- SM4-GCM sealed like the other sensitive fields (bole_store::sealed), never logged or audited.

CREATE TABLE privacy_notices (
    id UUID PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE CHECK (version >= 1),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    changes TEXT,
    -- JSON array of purposes (code, names, kind, legal basis, data categories, recipient, retention).
    purposes TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    published_by UUID NOT NULL
);

CREATE TABLE privacy_acknowledgements (
    employee_id UUID NOT NULL REFERENCES employees(id),
    notice_id UUID NOT NULL REFERENCES privacy_notices(id),
    version INTEGER NOT NULL,
    acknowledged_at TIMESTAMPTZ NOT NULL,
    user_id UUID NOT NULL,
    PRIMARY KEY (employee_id, notice_id)
);
CREATE INDEX privacy_acknowledgements_notice ON privacy_acknowledgements (notice_id);

CREATE TABLE privacy_requests (
    id UUID PRIMARY KEY,
    employee_id UUID NOT NULL REFERENCES employees(id),
    company_id UUID NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL CHECK (kind IN ('access', 'correction', 'deletion', 'consent_withdrawal')),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'in_progress', 'completed', 'rejected')),
    details_enc BYTEA,            -- SENSITIVE, sealed: the person's own words
    corrections_enc BYTEA,        -- SENSITIVE, sealed: JSON [{field, proposed_value}]; NULL when none
    categories TEXT NOT NULL,     -- JSON array of data-category codes
    purpose_code TEXT,
    retention TEXT,               -- JSON retention decision (deletion, withdrawal)
    submitted_at TIMESTAMPTZ NOT NULL,
    submitted_by UUID NOT NULL,
    due_date DATE NOT NULL,
    resolution TEXT,
    handled_by UUID,
    closed_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX privacy_requests_open ON privacy_requests (status, due_date);
CREATE INDEX privacy_requests_employee ON privacy_requests (employee_id, submitted_at);
CREATE INDEX privacy_requests_company ON privacy_requests (company_id, submitted_at);

-- Append-only status history; `seq` orders the changes of one request (several may share an instant).
CREATE TABLE privacy_request_transitions (
    request_id UUID NOT NULL REFERENCES privacy_requests(id),
    seq INTEGER NOT NULL CHECK (seq >= 1),
    from_status TEXT,
    to_status TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    changed_by UUID NOT NULL,
    note TEXT,
    PRIMARY KEY (request_id, seq)
);

-- Append-only: the state of a purpose is its latest record; `seq` numbers the records of one
-- (employee, purpose) so two concurrent decisions cannot both be recorded.
CREATE TABLE consent_records (
    id UUID PRIMARY KEY,
    employee_id UUID NOT NULL REFERENCES employees(id),
    purpose_code TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    action TEXT NOT NULL CHECK (action IN ('given', 'withdrawn')),
    notice_version INTEGER NOT NULL,
    separate_consent BOOLEAN NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by UUID NOT NULL,
    request_id UUID REFERENCES privacy_requests(id),
    UNIQUE (employee_id, purpose_code, seq)
);

CREATE FUNCTION privacy_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records
    FOR EACH ROW EXECUTE FUNCTION privacy_append_only();
CREATE TRIGGER privacy_request_transitions_append_only BEFORE UPDATE OR DELETE ON privacy_request_transitions
    FOR EACH ROW EXECUTE FUNCTION privacy_append_only();

CREATE TABLE sharing_register (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('third_party', 'entrusted', 'cross_border')),
    recipient TEXT NOT NULL,
    recipient_contact TEXT,
    country TEXT,
    purpose TEXT NOT NULL,
    data_categories TEXT NOT NULL, -- JSON array of data-category codes
    includes_sensitive BOOLEAN NOT NULL,
    legal_basis TEXT NOT NULL,
    safeguards TEXT NOT NULL,      -- JSON array of safeguard codes
    start_date DATE NOT NULL,
    end_date DATE,
    notes TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by UUID NOT NULL
);
CREATE INDEX sharing_register_dates ON sharing_register (start_date, end_date);
