//! `bole audit …`: the auditor's commands on the audit trail (审计日志) — verify the
//! chain (exit 1 and the first broken link when it does not hold), search, export as
//! CSV/.xlsx, sign a checkpoint, purge records past the retention period. They act as
//! the operator (`Actor::system()`, user agent `bole-cli`), and each is itself audited.
//!
//! The clap types live here rather than in `cli` so the audit commands stay in one file.

use crate::cli::DataArgs;
use crate::commands::{clock, load, runtime};
use bole_app::{App, AppError, Settings};
use bole_audit::{AuditFilter, ExportFormat, VerifyReport};
use bole_core::{Actor, Failure, Outcome, PageRequest, RequestMeta, UserId};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// 校验审计链与签名检查点；断裂时指出第一个断点并以 1 退出 /
    /// Verify the hash chain and signed checkpoints; on a break, name the first broken link and exit 1.
    Verify(VerifyArgs),
    /// 查询审计记录（最新在前）/ Search audit records (newest first).
    Search(SearchArgs),
    /// 导出审计记录为 CSV 或 .xlsx / Export audit records as CSV or .xlsx.
    Export(AuditExportArgs),
    /// 立即对审计链当前位置做 SM2 签名检查点 / Sign a checkpoint of the chain at its head now (SM2).
    Checkpoint(CheckpointArgs),
    /// 清除某日之前的审计记录（须早于保存期限）/ Purge records before a day (must be past the retention).
    Purge(PurgeArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 以 JSON 输出校验报告 / Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Filters shared by `search` and `export`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// 起始（含）：日期 YYYY-MM-DD（当天零点，组织时区）或 RFC 3339 时间 /
    /// From (inclusive): a date (its start, organisation time zone) or an RFC 3339 instant.
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub from: Option<When>,
    /// 截止（不含），格式同 --from / To (exclusive), as --from.
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub to: Option<When>,
    /// 操作人账号ID / The acting account's id.
    #[arg(long, value_name = "UUID")]
    pub actor_id: Option<UserId>,
    /// 操作前缀，如 employee. / Action prefix, e.g. `employee.`.
    #[arg(long, value_name = "PREFIX")]
    pub action: Option<String>,
    /// 涉及的对象ID / A subject id the records name.
    #[arg(long, value_name = "ID")]
    pub subject_id: Option<String>,
    /// 结果：success、denied、failed / Outcome: success, denied or failed.
    #[arg(long, value_name = "OUTCOME", value_parser = parse_outcome)]
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// 页码，从1开始 / Page, from 1.
    #[arg(long, value_name = "N")]
    pub page: Option<u32>,
    /// 每页条数（最多500，默认50）/ Rows per page (at most 500, default 50).
    #[arg(long, value_name = "N")]
    pub per_page: Option<u32>,
    /// 以 JSON 输出 / Print the page as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditExportArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// 文件格式：csv 或 xlsx / File format: csv or xlsx.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub format: ExportFormat,
    /// 输出文件 / Output file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 清除此日（组织时区零点）之前的记录 / Purge records before the start of this day (organisation time zone).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub before: NaiveDate,
}

/// A time filter as typed: a calendar day (resolved in the organisation's zone) or an instant.
#[derive(Clone, Copy, Debug)]
pub enum When {
    Day(NaiveDate),
    Instant(DateTime<Utc>),
}

fn parse_when(s: &str) -> Result<When, String> {
    if let Ok(d) = s.parse::<NaiveDate>() {
        return Ok(When::Day(d));
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| When::Instant(t.with_timezone(&Utc)))
        .map_err(|_| "expected YYYY-MM-DD or an RFC 3339 time such as 2026-11-21T08:00:00+08:00".into())
}

fn parse_outcome(s: &str) -> Result<Outcome, String> {
    Outcome::parse(s).ok_or_else(|| "expected success, denied or failed".into())
}

fn parse_format(s: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(s).ok_or_else(|| "expected csv or xlsx".into())
}

/// The start of `day` in the organisation's zone, as a UTC instant.
fn start_of(day: NaiveDate, settings: &Settings) -> DateTime<Utc> {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    settings
        .utc_offset()
        .from_local_datetime(&local)
        .single()
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
}

impl FilterArgs {
    fn filter(&self, settings: &Settings) -> AuditFilter {
        let resolve = |w: When| match w {
            When::Day(d) => start_of(d, settings),
            When::Instant(t) => t,
        };
        AuditFilter {
            from: self.from.map(resolve),
            to: self.to.map(resolve),
            actor_id: self.actor_id,
            action_prefix: self.action.clone(),
            subject_id: self.subject_id.clone(),
            outcome: self.outcome,
            until_seq: None,
        }
    }
}

/// The operator, marked as the command line in the records it leaves.
fn operator() -> Actor {
    Actor::system()
        .with_meta(RequestMeta { ip: None, user_agent: Some(format!("bole-cli/{}", env!("CARGO_PKG_VERSION"))) })
}

fn failure(e: &dyn Failure) -> AppError {
    let m = e.message();
    AppError::failure(m.zh, m.en)
}

/// Build the app, run `f` on it, close the database whatever happened.
fn with_app<T>(settings: &Settings, f: impl AsyncFnOnce(&App) -> Result<T, AppError>) -> Result<T, AppError> {
    let clock = clock(settings);
    let settings = settings.clone();
    runtime()?.block_on(async move {
        let app = App::build(settings, clock).await?;
        let r = f(&app).await;
        app.db.close().await;
        r
    })
}

pub fn run(command: AuditCommand) -> Result<ExitCode, AppError> {
    match command {
        AuditCommand::Verify(args) => verify(&args),
        AuditCommand::Search(args) => search(&args),
        AuditCommand::Export(args) => export(&args),
        AuditCommand::Checkpoint(args) => checkpoint(&args),
        AuditCommand::Purge(args) => purge(&args),
    }
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, None)?;
    let report =
        with_app(&settings, async |app| app.services.audit.verify(&operator()).await.map_err(|e| failure(&e)))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into()));
    } else {
        print!("{}", human_report(&report));
    }
    Ok(if report.ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The report for people: one line when intact; the first broken link in both languages otherwise.
pub fn human_report(r: &VerifyReport) -> String {
    let range = match (r.first_seq, r.last_seq) {
        (Some(a), Some(b)) => format!("seq {a}–{b}"),
        _ => "-".into(),
    };
    let anchor = r.anchor_seq.map(|a| format!("，自清除锚点 {a} 起 / from purge anchor {a}")).unwrap_or_default();
    match &r.broken {
        None => {
            let latest = r.last_checkpoint_seq.map(|s| format!("（最新 / latest: seq {s}）")).unwrap_or_default();
            format!(
                "OK 审计链完整 / audit chain intact: {n} 条记录 records ({range}){anchor}；{c} 个签名检查点已核对 / signed checkpoints verified{latest}\n",
                n = r.records,
                c = r.checkpoints,
            )
        }
        Some(b) => {
            let upto = b.checkpoint_seq.map(|c| format!(" (… seq {c})")).unwrap_or_default();
            format!(
                "BROKEN 审计链已断裂 / audit chain broken\n首个断点 / first broken link: seq {seq}{upto} — {kind}\n{zh}\n{en}\n已核对 / checked before the break: {n} 条记录 records{anchor}\n",
                seq = b.seq,
                kind = b.kind.as_str(),
                zh = b.message.zh,
                en = b.message.en,
                n = r.records,
            )
        }
    }
}

fn search(args: &SearchArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, None)?;
    let filter = args.filter.filter(&settings);
    let page = PageRequest::new(args.page, args.per_page);
    let found = with_app(&settings, async |app| {
        app.services.audit.search(&operator(), &filter, page).await.map_err(|e| failure(&e))
    })?;
    if args.json {
        let value = serde_json::json!({
            "items": found.items, "total": found.total, "page": found.page, "per_page": found.per_page
        });
        println!("{}", serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".into()));
        return Ok(ExitCode::SUCCESS);
    }
    for r in &found.items {
        let e = &r.event;
        println!(
            "{seq}\t{at}\t{actor}\t{ip}\t{action}\t{stype}:{ids}\t{fields}\t{outcome}",
            seq = r.seq,
            at = bole_audit::chain::format_at(e.at),
            actor = e.actor_name,
            ip = e.ip.as_deref().unwrap_or("-"),
            action = e.action,
            stype = e.subject_type,
            ids = e.subject_ids.join(","),
            fields = if e.fields.is_empty() { "-".into() } else { e.fields.join(",") },
            outcome = e.outcome.as_str(),
        );
    }
    println!(
        "共 {t} 条，第 {p} 页 / {t} records, page {p} ({n} shown)",
        t = found.total,
        p = found.page,
        n = found.items.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn export(args: &AuditExportArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, None)?;
    let filter = args.filter.filter(&settings);
    let bytes = with_app(&settings, async |app| {
        app.services.audit.export(&operator(), &filter, args.format).await.map_err(|e| failure(&e))
    })?;
    std::fs::write(&args.out, &bytes).map_err(|e| {
        AppError::failure(
            format!("无法写入 {}：{e}", args.out.display()),
            format!("cannot write {}: {e}", args.out.display()),
        )
    })?;
    println!("已导出审计记录 / audit records exported: {} ({} bytes)", args.out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

fn checkpoint(args: &CheckpointArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, None)?;
    let (cp, key) = with_app(&settings, async |app| {
        let cp = app.services.audit.checkpoint(&operator()).await.map_err(|e| failure(&e))?;
        Ok((cp, app.services.audit.public_key_hex()))
    })?;
    println!("已签名检查点 / signed checkpoint: seq {} hash {}", cp.seq, cp.hash);
    println!("签名公钥 / signing public key: {key}");
    println!("请在 Bole 之外另行记录以上两行，可用于证明此前的审计记录未被改写。");
    println!("Note both lines outside Bole: they prove the records up to here were not rewritten.");
    Ok(ExitCode::SUCCESS)
}

fn purge(args: &PurgeArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, None)?;
    let before = start_of(args.before, &settings);
    let report =
        with_app(&settings, async |app| app.services.audit.purge(&operator(), before).await.map_err(|e| failure(&e)))?;
    println!(
        "已清除 {n} 条 {d} 之前的审计记录 / purged {n} audit records before {d}；校验锚点 / verification anchor: seq {s}",
        n = report.purged,
        d = args.before,
        s = report.anchor.seq,
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bole_audit::{BreakKind, ChainBreak, ChainHead};

    fn report(broken: Option<ChainBreak>) -> VerifyReport {
        VerifyReport {
            ok: broken.is_none(),
            records: 6,
            first_seq: Some(1),
            last_seq: Some(6),
            head: ChainHead { seq: 6, hash: bole_audit::genesis() },
            anchor_seq: None,
            checkpoints: 1,
            last_checkpoint_seq: Some(5),
            broken,
        }
    }

    #[test]
    fn the_human_report_names_the_first_broken_link() {
        let ok = human_report(&report(None));
        assert!(ok.starts_with("OK "), "{ok}");
        assert!(ok.contains("6 条记录 records (seq 1–6)"), "{ok}");
        let b = ChainBreak {
            seq: 3,
            kind: BreakKind::Edited,
            checkpoint_seq: None,
            message: bole_core::Msg::new("第 3 条", "record 3"),
        };
        let text = human_report(&report(Some(b)));
        assert!(text.starts_with("BROKEN "), "{text}");
        assert!(text.contains("first broken link: seq 3 — edited"), "{text}");
    }

    #[test]
    fn times_are_days_or_instants() {
        let s = Settings::default();
        let Ok(When::Day(d)) = parse_when("2026-11-21") else { panic!() };
        assert_eq!(start_of(d, &s).to_rfc3339(), "2026-11-20T16:00:00+00:00");
        assert!(
            matches!(parse_when("2026-11-21T08:00:00+08:00"), Ok(When::Instant(t)) if t.to_rfc3339() == "2026-11-21T00:00:00+00:00")
        );
        assert!(parse_when("yesterday").is_err());
    }
}
