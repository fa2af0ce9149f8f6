//! The storage adapter: implements every domain store port on SQLite (embedded
//! default) and PostgreSQL (scale engine) from one code base, translates
//! database errors into domain errors at this seam, and owns the migrations.

mod absence;
mod access;
mod attendance;
mod audit;
pub mod db;
pub mod migrate;
mod org;
mod payroll;
mod payroll_bulk;
mod people;
mod privacy;
pub mod sealed;
mod workflow;

pub use db::{Db, Engine, Tx};
pub use sealed::{KeyError, MasterKeyOrigin, RotationReport};

/// The one adapter: every domain port is implemented on this type.
///
/// It holds the field-encryption keys, so it is built by [`SqlStore::open`] (keys in the
/// database, wrapped by a master key) or [`SqlStore::with_keyring`] (fixed keys, tests).
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub db: Db,
    pub(crate) keys: std::sync::Arc<sealed::Keys>,
}

impl SqlStore {
    fn assemble(db: Db, keys: sealed::Keys) -> Self {
        Self { db, keys: std::sync::Arc::new(keys) }
    }
}
