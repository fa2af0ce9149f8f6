//! Pure PIPL rules: which purposes need (separate) consent, when a consent must be renewed,
//! request due dates and the state machine, the legal-retention decision for deletion and
//! withdrawal, and input validation. No IO; most unit tests live here.

use crate::model::*;
use bole_core::{FieldErrors, Msg};
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use std::collections::{BTreeSet, HashSet};

/// Default answer period for a request, in days (issue 3: 15 days).
pub const DEFAULT_DUE_DAYS: u32 = 15;
/// 《劳动合同法》第五十条第三款: terminated contracts are kept at least two years.
pub const DEFAULT_CONTRACT_RETENTION_YEARS: u32 = 2;
/// 《工资支付暂行规定》第六条: wage payment records are kept at least two years.
pub const DEFAULT_WAGE_RETENTION_YEARS: u32 = 2;

/// When a request is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DueRule {
    pub days: u32,
    /// Count Monday–Friday only (工作日). Public holidays and 调休 are not known here, so this
    /// is an approximation that errs on the generous side for the person only on holiday weeks.
    pub working_days: bool,
}

impl Default for DueRule {
    fn default() -> Self {
        Self { days: DEFAULT_DUE_DAYS, working_days: false }
    }
}

/// The configurable parts of the privacy rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivacyPolicy {
    pub due: DueRule,
    /// Legal retention obligations, checked in order.
    pub retention: Vec<RetentionRule>,
}

impl Default for PrivacyPolicy {
    fn default() -> Self {
        Self::new(DueRule::default(), DEFAULT_CONTRACT_RETENTION_YEARS, DEFAULT_WAGE_RETENTION_YEARS)
    }
}

impl PrivacyPolicy {
    /// The built-in retention rules with configurable periods.
    pub fn new(due: DueRule, contract_years: u32, wage_years: u32) -> Self {
        use DataCategory as C;
        let retention = vec![
            RetentionRule {
                code: "employment_relationship".into(),
                categories: vec![
                    C::Identity,
                    C::Contact,
                    C::Family,
                    C::Education,
                    C::Employment,
                    C::LabourContract,
                    C::Payroll,
                    C::FinancialAccount,
                    C::Attendance,
                    C::Account,
                ],
                period: RetentionPeriod::WhileEmployed,
                basis_zh: "劳动关系存续期间，为履行劳动合同和实施人力资源管理所必需（《个人信息保护法》第十三条第一款第二项）".into(),
                basis_en: "Needed to perform the labour contract and manage human resources while the employment lasts (PIPL art. 13(1)(2))".into(),
            },
            RetentionRule {
                code: "labour_contract".into(),
                categories: vec![C::Identity, C::Employment, C::LabourContract],
                period: RetentionPeriod::YearsAfterTermination { years: contract_years },
                basis_zh: format!(
                    "用人单位对已经解除或者终止的劳动合同的文本，至少保存{}年备查（《劳动合同法》第五十条第三款）",
                    contract_years
                ),
                basis_en: format!(
                    "The text of an ended or terminated labour contract is kept at least {contract_years} years (Labour Contract Law art. 50 ¶3)"
                ),
            },
            RetentionRule {
                code: "wage_records".into(),
                categories: vec![C::Identity, C::Payroll],
                period: RetentionPeriod::YearsAfterTermination { years: wage_years },
                basis_zh: format!("工资支付记录至少保存{}年备查（《工资支付暂行规定》第六条）", wage_years),
                basis_en: format!(
                    "Wage payment records are kept at least {wage_years} years (Provisional Regulations on Wage Payment art. 6)"
                ),
            },
        ];
        Self { due, retention }
    }
}

// ----------------------------------------------------------------------------- consent

/// Why a purpose needs 单独同意, if it does: sensitive data (art. 29), provision to another
/// processor (art. 23), transfer abroad (art. 39), public disclosure (art. 25).
pub fn separate_consent_reasons(p: &Purpose) -> Vec<SeparateConsentReason> {
    let mut out = Vec::new();
    if p.data_categories.iter().any(DataCategory::is_sensitive) {
        out.push(SeparateConsentReason::SensitiveData);
    }
    match p.kind {
        ProcessingKind::Internal => {}
        ProcessingKind::ThirdPartyProvision => out.push(SeparateConsentReason::ThirdPartyProvision),
        ProcessingKind::CrossBorderTransfer => out.push(SeparateConsentReason::CrossBorderTransfer),
        ProcessingKind::PublicDisclosure => out.push(SeparateConsentReason::PublicDisclosure),
    }
    out
}

/// Whether the person's consent is asked for this purpose.
///
/// Consent is the basis when the notice says so. Where a purpose needs separate consent and
/// rests on HR necessity or a contract (art. 13(1)(2)), whether the separate-consent articles
/// still apply is debated; Bole takes the conservative reading (china-hr-rules.md §6) and asks
/// for it — the 2024 CAC cross-border HR exemption itself keeps notice + separate consent.
/// A legal obligation, an emergency or another law needs no consent.
pub fn consent_required(p: &Purpose) -> bool {
    match p.legal_basis {
        LegalBasis::Consent => true,
        LegalBasis::Contract | LegalBasis::HrManagement => !separate_consent_reasons(p).is_empty(),
        LegalBasis::LegalObligation | LegalBasis::Emergency | LegalBasis::OtherLaw => false,
    }
}

pub fn purpose_view(p: Purpose) -> PurposeView {
    let reasons = separate_consent_reasons(&p);
    let required = consent_required(&p);
    PurposeView {
        separate_consent: !reasons.is_empty(),
        separate_consent_reasons: reasons,
        consent_required: required,
        purpose: p,
    }
}

pub fn notice_view(n: PrivacyNotice) -> NoticeView {
    NoticeView {
        id: n.id,
        version: n.version,
        title: n.title,
        body: n.body,
        changes: n.changes,
        purposes: n.purposes.into_iter().map(purpose_view).collect(),
        published_at: n.published_at,
        published_by: n.published_by,
    }
}

/// A material change of a purpose (目的、处理方式、个人信息种类 变更) asks for new consent
/// (art. 14 ¶2): a different kind of processing, legal basis, recipient or set of categories.
/// Wording of names and descriptions is not material.
pub fn purpose_changed(old: &Purpose, new: &Purpose) -> bool {
    let cats = |p: &Purpose| p.data_categories.iter().copied().collect::<BTreeSet<_>>();
    old.kind != new.kind
        || old.legal_basis != new.legal_basis
        || cats(old) != cats(new)
        || old.recipient.as_deref().map(str::trim) != new.recipient.as_deref().map(str::trim)
}

/// The latest consent record per purpose code, from a history in recording order.
pub fn latest_consents(history: &[ConsentRecord]) -> Vec<&ConsentRecord> {
    let mut seen = HashSet::new();
    let mut out: Vec<&ConsentRecord> = history.iter().rev().filter(|r| seen.insert(r.purpose_code.as_str())).collect();
    out.reverse();
    out
}

/// The consent state of each purpose of the current notice. `purpose_in(version, code)`
/// gives the purpose as an earlier version defined it (for renewal).
pub fn consent_states<'a>(
    current: &PrivacyNotice,
    history: &[ConsentRecord],
    purpose_in: impl Fn(i32, &str) -> Option<&'a Purpose>,
) -> Vec<ConsentState> {
    let latest = latest_consents(history);
    current
        .purposes
        .iter()
        .map(|p| {
            let view = purpose_view(p.clone());
            if !view.consent_required {
                return ConsentState {
                    purpose: view,
                    status: ConsentStatus::NotRequired,
                    since: None,
                    notice_version: None,
                    needs_renewal: false,
                };
            }
            let last = latest.iter().find(|r| r.purpose_code == p.code);
            let (status, since, version, renew) = match last {
                Some(r) if r.action == ConsentAction::Given => {
                    let renew = r.notice_version != current.version
                        && purpose_in(r.notice_version, &p.code).is_none_or(|old| purpose_changed(old, p));
                    (ConsentStatus::Given, Some(r.recorded_at), Some(r.notice_version), renew)
                }
                Some(r) => (ConsentStatus::Withdrawn, Some(r.recorded_at), Some(r.notice_version), false),
                None => (ConsentStatus::NotGiven, None, None, false),
            };
            ConsentState { purpose: view, status, since, notice_version: version, needs_renewal: renew }
        })
        .collect()
}

// ----------------------------------------------------------------------------- requests

/// 办理期限: `days` calendar days (or working days) after the day of submission.
pub fn due_date(submitted_on: NaiveDate, rule: DueRule) -> NaiveDate {
    if !rule.working_days {
        return submitted_on.checked_add_days(Days::new(u64::from(rule.days))).unwrap_or(NaiveDate::MAX);
    }
    let mut day = submitted_on;
    let mut left = rule.days;
    while left > 0 {
        day = match day.succ_opt() {
            Some(d) => d,
            None => return NaiveDate::MAX,
        };
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
}

/// Open and past the due date: due on day D means answered by the end of D.
pub fn is_overdue(status: RequestStatus, due: NaiveDate, today: NaiveDate) -> bool {
    status.is_open() && today > due
}

/// The request state machine: submitted → in_progress → completed | rejected, and a
/// submitted request may be rejected outright. Closing needs a note: the outcome, or the
/// reason given to the person (art. 50).
pub fn check_transition(from: RequestStatus, to: RequestStatus, note: Option<&str>) -> Result<(), TransitionProblem> {
    use RequestStatus as S;
    let allowed = matches!(
        (from, to),
        (S::Submitted, S::InProgress)
            | (S::Submitted, S::Rejected)
            | (S::InProgress, S::Completed)
            | (S::InProgress, S::Rejected)
    );
    if !allowed {
        return Err(TransitionProblem::NotAllowed);
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    match (to, note) {
        (S::Completed | S::Rejected, None) => Err(TransitionProblem::NoteRequired),
        (_, Some(n)) if n.chars().count() > MAX_NOTE => Err(TransitionProblem::NoteTooLong),
        _ => Ok(()),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransitionProblem {
    NotAllowed,
    NoteRequired,
    NoteTooLong,
}

pub const MAX_NOTE: usize = 2000;

/// The legal-retention check of a deletion or withdrawal: which of the `requested`
/// categories a rule keeps on `today`, and which may go.
///
/// While employed every rule applies (the contract and wage records are still being
/// made); after the employment ended a `YearsAfterTermination` rule keeps its categories
/// through the anniversary of the last day. Someone never employed is under no rule.
pub fn retention_decision(
    rules: &[RetentionRule],
    facts: &EmploymentFacts,
    requested: &[DataCategory],
    today: NaiveDate,
) -> RetentionDecision {
    let requested: BTreeSet<DataCategory> = requested.iter().copied().collect();
    let mut kept: BTreeSet<DataCategory> = BTreeSet::new();
    let mut retained = Vec::new();
    for rule in rules {
        let until = match (rule.period, facts.employed, facts.terminated_on) {
            (_, true, _) => Some(None),
            (RetentionPeriod::WhileEmployed, false, _) => None,
            (RetentionPeriod::YearsAfterTermination { years }, false, Some(last_day)) => {
                let until =
                    last_day.checked_add_months(Months::new(years.saturating_mul(12))).unwrap_or(NaiveDate::MAX);
                (today <= until).then_some(Some(until))
            }
            (RetentionPeriod::YearsAfterTermination { .. }, false, None) => None,
        };
        let Some(until) = until else { continue };
        let categories: Vec<DataCategory> = rule.categories.iter().copied().filter(|c| requested.contains(c)).collect();
        if categories.is_empty() {
            continue;
        }
        kept.extend(categories.iter().copied());
        retained.push(RetainedData {
            rule: rule.code.clone(),
            categories,
            until,
            basis_zh: rule.basis_zh.clone(),
            basis_en: rule.basis_en.clone(),
        });
    }
    let deletable = requested.into_iter().filter(|c| !kept.contains(c)).collect();
    RetentionDecision { retained, deletable }
}

/// The reason given to the person when retention keeps what they asked to delete, in
/// both languages (the request has one text field; people's reasons are written the same way).
pub fn retention_reason(decision: &RetentionDecision) -> String {
    let zh: Vec<String> = decision
        .retained
        .iter()
        .map(|r| {
            let cats: Vec<&str> = r.categories.iter().map(DataCategory::label_zh).collect();
            match r.until {
                Some(u) => format!("{}须依法保存至{}：{}", cats.join("、"), u, r.basis_zh),
                None => format!("{}在劳动关系存续期间须保存：{}", cats.join("、"), r.basis_zh),
            }
        })
        .collect();
    let en: Vec<String> = decision
        .retained
        .iter()
        .map(|r| {
            let cats: Vec<&str> = r.categories.iter().map(DataCategory::as_str).collect();
            match r.until {
                Some(u) => format!("{} must be kept until {}: {}", cats.join(", "), u, r.basis_en),
                None => format!("{} must be kept while the employment lasts: {}", cats.join(", "), r.basis_en),
            }
        })
        .collect();
    format!("{}。 / {}.", zh.join("；"), en.join("; "))
}

/// Fields of the employee record a correction may name. Names only ever reach the audit
/// trail, so they come from this list, never from free text.
pub const CORRECTABLE_FIELDS: &[&str] = &[
    "name",
    "gender",
    "birth_date",
    "id_type",
    "id_number",
    "ethnicity",
    "political_status",
    "marital_status",
    "native_place",
    "education_level",
    "degree",
    "phone",
    "email",
    "address",
    "educations",
    "contacts",
    "employment",
    "contracts",
    "other",
];

const MAX_DETAILS: usize = 2000;
const MAX_PROPOSED: usize = 500;
const MAX_CORRECTIONS: usize = 30;

fn msg(zh: impl Into<String>, en: impl Into<String>) -> Msg {
    Msg::new(zh, en)
}

/// Shape checks of a new request (the purpose's existence is the service's to check).
pub fn validate_request(r: &NewRequest) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if r.details.as_deref().is_some_and(|d| d.chars().count() > MAX_DETAILS) {
        e.add("details", msg("说明不超过2000个字", "details must be at most 2000 characters"));
    }
    let not_here = |e: &mut FieldErrors, field: &str| {
        e.add(field, msg("该类型的请求不填写此项", "not used by this kind of request"));
    };
    if r.kind != RequestKind::Correction && !r.corrections.is_empty() {
        not_here(&mut e, "corrections");
    }
    if r.kind != RequestKind::Deletion && !r.categories.is_empty() {
        not_here(&mut e, "categories");
    }
    if r.kind != RequestKind::ConsentWithdrawal && r.purpose_code.is_some() {
        not_here(&mut e, "purpose_code");
    }
    match r.kind {
        RequestKind::Correction => {
            if r.corrections.is_empty() {
                e.add("corrections", msg("请至少填写一项需更正的信息", "name at least one field to correct"));
            }
            if r.corrections.len() > MAX_CORRECTIONS {
                e.add("corrections", msg("一次最多更正30项", "at most 30 fields per request"));
            }
            let mut seen = HashSet::new();
            for (i, c) in r.corrections.iter().enumerate() {
                if !CORRECTABLE_FIELDS.contains(&c.field.as_str()) {
                    e.add(
                        format!("corrections[{i}].field"),
                        msg(
                            format!("不能更正该字段；可选：{}", CORRECTABLE_FIELDS.join("、")),
                            format!("not a correctable field; use one of {}", CORRECTABLE_FIELDS.join(", ")),
                        ),
                    );
                } else if !seen.insert(c.field.as_str()) {
                    e.add(format!("corrections[{i}].field"), msg("同一字段重复", "the field is listed twice"));
                }
                let n = c.proposed_value.trim().chars().count();
                if n == 0 || n > MAX_PROPOSED {
                    e.add(
                        format!("corrections[{i}].proposed_value"),
                        msg("更正后的值不能为空且不超过500个字", "the proposed value must be 1–500 characters"),
                    );
                }
            }
        }
        RequestKind::ConsentWithdrawal => {
            if r.purpose_code.as_deref().is_none_or(|p| p.trim().is_empty()) {
                e.add("purpose_code", msg("请选择要撤回同意的处理目的", "name the purpose to withdraw from"));
            }
        }
        RequestKind::Access | RequestKind::Deletion => {}
    }
    e.into_result()
}

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && code.len() <= 50
        && code.len() >= 2
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn len_between(s: &str, min: usize, max: usize) -> bool {
    let n = s.trim().chars().count();
    n >= min && n <= max
}

/// A notice needs a title, a text and at least one purpose; purposes have unique codes and
/// say what they process, and a purpose that leaves the employer names its recipient.
pub fn validate_notice(n: &NewNotice) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if !len_between(&n.title, 1, 200) {
        e.add("title", msg("标题不能为空且不超过200个字", "title must be 1–200 characters"));
    }
    if !len_between(&n.body, 1, 100_000) {
        e.add("body", msg("正文不能为空且不超过10万字", "body must be 1–100000 characters"));
    }
    if n.changes.as_deref().is_some_and(|c| c.chars().count() > 2000) {
        e.add("changes", msg("变更说明不超过2000个字", "changes must be at most 2000 characters"));
    }
    if n.purposes.is_empty() || n.purposes.len() > 100 {
        e.add("purposes", msg("请列出1–100个处理目的", "list 1–100 purposes"));
    }
    let mut codes = HashSet::new();
    for (i, p) in n.purposes.iter().enumerate() {
        let f = |x: &str| format!("purposes[{i}].{x}");
        if !valid_code(&p.code) {
            e.add(
                f("code"),
                msg(
                    "代码须为2–50位小写字母、数字或下划线，以字母开头",
                    "code must be 2–50 lowercase letters, digits or underscores, starting with a letter",
                ),
            );
        } else if !codes.insert(p.code.as_str()) {
            e.add(f("code"), msg("处理目的代码重复", "duplicate purpose code"));
        }
        if !len_between(&p.name_zh, 1, 100) {
            e.add(f("name_zh"), msg("中文名称不能为空且不超过100个字", "name_zh must be 1–100 characters"));
        }
        if !len_between(&p.name_en, 1, 200) {
            e.add(f("name_en"), msg("英文名称不能为空且不超过200个字符", "name_en must be 1–200 characters"));
        }
        if p.description.as_deref().is_some_and(|d| d.chars().count() > 2000) {
            e.add(f("description"), msg("说明不超过2000个字", "description must be at most 2000 characters"));
        }
        if p.data_categories.is_empty() {
            e.add(f("data_categories"), msg("请列出处理的个人信息种类", "list the categories of personal data"));
        }
        if p.kind != ProcessingKind::Internal && p.recipient.as_deref().is_none_or(|r| r.trim().is_empty()) {
            e.add(
                f("recipient"),
                msg(
                    "向他人提供、向境外提供或公开时须告知接收方（第二十三、三十九条）",
                    "name the recipient when data is provided, transferred abroad or disclosed (PIPL arts. 23, 39)",
                ),
            );
        }
        if p.recipient.as_deref().is_some_and(|r| r.chars().count() > 200) {
            e.add(f("recipient"), msg("接收方不超过200个字", "recipient must be at most 200 characters"));
        }
        if p.retention.as_deref().is_some_and(|r| r.chars().count() > 200) {
            e.add(f("retention"), msg("保存期限说明不超过200个字", "retention must be at most 200 characters"));
        }
    }
    e.into_result()
}

/// A register entry names its recipient, purpose and data; a cross-border transfer names the
/// country and its legal transfer mechanism (art. 38); providing or transferring needs a
/// prior impact assessment (art. 55).
pub fn validate_sharing(s: &NewSharingEntry) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if !len_between(&s.recipient, 1, 200) {
        e.add("recipient", msg("接收方不能为空且不超过200个字", "recipient must be 1–200 characters"));
    }
    if s.recipient_contact.as_deref().is_some_and(|c| c.chars().count() > 200) {
        e.add("recipient_contact", msg("联系方式不超过200个字", "recipient_contact must be at most 200 characters"));
    }
    if !len_between(&s.purpose, 1, 500) {
        e.add("purpose", msg("目的不能为空且不超过500个字", "purpose must be 1–500 characters"));
    }
    if s.data_categories.is_empty() {
        e.add("data_categories", msg("请列出提供的个人信息种类", "list the categories of personal data"));
    }
    if s.notes.as_deref().is_some_and(|c| c.chars().count() > 2000) {
        e.add("notes", msg("备注不超过2000个字", "notes must be at most 2000 characters"));
    }
    if let Some(end) = s.end_date
        && end < s.start_date
    {
        e.add("end_date", msg("结束日期早于开始日期", "end date is before start date"));
    }
    let country_ok = |c: &str| c.len() == 2 && c.chars().all(|x| x.is_ascii_uppercase());
    match (s.kind, s.country.as_deref()) {
        (SharingKind::CrossBorder, None) => {
            e.add("country", msg("向境外提供须填写接收方所在国家或地区", "a cross-border transfer names the country"))
        }
        (SharingKind::CrossBorder, Some("CN")) => {
            e.add("country", msg("境外接收方的国家或地区不能是 CN", "a cross-border recipient is not in CN"))
        }
        (_, Some(c)) if !country_ok(c) => e.add(
            "country",
            msg(
                "国家或地区代码为两位大写字母（ISO 3166-1，如 SG、HK）",
                "use a two-letter ISO 3166-1 code such as SG or HK",
            ),
        ),
        _ => {}
    }
    if s.kind == SharingKind::CrossBorder && !s.safeguards.iter().any(Safeguard::is_transfer_mechanism) {
        e.add(
            "safeguards",
            msg(
                "向境外提供须具备安全评估、标准合同、认证或跨境人力资源管理豁免之一（第三十八条）",
                "a cross-border transfer needs a security assessment, standard contract, certification or the HR exemption (PIPL art. 38)",
            ),
        );
    }
    if !s.safeguards.contains(&Safeguard::ImpactAssessment) {
        e.add(
            "safeguards",
            msg(
                "向他人提供、委托处理或向境外提供前须进行个人信息保护影响评估（第五十五条）",
                "providing, entrusting or transferring abroad needs a prior impact assessment (PIPL art. 55)",
            ),
        );
    }
    e.into_result()
}

/// Every category once, in the enum's order.
pub fn dedup_categories(list: &[DataCategory]) -> Vec<DataCategory> {
    list.iter().copied().collect::<BTreeSet<_>>().into_iter().collect()
}

/// Whether an entry is in force on `day` (end date inclusive).
pub fn sharing_active_on(entry: &SharingEntry, day: NaiveDate) -> bool {
    entry.start_date <= day && entry.end_date.is_none_or(|e| day <= e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bole_core::{CompanyId, EmployeeId, UserId};
    use chrono::{TimeZone, Utc};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn purpose(code: &str, kind: ProcessingKind, basis: LegalBasis, cats: &[DataCategory]) -> Purpose {
        Purpose {
            code: code.into(),
            name_zh: "目的".into(),
            name_en: "purpose".into(),
            description: None,
            kind,
            legal_basis: basis,
            data_categories: cats.to_vec(),
            recipient: (kind != ProcessingKind::Internal).then(|| "接收方".into()),
            retention: None,
        }
    }

    #[test]
    fn separate_consent_purposes_follow_pipl_articles_23_25_29_39() {
        use DataCategory as C;
        use LegalBasis as B;
        use ProcessingKind as K;
        let payroll = purpose("payroll", K::Internal, B::HrManagement, &[C::Identity, C::Payroll]);
        assert!(separate_consent_reasons(&payroll).is_empty());
        assert!(!consent_required(&payroll), "HR necessity needs no consent (art. 13(1)(2))");

        let health = purpose("health_check", K::Internal, B::HrManagement, &[C::Health]);
        assert_eq!(separate_consent_reasons(&health), vec![SeparateConsentReason::SensitiveData]);
        assert!(consent_required(&health), "conservative reading: separate consent for sensitive data");

        let bank = purpose("salary_card", K::ThirdPartyProvision, B::Consent, &[C::Identity, C::FinancialAccount]);
        assert_eq!(
            separate_consent_reasons(&bank),
            vec![SeparateConsentReason::SensitiveData, SeparateConsentReason::ThirdPartyProvision]
        );
        let abroad = purpose("group_hr", K::CrossBorderTransfer, B::HrManagement, &[C::Identity]);
        assert_eq!(separate_consent_reasons(&abroad), vec![SeparateConsentReason::CrossBorderTransfer]);
        assert!(consent_required(&abroad), "the HR cross-border exemption keeps separate consent");
        assert_eq!(SeparateConsentReason::CrossBorderTransfer.article(), 39);

        let wall = purpose("honour_wall", K::PublicDisclosure, B::Consent, &[C::Photo]);
        assert_eq!(separate_consent_reasons(&wall), vec![SeparateConsentReason::PublicDisclosure]);

        let social = purpose("social_insurance", K::ThirdPartyProvision, B::LegalObligation, &[C::Identity]);
        assert!(!consent_required(&social), "a legal obligation needs no consent");
        assert!(purpose_view(social).separate_consent, "but the flag still says what kind of processing it is");

        let photo = purpose("intranet_photo", K::Internal, B::Consent, &[C::Photo]);
        let v = purpose_view(photo);
        assert!(v.consent_required && !v.separate_consent);
    }

    #[test]
    fn sensitive_categories_are_the_article_28_ones() {
        let sensitive: Vec<_> = DataCategory::ALL.iter().filter(|c| c.is_sensitive()).map(|c| c.as_str()).collect();
        assert_eq!(sensitive, ["identity_document", "financial_account", "health", "biometric", "location"]);
    }

    #[test]
    fn due_dates_default_to_fifteen_days_and_can_count_working_days() {
        assert_eq!(due_date(d("2026-03-02"), DueRule::default()), d("2026-03-17"));
        assert_eq!(due_date(d("2026-12-25"), DueRule::default()), d("2027-01-09"));
        assert_eq!(due_date(d("2026-03-02"), DueRule { days: 30, working_days: false }), d("2026-04-01"));
        // Monday 2 March + 15 working days = Monday 23 March.
        assert_eq!(due_date(d("2026-03-02"), DueRule { days: 15, working_days: true }), d("2026-03-23"));
        // Submitted on a Saturday: the count starts on Monday.
        assert_eq!(due_date(d("2026-03-07"), DueRule { days: 1, working_days: true }), d("2026-03-09"));
        assert_eq!(due_date(d("2026-03-02"), DueRule { days: 0, working_days: true }), d("2026-03-02"));
    }

    #[test]
    fn overdue_means_open_and_past_the_due_day() {
        let due = d("2026-03-17");
        assert!(!is_overdue(RequestStatus::Submitted, due, d("2026-03-17")));
        assert!(is_overdue(RequestStatus::Submitted, due, d("2026-03-18")));
        assert!(is_overdue(RequestStatus::InProgress, due, d("2026-04-01")));
        assert!(!is_overdue(RequestStatus::Completed, due, d("2026-04-01")));
        assert!(!is_overdue(RequestStatus::Rejected, due, d("2026-04-01")));
    }

    #[test]
    fn request_state_machine() {
        use RequestStatus as S;
        assert_eq!(check_transition(S::Submitted, S::InProgress, None), Ok(()));
        assert_eq!(check_transition(S::Submitted, S::Rejected, Some("不属于本单位处理的信息")), Ok(()));
        assert_eq!(check_transition(S::Submitted, S::Rejected, Some("  ")), Err(TransitionProblem::NoteRequired));
        assert_eq!(check_transition(S::InProgress, S::Completed, None), Err(TransitionProblem::NoteRequired));
        assert_eq!(check_transition(S::InProgress, S::Completed, Some("已更正")), Ok(()));
        assert_eq!(check_transition(S::Submitted, S::Completed, Some("x")), Err(TransitionProblem::NotAllowed));
        assert_eq!(check_transition(S::Completed, S::Rejected, Some("x")), Err(TransitionProblem::NotAllowed));
        assert_eq!(check_transition(S::Rejected, S::InProgress, None), Err(TransitionProblem::NotAllowed));
        assert_eq!(check_transition(S::InProgress, S::InProgress, None), Err(TransitionProblem::NotAllowed));
        let long = "长".repeat(MAX_NOTE + 1);
        assert_eq!(check_transition(S::InProgress, S::Completed, Some(&long)), Err(TransitionProblem::NoteTooLong));
    }

    fn facts(employed: bool, terminated_on: Option<&str>) -> EmploymentFacts {
        EmploymentFacts { company_id: CompanyId::new(), employed, terminated_on: terminated_on.map(d) }
    }

    #[test]
    fn retention_refuses_deletion_while_employed() {
        let policy = PrivacyPolicy::default();
        let dec = retention_decision(&policy.retention, &facts(true, None), DataCategory::ALL, d("2026-03-02"));
        assert!(!dec.refuses(), "optional data (health, photo…) can go even while employed");
        assert!(dec.deletable.contains(&DataCategory::Photo) && dec.deletable.contains(&DataCategory::Biometric));
        assert!(!dec.deletable.contains(&DataCategory::LabourContract));
        let core = [DataCategory::Identity, DataCategory::LabourContract];
        let dec = retention_decision(&policy.retention, &facts(true, None), &core, d("2026-03-02"));
        assert!(dec.refuses());
        assert_eq!(dec.retained[0].rule, "employment_relationship");
        assert_eq!(dec.retained[0].until, None);
        assert!(dec.retained.iter().any(|r| r.rule == "labour_contract"));
        let reason = retention_reason(&dec);
        assert!(reason.contains("第十三条") && reason.contains("第五十条"), "{reason}");
    }

    #[test]
    fn retention_keeps_contract_data_two_years_after_termination() {
        let policy = PrivacyPolicy::default();
        let left = facts(false, Some("2024-06-30"));
        let core = [DataCategory::Identity, DataCategory::LabourContract, DataCategory::Family];
        let dec = retention_decision(&policy.retention, &left, &core, d("2026-03-02"));
        assert!(!dec.refuses());
        assert_eq!(dec.deletable, vec![DataCategory::Family]);
        let contract = dec.retained.iter().find(|r| r.rule == "labour_contract").unwrap();
        assert_eq!(contract.until, Some(d("2026-06-30")));
        assert!(contract.basis_zh.contains("《劳动合同法》第五十条"));
        assert!(dec.retained.iter().all(|r| r.rule != "employment_relationship"));

        let only_contract = [DataCategory::LabourContract];
        assert!(retention_decision(&policy.retention, &left, &only_contract, d("2026-06-30")).refuses());
        let after = retention_decision(&policy.retention, &left, &only_contract, d("2026-07-01"));
        assert!(!after.refuses() && after.retained.is_empty());

        // Configurable: three years keeps it a year longer.
        let longer = PrivacyPolicy::new(DueRule::default(), 3, 2);
        let dec = retention_decision(&longer.retention, &left, &only_contract, d("2027-01-01"));
        assert!(dec.refuses());
        assert_eq!(dec.retained[0].until, Some(d("2027-06-30")));
        assert!(dec.retained[0].basis_zh.contains("至少保存3年"));

        // Never employed: nothing is kept.
        let never = retention_decision(&policy.retention, &facts(false, None), &only_contract, d("2026-03-02"));
        assert!(never.retained.is_empty() && never.deletable == vec![DataCategory::LabourContract]);

        // Leap day: 29 Feb + 2 years is 28 Feb.
        let leap =
            retention_decision(&policy.retention, &facts(false, Some("2024-02-29")), &only_contract, d("2026-02-28"));
        assert_eq!(leap.retained[0].until, Some(d("2026-02-28")));
    }

    fn record(code: &str, action: ConsentAction, version: i32, minute: u32) -> ConsentRecord {
        ConsentRecord {
            id: ConsentId::new(),
            employee_id: EmployeeId(uuid::Uuid::nil()),
            purpose_code: code.into(),
            action,
            notice_version: version,
            separate: false,
            recorded_at: Utc.with_ymd_and_hms(2026, 3, 1, 9, minute, 0).unwrap(),
            recorded_by: UserId(uuid::Uuid::nil()),
            request_id: None,
        }
    }

    fn notice(version: i32, purposes: Vec<Purpose>) -> PrivacyNotice {
        PrivacyNotice {
            id: NoticeId::new(),
            version,
            title: "t".into(),
            body: "b".into(),
            changes: None,
            purposes,
            published_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            published_by: UserId(uuid::Uuid::nil()),
        }
    }

    #[test]
    fn consent_state_is_the_latest_record_and_material_changes_ask_for_renewal() {
        use DataCategory as C;
        let photo_v1 = purpose("photo", ProcessingKind::Internal, LegalBasis::Consent, &[C::Photo]);
        let health_v1 = purpose("health", ProcessingKind::Internal, LegalBasis::Consent, &[C::Health]);
        let payroll = purpose("payroll", ProcessingKind::Internal, LegalBasis::HrManagement, &[C::Payroll]);
        let v1 = notice(1, vec![photo_v1.clone(), health_v1.clone(), payroll.clone()]);
        let mut photo_v2 = photo_v1.clone();
        photo_v2.name_zh = "内网照片（改名）".into();
        let mut health_v2 = health_v1.clone();
        health_v2.data_categories.push(C::Biometric);
        let ann = purpose("annual_party", ProcessingKind::Internal, LegalBasis::Consent, &[C::Photo]);
        let v2 = notice(2, vec![photo_v2, health_v2, payroll, ann]);
        let history = vec![
            record("photo", ConsentAction::Given, 1, 1),
            record("health", ConsentAction::Given, 1, 2),
            record("photo", ConsentAction::Withdrawn, 1, 3),
            record("photo", ConsentAction::Given, 1, 4),
        ];
        let lookup = |v: i32, code: &str| if v == 1 { v1.purposes.iter().find(|p| p.code == code) } else { None };
        let states = consent_states(&v2, &history, lookup);
        let by = |c: &str| states.iter().find(|s| s.purpose.purpose.code == c).unwrap();
        assert_eq!(by("photo").status, ConsentStatus::Given);
        assert!(!by("photo").needs_renewal, "a new name is not a material change");
        assert_eq!(by("photo").since, Some(Utc.with_ymd_and_hms(2026, 3, 1, 9, 4, 0).unwrap()));
        assert_eq!(by("health").status, ConsentStatus::Given);
        assert!(by("health").needs_renewal, "a new category needs renewed consent (art. 14)");
        assert_eq!(by("payroll").status, ConsentStatus::NotRequired);
        assert_eq!(by("annual_party").status, ConsentStatus::NotGiven);
        assert_eq!(latest_consents(&history).len(), 2);
    }

    fn good_notice() -> NewNotice {
        NewNotice {
            title: "员工个人信息处理告知书".into(),
            body: "正文".into(),
            changes: None,
            purposes: vec![purpose(
                "payroll",
                ProcessingKind::Internal,
                LegalBasis::HrManagement,
                &[DataCategory::Payroll],
            )],
        }
    }

    #[test]
    fn notice_validation() {
        assert!(validate_notice(&good_notice()).is_ok());
        let mut n = good_notice();
        n.title = " ".into();
        n.purposes.push(n.purposes[0].clone());
        n.purposes.push(Purpose { code: "Bad-Code".into(), ..n.purposes[0].clone() });
        let mut abroad = purpose("abroad", ProcessingKind::CrossBorderTransfer, LegalBasis::Consent, &[]);
        abroad.recipient = None;
        n.purposes.push(abroad);
        let e = validate_notice(&n).unwrap_err();
        for k in
            ["title", "purposes[1].code", "purposes[2].code", "purposes[3].recipient", "purposes[3].data_categories"]
        {
            assert!(e.0.contains_key(k), "{k}: {:?}", e.0.keys().collect::<Vec<_>>());
        }
        let mut empty = good_notice();
        empty.purposes.clear();
        assert!(validate_notice(&empty).unwrap_err().0.contains_key("purposes"));
    }

    fn req(kind: RequestKind) -> NewRequest {
        NewRequest { kind, details: None, corrections: vec![], categories: vec![], purpose_code: None }
    }

    #[test]
    fn request_validation() {
        assert!(validate_request(&req(RequestKind::Access)).is_ok());
        assert!(validate_request(&req(RequestKind::Deletion)).is_ok());
        let e = validate_request(&req(RequestKind::Correction)).unwrap_err();
        assert!(e.0.contains_key("corrections"));
        let mut c = req(RequestKind::Correction);
        c.corrections = vec![
            FieldCorrection { field: "phone".into(), proposed_value: "13800138000".into() },
            FieldCorrection { field: "phone".into(), proposed_value: "13900139000".into() },
            FieldCorrection { field: "张三的电话".into(), proposed_value: "x".into() },
            FieldCorrection { field: "address".into(), proposed_value: " ".into() },
        ];
        let e = validate_request(&c).unwrap_err();
        let keys: Vec<_> = e.0.keys().cloned().collect();
        assert_eq!(keys, ["corrections[1].field", "corrections[2].field", "corrections[3].proposed_value"]);
        let mut w = req(RequestKind::ConsentWithdrawal);
        assert!(validate_request(&w).unwrap_err().0.contains_key("purpose_code"));
        w.purpose_code = Some("photo".into());
        w.categories = vec![DataCategory::Photo];
        assert!(validate_request(&w).unwrap_err().0.contains_key("categories"));
    }

    #[test]
    fn proposed_values_never_reach_debug_output() {
        let mut c = req(RequestKind::Correction);
        c.details = Some("我的新地址是秘密路1号".into());
        c.corrections = vec![FieldCorrection { field: "phone".into(), proposed_value: "13800138000".into() }];
        let text = format!("{c:?}");
        assert!(!text.contains("13800138000") && !text.contains("秘密路"), "{text}");
        assert!(text.contains("phone"));
    }

    fn sharing() -> NewSharingEntry {
        NewSharingEntry {
            kind: SharingKind::CrossBorder,
            recipient: "Group HQ Pte. Ltd.".into(),
            recipient_contact: None,
            country: Some("SG".into()),
            purpose: "集团跨境人力资源管理".into(),
            data_categories: vec![DataCategory::Identity, DataCategory::Employment],
            legal_basis: LegalBasis::HrManagement,
            safeguards: vec![Safeguard::HrExemption, Safeguard::SeparateConsent, Safeguard::ImpactAssessment],
            start_date: d("2026-01-01"),
            end_date: None,
            notes: None,
        }
    }

    #[test]
    fn sharing_validation_asks_for_a_transfer_mechanism_and_an_impact_assessment() {
        assert!(validate_sharing(&sharing()).is_ok());
        let mut s = sharing();
        s.safeguards = vec![Safeguard::Encryption];
        s.country = None;
        s.end_date = Some(d("2025-12-31"));
        let e = validate_sharing(&s).unwrap_err();
        assert_eq!(e.0.keys().cloned().collect::<Vec<_>>(), ["country", "end_date", "safeguards"]);
        assert_eq!(e.0["safeguards"].len(), 2);
        let mut domestic = sharing();
        domestic.kind = SharingKind::ThirdParty;
        domestic.country = None;
        domestic.safeguards = vec![Safeguard::ImpactAssessment];
        assert!(validate_sharing(&domestic).is_ok());
        domestic.country = Some("cn".into());
        assert!(validate_sharing(&domestic).unwrap_err().0.contains_key("country"));
    }
}
