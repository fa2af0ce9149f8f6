//! Support for the issue-6 scenario (bench/README.md 6, `payroll_scenarios`): deterministic
//! salaries and attendance for N synthetic employees, monthly attendance summaries written
//! straight into `attendance_monthly` (the punch → day → summary path costs minutes per 100,000
//! employees and is scenario 5's subject; the pay run reads these rows through
//! `AttendanceService::monthly_summaries` like any others), and a pay-run compute taken apart
//! into its phases — gathering inputs, the parallel computation, persisting, payslip views —
//! with the same public calls `PayrollService::compute` makes, so each phase can be timed. The
//! scenario checks that the phased digest equals the service's.

use crate::db::BenchError;
use bole_core::{Actor, CompanyId, EmployeeId, OrgUnitId, UserId};
use bole_payroll::compute::{self, CompiledRun};
use bole_payroll::store::PayrollStore;
use bole_payroll::{
    DeductionDeclaration, EmployeeInput, ItemStatus, PayAdjustment, PayRun, PayRunItem, PayrollService, PayslipView,
    RunContext, RunTotals, SalaryAssignment, SiEnrolment, TaxProfile,
};
use bole_people::RowScope;
use bole_store::{Db, SqlStore};
use bole_time::absence::Calendars;
use bole_time::attendance::{AttendanceService, Month, MonthlySummary, SummaryFilter};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Monthly base salary of the `i`-th synthetic employee: 6,000–39,900 in steps of 100, spread
/// evenly (so the SI floor and cap, and every IIT bracket up to 25 %, are all exercised).
pub fn base_salary(i: usize) -> Decimal {
    Decimal::from(6_000 + (i * 37 % 340) * 100)
}

/// The `i`-th employee's salary: the structure's base, MEAL 500 and TRANSPORT 300, Beijing SI on
/// the base clamped to the pension item's floor and cap, housing fund 12 % on both sides.
pub fn assignment(
    i: usize,
    employee: EmployeeId,
    company: CompanyId,
    structure: Uuid,
    si_bounds: (Decimal, Decimal),
    valid_from: NaiveDate,
    at: DateTime<Utc>,
) -> SalaryAssignment {
    let base = base_salary(i);
    let rate = Decimal::new(12, 2);
    SalaryAssignment {
        id: Uuid::now_v7(),
        employee_id: employee,
        company_id: company,
        structure_id: structure,
        base_salary: base,
        fixed: BTreeMap::from([
            ("MEAL".to_string(), Decimal::from(500)),
            ("TRANSPORT".to_string(), Decimal::from(300)),
        ]),
        si: SiEnrolment {
            city: "beijing".into(),
            si_base: base.clamp(si_bounds.0, si_bounds.1),
            hf_base: None,
            hf_rate_employee: Some(rate),
            hf_rate_employer: Some(rate),
            si_enrolled: true,
            hf_enrolled: true,
        },
        valid_from,
        valid_to: None,
        reason: Some("基准测试定薪".into()),
        created_by: UserId(Uuid::nil()),
        created_at: at,
    }
}

/// The `i`-th employee's month: present on every scheduled day except every 10th employee (one
/// day absent) and every 13th (one day of unpaid personal leave); every 7th worked 4 hours of
/// paid workday overtime, every 50th a rest day (8 hours); every 20th was late once.
pub fn summary(
    i: usize,
    employee: EmployeeId,
    company: CompanyId,
    unit: Option<OrgUnitId>,
    month: Month,
    scheduled: u32,
    at: DateTime<Utc>,
) -> MonthlySummary {
    let absent = u32::from(i % 10 == 3);
    let unpaid = u32::from(i % 13 == 5);
    let leave_by_type = if unpaid > 0 {
        BTreeMap::from([("personal".to_string(), bole_time::attendance::LeaveSplit { paid: 0, unpaid: 480 })])
    } else {
        BTreeMap::new()
    };
    let present = scheduled.saturating_sub(absent + unpaid);
    MonthlySummary {
        employee_id: employee,
        month: month.to_string(),
        company_id: company,
        org_unit_id: unit,
        employee_no: None,
        employee_name: None,
        scheduled_days: scheduled,
        present_days: present,
        absent_days: absent,
        leave_days: unpaid,
        late_count: u32::from(i % 20 == 7),
        late_minutes: if i % 20 == 7 { 12 } else { 0 },
        early_count: 0,
        early_minutes: 0,
        missing_punches: 0,
        absent_minutes: absent * 480,
        worked_minutes: present * 480,
        leave_minutes: unpaid * 480,
        leave_paid_minutes: 0,
        leave_unpaid_minutes: unpaid * 480,
        leave_by_type,
        overtime_workday: bole_time::attendance::OvertimeSplit { pay: if i % 7 == 2 { 240 } else { 0 }, time_off: 0 },
        overtime_rest_day: bole_time::attendance::OvertimeSplit { pay: if i % 50 == 9 { 480 } else { 0 }, time_off: 0 },
        overtime_holiday: bole_time::attendance::OvertimeSplit::default(),
        comprehensive_excess_minutes: 0,
        computed_at: at,
    }
}

const SUMMARY_COLS: &str = "employee_id, month, company_id, org_unit_id, scheduled_days, present_days, absent_days, \
     leave_days, late_count, late_minutes, early_count, early_minutes, missing_punches, absent_minutes, worked_minutes, \
     leave_minutes, leave_paid_minutes, leave_unpaid_minutes, leave_by_type, ot_workday_pay, ot_workday_time_off, \
     ot_restday_pay, ot_restday_time_off, ot_holiday_pay, comprehensive_excess_minutes, computed_at";

fn i32_of(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Write monthly summaries into `attendance_monthly` (multi-row INSERTs of 500 in one
/// transaction), as `AttendanceService::compute_summaries` would leave them.
pub async fn write_summaries(db: &Db, rows: &[MonthlySummary]) -> Result<u64, BenchError> {
    macro_rules! insert_all {
        ($pool:expr) => {{
            let mut tx = $pool.begin().await?;
            for part in rows.chunks(500) {
                let mut qb = QueryBuilder::new(format!("INSERT INTO attendance_monthly ({SUMMARY_COLS}) "));
                qb.push_values(part, |mut b, r| {
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
                        .push_bind(serde_json::to_string(&r.leave_by_type).unwrap_or_else(|_| "{}".into()))
                        .push_bind(i32_of(r.overtime_workday.pay))
                        .push_bind(i32_of(r.overtime_workday.time_off))
                        .push_bind(i32_of(r.overtime_rest_day.pay))
                        .push_bind(i32_of(r.overtime_rest_day.time_off))
                        .push_bind(i32_of(r.overtime_holiday.pay))
                        .push_bind(i32_of(r.comprehensive_excess_minutes))
                        .push_bind(r.computed_at);
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }};
    }
    match db {
        Db::Sqlite(p) => insert_all!(p),
        Db::Postgres(p) => insert_all!(p),
    }
    Ok(rows.len() as u64)
}

/// Time of each read while gathering a run's inputs.
#[derive(Clone, Debug, Default)]
pub struct GatherTimes(pub Vec<(&'static str, Duration)>);

impl GatherTimes {
    pub fn total(&self) -> Duration {
        self.0.iter().map(|(_, d)| *d).sum()
    }

    /// `population 0.3 s, salaries 0.8 s, …` in milliseconds.
    pub fn line(&self) -> String {
        self.0.iter().map(|(what, d)| format!("{what} {}", crate::stats::ms(*d))).collect::<Vec<_>>().join(", ")
    }
}

/// What a compute needs, gathered the way `PayrollService::compute` gathers it.
pub struct Gathered {
    pub compiled: CompiledRun,
    pub inputs: Vec<EmployeeInput>,
    pub times: GatherTimes,
}

/// Every input of `run`, read in bulk through the public ports (`PayrollStore`,
/// `AttendanceService::monthly_summaries`, the company calendar), each read timed.
pub async fn gather(
    store: &SqlStore,
    payroll: &PayrollService,
    attendance: &AttendanceService,
    calendars: &dyn Calendars,
    actor: &Actor,
    run: &PayRun,
) -> Result<Gathered, BenchError> {
    let mut times = GatherTimes::default();
    let mut lap = Instant::now();
    let mut mark = |what: &'static str, times: &mut GatherTimes| {
        times.0.push((what, lap.elapsed()));
        lap = Instant::now();
    };
    let month = Month::parse(&run.period).ok_or("bad period")?;
    let (first, last) = (month.first(), month.last());
    let people = store.population(run.company_id, first, last, &run.scope, &RowScope::everything()).await?;
    let ids: Vec<EmployeeId> = people.iter().map(|p| p.employee_id).collect();
    mark("population", &mut times);
    let wanted: Vec<(EmployeeId, NaiveDate)> = people.iter().map(|p| (p.employee_id, p.employed_to)).collect();
    let mut salaries = store.salaries_on(&wanted).await?;
    mark("salaries", &mut times);
    let mut summaries: HashMap<EmployeeId, MonthlySummary> = attendance
        .monthly_summaries(actor, month, SummaryFilter::default())
        .await?
        .into_iter()
        .filter(|s| s.company_id == run.company_id)
        .map(|s| (s.employee_id, s))
        .collect();
    mark("attendance", &mut times);
    let mut ytd = store.year_to_date(run.company_id, month.year, &run.period, &ids).await?;
    mark("year to date", &mut times);
    let mut declarations: HashMap<EmployeeId, Vec<DeductionDeclaration>> = HashMap::new();
    for d in store.declarations_for(month.year, &ids).await? {
        declarations.entry(d.employee_id).or_default().push(d);
    }
    let mut profiles: HashMap<EmployeeId, TaxProfile> =
        store.tax_profiles(month.year, &ids).await?.into_iter().map(|p| (p.employee_id, p)).collect();
    let mut adjustments: HashMap<EmployeeId, Vec<PayAdjustment>> = HashMap::new();
    for a in store.open_adjustments(run.company_id, &run.period).await? {
        adjustments.entry(a.employee_id).or_default().push(a);
    }
    mark("declarations, tax profiles, adjustments", &mut times);

    let calendar = calendars.calendar_for(run.company_id).await?;
    let mut days = Vec::with_capacity(31);
    let mut day = first;
    while day <= last {
        days.push((day, calendar.day_kind(day)?));
        day += TimeDelta::days(1);
    }
    let mut policies = bole_payroll::si::builtin_policies();
    policies.extend(store.si_policies().await?);
    let mut cities: Vec<String> = policies.iter().map(|p| p.city.clone()).collect();
    cities.sort();
    cities.dedup();
    let si_policies =
        cities.iter().filter_map(|c| bole_payroll::si::policy_for(&policies, c, first).cloned()).collect();
    let ctx = RunContext {
        company_id: run.company_id,
        period: run.period.clone(),
        year: month.year,
        month: month.month,
        first_day: first,
        last_day: last,
        days,
        components: payroll.components(actor, Some(run.company_id)).await?,
        structures: payroll.structures(actor, Some(run.company_id)).await?,
        si_policies,
    };
    let compiled = compute::prepare(ctx)?;
    let inputs: Vec<EmployeeInput> = people
        .into_iter()
        .map(|person| {
            let e = person.employee_id;
            EmployeeInput {
                salary: salaries.remove(&e),
                attendance: summaries.remove(&e),
                ytd: ytd.remove(&e).unwrap_or_default(),
                declarations: declarations.remove(&e).unwrap_or_default(),
                tax_profile: profiles.remove(&e),
                adjustments: adjustments.remove(&e).unwrap_or_default(),
                person,
            }
        })
        .collect();
    mark("calendar, policies, structures, compile", &mut times);
    Ok(Gathered { compiled, inputs, times })
}

/// How long [`compute_items`] spent on each part.
#[derive(Clone, Copy, Debug, Default)]
pub struct ComputeTimes {
    pub payslips: Duration,
    pub items: Duration,
    pub digest: Duration,
    pub totals: Duration,
}

/// The computation proper: every employee on every core, then items, digest and totals.
pub fn compute_items(run: &PayRun, g: &Gathered) -> (Vec<PayRunItem>, String, RunTotals, ComputeTimes) {
    let mut times = ComputeTimes::default();
    let t = Instant::now();
    let results = compute::compute_all(&g.compiled, &g.inputs);
    times.payslips = t.elapsed();
    let t = Instant::now();
    let items: Vec<PayRunItem> = g
        .inputs
        .iter()
        .zip(results)
        .map(|(input, result)| {
            let p = &input.person;
            let (status, error, payslip) = match result {
                Ok(slip) => (ItemStatus::Ok, None, Some(slip)),
                Err(e) => (ItemStatus::Error, Some(e), None),
            };
            PayRunItem {
                id: Uuid::now_v7(),
                run_id: run.id,
                employee_id: p.employee_id,
                employee_no: p.employee_no.clone(),
                employee_name: p.employee_name.clone(),
                org_unit_id: p.org_unit_id,
                status,
                error,
                payslip,
            }
        })
        .collect();
    times.items = t.elapsed();
    let t = Instant::now();
    let digest = compute::digest(&items);
    times.digest = t.elapsed();
    let t = Instant::now();
    let totals = compute::totals(&items);
    times.totals = t.elapsed();
    (items, digest, totals, times)
}

/// Every employee's payslip as self-service shows it (`PayslipView`): the run's items opened in
/// bulk, the company name and the unit names as of the period's last day in one query each.
/// Also returns how long `all_items` (the read and the opening) took.
pub async fn payslip_views(store: &SqlStore, run: &PayRun) -> Result<(Vec<PayslipView>, Duration), BenchError> {
    let t = Instant::now();
    let items = store.all_items(run.id).await?;
    let read = t.elapsed();
    let company_name = store.company_name(run.company_id).await.ok();
    let mut units: Vec<OrgUnitId> = items.iter().filter_map(|i| i.org_unit_id).collect();
    units.sort();
    units.dedup();
    let on = Month::parse(&run.period).map_or(run.pay_date, |m| m.last());
    let names = store.unit_names(&units, on).await?;
    let views = items
        .into_iter()
        .filter_map(|item| {
            let payslip = item.payslip?;
            Some(PayslipView {
                id: item.id,
                run_id: run.id,
                period: run.period.clone(),
                pay_date: run.pay_date,
                company_id: run.company_id,
                company_name: company_name.clone(),
                employee_id: item.employee_id,
                employee_no: item.employee_no,
                employee_name: item.employee_name,
                org_unit_name: item.org_unit_id.and_then(|u| names.get(&u).cloned()),
                payslip,
            })
        })
        .collect();
    Ok((views, read))
}

/// Mean single-thread cost per payslip of each step the store takes to seal and open one, in
/// nanoseconds, with the mean sizes (see [`kernels`]).
#[derive(Clone, Debug, Default)]
pub struct Kernels {
    pub payslips: usize,
    pub json_bytes: usize,
    pub deflated_bytes: usize,
    pub serialize: u128,
    /// A new `DeflateEncoder` per payslip, as `bole-store` does today.
    pub deflate_new: u128,
    /// One `flate2::Compress` reset between payslips.
    pub deflate_reused: u128,
    pub seal: u128,
    pub open: u128,
    pub inflate_new: u128,
    pub parse: u128,
    /// SM3 of the item's JSON, as `compute::digest` hashes each item.
    pub sm3: u128,
}

impl Kernels {
    /// One line for the results table.
    pub fn line(&self) -> String {
        let us = |ns: u128| format!("{}.{} µs", ns / 1000, (ns % 1000) / 100);
        let mbs = |ns: u128, bytes: usize| (bytes as u128 * 1000).checked_div(ns).unwrap_or(0);
        format!(
            "per payslip, one thread, {} payslips of {} B JSON → {} B deflated: serialize {}; deflate {} (new encoder each) / {} \
             (one encoder reset); SM4-GCM seal {} ({} MB/s); open {}; inflate {}; parse {}; SM3 of the JSON (digest) {} ({} MB/s)",
            self.payslips,
            self.json_bytes,
            self.deflated_bytes,
            us(self.serialize),
            us(self.deflate_new),
            us(self.deflate_reused),
            us(self.seal),
            mbs(self.seal, self.deflated_bytes),
            us(self.open),
            us(self.inflate_new),
            us(self.parse),
            us(self.sm3),
            mbs(self.sm3, self.json_bytes),
        )
    }
}

/// Time, on one thread, each step of sealing and opening these items' payslips the way
/// `bole-store` does (`seal_deflated` / `open_json`): JSON, raw DEFLATE (fast), SM4-GCM under
/// the store's active key, and back; plus the SM3 the digest takes per item.
pub fn kernels(ring: &bole_crypto::Keyring, items: &[PayRunItem]) -> Result<Kernels, BenchError> {
    use std::io::Write as _;
    let slips: Vec<&bole_payroll::Payslip> = items.iter().filter_map(|i| i.payslip.as_ref()).collect();
    let n = slips.len().max(1);
    let mut k = Kernels { payslips: slips.len(), ..Kernels::default() };
    let aad = b"pay_run_items.payslip:00000000-0000-0000-0000-000000000000";

    let t = Instant::now();
    let jsons: Vec<Vec<u8>> = slips.iter().map(serde_json::to_vec).collect::<Result<_, _>>()?;
    k.serialize = t.elapsed().as_nanos() / n as u128;
    k.json_bytes = jsons.iter().map(Vec::len).sum::<usize>() / n;

    let t = Instant::now();
    let mut packed = Vec::with_capacity(jsons.len());
    for j in &jsons {
        let mut z = flate2::write::DeflateEncoder::new(vec![0u8], flate2::Compression::fast());
        z.write_all(j)?;
        packed.push(z.finish()?);
    }
    k.deflate_new = t.elapsed().as_nanos() / n as u128;
    k.deflated_bytes = packed.iter().map(Vec::len).sum::<usize>() / n;

    let t = Instant::now();
    let mut c = flate2::Compress::new(flate2::Compression::fast(), false);
    for j in &jsons {
        c.reset();
        let mut out = Vec::with_capacity(j.len() / 2 + 64);
        c.compress_vec(j, &mut out, flate2::FlushCompress::Finish)?;
    }
    k.deflate_reused = t.elapsed().as_nanos() / n as u128;

    let t = Instant::now();
    let sealed: Vec<Vec<u8>> = packed.iter().map(|p| ring.seal(aad, p)).collect::<Result<_, _>>()?;
    k.seal = t.elapsed().as_nanos() / n as u128;

    let t = Instant::now();
    let opened: Vec<Vec<u8>> = sealed.iter().map(|s| ring.open(aad, s)).collect::<Result<_, _>>()?;
    k.open = t.elapsed().as_nanos() / n as u128;

    let t = Instant::now();
    let mut plain = Vec::with_capacity(opened.len());
    for o in &opened {
        let mut z = flate2::write::DeflateDecoder::new(Vec::with_capacity(o.len() * 5));
        z.write_all(o.get(1..).unwrap_or_default())?;
        plain.push(z.finish()?);
    }
    k.inflate_new = t.elapsed().as_nanos() / n as u128;

    let t = Instant::now();
    for p in &plain {
        let _: bole_payroll::Payslip = serde_json::from_slice(p)?;
    }
    k.parse = t.elapsed().as_nanos() / n as u128;

    let t = Instant::now();
    for j in &jsons {
        std::hint::black_box(bole_crypto::sm3_digest(j));
    }
    k.sm3 = t.elapsed().as_nanos() / n as u128;
    Ok(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salaries_span_the_range_evenly() {
        let all: Vec<Decimal> = (0..340).map(base_salary).collect();
        assert_eq!(all.iter().min(), Some(&Decimal::from(6_000)));
        assert_eq!(all.iter().max(), Some(&Decimal::from(39_900)));
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 340, "37 and 340 are coprime: one employee per step");
    }

    #[test]
    fn summaries_add_up_and_vary() {
        let at: DateTime<Utc> = "2026-04-01T00:00:00Z".parse().unwrap_or_default();
        let month = Month { year: 2026, month: 3 };
        let e = EmployeeId(Uuid::nil());
        let c = CompanyId(Uuid::nil());
        let plain = summary(0, e, c, None, month, 22, at);
        assert_eq!((plain.present_days, plain.absent_days, plain.leave_unpaid_minutes), (22, 0, 0));
        let absent = summary(3, e, c, None, month, 22, at);
        assert_eq!((absent.present_days, absent.absent_days, absent.absent_minutes), (21, 1, 480));
        let leave = summary(5, e, c, None, month, 22, at);
        assert_eq!((leave.present_days, leave.leave_unpaid_minutes, leave.leave_by_type.len()), (21, 480, 1));
        assert_eq!(summary(2, e, c, None, month, 22, at).overtime_workday.pay, 240);
        assert_eq!(summary(9, e, c, None, month, 22, at).overtime_rest_day.pay, 480);
        assert_eq!(summary(7, e, c, None, month, 22, at).late_count, 1);
    }
}
