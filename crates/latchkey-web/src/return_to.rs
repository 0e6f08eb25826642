//! Where a browser may be sent back to after sign-in, step-up or adding a
//! passkey: a path on this site, never another origin (no open redirect).
//!
//! A `next` value is not checked as text but resolved as a URL, the way the
//! browser will resolve it: the WHATWG URL parser drops tab, LF and CR
//! anywhere, reads `\` as `/` and treats a leading `//` as an authority, so
//! `/<TAB>/evil.example`, `/\evil.example` and `//evil.example` all name
//! another host. Only a reference that resolves to the same origin as the
//! base and is returned in the parser's own serialisation (so the browser
//! reads exactly what was checked) is followed.

use url::Url;

/// The base `safe_next` resolves against where the issuer is not at hand: a
/// reserved name (RFC 2606) standing for "this site". Only paths without an
/// authority pass, and those keep whatever origin the browser is on.
pub const BASE: &str = "https://this-site.invalid/";

/// The longest `next` followed; anything longer goes to the fallback.
pub const MAX_LEN: usize = 2048;

/// Resolves `raw` against `base` and returns it as an absolute path (path,
/// query and fragment, serialised by the URL parser) if it stays on `base`'s
/// origin; `None` otherwise.
///
/// Security invariants enforced here:
/// - the input must be a relative reference starting with `/` (an absolute
///   URL, even of this origin, is refused: our pages never produce one);
/// - the resolved URL must have `base`'s origin (scheme, host, port);
/// - the returned path never starts with `//` (which a browser would read as
///   another host: `/.//evil.example` resolves to the path `//evil.example`);
/// - the returned text is the parser's serialisation, percent-encoded, with
///   no whitespace, control character or backslash left in it.
pub fn same_origin_path(raw: &str, base: &Url) -> Option<String> {
    if raw.is_empty() || raw.len() > MAX_LEN || !raw.starts_with('/') {
        return None;
    }
    // Control characters and backslashes are what the parser strips or
    // reinterprets; a path of ours never contains them.
    if raw.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let resolved = base.join(raw).ok()?;
    if resolved.origin() != base.origin() || !resolved.username().is_empty() {
        return None;
    }
    let path = resolved.path();
    if !path.starts_with('/') || path.starts_with("//") {
        return None;
    }
    let mut out = path.to_owned();
    if let Some(q) = resolved.query() {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = resolved.fragment() {
        out.push('#');
        out.push_str(f);
    }
    (out.len() <= MAX_LEN).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://id.example.com").unwrap()
    }

    fn check(raw: &str) -> Option<String> {
        same_origin_path(raw, &base())
    }

    #[test]
    fn a_local_path_with_query_and_fragment_is_followed() {
        assert_eq!(
            check("/authorize/continue?r=abc&x=1#top").as_deref(),
            Some("/authorize/continue?r=abc&x=1#top")
        );
        assert_eq!(check("/account").as_deref(), Some("/account"));
        // Dot segments are resolved, as the browser would.
        assert_eq!(check("/a/../account").as_deref(), Some("/account"));
    }

    #[test]
    fn characters_browsers_strip_or_reinterpret_are_refused() {
        for raw in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\\/evil.example",
            "/account\u{0}",
        ] {
            assert_eq!(check(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn other_hosts_and_origins_are_refused() {
        for raw in [
            "//evil.example",
            "//evil.example/path",
            "///evil.example",
            "/.//evil.example",
            "/./..//evil.example",
            "https://evil.example/",
            "http://id.example.com/account",
            "https://id.example.com:444/account",
            "https://id.example.com/account",
            "javascript:alert(1)",
            "evil.example",
            "",
        ] {
            assert_eq!(check(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn encoded_separators_stay_encoded_in_the_path() {
        // Percent-encoded tab, LF, slash and backslash are not decoded by the
        // browser into an authority: they stay in the path, on this origin.
        for raw in [
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
        ] {
            let out = check(raw).unwrap_or_else(|| panic!("{raw:?}"));
            assert_eq!(out, raw, "{raw:?}");
            let again = base().join(&out).unwrap();
            assert_eq!(again.origin(), base().origin(), "{raw:?}");
        }
    }

    #[test]
    fn the_result_is_percent_encoded_and_too_long_values_are_refused() {
        assert_eq!(check("/a b").as_deref(), Some("/a%20b"));
        assert_eq!(check(&format!("/{}", "a".repeat(MAX_LEN))), None);
    }
}
