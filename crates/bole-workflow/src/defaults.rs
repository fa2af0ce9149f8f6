//! The built-in flows, as data, used when a company has no definition of its own for a document
//! type. They are the same JSON an administrator would save:
//!
//! ```json
//! leave:
//! {"name": "请假审批", "on_unresolved": {"action": "fallback", "role": "hr_admin"}, "steps": [
//!   {"name": "直属上级审批", "approvers": [{"kind": "direct_manager"}], "remind_after_hours": 24, "escalate_after_hours": 72},
//!   {"name": "部门负责人审批", "condition": {"field": "days", "op": ">", "value": 3},
//!    "approvers": [{"kind": "unit_head", "of": "subject_unit"}], "on_unresolved": {"action": "skip"},
//!    "remind_after_hours": 24, "escalate_after_hours": 72}]}
//! overtime / punch_correction:
//! {"name": "加班审批" | "补卡审批", "on_unresolved": {"action": "fallback", "role": "hr_admin"}, "steps": [
//!   {"name": "直属上级审批", "approvers": [{"kind": "direct_manager"}], "remind_after_hours": 24, "escalate_after_hours": 72}]}
//! ```
//!
//! Why these choices: someone must always approve a leave, so a missing manager falls back to the
//! company's HR administrators (and fails the submission with `approver_unresolved` if there is
//! none); a missing department head only drops the extra check for long leave.

use crate::model::FlowDefinition;

/// Leave: the direct manager; for more than 3 days also the head of the subject's unit.
pub const LEAVE: &str = r#"{
  "name": "请假审批",
  "on_unresolved": {"action": "fallback", "role": "hr_admin"},
  "dedupe_consecutive": true,
  "steps": [
    {"name": "直属上级审批", "approvers": [{"kind": "direct_manager"}], "mode": "one_of",
     "remind_after_hours": 24, "escalate_after_hours": 72},
    {"name": "部门负责人审批", "condition": {"field": "days", "op": ">", "value": 3},
     "approvers": [{"kind": "unit_head", "of": "subject_unit"}], "mode": "one_of",
     "on_unresolved": {"action": "skip"}, "remind_after_hours": 24, "escalate_after_hours": 72}
  ]
}"#;

/// Overtime: the direct manager.
pub const OVERTIME: &str = r#"{
  "name": "加班审批",
  "on_unresolved": {"action": "fallback", "role": "hr_admin"},
  "dedupe_consecutive": true,
  "steps": [
    {"name": "直属上级审批", "approvers": [{"kind": "direct_manager"}], "mode": "one_of",
     "remind_after_hours": 24, "escalate_after_hours": 72}
  ]
}"#;

/// Punch correction (补卡): the direct manager.
pub const PUNCH_CORRECTION: &str = r#"{
  "name": "补卡审批",
  "on_unresolved": {"action": "fallback", "role": "hr_admin"},
  "dedupe_consecutive": true,
  "steps": [
    {"name": "直属上级审批", "approvers": [{"kind": "direct_manager"}], "mode": "one_of",
     "remind_after_hours": 24, "escalate_after_hours": 72}
  ]
}"#;

/// Pay run (薪资批次): an HR administrator other than the preparer (the engine never gives the
/// requester a task of their own document; the payroll service also refuses self-approval).
pub const PAY_RUN: &str = r#"{
  "name": "薪资审批",
  "on_unresolved": {"action": "fallback", "role": "hr_admin"},
  "dedupe_consecutive": true,
  "steps": [
    {"name": "薪资审批", "approvers": [{"kind": "role", "role": "hr_admin"}], "mode": "one_of",
     "remind_after_hours": 24, "escalate_after_hours": 72}
  ]
}"#;

/// A generic fallback for other document types: the direct manager.
pub const GENERIC: &str = r#"{
  "name": "审批",
  "on_unresolved": {"action": "fallback", "role": "hr_admin"},
  "steps": [{"name": "直属上级审批", "approvers": [{"kind": "direct_manager"}]}]
}"#;

/// The built-in definition of a document type.
pub fn builtin(doc_type: &str) -> FlowDefinition {
    let text = match doc_type {
        "leave" => LEAVE,
        "overtime" => OVERTIME,
        "punch_correction" => PUNCH_CORRECTION,
        "pay_run" => PAY_RUN,
        _ => GENERIC,
    };
    // The texts are constants checked by a test; a broken one degrades to an empty flow that
    // validation would refuse, never a panic on a request path.
    serde_json::from_str(text).unwrap_or_else(|e| {
        tracing::error!(doc_type, error = %e, "built-in workflow definition does not parse");
        FlowDefinition {
            name: String::new(),
            on_unresolved: Default::default(),
            dedupe_consecutive: true,
            steps: vec![],
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_validate() {
        for (t, text) in
            [("leave", LEAVE), ("overtime", OVERTIME), ("punch_correction", PUNCH_CORRECTION), ("x", GENERIC)]
        {
            let d: FlowDefinition = serde_json::from_str(text).unwrap();
            crate::engine::validate(&d).unwrap();
            assert_eq!(builtin(t), d);
        }
        assert_eq!(builtin("leave").steps.len(), 2);
    }
}
