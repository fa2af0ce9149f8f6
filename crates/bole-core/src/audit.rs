//! The audit event every use case emits, and the port that records it.
//!
//! An [`AuditEvent`] names who (user id and name), when, from where (IP, user
//! agent), what (action, subject type and ids, *field names*) and the outcome. It
//! never carries field values: the trail must not become a second copy of the
//! personal data it protects. Writes hand their events to the store so they are
//! appended in the same transaction as the change; reads of sensitive data, reveals,
//! refusals and logins go through [`AuditLog::append`]. `bole-audit` owns the hash
//! chain the events are linked into.

use crate::actor::Actor;
use crate::ids::UserId;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    /// Refused by authorisation.
    Denied,
    /// Attempted and failed (bad credentials, validation, conflict).
    Failed,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "success" => Some(Outcome::Success),
            "denied" => Some(Outcome::Denied),
            "failed" => Some(Outcome::Failed),
            _ => None,
        }
    }
}

/// One audited action. Build it with [`Actor::audit`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    /// None for unauthenticated attempts (a failed login names no account).
    pub actor_id: Option<UserId>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Dotted verb, e.g. `employee.onboard`, `employee.reveal`, `auth.login`.
    pub action: String,
    /// Entity type of the subjects, e.g. `employee`, `org_unit`, `user`.
    pub subject_type: String,
    pub subject_ids: Vec<String>,
    /// Names of the fields written or read; never their values.
    pub fields: Vec<String>,
    pub outcome: Outcome,
}

impl AuditEvent {
    pub fn subject(mut self, id: impl ToString) -> Self {
        self.subject_ids.push(id.to_string());
        self
    }

    pub fn subjects<I: IntoIterator<Item = T>, T: ToString>(mut self, ids: I) -> Self {
        self.subject_ids.extend(ids.into_iter().map(|i| i.to_string()));
        self
    }

    pub fn fields<I: IntoIterator<Item = T>, T: Into<String>>(mut self, names: I) -> Self {
        self.fields.extend(names.into_iter().map(Into::into));
        self
    }

    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }
}

impl Actor {
    /// Start an audit event for an action of this actor (outcome success until told otherwise).
    pub fn audit(&self, at: DateTime<Utc>, action: &str, subject_type: &str) -> AuditEvent {
        AuditEvent {
            at,
            actor_id: Some(self.user_id),
            actor_name: self.username.clone(),
            ip: self.meta.ip.clone(),
            user_agent: self.meta.user_agent.clone(),
            action: action.into(),
            subject_type: subject_type.into(),
            subject_ids: Vec::new(),
            fields: Vec::new(),
            outcome: Outcome::Success,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("audit trail unavailable: {0}")]
pub struct AuditUnavailable(pub String);

/// Appends events outside a domain transaction (reads, reveals, refusals, logins).
/// Implementations link them into the same hash chain as in-transaction appends.
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn append(&self, events: &[AuditEvent]) -> Result<(), AuditUnavailable>;
}
