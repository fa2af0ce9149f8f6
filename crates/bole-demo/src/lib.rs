//! The demo organisation generator behind `bole demo`: three legal entities of
//! different kinds (an enterprise, a 事业单位 and a 机关), about forty org units
//! three to four levels deep with a little structural history, positions with
//! job families and grades, 编制 sized to the staff, and employees with valid
//! synthetic personal data and years of lifecycle history — including a few
//! transfers and a rename already decided for next month, so as-of reads differ.
//!
//! Everything is written through the domain services (`OrgService`,
//! `PeopleService::import_with_history`), so the demo is held to the same rules
//! as real data. It is reproducible: the same seed and "today" give the same
//! structure, employee numbers, names and histories (ids differ per run).
//!
//! Not generated: labour contracts (the batch import API carries none), line
//! managers (ids exist only after import), accounts.

mod names;
mod person;
mod plan;
mod structure;

use bole_core::{Actor, Failure, FieldErrors};
use bole_org::{NewQuota, OrgError, OrgService};
use bole_people::{BatchError, PeopleError, PeopleService};
use chrono::NaiveDate;
use plan::Category;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Largest demo the generator accepts.
pub const MAX_EMPLOYEES: u32 = 1_000_000;
/// Employees per `import_with_history` call; each call is all-or-nothing.
pub const CHUNK: usize = 2_000;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoOptions {
    /// Number of employees (default 500, at most [`MAX_EMPLOYEES`]).
    pub employees: u32,
    /// RNG seed; the same seed and `today` give the same demo.
    pub seed: u64,
    /// The day the demo is built around: hires and history lie before it, a few
    /// changes in the month after it.
    pub today: NaiveDate,
}

impl DemoOptions {
    pub const DEFAULT_EMPLOYEES: u32 = 500;
    pub const DEFAULT_SEED: u64 = 0xB01E_2026;

    /// The default demo (500 employees, fixed seed) around `today`.
    pub fn new(today: NaiveDate) -> Self {
        Self { employees: Self::DEFAULT_EMPLOYEES, seed: Self::DEFAULT_SEED, today }
    }
}

/// Extra shape for large data sets (benchmarks): the enterprise gets numbered
/// project teams (项目组) under its departments until the total unit count is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// Minimum number of org units over all companies; below ~43 it changes nothing.
    pub min_org_units: u32,
}

/// What was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub companies: u64,
    pub org_units: u64,
    pub positions: u64,
    pub quotas: u64,
    pub employees: u64,
    /// Lifecycle events, counting each employee's 入职.
    pub events: u64,
}

/// One rejected row of a chunk.
#[derive(Clone, Debug)]
pub struct RowError {
    /// 0-based index of the employee in the whole demo.
    pub row: usize,
    pub employee_no: String,
    pub errors: FieldErrors,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("at most {max} employees can be generated, {asked} were asked for")]
    TooMany { asked: u32, max: u32 },
    #[error("creating the organisation failed: {0}")]
    Org(#[from] OrgError),
    #[error("importing employees failed: {0}")]
    People(#[from] PeopleError),
    /// A chunk was refused; nothing of it was written (earlier chunks were).
    #[error("chunk from row {chunk_start} refused: {rejected} rows with errors; first: {}", first_row(.rows))]
    Rows { chunk_start: usize, rejected: usize, rows: Vec<RowError> },
}

fn first_row(rows: &[RowError]) -> String {
    match rows.first() {
        None => String::new(),
        Some(r) => {
            let fields: Vec<String> =
                r.errors.0.iter().flat_map(|(f, ms)| ms.iter().map(move |m| format!("{f}: {}", m.en))).collect();
            format!("row {} ({}): {}", r.row, r.employee_no, fields.join("; "))
        }
    }
}

impl DemoError {
    /// The user-facing message of the underlying domain error, when there is one.
    pub fn message(&self) -> Option<bole_core::Msg> {
        match self {
            DemoError::Org(e) => Some(e.message()),
            DemoError::People(e) => Some(e.message()),
            _ => None,
        }
    }
}

/// Seed the demo organisation. `progress(done, total)` is called with the
/// number of employees written so far (after each chunk, and once at the start).
pub async fn seed(
    org: &OrgService,
    people: &PeopleService,
    actor: &Actor,
    opts: &DemoOptions,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<DemoSummary, DemoError> {
    seed_with(org, people, actor, opts, Layout::default(), progress).await
}

/// [`seed`] with a [`Layout`] for larger structures.
pub async fn seed_with(
    org: &OrgService,
    people: &PeopleService,
    actor: &Actor,
    opts: &DemoOptions,
    layout: Layout,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<DemoSummary, DemoError> {
    if opts.employees > MAX_EMPLOYEES {
        return Err(DemoError::TooMany { asked: opts.employees, max: MAX_EMPLOYEES });
    }
    let today = opts.today;
    let dates = structure::Dates::new(today);
    let built = structure::build(org, actor, today, layout.min_org_units).await?;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let planned = plan::plan(&built, opts.employees, today, dates.next_month, &mut rng);
    let quotas = create_quotas(org, actor, &built, &planned, today).await?;

    let total = planned.len() as u64;
    progress(0, total);
    let mut done = 0u64;
    let mut events = 0u64;
    let mut start = 0usize;
    while start < planned.len() {
        // Chunks never span companies: one import call is for one company.
        let company = planned[start].company;
        let mut end = (start + CHUNK).min(planned.len());
        if let Some(off) = planned[start..end].iter().position(|p| p.company != company) {
            end = start + off;
        }
        let company_id = built.companies[company].id;
        let rows: Vec<_> = planned[start..end]
            .iter()
            .enumerate()
            .map(|(k, p)| person::materialize(&built, company_id, p, (start + k) as u64, opts.seed, today))
            .collect();
        let chunk_events: u64 = rows.iter().map(|(_, h)| 1 + h.len() as u64).sum();
        match people.import_with_history(actor, company_id, rows).await {
            Ok(_) => {}
            Err(BatchError::Rows(errs)) => {
                let rejected = errs.0.len();
                let rows = errs
                    .0
                    .into_iter()
                    .take(5)
                    .map(|(i, errors)| RowError {
                        row: start + i,
                        employee_no: planned.get(start + i).map(|p| person::employee_no(&built, p)).unwrap_or_default(),
                        errors,
                    })
                    .collect();
                return Err(DemoError::Rows { chunk_start: start, rejected, rows });
            }
            Err(BatchError::Other(e)) => return Err(e.into()),
        }
        events += chunk_events;
        done += (end - start) as u64;
        progress(done, total);
        start = end;
    }
    Ok(DemoSummary {
        companies: built.companies.len() as u64,
        org_units: built.units.len() as u64,
        positions: built.positions.len() as u64,
        quotas,
        employees: done,
        events,
    })
}

/// 编制 for every (unit, category) the plan fills, with headroom (120 % + 1 of
/// the most people ever there at once), except: two units sized to be exactly
/// full at their peak, and one enterprise unit on a contract quota that allows
/// overrun and is set below its staff (超编). Units nobody is planned into still
/// get a small quota of their company's own category.
async fn create_quotas(
    org: &OrgService,
    actor: &Actor,
    built: &structure::Built,
    planned: &[plan::Person],
    today: NaiveDate,
) -> Result<u64, DemoError> {
    let occ = plan::occupancy(built, planned, today);
    let mut pairs: Vec<((usize, Category), plan::Occupancy)> = occ.into_iter().collect();
    pairs.sort_by_key(|(k, _)| *k);
    // The busiest non-root units of the enterprise and of the institution, by staff today.
    let busiest = |company: usize, skip: usize| {
        let mut c: Vec<&((usize, Category), plan::Occupancy)> = pairs
            .iter()
            .filter(|((u, cat), _)| {
                built.units[*u].company == company
                    && *cat == Category::main_of(built.companies[company].kind)
                    && *u != root_of(built, company)
            })
            .collect();
        c.sort_by_key(|(k, o)| (std::cmp::Reverse(o.today), *k));
        c.get(skip).map(|(k, _)| *k)
    };
    let full: Vec<(usize, Category)> = [busiest(0, 0), busiest(1, 0)].into_iter().flatten().collect();
    let overrun = busiest(0, 1);
    let mut count = 0u64;
    let mut covered = std::collections::HashSet::new();
    for ((unit, category), o) in &pairs {
        let key = (*unit, *category);
        let (amount, allow_overrun) = if full.contains(&key) {
            (o.max.max(1), false)
        } else if overrun == Some(key) {
            ((o.today * 9 / 10).max(1), true)
        } else {
            ((o.max * 6 + 4) / 5 + 1, false)
        };
        new_quota(org, actor, built, *unit, *category, amount, allow_overrun).await?;
        covered.insert(*unit);
        count += 1;
    }
    for (i, u) in built.units.iter().enumerate() {
        if !covered.contains(&i) {
            let category = Category::main_of(built.companies[u.company].kind);
            new_quota(org, actor, built, i, category, 2, false).await?;
            count += 1;
        }
    }
    Ok(count)
}

fn root_of(built: &structure::Built, company: usize) -> usize {
    built.units.iter().position(|u| u.company == company).unwrap_or(0)
}

async fn new_quota(
    org: &OrgService,
    actor: &Actor,
    built: &structure::Built,
    unit: usize,
    category: Category,
    amount: i64,
    allow_overrun: bool,
) -> Result<(), DemoError> {
    let u = &built.units[unit];
    org.create_quota(
        actor,
        NewQuota {
            org_unit_id: u.id,
            category: category.as_str().into(),
            amount,
            allow_overrun,
            valid_from: u.created,
            valid_to: None,
        },
    )
    .await?;
    Ok(())
}
