//! Support for the issue-5 scenarios (bench/README.md 4–5, `time_scenarios`): a plain
//! organisation built through the people service (one company, departments, optional line
//! managers), synthetic resident ID numbers that pass GB 11643, latency per bucket of
//! operations with the "does it grow with N" verdict, leave dates spread over working days,
//! time-clock CSV chunks for the punch import, and the results table — like `report`'s, plus
//! rows that carry a figure without a target (set-up costs, import rate), marked "—" rather
//! than a PASS they did not earn.

use crate::db::BenchError;
use crate::stats::{ms, percentile};
use bole_core::{Actor, CompanyId, EmployeeId, OrgUnitId};
use bole_org::{CompanyKind, NewCompany, NewOrgUnit, OrgService, UnitKind};
use bole_people::{BatchError, EmploymentType, JobPlacement, NewEmployee, PeopleService, PersonalData};
use chrono::{NaiveDate, TimeDelta};
use std::fmt::Write as _;
use std::time::Duration;

/// The verdict of a results line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    Pass,
    Miss,
    /// A measured figure with no target to meet.
    Figure,
    /// Not measured, with the reason.
    NotRun(String),
}

/// One line of the results table.
#[derive(Clone, Debug)]
pub struct Line {
    pub scenario: String,
    pub engine: String,
    pub target: String,
    pub result: String,
    pub mark: Mark,
}

impl Line {
    /// A line checked against its target.
    pub fn checked(
        scenario: impl Into<String>,
        engine: &str,
        target: impl Into<String>,
        result: impl Into<String>,
        pass: bool,
    ) -> Line {
        let mark = if pass { Mark::Pass } else { Mark::Miss };
        Line { scenario: scenario.into(), engine: engine.into(), target: target.into(), result: result.into(), mark }
    }

    /// A figure reported without a target.
    pub fn figure(scenario: impl Into<String>, engine: &str, result: impl Into<String>) -> Line {
        Line {
            scenario: scenario.into(),
            engine: engine.into(),
            target: "—".into(),
            result: result.into(),
            mark: Mark::Figure,
        }
    }

    pub fn not_run(scenario: impl Into<String>, engine: &str, why: impl Into<String>) -> Line {
        Line {
            scenario: scenario.into(),
            engine: engine.into(),
            target: "-".into(),
            result: String::new(),
            mark: Mark::NotRun(why.into()),
        }
    }

    /// The verdict column.
    pub fn verdict(&self) -> String {
        match &self.mark {
            Mark::Pass => "PASS".into(),
            Mark::Miss => "**MISS**".into(),
            Mark::Figure => "—".into(),
            Mark::NotRun(_) => "n/a".into(),
        }
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown table of the lines (the columns of `report::markdown`), preceded by `context`.
pub fn markdown(context: &str, lines: &[Line]) -> String {
    let mut out = format!("{context}\n\n| scenario | engine | target | result | verdict |\n|---|---|---|---|---|\n");
    for l in lines {
        let result = match &l.mark {
            Mark::NotRun(why) => format!("not run: {why}"),
            _ => l.result.clone(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&l.scenario),
            cell(&l.engine),
            cell(&l.target),
            cell(&result),
            l.verdict()
        );
    }
    out
}

/// Employees per `onboard_batch` call (each call is all-or-nothing), as the demo generator uses.
pub const ONBOARD_CHUNK: usize = 2_000;

/// A valid 18-digit resident ID number for the `i`-th synthetic person: Beijing 朝阳 (110105),
/// born 1970-01-01 plus `i / 999` days, sequence `i % 999 + 1`, and the ISO 7064 MOD 11-2 check
/// character. Distinct for every `i` below 999 × ~20,000 days.
pub fn id_number(i: u64) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let born =
        NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default() + TimeDelta::days(i64::try_from(i / 999).unwrap_or(0));
    let body = format!("110105{}{:03}", born.format("%Y%m%d"), i % 999 + 1);
    let sum: u32 = body.chars().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// p50 and p95 of one bucket of consecutive operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub p50: Duration,
    pub p95: Duration,
}

/// Latency per bucket of `size` consecutive operations (the last bucket may be shorter).
pub fn buckets(samples: &[Duration], size: usize) -> Vec<Bucket> {
    samples.chunks(size.max(1)).map(|c| Bucket { p50: percentile(c, 50), p95: percentile(c, 95) }).collect()
}

/// The acceptance, "per-operation latency does not grow with N": the last bucket's p50
/// is at most 1.5 × the first bucket's. False when there are fewer than two buckets.
pub fn flat(b: &[Bucket]) -> bool {
    match (b.first(), b.last()) {
        (Some(first), Some(last)) if b.len() >= 2 => last.p50.as_micros() * 2 <= first.p50.as_micros() * 3,
        _ => false,
    }
}

/// `p50/p95` of every bucket, e.g. `4.1/6.0, 4.3/6.2 ms`, for the results table.
pub fn bucket_line(b: &[Bucket]) -> String {
    let parts: Vec<String> = b
        .iter()
        .map(|x| {
            let p50 = ms(x.p50);
            let p95 = ms(x.p95);
            format!("{}/{}", p50.trim_end_matches(" ms"), p95.trim_end_matches(" ms"))
        })
        .collect();
    format!("{} ms", parts.join(", "))
}

/// The day of the `round`-th application (0-based) of employee `e` among `days` working days:
/// the employees' first applications are spread over the whole list, and each later round moves
/// by a sixteenth of it, so an employee's applications never share a day for `round < 16`.
pub fn leave_day(days: &[NaiveDate], e: usize, round: usize) -> Option<NaiveDate> {
    if days.is_empty() || round >= 16 {
        return None;
    }
    let stride = (days.len() / 16).max(1);
    days.get((e + round * stride) % days.len()).copied()
}

/// A time-clock CSV (`employee_no,time,device`) for these employees over `days`: clock-in
/// 08:40–08:59 and clock-out 18:00–18:19, with every 20th employee-day a late arrival
/// (09:12) and every 50th a missing clock-out, so the summaries have something to count.
/// Returns the text and its number of rows.
pub fn punch_csv(employee_nos: &[String], first_index: usize, days: &[NaiveDate]) -> (String, u64) {
    let mut out = String::with_capacity(employee_nos.len() * days.len() * 2 * 40);
    let mut rows = 0;
    out.push_str("employee_no,time,device\n");
    for (k, no) in employee_nos.iter().enumerate() {
        let e = first_index + k;
        for (j, day) in days.iter().enumerate() {
            let n = e * days.len() + j;
            let (h, m) = if n % 20 == 7 { (9, 12) } else { (8, 40 + (n % 20)) };
            let _ = writeln!(out, "{no},{day} {h:02}:{m:02}:{:02},大门", n % 60);
            rows += 1;
            if n % 50 != 13 {
                let _ = writeln!(out, "{no},{day} 18:{:02}:{:02},大门", n % 20, (n * 7) % 60);
                rows += 1;
            }
        }
    }
    (out, rows)
}

/// What [`build_org`] creates.
#[derive(Clone, Debug)]
pub struct Org {
    pub company: CompanyId,
    pub units: Vec<OrgUnitId>,
    /// Line managers (no manager of their own), in creation order.
    pub managers: Vec<EmployeeId>,
    /// The other employees with their employee numbers; employee `i` reports to
    /// `managers[i / team_size]` when there are managers.
    pub employees: Vec<(EmployeeId, String)>,
}

/// The shape of [`build_org`].
#[derive(Clone, Copy, Debug)]
pub struct OrgSpec {
    pub employees: usize,
    /// Direct reports per line manager; 0 = no managers.
    pub team_size: usize,
    pub departments: usize,
    pub hire_date: NaiveDate,
    pub founded: NaiveDate,
}

/// One company (HQ and `departments` departments under it) and its people, written through
/// `OrgService` and `PeopleService::onboard_batch` ([`ONBOARD_CHUNK`] per call): the line
/// managers first (`ceil(employees / team_size)`, numbered `M…`), then the employees (`E…`),
/// each team of `team_size` in its manager's department. `progress(done)` after each call.
pub async fn build_org(
    org: &OrgService,
    people: &PeopleService,
    actor: &Actor,
    spec: OrgSpec,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<Org, BenchError> {
    let company = org
        .create_company(
            actor,
            NewCompany {
                code: "BENCH".into(),
                name: "伯乐基准测试公司".into(),
                kind: CompanyKind::Enterprise,
                credit_code: None,
            },
        )
        .await?
        .id;
    let hq = org
        .create_unit(
            actor,
            NewOrgUnit {
                company_id: company,
                code: "HQ".into(),
                name: "总部".into(),
                kind: UnitKind::Headquarters,
                parent_id: None,
                effective_date: spec.founded,
            },
        )
        .await?
        .id;
    let mut units = Vec::with_capacity(spec.departments);
    for d in 0..spec.departments.max(1) {
        let unit = org
            .create_unit(
                actor,
                NewOrgUnit {
                    company_id: company,
                    code: format!("D{d:03}"),
                    name: format!("第{}部", d + 1),
                    kind: UnitKind::Department,
                    parent_id: Some(hq),
                    effective_date: spec.founded,
                },
            )
            .await?
            .id;
        units.push(unit);
    }
    let teams = if spec.team_size == 0 { 0 } else { spec.employees.div_ceil(spec.team_size) };
    let unit_of_team = |t: usize| units[t % units.len()];
    let person = |seq: usize, no: String, unit: OrgUnitId, manager: Option<EmployeeId>| NewEmployee {
        company_id: company,
        employee_no: no.clone(),
        person: PersonalData { name: format!("员工{no}"), id_number: id_number(seq as u64), ..Default::default() },
        hire_date: spec.hire_date,
        job: JobPlacement {
            org_unit_id: unit,
            position_id: None,
            manager_id: manager,
            employment_type: EmploymentType::FullTime,
            quota_category: "合同制".into(),
            work_location: None,
        },
        probation_months: 0,
        educations: vec![],
        contacts: vec![],
    };
    let mut done = 0;
    let mut managers = Vec::with_capacity(teams);
    let rows: Vec<NewEmployee> = (0..teams).map(|t| person(t, format!("M{t:06}"), unit_of_team(t), None)).collect();
    for chunk in rows.chunks(ONBOARD_CHUNK) {
        managers.extend(onboard(people, actor, company, chunk).await?);
        done += chunk.len();
        progress(done);
    }
    let mut employees = Vec::with_capacity(spec.employees);
    let rows: Vec<NewEmployee> = (0..spec.employees)
        .map(|i| {
            let team = i.checked_div(spec.team_size).unwrap_or(i);
            let manager = managers.get(team).copied().filter(|_| spec.team_size > 0);
            person(teams + i, format!("E{i:06}"), unit_of_team(team), manager)
        })
        .collect();
    for chunk in rows.chunks(ONBOARD_CHUNK) {
        let ids = onboard(people, actor, company, chunk).await?;
        employees.extend(ids.into_iter().zip(chunk.iter().map(|r| r.employee_no.clone())));
        done += chunk.len();
        progress(done);
    }
    Ok(Org { company, units, managers, employees })
}

async fn onboard(
    people: &PeopleService,
    actor: &Actor,
    company: CompanyId,
    rows: &[NewEmployee],
) -> Result<Vec<EmployeeId>, BenchError> {
    match people.onboard_batch(actor, company, rows.to_vec()).await {
        Ok(ids) => Ok(ids),
        Err(BatchError::Rows(errs)) => {
            let first = errs
                .0
                .first()
                .map(|(i, f)| {
                    let msgs: Vec<String> =
                        f.0.iter().flat_map(|(k, ms)| ms.iter().map(move |m| format!("{k}: {}", m.en))).collect();
                    format!("row {i}: {}", msgs.join("; "))
                })
                .unwrap_or_default();
            Err(format!("onboard refused {} rows; first {first}", errs.0.len()).into())
        }
        Err(BatchError::Other(e)) => Err(e.into()),
    }
}

/// A scenario binary's results so far; each line is also echoed to stderr as it is measured.
#[derive(Default)]
pub struct Rows(pub Vec<Line>);

impl Rows {
    pub fn push(&mut self, line: Line) {
        let result = match &line.mark {
            Mark::NotRun(why) => format!("not run: {why}"),
            _ => line.result.clone(),
        };
        eprintln!("  {} [{}]: {result} — {}", line.scenario, line.engine, line.verdict());
        self.0.push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msd(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn table_marks_figures_apart_from_verdicts() {
        let lines = vec![
            Line::checked("4. submit", "SQLite", "flat", "p50 4 → 4 ms", true),
            Line::checked("4. approve", "SQLite", "flat", "a|b", false),
            Line::figure("5. import", "SQLite", "40,000 rows/s"),
            Line::not_run("5. (all)", "PostgreSQL", "no server"),
        ];
        let md = markdown("ctx", &lines);
        assert!(md.starts_with("ctx\n\n| scenario |"));
        assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 5);
        assert!(md.contains("| p50 4 → 4 ms | PASS |"));
        assert!(md.contains("a\\|b | **MISS** |"));
        assert!(md.contains("| 5. import | SQLite | — | 40,000 rows/s | — |"));
        assert!(md.contains("not run: no server | n/a |"));
    }

    #[test]
    fn id_numbers_are_valid_and_distinct() {
        let ids: Vec<String> = (0..5_000).map(id_number).collect();
        for id in &ids {
            assert_eq!(id.len(), 18);
            assert!(bole_people::standards::id_number::ResidentId::parse(id).is_ok(), "{id}");
        }
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
    }

    #[test]
    fn buckets_and_the_flat_verdict() {
        let samples: Vec<Duration> = (0..2_500u64).map(|i| msd(if i < 1_000 { 4 } else { 5 })).collect();
        let b = buckets(&samples, 1_000);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], Bucket { p50: msd(4), p95: msd(4) });
        assert_eq!(b[2].p50, msd(5));
        // 5 ≤ 1.5 × 4: flat.
        assert!(flat(&b));
        // 7 > 1.5 × 4: grows.
        let grown = [Bucket { p50: msd(4), p95: msd(5) }, Bucket { p50: msd(7), p95: msd(9) }];
        assert!(!flat(&grown));
        // Exactly 1.5×: still flat.
        assert!(flat(&[Bucket { p50: msd(4), p95: msd(4) }, Bucket { p50: msd(6), p95: msd(6) }]));
        assert!(!flat(&b[..1]));
        assert_eq!(bucket_line(&grown), "4.0/5.0, 7.0/9.0 ms");
    }

    #[test]
    fn leave_days_of_one_employee_never_collide() {
        let days: Vec<NaiveDate> =
            (0..240).map(|i| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + TimeDelta::days(i)).collect();
        for e in [0, 7, 239, 10_000] {
            let mine: Vec<NaiveDate> = (0..16).map(|r| leave_day(&days, e, r).unwrap()).collect();
            let mut u = mine.clone();
            u.sort();
            u.dedup();
            assert_eq!(u.len(), 16, "employee {e}");
        }
        assert_eq!(leave_day(&days, 0, 16), None);
        assert_eq!(leave_day(&[], 0, 0), None);
        // 10,000 first applications cover every day of the list.
        let used: std::collections::HashSet<NaiveDate> = (0..10_000).filter_map(|e| leave_day(&days, e, 0)).collect();
        assert_eq!(used.len(), days.len());
    }

    #[test]
    fn punch_csv_rows_and_shape() {
        let days = [NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()];
        let nos = vec!["E000000".to_string(), "E000001".to_string()];
        let (text, rows) = punch_csv(&nos, 0, &days);
        assert_eq!(text.lines().count() as u64, rows + 1);
        assert_eq!(text.lines().next(), Some("employee_no,time,device"));
        assert_eq!(text.lines().nth(1), Some("E000000,2026-03-02 08:40:00,大门"));
        // Four employee-days, none of them the 13th of 50: eight punches.
        assert_eq!(rows, 8);
        // Over 100 employee-days, two miss their clock-out (n = 13, 63).
        let many: Vec<String> = (0..50).map(|i| format!("E{i:06}")).collect();
        assert_eq!(punch_csv(&many, 0, &days).1, 198);
    }
}
