//! Company and regional calendars laid over the national one: extra days off (a company anniversary,
//! a regional ethnic festival such as Guangxi's 三月三), extra working days, or a different verdict on
//! a national day. Each layer is effective-dated and carries its source; later layers win.

use super::DayKind;
use crate::error::TimeError;
use bole_core::DateRange;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a layer says a day is. A flat word rather than [`DayKind`] so layer files read naturally
/// (`kind = "day_off"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrideKind {
    /// An ordinary working day (e.g. the company works a national bridge day and gives it back later).
    Workday,
    /// A rest day: working it is rest-day overtime (200% or comp time).
    RestDay,
    /// A day off granted as a holiday but not a statutory one (company holiday, bridge day).
    DayOff,
    /// A statutory holiday paid at 300% when worked. Only for days a regulation makes statutory
    /// (e.g. a regional ethnic festival, where the regional rule says so); cite it in `source`.
    StatutoryHoliday,
}

impl OverrideKind {
    pub fn day_kind(self) -> DayKind {
        match self {
            OverrideKind::Workday => DayKind::Workday,
            OverrideKind::RestDay => DayKind::RestDay,
            OverrideKind::DayOff => DayKind::Holiday { statutory: false },
            OverrideKind::StatutoryHoliday => DayKind::Holiday { statutory: true },
        }
    }
}

/// One dated override.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayOverride {
    pub date: NaiveDate,
    pub kind: OverrideKind,
    #[serde(default)]
    pub note: Option<String>,
}

/// A recurring override on the same month and day every year while `valid` (e.g. the company's
/// founding day off from 2024 on). A 29 February rule applies in leap years only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualOverride {
    pub month: u32,
    pub day: u32,
    pub kind: OverrideKind,
    pub valid: DateRange,
    #[serde(default)]
    pub note: Option<String>,
}

/// A company or regional calendar. Outside `valid` the layer says nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarLayer {
    /// Shown in summaries, e.g. "广西壮族自治区" or "Acme Shenzhen".
    pub name: String,
    /// Where the rule comes from (regional regulation, company notice number or URL).
    #[serde(default)]
    pub source: Option<String>,
    pub valid: DateRange,
    #[serde(default)]
    pub days: Vec<DayOverride>,
    #[serde(default)]
    pub annual: Vec<AnnualOverride>,
}

impl CalendarLayer {
    /// Parses one layer from TOML (fields as in this struct, dates as "YYYY-MM-DD").
    pub fn from_toml_str(text: &str) -> Result<Self, TimeError> {
        toml::from_str(text).map_err(|e| TimeError::CalendarData { problem: e.to_string() })
    }
}

/// A layer checked and indexed by date.
#[derive(Clone, Debug)]
pub(crate) struct CompiledLayer {
    pub(crate) layer: CalendarLayer,
    by_date: BTreeMap<NaiveDate, DayKind>,
}

impl CompiledLayer {
    /// Rejects a layer that says two things about one date, or an annual rule on a day that never
    /// exists: either is a data-entry mistake that would otherwise be silently resolved.
    pub(crate) fn compile(layer: CalendarLayer) -> Result<Self, TimeError> {
        let bad = |problem: String| TimeError::CalendarData { problem: format!("layer {}: {problem}", layer.name) };
        let mut by_date = BTreeMap::new();
        for o in &layer.days {
            if by_date.insert(o.date, o.kind.day_kind()).is_some() {
                return Err(bad(format!("{} is overridden twice", o.date)));
            }
        }
        for rule in &layer.annual {
            // 2000 is a leap year, so this accepts 29 February and rejects 30 February, 31 April…
            if NaiveDate::from_ymd_opt(2000, rule.month, rule.day).is_none() {
                return Err(bad(format!("annual rule on {}-{} is not a calendar day", rule.month, rule.day)));
            }
        }
        for (i, a) in layer.annual.iter().enumerate() {
            let clash = layer.annual[i + 1..]
                .iter()
                .any(|b| (a.month, a.day) == (b.month, b.day) && a.valid.overlaps(&b.valid));
            if clash {
                return Err(bad(format!("two annual rules for {}-{} overlap in time", a.month, a.day)));
            }
        }
        Ok(Self { layer, by_date })
    }

    /// This layer's verdict on `date`, if it has one. An exact date beats an annual rule.
    pub(crate) fn lookup(&self, date: NaiveDate) -> Option<DayKind> {
        use chrono::Datelike;
        if !self.layer.valid.contains(date) {
            return None;
        }
        if let Some(kind) = self.by_date.get(&date) {
            return Some(*kind);
        }
        self.layer
            .annual
            .iter()
            .find(|r| r.month == date.month() && r.day == date.day() && r.valid.contains(date))
            .map(|r| r.kind.day_kind())
    }

    /// Whether the layer is in force on any day of `[from, to]` (inclusive).
    pub(crate) fn in_force_between(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let valid = &self.layer.valid;
        valid.from <= to && valid.to.is_none_or(|end| from < end)
    }
}
