//! Forward-only schema migrations, embedded in the binary. Each engine has its
//! own SQL under `migrations/<engine>/` with identical file stems; a landed
//! migration is never edited (its checksum is recorded and re-checked).

use crate::db::{Db, Engine};
use crate::on_db;

pub struct Migration {
    pub stem: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($stem:literal) => {
        Migration {
            stem: $stem,
            sqlite: include_str!(concat!("../migrations/sqlite/", $stem, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $stem, ".sql")),
        }
    };
}

/// Every migration, in order. A test checks this list against the directories.
pub const MIGRATIONS: &[Migration] = &[
    migration!("0001_foundation"),
    migration!("0002_read_paths"),
    migration!("0003_roles"),
    migration!("0004_accounts"),
    migration!("0005_audit"),
    migration!("0006_privacy"),
    migration!("0007_encryption"),
    migration!("0008_attendance"),
    migration!("0009_workflow"),
    migration!("0010_absence"),
    migration!("0011_user_employee_index"),
    migration!("0012_payroll"),
];

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("migration {stem} was changed after it was applied; migrations are forward-only — add a new one instead")]
    Edited { stem: String },
    #[error("database is at migration {stem}, which this version of Bole does not know; upgrade Bole")]
    Unknown { stem: String },
    #[error("database error while migrating: {0}")]
    Db(#[from] sqlx::Error),
}

/// FNV-1a: stable across Rust versions, enough to notice an edited file.
fn checksum(sql: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sql.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Migration {
    pub fn sql(&self, engine: Engine) -> &'static str {
        match engine {
            Engine::Sqlite => self.sqlite,
            Engine::Postgres => self.postgres,
        }
    }
}

/// Apply every pending migration, each in its own transaction. Returns the stems applied.
pub async fn migrate(db: &Db) -> Result<Vec<&'static str>, MigrateError> {
    const CREATE: &str = "CREATE TABLE IF NOT EXISTS bole_migrations (stem TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)";
    let engine = db.engine();
    let applied: Vec<(String, String)> = on_db!(db, p => {
        sqlx::query(CREATE).execute(p).await?;
        sqlx::query_as("SELECT stem, checksum FROM bole_migrations ORDER BY stem").fetch_all(p).await?
    });
    for (stem, sum) in &applied {
        match MIGRATIONS.iter().find(|m| m.stem == stem) {
            None => return Err(MigrateError::Unknown { stem: stem.clone() }),
            Some(m) if checksum(m.sql(engine)) != *sum => return Err(MigrateError::Edited { stem: stem.clone() }),
            Some(_) => {}
        }
    }
    let mut done = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !applied.iter().any(|(s, _)| s == m.stem)) {
        let sql = m.sql(engine);
        on_db!(db, p => {
            let mut tx = p.begin().await?;
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO bole_migrations (stem, checksum, applied_at) VALUES ($1, $2, CURRENT_TIMESTAMP)")
                .bind(m.stem)
                .bind(checksum(sql))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        tracing::info!(migration.stem = m.stem, "applied migration");
        done.push(m.stem);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn stems(dir: &str) -> BTreeSet<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn both_engines_have_the_same_migration_stems_and_all_are_listed() {
        let sqlite = stems("sqlite");
        let postgres = stems("postgres");
        assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must have identical stems");
        let listed: BTreeSet<String> = MIGRATIONS.iter().map(|m| m.stem.to_string()).collect();
        assert_eq!(listed, sqlite, "every migration file must be listed in MIGRATIONS, in order");
        let order: Vec<&str> = MIGRATIONS.iter().map(|m| m.stem).collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
    }
}
