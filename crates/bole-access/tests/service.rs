//! Account use cases on a real SQLite store with a clock the test moves:
//! login, one answer for unknown user and wrong password, idle and absolute
//! session expiry, the once-a-minute touch, disabled accounts, logout.

use bole_access::{AccessError, AccountService, AccountStore, NewUser, RoleGrant, User, rules};
use bole_core::clock::Clock;
use bole_core::{Actor, DataScope, Permission, RequestMeta, Role};
use bole_testkit::TestDb;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use std::sync::{Arc, Mutex};

// Helpers outside #[test] fns are not covered by clippy's allow-unwrap-in-tests.

#[derive(Debug)]
struct MovableClock(Mutex<DateTime<Utc>>);

#[expect(clippy::unwrap_used, reason = "test helper: a poisoned lock should fail the test")]
impl MovableClock {
    fn advance(&self, by: TimeDelta) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

#[expect(clippy::unwrap_used, reason = "test helper: a poisoned lock should fail the test")]
impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

const PASSWORD: &str = "Sturdy-Pass-2026";

/// Password login that must complete in one step (no MFA in these tests).
async fn login(svc: &AccountService, username: &str, password: &str) -> Result<(String, User), AccessError> {
    let s =
        svc.login(username, password, &RequestMeta::default()).await?.session().ok_or(AccessError::MfaLoginFailed)?;
    Ok((s.token, s.user))
}

async fn authenticate(svc: &AccountService, token: &str) -> Result<Actor, AccessError> {
    svc.authenticate(token, RequestMeta::default()).await.map(|a| a.actor)
}

#[expect(clippy::unwrap_used, reason = "test helper: setup failures should fail the test")]
async fn setup() -> (TestDb, AccountService, Arc<MovableClock>) {
    let t = TestDb::sqlite().await;
    let clock = Arc::new(MovableClock(Mutex::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap())));
    let svc = AccountService::new(t.store.clone(), clock.clone());
    svc.bootstrap_admin("Admin", PASSWORD).await.unwrap();
    (t, svc, clock)
}

#[tokio::test]
async fn login_and_authenticate() {
    let (t, svc, _) = setup().await;
    let (token, user) = login(&svc, " ADMIN ", PASSWORD).await.unwrap();
    assert_eq!(user.username, "admin", "usernames are normalised");
    assert_eq!(user.grants, vec![RoleGrant::builtin(Role::SystemAdmin, DataScope::All)]);
    let actor = authenticate(&svc, &token).await.unwrap();
    assert_eq!(actor, user.actor(svc.access_of(&user).await.unwrap()));
    assert!(actor.can(Permission::UserAdmin));
    assert!(!actor.can(Permission::EmployeeRead), "三员: the system administrator reads no personal data");
    // Only the SM3 hash of the token is stored.
    assert!(t.store.session(&token).await.unwrap().is_none());
    assert!(t.store.session(&rules::token_hash(&token)).await.unwrap().is_some());
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let (_t, svc, _) = setup().await;
    let wrong = login(&svc, "admin", "Wrong-Pass-2026").await.unwrap_err();
    let unknown = login(&svc, "nobody", PASSWORD).await.unwrap_err();
    assert!(matches!(wrong, AccessError::InvalidCredentials));
    assert!(matches!(unknown, AccessError::InvalidCredentials));
}

#[tokio::test]
async fn idle_sessions_end_and_use_keeps_them_alive() {
    let (_t, svc, clock) = setup().await;
    let (token, _) = login(&svc, "admin", PASSWORD).await.unwrap();
    // Used every 20 minutes for two hours: never idle for 30.
    for _ in 0..6 {
        clock.advance(TimeDelta::minutes(20));
        authenticate(&svc, &token).await.unwrap();
    }
    clock.advance(TimeDelta::minutes(30));
    assert!(matches!(authenticate(&svc, &token).await, Err(AccessError::Unauthenticated)));
    // And it is gone for good, not just refused once.
    clock.advance(TimeDelta::minutes(-29));
    assert!(matches!(authenticate(&svc, &token).await, Err(AccessError::Unauthenticated)));
}

#[tokio::test]
async fn last_seen_is_written_at_most_once_a_minute() {
    let (t, svc, clock) = setup().await;
    let (token, _) = login(&svc, "admin", PASSWORD).await.unwrap();
    let hash = rules::token_hash(&token);
    let created = t.store.session(&hash).await.unwrap().unwrap().last_seen_at;
    clock.advance(TimeDelta::seconds(59));
    authenticate(&svc, &token).await.unwrap();
    assert_eq!(t.store.session(&hash).await.unwrap().unwrap().last_seen_at, created);
    clock.advance(TimeDelta::seconds(1));
    authenticate(&svc, &token).await.unwrap();
    assert_eq!(t.store.session(&hash).await.unwrap().unwrap().last_seen_at, created + TimeDelta::minutes(1));
}

#[tokio::test]
async fn sessions_end_twelve_hours_after_login_however_busy() {
    let (_t, svc, clock) = setup().await;
    let (token, _) = login(&svc, "admin", PASSWORD).await.unwrap();
    for _ in 0..(12 * 4 - 1) {
        clock.advance(TimeDelta::minutes(15));
        authenticate(&svc, &token).await.unwrap();
    }
    clock.advance(TimeDelta::minutes(15));
    assert!(matches!(authenticate(&svc, &token).await, Err(AccessError::Unauthenticated)));
}

#[tokio::test]
async fn logout_ends_the_session_and_is_idempotent() {
    let (_t, svc, _) = setup().await;
    let (token, _) = login(&svc, "admin", PASSWORD).await.unwrap();
    svc.logout(&Actor::system(), &token).await.unwrap();
    assert!(matches!(authenticate(&svc, &token).await, Err(AccessError::Unauthenticated)));
    svc.logout(&Actor::system(), &token).await.unwrap();
    svc.logout(&Actor::system(), "garbage").await.unwrap();
    assert!(matches!(authenticate(&svc, "garbage").await, Err(AccessError::Unauthenticated)));
}

#[tokio::test]
async fn create_user_checks_rules_permission_and_duplicates() {
    let (_t, svc, _) = setup().await;
    let admin = Actor::system();
    let new = |u: &str, p: &str| NewUser {
        username: u.into(),
        password: p.into(),
        employee_id: None,
        grants: vec![RoleGrant::builtin(Role::Recruiter, DataScope::All)],
    };

    let user = svc.create_user(&admin, new("li.si", PASSWORD)).await.unwrap();
    assert_eq!(user.grants, vec![RoleGrant::builtin(Role::Recruiter, DataScope::All)]);

    let err = svc.create_user(&admin, new("x", "short")).await.unwrap_err();
    let AccessError::Invalid(fields) = err else { panic!("{err:?}") };
    assert!(fields.0.contains_key("username") && fields.0.contains_key("password"));

    let err = svc.create_user(&admin, new("LI.SI", PASSWORD)).await.unwrap_err();
    assert!(matches!(err, AccessError::DuplicateUsername), "{err:?}");

    let employee = user.actor(svc.access_of(&user).await.unwrap());
    let err = svc.create_user(&employee, new("wang.wu", PASSWORD)).await.unwrap_err();
    assert!(matches!(err, AccessError::Forbidden(_)), "{err:?}");
    assert_eq!(svc.count_users().await.unwrap(), 2);
}
