//! Support for Bole's benchmarks (`make bench`): fresh databases on both
//! engines, a tiny keep-alive HTTP/1.1 client for loopback load, latency
//! statistics, and the Markdown results table. Timing uses `std::time::Instant`
//! here only — domain code reads time through the `Clock` port.
//!
//! Figures are integers (micro-seconds, per-second rates) so no float type is needed.

pub mod db;
pub mod http;
pub mod payroll;
pub mod report;
pub mod sqlprof;
pub mod stats;
pub mod time;
