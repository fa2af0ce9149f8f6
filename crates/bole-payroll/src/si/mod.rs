//! Social insurance (社会保险) and housing provident fund (住房公积金): a policy per city with per-item
//! base floor and cap, employer and employee rates, rounding and effective dates with a source URL;
//! national defaults and the Beijing / Shanghai 2024–2025 figures ship as data
//! (`data/si-policies.toml`, read by [`policies`]). Pure: `contributions(policy, bases)` → one
//! line per item, rounded per item, plus the IIT-deductible part.

pub mod contributions;
pub mod policies;

pub use contributions::{SiBases, SiResult, contributions, round_by};
pub use policies::{builtin_policies, is_city_code, parse_policies, policy_for, validate_policy};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A contribution item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SiKind {
    /// 基本养老保险.
    Pension,
    /// 基本医疗保险 (incl. maternity where merged).
    Medical,
    /// 失业保险.
    Unemployment,
    /// 工伤保险 (employer only).
    Injury,
    /// 生育保险 where still separate (employer only).
    Maternity,
    /// 大额医疗互助 / 补充医疗 (a fixed monthly amount, e.g. Beijing 3 元).
    SeriousIllness,
    /// 职业年金 / 企业年金.
    Annuity,
    /// 住房公积金.
    HousingFund,
}

impl SiKind {
    /// The item's name as payslips and contribution lists print it.
    pub fn name_zh(&self) -> &'static str {
        match self {
            SiKind::Pension => "养老保险",
            SiKind::Medical => "医疗保险",
            SiKind::Unemployment => "失业保险",
            SiKind::Injury => "工伤保险",
            SiKind::Maternity => "生育保险",
            SiKind::SeriousIllness => "大额医疗互助",
            SiKind::Annuity => "年金",
            SiKind::HousingFund => "住房公积金",
        }
    }

    /// The snake_case code (as in the policy file and JSON).
    pub fn code(&self) -> &'static str {
        match self {
            SiKind::Pension => "pension",
            SiKind::Medical => "medical",
            SiKind::Unemployment => "unemployment",
            SiKind::Injury => "injury",
            SiKind::Maternity => "maternity",
            SiKind::SeriousIllness => "serious_illness",
            SiKind::Annuity => "annuity",
            SiKind::HousingFund => "housing_fund",
        }
    }
}

/// How a line is rounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Half up to the fen (default).
    #[default]
    Fen,
    /// Half up to the jiao.
    Jiao,
    /// Half up to the yuan (some housing fund centres).
    Yuan,
    /// Up to the jiao / yuan (见角进元 style), for cities that require it.
    UpJiao,
    UpYuan,
}

/// One item of a city's policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SiItem {
    pub kind: SiKind,
    #[schema(value_type = String)]
    pub floor: Decimal,
    #[schema(value_type = String)]
    pub cap: Decimal,
    #[schema(value_type = String)]
    pub employer_rate: Decimal,
    #[schema(value_type = String)]
    pub employee_rate: Decimal,
    /// A fixed monthly employee amount on top of the rate (Beijing 大额医疗 3 元).
    #[serde(default)]
    #[schema(value_type = String)]
    pub employee_fixed: Decimal,
    #[serde(default)]
    pub rounding: Rounding,
    /// Housing fund: the allowed rate range for either side (e.g. 0.05–0.12); the item's rates
    /// are the defaults.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub min_rate: Option<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub max_rate: Option<Decimal>,
}

/// A city's policy for a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SiPolicy {
    /// City code: `national`, `beijing`, `shanghai`, …
    pub city: String,
    pub name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub source_url: String,
    /// ✅ / 🟡 / ❌ confidence from the domain reference, or "admin" for entered figures.
    pub confidence: String,
    pub items: Vec<SiItem>,
}

/// One computed contribution line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SiLine {
    pub kind: SiKind,
    /// The base after floor and cap.
    #[schema(value_type = String)]
    pub base: Decimal,
    #[schema(value_type = String)]
    pub employee_rate: Decimal,
    #[schema(value_type = String)]
    pub employer_rate: Decimal,
    #[schema(value_type = String)]
    pub employee: Decimal,
    #[schema(value_type = String)]
    pub employer: Decimal,
}
