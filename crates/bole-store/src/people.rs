//! `PeopleStore` on both engines. Bulk writes use multi-row INSERTs in one
//! transaction (hundreds of rows per statement); quota checks run inside the
//! same transaction after the writes, so a refused batch leaves nothing behind.

use crate::audit::append_in_tx;
use crate::db::{Tx, is_foreign_key_violation, is_unique_violation};
use crate::org::{placeholders, write_unit_changes};
use crate::sealed::{self, SealedPerson, open_field, people_err};
use crate::{SqlStore, on_db, on_tx};
use async_trait::async_trait;
use bole_core::{
    AuditEvent, CompanyId, ContractId, DateRange, EmployeeId, EventId, FieldErrors, Msg, OrgUnitId, Page, PageRequest,
    PositionId,
};
use bole_crypto::{BlindField, Keyring};
use bole_org::{OrgChangeRecord, UnitVersionWrite};
use bole_people::rules::ValidPerson;
use bole_people::store::*;
use bole_people::*;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::HashMap;
use uuid::Uuid;

fn st(e: sqlx::Error) -> PeopleError {
    tracing::error!(error = %e, "people store failure");
    PeopleError::Storage(e.to_string())
}

/// Unique/foreign-key violations become the HR facts they stand for.
fn write_err(e: sqlx::Error, employee_no: Option<&str>) -> PeopleError {
    if is_unique_violation(&e) {
        let text = e.to_string();
        if text.contains("employee_no") {
            return PeopleError::DuplicateEmployeeNo(employee_no.unwrap_or("").to_string());
        }
        if text.contains("id_number") || text.contains("id_type") {
            return PeopleError::DuplicateIdNumber;
        }
    }
    if is_foreign_key_violation(&e) {
        let mut f = FieldErrors::new();
        f.add(
            "job.manager_id",
            Msg::new("直接上级（或引用的组织/岗位）不存在", "the manager (or referenced unit/position) does not exist"),
        );
        return PeopleError::Invalid(f);
    }
    st(e)
}

const BATCH: usize = 400;

#[derive(sqlx::FromRow)]
struct EmployeeRow {
    id: Uuid,
    company_id: Uuid,
    employee_no: String,
    name: String,
    gender: String,
    birth_date: Option<NaiveDate>,
    id_type: String,
    id_number: String,
    ethnicity: Option<String>,
    political_status: Option<String>,
    marital_status: Option<String>,
    native_place: Option<String>,
    education_level: Option<String>,
    degree: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    employment_type: String,
    hire_date: NaiveDate,
    probation_end: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    id_number_enc: Option<Vec<u8>>,
    phone_enc: Option<Vec<u8>>,
    address_enc: Option<Vec<u8>>,
    bank_name: Option<String>,
    bank_account_enc: Option<Vec<u8>>,
}

const EMPLOYEE_COLS: &str = "id, company_id, employee_no, name, gender, birth_date, id_type, id_number, ethnicity, political_status, \
     marital_status, native_place, education_level, degree, phone, email, address, employment_type, hire_date, probation_end, created_at, updated_at, \
     id_number_enc, phone_enc, address_enc, bank_name, bank_account_enc";
/// Written on insert after [`EMPLOYEE_COLS`]: the blind indexes.
const EMPLOYEE_INDEX_COLS: &str = "id_number_bidx, phone_bidx";

impl EmployeeRow {
    fn sealed(&self) -> impl Iterator<Item = &[u8]> {
        [&self.id_number_enc, &self.phone_enc, &self.address_enc, &self.bank_account_enc]
            .into_iter()
            .flatten()
            .map(Vec::as_slice)
    }

    /// The employee with its sealed fields opened (legacy plaintext rows read as they are).
    fn open(self, ring: &Keyring) -> Result<Employee, PeopleError> {
        let r = self;
        let id_number =
            open_field(ring, sealed::EMPLOYEE_ID_NUMBER, r.id, r.id_number_enc.as_deref(), Some(r.id_number))
                .map_err(people_err)?
                .unwrap_or_default();
        let phone =
            open_field(ring, sealed::EMPLOYEE_PHONE, r.id, r.phone_enc.as_deref(), r.phone).map_err(people_err)?;
        let address = open_field(ring, sealed::EMPLOYEE_ADDRESS, r.id, r.address_enc.as_deref(), r.address)
            .map_err(people_err)?;
        let bank_account = open_field(ring, sealed::EMPLOYEE_BANK_ACCOUNT, r.id, r.bank_account_enc.as_deref(), None)
            .map_err(people_err)?;
        Ok(Employee {
            id: EmployeeId(r.id),
            company_id: CompanyId(r.company_id),
            employee_no: r.employee_no,
            name: r.name,
            gender: r.gender,
            birth_date: r.birth_date,
            id_type: r.id_type,
            id_number,
            ethnicity: r.ethnicity,
            political_status: r.political_status,
            marital_status: r.marital_status,
            native_place: r.native_place,
            education_level: r.education_level,
            degree: r.degree,
            phone,
            email: r.email,
            address,
            bank_name: r.bank_name,
            bank_account,
            employment_type: EmploymentType::parse(&r.employment_type).unwrap_or(EmploymentType::FullTime),
            hire_date: r.hire_date,
            probation_end: r.probation_end,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    employee_id: Uuid,
    effective_date: NaiveDate,
    payload: String,
    reason: Option<String>,
    recorded_at: DateTime<Utc>,
    recorded_by: String,
}

const EVENT_COLS: &str = "id, employee_id, effective_date, payload, reason, recorded_at, recorded_by";

impl TryFrom<EventRow> for EventRecord {
    type Error = PeopleError;
    fn try_from(r: EventRow) -> Result<Self, PeopleError> {
        let kind: EventKind = serde_json::from_str(&r.payload)
            .map_err(|e| PeopleError::Storage(format!("event {} payload: {e}", r.id)))?;
        Ok(EventRecord {
            id: EventId(r.id),
            employee_id: EmployeeId(r.employee_id),
            effective_date: r.effective_date,
            kind,
            reason: r.reason,
            recorded_at: r.recorded_at,
            recorded_by: r.recorded_by,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    employee_id: Uuid,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    status: String,
    org_unit_id: Uuid,
    host_org_unit_id: Option<Uuid>,
    position_id: Option<Uuid>,
    manager_id: Option<Uuid>,
    employment_type: String,
    quota_category: String,
    work_location: Option<String>,
    event_id: Uuid,
}

const ASSIGNMENT_COLS: &str = "employee_id, valid_from, valid_to, status, org_unit_id, host_org_unit_id, position_id, manager_id, employment_type, quota_category, work_location, event_id";

impl From<AssignmentRow> for Assignment {
    fn from(r: AssignmentRow) -> Self {
        Assignment {
            employee_id: EmployeeId(r.employee_id),
            valid: DateRange { from: r.valid_from, to: r.valid_to },
            status: EmployeeStatus::parse(&r.status).unwrap_or(EmployeeStatus::Regular),
            org_unit_id: OrgUnitId(r.org_unit_id),
            host_org_unit_id: r.host_org_unit_id.map(OrgUnitId),
            position_id: r.position_id.map(PositionId),
            manager_id: r.manager_id.map(EmployeeId),
            employment_type: EmploymentType::parse(&r.employment_type).unwrap_or(EmploymentType::FullTime),
            quota_category: r.quota_category,
            work_location: r.work_location,
            event_id: EventId(r.event_id),
        }
    }
}

#[derive(sqlx::FromRow)]
struct ContractRow {
    id: Uuid,
    employee_id: Uuid,
    kind: String,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    renewal_count: i32,
    signed_on: Option<NaiveDate>,
    previous_contract_id: Option<Uuid>,
}

const CONTRACT_COLS: &str =
    "c.id, c.employee_id, c.kind, c.start_date, c.end_date, c.renewal_count, c.signed_on, c.previous_contract_id";

impl From<ContractRow> for Contract {
    fn from(r: ContractRow) -> Self {
        Contract {
            id: ContractId(r.id),
            employee_id: EmployeeId(r.employee_id),
            kind: ContractKind::parse(&r.kind).unwrap_or(ContractKind::FixedTerm),
            start_date: r.start_date,
            end_date: r.end_date,
            renewal_count: r.renewal_count,
            signed_on: r.signed_on,
            previous_contract_id: r.previous_contract_id.map(ContractId),
        }
    }
}

/// Bind one employee row into a `push_values` tuple list.
macro_rules! push_employee {
    ($b:ident, $e:ident, $s:ident) => {
        $b.push_bind($e.id.0)
            .push_bind($e.company_id.0)
            .push_bind($e.employee_no.clone())
            .push_bind($e.name.clone())
            .push_bind($e.gender.clone())
            .push_bind($e.birth_date)
            .push_bind($e.id_type.clone())
            .push_bind($s.id_number_stub.clone())
            .push_bind($e.ethnicity.clone())
            .push_bind($e.political_status.clone())
            .push_bind($e.marital_status.clone())
            .push_bind($e.native_place.clone())
            .push_bind($e.education_level.clone())
            .push_bind($e.degree.clone())
            .push_bind(None::<String>)
            .push_bind($e.email.clone())
            .push_bind(None::<String>)
            .push_bind($e.employment_type.as_str())
            .push_bind($e.hire_date)
            .push_bind($e.probation_end)
            .push_bind($e.created_at)
            .push_bind($e.updated_at)
            .push_bind($s.id_number_enc.clone())
            .push_bind($s.phone_enc.clone())
            .push_bind($s.address_enc.clone())
            .push_bind($e.bank_name.clone())
            .push_bind($s.bank_account_enc.clone())
            .push_bind($s.id_number_bidx.clone())
            .push_bind($s.phone_bidx.clone())
    };
}

async fn insert_events(tx: &mut Tx, events: &[&EventRecord]) -> Result<(), sqlx::Error> {
    for chunk in events.chunks(BATCH) {
        let payloads: Vec<String> = chunk.iter().map(|e| serde_json::to_string(&e.kind).unwrap_or_default()).collect();
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new("INSERT INTO employee_events (id, employee_id, kind, effective_date, payload, reason, cancels_event_id, recorded_at, recorded_by) ");
            qb.push_values(chunk.iter().zip(payloads.iter()), |mut b, (e, p)| {
                let cancels = match e.kind {
                    EventKind::Cancel { event_id } => Some(event_id.0),
                    _ => None,
                };
                b.push_bind(e.id.0)
                    .push_bind(e.employee_id.0)
                    .push_bind(e.kind.code())
                    .push_bind(e.effective_date)
                    .push_bind(p.clone())
                    .push_bind(e.reason.clone())
                    .push_bind(cancels)
                    .push_bind(e.recorded_at)
                    .push_bind(e.recorded_by.clone());
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    Ok(())
}

async fn insert_assignments(tx: &mut Tx, list: &[&Assignment]) -> Result<(), sqlx::Error> {
    for chunk in list.chunks(BATCH) {
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(format!("INSERT INTO assignments ({ASSIGNMENT_COLS}, employed) "));
            qb.push_values(chunk.iter(), |mut b, a| {
                b.push_bind(a.employee_id.0)
                    .push_bind(a.valid.from)
                    .push_bind(a.valid.to)
                    .push_bind(a.status.as_str())
                    .push_bind(a.org_unit_id.0)
                    .push_bind(a.host_org_unit_id.map(|u| u.0))
                    .push_bind(a.position_id.map(|p| p.0))
                    .push_bind(a.manager_id.map(|m| m.0))
                    .push_bind(a.employment_type.as_str())
                    .push_bind(a.quota_category.clone())
                    .push_bind(a.work_location.clone())
                    .push_bind(a.event_id.0)
                    .push_bind(a.status.employed());
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    Ok(())
}

async fn insert_children(
    tx: &mut Tx,
    employee: EmployeeId,
    educations: &[Education],
    contacts: &[(Contact, SealedContact)],
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => {
        for (i, e) in educations.iter().enumerate() {
            sqlx::query("INSERT INTO employee_educations (id, employee_id, seq, school, major, education_level, degree, start_date, end_date, full_time) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
                .bind(Uuid::now_v7())
                .bind(employee.0)
                .bind(i as i32)
                .bind(&e.school)
                .bind(&e.major)
                .bind(&e.education_level)
                .bind(&e.degree)
                .bind(e.start_date)
                .bind(e.end_date)
                .bind(e.full_time)
                .execute(&mut *c)
                .await?;
        }
        for (i, (k, (contact_id, phone_enc))) in contacts.iter().enumerate() {
            sqlx::query("INSERT INTO employee_contacts (id, employee_id, seq, kind, name, relation, phone_enc, workplace) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                .bind(*contact_id)
                .bind(employee.0)
                .bind(i as i32)
                .bind(k.kind.as_str())
                .bind(&k.name)
                .bind(&k.relation)
                .bind(phone_enc)
                .bind(&k.workplace)
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(())
}

/// A contact's row id and sealed phone.
type SealedContact = (Uuid, Option<Vec<u8>>);

fn seal_contacts(ring: &Keyring, contacts: &[Contact]) -> Result<Vec<(Contact, SealedContact)>, PeopleError> {
    contacts
        .iter()
        .map(|k| {
            let id = Uuid::now_v7();
            let phone = k.phone.as_deref().map(|p| ring.seal_str(&sealed::CONTACT_PHONE.aad(id), p)).transpose();
            Ok((k.clone(), (id, phone.map_err(people_err)?)))
        })
        .collect()
}

/// Checks every (unit, category, date) against the quota in force that refuses
/// overrun. Set-based: one query for the quotas of the touched units and one
/// counting query per few hundred checks, whatever the batch size.
async fn check_quotas(tx: &mut Tx, checks: &[QuotaCheck]) -> Result<(), PeopleError> {
    let mut units: Vec<OrgUnitId> = checks.iter().map(|c| c.org_unit_id).collect();
    units.sort();
    units.dedup();
    let mut quotas: HashMap<(OrgUnitId, String), Vec<(DateRange, i64)>> = HashMap::new();
    for chunk in units.chunks(BATCH) {
        let sql = format!(
            "SELECT org_unit_id, category, valid_from, valid_to, amount FROM headcount_quotas WHERE NOT allow_overrun AND org_unit_id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(Uuid, String, NaiveDate, Option<NaiveDate>, i64)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            for u in chunk {
                q = q.bind(u.0);
            }
            q.fetch_all(&mut *c).await.map_err(st)?
        });
        for (u, cat, f, t, amount) in rows {
            quotas.entry((OrgUnitId(u), cat)).or_default().push((DateRange { from: f, to: t }, amount));
        }
    }
    let strict: Vec<(&QuotaCheck, i64)> = checks
        .iter()
        .filter_map(|c| {
            let lines = quotas.get(&(c.org_unit_id, c.category.clone()))?;
            lines.iter().find(|(r, _)| r.contains(c.date)).map(|(_, a)| (c, *a))
        })
        .collect();
    for chunk in strict.chunks(300) {
        let values: Vec<String> =
            (0..chunk.len()).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect();
        let sql = format!(
            // A correlated count per check keeps each one an index range scan on
            // assignments(org_unit_id, quota_category, valid_from); a join lets PostgreSQL
            // pick a hash join over the whole table, which grows with every import chunk.
            "WITH c(u, cat, d) AS (VALUES {}) SELECT c.u, c.cat, c.d, (SELECT COUNT(*) FROM assignments a \
             WHERE a.org_unit_id = c.u AND a.quota_category = c.cat AND a.employed \
             AND a.valid_from <= c.d AND (a.valid_to IS NULL OR a.valid_to > c.d)) FROM c",
            values.join(", ")
        );
        let counts: Vec<(Uuid, String, NaiveDate, i64)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            for (check, _) in chunk {
                q = q.bind(check.org_unit_id.0).bind(check.category.clone()).bind(check.date);
            }
            q.fetch_all(&mut *c).await.map_err(st)?
        });
        for (u, cat, date, occupied) in counts {
            let amount = chunk
                .iter()
                .find(|(c, _)| c.org_unit_id.0 == u && c.category == cat && c.date == date)
                .map(|(_, a)| *a)
                .unwrap_or(i64::MAX);
            if occupied > amount {
                return Err(PeopleError::QuotaExceeded { category: cat, amount, occupied: occupied - 1, date });
            }
        }
    }
    Ok(())
}

fn like_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: Uuid,
    company_id: Uuid,
    employee_no: String,
    name: String,
    gender: String,
    hire_date: NaiveDate,
    employment_type: String,
    phone: Option<String>,
    phone_enc: Option<Vec<u8>>,
    status: Option<String>,
    org_unit_id: Option<Uuid>,
    org_unit_name: Option<String>,
    position_id: Option<Uuid>,
    position_name: Option<String>,
}

/// SQL for the WHERE clause of the list query and its bind values, in order.
enum Bind {
    Date(NaiveDate),
    Id(Uuid),
    Text(String),
    Bytes(Vec<u8>),
}

fn list_where(filter: &EmployeeFilter, ring: &Keyring) -> (String, Vec<Bind>) {
    // $1 is always the as-of date.
    let mut sql = String::from(" WHERE 1=1");
    let mut binds = Vec::new();
    let mut n = 2;
    if let Some(c) = filter.company_id {
        sql.push_str(&format!(" AND e.company_id = ${n}"));
        binds.push(Bind::Id(c.0));
        n += 1;
    }
    if let Some(units) = &filter.org_units {
        if units.is_empty() {
            sql.push_str(" AND 1=0");
        } else {
            sql.push_str(&format!(" AND a.org_unit_id IN ({})", placeholders(n, units.len())));
            n += units.len();
            binds.extend(units.iter().map(|u| Bind::Id(u.0)));
        }
    }
    if let Some(statuses) = &filter.statuses {
        if statuses.is_empty() {
            sql.push_str(" AND 1=0");
        } else {
            sql.push_str(&format!(" AND a.status IN ({})", placeholders(n, statuses.len())));
            n += statuses.len();
            binds.extend(statuses.iter().map(|s| Bind::Text(s.as_str().to_string())));
        }
    }
    if let Some(f) = filter.hired_from {
        sql.push_str(&format!(" AND e.hire_date >= ${n}"));
        binds.push(Bind::Date(f));
        n += 1;
    }
    if let Some(t) = filter.hired_to {
        sql.push_str(&format!(" AND e.hire_date <= ${n}"));
        binds.push(Bind::Date(t));
        n += 1;
    }
    if let Some(text) = &filter.text {
        // Name and employee number by substring; ID number and phone only by exact value,
        // through their blind indexes (the sealed columns cannot be searched).
        let (id_bidx, phone_bidx) = sealed::search_indexes(ring, text);
        sql.push_str(&format!(
            " AND (e.name LIKE ${n} ESCAPE '\\' OR e.employee_no LIKE ${n} ESCAPE '\\' OR e.id_number_bidx = ${} OR e.phone_bidx = ${})",
            n + 1,
            n + 2
        ));
        binds.push(Bind::Text(like_pattern(text)));
        binds.push(Bind::Bytes(id_bidx));
        binds.push(Bind::Bytes(phone_bidx));
    }
    (sql, binds)
}

/// The row filter of a [`RowScope`] on alias `e`, as ` AND (…)`; parameter `$on` is the
/// day on which assignments are matched. Parameters from `*n` on are pushed to `binds`.
fn scope_where(scope: &RowScope, on: usize, n: &mut usize, binds: &mut Vec<Bind>) -> String {
    if scope.all {
        return String::new();
    }
    let mut parts: Vec<String> = Vec::new();
    if let Some(me) = scope.me {
        parts.push(format!("e.id = ${n}"));
        binds.push(Bind::Id(me.0));
        *n += 1;
    }
    let mut on_assignment: Vec<String> = Vec::new();
    if let Some(boss) = scope.reports_of {
        on_assignment.push(format!("s.manager_id = ${n}"));
        binds.push(Bind::Id(boss.0));
        *n += 1;
    }
    if !scope.units.is_empty() {
        on_assignment.push(format!("s.org_unit_id IN ({})", placeholders(*n, scope.units.len())));
        *n += scope.units.len();
        binds.extend(scope.units.iter().map(|u| Bind::Id(u.0)));
    }
    if !on_assignment.is_empty() {
        parts.push(format!(
            "EXISTS (SELECT 1 FROM assignments s WHERE s.employee_id = e.id AND s.valid_from <= ${on} \
             AND (s.valid_to IS NULL OR s.valid_to > ${on}) AND ({}))",
            on_assignment.join(" OR ")
        ));
    }
    if !scope.companies.is_empty() {
        parts.push(format!("e.company_id IN ({})", placeholders(*n, scope.companies.len())));
        *n += scope.companies.len();
        binds.extend(scope.companies.iter().map(|c| Bind::Id(c.0)));
    }
    if parts.is_empty() { " AND 1=0".into() } else { format!(" AND ({})", parts.join(" OR ")) }
}

macro_rules! bind_all {
    ($q:ident, $binds:expr) => {
        for b in $binds {
            $q = match b {
                Bind::Date(d) => $q.bind(*d),
                Bind::Id(u) => $q.bind(*u),
                Bind::Text(t) => $q.bind(t.clone()),
                Bind::Bytes(b) => $q.bind(b.clone()),
            };
        }
    };
}

/// With a filter on the assignment (unit subtree, status) only employees that have one
/// on the date can match, so drive from assignments and use its (org_unit_id, …) index.
const FILTERED_FROM: &str = " FROM assignments a JOIN employees e ON e.id = a.employee_id \
     AND a.valid_from <= $1 AND (a.valid_to IS NULL OR a.valid_to > $1)";

#[async_trait]
impl PeopleStore for SqlStore {
    async fn insert_employees(
        &self,
        batch: &[NewEmployeeRecord],
        quota_checks: &[QuotaCheck],
        audit: &[AuditEvent],
    ) -> Result<(), PeopleError> {
        let single_no = if batch.len() == 1 { Some(batch[0].employee.employee_no.as_str()) } else { None };
        let ring = self.sealing_ring().await.map_err(people_err)?;
        let sealed: Vec<SealedPerson> = batch
            .iter()
            .map(|r| {
                let e = &r.employee;
                SealedPerson::seal(
                    &ring,
                    e.id.0,
                    &e.id_number,
                    e.phone.as_deref(),
                    e.address.as_deref(),
                    e.bank_account.as_deref(),
                )
            })
            .collect::<Result<_, _>>()
            .map_err(people_err)?;
        let mut tx = self.db.begin().await.map_err(st)?;
        for (chunk, sealed) in batch.chunks(BATCH).zip(sealed.chunks(BATCH)) {
            let r = on_tx!(&mut tx, c => {
                let mut qb = QueryBuilder::new(format!("INSERT INTO employees ({EMPLOYEE_COLS}, {EMPLOYEE_INDEX_COLS}) "));
                qb.push_values(chunk.iter().map(|r| &r.employee).zip(sealed), |mut b, (e, s)| {
                    push_employee!(b, e, s);
                });
                qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
            });
            r.map_err(|e| write_err(e, single_no))?;
        }
        let events: Vec<&EventRecord> = batch.iter().flat_map(|r| r.events.iter()).collect();
        insert_events(&mut tx, &events).await.map_err(|e| write_err(e, single_no))?;
        let assignments: Vec<&Assignment> = batch.iter().flat_map(|r| r.assignments.iter()).collect();
        insert_assignments(&mut tx, &assignments).await.map_err(|e| write_err(e, single_no))?;
        for r in batch.iter().filter(|r| !r.educations.is_empty() || !r.contacts.is_empty()) {
            let contacts = seal_contacts(&ring, &r.contacts)?;
            insert_children(&mut tx, r.employee.id, &r.educations, &contacts).await.map_err(st)?;
        }
        check_quotas(&mut tx, quota_checks).await?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn employee(&self, id: EmployeeId) -> Result<(Employee, Vec<Education>, Vec<Contact>), PeopleError> {
        let sql = format!("SELECT {EMPLOYEE_COLS} FROM employees WHERE id = $1");
        type EduRow = (String, Option<String>, String, Option<String>, Option<NaiveDate>, Option<NaiveDate>, bool);
        type ContactRow = (Uuid, String, String, String, Option<String>, Option<Vec<u8>>, Option<String>);
        let (row, edus, contacts): (Option<EmployeeRow>, Vec<EduRow>, Vec<ContactRow>) = on_db!(&self.db, p => {
            let row = sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await.map_err(st)?;
            let edus = sqlx::query_as("SELECT school, major, education_level, degree, start_date, end_date, full_time FROM employee_educations WHERE employee_id = $1 ORDER BY seq")
                .bind(id.0).fetch_all(p).await.map_err(st)?;
            let contacts = sqlx::query_as("SELECT id, kind, name, relation, phone, phone_enc, workplace FROM employee_contacts WHERE employee_id = $1 ORDER BY seq")
                .bind(id.0).fetch_all(p).await.map_err(st)?;
            (row, edus, contacts)
        });
        let row = row.ok_or(PeopleError::EmployeeNotFound)?;
        let ring = self
            .ring_for(row.sealed().chain(contacts.iter().filter_map(|c| c.5.as_deref())))
            .await
            .map_err(people_err)?;
        let employee = row.open(&ring)?;
        let educations = edus
            .into_iter()
            .map(|(school, major, education_level, degree, start_date, end_date, full_time)| Education {
                school,
                major,
                education_level,
                degree,
                start_date,
                end_date,
                full_time,
            })
            .collect();
        let contacts = contacts
            .into_iter()
            .map(|(id, kind, name, relation, phone, phone_enc, workplace)| {
                Ok(Contact {
                    kind: ContactKind::parse(&kind).unwrap_or(ContactKind::Emergency),
                    name,
                    relation,
                    phone: open_field(&ring, sealed::CONTACT_PHONE, id, phone_enc.as_deref(), phone)
                        .map_err(people_err)?,
                    workplace,
                })
            })
            .collect::<Result<_, PeopleError>>()?;
        Ok((employee, educations, contacts))
    }

    async fn update_person(
        &self,
        id: EmployeeId,
        p: &ValidPerson,
        educations: Option<&[Education]>,
        contacts: Option<&[Contact]>,
        at: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<(), PeopleError> {
        let ring = self.sealing_ring().await.map_err(people_err)?;
        let s = SealedPerson::seal(
            &ring,
            id.0,
            &p.id_number,
            p.phone.as_deref(),
            p.address.as_deref(),
            p.bank_account.as_deref(),
        )
        .map_err(people_err)?;
        let contacts = contacts.map(|c| seal_contacts(&ring, c)).transpose()?;
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE employees SET name=$1, gender=$2, birth_date=$3, id_type=$4, id_number=$5, ethnicity=$6, political_status=$7, \
                         marital_status=$8, native_place=$9, education_level=$10, degree=$11, phone=$12, email=$13, address=$14, updated_at=$15, \
                         id_number_enc=$17, id_number_bidx=$18, phone_enc=$19, phone_bidx=$20, address_enc=$21, bank_name=$22, bank_account_enc=$23 WHERE id=$16")
                .bind(&p.name).bind(&p.gender).bind(p.birth_date).bind(&p.id_type).bind(&s.id_number_stub).bind(&p.ethnicity)
                .bind(&p.political_status).bind(&p.marital_status).bind(&p.native_place).bind(&p.education_level).bind(&p.degree)
                .bind(None::<String>).bind(&p.email).bind(None::<String>).bind(at).bind(id.0)
                .bind(&s.id_number_enc).bind(&s.id_number_bidx).bind(&s.phone_enc).bind(&s.phone_bidx).bind(&s.address_enc)
                .bind(&p.bank_name).bind(&s.bank_account_enc)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(|e| write_err(e, None))?;
        if n == 0 {
            return Err(PeopleError::EmployeeNotFound);
        }
        on_tx!(&mut tx, c => {
            if educations.is_some() {
                sqlx::query("DELETE FROM employee_educations WHERE employee_id = $1").bind(id.0).execute(&mut *c).await.map_err(st)?;
            }
            if contacts.is_some() {
                sqlx::query("DELETE FROM employee_contacts WHERE employee_id = $1").bind(id.0).execute(&mut *c).await.map_err(st)?;
            }
        });
        insert_children(&mut tx, id, educations.unwrap_or_default(), contacts.as_deref().unwrap_or_default())
            .await
            .map_err(st)?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn events(&self, id: EmployeeId) -> Result<Vec<EventRecord>, PeopleError> {
        let sql =
            format!("SELECT {EVENT_COLS} FROM employee_events WHERE employee_id = $1 ORDER BY effective_date, id");
        let rows: Vec<EventRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_all(p).await
        })
        .map_err(st)?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn assignments(&self, id: EmployeeId) -> Result<Vec<Assignment>, PeopleError> {
        let sql = format!("SELECT {ASSIGNMENT_COLS} FROM assignments WHERE employee_id = $1 ORDER BY valid_from");
        let rows: Vec<AssignmentRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn record_events(
        &self,
        changes: &[EmployeeChange],
        quota_checks: &[QuotaCheck],
        org_changes: Option<(&[UnitVersionWrite], &[OrgChangeRecord])>,
        audit: &[AuditEvent],
    ) -> Result<(), PeopleError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        if let Some((writes, records)) = org_changes {
            write_unit_changes(&mut tx, writes, records).await?;
        }
        let events: Vec<&EventRecord> = changes.iter().flat_map(|c| c.new_events.iter()).collect();
        insert_events(&mut tx, &events).await.map_err(|e| write_err(e, None))?;
        for ids in changes.chunks(BATCH) {
            let sql = format!("DELETE FROM assignments WHERE employee_id IN ({})", placeholders(1, ids.len()));
            on_tx!(&mut tx, c => {
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for ch in ids {
                    q = q.bind(ch.employee_id.0);
                }
                q.execute(&mut *c).await.map_err(st)?;
            });
        }
        let assignments: Vec<&Assignment> = changes.iter().flat_map(|c| c.assignments.iter()).collect();
        insert_assignments(&mut tx, &assignments).await.map_err(|e| write_err(e, None))?;
        check_quotas(&mut tx, quota_checks).await?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn in_scope(&self, scope: &RowScope, ids: &[EmployeeId]) -> Result<Vec<EmployeeId>, PeopleError> {
        if scope.all {
            return Ok(ids.to_vec());
        }
        if scope.is_empty() || ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH) {
            let mut binds = Vec::new();
            let mut n = 2;
            let scope_sql = scope_where(scope, 1, &mut n, &mut binds);
            let sql =
                format!("SELECT e.id FROM employees e WHERE e.id IN ({}){scope_sql}", placeholders(n, chunk.len()));
            let on = scope.on.unwrap_or_default();
            let rows: Vec<Uuid> = on_db!(&self.db, p => {
                let mut q = sqlx::query_scalar(AssertSqlSafe(sql)).bind(on);
                bind_all!(q, &binds);
                for id in chunk {
                    q = q.bind(id.0);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            out.extend(rows.into_iter().map(EmployeeId));
        }
        Ok(out)
    }

    async fn list(
        &self,
        filter: &EmployeeFilter,
        scope: &RowScope,
        as_of: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<EmployeeSummary>, PeopleError> {
        if scope.is_empty() {
            return Ok(Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page });
        }
        let (mut where_sql, mut binds) = list_where(filter, &self.keyring());
        let mut n = binds.len() + 2;
        if !scope.all {
            // The scope's own assignment date is bound as a parameter of its own: it is
            // today, whereas $1 is the as-of date of the view.
            binds.push(Bind::Date(scope.on.unwrap_or(as_of)));
            let on_param = n;
            n += 1;
            let mut sbinds = Vec::new();
            let mut m = n;
            let scope_sql = scope_where(scope, on_param, &mut m, &mut sbinds);
            where_sql.push_str(&scope_sql);
            binds.extend(sbinds);
        }
        // The as-of join matches at most one segment per employee, so without a filter on
        // the assignment the count needs only the employees table.
        let needs_join = filter.org_units.is_some() || filter.statuses.is_some();
        let count_sql = if needs_join {
            format!("SELECT COUNT(*){FILTERED_FROM}{where_sql}")
        } else {
            format!("SELECT COUNT(*) FROM employees e{where_sql}")
        };
        // Page the ids first (an index walk on employees(employee_no, id) when nothing
        // filters on the assignment), then join names for those rows only. LIMIT/OFFSET are
        // written as literals — integers from PageRequest — so PostgreSQL's generic plan for
        // the prepared statement still knows it needs 50 rows, not the whole table.
        let ids_from = if needs_join { FILTERED_FROM } else { " FROM employees e" };
        let page_sql = format!(
            "WITH pg AS (SELECT e.id{ids_from}{where_sql} ORDER BY e.employee_no, e.id LIMIT {} OFFSET {}) \
             SELECT e.id, e.company_id, e.employee_no, e.name, e.gender, e.hire_date, e.employment_type, e.phone, e.phone_enc, \
             a.status, a.org_unit_id, ov.name AS org_unit_name, a.position_id, p.name AS position_name \
             FROM pg JOIN employees e ON e.id = pg.id \
             LEFT JOIN assignments a ON a.employee_id = e.id AND a.valid_from <= $1 AND (a.valid_to IS NULL OR a.valid_to > $1) \
             LEFT JOIN org_unit_versions ov ON ov.unit_id = a.org_unit_id AND ov.valid_from <= $1 AND (ov.valid_to IS NULL OR ov.valid_to > $1) \
             LEFT JOIN positions p ON p.id = a.position_id ORDER BY e.employee_no, e.id",
            page.limit(),
            page.offset()
        );
        let (total, rows): (i64, Vec<SummaryRow>) = on_db!(&self.db, p => {
            let mut cq = sqlx::query_scalar(AssertSqlSafe(count_sql)).bind(as_of);
            bind_all!(cq, &binds);
            let total: i64 = cq.fetch_one(p).await.map_err(st)?;
            let mut q = sqlx::query_as(AssertSqlSafe(page_sql)).bind(as_of);
            bind_all!(q, &binds);
            let rows = q.fetch_all(p).await.map_err(st)?;
            (total, rows)
        });
        let ring = self.ring_for(rows.iter().filter_map(|r| r.phone_enc.as_deref())).await.map_err(people_err)?;
        let items = rows
            .into_iter()
            .map(|r| {
                let phone = open_field(&ring, sealed::EMPLOYEE_PHONE, r.id, r.phone_enc.as_deref(), r.phone)
                    .map_err(people_err)?;
                Ok(EmployeeSummary {
                    id: EmployeeId(r.id),
                    company_id: CompanyId(r.company_id),
                    employee_no: r.employee_no,
                    name: r.name,
                    gender: r.gender,
                    hire_date: r.hire_date,
                    employment_type: EmploymentType::parse(&r.employment_type).unwrap_or(EmploymentType::FullTime),
                    status: r.status.as_deref().and_then(EmployeeStatus::parse),
                    org_unit_id: r.org_unit_id.map(OrgUnitId),
                    org_unit_name: r.org_unit_name,
                    position_id: r.position_id.map(PositionId),
                    position_name: r.position_name,
                    phone,
                })
            })
            .collect::<Result<_, PeopleError>>()?;
        Ok(Page { items, total: total.max(0) as u64, page: page.page, per_page: page.per_page })
    }

    async fn events_of_staff(
        &self,
        units: &[OrgUnitId],
        from: NaiveDate,
    ) -> Result<HashMap<EmployeeId, Vec<EventRecord>>, PeopleError> {
        if units.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT {EVENT_COLS} FROM employee_events WHERE employee_id IN (SELECT DISTINCT employee_id FROM assignments \
             WHERE (valid_to IS NULL OR valid_to > $1) AND org_unit_id IN ({})) ORDER BY employee_id, effective_date, id",
            placeholders(2, units.len())
        );
        let rows: Vec<EventRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(from);
            for u in units {
                q = q.bind(u.0);
            }
            q.fetch_all(p).await
        })
        .map_err(st)?;
        let mut out: HashMap<EmployeeId, Vec<EventRecord>> = HashMap::new();
        for r in rows {
            let e: EventRecord = r.try_into()?;
            out.entry(e.employee_id).or_default().push(e);
        }
        Ok(out)
    }

    async fn ids_by_employee_no(
        &self,
        company: CompanyId,
        nos: &[String],
    ) -> Result<HashMap<String, EmployeeId>, PeopleError> {
        let mut out = HashMap::new();
        for chunk in nos.chunks(1000) {
            let sql = format!(
                "SELECT employee_no, id FROM employees WHERE company_id = $1 AND employee_no IN ({})",
                placeholders(2, chunk.len())
            );
            let rows: Vec<(String, Uuid)> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(company.0);
                for n in chunk {
                    q = q.bind(n);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            out.extend(rows.into_iter().map(|(n, id)| (n, EmployeeId(id))));
        }
        Ok(out)
    }

    async fn taken_id_numbers(&self, company: CompanyId, numbers: &[String]) -> Result<Vec<String>, PeopleError> {
        // Through the blind index: the numbers themselves are sealed.
        let ring = self.keyring();
        let by_index: HashMap<Vec<u8>, &String> =
            numbers.iter().map(|n| (ring.blind_index(BlindField::IdNumber, n).to_vec(), n)).collect();
        let indexes: Vec<&Vec<u8>> = by_index.keys().collect();
        let mut out = Vec::new();
        for chunk in indexes.chunks(1000) {
            let sql = format!(
                "SELECT id_number_bidx FROM employees WHERE company_id = $1 AND id_number_bidx IN ({})",
                placeholders(2, chunk.len())
            );
            let rows: Vec<Vec<u8>> = on_db!(&self.db, p => {
                let mut q = sqlx::query_scalar(AssertSqlSafe(sql)).bind(company.0);
                for n in chunk {
                    q = q.bind(n.as_slice());
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            out.extend(rows.iter().filter_map(|b| by_index.get(b)).map(|n| (*n).clone()));
        }
        Ok(out)
    }

    async fn employee_by_id_number(
        &self,
        company: CompanyId,
        id_type: &str,
        id_number: &str,
    ) -> Result<Option<EmployeeId>, PeopleError> {
        let bidx = self.keyring().blind_index(BlindField::IdNumber, id_number).to_vec();
        let id: Option<Uuid> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT id FROM employees WHERE company_id = $1 AND id_type = $2 AND id_number_bidx = $3")
                .bind(company.0)
                .bind(id_type)
                .bind(bidx)
                .fetch_optional(p)
                .await
        })
        .map_err(st)?;
        Ok(id.map(EmployeeId))
    }

    async fn employees_as_of(
        &self,
        company: CompanyId,
        as_of: NaiveDate,
    ) -> Result<Vec<(Employee, Option<Assignment>)>, PeopleError> {
        let esql = format!("SELECT {EMPLOYEE_COLS} FROM employees WHERE company_id = $1 ORDER BY employee_no");
        let asql = format!(
            "SELECT {} FROM assignments a JOIN employees e ON e.id = a.employee_id \
             WHERE e.company_id = $1 AND a.valid_from <= $2 AND (a.valid_to IS NULL OR a.valid_to > $2)",
            ASSIGNMENT_COLS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ")
        );
        let (emps, asgs): (Vec<EmployeeRow>, Vec<AssignmentRow>) = on_db!(&self.db, p => {
            let emps = sqlx::query_as(AssertSqlSafe(esql)).bind(company.0).fetch_all(p).await.map_err(st)?;
            let asgs = sqlx::query_as(AssertSqlSafe(asql)).bind(company.0).bind(as_of).fetch_all(p).await.map_err(st)?;
            (emps, asgs)
        });
        let mut by_emp: HashMap<Uuid, Assignment> = asgs.into_iter().map(|a| (a.employee_id, a.into())).collect();
        let ring = self.ring_for(emps.iter().flat_map(EmployeeRow::sealed)).await.map_err(people_err)?;
        emps.into_iter()
            .map(|e| {
                let a = by_emp.remove(&e.id);
                Ok((e.open(&ring)?, a))
            })
            .collect()
    }

    async fn people(&self, company: Option<CompanyId>) -> Result<Vec<PersonRow>, PeopleError> {
        let mut sql = String::from(
            "SELECT id, employee_no, name, gender, birth_date, id_type, id_number, phone, email, ethnicity, political_status, education_level, \
             id_number_enc, phone_enc FROM employees",
        );
        if company.is_some() {
            sql.push_str(" WHERE company_id = $1");
        }
        sql.push_str(" ORDER BY employee_no");
        type Row = (
            Uuid,
            String,
            String,
            String,
            Option<NaiveDate>,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<Vec<u8>>,
            Option<Vec<u8>>,
        );
        let rows: Vec<Row> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            if let Some(c) = company {
                q = q.bind(c.0);
            }
            q.fetch_all(p).await
        })
        .map_err(st)?;
        let ring = self
            .ring_for(rows.iter().flat_map(|r| [r.12.as_deref(), r.13.as_deref()]).flatten())
            .await
            .map_err(people_err)?;
        rows.into_iter()
            .map(|r| {
                let id_number = open_field(&ring, sealed::EMPLOYEE_ID_NUMBER, r.0, r.12.as_deref(), Some(r.6))
                    .map_err(people_err)?
                    .unwrap_or_default();
                let phone = open_field(&ring, sealed::EMPLOYEE_PHONE, r.0, r.13.as_deref(), r.7).map_err(people_err)?;
                Ok(PersonRow {
                    id: EmployeeId(r.0),
                    employee_no: r.1,
                    name: r.2,
                    gender: r.3,
                    birth_date: r.4,
                    id_type: r.5,
                    id_number,
                    phone,
                    email: r.8,
                    ethnicity: r.9,
                    political_status: r.10,
                    education_level: r.11,
                })
            })
            .collect()
    }

    async fn insert_contract(&self, c: &Contract, audit: &[AuditEvent]) -> Result<(), PeopleError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        on_tx!(&mut tx, p => {
            sqlx::query("INSERT INTO contracts (id, employee_id, kind, start_date, end_date, renewal_count, signed_on, status, previous_contract_id) \
                         VALUES ($1,$2,$3,$4,$5,$6,$7,'active',$8)")
                .bind(c.id.0)
                .bind(c.employee_id.0)
                .bind(c.kind.as_str())
                .bind(c.start_date)
                .bind(c.end_date)
                .bind(c.renewal_count)
                .bind(c.signed_on)
                .bind(c.previous_contract_id.map(|x| x.0))
                .execute(&mut *p)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(|e| write_err(e, None))?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn contracts(&self, employee: EmployeeId) -> Result<Vec<Contract>, PeopleError> {
        let sql = format!("SELECT {CONTRACT_COLS} FROM contracts c WHERE c.employee_id = $1 ORDER BY c.start_date");
        let rows: Vec<ContractRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(employee.0).fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn expiring_contracts(
        &self,
        company: Option<CompanyId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ExpiringContract>, PeopleError> {
        let mut sql = format!(
            "SELECT {CONTRACT_COLS}, e.employee_no, e.name FROM contracts c JOIN employees e ON e.id = c.employee_id \
             WHERE c.end_date >= $1 AND c.end_date <= $2 AND NOT EXISTS (SELECT 1 FROM contracts n WHERE n.previous_contract_id = c.id)"
        );
        if company.is_some() {
            sql.push_str(" AND e.company_id = $3");
        }
        sql.push_str(" ORDER BY c.end_date, e.employee_no");
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            c: ContractRow,
            employee_no: String,
            name: String,
        }
        let rows: Vec<Row> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(from).bind(to);
            if let Some(c) = company {
                q = q.bind(c.0);
            }
            q.fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let contract: Contract = r.c.into();
                let days_left = contract.end_date.map(|e| (e - from).num_days()).unwrap_or(0);
                ExpiringContract { contract, employee_no: r.employee_no, employee_name: r.name, days_left }
            })
            .collect())
    }
}
