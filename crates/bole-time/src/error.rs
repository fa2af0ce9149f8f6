//! Time-and-attendance failures, each an HR fact with a stable code and a bilingual message.

use bole_core::{ErrorKind, Failure, FieldErrors, Msg};
use chrono::NaiveDate;

// Clone because the built-in calendar is parsed once and its outcome (a possible data error
// included) is handed to every caller.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// No national holiday notice is loaded for the year. We refuse rather than guess: the
    /// arrangement (调休) is only known once the State Council publishes it each November.
    #[error("no holiday calendar for {year} (loaded: {covered:?})")]
    YearNotCovered { year: i32, covered: Vec<i32> },
    /// Holiday or layer data contradicts itself (a typo in a date, a statutory day outside the block…).
    #[error("calendar data invalid: {problem}")]
    CalendarData { problem: String },
    /// Date arithmetic left chrono's supported range.
    #[error("date out of range")]
    DateOutOfRange,
    /// The employment does not touch the leave year (hired after it, or left before it).
    #[error("not employed in {year}")]
    NotEmployedInYear { year: i32 },
    #[error("exit date {exit} is before hire date {hire}")]
    ExitBeforeHire { hire: NaiveDate, exit: NaiveDate },
}

impl TimeError {
    /// One field problem, the common case for the calculators' argument checks.
    pub(crate) fn field(field: &str, msg: Msg) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, msg);
        TimeError::Invalid(errors)
    }
}

impl Failure for TimeError {
    fn code(&self) -> &'static str {
        match self {
            TimeError::Invalid(_) => "validation_failed",
            TimeError::YearNotCovered { .. } => "calendar_year_not_covered",
            TimeError::CalendarData { .. } => "calendar_data_invalid",
            TimeError::DateOutOfRange => "date_out_of_range",
            TimeError::NotEmployedInYear { .. } => "not_employed_in_year",
            TimeError::ExitBeforeHire { .. } => "exit_before_hire",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            TimeError::YearNotCovered { .. } => ErrorKind::NotFound,
            TimeError::Invalid(_)
            | TimeError::CalendarData { .. }
            | TimeError::DateOutOfRange
            | TimeError::NotEmployedInYear { .. }
            | TimeError::ExitBeforeHire { .. } => ErrorKind::Invalid,
        }
    }

    fn message(&self) -> Msg {
        match self {
            TimeError::Invalid(_) => {
                Msg::new("输入有误，请按字段提示修改。", "Some fields are invalid; see the field messages.")
            }
            TimeError::YearNotCovered { year, covered } => {
                let list = covered.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
                Msg::new(
                    format!("尚未载入{year}年的节假日安排（国务院办公厅通知），已有年份：{list}。请在通知发布后补充。"),
                    format!(
                        "No holiday arrangement is loaded for {year} (State Council notice); loaded years: {list}. \
                         Add it once the notice is published."
                    ),
                )
            }
            TimeError::CalendarData { problem } => {
                Msg::new(format!("节假日数据有误：{problem}"), format!("Holiday calendar data is invalid: {problem}"))
            }
            TimeError::DateOutOfRange => Msg::new("日期超出可计算范围。", "The date is out of the supported range."),
            TimeError::NotEmployedInYear { year } => Msg::new(
                format!("该员工{year}年度不在职，无年休假可计算。"),
                format!("The employee was not employed in {year}; there is no annual leave to compute."),
            ),
            TimeError::ExitBeforeHire { hire, exit } => Msg::new(
                format!("离职日期 {exit} 早于入职日期 {hire}。"),
                format!("The exit date {exit} is before the hire date {hire}."),
            ),
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            TimeError::Invalid(f) => Some(f),
            _ => None,
        }
    }
}
