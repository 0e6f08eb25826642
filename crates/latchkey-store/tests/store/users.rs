//! Accounts and roles.

use chrono::Duration;
use latchkey_core::{AccountTier, UserId};
use latchkey_store::users::{self, NewUser, ROLE_ADMIN};
use latchkey_store::{StoreError, to_db};
use latchkey_testkit::TestDb;

use crate::{at, conn, new_user, t0};

fn alice() -> NewUser {
    NewUser {
        username: "alice".into(),
        display_name: "Alice Example".into(),
        email: Some("alice@example.test".into()),
        tier: AccountTier::Elevated,
    }
}

#[test]
fn created_user_is_found_by_id_and_by_username_with_every_field_intact() {
    let db = TestDb::new();
    let mut c = conn(&db);
    // Nanoseconds on purpose: storage keeps microseconds on both backends.
    let now = t0() + Duration::nanoseconds(123_456_789);

    let created = users::create(&mut c, &alice(), now).unwrap();

    assert_eq!(created.username, "alice");
    assert_eq!(created.display_name, "Alice Example");
    assert_eq!(created.email.as_deref(), Some("alice@example.test"));
    assert_eq!(created.account_tier().unwrap(), AccountTier::Elevated);
    assert!(!created.tier_pinned);
    assert!(created.passkey_only);
    assert!(!created.is_disabled());
    assert_eq!(created.created_at, to_db(now));
    assert_eq!(
        created.created_at.and_utc().timestamp_subsec_nanos(),
        123_456_000
    );
    let id = created.user_id().unwrap();
    assert_eq!(users::find(&mut c, id).unwrap().as_ref(), Some(&created));
    assert_eq!(
        users::find_by_username(&mut c, "alice").unwrap().as_ref(),
        Some(&created)
    );
}

#[test]
fn find_returns_none_for_an_unknown_id_or_username() {
    let db = TestDb::new();
    let mut c = conn(&db);
    new_user(&mut c, "bob");

    assert_eq!(users::find(&mut c, UserId::new()).unwrap(), None);
    assert_eq!(users::find_by_username(&mut c, "nobody").unwrap(), None);
    // Usernames are matched exactly.
    assert_eq!(users::find_by_username(&mut c, "BOB").unwrap(), None);
}

#[test]
fn create_is_refused_as_conflict_when_the_username_is_taken() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let first = users::create(&mut c, &alice(), t0()).unwrap();

    let again = NewUser {
        email: Some("other@example.test".into()),
        ..alice()
    };
    let err = users::create(&mut c, &again, at(1)).unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        users::find_by_username(&mut c, "alice").unwrap().as_ref(),
        Some(&first),
        "the first account is unchanged"
    );
}

#[test]
fn create_is_refused_as_conflict_when_the_email_is_taken() {
    let db = TestDb::new();
    let mut c = conn(&db);
    users::create(&mut c, &alice(), t0()).unwrap();

    let same_email = NewUser {
        username: "alice2".into(),
        ..alice()
    };
    let err = users::create(&mut c, &same_email, at(1)).unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(users::find_by_username(&mut c, "alice2").unwrap(), None);
}

#[test]
fn create_accepts_many_users_without_email() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let a = new_user(&mut c, "no-mail-1");
    let b = new_user(&mut c, "no-mail-2");

    assert_eq!(a.email, None);
    assert_eq!(b.email, None);
    assert_ne!(a.id, b.id);
}

#[test]
fn roles_lists_granted_roles_sorted_and_count_with_role_counts_holders() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let admin = new_user(&mut c, "root").user_id().unwrap();
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    let bob = new_user(&mut c, "bob").user_id().unwrap();

    assert_eq!(users::roles(&mut c, alice).unwrap(), Vec::<String>::new());
    assert_eq!(users::count_with_role(&mut c, ROLE_ADMIN).unwrap(), 0);

    users::grant_role(&mut c, admin, ROLE_ADMIN, None, t0()).unwrap();
    users::grant_role(&mut c, alice, "auditor", Some(admin), at(1)).unwrap();
    users::grant_role(&mut c, alice, ROLE_ADMIN, Some(admin), at(2)).unwrap();

    assert_eq!(users::roles(&mut c, alice).unwrap(), ["admin", "auditor"]);
    assert_eq!(users::roles(&mut c, admin).unwrap(), ["admin"]);
    assert_eq!(users::roles(&mut c, bob).unwrap(), Vec::<String>::new());
    assert_eq!(users::count_with_role(&mut c, ROLE_ADMIN).unwrap(), 2);
    assert_eq!(users::count_with_role(&mut c, "auditor").unwrap(), 1);
    assert_eq!(
        users::count_with_role(&mut c, "nobody-has-this").unwrap(),
        0
    );
}

#[test]
fn grant_role_is_refused_as_conflict_when_already_granted() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    users::grant_role(&mut c, alice, ROLE_ADMIN, None, t0()).unwrap();

    let err = users::grant_role(&mut c, alice, ROLE_ADMIN, None, at(1)).unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(users::count_with_role(&mut c, ROLE_ADMIN).unwrap(), 1);
}

#[test]
fn grant_role_fails_for_an_unknown_user() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let result = users::grant_role(&mut c, UserId::new(), ROLE_ADMIN, None, t0());

    assert!(
        result.is_err(),
        "the foreign key must hold on every backend"
    );
    assert_eq!(users::count_with_role(&mut c, ROLE_ADMIN).unwrap(), 0);
}

#[test]
fn set_tier_changes_tier_pin_and_updated_at_of_that_user_only() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice");
    let bob = new_user(&mut c, "bob");

    users::set_tier(
        &mut c,
        alice.user_id().unwrap(),
        AccountTier::Critical,
        true,
        at(60),
    )
    .unwrap();

    let after = users::find(&mut c, alice.user_id().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(after.account_tier().unwrap(), AccountTier::Critical);
    assert!(after.tier_pinned);
    assert_eq!(after.updated_at, to_db(at(60)));
    assert_eq!(after.created_at, alice.created_at);
    assert_eq!(
        users::find(&mut c, bob.user_id().unwrap())
            .unwrap()
            .as_ref(),
        Some(&bob),
        "another user is untouched"
    );
}

#[test]
fn set_tier_reports_not_found_for_an_unknown_user() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let err =
        users::set_tier(&mut c, UserId::new(), AccountTier::Critical, false, t0()).unwrap_err();

    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

#[test]
fn disable_marks_the_user_disabled_at_the_given_time() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice");
    let bob = new_user(&mut c, "bob");

    users::disable(&mut c, alice.user_id().unwrap(), at(30)).unwrap();

    let after = users::find(&mut c, alice.user_id().unwrap())
        .unwrap()
        .unwrap();
    assert!(after.is_disabled());
    assert_eq!(after.disabled_at, Some(to_db(at(30))));
    assert_eq!(after.updated_at, to_db(at(30)));
    assert!(
        !users::find(&mut c, bob.user_id().unwrap())
            .unwrap()
            .unwrap()
            .is_disabled()
    );
}

#[test]
fn disable_reports_not_found_for_an_unknown_user() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let err = users::disable(&mut c, UserId::new(), t0()).unwrap_err();

    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

#[test]
fn no_bootstrap_token_once_an_administrator_has_existed_even_if_none_is_left() {
    use diesel::prelude::*;
    use latchkey_store::schema::user_roles;
    let db = TestDb::new();
    let mut c = conn(&db);
    let audit = latchkey_store::audit::AuditChain::new(
        &latchkey_store::seal::MasterKey::from_bytes([7; 32]),
    );
    assert!(
        latchkey_store::accounts::issue_bootstrap_token(&mut c, &audit, t0())
            .unwrap()
            .is_some()
    );
    let root = new_user(&mut c, "root").user_id().unwrap();
    users::grant_role(&mut c, root, ROLE_ADMIN, None, at(1)).unwrap();
    // The role is taken away again (however that happened).
    diesel::delete(user_roles::table).execute(&mut *c).unwrap();
    assert_eq!(users::count_with_role(&mut c, ROLE_ADMIN).unwrap(), 0);

    assert!(users::admin_ever_existed(&mut c).unwrap());
    assert!(
        latchkey_store::accounts::issue_bootstrap_token(&mut c, &audit, at(2))
            .unwrap()
            .is_none()
    );
}

#[test]
fn the_founding_window_closes_for_good_at_three_administrators() {
    use diesel::prelude::*;
    use latchkey_store::schema::user_roles;
    let db = TestDb::new();
    let mut c = conn(&db);
    for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
        assert!(users::founding_open(&mut c).unwrap(), "before {name}");
        let id = new_user(&mut c, name).user_id().unwrap();
        users::grant_role(&mut c, id, ROLE_ADMIN, None, at(i as i64)).unwrap();
    }
    assert!(!users::founding_open(&mut c).unwrap());
    diesel::delete(user_roles::table).execute(&mut *c).unwrap();
    assert!(!users::founding_open(&mut c).unwrap(), "reopened");
}

#[test]
fn an_address_is_marked_verified_only_while_it_is_still_the_accounts_address() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let alice = new_user(&mut c, "alice").user_id().unwrap();
    users::set_email(&mut c, alice, Some("alice@example.com"), t0()).unwrap();
    assert!(!users::mark_email_verified(&mut c, alice, "old@example.com", at(1)).unwrap());
    assert_eq!(
        users::find(&mut c, alice)
            .unwrap()
            .unwrap()
            .email_verified_at,
        None
    );
    assert!(users::mark_email_verified(&mut c, alice, "alice@example.com", at(2)).unwrap());
    assert_eq!(
        users::find(&mut c, alice)
            .unwrap()
            .unwrap()
            .email_verified_at,
        Some(to_db(at(2)))
    );
    // A new address is unverified again.
    users::set_email(&mut c, alice, Some("alice@example.org"), at(3)).unwrap();
    assert_eq!(
        users::find(&mut c, alice)
            .unwrap()
            .unwrap()
            .email_verified_at,
        None
    );
}

#[test]
fn an_accounts_language_is_none_until_chosen_then_stored_and_cleared() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let id = users::create(&mut c, &alice(), t0())
        .unwrap()
        .user_id()
        .unwrap();

    assert_eq!(users::locale(&mut c, id).unwrap(), None);
    users::set_locale(&mut c, id, Some("de"), at(5)).unwrap();
    assert_eq!(users::locale(&mut c, id).unwrap().as_deref(), Some("de"));
    users::set_locale(&mut c, id, None, at(6)).unwrap();
    assert_eq!(users::locale(&mut c, id).unwrap(), None);

    let unknown = users::set_locale(&mut c, UserId::new(), Some("de"), at(7));
    assert!(matches!(unknown, Err(StoreError::NotFound(_))));
    assert_eq!(users::locale(&mut c, UserId::new()).unwrap(), None);
}
