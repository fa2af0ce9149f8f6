//! Maternity leave (产假) length: the national days of 《女职工劳动保护特别规定》 (国务院令第619号
//! art.7) plus a provincial extension (生育假/奖励假) that is a parameter, because every province sets
//! its own and the figures we have are secondary sources. Also the end date of a leave counted in
//! calendar days, with or without statutory holidays (local rules differ).

use crate::calendar::{DayKind, WorkCalendar};
use crate::error::TimeError;
use bole_core::Msg;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 产假98天 (of which up to 15 before the birth).
pub const BASE_DAYS: u32 = 98;
pub const PRENATAL_DAYS: u32 = 15;
/// 难产的，增加产假15天.
pub const DIFFICULT_BIRTH_DAYS: u32 = 15;
/// 生育多胞胎的，每多生育1个婴儿，增加产假15天.
pub const PER_EXTRA_BABY_DAYS: u32 = 15;
/// 怀孕未满4个月流产的，享受15天产假.
pub const MISCARRIAGE_UNDER_FOUR_MONTHS_DAYS: u32 = 15;
/// 怀孕满4个月流产的，享受42天产假.
pub const MISCARRIAGE_FOUR_MONTHS_OR_MORE_DAYS: u32 = 42;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PregnancyOutcome {
    Birth { babies: u32, difficult: bool },
    Miscarriage { four_months_or_more: bool },
}

/// A province's (or city's) addition, with its source. The default adds nothing (national only).
/// Applied to births only: miscarriage leave stays national unless a caller's rule says otherwise.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProvincialMaternity {
    /// e.g. "北京市"; empty for national only.
    pub region: String,
    pub source: Option<String>,
    /// 生育假 / 奖励假 added to every birth (e.g. Beijing and Shanghai 60, Guangdong 80 — 🟡 in the
    /// domain reference, verify against the current provincial regulation).
    pub extension_days: u32,
    /// Extra days for a difficult birth on top of the national 15 (e.g. Guangdong's regulation).
    pub difficult_birth_extra_days: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MaternityLeave {
    pub national_base_days: u32,
    pub difficult_birth_days: u32,
    pub multiple_birth_days: u32,
    pub miscarriage_days: u32,
    pub provincial_days: u32,
    pub region: String,
    /// Calendar days in total.
    pub total_days: u32,
    /// How many of the days may be taken before the birth.
    pub prenatal_days_allowed: u32,
}

pub fn maternity_leave(outcome: PregnancyOutcome, province: &ProvincialMaternity) -> Result<MaternityLeave, TimeError> {
    let mut leave = MaternityLeave {
        national_base_days: 0,
        difficult_birth_days: 0,
        multiple_birth_days: 0,
        miscarriage_days: 0,
        provincial_days: 0,
        region: province.region.clone(),
        total_days: 0,
        prenatal_days_allowed: 0,
    };
    match outcome {
        PregnancyOutcome::Birth { babies, difficult } => {
            if babies == 0 {
                return Err(TimeError::field(
                    "babies",
                    Msg::new("婴儿数至少为 1。", "The number of babies must be at least 1."),
                ));
            }
            leave.national_base_days = BASE_DAYS;
            leave.prenatal_days_allowed = PRENATAL_DAYS;
            leave.multiple_birth_days = (babies - 1).saturating_mul(PER_EXTRA_BABY_DAYS);
            if difficult {
                leave.difficult_birth_days = DIFFICULT_BIRTH_DAYS;
            }
            leave.provincial_days =
                province.extension_days.saturating_add(if difficult { province.difficult_birth_extra_days } else { 0 });
        }
        PregnancyOutcome::Miscarriage { four_months_or_more } => {
            leave.miscarriage_days = if four_months_or_more {
                MISCARRIAGE_FOUR_MONTHS_OR_MORE_DAYS
            } else {
                MISCARRIAGE_UNDER_FOUR_MONTHS_DAYS
            };
        }
    }
    leave.total_days = [
        leave.national_base_days,
        leave.difficult_birth_days,
        leave.multiple_birth_days,
        leave.miscarriage_days,
        leave.provincial_days,
    ]
    .into_iter()
    .fold(0u32, u32::saturating_add);
    Ok(leave)
}

/// How a leave of N days is laid on the calendar.
#[derive(Clone, Copy, Debug)]
pub enum LeaveDayCounting<'a> {
    /// Every calendar day counts, holidays included (the national rule for maternity leave).
    CalendarDays,
    /// Statutory holidays do not count, so the leave is extended by them (some provinces).
    ExcludingStatutoryHolidays(&'a WorkCalendar),
}

/// The last day of a leave of `days` days starting on `start` (which counts as day 1).
pub fn leave_end_date(start: NaiveDate, days: u32, counting: LeaveDayCounting<'_>) -> Result<NaiveDate, TimeError> {
    if days == 0 {
        return Err(TimeError::field("days", Msg::new("假期天数至少为 1。", "A leave is at least 1 day.")));
    }
    let mut current = start;
    let mut counted = 0;
    loop {
        let counts = match counting {
            LeaveDayCounting::CalendarDays => true,
            LeaveDayCounting::ExcludingStatutoryHolidays(cal) => {
                cal.day_kind(current)? != DayKind::Holiday { statutory: true }
            }
        };
        if counts {
            counted += 1;
            if counted == days {
                return Ok(current);
            }
        }
        current = current.succ_opt().ok_or(TimeError::DateOutOfRange)?;
    }
}
