//! Storage of leave types, the leave ledger, annual-leave profiles, leave and overtime applications
//! and punch corrections (bole_time::absence), on both engines.
//!
//! Every write that checks an employee's overlap, balance or monthly limit first touches the
//! employee's row in `absence_employee_locks` (an upsert), so two concurrent writes for the same
//! employee serialise on it (PostgreSQL: the row lock; SQLite: the write lock) and the checks run
//! again under it. Approval commits write the workflow transition first, then the document's
//! status and effects (ledger, absence_days / overtime_days / punches, attendance recomputation);
//! any error drops the whole transaction. The ledger is append-only (database triggers).

use crate::attendance::{insert_punches_in_tx, recompute_in_tx};
use crate::audit::append_in_tx;
use crate::db::{Tx, is_foreign_key_violation, is_unique_violation};
use crate::org::placeholders;
use crate::workflow::write_transition;
use crate::{SqlStore, on_db, on_tx};
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, EmployeeId, Page, PageRequest, UserId};
use bole_time::absence::rules;
use bole_time::absence::*;
use bole_time::attendance::{Punch, PunchSource};
use bole_workflow::{Transition, WorkflowError};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::str::FromStr;
use uuid::Uuid;

/// Rows per multi-row INSERT and ids per IN list.
const BATCH: usize = 400;

const LIVE: &str = "('pending', 'returned', 'approved')";
const OPEN: &str = "('pending', 'returned')";

fn st(e: sqlx::Error) -> AbsenceError {
    // sqlx errors name constraints and SQL, never bound values.
    tracing::error!(error = %e, "absence store failure");
    AbsenceError::Storage(e.to_string())
}

fn decode(what: &str, id: Uuid) -> AbsenceError {
    tracing::error!(absence.row = %id, column = what, "absence row does not decode");
    AbsenceError::Storage(format!("{what} of {id} does not decode"))
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, AbsenceError> {
    serde_json::to_string(v).map_err(|e| AbsenceError::Storage(format!("encode: {e}")))
}

fn dec(s: &str, what: &str, id: Uuid) -> Result<Decimal, AbsenceError> {
    Decimal::from_str(s).map_err(|_| decode(what, id))
}

fn wf(e: AbsenceError) -> WorkflowError {
    e.into_workflow()
}

fn i32_of(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[derive(Clone, Debug)]
enum Bind {
    Id(Uuid),
    Date(NaiveDate),
    Text(String),
}

macro_rules! bind_all {
    ($q:ident, $binds:expr) => {
        for b in $binds {
            $q = match b {
                Bind::Id(u) => $q.bind(*u),
                Bind::Date(d) => $q.bind(*d),
                Bind::Text(t) => $q.bind(t.clone()),
            };
        }
    };
}

// ------------------------------------------------------------------------ rows

#[derive(sqlx::FromRow)]
struct TypeRow {
    id: Uuid,
    company_id: Uuid,
    code: String,
    name_zh: String,
    name_en: String,
    unit: String,
    paid: bool,
    pay_ratio: String,
    counting: String,
    balance_tracked: bool,
    entitlement: String,
    max_days_per_application: Option<String>,
    gender: Option<String>,
    carry_over_max_days: String,
    carry_over_expiry_months: i32,
    allow_negative: bool,
    policy: String,
    active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const TYPE_COLS: &str = "id, company_id, code, name_zh, name_en, unit, paid, pay_ratio, counting, balance_tracked, \
     entitlement, max_days_per_application, gender, carry_over_max_days, carry_over_expiry_months, allow_negative, \
     policy, active, created_at, updated_at";

impl TryFrom<TypeRow> for LeaveType {
    type Error = AbsenceError;
    fn try_from(r: TypeRow) -> Result<Self, AbsenceError> {
        let id = r.id;
        Ok(LeaveType {
            id: LeaveTypeId(id),
            company_id: CompanyId(r.company_id),
            code: r.code,
            name_zh: r.name_zh,
            name_en: r.name_en,
            unit: LeaveUnit::parse(&r.unit).ok_or_else(|| decode("unit", id))?,
            paid: r.paid,
            pay_ratio: dec(&r.pay_ratio, "pay_ratio", id)?,
            counting: DayCounting::parse(&r.counting).ok_or_else(|| decode("counting", id))?,
            balance_tracked: r.balance_tracked,
            entitlement: serde_json::from_str(&r.entitlement).map_err(|_| decode("entitlement", id))?,
            max_days_per_application: r
                .max_days_per_application
                .as_deref()
                .map(|s| dec(s, "max_days_per_application", id))
                .transpose()?,
            gender: r.gender.as_deref().and_then(Gender::parse),
            carry_over_max_days: dec(&r.carry_over_max_days, "carry_over_max_days", id)?,
            carry_over_expiry_months: u32::try_from(r.carry_over_expiry_months).unwrap_or(0),
            allow_negative: r.allow_negative,
            policy: serde_json::from_str(&r.policy).map_err(|_| decode("policy", id))?,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LedgerRow {
    id: Uuid,
    company_id: Uuid,
    employee_id: Uuid,
    leave_type_id: Uuid,
    kind: String,
    minutes: i64,
    leave_year: i32,
    valid_from: NaiveDate,
    expires_on: Option<NaiveDate>,
    application_id: Option<Uuid>,
    source: String,
    reason: Option<String>,
    created_at: DateTime<Utc>,
    created_by: Uuid,
}

const LEDGER_COLS: &str = "id, company_id, employee_id, leave_type_id, kind, minutes, leave_year, valid_from, expires_on, \
     application_id, source, reason, created_at, created_by";

impl TryFrom<LedgerRow> for LedgerEntry {
    type Error = AbsenceError;
    fn try_from(r: LedgerRow) -> Result<Self, AbsenceError> {
        Ok(LedgerEntry {
            id: LedgerEntryId(r.id),
            company_id: CompanyId(r.company_id),
            employee_id: EmployeeId(r.employee_id),
            leave_type_id: LeaveTypeId(r.leave_type_id),
            kind: LedgerKind::parse(&r.kind).ok_or_else(|| decode("kind", r.id))?,
            minutes: r.minutes,
            leave_year: r.leave_year,
            valid_from: r.valid_from,
            expires_on: r.expires_on,
            application_id: r.application_id,
            source: r.source,
            reason: r.reason,
            created_at: r.created_at,
            created_by: UserId(r.created_by),
        })
    }
}

#[derive(sqlx::FromRow)]
struct SumRow {
    employee_id: Uuid,
    leave_type_id: Uuid,
    kind: String,
    leave_year: i32,
    expires_on: Option<NaiveDate>,
    positive: i64,
    negative: i64,
}

#[derive(sqlx::FromRow)]
struct FactsRow {
    id: Uuid,
    company_id: Uuid,
    gender: String,
    hire_date: NaiveDate,
    not_employed_from: Option<NaiveDate>,
    p_employee_id: Option<Uuid>,
    work_start_date: Option<NaiveDate>,
    prior_years: Option<String>,
    prior_years_as_of: Option<NaiveDate>,
    p_updated_at: Option<DateTime<Utc>>,
    p_updated_by: Option<Uuid>,
}

const FACTS_SELECT: &str = "SELECT e.id, e.company_id, e.gender, e.hire_date, \
     (SELECT a.valid_from FROM assignments a WHERE a.employee_id = e.id AND a.valid_to IS NULL AND NOT a.employed) AS not_employed_from, \
     p.employee_id AS p_employee_id, p.work_start_date, p.prior_years, p.prior_years_as_of, \
     p.updated_at AS p_updated_at, p.updated_by AS p_updated_by \
     FROM employees e LEFT JOIN leave_profiles p ON p.employee_id = e.id";

impl TryFrom<FactsRow> for EmployeeFacts {
    type Error = AbsenceError;
    fn try_from(r: FactsRow) -> Result<Self, AbsenceError> {
        let profile = match (r.p_employee_id, r.p_updated_at, r.p_updated_by) {
            (Some(_), Some(at), Some(by)) => Some(LeaveProfile {
                employee_id: EmployeeId(r.id),
                company_id: CompanyId(r.company_id),
                work_start_date: r.work_start_date,
                prior_years: r.prior_years.as_deref().map(|s| dec(s, "prior_years", r.id)).transpose()?,
                prior_years_as_of: r.prior_years_as_of,
                updated_at: at,
                updated_by: UserId(by),
            }),
            _ => None,
        };
        Ok(EmployeeFacts {
            id: EmployeeId(r.id),
            company_id: CompanyId(r.company_id),
            gender: r.gender,
            hire_date: r.hire_date,
            // The open segment that is not employed starts the day after the last day.
            exit_date: r.not_employed_from.filter(|d| *d > r.hire_date).and_then(|d| d.pred_opt()),
            profile,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AppRow {
    id: Uuid,
    company_id: Uuid,
    employee_id: Uuid,
    leave_type_id: Uuid,
    start_date: NaiveDate,
    end_date: NaiveDate,
    start_half: Option<String>,
    end_half: Option<String>,
    hours_minutes: Option<i64>,
    duration_minutes: i64,
    status: String,
    reason: String,
    details: String,
    instance_id: Option<Uuid>,
    submitted_by: Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    cancelled_at: Option<DateTime<Utc>>,
    cancelled_by: Option<Uuid>,
    cancel_reason: Option<String>,
}

const APP_COLS: &str = "id, company_id, employee_id, leave_type_id, start_date, end_date, start_half, end_half, hours_minutes, \
     duration_minutes, status, reason, details, instance_id, submitted_by, created_at, updated_at, decided_at, cancelled_at, \
     cancelled_by, cancel_reason";

impl TryFrom<AppRow> for LeaveApplication {
    type Error = AbsenceError;
    fn try_from(r: AppRow) -> Result<Self, AbsenceError> {
        Ok(LeaveApplication {
            id: LeaveApplicationId(r.id),
            company_id: CompanyId(r.company_id),
            employee_id: EmployeeId(r.employee_id),
            leave_type_id: LeaveTypeId(r.leave_type_id),
            start_date: r.start_date,
            end_date: r.end_date,
            start_half: r.start_half.as_deref().and_then(HalfDay::parse),
            end_half: r.end_half.as_deref().and_then(HalfDay::parse),
            hours_minutes: r.hours_minutes,
            duration_minutes: r.duration_minutes,
            status: ApplicationStatus::parse(&r.status).ok_or_else(|| decode("status", r.id))?,
            reason: r.reason,
            details: serde_json::from_str(&r.details).map_err(|_| decode("details", r.id))?,
            instance_id: r.instance_id,
            submitted_by: UserId(r.submitted_by),
            created_at: r.created_at,
            updated_at: r.updated_at,
            decided_at: r.decided_at,
            cancelled_at: r.cancelled_at,
            cancelled_by: r.cancelled_by.map(UserId),
            cancel_reason: r.cancel_reason,
        })
    }
}

#[derive(sqlx::FromRow)]
struct OvertimeRow {
    id: Uuid,
    company_id: Uuid,
    employee_id: Uuid,
    day: NaiveDate,
    start_time: NaiveTime,
    end_time: NaiveTime,
    minutes: i64,
    kind: String,
    compensation: String,
    status: String,
    reason: String,
    instance_id: Option<Uuid>,
    submitted_by: Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    cancelled_at: Option<DateTime<Utc>>,
    cancelled_by: Option<Uuid>,
}

const OVERTIME_COLS: &str = "id, company_id, employee_id, day, start_time, end_time, minutes, kind, compensation, status, \
     reason, instance_id, submitted_by, created_at, updated_at, decided_at, cancelled_at, cancelled_by";

impl TryFrom<OvertimeRow> for OvertimeApplication {
    type Error = AbsenceError;
    fn try_from(r: OvertimeRow) -> Result<Self, AbsenceError> {
        Ok(OvertimeApplication {
            id: OvertimeId(r.id),
            company_id: CompanyId(r.company_id),
            employee_id: EmployeeId(r.employee_id),
            date: r.day,
            start_time: r.start_time,
            end_time: r.end_time,
            minutes: r.minutes,
            kind: r.kind,
            compensation: Compensation::parse(&r.compensation).ok_or_else(|| decode("compensation", r.id))?,
            status: ApplicationStatus::parse(&r.status).ok_or_else(|| decode("status", r.id))?,
            reason: r.reason,
            instance_id: r.instance_id,
            submitted_by: UserId(r.submitted_by),
            created_at: r.created_at,
            updated_at: r.updated_at,
            decided_at: r.decided_at,
            cancelled_at: r.cancelled_at,
            cancelled_by: r.cancelled_by.map(UserId),
        })
    }
}

#[derive(sqlx::FromRow)]
struct PunchRow {
    id: Uuid,
    company_id: Uuid,
    employee_id: Uuid,
    day: NaiveDate,
    at_time: NaiveTime,
    direction: String,
    status: String,
    reason: String,
    instance_id: Option<Uuid>,
    submitted_by: Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
}

const PUNCH_COLS: &str = "id, company_id, employee_id, day, at_time, direction, status, reason, instance_id, submitted_by, \
     created_at, updated_at, decided_at";

impl TryFrom<PunchRow> for PunchCorrection {
    type Error = AbsenceError;
    fn try_from(r: PunchRow) -> Result<Self, AbsenceError> {
        Ok(PunchCorrection {
            id: PunchCorrectionId(r.id),
            company_id: CompanyId(r.company_id),
            employee_id: EmployeeId(r.employee_id),
            date: r.day,
            time: r.at_time,
            direction: PunchDirection::parse(&r.direction).ok_or_else(|| decode("direction", r.id))?,
            status: ApplicationStatus::parse(&r.status).ok_or_else(|| decode("status", r.id))?,
            reason: r.reason,
            instance_id: r.instance_id,
            submitted_by: UserId(r.submitted_by),
            created_at: r.created_at,
            updated_at: r.updated_at,
            decided_at: r.decided_at,
        })
    }
}

// ------------------------------------------------------------------------ in-transaction helpers

/// Serialise writes for one employee (see the module note).
async fn lock_employee(tx: &mut Tx, employee: EmployeeId) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO absence_employee_locks (employee_id, seq) VALUES ($1, 1) \
             ON CONFLICT (employee_id) DO UPDATE SET seq = absence_employee_locks.seq + 1",
        )
        .bind(employee.0)
        .execute(&mut *c)
        .await
        .map(|_| ())
    })
}

async fn insert_entries(tx: &mut Tx, entries: &[LedgerEntry]) -> Result<(), AbsenceError> {
    for chunk in entries.chunks(BATCH) {
        let res = on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(format!("INSERT INTO leave_ledger ({LEDGER_COLS}) "));
            qb.push_values(chunk, |mut b, e| {
                b.push_bind(e.id.0)
                    .push_bind(e.company_id.0)
                    .push_bind(e.employee_id.0)
                    .push_bind(e.leave_type_id.0)
                    .push_bind(e.kind.as_str())
                    .push_bind(e.minutes)
                    .push_bind(e.leave_year)
                    .push_bind(e.valid_from)
                    .push_bind(e.expires_on)
                    .push_bind(e.application_id)
                    .push_bind(e.source.clone())
                    .push_bind(e.reason.clone())
                    .push_bind(e.created_at)
                    .push_bind(e.created_by.0);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_foreign_key_violation(&e) => return Err(AbsenceError::EmployeeNotFound),
            Err(e) => return Err(st(e)),
        }
    }
    Ok(())
}

/// Σ ledger of one employee's type.
async fn balance_in_tx(tx: &mut Tx, employee: EmployeeId, leave_type: LeaveTypeId) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM leave_ledger WHERE employee_id = $1 AND leave_type_id = $2",
        )
        .bind(employee.0)
        .bind(leave_type.0)
        .fetch_one(&mut *c)
        .await
    })
}

/// Minutes reserved by the employee's open applications of a type, except `exclude`.
async fn pending_in_tx(
    tx: &mut Tx,
    employee: EmployeeId,
    leave_type: LeaveTypeId,
    exclude: Option<LeaveApplicationId>,
) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(duration_minutes), 0) AS BIGINT) FROM leave_applications \
         WHERE employee_id = $1 AND leave_type_id = $2 AND status IN {OPEN} AND id <> $3"
    );
    on_tx!(tx, c => {
        sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(employee.0)
            .bind(leave_type.0)
            .bind(exclude.map_or(Uuid::nil(), |e| e.0))
            .fetch_one(&mut *c)
            .await
    })
}

async fn touching_in_tx(
    tx: &mut Tx,
    employee: EmployeeId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<LeaveApplication>, AbsenceError> {
    let sql = format!(
        "SELECT {APP_COLS} FROM leave_applications WHERE employee_id = $1 AND start_date <= $2 AND end_date >= $3 \
         AND status IN {LIVE}"
    );
    let rows: Vec<AppRow> = on_tx!(tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(employee.0).bind(to).bind(from).fetch_all(&mut *c).await
    })
    .map_err(st)?;
    rows.into_iter().map(LeaveApplication::try_from).collect()
}

/// The overlap and balance checks of a leave write, under the employee lock.
async fn run_checks(tx: &mut Tx, checks: &LeaveChecks) -> Result<(), AbsenceError> {
    lock_employee(tx, checks.employee_id).await.map_err(st)?;
    let others: Vec<LeaveApplication> = touching_in_tx(tx, checks.employee_id, checks.span.start, checks.span.end)
        .await?
        .into_iter()
        .filter(|a| Some(a.id) != checks.exclude)
        .collect();
    if let Some(o) = rules::first_overlap(&checks.span, &others) {
        return Err(AbsenceError::LeaveOverlaps {
            start: o.start_date,
            end: o.end_date,
            status: o.status.as_str().into(),
        });
    }
    if let Some(b) = &checks.balance {
        let balance = balance_in_tx(tx, checks.employee_id, b.leave_type_id).await.map_err(st)?;
        let pending = pending_in_tx(tx, checks.employee_id, b.leave_type_id, checks.exclude).await.map_err(st)?;
        if balance - pending - b.need_minutes < 0 {
            return Err(AbsenceError::InsufficientBalance {
                leave_type: b.leave_type_name.clone(),
                balance: minutes_to_days(balance),
                pending: minutes_to_days(pending),
                requested: minutes_to_days(b.need_minutes),
            });
        }
    }
    Ok(())
}

/// Move a document table's row from one of `from` to `to`; `WrongStatus` when it is elsewhere.
async fn set_status(
    tx: &mut Tx,
    table: &str,
    id: Uuid,
    from: &[ApplicationStatus],
    to: ApplicationStatus,
    at: DateTime<Utc>,
) -> Result<(), AbsenceError> {
    let decided = matches!(to, ApplicationStatus::Approved | ApplicationStatus::Rejected);
    let list = from.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ");
    let decided_sql = if decided { ", decided_at = $2" } else { "" };
    let sql =
        format!("UPDATE {table} SET status = $1, updated_at = $2{decided_sql} WHERE id = $3 AND status IN ({list})");
    let n = on_tx!(tx, c => {
        sqlx::query(AssertSqlSafe(sql)).bind(to.as_str()).bind(at).bind(id).execute(&mut *c).await.map(|r| r.rows_affected())
    })
    .map_err(st)?;
    if n == 1 {
        return Ok(());
    }
    let sql = format!("SELECT status FROM {table} WHERE id = $1");
    let current: Option<String> = on_tx!(tx, c => {
        sqlx::query_scalar(AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await
    })
    .map_err(st)?;
    Err(AbsenceError::WrongStatus { status: current.unwrap_or_else(|| "missing".into()) })
}

async fn recompute(
    tx: &mut Tx,
    employee: EmployeeId,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<(), AbsenceError> {
    recompute_in_tx(tx, &[employee], from, to, today).await.map_err(st)
}

// ------------------------------------------------------------------------ scope

/// Subtree roots expanded on the org structure of `on` (one recursive query).
async fn expand_units(
    store: &SqlStore,
    roots: &[bole_core::OrgUnitId],
    on: NaiveDate,
) -> Result<Vec<Uuid>, AbsenceError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "WITH RECURSIVE sub(id) AS ( \
           SELECT v.unit_id FROM org_unit_versions v WHERE v.unit_id IN ({}) \
             AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1) \
           UNION \
           SELECT v.unit_id FROM org_unit_versions v JOIN sub ON v.parent_id = sub.id \
             WHERE v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)) \
         SELECT id FROM sub",
        placeholders(2, roots.len())
    );
    on_db!(&store.db, p => {
        let mut q = sqlx::query_scalar::<_, Uuid>(AssertSqlSafe(sql)).bind(on);
        for r in roots {
            q = q.bind(r.0);
        }
        q.fetch_all(p).await
    })
    .map_err(st)
}

/// ` AND (…)` restricting rows whose employee column is `emp` and company column `company` to
/// the scope; binds pushed from `*n` on. `units` are the expanded subtrees.
fn scope_sql(
    scope: &AbsenceScope,
    units: &[Uuid],
    emp: &str,
    company: &str,
    n: &mut usize,
    binds: &mut Vec<Bind>,
) -> String {
    if scope.all {
        return String::new();
    }
    let mut parts = Vec::new();
    if let Some(me) = scope.me {
        parts.push(format!("{emp} = ${n}"));
        binds.push(Bind::Id(me.0));
        *n += 1;
    }
    let mut on_assignment = Vec::new();
    if let Some(boss) = scope.reports_of {
        on_assignment.push(format!("s.manager_id = ${n}"));
        binds.push(Bind::Id(boss.0));
        *n += 1;
    }
    if !units.is_empty() {
        on_assignment.push(format!("s.org_unit_id IN ({})", placeholders(*n, units.len())));
        *n += units.len();
        binds.extend(units.iter().map(|u| Bind::Id(*u)));
    }
    if !on_assignment.is_empty() {
        let on = *n;
        *n += 1;
        binds.push(Bind::Date(scope.on));
        parts.push(format!(
            "EXISTS (SELECT 1 FROM assignments s WHERE s.employee_id = {emp} AND s.valid_from <= ${on} \
             AND (s.valid_to IS NULL OR s.valid_to > ${on}) AND ({}))",
            on_assignment.join(" OR ")
        ));
    }
    if !scope.companies.is_empty() {
        parts.push(format!("{company} IN ({})", placeholders(*n, scope.companies.len())));
        *n += scope.companies.len();
        binds.extend(scope.companies.iter().map(|c| Bind::Id(c.0)));
    }
    if parts.is_empty() { " AND 1=0".into() } else { format!(" AND ({})", parts.join(" OR ")) }
}

/// WHERE (from `$1`) of a document list: filters, then the scope.
fn list_where(
    q: &ApplicationQuery,
    scope: &AbsenceScope,
    units: &[Uuid],
    start_col: &str,
    end_col: &str,
) -> (String, Vec<Bind>) {
    let mut sql = String::from(" WHERE 1=1");
    let mut binds = Vec::new();
    let mut n = 1;
    if let Some(e) = q.employee_id {
        sql.push_str(&format!(" AND x.employee_id = ${n}"));
        binds.push(Bind::Id(e.0));
        n += 1;
    }
    if let Some(s) = q.status {
        sql.push_str(&format!(" AND x.status = ${n}"));
        binds.push(Bind::Text(s.as_str().into()));
        n += 1;
    }
    if let Some(f) = q.from {
        sql.push_str(&format!(" AND x.{end_col} >= ${n}"));
        binds.push(Bind::Date(f));
        n += 1;
    }
    if let Some(t) = q.to {
        sql.push_str(&format!(" AND x.{start_col} <= ${n}"));
        binds.push(Bind::Date(t));
        n += 1;
    }
    sql.push_str(&scope_sql(scope, units, "x.employee_id", "x.company_id", &mut n, &mut binds));
    (sql, binds)
}

impl SqlStore {
    async fn facts_where(&self, where_sql: &str, binds: &[Bind]) -> Result<Vec<EmployeeFacts>, AbsenceError> {
        let sql = format!("{FACTS_SELECT}{where_sql}");
        let rows: Vec<FactsRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            bind_all!(q, binds);
            q.fetch_all(p).await
        })
        .map_err(st)?;
        rows.into_iter().map(EmployeeFacts::try_from).collect()
    }

    async fn page_of<R, T>(
        &self,
        table: &str,
        cols: &str,
        order: &str,
        where_sql: &str,
        binds: &[Bind],
        page: PageRequest,
    ) -> Result<Page<T>, AbsenceError>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
        T: TryFrom<R, Error = AbsenceError>,
    {
        let count_sql = format!("SELECT COUNT(*) FROM {table} x{where_sql}");
        let total: i64 = on_db!(&self.db, p => {
            let mut q = sqlx::query_scalar(AssertSqlSafe(count_sql));
            bind_all!(q, binds);
            q.fetch_one(p).await
        })
        .map_err(st)?;
        let n = binds.len();
        let cols = cols.split(", ").map(|c| format!("x.{}", c.trim())).collect::<Vec<_>>().join(", ");
        let sql =
            format!("SELECT {cols} FROM {table} x{where_sql} ORDER BY {order} LIMIT ${} OFFSET ${}", n + 1, n + 2);
        let rows: Vec<R> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            bind_all!(q, binds);
            q.bind(page.limit()).bind(page.offset()).fetch_all(p).await
        })
        .map_err(st)?;
        Ok(Page {
            items: rows.into_iter().map(T::try_from).collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
            page: page.page,
            per_page: page.per_page,
        })
    }
}

#[async_trait]
impl AbsenceStore for SqlStore {
    async fn employee_facts(&self, ids: &[EmployeeId]) -> Result<Vec<EmployeeFacts>, AbsenceError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH) {
            let binds: Vec<Bind> = chunk.iter().map(|i| Bind::Id(i.0)).collect();
            out.extend(self.facts_where(&format!(" WHERE e.id IN ({})", placeholders(1, chunk.len())), &binds).await?);
        }
        Ok(out)
    }

    async fn in_scope(&self, scope: &AbsenceScope, ids: &[EmployeeId]) -> Result<Vec<EmployeeId>, AbsenceError> {
        if scope.all {
            return Ok(ids.to_vec());
        }
        if scope.is_empty() || ids.is_empty() {
            return Ok(Vec::new());
        }
        let units = expand_units(self, &scope.subtree_roots, scope.on).await?;
        let mut out = Vec::new();
        for chunk in ids.chunks(BATCH) {
            let mut binds: Vec<Bind> = chunk.iter().map(|i| Bind::Id(i.0)).collect();
            let mut n = chunk.len() + 1;
            let filter = scope_sql(scope, &units, "e.id", "e.company_id", &mut n, &mut binds);
            let sql = format!("SELECT e.id FROM employees e WHERE e.id IN ({}){filter}", placeholders(1, chunk.len()));
            let rows: Vec<Uuid> = on_db!(&self.db, p => {
                let mut q = sqlx::query_scalar(AssertSqlSafe(sql));
                bind_all!(q, &binds);
                q.fetch_all(p).await
            })
            .map_err(st)?;
            out.extend(rows.into_iter().map(EmployeeId));
        }
        Ok(out)
    }

    async fn employees_in(
        &self,
        scope: &AbsenceScope,
        company: Option<CompanyId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<EmployeeFacts>, AbsenceError> {
        if !scope.all && scope.is_empty() {
            return Ok(Vec::new());
        }
        let units = expand_units(self, &scope.subtree_roots, scope.on).await?;
        let mut binds = vec![Bind::Date(to)];
        let mut n = 2;
        let mut where_sql = String::from(" WHERE e.hire_date <= $1");
        if let Some(c) = company {
            where_sql.push_str(&format!(" AND e.company_id = ${n}"));
            binds.push(Bind::Id(c.0));
            n += 1;
        }
        where_sql.push_str(&scope_sql(scope, &units, "e.id", "e.company_id", &mut n, &mut binds));
        where_sql.push_str(" ORDER BY e.id");
        let all = self.facts_where(&where_sql, &binds).await?;
        Ok(all.into_iter().filter(|f| f.exit_date.is_none_or(|x| x >= from)).collect())
    }

    async fn leave_types(&self, company: CompanyId) -> Result<Vec<LeaveType>, AbsenceError> {
        let sql = format!("SELECT {TYPE_COLS} FROM leave_types WHERE company_id = $1 ORDER BY created_at, code");
        let rows: Vec<TypeRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(company.0).fetch_all(p).await
        })
        .map_err(st)?;
        rows.into_iter().map(LeaveType::try_from).collect()
    }

    async fn leave_type(&self, id: LeaveTypeId) -> Result<LeaveType, AbsenceError> {
        let sql = format!("SELECT {TYPE_COLS} FROM leave_types WHERE id = $1");
        let row: Option<TypeRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await
        })
        .map_err(st)?;
        row.ok_or(AbsenceError::LeaveTypeNotFound)?.try_into()
    }

    async fn insert_leave_types(
        &self,
        types: &[LeaveType],
        skip_existing: bool,
        audit: &[AuditEvent],
    ) -> Result<(), AbsenceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        for t in types {
            let conflict = if skip_existing { " ON CONFLICT (company_id, code) DO NOTHING" } else { "" };
            let sql = format!(
                "INSERT INTO leave_types ({TYPE_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20){conflict}"
            );
            let entitlement = json(&t.entitlement)?;
            let policy = json(&t.policy)?;
            let res = on_tx!(&mut tx, c => {
                sqlx::query(AssertSqlSafe(sql))
                    .bind(t.id.0)
                    .bind(t.company_id.0)
                    .bind(&t.code)
                    .bind(&t.name_zh)
                    .bind(&t.name_en)
                    .bind(t.unit.as_str())
                    .bind(t.paid)
                    .bind(t.pay_ratio.to_string())
                    .bind(t.counting.as_str())
                    .bind(t.balance_tracked)
                    .bind(&entitlement)
                    .bind(t.max_days_per_application.map(|d| d.to_string()))
                    .bind(t.gender.map(|g| g.as_str()))
                    .bind(t.carry_over_max_days.to_string())
                    .bind(i32::try_from(t.carry_over_expiry_months).unwrap_or(0))
                    .bind(t.allow_negative)
                    .bind(&policy)
                    .bind(t.active)
                    .bind(t.created_at)
                    .bind(t.updated_at)
                    .execute(&mut *c)
                    .await
                    .map(|_| ())
            });
            match res {
                Ok(()) => {}
                Err(e) if is_unique_violation(&e) => {
                    return Err(AbsenceError::DuplicateLeaveTypeCode { code: t.code.clone() });
                }
                Err(e) if is_foreign_key_violation(&e) => {
                    return Err(AbsenceError::field(
                        "company_id",
                        bole_core::Msg::new("公司不存在。", "No such company."),
                    ));
                }
                Err(e) => return Err(st(e)),
            }
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn update_leave_type(&self, t: &LeaveType, audit: &[AuditEvent]) -> Result<(), AbsenceError> {
        let entitlement = json(&t.entitlement)?;
        let policy = json(&t.policy)?;
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE leave_types SET name_zh = $1, name_en = $2, unit = $3, paid = $4, pay_ratio = $5, counting = $6, \
                 balance_tracked = $7, entitlement = $8, max_days_per_application = $9, gender = $10, carry_over_max_days = $11, \
                 carry_over_expiry_months = $12, allow_negative = $13, policy = $14, active = $15, updated_at = $16 WHERE id = $17",
            )
            .bind(&t.name_zh)
            .bind(&t.name_en)
            .bind(t.unit.as_str())
            .bind(t.paid)
            .bind(t.pay_ratio.to_string())
            .bind(t.counting.as_str())
            .bind(t.balance_tracked)
            .bind(&entitlement)
            .bind(t.max_days_per_application.map(|d| d.to_string()))
            .bind(t.gender.map(|g| g.as_str()))
            .bind(t.carry_over_max_days.to_string())
            .bind(i32::try_from(t.carry_over_expiry_months).unwrap_or(0))
            .bind(t.allow_negative)
            .bind(&policy)
            .bind(t.active)
            .bind(t.updated_at)
            .bind(t.id.0)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n == 0 {
            return Err(AbsenceError::LeaveTypeNotFound);
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn upsert_profile(&self, p: &LeaveProfile, audit: &[AuditEvent]) -> Result<(), AbsenceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let res = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO leave_profiles (employee_id, company_id, work_start_date, prior_years, prior_years_as_of, updated_at, updated_by) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (employee_id) DO UPDATE SET work_start_date = excluded.work_start_date, \
                 prior_years = excluded.prior_years, prior_years_as_of = excluded.prior_years_as_of, updated_at = excluded.updated_at, \
                 updated_by = excluded.updated_by",
            )
            .bind(p.employee_id.0)
            .bind(p.company_id.0)
            .bind(p.work_start_date)
            .bind(p.prior_years.map(|y| y.to_string()))
            .bind(p.prior_years_as_of)
            .bind(p.updated_at)
            .bind(p.updated_by.0)
            .execute(&mut *c)
            .await
            .map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_foreign_key_violation(&e) => return Err(AbsenceError::EmployeeNotFound),
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn post(&self, entries: &[LedgerEntry], audit: &[AuditEvent]) -> Result<(), AbsenceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        insert_entries(&mut tx, entries).await?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn ledger_sums(
        &self,
        employees: &[EmployeeId],
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<LedgerSum>, AbsenceError> {
        let mut out = Vec::new();
        for chunk in employees.chunks(BATCH) {
            let date = if as_of.is_some() { format!(" AND valid_from <= ${}", chunk.len() + 1) } else { String::new() };
            let sql = format!(
                "SELECT employee_id, leave_type_id, kind, leave_year, expires_on, \
                 CAST(COALESCE(SUM(CASE WHEN minutes > 0 THEN minutes ELSE 0 END), 0) AS BIGINT) AS positive, \
                 CAST(COALESCE(SUM(CASE WHEN minutes < 0 THEN minutes ELSE 0 END), 0) AS BIGINT) AS negative \
                 FROM leave_ledger WHERE employee_id IN ({}){date} \
                 GROUP BY employee_id, leave_type_id, kind, leave_year, expires_on",
                placeholders(1, chunk.len())
            );
            let rows: Vec<SumRow> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql));
                for e in chunk {
                    q = q.bind(e.0);
                }
                if let Some(d) = as_of {
                    q = q.bind(d);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            for r in rows {
                out.push(LedgerSum {
                    employee_id: EmployeeId(r.employee_id),
                    leave_type_id: LeaveTypeId(r.leave_type_id),
                    kind: LedgerKind::parse(&r.kind).ok_or_else(|| decode("kind", r.leave_type_id))?,
                    leave_year: r.leave_year,
                    expires_on: r.expires_on,
                    positive: r.positive,
                    negative: r.negative,
                });
            }
        }
        Ok(out)
    }

    async fn pending_minutes(
        &self,
        employees: &[EmployeeId],
    ) -> Result<Vec<(EmployeeId, LeaveTypeId, i64)>, AbsenceError> {
        let mut out = Vec::new();
        for chunk in employees.chunks(BATCH) {
            let sql = format!(
                "SELECT employee_id, leave_type_id, CAST(SUM(duration_minutes) AS BIGINT) FROM leave_applications \
                 WHERE employee_id IN ({}) AND status IN {OPEN} GROUP BY employee_id, leave_type_id",
                placeholders(1, chunk.len())
            );
            let rows: Vec<(Uuid, Uuid, i64)> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql));
                for e in chunk {
                    q = q.bind(e.0);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            out.extend(rows.into_iter().map(|(e, t, m)| (EmployeeId(e), LeaveTypeId(t), m)));
        }
        Ok(out)
    }

    async fn ledger(
        &self,
        employee: EmployeeId,
        leave_type: Option<LeaveTypeId>,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, AbsenceError> {
        let mut binds = vec![Bind::Id(employee.0)];
        let mut where_sql = String::from(" WHERE x.employee_id = $1");
        if let Some(t) = leave_type {
            where_sql.push_str(" AND x.leave_type_id = $2");
            binds.push(Bind::Id(t.0));
        }
        self.page_of::<LedgerRow, LedgerEntry>(
            "leave_ledger",
            LEDGER_COLS,
            "x.valid_from DESC, x.created_at DESC, x.id DESC",
            &where_sql,
            &binds,
            page,
        )
        .await
    }

    async fn applications_touching(
        &self,
        employee: EmployeeId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<LeaveApplication>, AbsenceError> {
        let sql = format!(
            "SELECT {APP_COLS} FROM leave_applications WHERE employee_id = $1 AND start_date <= $2 AND end_date >= $3 \
             ORDER BY start_date"
        );
        let rows: Vec<AppRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(employee.0).bind(to).bind(from).fetch_all(p).await
        })
        .map_err(st)?;
        rows.into_iter().map(LeaveApplication::try_from).collect()
    }

    async fn insert_leave_application(
        &self,
        app: &LeaveApplication,
        checks: &LeaveChecks,
        transition: &Transition,
        approval: Option<&LeaveApproval>,
        audit: &[AuditEvent],
    ) -> Result<(), AbsenceError> {
        let details = json(&app.details)?;
        let mut tx = self.db.begin().await.map_err(st)?;
        run_checks(&mut tx, checks).await?;
        let sql = format!(
            "INSERT INTO leave_applications ({APP_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)"
        );
        let res = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(app.id.0)
                .bind(app.company_id.0)
                .bind(app.employee_id.0)
                .bind(app.leave_type_id.0)
                .bind(app.start_date)
                .bind(app.end_date)
                .bind(app.start_half.map(|h| h.as_str()))
                .bind(app.end_half.map(|h| h.as_str()))
                .bind(app.hours_minutes)
                .bind(app.duration_minutes)
                .bind(app.status.as_str())
                .bind(&app.reason)
                .bind(&details)
                .bind(app.instance_id)
                .bind(app.submitted_by.0)
                .bind(app.created_at)
                .bind(app.updated_at)
                .bind(app.decided_at)
                .bind(app.cancelled_at)
                .bind(app.cancelled_by.map(|u| u.0))
                .bind(&app.cancel_reason)
                .execute(&mut *c)
                .await
                .map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_foreign_key_violation(&e) => return Err(AbsenceError::EmployeeNotFound),
            Err(e) => return Err(st(e)),
        }
        write_transition(&mut tx, transition).await?;
        if let Some(a) = approval {
            apply_leave_approval(&mut tx, app.id, a).await?;
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn amend_leave_application(
        &self,
        app: &LeaveApplication,
        checks: &LeaveChecks,
        transition: &Transition,
        approval: Option<&LeaveApproval>,
        audit: &[AuditEvent],
    ) -> Result<(), AbsenceError> {
        let details = json(&app.details)?;
        let mut tx = self.db.begin().await.map_err(st)?;
        run_checks(&mut tx, checks).await?;
        let sql = format!(
            "UPDATE leave_applications SET leave_type_id = $1, start_date = $2, end_date = $3, start_half = $4, end_half = $5, \
             hours_minutes = $6, duration_minutes = $7, status = $13, reason = $8, details = $9, instance_id = $10, \
             updated_at = $11 WHERE id = $12 AND status IN {OPEN}"
        );
        let n = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(app.leave_type_id.0)
                .bind(app.start_date)
                .bind(app.end_date)
                .bind(app.start_half.map(|h| h.as_str()))
                .bind(app.end_half.map(|h| h.as_str()))
                .bind(app.hours_minutes)
                .bind(app.duration_minutes)
                .bind(&app.reason)
                .bind(&details)
                .bind(app.instance_id)
                .bind(app.updated_at)
                .bind(app.id.0)
                .bind(app.status.as_str())
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n != 1 {
            let current: Option<String> = on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT status FROM leave_applications WHERE id = $1")
                    .bind(app.id.0)
                    .fetch_optional(&mut *c)
                    .await
            })
            .map_err(st)?;
            return Err(AbsenceError::WrongStatus { status: current.unwrap_or_else(|| "missing".into()) });
        }
        write_transition(&mut tx, transition).await?;
        if let Some(a) = approval {
            apply_leave_approval(&mut tx, app.id, a).await?;
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn leave_application(&self, id: LeaveApplicationId) -> Result<LeaveApplication, AbsenceError> {
        let sql = format!("SELECT {APP_COLS} FROM leave_applications WHERE id = $1");
        let row: Option<AppRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await
        })
        .map_err(st)?;
        row.ok_or(AbsenceError::ApplicationNotFound)?.try_into()
    }

    async fn list_leave_applications(
        &self,
        q: &ApplicationQuery,
        scope: &AbsenceScope,
        page: PageRequest,
    ) -> Result<Page<LeaveApplication>, AbsenceError> {
        if scope.is_empty() {
            return Ok(Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page });
        }
        let units = expand_units(self, &scope.subtree_roots, scope.on).await?;
        let (where_sql, binds) = list_where(q, scope, &units, "start_date", "end_date");
        self.page_of::<AppRow, LeaveApplication>(
            "leave_applications",
            APP_COLS,
            "x.start_date DESC, x.id DESC",
            &where_sql,
            &binds,
            page,
        )
        .await
    }

    async fn commit_leave_decision(&self, t: &Transition, d: &LeaveDecision) -> Result<(), WorkflowError> {
        let mut tx = self.db.begin().await.map_err(|e| wf(st(e)))?;
        write_transition(&mut tx, t).await?;
        set_status(&mut tx, "leave_applications", d.application_id.0, &d.from, d.to, d.at).await.map_err(wf)?;
        if let Some(a) = &d.approval {
            apply_leave_approval(&mut tx, d.application_id, a).await.map_err(wf)?;
        }
        append_in_tx(&mut tx, &d.audit).await.map_err(|e| wf(st(e)))?;
        tx.commit().await.map_err(|e| wf(st(e)))
    }

    async fn cancel_approved_leave(&self, c: &LeaveCancellation) -> Result<(), AbsenceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        lock_employee(&mut tx, c.employee_id).await.map_err(st)?;
        set_status(
            &mut tx,
            "leave_applications",
            c.application_id.0,
            &[ApplicationStatus::Approved],
            ApplicationStatus::Cancelled,
            c.at,
        )
        .await?;
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE leave_applications SET cancelled_at = $1, cancelled_by = $2, cancel_reason = $3 WHERE id = $4")
                .bind(c.at)
                .bind(c.by.0)
                .bind(&c.reason)
                .bind(c.application_id.0)
                .execute(&mut *conn)
                .await
                .map(|_| ())
        })
        .map_err(st)?;
        insert_entries(&mut tx, std::slice::from_ref(&c.reversal)).await?;
        on_tx!(&mut tx, conn => {
            sqlx::query("DELETE FROM absence_days WHERE source_id = $1")
                .bind(c.application_id.0)
                .execute(&mut *conn)
                .await
                .map(|_| ())
        })
        .map_err(st)?;
        recompute(&mut tx, c.employee_id, c.from, c.to, c.today).await?;
        append_in_tx(&mut tx, &c.audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn insert_overtime(
        &self,
        o: &OvertimeApplication,
        transition: &Transition,
        approval: Option<&OvertimeApproval>,
        audit: &[AuditEvent],
    ) -> Result<(), AbsenceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let sql = format!(
            "INSERT INTO overtime_applications ({OVERTIME_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)"
        );
        let res = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(o.id.0)
                .bind(o.company_id.0)
                .bind(o.employee_id.0)
                .bind(o.date)
                .bind(o.start_time)
                .bind(o.end_time)
                .bind(o.minutes)
                .bind(&o.kind)
                .bind(o.compensation.as_str())
                .bind(o.status.as_str())
                .bind(&o.reason)
                .bind(o.instance_id)
                .bind(o.submitted_by.0)
                .bind(o.created_at)
                .bind(o.updated_at)
                .bind(o.decided_at)
                .bind(o.cancelled_at)
                .bind(o.cancelled_by.map(|u| u.0))
                .execute(&mut *c)
                .await
                .map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_foreign_key_violation(&e) => return Err(AbsenceError::EmployeeNotFound),
            Err(e) => return Err(st(e)),
        }
        write_transition(&mut tx, transition).await?;
        if let Some(a) = approval {
            apply_overtime_approval(&mut tx, o.id, a).await?;
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn overtime(&self, id: OvertimeId) -> Result<OvertimeApplication, AbsenceError> {
        let sql = format!("SELECT {OVERTIME_COLS} FROM overtime_applications WHERE id = $1");
        let row: Option<OvertimeRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await
        })
        .map_err(st)?;
        row.ok_or(AbsenceError::OvertimeNotFound)?.try_into()
    }

    async fn list_overtime(
        &self,
        q: &ApplicationQuery,
        scope: &AbsenceScope,
        page: PageRequest,
    ) -> Result<Page<OvertimeApplication>, AbsenceError> {
        if scope.is_empty() {
            return Ok(Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page });
        }
        let units = expand_units(self, &scope.subtree_roots, scope.on).await?;
        let (where_sql, binds) = list_where(q, scope, &units, "day", "day");
        self.page_of::<OvertimeRow, OvertimeApplication>(
            "overtime_applications",
            OVERTIME_COLS,
            "x.day DESC, x.id DESC",
            &where_sql,
            &binds,
            page,
        )
        .await
    }

    async fn commit_overtime_decision(&self, t: &Transition, d: &OvertimeDecision) -> Result<(), WorkflowError> {
        let mut tx = self.db.begin().await.map_err(|e| wf(st(e)))?;
        write_transition(&mut tx, t).await?;
        set_status(&mut tx, "overtime_applications", d.overtime_id.0, &d.from, d.to, d.at).await.map_err(wf)?;
        if let Some(a) = &d.approval {
            apply_overtime_approval(&mut tx, d.overtime_id, a).await.map_err(wf)?;
        }
        append_in_tx(&mut tx, &d.audit).await.map_err(|e| wf(st(e)))?;
        tx.commit().await.map_err(|e| wf(st(e)))
    }

    async fn cancel_approved_overtime(&self, c: &OvertimeCancellation) -> Result<(), AbsenceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        lock_employee(&mut tx, c.employee_id).await.map_err(st)?;
        set_status(
            &mut tx,
            "overtime_applications",
            c.overtime_id.0,
            &[ApplicationStatus::Approved],
            ApplicationStatus::Cancelled,
            c.at,
        )
        .await?;
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE overtime_applications SET cancelled_at = $1, cancelled_by = $2 WHERE id = $3")
                .bind(c.at)
                .bind(c.by.0)
                .bind(c.overtime_id.0)
                .execute(&mut *conn)
                .await
                .map(|_| ())
        })
        .map_err(st)?;
        on_tx!(&mut tx, conn => {
            sqlx::query("DELETE FROM overtime_days WHERE source_id = $1")
                .bind(c.overtime_id.0)
                .execute(&mut *conn)
                .await
                .map(|_| ())
        })
        .map_err(st)?;
        if let Some(r) = &c.reversal {
            insert_entries(&mut tx, std::slice::from_ref(r)).await?;
            let balance = balance_in_tx(&mut tx, c.employee_id, r.leave_type_id).await.map_err(st)?;
            if balance < 0 {
                return Err(AbsenceError::InsufficientBalance {
                    leave_type: c.leave_type_name.clone(),
                    balance: minutes_to_days(balance - r.minutes),
                    pending: Decimal::ZERO,
                    requested: minutes_to_days(-r.minutes),
                });
            }
        }
        recompute(&mut tx, c.employee_id, c.day, c.day, c.today).await?;
        append_in_tx(&mut tx, &c.audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn insert_punch_correction(
        &self,
        p: &PunchCorrection,
        monthly_limit: u32,
        transition: &Transition,
        punch: Option<&CorrectionPunch>,
        audit: &[AuditEvent],
    ) -> Result<(), AbsenceError> {
        let (first, last) = rules::month_bounds(p.date).ok_or(AbsenceError::Storage("date out of range".into()))?;
        let mut tx = self.db.begin().await.map_err(st)?;
        lock_employee(&mut tx, p.employee_id).await.map_err(st)?;
        let sql = format!(
            "SELECT COUNT(*) FROM punch_corrections WHERE employee_id = $1 AND day >= $2 AND day <= $3 AND status IN {LIVE}"
        );
        let used: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar(AssertSqlSafe(sql)).bind(p.employee_id.0).bind(first).bind(last).fetch_one(&mut *c).await
        })
        .map_err(st)?;
        if used >= i64::from(monthly_limit) {
            return Err(AbsenceError::PunchCorrectionLimit { limit: monthly_limit, month: rules::month_label(p.date) });
        }
        let sql =
            format!("INSERT INTO punch_corrections ({PUNCH_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)");
        let res = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(p.id.0)
                .bind(p.company_id.0)
                .bind(p.employee_id.0)
                .bind(p.date)
                .bind(p.time)
                .bind(p.direction.as_str())
                .bind(p.status.as_str())
                .bind(&p.reason)
                .bind(p.instance_id)
                .bind(p.submitted_by.0)
                .bind(p.created_at)
                .bind(p.updated_at)
                .bind(p.decided_at)
                .execute(&mut *c)
                .await
                .map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_foreign_key_violation(&e) => return Err(AbsenceError::EmployeeNotFound),
            Err(e) => return Err(st(e)),
        }
        write_transition(&mut tx, transition).await?;
        if let Some(p) = punch {
            apply_punch(&mut tx, p).await?;
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn punch_correction(&self, id: PunchCorrectionId) -> Result<PunchCorrection, AbsenceError> {
        let sql = format!("SELECT {PUNCH_COLS} FROM punch_corrections WHERE id = $1");
        let row: Option<PunchRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await
        })
        .map_err(st)?;
        row.ok_or(AbsenceError::PunchCorrectionNotFound)?.try_into()
    }

    async fn list_punch_corrections(
        &self,
        q: &ApplicationQuery,
        scope: &AbsenceScope,
        page: PageRequest,
    ) -> Result<Page<PunchCorrection>, AbsenceError> {
        if scope.is_empty() {
            return Ok(Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page });
        }
        let units = expand_units(self, &scope.subtree_roots, scope.on).await?;
        let (where_sql, binds) = list_where(q, scope, &units, "day", "day");
        self.page_of::<PunchRow, PunchCorrection>(
            "punch_corrections",
            PUNCH_COLS,
            "x.day DESC, x.id DESC",
            &where_sql,
            &binds,
            page,
        )
        .await
    }

    async fn commit_punch_decision(&self, t: &Transition, d: &PunchDecision) -> Result<(), WorkflowError> {
        let mut tx = self.db.begin().await.map_err(|e| wf(st(e)))?;
        write_transition(&mut tx, t).await?;
        set_status(&mut tx, "punch_corrections", d.correction_id.0, &d.from, d.to, d.at).await.map_err(wf)?;
        if let Some(p) = &d.punch {
            apply_punch(&mut tx, p).await.map_err(wf)?;
        }
        append_in_tx(&mut tx, &d.audit).await.map_err(|e| wf(st(e)))?;
        tx.commit().await.map_err(|e| wf(st(e)))
    }
}

/// The effects of an approved leave, inside the decision's transaction: usage posting, one
/// absence_days row per covered working day, attendance recomputed over the range, then the
/// balance check (after everything, so the error rolls all of it back).
async fn apply_leave_approval(tx: &mut Tx, id: LeaveApplicationId, a: &LeaveApproval) -> Result<(), AbsenceError> {
    let employee = a.usage.employee_id;
    lock_employee(tx, employee).await.map_err(st)?;
    insert_entries(tx, std::slice::from_ref(&a.usage)).await?;
    for chunk in a.days.chunks(BATCH) {
        on_tx!(tx, c => {
            let mut qb =
                QueryBuilder::new("INSERT INTO absence_days (source_id, day, employee_id, leave_type, minutes, paid) ");
            qb.push_values(chunk, |mut b, d| {
                b.push_bind(id.0)
                    .push_bind(d.day)
                    .push_bind(employee.0)
                    .push_bind(a.leave_type_code.clone())
                    .push_bind(i32_of(d.minutes))
                    .push_bind(a.paid);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })
        .map_err(st)?;
    }
    if let (Some(first), Some(last)) = (a.days.first(), a.days.last()) {
        recompute(tx, employee, first.day, last.day, a.today).await?;
    }
    if !a.allow_negative {
        let balance = balance_in_tx(tx, employee, a.usage.leave_type_id).await.map_err(st)?;
        if balance < 0 {
            return Err(AbsenceError::InsufficientBalance {
                leave_type: a.leave_type_name.clone(),
                balance: minutes_to_days(balance - a.usage.minutes),
                pending: Decimal::ZERO,
                requested: minutes_to_days(-a.usage.minutes),
            });
        }
    }
    Ok(())
}

async fn apply_overtime_approval(tx: &mut Tx, id: OvertimeId, a: &OvertimeApproval) -> Result<(), AbsenceError> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO overtime_days (source_id, day, employee_id, minutes, kind, compensation) VALUES ($1,$2,$3,$4,$5,$6)",
        )
        .bind(id.0)
        .bind(a.day)
        .bind(a.employee_id.0)
        .bind(i32_of(a.minutes))
        .bind(&a.kind)
        .bind(a.compensation.as_str())
        .execute(&mut *c)
        .await
        .map(|_| ())
    })
    .map_err(st)?;
    if let Some(credit) = &a.credit {
        insert_entries(tx, std::slice::from_ref(credit)).await?;
    }
    recompute(tx, a.employee_id, a.day, a.day, a.today).await
}

/// An approved punch correction: the punch (source `correction`) and the day recomputed.
async fn apply_punch(tx: &mut Tx, p: &CorrectionPunch) -> Result<(), AbsenceError> {
    let local = p.day.and_time(p.time);
    let at = bole_core::clock::china_offset()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AbsenceError::Storage("punch time out of range".into()))?;
    let mut punch = Punch::new(p.employee_id, at, PunchSource::Correction, p.at);
    punch.source_ref = Some(p.correction_id.0);
    insert_punches_in_tx(tx, &[punch]).await.map_err(st)?;
    recompute(tx, p.employee_id, p.day, p.day, p.today).await
}
