//! Redirect URIs: `redirect::validate` (registration) and
//! `redirect::exact_match` (every authorization request).
//!
//! Invariants: nothing panics; a URI that passes `validate` has no fragment,
//! no user information, no whitespace, control character or backslash, and
//! for http(s) a host that is written in it (not invented by the URL
//! parser's repairs); `exact_match` finds only a byte-identical URI.
#![no_main]

use latchkey_oidc::redirect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // First line: a URI to register; the rest: a presented one.
    let (registered, presented) = text.split_once('\n').unwrap_or((text, text));
    if redirect::validate(registered).is_ok() {
        assert!(!registered.contains('#'));
        assert!(
            !registered
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        );
        let url = url::Url::parse(registered).expect("a valid URI parses");
        assert!(url.username().is_empty() && url.password().is_none());
        if matches!(url.scheme(), "http" | "https") {
            let host = url.host_str().expect("http(s) has a host");
            assert!(!host.is_empty());
            // The host is in the text right after `scheme://`, not repaired
            // into existence (`https:///cb`, `https:cb`).
            let lower = registered.to_ascii_lowercase();
            let after = lower
                .strip_prefix(&format!("{}://", url.scheme()))
                .expect("http(s) is written with //");
            assert!(!after.starts_with('/'), "{registered:?}");
        }
    }
    let list = vec![registered.to_owned(), "https://rp.example/cb".to_owned()];
    if let Some(found) = redirect::exact_match(&list, presented) {
        assert_eq!(found.as_bytes(), presented.as_bytes());
    }
});
