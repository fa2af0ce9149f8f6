//! Conformance of the issue 3 part of `AccountStore` on SQLite and PostgreSQL:
//! password history and its pruning, the lockout counter's window, sessions with
//! their public id and origin, API tokens, the TOTP secret sealed at rest, the
//! single-use TOTP step and recovery codes.
#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

use bole_access::{AccountStore, ApiToken, ApiTokenId, NewSession, RoleGrant, SessionId, User, policy};
use bole_core::{Permission, Role, UserId};
use bole_store::Db;
use bole_testkit::{TestDb, both_engines};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap()
}

async fn user(t: &TestDb, name: &str) -> User {
    let r = Role::Recruiter;
    let u = User {
        id: UserId::new(),
        username: name.into(),
        employee_id: None,
        grants: vec![RoleGrant::builtin(r, policy::default_scope(r))],
        disabled: false,
        created_at: at(8, 0),
    };
    t.store.insert_user(&u, "h0").await.unwrap();
    u
}

fn session(user: UserId, token_hash: &str, created_at: DateTime<Utc>, pending: bool) -> NewSession {
    NewSession {
        id: SessionId::new(),
        token_hash: token_hash.into(),
        user,
        created_at,
        expires_at: created_at + TimeDelta::hours(12),
        ip: Some("203.0.113.1".into()),
        user_agent: Some("UA".into()),
        csrf_hash: (!pending).then(|| "csrf-hash".to_string()),
        mfa_pending: pending,
    }
}

async fn passwords_history_and_lockout(t: TestDb) {
    let s = t.store.as_ref();
    let u = user(&t, "li.lei").await;
    let (acc, hash) = s.account(u.id).await.unwrap().unwrap();
    assert_eq!(hash, "h0");
    assert_eq!(acc.security.password_changed_at, Some(at(8, 0)), "set at creation");
    assert_eq!(s.password_history(u.id, 5).await.unwrap(), vec!["h0"]);

    // Several changes at the same instant still keep their order (UUIDv7 ids break the tie).
    for (i, h) in ["h1", "h2", "h3"].iter().enumerate() {
        s.set_password(u.id, h, at(9, 0), i == 2, 3).await.unwrap();
    }
    assert_eq!(s.password_history(u.id, 10).await.unwrap(), vec!["h3", "h2", "h1"], "pruned to the last 3");
    let (acc, hash) = s.account_with_hash("li.lei").await.unwrap().unwrap();
    assert_eq!(hash, "h3");
    assert!(acc.security.must_change_password);
    assert_eq!(acc.security.password_changed_at, Some(at(9, 0)));

    // The failure window: counts within it, restarts after it.
    assert_eq!(s.record_login_failure(u.id, at(10, 0), at(9, 45)).await.unwrap(), 1);
    assert_eq!(s.record_login_failure(u.id, at(10, 5), at(9, 50)).await.unwrap(), 2);
    assert_eq!(s.record_login_failure(u.id, at(10, 14), at(9, 59)).await.unwrap(), 3);
    assert_eq!(s.record_login_failure(u.id, at(10, 15), at(10, 0)).await.unwrap(), 1, "first failure left the window");
    assert_eq!(s.record_login_failure(UserId::new(), at(10, 15), at(10, 0)).await.unwrap(), 0);
    s.lock_account(u.id, at(10, 30)).await.unwrap();
    let (acc, _) = s.account(u.id).await.unwrap().unwrap();
    assert_eq!((acc.security.locked_until, acc.security.failed_count), (Some(at(10, 30)), 0));
    assert!(acc.security.locked_at(at(10, 29)) && !acc.security.locked_at(at(10, 30)));
    s.record_login_failure(u.id, at(10, 16), at(10, 1)).await.unwrap();
    s.clear_login_failures(u.id).await.unwrap();
    let (acc, _) = s.account(u.id).await.unwrap().unwrap();
    assert_eq!((acc.security.locked_until, acc.security.failed_count, acc.security.first_failed_at), (None, 0, None));

    // A password change lifts a lock too.
    s.lock_account(u.id, at(11, 0)).await.unwrap();
    s.set_password(u.id, "h4", at(10, 40), false, 3).await.unwrap();
    assert_eq!(s.account(u.id).await.unwrap().unwrap().0.security.locked_until, None);

    assert!(s.set_disabled(u.id, true).await.unwrap());
    assert!(!s.set_disabled(UserId::new(), true).await.unwrap());
    let all = s.accounts().await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(all[0].user.disabled);
}

async fn sessions_by_public_id(t: TestDb) {
    let s = t.store.as_ref();
    let a = user(&t, "han.mei").await;
    let b = user(&t, "li.ming").await;
    let a1 = session(a.id, "a1", at(9, 0), false);
    let a2 = session(a.id, "a2", at(9, 5), false);
    let pending = session(a.id, "ap", at(9, 6), true);
    let b1 = session(b.id, "b1", at(9, 0), false);
    for n in [&a1, &a2, &pending, &b1] {
        s.insert_session(n).await.unwrap();
    }
    let row = s.session("a1").await.unwrap().unwrap();
    assert_eq!((row.id, row.ip.as_deref(), row.user_agent.as_deref()), (a1.id, Some("203.0.113.1"), Some("UA")));
    assert_eq!((row.csrf_hash.as_deref(), row.mfa_pending), (Some("csrf-hash"), false));
    let p = s.session("ap").await.unwrap().unwrap();
    assert!(p.mfa_pending && p.csrf_hash.is_none());

    let listed = s.sessions_of(a.id, at(10, 0)).await.unwrap();
    assert_eq!(listed.iter().map(|v| v.id).collect::<Vec<_>>(), vec![a2.id, a1.id], "newest first, no pending ones");
    assert!(s.sessions_of(a.id, at(21, 5)).await.unwrap().is_empty(), "expired ones are not listed");

    assert!(!s.delete_session_by_id(a.id, b1.id).await.unwrap(), "not a's session");
    assert!(s.session("b1").await.unwrap().is_some());
    assert!(s.delete_session_by_id(a.id, a2.id).await.unwrap());
    assert_eq!(s.delete_sessions_of(a.id, Some(a1.id)).await.unwrap(), 1, "the pending one");
    assert!(s.session("a1").await.unwrap().is_some());
    assert_eq!(s.delete_sessions_of(a.id, None).await.unwrap(), 1);
    assert!(s.session("b1").await.unwrap().is_some());
}

async fn api_tokens(t: TestDb) {
    let s = t.store.as_ref();
    let a = user(&t, "token.owner").await;
    let b = user(&t, "someone.else").await;
    let tok = ApiToken {
        id: ApiTokenId::new(),
        user_id: a.id,
        name: "sync".into(),
        permissions: vec![Permission::OrgRead, Permission::EmployeeRead],
        created_at: at(9, 0),
        expires_at: at(9, 0) + TimeDelta::days(30),
        last_used_at: None,
        revoked_at: None,
    };
    s.insert_api_token(&tok, "pat-hash").await.unwrap();
    let (found, owner) = s.api_token("pat-hash").await.unwrap().unwrap();
    assert_eq!(found, tok);
    assert_eq!(owner.user.id, a.id);
    assert!(s.api_token("other").await.unwrap().is_none());
    s.touch_api_token(tok.id, at(9, 30)).await.unwrap();
    assert_eq!(s.api_tokens_of(a.id).await.unwrap()[0].last_used_at, Some(at(9, 30)));
    assert!(s.api_tokens_of(b.id).await.unwrap().is_empty());
    assert!(!s.revoke_api_token(b.id, tok.id, at(10, 0)).await.unwrap(), "only the owner revokes");
    assert!(s.revoke_api_token(a.id, tok.id, at(10, 0)).await.unwrap());
    assert!(s.revoke_api_token(a.id, tok.id, at(11, 0)).await.unwrap());
    assert_eq!(s.api_token("pat-hash").await.unwrap().unwrap().0.revoked_at, Some(at(10, 0)), "first revocation kept");
}

async fn totp_secret_sealed_steps_and_recovery_codes(t: TestDb) {
    let s = t.store.as_ref();
    let u = user(&t, "mfa.user").await;
    assert!(s.mfa_secret(u.id).await.unwrap().is_none());
    let secret = b"0123456789abcdefghij".to_vec();
    s.set_pending_mfa_secret(u.id, &secret).await.unwrap();
    assert_eq!(s.mfa_secret(u.id).await.unwrap(), Some((secret.clone(), false, None)));

    // At rest the column holds a sealed value, not the secret.
    let raw: Vec<u8> = match &t.db {
        Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT mfa_secret FROM users WHERE id = $1").bind(u.id.0).fetch_one(p).await.unwrap()
        }
        Db::Postgres(p) => {
            sqlx::query_scalar("SELECT mfa_secret FROM users WHERE id = $1").bind(u.id.0).fetch_one(p).await.unwrap()
        }
    };
    assert_eq!(raw[0], bole_crypto::SEALED_VERSION);
    assert!(!raw.windows(secret.len()).any(|w| w == secret.as_slice()), "no plaintext at rest");

    assert!(!s.advance_totp_step(u.id, 100).await.unwrap(), "not before MFA is enabled");
    s.enable_mfa(u.id, 100, &["r1".into(), "r2".into()]).await.unwrap();
    assert_eq!(s.mfa_secret(u.id).await.unwrap(), Some((secret.clone(), true, Some(100))));
    assert!(s.account(u.id).await.unwrap().unwrap().0.security.mfa_enabled);
    assert!(!s.advance_totp_step(u.id, 100).await.unwrap(), "the same step twice");
    assert!(!s.advance_totp_step(u.id, 99).await.unwrap());
    assert!(s.advance_totp_step(u.id, 101).await.unwrap());

    assert_eq!(s.unused_recovery_codes(u.id).await.unwrap(), 2);
    assert!(s.use_recovery_code(u.id, "r1", at(9, 0)).await.unwrap());
    assert!(!s.use_recovery_code(u.id, "r1", at(9, 1)).await.unwrap(), "single use");
    assert!(!s.use_recovery_code(u.id, "nope", at(9, 1)).await.unwrap());
    assert_eq!(s.unused_recovery_codes(u.id).await.unwrap(), 1);

    // Re-enabling replaces the codes; disabling forgets everything.
    s.enable_mfa(u.id, 200, &["r3".into()]).await.unwrap();
    assert!(!s.use_recovery_code(u.id, "r2", at(9, 2)).await.unwrap());
    s.disable_mfa(u.id).await.unwrap();
    assert!(s.mfa_secret(u.id).await.unwrap().is_none());
    assert_eq!(s.unused_recovery_codes(u.id).await.unwrap(), 0);
    assert!(!s.account(u.id).await.unwrap().unwrap().0.security.mfa_enabled);
}

both_engines!(
    passwords_history_and_lockout,
    sessions_by_public_id,
    api_tokens,
    totp_secret_sealed_steps_and_recovery_codes
);
