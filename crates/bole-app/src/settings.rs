//! Bole's settings: one typed, strict, self-documenting structure.
//!
//! Layers, later ones win (figment):
//! 1. built-in defaults ([`Settings::default`]);
//! 2. a TOML file: `--config FILE` if given (it must exist), otherwise `<data_dir>/bole.toml` if present;
//! 3. `BOLE_*` environment variables (see [`env_key`] for the names);
//! 4. command-line flags ([`Overrides`]).
//!
//! Unknown keys are rejected (`deny_unknown_fields`) so a typo is an error, not a silently ignored
//! setting. The database URL is a [`SecretUrl`]: `Debug`, `Display` and `Serialize` show it with the
//! password replaced by `***`. `bole config default` prints [`Settings::default_toml`], and a test keeps
//! that sample, the defaults and `bole.toml.example` at the repository root in step.

use crate::error::AppError;
use bole_store::db::redact_url;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::value::{Dict, Map};
use figment::{Figment, Metadata, Profile, Provider};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::{Path, PathBuf};

/// Name of the settings file looked up inside the data directory.
pub const CONFIG_FILE_NAME: &str = "bole.toml";
pub const DEFAULT_DATA_DIR: &str = "./bole-data";
/// Name of the audit signing key file looked up inside the data directory.
pub const AUDIT_KEY_FILE_NAME: &str = "audit-signing.key";
/// Name of the master key file looked up inside the data directory.
pub const MASTER_KEY_FILE_NAME: &str = "master.key";
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));
/// China Standard Time. China has observed no daylight saving time since 1991, so a fixed offset is exact.
pub const DEFAULT_TIMEZONE_OFFSET_HOURS: i8 = 8;
pub const DEFAULT_LOG_LEVEL: &str = "info";
pub const DEFAULT_IDLE_MINUTES: u32 = 30;
pub const DEFAULT_ABSOLUTE_HOURS: u32 = 12;
pub const DEFAULT_JSON_BODY_BYTES: u64 = 1024 * 1024;
pub const DEFAULT_IMPORT_BODY_BYTES: u64 = 32 * 1024 * 1024;
pub const DEFAULT_AUDIT_RETENTION_DAYS: u32 = bole_audit::DEFAULT_RETENTION_DAYS;
pub const DEFAULT_AUDIT_CHECKPOINT_EVERY: u32 = bole_audit::DEFAULT_CHECKPOINT_EVERY;
pub const DEFAULT_REQUEST_DUE_DAYS: u32 = bole_privacy::rules::DEFAULT_DUE_DAYS;
pub const DEFAULT_CONTRACT_RETENTION_YEARS: u32 = bole_privacy::rules::DEFAULT_CONTRACT_RETENTION_YEARS;
pub const DEFAULT_WAGE_RETENTION_YEARS: u32 = bole_privacy::rules::DEFAULT_WAGE_RETENTION_YEARS;

/// Everything `bole` can be configured with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where the SQLite database, search index and uploads live.
    pub data_dir: PathBuf,
    /// `None`: SQLite at `<data_dir>/bole.db`. `postgres://…`: PostgreSQL. `sqlite://…`: that SQLite file.
    #[serde(deserialize_with = "de_database_url", skip_serializing_if = "Option::is_none")]
    pub database_url: Option<SecretUrl>,
    /// HTTP listen address, `IP:port`.
    #[serde(deserialize_with = "de_listen")]
    pub listen: SocketAddr,
    /// The organisation's offset from UTC in whole hours; "today" is computed in this zone.
    pub timezone_offset_hours: i8,
    pub log: LogSettings,
    pub session: SessionSettings,
    pub limits: Limits,
    pub privacy: PrivacySettings,
    pub crypto: CryptoSettings,
    pub audit: AuditSettings,
    pub security: crate::security::SecuritySettings,
    pub http: crate::security::HttpConfig,
    /// Email and group-bot notifications (`[notify]`, see `crate::notify`).
    pub notify: crate::notify::NotifyConfig,
}

/// The audit trail (审计日志): retention and SM2-signed checkpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSettings {
    /// Audit records are kept at least this many days; a purge of younger ones is refused.
    /// 180 is also the floor (网络安全法 第二十一条: network logs at least six months).
    pub retention_days: u32,
    /// A signed checkpoint every this many records.
    pub checkpoint_every: u32,
    /// The SM2 key that signs checkpoints. Unset: `<data_dir>/audit-signing.key`, created
    /// (mode 0600) while the trail has no checkpoint yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_key_file: Option<PathBuf>,
    /// More public keys (hex SEC1) whose checkpoint signatures verification accepts, e.g. the
    /// key used before the current one.
    pub trusted_public_keys: Vec<String>,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            retention_days: bole_audit::DEFAULT_RETENTION_DAYS,
            checkpoint_every: bole_audit::DEFAULT_CHECKPOINT_EVERY,
            signing_key_file: None,
            trusted_public_keys: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// A `tracing_subscriber::EnvFilter` directive, e.g. `info` or `info,bole_store=debug`.
    pub level: String,
    pub format: LogFormat,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Pretty,
    /// One JSON object per line, event fields at the top level.
    Json,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionSettings {
    /// A session unused for this long ends.
    pub idle_minutes: u32,
    /// A session ends this long after sign-in, however busy.
    pub absolute_hours: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest accepted JSON request body.
    pub json_body_bytes: u64,
    /// Largest accepted import upload (Excel/CSV).
    pub import_body_bytes: u64,
}

/// Field encryption at rest: where the master key that wraps the data keys comes from.
/// `BOLE_MASTER_KEY` (the key itself, 64 hex characters) wins over any file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CryptoSettings {
    /// The master key file. Unset: `<data_dir>/master.key`, created (mode 0600) on the first
    /// start of a new database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_key_file: Option<PathBuf>,
}

/// PIPL rights (个人信息保护): request due dates and legal retention periods.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySettings {
    /// Days to answer a data-subject request (办理期限).
    pub request_due_days: u32,
    /// Count those days Monday–Friday only instead of calendar days.
    pub due_in_working_days: bool,
    /// Years an ended labour contract is kept (《劳动合同法》第五十条: at least 2).
    pub contract_retention_years: u32,
    /// Years wage payment records are kept (《工资支付暂行规定》第六条: at least 2).
    pub wage_retention_years: u32,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self {
            request_due_days: DEFAULT_REQUEST_DUE_DAYS,
            due_in_working_days: false,
            contract_retention_years: DEFAULT_CONTRACT_RETENTION_YEARS,
            wage_retention_years: DEFAULT_WAGE_RETENTION_YEARS,
        }
    }
}

impl PrivacySettings {
    /// The rules the privacy service applies.
    pub fn policy(&self) -> bole_privacy::PrivacyPolicy {
        bole_privacy::PrivacyPolicy::new(
            bole_privacy::DueRule { days: self.request_due_days, working_days: self.due_in_working_days },
            self.contract_retention_years,
            self.wage_retention_years,
        )
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database_url: None,
            listen: DEFAULT_LISTEN,
            timezone_offset_hours: DEFAULT_TIMEZONE_OFFSET_HOURS,
            log: LogSettings::default(),
            session: SessionSettings::default(),
            limits: Limits::default(),
            privacy: PrivacySettings::default(),
            crypto: CryptoSettings::default(),
            audit: AuditSettings::default(),
            security: crate::security::SecuritySettings::default(),
            http: crate::security::HttpConfig::default(),
            notify: crate::notify::NotifyConfig::default(),
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        Self { level: DEFAULT_LOG_LEVEL.into(), format: LogFormat::Pretty }
    }
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self { idle_minutes: DEFAULT_IDLE_MINUTES, absolute_hours: DEFAULT_ABSOLUTE_HOURS }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self { json_body_bytes: DEFAULT_JSON_BODY_BYTES, import_body_bytes: DEFAULT_IMPORT_BODY_BYTES }
    }
}

/// A connection URL that may carry a password. It is shown only redacted
/// (`postgres://hr:***@host/db`); [`SecretUrl::expose`] is for the driver alone.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The real URL, password included. Pass it to the database driver and nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn redacted(&self) -> String {
        redact_url(&self.0)
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({:?})", self.redacted())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Serialises redacted: a serialised `Settings` is for showing, never for connecting.
impl Serialize for SecretUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

/// An empty string means "not set" (so `BOLE_DATABASE_URL=` falls back to SQLite). Errors never echo
/// the value, which may hold a password.
fn de_database_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretUrl>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    Ok(raw.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).map(SecretUrl))
}

fn de_listen<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let raw = String::deserialize(d)?;
    raw.trim().parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "listen address `{raw}` is not IP:port (e.g. 127.0.0.1:8080, or 0.0.0.0:8080 for every interface)"
        ))
    })
}

/// What the command line says; each `Some` beats the file and the environment.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--config FILE`: read this file instead of `<data_dir>/bole.toml`.
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<SecretUrl>,
    /// Raw text, so a bad value gets the same error as one from the file or the environment.
    pub listen: Option<String>,
}

const ENV_SOURCE: &str = "environment variable";
const FLAGS_SOURCE: &str = "command-line flags";

/// The flags as a figment provider, named so errors say where a bad value came from.
#[derive(Serialize)]
struct Flags<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<&'a Path>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<&'a str>,
}

impl Provider for Flags<'_> {
    fn metadata(&self) -> Metadata {
        Metadata::named(FLAGS_SOURCE)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Serialized::defaults(self).data()
    }
}

/// The `BOLE_*` variables as a provider whose errors name the real variable (`BOLE_LISTEN`), not
/// figment's default rendering of the key.
struct BoleEnv(Env);

impl Provider for BoleEnv {
    fn metadata(&self) -> Metadata {
        Metadata::named(ENV_SOURCE).interpolater(|_: &Profile, path: &[&str]| env_name(path))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        self.0.data()
    }
}

/// The inverse of [`env_key`]: the variable that sets a key path.
fn env_name(path: &[&str]) -> String {
    match path {
        ["log", "level"] => "BOLE_LOG".into(),
        ["log", "format"] => "BOLE_LOG_FORMAT".into(),
        _ => format!("BOLE_{}", path.join("__").to_ascii_uppercase()),
    }
}

/// Map an environment variable name to a settings key, or `None` to ignore it.
///
/// The documented names are `BOLE_DATA_DIR`, `BOLE_DATABASE_URL`, `BOLE_LISTEN`,
/// `BOLE_TIMEZONE_OFFSET_HOURS`, `BOLE_LOG` (→ `log.level`) and `BOLE_LOG_FORMAT` (→ `log.format`);
/// any nested key can be set with a double underscore (`BOLE_SESSION__IDLE_MINUTES=15`). Other `BOLE_*`
/// variables belong to commands or tests (`BOLE_ADMIN_PASSWORD`, `BOLE_TEST_PG_URL`) and are skipped, so
/// strictness about unknown keys applies to what is meant as configuration only.
pub fn env_key(name: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    let rest = upper.strip_prefix("BOLE_")?;
    match rest {
        "LOG" => Some("log.level".into()),
        "LOG_FORMAT" => Some("log.format".into()),
        "DATA_DIR" | "DATABASE_URL" | "LISTEN" | "TIMEZONE_OFFSET_HOURS" => Some(rest.to_ascii_lowercase()),
        _ if rest.contains("__") => Some(rest.to_ascii_lowercase().replace("__", ".")),
        _ => None,
    }
}

impl Settings {
    /// Defaults → file → `BOLE_*` environment → flags, then [`Settings::validate`].
    pub fn load(overrides: &Overrides) -> Result<Settings, AppError> {
        Settings::from_figment(Settings::figment(overrides)?)
    }

    /// The layered sources, before extraction. Fails only when `--config FILE` does not exist.
    pub fn figment(overrides: &Overrides) -> Result<Figment, AppError> {
        let env = BoleEnv(Env::raw().filter_map(|name| env_key(name.as_str()).map(Into::into)));
        let flags = Flags {
            data_dir: overrides.data_dir.as_deref(),
            database_url: overrides.database_url.as_ref().map(SecretUrl::expose),
            listen: overrides.listen.as_deref(),
        };
        let mut figment = Figment::new();
        if let Some(file) = &overrides.config_file {
            if !file.is_file() {
                return Err(AppError::config(
                    format!("找不到配置文件 {}", file.display()),
                    format!("config file {} does not exist", file.display()),
                ));
            }
            figment = figment.merge(Toml::file_exact(file));
        } else {
            // The data directory cannot come from the file that lives inside it: flags, then the
            // environment, then the default decide where to look.
            let data_dir = overrides
                .data_dir
                .clone()
                .or_else(|| std::env::var_os("BOLE_DATA_DIR").filter(|v| !v.is_empty()).map(PathBuf::from))
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
            let file = data_dir.join(CONFIG_FILE_NAME);
            if file.is_file() {
                // Pin data_dir to where the file was found, so a stray `data_dir` inside it cannot
                // send the database somewhere other than next to its own settings.
                figment = figment.merge(Toml::file_exact(&file)).merge(Serialized::global("data_dir", &data_dir));
            }
        }
        Ok(figment.merge(env).merge(flags))
    }

    /// Extract and validate. Every problem is reported, not just the first.
    pub fn from_figment(figment: Figment) -> Result<Settings, AppError> {
        let settings: Settings = figment.extract().map_err(|e| {
            let (zh, en): (Vec<String>, Vec<String>) = e.into_iter().map(|e| describe(&e)).unzip();
            AppError::config(
                format!("配置有误：{}", zh.join("；")),
                format!("invalid configuration: {}", en.join("; ")),
            )
        })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks serde cannot express. Called by [`Settings::load`]; call it after building a value by hand.
    pub fn validate(&self) -> Result<(), AppError> {
        let mut zh = Vec::new();
        let mut en = Vec::new();
        if let Some(url) = &self.database_url {
            let u = url.expose();
            if !(u.starts_with("sqlite:") || u.starts_with("postgres://") || u.starts_with("postgresql://")) {
                zh.push(format!("不支持的数据库连接串“{url}”：请使用 sqlite:// 或 postgres:// 开头的地址"));
                en.push(format!("unsupported database URL scheme in `{url}`: use sqlite:// or postgres://"));
            }
        }
        if !(-12..=14).contains(&self.timezone_offset_hours) {
            zh.push(format!("时区偏移 timezone_offset_hours = {} 超出范围（-12 到 14）", self.timezone_offset_hours));
            en.push(format!("timezone_offset_hours = {} is outside -12..=14", self.timezone_offset_hours));
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            zh.push(format!(
                "日志级别 log.level = “{}” 无法识别（例如 info 或 info,bole_store=debug）",
                self.log.level
            ));
            en.push(format!("log.level = `{}` is not a valid filter ({e})", self.log.level));
        }
        if self.session.idle_minutes == 0 || self.session.absolute_hours == 0 {
            zh.push("会话超时 session.idle_minutes 与 session.absolute_hours 必须大于 0".into());
            en.push("session.idle_minutes and session.absolute_hours must be greater than 0".into());
        } else if u64::from(self.session.idle_minutes) > u64::from(self.session.absolute_hours) * 60 {
            zh.push("会话空闲超时 session.idle_minutes 不能长于绝对有效期 session.absolute_hours".into());
            en.push("session.idle_minutes must not exceed session.absolute_hours".into());
        }
        if self.limits.json_body_bytes == 0 || self.limits.import_body_bytes == 0 {
            zh.push("请求体上限 limits.* 必须大于 0".into());
            en.push("limits.json_body_bytes and limits.import_body_bytes must be greater than 0".into());
        }
        let p = &self.privacy;
        if !(1..=365).contains(&p.request_due_days) {
            zh.push(format!(
                "个人信息权利请求办理期限 privacy.request_due_days = {} 须在 1 到 365 之间",
                p.request_due_days
            ));
            en.push(format!("privacy.request_due_days = {} is outside 1..=365", p.request_due_days));
        }
        for (key, years) in
            [("contract_retention_years", p.contract_retention_years), ("wage_retention_years", p.wage_retention_years)]
        {
            if !(2..=100).contains(&years) {
                zh.push(format!("保存年限 privacy.{key} = {years} 须在 2（法定最低）到 100 之间"));
                en.push(format!("privacy.{key} = {years} is outside 2 (the legal minimum)..=100"));
            }
        }
        let a = &self.audit;
        if !(bole_audit::DEFAULT_RETENTION_DAYS..=36_500).contains(&a.retention_days) {
            zh.push(format!(
                "审计记录保存天数 audit.retention_days = {} 须在 180（法定最低六个月）到 36500 之间",
                a.retention_days
            ));
            en.push(format!("audit.retention_days = {} is outside 180 (the legal minimum)..=36500", a.retention_days));
        }
        if !(1..=1_000_000).contains(&a.checkpoint_every) {
            zh.push(format!("审计检查点间隔 audit.checkpoint_every = {} 须在 1 到 1000000 之间", a.checkpoint_every));
            en.push(format!("audit.checkpoint_every = {} is outside 1..=1000000", a.checkpoint_every));
        }
        for key in &a.trusted_public_keys {
            let k = key.trim();
            if k.len() != 130 || !k.starts_with("04") || !k.chars().all(|c| c.is_ascii_hexdigit()) {
                zh.push("audit.trusted_public_keys 中的公钥须为 130 位十六进制（以 04 开头的 SM2 公钥）".into());
                en.push(
                    "audit.trusted_public_keys must hold SM2 public keys as 130 hex digits starting with 04".into(),
                );
                break;
            }
        }
        self.security.check(&mut zh, &mut en);
        self.http.check(&mut zh, &mut en);
        self.notify.check(&mut zh, &mut en);
        if zh.is_empty() {
            Ok(())
        } else {
            Err(AppError::config(
                format!("配置有误：{}", zh.join("；")),
                format!("invalid configuration: {}", en.join("; ")),
            ))
        }
    }

    /// The audit signing key file: `audit.signing_key_file`, or `<data_dir>/audit-signing.key`.
    pub fn audit_signing_key_file(&self) -> PathBuf {
        self.audit.signing_key_file.clone().unwrap_or_else(|| self.data_dir.join(AUDIT_KEY_FILE_NAME))
    }

    /// The master key file: `crypto.master_key_file`, or `<data_dir>/master.key`.
    pub fn master_key_file(&self) -> PathBuf {
        self.crypto.master_key_file.clone().unwrap_or_else(|| self.data_dir.join(MASTER_KEY_FILE_NAME))
    }

    /// The organisation's time zone as a fixed offset.
    pub fn utc_offset(&self) -> chrono::FixedOffset {
        chrono::FixedOffset::east_opt(i32::from(self.timezone_offset_hours) * 3600)
            .unwrap_or_else(bole_core::clock::china_offset)
    }

    /// Which engine and where, safe to log: `SQLite ./bole-data/bole.db` or `PostgreSQL postgres://u:***@h/db`.
    pub fn database_label(&self) -> String {
        match &self.database_url {
            None => format!("SQLite {}", self.data_dir.join("bole.db").display()),
            Some(url) if url.expose().starts_with("sqlite:") => format!("SQLite {url}"),
            Some(url) => format!("PostgreSQL {url}"),
        }
    }

    /// The commented sample printed by `bole config default` and kept as `bole.toml.example`.
    /// Every key appears with its default; a test parses it back into [`Settings::default`].
    pub fn default_toml() -> String {
        format!(
            r#"# 伯乐 Bole 配置文件 / configuration file
#
# 读取顺序，后者覆盖前者 / layers, later ones win:
#   内置默认值 built-in defaults
#   → 本文件 this file: --config FILE，否则 <data_dir>/{CONFIG_FILE_NAME} / otherwise <data_dir>/{CONFIG_FILE_NAME}
#   → 环境变量 environment: BOLE_DATA_DIR, BOLE_DATABASE_URL, BOLE_LISTEN, BOLE_TIMEZONE_OFFSET_HOURS,
#     BOLE_LOG, BOLE_LOG_FORMAT；其余键用双下划线 other keys with a double underscore,
#     例如 e.g. BOLE_SESSION__IDLE_MINUTES=15
#   → 命令行参数 command-line flags: --data-dir, --database-url, serve --listen
# 未知的键会报错，不会被忽略 / unknown keys are an error, never ignored.

# 数据目录：SQLite 数据库、搜索索引与上传文件存放于此。放在数据目录中的本文件不能改变它。
# Data directory: the SQLite database, search index and uploads. A {CONFIG_FILE_NAME} inside the data
# directory cannot move it; set it here only in a file passed with --config.
data_dir = "{DEFAULT_DATA_DIR}"

# 数据库连接串。不设置时使用数据目录中的 SQLite（<data_dir>/bole.db）；postgres:// 地址使用 PostgreSQL
# （本机 PostgreSQL 请加 sslmode=disable）。密码不会出现在日志中。
# Database URL. Unset: SQLite at <data_dir>/bole.db; a postgres:// URL selects PostgreSQL (add
# sslmode=disable for a local server). The password never appears in logs.
# database_url = "postgres://bole:password@127.0.0.1:5432/bole?sslmode=disable"

# HTTP 监听地址（IP:端口）；0.0.0.0:8080 监听所有网卡。
# HTTP listen address (IP:port); 0.0.0.0:8080 listens on every interface.
listen = "{DEFAULT_LISTEN}"

# 组织所在时区相对 UTC 的小时数，用于计算“今天”；8 = 北京时间（中国不实行夏令时）。
# The organisation's offset from UTC in hours, used for "today"; 8 = China Standard Time (no DST).
timezone_offset_hours = {DEFAULT_TIMEZONE_OFFSET_HOURS}

[log]
# 日志级别（tracing EnvFilter 语法），例如 "info" 或 "info,bole_store=debug"。
# Log level in tracing EnvFilter syntax, e.g. "info" or "info,bole_store=debug".
level = "{DEFAULT_LOG_LEVEL}"
# 日志格式：pretty（便于阅读）或 json（便于日志平台采集）。日志写到标准错误。
# Log format: pretty (for people) or json (for log collectors). Logs go to standard error.
format = "pretty"

[session]
# 会话空闲超时（分钟）：超过此时间未操作须重新登录。
# Idle timeout in minutes: a session unused this long ends.
idle_minutes = {DEFAULT_IDLE_MINUTES}
# 会话绝对有效期（小时）：登录后超过此时间须重新登录。
# Absolute session lifetime in hours: sign in again after this long, however busy.
absolute_hours = {DEFAULT_ABSOLUTE_HOURS}

[limits]
# JSON 请求体上限（字节），默认 1 MiB。
# Largest JSON request body in bytes (1 MiB).
json_body_bytes = {DEFAULT_JSON_BODY_BYTES}
# 导入文件（Excel/CSV）上传上限（字节），默认 32 MiB。
# Largest import upload (Excel/CSV) in bytes (32 MiB).
import_body_bytes = {DEFAULT_IMPORT_BODY_BYTES}

[audit]
# 审计记录至少保存的天数；清除更新的记录会被拒绝。最低 180 天（《网络安全法》第二十一条：网络日志不少于六个月）。
# Days audit records are kept at least; purging younger ones is refused. At least 180 (six months by law).
retention_days = {DEFAULT_AUDIT_RETENTION_DAYS}
# 每隔多少条审计记录生成一个 SM2 签名检查点（另可用 `bole audit checkpoint` 随时生成）。
# A signed checkpoint every this many audit records (or on demand: `bole audit checkpoint`).
checkpoint_every = {DEFAULT_AUDIT_CHECKPOINT_EVERY}
# 签名检查点的 SM2 私钥文件。不设置时为 <data_dir>/{AUDIT_KEY_FILE_NAME}，尚无检查点时自动生成（仅所有者可读）。
# 请单独备份：检查点只能用它（或下面信任的公钥）校验。
# The SM2 key file that signs checkpoints. Unset: <data_dir>/{AUDIT_KEY_FILE_NAME}, created (owner-only) while the
# trail has no checkpoint. Back it up separately: checkpoints verify only with it (or a key trusted below).
# signing_key_file = "/etc/bole/audit-signing.key"
# 另外信任的签名公钥（130 位十六进制），例如更换密钥前使用的公钥。
# Further trusted public keys (130 hex digits), e.g. the key used before the current one.
trusted_public_keys = []

[privacy]
# 个人信息权利请求（查阅复制、更正、删除、撤回同意）的办理期限（天）。
# Days to answer a data-subject request (access/copy, correction, deletion, consent withdrawal).
request_due_days = {DEFAULT_REQUEST_DUE_DAYS}
# 为 true 时按工作日（周一至周五，不考虑法定节假日调休）计算办理期限。
# When true the days count Monday–Friday only (public holidays are not known).
due_in_working_days = false
# 已解除或终止的劳动合同文本保存年限（《劳动合同法》第五十条：至少二年）。
# Years an ended labour contract is kept (Labour Contract Law art. 50: at least 2).
contract_retention_years = {DEFAULT_CONTRACT_RETENTION_YEARS}
# 工资支付记录保存年限（《工资支付暂行规定》第六条：至少二年）。
# Years wage payment records are kept (Provisional Regulations on Wage Payment art. 6: at least 2).
wage_retention_years = {DEFAULT_WAGE_RETENTION_YEARS}

[crypto]
# 主密钥文件（64 位十六进制），用于包装加密个人敏感信息的数据密钥（SM4-GCM）。不设置时为
# <data_dir>/{MASTER_KEY_FILE_NAME}，新数据库首次启动时自动生成（仅所有者可读）。环境变量 BOLE_MASTER_KEY
# （密钥本身）优先于任何文件。请单独备份主密钥：丢失后加密字段无法恢复。
# Master key file (64 hex characters) wrapping the data keys that seal personal data (SM4-GCM).
# Unset: <data_dir>/{MASTER_KEY_FILE_NAME}, created (owner-only) on a new database's first start.
# BOLE_MASTER_KEY (the key itself) wins over any file. Back the key up separately: without it
# the sealed fields cannot be recovered.
# master_key_file = "/etc/bole/master.key"
"#
        ) + crate::security::sample().as_str()
            + crate::notify::sample().as_str()
    }
}

/// One figment error in both languages. The English line is figment's own (key and source included);
/// the Chinese line names the key and the source and, for the keys people get wrong most, the fix.
fn describe(e: &figment::Error) -> (String, String) {
    let key = e.path.join(".");
    let path: Vec<&str> = e.path.iter().map(String::as_str).collect();
    let source = match &e.metadata {
        Some(m) => match &m.source {
            Some(figment::Source::File(file)) => format!("配置文件 {}", file.display()),
            _ if m.name == ENV_SOURCE => format!("环境变量 {}", env_name(&path)),
            _ if m.name == FLAGS_SOURCE => "命令行参数".into(),
            _ => m.name.to_string(),
        },
        None => "未知".into(),
    };
    let zh = match &e.kind {
        // The path already ends with the unknown field's name.
        figment::error::Kind::UnknownField(..) => {
            format!("未知的配置项“{key}”，来源：{source}。请对照 `bole config default` 的示例")
        }
        _ => {
            let hint = match key.as_str() {
                "listen" => "，应为 IP:端口，例如 127.0.0.1:8080",
                "log.format" => "，只能是 pretty 或 json",
                "data_dir" | "database_url" | "log.level" => "，应为字符串",
                "timezone_offset_hours" => "，应为 -12 到 14 的整数",
                k if k.starts_with("notify") => "，请对照 `bole config default` 中 [notify] 的示例",
                _ => "，应为非负整数",
            };
            format!("配置项“{key}”的值无效{hint}，来源：{source}")
        }
    };
    (zh, e.to_string())
}

#[cfg(test)]
#[expect(clippy::result_large_err, reason = "figment::Jail fixes the closure's error type to figment::Error")]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_are_the_documented_ones() {
        let s = Settings::default();
        assert_eq!(s.data_dir, PathBuf::from("./bole-data"));
        assert_eq!(s.database_url, None);
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.log.level, "info");
        assert_eq!(s.log.format, LogFormat::Pretty);
        assert_eq!(s.session.idle_minutes, 30);
        assert_eq!(s.session.absolute_hours, 12);
        assert_eq!(s.timezone_offset_hours, 8);
        assert_eq!(s.utc_offset().local_minus_utc(), 8 * 3600);
        assert_eq!(s.limits.json_body_bytes, 1_048_576);
        assert_eq!(s.limits.import_body_bytes, 33_554_432);
        s.validate().unwrap();
    }

    #[test]
    fn nothing_configured_loads_the_defaults() {
        Jail::expect_with(|jail| {
            jail.clear_env();
            assert_eq!(Settings::load(&Overrides::default()).unwrap(), Settings::default());
            Ok(())
        });
    }

    #[test]
    fn environment_overrides_defaults() {
        Jail::expect_with(|jail| {
            jail.clear_env();
            jail.set_env("BOLE_LISTEN", "0.0.0.0:9000");
            jail.set_env("BOLE_LOG", "debug");
            jail.set_env("BOLE_LOG_FORMAT", "json");
            jail.set_env("BOLE_SESSION__IDLE_MINUTES", "15");
            jail.set_env("BOLE_DATABASE_URL", "postgres://hr:s3cret@127.0.0.1/hr?sslmode=disable");
            // Belongs to `admin create`, not to the settings: must not trip deny_unknown_fields.
            jail.set_env("BOLE_ADMIN_PASSWORD", "whatever");
            let s = Settings::load(&Overrides::default()).unwrap();
            assert_eq!(s.listen.to_string(), "0.0.0.0:9000");
            assert_eq!(s.log.level, "debug");
            assert_eq!(s.log.format, LogFormat::Json);
            assert_eq!(s.session.idle_minutes, 15);
            assert_eq!(s.database_url.as_ref().unwrap().expose(), "postgres://hr:s3cret@127.0.0.1/hr?sslmode=disable");
            Ok(())
        });
    }

    #[test]
    fn empty_database_url_means_sqlite() {
        Jail::expect_with(|jail| {
            jail.clear_env();
            jail.set_env("BOLE_DATABASE_URL", "");
            assert_eq!(Settings::load(&Overrides::default()).unwrap().database_url, None);
            Ok(())
        });
    }

    #[test]
    fn data_dir_toml_overrides_defaults_and_env_and_flags_override_it() {
        Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_dir("bole-data")?;
            jail.create_file(
                "bole-data/bole.toml",
                "listen = \"127.0.0.1:7000\"\ndata_dir = \"/elsewhere\"\n[session]\nabsolute_hours = 8\n[log]\nlevel = \"warn\"\n",
            )?;
            let s = Settings::load(&Overrides::default()).unwrap();
            assert_eq!(s.listen.to_string(), "127.0.0.1:7000");
            assert_eq!(s.session.absolute_hours, 8);
            assert_eq!(s.session.idle_minutes, 30, "keys the file leaves out keep their defaults");
            assert_eq!(s.data_dir, PathBuf::from("./bole-data"), "the file cannot move its own data dir");

            jail.set_env("BOLE_LISTEN", "127.0.0.1:7001");
            assert_eq!(Settings::load(&Overrides::default()).unwrap().listen.to_string(), "127.0.0.1:7001");

            let flags = Overrides { listen: Some("127.0.0.1:7002".into()), ..Overrides::default() };
            let s = Settings::load(&flags).unwrap();
            assert_eq!(s.listen.to_string(), "127.0.0.1:7002");
            assert_eq!(s.log.level, "warn");
            Ok(())
        });
    }

    #[test]
    fn data_dir_from_the_environment_is_where_the_file_is_looked_up() {
        Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_dir("site")?;
            jail.create_file("site/bole.toml", "listen = \"127.0.0.1:7100\"\n")?;
            jail.set_env("BOLE_DATA_DIR", "site");
            let s = Settings::load(&Overrides::default()).unwrap();
            assert_eq!(s.data_dir, PathBuf::from("site"));
            assert_eq!(s.listen.to_string(), "127.0.0.1:7100");
            Ok(())
        });
    }

    #[test]
    fn config_flag_names_the_file_and_it_must_exist() {
        Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_file("custom.toml", "data_dir = \"/srv/bole\"\ntimezone_offset_hours = 9\n")?;
            let flags = Overrides { config_file: Some("custom.toml".into()), ..Overrides::default() };
            let s = Settings::load(&flags).unwrap();
            assert_eq!(s.data_dir, PathBuf::from("/srv/bole"));
            assert_eq!(s.timezone_offset_hours, 9);

            let missing = Overrides { config_file: Some("nope.toml".into()), ..Overrides::default() };
            let err = Settings::load(&missing).unwrap_err();
            assert_eq!(err.class, crate::ErrorClass::Config);
            assert!(err.msg.zh.contains("找不到配置文件"), "{err:?}");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_source() {
        Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_file("typo.toml", "[session]\nidle_minute = 10\n")?;
            let flags = Overrides { config_file: Some("typo.toml".into()), ..Overrides::default() };
            let err = Settings::load(&flags).unwrap_err();
            assert_eq!(err.class, crate::ErrorClass::Config);
            assert!(err.msg.zh.contains("未知的配置项“session.idle_minute”"), "{}", err.msg.zh);
            assert!(err.msg.en.contains("idle_minute"), "{}", err.msg.en);
            assert!(err.msg.en.contains("typo.toml"), "the source is named: {}", err.msg.en);
            assert!(err.msg.zh.contains("来源：配置文件") && err.msg.zh.contains("typo.toml"), "{}", err.msg.zh);

            jail.set_env("BOLE_LOG__COLOUR", "yes");
            let err = Settings::load(&Overrides::default()).unwrap_err();
            assert!(err.msg.zh.contains("log.colour"), "{}", err.msg.zh);
            Ok(())
        });
    }

    #[test]
    fn bad_values_get_clear_errors() {
        Jail::expect_with(|jail| {
            jail.clear_env();
            jail.set_env("BOLE_LISTEN", "localhost");
            let err = Settings::load(&Overrides::default()).unwrap_err();
            assert!(err.msg.zh.contains("IP:端口"), "{}", err.msg.zh);
            assert!(err.msg.en.contains("`localhost` is not IP:port"), "{}", err.msg.en);
            assert!(err.msg.en.contains("BOLE_LISTEN"), "{}", err.msg.en);
            assert!(err.msg.zh.contains("来源：环境变量 BOLE_LISTEN"), "{}", err.msg.zh);

            jail.set_env("BOLE_LISTEN", "127.0.0.1:8080");
            jail.set_env("BOLE_DATABASE_URL", "mysql://root:hunter2@db/hr");
            let err = Settings::load(&Overrides::default()).unwrap_err();
            assert!(err.msg.en.contains("unsupported database URL scheme"), "{}", err.msg.en);
            assert!(!err.msg.en.contains("hunter2") && !err.msg.zh.contains("hunter2"), "password leaked: {err:?}");

            jail.set_env("BOLE_DATABASE_URL", "");
            jail.set_env("BOLE_LOG_FORMAT", "xml");
            let err = Settings::load(&Overrides::default()).unwrap_err();
            assert!(err.msg.zh.contains("pretty 或 json"), "{}", err.msg.zh);

            jail.set_env("BOLE_LOG_FORMAT", "json");
            jail.set_env("BOLE_TIMEZONE_OFFSET_HOURS", "30");
            jail.set_env("BOLE_SESSION__IDLE_MINUTES", "0");
            let err = Settings::load(&Overrides::default()).unwrap_err();
            assert!(err.msg.en.contains("timezone_offset_hours") && err.msg.en.contains("session"), "{}", err.msg.en);
            Ok(())
        });
    }

    #[test]
    fn the_database_password_is_redacted_everywhere_it_could_be_shown() {
        let s = Settings {
            database_url: Some(SecretUrl::new("postgres://hr:s3cret@db.internal:5432/hr")),
            ..Settings::default()
        };
        let debug = format!("{s:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("postgres://hr:***@db.internal:5432/hr"), "{debug}");
        let url = s.database_url.as_ref().unwrap();
        assert_eq!(url.to_string(), "postgres://hr:***@db.internal:5432/hr");
        assert!(!s.database_label().contains("s3cret"));
        let shown = Figment::from(Serialized::defaults(&s)).extract::<Dict>().unwrap();
        assert!(!format!("{shown:?}").contains("s3cret"));
        let flags = Overrides { database_url: Some(url.clone()), ..Overrides::default() };
        assert!(!format!("{flags:?}").contains("s3cret"));
    }

    /// Every key, flattened to dotted paths.
    fn keys(dict: &Dict, prefix: &str, out: &mut Vec<String>) {
        for (k, v) in dict {
            let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            match v.as_dict() {
                Some(d) => keys(d, &path, out),
                None => out.push(path),
            }
        }
    }

    #[test]
    fn default_toml_parses_back_into_the_defaults_and_names_every_key() {
        let sample = Settings::default_toml();
        let parsed: Settings = Figment::from(Toml::string(&sample)).extract().unwrap();
        assert_eq!(parsed, Settings::default());

        let mut in_sample = Vec::new();
        keys(&Figment::from(Toml::string(&sample)).extract::<Dict>().unwrap(), "", &mut in_sample);
        let mut in_struct = Vec::new();
        keys(&Figment::from(Serialized::defaults(Settings::default())).extract::<Dict>().unwrap(), "", &mut in_struct);
        in_sample.sort();
        in_struct.sort();
        assert_eq!(in_sample, in_struct, "every setting must appear in the sample with its default");
        // Optional keys without a default are shown commented out.
        assert!(sample.contains("\n# database_url = \"postgres://"));
    }

    #[test]
    fn bole_toml_example_at_the_repo_root_is_the_default_toml() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bole.toml.example");
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == Settings::default_toml(),
            "{} is out of date; regenerate it with `cargo run -q -p bole -- config default > bole.toml.example`",
            path.display()
        );
    }

    #[test]
    fn privacy_periods_are_configurable_but_not_below_the_legal_minimum() {
        let mut s = Settings::default();
        assert_eq!(s.privacy.policy(), bole_privacy::PrivacyPolicy::default());
        s.privacy.request_due_days = 30;
        s.privacy.due_in_working_days = true;
        s.privacy.contract_retention_years = 3;
        s.validate().unwrap();
        let policy = s.privacy.policy();
        assert_eq!(policy.due, bole_privacy::DueRule { days: 30, working_days: true });
        assert!(policy.retention.iter().any(|r| r.basis_zh.contains("至少保存3年")));
        s.privacy.contract_retention_years = 1;
        s.privacy.request_due_days = 0;
        let err = s.validate().unwrap_err();
        assert!(err.msg.en.contains("privacy.contract_retention_years") && err.msg.en.contains("request_due_days"));
        assert!(err.msg.zh.contains("法定最低"), "{}", err.msg.zh);
    }

    #[test]
    fn env_names_map_to_keys() {
        assert_eq!(env_key("BOLE_LOG").as_deref(), Some("log.level"));
        assert_eq!(env_key("BOLE_LOG_FORMAT").as_deref(), Some("log.format"));
        assert_eq!(env_key("BOLE_DATA_DIR").as_deref(), Some("data_dir"));
        assert_eq!(env_key("BOLE_LIMITS__IMPORT_BODY_BYTES").as_deref(), Some("limits.import_body_bytes"));
        assert_eq!(env_key("BOLE_ADMIN_PASSWORD"), None);
        assert_eq!(env_key("BOLE_TEST_PG_URL"), None);
        assert_eq!(env_key("PATH"), None);
        for name in ["BOLE_LOG", "BOLE_LOG_FORMAT", "BOLE_LISTEN", "BOLE_SESSION__IDLE_MINUTES"] {
            let key = env_key(name).unwrap();
            assert_eq!(env_name(&key.split('.').collect::<Vec<_>>()), name);
        }
    }
}
