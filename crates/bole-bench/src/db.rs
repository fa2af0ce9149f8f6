//! A fresh, migrated database per scenario run: a SQLite file in a temporary
//! directory, or a new PostgreSQL database on the server named by
//! `BOLE_TEST_PG_URL` (default: the local trust-auth server), dropped afterwards.

use bole_store::{Db, Engine};
use std::time::Duration;

pub type BenchError = Box<dyn std::error::Error + Send + Sync>;

pub struct Fresh {
    pub db: Db,
    pub engine: Engine,
    /// What `bole_app::Settings` needs to open the same database.
    pub settings: bole_app::Settings,
    dir: Option<tempfile::TempDir>,
    /// (admin URL, database name) to drop afterwards.
    pg: Option<(String, String)>,
}

impl std::fmt::Debug for Fresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fresh").field("engine", &self.engine).finish_non_exhaustive()
    }
}

impl Fresh {
    pub fn engine_name(&self) -> &'static str {
        engine_name(self.engine)
    }

    pub async fn sqlite() -> Result<Fresh, BenchError> {
        let dir = tempfile::Builder::new().prefix("bole-bench-").tempdir()?;
        let db = Db::open_dir(dir.path()).await?;
        bole_store::migrate::migrate(&db).await?;
        let settings =
            bole_app::Settings { data_dir: dir.path().to_path_buf(), database_url: None, ..Default::default() };
        Ok(Fresh { db, engine: Engine::Sqlite, settings, dir: Some(dir), pg: None })
    }

    /// `Ok(None)` when no PostgreSQL server answers within a few seconds.
    pub async fn postgres() -> Result<Option<Fresh>, BenchError> {
        let admin_url = bole_testkit::pg_admin_url();
        let admin = match tokio::time::timeout(Duration::from_secs(5), Db::connect(&admin_url)).await {
            Ok(Ok(db)) => db,
            _ => return Ok(None),
        };
        let Db::Postgres(pool) = &admin else { return Err("BOLE_TEST_PG_URL must be a postgres:// URL".into()) };
        let name = format!("bole_bench_{}", std::process::id());
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(pool).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(pool).await?;
        admin.close().await;
        let url = bole_testkit::pg_url_with_db(&admin_url, &name);
        let db = Db::connect(&url).await?;
        bole_store::migrate::migrate(&db).await?;
        let settings = bole_app::Settings { database_url: Some(bole_app::SecretUrl::new(url)), ..Default::default() };
        Ok(Some(Fresh { db, engine: Engine::Postgres, settings, dir: None, pg: Some((admin_url, name)) }))
    }

    /// Close the pool and leave the database in place (for inspection); says where it is.
    pub async fn keep(mut self) -> String {
        self.db.close().await;
        match (self.dir.take(), &self.pg) {
            (Some(dir), _) => dir.keep().display().to_string(),
            (None, Some((_, name))) => format!("PostgreSQL database {name}"),
            (None, None) => String::new(),
        }
    }

    /// Close the pool and remove the database (the temp directory goes with `self`).
    pub async fn remove(self) {
        self.db.close().await;
        if let Some((admin_url, name)) = &self.pg
            && let Ok(Db::Postgres(pool)) = Db::connect(admin_url).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&pool)
                .await;
            pool.close().await;
        }
        drop(self.dir);
    }
}

pub fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "SQLite",
        Engine::Postgres => "PostgreSQL",
    }
}
