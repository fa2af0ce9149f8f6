//! `AccountStore` on both engines: the `users`, `sessions`, `custom_roles`,
//! `password_history`, `mfa_recovery_codes` and `api_tokens` tables. TOTP secrets
//! are sealed here (`users.mfa_secret`, one of `sealed::SEALED_FIELDS`, so key
//! rotation re-seals them); the domain only ever sees them opened. An account's grants are a JSON array in `users.grants` (a handful per
//! account, always read with the account); `users.roles` keeps the role codes for
//! accounts written before grants existed and for people reading the table. Instants are
//! compared in SQL only in `delete_expired_sessions`; on SQLite they are RFC 3339
//! text in UTC, whose lexical order is their time order.

use crate::db::is_unique_violation;
use crate::sealed::USER_MFA_SECRET;
use crate::{SqlStore, on_db, on_tx};
use async_trait::async_trait;
use bole_access::{
    AccessError, Account, AccountSecurity, AccountStore, ApiToken, ApiTokenId, CustomRole, NewSession, RoleGrant,
    SessionId, SessionRow, SessionView, User, policy,
};
use bole_core::{EmployeeId, Permission, Role, UserId};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Hands the service an error that says only "storage": the cause is logged once, by whoever
/// handles it (the HTTP layer for a 500). Row values never travel: a unique violation's
/// message can quote the username, so database errors are reduced to their SQLSTATE code.
fn st(e: sqlx::Error) -> AccessError {
    let what = match &e {
        sqlx::Error::Database(d) => d.code().map_or_else(|| "database error".into(), |c| format!("database error {c}")),
        other => other.to_string(),
    };
    AccessError::Storage(what)
}

/// Key problems reach the service as storage failures; their text names no secret.
fn key_err(e: crate::sealed::KeyError) -> AccessError {
    AccessError::Storage(format!("field encryption: {e}"))
}

fn roles_to_text(grants: &[RoleGrant]) -> String {
    grants.iter().map(|g| g.role.as_str()).collect::<Vec<_>>().join(",")
}

/// Unknown codes are skipped rather than failing the read: an account written by a newer
/// version keeps working with the roles this version knows.
fn roles_from_text(text: &str) -> Vec<Role> {
    text.split(',').filter_map(|r| Role::parse(r.trim())).collect()
}

/// The grants of a row: the JSON column, or for a legacy row its role codes with each
/// role's default scope. Unreadable JSON grants nothing (fail closed).
fn grants_from_row(grants: Option<&str>, roles: &str) -> Vec<RoleGrant> {
    match grants {
        Some(json) => serde_json::from_str(json).unwrap_or_default(),
        None => roles_from_text(roles).into_iter().map(|r| RoleGrant::builtin(r, policy::default_scope(r))).collect(),
    }
}

fn grants_to_json(grants: &[RoleGrant]) -> String {
    serde_json::to_string(grants).unwrap_or_else(|_| "[]".into())
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    employee_id: Option<Uuid>,
    roles: String,
    grants: Option<String>,
    disabled: bool,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: UserId(r.id),
            username: r.username,
            employee_id: r.employee_id.map(EmployeeId),
            grants: grants_from_row(r.grants.as_deref(), &r.roles),
            disabled: r.disabled,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct UserHashRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

#[derive(sqlx::FromRow)]
struct SecurityRow {
    password_changed_at: Option<DateTime<Utc>>,
    must_change_password: bool,
    failed_count: i32,
    first_failed_at: Option<DateTime<Utc>>,
    locked_until: Option<DateTime<Utc>>,
    mfa_enabled: bool,
}

impl From<SecurityRow> for AccountSecurity {
    fn from(r: SecurityRow) -> Self {
        AccountSecurity {
            password_changed_at: r.password_changed_at,
            must_change_password: r.must_change_password,
            failed_count: u32::try_from(r.failed_count).unwrap_or(0),
            first_failed_at: r.first_failed_at,
            locked_until: r.locked_until,
            mfa_enabled: r.mfa_enabled,
        }
    }
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    #[sqlx(flatten)]
    user: UserRow,
    #[sqlx(flatten)]
    security: SecurityRow,
    password_hash: String,
}

impl AccountRow {
    fn into_parts(self) -> (Account, String) {
        (Account { user: self.user.into(), security: self.security.into() }, self.password_hash)
    }
}

#[derive(sqlx::FromRow)]
struct SessionJoinRow {
    #[sqlx(flatten)]
    user: UserRow,
    #[sqlx(flatten)]
    security: SecurityRow,
    session_id: Uuid,
    session_created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    ip: Option<String>,
    user_agent: Option<String>,
    csrf_hash: Option<String>,
    mfa_pending: bool,
}

#[derive(sqlx::FromRow)]
struct SessionViewRow {
    id: Uuid,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    ip: Option<String>,
    user_agent: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ApiTokenRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    permissions: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(r: ApiTokenRow) -> Self {
        ApiToken {
            id: ApiTokenId(r.id),
            user_id: UserId(r.user_id),
            name: r.name,
            permissions: permissions_from_text(&r.permissions),
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

fn permissions_to_text(permissions: &[Permission]) -> String {
    permissions.iter().map(Permission::as_str).collect::<Vec<_>>().join(",")
}

/// Unknown codes are skipped: a token never gains a permission this version cannot name.
fn permissions_from_text(text: &str) -> Vec<Permission> {
    text.split(',').filter_map(|p| Permission::parse(p.trim())).collect()
}

const SECURITY_COLS: &str =
    "u.password_changed_at, u.must_change_password, u.failed_count, u.first_failed_at, u.locked_until, u.mfa_enabled";
const TOKEN_COLS: &str = "id, user_id, name, permissions, created_at, expires_at, last_used_at, revoked_at";

const USER_COLS: &str = "u.id, u.username, u.employee_id, u.roles, u.grants, u.disabled, u.created_at";

#[async_trait]
impl AccountStore for SqlStore {
    async fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), AccessError> {
        let roles = roles_to_text(&user.grants);
        let grants = grants_to_json(&user.grants);
        let mut tx = self.db.begin().await.map_err(st)?;
        let r: Result<(), sqlx::Error> = on_tx!(&mut tx, c => {
            async {
                sqlx::query("INSERT INTO users (id, username, password_hash, employee_id, roles, grants, disabled, created_at, password_changed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)")
                    .bind(user.id.0)
                    .bind(&user.username)
                    .bind(password_hash)
                    .bind(user.employee_id.map(|e| e.0))
                    .bind(&roles)
                    .bind(&grants)
                    .bind(user.disabled)
                    .bind(user.created_at)
                    .execute(&mut *c)
                    .await?;
                sqlx::query("INSERT INTO password_history (id, user_id, password_hash, set_at) VALUES ($1,$2,$3,$4)")
                    .bind(Uuid::now_v7())
                    .bind(user.id.0)
                    .bind(password_hash)
                    .bind(user.created_at)
                    .execute(&mut *c)
                    .await?;
                Ok(())
            }
            .await
        });
        match r {
            Ok(()) => tx.commit().await.map_err(st),
            Err(e) if is_unique_violation(&e) => Err(AccessError::DuplicateUsername),
            Err(e) => Err(st(e)),
        }
    }

    async fn user_with_hash(&self, username: &str) -> Result<Option<(User, String)>, AccessError> {
        let sql = format!("SELECT {USER_COLS}, u.password_hash FROM users u WHERE u.username = $1");
        let row: Option<UserHashRow> = on_db!(&self.db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(p).await
        })
        .map_err(st)?;
        Ok(row.map(|r| (r.user.into(), r.password_hash)))
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, AccessError> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1");
        let row: Option<UserRow> = on_db!(&self.db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await
        })
        .map_err(st)?;
        Ok(row.map(Into::into))
    }

    async fn count_users(&self) -> Result<u64, AccessError> {
        let n: i64 = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(p).await
        })
        .map_err(st)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn insert_session(&self, n: &NewSession) -> Result<(), AccessError> {
        on_db!(&self.db, p => {
            sqlx::query("INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, last_seen_at, ip, user_agent, csrf_hash, mfa_pending) VALUES ($1,$2,$3,$4,$5,$4,$6,$7,$8,$9)")
                .bind(n.id.0)
                .bind(&n.token_hash)
                .bind(n.user.0)
                .bind(n.created_at)
                .bind(n.expires_at)
                .bind(&n.ip)
                .bind(&n.user_agent)
                .bind(&n.csrf_hash)
                .bind(n.mfa_pending)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, AccessError> {
        let sql = format!(
            "SELECT {USER_COLS}, {SECURITY_COLS}, s.id AS session_id, s.created_at AS session_created_at, s.expires_at, \
             s.last_seen_at, s.ip, s.user_agent, s.csrf_hash, s.mfa_pending \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
        );
        let row: Option<SessionJoinRow> = on_db!(&self.db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(p).await
        })
        .map_err(st)?;
        Ok(row.map(|r| SessionRow {
            id: SessionId(r.session_id),
            user: r.user.into(),
            security: r.security.into(),
            created_at: r.session_created_at,
            expires_at: r.expires_at,
            last_seen_at: r.last_seen_at,
            ip: r.ip,
            user_agent: r.user_agent,
            csrf_hash: r.csrf_hash,
            mfa_pending: r.mfa_pending,
        }))
    }

    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), AccessError> {
        on_db!(&self.db, p => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(at).bind(token_hash).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), AccessError> {
        on_db!(&self.db, p => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(())
    }

    async fn set_grants(&self, user: UserId, grants: &[RoleGrant]) -> Result<(), AccessError> {
        let roles = roles_to_text(grants);
        let json = grants_to_json(grants);
        on_db!(&self.db, p => {
            sqlx::query("UPDATE users SET grants = $1, roles = $2 WHERE id = $3").bind(&json).bind(&roles).bind(user.0).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(())
    }

    async fn custom_roles(&self) -> Result<Vec<CustomRole>, AccessError> {
        let rows: Vec<(String, String, String, DateTime<Utc>)> = on_db!(&self.db, p => {
            sqlx::query_as("SELECT code, name, permissions, created_at FROM custom_roles ORDER BY code").fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|(code, name, perms, created_at)| CustomRole {
                code,
                name,
                permissions: perms.split(',').filter_map(|p| Permission::parse(p.trim())).collect(),
                created_at,
            })
            .collect())
    }

    async fn insert_custom_role(&self, role: &CustomRole) -> Result<(), AccessError> {
        let perms = role.permissions.iter().map(Permission::as_str).collect::<Vec<_>>().join(",");
        let r = on_db!(&self.db, p => {
            sqlx::query("INSERT INTO custom_roles (code, name, permissions, created_at) VALUES ($1,$2,$3,$4)")
                .bind(&role.code).bind(&role.name).bind(&perms).bind(role.created_at).execute(p).await.map(|r| r.rows_affected())
        });
        match r {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(AccessError::DuplicateRole),
            Err(e) => Err(st(e)),
        }
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, AccessError> {
        let n = on_db!(&self.db, p => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(n)
    }

    async fn account_with_hash(&self, username: &str) -> Result<Option<(Account, String)>, AccessError> {
        let sql = format!("SELECT {USER_COLS}, {SECURITY_COLS}, u.password_hash FROM users u WHERE u.username = $1");
        let row: Option<AccountRow> = on_db!(&self.db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(p).await
        })
        .map_err(st)?;
        Ok(row.map(AccountRow::into_parts))
    }

    async fn account(&self, id: UserId) -> Result<Option<(Account, String)>, AccessError> {
        let sql = format!("SELECT {USER_COLS}, {SECURITY_COLS}, u.password_hash FROM users u WHERE u.id = $1");
        let row: Option<AccountRow> = on_db!(&self.db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await
        })
        .map_err(st)?;
        Ok(row.map(AccountRow::into_parts))
    }

    async fn accounts(&self) -> Result<Vec<Account>, AccessError> {
        let sql = format!("SELECT {USER_COLS}, {SECURITY_COLS}, u.password_hash FROM users u ORDER BY u.username");
        let rows: Vec<AccountRow> = on_db!(&self.db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(|r| r.into_parts().0).collect())
    }

    async fn password_history(&self, user: UserId, limit: u32) -> Result<Vec<String>, AccessError> {
        on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY set_at DESC, id DESC LIMIT $2")
                .bind(user.0)
                .bind(i64::from(limit))
                .fetch_all(p)
                .await
        })
        .map_err(st)
    }

    async fn set_password(
        &self,
        user: UserId,
        hash: &str,
        at: DateTime<Utc>,
        must_change: bool,
        keep: u32,
    ) -> Result<(), AccessError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        on_tx!(&mut tx, c => {
            async {
                sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = $3, failed_count = 0, first_failed_at = NULL, locked_until = NULL WHERE id = $4")
                    .bind(hash)
                    .bind(at)
                    .bind(must_change)
                    .bind(user.0)
                    .execute(&mut *c)
                    .await?;
                sqlx::query("INSERT INTO password_history (id, user_id, password_hash, set_at) VALUES ($1,$2,$3,$4)")
                    .bind(Uuid::now_v7())
                    .bind(user.0)
                    .bind(hash)
                    .bind(at)
                    .execute(&mut *c)
                    .await?;
                sqlx::query("DELETE FROM password_history WHERE user_id = $1 AND id NOT IN (SELECT id FROM password_history WHERE user_id = $1 ORDER BY set_at DESC, id DESC LIMIT $2)")
                    .bind(user.0)
                    .bind(i64::from(keep.max(1)))
                    .execute(&mut *c)
                    .await?;
                Ok::<(), sqlx::Error>(())
            }
            .await
        })
        .map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn record_login_failure(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> Result<u32, AccessError> {
        // SET expressions all see the row as it was, so both CASEs agree on "new window".
        let n: Option<i32> = on_db!(&self.db, p => {
            sqlx::query_scalar(
                "UPDATE users SET \
                 failed_count = CASE WHEN first_failed_at IS NULL OR first_failed_at <= $2 THEN 1 ELSE failed_count + 1 END, \
                 first_failed_at = CASE WHEN first_failed_at IS NULL OR first_failed_at <= $2 THEN $1 ELSE first_failed_at END \
                 WHERE id = $3 RETURNING failed_count",
            )
            .bind(now)
            .bind(window_start)
            .bind(user.0)
            .fetch_optional(p)
            .await
        })
        .map_err(st)?;
        Ok(n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0))
    }

    async fn lock_account(&self, user: UserId, until: DateTime<Utc>) -> Result<(), AccessError> {
        on_db!(&self.db, p => {
            sqlx::query("UPDATE users SET locked_until = $1, failed_count = 0, first_failed_at = NULL WHERE id = $2")
                .bind(until).bind(user.0).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(())
    }

    async fn clear_login_failures(&self, user: UserId) -> Result<(), AccessError> {
        on_db!(&self.db, p => {
            sqlx::query("UPDATE users SET locked_until = NULL, failed_count = 0, first_failed_at = NULL WHERE id = $1")
                .bind(user.0).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(())
    }

    async fn set_disabled(&self, user: UserId, disabled: bool) -> Result<bool, AccessError> {
        let n = on_db!(&self.db, p => {
            sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2").bind(disabled).bind(user.0).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(n > 0)
    }

    async fn sessions_of(&self, user: UserId, now: DateTime<Utc>) -> Result<Vec<SessionView>, AccessError> {
        let rows: Vec<SessionViewRow> = on_db!(&self.db, p => {
            sqlx::query_as(
                "SELECT id, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions \
                 WHERE user_id = $1 AND mfa_pending = $2 AND expires_at > $3 ORDER BY created_at DESC, id DESC",
            )
            .bind(user.0)
            .bind(false)
            .bind(now)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|r| SessionView {
                id: SessionId(r.id),
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
                expires_at: r.expires_at,
                ip: r.ip,
                user_agent: r.user_agent,
                current: false,
            })
            .collect())
    }

    async fn delete_session_by_id(&self, user: UserId, id: SessionId) -> Result<bool, AccessError> {
        let n = on_db!(&self.db, p => {
            sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2").bind(id.0).bind(user.0).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(n > 0)
    }

    async fn delete_sessions_of(&self, user: UserId, keep: Option<SessionId>) -> Result<u64, AccessError> {
        let n = on_db!(&self.db, p => {
            match keep {
                Some(k) => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2").bind(user.0).bind(k.0).execute(p).await,
                None => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(p).await,
            }
            .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(n)
    }

    async fn insert_api_token(&self, t: &ApiToken, token_hash: &str) -> Result<(), AccessError> {
        on_db!(&self.db, p => {
            sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, permissions, created_at, expires_at, last_used_at, revoked_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
                .bind(t.id.0)
                .bind(t.user_id.0)
                .bind(&t.name)
                .bind(token_hash)
                .bind(permissions_to_text(&t.permissions))
                .bind(t.created_at)
                .bind(t.expires_at)
                .bind(t.last_used_at)
                .bind(t.revoked_at)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(())
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<(ApiToken, Account)>, AccessError> {
        let sql = format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1");
        let row: Option<ApiTokenRow> = on_db!(&self.db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(p).await
        })
        .map_err(st)?;
        let Some(token) = row.map(ApiToken::from) else {
            return Ok(None);
        };
        Ok(self.account(token.user_id).await?.map(|(account, _)| (token, account)))
    }

    async fn api_tokens_of(&self, user: UserId) -> Result<Vec<ApiToken>, AccessError> {
        let sql = format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC");
        let rows: Vec<ApiTokenRow> = on_db!(&self.db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user.0).fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn revoke_api_token(&self, user: UserId, id: ApiTokenId, at: DateTime<Utc>) -> Result<bool, AccessError> {
        let n = on_db!(&self.db, p => {
            sqlx::query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3")
                .bind(at).bind(id.0).bind(user.0).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(n > 0)
    }

    async fn touch_api_token(&self, id: ApiTokenId, at: DateTime<Utc>) -> Result<(), AccessError> {
        on_db!(&self.db, p => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(at).bind(id.0).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(())
    }

    async fn mfa_secret(&self, user: UserId) -> Result<Option<(Vec<u8>, bool, Option<i64>)>, AccessError> {
        let row: Option<(Option<Vec<u8>>, bool, Option<i64>)> = on_db!(&self.db, p => {
            sqlx::query_as("SELECT mfa_secret, mfa_enabled, last_totp_step FROM users WHERE id = $1").bind(user.0).fetch_optional(p).await
        })
        .map_err(st)?;
        let Some((Some(sealed), enabled, step)) = row else {
            return Ok(None);
        };
        let ring = self.ring_for([sealed.as_slice()]).await.map_err(key_err)?;
        let secret = ring.open(USER_MFA_SECRET.aad(user.0).as_bytes(), &sealed).map_err(|e| key_err(e.into()))?;
        Ok(Some((secret, enabled, step)))
    }

    async fn set_pending_mfa_secret(&self, user: UserId, secret: &[u8]) -> Result<(), AccessError> {
        let ring = self.sealing_ring().await.map_err(key_err)?;
        let sealed = ring.seal(USER_MFA_SECRET.aad(user.0).as_bytes(), secret).map_err(|e| key_err(e.into()))?;
        on_db!(&self.db, p => {
            sqlx::query("UPDATE users SET mfa_secret = $1, mfa_enabled = $2, last_totp_step = NULL WHERE id = $3")
                .bind(&sealed).bind(false).bind(user.0).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(())
    }

    async fn enable_mfa(&self, user: UserId, step: i64, recovery_hashes: &[String]) -> Result<(), AccessError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        on_tx!(&mut tx, c => {
            async {
                sqlx::query("UPDATE users SET mfa_enabled = $1, last_totp_step = $2 WHERE id = $3")
                    .bind(true).bind(step).bind(user.0).execute(&mut *c).await?;
                sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut *c).await?;
                for h in recovery_hashes {
                    sqlx::query("INSERT INTO mfa_recovery_codes (user_id, code_hash, used_at) VALUES ($1,$2,NULL)")
                        .bind(user.0).bind(h).execute(&mut *c).await?;
                }
                Ok::<(), sqlx::Error>(())
            }
            .await
        })
        .map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn disable_mfa(&self, user: UserId) -> Result<(), AccessError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        on_tx!(&mut tx, c => {
            async {
                sqlx::query("UPDATE users SET mfa_secret = NULL, mfa_enabled = $1, last_totp_step = NULL WHERE id = $2")
                    .bind(false).bind(user.0).execute(&mut *c).await?;
                sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut *c).await?;
                Ok::<(), sqlx::Error>(())
            }
            .await
        })
        .map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn advance_totp_step(&self, user: UserId, step: i64) -> Result<bool, AccessError> {
        let n = on_db!(&self.db, p => {
            sqlx::query("UPDATE users SET last_totp_step = $1 WHERE id = $2 AND mfa_enabled = $3 AND (last_totp_step IS NULL OR last_totp_step < $1)")
                .bind(step).bind(user.0).bind(true).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(n == 1)
    }

    async fn use_recovery_code(&self, user: UserId, code_hash: &str, at: DateTime<Utc>) -> Result<bool, AccessError> {
        let n = on_db!(&self.db, p => {
            sqlx::query("UPDATE mfa_recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
                .bind(at).bind(user.0).bind(code_hash).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(n == 1)
    }

    async fn unused_recovery_codes(&self, user: UserId) -> Result<u32, AccessError> {
        let n: i64 = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL").bind(user.0).fetch_one(p).await
        })
        .map_err(st)?;
        Ok(u32::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_codes_are_skipped() {
        let roles = vec![Role::SystemAdmin, Role::Employee];
        let grants: Vec<RoleGrant> = roles.iter().map(|r| RoleGrant::builtin(*r, policy::default_scope(*r))).collect();
        assert_eq!(roles_to_text(&grants), "system_admin,employee");
        assert_eq!(roles_from_text("system_admin,employee"), roles);
        assert_eq!(grants_from_row(None, "system_admin,employee"), grants);
        assert_eq!(grants_from_row(Some(&grants_to_json(&grants)), ""), grants);
        assert_eq!(grants_from_row(Some("not json"), "system_admin"), vec![], "unreadable grants grant nothing");
        assert_eq!(roles_from_text("employee, auditor_from_the_future"), vec![Role::Employee]);
        assert_eq!(roles_from_text(""), Vec::<Role>::new());
    }
}
