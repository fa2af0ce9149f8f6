//! Field encryption at rest: which columns are sealed, the keys that seal them,
//! and the maintenance jobs over them (sealing legacy plaintext rows, data-key
//! rotation, master-key rewrap).
//!
//! Sensitive and important personal fields are stored SM4-GCM sealed
//! ([`bole_crypto::Keyring`]; format `0x01 ‖ key_id:u32 ‖ nonce:12 ‖ ciphertext ‖ tag:16`
//! in a BLOB/BYTEA `<column>_enc`), bound by associated data to their place:
//! `"<table>.<column>:<row uuid>"`. Exact-match lookups go through a blind index
//! (`<column>_bidx`, 32 bytes of HMAC-SM3 under the index key).
//!
//! Keys live in `crypto_keys`: the index key (id 0) and the data keys (id ≥ 1), each
//! wrapped by the master key, which never enters the database. One data key is
//! `active` (seals new values); `retired` keys only open old values until rotation
//! has re-sealed them, and are then deleted.
//!
//! A running server and `bole keys rotate` may overlap: writes look up the active key id
//! first (one indexed read), and reads that meet an unknown key id reload the keyring.

use crate::db::{Db, Tx, is_unique_violation};
use crate::{SqlStore, on_db, on_tx};
use bole_crypto::{BlindField, CryptoError, DataKey, IndexKey, Keyring, MasterKey, sealed_key_id};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use uuid::Uuid;

/// Rows per batch in the maintenance jobs.
const BATCH: i64 = 500;
/// Key id of the blind-index key in `crypto_keys`.
const INDEX_KEY_ID: i32 = 0;

/// One sealed column: `table.<enc>` holds the value of logical field `table.field`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SealedField {
    pub table: &'static str,
    /// The logical field name, used in the associated data.
    pub field: &'static str,
    /// The BLOB/BYTEA column holding the sealed value.
    pub enc: &'static str,
}

impl SealedField {
    const fn new(table: &'static str, field: &'static str, enc: &'static str) -> Self {
        Self { table, field, enc }
    }

    /// The associated data binding a value to this column of row `id`.
    pub fn aad(&self, id: Uuid) -> String {
        format!("{}.{}:{}", self.table, self.field, id.hyphenated())
    }
}

pub const EMPLOYEE_ID_NUMBER: SealedField = SealedField::new("employees", "id_number", "id_number_enc");
pub const EMPLOYEE_PHONE: SealedField = SealedField::new("employees", "phone", "phone_enc");
pub const EMPLOYEE_ADDRESS: SealedField = SealedField::new("employees", "address", "address_enc");
pub const EMPLOYEE_BANK_ACCOUNT: SealedField = SealedField::new("employees", "bank_account", "bank_account_enc");
pub const CONTACT_PHONE: SealedField = SealedField::new("employee_contacts", "phone", "phone_enc");
/// An account's TOTP secret (migration 0004); sealed and opened by `access.rs`.
pub const USER_MFA_SECRET: SealedField = SealedField::new("users", "mfa_secret", "mfa_secret");

/// A data-subject request's free text and proposed corrections (migration 0006); sealed by `privacy.rs`.
pub const PRIVACY_REQUEST_DETAILS: SealedField = SealedField::new("privacy_requests", "details", "details_enc");
pub const PRIVACY_REQUEST_CORRECTIONS: SealedField =
    SealedField::new("privacy_requests", "corrections", "corrections_enc");

/// Payroll (migration 0012); sealed and opened by `payroll.rs`. A salary assignment's amounts
/// (`{base_salary, fixed, si}` as JSON), a declaration's details, an adjustment's amount and
/// reason, and a pay-run item's payslip (`0x00` ‖ raw DEFLATE of its JSON) with, apart, the
/// cumulative tax figures the following months start from.
pub const SALARY_AMOUNTS: SealedField = SealedField::new("salary_assignments", "amounts", "amounts_enc");
pub const DECLARATION_DETAILS: SealedField = SealedField::new("deduction_declarations", "details", "details_enc");
pub const ADJUSTMENT_DETAILS: SealedField = SealedField::new("pay_adjustments", "details", "details_enc");
pub const PAYSLIP: SealedField = SealedField::new("pay_run_items", "payslip", "payslip_enc");
pub const PAYSLIP_YTD: SealedField = SealedField::new("pay_run_items", "ytd", "ytd_enc");

/// Every sealed column. Rotation re-seals exactly these; a new sealed column is added here
/// (and in its migration) — nothing else needs to know.
pub const SEALED_FIELDS: &[SealedField] = &[
    EMPLOYEE_ID_NUMBER,
    EMPLOYEE_PHONE,
    EMPLOYEE_ADDRESS,
    EMPLOYEE_BANK_ACCOUNT,
    CONTACT_PHONE,
    USER_MFA_SECRET,
    PRIVACY_REQUEST_DETAILS,
    PRIVACY_REQUEST_CORRECTIONS,
    SALARY_AMOUNTS,
    DECLARATION_DETAILS,
    ADJUSTMENT_DETAILS,
    PAYSLIP,
    PAYSLIP_YTD,
];

/// What the legacy `employees.id_number` column (NOT NULL, and on SQLite still under its
/// original UNIQUE constraint) holds once the number is sealed: unique per row, meaningless.
pub fn id_number_stub(id: Uuid) -> String {
    format!("sealed:{}", id.simple())
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error(
        "this database is encrypted but no master key was found: set {env} or put the key file at {path}",
        env = bole_crypto::MASTER_KEY_ENV
    )]
    MissingMasterKey { path: PathBuf },
    #[error("the store was opened with a fixed keyring and no master key; key management needs the master key")]
    NoMasterKey,
    #[error("the database holds no keys yet")]
    NoKeys,
    #[error("employees {0} and another record have the same ID number; resolve the duplicate, then restart")]
    DuplicateIdNumber(Uuid),
}

/// Where the master key came from, for the startup log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MasterKeyOrigin {
    Environment,
    File,
    /// A new key file was written (first start of a fresh database).
    Created,
}

/// The keys a store works with: the master key (absent for a fixed test keyring) and the
/// unwrapped keyring, swapped whole when `crypto_keys` changes.
pub(crate) struct Keys {
    master: Option<MasterKey>,
    ring: RwLock<Arc<Keyring>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("master", &self.master).field("ring", &self.ring).finish()
    }
}

impl Keys {
    pub(crate) fn fixed(ring: Keyring) -> Self {
        Self { master: None, ring: RwLock::new(Arc::new(ring)) }
    }
}

/// One row of `crypto_keys`.
type KeyRow = (i32, String, String, Vec<u8>);

async fn key_rows(db: &Db) -> Result<Vec<KeyRow>, sqlx::Error> {
    on_db!(db, p => {
        sqlx::query_as("SELECT id, purpose, state, wrapped FROM crypto_keys ORDER BY id").fetch_all(p).await
    })
}

fn ring_from_rows(master: &MasterKey, rows: &[KeyRow]) -> Result<Keyring, KeyError> {
    let mut index = None;
    let mut data = Vec::new();
    let mut active = None;
    for (id, purpose, state, wrapped) in rows {
        if purpose == "index" {
            index = Some(master.unwrap_index_key(wrapped)?);
        } else {
            let id = u32::try_from(*id).map_err(|_| CryptoError::Format { what: "key id" })?;
            data.push(master.unwrap_data_key(id, wrapped)?);
            if state == "active" {
                active = Some(id);
            }
        }
    }
    match (index, active) {
        (Some(index), Some(active)) => Ok(Keyring::new(data, active, index)?),
        _ => Err(KeyError::NoKeys),
    }
}

/// First start: an index key and data key 1, in one transaction. When another process
/// initialises concurrently its keys win and ours are dropped.
async fn initialise_keys(db: &Db, master: &MasterKey) -> Result<(), KeyError> {
    let index = master.wrap_index_key(&IndexKey::generate()?)?;
    let data = master.wrap_data_key(&DataKey::generate(1)?)?;
    const INSERT: &str = "INSERT INTO crypto_keys (id, purpose, state, wrapped, created_at) VALUES ($1, $2, 'active', $3, CURRENT_TIMESTAMP)";
    let result: Result<(), sqlx::Error> = on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query(INSERT).bind(INDEX_KEY_ID).bind("index").bind(index).execute(&mut *tx).await?;
        sqlx::query(INSERT).bind(1i32).bind("data").bind(data).execute(&mut *tx).await?;
        tx.commit().await
    });
    match result {
        Err(e) if is_unique_violation(&e) => Ok(()),
        other => Ok(other?),
    }
}

impl SqlStore {
    /// A store whose keys are in `crypto_keys`, wrapped by `master`; a fresh database
    /// gets its keys here. Fails when `master` does not unwrap the stored keys.
    pub async fn open(db: Db, master: MasterKey) -> Result<SqlStore, KeyError> {
        let mut rows = key_rows(&db).await?;
        if rows.is_empty() {
            initialise_keys(&db, &master).await?;
            rows = key_rows(&db).await?;
        }
        let ring = ring_from_rows(&master, &rows)?;
        Ok(SqlStore::assemble(db, Keys { master: Some(master), ring: RwLock::new(Arc::new(ring)) }))
    }

    /// [`SqlStore::open`] with the master key from the environment (`BOLE_MASTER_KEY`) or
    /// the key file at `path`. The key file is created (mode 0600) only for a database
    /// that holds no keys yet: a missing key for an encrypted database is an error, never
    /// a reason to start over with a new key.
    pub async fn open_with_key_file(db: Db, path: &Path) -> Result<(SqlStore, MasterKeyOrigin), KeyError> {
        let (master, origin) = match MasterKey::from_env() {
            Some(key) => (key?, MasterKeyOrigin::Environment),
            None if path.exists() => (MasterKey::load(path)?, MasterKeyOrigin::File),
            None => {
                if !key_rows(&db).await?.is_empty() {
                    return Err(KeyError::MissingMasterKey { path: path.to_path_buf() });
                }
                let (key, _) = MasterKey::load_or_create(path)?;
                (key, MasterKeyOrigin::Created)
            }
        };
        Ok((SqlStore::open(db, master).await?, origin))
    }

    /// A store over a fixed keyring that is not persisted (tests, benchmarks). Key
    /// management ([`SqlStore::rotate_data_key`], [`SqlStore::rewrap_keys`]) is unavailable.
    pub fn with_keyring(db: Db, ring: Keyring) -> SqlStore {
        SqlStore::assemble(db, Keys::fixed(ring))
    }

    /// The keyring as currently loaded.
    pub fn keyring(&self) -> Arc<Keyring> {
        match self.keys.ring.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set_ring(&self, ring: Keyring) {
        let ring = Arc::new(ring);
        match self.keys.ring.write() {
            Ok(mut g) => *g = ring,
            Err(poisoned) => *poisoned.into_inner() = ring,
        }
    }

    /// Reload the keyring from `crypto_keys` (after a rotation by another process).
    pub async fn reload_keys(&self) -> Result<Arc<Keyring>, KeyError> {
        let Some(master) = &self.keys.master else { return Ok(self.keyring()) };
        let ring = ring_from_rows(master, &key_rows(&self.db).await?)?;
        self.set_ring(ring);
        Ok(self.keyring())
    }

    /// The keyring to seal new values with: its active key is the one `crypto_keys` names
    /// now, so a server never keeps sealing under a key a rotation has retired.
    pub(crate) async fn sealing_ring(&self) -> Result<Arc<Keyring>, KeyError> {
        let ring = self.keyring();
        if self.keys.master.is_none() {
            return Ok(ring);
        }
        let active: Option<i32> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT id FROM crypto_keys WHERE purpose = 'data' AND state = 'active'")
                .fetch_optional(p)
                .await?
        });
        match active {
            Some(id) if i64::from(id) != i64::from(ring.active_id()) => self.reload_keys().await,
            _ => Ok(ring),
        }
    }

    /// A keyring holding every key the given sealed values name (reloading once if needed).
    /// (Not an `async fn`: the iterator is consumed before the returned future, so callers'
    /// borrowing closures need not be `Send`.)
    pub(crate) fn ring_for<'a>(
        &self,
        sealed: impl IntoIterator<Item = &'a [u8]>,
    ) -> impl Future<Output = Result<Arc<Keyring>, KeyError>> + Send + '_ {
        let ring = self.keyring();
        let missing = sealed.into_iter().any(|s| sealed_key_id(s).is_ok_and(|id| !ring.contains(id)));
        async move { if missing { self.reload_keys().await } else { Ok(ring) } }
    }

    /// Seal every row still holding plaintext from before encryption (or written by an older
    /// version): run once after migrating. Blanks the plaintext, then compacts the database so
    /// the old values do not linger in free pages. Returns the number of rows sealed.
    pub async fn seal_legacy_rows(&self) -> Result<u64, KeyError> {
        let ring = self.sealing_ring().await?;
        let mut sealed = 0u64;
        loop {
            type Legacy = (Uuid, String, Option<String>, Option<String>);
            let rows: Vec<Legacy> = on_db!(&self.db, p => {
                sqlx::query_as("SELECT id, id_number, phone, address FROM employees WHERE id_number_enc IS NULL ORDER BY id LIMIT $1")
                    .bind(BATCH)
                    .fetch_all(p)
                    .await?
            });
            if rows.is_empty() {
                break;
            }
            let mut tx = self.db.begin().await?;
            for (id, id_number, phone, address) in &rows {
                let s = SealedPerson::seal(&ring, *id, id_number, phone.as_deref(), address.as_deref(), None)?;
                let r = on_tx!(&mut tx, c => {
                    sqlx::query(
                        "UPDATE employees SET id_number = $1, id_number_enc = $2, id_number_bidx = $3, phone = NULL, \
                         phone_enc = $4, phone_bidx = $5, address = NULL, address_enc = $6 WHERE id = $7",
                    )
                    .bind(&s.id_number_stub)
                    .bind(&s.id_number_enc)
                    .bind(&s.id_number_bidx)
                    .bind(&s.phone_enc)
                    .bind(&s.phone_bidx)
                    .bind(&s.address_enc)
                    .bind(*id)
                    .execute(&mut *c)
                    .await.map(|_| ())
                });
                match r {
                    Err(e) if is_unique_violation(&e) => return Err(KeyError::DuplicateIdNumber(*id)),
                    other => other?,
                };
            }
            tx.commit().await?;
            sealed += rows.len() as u64;
        }
        loop {
            let rows: Vec<(Uuid, String)> = on_db!(&self.db, p => {
                sqlx::query_as("SELECT id, phone FROM employee_contacts WHERE phone IS NOT NULL AND phone_enc IS NULL ORDER BY id LIMIT $1")
                    .bind(BATCH)
                    .fetch_all(p)
                    .await?
            });
            if rows.is_empty() {
                break;
            }
            let mut tx = self.db.begin().await?;
            for (id, phone) in &rows {
                let enc = ring.seal_str(&CONTACT_PHONE.aad(*id), phone)?;
                on_tx!(&mut tx, c => {
                    sqlx::query("UPDATE employee_contacts SET phone = NULL, phone_enc = $1 WHERE id = $2")
                        .bind(enc)
                        .bind(*id)
                        .execute(&mut *c)
                        .await?;
                });
            }
            tx.commit().await?;
            sealed += rows.len() as u64;
        }
        if sealed > 0 {
            tracing::info!(rows = sealed, "sealed legacy plaintext rows");
            self.compact().await?;
        }
        Ok(sealed)
    }

    /// Rewrite the files so overwritten plaintext is gone from free pages (SQLite: checkpoint
    /// the WAL, VACUUM, truncate the WAL; PostgreSQL: VACUUM FULL the tables with sealed columns).
    pub async fn compact(&self) -> Result<(), KeyError> {
        match &self.db {
            Db::Sqlite(p) => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(p).await?;
                sqlx::query("VACUUM").execute(p).await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(p).await?;
            }
            Db::Postgres(p) => {
                // VACUUM FULL keeps a dead row version while any snapshot in the cluster may still
                // see it — and a snapshot's horizon is the oldest transaction running in ANY
                // database. So first wait (bounded) until every transaction older than the sealing
                // writes has ended; otherwise the plaintext versions survive the rewrite.
                let mark: i64 = sqlx::query_scalar("SELECT txid_current()").fetch_one(p).await?;
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
                loop {
                    let xmin: i64 =
                        sqlx::query_scalar("SELECT txid_snapshot_xmin(txid_current_snapshot())").fetch_one(p).await?;
                    if xmin > mark {
                        break;
                    }
                    if std::time::Instant::now() > deadline {
                        tracing::warn!(
                            "a long-running transaction holds back VACUUM; old plaintext row versions may remain \
                             until the next VACUUM FULL of the tables with sealed columns"
                        );
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                let mut tables: Vec<&str> = SEALED_FIELDS.iter().map(|f| f.table).collect();
                tables.dedup();
                sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM FULL {}", tables.join(", ")))).execute(p).await?;
            }
        }
        Ok(())
    }

    /// `bole keys rotate`: a new data key becomes active, every sealed value under another
    /// key is re-sealed in batches, and retired keys no value uses any more are deleted.
    pub async fn rotate_data_key(&self) -> Result<RotationReport, KeyError> {
        let master = self.keys.master.as_ref().ok_or(KeyError::NoMasterKey)?;
        let mut tx = self.db.begin().await?;
        let new_id: i32 = on_tx!(&mut tx, c => {
            let max: Option<i32> = sqlx::query_scalar("SELECT MAX(id) FROM crypto_keys WHERE purpose = 'data'").fetch_one(&mut *c).await?;
            max.unwrap_or(0) + 1
        });
        let key = DataKey::generate(u32::try_from(new_id).map_err(|_| CryptoError::Format { what: "key id" })?)?;
        let wrapped = master.wrap_data_key(&key)?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE crypto_keys SET state = 'retired' WHERE purpose = 'data' AND state = 'active'").execute(&mut *c).await?;
            sqlx::query("INSERT INTO crypto_keys (id, purpose, state, wrapped, created_at) VALUES ($1, 'data', 'active', $2, CURRENT_TIMESTAMP)")
                .bind(new_id)
                .bind(wrapped)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await?;
        let ring = self.reload_keys().await?;
        let resealed = self.reseal_stale(&ring).await?;
        let remaining = self.count_stale(&ring).await?;
        let retired: Vec<i32> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT id FROM crypto_keys WHERE purpose = 'data' AND state = 'retired' ORDER BY id").fetch_all(p).await?
        });
        let destroyed = if remaining == 0 {
            on_db!(&self.db, p => {
                sqlx::query("DELETE FROM crypto_keys WHERE purpose = 'data' AND state = 'retired'").execute(p).await?;
            });
            self.reload_keys().await?;
            retired.clone()
        } else {
            Vec::new()
        };
        Ok(RotationReport {
            active: new_id as u32,
            resealed,
            remaining,
            destroyed: destroyed.into_iter().map(|i| i as u32).collect(),
        })
    }

    /// Re-seal, batch by batch, every value whose key is not the active one. A row changed
    /// meanwhile by another writer is left alone (its new value is already current).
    async fn reseal_stale(&self, ring: &Keyring) -> Result<u64, KeyError> {
        let active = ring.active_id().to_be_bytes().to_vec();
        let mut total = 0u64;
        for f in SEALED_FIELDS {
            let select = format!(
                "SELECT id, {enc} FROM {table} WHERE {enc} IS NOT NULL AND substr({enc}, 2, 4) <> $1 AND id > $2 ORDER BY id LIMIT $3",
                enc = f.enc,
                table = f.table
            );
            let update = format!("UPDATE {} SET {enc} = $1 WHERE id = $2 AND {enc} = $3", f.table, enc = f.enc);
            let mut after = Uuid::nil();
            loop {
                let rows: Vec<(Uuid, Vec<u8>)> = on_db!(&self.db, p => {
                    sqlx::query_as(sqlx::AssertSqlSafe(select.clone())).bind(&active).bind(after).bind(BATCH).fetch_all(p).await?
                });
                let Some((last, _)) = rows.last() else { break };
                after = *last;
                let mut tx = self.db.begin().await?;
                for (id, old) in &rows {
                    let new = ring.reseal(f.aad(*id).as_bytes(), old)?;
                    on_tx!(&mut tx, c => {
                        sqlx::query(sqlx::AssertSqlSafe(update.clone())).bind(new).bind(*id).bind(old).execute(&mut *c).await?;
                    });
                }
                tx.commit().await?;
                total += rows.len() as u64;
            }
        }
        Ok(total)
    }

    /// Sealed values not under the active key.
    async fn count_stale(&self, ring: &Keyring) -> Result<u64, KeyError> {
        let active = ring.active_id().to_be_bytes().to_vec();
        let mut n = 0i64;
        for f in SEALED_FIELDS {
            let sql = format!(
                "SELECT COUNT(*) FROM {} WHERE {enc} IS NOT NULL AND substr({enc}, 2, 4) <> $1",
                f.table,
                enc = f.enc
            );
            let c: i64 = on_db!(&self.db, p => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(&active).fetch_one(p).await?
            });
            n += c;
        }
        Ok(n.max(0) as u64)
    }

    /// `bole keys rotate --master FILE`: wrap every stored key under `new_master` instead, in
    /// one transaction. The data stays as it is; afterwards only `new_master` opens it.
    pub async fn rewrap_keys(&self, new_master: &MasterKey) -> Result<usize, KeyError> {
        let master = self.keys.master.as_ref().ok_or(KeyError::NoMasterKey)?;
        let rows = key_rows(&self.db).await?;
        let mut tx = self.db.begin().await?;
        for (id, purpose, _, wrapped) in &rows {
            let rewrapped = if purpose == "index" {
                new_master.wrap_index_key(&master.unwrap_index_key(wrapped)?)?
            } else {
                let id = u32::try_from(*id).map_err(|_| CryptoError::Format { what: "key id" })?;
                new_master.wrap_data_key(&master.unwrap_data_key(id, wrapped)?)?
            };
            rewrap_row(&mut tx, *id, rewrapped).await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    pub fn master_key(&self) -> Option<&MasterKey> {
        self.keys.master.as_ref()
    }
}

async fn rewrap_row(tx: &mut Tx, id: i32, wrapped: Vec<u8>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => {
        sqlx::query("UPDATE crypto_keys SET wrapped = $1 WHERE id = $2").bind(wrapped).bind(id).execute(&mut *c).await?;
    });
    Ok(())
}

/// What a data-key rotation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationReport {
    /// The new active data key.
    pub active: u32,
    /// Values re-sealed under it.
    pub resealed: u64,
    /// Values still under a retired key (written concurrently by a server with a stale
    /// keyring); when non-zero the retired keys are kept: run the rotation again.
    pub remaining: u64,
    /// Retired key ids deleted because nothing uses them any more.
    pub destroyed: Vec<u32>,
}

/// An employee's sealed columns, ready to bind.
#[derive(Clone, Debug)]
pub(crate) struct SealedPerson {
    pub id_number_stub: String,
    pub id_number_enc: Vec<u8>,
    pub id_number_bidx: Vec<u8>,
    pub phone_enc: Option<Vec<u8>>,
    pub phone_bidx: Option<Vec<u8>>,
    pub address_enc: Option<Vec<u8>>,
    pub bank_account_enc: Option<Vec<u8>>,
}

impl SealedPerson {
    pub fn seal(
        ring: &Keyring,
        id: Uuid,
        id_number: &str,
        phone: Option<&str>,
        address: Option<&str>,
        bank_account: Option<&str>,
    ) -> Result<Self, CryptoError> {
        let opt = |f: SealedField, v: Option<&str>| v.map(|v| ring.seal_str(&f.aad(id), v)).transpose();
        Ok(Self {
            id_number_stub: id_number_stub(id),
            id_number_enc: ring.seal_str(&EMPLOYEE_ID_NUMBER.aad(id), id_number)?,
            id_number_bidx: ring.blind_index(BlindField::IdNumber, id_number).to_vec(),
            phone_enc: opt(EMPLOYEE_PHONE, phone)?,
            phone_bidx: phone.map(|p| ring.blind_index(BlindField::Phone, p).to_vec()),
            address_enc: opt(EMPLOYEE_ADDRESS, address)?,
            bank_account_enc: opt(EMPLOYEE_BANK_ACCOUNT, bank_account)?,
        })
    }
}

/// Open a sealed column of row `id`; a row not sealed yet (NULL ciphertext) falls back to
/// its legacy plaintext column.
pub(crate) fn open_field(
    ring: &Keyring,
    field: SealedField,
    id: Uuid,
    enc: Option<&[u8]>,
    legacy: Option<String>,
) -> Result<Option<String>, CryptoError> {
    match enc {
        Some(bytes) => ring.open_str(&field.aad(id), bytes).map(Some),
        None => Ok(legacy),
    }
}

/// Blind indexes for a free-text search term: (ID number, phone).
pub(crate) fn search_indexes(ring: &Keyring, text: &str) -> (Vec<u8>, Vec<u8>) {
    (ring.blind_index(BlindField::IdNumber, text).to_vec(), ring.blind_index(BlindField::Phone, text).to_vec())
}

/// Crypto failures inside a people-store call: logged without data, reported as storage errors.
pub(crate) fn people_err(e: impl std::fmt::Display) -> bole_people::PeopleError {
    tracing::error!(error = %e, "sealed field failure");
    bole_people::PeopleError::Storage(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sealed_field_is_distinct_and_bound_to_its_row() {
        let id = Uuid::nil();
        let aads: std::collections::BTreeSet<String> = SEALED_FIELDS.iter().map(|f| f.aad(id)).collect();
        assert_eq!(aads.len(), SEALED_FIELDS.len());
        assert_eq!(EMPLOYEE_ID_NUMBER.aad(id), "employees.id_number:00000000-0000-0000-0000-000000000000");
        let ring = Keyring::fixed_for_tests("sealed");
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let s =
            SealedPerson::seal(&ring, a, "11010519491231002X", Some("13812345678"), None, Some("6222020200112233445"))
                .unwrap();
        assert_eq!(
            open_field(&ring, EMPLOYEE_ID_NUMBER, a, Some(&s.id_number_enc), None).unwrap().as_deref(),
            Some("11010519491231002X")
        );
        assert!(open_field(&ring, EMPLOYEE_ID_NUMBER, b, Some(&s.id_number_enc), None).is_err(), "other row");
        assert!(open_field(&ring, EMPLOYEE_PHONE, a, Some(&s.id_number_enc), None).is_err(), "other column");
        assert_eq!(open_field(&ring, EMPLOYEE_ADDRESS, a, None, Some("旧".into())).unwrap().as_deref(), Some("旧"));
        assert!(s.address_enc.is_none());
        assert_eq!(s.id_number_bidx, search_indexes(&ring, "11010519491231002x").0);
    }
}
