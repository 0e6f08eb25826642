//! What an instance's branding may be: its name, a primary colour that
//! keeps white text readable (WCAG 2.x AA, 4.5:1), and a logo that is a
//! small PNG or a plain SVG. Every check here refuses with a sentence an
//! administrator can act on; nothing is stored by this module.

use std::fmt;

/// The most bytes a logo (the instance's or an application's) may have.
pub const LOGO_MAX_BYTES: usize = 100 * 1024;
/// The largest width or height of a PNG logo, in pixels.
pub const LOGO_MAX_PIXELS: u32 = 1024;
/// The longest instance name, in characters.
pub const NAME_MAX_CHARS: usize = 64;
/// The contrast WCAG 2.x AA asks of normal text.
pub const AA_CONTRAST: f64 = 4.5;

/// Why a branding value was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BrandingError {
    #[error("The name must be 1 to {NAME_MAX_CHARS} characters, without control characters.")]
    Name,
    #[error("{0:?} is not a colour: write it as #rrggbb, for example #1f4fd1.")]
    ColourSyntax(String),
    #[error(
        "{colour} gives white button text a contrast ratio of {ratio:.2}:1; WCAG AA needs at least 4.5:1. Choose a darker colour."
    )]
    Contrast { colour: Colour, ratio: f64 },
    #[error(
        "{0:?} is not a support link: give an https address (http only to this machine), without a user name or password, of at most 512 characters."
    )]
    SupportUrl(String),
    #[error("The logo is {0} bytes; at most 102400 bytes (100 KiB) are accepted.")]
    LogoTooLarge(usize),
    #[error("The logo must be a PNG or an SVG image.")]
    LogoType,
    #[error("The PNG logo is {0}×{1} pixels; at most 1024×1024 are accepted.")]
    LogoDimensions(u32, u32),
    #[error(
        "The SVG logo contains {0}, which is not accepted: scripts, event handlers, embedded documents and links to other sites are refused."
    )]
    SvgActive(&'static str),
}

/// An sRGB colour, written `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub [u8; 3]);

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

impl Colour {
    pub const WHITE: Colour = Colour([0xff, 0xff, 0xff]);

    /// Parses `#rrggbb` or `#rgb` (case-insensitive, surrounding blanks
    /// ignored).
    pub fn parse(s: &str) -> Result<Self, BrandingError> {
        let bad = || BrandingError::ColourSyntax(s.to_owned());
        let hex = s.trim().strip_prefix('#').ok_or_else(bad)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let digit = |i: usize, len: usize| -> Result<u8, BrandingError> {
            u8::from_str_radix(&hex[i..i + len], 16).map_err(|_| bad())
        };
        match hex.len() {
            6 => Ok(Colour([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?])),
            3 => Ok(Colour([
                digit(0, 1)? * 17,
                digit(1, 1)? * 17,
                digit(2, 1)? * 17,
            ])),
            _ => Err(bad()),
        }
    }

    /// Relative luminance (WCAG 2.x definition).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    /// The contrast ratio between two colours, 1 to 21.
    pub fn contrast(self, other: Colour) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// A colour for a primary action's background: white text on it must
    /// meet WCAG AA. The ratio is rounded down to two decimals before the
    /// comparison, as the message shows it.
    pub fn parse_primary(s: &str) -> Result<Self, BrandingError> {
        let colour = Self::parse(s)?;
        let ratio = colour.contrast(Self::WHITE);
        if (ratio * 100.0).floor() / 100.0 < AA_CONTRAST {
            return Err(BrandingError::Contrast { colour, ratio });
        }
        Ok(colour)
    }

    /// The same colour darkened by `by` (0 to 1), for the hover state.
    pub fn darker(self, by: f64) -> Colour {
        let scale = |c: u8| (f64::from(c) * (1.0 - by)).round().clamp(0.0, 255.0) as u8;
        let [r, g, b] = self.0;
        Colour([scale(r), scale(g), scale(b)])
    }
}

/// A checked instance name: trimmed, 1 to 64 characters, no control
/// characters.
pub fn check_name(name: &str) -> Result<String, BrandingError> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(BrandingError::Name);
    }
    Ok(name.to_owned())
}

/// The image types a logo may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoType {
    Png,
    Svg,
}

impl LogoType {
    pub fn mime(self) -> &'static str {
        match self {
            LogoType::Png => "image/png",
            LogoType::Svg => "image/svg+xml",
        }
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        match mime {
            "image/png" => Some(LogoType::Png),
            "image/svg+xml" => Some(LogoType::Svg),
            _ => None,
        }
    }
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Checks a logo's bytes and tells its type from its content (never from a
/// file name or a client's claim): a PNG at most 1024 px a side, or an SVG
/// without scripts, event handlers, embedded documents or references to
/// other origins. At most [`LOGO_MAX_BYTES`] either way.
pub fn check_logo(bytes: &[u8]) -> Result<LogoType, BrandingError> {
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(BrandingError::LogoTooLarge(bytes.len()));
    }
    if bytes.starts_with(PNG_MAGIC) {
        // The IHDR chunk comes first: length (4), "IHDR", width, height.
        let ihdr = bytes.get(8..24).ok_or(BrandingError::LogoType)?;
        if &ihdr[4..8] != b"IHDR" {
            return Err(BrandingError::LogoType);
        }
        let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let (w, h) = (be(&ihdr[8..12]), be(&ihdr[12..16]));
        if w == 0 || h == 0 || w > LOGO_MAX_PIXELS || h > LOGO_MAX_PIXELS {
            return Err(BrandingError::LogoDimensions(w, h));
        }
        return Ok(LogoType::Png);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| BrandingError::LogoType)?;
    check_svg(text)?;
    Ok(LogoType::Svg)
}

/// An SVG is accepted when its root element is `<svg` and it holds nothing
/// active. The check is deliberately blunt (substring tests on the
/// lower-cased text): a logo has no reason to contain any of these, and
/// the logo is also served with a sandboxing Content-Security-Policy.
fn check_svg(text: &str) -> Result<(), BrandingError> {
    let lower = text.to_ascii_lowercase();
    let mut rest = lower.trim_start_matches('\u{feff}').trim_start();
    // An XML declaration, comments and a doctype may come before the root.
    loop {
        if let Some(after) = rest.strip_prefix("<?xml") {
            rest = after.split_once("?>").ok_or(BrandingError::LogoType)?.1;
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->").ok_or(BrandingError::LogoType)?.1;
        } else if rest.starts_with("<!doctype") {
            return Err(BrandingError::SvgActive("a document type declaration"));
        } else {
            break;
        }
        rest = rest.trim_start();
    }
    if !rest.starts_with("<svg") {
        return Err(BrandingError::LogoType);
    }
    const ACTIVE: &[(&str, &str)] = &[
        ("<script", "a script"),
        ("javascript:", "a javascript: link"),
        ("<foreignobject", "embedded HTML (foreignObject)"),
        ("<iframe", "an embedded document"),
        ("<embed", "an embedded document"),
        ("<object", "an embedded document"),
        ("<!entity", "an entity declaration"),
        ("<!doctype", "a document type declaration"),
        ("@import", "a style sheet import"),
        ("http:", "a link to another site"),
        ("https:", "a link to another site"),
        ("data:", "an embedded data: URL"),
    ];
    for (needle, what) in ACTIVE {
        // The SVG namespace itself is an http: URL, and an identifier.
        let cleaned = lower
            .replace("http://www.w3.org/2000/svg", "")
            .replace("http://www.w3.org/1999/xlink", "");
        if cleaned.contains(needle) {
            return Err(BrandingError::SvgActive(what));
        }
    }
    if has_event_handler(&lower) {
        return Err(BrandingError::SvgActive("an event handler (on… attribute)"));
    }
    Ok(())
}

/// Whether any attribute name starts with `on` (onload, onclick, …): a
/// blank, `on`, letters, optional blanks, `=`, inside a tag.
fn has_event_handler(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    (0..bytes.len()).any(|i| {
        if !bytes[i].is_ascii_whitespace() || !lower[i + 1..].starts_with("on") {
            return false;
        }
        let rest = &bytes[i + 3..];
        let name = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        let after = rest[name..].iter().find(|b| !b.is_ascii_whitespace());
        name > 0 && after == Some(&b'=') && in_tag(lower, i)
    })
}

/// Whether byte `at` lies inside a tag (after a `<` with no `>` between).
fn in_tag(lower: &str, at: usize) -> bool {
    let before = &lower[..at];
    match (before.rfind('<'), before.rfind('>')) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_in_both_forms_and_refuse_anything_else() {
        assert_eq!(Colour::parse("#1F4FD1"), Ok(Colour([0x1f, 0x4f, 0xd1])));
        assert_eq!(Colour::parse(" #abc "), Ok(Colour([0xaa, 0xbb, 0xcc])));
        for bad in [
            "1f4fd1",
            "#1f4fd",
            "#1f4fd1ff",
            "#ggg",
            "",
            "#",
            "red",
            "#+1f4fd",
        ] {
            assert!(
                matches!(Colour::parse(bad), Err(BrandingError::ColourSyntax(_))),
                "{bad}"
            );
        }
        assert_eq!(Colour([0x1f, 0x4f, 0xd1]).to_string(), "#1f4fd1");
    }

    #[test]
    fn contrast_follows_wcag() {
        // Black on white is 21:1, a colour with itself 1:1.
        let black = Colour([0, 0, 0]);
        assert!((black.contrast(Colour::WHITE) - 21.0).abs() < 1e-9);
        assert!((Colour::WHITE.contrast(Colour::WHITE) - 1.0).abs() < 1e-9);
        // #767676 is the well-known lightest grey passing AA on white (4.54).
        let grey = Colour([0x76, 0x76, 0x76]);
        assert!((grey.contrast(Colour::WHITE) - 4.54).abs() < 0.01);
        assert!(Colour::parse_primary("#767676").is_ok());
        // #777777 is 4.48:1: refused, with the ratio in the message.
        let err = Colour::parse_primary("#777777").unwrap_err();
        assert!(err.to_string().contains("4.48:1"), "{err}");
        assert!(err.to_string().contains("4.5:1"), "{err}");
        let yellow = Colour::parse_primary("#ffcc00").unwrap_err();
        assert!(yellow.to_string().contains("1.51:1"), "{yellow}");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  Acme ID "), Ok("Acme ID".into()));
        assert_eq!(check_name(""), Err(BrandingError::Name));
        assert_eq!(check_name("   "), Err(BrandingError::Name));
        assert_eq!(check_name("a\u{7}b"), Err(BrandingError::Name));
        assert_eq!(check_name(&"é".repeat(64)), Ok("é".repeat(64)));
        assert_eq!(check_name(&"é".repeat(65)), Err(BrandingError::Name));
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut v = PNG_MAGIC.to_vec();
        v.extend_from_slice(&13u32.to_be_bytes());
        v.extend_from_slice(b"IHDR");
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        v
    }

    #[test]
    fn logos_are_told_by_content_and_bounded() {
        assert_eq!(check_logo(&png(64, 64)), Ok(LogoType::Png));
        assert_eq!(
            check_logo(&png(2048, 10)),
            Err(BrandingError::LogoDimensions(2048, 10))
        );
        assert_eq!(
            check_logo(&png(0, 10)),
            Err(BrandingError::LogoDimensions(0, 10))
        );
        assert_eq!(check_logo(PNG_MAGIC), Err(BrandingError::LogoType));
        let svg = r##"<?xml version="1.0"?><!-- logo --><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#123"/></svg>"##;
        assert_eq!(check_logo(svg.as_bytes()), Ok(LogoType::Svg));
        assert_eq!(check_logo(b"GIF89a...."), Err(BrandingError::LogoType));
        assert_eq!(check_logo(b"<html></html>"), Err(BrandingError::LogoType));
        let big = vec![b' '; LOGO_MAX_BYTES + 1];
        assert_eq!(
            check_logo(&big),
            Err(BrandingError::LogoTooLarge(LOGO_MAX_BYTES + 1))
        );
    }

    #[test]
    fn active_svg_is_refused() {
        let wrap =
            |inner: &str| format!(r#"<svg xmlns="http://www.w3.org/2000/svg">{inner}</svg>"#);
        for (inner, what) in [
            ("<script>alert(1)</script>", "script"),
            (r#"<rect onload="alert(1)"/>"#, "event handler"),
            (r#"<rect  ONCLICK = "x"/>"#, "event handler"),
            (r#"<a href="javascript:alert(1)">x</a>"#, "javascript"),
            ("<foreignObject><p>x</p></foreignObject>", "foreignObject"),
            (
                r#"<image href="https://evil.example/x.png"/>"#,
                "another site",
            ),
            (r#"<image href="data:image/png;base64,AAAA"/>"#, "data:"),
            ("<style>@import url(x.css);</style>", "import"),
        ] {
            let err = check_logo(wrap(inner).as_bytes()).unwrap_err();
            assert!(err.to_string().contains(what), "{inner}: {err}");
        }
        let doctype = r#"<!DOCTYPE svg [<!ENTITY x "y">]><svg></svg>"#;
        assert!(matches!(
            check_logo(doctype.as_bytes()),
            Err(BrandingError::SvgActive(_))
        ));
        // Text that merely mentions "on" is fine.
        let text = wrap(r#"<text x="1" y="2">Sign on now</text><g id="one" class="icon"/>"#);
        assert_eq!(check_logo(text.as_bytes()), Ok(LogoType::Svg));
    }

    #[test]
    fn darker_keeps_the_hue_and_gets_darker() {
        let c = Colour([0x40, 0x80, 0xc0]);
        let d = c.darker(0.25);
        assert_eq!(d, Colour([0x30, 0x60, 0x90]));
        assert!(d.luminance() < c.luminance());
    }
}
