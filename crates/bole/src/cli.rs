//! The command line: clap derive types only. What each command does lives in
//! `commands`; this module only says what can be typed.
//!
//! Data-touching commands flatten [`DataArgs`], so `--data-dir`, `--database-url` and
//! `--config` work on each of them and nowhere they would mean nothing (`calc`, `openapi`).
//! Flags without a value fall back to the settings file and `BOLE_*` variables
//! (`bole_app::Settings::load`); clap defaults are deliberately not used, because a clap
//! default would beat the settings file.

use bole_app::{Overrides, SecretUrl};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "bole",
    version,
    about = "伯乐 Bole：人力资源平台 / HR platform",
    long_about = "伯乐 Bole：人力资源平台 / HR platform.\n\n\
        不带配置即可运行：数据放在 ./bole-data（SQLite）。\n\
        Runs with no configuration: data goes to ./bole-data (SQLite).\n\
        `bole config default` prints every setting with its default."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 迁移数据库后启动 HTTP 服务 / Migrate the database, then serve HTTP until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// 执行尚未应用的数据库迁移 / Apply pending database migrations.
    Migrate(DataArgs),
    /// 账号管理 / Account administration.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// 配置 / Settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// 计算与校验工具 / Calculators and checkers.
    #[command(subcommand)]
    Calc(CalcCommand),
    /// 输出 OpenAPI 3.1 规范（JSON）/ Print the OpenAPI 3.1 document as JSON.
    Openapi,
    /// 全国节假日安排：放假、调休上班、法定节假日 / A year's national holidays: days off, make-up working days, statutory days.
    Calendar(crate::time_cmd::CalendarArgs),
    /// 生成演示组织（数据目录为空时）并启动服务 / Seed the demo organisation (when the data is empty), then serve.
    Demo(DemoArgs),
    /// 导入花名册（.xlsx/.csv，全部行无误才导入）/ Import a roster (.xlsx/.csv; all rows or none).
    Import(ImportArgs),
    /// 导出花名册为 .xlsx / Export the roster as .xlsx.
    Export(ExportArgs),
    /// 审计日志：校验、查询、导出、检查点、清除 / Audit trail: verify, search, export, checkpoint, purge.
    #[command(subcommand)]
    Audit(crate::audit_cmd::AuditCommand),
    /// 加密密钥管理 / Encryption key management.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// 薪资批次：创建、核算 / Pay runs: create and compute.
    #[command(subcommand)]
    Payroll(crate::payroll_run_cmd::PayrollCommand),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 监听地址 IP:端口（默认 127.0.0.1:8080）/ Listen address IP:port (default 127.0.0.1:8080).
    #[arg(long, env = "BOLE_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// 演示员工人数（默认500，最多1000000）/ Number of demo employees (default 500, at most 1,000,000).
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub employees: u32,
    /// 随机种子（同一种子生成相同数据）/ Random seed (the same seed gives the same data).
    #[arg(long)]
    pub seed: Option<u64>,
    /// 只生成数据，不启动服务 / Seed only; do not serve.
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 花名册文件（.xlsx 或 .csv）/ The roster file (.xlsx or .csv).
    pub file: PathBuf,
    /// 单位编码 / Company code.
    #[arg(long, value_name = "CODE")]
    pub company: String,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 输出文件（.xlsx）/ Output file (.xlsx).
    pub file: PathBuf,
    /// 单位编码 / Company code.
    #[arg(long, value_name = "CODE")]
    pub company: String,
    /// 时点（YYYY-MM-DD），默认今天 / Situation on this day (default today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
}

/// Where the data is and how settings are found; shared by every data-touching command.
#[derive(Clone, Debug, Default, Args)]
pub struct DataArgs {
    /// 数据目录（默认 ./bole-data）/ Data directory (default ./bole-data).
    #[arg(long, env = "BOLE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// 数据库连接串，不设置则用数据目录中的 SQLite / Database URL; unset = SQLite in the data dir.
    // hide_env_values: `--help` must never print a password taken from the environment.
    #[arg(long, env = "BOLE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// 配置文件，代替 <DIR>/bole.toml / Settings file to read instead of <DIR>/bole.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl DataArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config_file: self.config.clone(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone().map(SecretUrl::new),
            listen: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 监听地址 IP:端口（默认 127.0.0.1:8080）/ Listen address IP:port (default 127.0.0.1:8080).
    #[arg(long, env = "BOLE_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// 轮换数据密钥并重新加密全部敏感字段；带 --master 时改用新主密钥包装全部密钥 /
    /// Rotate: a new data key re-encrypts every sealed field; with --master, rewrap all keys under a new master key.
    Rotate(KeysRotateArgs),
}

#[derive(Debug, Args)]
pub struct KeysRotateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 新主密钥文件（不存在则生成）；完成后替换当前密钥文件 /
    /// New master key file (generated when absent); it then replaces the configured key file.
    #[arg(long, value_name = "FILE")]
    pub master: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// 创建管理员账号（默认系统管理员）/ Create an administrator account (system administrator by default).
    Create(AdminCreateArgs),
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 用户名 / Username.
    #[arg(long, value_name = "U")]
    pub username: String,
    /// 密码；不提供时生成随机强密码并只显示一次 / Password; if absent a strong one is generated and shown once.
    // Prefer BOLE_ADMIN_PASSWORD: a flag value is visible to other users in `ps`.
    #[arg(long, env = "BOLE_ADMIN_PASSWORD", value_name = "P", hide_env_values = true)]
    pub password: Option<String>,
    /// 角色（三员分立：system_admin / security_admin / auditor；或 hr_admin，范围为全部）
    /// / Role (三员: system_admin, security_admin, auditor; or hr_admin over all companies).
    #[arg(long, value_name = "ROLE", default_value = "system_admin")]
    pub role: String,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// 输出带注释的默认配置（bole.toml）/ Print the commented default settings (bole.toml).
    Default,
}

#[derive(Debug, Subcommand)]
pub enum CalcCommand {
    /// 校验并解析居民身份证号码 / Check and decode a resident ID number (GB 11643-1999).
    Id(CalcIdArgs),
    /// 带薪年休假：应休天数、新入职折算、离职未休折算 / Statutory annual leave: entitlement, new-hire and leaver pro-rating.
    AnnualLeave(crate::time_cmd::CalcAnnualLeaveArgs),
    /// 加班工资（21.75天折算，150%/200%/300%）/ Overtime pay (21.75-day conversion; 150%, 200%, 300%).
    Overtime(crate::time_cmd::CalcOvertimeArgs),
    /// 工资薪金个税累计预扣（读 JSON）/ Cumulative IIT withholding of wages over a year (JSON input).
    Iit(crate::payroll_cmd::CalcIitArgs),
    /// 社保公积金（按城市政策）/ Social insurance and housing fund lines under a city's policy.
    Si(crate::payroll_cmd::CalcSiArgs),
    /// 全年一次性奖金单独计税 / Annual one-off bonus taxed separately.
    Bonus(crate::payroll_cmd::CalcBonusArgs),
    /// 劳务报酬按次预扣 / Labour remuneration withheld per payment.
    Labor(crate::payroll_cmd::CalcLaborArgs),
}

#[derive(Debug, Args)]
pub struct CalcIdArgs {
    /// 身份证号码（18位，或15位旧号）/ The ID number (18 characters, or 15 for old cards).
    pub number: String,
    /// 以 JSON 输出 / Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
