//! `AccountStore` on both engines: the `users` and `sessions` tables. Roles are
//! kept as a comma-separated list of `Role::as_str()` codes (a handful per
//! account; issue 3 may move them to a table when scopes arrive). Instants are
//! compared in SQL only in `delete_expired_sessions`; on SQLite they are RFC 3339
//! text in UTC, whose lexical order is their time order.

use crate::db::is_unique_violation;
use crate::{SqlStore, on_db};
use async_trait::async_trait;
use bole_access::{AccessError, AccountStore, SessionRow, User};
use bole_core::{EmployeeId, Role, UserId};
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

fn roles_to_text(roles: &[Role]) -> String {
    roles.iter().map(Role::as_str).collect::<Vec<_>>().join(",")
}

/// Unknown codes are skipped rather than failing the read: an account written by a newer
/// version keeps working with the roles this version knows.
fn roles_from_text(text: &str) -> Vec<Role> {
    text.split(',').filter_map(|r| Role::parse(r.trim())).collect()
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    employee_id: Option<Uuid>,
    roles: String,
    disabled: bool,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: UserId(r.id),
            username: r.username,
            employee_id: r.employee_id.map(EmployeeId),
            roles: roles_from_text(&r.roles),
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
struct SessionJoinRow {
    #[sqlx(flatten)]
    user: UserRow,
    session_created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

const USER_COLS: &str = "u.id, u.username, u.employee_id, u.roles, u.disabled, u.created_at";

#[async_trait]
impl AccountStore for SqlStore {
    async fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), AccessError> {
        let roles = roles_to_text(&user.roles);
        let r = on_db!(&self.db, p => {
            sqlx::query("INSERT INTO users (id, username, password_hash, employee_id, roles, disabled, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                .bind(user.id.0)
                .bind(&user.username)
                .bind(password_hash)
                .bind(user.employee_id.map(|e| e.0))
                .bind(&roles)
                .bind(user.disabled)
                .bind(user.created_at)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        });
        match r {
            Ok(_) => Ok(()),
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

    async fn insert_session(
        &self,
        token_hash: &str,
        user: UserId,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), AccessError> {
        on_db!(&self.db, p => {
            sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ($1,$2,$3,$4,$3)")
                .bind(token_hash)
                .bind(user.0)
                .bind(created_at)
                .bind(expires_at)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, AccessError> {
        let sql = format!(
            "SELECT {USER_COLS}, s.created_at AS session_created_at, s.expires_at, s.last_seen_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
        );
        let row: Option<SessionJoinRow> = on_db!(&self.db, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(p).await
        })
        .map_err(st)?;
        Ok(row.map(|r| SessionRow {
            user: r.user.into(),
            created_at: r.session_created_at,
            expires_at: r.expires_at,
            last_seen_at: r.last_seen_at,
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

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, AccessError> {
        let n = on_db!(&self.db, p => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(st)?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_codes_are_skipped() {
        let roles = vec![Role::SystemAdmin, Role::Employee];
        assert_eq!(roles_to_text(&roles), "system_admin,employee");
        assert_eq!(roles_from_text("system_admin,employee"), roles);
        assert_eq!(roles_from_text("employee, auditor_from_the_future"), vec![Role::Employee]);
        assert_eq!(roles_from_text(""), Vec::<Role>::new());
    }
}
