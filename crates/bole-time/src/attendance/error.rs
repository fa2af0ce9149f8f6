//! Attendance failures, each an HR fact with a stable code and a bilingual message.

use bole_core::{ErrorKind, Failure, FieldErrors, Msg};

#[derive(Debug, thiserror::Error)]
pub enum AttendanceError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The import file has bad rows (keyed `rows[N].field`, N the 1-based line); nothing was written.
    #[error("{} problems in the import", .0.len())]
    ImportRows(FieldErrors),
    #[error("employee not found")]
    EmployeeNotFound,
    /// The account is not linked to an employee record, so it cannot clock in.
    #[error("account has no employee record")]
    NoEmployeeRecord,
    #[error("shift not found")]
    ShiftNotFound,
    #[error("duplicate shift code {0}")]
    DuplicateShiftCode(String),
    #[error("calendar layer not found")]
    LayerNotFound,
    /// A layer already says something about this date.
    #[error("calendar layer already has {0}")]
    DuplicateLayerDay(chrono::NaiveDate),
    #[error("org unit not found")]
    OrgUnitNotFound,
    #[error(transparent)]
    Time(#[from] crate::error::TimeError),
    #[error(transparent)]
    Forbidden(#[from] bole_core::actor::Forbidden),
    #[error("storage failure: {0}")]
    Storage(String),
}

impl AttendanceError {
    pub fn field(field: &str, msg: Msg) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, msg);
        AttendanceError::Invalid(errors)
    }
}

impl Failure for AttendanceError {
    fn code(&self) -> &'static str {
        match self {
            AttendanceError::Invalid(_) => "validation_failed",
            AttendanceError::ImportRows(_) => "punch_import_invalid",
            AttendanceError::EmployeeNotFound => "employee_not_found",
            AttendanceError::NoEmployeeRecord => "no_employee_record",
            AttendanceError::ShiftNotFound => "shift_not_found",
            AttendanceError::DuplicateShiftCode(_) => "duplicate_shift_code",
            AttendanceError::LayerNotFound => "calendar_layer_not_found",
            AttendanceError::DuplicateLayerDay(_) => "calendar_layer_day_exists",
            AttendanceError::OrgUnitNotFound => "org_unit_not_found",
            AttendanceError::Time(e) => e.code(),
            AttendanceError::Forbidden(f) => f.code(),
            AttendanceError::Storage(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            AttendanceError::Invalid(_) | AttendanceError::ImportRows(_) => ErrorKind::Invalid,
            AttendanceError::EmployeeNotFound
            | AttendanceError::ShiftNotFound
            | AttendanceError::LayerNotFound
            | AttendanceError::OrgUnitNotFound => ErrorKind::NotFound,
            AttendanceError::NoEmployeeRecord => ErrorKind::Forbidden,
            AttendanceError::DuplicateShiftCode(_) | AttendanceError::DuplicateLayerDay(_) => ErrorKind::Conflict,
            AttendanceError::Time(e) => e.kind(),
            AttendanceError::Forbidden(_) => ErrorKind::Forbidden,
            AttendanceError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Msg {
        match self {
            AttendanceError::Invalid(_) => {
                Msg::new("输入有误，请按字段提示修改。", "Some fields are invalid; see the field messages.")
            }
            AttendanceError::ImportRows(rows) => Msg::new(
                format!("导入文件中有 {} 处错误，未写入任何打卡记录。请按行号修改后重新导入。", rows.len()),
                format!(
                    "The file has {} errors; no punch was written. Fix the listed lines and import again.",
                    rows.len()
                ),
            ),
            AttendanceError::EmployeeNotFound => Msg::new("员工不存在。", "The employee does not exist."),
            AttendanceError::NoEmployeeRecord => Msg::new(
                "您的账号未关联员工档案，无法打卡。请联系人力资源部门关联。",
                "Your account is not linked to an employee record, so you cannot clock in. Ask HR to link it.",
            ),
            AttendanceError::ShiftNotFound => Msg::new("班次不存在。", "The shift does not exist."),
            AttendanceError::DuplicateShiftCode(code) => Msg::new(
                format!("班次代码 {code} 已被使用，请换一个代码。"),
                format!("The shift code {code} is already in use; choose another."),
            ),
            AttendanceError::LayerNotFound => Msg::new("日历层不存在。", "The calendar layer does not exist."),
            AttendanceError::DuplicateLayerDay(day) => Msg::new(
                format!("该日历层已设置 {day}，不能重复设置。"),
                format!("The layer already sets {day}; a date can be set only once per layer."),
            ),
            AttendanceError::OrgUnitNotFound => Msg::new("组织单元不存在。", "The org unit does not exist."),
            AttendanceError::Time(e) => e.message(),
            AttendanceError::Forbidden(f) => f.message(),
            AttendanceError::Storage(_) => {
                Msg::new("系统内部错误，请稍后重试。", "Internal error; please try again later.")
            }
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AttendanceError::Invalid(f) | AttendanceError::ImportRows(f) => Some(f),
            AttendanceError::Time(e) => e.fields(),
            _ => None,
        }
    }
}
