//! Conformance suite for the privacy port, through the service where a rule is involved
//! and directly where the port promises something (conflicts, append-only history, audit in
//! the same transaction). Every test runs on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use async_trait::async_trait;
use bole_core::{AccessMap, Actor, CompanyId, DataScope, EmployeeId, Failure, PageRequest, Permission, UserId};
use bole_org::*;
use bole_people::*;
use bole_privacy::store::{PrivacyStore, RequestScope, SubjectData};
use bole_privacy::*;
use bole_store::Db;
use bole_testkit::{TestDb, admin, both_engines, clock_on, d};
use std::sync::{Arc, Mutex};

/// Employment facts the test sets, instead of the people adapter.
struct FakeSubject {
    facts: Mutex<EmploymentFacts>,
}

#[async_trait]
impl SubjectData for FakeSubject {
    async fn personal_data(&self, _actor: &Actor, employee: EmployeeId) -> Result<serde_json::Value, PrivacyError> {
        Ok(serde_json::json!({"record": {"id": employee, "name": "张三"}}))
    }
    async fn employment(&self, _e: EmployeeId, _on: chrono::NaiveDate) -> Result<EmploymentFacts, PrivacyError> {
        Ok(*self.facts.lock().unwrap())
    }
}

struct Fx {
    privacy: PrivacyService,
    subject: Arc<FakeSubject>,
    store: Arc<bole_store::SqlStore>,
    db: Db,
    company: CompanyId,
    employee: EmployeeId,
    other: EmployeeId,
    hr: Actor,
    me: Actor,
}

fn actor(name: &str, employee: Option<EmployeeId>, grants: &[(Permission, DataScope)]) -> Actor {
    let mut access = AccessMap::default();
    for (p, s) in grants {
        access.grant(*p, s.clone());
    }
    Actor {
        user_id: UserId::new(),
        username: name.into(),
        employee_id: employee,
        roles: vec![],
        access: Arc::new(access),
        meta: Default::default(),
    }
}

/// Today is 2026-03-02 in every test.
async fn fixture(t: &TestDb) -> Fx {
    let clock = clock_on("2026-03-02");
    let org = OrgService::new(t.store.clone(), clock.clone());
    let people = PeopleService::new(t.store.clone(), t.store.clone(), t.store.clone(), clock.clone());
    let a = admin();
    let company = org
        .create_company(
            &a,
            NewCompany {
                code: "BL".into(), name: "伯乐科技".into(), kind: CompanyKind::Enterprise, credit_code: None
            },
        )
        .await
        .unwrap()
        .id;
    let unit = org
        .create_unit(
            &a,
            NewOrgUnit {
                company_id: company,
                code: "HQ".into(),
                name: "总部".into(),
                kind: UnitKind::Headquarters,
                parent_id: None,
                effective_date: d("2020-01-01"),
            },
        )
        .await
        .unwrap()
        .id;
    let hire = |no: &str, id_number: &str| NewEmployee {
        company_id: company,
        employee_no: no.into(),
        person: PersonalData { name: "张三".into(), id_number: id_number.into(), ..Default::default() },
        hire_date: d("2024-01-01"),
        job: JobPlacement {
            org_unit_id: unit,
            position_id: None,
            manager_id: None,
            employment_type: EmploymentType::FullTime,
            quota_category: "contract".into(),
            work_location: None,
        },
        probation_months: 0,
        educations: vec![],
        contacts: vec![],
    };
    let id = |first17: &str| format!("{first17}{}", bole_people::standards::id_number::check_digit(first17).unwrap());
    let employee = people.onboard(&a, hire("E001", &id("11010119900307001"))).await.unwrap().employee.id;
    let other = people.onboard(&a, hire("E002", &id("11010119910408002"))).await.unwrap().employee.id;
    let subject = Arc::new(FakeSubject {
        facts: Mutex::new(EmploymentFacts { company_id: company, employed: true, terminated_on: None }),
    });
    let privacy = PrivacyService::new(t.store.clone(), subject.clone(), t.store.clone(), clock);
    let hr = actor("hr", None, &[(Permission::PrivacyAdmin, DataScope::All)]);
    let me = actor("zhangsan", Some(employee), &[(Permission::EmployeeRead, DataScope::Own)]);
    Fx { privacy, subject, store: t.store.clone(), db: t.db.clone(), company, employee, other, hr, me }
}

fn purpose(code: &str, kind: ProcessingKind, basis: LegalBasis, cats: &[DataCategory]) -> Purpose {
    Purpose {
        code: code.into(),
        name_zh: format!("目的{code}"),
        name_en: code.into(),
        description: None,
        kind,
        legal_basis: basis,
        data_categories: cats.to_vec(),
        recipient: (kind != ProcessingKind::Internal).then(|| "某银行".into()),
        retention: Some("离职后二年".into()),
    }
}

fn notice(purposes: Vec<Purpose>) -> NewNotice {
    NewNotice { title: "员工个人信息处理告知书".into(), body: "正文".into(), changes: None, purposes }
}

fn standard_purposes() -> Vec<Purpose> {
    use DataCategory as C;
    vec![
        purpose("payroll", ProcessingKind::Internal, LegalBasis::HrManagement, &[C::Identity, C::Payroll]),
        purpose("intranet_photo", ProcessingKind::Internal, LegalBasis::Consent, &[C::Photo]),
        purpose("salary_card", ProcessingKind::ThirdPartyProvision, LegalBasis::Consent, &[C::FinancialAccount]),
    ]
}

/// The privacy audit actions written so far, in order.
async fn audit_actions(db: &Db) -> Vec<String> {
    let sql = "SELECT action FROM audit_log WHERE action LIKE 'privacy.%' ORDER BY seq";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

async fn audit_text(db: &Db) -> String {
    let sql = "SELECT action || ' ' || subject_ids || ' ' || fields FROM audit_log ORDER BY seq";
    let rows: Vec<String> = match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    };
    rows.join("\n")
}

async fn execute(db: &Db, sql: &'static str) -> Result<u64, sqlx::Error> {
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
    }
}

async fn notices_are_versioned_and_acknowledged_once(t: TestDb) {
    let fx = fixture(&t).await;
    assert!(fx.store.current_notice().await.unwrap().is_none());
    assert_eq!(fx.privacy.my_notice(&fx.me).await.unwrap_err().code(), "privacy_notice_not_found");
    let v1 = fx.privacy.publish_notice(&fx.hr, notice(standard_purposes())).await.unwrap();
    assert_eq!(v1.version, 1);
    let mut second = notice(standard_purposes());
    second.changes = Some("新增工资卡代发目的".into());
    let v2 = fx.privacy.publish_notice(&fx.hr, second).await.unwrap();
    assert_eq!(v2.version, 2);
    let salary = v2.purposes.iter().find(|p| p.purpose.code == "salary_card").unwrap();
    assert!(salary.separate_consent && salary.consent_required);
    assert_eq!(fx.store.notice(1).await.unwrap().id, v1.id);
    assert!(matches!(fx.store.notice(9).await, Err(PrivacyError::NoticeNotFound)));
    assert_eq!(fx.store.current_notice().await.unwrap().unwrap().version, 2);

    let err = fx.privacy.acknowledge_notice(&fx.me, 1).await.unwrap_err();
    assert_eq!(err.code(), "privacy_notice_outdated");
    let ack = fx.privacy.acknowledge_notice(&fx.me, 2).await.unwrap();
    let again = fx.privacy.acknowledge_notice(&fx.me, 2).await.unwrap();
    assert_eq!(ack, again, "acknowledging again returns the first acknowledgement");
    // The port itself: a second insert writes nothing, audit included.
    let before = audit_actions(&fx.db).await.len();
    assert!(!fx.store.acknowledge(&ack, &[fx.me.audit(ack.acknowledged_at, "x", "y")]).await.unwrap());
    assert_eq!(audit_actions(&fx.db).await.len(), before);
    let list = fx.privacy.notices(&fx.hr).await.unwrap();
    assert_eq!(
        list.iter().map(|n| (n.version, n.acknowledgements, n.purposes)).collect::<Vec<_>>(),
        [(2, 1, 3), (1, 0, 3)]
    );
    assert_eq!(fx.privacy.my_notice(&fx.me).await.unwrap().acknowledged_at, Some(ack.acknowledged_at));
    assert_eq!(
        audit_actions(&fx.db).await,
        ["privacy.notice.publish", "privacy.notice.publish", "privacy.notice.acknowledge"]
    );
    // Only PrivacyAdmin publishes; self-service needs a linked employee.
    assert_eq!(fx.privacy.publish_notice(&fx.me, notice(standard_purposes())).await.unwrap_err().code(), "forbidden");
    assert_eq!(fx.privacy.my_notice(&fx.hr).await.unwrap_err().code(), "not_an_employee");
}

async fn consents_are_an_append_only_history(t: TestDb) {
    let fx = fixture(&t).await;
    fx.privacy.publish_notice(&fx.hr, notice(standard_purposes())).await.unwrap();
    let err = fx.privacy.give_consent(&fx.me, "intranet_photo").await.unwrap_err();
    assert_eq!(err.code(), "privacy_notice_not_acknowledged");
    fx.privacy.acknowledge_notice(&fx.me, 1).await.unwrap();
    assert_eq!(fx.privacy.give_consent(&fx.me, "payroll").await.unwrap_err().code(), "consent_not_applicable");
    assert_eq!(fx.privacy.give_consent(&fx.me, "nope").await.unwrap_err().code(), "privacy_purpose_not_found");
    let state = fx.privacy.give_consent(&fx.me, "salary_card").await.unwrap();
    assert_eq!(state.status, ConsentStatus::Given);
    assert_eq!(fx.privacy.give_consent(&fx.me, "salary_card").await.unwrap_err().code(), "consent_unchanged");
    fx.privacy.give_consent(&fx.me, "intranet_photo").await.unwrap();
    let withdrawn = fx.privacy.withdraw_consent(&fx.me, "intranet_photo").await.unwrap();
    assert_eq!(withdrawn.action, ConsentAction::Withdrawn);
    assert_eq!(fx.privacy.withdraw_consent(&fx.me, "intranet_photo").await.unwrap_err().code(), "consent_unchanged");

    let history = fx.privacy.my_consent_history(&fx.me).await.unwrap();
    let seen: Vec<(&str, ConsentAction, bool)> =
        history.iter().map(|r| (r.purpose_code.as_str(), r.action, r.separate)).collect();
    assert_eq!(
        seen,
        [
            ("intranet_photo", ConsentAction::Given, false),
            ("intranet_photo", ConsentAction::Withdrawn, false),
            ("salary_card", ConsentAction::Given, true),
        ]
    );
    let states = fx.privacy.my_consents(&fx.me).await.unwrap();
    let status = |c: &str| states.iter().find(|s| s.purpose.purpose.code == c).unwrap().status;
    assert_eq!(status("payroll"), ConsentStatus::NotRequired);
    assert_eq!(status("intranet_photo"), ConsentStatus::Withdrawn);
    assert_eq!(status("salary_card"), ConsentStatus::Given);

    // A decision based on a stale read is refused, not recorded twice.
    let mut stale = history[0].clone();
    stale.id = ConsentId::new();
    let err = fx.store.append_consent(&stale, 0, &[]).await.unwrap_err();
    assert!(matches!(err, PrivacyError::ConsentChanged), "{err:?}");
    // The table refuses edits and deletions.
    assert!(execute(&fx.db, "UPDATE consent_records SET action = 'given'").await.is_err());
    assert!(execute(&fx.db, "DELETE FROM consent_records").await.is_err());
    assert_eq!(fx.privacy.my_consent_history(&fx.me).await.unwrap().len(), 3);
    let actions = audit_actions(&fx.db).await;
    assert_eq!(actions.iter().filter(|a| a.starts_with("privacy.consent.")).count(), 3);
}

async fn deletion_and_withdrawal_are_checked_against_retention(t: TestDb) {
    let fx = fixture(&t).await;
    fx.privacy.publish_notice(&fx.hr, notice(standard_purposes())).await.unwrap();
    fx.privacy.acknowledge_notice(&fx.me, 1).await.unwrap();
    let new = |kind: RequestKind| NewRequest {
        kind,
        details: None,
        corrections: vec![],
        categories: vec![],
        purpose_code: None,
    };
    // Employed: the labour contract and identity data stay; the request is refused with the law.
    let mut core = new(RequestKind::Deletion);
    core.categories = vec![DataCategory::LabourContract, DataCategory::Identity];
    let refused = fx.privacy.submit_request(&fx.me, core).await.unwrap();
    assert_eq!(refused.status, RequestStatus::Rejected);
    let reason = refused.resolution.clone().unwrap();
    assert!(reason.contains("第十三条") && reason.contains("《劳动合同法》第五十条"), "{reason}");
    assert_eq!(refused.due_date, d("2026-03-17"));
    let detail = fx.privacy.my_request(&fx.me, refused.id).await.unwrap();
    assert_eq!(
        detail.transitions.iter().map(|t| (t.from_status, t.to_status)).collect::<Vec<_>>(),
        [(None, RequestStatus::Submitted), (Some(RequestStatus::Submitted), RequestStatus::Rejected)]
    );

    // Left in mid-2024: two years after termination the contract is still kept, family data may go.
    *fx.subject.facts.lock().unwrap() =
        EmploymentFacts { company_id: fx.company, employed: false, terminated_on: Some(d("2024-06-30")) };
    let all = fx.privacy.submit_request(&fx.me, new(RequestKind::Deletion)).await.unwrap();
    assert_eq!(all.status, RequestStatus::InProgress);
    let decision = all.retention.clone().unwrap();
    assert!(decision.deletable.contains(&DataCategory::Family));
    assert!(!decision.deletable.contains(&DataCategory::LabourContract));
    assert_eq!(decision.retained.iter().find(|r| r.rule == "labour_contract").unwrap().until, Some(d("2026-06-30")));

    // Withdrawing a given consent: the consent goes at once, in the request's transaction.
    fx.privacy.give_consent(&fx.me, "salary_card").await.unwrap();
    let mut w = new(RequestKind::ConsentWithdrawal);
    w.purpose_code = Some("salary_card".into());
    let req = fx.privacy.submit_request(&fx.me, w).await.unwrap();
    assert_eq!(req.status, RequestStatus::InProgress, "bank account data of a leaver may be deleted");
    let last = fx.privacy.my_consent_history(&fx.me).await.unwrap().pop().unwrap();
    assert_eq!((last.action, last.request_id), (ConsentAction::Withdrawn, Some(req.id)));
    // Objecting to processing the law requires, while the record is kept: refused.
    let mut objection = new(RequestKind::ConsentWithdrawal);
    objection.purpose_code = Some("payroll".into());
    let req = fx.privacy.submit_request(&fx.me, objection).await.unwrap();
    assert_eq!(req.status, RequestStatus::Rejected);
    assert!(req.resolution.unwrap().contains("《工资支付暂行规定》第六条"));
    let actions = audit_actions(&fx.db).await;
    assert!(
        actions.iter().any(|a| a == "privacy.request.reject") && actions.iter().any(|a| a == "privacy.request.accept")
    );
}

async fn requests_move_on_with_optimistic_checks_and_overdue_listing(t: TestDb) {
    let fx = fixture(&t).await;
    let correction = NewRequest {
        kind: RequestKind::Correction,
        details: Some("我搬家了，住址是秘密路1号".into()),
        corrections: vec![FieldCorrection { field: "phone".into(), proposed_value: "13912345678".into() }],
        categories: vec![],
        purpose_code: None,
    };
    let req = fx.privacy.submit_request(&fx.me, correction).await.unwrap();
    assert_eq!(req.status, RequestStatus::Submitted);
    let access = NewRequest {
        kind: RequestKind::Access,
        details: None,
        corrections: vec![],
        categories: vec![],
        purpose_code: None,
    };
    let other_me = actor("lisi", Some(fx.other), &[]);
    let old = fx.privacy.submit_request(&other_me, access).await.unwrap();
    // Age the second request so it is overdue today.
    match &fx.db {
        Db::Sqlite(p) => {
            sqlx::query("UPDATE privacy_requests SET due_date = '2026-02-01' WHERE kind = 'access'")
                .execute(p)
                .await
                .unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query("UPDATE privacy_requests SET due_date = DATE '2026-02-01' WHERE kind = 'access'")
                .execute(p)
                .await
                .unwrap();
        }
    }
    let page = fx.privacy.requests(&fx.hr, RequestQuery::default(), PageRequest::default()).await.unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.items[0].id, old.id, "open requests by due date");
    assert!(page.items[0].overdue && !page.items[1].overdue);
    assert_eq!(page.items[1].correction_fields, ["phone"]);
    let overdue = fx.privacy.overdue_requests(&fx.hr, PageRequest::default()).await.unwrap();
    assert_eq!(overdue.items.iter().map(|r| r.id).collect::<Vec<_>>(), [old.id]);
    let mine =
        RequestQuery { employee_id: Some(fx.employee), kind: Some(RequestKind::Correction), ..RequestQuery::default() };
    assert_eq!(fx.privacy.requests(&fx.hr, mine, PageRequest::default()).await.unwrap().total, 1);
    let elsewhere = RequestScope::Companies(vec![CompanyId::new()]);
    let none = fx.store.list_requests(&RequestQuery::default(), &elsewhere, PageRequest::default()).await.unwrap();
    assert_eq!(none.total, 0);
    // An HR user of another company sees nothing and cannot open it.
    let other_hr =
        actor("hr2", None, &[(Permission::PrivacyAdmin, DataScope::Companies { companies: vec![CompanyId::new()] })]);
    assert_eq!(fx.privacy.request(&other_hr, req.id).await.unwrap_err().code(), "privacy_request_not_found");
    // The employee cannot read someone else's request.
    assert_eq!(fx.privacy.my_request(&other_me, req.id).await.unwrap_err().code(), "privacy_request_not_found");

    let accept = NewTransition { to: RequestStatus::InProgress, note: None };
    fx.privacy.transition(&fx.hr, req.id, accept).await.unwrap();
    let complete_without_note = NewTransition { to: RequestStatus::Completed, note: None };
    assert_eq!(
        fx.privacy.transition(&fx.hr, req.id, complete_without_note).await.unwrap_err().code(),
        "validation_failed"
    );
    let back = NewTransition { to: RequestStatus::Submitted, note: None };
    assert_eq!(
        fx.privacy.transition(&fx.hr, req.id, back).await.unwrap_err().code(),
        "privacy_request_transition_invalid"
    );
    // Stale compare-and-set: nothing written, audit included.
    let stored = fx.store.request(req.id).await.unwrap();
    let before = audit_actions(&fx.db).await.len();
    let t = RequestTransition {
        request_id: req.id,
        from_status: Some(RequestStatus::Submitted),
        to_status: RequestStatus::Rejected,
        at: stored.updated_at,
        by: fx.hr.user_id,
        note: Some("x".into()),
    };
    let ev = fx.hr.audit(stored.updated_at, "privacy.request.reject", "privacy_request");
    let err = fx.store.update_request(&stored, RequestStatus::Submitted, &t, &[ev]).await.unwrap_err();
    assert!(matches!(err, PrivacyError::RequestChanged), "{err:?}");
    assert_eq!(audit_actions(&fx.db).await.len(), before);
    let mut ghost = stored.clone();
    ghost.id = RequestId::new();
    let err = fx.store.update_request(&ghost, RequestStatus::InProgress, &t, &[]).await.unwrap_err();
    assert!(matches!(err, PrivacyError::RequestNotFound));

    let done =
        NewTransition { to: RequestStatus::Completed, note: Some("已通过员工档案更正手机号".into()) };
    let detail = fx.privacy.transition(&fx.hr, req.id, done).await.unwrap();
    assert_eq!(detail.request.status, RequestStatus::Completed);
    assert_eq!(detail.request.handled_by, Some(fx.hr.user_id));
    assert_eq!(detail.transitions.len(), 3);
    let read = fx.privacy.request(&fx.hr, req.id).await.unwrap();
    assert_eq!(read.request.corrections[0].proposed_value, "13912345678");
    assert!(execute(&fx.db, "DELETE FROM privacy_request_transitions").await.is_err());

    // At rest the person's words and proposed values are sealed (SM4-GCM), not plaintext.
    let sql = "SELECT details_enc, corrections_enc FROM privacy_requests WHERE kind = 'correction'";
    let (details, corrections): (Option<Vec<u8>>, Option<Vec<u8>>) = match &fx.db {
        Db::Sqlite(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
    };
    let (details, corrections) = (details.unwrap(), corrections.unwrap());
    let plain = |b: &[u8], needle: &str| b.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(!plain(&corrections, "13912345678") && !plain(&corrections, "phone"));
    assert!(!plain(&details, "秘密路"));

    // Values never reach the audit trail: field names only.
    let trail = audit_text(&fx.db).await;
    assert!(trail.contains("corrections.phone") && trail.contains("privacy.request.read"), "{trail}");
    assert!(!trail.contains("13912345678") && !trail.contains("秘密路"), "{trail}");
}

async fn the_sharing_register_is_maintained_and_readable_by_auditors(t: TestDb) {
    let fx = fixture(&t).await;
    let entry = NewSharingEntry {
        kind: SharingKind::CrossBorder,
        recipient: "Group HQ Pte. Ltd.".into(),
        recipient_contact: Some("dpo@example.com".into()),
        country: Some("SG".into()),
        purpose: "集团跨境人力资源管理".into(),
        data_categories: vec![DataCategory::Employment, DataCategory::Identity, DataCategory::Identity],
        legal_basis: LegalBasis::HrManagement,
        safeguards: vec![Safeguard::ImpactAssessment, Safeguard::HrExemption, Safeguard::SeparateConsent],
        start_date: d("2026-01-01"),
        end_date: None,
        notes: None,
    };
    let created = fx.privacy.add_sharing_entry(&fx.hr, entry.clone()).await.unwrap();
    assert_eq!(created.data_categories, [DataCategory::Identity, DataCategory::Employment]);
    assert!(!created.includes_sensitive);
    assert_eq!(fx.store.sharing_entry(created.id).await.unwrap(), created);
    let auditor = actor("auditor", None, &[(Permission::AuditRead, DataScope::All)]);
    assert_eq!(fx.privacy.sharing_entries(&auditor, SharingQuery::default()).await.unwrap().len(), 1);
    assert_eq!(fx.privacy.add_sharing_entry(&auditor, entry.clone()).await.unwrap_err().code(), "forbidden");
    assert_eq!(fx.privacy.sharing_entries(&fx.me, SharingQuery::default()).await.unwrap_err().code(), "forbidden");

    let mut ended = entry.clone();
    ended.end_date = Some(d("2026-02-28"));
    ended.data_categories.push(DataCategory::Health);
    let updated = fx.privacy.update_sharing_entry(&fx.hr, created.id, ended).await.unwrap();
    assert!(updated.includes_sensitive);
    assert_eq!(updated.created_at, created.created_at);
    let active = SharingQuery { kind: None, active_on: Some(d("2026-03-02")) };
    assert!(fx.privacy.sharing_entries(&fx.hr, active).await.unwrap().is_empty());
    let feb = SharingQuery { kind: Some(SharingKind::CrossBorder), active_on: Some(d("2026-02-28")) };
    assert_eq!(fx.privacy.sharing_entries(&fx.hr, feb).await.unwrap().len(), 1);
    let third = SharingQuery { kind: Some(SharingKind::ThirdParty), active_on: None };
    assert!(fx.privacy.sharing_entries(&fx.hr, third).await.unwrap().is_empty());

    fx.privacy.delete_sharing_entry(&fx.hr, created.id).await.unwrap();
    assert_eq!(
        fx.privacy.delete_sharing_entry(&fx.hr, created.id).await.unwrap_err().code(),
        "sharing_entry_not_found"
    );
    assert_eq!(
        fx.privacy.update_sharing_entry(&fx.hr, created.id, entry).await.unwrap_err().code(),
        "sharing_entry_not_found"
    );
    assert_eq!(
        audit_actions(&fx.db).await,
        ["privacy.sharing.create", "privacy.sharing.update", "privacy.sharing.delete"]
    );
}

async fn the_data_copy_is_assembled_and_audited(t: TestDb) {
    let fx = fixture(&t).await;
    fx.privacy.publish_notice(&fx.hr, notice(standard_purposes())).await.unwrap();
    fx.privacy.acknowledge_notice(&fx.me, 1).await.unwrap();
    fx.privacy.give_consent(&fx.me, "intranet_photo").await.unwrap();
    let copy = fx.privacy.data_copy(&fx.me).await.unwrap();
    let keys: Vec<&str> = copy.sections.keys().map(String::as_str).collect();
    assert_eq!(keys, ["consent_history", "consents", "notices_acknowledged", "record", "requests", "sharing"]);
    assert_eq!(copy.sections["record"]["name"], "张三");
    let xlsx = fx.privacy.data_copy_xlsx(&fx.me).await.unwrap();
    assert_eq!(&xlsx[..2], b"PK");
    let actions = audit_actions(&fx.db).await;
    assert_eq!(&actions[actions.len() - 2..], ["privacy.data_copy.view", "privacy.data_copy.download"]);
    assert_eq!(fx.privacy.data_copy(&fx.hr).await.unwrap_err().code(), "not_an_employee");
}

both_engines!(
    notices_are_versioned_and_acknowledged_once,
    consents_are_an_append_only_history,
    deletion_and_withdrawal_are_checked_against_retention,
    requests_move_on_with_optimistic_checks_and_overdue_listing,
    the_sharing_register_is_maintained_and_readable_by_auditors,
    the_data_copy_is_assembled_and_audited,
);
