//! A small PDF 1.4 writer for text documents: the shift X/Z reports now, receipts later.
//!
//! Dependency-free on purpose: a report is lines of text, which PDF's standard fonts
//! (Helvetica, Helvetica-Bold: every reader has them, nothing to embed) draw from uncompressed
//! content streams behind a hand-written xref table. That is less code than the glue a PDF crate
//! would need, and the output is deterministic (no dates, no ids): the same report gives the
//! same bytes.
//!
//! Limitation: the standard fonts carry only the WinAnsi (Windows-1252) glyphs, so the text is
//! Western European: ASCII, Latin-1 letters, the euro sign, dashes and curly quotes. Any other
//! character (₹, Chinese, Cyrillic...) is printed as '?' ([`drawable`] says whether a text has
//! none). So the shift reports print here in English and French; a Chinese shop's report PDF
//! goes to the receipt PDF's writer instead (an 80 mm roll page in embedded TrueType fonts,
//! shifts::report_pdf), which draws Chinese.

/// One line of a text document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The document's name: 16 pt bold.
    Title(String),
    /// A section's name: 11 pt bold.
    Heading(String),
    /// Body text, cut with "..." where it would run past the right margin.
    Text(String),
    /// two columns: left text, right-aligned text (figures), so amounts line up on their last
    /// digit whatever their length
    Pair(String, String),
    /// A thin line across the text width, between sections or above a total.
    Rule,
    /// An empty line, one body line high.
    Blank,
}

/// A page's size in points (1/72 inch), PDF's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSize {
    pub width_pt: f32,
    pub height_pt: f32,
}

/// 80 mm, the receipt printers' roll. Any page this narrow or narrower (a 58 mm roll too) is laid
/// out as a roll: narrow margins, smaller body text, no page numbers.
const ROLL_WIDTH_PT: f32 = 226.77;
const ROLL_MARGIN_PT: f32 = 8.0;
const ROLL_BODY_PT: f32 = 8.0;
const MARGIN_PT: f32 = 40.0;
const BODY_PT: f32 = 10.0;
const TITLE_PT: f32 = 16.0;
const HEADING_PT: f32 = 11.0;
const FOOTER_PT: f32 = 8.0;
/// A line's height is its type size times this: room for descenders and a little air.
const LEADING: f32 = 1.3;

impl PageSize {
    /// ISO A4, 210 × 297 mm: what office printers hold outside North America.
    pub const A4: PageSize = PageSize {
        width_pt: 595.28,
        height_pt: 841.89,
    };
    /// US Letter, 8.5 × 11 in.
    pub const LETTER: PageSize = PageSize {
        width_pt: 612.0,
        height_pt: 792.0,
    };

    /// 80 mm thermal roll, height grows to fit: the printer cuts where the page ends, so a
    /// document of `lines` lines is one page, one slip, never split. Every line is counted at a
    /// Title's height (the tallest) so that any mix of lines fits; a document of mostly body
    /// lines leaves some blank paper at its end.
    pub fn roll_80mm(lines: usize) -> PageSize {
        let tallest = TITLE_PT * LEADING;
        PageSize {
            width_pt: ROLL_WIDTH_PT,
            height_pt: 2.0 * ROLL_MARGIN_PT + lines as f32 * tallest,
        }
    }
}

/// Renders `lines` as a PDF (Helvetica / Helvetica-Bold, WinAnsiEncoding), paginating when a page
/// is full; returns the file's bytes.
///
/// `title` is the document's title in its properties (a reader's title bar), not a line on the
/// page: put a [`Line::Title`] first for that. Text outside Windows-1252 prints as '?' (see the
/// module's note).
pub fn render(title: &str, size: PageSize, lines: &[Line]) -> Vec<u8> {
    render_paged(title, size, lines, &|page, pages| {
        format!("page {page} of {pages}")
    })
}

/// [`render`], the page numbers in the document's language: `footer(page, pages)` is
/// "page 1 of 3" in it.
pub fn render_paged(
    title: &str,
    size: PageSize,
    lines: &[Line],
    footer: &dyn Fn(usize, usize) -> String,
) -> Vec<u8> {
    let layout = Layout::for_page(size);
    let mut pages = paginate(size, &layout, lines);
    // The total is known only once every line is placed, hence a second pass for the footers.
    if layout.numbered && pages.len() > 1 {
        let total = pages.len();
        for (index, content) in pages.iter_mut().enumerate() {
            let footer = encode(&footer(index + 1, total));
            let x = (size.width_pt - Font::Regular.width(&footer, FOOTER_PT)) / 2.0;
            let y = layout.margin / 2.0;
            show(content, Font::Regular, FOOTER_PT, x, y, &footer);
        }
    }
    write_file(title, size, &pages)
}

/// What depends on the paper: an office page or a receipt roll.
struct Layout {
    margin: f32,
    body_pt: f32,
    /// Page numbers in the bottom margin; a roll is one long page and its margin is too thin.
    numbered: bool,
}

impl Layout {
    fn for_page(size: PageSize) -> Layout {
        if size.width_pt <= ROLL_WIDTH_PT {
            Layout {
                margin: ROLL_MARGIN_PT,
                body_pt: ROLL_BODY_PT,
                numbered: false,
            }
        } else {
            Layout {
                margin: MARGIN_PT,
                body_pt: BODY_PT,
                numbered: true,
            }
        }
    }
}

/// Lays the lines out top to bottom: one content stream per page.
fn paginate(size: PageSize, layout: &Layout, lines: &[Line]) -> Vec<Vec<u8>> {
    let left = layout.margin;
    let right = size.width_pt - layout.margin;
    let page_top = size.height_pt - layout.margin;
    let mut pages = vec![Vec::new()];
    // The top of the next line's box; its baseline sits one type size below, leaving the rest
    // of the leading under it for descenders.
    let mut top = page_top;
    for line in lines {
        let (font, pt) = match line {
            Line::Title(_) => (Font::Bold, TITLE_PT),
            Line::Heading(_) => (Font::Bold, HEADING_PT),
            _ => (Font::Regular, layout.body_pt),
        };
        let height = pt * LEADING;
        // A new page when this line would cross the bottom margin, unless the page is still
        // empty: a line taller than the whole page goes on anyway instead of looping forever.
        if top - height < layout.margin && top < page_top {
            pages.push(Vec::new());
            top = page_top;
        }
        let content = pages.last_mut().expect("there is always a page");
        let baseline = top - pt;
        match line {
            Line::Title(text) | Line::Heading(text) | Line::Text(text) => {
                let text = fit(encode(text), font, pt, right - left);
                show(content, font, pt, left, baseline, &text);
            }
            Line::Pair(label, figure) => {
                // The figure is what matters: it keeps its room and the label is cut to what is
                // left, one space short so the two never touch.
                let figure = fit(encode(figure), font, pt, right - left);
                let figure_width = font.width(&figure, pt);
                let room = right - left - figure_width - font.width(b" ", pt);
                let label = fit(encode(label), font, pt, room);
                show(content, font, pt, left, baseline, &label);
                show(content, font, pt, right - figure_width, baseline, &figure);
            }
            Line::Rule => {
                let y = num(top - height / 2.0);
                let line = format!("0.5 w {} {y} m {} {y} l S\n", num(left), num(right));
                content.extend_from_slice(line.as_bytes());
            }
            Line::Blank => {}
        }
        top -= height;
    }
    pages
}

/// `text` (WinAnsi bytes), cut and ended with "..." if it is wider than `max` points.
fn fit(mut text: Vec<u8>, font: Font, pt: f32, max: f32) -> Vec<u8> {
    if font.width(&text, pt) <= max {
        return text;
    }
    let dots = font.width(b"...", pt);
    while !text.is_empty() && font.width(&text, pt) + dots > max {
        text.pop();
    }
    // Where not even the dots fit, nothing is printed.
    if dots <= max {
        text.extend_from_slice(b"...");
    }
    text
}

/// Draws `text` (WinAnsi bytes) with its baseline starting at (x, y).
fn show(content: &mut Vec<u8>, font: Font, pt: f32, x: f32, y: f32, text: &[u8]) {
    if text.is_empty() {
        return;
    }
    let start = format!(
        "BT /{} {} Tf {} {} Td (",
        font.resource(),
        num(pt),
        num(x),
        num(y)
    );
    content.extend_from_slice(start.as_bytes());
    escape_into(content, text);
    content.extend_from_slice(b") Tj ET\n");
}

/// A number for the content stream: two decimals (1/7200 inch, finer than any printer), without
/// trailing zeros.
fn num(value: f32) -> String {
    let fixed = format!("{value:.2}");
    fixed
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

/// Appends `bytes` as the inside of a PDF literal string `( )`: parentheses and backslashes are
/// escaped, and a carriage return too, which a reader would otherwise take for a line feed.
fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
    for &byte in bytes {
        match byte {
            b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', byte]),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(byte),
        }
    }
}

/// Whether every character of `text` has a glyph in the standard fonts (else it prints '?').
pub fn drawable(text: &str) -> bool {
    text.chars().all(|c| c == '?' || winansi(c) != b'?')
}

/// `text` in WinAnsi (Windows-1252), the encoding the two fonts are declared with.
fn encode(text: &str) -> Vec<u8> {
    text.chars().map(winansi).collect()
}

/// One character's WinAnsi code: ASCII and Latin-1 (é, ü, ß...) are their own code; 0x80..=0x9F
/// hold the euro sign, dashes, curly quotes and a few letters; anything else has no glyph in
/// the standard fonts and becomes '?' (as do control characters).
fn winansi(c: char) -> u8 {
    match c {
        // Both ranges are below 256: the cast keeps the whole code.
        ' '..='~' | '\u{A0}'..='\u{FF}' => c as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => b'?',
    }
}

/// The document title for /Info. Metadata strings are not in the fonts' WinAnsi but in
/// PDFDocEncoding or UTF-16BE with a byte order mark: ASCII is the same in all of them, anything
/// else goes as UTF-16 so a reader shows any script, ₹ included, in its title bar.
fn text_string(text: &str) -> Vec<u8> {
    if text.is_ascii() {
        return text.as_bytes().to_vec();
    }
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    bytes
}

/// The two standard fonts, as the page resources name them.
#[derive(Debug, Clone, Copy)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }

    /// The width of `text` (WinAnsi bytes) at `pt` points, from the fonts' metrics: how the
    /// figures of a Pair are right-aligned and long lines are cut.
    fn width(self, text: &[u8], pt: f32) -> f32 {
        let table = match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        };
        let units: u32 = text
            .iter()
            .map(|&b| u32::from(table[usize::from(b.max(32)) - 32]))
            .sum();
        units as f32 * pt / 1000.0
    }
}

// The advance widths, in 1/1000 of the type size, of WinAnsi codes 32..=255, from Adobe's AFM
// files for the standard fonts (the same numbers every PDF reader uses to draw them). A row is
// 16 codes: row 0 is 0x20..=0x2F, row 6 is 0x80..=0x8F. 0 marks the codes WinAnsi leaves unused
// (and 0x7F), which `encode` never produces.
#[rustfmt::skip]
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

// The file's fixed objects; page k (from 0) is object FIRST_PAGE + 2k, its content the next one.
const CATALOG: usize = 1;
const PAGES: usize = 2;
const REGULAR_FONT: usize = 3;
const BOLD_FONT: usize = 4;
const INFO: usize = 5;
const FIRST_PAGE: usize = 6;

/// Assembles the file around the pages' content streams.
fn write_file(title: &str, size: PageSize, pages: &[Vec<u8>]) -> Vec<u8> {
    // The second line's bytes above 127 tell transfer tools the file is binary, not text.
    let mut file = Writer {
        out: b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec(),
        offsets: Vec::new(),
    };
    let page_number = |k: usize| FIRST_PAGE + 2 * k;

    file.object(
        CATALOG,
        format!("<< /Type /Catalog /Pages {PAGES} 0 R >>").as_bytes(),
    );
    let kids: Vec<String> = (0..pages.len())
        .map(|k| format!("{} 0 R", page_number(k)))
        .collect();
    let tree = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    );
    file.object(PAGES, tree.as_bytes());
    for (number, name) in [(REGULAR_FONT, "Helvetica"), (BOLD_FONT, "Helvetica-Bold")] {
        let font = format!(
            "<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>"
        );
        file.object(number, font.as_bytes());
    }
    let mut info = b"<< /Title (".to_vec();
    escape_into(&mut info, &text_string(title));
    info.extend_from_slice(b") /Producer (Paydesk) >>");
    file.object(INFO, &info);

    let media_box = format!("[0 0 {} {}]", num(size.width_pt), num(size.height_pt));
    for (k, content) in pages.iter().enumerate() {
        let page = format!(
            "<< /Type /Page /Parent {PAGES} 0 R /MediaBox {media_box} /Resources << /Font << \
             /F1 {REGULAR_FONT} 0 R /F2 {BOLD_FONT} 0 R >> >> /Contents {} 0 R >>",
            page_number(k) + 1
        );
        file.object(page_number(k), page.as_bytes());
        // /Length counts the data only, not the end of line before "endstream".
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content);
        stream.extend_from_slice(b"\nendstream");
        file.object(page_number(k) + 1, &stream);
    }
    file.finish()
}

/// The file being written, and where each object starts in it, for the xref table.
struct Writer {
    out: Vec<u8>,
    /// Object n's byte offset is at index n - 1.
    offsets: Vec<usize>,
}

impl Writer {
    /// Writes object `number`; objects come in order from 1, so the table needs no sorting.
    fn object(&mut self, number: usize, body: &[u8]) {
        debug_assert_eq!(
            number,
            self.offsets.len() + 1,
            "objects are written in order"
        );
        self.offsets.push(self.out.len());
        self.out
            .extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    /// The xref table (every entry exactly 20 bytes, as the format requires), the trailer and
    /// the pointer to the table a reader starts from.
    fn finish(mut self) -> Vec<u8> {
        let xref = self.out.len();
        let size = self.offsets.len() + 1;
        let mut table = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for offset in &self.offsets {
            table.push_str(&format!("{offset:010} 00000 n \n"));
        }
        table.push_str(&format!(
            "trailer\n<< /Size {size} /Root {CATALOG} 0 R /Info {INFO} 0 R >>\n\
             startxref\n{xref}\n%%EOF\n"
        ));
        self.out.extend_from_slice(table.as_bytes());
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        find(haystack, needle).is_some()
    }

    fn report() -> Vec<Line> {
        vec![
            Line::Title("Shift Z report".into()),
            Line::Heading("Totals".into()),
            Line::Pair("Card".into(), "1,234.50".into()),
            Line::Rule,
            Line::Blank,
            Line::Text("Closed by Zoë".into()),
        ]
    }

    #[test]
    fn starts_with_the_header_and_ends_with_eof() {
        let pdf = render("Shift Z", PageSize::A4, &report());
        assert!(pdf.starts_with(b"%PDF-1.4\n%"));
        // The comment line of bytes above 127.
        assert!(pdf[10..14].iter().all(|&b| b > 127));
        assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
    }

    #[test]
    fn every_xref_offset_points_at_its_object() {
        let pdf = render("Shift Z", PageSize::A4, &vec![Line::Text("x".into()); 200]);
        // The file's tail is ASCII, from the table on; its offsets count bytes.
        let tail = |at: usize| std::str::from_utf8(&pdf[at..]).unwrap();
        let startxref = pdf.windows(10).rposition(|w| w == b"startxref\n").unwrap();
        let start = tail(startxref + 10).lines().next().unwrap();
        let table = tail(start.parse().unwrap());
        let (count, entries) = table
            .strip_prefix("xref\n0 ")
            .unwrap()
            .split_once('\n')
            .unwrap();
        let size: usize = count.parse().unwrap();
        // 200 lines: four pages, each a page and a content object, after the five fixed ones.
        assert_eq!(size, 6 + 2 * 4);
        assert!(entries.starts_with("0000000000 65535 f \n"));
        for number in 1..size {
            // Every entry is exactly 20 bytes, so entry n is at 20 n.
            let entry = &entries[20 * number..20 * (number + 1)];
            assert!(entry.ends_with(" 00000 n \n"), "{entry:?}");
            let offset: usize = entry[..10].parse().unwrap();
            let object = format!("{number} 0 obj\n");
            assert!(
                pdf[offset..].starts_with(object.as_bytes()),
                "object {number}"
            );
        }
        assert!(entries[20 * size..].starts_with("trailer\n<< /Size 14 /Root 1 0 R /Info 5 0 R >>"));
    }

    #[test]
    fn length_is_the_streams_byte_count() {
        let pdf = render(
            "Shift Z",
            PageSize::A4,
            &vec![Line::Text("é €".into()); 120],
        );
        let mut streams = 0;
        let mut rest = &pdf[..];
        while let Some(at) = find(rest, b"/Length ") {
            rest = &rest[at + 8..];
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            let length: usize = std::str::from_utf8(&rest[..digits])
                .unwrap()
                .parse()
                .unwrap();
            let data = find(rest, b">>\nstream\n").unwrap() + 10;
            assert!(rest[data + length..].starts_with(b"\nendstream\n"));
            streams += 1;
        }
        assert_eq!(streams, 3);
    }

    #[test]
    fn escapes_literal_strings() {
        let pdf = render("(a\\b)", PageSize::A4, &[Line::Text("(a\\b)".into())]);
        assert!(contains(&pdf, b"(\\(a\\\\b\\)) Tj"));
        assert!(contains(&pdf, b"/Title (\\(a\\\\b\\))"));
    }

    #[test]
    fn maps_text_to_winansi() {
        let pdf = render(
            "Café",
            PageSize::A4,
            &[Line::Text("é € – “ok” ₹ 五".into())],
        );
        assert!(contains(&pdf, b"(\xE9 \x80 \x96 \x93ok\x94 ? ?) Tj"));
        // The title is metadata, in UTF-16 where it is not ASCII.
        assert!(contains(&pdf, b"/Title (\xFE\xFF\x00C\x00a\x00f\x00\xE9)"));
    }

    #[test]
    fn long_documents_get_numbered_pages() {
        let pdf = render(
            "Shift X",
            PageSize::A4,
            &vec![Line::Text("Sale".into()); 200],
        );
        assert!(contains(&pdf, b"/Count 4"));
        assert!(contains(&pdf, b"(page 1 of 4) Tj"));
        assert!(contains(&pdf, b"(page 4 of 4) Tj"));
        // One page needs no number.
        assert!(!contains(
            &render("Shift X", PageSize::A4, &report()),
            b"page 1"
        ));
    }

    #[test]
    fn pair_figures_end_at_the_right_margin() {
        let pdf = render("Shift Z", PageSize::A4, &report());
        let text = String::from_utf8_lossy(&pdf);
        let figure = text
            .lines()
            .find(|l| l.ends_with("(1,234.50) Tj ET"))
            .unwrap();
        let words: Vec<&str> = figure.split(' ').collect();
        let td = words.iter().position(|&w| w == "Td").unwrap();
        let x: f32 = words[td - 2].parse().unwrap();
        // Six digits at 556 and a comma and a point at 278, in 1/1000 of 10 pt.
        let width = (6.0 * 556.0 + 2.0 * 278.0) * 10.0 / 1000.0;
        assert!((x - (595.28 - 40.0 - width)).abs() < 0.01, "x = {x}");
        // And the label at the left margin, on the same baseline.
        let y = words[td - 1];
        assert!(text.contains(&format!("/F1 10 Tf 40 {y} Td (Card) Tj ET")));
    }

    #[test]
    fn long_text_is_cut_with_dots() {
        let long = "W".repeat(200);
        let pdf = render("Shift Z", PageSize::A4, &[Line::Text(long)]);
        let text = String::from_utf8_lossy(&pdf);
        let shown = text
            .split("Td (")
            .nth(1)
            .unwrap()
            .split(") Tj")
            .next()
            .unwrap();
        assert!(shown.ends_with("W..."));
        let width = Font::Regular.width(shown.as_bytes(), 10.0);
        assert!(width <= 595.28 - 80.0, "{width}");
    }

    #[test]
    fn a_roll_grows_with_its_lines_and_stays_one_page() {
        assert_eq!(PageSize::roll_80mm(10).width_pt, 226.77);
        assert!(PageSize::roll_80mm(40).height_pt > PageSize::roll_80mm(10).height_pt);
        let mut lines = vec![Line::Title("Receipt".into()); 5];
        lines.extend(vec![Line::Pair("Tea".into(), "€2.50".into()); 35]);
        let pdf = render("Receipt", PageSize::roll_80mm(lines.len()), &lines);
        assert!(contains(&pdf, b"/Count 1"));
        assert!(
            contains(&pdf, b"/F1 8 Tf 8 "),
            "body text at 8 pt from an 8 pt margin"
        );
        assert!(!contains(&pdf, b"page 1"));
    }
}
