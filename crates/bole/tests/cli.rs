//! The `bole` binary end to end: each test runs the real executable with a
//! fresh temporary data directory and checks its output and exit code.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "helpers outside #[test] fns panic on setup failure, like the tests themselves"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The binary with a clean environment: no `BOLE_*` variable of the developer's leaks in.
fn bole() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bole"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("BOLE_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("BOLE_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run bole")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn with_data_dir<'a>(cmd: &'a mut Command, dir: &Path) -> &'a mut Command {
    cmd.arg("--data-dir").arg(dir)
}

#[test]
fn calc_id_json_reports_a_valid_number() {
    let out = run(bole().args(["calc", "id", "11010519491231002X", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["valid"], true);
    assert_eq!(report["number"], "11010519491231002X");
    assert_eq!(report["birth_date"], "1949-12-31");
    assert_eq!(report["sex"], "female");
    assert_eq!(report["region_code"], "110105");
    assert_eq!(report["province"], "北京市");
}

#[test]
fn calc_id_human_form_is_chinese() {
    let out = run(bole().args(["calc", "id", "11010519491231002x"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in ["有效：是", "出生日期：1949-12-31", "性别：女", "地区码：110105（北京市）"] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}

#[test]
fn calc_id_on_an_invalid_number_exits_1_with_the_reason() {
    let out = run(bole().args(["calc", "id", "110105194912310021"]));
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("有效：否"), "{text}");
    assert!(text.contains("校验位错误"), "{text}");
    assert!(text.contains("check digit is wrong"), "{text}");

    let out = run(bole().args(["calc", "id", "110105194912310021", "--json"]));
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["valid"], false);
    assert_eq!(report["error_code"], "id_number_check_digit");
    assert!(report["message"]["zh"].as_str().unwrap().contains("校验位"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(bole().args(["calc", "id"])).status.code(), Some(2));
    assert_eq!(run(bole().arg("no-such-command")).status.code(), Some(2));
}

#[test]
fn migrate_applies_once_then_reports_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = run(with_data_dir(bole().arg("migrate"), &data));
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("0001_foundation"), "{}", stdout(&first));
    assert!(data.join("bole.db").is_file(), "SQLite creates the data directory and the database");

    let second = run(with_data_dir(bole().arg("migrate"), &data));
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stdout(&second).contains("up to date"), "{}", stdout(&second));
    assert!(!stdout(&second).contains("0001_foundation"));
}

#[test]
fn admin_create_stores_an_account_that_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(with_data_dir(bole().args(["admin", "create", "--username", "Root.Admin"]), dir.path())
        .env("BOLE_ADMIN_PASSWORD", "Correct-Horse-42"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("root.admin"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("Correct-Horse-42"), "a given password is never echoed");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = bole_store::Db::open_dir(dir.path()).await.unwrap();
        let bole_store::Db::Sqlite(pool) = &db else { panic!("SQLite expected") };
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT username, roles FROM users").fetch_all(pool).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "root.admin");
        assert!(rows[0].1.contains("system_admin"), "{}", rows[0].1);
        db.close().await;

        let settings = bole_app::Settings { data_dir: dir.path().to_path_buf(), ..bole_app::Settings::default() };
        let app = bole_app::App::build(settings, std::sync::Arc::new(bole_core::SystemClock::default())).await.unwrap();
        let meta = bole_core::RequestMeta::default();
        let session =
            app.services.accounts.login("root.admin", "Correct-Horse-42", &meta).await.unwrap().session().unwrap();
        assert_eq!(session.user.username, "root.admin");
        app.db.close().await;
    });

    // The same username again is a domain failure (1), reported in both languages.
    let again = run(with_data_dir(bole().args(["admin", "create", "--username", "root.admin"]), dir.path())
        .env("BOLE_ADMIN_PASSWORD", "Correct-Horse-42"));
    assert_eq!(again.status.code(), Some(1));
    let err = stderr(&again);
    assert!(err.contains("错误：") && err.contains("error: "), "{err}");
    assert!(err.contains("已被使用"), "{err}");
}

#[test]
fn admin_create_without_a_password_generates_one_and_prints_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(with_data_dir(bole().args(["admin", "create", "--username", "ops"]), dir.path()));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let password = text.lines().last().unwrap().trim().to_string();
    assert_eq!(password.len(), 20, "{text}");
    assert_eq!(text.matches(&password).count(), 1);

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let settings = bole_app::Settings { data_dir: dir.path().to_path_buf(), ..bole_app::Settings::default() };
        let app = bole_app::App::build(settings, std::sync::Arc::new(bole_core::SystemClock::default())).await.unwrap();
        app.services.accounts.login("ops", &password, &bole_core::RequestMeta::default()).await.unwrap();
        app.db.close().await;
    });
}

#[test]
fn admin_create_rejects_a_weak_password() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        run(with_data_dir(bole().args(["admin", "create", "--username", "ops", "--password", "short"]), dir.path()));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("密码至少10位"), "{}", stderr(&out));
}

#[test]
fn config_default_is_the_sample_and_a_data_dir_file_is_read() {
    let out = run(bole().args(["config", "default"]));
    assert!(out.status.success());
    let sample = stdout(&out);
    assert_eq!(sample, bole_app::Settings::default_toml());

    // The sample is a working bole.toml: put it in a data directory and use it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bole.toml"), &sample).unwrap();
    let migrated = run(with_data_dir(bole().arg("migrate"), dir.path()));
    assert!(migrated.status.success(), "{}", stderr(&migrated));

    // A typo in it is a configuration error (2), named in both languages.
    std::fs::write(dir.path().join("bole.toml"), sample.replace("idle_minutes", "idle_minute")).unwrap();
    let bad = run(with_data_dir(bole().arg("migrate"), dir.path()));
    assert_eq!(bad.status.code(), Some(2));
    let err = stderr(&bad);
    assert!(err.contains("未知的配置项“session.idle_minute”"), "{err}");
    assert!(err.contains("error: invalid configuration"), "{err}");
}

#[test]
fn bad_settings_exit_2_and_never_print_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        run(with_data_dir(bole().arg("migrate"), dir.path()).env("BOLE_DATABASE_URL", "mysql://hr:hunter2@db/hr"));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("mysql://hr:***@db/hr"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");

    let out = run(with_data_dir(bole().args(["serve", "--listen", "everywhere"]), dir.path()));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("IP:端口"), "{}", stderr(&out));
}

#[test]
fn an_unusable_database_is_a_failure_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let out = run(with_data_dir(bole().arg("migrate"), &blocker.join("data")));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("错误：无法连接数据库"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn openapi_prints_an_openapi_3_1_document() {
    let out = run(bole().arg("openapi"));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    assert!(doc["paths"].is_object());
}

/// One HTTP/1.1 GET; returns the status line.
fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.lines().next().unwrap_or_default().to_string()
}

#[test]
fn serve_answers_healthz_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = with_data_dir(bole().args(["serve", "--listen", "127.0.0.1:0"]), dir.path())
        .env("BOLE_LOG", "info")
        .env("BOLE_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bole serve");

    // The port is chosen by the OS; the startup log line (JSON) says which.
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let listen = serde_json::from_str::<serde_json::Value>(&line)
                .ok()
                .and_then(|v| v["listen"].as_str().map(str::to_string));
            let _ = tx.send((line, listen));
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    let addr = loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok((_, Some(addr))) => break addr,
            Ok((line, None)) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("bole serve did not report its address; stderr so far:\n{}", seen.join("\n"));
            }
        }
    };
    assert!(addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"), "{addr}");

    assert_eq!(http_get(&addr, "/healthz"), "HTTP/1.1 200 OK");
    assert_eq!(http_get(&addr, "/readyz"), "HTTP/1.1 200 OK");

    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill -TERM");
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("bole serve did not stop within 30 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "graceful shutdown exits 0, got {status:?}");
}

#[test]
fn demo_seeds_once_saves_the_login_and_import_export_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(with_data_dir(bole().args(["demo", "--no-serve", "--employees", "60"]), dir.path()));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("60 名员工"), "{text}");
    let creds = std::fs::read_to_string(dir.path().join("demo-credentials.txt")).unwrap();
    assert!(creds.contains("admin"));
    let again = run(with_data_dir(bole().args(["demo", "--no-serve"]), dir.path()));
    assert!(again.status.success());
    assert!(stdout(&again).contains("跳过"), "{}", stdout(&again));
    // Export a company's roster, then import a roster with a bad row: exit 1, row-level message.
    let xlsx = dir.path().join("roster.xlsx");
    let out = run(with_data_dir(bole().args(["export", "--company", "BOLE-TECH"]).arg(&xlsx), dir.path()));
    assert!(out.status.success(), "export failed: {}", stderr(&out));
    assert!(stdout(&out).contains("roster.xlsx"));
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "工号,姓名,身份证号,入职日期,组织编码,用工类型,编制类别\nX1,张三,110105194912310021,2024-03-01,HQ,全职,合同制\n").unwrap();
    let out = run(with_data_dir(bole().args(["import", "--company", "BOLE-TECH"]).arg(&csv), dir.path()));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("第2行"), "{}", stderr(&out));
}

#[test]
fn keys_rotate_reencrypts_and_a_new_master_key_replaces_the_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(with_data_dir(bole().args(["demo", "--no-serve", "--employees", "20"]), dir.path()));
    assert!(out.status.success(), "{}", stderr(&out));
    // The first start created the master key, owner-only.
    let key_file = dir.path().join("master.key");
    let first_key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(first_key.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let out = run(with_data_dir(bole().args(["keys", "rotate"]), dir.path()));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("new active data key: 2"), "{}", stdout(&out));
    assert!(stdout(&out).contains("retired keys destroyed: 1"), "{}", stdout(&out));

    let new_key = dir.path().join("new-master.key");
    let out = run(with_data_dir(bole().args(["keys", "rotate", "--master"]).arg(&new_key), dir.path()));
    assert!(out.status.success(), "{}", stderr(&out));
    let replaced = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(replaced, first_key);
    assert_eq!(replaced, std::fs::read_to_string(&new_key).unwrap());
    // Everything still reads (the export opens every sealed field) under the new master key.
    let xlsx = dir.path().join("roster.xlsx");
    let out = run(with_data_dir(bole().args(["export", "--company", "BOLE-TECH"]).arg(&xlsx), dir.path()));
    assert!(out.status.success(), "export failed: {}", stderr(&out));
    // The old key no longer opens the database; a missing key is an error, never a new key.
    let out = run(with_data_dir(bole().args(["migrate"]).env("BOLE_MASTER_KEY", first_key.trim()), dir.path()));
    assert!(out.status.success(), "migrate does not need the key: {}", stderr(&out));
    let out = run(with_data_dir(
        bole().args(["export", "--company", "BOLE-TECH"]).arg(&xlsx).env("BOLE_MASTER_KEY", first_key.trim()),
        dir.path(),
    ));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    std::fs::remove_file(&key_file).unwrap();
    let out = run(with_data_dir(bole().args(["export", "--company", "BOLE-TECH"]).arg(&xlsx), dir.path()));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("BOLE_MASTER_KEY"), "{}", stderr(&out));
    assert!(!key_file.exists(), "no new key is made for an encrypted database");
}

/// Change the audit trail behind Bole's back, as someone with access to the database file could.
fn tamper(dir: &Path, sql: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = bole_store::Db::open_dir(dir).await.unwrap();
        let bole_store::Db::Sqlite(pool) = &db else { panic!("SQLite expected") };
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(pool).await.unwrap();
        db.close().await;
    });
}

fn audit_verify(dir: &Path) -> Output {
    run(with_data_dir(bole().args(["audit", "verify"]), dir))
}

#[test]
fn audit_verify_names_the_first_broken_link_of_a_tampered_database() {
    let dir = tempfile::tempdir().unwrap();
    // Every verification is itself audited: five runs leave five chained records.
    for _ in 0..5 {
        let out = audit_verify(dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).starts_with("OK "), "{}", stdout(&out));
    }
    let out = audit_verify(dir.path());
    assert!(stdout(&out).contains("5 条记录 records (seq 1–5)"), "{}", stdout(&out));

    tamper(dir.path(), "UPDATE audit_log SET action = 'employee.read' WHERE seq = 3");
    let out = audit_verify(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("BROKEN "), "{text}");
    assert!(text.contains("first broken link: seq 3 — edited"), "{text}");
    assert!(text.contains("第 3 条审计记录被修改"), "{text}");
    assert!(text.contains("audit record 3 was edited"), "{text}");

    // An earlier deletion becomes the first broken link.
    tamper(dir.path(), "DELETE FROM audit_log WHERE seq = 2");
    let out = run(with_data_dir(bole().args(["audit", "verify", "--json"]), dir.path()));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["ok"], false);
    assert_eq!(report["broken"]["seq"], 2);
    assert_eq!(report["broken"]["kind"], "deleted");
}

#[test]
fn audit_verify_reports_a_forged_record_and_purge_keeps_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        assert!(audit_verify(dir.path()).status.success());
    }
    let out = run(with_data_dir(bole().args(["audit", "checkpoint"]), dir.path()));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("signed checkpoint: seq 3"), "{}", stdout(&out));

    // A purge of records younger than 180 days is refused, whatever the day.
    let out = run(with_data_dir(bole().args(["audit", "purge", "--before", "2999-01-01"]), dir.path()));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("at least 180 days"), "{}", stderr(&out));

    // A forged record after the last one (copied from a real one) is named as inserted.
    tamper(
        dir.path(),
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, ip, user_agent, action, subject_type, subject_ids, fields, outcome, prev_hash, hash) \
         SELECT seq + 100, at, actor_id, actor_name, ip, user_agent, action, subject_type, subject_ids, fields, outcome, hash, hash FROM audit_log WHERE seq = 2",
    );
    let out = audit_verify(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("first broken link: seq 102 — inserted"), "{}", stdout(&out));
}
