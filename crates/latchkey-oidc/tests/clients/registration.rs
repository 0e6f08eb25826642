//! Registering clients: validation, secrets shown once and stored hashed,
//! the audit record.

use latchkey_core::{Acr, HashedToken};
use latchkey_oidc::clients::{
    self, ClientAuthMethod, ClientRegistration, RegistrationError, register,
};
use latchkey_oidc::redirect::RedirectUriError;
use latchkey_store::clients as store;
use latchkey_testkit::TestDb;

use crate::{at, audit_events, chain, conn, t0};

fn wiki() -> ClientRegistration {
    ClientRegistration {
        post_logout_redirect_uris: vec!["https://wiki.example.com/".into()],
        min_acr: Some(Acr::Phrh),
        first_party: true,
        ..ClientRegistration::new(
            "Wiki",
            vec![
                "https://wiki.example.com/oidc/callback".into(),
                "http://localhost:8080/callback".into(),
            ],
        )
    }
}

#[test]
fn confidential_client_gets_a_secret_that_is_stored_only_as_its_hash() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let (id, secret) = register(&mut c, &chain(), "cli", &wiki(), at(5)).unwrap();

    let secret = secret.expect("a confidential client gets a secret");
    assert!(secret.expose().starts_with("lkcs_"));
    let row = store::find(&mut c, &id).unwrap().unwrap();
    assert_eq!(row.auth_method, "client_secret_basic");
    let stored = row.secret_hash.clone().unwrap();
    assert_eq!(stored, secret.hashed().as_bytes().to_vec());
    assert_ne!(stored, secret.expose().as_bytes().to_vec());
    assert!(
        row.secret()
            .unwrap()
            .matches(&HashedToken::of(secret.expose()))
    );

    let client = clients::find(&mut c, &id).unwrap().unwrap();
    assert_eq!(client.name, "Wiki");
    assert_eq!(client.auth_method, ClientAuthMethod::ClientSecretBasic);
    assert!(!client.is_public());
    assert_eq!(client.min_acr, Some(Acr::Phrh));
    assert!(client.first_party);
    assert_eq!(
        client.id_token_alg,
        latchkey_oidc::signing::SigningAlg::Es256
    );
    assert_eq!(client.redirect_uris, wiki().redirect_uris);
    assert_eq!(
        client.post_logout_redirect_uris,
        vec!["https://wiki.example.com/"]
    );
    assert!(!client.disabled);
    assert!(
        !format!("{client:?}").contains(&secret.hashed().to_hex()),
        "Debug of a client does not print its secret hash"
    );
}

#[test]
fn public_client_gets_no_secret_and_authenticates_with_none() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let reg = ClientRegistration {
        public: true,
        id_token_alg: "EdDSA".into(),
        ..ClientRegistration::new("CLI", vec!["com.example.cli:/callback".into()])
    };

    let (id, secret) = register(&mut c, &chain(), "cli", &reg, t0()).unwrap();

    assert!(secret.is_none());
    let client = clients::find(&mut c, &id).unwrap().unwrap();
    assert!(client.is_public());
    assert_eq!(client.auth_method, ClientAuthMethod::None);
    assert_eq!(
        client.id_token_alg,
        latchkey_oidc::signing::SigningAlg::EdDsa
    );
    assert_eq!(store::find(&mut c, &id).unwrap().unwrap().secret_hash, None);
}

#[test]
fn registration_is_audited_without_the_secret() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let (id, secret) = register(&mut c, &chain(), "admin-1", &wiki(), at(1)).unwrap();

    let events = audit_events(&mut c, "client.created");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.actor.as_deref(), Some("admin-1"));
    assert_eq!(e.subject.as_deref(), Some(id.as_str()));
    let secret = secret.unwrap();
    assert!(!e.detail.contains(secret.expose()));
    assert!(!e.detail.contains(&secret.hashed().to_hex()));
    assert!(!e.detail.contains("lkcs_"));
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
    assert_eq!(detail["name"], "Wiki");
    assert_eq!(detail["public"], false);
    assert_eq!(detail["min_acr"], "phrh");
    assert_eq!(chain().verify(&mut c).unwrap().broken, None);
}

#[test]
fn each_bad_redirect_uri_is_refused_with_its_reason_and_nothing_is_stored() {
    use RedirectUriError as E;
    let db = TestDb::new();
    let mut c = conn(&db);
    let cases = [
        ("", E::Empty),
        ("/callback", E::NotAbsolute),
        ("https://app.example.com/cb#x", E::Fragment),
        ("http://app.example.com/cb", E::InsecureHttp),
        ("https://u:p@app.example.com/cb", E::Userinfo),
        (
            "javascript:alert(1)",
            E::UnsupportedScheme("javascript".into()),
        ),
        ("https://app.example.com/cb ", E::ForbiddenCharacter),
        ("https:///cb", E::MissingHost),
        ("https:cb", E::MissingHost),
    ];
    for (uri, want) in cases {
        let reg =
            ClientRegistration::new("App", vec!["https://app.example.com/ok".into(), uri.into()]);
        match register(&mut c, &chain(), "cli", &reg, t0()) {
            Err(RegistrationError::InvalidRedirectUri { uri: got, reason }) => {
                assert_eq!(got, uri);
                assert_eq!(reason, want, "{uri:?}");
                let e = RegistrationError::InvalidRedirectUri {
                    uri: got,
                    reason: reason.clone(),
                };
                assert_eq!(e.field(), Some("redirect_uris"));
                assert!(e.to_string().contains(&reason.to_string()));
            }
            other => panic!("{uri:?}: expected a refusal, got {other:?}"),
        }
    }
    assert!(store::list(&mut c).unwrap().is_empty());
    assert!(audit_events(&mut c, "client.created").is_empty());
}

#[test]
fn other_invalid_registrations_are_refused_naming_their_field() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let ok = || ClientRegistration::new("App", vec!["https://app.example.com/cb".into()]);
    let cases: Vec<(ClientRegistration, &str)> = vec![
        (
            ClientRegistration {
                name: "  ".into(),
                ..ok()
            },
            "name",
        ),
        (
            ClientRegistration {
                name: "a\u{7}b".into(),
                ..ok()
            },
            "name",
        ),
        (
            ClientRegistration {
                name: "x".repeat(101),
                ..ok()
            },
            "name",
        ),
        (
            ClientRegistration {
                redirect_uris: vec![],
                ..ok()
            },
            "redirect_uris",
        ),
        (
            ClientRegistration {
                redirect_uris: vec![
                    "https://app.example.com/cb".into(),
                    "https://app.example.com/cb".into(),
                ],
                ..ok()
            },
            "redirect_uris",
        ),
        (
            ClientRegistration {
                post_logout_redirect_uris: vec!["http://app.example.com/".into()],
                ..ok()
            },
            "post_logout_redirect_uris",
        ),
        (
            ClientRegistration {
                id_token_alg: "HS256".into(),
                ..ok()
            },
            "id_token_alg",
        ),
        (
            ClientRegistration {
                id_token_alg: "none".into(),
                ..ok()
            },
            "id_token_alg",
        ),
        (
            ClientRegistration {
                scopes: vec!["orders read".into()],
                ..ok()
            },
            "scopes",
        ),
        (
            ClientRegistration {
                scopes: vec!["".into()],
                ..ok()
            },
            "scopes",
        ),
        (
            ClientRegistration {
                scopes: vec!["orders:read".into(), "orders:read".into()],
                ..ok()
            },
            "scopes",
        ),
        (
            ClientRegistration {
                scopes: (0..33).map(|i| format!("s{i}")).collect(),
                ..ok()
            },
            "scopes",
        ),
        (
            ClientRegistration {
                resources: vec!["https://api.example.com/#x".into()],
                ..ok()
            },
            "resources",
        ),
        (
            ClientRegistration {
                resources: vec!["http://api.example.com/".into()],
                ..ok()
            },
            "resources",
        ),
        (
            ClientRegistration {
                resources: vec!["urn:example:api".into()],
                ..ok()
            },
            "resources",
        ),
        (
            ClientRegistration {
                resources: vec![
                    "https://api.example.com/".into(),
                    "https://api.example.com/".into(),
                ],
                ..ok()
            },
            "resources",
        ),
    ];
    for (reg, field) in cases {
        let err = register(&mut c, &chain(), "cli", &reg, t0()).unwrap_err();
        assert_eq!(err.field(), Some(field), "{reg:?}: {err}");
    }
    assert!(store::list(&mut c).unwrap().is_empty());
}

#[test]
fn scopes_and_resources_are_stored_and_audited_and_default_to_the_openid_scopes_and_none() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let api = ClientRegistration {
        scopes: vec!["orders:read".into(), "orders:write".into()],
        resources: vec![
            "https://api.example.com/orders".into(),
            "http://localhost:9000/".into(),
        ],
        ..ClientRegistration::new("Orders", vec!["https://orders.example.com/cb".into()])
    };

    let (id, _) = register(&mut c, &chain(), "cli", &api, t0()).unwrap();
    let (plain, _) = register(&mut c, &chain(), "cli", &wiki(), t0()).unwrap();

    let client = clients::find(&mut c, &id).unwrap().unwrap();
    assert_eq!(
        client.scopes.iter().collect::<Vec<_>>(),
        ["orders:read", "orders:write"]
    );
    assert_eq!(
        client.resources.iter().collect::<Vec<_>>(),
        ["http://localhost:9000/", "https://api.example.com/orders"]
    );
    let plain = clients::find(&mut c, &plain).unwrap().unwrap();
    assert_eq!(
        plain.scopes.iter().collect::<Vec<_>>(),
        ["email", "offline_access", "openid", "profile"]
    );
    assert!(plain.resources.is_empty());
    let detail: serde_json::Value =
        serde_json::from_str(&audit_events(&mut c, "client.created")[0].detail).unwrap();
    assert_eq!(
        detail["scopes"],
        serde_json::json!(["orders:read", "orders:write"])
    );
    assert_eq!(
        detail["resources"],
        serde_json::json!(["https://api.example.com/orders", "http://localhost:9000/"])
    );
}

#[test]
fn find_active_hides_a_disabled_client_and_list_shows_it() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, _) = register(&mut c, &chain(), "cli", &wiki(), t0()).unwrap();
    assert!(clients::find_active(&mut c, &id).unwrap().is_some());

    assert!(store::disable(&mut c, &id, at(10)).unwrap());
    assert!(
        !store::disable(&mut c, &id, at(11)).unwrap(),
        "already disabled"
    );

    assert_eq!(clients::find_active(&mut c, &id).unwrap(), None);
    assert!(clients::find(&mut c, &id).unwrap().unwrap().disabled);
    let listed = clients::list(&mut c).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].disabled);

    assert!(store::enable(&mut c, &id, at(12)).unwrap());
    assert!(clients::find_active(&mut c, &id).unwrap().is_some());
}

#[test]
fn registered_redirect_uris_match_only_byte_exactly() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, _) = register(&mut c, &chain(), "cli", &wiki(), t0()).unwrap();
    let client = clients::find_active(&mut c, &id).unwrap().unwrap();

    assert_eq!(
        client.redirect_uri("https://wiki.example.com/oidc/callback"),
        Some("https://wiki.example.com/oidc/callback")
    );
    assert_eq!(
        client.redirect_uri("https://wiki.example.com/oidc/callback/"),
        None
    );
    assert_eq!(client.redirect_uri("http://localhost:8081/callback"), None);
    assert_eq!(
        client.post_logout_redirect_uri("https://wiki.example.com/"),
        Some("https://wiki.example.com/")
    );
    assert_eq!(
        client.post_logout_redirect_uri("https://wiki.example.com"),
        None
    );
}
