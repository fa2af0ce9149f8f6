//! Storage of calendars, shifts, schedules, punches, attendance days and summaries (bole_time::attendance).
//!
//! Derivation is set-based: [`recompute_in_tx`] works on chunks of employees and issues one SELECT
//! per input table per chunk (assignments, schedules, punches, absence_days, overtime_days), derives
//! every day in Rust with `bole_time::attendance::rules`, then replaces the chunk's rows with
//! multi-row INSERTs. Writes that change an input of days either re-derive them in the same
//! transaction (punches) or delete them (calendars, schedules), and reads derive missing rows on
//! demand ([`AttendanceStore::ensure_days`]), so a stale verdict is never read.

use crate::audit::append_in_tx;
use crate::db::{Tx, is_foreign_key_violation, is_unique_violation};
use crate::org::placeholders;
use crate::{SqlStore, on_db, on_tx};
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, DateRange, EmployeeId, OrgUnitId, Page, PageRequest};
use bole_people::RowScope;
use bole_time::DayKind;
use bole_time::attendance::rules::{self, DayInput, DaySchedule};
use bole_time::attendance::*;
use bole_time::calendar::{CalendarLayer, DayOverride, OverrideKind, WorkCalendar};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday};
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// Rows per multi-row INSERT of punches (10 binds each).
const PUNCH_BATCH: usize = 1000;
/// Rows per multi-row INSERT of attendance days (24 binds each: under SQLite's 32,766).
const DAY_BATCH: usize = 1000;
/// Employees per derivation chunk (one SELECT per input table each).
const CHUNK: usize = 1000;

fn st(e: sqlx::Error) -> AttendanceError {
    tracing::error!(error = %e, "attendance store failure");
    AttendanceError::Storage(e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Derivation

/// The database's clock, for `computed_at` (derivation runs inside other stores' transactions,
/// which carry no clock). Informational only: no rule reads it.
async fn db_now(tx: &mut Tx) -> Result<DateTime<Utc>, sqlx::Error> {
    match tx {
        Tx::Postgres(t) => sqlx::query_scalar("SELECT CURRENT_TIMESTAMP").fetch_one(&mut **t).await,
        Tx::Sqlite(t) => {
            let s: String = sqlx::query_scalar("SELECT CURRENT_TIMESTAMP").fetch_one(&mut **t).await?;
            Ok(NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S").map(|n| n.and_utc()).unwrap_or_default())
        }
    }
}

async fn load_policy(tx: &mut Tx) -> Result<AttendancePolicy, sqlx::Error> {
    let text: Option<String> = on_tx!(tx, c => {
        sqlx::query_scalar("SELECT policy FROM attendance_settings WHERE id = 1").fetch_optional(&mut *c).await?
    });
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default())
}

type ShiftRow = (Uuid, String, String, String, bool, DateTime<Utc>, DateTime<Utc>);
const SHIFT_COLS: &str = "id, code, name, rule, active, created_at, updated_at";

fn shift_from(r: ShiftRow) -> Option<Shift> {
    let rule: ShiftRule = match serde_json::from_str(&r.3) {
        Ok(rule) => rule,
        Err(e) => {
            tracing::error!(shift.id = %r.0, error = %e, "unreadable shift rule");
            return None;
        }
    };
    Some(Shift { id: r.0, code: r.1, name: r.2, rule, active: r.4, created_at: r.5, updated_at: r.6 })
}

async fn load_shifts(tx: &mut Tx) -> Result<Vec<Shift>, sqlx::Error> {
    let sql = format!("SELECT {SHIFT_COLS} FROM shifts ORDER BY code");
    let rows: Vec<ShiftRow> = on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql)).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().filter_map(shift_from).collect())
}

type LayerRow =
    (Uuid, Option<Uuid>, Option<String>, String, Option<String>, NaiveDate, Option<NaiveDate>, DateTime<Utc>, String);
type LayerDayRow = (Uuid, NaiveDate, String, Option<String>);

fn parse_override(s: &str) -> OverrideKind {
    match s {
        "workday" => OverrideKind::Workday,
        "rest_day" => OverrideKind::RestDay,
        "statutory_holiday" => OverrideKind::StatutoryHoliday,
        _ => OverrideKind::DayOff,
    }
}

fn override_str(k: OverrideKind) -> &'static str {
    match k {
        OverrideKind::Workday => "workday",
        OverrideKind::RestDay => "rest_day",
        OverrideKind::DayOff => "day_off",
        OverrideKind::StatutoryHoliday => "statutory_holiday",
    }
}

async fn load_layers(tx: &mut Tx) -> Result<Vec<StoredLayer>, sqlx::Error> {
    // Laid in this order, later winning: layers for everyone, then company-wide, then regional.
    let (layers, days): (Vec<LayerRow>, Vec<LayerDayRow>) = on_tx!(tx, c => {
        let l = sqlx::query_as(
            "SELECT id, company_id, region, name, source, valid_from, valid_to, created_at, created_by FROM calendar_layers \
             ORDER BY CASE WHEN company_id IS NULL AND region IS NULL THEN 0 WHEN region IS NULL THEN 1 ELSE 2 END, id",
        )
        .fetch_all(&mut *c)
        .await?;
        let d = sqlx::query_as("SELECT layer_id, day, kind, note FROM calendar_layer_days ORDER BY day").fetch_all(&mut *c).await?;
        (l, d)
    });
    let mut by_layer: HashMap<Uuid, Vec<DayOverride>> = HashMap::new();
    for (layer, date, kind, note) in days {
        by_layer.entry(layer).or_default().push(DayOverride { date, kind: parse_override(&kind), note });
    }
    Ok(layers
        .into_iter()
        .map(|r| StoredLayer {
            id: r.0,
            company_id: r.1.map(CompanyId),
            region: r.2,
            layer: CalendarLayer {
                name: r.3,
                source: r.4,
                valid: DateRange { from: r.5, to: r.6 },
                days: by_layer.remove(&r.0).unwrap_or_default(),
                annual: vec![],
            },
            created_at: r.7,
            created_by: r.8,
        })
        .collect())
}

/// Working calendars per (company, work location), built on first use.
struct Calendars {
    layers: Vec<StoredLayer>,
    built: HashMap<(Uuid, Option<String>), Option<WorkCalendar>>,
}

impl Calendars {
    fn kind(&mut self, company: Uuid, region: Option<&str>, date: NaiveDate) -> DayKind {
        let key = (company, region.map(str::to_string));
        let layers = &self.layers;
        let cal = self.built.entry(key).or_insert_with(|| {
            let mut cal = WorkCalendar::national().ok()?;
            for l in layers {
                let company_ok = l.company_id.is_none_or(|c| c.0 == company);
                let region_ok = l.region.is_none() || l.region.as_deref() == region;
                if company_ok && region_ok {
                    match cal.clone().with_layer(l.layer.clone()) {
                        Ok(c) => cal = c,
                        Err(e) => tracing::error!(layer.id = %l.id, error = %e, "calendar layer skipped"),
                    }
                }
            }
            Some(cal)
        });
        // A year without a national notice: weekdays work, weekends rest (no 调休 is known);
        // the calendar endpoints report the year as not covered.
        cal.as_ref().and_then(|c| c.day_kind(date).ok()).unwrap_or(
            if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) { DayKind::RestDay } else { DayKind::Workday },
        )
    }

    fn calendar(&mut self, company: Uuid, region: Option<&str>) -> Option<&WorkCalendar> {
        let d = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
        self.kind(company, region, d);
        self.built.get(&(company, region.map(str::to_string))).and_then(Option::as_ref)
    }
}

#[derive(Clone, Debug)]
struct AssignmentSeg {
    valid: DateRange,
    employed: bool,
    org_unit_id: Uuid,
    work_location: Option<String>,
}

#[derive(Clone, Debug)]
struct ScheduleSeg {
    valid: DateRange,
    shift_id: Uuid,
    id: Uuid,
}

/// The org structure over time, for schedule inheritance (home unit → nearest ancestor).
#[derive(Default)]
struct UnitTree {
    parents: HashMap<Uuid, Vec<(DateRange, Option<Uuid>)>>,
    schedules: HashMap<Uuid, Vec<ScheduleSeg>>,
}

impl UnitTree {
    fn parent(&self, unit: Uuid, date: NaiveDate) -> Option<Uuid> {
        self.parents.get(&unit)?.iter().find(|(r, _)| r.contains(date)).and_then(|(_, p)| *p)
    }

    fn shift_for(&self, unit: Uuid, date: NaiveDate) -> Option<Uuid> {
        let mut current = Some(unit);
        let mut hops = 0;
        while let Some(u) = current {
            if let Some(seg) = pick(self.schedules.get(&u), date) {
                return Some(seg);
            }
            hops += 1;
            if hops > 64 {
                return None;
            }
            current = self.parent(u, date);
        }
        None
    }
}

/// The schedule in force on `date`: the latest-starting assignment covering it (a newer
/// assignment overrides an older open-ended one), ties by the later record.
fn pick(segs: Option<&Vec<ScheduleSeg>>, date: NaiveDate) -> Option<Uuid> {
    segs?.iter().filter(|s| s.valid.contains(date)).max_by_key(|s| (s.valid.from, s.id)).map(|s| s.shift_id)
}

/// (company, work location, shift, period start): the days of one 综合工时 period share a standard.
type ShareKey = (Uuid, Option<String>, Uuid, NaiveDate);

/// Everything global a derivation needs, loaded once per call.
struct Context {
    policy: AttendancePolicy,
    shifts_by_id: HashMap<Uuid, Shift>,
    catalogue: HashMap<String, Shift>,
    standard: Shift,
    calendars: Calendars,
    units: UnitTree,
    shares: HashMap<ShareKey, HashMap<NaiveDate, u32>>,
}

async fn load_context(tx: &mut Tx, from: NaiveDate, to: NaiveDate) -> Result<Context, sqlx::Error> {
    let policy = load_policy(tx).await?;
    let shifts = load_shifts(tx).await?;
    let layers = load_layers(tx).await?;
    let unit_rows: Vec<(Uuid, Uuid, Uuid, NaiveDate, Option<NaiveDate>)> = on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT id, org_unit_id, shift_id, valid_from, valid_to FROM shift_assignments \
             WHERE org_unit_id IS NOT NULL AND valid_from <= $1 AND (valid_to IS NULL OR valid_to > $2)",
        )
        .bind(to)
        .bind(from)
        .fetch_all(&mut *c)
        .await?
    });
    let mut units = UnitTree::default();
    if !unit_rows.is_empty() {
        for (id, unit, shift, f, t) in unit_rows {
            units.schedules.entry(unit).or_default().push(ScheduleSeg {
                valid: DateRange { from: f, to: t },
                shift_id: shift,
                id,
            });
        }
        // Only needed when some unit has a schedule: the parent of every unit over the range.
        let versions: Vec<(Uuid, NaiveDate, Option<NaiveDate>, Option<Uuid>)> = on_tx!(tx, c => {
            sqlx::query_as(
                "SELECT unit_id, valid_from, valid_to, parent_id FROM org_unit_versions \
                 WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to > $2)",
            )
            .bind(to)
            .bind(from)
            .fetch_all(&mut *c)
            .await?
        });
        for (unit, f, t, parent) in versions {
            units.parents.entry(unit).or_default().push((DateRange { from: f, to: t }, parent));
        }
    }
    Ok(Context {
        policy,
        shifts_by_id: shifts.iter().map(|s| (s.id, s.clone())).collect(),
        catalogue: shifts.into_iter().map(|s| (s.code.clone(), s)).collect(),
        standard: Shift::standard(),
        calendars: Calendars { layers, built: HashMap::new() },
        units,
        shares: HashMap::new(),
    })
}

fn in_list(n_from: usize, n: usize) -> String {
    placeholders(n_from, n)
}

const DAY_COLS: &str = "employee_id, day, shift_code, status, day_kind, scheduled_minutes, worked_minutes, late_minutes, \
     early_minutes, absent_minutes, leave_minutes, leave_types, first_in, last_out, missing_in, missing_out, overtime_kind, \
     punched_overtime_minutes, overtime_minutes, overtime_time_off_minutes, comprehensive_period, \
     comprehensive_standard_minutes, as_of, computed_at";

fn i32_of(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

async fn insert_days(tx: &mut Tx, days: &[AttendanceDay]) -> Result<(), sqlx::Error> {
    for chunk in days.chunks(DAY_BATCH) {
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(format!("INSERT INTO attendance_days ({DAY_COLS}) "));
            qb.push_values(chunk, |mut b, d| {
                b.push_bind(d.employee_id.0)
                    .push_bind(d.day)
                    .push_bind(d.shift_code.clone())
                    .push_bind(d.status.as_str())
                    .push_bind(d.day_kind.clone())
                    .push_bind(i32_of(d.scheduled_minutes))
                    .push_bind(i32_of(d.worked_minutes))
                    .push_bind(i32_of(d.late_minutes))
                    .push_bind(i32_of(d.early_minutes))
                    .push_bind(i32_of(d.absent_minutes))
                    .push_bind(i32_of(d.leave_minutes))
                    .push_bind(d.leave_types.clone())
                    .push_bind(d.first_in)
                    .push_bind(d.last_out)
                    .push_bind(d.missing_in)
                    .push_bind(d.missing_out)
                    .push_bind(d.overtime_kind.clone())
                    .push_bind(i32_of(d.punched_overtime_minutes))
                    .push_bind(i32_of(d.overtime_minutes))
                    .push_bind(i32_of(d.overtime_time_off_minutes))
                    .push_bind(d.comprehensive_period.map(|p| p.as_str()))
                    .push_bind(i32_of(d.comprehensive_standard_minutes))
                    .push_bind(d.as_of)
                    .push_bind(d.computed_at);
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// Re-derive and upsert attendance days for these employees over [from, to] from what `tx` sees
/// (punches, schedules, calendars, absence_days, overtime_days). Set-based: a bounded number of queries
/// whatever the number of employees/days.
pub(crate) async fn recompute_in_tx(
    tx: &mut Tx,
    employees: &[EmployeeId],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<(), sqlx::Error> {
    recompute(tx, employees, from, to, today).await.map(|_| ())
}

/// [`recompute_in_tx`], returning the number of employee-days written.
pub(crate) async fn recompute(
    tx: &mut Tx,
    employees: &[EmployeeId],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<u64, sqlx::Error> {
    if employees.is_empty() || to < from {
        return Ok(0);
    }
    let mut ids: Vec<EmployeeId> = employees.to_vec();
    ids.sort();
    ids.dedup();
    // One day either side: their schedules decide where the range's first and last days begin and end.
    let (outer_from, outer_to) = (from - TimeDelta::days(1), to + TimeDelta::days(1));
    let mut ctx = load_context(tx, outer_from, outer_to).await?;
    let now = db_now(tx).await?;
    let mut written = 0;
    for chunk in ids.chunks(CHUNK) {
        let days = derive_chunk(tx, &mut ctx, chunk, from, to, today, now).await?;
        let sql = format!(
            "DELETE FROM attendance_days WHERE employee_id IN ({}) AND day >= ${} AND day <= ${}",
            in_list(1, chunk.len()),
            chunk.len() + 1,
            chunk.len() + 2
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for e in chunk {
                q = q.bind(e.0);
            }
            q.bind(from).bind(to).execute(&mut *c).await?;
        });
        insert_days(tx, &days).await?;
        written += days.len() as u64;
    }
    Ok(written)
}

async fn derive_chunk(
    tx: &mut Tx,
    ctx: &mut Context,
    chunk: &[EmployeeId],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<AttendanceDay>, sqlx::Error> {
    let (outer_from, outer_to) = (from - TimeDelta::days(1), to + TimeDelta::days(1));
    let list = in_list(1, chunk.len());
    let n = chunk.len();
    let (lo, hi) = (
        from_local(outer_from.and_time(NaiveTime::MIN)),
        from_local((outer_to + TimeDelta::days(1)).and_time(NaiveTime::MIN)),
    );
    type Asg = (Uuid, NaiveDate, Option<NaiveDate>, bool, Uuid, Option<String>);
    type Sched = (Uuid, Uuid, Uuid, NaiveDate, Option<NaiveDate>);
    type Abs = (Uuid, NaiveDate, String, i32, bool);
    type Ot = (Uuid, NaiveDate, i32, String, String);
    type Inputs = (Vec<(Uuid, Uuid)>, Vec<Asg>, Vec<Sched>, Vec<(Uuid, DateTime<Utc>)>, Vec<Abs>, Vec<Ot>);
    let (companies, asgs, scheds, punches, absences, overtime): Inputs = on_tx!(tx, c => {
        macro_rules! q {
            ($sql:expr, $($b:expr),*) => {{
                let mut q = sqlx::query_as(AssertSqlSafe($sql));
                for e in chunk {
                    q = q.bind(e.0);
                }
                $(q = q.bind($b);)*
                q.fetch_all(&mut *c).await?
            }};
        }
        let companies = q!(format!("SELECT id, company_id FROM employees WHERE id IN ({list})"),);
        let asgs = q!(format!(
            "SELECT employee_id, valid_from, valid_to, employed, org_unit_id, work_location FROM assignments \
             WHERE employee_id IN ({list}) AND valid_from <= ${} AND (valid_to IS NULL OR valid_to > ${})", n + 1, n + 2),
            outer_to, outer_from);
        let scheds = q!(format!(
            "SELECT id, employee_id, shift_id, valid_from, valid_to FROM shift_assignments \
             WHERE employee_id IN ({list}) AND valid_from <= ${} AND (valid_to IS NULL OR valid_to > ${})", n + 1, n + 2),
            outer_to, outer_from);
        let punches = q!(format!(
            "SELECT employee_id, at FROM punches WHERE employee_id IN ({list}) AND at >= ${} AND at < ${} ORDER BY employee_id, at",
            n + 1, n + 2), lo, hi);
        let absences = q!(format!(
            "SELECT employee_id, day, leave_type, minutes, paid FROM absence_days \
             WHERE employee_id IN ({list}) AND day >= ${} AND day <= ${}", n + 1, n + 2), from, to);
        let overtime = q!(format!(
            "SELECT employee_id, day, minutes, kind, compensation FROM overtime_days \
             WHERE employee_id IN ({list}) AND day >= ${} AND day <= ${}", n + 1, n + 2), from, to);
        (companies, asgs, scheds, punches, absences, overtime)
    });
    let companies: HashMap<Uuid, Uuid> = companies.into_iter().collect();
    let mut asg_by: HashMap<Uuid, Vec<AssignmentSeg>> = HashMap::new();
    for (e, f, t, employed, unit, loc) in asgs {
        asg_by.entry(e).or_default().push(AssignmentSeg {
            valid: DateRange { from: f, to: t },
            employed,
            org_unit_id: unit,
            work_location: loc,
        });
    }
    let mut sched_by: HashMap<Uuid, Vec<ScheduleSeg>> = HashMap::new();
    for (id, e, shift, f, t) in scheds {
        sched_by.entry(e).or_default().push(ScheduleSeg { valid: DateRange { from: f, to: t }, shift_id: shift, id });
    }
    let mut punch_by: HashMap<Uuid, Vec<NaiveDateTime>> = HashMap::new();
    for (e, at) in punches {
        punch_by.entry(e).or_default().push(to_local(at));
    }
    let mut abs_by: HashMap<(Uuid, NaiveDate), Vec<AbsenceMinutes>> = HashMap::new();
    for (e, day, leave_type, minutes, paid) in absences {
        abs_by.entry((e, day)).or_default().push(AbsenceMinutes {
            leave_type,
            minutes: u32::try_from(minutes.max(0)).unwrap_or(0),
            paid,
        });
    }
    let mut ot_by: HashMap<(Uuid, NaiveDate), Vec<ApprovedOvertime>> = HashMap::new();
    for (e, day, minutes, _kind, comp) in overtime {
        ot_by.entry((e, day)).or_default().push(ApprovedOvertime {
            minutes: u32::try_from(minutes.max(0)).unwrap_or(0),
            compensation: if comp == "time_off" { Compensation::TimeOff } else { Compensation::Pay },
        });
    }

    let dates: Vec<NaiveDate> = outer_from.iter_days().take_while(|d| *d <= outer_to).collect();
    let mut out = Vec::with_capacity(chunk.len() * dates.len().saturating_sub(2));
    let empty_punches: Vec<NaiveDateTime> = Vec::new();
    for emp in chunk {
        let Some(&company) = companies.get(&emp.0) else { continue };
        let segs = asg_by.get(&emp.0);
        let own = sched_by.get(&emp.0);
        // Per date: (employed, kind, shift, schedule).
        struct Plan<'s> {
            employed: bool,
            kind: DayKind,
            shift: Option<&'s Shift>,
            schedule: Option<DaySchedule>,
            region: Option<String>,
        }
        let mut plans: Vec<Plan<'_>> = Vec::with_capacity(dates.len());
        for &date in &dates {
            let seg = segs.and_then(|s| s.iter().find(|a| a.valid.contains(date)));
            let employed = seg.is_some_and(|a| a.employed);
            let region = seg.and_then(|a| a.work_location.clone());
            let kind = ctx.calendars.kind(company, region.as_deref(), date);
            let shift_id = pick(own, date).or_else(|| seg.and_then(|a| ctx.units.shift_for(a.org_unit_id, date)));
            let shift = match shift_id {
                Some(id) => ctx.shifts_by_id.get(&id),
                None => Some(&ctx.standard),
            };
            let schedule =
                if employed { shift.and_then(|s| rules::schedule_on(s, date, kind, &ctx.catalogue)) } else { None };
            plans.push(Plan { employed, kind, shift, schedule, region });
        }
        let punches = punch_by.get(&emp.0).unwrap_or(&empty_punches);
        let windows: Vec<(NaiveDate, Option<&DaySchedule>)> =
            dates.iter().zip(&plans).map(|(d, p)| (*d, p.schedule.as_ref())).collect();
        let allocated = rules::allocate_punches(&windows, punches);
        for (i, day_punches) in allocated.into_iter().enumerate() {
            let plan = &plans[i + 1];
            let date = dates[i + 1];
            let comprehensive = match plan.shift.map(|s| &s.rule) {
                Some(ShiftRule::Comprehensive(c)) => Some(c),
                _ => None,
            };
            let mut share = 0;
            if let (Some(c), Some(shift), true) = (comprehensive, plan.shift, plan.employed) {
                let (period_start, _) = rules::period_bounds(c.period, date);
                let key = (company, plan.region.clone(), shift.id, period_start);
                if !ctx.shares.contains_key(&key) {
                    let shares = ctx
                        .calendars
                        .calendar(company, plan.region.as_deref())
                        .and_then(|cal| rules::standard_shares(cal, c.period, c.standard_minutes, date).ok())
                        .unwrap_or_default();
                    ctx.shares.insert(key.clone(), shares);
                }
                share = ctx.shares.get(&key).and_then(|m| m.get(&date)).copied().unwrap_or(0);
            }
            let no_abs = Vec::new();
            let no_ot = Vec::new();
            let input = DayInput {
                employee_id: *emp,
                date,
                today,
                employed: plan.employed,
                kind: plan.kind,
                schedule: plan.schedule.as_ref(),
                shift_code: plan.shift.map(|s| s.code.as_str()),
                comprehensive: comprehensive.map(|c| c.period),
                comprehensive_standard_minutes: share,
                punches: day_punches,
                absences: abs_by.get(&(emp.0, date)).unwrap_or(&no_abs),
                overtime: ot_by.get(&(emp.0, date)).unwrap_or(&no_ot),
                computed_at: now,
            };
            out.push(rules::derive_day(&input, &ctx.policy));
        }
    }
    Ok(out)
}

/// Append punches (e.g. an approved punch correction) — raw punches are never updated or deleted.
/// A punch of the same employee at the same second as a stored one is ignored. Returns how many
/// rows were inserted. The caller recomputes the affected days ([`recompute_in_tx`], or
/// [`record_punches_in_tx`] which does both).
pub(crate) async fn insert_punches_in_tx(tx: &mut Tx, punches: &[Punch]) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in punches.chunks(PUNCH_BATCH) {
        inserted += on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(
                "INSERT INTO punches (id, employee_id, at, source, lat_micro, lng_micro, accuracy_m, device, source_ref, created_at) ",
            );
            qb.push_values(chunk, |mut b, p| {
                b.push_bind(p.id)
                    .push_bind(p.employee_id.0)
                    .push_bind(p.at)
                    .push_bind(p.source.as_str())
                    .push_bind(p.location.map(|l| l.lat_micro))
                    .push_bind(p.location.map(|l| l.lng_micro))
                    .push_bind(p.location.and_then(|l| l.accuracy_m))
                    .push_bind(p.device.clone())
                    .push_bind(p.source_ref)
                    .push_bind(p.created_at);
            });
            qb.push(" ON CONFLICT (employee_id, at) DO NOTHING");
            qb.build().execute(&mut *c).await?.rows_affected()
        });
    }
    Ok(inserted)
}

/// Inserts punches and re-derives every employee-day they can touch (the local day of each punch
/// and its neighbours: a 05:50 punch may close the night shift before, a 23:30 one open the next
/// day's early shift), grouped by employee so the recompute stays set-based. Returns
/// (inserted, days recomputed).
pub(crate) async fn record_punches_in_tx(
    tx: &mut Tx,
    punches: &[Punch],
    today: NaiveDate,
) -> Result<(u64, u64), sqlx::Error> {
    let inserted = insert_punches_in_tx(tx, punches).await?;
    // Employees grouped by the span of days their punches touch; most imports cover one range.
    let mut spans: HashMap<EmployeeId, (NaiveDate, NaiveDate)> = HashMap::new();
    for p in punches {
        let d = p.local_day();
        let e = spans.entry(p.employee_id).or_insert((d, d));
        e.0 = e.0.min(d);
        e.1 = e.1.max(d);
    }
    let mut by_span: BTreeMap<(NaiveDate, NaiveDate), Vec<EmployeeId>> = BTreeMap::new();
    for (e, (f, t)) in spans {
        by_span.entry((f - TimeDelta::days(1), t + TimeDelta::days(1))).or_default().push(e);
    }
    let mut days = 0;
    for ((from, to), employees) in by_span {
        days += recompute(tx, &employees, from, to, today).await?;
    }
    Ok((inserted, days))
}

/// Deletes derived days so they are derived again on the next read.
async fn invalidate(tx: &mut Tx, employees: Option<&[Uuid]>, valid: DateRange) -> Result<(), sqlx::Error> {
    match employees {
        None => {
            on_tx!(tx, c => {
                sqlx::query("DELETE FROM attendance_days WHERE day >= $1 AND ($2 IS NULL OR day < $2)")
                    .bind(valid.from)
                    .bind(valid.to)
                    .execute(&mut *c)
                    .await?;
            });
        }
        Some(ids) => {
            for chunk in ids.chunks(CHUNK) {
                let n = chunk.len();
                let sql = format!(
                    "DELETE FROM attendance_days WHERE employee_id IN ({}) AND day >= ${} AND (${} IS NULL OR day < ${})",
                    in_list(1, n),
                    n + 1,
                    n + 2,
                    n + 2
                );
                on_tx!(tx, c => {
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for e in chunk {
                        q = q.bind(*e);
                    }
                    q.bind(valid.from).bind(valid.to).execute(&mut *c).await?;
                });
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Scope

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

/// A value `scope_sql` binds.
pub(crate) enum ScopeValue {
    Id(Uuid),
    Date(NaiveDate),
}

impl From<ScopeValue> for Bind {
    fn from(v: ScopeValue) -> Self {
        match v {
            ScopeValue::Id(u) => Bind::Id(u),
            ScopeValue::Date(d) => Bind::Date(d),
        }
    }
}

/// ` AND (…)` restricting alias `e` (employees) to `scope`; assignments matched on the scope's
/// day. Shared by the payroll store (each store's bind type converts from [`ScopeValue`]).
/// Parameters are numbered from `*n` and pushed to `binds`.
pub(crate) fn scope_sql<B: From<ScopeValue>>(scope: &RowScope, n: &mut usize, binds: &mut Vec<B>) -> String {
    if scope.all {
        return String::new();
    }
    let mut parts: Vec<String> = Vec::new();
    if let Some(me) = scope.me {
        parts.push(format!("e.id = ${n}"));
        binds.push(ScopeValue::Id(me.0).into());
        *n += 1;
    }
    let mut on_assignment: Vec<String> = Vec::new();
    if let Some(boss) = scope.reports_of {
        on_assignment.push(format!("s.manager_id = ${n}"));
        binds.push(ScopeValue::Id(boss.0).into());
        *n += 1;
    }
    if !scope.units.is_empty() {
        on_assignment.push(format!("s.org_unit_id IN ({})", placeholders(*n, scope.units.len())));
        *n += scope.units.len();
        binds.extend(scope.units.iter().map(|u| ScopeValue::Id(u.0).into()));
    }
    if !on_assignment.is_empty() {
        let on = *n;
        binds.push(ScopeValue::Date(scope.on.unwrap_or_default()).into());
        *n += 1;
        parts.push(format!(
            "EXISTS (SELECT 1 FROM assignments s WHERE s.employee_id = e.id AND s.valid_from <= ${on} \
             AND (s.valid_to IS NULL OR s.valid_to > ${on}) AND ({}))",
            on_assignment.join(" OR ")
        ));
    }
    if !scope.companies.is_empty() {
        parts.push(format!("e.company_id IN ({})", placeholders(*n, scope.companies.len())));
        *n += scope.companies.len();
        binds.extend(scope.companies.iter().map(|c| ScopeValue::Id(c.0).into()));
    }
    if parts.is_empty() { " AND 1=0".into() } else { format!(" AND ({})", parts.join(" OR ")) }
}

/// ` AND EXISTS(…)` requiring an employed assignment overlapping [$from, $to] that matches the
/// selection. `from`/`to` are parameter numbers.
fn selection_sql(sel: &EmployeeSelection, from: usize, to: usize, n: &mut usize, binds: &mut Vec<Bind>) -> String {
    let mut sql = format!(
        " AND EXISTS (SELECT 1 FROM assignments a WHERE a.employee_id = e.id AND a.employed \
         AND a.valid_from <= ${to} AND (a.valid_to IS NULL OR a.valid_to > ${from})"
    );
    if let Some(units) = &sel.units {
        if units.is_empty() {
            sql.push_str(" AND 1=0");
        } else {
            sql.push_str(&format!(" AND a.org_unit_id IN ({})", placeholders(*n, units.len())));
            *n += units.len();
            binds.extend(units.iter().map(|u| Bind::Id(u.0)));
        }
    }
    if let Some(boss) = sel.reports_of {
        sql.push_str(&format!(" AND a.manager_id = ${n}"));
        binds.push(Bind::Id(boss.0));
        *n += 1;
    }
    sql.push(')');
    sql
}

// ---------------------------------------------------------------------------------------------
// Summaries

#[derive(sqlx::FromRow)]
struct DayRow {
    employee_id: Uuid,
    day: NaiveDate,
    shift_code: Option<String>,
    status: String,
    day_kind: String,
    scheduled_minutes: i32,
    worked_minutes: i32,
    late_minutes: i32,
    early_minutes: i32,
    absent_minutes: i32,
    leave_minutes: i32,
    leave_types: Option<String>,
    first_in: Option<DateTime<Utc>>,
    last_out: Option<DateTime<Utc>>,
    missing_in: bool,
    missing_out: bool,
    overtime_kind: Option<String>,
    punched_overtime_minutes: i32,
    overtime_minutes: i32,
    overtime_time_off_minutes: i32,
    comprehensive_period: Option<String>,
    comprehensive_standard_minutes: i32,
    as_of: NaiveDate,
    computed_at: DateTime<Utc>,
}

fn u(v: i32) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(0)
}

fn day_from(r: DayRow) -> AttendanceDay {
    AttendanceDay {
        employee_id: EmployeeId(r.employee_id),
        day: r.day,
        shift_code: r.shift_code,
        status: DayStatus::parse(&r.status).unwrap_or(DayStatus::Scheduled),
        day_kind: r.day_kind,
        scheduled_minutes: u(r.scheduled_minutes),
        worked_minutes: u(r.worked_minutes),
        late_minutes: u(r.late_minutes),
        early_minutes: u(r.early_minutes),
        absent_minutes: u(r.absent_minutes),
        leave_minutes: u(r.leave_minutes),
        leave_types: r.leave_types,
        first_in: r.first_in,
        last_out: r.last_out,
        missing_in: r.missing_in,
        missing_out: r.missing_out,
        overtime_kind: r.overtime_kind,
        punched_overtime_minutes: u(r.punched_overtime_minutes),
        overtime_minutes: u(r.overtime_minutes),
        overtime_time_off_minutes: u(r.overtime_time_off_minutes),
        comprehensive_period: r.comprehensive_period.as_deref().and_then(ComprehensivePeriod::parse),
        comprehensive_standard_minutes: u(r.comprehensive_standard_minutes),
        as_of: r.as_of,
        computed_at: r.computed_at,
    }
}

fn u64v(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

const MONTHLY_COLS: &str = "employee_id, month, company_id, org_unit_id, scheduled_days, present_days, absent_days, leave_days, \
     late_count, late_minutes, early_count, early_minutes, missing_punches, absent_minutes, worked_minutes, leave_minutes, \
     leave_paid_minutes, leave_unpaid_minutes, leave_by_type, ot_workday_pay, ot_workday_time_off, ot_restday_pay, \
     ot_restday_time_off, ot_holiday_pay, comprehensive_excess_minutes, computed_at";

/// Sums of one employee's days in the month.
#[derive(sqlx::FromRow, Default)]
struct Agg {
    employee_id: Uuid,
    scheduled_days: i64,
    present_days: i64,
    absent_days: i64,
    leave_days: i64,
    late_count: i64,
    late_minutes: i64,
    early_count: i64,
    early_minutes: i64,
    missing_punches: i64,
    absent_minutes: i64,
    worked_minutes: i64,
    ot_workday_pay: i64,
    ot_workday_time_off: i64,
    ot_restday_pay: i64,
    ot_restday_time_off: i64,
    ot_holiday_pay: i64,
}

const AGG_SQL: &str = "SELECT employee_id, \
     SUM(CASE WHEN scheduled_minutes > 0 AND status <> 'not_employed' THEN 1 ELSE 0 END) AS scheduled_days, \
     SUM(CASE WHEN status IN ('present','late','early_leave','late_and_early') THEN 1 ELSE 0 END) AS present_days, \
     SUM(CASE WHEN status = 'absent' THEN 1 ELSE 0 END) AS absent_days, \
     SUM(CASE WHEN status = 'leave' THEN 1 ELSE 0 END) AS leave_days, \
     SUM(CASE WHEN late_minutes > 0 THEN 1 ELSE 0 END) AS late_count, SUM(late_minutes) AS late_minutes, \
     SUM(CASE WHEN early_minutes > 0 THEN 1 ELSE 0 END) AS early_count, SUM(early_minutes) AS early_minutes, \
     SUM(CASE WHEN missing_in THEN 1 ELSE 0 END) + SUM(CASE WHEN missing_out THEN 1 ELSE 0 END) AS missing_punches, \
     SUM(absent_minutes) AS absent_minutes, SUM(worked_minutes) AS worked_minutes, \
     SUM(CASE WHEN overtime_kind = 'workday' THEN overtime_minutes - overtime_time_off_minutes ELSE 0 END) AS ot_workday_pay, \
     SUM(CASE WHEN overtime_kind = 'workday' THEN overtime_time_off_minutes ELSE 0 END) AS ot_workday_time_off, \
     SUM(CASE WHEN overtime_kind = 'restday' THEN overtime_minutes - overtime_time_off_minutes ELSE 0 END) AS ot_restday_pay, \
     SUM(CASE WHEN overtime_kind = 'restday' THEN overtime_time_off_minutes ELSE 0 END) AS ot_restday_time_off, \
     SUM(CASE WHEN overtime_kind = 'holiday' THEN overtime_minutes ELSE 0 END) AS ot_holiday_pay \
     FROM attendance_days";

async fn compute_chunk(tx: &mut Tx, chunk: &[EmployeeId], month: Month, at: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let (first, last) = (month.first(), month.last());
    let n = chunk.len();
    let list = in_list(1, n);
    type Sums = (Vec<Agg>, Vec<(Uuid, String, bool, i64)>, Vec<(Uuid, Uuid, Option<Uuid>, Option<NaiveDate>)>);
    let (aggs, leaves, homes): Sums = on_tx!(tx, c => {
        macro_rules! q {
            ($sql:expr, $($b:expr),*) => {{
                let mut q = sqlx::query_as(AssertSqlSafe($sql));
                for e in chunk {
                    q = q.bind(e.0);
                }
                $(q = q.bind($b);)*
                q.fetch_all(&mut *c).await?
            }};
        }
        let aggs = q!(format!("{AGG_SQL} WHERE employee_id IN ({list}) AND day >= ${} AND day <= ${} GROUP BY employee_id", n + 1, n + 2), first, last);
        let leaves = q!(format!(
            "SELECT employee_id, leave_type, paid, SUM(minutes) FROM absence_days WHERE employee_id IN ({list}) \
             AND day >= ${} AND day <= ${} GROUP BY employee_id, leave_type, paid", n + 1, n + 2), first, last);
        // Home unit on the last employed day of the month (LEFT JOIN: the company is known regardless).
        let homes = q!(format!(
            "SELECT e.id, e.company_id, a.org_unit_id, a.valid_from FROM employees e LEFT JOIN assignments a \
             ON a.employee_id = e.id AND a.employed AND a.valid_from <= ${} AND (a.valid_to IS NULL OR a.valid_to > ${}) \
             WHERE e.id IN ({list})", n + 1, n + 2), last, first);
        (aggs, leaves, homes)
    });

    // 综合工时: the excess of each period ending this month.
    let mut periods: Vec<(ComprehensivePeriod, NaiveDate)> = vec![(ComprehensivePeriod::Month, first)];
    if month.month.is_multiple_of(3) {
        periods.push((ComprehensivePeriod::Quarter, rules::period_bounds(ComprehensivePeriod::Quarter, first).0));
    }
    if month.month == 12 {
        periods.push((ComprehensivePeriod::Year, rules::period_bounds(ComprehensivePeriod::Year, first).0));
    }
    let mut excess: HashMap<Uuid, u64> = HashMap::new();
    for (period, start) in periods {
        let rows: Vec<(Uuid, i64, i64, i64)> = on_tx!(tx, c => {
            let sql = format!(
                "SELECT employee_id, SUM(CASE WHEN day_kind <> 'statutory_holiday' THEN worked_minutes ELSE 0 END), \
                 SUM(comprehensive_standard_minutes), SUM(leave_minutes) FROM attendance_days \
                 WHERE employee_id IN ({list}) AND comprehensive_period = ${} AND day >= ${} AND day <= ${} GROUP BY employee_id",
                n + 1, n + 2, n + 3
            );
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            for e in chunk {
                q = q.bind(e.0);
            }
            q.bind(period.as_str()).bind(start).bind(last).fetch_all(&mut *c).await?
        });
        for (e, worked, standard, leave) in rows {
            let x = rules::comprehensive_excess(
                u64::try_from(worked.max(0)).unwrap_or(0),
                u64::try_from(standard.max(0)).unwrap_or(0),
                u64::try_from(leave.max(0)).unwrap_or(0),
            );
            *excess.entry(e).or_default() += x;
        }
    }

    let mut leave_by: HashMap<Uuid, BTreeMap<String, LeaveSplit>> = HashMap::new();
    for (e, t, paid, minutes) in leaves {
        let split = leave_by.entry(e).or_default().entry(t).or_default();
        if paid {
            split.paid += u64v(minutes);
        } else {
            split.unpaid += u64v(minutes);
        }
    }
    let mut home_by: HashMap<Uuid, (Uuid, Option<Uuid>, Option<NaiveDate>)> = HashMap::new();
    for (e, company, unit, from) in homes {
        let entry = home_by.entry(e).or_insert((company, unit, from));
        if from > entry.2 {
            *entry = (company, unit, from);
        }
    }
    let agg_by: HashMap<Uuid, Agg> = aggs.into_iter().map(|a| (a.employee_id, a)).collect();
    let mut rows: Vec<MonthlySummary> = Vec::with_capacity(n);
    for e in chunk {
        let Some((company, unit, _)) = home_by.get(&e.0) else { continue };
        let zero = Agg::default();
        let a = agg_by.get(&e.0).unwrap_or(&zero);
        let by_type = leave_by.remove(&e.0).unwrap_or_default();
        let paid: u32 = by_type.values().map(|s| s.paid).sum();
        let unpaid: u32 = by_type.values().map(|s| s.unpaid).sum();
        rows.push(MonthlySummary {
            employee_id: *e,
            month: month.to_string(),
            company_id: CompanyId(*company),
            org_unit_id: unit.map(OrgUnitId),
            employee_no: None,
            employee_name: None,
            scheduled_days: u64v(a.scheduled_days),
            present_days: u64v(a.present_days),
            absent_days: u64v(a.absent_days),
            leave_days: u64v(a.leave_days),
            late_count: u64v(a.late_count),
            late_minutes: u64v(a.late_minutes),
            early_count: u64v(a.early_count),
            early_minutes: u64v(a.early_minutes),
            missing_punches: u64v(a.missing_punches),
            absent_minutes: u64v(a.absent_minutes),
            worked_minutes: u64v(a.worked_minutes),
            leave_minutes: paid + unpaid,
            leave_paid_minutes: paid,
            leave_unpaid_minutes: unpaid,
            leave_by_type: by_type,
            overtime_workday: OvertimeSplit { pay: u64v(a.ot_workday_pay), time_off: u64v(a.ot_workday_time_off) },
            overtime_rest_day: OvertimeSplit { pay: u64v(a.ot_restday_pay), time_off: u64v(a.ot_restday_time_off) },
            overtime_holiday: OvertimeSplit { pay: u64v(a.ot_holiday_pay), time_off: 0 },
            comprehensive_excess_minutes: u32::try_from(excess.get(&e.0).copied().unwrap_or(0)).unwrap_or(u32::MAX),
            computed_at: at,
        });
    }
    let sql = format!("DELETE FROM attendance_monthly WHERE month = $1 AND employee_id IN ({})", in_list(2, n));
    on_tx!(tx, c => {
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(month.to_string());
        for e in chunk {
            q = q.bind(e.0);
        }
        q.execute(&mut *c).await?;
    });
    for part in rows.chunks(DAY_BATCH) {
        let by_type: Vec<String> =
            part.iter().map(|r| serde_json::to_string(&r.leave_by_type).unwrap_or_else(|_| "{}".into())).collect();
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(format!("INSERT INTO attendance_monthly ({MONTHLY_COLS}) "));
            qb.push_values(part.iter().zip(by_type), |mut b, (r, json)| {
                b.push_bind(r.employee_id.0)
                    .push_bind(r.month.clone())
                    .push_bind(r.company_id.0)
                    .push_bind(r.org_unit_id.map(|u| u.0))
                    .push_bind(i32_of(r.scheduled_days))
                    .push_bind(i32_of(r.present_days))
                    .push_bind(i32_of(r.absent_days))
                    .push_bind(i32_of(r.leave_days))
                    .push_bind(i32_of(r.late_count))
                    .push_bind(i32_of(r.late_minutes))
                    .push_bind(i32_of(r.early_count))
                    .push_bind(i32_of(r.early_minutes))
                    .push_bind(i32_of(r.missing_punches))
                    .push_bind(i32_of(r.absent_minutes))
                    .push_bind(i32_of(r.worked_minutes))
                    .push_bind(i32_of(r.leave_minutes))
                    .push_bind(i32_of(r.leave_paid_minutes))
                    .push_bind(i32_of(r.leave_unpaid_minutes))
                    .push_bind(json)
                    .push_bind(i32_of(r.overtime_workday.pay))
                    .push_bind(i32_of(r.overtime_workday.time_off))
                    .push_bind(i32_of(r.overtime_rest_day.pay))
                    .push_bind(i32_of(r.overtime_rest_day.time_off))
                    .push_bind(i32_of(r.overtime_holiday.pay))
                    .push_bind(i32_of(r.comprehensive_excess_minutes))
                    .push_bind(r.computed_at);
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    Ok(rows.len() as u64)
}

/// Employees of `chunk` with provisional or missing days in [from, to]: those to derive.
async fn needing_days(
    tx: &mut Tx,
    chunk: &[EmployeeId],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<EmployeeId>, sqlx::Error> {
    let expected = (to - from).num_days() + 1;
    let n = chunk.len();
    // A row is final when its day had passed when it was derived, or it was derived today.
    let sql = format!(
        "SELECT employee_id, COUNT(*) FROM attendance_days WHERE employee_id IN ({}) AND day >= ${} AND day <= ${} \
         AND (day < as_of OR as_of = ${}) GROUP BY employee_id",
        in_list(1, n),
        n + 1,
        n + 2,
        n + 3
    );
    let counts: Vec<(Uuid, i64)> = on_tx!(tx, c => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for e in chunk {
            q = q.bind(e.0);
        }
        q.bind(from).bind(to).bind(today).fetch_all(&mut *c).await?
    });
    let complete: HashSet<Uuid> = counts.into_iter().filter(|(_, c)| *c >= expected).map(|(e, _)| e).collect();
    Ok(chunk.iter().filter(|e| !complete.contains(&e.0)).copied().collect())
}

async fn ensure_in_tx(
    tx: &mut Tx,
    employees: &[EmployeeId],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<u64, sqlx::Error> {
    let mut derived = 0;
    for chunk in employees.chunks(CHUNK) {
        let stale = needing_days(tx, chunk, from, to, today).await?;
        if !stale.is_empty() {
            derived += recompute(tx, &stale, from, to, today).await?;
        }
    }
    Ok(derived)
}

// ---------------------------------------------------------------------------------------------
// The port

#[async_trait]
impl AttendanceStore for SqlStore {
    async fn calendar_layers(&self) -> Result<Vec<StoredLayer>, AttendanceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let layers = load_layers(&mut tx).await.map_err(st)?;
        tx.commit().await.map_err(st)?;
        Ok(layers)
    }

    async fn insert_layer(&self, layer: &StoredLayer, audit: &[AuditEvent]) -> Result<(), AttendanceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let l = &layer.layer;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO calendar_layers (id, company_id, region, name, source, valid_from, valid_to, created_at, created_by) \
                         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
                .bind(layer.id)
                .bind(layer.company_id.map(|c| c.0))
                .bind(layer.region.clone())
                .bind(l.name.clone())
                .bind(l.source.clone())
                .bind(l.valid.from)
                .bind(l.valid.to)
                .bind(layer.created_at)
                .bind(layer.created_by.clone())
                .execute(&mut *c)
                .await
                .map(|_| ())
        })
        .map_err(|e| if is_foreign_key_violation(&e) { AttendanceError::field("company_id", bole_core::Msg::new("单位不存在", "the company does not exist")) } else { st(e) })?;
        write_layer_days(&mut tx, layer.id, &l.days).await?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn add_layer_days(
        &self,
        layer: Uuid,
        days: &[DayOverride],
        audit: &[AuditEvent],
    ) -> Result<(), AttendanceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let found: Option<(NaiveDate, Option<NaiveDate>)> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT valid_from, valid_to FROM calendar_layers WHERE id = $1").bind(layer).fetch_optional(&mut *c).await
        })
        .map_err(st)?;
        if found.is_none() {
            return Err(AttendanceError::LayerNotFound);
        }
        write_layer_days(&mut tx, layer, days).await?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn shifts(&self) -> Result<Vec<Shift>, AttendanceError> {
        let sql = format!("SELECT {SHIFT_COLS} FROM shifts ORDER BY code");
        let rows: Vec<ShiftRow> =
            on_db!(&self.db, p => sqlx::query_as(AssertSqlSafe(sql)).fetch_all(p).await).map_err(st)?;
        Ok(rows.into_iter().filter_map(shift_from).collect())
    }

    async fn insert_shift(&self, shift: &Shift, audit: &[AuditEvent]) -> Result<(), AttendanceError> {
        let rule = serde_json::to_string(&shift.rule).map_err(|e| AttendanceError::Storage(e.to_string()))?;
        let mut tx = self.db.begin().await.map_err(st)?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO shifts (id, code, name, kind, rule, active, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                .bind(shift.id)
                .bind(shift.code.clone())
                .bind(shift.name.clone())
                .bind(shift.rule.kind())
                .bind(rule)
                .bind(shift.active)
                .bind(shift.created_at)
                .bind(shift.updated_at)
                .execute(&mut *c)
                .await
                .map(|_| ())
        })
        .map_err(|e| if is_unique_violation(&e) { AttendanceError::DuplicateShiftCode(shift.code.clone()) } else { st(e) })?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn update_shift(&self, shift: &Shift, from: NaiveDate, audit: &[AuditEvent]) -> Result<(), AttendanceError> {
        let rule = serde_json::to_string(&shift.rule).map_err(|e| AttendanceError::Storage(e.to_string()))?;
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE shifts SET name = $1, kind = $2, rule = $3, active = $4, updated_at = $5 WHERE id = $6")
                .bind(shift.name.clone())
                .bind(shift.rule.kind())
                .bind(rule)
                .bind(shift.active)
                .bind(shift.updated_at)
                .bind(shift.id)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n == 0 {
            return Err(AttendanceError::ShiftNotFound);
        }
        // Days from `from` on are derived again on their next read. A rotation or 综合工时
        // shift shows on its days under the inner shift's code, so those invalidate every day.
        let nested = !matches!(shift.rule, ShiftRule::Fixed(_) | ShiftRule::Flexible(_))
            || load_shifts(&mut tx).await.map_err(st)?.iter().any(|s| match &s.rule {
                ShiftRule::Rotating(r) => r.cycle.iter().flatten().any(|c| *c == shift.code),
                ShiftRule::Comprehensive(c) => c.pattern == shift.code,
                _ => false,
            });
        on_tx!(&mut tx, c => {
            if nested {
                sqlx::query("DELETE FROM attendance_days WHERE day >= $1").bind(from).execute(&mut *c).await.map(|_| ())
            } else {
                sqlx::query("DELETE FROM attendance_days WHERE day >= $1 AND shift_code = $2")
                    .bind(from)
                    .bind(shift.code.clone())
                    .execute(&mut *c)
                    .await
                    .map(|_| ())
            }
        })
        .map_err(st)?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn shift_assignments(&self, filter: &AssignmentFilter) -> Result<Vec<ShiftAssignment>, AttendanceError> {
        let mut sql = String::from(
            "SELECT a.id, a.employee_id, a.org_unit_id, a.shift_id, s.code, a.valid_from, a.valid_to, a.created_at, a.created_by \
             FROM shift_assignments a JOIN shifts s ON s.id = a.shift_id WHERE 1=1",
        );
        let mut binds = Vec::new();
        if let Some(e) = filter.employee_id {
            binds.push(Bind::Id(e.0));
            sql.push_str(&format!(" AND a.employee_id = ${}", binds.len()));
        }
        if let Some(u) = filter.org_unit_id {
            binds.push(Bind::Id(u.0));
            sql.push_str(&format!(" AND a.org_unit_id = ${}", binds.len()));
        }
        sql.push_str(" ORDER BY a.valid_from, a.id");
        type Row =
            (Uuid, Option<Uuid>, Option<Uuid>, Uuid, String, NaiveDate, Option<NaiveDate>, DateTime<Utc>, String);
        let rows: Vec<Row> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            bind_all!(q, &binds);
            q.fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let target = match (r.1, r.2) {
                    (Some(e), _) => ScheduleTarget::Employee { employee_id: EmployeeId(e) },
                    (None, Some(u)) => ScheduleTarget::OrgUnit { org_unit_id: OrgUnitId(u) },
                    (None, None) => return None,
                };
                Some(ShiftAssignment {
                    id: r.0,
                    target,
                    shift_id: r.3,
                    shift_code: r.4,
                    valid: DateRange { from: r.5, to: r.6 },
                    created_at: r.7,
                    created_by: r.8,
                })
            })
            .collect())
    }

    async fn insert_shift_assignment(&self, a: &ShiftAssignment, audit: &[AuditEvent]) -> Result<(), AttendanceError> {
        let (employee, unit) = match a.target {
            ScheduleTarget::Employee { employee_id } => (Some(employee_id.0), None),
            ScheduleTarget::OrgUnit { org_unit_id } => (None, Some(org_unit_id.0)),
        };
        let mut tx = self.db.begin().await.map_err(st)?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO shift_assignments (id, employee_id, org_unit_id, shift_id, valid_from, valid_to, created_at, created_by) \
                         VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                .bind(a.id)
                .bind(employee)
                .bind(unit)
                .bind(a.shift_id)
                .bind(a.valid.from)
                .bind(a.valid.to)
                .bind(a.created_at)
                .bind(a.created_by.clone())
                .execute(&mut *c)
                .await
                .map(|_| ())
        })
        .map_err(|e| {
            if is_foreign_key_violation(&e) {
                if employee.is_some() { AttendanceError::EmployeeNotFound } else { AttendanceError::OrgUnitNotFound }
            } else {
                st(e)
            }
        })?;
        match (employee, unit) {
            (Some(e), _) => invalidate(&mut tx, Some(&[e]), a.valid).await.map_err(st)?,
            (None, Some(u)) => {
                // Everyone homed in the unit's subtree at some point of the validity.
                let ids: Vec<Uuid> = on_tx!(&mut tx, c => {
                    sqlx::query_scalar(
                        "WITH RECURSIVE sub(id) AS (SELECT id FROM org_units WHERE id = $1 \
                         UNION SELECT v.unit_id FROM org_unit_versions v JOIN sub ON v.parent_id = sub.id) \
                         SELECT DISTINCT a.employee_id FROM assignments a WHERE a.org_unit_id IN (SELECT id FROM sub) \
                         AND ($3 IS NULL OR a.valid_from < $3) AND (a.valid_to IS NULL OR a.valid_to > $2)",
                    )
                    .bind(u)
                    .bind(a.valid.from)
                    .bind(a.valid.to)
                    .fetch_all(&mut *c)
                    .await
                })
                .map_err(st)?;
                invalidate(&mut tx, Some(&ids), a.valid).await.map_err(st)?;
            }
            (None, None) => {}
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn record_punches(
        &self,
        punches: &[Punch],
        today: NaiveDate,
        audit: &[AuditEvent],
    ) -> Result<(u64, u64), AttendanceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let done = record_punches_in_tx(&mut tx, punches, today)
            .await
            .map_err(|e| if is_foreign_key_violation(&e) { AttendanceError::EmployeeNotFound } else { st(e) })?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)?;
        Ok(done)
    }

    async fn punches(
        &self,
        employee: EmployeeId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Punch>, AttendanceError> {
        let lo = from_local(from.and_time(NaiveTime::MIN));
        let hi = from_local((to + TimeDelta::days(1)).and_time(NaiveTime::MIN));
        type Row = (
            Uuid,
            Uuid,
            DateTime<Utc>,
            String,
            Option<i32>,
            Option<i32>,
            Option<i32>,
            Option<String>,
            Option<Uuid>,
            DateTime<Utc>,
        );
        let rows: Vec<Row> = on_db!(&self.db, p => {
            sqlx::query_as("SELECT id, employee_id, at, source, lat_micro, lng_micro, accuracy_m, device, source_ref, created_at \
                            FROM punches WHERE employee_id = $1 AND at >= $2 AND at < $3 ORDER BY at")
                .bind(employee.0)
                .bind(lo)
                .bind(hi)
                .fetch_all(p)
                .await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|r| Punch {
                id: r.0,
                employee_id: EmployeeId(r.1),
                at: r.2,
                source: PunchSource::parse(&r.3).unwrap_or(PunchSource::Import),
                location: match (r.4, r.5) {
                    (Some(lat_micro), Some(lng_micro)) => Some(PunchLocation { lat_micro, lng_micro, accuracy_m: r.6 }),
                    _ => None,
                },
                device: r.7,
                source_ref: r.8,
                created_at: r.9,
            })
            .collect())
    }

    async fn ids_by_employee_no(
        &self,
        company: CompanyId,
        nos: &[String],
    ) -> Result<HashMap<String, EmployeeId>, AttendanceError> {
        let mut out = HashMap::new();
        for chunk in nos.chunks(CHUNK) {
            let sql = format!(
                "SELECT employee_no, id FROM employees WHERE company_id = $1 AND employee_no IN ({})",
                in_list(2, chunk.len())
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

    async fn in_scope(&self, scope: &RowScope, ids: &[EmployeeId]) -> Result<Vec<EmployeeId>, AttendanceError> {
        if scope.all {
            return Ok(ids.to_vec());
        }
        if scope.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let mut binds: Vec<Bind> = chunk.iter().map(|e| Bind::Id(e.0)).collect();
            let mut n = chunk.len() + 1;
            let filter = scope_sql(scope, &mut n, &mut binds);
            let sql = format!("SELECT e.id FROM employees e WHERE e.id IN ({}){filter}", in_list(1, chunk.len()));
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

    async fn employees(
        &self,
        scope: &RowScope,
        selection: &EmployeeSelection,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<EmployeeRef>, AttendanceError> {
        if scope.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds = vec![Bind::Date(from), Bind::Date(to)];
        let mut n = 3;
        let sel = selection_sql(selection, 1, 2, &mut n, &mut binds);
        let filter = scope_sql(scope, &mut n, &mut binds);
        let sql = format!(
            "SELECT e.id, e.company_id, e.employee_no, e.name FROM employees e WHERE 1=1{sel}{filter} ORDER BY e.employee_no, e.id"
        );
        let rows: Vec<(Uuid, Uuid, String, String)> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            bind_all!(q, &binds);
            q.fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|r| EmployeeRef { id: EmployeeId(r.0), company_id: CompanyId(r.1), employee_no: r.2, name: r.3 })
            .collect())
    }

    async fn ensure_days(
        &self,
        employees: &[EmployeeId],
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<u64, AttendanceError> {
        if employees.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await.map_err(st)?;
        let derived = ensure_in_tx(&mut tx, employees, from, to, today).await.map_err(st)?;
        tx.commit().await.map_err(st)?;
        Ok(derived)
    }

    async fn days(
        &self,
        employees: &[EmployeeId],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<AttendanceDay>, AttendanceError> {
        let mut out = Vec::new();
        for chunk in employees.chunks(CHUNK) {
            let n = chunk.len();
            let sql = format!(
                "SELECT {DAY_COLS} FROM attendance_days WHERE employee_id IN ({}) AND day >= ${} AND day <= ${} ORDER BY employee_id, day",
                in_list(1, n),
                n + 1,
                n + 2
            );
            let rows: Vec<DayRow> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql));
                for e in chunk {
                    q = q.bind(e.0);
                }
                q.bind(from).bind(to).fetch_all(p).await
            })
            .map_err(st)?;
            out.extend(rows.into_iter().map(day_from));
        }
        Ok(out)
    }

    async fn compute_summaries(
        &self,
        employees: &[EmployeeId],
        month: Month,
        at: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<u64, AttendanceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let mut written = 0;
        let mut ids = employees.to_vec();
        ids.sort();
        ids.dedup();
        // A quarter or year of 综合工时 ends this month: its earlier months must be derived too.
        let (period_start, _) = match month.month {
            12 => rules::period_bounds(ComprehensivePeriod::Year, month.first()),
            m if m.is_multiple_of(3) => rules::period_bounds(ComprehensivePeriod::Quarter, month.first()),
            _ => (month.first(), month.last()),
        };
        let today = at.with_timezone(&china()).date_naive();
        for chunk in ids.chunks(CHUNK) {
            if period_start < month.first() {
                let n = chunk.len();
                let sql = format!(
                    "SELECT DISTINCT employee_id FROM attendance_days WHERE employee_id IN ({}) AND day >= ${} AND day <= ${} \
                     AND comprehensive_period IN ('quarter', 'year')",
                    in_list(1, n),
                    n + 1,
                    n + 2
                );
                let comp: Vec<Uuid> = on_tx!(&mut tx, c => {
                    let mut q = sqlx::query_scalar(AssertSqlSafe(sql));
                    for e in chunk {
                        q = q.bind(e.0);
                    }
                    q.bind(month.first()).bind(month.last()).fetch_all(&mut *c).await
                })
                .map_err(st)?;
                let comp: Vec<EmployeeId> = comp.into_iter().map(EmployeeId).collect();
                let before = month.first() - TimeDelta::days(1);
                ensure_in_tx(&mut tx, &comp, period_start, before, today).await.map_err(st)?;
            }
            written += compute_chunk(&mut tx, chunk, month, at).await.map_err(st)?;
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)?;
        Ok(written)
    }

    async fn summaries(
        &self,
        month: Month,
        scope: &RowScope,
        selection: &EmployeeSelection,
        page: PageRequest,
    ) -> Result<Page<MonthlySummary>, AttendanceError> {
        if scope.is_empty() {
            return Ok(Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page });
        }
        let (from, where_sql, binds) = summary_filter(month, scope, selection);
        let count_sql = format!("SELECT COUNT(*){from}{where_sql}");
        let page_sql = format!(
            "SELECT {}{from}{where_sql} ORDER BY e.employee_no, e.id LIMIT {} OFFSET {}",
            summary_cols(),
            page.limit(),
            page.offset()
        );
        let (total, rows): (i64, Vec<sqlx_row::MonthlyRow>) = on_db!(&self.db, p => {
            let mut cq = sqlx::query_scalar(AssertSqlSafe(count_sql));
            bind_all!(cq, &binds);
            let total: i64 = cq.fetch_one(p).await.map_err(st)?;
            let mut q = sqlx::query_as(AssertSqlSafe(page_sql));
            bind_all!(q, &binds);
            (total, q.fetch_all(p).await.map_err(st)?)
        });
        let items = rows.into_iter().map(sqlx_row::MonthlyRow::into_summary).collect();
        Ok(Page { items, total: u64::try_from(total.max(0)).unwrap_or(0), page: page.page, per_page: page.per_page })
    }

    async fn all_summaries(
        &self,
        month: Month,
        scope: &RowScope,
        selection: &EmployeeSelection,
    ) -> Result<Vec<MonthlySummary>, AttendanceError> {
        if scope.is_empty() {
            return Ok(Vec::new());
        }
        let (from, where_sql, binds) = summary_filter(month, scope, selection);
        let sql = format!("SELECT {}{from}{where_sql} ORDER BY e.employee_no, e.id", summary_cols());
        let rows: Vec<sqlx_row::MonthlyRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            bind_all!(q, &binds);
            q.fetch_all(p).await.map_err(st)?
        });
        Ok(rows.into_iter().map(sqlx_row::MonthlyRow::into_summary).collect())
    }

    async fn policy(&self) -> Result<AttendancePolicy, AttendanceError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let p = load_policy(&mut tx).await.map_err(st)?;
        tx.commit().await.map_err(st)?;
        Ok(p)
    }

    async fn set_policy(
        &self,
        policy: &AttendancePolicy,
        at: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<(), AttendanceError> {
        let text = serde_json::to_string(policy).map_err(|e| AttendanceError::Storage(e.to_string()))?;
        let mut tx = self.db.begin().await.map_err(st)?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO attendance_settings (id, policy, updated_at) VALUES (1, $1, $2) \
                         ON CONFLICT (id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at")
                .bind(text)
                .bind(at)
                .execute(&mut *c)
                .await
                .map(|_| ())
        })
        .map_err(st)?;
        // Overtime of past days depends on the policy: derive them again on their next read.
        on_tx!(&mut tx, c => sqlx::query("DELETE FROM attendance_days").execute(&mut *c).await.map(|_| ()))
            .map_err(st)?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }
}

async fn write_layer_days(tx: &mut Tx, layer: Uuid, days: &[DayOverride]) -> Result<(), AttendanceError> {
    if days.is_empty() {
        return Ok(());
    }
    for chunk in days.chunks(DAY_BATCH) {
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new("INSERT INTO calendar_layer_days (layer_id, day, kind, note) ");
            qb.push_values(chunk, |mut b, d| {
                b.push_bind(layer).push_bind(d.date).push_bind(override_str(d.kind)).push_bind(d.note.clone());
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })
        .map_err(|e| {
            if is_unique_violation(&e) {
                // The first date the layer already had.
                AttendanceError::DuplicateLayerDay(chunk.first().map(|d| d.date).unwrap_or_default())
            } else {
                st(e)
            }
        })?;
    }
    // Every employee's verdict on these dates may change.
    for d in days {
        invalidate(tx, None, DateRange { from: d.date, to: d.date.succ_opt() }).await.map_err(st)?;
    }
    Ok(())
}

mod sqlx_row {
    use super::*;

    #[derive(sqlx::FromRow)]
    pub(super) struct MonthlyRow {
        employee_id: Uuid,
        month: String,
        company_id: Uuid,
        org_unit_id: Option<Uuid>,
        scheduled_days: i32,
        present_days: i32,
        absent_days: i32,
        leave_days: i32,
        late_count: i32,
        late_minutes: i32,
        early_count: i32,
        early_minutes: i32,
        missing_punches: i32,
        absent_minutes: i32,
        worked_minutes: i32,
        leave_minutes: i32,
        leave_paid_minutes: i32,
        leave_unpaid_minutes: i32,
        leave_by_type: String,
        ot_workday_pay: i32,
        ot_workday_time_off: i32,
        ot_restday_pay: i32,
        ot_restday_time_off: i32,
        ot_holiday_pay: i32,
        comprehensive_excess_minutes: i32,
        computed_at: DateTime<Utc>,
        employee_no: String,
        name: String,
    }

    impl MonthlyRow {
        pub(super) fn into_summary(self) -> MonthlySummary {
            MonthlySummary {
                employee_id: EmployeeId(self.employee_id),
                month: self.month,
                company_id: CompanyId(self.company_id),
                org_unit_id: self.org_unit_id.map(OrgUnitId),
                employee_no: Some(self.employee_no),
                employee_name: Some(self.name),
                scheduled_days: u(self.scheduled_days),
                present_days: u(self.present_days),
                absent_days: u(self.absent_days),
                leave_days: u(self.leave_days),
                late_count: u(self.late_count),
                late_minutes: u(self.late_minutes),
                early_count: u(self.early_count),
                early_minutes: u(self.early_minutes),
                missing_punches: u(self.missing_punches),
                absent_minutes: u(self.absent_minutes),
                worked_minutes: u(self.worked_minutes),
                leave_minutes: u(self.leave_minutes),
                leave_paid_minutes: u(self.leave_paid_minutes),
                leave_unpaid_minutes: u(self.leave_unpaid_minutes),
                leave_by_type: serde_json::from_str(&self.leave_by_type).unwrap_or_default(),
                overtime_workday: OvertimeSplit { pay: u(self.ot_workday_pay), time_off: u(self.ot_workday_time_off) },
                overtime_rest_day: OvertimeSplit { pay: u(self.ot_restday_pay), time_off: u(self.ot_restday_time_off) },
                overtime_holiday: OvertimeSplit { pay: u(self.ot_holiday_pay), time_off: 0 },
                comprehensive_excess_minutes: u(self.comprehensive_excess_minutes),
                computed_at: self.computed_at,
            }
        }
    }
}

/// The summary columns with the employee's number and name.
fn summary_cols() -> String {
    let cols = MONTHLY_COLS.split(", ").map(|c| format!("m.{c}")).collect::<Vec<_>>().join(", ");
    format!("{cols}, e.employee_no, e.name")
}

/// FROM and WHERE (with binds) of a month's summaries inside a scope and selection.
fn summary_filter(month: Month, scope: &RowScope, selection: &EmployeeSelection) -> (&'static str, String, Vec<Bind>) {
    let mut binds = vec![Bind::Text(month.to_string())];
    let mut n = 2;
    let mut where_sql = String::from(" WHERE m.month = $1");
    if let Some(units) = &selection.units {
        if units.is_empty() {
            where_sql.push_str(" AND 1=0");
        } else {
            where_sql.push_str(&format!(" AND m.org_unit_id IN ({})", placeholders(n, units.len())));
            n += units.len();
            binds.extend(units.iter().map(|u| Bind::Id(u.0)));
        }
    }
    if let Some(boss) = selection.reports_of {
        where_sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM assignments r WHERE r.employee_id = e.id AND r.manager_id = ${n})"
        ));
        binds.push(Bind::Id(boss.0));
        n += 1;
    }
    where_sql.push_str(&scope_sql(scope, &mut n, &mut binds));
    (" FROM attendance_monthly m JOIN employees e ON e.id = m.employee_id", where_sql, binds)
}

#[cfg(test)]
mod tests {
    //! `recompute_in_tx` is crate-internal (other stores call it inside their transactions), so
    //! it is tested here, on both engines, against a database built without the test kit.
    use super::*;
    use crate::db::Db;

    async fn database(engine: crate::Engine) -> Db {
        let db = match engine {
            crate::Engine::Sqlite => Db::connect("sqlite::memory:").await.unwrap(),
            crate::Engine::Postgres => {
                let url = std::env::var("BOLE_TEST_PG_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable".into());
                let admin = Db::connect(&url).await.unwrap();
                let name = format!("bole_t_{}_att_{}", std::process::id(), Uuid::now_v7().simple());
                let name = &name[..name.len().min(60)];
                on_db!(&admin, p => sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(p).await.map(|_| ()))
                    .unwrap();
                admin.close().await;
                let (base, query) = url.split_once('?').unwrap_or((&url, "sslmode=disable"));
                let base = &base[..base.rfind('/').unwrap()];
                Db::connect(&format!("{base}/{name}?{query}")).await.unwrap()
            }
        };
        crate::migrate::migrate(&db).await.unwrap();
        db
    }

    /// One company, unit and employee hired 2026-01-01, written with plain SQL.
    async fn employee(db: &Db) -> EmployeeId {
        let (company, unit, emp, event) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let at = DateTime::<Utc>::default();
        let hired = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        on_db!(db, p => {
            sqlx::query("INSERT INTO companies (id, code, name, kind, created_at) VALUES ($1, 'C', 'C', 'enterprise', $2)")
                .bind(company).bind(at).execute(p).await.unwrap();
            sqlx::query("INSERT INTO org_units (id, company_id, code, created_at) VALUES ($1, $2, 'U', $3)")
                .bind(unit).bind(company).bind(at).execute(p).await.unwrap();
            sqlx::query("INSERT INTO employees (id, company_id, employee_no, name, gender, id_type, id_number, employment_type, hire_date, created_at, updated_at) \
                         VALUES ($1, $2, 'E1', 'n', '1', 'resident_id', $3, 'full_time', $4, $5, $5)")
                .bind(emp).bind(company).bind(format!("sealed:{emp}")).bind(hired).bind(at).execute(p).await.unwrap();
            sqlx::query("INSERT INTO employee_events (id, employee_id, kind, effective_date, payload, recorded_at, recorded_by) \
                         VALUES ($1, $2, 'onboard', $3, '{}', $4, 't')")
                .bind(event).bind(emp).bind(hired).bind(at).execute(p).await.unwrap();
            sqlx::query("INSERT INTO assignments (employee_id, valid_from, status, employed, org_unit_id, employment_type, quota_category, event_id) \
                         VALUES ($1, $2, 'regular', $3, $4, 'full_time', 'c', $5)")
                .bind(emp).bind(hired).bind(true).bind(unit).bind(event).execute(p).await.unwrap();
        });
        EmployeeId(emp)
    }

    async fn status(tx: &mut Tx, e: EmployeeId, day: NaiveDate) -> Option<(String, i32)> {
        on_tx!(tx, c => {
            sqlx::query_as("SELECT status, leave_minutes FROM attendance_days WHERE employee_id = $1 AND day = $2")
                .bind(e.0).bind(day).fetch_optional(&mut *c).await.unwrap()
        })
    }

    async fn recompute_sees_absence_written_in_the_same_transaction(engine: crate::Engine) {
        let db = database(engine).await;
        let e = employee(&db).await;
        let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let mut tx = db.begin().await.unwrap();
        recompute_in_tx(&mut tx, &[e], monday, monday, today).await.unwrap();
        assert_eq!(status(&mut tx, e, monday).await, Some(("absent".into(), 0)));
        // The leave store's approval writes absence_days, then recomputes, in one transaction.
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO absence_days (source_id, day, employee_id, leave_type, minutes, paid) VALUES ($1, $2, $3, 'annual', 480, $4)")
                .bind(Uuid::now_v7()).bind(monday).bind(e.0).bind(true).execute(&mut *c).await.unwrap();
        });
        recompute_in_tx(&mut tx, &[e], monday, monday, today).await.unwrap();
        assert_eq!(status(&mut tx, e, monday).await, Some(("leave".into(), 480)));
        // A punch correction appended in a transaction re-derives the day in it too.
        let mut p = Punch::new(
            e,
            from_local(monday.and_hms_opt(9, 0, 0).unwrap()),
            PunchSource::Correction,
            DateTime::default(),
        );
        p.source_ref = Some(Uuid::now_v7());
        let q = Punch::new(
            e,
            from_local(monday.and_hms_opt(9, 0, 0).unwrap()),
            PunchSource::Correction,
            DateTime::default(),
        );
        assert_eq!(insert_punches_in_tx(&mut tx, &[p, q]).await.unwrap(), 1, "the same second twice is one punch");
        drop(tx);
        // Rolled back: nothing of it is left.
        let mut tx = db.begin().await.unwrap();
        assert_eq!(status(&mut tx, e, monday).await, None);
    }

    #[tokio::test]
    async fn recompute_in_tx_sqlite() {
        recompute_sees_absence_written_in_the_same_transaction(crate::Engine::Sqlite).await;
    }

    #[tokio::test]
    async fn recompute_in_tx_postgres() {
        recompute_sees_absence_written_in_the_same_transaction(crate::Engine::Postgres).await;
    }
}
