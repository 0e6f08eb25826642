//! Refresh-token families: creation, rotation, reuse, revocation, sweeping.

use super::*;

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
        resources: r#"["https://api.example.test/"]"#.into(),
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
    assert_eq!(row.resources, r#"["https://api.example.test/"]"#);
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

    let RotateOutcome::Rotated(row, _) =
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
            .filter(|o| matches!(o, RotateOutcome::Rotated(..)))
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
