//! Typed identifiers. Every entity id is a UUIDv7 wrapped in its own type so a
//! position id can never be passed where an org-unit id is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
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

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    )*};
}

id_type!(
    /// A legal entity (法人单位).
    CompanyId,
    /// An organisation unit (组织单元).
    OrgUnitId,
    /// A position (岗位).
    PositionId,
    /// A headcount quota line (编制).
    QuotaId,
    /// An employee (员工).
    EmployeeId,
    /// A lifecycle event (人事事件).
    EventId,
    /// A labour contract (劳动合同).
    ContractId,
    /// A login account (账号).
    UserId,
);
