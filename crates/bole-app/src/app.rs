//! The assembled application: one database pool, one `SqlStore`, every domain
//! service over it, and the HTTP router. [`services`] is the single place that
//! constructs services — a new domain adds one line there and one field to
//! `bole_http::Services`.

use crate::error::AppError;
use crate::settings::Settings;
use bole_core::clock::SharedClock;
use bole_store::{Db, Engine, SqlStore};
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A connected, migrated database with every service built over it.
pub struct App {
    pub db: Db,
    pub store: Arc<SqlStore>,
    pub services: bole_http::AppState,
    pub settings: Settings,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("engine", &self.db.engine())
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Connect (SQLite creates the data directory), apply pending migrations, build every service.
    pub async fn build(settings: Settings, clock: SharedClock) -> Result<App, AppError> {
        let db = connect(&settings).await?;
        migrate(&db).await?;
        let store = Arc::new(open_store(&settings, &db).await?);
        let audit_signer = crate::audit::load_signer(&settings, &store).await?;
        let services = services(&settings, &db, &store, clock, audit_signer);
        Ok(App { db, store, services, settings })
    }

    /// The full HTTP surface (API, docs, health) over this app's services.
    pub fn router(&self) -> axum::Router {
        let s = &self.settings;
        let edge = s.http.edge(&s.security, s.limits.json_body_bytes, s.limits.import_body_bytes);
        bole_http::router_with(self.services.clone(), edge)
    }

    /// Bind `listen` and serve until Ctrl-C or SIGTERM; in-flight requests finish first.
    /// With `[http.tls]` the listener speaks HTTPS (rustls) instead of HTTP.
    pub async fn serve(self, listen: SocketAddr) -> Result<(), AppError> {
        if let Some(tls) = self.settings.http.tls.clone() {
            let config = crate::tls::rustls_config(&tls).await?;
            let listener = std::net::TcpListener::bind(listen).map_err(|e| {
                AppError::failure(
                    format!("无法监听 {listen}：{e}（端口是否已被占用？）"),
                    format!("cannot listen on {listen}: {e} (is the port already in use?)"),
                )
            })?;
            return self.serve_tls_on(listener, config, shutdown_signal()).await;
        }
        let listener = TcpListener::bind(listen).await.map_err(|e| {
            AppError::failure(
                format!("无法监听 {listen}：{e}（端口是否已被占用？）"),
                format!("cannot listen on {listen}: {e} (is the port already in use?)"),
            )
        })?;
        self.serve_on(listener, shutdown_signal()).await
    }

    /// Serve on an already bound listener until `shutdown` completes (tests pass their own future).
    pub async fn serve_on(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        let local = listener.local_addr().map_err(|e| {
            AppError::failure(format!("无法读取监听地址：{e}"), format!("cannot read the listen address: {e}"))
        })?;
        tracing::info!(
            listen = %local,
            engine = ?self.db.engine(),
            database = %self.settings.database_label(),
            version = env!("CARGO_PKG_VERSION"),
            "bole is serving on http://{local}"
        );
        // ConnectInfo gives handlers the peer address (audit records "from where").
        let make = self.router().into_make_service_with_connect_info::<SocketAddr>();
        let jobs = self.spawn_jobs()?;
        let served = axum::serve(listener, make).with_graceful_shutdown(shutdown).await;
        jobs.iter().for_each(tokio::task::JoinHandle::abort);
        self.db.close().await;
        served.map_err(|e| {
            AppError::failure(format!("HTTP 服务异常退出：{e}"), format!("the HTTP server failed: {e}"))
        })?;
        tracing::info!("bole stopped");
        Ok(())
    }

    /// The background jobs of a serving node: signed audit checkpoints, approval reminders and
    /// escalations, and (when a channel is configured) email / group-bot deliveries. Each is
    /// idempotent, so several nodes running them at once only repeat no-ops.
    fn spawn_jobs(&self) -> Result<Vec<tokio::task::JoinHandle<()>>, AppError> {
        let s = &self.services;
        let mut jobs = vec![
            tokio::spawn(crate::audit::checkpoint_job(s.audit.clone())),
            tokio::spawn(approval_timers_job(s.workflow.clone(), s.clock.clone())),
        ];
        let notify = &self.settings.notify;
        if notify.has_channels() {
            let sender = Arc::new(crate::notify::NotifySender::from_config(notify, s.clock.clone())?);
            jobs.push(tokio::spawn(crate::notify::delivery_job(
                s.workflow.clone(),
                sender,
                s.clock.clone(),
                notify.delivery_interval(),
                notify.batch_size,
            )));
        }
        Ok(jobs)
    }

    /// Serve HTTPS on an already bound listener until `shutdown` completes; in-flight
    /// requests get 30 seconds to finish.
    pub async fn serve_tls_on(
        self,
        listener: std::net::TcpListener,
        config: crate::tls::RustlsConfig,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        let local = listener.local_addr().map_err(|e| {
            AppError::failure(format!("无法读取监听地址：{e}"), format!("cannot read the listen address: {e}"))
        })?;
        listener.set_nonblocking(true).map_err(|e| {
            AppError::failure(format!("无法设置监听套接字：{e}"), format!("cannot configure the listener: {e}"))
        })?;
        tracing::info!(
            listen = %local,
            engine = ?self.db.engine(),
            database = %self.settings.database_label(),
            version = env!("CARGO_PKG_VERSION"),
            "bole is serving on https://{local}"
        );
        let handle = axum_server::Handle::new();
        let stopper = handle.clone();
        tokio::spawn(async move {
            shutdown.await;
            stopper.graceful_shutdown(Some(std::time::Duration::from_secs(30)));
        });
        let make = self.router().into_make_service_with_connect_info::<SocketAddr>();
        let jobs = self.spawn_jobs()?;
        let served = match axum_server::from_tcp_rustls(listener, config) {
            Ok(server) => server.handle(handle).serve(make).await,
            Err(e) => Err(e),
        };
        jobs.iter().for_each(tokio::task::JoinHandle::abort);
        self.db.close().await;
        served.map_err(|e| {
            AppError::failure(format!("HTTPS 服务异常退出：{e}"), format!("the HTTPS server failed: {e}"))
        })?;
        tracing::info!("bole stopped");
        Ok(())
    }
}

/// Every service, over the one store. Add new domains here (and to `bole_http::Services`).
fn services(
    settings: &Settings,
    db: &Db,
    store: &Arc<SqlStore>,
    clock: SharedClock,
    audit_signer: bole_audit::Signer,
) -> bole_http::AppState {
    let idle = chrono::TimeDelta::minutes(i64::from(settings.session.idle_minutes));
    let absolute = chrono::TimeDelta::hours(i64::from(settings.session.absolute_hours));
    let people = bole_people::PeopleService::new(store.clone(), store.clone(), store.clone(), clock.clone());
    let subject = bole_http::subject::SubjectDataAdapter::new(people.clone(), store.clone(), clock.clone());
    let attendance = bole_time::attendance::AttendanceService::new(
        store.clone(),
        people.clone(),
        bole_org::OrgService::new(store.clone(), clock.clone()),
        store.clone(),
        clock.clone(),
    );
    // Leave, overtime and punch corrections commit approval decisions through their handlers.
    let calendars: Arc<dyn bole_time::absence::Calendars> = Arc::new(CompanyCalendars(attendance.clone()));
    let (workflow, absence) = bole_time::absence::wire(
        store.clone(),
        bole_workflow::WorkflowService::new(store.clone(), store.clone(), clock.clone())
            .with_routing(settings.notify.routing()),
        calendars.clone(),
        clock.clone(),
    );
    // Pay runs commit their approval decisions through the pay-run handler: the workflow returned
    // here has every handler, so it is the one the approval endpoints use.
    let ports = bole_payroll::PayrollPorts {
        store: store.clone(),
        people_store: store.clone(),
        people: people.clone(),
        attendance: attendance.clone(),
        calendars,
        audit: store.clone(),
        clock: clock.clone(),
    };
    let (workflow, payroll) = bole_payroll::wire(ports, workflow);
    let payroll = match bole_pdf::PdfPayslips::discover() {
        Ok(pdf) => payroll.with_renderer(Arc::new(pdf)),
        Err(e) => {
            tracing::warn!(error = %e, "payslip PDFs are unavailable (no CJK font found); JSON payslips still work");
            payroll
        }
    };
    Arc::new(bole_http::Services {
        org: bole_org::OrgService::new(store.clone(), clock.clone()),
        privacy: bole_privacy::PrivacyService::new(store.clone(), Arc::new(subject), store.clone(), clock.clone())
            .with_policy(settings.privacy.policy()),
        people,
        accounts: bole_access::AccountService::new(store.clone(), clock.clone())
            .with_session_lifetimes(idle, absolute)
            .with_policy(settings.security.policy())
            .with_audit(store.clone()),
        attendance,
        audit: crate::audit::service(settings, store, clock.clone(), audit_signer),
        workflow,
        absence,
        payroll,
        clock,
        ready: readiness(db.clone()),
    })
}

/// Leave durations count working days on the company's calendar: the national holidays with the
/// company's (and company-wide regional) layers from the attendance store on top.
struct CompanyCalendars(bole_time::attendance::AttendanceService);

#[async_trait::async_trait]
impl bole_time::absence::Calendars for CompanyCalendars {
    async fn calendar_for(
        &self,
        company: bole_core::CompanyId,
    ) -> Result<bole_time::WorkCalendar, bole_time::TimeError> {
        use bole_time::attendance::AttendanceError;
        match self.0.work_calendar(Some(company), None).await {
            Ok(c) => Ok(c),
            Err(AttendanceError::Time(e)) => Err(e),
            Err(other) => Err(bole_time::TimeError::CalendarData { problem: other.to_string() }),
        }
    }
}

/// Reminders and escalations of overdue approval tasks, once a minute.
async fn approval_timers_job(workflow: bole_workflow::WorkflowService, clock: SharedClock) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        match workflow.run_timers(clock.now()).await {
            Ok(r) if r.reminders + r.escalations > 0 => {
                tracing::info!(reminders = r.reminders, escalations = r.escalations, "approval timers");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "approval timers failed; retrying in a minute"),
        }
    }
}

/// `/readyz`: ready when the database answers `SELECT 1`.
fn readiness(db: Db) -> bole_http::ReadyCheck {
    bole_http::ready_check(move || {
        let db = db.clone();
        async move { ping(&db).await }
    })
}

/// True when the database answers `SELECT 1`.
pub async fn ping(db: &Db) -> bool {
    match db {
        Db::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.is_ok(),
        Db::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.is_ok(),
    }
}

/// Open the configured database: `<data_dir>/bole.db` by default (the directory is created),
/// or the configured URL. Errors name the engine and place, never the password.
pub async fn connect(settings: &Settings) -> Result<Db, AppError> {
    let label = settings.database_label();
    let opened = match &settings.database_url {
        None => Db::open_dir(&settings.data_dir).await,
        Some(url) => {
            if let Some(parent) = sqlite_parent(url.expose()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    AppError::failure(
                        format!("无法创建目录 {}：{e}", parent.display()),
                        format!("cannot create directory {}: {e}", parent.display()),
                    )
                })?;
            }
            Db::connect(url.expose()).await
        }
    };
    opened.map_err(|e| {
        let detail = scrub(&e.to_string(), settings.database_url.as_ref().map(|u| u.expose()));
        AppError::failure(
            format!("无法连接数据库 {label}：{detail}"),
            format!("cannot open the database {label}: {detail}"),
        )
    })
}

/// The store over a migrated database, with its field-encryption keys: the master key from
/// `BOLE_MASTER_KEY` or the key file ([`Settings::master_key_file`], created for a new
/// database), then any row still holding plaintext from before encryption is sealed.
pub async fn open_store(settings: &Settings, db: &Db) -> Result<SqlStore, AppError> {
    let path = settings.master_key_file();
    let failed = |e: bole_store::KeyError| {
        AppError::failure(format!("无法打开加密密钥：{e}"), format!("cannot open the encryption keys: {e}"))
    };
    let (store, origin) = SqlStore::open_with_key_file(db.clone(), &path).await.map_err(failed)?;
    match origin {
        bole_store::MasterKeyOrigin::Created => tracing::warn!(
            key.file = %path.display(),
            "created a new master key; back it up separately — without it the encrypted fields cannot be read"
        ),
        bole_store::MasterKeyOrigin::File => tracing::debug!(key.file = %path.display(), "master key from file"),
        bole_store::MasterKeyOrigin::Environment => tracing::debug!("master key from BOLE_MASTER_KEY"),
    }
    store.seal_legacy_rows().await.map_err(failed)?;
    Ok(store)
}

/// Apply pending migrations; returns the stems applied (empty = up to date).
pub async fn migrate(db: &Db) -> Result<Vec<&'static str>, AppError> {
    bole_store::migrate::migrate(db).await.map_err(|e| {
        let hint = match db.engine() {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        };
        AppError::failure(format!("数据库迁移失败（{hint}）：{e}"), format!("database migration failed ({hint}): {e}"))
    })
}

/// The directory holding a `sqlite://path/to/file.db` database, if it has one.
fn sqlite_parent(url: &str) -> Option<&Path> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Path::new(path).parent().filter(|p| !p.as_os_str().is_empty())
}

/// Driver messages are not promised to leave the URL out; make sure its password does not get through.
fn scrub(text: &str, url: Option<&str>) -> String {
    let password = url.and_then(|u| {
        let creds = &u[u.find("://")? + 3..u.rfind('@')?];
        creds.split_once(':').map(|(_, p)| p).filter(|p| !p.is_empty())
    });
    match password {
        Some(p) => text.replace(p, "***"),
        None => text.to_string(),
    }
}

/// Resolves on Ctrl-C, or on SIGTERM on Unix (what `docker stop` and systemd send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_parent_dirs() {
        assert_eq!(sqlite_parent("sqlite:///tmp/x/bole.db"), Some(Path::new("/tmp/x")));
        assert_eq!(sqlite_parent("sqlite://data/bole.db?mode=rwc"), Some(Path::new("data")));
        assert_eq!(sqlite_parent("sqlite::memory:"), None);
        assert_eq!(sqlite_parent("sqlite://bole.db"), None);
        assert_eq!(sqlite_parent("postgres://h/db"), None);
    }

    #[test]
    fn scrub_removes_the_password() {
        assert_eq!(scrub("bad password s3cret for hr", Some("postgres://hr:s3cret@h/db")), "bad password *** for hr");
        assert_eq!(scrub("plain", Some("postgres://hr@h/db")), "plain");
        assert_eq!(scrub("plain", None), "plain");
    }
}
