//! Shifts and schedules, punches, derived attendance days and the monthly attendance summary.
