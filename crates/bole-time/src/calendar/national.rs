//! The national holiday arrangement (全国年节及纪念日放假安排): one State Council General Office notice
//! per year, shipped as data in `data/cn-holidays.toml`, checked for internal consistency and parsed
//! once. Years published later can be added at run time ([`NationalCalendar::with_year`]) without a
//! release, which is why this is data and not code.

use super::DayKind;
use crate::error::TimeError;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

const BUILTIN_TOML: &str = include_str!("../../data/cn-holidays.toml");

/// Parsed on first use; an error here is a bug in the shipped file and the tests catch it, but it
/// is still returned to callers rather than panicking.
static BUILTIN: LazyLock<Result<Arc<NationalCalendar>, TimeError>> =
    LazyLock::new(|| NationalCalendar::from_toml_str(BUILTIN_TOML).map(Arc::new));

/// Both ends inclusive, as the notices write them ("1月28日至2月4日放假"); deliberately not
/// `bole_core::DateRange`, which is half-open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaySpan {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DaySpan {
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(|d| *d <= self.to)
    }
}

/// One festival's arrangement within a notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Festival {
    /// Stable snake_case key (`spring_festival`, `national_day_mid_autumn`…).
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// Announced days off (放假), weekends inside the block included.
    pub days_off: Vec<DaySpan>,
    /// Weekend days worked instead (调休上班): ordinary working days with normal pay.
    pub makeup_workdays: Vec<NaiveDate>,
    /// The statutory holidays (法定节假日) among the days off: the only days paid at 300% when worked.
    pub statutory: Vec<NaiveDate>,
}

/// One year's notice, with where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalYear {
    pub year: i32,
    /// 文号, e.g. 国办发明电〔2024〕12号.
    pub notice: String,
    pub title: String,
    pub issued: NaiveDate,
    /// The official publication.
    pub source: String,
    /// Where the full text was actually read, when not the official page.
    #[serde(default)]
    pub reprint: Option<String>,
    /// The statute the statutory days follow (which festivals, how many days).
    pub statute: String,
    #[serde(rename = "festival")]
    pub festivals: Vec<Festival>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayFile {
    year: Vec<NationalYear>,
}

/// The years of national arrangements we know, indexed by date.
#[derive(Clone, Debug, Default)]
pub struct NationalCalendar {
    years: BTreeMap<i32, IndexedYear>,
}

#[derive(Clone, Debug)]
struct IndexedYear {
    record: NationalYear,
    /// Only the days a notice changes: days off (as holidays) and make-up working days.
    days: BTreeMap<NaiveDate, DayKind>,
}

impl NationalCalendar {
    /// The arrangements shipped with Bole (`data/cn-holidays.toml`), parsed once per process.
    pub fn builtin() -> Result<Arc<NationalCalendar>, TimeError> {
        BUILTIN.clone()
    }

    /// Parses a holiday file in the format of `data/cn-holidays.toml` (`[[year]]` with
    /// `[[year.festival]]`), checking each year as [`with_year`](Self::with_year) does.
    pub fn from_toml_str(text: &str) -> Result<Self, TimeError> {
        let file: HolidayFile = toml::from_str(text).map_err(|e| TimeError::CalendarData { problem: e.to_string() })?;
        let mut calendar = NationalCalendar::default();
        for year in file.year {
            if calendar.years.contains_key(&year.year) {
                return Err(TimeError::CalendarData { problem: format!("year {} appears twice", year.year) });
            }
            calendar = calendar.with_year(year)?;
        }
        Ok(calendar)
    }

    /// Adds (or replaces, for a corrected notice) one year after checking it is consistent.
    pub fn with_year(mut self, year: NationalYear) -> Result<Self, TimeError> {
        let indexed = index_year(year)?;
        self.years.insert(indexed.record.year, indexed);
        Ok(self)
    }

    /// Years with a loaded notice, ascending.
    pub fn covered_years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    pub fn year(&self, year: i32) -> Option<&NationalYear> {
        self.years.get(&year).map(|y| &y.record)
    }

    /// The notice's verdict on `date`: `Ok(None)` for a day the notice leaves alone (the weekday /
    /// weekend rule applies), an error when no notice is loaded for its year.
    pub(crate) fn lookup(&self, date: NaiveDate) -> Result<Option<DayKind>, TimeError> {
        let year = self.years.get(&date.year()).ok_or_else(|| self.not_covered(date.year()))?;
        Ok(year.days.get(&date).copied())
    }

    pub(crate) fn ensure_covered(&self, year: i32) -> Result<(), TimeError> {
        if self.years.contains_key(&year) { Ok(()) } else { Err(self.not_covered(year)) }
    }

    fn not_covered(&self, year: i32) -> TimeError {
        TimeError::YearNotCovered { year, covered: self.covered_years() }
    }
}

pub(crate) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Checks what a typo would break: every date inside the year, no day both off and worked or listed
/// twice, statutory days inside the days off, make-up days on weekends (a weekday make-up day would
/// change nothing, so it can only be a wrong date).
fn index_year(record: NationalYear) -> Result<IndexedYear, TimeError> {
    let y = record.year;
    let bad = |problem: String| TimeError::CalendarData { problem: format!("{y}: {problem}") };
    let mut days: BTreeMap<NaiveDate, DayKind> = BTreeMap::new();
    let mut place = |date: NaiveDate, kind: DayKind, what: &str, festival: &str| -> Result<(), TimeError> {
        if date.year() != y {
            return Err(bad(format!("{festival}: {what} {date} is outside the year")));
        }
        if days.insert(date, kind).is_some() {
            return Err(bad(format!("{festival}: {date} is listed twice")));
        }
        Ok(())
    };
    for festival in &record.festivals {
        let name = festival.key.as_str();
        for span in &festival.days_off {
            if span.to < span.from {
                return Err(bad(format!("{name}: days off {} .. {} run backwards", span.from, span.to)));
            }
            for date in span.days() {
                let statutory = festival.statutory.contains(&date);
                place(date, DayKind::Holiday { statutory }, "day off", name)?;
            }
        }
        for &date in &festival.makeup_workdays {
            if !is_weekend(date) {
                return Err(bad(format!("{name}: make-up workday {date} is not a Saturday or Sunday")));
            }
            place(date, DayKind::Workday, "make-up workday", name)?;
        }
        for &date in &festival.statutory {
            if !festival.days_off.iter().any(|s| s.from <= date && date <= s.to) {
                return Err(bad(format!("{name}: statutory holiday {date} is not among its days off")));
            }
        }
    }
    Ok(IndexedYear { record, days })
}
