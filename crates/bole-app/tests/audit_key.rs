//! The audit signing key's life: created once (owner-only) next to the data, read back on
//! every start, never silently replaced once checkpoints depend on it.

use bole_app::{ErrorClass, Settings};
use bole_audit::{AuditStore, Signer};
use bole_testkit::TestDb;

#[tokio::test]
async fn the_key_is_created_once_and_read_back() {
    let t = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { data_dir: dir.path().to_path_buf(), ..Settings::default() };
    let first = bole_app::audit::load_signer(&settings, &t.store).await.unwrap();
    let file = dir.path().join("audit-signing.key");
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("-----BEGIN EC PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let again = bole_app::audit::load_signer(&settings, &t.store).await.unwrap();
    assert_eq!(again.public_key(), first.public_key());
}

#[tokio::test]
async fn a_missing_key_is_not_replaced_once_checkpoints_exist() {
    let t = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { data_dir: dir.path().to_path_buf(), ..Settings::default() };
    let signer = bole_app::audit::load_signer(&settings, &t.store).await.unwrap();
    let head = t.store.head().await.unwrap();
    t.store.insert_checkpoint(&signer.checkpoint(head.seq, head.hash, chrono::DateTime::UNIX_EPOCH)).await.unwrap();
    std::fs::remove_file(dir.path().join("audit-signing.key")).unwrap();

    let err = bole_app::audit::load_signer(&settings, &t.store).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Config);
    assert!(err.msg.en.contains("audit.signing_key_file"), "{}", err.msg.en);
    assert!(!dir.path().join("audit-signing.key").exists());
}

#[tokio::test]
async fn a_configured_key_file_is_used_and_a_bad_one_refused() {
    let t = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("elsewhere.key");
    std::fs::write(&file, "22".repeat(32)).unwrap();
    let mut settings = Settings { data_dir: dir.path().to_path_buf(), ..Settings::default() };
    settings.audit.signing_key_file = Some(file.clone());
    let signer = bole_app::audit::load_signer(&settings, &t.store).await.unwrap();
    assert_eq!(signer.public_key(), Signer::from_text(&"22".repeat(32)).unwrap().public_key());

    std::fs::write(&file, "not a key").unwrap();
    let err = bole_app::audit::load_signer(&settings, &t.store).await.unwrap_err();
    assert_eq!(err.class, ErrorClass::Config);
    assert!(err.msg.en.contains("not a valid SM2 private key"), "{}", err.msg.en);
}

#[test]
fn the_retention_cannot_go_below_the_legal_minimum() {
    let mut s = Settings::default();
    assert_eq!((s.audit.retention_days, s.audit.checkpoint_every), (180, 1000));
    s.audit.retention_days = 90;
    let err = s.validate().unwrap_err();
    assert!(err.msg.en.contains("audit.retention_days = 90"), "{}", err.msg.en);
    s.audit.retention_days = 365;
    s.audit.trusted_public_keys = vec!["abcd".into()];
    assert!(s.validate().unwrap_err().msg.en.contains("trusted_public_keys"));
}
