//! Conformance of `AccountStore` on SQLite and PostgreSQL: accounts, duplicate
//! usernames, and the session lifecycle (insert, touch, expire, delete).
#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

use bole_access::{AccessError, AccountStore, NewSession, RoleGrant, SessionId, User, policy};
use bole_core::{Role, UserId};
use bole_testkit::{TestDb, both_engines};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

fn at(h: u32, m: u32, s: u32, ms: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, s).unwrap() + TimeDelta::milliseconds(i64::from(ms))
}

fn session(token_hash: &str, user: UserId, created_at: DateTime<Utc>, expires_at: DateTime<Utc>) -> NewSession {
    NewSession {
        id: SessionId::new(),
        token_hash: token_hash.into(),
        user,
        created_at,
        expires_at,
        ip: None,
        user_agent: None,
        csrf_hash: Some("csrf".into()),
        mfa_pending: false,
    }
}

fn user(name: &str, roles: Vec<Role>) -> User {
    User {
        id: UserId::new(),
        username: name.into(),
        employee_id: None,
        grants: roles.into_iter().map(|r| RoleGrant::builtin(r, policy::default_scope(r))).collect(),
        disabled: false,
        created_at: at(8, 0, 0, 0),
    }
}

async fn insert_and_find_user(t: TestDb) {
    let s = t.store.as_ref();
    assert_eq!(s.count_users().await.unwrap(), 0);
    let u = user("zhang.san", vec![Role::SystemAdmin, Role::Employee]);
    s.insert_user(&u, "$argon2id$v=19$hash").await.unwrap();
    assert_eq!(s.count_users().await.unwrap(), 1);

    let (found, hash) = s.user_with_hash("zhang.san").await.unwrap().unwrap();
    assert_eq!(found, u);
    assert_eq!(hash, "$argon2id$v=19$hash");
    assert_eq!(s.user(u.id).await.unwrap(), Some(u));
    assert!(s.user_with_hash("li.si").await.unwrap().is_none());
    assert!(s.user(UserId::new()).await.unwrap().is_none());
}

async fn duplicate_username_is_refused(t: TestDb) {
    let s = t.store.as_ref();
    s.insert_user(&user("wang.wu", vec![Role::Employee]), "h1").await.unwrap();
    let err = s.insert_user(&user("wang.wu", vec![Role::SystemAdmin]), "h2").await.unwrap_err();
    assert!(matches!(err, AccessError::DuplicateUsername), "{err:?}");
    assert_eq!(s.count_users().await.unwrap(), 1);
    let (kept, hash) = s.user_with_hash("wang.wu").await.unwrap().unwrap();
    assert_eq!(
        (kept.grants, hash.as_str()),
        (vec![RoleGrant::builtin(Role::Employee, bole_core::DataScope::Own)], "h1")
    );
}

async fn session_lifecycle(t: TestDb) {
    let s = t.store.as_ref();
    let u = user("zhao.liu", vec![Role::Employee]);
    s.insert_user(&u, "h").await.unwrap();

    s.insert_session(&session("aaaa", u.id, at(9, 0, 0, 0), at(21, 0, 0, 0))).await.unwrap();
    let row = s.session("aaaa").await.unwrap().unwrap();
    assert_eq!(row.user, u);
    assert_eq!((row.created_at, row.expires_at, row.last_seen_at), (at(9, 0, 0, 0), at(21, 0, 0, 0), at(9, 0, 0, 0)));
    assert!(s.session("bbbb").await.unwrap().is_none());

    s.touch_session("aaaa", at(9, 5, 30, 250)).await.unwrap();
    assert_eq!(s.session("aaaa").await.unwrap().unwrap().last_seen_at, at(9, 5, 30, 250));
    s.touch_session("missing", at(9, 6, 0, 0)).await.unwrap();

    // Expiry boundaries, including fractional seconds (SQLite compares them as text).
    s.insert_session(&session("bbbb", u.id, at(8, 0, 0, 0), at(20, 0, 0, 0))).await.unwrap();
    s.insert_session(&session("cccc", u.id, at(8, 0, 0, 0), at(20, 0, 0, 500))).await.unwrap();
    assert_eq!(s.delete_expired_sessions(at(19, 59, 59, 999)).await.unwrap(), 0);
    assert_eq!(s.delete_expired_sessions(at(20, 0, 0, 0)).await.unwrap(), 1, "expires_at <= now goes");
    assert!(s.session("bbbb").await.unwrap().is_none());
    assert!(s.session("cccc").await.unwrap().is_some());
    assert_eq!(s.delete_expired_sessions(at(20, 0, 0, 500)).await.unwrap(), 1);
    assert!(s.session("aaaa").await.unwrap().is_some());

    s.delete_session("aaaa").await.unwrap();
    assert!(s.session("aaaa").await.unwrap().is_none());
    s.delete_session("aaaa").await.unwrap();
}

both_engines!(insert_and_find_user, duplicate_username_is_refused, session_lifecycle);
