//! Pure organisation rules: what a valid code, name and credit code look like,
//! when a structural change is allowed, and how a flat as-of list becomes a tree.

use crate::model::{OrgTreeNode, OrgUnitView};
use bole_core::{FieldErrors, Msg, OrgUnitId};
use std::collections::HashMap;

/// Codes are what people type in rosters and integrations: short, ASCII, no spaces.
pub fn check_code(field: &str, code: &str, errs: &mut FieldErrors) {
    let ok = !code.is_empty()
        && code.len() <= 32
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !ok {
        errs.add(
            field,
            Msg::new("编码须为1–32位字母、数字或 - _ . 字符", "code must be 1–32 letters, digits or - _ . characters"),
        );
    }
}

pub fn check_name(field: &str, name: &str, errs: &mut FieldErrors) {
    let n = name.trim().chars().count();
    if n == 0 || n > 100 {
        errs.add(field, Msg::new("名称不能为空且不超过100个字", "name must be 1–100 characters"));
    }
}

const CREDIT_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// 统一社会信用代码 (GB 32100-2015): 18 characters, last one a MOD 31 check character.
pub fn credit_code_valid(code: &str) -> bool {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return false;
    }
    let mut sum = 0u32;
    for (i, c) in chars[..17].iter().enumerate() {
        match CREDIT_CHARS.find(*c) {
            Some(v) => sum += v as u32 * CREDIT_WEIGHTS[i],
            None => return false,
        }
    }
    let check = (31 - sum % 31) % 31;
    CREDIT_CHARS.chars().nth(check as usize) == Some(chars[17])
}

/// True when making `new_parent` the parent of `unit` would put `unit` above itself.
pub fn would_cycle(unit: OrgUnitId, new_parent: OrgUnitId, parents: &HashMap<OrgUnitId, Option<OrgUnitId>>) -> bool {
    let mut cur = Some(new_parent);
    let mut steps = 0usize;
    while let Some(u) = cur {
        if u == unit {
            return true;
        }
        steps += 1;
        // A corrupt parent chain must not hang the server.
        if steps > parents.len() + 1 {
            return true;
        }
        cur = parents.get(&u).copied().flatten();
    }
    false
}

/// Ids of `root` and every unit below it in the given as-of list.
pub fn subtree_ids(root: OrgUnitId, units: &[OrgUnitView]) -> Vec<OrgUnitId> {
    let mut children: HashMap<OrgUnitId, Vec<OrgUnitId>> = HashMap::new();
    for u in units {
        if let Some(p) = u.parent_id {
            children.entry(p).or_default().push(u.id);
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        if let Some(c) = children.get(&out[i]) {
            out.extend(c.iter().copied());
        }
        i += 1;
    }
    out
}

/// Builds the forest of an as-of list; children sorted by code. `headcount` adds
/// direct and rolled-up counts when given.
pub fn build_tree(units: Vec<OrgUnitView>, headcount: Option<&HashMap<OrgUnitId, i64>>) -> Vec<OrgTreeNode> {
    let ids: std::collections::HashSet<OrgUnitId> = units.iter().map(|u| u.id).collect();
    let mut by_parent: HashMap<Option<OrgUnitId>, Vec<OrgUnitView>> = HashMap::new();
    for u in units {
        // A unit whose parent is not in the list (e.g. a subtree query) is a root here.
        let key = u.parent_id.filter(|p| ids.contains(p));
        by_parent.entry(key).or_default().push(u);
    }
    fn build(
        parent: Option<OrgUnitId>,
        by_parent: &mut HashMap<Option<OrgUnitId>, Vec<OrgUnitView>>,
        hc: Option<&HashMap<OrgUnitId, i64>>,
    ) -> Vec<OrgTreeNode> {
        let mut list = by_parent.remove(&parent).unwrap_or_default();
        list.sort_by(|a, b| a.code.cmp(&b.code));
        list.into_iter()
            .map(|unit| {
                let children = build(Some(unit.id), by_parent, hc);
                let own = hc.map(|h| h.get(&unit.id).copied().unwrap_or(0));
                let below: i64 = children.iter().filter_map(|c| c.subtree_headcount).sum();
                OrgTreeNode { headcount: own, subtree_headcount: own.map(|o| o + below), unit, children }
            })
            .collect()
    }
    build(None, &mut by_parent, headcount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::UnitKind;
    use bole_core::{CompanyId, DateRange};

    #[test]
    fn credit_codes_are_checked() {
        // Published sample codes with correct check characters.
        assert!(credit_code_valid("91350100M000100Y43"));
        assert!(credit_code_valid("91110000600037341L"));
        assert!(!credit_code_valid("91350100M000100Y44"));
        assert!(!credit_code_valid("9135010"));
        assert!(!credit_code_valid("91350100M000100YI3"), "I is not in the alphabet");
    }

    #[test]
    fn codes_and_names() {
        let mut e = FieldErrors::new();
        check_code("code", "RD-01", &mut e);
        check_name("name", "研发中心", &mut e);
        assert!(e.is_empty());
        check_code("code", "研发", &mut e);
        check_code("code2", "", &mut e);
        check_name("name", "  ", &mut e);
        assert_eq!(e.len(), 3);
    }

    fn unit(id: OrgUnitId, parent: Option<OrgUnitId>, code: &str) -> OrgUnitView {
        OrgUnitView {
            id,
            company_id: CompanyId(uuid::Uuid::nil()),
            code: code.into(),
            name: code.into(),
            kind: UnitKind::Department,
            parent_id: parent,
            valid: DateRange::open(chrono::NaiveDate::MIN),
        }
    }

    #[test]
    fn cycles_are_detected() {
        let (a, b, c) = (OrgUnitId::new(), OrgUnitId::new(), OrgUnitId::new());
        let parents = HashMap::from([(a, None), (b, Some(a)), (c, Some(b))]);
        assert!(would_cycle(a, c, &parents), "a under its grandchild");
        assert!(would_cycle(b, b, &parents), "b under itself");
        assert!(!would_cycle(c, a, &parents));
    }

    #[test]
    fn tree_rolls_up_headcount() {
        let (a, b, c, d) = (OrgUnitId::new(), OrgUnitId::new(), OrgUnitId::new(), OrgUnitId::new());
        let units = vec![unit(c, Some(b), "C"), unit(a, None, "A"), unit(b, Some(a), "B"), unit(d, Some(a), "D")];
        assert_eq!(subtree_ids(b, &units), vec![b, c]);
        let hc = HashMap::from([(a, 1), (b, 2), (c, 3), (d, 4)]);
        let tree = build_tree(units, Some(&hc));
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].subtree_headcount, Some(10));
        assert_eq!(tree[0].children[0].unit.code, "B");
        assert_eq!(tree[0].children[0].subtree_headcount, Some(5));
    }
}
