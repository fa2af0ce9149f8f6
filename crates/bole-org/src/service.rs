//! Organisation use cases: authorise, validate with `rules`, then call the store.

use crate::error::OrgError;
use crate::model::*;
use crate::rules;
use crate::store::OrgStore;
use bole_core::clock::SharedClock;
use bole_core::{
    Actor, AuditEvent, CompanyId, DataScope, DateRange, FieldErrors, Msg, OrgUnitId, Permission, PositionId, QuotaId,
};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone)]
pub struct OrgService {
    store: Arc<dyn OrgStore>,
    clock: SharedClock,
}

impl std::fmt::Debug for OrgService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgService").finish_non_exhaustive()
    }
}

impl OrgService {
    pub fn new(store: Arc<dyn OrgStore>, clock: SharedClock) -> Self {
        Self { store, clock }
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Authorise an org write in `company`, touching `unit` (the unit changed, or the
    /// parent of a new one). A company grant covers its whole structure; a subtree grant
    /// covers units inside its subtrees (as of today); only an all-rows grant creates companies.
    async fn write_guard(
        &self,
        actor: &Actor,
        company: Option<CompanyId>,
        unit: Option<OrgUnitId>,
    ) -> Result<(), OrgError> {
        let scope = actor.authorize(Permission::OrgWrite)?;
        let Some(parts) = scope.limited() else { return Ok(()) };
        let denied = || OrgError::Forbidden(bole_core::Forbidden(Permission::OrgWrite));
        let mut roots: Vec<OrgUnitId> = Vec::new();
        for part in parts {
            match (part, company) {
                (DataScope::Companies { companies }, Some(c)) if companies.contains(&c) => return Ok(()),
                (DataScope::Subtrees { units }, _) => roots.extend(units.iter().copied()),
                _ => {}
            }
        }
        if let Some(u) = unit
            && !roots.is_empty()
            && self.expand_subtrees(&roots, self.clock.today()).await?.contains(&u)
        {
            return Ok(());
        }
        Err(denied())
    }

    /// Every unit in force on `as_of` in the subtrees of `roots` (roots included), from one
    /// read of the structure. Roots not in force that day cover nothing. Used to resolve
    /// subtree grants, so it does not authorise.
    pub async fn expand_subtrees(&self, roots: &[OrgUnitId], as_of: NaiveDate) -> Result<Vec<OrgUnitId>, OrgError> {
        if roots.is_empty() {
            return Ok(Vec::new());
        }
        let units = self.store.units_as_of(None, as_of).await?;
        let mut out: Vec<OrgUnitId> = Vec::new();
        for root in roots.iter().filter(|r| units.iter().any(|u| u.id == **r)) {
            out.extend(rules::subtree_ids(*root, &units));
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn audit_event(&self, actor: &Actor, action: &str, subject_type: &str, id: uuid::Uuid) -> AuditEvent {
        actor.audit(self.clock.now(), action, subject_type).subject(id)
    }

    pub async fn create_company(&self, actor: &Actor, input: NewCompany) -> Result<Company, OrgError> {
        self.write_guard(actor, None, None).await?;
        let mut errs = FieldErrors::new();
        rules::check_code("code", &input.code, &mut errs);
        rules::check_name("name", &input.name, &mut errs);
        if let Some(cc) = &input.credit_code
            && !rules::credit_code_valid(cc)
        {
            errs.add(
                "credit_code",
                Msg::new(
                    "统一社会信用代码不正确：应为18位且校验位正确",
                    "unified social credit code is invalid (18 characters with a valid check character)",
                ),
            );
        }
        errs.into_result()?;
        let company = Company {
            id: CompanyId::new(),
            code: input.code,
            name: input.name.trim().to_string(),
            kind: input.kind,
            credit_code: input.credit_code,
            created_at: self.clock.now(),
        };
        let ev = self.audit_event(actor, "company.create", "company", company.id.0).fields([
            "code",
            "name",
            "kind",
            "credit_code",
        ]);
        self.store.insert_company(&company, &[ev]).await?;
        Ok(company)
    }

    pub async fn companies(&self, actor: &Actor) -> Result<Vec<Company>, OrgError> {
        actor.authorize(Permission::OrgRead)?;
        self.store.companies().await
    }

    pub async fn company(&self, actor: &Actor, id: CompanyId) -> Result<Company, OrgError> {
        actor.authorize(Permission::OrgRead)?;
        self.store.company(id).await
    }

    pub async fn create_unit(&self, actor: &Actor, input: NewOrgUnit) -> Result<OrgUnitView, OrgError> {
        self.write_guard(actor, Some(input.company_id), input.parent_id).await?;
        let mut errs = FieldErrors::new();
        rules::check_code("code", &input.code, &mut errs);
        rules::check_name("name", &input.name, &mut errs);
        errs.into_result()?;
        self.store.company(input.company_id).await?;
        if let Some(parent) = input.parent_id {
            let units = self.store.units_as_of(Some(input.company_id), input.effective_date).await?;
            if !units.iter().any(|u| u.id == parent) {
                let versions = self.store.unit_versions(parent).await?;
                if versions.first().is_some_and(|v| v.company_id != input.company_id) {
                    return Err(OrgError::CrossCompany);
                }
                return Err(OrgError::UnitNotInForce(input.effective_date));
            }
        }
        let unit = OrgUnitView {
            id: OrgUnitId::new(),
            company_id: input.company_id,
            code: input.code,
            name: input.name.trim().to_string(),
            kind: input.kind,
            parent_id: input.parent_id,
            valid: DateRange::open(input.effective_date),
        };
        let record = self.record(
            actor,
            unit.id,
            "create",
            input.effective_date,
            serde_json::json!({
                "name": unit.name, "parent_id": unit.parent_id, "kind": unit.kind,
            }),
        );
        let ev = self.audit_event(actor, "org_unit.create", "org_unit", unit.id.0).fields([
            "code",
            "name",
            "kind",
            "parent_id",
        ]);
        self.store.insert_unit(&unit, &record, &[ev]).await?;
        Ok(unit)
    }

    fn record(
        &self,
        actor: &Actor,
        unit: OrgUnitId,
        kind: &str,
        date: NaiveDate,
        details: serde_json::Value,
    ) -> OrgChangeRecord {
        OrgChangeRecord {
            unit_id: unit,
            kind: kind.to_string(),
            effective_date: date,
            details,
            recorded_at: self.clock.now(),
            recorded_by: actor.user_id.to_string(),
        }
    }

    /// The unit as it stands on `date`, or `UnitNotInForce`/`UnitNotFound`.
    async fn unit_on(&self, id: OrgUnitId, date: NaiveDate) -> Result<OrgUnitView, OrgError> {
        Self::version_on(&self.store.unit_versions(id).await?, date)
    }

    /// The version covering `date` among already-loaded versions.
    fn version_on(versions: &[OrgUnitView], date: NaiveDate) -> Result<OrgUnitView, OrgError> {
        versions.iter().find(|v| v.valid.contains(date)).cloned().ok_or(OrgError::UnitNotInForce(date))
    }

    fn ensure_no_later_version(versions: &[OrgUnitView], date: NaiveDate) -> Result<(), OrgError> {
        match versions.iter().map(|v| v.valid.from).filter(|f| *f >= date).max() {
            Some(later) => Err(OrgError::LaterChangeExists { later }),
            None => Ok(()),
        }
    }

    /// Rename, move or dissolve one unit from a date.
    pub async fn change_unit(&self, actor: &Actor, id: OrgUnitId, change: OrgChange) -> Result<OrgUnitView, OrgError> {
        actor.authorize(Permission::OrgWrite)?;
        let date = change.effective_date();
        let versions = self.store.unit_versions(id).await?;
        self.write_guard(actor, versions.first().map(|v| v.company_id), Some(id)).await?;
        Self::ensure_no_later_version(&versions, date)?;
        let current = Self::version_on(&versions, date)?;
        let (next, details) = match &change {
            OrgChange::Rename { name, .. } => {
                let mut errs = FieldErrors::new();
                rules::check_name("name", name, &mut errs);
                errs.into_result()?;
                let state =
                    UnitState { name: name.trim().to_string(), kind: current.kind, parent_id: current.parent_id };
                (Some(state), serde_json::json!({ "from": current.name, "to": name.trim() }))
            }
            OrgChange::Move { new_parent_id, .. } => {
                let units = self.store.units_as_of(Some(current.company_id), date).await?;
                let Some(parent) = units.iter().find(|u| u.id == *new_parent_id) else {
                    let versions = self.store.unit_versions(*new_parent_id).await?;
                    if versions.first().is_some_and(|v| v.company_id != current.company_id) {
                        return Err(OrgError::CrossCompany);
                    }
                    return Err(OrgError::UnitNotInForce(date));
                };
                let parents: HashMap<OrgUnitId, Option<OrgUnitId>> =
                    units.iter().map(|u| (u.id, u.parent_id)).collect();
                if rules::would_cycle(id, parent.id, &parents) {
                    return Err(OrgError::Cycle);
                }
                let state = UnitState { name: current.name.clone(), kind: current.kind, parent_id: Some(parent.id) };
                (Some(state), serde_json::json!({ "from_parent_id": current.parent_id, "to_parent_id": parent.id }))
            }
            OrgChange::Dissolve { .. } => {
                let units = self.store.units_as_of(Some(current.company_id), date).await?;
                if units.iter().any(|u| u.parent_id == Some(id)) {
                    return Err(OrgError::HasChildren);
                }
                if !self.store.staffed_units(&[id], date).await?.is_empty() {
                    return Err(OrgError::HasChildren);
                }
                (None, serde_json::json!({ "name": current.name }))
            }
        };
        let write = UnitVersionWrite { unit_id: id, from: date, next: next.clone() };
        let record = self.record(actor, id, change.kind(), date, details);
        let ev = self.audit_event(actor, &format!("org_unit.{}", change.kind()), "org_unit", id.0);
        self.store.apply_unit_changes(&[write], &[record], &[ev]).await?;
        Ok(OrgUnitView {
            name: next.as_ref().map(|n| n.name.clone()).unwrap_or(current.name),
            parent_id: next.as_ref().map(|n| n.parent_id).unwrap_or(current.parent_id),
            valid: DateRange { from: date, to: None },
            ..current
        })
    }

    /// The changes needed to merge `source` into `target` on `date`: the source's
    /// sub-units move under the target and the source ends. Staff moves are the
    /// people domain's part of the merge (bole-people `merge_units`).
    pub async fn plan_merge(
        &self,
        actor: &Actor,
        source: OrgUnitId,
        target: OrgUnitId,
        date: NaiveDate,
    ) -> Result<(Vec<UnitVersionWrite>, Vec<OrgChangeRecord>), OrgError> {
        actor.authorize(Permission::OrgWrite)?;
        if source == target {
            return Err(OrgError::Cycle);
        }
        let versions = self.store.unit_versions(source).await?;
        Self::ensure_no_later_version(&versions, date)?;
        let src = Self::version_on(&versions, date)?;
        let units = self.store.units_as_of(Some(src.company_id), date).await?;
        let Some(tgt) = units.iter().find(|u| u.id == target) else {
            let tv = self.store.unit_versions(target).await?;
            if tv.first().is_some_and(|v| v.company_id != src.company_id) {
                return Err(OrgError::CrossCompany);
            }
            return Err(OrgError::UnitNotInForce(date));
        };
        if rules::subtree_ids(source, &units).contains(&target) {
            return Err(OrgError::Cycle);
        }
        let mut writes = Vec::new();
        let mut records = Vec::new();
        for child in units.iter().filter(|u| u.parent_id == Some(source)) {
            let cv = self.store.unit_versions(child.id).await?;
            Self::ensure_no_later_version(&cv, date)?;
            writes.push(UnitVersionWrite {
                unit_id: child.id,
                from: date,
                next: Some(UnitState { name: child.name.clone(), kind: child.kind, parent_id: Some(target) }),
            });
            records.push(self.record(
                actor,
                child.id,
                "move",
                date,
                serde_json::json!({
                    "from_parent_id": source, "to_parent_id": target, "because": "merge",
                }),
            ));
        }
        writes.push(UnitVersionWrite { unit_id: source, from: date, next: None });
        records.push(self.record(
            actor,
            source,
            "merge",
            date,
            serde_json::json!({
                "into": tgt.id, "into_name": tgt.name, "name": src.name,
            }),
        ));
        Ok((writes, records))
    }

    pub async fn tree(
        &self,
        actor: &Actor,
        company: Option<CompanyId>,
        root: Option<OrgUnitId>,
        as_of: NaiveDate,
        with_headcount: bool,
    ) -> Result<Vec<OrgTreeNode>, OrgError> {
        actor.authorize(Permission::OrgRead)?;
        let units = self.units(actor, company, root, as_of).await?;
        let hc = if with_headcount { Some(self.store.headcount_as_of(company, as_of).await?) } else { None };
        Ok(rules::build_tree(units, hc.as_ref()))
    }

    /// Flat list of the units in force on `as_of`; with `root`, only its subtree.
    pub async fn units(
        &self,
        actor: &Actor,
        company: Option<CompanyId>,
        root: Option<OrgUnitId>,
        as_of: NaiveDate,
    ) -> Result<Vec<OrgUnitView>, OrgError> {
        actor.authorize(Permission::OrgRead)?;
        let units = self.store.units_as_of(company, as_of).await?;
        match root {
            None => Ok(units),
            Some(r) => {
                if !units.iter().any(|u| u.id == r) {
                    self.store.unit_versions(r).await?;
                    return Err(OrgError::UnitNotInForce(as_of));
                }
                let keep: std::collections::HashSet<OrgUnitId> = rules::subtree_ids(r, &units).into_iter().collect();
                Ok(units.into_iter().filter(|u| keep.contains(&u.id)).collect())
            }
        }
    }

    /// Ids of a unit and all units below it on `as_of` (for filters).
    pub async fn subtree(&self, actor: &Actor, root: OrgUnitId, as_of: NaiveDate) -> Result<Vec<OrgUnitId>, OrgError> {
        Ok(self.units(actor, None, Some(root), as_of).await?.into_iter().map(|u| u.id).collect())
    }

    /// The unit's path from its company root down to itself, as of a date.
    pub async fn path(&self, actor: &Actor, id: OrgUnitId, as_of: NaiveDate) -> Result<Vec<OrgUnitView>, OrgError> {
        actor.authorize(Permission::OrgRead)?;
        let unit = self.unit_on(id, as_of).await?;
        let units = self.store.units_as_of(Some(unit.company_id), as_of).await?;
        let by_id: HashMap<OrgUnitId, &OrgUnitView> = units.iter().map(|u| (u.id, u)).collect();
        let mut path = vec![unit.clone()];
        let mut cur = unit.parent_id;
        while let Some(p) = cur {
            match by_id.get(&p) {
                Some(u) if path.len() <= units.len() => {
                    path.push((*u).clone());
                    cur = u.parent_id;
                }
                _ => break,
            }
        }
        path.reverse();
        Ok(path)
    }

    pub async fn unit(&self, actor: &Actor, id: OrgUnitId, as_of: NaiveDate) -> Result<OrgUnitView, OrgError> {
        actor.authorize(Permission::OrgRead)?;
        self.unit_on(id, as_of).await
    }

    pub async fn unit_history(
        &self,
        actor: &Actor,
        id: OrgUnitId,
    ) -> Result<(Vec<OrgUnitView>, Vec<OrgChangeRecord>), OrgError> {
        actor.authorize(Permission::OrgRead)?;
        let versions = self.store.unit_versions(id).await?;
        let changes = self.store.unit_changes(id).await?;
        Ok((versions, changes))
    }

    pub async fn create_position(&self, actor: &Actor, input: NewPosition) -> Result<Position, OrgError> {
        actor.authorize(Permission::OrgWrite)?;
        if let Ok(versions) = self.store.unit_versions(input.org_unit_id).await {
            self.write_guard(actor, versions.first().map(|v| v.company_id), Some(input.org_unit_id)).await?;
        }
        let mut errs = FieldErrors::new();
        rules::check_code("code", &input.code, &mut errs);
        rules::check_name("name", &input.name, &mut errs);
        rules::check_name("job_family", &input.job_family, &mut errs);
        if input.grade.trim().is_empty() || input.grade.chars().count() > 32 {
            errs.add("grade", Msg::new("职级不能为空且不超过32个字", "grade must be 1–32 characters"));
        }
        let valid = DateRange::new(input.valid_from, input.valid_to);
        if valid.is_none() {
            errs.add("valid_to", Msg::new("结束日期须晚于开始日期", "valid_to must be after valid_from"));
        }
        errs.into_result()?;
        let unit = self.unit_on(input.org_unit_id, input.valid_from).await?;
        let position = Position {
            id: PositionId::new(),
            company_id: unit.company_id,
            org_unit_id: unit.id,
            code: input.code,
            name: input.name.trim().to_string(),
            job_family: input.job_family.trim().to_string(),
            grade: input.grade.trim().to_string(),
            is_key: input.is_key,
            valid: valid.unwrap_or(DateRange::open(input.valid_from)),
        };
        let ev =
            self.audit_event(actor, "position.create", "position", position.id.0).fields(["code", "name", "grade"]);
        self.store.insert_position(&position, &[ev]).await?;
        Ok(position)
    }

    pub async fn positions(
        &self,
        actor: &Actor,
        company: Option<CompanyId>,
        root: Option<OrgUnitId>,
        as_of: NaiveDate,
    ) -> Result<Vec<Position>, OrgError> {
        actor.authorize(Permission::OrgRead)?;
        match root {
            None => self.store.positions_as_of(company, None, as_of).await,
            Some(r) => {
                let ids = self.subtree(actor, r, as_of).await?;
                self.store.positions_as_of(company, Some(&ids), as_of).await
            }
        }
    }

    pub async fn position(&self, actor: &Actor, id: PositionId) -> Result<Position, OrgError> {
        actor.authorize(Permission::OrgRead)?;
        self.store.position(id).await
    }

    pub async fn create_quota(&self, actor: &Actor, input: NewQuota) -> Result<HeadcountQuota, OrgError> {
        actor.authorize(Permission::OrgWrite)?;
        if let Ok(versions) = self.store.unit_versions(input.org_unit_id).await {
            self.write_guard(actor, versions.first().map(|v| v.company_id), Some(input.org_unit_id)).await?;
        }
        let mut errs = FieldErrors::new();
        if !QUOTA_CATEGORIES.contains(&input.category.as_str()) {
            errs.add(
                "category",
                Msg::new(
                    format!("编制类别须为 {} 之一", QUOTA_CATEGORIES.join(" / ")),
                    format!("category must be one of {}", QUOTA_CATEGORIES.join(", ")),
                ),
            );
        }
        if input.amount < 0 || input.amount > 1_000_000 {
            errs.add("amount", Msg::new("编制数须为0–1000000的整数", "amount must be between 0 and 1,000,000"));
        }
        let valid = DateRange::new(input.valid_from, input.valid_to);
        if valid.is_none() {
            errs.add("valid_to", Msg::new("结束日期须晚于开始日期", "valid_to must be after valid_from"));
        }
        errs.into_result()?;
        self.unit_on(input.org_unit_id, input.valid_from).await?;
        let quota = HeadcountQuota {
            id: QuotaId::new(),
            org_unit_id: input.org_unit_id,
            category: input.category,
            amount: input.amount,
            allow_overrun: input.allow_overrun,
            valid: valid.unwrap_or(DateRange::open(input.valid_from)),
        };
        let ev = self.audit_event(actor, "quota.create", "quota", quota.id.0).fields(["category", "amount", "valid"]);
        self.store.insert_quota(&quota, &[ev]).await?;
        Ok(quota)
    }

    /// Quota lines with occupied and vacant counts on `as_of`; with `root`, for its subtree.
    pub async fn quota_usage(
        &self,
        actor: &Actor,
        root: Option<OrgUnitId>,
        as_of: NaiveDate,
    ) -> Result<Vec<QuotaUsage>, OrgError> {
        actor.authorize(Permission::OrgRead)?;
        match root {
            None => self.store.quota_usage(None, as_of).await,
            Some(r) => {
                let ids = self.subtree(actor, r, as_of).await?;
                self.store.quota_usage(Some(&ids), as_of).await
            }
        }
    }
}
