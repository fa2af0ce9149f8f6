//! Notification delivery: the `[notify]` settings and the adapters behind
//! `bole_workflow::notify::Sender` — email over SMTP (lettre, rustls) and signed group-bot webhooks
//! (企业微信, 钉钉, 飞书, or a generic signed JSON POST) — plus the loop that drains the outbox.
//!
//! The approval engine decides *what* to tell *whom* and writes deliveries to an outbox; this module
//! only moves one message over the wire and says whether trying again later can help
//! ([`SendError::retry`]). It lives in the composition root because it does IO; domain crates never do.
//!
//! What never leaves this module: passwords, bot secrets and webhook URLs (their query or path holds
//! the bot's key), and recipients' addresses — errors and logs name the bot or the server instead.

use crate::error::AppError;
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bole_core::clock::SharedClock;
use bole_workflow::notify::{Destination, OutboundMessage, SendError, Sender};
use chrono::{DateTime, Utc};
use hmac::{KeyInit, Mac};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_DELIVERY_INTERVAL_SECONDS: u32 = 30;
pub const DEFAULT_DELIVERY_BATCH: u32 = 100;
pub const DEFAULT_WEBHOOK_TIMEOUT_SECONDS: u32 = 10;
pub const DEFAULT_SMTP_TIMEOUT_SECONDS: u32 = 15;

/// Largest markdown content a 企业微信 group bot accepts, in UTF-8 bytes
/// (<https://developer.work.weixin.qq.com/document/path/91770>, "markdown类型": 最长不超过4096个字节).
const WECOM_MARKDOWN_MAX_BYTES: usize = 4096;
/// 钉钉 and 飞书 refuse bodies around 20 KB; approval notices are far below, this only bounds a runaway body.
const BOT_TEXT_MAX_BYTES: usize = 16 * 1024;

// ------------------------------------------------------------------------------------------ settings

/// `[notify]`: where notifications go besides the in-app inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// The web app's address as people reach it (e.g. `https://hr.example.cn`); links in emails and
    /// bot messages are made absolute with it. Required once email or a webhook is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// How often the outbox is drained.
    pub delivery_interval_seconds: u32,
    /// Deliveries attempted per round.
    pub batch_size: u32,
    /// Whole-request timeout for one webhook call.
    pub webhook_timeout_seconds: u32,
    /// `[notify.smtp]`; unset: email deliveries fail permanently ("email not configured").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp: Option<SmtpConfig>,
    /// `[[notify.webhooks]]`: named group bots.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<WebhookConfig>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            delivery_interval_seconds: DEFAULT_DELIVERY_INTERVAL_SECONDS,
            batch_size: DEFAULT_DELIVERY_BATCH,
            webhook_timeout_seconds: DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
            smtp: None,
            webhooks: Vec::new(),
        }
    }
}

/// `[notify.smtp]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Unset: 25 for `none`, 587 for `starttls`, 465 for `tls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: SmtpSecurity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// The sender, with an optional display name: `伯乐 HR <hr@example.cn>`.
    pub from: String,
    /// Per SMTP command; a slow server fails the delivery (retried later) rather than holding the loop.
    #[serde(default = "default_smtp_timeout")]
    pub timeout_seconds: u32,
    /// Also send a simple HTML alternative with a button for the link.
    #[serde(default = "default_true")]
    pub html: bool,
    /// Extra CA certificate (PEM) to trust, for a mail server with a private certificate authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

fn default_smtp_timeout() -> u32 {
    DEFAULT_SMTP_TIMEOUT_SECONDS
}

fn default_true() -> bool {
    true
}

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain text. Only for a relay on the same host or network.
    None,
    /// Connect in plain text, then STARTTLS; refuses to continue if the server cannot upgrade.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl SmtpSecurity {
    fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::None => 25,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
        }
    }
}

/// `[[notify.webhooks]]`: one group bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// What deliveries name (`Destination::Webhook { name }`).
    pub name: String,
    pub kind: WebhookKind,
    /// The bot's webhook address. Treated as a secret: 企业微信 and 钉钉 put the bot's key in it.
    pub url: Secret,
    /// 钉钉 加签 / 飞书 签名校验 secret, or the HMAC key of a generic webhook. Unset: unsigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// Event kinds to forward (`task_assigned`, `approved`, …); empty: all.
    #[serde(default)]
    pub kinds: Vec<String>,
}

/// Which payload and signature a bot gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookKind {
    /// 企业微信 group bot.
    Wecom,
    /// 钉钉 custom robot.
    Dingtalk,
    /// 飞书 custom bot.
    Feishu,
    /// Any HTTP endpoint: JSON `{id, kind, title, body, link}`, HMAC-SHA256 signed.
    Generic,
}

impl WebhookKind {
    fn label(self) -> &'static str {
        match self {
            WebhookKind::Wecom => "企业微信",
            WebhookKind::Dingtalk => "钉钉",
            WebhookKind::Feishu => "飞书",
            WebhookKind::Generic => "generic",
        }
    }
}

/// A password, key or keyed URL: shown as `***` by `Debug` and `Serialize`; [`Secret::expose`] is
/// for the wire alone.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

/// Serialises redacted: a serialised `Settings` is for showing, never for connecting.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("***")
    }
}

impl NotifyConfig {
    /// True when any channel besides the in-app inbox is configured.
    pub fn has_channels(&self) -> bool {
        self.smtp.is_some() || !self.webhooks.is_empty()
    }

    /// Problems serde cannot see, in both languages. Never echoes a secret or a webhook URL.
    pub fn check(&self, zh: &mut Vec<String>, en: &mut Vec<String>) {
        match &self.base_url {
            Some(base) if parse_http_url(base).is_none() => {
                zh.push(format!("notify.base_url = “{base}” 不是 http(s):// 开头的地址"));
                en.push(format!("notify.base_url = `{base}` is not an http(s):// URL"));
            }
            None if self.has_channels() => {
                zh.push("已配置邮件或群机器人时须设置 notify.base_url（网页地址，用于生成消息中的链接）".into());
                en.push("notify.base_url (the web app's address, for links in messages) is required once email or a webhook is configured".into());
            }
            _ => {}
        }
        for (key, value, max) in [
            ("delivery_interval_seconds", self.delivery_interval_seconds, 86_400),
            ("batch_size", self.batch_size, 10_000),
            ("webhook_timeout_seconds", self.webhook_timeout_seconds, 600),
        ] {
            if !(1..=max).contains(&value) {
                zh.push(format!("notify.{key} = {value} 须在 1 到 {max} 之间"));
                en.push(format!("notify.{key} = {value} is outside 1..={max}"));
            }
        }
        if let Some(smtp) = &self.smtp {
            if smtp.host.trim().is_empty() {
                zh.push("notify.smtp.host 不能为空".into());
                en.push("notify.smtp.host must not be empty".into());
            }
            if Mailbox::from_str(smtp.from.trim()).is_err() {
                zh.push(format!("发件人 notify.smtp.from = “{}” 无效，应如 伯乐 HR <hr@example.cn>", smtp.from));
                en.push(format!("notify.smtp.from = `{}` is not a mailbox like `Bole HR <hr@example.cn>`", smtp.from));
            }
            if smtp.username.is_some() != smtp.password.is_some() {
                zh.push("notify.smtp.username 与 password 须同时设置或同时不设置".into());
                en.push("notify.smtp.username and password go together".into());
            }
            if !(1..=600).contains(&smtp.timeout_seconds) {
                zh.push(format!("notify.smtp.timeout_seconds = {} 须在 1 到 600 之间", smtp.timeout_seconds));
                en.push(format!("notify.smtp.timeout_seconds = {} is outside 1..=600", smtp.timeout_seconds));
            }
            if smtp.port == Some(0) {
                zh.push("notify.smtp.port 不能为 0".into());
                en.push("notify.smtp.port must not be 0".into());
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, bot) in self.webhooks.iter().enumerate() {
            let name = bot.name.trim();
            if name.is_empty() {
                zh.push(format!("第 {} 个群机器人 notify.webhooks 缺少 name", i + 1));
                en.push(format!("notify.webhooks[{i}] has an empty name"));
            } else if !seen.insert(name) {
                zh.push(format!("群机器人名称“{name}”重复"));
                en.push(format!("notify.webhooks: the name `{name}` is used twice"));
            }
            if parse_http_url(bot.url.expose()).is_none() {
                // The URL holds the bot's key: name the bot, never the URL.
                zh.push(format!("群机器人“{name}”的 url 不是 http(s):// 开头的地址"));
                en.push(format!("notify.webhooks `{name}`: url is not an http(s):// URL"));
            }
        }
    }
}

fn parse_http_url(raw: &str) -> Option<url::Url> {
    url::Url::parse(raw.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// The `[notify]` part of `bole config default`.
pub fn sample() -> String {
    format!(
        r#"
[notify]
# 除站内消息外，审批待办、结果、催办与升级还可通过邮件和群机器人发送。消息先写入发件箱，由后台任务
# 定期投递，邮件服务器或机器人暂时不可用不会影响审批；失败的投递按错误类型稍后重试或放弃。
# Besides the in-app inbox, approval tasks, decisions, reminders and escalations can go out by email and
# group bots. Deliveries wait in an outbox drained in the background, so a slow mail server never holds
# up an approval; failures are retried later or given up depending on the error.
#
# 网页地址（用户访问伯乐的地址），用于生成消息中的绝对链接。配置邮件或群机器人后必填。
# The web app's address as people reach it, for absolute links in messages. Required with email or bots.
# base_url = "https://hr.example.cn"
# 发件箱投递间隔（秒）与每轮最多投递条数。 Outbox drain interval (seconds) and deliveries per round.
delivery_interval_seconds = {DEFAULT_DELIVERY_INTERVAL_SECONDS}
batch_size = {DEFAULT_DELIVERY_BATCH}
# 单次群机器人请求的超时（秒）。 Timeout of one webhook request (seconds).
webhook_timeout_seconds = {DEFAULT_WEBHOOK_TIMEOUT_SECONDS}

# 邮件（SMTP）。security：none（明文，仅限本机或内网中继）、starttls（默认，端口 587）、tls（SMTPS，端口 465）。
# 不设 port 时按 security 取 25 / 587 / 465。密码不会出现在日志中；ca_file 为内网邮件服务器的私有 CA 证书（PEM）。
# Email over SMTP. security: none (plain text; a local relay only), starttls (default, port 587) or tls (SMTPS,
# port 465); port defaults by security to 25 / 587 / 465. The password never appears in logs; ca_file trusts a
# private certificate authority (PEM) for an internal mail server.
# [notify.smtp]
# host = "smtp.example.cn"
# security = "tls"
# port = 465
# username = "hr@example.cn"
# password = "授权码 / app password"
# from = "伯乐 HR <hr@example.cn>"
# timeout_seconds = {DEFAULT_SMTP_TIMEOUT_SECONDS}
# html = true
# ca_file = "/etc/bole/smtp-ca.pem"

# 群机器人，可配置多个，投递时按 name 选择。kind：wecom（企业微信，密钥在 URL 中）、dingtalk（钉钉，secret 为
# “加签”密钥 SEC…）、feishu（飞书，secret 为“签名校验”密钥）、generic（任意 HTTP 地址：JSON 正文，secret 用于
# HMAC-SHA256 签名头 X-Bole-Signature）。kinds 为转发的事件类型，空 = 全部。url 与 secret 均视为密钥。
# Group bots, any number, chosen by name. kind: wecom (企业微信; the key is in the URL), dingtalk (钉钉; secret =
# the 加签 key SEC…), feishu (飞书; secret = the 签名校验 key), generic (any HTTP endpoint: a JSON body signed with
# HMAC-SHA256 in X-Bole-Signature). kinds: event kinds to forward, empty = all. url and secret are secrets.
# [[notify.webhooks]]
# name = "hr-team"
# kind = "wecom"
# url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
# kinds = ["escalated"]
#
# [[notify.webhooks]]
# name = "approvals"
# kind = "dingtalk"
# url = "https://oapi.dingtalk.com/robot/send?access_token=…"
# secret = "SEC…"
"#
    )
}

// ------------------------------------------------------------------------------------------- links

/// Makes the engine's in-app paths absolute.
#[derive(Clone, Debug, Default)]
struct Links {
    base: Option<String>,
}

impl Links {
    fn new(base: Option<&str>) -> Self {
        Self { base: base.map(|b| b.trim().trim_end_matches('/').to_string()).filter(|b| !b.is_empty()) }
    }

    fn absolute(&self, link: &str) -> String {
        if link.starts_with("http://") || link.starts_with("https://") {
            return link.to_string();
        }
        match &self.base {
            Some(base) if link.starts_with('/') => format!("{base}{link}"),
            Some(base) => format!("{base}/{link}"),
            None => link.to_string(),
        }
    }

    fn of(&self, message: &OutboundMessage) -> Option<String> {
        message.link.as_deref().filter(|l| !l.trim().is_empty()).map(|l| self.absolute(l.trim()))
    }
}

fn permanent(reason: impl Into<String>) -> SendError {
    SendError { reason: reason.into(), retry: false }
}

fn retryable(reason: impl Into<String>) -> SendError {
    SendError { reason: reason.into(), retry: true }
}

// ---------------------------------------------------------------------------------------------- SMTP

/// Email over SMTP. One pooled transport, built once; cheap to clone.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    html: bool,
    links: Links,
    /// Right-hand side of Message-IDs: the sender's domain.
    id_domain: String,
    /// Longest one delivery may take, conversation included.
    deadline: Duration,
}

impl fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSender").field("from", &self.from.email.to_string()).finish_non_exhaustive()
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies are not sent back to us.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

impl SmtpSender {
    /// Build the pooled transport; no connection is made until the first send.
    pub fn new(config: &SmtpConfig, base_url: Option<&str>) -> Result<Self, AppError> {
        let bad = |zh: String, en: String| AppError::config(zh, en);
        let from = Mailbox::from_str(config.from.trim()).map_err(|_| {
            bad(
                format!("发件人 notify.smtp.from = “{}” 无效", config.from),
                format!("notify.smtp.from = `{}` is not a mailbox", config.from),
            )
        })?;
        let host = config.host.trim();
        let port = config.port.unwrap_or_else(|| config.security.default_port());
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(Duration::from_secs(u64::from(config.timeout_seconds))))
            .pool_config(PoolConfig::new().max_size(4));
        if config.security != SmtpSecurity::None {
            let mut tls = TlsParameters::builder(host.to_string());
            if let Some(path) = &config.ca_file {
                let pem = std::fs::read(path).map_err(|e| {
                    bad(
                        format!("无法读取 notify.smtp.ca_file {}：{e}", path.display()),
                        format!("cannot read notify.smtp.ca_file {}: {e}", path.display()),
                    )
                })?;
                let cert = Certificate::from_pem(&pem).map_err(|e| {
                    bad(
                        format!("notify.smtp.ca_file {} 不是 PEM 证书：{e}", path.display()),
                        format!("notify.smtp.ca_file {} is not a PEM certificate: {e}", path.display()),
                    )
                })?;
                tls = tls.add_root_certificate(cert);
            }
            let tls = tls
                .build_rustls()
                .map_err(|e| bad(format!("无法配置邮件 TLS：{e}"), format!("cannot set up TLS for SMTP: {e}")))?;
            builder = builder.tls(match config.security {
                SmtpSecurity::Tls => Tls::Wrapper(tls),
                _ => Tls::Required(tls),
            });
        }
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_string()));
        }
        let id_domain = from.email.domain().to_string();
        // Connect, greeting, STARTTLS, AUTH, MAIL/RCPT/DATA: a few command timeouts in all.
        let deadline = Duration::from_secs(u64::from(config.timeout_seconds.max(1)) * 4);
        Ok(Self {
            transport: builder.build(),
            from,
            html: config.html,
            links: Links::new(base_url),
            id_domain,
            deadline,
        })
    }

    /// The email for one delivery. Its Message-ID comes from the delivery id, so a retry is the same
    /// message to the receiving side (duplicates can be recognised).
    pub fn message(&self, to: &str, message: &OutboundMessage) -> Result<Message, SendError> {
        // The address is personal data: the reason names the problem, not the address.
        let to = Mailbox::from_str(to.trim()).map_err(|_| permanent("invalid recipient email address"))?;
        let link = self.links.of(message);
        let mut plain = message.body.trim_end().to_string();
        if let Some(link) = &link {
            plain.push_str(&format!("\n\n查看与处理 / Open in Bole: {link}"));
        }
        plain.push_str("\n\n——\n此邮件由伯乐 HR 系统自动发送，请勿直接回复。\nSent automatically by Bole HR; please do not reply.\n");
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.title.clone())
            .message_id(Some(format!("<{}@{}>", message.id, self.id_domain)))
            .header(AutoSubmitted);
        let built = if self.html {
            builder.multipart(MultiPart::alternative_plain_html(plain, html_body(message, link.as_deref())))
        } else {
            builder.singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(plain))
        };
        built.map_err(|e| permanent(format!("cannot build the email: {e}")))
    }

    async fn send_to(&self, to: &str, message: &OutboundMessage) -> Result<(), SendError> {
        let email = self.message(to, message)?;
        // lettre's timeout bounds connecting, not every read of the async client: a server that
        // stops answering mid-conversation would hold the delivery loop. Bound the whole exchange.
        let sent = tokio::time::timeout(self.deadline, self.transport.send(email))
            .await
            .map_err(|_| retryable(format!("SMTP server did not answer within {} s", self.deadline.as_secs())))?;
        sent.map(|_| ()).map_err(|e| {
            // Servers echo the mailbox in their refusals ("550 <a@b>: Recipient address rejected");
            // the reason is stored with the delivery, the address must not be.
            let mut err = classify_smtp(&e);
            err.reason = err.reason.replace(to.trim(), "<recipient>");
            err
        })
    }
}

/// RFC 5321 §4.2.1: a 5yz reply is permanent (bad mailbox, authentication refused, policy); a 4yz
/// reply, a timeout, a refused or dropped connection and a TLS failure may pass.
fn classify_smtp(e: &lettre::transport::smtp::Error) -> SendError {
    let code = e.status().map(|c| c.to_string());
    if e.is_permanent() {
        return permanent(format!("SMTP server refused permanently ({}): {e}", code.unwrap_or_default()));
    }
    if e.is_transient() {
        return retryable(format!("SMTP server refused for now ({}): {e}", code.unwrap_or_default()));
    }
    if e.is_timeout() {
        return retryable(format!("SMTP timeout: {e}"));
    }
    // lettre's client errors are mismatches between our settings and the server (no STARTTLS, no
    // usable AUTH mechanism, credentials over plain text): the operator must act, retrying will not help.
    if e.is_client() {
        return permanent(format!("SMTP settings do not fit the server: {e}"));
    }
    retryable(format!("SMTP connection failed: {e}"))
}

/// A minimal, self-contained HTML alternative: escaped text, line breaks kept, one button.
fn html_body(message: &OutboundMessage, link: Option<&str>) -> String {
    let body = escape_html(message.body.trim_end()).replace('\n', "<br>\n");
    let button = link
        .map(|l| {
            format!(
                "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#1f6feb;color:#fff;padding:10px 18px;\
                 border-radius:4px;text-decoration:none\">查看与处理 / Open in Bole</a></p>\n",
                escape_html(l)
            )
        })
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;line-height:1.6;color:#222\">\n\
         <h2 style=\"font-size:18px\">{title}</h2>\n<p>{body}</p>\n{button}\
         <p style=\"color:#888;font-size:12px\">此邮件由伯乐 HR 系统自动发送，请勿直接回复。<br>Sent automatically by Bole HR; please do not reply.</p>\n\
         </body></html>\n",
        title = escape_html(&message.title),
    )
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

// ------------------------------------------------------------------------------------------ webhooks

/// One configured bot, ready to send.
#[derive(Clone)]
struct Bot {
    kind: WebhookKind,
    url: url::Url,
    secret: Option<Secret>,
    kinds: Vec<String>,
}

/// A webhook call as it will be sent: for tests and for the sender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedRequest {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// Group-bot webhooks, by name. Cheap to clone (the HTTP client pools connections).
#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    bots: Arc<HashMap<String, Bot>>,
    links: Links,
    clock: SharedClock,
}

impl fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.bots.keys().collect();
        names.sort();
        f.debug_struct("WebhookSender").field("bots", &names).finish_non_exhaustive()
    }
}

impl WebhookSender {
    pub fn new(
        bots: &[WebhookConfig],
        base_url: Option<&str>,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<Self, AppError> {
        let mut table = HashMap::new();
        for bot in bots {
            let name = bot.name.trim().to_string();
            let url = parse_http_url(bot.url.expose()).ok_or_else(|| {
                AppError::config(
                    format!("群机器人“{name}”的 url 不是 http(s):// 开头的地址"),
                    format!("notify.webhooks `{name}`: url is not an http(s):// URL"),
                )
            })?;
            table.insert(name, Bot { kind: bot.kind, url, secret: bot.secret.clone(), kinds: bot.kinds.clone() });
        }
        // No redirects: a signed body must reach the configured host and nothing else.
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("bole/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                AppError::failure(format!("无法创建 HTTP 客户端：{e}"), format!("cannot build the HTTP client: {e}"))
            })?;
        Ok(Self { client, bots: Arc::new(table), links: Links::new(base_url), clock })
    }

    /// Names of the bots that forward this event kind, sorted (for whoever enqueues deliveries).
    pub fn bots_for(&self, kind: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .bots
            .iter()
            .filter(|(_, b)| b.kinds.is_empty() || b.kinds.iter().any(|k| k == kind))
            .map(|(n, _)| n.clone())
            .collect();
        names.sort();
        names
    }

    /// The request for `message` to the bot `name` at `now`; `Ok(None)` when that bot does not
    /// forward this kind of event.
    pub fn prepare(
        &self,
        name: &str,
        message: &OutboundMessage,
        now: DateTime<Utc>,
    ) -> Result<Option<PreparedRequest>, SendError> {
        let bot = self.bots.get(name).ok_or_else(|| permanent(format!("no webhook named `{name}` is configured")))?;
        if !bot.kinds.is_empty() && !bot.kinds.iter().any(|k| k == &message.kind) {
            return Ok(None);
        }
        let link = self.links.of(message);
        let mut url = bot.url.clone();
        let mut headers = vec![("content-type", "application/json; charset=utf-8".to_string())];
        let secret = bot.secret.as_ref().map(Secret::expose);
        let payload = match bot.kind {
            // https://developer.work.weixin.qq.com/document/path/91770 (群机器人配置说明): the key is in the
            // URL, no signature; markdown content at most 4096 bytes.
            WebhookKind::Wecom => {
                let mut content = format!("**{}**\n{}", message.title.trim(), message.body.trim());
                if let Some(link) = &link {
                    content = truncate_bytes(&content, WECOM_MARKDOWN_MAX_BYTES.saturating_sub(link.len() + 24));
                    content.push_str(&format!("\n[查看与处理]({link})"));
                }
                serde_json::json!({
                    "msgtype": "markdown",
                    "markdown": { "content": truncate_bytes(&content, WECOM_MARKDOWN_MAX_BYTES) },
                })
            }
            // https://open.dingtalk.com/document/robots/custom-robot-access and
            // https://open.dingtalk.com/document/robots/customize-robot-security-settings (加签): query
            // `timestamp=<ms>&sign=urlencode(base64(HmacSHA256(key=secret, timestamp + "\n" + secret)))`.
            WebhookKind::Dingtalk => {
                if let Some(secret) = secret {
                    let ts = now.timestamp_millis().to_string();
                    let sign = dingtalk_sign(secret, &ts);
                    // append_pair form-urlencodes the base64 ('+', '/', '=') exactly once.
                    url.query_pairs_mut().append_pair("timestamp", &ts).append_pair("sign", &sign);
                }
                let mut text =
                    format!("#### {}\n\n{}", message.title.trim(), message.body.trim().replace('\n', "\n\n"));
                if let Some(link) = &link {
                    text.push_str(&format!("\n\n[查看与处理]({link})"));
                }
                serde_json::json!({
                    "msgtype": "markdown",
                    "markdown": { "title": message.title.trim(), "text": truncate_bytes(&text, BOT_TEXT_MAX_BYTES) },
                })
            }
            // https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (签名校验): `timestamp` in
            // seconds and `sign = base64(HmacSHA256(key = timestamp + "\n" + secret, message = ""))` in the body.
            WebhookKind::Feishu => {
                let mut text = format!("{}\n{}", message.title.trim(), message.body.trim());
                if let Some(link) = &link {
                    text.push_str(&format!("\n查看与处理：{link}"));
                }
                let mut body = serde_json::json!({
                    "msg_type": "text",
                    "content": { "text": truncate_bytes(&text, BOT_TEXT_MAX_BYTES) },
                });
                if let (Some(secret), Some(map)) = (secret, body.as_object_mut()) {
                    let ts = now.timestamp().to_string();
                    map.insert("sign".into(), feishu_sign(secret, &ts).into());
                    map.insert("timestamp".into(), ts.into());
                }
                body
            }
            WebhookKind::Generic => serde_json::json!({
                "id": message.id,
                "kind": message.kind,
                "title": message.title,
                "body": message.body,
                "link": link,
            }),
        };
        let body = serde_json::to_vec(&payload).map_err(|e| permanent(format!("cannot encode the payload: {e}")))?;
        if bot.kind == WebhookKind::Generic {
            let ts = now.timestamp().to_string();
            headers.push(("x-bole-delivery", message.id.to_string()));
            headers.push(("x-bole-event", message.kind.clone()));
            headers.push(("x-bole-timestamp", ts.clone()));
            if let Some(secret) = secret {
                headers.push(("x-bole-signature", format!("sha256={}", generic_signature(secret, &ts, &body))));
            }
        }
        Ok(Some(PreparedRequest { url: url.to_string(), headers, body }))
    }

    async fn send_to(&self, name: &str, message: &OutboundMessage) -> Result<(), SendError> {
        let Some(request) = self.prepare(name, message, self.clock.now())? else {
            tracing::debug!(webhook = name, event.kind = %message.kind, "webhook does not forward this kind; skipped");
            return Ok(());
        };
        let kind = self.bots.get(name).map_or(WebhookKind::Generic, |b| b.kind);
        let mut call = self.client.post(&request.url).body(request.body);
        for (header, value) in request.headers {
            call = call.header(header, value);
        }
        // reqwest's error text can hold the URL, and so the bot's key: keep only the category.
        let response = call.send().await.map_err(|e| {
            let what = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "connection failed"
            } else {
                "request failed"
            };
            retryable(format!("webhook `{name}` ({}): {what}", kind.label()))
        })?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        verdict(name, kind, status.as_u16(), &text)
    }
}

/// Whether a bot's answer means delivered. Vendors answer HTTP 200 with an error code in the JSON
/// body; a code that means the configuration is wrong (bad key, signature, keyword, IP allow-list)
/// will not fix itself, anything else (rate limits, busy) may.
fn verdict(name: &str, kind: WebhookKind, status: u16, body: &str) -> Result<(), SendError> {
    let label = kind.label();
    if !(200..300).contains(&status) {
        let reason = format!("webhook `{name}` ({label}) answered HTTP {status}");
        // 408 and 429 are "later"; other 4xx say the request or the address is wrong.
        return Err(if status >= 500 || status == 408 || status == 429 {
            retryable(reason)
        } else {
            permanent(reason)
        });
    }
    if kind == WebhookKind::Generic {
        return Ok(());
    }
    let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
        return Err(retryable(format!("webhook `{name}` ({label}) answered something other than JSON")));
    };
    let field = |k: &str| json.get(k).and_then(serde_json::Value::as_i64);
    // 企业微信 / 钉钉: errcode; 飞书: code (older answers: StatusCode).
    let code = field("errcode").or_else(|| field("code")).or_else(|| field("StatusCode")).unwrap_or(0);
    if code == 0 {
        return Ok(());
    }
    let message = json
        .get("errmsg")
        .or_else(|| json.get("msg"))
        .or_else(|| json.get("StatusMessage"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    let reason = format!("webhook `{name}` ({label}) refused: code {code} {message}");
    let config_error = match kind {
        // 93000 invalid webhook url (wrong or deleted key), 40008 invalid message type, 44004 empty content.
        WebhookKind::Wecom => matches!(code, 93000 | 40008 | 44004),
        // 300001 token does not exist, 310000 signature / keyword / IP allow-list mismatch.
        WebhookKind::Dingtalk => matches!(code, 300001 | 310000),
        // 19021 signature or timestamp mismatch, 19022 IP not allowed, 19024 keyword missing, 9499 bad request.
        WebhookKind::Feishu => matches!(code, 19021 | 19022 | 19024 | 9499),
        WebhookKind::Generic => false,
    };
    Err(if config_error { permanent(reason) } else { retryable(reason) })
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // `new_from_slice` accepts every key length for HMAC; the error arm cannot happen.
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(key) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// 钉钉 加签: base64(HMAC-SHA256(key = secret, message = timestamp_ms + "\n" + secret)), before URL-encoding.
pub fn dingtalk_sign(secret: &str, timestamp_ms: &str) -> String {
    BASE64.encode(hmac_sha256(secret.as_bytes(), format!("{timestamp_ms}\n{secret}").as_bytes()))
}

/// 飞书 签名校验: base64(HMAC-SHA256(key = timestamp_s + "\n" + secret, message = empty)).
pub fn feishu_sign(secret: &str, timestamp_s: &str) -> String {
    BASE64.encode(hmac_sha256(format!("{timestamp_s}\n{secret}").as_bytes(), b""))
}

/// Generic webhooks: hex(HMAC-SHA256(secret, timestamp + "." + body)), sent as `X-Bole-Signature: sha256=…`.
/// The timestamp is signed with the body so a captured request cannot be replayed later unnoticed.
pub fn generic_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut signed = Vec::with_capacity(timestamp.len() + 1 + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    hex::encode(hmac_sha256(secret.as_bytes(), &signed))
}

/// At most `max` bytes of `text`, cut at a character boundary, with "…" when cut.
fn truncate_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let ellipsis = "…";
    let mut end = max.saturating_sub(ellipsis.len());
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ellipsis}", &text[..end])
}

// ----------------------------------------------------------------------------------------- the router

/// The `Sender` the app hands the workflow engine: email to SMTP, webhooks to the named bot.
#[derive(Clone, Debug)]
pub struct NotifySender {
    email: Option<SmtpSender>,
    webhooks: WebhookSender,
}

impl NotifySender {
    /// Build from `[notify]`. Fails on a configuration that cannot work (bad sender, unreadable CA file).
    /// Build and drop it inside the Tokio runtime: the SMTP pool closes its connections on a task.
    pub fn from_config(config: &NotifyConfig, clock: SharedClock) -> Result<Self, AppError> {
        let base = config.base_url.as_deref();
        let email = config.smtp.as_ref().map(|smtp| SmtpSender::new(smtp, base)).transpose()?;
        let timeout = Duration::from_secs(u64::from(config.webhook_timeout_seconds.max(1)));
        let webhooks = WebhookSender::new(&config.webhooks, base, timeout, clock)?;
        Ok(Self { email, webhooks })
    }

    pub fn email_configured(&self) -> bool {
        self.email.is_some()
    }

    /// Names of the bots that forward this event kind.
    pub fn webhooks_for(&self, kind: &str) -> Vec<String> {
        self.webhooks.bots_for(kind)
    }

    pub fn webhooks(&self) -> &WebhookSender {
        &self.webhooks
    }
}

#[async_trait]
impl Sender for NotifySender {
    async fn send(&self, message: &OutboundMessage) -> Result<(), SendError> {
        match &message.channel {
            Destination::Email { to } => match &self.email {
                Some(smtp) => smtp.send_to(to, message).await,
                None => Err(permanent("email not configured ([notify.smtp])")),
            },
            Destination::Webhook { name } => self.webhooks.send_to(name, message).await,
        }
    }
}

#[async_trait]
impl Sender for SmtpSender {
    async fn send(&self, message: &OutboundMessage) -> Result<(), SendError> {
        match &message.channel {
            Destination::Email { to } => self.send_to(to, message).await,
            Destination::Webhook { .. } => Err(permanent("the SMTP sender delivers email only")),
        }
    }
}

#[async_trait]
impl Sender for WebhookSender {
    async fn send(&self, message: &OutboundMessage) -> Result<(), SendError> {
        match &message.channel {
            Destination::Webhook { name } => self.send_to(name, message).await,
            Destination::Email { .. } => Err(permanent("the webhook sender delivers to webhooks only")),
        }
    }
}

// ------------------------------------------------------------------------------------- the outbox

impl NotifyConfig {
    /// Which outbox deliveries the engine writes: email when SMTP is configured, one delivery per
    /// configured bot (each bot's `kinds` filter is applied when sending).
    pub fn routing(&self) -> bole_workflow::NotifyRouting {
        bole_workflow::NotifyRouting {
            email: self.smtp.is_some(),
            webhooks: self.webhooks.iter().map(|b| b.name.trim().to_string()).collect(),
        }
    }

    pub fn delivery_interval(&self) -> Duration {
        Duration::from_secs(u64::from(self.delivery_interval_seconds.max(1)))
    }
}

/// Drain the outbox every `every` until the task is aborted: due deliveries go through `sender`,
/// the engine records delivered / retry later / failed. A full batch means more are waiting, so the
/// next round starts at once. Errors are logged once until they change (a database outage does not
/// flood the log); nothing about recipients or contents is logged.
pub async fn delivery_job(
    workflow: bole_workflow::WorkflowService,
    sender: Arc<dyn Sender>,
    clock: SharedClock,
    every: Duration,
    limit: u32,
) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_error = String::new();
    loop {
        interval.tick().await;
        match workflow.deliver_pending(sender.as_ref(), clock.now(), limit).await {
            Ok(report) => {
                last_error.clear();
                if report.claimed > 0 {
                    tracing::info!(
                        notify.claimed = report.claimed,
                        notify.delivered = report.delivered,
                        notify.retried = report.retried,
                        notify.failed = report.failed,
                        "notification deliveries"
                    );
                }
                if report.claimed >= limit {
                    interval.reset_immediately();
                }
            }
            Err(e) => {
                let text = e.to_string();
                if text != last_error {
                    tracing::error!(error = %text, "cannot deliver notifications; will try again");
                    last_error = text;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn message(link: Option<&str>) -> OutboundMessage {
        OutboundMessage {
            id: Uuid::nil(),
            channel: Destination::Webhook { name: "x".into() },
            kind: "task_assigned".into(),
            title: "请审批：年假 3 天".into(),
            body: "申请人：张三\n日期：2025-10-09 至 2025-10-11".into(),
            link: link.map(Into::into),
        }
    }

    /// Vectors computed independently with Python's hmac/base64 (the vendors' own sample code).
    #[test]
    fn vendor_signatures_match_reference_values() {
        // python3: base64.b64encode(hmac.new(b'SECtest', b'1700000000000\nSECtest', sha256).digest())
        assert_eq!(dingtalk_sign("SECtest", "1700000000000"), "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=");
        // python3: base64.b64encode(hmac.new(b'1700000000\nabc', b'', sha256).digest())
        assert_eq!(feishu_sign("abc", "1700000000"), "VIS10b0EBvzzSdFnuk4tznEmK5wHaruvf/WnViv2yR4=");
        // python3: hmac.new(b'k', b'1700000000.{}', sha256).hexdigest()
        assert_eq!(
            generic_signature("k", "1700000000", b"{}"),
            "c6ef4734033cee2367414a0939385eca0397754aa7a59716da7463a9298b5146"
        );
    }

    #[test]
    fn links_become_absolute() {
        let links = Links::new(Some("https://hr.example.cn/"));
        assert_eq!(links.absolute("/me/approvals/1"), "https://hr.example.cn/me/approvals/1");
        assert_eq!(links.absolute("me/x"), "https://hr.example.cn/me/x");
        assert_eq!(links.absolute("https://elsewhere/x"), "https://elsewhere/x");
        assert_eq!(Links::new(None).absolute("/me"), "/me");
        assert_eq!(links.of(&message(Some("  "))), None);
    }

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate_bytes("短", 10), "短");
        let cut = truncate_bytes(&"审批".repeat(100), 20);
        assert!(cut.len() <= 20 && cut.ends_with('…'), "{cut}");
    }

    #[test]
    fn long_messages_fit_the_vendors_limits_and_keep_the_link() {
        let clock: SharedClock =
            Arc::new(bole_core::FixedClock::on(chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()));
        let bot = WebhookConfig {
            name: "w".into(),
            kind: WebhookKind::Wecom,
            url: Secret::new("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
            secret: None,
            kinds: vec![],
        };
        let sender = WebhookSender::new(&[bot], Some("https://hr.example.cn"), Duration::from_secs(1), clock).unwrap();
        let mut m = message(Some("/me/approvals/1"));
        m.body = "很长的审批意见。".repeat(1000);
        let request = sender.prepare("w", &m, DateTime::<Utc>::UNIX_EPOCH).unwrap().unwrap();
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let content = body["markdown"]["content"].as_str().unwrap();
        assert!(content.len() <= WECOM_MARKDOWN_MAX_BYTES, "{}", content.len());
        assert!(content.ends_with("[查看与处理](https://hr.example.cn/me/approvals/1)"), "{content}");
        assert!(content.contains('…'));
    }

    #[test]
    fn html_is_escaped() {
        let mut m = message(Some("/a?b=1&c=2"));
        m.body = "<script>x</script>".into();
        let html = html_body(&m, Some("https://h/a?b=1&c=2"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(html.contains("href=\"https://h/a?b=1&amp;c=2\""));
    }

    #[test]
    fn vendor_answers_are_classified() {
        assert!(verdict("b", WebhookKind::Wecom, 200, r#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        assert!(
            !verdict("b", WebhookKind::Wecom, 200, r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#)
                .unwrap_err()
                .retry
        );
        assert!(
            verdict("b", WebhookKind::Wecom, 200, r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#)
                .unwrap_err()
                .retry
        );
        assert!(
            !verdict("b", WebhookKind::Dingtalk, 200, r#"{"errcode":310000,"errmsg":"sign not match"}"#)
                .unwrap_err()
                .retry
        );
        assert!(verdict("b", WebhookKind::Feishu, 200, r#"{"code":0,"msg":"success","data":{}}"#).is_ok());
        assert!(verdict("b", WebhookKind::Feishu, 200, r#"{"StatusCode":0,"StatusMessage":"success"}"#).is_ok());
        assert!(
            !verdict("b", WebhookKind::Feishu, 200, r#"{"code":19021,"msg":"sign match fail"}"#).unwrap_err().retry
        );
        assert!(
            verdict("b", WebhookKind::Feishu, 200, r#"{"code":11232,"msg":"frequency limited"}"#).unwrap_err().retry
        );
        assert!(verdict("b", WebhookKind::Generic, 204, "").is_ok());
        assert!(verdict("b", WebhookKind::Generic, 503, "").unwrap_err().retry);
        assert!(verdict("b", WebhookKind::Generic, 429, "").unwrap_err().retry);
        assert!(!verdict("b", WebhookKind::Generic, 404, "").unwrap_err().retry);
        assert!(verdict("b", WebhookKind::Dingtalk, 200, "<html>").unwrap_err().retry);
    }

    #[test]
    fn checks_name_the_problem_without_the_secret() {
        let config = NotifyConfig {
            base_url: None,
            batch_size: 0,
            smtp: Some(SmtpConfig {
                host: " ".into(),
                port: None,
                security: SmtpSecurity::Tls,
                username: Some("hr".into()),
                password: None,
                from: "not an address".into(),
                timeout_seconds: 15,
                html: true,
                ca_file: None,
            }),
            webhooks: vec![
                WebhookConfig {
                    name: "hr".into(),
                    kind: WebhookKind::Wecom,
                    url: Secret::new("ftp://qyapi/send?key=TOPSECRET"),
                    secret: None,
                    kinds: vec![],
                },
                WebhookConfig {
                    name: "hr".into(),
                    kind: WebhookKind::Generic,
                    url: Secret::new("https://ok.example/x"),
                    secret: Some(Secret::new("s")),
                    kinds: vec![],
                },
            ],
            ..NotifyConfig::default()
        };
        let (mut zh, mut en) = (Vec::new(), Vec::new());
        config.check(&mut zh, &mut en);
        let all = en.join("\n");
        for needle in
            ["base_url", "batch_size", "smtp.host", "smtp.from", "username and password", "used twice", "`hr`: url"]
        {
            assert!(all.contains(needle), "missing {needle}: {all}");
        }
        assert!(!all.contains("TOPSECRET") && !zh.join("").contains("TOPSECRET"));
        assert_eq!(zh.len(), en.len());
    }
}
