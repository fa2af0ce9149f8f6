//! The error contract shared by all domains. Each domain keeps its own error
//! enum whose variants are HR facts; implementing [`Failure`] gives every one
//! a stable snake_case code, a kind that maps to an HTTP status, and a message
//! a person can act on, in Chinese and English.

use serde::Serialize;
use std::collections::BTreeMap;

/// What class of failure this is; the HTTP layer maps it to a status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is wrong (400/422).
    Invalid,
    /// The referenced thing does not exist or is not visible (404).
    NotFound,
    /// The input is fine but clashes with current state (409).
    Conflict,
    /// Authenticated but not allowed (403).
    Forbidden,
    /// Not logged in, or the session ended (401).
    Unauthenticated,
    /// Too much at once (429) or too large (413).
    TooLarge,
    /// Our fault; the cause is logged, never shown (500).
    Internal,
}

/// A message in both languages. zh-CN is the default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { zh: zh.into(), en: en.into() }
    }

    pub fn pick(&self, english: bool) -> &str {
        if english { &self.en } else { &self.zh }
    }
}

/// Per-field problems, keyed by the field's wire name (e.g. `id_number`, `rows[12].phone`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub BTreeMap<String, Vec<Msg>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, msg: Msg) {
        self.0.entry(field.into()).or_default().push(msg);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.values().map(Vec::len).sum()
    }

    /// Ok when nothing was recorded, so validators can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// Implemented by every domain error so one HTTP mapping serves them all.
pub trait Failure: std::error::Error {
    /// Stable snake_case code; clients and the UI switch on it. Never change one.
    fn code(&self) -> &'static str;
    fn kind(&self) -> ErrorKind;
    /// The message for a person, in both languages.
    fn message(&self) -> Msg;
    fn fields(&self) -> Option<&FieldErrors> {
        None
    }
}
