//! The national calendar against the domain reference (china-hr-rules.md §3.5): every day off,
//! make-up working day and statutory holiday of 2025 and 2026, the weekdays the notices print next
//! to them, and the errors for years without a notice.

#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

use bole_core::Failure;
use bole_time::calendar::{CalendarLayer, DayKind, NationalCalendar, WorkCalendar};
use bole_time::{OvertimeKind, TimeError};
use chrono::{Datelike, NaiveDate, Weekday};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dates(list: &[&str]) -> Vec<NaiveDate> {
    list.iter().map(|s| d(s)).collect()
}

/// Every day of the inclusive spans.
fn spans(list: &[(&str, &str)]) -> Vec<NaiveDate> {
    list.iter().flat_map(|(a, b)| d(a).iter_days().take_while(move |x| *x <= d(b))).collect()
}

fn cal() -> WorkCalendar {
    WorkCalendar::national().unwrap()
}

// §3.5 table 2025 (国办发明电〔2024〕12号).
const DAYS_OFF_2025: &[(&str, &str)] = &[
    ("2025-01-01", "2025-01-01"), // 元旦, 不调休
    ("2025-01-28", "2025-02-04"), // 春节, 8 days
    ("2025-04-04", "2025-04-06"), // 清明
    ("2025-05-01", "2025-05-05"), // 劳动节
    ("2025-05-31", "2025-06-02"), // 端午
    ("2025-10-01", "2025-10-08"), // 国庆节、中秋节
];
const MAKEUP_2025: &[&str] = &["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"];
const STATUTORY_2025: &[&str] = &[
    "2025-01-01",
    "2025-01-28",
    "2025-01-29",
    "2025-01-30",
    "2025-01-31",
    "2025-04-04",
    "2025-05-01",
    "2025-05-02",
    "2025-05-31",
    "2025-10-01",
    "2025-10-02",
    "2025-10-03",
    "2025-10-06",
];

// §3.5 table 2026 (国办发明电〔2025〕7号).
const DAYS_OFF_2026: &[(&str, &str)] = &[
    ("2026-01-01", "2026-01-03"), // 元旦
    ("2026-02-15", "2026-02-23"), // 春节, 9 days
    ("2026-04-04", "2026-04-06"), // 清明
    ("2026-05-01", "2026-05-05"), // 劳动节
    ("2026-06-19", "2026-06-21"), // 端午
    ("2026-09-25", "2026-09-27"), // 中秋
    ("2026-10-01", "2026-10-07"), // 国庆
];
const MAKEUP_2026: &[&str] = &["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"];
const STATUTORY_2026: &[&str] = &[
    "2026-01-01",
    "2026-02-16",
    "2026-02-17",
    "2026-02-18",
    "2026-02-19",
    "2026-04-05",
    "2026-05-01",
    "2026-05-02",
    "2026-06-19",
    "2026-09-25",
    "2026-10-01",
    "2026-10-02",
    "2026-10-03",
];

#[test]
fn year_2025_matches_the_notice_exactly() {
    let summary = cal().year_summary(2025).unwrap();
    assert_eq!(summary.days_off, spans(DAYS_OFF_2025));
    assert_eq!(summary.days_off.len(), 28, "reference: total 28 days off");
    assert_eq!(summary.makeup_workdays, dates(MAKEUP_2025));
    assert_eq!(summary.makeup_workdays.len(), 5, "reference: 5 make-up working days");
    assert_eq!(summary.statutory_holidays, dates(STATUTORY_2025));
    assert_eq!(summary.statutory_holidays.len(), 13, "国务院令第795号: 13 statutory days");
    assert_eq!(summary.notice, "国办发明电〔2024〕12号");
    assert_eq!(summary.source, "https://www.gov.cn/zhengce/content/202411/content_6986382.htm");
    assert!(summary.layers.is_empty());
}

#[test]
fn year_2026_matches_the_notice_exactly() {
    let summary = cal().year_summary(2026).unwrap();
    assert_eq!(summary.days_off, spans(DAYS_OFF_2026));
    assert_eq!(summary.days_off.len(), 33, "reference: total 33 days off");
    assert_eq!(summary.makeup_workdays, dates(MAKEUP_2026));
    assert_eq!(summary.makeup_workdays.len(), 6, "reference: 6 make-up working days");
    assert_eq!(summary.statutory_holidays, dates(STATUTORY_2026));
    assert_eq!(summary.statutory_holidays.len(), 13);
    assert_eq!(summary.notice, "国办发明电〔2025〕7号");
    assert_eq!(summary.source, "https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm");
}

#[test]
fn weekdays_printed_in_the_notices_agree_with_the_dates() {
    // The reference prints a weekday next to each boundary date; a wrong date would disagree.
    use Weekday::*;
    let printed = [
        ("2025-01-01", Wed),
        ("2025-01-28", Tue),
        ("2025-02-04", Tue),
        ("2025-01-26", Sun),
        ("2025-02-08", Sat),
        ("2025-04-04", Fri),
        ("2025-04-06", Sun),
        ("2025-05-01", Thu),
        ("2025-05-05", Mon),
        ("2025-04-27", Sun),
        ("2025-05-31", Sat),
        ("2025-06-02", Mon),
        ("2025-10-01", Wed),
        ("2025-10-08", Wed),
        ("2025-09-28", Sun),
        ("2025-10-11", Sat),
        ("2026-01-01", Thu),
        ("2026-01-03", Sat),
        ("2026-01-04", Sun),
        ("2026-02-15", Sun),
        ("2026-02-23", Mon),
        ("2026-02-14", Sat),
        ("2026-02-28", Sat),
        ("2026-04-04", Sat),
        ("2026-04-06", Mon),
        ("2026-05-01", Fri),
        ("2026-05-05", Tue),
        ("2026-05-09", Sat),
        ("2026-06-19", Fri),
        ("2026-06-21", Sun),
        ("2026-09-25", Fri),
        ("2026-09-27", Sun),
        ("2026-10-01", Thu),
        ("2026-10-07", Wed),
        ("2026-09-20", Sun),
        ("2026-10-10", Sat),
    ];
    for (date, weekday) in printed {
        assert_eq!(d(date).weekday(), weekday, "{date}");
    }
}

#[test]
fn spot_checks_from_the_reference() {
    let cal = cal();
    let kind = |s: &str| cal.day_kind(d(s)).unwrap();
    let statutory = DayKind::Holiday { statutory: true };
    let moved = DayKind::Holiday { statutory: false };

    // 2025-01-26 is a Sunday worked for the Spring Festival (调休上班): an ordinary working day.
    assert_eq!(kind("2025-01-26"), DayKind::Workday);
    assert!(cal.is_working_day(d("2025-01-26")).unwrap());
    assert_eq!(kind("2025-02-08"), DayKind::Workday);
    // 元旦 2025 is one day, no 调休: the Thursday after is a working day.
    assert_eq!(kind("2025-01-01"), statutory);
    assert_eq!(kind("2025-01-02"), DayKind::Workday);
    // 除夕 is statutory since 2025; 初四 (02-01, a Saturday) is a moved rest day.
    assert_eq!(kind("2025-01-28"), statutory);
    assert_eq!(kind("2025-02-01"), moved);
    // 端午 on a Saturday is still the statutory day; Monday 06-02 is 补假, not statutory.
    assert_eq!(kind("2025-05-31"), statutory);
    assert_eq!(kind("2025-06-02"), moved);
    // 中秋 2025 falls inside the National Day block (10-06).
    assert_eq!(kind("2025-10-06"), statutory);
    assert_eq!(kind("2025-10-04"), moved);
    assert_eq!(kind("2025-10-08"), moved);
    // 2026: 除夕 is 腊月二十九 (02-16); 腊月二十八 (02-15) is a day off but not statutory.
    assert_eq!(kind("2026-02-15"), moved);
    assert_eq!(kind("2026-02-16"), statutory);
    // 清明 2026 is a Sunday (statutory); Monday 04-06 is 补假.
    assert_eq!(kind("2026-04-05"), statutory);
    assert_eq!(kind("2026-04-06"), moved);
    assert_eq!(kind("2026-01-04"), DayKind::Workday);
    // Ordinary weekend and weekday.
    assert_eq!(kind("2026-03-07"), DayKind::RestDay);
    assert_eq!(kind("2026-03-09"), DayKind::Workday);
}

#[test]
fn only_the_statutory_days_pay_300_percent() {
    // §3.1: other days inside a holiday block are rest days (comp time or 200%), as 人社厅函〔2020〕135号
    // illustrates for the 2020 National Day block.
    let cal = cal();
    let kind = |s: &str| OvertimeKind::for_day(cal.day_kind(d(s)).unwrap());
    assert_eq!(kind("2025-10-01"), OvertimeKind::StatutoryHoliday);
    assert_eq!(kind("2025-10-03"), OvertimeKind::StatutoryHoliday);
    assert_eq!(kind("2025-10-04"), OvertimeKind::RestDay);
    assert_eq!(kind("2025-10-07"), OvertimeKind::RestDay);
    assert_eq!(kind("2025-09-28"), OvertimeKind::Workday); // 调休上班: extensions only at 150%
    assert_eq!(kind("2025-03-08"), OvertimeKind::RestDay);
}

#[test]
fn each_year_has_the_248_system_working_days() {
    // 人社部发〔2025〕2号: 年工作日 365 − 104 − 13 = 248. 调休 only moves days, so each real year has
    // exactly that many, a cross-check of the whole data set.
    let cal = cal();
    for year in [2025, 2026] {
        let summary = cal.year_summary(year).unwrap();
        assert_eq!(summary.working_days, 248, "{year}");
        let days = cal.working_days_between(d(&format!("{year}-01-01")), d(&format!("{year}-12-31"))).unwrap();
        assert_eq!(days, 248, "{year}");
    }
}

#[test]
fn no_more_than_six_consecutive_working_days() {
    // 国务院令第795号: save special cases, consecutive working days around a holiday should not exceed 6.
    let cal = cal();
    let mut run = 0;
    let mut longest = 0;
    for date in d("2025-01-01").iter_days().take_while(|x| *x <= d("2026-12-31")) {
        run = if cal.is_working_day(date).unwrap() { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    assert!(longest <= 6, "longest run {longest}");
}

#[test]
fn known_holiday_periods_count_working_days() {
    let cal = cal();
    // Spring Festival 2025 fortnight: 01-25 (Sat) .. 02-09 (Sun). Working: 01-26, 01-27, 02-05..02-08.
    assert_eq!(cal.working_days_between(d("2025-01-25"), d("2025-02-09")).unwrap(), 6);
    // National Day 2025: 09-27 .. 10-12, working: 09-28, 09-29, 09-30, 10-09, 10-10, 10-11.
    assert_eq!(cal.working_days_between(d("2025-09-27"), d("2025-10-12")).unwrap(), 6);
    // Due 1 working day after the last working day before the 2026 Spring Festival: after the break.
    assert_eq!(cal.add_working_days(d("2026-02-14"), 1).unwrap(), d("2026-02-24"));
    assert_eq!(cal.add_working_days(d("2026-02-24"), -1).unwrap(), d("2026-02-14"));
    // Across the year end: 2026-01-01..03 are off and Sunday 01-04 is worked (调休).
    assert_eq!(cal.add_working_days(d("2025-12-31"), 1).unwrap(), d("2026-01-04"));
}

#[test]
fn years_without_a_notice_are_errors_not_guesses() {
    let cal = cal();
    let err = cal.day_kind(d("2027-01-01")).unwrap_err();
    assert_eq!(err, TimeError::YearNotCovered { year: 2027, covered: vec![2025, 2026] });
    assert_eq!(err.code(), "calendar_year_not_covered");
    assert!(err.message().zh.contains("2027"));
    assert!(matches!(cal.day_kind(d("2024-12-31")), Err(TimeError::YearNotCovered { year: 2024, .. })));
    assert!(matches!(cal.year_summary(2027), Err(TimeError::YearNotCovered { year: 2027, .. })));
    assert!(matches!(
        cal.working_days_between(d("2026-12-01"), d("2027-01-31")),
        Err(TimeError::YearNotCovered { year: 2027, .. })
    ));
    // Walking off the end of the data is an error too, not a silent weekday rule.
    assert!(matches!(cal.add_working_days(d("2026-12-30"), 5), Err(TimeError::YearNotCovered { year: 2027, .. })));
    assert!(matches!(cal.add_working_days(d("2025-01-02"), -5), Err(TimeError::YearNotCovered { year: 2024, .. })));
}

#[test]
fn summary_serialises_dates_as_iso_strings() {
    let json = serde_json::to_value(cal().year_summary(2025).unwrap()).unwrap();
    assert_eq!(json["year"], 2025);
    assert_eq!(json["days_off"][0], "2025-01-01");
    assert_eq!(json["makeup_workdays"][0], "2025-01-26");
    assert_eq!(json["statutory_holidays"][12], "2025-10-06");
    assert_eq!(json["working_days"], 248);
    let kind = serde_json::to_value(DayKind::Holiday { statutory: true }).unwrap();
    assert_eq!(kind, serde_json::json!({"kind": "holiday", "statutory": true}));
}

#[test]
fn notice_metadata_is_kept_with_the_data() {
    let national = NationalCalendar::builtin().unwrap();
    assert_eq!(national.covered_years(), vec![2025, 2026]);
    let y2026 = national.year(2026).unwrap();
    assert_eq!(y2026.issued, d("2025-11-04"));
    assert_eq!(y2026.festivals.len(), 7);
    assert!(y2026.reprint.as_deref().is_some_and(|r| r.contains("gmw.cn")));
    assert!(national.year(2025).unwrap().statute.contains("795"));
}

#[test]
fn company_layer_adds_days_off_and_working_days() {
    // A company calendar as an admin would enter it (illustrative, not a real company).
    let layer = CalendarLayer::from_toml_str(
        r#"
        name = "Acme Nanning"
        source = "Acme HR notice 2025-07"
        valid = { from = "2025-01-01" }

        # Works the bridge Monday of the 2025 端午 block, gives Friday 06-06 off instead.
        [[days]]
        date = "2025-06-02"
        kind = "workday"
        [[days]]
        date = "2025-06-06"
        kind = "day_off"
        note = "bridge day moved"

        # Founding day off every year from 2026.
        [[annual]]
        month = 3
        day = 18
        kind = "day_off"
        valid = { from = "2026-01-01" }
        "#,
    )
    .unwrap();
    let national = cal();
    let company = cal().with_layer(layer).unwrap();
    assert_eq!(company.day_kind(d("2025-06-02")).unwrap(), DayKind::Workday);
    assert_eq!(company.day_kind(d("2025-06-06")).unwrap(), DayKind::Holiday { statutory: false });
    assert_eq!(company.day_kind(d("2025-03-18")).unwrap(), DayKind::Workday); // rule not yet in force
    assert_eq!(company.day_kind(d("2026-03-18")).unwrap(), DayKind::Holiday { statutory: false });
    // National days the layer does not mention are untouched.
    assert_eq!(company.day_kind(d("2025-05-31")).unwrap(), DayKind::Holiday { statutory: true });

    let summary = company.year_summary(2025).unwrap();
    assert_eq!(summary.layers, vec!["Acme Nanning".to_string()]);
    assert!(!summary.days_off.contains(&d("2025-06-02")));
    assert!(summary.days_off.contains(&d("2025-06-06")));
    assert_eq!(summary.working_days, 248);
    assert_eq!(
        company.working_days_between(d("2025-06-01"), d("2025-06-07")).unwrap(),
        national.working_days_between(d("2025-06-01"), d("2025-06-07")).unwrap()
    );
    // A layer cannot make an unknown year known.
    assert!(matches!(company.day_kind(d("2027-03-18")), Err(TimeError::YearNotCovered { .. })));
}

#[test]
fn layer_mistakes_are_rejected() {
    let twice = CalendarLayer::from_toml_str(
        r#"
        name = "x"
        valid = { from = "2025-01-01" }
        [[days]]
        date = "2025-06-06"
        kind = "day_off"
        [[days]]
        date = "2025-06-06"
        kind = "workday"
        "#,
    )
    .unwrap();
    assert!(matches!(cal().with_layer(twice), Err(TimeError::CalendarData { .. })));
    let no_such_day = CalendarLayer::from_toml_str(
        r#"
        name = "x"
        valid = { from = "2025-01-01" }
        [[annual]]
        month = 2
        day = 30
        kind = "day_off"
        valid = { from = "2025-01-01" }
        "#,
    )
    .unwrap();
    assert!(matches!(cal().with_layer(no_such_day), Err(TimeError::CalendarData { .. })));
    assert!(CalendarLayer::from_toml_str("name = \"x\"\nvalid = { from = \"2025-01-01\" }\nkind = \"nope\"").is_err());
}

const ONE_YEAR: &str = r#"
[[year]]
year = 2030
notice = "test"
title = "test"
issued = "2029-11-01"
source = "test"
statute = "test"

[[year.festival]]
key = "new_year"
name_zh = "元旦"
name_en = "New Year's Day"
days_off = [{ from = "2030-01-01", to = "2030-01-01" }]
makeup_workdays = MAKEUP
statutory = STATUTORY
"#;

fn one_year(makeup: &str, statutory: &str) -> Result<NationalCalendar, TimeError> {
    NationalCalendar::from_toml_str(&ONE_YEAR.replace("MAKEUP", makeup).replace("STATUTORY", statutory))
}

#[test]
fn holiday_data_is_checked_when_loaded() {
    // A later year can be loaded from data (e.g. when the 2027 notice is out) …
    let extra = one_year("[]", "[\"2030-01-01\"]").unwrap();
    assert_eq!(extra.covered_years(), vec![2030]);
    let cal = WorkCalendar::new(std::sync::Arc::new(extra));
    assert_eq!(cal.day_kind(d("2030-01-01")).unwrap(), DayKind::Holiday { statutory: true });
    // … but typos are caught: a statutory day outside the block, a weekday make-up day (2030-01-02 is
    // a Wednesday), a make-up day that is also a day off, a date in another year.
    for (makeup, statutory) in [("[]", "[\"2030-01-02\"]"), ("[\"2030-01-02\"]", "[]"), ("[\"2029-12-29\"]", "[]")] {
        assert!(matches!(one_year(makeup, statutory), Err(TimeError::CalendarData { .. })), "{makeup} {statutory}");
    }
    let both = ONE_YEAR.replace("MAKEUP", "[]").replace("STATUTORY", "[]").replace("2030-01-01\" }", "2030-01-05\" }");
    let both = both.replace("[]\nstatutory", "[\"2030-01-05\"]\nstatutory");
    assert!(matches!(NationalCalendar::from_toml_str(&both), Err(TimeError::CalendarData { .. })));
    let twice = format!("{ONE_YEAR}{ONE_YEAR}").replace("MAKEUP", "[]").replace("STATUTORY", "[]");
    assert!(matches!(NationalCalendar::from_toml_str(&twice), Err(TimeError::CalendarData { .. })));
}
