-- Issue 5 item 2, attendance: company/regional calendar layers, shifts and their effective-dated
-- assignment to employees or org units, raw punches (append-only evidence), the inputs written by
-- leave and overtime approval (absence_days, overtime_days), and the derived facts: attendance days
-- (recomputable from the rest) and the monthly summary that payroll reads.
-- Instants are TIMESTAMPTZ (UTC); local dates are Asia/Shanghai (UTC+8, no DST).

CREATE TABLE calendar_layers (
    id UUID PRIMARY KEY,
    -- NULL: every company.
    company_id UUID REFERENCES companies(id),
    -- NULL: every location; otherwise matched against assignments.work_location.
    region TEXT,
    name TEXT NOT NULL,
    source TEXT,
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE calendar_layer_days (
    layer_id UUID NOT NULL REFERENCES calendar_layers(id),
    day DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('workday', 'rest_day', 'day_off', 'statutory_holiday')),
    note TEXT,
    PRIMARY KEY (layer_id, day)
);

-- The rule is JSON (bole_time::attendance::ShiftRule); `kind` repeats its tag for filtering.
CREATE TABLE shifts (
    id UUID PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('fixed', 'flexible', 'rotating', 'comprehensive')),
    rule TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Exactly one target: an employee (wins) or an org unit (inherited by its subtree).
CREATE TABLE shift_assignments (
    id UUID PRIMARY KEY,
    employee_id UUID REFERENCES employees(id),
    org_unit_id UUID REFERENCES org_units(id),
    shift_id UUID NOT NULL REFERENCES shifts(id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    CHECK ((employee_id IS NULL) <> (org_unit_id IS NULL))
);
CREATE INDEX shift_assignments_employee ON shift_assignments (employee_id, valid_from);
CREATE INDEX shift_assignments_unit ON shift_assignments (org_unit_id, valid_from);

-- Raw punches: inserted, never updated or deleted. One per employee and instant (whole seconds),
-- so a re-imported clock file adds nothing.
CREATE TABLE punches (
    id UUID PRIMARY KEY,
    employee_id UUID NOT NULL REFERENCES employees(id),
    at TIMESTAMPTZ NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('app', 'clock', 'import', 'correction')),
    lat_micro INTEGER,
    lng_micro INTEGER,
    accuracy_m INTEGER,
    device TEXT,
    source_ref UUID,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (employee_id, at)
);

-- Written by leave approval/cancellation: the scheduled work minutes an approved leave covers.
CREATE TABLE absence_days (
    source_id UUID NOT NULL,
    day DATE NOT NULL,
    employee_id UUID NOT NULL,
    leave_type TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    paid BOOLEAN NOT NULL,
    PRIMARY KEY (source_id, day)
);
CREATE INDEX absence_days_employee ON absence_days (employee_id, day);

-- Written by overtime approval/cancellation: approved overtime minutes per day.
CREATE TABLE overtime_days (
    source_id UUID NOT NULL,
    day DATE NOT NULL,
    employee_id UUID NOT NULL,
    minutes INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('workday', 'restday', 'holiday')),
    compensation TEXT NOT NULL CHECK (compensation IN ('pay', 'time_off')),
    PRIMARY KEY (source_id, day)
);
CREATE INDEX overtime_days_employee ON overtime_days (employee_id, day);

-- Derived, recomputable. `as_of` is "today" when the row was derived: a row for a day on or after
-- it is provisional and is derived again once that day has passed.
CREATE TABLE attendance_days (
    employee_id UUID NOT NULL REFERENCES employees(id),
    day DATE NOT NULL,
    shift_code TEXT,
    status TEXT NOT NULL,
    day_kind TEXT NOT NULL,
    scheduled_minutes INTEGER NOT NULL,
    worked_minutes INTEGER NOT NULL,
    late_minutes INTEGER NOT NULL,
    early_minutes INTEGER NOT NULL,
    absent_minutes INTEGER NOT NULL,
    leave_minutes INTEGER NOT NULL,
    leave_types TEXT,
    first_in TIMESTAMPTZ,
    last_out TIMESTAMPTZ,
    missing_in BOOLEAN NOT NULL,
    missing_out BOOLEAN NOT NULL,
    overtime_kind TEXT,
    punched_overtime_minutes INTEGER NOT NULL,
    overtime_minutes INTEGER NOT NULL,
    overtime_time_off_minutes INTEGER NOT NULL,
    comprehensive_period TEXT,
    -- This day's share of the 综合工时 period's standard minutes (0 outside 综合工时).
    comprehensive_standard_minutes INTEGER NOT NULL,
    as_of DATE NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (employee_id, day)
);
CREATE INDEX attendance_days_day ON attendance_days (day, employee_id);

-- Payroll's input: one row per employee and month, recomputed (idempotently) on demand.
CREATE TABLE attendance_monthly (
    employee_id UUID NOT NULL REFERENCES employees(id),
    month TEXT NOT NULL,
    company_id UUID NOT NULL,
    org_unit_id UUID,
    scheduled_days INTEGER NOT NULL,
    present_days INTEGER NOT NULL,
    absent_days INTEGER NOT NULL,
    leave_days INTEGER NOT NULL,
    late_count INTEGER NOT NULL,
    late_minutes INTEGER NOT NULL,
    early_count INTEGER NOT NULL,
    early_minutes INTEGER NOT NULL,
    missing_punches INTEGER NOT NULL,
    absent_minutes INTEGER NOT NULL,
    worked_minutes INTEGER NOT NULL,
    leave_minutes INTEGER NOT NULL,
    leave_paid_minutes INTEGER NOT NULL,
    leave_unpaid_minutes INTEGER NOT NULL,
    leave_by_type TEXT NOT NULL,
    ot_workday_pay INTEGER NOT NULL,
    ot_workday_time_off INTEGER NOT NULL,
    ot_restday_pay INTEGER NOT NULL,
    ot_restday_time_off INTEGER NOT NULL,
    ot_holiday_pay INTEGER NOT NULL,
    comprehensive_excess_minutes INTEGER NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (employee_id, month)
);
CREATE INDEX attendance_monthly_month ON attendance_monthly (month, org_unit_id);

-- One row (id = 1) holding the attendance policy as JSON; absent = the defaults.
CREATE TABLE attendance_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    policy TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
