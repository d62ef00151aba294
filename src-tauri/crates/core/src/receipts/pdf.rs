//! The receipt as a PDF slip (save, open, or print on any printer), through printpdf: the
//! same lines as the thermal roll on a page the roll's width and as long as the receipt,
//! in TrueType fonts found on this machine and embedded as subsets (only the glyphs used), so
//! a customer's name in Chinese or Devanagari prints as itself and the file stays small.
//!
//! Fonts: the first of a few known files of each kind (a CJK font that is monospaced for
//! Latin, a Latin monospace, a Devanagari font; Linux, Windows and macOS paths), each
//! character drawn in the first font that has it. scripts/setup.sh installs WenQuanYi Micro
//! Hei (its Mono face) and Lohit Devanagari; a machine with none of them gets Courier, one of
//! PDF's own fonts, where anything outside Windows-1252 is '?'. Devanagari is drawn letter by
//! letter (printpdf shapes complex scripts only with its HTML layout engine, which Paydesk
//! does not build): legible, without conjuncts.

use std::sync::OnceLock;

use printpdf::{
    BuiltinFont, Color, FontId, Line as PdfLine, LinePoint, Mm, Op, ParsedFont, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rgb, TextItem, TextRenderingMode,
};

use super::layout::{char_columns, columns, Align, Row};
use super::{Paper, Receipt};

/// A roll's printable width: 80 mm paper prints 72 mm, 58 mm paper 48 mm.
fn text_width_mm(paper: Paper) -> f32 {
    match paper {
        Paper::Mm58 => 48.0,
        Paper::Mm80 => 72.0,
    }
}

fn paper_mm(paper: Paper) -> f32 {
    match paper {
        Paper::Mm58 => 58.0,
        Paper::Mm80 => 80.0,
    }
}

/// Font files to look for, in order, by kind.
const MONO_CJK: &[(&str, usize)] = &[
    // WenQuanYi Micro Hei: face 1 is its Mono (Latin half, CJK full width, like the printers).
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),
    (
        "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
        1,
    ),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 1),
    // Windows: NSimSun, SimSun's monospaced face.
    ("C:\\Windows\\Fonts\\simsun.ttc", 1),
];
const CJK: &[(&str, usize)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 0),
    (
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        0,
    ),
    ("C:\\Windows\\Fonts\\msyh.ttc", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
];
const MONO_LATIN: &[(&str, usize)] = &[
    ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 0),
    ("/usr/share/fonts/dejavu/DejaVuSansMono.ttf", 0),
    (
        "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
        0,
    ),
    ("C:\\Windows\\Fonts\\consola.ttf", 0),
    ("C:\\Windows\\Fonts\\cour.ttf", 0),
    ("/System/Library/Fonts/Menlo.ttc", 0),
];
const DEVANAGARI: &[(&str, usize)] = &[
    (
        "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
        0,
    ),
    ("/usr/share/fonts/lohit-devanagari/Lohit-Devanagari.ttf", 0),
    (
        "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
        0,
    ),
    ("C:\\Windows\\Fonts\\Nirmala.ttf", 0),
    ("C:\\Windows\\Fonts\\mangal.ttf", 0),
    ("/System/Library/Fonts/Supplemental/DevanagariMT.ttc", 0),
    ("/System/Library/Fonts/Kohinoor.ttc", 0),
];

/// The fonts found on this machine, parsed once: a monospace first (CJK-capable when there
/// is one), then fonts for what it lacks.
fn fonts() -> &'static [ParsedFont] {
    static FONTS: OnceLock<Vec<ParsedFont>> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut found = Vec::new();
        for kind in [MONO_CJK, MONO_LATIN, CJK, DEVANAGARI] {
            for (path, index) in kind {
                let Ok(bytes) = std::fs::read(path) else {
                    continue;
                };
                let mut warnings = Vec::new();
                match ParsedFont::from_bytes(&bytes, *index, &mut warnings) {
                    Some(font) => {
                        tracing::debug!(font = path, "receipt PDF font");
                        found.push(font);
                        break;
                    }
                    None => tracing::warn!(font = path, "cannot read this font"),
                }
            }
        }
        if found.is_empty() {
            tracing::warn!("no TrueType font found for receipts: Courier, Latin text only");
        }
        found
    })
}

/// How wide a digit is in `font`, in ems (its Latin letters too, in a monospace).
fn advance(font: Option<&ParsedFont>) -> f32 {
    font.and_then(|f| {
        let glyph = f.lookup_glyph_index('0' as u32)?;
        let width = f32::from(f.get_glyph_width(glyph)?);
        let em = f32::from(f.units_per_em);
        (width > 0.0 && em > 0.0).then(|| width / em)
    })
    .unwrap_or(0.6)
}

/// The font (index into `fonts()`) that draws `c`: the first that has it, else the first.
fn font_for(fonts: &[ParsedFont], c: char) -> usize {
    fonts
        .iter()
        .position(|f| f.lookup_glyph_index(c as u32).is_some_and(|g| g != 0))
        .unwrap_or(0)
}

/// Where Courier is all there is: Windows-1252 text, '?' for the rest.
fn latin_only(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut buf = [0u8; 4];
            let (_, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
            if unmappable || c.is_control() {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// The receipt's rows as a PDF `paper` wide; the file's bytes.
pub fn render(receipt: &Receipt, paper: Paper) -> Vec<u8> {
    let rows = super::layout::rows(receipt, paper.columns());
    let words = crate::words::Words::new(receipt.language);
    let title = match (receipt.kind, &receipt.refund) {
        (super::ReceiptKind::Sale, _) | (_, None) => {
            words.fill("print.receipt.pdf_title", &[("order", &receipt.order_no)])
        }
        (_, Some(refund)) => words.fill(
            "print.receipt.pdf_title_refund",
            &[("order", &receipt.order_no), ("refund", &refund.refund_no)],
        ),
    };
    render_rows(&title, &rows, paper)
}

pub fn render_rows(title: &str, rows: &[Row], paper: Paper) -> Vec<u8> {
    let fonts = fonts();
    let mut doc = PdfDocument::new(title);
    doc.metadata.info.creator = "Paydesk".into();
    doc.metadata.info.producer = "Paydesk (printpdf)".into();
    let ids: Vec<FontId> = fonts.iter().map(|f| doc.add_font(f)).collect();

    let width_cols = paper.columns() as f32;
    let margin = Mm((paper_mm(paper) - text_width_mm(paper)) / 2.0)
        .into_pt()
        .0;
    let cell = Mm(text_width_mm(paper)).into_pt().0 / width_cols;
    // The type size that makes the first font's digit exactly one cell wide (a monospace's
    // every Latin letter then is; Courier's is 0.6 em).
    let size = cell / advance(fonts.first());
    let leading = size * 1.25;
    let height: f32 = rows
        .iter()
        .map(|r| if r.double { leading * 2.0 } else { leading })
        .sum::<f32>()
        + 2.0 * margin
        + leading;
    let width = Mm(paper_mm(paper)).into_pt().0;

    let mut ops = vec![Op::SetFillColor {
        col: Color::Rgb(Rgb {
            r: 0.0,
            g: 0.0,
            b: 0.0,
            icc_profile: None,
        }),
    }];
    let mut top = height - margin;
    for row in rows {
        let scale = if row.double { 2.0 } else { 1.0 };
        let line_height = leading * scale;
        let baseline = top - size * scale;
        top -= line_height;
        let row_cols = if row.double {
            width_cols / 2.0
        } else {
            width_cols
        };
        let text_cols = columns(&row.text) as f32;
        let start_col = match row.align {
            Align::Left => 0.0,
            Align::Center => ((row_cols - text_cols) / 2.0).floor().max(0.0),
            Align::Right => (row_cols - text_cols).max(0.0),
        };
        if row.text.chars().all(|c| c == '-') && !row.text.is_empty() {
            // A rule: a thin line across the text width.
            let y = Pt(baseline + size * 0.3);
            ops.push(Op::SetOutlineThickness { pt: Pt(0.5) });
            ops.push(Op::DrawLine {
                line: PdfLine {
                    points: vec![
                        LinePoint {
                            p: Point { x: Pt(margin), y },
                            bezier: false,
                        },
                        LinePoint {
                            p: Point {
                                x: Pt(width - margin),
                                y,
                            },
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            });
            continue;
        }
        if row.bold {
            ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::FillStroke,
            });
            ops.push(Op::SetOutlineThickness {
                pt: Pt(0.3 * scale),
            });
        }
        // Words are placed at their column, each run in the font that has its characters.
        let mut col = start_col;
        for (run, font, run_cols) in segments(fonts, &row.text) {
            if !run.trim().is_empty() {
                let x = margin + col * cell * scale;
                let (handle, text) = if fonts.is_empty() {
                    (
                        PdfFontHandle::Builtin(BuiltinFont::Courier),
                        latin_only(&run),
                    )
                } else {
                    (PdfFontHandle::External(ids[font].clone()), run.clone())
                };
                ops.push(Op::StartTextSection);
                ops.push(Op::SetFont {
                    font: handle,
                    size: Pt(size * scale),
                });
                ops.push(Op::SetTextCursor {
                    pos: Point {
                        x: Pt(x),
                        y: Pt(baseline),
                    },
                });
                ops.push(Op::ShowText {
                    items: vec![TextItem::Text(text)],
                });
                ops.push(Op::EndTextSection);
            }
            col += run_cols as f32;
        }
        if row.bold {
            ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::Fill,
            });
        }
    }
    let page = PdfPage::new(Mm(paper_mm(paper)), Pt(height).into(), ops);
    let mut warnings = Vec::new();
    doc.with_pages(vec![page])
        .save(&PdfSaveOptions::default(), &mut warnings)
}

/// `text` cut where the font changes and at runs of two or more spaces (a pair's padding):
/// (text, font, columns). Single spaces stay inside a run, drawn as the font's space, so a
/// text extractor reads the words apart.
fn segments(fonts: &[ParsedFont], text: &str) -> Vec<(String, usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let padding =
            c == ' ' && (chars.get(i + 1) == Some(&' ') || (i > 0 && chars[i - 1] == ' '));
        // A space takes the font of what it follows.
        let font = if fonts.is_empty() {
            0
        } else if c == ' ' {
            out.last().map_or(0, |(_, f, _)| *f)
        } else {
            font_for(fonts, c)
        };
        let joins = !padding
            && out.last().is_some_and(|(run, f, _)| {
                *f == font && !(run.ends_with("  ") || run.chars().all(|r| r == ' '))
            });
        if joins {
            let last = out.last_mut().expect("checked");
            last.0.push(c);
            last.2 += char_columns(c);
        } else if padding
            && out
                .last()
                .is_some_and(|(run, _, _)| run.chars().all(|r| r == ' '))
        {
            let last = out.last_mut().expect("checked");
            last.0.push(c);
            last.2 += 1;
        } else {
            out.push((c.to_string(), font, char_columns(c)));
        }
    }
    out
}
