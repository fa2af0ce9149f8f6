//! The demo's organisation: three legal entities of different kinds, their
//! effective-dated unit trees (with one rename and one move in the past year
//! and a rename next month), and the positions (岗位) of every unit. Written
//! through `OrgService`, so every rule of the org domain applies.

use crate::DemoError;
use bole_core::{Actor, CompanyId, OrgUnitId, PositionId};
use bole_org::{CompanyKind, NewCompany, NewOrgUnit, NewPosition, OrgChange, OrgService, UnitKind};
use chrono::{Datelike, Days, NaiveDate};

/// How positions of a unit are laid out; decided by company kind and function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavour {
    EntHq,
    EntDivision,
    EntFunction,
    EntTech,
    EntSales,
    EntService,
    PiHq,
    PiDept,
    PiTeam,
    PiOffice,
    GovHq,
    GovDept,
    GovEnforce,
}

/// When a unit came into force relative to the demo's base date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Since {
    Base,
    /// Set up two years before "today" (and moved later, see `History`).
    TwoYearsAgo,
}

struct UnitSpec {
    code: &'static str,
    name: &'static str,
    kind: UnitKind,
    parent: Option<&'static str>,
    weight: u32,
    flavour: Flavour,
    role: &'static str,
    since: Since,
}

const fn u(
    code: &'static str,
    name: &'static str,
    kind: UnitKind,
    parent: Option<&'static str>,
    weight: u32,
    flavour: Flavour,
    role: &'static str,
) -> UnitSpec {
    UnitSpec { code, name, kind, parent, weight, flavour, role, since: Since::Base }
}

struct CompanySpec {
    code: &'static str,
    name: &'static str,
    kind: CompanyKind,
    /// The first 16 characters of the credit code: registering authority, entity
    /// type, region (6) and the 8-character body of the organisation code.
    credit_head: &'static str,
    /// 工号 prefix.
    employee_prefix: &'static str,
    /// Share of the demo's employees, in percent.
    share: u32,
    /// Default 工作地点.
    location: &'static str,
    units: &'static [UnitSpec],
}

use Flavour::*;
use UnitKind::{Department as D, Division as V, Headquarters as H, Team as T};

const ENTERPRISE_UNITS: &[UnitSpec] = &[
    u("BL", "广西伯乐科技集团有限公司", H, None, 3, EntHq, "集团"),
    u("BL-OFF", "总裁办公室", D, Some("BL"), 4, EntFunction, "行政"),
    u("BL-HR", "人力资源部", D, Some("BL"), 3, EntFunction, "人力资源"),
    u("BL-HR-REC", "招聘组", T, Some("BL-HR"), 3, EntFunction, "招聘"),
    u("BL-HR-CB", "薪酬福利组", T, Some("BL-HR"), 3, EntFunction, "薪酬福利"),
    u("BL-FIN", "财务部", D, Some("BL"), 3, EntFunction, "财务"),
    u("BL-FIN-ACC", "会计核算组", T, Some("BL-FIN"), 4, EntFunction, "会计"),
    u("BL-FIN-TAX", "税务组", T, Some("BL-FIN"), 2, EntFunction, "税务"),
    u("BL-RD", "研发中心", V, Some("BL"), 2, EntDivision, "研发"),
    u("BL-RD-PLT", "平台研发部", D, Some("BL-RD"), 3, EntTech, "平台研发"),
    u("BL-RD-PLT-BE", "后端开发组", T, Some("BL-RD-PLT"), 12, EntTech, "后端开发"),
    u("BL-RD-PLT-FE", "前端开发组", T, Some("BL-RD-PLT"), 8, EntTech, "前端开发"),
    // Renamed to 数据智能部 in the past year (see `History`).
    u("BL-RD-DATA", "大数据部", D, Some("BL-RD"), 4, EntTech, "数据"),
    u("BL-RD-DATA-AI", "算法组", T, Some("BL-RD-DATA"), 6, EntTech, "算法"),
    u("BL-RD-QA", "质量保障部", D, Some("BL-RD"), 6, EntTech, "测试"),
    u("BL-PD", "产品部", D, Some("BL"), 6, EntFunction, "产品"),
    u("BL-MKT", "市场营销中心", V, Some("BL"), 2, EntDivision, "市场营销"),
    u("BL-MKT-SALES", "华南销售部", D, Some("BL-MKT"), 3, EntSales, "销售"),
    u("BL-MKT-SALES-NN", "南宁销售组", T, Some("BL-MKT-SALES"), 10, EntSales, "销售"),
    u("BL-MKT-SALES-GZ", "广州销售组", T, Some("BL-MKT-SALES"), 7, EntSales, "销售"),
    u("BL-MKT-BRAND", "品牌推广部", D, Some("BL-MKT"), 4, EntFunction, "品牌推广"),
    u("BL-OPS", "运营服务中心", V, Some("BL"), 2, EntDivision, "运营"),
    // Renamed to 客户成功部 from the first day of next month.
    u("BL-OPS-CS", "客户服务部", D, Some("BL-OPS"), 10, EntService, "客服"),
    // Set up two years ago under 运营服务中心, moved under 研发中心 in the past year.
    UnitSpec {
        code: "BL-OPS-IT",
        name: "IT运维部",
        kind: D,
        parent: Some("BL-OPS"),
        weight: 5,
        flavour: EntTech,
        role: "运维",
        since: Since::TwoYearsAgo,
    },
];

const INSTITUTION_UNITS: &[UnitSpec] = &[
    u("NNRC", "南宁市人力资源服务中心", H, None, 2, PiHq, "中心"),
    u("NNRC-OFF", "办公室", D, Some("NNRC"), 4, PiOffice, "综合"),
    u("NNRC-HR", "人事科", D, Some("NNRC"), 3, PiTeam, "人事"),
    u("NNRC-FIN", "财务科", D, Some("NNRC"), 3, PiTeam, "财务"),
    u("NNRC-EMP", "就业服务部", D, Some("NNRC"), 2, PiDept, "就业服务"),
    u("NNRC-EMP-JOB", "职业介绍科", T, Some("NNRC-EMP"), 6, PiTeam, "职业指导"),
    u("NNRC-EMP-GRAD", "高校毕业生就业科", T, Some("NNRC-EMP"), 5, PiTeam, "就业指导"),
    u("NNRC-TAL", "人才服务部", D, Some("NNRC"), 2, PiDept, "人才服务"),
    u("NNRC-TAL-AGT", "人事代理科", T, Some("NNRC-TAL"), 5, PiTeam, "人事代理"),
    u("NNRC-TAL-ARC", "档案管理科", T, Some("NNRC-TAL"), 4, PiTeam, "档案管理"),
];

const GOVERNMENT_UNITS: &[UnitSpec] = &[
    u("QRSJ", "某区人力资源和社会保障局", H, None, 2, GovHq, "局"),
    u("QRSJ-OFF", "办公室", D, Some("QRSJ"), 4, GovDept, "综合"),
    u("QRSJ-EMP", "就业促进股", D, Some("QRSJ"), 4, GovDept, "就业促进"),
    u("QRSJ-SI", "社会保险股", D, Some("QRSJ"), 5, GovDept, "社会保险"),
    u("QRSJ-LR", "劳动关系股", D, Some("QRSJ"), 3, GovDept, "劳动关系"),
    u("QRSJ-TAL", "人事人才股", D, Some("QRSJ"), 3, GovDept, "人事人才"),
    u("QRSJ-INS", "劳动保障监察大队", V, Some("QRSJ"), 2, GovEnforce, "监察"),
    u("QRSJ-INS-1", "监察一中队", T, Some("QRSJ-INS"), 4, GovEnforce, "监察"),
    u("QRSJ-INS-2", "监察二中队", T, Some("QRSJ-INS"), 4, GovEnforce, "监察"),
];

const COMPANIES: &[CompanySpec] = &[
    CompanySpec {
        code: "BOLE-TECH",
        name: "广西伯乐科技集团有限公司",
        kind: CompanyKind::Enterprise,
        // 9 工商, 1 企业, 450100 南宁市.
        credit_head: "91450100MA5KBL0",
        employee_prefix: "BL",
        share: 70,
        location: "南宁市青秀区",
        units: ENTERPRISE_UNITS,
    },
    CompanySpec {
        code: "NN-HRSC",
        name: "南宁市人力资源服务中心",
        kind: CompanyKind::PublicInstitution,
        // 1 机构编制, 2 事业单位, 450100 南宁市.
        credit_head: "12450100498765",
        employee_prefix: "RC",
        share: 18,
        location: "南宁市西乡塘区",
        units: INSTITUTION_UNITS,
    },
    CompanySpec {
        code: "QU-RSJ",
        name: "某区人力资源和社会保障局",
        kind: CompanyKind::Government,
        // 1 机构编制, 1 机关, 450102.
        credit_head: "11450102007123",
        employee_prefix: "RS",
        share: 12,
        location: "南宁市兴宁区",
        units: GOVERNMENT_UNITS,
    },
];

const CREDIT_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// The GB 11714 check character of an 8-character organisation code body.
fn org_code_check(body: &str) -> Option<char> {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let mut sum = 0u32;
    for (i, c) in body.chars().enumerate() {
        let v = c.to_digit(36)?;
        sum += v * *W.get(i)?;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        d => char::from_digit(d, 10),
    }
}

/// A complete 统一社会信用代码 (GB 32100-2015) from its 8-character head
/// (authority, type, region) and an 8-character organisation-code body: the
/// organisation code gets its GB 11714 check character, the whole code its MOD 31 one.
pub(crate) fn credit_code(head8: &str, body8: &str) -> Option<String> {
    let mut code = format!("{head8}{body8}{}", org_code_check(body8)?);
    let mut sum = 0u32;
    for (i, c) in code.chars().enumerate() {
        sum += u32::try_from(CREDIT_CHARS.find(c)?).ok()? * *CREDIT_WEIGHTS.get(i)?;
    }
    code.push(CREDIT_CHARS.chars().nth(((31 - sum % 31) % 31) as usize)?);
    Some(code)
}

pub(crate) struct BuiltCompany {
    pub id: CompanyId,
    pub kind: CompanyKind,
    pub employee_prefix: &'static str,
    pub share: u32,
}

pub(crate) struct BuiltUnit {
    pub id: OrgUnitId,
    pub company: usize,
    /// First day the unit is in force.
    pub created: NaiveDate,
    pub weight: u32,
    pub positions: Vec<usize>,
    /// 工作地点 of people placed here.
    pub location: &'static str,
}

pub(crate) struct BuiltPosition {
    pub id: PositionId,
    pub unit: usize,
    /// 0 entry … 3 head of unit; promotions go one tier up.
    pub tier: u8,
    pub weight: u32,
}

pub(crate) struct Built {
    pub companies: Vec<BuiltCompany>,
    pub units: Vec<BuiltUnit>,
    pub positions: Vec<BuiltPosition>,
    /// Rename/move changes recorded (past and future).
    pub changes: u64,
}

/// The dates the structure is laid out on, all derived from "today".
pub(crate) struct Dates {
    pub base: NaiveDate,
    pub two_years_ago: NaiveDate,
    pub moved: NaiveDate,
    pub renamed: NaiveDate,
    pub next_month: NaiveDate,
}

impl Dates {
    pub fn new(today: NaiveDate) -> Dates {
        let first_of = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(today);
        let next_month =
            if today.month() == 12 { first_of(today.year() + 1, 1) } else { first_of(today.year(), today.month() + 1) };
        Dates {
            base: first_of(today.year() - 13, 1),
            two_years_ago: first_of(today.year() - 2, today.month()),
            moved: today.checked_sub_days(Days::new(210)).unwrap_or(today),
            renamed: today.checked_sub_days(Days::new(150)).unwrap_or(today),
            next_month,
        }
    }
}

struct PosTpl {
    suffix: &'static str,
    name: String,
    family: &'static str,
    grade: &'static str,
    key: bool,
    tier: u8,
    weight: u32,
}

fn p(
    suffix: &'static str,
    name: String,
    family: &'static str,
    grade: &'static str,
    key: bool,
    tier: u8,
    weight: u32,
) -> PosTpl {
    PosTpl { suffix, name, family, grade, key, tier, weight }
}

/// The positions of one unit.
fn templates(flavour: Flavour, kind: UnitKind, unit_name: &str, role: &str) -> Vec<PosTpl> {
    const MGMT: &str = "管理序列";
    const PRO: &str = "专业技术序列";
    const SKILL: &str = "技能操作序列";
    const PI_MGMT: &str = "管理岗";
    const PI_PRO: &str = "专业技术岗";
    const PI_WORK: &str = "工勤技能岗";
    const GOV: &str = "综合管理类";
    const LAW: &str = "行政执法类";
    let team = kind == UnitKind::Team;
    let head_title = if unit_name.ends_with("办公室") {
        "主任"
    } else if team {
        "组长"
    } else {
        "经理"
    };
    let head = |grade| p("HEAD", format!("{unit_name}{head_title}"), MGMT, grade, true, 3, 1);
    let head_grade = if team { "M1" } else { "M2" };
    match flavour {
        EntHq => vec![
            p("GM", "总经理".into(), MGMT, "M4", true, 3, 1),
            p("VP", "副总经理".into(), MGMT, "M4", true, 3, 2),
            p("AST", "总经理助理".into(), MGMT, "M3", false, 2, 1),
            p("SEC", "行政秘书".into(), PRO, "P4", false, 0, 2),
        ],
        EntDivision => vec![
            p("DIR", format!("{unit_name}总监"), MGMT, "M3", true, 3, 1),
            p("SM", "高级经理".into(), MGMT, "M2", false, 2, 2),
            p("EXP", format!("{role}首席专家"), PRO, "P8", true, 2, 1),
            p("SPC", format!("{role}业务专员"), PRO, "P4", false, 0, 2),
        ],
        EntFunction => {
            let mut v = vec![
                head(head_grade),
                p("SUP", format!("{role}主管"), MGMT, "M1", false, 2, 2),
                p("SR", format!("高级{role}专员"), PRO, "P6", false, 2, 3),
                p("SPC", format!("{role}专员"), PRO, "P4", false, 1, 5),
                p("AST", format!("{role}助理"), PRO, "P3", false, 0, 3),
            ];
            if unit_name.ends_with("办公室") {
                v.push(p("DRV", "驾驶员".into(), SKILL, "S2", false, 0, 1));
            }
            v
        }
        EntTech => vec![
            head(head_grade),
            p("EXP", format!("{role}技术专家"), PRO, "P8", true, 2, 1),
            p("PRI", format!("资深{role}工程师"), PRO, "P7", false, 2, 2),
            p("SR", format!("高级{role}工程师"), PRO, "P6", false, 2, 4),
            p("ENG", format!("{role}工程师"), PRO, "P5", false, 1, 6),
            p("JR", format!("初级{role}工程师"), PRO, "P3", false, 0, 4),
        ],
        EntSales => vec![
            head(head_grade),
            p("SR", "高级客户经理".into(), PRO, "P6", false, 2, 3),
            p("AM", "客户经理".into(), PRO, "P5", false, 1, 5),
            p("REP", "销售代表".into(), PRO, "P3", false, 0, 6),
            p("AST", "销售助理".into(), SKILL, "S2", false, 0, 2),
        ],
        EntService => vec![
            head(head_grade),
            p("SUP", "客服主管".into(), MGMT, "M1", false, 2, 2),
            p("SR", "高级客服专员".into(), PRO, "P4", false, 1, 4),
            p("CSR", "客服代表".into(), SKILL, "S3", false, 0, 8),
        ],
        PiHq => vec![
            p("DIR", "主任".into(), PI_MGMT, "五级职员", true, 3, 1),
            p("DEP", "副主任".into(), PI_MGMT, "六级职员", true, 3, 2),
            p("ACC", "总会计师".into(), PI_PRO, "专技七级", true, 2, 1),
        ],
        PiDept => vec![
            p("HEAD", "部长".into(), PI_MGMT, "六级职员", true, 3, 1),
            p("DEP", "副部长".into(), PI_MGMT, "七级职员", false, 2, 1),
            p("SPT", format!("高级{role}师"), PI_PRO, "专技七级", false, 2, 2),
        ],
        PiTeam => vec![
            p("HEAD", "科长".into(), PI_MGMT, "七级职员", true, 3, 1),
            p("DEP", "副科长".into(), PI_MGMT, "八级职员", false, 2, 1),
            p("SPM", format!("{role}专员"), PI_PRO, "专技十级", false, 1, 4),
            p("CLK", "科员".into(), PI_MGMT, "九级职员", false, 1, 3),
            p("JR", format!("{role}助理"), PI_PRO, "专技十二级", false, 0, 3),
        ],
        PiOffice => vec![
            p("HEAD", "办公室主任".into(), PI_MGMT, "七级职员", true, 3, 1),
            p("DEP", "办公室副主任".into(), PI_MGMT, "八级职员", false, 2, 1),
            p("CLK", "科员".into(), PI_MGMT, "九级职员", false, 1, 3),
            p("DRV", "驾驶员".into(), PI_WORK, "技术工三级", false, 0, 1),
            p("SRV", "后勤服务员".into(), PI_WORK, "普通工", false, 0, 1),
        ],
        GovHq => vec![
            p("DIR", "局长".into(), GOV, "正科级", true, 3, 1),
            p("DEP", "副局长".into(), GOV, "副科级", true, 3, 2),
            p("SEC", "党组秘书".into(), GOV, "一级主任科员", false, 2, 1),
        ],
        GovDept => {
            let head = if unit_name.ends_with("办公室") { "办公室主任" } else { "股长" };
            vec![
                p("HEAD", head.into(), GOV, "四级主任科员", true, 3, 1),
                p("DEP", format!("副{head}"), GOV, "一级科员", false, 2, 1),
                p("CLK", "科员".into(), GOV, "一级科员", false, 1, 3),
                p("JR", "办事员".into(), GOV, "二级科员", false, 0, 3),
            ]
        }
        GovEnforce => {
            let (head, grade) = if team { ("中队长", "一级主办") } else { ("大队长", "四级高级主办") };
            vec![
                p("HEAD", head.into(), LAW, grade, true, 3, 1),
                p("DEP", format!("副{head}"), LAW, "二级主办", false, 2, 1),
                p("OFF", "执法队员".into(), LAW, "一级行政执法员", false, 1, 5),
                p("JR", "见习执法队员".into(), LAW, "二级行政执法员", false, 0, 3),
            ]
        }
    }
}

/// Create companies, units, positions and the structural history.
/// `min_units` adds project teams to the enterprise until the total is reached.
pub(crate) async fn build(
    org: &OrgService,
    actor: &Actor,
    today: NaiveDate,
    min_units: u32,
) -> Result<Built, DemoError> {
    let dates = Dates::new(today);
    let mut built = Built { companies: Vec::new(), units: Vec::new(), positions: Vec::new(), changes: 0 };
    let base_units: usize = COMPANIES.iter().map(|c| c.units.len()).sum();
    let extra = (min_units as usize).saturating_sub(base_units);
    for (ci, spec) in COMPANIES.iter().enumerate() {
        let (head8, body8) = spec.credit_head.split_at(8);
        let body8: String = body8.chars().chain(std::iter::repeat('0')).take(8).collect();
        let company = org
            .create_company(
                actor,
                NewCompany {
                    code: spec.code.into(),
                    name: spec.name.into(),
                    kind: spec.kind,
                    credit_code: credit_code(head8, &body8),
                },
            )
            .await?;
        built.companies.push(BuiltCompany {
            id: company.id,
            kind: spec.kind,
            employee_prefix: spec.employee_prefix,
            share: spec.share,
        });
        let mut ids: Vec<(&'static str, OrgUnitId, usize)> = Vec::new();
        for us in spec.units {
            let parent = us.parent.and_then(|p| ids.iter().find(|(c, _, _)| *c == p)).map(|(_, id, _)| *id);
            let created = match us.since {
                Since::Base => dates.base,
                Since::TwoYearsAgo => dates.two_years_ago,
            };
            let idx = add_unit(
                org, actor, &mut built, ci, company.id, us.code, us.name, us.kind, parent, created, us.weight,
                us.flavour, us.role,
            )
            .await?;
            ids.push((us.code, built.units[idx].id, idx));
        }
        if ci == 0 && extra > 0 {
            // Project teams spread round-robin over the enterprise's departments.
            let parents: Vec<&UnitSpec> =
                spec.units.iter().filter(|s| s.kind == UnitKind::Department && s.since == Since::Base).collect();
            for n in 0..extra {
                let ps = parents[n % parents.len()];
                let Some((_, pid, _)) = ids.iter().find(|(c, _, _)| *c == ps.code) else { continue };
                let code = format!("{}-X{:04}", ps.code, n + 1);
                let name = format!("{}第{}项目组", ps.name, n / parents.len() + 1);
                add_unit(
                    org,
                    actor,
                    &mut built,
                    ci,
                    company.id,
                    &code,
                    &name,
                    UnitKind::Team,
                    Some(*pid),
                    dates.base,
                    5,
                    ps.flavour,
                    ps.role,
                )
                .await?;
            }
        }
        if ci == 0 {
            let find = |code: &str| ids.iter().find(|(c, _, _)| *c == code).map(|(_, id, _)| *id);
            if let (Some(it), Some(rd), Some(data), Some(cs)) =
                (find("BL-OPS-IT"), find("BL-RD"), find("BL-RD-DATA"), find("BL-OPS-CS"))
            {
                org.change_unit(actor, it, OrgChange::Move { new_parent_id: rd, effective_date: dates.moved }).await?;
                org.change_unit(
                    actor,
                    data,
                    OrgChange::Rename { name: "数据智能部".into(), effective_date: dates.renamed },
                )
                .await?;
                org.change_unit(
                    actor,
                    cs,
                    OrgChange::Rename { name: "客户成功部".into(), effective_date: dates.next_month },
                )
                .await?;
                built.changes += 3;
            }
        }
    }
    Ok(built)
}

#[expect(clippy::too_many_arguments, reason = "one call site per unit source; a struct would only restate them")]
async fn add_unit(
    org: &OrgService,
    actor: &Actor,
    built: &mut Built,
    company_idx: usize,
    company: CompanyId,
    code: &str,
    name: &str,
    kind: UnitKind,
    parent: Option<OrgUnitId>,
    created: NaiveDate,
    weight: u32,
    flavour: Flavour,
    role: &str,
) -> Result<usize, DemoError> {
    let unit = org
        .create_unit(
            actor,
            NewOrgUnit {
                company_id: company,
                code: code.into(),
                name: name.into(),
                kind,
                parent_id: parent,
                effective_date: created,
            },
        )
        .await?;
    let idx = built.units.len();
    let location = if code.contains("-GZ") { "广州市天河区" } else { COMPANIES[company_idx].location };
    built.units.push(BuiltUnit { id: unit.id, company: company_idx, created, weight, positions: Vec::new(), location });
    for t in templates(flavour, kind, name, role) {
        let pos = org
            .create_position(
                actor,
                NewPosition {
                    org_unit_id: unit.id,
                    code: format!("{code}-{}", t.suffix),
                    name: t.name,
                    job_family: t.family.into(),
                    grade: t.grade.into(),
                    is_key: t.key,
                    valid_from: created,
                    valid_to: None,
                },
            )
            .await?;
        built.units[idx].positions.push(built.positions.len());
        built.positions.push(BuiltPosition { id: pos.id, unit: idx, tier: t.tier, weight: t.weight });
    }
    Ok(idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes_carry_valid_check_characters() {
        for c in COMPANIES {
            let (head8, body8) = c.credit_head.split_at(8);
            let body8: String = body8.chars().chain(std::iter::repeat('0')).take(8).collect();
            let code = credit_code(head8, &body8).unwrap();
            assert_eq!(code.len(), 18);
            assert!(bole_org::rules::credit_code_valid(&code), "{code}");
        }
        // The GB 11714 worked example: D2143569-X.
        assert_eq!(org_code_check("D2143569"), Some('X'));
    }

    #[test]
    fn every_parent_is_declared_before_its_children() {
        for c in COMPANIES {
            for (i, u) in c.units.iter().enumerate() {
                if let Some(p) = u.parent {
                    assert!(c.units[..i].iter().any(|x| x.code == p), "{} before {p}", u.code);
                }
            }
        }
        let total: usize = COMPANIES.iter().map(|c| c.units.len()).sum();
        assert!((38..=45).contains(&total), "about 40 units, got {total}");
        assert_eq!(COMPANIES.iter().map(|c| c.share).sum::<u32>(), 100);
    }
}
