//! Test support. Every store test gets its own fresh, migrated database on the
//! engine it asks for: a temporary SQLite file, or a new PostgreSQL database on
//! the server named by `BOLE_TEST_PG_URL` (default: the local trust-auth server).
//! PostgreSQL tests fail, never skip, when no server answers: `make test`
//! provides one (scripts/ensure-postgres.sh).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use bole_core::{Actor, FixedClock};
use bole_store::{Db, Engine, SqlStore};
use chrono::NaiveDate;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";

/// A migrated database that lives as long as the test.
pub struct TestDb {
    pub db: Db,
    pub store: Arc<SqlStore>,
    pub engine: Engine,
    _dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("engine", &self.engine).finish()
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn pg_admin_url() -> String {
    std::env::var("BOLE_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_string())
}

/// Replace the database name of a PostgreSQL URL.
pub fn pg_url_with_db(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    let q = query.unwrap_or("sslmode=disable");
    format!("{base}/{db}?{q}")
}

impl TestDb {
    pub async fn new(engine: Engine) -> TestDb {
        match engine {
            Engine::Sqlite => Self::sqlite().await,
            Engine::Postgres => Self::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Db::open_dir(dir.path()).await.expect("open sqlite");
        bole_store::migrate::migrate(&db).await.expect("migrate sqlite");
        TestDb { store: Arc::new(open_store(&db).await), db, engine: Engine::Sqlite, _dir: Some(dir) }
    }

    pub async fn postgres() -> TestDb {
        let admin_url = pg_admin_url();
        let admin = Db::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is required for this test and did not answer at BOLE_TEST_PG_URL ({e}); run scripts/ensure-postgres.sh or `make test`")
        });
        let Db::Postgres(pool) = &admin else { panic!("BOLE_TEST_PG_URL must be a postgres:// URL") };
        drop_stale_databases(pool).await;
        let name = format!(
            "bole_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            uuid::Uuid::now_v7().simple()
        );
        let name = &name[..name.len().min(60)];
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(pool)
            .await
            .expect("create test database");
        admin.close().await;
        let db = Db::connect(&pg_url_with_db(&admin_url, name)).await.expect("connect test database");
        bole_store::migrate::migrate(&db).await.expect("migrate postgres");
        TestDb { store: Arc::new(open_store(&db).await), db, engine: Engine::Postgres, _dir: None }
    }
}

/// The master key of every test database. Public on purpose: test data is not secret.
pub const TEST_MASTER_KEY: [u8; 32] = *b"bole-test-master-key-not-secret!";

pub fn test_master_key() -> bole_crypto::MasterKey {
    bole_crypto::MasterKey::from_bytes(TEST_MASTER_KEY)
}

/// The store over a migrated test database, its keys created under [`TEST_MASTER_KEY`].
pub async fn open_store(db: &Db) -> SqlStore {
    SqlStore::open(db.clone(), test_master_key()).await.expect("open store with the test master key")
}

/// Test databases carry the creating process id; drop those whose process is gone,
/// so repeated runs on one machine do not pile up databases.
async fn drop_stale_databases(pool: &sqlx::PgPool) {
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'bole_t_%'")
        .fetch_all(pool)
        .await
        .unwrap_or_default();
    for n in names {
        let pid = n.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && pid != std::process::id()
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)")))
                .execute(pool)
                .await;
        }
    }
}

/// Run each listed `async fn name(t: TestDb)` on SQLite and on PostgreSQL:
/// generates `name::sqlite` and `name::postgres` tests.
#[macro_export]
macro_rules! both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::TestDb::sqlite().await).await
            }
            #[tokio::test]
            async fn postgres() {
                super::$name($crate::TestDb::postgres().await).await
            }
        }
    )*};
}

pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

pub fn admin() -> Actor {
    Actor::system()
}

/// A clock pinned to a day, shared as the services expect.
pub fn clock_on(day: &str) -> Arc<FixedClock> {
    Arc::new(FixedClock::on(d(day)))
}
