//! Payroll use cases: authorise first, gather inputs in bulk, compute with the pure rules, write
//! through the store in one transaction per use case.
//!
//! SCAFFOLD: filled in by the service work package.

/// The payroll service (see the module docs).
#[derive(Clone)]
pub struct PayrollService {}

impl std::fmt::Debug for PayrollService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayrollService").finish_non_exhaustive()
    }
}
