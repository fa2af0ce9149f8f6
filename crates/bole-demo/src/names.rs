//! Word lists for plausible personal data: surnames by frequency, given-name
//! characters, real region codes (GB/T 2260) with their names, schools and
//! majors, mobile prefixes. Weights are relative integers, not percentages.

use rand::Rng;
use rand::rngs::StdRng;

/// Pick an index by integer weight.
pub fn weighted<T>(rng: &mut StdRng, items: &[T], weight: impl Fn(&T) -> u32) -> usize {
    let total: u64 = items.iter().map(|i| u64::from(weight(i))).sum();
    if total == 0 {
        return 0;
    }
    let mut x = rng.random_range(0..total);
    for (i, item) in items.iter().enumerate() {
        let w = u64::from(weight(item));
        if x < w {
            return i;
        }
        x -= w;
    }
    items.len().saturating_sub(1)
}

pub fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// Surnames with weights roughly proportional to their share of the population
/// (7th national census), with the Guangxi-typical 韦 覃 蒙 莫 农 黎 boosted.
pub const SURNAMES: &[(&str, u32)] = &[
    ("王", 71),
    ("李", 70),
    ("张", 65),
    ("刘", 53),
    ("陈", 46),
    ("杨", 31),
    ("黄", 30),
    ("赵", 21),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 15),
    ("马", 14),
    ("朱", 13),
    ("胡", 12),
    ("郭", 11),
    ("何", 11),
    ("林", 10),
    ("高", 10),
    ("罗", 10),
    ("郑", 9),
    ("梁", 12),
    ("谢", 8),
    ("宋", 7),
    ("唐", 7),
    ("许", 6),
    ("韩", 6),
    ("冯", 6),
    ("邓", 6),
    ("曹", 6),
    ("彭", 6),
    ("曾", 6),
    ("肖", 5),
    ("田", 5),
    ("董", 5),
    ("袁", 5),
    ("潘", 5),
    ("于", 5),
    ("蒋", 5),
    ("蔡", 5),
    ("余", 5),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("苏", 4),
    ("魏", 4),
    ("吕", 4),
    ("丁", 4),
    ("任", 4),
    ("沈", 4),
    ("姚", 4),
    ("卢", 4),
    ("姜", 3),
    ("崔", 3),
    ("钟", 3),
    ("谭", 3),
    ("陆", 3),
    ("汪", 3),
    ("范", 3),
    ("金", 3),
    ("石", 3),
    ("廖", 3),
    ("贾", 3),
    ("夏", 3),
    ("韦", 10),
    ("覃", 6),
    ("蒙", 3),
    ("莫", 3),
    ("农", 2),
    ("黎", 3),
    ("付", 3),
    ("方", 3),
    ("白", 2),
    ("邹", 2),
    ("孟", 2),
    ("熊", 2),
    ("秦", 2),
    ("邱", 2),
    ("江", 2),
    ("尹", 2),
    ("薛", 2),
    ("段", 2),
    ("雷", 2),
    ("侯", 2),
    ("龙", 2),
    ("史", 2),
    ("陶", 2),
    ("贺", 2),
    ("顾", 2),
    ("毛", 2),
    ("龚", 2),
    ("邵", 2),
    ("欧阳", 1),
    ("司马", 1),
];

pub const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宇",
    "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳", "建", "国", "志", "博", "晨", "轩", "睿", "泽", "航",
    "宏", "振", "海", "峰", "昊", "毅", "彬", "锋", "成", "坤", "亮", "东",
];

pub const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "桂", "英", "燕", "婷", "雪", "慧", "莉", "红", "梅",
    "琳", "颖", "倩", "萍", "洁", "琴", "晶", "妍", "欣", "怡", "佳", "思", "雨", "涵", "梓", "诗", "悦", "彤", "璐",
    "瑶", "婧", "兰", "凤",
];

pub const GIVEN_NEUTRAL: &[&str] =
    &["文", "华", "晓", "春", "玉", "明", "金", "海", "云", "小", "嘉", "安", "子", "新", "永", "世", "德", "秋"];

/// A resident's registration region (县级行政区划代码, GB/T 2260) and its name.
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
    pub weight: u32,
    /// In Guangxi: the ethnic mix includes many 壮族.
    pub guangxi: bool,
}

const fn r(code: &'static str, name: &'static str, weight: u32) -> Region {
    Region { code, name, weight, guangxi: code.as_bytes()[0] == b'4' && code.as_bytes()[1] == b'5' }
}

pub const REGIONS: &[Region] = &[
    r("450102", "广西壮族自治区南宁市兴宁区", 12),
    r("450103", "广西壮族自治区南宁市青秀区", 14),
    r("450105", "广西壮族自治区南宁市江南区", 8),
    r("450107", "广西壮族自治区南宁市西乡塘区", 10),
    r("450108", "广西壮族自治区南宁市良庆区", 5),
    r("450109", "广西壮族自治区南宁市邕宁区", 4),
    r("450202", "广西壮族自治区柳州市城中区", 6),
    r("450302", "广西壮族自治区桂林市秀峰区", 5),
    r("450305", "广西壮族自治区桂林市七星区", 4),
    r("450403", "广西壮族自治区梧州市万秀区", 3),
    r("450502", "广西壮族自治区北海市海城区", 3),
    r("450802", "广西壮族自治区贵港市港北区", 4),
    r("451002", "广西壮族自治区百色市右江区", 4),
    r("451402", "广西壮族自治区崇左市江州区", 3),
    r("450921", "广西壮族自治区玉林市容县", 3),
    r("110105", "北京市朝阳区", 2),
    r("110108", "北京市海淀区", 1),
    r("310104", "上海市徐汇区", 1),
    r("440106", "广东省广州市天河区", 2),
    r("440305", "广东省深圳市南山区", 2),
    r("430102", "湖南省长沙市芙蓉区", 2),
    r("420106", "湖北省武汉市武昌区", 1),
    r("510107", "四川省成都市武侯区", 1),
    r("520102", "贵州省贵阳市南明区", 1),
    r("530102", "云南省昆明市五华区", 1),
    r("360102", "江西省南昌市东湖区", 1),
];

pub const STREETS: &[&str] = &[
    "民族大道",
    "朝阳路",
    "友爱南路",
    "竹溪大道",
    "五象大道",
    "东葛路",
    "星光大道",
    "大学东路",
    "园湖路",
    "长湖路",
    "中山路",
    "新民路",
    "秀灵路",
    "白沙大道",
    "江南路",
];

pub const SCHOOLS_UNIVERSITY: &[&str] = &[
    "广西大学",
    "广西师范大学",
    "桂林电子科技大学",
    "广西民族大学",
    "南宁师范大学",
    "广西医科大学",
    "桂林理工大学",
    "广西财经学院",
    "中山大学",
    "华南理工大学",
    "武汉大学",
    "四川大学",
    "湖南大学",
    "中南大学",
];

pub const SCHOOLS_COLLEGE: &[&str] = &[
    "广西职业技术学院",
    "南宁职业技术学院",
    "广西机电职业技术学院",
    "广西经济职业学院",
    "柳州职业技术学院",
    "广西交通职业技术学院",
];

pub const SCHOOLS_SECONDARY: &[&str] =
    &["南宁市第一职业技术学校", "广西商业学校", "南宁市第三中学", "柳州高级中学", "桂林中学"];

pub const MAJORS: &[&str] = &[
    "计算机科学与技术",
    "软件工程",
    "人力资源管理",
    "会计学",
    "财务管理",
    "法学",
    "汉语言文学",
    "市场营销",
    "行政管理",
    "劳动与社会保障",
    "电子信息工程",
    "统计学",
    "信息管理与信息系统",
    "数据科学与大数据技术",
    "工商管理",
];

/// Mobile prefixes in use by the three operators (1[3-9]x).
pub const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157",
    "158", "159", "166", "171", "173", "175", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "191", "195", "198", "199",
];

pub fn mobile(rng: &mut StdRng) -> String {
    let prefix = pick(rng, MOBILE_PREFIXES);
    format!("{prefix}{:08}", rng.random_range(0..100_000_000u32))
}

pub fn surname(rng: &mut StdRng) -> &'static str {
    SURNAMES[weighted(rng, SURNAMES, |s| s.1)].0
}

/// A given name of one or two characters, leaning to the person's sex.
pub fn given_name(rng: &mut StdRng, male: bool) -> String {
    let pool = if male { GIVEN_MALE } else { GIVEN_FEMALE };
    let first = if rng.random_ratio(1, 4) { pick(rng, GIVEN_NEUTRAL) } else { pick(rng, pool) };
    if rng.random_ratio(3, 10) {
        first.to_string()
    } else {
        let second = pick(rng, pool);
        if second == first { first.to_string() } else { format!("{first}{second}") }
    }
}
