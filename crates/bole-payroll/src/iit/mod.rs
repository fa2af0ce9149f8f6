//! Individual income tax (个人所得税) withholding — pure rules over `Decimal`, exact to the fen:
//! cumulative withholding of residents' wages (公告2018年第61号 art.6) with the 2020年第13号 and
//! 第19号 options, special additional deductions (国发〔2018〕41号, 〔2022〕8号, 〔2023〕13号), the
//! annual one-off bonus taxed separately (财政部 税务总局公告2023年第30号, to 2027-12-31) and labour
//! remuneration per payment (61号 art.8). Tax tables are dated data with their source
//! ([`tables`]).

pub mod additional;
pub mod bonus;
pub mod cumulative;
pub mod labour;
pub mod tables;

pub use additional::{additional_for_month, additional_monthly, validate_declarations};
pub use bonus::{BonusTax, annual_bonus};
pub use cumulative::{Cumulative, MonthWithholding, YearResult, cumulative_year, validate_months, withhold_month};
pub use labour::{LabourTax, labour_remuneration};
pub use tables::separate_bonus_available;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which basic-deduction rule applies to an employee's year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WithholdingRule {
    /// 5,000 × months employed here this year.
    #[default]
    Standard,
    /// 公告2020年第13号: first wages of the year → 5,000 × months since January.
    #[serde(rename = "first_job_2020_13")]
    FirstJob2020_13,
    /// 公告2020年第19号: prior year here every month with wages ≤ 60,000 → 60,000 from January.
    #[serde(rename = "prior_year_le_60000_2020_19")]
    PriorYearLe60000_2020_19,
}

/// One month's wage figures (this month only, not cumulative).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthIncome {
    pub month: u32,
    #[serde(default)]
    pub income: Decimal,
    #[serde(default)]
    pub exempt: Decimal,
    #[serde(default)]
    pub special: Decimal,
    #[serde(default)]
    pub additional: Decimal,
    #[serde(default)]
    pub other: Decimal,
}
