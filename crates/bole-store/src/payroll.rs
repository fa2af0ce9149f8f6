//! Storage of payroll (`bole_payroll::PayrollStore`) on both engines: pay components and
//! structures, effective-dated salary assignments, SI/HF policies entered by administrators, tax
//! profiles and deduction declarations, adjustments, pay runs and their items.
//!
//! Pay is sealed at rest (see migration 0012 for what is and is not): the port speaks plain
//! domain types, this module seals on the way in and opens on the way out. Bulk paths seal and
//! open on every core (rayon) and OUTSIDE write transactions, so a transaction only moves bytes:
//! a 100,000-employee computation is written as multi-row INSERTs in ONE transaction — a crash
//! leaves the previous items and status, never half a run. Payslips are DEFLATE-compressed
//! before sealing (SM4-GCM in software costs ~15 µs per KB; the JSON shrinks about threefold);
//! their cumulative tax figures are sealed again on their own (`ytd_enc`), because every later
//! month's year-to-date read opens them for everyone and should not open whole payslips.
//!
//! Reads of many employees' rows (salaries, declarations, year to date) switch from `IN` lists to
//! one scan filtered in memory when the list is long, and filter BEFORE opening anything.

use crate::attendance::{ScopeValue, scope_sql};
use crate::audit::append_in_tx;
use crate::db::{Tx, is_foreign_key_violation, is_unique_violation};
use crate::org::placeholders;
use crate::sealed::{self, KeyError, SealedField};
use crate::workflow::write_transition;
use crate::{SqlStore, on_db, on_tx};
use async_trait::async_trait;
use bole_core::{AuditEvent, CompanyId, EmployeeId, OrgUnitId, Page, PageRequest, PositionId, UserId};
use bole_crypto::Keyring;
use bole_payroll::iit::WithholdingRule;
use bole_payroll::si::SiPolicy;
use bole_payroll::store::{Computation, ItemFilter, PayrollStore, RunDecision};
use bole_payroll::*;
use bole_people::RowScope;
use bole_workflow::Transition;
use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use uuid::Uuid;

/// Rows per multi-row INSERT (14 columns × 400 stays under both engines' parameter limits).
const BATCH: usize = 400;
/// Ids per `IN` list for lookups by id.
const LOOKUP: usize = 2000;
/// Above this many employees a bulk read scans the company's / year's rows once and filters in
/// memory instead of sending `IN` lists (a run asks for everyone).
const SCAN_ABOVE: usize = 4000;
/// Below this many values sealing or opening stays on the calling thread.
const PARALLEL_ABOVE: usize = 64;
/// First byte of a sealed plaintext that is raw DEFLATE of JSON (JSON itself starts with `{`).
const DEFLATED: u8 = 0;

const LOCKED: &str = "('locked', 'published')";
/// A window frame spanning the whole partition (for aggregates over an ordered window).
const ALL_ROWS: &str = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING";

// ---------------------------------------------------------------------------------------------
// Errors and codecs

pub(crate) fn st(e: sqlx::Error) -> PayrollError {
    // sqlx errors name constraints and SQL, never bound values.
    tracing::error!(error = %e, "payroll store failure");
    PayrollError::Storage(e.to_string())
}

fn decode(what: &str, id: Uuid) -> PayrollError {
    tracing::error!(payroll.row = %id, column = what, "payroll row does not decode");
    PayrollError::Storage(format!("{what} of {id} does not decode"))
}

fn sealed_err(e: impl std::fmt::Display) -> PayrollError {
    // Never the value: only that a sealed column failed to seal or open.
    tracing::error!(error = %e, "sealed payroll field failure");
    PayrollError::Storage(format!("sealed field: {e}"))
}

pub(crate) fn key_err(e: KeyError) -> PayrollError {
    sealed_err(e)
}

fn json<T: Serialize + ?Sized>(v: &T) -> Result<String, PayrollError> {
    serde_json::to_string(v).map_err(|e| PayrollError::Storage(format!("encode: {e}")))
}

fn from_json<T: DeserializeOwned>(s: &str, what: &str, id: Uuid) -> Result<T, PayrollError> {
    serde_json::from_str(s).map_err(|_| decode(what, id))
}

/// The snake_case code serde gives a unit enum variant (`ComponentKind::PreTaxDeduction` →
/// `pre_tax_deduction`): the stored form is the wire form.
fn code<T: Serialize>(v: &T) -> Result<String, PayrollError> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(PayrollError::Storage("enum code does not encode as a string".into())),
    }
}

fn from_code<T: DeserializeOwned>(s: &str, what: &str, id: Uuid) -> Result<T, PayrollError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| decode(what, id))
}

fn dec(s: &str, what: &str, id: Uuid) -> Result<Decimal, PayrollError> {
    Decimal::from_str(s).map_err(|_| decode(what, id))
}

fn u32_of(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn i32_of(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// "2025-07" → 2025.
fn year_of(period: &str) -> i32 {
    period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

fn run_status(s: &str, id: Uuid) -> Result<PayRunStatus, PayrollError> {
    PayRunStatus::parse(s).ok_or_else(|| decode("status", id))
}

fn static_status(s: &str) -> &'static str {
    PayRunStatus::parse(s).map(|s| s.as_str()).unwrap_or("missing")
}

/// Seal `v` as JSON into `field` of row `id`.
fn seal_json<T: Serialize + ?Sized>(
    ring: &Keyring,
    field: SealedField,
    id: Uuid,
    v: &T,
) -> Result<Vec<u8>, PayrollError> {
    let plain = serde_json::to_vec(v).map_err(|e| PayrollError::Storage(format!("encode: {e}")))?;
    ring.seal(field.aad(id).as_bytes(), &plain).map_err(sealed_err)
}

/// Seals large, repetitive values (payslips) as `DEFLATED ‖ raw DEFLATE(JSON)`: a quarter of
/// the cipher work and of the bytes written. One per thread: the compressor's state (hash
/// tables, window) is reset between values instead of allocated and zeroed for each.
struct Packer {
    z: flate2::Compress,
    json: Vec<u8>,
    out: Vec<u8>,
}

impl Packer {
    fn new() -> Self {
        Self {
            z: flate2::Compress::new(flate2::Compression::fast(), false),
            json: Vec::with_capacity(4096),
            out: Vec::with_capacity(2048),
        }
    }

    fn seal<T: Serialize + ?Sized>(
        &mut self,
        ring: &Keyring,
        field: SealedField,
        id: Uuid,
        v: &T,
    ) -> Result<Vec<u8>, PayrollError> {
        self.json.clear();
        serde_json::to_writer(&mut self.json, v).map_err(|e| PayrollError::Storage(format!("encode: {e}")))?;
        self.out.clear();
        self.out.push(DEFLATED);
        self.z.reset();
        let mut consumed = 0;
        loop {
            self.out.reserve(self.json.len() / 2 + 256);
            let before = self.z.total_in();
            let status = self
                .z
                .compress_vec(&self.json[consumed..], &mut self.out, flate2::FlushCompress::Finish)
                .map_err(sealed_err)?;
            consumed += usize::try_from(self.z.total_in() - before).unwrap_or(0);
            if status == flate2::Status::StreamEnd {
                break;
            }
        }
        ring.seal(field.aad(id).as_bytes(), &self.out).map_err(sealed_err)
    }
}

/// Opens what [`seal_json`] or a [`Packer`] sealed, reusing its decompressor (one per thread).
struct Unpacker {
    z: flate2::Decompress,
    buf: Vec<u8>,
}

impl Unpacker {
    fn new() -> Self {
        Self { z: flate2::Decompress::new(false), buf: Vec::with_capacity(4096) }
    }

    /// Open as `T`, which may name only some of the fields.
    fn open<T: DeserializeOwned>(
        &mut self,
        ring: &Keyring,
        field: SealedField,
        id: Uuid,
        sealed: &[u8],
    ) -> Result<T, PayrollError> {
        let plain = ring.open(field.aad(id).as_bytes(), sealed).map_err(sealed_err)?;
        let Some(packed) = plain.strip_prefix(&[DEFLATED]) else {
            return serde_json::from_slice(&plain).map_err(|_| decode(field.enc, id));
        };
        self.buf.clear();
        self.z.reset(false);
        let mut consumed = 0;
        loop {
            self.buf.reserve(packed.len() * 4 + 256);
            let (before_in, before_out) = (self.z.total_in(), self.z.total_out());
            let status = self
                .z
                .decompress_vec(&packed[consumed..], &mut self.buf, flate2::FlushDecompress::Finish)
                .map_err(sealed_err)?;
            consumed += usize::try_from(self.z.total_in() - before_in).unwrap_or(0);
            if status == flate2::Status::StreamEnd {
                break;
            }
            if self.z.total_in() == before_in && self.z.total_out() == before_out {
                return Err(decode(field.enc, id));
            }
        }
        serde_json::from_slice(&self.buf).map_err(|_| decode(field.enc, id))
    }
}

/// Open a small sealed value (one-off reads).
fn open_json<T: DeserializeOwned>(
    ring: &Keyring,
    field: SealedField,
    id: Uuid,
    sealed: &[u8],
) -> Result<T, PayrollError> {
    Unpacker::new().open(ring, field, id, sealed)
}

/// Run CPU-bound work (sealing, opening) without starving the async runtime: on a
/// multi-threaded runtime the worker hands its other tasks away for the duration.
pub(crate) fn cpu_bound<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// `f` over `items`, on every core when there are many.
fn par_map<T: Sync, U: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<U, PayrollError> + Sync + Send,
) -> Result<Vec<U>, PayrollError> {
    if items.len() <= PARALLEL_ABOVE {
        return items.iter().map(f).collect();
    }
    cpu_bound(|| items.par_iter().map(f).collect())
}

/// [`par_map`] with per-thread state (a [`Packer`], an [`Unpacker`]).
fn par_map_with<T: Sync, U: Send, S>(
    items: &[T],
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, &T) -> Result<U, PayrollError> + Sync + Send,
) -> Result<Vec<U>, PayrollError> {
    if items.len() <= PARALLEL_ABOVE {
        let mut state = init();
        return items.iter().map(|t| f(&mut state, t)).collect();
    }
    cpu_bound(|| items.par_iter().map_init(&init, |state, t| f(state, t)).collect())
}

fn like_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

// ---------------------------------------------------------------------------------------------
// Binds and the row scope

#[derive(Clone, Debug)]
enum Bind {
    Id(Uuid),
    Date(NaiveDate),
    OptDate(Option<NaiveDate>),
    Text(String),
    Int(i32),
    Bool(bool),
}

macro_rules! bind_all {
    ($q:ident, $binds:expr) => {
        for b in $binds {
            $q = match b {
                Bind::Id(u) => $q.bind(*u),
                Bind::Date(d) => $q.bind(*d),
                Bind::OptDate(d) => $q.bind(*d),
                Bind::Text(t) => $q.bind(t.clone()),
                Bind::Int(i) => $q.bind(*i),
                Bind::Bool(v) => $q.bind(*v),
            };
        }
    };
}

impl From<ScopeValue> for Bind {
    fn from(v: ScopeValue) -> Self {
        match v {
            ScopeValue::Id(u) => Bind::Id(u),
            ScopeValue::Date(d) => Bind::Date(d),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rows

#[derive(sqlx::FromRow)]
struct ComponentRow {
    id: Uuid,
    company_id: Uuid,
    code: String,
    name: String,
    kind: String,
    category: String,
    taxable: bool,
    on_payslip: bool,
    description: Option<String>,
    active: bool,
}

const COMPONENT_COLS: &str = "id, company_id, code, name, kind, category, taxable, on_payslip, description, active";

impl TryFrom<ComponentRow> for PayComponent {
    type Error = PayrollError;
    fn try_from(r: ComponentRow) -> Result<Self, PayrollError> {
        Ok(PayComponent {
            kind: from_code(&r.kind, "kind", r.id)?,
            category: from_code(&r.category, "category", r.id)?,
            id: r.id,
            company_id: CompanyId(r.company_id),
            code: r.code,
            name: r.name,
            taxable: r.taxable,
            on_payslip: r.on_payslip,
            description: r.description,
            active: r.active,
        })
    }
}

#[derive(sqlx::FromRow)]
struct StructureRow {
    id: Uuid,
    company_id: Uuid,
    code: String,
    name: String,
    grades: String,
    position_ids: String,
    items: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    version: i64,
}

const STRUCTURE_COLS: &str = "id, company_id, code, name, grades, position_ids, items, valid_from, valid_to, version";

impl TryFrom<StructureRow> for PayStructure {
    type Error = PayrollError;
    fn try_from(r: StructureRow) -> Result<Self, PayrollError> {
        Ok(PayStructure {
            grades: from_json(&r.grades, "grades", r.id)?,
            position_ids: from_json::<Vec<PositionId>>(&r.position_ids, "position_ids", r.id)?,
            items: from_json(&r.items, "items", r.id)?,
            id: r.id,
            company_id: CompanyId(r.company_id),
            code: r.code,
            name: r.name,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            version: r.version,
        })
    }
}

/// Seal an assignment's amounts for `salary_assignments.amounts_enc` (also the bulk path's).
pub(crate) fn seal_salary(ring: &Keyring, a: &SalaryAssignment) -> Result<Vec<u8>, PayrollError> {
    let amounts = SalaryAmountsRef { base_salary: &a.base_salary, fixed: &a.fixed, si: &a.si };
    seal_json(ring, sealed::SALARY_AMOUNTS, a.id, &amounts)
}

/// What `salary_assignments.amounts_enc` holds.
#[derive(Serialize)]
struct SalaryAmountsRef<'a> {
    base_salary: &'a Decimal,
    fixed: &'a BTreeMap<String, Decimal>,
    si: &'a SiEnrolment,
}

#[derive(serde::Deserialize)]
struct SalaryAmounts {
    base_salary: Decimal,
    #[serde(default)]
    fixed: BTreeMap<String, Decimal>,
    si: SiEnrolment,
}

#[derive(sqlx::FromRow)]
struct SalaryRow {
    id: Uuid,
    employee_id: Uuid,
    company_id: Uuid,
    structure_id: Uuid,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    reason: Option<String>,
    created_by: Uuid,
    created_at: DateTime<Utc>,
    amounts_enc: Vec<u8>,
}

const SALARY_COLS: &str =
    "id, employee_id, company_id, structure_id, valid_from, valid_to, reason, created_by, created_at, amounts_enc";

impl SalaryRow {
    fn open(&self, ring: &Keyring) -> Result<SalaryAssignment, PayrollError> {
        let a: SalaryAmounts = open_json(ring, sealed::SALARY_AMOUNTS, self.id, &self.amounts_enc)?;
        Ok(SalaryAssignment {
            id: self.id,
            employee_id: EmployeeId(self.employee_id),
            company_id: CompanyId(self.company_id),
            structure_id: self.structure_id,
            base_salary: a.base_salary,
            fixed: a.fixed,
            si: a.si,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            reason: self.reason.clone(),
            created_by: UserId(self.created_by),
            created_at: self.created_at,
        })
    }

    /// In force on `on` (half-open range).
    fn covers(&self, on: NaiveDate) -> bool {
        self.valid_from <= on && self.valid_to.is_none_or(|t| t > on)
    }
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    id: Uuid,
    city: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    name: String,
    source_url: String,
    confidence: String,
    items: String,
}

#[derive(sqlx::FromRow)]
struct DeclarationRow {
    id: Uuid,
    employee_id: Uuid,
    year: i32,
    kind: String,
    start_month: i32,
    end_month: i32,
    monthly_amount: String,
    status: String,
    declared_at: DateTime<Utc>,
    details_enc: Vec<u8>,
}

const DECLARATION_COLS: &str =
    "id, employee_id, year, kind, start_month, end_month, monthly_amount, status, declared_at, details_enc";

impl DeclarationRow {
    fn open(&self, ring: &Keyring) -> Result<DeductionDeclaration, PayrollError> {
        Ok(DeductionDeclaration {
            id: self.id,
            employee_id: EmployeeId(self.employee_id),
            year: self.year,
            kind: from_code(&self.kind, "kind", self.id)?,
            details: open_json(ring, sealed::DECLARATION_DETAILS, self.id, &self.details_enc)?,
            start_month: u32_of(self.start_month),
            end_month: u32_of(self.end_month),
            monthly_amount: dec(&self.monthly_amount, "monthly_amount", self.id)?,
            status: from_code(&self.status, "status", self.id)?,
            declared_at: self.declared_at,
        })
    }
}

/// What `pay_adjustments.details_enc` holds.
#[derive(Serialize)]
struct AdjustmentDetailsRef<'a> {
    amount: &'a Decimal,
    reason: &'a str,
}

#[derive(serde::Deserialize)]
struct AdjustmentDetails {
    amount: Decimal,
    reason: String,
}

#[derive(sqlx::FromRow)]
struct AdjustmentRow {
    id: Uuid,
    employee_id: Uuid,
    company_id: Uuid,
    period: String,
    component_code: String,
    corrects_run_id: Option<Uuid>,
    status: String,
    applied_run_id: Option<Uuid>,
    created_by: Uuid,
    created_at: DateTime<Utc>,
    details_enc: Vec<u8>,
}

const ADJUSTMENT_COLS: &str = "id, employee_id, company_id, period, component_code, corrects_run_id, status, \
     applied_run_id, created_by, created_at, details_enc";

impl AdjustmentRow {
    fn open(&self, ring: &Keyring) -> Result<PayAdjustment, PayrollError> {
        let d: AdjustmentDetails = open_json(ring, sealed::ADJUSTMENT_DETAILS, self.id, &self.details_enc)?;
        Ok(PayAdjustment {
            id: self.id,
            employee_id: EmployeeId(self.employee_id),
            company_id: CompanyId(self.company_id),
            period: self.period.clone(),
            component_code: self.component_code.clone(),
            amount: d.amount,
            reason: d.reason,
            corrects_run_id: self.corrects_run_id,
            status: from_code(&self.status, "status", self.id)?,
            applied_run_id: self.applied_run_id,
            created_by: UserId(self.created_by),
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: Uuid,
    company_id: Uuid,
    period: String,
    name: String,
    scope: String,
    pay_date: NaiveDate,
    status: String,
    totals: String,
    preparer: Uuid,
    approved_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    computed_at: Option<DateTime<Utc>>,
    locked_at: Option<DateTime<Utc>>,
    published_at: Option<DateTime<Utc>>,
    approval_id: Option<Uuid>,
    digest: Option<String>,
    version: i64,
}

const RUN_COLS: &str = "id, company_id, period, name, scope, pay_date, status, totals, preparer, approved_by, \
     created_at, computed_at, locked_at, published_at, approval_id, digest, version";

impl TryFrom<RunRow> for PayRun {
    type Error = PayrollError;
    fn try_from(r: RunRow) -> Result<Self, PayrollError> {
        Ok(PayRun {
            scope: from_json(&r.scope, "scope", r.id)?,
            status: run_status(&r.status, r.id)?,
            totals: from_json(&r.totals, "totals", r.id)?,
            id: r.id,
            company_id: CompanyId(r.company_id),
            period: r.period,
            name: r.name,
            pay_date: r.pay_date,
            preparer: UserId(r.preparer),
            approved_by: r.approved_by.map(UserId),
            created_at: r.created_at,
            computed_at: r.computed_at,
            locked_at: r.locked_at,
            published_at: r.published_at,
            approval_id: r.approval_id,
            digest: r.digest,
            version: r.version,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: Uuid,
    run_id: Uuid,
    employee_id: Uuid,
    employee_no: String,
    employee_name: String,
    org_unit_id: Option<Uuid>,
    status: String,
    error_code: Option<String>,
    error_message: Option<String>,
    payslip_enc: Option<Vec<u8>>,
}

const ITEM_READ_COLS: &str = "i.id, i.run_id, i.employee_id, i.employee_no, i.employee_name, i.org_unit_id, i.status, \
     i.error_code, i.error_message, i.payslip_enc";

const ITEM_INSERT: &str = "INSERT INTO pay_run_items (id, run_id, company_id, period, year, employee_id, employee_no, \
     employee_name, org_unit_id, status, error_code, error_message, payslip_enc, ytd_enc, annual_bonus_separate) ";

impl ItemRow {
    fn open(&self, ring: &Keyring, z: &mut Unpacker) -> Result<PayRunItem, PayrollError> {
        let payslip = match &self.payslip_enc {
            Some(bytes) => Some(z.open::<Payslip>(ring, sealed::PAYSLIP, self.id, bytes)?),
            None => None,
        };
        Ok(PayRunItem {
            id: self.id,
            run_id: self.run_id,
            employee_id: EmployeeId(self.employee_id),
            employee_no: self.employee_no.clone(),
            employee_name: self.employee_name.clone(),
            org_unit_id: self.org_unit_id.map(OrgUnitId),
            status: from_code(&self.status, "status", self.id)?,
            error: self
                .error_code
                .as_ref()
                .map(|c| ItemError { code: c.clone(), message: self.error_message.clone().unwrap_or_default() }),
            payslip,
        })
    }
}

/// One item ready to insert: everything bound by value, the payslip already sealed.
struct ItemInsert {
    id: Uuid,
    employee_id: Uuid,
    employee_no: String,
    employee_name: String,
    org_unit_id: Option<Uuid>,
    status: &'static str,
    error_code: Option<String>,
    error_message: Option<String>,
    payslip_enc: Option<Vec<u8>>,
    ytd_enc: Option<Vec<u8>>,
    annual_bonus_separate: bool,
}

/// What `pay_run_items.ytd_enc` holds: the cumulative figures of the payslip's tax working that
/// the next months' withholding starts from. Every run after January opens one per employee, so
/// they are sealed on their own (a tenth of the payslip's bytes) instead of read out of it.
#[derive(Serialize, serde::Deserialize)]
struct YtdFigures {
    months_here: u32,
    income: Decimal,
    exempt: Decimal,
    special: Decimal,
    additional: Decimal,
    #[serde(default)]
    additional_by_kind: BTreeMap<AdditionalKind, Decimal>,
    other: Decimal,
    /// Withheld this year here, this month included.
    withheld: Decimal,
}

impl YtdFigures {
    fn of(t: &TaxWorking) -> Self {
        YtdFigures {
            months_here: t.months_here,
            income: t.cumulative_income,
            exempt: t.cumulative_exempt,
            special: t.cumulative_special,
            additional: t.cumulative_additional,
            additional_by_kind: t.cumulative_additional_by_kind.clone(),
            other: t.cumulative_other,
            withheld: t.withheld_before + t.withhold,
        }
    }
}

/// The parts of a sealed payslip a payslip list needs.
#[derive(serde::Deserialize)]
struct PayOnly {
    gross: Decimal,
    net: Decimal,
}

/// A row of the employees-to-pay query: one employed assignment segment overlapping the period.
#[derive(sqlx::FromRow)]
struct SegmentRow {
    id: Uuid,
    employee_no: String,
    name: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    org_unit_id: Uuid,
    position_id: Option<Uuid>,
    grade: Option<String>,
}

#[derive(sqlx::FromRow)]
struct YtdRow {
    id: Uuid,
    employee_id: Uuid,
    ytd_enc: Vec<u8>,
    bonus: i32,
    periods: String,
}

// ---------------------------------------------------------------------------------------------
// In-transaction helpers

/// Why an UPDATE guarded by `id`, `version` and a status list touched nothing.
async fn run_refusal(
    tx: &mut Tx,
    run_id: Uuid,
    statuses: &[PayRunStatus],
    expected_version: Option<i64>,
) -> PayrollError {
    let row: Result<Option<(String, i64)>, sqlx::Error> = on_tx!(tx, c => {
        sqlx::query_as("SELECT status, version FROM pay_runs WHERE id = $1").bind(run_id).fetch_optional(&mut *c).await
    });
    match row {
        Err(e) => st(e),
        Ok(None) => PayrollError::PayRunNotFound,
        Ok(Some((status, _))) if !statuses.iter().any(|s| s.as_str() == status) => {
            PayrollError::PayRunWrongStatus(static_status(&status))
        }
        Ok(Some((_, version))) if expected_version.is_some_and(|v| v != version) => PayrollError::PayRunConflict,
        // Matched after all (a concurrent writer between the two statements): stale.
        Ok(Some(_)) => PayrollError::PayRunConflict,
    }
}

fn status_list(statuses: &[PayRunStatus]) -> String {
    statuses.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
}

async fn insert_items(tx: &mut Tx, run: &PayRun, year: i32, rows: Vec<ItemInsert>) -> Result<(), sqlx::Error> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<ItemInsert> = rows.by_ref().take(BATCH).collect();
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(ITEM_INSERT);
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.id)
                    .push_bind(run.id)
                    .push_bind(run.company_id.0)
                    .push_bind(run.period.as_str())
                    .push_bind(year)
                    .push_bind(r.employee_id)
                    .push_bind(r.employee_no)
                    .push_bind(r.employee_name)
                    .push_bind(r.org_unit_id)
                    .push_bind(r.status)
                    .push_bind(r.error_code)
                    .push_bind(r.error_message)
                    .push_bind(r.payslip_enc)
                    .push_bind(r.ytd_enc)
                    .push_bind(r.annual_bonus_separate);
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Queries shared by several methods

impl SqlStore {
    async fn run_row(&self, id: Uuid) -> Result<PayRun, PayrollError> {
        let sql = format!("SELECT {RUN_COLS} FROM pay_runs WHERE id = $1");
        let row: Option<RunRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await
        })
        .map_err(st)?;
        row.ok_or(PayrollError::PayRunNotFound)?.try_into()
    }

    /// Open item rows (on every core when many).
    async fn open_items(&self, rows: Vec<ItemRow>) -> Result<Vec<PayRunItem>, PayrollError> {
        let ring = self.ring_for(rows.iter().filter_map(|r| r.payslip_enc.as_deref())).await.map_err(key_err)?;
        par_map_with(&rows, Unpacker::new, |z, r| r.open(&ring, z))
    }

    /// Rows of `sql` for `employees`: `sql` holds `{emp}` where ` AND <col> IN (…)` goes when
    /// the list is short; long lists run the query once without it and keep the wanted rows.
    /// `binds` are numbered `$1…`; the list follows them.
    async fn rows_for_employees<R>(
        &self,
        sql: &str,
        col: &str,
        binds: &[Bind],
        employees: &[EmployeeId],
        employee_of: impl Fn(&R) -> Uuid,
    ) -> Result<Vec<R>, PayrollError>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        if employees.is_empty() {
            return Ok(Vec::new());
        }
        if employees.len() > SCAN_ABOVE {
            let wanted: HashSet<Uuid> = employees.iter().map(|e| e.0).collect();
            let text = sql.replace("{emp}", "");
            let rows: Vec<R> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(text));
                bind_all!(q, binds);
                q.fetch_all(p).await
            })
            .map_err(st)?;
            return Ok(rows.into_iter().filter(|r| wanted.contains(&employee_of(r))).collect());
        }
        let mut out = Vec::new();
        for chunk in employees.chunks(LOOKUP) {
            let text = sql.replace("{emp}", &format!(" AND {col} IN ({})", placeholders(binds.len() + 1, chunk.len())));
            let rows: Vec<R> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(text));
                bind_all!(q, binds);
                for e in chunk {
                    q = q.bind(e.0);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Subtrees of `roots` on the org structure of `on` (one recursive query).
    async fn subtrees(&self, roots: &[OrgUnitId], on: NaiveDate) -> Result<HashSet<Uuid>, PayrollError> {
        if roots.is_empty() {
            return Ok(HashSet::new());
        }
        let sql = format!(
            "WITH RECURSIVE sub(id) AS ( \
               SELECT v.unit_id FROM org_unit_versions v WHERE v.unit_id IN ({}) \
                 AND v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1) \
               UNION \
               SELECT v.unit_id FROM org_unit_versions v JOIN sub ON v.parent_id = sub.id \
                 WHERE v.valid_from <= $1 AND (v.valid_to IS NULL OR v.valid_to > $1)) \
             SELECT id FROM sub",
            placeholders(2, roots.len())
        );
        let ids: Vec<Uuid> = on_db!(&self.db, p => {
            let mut q = sqlx::query_scalar::<_, Uuid>(AssertSqlSafe(sql)).bind(on);
            for r in roots {
                q = q.bind(r.0);
            }
            q.fetch_all(p).await
        })
        .map_err(st)?;
        Ok(ids.into_iter().collect())
    }

    /// Insert-or-refuse with one audit batch, translating unique / foreign-key violations.
    async fn insert_one(
        &self,
        sql: &str,
        binds: Vec<Bind>,
        audit: &[AuditEvent],
        on_unique: impl FnOnce() -> PayrollError,
        on_foreign: impl FnOnce() -> PayrollError,
    ) -> Result<(), PayrollError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let res = on_tx!(&mut tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.to_owned()));
            bind_all!(q, &binds);
            q.execute(&mut *c).await.map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_unique_violation(&e) => return Err(on_unique()),
            Err(e) if is_foreign_key_violation(&e) => return Err(on_foreign()),
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }
}

// ---------------------------------------------------------------------------------------------
// The port

#[async_trait]
impl PayrollStore for SqlStore {
    // --- components and structures -------------------------------------------------------------

    async fn components(&self, company: CompanyId) -> Result<Vec<PayComponent>, PayrollError> {
        let sql = format!("SELECT {COMPONENT_COLS} FROM pay_components WHERE company_id = $1 ORDER BY code");
        let rows: Vec<ComponentRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(company.0).fetch_all(p).await
        })
        .map_err(st)?;
        rows.into_iter().map(PayComponent::try_from).collect()
    }

    async fn create_component(&self, c: &PayComponent, audit: &[AuditEvent]) -> Result<(), PayrollError> {
        let sql = format!("INSERT INTO pay_components ({COMPONENT_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)");
        let mut tx = self.db.begin().await.map_err(st)?;
        let (kind, category) = (code(&c.kind)?, code(&c.category)?);
        let res = on_tx!(&mut tx, conn => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(c.id)
                .bind(c.company_id.0)
                .bind(&c.code)
                .bind(&c.name)
                .bind(&kind)
                .bind(&category)
                .bind(c.taxable)
                .bind(c.on_payslip)
                .bind(&c.description)
                .bind(c.active)
                .execute(&mut *conn)
                .await
                .map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_unique_violation(&e) => return Err(PayrollError::DuplicateComponentCode(c.code.clone())),
            Err(e) if is_foreign_key_violation(&e) => return Err(PayrollError::CompanyNotFound),
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn update_component(&self, c: &PayComponent, audit: &[AuditEvent]) -> Result<(), PayrollError> {
        // The code and the company are identity (formulas name the code): never changed here.
        let (kind, category) = (code(&c.kind)?, code(&c.category)?);
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE pay_components SET name = $1, kind = $2, category = $3, taxable = $4, on_payslip = $5, \
                 description = $6, active = $7 WHERE id = $8",
            )
            .bind(&c.name)
            .bind(&kind)
            .bind(&category)
            .bind(c.taxable)
            .bind(c.on_payslip)
            .bind(&c.description)
            .bind(c.active)
            .bind(c.id)
            .execute(&mut *conn)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n == 0 {
            return Err(PayrollError::ComponentNotFound);
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn component(&self, id: Uuid) -> Result<PayComponent, PayrollError> {
        let sql = format!("SELECT {COMPONENT_COLS} FROM pay_components WHERE id = $1");
        let row: Option<ComponentRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await
        })
        .map_err(st)?;
        row.ok_or(PayrollError::ComponentNotFound)?.try_into()
    }

    async fn structures(&self, company: CompanyId) -> Result<Vec<PayStructure>, PayrollError> {
        let sql = format!("SELECT {STRUCTURE_COLS} FROM pay_structures WHERE company_id = $1 ORDER BY code");
        let rows: Vec<StructureRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(company.0).fetch_all(p).await
        })
        .map_err(st)?;
        rows.into_iter().map(PayStructure::try_from).collect()
    }

    async fn structure(&self, id: Uuid) -> Result<PayStructure, PayrollError> {
        let sql = format!("SELECT {STRUCTURE_COLS} FROM pay_structures WHERE id = $1");
        let row: Option<StructureRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await
        })
        .map_err(st)?;
        row.ok_or(PayrollError::StructureNotFound)?.try_into()
    }

    async fn create_structure(&self, s: &PayStructure, audit: &[AuditEvent]) -> Result<(), PayrollError> {
        let sql = format!("INSERT INTO pay_structures ({STRUCTURE_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)");
        let (grades, positions, items) = (json(&s.grades)?, json(&s.position_ids)?, json(&s.items)?);
        let mut tx = self.db.begin().await.map_err(st)?;
        let res = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(s.id)
                .bind(s.company_id.0)
                .bind(&s.code)
                .bind(&s.name)
                .bind(&grades)
                .bind(&positions)
                .bind(&items)
                .bind(s.valid_from)
                .bind(s.valid_to)
                .bind(s.version.max(1))
                .execute(&mut *c)
                .await
                .map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_unique_violation(&e) => return Err(PayrollError::DuplicateStructureCode(s.code.clone())),
            Err(e) if is_foreign_key_violation(&e) => return Err(PayrollError::CompanyNotFound),
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn update_structure(
        &self,
        s: &PayStructure,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> Result<(), PayrollError> {
        let (grades, positions, items) = (json(&s.grades)?, json(&s.position_ids)?, json(&s.items)?);
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE pay_structures SET name = $1, grades = $2, position_ids = $3, items = $4, valid_from = $5, \
                 valid_to = $6, version = $7 WHERE id = $8 AND version = $9",
            )
            .bind(&s.name)
            .bind(&grades)
            .bind(&positions)
            .bind(&items)
            .bind(s.valid_from)
            .bind(s.valid_to)
            .bind(expected_version + 1)
            .bind(s.id)
            .bind(expected_version)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n == 0 {
            let exists: Option<i64> = on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT version FROM pay_structures WHERE id = $1").bind(s.id).fetch_optional(&mut *c).await
            })
            .map_err(st)?;
            return Err(if exists.is_some() { PayrollError::PayrollConflict } else { PayrollError::StructureNotFound });
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    // --- salary assignments --------------------------------------------------------------------

    async fn salary_history(&self, employee: EmployeeId) -> Result<Vec<SalaryAssignment>, PayrollError> {
        let sql = format!("SELECT {SALARY_COLS} FROM salary_assignments WHERE employee_id = $1 ORDER BY valid_from");
        let rows: Vec<SalaryRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(employee.0).fetch_all(p).await
        })
        .map_err(st)?;
        let ring = self.ring_for(rows.iter().map(|r| r.amounts_enc.as_slice())).await.map_err(key_err)?;
        rows.iter().map(|r| r.open(&ring)).collect()
    }

    async fn add_salary_assignment(&self, a: &SalaryAssignment, audit: &[AuditEvent]) -> Result<(), PayrollError> {
        let ring = self.sealing_ring().await.map_err(key_err)?;
        let enc = seal_salary(&ring, a)?;
        let mut tx = self.db.begin().await.map_err(st)?;
        // Closing first takes the write lock (SQLite) / the employee's rows (PostgreSQL), so the
        // check below cannot be overtaken; the partial unique index on open assignments catches a
        // concurrent first assignment. A refusal rolls the closing back.
        on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE salary_assignments SET valid_to = $2 WHERE employee_id = $1 AND (valid_to IS NULL OR valid_to > $2)",
            )
            .bind(a.employee_id.0)
            .bind(a.valid_from)
            .execute(&mut *c)
            .await
            .map(|_| ())
        })
        .map_err(st)?;
        let later: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM salary_assignments WHERE employee_id = $1 AND valid_from >= $2")
                .bind(a.employee_id.0)
                .bind(a.valid_from)
                .fetch_one(&mut *c)
                .await
        })
        .map_err(st)?;
        if later > 0 {
            return Err(PayrollError::EffectiveDateConflict);
        }
        let sql = format!("INSERT INTO salary_assignments ({SALARY_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)");
        let res = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(a.id)
                .bind(a.employee_id.0)
                .bind(a.company_id.0)
                .bind(a.structure_id)
                .bind(a.valid_from)
                .bind(a.valid_to)
                .bind(&a.reason)
                .bind(a.created_by.0)
                .bind(a.created_at)
                .bind(enc)
                .execute(&mut *c)
                .await
                .map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_unique_violation(&e) => return Err(PayrollError::EffectiveDateConflict),
            Err(e) if is_foreign_key_violation(&e) => {
                drop(tx);
                let structure: Option<i64> = on_db!(&self.db, p => {
                    sqlx::query_scalar("SELECT version FROM pay_structures WHERE id = $1")
                        .bind(a.structure_id)
                        .fetch_optional(p)
                        .await
                })
                .map_err(st)?;
                return Err(if structure.is_none() {
                    PayrollError::StructureNotFound
                } else {
                    PayrollError::EmployeeNotFound
                });
            }
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn salaries_on(
        &self,
        wanted: &[(EmployeeId, NaiveDate)],
    ) -> Result<HashMap<EmployeeId, SalaryAssignment>, PayrollError> {
        let Some(earliest) = wanted.iter().map(|w| w.1).min() else { return Ok(HashMap::new()) };
        let latest = wanted.iter().map(|w| w.1).max().unwrap_or(earliest);
        let on: HashMap<Uuid, NaiveDate> = wanted.iter().map(|(e, d)| (e.0, *d)).collect();
        let employees: Vec<EmployeeId> = on.keys().map(|u| EmployeeId(*u)).collect();
        let sql = format!(
            "SELECT {SALARY_COLS} FROM salary_assignments x WHERE x.valid_from <= $1 \
             AND (x.valid_to IS NULL OR x.valid_to > $2){{emp}}"
        );
        let rows: Vec<SalaryRow> = self
            .rows_for_employees(
                &sql,
                "x.employee_id",
                &[Bind::Date(latest), Bind::Date(earliest)],
                &employees,
                |r: &SalaryRow| r.employee_id,
            )
            .await?;
        // Keep each employee's row in force on their day, before opening anything.
        let mut best: HashMap<Uuid, SalaryRow> = HashMap::with_capacity(on.len());
        for r in rows {
            let Some(day) = on.get(&r.employee_id) else { continue };
            if !r.covers(*day) {
                continue;
            }
            match best.get(&r.employee_id) {
                Some(b) if b.valid_from >= r.valid_from => {}
                _ => {
                    best.insert(r.employee_id, r);
                }
            }
        }
        let rows: Vec<SalaryRow> = best.into_values().collect();
        let ring = self.ring_for(rows.iter().map(|r| r.amounts_enc.as_slice())).await.map_err(key_err)?;
        let opened = par_map(&rows, |r| r.open(&ring))?;
        Ok(opened.into_iter().map(|a| (a.employee_id, a)).collect())
    }

    // --- SI/HF policies --------------------------------------------------------------------------

    async fn si_policies(&self) -> Result<Vec<SiPolicy>, PayrollError> {
        let rows: Vec<PolicyRow> = on_db!(&self.db, p => {
            sqlx::query_as(
                "SELECT id, city, valid_from, valid_to, name, source_url, confidence, items FROM si_policies \
                 ORDER BY city, valid_from",
            )
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        rows.into_iter()
            .map(|r| {
                Ok(SiPolicy {
                    items: from_json(&r.items, "items", r.id)?,
                    city: r.city,
                    name: r.name,
                    valid_from: r.valid_from,
                    valid_to: r.valid_to,
                    source_url: r.source_url,
                    confidence: r.confidence,
                })
            })
            .collect()
    }

    async fn add_si_policy(&self, p: &SiPolicy, audit: &[AuditEvent]) -> Result<(), PayrollError> {
        let binds = vec![
            Bind::Id(Uuid::now_v7()),
            Bind::Text(p.city.clone()),
            Bind::Date(p.valid_from),
            Bind::OptDate(p.valid_to),
            Bind::Text(p.name.clone()),
            Bind::Text(p.source_url.clone()),
            Bind::Text(p.confidence.clone()),
            Bind::Text(json(&p.items)?),
        ];
        let sql = "INSERT INTO si_policies (id, city, valid_from, valid_to, name, source_url, confidence, items) \
                   VALUES ($1,$2,$3,$4,$5,$6,$7,$8)";
        // Nothing in the row references another table.
        let no_reference = || PayrollError::Storage("si policy insert refused".into());
        self.insert_one(sql, binds, audit, || PayrollError::DuplicateSiPolicy, no_reference).await
    }

    // --- tax profiles and declarations ---------------------------------------------------------

    async fn tax_profile(&self, employee: EmployeeId, year: i32) -> Result<Option<TaxProfile>, PayrollError> {
        let mut all = self.tax_profiles(year, &[employee]).await?;
        Ok(all.pop())
    }

    async fn set_tax_profile(&self, p: &TaxProfile, audit: &[AuditEvent]) -> Result<(), PayrollError> {
        let binds = vec![
            Bind::Id(p.employee_id.0),
            Bind::Int(p.year),
            Bind::Text(code(&p.rule)?),
            Bind::Bool(p.merge_annual_bonus),
        ];
        let sql = "INSERT INTO tax_profiles (employee_id, year, rule, merge_annual_bonus) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (employee_id, year) DO UPDATE SET rule = excluded.rule, \
                   merge_annual_bonus = excluded.merge_annual_bonus";
        self.insert_one(sql, binds, audit, || PayrollError::PayrollConflict, || PayrollError::EmployeeNotFound).await
    }

    async fn tax_profiles(&self, year: i32, employees: &[EmployeeId]) -> Result<Vec<TaxProfile>, PayrollError> {
        type Row = (Uuid, i32, String, bool);
        let rows: Vec<Row> = self
            .rows_for_employees(
                "SELECT employee_id, year, rule, merge_annual_bonus FROM tax_profiles x WHERE x.year = $1{emp}",
                "x.employee_id",
                &[Bind::Int(year)],
                employees,
                |r: &Row| r.0,
            )
            .await?;
        rows.into_iter()
            .map(|(e, y, rule, merge)| {
                Ok(TaxProfile {
                    employee_id: EmployeeId(e),
                    year: y,
                    rule: from_code::<WithholdingRule>(&rule, "rule", e)?,
                    merge_annual_bonus: merge,
                })
            })
            .collect()
    }

    async fn declarations(&self, employee: EmployeeId, year: i32) -> Result<Vec<DeductionDeclaration>, PayrollError> {
        let sql = format!(
            "SELECT {DECLARATION_COLS} FROM deduction_declarations WHERE employee_id = $1 AND year = $2 \
             ORDER BY declared_at, id"
        );
        let rows: Vec<DeclarationRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(employee.0).bind(year).fetch_all(p).await
        })
        .map_err(st)?;
        let ring = self.ring_for(rows.iter().map(|r| r.details_enc.as_slice())).await.map_err(key_err)?;
        rows.iter().map(|r| r.open(&ring)).collect()
    }

    async fn declarations_for(
        &self,
        year: i32,
        employees: &[EmployeeId],
    ) -> Result<Vec<DeductionDeclaration>, PayrollError> {
        let sql = format!(
            "SELECT {DECLARATION_COLS} FROM deduction_declarations x WHERE x.year = $1 AND x.status = 'active'{{emp}} \
             ORDER BY x.employee_id, x.declared_at, x.id"
        );
        let rows: Vec<DeclarationRow> = self
            .rows_for_employees(&sql, "x.employee_id", &[Bind::Int(year)], employees, |r: &DeclarationRow| {
                r.employee_id
            })
            .await?;
        let ring = self.ring_for(rows.iter().map(|r| r.details_enc.as_slice())).await.map_err(key_err)?;
        par_map(&rows, |r| r.open(&ring))
    }

    async fn add_declaration(&self, d: &DeductionDeclaration, audit: &[AuditEvent]) -> Result<(), PayrollError> {
        let ring = self.sealing_ring().await.map_err(key_err)?;
        let enc = seal_json(&ring, sealed::DECLARATION_DETAILS, d.id, &d.details)?;
        let sql =
            format!("INSERT INTO deduction_declarations ({DECLARATION_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)");
        let mut tx = self.db.begin().await.map_err(st)?;
        let (kind, status) = (code(&d.kind)?, code(&d.status)?);
        let res = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(d.id)
                .bind(d.employee_id.0)
                .bind(d.year)
                .bind(&kind)
                .bind(i32_of(d.start_month))
                .bind(i32_of(d.end_month))
                .bind(d.monthly_amount.to_string())
                .bind(&status)
                .bind(d.declared_at)
                .bind(enc)
                .execute(&mut *c)
                .await
                .map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_foreign_key_violation(&e) => return Err(PayrollError::EmployeeNotFound),
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn withdraw_declaration(
        &self,
        employee: EmployeeId,
        id: Uuid,
        audit: &[AuditEvent],
    ) -> Result<(), PayrollError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE deduction_declarations SET status = 'withdrawn' WHERE id = $1 AND employee_id = $2")
                .bind(id)
                .bind(employee.0)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n == 0 {
            return Err(PayrollError::DeclarationNotFound);
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    // --- adjustments ---------------------------------------------------------------------------

    async fn create_adjustment(&self, a: &PayAdjustment, audit: &[AuditEvent]) -> Result<(), PayrollError> {
        let ring = self.sealing_ring().await.map_err(key_err)?;
        let details = AdjustmentDetailsRef { amount: &a.amount, reason: &a.reason };
        let enc = seal_json(&ring, sealed::ADJUSTMENT_DETAILS, a.id, &details)?;
        let sql =
            format!("INSERT INTO pay_adjustments ({ADJUSTMENT_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)");
        let status = code(&a.status)?;
        let mut tx = self.db.begin().await.map_err(st)?;
        let res = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(a.id)
                .bind(a.employee_id.0)
                .bind(a.company_id.0)
                .bind(&a.period)
                .bind(&a.component_code)
                .bind(a.corrects_run_id)
                .bind(&status)
                .bind(a.applied_run_id)
                .bind(a.created_by.0)
                .bind(a.created_at)
                .bind(enc)
                .execute(&mut *c)
                .await
                .map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_foreign_key_violation(&e) => {
                // The employee, the company or the corrected run is missing. Ask outside the
                // failed transaction (an in-memory SQLite pool has one connection).
                drop(tx);
                if let Some(run) = a.corrects_run_id
                    && let Err(PayrollError::PayRunNotFound) = self.run_row(run).await
                {
                    return Err(PayrollError::PayRunNotFound);
                }
                return Err(PayrollError::EmployeeNotFound);
            }
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn cancel_adjustment(&self, id: Uuid, audit: &[AuditEvent]) -> Result<PayAdjustment, PayrollError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE pay_adjustments SET status = 'cancelled' WHERE id = $1 AND status IN ('open', 'cancelled')")
                .bind(id)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        let sql = format!("SELECT {ADJUSTMENT_COLS} FROM pay_adjustments WHERE id = $1");
        let row: Option<AdjustmentRow> = on_tx!(&mut tx, c => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await
        })
        .map_err(st)?;
        let row = row.ok_or(PayrollError::AdjustmentNotFound)?;
        if n == 0 {
            return Err(PayrollError::AdjustmentApplied);
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)?;
        let ring = self.ring_for([row.details_enc.as_slice()]).await.map_err(key_err)?;
        row.open(&ring)
    }

    async fn adjustments(
        &self,
        company: CompanyId,
        period: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<PayAdjustment>, PayrollError> {
        let filter = if period.is_some() { " AND period = $2" } else { "" };
        let count_sql = format!("SELECT COUNT(*) FROM pay_adjustments WHERE company_id = $1{filter}");
        let n = if period.is_some() { 3 } else { 2 };
        let sql = format!(
            "SELECT {ADJUSTMENT_COLS} FROM pay_adjustments WHERE company_id = $1{filter} \
             ORDER BY period DESC, created_at DESC, id DESC LIMIT ${n} OFFSET ${}",
            n + 1
        );
        let mut binds = vec![Bind::Id(company.0)];
        if let Some(per) = period {
            binds.push(Bind::Text(per.to_owned()));
        }
        let total: i64 = on_db!(&self.db, p => {
            let mut q = sqlx::query_scalar(AssertSqlSafe(count_sql));
            bind_all!(q, &binds);
            q.fetch_one(p).await
        })
        .map_err(st)?;
        let rows: Vec<AdjustmentRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            bind_all!(q, &binds);
            q.bind(page.limit()).bind(page.offset()).fetch_all(p).await
        })
        .map_err(st)?;
        let ring = self.ring_for(rows.iter().map(|r| r.details_enc.as_slice())).await.map_err(key_err)?;
        Ok(Page {
            items: rows.iter().map(|r| r.open(&ring)).collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
            page: page.page,
            per_page: page.per_page,
        })
    }

    async fn open_adjustments(&self, company: CompanyId, period: &str) -> Result<Vec<PayAdjustment>, PayrollError> {
        let sql = format!(
            "SELECT {ADJUSTMENT_COLS} FROM pay_adjustments WHERE company_id = $1 AND period = $2 AND status = 'open' \
             ORDER BY employee_id, created_at, id"
        );
        let rows: Vec<AdjustmentRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(company.0).bind(period.to_owned()).fetch_all(p).await
        })
        .map_err(st)?;
        let ring = self.ring_for(rows.iter().map(|r| r.details_enc.as_slice())).await.map_err(key_err)?;
        par_map(&rows, |r| r.open(&ring))
    }

    // --- runs ----------------------------------------------------------------------------------

    async fn create_run(&self, run: &PayRun, audit: &[AuditEvent]) -> Result<(), PayrollError> {
        let regular = run.scope.org_units.is_empty() && run.scope.employees.is_empty();
        let sql = format!(
            "INSERT INTO pay_runs ({RUN_COLS}, regular) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)"
        );
        let (scope, totals) = (json(&run.scope)?, json(&run.totals)?);
        let mut tx = self.db.begin().await.map_err(st)?;
        let res = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(run.id)
                .bind(run.company_id.0)
                .bind(&run.period)
                .bind(&run.name)
                .bind(&scope)
                .bind(run.pay_date)
                .bind(run.status.as_str())
                .bind(&totals)
                .bind(run.preparer.0)
                .bind(run.approved_by.map(|u| u.0))
                .bind(run.created_at)
                .bind(run.computed_at)
                .bind(run.locked_at)
                .bind(run.published_at)
                .bind(run.approval_id)
                .bind(&run.digest)
                .bind(run.version)
                .bind(regular)
                .execute(&mut *c)
                .await
                .map(|_| ())
        });
        match res {
            Ok(()) => {}
            Err(e) if is_unique_violation(&e) => return Err(PayrollError::DuplicatePayRun(run.period.clone())),
            Err(e) if is_foreign_key_violation(&e) => return Err(PayrollError::CompanyNotFound),
            Err(e) => return Err(st(e)),
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn run(&self, id: Uuid) -> Result<PayRun, PayrollError> {
        self.run_row(id).await
    }

    async fn runs(&self, company: Option<CompanyId>, page: PageRequest) -> Result<Page<PayRun>, PayrollError> {
        let filter = if company.is_some() { " WHERE company_id = $1" } else { "" };
        let n = if company.is_some() { 2 } else { 1 };
        let count_sql = format!("SELECT COUNT(*) FROM pay_runs{filter}");
        let sql = format!(
            "SELECT {RUN_COLS} FROM pay_runs{filter} ORDER BY period DESC, created_at DESC, id DESC LIMIT ${n} OFFSET ${}",
            n + 1
        );
        let binds: Vec<Bind> = company.map(|c| Bind::Id(c.0)).into_iter().collect();
        let total: i64 = on_db!(&self.db, p => {
            let mut q = sqlx::query_scalar(AssertSqlSafe(count_sql));
            bind_all!(q, &binds);
            q.fetch_one(p).await
        })
        .map_err(st)?;
        let rows: Vec<RunRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            bind_all!(q, &binds);
            q.bind(page.limit()).bind(page.offset()).fetch_all(p).await
        })
        .map_err(st)?;
        Ok(Page {
            items: rows.into_iter().map(PayRun::try_from).collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
            page: page.page,
            per_page: page.per_page,
        })
    }

    async fn population(
        &self,
        company: CompanyId,
        first: NaiveDate,
        last: NaiveDate,
        scope: &PayRunScope,
        rows: &RowScope,
    ) -> Result<Vec<PayPerson>, PayrollError> {
        if rows.is_empty() || first > last {
            return Ok(Vec::new());
        }
        let mut binds = vec![Bind::Id(company.0), Bind::Date(first), Bind::Date(last)];
        let mut n = 4;
        let filter = scope_sql(rows, &mut n, &mut binds);
        // Every employed segment overlapping the period; folded per employee below (clamping
        // dates in SQL would need engine-specific date arithmetic).
        let sql = format!(
            "SELECT e.id, e.employee_no, e.name, a.valid_from, a.valid_to, a.org_unit_id, a.position_id, p.grade \
             FROM employees e JOIN assignments a ON a.employee_id = e.id \
             LEFT JOIN positions p ON p.id = a.position_id \
             WHERE e.company_id = $1 AND a.employed AND a.valid_from <= $3 AND (a.valid_to IS NULL OR a.valid_to > $2){filter}"
        );
        let segments: Vec<SegmentRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            bind_all!(q, &binds);
            q.fetch_all(p).await
        })
        .map_err(st)?;
        let units = self.subtrees(&scope.org_units, last).await?;
        let named: HashSet<Uuid> = scope.employees.iter().map(|e| e.0).collect();
        let everyone = scope.org_units.is_empty() && scope.employees.is_empty();
        // Per employee: the clamped span of the segments, and the unit, position and grade of the
        // latest segment (the one holding the last employed day). No ORDER BY: folded here.
        let mut folded: HashMap<Uuid, (NaiveDate, PayPerson)> = HashMap::with_capacity(segments.len());
        for s in segments {
            let from = s.valid_from.max(first);
            let to = s.valid_to.and_then(|t| t.pred_opt()).map_or(last, |t| t.min(last));
            match folded.get_mut(&s.id) {
                Some((latest, p)) => {
                    p.employed_from = p.employed_from.min(from);
                    p.employed_to = p.employed_to.max(to);
                    if s.valid_from > *latest {
                        *latest = s.valid_from;
                        p.org_unit_id = Some(OrgUnitId(s.org_unit_id));
                        p.position_id = s.position_id.map(PositionId);
                        p.grade = s.grade;
                    }
                }
                None => {
                    let person = PayPerson {
                        employee_id: EmployeeId(s.id),
                        employee_no: s.employee_no,
                        employee_name: s.name,
                        company_id: company,
                        org_unit_id: Some(OrgUnitId(s.org_unit_id)),
                        position_id: s.position_id.map(PositionId),
                        grade: s.grade,
                        employed_from: from,
                        employed_to: to,
                    };
                    folded.insert(s.id, (s.valid_from, person));
                }
            }
        }
        let mut people: Vec<PayPerson> = folded.into_values().map(|(_, p)| p).collect();
        people.retain(|p| {
            everyone || named.contains(&p.employee_id.0) || p.org_unit_id.is_some_and(|u| units.contains(&u.0))
        });
        people.sort_by(|a, b| a.employee_no.cmp(&b.employee_no).then(a.employee_id.cmp(&b.employee_id)));
        Ok(people)
    }

    async fn year_to_date(
        &self,
        company: CompanyId,
        year: i32,
        period: &str,
        employees: &[EmployeeId],
    ) -> Result<HashMap<EmployeeId, YearToDate>, PayrollError> {
        // One pass over the company's locked items of the year: per employee the latest item
        // (its payslip carries the cumulative figures), whether any used the separate annual
        // bonus method, and the periods counted. Two runs in one month are ordered by lock time.
        // The window sorts ids only (one sort: every function shares it); the sealed figures
        // of the latest items are fetched by id afterwards, so December does not drag eleven
        // months of them through the sort.
        let sql = format!(
            "SELECT x.id, x.employee_id, l.ytd_enc, x.bonus, x.periods FROM ( \
               SELECT i.id, i.employee_id, ROW_NUMBER() OVER w AS rn, \
                 MAX(CASE WHEN i.annual_bonus_separate THEN 1 ELSE 0 END) OVER (w {ALL_ROWS}) AS bonus, \
                 string_agg(i.period, ',') OVER (w {ALL_ROWS}) AS periods \
               FROM pay_run_items i JOIN pay_runs r ON r.id = i.run_id \
               WHERE r.company_id = $1 AND r.status IN {LOCKED} AND i.year = $2 AND i.period < $3 \
                 AND i.status = 'ok'{{emp}} \
               WINDOW w AS (PARTITION BY i.employee_id ORDER BY i.period DESC, r.locked_at DESC, i.id DESC) \
             ) x JOIN pay_run_items l ON l.id = x.id WHERE x.rn = 1 AND l.ytd_enc IS NOT NULL"
        );
        let rows: Vec<YtdRow> = self
            .rows_for_employees(
                &sql,
                "i.employee_id",
                &[Bind::Id(company.0), Bind::Int(year), Bind::Text(period.to_owned())],
                employees,
                |r: &YtdRow| r.employee_id,
            )
            .await?;
        let ring = self.ring_for(rows.iter().map(|r| r.ytd_enc.as_slice())).await.map_err(key_err)?;
        let opened = par_map_with(&rows, Unpacker::new, |z, r| {
            let t: YtdFigures = z.open(&ring, sealed::PAYSLIP_YTD, r.id, &r.ytd_enc)?;
            let mut periods: Vec<String> = r.periods.split(',').map(str::to_owned).collect();
            periods.sort();
            periods.dedup();
            Ok((
                EmployeeId(r.employee_id),
                YearToDate {
                    months_here: t.months_here,
                    income: t.income,
                    exempt: t.exempt,
                    special: t.special,
                    additional: t.additional,
                    additional_by_kind: t.additional_by_kind,
                    other: t.other,
                    withheld: t.withheld,
                    annual_bonus_used: r.bonus != 0,
                    periods,
                },
            ))
        })?;
        Ok(opened.into_iter().collect())
    }

    async fn save_computation(&self, c: &Computation) -> Result<(), PayrollError> {
        let run = self.run_row(c.run_id).await?;
        let year = year_of(&run.period);
        // Seal before the transaction opens: the write lock is then held only to move bytes.
        let ring = self.sealing_ring().await.map_err(key_err)?;
        let rows: Vec<ItemInsert> = par_map_with(&c.items, Packer::new, |z, it| {
            let (payslip_enc, ytd_enc) = match &it.payslip {
                Some(p) => (
                    Some(z.seal(&ring, sealed::PAYSLIP, it.id, p)?),
                    // Small: sealed as plain JSON (compressing would cost more than it saves).
                    Some(seal_json(&ring, sealed::PAYSLIP_YTD, it.id, &YtdFigures::of(&p.tax))?),
                ),
                None => (None, None),
            };
            Ok(ItemInsert {
                id: it.id,
                employee_id: it.employee_id.0,
                employee_no: it.employee_no.clone(),
                employee_name: it.employee_name.clone(),
                org_unit_id: it.org_unit_id.map(|u| u.0),
                status: match it.status {
                    ItemStatus::Ok => "ok",
                    ItemStatus::Error => "error",
                },
                error_code: it.error.as_ref().map(|e| e.code.clone()),
                error_message: it.error.as_ref().map(|e| e.message.clone()),
                payslip_enc,
                ytd_enc,
                annual_bonus_separate: it.payslip.as_ref().is_some_and(|p| p.tax.annual_bonus.is_some()),
            })
        })?;
        let mut adjustments: Vec<Uuid> =
            c.items.iter().filter_map(|i| i.payslip.as_ref()).flat_map(|p| p.adjustment_ids.iter().copied()).collect();
        adjustments.sort();
        adjustments.dedup();
        let (totals, open) = (json(&c.totals)?, [PayRunStatus::Draft, PayRunStatus::Computed]);

        let mut tx = self.db.begin().await.map_err(st)?;
        // The guarded UPDATE comes first: it takes the write lock (SQLite) / the run's row lock
        // (PostgreSQL), so a concurrent computation of the same run waits, then finds a new version.
        let sql = format!(
            "UPDATE pay_runs SET status = 'computed', totals = $1, digest = $2, computed_at = $3, version = version + 1 \
             WHERE id = $4 AND version = $5 AND status IN ({})",
            status_list(&open)
        );
        let n = on_tx!(&mut tx, conn => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(&totals)
                .bind(&c.digest)
                .bind(c.computed_at)
                .bind(c.run_id)
                .bind(c.expected_version)
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n != 1 {
            return Err(run_refusal(&mut tx, c.run_id, &open, Some(c.expected_version)).await);
        }
        for sql in ["DELETE FROM pay_run_items WHERE run_id = $1", "DELETE FROM pay_run_adjustments WHERE run_id = $1"]
        {
            on_tx!(&mut tx, conn => {
                sqlx::query(sql).bind(c.run_id).execute(&mut *conn).await.map(|_| ())
            })
            .map_err(st)?;
        }
        match insert_items(&mut tx, &run, year, rows).await {
            Ok(()) => {}
            Err(e) if is_foreign_key_violation(&e) => return Err(PayrollError::EmployeeNotFound),
            Err(e) => return Err(st(e)),
        }
        // Test-only crash injection (crates/bole/tests/payroll_crash.rs): die with every item
        // written but nothing committed, the worst moment for a crash.
        if std::env::var_os("BOLE_FAILPOINT").is_some_and(|v| v == "payroll.save_computation") {
            std::process::abort();
        }
        for chunk in adjustments.chunks(BATCH) {
            on_tx!(&mut tx, conn => {
                let mut qb = QueryBuilder::new("INSERT INTO pay_run_adjustments (run_id, adjustment_id) ");
                qb.push_values(chunk, |mut b, a| {
                    b.push_bind(c.run_id).push_bind(*a);
                });
                qb.build().execute(&mut *conn).await.map(|_| ())
            })
            .map_err(st)?;
        }
        append_in_tx(&mut tx, &c.audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn items(
        &self,
        run_id: Uuid,
        filter: &ItemFilter,
        page: PageRequest,
    ) -> Result<Page<PayRunItem>, PayrollError> {
        let empty = Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page };
        if filter.scope.as_ref().is_some_and(RowScope::is_empty) {
            return Ok(empty);
        }
        let mut binds = vec![Bind::Id(run_id)];
        let mut n = 2;
        let mut where_sql = String::from(" WHERE i.run_id = $1");
        if let Some(s) = filter.status {
            where_sql.push_str(&format!(" AND i.status = ${n}"));
            binds.push(Bind::Text(code(&s)?));
            n += 1;
        }
        if let Some(text) = filter.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            where_sql.push_str(&format!(
                " AND (i.employee_no LIKE ${n} ESCAPE '\\' OR i.employee_name LIKE ${n} ESCAPE '\\')"
            ));
            binds.push(Bind::Text(like_pattern(text)));
            n += 1;
        }
        let join = match &filter.scope {
            Some(scope) if !scope.all => {
                where_sql.push_str(&scope_sql(scope, &mut n, &mut binds));
                " JOIN employees e ON e.id = i.employee_id"
            }
            _ => "",
        };
        let count_sql = format!("SELECT COUNT(*) FROM pay_run_items i{join}{where_sql}");
        let sql = format!(
            "SELECT {ITEM_READ_COLS} FROM pay_run_items i{join}{where_sql} ORDER BY i.employee_no, i.id LIMIT ${n} OFFSET ${}",
            n + 1
        );
        let total: i64 = on_db!(&self.db, p => {
            let mut q = sqlx::query_scalar(AssertSqlSafe(count_sql));
            bind_all!(q, &binds);
            q.fetch_one(p).await
        })
        .map_err(st)?;
        let rows: Vec<ItemRow> = on_db!(&self.db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            bind_all!(q, &binds);
            q.bind(page.limit()).bind(page.offset()).fetch_all(p).await
        })
        .map_err(st)?;
        Ok(Page {
            items: self.open_items(rows).await?,
            total: u64::try_from(total).unwrap_or(0),
            page: page.page,
            per_page: page.per_page,
        })
    }

    async fn all_items(&self, run_id: Uuid) -> Result<Vec<PayRunItem>, PayrollError> {
        let sql =
            format!("SELECT {ITEM_READ_COLS} FROM pay_run_items i WHERE i.run_id = $1 ORDER BY i.employee_no, i.id");
        let rows: Vec<ItemRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(run_id).fetch_all(p).await
        })
        .map_err(st)?;
        self.open_items(rows).await
    }

    async fn item(&self, id: Uuid) -> Result<(PayRun, PayRunItem), PayrollError> {
        let sql = format!("SELECT {ITEM_READ_COLS} FROM pay_run_items i WHERE i.id = $1");
        let row: Option<ItemRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await
        })
        .map_err(st)?;
        let row = row.ok_or(PayrollError::PayslipNotFound)?;
        let run = self.run_row(row.run_id).await?;
        let mut items = self.open_items(vec![row]).await?;
        let item = items.pop().ok_or(PayrollError::PayslipNotFound)?;
        Ok((run, item))
    }

    async fn previous_run(&self, company: CompanyId, period: &str) -> Result<Option<PayRun>, PayrollError> {
        let sql = format!(
            "SELECT {RUN_COLS} FROM pay_runs WHERE company_id = $1 AND period < $2 AND status IN {LOCKED} \
             ORDER BY period DESC, locked_at DESC, id DESC LIMIT 1"
        );
        let row: Option<RunRow> = on_db!(&self.db, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(company.0).bind(period.to_owned()).fetch_optional(p).await
        })
        .map_err(st)?;
        row.map(PayRun::try_from).transpose()
    }

    async fn submit_run(
        &self,
        run_id: Uuid,
        expected_version: i64,
        transition: &Transition,
        audit: &[AuditEvent],
    ) -> Result<(), PayrollError> {
        let from = [PayRunStatus::Computed];
        let mut tx = self.db.begin().await.map_err(st)?;
        let sql = format!(
            "UPDATE pay_runs SET status = 'pending_approval', approval_id = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND status IN ({})",
            status_list(&from)
        );
        let n = on_tx!(&mut tx, c => {
            sqlx::query(AssertSqlSafe(sql))
                .bind(transition.instance_id)
                .bind(run_id)
                .bind(expected_version)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n != 1 {
            return Err(run_refusal(&mut tx, run_id, &from, Some(expected_version)).await);
        }
        write_transition(&mut tx, transition).await?;
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn commit_run_decision(&self, transition: &Transition, d: &RunDecision) -> Result<(), PayrollError> {
        let mut tx = self.db.begin().await.map_err(st)?;
        write_transition(&mut tx, transition).await?;
        let locking = d.to == PayRunStatus::Locked;
        let n = on_tx!(&mut tx, c => {
            if locking {
                sqlx::query(
                    "UPDATE pay_runs SET status = $1, version = version + 1, approved_by = $2, locked_at = $3 \
                     WHERE id = $4 AND status = $5",
                )
                .bind(d.to.as_str())
                .bind(d.approved_by.map(|u| u.0))
                .bind(d.at)
                .bind(d.run_id)
                .bind(d.from.as_str())
                .execute(&mut *c)
                .await
            } else {
                sqlx::query("UPDATE pay_runs SET status = $1, version = version + 1 WHERE id = $2 AND status = $3")
                    .bind(d.to.as_str())
                    .bind(d.run_id)
                    .bind(d.from.as_str())
                    .execute(&mut *c)
                    .await
            }
            .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n != 1 {
            return Err(run_refusal(&mut tx, d.run_id, &[d.from], None).await);
        }
        if locking {
            on_tx!(&mut tx, c => {
                sqlx::query(
                    "UPDATE pay_adjustments SET status = 'applied', applied_run_id = $1 WHERE status = 'open' \
                     AND id IN (SELECT adjustment_id FROM pay_run_adjustments WHERE run_id = $1)",
                )
                .bind(d.run_id)
                .execute(&mut *c)
                .await
                .map(|_| ())
            })
            .map_err(st)?;
        }
        append_in_tx(&mut tx, &d.audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn publish_run(&self, run_id: Uuid, at: DateTime<Utc>, audit: &[AuditEvent]) -> Result<(), PayrollError> {
        let from = [PayRunStatus::Locked];
        let mut tx = self.db.begin().await.map_err(st)?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE pay_runs SET status = 'published', published_at = $1, version = version + 1 \
                 WHERE id = $2 AND status = 'locked'",
            )
            .bind(at)
            .bind(run_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(st)?;
        if n != 1 {
            return Err(run_refusal(&mut tx, run_id, &from, None).await);
        }
        append_in_tx(&mut tx, audit).await.map_err(st)?;
        tx.commit().await.map_err(st)
    }

    async fn payees(&self, employees: &[EmployeeId]) -> Result<HashMap<EmployeeId, Payee>, PayrollError> {
        type Row = (Uuid, String, String, Option<Vec<u8>>, Option<Vec<u8>>, Option<String>);
        let mut rows: Vec<Row> = Vec::with_capacity(employees.len());
        for chunk in employees.chunks(LOOKUP) {
            let sql = format!(
                "SELECT id, id_type, id_number, id_number_enc, bank_account_enc, bank_name FROM employees WHERE id IN ({})",
                placeholders(1, chunk.len())
            );
            let part: Vec<Row> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql));
                for e in chunk {
                    q = q.bind(e.0);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            rows.extend(part);
        }
        let ring = self
            .ring_for(rows.iter().flat_map(|r| [r.3.as_deref(), r.4.as_deref()]).flatten())
            .await
            .map_err(key_err)?;
        let opened = par_map(&rows, |(id, id_type, legacy, number_enc, account_enc, bank)| {
            // A row not sealed yet keeps its number in the legacy column (see sealed.rs).
            let id_number =
                sealed::open_field(&ring, sealed::EMPLOYEE_ID_NUMBER, *id, number_enc.as_deref(), Some(legacy.clone()))
                    .map_err(sealed_err)?;
            let bank_account =
                sealed::open_field(&ring, sealed::EMPLOYEE_BANK_ACCOUNT, *id, account_enc.as_deref(), None)
                    .map_err(sealed_err)?;
            Ok((EmployeeId(*id), Payee { id_type: id_type.clone(), id_number, bank_account, bank_name: bank.clone() }))
        })?;
        Ok(opened.into_iter().collect())
    }

    async fn unit_names(&self, units: &[OrgUnitId], on: NaiveDate) -> Result<HashMap<OrgUnitId, String>, PayrollError> {
        let mut out = HashMap::with_capacity(units.len());
        for chunk in units.chunks(LOOKUP) {
            let sql = format!(
                "SELECT unit_id, name FROM org_unit_versions WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1) \
                 AND unit_id IN ({})",
                placeholders(2, chunk.len())
            );
            let rows: Vec<(Uuid, String)> = on_db!(&self.db, p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(on);
                for u in chunk {
                    q = q.bind(u.0);
                }
                q.fetch_all(p).await
            })
            .map_err(st)?;
            out.extend(rows.into_iter().map(|(u, n)| (OrgUnitId(u), n)));
        }
        Ok(out)
    }

    async fn company_name(&self, company: CompanyId) -> Result<String, PayrollError> {
        let name: Option<String> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT name FROM companies WHERE id = $1").bind(company.0).fetch_optional(p).await
        })
        .map_err(st)?;
        name.ok_or(PayrollError::CompanyNotFound)
    }

    async fn payslips_of(&self, employee: EmployeeId) -> Result<Vec<PayslipSummary>, PayrollError> {
        type Row = (Uuid, Uuid, String, NaiveDate, String, Vec<u8>);
        let rows: Vec<Row> = on_db!(&self.db, p => {
            sqlx::query_as(
                "SELECT i.id, i.run_id, r.period, r.pay_date, r.name, i.payslip_enc \
                 FROM pay_run_items i JOIN pay_runs r ON r.id = i.run_id \
                 WHERE i.employee_id = $1 AND r.status = 'published' AND i.status = 'ok' AND i.payslip_enc IS NOT NULL \
                 ORDER BY r.period DESC, r.pay_date DESC, i.id DESC",
            )
            .bind(employee.0)
            .fetch_all(p)
            .await
        })
        .map_err(st)?;
        let ring = self.ring_for(rows.iter().map(|r| r.5.as_slice())).await.map_err(key_err)?;
        par_map(&rows, |(id, run_id, period, pay_date, run_name, enc)| {
            let pay: PayOnly = open_json(&ring, sealed::PAYSLIP, *id, enc)?;
            Ok(PayslipSummary {
                id: *id,
                run_id: *run_id,
                period: period.clone(),
                pay_date: *pay_date,
                run_name: run_name.clone(),
                gross: pay.gross,
                net: pay.net,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deflated_and_plain_values_open_and_stay_bound_to_their_row() {
        let ring = Keyring::fixed_for_tests("payroll");
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let lines = vec!["基本工资 10000.00"; 40];
        let value = serde_json::json!({"gross": "12345.67", "net": "9876.54", "lines": lines});
        let mut packer = Packer::new();
        let packed = packer.seal(&ring, sealed::PAYSLIP, a, &value).unwrap();
        let plain = seal_json(&ring, sealed::PAYSLIP, a, &value).unwrap();
        assert!(packed.len() < plain.len() / 4, "{} vs {}", packed.len(), plain.len());
        // The packer's state is reused: a second value comes out whole too.
        let other = packer.seal(&ring, sealed::PAYSLIP, b, &serde_json::json!({"gross": "1", "net": "2"})).unwrap();
        let mut z = Unpacker::new();
        for sealed_value in [&packed, &plain] {
            let pay: PayOnly = z.open(&ring, sealed::PAYSLIP, a, sealed_value).unwrap();
            assert_eq!((pay.gross.to_string(), pay.net.to_string()), ("12345.67".into(), "9876.54".into()));
            assert!(z.open::<PayOnly>(&ring, sealed::PAYSLIP, b, sealed_value).is_err(), "other row");
            assert!(open_json::<PayOnly>(&ring, sealed::SALARY_AMOUNTS, a, sealed_value).is_err(), "other column");
        }
        let pay: PayOnly = z.open(&ring, sealed::PAYSLIP, b, &other).unwrap();
        assert_eq!(pay.net.to_string(), "2");
        assert_eq!(code(&ComponentKind::PreTaxDeduction).unwrap(), "pre_tax_deduction");
        assert_eq!(
            from_code::<WithholdingRule>("first_job_2020_13", "rule", a).unwrap(),
            WithholdingRule::FirstJob2020_13
        );
        assert_eq!(year_of("2025-07"), 2025);
    }
}
