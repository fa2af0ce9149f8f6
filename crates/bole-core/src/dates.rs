//! Effective dating. Ranges are half-open `[from, to)`: a record valid "to"
//! 2026-12-01 stops applying on that day, which makes consecutive versions
//! meet without gaps or overlaps. `to = None` means open-ended.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DateRange {
    pub from: NaiveDate,
    /// Exclusive end; `None` = still in force.
    pub to: Option<NaiveDate>,
}

impl DateRange {
    pub fn open(from: NaiveDate) -> Self {
        Self { from, to: None }
    }

    /// `None` when `to <= from` (an empty or inverted range).
    pub fn new(from: NaiveDate, to: Option<NaiveDate>) -> Option<Self> {
        match to {
            Some(t) if t <= from => None,
            _ => Some(Self { from, to }),
        }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|t| day < t)
    }

    pub fn overlaps(&self, other: &DateRange) -> bool {
        let a_before_b_ends = other.to.is_none_or(|t| self.from < t);
        let b_before_a_ends = self.to.is_none_or(|t| other.from < t);
        a_before_b_ends && b_before_a_ends
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn half_open_ranges_meet_without_overlap() {
        let a = DateRange::new(d("2026-01-01"), Some(d("2026-02-01"))).unwrap_or(DateRange::open(d("2000-01-01")));
        let b = DateRange::open(d("2026-02-01"));
        assert!(!a.overlaps(&b));
        assert!(a.contains(d("2026-01-31")));
        assert!(!a.contains(d("2026-02-01")));
        assert!(b.contains(d("2099-01-01")));
        let c = DateRange::open(d("2026-01-15"));
        assert!(a.overlaps(&c) && c.overlaps(&a));
        assert!(DateRange::new(d("2026-01-02"), Some(d("2026-01-02"))).is_none());
    }
}
