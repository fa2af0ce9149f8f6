//! Data classification (T/GXDSL 9.2.1): every field of every entity has a level,
//! and responses mask a field the viewer's clearance does not reach.
//!
//! Domain crates register their fields in a static [`FieldClass`] table; a test in
//! each crate asserts that every serialised field of its view types is registered,
//! so a new field cannot ship unclassified.

use crate::actor::{Actor, Permission};
use serde::{Deserialize, Serialize};

/// 公开 / 内部 / 敏感 / 重要, in increasing order of protection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Public,
    Internal,
    Sensitive,
    Important,
}

/// How a value is shown to a viewer without clearance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaskKind {
    /// Shown as is (public and internal fields).
    None,
    /// Resident ID: first 6 and last 4 kept (110101********1234).
    IdNumber,
    /// Mobile: first 3 and last 4 kept (138****5678).
    Phone,
    /// Bank card: last 4 kept (****1234).
    BankCard,
    /// Address: the first 6 characters kept, the rest starred.
    Address,
    /// E-mail: first character of the local part and the domain kept.
    Email,
    /// Money and other values shown only as `***`.
    Hidden,
    /// Names: the family name kept (张**).
    Name,
}

/// One registered field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldClass {
    pub entity: &'static str,
    pub field: &'static str,
    pub level: Classification,
    pub mask: MaskKind,
}

impl FieldClass {
    pub const fn new(entity: &'static str, field: &'static str, level: Classification, mask: MaskKind) -> Self {
        Self { entity, field, level, mask }
    }
}

impl Actor {
    /// The highest level this actor sees unmasked everywhere it may read.
    /// Internal for everyone; `SensitiveRead` lifts it to sensitive. Important data
    /// (salary, bank card) is never shown in bulk: it is revealed one record at a time.
    pub fn clearance(&self) -> Classification {
        if self.can(Permission::SensitiveRead) { Classification::Sensitive } else { Classification::Internal }
    }

    /// True when `field` must be masked for this viewer.
    pub fn must_mask(&self, field: &FieldClass) -> bool {
        field.mask != MaskKind::None && field.level > self.clearance()
    }
}
