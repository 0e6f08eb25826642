//! Registered OAuth/OIDC clients.

use latchkey_core::{ClientId, HashedToken, PlainToken, TokenKind};
use latchkey_store::clients::{self, NewClient};
use latchkey_store::{StoreError, to_db};
use latchkey_testkit::TestDb;

use crate::{at, conn, t0};

fn confidential(id: &str, secret: &PlainToken) -> NewClient {
    NewClient {
        id: ClientId::parse(id).unwrap(),
        name: "Wiki".into(),
        secret_hash: Some(secret.hashed()),
        auth_method: "client_secret_basic".into(),
        redirect_uris: vec![
            "https://wiki.example.test/oidc/callback".into(),
            "https://wiki.example.test/cb?tenant=a&x=%20y#no".into(),
            "http://localhost:8080/callback".into(),
            "com.example.app:/oauth2redirect/ünïcode".into(),
        ],
        post_logout_redirect_uris: vec!["https://wiki.example.test/".into()],
        min_acr: Some("phrh".into()),
        first_party: true,
        id_token_alg: "ES256".into(),
        allowed_scopes: vec!["openid".into(), "orders:read".into()],
        allowed_resources: vec![
            "https://api.example.test/orders".into(),
            "http://localhost:9000/".into(),
        ],
    }
}

fn public(id: &str) -> NewClient {
    NewClient {
        id: ClientId::parse(id).unwrap(),
        name: "CLI".into(),
        secret_hash: None,
        auth_method: "none".into(),
        redirect_uris: vec!["http://127.0.0.1/callback".into()],
        post_logout_redirect_uris: Vec::new(),
        min_acr: None,
        first_party: false,
        id_token_alg: "RS256".into(),
        allowed_scopes: Vec::new(),
        allowed_resources: Vec::new(),
    }
}

#[test]
fn inserted_client_is_found_with_every_field_intact() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let secret = PlainToken::generate(TokenKind::ClientSecret);
    let new = confidential("wiki", &secret);

    clients::insert(&mut c, &new, at(3)).unwrap();

    let found = clients::find(&mut c, &new.id).unwrap().expect("the client");
    assert_eq!(found.id, "wiki");
    assert_eq!(found.name, "Wiki");
    assert_eq!(found.auth_method, "client_secret_basic");
    assert_eq!(found.min_acr.as_deref(), Some("phrh"));
    assert!(found.first_party);
    assert_eq!(found.id_token_alg, "ES256");
    assert_eq!(found.created_at, to_db(at(3)));
    assert_eq!(found.updated_at, to_db(at(3)));
    assert_eq!(found.disabled_at, None);
}

#[test]
fn allowed_scopes_and_resources_round_trip_exactly_in_order() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let new = confidential("wiki", &PlainToken::generate(TokenKind::ClientSecret));
    clients::insert(&mut c, &new, t0()).unwrap();
    clients::insert(&mut c, &public("cli"), t0()).unwrap();

    let found = clients::find(&mut c, &new.id).unwrap().unwrap();
    assert_eq!(found.allowed_scope_list().unwrap(), new.allowed_scopes);
    assert_eq!(
        found.allowed_resource_list().unwrap(),
        new.allowed_resources
    );
    let cli = clients::find(&mut c, &ClientId::parse("cli").unwrap())
        .unwrap()
        .unwrap();
    assert!(cli.allowed_scope_list().unwrap().is_empty());
    assert!(cli.allowed_resource_list().unwrap().is_empty());
}

#[test]
fn a_client_written_without_scopes_or_resources_may_have_the_openid_scopes_and_no_resource() {
    // What every client registered before scopes and resources existed
    // reads as once the migration added the columns.
    let db = TestDb::new();
    let written = db.execute(
        "INSERT INTO clients (id, name, secret_hash, auth_method, redirect_uris, \
         post_logout_redirect_uris, min_acr, first_party, id_token_alg, created_at, updated_at) \
         VALUES ('old', 'Old', NULL, 'none', '[\"https://old.example.test/cb\"]', '[]', NULL, \
         FALSE, 'ES256', '2030-01-01 00:00:00', '2030-01-01 00:00:00')",
    );
    assert_eq!(written, 1);
    let mut c = conn(&db);
    let old = clients::find(&mut c, &ClientId::parse("old").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        old.allowed_scope_list().unwrap(),
        ["openid", "profile", "email", "offline_access"]
    );
    assert!(old.allowed_resource_list().unwrap().is_empty());
}

#[test]
fn redirect_uris_round_trip_exactly_in_order() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let new = confidential("wiki", &PlainToken::generate(TokenKind::ClientSecret));

    clients::insert(&mut c, &new, t0()).unwrap();

    let found = clients::find(&mut c, &new.id).unwrap().unwrap();
    assert_eq!(found.redirect_uri_list().unwrap(), new.redirect_uris);
    assert_eq!(
        found.post_logout_redirect_uri_list().unwrap(),
        new.post_logout_redirect_uris
    );
    let public = public("cli");
    clients::insert(&mut c, &public, t0()).unwrap();
    let found = clients::find(&mut c, &public.id).unwrap().unwrap();
    assert_eq!(
        found.post_logout_redirect_uri_list().unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn secret_hash_round_trips_and_matches_only_the_issued_secret() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let secret = PlainToken::generate(TokenKind::ClientSecret);
    let new = confidential("wiki", &secret);

    clients::insert(&mut c, &new, t0()).unwrap();

    let stored = clients::find(&mut c, &new.id)
        .unwrap()
        .unwrap()
        .secret()
        .expect("a secret");
    assert!(stored.matches(&HashedToken::of(secret.expose())));
    assert!(!stored.matches(&PlainToken::generate(TokenKind::ClientSecret).hashed()));
}

#[test]
fn public_client_has_no_secret() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let new = public("cli");

    clients::insert(&mut c, &new, t0()).unwrap();

    let found = clients::find(&mut c, &new.id).unwrap().unwrap();
    assert_eq!(found.secret_hash, None);
    assert!(found.secret().is_none());
    assert!(!found.first_party);
    assert_eq!(found.min_acr, None);
}

#[test]
fn find_returns_none_for_an_unknown_client() {
    let db = TestDb::new();
    let mut c = conn(&db);
    clients::insert(&mut c, &public("cli"), t0()).unwrap();

    assert_eq!(
        clients::find(&mut c, &ClientId::parse("other").unwrap()).unwrap(),
        None
    );
}

#[test]
fn insert_is_refused_as_conflict_when_the_client_id_is_taken() {
    let db = TestDb::new();
    let mut c = conn(&db);
    clients::insert(&mut c, &public("app"), t0()).unwrap();

    let err = clients::insert(
        &mut c,
        &confidential("app", &PlainToken::generate(TokenKind::ClientSecret)),
        at(1),
    )
    .unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let kept = clients::find(&mut c, &ClientId::parse("app").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(kept.name, "CLI", "the first registration is unchanged");
}

#[test]
fn list_returns_every_client_oldest_first() {
    let db = TestDb::new();
    let mut c = conn(&db);
    assert_eq!(clients::list(&mut c).unwrap(), Vec::new());

    clients::insert(&mut c, &public("second"), at(20)).unwrap();
    clients::insert(&mut c, &public("first"), at(10)).unwrap();
    clients::insert(&mut c, &public("third"), at(30)).unwrap();

    let ids: Vec<String> = clients::list(&mut c)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["first", "second", "third"]);
}
