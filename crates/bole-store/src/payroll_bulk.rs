//! Bulk seeding of payroll data that has no use case of its own yet: first salary assignments of
//! many employees at once (the demo organisation and the payroll benchmark; an onboarding import
//! later). One transaction, multi-row INSERTs, amounts sealed on every core before it opens —
//! the same sealed format `payroll.rs` reads (a test opens the rows through the port).

use crate::audit::append_in_tx;
use crate::db::{is_foreign_key_violation, is_unique_violation};
use crate::payroll::{cpu_bound, key_err, seal_salary, st};
use crate::{SqlStore, on_db, on_tx};
use bole_core::AuditEvent;
use bole_payroll::{PayrollError, SalaryAssignment};
use rayon::prelude::*;
use sqlx::QueryBuilder;
use uuid::Uuid;

/// Rows per INSERT: 10 columns × 400 stays far under both engines' parameter limits.
const BATCH: usize = 400;

struct Row<'a> {
    a: &'a SalaryAssignment,
    enc: Vec<u8>,
}

impl SqlStore {
    /// Insert these salary assignments exactly as given, all or none, in ONE transaction with
    /// `audit` appended. It is for FIRST assignments: nothing earlier is closed, so an employee
    /// who already has an open assignment, or one starting the same day, fails the whole batch
    /// with `EffectiveDateConflict` (the unique indexes on open rows and on (employee,
    /// valid_from)). A missing structure is `StructureNotFound`, a missing employee
    /// `EmployeeNotFound`. Returns the rows written.
    pub async fn bulk_salary_assignments(
        &self,
        rows: &[SalaryAssignment],
        audit: &[AuditEvent],
    ) -> Result<u64, PayrollError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let ring = self.sealing_ring().await.map_err(key_err)?;
        let encs: Vec<Vec<u8>> =
            cpu_bound(|| rows.par_iter().map(|a| seal_salary(&ring, a)).collect::<Result<_, _>>())?;
        let sealed: Vec<Row<'_>> = rows.iter().zip(encs).map(|(a, enc)| Row { a, enc }).collect();

        let mut tx = self.db.begin().await.map_err(st)?;
        for chunk in sealed.chunks(BATCH) {
            let res = on_tx!(&mut tx, c => {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO salary_assignments (id, employee_id, company_id, structure_id, valid_from, valid_to, \
                     reason, created_by, created_at, amounts_enc) ",
                );
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(r.a.id)
                        .push_bind(r.a.employee_id.0)
                        .push_bind(r.a.company_id.0)
                        .push_bind(r.a.structure_id)
                        .push_bind(r.a.valid_from)
                        .push_bind(r.a.valid_to)
                        .push_bind(r.a.reason.clone())
                        .push_bind(r.a.created_by.0)
                        .push_bind(r.a.created_at)
                        .push_bind(r.enc.clone());
                });
                qb.build().execute(&mut *c).await.map(|_| ())
            });
            match res {
                Ok(()) => {}
                Err(e) if is_unique_violation(&e) => return Err(PayrollError::EffectiveDateConflict),
                Err(e) if is_foreign_key_violation(&e) => {
                    drop(tx);
                    return Err(self.missing_reference(rows).await);
                }
                Err(e) => return Err(st(e)),
            }
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)?;
        Ok(rows.len() as u64)
    }

    /// Which reference of a refused batch is missing: a structure, else an employee.
    async fn missing_reference(&self, rows: &[SalaryAssignment]) -> PayrollError {
        let mut structures: Vec<Uuid> = rows.iter().map(|a| a.structure_id).collect();
        structures.sort();
        structures.dedup();
        for s in structures {
            let found: Result<Option<i64>, sqlx::Error> = on_db!(&self.db, p => {
                sqlx::query_scalar("SELECT version FROM pay_structures WHERE id = $1").bind(s).fetch_optional(p).await
            });
            match found {
                Ok(Some(_)) => {}
                Ok(None) => return PayrollError::StructureNotFound,
                Err(e) => return st(e),
            }
        }
        PayrollError::EmployeeNotFound
    }
}
