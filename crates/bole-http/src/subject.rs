//! What the privacy domain sees of the rest of Bole: [`SubjectDataAdapter`] implements
//! `bole_privacy::SubjectData` over the people service (the record, lifecycle events,
//! assignments, contracts) and the account store (the account, its sessions and API tokens),
//! so bole-privacy depends on neither. It lives here, next to the services it reads, so the composition root and the
//! HTTP tests build the same one.
//!
//! The privacy service calls it only for the data subject themselves, after checking
//! `actor.employee_id`. The people reads run as that person with read access narrowed to
//! their own record ([`DataScope::Own`]) — including contracts and unmasked sensitive fields,
//! because a copy under 个人信息保护法第四十五条 is of everything held, whatever the
//! day-to-day employee role shows.

use async_trait::async_trait;
use bole_access::AccountStore;
use bole_core::clock::SharedClock;
use bole_core::{AccessMap, Actor, DataScope, EmployeeId, Failure, Permission};
use bole_people::{EmployeeStatus, PeopleError, PeopleService};
use bole_privacy::{EmploymentFacts, PrivacyError, SubjectData};
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::sync::Arc;

pub struct SubjectDataAdapter {
    people: PeopleService,
    accounts: Arc<dyn AccountStore>,
    clock: SharedClock,
}

impl std::fmt::Debug for SubjectDataAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectDataAdapter").finish_non_exhaustive()
    }
}

impl SubjectDataAdapter {
    pub fn new(people: PeopleService, accounts: Arc<dyn AccountStore>, clock: SharedClock) -> Self {
        Self { people, accounts, clock }
    }
}

/// The data subject reading their own record: the people reads a full copy needs, over `Own` only.
fn as_subject(actor: Option<&Actor>, employee: EmployeeId) -> Actor {
    let mut access = AccessMap::default();
    for p in [Permission::EmployeeRead, Permission::ContractRead, Permission::SensitiveRead] {
        access.grant(p, DataScope::Own);
    }
    let mut subject = actor.cloned().unwrap_or_else(|| {
        let mut a = Actor::system();
        a.username = "privacy".into();
        a.roles = vec!["privacy".into()];
        a
    });
    subject.employee_id = Some(employee);
    subject.access = Arc::new(access);
    subject
}

fn people_err(e: PeopleError) -> PrivacyError {
    match e {
        PeopleError::EmployeeNotFound => PrivacyError::EmployeeNotFound,
        PeopleError::Forbidden(f) => PrivacyError::Forbidden(f),
        other => PrivacyError::Storage(format!("people: {}", other.code())),
    }
}

fn value<T: serde::Serialize>(v: &T) -> Result<Value, PrivacyError> {
    serde_json::to_value(v).map_err(|e| PrivacyError::Storage(format!("personal data section: {e}")))
}

#[async_trait]
impl SubjectData for SubjectDataAdapter {
    async fn personal_data(&self, actor: &Actor, employee: EmployeeId) -> Result<Value, PrivacyError> {
        let me = as_subject(Some(actor), employee);
        let detail = self.people.detail(&me, employee, None).await.map_err(people_err)?;
        let events = self.people.events(&me, employee).await.map_err(people_err)?;
        let assignments = self.people.assignments(&me, employee).await.map_err(people_err)?;
        let contracts = self.people.contracts(&me, employee).await.map_err(people_err)?;
        let account_err = |e: bole_access::AccessError| PrivacyError::Storage(format!("account: {}", e.code()));
        let sessions = self.accounts.sessions_of(actor.user_id, self.clock.now()).await.map_err(account_err)?;
        let tokens = self.accounts.api_tokens_of(actor.user_id).await.map_err(account_err)?;
        let account = self
            .accounts
            .user(actor.user_id)
            .await
            .map_err(account_err)?
            .map(|u| {
                json!({
                    "user_id": u.id,
                    "username": u.username,
                    "roles": u.grants,
                    "disabled": u.disabled,
                    "created_at": u.created_at,
                })
            })
            .unwrap_or(Value::Null);
        Ok(json!({
            "record": value(&detail)?,
            "events": value(&events)?,
            "assignments": value(&assignments)?,
            "contracts": value(&contracts)?,
            "account": account,
            "sessions": value(&sessions)?,
            "api_tokens": value(&tokens)?,
        }))
    }

    async fn employment(&self, employee: EmployeeId, on: NaiveDate) -> Result<EmploymentFacts, PrivacyError> {
        let me = as_subject(None, employee);
        let detail = self.people.detail(&me, employee, Some(on)).await.map_err(people_err)?;
        let segments = self.people.assignments(&me, employee).await.map_err(people_err)?;
        // Employed on the day, or hired with a start still ahead (the contract is signed).
        let employed = segments.iter().any(|a| a.status.employed() && a.valid.to.is_none_or(|t| t > on));
        let ended = segments
            .iter()
            .filter(|a| matches!(a.status, EmployeeStatus::Separated | EmployeeStatus::Retired) && a.valid.from <= on)
            .map(|a| a.valid.from)
            .max();
        // The separation segment opens the day after the last working day.
        let terminated_on = if employed { None } else { ended.map(|d| d.pred_opt().unwrap_or(d)) };
        Ok(EmploymentFacts { company_id: detail.employee.company_id, employed, terminated_on })
    }
}
