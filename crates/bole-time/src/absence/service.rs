//! Leave and overtime use cases: leave types (seeded per company on first use), annual-leave
//! profiles, HR adjustments, the annual grant and year-end jobs, balances and the ledger, leave
//! applications (quote, apply, amend, cancel, read), overtime applications and punch corrections.
//! Each one authorises first (`TimeRead` / `TimeWrite` / `TimeAdmin` over a scope; records outside
//! the scope answer 404), then applies the rules, then writes through the store with its audit
//! events. Approval decisions arrive through the document handlers (handlers.rs).

use super::approvals::Approvals;
use super::approvals::Calendars;
use super::error::AbsenceError;
use super::handlers::{AbsenceHandlers, correction_punch, leave_approval, overtime_approval};
use super::model::*;
use super::rules::{self, Lots, Span};
use super::store::*;
use crate::leave::{AnnualLeavePolicy, annual_leave, unused_leave_pay};
use bole_core::clock::SharedClock;
use bole_core::{
    Actor, AuditEvent, CompanyId, DataScope, EmployeeId, Forbidden, Msg, Page, PageRequest, Permission, Scope, UserId,
};
use bole_workflow::{DocumentRef, InstanceStatus, Submission};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Company policy that is not per leave type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbsencePolicy {
    /// 补卡 allowed per employee and calendar month (pending, returned and approved count).
    pub punch_corrections_per_month: u32,
    /// Interpretations of the annual-leave regulation (hire day, threshold crossing).
    pub annual: AnnualLeavePolicy,
    /// Balances show credits expiring within this many days as "expiring soon".
    pub expiring_window_days: i64,
}

impl Default for AbsencePolicy {
    fn default() -> Self {
        Self { punch_corrections_per_month: 3, annual: AnnualLeavePolicy::default(), expiring_window_days: 90 }
    }
}

pub const DOC_LEAVE: &str = "leave";
pub const DOC_OVERTIME: &str = "overtime";
pub const DOC_PUNCH_CORRECTION: &str = "punch_correction";

#[derive(Clone)]
pub struct AbsenceService {
    handlers: AbsenceHandlers,
    store: Arc<dyn AbsenceStore>,
    approvals: Arc<dyn Approvals>,
    calendar: Arc<dyn Calendars>,
    clock: SharedClock,
    policy: AbsencePolicy,
}

impl std::fmt::Debug for AbsenceService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AbsenceService").field("policy", &self.policy).finish_non_exhaustive()
    }
}

/// A leave request checked against its type and the calendar.
struct Planned {
    facts: EmployeeFacts,
    leave_type: LeaveType,
    span: Span,
    duration: i64,
}

impl AbsenceService {
    pub fn new(
        store: Arc<dyn AbsenceStore>,
        approvals: Arc<dyn Approvals>,
        calendar: Arc<dyn Calendars>,
        clock: SharedClock,
    ) -> Self {
        let handlers = AbsenceHandlers::new(store.clone(), calendar.clone(), clock.clone());
        Self { handlers, store, approvals, calendar, clock, policy: AbsencePolicy::default() }
    }

    pub fn with_policy(mut self, policy: AbsencePolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    // ------------------------------------------------------------------ access

    fn scope_of(&self, actor: &Actor, permission: Permission) -> Result<AbsenceScope, AbsenceError> {
        let scope = actor.authorize(permission)?;
        let mut s = AbsenceScope { on: self.clock.today(), ..Default::default() };
        match scope {
            Scope::All => s.all = true,
            Scope::Limited(parts) => {
                for p in parts {
                    match p {
                        DataScope::All => s.all = true,
                        DataScope::Own => s.me = actor.employee_id,
                        DataScope::DirectReports => s.reports_of = actor.employee_id,
                        DataScope::Subtrees { units } => s.subtree_roots.extend(units),
                        DataScope::Companies { companies } => s.companies.extend(companies),
                    }
                }
            }
        }
        Ok(s)
    }

    /// The employee a request is about: the named one, or the caller's own record.
    fn subject(actor: &Actor, employee: Option<EmployeeId>) -> Result<EmployeeId, AbsenceError> {
        employee.or(actor.employee_id).ok_or(AbsenceError::NotAnEmployee)
    }

    /// Authorise `permission` on one employee and load their facts; outside the scope the
    /// employee does not exist for this actor (404).
    async fn guard(
        &self,
        actor: &Actor,
        permission: Permission,
        employee: EmployeeId,
    ) -> Result<(AbsenceScope, EmployeeFacts), AbsenceError> {
        let scope = self.scope_of(actor, permission)?;
        let visible =
            scope.all || scope.me == Some(employee) || !self.store.in_scope(&scope, &[employee]).await?.is_empty();
        if !visible {
            return Err(AbsenceError::EmployeeNotFound);
        }
        let facts = self.store.employee_facts(&[employee]).await?.pop().ok_or(AbsenceError::EmployeeNotFound)?;
        Ok((scope, facts))
    }

    /// True when the actor's scope covers the employee other than as their own record (HR, a manager).
    async fn covers_as_other(&self, scope: &AbsenceScope, employee: EmployeeId) -> Result<bool, AbsenceError> {
        if scope.all {
            return Ok(true);
        }
        let others = AbsenceScope { me: None, ..scope.clone() };
        Ok(!others.is_empty() && !self.store.in_scope(&others, &[employee]).await?.is_empty())
    }

    /// TimeAdmin over a whole company (leave types, jobs): all companies, or the company granted.
    fn admin_of(&self, actor: &Actor, company: CompanyId) -> Result<(), AbsenceError> {
        let scope = self.scope_of(actor, Permission::TimeAdmin)?;
        if scope.all || scope.companies.contains(&company) {
            Ok(())
        } else {
            Err(AbsenceError::Forbidden(Forbidden(Permission::TimeAdmin)))
        }
    }

    fn event(&self, actor: &Actor, action: &str, subject_type: &str, id: impl ToString) -> AuditEvent {
        actor.audit(self.clock.now(), action, subject_type).subject(id)
    }

    // ------------------------------------------------------------------ leave types

    /// The company's types, seeding the defaults the first time a company is asked about.
    async fn types_of(&self, company: CompanyId) -> Result<Vec<LeaveType>, AbsenceError> {
        let types = self.store.leave_types(company).await?;
        if !types.is_empty() {
            return Ok(types);
        }
        let defaults = rules::default_types(company, self.clock.now());
        let ev = Actor::system()
            .audit(self.clock.now(), "leave_type.seed", "leave_type")
            .subjects(defaults.iter().map(|t| t.id))
            .fields(["code", "entitlement"]);
        self.store.insert_leave_types(&defaults, true, &[ev]).await?;
        self.store.leave_types(company).await
    }

    async fn type_by_code(&self, company: CompanyId, code: &str) -> Result<LeaveType, AbsenceError> {
        self.types_of(company).await?.into_iter().find(|t| t.code == code).ok_or(AbsenceError::LeaveTypeNotFound)
    }

    /// Leave types of a company (default: the caller's). Any holder of TimeRead may read them.
    pub async fn leave_types(&self, actor: &Actor, company: Option<CompanyId>) -> Result<Vec<LeaveType>, AbsenceError> {
        actor.authorize(Permission::TimeRead)?;
        let company = match company {
            Some(c) => c,
            None => {
                let me = actor
                    .employee_id
                    .ok_or_else(|| AbsenceError::field("company_id", Msg::new("请指定公司。", "Name the company.")))?;
                self.store.employee_facts(&[me]).await?.pop().ok_or(AbsenceError::NotAnEmployee)?.company_id
            }
        };
        self.types_of(company).await
    }

    /// Seed the default types of a company (idempotent: existing codes are kept).
    pub async fn seed_leave_types(&self, actor: &Actor, company: CompanyId) -> Result<Vec<LeaveType>, AbsenceError> {
        self.admin_of(actor, company)?;
        let defaults = rules::default_types(company, self.clock.now());
        let ev = self.event(actor, "leave_type.seed", "company", company.0).fields(["code"]);
        self.store.insert_leave_types(&defaults, true, &[ev]).await?;
        self.store.leave_types(company).await
    }

    pub async fn create_leave_type(&self, actor: &Actor, input: NewLeaveType) -> Result<LeaveType, AbsenceError> {
        self.admin_of(actor, input.company_id)?;
        // The defaults come first so that a company's own code cannot shadow one of them later.
        self.types_of(input.company_id).await?;
        let t = rules::new_type(input, self.clock.now());
        rules::check_type(&t)?;
        let ev = self.event(actor, "leave_type.create", "leave_type", t.id).fields([
            "code",
            "unit",
            "paid",
            "entitlement",
            "carry_over_max_days",
        ]);
        self.store.insert_leave_types(std::slice::from_ref(&t), false, &[ev]).await?;
        Ok(t)
    }

    pub async fn update_leave_type(
        &self,
        actor: &Actor,
        id: LeaveTypeId,
        patch: LeaveTypePatch,
    ) -> Result<LeaveType, AbsenceError> {
        actor.authorize(Permission::TimeAdmin)?;
        let mut t = self.store.leave_type(id).await?;
        self.admin_of(actor, t.company_id)?;
        let fields = patch_fields(&patch);
        rules::apply_patch(&mut t, patch, self.clock.now());
        rules::check_type(&t)?;
        let ev = self.event(actor, "leave_type.update", "leave_type", t.id).fields(fields);
        self.store.update_leave_type(&t, &[ev]).await?;
        Ok(t)
    }

    // ------------------------------------------------------------------ profiles, adjustments

    pub async fn set_profile(
        &self,
        actor: &Actor,
        employee: EmployeeId,
        input: LeaveProfileInput,
    ) -> Result<LeaveProfile, AbsenceError> {
        let (_, facts) = self.guard(actor, Permission::TimeAdmin, employee).await?;
        let mut errs = bole_core::FieldErrors::new();
        if input.work_start_date.is_none() && input.prior_years.is_none() {
            errs.add(
                "work_start_date",
                Msg::new("请填写参加工作日期或累计工作年限。", "Enter the first working date or the cumulative years."),
            );
        }
        if input.prior_years.is_some_and(|y| y < Decimal::ZERO || y > Decimal::from(60)) {
            errs.add("prior_years", Msg::new("累计工作年限应在 0 到 60 之间。", "Cumulative years must be 0–60."));
        }
        if input.prior_years.is_some() && input.prior_years_as_of.is_none() && input.work_start_date.is_none() {
            errs.add(
                "prior_years_as_of",
                Msg::new("请填写年限的截止日期。", "Enter the date the years are counted to."),
            );
        }
        if input.work_start_date.is_some_and(|d| d > self.clock.today()) {
            errs.add(
                "work_start_date",
                Msg::new("参加工作日期不能晚于今天。", "The first working date is in the future."),
            );
        }
        errs.into_result().map_err(AbsenceError::Invalid)?;
        let p = LeaveProfile {
            employee_id: employee,
            company_id: facts.company_id,
            work_start_date: input.work_start_date,
            prior_years: input.prior_years,
            prior_years_as_of: input.prior_years_as_of,
            updated_at: self.clock.now(),
            updated_by: actor.user_id,
        };
        let ev = self.event(actor, "leave.profile.set", "employee", employee).fields([
            "work_start_date",
            "prior_years",
            "prior_years_as_of",
        ]);
        self.store.upsert_profile(&p, &[ev]).await?;
        Ok(p)
    }

    pub async fn adjust(&self, actor: &Actor, input: NewAdjustment) -> Result<LedgerEntryView, AbsenceError> {
        let (_, facts) = self.guard(actor, Permission::TimeAdmin, input.employee_id).await?;
        let t = self.type_by_code(facts.company_id, &input.leave_type).await?;
        let minutes = match (input.minutes, input.days) {
            (Some(m), None) => Some(m),
            (None, Some(d)) => days_to_minutes(d),
            _ => None,
        };
        let mut errs = bole_core::FieldErrors::new();
        let Some(minutes) = minutes.filter(|m| *m != 0 && m.abs() <= 366 * MINUTES_PER_DAY) else {
            errs.add(
                "days",
                Msg::new(
                    "请填写非零的天数或分钟数（二选一）。",
                    "Give a non-zero number of days or of minutes (one of them).",
                ),
            );
            return Err(AbsenceError::Invalid(errs));
        };
        if input.reason.trim().is_empty() {
            errs.add("reason", Msg::new("请填写调整原因。", "Enter the reason for the adjustment."));
        }
        errs.into_result().map_err(AbsenceError::Invalid)?;
        let today = self.clock.today();
        let entry = LedgerEntry {
            id: LedgerEntryId::new(),
            company_id: facts.company_id,
            employee_id: facts.id,
            leave_type_id: t.id,
            kind: LedgerKind::Adjustment,
            minutes,
            leave_year: input.leave_year.unwrap_or(today.year()),
            valid_from: today,
            expires_on: input.expires_on,
            application_id: None,
            source: "user".into(),
            reason: Some(input.reason.trim().to_string()),
            created_at: self.clock.now(),
            created_by: actor.user_id,
        };
        let ev = self.event(actor, "leave.adjust", "employee", facts.id).subject(entry.id).fields([
            "leave_type",
            "minutes",
            "reason",
        ]);
        self.store.post(std::slice::from_ref(&entry), &[ev]).await?;
        Ok(LedgerEntryView { days: minutes_to_days(entry.minutes), leave_type_code: t.code, entry })
    }

    // ------------------------------------------------------------------ balances and ledger

    pub async fn balances(
        &self,
        actor: &Actor,
        employee: Option<EmployeeId>,
        as_of: Option<NaiveDate>,
        monthly_wage: Option<Decimal>,
    ) -> Result<BalanceSheet, AbsenceError> {
        let employee = Self::subject(actor, employee)?;
        let (_, facts) = self.guard(actor, Permission::TimeRead, employee).await?;
        let types = self.types_of(facts.company_id).await?;
        let sums = self.store.ledger_sums(&[employee], as_of).await?;
        let pending = self.store.pending_minutes(&[employee]).await?;
        let today = self.clock.today();
        let as_of_day = as_of.unwrap_or(today);
        let window = as_of_day + chrono::TimeDelta::days(self.policy.expiring_window_days);
        let balances = types
            .iter()
            .filter(|t| t.active || sums.iter().any(|s| s.leave_type_id == t.id))
            .map(|t| {
                let lots = Lots::from_sums(sums.iter().filter(|s| s.leave_type_id == t.id));
                let pend: i64 = pending.iter().filter(|(_, ty, _)| *ty == t.id).map(|(_, _, m)| *m).sum();
                balance_view(t, &lots, pend, as_of_day, window)
            })
            .collect();
        let leaver = match facts.exit_date {
            Some(exit) => self.leaver_settlement(&facts, &types, &sums, exit, monthly_wage)?,
            None => None,
        };
        Ok(BalanceSheet { employee_id: employee, as_of: as_of_day, balances, leaver })
    }

    /// Unused statutory annual leave of a separated employee (实施办法 art.12) and, with a wage,
    /// the pay owed for it (条例 art.5).
    fn leaver_settlement(
        &self,
        facts: &EmployeeFacts,
        types: &[LeaveType],
        sums: &[LedgerSum],
        exit: NaiveDate,
        monthly_wage: Option<Decimal>,
    ) -> Result<Option<LeaverSettlement>, AbsenceError> {
        let Some(annual) = types.iter().find(|t| t.entitlement == Entitlement::StatutoryAnnual) else {
            return Ok(None);
        };
        let Some(profile) = &facts.profile else { return Ok(None) };
        let year = exit.year();
        let Some(jan1) = NaiveDate::from_ymd_opt(year, 1, 1) else { return Ok(None) };
        let Some(years) = rules::cumulative_years(profile, facts.hire_date.max(jan1)) else { return Ok(None) };
        let used: i64 = sums
            .iter()
            .filter(|s| {
                s.leave_type_id == annual.id
                    && s.leave_year == year
                    && matches!(s.kind, LedgerKind::Usage | LedgerKind::Reversal)
            })
            .map(|s| -(s.positive + s.negative))
            .sum();
        let taken = Decimal::from(used.max(0)) / Decimal::from(MINUTES_PER_DAY);
        let r = annual_leave(year, facts.hire_date, years, Some(exit), taken)?;
        let unused = r.unused_to_pay.unwrap_or(0);
        let pay = match monthly_wage {
            Some(w) => Some(unused_leave_pay(Decimal::from(unused), w)?),
            None => None,
        };
        Ok(Some(LeaverSettlement {
            year,
            exit_date: exit,
            earned_to_exit: r.earned_to_exit,
            taken: minutes_to_days(used.max(0)),
            unused_days_to_pay: unused,
            pay,
        }))
    }

    pub async fn ledger(
        &self,
        actor: &Actor,
        employee: Option<EmployeeId>,
        leave_type: Option<String>,
        page: PageRequest,
    ) -> Result<Page<LedgerEntryView>, AbsenceError> {
        let employee = Self::subject(actor, employee)?;
        let (_, facts) = self.guard(actor, Permission::TimeRead, employee).await?;
        let types = self.types_of(facts.company_id).await?;
        let type_id = match leave_type {
            Some(code) => Some(types.iter().find(|t| t.code == code).ok_or(AbsenceError::LeaveTypeNotFound)?.id),
            None => None,
        };
        let codes: HashMap<LeaveTypeId, String> = types.iter().map(|t| (t.id, t.code.clone())).collect();
        let p = self.store.ledger(employee, type_id, page).await?;
        Ok(Page {
            items: p
                .items
                .into_iter()
                .map(|e| LedgerEntryView {
                    days: minutes_to_days(e.minutes),
                    leave_type_code: codes.get(&e.leave_type_id).cloned().unwrap_or_default(),
                    entry: e,
                })
                .collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        })
    }

    // ------------------------------------------------------------------ jobs

    /// Post each employee's statutory annual leave (and fixed entitlements) for `year`. Idempotent:
    /// a re-run posts only the difference from what the year's grants already hold (e.g. after a
    /// profile correction or a departure).
    pub async fn grant_annual(
        &self,
        actor: &Actor,
        year: i32,
        company: Option<CompanyId>,
    ) -> Result<GrantReport, AbsenceError> {
        let scope = self.scope_of(actor, Permission::TimeAdmin)?;
        let (jan1, dec31) = year_bounds(year)?;
        let people = self.store.employees_in(&scope, company, jan1, dec31).await?;
        let ids: Vec<EmployeeId> = people.iter().map(|p| p.id).collect();
        let sums = self.store.ledger_sums(&ids, None).await?;
        let mut granted: HashMap<(EmployeeId, LeaveTypeId), i64> = HashMap::new();
        for s in sums.iter().filter(|s| s.kind == LedgerKind::Grant && s.leave_year == year) {
            *granted.entry((s.employee_id, s.leave_type_id)).or_default() += s.positive + s.negative;
        }
        let mut report =
            GrantReport { year, employees: u32::try_from(people.len()).unwrap_or(u32::MAX), ..Default::default() };
        let mut types_by_company: HashMap<CompanyId, Vec<LeaveType>> = HashMap::new();
        for c in people.iter().map(|p| p.company_id).collect::<HashSet<_>>() {
            types_by_company.insert(c, self.types_of(c).await?);
        }
        let mut entries = Vec::new();
        let now = self.clock.now();
        for e in &people {
            let types = types_by_company.get(&e.company_id).map(Vec::as_slice).unwrap_or_default();
            for t in types.iter().filter(|t| t.active) {
                let target_days = match &t.entitlement {
                    Entitlement::StatutoryAnnual => match rules::annual_grant_days(e, year, &self.policy.annual) {
                        Ok(d) => Decimal::from(d),
                        Err(AbsenceError::NoAnnualLeaveBasis) => {
                            report.missing_basis.push(e.id);
                            continue;
                        }
                        // Not employed in the year by the regulation's reading: nothing to grant.
                        Err(AbsenceError::Calendar(_)) => Decimal::ZERO,
                        Err(other) => return Err(other),
                    },
                    Entitlement::Fixed { days_per_year } => *days_per_year,
                    Entitlement::None | Entitlement::CompTime => continue,
                };
                let target = days_to_minutes(target_days).unwrap_or(0);
                let have = granted.get(&(e.id, t.id)).copied().unwrap_or(0);
                if target == have {
                    continue;
                }
                entries.push(LedgerEntry {
                    id: LedgerEntryId::new(),
                    company_id: e.company_id,
                    employee_id: e.id,
                    leave_type_id: t.id,
                    kind: LedgerKind::Grant,
                    minutes: target - have,
                    leave_year: year,
                    valid_from: e.hire_date.max(jan1),
                    expires_on: Some(dec31),
                    application_id: None,
                    source: format!("job:annual_grant:{year}"),
                    reason: None,
                    created_at: now,
                    created_by: actor.user_id,
                });
            }
        }
        report.postings = u32::try_from(entries.len()).unwrap_or(u32::MAX);
        report.minutes = entries.iter().map(|e| e.minutes).sum();
        if !entries.is_empty() {
            let ev = actor
                .audit(now, "leave.grant.annual", "employee")
                .subjects(entries.iter().map(|e| e.employee_id).collect::<HashSet<_>>())
                .fields(["leave_year", "minutes"]);
            self.store.post(&entries, &[ev]).await?;
        }
        Ok(report)
    }

    /// Close `year`: carry unused days over up to each type's limit (with an expiry), expire the
    /// rest, and expire every credit (调休, older carry-over) past its date. Idempotent.
    pub async fn year_end(
        &self,
        actor: &Actor,
        year: i32,
        company: Option<CompanyId>,
    ) -> Result<YearEndReport, AbsenceError> {
        let scope = self.scope_of(actor, Permission::TimeAdmin)?;
        let (jan1, dec31) = year_bounds(year)?;
        let next_jan1 = dec31.succ_opt().ok_or(crate::error::TimeError::DateOutOfRange)?;
        let today = self.clock.today();
        let people = self.store.employees_in(&scope, company, jan1, dec31).await?;
        let ids: Vec<EmployeeId> = people.iter().map(|p| p.id).collect();
        let sums = self.store.ledger_sums(&ids, None).await?;
        let mut by_key: HashMap<(EmployeeId, LeaveTypeId), Vec<&LedgerSum>> = HashMap::new();
        for s in &sums {
            by_key.entry((s.employee_id, s.leave_type_id)).or_default().push(s);
        }
        let mut types: HashMap<LeaveTypeId, LeaveType> = HashMap::new();
        let companies: HashSet<CompanyId> = people.iter().map(|p| p.company_id).collect();
        for c in companies {
            for t in self.types_of(c).await? {
                types.insert(t.id, t);
            }
        }
        let company_of: HashMap<EmployeeId, CompanyId> = people.iter().map(|p| (p.id, p.company_id)).collect();
        let now = self.clock.now();
        let mut report = YearEndReport { year, ..Default::default() };
        let mut entries = Vec::new();
        let mut keys: Vec<_> = by_key.keys().copied().collect();
        keys.sort();
        for key in keys {
            let (Some(t), Some(company_id)) = (types.get(&key.1), company_of.get(&key.0)) else { continue };
            let lots = Lots::from_sums(by_key.get(&key).into_iter().flatten().copied());
            let Some(plan) = rules::year_end(t, &lots, year, today) else { continue };
            let row =
                |kind: LedgerKind, minutes: i64, leave_year: i32, valid_from: NaiveDate, expires_on| LedgerEntry {
                    id: LedgerEntryId::new(),
                    company_id: *company_id,
                    employee_id: key.0,
                    leave_type_id: key.1,
                    kind,
                    minutes,
                    leave_year,
                    valid_from,
                    expires_on,
                    application_id: None,
                    source: format!("job:year_end:{year}"),
                    reason: None,
                    created_at: now,
                    created_by: actor.user_id,
                };
            if plan.expire > 0 {
                entries.push(row(LedgerKind::Expiry, -plan.expire, year, next_jan1, None));
                report.expired_minutes += plan.expire;
            }
            if plan.carry > 0 {
                entries.push(row(LedgerKind::CarryOver, plan.carry, year + 1, next_jan1, plan.carry_expires_on));
                report.carried_over_minutes += plan.carry;
            }
            if plan.expire_due > 0 {
                entries.push(row(LedgerKind::Expiry, -plan.expire_due, today.year(), today, None));
                report.expired_minutes += plan.expire_due;
            }
        }
        report.postings = u32::try_from(entries.len()).unwrap_or(u32::MAX);
        if !entries.is_empty() {
            let ev = actor
                .audit(now, "leave.year_end", "employee")
                .subjects(entries.iter().map(|e| e.employee_id).collect::<HashSet<_>>())
                .fields(["leave_year", "minutes"]);
            self.store.post(&entries, &[ev]).await?;
        }
        Ok(report)
    }

    // ------------------------------------------------------------------ leave applications

    /// Check a request against its type, the employee and the calendar (no balance, no overlap).
    async fn plan(&self, facts: EmployeeFacts, r: &LeaveRequest) -> Result<Planned, AbsenceError> {
        let t = self.type_by_code(facts.company_id, &r.leave_type).await?;
        if !t.active {
            return Err(AbsenceError::LeaveTypeInactive { code: t.code });
        }
        if t.gender.is_some_and(|g| !g.matches_code(&facts.gender)) {
            return Err(AbsenceError::NotEligible { leave_type: t.name_zh.clone() });
        }
        if r.reason.chars().count() > 500 {
            return Err(AbsenceError::field("reason", Msg::new("事由不超过 500 字。", "At most 500 characters.")));
        }
        let span = rules::span_of(&t, r)?;
        let calendar = self.calendar.calendar_for(facts.company_id).await?;
        let days = rules::covered_days(&span, t.counting, &calendar)?;
        let duration = rules::duration_minutes(&days, &span)?;
        if let Some(max) = rules::max_days(&t, r.birth.as_ref())? {
            let requested = Decimal::from(duration) / Decimal::from(MINUTES_PER_DAY);
            if requested > max {
                return Err(AbsenceError::ExceedsMaximum {
                    leave_type: t.name_zh.clone(),
                    max_days: max,
                    requested: minutes_to_days(duration),
                });
            }
        }
        Ok(Planned { facts, leave_type: t, span, duration })
    }

    /// Balance, pending and available minutes of one type, excluding an application being amended.
    async fn availability(
        &self,
        employee: EmployeeId,
        t: &LeaveType,
        exclude_minutes: i64,
    ) -> Result<(i64, i64), AbsenceError> {
        let sums = self.store.ledger_sums(&[employee], None).await?;
        let lots = Lots::from_sums(sums.iter().filter(|s| s.leave_type_id == t.id));
        let pending: i64 = self
            .store
            .pending_minutes(&[employee])
            .await?
            .into_iter()
            .filter(|(_, ty, _)| *ty == t.id)
            .map(|(_, _, m)| m)
            .sum();
        Ok((lots.balance(), pending - exclude_minutes))
    }

    async fn overlap(
        &self,
        employee: EmployeeId,
        span: &Span,
        exclude: Option<LeaveApplicationId>,
    ) -> Result<Option<LeaveApplication>, AbsenceError> {
        let others: Vec<LeaveApplication> = self
            .store
            .applications_touching(employee, span.start, span.end)
            .await?
            .into_iter()
            .filter(|a| Some(a.id) != exclude)
            .collect();
        Ok(rules::first_overlap(span, &others).cloned())
    }

    /// The live numbers for the phone form: duration, balance, pending, available and after.
    pub async fn quote(&self, actor: &Actor, r: LeaveRequest) -> Result<LeaveQuote, AbsenceError> {
        let employee = Self::subject(actor, r.employee_id)?;
        let (_, facts) = self.guard(actor, Permission::TimeWrite, employee).await?;
        let p = self.plan(facts, &r).await?;
        let (balance, pending) = self.availability(employee, &p.leave_type, 0).await?;
        let available = balance - pending;
        let overlaps = self.overlap(employee, &p.span, None).await?.map(|o| OverlapInfo {
            application_id: o.id,
            start_date: o.start_date,
            end_date: o.end_date,
            status: o.status,
        });
        Ok(LeaveQuote {
            employee_id: employee,
            leave_type: p.leave_type.code.clone(),
            duration_minutes: p.duration,
            days: minutes_to_days(p.duration),
            balance_tracked: p.leave_type.balance_tracked,
            balance: minutes_to_days(balance),
            pending: minutes_to_days(pending),
            available: minutes_to_days(available),
            after: minutes_to_days(available - p.duration),
            sufficient: !p.leave_type.balance_tracked || p.leave_type.allow_negative || available - p.duration >= 0,
            overlaps,
        })
    }

    fn checks(&self, p: &Planned, exclude: Option<LeaveApplicationId>) -> LeaveChecks {
        LeaveChecks {
            employee_id: p.facts.id,
            span: p.span.clone(),
            exclude,
            balance: (p.leave_type.balance_tracked && !p.leave_type.allow_negative).then(|| BalanceCheck {
                leave_type_id: p.leave_type.id,
                leave_type_name: p.leave_type.name_zh.clone(),
                need_minutes: p.duration,
            }),
        }
    }

    /// Fail fast with the same answers the transaction would give (it checks again under the lock).
    async fn precheck(&self, p: &Planned, exclude: Option<&LeaveApplication>) -> Result<(), AbsenceError> {
        if let Some(o) = self.overlap(p.facts.id, &p.span, exclude.map(|a| a.id)).await? {
            return Err(AbsenceError::LeaveOverlaps {
                start: o.start_date,
                end: o.end_date,
                status: o.status.as_str().into(),
            });
        }
        if p.leave_type.balance_tracked && !p.leave_type.allow_negative {
            let own = exclude.filter(|a| a.status.is_open() && a.leave_type_id == p.leave_type.id);
            let (balance, pending) =
                self.availability(p.facts.id, &p.leave_type, own.map_or(0, |a| a.duration_minutes)).await?;
            if balance - pending - p.duration < 0 {
                return Err(AbsenceError::InsufficientBalance {
                    leave_type: p.leave_type.name_zh.clone(),
                    balance: minutes_to_days(balance),
                    pending: minutes_to_days(pending),
                    requested: minutes_to_days(p.duration),
                });
            }
        }
        Ok(())
    }

    fn submission(actor: &Actor, p: &Planned, id: LeaveApplicationId) -> Submission {
        let days = minutes_to_days(p.duration);
        Submission {
            doc: DocumentRef { doc_type: DOC_LEAVE.into(), doc_id: id.0, subject: p.facts.id },
            requester: actor.user_id,
            fields: serde_json::json!({
                "days": days,
                "minutes": p.duration,
                "leave_type": p.leave_type.code,
                "start_date": p.span.start,
                "end_date": p.span.end,
            }),
            title: format!("{} {} 天（{} 至 {}）", p.leave_type.name_zh, days.normalize(), p.span.start, p.span.end),
        }
    }

    pub async fn apply(&self, actor: &Actor, r: LeaveRequest) -> Result<LeaveApplicationView, AbsenceError> {
        let employee = Self::subject(actor, r.employee_id)?;
        let (_, facts) = self.guard(actor, Permission::TimeWrite, employee).await?;
        let p = self.plan(facts, &r).await?;
        self.precheck(&p, None).await?;
        self.submit(actor, p, r.reason, ApplicationDetails { birth: r.birth, amended_from: None }).await
    }

    /// Plan the approval and write the application with it (checks repeated under the lock).
    async fn submit(
        &self,
        actor: &Actor,
        p: Planned,
        reason: String,
        details: ApplicationDetails,
    ) -> Result<LeaveApplicationView, AbsenceError> {
        let id = LeaveApplicationId::new();
        let t = self.approvals.plan_start(actor, Self::submission(actor, &p, id)).await?;
        let now = self.clock.now();
        let status = decision_of(t.status).1;
        let mut app = LeaveApplication {
            id,
            company_id: p.facts.company_id,
            employee_id: p.facts.id,
            leave_type_id: p.leave_type.id,
            start_date: p.span.start,
            end_date: p.span.end,
            start_half: p.span.start_half,
            end_half: p.span.end_half,
            hours_minutes: p.span.hours_minutes,
            duration_minutes: p.duration,
            status,
            reason: reason.trim().to_string(),
            details,
            instance_id: Some(t.instance_id),
            submitted_by: actor.user_id,
            created_at: now,
            updated_at: now,
            decided_at: None,
            cancelled_at: None,
            cancelled_by: None,
            cancel_reason: None,
        };
        let ev = self.event(actor, "leave.apply", "leave_application", id).subject(p.facts.id).fields([
            "leave_type",
            "start_date",
            "end_date",
            "duration_minutes",
            "reason",
        ]);
        // Every step skipped or passed (e.g. HR applying where it approves anyway): effects now.
        let approval = match status {
            ApplicationStatus::Approved => {
                app.decided_at = Some(now);
                Some(leave_approval(&self.handlers, &app, actor.user_id).await?)
            }
            _ => None,
        };
        self.store.insert_leave_application(&app, &self.checks(&p, None), &t, approval.as_ref(), &[ev]).await?;
        Ok(view(app, &p.leave_type))
    }

    /// Change an application still in approval. A returned one is amended in place and its
    /// approval restarts (the engine keeps one instance per document); a pending one is withdrawn
    /// and replaced by a new application (`details.amended_from`), checked as new without
    /// counting the one it replaces.
    pub async fn amend(
        &self,
        actor: &Actor,
        id: LeaveApplicationId,
        r: LeaveRequest,
    ) -> Result<LeaveApplicationView, AbsenceError> {
        let old = self.store.leave_application(id).await?;
        let (_, facts) = self.guard(actor, Permission::TimeWrite, old.employee_id).await.map_err(not_found_app)?;
        if r.employee_id.is_some_and(|e| e != old.employee_id) {
            return Err(AbsenceError::field(
                "employee_id",
                Msg::new("不能把申请改到其他员工名下。", "An application cannot move to another employee."),
            ));
        }
        let p = self.plan(facts, &r).await?;
        let doc = DocumentRef { doc_type: DOC_LEAVE.into(), doc_id: id.0, subject: old.employee_id };
        match old.status {
            ApplicationStatus::Returned => {
                self.precheck(&p, Some(&old)).await?;
                let t = self.approvals.plan_resubmit(actor, &doc, Self::submission(actor, &p, id)).await?;
                let status = decision_of(t.status).1;
                let app = LeaveApplication {
                    leave_type_id: p.leave_type.id,
                    start_date: p.span.start,
                    end_date: p.span.end,
                    start_half: p.span.start_half,
                    end_half: p.span.end_half,
                    hours_minutes: p.span.hours_minutes,
                    duration_minutes: p.duration,
                    status,
                    reason: r.reason.trim().to_string(),
                    details: ApplicationDetails { birth: r.birth, amended_from: old.details.amended_from },
                    instance_id: Some(t.instance_id),
                    updated_at: self.clock.now(),
                    ..old
                };
                let ev = self.event(actor, "leave.amend", "leave_application", id).fields([
                    "leave_type",
                    "start_date",
                    "end_date",
                    "duration_minutes",
                    "reason",
                ]);
                let approval = match status {
                    ApplicationStatus::Approved => Some(leave_approval(&self.handlers, &app, actor.user_id).await?),
                    _ => None,
                };
                self.store
                    .amend_leave_application(&app, &self.checks(&p, Some(id)), &t, approval.as_ref(), &[ev])
                    .await?;
                Ok(view(app, &p.leave_type))
            }
            ApplicationStatus::Pending => {
                self.precheck(&p, Some(&old)).await?;
                self.approvals.withdraw(actor, &doc).await?;
                self.submit(actor, p, r.reason, ApplicationDetails { birth: r.birth, amended_from: Some(id) }).await
            }
            other => Err(AbsenceError::WrongStatus { status: other.as_str().into() }),
        }
    }

    /// Withdraw an application in approval, or cancel an approved one (reversal, attendance
    /// restored). An approved leave that has started may only be cancelled by HR (or a manager)
    /// whose TimeWrite scope covers the employee.
    pub async fn cancel(
        &self,
        actor: &Actor,
        id: LeaveApplicationId,
        reason: Option<String>,
    ) -> Result<LeaveApplicationView, AbsenceError> {
        let app = self.store.leave_application(id).await?;
        let (scope, _) = self.guard(actor, Permission::TimeWrite, app.employee_id).await.map_err(not_found_app)?;
        let t = self.store.leave_type(app.leave_type_id).await?;
        let today = self.clock.today();
        match app.status {
            ApplicationStatus::Pending | ApplicationStatus::Returned => {
                let doc = DocumentRef { doc_type: DOC_LEAVE.into(), doc_id: id.0, subject: app.employee_id };
                self.approvals.withdraw(actor, &doc).await?;
            }
            ApplicationStatus::Approved => {
                if app.start_date <= today && !self.covers_as_other(&scope, app.employee_id).await? {
                    return Err(AbsenceError::AlreadyStarted { start: app.start_date });
                }
                let now = self.clock.now();
                let reversal = LedgerEntry {
                    id: LedgerEntryId::new(),
                    company_id: app.company_id,
                    employee_id: app.employee_id,
                    leave_type_id: app.leave_type_id,
                    kind: LedgerKind::Reversal,
                    minutes: app.duration_minutes,
                    leave_year: app.start_date.year(),
                    valid_from: app.start_date,
                    expires_on: None,
                    application_id: Some(app.id.0),
                    source: "application".into(),
                    reason: reason.clone(),
                    created_at: now,
                    created_by: actor.user_id,
                };
                let ev = self.event(actor, "leave.cancel", "leave_application", id).fields(["status"]);
                self.store
                    .cancel_approved_leave(&LeaveCancellation {
                        application_id: id,
                        employee_id: app.employee_id,
                        reversal,
                        from: app.start_date,
                        to: app.end_date,
                        at: now,
                        by: actor.user_id,
                        reason,
                        today,
                        audit: vec![ev],
                    })
                    .await?;
            }
            other => return Err(AbsenceError::WrongStatus { status: other.as_str().into() }),
        }
        Ok(view(self.store.leave_application(id).await?, &t))
    }

    pub async fn application(
        &self,
        actor: &Actor,
        id: LeaveApplicationId,
    ) -> Result<LeaveApplicationDetail, AbsenceError> {
        let app = self.store.leave_application(id).await?;
        self.guard(actor, Permission::TimeRead, app.employee_id).await.map_err(not_found_app)?;
        let t = self.store.leave_type(app.leave_type_id).await?;
        let doc = DocumentRef { doc_type: DOC_LEAVE.into(), doc_id: id.0, subject: app.employee_id };
        // The history is part of the page; an engine hiccup should not hide the application.
        let approval = match self.approvals.instance_of(actor, &doc).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(leave.application = %id, error = %e, "approval instance unavailable");
                None
            }
        };
        Ok(LeaveApplicationDetail { view: view(app, &t), approval })
    }

    /// Own applications by default; a named employee or, for HR and managers, everyone in scope
    /// when `all_in_scope`.
    pub async fn applications(
        &self,
        actor: &Actor,
        q: ApplicationQuery,
        all_in_scope: bool,
        page: PageRequest,
    ) -> Result<Page<LeaveApplicationView>, AbsenceError> {
        let (scope, q) = self.list_scope(actor, q, all_in_scope).await?;
        let p = self.store.list_leave_applications(&q, &scope, page).await?;
        let mut types: HashMap<LeaveTypeId, LeaveType> = HashMap::new();
        for id in p.items.iter().map(|a| a.leave_type_id).collect::<HashSet<_>>() {
            types.insert(id, self.store.leave_type(id).await?);
        }
        let mut items = Vec::with_capacity(p.items.len());
        for a in p.items {
            let t = types.get(&a.leave_type_id).ok_or(AbsenceError::LeaveTypeNotFound)?;
            items.push(view(a, t));
        }
        Ok(Page { items, total: p.total, page: p.page, per_page: p.per_page })
    }

    async fn list_scope(
        &self,
        actor: &Actor,
        mut q: ApplicationQuery,
        all_in_scope: bool,
    ) -> Result<(AbsenceScope, ApplicationQuery), AbsenceError> {
        let scope = self.scope_of(actor, Permission::TimeRead)?;
        match q.employee_id {
            Some(e) => {
                self.guard(actor, Permission::TimeRead, e).await?;
            }
            None if !all_in_scope => q.employee_id = Some(Self::subject(actor, None)?),
            None => {}
        }
        Ok((scope, q))
    }

    // ------------------------------------------------------------------ overtime

    pub async fn apply_overtime(&self, actor: &Actor, r: OvertimeRequest) -> Result<OvertimeApplication, AbsenceError> {
        let employee = Self::subject(actor, r.employee_id)?;
        let (_, facts) = self.guard(actor, Permission::TimeWrite, employee).await?;
        let minutes = rules::overtime_minutes(r.start_time, r.end_time)?;
        if r.compensation == Compensation::TimeOff {
            // The credit lands on the company's compensatory type: it must exist (seeded on first use).
            let comp = self.type_by_code(facts.company_id, rules::COMP_TIME_CODE).await?;
            if !comp.active {
                return Err(AbsenceError::LeaveTypeInactive { code: comp.code });
            }
        }
        let calendar = self.calendar.calendar_for(facts.company_id).await?;
        let kind = rules::classify_overtime(&calendar, r.date, r.compensation)?;
        if r.reason.chars().count() > 500 {
            return Err(AbsenceError::field("reason", Msg::new("事由不超过 500 字。", "At most 500 characters.")));
        }
        let id = OvertimeId::new();
        let hours = Decimal::from(minutes) / Decimal::from(60);
        let submission = Submission {
            doc: DocumentRef { doc_type: DOC_OVERTIME.into(), doc_id: id.0, subject: employee },
            requester: actor.user_id,
            fields: serde_json::json!({
                "hours": hours.round_dp(2),
                "minutes": minutes,
                "kind": overtime_kind_code(kind),
                "compensation": r.compensation.as_str(),
                "date": r.date,
            }),
            title: format!("加班 {} 小时（{}）", hours.round_dp(2).normalize(), r.date),
        };
        let t = self.approvals.plan_start(actor, submission).await?;
        let now = self.clock.now();
        let status = decision_of(t.status).1;
        let o = OvertimeApplication {
            id,
            company_id: facts.company_id,
            employee_id: employee,
            date: r.date,
            start_time: r.start_time,
            end_time: r.end_time,
            minutes,
            kind: overtime_kind_code(kind).into(),
            compensation: r.compensation,
            status,
            reason: r.reason.trim().to_string(),
            instance_id: Some(t.instance_id),
            submitted_by: actor.user_id,
            created_at: now,
            updated_at: now,
            decided_at: None,
            cancelled_at: None,
            cancelled_by: None,
        };
        let ev = self.event(actor, "overtime.apply", "overtime_application", id).subject(employee).fields([
            "date",
            "start_time",
            "end_time",
            "compensation",
            "reason",
        ]);
        let approval = match status {
            ApplicationStatus::Approved => Some(overtime_approval(&self.handlers, &o, actor.user_id).await?),
            _ => None,
        };
        self.store.insert_overtime(&o, &t, approval.as_ref(), &[ev]).await?;
        Ok(o)
    }

    pub async fn overtime_applications(
        &self,
        actor: &Actor,
        q: ApplicationQuery,
        all_in_scope: bool,
        page: PageRequest,
    ) -> Result<Page<OvertimeApplication>, AbsenceError> {
        let (scope, q) = self.list_scope(actor, q, all_in_scope).await?;
        self.store.list_overtime(&q, &scope, page).await
    }

    pub async fn overtime_application(
        &self,
        actor: &Actor,
        id: OvertimeId,
    ) -> Result<OvertimeApplication, AbsenceError> {
        let o = self.store.overtime(id).await?;
        self.guard(actor, Permission::TimeRead, o.employee_id).await.map_err(|e| match e {
            AbsenceError::EmployeeNotFound => AbsenceError::OvertimeNotFound,
            other => other,
        })?;
        Ok(o)
    }

    pub async fn cancel_overtime(&self, actor: &Actor, id: OvertimeId) -> Result<OvertimeApplication, AbsenceError> {
        let o = self.store.overtime(id).await?;
        let (scope, facts) = self.guard(actor, Permission::TimeWrite, o.employee_id).await.map_err(|e| match e {
            AbsenceError::EmployeeNotFound => AbsenceError::OvertimeNotFound,
            other => other,
        })?;
        let today = self.clock.today();
        match o.status {
            ApplicationStatus::Pending | ApplicationStatus::Returned => {
                let doc = DocumentRef { doc_type: DOC_OVERTIME.into(), doc_id: id.0, subject: o.employee_id };
                self.approvals.withdraw(actor, &doc).await?;
            }
            ApplicationStatus::Approved => {
                if o.date <= today && !self.covers_as_other(&scope, o.employee_id).await? {
                    return Err(AbsenceError::AlreadyStarted { start: o.date });
                }
                let now = self.clock.now();
                let comp = self.type_by_code(facts.company_id, rules::COMP_TIME_CODE).await?;
                let reversal = (o.compensation == Compensation::TimeOff).then(|| LedgerEntry {
                    id: LedgerEntryId::new(),
                    company_id: o.company_id,
                    employee_id: o.employee_id,
                    leave_type_id: comp.id,
                    kind: LedgerKind::CompCredit,
                    minutes: -o.minutes,
                    leave_year: o.date.year(),
                    valid_from: o.date,
                    expires_on: rules::comp_credit_expiry(o.date, comp_months(&comp)),
                    application_id: Some(o.id.0),
                    source: "overtime".into(),
                    reason: None,
                    created_at: now,
                    created_by: actor.user_id,
                });
                let ev = self.event(actor, "overtime.cancel", "overtime_application", id).fields(["status"]);
                self.store
                    .cancel_approved_overtime(&OvertimeCancellation {
                        overtime_id: id,
                        employee_id: o.employee_id,
                        day: o.date,
                        reversal,
                        leave_type_name: comp.name_zh.clone(),
                        at: now,
                        by: actor.user_id,
                        today,
                        audit: vec![ev],
                    })
                    .await?;
            }
            other => return Err(AbsenceError::WrongStatus { status: other.as_str().into() }),
        }
        self.store.overtime(id).await
    }

    // ------------------------------------------------------------------ punch corrections

    pub async fn apply_punch_correction(
        &self,
        actor: &Actor,
        r: PunchCorrectionRequest,
    ) -> Result<PunchCorrection, AbsenceError> {
        let employee = Self::subject(actor, r.employee_id)?;
        let (_, facts) = self.guard(actor, Permission::TimeWrite, employee).await?;
        if r.date > self.clock.today() {
            return Err(AbsenceError::field(
                "date",
                Msg::new("不能为将来的日期补卡。", "A punch cannot be corrected for a future date."),
            ));
        }
        if r.reason.trim().is_empty() || r.reason.chars().count() > 500 {
            return Err(AbsenceError::field(
                "reason",
                Msg::new("请填写补卡原因（不超过 500 字）。", "Enter the reason (at most 500 characters)."),
            ));
        }
        let id = PunchCorrectionId::new();
        let submission = Submission {
            doc: DocumentRef { doc_type: DOC_PUNCH_CORRECTION.into(), doc_id: id.0, subject: employee },
            requester: actor.user_id,
            fields: serde_json::json!({ "date": r.date, "direction": r.direction.as_str() }),
            title: format!(
                "补卡 {} {}（{}）",
                r.date,
                r.time.format("%H:%M"),
                if r.direction == PunchDirection::In { "上班" } else { "下班" }
            ),
        };
        let t = self.approvals.plan_start(actor, submission).await?;
        let now = self.clock.now();
        let status = decision_of(t.status).1;
        let p = PunchCorrection {
            id,
            company_id: facts.company_id,
            employee_id: employee,
            date: r.date,
            time: r.time,
            direction: r.direction,
            status,
            reason: r.reason.trim().to_string(),
            instance_id: Some(t.instance_id),
            submitted_by: actor.user_id,
            created_at: now,
            updated_at: now,
            decided_at: None,
        };
        let ev = self.event(actor, "punch_correction.apply", "punch_correction", id).subject(employee).fields([
            "date",
            "time",
            "direction",
            "reason",
        ]);
        let punch = (status == ApplicationStatus::Approved).then(|| correction_punch(&self.handlers, &p));
        self.store
            .insert_punch_correction(&p, self.policy.punch_corrections_per_month, &t, punch.as_ref(), &[ev])
            .await?;
        Ok(p)
    }

    pub async fn punch_corrections(
        &self,
        actor: &Actor,
        q: ApplicationQuery,
        all_in_scope: bool,
        page: PageRequest,
    ) -> Result<Page<PunchCorrection>, AbsenceError> {
        let (scope, q) = self.list_scope(actor, q, all_in_scope).await?;
        self.store.list_punch_corrections(&q, &scope, page).await
    }
}

/// 调休 credit validity of the compensatory type.
pub(crate) fn comp_months(t: &LeaveType) -> u32 {
    t.policy.comp_time_validity_months.unwrap_or(rules::DEFAULT_COMP_TIME_MONTHS)
}

fn not_found_app(e: AbsenceError) -> AbsenceError {
    match e {
        AbsenceError::EmployeeNotFound => AbsenceError::ApplicationNotFound,
        other => other,
    }
}

fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), AbsenceError> {
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(crate::error::TimeError::DateOutOfRange)?;
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(crate::error::TimeError::DateOutOfRange)?;
    Ok((jan1, dec31))
}

pub(crate) fn view(a: LeaveApplication, t: &LeaveType) -> LeaveApplicationView {
    LeaveApplicationView {
        days: minutes_to_days(a.duration_minutes),
        leave_type_code: t.code.clone(),
        leave_type_name_zh: t.name_zh.clone(),
        leave_type_name_en: t.name_en.clone(),
        application: a,
    }
}

fn balance_view(t: &LeaveType, lots: &Lots, pending: i64, as_of: NaiveDate, window: NaiveDate) -> BalanceView {
    let balance = lots.balance();
    let soon = lots.next_expiry(as_of.pred_opt().unwrap_or(as_of), window);
    BalanceView {
        leave_type_id: t.id,
        leave_type_code: t.code.clone(),
        name_zh: t.name_zh.clone(),
        name_en: t.name_en.clone(),
        unit: t.unit,
        balance_tracked: t.balance_tracked,
        granted: minutes_to_days(lots.granted),
        used: minutes_to_days(lots.used),
        adjusted_down: minutes_to_days(lots.adjusted_down),
        expired: minutes_to_days(lots.expired),
        balance: minutes_to_days(balance),
        pending: minutes_to_days(pending),
        available: minutes_to_days(balance - pending),
        expiring_soon: minutes_to_days(soon.map_or(0, |(_, m)| m)),
        expiring_on: soon.map(|(d, _)| d),
        balance_minutes: balance,
        pending_minutes: pending,
        available_minutes: balance - pending,
    }
}

fn patch_fields(p: &LeaveTypePatch) -> Vec<&'static str> {
    let mut f = Vec::new();
    let mut add = |set: bool, name: &'static str| {
        if set {
            f.push(name);
        }
    };
    add(p.name_zh.is_some(), "name_zh");
    add(p.name_en.is_some(), "name_en");
    add(p.unit.is_some(), "unit");
    add(p.paid.is_some(), "paid");
    add(p.pay_ratio.is_some(), "pay_ratio");
    add(p.counting.is_some(), "counting");
    add(p.balance_tracked.is_some(), "balance_tracked");
    add(p.entitlement.is_some(), "entitlement");
    add(p.max_days_per_application.is_some(), "max_days_per_application");
    add(p.gender.is_some(), "gender");
    add(p.carry_over_max_days.is_some(), "carry_over_max_days");
    add(p.carry_over_expiry_months.is_some(), "carry_over_expiry_months");
    add(p.allow_negative.is_some(), "allow_negative");
    add(p.policy.is_some(), "policy");
    add(p.active.is_some(), "active");
    f
}

/// The decision of a transition for a document in `from` statuses: the status it moves to.
pub(crate) fn decision_of(status: InstanceStatus) -> (Vec<ApplicationStatus>, ApplicationStatus) {
    use ApplicationStatus as S;
    match status {
        InstanceStatus::Pending => (vec![S::Pending, S::Returned], S::Pending),
        InstanceStatus::Approved => (vec![S::Pending], S::Approved),
        InstanceStatus::Rejected => (vec![S::Pending], S::Rejected),
        InstanceStatus::Returned => (vec![S::Pending], S::Returned),
        InstanceStatus::Withdrawn => (vec![S::Pending, S::Returned], S::Withdrawn),
    }
}

/// The user a transition was made by (for ledger rows it causes), from its audit events.
pub(crate) fn transition_user(t: &bole_workflow::Transition) -> UserId {
    t.audit.iter().find_map(|e| e.actor_id).unwrap_or(UserId(uuid::Uuid::nil()))
}
