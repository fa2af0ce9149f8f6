//! The composition root: turns [`Settings`] into a connected, migrated database,
//! one `SqlStore`, every domain service over it, and the HTTP router. It owns
//! wiring and process concerns (settings, logging, graceful shutdown); it holds
//! no business rules — those live in the domain crates it assembles.

pub mod app;
pub mod error;
pub mod logging;
pub mod settings;

pub use app::{App, connect, migrate, ping, shutdown_signal};
pub use error::{AppError, ErrorClass};
pub use settings::{LogFormat, Overrides, SecretUrl, Settings};
