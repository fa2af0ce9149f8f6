//! Wage conversion (monthly → daily → hourly) and overtime pay.
//!
//! Conversion follows 人社部发〔2025〕2号 (effective 2025-01-01): 月计薪天数 = (365 − 104) ÷ 12 = 21.75,
//! because statutory holidays are paid days; 日工资 = 月工资 ÷ 21.75; 小时工资 = 月工资 ÷ (21.75 × 8).
//! The 20.67 "working days per month" of the same notice is for attendance statistics only and must
//! not be used for pay. Overtime premiums follow 《劳动法》 art.44: at least 150% (extension on a
//! working day), 200% (rest day without comp time), 300% (statutory holiday; comp time does not
//! replace pay).
//!
//! Rounding (written here because payroll will be audited against it): intermediate values are
//! never rounded; the final amount is rounded once, half up (0.005 → 0.01), to the fen.

use crate::calendar::DayKind;
use crate::error::TimeError;
use bole_core::Msg;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// 月计薪天数 21.75 (人社部发〔2025〕2号, unchanged from 劳社部发〔2008〕3号).
pub const MONTHLY_PAY_DAYS: Decimal = Decimal::from_parts(2175, 0, 0, false, 2);
/// Standard working day, 《国务院关于职工工作时间的规定》 (国务院令第174号).
pub const HOURS_PER_DAY: Decimal = Decimal::from_parts(8, 0, 0, false, 0);
/// 月平均工作天数 20.67 (2025+): for "how many working days" statistics, never for pay.
pub const MONTHLY_WORKING_DAYS_STATISTICAL: Decimal = Decimal::from_parts(2067, 0, 0, false, 2);
/// 《劳动法》 art.41: overtime normally ≤ 1 h/day, with special reasons ≤ 3 h/day and ≤ 36 h/month.
pub const MAX_OVERTIME_HOURS_PER_DAY: u32 = 3;
pub const MAX_OVERTIME_HOURS_PER_MONTH: u32 = 36;

/// Rounds a money amount to the fen, half up, and always shows two decimals ("750.00").
pub fn round_fen(amount: Decimal) -> Decimal {
    let mut fen = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    fen.rescale(2);
    fen
}

/// 日工资 = 月工资 ÷ 21.75, unrounded (round the final amount with [`round_fen`]).
pub fn daily_wage(monthly_wage: Decimal) -> Decimal {
    monthly_wage / MONTHLY_PAY_DAYS
}

/// 小时工资 = 月工资 ÷ (21.75 × 8), unrounded.
pub fn hourly_wage(monthly_wage: Decimal) -> Decimal {
    monthly_wage / (MONTHLY_PAY_DAYS * HOURS_PER_DAY)
}

/// When the overtime was worked, which decides the premium.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OvertimeKind {
    /// Hours beyond the working day on a working day (including a 调休 make-up day): 150%.
    Workday,
    /// Work on a rest day not compensated by time off: 200%. Pay only the hours without comp time.
    #[serde(alias = "restday")]
    RestDay,
    /// Work on one of the 13 statutory holidays: 300%, comp time does not replace it.
    #[serde(alias = "holiday")]
    StatutoryHoliday,
}

impl OvertimeKind {
    /// The premium class of work done on a day of `kind`. Non-statutory days inside a holiday block
    /// are rest days (人社厅函〔2020〕135号): 200%, not 300%.
    pub fn for_day(kind: DayKind) -> Self {
        match kind {
            DayKind::Workday => OvertimeKind::Workday,
            DayKind::RestDay | DayKind::Holiday { statutory: false } => OvertimeKind::RestDay,
            DayKind::Holiday { statutory: true } => OvertimeKind::StatutoryHoliday,
        }
    }
}

/// Premium multipliers. The law sets minimums; a contract or collective agreement may pay more,
/// never less.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvertimeRates {
    pub workday: Decimal,
    pub rest_day: Decimal,
    pub statutory_holiday: Decimal,
}

impl OvertimeRates {
    /// The statutory minimums of 《劳动法》 art.44: 1.5, 2, 3.
    pub const STATUTORY: OvertimeRates = OvertimeRates {
        workday: Decimal::from_parts(15, 0, 0, false, 1),
        rest_day: Decimal::from_parts(2, 0, 0, false, 0),
        statutory_holiday: Decimal::from_parts(3, 0, 0, false, 0),
    };

    pub fn rate(&self, kind: OvertimeKind) -> Decimal {
        match kind {
            OvertimeKind::Workday => self.workday,
            OvertimeKind::RestDay => self.rest_day,
            OvertimeKind::StatutoryHoliday => self.statutory_holiday,
        }
    }
}

impl Default for OvertimeRates {
    fn default() -> Self {
        Self::STATUTORY
    }
}

/// The result of [`overtime_pay`], with its inputs so a payslip line can show its working.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OvertimePay {
    pub monthly_wage: Decimal,
    pub hours: Decimal,
    pub kind: OvertimeKind,
    /// 月工资 ÷ 21.75 ÷ 8, shown to 4 decimals. Display only: `pay` uses the unrounded value.
    pub hourly_base: Decimal,
    pub rate: Decimal,
    /// monthly_wage × hours × rate ÷ 174, rounded once, half up, to the fen.
    pub pay: Decimal,
}

/// Overtime pay at the statutory minimum rates. `monthly_wage` is the overtime base (by contract,
/// else the collective contract, else the normal wage; never below the local minimum wage — the
/// caller decides it).
pub fn overtime_pay(monthly_wage: Decimal, hours: Decimal, kind: OvertimeKind) -> Result<OvertimePay, TimeError> {
    overtime_pay_with(monthly_wage, hours, kind, &OvertimeRates::STATUTORY)
}

/// Overtime pay at a company's own rates, which must not be below the statutory ones.
pub fn overtime_pay_with(
    monthly_wage: Decimal,
    hours: Decimal,
    kind: OvertimeKind,
    rates: &OvertimeRates,
) -> Result<OvertimePay, TimeError> {
    if monthly_wage < Decimal::ZERO {
        return Err(TimeError::field(
            "monthly_wage",
            Msg::new("月工资不能为负数。", "The monthly wage cannot be negative."),
        ));
    }
    if hours < Decimal::ZERO {
        return Err(TimeError::field("hours", Msg::new("加班时数不能为负数。", "Overtime hours cannot be negative.")));
    }
    let rate = rates.rate(kind);
    if rate < OvertimeRates::STATUTORY.rate(kind) {
        return Err(TimeError::field(
            "rate",
            Msg::new(
                format!("加班工资倍数 {rate} 低于《劳动法》第四十四条规定的标准。"),
                format!("The overtime rate {rate} is below the minimum of the Labour Law, art. 44."),
            ),
        ));
    }
    // One division, last: wage × hours × rate is exact in Decimal, so only the ÷ 174 can leave a
    // repeating fraction, and it is rounded just once.
    let too_large =
        || TimeError::field("monthly_wage", Msg::new("金额过大，无法计算。", "The amount is too large to compute."));
    let numerator = monthly_wage.checked_mul(hours).and_then(|x| x.checked_mul(rate)).ok_or_else(too_large)?;
    let pay = round_fen(numerator / (MONTHLY_PAY_DAYS * HOURS_PER_DAY));
    let hourly_base = hourly_wage(monthly_wage).round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
    Ok(OvertimePay { monthly_wage, hours, kind, hourly_base, rate, pay })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn constants_are_what_they_say() {
        assert_eq!(MONTHLY_PAY_DAYS, dec("21.75"));
        assert_eq!(MONTHLY_WORKING_DAYS_STATISTICAL, dec("20.67"));
        assert_eq!(OvertimeRates::STATUTORY.workday, dec("1.5"));
        assert_eq!(MONTHLY_PAY_DAYS * HOURS_PER_DAY, dec("174"));
    }

    #[test]
    fn rates_below_the_statutory_minimum_are_refused() {
        let rates = OvertimeRates { workday: dec("1.2"), ..OvertimeRates::STATUTORY };
        assert!(overtime_pay_with(dec("8700"), dec("1"), OvertimeKind::Workday, &rates).is_err());
        let generous = OvertimeRates { workday: dec("2"), ..OvertimeRates::STATUTORY };
        let pay = overtime_pay_with(dec("8700"), dec("1"), OvertimeKind::Workday, &generous).unwrap();
        assert_eq!(pay.pay, dec("100.00"));
    }

    #[test]
    fn negative_inputs_are_refused() {
        assert!(overtime_pay(dec("-1"), dec("1"), OvertimeKind::Workday).is_err());
        assert!(overtime_pay(dec("8700"), dec("-1"), OvertimeKind::Workday).is_err());
    }
}
