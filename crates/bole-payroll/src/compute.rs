//! The pure computation of one employee's pay for a run, and of a whole run in parallel:
//! earnings by structure (fixed amounts and formulas), proration for joiners and leavers on the
//! 21.75 计薪日 base, unpaid-leave and absence deductions, overtime at 150 / 200 / 300 % of the
//! hourly base, adjustments, SI/HF by city policy, IIT cumulative withholding with declared
//! special additional deductions and the separately-taxed annual bonus, net pay.
//! Deterministic: the same inputs give byte-identical payslips (the idempotence of a recompute).
//!
//! SCAFFOLD: filled in by the formula/compute work package.

use crate::error::PayrollError;
use crate::model::*;

/// A run's structures compiled once (formulas parsed to ASTs), with its context.
pub struct CompiledRun {
    pub ctx: RunContext,
}

impl std::fmt::Debug for CompiledRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledRun").field("period", &self.ctx.period).finish_non_exhaustive()
    }
}

/// Compile every structure of the context; `FormulaInvalid` names the structure and item.
pub fn prepare(ctx: RunContext) -> Result<CompiledRun, PayrollError> {
    Ok(CompiledRun { ctx })
}

/// One employee's payslip, or why they cannot be paid.
pub fn compute_employee(_run: &CompiledRun, _input: &EmployeeInput) -> Result<Payslip, ItemError> {
    Err(ItemError { code: "not_implemented".into(), message: "scaffold".into() })
}

/// Every employee, in parallel; results in input order.
pub fn compute_all(run: &CompiledRun, inputs: &[EmployeeInput]) -> Vec<Result<Payslip, ItemError>> {
    inputs.iter().map(|i| compute_employee(run, i)).collect()
}

/// Sums over the successful items.
pub fn totals(items: &[PayRunItem]) -> RunTotals {
    let mut t = RunTotals::default();
    for i in items {
        match &i.payslip {
            Some(p) => {
                t.headcount += 1;
                t.gross += p.gross;
                t.employee_si += p.employee_si;
                t.employee_hf += p.employee_hf;
                t.iit += p.iit;
                t.net += p.net;
                t.employer_cost += p.employer_cost;
            }
            None => t.errors += 1,
        }
    }
    t
}

/// A stable fingerprint of a run's results (employee, status, payslip), independent of item ids
/// and timestamps: equal digests ⇔ identical payslips.
pub fn digest(_items: &[PayRunItem]) -> String {
    String::new()
}
