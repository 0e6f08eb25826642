//! `next` after sign-in: `return_to::same_origin_path` (the file itself,
//! included by path: it depends on `url` only).
//!
//! Invariants: nothing panics; an accepted value starts with one `/`, has
//! no whitespace, control character or backslash, resolves against any
//! base to that base's origin, and is accepted again unchanged.
#![no_main]

#[path = "../../crates/latchkey-web/src/return_to.rs"]
#[allow(dead_code)]
mod return_to;

use libfuzzer_sys::fuzz_target;
use url::Url;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let base = Url::parse(return_to::BASE).expect("the base parses");
    let Some(out) = return_to::same_origin_path(raw, &base) else {
        return;
    };
    assert!(
        out.starts_with('/') && !out.starts_with("//"),
        "{raw:?} -> {out:?}"
    );
    assert!(
        !out.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\'),
        "{raw:?} -> {out:?}"
    );
    for other in [
        "https://id.example.com",
        "http://localhost:8080",
        "https://a.b.example:8443",
    ] {
        let other = Url::parse(other).expect("a base");
        let resolved = other.join(&out).expect("a path resolves");
        assert_eq!(resolved.origin(), other.origin(), "{raw:?} -> {out:?}");
    }
    assert_eq!(
        return_to::same_origin_path(&out, &base).as_deref(),
        Some(out.as_str()),
        "{raw:?}"
    );
});
