//! Property checks of the calendar queries, run exhaustively over the covered years (small enough
//! that every start date can be tried, which beats sampling).

#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

use bole_time::calendar::WorkCalendar;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn covered_days() -> impl Iterator<Item = NaiveDate> {
    d("2025-01-01").iter_days().take_while(|x| *x <= d("2026-12-31"))
}

#[test]
fn add_working_days_agrees_with_working_days_between() {
    let cal = WorkCalendar::national().unwrap();
    for start in covered_days() {
        for n in 1..=25 {
            // Near the end of the data the walk leaves the covered years, which must be an error.
            let Ok(end) = cal.add_working_days(start, n) else {
                assert!(start > d("2026-11-20"), "unexpected error from {start} + {n}");
                continue;
            };
            assert!(cal.is_working_day(end).unwrap(), "{start} + {n} = {end} is not a working day");
            let next = start.succ_opt().unwrap();
            assert_eq!(cal.working_days_between(next, end).unwrap(), n as u32, "{start} + {n} = {end}");
            // And back again lands on the last working day at or before `start`.
            let back = match cal.add_working_days(end, -n) {
                Ok(back) => back,
                // Before the first working day of the data, "back" would be in 2024.
                Err(_) => {
                    assert_eq!(cal.working_days_between(d("2025-01-01"), start).unwrap(), 0, "{start}");
                    continue;
                }
            };
            assert!(back <= start, "{end} - {n} = {back} after {start}");
            assert_eq!(cal.working_days_between(back, start).unwrap(), 1, "{end} - {n} = {back}");
            if cal.is_working_day(start).unwrap() {
                assert_eq!(back, start);
            }
        }
    }
}

#[test]
fn working_days_between_is_additive_and_bounded() {
    let cal = WorkCalendar::national().unwrap();
    let days: Vec<NaiveDate> = covered_days().collect();
    for (i, &from) in days.iter().enumerate().step_by(31) {
        for &mid in days[i..].iter().step_by(61) {
            for &to in days.iter().skip_while(|x| **x <= mid).step_by(97) {
                let whole = cal.working_days_between(from, to).unwrap();
                let left = cal.working_days_between(from, mid).unwrap();
                let right = cal.working_days_between(mid.succ_opt().unwrap(), to).unwrap();
                assert_eq!(whole, left + right, "{from}..{mid}..{to}");
                let span = u32::try_from((to - from).num_days() + 1).unwrap();
                assert!(whole <= span);
            }
        }
    }
}

#[test]
fn a_single_day_counts_one_exactly_when_working() {
    let cal = WorkCalendar::national().unwrap();
    for day in covered_days() {
        let one = cal.working_days_between(day, day).unwrap();
        assert_eq!(one == 1, cal.is_working_day(day).unwrap(), "{day}");
        assert_eq!(cal.add_working_days(day, 0).unwrap(), day);
    }
}
