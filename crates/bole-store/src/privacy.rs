//! `PrivacyStore` on both engines. Every write appends its audit events in the same
//! transaction (`audit::append_in_tx`). Consent records and request transitions are
//! append-only (triggers refuse UPDATE/DELETE); their per-subject `seq` turns two concurrent
//! decisions into a unique violation, reported as the conflict the port names.
//! Proposed corrections and free-text details are personal data: they are SM4-GCM sealed
//! (`sealed::PRIVACY_REQUEST_*`), never formatted into SQL or errors, and never logged.

use crate::audit::append_in_tx;
use crate::db::{Tx, is_foreign_key_violation, is_unique_violation};
use crate::org::placeholders;
use crate::sealed::{self, open_field};
use crate::{SqlStore, on_db, on_tx};
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, EmployeeId, Page, PageRequest, UserId};
use bole_crypto::Keyring;
use bole_privacy::store::{PrivacyStore, RequestScope};
use bole_privacy::*;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

fn st(e: sqlx::Error) -> PrivacyError {
    // sqlx errors name constraints and SQL, never bound values.
    tracing::error!(error = %e, "privacy store failure");
    PrivacyError::Storage(e.to_string())
}

fn json_err(what: &str, id: Uuid, e: serde_json::Error) -> PrivacyError {
    tracing::error!(privacy.row = %id, column = what, error = %e, "privacy row does not decode");
    PrivacyError::Storage(format!("{what} of {id} does not decode"))
}

/// A key or sealing failure: logged without data, reported as a storage error.
fn crypto_err(e: impl std::fmt::Display) -> PrivacyError {
    tracing::error!(error = %e, "privacy sealed field failure");
    PrivacyError::Storage(e.to_string())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, PrivacyError> {
    serde_json::to_string(v).map_err(|e| PrivacyError::Storage(format!("encode: {e}")))
}

async fn audit(tx: &mut Tx, events: &[AuditEvent]) -> Result<(), PrivacyError> {
    append_in_tx(tx, events).await.map_err(st)
}

// ------------------------------------------------------------------------ notices

#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: Uuid,
    version: i32,
    title: String,
    body: String,
    changes: Option<String>,
    purposes: String,
    published_at: DateTime<Utc>,
    published_by: Uuid,
}

const NOTICE_COLS: &str = "id, version, title, body, changes, purposes, published_at, published_by";

impl TryFrom<NoticeRow> for PrivacyNotice {
    type Error = PrivacyError;
    fn try_from(r: NoticeRow) -> Result<Self, PrivacyError> {
        Ok(PrivacyNotice {
            id: NoticeId(r.id),
            version: r.version,
            title: r.title,
            body: r.body,
            changes: r.changes,
            purposes: serde_json::from_str(&r.purposes).map_err(|e| json_err("purposes", r.id, e))?,
            published_at: r.published_at,
            published_by: UserId(r.published_by),
        })
    }
}

// ------------------------------------------------------------------------ consents

#[derive(sqlx::FromRow)]
struct ConsentRow {
    id: Uuid,
    employee_id: Uuid,
    purpose_code: String,
    action: String,
    notice_version: i32,
    separate_consent: bool,
    recorded_at: DateTime<Utc>,
    recorded_by: Uuid,
    request_id: Option<Uuid>,
}

const CONSENT_COLS: &str =
    "id, employee_id, purpose_code, action, notice_version, separate_consent, recorded_at, recorded_by, request_id";

impl From<ConsentRow> for ConsentRecord {
    fn from(r: ConsentRow) -> Self {
        ConsentRecord {
            id: ConsentId(r.id),
            employee_id: EmployeeId(r.employee_id),
            purpose_code: r.purpose_code,
            action: ConsentAction::parse(&r.action).unwrap_or(ConsentAction::Withdrawn),
            notice_version: r.notice_version,
            separate: r.separate_consent,
            recorded_at: r.recorded_at,
            recorded_by: UserId(r.recorded_by),
            request_id: r.request_id.map(RequestId),
        }
    }
}

/// Appends one consent record as the `earlier + 1`-th of its (employee, purpose).
async fn insert_consent(tx: &mut Tx, r: &ConsentRecord, earlier: u32) -> Result<(), PrivacyError> {
    let seq = i32::try_from(earlier).unwrap_or(i32::MAX - 1) + 1;
    let res = on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO consent_records (id, employee_id, purpose_code, seq, action, notice_version, separate_consent, recorded_at, recorded_by, request_id) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
        )
        .bind(r.id.0)
        .bind(r.employee_id.0)
        .bind(&r.purpose_code)
        .bind(seq)
        .bind(r.action.as_str())
        .bind(r.notice_version)
        .bind(r.separate)
        .bind(r.recorded_at)
        .bind(r.recorded_by.0)
        .bind(r.request_id.map(|i| i.0))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
    });
    match res {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(PrivacyError::ConsentChanged),
        Err(e) if is_foreign_key_violation(&e) => Err(PrivacyError::EmployeeNotFound),
        Err(e) => Err(st(e)),
    }
}

// ------------------------------------------------------------------------ requests

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: Uuid,
    employee_id: Uuid,
    company_id: Uuid,
    kind: String,
    status: String,
    details_enc: Option<Vec<u8>>,
    corrections_enc: Option<Vec<u8>>,
    categories: String,
    purpose_code: Option<String>,
    retention: Option<String>,
    submitted_at: DateTime<Utc>,
    submitted_by: Uuid,
    due_date: NaiveDate,
    resolution: Option<String>,
    handled_by: Option<Uuid>,
    closed_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

const REQUEST_COLS: &str = "id, employee_id, company_id, kind, status, details_enc, corrections_enc, categories, purpose_code, retention, \
     submitted_at, submitted_by, due_date, resolution, handled_by, closed_at, updated_at";

impl RequestRow {
    fn sealed(&self) -> impl Iterator<Item = &[u8]> {
        self.details_enc.as_deref().into_iter().chain(self.corrections_enc.as_deref())
    }

    /// The request with its sealed columns opened.
    fn open(self, ring: &Keyring) -> Result<DataSubjectRequest, PrivacyError> {
        let r = self;
        let details = open_field(ring, sealed::PRIVACY_REQUEST_DETAILS, r.id, r.details_enc.as_deref(), None)
            .map_err(crypto_err)?;
        let corrections =
            open_field(ring, sealed::PRIVACY_REQUEST_CORRECTIONS, r.id, r.corrections_enc.as_deref(), None)
                .map_err(crypto_err)?;
        let kind =
            RequestKind::parse(&r.kind).ok_or_else(|| PrivacyError::Storage(format!("request {} kind", r.id)))?;
        let status =
            RequestStatus::parse(&r.status).ok_or_else(|| PrivacyError::Storage(format!("request {} status", r.id)))?;
        Ok(DataSubjectRequest {
            id: RequestId(r.id),
            employee_id: EmployeeId(r.employee_id),
            company_id: CompanyId(r.company_id),
            kind,
            status,
            details,
            corrections: match corrections {
                Some(json) => serde_json::from_str(&json).map_err(|e| json_err("corrections", r.id, e))?,
                None => Vec::new(),
            },
            categories: serde_json::from_str(&r.categories).map_err(|e| json_err("categories", r.id, e))?,
            purpose_code: r.purpose_code,
            retention: r
                .retention
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| json_err("retention", r.id, e))?,
            submitted_at: r.submitted_at,
            submitted_by: UserId(r.submitted_by),
            due_date: r.due_date,
            resolution: r.resolution,
            handled_by: r.handled_by.map(UserId),
            closed_at: r.closed_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TransitionRow {
    request_id: Uuid,
    from_status: Option<String>,
    to_status: String,
    changed_at: DateTime<Utc>,
    changed_by: Uuid,
    note: Option<String>,
}

impl From<TransitionRow> for RequestTransition {
    fn from(r: TransitionRow) -> Self {
        RequestTransition {
            request_id: RequestId(r.request_id),
            from_status: r.from_status.as_deref().and_then(RequestStatus::parse),
            to_status: RequestStatus::parse(&r.to_status).unwrap_or(RequestStatus::Submitted),
            at: r.changed_at,
            by: UserId(r.changed_by),
            note: r.note,
        }
    }
}

async fn insert_transition(tx: &mut Tx, t: &RequestTransition, seq: i32) -> Result<(), PrivacyError> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO privacy_request_transitions (request_id, seq, from_status, to_status, changed_at, changed_by, note) \
             VALUES ($1,$2,$3,$4,$5,$6,$7)",
        )
        .bind(t.request_id.0)
        .bind(seq)
        .bind(t.from_status.map(|s| s.as_str()))
        .bind(t.to_status.as_str())
        .bind(t.at)
        .bind(t.by.0)
        .bind(&t.note)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| if is_unique_violation(&e) { PrivacyError::RequestChanged } else { st(e) })?;
    Ok(())
}

enum Bind {
    Text(String),
    Id(Uuid),
    Date(NaiveDate),
}

/// WHERE clause (from `$1`) and binds of the HR request list.
fn request_where(q: &RequestQuery, scope: &RequestScope) -> (String, Vec<Bind>) {
    let mut sql = String::from(" WHERE 1=1");
    let mut binds = Vec::new();
    let mut n = 1;
    if let Some(s) = q.status {
        sql.push_str(&format!(" AND status = ${n}"));
        binds.push(Bind::Text(s.as_str().into()));
        n += 1;
    }
    if let Some(k) = q.kind {
        sql.push_str(&format!(" AND kind = ${n}"));
        binds.push(Bind::Text(k.as_str().into()));
        n += 1;
    }
    if let Some(e) = q.employee_id {
        sql.push_str(&format!(" AND employee_id = ${n}"));
        binds.push(Bind::Id(e.0));
        n += 1;
    }
    if let Some(d) = q.due_before {
        sql.push_str(&format!(" AND status IN ('submitted', 'in_progress') AND due_date < ${n}"));
        binds.push(Bind::Date(d));
        n += 1;
    }
    if let RequestScope::Companies(companies) = scope {
        if companies.is_empty() {
            sql.push_str(" AND 1=0");
        } else {
            sql.push_str(&format!(" AND company_id IN ({})", placeholders(n, companies.len())));
            binds.extend(companies.iter().map(|c| Bind::Id(c.0)));
        }
    }
    (sql, binds)
}

macro_rules! bind_all {
    ($q:ident, $binds:expr) => {
        for b in $binds {
            $q = match b {
                Bind::Text(t) => $q.bind(t.clone()),
                Bind::Id(u) => $q.bind(*u),
                Bind::Date(d) => $q.bind(*d),
            };
        }
    };
}

// ------------------------------------------------------------------------ sharing register

#[derive(sqlx::FromRow)]
struct SharingRow {
    id: Uuid,
    kind: String,
    recipient: String,
    recipient_contact: Option<String>,
    country: Option<String>,
    purpose: String,
    data_categories: String,
    includes_sensitive: bool,
    legal_basis: String,
    safeguards: String,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    notes: Option<String>,
    created_at: DateTime<Utc>,
    created_by: Uuid,
    updated_at: DateTime<Utc>,
    updated_by: Uuid,
}

const SHARING_COLS: &str = "id, kind, recipient, recipient_contact, country, purpose, data_categories, includes_sensitive, \
     legal_basis, safeguards, start_date, end_date, notes, created_at, created_by, updated_at, updated_by";

impl TryFrom<SharingRow> for SharingEntry {
    type Error = PrivacyError;
    fn try_from(r: SharingRow) -> Result<Self, PrivacyError> {
        Ok(SharingEntry {
            id: SharingEntryId(r.id),
            kind: SharingKind::parse(&r.kind).ok_or_else(|| PrivacyError::Storage(format!("sharing {} kind", r.id)))?,
            recipient: r.recipient,
            recipient_contact: r.recipient_contact,
            country: r.country,
            purpose: r.purpose,
            data_categories: serde_json::from_str(&r.data_categories)
                .map_err(|e| json_err("data_categories", r.id, e))?,
            includes_sensitive: r.includes_sensitive,
            legal_basis: LegalBasis::parse(&r.legal_basis)
                .ok_or_else(|| PrivacyError::Storage(format!("sharing {} legal basis", r.id)))?,
            safeguards: serde_json::from_str(&r.safeguards).map_err(|e| json_err("safeguards", r.id, e))?,
            start_date: r.start_date,
            end_date: r.end_date,
            notes: r.notes,
            created_at: r.created_at,
            created_by: UserId(r.created_by),
            updated_at: r.updated_at,
            updated_by: UserId(r.updated_by),
        })
    }
}

#[async_trait]
impl PrivacyStore for SqlStore {
    async fn publish_notice(
        &self,
        notice: &PrivacyNotice,
        events: &[AuditEvent],
    ) -> Result<PrivacyNotice, PrivacyError> {
        let purposes = to_json(&notice.purposes)?;
        let mut tx = self.db.begin().await.map_err(st)?;
        let version: i32 = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT CAST(COALESCE(MAX(version), 0) + 1 AS INTEGER) FROM privacy_notices")
                .fetch_one(&mut *c)
                .await
        })
        .map_err(st)?;
        let res = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO privacy_notices (id, version, title, body, changes, purposes, published_at, published_by) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            )
            .bind(notice.id.0)
            .bind(version)
            .bind(&notice.title)
            .bind(&notice.body)
            .bind(&notice.changes)
            .bind(&purposes)
            .bind(notice.published_at)
            .bind(notice.published_by.0)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        });
        match res {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(PrivacyError::NoticeVersionConflict),
            Err(e) => return Err(st(e)),
        }
        audit(&mut tx, events).await?;
        tx.commit()
            .await
            .map_err(|e| if is_unique_violation(&e) { PrivacyError::NoticeVersionConflict } else { st(e) })?;
        Ok(PrivacyNotice { version, ..notice.clone() })
    }

    async fn current_notice(&self) -> Result<Option<PrivacyNotice>, PrivacyError> {
        let sql = format!("SELECT {NOTICE_COLS} FROM privacy_notices ORDER BY version DESC LIMIT 1");
        let row: Option<NoticeRow> =
            on_db!(&self.db, p => sqlx::query_as(AssertSqlSafe(sql)).fetch_optional(p).await).map_err(st)?;
        row.map(TryInto::try_into).transpose()
    }

    async fn notice(&self, version: i32) -> Result<PrivacyNotice, PrivacyError> {
        let sql = format!("SELECT {NOTICE_COLS} FROM privacy_notices WHERE version = $1");
        let row: Option<NoticeRow> =
            on_db!(&self.db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(version).fetch_optional(p).await)
                .map_err(st)?;
        row.ok_or(PrivacyError::NoticeNotFound)?.try_into()
    }

    async fn notices(&self) -> Result<Vec<NoticeSummary>, PrivacyError> {
        type Row = (Uuid, i32, String, DateTime<Utc>, Uuid, String, i64);
        let rows: Vec<Row> = on_db!(&self.db, p => {
            sqlx::query_as(
                "SELECT n.id, n.version, n.title, n.published_at, n.published_by, n.purposes, \
                 (SELECT COUNT(*) FROM privacy_acknowledgements a WHERE a.notice_id = n.id) \
                 FROM privacy_notices n ORDER BY n.version DESC",
            )
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        rows.into_iter()
            .map(|(id, version, title, published_at, by, purposes, acks)| {
                let purposes: Vec<serde_json::Value> =
                    serde_json::from_str(&purposes).map_err(|e| json_err("purposes", id, e))?;
                Ok(NoticeSummary {
                    id: NoticeId(id),
                    version,
                    title,
                    published_at,
                    published_by: UserId(by),
                    purposes: purposes.len(),
                    acknowledgements: u64::try_from(acks).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn acknowledge(&self, ack: &Acknowledgement, events: &[AuditEvent]) -> Result<bool, PrivacyError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let res = on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO privacy_acknowledgements (employee_id, notice_id, version, acknowledged_at, user_id) \
                 VALUES ($1,$2,$3,$4,$5) ON CONFLICT (employee_id, notice_id) DO NOTHING",
            )
            .bind(ack.employee_id.0)
            .bind(ack.notice_id.0)
            .bind(ack.version)
            .bind(ack.acknowledged_at)
            .bind(ack.user_id.0)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        });
        let inserted = match res {
            Ok(n) => n == 1,
            Err(e) if is_foreign_key_violation(&e) => return Err(PrivacyError::EmployeeNotFound),
            Err(e) => return Err(st(e)),
        };
        if !inserted {
            return Ok(false);
        }
        audit(&mut tx, events).await?;
        tx.commit().await.map_err(st)?;
        Ok(true)
    }

    async fn acknowledgements(&self, employee: EmployeeId) -> Result<Vec<Acknowledgement>, PrivacyError> {
        type Row = (Uuid, Uuid, i32, DateTime<Utc>, Uuid);
        let rows: Vec<Row> = on_db!(&self.db, p => {
            sqlx::query_as(
                "SELECT employee_id, notice_id, version, acknowledged_at, user_id FROM privacy_acknowledgements \
                 WHERE employee_id = $1 ORDER BY version",
            )
            .bind(employee.0)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|(e, n, version, at, user)| Acknowledgement {
                employee_id: EmployeeId(e),
                notice_id: NoticeId(n),
                version,
                acknowledged_at: at,
                user_id: UserId(user),
            })
            .collect())
    }

    async fn append_consent(
        &self,
        record: &ConsentRecord,
        earlier: u32,
        events: &[AuditEvent],
    ) -> Result<(), PrivacyError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        insert_consent(&mut tx, record, earlier).await?;
        audit(&mut tx, events).await?;
        tx.commit().await.map_err(|e| if is_unique_violation(&e) { PrivacyError::ConsentChanged } else { st(e) })
    }

    async fn consents(&self, employee: EmployeeId) -> Result<Vec<ConsentRecord>, PrivacyError> {
        // Within one purpose `seq` is the recording order even when instants tie.
        let sql = format!(
            "SELECT {CONSENT_COLS} FROM consent_records WHERE employee_id = $1 ORDER BY recorded_at, purpose_code, seq"
        );
        let rows: Vec<ConsentRow> =
            on_db!(&self.db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(employee.0).fetch_all(p).await)
                .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn insert_request(
        &self,
        r: &DataSubjectRequest,
        transitions: &[RequestTransition],
        consent: Option<(&ConsentRecord, u32)>,
        events: &[AuditEvent],
    ) -> Result<(), PrivacyError> {
        let ring = self.sealing_ring().await.map_err(crypto_err)?;
        let details = r
            .details
            .as_deref()
            .map(|d| ring.seal_str(&sealed::PRIVACY_REQUEST_DETAILS.aad(r.id.0), d))
            .transpose()
            .map_err(crypto_err)?;
        let corrections = if r.corrections.is_empty() {
            None
        } else {
            let json = to_json(&r.corrections)?;
            Some(ring.seal_str(&sealed::PRIVACY_REQUEST_CORRECTIONS.aad(r.id.0), &json).map_err(crypto_err)?)
        };
        let categories = to_json(&r.categories)?;
        let retention = r.retention.as_ref().map(to_json).transpose()?;
        let mut tx = self.db.begin().await.map_err(st)?;
        let sql = format!(
            "INSERT INTO privacy_requests ({REQUEST_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)"
        );
        let res = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(r.id.0)
                .bind(r.employee_id.0)
                .bind(r.company_id.0)
                .bind(r.kind.as_str())
                .bind(r.status.as_str())
                .bind(&details)
                .bind(&corrections)
                .bind(&categories)
                .bind(&r.purpose_code)
                .bind(&retention)
                .bind(r.submitted_at)
                .bind(r.submitted_by.0)
                .bind(r.due_date)
                .bind(&r.resolution)
                .bind(r.handled_by.map(|u| u.0))
                .bind(r.closed_at)
                .bind(r.updated_at)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        });
        match res {
            Ok(_) => {}
            Err(e) if is_foreign_key_violation(&e) => return Err(PrivacyError::EmployeeNotFound),
            Err(e) => return Err(st(e)),
        }
        for (i, t) in transitions.iter().enumerate() {
            insert_transition(&mut tx, t, i32::try_from(i + 1).unwrap_or(i32::MAX)).await?;
        }
        if let Some((record, earlier)) = consent {
            insert_consent(&mut tx, record, earlier).await?;
        }
        audit(&mut tx, events).await?;
        tx.commit().await.map_err(|e| if is_unique_violation(&e) { PrivacyError::ConsentChanged } else { st(e) })
    }

    async fn request(&self, id: RequestId) -> Result<DataSubjectRequest, PrivacyError> {
        let sql = format!("SELECT {REQUEST_COLS} FROM privacy_requests WHERE id = $1");
        let row: Option<RequestRow> =
            on_db!(&self.db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await).map_err(st)?;
        let row = row.ok_or(PrivacyError::RequestNotFound)?;
        let ring = self.ring_for(row.sealed()).await.map_err(crypto_err)?;
        row.open(&ring)
    }

    async fn transitions(&self, id: RequestId) -> Result<Vec<RequestTransition>, PrivacyError> {
        let rows: Vec<TransitionRow> = on_db!(&self.db, p => {
            sqlx::query_as(
                "SELECT request_id, from_status, to_status, changed_at, changed_by, note FROM privacy_request_transitions \
                 WHERE request_id = $1 ORDER BY seq",
            )
            .bind(id.0)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn requests_of(&self, employee: EmployeeId) -> Result<Vec<DataSubjectRequest>, PrivacyError> {
        let sql = format!(
            "SELECT {REQUEST_COLS} FROM privacy_requests WHERE employee_id = $1 ORDER BY submitted_at DESC, id DESC"
        );
        let rows: Vec<RequestRow> =
            on_db!(&self.db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(employee.0).fetch_all(p).await)
                .map_err(st)?;
        let ring = self.ring_for(rows.iter().flat_map(RequestRow::sealed)).await.map_err(crypto_err)?;
        rows.into_iter().map(|r| r.open(&ring)).collect()
    }

    async fn list_requests(
        &self,
        query: &RequestQuery,
        scope: &RequestScope,
        page: PageRequest,
    ) -> Result<Page<DataSubjectRequest>, PrivacyError> {
        let (where_sql, binds) = request_where(query, scope);
        let n = binds.len();
        let count_sql = format!("SELECT COUNT(*) FROM privacy_requests{where_sql}");
        let page_sql = format!(
            "SELECT {REQUEST_COLS} FROM privacy_requests{where_sql} \
             ORDER BY CASE WHEN status IN ('submitted', 'in_progress') THEN 0 ELSE 1 END, due_date, id \
             LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let (total, rows): (i64, Vec<RequestRow>) = on_db!(&self.db, p => {
            let mut cq = sqlx::query_scalar(AssertSqlSafe(count_sql));
            bind_all!(cq, &binds);
            let total = cq.fetch_one(p).await.map_err(st)?;
            let mut q = sqlx::query_as(AssertSqlSafe(page_sql));
            bind_all!(q, &binds);
            let rows = q.bind(page.limit()).bind(page.offset()).fetch_all(p).await.map_err(st)?;
            (total, rows)
        });
        let ring = self.ring_for(rows.iter().flat_map(RequestRow::sealed)).await.map_err(crypto_err)?;
        Ok(Page {
            items: rows.into_iter().map(|r| r.open(&ring)).collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
            page: page.page,
            per_page: page.per_page,
        })
    }

    async fn update_request(
        &self,
        r: &DataSubjectRequest,
        expected: RequestStatus,
        transition: &RequestTransition,
        events: &[AuditEvent],
    ) -> Result<(), PrivacyError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let changed = on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE privacy_requests SET status = $1, resolution = $2, handled_by = $3, closed_at = $4, updated_at = $5 \
                 WHERE id = $6 AND status = $7",
            )
            .bind(r.status.as_str())
            .bind(&r.resolution)
            .bind(r.handled_by.map(|u| u.0))
            .bind(r.closed_at)
            .bind(r.updated_at)
            .bind(r.id.0)
            .bind(expected.as_str())
            .execute(&mut *c)
            .await
            .map(|x| x.rows_affected())
        })
        .map_err(st)?;
        if changed == 0 {
            let exists: Option<Uuid> = on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT id FROM privacy_requests WHERE id = $1").bind(r.id.0).fetch_optional(&mut *c).await
            })
            .map_err(st)?;
            return Err(if exists.is_some() { PrivacyError::RequestChanged } else { PrivacyError::RequestNotFound });
        }
        let seq: i32 = on_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "SELECT CAST(COALESCE(MAX(seq), 0) + 1 AS INTEGER) FROM privacy_request_transitions WHERE request_id = $1",
            )
            .bind(r.id.0)
            .fetch_one(&mut *c)
            .await
        })
        .map_err(st)?;
        insert_transition(&mut tx, transition, seq).await?;
        audit(&mut tx, events).await?;
        tx.commit().await.map_err(st)
    }

    async fn insert_sharing(&self, e: &SharingEntry, events: &[AuditEvent]) -> Result<(), PrivacyError> {
        let categories = to_json(&e.data_categories)?;
        let safeguards = to_json(&e.safeguards)?;
        let sql = format!(
            "INSERT INTO sharing_register ({SHARING_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)"
        );
        let mut tx = self.db.begin().await.map_err(st)?;
        on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(e.id.0)
                .bind(e.kind.as_str())
                .bind(&e.recipient)
                .bind(&e.recipient_contact)
                .bind(&e.country)
                .bind(&e.purpose)
                .bind(&categories)
                .bind(e.includes_sensitive)
                .bind(e.legal_basis.as_str())
                .bind(&safeguards)
                .bind(e.start_date)
                .bind(e.end_date)
                .bind(&e.notes)
                .bind(e.created_at)
                .bind(e.created_by.0)
                .bind(e.updated_at)
                .bind(e.updated_by.0)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        audit(&mut tx, events).await?;
        tx.commit().await.map_err(st)
    }

    async fn update_sharing(&self, e: &SharingEntry, events: &[AuditEvent]) -> Result<(), PrivacyError> {
        let categories = to_json(&e.data_categories)?;
        let safeguards = to_json(&e.safeguards)?;
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE sharing_register SET kind = $1, recipient = $2, recipient_contact = $3, country = $4, purpose = $5, \
                 data_categories = $6, includes_sensitive = $7, legal_basis = $8, safeguards = $9, start_date = $10, \
                 end_date = $11, notes = $12, updated_at = $13, updated_by = $14 WHERE id = $15",
            )
            .bind(e.kind.as_str())
            .bind(&e.recipient)
            .bind(&e.recipient_contact)
            .bind(&e.country)
            .bind(&e.purpose)
            .bind(&categories)
            .bind(e.includes_sensitive)
            .bind(e.legal_basis.as_str())
            .bind(&safeguards)
            .bind(e.start_date)
            .bind(e.end_date)
            .bind(&e.notes)
            .bind(e.updated_at)
            .bind(e.updated_by.0)
            .bind(e.id.0)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n == 0 {
            return Err(PrivacyError::SharingEntryNotFound);
        }
        audit(&mut tx, events).await?;
        tx.commit().await.map_err(st)
    }

    async fn delete_sharing(&self, id: SharingEntryId, events: &[AuditEvent]) -> Result<(), PrivacyError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM sharing_register WHERE id = $1")
                .bind(id.0)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n == 0 {
            return Err(PrivacyError::SharingEntryNotFound);
        }
        audit(&mut tx, events).await?;
        tx.commit().await.map_err(st)
    }

    async fn sharing_entry(&self, id: SharingEntryId) -> Result<SharingEntry, PrivacyError> {
        let sql = format!("SELECT {SHARING_COLS} FROM sharing_register WHERE id = $1");
        let row: Option<SharingRow> =
            on_db!(&self.db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await).map_err(st)?;
        row.ok_or(PrivacyError::SharingEntryNotFound)?.try_into()
    }

    async fn sharing_entries(&self, q: &SharingQuery) -> Result<Vec<SharingEntry>, PrivacyError> {
        let mut sql = format!("SELECT {SHARING_COLS} FROM sharing_register WHERE 1=1");
        let mut binds = Vec::new();
        if let Some(k) = q.kind {
            binds.push(Bind::Text(k.as_str().into()));
            sql.push_str(&format!(" AND kind = ${}", binds.len()));
        }
        if let Some(d) = q.active_on {
            binds.push(Bind::Date(d));
            let n = binds.len();
            sql.push_str(&format!(" AND start_date <= ${n} AND (end_date IS NULL OR end_date >= ${n})"));
        }
        sql.push_str(" ORDER BY start_date, id");
        let rows: Vec<SharingRow> = on_db!(&self.db, p => {
            let mut query = sqlx::query_as(AssertSqlSafe(sql));
            bind_all!(query, &binds);
            query.fetch_all(p).await
        })
        .map_err(st)?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
