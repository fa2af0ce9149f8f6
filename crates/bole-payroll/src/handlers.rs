//! The pay-run approval handler: the workflow engine's decisions on a `pay_run` document commit
//! with the run's status change (approve → locked) in one transaction.
//!
//! SCAFFOLD: filled in by the service work package.
