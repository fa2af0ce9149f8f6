//! Employee entities, lifecycle events and the assignments they produce.
//!
//! The master record (`Employee`) holds personal data and is edited in place
//! (with audit, issue 3). Everything about the job — unit, position, status —
//! lives in immutable dated `EventRecord`s, from which `Assignment` segments
//! are derived; as-of reads pick the segment covering the date.

use bole_core::{CompanyId, ContractId, DateRange, EmployeeId, EventId, OrgUnitId, PositionId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            pub fn as_str(&self) -> &'static str { match self { $($name::$v => $s),* } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some($name::$v),)* _ => None } }
        }
    };
}

code_enum!(
    /// 用工类型 (dictionary `employment_type`).
    EmploymentType {
        /// 全职
        FullTime = "full_time",
        /// 兼职
        PartTime = "part_time",
        /// 实习
        Intern = "intern",
        /// 劳务派遣
        Dispatched = "dispatched",
        /// 退休返聘
        RetireeRehire = "retiree_rehire",
    }
);

code_enum!(
    /// 人员状态 on a date.
    EmployeeStatus {
        /// 试用
        Probation = "probation",
        /// 正式
        Regular = "regular",
        /// 借调 (working in a host unit; 编制 stays home)
        Seconded = "seconded",
        /// 停薪留职
        LeaveOfAbsence = "leave_of_absence",
        /// 离职
        Separated = "separated",
        /// 退休
        Retired = "retired",
    }
);

impl EmployeeStatus {
    /// Counts toward headcount and occupies 编制.
    pub fn employed(&self) -> bool {
        !matches!(self, EmployeeStatus::Separated | EmployeeStatus::Retired)
    }
}

code_enum!(
    /// 离职原因.
    SeparationReason {
        /// 主动辞职
        Resignation = "resignation",
        /// 协商解除
        MutualAgreement = "mutual_agreement",
        /// 单位解除（过失性/非过失性）
        Dismissal = "dismissal",
        /// 合同到期不续签
        ContractExpiry = "contract_expiry",
        /// 经济性裁员
        Redundancy = "redundancy",
        /// 死亡
        Death = "death",
        /// 其他
        Other = "other",
    }
);

code_enum!(
    /// Kind of labour contract (劳动合同法 第十二条).
    ContractKind {
        /// 固定期限
        FixedTerm = "fixed_term",
        /// 无固定期限
        OpenEnded = "open_ended",
        /// 以完成一定工作任务为期限
        Project = "project",
    }
);

/// The employee master record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Employee {
    pub id: EmployeeId,
    pub company_id: CompanyId,
    /// 工号, unique within the company.
    pub employee_no: String,
    pub name: String,
    /// GB/T 2261.1 code: 1 男, 2 女, 0/9 unknown.
    pub gender: String,
    pub birth_date: Option<NaiveDate>,
    /// Dictionary `id_document_type` code; 111 = 居民身份证.
    pub id_type: String,
    pub id_number: String,
    pub ethnicity: Option<String>,
    pub political_status: Option<String>,
    pub marital_status: Option<String>,
    /// 籍贯
    pub native_place: Option<String>,
    /// Highest 学历 (dictionary `education_level`).
    pub education_level: Option<String>,
    pub degree: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// 开户银行 (for payroll).
    pub bank_name: Option<String>,
    /// 工资卡号: 12–19 digits. Important data: encrypted at rest, masked as ****1234.
    pub bank_account: Option<String>,
    pub employment_type: EmploymentType,
    /// First day of employment (入职日期).
    pub hire_date: NaiveDate,
    pub probation_end: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// 学习经历.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Education {
    pub school: String,
    #[serde(default)]
    pub major: Option<String>,
    /// Dictionary `education_level` code (synonyms such as “大学” are normalised).
    pub education_level: String,
    #[serde(default)]
    pub degree: Option<String>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    #[serde(default = "yes")]
    pub full_time: bool,
}

fn yes() -> bool {
    true
}

code_enum!(
    ContactKind {
        /// 家庭成员
        Family = "family",
        /// 紧急联系人
        Emergency = "emergency",
    }
);

/// 家庭成员 / 紧急联系人.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub kind: ContactKind,
    pub name: String,
    /// Dictionary `family_relation` code or label.
    pub relation: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub workplace: Option<String>,
}

/// Personal data as submitted (create or full replace). Codes may be given as
/// labels or synonyms; validation normalises them to standard codes.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonalData {
    pub name: String,
    /// Optional when the ID is a resident ID number: derived from it.
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// Defaults to 居民身份证.
    #[serde(default)]
    pub id_type: Option<String>,
    pub id_number: String,
    #[serde(default)]
    pub ethnicity: Option<String>,
    #[serde(default)]
    pub political_status: Option<String>,
    #[serde(default)]
    pub marital_status: Option<String>,
    #[serde(default)]
    pub native_place: Option<String>,
    #[serde(default)]
    pub education_level: Option<String>,
    #[serde(default)]
    pub degree: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// 开户银行.
    #[serde(default)]
    pub bank_name: Option<String>,
    /// 工资卡号 (12–19 digits; spaces are ignored).
    #[serde(default)]
    pub bank_account: Option<String>,
}

/// 入职: a new employee, their personal data and their first assignment.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewEmployee {
    pub company_id: CompanyId,
    pub employee_no: String,
    #[serde(flatten)]
    pub person: PersonalData,
    pub hire_date: NaiveDate,
    pub job: JobPlacement,
    /// 试用期 in months (0–6, 劳动合同法 第十九条); 0 = no probation.
    #[serde(default)]
    pub probation_months: u8,
    #[serde(default)]
    pub educations: Vec<Education>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

/// Where someone works: used by onboard, transfer, promotion and rehire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPlacement {
    pub org_unit_id: OrgUnitId,
    #[serde(default)]
    pub position_id: Option<PositionId>,
    #[serde(default)]
    pub manager_id: Option<EmployeeId>,
    pub employment_type: EmploymentType,
    /// Dictionary `quota_category` (编制类别).
    pub quota_category: String,
    #[serde(default)]
    pub work_location: Option<String>,
}

/// What happened, with the data the event carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// 入职
    Onboard {
        #[serde(flatten)]
        job: JobPlacement,
        #[serde(default)]
        probation_end: Option<NaiveDate>,
    },
    /// 转正
    Confirm,
    /// 调岗 (unit and/or position, manager, location)
    Transfer {
        org_unit_id: OrgUnitId,
        #[serde(default)]
        position_id: Option<PositionId>,
        #[serde(default)]
        manager_id: Option<EmployeeId>,
        #[serde(default)]
        work_location: Option<String>,
    },
    /// 晋升
    Promote {
        position_id: PositionId,
        #[serde(default)]
        org_unit_id: Option<OrgUnitId>,
    },
    /// 降级
    Demote {
        position_id: PositionId,
        #[serde(default)]
        org_unit_id: Option<OrgUnitId>,
    },
    /// 借调 to a host unit; 编制 stays at the home unit.
    Second { host_org_unit_id: OrgUnitId },
    /// 借调结束
    EndSecondment,
    /// 停薪留职
    LeaveOfAbsence,
    /// 停薪留职结束（复职）
    ReturnFromLeave,
    /// 离职; effective the day after `last_day`.
    Separate {
        /// Sent and shown as `separation_reason`: the event's own free-text `reason` sits
        /// beside the kind's fields, so the coded reason needs its own name. Events stored
        /// before the rename say `reason` (the alias reads them).
        #[serde(rename = "separation_reason", alias = "reason")]
        reason: SeparationReason,
        last_day: NaiveDate,
    },
    /// 退休
    Retire,
    /// 返聘 / 再入职
    Rehire {
        #[serde(flatten)]
        job: JobPlacement,
    },
    /// Cancels an earlier event (a correction); history keeps both.
    Cancel { event_id: EventId },
}

impl EventKind {
    pub fn code(&self) -> &'static str {
        match self {
            EventKind::Onboard { .. } => "onboard",
            EventKind::Confirm => "confirm",
            EventKind::Transfer { .. } => "transfer",
            EventKind::Promote { .. } => "promote",
            EventKind::Demote { .. } => "demote",
            EventKind::Second { .. } => "second",
            EventKind::EndSecondment => "end_secondment",
            EventKind::LeaveOfAbsence => "leave_of_absence",
            EventKind::ReturnFromLeave => "return_from_leave",
            EventKind::Separate { .. } => "separate",
            EventKind::Retire => "retire",
            EventKind::Rehire { .. } => "rehire",
            EventKind::Cancel { .. } => "cancel",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            EventKind::Onboard { .. } => "入职",
            EventKind::Confirm => "转正",
            EventKind::Transfer { .. } => "调岗",
            EventKind::Promote { .. } => "晋升",
            EventKind::Demote { .. } => "降级",
            EventKind::Second { .. } => "借调",
            EventKind::EndSecondment => "借调结束",
            EventKind::LeaveOfAbsence => "停薪留职",
            EventKind::ReturnFromLeave => "复职",
            EventKind::Separate { .. } => "离职",
            EventKind::Retire => "退休",
            EventKind::Rehire { .. } => "返聘",
            EventKind::Cancel { .. } => "更正（撤销）",
        }
    }
}

/// A lifecycle event as recorded: immutable evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct EventRecord {
    pub id: EventId,
    pub employee_id: EmployeeId,
    pub effective_date: NaiveDate,
    #[serde(flatten)]
    pub kind: EventKind,
    pub reason: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

/// Input for a new lifecycle event.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewEvent {
    /// First day the new situation applies. For `separate` it may be omitted
    /// (the day after `last_day` is used).
    #[serde(default)]
    pub effective_date: Option<NaiveDate>,
    #[serde(flatten)]
    pub kind: EventKind,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The employee's situation over one period, derived from events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Assignment {
    pub employee_id: EmployeeId,
    pub valid: DateRange,
    pub status: EmployeeStatus,
    /// Home unit: headcount and 编制 count here.
    pub org_unit_id: OrgUnitId,
    /// Where a seconded employee actually works.
    pub host_org_unit_id: Option<OrgUnitId>,
    pub position_id: Option<PositionId>,
    pub manager_id: Option<EmployeeId>,
    pub employment_type: EmploymentType,
    pub quota_category: String,
    pub work_location: Option<String>,
    /// The event that opened this segment.
    pub event_id: EventId,
}

/// One row of the employee list, as of a date.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EmployeeSummary {
    pub id: EmployeeId,
    pub company_id: CompanyId,
    pub employee_no: String,
    pub name: String,
    pub gender: String,
    pub hire_date: NaiveDate,
    pub employment_type: EmploymentType,
    /// None when the person has no assignment on the date (e.g. hired later).
    pub status: Option<EmployeeStatus>,
    pub org_unit_id: Option<OrgUnitId>,
    pub org_unit_name: Option<String>,
    pub position_id: Option<PositionId>,
    pub position_name: Option<String>,
    pub phone: Option<String>,
}

/// The whole record with its situation on a date.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EmployeeDetail {
    #[serde(flatten)]
    pub employee: Employee,
    pub as_of: NaiveDate,
    pub assignment: Option<Assignment>,
    pub educations: Vec<Education>,
    pub contacts: Vec<Contact>,
}

/// List filters; the org filter is already expanded to a unit set.
#[derive(Clone, Debug, Default)]
pub struct EmployeeFilter {
    pub company_id: Option<CompanyId>,
    pub org_units: Option<Vec<OrgUnitId>>,
    pub statuses: Option<Vec<EmployeeStatus>>,
    pub hired_from: Option<NaiveDate>,
    pub hired_to: Option<NaiveDate>,
    /// Matches name or employee number (substring).
    pub text: Option<String>,
}

/// A labour contract (劳动合同).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Contract {
    pub id: ContractId,
    pub employee_id: EmployeeId,
    pub kind: ContractKind,
    pub start_date: NaiveDate,
    /// Last day of the term (inclusive); None for open-ended contracts.
    pub end_date: Option<NaiveDate>,
    /// 0 for the first contract, +1 per renewal (续签).
    pub renewal_count: i32,
    pub signed_on: Option<NaiveDate>,
    pub previous_contract_id: Option<ContractId>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    pub kind: ContractKind,
    pub start_date: NaiveDate,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    /// When renewing, the contract this one follows.
    #[serde(default)]
    pub renews: Option<ContractId>,
}

/// A contract expiring soon, with who holds it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ExpiringContract {
    #[serde(flatten)]
    pub contract: Contract,
    pub employee_no: String,
    pub employee_name: String,
    pub days_left: i64,
}

/// One archive timeline entry (人事档案时间线).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub date: NaiveDate,
    /// `event`, `contract`
    pub source: String,
    pub title_zh: String,
    pub title_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<EventRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<Contract>,
    /// True when a later correction cancelled this event.
    pub cancelled: bool,
}

/// A data-quality finding for one employee.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QualityFinding {
    pub employee_id: EmployeeId,
    pub employee_no: String,
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The data-quality report (数据质量报告).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QualityReport {
    pub checked: u64,
    pub records_with_issues: u64,
    pub findings: Vec<QualityFinding>,
}

/// The rows of `employees` an authorised call may touch, resolved from the actor's
/// [`bole_core::Scope`] on today's org structure. Stores apply it as a row filter:
/// a row qualifies when ANY part matches (`all`, the actor's own record, a direct
/// report, home unit in `units`, or company in `companies`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowScope {
    pub all: bool,
    /// The actor's own record (scope `own`).
    pub me: Option<EmployeeId>,
    /// Direct reports of this employee (scope `direct_reports`).
    pub reports_of: Option<EmployeeId>,
    /// Home units, subtrees already expanded (scope `subtrees`).
    pub units: Vec<OrgUnitId>,
    pub companies: Vec<CompanyId>,
    /// The day on which assignments are matched (today).
    pub on: Option<NaiveDate>,
}

impl RowScope {
    pub fn everything() -> Self {
        RowScope { all: true, ..Default::default() }
    }

    /// True when no row can match (so a store need not ask).
    pub fn is_empty(&self) -> bool {
        !self.all
            && self.me.is_none()
            && self.reports_of.is_none()
            && self.units.is_empty()
            && self.companies.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{EventKind, SeparationReason};

    #[test]
    fn separations_stored_before_the_rename_still_read() {
        let old = r#"{"type":"separate","reason":"resignation","last_day":"2025-01-31"}"#;
        let new = r#"{"type":"separate","separation_reason":"resignation","last_day":"2025-01-31"}"#;
        for text in [old, new] {
            let kind: EventKind = serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(matches!(kind, EventKind::Separate { reason: SeparationReason::Resignation, .. }), "{text}");
        }
        let written = serde_json::to_value(EventKind::Separate {
            reason: SeparationReason::Resignation,
            last_day: chrono::NaiveDate::from_ymd_opt(2025, 1, 31).unwrap_or_default(),
        })
        .unwrap_or_default();
        assert_eq!(written["separation_reason"], "resignation");
    }
}
