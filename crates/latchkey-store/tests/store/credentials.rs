//! Registered passkeys.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use latchkey_core::{CredentialId, UserId};
use latchkey_store::credentials::{self, Credential, NewCredential};
use latchkey_store::{DbConnection, StoreError, to_db};
use latchkey_testkit::TestDb;

use crate::{at, conn, new_user, t0};

fn passkey(owner: UserId, webauthn_id: &[u8], label: &str) -> NewCredential {
    NewCredential {
        user_id: owner,
        webauthn_id: webauthn_id.to_vec(),
        label: label.to_owned(),
        passkey_json: r#"{"cred":{"counter":0}}"#.to_owned(),
        aaguid: Some("ee882879-721c-4913-9775-3dfcce97072a".to_owned()),
        backup_eligible: true,
        backup_state: false,
        attested: false,
        attestation_format: None,
        attestation_json: None,
        sign_count: 0,
    }
}

fn only(conn: &mut DbConnection, webauthn_id: &[u8]) -> Credential {
    credentials::find_active_by_webauthn_id(conn, webauthn_id)
        .unwrap()
        .expect("the passkey is active")
}

#[test]
fn inserted_passkey_is_listed_and_found_by_webauthn_id_with_every_field_intact() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let new = NewCredential {
        attested: true,
        attestation_format: Some("packed".into()),
        attestation_json: Some(r#"{"x5c":[]}"#.into()),
        sign_count: 7,
        ..passkey(alice, &[0, 1, 2, 255], "Laptop")
    };

    let id = credentials::insert(&mut c, &new, at(5)).unwrap();

    let found = only(&mut c, &[0, 1, 2, 255]);
    assert_eq!(found.credential_id().unwrap(), id);
    assert_eq!(found.owner().unwrap(), alice);
    assert_eq!(found.webauthn_id, vec![0, 1, 2, 255]);
    assert_eq!(found.label, "Laptop");
    assert_eq!(found.passkey_json, new.passkey_json);
    assert_eq!(found.aaguid, new.aaguid);
    assert!(found.backup_eligible);
    assert!(!found.backup_state);
    assert!(found.attested);
    assert_eq!(found.attestation_format.as_deref(), Some("packed"));
    assert_eq!(found.attestation_json, new.attestation_json);
    assert_eq!(found.sign_count, 7);
    assert_eq!(found.clone_suspected_at, None);
    assert_eq!(found.created_at, to_db(at(5)));
    assert_eq!(found.last_used_at, None);
    assert_eq!(found.revoked_at, None);
    assert_eq!(
        credentials::list_active(&mut c, alice).unwrap(),
        vec![found]
    );
}

#[test]
fn list_active_returns_only_the_owners_passkeys_oldest_first() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let bob = new_user(&mut c, "bob").user_id().unwrap();
    // Inserted out of order: the list is ordered by creation time.
    let second = credentials::insert(&mut c, &passkey(alice, b"a-2", "Phone"), at(20)).unwrap();
    let first = credentials::insert(&mut c, &passkey(alice, b"a-1", "Laptop"), at(10)).unwrap();
    credentials::insert(&mut c, &passkey(bob, b"b-1", "Key"), at(15)).unwrap();

    let ids: Vec<CredentialId> = credentials::list_active(&mut c, alice)
        .unwrap()
        .iter()
        .map(|p| p.credential_id().unwrap())
        .collect();

    assert_eq!(ids, [first, second]);
    assert_eq!(credentials::list_active(&mut c, bob).unwrap().len(), 1);
    assert_eq!(
        credentials::list_active(&mut c, UserId::new()).unwrap(),
        Vec::new()
    );
}

#[test]
fn insert_is_refused_as_conflict_when_the_webauthn_id_is_registered_even_to_another_user() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let bob = new_user(&mut c, "bob").user_id().unwrap();
    credentials::insert(&mut c, &passkey(alice, b"same", "Alice's"), t0()).unwrap();

    let own = credentials::insert(&mut c, &passkey(alice, b"same", "again"), at(1)).unwrap_err();
    let other = credentials::insert(&mut c, &passkey(bob, b"same", "Bob's"), at(1)).unwrap_err();

    assert!(matches!(own, StoreError::Conflict(_)), "{own:?}");
    assert!(matches!(other, StoreError::Conflict(_)), "{other:?}");
    assert_eq!(only(&mut c, b"same").owner().unwrap(), alice);
    assert_eq!(credentials::count_active(&mut c, bob).unwrap(), 0);
}

#[test]
fn insert_fails_with_a_foreign_key_violation_for_an_unknown_user() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let err =
        credentials::insert(&mut c, &passkey(UserId::new(), b"orphan", "x"), t0()).unwrap_err();

    assert!(
        matches!(
            err,
            StoreError::Query(DieselError::DatabaseError(
                DatabaseErrorKind::ForeignKeyViolation,
                _
            ))
        ),
        "foreign keys must be enforced on every backend: {err:?}"
    );
    assert_eq!(
        credentials::find_active_by_webauthn_id(&mut c, b"orphan").unwrap(),
        None
    );
}

#[test]
fn rename_by_the_owner_changes_only_the_label() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let id = credentials::insert(&mut c, &passkey(alice, b"k", "Old name"), t0()).unwrap();
    let before = only(&mut c, b"k");

    credentials::rename(&mut c, alice, id, "New name").unwrap();

    let after = only(&mut c, b"k");
    assert_eq!(after.label, "New name");
    assert_eq!(
        Credential {
            label: before.label.clone(),
            ..after
        },
        before,
        "nothing but the label changed"
    );
}

#[test]
fn rename_by_another_user_is_not_found_and_changes_nothing() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let mallory = new_user(&mut c, "mallory").user_id().unwrap();
    let id = credentials::insert(&mut c, &passkey(alice, b"k", "Alice's key"), t0()).unwrap();
    let before = only(&mut c, b"k");

    let err = credentials::rename(&mut c, mallory, id, "pwned").unwrap_err();

    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(only(&mut c, b"k"), before);
}

#[test]
fn rename_reports_not_found_for_an_unknown_or_revoked_passkey() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let id = credentials::insert(&mut c, &passkey(alice, b"k", "Key"), t0()).unwrap();
    credentials::revoke(&mut c, alice, id, at(1)).unwrap();

    let unknown = credentials::rename(&mut c, alice, CredentialId::new(), "x").unwrap_err();
    let revoked = credentials::rename(&mut c, alice, id, "x").unwrap_err();

    assert!(matches!(unknown, StoreError::NotFound(_)), "{unknown:?}");
    assert!(matches!(revoked, StoreError::NotFound(_)), "{revoked:?}");
}

#[test]
fn revoke_by_the_owner_hides_the_passkey_from_every_active_query() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let kept = credentials::insert(&mut c, &passkey(alice, b"keep", "Keep"), t0()).unwrap();
    let gone = credentials::insert(&mut c, &passkey(alice, b"gone", "Gone"), at(1)).unwrap();
    assert_eq!(credentials::count_active(&mut c, alice).unwrap(), 2);

    credentials::revoke(&mut c, alice, gone, at(10)).unwrap();

    assert_eq!(credentials::count_active(&mut c, alice).unwrap(), 1);
    assert_eq!(
        credentials::find_active_by_webauthn_id(&mut c, b"gone").unwrap(),
        None
    );
    let listed: Vec<CredentialId> = credentials::list_active(&mut c, alice)
        .unwrap()
        .iter()
        .map(|p| p.credential_id().unwrap())
        .collect();
    assert_eq!(listed, [kept]);
    let again = credentials::revoke(&mut c, alice, gone, at(11)).unwrap_err();
    assert!(
        matches!(again, StoreError::NotFound(_)),
        "revoking twice: {again:?}"
    );
}

#[test]
fn revoke_by_another_user_is_not_found_and_leaves_the_passkey_active() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let mallory = new_user(&mut c, "mallory").user_id().unwrap();
    let id = credentials::insert(&mut c, &passkey(alice, b"k", "Alice's key"), t0()).unwrap();
    let before = only(&mut c, b"k");

    let err = credentials::revoke(&mut c, mallory, id, at(1)).unwrap_err();

    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(only(&mut c, b"k"), before);
    assert_eq!(credentials::count_active(&mut c, alice).unwrap(), 1);
}

#[test]
fn record_use_stores_new_state_counter_backup_state_and_time() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let id = credentials::insert(&mut c, &passkey(alice, b"k", "Key"), t0()).unwrap();

    credentials::record_use(&mut c, id, r#"{"cred":{"counter":42}}"#, 42, true, at(90)).unwrap();

    let after = only(&mut c, b"k");
    assert_eq!(after.passkey_json, r#"{"cred":{"counter":42}}"#);
    assert_eq!(after.sign_count, 42);
    assert!(after.backup_state);
    assert_eq!(after.last_used_at, Some(to_db(at(90))));
    assert_eq!(after.created_at, to_db(t0()));
}

#[test]
fn record_use_reports_not_found_for_an_unknown_passkey() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let err =
        credentials::record_use(&mut c, CredentialId::new(), "{}", 1, false, t0()).unwrap_err();

    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

#[test]
fn mark_clone_suspected_records_the_time_and_keeps_the_passkey_active() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let id = credentials::insert(&mut c, &passkey(alice, b"k", "Key"), t0()).unwrap();

    credentials::mark_clone_suspected(&mut c, id, at(7)).unwrap();

    let after = only(&mut c, b"k");
    assert_eq!(after.clone_suspected_at, Some(to_db(at(7))));
    assert_eq!(credentials::count_active(&mut c, alice).unwrap(), 1);
}

#[test]
fn count_active_counts_only_unrevoked_passkeys_of_that_user() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let bob = new_user(&mut c, "bob").user_id().unwrap();
    for i in 0..3u8 {
        credentials::insert(&mut c, &passkey(alice, &[b'a', i], "A"), at(i.into())).unwrap();
    }
    let revoked = credentials::insert(&mut c, &passkey(alice, b"a-x", "A"), at(5)).unwrap();
    credentials::insert(&mut c, &passkey(bob, b"b-1", "B"), at(6)).unwrap();
    credentials::revoke(&mut c, alice, revoked, at(7)).unwrap();

    assert_eq!(credentials::count_active(&mut c, alice).unwrap(), 3);
    assert_eq!(credentials::count_active(&mut c, bob).unwrap(), 1);
    assert_eq!(credentials::count_active(&mut c, UserId::new()).unwrap(), 0);
}

#[test]
fn a_pending_passkey_is_never_active_until_activated_and_discarding_deletes_it() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let first = credentials::insert(&mut c, &passkey(alice, b"first", "Laptop"), t0()).unwrap();
    let (kept, dropped) = (
        latchkey_core::GuardedActionId::new(),
        latchkey_core::GuardedActionId::new(),
    );
    let waiting =
        credentials::insert_pending(&mut c, &passkey(alice, b"new", "Phone"), kept, at(1)).unwrap();
    credentials::insert_pending(&mut c, &passkey(alice, b"other", "Key"), dropped, at(2)).unwrap();

    // Nothing that serves a sign-in, a step-up or an approval sees them.
    assert!(
        credentials::find_active_by_webauthn_id(&mut c, b"new")
            .unwrap()
            .is_none()
    );
    assert!(credentials::find_active(&mut c, waiting).unwrap().is_none());
    assert_eq!(credentials::count_active(&mut c, alice).unwrap(), 1);
    let active: Vec<_> = credentials::list_active(&mut c, alice)
        .unwrap()
        .iter()
        .map(|p| p.credential_id().unwrap())
        .collect();
    assert_eq!(active, [first]);
    assert!(matches!(
        credentials::rename(&mut c, alice, waiting, "mine"),
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        credentials::revoke(&mut c, alice, waiting, at(3)),
        Err(StoreError::NotFound(_))
    ));
    // Its credential id is taken all the same.
    let again = credentials::insert(&mut c, &passkey(alice, b"new", "again"), at(3)).unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again:?}");
    let pending: Vec<_> = credentials::list_pending(&mut c, alice)
        .unwrap()
        .into_iter()
        .map(|p| p.label)
        .collect();
    assert_eq!(pending, ["Phone", "Key"]);

    let activated = credentials::activate_pending(&mut c, kept).unwrap();
    assert_eq!(activated.len(), 1);
    assert_eq!(only(&mut c, b"new").credential_id().unwrap(), waiting);
    assert_eq!(credentials::count_active(&mut c, alice).unwrap(), 2);
    assert!(credentials::pending_of(&mut c, kept).unwrap().is_empty());

    let discarded = credentials::discard_pending(&mut c, dropped).unwrap();
    assert_eq!(discarded.len(), 1);
    assert!(credentials::list_pending(&mut c, alice).unwrap().is_empty());
    // The deleted row frees its credential id.
    credentials::insert(&mut c, &passkey(alice, b"other", "Key again"), at(4)).unwrap();
}
