//! Payroll use cases: authorise first, gather inputs in bulk, compute with the pure rules, write
//! through the store in one transaction per use case.
//!
//! Who may do what:
//! - configuration (components, structures, SI policies) and runs are company-wide: reading needs
//!   `PayrollRead`, changing needs `PayrollWrite`, over all companies or a grant naming the company
//!   (a subtree grant reads configuration and its subtree's items, but cannot compute a run, which
//!   would replace everyone's items);
//! - an employee's salary, tax profile and declarations follow the row scope of the permission
//!   (records outside it answer 404, as in the people service); salaries are masked unless the
//!   reader holds `SensitiveRead` over the employee or reads their own, and every read in clear is
//!   audited;
//! - payslips: the employee's own once published; HR with `PayrollRead` over the employee once the
//!   run is locked. Anyone else gets 403 (audited as denied) — the acceptance criterion says an
//!   employee asking for someone else's payslip is refused, not told it does not exist.
//!
//! A pay run's approval goes through the workflow engine (`pay_run` flow: an HR administrator
//! other than the submitter). The preparer can never approve their own run: the convenience
//! endpoints refuse before looking for a task, and the document handler refuses again on commit, so
//! the generic approvals inbox cannot be used to get around it.

use crate::PAY_RUN_DOC;
use crate::compute;
use crate::error::PayrollError;
use crate::export::{self, ExportFile, ExportInput, ExportKind};
use crate::model::*;
use crate::si::{self, SiLine, SiPolicy};
use crate::store::{Computation, ItemFilter, PayrollStore};
use bole_core::clock::SharedClock;
use bole_core::{
    Actor, AuditEvent, AuditLog, CompanyId, DataScope, EmployeeId, FieldErrors, Forbidden, Msg, Outcome, Page,
    PageRequest, Permission, Scope,
};
use bole_people::{PeopleError, PeopleService, PeopleStore, RowScope};
use bole_time::absence::Calendars;
use bole_time::attendance::{AttendanceError, AttendanceService, Month, SummaryFilter};
use bole_workflow::{Decision, DecisionAction, DocumentRef, InstanceStatus, Submission, TaskStatus, WorkflowService};
use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use utoipa::ToSchema;
use uuid::Uuid;

type R<T> = Result<T, PayrollError>;

/// Net pay moving more than this share against the last locked run is flagged for review.
const SHARP_CHANGE: Decimal = Decimal::from_parts(20, 0, 0, false, 2);

// ---------------------------------------------------------------------------------------------
// Inputs and views that exist only at the service's edge

/// What the SI/HF calculator of the console asks.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct SiPreviewRequest {
    /// Policy city code (`beijing`, `shanghai`, `national`, …).
    pub city: String,
    /// "YYYY-MM": the policy in force on the month's first day.
    pub month: String,
    /// Declared SI base.
    #[schema(value_type = String)]
    pub si_base: Decimal,
    /// Housing-fund base; default the SI base.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub hf_base: Option<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub hf_rate_employee: Option<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub hf_rate_employer: Option<Decimal>,
}

/// Each contribution line for the employee and the employer, with totals.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct SiPreview {
    pub policy: SiPolicy,
    pub lines: Vec<SiLine>,
    #[schema(value_type = String)]
    pub employee_si: Decimal,
    #[schema(value_type = String)]
    pub employer_si: Decimal,
    #[schema(value_type = String)]
    pub employee_hf: Decimal,
    #[schema(value_type = String)]
    pub employer_hf: Decimal,
    /// The part of the employee's contributions IIT deducts (专项扣除).
    #[schema(value_type = String)]
    pub deductible: Decimal,
    #[schema(value_type = String)]
    pub employee_total: Decimal,
    #[schema(value_type = String)]
    pub employer_total: Decimal,
}

/// An employee's withholding options for a year (the year is in the path).
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct TaxProfileInput {
    pub rule: crate::iit::WithholdingRule,
    #[serde(default)]
    pub merge_annual_bonus: bool,
}

/// Submitting a computed run.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct SubmitRun {
    /// The run has error items (employees who could not be computed): true confirms that they are
    /// left out of this run (they can be paid by a separate run scoped to them). Without it such a
    /// run is refused (`pay_run_has_errors`).
    #[serde(default)]
    pub acknowledge_errors: bool,
}

/// The review of a computed run against the company's last locked run.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct PayRunReview {
    pub run: PayRun,
    pub previous_run_id: Option<Uuid>,
    pub previous_period: Option<String>,
    /// Rows with at least one anomaly come first, then by employee number.
    pub rows: Vec<ReviewRow>,
    /// Rows with at least one anomaly.
    pub flagged: u32,
}

// ---------------------------------------------------------------------------------------------

/// How much of a company a grant must reach for an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    /// Every employee of the company (all, or a grant naming the company): computing, exporting
    /// and configuring pay, which act on everyone at once.
    Company,
    /// Some employees of it (a subtree grant too): reading runs, whose items are then filtered.
    Visible,
    /// Any grant of the permission, own record included: reading configuration (component and
    /// structure names carry no personal data).
    Any,
}

/// What the service talks to; the composition root fills it (see [`crate::wire`]).
#[derive(Clone)]
pub struct PayrollPorts {
    pub store: Arc<dyn PayrollStore>,
    /// Single-id scope checks and an employee's company.
    pub people_store: Arc<dyn PeopleStore>,
    /// Row scopes (subtrees expanded on today's org).
    pub people: PeopleService,
    /// The monthly attendance summaries a run reads.
    pub attendance: AttendanceService,
    /// The company's working calendar (national data plus its layers).
    pub calendars: Arc<dyn Calendars>,
    /// Reads of pay data and refusals (writes audit inside their transaction).
    pub audit: Arc<dyn AuditLog>,
    pub clock: SharedClock,
}

/// The payroll service (see the module docs).
#[derive(Clone)]
pub struct PayrollService {
    ports: PayrollPorts,
    workflow: WorkflowService,
    renderer: Option<Arc<dyn crate::model::PayslipRenderer>>,
}

impl std::fmt::Debug for PayrollService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayrollService").field("pdf", &self.renderer.is_some()).finish_non_exhaustive()
    }
}

impl PayrollService {
    /// `workflow` must have the pay-run handler registered (see [`crate::wire`]).
    pub fn new(ports: PayrollPorts, workflow: WorkflowService) -> Self {
        Self { ports, workflow, renderer: None }
    }

    /// Payslip PDFs through this renderer (without one, PDF requests answer `pdf_unavailable`).
    pub fn with_renderer(mut self, renderer: Arc<dyn crate::model::PayslipRenderer>) -> Self {
        self.renderer = Some(renderer);
        self
    }

    fn store(&self) -> &dyn PayrollStore {
        self.ports.store.as_ref()
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ports.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.ports.clock.today()
    }

    fn event(&self, actor: &Actor, action: &str, subject_type: &str, id: impl ToString) -> AuditEvent {
        actor.audit(self.now(), action, subject_type).subject(id)
    }

    /// Append read events (a failure to audit a read of pay data fails the read).
    async fn audit_read(&self, events: &[AuditEvent]) -> R<()> {
        self.ports.audit.append(events).await.map_err(|e| PayrollError::Storage(e.to_string()))
    }

    async fn audit_denied(&self, actor: &Actor, action: &str, subject_type: &str, id: impl ToString) {
        let ev = self.event(actor, action, subject_type, id).outcome(Outcome::Denied);
        if let Err(e) = self.ports.audit.append(&[ev]).await {
            tracing::error!(error = %e, "audit append failed");
        }
    }

    // ------------------------------------------------------------------ access

    /// `permission` over `company` at `level` (see [`Level`]).
    fn company_access(&self, actor: &Actor, permission: Permission, company: CompanyId, level: Level) -> R<()> {
        match actor.authorize(permission)? {
            Scope::All => Ok(()),
            Scope::Limited(parts) => {
                let ok = parts.iter().any(|p| match p {
                    DataScope::All => true,
                    DataScope::Companies { companies } => companies.contains(&company),
                    DataScope::Subtrees { .. } => level != Level::Company,
                    DataScope::Own | DataScope::DirectReports => level == Level::Any,
                });
                if ok { Ok(()) } else { Err(PayrollError::Forbidden(Forbidden(permission))) }
            }
        }
    }

    /// True when `permission` reaches every employee of `company`.
    fn company_wide(actor: &Actor, permission: Permission, company: CompanyId) -> bool {
        match actor.authorize(permission) {
            Ok(Scope::All) => true,
            Ok(Scope::Limited(parts)) => parts.iter().any(|p| match p {
                DataScope::All => true,
                DataScope::Companies { companies } => companies.contains(&company),
                _ => false,
            }),
            Err(_) => false,
        }
    }

    async fn rows(&self, actor: &Actor, permission: Permission) -> R<RowScope> {
        self.ports.people.row_scope(actor, permission).await.map_err(people_err)
    }

    /// True when `rows` covers `employee` (own record included).
    async fn covers(&self, rows: &RowScope, employee: EmployeeId) -> R<bool> {
        if rows.all || rows.me == Some(employee) {
            return Ok(true);
        }
        if rows.is_empty() {
            return Ok(false);
        }
        Ok(!self.ports.people_store.in_scope(rows, &[employee]).await.map_err(people_err)?.is_empty())
    }

    /// True when `rows` covers `employee` other than as the reader's own record (HR, not self).
    async fn covers_as_other(&self, rows: &RowScope, employee: EmployeeId) -> R<bool> {
        let others = RowScope { me: None, ..rows.clone() };
        if others.all {
            return Ok(true);
        }
        if others.is_empty() {
            return Ok(false);
        }
        Ok(!self.ports.people_store.in_scope(&others, &[employee]).await.map_err(people_err)?.is_empty())
    }

    /// Authorise `permission` on one employee and return their company; outside the scope the
    /// employee does not exist for this actor (404).
    async fn guard_employee(&self, actor: &Actor, permission: Permission, employee: EmployeeId) -> R<CompanyId> {
        let rows = self.rows(actor, permission).await?;
        if !self.covers(&rows, employee).await? {
            self.audit_denied(actor, &format!("payroll.denied.{}", permission.as_str()), "employee", employee.0).await;
            return Err(PayrollError::EmployeeNotFound);
        }
        self.company_of(employee).await
    }

    async fn company_of(&self, employee: EmployeeId) -> R<CompanyId> {
        let (e, _, _) = self.ports.people_store.employee(employee).await.map_err(people_err)?;
        Ok(e.company_id)
    }

    /// The company a list is about: the one named, else the caller's own employer.
    async fn company_or_own(&self, actor: &Actor, company: Option<CompanyId>) -> R<CompanyId> {
        if let Some(c) = company {
            return Ok(c);
        }
        match actor.employee_id {
            Some(me) => self.company_of(me).await,
            None => Err(PayrollError::field("company_id", Msg::new("请指定单位。", "Name the company."))),
        }
    }

    /// True when the reader sees an employee's amounts in clear: their own record, or
    /// `SensitiveRead` over them.
    async fn clear_for(&self, actor: &Actor, employee: EmployeeId) -> R<bool> {
        if actor.employee_id == Some(employee) {
            return Ok(true);
        }
        if !actor.can(Permission::SensitiveRead) {
            return Ok(false);
        }
        let rows = self.rows(actor, Permission::SensitiveRead).await?;
        self.covers(&rows, employee).await
    }

    // ------------------------------------------------------------------ components

    /// The company's components; the defaults are created the first time a company is asked about.
    async fn components_of(&self, company: CompanyId) -> R<Vec<PayComponent>> {
        let found = self.store().components(company).await?;
        if !found.is_empty() {
            return Ok(found);
        }
        let defaults = crate::defaults::default_components(company);
        let ev = Actor::system()
            .audit(self.now(), "pay_component.seed", "pay_component")
            .subjects(defaults.iter().map(|c| c.id))
            .fields(["code", "kind", "category"]);
        for (i, c) in defaults.iter().enumerate() {
            let audit = if i == 0 { std::slice::from_ref(&ev) } else { &[] };
            match self.store().create_component(c, audit).await {
                // Another request seeded the same company meanwhile: theirs stand.
                Ok(()) | Err(PayrollError::DuplicateComponentCode(_)) => {}
                Err(e) => return Err(e),
            }
        }
        self.store().components(company).await
    }

    /// 薪资项目 of a company (default: the caller's).
    pub async fn components(&self, actor: &Actor, company: Option<CompanyId>) -> R<Vec<PayComponent>> {
        actor.authorize(Permission::PayrollRead)?;
        let company = self.company_or_own(actor, company).await?;
        self.company_access(actor, Permission::PayrollRead, company, Level::Any)?;
        self.components_of(company).await
    }

    pub async fn create_component(&self, actor: &Actor, input: NewPayComponent) -> R<PayComponent> {
        self.company_access(actor, Permission::PayrollWrite, input.company_id, Level::Company)?;
        let mut errors = FieldErrors::new();
        check_code(&input.code, &mut errors);
        check_name(&input.name, &mut errors);
        if !errors.is_empty() {
            return Err(PayrollError::Invalid(errors));
        }
        // Make sure the defaults exist first, so a company's first own component does not stop
        // them from ever being seeded.
        self.components_of(input.company_id).await?;
        let taxable_default = match input.kind {
            ComponentKind::Earning => input.category != ComponentCategory::TaxExempt,
            _ => false,
        };
        let c = PayComponent {
            id: Uuid::now_v7(),
            company_id: input.company_id,
            code: input.code.trim().to_string(),
            name: input.name.trim().to_string(),
            kind: input.kind,
            category: input.category,
            taxable: input.taxable.unwrap_or(taxable_default),
            on_payslip: input.on_payslip.unwrap_or(input.kind != ComponentKind::EmployerCost),
            description: clean(input.description),
            active: true,
        };
        let ev = self.event(actor, "pay_component.create", "pay_component", c.id).fields([
            "code",
            "name",
            "kind",
            "category",
            "taxable",
            "on_payslip",
        ]);
        self.store().create_component(&c, &[ev]).await?;
        Ok(c)
    }

    pub async fn update_component(&self, actor: &Actor, id: Uuid, patch: PayComponentUpdate) -> R<PayComponent> {
        actor.authorize(Permission::PayrollWrite)?;
        let mut c = self.store().component(id).await?;
        self.company_access(actor, Permission::PayrollWrite, c.company_id, Level::Company)?;
        let mut fields = Vec::new();
        if let Some(name) = patch.name {
            let mut errors = FieldErrors::new();
            check_name(&name, &mut errors);
            if !errors.is_empty() {
                return Err(PayrollError::Invalid(errors));
            }
            c.name = name.trim().to_string();
            fields.push("name");
        }
        if let Some(t) = patch.taxable {
            c.taxable = t;
            fields.push("taxable");
        }
        if let Some(p) = patch.on_payslip {
            c.on_payslip = p;
            fields.push("on_payslip");
        }
        if patch.description.is_some() {
            c.description = clean(patch.description);
            fields.push("description");
        }
        if let Some(a) = patch.active {
            c.active = a;
            fields.push("active");
        }
        let ev = self.event(actor, "pay_component.update", "pay_component", c.id).fields(fields);
        self.store().update_component(&c, &[ev]).await?;
        Ok(c)
    }

    // ------------------------------------------------------------------ structures

    async fn structures_of(&self, company: CompanyId) -> R<Vec<PayStructure>> {
        let found = self.store().structures(company).await?;
        if !found.is_empty() {
            return Ok(found);
        }
        // Before any salary could be paid under it (the IIT reform year).
        let since = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or(NaiveDate::MIN);
        self.components_of(company).await?;
        let s = crate::defaults::default_structure(company, since);
        let ev = Actor::system()
            .audit(self.now(), "pay_structure.seed", "pay_structure")
            .subject(s.id)
            .fields(["code", "items"]);
        match self.store().create_structure(&s, &[ev]).await {
            Ok(()) | Err(PayrollError::DuplicateStructureCode(_)) => {}
            Err(e) => return Err(e),
        }
        self.store().structures(company).await
    }

    /// 薪资结构 of a company (default: the caller's); a standard one is created on first use.
    pub async fn structures(&self, actor: &Actor, company: Option<CompanyId>) -> R<Vec<PayStructure>> {
        actor.authorize(Permission::PayrollRead)?;
        let company = self.company_or_own(actor, company).await?;
        self.company_access(actor, Permission::PayrollRead, company, Level::Any)?;
        self.structures_of(company).await
    }

    pub async fn structure(&self, actor: &Actor, id: Uuid) -> R<PayStructure> {
        actor.authorize(Permission::PayrollRead)?;
        let s = self.store().structure(id).await?;
        self.company_access(actor, Permission::PayrollRead, s.company_id, Level::Any)
            .map_err(|_| PayrollError::StructureNotFound)?;
        Ok(s)
    }

    async fn check_structure(&self, s: &PayStructure) -> R<()> {
        let mut errors = FieldErrors::new();
        check_code(&s.code, &mut errors);
        check_name(&s.name, &mut errors);
        if s.items.is_empty() {
            errors.add("items", Msg::new("薪资结构至少包含一个项目。", "A structure needs at least one item."));
        }
        if s.valid_to.is_some_and(|to| to <= s.valid_from) {
            errors.add("valid_to", Msg::new("失效日期须晚于生效日期。", "The end date must be after the start date."));
        }
        if !errors.is_empty() {
            return Err(PayrollError::Invalid(errors));
        }
        let components = self.components_of(s.company_id).await?;
        crate::formula::validate_structure(s, &components).map_err(PayrollError::FormulaInvalid)
    }

    pub async fn create_structure(&self, actor: &Actor, input: NewPayStructure) -> R<PayStructure> {
        self.company_access(actor, Permission::PayrollWrite, input.company_id, Level::Company)?;
        let s = PayStructure {
            id: Uuid::now_v7(),
            company_id: input.company_id,
            code: input.code.trim().to_string(),
            name: input.name.trim().to_string(),
            grades: input.grades,
            position_ids: input.position_ids,
            items: input.items,
            valid_from: input.valid_from,
            valid_to: input.valid_to,
            version: 1,
        };
        self.check_structure(&s).await?;
        let ev = self.event(actor, "pay_structure.create", "pay_structure", s.id).fields(["code", "name", "items"]);
        self.store().create_structure(&s, &[ev]).await?;
        Ok(s)
    }

    pub async fn update_structure(&self, actor: &Actor, id: Uuid, patch: PayStructureUpdate) -> R<PayStructure> {
        actor.authorize(Permission::PayrollWrite)?;
        let mut s = self.store().structure(id).await?;
        self.company_access(actor, Permission::PayrollWrite, s.company_id, Level::Company)
            .map_err(|_| PayrollError::StructureNotFound)?;
        if patch.version != s.version {
            return Err(PayrollError::PayrollConflict);
        }
        let mut fields = Vec::new();
        if let Some(n) = patch.name {
            s.name = n.trim().to_string();
            fields.push("name");
        }
        if let Some(g) = patch.grades {
            s.grades = g;
            fields.push("grades");
        }
        if let Some(p) = patch.position_ids {
            s.position_ids = p;
            fields.push("position_ids");
        }
        if let Some(i) = patch.items {
            s.items = i;
            fields.push("items");
        }
        if patch.valid_to.is_some() {
            s.valid_to = patch.valid_to;
            fields.push("valid_to");
        }
        self.check_structure(&s).await?;
        let expected = s.version;
        s.version += 1;
        let ev = self.event(actor, "pay_structure.update", "pay_structure", s.id).fields(fields);
        self.store().update_structure(&s, expected, &[ev]).await?;
        Ok(s)
    }

    // ------------------------------------------------------------------ salary assignments

    /// An employee's salary history, oldest first: in clear for the employee and for readers with
    /// `SensitiveRead` over them (audited), masked otherwise.
    pub async fn salary_history(&self, actor: &Actor, employee: EmployeeId) -> R<Vec<SalaryAssignmentView>> {
        let company = self.guard_employee(actor, Permission::PayrollRead, employee).await?;
        let history = self.store().salary_history(employee).await?;
        let clear = self.clear_for(actor, employee).await?;
        if clear && !history.is_empty() {
            let ev = self.event(actor, "payroll.salary.read", "employee", employee.0).fields([
                "base_salary",
                "fixed",
                "si_base",
                "hf_base",
            ]);
            self.audit_read(&[ev]).await?;
        }
        let names = self.structure_names(company).await?;
        Ok(history.iter().map(|a| salary_view(a, names.get(&a.structure_id).cloned(), !clear)).collect())
    }

    async fn structure_names(&self, company: CompanyId) -> R<HashMap<Uuid, String>> {
        Ok(self.store().structures(company).await?.into_iter().map(|s| (s.id, s.name)).collect())
    }

    /// A new salary from `valid_from` (the open one closes the day before).
    pub async fn add_salary(
        &self,
        actor: &Actor,
        employee: EmployeeId,
        input: NewSalaryAssignment,
    ) -> R<SalaryAssignmentView> {
        let company = self.guard_employee(actor, Permission::PayrollWrite, employee).await?;
        self.company_access(actor, Permission::PayrollWrite, company, Level::Visible)?;
        let structure = match self.store().structure(input.structure_id).await {
            Ok(s) if s.company_id == company => Some(s),
            Ok(_) | Err(PayrollError::StructureNotFound) => None,
            Err(e) => return Err(e),
        };
        let mut errors = FieldErrors::new();
        if structure.is_none() {
            errors.add(
                "structure_id",
                Msg::new("薪资结构不存在或不属于该员工所在单位。", "No such structure in the employee's company."),
            );
        }
        check_amount("base_salary", input.base_salary, &mut errors);
        let components = self.components_of(company).await?;
        for (code, amount) in &input.fixed {
            if !components.iter().any(|c| &c.code == code) {
                errors.add(
                    format!("fixed.{code}"),
                    Msg::new(format!("薪资项目 {code} 不存在。"), format!("No pay component {code}.")),
                );
            }
            check_amount(&format!("fixed.{code}"), *amount, &mut errors);
        }
        check_amount("si.si_base", input.si.si_base, &mut errors);
        if let Some(hf) = input.si.hf_base {
            check_amount("si.hf_base", hf, &mut errors);
        }
        for (field, rate) in
            [("si.hf_rate_employee", input.si.hf_rate_employee), ("si.hf_rate_employer", input.si.hf_rate_employer)]
        {
            if rate.is_some_and(|r| r < Decimal::ZERO || r > Decimal::ONE) {
                errors.add(
                    field,
                    Msg::new("比例须在 0 至 1 之间（如 0.12）。", "A rate is between 0 and 1 (e.g. 0.12)."),
                );
            }
        }
        if input.si.si_enrolled || input.si.hf_enrolled {
            let policies = self.all_policies().await?;
            if !policies.iter().any(|p| p.city == input.si.city) {
                errors.add(
                    "si.city",
                    Msg::new(
                        format!("没有城市 {} 的社保公积金政策。", input.si.city),
                        format!("No SI/HF policy for {}.", input.si.city),
                    ),
                );
            }
        }
        if !errors.is_empty() {
            return Err(PayrollError::Invalid(errors));
        }
        let a = SalaryAssignment {
            id: Uuid::now_v7(),
            employee_id: employee,
            company_id: company,
            structure_id: input.structure_id,
            base_salary: input.base_salary,
            fixed: input.fixed,
            si: input.si,
            valid_from: input.valid_from,
            valid_to: None,
            reason: clean(input.reason),
            created_by: actor.user_id,
            created_at: self.now(),
        };
        let ev = self.event(actor, "payroll.salary.add", "employee", employee.0).subject(a.id).fields([
            "structure_id",
            "base_salary",
            "fixed",
            "si",
            "valid_from",
            "reason",
        ]);
        self.store().add_salary_assignment(&a, &[ev]).await?;
        let clear = self.clear_for(actor, employee).await?;
        let name = structure.map(|s| s.name);
        Ok(salary_view(&a, name, !clear))
    }

    // ------------------------------------------------------------------ SI / HF

    /// Built-in policies and those administrators entered.
    async fn all_policies(&self) -> R<Vec<SiPolicy>> {
        let mut all = si::builtin_policies();
        all.extend(self.store().si_policies().await?);
        Ok(all)
    }

    /// The policy of each city in force on `day` (an entered one wins over a built-in one that
    /// starts the same day).
    fn policies_on(all: &[SiPolicy], day: NaiveDate) -> Vec<SiPolicy> {
        let mut by_city: HashMap<&str, &SiPolicy> = HashMap::new();
        for p in all.iter().filter(|p| p.valid_from <= day && p.valid_to.is_none_or(|to| to > day)) {
            match by_city.get(p.city.as_str()) {
                Some(q) if q.valid_from > p.valid_from => {}
                _ => {
                    by_city.insert(p.city.as_str(), p);
                }
            }
        }
        let mut out: Vec<SiPolicy> = by_city.into_values().cloned().collect();
        out.sort_by(|a, b| a.city.cmp(&b.city));
        out
    }

    pub async fn si_policies(&self, actor: &Actor) -> R<Vec<SiPolicy>> {
        actor.authorize(Permission::PayrollRead)?;
        let mut all = self.all_policies().await?;
        all.sort_by(|a, b| a.city.cmp(&b.city).then(b.valid_from.cmp(&a.valid_from)));
        Ok(all)
    }

    /// Enter a city's policy (checked: floors ≤ caps, rates in range, a source).
    pub async fn add_si_policy(&self, actor: &Actor, mut policy: SiPolicy) -> R<SiPolicy> {
        match actor.authorize(Permission::PayrollWrite)? {
            Scope::All => {}
            // Policies are shared by every company: only a payroll administrator over everything.
            Scope::Limited(_) => return Err(PayrollError::Forbidden(Forbidden(Permission::PayrollWrite))),
        }
        policy.city = policy.city.trim().to_lowercase();
        policy.confidence = "admin".into();
        si::validate_policy(&policy).map_err(PayrollError::Invalid)?;
        let ev = self
            .event(actor, "si_policy.add", "si_policy", format!("{}:{}", policy.city, policy.valid_from))
            .fields(["items", "valid_from", "valid_to", "source_url"]);
        self.store().add_si_policy(&policy, &[ev]).await?;
        Ok(policy)
    }

    /// Each line for employee and employer on a base, for the console's calculator.
    pub async fn si_preview(&self, actor: &Actor, req: SiPreviewRequest) -> R<SiPreview> {
        actor.authorize(Permission::PayrollRead)?;
        let month = Month::parse(&req.month)
            .ok_or_else(|| PayrollError::field("month", Msg::new("月份格式为 YYYY-MM。", "Use YYYY-MM.")))?;
        let mut errors = FieldErrors::new();
        check_amount("si_base", req.si_base, &mut errors);
        if let Some(hf) = req.hf_base {
            check_amount("hf_base", hf, &mut errors);
        }
        if !errors.is_empty() {
            return Err(PayrollError::Invalid(errors));
        }
        let city = req.city.trim().to_lowercase();
        let all = self.all_policies().await?;
        let policy = si::policy_for(&all, &city, month.first()).cloned().ok_or(PayrollError::SiPolicyNotFound(city))?;
        let bases = si::SiBases {
            si_base: req.si_base,
            hf_base: req.hf_base,
            hf_rate_employee: req.hf_rate_employee,
            hf_rate_employer: req.hf_rate_employer,
            si_enrolled: true,
            hf_enrolled: true,
        };
        let r = si::contributions(&policy, &bases).map_err(PayrollError::Invalid)?;
        Ok(SiPreview {
            employee_total: r.employee_si + r.employee_hf,
            employer_total: r.employer_si + r.employer_hf,
            policy,
            lines: r.lines,
            employee_si: r.employee_si,
            employer_si: r.employer_si,
            employee_hf: r.employee_hf,
            employer_hf: r.employer_hf,
            deductible: r.deductible,
        })
    }

    // ------------------------------------------------------------------ tax profile, declarations

    pub async fn tax_profile(&self, actor: &Actor, employee: EmployeeId, year: i32) -> R<TaxProfile> {
        self.guard_employee(actor, Permission::PayrollRead, employee).await?;
        check_year(year)?;
        Ok(self.store().tax_profile(employee, year).await?.unwrap_or(TaxProfile {
            employee_id: employee,
            year,
            rule: crate::iit::WithholdingRule::Standard,
            merge_annual_bonus: false,
        }))
    }

    pub async fn set_tax_profile(
        &self,
        actor: &Actor,
        employee: EmployeeId,
        year: i32,
        input: TaxProfileInput,
    ) -> R<TaxProfile> {
        self.guard_employee(actor, Permission::PayrollWrite, employee).await?;
        check_year(year)?;
        let p =
            TaxProfile { employee_id: employee, year, rule: input.rule, merge_annual_bonus: input.merge_annual_bonus };
        let ev = self.event(actor, "payroll.tax_profile.set", "employee", employee.0).fields([
            "year",
            "rule",
            "merge_annual_bonus",
        ]);
        self.store().set_tax_profile(&p, &[ev]).await?;
        Ok(p)
    }

    fn me(actor: &Actor) -> R<EmployeeId> {
        actor.employee_id.ok_or(PayrollError::NoEmployeeRecord)
    }

    /// My declarations of a year (default: this year).
    pub async fn my_declarations(&self, actor: &Actor, year: Option<i32>) -> R<Vec<DeductionDeclaration>> {
        actor.authorize(Permission::PayrollRead)?;
        let me = Self::me(actor)?;
        let year = year.unwrap_or(self.today().year());
        check_year(year)?;
        self.store().declarations(me, year).await
    }

    /// Declare a special additional deduction for myself; the monthly amount is derived by the
    /// rules from what I declare, and combinations are checked against my other declarations.
    pub async fn declare(&self, actor: &Actor, input: NewDeclaration) -> R<DeductionDeclaration> {
        actor.authorize(Permission::PayrollRead)?;
        let me = Self::me(actor)?;
        let this_year = self.today().year();
        if input.year < this_year - 1 || input.year > this_year + 1 {
            return Err(PayrollError::field(
                "year",
                Msg::new(
                    format!("只能申报 {} 至 {} 年度。", this_year - 1, this_year + 1),
                    format!("Declarations are for {} to {}.", this_year - 1, this_year + 1),
                ),
            ));
        }
        let existing = self.store().declarations(me, input.year).await?;
        let mut monthly_amount = crate::money::round_fen(
            crate::iit::validate_declarations(&existing, &input).map_err(PayrollError::Invalid)?,
        );
        // Published amounts carry two decimals ("2000.00").
        monthly_amount.rescale(2);
        let mut details = input.details;
        details.note = clean(details.note);
        let d = DeductionDeclaration {
            id: Uuid::now_v7(),
            employee_id: me,
            year: input.year,
            kind: input.kind,
            details,
            start_month: input.start_month,
            end_month: input.end_month,
            monthly_amount,
            status: DeclarationStatus::Active,
            declared_at: self.now(),
        };
        let ev = self.event(actor, "payroll.declaration.add", "deduction_declaration", d.id).subject(me.0).fields([
            "year",
            "kind",
            "details",
            "start_month",
            "end_month",
        ]);
        self.store().add_declaration(&d, &[ev]).await?;
        Ok(d)
    }

    pub async fn withdraw_declaration(&self, actor: &Actor, id: Uuid) -> R<()> {
        actor.authorize(Permission::PayrollRead)?;
        let me = Self::me(actor)?;
        let ev = self
            .event(actor, "payroll.declaration.withdraw", "deduction_declaration", id)
            .subject(me.0)
            .fields(["status"]);
        self.store().withdraw_declaration(me, id, &[ev]).await
    }

    /// An employee's declarations of a year, for HR.
    pub async fn employee_declarations(
        &self,
        actor: &Actor,
        employee: EmployeeId,
        year: Option<i32>,
    ) -> R<Vec<DeductionDeclaration>> {
        self.guard_employee(actor, Permission::PayrollRead, employee).await?;
        let year = year.unwrap_or(self.today().year());
        check_year(year)?;
        let found = self.store().declarations(employee, year).await?;
        if actor.employee_id != Some(employee) && !found.is_empty() {
            let ev = self.event(actor, "payroll.declaration.read", "employee", employee.0).fields(["details"]);
            self.audit_read(&[ev]).await?;
        }
        Ok(found)
    }

    // ------------------------------------------------------------------ adjustments

    pub async fn create_adjustment(&self, actor: &Actor, input: NewAdjustment) -> R<PayAdjustment> {
        let company = self.guard_employee(actor, Permission::PayrollWrite, input.employee_id).await?;
        self.company_access(actor, Permission::PayrollWrite, company, Level::Visible)?;
        let mut errors = FieldErrors::new();
        if Month::parse(&input.period).is_none() {
            errors.add("period", Msg::new("期间格式为 YYYY-MM。", "The period is YYYY-MM."));
        }
        if input.amount.is_zero() || input.amount.scale() > 2 {
            errors.add(
                "amount",
                Msg::new("金额不能为 0，最多两位小数。", "A non-zero amount with at most two decimals."),
            );
        }
        if input.reason.trim().is_empty() {
            errors.add("reason", Msg::new("请填写调整原因。", "Give a reason."));
        }
        let components = self.components_of(company).await?;
        if !components.iter().any(|c| c.code == input.component_code && c.active) {
            errors.add(
                "component_code",
                Msg::new(
                    format!("薪资项目 {} 不存在或已停用。", input.component_code),
                    format!("No active pay component {}.", input.component_code),
                ),
            );
        }
        if let Some(run_id) = input.corrects_run_id {
            match self.store().run(run_id).await {
                Ok(r) if r.company_id == company && r.status.is_locked() => {}
                Ok(_) | Err(PayrollError::PayRunNotFound) => errors.add(
                    "corrects_run_id",
                    Msg::new(
                        "更正对象须为本单位已锁定的薪资批次。",
                        "Corrections refer to a locked run of the company.",
                    ),
                ),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(PayrollError::Invalid(errors));
        }
        let a = PayAdjustment {
            id: Uuid::now_v7(),
            employee_id: input.employee_id,
            company_id: company,
            period: input.period,
            component_code: input.component_code,
            amount: input.amount,
            reason: input.reason.trim().to_string(),
            corrects_run_id: input.corrects_run_id,
            status: AdjustmentStatus::Open,
            applied_run_id: None,
            created_by: actor.user_id,
            created_at: self.now(),
        };
        let ev = self
            .event(actor, "payroll.adjustment.create", "pay_adjustment", a.id)
            .subject(a.employee_id.0)
            .fields(["period", "component_code", "amount", "reason", "corrects_run_id"]);
        self.store().create_adjustment(&a, &[ev]).await?;
        Ok(a)
    }

    pub async fn adjustments(
        &self,
        actor: &Actor,
        company: Option<CompanyId>,
        period: Option<String>,
        page: PageRequest,
    ) -> R<Page<PayAdjustment>> {
        actor.authorize(Permission::PayrollRead)?;
        let company = self.company_or_own(actor, company).await?;
        if let Some(p) = &period
            && Month::parse(p).is_none()
        {
            return Err(PayrollError::field("period", Msg::new("期间格式为 YYYY-MM。", "The period is YYYY-MM.")));
        }
        let mut found = self.store().adjustments(company, period.as_deref(), page).await?;
        if !Self::company_wide(actor, Permission::PayrollRead, company) {
            // A narrower grant sees the rows of its own employees on the page (the total then
            // counts only those).
            let rows = self.rows(actor, Permission::PayrollRead).await?;
            let ids: Vec<EmployeeId> = found.items.iter().map(|a| a.employee_id).collect();
            let visible: HashSet<EmployeeId> = if rows.is_empty() {
                HashSet::new()
            } else {
                self.ports.people_store.in_scope(&rows, &ids).await.map_err(people_err)?.into_iter().collect()
            };
            found.items.retain(|a| visible.contains(&a.employee_id) || rows.me == Some(a.employee_id));
            found.total = found.items.len() as u64;
        }
        Ok(found)
    }

    /// Cancel an open adjustment. Adjustments are company-wide records without a by-id read in
    /// the store port, so this takes `PayrollWrite` over a whole company or everything.
    pub async fn cancel_adjustment(&self, actor: &Actor, id: Uuid) -> R<PayAdjustment> {
        match actor.authorize(Permission::PayrollWrite)? {
            Scope::All => {}
            Scope::Limited(parts) if parts.iter().any(|p| matches!(p, DataScope::Companies { .. })) => {}
            Scope::Limited(_) => return Err(PayrollError::Forbidden(Forbidden(Permission::PayrollWrite))),
        }
        let ev = self.event(actor, "payroll.adjustment.cancel", "pay_adjustment", id).fields(["status"]);
        self.store().cancel_adjustment(id, &[ev]).await
    }

    // ------------------------------------------------------------------ runs

    pub async fn create_run(&self, actor: &Actor, input: NewPayRun) -> R<PayRun> {
        self.company_access(actor, Permission::PayrollWrite, input.company_id, Level::Company)?;
        let mut errors = FieldErrors::new();
        let month = Month::parse(input.period.trim());
        match month {
            None => errors.add("period", Msg::new("期间格式为 YYYY-MM。", "The period is YYYY-MM.")),
            Some(m) => {
                let latest = m.first().checked_add_months(chrono::Months::new(3)).unwrap_or(m.last());
                if input.pay_date < m.first() || input.pay_date > latest {
                    errors.add(
                        "pay_date",
                        Msg::new(
                            "发薪日须在该期间首日之后、三个月之内。",
                            "The pay date is on or after the period's first day, within three months.",
                        ),
                    );
                }
            }
        }
        if !errors.is_empty() {
            return Err(PayrollError::Invalid(errors));
        }
        let period = input.period.trim().to_string();
        let company_name = self.store().company_name(input.company_id).await?;
        let name = clean(input.name).unwrap_or_else(|| format!("{period} 工资（{company_name}）"));
        let run = PayRun {
            id: Uuid::now_v7(),
            company_id: input.company_id,
            period,
            name,
            scope: input.scope,
            pay_date: input.pay_date,
            status: PayRunStatus::Draft,
            totals: RunTotals::default(),
            preparer: actor.user_id,
            approved_by: None,
            created_at: self.now(),
            computed_at: None,
            locked_at: None,
            published_at: None,
            approval_id: None,
            digest: None,
            version: 1,
        };
        let ev = self.event(actor, "pay_run.create", "pay_run", run.id).fields(["period", "scope", "pay_date"]);
        self.store().create_run(&run, &[ev]).await?;
        Ok(run)
    }

    pub async fn runs(&self, actor: &Actor, company: Option<CompanyId>, page: PageRequest) -> R<Page<PayRun>> {
        let scope = actor.authorize(Permission::PayrollRead)?;
        let none = Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page };
        if let Some(c) = company {
            if self.company_access(actor, Permission::PayrollRead, c, Level::Visible).is_err() {
                return Ok(none);
            }
            return self.store().runs(Some(c), page).await;
        }
        match scope {
            Scope::All => self.store().runs(None, page).await,
            Scope::Limited(parts) => {
                let companies: Vec<CompanyId> = parts
                    .iter()
                    .flat_map(|p| match p {
                        DataScope::Companies { companies } => companies.clone(),
                        _ => Vec::new(),
                    })
                    .collect();
                match companies.as_slice() {
                    [one] => self.store().runs(Some(*one), page).await,
                    [] if parts.iter().any(|p| matches!(p, DataScope::Subtrees { .. })) => {
                        self.store().runs(None, page).await
                    }
                    // An employee's own grant: runs are company documents, none of them theirs.
                    [] => Ok(none),
                    _ => Err(PayrollError::field("company_id", Msg::new("请指定单位。", "Name the company."))),
                }
            }
        }
    }

    /// A run the actor may read (runs of companies outside the grant do not exist for them).
    async fn readable_run(&self, actor: &Actor, id: Uuid) -> R<PayRun> {
        actor.authorize(Permission::PayrollRead)?;
        let run = self.store().run(id).await?;
        self.company_access(actor, Permission::PayrollRead, run.company_id, Level::Visible)
            .map_err(|_| PayrollError::PayRunNotFound)?;
        Ok(run)
    }

    /// A run the actor may change: `PayrollWrite` over its whole company.
    async fn writable_run(&self, actor: &Actor, id: Uuid) -> R<PayRun> {
        actor.authorize(Permission::PayrollWrite)?;
        let run = self.store().run(id).await?;
        if self.company_access(actor, Permission::PayrollRead, run.company_id, Level::Visible).is_err() {
            return Err(PayrollError::PayRunNotFound);
        }
        self.company_access(actor, Permission::PayrollWrite, run.company_id, Level::Company)?;
        Ok(run)
    }

    pub async fn run(&self, actor: &Actor, id: Uuid) -> R<PayRun> {
        self.readable_run(actor, id).await
    }

    /// Compute (or recompute) a run: every input read in bulk, one pure computation spread over
    /// every core off the async executor, one transaction writing every item, the totals and the
    /// digest. A crash before the commit leaves the run as it was. Employees who cannot be
    /// computed become error items and rows of the report; the rest still computes.
    pub async fn compute(&self, actor: &Actor, id: Uuid) -> R<ComputeReport> {
        let started = std::time::Instant::now();
        let run = self.writable_run(actor, id).await?;
        if !matches!(run.status, PayRunStatus::Draft | PayRunStatus::Computed) {
            return Err(PayrollError::PayRunWrongStatus(run.status.as_str()));
        }
        let month = Month::parse(&run.period)
            .ok_or_else(|| PayrollError::Storage(format!("pay run {} has a malformed period", run.id)))?;
        let (first, last) = (month.first(), month.last());
        let rows = self.rows(actor, Permission::PayrollWrite).await?;
        let people = self.store().population(run.company_id, first, last, &run.scope, &rows).await?;
        let ids: Vec<EmployeeId> = people.iter().map(|p| p.employee_id).collect();

        let wanted: Vec<(EmployeeId, NaiveDate)> = people.iter().map(|p| (p.employee_id, p.employed_to)).collect();
        let mut salaries = self.store().salaries_on(&wanted).await?;
        let mut attendance: HashMap<EmployeeId, bole_time::attendance::MonthlySummary> = self
            .ports
            .attendance
            .monthly_summaries(actor, month, SummaryFilter::default())
            .await
            .map_err(attendance_err)?
            .into_iter()
            .filter(|s| s.company_id == run.company_id)
            .map(|s| (s.employee_id, s))
            .collect();
        let mut ytd = self.store().year_to_date(run.company_id, month.year, &run.period, &ids).await?;
        let mut declarations: HashMap<EmployeeId, Vec<DeductionDeclaration>> = HashMap::new();
        for d in self.store().declarations_for(month.year, &ids).await? {
            declarations.entry(d.employee_id).or_default().push(d);
        }
        let mut profiles: HashMap<EmployeeId, TaxProfile> =
            self.store().tax_profiles(month.year, &ids).await?.into_iter().map(|p| (p.employee_id, p)).collect();
        let mut adjustments: HashMap<EmployeeId, Vec<PayAdjustment>> = HashMap::new();
        for a in self.store().open_adjustments(run.company_id, &run.period).await? {
            adjustments.entry(a.employee_id).or_default().push(a);
        }

        let calendar = self
            .ports
            .calendars
            .calendar_for(run.company_id)
            .await
            .map_err(|e| PayrollError::Storage(format!("calendar: {e}")))?;
        let mut days = Vec::with_capacity(31);
        let mut day = first;
        while day <= last {
            let kind = calendar.day_kind(day).map_err(|_| {
                PayrollError::field(
                    "period",
                    Msg::new(
                        format!("工作日历尚未覆盖 {} 年，请先在“工作日历”中录入。", month.year),
                        format!("The work calendar does not cover {} yet; enter it first.", month.year),
                    ),
                )
            })?;
            days.push((day, kind));
            day = day + Days::new(1);
        }
        let ctx = RunContext {
            company_id: run.company_id,
            period: run.period.clone(),
            year: month.year,
            month: month.month,
            first_day: first,
            last_day: last,
            days,
            components: self.components_of(run.company_id).await?,
            structures: self.structures_of(run.company_id).await?,
            si_policies: Self::policies_on(&self.all_policies().await?, first),
        };
        let compiled = compute::prepare(ctx)?;
        let inputs: Vec<EmployeeInput> = people
            .into_iter()
            .map(|person| {
                let e = person.employee_id;
                EmployeeInput {
                    salary: salaries.remove(&e),
                    attendance: attendance.remove(&e),
                    ytd: ytd.remove(&e).unwrap_or_default(),
                    declarations: declarations.remove(&e).unwrap_or_default(),
                    tax_profile: profiles.remove(&e),
                    adjustments: adjustments.remove(&e).unwrap_or_default(),
                    person,
                }
            })
            .collect();
        let (inputs, results) = off_executor(move || {
            let results = compute::compute_all(&compiled, &inputs);
            (inputs, results)
        })
        .await?;

        let mut items = Vec::with_capacity(inputs.len());
        let mut errors = Vec::new();
        for (input, result) in inputs.into_iter().zip(results) {
            let p = input.person;
            let (status, error, payslip) = match result {
                Ok(slip) => (ItemStatus::Ok, None, Some(slip)),
                Err(e) => {
                    errors.push(ComputeErrorRow {
                        employee_id: p.employee_id,
                        employee_no: p.employee_no.clone(),
                        employee_name: p.employee_name.clone(),
                        error: e.clone(),
                    });
                    (ItemStatus::Error, Some(e), None)
                }
            };
            items.push(PayRunItem {
                id: Uuid::now_v7(),
                run_id: run.id,
                employee_id: p.employee_id,
                employee_no: p.employee_no,
                employee_name: p.employee_name,
                org_unit_id: p.org_unit_id,
                status,
                error,
                payslip,
            });
        }
        let digest = compute::digest(&items);
        let totals = compute::totals(&items);
        let employees = u32::try_from(items.len()).unwrap_or(u32::MAX);
        let ev = self
            .event(actor, "pay_run.compute", "pay_run", run.id)
            .fields([format!("employees={employees}"), format!("errors={}", errors.len())]);
        let computation = Computation {
            run_id: run.id,
            expected_version: run.version,
            items,
            totals: totals.clone(),
            digest: digest.clone(),
            computed_at: self.now(),
            audit: vec![ev],
        };
        self.store().save_computation(&computation).await?;
        let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(run.id = %run.id, employees, errors = errors.len(), millis, "pay run computed");
        Ok(ComputeReport {
            run_id: run.id,
            employees,
            computed: employees - u32::try_from(errors.len()).unwrap_or(0),
            errors,
            totals,
            digest,
            millis,
        })
    }

    /// One page of a run's items, limited to the employees the reader's `PayrollRead` reaches.
    pub async fn items(
        &self,
        actor: &Actor,
        id: Uuid,
        status: Option<ItemStatus>,
        search: Option<String>,
        page: PageRequest,
    ) -> R<Page<PayRunItem>> {
        let run = self.readable_run(actor, id).await?;
        let rows = self.rows(actor, Permission::PayrollRead).await?;
        let filter = ItemFilter {
            scope: (!rows.all).then_some(rows),
            status,
            search: search.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        };
        let found = self.store().items(run.id, &filter, page).await?;
        let ev =
            self.event(actor, "pay_run.items.read", "pay_run", run.id).fields([format!("items={}", found.items.len())]);
        self.audit_read(&[ev]).await?;
        Ok(found)
    }

    /// This run against the company's last locked run: differences and anomaly flags.
    pub async fn review(&self, actor: &Actor, id: Uuid) -> R<PayRunReview> {
        let run = self.readable_run(actor, id).await?;
        let rows_scope = self.rows(actor, Permission::PayrollRead).await?;
        let mut items = self.store().all_items(run.id).await?;
        let previous = self.store().previous_run(run.company_id, &run.period).await?;
        let mut before = match &previous {
            Some(p) => self.store().all_items(p.id).await?,
            None => Vec::new(),
        };
        if !rows_scope.all {
            let ids: Vec<EmployeeId> =
                items.iter().chain(before.iter()).map(|i| i.employee_id).collect::<HashSet<_>>().into_iter().collect();
            let visible: HashSet<EmployeeId> =
                self.ports.people_store.in_scope(&rows_scope, &ids).await.map_err(people_err)?.into_iter().collect();
            items.retain(|i| visible.contains(&i.employee_id));
            before.retain(|i| visible.contains(&i.employee_id));
        }
        let rows = review_rows(&items, previous.as_ref().map(|_| before.as_slice()));
        let flagged = u32::try_from(rows.iter().filter(|r| !r.anomalies.is_empty()).count()).unwrap_or(u32::MAX);
        let ev = self.event(actor, "pay_run.review", "pay_run", run.id).fields([format!("rows={}", rows.len())]);
        self.audit_read(&[ev]).await?;
        Ok(PayRunReview {
            previous_run_id: previous.as_ref().map(|p| p.id),
            previous_period: previous.map(|p| p.period),
            run,
            rows,
            flagged,
        })
    }

    /// Submit a computed run for approval. The approval's subject is the submitter's own employee
    /// record (approvers are resolved relative to it, and its accounts never approve); the
    /// workflow tables reference employees, so an account without an employee record cannot
    /// submit (`no_employee_record`).
    pub async fn submit(&self, actor: &Actor, id: Uuid, input: SubmitRun) -> R<PayRun> {
        let run = self.writable_run(actor, id).await?;
        if run.status != PayRunStatus::Computed {
            return Err(PayrollError::PayRunWrongStatus(run.status.as_str()));
        }
        if run.totals.errors > 0 && !input.acknowledge_errors {
            return Err(PayrollError::PayRunHasErrors(run.totals.errors));
        }
        let subject = Self::me(actor)?;
        // An earlier round: a returned approval restarts (same instance, same requester); a
        // rejected or withdrawn one is closed for good, so the new round is a new approval
        // document. `fields.run_id` names the run in every round.
        let previous = match run.approval_id {
            Some(instance) => Some(self.workflow.instance(&Actor::system(), instance).await?),
            None => None,
        };
        let returned = previous.as_ref().filter(|p| p.status == InstanceStatus::Returned);
        let doc_id = match (&previous, returned) {
            (_, Some(p)) => p.doc.doc_id,
            (None, None) => run.id,
            (Some(_), None) => Uuid::now_v7(),
        };
        let submission = Submission {
            doc: DocumentRef { doc_type: PAY_RUN_DOC.into(), doc_id, subject },
            requester: actor.user_id,
            fields: serde_json::json!({
                "run_id": run.id,
                "company_id": run.company_id,
                "period": run.period,
                "headcount": run.totals.headcount,
                "errors": run.totals.errors,
            }),
            title: format!("薪资审批：{}（{} 人）", run.name, run.totals.headcount),
        };
        let t = match returned {
            Some(p) => self.workflow.plan_resubmit(actor, &p.doc, submission).await?,
            None => self.workflow.plan_start(actor, submission).await?,
        };
        if t.status != InstanceStatus::Pending {
            // Every step passed without anyone deciding: nobody but the preparer would have approved.
            return Err(PayrollError::Workflow(bole_workflow::WorkflowError::ApproverUnresolved("薪资审批".into())));
        }
        let mut fields = vec!["status".to_string()];
        if run.totals.errors > 0 {
            fields.push(format!("errors_left_out={}", run.totals.errors));
        }
        let ev = self.event(actor, "pay_run.submit", "pay_run", run.id).fields(fields);
        self.store().submit_run(run.id, run.version, &t, &[ev]).await?;
        self.store().run(run.id).await
    }

    /// Approve, reject or return a submitted run: the actor's open task on its approval. The
    /// preparer is refused first (403 `pay_run_self_approval`, audited as denied).
    pub async fn decide(&self, actor: &Actor, id: Uuid, action: DecisionAction, comment: Option<String>) -> R<PayRun> {
        let run = self.readable_run(actor, id).await?;
        let verb = match action {
            DecisionAction::Approve => "approve",
            DecisionAction::Reject => "reject",
            DecisionAction::Return => "return",
        };
        if run.preparer == actor.user_id {
            self.audit_denied(actor, &format!("pay_run.{verb}"), "pay_run", run.id).await;
            return Err(PayrollError::SelfApproval);
        }
        if run.status != PayRunStatus::PendingApproval {
            return Err(PayrollError::PayRunWrongStatus(run.status.as_str()));
        }
        let instance = match run.approval_id {
            Some(id) => match self.workflow.instance(actor, id).await {
                Ok(view) => Some(view),
                // Not a participant: no task of theirs to decide.
                Err(bole_workflow::WorkflowError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let open: Vec<_> = instance
            .map(|i| i.tasks.into_iter().filter(|t| t.status == TaskStatus::Open).collect())
            .unwrap_or_default();
        // My own task first; otherwise one I may hold by delegation (the engine decides).
        let mut candidates: Vec<Uuid> = open.iter().filter(|t| t.assignee_id == actor.user_id).map(|t| t.id).collect();
        candidates.extend(open.iter().filter(|t| t.assignee_id != actor.user_id).map(|t| t.id));
        for task in candidates {
            let decision = Decision { action, comment: clean(comment.clone()) };
            match self.workflow.decide(actor, task, decision).await {
                Ok(_) => return self.store().run(run.id).await,
                Err(bole_workflow::WorkflowError::Forbidden | bole_workflow::WorkflowError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        self.audit_denied(actor, &format!("pay_run.{verb}"), "pay_run", run.id).await;
        Err(PayrollError::Workflow(bole_workflow::WorkflowError::Forbidden))
    }

    /// Make a locked run's payslips visible to its employees.
    pub async fn publish(&self, actor: &Actor, id: Uuid) -> R<PayRun> {
        let run = self.writable_run(actor, id).await?;
        if run.status != PayRunStatus::Locked {
            return Err(PayrollError::PayRunWrongStatus(run.status.as_str()));
        }
        let ev = self.event(actor, "pay_run.publish", "pay_run", run.id).fields(["status", "published_at"]);
        self.store().publish_run(run.id, self.now(), &[ev]).await?;
        self.store().run(run.id).await
    }

    // ------------------------------------------------------------------ payslips

    /// My published payslips, newest first.
    pub async fn my_payslips(&self, actor: &Actor) -> R<Vec<PayslipSummary>> {
        actor.authorize(Permission::PayrollRead)?;
        let me = Self::me(actor)?;
        let found = self.store().payslips_of(me).await?;
        let ev = self.event(actor, "payslip.list", "employee", me.0).fields([format!("payslips={}", found.len())]);
        self.audit_read(&[ev]).await?;
        Ok(found)
    }

    /// A payslip the actor may read, or why not: own and published; HR over the employee and
    /// locked; anyone else 403 (audited as denied).
    async fn readable_payslip(&self, actor: &Actor, id: Uuid) -> R<(PayRun, PayRunItem)> {
        let (run, item) = self.store().item(id).await?;
        if actor.employee_id == Some(item.employee_id) {
            return if run.status == PayRunStatus::Published && item.payslip.is_some() {
                Ok((run, item))
            } else {
                Err(PayrollError::PayslipNotFound)
            };
        }
        let hr = match self.ports.people.row_scope(actor, Permission::PayrollRead).await {
            Ok(rows) => {
                self.company_access(actor, Permission::PayrollRead, run.company_id, Level::Visible).is_ok()
                    && self.covers_as_other(&rows, item.employee_id).await?
            }
            Err(PeopleError::Forbidden(_)) => false,
            Err(e) => return Err(people_err(e)),
        };
        if !hr {
            self.audit_denied(actor, "payslip.view", "payslip", item.id).await;
            return Err(PayrollError::Forbidden(Forbidden(Permission::PayrollRead)));
        }
        if !run.status.is_locked() || item.payslip.is_none() {
            return Err(PayrollError::PayslipNotFound);
        }
        Ok((run, item))
    }

    async fn payslip_view(&self, run: PayRun, item: PayRunItem) -> R<PayslipView> {
        let company_name = self.store().company_name(run.company_id).await.ok();
        let org_unit_name = match item.org_unit_id {
            Some(u) => {
                let on = Month::parse(&run.period).map_or(run.pay_date, |m| m.last());
                self.store().unit_names(&[u], on).await?.remove(&u)
            }
            None => None,
        };
        let payslip = item.payslip.ok_or(PayrollError::PayslipNotFound)?;
        Ok(PayslipView {
            id: item.id,
            run_id: run.id,
            period: run.period,
            pay_date: run.pay_date,
            company_id: run.company_id,
            company_name,
            employee_id: item.employee_id,
            employee_no: item.employee_no,
            employee_name: item.employee_name,
            org_unit_name,
            payslip,
        })
    }

    /// One payslip (every successful view is audited as `payslip.view`).
    pub async fn payslip(&self, actor: &Actor, id: Uuid) -> R<PayslipView> {
        actor.authorize(Permission::PayrollRead)?;
        let (run, item) = self.readable_payslip(actor, id).await?;
        let view = self.payslip_view(run, item).await?;
        let ev = self.event(actor, "payslip.view", "payslip", view.id).subject(view.employee_id.0);
        self.audit_read(&[ev]).await?;
        Ok(view)
    }

    /// One payslip as a PDF with Chinese text: (file name, bytes). Same rules as [`Self::payslip`].
    pub async fn payslip_pdf(&self, actor: &Actor, id: Uuid) -> R<(String, Vec<u8>)> {
        actor.authorize(Permission::PayrollRead)?;
        let (run, item) = self.readable_payslip(actor, id).await?;
        let renderer = self
            .renderer
            .clone()
            .ok_or_else(|| PayrollError::PdfUnavailable("no payslip renderer configured".into()))?;
        let view = self.payslip_view(run, item).await?;
        let name = format!("工资条-{}-{}.pdf", view.period, view.employee_no);
        let (employee, slip) = (view.employee_id, view.id);
        let bytes = off_executor(move || renderer.render(&view)).await??;
        let ev = self.event(actor, "payslip.view", "payslip", slip).subject(employee.0).fields(["pdf"]);
        self.audit_read(&[ev]).await?;
        Ok((name, bytes))
    }

    // ------------------------------------------------------------------ exports

    /// A file from a locked or published run. The bank file and the tax declaration carry ID and
    /// bank-account numbers, so they also need `SensitiveRead`; every export needs the whole
    /// company (a file never leaves people out silently) and is audited.
    pub async fn export(&self, actor: &Actor, id: Uuid, kind: ExportKind) -> R<ExportFile> {
        let run = self.readable_run(actor, id).await?;
        self.company_access(actor, Permission::PayrollRead, run.company_id, Level::Company)?;
        let sensitive = matches!(kind, ExportKind::BankCsv | ExportKind::BankXlsx | ExportKind::IitXlsx);
        if sensitive {
            self.company_access(actor, Permission::SensitiveRead, run.company_id, Level::Company).inspect_err(
                |_| {
                    tracing::debug!(run.id = %run.id, "export refused: sensitive_read needed");
                },
            )?;
        }
        if !run.status.is_locked() {
            return Err(PayrollError::PayRunWrongStatus(run.status.as_str()));
        }
        let items = self.store().all_items(run.id).await?;
        let ids: Vec<EmployeeId> = items.iter().map(|i| i.employee_id).collect();
        let payees = if sensitive { self.store().payees(&ids).await? } else { HashMap::new() };
        let units: Vec<bole_core::OrgUnitId> =
            items.iter().filter_map(|i| i.org_unit_id).collect::<HashSet<_>>().into_iter().collect();
        let on = Month::parse(&run.period).map_or(run.pay_date, |m| m.last());
        let unit_names = self.store().unit_names(&units, on).await?;
        let company_name = self.store().company_name(run.company_id).await?;
        let run_id = run.id;
        let file = off_executor(move || {
            let input = ExportInput {
                run: &run,
                company_name: &company_name,
                items: &items,
                payees: &payees,
                unit_names: &unit_names,
            };
            export::export(kind, &input)
        })
        .await??;
        let kind_name =
            serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let ev = self.event(actor, "pay_run.export", "pay_run", run_id).fields([kind_name]);
        self.audit_read(&[ev]).await?;
        Ok(file)
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Run CPU-bound work on the rayon pool and await it without blocking the async executor. A panic
/// in the work is caught (rayon would abort the process) and reported as a storage-class failure.
async fn off_executor<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> R<T> {
    let (tx, rx) = futures_channel::oneshot::channel();
    rayon::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        // The receiver is gone only when the request was dropped; nobody waits for the answer.
        let _ = tx.send(result);
    });
    match rx.await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err(PayrollError::Storage("payroll computation panicked".into())),
        Err(_) => Err(PayrollError::Storage("payroll computation was cancelled".into())),
    }
}

fn people_err(e: PeopleError) -> PayrollError {
    match e {
        PeopleError::EmployeeNotFound => PayrollError::EmployeeNotFound,
        PeopleError::Forbidden(f) => PayrollError::Forbidden(f),
        other => PayrollError::Storage(other.to_string()),
    }
}

fn attendance_err(e: AttendanceError) -> PayrollError {
    match e {
        AttendanceError::Forbidden(f) => PayrollError::Forbidden(f),
        other => PayrollError::Storage(format!("attendance: {other}")),
    }
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn check_code(code: &str, errors: &mut FieldErrors) {
    let code = code.trim();
    let mut chars = code.chars();
    let ok = code.len() <= 40
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        errors.add(
            "code",
            Msg::new(
                "代码以英文字母开头，只含字母、数字和下划线，最长 40 个字符（公式按代码引用）。",
                "A code starts with a letter and has only letters, digits and underscores (≤ 40); formulas use it.",
            ),
        );
    }
}

fn check_name(name: &str, errors: &mut FieldErrors) {
    let n = name.trim().chars().count();
    if n == 0 || n > 60 {
        errors.add("name", Msg::new("请填写名称（不超过 60 个字）。", "Give a name of at most 60 characters."));
    }
}

fn check_amount(field: &str, amount: Decimal, errors: &mut FieldErrors) {
    if amount < Decimal::ZERO || amount.scale() > 2 {
        errors.add(
            field,
            Msg::new("金额不能为负，最多两位小数。", "An amount is not negative, with at most two decimals."),
        );
    }
}

fn check_year(year: i32) -> R<()> {
    if (2019..=2100).contains(&year) {
        Ok(())
    } else {
        Err(PayrollError::field("year", Msg::new("年度须在 2019 年之后。", "The year is 2019 or later.")))
    }
}

const MASK: &str = "****";

fn salary_view(a: &SalaryAssignment, structure_name: Option<String>, masked: bool) -> SalaryAssignmentView {
    let show = |d: Decimal| if masked { MASK.to_string() } else { crate::money::fmt_fen(d) };
    SalaryAssignmentView {
        id: a.id,
        employee_id: a.employee_id,
        structure_id: a.structure_id,
        structure_name,
        base_salary: show(a.base_salary),
        fixed: a.fixed.iter().map(|(k, v)| (k.clone(), show(*v))).collect(),
        si_city: a.si.city.clone(),
        si_base: show(a.si.si_base),
        hf_base: a.si.hf_base.map(show),
        si_enrolled: a.si.si_enrolled,
        hf_enrolled: a.si.hf_enrolled,
        valid_from: a.valid_from,
        valid_to: a.valid_to,
        reason: a.reason.clone(),
        masked,
    }
}

/// Review rows: this run's items against `previous` (None when the company has no locked run
/// before). The most severe flags first (see [`severity`]), then by employee number.
fn review_rows(items: &[PayRunItem], previous: Option<&[PayRunItem]>) -> Vec<ReviewRow> {
    let before: HashMap<EmployeeId, &PayRunItem> =
        previous.unwrap_or_default().iter().map(|i| (i.employee_id, i)).collect();
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        let prev = before.get(&item.employee_id).and_then(|p| p.payslip.as_ref());
        let slip = item.payslip.as_ref();
        let mut anomalies = Vec::new();
        if item.status == ItemStatus::Error {
            anomalies.push(Anomaly::ComputeError);
        }
        let net = slip.map(|s| s.net);
        let net_change = match (net, prev) {
            (Some(n), Some(p)) => Some(n - p.net),
            _ => None,
        };
        if let (Some(change), Some(p)) = (net_change, prev)
            && !p.net.is_zero()
            && (change.abs() / p.net.abs()) > SHARP_CHANGE
        {
            anomalies.push(Anomaly::NetChangedSharply);
        }
        if net.is_some_and(|n| n < Decimal::ZERO) {
            anomalies.push(Anomaly::NegativeNet);
        }
        if previous.is_some() && !before.contains_key(&item.employee_id) {
            anomalies.push(Anomaly::NewInRun);
        }
        if slip.is_some_and(|s| !s.facts.attendance) {
            anomalies.push(Anomaly::NoAttendance);
        }
        rows.push(ReviewRow {
            item_id: Some(item.id),
            employee_id: item.employee_id,
            employee_no: item.employee_no.clone(),
            employee_name: item.employee_name.clone(),
            org_unit_id: item.org_unit_id,
            gross: slip.map(|s| s.gross),
            net,
            iit: slip.map(|s| s.iit),
            previous_gross: prev.map(|p| p.gross),
            previous_net: prev.map(|p| p.net),
            net_change,
            anomalies,
            error: item.error.clone(),
        });
    }
    let here: HashSet<EmployeeId> = items.iter().map(|i| i.employee_id).collect();
    for p in previous.unwrap_or_default().iter().filter(|p| !here.contains(&p.employee_id)) {
        rows.push(ReviewRow {
            item_id: None,
            employee_id: p.employee_id,
            employee_no: p.employee_no.clone(),
            employee_name: p.employee_name.clone(),
            org_unit_id: p.org_unit_id,
            gross: None,
            net: None,
            iit: None,
            previous_gross: p.payslip.as_ref().map(|s| s.gross),
            previous_net: p.payslip.as_ref().map(|s| s.net),
            net_change: None,
            anomalies: vec![Anomaly::MissingFromRun],
            error: None,
        });
    }
    rows.sort_by_key(|r| (r.anomalies.iter().map(|a| severity(*a)).min().unwrap_or(u8::MAX), r.employee_no.clone()));
    rows
}

/// Review order: what stops a payment first, then what is most likely wrong.
fn severity(a: Anomaly) -> u8 {
    match a {
        Anomaly::ComputeError => 0,
        Anomaly::NegativeNet => 1,
        Anomaly::BelowMinimumWage => 2,
        Anomaly::NetChangedSharply => 3,
        Anomaly::MissingFromRun => 4,
        Anomaly::NewInRun => 5,
        Anomaly::NoAttendance => 6,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn item(no: &str, net: Option<&str>, attendance: bool) -> PayRunItem {
        let payslip = net.map(|n| {
            let n: Decimal = n.parse().unwrap();
            Payslip {
                lines: vec![],
                gross: n,
                employee_si: Decimal::ZERO,
                employee_hf: Decimal::ZERO,
                iit: Decimal::ZERO,
                other_deductions: Decimal::ZERO,
                net: n,
                employer_si: Decimal::ZERO,
                employer_hf: Decimal::ZERO,
                employer_cost: n,
                tax: TaxWorking::default(),
                facts: PayFacts { attendance, ..PayFacts::default() },
                si_lines: vec![],
                adjustment_ids: vec![],
            }
        });
        let id = Uuid::from_u128(no.bytes().fold(0u128, |a, b| a * 256 + u128::from(b)));
        PayRunItem {
            id,
            run_id: Uuid::nil(),
            employee_id: EmployeeId(id),
            employee_no: no.into(),
            employee_name: no.into(),
            org_unit_id: None,
            status: if net.is_some() { ItemStatus::Ok } else { ItemStatus::Error },
            error: net.is_none().then(|| ItemError { code: "no_salary_assignment".into(), message: "x".into() }),
            payslip,
        }
    }

    #[test]
    fn review_flags_sharp_changes_joiners_leavers_errors_and_missing_attendance() {
        let before =
            vec![item("E1", Some("10000"), true), item("E2", Some("10000"), true), item("E9", Some("5000"), true)];
        let now = vec![
            item("E1", Some("12000"), true), // +20 %: not "more than 20 %"
            item("E2", Some("12001"), true), // just over
            item("E3", Some("-1"), false),   // joiner, negative, no attendance
            item("E4", None, true),          // error
        ];
        let rows = review_rows(&now, Some(&before));
        let by_no: HashMap<&str, &ReviewRow> = rows.iter().map(|r| (r.employee_no.as_str(), r)).collect();
        assert!(by_no["E1"].anomalies.is_empty());
        assert_eq!(by_no["E1"].net_change, Some(Decimal::from(2000)));
        assert_eq!(by_no["E2"].anomalies, vec![Anomaly::NetChangedSharply]);
        assert_eq!(by_no["E3"].anomalies, vec![Anomaly::NegativeNet, Anomaly::NewInRun, Anomaly::NoAttendance]);
        assert_eq!(by_no["E4"].anomalies, vec![Anomaly::ComputeError, Anomaly::NewInRun]);
        assert_eq!(by_no["E9"].anomalies, vec![Anomaly::MissingFromRun]);
        assert_eq!(by_no["E9"].previous_net, Some(Decimal::from(5000)));
        // Most severe first, unflagged last.
        let order: Vec<&str> = rows.iter().map(|r| r.employee_no.as_str()).collect();
        assert_eq!(order, ["E4", "E3", "E2", "E9", "E1"]);
        // Without a previous run nobody is "new".
        let first = review_rows(&now[..1], None);
        assert!(first[0].anomalies.is_empty());
    }

    #[test]
    fn codes_and_amounts_are_checked() {
        let mut e = FieldErrors::new();
        check_code("base_pay", &mut e);
        check_code("Overtime2", &mut e);
        assert!(e.is_empty());
        check_code("2x", &mut e);
        check_code("基本工资", &mut e);
        check_amount("a", "-1".parse().unwrap(), &mut e);
        check_amount("b", "1.005".parse().unwrap(), &mut e);
        assert_eq!(e.0.len(), 3, "{:?}", e.0.keys());
    }

    #[test]
    fn masked_salary_shows_no_amounts() {
        let a = SalaryAssignment {
            id: Uuid::nil(),
            employee_id: EmployeeId(Uuid::nil()),
            company_id: CompanyId(Uuid::nil()),
            structure_id: Uuid::nil(),
            base_salary: "30000".parse().unwrap(),
            fixed: [("meal".to_string(), "500".parse().unwrap())].into(),
            si: SiEnrolment {
                city: "beijing".into(),
                si_base: "30000".parse().unwrap(),
                hf_base: None,
                hf_rate_employee: None,
                hf_rate_employer: None,
                si_enrolled: true,
                hf_enrolled: true,
            },
            valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            valid_to: None,
            reason: None,
            created_by: bole_core::UserId(Uuid::nil()),
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        let v = salary_view(&a, None, true);
        assert_eq!((v.base_salary.as_str(), v.si_base.as_str(), v.fixed["meal"].as_str()), (MASK, MASK, MASK));
        let v = salary_view(&a, None, false);
        assert_eq!((v.base_salary.as_str(), v.fixed["meal"].as_str()), ("30000.00", "500.00"));
    }

    #[test]
    fn the_policy_in_force_wins_and_entered_ones_override_on_the_same_day() {
        let p = |city: &str, from: (i32, u32), to: Option<(i32, u32)>, name: &str| SiPolicy {
            city: city.into(),
            name: name.into(),
            valid_from: NaiveDate::from_ymd_opt(from.0, from.1, 1).unwrap(),
            valid_to: to.map(|t| NaiveDate::from_ymd_opt(t.0, t.1, 1).unwrap()),
            source_url: String::new(),
            confidence: String::new(),
            items: vec![],
        };
        let all = vec![
            p("beijing", (2024, 7), Some((2025, 7)), "old"),
            p("beijing", (2025, 7), None, "new"),
            p("beijing", (2025, 7), None, "entered"),
            p("shanghai", (2026, 1), None, "future"),
        ];
        let on = PayrollService::policies_on(&all, NaiveDate::from_ymd_opt(2025, 8, 1).unwrap());
        assert_eq!(on.len(), 1);
        assert_eq!(on[0].name, "entered");
        let on = PayrollService::policies_on(&all, NaiveDate::from_ymd_opt(2025, 6, 30).unwrap());
        assert_eq!(on[0].name, "old");
    }
}
