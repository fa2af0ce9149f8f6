//! Optional TLS (`[http.tls]`): with a self-signed certificate made here, `bole`
//! serves HTTPS on its own listener; a rustls client that trusts only that
//! certificate completes the handshake, gets HSTS on every answer and `Secure`
//! cookies at login. A broken certificate path is a clear startup error.
#![expect(clippy::unwrap_used, reason = "test setup: a failure should fail the test loudly")]

use bole_app::security::TlsSettings;
use bole_app::{App, Settings};
use bole_core::FixedClock;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// One HTTP/1.1 request over a fresh TLS connection; the raw response text.
async fn https(port: u16, roots: &RootCertStore, request: &str) -> String {
    let config = ClientConfig::builder().with_root_certificates(roots.clone()).with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut tls = connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap();
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tls.read_to_end(&mut out).await.unwrap_or_default();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn serves_https_from_certificate_files() {
    let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_file = dir.path().join("cert.pem");
    let key_file = dir.path().join("key.pem");
    std::fs::write(&cert_file, certified.cert.pem()).unwrap();
    std::fs::write(&key_file, certified.signing_key.serialize_pem()).unwrap();
    let tls = TlsSettings { cert_file, key_file };

    let mut settings = Settings { data_dir: dir.path().join("data"), ..Settings::default() };
    settings.http.tls = Some(tls.clone());
    settings.security.mfa_required_for_privileged = false;
    let app = App::build(settings, Arc::new(FixedClock::on(bole_testkit::d("2026-03-02")))).await.unwrap();
    app.services.accounts.bootstrap_admin("admin", "Correct-Horse-42").await.unwrap();
    let config = bole_app::tls::rustls_config(&tls).await.unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve_tls_on(listener, config, async move {
        let _ = stopped.await;
    }));

    let mut roots = RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let health = https(port, &roots, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.to_ascii_lowercase().contains("strict-transport-security: max-age=31536000"), "{health}");

    let body = r#"{"username":"admin","password":"Correct-Horse-42"}"#;
    let login = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let answer = https(port, &roots, &login).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let cookies: Vec<&str> = answer.lines().filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).collect();
    assert_eq!(cookies.len(), 2, "{answer}");
    assert!(cookies.iter().all(|c| c.trim_end().ends_with("; Secure")), "{cookies:?}");

    // A client that does not trust the certificate cannot complete the handshake.
    let strangers = ClientConfig::builder().with_root_certificates(RootCertStore::empty()).with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let refused =
        TlsConnector::from(Arc::new(strangers)).connect(ServerName::try_from("localhost").unwrap(), tcp).await;
    assert!(refused.is_err());

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_missing_certificate_is_a_clear_error() {
    let tls = TlsSettings { cert_file: "/nonexistent/cert.pem".into(), key_file: "/nonexistent/key.pem".into() };
    let err = bole_app::tls::rustls_config(&tls).await.unwrap_err();
    assert!(err.msg.en.contains("/nonexistent/cert.pem"), "{err:?}");
    assert!(err.msg.zh.contains("TLS 证书"), "{err:?}");
}
