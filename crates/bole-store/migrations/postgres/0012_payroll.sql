-- Issue 6: payroll. Pay components and structures per company, effective-dated salary
-- assignments, SI/HF policies entered by administrators, tax profiles and special additional
-- deduction declarations, adjustments, pay runs and their items (one per employee).
--
-- Money never sits in a REAL column: amounts are canonical decimal TEXT, or decimal strings
-- inside JSON. What is personal AND about pay is sealed (SM4-GCM, see bole-store/src/sealed.rs,
-- associated data "<table>.<field>:<row id>"):
--   salary_assignments.amounts_enc    {base_salary, fixed, si} of the assignment
--   deduction_declarations.details_enc the declared facts (children, shares, landlord notes…)
--   pay_adjustments.details_enc       {amount, reason}
--   pay_run_items.payslip_enc         the computed payslip (0x00 ‖ raw DEFLATE of its JSON)
--   pay_run_items.ytd_enc             its cumulative tax figures, apart: what the next months'
--                                     withholding starts from (read for everyone every month)
-- Plain on purpose: a declaration's monthly_amount (derived by the rules from the kind and the
-- details, needed in bulk for every run, and no more telling than the plain kind), a run's totals
-- (company aggregates) and the items' identity columns (so review lists filter without opening
-- every payslip).

CREATE TABLE pay_components (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    taxable BOOLEAN NOT NULL,
    on_payslip BOOLEAN NOT NULL,
    description TEXT,
    active BOOLEAN NOT NULL,
    UNIQUE (company_id, code)
);

CREATE TABLE pay_structures (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    grades TEXT NOT NULL,           -- JSON ["P5", …]
    position_ids TEXT NOT NULL,     -- JSON [uuid, …]
    items TEXT NOT NULL,            -- JSON [StructureItem, …] in evaluation order
    valid_from DATE NOT NULL,
    valid_to DATE,
    version BIGINT NOT NULL CHECK (version >= 1),
    UNIQUE (company_id, code)
);

-- At most one open assignment per employee and one per start day: two concurrent changes for
-- the same employee cannot both leave an open assignment behind.
CREATE TABLE salary_assignments (
    id UUID PRIMARY KEY,
    employee_id UUID NOT NULL REFERENCES employees(id),
    company_id UUID NOT NULL REFERENCES companies(id),
    structure_id UUID NOT NULL REFERENCES pay_structures(id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    reason TEXT,
    created_by UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    amounts_enc BYTEA NOT NULL
);
CREATE UNIQUE INDEX salary_assignments_employee ON salary_assignments (employee_id, valid_from);
CREATE UNIQUE INDEX salary_assignments_open ON salary_assignments (employee_id) WHERE valid_to IS NULL;

CREATE TABLE si_policies (
    id UUID PRIMARY KEY,
    city TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    name TEXT NOT NULL,
    source_url TEXT NOT NULL,
    confidence TEXT NOT NULL,
    items TEXT NOT NULL,            -- JSON [SiItem, …], rates and bounds as decimal strings
    UNIQUE (city, valid_from)
);

CREATE TABLE tax_profiles (
    employee_id UUID NOT NULL REFERENCES employees(id),
    year INTEGER NOT NULL,
    rule TEXT NOT NULL,
    merge_annual_bonus BOOLEAN NOT NULL,
    PRIMARY KEY (employee_id, year)
);

CREATE TABLE deduction_declarations (
    id UUID PRIMARY KEY,
    employee_id UUID NOT NULL REFERENCES employees(id),
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    start_month INTEGER NOT NULL CHECK (start_month BETWEEN 1 AND 12),
    end_month INTEGER NOT NULL CHECK (end_month BETWEEN 1 AND 12),
    monthly_amount TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'withdrawn')),
    declared_at TIMESTAMPTZ NOT NULL,
    details_enc BYTEA NOT NULL
);
CREATE INDEX deduction_declarations_employee ON deduction_declarations (employee_id, year);
CREATE INDEX deduction_declarations_year ON deduction_declarations (year, status);

CREATE TABLE pay_runs (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    period TEXT NOT NULL,           -- YYYY-MM
    name TEXT NOT NULL,
    scope TEXT NOT NULL,            -- JSON PayRunScope
    -- True when the scope is empty (the company's regular run of the period): at most one.
    regular BOOLEAN NOT NULL,
    pay_date DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'computed', 'pending_approval', 'locked', 'published')),
    totals TEXT NOT NULL,           -- JSON RunTotals
    preparer UUID NOT NULL,
    approved_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    computed_at TIMESTAMPTZ,
    locked_at TIMESTAMPTZ,
    published_at TIMESTAMPTZ,
    approval_id UUID,
    digest TEXT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX pay_runs_regular ON pay_runs (company_id, period) WHERE regular;
CREATE INDEX pay_runs_company ON pay_runs (company_id, period, status);

-- Identity columns are a snapshot taken when the run is computed (who was paid under which
-- number, name and unit), not a live join.
CREATE TABLE pay_run_items (
    id UUID PRIMARY KEY,
    run_id UUID NOT NULL REFERENCES pay_runs(id),
    company_id UUID NOT NULL,
    period TEXT NOT NULL,
    year INTEGER NOT NULL,
    employee_id UUID NOT NULL REFERENCES employees(id),
    employee_no TEXT NOT NULL,
    employee_name TEXT NOT NULL,
    org_unit_id UUID,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error_code TEXT,
    error_message TEXT,
    payslip_enc BYTEA,
    ytd_enc BYTEA,
    annual_bonus_separate BOOLEAN NOT NULL
);
CREATE INDEX pay_run_items_run ON pay_run_items (run_id, employee_no);
CREATE INDEX pay_run_items_employee ON pay_run_items (employee_id, year);

-- The adjustments a run's computation included (plain ids; the amounts stay sealed on the
-- adjustment): locking the run marks exactly these applied.
CREATE TABLE pay_run_adjustments (
    run_id UUID NOT NULL REFERENCES pay_runs(id),
    adjustment_id UUID NOT NULL,
    PRIMARY KEY (run_id, adjustment_id)
);

CREATE TABLE pay_adjustments (
    id UUID PRIMARY KEY,
    employee_id UUID NOT NULL REFERENCES employees(id),
    company_id UUID NOT NULL REFERENCES companies(id),
    period TEXT NOT NULL,
    component_code TEXT NOT NULL,
    corrects_run_id UUID REFERENCES pay_runs(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'applied', 'cancelled')),
    applied_run_id UUID REFERENCES pay_runs(id),
    created_by UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    details_enc BYTEA NOT NULL
);
CREATE INDEX pay_adjustments_period ON pay_adjustments (company_id, period, status);
