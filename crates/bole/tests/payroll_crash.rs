//! Issue 6 acceptance: "A kill -9 during a run leaves no partial run; re-running gives identical
//! payslips." The real binary computes a pay run of the demo organisation's largest company
//! (`bole payroll compute`) and is SIGKILLed at several moments — while it starts, reads, computes
//! or writes — and once aborted by the store's test-only failpoint (`BOLE_FAILPOINT=
//! payroll.save_computation`: every item written, nothing committed). After each kill the run,
//! read back through the store, is exactly its previous state (status, version, digest, the same
//! item ids) or, when the command had already committed, the complete new computation — never
//! anything in between. First from a draft (no items), then from a computed run (a full previous
//! set). Finally the run is computed to the end twice: both digests, and every payslip, equal an
//! uninterrupted compute of the same inputs in a copy of the database.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "helpers outside #[test] fns panic on setup failure, like the tests themselves"
)]

use bole_core::{CompanyId, EmployeeId, PageRequest};
use bole_payroll::store::PayrollStore;
use bole_payroll::{PayRunStatus, Payslip, RunTotals};
use bole_store::{Db, SqlStore};
use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The binary with a clean environment: no `BOLE_*` variable of the developer's leaks in.
fn bole(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bole"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("BOLE_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("BOLE_LOG", "warn").env("BOLE_DATA_DIR", dir);
    cmd
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "bole failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The store over the data directory's database, as `bole` opens it.
async fn store(dir: &Path) -> SqlStore {
    let db = Db::open_dir(dir).await.unwrap();
    SqlStore::open_with_key_file(db, &dir.join("master.key")).await.unwrap().0
}

/// What a run is, as far as "partial" could show: the run row and every item.
#[derive(Clone, Debug, PartialEq)]
struct Snapshot {
    status: PayRunStatus,
    version: i64,
    digest: Option<String>,
    totals: RunTotals,
    item_ids: Vec<Uuid>,
    payslips: BTreeMap<EmployeeId, Option<Payslip>>,
}

fn snapshot(rt: &tokio::runtime::Runtime, dir: &Path, run: Uuid) -> Snapshot {
    rt.block_on(async {
        let s = store(dir).await;
        let r = s.run(run).await.unwrap();
        let items = s.all_items(run).await.unwrap();
        s.db.close().await;
        let mut item_ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
        item_ids.sort();
        Snapshot {
            status: r.status,
            version: r.version,
            digest: r.digest,
            totals: r.totals,
            item_ids,
            payslips: items.into_iter().map(|i| (i.employee_id, i.payslip)).collect(),
        }
    })
}

/// How a compute command ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// SIGKILLed while still running.
    Killed,
    /// It had finished (successfully) before the kill was due.
    Finished,
}

fn spawn_compute(dir: &Path, run: Uuid, failpoint: bool) -> Child {
    let mut cmd = bole(dir);
    cmd.args(["payroll", "compute", "--run", &run.to_string(), "--json"]);
    if failpoint {
        cmd.env("BOLE_FAILPOINT", "payroll.save_computation");
    }
    cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn bole")
}

/// Start a compute and SIGKILL it after `delay` unless it has ended by then.
fn kill_after(dir: &Path, run: Uuid, delay: Duration) -> End {
    let mut child = spawn_compute(dir, run, false);
    let started = Instant::now();
    while started.elapsed() < delay {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "compute failed on its own: {status}");
            return End::Finished;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    match status.signal() {
        Some(9) => End::Killed,
        // It finished between the last poll and the kill.
        _ => {
            assert!(status.success(), "compute failed on its own: {status}");
            End::Finished
        }
    }
}

/// A run is either exactly `before` or the complete computation `reference` describes.
fn previous_or_complete(now: &Snapshot, before: &Snapshot, reference: &Snapshot, what: &str) -> bool {
    if now == before {
        return false;
    }
    assert_eq!(now.status, PayRunStatus::Computed, "{what}: neither the previous state nor a computed run");
    assert_eq!(now.version, before.version + 1, "{what}: one computation, one version");
    assert_eq!(now.digest, reference.digest, "{what}: a different computation");
    assert_eq!(now.totals, reference.totals, "{what}: other totals");
    assert_eq!(now.item_ids.len(), reference.item_ids.len(), "{what}: a partial set of items");
    assert_eq!(now.payslips, reference.payslips, "{what}: other payslips");
    true
}

#[test]
fn a_kill_during_a_pay_run_leaves_no_partial_run_and_reruns_give_identical_payslips() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ok(bole(&dir).args(["demo", "--no-serve", "--employees", "500"]).output().unwrap());

    // The demo published last month's runs; compute the next month of its largest company.
    let (company, period): (CompanyId, String) = rt.block_on(async {
        let s = store(&dir).await;
        let runs = s.runs(None, PageRequest::new(Some(1), Some(100))).await.unwrap().items;
        s.db.close().await;
        let last = runs.iter().max_by_key(|r| r.totals.headcount).expect("the demo's published runs");
        assert_eq!(last.status, PayRunStatus::Published);
        let (y, m) = last.period.split_once('-').unwrap();
        let (y, m): (i32, u32) = (y.parse().unwrap(), m.parse().unwrap());
        let next = if m == 12 { format!("{}-01", y + 1) } else { format!("{y}-{:02}", m + 1) };
        (last.company_id, next)
    });
    let created = ok(bole(&dir)
        .args(["payroll", "create", "--company", &company.0.to_string(), "--period", &period, "--json"])
        .output()
        .unwrap());
    let run: Uuid = json(&created)["id"].as_str().unwrap().parse().unwrap();

    // The reference: the same inputs, computed without interruption, in a copy.
    let reference_dir = tmp.path().join("reference");
    copy_dir(&dir, &reference_dir);
    let out =
        ok(bole(&reference_dir).args(["payroll", "compute", "--run", &run.to_string(), "--json"]).output().unwrap());
    let report = json(&out);
    let reference = snapshot(&rt, &reference_dir, run);
    assert_eq!(reference.status, PayRunStatus::Computed);
    assert_eq!(reference.digest.as_deref(), report["digest"].as_str());
    let employees = report["employees"].as_u64().unwrap() as usize;
    assert!(employees > 200, "a run big enough to interrupt: {employees} employees");
    assert_eq!(reference.item_ids.len(), employees);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0, "{report}");

    let delays = [50, 150, 300, 500, 800, 1_200, 1_800].map(Duration::from_millis);
    let mut interrupted = 0;
    let mut before = snapshot(&rt, &dir, run);
    assert_eq!((before.status, before.item_ids.len(), before.digest.clone()), (PayRunStatus::Draft, 0, None));

    // Round 1 from the draft, round 2 from a computed run with a complete set of items.
    for round in 1..=2 {
        for delay in delays {
            let end = kill_after(&dir, run, delay);
            let now = snapshot(&rt, &dir, run);
            let what = format!("round {round}, kill after {delay:?} ({end:?})");
            let completed = previous_or_complete(&now, &before, &reference, &what);
            if end == End::Finished {
                assert!(completed, "{what}: finished without a new computation");
            } else if !completed {
                interrupted += 1;
            }
            before = now;
        }
        // The commit window, deterministically: the store aborts with every item written.
        let status = spawn_compute(&dir, run, true).wait().unwrap();
        assert_eq!(status.signal(), Some(6), "the failpoint aborts the process: {status}");
        let now = snapshot(&rt, &dir, run);
        assert_eq!(now, before, "round {round}: an abort inside the transaction changed the run");
        interrupted += 1;

        if round == 1 && before.status == PayRunStatus::Draft {
            let out =
                ok(bole(&dir).args(["payroll", "compute", "--run", &run.to_string(), "--json"]).output().unwrap());
            assert_eq!(json(&out)["digest"], report["digest"]);
            let now = snapshot(&rt, &dir, run);
            assert!(previous_or_complete(&now, &before, &reference, "the first complete compute"));
            before = now;
        }
        assert_eq!(before.status, PayRunStatus::Computed);
    }
    eprintln!("{interrupted} compute(s) interrupted before their commit left the run unchanged");
    assert!(interrupted >= 3, "at least the two failpoint aborts and one kill landed mid-run");

    // Re-running gives identical payslips, twice.
    for _ in 0..2 {
        let out = ok(bole(&dir).args(["payroll", "compute", "--run", &run.to_string(), "--json"]).output().unwrap());
        assert_eq!(json(&out)["digest"], report["digest"]);
        let now = snapshot(&rt, &dir, run);
        assert!(previous_or_complete(&now, &before, &reference, "a re-run"));
        assert_ne!(now.item_ids, before.item_ids, "a re-run replaces the items");
        before = now;
    }
}
