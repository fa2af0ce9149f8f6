//! The pay components and the standard structure a new company starts with, and the codes of the
//! lines the computation adds by itself (overtime, leave and absence deductions, SI/HF, IIT).
//!
//! Ids are deterministic: the first 16 bytes of SM3("bole/pay-component/v1" ‖ company ‖ code) as
//! a version-8 (custom) UUID. Seeding the defaults twice, or on two machines, yields the same ids,
//! so a re-run of the seeding is idempotent and demo data is reproducible; the service may still
//! assign fresh ids to components an administrator adds later.

use crate::model::{
    ComponentCategory as Cat, ComponentKind as Kind, ItemSource, PayComponent, PayStructure, StructureItem,
};
use crate::si::SiKind;
use bole_core::CompanyId;
use chrono::NaiveDate;
use uuid::Uuid;

/// 基本工资: the structure's base item gets the assignment's base salary.
pub const BASE: &str = "BASE";
/// 加班费, computed from attendance unless a structure defines the code itself.
pub const OVERTIME: &str = "OVERTIME";
/// 事假扣款 (unpaid leave), pre-tax.
pub const UNPAID_LEAVE: &str = "UNPAID_LEAVE";
/// 缺勤扣款 (absence), pre-tax.
pub const ABSENCE: &str = "ABSENCE";
/// 全年一次性奖金.
pub const ANNUAL_BONUS: &str = "ANNUAL_BONUS";
/// 个人所得税.
pub const IIT: &str = "IIT";
/// The standard structure's code.
pub const STANDARD_STRUCTURE: &str = "STANDARD";

/// The line codes of one SI/HF item: (employee part, employer part).
pub fn si_codes(kind: SiKind) -> (&'static str, &'static str) {
    match kind {
        SiKind::Pension => ("SI_PENSION", "ER_SI_PENSION"),
        SiKind::Medical => ("SI_MEDICAL", "ER_SI_MEDICAL"),
        SiKind::Unemployment => ("SI_UNEMPLOYMENT", "ER_SI_UNEMPLOYMENT"),
        SiKind::Injury => ("SI_INJURY", "ER_SI_INJURY"),
        SiKind::Maternity => ("SI_MATERNITY", "ER_SI_MATERNITY"),
        SiKind::SeriousIllness => ("SI_SERIOUS_ILLNESS", "ER_SI_SERIOUS_ILLNESS"),
        SiKind::Annuity => ("SI_ANNUITY", "ER_SI_ANNUITY"),
        SiKind::HousingFund => ("HF", "ER_HF"),
    }
}

const SI_KINDS: [(SiKind, &str); 8] = [
    (SiKind::Pension, "养老保险"),
    (SiKind::Medical, "医疗保险"),
    (SiKind::Unemployment, "失业保险"),
    (SiKind::Injury, "工伤保险"),
    (SiKind::Maternity, "生育保险"),
    (SiKind::SeriousIllness, "大额医疗互助"),
    (SiKind::Annuity, "年金"),
    (SiKind::HousingFund, "住房公积金"),
];

/// A deterministic id for something of `what` named `code` in `company`.
pub fn default_id(what: &str, company: CompanyId, code: &str) -> Uuid {
    let mut data = Vec::with_capacity(64);
    data.extend_from_slice(format!("bole/{what}/v1").as_bytes());
    data.push(0);
    data.extend_from_slice(company.0.as_bytes());
    data.extend_from_slice(code.as_bytes());
    let hash = bole_crypto::sm3_digest(&data);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

fn component(company: CompanyId, code: &str, name: &str, kind: Kind, category: Cat) -> PayComponent {
    PayComponent {
        id: default_id("pay-component", company, code),
        company_id: company,
        code: code.to_string(),
        name: name.to_string(),
        kind,
        category,
        taxable: kind == Kind::Earning && category != Cat::TaxExempt,
        on_payslip: true,
        description: None,
        active: true,
    }
}

/// The components every company starts with.
pub fn default_components(company: CompanyId) -> Vec<PayComponent> {
    let c = |code: &str, name: &str, kind: Kind, cat: Cat| component(company, code, name, kind, cat);
    let mut out = vec![
        c(BASE, "基本工资", Kind::Earning, Cat::Base),
        c("POSITION", "岗位工资", Kind::Earning, Cat::Base),
        c("PERFORMANCE", "绩效工资", Kind::Earning, Cat::Bonus),
        c("BONUS", "奖金", Kind::Earning, Cat::Bonus),
        c("MEAL", "餐补", Kind::Earning, Cat::Allowance),
        c("TRANSPORT", "交通补贴", Kind::Earning, Cat::Allowance),
        c(OVERTIME, "加班费", Kind::Earning, Cat::Overtime),
        c(UNPAID_LEAVE, "事假扣款", Kind::PreTaxDeduction, Cat::Attendance),
        c(ABSENCE, "缺勤扣款", Kind::PreTaxDeduction, Cat::Attendance),
        c(ANNUAL_BONUS, "全年一次性奖金", Kind::Earning, Cat::AnnualBonus),
        c("BACK_PAY", "补发", Kind::Earning, Cat::Other),
        c("OTHER_DEDUCTION", "其他扣款", Kind::Deduction, Cat::Other),
    ];
    for (kind, name) in SI_KINDS {
        let (ee, er) = si_codes(kind);
        let cat = if kind == SiKind::HousingFund { Cat::HousingFund } else { Cat::SocialInsurance };
        out.push(c(ee, &format!("{name}（个人）"), Kind::Deduction, cat));
        out.push(c(er, &format!("{name}（单位）"), Kind::EmployerCost, cat));
    }
    out.push(c(IIT, "个人所得税", Kind::Deduction, Cat::Tax));
    out
}

/// 标准月薪制: base and position pay (fixed, prorated for joiners and leavers), performance pay at
/// 20 % of the base (prorated by the formula itself), meal and transport allowances (fixed,
/// prorated).
pub fn default_structure(company: CompanyId, valid_from: NaiveDate) -> PayStructure {
    let fixed = |code: &str| StructureItem { component_code: code.to_string(), source: ItemSource::Fixed };
    PayStructure {
        id: default_id("pay-structure", company, STANDARD_STRUCTURE),
        company_id: company,
        code: STANDARD_STRUCTURE.to_string(),
        name: "标准月薪制".to_string(),
        grades: Vec::new(),
        position_ids: Vec::new(),
        items: vec![
            fixed(BASE),
            fixed("POSITION"),
            StructureItem {
                component_code: "PERFORMANCE".to_string(),
                source: ItemSource::Formula { formula: "round(base * 0.2 * proration)".to_string() },
            },
            fixed("MEAL"),
            fixed("TRANSPORT"),
        ],
        valid_from,
        valid_to: None,
        version: 1,
    }
}
