//! Issued access tokens: recorded, revoked every way, swept.

use super::*;

fn access_token(
    jti: &str,
    client: &ClientId,
    family: Option<RefreshFamilyId>,
    code: Option<&str>,
) -> NewAccessToken {
    NewAccessToken {
        jti: jti.into(),
        client_id: client.clone(),
        user_id: Some(UserId::new()),
        family_id: family,
        code_hash: code.map(HashedToken::of),
        scope: "openid profile".into(),
        issued_at: t0(),
        expires_at: at(600),
        session_id: Some("sid-1".into()),
    }
}

#[test]
fn access_tokens_are_revoked_by_session_by_user_and_client_and_by_client() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (wiki, mail) = (
        ClientId::parse("wiki").unwrap(),
        ClientId::parse("mail").unwrap(),
    );
    let in_session = access_token("a", &wiki, None, None);
    let elsewhere = NewAccessToken {
        session_id: Some("sid-2".into()),
        ..access_token("b", &wiki, None, None)
    };
    let other_client = NewAccessToken {
        session_id: None,
        ..access_token("c", &mail, None, None)
    };
    for t in [&in_session, &elsewhere, &other_client] {
        access_tokens::record(&mut c, t).unwrap();
    }
    let active = |c: &mut DbConnection, jti: &str| access_tokens::is_active(c, jti, t0()).unwrap();

    assert_eq!(
        access_tokens::revoke_of_session(&mut c, "sid-1", t0()).unwrap(),
        1
    );
    assert!(!active(&mut c, "a") && active(&mut c, "b") && active(&mut c, "c"));
    assert_eq!(
        access_tokens::revoke_of_session(&mut c, "sid-1", t0()).unwrap(),
        0
    );

    let user = elsewhere.user_id.unwrap();
    assert_eq!(
        access_tokens::revoke_of_user_client(&mut c, user, &mail, t0()).unwrap(),
        0
    );
    assert_eq!(
        access_tokens::revoke_of_user_client(&mut c, user, &wiki, t0()).unwrap(),
        1
    );
    assert!(!active(&mut c, "b") && active(&mut c, "c"));

    assert_eq!(
        access_tokens::revoke_of_client(&mut c, &mail, t0()).unwrap(),
        1
    );
    assert!(!active(&mut c, "c"));
    // Expired tokens are left as they are.
    access_tokens::record(&mut c, &access_token("d", &mail, None, None)).unwrap();
    assert_eq!(
        access_tokens::revoke_of_client(&mut c, &mail, at(601)).unwrap(),
        0
    );
}

#[test]
fn recorded_access_token_is_active_until_it_expires() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let wiki = ClientId::parse("wiki").unwrap();
    let new = access_token("jti-1", &wiki, None, Some("lkc_a"));

    access_tokens::record(&mut c, &new).unwrap();

    let found = access_tokens::find(&mut c, "jti-1").unwrap().unwrap();
    assert_eq!(found.client_id, "wiki");
    assert_eq!(found.user_id, new.user_id.map(|u| u.to_string()));
    assert_eq!(
        found.code_hash,
        Some(HashedToken::of("lkc_a").as_bytes().to_vec())
    );
    assert_eq!(found.scope, "openid profile");
    assert_eq!(found.issued_at, to_db(t0()));
    assert!(access_tokens::is_active(&mut c, "jti-1", at(599)).unwrap());
    assert!(!access_tokens::is_active(&mut c, "jti-1", at(600)).unwrap());
    assert!(!access_tokens::is_active(&mut c, "unknown", t0()).unwrap());
    assert!(
        access_tokens::find_active(&mut c, "jti-1", at(1))
            .unwrap()
            .is_some()
    );

    let err = access_tokens::record(&mut c, &new).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

#[test]
fn access_tokens_are_revoked_by_jti_by_code_and_by_family() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let wiki = ClientId::parse("wiki").unwrap();
    let (f1, f2) = (RefreshFamilyId::new(), RefreshFamilyId::new());
    for t in [
        access_token("single", &wiki, None, None),
        access_token("code-a-1", &wiki, None, Some("lkc_a")),
        access_token("code-a-2", &wiki, Some(f1), Some("lkc_a")),
        access_token("code-b", &wiki, None, Some("lkc_b")),
        access_token("fam-1", &wiki, Some(f1), None),
        access_token("fam-2", &wiki, Some(f2), None),
    ] {
        access_tokens::record(&mut c, &t).unwrap();
    }
    let active = |c: &mut DbConnection, jti| access_tokens::is_active(c, jti, at(10)).unwrap();

    assert!(access_tokens::revoke(&mut c, "single", at(1)).unwrap());
    assert!(!access_tokens::revoke(&mut c, "single", at(2)).unwrap());
    assert!(!access_tokens::revoke(&mut c, "unknown", at(2)).unwrap());
    assert_eq!(
        access_tokens::find(&mut c, "single")
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(to_db(at(1))),
        "the first revocation time stays"
    );

    assert_eq!(
        access_tokens::revoke_by_code(&mut c, &HashedToken::of("lkc_a"), at(3)).unwrap(),
        2
    );
    assert_eq!(
        access_tokens::revoke_by_family(&mut c, f1, at(4)).unwrap(),
        1
    );

    assert!(!active(&mut c, "single"));
    assert!(!active(&mut c, "code-a-1"));
    assert!(!active(&mut c, "code-a-2"));
    assert!(!active(&mut c, "fam-1"));
    assert!(active(&mut c, "code-b"));
    assert!(active(&mut c, "fam-2"));
}

#[test]
fn expired_access_token_records_are_swept() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let wiki = ClientId::parse("wiki").unwrap();
    access_tokens::record(&mut c, &access_token("old", &wiki, None, None)).unwrap();
    access_tokens::record(
        &mut c,
        &NewAccessToken {
            expires_at: at(6000),
            ..access_token("new", &wiki, None, None)
        },
    )
    .unwrap();

    assert_eq!(
        access_tokens::delete_expired_before(&mut c, at(600)).unwrap(),
        0
    );
    assert_eq!(
        access_tokens::delete_expired_before(&mut c, at(601)).unwrap(),
        1
    );
    assert_eq!(access_tokens::find(&mut c, "old").unwrap(), None);
    assert!(access_tokens::find(&mut c, "new").unwrap().is_some());
}

#[test]
fn a_users_access_tokens_are_revoked_with_every_client_and_no_one_elses() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (wiki, mail) = (
        ClientId::parse("wiki").unwrap(),
        ClientId::parse("mail").unwrap(),
    );
    let bob = UserId::new();
    let bobs = [
        NewAccessToken {
            user_id: Some(bob),
            ..access_token("b1", &wiki, None, None)
        },
        NewAccessToken {
            user_id: Some(bob),
            session_id: None,
            ..access_token("b2", &mail, None, None)
        },
    ];
    let alice = access_token("a1", &wiki, None, None);
    for t in bobs.iter().chain([&alice]) {
        access_tokens::record(&mut c, t).unwrap();
    }
    assert_eq!(access_tokens::revoke_of_user(&mut c, bob, t0()).unwrap(), 2);
    assert!(!access_tokens::is_active(&mut c, "b1", t0()).unwrap());
    assert!(!access_tokens::is_active(&mut c, "b2", t0()).unwrap());
    assert!(access_tokens::is_active(&mut c, "a1", t0()).unwrap());
    assert_eq!(access_tokens::revoke_of_user(&mut c, bob, t0()).unwrap(), 0);
}
