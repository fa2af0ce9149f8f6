//! Attendance rules as pure functions: which shift applies on a day, which punches belong to
//! which day, and the verdict on one employee-day (status, late/early, absence, leave, overtime by
//! premium class). No IO and no clock: the store gathers the inputs and "today" is a parameter.
//!
//! Overtime classes (《劳动法》 art.44, domain reference §3.1): extension on a working day 150%
//! (a 调休 make-up day is a working day); work on a rest day 200% — including the non-statutory
//! days of a holiday block (moved weekends, 人社厅函〔2020〕135号); work on one of the 13
//! statutory days 300%. Under 综合工时 the daily rules give no overtime except statutory-holiday
//! work; the period's excess is computed by [`comprehensive_excess`].

use super::model::*;
use crate::calendar::{DayKind, WorkCalendar};
use crate::error::TimeError;
use crate::overtime::OvertimeKind;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use std::collections::HashMap;

/// Resolving a rotation or 综合工时 pattern through other shifts stops here (a cycle in the data).
const MAX_NESTING: usize = 4;

/// One day's concrete schedule, in local (UTC+8) date-times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DaySchedule {
    /// The code of the fixed or flexible shift worked that day.
    pub code: String,
    /// Fixed: the start. Flexible: the earliest start.
    pub start: NaiveDateTime,
    /// Fixed: the end. Flexible: the latest possible end (latest start + required + breaks).
    pub end: NaiveDateTime,
    pub breaks: Vec<(NaiveDateTime, NaiveDateTime)>,
    pub late_grace: i64,
    pub early_grace: i64,
    pub flex: Option<FlexDay>,
    /// Set when the day belongs to a 综合工时 regime.
    pub comprehensive: Option<ComprehensivePeriod>,
    /// A rotation scheduled this day regardless of the weekly calendar.
    pub rotating: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlexDay {
    pub latest_start: NaiveDateTime,
    pub required: i64,
    pub core: Option<(NaiveDateTime, NaiveDateTime)>,
}

impl DaySchedule {
    /// Scheduled work minutes (breaks excluded).
    pub fn scheduled_minutes(&self) -> i64 {
        match &self.flex {
            Some(f) => f.required,
            None => self.work_between(self.start, self.end),
        }
    }

    /// Work minutes before and after the first break (the two halves a half-day leave covers);
    /// an even split when there is no break or the shift is flexible.
    pub fn halves(&self) -> (i64, i64) {
        match (&self.flex, self.breaks.first()) {
            (None, Some((bs, be))) => (self.work_between(self.start, *bs), self.work_between(*be, self.end)),
            _ => {
                let m = self.scheduled_minutes();
                (m / 2, m - m / 2)
            }
        }
    }

    /// Minutes of `[a, b)` outside breaks.
    pub fn work_between(&self, a: NaiveDateTime, b: NaiveDateTime) -> i64 {
        if b <= a {
            return 0;
        }
        let span = (b - a).num_minutes();
        let on_break: i64 = self.breaks.iter().map(|(s, e)| overlap(a, b, *s, *e)).sum();
        (span - on_break).max(0)
    }
}

fn overlap(a: NaiveDateTime, b: NaiveDateTime, c: NaiveDateTime, d: NaiveDateTime) -> i64 {
    let s = a.max(c);
    let e = b.min(d);
    if e > s { (e - s).num_minutes() } else { 0 }
}

/// A clock time on `date`, or on the next day when it is not after `anchor` (cross-midnight).
fn at(date: NaiveDate, t: NaiveTime) -> NaiveDateTime {
    date.and_time(t)
}

fn after(date: NaiveDate, anchor: NaiveTime, t: NaiveTime) -> NaiveDateTime {
    if t < anchor { at(date + TimeDelta::days(1), t) } else { at(date, t) }
}

fn breaks_on(date: NaiveDate, start: NaiveTime, breaks: &[ShiftBreak]) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    breaks
        .iter()
        .map(|b| {
            let s = after(date, start, b.start);
            let mut e = after(date, start, b.end);
            if e <= s {
                e += TimeDelta::days(1);
            }
            (s, e)
        })
        .collect()
}

/// Checks a shift rule on its own and against the catalogue (codes it refers to). Returns the
/// problems as (field, zh, en).
pub fn validate_rule(rule: &ShiftRule, catalogue: &HashMap<String, Shift>) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut bad = |f: &str, zh: &str, en: &str| out.push((f.to_string(), zh.to_string(), en.to_string()));
    match rule {
        ShiftRule::Fixed(f) => {
            if f.end <= f.start && !f.cross_midnight {
                bad(
                    "rule.end",
                    "下班时间早于上班时间：跨午夜的班次请设置 cross_midnight",
                    "the end is before the start: set cross_midnight for a night shift",
                );
            }
            if f.end == f.start {
                bad("rule.end", "上下班时间不能相同", "the start and end must differ");
            }
            if f.late_grace_minutes > 240 || f.early_grace_minutes > 240 {
                bad("rule.late_grace_minutes", "宽限时间不能超过240分钟", "grace periods cannot exceed 240 minutes");
            }
        }
        ShiftRule::Flexible(f) => {
            if f.latest_start < f.earliest_start {
                bad(
                    "rule.latest_start",
                    "最晚上班时间早于最早上班时间",
                    "the latest start is before the earliest start",
                );
            }
            if f.required_minutes == 0 || f.required_minutes > 16 * 60 {
                bad("rule.required_minutes", "应工作时长须在1至960分钟之间", "required minutes must be 1 to 960");
            }
            if let (Some(s), Some(e)) = (f.core_start, f.core_end)
                && e <= s
            {
                bad("rule.core_end", "核心时段结束须晚于开始", "the core hours must end after they start");
            }
            if f.core_start.is_some() != f.core_end.is_some() {
                bad("rule.core_start", "核心时段须同时填写开始和结束", "give both ends of the core hours");
            }
        }
        ShiftRule::Rotating(r) => {
            if r.cycle.is_empty() || r.cycle.len() > 366 {
                bad("rule.cycle", "轮班周期须有1至366天", "a rotation cycle has 1 to 366 days");
            }
            for code in r.cycle.iter().flatten() {
                match catalogue.get(code).map(|s| &s.rule) {
                    Some(ShiftRule::Fixed(_) | ShiftRule::Flexible(_)) => {}
                    Some(_) => bad(
                        "rule.cycle",
                        &format!("轮班周期中的班次 {code} 须为固定或弹性班次"),
                        &format!("shift {code} in the cycle must be a fixed or flexible shift"),
                    ),
                    None => bad("rule.cycle", &format!("班次 {code} 不存在"), &format!("shift {code} does not exist")),
                }
            }
        }
        ShiftRule::Comprehensive(c) => {
            match catalogue.get(&c.pattern).map(|s| &s.rule) {
                Some(ShiftRule::Fixed(_) | ShiftRule::Flexible(_) | ShiftRule::Rotating(_)) => {}
                Some(ShiftRule::Comprehensive(_)) => bad(
                    "rule.pattern",
                    "综合工时的排班模式不能是另一个综合工时班次",
                    "the pattern of comprehensive hours cannot itself be comprehensive",
                ),
                None => bad(
                    "rule.pattern",
                    &format!("班次 {} 不存在", c.pattern),
                    &format!("shift {} does not exist", c.pattern),
                ),
            }
            if c.standard_minutes == Some(0) {
                bad("rule.standard_minutes", "标准工时须大于0", "standard minutes must be positive");
            }
        }
    }
    out
}

/// The schedule of `shift` on `date` of kind `kind`, or None for a day without work.
///
/// Fixed and flexible shifts follow the working calendar (Monday–Friday, 调休 make-up days
/// included, holidays excluded). Rotations follow their cycle; on a statutory holiday a rotation
/// still schedules (round-the-clock operations), and the derivation pays the work at 300%.
pub fn schedule_on(
    shift: &Shift,
    date: NaiveDate,
    kind: DayKind,
    catalogue: &HashMap<String, Shift>,
) -> Option<DaySchedule> {
    schedule_nested(shift, date, kind, catalogue, 0)
}

fn schedule_nested(
    shift: &Shift,
    date: NaiveDate,
    kind: DayKind,
    catalogue: &HashMap<String, Shift>,
    depth: usize,
) -> Option<DaySchedule> {
    if depth > MAX_NESTING {
        return None;
    }
    match &shift.rule {
        ShiftRule::Fixed(_) | ShiftRule::Flexible(_) => {
            if kind.is_working() {
                Some(concrete(shift, date)?)
            } else {
                None
            }
        }
        ShiftRule::Rotating(r) => {
            let len = i64::try_from(r.cycle.len()).ok().filter(|l| *l > 0)?;
            let idx = usize::try_from((date - r.anchor).num_days().rem_euclid(len)).ok()?;
            let code = r.cycle.get(idx)?.as_ref()?;
            let inner = catalogue.get(code)?;
            let mut s = concrete(inner, date)?;
            s.rotating = true;
            Some(s)
        }
        ShiftRule::Comprehensive(c) => {
            let inner = catalogue.get(&c.pattern)?;
            let mut s = schedule_nested(inner, date, kind, catalogue, depth + 1)?;
            s.comprehensive = Some(c.period);
            Some(s)
        }
    }
}

/// A fixed or flexible shift laid on a date.
fn concrete(shift: &Shift, date: NaiveDate) -> Option<DaySchedule> {
    match &shift.rule {
        ShiftRule::Fixed(f) => {
            let start = at(date, f.start);
            let end = if f.end <= f.start { at(date + TimeDelta::days(1), f.end) } else { at(date, f.end) };
            Some(DaySchedule {
                code: shift.code.clone(),
                start,
                end,
                breaks: breaks_on(date, f.start, &f.breaks),
                late_grace: i64::from(f.late_grace_minutes),
                early_grace: i64::from(f.early_grace_minutes),
                flex: None,
                comprehensive: None,
                rotating: false,
            })
        }
        ShiftRule::Flexible(f) => {
            let start = at(date, f.earliest_start);
            let latest_start = at(date, f.latest_start);
            let breaks = breaks_on(date, f.earliest_start, &f.breaks);
            let break_minutes: i64 = breaks.iter().map(|(s, e)| (*e - *s).num_minutes()).sum();
            let end = latest_start + TimeDelta::minutes(i64::from(f.required_minutes) + break_minutes);
            let core = match (f.core_start, f.core_end) {
                (Some(s), Some(e)) => Some((at(date, s), at(date, e))),
                _ => None,
            };
            Some(DaySchedule {
                code: shift.code.clone(),
                start,
                end,
                breaks,
                late_grace: i64::from(f.late_grace_minutes),
                early_grace: 0,
                flex: Some(FlexDay { latest_start, required: i64::from(f.required_minutes), core }),
                comprehensive: None,
                rotating: false,
            })
        }
        ShiftRule::Rotating(_) | ShiftRule::Comprehensive(_) => None,
    }
}

/// The instant that separates day `d`'s punches from day `d + 1`'s, given both days' schedules.
///
/// Between two shifts: halfway from the first's end to the second's start (a night shift's 06:05
/// clock-out belongs to the night before, a 08:50 clock-in to the day shift). After a shift and
/// before a day without one: midnight, or 4 hours after a shift ending late. Before a shift
/// starting in the small hours: 4 hours before it.
pub fn day_boundary(d: NaiveDate, today: Option<&DaySchedule>, tomorrow: Option<&DaySchedule>) -> NaiveDateTime {
    let midnight = (d + TimeDelta::days(1)).and_time(NaiveTime::MIN);
    let margin = TimeDelta::hours(4);
    match (today, tomorrow) {
        (Some(a), Some(b)) => {
            if b.start > a.end {
                a.end + (b.start - a.end) / 2
            } else {
                b.start
            }
        }
        (Some(a), None) => midnight.max(a.end + margin),
        (None, Some(b)) => midnight.min(b.start - margin),
        (None, None) => midnight,
    }
}

/// Everything known about one employee-day.
#[derive(Clone, Debug)]
pub struct DayInput<'a> {
    pub employee_id: bole_core::EmployeeId,
    pub date: NaiveDate,
    pub today: NaiveDate,
    pub employed: bool,
    pub kind: DayKind,
    pub schedule: Option<&'a DaySchedule>,
    /// The code of the shift in force (shown on rest days too), if any.
    pub shift_code: Option<&'a str>,
    /// Set on days under 综合工时, scheduled or not.
    pub comprehensive: Option<ComprehensivePeriod>,
    pub comprehensive_standard_minutes: u32,
    /// Local punch times belonging to the day, sorted.
    pub punches: &'a [NaiveDateTime],
    pub absences: &'a [AbsenceMinutes],
    pub overtime: &'a [ApprovedOvertime],
    pub computed_at: DateTime<Utc>,
}

fn clamp_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

/// Punched overtime after the threshold, in whole units (rounded down).
fn punched_overtime(excess: i64, policy: &AttendancePolicy) -> i64 {
    let threshold = i64::from(policy.overtime_threshold_minutes);
    if excess <= 0 || excess < threshold {
        return 0;
    }
    let unit = i64::from(policy.overtime_unit_minutes.max(1));
    excess / unit * unit
}

/// (counted, time off) from punched overtime and the day's approved overtime. Pay is allocated
/// first, then time off; statutory-holiday work is always paid (comp time does not replace it).
fn approve_overtime(
    punched: i64,
    kind: OvertimeKind,
    approved: &[ApprovedOvertime],
    policy: &AttendancePolicy,
) -> (i64, i64) {
    let pay: i64 = approved.iter().filter(|a| a.compensation == Compensation::Pay).map(|a| i64::from(a.minutes)).sum();
    let time_off: i64 =
        approved.iter().filter(|a| a.compensation == Compensation::TimeOff).map(|a| i64::from(a.minutes)).sum();
    let counted = if policy.overtime_requires_approval { punched.min(pay + time_off) } else { punched };
    if kind == OvertimeKind::StatutoryHoliday {
        return (counted, 0);
    }
    let paid = counted.min(pay);
    let rest = counted - paid;
    (counted, rest.min(time_off))
}

/// Whole-day lunch break assumed on a day worked without a schedule (rest days, holidays).
fn unscheduled_break(date: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let t = |h| date.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default());
    (t(12), t(13))
}

/// Derives one employee-day. Table-tested in this module and in `tests/attendance_rules.rs`.
pub fn derive_day(input: &DayInput<'_>, policy: &AttendancePolicy) -> AttendanceDay {
    let mut day = AttendanceDay {
        employee_id: input.employee_id,
        day: input.date,
        shift_code: input.schedule.map(|s| s.code.clone()).or(input.shift_code.map(str::to_string)),
        status: DayStatus::Scheduled,
        day_kind: day_kind_str(input.kind).to_string(),
        scheduled_minutes: 0,
        worked_minutes: 0,
        late_minutes: 0,
        early_minutes: 0,
        absent_minutes: 0,
        leave_minutes: 0,
        leave_types: None,
        first_in: None,
        last_out: None,
        missing_in: false,
        missing_out: false,
        overtime_kind: None,
        punched_overtime_minutes: 0,
        overtime_minutes: 0,
        overtime_time_off_minutes: 0,
        comprehensive_period: input.comprehensive,
        comprehensive_standard_minutes: 0,
        as_of: input.today,
        computed_at: input.computed_at,
    };
    if !input.employed {
        day.status = DayStatus::NotEmployed;
        day.shift_code = None;
        day.comprehensive_period = None;
        return day;
    }
    day.comprehensive_standard_minutes = input.comprehensive_standard_minutes;
    let statutory = input.kind == DayKind::Holiday { statutory: true };
    let mut types: Vec<&str> = input.absences.iter().filter(|a| a.minutes > 0).map(|a| a.leave_type.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    if !types.is_empty() {
        day.leave_types = Some(types.join(","));
    }
    let leave_total: i64 = input.absences.iter().map(|a| i64::from(a.minutes)).sum();
    let future = input.date > input.today;
    let in_progress = input.date == input.today;
    if let (Some(f), Some(l)) = (input.punches.first(), input.punches.last()) {
        day.first_in = Some(from_local(*f));
        if input.punches.len() > 1 {
            day.last_out = Some(from_local(*l));
        }
    }

    // A day without scheduled work: rest day or holiday; work on it is overtime of its class.
    let Some(s) = input.schedule else {
        day.status = match input.kind {
            DayKind::Holiday { .. } => DayStatus::Holiday,
            _ => DayStatus::RestDay,
        };
        if input.punches.len() >= 2 && !future {
            let (a, b) = (input.punches[0], input.punches[input.punches.len() - 1]);
            let (bs, be) = unscheduled_break(input.date);
            let worked = ((b - a).num_minutes() - overlap(a, b, bs, be)).max(0);
            day.worked_minutes = clamp_u32(worked);
            let kind = OvertimeKind::for_day(input.kind);
            if input.comprehensive.is_some() && kind != OvertimeKind::StatutoryHoliday {
                // 综合工时: rest-day work counts towards the period, not as 200%.
                return day;
            }
            let unit = i64::from(policy.overtime_unit_minutes.max(1));
            let punched = worked / unit * unit;
            let (counted, off) = approve_overtime(punched, kind, input.overtime, policy);
            day.overtime_kind = Some(overtime_kind_str(kind).to_string());
            day.punched_overtime_minutes = clamp_u32(punched);
            day.overtime_minutes = clamp_u32(counted);
            day.overtime_time_off_minutes = clamp_u32(off);
        }
        return day;
    };

    let scheduled = s.scheduled_minutes();
    day.scheduled_minutes = clamp_u32(scheduled);
    let leave = leave_total.min(scheduled);
    day.leave_minutes = clamp_u32(leave);
    if future || (in_progress && input.punches.is_empty()) {
        day.status = if leave >= scheduled { DayStatus::Leave } else { DayStatus::Scheduled };
        return day;
    }
    if input.punches.is_empty() {
        if leave >= scheduled {
            day.status = DayStatus::Leave;
        } else if statutory {
            // A rotation scheduled on a statutory holiday and not worked: the holiday is paid.
            day.status = DayStatus::Holiday;
        } else {
            day.status = DayStatus::Absent;
            day.absent_minutes = clamp_u32(scheduled - leave);
        }
        return day;
    }

    let first = input.punches[0];
    let last = input.punches[input.punches.len() - 1];
    let single = input.punches.len() == 1;
    // With a single punch, decide which one it is by the middle of the shift.
    let midpoint = s.start + (s.end - s.start) / 2;
    let (clock_in, clock_out) = if single {
        if in_progress || first < midpoint { (Some(first), None) } else { (None, Some(first)) }
    } else {
        (Some(first), Some(last))
    };
    if single && !in_progress {
        day.missing_out = clock_out.is_none();
        day.missing_in = clock_in.is_none();
        if clock_in.is_none() {
            day.first_in = None;
            day.last_out = Some(from_local(first));
        }
    }

    // Work missed at the start and at the end, breaks excluded.
    let (late_raw, early_raw, expected_end) = match &s.flex {
        None => {
            let late = clock_in.map_or(0, |i| s.work_between(s.start, i.min(s.end)));
            let early = clock_out.map_or(0, |o| s.work_between(o.max(s.start), s.end));
            (late, early, s.end)
        }
        Some(f) => {
            let latest = f.core.map_or(f.latest_start, |(cs, _)| cs.min(f.latest_start));
            let late = clock_in.map_or(0, |i| s.work_between(latest, i.min(s.end)));
            let begin = clock_in.map_or(f.latest_start, |i| i.max(s.start));
            let breaks_after: i64 =
                s.breaks.iter().filter(|(bs, _)| *bs >= begin).map(|(bs, be)| (*be - *bs).num_minutes()).sum();
            let mut expected_end = begin + TimeDelta::minutes(f.required + breaks_after);
            if let Some((_, ce)) = f.core {
                expected_end = expected_end.max(ce);
            }
            let early = clock_out.map_or(0, |o| s.work_between(o.max(begin), expected_end));
            (late, early, expected_end)
        }
    };
    // Approved leave covers the missed time, the larger gap first. A half-day leave (at least half
    // the scheduled minutes) covers a whole half of the shift — the morning before the break or
    // the afternoon after it — even when the halves are unequal (09:00–12:00 vs 13:00–18:00).
    let (mut late, mut early) = (late_raw, early_raw);
    let half_day = leave > 0 && 2 * leave >= scheduled;
    let (morning, afternoon) = s.halves();
    let cap_late = if half_day { leave.max(morning) } else { leave };
    let cap_early = if half_day { leave.max(afternoon) } else { leave };
    if late >= early {
        let c = cap_late.min(late);
        late -= c;
        let rest = (leave - c).max(0);
        early -= rest.min(early);
    } else {
        let c = cap_early.min(early);
        early -= c;
        let rest = (leave - c).max(0);
        late -= rest.min(late);
    }
    if late <= s.late_grace {
        late = 0;
    }
    if early <= s.early_grace || in_progress {
        early = 0;
    }
    day.late_minutes = clamp_u32(late);
    day.early_minutes = clamp_u32(early);

    if let (Some(i), Some(o)) = (clock_in, clock_out) {
        // Arriving before the start is not work; staying after the end is (it may be overtime).
        let worked = s.work_between(i.max(s.start), o);
        day.worked_minutes = clamp_u32(worked);
        let kind = if statutory { OvertimeKind::StatutoryHoliday } else { OvertimeKind::Workday };
        let punched = if statutory {
            let unit = i64::from(policy.overtime_unit_minutes.max(1));
            worked / unit * unit
        } else if input.comprehensive.is_some() {
            0
        } else {
            punched_overtime((o - expected_end).num_minutes(), policy)
        };
        if punched > 0 || statutory {
            let (counted, off) = approve_overtime(punched, kind, input.overtime, policy);
            day.overtime_kind = Some(overtime_kind_str(kind).to_string());
            day.punched_overtime_minutes = clamp_u32(punched);
            day.overtime_minutes = clamp_u32(counted);
            day.overtime_time_off_minutes = clamp_u32(off);
        }
    }

    day.status = if day.missing_in || day.missing_out {
        DayStatus::MissingPunch
    } else {
        match (late > 0, early > 0) {
            (true, true) => DayStatus::LateAndEarly,
            (true, false) => DayStatus::Late,
            (false, true) => DayStatus::EarlyLeave,
            (false, false) => DayStatus::Present,
        }
    };
    day
}

/// Splits sorted local punch times among consecutive days.
///
/// `days` are consecutive dates with their schedules, one extra day on each side (which only
/// provide boundaries). Returns, for each inner day, the punches in its window.
pub fn allocate_punches<'p>(
    days: &[(NaiveDate, Option<&DaySchedule>)],
    punches: &'p [NaiveDateTime],
) -> Vec<&'p [NaiveDateTime]> {
    let mut out = Vec::new();
    if days.len() < 3 {
        return out;
    }
    for w in days.windows(3) {
        let (prev, cur, next) = (&w[0], &w[1], &w[2]);
        let lo = day_boundary(prev.0, prev.1, cur.1);
        let hi = day_boundary(cur.0, cur.1, next.1);
        let a = punches.partition_point(|p| *p < lo);
        let b = punches.partition_point(|p| *p < hi);
        out.push(if a < b { &punches[a..b] } else { &punches[0..0] });
    }
    out
}

/// First and last day of the 综合工时 period containing `date`.
pub fn period_bounds(period: ComprehensivePeriod, date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let y = date.year();
    let (first_month, months) = match period {
        ComprehensivePeriod::Month => (date.month(), 1),
        ComprehensivePeriod::Quarter => ((date.month() - 1) / 3 * 3 + 1, 3),
        ComprehensivePeriod::Year => (1, 12),
    };
    let first = NaiveDate::from_ymd_opt(y, first_month, 1).unwrap_or(date);
    let last_month = Month { year: y, month: first_month + months - 1 };
    (first, last_month.last())
}

/// Each working day's share of a 综合工时 period's standard, keyed by date. Default standard: 480
/// minutes per working day of the calendar. A configured standard is spread over the period's
/// working days so the shares sum to it exactly.
pub fn standard_shares(
    calendar: &WorkCalendar,
    period: ComprehensivePeriod,
    standard_minutes: Option<u32>,
    date_in_period: NaiveDate,
) -> Result<HashMap<NaiveDate, u32>, TimeError> {
    let (first, last) = period_bounds(period, date_in_period);
    let mut working = Vec::new();
    for d in first.iter_days().take_while(|d| *d <= last) {
        if calendar.is_working_day(d)? {
            working.push(d);
        }
    }
    let n = u64::try_from(working.len()).unwrap_or(0);
    let mut out = HashMap::new();
    for (k, d) in working.iter().enumerate() {
        let share = match standard_minutes {
            None => 480,
            Some(total) if n > 0 => {
                let k = k as u64;
                let total = u64::from(total);
                u32::try_from(total * (k + 1) / n - total * k / n).unwrap_or(0)
            }
            Some(_) => 0,
        };
        out.insert(*d, share);
    }
    Ok(out)
}

/// 综合工时 overtime for a period: worked minutes beyond the standard (less the standard covered
/// by approved leave). Statutory-holiday work is excluded — it is paid at 300% on its own.
pub fn comprehensive_excess(worked_non_statutory: u64, standard: u64, leave: u64) -> u64 {
    worked_non_statutory.saturating_sub(standard.saturating_sub(leave))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveTime {
        s.parse().unwrap()
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn boundaries_between_night_and_day_shifts() {
        let night = Shift {
            rule: ShiftRule::Fixed(FixedShift {
                start: t("22:00"),
                end: t("06:00"),
                breaks: vec![],
                late_grace_minutes: 0,
                early_grace_minutes: 0,
                cross_midnight: true,
            }),
            code: "N".into(),
            ..Shift::standard()
        };
        let cat = HashMap::new();
        let n = schedule_on(&night, d("2026-03-02"), DayKind::Workday, &cat).unwrap();
        assert_eq!(n.end, d("2026-03-03").and_time(t("06:00")));
        let day = schedule_on(&Shift::standard(), d("2026-03-03"), DayKind::Workday, &cat).unwrap();
        assert_eq!(day_boundary(d("2026-03-02"), Some(&n), Some(&day)), d("2026-03-03").and_time(t("07:30")));
        assert_eq!(day_boundary(d("2026-03-02"), Some(&n), None), d("2026-03-03").and_time(t("10:00")));
        assert_eq!(day_boundary(d("2026-03-02"), None, None), d("2026-03-03").and_time(NaiveTime::MIN));
    }

    #[test]
    fn shares_sum_to_the_configured_standard() {
        let cal = WorkCalendar::national().unwrap();
        let shares = standard_shares(&cal, ComprehensivePeriod::Month, Some(10_000), d("2026-03-10")).unwrap();
        assert_eq!(shares.values().map(|v| u64::from(*v)).sum::<u64>(), 10_000);
        assert_eq!(shares.len(), 22);
        let default = standard_shares(&cal, ComprehensivePeriod::Quarter, None, d("2026-02-10")).unwrap();
        assert!(default.values().all(|v| *v == 480));
        assert_eq!(period_bounds(ComprehensivePeriod::Quarter, d("2026-02-10")), (d("2026-01-01"), d("2026-03-31")));
    }
}
