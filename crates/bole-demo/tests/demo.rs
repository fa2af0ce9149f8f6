//! The demo on real databases: it seeds, passes every rule of the services,
//! is reproducible from its seed, and shows history (as-of reads differ).
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use bole_core::{Actor, OrgUnitId, PageRequest};
use bole_demo::{DemoOptions, DemoSummary, seed};
use bole_org::{OrgService, OrgTreeNode};
use bole_people::standards::ResidentId;
use bole_people::{EmployeeStatus, EmployeeSummary, ListQuery, PeopleService, PeopleStore};
use bole_testkit::{TestDb, admin, clock_on, d};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

const TODAY: &str = "2026-11-21";
const NEXT_MONTH: &str = "2026-12-01";

struct Seeded {
    t: TestDb,
    org: OrgService,
    people: PeopleService,
    summary: DemoSummary,
    progress: Vec<(u64, u64)>,
}

async fn seeded(t: TestDb, seed_value: u64, employees: u32) -> Seeded {
    let clock = clock_on(TODAY);
    let org = OrgService::new(t.store.clone(), clock.clone());
    let people = PeopleService::new(t.store.clone(), t.store.clone(), t.store.clone(), clock);
    let opts = DemoOptions { employees, seed: seed_value, today: d(TODAY) };
    let calls = Mutex::new(Vec::new());
    let summary = seed(&org, &people, &admin(), &opts, &|done, total| calls.lock().unwrap().push((done, total)))
        .await
        .unwrap_or_else(|e| panic!("demo must seed: {e}"));
    let progress = calls.into_inner().unwrap();
    Seeded { t, org, people, summary, progress }
}

async fn everyone(people: &PeopleService, actor: &Actor, as_of: &str) -> Vec<EmployeeSummary> {
    let mut out = Vec::new();
    for page in 1.. {
        let q =
            ListQuery { as_of: Some(d(as_of)), page: PageRequest::new(Some(page), Some(500)), ..Default::default() };
        let p = people.list(actor, q).await.unwrap();
        let n = p.items.len();
        out.extend(p.items);
        if n < 500 {
            break;
        }
    }
    out
}

fn depth(nodes: &[OrgTreeNode]) -> usize {
    nodes.iter().map(|n| 1 + depth(&n.children)).max().unwrap_or(0)
}

fn count(nodes: &[OrgTreeNode]) -> usize {
    nodes.iter().map(|n| 1 + count(&n.children)).sum()
}

#[tokio::test]
async fn five_hundred_employees_on_sqlite_pass_every_rule_and_show_history() {
    let s = seeded(TestDb::sqlite().await, DemoOptions::DEFAULT_SEED, 500).await;
    let actor = admin();
    let sum = s.summary;
    assert_eq!((sum.companies, sum.employees), (3, 500), "{sum:?}");
    assert!((38..=45).contains(&sum.org_units), "about 40 units: {sum:?}");
    assert!(sum.positions > 3 * sum.org_units, "several positions per unit: {sum:?}");
    assert!(sum.quotas >= sum.org_units, "every unit has 编制: {sum:?}");
    assert!(sum.events > 600, "history beyond 入职: {sum:?}");
    assert_eq!(s.progress.first(), Some(&(0, 500)));
    assert_eq!(s.progress.last(), Some(&(500, 500)));

    // Structure: three trees, 3–4 levels, and a rename next month.
    let tree = s.org.tree(&actor, None, None, d(TODAY), true).await.unwrap();
    assert_eq!(tree.len(), 3);
    assert_eq!(count(&tree) as u64, sum.org_units);
    assert!((3..=4).contains(&depth(&tree)), "depth {}", depth(&tree));
    let employed_today: i64 = tree.iter().filter_map(|n| n.subtree_headcount).sum();
    assert!((300..500).contains(&employed_today), "most are employed today, some left: {employed_today}");
    let names = |units: Vec<bole_org::OrgUnitView>| units.into_iter().map(|u| u.name).collect::<HashSet<_>>();
    let now = names(s.org.units(&actor, None, None, d(TODAY)).await.unwrap());
    let then = names(s.org.units(&actor, None, None, d(NEXT_MONTH)).await.unwrap());
    let year_ago = names(s.org.units(&actor, None, None, d("2025-11-01")).await.unwrap());
    assert!(now.contains("客户服务部") && !now.contains("客户成功部"));
    assert!(then.contains("客户成功部") && !then.contains("客户服务部"));
    assert!(year_ago.contains("大数据部") && now.contains("数据智能部"));

    // Everyone is listed, with a valid ID number, and the quality report finds nothing.
    let list = everyone(&s.people, &actor, TODAY).await;
    assert_eq!(list.len(), 500);
    let persons = s.t.store.people(None).await.unwrap();
    assert_eq!(persons.len(), 500);
    for p in &persons {
        let id =
            ResidentId::parse(&p.id_number).unwrap_or_else(|e| panic!("{} has an invalid ID: {e:?}", p.employee_no));
        assert_eq!(Some(id.birth_date()), p.birth_date);
        assert_eq!(id.sex().gb2261_code(), p.gender);
    }
    let report = s.people.quality_report(&actor, None, 20).await.unwrap();
    assert_eq!(report.records_with_issues, 0, "{:?}", report.findings);

    // Lifecycle variety today.
    let statuses: HashSet<EmployeeStatus> = list.iter().filter_map(|e| e.status).collect();
    for st in [EmployeeStatus::Probation, EmployeeStatus::Regular, EmployeeStatus::Separated] {
        assert!(statuses.contains(&st), "{st:?} missing from {statuses:?}");
    }

    // A transfer decided for next month is absent today and present then.
    let later: HashMap<_, Option<OrgUnitId>> =
        everyone(&s.people, &actor, NEXT_MONTH).await.into_iter().map(|e| (e.id, e.org_unit_id)).collect();
    let moved: Vec<&EmployeeSummary> =
        list.iter().filter(|e| later.get(&e.id).is_some_and(|u| *u != e.org_unit_id)).collect();
    assert!(!moved.is_empty(), "some transfers take effect next month");
    let who = moved[0];
    let target = later[&who.id].unwrap();
    let in_target = |as_of: &str| {
        let q = ListQuery {
            org_unit_id: Some(target),
            include_subunits: false,
            as_of: Some(d(as_of)),
            page: PageRequest::new(Some(1), Some(500)),
            ..Default::default()
        };
        let people = s.people.clone();
        let actor = actor.clone();
        async move { people.list(&actor, q).await.unwrap().items.iter().any(|e| e.id == who.id) }
    };
    assert!(!in_target(TODAY).await, "not in the new unit yet");
    assert!(in_target(NEXT_MONTH).await, "in the new unit next month");

    // 编制: within quota everywhere except the one unit allowed to overrun.
    let usage = s.org.quota_usage(&actor, None, d(TODAY)).await.unwrap();
    assert!(usage.iter().any(|q| q.quota.allow_overrun && q.occupied > q.quota.amount), "one unit shows 超编");
    assert!(usage.iter().filter(|q| !q.quota.allow_overrun).all(|q| q.occupied <= q.quota.amount));
    assert!(usage.iter().any(|q| !q.quota.allow_overrun && q.occupied > 0 && q.vacant <= 2), "a unit near full");
    assert!(usage.iter().map(|q| q.quota.category.as_str()).collect::<HashSet<_>>().len() >= 3);

    // Same seed, same people.
    let again = seeded(TestDb::sqlite().await, DemoOptions::DEFAULT_SEED, 500).await;
    let key = |l: &[EmployeeSummary]| {
        l.iter().map(|e| (e.employee_no.clone(), e.name.clone(), e.hire_date)).collect::<Vec<_>>()
    };
    assert_eq!(key(&list), key(&everyone(&again.people, &actor, TODAY).await), "reproducible from the seed");
    assert_eq!(again.summary, sum);
}

#[tokio::test]
async fn another_seed_gives_other_people() {
    let a = seeded(TestDb::sqlite().await, 1, 60).await;
    let b = seeded(TestDb::sqlite().await, 2, 60).await;
    let actor = admin();
    let names = |l: Vec<EmployeeSummary>| l.into_iter().map(|e| e.name).collect::<Vec<_>>();
    let (na, nb) = (names(everyone(&a.people, &actor, TODAY).await), names(everyone(&b.people, &actor, TODAY).await));
    assert_eq!(na.len(), 60);
    assert_ne!(na, nb);
}

#[tokio::test]
async fn too_many_employees_are_refused_before_anything_is_written() {
    let t = TestDb::sqlite().await;
    let clock = clock_on(TODAY);
    let org = OrgService::new(t.store.clone(), clock.clone());
    let people = PeopleService::new(t.store.clone(), t.store.clone(), t.store.clone(), clock);
    let opts = DemoOptions { employees: bole_demo::MAX_EMPLOYEES + 1, ..DemoOptions::new(d(TODAY)) };
    let err = seed(&org, &people, &admin(), &opts, &|_, _| {}).await.unwrap_err();
    assert!(matches!(err, bole_demo::DemoError::TooMany { .. }), "{err}");
    assert!(org.companies(&admin()).await.unwrap().is_empty());
}

#[tokio::test]
async fn five_hundred_employees_on_postgres() {
    let s = seeded(TestDb::postgres().await, DemoOptions::DEFAULT_SEED, 500).await;
    let list = everyone(&s.people, &admin(), TODAY).await;
    assert_eq!(list.len(), 500);
    assert_eq!(s.summary.employees, 500);
    let tree = s.org.tree(&admin(), None, None, d(TODAY), true).await.unwrap();
    assert_eq!(count(&tree) as u64, s.summary.org_units);
}
