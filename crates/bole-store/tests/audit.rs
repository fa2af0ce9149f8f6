//! Conformance suite for the audit trail (`AuditLog` + `AuditStore` on `SqlStore`),
//! through `AuditService`. The tampering tests change rows directly in the database,
//! as someone with database access would, and check that verification names the first
//! broken link and what broke it. Every test runs on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bole_audit::{AuditError, AuditFilter, AuditService, BreakKind, ExportFormat, Signer, StoredRecord, VerifyReport};
use bole_core::clock::SharedClock;
use bole_core::{AccessMap, Actor, AuditEvent, AuditLog, Outcome, PageRequest, RequestMeta, UserId};
use bole_store::on_db;
use bole_testkit::{TestDb, both_engines, clock_on};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::sync::Arc;

/// "Now" in every test: 2026-11-21 12:00 China time.
fn clock() -> SharedClock {
    clock_on("2026-11-21")
}

fn service(t: &TestDb) -> AuditService {
    AuditService::new(t.store.clone(), clock(), Signer::generate().unwrap())
}

fn auditor() -> Actor {
    Actor::system()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 1, 2, 3).unwrap() + TimeDelta::microseconds(456_789)
}

/// Event `i`: two actors, three actions, one subject each, one failure in five.
fn event(i: i64) -> AuditEvent {
    let actor = Actor { user_id: UserId(uuid::Uuid::from_u128(1 + (i % 2) as u128)), ..Actor::system() };
    let actor = Actor { username: format!("user{}", i % 2), ..actor }
        .with_meta(RequestMeta { ip: Some("10.1.2.3".into()), user_agent: Some("Mozilla/5.0".into()) });
    let action = ["employee.update", "employee.reveal", "org_unit.rename"][(i % 3) as usize];
    let ev = actor.audit(t0() + TimeDelta::minutes(i), action, "employee").subject(format!("e-{i}")).fields(["phone"]);
    if i % 5 == 0 { ev.outcome(Outcome::Failed) } else { ev }
}

async fn append_n(t: &TestDb, n: i64) {
    let events: Vec<_> = (1..=n).map(event).collect();
    // Several appends, so records of one chain come from separate transactions.
    for chunk in events.chunks(7) {
        t.store.append(chunk).await.unwrap();
    }
}

async fn scalar(t: &TestDb, sql: &str) -> String {
    on_db!(&t.db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(p).await.unwrap())
}

async fn exec(t: &TestDb, sql: &str) -> u64 {
    on_db!(&t.db, p => sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(p).await.unwrap().rows_affected())
}

fn broken(r: &VerifyReport) -> (i64, BreakKind) {
    let b = r.broken.as_ref().unwrap_or_else(|| panic!("expected a break, got {r:?}"));
    (b.seq, b.kind)
}

async fn all_records(audit: &AuditService) -> Vec<StoredRecord> {
    let page = audit.search(&auditor(), &AuditFilter::default(), PageRequest::new(Some(1), Some(500))).await.unwrap();
    let mut items = page.items;
    items.reverse();
    items
}

async fn append_search_and_verify(t: TestDb) {
    let audit = service(&t);
    append_n(&t, 30).await;

    let report = audit.verify(&auditor()).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!((report.records, report.first_seq, report.last_seq), (30, Some(1), Some(30)));

    // Stored exactly as hashed: microsecond instants, lists, optional fields.
    let recs = all_records(&audit).await;
    assert_eq!(recs[0].event, event(1));
    assert!(recs.iter().all(StoredRecord::hash_matches));

    let search = |f: AuditFilter| {
        let audit = audit.clone();
        async move { audit.search(&auditor(), &f, PageRequest::new(Some(1), Some(100))).await.unwrap() }
    };
    let by_actor = search(AuditFilter { actor_id: Some(UserId(uuid::Uuid::from_u128(2))), ..Default::default() }).await;
    assert_eq!(by_actor.total, 15);
    assert!(by_actor.items.iter().all(|r| r.event.actor_name == "user1"));
    let by_action = search(AuditFilter { action_prefix: Some("employee.".into()), ..Default::default() }).await;
    assert_eq!(by_action.total, 20);
    let by_action = search(AuditFilter { action_prefix: Some("Employee.".into()), ..Default::default() }).await;
    assert_eq!(by_action.total, 0, "prefixes are case-sensitive on both engines");
    let by_subject = search(AuditFilter { subject_id: Some("e-7".into()), ..Default::default() }).await;
    assert_eq!(by_subject.items.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![7]);
    let wild = search(AuditFilter { subject_id: Some("e-%".into()), ..Default::default() }).await;
    assert_eq!(wild.total, 0, "LIKE wildcards in an id are literal");
    let failed = search(AuditFilter { outcome: Some(Outcome::Failed), ..Default::default() }).await;
    assert_eq!(failed.total, 6);
    let window = search(AuditFilter {
        from: Some(t0() + TimeDelta::minutes(10)),
        to: Some(t0() + TimeDelta::minutes(13)),
        ..Default::default()
    })
    .await;
    assert_eq!(window.items.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![12, 11, 10], "newest first, [from, to)");

    // Paging, pinned with until_seq although each search appends its own record.
    let page = |n| {
        let audit = audit.clone();
        async move {
            let f = AuditFilter { until_seq: Some(30), ..Default::default() };
            audit.search(&auditor(), &f, PageRequest::new(Some(n), Some(10))).await.unwrap()
        }
    };
    let (p1, p2) = (page(1).await, page(2).await);
    assert_eq!((p1.total, p2.total), (30, 30));
    assert_eq!(p1.items.first().map(|r| r.seq), Some(30));
    assert_eq!(p2.items.first().map(|r| r.seq), Some(20));

    // Searches are audited with the filter names (never values); refusals too.
    let own = search(AuditFilter { action_prefix: Some("audit.search".into()), ..Default::default() }).await;
    assert!(own.total >= 9, "{}", own.total);
    assert!(own.items.iter().any(|r| r.event.fields == ["subject_id"]));
    let mut nobody = Actor::system();
    nobody.access = Arc::new(AccessMap::default());
    let err = audit.search(&nobody, &AuditFilter::default(), PageRequest::default()).await.unwrap_err();
    assert!(matches!(err, AuditError::Forbidden(_)), "{err:?}");
    let denied = search(AuditFilter { outcome: Some(Outcome::Denied), ..Default::default() }).await;
    assert_eq!(denied.items.iter().map(|r| r.event.action.as_str()).collect::<Vec<_>>(), ["audit.search"]);

    let err = audit
        .search(
            &auditor(),
            &AuditFilter { from: Some(t0()), to: Some(t0()), ..Default::default() },
            PageRequest::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AuditError::Invalid(_)), "{err:?}");

    assert!(audit.verify(&auditor()).await.unwrap().ok);
}

async fn edited_record_is_named(t: TestDb) {
    let audit = service(&t);
    append_n(&t, 20).await;
    assert_eq!(exec(&t, "UPDATE audit_log SET action = 'employee.read' WHERE seq = 7").await, 1);
    let report = audit.verify(&auditor()).await.unwrap();
    assert_eq!(broken(&report), (7, BreakKind::Edited));
    assert!(!report.ok);
    assert!(report.broken.unwrap().message.en.contains("audit record 7 was edited"));

    // A value that no longer even decodes is an edit too, and search says which row.
    assert_eq!(exec(&t, "UPDATE audit_log SET outcome = 'hacked', action = 'employee.update' WHERE seq = 3").await, 1);
    assert_eq!(broken(&audit.verify(&auditor()).await.unwrap()), (3, BreakKind::Edited));
    let err = audit.search(&auditor(), &AuditFilter::default(), PageRequest::default()).await.unwrap_err();
    assert!(matches!(err, AuditError::Unreadable { seq: 3 }), "{err:?}");
}

async fn deleted_record_is_named(t: TestDb) {
    let audit = service(&t);
    append_n(&t, 20).await;
    assert_eq!(exec(&t, "DELETE FROM audit_log WHERE seq = 9").await, 1);
    let report = audit.verify(&auditor()).await.unwrap();
    assert_eq!(broken(&report), (9, BreakKind::Deleted));
    assert_eq!(report.records, 8, "checked up to the break");

    // More deleted further on: still the first break.
    exec(&t, "DELETE FROM audit_log WHERE seq >= 18").await;
    assert_eq!(broken(&audit.verify_chain().await.unwrap()), (9, BreakKind::Deleted));
}

async fn deleted_tail_is_named(t: TestDb) {
    let audit = service(&t);
    append_n(&t, 20).await;
    assert_eq!(exec(&t, "DELETE FROM audit_log WHERE seq > 17").await, 3);
    assert_eq!(broken(&audit.verify_chain().await.unwrap()), (18, BreakKind::Deleted));
}

async fn inserted_record_is_named(t: TestDb) {
    let audit = service(&t);
    append_n(&t, 20).await;
    // A forged row after the last one, made by copying a real row: beyond the head.
    exec(
        &t,
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, ip, user_agent, action, subject_type, subject_ids, fields, outcome, prev_hash, hash) \
         SELECT 21, at, actor_id, 'intruder', ip, user_agent, action, subject_type, subject_ids, fields, outcome, hash, hash FROM audit_log WHERE seq = 20",
    )
    .await;
    // verify() still reports although its own record cannot be appended behind the forged row.
    let report = audit.verify(&auditor()).await.unwrap();
    assert_eq!(broken(&report), (21, BreakKind::Inserted));
    assert!(report.broken.unwrap().message.zh.contains("第 21 条审计记录是插入的"));

    // A careful forger computes a valid hash; still not part of the committed chain.
    exec(&t, "DELETE FROM audit_log WHERE seq = 21").await;
    let last = bole_audit::ChainHash::from_hex(&scalar(&t, "SELECT hash FROM audit_log WHERE seq = 20").await).unwrap();
    let forged = bole_audit::chain::extend(20, last, &[event(99)]).remove(0);
    let sql = format!(
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, ip, user_agent, action, subject_type, subject_ids, fields, outcome, prev_hash, hash) \
         SELECT 21, at, actor_id, actor_name, ip, user_agent, action, subject_type, subject_ids, fields, outcome, '{}', '{}' FROM audit_log WHERE seq = 20",
        forged.prev_hash, forged.hash
    );
    exec(&t, &sql).await;
    assert_eq!(broken(&audit.verify_chain().await.unwrap()), (21, BreakKind::Inserted));

    // One slipped in below the chain.
    exec(&t, "DELETE FROM audit_log WHERE seq = 21").await;
    exec(
        &t,
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, ip, user_agent, action, subject_type, subject_ids, fields, outcome, prev_hash, hash) \
         SELECT 0, at, actor_id, actor_name, ip, user_agent, action, subject_type, subject_ids, fields, outcome, prev_hash, hash FROM audit_log WHERE seq = 1",
    )
    .await;
    assert_eq!(broken(&audit.verify_chain().await.unwrap()), (0, BreakKind::Inserted));
}

/// The attacker edits record 15 and recomputes every later hash and the head, so the chain
/// agrees with itself; the checkpoint signed at 20 no longer does.
async fn consistent_rewrite_is_caught_by_the_signed_checkpoint(t: TestDb) {
    let audit = service(&t).with_checkpoint_every(10);
    append_n(&t, 25).await;
    let made = audit.checkpoint_if_due().await.unwrap();
    assert_eq!(made.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![10, 20]);
    assert!(audit.checkpoint_if_due().await.unwrap().is_empty(), "idempotent");
    let ok = audit.verify_chain().await.unwrap();
    assert!(ok.ok, "{ok:?}");
    assert_eq!((ok.checkpoints, ok.last_checkpoint_seq), (2, Some(20)));

    let mut recs: Vec<_> = all_records(&audit).await.into_iter().filter(|r| r.seq <= 25).collect();
    recs[14].event.action = "employee.read".into();
    let mut prev = recs[13].hash;
    for r in &mut recs[14..] {
        r.prev_hash = prev;
        r.hash = bole_audit::chain::link(&prev, r.seq, &r.event);
        prev = r.hash;
        exec(
            &t,
            &format!(
                "UPDATE audit_log SET action = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                r.event.action, r.prev_hash, r.hash, r.seq
            ),
        )
        .await;
    }
    // Rewind the head over the records the verifications above appended, as the attacker would.
    exec(&t, "DELETE FROM audit_log WHERE seq > 25").await;
    exec(&t, &format!("UPDATE audit_head SET seq = 25, hash = '{prev}'")).await;

    let without_checkpoints = bole_audit::verify_records(
        None,
        bole_audit::ChainHead { seq: 25, hash: prev },
        vec![],
        bole_audit::TrustedKeys::default(),
        &recs,
    );
    assert!(without_checkpoints.ok, "the rewrite is self-consistent");

    let report = audit.verify_chain().await.unwrap();
    assert_eq!(broken(&report), (11, BreakKind::Rewritten));
    let b = report.broken.unwrap();
    assert_eq!(b.checkpoint_seq, Some(20));
    assert!(b.message.en.contains("11–20"), "{}", b.message.en);

    // Re-signing with the attacker's own key does not help: the key is not trusted.
    let attacker = Signer::generate().unwrap();
    let forged = attacker.checkpoint(20, prev, t0());
    exec(&t, "DELETE FROM audit_checkpoints").await;
    exec(
        &t,
        &format!(
            "INSERT INTO audit_checkpoints (seq, hash, signature, public_key, created_at) VALUES (20, '{}', '{}', '{}', '2026-11-21T00:00:00+00:00')",
            forged.hash, forged.signature, forged.public_key
        ),
    )
    .await;
    assert_eq!(broken(&audit.verify_chain().await.unwrap()), (20, BreakKind::BadSignature));
}

async fn a_broken_chain_is_never_signed(t: TestDb) {
    let audit = service(&t).with_checkpoint_every(10);
    append_n(&t, 12).await;
    exec(&t, "UPDATE audit_log SET actor_name = 'x' WHERE seq = 4").await;
    let err = audit.checkpoint_if_due().await.unwrap_err();
    assert!(matches!(&err, AuditError::ChainBroken(b) if b.seq == 4 && b.kind == BreakKind::Edited), "{err:?}");
    let err = audit.checkpoint(&auditor()).await.unwrap_err();
    assert!(matches!(err, AuditError::ChainBroken(_)), "{err:?}");
}

async fn on_demand_checkpoint_signs_the_head(t: TestDb) {
    let audit = service(&t).with_checkpoint_every(1000);
    append_n(&t, 5).await;
    let cp = audit.checkpoint(&auditor()).await.unwrap();
    assert_eq!(cp.seq, 5);
    assert!(cp.signature_valid(&bole_audit::TrustedKeys::new([audit.public_key_hex()])));
    let report = audit.verify_chain().await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.last_checkpoint_seq, Some(5));
    // The checkpoint's own audit event came after it.
    assert_eq!(report.records, 6);
}

async fn concurrent_appends_form_one_chain(t: TestDb) {
    let audit = service(&t);
    let tasks: Vec<_> = (0..8i64)
        .map(|task| {
            let store = t.store.clone();
            tokio::spawn(async move {
                for round in 0..15i64 {
                    let n = 1 + (task + round) % 3;
                    let events: Vec<_> = (0..n).map(|k| event(task * 1000 + round * 10 + k)).collect();
                    store.append(&events).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let expected: i64 = (0..8i64).map(|task| (0..15i64).map(|round| 1 + (task + round) % 3).sum::<i64>()).sum();
    let report = audit.verify_chain().await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records, u64::try_from(expected).unwrap());
    assert_eq!(report.head.seq, expected);
}

async fn purge_keeps_the_retention_and_the_chain(t: TestDb) {
    let audit = service(&t).with_checkpoint_every(5);
    let now = clock().now();
    // 12 records from a year ago, then 6 from last week.
    let old: Vec<_> =
        (1..=12).map(|i| AuditEvent { at: now - TimeDelta::days(400) + TimeDelta::hours(i), ..event(i) }).collect();
    let recent: Vec<_> =
        (13..=18).map(|i| AuditEvent { at: now - TimeDelta::days(7) + TimeDelta::hours(i), ..event(i) }).collect();
    t.store.append(&old).await.unwrap();
    t.store.append(&recent).await.unwrap();
    audit.checkpoint_if_due().await.unwrap();

    // Younger than the 180-day retention: refused, nothing removed.
    let err = audit.purge(&auditor(), now - TimeDelta::days(179)).await.unwrap_err();
    match &err {
        AuditError::RetentionNotReached { retention_days, .. } => assert_eq!(*retention_days, 180),
        other => panic!("{other:?}"),
    }
    assert!(bole_core::Failure::message(&err).en.contains("at least 180 days"));
    assert_eq!(audit.verify_chain().await.unwrap().records, 19, "nothing removed; the refused attempt recorded");

    // Purging needs AuditPurge, and the refusal is recorded.
    let mut reader = Actor::system();
    let mut access = AccessMap::default();
    access.grant(bole_core::Permission::AuditRead, bole_core::DataScope::All);
    reader.access = Arc::new(access);
    assert!(matches!(audit.purge(&reader, now - TimeDelta::days(200)).await, Err(AuditError::Forbidden(_))));

    let report = audit.purge(&auditor(), now - TimeDelta::days(180)).await.unwrap();
    assert_eq!(report.purged, 12);
    assert_eq!(report.anchor.seq, 12);

    let v = audit.verify(&auditor()).await.unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!((v.anchor_seq, v.first_seq), (Some(12), Some(13)));
    let purges = audit
        .search(
            &auditor(),
            &AuditFilter { action_prefix: Some("audit.purge".into()), ..Default::default() },
            PageRequest::default(),
        )
        .await
        .unwrap();
    let outcomes: Vec<_> = purges.items.iter().map(|r| (r.event.outcome, r.event.subject_ids.clone())).collect();
    assert_eq!(
        outcomes,
        [(Outcome::Success, vec!["12".to_string()]), (Outcome::Denied, vec![]), (Outcome::Failed, vec![])],
        "the purge and the refused attempts are all audited"
    );

    assert!(matches!(
        audit.purge(&auditor(), now - TimeDelta::days(200)).await,
        Err(AuditError::NothingToPurge { .. })
    ));
    // Checkpoints keep being made from the anchor on.
    audit.checkpoint_if_due().await.unwrap();
    assert!(audit.verify_chain().await.unwrap().ok);

    // An attacker moving the anchor to hide more records is caught by its signature.
    exec(&t, "UPDATE audit_anchor SET seq = 14").await;
    exec(&t, "DELETE FROM audit_log WHERE seq <= 14").await;
    assert_eq!(broken(&audit.verify_chain().await.unwrap()), (14, BreakKind::BadSignature));
}

async fn a_broken_chain_is_not_purged(t: TestDb) {
    let audit = service(&t);
    let now = clock().now();
    let old: Vec<_> = (1..=5).map(|i| AuditEvent { at: now - TimeDelta::days(400), ..event(i) }).collect();
    t.store.append(&old).await.unwrap();
    exec(&t, "UPDATE audit_log SET fields = '[]' WHERE seq = 2").await;
    let err = audit.purge(&auditor(), now - TimeDelta::days(200)).await.unwrap_err();
    assert!(matches!(&err, AuditError::ChainBroken(b) if b.seq == 2), "{err:?}");
    assert_eq!(exec(&t, "UPDATE audit_log SET actor_name = actor_name WHERE seq <= 5").await, 5, "nothing removed");
}

async fn export_as_csv_and_xlsx(t: TestDb) {
    let audit = service(&t);
    append_n(&t, 12).await;
    let csv = audit
        .export(
            &auditor(),
            &AuditFilter { action_prefix: Some("employee.".into()), ..Default::default() },
            ExportFormat::Csv,
        )
        .await
        .unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert_eq!(text.lines().count(), 1 + 8, "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("12,"), "newest first");
    let xlsx = audit.export(&auditor(), &AuditFilter::default(), ExportFormat::Xlsx).await.unwrap();
    assert_eq!(&xlsx[..2], b"PK");
    let exports = audit
        .search(
            &auditor(),
            &AuditFilter { action_prefix: Some("audit.export".into()), ..Default::default() },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(exports.total, 2);
    assert!(exports.items.iter().any(|r| r.event.fields == ["format:xlsx"]));
    assert!(audit.verify_chain().await.unwrap().ok);
}

both_engines!(
    append_search_and_verify,
    edited_record_is_named,
    deleted_record_is_named,
    deleted_tail_is_named,
    inserted_record_is_named,
    consistent_rewrite_is_caught_by_the_signed_checkpoint,
    a_broken_chain_is_never_signed,
    on_demand_checkpoint_signs_the_head,
    concurrent_appends_form_one_chain,
    purge_keeps_the_retention_and_the_chain,
    a_broken_chain_is_not_purged,
    export_as_csv_and_xlsx,
);
