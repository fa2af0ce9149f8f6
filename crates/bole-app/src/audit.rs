//! Wiring of the audit trail: the SM2 key that signs checkpoints (kept outside the
//! database, in `<data_dir>/audit-signing.key` unless configured), the service over
//! the store, and the background job that signs the periodic checkpoints.

use crate::error::AppError;
use crate::settings::Settings;
use bole_audit::{AuditService, AuditStore, Signer};
use bole_core::clock::SharedClock;
use bole_store::SqlStore;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How often the server looks for due checkpoints.
const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(60);

/// The signing key from its file; a missing file is created (mode 0600) — but only while the
/// trail holds no checkpoint or anchor, since a new key could not vouch for the old ones.
pub async fn load_signer(settings: &Settings, store: &SqlStore) -> Result<Signer, AppError> {
    let path = settings.audit_signing_key_file();
    if path.exists() {
        return read_signer(&path);
    }
    let used = store.checkpoints().await.map(|c| !c.is_empty()).unwrap_or(true)
        || store.anchor().await.map(|a| a.is_some()).unwrap_or(true);
    if used {
        return Err(AppError::config(
            format!(
                "找不到审计签名密钥 {}，而审计日志已有签名检查点：请恢复该密钥文件，或用 audit.signing_key_file 指定其位置",
                path.display()
            ),
            format!(
                "the audit signing key {} is missing but the audit trail already has signed checkpoints: restore the key file or point audit.signing_key_file at it",
                path.display()
            ),
        ));
    }
    let signer = Signer::generate().map_err(|e| {
        AppError::failure(format!("无法生成审计签名密钥：{e}"), format!("cannot generate the audit signing key: {e}"))
    })?;
    write_private(&path, &signer)?;
    tracing::warn!(
        key.file = %path.display(),
        key.public = %signer.public_key_hex(),
        "created the audit signing key; back it up: checkpoints signed with it can only be verified with it"
    );
    Ok(signer)
}

fn read_signer(path: &Path) -> Result<Signer, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AppError::config(
            format!("无法读取审计签名密钥 {}：{e}", path.display()),
            format!("cannot read the audit signing key {}: {e}", path.display()),
        )
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(key.file = %path.display(), "the audit signing key is readable by others; chmod 600 it");
        }
    }
    Signer::from_text(&text).map_err(|_| {
        AppError::config(
            format!("审计签名密钥 {} 不是有效的 SM2 私钥（PEM 或 64 位十六进制）", path.display()),
            format!("the audit signing key {} is not a valid SM2 private key (PEM or 64 hex digits)", path.display()),
        )
    })
}

fn write_private(path: &Path, signer: &Signer) -> Result<(), AppError> {
    use std::io::Write;
    let failed = |e: &dyn std::fmt::Display| {
        AppError::failure(
            format!("无法写入审计签名密钥 {}：{e}", path.display()),
            format!("cannot write the audit signing key {}: {e}", path.display()),
        )
    };
    let pem = signer.to_pem().map_err(|e| failed(&e))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| failed(&e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    // create_new: two processes starting at once must not overwrite each other's key.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| failed(&e))?;
    file.write_all(pem.as_bytes()).and_then(|()| file.sync_all()).map_err(|e| failed(&e))
}

/// The audit service over the store, with the settings' retention, checkpoint interval and
/// trusted keys.
pub fn service(settings: &Settings, store: &Arc<SqlStore>, clock: SharedClock, signer: Signer) -> AuditService {
    let mut audit = AuditService::new(store.clone(), clock, signer)
        .with_retention_days(settings.audit.retention_days)
        .with_checkpoint_every(settings.audit.checkpoint_every);
    for key in &settings.audit.trusted_public_keys {
        audit = audit.trusting(key);
    }
    audit
}

/// Sign due checkpoints now and then every minute, until the task is dropped. A failure
/// (a broken chain refuses to be signed) is logged once per distinct cause, not every minute.
pub async fn checkpoint_job(audit: AuditService) {
    let mut interval = tokio::time::interval(CHECKPOINT_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_error = String::new();
    loop {
        interval.tick().await;
        match audit.checkpoint_if_due().await {
            Ok(made) => {
                last_error.clear();
                for cp in made {
                    tracing::info!(audit.checkpoint.seq = cp.seq, "signed an audit checkpoint");
                }
            }
            Err(e) => {
                let text = e.to_string();
                if text != last_error {
                    tracing::error!(error = %text, "cannot sign the audit checkpoint; run `bole audit verify`");
                    last_error = text;
                }
            }
        }
    }
}
