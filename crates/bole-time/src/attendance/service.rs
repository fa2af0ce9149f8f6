//! Attendance use cases: calendars (national + stored layers), shifts and schedules, clock in/out
//! and time-clock imports, attendance days (self-service month, team month), and the monthly
//! summary that payroll reads. Each use case authorises first (`actor.authorize`), turns the
//! scope into a row filter, then calls the store.

use super::error::AttendanceError;
use super::model::*;
use super::rules;
use super::store::{AttendanceStore, EmployeeRef, EmployeeSelection};
use crate::calendar::{CalendarLayer, DayOverride, WorkCalendar, YearSummary};
use bole_core::clock::SharedClock;
use bole_core::{
    Actor, AuditLog, CompanyId, DateRange, EmployeeId, Msg, OrgUnitId, Outcome, Page, PageRequest, Permission,
};
use bole_org::OrgService;
use bole_people::{PeopleError, PeopleService, RowScope};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use utoipa::ToSchema;
use uuid::Uuid;

/// A punch lying further in the future than this (clock skew of a time clock) is refused.
const FUTURE_TOLERANCE_MINUTES: i64 = 5;

/// The calendar of a year as the API shows it: the national summary (`bole calendar <year>`)
/// with the stored layers applied, and the layer days themselves.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CalendarYearView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub summary: YearSummary,
    pub layer_days: Vec<LayerDayView>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LayerDayView {
    pub layer_id: Uuid,
    pub layer: String,
    pub date: NaiveDate,
    /// `workday`, `rest_day`, `day_off` or `statutory_holiday`.
    pub kind: String,
    pub note: Option<String>,
}

/// Filter of the summary list and of payroll's read.
#[derive(Clone, Debug, Default)]
pub struct SummaryFilter {
    /// Home unit subtree (the unit and everything below it today).
    pub org_unit_id: Option<OrgUnitId>,
}

#[derive(Clone)]
pub struct AttendanceService {
    store: Arc<dyn AttendanceStore>,
    people: PeopleService,
    org: OrgService,
    audit: Arc<dyn AuditLog>,
    clock: SharedClock,
}

impl std::fmt::Debug for AttendanceService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttendanceService").finish_non_exhaustive()
    }
}

fn people_err(e: PeopleError) -> AttendanceError {
    match e {
        PeopleError::Forbidden(f) => AttendanceError::Forbidden(f),
        PeopleError::EmployeeNotFound => AttendanceError::EmployeeNotFound,
        other => AttendanceError::Storage(other.to_string()),
    }
}

fn org_err(e: bole_org::OrgError) -> AttendanceError {
    use bole_core::Failure;
    if e.kind() == bole_core::ErrorKind::NotFound {
        AttendanceError::OrgUnitNotFound
    } else {
        AttendanceError::Storage(e.to_string())
    }
}

fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> AttendanceError {
    AttendanceError::field(field, Msg::new(zh, en))
}

impl AttendanceService {
    pub fn new(
        store: Arc<dyn AttendanceStore>,
        people: PeopleService,
        org: OrgService,
        audit: Arc<dyn AuditLog>,
        clock: SharedClock,
    ) -> Self {
        Self { store, people, org, audit, clock }
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    async fn scope(&self, actor: &Actor, permission: Permission) -> Result<RowScope, AttendanceError> {
        self.people.row_scope(actor, permission).await.map_err(people_err)
    }

    /// Authorise `permission` on one employee; outside the scope the employee does not exist for
    /// this actor (404), and the refusal is audited.
    async fn guard(&self, actor: &Actor, permission: Permission, id: EmployeeId) -> Result<(), AttendanceError> {
        let rs = match self.scope(actor, permission).await {
            Ok(rs) => rs,
            Err(e) => {
                self.audit_denied(actor, permission, id).await;
                return Err(e);
            }
        };
        if rs.all || rs.me == Some(id) || !self.store.in_scope(&rs, &[id]).await?.is_empty() {
            return Ok(());
        }
        self.audit_denied(actor, permission, id).await;
        Err(AttendanceError::EmployeeNotFound)
    }

    async fn audit_denied(&self, actor: &Actor, permission: Permission, id: EmployeeId) {
        let ev = actor
            .audit(self.clock.now(), &format!("attendance.denied.{}", permission.as_str()), "employee")
            .subject(id)
            .outcome(Outcome::Denied);
        if let Err(e) = self.audit.append(&[ev]).await {
            tracing::error!(error = %e, "audit append failed");
        }
    }

    // ---------------------------------------------------------------------------------------
    // Calendars

    /// The national calendar with the stored layers that apply to `company` (and `region`).
    pub async fn work_calendar(
        &self,
        company: Option<CompanyId>,
        region: Option<&str>,
    ) -> Result<WorkCalendar, AttendanceError> {
        let mut cal = WorkCalendar::national()?;
        for l in self.store.calendar_layers().await? {
            let company_ok = l.company_id.is_none() || l.company_id == company;
            let region_ok = l.region.is_none() || l.region.as_deref() == region;
            if company_ok && region_ok {
                cal = cal.with_layer(l.layer)?;
            }
        }
        Ok(cal)
    }

    /// `GET /calendars/{year}`: unknown years are `calendar_year_not_covered` (404).
    pub async fn calendar_year(
        &self,
        actor: &Actor,
        year: i32,
        company: Option<CompanyId>,
        region: Option<&str>,
    ) -> Result<CalendarYearView, AttendanceError> {
        actor.authorize(Permission::TimeRead)?;
        let layers = self.store.calendar_layers().await?;
        let mut cal = WorkCalendar::national()?;
        let mut layer_days = Vec::new();
        for l in layers {
            let company_ok = l.company_id.is_none() || l.company_id == company;
            let region_ok = l.region.is_none() || l.region.as_deref() == region;
            if !(company_ok && region_ok) {
                continue;
            }
            for d in l.layer.days.iter().filter(|d| chrono::Datelike::year(&d.date) == year) {
                layer_days.push(LayerDayView {
                    layer_id: l.id,
                    layer: l.layer.name.clone(),
                    date: d.date,
                    kind: override_kind_str(d.kind).into(),
                    note: d.note.clone(),
                });
            }
            cal = cal.with_layer(l.layer)?;
        }
        layer_days.sort_by_key(|d| d.date);
        Ok(CalendarYearView { summary: cal.year_summary(year)?, layer_days })
    }

    pub async fn calendar_layers(&self, actor: &Actor) -> Result<Vec<StoredLayer>, AttendanceError> {
        actor.authorize(Permission::TimeRead)?;
        self.store.calendar_layers().await
    }

    pub async fn create_layer(&self, actor: &Actor, input: NewCalendarLayer) -> Result<StoredLayer, AttendanceError> {
        actor.authorize(Permission::TimeAdmin)?;
        let name = input.name.trim().to_string();
        if name.is_empty() {
            return Err(invalid("name", "请填写日历层名称", "give the layer a name"));
        }
        let valid = DateRange::new(input.valid_from, input.valid_to)
            .ok_or_else(|| invalid("valid_to", "结束日期须晚于开始日期", "valid_to must be after valid_from"))?;
        let layer = CalendarLayer { name, source: input.source, valid, days: input.days, annual: vec![] };
        // Compiling refuses a date set twice; check before storing.
        WorkCalendar::national()?.with_layer(layer.clone())?;
        let stored = StoredLayer {
            id: Uuid::now_v7(),
            company_id: input.company_id,
            region: input.region.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
            layer,
            created_at: self.clock.now(),
            created_by: actor.username.clone(),
        };
        let ev = actor
            .audit(self.clock.now(), "attendance.calendar_layer.create", "calendar_layer")
            .subject(stored.id)
            .fields(["name", "valid", "days"]);
        self.store.insert_layer(&stored, &[ev]).await?;
        Ok(stored)
    }

    pub async fn add_layer_days(
        &self,
        actor: &Actor,
        layer: Uuid,
        days: Vec<DayOverride>,
    ) -> Result<StoredLayer, AttendanceError> {
        actor.authorize(Permission::TimeAdmin)?;
        if days.is_empty() {
            return Err(invalid("days", "请至少提供一天", "give at least one day"));
        }
        let mut seen = HashSet::new();
        for d in &days {
            if !seen.insert(d.date) {
                return Err(AttendanceError::DuplicateLayerDay(d.date));
            }
        }
        let ev = actor
            .audit(self.clock.now(), "attendance.calendar_layer.add_days", "calendar_layer")
            .subject(layer)
            .fields(["days"]);
        self.store.add_layer_days(layer, &days, &[ev]).await?;
        self.store.calendar_layers().await?.into_iter().find(|l| l.id == layer).ok_or(AttendanceError::LayerNotFound)
    }

    // ---------------------------------------------------------------------------------------
    // Shifts and schedules

    pub async fn shifts(&self, actor: &Actor) -> Result<Vec<Shift>, AttendanceError> {
        actor.authorize(Permission::TimeRead)?;
        let mut all = vec![Shift::standard()];
        all.extend(self.store.shifts().await?);
        Ok(all)
    }

    async fn catalogue(&self) -> Result<HashMap<String, Shift>, AttendanceError> {
        Ok(self.store.shifts().await?.into_iter().map(|s| (s.code.clone(), s)).collect())
    }

    fn check_rule(rule: &ShiftRule, catalogue: &HashMap<String, Shift>) -> Result<(), AttendanceError> {
        let problems = rules::validate_rule(rule, catalogue);
        if problems.is_empty() {
            return Ok(());
        }
        let mut f = bole_core::FieldErrors::new();
        for (field, zh, en) in problems {
            f.add(field, Msg::new(zh, en));
        }
        Err(AttendanceError::Invalid(f))
    }

    pub async fn create_shift(&self, actor: &Actor, input: NewShift) -> Result<Shift, AttendanceError> {
        actor.authorize(Permission::TimeAdmin)?;
        let code = input.code.trim().to_string();
        let code_ok = !code.is_empty()
            && code.len() <= 32
            && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !code_ok {
            return Err(invalid(
                "code",
                "班次代码须为1至32位字母、数字、-或_",
                "the shift code is 1 to 32 letters, digits, - or _",
            ));
        }
        if code == STANDARD_SHIFT_CODE {
            return Err(AttendanceError::DuplicateShiftCode(code));
        }
        if input.name.trim().is_empty() {
            return Err(invalid("name", "请填写班次名称", "give the shift a name"));
        }
        let catalogue = self.catalogue().await?;
        Self::check_rule(&input.rule, &catalogue)?;
        let now = self.clock.now();
        let shift = Shift {
            id: Uuid::now_v7(),
            code,
            name: input.name.trim().to_string(),
            rule: input.rule,
            active: true,
            created_at: now,
            updated_at: now,
        };
        let ev =
            actor.audit(now, "attendance.shift.create", "shift").subject(shift.id).fields(["code", "name", "rule"]);
        self.store.insert_shift(&shift, &[ev]).await?;
        Ok(shift)
    }

    /// Changes apply from today on (earlier days keep their verdict).
    pub async fn update_shift(&self, actor: &Actor, id: Uuid, patch: ShiftPatch) -> Result<Shift, AttendanceError> {
        actor.authorize(Permission::TimeAdmin)?;
        let catalogue = self.catalogue().await?;
        let mut shift = catalogue.values().find(|s| s.id == id).cloned().ok_or(AttendanceError::ShiftNotFound)?;
        let mut fields = Vec::new();
        if let Some(name) = patch.name {
            if name.trim().is_empty() {
                return Err(invalid("name", "请填写班次名称", "give the shift a name"));
            }
            shift.name = name.trim().to_string();
            fields.push("name");
        }
        if let Some(rule) = patch.rule {
            // A rotation must not end up referring to itself.
            let mut others = catalogue.clone();
            others.remove(&shift.code);
            Self::check_rule(&rule, &others)?;
            shift.rule = rule;
            fields.push("rule");
        }
        if let Some(active) = patch.active {
            shift.active = active;
            fields.push("active");
        }
        shift.updated_at = self.clock.now();
        let ev = actor.audit(shift.updated_at, "attendance.shift.update", "shift").subject(shift.id).fields(fields);
        self.store.update_shift(&shift, self.clock.today(), &[ev]).await?;
        Ok(shift)
    }

    pub async fn shift_assignments(
        &self,
        actor: &Actor,
        filter: AssignmentFilter,
    ) -> Result<Vec<ShiftAssignment>, AttendanceError> {
        actor.authorize(Permission::TimeRead)?;
        let mut filter = filter;
        if filter.employee_id.is_none() && !actor.can(Permission::TimeAdmin) {
            // Unit-wide schedules are an administrator's view; anyone else sees their own.
            match actor.employee_id {
                Some(own) => filter.employee_id = Some(own),
                None => return Ok(Vec::new()),
            }
        }
        if let Some(e) = filter.employee_id {
            self.guard(actor, Permission::TimeRead, e).await?;
        }
        self.store.shift_assignments(&filter).await
    }

    pub async fn assign_shift(
        &self,
        actor: &Actor,
        input: NewShiftAssignment,
    ) -> Result<ShiftAssignment, AttendanceError> {
        actor.authorize(Permission::TimeAdmin)?;
        let valid = DateRange::new(input.valid_from, input.valid_to)
            .ok_or_else(|| invalid("valid_to", "结束日期须晚于开始日期", "valid_to must be after valid_from"))?;
        let shift = self
            .store
            .shifts()
            .await?
            .into_iter()
            .find(|s| s.id == input.shift_id)
            .ok_or(AttendanceError::ShiftNotFound)?;
        if !shift.active {
            return Err(invalid("shift_id", "该班次已停用", "the shift is inactive"));
        }
        if let ScheduleTarget::Employee { employee_id } = input.target {
            self.guard(actor, Permission::TimeAdmin, employee_id).await?;
        }
        let now = self.clock.now();
        let a = ShiftAssignment {
            id: Uuid::now_v7(),
            target: input.target,
            shift_id: shift.id,
            shift_code: shift.code,
            valid,
            created_at: now,
            created_by: actor.username.clone(),
        };
        let target_id = match a.target {
            ScheduleTarget::Employee { employee_id } => employee_id.0,
            ScheduleTarget::OrgUnit { org_unit_id } => org_unit_id.0,
        };
        let ev = actor
            .audit(now, "attendance.shift_assignment.create", "shift_assignment")
            .subject(a.id)
            .subject(target_id)
            .fields(["shift_id", "valid"]);
        self.store.insert_shift_assignment(&a, &[ev]).await?;
        Ok(a)
    }

    // ---------------------------------------------------------------------------------------
    // Punches

    /// Self-service clock in/out for the caller's own employee record, at the server's time.
    pub async fn clock(&self, actor: &Actor, input: NewPunch) -> Result<PunchView, AttendanceError> {
        let scope = actor.authorize(Permission::TimeWrite)?;
        let me = actor.employee_id.ok_or(AttendanceError::NoEmployeeRecord)?;
        if let Some(parts) = scope.limited()
            && !parts.iter().any(|p| matches!(p, bole_core::DataScope::Own))
        {
            self.guard(actor, Permission::TimeWrite, me).await?;
        }
        let location = match (input.lat, input.lng) {
            (None, None) => None,
            (Some(lat), Some(lng)) => Some(location(lat, lng, input.accuracy)?),
            _ => return Err(invalid("lat", "经纬度须同时提供", "give both latitude and longitude")),
        };
        let device = input.device.map(|d| d.trim().chars().take(64).collect::<String>()).filter(|d| !d.is_empty());
        let now = self.clock.now();
        let mut punch = Punch::new(me, now, PunchSource::App, now);
        punch.location = location;
        punch.device = device;
        let ev = actor.audit(now, "attendance.punch", "employee").subject(me).fields(if location.is_some() {
            vec!["at", "location"]
        } else {
            vec!["at"]
        });
        self.store.record_punches(std::slice::from_ref(&punch), self.clock.today(), &[ev]).await?;
        Ok(punch.into())
    }

    /// Punches from a time-clock CSV (`employee_no,time,device`; time `YYYY-MM-DD HH:MM[:SS]`,
    /// local). Every row is checked first; any bad row → nothing is written and the errors come
    /// back per line. Rows already stored (same employee, same second) are ignored and counted.
    pub async fn import_punches(
        &self,
        actor: &Actor,
        company: CompanyId,
        bytes: &[u8],
    ) -> Result<PunchImportReport, AttendanceError> {
        // Self-service punches take the server's time; a time-clock file is HR's to import, so a
        // grant over one's own record alone (every employee has one) is not enough.
        let granted = actor.authorize(Permission::TimeWrite)?;
        if granted.limited().is_some_and(|parts| parts.iter().all(|p| *p == bole_core::DataScope::Own)) {
            return Err(AttendanceError::Forbidden(bole_core::Forbidden(Permission::TimeWrite)));
        }
        let scope = self.scope(actor, Permission::TimeWrite).await?;
        let text = decode_text(bytes)?;
        let rows = parse_punch_csv(&text)?;
        let now = self.clock.now();
        let latest = now + TimeDelta::minutes(FUTURE_TOLERANCE_MINUTES);
        let mut errors = bole_core::FieldErrors::new();
        let mut nos: Vec<String> = rows.iter().map(|r| r.employee_no.clone()).collect();
        nos.sort();
        nos.dedup();
        let ids = self.store.ids_by_employee_no(company, &nos).await?;
        let known: Vec<EmployeeId> = ids.values().copied().collect();
        let allowed: HashSet<EmployeeId> = if scope.all {
            known.iter().copied().collect()
        } else {
            self.store.in_scope(&scope, &known).await?.into_iter().collect()
        };
        let mut punches = Vec::with_capacity(rows.len());
        let mut in_file: HashSet<(EmployeeId, chrono::DateTime<chrono::Utc>)> = HashSet::new();
        for r in &rows {
            let key = |f: &str| format!("rows[{}].{f}", r.line);
            let id = ids.get(&r.employee_no).copied().filter(|id| allowed.contains(id));
            if r.employee_no.is_empty() {
                errors.add(
                    key("employee_no"),
                    Msg::new(format!("第{}行 工号：不能为空", r.line), "employee_no is empty"),
                );
            } else if id.is_none() {
                errors.add(
                    key("employee_no"),
                    Msg::new(
                        format!(
                            "第{}行 工号：该单位没有工号为 {} 的员工（或不在您的管理范围内）",
                            r.line, r.employee_no
                        ),
                        format!(
                            "no employee with this number in the company (or outside your scope): {}",
                            r.employee_no
                        ),
                    ),
                );
            }
            let at = match &r.time {
                Ok(local) => {
                    let at = from_local(*local);
                    if at > latest {
                        errors.add(
                            key("time"),
                            Msg::new(format!("第{}行 时间：不能晚于当前时间", r.line), "the time is in the future"),
                        );
                        None
                    } else {
                        Some(at)
                    }
                }
                Err(raw) => {
                    errors.add(
                        key("time"),
                        Msg::new(
                            format!("第{}行 时间：“{raw}”不是 YYYY-MM-DD HH:MM[:SS] 格式", r.line),
                            format!("\"{raw}\" is not a time as YYYY-MM-DD HH:MM[:SS]"),
                        ),
                    );
                    None
                }
            };
            if r.device.chars().count() > 64 {
                errors.add(
                    key("device"),
                    Msg::new(format!("第{}行 设备：不能超过64个字符", r.line), "device is longer than 64"),
                );
            }
            if let (Some(id), Some(at)) = (id, at) {
                let mut p = Punch::new(id, at, PunchSource::Import, now);
                // A line repeated in the file counts as a duplicate, like one already stored.
                if !in_file.insert((id, p.at)) {
                    continue;
                }
                p.device = Some(r.device.clone()).filter(|d| !d.is_empty());
                punches.push(p);
            }
        }
        if !errors.is_empty() {
            return Err(AttendanceError::ImportRows(errors));
        }
        let employees: HashSet<EmployeeId> = punches.iter().map(|p| p.employee_id).collect();
        let batch = Uuid::now_v7();
        let ev = actor.audit(now, "attendance.punch_import", "punch_import").subject(batch).subject(company).fields([
            "employee_id".to_string(),
            "at".to_string(),
            "device".to_string(),
            format!("rows={}", rows.len()),
            format!("employees={}", employees.len()),
        ]);
        let (inserted, days) = self.store.record_punches(&punches, self.clock.today(), &[ev]).await?;
        tracing::info!(
            import.rows = rows.len(),
            import.inserted = inserted,
            import.employees = employees.len(),
            "punches imported"
        );
        let rows_n = u64::try_from(rows.len()).unwrap_or(u64::MAX);
        Ok(PunchImportReport {
            rows: rows_n,
            inserted,
            duplicates: rows_n.saturating_sub(inserted),
            employees: u64::try_from(employees.len()).unwrap_or(u64::MAX),
            days_recomputed: days,
        })
    }

    pub async fn punches(
        &self,
        actor: &Actor,
        employee: EmployeeId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PunchView>, AttendanceError> {
        check_range(from, to)?;
        self.guard(actor, Permission::TimeRead, employee).await?;
        Ok(self.store.punches(employee, from, to).await?.into_iter().map(PunchView::from).collect())
    }

    // ---------------------------------------------------------------------------------------
    // Days

    /// My month: every day with its status (derived on demand) and the month's totals.
    pub async fn my_month(&self, actor: &Actor, month: Month) -> Result<MyMonth, AttendanceError> {
        actor.authorize(Permission::TimeRead)?;
        let me = actor.employee_id.ok_or(AttendanceError::NoEmployeeRecord)?;
        self.guard(actor, Permission::TimeRead, me).await?;
        let (from, to) = (month.first(), month.last());
        self.store.ensure_days(&[me], from, to, self.clock.today()).await?;
        let days = self.store.days(&[me], from, to).await?;
        let totals = MonthTotals::of(&days);
        Ok(MyMonth { employee_id: me, month: month.to_string(), days, totals })
    }

    /// One employee's days in [from, to] (TimeRead over them).
    pub async fn days(
        &self,
        actor: &Actor,
        employee: EmployeeId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<AttendanceDay>, AttendanceError> {
        check_range(from, to)?;
        self.guard(actor, Permission::TimeRead, employee).await?;
        self.store.ensure_days(&[employee], from, to, self.clock.today()).await?;
        self.store.days(&[employee], from, to).await
    }

    /// A team's month. Without `org_unit_id`: the caller's direct reports. With it: that unit's
    /// subtree, within the caller's TimeRead scope.
    pub async fn team_month(
        &self,
        actor: &Actor,
        month: Month,
        org_unit_id: Option<OrgUnitId>,
    ) -> Result<TeamMonth, AttendanceError> {
        let scope = self.scope(actor, Permission::TimeRead).await?;
        let selection = match org_unit_id {
            Some(u) => EmployeeSelection {
                units: Some(self.org.expand_subtrees(&[u], self.clock.today()).await.map_err(org_err)?),
                reports_of: None,
            },
            None => EmployeeSelection {
                units: None,
                reports_of: Some(actor.employee_id.ok_or(AttendanceError::NoEmployeeRecord)?),
            },
        };
        let (from, to) = (month.first(), month.last());
        let members: Vec<EmployeeRef> = self.store.employees(&scope, &selection, from, to).await?;
        let ids: Vec<EmployeeId> = members.iter().map(|m| m.id).collect();
        self.store.ensure_days(&ids, from, to, self.clock.today()).await?;
        let mut by_emp: HashMap<EmployeeId, Vec<AttendanceDay>> = HashMap::new();
        for d in self.store.days(&ids, from, to).await? {
            by_emp.entry(d.employee_id).or_default().push(d);
        }
        let members = members
            .into_iter()
            .map(|m| {
                let days = by_emp.remove(&m.id).unwrap_or_default();
                let totals = MonthTotals::of(&days);
                TeamMember { employee_id: m.id, employee_no: m.employee_no, name: m.name, days, totals }
            })
            .collect();
        Ok(TeamMonth { month: month.to_string(), members })
    }

    // ---------------------------------------------------------------------------------------
    // Monthly summaries

    async fn selection(&self, filter: &SummaryFilter) -> Result<EmployeeSelection, AttendanceError> {
        Ok(EmployeeSelection {
            units: match filter.org_unit_id {
                Some(u) => Some(self.org.expand_subtrees(&[u], self.clock.today()).await.map_err(org_err)?),
                None => None,
            },
            reports_of: None,
        })
    }

    /// Derives any missing days of the month for everyone in the caller's scope (and filter),
    /// then (re)writes their summary rows. Idempotent.
    pub async fn compute_summaries(
        &self,
        actor: &Actor,
        month: Month,
        filter: SummaryFilter,
    ) -> Result<SummaryComputeReport, AttendanceError> {
        let scope = self.scope(actor, Permission::TimeWrite).await?;
        let selection = self.selection(&filter).await?;
        let (from, to) = (month.first(), month.last());
        let ids: Vec<EmployeeId> =
            self.store.employees(&scope, &selection, from, to).await?.into_iter().map(|e| e.id).collect();
        let derived = self.store.ensure_days(&ids, from, to, self.clock.today()).await?;
        let now = self.clock.now();
        let ev = actor
            .audit(now, "attendance.summary.compute", "attendance_month")
            .subject(month)
            .fields([format!("employees={}", ids.len())]);
        let written = self.store.compute_summaries(&ids, month, now, &[ev]).await?;
        Ok(SummaryComputeReport { month: month.to_string(), employees: written, days_derived: derived })
    }

    pub async fn summaries(
        &self,
        actor: &Actor,
        month: Month,
        filter: SummaryFilter,
        page: PageRequest,
    ) -> Result<Page<MonthlySummary>, AttendanceError> {
        let scope = self.scope(actor, Permission::TimeRead).await?;
        let selection = self.selection(&filter).await?;
        self.store.summaries(month, &scope, &selection, page).await
    }

    /// Payroll's read: every stored summary of the month in the caller's TimeRead scope.
    /// Call [`compute_summaries`](Self::compute_summaries) first for figures as of now.
    pub async fn monthly_summaries(
        &self,
        actor: &Actor,
        month: Month,
        filter: SummaryFilter,
    ) -> Result<Vec<MonthlySummary>, AttendanceError> {
        let scope = self.scope(actor, Permission::TimeRead).await?;
        let selection = self.selection(&filter).await?;
        self.store.all_summaries(month, &scope, &selection).await
    }

    // ---------------------------------------------------------------------------------------
    // Policy

    pub async fn policy(&self, actor: &Actor) -> Result<AttendancePolicy, AttendanceError> {
        actor.authorize(Permission::TimeRead)?;
        self.store.policy().await
    }

    pub async fn set_policy(
        &self,
        actor: &Actor,
        policy: AttendancePolicy,
    ) -> Result<AttendancePolicy, AttendanceError> {
        actor.authorize(Permission::TimeAdmin)?;
        if policy.overtime_unit_minutes == 0 || policy.overtime_unit_minutes > 240 {
            return Err(invalid(
                "overtime_unit_minutes",
                "加班计量单位须在1至240分钟之间",
                "the unit is 1 to 240 minutes",
            ));
        }
        if policy.overtime_threshold_minutes > 480 {
            return Err(invalid(
                "overtime_threshold_minutes",
                "加班起算时长不能超过480分钟",
                "the threshold cannot exceed 480 minutes",
            ));
        }
        let now = self.clock.now();
        let ev = actor.audit(now, "attendance.policy.update", "attendance_policy").fields([
            "overtime_requires_approval",
            "overtime_threshold_minutes",
            "overtime_unit_minutes",
        ]);
        self.store.set_policy(&policy, now, &[ev]).await?;
        Ok(policy)
    }
}

fn override_kind_str(k: crate::calendar::OverrideKind) -> &'static str {
    use crate::calendar::OverrideKind as K;
    match k {
        K::Workday => "workday",
        K::RestDay => "rest_day",
        K::DayOff => "day_off",
        K::StatutoryHoliday => "statutory_holiday",
    }
}

fn check_range(from: NaiveDate, to: NaiveDate) -> Result<(), AttendanceError> {
    if to < from {
        return Err(invalid("to", "结束日期不能早于开始日期", "the end date must not be before the start date"));
    }
    if (to - from).num_days() > 366 {
        return Err(invalid("to", "查询范围不能超过一年", "the range cannot exceed one year"));
    }
    Ok(())
}

fn location(lat: f64, lng: f64, accuracy: Option<f64>) -> Result<PunchLocation, AttendanceError> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
        return Err(invalid("lat", "经纬度超出范围", "latitude/longitude out of range"));
    }
    let accuracy_m = match accuracy {
        Some(a) if !(0.0..=100_000.0).contains(&a) => {
            return Err(invalid("accuracy", "定位精度须在0至100000米之间", "accuracy must be 0 to 100000 metres"));
        }
        Some(a) => Some(a.round() as i32),
        None => None,
    };
    // Range-checked above, so the products fit in i32 (±180 000 000).
    Ok(PunchLocation { lat_micro: (lat * 1e6).round() as i32, lng_micro: (lng * 1e6).round() as i32, accuracy_m })
}

/// One data row of a punch file.
#[derive(Debug)]
struct CsvPunch {
    line: u64,
    employee_no: String,
    /// The local time, or the raw text when it does not parse.
    time: Result<NaiveDateTime, String>,
    device: String,
}

/// Text of a CSV file: a BOM decides the encoding; otherwise UTF-8 when valid, else GB18030 (a
/// superset of GBK, what Chinese Excel and most time clocks write). As the roster import does.
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, AttendanceError> {
    let undecodable = || {
        invalid(
            "file",
            "无法识别CSV文件的文字编码：请使用 UTF-8 或 GBK 编码保存",
            "cannot tell the CSV file's text encoding: save it as UTF-8 or GBK",
        )
    };
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = bytes.get(bom..).unwrap_or_default();
        return encoding.decode_without_bom_handling_and_without_replacement(body).ok_or_else(undecodable);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => {
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes).ok_or_else(undecodable)
        }
    }
}

fn parse_local_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// Rows of `employee_no,time[,device]`. A first line naming the columns (English or 工号/时间/设备)
/// is a header; line numbers count it.
fn parse_punch_csv(text: &str) -> Result<Vec<CsvPunch>, AttendanceError> {
    let text = text.replace("\r\n", "\n");
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 1;
        let record = record.map_err(|e| {
            invalid("file", format!("第{line}行：CSV格式有误（{e}）"), format!("line {line}: bad CSV ({e})"))
        })?;
        let field = |n: usize| record.get(n).unwrap_or_default().to_string();
        let first = field(0);
        if line == 1 && matches!(first.to_lowercase().as_str(), "employee_no" | "工号" | "员工编号") {
            continue;
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        let raw_time = field(1);
        out.push(CsvPunch {
            line,
            employee_no: first,
            time: parse_local_time(&raw_time).ok_or(raw_time),
            device: field(2),
        });
    }
    if out.is_empty() {
        return Err(invalid("file", "文件中没有打卡记录", "the file has no punch rows"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_header_and_gbk() {
        let (bytes, _, _) =
            encoding_rs::GBK.encode("工号,时间,设备\nE001,2026-03-02 08:59,大门\nE002,2026/03/02 18:01:30,\n");
        let text = decode_text(&bytes).unwrap();
        let rows = parse_punch_csv(&text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].device, "大门");
        assert_eq!(rows[1].time.as_ref().unwrap().to_string(), "2026-03-02 18:01:30");
        let bad = parse_punch_csv("E001,yesterday\n").unwrap();
        assert_eq!(bad[0].time, Err("yesterday".to_string()));
    }

    #[test]
    fn locations_are_micro_degrees() {
        let l = location(22.817_002, 108.366_543, Some(12.4)).unwrap();
        assert_eq!((l.lat_micro, l.lng_micro, l.accuracy_m), (22_817_002, 108_366_543, Some(12)));
        assert!(location(91.0, 0.0, None).is_err());
    }
}
