//! The composition root: turns [`Settings`] into a connected, migrated database,
//! one `SqlStore`, every domain service over it, and the HTTP router. It owns
//! wiring and process concerns (settings, logging, graceful shutdown); it holds
//! no business rules — those live in the domain crates it assembles.

pub mod app;
pub mod audit;
pub mod error;
pub mod logging;
pub mod notify;
pub mod security;
pub mod settings;
pub mod tls;

pub use app::{App, connect, migrate, open_store, ping, shutdown_signal};
pub use error::{AppError, ErrorClass};
pub use settings::{AuditSettings, LogFormat, Overrides, PrivacySettings, SecretUrl, Settings};
