//! Storage of leave types, the leave ledger, leave and overtime applications (bole_time::absence).
