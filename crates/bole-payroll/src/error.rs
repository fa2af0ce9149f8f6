//! Payroll failures, each an HR fact with a stable code and a bilingual message a person can act on.

use bole_core::{ErrorKind, Failure, FieldErrors, Msg};
use bole_workflow::WorkflowError;

#[derive(Debug, thiserror::Error)]
pub enum PayrollError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A structure's formulas do not compile (keyed `items[N].formula`).
    #[error("formula errors")]
    FormulaInvalid(FieldErrors),
    #[error("employee not found")]
    EmployeeNotFound,
    #[error("account has no employee record")]
    NoEmployeeRecord,
    #[error("company not found")]
    CompanyNotFound,
    #[error("pay component not found")]
    ComponentNotFound,
    #[error("duplicate component code {0}")]
    DuplicateComponentCode(String),
    #[error("pay structure not found")]
    StructureNotFound,
    #[error("duplicate structure code {0}")]
    DuplicateStructureCode(String),
    /// A salary assignment starts on or before an existing later one.
    #[error("effective date conflict")]
    EffectiveDateConflict,
    #[error("no SI policy for {0}")]
    SiPolicyNotFound(String),
    #[error("duplicate SI policy")]
    DuplicateSiPolicy,
    #[error("declaration not found")]
    DeclarationNotFound,
    #[error("adjustment not found")]
    AdjustmentNotFound,
    /// The adjustment is part of a locked run.
    #[error("adjustment already applied")]
    AdjustmentApplied,
    #[error("pay run not found")]
    PayRunNotFound,
    #[error("duplicate pay run for {0}")]
    DuplicatePayRun(String),
    /// The run is not in a status that allows this (e.g. compute after submission).
    #[error("pay run is {0}")]
    PayRunWrongStatus(&'static str),
    /// Submission refused: some employees could not be computed (see the run's error items)
    /// and the submitter did not acknowledge leaving them out of this run.
    #[error("pay run has {0} error items")]
    PayRunHasErrors(u32),
    /// Someone changed the run meanwhile (stale version).
    #[error("pay run changed meanwhile")]
    PayRunConflict,
    /// A structure changed meanwhile.
    #[error("changed meanwhile")]
    PayrollConflict,
    /// The preparer of a run tried to approve it.
    #[error("preparer cannot approve own run")]
    SelfApproval,
    /// Not found, or not visible to this reader, or not yet published to its employee.
    #[error("payslip not found")]
    PayslipNotFound,
    /// PDF rendering needs a CJK font that is not installed.
    #[error("pdf unavailable: {0}")]
    PdfUnavailable(String),
    /// The bank transfer file cannot be made: these employees (by employee number) have net pay
    /// but no bank account on record. Nobody is left out of a bank file silently.
    #[error("bank account missing for {} employees", .0.len())]
    MissingBankAccounts(Vec<String>),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Forbidden(#[from] bole_core::actor::Forbidden),
    #[error("storage failure: {0}")]
    Storage(String),
}

impl PayrollError {
    pub fn field(field: &str, msg: Msg) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, msg);
        PayrollError::Invalid(errors)
    }
}

/// The workflow engine sees document failures as effects; the payroll code survives the trip.
impl From<PayrollError> for WorkflowError {
    fn from(e: PayrollError) -> Self {
        match e {
            PayrollError::Workflow(w) => w,
            other => WorkflowError::Effect(std::sync::Arc::new(other)),
        }
    }
}

impl Failure for PayrollError {
    fn code(&self) -> &'static str {
        match self {
            PayrollError::Invalid(_) => "validation_failed",
            PayrollError::FormulaInvalid(_) => "formula_invalid",
            PayrollError::EmployeeNotFound => "employee_not_found",
            PayrollError::NoEmployeeRecord => "no_employee_record",
            PayrollError::CompanyNotFound => "company_not_found",
            PayrollError::ComponentNotFound => "pay_component_not_found",
            PayrollError::DuplicateComponentCode(_) => "duplicate_component_code",
            PayrollError::StructureNotFound => "pay_structure_not_found",
            PayrollError::DuplicateStructureCode(_) => "duplicate_structure_code",
            PayrollError::EffectiveDateConflict => "effective_date_conflict",
            PayrollError::SiPolicyNotFound(_) => "si_policy_not_found",
            PayrollError::DuplicateSiPolicy => "duplicate_si_policy",
            PayrollError::DeclarationNotFound => "declaration_not_found",
            PayrollError::AdjustmentNotFound => "adjustment_not_found",
            PayrollError::AdjustmentApplied => "adjustment_applied",
            PayrollError::PayRunNotFound => "pay_run_not_found",
            PayrollError::DuplicatePayRun(_) => "duplicate_pay_run",
            PayrollError::PayRunWrongStatus(_) => "pay_run_wrong_status",
            PayrollError::PayRunHasErrors(_) => "pay_run_has_errors",
            PayrollError::PayRunConflict => "pay_run_conflict",
            PayrollError::PayrollConflict => "payroll_conflict",
            PayrollError::SelfApproval => "pay_run_self_approval",
            PayrollError::PayslipNotFound => "payslip_not_found",
            PayrollError::PdfUnavailable(_) => "pdf_unavailable",
            PayrollError::MissingBankAccounts(_) => "bank_account_missing",
            PayrollError::Workflow(e) => e.code(),
            PayrollError::Forbidden(f) => f.code(),
            PayrollError::Storage(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            PayrollError::Invalid(_) | PayrollError::FormulaInvalid(_) => ErrorKind::Invalid,
            PayrollError::EmployeeNotFound
            | PayrollError::CompanyNotFound
            | PayrollError::ComponentNotFound
            | PayrollError::StructureNotFound
            | PayrollError::SiPolicyNotFound(_)
            | PayrollError::DeclarationNotFound
            | PayrollError::AdjustmentNotFound
            | PayrollError::PayRunNotFound
            | PayrollError::PayslipNotFound => ErrorKind::NotFound,
            PayrollError::NoEmployeeRecord | PayrollError::SelfApproval => ErrorKind::Forbidden,
            PayrollError::DuplicateComponentCode(_)
            | PayrollError::DuplicateStructureCode(_)
            | PayrollError::EffectiveDateConflict
            | PayrollError::DuplicateSiPolicy
            | PayrollError::AdjustmentApplied
            | PayrollError::DuplicatePayRun(_)
            | PayrollError::PayRunWrongStatus(_)
            | PayrollError::PayRunHasErrors(_)
            | PayrollError::PayRunConflict
            | PayrollError::PayrollConflict
            | PayrollError::MissingBankAccounts(_) => ErrorKind::Conflict,
            PayrollError::Workflow(e) => e.kind(),
            PayrollError::Forbidden(_) => ErrorKind::Forbidden,
            PayrollError::PdfUnavailable(_) | PayrollError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            PayrollError::Invalid(_) => {
                Msg::new("输入有误，请按字段提示修改。", "Some fields are invalid; see the field messages.")
            }
            PayrollError::FormulaInvalid(_) => Msg::new(
                "薪资公式有误，请按提示修改后再保存。",
                "A pay formula is invalid; fix the marked formulas and save again.",
            ),
            PayrollError::EmployeeNotFound => Msg::new("员工不存在。", "The employee does not exist."),
            PayrollError::NoEmployeeRecord => Msg::new(
                "您的账号未关联员工档案，无法查看工资条或申报专项附加扣除。请联系人力资源部门关联。",
                "Your account is not linked to an employee record; ask HR to link it.",
            ),
            PayrollError::CompanyNotFound => Msg::new("单位不存在。", "The company does not exist."),
            PayrollError::ComponentNotFound => Msg::new("薪资项目不存在。", "The pay component does not exist."),
            PayrollError::DuplicateComponentCode(c) => Msg::new(
                format!("薪资项目代码 {c} 已被使用，请换一个代码。"),
                format!("The component code {c} is already in use; choose another."),
            ),
            PayrollError::StructureNotFound => Msg::new("薪资结构不存在。", "The pay structure does not exist."),
            PayrollError::DuplicateStructureCode(c) => Msg::new(
                format!("薪资结构代码 {c} 已被使用，请换一个代码。"),
                format!("The structure code {c} is already in use; choose another."),
            ),
            PayrollError::EffectiveDateConflict => Msg::new(
                "该员工在此日期或之后已有薪资档案变更。请撤销后来的变更，或选择更晚的生效日期。",
                "The employee already has a salary change on or after this date; cancel it or pick a later date.",
            ),
            PayrollError::SiPolicyNotFound(city) => Msg::new(
                format!("没有城市 {city} 在该月份生效的社保公积金政策，请先在“社保政策”中录入。"),
                format!("No social insurance policy for {city} is in force that month; enter it first."),
            ),
            PayrollError::DuplicateSiPolicy => {
                Msg::new("该城市在同一生效日已有社保政策。", "The city already has a policy starting that day.")
            }
            PayrollError::DeclarationNotFound => {
                Msg::new("专项附加扣除申报不存在。", "The deduction declaration does not exist.")
            }
            PayrollError::AdjustmentNotFound => Msg::new("薪资调整不存在。", "The adjustment does not exist."),
            PayrollError::AdjustmentApplied => Msg::new(
                "该调整已计入已锁定的薪资批次，不能取消；请在后续批次中录入反向调整。",
                "The adjustment is part of a locked run; enter a reversing adjustment in a later run.",
            ),
            PayrollError::PayRunNotFound => Msg::new("薪资批次不存在。", "The pay run does not exist."),
            PayrollError::DuplicatePayRun(p) => Msg::new(
                format!("该单位 {p} 已有薪资批次，请打开已有批次，或对其锁定后以调整方式更正。"),
                format!("The company already has a pay run for {p}; open it, or correct a locked run by adjustments."),
            ),
            PayrollError::PayRunWrongStatus(s) => Msg::new(
                format!("薪资批次当前状态（{s}）不允许此操作。已锁定的批次不可修改，更正请在后续批次中录入调整。"),
                format!(
                    "The pay run is {s}, which does not allow this. Locked runs cannot change; correct them by adjustments in a later run."
                ),
            ),
            PayrollError::PayRunHasErrors(n) => Msg::new(
                format!(
                    "本批次有 {n} 名员工核算失败。请先修正（如补录薪资档案）并重新核算；\
                     或确认将其排除在本批次之外后再提交（之后可为其单独建批次发放）。"
                ),
                format!(
                    "{n} employees could not be computed. Fix them (e.g. add their salary) and recompute, \
                     or confirm leaving them out of this run before submitting (pay them in a separate run)."
                ),
            ),
            PayrollError::PayRunConflict => Msg::new(
                "薪资批次已被他人更新，请刷新后重试。",
                "Someone changed the pay run meanwhile; reload and try again.",
            ),
            PayrollError::PayrollConflict => {
                Msg::new("数据已被他人更新，请刷新后重试。", "Someone changed this meanwhile; reload and try again.")
            }
            PayrollError::SelfApproval => Msg::new(
                "制单人不能审批自己核算的薪资批次，请由其他有权限的人员审批。",
                "The preparer of a pay run cannot approve it; another authorised person must.",
            ),
            PayrollError::PayslipNotFound => {
                Msg::new("工资条不存在或尚未发布。", "The payslip does not exist or is not published yet.")
            }
            PayrollError::MissingBankAccounts(nos) => {
                // Employee numbers only (no names or amounts); a long list is cut short.
                const SHOWN: usize = 20;
                let list = nos.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>();
                let more = nos.len().saturating_sub(SHOWN);
                let (zh_more, en_more) = if more > 0 {
                    (format!(" 等共 {} 人", nos.len()), format!(" and {more} more"))
                } else {
                    Default::default()
                };
                Msg::new(
                    format!(
                        "以下员工有实发工资但没有银行账号，无法生成银行代发文件：{}{zh_more}。请在员工档案中补充银行账号后重新导出。",
                        list.join("、")
                    ),
                    format!(
                        "These employees are due pay but have no bank account on record, so no bank file was made: {}{en_more}. Add their accounts and export again.",
                        list.join(", ")
                    ),
                )
            }
            PayrollError::PdfUnavailable(_) => Msg::new(
                "暂时无法生成 PDF（服务器缺少中文字体），请联系系统管理员。",
                "The PDF cannot be produced (the server lacks a Chinese font); contact the administrator.",
            ),
            PayrollError::Workflow(e) => e.message(),
            PayrollError::Forbidden(f) => f.message(),
            PayrollError::Storage(_) => {
                Msg::new("系统内部错误，请稍后重试。", "Internal error; please try again later.")
            }
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            PayrollError::Invalid(f) | PayrollError::FormulaInvalid(f) => Some(f),
            PayrollError::Workflow(e) => e.fields(),
            _ => None,
        }
    }
}
