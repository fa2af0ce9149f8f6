//! Issue 3, accounts / sessions / tokens / MFA at the service level, on a real store
//! with a clock the test moves: password policy and history, expiry and admin reset,
//! lockout (timed and admin unlock), one answer for unknown / locked / disabled,
//! session listing and revocation, API tokens, TOTP with replay protection and
//! recovery codes, the MFA requirement for privileged roles, and the audit events.
#![expect(clippy::unwrap_used, reason = "test helpers: a surprise should fail the test loudly")]

use async_trait::async_trait;
use bole_access::{
    AccessError, AccountService, AccountStore, IssuedSession, LockoutPolicy, LoginOutcome, NewUser, PasswordPolicy,
    Restriction, RoleGrant, SecurityPolicy,
};
use bole_core::clock::Clock;
use bole_core::{
    Actor, AuditEvent, AuditLog, AuditUnavailable, DataScope, Failure, Outcome, Permission, RequestMeta, Role,
};
use bole_testkit::TestDb;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct MovableClock(Mutex<DateTime<Utc>>);

impl MovableClock {
    fn advance(&self, by: TimeDelta) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// Keeps every audit event appended.
#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<AuditEvent>>);

#[async_trait]
impl AuditLog for Recorder {
    async fn append(&self, events: &[AuditEvent]) -> Result<(), AuditUnavailable> {
        self.0.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}

impl Recorder {
    fn actions(&self) -> Vec<(String, Outcome)> {
        self.0.lock().unwrap().iter().map(|e| (e.action.clone(), e.outcome)).collect()
    }

    fn last(&self, action: &str) -> AuditEvent {
        self.0.lock().unwrap().iter().rev().find(|e| e.action == action).cloned().unwrap()
    }
}

const PASSWORD: &str = "Sturdy-Pass-2026";

struct Fx {
    _t: TestDb,
    svc: AccountService,
    clock: Arc<MovableClock>,
    audit: Arc<Recorder>,
    /// The system administrator (user_admin).
    admin: Actor,
}

fn meta() -> RequestMeta {
    RequestMeta { ip: Some("203.0.113.7".into()), user_agent: Some("test-agent".into()) }
}

async fn fx_with(policy: SecurityPolicy) -> Fx {
    let t = TestDb::sqlite().await;
    let clock = Arc::new(MovableClock(Mutex::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap())));
    let audit = Arc::new(Recorder::default());
    let svc = AccountService::new(t.store.clone(), clock.clone()).with_policy(policy).with_audit(audit.clone());
    let admin_user = svc.bootstrap_admin("admin", PASSWORD).await.unwrap();
    let admin = admin_user.actor(svc.access_of(&admin_user).await.unwrap());
    Fx { _t: t, svc, clock, audit, admin }
}

/// The default policy without the MFA requirement (most tests are not about it).
async fn fx() -> Fx {
    fx_with(SecurityPolicy { mfa_required_for_privileged: false, ..SecurityPolicy::default() }).await
}

impl Fx {
    async fn recruiter(&self, name: &str) -> bole_access::User {
        self.svc
            .bootstrap_user(NewUser {
                username: name.into(),
                password: PASSWORD.into(),
                employee_id: None,
                grants: vec![RoleGrant::builtin(Role::Recruiter, DataScope::All)],
            })
            .await
            .unwrap()
    }

    async fn login(&self, name: &str, password: &str) -> Result<LoginOutcome, AccessError> {
        self.svc.login(name, password, &meta()).await
    }

    async fn session(&self, name: &str, password: &str) -> IssuedSession {
        self.login(name, password).await.unwrap().session().unwrap()
    }

    async fn actor(&self, token: &str) -> Actor {
        self.svc.authenticate(token, meta()).await.unwrap().actor
    }
}

fn field_error(e: &AccessError, field: &str) -> String {
    match e {
        AccessError::Invalid(f) => f.0.get(field).map(|m| m[0].en.clone()).unwrap_or_else(|| panic!("{f:?}")),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn password_policy_is_configurable_and_history_refuses_reuse() {
    let policy = SecurityPolicy {
        password: PasswordPolicy { min_length: 12, required_classes: 4, history: 3, max_age_days: 0 },
        mfa_required_for_privileged: false,
        ..SecurityPolicy::default()
    };
    let f = fx_with(policy).await;
    let recruiter = vec![RoleGrant::builtin(Role::Recruiter, DataScope::All)];
    let weak =
        NewUser { username: "li".into(), password: "Sturdy-Pass".into(), employee_id: None, grants: recruiter.clone() };
    let e = f.svc.bootstrap_user(weak).await.unwrap_err();
    assert!(
        field_error(&e, "password").contains("at least 12 characters from at least 4"),
        "new accounts follow the policy"
    );

    let p = ["Aa1!aaaaaaaaaa", "Bb2@bbbbbbbbbb", "Cc3#cccccccccc", "Dd4$dddddddddd"];
    let u = f
        .svc
        .bootstrap_user(NewUser { username: "wu".into(), password: p[0].into(), employee_id: None, grants: recruiter })
        .await
        .unwrap();
    let s = f.session("wu", p[0]).await;
    let me = f.actor(&s.token).await;
    assert_eq!(me.user_id, u.id);

    let e = f.svc.change_password(&me, Some(s.id), "not-it", p[1]).await.unwrap_err();
    assert!(matches!(e, AccessError::WrongPassword), "{e:?}");
    assert_eq!(e.code(), "wrong_password");
    let e = f.svc.change_password(&me, Some(s.id), p[0], "Short1!").await.unwrap_err();
    assert!(field_error(&e, "new_password").contains("at least 12 characters from at least 4"));
    let e = f.svc.change_password(&me, Some(s.id), p[0], "alllowercase-but-long-1").await.unwrap_err();
    assert!(field_error(&e, "new_password").contains("from at least 4"));
    let e = f.svc.change_password(&me, Some(s.id), p[0], p[0]).await.unwrap_err();
    assert!(field_error(&e, "new_password").contains("differ from the last 3"), "the current password is history too");

    f.svc.change_password(&me, Some(s.id), p[0], p[1]).await.unwrap();
    f.svc.change_password(&me, Some(s.id), p[1], p[2]).await.unwrap();
    f.svc.change_password(&me, Some(s.id), p[2], p[3]).await.unwrap();
    // The last three are p[3] (current), p[2], p[1]: those are refused, p[0] has aged out.
    for old in [p[1], p[2], p[3]] {
        let e = f.svc.change_password(&me, Some(s.id), p[3], old).await.unwrap_err();
        assert!(field_error(&e, "new_password").contains("differ"), "{old}");
    }
    f.svc.change_password(&me, Some(s.id), p[3], p[0]).await.unwrap();
    assert!(f.login("wu", p[3]).await.is_err());
    f.session("wu", p[0]).await;
    assert!(f.svc.authenticate(&s.token, meta()).await.is_ok(), "the session that changed the password stays");
    let changes =
        f.audit.actions().iter().filter(|(a, o)| a == "auth.password.change" && *o == Outcome::Success).count();
    assert_eq!(changes, 4);
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let f = fx().await;
    f.recruiter("zhao").await;
    let a = f.session("zhao", PASSWORD).await;
    let b = f.session("zhao", PASSWORD).await;
    let me = f.actor(&a.token).await;
    f.svc.change_password(&me, Some(a.id), PASSWORD, "Another-Pass-2027").await.unwrap();
    assert!(f.svc.authenticate(&a.token, meta()).await.is_ok());
    assert!(matches!(f.svc.authenticate(&b.token, meta()).await, Err(AccessError::Unauthenticated)));
}

#[tokio::test]
async fn an_expired_password_restricts_the_session_until_changed() {
    let policy = SecurityPolicy {
        password: PasswordPolicy { max_age_days: 30, ..PasswordPolicy::default() },
        mfa_required_for_privileged: false,
        ..SecurityPolicy::default()
    };
    let f = fx_with(policy).await;
    f.recruiter("qian").await;
    assert!(f.session("qian", PASSWORD).await.restrictions.is_empty());
    f.clock.advance(TimeDelta::days(30));
    let s = f.session("qian", PASSWORD).await;
    assert_eq!(s.restrictions, vec![Restriction::PasswordChange]);
    let auth = f.svc.authenticate(&s.token, meta()).await.unwrap();
    assert_eq!(auth.restrictions, vec![Restriction::PasswordChange]);
    f.svc.change_password(&auth.actor, auth.session_id(), PASSWORD, "Fresh-Pass-2026").await.unwrap();
    let auth = f.svc.authenticate(&s.token, meta()).await.unwrap();
    assert!(auth.restrictions.is_empty(), "the same session is unrestricted once the password changed");
}

#[tokio::test]
async fn an_admin_reset_forces_a_change_and_ends_every_session() {
    let f = fx().await;
    let u = f.recruiter("sun").await;
    let before = f.session("sun", PASSWORD).await;
    let temporary = f.svc.reset_password(&f.admin, u.id).await.unwrap();
    assert!(matches!(f.svc.authenticate(&before.token, meta()).await, Err(AccessError::Unauthenticated)));
    assert!(f.login("sun", PASSWORD).await.is_err());
    let s = f.session("sun", &temporary).await;
    assert_eq!(s.restrictions, vec![Restriction::PasswordChange]);
    let me = f.actor(&s.token).await;
    f.svc.change_password(&me, Some(s.id), &temporary, "Chosen-Pass-2026").await.unwrap();
    assert!(f.session("sun", "Chosen-Pass-2026").await.restrictions.is_empty());
    assert_eq!(f.audit.last("auth.password.reset").subject_ids, vec![u.id.to_string()]);
    // Only the system administrator resets passwords.
    let e = f.svc.reset_password(&me, f.admin.user_id).await.unwrap_err();
    assert!(matches!(e, AccessError::Forbidden(_)), "{e:?}");
}

#[tokio::test]
async fn five_failures_lock_the_account_until_the_lock_ends() {
    let f = fx().await;
    let u = f.recruiter("zhou").await;
    for _ in 0..4 {
        assert!(matches!(f.login("zhou", "Wrong-Pass-0000").await, Err(AccessError::InvalidCredentials)));
    }
    assert!(!f.audit.actions().iter().any(|(a, _)| a == "auth.lockout"));
    assert!(matches!(f.login("zhou", "Wrong-Pass-0000").await, Err(AccessError::InvalidCredentials)));
    assert_eq!(f.audit.last("auth.lockout").subject_ids, vec![u.id.to_string()]);
    // Locked: even the right password is refused, with the same public answer.
    let e = f.login("zhou", PASSWORD).await.unwrap_err();
    assert!(matches!(e, AccessError::AccountLocked), "{e:?}");
    assert_eq!(
        (e.code(), e.message()),
        (AccessError::InvalidCredentials.code(), AccessError::InvalidCredentials.message())
    );
    f.clock.advance(TimeDelta::minutes(14));
    assert!(matches!(f.login("zhou", PASSWORD).await, Err(AccessError::AccountLocked)));
    f.clock.advance(TimeDelta::minutes(1));
    f.session("zhou", PASSWORD).await;
}

#[tokio::test]
async fn failures_outside_the_window_do_not_add_up() {
    let f = fx().await;
    f.recruiter("wang").await;
    for _ in 0..4 {
        f.login("wang", "Wrong-Pass-0000").await.unwrap_err();
    }
    f.clock.advance(TimeDelta::minutes(16));
    for _ in 0..4 {
        f.login("wang", "Wrong-Pass-0000").await.unwrap_err();
    }
    f.session("wang", PASSWORD).await;
    // A success resets the count.
    for _ in 0..4 {
        f.login("wang", "Wrong-Pass-0000").await.unwrap_err();
    }
    f.session("wang", PASSWORD).await;
}

#[tokio::test]
async fn an_administrator_unlocks_and_disables() {
    let policy = SecurityPolicy {
        lockout: LockoutPolicy { max_failures: 3, ..LockoutPolicy::default() },
        mfa_required_for_privileged: false,
        ..SecurityPolicy::default()
    };
    let f = fx_with(policy).await;
    let u = f.recruiter("feng").await;
    for _ in 0..3 {
        f.login("feng", "Wrong-Pass-0000").await.unwrap_err();
    }
    assert!(matches!(f.login("feng", PASSWORD).await, Err(AccessError::AccountLocked)));
    let views = f.svc.list_accounts(&f.admin).await.unwrap();
    let v = views.iter().find(|v| v.id == u.id).unwrap();
    assert!(v.locked_until.is_some());
    f.svc.unlock(&f.admin, u.id).await.unwrap();
    assert_eq!(f.audit.last("auth.unlock").subject_ids, vec![u.id.to_string()]);
    let s = f.session("feng", PASSWORD).await;

    f.svc.set_disabled(&f.admin, u.id, true).await.unwrap();
    assert!(matches!(f.svc.authenticate(&s.token, meta()).await, Err(AccessError::Unauthenticated)));
    let e = f.login("feng", PASSWORD).await.unwrap_err();
    assert!(matches!(e, AccessError::AccountDisabled), "{e:?}");
    assert_eq!(e.code(), "invalid_credentials");
    f.svc.set_disabled(&f.admin, u.id, false).await.unwrap();
    f.session("feng", PASSWORD).await;
    let e = f.svc.set_disabled(&f.admin, f.admin.user_id, true).await.unwrap_err();
    assert!(matches!(e, AccessError::Invalid(_)), "nobody disables their own account: {e:?}");
    let recruiter = f.actor(&f.session("feng", PASSWORD).await.token).await;
    assert!(matches!(f.svc.unlock(&recruiter, u.id).await, Err(AccessError::Forbidden(_))));
    assert!(matches!(f.svc.list_accounts(&recruiter).await, Err(AccessError::Forbidden(_))));
}

/// Median wall time of `n` login attempts per case, the cases interleaved round-robin so a
/// burst of load from other tests slows every case alike instead of one.
async fn median_logins<const K: usize>(f: &Fx, cases: [(&str, &str); K], n: usize) -> [Duration; K] {
    let mut times: [Vec<Duration>; K] = std::array::from_fn(|_| Vec::with_capacity(n));
    for _ in 0..n {
        for (i, (name, password)) in cases.iter().enumerate() {
            let t = Instant::now();
            let _ = f.login(name, password).await;
            times[i].push(t.elapsed());
        }
    }
    times.map(|mut t| {
        t.sort();
        t[n / 2]
    })
}

#[tokio::test]
async fn unknown_wrong_locked_and_disabled_look_the_same() {
    let policy = SecurityPolicy {
        lockout: LockoutPolicy { max_failures: 1000, ..LockoutPolicy::default() },
        mfa_required_for_privileged: false,
        ..SecurityPolicy::default()
    };
    let f = fx_with(policy).await;
    let locked = f.recruiter("locked").await;
    let disabled = f.recruiter("disabled").await;
    f.recruiter("known").await;
    f.svc.set_disabled(&f.admin, disabled.id, true).await.unwrap();
    f._t.store.lock_account(locked.id, f.clock.now() + TimeDelta::hours(1)).await.unwrap();

    let errors = [
        f.login("nobody", PASSWORD).await.unwrap_err(),
        f.login("known", "Wrong-Pass-0000").await.unwrap_err(),
        f.login("locked", PASSWORD).await.unwrap_err(),
        f.login("disabled", PASSWORD).await.unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.code(), "invalid_credentials", "{e:?}");
        assert_eq!(e.kind(), bole_core::ErrorKind::Unauthenticated);
        assert_eq!(e.message(), errors[0].message());
    }

    // Every path does one argon2 verification, so none answers noticeably faster.
    let [unknown, wrong, locked_t, disabled_t] = median_logins(
        &f,
        [("nobody", PASSWORD), ("known", "Wrong-Pass-0000"), ("locked", PASSWORD), ("disabled", PASSWORD)],
        9,
    )
    .await;
    let slowest = unknown.max(wrong).max(locked_t).max(disabled_t);
    for (what, t) in [("unknown", unknown), ("wrong", wrong), ("locked", locked_t), ("disabled", disabled_t)] {
        assert!(t * 2 >= slowest, "{what} answers in {t:?}, the slowest path takes {slowest:?}");
    }

    // The unknown name is kept only as its SM3 digest.
    let e =
        f.audit.0.lock().unwrap().iter().find(|e| e.action == "auth.login" && e.actor_id.is_none()).cloned().unwrap();
    assert_eq!(e.actor_name, bole_access::rules::username_digest("nobody"));
    assert_eq!((e.ip.as_deref(), e.outcome), (Some("203.0.113.7"), Outcome::Failed));
    assert_eq!(f.audit.last("auth.login.locked").outcome, Outcome::Denied);
    assert_eq!(f.audit.last("auth.login.disabled").outcome, Outcome::Denied);
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_by_their_public_id() {
    let f = fx().await;
    f.recruiter("han").await;
    f.recruiter("yang").await;
    let a = f.session("han", PASSWORD).await;
    let b = f.session("han", PASSWORD).await;
    let other = f.session("yang", PASSWORD).await;
    let me = f.actor(&a.token).await;
    let list = f.svc.my_sessions(&me, Some(a.id)).await.unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().any(|s| s.id == a.id && s.current));
    assert!(list.iter().any(|s| s.id == b.id && !s.current));
    assert_eq!(list[0].ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(list[0].user_agent.as_deref(), Some("test-agent"));

    let e = f.svc.revoke_my_session(&me, other.id).await.unwrap_err();
    assert!(matches!(e, AccessError::SessionNotFound), "another account's session is not mine: {e:?}");
    f.svc.revoke_my_session(&me, b.id).await.unwrap();
    assert!(matches!(f.svc.authenticate(&b.token, meta()).await, Err(AccessError::Unauthenticated)));
    assert_eq!(f.audit.last("auth.session.revoke").subject_ids, vec![b.id.to_string()]);

    // Idle sessions drop out of the list.
    f.clock.advance(TimeDelta::minutes(31));
    let fresh = f.session("han", PASSWORD).await;
    let other = f.session("yang", PASSWORD).await;
    let me = f.actor(&fresh.token).await;
    assert_eq!(f.svc.my_sessions(&me, Some(fresh.id)).await.unwrap().len(), 1);

    f.svc.revoke_my_sessions(&me).await.unwrap();
    assert!(f.svc.authenticate(&fresh.token, meta()).await.is_err());
    assert!(f.svc.authenticate(&other.token, meta()).await.is_ok(), "another account's sessions stay");
    let yang = f.actor(&other.token).await;
    f.svc.revoke_sessions_of(&f.admin, yang.user_id).await.unwrap();
    assert!(f.svc.authenticate(&other.token, meta()).await.is_err());
}

#[tokio::test]
async fn api_tokens_act_as_their_owner_narrowed_expiring_and_revocable() {
    let f = fx().await;
    let owner = f.recruiter("he").await;
    let s = f.session("he", PASSWORD).await;
    let me = f.actor(&s.token).await;
    assert!(me.can(Permission::RecruitmentWrite));

    let e = f.svc.create_api_token(&me, "x", vec![Permission::EmployeeWrite], 30).await.unwrap_err();
    assert!(field_error(&e, "permissions[0]").contains("do not hold"));
    let e = f.svc.create_api_token(&me, " ", vec![], 366).await.unwrap_err();
    let AccessError::Invalid(fields) = &e else { panic!("{e:?}") };
    assert!(["name", "permissions", "expires_in_days"].iter().all(|k| fields.0.contains_key(*k)), "{fields:?}");

    let issued = f.svc.create_api_token(&me, "ATS sync", vec![Permission::RecruitmentRead], 30).await.unwrap();
    assert!(issued.secret.starts_with("bole_pat_"));
    let auth = f.svc.authenticate(&issued.secret, meta()).await.unwrap();
    assert_eq!(auth.actor.user_id, owner.id);
    assert!(auth.actor.can(Permission::RecruitmentRead));
    assert!(!auth.actor.can(Permission::RecruitmentWrite), "narrowed to the listed permissions");
    assert!(!auth.actor.can(Permission::OrgRead));
    assert!(matches!(auth.credential, bole_access::Credential::ApiToken { .. }));
    let listed = f.svc.my_api_tokens(&me).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at, Some(f.clock.now()));

    f.clock.advance(TimeDelta::days(30));
    assert!(matches!(f.svc.authenticate(&issued.secret, meta()).await, Err(AccessError::Unauthenticated)), "expired");

    let s = f.session("he", PASSWORD).await;
    let me = f.actor(&s.token).await;
    let second = f.svc.create_api_token(&me, "second", vec![Permission::OrgRead], 365).await.unwrap();
    assert!(f.svc.authenticate(&second.secret, meta()).await.is_ok());
    f.recruiter("stranger").await;
    let stranger = f.actor(&f.session("stranger", PASSWORD).await.token).await;
    assert!(matches!(f.svc.revoke_api_token(&stranger, second.token.id).await, Err(AccessError::ApiTokenNotFound)));
    f.svc.revoke_api_token(&me, second.token.id).await.unwrap();
    assert!(matches!(f.svc.authenticate(&second.secret, meta()).await, Err(AccessError::Unauthenticated)), "revoked");
    assert!(
        f.svc.my_api_tokens(&me).await.unwrap().iter().all(|t| t.revoked_at.is_some() || t.expires_at <= f.clock.now())
    );

    let third = f.svc.create_api_token(&me, "third", vec![Permission::OrgRead], 10).await.unwrap();
    f.svc.set_disabled(&f.admin, owner.id, true).await.unwrap();
    assert!(f.svc.authenticate(&third.secret, meta()).await.is_err(), "a disabled owner's tokens stop");
    let actions = f.audit.actions();
    assert!(actions.contains(&("auth.token.create".into(), Outcome::Success)));
    assert!(actions.contains(&("auth.token.revoke".into(), Outcome::Success)));
}

fn code_for(uri: &str, at: DateTime<Utc>) -> String {
    let totp = totp_rs::Totp::from_url(uri).unwrap();
    totp.generate(u64::try_from(at.timestamp()).unwrap()).to_string()
}

#[tokio::test]
async fn totp_enrolment_two_step_login_replay_and_recovery_codes() {
    let f = fx().await;
    f.recruiter("lin").await;
    let s = f.session("lin", PASSWORD).await;
    let me = f.actor(&s.token).await;
    assert!(matches!(f.svc.confirm_totp(&me, "123456").await, Err(AccessError::MfaEnrollmentNotStarted)));

    let enrol = f.svc.start_totp_enrollment(&me).await.unwrap();
    assert!(enrol.otpauth_uri.starts_with("otpauth://totp/Bole%20%E4%BC%AF%E4%B9%90:lin?"), "{}", enrol.otpauth_uri);
    assert!(enrol.otpauth_uri.contains(&enrol.secret));
    assert!(matches!(f.svc.confirm_totp(&me, "000000").await, Err(AccessError::InvalidMfaCode)));
    let codes = f.svc.confirm_totp(&me, &code_for(&enrol.otpauth_uri, f.clock.now())).await.unwrap();
    assert_eq!(codes.len(), 10);
    assert_eq!(f.svc.recovery_codes_left(&me).await.unwrap(), 10);
    assert!(matches!(f.svc.start_totp_enrollment(&me).await, Err(AccessError::MfaAlreadyEnabled)));

    // The password alone no longer opens a session.
    let LoginOutcome::MfaRequired { mfa_token, .. } = f.login("lin", PASSWORD).await.unwrap() else {
        panic!("MFA expected")
    };
    assert!(
        matches!(f.svc.authenticate(&mfa_token.0, meta()).await, Err(AccessError::Unauthenticated)),
        "not a session"
    );
    // The code used to confirm enrolment was for this step: replaying it is refused.
    let now_code = code_for(&enrol.otpauth_uri, f.clock.now());
    let e = f.svc.login_mfa(&mfa_token.0, &now_code, &meta()).await.unwrap_err();
    assert!(matches!(e, AccessError::MfaLoginFailed), "{e:?}");
    f.clock.advance(TimeDelta::seconds(30));
    let code = code_for(&enrol.otpauth_uri, f.clock.now());
    let session = f.svc.login_mfa(&mfa_token.0, &code, &meta()).await.unwrap();
    assert!(f.svc.authenticate(&session.token, meta()).await.is_ok());
    assert!(
        matches!(f.svc.login_mfa(&mfa_token.0, &code, &meta()).await, Err(AccessError::MfaLoginFailed)),
        "single use"
    );
    let LoginOutcome::MfaRequired { mfa_token, .. } = f.login("lin", PASSWORD).await.unwrap() else { panic!() };
    assert!(
        matches!(f.svc.login_mfa(&mfa_token.0, &code, &meta()).await, Err(AccessError::MfaLoginFailed)),
        "the same code within its step is refused for a new login too"
    );

    // A recovery code works once, in any case and with spaces.
    let typed = codes[0].to_uppercase().replace('-', " ");
    f.svc.login_mfa(&mfa_token.0, &typed, &meta()).await.unwrap();
    assert_eq!(f.svc.recovery_codes_left(&me).await.unwrap(), 9);
    let LoginOutcome::MfaRequired { mfa_token, expires_at } = f.login("lin", PASSWORD).await.unwrap() else { panic!() };
    assert!(matches!(f.svc.login_mfa(&mfa_token.0, &codes[0], &meta()).await, Err(AccessError::MfaLoginFailed)));
    // The first step lasts five minutes.
    assert_eq!(expires_at, f.clock.now() + TimeDelta::minutes(5));
    f.clock.advance(TimeDelta::minutes(5));
    assert!(matches!(f.svc.login_mfa(&mfa_token.0, &codes[1], &meta()).await, Err(AccessError::MfaLoginFailed)));
    let e = f.audit.last("auth.login");
    assert_eq!(e.fields, vec!["password".to_string(), "recovery_code".to_string()]);

    // Disabling needs a current code.
    let me = f.actor(&session.token).await;
    assert!(matches!(f.svc.disable_totp(&me, "000000").await, Err(AccessError::InvalidMfaCode)));
    f.clock.advance(TimeDelta::seconds(30));
    f.svc.disable_totp(&me, &code_for(&enrol.otpauth_uri, f.clock.now())).await.unwrap();
    assert!(f.login("lin", PASSWORD).await.unwrap().session().is_some());
    assert!(matches!(f.svc.disable_totp(&me, "123456").await, Err(AccessError::MfaNotEnabled)));
    let actions = f.audit.actions();
    for a in ["auth.mfa.enroll", "auth.mfa.disable", "auth.login.mfa_challenge"] {
        assert!(actions.contains(&(a.into(), Outcome::Success)), "{a}");
    }
}

#[tokio::test]
async fn wrong_codes_count_towards_the_lockout() {
    let f = fx().await;
    f.recruiter("guo").await;
    let me = f.actor(&f.session("guo", PASSWORD).await.token).await;
    let enrol = f.svc.start_totp_enrollment(&me).await.unwrap();
    f.svc.confirm_totp(&me, &code_for(&enrol.otpauth_uri, f.clock.now())).await.unwrap();
    let LoginOutcome::MfaRequired { mfa_token, .. } = f.login("guo", PASSWORD).await.unwrap() else { panic!() };
    for _ in 0..5 {
        assert!(f.svc.login_mfa(&mfa_token.0, "000000", &meta()).await.is_err());
    }
    f.clock.advance(TimeDelta::seconds(30));
    assert!(matches!(f.login("guo", PASSWORD).await, Err(AccessError::AccountLocked)));
}

#[tokio::test]
async fn privileged_roles_must_enrol_mfa_first() {
    let f = fx_with(SecurityPolicy::default()).await;
    let hr = f
        .svc
        .bootstrap_user(NewUser {
            username: "hr".into(),
            password: PASSWORD.into(),
            employee_id: None,
            grants: vec![RoleGrant::builtin(Role::HrAdmin, DataScope::All)],
        })
        .await
        .unwrap();
    f.recruiter("plain").await;
    assert!(f.session("plain", PASSWORD).await.restrictions.is_empty(), "recruiters are not privileged");
    let s = f.session("hr", PASSWORD).await;
    assert_eq!(s.restrictions, vec![Restriction::MfaEnrollment]);
    let me = f.actor(&s.token).await;
    assert_eq!(me.user_id, hr.id);
    let enrol = f.svc.start_totp_enrollment(&me).await.unwrap();
    f.svc.confirm_totp(&me, &code_for(&enrol.otpauth_uri, f.clock.now())).await.unwrap();
    assert!(f.svc.authenticate(&s.token, meta()).await.unwrap().restrictions.is_empty());
    // An administrator's MFA reset brings the requirement back.
    f.svc.reset_mfa(&f.admin, hr.id).await.unwrap();
    assert_eq!(f.svc.authenticate(&s.token, meta()).await.unwrap().restrictions, vec![Restriction::MfaEnrollment]);
    assert_eq!(f.audit.last("auth.mfa.reset").subject_ids, vec![hr.id.to_string()]);
}
