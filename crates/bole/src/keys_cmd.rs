//! `bole keys rotate`: field-encryption key management.
//!
//! - Without `--master`: a new data key becomes active and every sealed value is
//!   re-encrypted under it in batches; retired keys nothing uses any more are deleted.
//! - With `--master FILE`: every stored key (data keys and the blind-index key) is
//!   rewrapped under the master key in FILE (generated there when absent) in one
//!   transaction; then the configured key file is replaced by the new key. When the
//!   key comes from `BOLE_MASTER_KEY` instead, the operator must update that variable.
//!
//! Both are safe to run while a server is up: servers look up the active data key
//! before each write and reload keys they do not know.

use crate::cli::KeysRotateArgs;
use crate::commands::{load, runtime};
use bole_app::AppError;
use bole_crypto::{MASTER_KEY_ENV, MasterKey};
use std::path::Path;
use std::process::ExitCode;

fn key_error(e: impl std::fmt::Display) -> AppError {
    AppError::failure(format!("密钥轮换失败：{e}"), format!("key rotation failed: {e}"))
}

pub fn rotate(args: KeysRotateArgs) -> Result<ExitCode, AppError> {
    let settings = load(&args.data, None)?;
    runtime()?.block_on(async {
        let db = bole_app::connect(&settings).await?;
        bole_app::migrate(&db).await?;
        let store = bole_app::open_store(&settings, &db).await?;
        let done = match &args.master {
            None => rotate_data_key(&store).await,
            Some(file) => rotate_master_key(&store, file, &settings.master_key_file()).await,
        };
        db.close().await;
        done
    })
}

async fn rotate_data_key(store: &bole_store::SqlStore) -> Result<ExitCode, AppError> {
    let report = store.rotate_data_key().await.map_err(key_error)?;
    println!("新的数据密钥 / new active data key: {}", report.active);
    println!("已重新加密 / values re-encrypted: {}", report.resealed);
    if report.remaining == 0 {
        let ids: Vec<String> = report.destroyed.iter().map(u32::to_string).collect();
        println!(
            "已销毁的旧数据密钥 / retired keys destroyed: {}",
            if ids.is_empty() { "-".into() } else { ids.join(", ") }
        );
        Ok(ExitCode::SUCCESS)
    } else {
        // A server with a stale keyring wrote under the old key meanwhile: keep it, ask for a rerun.
        eprintln!(
            "仍有 {n} 个值使用旧密钥（轮换期间有写入），旧密钥已保留；请再次运行 bole keys rotate。\n\
             {n} value(s) still use a retired key (written during the rotation); it was kept — run `bole keys rotate` again.",
            n = report.remaining
        );
        Ok(ExitCode::FAILURE)
    }
}

async fn rotate_master_key(
    store: &bole_store::SqlStore,
    new_file: &Path,
    configured: &Path,
) -> Result<ExitCode, AppError> {
    let from_env = std::env::var_os(MASTER_KEY_ENV).is_some_and(|v| !v.is_empty());
    if !from_env && same_file(new_file, configured) {
        return Err(AppError::config(
            format!("--master 须指向新的密钥文件，而不是当前的 {}", configured.display()),
            format!("--master must name a new key file, not the current one ({})", configured.display()),
        ));
    }
    let (new_master, created) = MasterKey::load_or_create(new_file).map_err(key_error)?;
    let current = store.master_key().ok_or_else(|| key_error("no master key"))?;
    if new_master.fingerprint() == current.fingerprint() {
        return Err(AppError::config(
            "新主密钥与当前主密钥相同".to_string(),
            "the new master key is the current one".to_string(),
        ));
    }
    let n = store.rewrap_keys(&new_master).await.map_err(key_error)?;
    if created {
        println!("已生成新主密钥 / generated a new master key: {}", new_file.display());
    }
    println!("已用新主密钥重新包装 {n} 个密钥 / rewrapped {n} key(s) under master key {}", new_master.fingerprint());
    if from_env {
        println!(
            "请将环境变量 {MASTER_KEY_ENV} 改为 {} 中的新密钥后再重启服务。\n\
             Set {MASTER_KEY_ENV} to the key in {} before restarting the server.",
            new_file.display(),
            new_file.display()
        );
    } else {
        new_master.write_replacing(configured).map_err(|e| {
            AppError::failure(
                format!("密钥已重新包装，但无法替换密钥文件 {}：{e}。请手动用 {} 替换它", configured.display(), new_file.display()),
                format!(
                    "the keys were rewrapped but the key file {} could not be replaced: {e}. Replace it with {} by hand",
                    configured.display(),
                    new_file.display()
                ),
            )
        })?;
        println!(
            "已替换密钥文件 / replaced the key file {}；请安全保存新主密钥并销毁旧密钥的备份 / keep the new key safe and destroy backups of the old one.",
            configured.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
