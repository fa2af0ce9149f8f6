//! Optional HTTPS: Bole terminates TLS itself with rustls (ring provider) from PEM
//! files named in `[http.tls]`. Behind a TLS-terminating proxy leave it off and list
//! the proxy in `[http] trusted_proxies` instead.

use crate::error::AppError;
use crate::security::TlsSettings;

pub use axum_server::tls_rustls::RustlsConfig;

/// The server configuration from the certificate chain and key files. Errors name the files.
pub async fn rustls_config(tls: &TlsSettings) -> Result<RustlsConfig, AppError> {
    // rustls needs one process-wide crypto provider; ring is the one compiled in. Installing
    // twice (tests) is harmless: the first one stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
    RustlsConfig::from_pem_file(&tls.cert_file, &tls.key_file).await.map_err(|e| {
        let (cert, key) = (tls.cert_file.display(), tls.key_file.display());
        AppError::failure(
            format!("无法读取 TLS 证书 {cert} 或私钥 {key}：{e}"),
            format!("cannot load the TLS certificate {cert} or key {key}: {e}"),
        )
    })
}
