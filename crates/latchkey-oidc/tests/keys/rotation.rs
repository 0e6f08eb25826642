//! The key life cycle: first start, keys on first need, rotation.

use chrono::Duration;
use latchkey_core::{AuditEventKind, ClientId};
use latchkey_oidc::jwt::{self, AccessTokenInput, TokenError};
use latchkey_oidc::keyring::SharedKeyRing;
use latchkey_oidc::keys::{KeyState, ensure_active_key, ensure_algorithm, rotate};
use latchkey_oidc::signing::SigningAlg;
use latchkey_store::settings;
use latchkey_store::signing_keys::{self, STATE_ACTIVE, STATE_NEXT, STATE_RETIRED};
use openidconnect::Nonce;
use openidconnect::core::CoreIdToken;

use crate::{
    CLIENT, Fixture, ISSUER, active_kid, decode, id_token_input, kids, with_relying_party,
};

fn kinds(fx: &Fixture) -> Vec<String> {
    fx.audit_events().into_iter().map(|e| e.kind).collect()
}

fn access_token_input(fx: &Fixture) -> AccessTokenInput {
    AccessTokenInput {
        issuer: ISSUER.to_owned(),
        subject: "u-1".to_owned(),
        client_id: ClientId::parse(CLIENT).unwrap(),
        scope: "openid profile".to_owned(),
        jti: format!("jti-{}", fx.now().timestamp()),
        issued_at: fx.now(),
        expires_at: fx.now() + Duration::hours(1),
        auth_time: Some(fx.now()),
        acr: None,
        amr: Vec::new(),
        resources: Vec::new(),
        sid: None,
        refresh_family: None,
        code_grant: None,
    }
}

#[test]
fn first_start_creates_an_active_and_a_next_es256_key_once_and_audits_both() {
    let fx = Fixture::new();

    let first = ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();
    let again = ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();

    let first = first.expect("the first start creates the active key");
    assert_eq!(again, None);
    let keys = signing_keys::published(&mut fx.conn(), fx.now()).unwrap();
    let mut states: Vec<(&str, &str)> = keys
        .iter()
        .map(|k| (k.alg.as_str(), k.state.as_str()))
        .collect();
    states.sort();
    assert_eq!(states, [("ES256", STATE_ACTIVE), ("ES256", STATE_NEXT)]);
    let active = signing_keys::active(&mut fx.conn(), "ES256")
        .unwrap()
        .unwrap();
    assert_eq!(active.id, first.as_str());
    let events = fx.audit_events();
    assert_eq!(events.len(), 2);
    assert!(
        events
            .iter()
            .all(|e| e.kind == AuditEventKind::SigningKeyCreated.as_str())
    );
    assert_eq!(events[0].subject.as_deref(), Some(first.as_str()));
}

#[test]
fn existing_active_key_without_a_next_key_gets_one() {
    let fx = Fixture::new();
    let active =
        latchkey_oidc::keys::generate(&fx.master, SigningAlg::Es256, KeyState::Active).unwrap();
    signing_keys::insert(&mut fx.conn(), &active, fx.now()).unwrap();

    let created = ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();

    assert_eq!(created, None, "the active key was already there");
    let ring = fx.ring();
    assert_eq!(active_kid(&ring, SigningAlg::Es256), active.id.as_str());
    assert_eq!(ring.jwks().keys().len(), 2);
    assert_eq!(kinds(&fx), [AuditEventKind::SigningKeyCreated.as_str()]);
}

#[test]
fn eddsa_keys_are_created_on_first_need_only() {
    let fx = Fixture::new();
    ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();

    let first = ensure_algorithm(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        SigningAlg::EdDsa,
        fx.now(),
    )
    .unwrap();
    let again = ensure_algorithm(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        SigningAlg::EdDsa,
        fx.now(),
    )
    .unwrap();

    assert_eq!(first.len(), 2);
    assert!(again.is_empty());
    assert_eq!(
        fx.ring().algorithms(),
        [SigningAlg::Es256, SigningAlg::EdDsa]
    );
    assert_eq!(kinds(&fx).len(), 4);
}

#[test]
fn rotation_promotes_the_published_next_key_and_keeps_the_old_key_until_its_tokens_expire() {
    let fx = Fixture::new();
    ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();
    let shared = SharedKeyRing::load(&mut fx.conn(), &fx.master, fx.now()).unwrap();
    let before = shared.current();
    let old_kid = active_kid(&before, SigningAlg::Es256);
    let next_kid = kids(&before)
        .into_iter()
        .find(|k| *k != old_kid)
        .expect("a next key");
    // The next key is published before it signs anything.
    assert!(kids(&before).contains(&next_kid));
    let old_access = jwt::mint_access_token(&before, &access_token_input(&fx)).unwrap();
    let old_id = jwt::mint_id_token(&before, SigningAlg::Es256, &id_token_input(fx.now())).unwrap();
    assert_eq!(decode(&old_access).0["kid"], old_kid.as_str());

    fx.clock.advance(Duration::minutes(30));
    let retire_after = Duration::minutes(70);
    let report = rotate(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        fx.now(),
        retire_after,
    )
    .unwrap();

    assert_eq!(report.rotations.len(), 1);
    let rotation = &report.rotations[0];
    assert_eq!(rotation.alg, SigningAlg::Es256);
    assert_eq!(rotation.activated.as_ref().unwrap().as_str(), next_kid);
    assert_eq!(rotation.retired.as_ref().unwrap().as_str(), old_kid);
    assert_eq!(rotation.publish_until, Some(fx.now() + retire_after));
    // Until this node reloads, its ring is unchanged.
    assert_eq!(active_kid(&shared.current(), SigningAlg::Es256), old_kid);

    let after = shared.reload(&mut fx.conn(), &fx.master, fx.now()).unwrap();
    assert_eq!(active_kid(&after, SigningAlg::Es256), next_kid);
    let published = kids(&after);
    assert_eq!(published.len(), 3);
    for kid in [&old_kid, &next_kid, &rotation.created_next.to_string()] {
        assert!(published.contains(kid), "{kid} is published");
    }
    let states: Vec<_> = after.keys().iter().map(|k| k.state).collect();
    assert_eq!(
        states,
        [KeyState::Active, KeyState::Next, KeyState::Retired]
    );
    // Tokens signed before the rotation still verify.
    let claims = after
        .verify_access_token(&old_access, ISSUER, fx.now())
        .unwrap();
    assert_eq!(claims.sub, "u-1");
    let parsed: CoreIdToken = old_id.parse().unwrap();
    let nonce = Nonce::new(id_token_input(fx.now()).nonce.unwrap());
    with_relying_party(&after, fx.now() - Duration::minutes(29), |verifier| {
        parsed.claims(verifier, &nonce).unwrap();
    });
    // New tokens carry the new key id.
    let new_access = jwt::mint_access_token(&after, &access_token_input(&fx)).unwrap();
    assert_eq!(decode(&new_access).0["kid"], next_kid.as_str());

    // Audited: activated, retired, created — after the two first-start keys.
    let events = fx.audit_events();
    let tail: Vec<(&str, Option<&str>)> = events[2..]
        .iter()
        .map(|e| (e.kind.as_str(), e.subject.as_deref()))
        .collect();
    assert_eq!(
        tail,
        [
            (
                AuditEventKind::SigningKeyActivated.as_str(),
                Some(next_kid.as_str())
            ),
            (
                AuditEventKind::SigningKeyRetired.as_str(),
                Some(old_kid.as_str())
            ),
            (
                AuditEventKind::SigningKeyCreated.as_str(),
                Some(rotation.created_next.as_str())
            ),
        ]
    );
    let retired: serde_json::Value = serde_json::from_str(&events[3].detail).unwrap();
    assert_eq!(
        retired["publish_until"],
        (fx.now() + retire_after).to_rfc3339()
    );

    // At publish_until the retired key leaves the key set: its tokens have
    // expired by then, and would no longer name a known key.
    fx.clock.advance(retire_after);
    let later = shared.reload(&mut fx.conn(), &fx.master, fx.now()).unwrap();
    assert!(!kids(&later).contains(&old_kid));
    assert_eq!(kids(&later).len(), 2);
    assert!(matches!(
        later.verify_access_token(&old_access, ISSUER, fx.now()),
        Err(TokenError::UnknownKey)
    ));
    let stored = signing_keys::active(&mut fx.conn(), "ES256")
        .unwrap()
        .unwrap();
    assert_eq!(stored.id, next_kid);
}

#[test]
fn rotation_rotates_every_algorithm_in_use_and_only_those() {
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

    let report = rotate(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        fx.now(),
        Duration::hours(2),
    )
    .unwrap();

    let algs: Vec<_> = report.rotations.iter().map(|r| r.alg).collect();
    assert_eq!(algs, [SigningAlg::Es256, SigningAlg::EdDsa]);
    let keys = signing_keys::published(&mut fx.conn(), fx.now()).unwrap();
    for alg in ["ES256", "EdDSA"] {
        let count = |state: &str| {
            keys.iter()
                .filter(|k| k.alg == alg && k.state == state)
                .count()
        };
        assert_eq!(
            (count(STATE_ACTIVE), count(STATE_NEXT), count(STATE_RETIRED)),
            (1, 1, 1),
            "{alg}"
        );
    }
    assert_eq!(signing_keys::active(&mut fx.conn(), "RS256").unwrap(), None);
}

#[test]
fn rotating_twice_retires_both_earlier_keys_each_until_its_own_deadline() {
    let fx = Fixture::new();
    ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();
    let first = rotate(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        fx.now(),
        Duration::hours(1),
    )
    .unwrap();
    fx.clock.advance(Duration::minutes(10));

    let second = rotate(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        fx.now(),
        Duration::hours(1),
    )
    .unwrap();

    let first = &first.rotations[0];
    let second = &second.rotations[0];
    assert_eq!(second.activated.as_ref(), Some(&first.created_next));
    assert_eq!(second.retired, first.activated);
    let ring = fx.ring();
    assert_eq!(
        ring.signer(SigningAlg::Es256).unwrap().kid(),
        &first.created_next
    );
    assert_eq!(ring.jwks().keys().len(), 4, "active, next and two retired");
}

#[test]
fn rotation_claimed_by_another_node_changes_nothing_here() {
    let fx = Fixture::new();
    ensure_active_key(&mut fx.conn(), &fx.master, &fx.audit, fx.now()).unwrap();
    let keys = signing_keys::published(&mut fx.conn(), fx.now()).unwrap();
    let id_in = |state: &str| keys.iter().find(|k| k.state == state).unwrap().id.clone();
    let before_events = fx.audit_events().len();
    // Another node is rotating this very (active, next) pair.
    let claim = format!(
        "signing_key.rotated.{}.{}",
        id_in(STATE_ACTIVE),
        id_in(STATE_NEXT)
    );
    settings::set_if_absent(&mut fx.conn(), &claim, "other-node", fx.now()).unwrap();

    let report = rotate(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        fx.now(),
        Duration::hours(1),
    )
    .unwrap();

    assert!(report.rotations.is_empty());
    assert_eq!(
        signing_keys::published(&mut fx.conn(), fx.now()).unwrap(),
        keys
    );
    assert_eq!(fx.audit_events().len(), before_events);
}

#[test]
fn rotation_without_keys_does_nothing() {
    let fx = Fixture::new();

    let report = rotate(
        &mut fx.conn(),
        &fx.master,
        &fx.audit,
        fx.now(),
        Duration::hours(1),
    )
    .unwrap();

    assert!(report.rotations.is_empty());
    assert!(fx.audit_events().is_empty());
}
