//! Notifications: what the engine tells people (new task, decision, reminder, escalation) and the
//! port through which delivery adapters (SMTP, group-bot webhooks; in bole-app) send them. The in-app
//! inbox is a store read; email and webhook deliveries go through an outbox drained by a job, so a
//! slow or failing mail server never holds up an approval.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One delivery to send. Addresses are resolved by the store at delivery time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// The delivery id; senders pass it on (Message-ID, webhook idempotency) so retries are harmless.
    pub id: Uuid,
    pub channel: Destination,
    /// Event kind, e.g. `task_assigned`, `approved`, `rejected`, `reminder`, `escalated`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Path in the web app to open (e.g. `/me/approvals/…`); senders make it absolute.
    pub link: Option<String>,
}

/// Where a message goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    Email {
        to: String,
    },
    /// A configured group-bot webhook, by its configured name.
    Webhook {
        name: String,
    },
}

/// Why a delivery failed; `retry` says whether trying again later may help.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("delivery failed: {reason}")]
pub struct SendError {
    pub reason: String,
    pub retry: bool,
}

/// A delivery adapter (implemented in bole-app: SMTP via lettre, signed webhooks).
#[async_trait]
pub trait Sender: Send + Sync {
    async fn send(&self, message: &OutboundMessage) -> Result<(), SendError>;
}

/// Which outbox channels a notification gets besides the in-app inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyRouting {
    /// Email to the recipient's employee address (rows only for recipients who have one).
    pub email: bool,
    /// Configured group-bot webhook names, one delivery each per notification.
    pub webhooks: Vec<String>,
}

impl Default for NotifyRouting {
    fn default() -> Self {
        Self { email: true, webhooks: Vec::new() }
    }
}
