//! QR codes for the counter: rendered once, in the core, as SVG the window shows at any size.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use paydesk_domain::error::{Error, Result};

/// An SVG QR code of `data`, with its quiet zone, scaling to its container.
pub fn svg(data: &str) -> Result<String> {
    // Level M survives a scuffed or glary screen and keeps payment URLs at a scannable density.
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| Error::Internal(format!("cannot draw a QR code for this link: {e}")))?;
    let document = code
        .render::<svg::Color<'_>>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // The XML prolog means nothing inside an HTML page: keep just the <svg> element.
    let start = document.find("<svg").unwrap_or(0);
    Ok(document[start..].to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_an_svg() {
        let svg = super::svg("weixin://wxpay/bizpayurl?pr=abc").unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
