//! Writing request fields the way gateways take them: lengths checked by name, free text cut
//! to size, amounts as exact JSON numbers.

use paydesk_domain::error::{Error, Result};

/// Refuses a value longer than the gateway allows, naming the field, before anything is sent.
pub fn check_length(field: &'static str, value: &str, max: usize) -> Result<()> {
    let length = value.chars().count();
    if length > max {
        return Err(Error::invalid(
            field,
            format!("{field} is {length} characters; the gateway takes at most {max}"),
        ));
    }
    Ok(())
}

/// The JSON text of `body` with the string `marker` replaced by `decimal` as a bare JSON
/// number: amounts that a gateway wants as a number are written from their decimal text,
/// never through a float.
pub fn json_with_decimal(body: &serde_json::Value, marker: &str, decimal: &str) -> Result<String> {
    let (whole, fraction) = decimal.split_once('.').unwrap_or((decimal, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(Error::Internal(format!(
            "{decimal:?} is not a decimal amount"
        )));
    }
    let text = body.to_string();
    let quoted = serde_json::to_string(marker).map_err(|e| Error::Internal(e.to_string()))?;
    if text.matches(&quoted).count() != 1 {
        return Err(Error::Internal("the amount marker must appear once".into()));
    }
    Ok(text.replacen(&quoted, decimal, 1))
}

/// Cuts free text to a gateway's field size, on a character boundary.
pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}
