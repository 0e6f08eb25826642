//! Client authentication at `/token`, `/revoke` and `/introspect`:
//! `PresentedClientAuth::from_request` with an `Authorization` header and
//! the `client_id` / `client_secret` form fields.
//!
//! Invariants: nothing panics; two methods at once are never accepted; a
//! Basic header yields the client it names, and a form `client_id` next to
//! it must name the same one.
#![no_main]

use latchkey_oidc::clients::PresentedClientAuth;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\n');
    let header = parts.next().filter(|s| !s.is_empty());
    let form_id = parts.next().filter(|s| !s.is_empty());
    let form_secret = parts.next().filter(|s| !s.is_empty());
    if let Some(h) = header {
        let _ = PresentedClientAuth::from_basic_header(h);
    }
    let Ok(auth) = PresentedClientAuth::from_request(header, form_id, form_secret) else {
        return;
    };
    let has_header = header.is_some_and(|h| !h.trim().is_empty());
    if has_header {
        assert!(matches!(auth, PresentedClientAuth::Basic { .. }));
        assert!(form_secret.is_none());
        if let Some(id) = form_id {
            assert_eq!(id, auth.client_id().as_str());
        }
    } else {
        assert_eq!(Some(auth.client_id().as_str()), form_id);
    }
});
