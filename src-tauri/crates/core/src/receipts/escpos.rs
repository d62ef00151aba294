//! The receipt's lines as ESC/POS bytes, through the `escpos` crate's encoder (its commands
//! and code page tables, written into memory: Paydesk sends the bytes itself, see `printer`).
//!
//! Text: printers take one byte a character in the selected code page, so Latin letters go in
//! WPC1252 (`ESC t 16`: é, ü, ß, €); Chinese goes in GB18030 between `FS &` (Chinese mode on)
//! and `FS .` (off), which printers sold for Chinese shops read. Chinese mode is switched off
//! right after `ESC @`, since many of those printers start in it and would otherwise take
//! every byte above 127 for half of a Chinese character. A character neither can carry
//! (Devanagari, Cyrillic, emoji...) prints as '?': the printer has no font for it (the PDF
//! and the system dialog print it).

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{JustifyMode, PageCode, Protocol};
use std::cell::RefCell;
use std::rc::Rc;

use super::layout::{Align, Row};
use paydesk_domain::error::{Error, Result};

/// FS & / FS .: Chinese (Kanji) character mode on and off.
pub const CHINESE_ON: &[u8] = &[0x1C, 0x26];
pub const CHINESE_OFF: &[u8] = &[0x1C, 0x2E];
/// ESC @, ESC t 16 (WPC1252), GS V (cut): what every receipt starts and ends with.
pub const INIT: &[u8] = &[0x1B, 0x40];
pub const CODE_PAGE_1252: &[u8] = &[0x1B, 0x74, 16];
pub const CUT: &[u8] = &[0x1D, 0x56];

/// The escpos crate's printer writing into memory.
#[derive(Clone, Default)]
struct Memory(Rc<RefCell<Vec<u8>>>);

impl Driver for Memory {
    fn name(&self) -> String {
        "memory".into()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

fn failed(e: escpos::errors::PrinterError) -> Error {
    Error::Internal(format!("ESC/POS: {e}"))
}

/// A stretch of text in one encoding.
#[derive(Debug, PartialEq, Eq)]
enum Run {
    /// ASCII and what WPC1252 has (Latin-1 letters, €, dashes, quotes).
    Latin(String),
    /// GB18030: Chinese (and the kana, Hangul and full-width forms it also carries).
    Chinese(Vec<u8>),
}

/// Whether a character is printed in Chinese mode (double width there too).
fn chinese(c: char) -> bool {
    super::layout::char_columns(c) == 2
}

/// The one-byte WPC1252 code of `c`, if it has one.
fn cp1252(c: char) -> Option<u8> {
    if c.is_ascii() {
        return Some(c as u8);
    }
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    (!unmappable && bytes.len() == 1).then(|| bytes[0])
}

fn runs(text: &str) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for c in text.chars() {
        if chinese(c) {
            let mut buf = [0u8; 4];
            let (bytes, _, unmappable) = encoding_rs::GB18030.encode(c.encode_utf8(&mut buf));
            if !unmappable {
                if let Some(Run::Chinese(run)) = runs.last_mut() {
                    run.extend_from_slice(&bytes);
                } else {
                    runs.push(Run::Chinese(bytes.into_owned()));
                }
                continue;
            }
        }
        // Combining marks have no column and no glyph here: dropped rather than a '?' each.
        if super::layout::char_columns(c) == 0 {
            continue;
        }
        let c = if cp1252(c).is_some() { c } else { '?' };
        if let Some(Run::Latin(run)) = runs.last_mut() {
            run.push(c);
        } else {
            runs.push(Run::Latin(c.to_string()));
        }
    }
    runs
}

/// The whole receipt: init, code page, the lines with their alignment, bold and size, a few
/// lines of paper past the cutter, and a cut.
pub fn encode(rows: &[Row], columns: usize) -> Result<Vec<u8>> {
    let memory = Memory::default();
    let options = PrinterOptions::new(Some(PageCode::WPC1252), None, columns as u8);
    let mut printer = Printer::new(memory.clone(), Protocol::default(), Some(options));
    printer.init().map_err(failed)?;
    printer.custom(CHINESE_OFF).map_err(failed)?;
    for row in rows {
        let justify = match row.align {
            Align::Left => JustifyMode::LEFT,
            Align::Center => JustifyMode::CENTER,
            Align::Right => JustifyMode::RIGHT,
        };
        printer.justify(justify).map_err(failed)?;
        printer.bold(row.bold).map_err(failed)?;
        if row.double {
            printer.size(2, 2).map_err(failed)?;
        } else {
            printer.reset_size().map_err(failed)?;
        }
        for run in runs(&row.text) {
            match run {
                Run::Latin(text) => {
                    printer.write(&text).map_err(failed)?;
                }
                Run::Chinese(bytes) => {
                    printer.custom(CHINESE_ON).map_err(failed)?;
                    printer.custom(&bytes).map_err(failed)?;
                    printer.custom(CHINESE_OFF).map_err(failed)?;
                }
            }
        }
        printer.feed().map_err(failed)?;
    }
    printer.justify(JustifyMode::LEFT).map_err(failed)?;
    printer.bold(false).map_err(failed)?;
    printer.reset_size().map_err(failed)?;
    // The cutter sits above the print head: feed the last line past it first.
    printer.feeds(4).map_err(failed)?;
    printer.cut().map_err(failed)?;
    printer.print().map_err(failed)?;
    drop(printer);
    let bytes = memory.0.borrow().clone();
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    fn row(text: &str) -> Row {
        Row {
            text: text.into(),
            align: Align::Left,
            bold: false,
            double: false,
        }
    }

    #[test]
    fn starts_with_init_and_the_code_page_and_ends_with_a_cut() {
        let bytes = encode(&[row("Tea House")], 48).unwrap();
        assert!(bytes.starts_with(INIT), "{bytes:?}");
        assert!(find(&bytes, CODE_PAGE_1252).is_some());
        // Chinese mode off before any text.
        assert!(find(&bytes, CHINESE_OFF).unwrap() < find(&bytes, b"Tea House").unwrap());
        let cut = find(&bytes, CUT).unwrap();
        assert!(cut > find(&bytes, b"Tea House").unwrap());
        assert!(bytes.ends_with(&[0x1D, 0x56, b'A', 0]));
    }

    #[test]
    fn latin_letters_are_wpc1252_and_chinese_is_gb18030_in_chinese_mode() {
        let bytes = encode(&[row("Zoë é € 王小明 ok")], 48).unwrap();
        assert!(find(&bytes, b"Zo\xEB \xE9 \x80 ").is_some(), "{bytes:?}");
        let gb = encoding_rs::GB18030.encode("王小明").0.into_owned();
        assert_eq!(gb, vec![0xCD, 0xF5, 0xD0, 0xA1, 0xC3, 0xF7]);
        let mut chinese = CHINESE_ON.to_vec();
        chinese.extend_from_slice(&gb);
        chinese.extend_from_slice(CHINESE_OFF);
        chinese.extend_from_slice(b" ok");
        assert!(find(&bytes, &chinese).is_some(), "{bytes:?}");
        // No UTF-8 anywhere.
        assert!(find(&bytes, "é".as_bytes()).is_none());
    }

    #[test]
    fn french_accents_and_the_typographic_apostrophe_are_wpc1252() {
        // The French receipt's words: é à ç ô ù, É, ’ (U+2019, 0x92 in WPC1252), «», N°.
        let bytes = encode(&[row("Payé à ç ô ù É d’autorisation « N° »")], 48).unwrap();
        assert!(
            find(
                &bytes,
                b"Pay\xE9 \xE0 \xE7 \xF4 \xF9 \xC9 d\x92autorisation \xAB N\xB0 \xBB"
            )
            .is_some(),
            "{bytes:?}"
        );
        assert!(!bytes.contains(&b'?'), "{bytes:?}");
    }

    #[test]
    fn what_no_code_page_carries_is_a_question_mark() {
        let bytes = encode(&[row("राम ₹5 Ж")], 32).unwrap();
        assert!(find(&bytes, b"?? ?5 ?").is_some(), "{bytes:?}");
    }

    #[test]
    fn style_commands() {
        let mut title = row("BIG");
        title.double = true;
        title.bold = true;
        title.align = Align::Center;
        let bytes = encode(&[title], 48).unwrap();
        // ESC a 1 (centre), ESC E 1 (bold), GS ! 0x11 (double width and height).
        for command in [&[0x1B, b'a', 1][..], &[0x1B, b'E', 1], &[0x1D, b'!', 0x11]] {
            assert!(find(&bytes, command).unwrap() < find(&bytes, b"BIG").unwrap());
        }
    }
}
