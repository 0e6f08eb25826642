//! Which language a page or message is in. In this order: the `ui_locales`
//! of the authorization request being continued (OpenID Connect Core
//! §3.1.2.1), the signed-in account's stored choice, `Accept-Language`, then
//! English.

use crate::Locale;

/// What is known about the person's language, strongest first.
#[derive(Debug, Default, Clone, Copy)]
pub struct Preferences<'a> {
    /// `ui_locales` of the authorization request: space-separated tags,
    /// most preferred first.
    pub ui_locales: Option<&'a str>,
    /// The signed-in account's stored choice (a shipped code).
    pub account: Option<&'a str>,
    /// The `Accept-Language` header.
    pub accept_language: Option<&'a str>,
}

/// The language for `p`: the first source that names a shipped language
/// decides; a source naming none leaves the choice to the next.
pub fn negotiate(p: &Preferences<'_>) -> Locale {
    p.ui_locales
        .and_then(|v| v.split(' ').find_map(Locale::for_tag))
        .or_else(|| p.account.and_then(Locale::from_code))
        .or_else(|| p.accept_language.and_then(accept_language))
        .unwrap_or(Locale::DEFAULT)
}

/// The most wanted shipped language of an `Accept-Language` header
/// (RFC 9110 §12.5.4): tags by their `q` (1 when absent, `q=0` is "not
/// this"), ties in the order given; `*` names no particular language.
pub fn accept_language(header: &str) -> Option<Locale> {
    let mut ranked: Vec<(u16, usize, &str)> = header
        .split(',')
        .take(32)
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), parse_q)?;
            (q > 0 && !tag.is_empty() && tag != "*").then_some((q, i, tag))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked
        .into_iter()
        .find_map(|(_, _, tag)| Locale::for_tag(tag))
}

/// A quality value in thousandths (`0.8` is 800); `None` when malformed.
fn parse_q(v: &str) -> Option<u16> {
    let v = v.trim();
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value: u16 = format!("{frac:0<3}").parse().ok()?;
    match int {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}
