//! PDF rendering of payslips with Chinese text. SCAFFOLD: filled in by the exports/PDF work package.
