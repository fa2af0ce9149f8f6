//! People use cases: onboarding (one or a batch), personal-data edits, lifecycle
//! events and corrections, as-of reads, lists, the archive timeline, contracts,
//! org-unit merges (staff side) and the data-quality report.

use crate::classify::{self, RevealedFields};
use crate::error::PeopleError;
use crate::model::*;
use crate::roster::{self, HeaderMap, RosterErrors, RosterExportRow, RosterFormat, RosterMaps, RosterNames};
use crate::rules::{self, ValidPerson};
use crate::standards::{self, PersonFacts};
use crate::store::*;
use bole_core::clock::SharedClock;
use bole_core::{
    Actor, AuditEvent, AuditLog, CompanyId, ContractId, DataScope, DateRange, EmployeeId, EventId, FieldErrors, Msg,
    OrgUnitId, Outcome, Page, PageRequest, Permission,
};
use bole_org::{OrgService, OrgStore, OrgUnitView, Position};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Problems found in a batch, by 0-based row index; the batch is not written.
#[derive(Debug, Default)]
pub struct RowErrors(pub Vec<(usize, FieldErrors)>);

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("{} rows have errors", .0.0.len())]
    Rows(RowErrors),
    #[error(transparent)]
    Other(#[from] PeopleError),
}

/// List query as the API receives it.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub company_id: Option<CompanyId>,
    pub org_unit_id: Option<OrgUnitId>,
    /// With `org_unit_id`: include everyone below it (default true).
    pub include_subunits: bool,
    pub statuses: Option<Vec<EmployeeStatus>>,
    pub hired_from: Option<NaiveDate>,
    pub hired_to: Option<NaiveDate>,
    pub text: Option<String>,
    pub as_of: Option<NaiveDate>,
    pub page: PageRequest,
}

#[derive(Clone)]
pub struct PeopleService {
    store: Arc<dyn PeopleStore>,
    org_store: Arc<dyn OrgStore>,
    org: OrgService,
    audit: Arc<dyn AuditLog>,
    clock: SharedClock,
}

impl std::fmt::Debug for PeopleService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeopleService").finish_non_exhaustive()
    }
}

/// Company structure loaded once for validating many rows without N+1 reads.
struct CompanyShape {
    units: HashMap<OrgUnitId, Vec<OrgUnitView>>,
    positions: HashMap<bole_core::PositionId, Position>,
}

impl CompanyShape {
    fn unit_on(&self, id: OrgUnitId, day: NaiveDate) -> bool {
        self.units.get(&id).is_some_and(|vs| vs.iter().any(|v| v.valid.contains(day)))
    }
}

fn field(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") }
}

impl PeopleService {
    pub fn new(
        store: Arc<dyn PeopleStore>,
        org_store: Arc<dyn OrgStore>,
        audit: Arc<dyn AuditLog>,
        clock: SharedClock,
    ) -> Self {
        let org = OrgService::new(org_store.clone(), clock.clone());
        Self { store, org_store, org, audit, clock }
    }

    /// The rows `permission` reaches for this actor, subtrees expanded on today's org.
    pub async fn row_scope(&self, actor: &Actor, permission: Permission) -> Result<RowScope, PeopleError> {
        let scope = actor.authorize(permission)?;
        let Some(parts) = scope.limited() else { return Ok(RowScope::everything()) };
        let today = self.clock.today();
        let mut rs = RowScope { on: Some(today), ..Default::default() };
        let mut roots: Vec<OrgUnitId> = Vec::new();
        for part in parts {
            match part {
                DataScope::All => return Ok(RowScope::everything()),
                DataScope::Own => rs.me = actor.employee_id,
                DataScope::DirectReports => rs.reports_of = actor.employee_id,
                DataScope::Companies { companies } => rs.companies.extend(companies.iter().copied()),
                DataScope::Subtrees { units } => roots.extend(units.iter().copied()),
            }
        }
        // A granted unit dissolved since the grant covers nothing any more.
        rs.units = self.org.expand_subtrees(&roots, today).await?;
        Ok(rs)
    }

    /// Keep the items whose employee lies inside `rs` (one query for all of them).
    async fn retain_in_scope<T>(
        &self,
        rs: &RowScope,
        items: &mut Vec<T>,
        employee: impl Fn(&T) -> EmployeeId,
    ) -> Result<(), PeopleError> {
        if rs.all {
            return Ok(());
        }
        let ids: Vec<EmployeeId> = items.iter().map(&employee).collect();
        let allowed: HashSet<EmployeeId> = self.store.in_scope(rs, &ids).await?.into_iter().collect();
        items.retain(|i| allowed.contains(&employee(i)));
        Ok(())
    }

    /// Authorise `permission` on one employee. Outside the scope the record does not
    /// exist for this actor (404, so ids cannot be probed); the refusal is audited.
    async fn guard(&self, actor: &Actor, permission: Permission, id: EmployeeId) -> Result<RowScope, PeopleError> {
        let rs = match self.row_scope(actor, permission).await {
            Ok(rs) => rs,
            Err(e) => {
                self.audit_denied(actor, permission, &[id]).await;
                return Err(e);
            }
        };
        if rs.all || rs.me == Some(id) || !self.store.in_scope(&rs, &[id]).await?.is_empty() {
            return Ok(rs);
        }
        self.audit_denied(actor, permission, &[id]).await;
        Err(PeopleError::EmployeeNotFound)
    }

    async fn audit_denied(&self, actor: &Actor, permission: Permission, ids: &[EmployeeId]) {
        let ev = actor
            .audit(self.clock.now(), &format!("employee.denied.{}", permission.as_str()), "employee")
            .subjects(ids.iter().map(|i| i.0))
            .outcome(Outcome::Denied);
        if let Err(e) = self.audit.append(&[ev]).await {
            tracing::error!(error = %e, "audit append failed");
        }
    }

    /// Record a read of sensitive data outside any write.
    async fn audit_read(&self, ev: AuditEvent) -> Result<(), PeopleError> {
        self.audit.append(&[ev]).await.map_err(|e| PeopleError::Storage(e.to_string()))
    }

    fn event(&self, actor: &Actor, action: &str, ids: &[EmployeeId]) -> AuditEvent {
        actor.audit(self.clock.now(), action, "employee").subjects(ids.iter().map(|i| i.0))
    }

    /// Refuse writes that would place someone outside the actor's scope.
    fn check_placement(rs: &RowScope, company: CompanyId, unit: OrgUnitId) -> Result<(), PeopleError> {
        if rs.all || rs.companies.contains(&company) || rs.units.contains(&unit) {
            Ok(())
        } else {
            Err(PeopleError::Forbidden(bole_core::Forbidden(Permission::EmployeeWrite)))
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    async fn shape(&self, company: CompanyId) -> Result<CompanyShape, PeopleError> {
        let mut units: HashMap<OrgUnitId, Vec<OrgUnitView>> = HashMap::new();
        for v in self.org_store.unit_versions_of_company(company).await? {
            units.entry(v.id).or_default().push(v);
        }
        let positions = self.org_store.positions_of_company(company).await?.into_iter().map(|p| (p.id, p)).collect();
        Ok(CompanyShape { units, positions })
    }

    /// Checks a placement against the company's structure on `day`.
    fn check_job(
        &self,
        shape: &CompanyShape,
        prefix: &str,
        job: &mut JobPlacement,
        day: NaiveDate,
        errs: &mut FieldErrors,
    ) {
        if !shape.unit_on(job.org_unit_id, day) {
            errs.add(
                field(prefix, "org_unit_id"),
                Msg::new(
                    format!("组织单元不存在或在 {day} 不在用"),
                    format!("org unit does not exist or is not in force on {day}"),
                ),
            );
        }
        if let Some(pid) = job.position_id {
            match shape.positions.get(&pid) {
                Some(p) if p.valid.contains(day) && p.org_unit_id == job.org_unit_id => {}
                Some(p) if p.org_unit_id != job.org_unit_id => errs.add(
                    field(prefix, "position_id"),
                    Msg::new("岗位不属于所选组织单元", "the position does not belong to the chosen org unit"),
                ),
                _ => errs.add(
                    field(prefix, "position_id"),
                    Msg::new(
                        format!("岗位不存在或在 {day} 不在用"),
                        format!("position does not exist or is not in force on {day}"),
                    ),
                ),
            }
        }
        job.quota_category = rules::check_quota_category(&field(prefix, "quota_category"), &job.quota_category, errs);
        if job.work_location.as_deref().is_some_and(|w| w.chars().count() > 100) {
            errs.add(
                field(prefix, "work_location"),
                Msg::new("工作地点不超过100个字", "work location must be at most 100 characters"),
            );
        }
    }

    fn check_educations(list: &mut [Education], errs: &mut FieldErrors) {
        for (i, e) in list.iter_mut().enumerate() {
            let f = |n: &str| format!("educations[{i}].{n}");
            if e.school.trim().is_empty() || e.school.chars().count() > 100 {
                errs.add(f("school"), Msg::new("学校名称不能为空且不超过100个字", "school must be 1–100 characters"));
            }
            match standards::dictionaries::EDUCATION_LEVEL.normalize(&e.education_level) {
                Some(en) => e.education_level = en.code.to_string(),
                None => errs
                    .add(f("education_level"), Msg::new("学历不是标准值", "education level is not a standard value")),
            }
            if let Some(d) = &e.degree {
                match standards::dictionaries::DEGREE.normalize(d) {
                    Some(en) => e.degree = Some(en.code.to_string()),
                    None => errs.add(f("degree"), Msg::new("学位不是标准值", "degree is not a standard value")),
                }
            }
            if let (Some(s), Some(t)) = (e.start_date, e.end_date)
                && t < s
            {
                errs.add(f("end_date"), Msg::new("毕业日期早于入学日期", "end date is before start date"));
            }
        }
    }

    fn check_contacts(list: &mut [Contact], errs: &mut FieldErrors) {
        for (i, c) in list.iter_mut().enumerate() {
            let f = |n: &str| format!("contacts[{i}].{n}");
            if c.name.trim().is_empty() || c.name.chars().count() > 50 {
                errs.add(f("name"), Msg::new("姓名不能为空且不超过50个字", "name must be 1–50 characters"));
            }
            match standards::dictionaries::FAMILY_RELATION.normalize(&c.relation) {
                Some(en) => c.relation = en.code.to_string(),
                None => errs.add(
                    f("relation"),
                    Msg::new(
                        "关系不是标准值（如 配偶、父亲、母亲）",
                        "relation is not a standard value (e.g. spouse, father, mother)",
                    ),
                ),
            }
            if let Some(p) = &c.phone {
                match standards::normalize_phone(p) {
                    Ok(n) => c.phone = Some(n),
                    Err(e) => errs.add(f("phone"), e.message()),
                }
            }
        }
    }

    /// Validates one new employee and builds what the store writes.
    fn prepare(
        &self,
        shape: &CompanyShape,
        input: NewEmployee,
        history: Vec<NewEvent>,
        actor: &Actor,
    ) -> Result<NewEmployeeRecord, FieldErrors> {
        let today = self.clock.today();
        let mut errs = FieldErrors::new();
        let person = rules::validate_person(&input.person, today);
        let person = match person {
            Ok(p) => Some(p),
            Err(e) => {
                for (k, v) in e.0 {
                    for m in v {
                        errs.add(k.clone(), m);
                    }
                }
                None
            }
        };
        rules::check_employee_no(&input.employee_no, &mut errs);
        if input.probation_months > 6 {
            errs.add(
                "probation_months",
                Msg::new(
                    "试用期最长6个月（劳动合同法第十九条）",
                    "probation is at most 6 months (Labour Contract Law art. 19)",
                ),
            );
        }
        if let Some(b) = person.as_ref().and_then(|p| p.birth_date)
            && input.hire_date < b
        {
            errs.add("hire_date", Msg::new("入职日期早于出生日期", "hire date is before the birth date"));
        }
        let mut job = input.job;
        self.check_job(shape, "job", &mut job, input.hire_date, &mut errs);
        let mut educations = input.educations;
        Self::check_educations(&mut educations, &mut errs);
        let mut contacts = input.contacts;
        Self::check_contacts(&mut contacts, &mut errs);
        errs.into_result()?;
        let Some(p) = person else { return Err(FieldErrors::new()) };
        let now = self.clock.now();
        let id = EmployeeId::new();
        let probation_end = rules::probation_end(input.hire_date, input.probation_months);
        let employee = Employee {
            id,
            company_id: input.company_id,
            employee_no: input.employee_no,
            name: p.name,
            gender: p.gender,
            birth_date: p.birth_date,
            id_type: p.id_type,
            id_number: p.id_number,
            ethnicity: p.ethnicity,
            political_status: p.political_status,
            marital_status: p.marital_status,
            native_place: p.native_place,
            education_level: p.education_level,
            degree: p.degree,
            phone: p.phone,
            email: p.email,
            address: p.address,
            bank_name: p.bank_name,
            bank_account: p.bank_account,
            employment_type: job.employment_type,
            hire_date: input.hire_date,
            probation_end,
            created_at: now,
            updated_at: now,
        };
        let event = EventRecord {
            id: EventId::new(),
            employee_id: id,
            effective_date: input.hire_date,
            kind: EventKind::Onboard { job, probation_end },
            reason: None,
            recorded_at: now,
            recorded_by: actor.user_id.to_string(),
        };
        let mut events = vec![event];
        let mut herrs = FieldErrors::new();
        for (i, h) in history.into_iter().enumerate() {
            let prefix = format!("history[{i}]");
            let date = match (&h.kind, h.effective_date) {
                (EventKind::Separate { last_day, .. }, None) => last_day.succ_opt().unwrap_or(*last_day),
                (_, Some(d)) => d,
                (_, None) => {
                    herrs.add(
                        field(&prefix, "effective_date"),
                        Msg::new("请填写生效日期", "effective_date is required"),
                    );
                    continue;
                }
            };
            let mut kind = h.kind;
            self.check_event(shape, &prefix, &mut kind, date, job_type(&events), &mut herrs);
            events.push(EventRecord {
                id: EventId::new(),
                employee_id: id,
                effective_date: date,
                kind,
                reason: h.reason,
                recorded_at: now,
                recorded_by: actor.user_id.to_string(),
            });
        }
        herrs.into_result()?;
        let assignments = rules::project(id, &events).map_err(|e| {
            let mut f = FieldErrors::new();
            f.add("job", bole_core::Failure::message(&e));
            f
        })?;
        Ok(NewEmployeeRecord { employee, educations, contacts, events, assignments })
    }

    /// 入职: create one employee with the onboard event.
    pub async fn onboard(&self, actor: &Actor, input: NewEmployee) -> Result<EmployeeDetail, PeopleError> {
        let rs = self.row_scope(actor, Permission::EmployeeWrite).await?;
        let company = input.company_id;
        Self::check_placement(&rs, company, input.job.org_unit_id)?;
        self.org_store.company(company).await?;
        let shape = self.shape(company).await?;
        let record = self.prepare(&shape, input, Vec::new(), actor)?;
        let checks = quota_checks_of(&record.assignments, record.employee.hire_date);
        let ev = self.event(actor, "employee.onboard", &[record.employee.id]).fields(classify::WRITTEN_ON_ONBOARD);
        self.store.insert_employees(std::slice::from_ref(&record), &checks, &[ev]).await?;
        self.detail(actor, record.employee.id, None).await
    }

    /// Onboard many employees of one company, all or nothing. Every row is
    /// validated, including duplicates within the batch and against the database.
    pub async fn onboard_batch(
        &self,
        actor: &Actor,
        company: CompanyId,
        rows: Vec<NewEmployee>,
    ) -> Result<Vec<EmployeeId>, BatchError> {
        self.import_with_history(actor, company, rows.into_iter().map(|r| (r, Vec::new())).collect()).await
    }

    /// Like `onboard_batch`, each employee with later lifecycle events (migrating
    /// records from a legacy system, or generating demo data). Events are checked
    /// against the structure on their dates and the lifecycle rules.
    pub async fn import_with_history(
        &self,
        actor: &Actor,
        company: CompanyId,
        rows: Vec<(NewEmployee, Vec<NewEvent>)>,
    ) -> Result<Vec<EmployeeId>, BatchError> {
        let rs = self.row_scope(actor, Permission::EmployeeImport).await?;
        for (i, (r, _)) in rows.iter().enumerate() {
            if r.company_id != company || Self::check_placement(&rs, company, r.job.org_unit_id).is_err() {
                let mut e = FieldErrors::new();
                e.add(
                    "job.org_unit_id",
                    Msg::new("该部门不在您的管理范围内", "this org unit is outside the scope you manage"),
                );
                return Err(BatchError::Rows(RowErrors(vec![(i, e)])));
            }
        }
        self.org_store.company(company).await.map_err(PeopleError::from)?;
        let shape = self.shape(company).await?;
        let nos: Vec<String> = rows.iter().map(|(r, _)| r.employee_no.clone()).collect();
        let taken_nos: HashSet<String> = self.store.ids_by_employee_no(company, &nos).await?.into_keys().collect();
        let mut records = Vec::with_capacity(rows.len());
        // The input index of each accepted record, to report later checks on the right row.
        let mut accepted_at: Vec<usize> = Vec::with_capacity(rows.len());
        let mut row_errors = RowErrors::default();
        let mut seen_no: HashMap<String, usize> = HashMap::new();
        let mut seen_id: HashMap<String, usize> = HashMap::new();
        for (i, (mut row, history)) in rows.into_iter().enumerate() {
            row.company_id = company;
            let no = row.employee_no.clone();
            match self.prepare(&shape, row, history, actor) {
                Ok(rec) => {
                    let mut errs = FieldErrors::new();
                    if taken_nos.contains(&no) {
                        errs.add(
                            "employee_no",
                            Msg::new(format!("工号“{no}”已存在"), format!("employee number \"{no}\" already exists")),
                        );
                    }
                    if let Some(j) = seen_no.insert(no.clone(), i) {
                        errs.add(
                            "employee_no",
                            Msg::new(
                                format!("工号与本批第{}条记录重复", j + 1),
                                format!("employee number repeats record {} of this batch", j + 1),
                            ),
                        );
                    }
                    if let Some(j) = seen_id.insert(rec.employee.id_number.clone(), i) {
                        errs.add(
                            "id_number",
                            Msg::new(
                                format!("证件号码与本批第{}条记录重复", j + 1),
                                format!("ID number repeats record {} of this batch", j + 1),
                            ),
                        );
                    }
                    if errs.is_empty() {
                        records.push(rec);
                        accepted_at.push(i);
                    } else {
                        row_errors.0.push((i, errs));
                    }
                }
                Err(errs) => row_errors.0.push((i, errs)),
            }
        }
        let numbers: Vec<String> = records.iter().map(|r| r.employee.id_number.clone()).collect();
        let taken_ids: HashSet<String> = self.store.taken_id_numbers(company, &numbers).await?.into_iter().collect();
        if !taken_ids.is_empty() {
            for (i, r) in records.iter().enumerate() {
                if taken_ids.contains(&r.employee.id_number) {
                    let mut e = FieldErrors::new();
                    e.add(
                        "id_number",
                        Msg::new(
                            "证件号码已登记在本单位其他员工名下",
                            "ID number already belongs to another employee of this company",
                        ),
                    );
                    // Map back to the input row: records keep input order minus rejected rows.
                    row_errors.0.push((accepted_at[i], e));
                }
            }
        }
        if !row_errors.0.is_empty() {
            row_errors.0.sort_by_key(|(i, _)| *i);
            return Err(BatchError::Rows(row_errors));
        }
        let mut checks: Vec<QuotaCheck> =
            records.iter().flat_map(|r| quota_checks_of(&r.assignments, r.employee.hire_date)).collect();
        checks.sort_by(|a, b| (a.org_unit_id, &a.category, a.date).cmp(&(b.org_unit_id, &b.category, b.date)));
        checks.dedup();
        let ids: Vec<EmployeeId> = records.iter().map(|r| r.employee.id).collect();
        let ev = self.event(actor, "employee.import", &ids).fields(classify::WRITTEN_ON_ONBOARD);
        self.store.insert_employees(&records, &checks, &[ev]).await?;
        Ok(ids)
    }

    /// 花名册导入: parse a roster file (.xlsx/.csv), resolve codes against the company's
    /// structure today, validate every row and onboard all of them — or none.
    pub async fn import_roster(
        &self,
        actor: &Actor,
        company: CompanyId,
        file_name: Option<&str>,
        bytes: &[u8],
    ) -> Result<usize, ImportFailure> {
        actor.authorize(Permission::EmployeeImport).map_err(PeopleError::from)?;
        self.org_store.company(company).await.map_err(PeopleError::from)?;
        let format = RosterFormat::detect(file_name, bytes).map_err(ImportFailure::roster)?;
        let today = self.clock.today();
        let units = self.org_store.units_as_of(Some(company), today).await.map_err(PeopleError::from)?;
        let positions = self.org_store.positions_as_of(Some(company), None, today).await.map_err(PeopleError::from)?;
        let people = self.store.people(Some(company)).await?;
        let maps = RosterMaps {
            units: units.into_iter().map(|u| (u.code, u.id)).collect(),
            positions: positions.into_iter().map(|p| (p.code, p.id)).collect(),
            employees: people.into_iter().map(|p| (p.employee_no, p.id)).collect(),
        };
        let rows = roster::parse_roster(bytes, format, company, &maps).map_err(ImportFailure::roster)?;
        let inputs = rows.iter().map(|r| r.employee.clone()).collect();
        match self.onboard_batch(actor, company, inputs).await {
            Ok(ids) => Ok(ids.len()),
            Err(BatchError::Rows(errs)) => {
                let headers = HeaderMap::read(bytes, format).unwrap_or_else(|_| HeaderMap::standard());
                Err(ImportFailure::roster(roster::map_batch_errors(&rows, &errs, &headers)))
            }
            Err(BatchError::Other(e)) => Err(e.into()),
        }
    }

    /// 花名册导出: every employee of the company with their situation on `as_of`, as .xlsx.
    pub async fn export_roster(
        &self,
        actor: &Actor,
        company: CompanyId,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<u8>, PeopleError> {
        let rs = self.row_scope(actor, Permission::EmployeeExport).await?;
        self.org_store.company(company).await?;
        let as_of = as_of.unwrap_or_else(|| self.clock.today());
        let mut list = self.store.employees_as_of(company, as_of).await?;
        self.retain_in_scope(&rs, &mut list, |(e, _)| e.id).await?;
        // Exports follow the response rules: masked unless the viewer's clearance reaches.
        for (e, _) in list.iter_mut() {
            classify::mask_employee(actor, e);
        }
        let ids: Vec<EmployeeId> = list.iter().map(|(e, _)| e.id).collect();
        self.audit_read(self.event(actor, "employee.export", &ids).fields(classify::exported_fields(actor))).await?;
        let units = self.org_store.unit_versions_of_company(company).await?;
        let positions = self.org_store.positions_of_company(company).await?;
        let names = RosterNames {
            // Names as of the export date where a version covers it, else the latest.
            units: {
                let mut m = HashMap::new();
                for u in units {
                    if u.valid.contains(as_of) || !m.contains_key(&u.id) {
                        m.insert(u.id, (u.code, u.name));
                    }
                }
                m
            },
            positions: positions.into_iter().map(|p| (p.id, (p.code, p.name))).collect(),
            employee_nos: list.iter().map(|(e, _)| (e.id, e.employee_no.clone())).collect(),
        };
        let rows: Vec<RosterExportRow> =
            list.into_iter().map(|(e, a)| RosterExportRow::new(e, a.as_ref(), &names)).collect();
        roster::export_roster(&rows).map_err(|e| PeopleError::Storage(e.to_string()))
    }

    /// The blank roster template with a 说明 sheet.
    pub fn roster_template(&self) -> Result<Vec<u8>, PeopleError> {
        roster::roster_template().map_err(|e| PeopleError::Storage(e.to_string()))
    }

    /// The record with its situation on `as_of` (default today).
    pub async fn detail(
        &self,
        actor: &Actor,
        id: EmployeeId,
        as_of: Option<NaiveDate>,
    ) -> Result<EmployeeDetail, PeopleError> {
        self.guard(actor, Permission::EmployeeRead, id).await?;
        let as_of = as_of.unwrap_or_else(|| self.clock.today());
        let (mut employee, educations, mut contacts) = self.store.employee(id).await?;
        let assignments = self.store.assignments(id).await?;
        let assignment = rules::as_of(&assignments, as_of).cloned();
        // Every view of a record is audited; the field list says which sensitive fields
        // left the server unmasked.
        let shown = classify::unmasked_sensitive(actor);
        let action = if shown.is_empty() { "employee.view" } else { "employee.view_sensitive" };
        self.audit_read(self.event(actor, action, &[id]).fields(shown)).await?;
        classify::mask_employee(actor, &mut employee);
        classify::mask_contacts(actor, &mut contacts);
        Ok(EmployeeDetail { employee, as_of, assignment, educations, contacts })
    }

    /// 查看明文: reveal masked fields of one record to a viewer allowed to (audited with
    /// the field names). Unknown or non-maskable field names are refused.
    pub async fn reveal(
        &self,
        actor: &Actor,
        id: EmployeeId,
        fields: &[String],
    ) -> Result<RevealedFields, PeopleError> {
        self.guard(actor, Permission::SensitiveReveal, id).await?;
        let mut errs = FieldErrors::new();
        if fields.is_empty() {
            errs.add("fields", Msg::new("请指定要查看的字段", "name the fields to reveal"));
        }
        for (i, f) in fields.iter().enumerate() {
            if !classify::REVEALABLE.contains(&f.as_str()) {
                errs.add(
                    format!("fields[{i}]"),
                    Msg::new("该字段不可查看明文或不存在", "this field does not exist or cannot be revealed"),
                );
            }
        }
        errs.into_result()?;
        let (employee, _, _) = self.store.employee(id).await?;
        self.audit_read(self.event(actor, "employee.reveal", &[id]).fields(fields.iter().cloned())).await?;
        Ok(classify::reveal(&employee, fields))
    }

    pub async fn list(&self, actor: &Actor, q: ListQuery) -> Result<Page<EmployeeSummary>, PeopleError> {
        let rs = self.row_scope(actor, Permission::EmployeeRead).await?;
        let as_of = q.as_of.unwrap_or_else(|| self.clock.today());
        let org_units = match q.org_unit_id {
            None => None,
            Some(u) if q.include_subunits => Some(self.org.subtree(actor, u, as_of).await?),
            Some(u) => {
                self.org.unit(actor, u, as_of).await?;
                Some(vec![u])
            }
        };
        if let (Some(f), Some(t)) = (q.hired_from, q.hired_to)
            && t < f
        {
            let mut e = FieldErrors::new();
            e.add("hired_to", Msg::new("结束日期早于开始日期", "hired_to is before hired_from"));
            return Err(e.into());
        }
        let text = q.text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        if text.as_ref().is_some_and(|t| t.chars().count() > 50) {
            let mut e = FieldErrors::new();
            e.add("q", Msg::new("搜索词不超过50个字", "search text must be at most 50 characters"));
            return Err(e.into());
        }
        let filter = EmployeeFilter {
            company_id: q.company_id,
            org_units,
            statuses: q.statuses,
            hired_from: q.hired_from,
            hired_to: q.hired_to,
            text,
        };
        let mut page = self.store.list(&filter, &rs, as_of, q.page).await?;
        let shown = classify::unmasked_sensitive(actor);
        if !shown.is_empty() && !page.items.is_empty() {
            let ids: Vec<EmployeeId> = page.items.iter().map(|e| e.id).collect();
            self.audit_read(self.event(actor, "employee.list_sensitive", &ids).fields(shown)).await?;
        }
        for e in page.items.iter_mut() {
            classify::mask_summary(actor, e);
        }
        Ok(page)
    }

    /// Replace personal data (educations/contacts too when given).
    pub async fn update_person(
        &self,
        actor: &Actor,
        id: EmployeeId,
        person: PersonalData,
        educations: Option<Vec<Education>>,
        contacts: Option<Vec<Contact>>,
    ) -> Result<EmployeeDetail, PeopleError> {
        self.guard(actor, Permission::EmployeeWrite, id).await?;
        self.store.employee(id).await?;
        let mut errs = FieldErrors::new();
        let valid: Option<ValidPerson> = match rules::validate_person(&person, self.clock.today()) {
            Ok(v) => Some(v),
            Err(e) => {
                errs = e;
                None
            }
        };
        let mut educations = educations;
        if let Some(list) = educations.as_mut() {
            Self::check_educations(list, &mut errs);
        }
        let mut contacts = contacts;
        if let Some(list) = contacts.as_mut() {
            Self::check_contacts(list, &mut errs);
        }
        errs.into_result()?;
        let Some(valid) = valid else { return Err(FieldErrors::new().into()) };
        let mut written: Vec<&str> = classify::PERSONAL_FIELDS.to_vec();
        if educations.is_some() {
            written.push("educations");
        }
        if contacts.is_some() {
            written.push("contacts");
        }
        let ev = self.event(actor, "employee.update_person", &[id]).fields(written);
        self.store
            .update_person(id, &valid, educations.as_deref(), contacts.as_deref(), self.clock.now(), &[ev])
            .await?;
        self.detail(actor, id, None).await
    }

    /// Record a lifecycle event (转正, 调岗, 晋升, 借调, 离职, 退休, 返聘…).
    pub async fn record_event(
        &self,
        actor: &Actor,
        id: EmployeeId,
        input: NewEvent,
    ) -> Result<EventRecord, PeopleError> {
        let rs = self.guard(actor, Permission::EmployeeWrite, id).await?;
        // An event that moves the person somewhere must stay inside the actor's scope.
        let target = match &input.kind {
            EventKind::Transfer { org_unit_id, .. } => Some(*org_unit_id),
            EventKind::Promote { org_unit_id, .. } | EventKind::Demote { org_unit_id, .. } => *org_unit_id,
            EventKind::Second { host_org_unit_id } => Some(*host_org_unit_id),
            EventKind::Rehire { job } => Some(job.org_unit_id),
            _ => None,
        };
        let (employee, _, _) = self.store.employee(id).await?;
        if let Some(unit) = target {
            Self::check_placement(&rs, employee.company_id, unit)?;
        }
        let date = match (&input.kind, input.effective_date) {
            (EventKind::Separate { last_day, .. }, None) => last_day.succ_opt().unwrap_or(*last_day),
            (EventKind::Separate { last_day, .. }, Some(d)) if d <= *last_day => {
                let mut e = FieldErrors::new();
                e.add(
                    "effective_date",
                    Msg::new("离职生效日期须晚于最后工作日", "effective date must be after the last working day"),
                );
                return Err(e.into());
            }
            (_, Some(d)) => d,
            (_, None) => {
                let mut e = FieldErrors::new();
                e.add("effective_date", Msg::new("请填写生效日期", "effective_date is required"));
                return Err(e.into());
            }
        };
        let mut kind = input.kind;
        let shape = self.shape(employee.company_id).await?;
        let mut errs = FieldErrors::new();
        self.check_event(&shape, "", &mut kind, date, employee.employment_type, &mut errs);
        if input.reason.as_deref().is_some_and(|r| r.chars().count() > 500) {
            errs.add("reason", Msg::new("说明不超过500个字", "reason must be at most 500 characters"));
        }
        errs.into_result()?;
        let record = EventRecord {
            id: EventId::new(),
            employee_id: id,
            effective_date: date,
            kind,
            reason: input.reason,
            recorded_at: self.clock.now(),
            recorded_by: actor.user_id.to_string(),
        };
        self.append(actor, id, vec![record.clone()]).await?;
        Ok(record)
    }

    /// Checks an event's references against the structure on its date; fills a
    /// promotion's unit from its position.
    fn check_event(
        &self,
        shape: &CompanyShape,
        prefix: &str,
        kind: &mut EventKind,
        date: NaiveDate,
        employment_type: EmploymentType,
        errs: &mut FieldErrors,
    ) {
        match kind {
            EventKind::Rehire { job } => self.check_job(shape, prefix, job, date, errs),
            EventKind::Transfer { org_unit_id, position_id, .. } => {
                let mut job = JobPlacement {
                    org_unit_id: *org_unit_id,
                    position_id: *position_id,
                    manager_id: None,
                    employment_type,
                    quota_category: "other".into(),
                    work_location: None,
                };
                self.check_job(shape, prefix, &mut job, date, errs);
            }
            EventKind::Promote { position_id, org_unit_id } | EventKind::Demote { position_id, org_unit_id } => {
                match shape.positions.get(position_id) {
                    Some(p) if p.valid.contains(date) => {
                        if org_unit_id.is_none() {
                            *org_unit_id = Some(p.org_unit_id);
                        }
                    }
                    _ => errs.add(
                        field(prefix, "position_id"),
                        Msg::new(
                            format!("岗位不存在或在 {date} 不在用"),
                            format!("position does not exist or is not in force on {date}"),
                        ),
                    ),
                }
            }
            EventKind::Second { host_org_unit_id } if !shape.unit_on(*host_org_unit_id, date) => {
                errs.add(
                    field(prefix, "host_org_unit_id"),
                    Msg::new(
                        format!("借调单位不存在或在 {date} 不在用"),
                        format!("host unit does not exist or is not in force on {date}"),
                    ),
                );
            }
            EventKind::Onboard { .. } | EventKind::Cancel { .. } => errs.add(
                field(prefix, "type"),
                Msg::new(
                    "入职请使用新增员工；更正请使用撤销接口",
                    "use employee creation for onboarding and the cancel endpoint for corrections",
                ),
            ),
            _ => {}
        }
    }

    /// Re-project with the new events and write them, checking 编制 from the earliest new date.
    async fn append(&self, actor: &Actor, id: EmployeeId, new_events: Vec<EventRecord>) -> Result<(), PeopleError> {
        let mut events = self.store.events(id).await?;
        events.extend(new_events.iter().cloned());
        let assignments = rules::project(id, &events)?;
        let from = new_events.iter().map(|e| e.effective_date).min().unwrap_or(NaiveDate::MIN);
        let checks = quota_checks_of(&assignments, from);
        let kinds: Vec<&str> = new_events.iter().map(|e| e.kind.code()).collect();
        let ev =
            self.event(actor, &format!("employee.event.{}", kinds.join("+")), &[id]).fields(["events", "assignments"]);
        let change = EmployeeChange { employee_id: id, new_events, assignments };
        self.store.record_events(&[change], &checks, None, &[ev]).await
    }

    /// 更正: cancel a wrong event, optionally recording its replacement in the same step.
    pub async fn cancel_event(
        &self,
        actor: &Actor,
        id: EmployeeId,
        event_id: EventId,
        reason: Option<String>,
        replacement: Option<NewEvent>,
    ) -> Result<Vec<EventRecord>, PeopleError> {
        self.guard(actor, Permission::EmployeeWrite, id).await?;
        let events = self.store.events(id).await?;
        let Some(target) = events.iter().find(|e| e.id == event_id) else {
            return Err(PeopleError::EventNotFound);
        };
        if matches!(target.kind, EventKind::Cancel { .. }) {
            let mut e = FieldErrors::new();
            e.add("event_id", Msg::new("不能撤销更正记录本身", "a correction cannot itself be cancelled"));
            return Err(e.into());
        }
        if events.iter().any(|e| matches!(e.kind, EventKind::Cancel { event_id: x } if x == event_id)) {
            return Err(PeopleError::AlreadyCancelled);
        }
        let now = self.clock.now();
        let cancel = EventRecord {
            id: EventId::new(),
            employee_id: id,
            effective_date: target.effective_date,
            kind: EventKind::Cancel { event_id },
            reason,
            recorded_at: now,
            recorded_by: actor.user_id.to_string(),
        };
        let mut new_events = vec![cancel];
        if let Some(rep) = replacement {
            let date = rep.effective_date.unwrap_or(target.effective_date);
            new_events.push(EventRecord {
                id: EventId::new(),
                employee_id: id,
                effective_date: date,
                kind: rep.kind,
                reason: rep.reason,
                recorded_at: now,
                recorded_by: actor.user_id.to_string(),
            });
        }
        self.append(actor, id, new_events.clone()).await?;
        Ok(new_events)
    }

    /// Every lifecycle event of the employee, cancelled ones included, in effective order.
    pub async fn events(&self, actor: &Actor, id: EmployeeId) -> Result<Vec<EventRecord>, PeopleError> {
        self.guard(actor, Permission::EmployeeRead, id).await?;
        self.store.employee(id).await?;
        self.store.events(id).await
    }

    pub async fn assignments(&self, actor: &Actor, id: EmployeeId) -> Result<Vec<Assignment>, PeopleError> {
        self.guard(actor, Permission::EmployeeRead, id).await?;
        self.store.employee(id).await?;
        self.store.assignments(id).await
    }

    /// 人事档案时间线: every event (cancelled ones marked) and contract, by date.
    pub async fn timeline(&self, actor: &Actor, id: EmployeeId) -> Result<Vec<TimelineEntry>, PeopleError> {
        self.guard(actor, Permission::EmployeeRead, id).await?;
        self.store.employee(id).await?;
        let events = self.store.events(id).await?;
        let cancelled: HashSet<EventId> = events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Cancel { event_id } => Some(event_id),
                _ => None,
            })
            .collect();
        let mut out: Vec<TimelineEntry> = events
            .into_iter()
            .map(|e| TimelineEntry {
                date: e.effective_date,
                source: "event".into(),
                title_zh: e.kind.label_zh().to_string(),
                title_en: e.kind.code().replace('_', " "),
                cancelled: cancelled.contains(&e.id),
                event: Some(e),
                contract: None,
            })
            .collect();
        for c in self.store.contracts(id).await? {
            let (zh, en) = if c.renewal_count > 0 {
                ("续签劳动合同", "contract renewed")
            } else {
                ("签订劳动合同", "contract signed")
            };
            out.push(TimelineEntry {
                date: c.start_date,
                source: "contract".into(),
                title_zh: zh.into(),
                title_en: en.into(),
                event: None,
                contract: Some(c),
                cancelled: false,
            });
        }
        out.sort_by_key(|a| a.date);
        Ok(out)
    }

    /// 组织合并: `source` merges into `target` on `date`; its sub-units move under
    /// the target and everyone assigned to it from that date transfers — in one transaction.
    pub async fn merge_units(
        &self,
        actor: &Actor,
        source: OrgUnitId,
        target: OrgUnitId,
        date: NaiveDate,
    ) -> Result<usize, PeopleError> {
        actor.authorize(Permission::OrgWrite)?;
        // Moving a whole unit's staff is an organisation-wide act: it needs the write
        // permission over every employee, not a subtree.
        if !actor.authorize(Permission::EmployeeWrite)?.is_all() {
            return Err(PeopleError::Forbidden(bole_core::Forbidden(Permission::EmployeeWrite)));
        }
        let (writes, records) = self.org.plan_merge(actor, source, target, date).await?;
        let staff = self.store.events_of_staff(&[source], date).await?;
        let now = self.clock.now();
        let mut changes = Vec::new();
        for (emp, mut events) in staff {
            let assignments = rules::project(emp, &events)?;
            // Only people in the source unit on the merge date move; later entries are
            // future-dated events the HR user must re-plan (reported by the conflict below).
            let Some(on_day) = rules::as_of(&assignments, date) else { continue };
            if on_day.org_unit_id != source || !on_day.status.employed() {
                continue;
            }
            let ev = EventRecord {
                id: EventId::new(),
                employee_id: emp,
                effective_date: date,
                kind: EventKind::Transfer {
                    org_unit_id: target,
                    position_id: None,
                    manager_id: None,
                    work_location: None,
                },
                reason: Some("组织合并 / org units merged".into()),
                recorded_at: now,
                recorded_by: actor.user_id.to_string(),
            };
            events.push(ev.clone());
            let assignments = rules::project(emp, &events)?;
            changes.push(EmployeeChange { employee_id: emp, new_events: vec![ev], assignments });
        }
        let mut checks: Vec<QuotaCheck> = changes.iter().flat_map(|c| quota_checks_of(&c.assignments, date)).collect();
        checks.dedup();
        let ids: Vec<EmployeeId> = changes.iter().map(|c| c.employee_id).collect();
        let ev = self.event(actor, "org_unit.merge", &ids).fields(["events", "assignments"]);
        let ev_unit = actor.audit(self.clock.now(), "org_unit.merge", "org_unit").subject(source.0).subject(target.0);
        self.store.record_events(&changes, &checks, Some((&writes, &records)), &[ev_unit, ev]).await?;
        Ok(changes.len())
    }

    pub async fn add_contract(
        &self,
        actor: &Actor,
        id: EmployeeId,
        input: NewContract,
    ) -> Result<Contract, PeopleError> {
        self.guard(actor, Permission::ContractWrite, id).await?;
        self.store.employee(id).await?;
        let mut errs = FieldErrors::new();
        match (input.kind, input.end_date) {
            (ContractKind::FixedTerm, None) => {
                errs.add("end_date", Msg::new("固定期限合同须填写终止日期", "a fixed-term contract needs an end date"))
            }
            (ContractKind::OpenEnded, Some(_)) => {
                errs.add("end_date", Msg::new("无固定期限合同不填写终止日期", "an open-ended contract has no end date"))
            }
            (_, Some(e)) if e < input.start_date => {
                errs.add("end_date", Msg::new("终止日期早于起始日期", "end date is before start date"))
            }
            _ => {}
        }
        let existing = self.store.contracts(id).await?;
        let mut renewal_count = 0;
        if let Some(prev) = input.renews {
            match existing.iter().find(|c| c.id == prev) {
                Some(p) => {
                    renewal_count = p.renewal_count + 1;
                    if p.end_date.is_none_or(|e| input.start_date <= e) {
                        errs.add(
                            "start_date",
                            Msg::new(
                                "续签合同须在原合同终止后开始",
                                "a renewal must start after the previous contract ends",
                            ),
                        );
                    }
                }
                None => errs.add("renews", Msg::new("被续签的合同不存在", "the contract being renewed does not exist")),
            }
        }
        errs.into_result()?;
        let contract = Contract {
            id: ContractId::new(),
            employee_id: id,
            kind: input.kind,
            start_date: input.start_date,
            end_date: input.end_date,
            renewal_count,
            signed_on: input.signed_on,
            previous_contract_id: input.renews,
        };
        let term = contract_range(&contract);
        if let Some(o) = existing.iter().find(|c| contract_range(c).overlaps(&term)) {
            return Err(PeopleError::ContractOverlap { existing_start: o.start_date });
        }
        let ev = actor.audit(self.clock.now(), "contract.create", "contract").subject(contract.id.0).subject(id.0);
        self.store.insert_contract(&contract, &[ev]).await?;
        Ok(contract)
    }

    pub async fn contracts(&self, actor: &Actor, id: EmployeeId) -> Result<Vec<Contract>, PeopleError> {
        self.guard(actor, Permission::ContractRead, id).await?;
        self.store.employee(id).await?;
        self.store.contracts(id).await
    }

    /// Contracts ending within `days` days from today (inclusive) and not yet renewed.
    pub async fn expiring_contracts(
        &self,
        actor: &Actor,
        company: Option<CompanyId>,
        days: u32,
    ) -> Result<Vec<ExpiringContract>, PeopleError> {
        let rs = self.row_scope(actor, Permission::ContractRead).await?;
        if days > 3660 {
            let mut e = FieldErrors::new();
            e.add("within_days", Msg::new("天数不超过3660", "within_days must be at most 3660"));
            return Err(e.into());
        }
        let today = self.clock.today();
        let to = today + chrono::Days::new(u64::from(days));
        let mut list = self.store.expiring_contracts(company, today, to).await?;
        self.retain_in_scope(&rs, &mut list, |c| c.contract.employee_id).await?;
        Ok(list)
    }

    /// 数据质量报告: every record held to the data standards.
    pub async fn quality_report(
        &self,
        actor: &Actor,
        company: Option<CompanyId>,
        limit: usize,
    ) -> Result<QualityReport, PeopleError> {
        let rs = self.row_scope(actor, Permission::DataQualityRead).await?;
        let mut people = self.store.people(company).await?;
        self.retain_in_scope(&rs, &mut people, |p| p.id).await?;
        let mut findings = Vec::new();
        let mut with_issues = 0u64;
        for p in &people {
            let facts = PersonFacts {
                name: Some(p.name.as_str()),
                gender: Some(p.gender.as_str()),
                birth_date: p.birth_date,
                id_type: Some(p.id_type.as_str()),
                id_number: Some(p.id_number.as_str()),
                phone: p.phone.as_deref(),
                email: p.email.as_deref(),
                ethnicity: p.ethnicity.as_deref(),
                political_status: p.political_status.as_deref(),
                education_level: p.education_level.as_deref(),
            };
            let issues = standards::check_person(&facts);
            if !issues.is_empty() {
                with_issues += 1;
            }
            for i in issues {
                if findings.len() < limit {
                    findings.push(QualityFinding {
                        employee_id: p.id,
                        employee_no: p.employee_no.clone(),
                        field: i.field.to_string(),
                        code: i.code.to_string(),
                        message: i.message.zh,
                    });
                }
            }
        }
        Ok(QualityReport { checked: people.len() as u64, records_with_issues: with_issues, findings })
    }
}

/// Why a roster import was refused: per-row problems, or a failure of the whole request.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error("roster has errors")]
    Roster { errors: RosterErrors, fields: FieldErrors },
    #[error(transparent)]
    People(#[from] PeopleError),
}

impl ImportFailure {
    fn roster(errors: RosterErrors) -> Self {
        // The envelope's `fields` carries one entry per problem, keyed by row and column,
        // so API clients see every row error without a second format.
        let mut fields = FieldErrors::new();
        for (i, m) in errors.header.iter().enumerate() {
            fields.add(format!("file[{i}]"), m.clone());
        }
        for r in &errors.rows {
            fields.add(format!("rows[{}].{}", r.row, r.field), r.render());
        }
        ImportFailure::Roster { errors, fields }
    }
}

impl bole_core::Failure for ImportFailure {
    fn code(&self) -> &'static str {
        match self {
            ImportFailure::Roster { errors, .. } => errors.code(),
            ImportFailure::People(e) => e.code(),
        }
    }
    fn kind(&self) -> bole_core::ErrorKind {
        match self {
            ImportFailure::Roster { errors, .. } => errors.kind(),
            ImportFailure::People(e) => e.kind(),
        }
    }
    fn message(&self) -> Msg {
        match self {
            ImportFailure::Roster { errors, .. } => errors.message(),
            ImportFailure::People(e) => e.message(),
        }
    }
    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            ImportFailure::Roster { fields, .. } => Some(fields),
            ImportFailure::People(e) => e.fields(),
        }
    }
}

fn job_type(events: &[EventRecord]) -> EmploymentType {
    events
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::Onboard { job, .. } | EventKind::Rehire { job } => Some(job.employment_type),
            _ => None,
        })
        .unwrap_or(EmploymentType::FullTime)
}

fn contract_range(c: &Contract) -> DateRange {
    DateRange { from: c.start_date, to: c.end_date.and_then(|e| e.succ_opt()) }
}

fn quota_checks_of(assignments: &[Assignment], from: NaiveDate) -> Vec<QuotaCheck> {
    rules::quota_checks(assignments, from)
        .into_iter()
        .map(|(org_unit_id, category, date)| QuotaCheck { org_unit_id, category, date })
        .collect()
}
