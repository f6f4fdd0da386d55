//! Charts for people (issue "What a person looks at"): SVG drawn with plotters' SVG
//! backend, which writes tier names and numbers as real `<text>` and needs no system
//! font or library. Behind the default-on `charts` feature.
//!
//! - Titles, axes and legends are in the reader's [`Lang`]; label names come through a
//!   closure so that a caller can show them in any language
//!   ([`FittedPipeline::display_name`](crate::FittedPipeline::display_name)); files keep
//!   their keys.
//! - Numbers are written as people read them ([`report::number`](crate::report::number)):
//!   `33,324.65`, `1,204`, shares as `21.8%`. Money is grouped from the exact decimal;
//!   bar lengths alone go through a float.
//! - Colours are Okabe and Ito's palette for colour-blind readers, whose hues stay
//!   apart under every common colour-vision deficiency; text on a shaded cell is black or
//!   white, whichever contrasts more.
//! - Text is UTF-8 `<text>` in a font-family list that names the usual CJK fonts of
//!   macOS, Windows and Linux for the language, then `sans-serif`; the root `<svg>`
//!   carries the language (`lang`, `xml:lang`), so that a browser picks Traditional or
//!   Simplified glyphs for unified Han characters, and a `<title>`.
//! - Every chart is drawn from aggregates: its cost does not grow with the customers,
//!   but for the heat map's one pass over the label codes.
//!
//! # Example
//! ```
//! use customer_tiering::charts::pyramid_svg;
//! use customer_tiering::classify::pareto::ParetoParams;
//! use customer_tiering::names::Lang;
//! use customer_tiering::report::Summary;
//! use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! for i in 1..=100i64 {
//!     b.add(Transaction::new(CustomerId::new(&format!("C{i:03}")).unwrap(), date(2026, 3, 1), (i * 100).into()))?;
//! }
//! let population = b.finish()?;
//! let (fitted, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
//! let summary = Summary::new(&population, &tiering)?;
//! let order = &fitted.label_orders()["metal"];
//! // The same chart in Simplified Chinese: the names are real text in the SVG.
//! let lang = Lang::ZhHans;
//! let svg = pyramid_svg(&summary, "metal", order, lang, |l| fitted.display_name("metal", l, lang))?;
//! // plotters writes each text on a line of its own
//! let texts: Vec<&str> = svg.lines().filter(|l| !l.starts_with('<')).collect();
//! assert!(texts.contains(&"白金顾客") && !texts.contains(&"platinum"));
//! assert!(texts.contains(&"金属层级：客户数与营收"));
//! assert!(texts.contains(&"共 100 位客户 · 营收 505,000")); // grouped digits
//! assert!(svg.contains(r##"fill="#0072B2""##)); // Okabe–Ito blue for customers
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::collections::{BTreeMap, HashMap};

use foldhash::fast::FixedState;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use unicode_width::UnicodeWidthChar;

use crate::classify::Label;
use crate::error::Error;
use crate::migration::{ABSENT, ColumnMigration};
use crate::names::Lang;
use crate::pipeline::Tiering;
use crate::report::Summary;
use crate::report::number::{count, money, percent};

/// The charts' colours, in one place: Okabe and Ito's colour-blind-safe palette
/// ("Color Universal Design", 2008) for what the colours tell apart, near-black and
/// greys for text. A report that sits beside the charts can take the same values.
pub(crate) mod palette {
    use plotters::style::RGBColor;

    /// Okabe–Ito blue: customers, the heat map's shade, who stayed in a migration.
    pub(crate) const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Okabe–Ito orange: revenue.
    pub(crate) const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Okabe–Ito vermillion: who moved, came or went in a migration (apart from blue
    /// for every common colour-vision deficiency).
    pub(crate) const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Text: near-black, 17:1 on white.
    pub(crate) const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
    /// Subtitles and notes: 7:1 on white (WCAG AAA).
    pub(crate) const MUTED: RGBColor = RGBColor(0x59, 0x59, 0x59);
    /// The track behind a bar: where 100% would end.
    pub(crate) const TRACK: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);
    /// The paper.
    pub(crate) const PAPER: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
}

use palette::{BLUE, INK, MUTED, ORANGE, PAPER, TRACK, VERMILLION};

/// Font sizes as plotters takes them: the SVG backend writes `size / 1.24` as the
/// `font-size`, so these give whole pixels (18, 14, 12).
const TITLE: f64 = 22.32;
const BODY: f64 = 17.36;
const SMALL: f64 = 14.88;
/// The same sizes in pixels, for estimating text widths.
const TITLE_PX: f64 = 18.0;
const BODY_PX: f64 = 14.0;
const SMALL_PX: f64 = 12.0;

/// The font-family list of a language's charts: the usual fonts of macOS, Windows and
/// Linux that hold its script, then the generic `sans-serif`.
fn font(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "'Helvetica Neue', Arial, 'Noto Sans', 'Liberation Sans', sans-serif",
        Lang::ZhHant => {
            "'PingFang TC', 'Microsoft JhengHei', 'Noto Sans CJK TC', 'Noto Sans TC', 'Source Han Sans TC', sans-serif"
        }
        Lang::ZhHans => {
            "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif"
        }
    }
}

/// The words of the charts in one language; `{…}` marks what is filled in.
struct Words {
    bars_title: &'static str,
    bars_subtitle: &'static str,
    customers: &'static str,
    revenue: &'static str,
    /// Around a share after its figure: `1,204 (21.8%)`, `1,204（21.8%）`.
    open: &'static str,
    close: &'static str,
    more: &'static str,
    heat_title: &'static str,
    heat_subtitle: &'static str,
    recency_axis: &'static str,
    frequency_axis: &'static str,
    migration_title: &'static str,
    migration_subtitle: &'static str,
    earlier: &'static str,
    later: &'static str,
    stayed: &'static str,
    moved: &'static str,
}

fn words(lang: Lang) -> &'static Words {
    const EN: Words = Words {
        bars_title: "{column}: customers and revenue",
        bars_subtitle: "{customers} customers · revenue {revenue}",
        customers: "Customers (share)",
        revenue: "Revenue (share)",
        open: " (",
        close: ")",
        more: "… and {n} more labels, not drawn",
        heat_title: "R × F: customers and most common segment per cell",
        heat_subtitle: "{customers} customers with both scores · darker cells hold more customers",
        recency_axis: "Recency score R ({k} = most recent)",
        frequency_axis: "Frequency score F ({k} = most frequent)",
        migration_title: "{column}: from the earlier period (rows) to the later (columns)",
        migration_subtitle: "{customers} customers · {stayed} stayed · {moved} moved, new or gone",
        earlier: "Earlier ↓",
        later: "Later →",
        stayed: "Stayed",
        moved: "Moved, new or gone",
    };
    const ZH_HANT: Words = Words {
        bars_title: "{column}：客戶數與營收",
        bars_subtitle: "共 {customers} 位客戶 · 營收 {revenue}",
        customers: "客戶數（佔比）",
        revenue: "營收（佔比）",
        open: "（",
        close: "）",
        more: "……另有 {n} 個標籤未繪出",
        heat_title: "R × F：各格客戶數與最常見分群",
        heat_subtitle: "兩項分數皆有的客戶共 {customers} 位 · 顏色越深，客戶越多",
        recency_axis: "最近購買分數 R（{k} = 最近）",
        frequency_axis: "購買頻率分數 F（{k} = 最頻繁）",
        migration_title: "{column}：由前期（列）到本期（欄）",
        migration_subtitle: "共 {customers} 位客戶 · {stayed} 位留在原級 · {moved} 位升降、新進或流失",
        earlier: "前期 ↓",
        later: "本期 →",
        stayed: "留在原級",
        moved: "升降、新進或流失",
    };
    const ZH_HANS: Words = Words {
        bars_title: "{column}：客户数与营收",
        bars_subtitle: "共 {customers} 位客户 · 营收 {revenue}",
        customers: "客户数（占比）",
        revenue: "营收（占比）",
        open: "（",
        close: "）",
        more: "……另有 {n} 个标签未绘出",
        heat_title: "R × F：各格客户数与最常见分群",
        heat_subtitle: "两项分数都有的客户共 {customers} 位 · 颜色越深，客户越多",
        recency_axis: "最近购买分数 R（{k} = 最近）",
        frequency_axis: "购买频率分数 F（{k} = 最频繁）",
        migration_title: "{column}：由前期（行）到本期（列）",
        migration_subtitle: "共 {customers} 位客户 · {stayed} 位留在原级 · {moved} 位升降、新进或流失",
        earlier: "前期 ↓",
        later: "本期 →",
        stayed: "留在原级",
        moved: "升降、新进或流失",
    };
    match lang {
        Lang::En => &EN,
        Lang::ZhHant => &ZH_HANT,
        Lang::ZhHans => &ZH_HANS,
    }
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
}

/// The width of `text` at `px` pixels, estimated without a font: a wide (CJK)
/// character is one em, any other about 0.6 em (digits and Latin letters of a sans).
fn text_width(text: &str, px: f64) -> i32 {
    let ems: f64 = text
        .chars()
        .map(|c| match c.width() {
            Some(2) => 1.0,
            Some(0) | None => 0.0,
            _ => 0.6,
        })
        .sum();
    (ems * px).ceil() as i32
}

/// `text` in lines no wider than `width` at `px`: broken at spaces, and between wide
/// characters; a word wider than the line stays whole. At most two lines, the second
/// ending in `…` when more would follow.
fn wrap(text: &str, px: f64, width: i32) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    for word in text.split(' ') {
        if word.chars().any(|c| c.width() == Some(2)) {
            pieces.extend(word.chars().map(String::from));
        } else {
            pieces.push(format!("{word} "));
        }
    }
    let mut lines: Vec<String> = vec![String::new()];
    for piece in pieces {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty()
            && text_width(line.trim_end(), px) + text_width(piece.trim_end(), px) > width
        {
            lines.push(piece);
        } else {
            line.push_str(&piece);
        }
    }
    let mut lines: Vec<String> = lines.iter().map(|l| l.trim_end().to_string()).collect();
    if lines.len() > 2 {
        lines.truncate(2);
        lines[1].push('…');
    }
    lines
}

/// `a` laid over white with opacity `t` (0 to 1), as an opaque colour: cells are
/// written with a plain fill, so that their text colour can be chosen for contrast.
fn tint(color: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * t).round() as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

/// WCAG relative luminance.
fn luminance(color: RGBColor) -> f64 {
    let linear = |c: u8| {
        let s = f64::from(c) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(color.0) + 0.7152 * linear(color.1) + 0.0722 * linear(color.2)
}

/// The text colour on a shaded cell: black or white, whichever contrasts more. Pure
/// black rather than [`INK`]: on a mid-tone only it keeps 4.5:1 (WCAG AA).
fn ink_on(background: RGBColor) -> RGBColor {
    let l = luminance(background);
    let on_dark = (1.0 + 0.05) / (l + 0.05);
    let on_light = (l + 0.05) / 0.05;
    if on_light >= on_dark { BLACK } else { PAPER }
}

/// A text style: `family` at a plotters `size`, in `color`, anchored at `anchor`.
fn style(
    family: &'static str,
    size: f64,
    color: RGBColor,
    anchor: (HPos, VPos),
) -> TextStyle<'static> {
    TextStyle {
        font: FontDesc::new(FontFamily::Name(family), size, FontStyle::Normal),
        color: color.to_backend_color(),
        pos: Pos::new(anchor.0, anchor.1),
    }
}

const LEFT_TOP: (HPos, VPos) = (HPos::Left, VPos::Top);
const LEFT_MIDDLE: (HPos, VPos) = (HPos::Left, VPos::Center);

/// A chart being drawn: the drawing area, the language's font and how an error of the
/// backend is told.
struct Canvas<'a> {
    root: DrawingArea<SVGBackend<'a>, plotters::coord::Shift>,
    family: &'static str,
    chart: &'static str,
}

impl Canvas<'_> {
    fn error(&self) -> impl Fn(DrawingAreaErrorKind<std::io::Error>) -> Error + use<> {
        let chart = self.chart;
        move |e| Error::Chart {
            chart,
            reason: e.to_string(),
        }
    }

    fn text(
        &self,
        text: &str,
        at: (i32, i32),
        size: f64,
        color: RGBColor,
        anchor: (HPos, VPos),
    ) -> Result<(), Error> {
        let style = style(self.family, size, color, anchor);
        self.root
            .draw(&Text::new(text.to_string(), at, style))
            .map_err(self.error())
    }

    fn bold(&self, text: &str, at: (i32, i32), size: f64, color: RGBColor) -> Result<(), Error> {
        let font = FontDesc::new(FontFamily::Name(self.family), size, FontStyle::Bold);
        let style = TextStyle::from(font)
            .color(&color)
            .pos(Pos::new(HPos::Left, VPos::Top));
        self.root
            .draw(&Text::new(text.to_string(), at, style))
            .map_err(self.error())
    }

    fn rect(&self, from: (i32, i32), to: (i32, i32), color: RGBColor) -> Result<(), Error> {
        self.root
            .draw(&Rectangle::new([from, to], color.filled()))
            .map_err(self.error())
    }

    /// The title and, under it, a subtitle.
    fn heading(&self, title: &str, subtitle: &str) -> Result<(), Error> {
        self.bold(title, (16, 14), TITLE, INK)?;
        self.text(subtitle, (16, 42), SMALL, MUTED, LEFT_TOP)
    }
}

/// Draws a chart of `size` with `draw`, then gives the root element its language and a
/// `<title>` (which plotters does not write).
fn draw_svg(
    chart: &'static str,
    size: (u32, u32),
    lang: Lang,
    title: &str,
    draw: impl FnOnce(&Canvas<'_>) -> Result<(), Error>,
) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let canvas = Canvas {
            root: SVGBackend::with_string(&mut svg, size).into_drawing_area(),
            family: font(lang),
            chart,
        };
        canvas.root.fill(&PAPER).map_err(canvas.error())?;
        draw(&canvas)?;
        canvas.root.present().map_err(canvas.error())?;
    }
    let Some(end) = svg.find(">\n") else {
        return Err(Error::Chart {
            chart,
            reason: "the backend wrote no <svg> element".into(),
        });
    };
    let escaped = crate::report::escape(title);
    svg.insert_str(end + 2, &format!("<title>{escaped}</title>\n"));
    svg.insert_str(end, &format!(" lang=\"{lang}\" xml:lang=\"{lang}\""));
    Ok(svg)
}

/// At most this many bars: a column of more labels (a rule set's free names) shows its
/// first ones and says how many more there are.
const MAX_BARS: usize = 60;
/// The longest bar.
const BAR: i32 = 180;

/// Customers and revenue per label of one classifier column: the customer pyramid of
/// `metal`, and the same chart of any other column (`r`, `rfm_segment`, `lifecycle`,
/// a rule set's `tier` …). A row per label of `order` (best first: on top), then any
/// label the summary has beyond it (the unscored) by customers; per row a bar of its
/// customers and one of its revenue, each with its figure and share written beside it
/// (`1,204 (21.8%)`, `33,324.65 (45.2%)`). Titles and legends in `lang`, label names
/// from `name`. Drawn from the summary alone.
///
/// # Errors
/// [`Error::Chart`] if drawing fails.
///
/// # Example
/// ```
/// use customer_tiering::charts::pyramid_svg;
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::names::Lang;
/// use customer_tiering::report::Summary;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// for i in 1..=20i64 {
///     b.add(Transaction::new(CustomerId::new(&format!("C{i}")).unwrap(), date(2026, 3, 1), (i * 1000).into()))?;
/// }
/// let population = b.finish()?;
/// let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
/// let summary = Summary::new(&population, &tiering)?;
/// let order = ["platinum", "gold", "iron", "lead"].map(String::from);
/// let svg = pyramid_svg(&summary, "metal", &order, Lang::En, |l| l.to_string())?;
/// let texts: Vec<&str> = svg.lines().filter(|l| !l.starts_with('<')).collect();
/// assert!(texts.contains(&"platinum") && texts.contains(&"Metal tier: customers and revenue"));
/// let platinum = &summary.labels["metal"]["platinum"];
/// assert_eq!(platinum.revenue.to_string(), "20000"); // of 210,000
/// assert!(texts.contains(&"20,000 (9.5%)"), "{texts:?}");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn pyramid_svg(
    summary: &Summary,
    column: &str,
    order: &[String],
    lang: Lang,
    name: impl Fn(&str) -> String,
) -> Result<String, Error> {
    let words = words(lang);
    let empty = BTreeMap::new();
    let figures = summary.labels.get(column).unwrap_or(&empty);
    let mut labels: Vec<&str> = order.iter().map(String::as_str).collect();
    let mut rest: Vec<(&String, u64)> = figures
        .iter()
        .filter(|(label, _)| !order.contains(label))
        .map(|(label, f)| (label, f.customers))
        .collect();
    rest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    labels.extend(rest.iter().map(|(label, _)| label.as_str()));
    let hidden = labels.len().saturating_sub(MAX_BARS);
    labels.truncate(MAX_BARS);

    let paren = |figure: String, share: Option<Decimal>| match share {
        Some(share) => format!("{figure}{}{}{}", words.open, percent(share), words.close),
        None => figure,
    };
    struct Row {
        name: String,
        customers: u64,
        revenue: f64,
        customers_text: String,
        revenue_text: String,
    }
    let rows: Vec<Row> = labels
        .iter()
        .map(|&label| {
            let f = figures.get(label);
            let customers = f.map_or(0, |f| f.customers);
            let revenue = f.map_or(Decimal::ZERO, |f| f.revenue);
            Row {
                name: name(label),
                customers,
                revenue: revenue.to_f64().unwrap_or(0.0).max(0.0),
                customers_text: paren(count(customers), Some(f.map_or(Decimal::ZERO, |f| f.share))),
                revenue_text: paren(money(revenue), f.and_then(|f| f.revenue_share)),
            }
        })
        .collect();
    let customers_total: u64 = figures.values().map(|f| f.customers).sum();
    let title = fill(
        words.bars_title,
        &[("column", crate::names::column_name(column, lang))],
    );
    let subtitle = fill(
        words.bars_subtitle,
        &[
            ("customers", &count(customers_total)),
            ("revenue", &money(summary.revenue_total)),
        ],
    );

    let widest = |texts: &mut dyn Iterator<Item = &str>| {
        texts.map(|t| text_width(t, BODY_PX)).max().unwrap_or(0)
    };
    let label_width = widest(&mut rows.iter().map(|r| r.name.as_str())).clamp(40, 260);
    let customers_x = 16 + label_width + 12;
    let customers_text = widest(&mut rows.iter().map(|r| r.customers_text.as_str()))
        .max(text_width(words.customers, SMALL_PX) - BAR - 8);
    let revenue_x = customers_x + BAR + 8 + customers_text + 28;
    let revenue_text = widest(&mut rows.iter().map(|r| r.revenue_text.as_str()))
        .max(text_width(words.revenue, SMALL_PX) - BAR - 8);
    let width = (revenue_x + BAR + 8 + revenue_text + 16)
        .max(text_width(&title, TITLE_PX) + 32)
        .max(text_width(&subtitle, SMALL_PX) + 32)
        .max(560);
    const TOP: i32 = 92;
    const PITCH: i32 = 34;
    const HEIGHT: i32 = 22;
    let note = if hidden > 0 { 28 } else { 0 };
    let height = TOP + PITCH * rows.len() as i32 + note + 8;

    let max_customers = rows.iter().map(|r| r.customers).max().unwrap_or(0).max(1) as f64;
    let max_revenue = rows.iter().map(|r| r.revenue).fold(0.0, f64::max);
    let max_revenue = if max_revenue > 0.0 { max_revenue } else { 1.0 };
    let bar = |value: f64, max: f64| ((f64::from(BAR) * value / max).round() as i32).clamp(0, BAR);

    draw_svg(
        "pyramid.svg",
        (width as u32, height as u32),
        lang,
        &title,
        |canvas| {
            canvas.heading(&title, &subtitle)?;
            canvas.text(words.customers, (customers_x, 68), SMALL, MUTED, LEFT_TOP)?;
            canvas.text(words.revenue, (revenue_x, 68), SMALL, MUTED, LEFT_TOP)?;
            for (i, row) in rows.iter().enumerate() {
                let y = TOP + PITCH * i as i32;
                let middle = y + HEIGHT / 2;
                canvas.text(
                    &row.name,
                    (16 + label_width, middle),
                    BODY,
                    INK,
                    (HPos::Right, VPos::Center),
                )?;
                for (x, length, color, text) in [
                    (
                        customers_x,
                        bar(row.customers as f64, max_customers),
                        BLUE,
                        &row.customers_text,
                    ),
                    (
                        revenue_x,
                        bar(row.revenue, max_revenue),
                        ORANGE,
                        &row.revenue_text,
                    ),
                ] {
                    canvas.rect((x, y), (x + BAR, y + HEIGHT), TRACK)?;
                    if length > 0 {
                        canvas.rect((x, y), (x + length, y + HEIGHT), color)?;
                    }
                    canvas.text(text, (x + BAR + 8, middle), BODY, INK, LEFT_MIDDLE)?;
                }
            }
            if hidden > 0 {
                let more = fill(words.more, &[("n", &count(hidden as u64))]);
                let y = TOP + PITCH * rows.len() as i32 + 4;
                canvas.text(&more, (16, y), SMALL, MUTED, LEFT_TOP)?;
            }
            Ok(())
        },
    )
}

/// Rows per piece of the heat map's pass over the label codes.
const PIECE: usize = 1 << 16;

/// Customers per (R, F, segment code) over the customers scored on both R and F:
/// one pass over the label codes, pieces of it on every core, no label looked at per
/// customer.
fn rf_counts(
    tiering: &Tiering,
    (r, f, segment): (usize, usize, Option<usize>),
    k: usize,
) -> HashMap<(usize, usize, Option<usize>), u64, FixedState> {
    // A score per code of the r and f dictionaries, once.
    let score = |column: usize| -> Vec<Option<usize>> {
        tiering
            .dictionary(column)
            .iter()
            .map(|label| match label {
                Label::Score(s) if (1..=k).contains(&usize::from(*s)) => Some(usize::from(*s) - 1),
                _ => None,
            })
            .collect()
    };
    let (r_score, f_score) = (score(r), score(f));
    let named: Option<Vec<bool>> =
        segment.map(|s| tiering.dictionary(s).iter().map(Label::is_scored).collect());
    let rows: Vec<usize> = (0..tiering.len()).step_by(PIECE).collect();
    let pieces = crate::parallel::map(&rows, |&start| {
        let mut counts: HashMap<(usize, usize, Option<usize>), u64, FixedState> =
            HashMap::default();
        for row in start..(start + PIECE).min(tiering.len()) {
            let (Some(ri), Some(fi)) =
                (r_score[tiering.code(row, r)], f_score[tiering.code(row, f)])
            else {
                continue;
            };
            let code = match (segment, &named) {
                (Some(s), Some(named)) => Some(tiering.code(row, s)).filter(|&c| named[c]),
                _ => None,
            };
            *counts.entry((ri, fi, code)).or_default() += 1;
        }
        counts
    });
    let mut all: HashMap<(usize, usize, Option<usize>), u64, FixedState> = HashMap::default();
    for piece in pieces {
        for (key, n) in piece {
            *all.entry(key).or_default() += n;
        }
    }
    all
}

/// The R×F grid of an RFM run: per cell, its customers, their share of the customers
/// scored on both, and their most common segment by `name` (R from `k` at the top down
/// to 1, F from 1 on the left to `k`); darker cells hold more customers. Titles and
/// axes in `lang`.
///
/// # Errors
/// [`Error::Chart`] if the run has no `r` and `f` columns or drawing fails.
///
/// # Example
/// ```
/// use customer_tiering::charts::rfm_heatmap_svg;
/// use customer_tiering::classify::rfm::RfmParams;
/// use customer_tiering::names::Lang;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// for i in 1..=50i64 {
///     let id = CustomerId::new(&format!("C{i:02}")).unwrap();
///     for k in 0..=(i % 4) {
///         b.add(Transaction::new(id.clone(), date(2026, 1 + (k % 3) as i8, 1 + (i % 28) as i8), i.into()))?;
///     }
/// }
/// let population = b.finish()?;
/// let (fitted, tiering) = PipelineBuilder::new().classifier(RfmParams::default()).build()?.run(&population)?;
/// let lang = Lang::ZhHant;
/// let svg = rfm_heatmap_svg(&tiering, 5, lang, |s| fitted.display_name("rfm_segment", s, lang))?;
/// let texts: Vec<&str> = svg.lines().filter(|l| !l.starts_with('<')).collect();
/// assert!(texts.contains(&"R 5") && texts.contains(&"F 1"));
/// assert!(texts.contains(&"最近購買分數 R（5 = 最近）"));
/// // The default map names one segment per R×F cell, so every segment shows up.
/// for segment in tiering.counts()["rfm_segment"].keys() {
///     let shown = fitted.display_name("rfm_segment", segment, lang);
///     assert!(texts.contains(&shown.as_str()), "{shown}");
/// }
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn rfm_heatmap_svg(
    tiering: &Tiering,
    bins: u8,
    lang: Lang,
    name: impl Fn(&str) -> String,
) -> Result<String, Error> {
    let words = words(lang);
    let index = |c: &str| tiering.columns().iter().position(|x| x == c);
    let (Some(r), Some(f)) = (index("r"), index("f")) else {
        return Err(Error::Chart {
            chart: "rfm_heatmap.svg",
            reason: "the run has no r and f columns".into(),
        });
    };
    let segment = index("rfm_segment");
    let k = usize::from(bins).max(1);
    let mut counts = vec![vec![0u64; k]; k];
    let mut segments: Vec<Vec<BTreeMap<usize, u64>>> = vec![vec![BTreeMap::new(); k]; k];
    for ((ri, fi, code), n) in rf_counts(tiering, (r, f, segment), k) {
        counts[ri][fi] += n;
        if let Some(code) = code {
            *segments[ri][fi].entry(code).or_default() += n;
        }
    }
    // A cell's segment: its most common, ties to the smaller key.
    let segment_name = |ri: usize, fi: usize| -> Option<String> {
        let dictionary = tiering.dictionary(segment?);
        segments[ri][fi]
            .iter()
            .map(|(&code, &n)| (n, dictionary[code].as_cell()))
            .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)))
            .map(|(_, key)| name(&key))
    };
    let total: u64 = counts.iter().flatten().sum();
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;

    let title = words.heat_title.to_string();
    let subtitle = fill(words.heat_subtitle, &[("customers", &count(total))]);
    let k_text = k.to_string();
    let recency = fill(words.recency_axis, &[("k", &k_text)]);
    let frequency = fill(words.frequency_axis, &[("k", &k_text)]);
    const LEFT: i32 = 84;
    const TOP: i32 = 72;
    let cell = ((760 - LEFT - 16) / k as i32).clamp(56, 128);
    let grid = cell * k as i32;
    let width = (LEFT + grid + 16)
        .max(text_width(&title, TITLE_PX) + 32)
        .max(text_width(&subtitle, SMALL_PX) + 32);
    let height = TOP + grid + 56;
    let small = cell < 96;
    draw_svg(
        "rfm_heatmap.svg",
        (width as u32, height as u32),
        lang,
        &title,
        |canvas| {
            canvas.heading(&title, &subtitle)?;
            let axis = FontDesc::new(FontFamily::Name(canvas.family), SMALL, FontStyle::Normal)
                .transform(FontTransform::Rotate270);
            let axis = TextStyle::from(axis)
                .color(&MUTED)
                .pos(Pos::new(HPos::Center, VPos::Center));
            canvas
                .root
                .draw(&Text::new(recency.clone(), (22, TOP + grid / 2), axis))
                .map_err(canvas.error())?;
            for row in 0..k {
                let ri = k - 1 - row; // best recency on top
                let y = TOP + row as i32 * cell;
                canvas.text(
                    &format!("R {}", ri + 1),
                    (LEFT - 8, y + cell / 2),
                    BODY,
                    INK,
                    (HPos::Right, VPos::Center),
                )?;
                for (fi, &n) in counts[ri].iter().enumerate() {
                    let x = LEFT + fi as i32 * cell;
                    let shade = tint(BLUE, 0.06 + 0.84 * (n as f64 / max).sqrt());
                    let ink = ink_on(shade);
                    canvas.rect((x, y), (x + cell - 2, y + cell - 2), shade)?;
                    canvas.bold(&count(n), (x + 6, y + 6), BODY, ink)?;
                    if total > 0 && !small {
                        let share = Decimal::from(n) / Decimal::from(total);
                        canvas.text(&percent(share), (x + 6, y + 26), SMALL, ink, LEFT_TOP)?;
                    }
                    if let Some(segment) = segment_name(ri, fi) {
                        let top = if small { y + 24 } else { y + 48 };
                        for (i, line) in wrap(&segment, SMALL_PX, cell - 14).iter().enumerate() {
                            let at = (x + 6, top + 15 * i as i32);
                            canvas.text(line, at, SMALL, ink, LEFT_TOP)?;
                        }
                    }
                }
            }
            for fi in 0..k {
                let x = LEFT + fi as i32 * cell + cell / 2;
                canvas.text(
                    &format!("F {}", fi + 1),
                    (x, TOP + grid + 6),
                    BODY,
                    INK,
                    (HPos::Center, VPos::Top),
                )?;
            }
            canvas.text(
                &frequency,
                (LEFT + grid / 2, TOP + grid + 30),
                SMALL,
                MUTED,
                (HPos::Center, VPos::Top),
            )
        },
    )
}

/// The migration matrix of one ordered column (`metal`): rows the earlier label,
/// columns the later one, `(none)` (in `lang`) for customers in one period only;
/// customers per cell, blue where they stayed, vermillion where they moved, came or
/// went. Titles and legend in `lang`, label names from `name`.
///
/// # Errors
/// [`Error::Chart`] if drawing fails.
///
/// # Example
/// ```
/// use customer_tiering::charts::migration_svg;
/// use customer_tiering::migration::{migrate, Period};
/// use customer_tiering::names::Lang;
/// let head = "customer_id,monetary,metal\n";
/// let before = Period::from_tiers_csv("q1", format!("{head}A,10,gold\nB,4,lead\nC,3,lead\n").as_bytes())?;
/// let after = Period::from_tiers_csv("q2", format!("{head}A,12,platinum\nB,9,lead\n").as_bytes())?;
/// let order = ["platinum", "gold", "iron", "lead"].map(String::from).to_vec();
/// let migrations = migrate(&before, &after, &[("metal".to_string(), order.clone())].into())?;
/// let svg = migration_svg(&migrations[0], &order, Lang::En, |label| label.to_uppercase())?;
/// let texts: Vec<&str> = svg.lines().filter(|l| !l.starts_with('<')).collect();
/// assert!(texts.contains(&"PLATINUM") && texts.contains(&"(none)"));
/// assert!(texts.contains(&"3 customers · 1 stayed · 2 moved, new or gone"));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn migration_svg(
    migration: &ColumnMigration,
    order: &[String],
    lang: Lang,
    name: impl Fn(&str) -> String,
) -> Result<String, Error> {
    let words = words(lang);
    let mut labels: Vec<&str> = order.iter().map(String::as_str).collect();
    // Labels of a period that the order does not name (the unscored), before `(none)`.
    for (from, to) in migration.cells.keys() {
        for label in [from, to] {
            if label != ABSENT && !labels.contains(&label.as_str()) {
                labels.push(label);
            }
        }
    }
    labels.push(ABSENT);
    let shown = |label: &str| match label {
        ABSENT => crate::names::absent(lang).to_string(),
        other => name(other),
    };
    let names: Vec<String> = labels.iter().map(|l| shown(l)).collect();
    let count_of = |from: &str, to: &str| {
        migration
            .cells
            .get(&(from.to_string(), to.to_string()))
            .map_or(0, |c| c.customers)
    };
    let customers: u64 = migration.cells.values().map(|c| c.customers).sum();
    let stayed: u64 = migration
        .cells
        .iter()
        .filter(|((from, to), _)| from == to && from != ABSENT)
        .map(|(_, c)| c.customers)
        .sum();
    let max = migration
        .cells
        .values()
        .map(|c| c.customers)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let title = fill(
        words.migration_title,
        &[("column", crate::names::column_name(&migration.column, lang))],
    );
    let subtitle = fill(
        words.migration_subtitle,
        &[
            ("customers", &count(customers)),
            ("stayed", &count(stayed)),
            ("moved", &count(customers - stayed)),
        ],
    );
    let n = labels.len() as i32;
    let left = 16
        + names
            .iter()
            .map(|t| text_width(t, SMALL_PX))
            .max()
            .unwrap_or(0)
            .clamp(48, 200)
        + 12;
    const TOP: i32 = 128;
    let cell = ((760 - left - 16) / n).clamp(56, 110);
    let grid = cell * n;
    let width = (left + grid + 16)
        .max(text_width(&title, TITLE_PX) + 32)
        .max(text_width(&subtitle, SMALL_PX) + 32);
    let height = TOP + grid + 16;
    draw_svg(
        "migration.svg",
        (width as u32, height as u32),
        lang,
        &title,
        |canvas| {
            canvas.heading(&title, &subtitle)?;
            // The legend: a swatch and its word each.
            let mut x = 16;
            for (color, word) in [(BLUE, words.stayed), (VERMILLION, words.moved)] {
                canvas.rect((x, 66), (x + 14, 80), color)?;
                canvas.text(word, (x + 20, 73), SMALL, INK, LEFT_MIDDLE)?;
                x += 20 + text_width(word, SMALL_PX) + 24;
            }
            canvas.text(words.later, (left, 92), SMALL, MUTED, LEFT_TOP)?;
            canvas.text(words.earlier, (16, 92), SMALL, MUTED, LEFT_TOP)?;
            for (j, label) in names.iter().enumerate() {
                let x = left + j as i32 * cell + cell / 2;
                canvas.text(
                    label,
                    (x, TOP - 6),
                    SMALL,
                    INK,
                    (HPos::Center, VPos::Bottom),
                )?;
            }
            for (i, from) in labels.iter().enumerate() {
                let y = TOP + i as i32 * cell;
                canvas.text(
                    &names[i],
                    (left - 10, y + cell / 2),
                    SMALL,
                    INK,
                    (HPos::Right, VPos::Center),
                )?;
                for (j, to) in labels.iter().enumerate() {
                    let x = left + j as i32 * cell;
                    if *from == ABSENT && *to == ABSENT {
                        // Nobody is absent from both periods: a blank, not a 0.
                        canvas.rect((x, y), (x + cell - 2, y + cell - 2), TRACK)?;
                        continue;
                    }
                    let c = count_of(from, to);
                    let hue = if i == j && *from != ABSENT {
                        BLUE
                    } else {
                        VERMILLION
                    };
                    let shade = tint(hue, 0.06 + 0.84 * (c as f64 / max).sqrt());
                    canvas.rect((x, y), (x + cell - 2, y + cell - 2), shade)?;
                    canvas.text(
                        &count(c),
                        (x + cell / 2, y + cell / 2),
                        BODY,
                        ink_on(shade),
                        (HPos::Center, VPos::Center),
                    )?;
                }
            }
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary_of(labels: &[(&str, u64, i64)]) -> Summary {
        use crate::report::LabelFigures;
        let n: u64 = labels.iter().map(|l| l.1).sum();
        let total: i64 = labels.iter().map(|l| l.2).sum();
        let figures = labels
            .iter()
            .map(|&(label, customers, revenue)| {
                let figures = LabelFigures {
                    customers,
                    share: (Decimal::from(customers) / Decimal::from(n)).round_dp(4),
                    revenue: revenue.into(),
                    revenue_share: (revenue > 0)
                        .then(|| (Decimal::from(revenue) / Decimal::from(total)).round_dp(4)),
                    average_order_value: None,
                    median_recency_days: None,
                };
                (label.to_string(), figures)
            })
            .collect();
        Summary {
            revenue_total: total.into(),
            labels: [("tier".to_string(), figures)].into(),
        }
    }

    fn texts(svg: &str) -> Vec<&str> {
        svg.lines().filter(|l| !l.starts_with('<')).collect()
    }

    #[test]
    fn bars_follow_the_order_then_the_rest_by_customers() {
        let summary = summary_of(&[
            ("(unscored)", 5, 0),
            ("big", 10, 1_234_567),
            ("odd", 7, 100),
            ("small", 1_000, 1),
        ]);
        let order = ["big", "empty", "small"].map(String::from);
        let svg =
            pyramid_svg(&summary, "tier", &order, Lang::En, |l| format!("<{l}>")).expect("drawn");
        let texts = texts(&svg);
        let at = |t: &str| texts.iter().position(|x| *x == t);
        let rows = [
            "&lt;big&gt;",
            "&lt;empty&gt;",
            "&lt;small&gt;",
            "&lt;odd&gt;",
            "&lt;(unscored)&gt;",
        ];
        let found: Vec<Option<usize>> = rows.iter().map(|r| at(r)).collect();
        assert!(
            found.iter().all(Option::is_some) && found.is_sorted(),
            "{texts:?}"
        );
        // 1,000 / 1,022 is 0.97847…: the summary's 0.9785, then 97.9%.
        assert!(texts.contains(&"1,000 (97.9%)") && texts.contains(&"0 (0.0%)"));
        assert!(texts.contains(&"1,234,567 (100.0%)"), "{texts:?}");
        assert!(texts.contains(&"1,022 customers · revenue 1,234,668"));
        assert!(texts.contains(&"Final tier: customers and revenue"));
    }

    #[test]
    fn a_column_of_many_labels_draws_the_first_and_says_how_many_more() {
        let labels: Vec<(String, u64, i64)> = (0..75).map(|i| (format!("t{i:02}"), 1, 1)).collect();
        let borrowed: Vec<(&str, u64, i64)> = labels
            .iter()
            .map(|(l, c, r)| (l.as_str(), *c, *r))
            .collect();
        let order: Vec<String> = labels.iter().map(|l| l.0.clone()).collect();
        let svg = pyramid_svg(&summary_of(&borrowed), "tier", &order, Lang::ZhHant, |l| {
            l.into()
        })
        .expect("drawn");
        let texts = texts(&svg);
        assert!(texts.contains(&"t59") && !texts.contains(&"t60"));
        assert!(texts.contains(&"……另有 15 個標籤未繪出"), "{texts:?}");
        assert!(texts.contains(&"最終層級：客戶數與營收"));
    }

    #[test]
    fn sizes_are_whole_pixels_in_the_svg() {
        for (size, px) in [(TITLE, TITLE_PX), (BODY, BODY_PX), (SMALL, SMALL_PX)] {
            assert_eq!((size / 1.24).to_string(), px.to_string());
        }
    }

    #[test]
    fn text_on_every_shade_has_enough_contrast() {
        let contrast = |a: RGBColor, b: RGBColor| {
            let (la, lb) = (luminance(a), luminance(b));
            (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
        };
        for hue in [BLUE, VERMILLION, ORANGE] {
            for step in 0..=100 {
                let shade = tint(hue, f64::from(step) / 100.0);
                let ratio = contrast(shade, ink_on(shade));
                // 4.5:1 is WCAG AA for body text; the worst of black-or-white is above it.
                assert!(ratio >= 4.5, "{hue:?} at {step}%: {ratio}");
            }
        }
        assert!(contrast(MUTED, PAPER) >= 7.0);
        assert_eq!(ink_on(PAPER), BLACK);
        assert_eq!(ink_on(BLUE), PAPER);
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_between_han_characters() {
        assert_eq!(
            wrap("Potential loyalists", 12.0, 100),
            ["Potential", "loyalists"]
        );
        assert_eq!(wrap("Champions", 12.0, 100), ["Champions"]);
        assert_eq!(wrap("冠軍客戶", 12.0, 100), ["冠軍客戶"]);
        assert_eq!(
            wrap("有流失風險的高價值客戶", 12.0, 60),
            ["有流失風險", "的高價值客…"]
        );
        assert_eq!(
            wrap("cant_lose_them_at_any_cost", 12.0, 60),
            ["cant_lose_them_at_any_cost"]
        );
    }

    #[test]
    fn every_language_has_its_words_and_column_titles() {
        for lang in [Lang::En, Lang::ZhHant, Lang::ZhHans] {
            let w = words(lang);
            assert!(w.bars_title.contains("{column}") && w.migration_title.contains("{column}"));
            assert!(w.recency_axis.contains("{k}") && w.frequency_axis.contains("{k}"));
            assert!(w.more.contains("{n}"));
            for column in crate::names::PRESET_COLUMNS {
                let title = crate::names::column_name(column, lang);
                assert!(!title.is_empty() && title != column, "{column} in {lang}");
            }
        }
        // The two scripts differ where they should: 列 is a row in zh-Hans, a column in zh-Hant.
        assert!(
            words(Lang::ZhHant)
                .migration_title
                .contains("（列）到本期（欄）")
        );
        assert!(
            words(Lang::ZhHans)
                .migration_title
                .contains("（行）到本期（列）")
        );
    }

    #[test]
    fn the_root_carries_the_language_and_a_title() {
        let svg = draw_svg("t.svg", (100, 50), Lang::ZhHant, "A & <B>", |c| {
            c.text("金屬", (1, 1), BODY, INK, LEFT_TOP)
        })
        .expect("drawn");
        let doc = roxmltree::Document::parse(&svg).expect("XML");
        let root = doc.root_element();
        assert_eq!(root.attribute("lang"), Some("zh-Hant"));
        let title = root.children().find(|n| n.has_tag_name("title"));
        assert_eq!(title.and_then(|t| t.text()), Some("A & <B>"));
        let text = root
            .descendants()
            .find(|n| n.has_tag_name("text"))
            .expect("text");
        assert_eq!(text.text().map(str::trim), Some("金屬"));
        assert!(
            text.attribute("font-family")
                .is_some_and(|f| f.starts_with("'PingFang TC'"))
        );
        assert_eq!(text.attribute("font-size"), Some("14"));
    }
}
