//! ID tokens with each algorithm, verified as a relying party would, and the
//! published key set.

use chrono::Duration;
use latchkey_oidc::jwt::{self, IdToken, TokenError};
use latchkey_oidc::keys::{KeyState, ensure_active_key, ensure_algorithm};
use latchkey_oidc::signing::SigningAlg;
use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKey};
use openidconnect::{
    AccessToken, AccessTokenHash, AuthorizationCode, AuthorizationCodeHash, IssuerUrl, Nonce,
};

use crate::{CLIENT, Fixture, ISSUER, active_kid, decode, id_token_input, with_relying_party};

const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Signs an ID token with `alg` and checks it as an RP would: signature by
/// the key named in the header, claims, nonce, at_hash and c_hash.
fn check_id_token_round_trip(fx: &Fixture, alg: SigningAlg) {
    let ring = fx.ring();
    let input = id_token_input(fx.now());
    let token = jwt::mint_id_token(&ring, alg, &input).unwrap();

    let (header, _) = decode(&token);
    assert_eq!(header["alg"], alg.as_str());
    assert_eq!(header["kid"], active_kid(&ring, alg).as_str());

    let parsed: CoreIdToken = token.parse().unwrap();
    let nonce = Nonce::new(input.nonce.clone().unwrap());
    with_relying_party(&ring, fx.now() + Duration::seconds(1), |verifier| {
        let claims = parsed.claims(verifier, &nonce).unwrap();
        assert_eq!(claims.subject().as_str(), "u-1");
        assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("phrh"));
        let amr: Vec<&str> = claims
            .auth_method_refs()
            .unwrap()
            .iter()
            .map(|a| a.as_str())
            .collect();
        assert_eq!(amr, ["hwk", "user"]);

        let key = parsed.signing_key(verifier).unwrap();
        let at_hash = AccessTokenHash::from_token(
            &AccessToken::new("the-access-token".into()),
            &alg.jws(),
            key,
        )
        .unwrap();
        assert_eq!(claims.access_token_hash(), Some(&at_hash));
        let c_hash = AuthorizationCodeHash::from_code(
            &AuthorizationCode::new("the-code".into()),
            &alg.jws(),
            key,
        )
        .unwrap();
        assert_eq!(claims.code_hash(), Some(&c_hash));

        // Our own claims type reads `sid`, which the core type ignores.
        let ours: IdToken = token.parse().unwrap();
        let ours = ours.claims(verifier, &nonce).unwrap();
        assert_eq!(ours.additional_claims().sid.as_deref(), Some("sid-1"));

        assert!(
            parsed
                .claims(verifier, &Nonce::new("other".into()))
                .is_err(),
            "another nonce is refused"
        );
    });
    // A relying party refuses it once it has expired.
    with_relying_party(&ring, fx.now() + Duration::minutes(11), |late| {
        assert!(parsed.claims(late, &nonce).is_err());
    });
}

fn assert_public_only(jwk: &CoreJsonWebKey) {
    let value = serde_json::to_value(jwk).unwrap();
    for member in PRIVATE_MEMBERS {
        assert!(
            value.get(member).is_none(),
            "JWK publishes {member:?}: {value}"
        );
    }
    assert_eq!(value["use"], "sig");
    assert!(value["kid"].is_string());
}

#[test]
fn es256_id_token_verifies_with_the_discovered_keys_and_carries_at_hash_and_c_hash() {
    let fx = Fixture::new();
    ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();
    check_id_token_round_trip(&fx, SigningAlg::Es256);
}

#[test]
fn eddsa_id_token_verifies_with_the_discovered_keys_and_carries_at_hash_and_c_hash() {
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
    check_id_token_round_trip(&fx, SigningAlg::EdDsa);
}

/// The only test that makes RSA keys (an active and a next one): RSA key
/// generation is slow without optimisations.
#[test]
fn rs256_keys_are_generated_on_first_need_and_sign_verifiable_id_tokens() {
    let fx = Fixture::new();
    ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();
    let before = fx.ring();
    assert_eq!(before.algorithms(), [SigningAlg::Es256]);
    assert!(matches!(
        jwt::mint_id_token(&before, SigningAlg::Rs256, &id_token_input(fx.now())),
        Err(TokenError::NoSigningKey(SigningAlg::Rs256))
    ));

    let created = ensure_algorithm(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        SigningAlg::Rs256,
        fx.now(),
    )
    .unwrap();

    let states: Vec<_> = created.iter().map(|k| (k.alg, k.state)).collect();
    assert_eq!(
        states,
        [
            (SigningAlg::Rs256, KeyState::Active),
            (SigningAlg::Rs256, KeyState::Next)
        ]
    );
    let ring = fx.ring();
    assert_eq!(ring.algorithms(), [SigningAlg::Es256, SigningAlg::Rs256]);
    for key in ring.jwks().keys() {
        assert_public_only(key);
    }
    let rsa = ring.signer(SigningAlg::Rs256).unwrap().public_jwk();
    let rsa_json = serde_json::to_value(rsa).unwrap();
    assert_eq!(rsa_json["kty"], "RSA");
    assert_eq!(rsa_json["alg"], "RS256");
    assert_eq!(rsa_json["e"], "AQAB");
    check_id_token_round_trip(&fx, SigningAlg::Rs256);

    // A relying party that knows nothing but RS256 (openidconnect's bare
    // verifier) accepts the RS256 token and refuses the ES256 one.
    let now = fx.now();
    let bare = CoreIdTokenVerifier::new_public_client(
        openidconnect::ClientId::new(CLIENT.to_owned()),
        IssuerUrl::new(ISSUER.to_owned()).unwrap(),
        ring.jwks(),
    )
    .set_time_fn(move || now);
    let nonce = Nonce::new(id_token_input(now).nonce.unwrap());
    let rs256: CoreIdToken = jwt::mint_id_token(&ring, SigningAlg::Rs256, &id_token_input(now))
        .unwrap()
        .parse()
        .unwrap();
    rs256.claims(&bare, &nonce).unwrap();
    let es256: CoreIdToken = jwt::mint_id_token(&ring, SigningAlg::Es256, &id_token_input(now))
        .unwrap()
        .parse()
        .unwrap();
    assert!(es256.claims(&bare, &nonce).is_err());
}

#[test]
fn published_keys_never_include_a_private_part() {
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

    let ring = fx.ring();
    let jwks = ring.jwks();
    assert_eq!(
        jwks.keys().len(),
        4,
        "an active and a next key per algorithm"
    );
    for key in jwks.keys() {
        assert_public_only(key);
    }
    for stored in latchkey_store::signing_keys::published(&mut fx.conn(), fx.now()).unwrap() {
        let jwk: serde_json::Value = serde_json::from_str(&stored.public_jwk).unwrap();
        for member in PRIVATE_MEMBERS {
            assert!(jwk.get(member).is_none(), "stored JWK holds {member:?}");
        }
    }
    let debug = format!("{:?}", ring.signer(SigningAlg::Es256).unwrap());
    assert!(!debug.contains("pkcs8") && debug.len() < 200, "{debug}");
}

#[test]
fn jwks_lists_active_keys_before_next_keys_with_public_parameters_only() {
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

    let jwks = serde_json::to_value(fx.ring().jwks()).unwrap();

    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("jwks", jwks, {
            ".keys[].kid" => "[kid]",
            ".keys[].x" => "[x]",
            ".keys[].y" => "[y]",
            ".keys[].n" => "[n]",
            ".keys[].e" => "[e]",
        });
    });
}

#[test]
fn id_token_claims_have_the_documented_shape() {
    let fx = Fixture::new();
    ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();
    let token =
        jwt::mint_id_token(&fx.ring(), SigningAlg::Es256, &id_token_input(fx.now())).unwrap();

    let (header, claims) = decode(&token);

    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("id_token_header", header, { ".kid" => "[kid]" });
        insta::assert_json_snapshot!("id_token_claims", claims, {
            ".at_hash" => "[at_hash]",
            ".c_hash" => "[c_hash]",
        });
    });
}
