//! PDF payslips (工资条) with Chinese text: [`PdfPayslips`] implements
//! [`bole_payroll::PayslipRenderer`] with printpdf and a CJK font installed on the system
//! (WenQuanYi Micro Hei, Zen Hei or Noto Sans CJK SC). The font is parsed once; each PDF embeds
//! only the glyphs it uses (printpdf's `text_layout` subsetting), so a payslip is ~10–20 KB.
//!
//! Layout is drawn by hand (A4 portrait, mm from the bottom-left corner as PDF counts): header,
//! a two-column table of earnings and deductions with right-aligned amounts, the emphasised
//! totals, the month's IIT working in small type, and the confidentiality footer. Long payslips
//! continue on further pages.

use bole_payroll::iit::WithholdingRule;
use bole_payroll::money::round_fen;
use bole_payroll::{ComponentCategory, ComponentKind, PayLine, PayrollError, PayslipRenderer, PayslipView};
use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, TextItem, TextRenderingMode,
};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// Where Debian/Ubuntu packages put CJK fonts, in order of preference, with the face index inside
/// the collection. Noto's collection holds JP, KR, SC, TC, HK in that order: SC is face 2.
pub const WELL_KNOWN_FONTS: &[(&str, usize)] = &[
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", 0),
];

/// Characters a usable font must have: some CJK-only fonts (fonts-droid-fallback) lack Latin
/// digits, and amounts would silently vanish from the PDF.
const REQUIRED_CHARS: &str = "工资条实发合计0123456789.,%";

/// Renders payslips as PDFs with one CJK font.
pub struct PdfPayslips {
    font: ParsedFont,
    path: PathBuf,
}

impl std::fmt::Debug for PdfPayslips {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfPayslips").field("font", &self.path).finish_non_exhaustive()
    }
}

impl PdfPayslips {
    /// The first usable font of [`WELL_KNOWN_FONTS`]; `PdfUnavailable` when none is installed
    /// (on Debian: `apt-get install fonts-wqy-microhei`).
    pub fn discover() -> Result<Self, PayrollError> {
        for (path, index) in WELL_KNOWN_FONTS {
            if Path::new(path).is_file()
                && let Ok(found) = Self::from_font(path, *index)
            {
                return Ok(found);
            }
        }
        Err(PayrollError::PdfUnavailable(format!(
            "no CJK font found (looked for {}); install fonts-wqy-microhei",
            WELL_KNOWN_FONTS.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(", ")
        )))
    }

    /// A given font file (`.ttf`, `.otf`, or face `index` of a `.ttc` collection).
    pub fn from_font(path: impl AsRef<Path>, index: usize) -> Result<Self, PayrollError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| PayrollError::PdfUnavailable(format!("cannot read font {}: {e}", path.display())))?;
        let font = ParsedFont::from_bytes(&bytes, index, &mut Vec::new()).ok_or_else(|| {
            PayrollError::PdfUnavailable(format!("{} (face {index}) is not a usable font", path.display()))
        })?;
        if let Some(c) = REQUIRED_CHARS.chars().find(|c| font.lookup_glyph_index(u32::from(*c)).is_none()) {
            return Err(PayrollError::PdfUnavailable(format!(
                "{} (face {index}) lacks the glyph {c:?}",
                path.display()
            )));
        }
        Ok(PdfPayslips { font, path: path.to_path_buf() })
    }

    /// The font file in use.
    pub fn font_path(&self) -> &Path {
        &self.path
    }
}

impl PayslipRenderer for PdfPayslips {
    fn render(&self, slip: &PayslipView) -> Result<Vec<u8>, PayrollError> {
        let mut doc = PdfDocument::new(&format!("工资条 {}", slip.period));
        let font_id = doc.add_font(&self.font);
        let mut canvas = Canvas::new(&self.font, font_id);
        draw_payslip(&mut canvas, slip);
        let pages = canvas.finish();
        let bytes = doc.with_pages(pages).save(&PdfSaveOptions::default(), &mut Vec::new());
        Ok(bytes)
    }
}

// ---------------------------------------------------------------------------------------------
// Layout

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 18.0;
const LEFT: f32 = MARGIN;
const RIGHT: f32 = PAGE_W - MARGIN;
/// The two table columns: earnings on the left half, deductions on the right half.
const MID: f32 = PAGE_W / 2.0;
const GUTTER: f32 = 4.0;
/// Space kept free at the bottom of every page for the footer.
const BOTTOM: f32 = MARGIN + 10.0;

const FOOTER: &str = "本工资条仅供本人查阅";

fn draw_payslip(c: &mut Canvas<'_>, slip: &PayslipView) {
    let p = &slip.payslip;

    // Header.
    c.down(10.0);
    let company = slip.company_name.as_deref().unwrap_or("");
    if !company.is_empty() {
        c.text_center(MID, 14.0, company, Style::BOLD);
        c.down(9.0);
    }
    c.text_center(MID, 16.0, &format!("工资条 {}", period_zh(&slip.period)), Style::BOLD);
    c.down(10.0);
    let dept = slip.org_unit_name.as_deref().unwrap_or("—");
    c.text(LEFT, 9.5, &format!("工号：{}", slip.employee_no), Style::PLAIN);
    c.text(LEFT + 50.0, 9.5, &format!("姓名：{}", slip.employee_name), Style::PLAIN);
    c.text(LEFT + 105.0, 9.5, &format!("部门：{dept}"), Style::PLAIN);
    c.down(6.0);
    c.text(LEFT, 9.5, &format!("发薪日：{}", slip.pay_date.format("%Y-%m-%d")), Style::PLAIN);
    c.text(LEFT + 50.0, 9.5, &format!("所属期间：{}", slip.period), Style::PLAIN);
    c.down(4.0);
    c.rule(LEFT, RIGHT, 0.8, 0.0);

    // The two-column table.
    c.down(6.5);
    c.text(LEFT, 10.0, "应发项目", Style::BOLD);
    c.text_right(MID - GUTTER, 10.0, "金额（元）", Style::BOLD);
    c.text(MID + GUTTER, 10.0, "扣除项目", Style::BOLD);
    c.text_right(RIGHT, 10.0, "金额（元）", Style::BOLD);
    c.down(2.5);
    c.rule(LEFT, RIGHT, 0.4, 0.0);

    let earnings: Vec<&PayLine> = p.lines.iter().filter(|l| l.kind == ComponentKind::Earning).collect();
    let deductions = deduction_lines(&p.lines);
    let rows = earnings.len().max(deductions.len());
    for i in 0..rows {
        c.row(6.0);
        if let Some(l) = earnings.get(i) {
            c.text(LEFT, 9.5, &l.name, Style::PLAIN);
            c.text_right(MID - GUTTER, 9.5, &money(l.amount), Style::PLAIN);
        }
        if let Some(l) = deductions.get(i) {
            c.text(MID + GUTTER, 9.5, &l.name, Style::PLAIN);
            c.text_right(RIGHT, 9.5, &money(l.amount), Style::PLAIN);
        }
        c.down(2.0);
        c.rule(LEFT, RIGHT, 0.2, 0.75);
    }

    // Totals, emphasised.
    c.row(4.0);
    c.rule(LEFT, RIGHT, 0.4, 0.0);
    let totals = [
        ("应发合计", p.gross, 10.5),
        ("社保公积金个人部分", p.employee_si + p.employee_hf, 10.5),
        ("个人所得税", p.iit, 10.5),
    ];
    for (label, amount, size) in totals {
        c.row(6.5);
        c.text(LEFT, size, label, Style::BOLD);
        c.text_right(RIGHT, size, &money(amount), Style::BOLD);
    }
    if !p.other_deductions.is_zero() {
        c.row(6.5);
        c.text(LEFT, 10.5, "其他扣款", Style::PLAIN);
        c.text_right(RIGHT, 10.5, &money(p.other_deductions), Style::PLAIN);
    }
    c.row(8.0);
    c.text(LEFT, 13.0, "实发合计", Style::BOLD);
    c.text_right(RIGHT, 13.0, &money(p.net), Style::BOLD);
    c.down(3.0);
    c.rule(LEFT, RIGHT, 0.8, 0.0);

    // Figures that move no money (计薪天数 and the like).
    let info: Vec<&PayLine> = p.lines.iter().filter(|l| l.kind == ComponentKind::Info).collect();
    if !info.is_empty() {
        c.row(6.0);
        let text = info.iter().map(|l| format!("{}：{}", l.name, l.amount.normalize())).collect::<Vec<_>>().join("　");
        c.text(LEFT, 8.0, &text, Style::GREY);
    }

    // The IIT working, small.
    let t = &p.tax;
    c.row(9.0);
    c.text(LEFT, 9.0, "个人所得税计算（累计预扣法）", Style::BOLD);
    let mut working: Vec<(String, String)> = vec![
        ("累计收入".into(), money(t.cumulative_income)),
        ("累计免税收入".into(), money(t.cumulative_exempt)),
        ("累计减除费用".into(), money(t.cumulative_basic_deduction)),
        ("累计专项扣除".into(), money(t.cumulative_special)),
        ("累计专项附加扣除".into(), money(t.cumulative_additional)),
        ("累计其他扣除".into(), money(t.cumulative_other)),
        ("累计应纳税所得额".into(), money(t.cumulative_taxable)),
        ("税率 / 速算扣除数".into(), format!("{} / {}", percent(t.rate), money(t.quick_deduction))),
        ("累计应纳税额".into(), money(t.cumulative_tax)),
        ("已预缴".into(), money(t.withheld_before)),
        ("本期预扣".into(), money(t.withhold)),
    ];
    if let (Some(bonus), Some(tax)) = (t.annual_bonus, t.annual_bonus_tax) {
        working.push(("全年一次性奖金（单独计税）".into(), money(bonus)));
        working.push(("全年一次性奖金应纳税额".into(), money(tax)));
    }
    if let Some(rule) = t.rule.filter(|r| *r != WithholdingRule::Standard) {
        let label = match rule {
            WithholdingRule::FirstJob2020_13 => "2020年第13号公告（首次取得工资）",
            WithholdingRule::PriorYearLe60000_2020_19 => "2020年第19号公告（上年收入不超过6万元）",
            WithholdingRule::Standard => "",
        };
        working.push(("减除费用规则".into(), label.into()));
    }
    for pair in working.chunks(2) {
        c.row(5.0);
        for (k, (label, value)) in pair.iter().enumerate() {
            let (x0, x1) = if k == 0 { (LEFT, MID - GUTTER) } else { (MID + GUTTER, RIGHT) };
            c.text(x0, 8.0, label, Style::GREY);
            c.text_right(x1, 8.0, value, Style::GREY);
        }
    }
}

/// The right column, in the order pay is reduced: pre-tax deductions, SI/HF (employee part),
/// IIT, then after-tax deductions.
fn deduction_lines(lines: &[PayLine]) -> Vec<&PayLine> {
    let is_si = |l: &PayLine| matches!(l.category, ComponentCategory::SocialInsurance | ComponentCategory::HousingFund);
    let rank = |l: &PayLine| -> Option<u8> {
        match l.kind {
            ComponentKind::Earning | ComponentKind::EmployerCost | ComponentKind::Info => None,
            _ if l.category == ComponentCategory::Tax => Some(2),
            _ if is_si(l) => Some(1),
            ComponentKind::PreTaxDeduction => Some(0),
            ComponentKind::Deduction => Some(3),
        }
    };
    let mut out: Vec<(u8, &PayLine)> = lines.iter().filter_map(|l| rank(l).map(|r| (r, l))).collect();
    out.sort_by_key(|(r, _)| *r); // stable: keeps the payslip's order inside a group
    out.into_iter().map(|(_, l)| l).collect()
}

/// "2026-02" → "2026年02月".
fn period_zh(period: &str) -> String {
    match period.split_once('-') {
        Some((y, m)) => format!("{y}年{m}月"),
        None => period.to_string(),
    }
}

/// 30000 → "30,000.00": the fen-rounded amount with thousands separators.
fn money(d: Decimal) -> String {
    let s = format!("{:.2}", round_fen(d));
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |rest| ("-", rest));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{frac}")
}

/// 0.03 → "3%".
fn percent(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

// ---------------------------------------------------------------------------------------------
// Drawing

#[derive(Clone, Copy)]
struct Style {
    bold: bool,
    grey: bool,
}

impl Style {
    const PLAIN: Style = Style { bold: false, grey: false };
    const BOLD: Style = Style { bold: true, grey: false };
    const GREY: Style = Style { bold: false, grey: true };
}

/// A cursor over pages: `y` is the current baseline in mm from the bottom edge.
struct Canvas<'a> {
    font: &'a ParsedFont,
    font_id: FontId,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
}

impl<'a> Canvas<'a> {
    fn new(font: &'a ParsedFont, font_id: FontId) -> Self {
        Canvas { font, font_id, pages: Vec::new(), ops: Vec::new(), y: PAGE_H - MARGIN }
    }

    /// Move the baseline down.
    fn down(&mut self, mm: f32) {
        self.y -= mm;
    }

    /// Move down one row of `mm`, starting a new page when the row would cross the footer area.
    fn row(&mut self, mm: f32) {
        if self.y - mm < BOTTOM {
            self.new_page();
        }
        self.y -= mm;
    }

    fn new_page(&mut self) {
        self.footer();
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = PAGE_H - MARGIN - 4.0;
    }

    fn footer(&mut self) {
        let y = self.y;
        self.y = MARGIN;
        self.text_center(MID, 8.0, FOOTER, Style::GREY);
        self.y = y;
    }

    fn finish(mut self) -> Vec<PdfPage> {
        self.footer();
        self.pages.push(std::mem::take(&mut self.ops));
        self.pages.into_iter().map(|ops| PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), ops)).collect()
    }

    /// Advance width of `s` at `size` points, in mm.
    fn width(&self, s: &str, size: f32) -> f32 {
        let upem = f32::from(self.font.font_metrics.units_per_em.max(1));
        let units: f32 = s
            .chars()
            .map(|ch| match self.font.lookup_glyph_index(u32::from(ch)) {
                Some(gid) => f32::from(self.font.get_horizontal_advance(gid)),
                None => upem / 2.0,
            })
            .sum();
        units / upem * size * 25.4 / 72.0
    }

    fn text(&mut self, x: f32, size: f32, s: &str, style: Style) {
        let grey = if style.grey { 0.35 } else { 0.0 };
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFont { font: PdfFontHandle::External(self.font_id.clone()), size: Pt(size) });
        self.ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale { percent: grey, icc_profile: None }) });
        if style.bold {
            // The CJK fonts ship one weight: stroking the glyph outline as well as filling it is
            // the usual synthetic bold.
            self.ops
                .push(Op::SetOutlineColor { col: Color::Greyscale(Greyscale { percent: grey, icc_profile: None }) });
            self.ops.push(Op::SetOutlineThickness { pt: Pt(size * 0.04) });
            self.ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::FillStroke });
        } else {
            self.ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::Fill });
        }
        self.ops.push(Op::SetTextCursor { pos: Point::new(Mm(x), Mm(self.y)) });
        self.ops.push(Op::ShowText { items: vec![TextItem::Text(s.to_string())] });
        self.ops.push(Op::EndTextSection);
    }

    fn text_right(&mut self, right: f32, size: f32, s: &str, style: Style) {
        let w = self.width(s, size);
        self.text(right - w, size, s, style);
    }

    fn text_center(&mut self, center: f32, size: f32, s: &str, style: Style) {
        let w = self.width(s, size);
        self.text(center - w / 2.0, size, s, style);
    }

    /// A horizontal rule `thickness` pt thick, `grey` 0 (black) to 1 (white), at the baseline.
    fn rule(&mut self, x0: f32, x1: f32, thickness: f32, grey: f32) {
        let point = |x: f32, y: f32| LinePoint { p: Point::new(Mm(x), Mm(y)), bezier: false };
        self.ops.push(Op::SetOutlineColor { col: Color::Greyscale(Greyscale { percent: grey, icc_profile: None }) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        self.ops
            .push(Op::DrawLine { line: Line { points: vec![point(x0, self.y), point(x1, self.y)], is_closed: false } });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_groups_thousands_and_keeps_two_decimals() {
        let d = |s: &str| Decimal::from_str(s).unwrap_or_default();
        assert_eq!(money(d("30000")), "30,000.00");
        assert_eq!(money(d("1234567.891")), "1,234,567.89");
        assert_eq!(money(d("999.995")), "1,000.00");
        assert_eq!(money(d("-1234.5")), "-1,234.50");
        assert_eq!(money(d("0")), "0.00");
        assert_eq!(percent(d("0.03")), "3%");
        assert_eq!(percent(d("0.45")), "45%");
        assert_eq!(period_zh("2026-02"), "2026年02月");
    }
}
