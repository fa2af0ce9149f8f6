//! The staffing plan: who is hired where and when, and what happens to them
//! afterwards, decided up front from the seeded RNG. Planning before writing lets
//! the quotas (编制) be sized from the people who will actually fill them, and
//! keeps every event valid for the lifecycle rules (`bole_people::rules::project`)
//! and for the structure in force on its date.
//!
//! The plan is compact (indices and dates); personal data is drawn later, per
//! person, from a per-person RNG, so memory stays small at a million employees.

use crate::names::{self, REGIONS};
use crate::structure::Built;
use bole_org::CompanyKind;
use bole_people::{EmploymentType, SeparationReason};
use chrono::{Datelike, Days, Months, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::collections::{HashMap, HashSet};

/// 编制类别 of a placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Category {
    Contract,
    PublicInstitution,
    Administrative,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Contract => "contract",
            Category::PublicInstitution => "public_institution",
            Category::Administrative => "administrative",
        }
    }

    /// The establishment category a company's own staff hold.
    pub fn main_of(kind: CompanyKind) -> Category {
        match kind {
            CompanyKind::Enterprise => Category::Contract,
            CompanyKind::PublicInstitution => Category::PublicInstitution,
            CompanyKind::Government => Category::Administrative,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Confirm,
    Transfer {
        unit: usize,
        position: usize,
    },
    Promote {
        position: usize,
    },
    Second {
        host: usize,
    },
    EndSecondment,
    Leave,
    Return,
    /// Effective on the event date; the last working day is the day before.
    Separate {
        reason: SeparationReason,
    },
    Retire,
    Rehire {
        unit: usize,
        position: usize,
        employment: EmploymentType,
        category: Category,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Planned {
    pub date: NaiveDate,
    pub step: Step,
}

/// One employee of the plan.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub company: usize,
    /// 1-based number within the company (the 工号's digits).
    pub seq: u32,
    pub unit: usize,
    pub position: usize,
    pub hire: NaiveDate,
    pub probation_months: u8,
    pub birth: NaiveDate,
    pub male: bool,
    pub region: usize,
    /// The ID number's sequence code (odd for men), unique with region and birth date.
    pub id_seq: u16,
    pub category: Category,
    pub employment: EmploymentType,
    pub events: Vec<Planned>,
}

/// Weighted unit draws per company, by cumulative weight.
struct UnitPicker {
    /// Per company: (unit index, cumulative weight).
    cumulative: Vec<Vec<(usize, u64)>>,
}

impl UnitPicker {
    fn new(built: &Built) -> Self {
        let mut cumulative = vec![Vec::new(); built.companies.len()];
        for (i, u) in built.units.iter().enumerate() {
            let list: &mut Vec<(usize, u64)> = &mut cumulative[u.company];
            let prev = list.last().map(|(_, c)| *c).unwrap_or(0);
            list.push((i, prev + u64::from(u.weight.max(1))));
        }
        Self { cumulative }
    }

    /// A unit of the company in force on `day`, other than `not`; weighted by planned staff.
    fn pick(
        &self,
        rng: &mut StdRng,
        built: &Built,
        company: usize,
        day: NaiveDate,
        not: Option<usize>,
    ) -> Option<usize> {
        let list = &self.cumulative[company];
        let total = list.last()?.1;
        for _ in 0..32 {
            let x = rng.random_range(0..total);
            let i = list.partition_point(|(_, c)| *c <= x);
            let (unit, _) = *list.get(i)?;
            if built.units[unit].created <= day && Some(unit) != not {
                return Some(unit);
            }
        }
        list.iter().map(|(u, _)| *u).find(|u| built.units[*u].created <= day && Some(*u) != not)
    }
}

/// A position of the unit with a tier in `min_tier..=max_tier`, weighted.
fn pick_position(rng: &mut StdRng, built: &Built, unit: usize, min_tier: u8, max_tier: u8) -> Option<usize> {
    let list: Vec<usize> = built.units[unit]
        .positions
        .iter()
        .copied()
        .filter(|p| (min_tier..=max_tier).contains(&built.positions[*p].tier))
        .collect();
    if list.is_empty() {
        return None;
    }
    Some(list[names::weighted(rng, &list, |p| built.positions[*p].weight)])
}

fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn sub_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

fn years_after(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(12 * years)).unwrap_or(d)
}

fn years_before(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(12 * years)).unwrap_or(d)
}

/// A day in `[from, to)`; `from` when the range is empty.
fn day_in(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days();
    if span <= 0 { from } else { add_days(from, rng.random_range(0..span as u64)) }
}

fn percent(rng: &mut StdRng, p: u32) -> bool {
    rng.random_range(0..100) < p
}

const EARLIEST_BIRTH: (i32, u32, u32) = (1965, 1, 1);
const LATEST_BIRTH: (i32, u32, u32) = (2003, 12, 31);

/// Plan `n` employees over the built structure. Deterministic for the RNG state.
pub(crate) fn plan(built: &Built, n: u32, today: NaiveDate, next_month: NaiveDate, rng: &mut StdRng) -> Vec<Person> {
    let picker = UnitPicker::new(built);
    let mut counts: Vec<u32> =
        built.companies.iter().map(|c| (u64::from(n) * u64::from(c.share) / 100) as u32).collect();
    let assigned: u32 = counts.iter().sum();
    if let Some(first) = counts.first_mut() {
        *first += n - assigned;
    }
    let mut taken_ids: HashSet<(usize, NaiveDate, u16)> = HashSet::with_capacity(n as usize);
    let mut out = Vec::with_capacity(n as usize);
    for (ci, &count) in counts.iter().enumerate() {
        for seq in 1..=count {
            if let Some(p) = plan_one(built, &picker, ci, seq, today, next_month, rng, &mut taken_ids) {
                out.push(p);
            }
        }
    }
    out
}

#[expect(clippy::too_many_arguments, reason = "the planner's shared state, passed explicitly")]
fn plan_one(
    built: &Built,
    picker: &UnitPicker,
    ci: usize,
    seq: u32,
    today: NaiveDate,
    next_month: NaiveDate,
    rng: &mut StdRng,
    taken_ids: &mut HashSet<(usize, NaiveDate, u16)>,
) -> Option<Person> {
    let kind = built.companies[ci].kind;
    let earliest_birth = NaiveDate::from_ymd_opt(EARLIEST_BIRTH.0, EARLIEST_BIRTH.1, EARLIEST_BIRTH.2)?;
    let latest_birth = NaiveDate::from_ymd_opt(LATEST_BIRTH.0, LATEST_BIRTH.1, LATEST_BIRTH.2)?;
    let last_hire = sub_days(today, 7);

    // Most hires over the last eight years, a tenth of long-serving staff before that.
    let mut hire = if percent(rng, 10) {
        day_in(rng, years_before(today, 12), years_before(today, 8))
    } else {
        day_in(rng, years_before(today, 8), last_hire)
    };
    let male = rng.random_ratio(1, 2);
    let age = match rng.random_range(0..100) {
        0..5 => rng.random_range(18..22),
        5..75 => rng.random_range(22..35),
        75..95 => rng.random_range(35..48),
        _ => rng.random_range(48..56),
    };
    // Nobody is hired within three years of the statutory retirement age used here.
    let age = if male { age.min(57) } else { age.min(52) };
    let mut birth = sub_days(years_before(hire, age), rng.random_range(0..365));
    if birth < earliest_birth {
        birth = add_days(earliest_birth, rng.random_range(0..365));
    }
    if birth > latest_birth {
        birth = sub_days(latest_birth, rng.random_range(0..365));
    }
    if years_after(birth, 18) > hire {
        hire = years_after(birth, 18).min(last_hire);
        if years_after(birth, 18) > hire {
            birth = sub_days(years_before(hire, 18), 1);
        }
    }

    let unit = picker.pick(rng, built, ci, hire, None)?;
    let position = pick_position(rng, built, unit, 0, 2)?;

    let region = names::weighted(rng, REGIONS, |r| r.weight);
    let id_seq = unique_id_seq(rng, taken_ids, region, &mut birth, male);

    let (category, employment) = match kind {
        CompanyKind::Enterprise => {
            let e = match rng.random_range(0..100) {
                0..92 => EmploymentType::FullTime,
                92..97 => EmploymentType::Dispatched,
                _ => EmploymentType::PartTime,
            };
            (Category::Contract, e)
        }
        CompanyKind::PublicInstitution | CompanyKind::Government => {
            let share = if kind == CompanyKind::Government { 88 } else { 85 };
            if percent(rng, share) {
                (Category::main_of(kind), EmploymentType::FullTime)
            } else {
                let e = if percent(rng, 50) { EmploymentType::Dispatched } else { EmploymentType::FullTime };
                (Category::Contract, e)
            }
        }
    };
    let probation_months: u8 = match (kind, category) {
        (CompanyKind::Enterprise, _) | (_, Category::Contract) => match rng.random_range(0..10) {
            0 => 0,
            1..5 => 3,
            _ => 6,
        },
        _ => {
            if percent(rng, 90) {
                6
            } else {
                0
            }
        }
    };

    let mut person = Person {
        company: ci,
        seq,
        unit,
        position,
        hire,
        probation_months,
        birth,
        male,
        region,
        id_seq,
        category,
        employment,
        events: Vec::new(),
    };
    plan_history(built, picker, &mut person, today, next_month, rng);
    Some(person)
}

/// An ID sequence code (odd for men, even for women) not yet used with this
/// region and birth date; moves the birth date a day earlier in the (practically
/// impossible) case that all 500 codes of that day are taken.
fn unique_id_seq(
    rng: &mut StdRng,
    taken: &mut HashSet<(usize, NaiveDate, u16)>,
    region: usize,
    birth: &mut NaiveDate,
    male: bool,
) -> u16 {
    loop {
        let start: u16 = rng.random_range(1..500);
        for k in 0..499u16 {
            let x = (start - 1 + k) % 499 + 1;
            let seq = 2 * x + u16::from(male);
            if taken.insert((region, *birth, seq)) {
                return seq;
            }
        }
        *birth = sub_days(*birth, 1);
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Item {
    Transfer,
    Promote,
    Second,
    Leave,
    Separate,
}

/// What happens after the hire: 转正, then over the last three years transfers,
/// promotions, secondments, leaves, separations (some rehired), retirements, and
/// for a few a transfer next month.
fn plan_history(
    built: &Built,
    picker: &UnitPicker,
    p: &mut Person,
    today: NaiveDate,
    next_month: NaiveDate,
    rng: &mut StdRng,
) {
    #[derive(PartialEq, Eq)]
    enum Status {
        Active,
        Away,
        Gone,
    }
    let company_kind = built.companies[p.company].kind;
    let mut unit = p.unit;
    let mut position = p.position;
    let mut status = Status::Active;
    let mut cursor = add_days(p.hire, 1);
    if p.probation_months > 0 {
        let confirm =
            bole_people::rules::probation_end(p.hire, p.probation_months).and_then(|d| d.succ_opt()).unwrap_or(cursor);
        if confirm <= today {
            p.events.push(Planned { date: confirm, step: Step::Confirm });
            cursor = add_days(confirm, 1);
        } else {
            cursor = add_days(today, 1);
        }
    }
    let retire_at = years_after(p.birth, if p.male { 60 } else { 55 });
    let retire_due = retire_at > cursor && retire_at <= today;
    let end = if retire_due { retire_at } else { add_days(today, 1) };
    let start = cursor.max(years_before(today, 3));

    let mut items = Vec::new();
    if percent(rng, 15) {
        items.push(Item::Transfer);
    }
    if percent(rng, 10) {
        items.push(Item::Promote);
    }
    if percent(rng, 3) {
        items.push(Item::Second);
    }
    if percent(rng, 2) {
        items.push(Item::Leave);
    }
    items.shuffle(rng);
    if !retire_due && percent(rng, 8) {
        items.push(Item::Separate);
    }
    let span = (end - start).num_days().max(0) as u64;
    // Each item gets its own slice of at least two months, so stays never overlap.
    items.truncate((span / 60) as usize);
    let slice = if items.is_empty() { 0 } else { span / items.len() as u64 };
    let last = items.len().saturating_sub(1);
    for (k, item) in items.iter().enumerate() {
        let s0 = add_days(start, k as u64 * slice);
        let slice_end = add_days(s0, slice);
        let d = add_days(s0, rng.random_range(0..slice / 2));
        match item {
            Item::Transfer => {
                let Some(to) = picker.pick(rng, built, p.company, d, Some(unit)) else { continue };
                let tier = built.positions[position].tier.min(2);
                let Some(pos) = pick_position(rng, built, to, 0, tier) else { continue };
                p.events.push(Planned { date: d, step: Step::Transfer { unit: to, position: pos } });
                unit = to;
                position = pos;
            }
            Item::Promote => {
                let tier = built.positions[position].tier;
                if tier >= 2 {
                    continue;
                }
                let mut target = pick_position(rng, built, unit, tier + 1, tier + 1);
                if target.is_none() || percent(rng, 30) {
                    for _ in 0..8 {
                        let Some(other) = picker.pick(rng, built, p.company, d, Some(unit)) else { break };
                        if let Some(pos) = pick_position(rng, built, other, tier + 1, tier + 1) {
                            target = Some(pos);
                            break;
                        }
                    }
                }
                let Some(pos) = target else { continue };
                p.events.push(Planned { date: d, step: Step::Promote { position: pos } });
                position = pos;
                unit = built.positions[pos].unit;
            }
            Item::Second | Item::Leave => {
                let (begin, finish) = if *item == Item::Second {
                    let Some(host) = picker.pick(rng, built, p.company, d, Some(unit)) else { continue };
                    (Step::Second { host }, Step::EndSecondment)
                } else {
                    (Step::Leave, Step::Return)
                };
                p.events.push(Planned { date: d, step: begin });
                let back = add_days(d, rng.random_range(90..270)).min(sub_days(slice_end, 1));
                // The last stay may still be going on today.
                if k == last && percent(rng, 50) {
                    status = Status::Away;
                } else if back > d && back <= today {
                    p.events.push(Planned { date: back, step: finish });
                } else {
                    status = Status::Away;
                }
            }
            Item::Separate => {
                let reason = match rng.random_range(0..100) {
                    0..60 => SeparationReason::Resignation,
                    60..72 => SeparationReason::MutualAgreement,
                    72..87 => SeparationReason::ContractExpiry,
                    87..92 => SeparationReason::Dismissal,
                    92..97 => SeparationReason::Redundancy,
                    _ => SeparationReason::Other,
                };
                p.events.push(Planned { date: d, step: Step::Separate { reason } });
                status = Status::Gone;
                let back = add_days(d, rng.random_range(60..400));
                if percent(rng, 20) && back <= today {
                    let Some(to) = picker.pick(rng, built, p.company, back, None) else { continue };
                    let Some(pos) = pick_position(rng, built, to, 0, 1) else { continue };
                    p.events.push(Planned {
                        date: back,
                        step: Step::Rehire { unit: to, position: pos, employment: p.employment, category: p.category },
                    });
                    unit = to;
                    position = pos;
                    status = Status::Active;
                }
            }
        }
    }
    if retire_due && status != Status::Gone {
        p.events.push(Planned { date: retire_at, step: Step::Retire });
        status = Status::Gone;
        // 退休返聘: some retirees of the enterprise and the institution come back on contract.
        let back = add_days(retire_at, rng.random_range(30..120));
        if company_kind != CompanyKind::Government
            && percent(rng, 20)
            && back <= today
            && let Some(pos) = pick_position(rng, built, unit, 0, 1)
        {
            p.events.push(Planned {
                date: back,
                step: Step::Rehire {
                    unit,
                    position: pos,
                    employment: EmploymentType::RetireeRehire,
                    category: Category::Contract,
                },
            });
            position = pos;
            status = Status::Active;
        }
    }
    // A few transfers are already decided for next month: as-of reads show them then, not now.
    let after_last = p.events.last().is_none_or(|e| e.date < next_month);
    if status == Status::Active
        && next_month > today
        && after_last
        && percent(rng, 2)
        && let Some(to) = picker.pick(rng, built, p.company, next_month, Some(unit))
        && let Some(pos) = pick_position(rng, built, to, 0, built.positions[position].tier.min(2))
    {
        p.events.push(Planned { date: next_month, step: Step::Transfer { unit: to, position: pos } });
    }
}

/// Occupancy of one (unit, category) pair over the plan.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Occupancy {
    /// The most people in the pair on any day, past or planned.
    pub max: i64,
    /// People in the pair today.
    pub today: i64,
}

/// Employed home-unit stays per (unit, category), swept for the maximum.
pub(crate) fn occupancy(built: &Built, people: &[Person], today: NaiveDate) -> HashMap<(usize, Category), Occupancy> {
    let mut deltas: HashMap<(usize, Category), Vec<(NaiveDate, i64)>> = HashMap::new();
    for p in people {
        let mut current: Option<(usize, Category, NaiveDate)> = Some((p.unit, p.category, p.hire));
        let mut close = |cur: &mut Option<(usize, Category, NaiveDate)>, at: NaiveDate| {
            if let Some((u, c, from)) = cur.take() {
                let v = deltas.entry((u, c)).or_default();
                v.push((from, 1));
                v.push((at, -1));
            }
        };
        for e in &p.events {
            match &e.step {
                Step::Transfer { unit, .. } => {
                    let cat = current.map(|c| c.1).unwrap_or(p.category);
                    close(&mut current, e.date);
                    current = Some((*unit, cat, e.date));
                }
                Step::Promote { position } => {
                    let unit = built.positions[*position].unit;
                    if let Some((u, cat, _)) = current
                        && u != unit
                    {
                        close(&mut current, e.date);
                        current = Some((unit, cat, e.date));
                    }
                }
                Step::Separate { .. } | Step::Retire => close(&mut current, e.date),
                Step::Rehire { unit, category, .. } => {
                    close(&mut current, e.date);
                    current = Some((*unit, *category, e.date));
                }
                Step::Confirm | Step::Second { .. } | Step::EndSecondment | Step::Leave | Step::Return => {}
            }
        }
        if let Some((u, c, from)) = current {
            deltas.entry((u, c)).or_default().push((from, 1));
        }
    }
    deltas
        .into_iter()
        .map(|(k, mut v)| {
            // Half-open stays: a leave on a day frees the place before an arrival that day.
            v.sort();
            let (mut cur, mut max, mut at_today) = (0i64, 0i64, None);
            for (d, delta) in v {
                if d > today && at_today.is_none() {
                    at_today = Some(cur);
                }
                cur += delta;
                max = max.max(cur);
            }
            (k, Occupancy { max, today: at_today.unwrap_or(cur) })
        })
        .collect()
}

/// The person's age in whole years on `day`.
pub(crate) fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    let mut years = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::{BuiltCompany, BuiltPosition, BuiltUnit};
    use bole_core::{CompanyId, EmployeeId, EventId, OrgUnitId, PositionId};
    use bole_people::{EventKind, EventRecord, rules};
    use rand::SeedableRng;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Three companies of four units each (one set up two years ago), four tiers of positions.
    fn built() -> Built {
        let kinds = [CompanyKind::Enterprise, CompanyKind::PublicInstitution, CompanyKind::Government];
        let mut b = Built { companies: Vec::new(), units: Vec::new(), positions: Vec::new(), changes: 0 };
        for (ci, kind) in kinds.into_iter().enumerate() {
            b.companies.push(BuiltCompany {
                id: CompanyId::new(),
                kind,
                employee_prefix: ["BL", "RC", "RS"][ci],
                share: [70, 18, 12][ci],
            });
            for k in 0..4 {
                let created = if k == 3 { d("2024-11-01") } else { d("2013-01-01") };
                let unit = b.units.len();
                b.units.push(BuiltUnit {
                    id: OrgUnitId::new(),
                    company: ci,
                    created,
                    weight: 1 + k,
                    positions: Vec::new(),
                    location: "南宁市",
                });
                for tier in 0..4u8 {
                    b.units[unit].positions.push(b.positions.len());
                    b.positions.push(BuiltPosition { id: PositionId::new(), unit, tier, weight: 4 - u32::from(tier) });
                }
            }
        }
        b
    }

    #[test]
    fn every_planned_history_is_valid_for_the_lifecycle_rules_and_the_structure() {
        let b = built();
        let today = d("2026-11-21");
        let next_month = d("2026-12-01");
        let people = plan(&b, 20_000, today, next_month, &mut StdRng::seed_from_u64(7));
        assert_eq!(people.len(), 20_000);
        let mut ids = std::collections::HashSet::new();
        let mut future = 0;
        let mut kinds = std::collections::BTreeMap::new();
        for (i, p) in people.iter().enumerate() {
            let (row, history) = crate::person::materialize(&b, b.companies[p.company].id, p, i as u64, 7, today);
            let id = bole_people::standards::ResidentId::parse(&row.person.id_number).unwrap();
            assert!(ids.insert(id.number().to_string()), "ID numbers are unique");
            assert!(crate::plan::age_on(id.birth_date(), p.hire) >= 18, "adult at hire");
            assert!((1965..=2003).contains(&chrono::Datelike::year(&id.birth_date())));
            assert!(b.units[p.unit].created <= p.hire);
            let emp = EmployeeId::new();
            let mut events = vec![EventRecord {
                id: EventId::new(),
                employee_id: emp,
                effective_date: p.hire,
                kind: EventKind::Onboard {
                    job: row.job.clone(),
                    probation_end: rules::probation_end(p.hire, p.probation_months),
                },
                reason: None,
                recorded_at: chrono::DateTime::default(),
                recorded_by: "test".into(),
            }];
            let mut last = p.hire;
            for h in history {
                let date = h.effective_date.unwrap();
                assert!(date > last, "events are strictly ordered: {p:?}");
                last = date;
                future += usize::from(date > today);
                *kinds.entry(h.kind.code()).or_insert(0) += 1;
                let unit_in_force = |u: OrgUnitId| b.units.iter().any(|x| x.id == u && x.created <= date);
                match &h.kind {
                    EventKind::Transfer { org_unit_id, .. } => assert!(unit_in_force(*org_unit_id)),
                    EventKind::Second { host_org_unit_id } => assert!(unit_in_force(*host_org_unit_id)),
                    EventKind::Rehire { job } => assert!(unit_in_force(job.org_unit_id)),
                    _ => {}
                }
                events.push(EventRecord {
                    id: EventId::new(),
                    employee_id: emp,
                    effective_date: date,
                    kind: h.kind,
                    reason: h.reason,
                    recorded_at: chrono::DateTime::default(),
                    recorded_by: "test".into(),
                });
            }
            rules::project(emp, &events).unwrap_or_else(|e| panic!("person {i} {p:?}: {e}"));
        }
        for k in [
            "confirm",
            "transfer",
            "promote",
            "second",
            "end_secondment",
            "leave_of_absence",
            "return_from_leave",
            "separate",
            "retire",
            "rehire",
        ] {
            assert!(kinds.get(k).copied().unwrap_or(0) > 0, "{k} missing: {kinds:?}");
        }
        // About 2 % transfer next month; separations about 8 % of those with a window.
        assert!((150..=600).contains(&future), "future-dated transfers: {future}");
        assert!((800..=2_000).contains(&kinds["separate"]), "{kinds:?}");
        let occ = occupancy(&b, &people, today);
        assert!(occ.values().all(|o| o.max >= o.today && o.today >= 0));
    }

    #[test]
    fn the_plan_is_reproducible() {
        let b = built();
        let (today, nm) = (d("2026-11-21"), d("2026-12-01"));
        let a = plan(&b, 500, today, nm, &mut StdRng::seed_from_u64(1));
        let c = plan(&b, 500, today, nm, &mut StdRng::seed_from_u64(1));
        let key =
            |v: &[Person]| v.iter().map(|p| (p.seq, p.hire, p.birth, p.id_seq, p.events.len())).collect::<Vec<_>>();
        assert_eq!(key(&a), key(&c));
        assert_ne!(key(&a), key(&plan(&b, 500, today, nm, &mut StdRng::seed_from_u64(2))));
    }
}
