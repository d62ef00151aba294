//! Cells a spreadsheet would run as a formula, written so it shows them as text instead.

/// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return as a
/// formula, and some trim what hides in front of it first: spaces, line breaks, zero-width
/// characters (U+200B..U+200D, U+2060, U+FEFF) and bidi controls (U+200E, U+200F,
/// U+202A..U+202E, U+2066..U+2069). A cell whose first visible character is a formula prefix
/// is written with a leading apostrophe, which spreadsheets hide and treat as "text". A value
/// that itself starts with an apostrophe gets one more, so the rule back is exact: a cell that
/// starts with `'` is the raw value with one apostrophe added.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_risky(cell.as_bytes()) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn is_risky(cell: &[u8]) -> bool {
    match cell.first() {
        None => false,
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'') => true,
        // The common case (a number, a name, an order number) decided by its first byte.
        Some(b) if b.is_ascii_alphanumeric() => false,
        Some(_) => risky_behind_invisible(cell),
    }
}

/// Whether a formula prefix follows what a spreadsheet may skip at the start of a cell.
fn risky_behind_invisible(cell: &[u8]) -> bool {
    let text = match std::str::from_utf8(cell) {
        Ok(text) => text,
        Err(e) => match std::str::from_utf8(&cell[..e.valid_up_to()]) {
            Ok(text) => text,
            Err(_) => return false,
        },
    };
    for c in text.chars() {
        match c {
            '=' | '+' | '-' | '@' | '\t' | '\r' => return true,
            ' '
            | '\n'
            | '\u{a0}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2060}'
            | '\u{feff}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => continue,
            c if c.is_whitespace() => continue,
            _ => return false,
        }
    }
    false
}

/// The raw value of an exported cell: `neutralise` undone (one leading apostrophe removed).
pub fn raw_value(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// Writes `text` into `cell`, neutralised (see [`neutralise`]).
#[inline]
pub(super) fn push_neutralised(cell: &mut Vec<u8>, text: &[u8]) {
    if is_risky(text) {
        cell.push(b'\'');
    }
    cell.extend_from_slice(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for risky in [
            "=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'quoted", "'=1",
        ] {
            assert_eq!(neutralise(risky), format!("'{risky}"));
            assert_eq!(raw_value(&neutralise(risky)), risky);
        }
        for safe in [
            "PD123",
            "12.50",
            "",
            "a=b",
            " a=1",
            "\u{200b}PD1",
            "\u{202e}abc",
            " ",
        ] {
            assert_eq!(neutralise(safe), safe);
            assert_eq!(raw_value(&neutralise(safe)), safe);
        }
    }

    #[test]
    fn a_formula_behind_spaces_is_neutralised() {
        for risky in [" =1+1", "   +1", "  -2", " @SUM(A1)", " \tx", "\u{a0}=1"] {
            assert_eq!(neutralise(risky), format!("'{risky}"), "{risky:?}");
            assert_eq!(raw_value(&neutralise(risky)), risky);
        }
    }

    #[test]
    fn a_formula_behind_zero_width_characters_is_neutralised() {
        for zw in ['\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}'] {
            for prefix in ['=', '+', '-', '@'] {
                let cell = format!("{zw}{prefix}HYPERLINK(\"x\")");
                assert_eq!(neutralise(&cell), format!("'{cell}"), "{cell:?}");
            }
        }
        assert_eq!(neutralise("\u{200b} \u{feff}=1"), "'\u{200b} \u{feff}=1");
    }

    #[test]
    fn a_formula_behind_line_breaks_is_neutralised() {
        for cell in ["\n=1+1", "\n\n+1", " \n-1", "\n@x", "\n\r=1"] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
        assert_eq!(neutralise("\nabc"), "\nabc");
    }

    #[test]
    fn a_formula_behind_bidi_controls_is_neutralised() {
        let controls = [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}',
        ];
        for control in controls {
            for prefix in ['=', '+', '-', '@', '\t'] {
                let cell = format!("{control}{prefix}1");
                assert_eq!(neutralise(&cell), format!("'{cell}"), "{cell:?}");
            }
        }
        assert_eq!(
            neutralise("\u{202e}\u{2066} =cmd"),
            "'\u{202e}\u{2066} =cmd"
        );
    }
}
