//! What the authorization server remembers about grants: consents, issued
//! access tokens, refresh-token families and their rotation.

use std::collections::BTreeSet;

use latchkey_core::{ClientId, HashedToken, PlainToken, RefreshFamilyId, TokenKind, UserId};
use latchkey_store::access_tokens::{self, NewAccessToken};
use latchkey_store::clients::{self, NewClient};
use latchkey_store::refresh_tokens::{self, NewRefreshFamily, Refusal, RotateOutcome};
use latchkey_store::{DbConnection, StoreError, consents, to_db};
use latchkey_testkit::TestDb;

use crate::{at, conn, new_user, t0};

fn client(conn: &mut DbConnection, id: &str, name: &str) -> ClientId {
    let id = ClientId::parse(id).unwrap();
    clients::insert(
        conn,
        &NewClient {
            id: id.clone(),
            name: name.into(),
            secret_hash: None,
            auth_method: "none".into(),
            redirect_uris: vec![format!("https://{name}.example.test/cb")],
            post_logout_redirect_uris: vec![],
            min_acr: None,
            first_party: false,
            id_token_alg: "ES256".into(),
        },
        t0(),
    )
    .unwrap();
    id
}

fn user(conn: &mut DbConnection, name: &str) -> UserId {
    new_user(conn, name).user_id().unwrap()
}

fn set(scopes: &[&str]) -> BTreeSet<String> {
    scopes.iter().map(|s| (*s).to_owned()).collect()
}

// ---- consents --------------------------------------------------------------

#[test]
fn consent_is_granted_found_and_widened_by_later_grants() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, wiki) = (user(&mut c, "ada"), client(&mut c, "wiki", "wiki"));
    assert_eq!(consents::find(&mut c, ada, &wiki).unwrap(), None);

    let now = consents::grant(&mut c, ada, &wiki, ["openid", "profile"], at(1)).unwrap();
    assert_eq!(now, set(&["openid", "profile"]));
    assert_eq!(
        consents::find(&mut c, ada, &wiki).unwrap(),
        Some(set(&["openid", "profile"]))
    );

    let now = consents::grant(&mut c, ada, &wiki, ["email", "openid"], at(2)).unwrap();
    assert_eq!(now, set(&["email", "openid", "profile"]));
    let row = consents::find_row(&mut c, ada, &wiki).unwrap().unwrap();
    assert_eq!(row.scopes, "email openid profile");
    assert_eq!(row.granted_at, to_db(at(2)));
    assert!(consents::covers(&mut c, ada, &wiki, ["openid", "email"]).unwrap());
    assert!(!consents::covers(&mut c, ada, &wiki, ["openid", "offline_access"]).unwrap());
}

#[test]
fn consent_belongs_to_one_user_and_one_client() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, bob) = (user(&mut c, "ada"), user(&mut c, "bob"));
    let (wiki, chat) = (
        client(&mut c, "wiki", "wiki"),
        client(&mut c, "chat", "chat"),
    );

    consents::grant(&mut c, ada, &wiki, ["openid"], t0()).unwrap();

    assert_eq!(consents::find(&mut c, bob, &wiki).unwrap(), None);
    assert_eq!(consents::find(&mut c, ada, &chat).unwrap(), None);
    assert!(!consents::covers(&mut c, bob, &wiki, ["openid"]).unwrap());
}

#[test]
fn revoking_a_consent_removes_it_entirely() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, wiki) = (user(&mut c, "ada"), client(&mut c, "wiki", "wiki"));
    consents::grant(&mut c, ada, &wiki, ["openid", "email"], t0()).unwrap();

    assert!(consents::revoke(&mut c, ada, &wiki).unwrap());
    assert!(!consents::revoke(&mut c, ada, &wiki).unwrap());

    assert_eq!(consents::find(&mut c, ada, &wiki).unwrap(), None);
    let now = consents::grant(&mut c, ada, &wiki, ["openid"], at(5)).unwrap();
    assert_eq!(now, set(&["openid"]), "a new grant starts from nothing");
}

#[test]
fn consents_of_a_user_are_listed_with_client_names() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, bob) = (user(&mut c, "ada"), user(&mut c, "bob"));
    let wiki = client(&mut c, "lk_wiki", "Wiki");
    let chat = client(&mut c, "lk_chat", "Chat");
    consents::grant(&mut c, ada, &wiki, ["openid", "profile"], at(1)).unwrap();
    consents::grant(&mut c, ada, &chat, ["openid"], at(2)).unwrap();
    consents::grant(&mut c, bob, &wiki, ["openid"], at(3)).unwrap();

    let listed = consents::list_for_user(&mut c, ada).unwrap();

    let names: Vec<&str> = listed.iter().map(|l| l.client_name.as_str()).collect();
    assert_eq!(names, ["Chat", "Wiki"]);
    assert_eq!(listed[0].client_id, "lk_chat");
    assert_eq!(listed[0].scopes, set(&["openid"]));
    assert_eq!(listed[1].scopes, set(&["openid", "profile"]));
    assert_eq!(listed[1].granted_at, to_db(at(1)));
    assert!(
        consents::list_for_user(&mut c, UserId::new())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_scope_with_a_space_or_nothing_in_it_is_refused() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, wiki) = (user(&mut c, "ada"), client(&mut c, "wiki", "wiki"));

    for bad in ["openid profile", "", "quo\"te", "back\\slash"] {
        let err = consents::grant(&mut c, ada, &wiki, ["openid", bad], t0()).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{bad:?}: {err:?}");
    }
    assert_eq!(consents::find(&mut c, ada, &wiki).unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_grants_both_land() {
    let db = TestDb::new();
    let (ada, wiki) = {
        let mut c = conn(&db);
        (user(&mut c, "ada"), client(&mut c, "wiki", "wiki"))
    };
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let grant = |scope: &'static str| {
        let (d, b, w) = (db.db.clone(), barrier.clone(), wiki.clone());
        tokio::spawn(async move {
            d.run(move |c| {
                b.wait();
                consents::grant(c, ada, &w, [scope], t0())
            })
            .await
        })
    };
    let (a, b) = (grant("email"), grant("profile"));
    a.await.unwrap().unwrap();
    b.await.unwrap().unwrap();

    let mut c = conn(&db);
    assert_eq!(
        consents::find(&mut c, ada, &wiki).unwrap(),
        Some(set(&["email", "profile"]))
    );
}

// ---- access tokens ---------------------------------------------------------

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

// ---- refresh-token families ------------------------------------------------

struct Family {
    client: ClientId,
    user: UserId,
}

fn family_setup(c: &mut DbConnection) -> Family {
    Family {
        client: client(c, "wiki", "wiki"),
        user: user(c, "ada"),
    }
}

fn new_family(f: &Family, token: &PlainToken, session: &str, code: &str) -> NewRefreshFamily {
    NewRefreshFamily {
        id: RefreshFamilyId::new(),
        client_id: f.client.clone(),
        user_id: f.user,
        session_id: Some(session.into()),
        scope: "openid offline_access".into(),
        acr: "phr".into(),
        amr: r#"["swk","user"]"#.into(),
        auth_time: at(-5),
        token_hash: token.hashed(),
        code_hash: Some(HashedToken::of(code)),
        expires_at: at(3600),
    }
}

fn token() -> PlainToken {
    PlainToken::generate(TokenKind::RefreshToken)
}

#[test]
fn created_family_is_found_by_id_and_by_its_current_token() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let f = family_setup(&mut c);
    let t = token();
    let new = new_family(&f, &t, "s1", "lkc_a");

    let row = refresh_tokens::create(&mut c, &new, t0()).unwrap();

    assert_eq!(
        refresh_tokens::find(&mut c, new.id).unwrap(),
        Some(row.clone())
    );
    assert_eq!(
        refresh_tokens::find_by_current_token(&mut c, &t.hashed()).unwrap(),
        Some(row.clone())
    );
    assert_eq!(row.generation, 0);
    assert_eq!(row.auth_time, to_db(at(-5)));
    assert_eq!(row.session_id.as_deref(), Some("s1"));
    assert!(row.is_live(at(3599)));
    assert!(!row.is_live(at(3600)));
    assert_eq!(row.family_id().unwrap(), new.id);
    assert_eq!(row.owner().unwrap(), f.user);
    assert_eq!(
        refresh_tokens::find_by_current_token(&mut c, &token().hashed()).unwrap(),
        None
    );
    let live = refresh_tokens::live_of_user(&mut c, f.user, at(1)).unwrap();
    assert_eq!(live, vec![row]);
    assert!(
        refresh_tokens::live_of_user(&mut c, f.user, at(3600))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn rotation_records_the_spent_token_and_reuse_revokes_the_family() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let f = family_setup(&mut c);
    let (t0_token, t1, t2) = (token(), token(), token());
    let new = new_family(&f, &t0_token, "s1", "lkc_a");
    refresh_tokens::create(&mut c, &new, t0()).unwrap();

    let RotateOutcome::Rotated(row) =
        refresh_tokens::rotate(&mut c, &t0_token.hashed(), &t1.hashed(), &f.client, at(1)).unwrap()
    else {
        panic!("expected a rotation");
    };
    assert_eq!(row.generation, 1);
    assert_eq!(row.current_token_hash, t1.hashed().as_bytes().to_vec());
    assert_eq!(refresh_tokens::find(&mut c, new.id).unwrap(), Some(row));
    // The spent token still leads to its family.
    assert_eq!(
        refresh_tokens::find_by_any_token(&mut c, &t0_token.hashed())
            .unwrap()
            .map(|r| r.id),
        Some(new.id.to_string())
    );

    let outcome =
        refresh_tokens::rotate(&mut c, &t0_token.hashed(), &t2.hashed(), &f.client, at(2)).unwrap();
    let RotateOutcome::Reused {
        family,
        newly_revoked,
    } = outcome
    else {
        panic!("expected reuse, got {outcome:?}");
    };
    assert!(newly_revoked);
    assert_eq!(family.revoked_reason.as_deref(), Some("reuse_detected"));
    assert_eq!(family.revoked_at, Some(to_db(at(2))));
    assert_eq!(refresh_tokens::find(&mut c, new.id).unwrap(), Some(family));

    let again =
        refresh_tokens::rotate(&mut c, &t0_token.hashed(), &t2.hashed(), &f.client, at(3)).unwrap();
    assert!(
        matches!(
            again,
            RotateOutcome::Reused {
                newly_revoked: false,
                ..
            }
        ),
        "{again:?}"
    );
    let current =
        refresh_tokens::rotate(&mut c, &t1.hashed(), &t2.hashed(), &f.client, at(3)).unwrap();
    assert_eq!(current, RotateOutcome::Refused(Refusal::Revoked));
}

#[test]
fn rotation_is_refused_for_unknown_expired_foreign_or_disabled_without_change() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let f = family_setup(&mut c);
    let chat = client(&mut c, "chat", "chat");
    let t = token();
    let new = new_family(&f, &t, "s1", "lkc_a");
    let created = refresh_tokens::create(&mut c, &new, t0()).unwrap();
    let rotate = |c: &mut DbConnection, tok: &PlainToken, client: &ClientId, secs| {
        refresh_tokens::rotate(c, &tok.hashed(), &token().hashed(), client, at(secs)).unwrap()
    };

    assert_eq!(
        rotate(&mut c, &token(), &f.client, 1),
        RotateOutcome::Refused(Refusal::Unknown)
    );
    assert_eq!(
        rotate(&mut c, &t, &chat, 1),
        RotateOutcome::Refused(Refusal::OtherClient)
    );
    assert_eq!(
        rotate(&mut c, &t, &f.client, 3600),
        RotateOutcome::Refused(Refusal::Expired)
    );
    latchkey_store::users::disable(&mut c, f.user, at(2)).unwrap();
    assert_eq!(
        rotate(&mut c, &t, &f.client, 3),
        RotateOutcome::Refused(Refusal::UserDisabled)
    );

    assert_eq!(refresh_tokens::find(&mut c, new.id).unwrap(), Some(created));
}

#[test]
fn families_are_revoked_by_id_session_code_and_user() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let f = family_setup(&mut c);
    let bob = user(&mut c, "bob");
    let a = new_family(&f, &token(), "s1", "lkc_a");
    let b = new_family(&f, &token(), "s1", "lkc_b");
    let other = new_family(&f, &token(), "s2", "lkc_c");
    let bobs = NewRefreshFamily {
        user_id: bob,
        ..new_family(&f, &token(), "s3", "lkc_d")
    };
    for n in [&a, &b, &other, &bobs] {
        refresh_tokens::create(&mut c, n, t0()).unwrap();
    }
    let reason =
        |c: &mut DbConnection, id| refresh_tokens::find(c, id).unwrap().unwrap().revoked_reason;

    assert!(refresh_tokens::revoke(&mut c, a.id, "client_revoked", at(1)).unwrap());
    assert!(!refresh_tokens::revoke(&mut c, a.id, "other", at(2)).unwrap());
    assert!(!refresh_tokens::revoke(&mut c, RefreshFamilyId::new(), "x", at(2)).unwrap());

    let by_session =
        refresh_tokens::revoke_of_session(&mut c, "s1", "session_ended", at(3)).unwrap();
    assert_eq!(by_session, vec![b.id], "a was already revoked");
    let by_code =
        refresh_tokens::revoke_by_code(&mut c, &HashedToken::of("lkc_c"), "code_reused", at(4))
            .unwrap();
    assert_eq!(by_code, vec![other.id]);
    assert!(
        refresh_tokens::revoke_by_code(&mut c, &HashedToken::of("lkc_zz"), "code_reused", at(4))
            .unwrap()
            .is_empty()
    );

    assert_eq!(reason(&mut c, a.id).as_deref(), Some("client_revoked"));
    assert_eq!(reason(&mut c, b.id).as_deref(), Some("session_ended"));
    assert_eq!(reason(&mut c, other.id).as_deref(), Some("code_reused"));
    assert_eq!(reason(&mut c, bobs.id), None);

    let by_user = refresh_tokens::revoke_of_user(&mut c, bob, "user_disabled", at(5)).unwrap();
    assert_eq!(by_user, vec![bobs.id]);
    assert_eq!(reason(&mut c, bobs.id).as_deref(), Some("user_disabled"));
}

#[test]
fn ended_families_are_deleted_with_their_spent_tokens() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let f = family_setup(&mut c);
    let (t, t1) = (token(), token());
    let expiring = new_family(&f, &t, "s1", "lkc_a");
    refresh_tokens::create(&mut c, &expiring, t0()).unwrap();
    refresh_tokens::rotate(&mut c, &t.hashed(), &t1.hashed(), &f.client, at(1)).unwrap();
    let revoked = new_family(&f, &token(), "s1", "lkc_b");
    refresh_tokens::create(&mut c, &revoked, t0()).unwrap();
    refresh_tokens::revoke(&mut c, revoked.id, "client_revoked", at(10)).unwrap();
    let live = NewRefreshFamily {
        expires_at: at(90_000),
        ..new_family(&f, &token(), "s1", "lkc_c")
    };
    refresh_tokens::create(&mut c, &live, t0()).unwrap();

    assert_eq!(
        refresh_tokens::delete_ended_before(&mut c, at(10)).unwrap(),
        1
    );
    assert_eq!(refresh_tokens::find(&mut c, revoked.id).unwrap(), None);
    assert_eq!(
        refresh_tokens::delete_ended_before(&mut c, at(3600)).unwrap(),
        1
    );
    assert_eq!(refresh_tokens::find(&mut c, expiring.id).unwrap(), None);
    assert_eq!(
        refresh_tokens::find_by_any_token(&mut c, &t.hashed()).unwrap(),
        None
    );
    assert!(refresh_tokens::find(&mut c, live.id).unwrap().is_some());
}

#[test]
fn a_token_hash_cannot_be_current_in_two_families() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let f = family_setup(&mut c);
    let t = token();
    refresh_tokens::create(&mut c, &new_family(&f, &t, "s1", "lkc_a"), t0()).unwrap();

    let err = refresh_tokens::create(&mut c, &new_family(&f, &t, "s2", "lkc_b"), t0()).unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

/// Two rotations of one token race on their own connections: exactly one
/// rotates, the other is reuse and revokes the family.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_rotations_have_exactly_one_winner() {
    let db = TestDb::new();
    let f = {
        let mut c = conn(&db);
        family_setup(&mut c)
    };
    for round in 0..8 {
        let t = token();
        let new = new_family(&f, &t, "s1", &format!("lkc_{round}"));
        refresh_tokens::create(&mut conn(&db), &new, t0()).unwrap();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let attempt = || {
            let (d, b, presented, client) =
                (db.db.clone(), barrier.clone(), t.hashed(), f.client.clone());
            tokio::spawn(async move {
                d.run(move |c| {
                    b.wait();
                    refresh_tokens::rotate(c, &presented, &token().hashed(), &client, at(1))
                })
                .await
            })
        };
        let (a, b) = (attempt(), attempt());
        let (a, b) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());

        let rotated = [&a, &b]
            .iter()
            .filter(|o| matches!(o, RotateOutcome::Rotated(_)))
            .count();
        let reused = [&a, &b]
            .iter()
            .filter(|o| {
                matches!(
                    o,
                    RotateOutcome::Reused {
                        newly_revoked: true,
                        ..
                    }
                )
            })
            .count();
        assert_eq!((rotated, reused), (1, 1), "round {round}: {a:?} / {b:?}");
        let row = refresh_tokens::find(&mut conn(&db), new.id)
            .unwrap()
            .unwrap();
        assert_eq!(row.generation, 1);
        assert_eq!(row.revoked_reason.as_deref(), Some("reuse_detected"));
    }
}
