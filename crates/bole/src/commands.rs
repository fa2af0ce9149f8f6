//! What each command does. Commands print their results on stdout; logs and
//! errors go to stderr. A command returns the exit code of a completed run
//! (`calc id` on an invalid number completes with 1) or an [`AppError`], which
//! `main` prints in Chinese and English and maps to 1 (failure) or 2 (configuration).

use crate::cli::{AdminCommand, AdminCreateArgs, CalcCommand, CalcIdArgs, Command, ConfigCommand, DataArgs, ServeArgs};
use bole_app::{App, AppError, Settings, logging};
use bole_core::SystemClock;
use bole_core::clock::SharedClock;
use bole_people::standards::{IdReport, id_report};
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(command: Command) -> Result<ExitCode, AppError> {
    match command {
        Command::Serve(args) => serve(args),
        Command::Migrate(data) => migrate(&data),
        Command::Admin(AdminCommand::Create(args)) => admin_create(args),
        Command::Config(ConfigCommand::Default) => {
            print!("{}", Settings::default_toml());
            Ok(ExitCode::SUCCESS)
        }
        Command::Calc(CalcCommand::Id(args)) => Ok(calc_id(&args)),
        Command::Calc(CalcCommand::AnnualLeave(args)) => crate::time_cmd::calc_annual_leave(&args),
        Command::Calc(CalcCommand::Overtime(args)) => crate::time_cmd::calc_overtime(&args),
        Command::Calc(CalcCommand::Iit(args)) => crate::payroll_cmd::calc_iit(&args),
        Command::Calc(CalcCommand::Si(args)) => crate::payroll_cmd::calc_si(&args),
        Command::Calc(CalcCommand::Bonus(args)) => crate::payroll_cmd::calc_bonus(&args),
        Command::Calc(CalcCommand::Labor(args)) => crate::payroll_cmd::calc_labor(&args),
        Command::Calendar(args) => crate::time_cmd::calendar(&args),
        Command::Openapi => openapi(),
        Command::Demo(args) => crate::data_tools::demo(args),
        Command::Import(args) => crate::data_tools::import(args),
        Command::Export(args) => crate::data_tools::export(args),
        Command::Keys(crate::cli::KeysCommand::Rotate(args)) => crate::keys_cmd::rotate(args),
        Command::Audit(command) => crate::audit_cmd::run(command),
        Command::Payroll(command) => crate::payroll_run_cmd::run(command),
    }
}

/// Settings from flags, file and environment, then the process-wide logger.
pub(crate) fn load(data: &DataArgs, listen: Option<String>) -> Result<Settings, AppError> {
    let mut overrides = data.overrides();
    overrides.listen = listen;
    let settings = Settings::load(&overrides)?;
    logging::init(&settings.log)?;
    Ok(settings)
}

pub(crate) fn clock(settings: &Settings) -> SharedClock {
    Arc::new(SystemClock::new(settings.utc_offset()))
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, AppError> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| {
        AppError::failure(format!("无法启动异步运行时：{e}"), format!("cannot start the async runtime: {e}"))
    })
}

fn serve(args: ServeArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, args.listen)?;
    let listen = settings.listen;
    let clock = clock(&settings);
    runtime()?.block_on(async move {
        let app = App::build(settings, clock).await?;
        app.serve(listen).await
    })?;
    Ok(ExitCode::SUCCESS)
}

fn migrate(data: &DataArgs) -> Result<ExitCode, AppError> {
    let settings = load(data, None)?;
    let applied = runtime()?.block_on(async {
        let db = bole_app::connect(&settings).await?;
        let applied = bole_app::migrate(&db).await;
        db.close().await;
        applied
    })?;
    if applied.is_empty() {
        println!("数据库已是最新，无需迁移 / database is up to date ({})", settings.database_label());
    } else {
        for stem in &applied {
            println!("已应用迁移 / applied migration: {stem}");
        }
        println!(
            "共 {} 个迁移 / {} migration(s) applied ({})",
            applied.len(),
            applied.len(),
            settings.database_label()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn admin_create(args: AdminCreateArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, None)?;
    let generated = args.password.is_none();
    let password = match args.password {
        Some(p) => p,
        None => strong_password(),
    };
    let role = match bole_core::Role::parse(&args.role) {
        Some(
            r @ (bole_core::Role::SystemAdmin
            | bole_core::Role::SecurityAdmin
            | bole_core::Role::Auditor
            | bole_core::Role::HrAdmin),
        ) => r,
        _ => {
            return Err(AppError::failure(
                format!("角色“{}”不可用：请选择 system_admin、security_admin、auditor 或 hr_admin", args.role),
                format!(
                    "role \"{}\" is not available here: choose system_admin, security_admin, auditor or hr_admin",
                    args.role
                ),
            ));
        }
    };
    let clock = clock(&settings);
    let user = runtime()?.block_on(async {
        let app = App::build(settings, clock).await?;
        let created = app
            .services
            .accounts
            .bootstrap_user(bole_access::NewUser {
                username: args.username.clone(),
                password: password.clone(),
                employee_id: None,
                grants: vec![bole_access::RoleGrant::builtin(role, bole_core::DataScope::All)],
            })
            .await;
        app.db.close().await;
        created.map_err(|e| {
            let msg = bole_core::Failure::message(&e);
            let detail = match bole_core::Failure::fields(&e) {
                Some(fields) => fields
                    .0
                    .iter()
                    .flat_map(|(field, msgs)| msgs.iter().map(move |m| (field, m)))
                    .map(|(field, m)| (format!("{field}：{}", m.zh), format!("{field}: {}", m.en)))
                    .unzip::<_, _, Vec<_>, Vec<_>>(),
                None => (Vec::new(), Vec::new()),
            };
            let zh = std::iter::once(msg.zh).chain(detail.0).collect::<Vec<_>>().join("；");
            let en = std::iter::once(msg.en).chain(detail.1).collect::<Vec<_>>().join("; ");
            AppError::failure(format!("无法创建管理员：{zh}"), format!("cannot create the administrator: {en}"))
        })
    })?;
    println!("已创建账号 / created account: {} ({})", user.username, role.as_str());
    if generated {
        println!("初始密码（只显示这一次，请妥善保存并尽快修改）/ initial password (shown once; store it safely):");
        println!("{password}");
    }
    Ok(ExitCode::SUCCESS)
}

/// 20 characters from an alphabet without look-alikes (0/O, 1/l/I): about 116 bits. Regenerated until
/// the account policy accepts it (it needs three character classes, which almost every draw has).
pub(crate) fn strong_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    loop {
        let candidate: String = (0..20).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect();
        let mut errs = bole_core::FieldErrors::new();
        bole_access::rules::check_password("password", &candidate, &mut errs);
        if errs.is_empty() {
            return candidate;
        }
    }
}

/// Human form in Chinese (the numbers and codes speak for themselves), or the JSON report.
/// Exit code 1 when the number is invalid, so scripts can branch on it.
fn calc_id(args: &CalcIdArgs) -> ExitCode {
    let report = id_report(&args.number);
    if args.json {
        println!("{}", serde_json::to_string(&report).unwrap_or_else(|_| String::from("{}")));
    } else {
        print!("{}", human_id_report(&report));
    }
    if report.valid { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn human_id_report(report: &IdReport) -> String {
    let mut out = String::new();
    if report.valid {
        out.push_str("有效：是\n");
        if let Some(number) = &report.number {
            out.push_str(&format!("号码：{number}\n"));
        }
        if let Some(date) = report.birth_date {
            out.push_str(&format!("出生日期：{date}\n"));
        }
        if let Some(sex) = report.sex {
            out.push_str(&format!("性别：{}\n", sex.zh()));
        }
        if let Some(region) = &report.region_code {
            match report.province {
                Some(province) => out.push_str(&format!("地区码：{region}（{province}）\n")),
                None => out.push_str(&format!("地区码：{region}\n")),
            }
        }
    } else {
        out.push_str("有效：否\n");
        if let Some(msg) = &report.message {
            out.push_str(&format!("原因：{}\nreason: {}\n", msg.zh, msg.en));
        }
    }
    out
}

fn openapi() -> Result<ExitCode, AppError> {
    let json = bole_http::openapi().to_pretty_json().map_err(|e| {
        AppError::failure(format!("无法生成 OpenAPI 文档：{e}"), format!("cannot render the OpenAPI document: {e}"))
    })?;
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_report_reads_like_the_card() {
        let text = human_id_report(&id_report("11010519491231002X"));
        assert_eq!(
            text,
            "有效：是\n号码：11010519491231002X\n出生日期：1949-12-31\n性别：女\n地区码：110105（北京市）\n"
        );
    }

    #[test]
    fn human_report_explains_an_invalid_number() {
        let text = human_id_report(&id_report("110105194912310021"));
        assert!(text.starts_with("有效：否\n原因："), "{text}");
        assert!(text.contains("reason: "), "{text}");
    }

    #[test]
    fn generated_passwords_pass_the_account_policy_and_differ() {
        let a = strong_password();
        let b = strong_password();
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        let mut errs = bole_core::FieldErrors::new();
        bole_access::rules::check_password("password", &a, &mut errs);
        assert!(errs.is_empty());
    }
}
