//! Storage of calendars, shifts, schedules, punches, attendance days and summaries (bole_time::attendance).
