//! The one error the composition root reports: a bilingual message plus a
//! class that tells the binary which exit code to use (2 for configuration,
//! 1 for everything that went wrong while doing the work).

use bole_core::Msg;

/// Why a command could not do its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// The settings (file, environment, flags) are wrong; the operator must fix them.
    Config,
    /// The settings were fine but the work failed (database unreachable, migration refused, ...).
    Failure,
}

/// A startup or command failure, in Chinese first and English second.
///
/// Messages never contain a database password: URLs pass through
/// [`bole_store::db::redact_url`] before they reach one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .msg.en)]
pub struct AppError {
    pub class: ErrorClass,
    pub msg: Msg,
}

impl AppError {
    pub fn config(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { class: ErrorClass::Config, msg: Msg::new(zh, en) }
    }

    pub fn failure(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { class: ErrorClass::Failure, msg: Msg::new(zh, en) }
    }
}
