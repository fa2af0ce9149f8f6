//! The policies themselves: the built-in ones shipped in `data/si-policies.toml` (national
//! defaults, Beijing and Shanghai 2024–2025), the choice of the policy in force for a city on a
//! day, and the checks any policy — built in or entered by an administrator — must pass.

use super::{Rounding, SiItem, SiKind, SiPolicy};
use bole_core::{FieldErrors, Msg};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::sync::LazyLock;

const BUILTIN_TOML: &str = include_str!("../../data/si-policies.toml");

/// Parsed and checked on first use. A failure is a bug in the shipped file that the tests catch;
/// at run time it is logged and the built-in list is empty (every city then answers "no policy",
/// which stops pay rather than paying wrong figures).
static BUILTIN: LazyLock<Result<Vec<SiPolicy>, FieldErrors>> = LazyLock::new(|| parse_policies(BUILTIN_TOML));

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    policy: Vec<PolicyEntry>,
}

/// The file's form of a policy: `SiPolicy` plus the references that only the file keeps.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyEntry {
    city: String,
    name: String,
    valid_from: NaiveDate,
    #[serde(default)]
    valid_to: Option<NaiveDate>,
    source_url: String,
    confidence: String,
    #[serde(default)]
    #[expect(dead_code, reason = "documentation kept next to the figures; parsed so typos are caught")]
    references: Vec<String>,
    items: Vec<ItemEntry>,
}

/// `SiItem` with unknown keys refused, so a misspelt `employee_rte` is an error, not a zero.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemEntry {
    kind: SiKind,
    floor: Decimal,
    cap: Decimal,
    employer_rate: Decimal,
    employee_rate: Decimal,
    #[serde(default)]
    employee_fixed: Decimal,
    #[serde(default)]
    rounding: Rounding,
    #[serde(default)]
    min_rate: Option<Decimal>,
    #[serde(default)]
    max_rate: Option<Decimal>,
}

/// Policies from a TOML document in the form of `data/si-policies.toml`, each checked by
/// [`validate_policy`] (errors keyed `policy[i].…`).
pub fn parse_policies(text: &str) -> Result<Vec<SiPolicy>, FieldErrors> {
    let file: PolicyFile = toml::from_str(text).map_err(|e| {
        let mut errors = FieldErrors::new();
        errors.add(
            "policy",
            Msg::new(format!("社保政策文件格式有误：{e}"), format!("The SI policy file is malformed: {e}")),
        );
        errors
    })?;
    let mut errors = FieldErrors::new();
    let mut out = Vec::with_capacity(file.policy.len());
    for (i, p) in file.policy.into_iter().enumerate() {
        let policy = SiPolicy {
            city: p.city,
            name: p.name,
            valid_from: p.valid_from,
            valid_to: p.valid_to,
            source_url: p.source_url,
            confidence: p.confidence,
            items: p
                .items
                .into_iter()
                .map(|it| SiItem {
                    kind: it.kind,
                    floor: it.floor,
                    cap: it.cap,
                    employer_rate: it.employer_rate,
                    employee_rate: it.employee_rate,
                    employee_fixed: it.employee_fixed,
                    rounding: it.rounding,
                    min_rate: it.min_rate,
                    max_rate: it.max_rate,
                })
                .collect(),
        };
        if let Err(e) = validate_policy(&policy) {
            for (field, msgs) in e.0 {
                for m in msgs {
                    errors.add(format!("policy[{i}].{field}"), m);
                }
            }
        }
        out.push(policy);
    }
    for (i, p) in out.iter().enumerate() {
        let overlaps = out[..i].iter().any(|q| q.city == p.city && overlap(q, p));
        if overlaps {
            errors.add(
                format!("policy[{i}].valid_from"),
                Msg::new(
                    format!("城市 {} 的政策期间与另一条重叠。", p.city),
                    format!("Two policies of {} overlap.", p.city),
                ),
            );
        }
    }
    errors.into_result().map(|()| out)
}

fn overlap(a: &SiPolicy, b: &SiPolicy) -> bool {
    let before = |end: Option<NaiveDate>, start: NaiveDate| end.is_some_and(|e| e <= start);
    !(before(a.valid_to, b.valid_from) || before(b.valid_to, a.valid_from))
}

/// The built-in policies (national defaults, Beijing, Shanghai), parsed once.
pub fn builtin_policies() -> Vec<SiPolicy> {
    match &*BUILTIN {
        Ok(list) => list.clone(),
        Err(e) => {
            tracing::error!(errors = ?e, "built-in SI policy file is invalid; no built-in policies");
            Vec::new()
        }
    }
}

/// The policy of `city` in force on `on` (valid_from ≤ on < valid_to); the latest start wins if
/// several match. City codes compare case-insensitively.
pub fn policy_for<'a>(policies: &'a [SiPolicy], city: &str, on: NaiveDate) -> Option<&'a SiPolicy> {
    let city = city.trim();
    policies
        .iter()
        .filter(|p| p.city.eq_ignore_ascii_case(city) && p.valid_from <= on && p.valid_to.is_none_or(|t| on < t))
        .max_by_key(|p| p.valid_from)
}

/// A city code: lowercase ASCII letter first, then letters, digits, `_` or `-`; 2–32 characters.
pub fn is_city_code(code: &str) -> bool {
    let mut chars = code.chars();
    (2..=32).contains(&code.len())
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn is_rate(r: Decimal) -> bool {
    (Decimal::ZERO..=Decimal::ONE).contains(&r)
}

/// The checks every policy passes before it is used: city code syntax, a name, a source URL and a
/// confidence mark, `valid_from < valid_to`, at least one item and no item twice; per item rates
/// within 0–1, `0 ≤ floor ≤ cap`, a fixed amount not negative, and a rate range (if any) that
/// contains the default rates. Errors are keyed `city`, `items[i].employer_rate`, ….
pub fn validate_policy(p: &SiPolicy) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if !is_city_code(&p.city) {
        errors.add(
            "city",
            Msg::new(
                format!(
                    "城市代码须为 2–32 位小写字母、数字、下划线或连字符，以字母开头（如 beijing），收到 “{}”。",
                    p.city
                ),
                format!(
                    "A city code is 2–32 lowercase letters, digits, '_' or '-', starting with a letter; got '{}'.",
                    p.city
                ),
            ),
        );
    }
    if p.name.trim().is_empty() {
        errors.add("name", Msg::new("请填写政策名称。", "The policy needs a name."));
    }
    let url = p.source_url.trim();
    if url.is_empty() {
        errors.add("source_url", Msg::new("请填写政策来源网址（官方通知）。", "The policy needs a source URL."));
    } else if !(url.starts_with("https://") || url.starts_with("http://")) {
        errors
            .add("source_url", Msg::new("来源网址须以 http:// 或 https:// 开头。", "The source URL must be http(s)."));
    }
    if p.confidence.trim().is_empty() {
        errors.add("confidence", Msg::new("请注明数据可信度或来源说明。", "State how reliable the figures are."));
    }
    if let Some(to) = p.valid_to
        && to <= p.valid_from
    {
        errors.add("valid_to", Msg::new("失效日期须晚于生效日期。", "valid_to must be after valid_from."));
    }
    if p.items.is_empty() {
        errors.add("items", Msg::new("政策至少需要一个缴费项目。", "A policy needs at least one item."));
    }
    for (i, it) in p.items.iter().enumerate() {
        let key = |f: &str| format!("items[{i}].{f}");
        if p.items[..i].iter().any(|o| o.kind == it.kind) {
            errors.add(key("kind"), Msg::new("同一缴费项目出现了两次。", "The item appears twice."));
        }
        for (name, r) in [("employer_rate", it.employer_rate), ("employee_rate", it.employee_rate)] {
            if !is_rate(r) {
                errors.add(
                    key(name),
                    Msg::new(
                        format!("费率须在 0 到 1 之间（如 0.08 表示 8%），收到 {r}。"),
                        format!("A rate is a fraction between 0 and 1 (0.08 = 8%), got {r}."),
                    ),
                );
            }
        }
        if it.floor.is_sign_negative() && !it.floor.is_zero() {
            errors.add(key("floor"), Msg::new("基数下限不能为负数。", "The floor cannot be negative."));
        }
        if it.floor > it.cap {
            errors.add(
                key("cap"),
                Msg::new(
                    format!("基数上限 {} 低于下限 {}。", it.cap, it.floor),
                    format!("The cap {} is below the floor {}.", it.cap, it.floor),
                ),
            );
        }
        if it.employee_fixed.is_sign_negative() && !it.employee_fixed.is_zero() {
            errors.add(key("employee_fixed"), Msg::new("固定金额不能为负数。", "The fixed amount cannot be negative."));
        }
        match (it.min_rate, it.max_rate) {
            (None, None) => {}
            (Some(lo), Some(hi)) if is_rate(lo) && is_rate(hi) && lo <= hi => {
                for (name, r) in [("employer_rate", it.employer_rate), ("employee_rate", it.employee_rate)] {
                    if r < lo || r > hi {
                        errors.add(
                            key(name),
                            Msg::new(
                                format!("默认费率 {r} 不在允许范围 {lo}–{hi} 内。"),
                                format!("The default rate {r} is outside {lo}–{hi}."),
                            ),
                        );
                    }
                }
            }
            _ => errors.add(
                key("max_rate"),
                Msg::new(
                    "费率范围须同时给出下限和上限，均在 0 到 1 之间且下限不高于上限。",
                    "A rate range needs both ends, within 0–1, min ≤ max.",
                ),
            ),
        }
    }
    errors.into_result()
}
