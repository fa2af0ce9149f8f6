//! Notification delivery against real servers started here: an SMTP server (Python's aiosmtpd,
//! Debian package `python3-aiosmtpd`; the test FAILS when it is missing, it never skips) and a local
//! axum server standing in for the 企业微信 / 钉钉 / 飞书 / generic webhook endpoints. Every signature
//! is recomputed here from the secret, independently of the code under test. Also: `[notify]` from
//! TOML and the environment, with secrets redacted.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bole_app::notify::{NotifyConfig, NotifySender, Secret, SmtpConfig, SmtpSecurity, WebhookConfig, WebhookKind};
use bole_app::settings::{Overrides, Settings};
use bole_core::FixedClock;
use bole_core::clock::SharedClock;
use bole_workflow::notify::{Destination, OutboundMessage, SendError, Sender};
use chrono::{DateTime, TimeZone, Utc};
use hmac::{KeyInit, Mac};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const BASE_URL: &str = "https://hr.example.cn";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 4, 5, 6).unwrap()
}

fn clock() -> SharedClock {
    Arc::new(FixedClock { now: now(), offset: bole_core::clock::china_offset() })
}

fn message(channel: Destination, kind: &str) -> OutboundMessage {
    OutboundMessage {
        id: Uuid::now_v7(),
        channel,
        kind: kind.into(),
        title: "请审批：张三的年假申请（3 天）".into(),
        body: "申请人：张三（研发部）\n假期：年假 2026-03-09 至 2026-03-11，共 3 天\n事由：回老家探亲".into(),
        link: Some("/me/approvals/0190f0a8-7c1d-7000-8000-000000000001".into()),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

// -------------------------------------------------------------------------------------------- SMTP

/// Debian's interpreter (where `apt-get install python3-aiosmtpd` puts the module) unless
/// `BOLE_TEST_PYTHON` names another.
fn python() -> String {
    if let Ok(p) = std::env::var("BOLE_TEST_PYTHON") {
        return p;
    }
    if Path::new("/usr/bin/python3").exists() { "/usr/bin/python3".into() } else { "python3".into() }
}

/// An aiosmtpd server that refuses `reject@…` (550) and `busy@…` (451) at RCPT and writes every
/// accepted message, parsed by Python's own `email` package, as one JSON file into `out`.
const SMTP_SERVER: &str = r#"
import email, json, os, sys
from email import policy
from aiosmtpd.controller import Controller

class Handler:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('reject@'):
            return '550 5.1.1 <%s>: Recipient address rejected' % address
        if address.startswith('busy@'):
            return '451 4.3.0 try again later'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.content
        msg = email.message_from_bytes(raw, policy=policy.default)
        plain = msg.get_body(preferencelist=('plain',))
        html = msg.get_body(preferencelist=('html',))
        record = {
            'mail_from': envelope.mail_from,
            'auth_login': session.auth_data.login.decode() if getattr(session, 'auth_data', None) else None,
            'rcpt_tos': envelope.rcpt_tos,
            'from': str(msg['From']),
            'to': str(msg['To']),
            'subject': str(msg['Subject']),
            'message_id': str(msg['Message-ID']),
            'auto_submitted': str(msg.get('Auto-Submitted')),
            'text': plain.get_content() if plain is not None else None,
            'html': html.get_content() if html is not None else None,
            'raw_headers': raw.split(b'\r\n\r\n', 1)[0].decode('ascii', 'replace'),
        }
        self.n += 1
        path = os.path.join(self.out, '%04d.json' % self.n)
        with open(path + '.tmp', 'w', encoding='utf-8') as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(path + '.tmp', path)
        return '250 Message accepted for delivery'

tls = {}
if len(sys.argv) > 4:
    import ssl
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        if auth_data.password == b'hang':
            return AuthResult(success=False, handled=True)  # "handled": aiosmtpd answers nothing
        ok = auth_data.login == b'hr@example.cn' and auth_data.password == b'app-password'
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    tls = {'tls_context': context, 'require_starttls': True, 'authenticator': authenticator,
           'auth_require_tls': True}
controller = Controller(Handler(sys.argv[2]), hostname='127.0.0.1', port=int(sys.argv[1]), **tls)
controller.start()
print('READY', flush=True)
try:
    sys.stdin.read()  # until the test ends and its end of the pipe closes
finally:
    controller.stop()
"#;

/// The running server; killed when dropped (and it exits by itself when the test process ends).
struct SmtpServer {
    child: Child,
    port: u16,
    out: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    fn start() -> SmtpServer {
        Self::spawn(None)
    }

    /// Requiring STARTTLS with this certificate and key (PEM files).
    fn start_tls(cert: &Path, key: &Path) -> SmtpServer {
        Self::spawn(Some((cert, key)))
    }

    fn spawn(tls: Option<(&Path, &Path)>) -> SmtpServer {
        let python = python();
        let probe = Command::new(&python).args(["-c", "import aiosmtpd"]).output();
        if !probe.as_ref().is_ok_and(|o| o.status.success()) {
            panic!(
                "the SMTP test needs Python's aiosmtpd for {python}: run `apt-get install -y python3-aiosmtpd` \
                 (or `make test-rust`, which installs it); set BOLE_TEST_PYTHON to use another interpreter"
            );
        }
        let out = tempfile::tempdir().unwrap();
        let script = out.path().join("smtp_server.py");
        std::fs::write(&script, SMTP_SERVER).unwrap();
        let mails = out.path().join("mail");
        std::fs::create_dir(&mails).unwrap();
        let port = free_port();
        let mut command = Command::new(&python);
        command.arg(&script).arg(port.to_string()).arg(&mails);
        if let Some((cert, key)) = tls {
            command.arg(cert).arg(key);
        }
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "READY", "the aiosmtpd server did not start");
        SmtpServer { child, port, out }
    }

    fn mail_dir(&self) -> PathBuf {
        self.out.path().join("mail")
    }

    /// The `n`th accepted message (1-based), waiting up to 10 s for it.
    fn received(&self, n: usize) -> serde_json::Value {
        let path = self.mail_dir().join(format!("{n:04}.json"));
        let start = Instant::now();
        while !path.exists() {
            assert!(start.elapsed() < Duration::from_secs(10), "the SMTP server received no message {n}");
            std::thread::sleep(Duration::from_millis(20));
        }
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn count(&self) -> usize {
        std::fs::read_dir(self.mail_dir())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "json"))
            .count()
    }
}

fn smtp_config(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "伯乐 HR <hr@example.cn>".into(),
        timeout_seconds: 5,
        html: true,
        ca_file: None,
    }
}

fn sender_with_smtp(port: u16) -> NotifySender {
    let config =
        NotifyConfig { base_url: Some(BASE_URL.into()), smtp: Some(smtp_config(port)), ..NotifyConfig::default() };
    NotifySender::from_config(&config, clock()).unwrap()
}

#[tokio::test]
async fn smtp_delivers_chinese_subject_body_link_and_a_message_id_from_the_delivery() {
    let server = SmtpServer::start();
    let sender = sender_with_smtp(server.port);
    assert!(sender.email_configured());
    let msg = message(Destination::Email { to: "zhang.san@example.cn".into() }, "task_assigned");
    sender.send(&msg).await.unwrap();

    let got = server.received(1);
    assert_eq!(got["mail_from"], "hr@example.cn");
    assert_eq!(got["rcpt_tos"], serde_json::json!(["zhang.san@example.cn"]));
    assert_eq!(got["from"], "伯乐 HR <hr@example.cn>");
    assert_eq!(got["to"], "zhang.san@example.cn");
    assert_eq!(got["subject"], "请审批：张三的年假申请（3 天）");
    assert_eq!(got["message_id"], format!("<{}@example.cn>", msg.id));
    assert_eq!(got["auto_submitted"], "auto-generated");
    let link = format!("{BASE_URL}/me/approvals/0190f0a8-7c1d-7000-8000-000000000001");
    let text = got["text"].as_str().unwrap();
    assert!(text.contains("假期：年假 2026-03-09 至 2026-03-11，共 3 天"), "{text}");
    assert!(text.contains(&link), "{text}");
    let html = got["html"].as_str().unwrap();
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(html.contains("申请人：张三（研发部）<br>"), "{html}");
    // Headers on the wire are 7-bit: the Chinese subject and display name are RFC 2047 encoded.
    let raw = got["raw_headers"].as_str().unwrap();
    assert!(raw.is_ascii() && raw.to_ascii_lowercase().contains("subject: =?utf-8?"), "{raw}");

    // A retry of the same delivery is the same message to the receiving side.
    sender.send(&msg).await.unwrap();
    assert_eq!(server.received(2)["message_id"], got["message_id"]);

    // Plain text only when the HTML alternative is off.
    let mut config = smtp_config(server.port);
    config.html = false;
    let plain_only = NotifySender::from_config(
        &NotifyConfig { base_url: Some(BASE_URL.into()), smtp: Some(config), ..NotifyConfig::default() },
        clock(),
    )
    .unwrap();
    plain_only.send(&msg).await.unwrap();
    let third = server.received(3);
    assert!(third["html"].is_null() && third["text"].as_str().unwrap().contains(&link), "{third}");
}

/// `starttls` (the default) against a server that requires it, with a private CA from `ca_file`; the
/// same server without that CA is a TLS failure (retryable), and plain text is refused by the server.
#[tokio::test]
async fn smtp_starttls_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let server = SmtpServer::start_tls(&cert, &key);
    let config = |security, ca_file: Option<PathBuf>| NotifyConfig {
        base_url: Some(BASE_URL.into()),
        smtp: Some(SmtpConfig {
            host: "localhost".into(),
            security,
            ca_file,
            username: Some("hr@example.cn".into()),
            password: Some(Secret::new("app-password")),
            ..smtp_config(server.port)
        }),
        ..NotifyConfig::default()
    };
    let msg = message(Destination::Email { to: "wang.wu@example.cn".into() }, "task_assigned");

    let trusted = NotifySender::from_config(&config(SmtpSecurity::Starttls, Some(cert.clone())), clock()).unwrap();
    let untrusted = NotifySender::from_config(&config(SmtpSecurity::Starttls, None), clock()).unwrap();
    let plain = NotifySender::from_config(&config(SmtpSecurity::None, None), clock()).unwrap();
    let mut anonymous = config(SmtpSecurity::None, None);
    if let Some(smtp) = anonymous.smtp.as_mut() {
        (smtp.username, smtp.password) = (None, None);
    }
    let anonymous = NotifySender::from_config(&anonymous, clock()).unwrap();
    let err = untrusted.send(&msg).await.unwrap_err();
    assert!(err.retry, "an unknown certificate authority: {err:?}");
    let err = plain.send(&msg).await.unwrap_err();
    assert!(!err.retry, "credentials are never sent over plain text: {err:?}");
    let err = anonymous.send(&msg).await.unwrap_err();
    assert!(!err.retry && err.reason.contains("530"), "the server demands STARTTLS: {err:?}");
    assert_eq!(server.count(), 0);

    let mut wrong = config(SmtpSecurity::Starttls, Some(cert.clone()));
    if let Some(smtp) = wrong.smtp.as_mut() {
        smtp.password = Some(Secret::new("wrong-password"));
    }
    let err = NotifySender::from_config(&wrong, clock()).unwrap().send(&msg).await.unwrap_err();
    assert!(!err.retry && err.reason.contains("535"), "refused credentials: {err:?}");
    assert!(!err.reason.contains("wrong-password"), "{err:?}");

    // A server that stops answering mid-conversation costs one bounded, retryable attempt.
    let mut silent = config(SmtpSecurity::Starttls, Some(cert.clone()));
    if let Some(smtp) = silent.smtp.as_mut() {
        smtp.password = Some(Secret::new("hang"));
        smtp.timeout_seconds = 1;
    }
    let started = Instant::now();
    let err = NotifySender::from_config(&silent, clock()).unwrap().send(&msg).await.unwrap_err();
    assert!(err.retry, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());

    trusted.send(&msg).await.unwrap();
    let got = server.received(1);
    assert_eq!(got["auth_login"], "hr@example.cn");
    assert_eq!((got["to"].as_str(), got["subject"].as_str()), (Some("wang.wu@example.cn"), Some(msg.title.as_str())));
}

#[tokio::test]
async fn smtp_rejections_are_classified_550_permanent_451_retry() {
    let server = SmtpServer::start();
    let sender = sender_with_smtp(server.port);
    let rejected =
        sender.send(&message(Destination::Email { to: "reject@example.cn".into() }, "approved")).await.unwrap_err();
    assert!(!rejected.retry, "550 must not be retried: {rejected:?}");
    assert!(rejected.reason.contains("550"), "{rejected:?}");
    assert!(
        !rejected.reason.contains("reject@example.cn"),
        "the server echoed the address; it must not be kept: {rejected:?}"
    );

    let busy =
        sender.send(&message(Destination::Email { to: "busy@example.cn".into() }, "approved")).await.unwrap_err();
    assert!(busy.retry, "451 is worth retrying: {busy:?}");

    // The pool recovers: a good address still goes through afterwards.
    sender.send(&message(Destination::Email { to: "li.si@example.cn".into() }, "approved")).await.unwrap();
    assert_eq!(server.received(1)["to"], "li.si@example.cn");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn smtp_refused_connection_is_retryable() {
    let sender = sender_with_smtp(free_port());
    let err = sender.send(&message(Destination::Email { to: "zhang.san@example.cn".into() }, "reminder")).await;
    let err = err.unwrap_err();
    assert!(err.retry, "a server that is down may come back: {err:?}");
}

#[tokio::test]
async fn email_without_smtp_or_with_a_bad_address_fails_permanently_without_naming_it() {
    let sender = NotifySender::from_config(&NotifyConfig::default(), clock()).unwrap();
    assert!(!sender.email_configured());
    let err = sender.send(&message(Destination::Email { to: "zhang.san@example.cn".into() }, "approved")).await;
    let err = err.unwrap_err();
    assert!(!err.retry && err.reason.contains("email not configured"), "{err:?}");

    let sender = sender_with_smtp(free_port());
    let err = sender.send(&message(Destination::Email { to: "张三 at 研发部".into() }, "approved")).await.unwrap_err();
    assert!(!err.retry, "{err:?}");
    assert!(!err.reason.contains("张三"), "personal data in the reason: {err:?}");
}

// ---------------------------------------------------------------------------------------- webhooks

#[derive(Clone, Debug)]
struct Captured {
    path: String,
    query: String,
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Captured>>>;

/// Answers like the vendors do (HTTP 200 with a code in the body), by path.
async fn vendor(State(log): State<Log>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_string();
    log.lock().unwrap().push(Captured {
        path: path.clone(),
        query: uri.query().unwrap_or_default().to_string(),
        headers,
        body,
    });
    let json = |v: serde_json::Value| (StatusCode::OK, axum::Json(v)).into_response();
    match path.as_str() {
        "/wecom/ok" | "/dingtalk/ok" => json(serde_json::json!({"errcode": 0, "errmsg": "ok"})),
        "/wecom/badkey" => json(serde_json::json!({"errcode": 93000, "errmsg": "invalid webhook url"})),
        "/wecom/limited" => json(serde_json::json!({"errcode": 45009, "errmsg": "api freq out of limit"})),
        "/dingtalk/badsign" => json(serde_json::json!({"errcode": 310000, "errmsg": "sign not match"})),
        p if p.starts_with("/feishu/ok/") => json(serde_json::json!({"code": 0, "msg": "success", "data": {}})),
        "/feishu/badsign" => {
            json(serde_json::json!({"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}))
        }
        "/generic/ok" => StatusCode::NO_CONTENT.into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
    }
}

async fn start_vendor() -> (u16, Log) {
    let log: Log = Arc::default();
    let app = axum::Router::new().fallback(vendor).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, log)
}

fn bot(name: &str, kind: WebhookKind, url: String, secret: Option<&str>, kinds: &[&str]) -> WebhookConfig {
    WebhookConfig {
        name: name.into(),
        kind,
        url: Secret::new(url),
        secret: secret.map(Secret::new),
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
    }
}

fn bots(port: u16) -> NotifySender {
    let at = |path: &str| format!("http://127.0.0.1:{port}{path}");
    let config = NotifyConfig {
        base_url: Some(format!("{BASE_URL}/")),
        webhooks: vec![
            bot("wecom", WebhookKind::Wecom, at("/wecom/ok?key=wecom-key-123"), None, &[]),
            bot("wecom-badkey", WebhookKind::Wecom, at("/wecom/badkey?key=wecom-key-123"), None, &[]),
            bot("wecom-limited", WebhookKind::Wecom, at("/wecom/limited?key=k"), None, &[]),
            bot("dingtalk", WebhookKind::Dingtalk, at("/dingtalk/ok?access_token=ding-token"), Some("SECding"), &[]),
            bot("dingtalk-badsign", WebhookKind::Dingtalk, at("/dingtalk/badsign?access_token=t"), Some("SECx"), &[]),
            bot("feishu", WebhookKind::Feishu, at("/feishu/ok/hook/abc"), Some("feishu-secret"), &[]),
            bot("feishu-badsign", WebhookKind::Feishu, at("/feishu/badsign"), Some("s"), &[]),
            bot("generic", WebhookKind::Generic, at("/generic/ok"), Some("generic-secret"), &[]),
            bot("broken", WebhookKind::Generic, at("/boom"), None, &[]),
            bot("escalations-only", WebhookKind::Wecom, at("/wecom/ok?key=e"), None, &["escalated"]),
            bot("down", WebhookKind::Wecom, format!("http://127.0.0.1:{}/x?key=k", free_port()), None, &[]),
        ],
        ..NotifyConfig::default()
    };
    NotifySender::from_config(&config, clock()).unwrap()
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

fn last(log: &Log) -> Captured {
    log.lock().unwrap().last().cloned().expect("the bot endpoint was not called")
}

fn json(c: &Captured) -> serde_json::Value {
    assert_eq!(c.headers["content-type"], "application/json; charset=utf-8");
    serde_json::from_slice(&c.body).unwrap()
}

async fn send(sender: &NotifySender, name: &str, kind: &str) -> (OutboundMessage, Result<(), SendError>) {
    let msg = message(Destination::Webhook { name: name.into() }, kind);
    let result = sender.send(&msg).await;
    (msg, result)
}

const LINK: &str = "https://hr.example.cn/me/approvals/0190f0a8-7c1d-7000-8000-000000000001";

#[tokio::test]
async fn wecom_gets_markdown_with_the_key_left_in_the_url() {
    let (port, log) = start_vendor().await;
    let sender = bots(port);
    send(&sender, "wecom", "task_assigned").await.1.unwrap();
    let call = last(&log);
    assert_eq!((call.path.as_str(), call.query.as_str()), ("/wecom/ok", "key=wecom-key-123"));
    let body = json(&call);
    assert_eq!(body["msgtype"], "markdown");
    let content = body["markdown"]["content"].as_str().unwrap();
    assert!(content.starts_with("**请审批：张三的年假申请（3 天）**\n申请人：张三（研发部）"), "{content}");
    assert!(content.ends_with(&format!("[查看与处理]({LINK})")), "{content}");
    assert_eq!(body.as_object().unwrap().len(), 2, "nothing but msgtype and markdown: {body}");
}

#[tokio::test]
async fn dingtalk_url_is_signed_with_timestamp_and_hmac() {
    let (port, log) = start_vendor().await;
    let sender = bots(port);
    send(&sender, "dingtalk", "approved").await.1.unwrap();
    let call = last(&log);
    assert_eq!(call.path, "/dingtalk/ok");
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(call.query.as_bytes()).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(get("access_token"), "ding-token");
    let timestamp = get("timestamp");
    assert_eq!(timestamp, now().timestamp_millis().to_string(), "milliseconds from the clock");
    // The sign is base64 of 32 bytes (always ends in '='), URL-encoded exactly once.
    let expected = BASE64.encode(hmac_sha256(b"SECding", format!("{timestamp}\nSECding").as_bytes()));
    assert_eq!(get("sign"), expected);
    assert!(call.query.contains("&sign=") && call.query.ends_with("%3D"), "{}", call.query);
    let body = json(&call);
    assert_eq!(body["msgtype"], "markdown");
    assert_eq!(body["markdown"]["title"], "请审批：张三的年假申请（3 天）");
    let text = body["markdown"]["text"].as_str().unwrap();
    assert!(text.starts_with("#### 请审批：张三的年假申请（3 天）\n\n"), "{text}");
    assert!(text.contains(&format!("[查看与处理]({LINK})")), "{text}");
}

#[tokio::test]
async fn feishu_body_carries_timestamp_and_sign() {
    let (port, log) = start_vendor().await;
    let sender = bots(port);
    send(&sender, "feishu", "rejected").await.1.unwrap();
    let call = last(&log);
    assert_eq!(call.path, "/feishu/ok/hook/abc");
    let body = json(&call);
    let timestamp = body["timestamp"].as_str().expect("timestamp is a string of seconds");
    assert_eq!(timestamp, now().timestamp().to_string());
    let expected = BASE64.encode(hmac_sha256(format!("{timestamp}\nfeishu-secret").as_bytes(), b""));
    assert_eq!(body["sign"], expected);
    assert_eq!(body["msg_type"], "text");
    let text = body["content"]["text"].as_str().unwrap();
    assert!(text.starts_with("请审批：张三的年假申请（3 天）\n申请人"), "{text}");
    assert!(text.ends_with(&format!("查看与处理：{LINK}")), "{text}");
}

#[tokio::test]
async fn generic_webhook_is_signed_over_timestamp_and_raw_body() {
    let (port, log) = start_vendor().await;
    let sender = bots(port);
    let (msg, result) = send(&sender, "generic", "escalated").await;
    result.unwrap();
    let call = last(&log);
    let header = |k: &str| call.headers[k].to_str().unwrap().to_string();
    assert_eq!(header("x-bole-delivery"), msg.id.to_string());
    assert_eq!(header("x-bole-event"), "escalated");
    let timestamp = header("x-bole-timestamp");
    assert_eq!(timestamp, now().timestamp().to_string());
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(&call.body);
    assert_eq!(header("x-bole-signature"), format!("sha256={}", hex::encode(hmac_sha256(b"generic-secret", &signed))));
    assert_eq!(
        json(&call),
        serde_json::json!({
            "id": msg.id, "kind": "escalated", "title": msg.title, "body": msg.body, "link": LINK,
        })
    );
}

#[tokio::test]
async fn vendor_error_codes_http_errors_and_unknown_bots_are_classified() {
    let (port, log) = start_vendor().await;
    let sender = bots(port);
    let cases = [
        ("wecom-badkey", false),
        ("wecom-limited", true),
        ("dingtalk-badsign", false),
        ("feishu-badsign", false),
        ("broken", true),
        ("down", true),
        ("nobody", false),
    ];
    for (name, retry) in cases {
        let err = send(&sender, name, "task_assigned").await.1.unwrap_err();
        assert_eq!(err.retry, retry, "{name}: {err:?}");
        // The URL carries the bot's key: errors name the bot, never the address.
        assert!(!err.reason.contains("wecom-key-123") && !err.reason.contains("127.0.0.1"), "{err:?}");
        assert!(err.reason.contains(name), "{name}: {err:?}");
    }
    assert_eq!(log.lock().unwrap().len(), 5, "every configured, reachable bot was called once");
}

#[tokio::test]
async fn bots_forward_only_the_kinds_they_ask_for() {
    let (port, log) = start_vendor().await;
    let sender = bots(port);
    assert!(!sender.webhooks_for("task_assigned").contains(&"escalations-only".to_string()));
    assert!(sender.webhooks_for("escalated").contains(&"escalations-only".to_string()));
    assert!(sender.webhooks_for("escalated").contains(&"wecom".to_string()), "empty kinds = all");

    send(&sender, "escalations-only", "task_assigned").await.1.unwrap();
    assert!(log.lock().unwrap().is_empty(), "a kind the bot does not forward is not sent");
    send(&sender, "escalations-only", "escalated").await.1.unwrap();
    assert_eq!(last(&log).query, "key=e");
}

// ---------------------------------------------------------------------------------------- settings

#[test]
#[expect(clippy::result_large_err, reason = "figment::Jail fixes the closure's error type to figment::Error")]
fn notify_settings_from_toml_and_environment_with_secrets_redacted() {
    figment::Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file(
            "site.toml",
            r#"
[notify]
base_url = "https://hr.example.cn"
batch_size = 50

[notify.smtp]
host = "smtp.exmail.qq.com"
security = "tls"
username = "hr@example.cn"
password = "mail-PASSWORD-1"
from = "伯乐 HR <hr@example.cn>"

[[notify.webhooks]]
name = "hr-team"
kind = "wecom"
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=WECOM-KEY-2"
kinds = ["escalated"]

[[notify.webhooks]]
name = "approvals"
kind = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=DING-TOKEN-3"
secret = "SEC-SECRET-4"
"#,
        )?;
        let flags = Overrides { config_file: Some("site.toml".into()), ..Overrides::default() };
        let s = Settings::load(&flags).unwrap();
        let n = &s.notify;
        assert_eq!(n.base_url.as_deref(), Some("https://hr.example.cn"));
        assert_eq!((n.batch_size, n.delivery_interval_seconds), (50, 30));
        let smtp = n.smtp.as_ref().unwrap();
        assert_eq!((smtp.host.as_str(), smtp.security, smtp.port), ("smtp.exmail.qq.com", SmtpSecurity::Tls, None));
        assert_eq!(smtp.password.as_ref().unwrap().expose(), "mail-PASSWORD-1");
        assert_eq!(n.webhooks.len(), 2);
        assert_eq!((n.webhooks[0].kind, n.webhooks[0].kinds.clone()), (WebhookKind::Wecom, vec!["escalated".into()]));
        assert_eq!(n.webhooks[1].secret.as_ref().unwrap().expose(), "SEC-SECRET-4");
        // lettre's pool closes its connections on a runtime task: build (and drop) inside one.
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let sender = NotifySender::from_config(n, clock()).unwrap();
            assert!(sender.email_configured());
            assert_eq!(sender.webhooks_for("task_assigned"), vec!["approvals".to_string()]);
        });
        assert_eq!(n.routing().webhooks, vec!["hr-team".to_string(), "approvals".to_string()]);
        assert!(n.routing().email);

        let debug = format!("{s:?}");
        for secret in ["mail-PASSWORD-1", "WECOM-KEY-2", "DING-TOKEN-3", "SEC-SECRET-4"] {
            assert!(!debug.contains(secret), "{secret} leaked into Debug: {debug}");
        }
        let shown = serde_json::to_string(&s).unwrap();
        assert!(!shown.contains("PASSWORD") && !shown.contains("SEC-SECRET"), "{shown}");

        // The environment adds to and overrides the file.
        jail.set_env("BOLE_NOTIFY__SMTP__HOST", "mail.internal");
        jail.set_env("BOLE_NOTIFY__SMTP__PORT", "2525");
        jail.set_env("BOLE_NOTIFY__SMTP__PASSWORD", "env-PASSWORD-5");
        jail.set_env("BOLE_NOTIFY__DELIVERY_INTERVAL_SECONDS", "10");
        let s = Settings::load(&flags).unwrap();
        let smtp = s.notify.smtp.as_ref().unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port), ("mail.internal", Some(2525)));
        assert_eq!(smtp.password.as_ref().unwrap().expose(), "env-PASSWORD-5");
        assert_eq!(s.notify.delivery_interval_seconds, 10);
        assert!(!format!("{s:?}").contains("env-PASSWORD-5"));
        Ok(())
    });
}

#[test]
#[expect(clippy::result_large_err, reason = "figment::Jail fixes the closure's error type to figment::Error")]
fn smtp_from_the_environment_alone_and_its_mistakes() {
    figment::Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("BOLE_NOTIFY__BASE_URL", "https://hr.example.cn");
        jail.set_env("BOLE_NOTIFY__SMTP__HOST", "127.0.0.1");
        jail.set_env("BOLE_NOTIFY__SMTP__SECURITY", "none");
        jail.set_env("BOLE_NOTIFY__SMTP__FROM", "伯乐 HR <hr@example.cn>");
        let s = Settings::load(&Overrides::default()).unwrap();
        assert_eq!(s.notify.smtp.as_ref().unwrap().security, SmtpSecurity::None);

        jail.set_env("BOLE_NOTIFY__SMTP__SECURITY", "ssl");
        let err = Settings::load(&Overrides::default()).unwrap_err();
        assert!(err.msg.zh.contains("notify.smtp.security") && err.msg.zh.contains("[notify]"), "{err:?}");
        assert!(err.msg.en.contains("BOLE_NOTIFY__SMTP__SECURITY") && err.msg.en.contains("`starttls`"), "{err:?}");

        jail.set_env("BOLE_NOTIFY__SMTP__SECURITY", "starttls");
        jail.set_env("BOLE_NOTIFY__SMTP__FROM", "hr at example");
        jail.set_env("BOLE_NOTIFY__BASE_URL", "");
        let err = Settings::load(&Overrides::default()).unwrap_err();
        assert!(err.msg.en.contains("notify.smtp.from") && err.msg.en.contains("notify.base_url"), "{}", err.msg.en);

        jail.set_env("BOLE_NOTIFY__SMTP__FROM", "hr@example.cn");
        jail.set_env("BOLE_NOTIFY__BASE_URL", "https://hr.example.cn");
        jail.set_env("BOLE_NOTIFY__SMTP__PASWORD", "typo");
        let err = Settings::load(&Overrides::default()).unwrap_err();
        assert!(err.msg.zh.contains("未知的配置项“notify.smtp.pasword”"), "{}", err.msg.zh);
        Ok(())
    });
}

/// The commented `[notify.smtp]` and `[[notify.webhooks]]` examples of `bole config default`
/// are valid once uncommented.
#[test]
fn the_sample_examples_work_when_uncommented() {
    let sample = Settings::default_toml();
    let notify = &sample[sample.find("\n[notify]\n").unwrap()..];
    let uncommented: String = notify
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest)
                if rest.starts_with('[')
                    || rest.split_once(" = ").is_some_and(|(k, _)| {
                        !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    }) =>
            {
                rest
            }
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(uncommented.contains("\n[notify.smtp]\n") && uncommented.contains("\nkind = \"dingtalk\""));
    let settings: Settings = figment::Figment::from(figment::providers::Serialized::defaults(Settings::default()))
        .merge(<figment::providers::Toml as figment::providers::Format>::string(&uncommented))
        .extract()
        .unwrap();
    settings.validate().unwrap();
    assert_eq!(settings.notify.webhooks.len(), 2);
    assert_eq!(settings.notify.smtp.as_ref().unwrap().port, Some(465));
}
