//! Statutory leave entitlements: paid annual leave (带薪年休假) and maternity leave (产假). Only the
//! arithmetic of the regulations; balances, applications and approvals belong to the leave ledger
//! that will build on this. Leave applications are measured in working days
//! (`WorkCalendar::working_days_between`): 法定节假日、休息日不计入年休假.

mod annual;
mod maternity;

pub use annual::{
    AnnualLeaveInput, AnnualLeavePolicy, AnnualLeaveResult, ExclusionReason, Exclusions, HireDayCounting,
    ThresholdCrossing, TierSegment, UnusedLeavePay, UnusedLeavePayRule, annual_leave, annual_leave_with,
    unused_leave_pay, unused_leave_pay_with,
};
pub use maternity::{
    BASE_DAYS, DIFFICULT_BIRTH_DAYS, LeaveDayCounting, MISCARRIAGE_FOUR_MONTHS_OR_MORE_DAYS,
    MISCARRIAGE_UNDER_FOUR_MONTHS_DAYS, MaternityLeave, PER_EXTRA_BABY_DAYS, PRENATAL_DAYS, PregnancyOutcome,
    ProvincialMaternity, leave_end_date, maternity_leave,
};
