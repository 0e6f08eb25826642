//! Token-signing keys and their rotation.

use latchkey_core::SigningKeyId;
use latchkey_store::seal::MasterKey;
use latchkey_store::signing_keys::{
    self, NewSigningKey, STATE_ACTIVE, STATE_NEXT, STATE_RETIRED, SigningKey,
};
use latchkey_store::{DbConnection, StoreError, to_db};
use latchkey_testkit::TestDb;

use crate::{at, conn, t0};

fn key(alg: &str, state: &'static str) -> NewSigningKey {
    let id = SigningKeyId::generate();
    NewSigningKey {
        public_jwk: format!(r#"{{"kid":"{id}","kty":"EC","crv":"P-256"}}"#),
        id,
        alg: alg.to_owned(),
        state,
        private_key_sealed: vec![0xde, 0xad, 0xbe, 0xef],
    }
}

fn ids(keys: &[SigningKey]) -> Vec<&str> {
    keys.iter().map(|k| k.id.as_str()).collect()
}

fn find(conn: &mut DbConnection, id: &SigningKeyId, now_secs: i64) -> SigningKey {
    signing_keys::published(conn, at(now_secs))
        .unwrap()
        .into_iter()
        .find(|k| k.id == id.as_str())
        .expect("the key is published")
}

#[test]
fn inserted_active_key_is_the_active_key_of_its_algorithm_only() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let es = key("ES256", STATE_ACTIVE);

    signing_keys::insert(&mut c, &es, at(1)).unwrap();

    let active = signing_keys::active(&mut c, "ES256")
        .unwrap()
        .expect("an active key");
    assert_eq!(active.id, es.id.as_str());
    assert_eq!(active.alg, "ES256");
    assert_eq!(active.state, STATE_ACTIVE);
    assert_eq!(active.public_jwk, es.public_jwk);
    assert_eq!(active.private_key_sealed, es.private_key_sealed);
    assert_eq!(active.created_at, to_db(at(1)));
    assert_eq!(active.activated_at, Some(to_db(at(1))));
    assert_eq!(active.retired_at, None);
    assert_eq!(active.publish_until, None);
    assert_eq!(signing_keys::active(&mut c, "RS256").unwrap(), None);
}

#[test]
fn inserted_next_key_is_published_but_not_active() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let next = key("ES256", STATE_NEXT);

    signing_keys::insert(&mut c, &next, t0()).unwrap();

    assert_eq!(signing_keys::active(&mut c, "ES256").unwrap(), None);
    let published = signing_keys::published(&mut c, t0()).unwrap();
    assert_eq!(ids(&published), [next.id.as_str()]);
    assert_eq!(published[0].activated_at, None);
}

#[test]
fn insert_is_refused_as_conflict_when_the_key_id_is_taken() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let first = key("ES256", STATE_ACTIVE);
    signing_keys::insert(&mut c, &first, t0()).unwrap();

    let clash = NewSigningKey {
        id: first.id.clone(),
        ..key("RS256", STATE_NEXT)
    };
    let err = signing_keys::insert(&mut c, &clash, at(1)).unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

#[test]
fn sealed_private_key_round_trips_and_opens_only_under_its_own_key_id() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let sealer = MasterKey::from_bytes([9; 32]).sealer("signing-keys");
    let mut new = key("ES256", STATE_ACTIVE);
    new.private_key_sealed = sealer
        .seal(b"pkcs8 bytes", new.id.as_str().as_bytes())
        .unwrap();

    signing_keys::insert(&mut c, &new, t0()).unwrap();

    let stored = signing_keys::active(&mut c, "ES256").unwrap().unwrap();
    let opened = sealer
        .open(&stored.private_key_sealed, stored.id.as_bytes())
        .unwrap();
    assert_eq!(opened.expose().as_slice(), b"pkcs8 bytes");
    assert!(
        sealer
            .open(&stored.private_key_sealed, b"another-kid")
            .is_err()
    );
}

#[test]
fn published_lists_next_active_and_unexpired_retired_keys_oldest_first() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let old = key("ES256", STATE_ACTIVE);
    let next = key("ES256", STATE_NEXT);
    let rsa = key("RS256", STATE_ACTIVE);
    signing_keys::insert(&mut c, &old, at(0)).unwrap();
    signing_keys::insert(&mut c, &rsa, at(1)).unwrap();
    signing_keys::insert(&mut c, &next, at(2)).unwrap();
    assert_eq!(
        ids(&signing_keys::published(&mut c, at(3)).unwrap()),
        [old.id.as_str(), rsa.id.as_str(), next.id.as_str()]
    );

    // Retire `old` at 100, keep publishing it until 1000.
    signing_keys::promote_next(&mut c, "ES256", at(100), at(1000)).unwrap();

    let all = [old.id.as_str(), rsa.id.as_str(), next.id.as_str()];
    assert_eq!(ids(&signing_keys::published(&mut c, at(100)).unwrap()), all);
    assert_eq!(ids(&signing_keys::published(&mut c, at(999)).unwrap()), all);
    // At publish_until and after, the retired key is gone from the key set.
    let without_old = [rsa.id.as_str(), next.id.as_str()];
    assert_eq!(
        ids(&signing_keys::published(&mut c, at(1000)).unwrap()),
        without_old
    );
    assert_eq!(
        ids(&signing_keys::published(&mut c, at(5000)).unwrap()),
        without_old
    );
}

#[test]
fn promote_next_activates_the_next_key_and_retires_the_active_one() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let old = key("ES256", STATE_ACTIVE);
    let next = key("ES256", STATE_NEXT);
    let rsa = key("RS256", STATE_ACTIVE);
    signing_keys::insert(&mut c, &old, at(0)).unwrap();
    signing_keys::insert(&mut c, &next, at(1)).unwrap();
    signing_keys::insert(&mut c, &rsa, at(2)).unwrap();

    let promoted = signing_keys::promote_next(&mut c, "ES256", at(100), at(1000)).unwrap();

    assert_eq!(promoted.as_deref(), Some(next.id.as_str()));
    let active = signing_keys::active(&mut c, "ES256").unwrap().unwrap();
    assert_eq!(active.id, next.id.as_str());
    assert_eq!(active.activated_at, Some(to_db(at(100))));
    let retired = find(&mut c, &old.id, 100);
    assert_eq!(retired.state, STATE_RETIRED);
    assert_eq!(retired.retired_at, Some(to_db(at(100))));
    assert_eq!(retired.publish_until, Some(to_db(at(1000))));
    let other_alg = signing_keys::active(&mut c, "RS256").unwrap().unwrap();
    assert_eq!(
        other_alg.id,
        rsa.id.as_str(),
        "another algorithm is untouched"
    );
    assert_eq!(other_alg.state, STATE_ACTIVE);
}

#[test]
fn promote_next_returns_none_and_changes_nothing_when_no_next_key_exists() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let only = key("ES256", STATE_ACTIVE);
    signing_keys::insert(&mut c, &only, t0()).unwrap();
    let before = signing_keys::published(&mut c, t0()).unwrap();

    let promoted = signing_keys::promote_next(&mut c, "ES256", at(10), at(100)).unwrap();

    assert_eq!(promoted, None);
    assert_eq!(signing_keys::published(&mut c, t0()).unwrap(), before);
    assert_eq!(
        signing_keys::active(&mut c, "ES256").unwrap().unwrap().id,
        only.id.as_str()
    );
}

#[test]
fn promote_next_works_without_a_previous_active_key() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let next = key("EdDSA", STATE_NEXT);
    signing_keys::insert(&mut c, &next, t0()).unwrap();

    let promoted = signing_keys::promote_next(&mut c, "EdDSA", at(5), at(50)).unwrap();

    assert_eq!(promoted.as_deref(), Some(next.id.as_str()));
    let active = signing_keys::active(&mut c, "EdDSA").unwrap().unwrap();
    assert_eq!(active.activated_at, Some(to_db(at(5))));
}

#[test]
fn promote_next_twice_rotates_through_the_next_keys_oldest_first() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let a = key("ES256", STATE_ACTIVE);
    let b = key("ES256", STATE_NEXT);
    let c2 = key("ES256", STATE_NEXT);
    signing_keys::insert(&mut c, &a, at(0)).unwrap();
    signing_keys::insert(&mut c, &b, at(1)).unwrap();
    signing_keys::insert(&mut c, &c2, at(2)).unwrap();

    let first = signing_keys::promote_next(&mut c, "ES256", at(10), at(100)).unwrap();
    let second = signing_keys::promote_next(&mut c, "ES256", at(20), at(200)).unwrap();

    assert_eq!(first.as_deref(), Some(b.id.as_str()));
    assert_eq!(second.as_deref(), Some(c2.id.as_str()));
    assert_eq!(
        signing_keys::active(&mut c, "ES256").unwrap().unwrap().id,
        c2.id.as_str()
    );
    assert_eq!(find(&mut c, &a.id, 20).publish_until, Some(to_db(at(100))));
    assert_eq!(find(&mut c, &b.id, 20).publish_until, Some(to_db(at(200))));
    assert_eq!(find(&mut c, &b.id, 20).state, STATE_RETIRED);
}
