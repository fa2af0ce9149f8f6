//! Pay formulas: a restricted rhai engine (no IO, no modules, no closures, no floats — numbers
//! with a decimal point are `Decimal`), with operation, depth and string-size limits. A
//! structure's formulas are compiled ONCE per run into ASTs and evaluated per employee with the
//! month's variables and the values of the lines above.
//!
//! SCAFFOLD: filled in by the formula/compute work package.
