//! The storage adapter: implements every domain store port on SQLite (embedded
//! default) and PostgreSQL (scale engine) from one code base, translates
//! database errors into domain errors at this seam, and owns the migrations.

mod access;
pub mod db;
pub mod migrate;
mod org;
mod people;

pub use db::{Db, Engine, Tx};

/// The one adapter: every domain port is implemented on this type.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub db: Db,
}

impl SqlStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}
