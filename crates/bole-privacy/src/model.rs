//! Privacy entities: privacy-notice versions (隐私政策/个人信息处理告知书) and the processing
//! purposes each declares, acknowledgements, consents (append-only history), data-subject
//! requests (个人信息权利请求) with their retention decision, and the register of third-party
//! provision and cross-border transfer (对外提供与出境登记).
//!
//! Values a person typed about themselves (proposed corrections, free-text details) are
//! personal data: their types redact them in `Debug`, and audit events name fields only.

use bole_core::{CompanyId, EmployeeId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// A published privacy-notice version (隐私政策版本).
    NoticeId,
    /// One consent given or withdrawn (同意记录).
    ConsentId,
    /// A data-subject request (个人信息权利请求).
    RequestId,
    /// An entry of the sharing / cross-border register (对外提供与出境登记).
    SharingEntryId,
);

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
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
    /// How personal information leaves (or does not leave) the employer for a purpose.
    ProcessingKind {
        /// 内部处理: the employer itself processes.
        Internal = "internal",
        /// 向其他个人信息处理者提供 (个人信息保护法 第二十三条).
        ThirdPartyProvision = "third_party_provision",
        /// 向境外提供 (第三十八、三十九条).
        CrossBorderTransfer = "cross_border_transfer",
        /// 公开 (第二十五条).
        PublicDisclosure = "public_disclosure",
    }
);

code_enum!(
    /// 处理的合法性基础 (个人信息保护法 第十三条).
    LegalBasis {
        /// 取得个人同意 (第十三条第一款第一项).
        Consent = "consent",
        /// 订立、履行个人作为一方当事人的合同所必需 (第二项前段).
        Contract = "contract",
        /// 按照依法制定的劳动规章制度和依法签订的集体合同实施人力资源管理所必需 (第二项后段).
        HrManagement = "hr_management",
        /// 履行法定职责或者法定义务所必需 (第三项), e.g. 社保申报、个税代扣.
        LegalObligation = "legal_obligation",
        /// 应对突发公共卫生事件或紧急情况下保护生命健康和财产安全所必需 (第四项).
        Emergency = "emergency",
        /// 法律、行政法规规定的其他情形 (第七项).
        OtherLaw = "other_law",
    }
);

code_enum!(
    /// 个人信息类别: what a purpose processes, what a deletion covers, what a retention rule keeps.
    DataCategory {
        /// 身份信息（姓名、性别、出生日期、民族、证件号码）
        Identity = "identity",
        /// 证件影像（身份证、护照复印件）— 敏感
        IdentityDocument = "identity_document",
        /// 联系方式（电话、邮箱、住址）
        Contact = "contact",
        /// 家庭成员与紧急联系人
        Family = "family",
        /// 教育经历
        Education = "education",
        /// 任职记录与人事事件（入职、调岗、离职）
        Employment = "employment",
        /// 劳动合同
        LabourContract = "labour_contract",
        /// 薪酬与工资发放记录
        Payroll = "payroll",
        /// 银行账户 — 敏感（金融账户）
        FinancialAccount = "financial_account",
        /// 考勤记录
        Attendance = "attendance",
        /// 健康与医疗信息 — 敏感
        Health = "health",
        /// 生物识别信息（指纹、人脸）— 敏感
        Biometric = "biometric",
        /// 照片与影像
        Photo = "photo",
        /// 行踪轨迹 — 敏感
        Location = "location",
        /// 账号与登录会话
        Account = "account",
    }
);

impl DataCategory {
    /// 敏感个人信息 (个人信息保护法 第二十八条): biometrics, medical health, financial
    /// accounts, whereabouts, and identity documents (GB/T 35273 lists 身份证件 as sensitive).
    pub fn is_sensitive(&self) -> bool {
        matches!(
            self,
            DataCategory::IdentityDocument
                | DataCategory::FinancialAccount
                | DataCategory::Health
                | DataCategory::Biometric
                | DataCategory::Location
        )
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            DataCategory::Identity => "身份信息",
            DataCategory::IdentityDocument => "证件影像",
            DataCategory::Contact => "联系方式",
            DataCategory::Family => "家庭成员与紧急联系人",
            DataCategory::Education => "教育经历",
            DataCategory::Employment => "任职记录",
            DataCategory::LabourContract => "劳动合同",
            DataCategory::Payroll => "薪酬与工资发放记录",
            DataCategory::FinancialAccount => "银行账户",
            DataCategory::Attendance => "考勤记录",
            DataCategory::Health => "健康医疗信息",
            DataCategory::Biometric => "生物识别信息",
            DataCategory::Photo => "照片影像",
            DataCategory::Location => "行踪轨迹",
            DataCategory::Account => "账号与会话",
        }
    }
}

code_enum!(
    /// Why a purpose needs 单独同意 (separate consent), each naming its article.
    SeparateConsentReason {
        /// 处理敏感个人信息 (第二十九条)
        SensitiveData = "sensitive_data",
        /// 向其他个人信息处理者提供 (第二十三条)
        ThirdPartyProvision = "third_party_provision",
        /// 向境外提供 (第三十九条)
        CrossBorderTransfer = "cross_border_transfer",
        /// 公开 (第二十五条)
        PublicDisclosure = "public_disclosure",
    }
);

impl SeparateConsentReason {
    /// The PIPL article that asks for separate consent.
    pub fn article(&self) -> u8 {
        match self {
            SeparateConsentReason::SensitiveData => 29,
            SeparateConsentReason::ThirdPartyProvision => 23,
            SeparateConsentReason::CrossBorderTransfer => 39,
            SeparateConsentReason::PublicDisclosure => 25,
        }
    }
}

/// A processing purpose (处理目的) as a notice version declares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    /// Stable snake_case code, e.g. `payroll`, `health_check`, `group_hr_abroad`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub description: Option<String>,
    pub kind: ProcessingKind,
    pub legal_basis: LegalBasis,
    pub data_categories: Vec<DataCategory>,
    /// For provision, cross-border transfer and disclosure: who receives (and where).
    #[serde(default)]
    pub recipient: Option<String>,
    /// 保存期限, as told to the person (e.g. “离职后二年”).
    #[serde(default)]
    pub retention: Option<String>,
}

/// A purpose with what the law asks of it, as shown to people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct PurposeView {
    #[serde(flatten)]
    pub purpose: Purpose,
    /// 需单独同意 (个人信息保护法 第二十三、二十五、二十九、三十九条).
    pub separate_consent: bool,
    pub separate_consent_reasons: Vec<SeparateConsentReason>,
    /// True when processing for this purpose rests on the person's consent, so it can be
    /// given and withdrawn; false when another legal basis applies.
    pub consent_required: bool,
}

/// 发布隐私政策新版本.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNotice {
    pub title: String,
    /// The notice text (Markdown): processor identity and contact, purposes, methods,
    /// categories, retention, how to exercise rights (个人信息保护法 第十七条).
    pub body: String,
    /// 变更说明: what changed since the previous version.
    #[serde(default)]
    pub changes: Option<String>,
    pub purposes: Vec<Purpose>,
}

/// A published notice version. Versions are numbered 1, 2, 3…; the highest is current.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivacyNotice {
    pub id: NoticeId,
    pub version: i32,
    pub title: String,
    pub body: String,
    pub changes: Option<String>,
    pub purposes: Vec<Purpose>,
    pub published_at: DateTime<Utc>,
    pub published_by: UserId,
}

/// A notice version as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct NoticeView {
    pub id: NoticeId,
    pub version: i32,
    pub title: String,
    pub body: String,
    pub changes: Option<String>,
    pub purposes: Vec<PurposeView>,
    pub published_at: DateTime<Utc>,
    pub published_by: UserId,
}

/// The current notice for the signed-in employee, with their acknowledgement.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MyNotice {
    #[serde(flatten)]
    pub notice: NoticeView,
    /// When the caller acknowledged this version; null when not yet.
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// A version in the HR list, with how many employees acknowledged it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct NoticeSummary {
    pub id: NoticeId,
    pub version: i32,
    pub title: String,
    pub published_at: DateTime<Utc>,
    pub published_by: UserId,
    pub purposes: usize,
    pub acknowledgements: u64,
}

/// An employee's acknowledgement (已阅知) of one notice version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Acknowledgement {
    pub employee_id: EmployeeId,
    pub notice_id: NoticeId,
    pub version: i32,
    pub acknowledged_at: DateTime<Utc>,
    pub user_id: UserId,
}

code_enum!(
    ConsentAction {
        /// 同意
        Given = "given",
        /// 撤回同意
        Withdrawn = "withdrawn",
    }
);

/// One consent decision, append-only: the current state of a purpose is its latest record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ConsentRecord {
    pub id: ConsentId,
    pub employee_id: EmployeeId,
    pub purpose_code: String,
    pub action: ConsentAction,
    /// The notice version the person was shown when deciding.
    pub notice_version: i32,
    /// True when this was a 单独同意 (the purpose needs separate consent).
    pub separate: bool,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: UserId,
    /// Set when the withdrawal came with a data-subject request.
    pub request_id: Option<RequestId>,
}

code_enum!(
    ConsentStatus {
        /// 已同意
        Given = "given",
        /// 已撤回
        Withdrawn = "withdrawn",
        /// 未同意（尚未表态）
        NotGiven = "not_given",
        /// 无需同意（另有合法性基础）
        NotRequired = "not_required",
    }
);

/// One purpose of the current notice with the caller's consent on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ConsentState {
    pub purpose: PurposeView,
    pub status: ConsentStatus,
    /// When the current status was recorded.
    pub since: Option<DateTime<Utc>>,
    /// The notice version of the latest decision.
    pub notice_version: Option<i32>,
    /// 需重新同意: consent was given under a version whose definition of this purpose differs
    /// from the current one (个人信息保护法 第十四条第二款).
    pub needs_renewal: bool,
}

code_enum!(
    /// 请求类型 (个人信息保护法 第四十四至四十七条).
    RequestKind {
        /// 查阅、复制 (第四十五条)
        Access = "access",
        /// 更正、补充 (第四十六条)
        Correction = "correction",
        /// 删除 (第四十七条)
        Deletion = "deletion",
        /// 撤回同意 (第十五条) / 拒绝处理 (第四十四条)
        ConsentWithdrawal = "consent_withdrawal",
    }
);

code_enum!(
    RequestStatus {
        /// 已提交
        Submitted = "submitted",
        /// 处理中
        InProgress = "in_progress",
        /// 已完成
        Completed = "completed",
        /// 已拒绝（须说明理由，第五十条）
        Rejected = "rejected",
    }
);

impl RequestStatus {
    pub fn is_open(&self) -> bool {
        matches!(self, RequestStatus::Submitted | RequestStatus::InProgress)
    }
}

/// One field the person asks to correct, with the value they propose. The value is
/// personal data: stored in the request's sensitive column, never logged or audited.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldCorrection {
    /// A field of the employee record, e.g. `phone`, `address`, `name` (see `rules::CORRECTABLE_FIELDS`).
    pub field: String,
    pub proposed_value: String,
}

impl std::fmt::Debug for FieldCorrection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldCorrection").field("field", &self.field).field("proposed_value", &"<redacted>").finish()
    }
}

/// 提交个人信息权利请求.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub kind: RequestKind,
    /// What the person asks, in their words (optional; personal data, never logged).
    #[serde(default)]
    pub details: Option<String>,
    /// `correction`: the fields and proposed values (at least one).
    #[serde(default)]
    pub corrections: Vec<FieldCorrection>,
    /// `deletion`: the categories to delete; empty = everything held.
    #[serde(default)]
    pub categories: Vec<DataCategory>,
    /// `consent_withdrawal`: the purpose of the current notice.
    #[serde(default)]
    pub purpose_code: Option<String>,
}

impl std::fmt::Debug for NewRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewRequest")
            .field("kind", &self.kind)
            .field("details", &self.details.as_ref().map(|_| "<redacted>"))
            .field("corrections", &self.corrections)
            .field("categories", &self.categories)
            .field("purpose_code", &self.purpose_code)
            .finish()
    }
}

/// Where a retention rule starts counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RetentionPeriod {
    /// As long as the employment relationship lasts.
    WhileEmployed,
    /// This many years after the employment ended (解除或终止).
    YearsAfterTermination { years: u32 },
}

/// A legal retention obligation (法定保存期限), as data: what it keeps, for how long, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RetentionRule {
    pub code: String,
    pub categories: Vec<DataCategory>,
    pub period: RetentionPeriod,
    /// The legal reason shown when a request is refused, naming the law and article.
    pub basis_zh: String,
    pub basis_en: String,
}

/// What a retention rule keeps for one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RetainedData {
    pub rule: String,
    pub categories: Vec<DataCategory>,
    /// Kept until this day (inclusive); null while the employment lasts.
    pub until: Option<NaiveDate>,
    pub basis_zh: String,
    pub basis_en: String,
}

/// The retention check of a deletion or withdrawal request, stored with it so HR executes
/// exactly what was decided.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RetentionDecision {
    /// Categories that must be kept, and why.
    pub retained: Vec<RetainedData>,
    /// Categories HR may delete (or stop processing) now.
    pub deletable: Vec<DataCategory>,
}

impl RetentionDecision {
    /// Nothing requested may go: the request is refused.
    pub fn refuses(&self) -> bool {
        self.deletable.is_empty()
    }
}

/// The employment facts a retention decision depends on, from the people domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmploymentFacts {
    pub company_id: CompanyId,
    /// Employed on the day asked (any status other than 离职/退休).
    pub employed: bool,
    /// Last day of the most recent employment when it has ended (离职/退休).
    pub terminated_on: Option<NaiveDate>,
}

/// A data-subject request as stored and shown to its requester and to HR.
#[derive(Clone, Serialize, ToSchema)]
pub struct DataSubjectRequest {
    pub id: RequestId,
    pub employee_id: EmployeeId,
    pub company_id: CompanyId,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub details: Option<String>,
    pub corrections: Vec<FieldCorrection>,
    pub categories: Vec<DataCategory>,
    pub purpose_code: Option<String>,
    /// For deletion and withdrawal: what the legal-retention check decided.
    pub retention: Option<RetentionDecision>,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: UserId,
    /// 办理期限: answer by this day.
    pub due_date: NaiveDate,
    /// The outcome when completed, or the reason when rejected (第五十条: refusals state reasons).
    pub resolution: Option<String>,
    pub handled_by: Option<UserId>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for DataSubjectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataSubjectRequest")
            .field("id", &self.id)
            .field("employee_id", &self.employee_id)
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("corrections", &self.corrections)
            .field("due_date", &self.due_date)
            .finish_non_exhaustive()
    }
}

/// A request in HR lists: no free text or proposed values (those are read one request at a
/// time, audited), only which fields a correction touches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RequestSummary {
    pub id: RequestId,
    pub employee_id: EmployeeId,
    pub company_id: CompanyId,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub correction_fields: Vec<String>,
    pub submitted_at: DateTime<Utc>,
    pub due_date: NaiveDate,
    /// Open and past its due date on the day of the query.
    pub overdue: bool,
    pub handled_by: Option<UserId>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl DataSubjectRequest {
    pub fn summary(&self, today: NaiveDate) -> RequestSummary {
        RequestSummary {
            id: self.id,
            employee_id: self.employee_id,
            company_id: self.company_id,
            kind: self.kind,
            status: self.status,
            correction_fields: self.corrections.iter().map(|c| c.field.clone()).collect(),
            submitted_at: self.submitted_at,
            due_date: self.due_date,
            overdue: crate::rules::is_overdue(self.status, self.due_date, today),
            handled_by: self.handled_by,
            closed_at: self.closed_at,
        }
    }
}

/// One status change of a request (the request's own history; the audit trail has it too).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RequestTransition {
    pub request_id: RequestId,
    pub from_status: Option<RequestStatus>,
    pub to_status: RequestStatus,
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub note: Option<String>,
}

/// HR moves a request on: accept (in_progress), complete with the outcome, or reject with the reason.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransition {
    pub to: RequestStatus,
    /// Required for `completed` (the outcome, e.g. “已通过人事服务更正手机号”) and
    /// `rejected` (the reason given to the person).
    #[serde(default)]
    pub note: Option<String>,
}

code_enum!(
    /// 对外提供类型.
    SharingKind {
        /// 向境内第三方提供 (第二十三条)
        ThirdParty = "third_party",
        /// 委托处理 (第二十一条)
        Entrusted = "entrusted",
        /// 向境外提供 (第三十八条)
        CrossBorder = "cross_border",
    }
);

code_enum!(
    /// 保障措施.
    Safeguard {
        /// 单独同意
        SeparateConsent = "separate_consent",
        /// 个人信息保护影响评估 (第五十五条)
        ImpactAssessment = "impact_assessment",
        /// 委托处理/数据处理协议
        ProcessingAgreement = "processing_agreement",
        /// 数据出境安全评估 (第四十条)
        SecurityAssessment = "security_assessment",
        /// 个人信息出境标准合同 (第三十八条第一款第三项)
        StandardContract = "standard_contract",
        /// 个人信息保护认证 (第三十八条第一款第二项)
        Certification = "certification",
        /// 跨境人力资源管理豁免（《促进和规范数据跨境流动规定》, 2024）
        HrExemption = "hr_exemption",
        /// 加密传输与存储
        Encryption = "encryption",
        /// 去标识化
        Deidentification = "deidentification",
    }
);

impl Safeguard {
    /// A legal mechanism for transfer abroad (PIPL art.38 ¶1, 2024 CAC provisions).
    pub fn is_transfer_mechanism(&self) -> bool {
        matches!(
            self,
            Safeguard::SecurityAssessment
                | Safeguard::StandardContract
                | Safeguard::Certification
                | Safeguard::HrExemption
        )
    }
}

/// 新增/修改 对外提供与出境登记.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSharingEntry {
    pub kind: SharingKind,
    /// 接收方名称.
    pub recipient: String,
    /// 接收方联系方式 (第三十九条: 境外接收方的名称、联系方式).
    #[serde(default)]
    pub recipient_contact: Option<String>,
    /// ISO 3166-1 alpha-2 country of the recipient; required for cross-border transfers.
    #[serde(default)]
    pub country: Option<String>,
    pub purpose: String,
    pub data_categories: Vec<DataCategory>,
    pub legal_basis: LegalBasis,
    pub safeguards: Vec<Safeguard>,
    pub start_date: NaiveDate,
    /// Last day of the arrangement (inclusive); null while it lasts.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// One register entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct SharingEntry {
    pub id: SharingEntryId,
    pub kind: SharingKind,
    pub recipient: String,
    pub recipient_contact: Option<String>,
    pub country: Option<String>,
    pub purpose: String,
    pub data_categories: Vec<DataCategory>,
    /// Any category is sensitive personal information.
    pub includes_sensitive: bool,
    pub legal_basis: LegalBasis,
    pub safeguards: Vec<Safeguard>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    pub updated_at: DateTime<Utc>,
    pub updated_by: UserId,
}

/// Filters of the register list.
#[derive(Clone, Debug, Default)]
pub struct SharingQuery {
    pub kind: Option<SharingKind>,
    /// Only arrangements in force on this day.
    pub active_on: Option<NaiveDate>,
}

/// Filters of the HR request list.
#[derive(Clone, Debug, Default)]
pub struct RequestQuery {
    pub status: Option<RequestStatus>,
    pub kind: Option<RequestKind>,
    pub employee_id: Option<EmployeeId>,
    /// Only open requests due before this day (the overdue list).
    pub due_before: Option<NaiveDate>,
}

/// 个人信息副本: everything held about one person, by section.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DataCopy {
    pub employee_id: EmployeeId,
    pub generated_at: DateTime<Utc>,
    /// Section name → its content (`record`, `events`, `contracts`, `sessions`, `consents`,
    /// `consent_history`, `notices_acknowledged`, `requests`, `sharing`).
    #[schema(value_type = Object)]
    pub sections: serde_json::Map<String, serde_json::Value>,
}
