//! Logging setup: one `tracing` subscriber for the process, filtered by
//! `log.level` (EnvFilter syntax) and written to standard error as readable
//! lines or as JSON objects, so standard output stays free for command results
//! (`bole openapi > spec.json`, `bole calc id … --json | jq`).

use crate::error::AppError;
use crate::settings::{LogFormat, LogSettings};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Install the global subscriber. A second call in the same process (tests) keeps the first one.
pub fn init(log: &LogSettings) -> Result<(), AppError> {
    let filter = EnvFilter::try_new(&log.level).map_err(|e| {
        AppError::config(
            format!("日志级别 log.level = “{}” 无法识别", log.level),
            format!("log.level = `{}` is not a valid filter: {e}", log.level),
        )
    })?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init fails only because a subscriber is already set; that one keeps working.
    let _already_set = match log.format {
        LogFormat::Pretty => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
    };
    Ok(())
}
