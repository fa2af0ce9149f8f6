//! Attendance derivation, table-style: one employee-day per row, from the schedule, calendar,
//! punches, leave and approved overtime to the verdict. Includes the domain reference's
//! holiday examples (2026-10-01 statutory → 300%, 2026-10-06 extra day off → 200%, a 调休
//! make-up Saturday is a working day).
#![expect(clippy::unwrap_used, reason = "tests")]

use bole_core::EmployeeId;
use bole_time::attendance::rules::{self, DayInput, DaySchedule, allocate_punches, comprehensive_excess, schedule_on};
use bole_time::attendance::*;
use bole_time::{DayKind, WorkCalendar};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::collections::HashMap;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}
fn t(s: &str) -> NaiveTime {
    s.parse().unwrap()
}
fn at(day: &str, time: &str) -> NaiveDateTime {
    d(day).and_time(t(time))
}

const TODAY: &str = "2026-11-21";

struct Case<'a> {
    name: &'a str,
    day: &'a str,
    shift: Shift,
    punches: Vec<&'a str>,
    leave: u32,
    approved: Vec<ApprovedOvertime>,
    policy: AttendancePolicy,
}

impl<'a> Case<'a> {
    fn new(name: &'a str, day: &'a str, punches: Vec<&'a str>) -> Self {
        Case {
            name,
            day,
            shift: Shift::standard(),
            punches,
            leave: 0,
            approved: vec![],
            policy: AttendancePolicy::default(),
        }
    }

    fn run(&self, catalogue: &HashMap<String, Shift>) -> AttendanceDay {
        let cal = WorkCalendar::national().unwrap();
        let date = d(self.day);
        let kind = cal.day_kind(date).unwrap();
        let schedule = schedule_on(&self.shift, date, kind, catalogue);
        let punches: Vec<NaiveDateTime> = self
            .punches
            .iter()
            .map(|p| {
                // "HH:MM" on the day, or "+HH:MM" on the next day.
                match p.strip_prefix('+') {
                    Some(rest) => (date + chrono::TimeDelta::days(1)).and_time(t(rest)),
                    None => date.and_time(t(p)),
                }
            })
            .collect();
        let absences = if self.leave > 0 {
            vec![AbsenceMinutes { leave_type: "annual".into(), minutes: self.leave, paid: true }]
        } else {
            vec![]
        };
        let comprehensive = match &self.shift.rule {
            ShiftRule::Comprehensive(c) => Some(c.period),
            _ => None,
        };
        let input = DayInput {
            employee_id: EmployeeId(uuid::Uuid::nil()),
            date,
            today: d(TODAY),
            employed: true,
            kind,
            schedule: schedule.as_ref(),
            shift_code: Some(&self.shift.code),
            comprehensive,
            comprehensive_standard_minutes: 0,
            punches: &punches,
            absences: &absences,
            overtime: &self.approved,
            computed_at: chrono::DateTime::default(),
        };
        rules::derive_day(&input, &self.policy)
    }
}

fn approved(minutes: u32) -> Vec<ApprovedOvertime> {
    vec![ApprovedOvertime { minutes, compensation: Compensation::Pay }]
}

fn no_approval() -> AttendancePolicy {
    AttendancePolicy { overtime_requires_approval: false, ..AttendancePolicy::default() }
}

/// (status, late, early, absent, leave, worked, overtime kind, overtime minutes)
type Expect = (DayStatus, u32, u32, u32, u32, u32, Option<&'static str>, u32);

fn check(case: &Case<'_>, catalogue: &HashMap<String, Shift>, expect: Expect) {
    let got = case.run(catalogue);
    let actual: Expect = (
        got.status,
        got.late_minutes,
        got.early_minutes,
        got.absent_minutes,
        got.leave_minutes,
        got.worked_minutes,
        got.overtime_kind.as_deref().map(|k| match k {
            "workday" => "workday",
            "restday" => "restday",
            _ => "holiday",
        }),
        got.overtime_minutes,
    );
    assert_eq!(actual, expect, "case {}: {got:#?}", case.name);
}

#[test]
fn standard_day_table() {
    use DayStatus::*;
    let cat = HashMap::new();
    // 2026-03-02 is a Monday; standard shift 09:00–18:00, lunch 12:00–13:00 = 480 minutes.
    let rows: Vec<(Case<'_>, Expect)> = vec![
        // Worked time starts at the shift's start (arriving early is not work) and runs to the clock-out.
        (Case::new("on time", "2026-03-02", vec!["08:55", "18:02"]), (Present, 0, 0, 0, 0, 482, None, 0)),
        (Case::new("late 15", "2026-03-02", vec!["09:15", "18:00"]), (Late, 15, 0, 0, 0, 465, None, 0)),
        (Case::new("early 30", "2026-03-02", vec!["09:00", "17:30"]), (EarlyLeave, 0, 30, 0, 0, 450, None, 0)),
        (Case::new("late and early", "2026-03-02", vec!["09:10", "17:50"]), (LateAndEarly, 10, 10, 0, 0, 460, None, 0)),
        // Lunch is not work: arriving at 13:00 misses 180 minutes, not 240.
        (Case::new("arrives after lunch", "2026-03-02", vec!["13:00", "18:00"]), (Late, 180, 0, 0, 0, 300, None, 0)),
        (Case::new("no punches", "2026-03-02", vec![]), (Absent, 0, 0, 480, 0, 0, None, 0)),
        (Case::new("only in", "2026-03-02", vec!["08:58"]), (MissingPunch, 0, 0, 0, 0, 0, None, 0)),
        (Case::new("only out", "2026-03-02", vec!["18:05"]), (MissingPunch, 0, 0, 0, 0, 0, None, 0)),
        // Extra punches in between change nothing: first in, last out.
        (
            Case::new("many punches", "2026-03-02", vec!["08:50", "12:01", "12:59", "18:00"]),
            (Present, 0, 0, 0, 0, 480, None, 0),
        ),
        (Case::new("weekend, not worked", "2026-03-07", vec![]), (RestDay, 0, 0, 0, 0, 0, None, 0)),
        (Case::new("future workday", "2026-12-01", vec![]), (Scheduled, 0, 0, 0, 0, 0, None, 0)),
    ];
    for (case, expect) in &rows {
        check(case, &cat, *expect);
    }
    // Which punch is missing is told apart by the middle of the shift.
    let only_in = Case::new("only in", "2026-03-02", vec!["08:58"]).run(&cat);
    assert!(only_in.missing_out && !only_in.missing_in);
    let only_out = Case::new("only out", "2026-03-02", vec!["18:05"]).run(&cat);
    assert!(only_out.missing_in && !only_out.missing_out);
}

#[test]
fn grace_periods_forgive_small_lateness() {
    let cat = HashMap::new();
    let mut graceful = Shift::standard();
    if let ShiftRule::Fixed(f) = &mut graceful.rule {
        f.late_grace_minutes = 5;
        f.early_grace_minutes = 5;
    }
    let mut c = Case::new("late 4 with grace 5", "2026-03-02", vec!["09:04", "17:57"]);
    c.shift = graceful.clone();
    check(&c, &cat, (DayStatus::Present, 0, 0, 0, 0, 473, None, 0));
    let mut c = Case::new("late 6 with grace 5", "2026-03-02", vec!["09:06", "18:00"]);
    c.shift = graceful;
    check(&c, &cat, (DayStatus::Late, 6, 0, 0, 0, 474, None, 0));
}

#[test]
fn leave_covers_scheduled_minutes() {
    use DayStatus::*;
    let cat = HashMap::new();
    let mut full = Case::new("full day leave", "2026-03-02", vec![]);
    full.leave = 480;
    check(&full, &cat, (Leave, 0, 0, 0, 480, 0, None, 0));
    // Half a day off in the morning + the afternoon worked = present.
    let mut morning = Case::new("half day + punched afternoon", "2026-03-02", vec!["13:00", "18:00"]);
    morning.leave = 240;
    check(&morning, &cat, (Present, 0, 0, 0, 240, 300, None, 0));
    let mut afternoon = Case::new("punched morning + half day", "2026-03-02", vec!["08:59", "12:00"]);
    afternoon.leave = 240;
    check(&afternoon, &cat, (Present, 0, 0, 0, 240, 180, None, 0));
    // Half a day off and nothing punched: the other half is absent.
    let mut half_absent = Case::new("half day, no punches", "2026-03-02", vec![]);
    half_absent.leave = 240;
    check(&half_absent, &cat, (Absent, 0, 0, 240, 240, 0, None, 0));
    // Approved future leave shows on the calendar.
    let mut future = Case::new("future leave", "2026-12-01", vec![]);
    future.leave = 480;
    check(&future, &cat, (Leave, 0, 0, 0, 480, 0, None, 0));
}

#[test]
fn workday_overtime_needs_approval_by_default() {
    use DayStatus::*;
    let cat = HashMap::new();
    // Left at 20:10: 130 minutes after the end → 120 in 30-minute units.
    let unapproved = Case::new("unapproved", "2026-03-02", vec!["09:00", "20:10"]);
    let day = unapproved.run(&cat);
    assert_eq!((day.punched_overtime_minutes, day.overtime_minutes), (120, 0));
    let mut approved_60 = Case::new("approved 60", "2026-03-02", vec!["09:00", "20:10"]);
    approved_60.approved = approved(60);
    check(&approved_60, &cat, (Present, 0, 0, 0, 0, 610, Some("workday"), 60));
    let mut approved_more = Case::new("approved more than punched", "2026-03-02", vec!["09:00", "20:10"]);
    approved_more.approved = approved(240);
    check(&approved_more, &cat, (Present, 0, 0, 0, 0, 610, Some("workday"), 120));
    let mut policy_off = Case::new("approval not required", "2026-03-02", vec!["09:00", "20:10"]);
    policy_off.policy = no_approval();
    check(&policy_off, &cat, (Present, 0, 0, 0, 0, 610, Some("workday"), 120));
    // Below the 30-minute threshold nothing counts.
    let mut short = Case::new("20 minutes over", "2026-03-02", vec!["09:00", "18:20"]);
    short.policy = no_approval();
    check(&short, &cat, (Present, 0, 0, 0, 0, 500, None, 0));
    // Time off first allocated after pay.
    let mut split = Case::new("pay + time off", "2026-03-02", vec!["09:00", "21:00"]);
    split.approved = vec![
        ApprovedOvertime { minutes: 60, compensation: Compensation::Pay },
        ApprovedOvertime { minutes: 120, compensation: Compensation::TimeOff },
    ];
    let day = split.run(&cat);
    assert_eq!((day.overtime_minutes, day.overtime_time_off_minutes), (180, 120));
}

#[test]
fn holiday_examples_from_the_domain_reference() {
    use DayStatus::*;
    let cat = HashMap::new();
    // 2026-10-01 is statutory (300%); 2026-10-06 is an extra day off of the 国庆 block (rest day, 200%).
    let mut statutory = Case::new("worked 10-01", "2026-10-01", vec!["09:00", "18:00"]);
    statutory.policy = no_approval();
    check(&statutory, &cat, (Holiday, 0, 0, 0, 0, 480, Some("holiday"), 480));
    let mut extra = Case::new("worked 10-06", "2026-10-06", vec!["09:00", "18:00"]);
    extra.policy = no_approval();
    check(&extra, &cat, (Holiday, 0, 0, 0, 0, 480, Some("restday"), 480));
    // Statutory-holiday work stays paid even when the approval asked for time off.
    let mut comp = Case::new("10-01 with time off approved", "2026-10-01", vec!["09:00", "18:00"]);
    comp.approved = vec![ApprovedOvertime { minutes: 480, compensation: Compensation::TimeOff }];
    let day = comp.run(&cat);
    assert_eq!((day.overtime_minutes, day.overtime_time_off_minutes), (480, 0));
    // 2026-10-10 (Saturday) is a 调休 make-up working day: ordinary work, absence if not worked.
    check(
        &Case::new("make-up Saturday worked", "2026-10-10", vec!["08:59", "18:00"]),
        &cat,
        (Present, 0, 0, 0, 0, 480, None, 0),
    );
    check(&Case::new("make-up Saturday missed", "2026-10-10", vec![]), &cat, (Absent, 0, 0, 480, 0, 0, None, 0));
    // An ordinary Saturday worked: rest-day overtime.
    let mut saturday = Case::new("Saturday worked", "2026-03-07", vec!["10:00", "15:00"]);
    saturday.policy = no_approval();
    check(&saturday, &cat, (RestDay, 0, 0, 0, 0, 240, Some("restday"), 240));
    // Not worked: a holiday day off with no absence.
    check(&Case::new("10-01 off", "2026-10-01", vec![]), &cat, (Holiday, 0, 0, 0, 0, 0, None, 0));
}

fn night_shift() -> Shift {
    Shift {
        id: uuid::Uuid::now_v7(),
        code: "NIGHT".into(),
        name: "夜班".into(),
        rule: ShiftRule::Fixed(FixedShift {
            start: t("22:00"),
            end: t("06:00"),
            breaks: vec![ShiftBreak { start: t("02:00"), end: t("02:30") }],
            late_grace_minutes: 0,
            early_grace_minutes: 0,
            cross_midnight: true,
        }),
        ..Shift::standard()
    }
}

#[test]
fn cross_midnight_shift_belongs_to_its_start_day() {
    let cat = HashMap::new();
    let mut c = Case::new("night 22:00–06:00", "2026-03-02", vec!["21:55", "+06:01"]);
    c.shift = night_shift();
    // 8 hours less the 02:00–02:30 break (on the next calendar day).
    check(&c, &cat, (DayStatus::Present, 0, 0, 0, 0, 451, None, 0));
    let mut late = Case::new("night, late", "2026-03-02", vec!["22:20", "+06:00"]);
    late.shift = night_shift();
    check(&late, &cat, (DayStatus::Late, 20, 0, 0, 0, 430, None, 0));
    // Allocation: the 06:01 punch belongs to the night before, the 08:55 one to the next day shift.
    let n = schedule_on(&night_shift(), d("2026-03-02"), DayKind::Workday, &cat).unwrap();
    let day = schedule_on(&Shift::standard(), d("2026-03-03"), DayKind::Workday, &cat).unwrap();
    let punches = vec![
        at("2026-03-02", "21:55"),
        at("2026-03-03", "06:01"),
        at("2026-03-03", "08:55"),
        at("2026-03-03", "18:00"),
    ];
    let days: Vec<(NaiveDate, Option<&DaySchedule>)> = vec![
        (d("2026-03-01"), None),
        (d("2026-03-02"), Some(&n)),
        (d("2026-03-03"), Some(&day)),
        (d("2026-03-04"), None),
    ];
    let split = allocate_punches(&days, &punches);
    assert_eq!(split[0], &punches[0..2]);
    assert_eq!(split[1], &punches[2..4]);
}

#[test]
fn flexible_hours() {
    use DayStatus::*;
    let flex = Shift {
        code: "FLEX".into(),
        rule: ShiftRule::Flexible(FlexibleShift {
            earliest_start: t("08:00"),
            latest_start: t("10:00"),
            required_minutes: 480,
            breaks: vec![ShiftBreak { start: t("12:00"), end: t("13:00") }],
            core_start: None,
            core_end: None,
            late_grace_minutes: 0,
        }),
        ..Shift::standard()
    };
    let cat = HashMap::new();
    let case = |name, punches| {
        let mut c = Case::new(name, "2026-03-02", punches);
        c.shift = flex.clone();
        c
    };
    check(&case("starts 08:00, leaves 17:00", vec!["08:00", "17:00"]), &cat, (Present, 0, 0, 0, 0, 480, None, 0));
    check(&case("starts 09:30, leaves 18:30", vec!["09:30", "18:30"]), &cat, (Present, 0, 0, 0, 0, 480, None, 0));
    check(&case("starts 10:20, leaves 19:20", vec!["10:20", "19:20"]), &cat, (Late, 20, 0, 0, 0, 480, None, 0));
    check(&case("starts 09:00, leaves 17:30", vec!["09:00", "17:30"]), &cat, (EarlyLeave, 0, 30, 0, 0, 450, None, 0));
    // Core hours 10:00–16:00: arriving at 10:30 is late even inside the flexible window.
    let mut core = flex.clone();
    if let ShiftRule::Flexible(f) = &mut core.rule {
        f.latest_start = t("11:00");
        f.core_start = Some(t("10:00"));
        f.core_end = Some(t("16:00"));
    }
    let mut c = Case::new("core hours", "2026-03-02", vec!["10:30", "19:30"]);
    c.shift = core;
    check(&c, &cat, (Late, 30, 0, 0, 0, 480, None, 0));
}

#[test]
fn rotating_cycle() {
    let day = Shift { id: uuid::Uuid::now_v7(), code: "D".into(), ..Shift::standard() };
    let night = night_shift();
    let cat: HashMap<String, Shift> = [(day.code.clone(), day), (night.code.clone(), night)].into_iter().collect();
    // Day, day, night, night, rest, rest — from Monday 2026-03-02.
    let rota = Shift {
        id: uuid::Uuid::now_v7(),
        code: "ROTA".into(),
        rule: ShiftRule::Rotating(RotatingShift {
            anchor: d("2026-03-02"),
            cycle: vec![Some("D".into()), Some("D".into()), Some("NIGHT".into()), Some("NIGHT".into()), None, None],
        }),
        ..Shift::standard()
    };
    let code = |date: &str| {
        let kind = WorkCalendar::national().unwrap().day_kind(d(date)).unwrap();
        schedule_on(&rota, d(date), kind, &cat).map(|s| s.code)
    };
    assert_eq!(code("2026-03-02").as_deref(), Some("D"));
    assert_eq!(code("2026-03-04").as_deref(), Some("NIGHT"));
    assert_eq!(code("2026-03-06"), None); // Friday: a rest day of the cycle
    assert_eq!(code("2026-03-08").as_deref(), Some("D")); // Sunday: a working day of the cycle
    assert_eq!(code("2026-02-24").as_deref(), Some("D")); // before the anchor, the cycle runs backwards
    assert_eq!(code("2026-02-28"), None);
    // A rotation's Sunday worked is ordinary work, not rest-day overtime.
    let mut sunday = Case::new("rota Sunday", "2026-03-08", vec!["09:00", "18:00"]);
    sunday.shift = rota.clone();
    sunday.policy = no_approval();
    check(&sunday, &cat, (DayStatus::Present, 0, 0, 0, 0, 480, None, 0));
    // Scheduled by the rotation on a statutory holiday: worked at 300% (anchored so 10-01 is a D day).
    let mut on_holiday = rota.clone();
    if let ShiftRule::Rotating(r) = &mut on_holiday.rule {
        r.anchor = d("2026-09-30");
    }
    let mut holiday = Case::new("rota, 2026-10-01 worked", "2026-10-01", vec!["08:58", "18:00"]);
    holiday.shift = on_holiday.clone();
    holiday.policy = no_approval();
    check(&holiday, &cat, (DayStatus::Present, 0, 0, 0, 0, 480, Some("holiday"), 480));
    // Scheduled on a statutory holiday and not worked: a paid holiday, not an absence.
    let mut off = Case::new("rota, 2026-10-01 not worked", "2026-10-01", vec![]);
    off.shift = on_holiday;
    check(&off, &cat, (DayStatus::Holiday, 0, 0, 0, 0, 0, None, 0));
}

#[test]
fn comprehensive_hours() {
    let day = Shift { id: uuid::Uuid::now_v7(), code: "D".into(), ..Shift::standard() };
    let cat: HashMap<String, Shift> = [(day.code.clone(), day)].into_iter().collect();
    let comp = Shift {
        id: uuid::Uuid::now_v7(),
        code: "COMP".into(),
        rule: ShiftRule::Comprehensive(ComprehensiveShift {
            period: ComprehensivePeriod::Month,
            standard_minutes: None,
            approval: Some("桂人社综〔2026〕1号".into()),
            pattern: "D".into(),
        }),
        ..Shift::standard()
    };
    // A long workday gives no daily overtime; it counts towards the period.
    let mut long = Case::new("long day under 综合工时", "2026-03-02", vec!["09:00", "21:00"]);
    long.shift = comp.clone();
    long.policy = no_approval();
    let got = long.run(&cat);
    assert_eq!(
        (got.worked_minutes, got.overtime_minutes, got.comprehensive_period),
        (660, 0, Some(ComprehensivePeriod::Month))
    );
    // Rest-day work is not 200% under 综合工时.
    let mut saturday = Case::new("Saturday under 综合工时", "2026-03-07", vec!["09:00", "18:00"]);
    saturday.shift = comp.clone();
    saturday.policy = no_approval();
    let got = saturday.run(&cat);
    assert_eq!((got.worked_minutes, got.overtime_minutes), (480, 0));
    // Statutory-holiday work is still 300%.
    let mut statutory = Case::new("10-01 under 综合工时", "2026-10-01", vec!["09:00", "18:00"]);
    statutory.shift = comp;
    statutory.policy = no_approval();
    let got = statutory.run(&cat);
    assert_eq!((got.overtime_kind.as_deref(), got.overtime_minutes), (Some("holiday"), 480));
    // Period excess: March 2026 has 22 working days → standard 10,560 minutes.
    let cal = WorkCalendar::national().unwrap();
    let shares = rules::standard_shares(&cal, ComprehensivePeriod::Month, None, d("2026-03-01")).unwrap();
    let standard: u64 = shares.values().map(|v| u64::from(*v)).sum();
    assert_eq!(standard, 22 * 480);
    assert_eq!(comprehensive_excess(11_000, standard, 0), 440);
    assert_eq!(comprehensive_excess(10_000, standard, 0), 0);
    // A day of leave lowers the standard the worked time is measured against.
    assert_eq!(comprehensive_excess(10_560, standard, 480), 480);
}

#[test]
fn not_employed_and_in_progress_days() {
    let cat = HashMap::new();
    let cal = WorkCalendar::national().unwrap();
    let date = d(TODAY) - chrono::TimeDelta::days(2); // Thursday 2026-11-19
    let kind = cal.day_kind(date).unwrap();
    let schedule = schedule_on(&Shift::standard(), date, kind, &cat);
    let input = DayInput {
        employee_id: EmployeeId(uuid::Uuid::nil()),
        date,
        today: d(TODAY),
        employed: false,
        kind,
        schedule: schedule.as_ref(),
        shift_code: Some("STD"),
        comprehensive: None,
        comprehensive_standard_minutes: 0,
        punches: &[],
        absences: &[],
        overtime: &[],
        computed_at: chrono::DateTime::default(),
    };
    let got = rules::derive_day(&input, &AttendancePolicy::default());
    assert_eq!((got.status, got.scheduled_minutes, got.shift_code), (DayStatus::NotEmployed, 0, None));
    // Today, clocked in only: late is known, the missing clock-out is not (yet) a missing punch.
    let today = d("2026-11-20"); // a Friday
    let schedule = schedule_on(&Shift::standard(), today, DayKind::Workday, &cat);
    let punches = [today.and_time(t("09:07"))];
    let input =
        DayInput { date: today, today, employed: true, schedule: schedule.as_ref(), punches: &punches, ..input };
    let got = rules::derive_day(&input, &AttendancePolicy::default());
    assert_eq!((got.status, got.late_minutes, got.missing_out), (DayStatus::Late, 7, false));
}
