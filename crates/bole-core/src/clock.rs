//! The `Clock` port: domain code never reads the system clock directly, so
//! tests can pin "today" and as-of logic stays reproducible.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use std::sync::Arc;

/// Source of the current instant and of "today" in the organisation's time zone.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
    /// Today in the organisation's zone (Asia/Shanghai, UTC+8, by default).
    fn today(&self) -> NaiveDate;
}

/// China Standard Time; China has no daylight saving, so a fixed offset is exact.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

use chrono::Offset;
use chrono::TimeZone as _;

#[derive(Debug, Clone)]
pub struct SystemClock {
    offset: FixedOffset,
}

impl SystemClock {
    pub fn new(offset: FixedOffset) -> Self {
        Self { offset }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new(china_offset())
    }
}

impl Clock for SystemClock {
    #[expect(clippy::disallowed_methods, reason = "the one place that reads the system clock")]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn today(&self) -> NaiveDate {
        self.offset.from_utc_datetime(&self.now().naive_utc()).date_naive()
    }
}

/// A clock pinned to one instant, for tests and reproducible demo data.
#[derive(Debug, Clone)]
pub struct FixedClock {
    pub now: DateTime<Utc>,
    pub offset: FixedOffset,
}

impl FixedClock {
    /// Noon, China time, on the given day.
    pub fn on(day: NaiveDate) -> Self {
        let offset = china_offset();
        let local = day.and_hms_opt(12, 0, 0).unwrap_or_default();
        let now = offset.from_local_datetime(&local).single().map(|d| d.with_timezone(&Utc)).unwrap_or_default();
        Self { now, offset }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn today(&self) -> NaiveDate {
        self.offset.from_utc_datetime(&self.now.naive_utc()).date_naive()
    }
}

pub type SharedClock = Arc<dyn Clock>;
