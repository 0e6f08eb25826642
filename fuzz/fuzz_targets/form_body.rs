//! Form bodies of the OAuth endpoints: `application/x-www-form-urlencoded`
//! parsed into pairs with every name at most once, the steps `/token`'s
//! `Form::parse` takes, then the pairs as `/authorize` reads them.
//!
//! Invariants: nothing panics; duplicate detection agrees with a set of the
//! names; serialising the pairs and parsing them again gives the same pairs.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(data).into_owned().collect();
    let mut seen = BTreeSet::new();
    let unique = pairs.iter().all(|(k, _)| seen.insert(k.as_str()));
    let names: BTreeSet<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(unique, names.len() == pairs.len());

    let again: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter())
        .finish();
    let reparsed: Vec<(String, String)> = url::form_urlencoded::parse(again.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(reparsed, pairs);

    if unique {
        let _ = latchkey_oidc::authorize::client_id(&pairs);
        let _ = latchkey_oidc::clients::PresentedClientAuth::from_request(
            None,
            pairs
                .iter()
                .find(|(k, _)| k == "client_id")
                .map(|(_, v)| v.as_str()),
            pairs
                .iter()
                .find(|(k, _)| k == "client_secret")
                .map(|(_, v)| v.as_str()),
        );
    }
});
