//! The authorization request: a query string as `/authorize` receives it,
//! through `authorize::client_id` and `authorize::validate`.
//!
//! Invariants: nothing panics; an accepted request and every redirected
//! error go to a registered redirect URI, byte for byte; an error redirect
//! keeps that URI as its prefix; an accepted request asks only for the
//! client's scopes and resources.
#![no_main]

use latchkey_core::ClientId;
use latchkey_oidc::authorize::{self, AuthorizeError, ClientFacts};
use libfuzzer_sys::fuzz_target;

const REGISTERED: [&str; 3] = [
    "https://rp.example/cb",
    "com.example.app:/cb",
    "http://127.0.0.1:8080/cb?x=1",
];
const SCOPES: [&str; 5] = ["openid", "profile", "email", "offline_access", "orders:read"];
const RESOURCES: [&str; 2] = ["https://api.example/orders", "http://localhost:9000/"];

fuzz_target!(|data: &[u8]| {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(data).into_owned().collect();
    let id = match authorize::client_id(&params) {
        Ok(id) => id,
        Err(_) => ClientId::parse("app").expect("a valid client id"),
    };
    let client = ClientFacts {
        id,
        redirect_uris: REGISTERED.iter().map(|s| (*s).to_owned()).collect(),
        scopes: SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        resources: RESOURCES.iter().map(|s| (*s).to_owned()).collect(),
    };
    match authorize::validate(&params, &client) {
        Ok(request) => {
            assert!(REGISTERED.contains(&request.redirect_uri.as_str()));
            assert_eq!(request.code_challenge.len(), 43);
            assert!(request.scopes.iter().all(|s| SCOPES.contains(&s.as_str())));
            assert!(
                request
                    .resources
                    .iter()
                    .all(|r| RESOURCES.contains(&r.as_str()))
            );
            let _ = request.scope();
        }
        Err(AuthorizeError::Redirect(e)) => {
            assert!(REGISTERED.contains(&e.redirect_uri.as_str()));
            let url = e.to_url("https://id.example");
            assert!(url.starts_with(&e.redirect_uri));
            assert!(!url[e.redirect_uri.len()..].contains('#'));
        }
        Err(AuthorizeError::Untrusted(_)) => {}
    }
});
