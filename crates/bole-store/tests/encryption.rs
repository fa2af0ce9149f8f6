//! Field encryption at rest (issue 3, item 7): sealed personal data round-trips,
//! exact-match lookup and uniqueness go through the blind index, key rotation and
//! master-key rewrap keep everything readable, legacy plaintext rows get sealed, and
//! the raw database bytes hold none of the plaintext. Every test runs on SQLite and
//! on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bole_core::{Actor, CompanyId, EmployeeId, Failure, OrgUnitId};
use bole_crypto::MasterKey;
use bole_org::*;
use bole_people::store::PeopleStore;
use bole_people::*;
use bole_store::{Db, SqlStore};
use bole_testkit::{TestDb, admin, both_engines, clock_on, d, open_store, test_master_key};
use std::sync::Arc;

const ID1: &str = "11010519491231002X";
const ID2: &str = "440524188001010014";
const ID3: &str = "110101199003070011";
const ID4: &str = "450102200001011237";
const PHONES: [&str; 4] = ["13912345678", "13698765432", "18611112222", "15077778888"];
const CARDS: [&str; 4] = ["6222020200112233445", "6217000010001234567", "6228480402564890018", "621700001000987"];
const ADDRESSES: [&str; 4] =
    ["南宁市青秀区民族大道100号", "北京市海淀区中关村大街27号", "杭州市西湖区文三路90号", "广州市天河区体育东路8号"];
const CONTACT_PHONES: [&str; 4] = ["13300001111", "13300002222", "13300003333", "13300004444"];

struct Fx {
    people: PeopleService,
    actor: Actor,
    company: CompanyId,
    unit: OrgUnitId,
}

fn service(store: &Arc<SqlStore>) -> PeopleService {
    PeopleService::new(store.clone(), store.clone(), store.clone(), clock_on("2026-11-21"))
}

async fn fixture(t: &TestDb) -> Fx {
    let org = OrgService::new(t.store.clone(), clock_on("2026-11-21"));
    let actor = admin();
    let company = org
        .create_company(
            &actor,
            NewCompany {
                code: "BL".into(), name: "伯乐科技".into(), kind: CompanyKind::Enterprise, credit_code: None
            },
        )
        .await
        .unwrap()
        .id;
    let unit = org
        .create_unit(
            &actor,
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
    Fx { people: service(&t.store), actor, company, unit }
}

fn person(name: &str, id_number: &str, i: usize) -> PersonalData {
    PersonalData {
        name: name.into(),
        id_number: id_number.into(),
        phone: Some(PHONES[i].into()),
        address: Some(ADDRESSES[i].into()),
        bank_name: Some("中国工商银行".into()),
        bank_account: Some(CARDS[i].into()),
        ..Default::default()
    }
}

fn new_employee(fx: &Fx, no: &str, name: &str, id_number: &str, i: usize) -> NewEmployee {
    NewEmployee {
        company_id: fx.company,
        employee_no: no.into(),
        person: person(name, id_number, i),
        hire_date: d("2024-03-01"),
        job: JobPlacement {
            org_unit_id: fx.unit,
            position_id: None,
            manager_id: None,
            employment_type: EmploymentType::FullTime,
            quota_category: "合同制".into(),
            work_location: None,
        },
        probation_months: 0,
        educations: vec![],
        contacts: vec![Contact {
            kind: ContactKind::Emergency,
            name: "联系人".into(),
            relation: "配偶".into(),
            phone: Some(CONTACT_PHONES[i].into()),
            workplace: None,
        }],
    }
}

async fn onboard_four(fx: &Fx) -> Vec<EmployeeId> {
    let mut ids = Vec::new();
    for (i, (no, id)) in [("E001", ID1), ("E002", ID2), ("E003", ID3), ("E004", ID4)].into_iter().enumerate() {
        let e = fx.people.onboard(&fx.actor, new_employee(fx, no, &format!("员工{i}"), id, i)).await.unwrap();
        ids.push(e.employee.id);
    }
    ids
}

/// Key id (bytes 1..5) of every sealed value in the database.
async fn sealed_key_ids(db: &Db) -> Vec<u32> {
    let sql = "SELECT id_number_enc FROM employees UNION ALL SELECT phone_enc FROM employees \
               UNION ALL SELECT address_enc FROM employees UNION ALL SELECT bank_account_enc FROM employees \
               UNION ALL SELECT phone_enc FROM employee_contacts";
    let blobs: Vec<Option<Vec<u8>>> = match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    };
    blobs.into_iter().flatten().map(|b| bole_crypto::sealed_key_id(&b).unwrap()).collect()
}

async fn sealed_values_round_trip(t: TestDb) {
    let fx = fixture(&t).await;
    let ids = onboard_four(&fx).await;
    // Read through the store: responses may mask by clearance, the store returns clear values.
    let (e, _, contacts) = t.store.employee(ids[0]).await.unwrap();
    assert_eq!(e.id_number, ID1);
    assert_eq!(e.phone.as_deref(), Some(PHONES[0]));
    assert_eq!(e.address.as_deref(), Some(ADDRESSES[0]));
    assert_eq!(e.bank_name.as_deref(), Some("中国工商银行"));
    assert_eq!(e.bank_account.as_deref(), Some(CARDS[0]));
    assert_eq!(contacts[0].phone.as_deref(), Some(CONTACT_PHONES[0]));

    // A full replace re-seals; cleared fields are gone.
    let mut changed = person("员工0", "11010519491231002x", 1);
    changed.address = None;
    changed.bank_account = Some("6222 0202 0011 2233 446".into());
    let contacts = vec![Contact {
        kind: ContactKind::Family,
        name: "母亲".into(),
        relation: "母亲".into(),
        phone: None,
        workplace: Some("南宁".into()),
    }];
    fx.people.update_person(&fx.actor, ids[0], changed, None, Some(contacts)).await.unwrap();
    let (after, _, contacts) = t.store.employee(ids[0]).await.unwrap();
    assert_eq!(after.id_number, ID1);
    assert_eq!(after.phone.as_deref(), Some(PHONES[1]));
    assert_eq!(after.address, None);
    assert_eq!(after.bank_account.as_deref(), Some("6222020200112233446"));
    assert_eq!(contacts[0].phone, None);
    assert_eq!(contacts[0].workplace.as_deref(), Some("南宁"));

    // Bulk reads open every row.
    let all = t.store.employees_as_of(fx.company, d("2026-11-21")).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[3].0.id_number, ID4);
    assert_eq!(all[3].0.bank_account.as_deref(), Some(CARDS[3]));
    let people = t.store.people(Some(fx.company)).await.unwrap();
    assert_eq!(people.iter().map(|p| p.id_number.as_str()).collect::<Vec<_>>(), [ID1, ID2, ID3, ID4]);
    assert_eq!(people[2].phone.as_deref(), Some(PHONES[2]));
    let page =
        fx.people.list(&fx.actor, ListQuery { company_id: Some(fx.company), ..Default::default() }).await.unwrap();
    assert_eq!(page.items.iter().filter_map(|s| s.phone.as_deref()).count(), 4);

    // The bank card number is validated.
    let mut bad = person("员工9", "110101199001010014", 0);
    bad.bank_account = Some("1234".into());
    let err = fx.people.onboard(&fx.actor, NewEmployee { person: bad, ..new_employee(&fx, "E009", "x", ID1, 0) }).await;
    assert!(err.unwrap_err().fields().unwrap().0.contains_key("bank_account"));
}

async fn lookup_by_id_number_uses_the_blind_index(t: TestDb) {
    let fx = fixture(&t).await;
    let ids = onboard_four(&fx).await;
    // Exact match after normalisation (lower-case x, surrounding spaces).
    assert_eq!(t.store.employee_by_id_number(fx.company, "111", " 11010519491231002x ").await.unwrap(), Some(ids[0]));
    assert_eq!(t.store.employee_by_id_number(fx.company, "111", ID3).await.unwrap(), Some(ids[2]));
    assert_eq!(t.store.employee_by_id_number(fx.company, "414", ID3).await.unwrap(), None, "other document type");
    assert_eq!(t.store.employee_by_id_number(CompanyId::new(), "111", ID3).await.unwrap(), None, "other company");
    assert_eq!(t.store.employee_by_id_number(fx.company, "111", &ID3[..17]).await.unwrap(), None, "no prefix match");
    let taken = t.store.taken_id_numbers(fx.company, &[ID2.into(), "110101199001010014".into()]).await.unwrap();
    assert_eq!(taken, [ID2]);

    // The list's text filter: ID number and phone by exact value, name and number by substring.
    let search = |text: &str| ListQuery { text: Some(text.into()), ..Default::default() };
    let found = |page: bole_core::Page<EmployeeSummary>| page.items.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(found(fx.people.list(&fx.actor, search(ID4)).await.unwrap()), [ids[3]]);
    assert_eq!(found(fx.people.list(&fx.actor, search(PHONES[1])).await.unwrap()), [ids[1]]);
    assert_eq!(found(fx.people.list(&fx.actor, search("员工2")).await.unwrap()), [ids[2]]);
    assert_eq!(found(fx.people.list(&fx.actor, search("E00")).await.unwrap()).len(), 4);
    assert!(found(fx.people.list(&fx.actor, search(&PHONES[1][..7])).await.unwrap()).is_empty());
}

async fn duplicate_id_number_is_refused_through_the_blind_index(t: TestDb) {
    let fx = fixture(&t).await;
    fx.people.onboard(&fx.actor, new_employee(&fx, "E001", "张三", ID1, 0)).await.unwrap();
    for variant in [ID1, "11010519491231002x"] {
        let err = fx.people.onboard(&fx.actor, new_employee(&fx, "E002", "李四", variant, 1)).await.unwrap_err();
        assert_eq!(err.code(), "duplicate_id_number", "{variant}");
    }
    // Changing another employee's number to a taken one is refused too.
    let other = fx.people.onboard(&fx.actor, new_employee(&fx, "E002", "李四", ID2, 1)).await.unwrap().employee.id;
    let err = fx.people.update_person(&fx.actor, other, person("李四", ID1, 1), None, None).await.unwrap_err();
    assert_eq!(err.code(), "duplicate_id_number");
    // The legacy column holds a stub, never the number.
    let stubs: Vec<String> = match &t.db {
        Db::Sqlite(p) => sqlx::query_scalar("SELECT id_number FROM employees").fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar("SELECT id_number FROM employees").fetch_all(p).await.unwrap(),
    };
    assert!(stubs.iter().all(|s| s.starts_with("sealed:")), "{stubs:?}");
}

async fn rotation_reencrypts_and_reads_still_work(t: TestDb) {
    let fx = fixture(&t).await;
    let ids = onboard_four(&fx).await;
    assert!(sealed_key_ids(&t.db).await.iter().all(|k| *k == 1));
    // A second server, opened before the rotation, keeps its keyring in memory.
    let stale = Arc::new(open_store(&t.db).await);
    let values = sealed_key_ids(&t.db).await.len() as u64;
    assert_eq!(values, 4 * 5, "id number, phone, address, bank account, contact phone");

    let report = t.store.rotate_data_key().await.unwrap();
    assert_eq!(report.active, 2);
    assert_eq!(report.resealed, values);
    assert_eq!(report.remaining, 0);
    assert_eq!(report.destroyed, [1]);
    assert!(sealed_key_ids(&t.db).await.iter().all(|k| *k == 2));
    let (e, _, _) = t.store.employee(ids[1]).await.unwrap();
    assert_eq!((e.id_number.as_str(), e.bank_account.as_deref()), (ID2, Some(CARDS[1])));
    fx.people.detail(&fx.actor, ids[1], None).await.unwrap();
    assert_eq!(t.store.employee_by_id_number(fx.company, "111", ID2).await.unwrap(), Some(ids[1]), "index survives");

    // The stale server reads values under the key it has never seen, and seals new ones under it.
    assert_eq!(stale.employee(ids[2]).await.unwrap().0.id_number, ID3);
    service(&stale).update_person(&fx.actor, ids[2], person("员工2", ID3, 0), None, None).await.unwrap();
    assert!(sealed_key_ids(&t.db).await.iter().all(|k| *k == 2));

    // Rotating again retires key 2.
    let again = t.store.rotate_data_key().await.unwrap();
    assert_eq!((again.active, again.destroyed.as_slice()), (3, &[2][..]));
    assert_eq!(t.store.employee(ids[2]).await.unwrap().0.phone.as_deref(), Some(PHONES[0]));

    // Master-key rewrap: afterwards only the new master key opens the database.
    let new_master = MasterKey::generate().unwrap();
    assert_eq!(t.store.rewrap_keys(&new_master).await.unwrap(), 2, "the index key and data key 3");
    assert!(SqlStore::open(t.db.clone(), test_master_key()).await.is_err());
    let reopened = SqlStore::open(t.db.clone(), new_master).await.unwrap();
    assert_eq!(reopened.employee(ids[3]).await.unwrap().0.bank_account.as_deref(), Some(CARDS[3]));
    assert_eq!(reopened.employee_by_id_number(fx.company, "111", ID4).await.unwrap(), Some(ids[3]));
}

async fn legacy_plaintext_rows_are_sealed(t: TestDb) {
    let fx = fixture(&t).await;
    let ids = onboard_four(&fx).await;
    // Turn employee 0 back into a row as an older version wrote it: plaintext, nothing sealed.
    let id = ids[0].0;
    const EMPLOYEE: &str = "UPDATE employees SET id_number = $1, id_number_enc = NULL, id_number_bidx = NULL, \
         phone = $2, phone_enc = NULL, phone_bidx = NULL, address = $3, address_enc = NULL, bank_account_enc = NULL WHERE id = $4";
    const CONTACT: &str = "UPDATE employee_contacts SET phone = $1, phone_enc = NULL WHERE employee_id = $2";
    match &t.db {
        Db::Sqlite(p) => {
            sqlx::query(EMPLOYEE).bind(ID1).bind(PHONES[0]).bind(ADDRESSES[0]).bind(id).execute(p).await.unwrap();
            sqlx::query(CONTACT).bind(PHONES[0]).bind(id).execute(p).await.unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query(EMPLOYEE).bind(ID1).bind(PHONES[0]).bind(ADDRESSES[0]).bind(id).execute(p).await.unwrap();
            sqlx::query(CONTACT).bind(PHONES[0]).bind(id).execute(p).await.unwrap();
        }
    }
    // Still readable before sealing (the plaintext fallback).
    assert_eq!(t.store.employee(ids[0]).await.unwrap().0.id_number, ID1);
    assert_eq!(t.store.seal_legacy_rows().await.unwrap(), 2, "one employee and one contact");
    assert_eq!(t.store.seal_legacy_rows().await.unwrap(), 0, "idempotent");
    let (e, _, contacts) = t.store.employee(ids[0]).await.unwrap();
    assert_eq!(
        (e.id_number.as_str(), e.phone.as_deref(), e.address.as_deref()),
        (ID1, Some(PHONES[0]), Some(ADDRESSES[0]))
    );
    assert_eq!(contacts[0].phone.as_deref(), Some(PHONES[0]));
    assert_eq!(t.store.employee_by_id_number(fx.company, "111", ID1).await.unwrap(), Some(ids[0]));
    let plain: Vec<(String, Option<String>, Option<String>)> = match &t.db {
        Db::Sqlite(p) => sqlx::query_as("SELECT id_number, phone, address FROM employees").fetch_all(p).await.unwrap(),
        Db::Postgres(p) => {
            sqlx::query_as("SELECT id_number, phone, address FROM employees").fetch_all(p).await.unwrap()
        }
    };
    assert!(plain.iter().all(|(n, p, a)| n.starts_with("sealed:") && p.is_none() && a.is_none()), "{plain:?}");
    assert_no_plaintext(&t, &[ID1, PHONES[0], ADDRESSES[0]]).await;
}

async fn raw_bytes_hold_no_plaintext(t: TestDb) {
    let fx = fixture(&t).await;
    let ids = onboard_four(&fx).await;
    // Exercise the other write paths too: an update, and a lookup through the list filter.
    fx.people.update_person(&fx.actor, ids[1], person("员工1", ID2, 1), None, None).await.unwrap();
    fx.people.list(&fx.actor, ListQuery { text: Some(ID3.into()), ..Default::default() }).await.unwrap();
    let mut secrets: Vec<&str> = vec![ID1, ID2, ID3, ID4];
    secrets.extend(PHONES);
    secrets.extend(CARDS);
    secrets.extend(CONTACT_PHONES);
    secrets.extend(ADDRESSES);
    assert_no_plaintext(&t, &secrets).await;
}

/// Fails when any of `secrets` appears in the stored bytes: on SQLite the database file
/// and its WAL; on PostgreSQL the text of every row of every table, plus the relation
/// files of the tables holding personal data when the server lets us read them.
async fn assert_no_plaintext(t: &TestDb, secrets: &[&str]) {
    // The check itself must be able to see plaintext: the ID number's digits as bytes.
    let mut needles: Vec<Vec<u8>> = secrets.iter().map(|s| s.as_bytes().to_vec()).collect();
    // A separated card number would be found by its digits anyway; also look for partial runs.
    needles.extend(secrets.iter().filter(|s| s.len() >= 15 && s.is_ascii()).map(|s| s.as_bytes()[..12].to_vec()));
    let find = |haystack: &[u8], what: &str| {
        for n in &needles {
            assert!(
                !haystack.windows(n.len()).any(|w| w == n.as_slice()),
                "plaintext {:?} found in {what}",
                String::from_utf8_lossy(n)
            );
        }
    };
    match &t.db {
        Db::Sqlite(p) => {
            // A passive checkpoint copies the WAL into the file but leaves the WAL in place:
            // scan both.
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(p).await.unwrap();
            let files: Vec<(i64, String, String)> = sqlx::query_as("PRAGMA database_list").fetch_all(p).await.unwrap();
            let main = files.iter().find(|f| f.1 == "main").map(|f| f.2.clone()).unwrap();
            let mut all = Vec::new();
            for suffix in ["", "-wal", "-journal"] {
                let path = format!("{main}{suffix}");
                if let Ok(bytes) = std::fs::read(&path) {
                    find(&bytes, &path);
                    all.extend(bytes);
                }
            }
            assert!(all.len() > 4096, "read the real database files");
            // Sanity: the scan sees stored text (the company name) in the same files.
            assert!(all.windows("伯乐科技".len()).any(|w| w == "伯乐科技".as_bytes()), "scan cannot see stored text");
        }
        Db::Postgres(p) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
            .fetch_all(p)
            .await
            .unwrap();
            assert!(tables.iter().any(|t| t == "employees"));
            let mut seen_company = false;
            for table in &tables {
                let rows: Vec<String> =
                    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT t::text FROM {table} t")))
                        .fetch_all(p)
                        .await
                        .unwrap();
                for row in &rows {
                    seen_company |= row.contains("伯乐科技");
                    find(row.as_bytes(), &format!("table {table}"));
                    // bytea renders as hex: look for the hex of the plaintext as well.
                    for s in secrets {
                        assert!(!row.contains(&hex(s.as_bytes())), "hex of a plaintext value found in table {table}");
                    }
                }
            }
            assert!(seen_company, "scan cannot see stored text");
            // The relation files themselves, after a checkpoint, when this role may read them.
            if sqlx::query("CHECKPOINT").execute(p).await.is_ok() {
                let mut files = Vec::new();
                for rel in ["employees", "employee_contacts"] {
                    let paths: Vec<Option<String>> = sqlx::query_scalar(
                        "SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE c.oid = $1::regclass \
                         OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = $1::regclass) \
                         OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = $1::regclass)",
                    )
                    .bind(rel)
                    .fetch_all(p)
                    .await
                    .unwrap();
                    for path in paths.into_iter().flatten() {
                        let bytes: Result<Vec<u8>, _> =
                            sqlx::query_scalar("SELECT pg_read_binary_file($1)").bind(&path).fetch_one(p).await;
                        match bytes {
                            Ok(bytes) => {
                                find(&bytes, &path);
                                files.extend(bytes);
                            }
                            Err(e) => {
                                eprintln!("cannot read relation file {path} ({e}); row text was scanned instead");
                                break;
                            }
                        }
                    }
                }
                // Sanity: the files read hold the employees' stored text (their employee numbers).
                if !files.is_empty() {
                    assert!(files.windows(4).any(|w| w == b"E001"), "the relation files read hold no employee rows");
                }
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

both_engines!(
    sealed_values_round_trip,
    lookup_by_id_number_uses_the_blind_index,
    duplicate_id_number_is_refused_through_the_blind_index,
    rotation_reencrypts_and_reads_still_work,
    legacy_plaintext_rows_are_sealed,
    raw_bytes_hold_no_plaintext,
);
