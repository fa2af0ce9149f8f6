//! Shifts and schedules, punches, derived attendance days and the monthly attendance summary.
//!
//! Raw punches are evidence (append-only); attendance days are facts derived from punches,
//! schedules, calendars and approved leave/overtime by the pure [`rules::derive_day`], and are
//! recomputed whenever an input changes. The monthly summary, payroll's input, is a GROUP BY over
//! the days.

pub mod error;
pub mod model;
pub mod rules;
pub mod service;
pub mod store;

pub use error::AttendanceError;
pub use model::*;
pub use service::{AttendanceService, CalendarYearView, LayerDayView, SummaryFilter};
pub use store::{AttendanceStore, EmployeeRef, EmployeeSelection};
