//! Data dictionaries (数据字典): the coded value sets a person record uses —
//! national standards where one exists (GB/T 2261, GB 3304, GB/T 4762, GB/T
//! 4658, GB/T 6864, GA/T 517, GB/T 4761) and Bole's own sets otherwise — and
//! the synonym normalisation that turns what clerks actually type ("大学",
//! "男性", "汉") into standard codes. Records store codes; labels are for
//! display and import only.

use serde::Serialize;

/// One coded value.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The standard code, stored on records.
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Other spellings that mean this entry; never shared with another entry
    /// of the same dictionary.
    pub synonyms: &'static [&'static str],
}

/// A named value set.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Dictionary {
    /// Stable key, e.g. `education_level`.
    pub key: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// Where the codes come from, e.g. "GB/T 2261.1-2003", or "Bole" for our own.
    pub standard: &'static str,
    pub entries: &'static [Entry],
}

impl Entry {
    /// Every string that [`Dictionary::normalize`] accepts for this entry.
    pub fn spellings(&self) -> impl Iterator<Item = &'static str> {
        [self.code, self.zh, self.en].into_iter().chain(self.synonyms.iter().copied())
    }
}

impl Dictionary {
    /// The entry with exactly this code; no folding, since stored codes are exact.
    pub fn by_code(&self, code: &str) -> Option<&'static Entry> {
        self.entries.iter().find(|e| e.code == code)
    }

    /// The entry `input` means: its code, Chinese or English label, or a
    /// synonym, after trimming, folding full-width ASCII and ignoring Latin
    /// case. A numeric input also matches a numeric code with leading zeros
    /// dropped ("1" → "01"), because spreadsheets strip them on import.
    pub fn normalize(&self, input: &str) -> Option<&'static Entry> {
        let needle = fold(input);
        if needle.is_empty() {
            return None;
        }
        let entries: &'static [Entry] = self.entries;
        entries.iter().find(|e| e.spellings().any(|s| fold(s) == needle)).or_else(|| {
            let digits = numeric_key(&needle)?;
            entries.iter().find(|e| numeric_key(e.code) == Some(digits))
        })
    }
}

fn fold(s: &str) -> String {
    let half: String = s.chars().map(super::half_width).collect();
    half.trim().to_lowercase()
}

/// A digits-only string without its leading zeros ("007" → "7", "0" → "0").
fn numeric_key(s: &str) -> Option<&str> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = s.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed })
}

const fn e(code: &'static str, zh: &'static str, en: &'static str, synonyms: &'static [&'static str]) -> Entry {
    Entry { code, zh, en, synonyms }
}

/// Every dictionary, in a stable order.
pub fn all() -> &'static [&'static Dictionary] {
    &ALL
}

/// The dictionary with this key.
pub fn get(key: &str) -> Option<&'static Dictionary> {
    ALL.iter().copied().find(|d| d.key == key)
}

static ALL: [&Dictionary; 11] = [
    &GENDER,
    &ETHNICITY,
    &POLITICAL_STATUS,
    &EDUCATION_LEVEL,
    &DEGREE,
    &ID_DOCUMENT_TYPE,
    &MARITAL_STATUS,
    &FAMILY_RELATION,
    &EMPLOYMENT_TYPE,
    &QUOTA_CATEGORY,
    &CONTRACT_TYPE,
];

pub static GENDER: Dictionary = Dictionary {
    key: "gender",
    name_zh: "性别",
    name_en: "gender",
    standard: "GB/T 2261.1-2003",
    entries: &[
        e("0", "未知的性别", "unknown", &["未知"]),
        e("1", "男", "male", &["男性", "M", "man"]),
        e("2", "女", "female", &["女性", "F", "woman"]),
        e("9", "未说明的性别", "not stated", &["未说明", "保密"]),
    ],
};

/// Two-letter synonyms are the GB 3304 alphabetic codes and the extra Latin
/// ones its romanisations, both as commonly reproduced; the numeric codes are
/// the standard's and are what records store.
pub static ETHNICITY: Dictionary = Dictionary {
    key: "ethnicity",
    name_zh: "民族",
    name_en: "ethnic group",
    standard: "GB 3304-1991",
    entries: &[
        e("01", "汉族", "Han", &["汉", "HA", "Han Chinese"]),
        e("02", "蒙古族", "Mongolian", &["蒙古", "MG", "Mongol"]),
        e("03", "回族", "Hui", &["回", "HU"]),
        e("04", "藏族", "Tibetan", &["藏", "ZA", "Zang"]),
        e("05", "维吾尔族", "Uyghur", &["维吾尔", "UG", "Uygur"]),
        e("06", "苗族", "Miao", &["苗", "MH"]),
        e("07", "彝族", "Yi", &["彝", "YI"]),
        e("08", "壮族", "Zhuang", &["壮", "ZH"]),
        e("09", "布依族", "Bouyei", &["布依", "BY", "Buyei"]),
        e("10", "朝鲜族", "Korean", &["朝鲜", "CS", "Chosen"]),
        e("11", "满族", "Manchu", &["满", "MA", "Man"]),
        e("12", "侗族", "Dong", &["侗", "DO"]),
        e("13", "瑶族", "Yao", &["瑶", "YA"]),
        e("14", "白族", "Bai", &["白", "BA"]),
        e("15", "土家族", "Tujia", &["土家", "TJ"]),
        e("16", "哈尼族", "Hani", &["哈尼", "HN"]),
        e("17", "哈萨克族", "Kazakh", &["哈萨克", "KZ", "Kazak"]),
        e("18", "傣族", "Dai", &["傣", "DA"]),
        e("19", "黎族", "Li", &["黎", "LI"]),
        e("20", "傈僳族", "Lisu", &["傈僳", "LS"]),
        e("21", "佤族", "Va", &["佤", "VA"]),
        e("22", "畲族", "She", &["畲", "SH"]),
        e("23", "高山族", "Gaoshan", &["高山", "GS"]),
        e("24", "拉祜族", "Lahu", &["拉祜", "LH"]),
        e("25", "水族", "Shui", &["水", "SU", "Sui"]),
        e("26", "东乡族", "Dongxiang", &["东乡", "DX"]),
        e("27", "纳西族", "Naxi", &["纳西", "NX"]),
        e("28", "景颇族", "Jingpo", &["景颇", "JP"]),
        e("29", "柯尔克孜族", "Kyrgyz", &["柯尔克孜", "KG", "Kirgiz"]),
        e("30", "土族", "Tu", &["土", "TU"]),
        e("31", "达斡尔族", "Daur", &["达斡尔", "DU"]),
        e("32", "仫佬族", "Mulao", &["仫佬", "ML"]),
        e("33", "羌族", "Qiang", &["羌", "QI"]),
        e("34", "布朗族", "Blang", &["布朗", "BL"]),
        e("35", "撒拉族", "Salar", &["撒拉", "SL"]),
        e("36", "毛南族", "Maonan", &["毛南", "MN"]),
        e("37", "仡佬族", "Gelao", &["仡佬", "GL"]),
        e("38", "锡伯族", "Xibe", &["锡伯", "XB"]),
        e("39", "阿昌族", "Achang", &["阿昌", "AC"]),
        e("40", "普米族", "Pumi", &["普米", "PM"]),
        e("41", "塔吉克族", "Tajik", &["塔吉克", "TA"]),
        e("42", "怒族", "Nu", &["怒", "NU"]),
        e("43", "乌孜别克族", "Uzbek", &["乌孜别克", "UZ"]),
        e("44", "俄罗斯族", "Russian", &["俄罗斯", "RS", "Russ"]),
        e("45", "鄂温克族", "Evenki", &["鄂温克", "EW", "Ewenki"]),
        e("46", "德昂族", "De'ang", &["德昂", "DE", "Deang"]),
        e("47", "保安族", "Bonan", &["保安", "BN"]),
        e("48", "裕固族", "Yugur", &["裕固", "YG"]),
        e("49", "京族", "Gin", &["京", "GI"]),
        e("50", "塔塔尔族", "Tatar", &["塔塔尔", "TT"]),
        e("51", "独龙族", "Derung", &["独龙", "DR"]),
        e("52", "鄂伦春族", "Oroqen", &["鄂伦春", "OR"]),
        e("53", "赫哲族", "Hezhen", &["赫哲", "HZ"]),
        e("54", "门巴族", "Monba", &["门巴", "MB"]),
        e("55", "珞巴族", "Lhoba", &["珞巴", "LB"]),
        e("56", "基诺族", "Jino", &["基诺", "JN"]),
        e("97", "其他", "other", &["其他民族", "其它"]),
        e("98", "外国血统中国籍人士", "Chinese citizen of foreign origin", &["外国血统"]),
    ],
};

pub static POLITICAL_STATUS: Dictionary = Dictionary {
    key: "political_status",
    name_zh: "政治面貌",
    name_en: "political status",
    standard: "GB/T 4762-1984",
    entries: &[
        e("01", "中国共产党党员", "member of the Communist Party of China", &["中共党员", "共产党员", "党员"]),
        e(
            "02",
            "中国共产党预备党员",
            "probationary member of the Communist Party of China",
            &["中共预备党员", "预备党员"],
        ),
        e("03", "中国共产主义青年团团员", "member of the Communist Youth League of China", &["共青团员", "团员"]),
        e(
            "04",
            "中国国民党革命委员会会员",
            "member of the Revolutionary Committee of the Chinese Kuomintang",
            &["民革会员", "民革党员", "民革"],
        ),
        e("05", "中国民主同盟盟员", "member of the China Democratic League", &["民盟盟员", "民盟"]),
        e(
            "06",
            "中国民主建国会会员",
            "member of the China National Democratic Construction Association",
            &["民建会员", "民建"],
        ),
        e("07", "中国民主促进会会员", "member of the China Association for Promoting Democracy", &["民进会员", "民进"]),
        e(
            "08",
            "中国农工民主党党员",
            "member of the Chinese Peasants' and Workers' Democratic Party",
            &["农工党党员", "农工党"],
        ),
        e("09", "中国致公党党员", "member of the China Zhi Gong Party", &["致公党党员", "致公党"]),
        e("10", "九三学社社员", "member of the Jiusan Society", &["九三学社"]),
        e(
            "11",
            "台湾民主自治同盟盟员",
            "member of the Taiwan Democratic Self-Government League",
            &["台盟盟员", "台盟"],
        ),
        // The 1984 text says 无党派民主人士; current usage is 无党派人士.
        e("12", "无党派民主人士", "non-party personage", &["无党派人士", "无党派"]),
        e("13", "群众", "ordinary citizen", &["普通群众"]),
    ],
};

/// Top-level (two-digit, ending in 0) codes of GB/T 4658-2006; the detailed
/// codes (11 博士研究生毕业 …) fold into these. Labels are the short forms HR
/// forms use.
pub static EDUCATION_LEVEL: Dictionary = Dictionary {
    key: "education_level",
    name_zh: "学历",
    name_en: "education level",
    standard: "GB/T 4658-2006",
    entries: &[
        e("10", "研究生", "postgraduate", &["博士研究生", "硕士研究生", "博士", "硕士"]),
        e("20", "本科", "undergraduate", &["大学", "大学本科", "bachelor"]),
        e("30", "专科", "junior college", &["大专", "大学专科", "高职", "高职高专", "associate"]),
        // 2006 groups all secondary vocational schooling (中专, 职高, 技校) under 40.
        e(
            "40",
            "中专",
            "secondary vocational",
            &["中等专科", "中等专业学校", "中等职业教育", "职高", "职业高中", "技校", "技工学校"],
        ),
        e("60", "高中", "senior high school", &["普通高中", "普通高级中学", "高级中学"]),
        e("70", "初中", "junior high school", &["初级中学"]),
        e("80", "小学", "primary school", &[]),
        e("90", "其他", "other", &["其它"]),
    ],
};

/// GB/T 6864-2003 one-digit level codes (the three-digit codes add the
/// discipline). "0 无" is Bole's own: the standard has no code for "none".
pub static DEGREE: Dictionary = Dictionary {
    key: "degree",
    name_zh: "学位",
    name_en: "degree",
    standard: "GB/T 6864-2003",
    entries: &[
        e("1", "名誉博士", "honorary doctorate", &[]),
        e("2", "博士", "doctorate", &["博士学位", "PhD", "doctor"]),
        e("3", "硕士", "master's", &["硕士学位", "master"]),
        e("4", "学士", "bachelor's", &["学士学位", "bachelor"]),
        e("0", "无", "none", &["无学位"]),
    ],
};

/// 111, 414, 511 and 516 are GA/T 517-2004 常用证件代码. 553 for the foreign
/// permanent-resident card is how it is commonly coded but not confirmed
/// against the text; the 2018 港澳台居民居住证 postdates GA/T 517-2004, so
/// "990" is Bole's own code, outside the standard's ranges.
pub static ID_DOCUMENT_TYPE: Dictionary = Dictionary {
    key: "id_document_type",
    name_zh: "证件类型",
    name_en: "identity document type",
    standard: "GA/T 517-2004",
    entries: &[
        e("111", "居民身份证", "resident identity card", &["身份证", "二代身份证", "中华人民共和国居民身份证"]),
        e(
            "516",
            "港澳居民来往内地通行证",
            "Mainland Travel Permit for Hong Kong and Macao Residents",
            &["回乡证", "港澳居民往来内地通行证"],
        ),
        e(
            "511",
            "台湾居民来往大陆通行证",
            "Mainland Travel Permit for Taiwan Residents",
            &["台胞证", "台湾居民往来大陆通行证"],
        ),
        e(
            "990",
            "港澳台居民居住证",
            "Residence Permit for Hong Kong, Macao and Taiwan Residents",
            &["港澳居民居住证", "台湾居民居住证"],
        ),
        e("553", "外国人永久居留身份证", "Foreign Permanent Resident ID Card", &["外国人永久居留证", "永居证"]),
        e("414", "护照", "passport", &["普通护照", "中国护照", "外国护照"]),
    ],
};

pub static MARITAL_STATUS: Dictionary = Dictionary {
    key: "marital_status",
    name_zh: "婚姻状况",
    name_en: "marital status",
    standard: "GB/T 2261.2-2003",
    entries: &[
        e("10", "未婚", "never married", &[]),
        // 21 初婚 / 22 再婚 / 23 复婚 are the standard's detail codes under 20.
        e("20", "已婚", "married", &["初婚", "再婚", "复婚", "21", "22", "23"]),
        e("30", "丧偶", "widowed", &[]),
        e("40", "离婚", "divorced", &["离异"]),
        e("90", "未说明", "not stated", &["未说明的婚姻状况"]),
    ],
};

/// The main GB/T 4761-2008 codes. The standard has no separate "brother" or
/// "sister" code: 兄弟 and 姐妹 fold into 70 兄弟姐妹 unless the elder/younger
/// form is given.
pub static FAMILY_RELATION: Dictionary = Dictionary {
    key: "family_relation",
    name_zh: "家庭关系",
    name_en: "family relation",
    standard: "GB/T 4761-2008",
    entries: &[
        e("10", "配偶", "spouse", &["夫", "妻", "丈夫", "妻子", "爱人", "11", "12"]),
        e("20", "子", "son", &["儿子", "独生子", "长子", "次子"]),
        e("30", "女", "daughter", &["女儿", "独生女", "长女", "次女"]),
        e("51", "父亲", "father", &["父", "爸爸"]),
        e("52", "母亲", "mother", &["母", "妈妈"]),
        e("70", "兄弟姐妹", "sibling", &["兄弟", "姐妹", "兄妹", "姐弟"]),
        e("71", "兄", "elder brother", &["哥哥"]),
        e("73", "弟", "younger brother", &["弟弟"]),
        e("75", "姐姐", "elder sister", &["姐"]),
        e("77", "妹妹", "younger sister", &["妹"]),
        e("97", "其他亲属", "other relative", &["其他", "其它"]),
        e("99", "非亲属", "not a relative", &[]),
    ],
};

pub static EMPLOYMENT_TYPE: Dictionary = Dictionary {
    key: "employment_type",
    name_zh: "用工形式",
    name_en: "employment type",
    standard: "Bole",
    entries: &[
        e("full_time", "全职", "full-time", &["全日制", "全日制用工"]),
        e("part_time", "兼职", "part-time", &["非全日制", "非全日制用工"]),
        e("intern", "实习", "intern", &["实习生"]),
        e("dispatched", "劳务派遣", "dispatched worker", &["派遣"]),
        e("retiree_rehire", "退休返聘", "re-hired retiree", &["返聘"]),
    ],
};

pub static QUOTA_CATEGORY: Dictionary = Dictionary {
    key: "quota_category",
    name_zh: "编制类别",
    name_en: "headcount quota category",
    standard: "Bole",
    entries: &[
        e("administrative", "行政编制", "administrative establishment", &["行政编"]),
        e("public_institution", "事业编制", "public institution establishment", &["事业编"]),
        e("contract", "合同制", "contract (outside establishment)", &["编外", "合同工"]),
        e("other", "其他", "other", &["其它"]),
    ],
};

/// The three kinds of 劳动合同 in 《劳动合同法》 art. 12; the codes are Bole's.
pub static CONTRACT_TYPE: Dictionary = Dictionary {
    key: "contract_type",
    name_zh: "劳动合同期限类型",
    name_en: "contract term type",
    standard: "劳动合同法 第十二条",
    entries: &[
        e("fixed_term", "固定期限", "fixed term", &["固定期限劳动合同"]),
        e("open_ended", "无固定期限", "open-ended", &["无固定期限劳动合同"]),
        e("project", "以完成一定工作任务为期限", "until a task is completed", &["以完成一定工作任务为期限的劳动合同"]),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn code_of(dictionary: &Dictionary, input: &str) -> Option<&'static str> {
        dictionary.normalize(input).map(|e| e.code)
    }

    #[test]
    fn required_examples() {
        assert_eq!(code_of(&EDUCATION_LEVEL, "大学"), Some("20"));
        assert_eq!(EDUCATION_LEVEL.normalize("大学").map(|e| e.zh), Some("本科"));
        assert_eq!(code_of(&EDUCATION_LEVEL, "大专"), Some("30"));
        for input in ["男性", "M", "male", "1", "男", " m ", "MALE", "Ｍ", "１"] {
            assert_eq!(code_of(&GENDER, input), Some("1"), "{input}");
        }
        assert_eq!(code_of(&ETHNICITY, "汉"), Some("01"));
        assert_eq!(code_of(&POLITICAL_STATUS, "党员"), Some("01"));
        assert_eq!(code_of(&POLITICAL_STATUS, "团员"), Some("03"));
    }

    #[test]
    fn leading_zeros_lost_by_spreadsheets_still_match() {
        assert_eq!(code_of(&ETHNICITY, "1"), Some("01"));
        assert_eq!(code_of(&POLITICAL_STATUS, "13"), Some("13"));
        assert_eq!(code_of(&GENDER, "01"), Some("1"));
        assert_eq!(code_of(&ETHNICITY, "57"), None);
    }

    #[test]
    fn unknown_and_blank_inputs_match_nothing() {
        assert_eq!(EDUCATION_LEVEL.normalize(""), None);
        assert_eq!(EDUCATION_LEVEL.normalize("   "), None);
        assert_eq!(EDUCATION_LEVEL.normalize("幼儿园"), None);
        assert_eq!(GENDER.normalize("x"), None);
    }

    #[test]
    fn by_code_is_exact() {
        assert_eq!(ETHNICITY.by_code("01").map(|e| e.zh), Some("汉族"));
        assert_eq!(ETHNICITY.by_code("1"), None);
        assert_eq!(EDUCATION_LEVEL.by_code("本科"), None);
        assert_eq!(EMPLOYMENT_TYPE.by_code("retiree_rehire").map(|e| e.zh), Some("退休返聘"));
    }

    #[test]
    fn lookup_by_key() {
        assert_eq!(get("education_level").map(|d| d.standard), Some("GB/T 4658-2006"));
        assert_eq!(get("nope"), None);
        let keys: Vec<&str> = all().iter().map(|d| d.key).collect();
        assert_eq!(
            keys,
            [
                "gender",
                "ethnicity",
                "political_status",
                "education_level",
                "degree",
                "id_document_type",
                "marital_status",
                "family_relation",
                "employment_type",
                "quota_category",
                "contract_type",
            ]
        );
    }

    #[test]
    fn fifty_six_ethnic_groups() {
        let groups: Vec<&Entry> = ETHNICITY.entries.iter().filter(|e| e.code <= "56").collect();
        assert_eq!(groups.len(), 56);
        for (i, entry) in groups.iter().enumerate() {
            assert_eq!(entry.code, format!("{:02}", i + 1));
            assert!(entry.zh.ends_with('族'), "{}", entry.zh);
        }
        assert_eq!(ETHNICITY.by_code("56").map(|e| e.zh), Some("基诺族"));
        assert!(ETHNICITY.by_code("97").is_some() && ETHNICITY.by_code("98").is_some());
    }

    /// No spelling may name two entries of one dictionary, or normalisation
    /// would depend on entry order; and every spelling must find its own entry.
    #[test]
    fn spellings_are_unambiguous_within_each_dictionary() {
        let mut keys = HashSet::new();
        for dictionary in all() {
            assert!(keys.insert(dictionary.key), "duplicate key {}", dictionary.key);
            assert!(!dictionary.entries.is_empty(), "{}", dictionary.key);
            let mut codes = HashSet::new();
            let mut owner: HashMap<String, &str> = HashMap::new();
            let mut numeric_owner: HashMap<&str, &str> = HashMap::new();
            for entry in dictionary.entries {
                assert!(codes.insert(entry.code), "{}: duplicate code {}", dictionary.key, entry.code);
                if let Some(key) = numeric_key(entry.code) {
                    let previous = numeric_owner.insert(key, entry.code);
                    assert!(previous.is_none(), "{}: {} collides without zeros", dictionary.key, entry.code);
                }
                for spelling in entry.spellings() {
                    let folded = fold(spelling);
                    assert!(!folded.is_empty(), "{}: blank spelling", dictionary.key);
                    if let Some(other) = owner.insert(folded.clone(), entry.code) {
                        assert_eq!(
                            other, entry.code,
                            "{}: \"{spelling}\" names {other} and {}",
                            dictionary.key, entry.code
                        );
                    }
                    assert_eq!(
                        dictionary.normalize(spelling).map(|e| e.code),
                        Some(entry.code),
                        "{}: {spelling}",
                        dictionary.key
                    );
                }
            }
        }
    }

    #[test]
    fn dictionaries_serialize() {
        let json = serde_json::to_value(&GENDER).unwrap();
        assert_eq!(json["key"], "gender");
        assert_eq!(json["entries"][1]["zh"], "男");
        assert_eq!(json["entries"][1]["synonyms"][0], "男性");
    }
}
