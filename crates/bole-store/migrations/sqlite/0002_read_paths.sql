-- Indexes for the hot read paths measured by `make bench`:
-- the employee list orders by employee number across companies;
-- batch imports look up existing ID numbers per company (the unique index leads with id_type);
-- as-of headcounts filter assignments by date before grouping by unit.
CREATE INDEX employees_no ON employees (employee_no, id);
CREATE INDEX employees_company_id_number ON employees (company_id, id_number);
CREATE INDEX assignments_unit_category ON assignments (org_unit_id, quota_category, valid_from);
