//! The demo's payroll and the operator's pay-run commands: `bole demo` leaves every company's last
//! month published (the self-service employee has a payslip with their declarations applied, the
//! `payroll` account exists); `bole payroll run` creates and computes the next month, a second
//! `run` recomputes the same run to the same digest, and refusals (unknown company, a published
//! month) end with exit code 1 and a message.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use bole_access::AccountStore;
use bole_payroll::store::PayrollStore;
use bole_payroll::{AdditionalKind, PayRunStatus};
use bole_store::{Db, SqlStore};
use std::path::Path;
use std::process::{Command, Output};

fn bole(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bole"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("BOLE_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("BOLE_LOG", "warn").env("BOLE_DATA_DIR", dir).args(args).output().expect("run bole")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

async fn store(dir: &Path) -> SqlStore {
    let db = Db::open_dir(dir).await.unwrap();
    SqlStore::open_with_key_file(db, &dir.join("master.key")).await.unwrap().0
}

#[test]
fn the_demo_publishes_last_month_and_payroll_run_computes_the_next() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = bole(dir, &["demo", "--no-serve", "--employees", "40"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(shown.contains("payroll    薪酬专员"), "the payroll account is listed:\n{shown}");
    assert!(shown.contains("工资已审批发布"), "{shown}");

    let (last_period, company) = rt.block_on(async {
        let s = store(dir).await;
        let runs = s.runs(None, bole_core::PageRequest::new(Some(1), Some(100))).await.unwrap().items;
        assert!(!runs.is_empty());
        assert!(runs.iter().all(|r| r.status == PayRunStatus::Published && r.totals.errors == 0), "{runs:?}");
        // The self-service employee sees last month's payslip, with 子女教育 and 赡养老人 deducted.
        let (me, _) = s.user_with_hash("employee").await.unwrap().expect("the demo employee account");
        let me = me.employee_id.expect("linked to a record");
        let slips = s.payslips_of(me).await.unwrap();
        assert_eq!(slips.len(), 1, "{slips:?}");
        let (_, item) = s.item(slips[0].id).await.unwrap();
        let tax = item.payslip.expect("computed").tax;
        assert_eq!(
            tax.additional.get(&AdditionalKind::ChildEducation).map(ToString::to_string),
            Some("2000.00".into())
        );
        assert_eq!(
            tax.additional.get(&AdditionalKind::ElderlySupport).map(ToString::to_string),
            Some("3000.00".into())
        );
        let (payroll, _) = s.user_with_hash("payroll").await.unwrap().expect("the payroll account");
        assert!(payroll.employee_id.is_some(), "the preparer needs a record to submit runs");
        let biggest = runs.iter().max_by_key(|r| r.totals.headcount).unwrap();
        let company = s.company_name(biggest.company_id).await.unwrap();
        s.db.close().await;
        (biggest.period.clone(), (biggest.company_id, company))
    });
    let (y, m) = last_period.split_once('-').unwrap();
    let (y, m): (i32, u32) = (y.parse().unwrap(), m.parse().unwrap());
    let next = if m == 12 { format!("{}-01", y + 1) } else { format!("{y}-{:02}", m + 1) };
    let id = company.0.0.to_string();

    let out = bole(dir, &["payroll", "run", "--company", &id, "--period", &next]);
    assert!(out.status.success(), "{}", text(&out));
    let first = String::from_utf8_lossy(&out.stdout).into_owned();
    for part in ["薪资批次已核算 / pay run computed", &company.1, "错误 errors: 0", "摘要 digest: ", "用时 took: "]
    {
        assert!(first.contains(part), "missing {part:?} in:\n{first}");
    }
    let digest_of = |s: &str| s.lines().find_map(|l| l.trim().strip_prefix("摘要 digest: ")).unwrap().to_string();
    let id_of = |s: &str| s.lines().find_map(|l| l.trim().strip_prefix("ID: ")).unwrap().to_string();

    // Again: the open run of the month is recomputed, not duplicated, to the same digest.
    let out = bole(dir, &["payroll", "run", "--company", &id, "--period", &next, "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["run_id"].as_str().unwrap(), id_of(&first));
    assert_eq!(report["digest"].as_str().unwrap(), digest_of(&first));

    let out = bole(dir, &["payroll", "run", "--company", "NO-SUCH", "--period", &next]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("NO-SUCH"), "{}", text(&out));
    // Last month is published: it cannot be computed again.
    let out = bole(dir, &["payroll", "run", "--company", &id, "--period", &last_period]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let out = bole(dir, &["payroll", "create", "--company", &id, "--period", &next]);
    assert_eq!(out.status.code(), Some(1), "a second regular run of the month: {}", text(&out));
}
