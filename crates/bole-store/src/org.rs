//! `OrgStore` on both engines. As-of reads select the version whose half-open
//! range covers the date; structural changes close the covering version and open
//! the next one in a single transaction.

use crate::audit::append_in_tx;
use crate::db::{Tx, is_unique_violation};
use crate::{SqlStore, on_db, on_tx};
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, DateRange, OrgUnitId, PositionId, QuotaId};
use bole_org::*;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;
use uuid::Uuid;

fn st(e: sqlx::Error) -> OrgError {
    tracing::error!(error = %e, "org store failure");
    OrgError::Storage(e.to_string())
}

/// `$start, $start+1, …` placeholders for an IN list.
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
}

#[derive(sqlx::FromRow)]
struct CompanyRow {
    id: Uuid,
    code: String,
    name: String,
    kind: String,
    credit_code: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<CompanyRow> for Company {
    fn from(r: CompanyRow) -> Self {
        Company {
            id: CompanyId(r.id),
            code: r.code,
            name: r.name,
            kind: CompanyKind::parse(&r.kind).unwrap_or(CompanyKind::Enterprise),
            credit_code: r.credit_code,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: Uuid,
    company_id: Uuid,
    code: String,
    name: String,
    kind: String,
    parent_id: Option<Uuid>,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
}

impl From<UnitRow> for OrgUnitView {
    fn from(r: UnitRow) -> Self {
        OrgUnitView {
            id: OrgUnitId(r.id),
            company_id: CompanyId(r.company_id),
            code: r.code,
            name: r.name,
            kind: UnitKind::parse(&r.kind).unwrap_or(UnitKind::Department),
            parent_id: r.parent_id.map(OrgUnitId),
            valid: DateRange { from: r.valid_from, to: r.valid_to },
        }
    }
}

const UNIT_COLS: &str = "u.id, u.company_id, u.code, v.name, v.kind, v.parent_id, v.valid_from, v.valid_to";

#[derive(sqlx::FromRow)]
struct ChangeRow {
    unit_id: Uuid,
    kind: String,
    effective_date: NaiveDate,
    details: String,
    recorded_at: DateTime<Utc>,
    recorded_by: String,
}

#[derive(sqlx::FromRow)]
struct PositionRow {
    id: Uuid,
    company_id: Uuid,
    org_unit_id: Uuid,
    code: String,
    name: String,
    job_family: String,
    grade: String,
    is_key: bool,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
}

impl From<PositionRow> for Position {
    fn from(r: PositionRow) -> Self {
        Position {
            id: PositionId(r.id),
            company_id: CompanyId(r.company_id),
            org_unit_id: OrgUnitId(r.org_unit_id),
            code: r.code,
            name: r.name,
            job_family: r.job_family,
            grade: r.grade,
            is_key: r.is_key,
            valid: DateRange { from: r.valid_from, to: r.valid_to },
        }
    }
}

const POSITION_COLS: &str = "id, company_id, org_unit_id, code, name, job_family, grade, is_key, valid_from, valid_to";

#[derive(sqlx::FromRow)]
struct QuotaRow {
    id: Uuid,
    org_unit_id: Uuid,
    category: String,
    amount: i64,
    allow_overrun: bool,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    occupied: i64,
}

async fn insert_change(tx: &mut Tx, r: &OrgChangeRecord) -> Result<(), sqlx::Error> {
    let details = r.details.to_string();
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO org_changes (id, unit_id, kind, effective_date, details, recorded_at, recorded_by) VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(Uuid::now_v7())
            .bind(r.unit_id.0)
            .bind(&r.kind)
            .bind(r.effective_date)
            .bind(&details)
            .bind(r.recorded_at)
            .bind(&r.recorded_by)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Closes the version covering `w.from` and opens the next; the caller owns the transaction.
pub(crate) async fn write_unit_version(tx: &mut Tx, w: &UnitVersionWrite) -> Result<(), OrgError> {
    let later: Option<NaiveDate> = on_tx!(tx, c => {
        sqlx::query_scalar("SELECT valid_from FROM org_unit_versions WHERE unit_id = $1 AND valid_from >= $2 ORDER BY valid_from DESC LIMIT 1")
            .bind(w.unit_id.0)
            .bind(w.from)
            .fetch_optional(&mut *c)
            .await
            .map_err(st)?
    });
    if let Some(later) = later {
        return Err(OrgError::LaterChangeExists { later });
    }
    let covering: Option<(NaiveDate, Option<NaiveDate>)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT valid_from, valid_to FROM org_unit_versions WHERE unit_id = $1 AND valid_from < $2 AND (valid_to IS NULL OR valid_to > $2)")
            .bind(w.unit_id.0)
            .bind(w.from)
            .fetch_optional(&mut *c)
            .await
            .map_err(st)?
    });
    let Some((from, old_to)) = covering else {
        return Err(OrgError::UnitNotInForce(w.from));
    };
    on_tx!(tx, c => {
        sqlx::query("UPDATE org_unit_versions SET valid_to = $1 WHERE unit_id = $2 AND valid_from = $3")
            .bind(w.from)
            .bind(w.unit_id.0)
            .bind(from)
            .execute(&mut *c)
            .await
            .map_err(st)?;
        if let Some(next) = &w.next {
            sqlx::query("INSERT INTO org_unit_versions (unit_id, valid_from, valid_to, name, parent_id, kind) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(w.unit_id.0)
                .bind(w.from)
                .bind(old_to)
                .bind(&next.name)
                .bind(next.parent_id.map(|p| p.0))
                .bind(next.kind.as_str())
                .execute(&mut *c)
                .await
                .map_err(st)?;
        }
    });
    Ok(())
}

pub(crate) async fn write_unit_changes(
    tx: &mut Tx,
    writes: &[UnitVersionWrite],
    records: &[OrgChangeRecord],
) -> Result<(), OrgError> {
    for w in writes {
        write_unit_version(tx, w).await?;
    }
    for r in records {
        insert_change(tx, r).await.map_err(st)?;
    }
    Ok(())
}

#[async_trait]
impl OrgStore for SqlStore {
    async fn insert_company(&self, company: &Company, audit: &[AuditEvent]) -> Result<(), OrgError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let r = on_tx!(&mut tx, p => {
            sqlx::query("INSERT INTO companies (id, code, name, kind, credit_code, created_at) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(company.id.0)
                .bind(&company.code)
                .bind(&company.name)
                .bind(company.kind.as_str())
                .bind(&company.credit_code)
                .bind(company.created_at)
                .execute(&mut *p)
                .await
                .map(|r| r.rows_affected())
        });
        match r {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(OrgError::DuplicateCode(company.code.clone())),
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn companies(&self) -> Result<Vec<Company>, OrgError> {
        let rows: Vec<CompanyRow> = on_db!(&self.db, p => {
            sqlx::query_as("SELECT id, code, name, kind, credit_code, created_at FROM companies ORDER BY code").fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn company(&self, id: CompanyId) -> Result<Company, OrgError> {
        let row: Option<CompanyRow> = on_db!(&self.db, p => {
            sqlx::query_as("SELECT id, code, name, kind, credit_code, created_at FROM companies WHERE id = $1").bind(id.0).fetch_optional(p).await
        })
        .map_err(st)?;
        row.map(Into::into).ok_or(OrgError::CompanyNotFound)
    }

    async fn insert_unit(
        &self,
        unit: &OrgUnitView,
        record: &OrgChangeRecord,
        audit: &[AuditEvent],
    ) -> Result<(), OrgError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let r = on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO org_units (id, company_id, code, created_at) VALUES ($1,$2,$3,$4)")
                .bind(unit.id.0)
                .bind(unit.company_id.0)
                .bind(&unit.code)
                .bind(record.recorded_at)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        });
        match r {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(OrgError::DuplicateCode(unit.code.clone())),
            Err(e) => return Err(st(e)),
        }
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO org_unit_versions (unit_id, valid_from, valid_to, name, parent_id, kind) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(unit.id.0)
                .bind(unit.valid.from)
                .bind(unit.valid.to)
                .bind(&unit.name)
                .bind(unit.parent_id.map(|p| p.0))
                .bind(unit.kind.as_str())
                .execute(&mut *c)
                .await
                .map_err(st)?;
        });
        insert_change(&mut tx, record).await.map_err(st)?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn units_as_of(&self, company: Option<CompanyId>, as_of: NaiveDate) -> Result<Vec<OrgUnitView>, OrgError> {
        let mut sql = format!(
            "SELECT {UNIT_COLS} FROM org_unit_versions v JOIN org_units u ON u.id = v.unit_id \
             WHERE v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)"
        );
        if company.is_some() {
            sql.push_str(" AND u.company_id = $2");
        }
        sql.push_str(" ORDER BY u.code");
        let rows: Vec<UnitRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(as_of);
            if let Some(c) = company {
                q = q.bind(c.0);
            }
            q.fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn unit_versions(&self, id: OrgUnitId) -> Result<Vec<OrgUnitView>, OrgError> {
        let sql = format!(
            "SELECT {UNIT_COLS} FROM org_unit_versions v JOIN org_units u ON u.id = v.unit_id WHERE u.id = $1 ORDER BY v.valid_from"
        );
        let rows: Vec<UnitRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_all(p).await
        })
        .map_err(st)?;
        if rows.is_empty() {
            return Err(OrgError::UnitNotFound);
        }
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn unit_versions_of_company(&self, company: CompanyId) -> Result<Vec<OrgUnitView>, OrgError> {
        let sql = format!(
            "SELECT {UNIT_COLS} FROM org_unit_versions v JOIN org_units u ON u.id = v.unit_id WHERE u.company_id = $1 ORDER BY u.code, v.valid_from"
        );
        let rows: Vec<UnitRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(company.0).fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn positions_of_company(&self, company: CompanyId) -> Result<Vec<Position>, OrgError> {
        let sql = format!("SELECT {POSITION_COLS} FROM positions WHERE company_id = $1 ORDER BY code");
        let rows: Vec<PositionRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(company.0).fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn unit_by_code(&self, company: CompanyId, code: &str) -> Result<Option<OrgUnitId>, OrgError> {
        let id: Option<Uuid> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT id FROM org_units WHERE company_id = $1 AND code = $2").bind(company.0).bind(code).fetch_optional(p).await
        })
        .map_err(st)?;
        Ok(id.map(OrgUnitId))
    }

    async fn apply_unit_changes(
        &self,
        writes: &[UnitVersionWrite],
        records: &[OrgChangeRecord],
        audit: &[AuditEvent],
    ) -> Result<(), OrgError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        write_unit_changes(&mut tx, writes, records).await?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn unit_changes(&self, id: OrgUnitId) -> Result<Vec<OrgChangeRecord>, OrgError> {
        let rows: Vec<ChangeRow> = on_db!(&self.db, p => {
            sqlx::query_as("SELECT unit_id, kind, effective_date, details, recorded_at, recorded_by FROM org_changes WHERE unit_id = $1 ORDER BY effective_date, recorded_at")
                .bind(id.0)
                .fetch_all(p)
                .await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|r| OrgChangeRecord {
                unit_id: OrgUnitId(r.unit_id),
                kind: r.kind,
                effective_date: r.effective_date,
                details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
                recorded_at: r.recorded_at,
                recorded_by: r.recorded_by,
            })
            .collect())
    }

    async fn staffed_units(&self, units: &[OrgUnitId], from: NaiveDate) -> Result<Vec<OrgUnitId>, OrgError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT DISTINCT org_unit_id FROM assignments WHERE employed AND (valid_to IS NULL OR valid_to > $1) AND org_unit_id IN ({})",
            placeholders(2, units.len())
        );
        let ids: Vec<Uuid> = on_db!(&self.db, p => {
            let mut q = sqlx::query_scalar(AssertSqlSafe(sql)).bind(from);
            for u in units {
                q = q.bind(u.0);
            }
            q.fetch_all(p).await
        })
        .map_err(st)?;
        Ok(ids.into_iter().map(OrgUnitId).collect())
    }

    async fn headcount_as_of(
        &self,
        company: Option<CompanyId>,
        as_of: NaiveDate,
    ) -> Result<HashMap<OrgUnitId, i64>, OrgError> {
        let mut sql = String::from("SELECT a.org_unit_id, COUNT(*) FROM assignments a ");
        if company.is_some() {
            sql.push_str("JOIN org_units u ON u.id = a.org_unit_id AND u.company_id = $2 ");
        }
        sql.push_str("WHERE a.employed AND a.valid_from <= $1 AND (a.valid_to IS NULL OR a.valid_to > $1) GROUP BY a.org_unit_id");
        let rows: Vec<(Uuid, i64)> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(as_of);
            if let Some(c) = company {
                q = q.bind(c.0);
            }
            q.fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(|(u, n)| (OrgUnitId(u), n)).collect())
    }

    async fn insert_position(&self, position: &Position, audit: &[AuditEvent]) -> Result<(), OrgError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let r = on_tx!(&mut tx, p => {
            sqlx::query("INSERT INTO positions (id, company_id, org_unit_id, code, name, job_family, grade, is_key, valid_from, valid_to) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
                .bind(position.id.0)
                .bind(position.company_id.0)
                .bind(position.org_unit_id.0)
                .bind(&position.code)
                .bind(&position.name)
                .bind(&position.job_family)
                .bind(&position.grade)
                .bind(position.is_key)
                .bind(position.valid.from)
                .bind(position.valid.to)
                .execute(&mut *p)
                .await
                .map(|r| r.rows_affected())
        });
        match r {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(OrgError::DuplicateCode(position.code.clone())),
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn position(&self, id: PositionId) -> Result<Position, OrgError> {
        let sql = format!("SELECT {POSITION_COLS} FROM positions WHERE id = $1");
        let row: Option<PositionRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await
        })
        .map_err(st)?;
        row.map(Into::into).ok_or(OrgError::PositionNotFound)
    }

    async fn positions_as_of(
        &self,
        company: Option<CompanyId>,
        units: Option<&[OrgUnitId]>,
        as_of: NaiveDate,
    ) -> Result<Vec<Position>, OrgError> {
        let mut sql = format!(
            "SELECT {POSITION_COLS} FROM positions WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)"
        );
        let mut n = 2;
        if company.is_some() {
            sql.push_str(" AND company_id = $2");
            n = 3;
        }
        if let Some(u) = units {
            if u.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(" AND org_unit_id IN ({})", placeholders(n, u.len())));
        }
        sql.push_str(" ORDER BY code");
        let rows: Vec<PositionRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(as_of);
            if let Some(c) = company {
                q = q.bind(c.0);
            }
            for u in units.unwrap_or_default() {
                q = q.bind(u.0);
            }
            q.fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn position_by_code(&self, company: CompanyId, code: &str) -> Result<Option<PositionId>, OrgError> {
        let id: Option<Uuid> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT id FROM positions WHERE company_id = $1 AND code = $2").bind(company.0).bind(code).fetch_optional(p).await
        })
        .map_err(st)?;
        Ok(id.map(PositionId))
    }

    async fn insert_quota(&self, quota: &HeadcountQuota, audit: &[AuditEvent]) -> Result<(), OrgError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let existing: Vec<(NaiveDate, Option<NaiveDate>)> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT valid_from, valid_to FROM headcount_quotas WHERE org_unit_id = $1 AND category = $2")
                .bind(quota.org_unit_id.0)
                .bind(&quota.category)
                .fetch_all(&mut *c)
                .await
                .map_err(st)?
        });
        if let Some((from, _)) = existing.iter().find(|(f, t)| DateRange { from: *f, to: *t }.overlaps(&quota.valid)) {
            return Err(OrgError::QuotaOverlap { existing_from: *from });
        }
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO headcount_quotas (id, org_unit_id, category, amount, allow_overrun, valid_from, valid_to) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                .bind(quota.id.0)
                .bind(quota.org_unit_id.0)
                .bind(&quota.category)
                .bind(quota.amount)
                .bind(quota.allow_overrun)
                .bind(quota.valid.from)
                .bind(quota.valid.to)
                .execute(&mut *c)
                .await
                .map_err(st)?;
        });
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn quota_usage(&self, units: Option<&[OrgUnitId]>, as_of: NaiveDate) -> Result<Vec<QuotaUsage>, OrgError> {
        let mut sql = String::from(
            "SELECT q.id, q.org_unit_id, q.category, q.amount, q.allow_overrun, q.valid_from, q.valid_to, \
             (SELECT COUNT(*) FROM assignments a WHERE a.org_unit_id = q.org_unit_id AND a.quota_category = q.category \
              AND a.employed AND a.valid_from <= $1 AND (a.valid_to IS NULL OR a.valid_to > $1)) AS occupied \
             FROM headcount_quotas q WHERE q.valid_from <= $1 AND (q.valid_to IS NULL OR q.valid_to > $1)",
        );
        if let Some(u) = units {
            if u.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(" AND q.org_unit_id IN ({})", placeholders(2, u.len())));
        }
        sql.push_str(" ORDER BY q.org_unit_id, q.category");
        let rows: Vec<QuotaRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(as_of);
            for u in units.unwrap_or_default() {
                q = q.bind(u.0);
            }
            q.fetch_all(p).await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|r| QuotaUsage {
                as_of,
                occupied: r.occupied,
                vacant: r.amount - r.occupied,
                quota: HeadcountQuota {
                    id: QuotaId(r.id),
                    org_unit_id: OrgUnitId(r.org_unit_id),
                    category: r.category,
                    amount: r.amount,
                    allow_overrun: r.allow_overrun,
                    valid: DateRange { from: r.valid_from, to: r.valid_to },
                },
            })
            .collect())
    }
}
