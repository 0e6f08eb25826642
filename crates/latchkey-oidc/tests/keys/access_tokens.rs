//! RFC 9068 access tokens: what they carry and what verification refuses.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use latchkey_core::{Acr, Amr, ClientId, SigningKeyId};
use latchkey_oidc::jwt::{self, AccessTokenInput, TokenError};
use latchkey_oidc::keyring::{KeyRing, PublishedKey};
use latchkey_oidc::keys::{KeyState, ensure_active_key, ensure_algorithm};
use latchkey_oidc::signing::{RingSigningKey, SigningAlg, generate_pkcs8};

use crate::{CLIENT, Fixture, ISSUER, active_kid, decode, id_token_input};

fn input(fx: &Fixture) -> AccessTokenInput {
    AccessTokenInput {
        issuer: ISSUER.to_owned(),
        subject: "u-1".to_owned(),
        client_id: ClientId::parse(CLIENT).unwrap(),
        scope: "openid email".to_owned(),
        jti: "0b5e5e1c-jti".to_owned(),
        issued_at: fx.now(),
        expires_at: fx.now() + Duration::minutes(10),
        auth_time: Some(fx.now() - Duration::minutes(2)),
        acr: Some(Acr::Phr),
        amr: vec![Amr::Swk, Amr::User],
        resources: Vec::new(),
        sid: Some("sid-1".to_owned()),
        refresh_family: Some("5b0c7a4e-2f7e-4c1b-9d8a-3e1f0a6b7c2d".to_owned()),
        code_grant: Some("0123456789abcdef0123456789abcdef".to_owned()),
    }
}

fn fixture_with_keys() -> (Fixture, KeyRing) {
    let fx = Fixture::new();
    ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();
    let ring = fx.ring();
    (fx, ring)
}

/// Replaces part `i` (0 header, 1 payload) of a JWT, keeping the signature.
fn with_part(token: &str, i: usize, value: &serde_json::Value) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[i] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap());
    parts.join(".")
}

#[test]
fn access_token_is_an_es256_at_jwt_that_verifies_with_its_claims() {
    let (fx, ring) = fixture_with_keys();

    let token = jwt::mint_access_token(&ring, &input(&fx)).unwrap();

    let (header, payload) = decode(&token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], active_kid(&ring, SigningAlg::Es256).as_str());
    let claims = ring.verify_access_token(&token, ISSUER, fx.now()).unwrap();
    assert_eq!(claims.iss, ISSUER);
    assert_eq!(claims.aud.as_slice(), ["https://id.example.com/userinfo"]);
    assert!(claims.is_for("https://id.example.com/userinfo"));
    assert_eq!(claims.client_id.as_str(), CLIENT);
    assert_eq!(claims.jti, "0b5e5e1c-jti");
    assert_eq!(claims.exp, fx.now() + Duration::minutes(10));
    assert_eq!(claims.acr, Some(Acr::Phr));
    assert_eq!(claims.amr, [Amr::Swk, Amr::User]);
    assert_eq!(claims.sid.as_deref(), Some("sid-1"));
    assert_eq!(
        claims.code_grant.as_deref(),
        Some("0123456789abcdef0123456789abcdef")
    );
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("access_token_header", header, { ".kid" => "[kid]" });
        insta::assert_json_snapshot!("access_token_claims", payload);
    });
}

#[test]
fn client_credentials_access_token_has_no_end_user_claims() {
    let (fx, ring) = fixture_with_keys();
    let machine = AccessTokenInput {
        subject: CLIENT.to_owned(),
        auth_time: None,
        acr: None,
        amr: Vec::new(),
        sid: None,
        refresh_family: None,
        code_grant: None,
        ..input(&fx)
    };

    let token = jwt::mint_access_token(&ring, &machine).unwrap();

    let (_, payload) = decode(&token);
    for claim in [
        "auth_time",
        "acr",
        "amr",
        "sid",
        "refresh_family",
        "code_grant",
    ] {
        assert!(payload.get(claim).is_none(), "{claim} in {payload}");
    }
    let claims = ring.verify_access_token(&token, ISSUER, fx.now()).unwrap();
    assert_eq!(claims.sub, CLIENT);
}

#[test]
fn access_token_for_resources_names_them_as_its_audience() {
    let (fx, ring) = fixture_with_keys();
    let one = AccessTokenInput {
        resources: vec!["https://api.example.com/orders".to_owned()],
        ..input(&fx)
    };
    let two = AccessTokenInput {
        resources: vec![
            "https://api.example.com/billing".to_owned(),
            "https://api.example.com/orders".to_owned(),
        ],
        ..input(&fx)
    };

    let one = jwt::mint_access_token(&ring, &one).unwrap();
    let two = jwt::mint_access_token(&ring, &two).unwrap();

    // One resource: a string (RFC 7519 §4.1.3); several: an array.
    assert_eq!(decode(&one).1["aud"], "https://api.example.com/orders");
    assert_eq!(
        decode(&two).1["aud"],
        serde_json::json!([
            "https://api.example.com/billing",
            "https://api.example.com/orders"
        ])
    );
    let claims = ring.verify_access_token(&one, ISSUER, fx.now()).unwrap();
    assert!(claims.is_for("https://api.example.com/orders"));
    assert!(!claims.is_for("https://id.example.com/userinfo"));
    let claims = ring.verify_access_token(&two, ISSUER, fx.now()).unwrap();
    assert!(claims.is_for("https://api.example.com/billing"));
    assert!(claims.is_for("https://api.example.com/orders"));
    assert!(!claims.is_for("https://api.example.com"));
}

#[test]
fn tampered_access_token_is_refused() {
    let (fx, ring) = fixture_with_keys();
    let token = jwt::mint_access_token(&ring, &input(&fx)).unwrap();
    let (header, mut payload) = decode(&token);

    payload["sub"] = "u-2".into();
    let other_subject = with_part(&token, 1, &payload);
    let mut eddsa_header = header.clone();
    eddsa_header["alg"] = "EdDSA".into();
    let other_alg = with_part(&token, 0, &eddsa_header);
    let mut none_header = header.clone();
    none_header["alg"] = "none".into();
    let unsigned = format!(
        "{}.",
        with_part(&token, 0, &none_header)
            .rsplit_once('.')
            .unwrap()
            .0
    );
    let mut bad_signature = token.clone();
    bad_signature.push('A');

    let verify = |t: &str| ring.verify_access_token(t, ISSUER, fx.now());
    assert!(matches!(
        verify(&other_subject),
        Err(TokenError::BadSignature)
    ));
    assert!(matches!(
        verify(&other_alg),
        Err(TokenError::AlgorithmMismatch)
    ));
    assert!(matches!(
        verify(&unsigned),
        Err(TokenError::AlgorithmMismatch)
    ));
    assert!(verify(&bad_signature).is_err());
    assert!(matches!(verify("not.a.jwt"), Err(TokenError::Malformed)));
    assert!(matches!(verify(""), Err(TokenError::Malformed)));
}

#[test]
fn expired_access_token_is_refused_from_its_exp_on() {
    let (fx, ring) = fixture_with_keys();
    let token = jwt::mint_access_token(&ring, &input(&fx)).unwrap();

    fx.clock
        .advance(Duration::minutes(10) - Duration::seconds(1));
    assert!(ring.verify_access_token(&token, ISSUER, fx.now()).is_ok());
    fx.clock.advance(Duration::seconds(1));
    assert!(matches!(
        ring.verify_access_token(&token, ISSUER, fx.now()),
        Err(TokenError::Expired)
    ));
}

#[test]
fn access_token_signed_by_a_key_this_server_does_not_publish_is_refused() {
    let (fx, ring) = fixture_with_keys();
    let stranger = RingSigningKey::from_pkcs8(
        SigningAlg::Es256,
        SigningKeyId::generate(),
        generate_pkcs8(SigningAlg::Es256).unwrap().expose(),
    )
    .unwrap();
    let foreign_ring = KeyRing::from_keys(
        vec![PublishedKey {
            key: stranger,
            state: KeyState::Active,
            created_at: fx.now(),
            activated_at: Some(fx.now()),
            publish_until: None,
        }],
        fx.now(),
    );
    let foreign = jwt::mint_access_token(&foreign_ring, &input(&fx)).unwrap();

    assert!(matches!(
        ring.verify_access_token(&foreign, ISSUER, fx.now()),
        Err(TokenError::UnknownKey)
    ));
    // Naming one of our key ids does not help: the signature is checked
    // with that key.
    let (mut header, _) = decode(&foreign);
    header["kid"] = active_kid(&ring, SigningAlg::Es256).into();
    let impostor = with_part(&foreign, 0, &header);
    assert!(matches!(
        ring.verify_access_token(&impostor, ISSUER, fx.now()),
        Err(TokenError::BadSignature)
    ));
}

#[test]
fn id_token_is_never_accepted_as_an_access_token() {
    let (fx, ring) = fixture_with_keys();
    let id_token = jwt::mint_id_token(&ring, SigningAlg::Es256, &id_token_input(fx.now())).unwrap();

    assert!(matches!(
        ring.verify_access_token(&id_token, ISSUER, fx.now()),
        Err(TokenError::NotAnAccessToken)
    ));
}

#[test]
fn access_token_of_another_issuer_is_refused() {
    let (fx, ring) = fixture_with_keys();
    let token = jwt::mint_access_token(&ring, &input(&fx)).unwrap();

    assert!(matches!(
        ring.verify_access_token(&token, "https://other.example.com", fx.now()),
        Err(TokenError::WrongIssuer)
    ));
}

#[test]
fn access_token_signed_by_the_next_key_of_another_node_verifies() {
    // Another node rotated and signs with what this node still knows as the
    // next key: this node's ring verifies the token before it reloads.
    let fx = Fixture::new();
    ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();
    ensure_algorithm(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        SigningAlg::EdDsa,
        fx.now(),
    )
    .unwrap();
    let stale = fx.ring();
    latchkey_oidc::keys::rotate(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        fx.now(),
        Duration::hours(1),
    )
    .unwrap();
    let rotated = fx.ring();

    let token = jwt::mint_access_token(&rotated, &input(&fx)).unwrap();

    assert_ne!(
        active_kid(&stale, SigningAlg::Es256),
        active_kid(&rotated, SigningAlg::Es256)
    );
    assert!(stale.verify_access_token(&token, ISSUER, fx.now()).is_ok());
}

#[test]
fn an_id_token_this_issuer_signed_is_a_valid_hint_and_an_access_token_never_is() {
    let (fx, ring) = fixture_with_keys();
    let id_token = jwt::mint_id_token(&ring, SigningAlg::Es256, &id_token_input(fx.now())).unwrap();

    let hint = ring.verify_id_token_hint(&id_token, ISSUER).unwrap();
    assert_eq!(hint.sub, "u-1");
    assert_eq!(hint.audience(), Some(CLIENT));
    assert!(matches!(
        ring.verify_id_token_hint(&id_token, "https://other.example"),
        Err(TokenError::WrongIssuer)
    ));
    let tampered = with_part(
        &id_token,
        1,
        &serde_json::json!({"iss": ISSUER, "sub": "u-2", "aud": CLIENT}),
    );
    assert!(matches!(
        ring.verify_id_token_hint(&tampered, ISSUER),
        Err(TokenError::BadSignature)
    ));

    let access = jwt::mint_access_token(&ring, &input(&fx)).unwrap();
    assert!(matches!(
        ring.verify_id_token_hint(&access, ISSUER),
        Err(TokenError::NotAnIdToken)
    ));
}
