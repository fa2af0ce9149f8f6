-- Issue 5 items 3, 4: leave types per company, the append-only leave ledger, each employee's
-- working-years basis for statutory annual leave, leave / overtime applications and punch
-- corrections (补卡) with their approval instance.
-- Amounts are MINUTES everywhere (a leave day is 480 minutes, half a day 240), so day, half-day
-- and hour units add up in one column; views convert back to days.
-- Decimals (pay ratio, days per year) are canonical decimal TEXT on both engines.

CREATE TABLE leave_types (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (unit IN ('day', 'half_day', 'hour')),
    paid BOOLEAN NOT NULL,
    pay_ratio TEXT NOT NULL,
    counting TEXT NOT NULL CHECK (counting IN ('working_days', 'calendar_days')),
    balance_tracked BOOLEAN NOT NULL,
    -- JSON: {"kind":"statutory_annual"} | {"kind":"fixed","days_per_year":"5"} | {"kind":"none"} | {"kind":"comp_time"}
    entitlement TEXT NOT NULL,
    max_days_per_application TEXT,
    gender TEXT,
    carry_over_max_days TEXT NOT NULL,
    carry_over_expiry_months INTEGER NOT NULL,
    allow_negative BOOLEAN NOT NULL,
    -- JSON: maternity provincial extension etc. (bole_time::absence::LeaveTypePolicy)
    policy TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (company_id, code)
);

-- Append-only: a balance is the SUM of an employee's rows of one type. Usage is negative,
-- grants and credits positive; a mistake is reversed by another row, never edited.
CREATE TABLE leave_ledger (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    employee_id UUID NOT NULL REFERENCES employees(id),
    leave_type_id UUID NOT NULL REFERENCES leave_types(id),
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'usage', 'reversal', 'adjustment', 'carry_over', 'expiry', 'comp_credit')),
    minutes BIGINT NOT NULL,
    leave_year INTEGER NOT NULL,
    valid_from DATE NOT NULL,
    expires_on DATE,
    application_id UUID,
    source TEXT NOT NULL,
    reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL
);
CREATE INDEX leave_ledger_employee ON leave_ledger (employee_id, leave_type_id, valid_from);
CREATE INDEX leave_ledger_application ON leave_ledger (application_id);
CREATE INDEX leave_ledger_company_year ON leave_ledger (company_id, leave_type_id, leave_year);

CREATE FUNCTION leave_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'leave_ledger is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER leave_ledger_no_change BEFORE UPDATE OR DELETE ON leave_ledger
    FOR EACH ROW EXECUTE FUNCTION leave_ledger_append_only();

-- 参加工作日期 / cumulative working years basis for statutory annual leave, set by HR.
CREATE TABLE leave_profiles (
    employee_id UUID PRIMARY KEY REFERENCES employees(id),
    company_id UUID NOT NULL REFERENCES companies(id),
    work_start_date DATE,
    prior_years TEXT,
    prior_years_as_of DATE,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by UUID NOT NULL
);
CREATE INDEX leave_profiles_company ON leave_profiles (company_id);

-- One row per employee, touched first by every write that checks overlap or balance so that two
-- concurrent writes for the same employee serialise (PostgreSQL row lock; SQLite write lock).
CREATE TABLE absence_employee_locks (
    employee_id UUID PRIMARY KEY,
    seq BIGINT NOT NULL
);

CREATE TABLE leave_applications (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    employee_id UUID NOT NULL REFERENCES employees(id),
    leave_type_id UUID NOT NULL REFERENCES leave_types(id),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    start_half TEXT CHECK (start_half IN ('am', 'pm')),
    end_half TEXT CHECK (end_half IN ('am', 'pm')),
    hours_minutes BIGINT,
    duration_minutes BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'returned', 'approved', 'rejected', 'withdrawn', 'cancelled')),
    reason TEXT NOT NULL,
    details TEXT NOT NULL,
    instance_id UUID,
    submitted_by UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    cancelled_by UUID,
    cancel_reason TEXT
);
-- The overlap check: one employee's applications by date range.
CREATE INDEX leave_applications_overlap ON leave_applications (employee_id, start_date, end_date);
CREATE INDEX leave_applications_company ON leave_applications (company_id, start_date);
CREATE INDEX leave_applications_pending ON leave_applications (employee_id, leave_type_id, status);

CREATE TABLE overtime_applications (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    employee_id UUID NOT NULL REFERENCES employees(id),
    day DATE NOT NULL,
    start_time TIME NOT NULL,
    end_time TIME NOT NULL,
    minutes BIGINT NOT NULL CHECK (minutes > 0),
    kind TEXT NOT NULL CHECK (kind IN ('workday', 'restday', 'holiday')),
    compensation TEXT NOT NULL CHECK (compensation IN ('pay', 'time_off')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'returned', 'approved', 'rejected', 'withdrawn', 'cancelled')),
    reason TEXT NOT NULL,
    instance_id UUID,
    submitted_by UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    cancelled_by UUID
);
CREATE INDEX overtime_applications_employee ON overtime_applications (employee_id, day);
CREATE INDEX overtime_applications_company ON overtime_applications (company_id, day);

CREATE TABLE punch_corrections (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    employee_id UUID NOT NULL REFERENCES employees(id),
    day DATE NOT NULL,
    at_time TIME NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'returned', 'approved', 'rejected', 'withdrawn', 'cancelled')),
    reason TEXT NOT NULL,
    instance_id UUID,
    submitted_by UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ
);
-- The monthly limit counts one employee's corrections in a month.
CREATE INDEX punch_corrections_employee ON punch_corrections (employee_id, day);
CREATE INDEX punch_corrections_company ON punch_corrections (company_id, day);
