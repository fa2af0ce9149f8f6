//! Working calendar: which days are working days, rest days and (statutory) holidays.
//!
//! The national arrangement (State Council notices, [`NationalCalendar`]) is data shipped with the
//! crate; company and regional calendars ([`CalendarLayer`]) are laid on top in order, the last word
//! on a date winning. Outside any notice or layer, Monday–Friday work and Saturday/Sunday rest.
//! A date in a year without a loaded notice is an error, never a guess: 调休 cannot be predicted.

mod layer;
mod national;

pub use layer::{AnnualOverride, CalendarLayer, DayOverride, OverrideKind};
pub use national::{DaySpan, Festival, NationalCalendar, NationalYear};

use crate::error::TimeError;
use chrono::{Datelike, NaiveDate};
use layer::CompiledLayer;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What kind of day a date is, for attendance and overtime pay.
///
/// Serialised as `{"kind": "workday"}`, `{"kind": "rest_day"}` or
/// `{"kind": "holiday", "statutory": true}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    /// A working day, including a weekend day worked by 调休 (normal pay).
    Workday,
    /// A weekly rest day (休息日).
    RestDay,
    /// A day off in a holiday block. `statutory` marks the 13 statutory days (法定节假日, 300%);
    /// the others are moved weekends or 补假, i.e. rest days for pay purposes (200% or comp time).
    Holiday { statutory: bool },
}

impl DayKind {
    pub fn is_working(self) -> bool {
        self == DayKind::Workday
    }
}

/// The national calendar with company/regional layers on top.
#[derive(Clone, Debug)]
pub struct WorkCalendar {
    national: Arc<NationalCalendar>,
    layers: Vec<CompiledLayer>,
}

/// One year at a glance, for `bole calendar <year> --json` and the calendar screen. Dates serialise
/// as "YYYY-MM-DD".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct YearSummary {
    pub year: i32,
    /// The national notice the year follows.
    pub notice: String,
    pub source: String,
    /// Names of the layers in force on at least one day of the year, in the order applied.
    pub layers: Vec<String>,
    /// Every day that is not worked other than an ordinary Saturday/Sunday: the holiday blocks
    /// (weekends inside them included) and weekdays given off by a layer.
    pub days_off: Vec<NaiveDate>,
    /// Saturdays and Sundays that are working days (调休上班).
    pub makeup_workdays: Vec<NaiveDate>,
    /// The statutory holidays (300% when worked).
    pub statutory_holidays: Vec<NaiveDate>,
    /// How many working days the year has.
    pub working_days: u32,
}

impl WorkCalendar {
    /// The shipped national calendar with no layers.
    pub fn national() -> Result<Self, TimeError> {
        Ok(Self::new(NationalCalendar::builtin()?))
    }

    pub fn new(national: Arc<NationalCalendar>) -> Self {
        Self { national, layers: Vec::new() }
    }

    /// Lays `layer` over the calendar; it wins over the national data and earlier layers.
    pub fn with_layer(mut self, layer: CalendarLayer) -> Result<Self, TimeError> {
        self.layers.push(CompiledLayer::compile(layer)?);
        Ok(self)
    }

    pub fn national_calendar(&self) -> &NationalCalendar {
        &self.national
    }

    /// Years the calendar can answer for (those with a national notice).
    pub fn covered_years(&self) -> Vec<i32> {
        self.national.covered_years()
    }

    pub fn day_kind(&self, date: NaiveDate) -> Result<DayKind, TimeError> {
        // Asked first even when a layer would answer: a layer cannot make an unknown year known,
        // because the national 调休 underneath it is still unknown.
        let national = self.national.lookup(date)?;
        if let Some(kind) = self.layers.iter().rev().find_map(|l| l.lookup(date)) {
            return Ok(kind);
        }
        Ok(national.unwrap_or(if national::is_weekend(date) { DayKind::RestDay } else { DayKind::Workday }))
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, TimeError> {
        Ok(self.day_kind(date)?.is_working())
    }

    /// Working days in `[from, to]`, both ends included. `from` after `to` is an input error.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, TimeError> {
        if to < from {
            return Err(TimeError::field(
                "to",
                bole_core::Msg::new("结束日期不能早于开始日期。", "The end date must not be before the start date."),
            ));
        }
        // Check coverage up front so a long range fails fast and names the first missing year.
        for year in from.year()..=to.year() {
            self.national.ensure_covered(year)?;
        }
        let mut count = 0;
        for date in from.iter_days().take_while(|d| *d <= to) {
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The date `n` working days after `date` (before it when `n` is negative), not counting `date`
    /// itself: "due in 3 working days". `n = 0` returns `date` unchanged, working day or not.
    /// For `n > 0`, `working_days_between(date + 1 day, result) == n` and `result` is a working day.
    pub fn add_working_days(&self, date: NaiveDate, n: i32) -> Result<NaiveDate, TimeError> {
        let mut current = date;
        let mut left = n.unsigned_abs();
        while left > 0 {
            current = if n > 0 { current.succ_opt() } else { current.pred_opt() }.ok_or(TimeError::DateOutOfRange)?;
            if self.is_working_day(current)? {
                left -= 1;
            }
        }
        Ok(current)
    }

    pub fn year_summary(&self, year: i32) -> Result<YearSummary, TimeError> {
        let record = self
            .national
            .year(year)
            .ok_or_else(|| TimeError::YearNotCovered { year, covered: self.covered_years() })?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(TimeError::DateOutOfRange)?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(TimeError::DateOutOfRange)?;
        let mut summary = YearSummary {
            year,
            notice: record.notice.clone(),
            source: record.source.clone(),
            layers: self
                .layers
                .iter()
                .filter(|l| l.in_force_between(first, last))
                .map(|l| l.layer.name.clone())
                .collect(),
            days_off: Vec::new(),
            makeup_workdays: Vec::new(),
            statutory_holidays: Vec::new(),
            working_days: 0,
        };
        for date in first.iter_days().take_while(|d| *d <= last) {
            let kind = self.day_kind(date)?;
            let weekend = national::is_weekend(date);
            match kind {
                DayKind::Workday => {
                    summary.working_days += 1;
                    if weekend {
                        summary.makeup_workdays.push(date);
                    }
                }
                DayKind::RestDay if weekend => {}
                DayKind::RestDay => summary.days_off.push(date),
                DayKind::Holiday { statutory } => {
                    summary.days_off.push(date);
                    if statutory {
                        summary.statutory_holidays.push(date);
                    }
                }
            }
        }
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn ordinary_days_follow_the_week() {
        let cal = WorkCalendar::national().unwrap();
        assert_eq!(cal.day_kind(d("2025-03-03")).unwrap(), DayKind::Workday); // Monday
        assert_eq!(cal.day_kind(d("2025-03-08")).unwrap(), DayKind::RestDay); // Saturday
    }

    #[test]
    fn a_later_layer_wins_and_expires() {
        let first = CalendarLayer {
            name: "a".into(),
            source: None,
            valid: bole_core::DateRange::open(d("2025-01-01")),
            days: vec![DayOverride { date: d("2025-03-03"), kind: OverrideKind::DayOff, note: None }],
            annual: vec![],
        };
        let second = CalendarLayer {
            name: "b".into(),
            source: None,
            valid: bole_core::DateRange::new(d("2025-01-01"), Some(d("2025-03-04"))).unwrap(),
            days: vec![DayOverride { date: d("2025-03-03"), kind: OverrideKind::Workday, note: None }],
            annual: vec![],
        };
        let cal = WorkCalendar::national().unwrap().with_layer(first.clone()).unwrap();
        assert_eq!(cal.day_kind(d("2025-03-03")).unwrap(), DayKind::Holiday { statutory: false });
        let cal = cal.with_layer(second).unwrap();
        assert_eq!(cal.day_kind(d("2025-03-03")).unwrap(), DayKind::Workday);
        // A layer outside its validity says nothing.
        let late = CalendarLayer { valid: bole_core::DateRange::open(d("2026-01-01")), ..first };
        let cal = WorkCalendar::national().unwrap().with_layer(late).unwrap();
        assert_eq!(cal.day_kind(d("2025-03-03")).unwrap(), DayKind::Workday);
    }

    #[test]
    fn inverted_range_is_an_input_error() {
        let cal = WorkCalendar::national().unwrap();
        assert!(matches!(cal.working_days_between(d("2025-03-02"), d("2025-03-01")), Err(TimeError::Invalid(_))));
    }
}
