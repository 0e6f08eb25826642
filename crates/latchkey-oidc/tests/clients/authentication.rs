//! Client authentication (RFC 6749 §2.3): the matrix of client types and
//! presented methods, and parsing of what a request presents.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use latchkey_core::{ClientId, PlainToken, Secret};
use latchkey_oidc::clients::{
    ClientAuthError, ClientAuthMethod, ClientRegistration, PresentedClientAuth, authenticate,
    register,
};
use latchkey_store::DbConnection;
use latchkey_store::clients::{self as store, NewClient};
use latchkey_testkit::TestDb;

use crate::{at, chain, conn, t0};

fn confidential(c: &mut DbConnection) -> (ClientId, PlainToken) {
    let reg = ClientRegistration::new("Wiki", vec!["https://wiki.example.com/cb".into()]);
    let (id, secret) = register(c, &chain(), "cli", &reg, t0()).unwrap();
    (id, secret.unwrap())
}

fn public(c: &mut DbConnection) -> ClientId {
    let reg = ClientRegistration {
        public: true,
        ..ClientRegistration::new("CLI", vec!["http://127.0.0.1:9000/cb".into()])
    };
    register(c, &chain(), "cli", &reg, t0()).unwrap().0
}

fn basic(id: &ClientId, secret: &str) -> PresentedClientAuth {
    PresentedClientAuth::Basic {
        client_id: id.clone(),
        secret: Secret::new(secret.to_owned()),
    }
}

fn post(id: &ClientId, secret: &str) -> PresentedClientAuth {
    PresentedClientAuth::Post {
        client_id: id.clone(),
        secret: Secret::new(secret.to_owned()),
    }
}

fn none(id: &ClientId) -> PresentedClientAuth {
    PresentedClientAuth::None {
        client_id: id.clone(),
    }
}

fn assert_invalid_client(result: Result<impl std::fmt::Debug, ClientAuthError>) {
    match result {
        Err(e @ ClientAuthError::InvalidClient) => {
            assert_eq!(e.error_code(), "invalid_client");
            assert_eq!(e.to_string(), "client authentication failed");
        }
        other => panic!("expected invalid_client, got {other:?}"),
    }
}

#[test]
fn public_client_authenticates_with_none() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let id = public(&mut c);

    let auth = authenticate(&mut c, &none(&id), t0()).unwrap();

    assert_eq!(auth.id(), &id);
    assert_eq!(auth.method, ClientAuthMethod::None);
    assert!(auth.client.is_public());
}

#[test]
fn public_client_presenting_a_secret_is_refused_as_invalid_client() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let id = public(&mut c);

    assert_invalid_client(authenticate(&mut c, &basic(&id, "anything"), t0()));
    assert_invalid_client(authenticate(&mut c, &post(&id, "anything"), t0()));
}

#[test]
fn confidential_client_authenticates_with_basic() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, secret) = confidential(&mut c);

    let auth = authenticate(&mut c, &basic(&id, secret.expose()), t0()).unwrap();

    assert_eq!(auth.id(), &id);
    assert_eq!(auth.method, ClientAuthMethod::ClientSecretBasic);
}

#[test]
fn confidential_client_authenticates_with_post() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, secret) = confidential(&mut c);

    let auth = authenticate(&mut c, &post(&id, secret.expose()), t0()).unwrap();

    assert_eq!(auth.method, ClientAuthMethod::ClientSecretPost);
}

#[test]
fn confidential_client_without_its_secret_is_refused_as_invalid_client() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, _) = confidential(&mut c);

    assert_invalid_client(authenticate(&mut c, &none(&id), t0()));
}

#[test]
fn wrong_secret_is_refused_as_invalid_client() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, secret) = confidential(&mut c);
    let (_, other_secret) = confidential(&mut c);

    assert_invalid_client(authenticate(
        &mut c,
        &basic(&id, other_secret.expose()),
        t0(),
    ));
    assert_invalid_client(authenticate(&mut c, &post(&id, ""), t0()));
    let truncated = &secret.expose()[..secret.expose().len() - 1];
    assert_invalid_client(authenticate(&mut c, &basic(&id, truncated), t0()));
    assert_invalid_client(authenticate(
        &mut c,
        &basic(&id, &format!("{}x", secret.expose())),
        t0(),
    ));
}

#[test]
fn unknown_client_is_refused_with_the_same_error_as_a_wrong_secret() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (_, secret) = confidential(&mut c);
    let unknown = ClientId::parse("lk_nobody").unwrap();

    assert_invalid_client(authenticate(
        &mut c,
        &basic(&unknown, secret.expose()),
        t0(),
    ));
    assert_invalid_client(authenticate(&mut c, &post(&unknown, secret.expose()), t0()));
    assert_invalid_client(authenticate(&mut c, &none(&unknown), t0()));
}

#[test]
fn disabled_client_is_refused_as_invalid_client() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, secret) = confidential(&mut c);
    let public_id = public(&mut c);
    store::disable(&mut c, &id, at(1)).unwrap();
    store::disable(&mut c, &public_id, at(1)).unwrap();

    assert_invalid_client(authenticate(&mut c, &basic(&id, secret.expose()), t0()));
    assert_invalid_client(authenticate(&mut c, &none(&public_id), t0()));
}

/// RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined with a
/// colon and base64-encoded.
#[test]
fn basic_header_with_url_encoded_special_characters_authenticates() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let id = ClientId::parse("app:tenant/1+x%").unwrap();
    let secret = "p@ss:wörd +%/&=";
    store::insert(
        &mut c,
        &NewClient {
            id: id.clone(),
            name: "Special".into(),
            secret_hash: Some(latchkey_core::HashedToken::of(secret)),
            auth_method: "client_secret_basic".into(),
            redirect_uris: vec!["https://special.example.com/cb".into()],
            post_logout_redirect_uris: vec![],
            min_acr: None,
            first_party: false,
            id_token_alg: "ES256".into(),
            allowed_scopes: vec!["openid".into()],
            allowed_resources: vec![],
        },
        t0(),
    )
    .unwrap();
    let encoded_id = "app%3Atenant%2F1%2Bx%25";
    let encoded_secret = "p%40ss%3Aw%C3%B6rd+%2B%25%2F%26%3D";
    let header = format!(
        "Basic {}",
        STANDARD.encode(format!("{encoded_id}:{encoded_secret}"))
    );

    let presented = PresentedClientAuth::from_basic_header(&header).unwrap();
    assert_eq!(presented, basic(&id, secret));
    let auth = authenticate(&mut c, &presented, t0()).unwrap();
    assert_eq!(auth.id(), &id);

    // Without the encoding, the first colon of the secret would not split
    // where the client meant, and authentication fails.
    let raw = format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{secret}", id.as_str()))
    );
    let presented = PresentedClientAuth::from_basic_header(&raw);
    assert!(
        presented.is_err() || authenticate(&mut c, &presented.unwrap(), t0()).is_err(),
        "unencoded credentials must not authenticate"
    );
}

#[test]
fn basic_header_parsing_accepts_case_and_missing_padding() {
    let id = ClientId::parse("wiki").unwrap();
    for header in [
        format!("Basic {}", STANDARD.encode("wiki:s3cret")),
        format!("basic {}", STANDARD.encode("wiki:s3cret")),
        format!("BASIC   {}", STANDARD.encode("wiki:s3cret")),
        format!(
            "Basic {}",
            STANDARD.encode("wiki:s3cret").trim_end_matches('=')
        ),
    ] {
        assert_eq!(
            PresentedClientAuth::from_basic_header(&header).unwrap(),
            basic(&id, "s3cret"),
            "{header:?}"
        );
    }
}

#[test]
fn malformed_or_non_basic_authorization_headers_are_invalid_client() {
    for header in [
        "Basic".to_owned(),
        "Basic !!!notbase64".to_owned(),
        format!("Basic {}", STANDARD.encode("no-colon")),
        format!("Basic {}", STANDARD.encode([0xff, b':', b'x'])),
        format!("Bearer {}", STANDARD.encode("wiki:s3cret")),
        format!("Digest {}", STANDARD.encode("wiki:s3cret")),
    ] {
        let err = PresentedClientAuth::from_basic_header(&header).unwrap_err();
        assert_eq!(err.error_code(), "invalid_client", "{header:?}: {err:?}");
    }
    // A client id that cannot be ours: no client has it.
    let err =
        PresentedClientAuth::from_basic_header(&format!("Basic {}", STANDARD.encode(":s3cret")))
            .unwrap_err();
    assert!(matches!(err, ClientAuthError::InvalidClient), "{err:?}");
}

#[test]
fn presenting_two_methods_at_once_is_invalid_request() {
    let header = format!("Basic {}", STANDARD.encode("wiki:s3cret"));

    let err =
        PresentedClientAuth::from_request(Some(&header), Some("wiki"), Some("s3cret")).unwrap_err();
    assert!(matches!(err, ClientAuthError::InvalidRequest(_)), "{err:?}");
    assert_eq!(err.error_code(), "invalid_request");

    let err = PresentedClientAuth::from_request(Some(&header), None, Some("other")).unwrap_err();
    assert_eq!(err.error_code(), "invalid_request");

    let err = PresentedClientAuth::from_request(Some(&header), Some("other"), None).unwrap_err();
    assert_eq!(
        err.error_code(),
        "invalid_request",
        "client_id naming another client"
    );
}

#[test]
fn from_request_picks_the_method_the_request_used() {
    let id = ClientId::parse("wiki").unwrap();
    let header = format!("Basic {}", STANDARD.encode("wiki:s3cret"));
    let pick = |h: Option<&str>, i: Option<&str>, s: Option<&str>| {
        PresentedClientAuth::from_request(h, i, s).unwrap()
    };

    assert_eq!(pick(Some(&header), None, None), basic(&id, "s3cret"));
    assert_eq!(
        pick(Some(&header), Some("wiki"), None),
        basic(&id, "s3cret")
    );
    assert_eq!(
        pick(Some(&header), Some("wiki"), Some("")),
        basic(&id, "s3cret")
    );
    assert_eq!(
        pick(None, Some("wiki"), Some("s3cret")),
        post(&id, "s3cret")
    );
    assert_eq!(
        pick(Some(""), Some("wiki"), Some("s3cret")),
        post(&id, "s3cret")
    );
    assert_eq!(pick(None, Some("wiki"), None), none(&id));
    // An empty parameter counts as omitted (RFC 6749 §3.1).
    assert_eq!(pick(None, Some("wiki"), Some("")), none(&id));
    assert_eq!(
        pick(None, Some("wiki"), None).method(),
        ClientAuthMethod::None
    );

    let err = PresentedClientAuth::from_request(None, None, None).unwrap_err();
    assert!(matches!(err, ClientAuthError::InvalidClient), "{err:?}");
    let err = PresentedClientAuth::from_request(None, Some(""), Some("s3cret")).unwrap_err();
    assert!(matches!(err, ClientAuthError::InvalidClient), "{err:?}");
}

#[test]
fn presented_secrets_do_not_print() {
    let id = ClientId::parse("wiki").unwrap();
    let printed = format!("{:?}", basic(&id, "hunter2-secret"));
    assert!(!printed.contains("hunter2"), "{printed}");
}
