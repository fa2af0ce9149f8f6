//! Time and attendance rules, as pure functions over dates and money: the national holiday calendar
//! (State Council notices, shipped as data) with company and regional layers on top, statutory annual
//! leave and maternity leave entitlements, and overtime / daily-wage conversion. No IO and no clock:
//! callers pass the dates, so every answer can be recomputed for any past "as of".
//!
//! Rules come from the domain reference (china-hr-rules.md §3); every figure that is a policy choice
//! rather than law is a parameter with the reference's reading as its default.

pub mod absence;
pub mod attendance;
pub mod calendar;
pub mod error;
pub mod leave;
pub mod overtime;

pub use calendar::{
    CalendarLayer, DayKind, DayOverride, NationalCalendar, NationalYear, OverrideKind, WorkCalendar, YearSummary,
};
pub use error::TimeError;
pub use leave::{
    AnnualLeaveInput, AnnualLeavePolicy, AnnualLeaveResult, Exclusions, MaternityLeave, PregnancyOutcome,
    ProvincialMaternity, annual_leave, annual_leave_with, maternity_leave,
};
pub use overtime::{OvertimeKind, OvertimePay, OvertimeRates, daily_wage, hourly_wage, overtime_pay, round_fen};
