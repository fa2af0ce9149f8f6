//! PIPL use cases. Self-service ones act only on the caller's own employee record
//! (`actor.employee_id`); HR ones need `PrivacyAdmin`; the sharing register is also
//! readable with `AuditRead`. Every consent change, request state change and register
//! write is audited in the transaction that makes it; every copy of personal data handed
//! out is audited before it is returned.

use crate::copy;
use crate::error::PrivacyError;
use crate::model::*;
use crate::rules::{self, PrivacyPolicy, TransitionProblem};
use crate::store::{PrivacyStore, RequestScope, SubjectData};
use bole_core::clock::SharedClock;
use bole_core::{Actor, AuditEvent, AuditLog, DataScope, EmployeeId, Page, PageRequest, Permission, Scope, UserId};
use std::collections::HashMap;
use std::sync::Arc;

/// Who the system itself is in request transitions it decides (legal-retention refusals).
pub const SYSTEM_USER: UserId = UserId(uuid::Uuid::nil());

#[derive(Clone)]
pub struct PrivacyService {
    store: Arc<dyn PrivacyStore>,
    subject: Arc<dyn SubjectData>,
    audit: Arc<dyn AuditLog>,
    clock: SharedClock,
    policy: PrivacyPolicy,
}

impl std::fmt::Debug for PrivacyService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivacyService").field("policy", &self.policy).finish_non_exhaustive()
    }
}

/// A request with its status history.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub request: DataSubjectRequest,
    pub transitions: Vec<RequestTransition>,
}

/// The caller's own employee id, or why self-service is unavailable.
fn me(actor: &Actor) -> Result<EmployeeId, PrivacyError> {
    actor.employee_id.ok_or(PrivacyError::NotAnEmployee)
}

/// The requests a `PrivacyAdmin` grant covers: all, or the companies named in it. Narrower
/// scopes (subtrees, reports, own) do not fit a company-level duty and grant no requests.
fn request_scope(scope: Scope) -> RequestScope {
    match scope {
        Scope::All => RequestScope::All,
        Scope::Limited(list) => RequestScope::Companies(
            list.into_iter()
                .flat_map(|s| match s {
                    DataScope::Companies { companies } => companies,
                    _ => Vec::new(),
                })
                .collect(),
        ),
    }
}

impl PrivacyService {
    pub fn new(
        store: Arc<dyn PrivacyStore>,
        subject: Arc<dyn SubjectData>,
        audit: Arc<dyn AuditLog>,
        clock: SharedClock,
    ) -> Self {
        Self { store, subject, audit, clock, policy: PrivacyPolicy::default() }
    }

    /// Replace the default due-date and retention rules (settings).
    pub fn with_policy(mut self, policy: PrivacyPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn policy(&self) -> &PrivacyPolicy {
        &self.policy
    }

    fn event(&self, actor: &Actor, action: &str, subject_type: &str) -> AuditEvent {
        actor.audit(self.clock.now(), action, subject_type)
    }

    // ------------------------------------------------------------------ notices

    /// 发布隐私政策新版本: the new version becomes current at once.
    pub async fn publish_notice(&self, actor: &Actor, input: NewNotice) -> Result<NoticeView, PrivacyError> {
        actor.authorize(Permission::PrivacyAdmin)?;
        rules::validate_notice(&input)?;
        let notice = PrivacyNotice {
            id: NoticeId::new(),
            version: 0,
            title: input.title.trim().to_string(),
            body: input.body,
            changes: input.changes.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()),
            purposes: input
                .purposes
                .into_iter()
                .map(|mut p| {
                    p.data_categories = rules::dedup_categories(&p.data_categories);
                    p
                })
                .collect(),
            published_at: self.clock.now(),
            published_by: actor.user_id,
        };
        let audit = [self
            .event(actor, "privacy.notice.publish", "privacy_notice")
            .subject(notice.id)
            .fields(["title", "body", "changes", "purposes"])];
        let stored = self.store.publish_notice(&notice, &audit).await?;
        Ok(rules::notice_view(stored))
    }

    /// Every published version with its acknowledgement count (HR).
    pub async fn notices(&self, actor: &Actor) -> Result<Vec<NoticeSummary>, PrivacyError> {
        actor.authorize(Permission::PrivacyAdmin)?;
        self.store.notices().await
    }

    /// One version in full (HR).
    pub async fn notice(&self, actor: &Actor, version: i32) -> Result<NoticeView, PrivacyError> {
        actor.authorize(Permission::PrivacyAdmin)?;
        Ok(rules::notice_view(self.store.notice(version).await?))
    }

    /// The current notice with the caller's acknowledgement of it.
    pub async fn my_notice(&self, actor: &Actor) -> Result<MyNotice, PrivacyError> {
        let employee = me(actor)?;
        let notice = self.store.current_notice().await?.ok_or(PrivacyError::NoNotice)?;
        let acks = self.store.acknowledgements(employee).await?;
        let acknowledged_at = acks.iter().find(|a| a.notice_id == notice.id).map(|a| a.acknowledged_at);
        Ok(MyNotice { notice: rules::notice_view(notice), acknowledged_at })
    }

    /// 确认已阅读 the current version. Acknowledging it again returns the first acknowledgement.
    pub async fn acknowledge_notice(&self, actor: &Actor, version: i32) -> Result<Acknowledgement, PrivacyError> {
        let employee = me(actor)?;
        let notice = self.store.current_notice().await?.ok_or(PrivacyError::NoNotice)?;
        if version != notice.version {
            return Err(PrivacyError::NoticeOutdated { given: version, current: notice.version });
        }
        let existing = self.store.acknowledgements(employee).await?;
        if let Some(a) = existing.into_iter().find(|a| a.notice_id == notice.id) {
            return Ok(a);
        }
        let ack = Acknowledgement {
            employee_id: employee,
            notice_id: notice.id,
            version: notice.version,
            acknowledged_at: self.clock.now(),
            user_id: actor.user_id,
        };
        let audit = [self
            .event(actor, "privacy.notice.acknowledge", "privacy_notice")
            .subject(notice.id)
            .subject(employee)
            .fields(["acknowledged_at"])];
        if self.store.acknowledge(&ack, &audit).await? {
            Ok(ack)
        } else {
            // A concurrent call recorded it first; answer with that one.
            let acks = self.store.acknowledgements(employee).await?;
            acks.into_iter().find(|a| a.notice_id == notice.id).ok_or(PrivacyError::NoticeNotFound)
        }
    }

    // ------------------------------------------------------------------ consents

    async fn purposes_of_history(
        &self,
        history: &[ConsentRecord],
        current: &PrivacyNotice,
    ) -> HashMap<i32, Vec<Purpose>> {
        let mut out: HashMap<i32, Vec<Purpose>> = HashMap::new();
        for r in rules::latest_consents(history) {
            if r.notice_version == current.version || out.contains_key(&r.notice_version) {
                continue;
            }
            // A version that cannot be read counts as a changed purpose (renewal is asked).
            if let Ok(n) = self.store.notice(r.notice_version).await {
                out.insert(n.version, n.purposes);
            }
        }
        out
    }

    async fn states(
        &self,
        employee: EmployeeId,
    ) -> Result<(Option<PrivacyNotice>, Vec<ConsentRecord>, Vec<ConsentState>), PrivacyError> {
        let history = self.store.consents(employee).await?;
        let Some(current) = self.store.current_notice().await? else {
            return Ok((None, history, Vec::new()));
        };
        let older = self.purposes_of_history(&history, &current).await;
        let states = rules::consent_states(&current, &history, |v, code| {
            older.get(&v).and_then(|ps| ps.iter().find(|p| p.code == code))
        });
        Ok((Some(current), history, states))
    }

    /// The caller's consent on each purpose of the current notice.
    pub async fn my_consents(&self, actor: &Actor) -> Result<Vec<ConsentState>, PrivacyError> {
        let employee = me(actor)?;
        Ok(self.states(employee).await?.2)
    }

    /// The caller's consent history (given and withdrawn), oldest first.
    pub async fn my_consent_history(&self, actor: &Actor) -> Result<Vec<ConsentRecord>, PrivacyError> {
        let employee = me(actor)?;
        self.store.consents(employee).await
    }

    /// 同意 a purpose of the current notice (单独同意 when the purpose needs it). The notice
    /// must have been acknowledged first: consent is informed (art. 14).
    pub async fn give_consent(&self, actor: &Actor, purpose_code: &str) -> Result<ConsentState, PrivacyError> {
        let employee = me(actor)?;
        let (current, history, states) = self.states(employee).await?;
        let current = current.ok_or(PrivacyError::NoNotice)?;
        let state = states
            .iter()
            .find(|s| s.purpose.purpose.code == purpose_code)
            .ok_or_else(|| PrivacyError::PurposeNotFound(purpose_code.to_string()))?;
        if !state.purpose.consent_required {
            return Err(PrivacyError::ConsentNotApplicable(purpose_code.to_string()));
        }
        if state.status == ConsentStatus::Given && !state.needs_renewal {
            return Err(PrivacyError::ConsentUnchanged { given: true });
        }
        let acks = self.store.acknowledgements(employee).await?;
        if !acks.iter().any(|a| a.notice_id == current.id) {
            return Err(PrivacyError::NoticeNotAcknowledged { version: current.version });
        }
        let record = ConsentRecord {
            id: ConsentId::new(),
            employee_id: employee,
            purpose_code: purpose_code.to_string(),
            action: ConsentAction::Given,
            notice_version: current.version,
            separate: state.purpose.separate_consent,
            recorded_at: self.clock.now(),
            recorded_by: actor.user_id,
            request_id: None,
        };
        let earlier = history.iter().filter(|r| r.purpose_code == purpose_code).count() as u32;
        let audit = [self.consent_event(actor, &record)];
        self.store.append_consent(&record, earlier, &audit).await?;
        let mut state = state.clone();
        state.status = ConsentStatus::Given;
        state.since = Some(record.recorded_at);
        state.notice_version = Some(record.notice_version);
        state.needs_renewal = false;
        Ok(state)
    }

    fn consent_event(&self, actor: &Actor, record: &ConsentRecord) -> AuditEvent {
        let action = match record.action {
            ConsentAction::Given => "privacy.consent.give",
            ConsentAction::Withdrawn => "privacy.consent.withdraw",
        };
        self.event(actor, action, "consent")
            .subject(record.id)
            .subject(record.employee_id)
            .fields(["purpose_code", "action"])
    }

    /// 撤回同意: takes effect at once and does not affect processing done before (art. 15).
    /// Works for a purpose no longer in the current notice too.
    pub async fn withdraw_consent(&self, actor: &Actor, purpose_code: &str) -> Result<ConsentRecord, PrivacyError> {
        let employee = me(actor)?;
        let (current, history, _) = self.states(employee).await?;
        let latest = rules::latest_consents(&history).into_iter().find(|r| r.purpose_code == purpose_code).cloned();
        let Some(latest) = latest else {
            let known = current.as_ref().is_some_and(|n| n.purposes.iter().any(|p| p.code == purpose_code));
            return Err(if known {
                PrivacyError::ConsentUnchanged { given: false }
            } else {
                PrivacyError::PurposeNotFound(purpose_code.to_string())
            });
        };
        if latest.action == ConsentAction::Withdrawn {
            return Err(PrivacyError::ConsentUnchanged { given: false });
        }
        let record = self.withdrawal(actor, employee, &latest, current.as_ref(), None);
        let earlier = history.iter().filter(|r| r.purpose_code == purpose_code).count() as u32;
        let audit = [self.consent_event(actor, &record)];
        self.store.append_consent(&record, earlier, &audit).await?;
        Ok(record)
    }

    fn withdrawal(
        &self,
        actor: &Actor,
        employee: EmployeeId,
        given: &ConsentRecord,
        current: Option<&PrivacyNotice>,
        request: Option<RequestId>,
    ) -> ConsentRecord {
        ConsentRecord {
            id: ConsentId::new(),
            employee_id: employee,
            purpose_code: given.purpose_code.clone(),
            action: ConsentAction::Withdrawn,
            notice_version: current.map_or(given.notice_version, |n| n.version),
            separate: given.separate,
            recorded_at: self.clock.now(),
            recorded_by: actor.user_id,
            request_id: request,
        }
    }

    // ------------------------------------------------------------------ requests

    /// 提交个人信息权利请求. Deletion and consent-withdrawal requests are checked against legal
    /// retention at once: when everything asked for must be kept the request is rejected with
    /// the legal reason; otherwise it is accepted (in progress) for HR to execute, with the
    /// decision (what is kept, what may go) stored on it. Withdrawing consent from a
    /// consent-based purpose takes effect immediately (art. 15) whatever retention keeps.
    pub async fn submit_request(&self, actor: &Actor, input: NewRequest) -> Result<DataSubjectRequest, PrivacyError> {
        let employee = me(actor)?;
        rules::validate_request(&input)?;
        let today = self.clock.today();
        let now = self.clock.now();
        let facts = self.subject.employment(employee, today).await?;
        let mut request = DataSubjectRequest {
            id: RequestId::new(),
            employee_id: employee,
            company_id: facts.company_id,
            kind: input.kind,
            status: RequestStatus::Submitted,
            details: input.details.map(|d| d.trim().to_string()).filter(|d| !d.is_empty()),
            corrections: input
                .corrections
                .into_iter()
                .map(|c| FieldCorrection { field: c.field, proposed_value: c.proposed_value.trim().to_string() })
                .collect(),
            categories: rules::dedup_categories(&input.categories),
            purpose_code: input.purpose_code.map(|p| p.trim().to_string()),
            retention: None,
            submitted_at: now,
            submitted_by: actor.user_id,
            due_date: rules::due_date(today, self.policy.due),
            resolution: None,
            handled_by: None,
            closed_at: None,
            updated_at: now,
        };
        let mut fields = vec!["kind"];
        if request.details.is_some() {
            fields.push("details");
        }
        let submit =
            self.event(actor, "privacy.request.submit", "privacy_request").subject(request.id).subject(employee);
        let submit =
            submit.fields(fields).fields(request.corrections.iter().map(|c| format!("corrections.{}", c.field)));
        let mut audit = vec![submit];
        let mut transitions = vec![RequestTransition {
            request_id: request.id,
            from_status: None,
            to_status: RequestStatus::Submitted,
            at: now,
            by: actor.user_id,
            note: None,
        }];
        let mut consent = None;

        let decided = match request.kind {
            RequestKind::Access | RequestKind::Correction => None,
            RequestKind::Deletion => {
                let asked =
                    if request.categories.is_empty() { DataCategory::ALL.to_vec() } else { request.categories.clone() };
                let decision = rules::retention_decision(&self.policy.retention, &facts, &asked, today);
                let to = if decision.refuses() { RequestStatus::Rejected } else { RequestStatus::InProgress };
                Some((decision, to, None))
            }
            RequestKind::ConsentWithdrawal => {
                let code = request.purpose_code.clone().unwrap_or_default();
                let (current, history, _) = self.states(employee).await?;
                let latest = rules::latest_consents(&history).into_iter().find(|r| r.purpose_code == code).cloned();
                let purpose = match current.as_ref().and_then(|n| n.purposes.iter().find(|p| p.code == code)) {
                    Some(p) => Some(p.clone()),
                    None if latest.is_some() => None,
                    None => return Err(PrivacyError::PurposeNotFound(code)),
                };
                // Consent-based (now, or when it was given): the withdrawal itself cannot be refused.
                let consent_based = purpose.as_ref().is_none_or(rules::consent_required);
                let mut withdrawn = None;
                if let Some(given) = latest.filter(|r| r.action == ConsentAction::Given) {
                    let record = self.withdrawal(actor, employee, &given, current.as_ref(), Some(request.id));
                    let earlier = history.iter().filter(|r| r.purpose_code == code).count() as u32;
                    audit.push(self.consent_event(actor, &record));
                    withdrawn = Some(record.id);
                    consent = Some((record, earlier));
                }
                let categories = purpose.as_ref().map(|p| p.data_categories.clone()).unwrap_or_default();
                request.categories = rules::dedup_categories(&categories);
                let decision = rules::retention_decision(&self.policy.retention, &facts, &request.categories, today);
                let to = match (decision.refuses(), consent_based) {
                    // Nothing to delete, but the consent is withdrawn: done.
                    (true, true) => RequestStatus::Completed,
                    // An objection to processing the law requires: refused with the reason.
                    (true, false) => RequestStatus::Rejected,
                    (false, _) => RequestStatus::InProgress,
                };
                let note = (to == RequestStatus::Completed).then(|| {
                    let kept = if decision.retained.is_empty() { String::new() } else { rules::retention_reason(&decision) };
                    let done = if withdrawn.is_some() {
                        "已撤回同意，自即日起不再为该目的处理您的个人信息 / consent withdrawn; no further processing for this purpose"
                    } else {
                        "您此前未同意该目的，无需撤回 / no consent was in force for this purpose"
                    };
                    if kept.is_empty() { done.to_string() } else { format!("{done}。{kept}") }
                });
                Some((decision, to, note))
            }
        };

        if let Some((decision, to, note)) = decided {
            let note = match (to, note) {
                (_, Some(n)) => Some(n),
                (RequestStatus::Rejected, None) => Some(rules::retention_reason(&decision)),
                _ => None,
            };
            let action = match to {
                RequestStatus::Rejected => "privacy.request.reject",
                RequestStatus::Completed => "privacy.request.complete",
                _ => "privacy.request.accept",
            };
            audit.push(
                self.event(actor, action, "privacy_request")
                    .subject(request.id)
                    .subject(employee)
                    .fields(["status", "retention"]),
            );
            transitions.push(RequestTransition {
                request_id: request.id,
                from_status: Some(RequestStatus::Submitted),
                to_status: to,
                at: now,
                by: SYSTEM_USER,
                note: note.clone(),
            });
            request.status = to;
            request.retention = Some(decision);
            if !to.is_open() {
                request.resolution = note;
                request.handled_by = Some(SYSTEM_USER);
                request.closed_at = Some(now);
            }
        }
        self.store.insert_request(&request, &transitions, consent.as_ref().map(|(r, n)| (r, *n)), &audit).await?;
        Ok(request)
    }

    /// The caller's own requests, newest first.
    pub async fn my_requests(&self, actor: &Actor) -> Result<Vec<DataSubjectRequest>, PrivacyError> {
        let employee = me(actor)?;
        self.store.requests_of(employee).await
    }

    /// One of the caller's own requests with its history.
    pub async fn my_request(&self, actor: &Actor, id: RequestId) -> Result<RequestDetail, PrivacyError> {
        let employee = me(actor)?;
        let request = self.store.request(id).await?;
        if request.employee_id != employee {
            return Err(PrivacyError::RequestNotFound);
        }
        let transitions = self.store.transitions(id).await?;
        Ok(RequestDetail { request, transitions })
    }

    /// HR list: summaries only (no free text, no proposed values).
    pub async fn requests(
        &self,
        actor: &Actor,
        query: RequestQuery,
        page: PageRequest,
    ) -> Result<Page<RequestSummary>, PrivacyError> {
        let scope = request_scope(actor.authorize(Permission::PrivacyAdmin)?);
        let today = self.clock.today();
        let found = self.store.list_requests(&query, &scope, page).await?;
        Ok(Page {
            items: found.items.iter().map(|r| r.summary(today)).collect(),
            total: found.total,
            page: found.page,
            per_page: found.per_page,
        })
    }

    /// 逾期: open requests past their due date, the most overdue first.
    pub async fn overdue_requests(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<RequestSummary>, PrivacyError> {
        let query = RequestQuery { due_before: Some(self.clock.today()), ..RequestQuery::default() };
        self.requests(actor, query, page).await
    }

    async fn in_scope(&self, actor: &Actor, id: RequestId) -> Result<DataSubjectRequest, PrivacyError> {
        let scope = request_scope(actor.authorize(Permission::PrivacyAdmin)?);
        let request = self.store.request(id).await?;
        if !scope.covers(request.company_id) {
            return Err(PrivacyError::RequestNotFound);
        }
        Ok(request)
    }

    /// One request in full for HR, proposed values included: an audited read.
    pub async fn request(&self, actor: &Actor, id: RequestId) -> Result<RequestDetail, PrivacyError> {
        let request = self.in_scope(actor, id).await?;
        let transitions = self.store.transitions(id).await?;
        let mut fields = vec!["status".to_string()];
        if request.details.is_some() {
            fields.push("details".into());
        }
        fields.extend(request.corrections.iter().map(|c| format!("corrections.{}", c.field)));
        let read = self
            .event(actor, "privacy.request.read", "privacy_request")
            .subject(request.id)
            .subject(request.employee_id)
            .fields(fields);
        self.audit.append(&[read]).await?;
        Ok(RequestDetail { request, transitions })
    }

    /// HR moves a request on: accept (in_progress), complete with the outcome (for a
    /// correction: what was changed through the people service), or reject with the reason.
    pub async fn transition(
        &self,
        actor: &Actor,
        id: RequestId,
        input: NewTransition,
    ) -> Result<RequestDetail, PrivacyError> {
        let mut request = self.in_scope(actor, id).await?;
        let from = request.status;
        let note = input.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        match rules::check_transition(from, input.to, note.as_deref()) {
            Ok(()) => {}
            Err(TransitionProblem::NotAllowed) => {
                return Err(PrivacyError::TransitionInvalid { from: from.as_str(), to: input.to.as_str() });
            }
            Err(TransitionProblem::NoteRequired) => {
                let mut f = bole_core::FieldErrors::new();
                f.add(
                    "note",
                    bole_core::Msg::new(
                        "完成须说明处理结果，拒绝须说明理由（个人信息保护法第五十条）",
                        "completing needs the outcome and rejecting needs the reason (PIPL art. 50)",
                    ),
                );
                return Err(f.into());
            }
            Err(TransitionProblem::NoteTooLong) => {
                let mut f = bole_core::FieldErrors::new();
                f.add("note", bole_core::Msg::new("说明不超过2000个字", "note must be at most 2000 characters"));
                return Err(f.into());
            }
        }
        let now = self.clock.now();
        request.status = input.to;
        request.handled_by = Some(actor.user_id);
        request.updated_at = now;
        if !input.to.is_open() {
            request.resolution = note.clone();
            request.closed_at = Some(now);
        }
        let transition = RequestTransition {
            request_id: id,
            from_status: Some(from),
            to_status: input.to,
            at: now,
            by: actor.user_id,
            note,
        };
        let action = match input.to {
            RequestStatus::InProgress => "privacy.request.accept",
            RequestStatus::Completed => "privacy.request.complete",
            RequestStatus::Rejected => "privacy.request.reject",
            RequestStatus::Submitted => "privacy.request.submit",
        };
        let audit = [self
            .event(actor, action, "privacy_request")
            .subject(id)
            .subject(request.employee_id)
            .fields(["status", "resolution"])];
        self.store.update_request(&request, from, &transition, &audit).await?;
        let transitions = self.store.transitions(id).await?;
        Ok(RequestDetail { request, transitions })
    }

    // ------------------------------------------------------------------ data copy

    /// 个人信息副本: everything held about the caller, by section. Audited before it is returned.
    pub async fn data_copy(&self, actor: &Actor) -> Result<DataCopy, PrivacyError> {
        let copy = self.assemble(actor).await?;
        self.audit_copy(actor, &copy, "privacy.data_copy.view").await?;
        Ok(copy)
    }

    /// The same copy as an .xlsx workbook, one sheet per section.
    pub async fn data_copy_xlsx(&self, actor: &Actor) -> Result<Vec<u8>, PrivacyError> {
        let copy = self.assemble(actor).await?;
        let bytes = copy::to_xlsx(&copy).map_err(|e| PrivacyError::Storage(format!("data copy workbook: {e}")))?;
        self.audit_copy(actor, &copy, "privacy.data_copy.download").await?;
        Ok(bytes)
    }

    async fn audit_copy(&self, actor: &Actor, copy: &DataCopy, action: &str) -> Result<(), PrivacyError> {
        let event =
            self.event(actor, action, "employee").subject(copy.employee_id).fields(copy.sections.keys().cloned());
        self.audit.append(&[event]).await?;
        Ok(())
    }

    async fn assemble(&self, actor: &Actor) -> Result<DataCopy, PrivacyError> {
        let employee = me(actor)?;
        let mut sections = match self.subject.personal_data(actor, employee).await? {
            serde_json::Value::Object(m) => m,
            other => {
                let mut m = serde_json::Map::new();
                m.insert("record".into(), other);
                m
            }
        };
        let (_, history, states) = self.states(employee).await?;
        sections.insert("consents".into(), to_json(&states)?);
        sections.insert("consent_history".into(), to_json(&history)?);
        sections.insert("notices_acknowledged".into(), to_json(&self.store.acknowledgements(employee).await?)?);
        sections.insert("requests".into(), to_json(&self.store.requests_of(employee).await?)?);
        let today = self.clock.today();
        let sharing = self.store.sharing_entries(&SharingQuery { kind: None, active_on: Some(today) }).await?;
        let recipients: Vec<serde_json::Value> = sharing
            .iter()
            .map(|s| {
                serde_json::json!({
                    "kind": s.kind,
                    "recipient": s.recipient,
                    "country": s.country,
                    "purpose": s.purpose,
                    "data_categories": s.data_categories,
                    "legal_basis": s.legal_basis,
                    "safeguards": s.safeguards,
                    "start_date": s.start_date,
                    "end_date": s.end_date,
                })
            })
            .collect();
        sections.insert("sharing".into(), serde_json::Value::Array(recipients));
        Ok(DataCopy { employee_id: employee, generated_at: self.clock.now(), sections })
    }

    // ------------------------------------------------------------------ sharing register

    fn authorize_register_read(actor: &Actor) -> Result<(), PrivacyError> {
        match actor.authorize(Permission::PrivacyAdmin) {
            Ok(_) => Ok(()),
            Err(e) => actor.authorize(Permission::AuditRead).map(|_| ()).map_err(|_| e.into()),
        }
    }

    /// The register (PrivacyAdmin and auditors).
    pub async fn sharing_entries(&self, actor: &Actor, query: SharingQuery) -> Result<Vec<SharingEntry>, PrivacyError> {
        Self::authorize_register_read(actor)?;
        self.store.sharing_entries(&query).await
    }

    pub async fn sharing_entry(&self, actor: &Actor, id: SharingEntryId) -> Result<SharingEntry, PrivacyError> {
        Self::authorize_register_read(actor)?;
        self.store.sharing_entry(id).await
    }

    fn build_entry(
        &self,
        actor: &Actor,
        id: SharingEntryId,
        input: NewSharingEntry,
        created: Option<&SharingEntry>,
    ) -> SharingEntry {
        let now = self.clock.now();
        let categories = rules::dedup_categories(&input.data_categories);
        let mut safeguards = input.safeguards;
        safeguards.sort();
        safeguards.dedup();
        let trim = |s: Option<String>| s.map(|x| x.trim().to_string()).filter(|x| !x.is_empty());
        SharingEntry {
            id,
            kind: input.kind,
            recipient: input.recipient.trim().to_string(),
            recipient_contact: trim(input.recipient_contact),
            country: trim(input.country),
            purpose: input.purpose.trim().to_string(),
            includes_sensitive: categories.iter().any(DataCategory::is_sensitive),
            data_categories: categories,
            legal_basis: input.legal_basis,
            safeguards,
            start_date: input.start_date,
            end_date: input.end_date,
            notes: trim(input.notes),
            created_at: created.map_or(now, |c| c.created_at),
            created_by: created.map_or(actor.user_id, |c| c.created_by),
            updated_at: now,
            updated_by: actor.user_id,
        }
    }

    const SHARING_FIELDS: [&'static str; 11] = [
        "kind",
        "recipient",
        "recipient_contact",
        "country",
        "purpose",
        "data_categories",
        "legal_basis",
        "safeguards",
        "start_date",
        "end_date",
        "notes",
    ];

    pub async fn add_sharing_entry(&self, actor: &Actor, input: NewSharingEntry) -> Result<SharingEntry, PrivacyError> {
        actor.authorize(Permission::PrivacyAdmin)?;
        rules::validate_sharing(&input)?;
        let entry = self.build_entry(actor, SharingEntryId::new(), input, None);
        let audit = [self
            .event(actor, "privacy.sharing.create", "sharing_entry")
            .subject(entry.id)
            .fields(Self::SHARING_FIELDS)];
        self.store.insert_sharing(&entry, &audit).await?;
        Ok(entry)
    }

    /// Replace an entry (e.g. record its end date or a new safeguard).
    pub async fn update_sharing_entry(
        &self,
        actor: &Actor,
        id: SharingEntryId,
        input: NewSharingEntry,
    ) -> Result<SharingEntry, PrivacyError> {
        actor.authorize(Permission::PrivacyAdmin)?;
        rules::validate_sharing(&input)?;
        let existing = self.store.sharing_entry(id).await?;
        let entry = self.build_entry(actor, id, input, Some(&existing));
        let audit =
            [self.event(actor, "privacy.sharing.update", "sharing_entry").subject(id).fields(Self::SHARING_FIELDS)];
        self.store.update_sharing(&entry, &audit).await?;
        Ok(entry)
    }

    /// Remove an entry recorded by mistake (an arrangement that ended gets an end date instead).
    pub async fn delete_sharing_entry(&self, actor: &Actor, id: SharingEntryId) -> Result<(), PrivacyError> {
        actor.authorize(Permission::PrivacyAdmin)?;
        let audit = [self.event(actor, "privacy.sharing.delete", "sharing_entry").subject(id)];
        self.store.delete_sharing(id, &audit).await
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, PrivacyError> {
    serde_json::to_value(value).map_err(|e| PrivacyError::Storage(format!("data copy section: {e}")))
}
