//! Leave types, the leave ledger and balances, leave and overtime applications, and their approval handlers.
