//! Refresh-token families: rotation, reuse detection, concurrency, expiry,
//! revocation.

use std::sync::{Arc, Barrier};

use chrono::Duration;
use latchkey_core::{
    Acr, Amr, ClientId, Clock as _, HashedToken, PlainToken, TestClock, TokenKind, UserId,
};
use latchkey_oidc::clients::{ClientRegistration, register};
use latchkey_oidc::jwt::{AccessTokenAudience, AccessTokenClaims};
use latchkey_oidc::refresh::{
    self, DEFAULT_FAMILY_LIFETIME, NewGrant, RefreshError, RefreshGrant, Rotated,
};
use latchkey_oidc::revocation;
use latchkey_store::refresh_tokens as store;
use latchkey_store::token_revocations::code_grant_id;
use latchkey_store::{DbConnection, to_db};
use latchkey_testkit::TestDb;

use crate::{at, audit_events, chain, conn, new_user, t0};

struct Setup {
    db: TestDb,
    client: ClientId,
    other_client: ClientId,
    user: UserId,
}

fn setup() -> Setup {
    let db = TestDb::new();
    let mut c = conn(&db);
    let reg =
        |name: &str| ClientRegistration::new(name, vec![format!("https://{name}.example.com/cb")]);
    let client = register(&mut c, &chain(), "cli", &reg("wiki"), t0())
        .unwrap()
        .0;
    let other_client = register(&mut c, &chain(), "cli", &reg("chat"), t0())
        .unwrap()
        .0;
    let user = new_user(&mut c, "ada");
    drop(c);
    Setup {
        db,
        client,
        other_client,
        user,
    }
}

fn grant(s: &Setup, session: &str, code: Option<&str>) -> NewGrant {
    NewGrant {
        client_id: s.client.clone(),
        user_id: s.user,
        session_id: Some(session.to_owned()),
        scope: "openid offline_access profile".into(),
        acr: Acr::Phrh,
        amr: vec![Amr::Hwk, Amr::User],
        auth_time: at(-30),
        code_hash: code.map(HashedToken::of),
        lifetime: DEFAULT_FAMILY_LIFETIME,
        resources: ["https://api.example.com/wiki".to_owned()].into(),
    }
}

fn issue(c: &mut DbConnection, s: &Setup) -> (PlainToken, RefreshGrant) {
    refresh::issue(c, &grant(s, "sess-1", Some("lkc_code")), t0()).unwrap()
}

fn rotate(
    c: &mut DbConnection,
    s: &Setup,
    t: &PlainToken,
    secs: i64,
) -> Result<Rotated, RefreshError> {
    refresh::rotate(c, &chain(), t, &s.client, at(secs))
}

fn assert_invalid_grant(r: Result<Rotated, RefreshError>, want: &str) -> RefreshError {
    match r {
        Err(e) => {
            assert_eq!(e.error_code(), "invalid_grant", "{e:?}");
            assert_eq!(format!("{e:?}"), want);
            assert_eq!(
                e.description(),
                "The refresh token is invalid, expired or revoked."
            );
            e
        }
        Ok(r) => panic!(
            "expected {want}, got a rotation to generation {}",
            r.family.generation
        ),
    }
}

/// The claims of an access token issued at t0 under the family `g`.
fn access_token(
    s: &Setup,
    jti: &str,
    g: Option<&RefreshGrant>,
    code: Option<&str>,
) -> AccessTokenClaims {
    AccessTokenClaims {
        iss: "https://id.example.com".into(),
        sub: s.user.to_string(),
        aud: AccessTokenAudience::of(["https://id.example.com/userinfo".to_owned()]).unwrap(),
        client_id: s.client.clone(),
        iat: t0(),
        exp: at(600),
        jti: jti.into(),
        scope: "openid".into(),
        auth_time: None,
        acr: None,
        amr: vec![],
        sid: Some("sess-other".into()),
        refresh_family: g.map(|g| g.family_id.to_string()),
        code_grant: code.map(|code| code_grant_id(&HashedToken::of(code))),
    }
}

/// Whether no revocation recorded so far matches the token.
fn is_active(c: &mut DbConnection, claims: &AccessTokenClaims) -> bool {
    !revocation::is_revoked(c, claims).unwrap()
}

#[test]
fn issued_family_carries_the_grant() {
    let s = setup();
    let mut c = conn(&s.db);

    let (token, g) = issue(&mut c, &s);

    assert!(token.expose().starts_with("lkr_"));
    assert_eq!(g.client_id, s.client);
    assert_eq!(g.user_id, s.user);
    assert_eq!(g.session_id.as_deref(), Some("sess-1"));
    assert_eq!(g.scope, "openid offline_access profile");
    assert_eq!(g.acr, Acr::Phrh);
    assert_eq!(g.amr, vec![Amr::Hwk, Amr::User]);
    assert_eq!(g.auth_time, at(-30));
    assert_eq!(g.generation, 0);
    assert_eq!(g.expires_at, t0() + Duration::days(30));
    assert_eq!(
        g.resources.iter().collect::<Vec<_>>(),
        ["https://api.example.com/wiki"]
    );
    let row = store::find(&mut c, g.family_id).unwrap().unwrap();
    assert_eq!(row.current_token_hash, token.hashed().as_bytes().to_vec());
    assert_eq!(row.amr, r#"["hwk","user"]"#);
}

#[test]
fn rotation_returns_a_new_token_and_spends_the_old_one() {
    let s = setup();
    let mut c = conn(&s.db);
    let (t1, g) = issue(&mut c, &s);

    let r = rotate(&mut c, &s, &t1, 60).unwrap();

    assert_ne!(r.new_token.expose(), t1.expose());
    assert!(r.new_token.expose().starts_with("lkr_"));
    assert_eq!(r.family.family_id, g.family_id);
    assert_eq!(r.family.generation, 1);
    assert_eq!(r.family.scope, g.scope);
    assert_eq!(r.family.auth_time, g.auth_time);
    assert_eq!(
        r.family.expires_at, g.expires_at,
        "rotation never extends the family"
    );

    let r2 = rotate(&mut c, &s, &r.new_token, 120).unwrap();
    assert_eq!(r2.family.generation, 2);
    let row = store::find(&mut c, g.family_id).unwrap().unwrap();
    assert_eq!(
        row.current_token_hash,
        r2.new_token.hashed().as_bytes().to_vec()
    );
    assert_eq!(row.revoked_at, None);
}

#[test]
fn reusing_a_rotated_token_revokes_the_family_and_its_new_token() {
    let s = setup();
    let mut c = conn(&s.db);
    let (t1, g) = issue(&mut c, &s);
    let token = access_token(&s, "jti-1", Some(&g), None);
    assert!(is_active(&mut c, &token));
    let r = rotate(&mut c, &s, &t1, 60).unwrap();

    assert_invalid_grant(rotate(&mut c, &s, &t1, 120), "Reused");

    // The legitimate holder of the new token is cut off too.
    assert_invalid_grant(rotate(&mut c, &s, &r.new_token, 180), "Revoked");
    let row = store::find(&mut c, g.family_id).unwrap().unwrap();
    assert_eq!(row.revoked_at, Some(to_db(at(120))));
    assert_eq!(row.revoked_reason.as_deref(), Some("reuse_detected"));
    assert!(!is_active(&mut c, &token));
    assert_eq!(
        refresh::active_grant(&mut c, &r.new_token, at(121)).unwrap(),
        None
    );

    let events = audit_events(&mut c, "refresh_family.revoked");
    assert_eq!(events.len(), 1, "audited once");
    assert_eq!(events[0].subject, Some(g.family_id.to_string()));
    let detail: serde_json::Value = serde_json::from_str(&events[0].detail).unwrap();
    assert_eq!(detail["reason"], "reuse_detected");
    assert!(!events[0].detail.contains("lkr_"));

    // Reusing again changes nothing more and is still refused.
    assert_invalid_grant(rotate(&mut c, &s, &t1, 240), "Reused");
    assert_eq!(audit_events(&mut c, "refresh_family.revoked").len(), 1);
}

#[test]
fn a_rotated_token_presented_by_another_client_still_revokes_the_family() {
    let s = setup();
    let mut c = conn(&s.db);
    let (t1, g) = issue(&mut c, &s);
    let r = rotate(&mut c, &s, &t1, 60).unwrap();

    let e = refresh::rotate(&mut c, &chain(), &t1, &s.other_client, at(70)).unwrap_err();

    assert!(matches!(e, RefreshError::Reused), "{e:?}");
    assert_invalid_grant(rotate(&mut c, &s, &r.new_token, 80), "Revoked");
    assert!(
        store::find(&mut c, g.family_id)
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
}

#[test]
fn another_clients_current_token_is_invalid_grant_and_changes_nothing() {
    let s = setup();
    let mut c = conn(&s.db);
    let (t1, g) = issue(&mut c, &s);

    let e = refresh::rotate(&mut c, &chain(), &t1, &s.other_client, at(10));

    assert_invalid_grant(e, "WrongClient");
    let row = store::find(&mut c, g.family_id).unwrap().unwrap();
    assert_eq!(row.generation, 0);
    assert_eq!(row.revoked_at, None);
    rotate(&mut c, &s, &t1, 20).expect("the owner can still rotate");
}

#[test]
fn unknown_and_wrong_kind_tokens_are_invalid_grant() {
    let s = setup();
    let mut c = conn(&s.db);
    issue(&mut c, &s);

    let unknown = PlainToken::generate(TokenKind::RefreshToken);
    assert_invalid_grant(rotate(&mut c, &s, &unknown, 1), "Unknown");
    let session = PlainToken::generate(TokenKind::Session);
    assert_invalid_grant(rotate(&mut c, &s, &session, 1), "Unknown");
    assert!(audit_events(&mut c, "refresh_family.revoked").is_empty());
}

#[test]
fn family_expires_at_its_absolute_lifetime_however_often_it_rotates() {
    let s = setup();
    let mut c = conn(&s.db);
    let clock = TestClock::fixed();
    let (mut token, g) = refresh::issue(
        &mut c,
        &NewGrant {
            lifetime: Duration::hours(2),
            ..grant(&s, "sess-1", None)
        },
        clock.now(),
    )
    .unwrap();
    for _ in 0..3 {
        clock.advance(Duration::minutes(30));
        token = refresh::rotate(&mut c, &chain(), &token, &s.client, clock.now())
            .unwrap()
            .new_token;
    }
    clock.advance(Duration::minutes(29) + Duration::seconds(59));
    assert!(
        refresh::active_grant(&mut c, &token, clock.now())
            .unwrap()
            .is_some()
    );
    clock.advance(Duration::seconds(1));

    assert_eq!(clock.now(), g.expires_at);
    let e = refresh::rotate(&mut c, &chain(), &token, &s.client, clock.now());
    assert_invalid_grant(e, "Expired");
    assert_eq!(
        refresh::active_grant(&mut c, &token, clock.now()).unwrap(),
        None
    );
    assert!(audit_events(&mut c, "refresh_family.revoked").is_empty());
}

#[test]
fn a_disabled_account_cannot_refresh() {
    let s = setup();
    let mut c = conn(&s.db);
    let (t1, _) = issue(&mut c, &s);

    latchkey_store::users::disable(&mut c, s.user, at(5)).unwrap();

    assert_invalid_grant(rotate(&mut c, &s, &t1, 10), "UserDisabled");
    assert_eq!(refresh::active_grant(&mut c, &t1, at(10)).unwrap(), None);
}

#[test]
fn active_grant_reports_only_the_current_token_of_a_live_family() {
    let s = setup();
    let mut c = conn(&s.db);
    let (t1, g) = issue(&mut c, &s);
    assert_eq!(
        refresh::active_grant(&mut c, &t1, at(1)).unwrap(),
        Some(g.clone())
    );

    let r = rotate(&mut c, &s, &t1, 2).unwrap();

    assert_eq!(refresh::active_grant(&mut c, &t1, at(3)).unwrap(), None);
    let active = refresh::active_grant(&mut c, &r.new_token, at(3))
        .unwrap()
        .unwrap();
    assert_eq!(active.generation, 1);
    let unknown = PlainToken::generate(TokenKind::RefreshToken);
    assert_eq!(
        refresh::active_grant(&mut c, &unknown, at(3)).unwrap(),
        None
    );
}

#[test]
fn revoking_by_token_revokes_the_family_for_its_own_client_only() {
    let s = setup();
    let mut c = conn(&s.db);
    let (t1, g) = issue(&mut c, &s);
    let token = access_token(&s, "jti-1", Some(&g), None);

    let other = refresh::revoke_family_by_token(&mut c, &chain(), &t1, &s.other_client, at(1));
    assert!(
        !other.unwrap(),
        "another client's revocation changes nothing"
    );
    assert!(is_active(&mut c, &token));

    assert!(refresh::revoke_family_by_token(&mut c, &chain(), &t1, &s.client, at(2)).unwrap());
    assert!(!refresh::revoke_family_by_token(&mut c, &chain(), &t1, &s.client, at(3)).unwrap());

    assert_invalid_grant(rotate(&mut c, &s, &t1, 4), "Revoked");
    assert!(!is_active(&mut c, &token));
    let row = store::find(&mut c, g.family_id).unwrap().unwrap();
    assert_eq!(row.revoked_reason.as_deref(), Some("client_revoked"));
    let events = audit_events(&mut c, "refresh_family.revoked");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor.as_deref(), Some(s.client.as_str()));

    let unknown = PlainToken::generate(TokenKind::RefreshToken);
    assert!(
        !refresh::revoke_family_by_token(&mut c, &chain(), &unknown, &s.client, at(5)).unwrap()
    );
}

#[test]
fn a_rotated_token_can_be_revoked_too() {
    let s = setup();
    let mut c = conn(&s.db);
    let (t1, _) = issue(&mut c, &s);
    let r = rotate(&mut c, &s, &t1, 1).unwrap();

    assert!(refresh::revoke_family_by_token(&mut c, &chain(), &t1, &s.client, at(2)).unwrap());

    assert_invalid_grant(rotate(&mut c, &s, &r.new_token, 3), "Revoked");
}

#[test]
fn ending_a_session_revokes_the_families_begun_in_it() {
    let s = setup();
    let mut c = conn(&s.db);
    let (a, ga) = refresh::issue(&mut c, &grant(&s, "sess-1", None), t0()).unwrap();
    let (b, gb) = refresh::issue(&mut c, &grant(&s, "sess-1", None), t0()).unwrap();
    let (other, _) = refresh::issue(&mut c, &grant(&s, "sess-2", None), t0()).unwrap();

    let mut revoked =
        refresh::revoke_families_of_session(&mut c, &chain(), "sess-1", at(1)).unwrap();
    revoked.sort();
    let mut want = vec![ga.family_id, gb.family_id];
    want.sort();
    assert_eq!(revoked, want);

    assert_invalid_grant(rotate(&mut c, &s, &a, 2), "Revoked");
    assert_invalid_grant(rotate(&mut c, &s, &b, 2), "Revoked");
    rotate(&mut c, &s, &other, 2).expect("another session's family is untouched");
    assert!(
        refresh::revoke_families_of_session(&mut c, &chain(), "sess-1", at(3))
            .unwrap()
            .is_empty()
    );
    let events = audit_events(&mut c, "refresh_family.revoked");
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.detail.contains("session_ended")));
}

#[test]
fn a_replayed_code_revokes_the_families_and_access_tokens_it_issued() {
    let s = setup();
    let mut c = conn(&s.db);
    let (t1, g) = refresh::issue(&mut c, &grant(&s, "sess-1", Some("lkc_one")), t0()).unwrap();
    let (t2, _) = refresh::issue(&mut c, &grant(&s, "sess-1", Some("lkc_two")), t0()).unwrap();
    let by_family = access_token(&s, "jti-family", Some(&g), None);
    let by_code = access_token(&s, "jti-code", None, Some("lkc_one"));
    let other_code = access_token(&s, "jti-other", None, Some("lkc_two"));
    assert!(is_active(&mut c, &by_family) && is_active(&mut c, &by_code));

    let revoked =
        refresh::revoke_families_by_code(&mut c, &chain(), &HashedToken::of("lkc_one"), at(5))
            .unwrap();

    assert_eq!(revoked, vec![g.family_id]);
    assert_invalid_grant(rotate(&mut c, &s, &t1, 6), "Revoked");
    rotate(&mut c, &s, &t2, 6).expect("another code's family is untouched");
    assert!(!is_active(&mut c, &by_family));
    assert!(!is_active(&mut c, &by_code));
    assert!(
        is_active(&mut c, &other_code),
        "another code's token is untouched"
    );
    let row = store::find(&mut c, g.family_id).unwrap().unwrap();
    assert_eq!(row.revoked_reason.as_deref(), Some("code_reused"));
}

/// Two rotations of one token race, each on its own connection, released
/// together; repeated to give the race many chances.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_rotations_of_one_token_have_exactly_one_winner() {
    let s = setup();
    for round in 0..8i64 {
        let (token, g) = {
            let mut c = conn(&s.db);
            refresh::issue(&mut c, &grant(&s, "sess-1", None), t0()).unwrap()
        };
        let barrier = Arc::new(Barrier::new(2));
        let attempt = || {
            let (db, barrier, token, client) = (
                s.db.db.clone(),
                barrier.clone(),
                token.clone(),
                s.client.clone(),
            );
            tokio::spawn(async move {
                db.run(move |conn| {
                    barrier.wait();
                    Ok(refresh::rotate(conn, &chain(), &token, &client, at(round)))
                })
                .await
                .unwrap()
            })
        };
        let (a, b) = (attempt(), attempt());
        let (a, b) = (a.await.unwrap(), b.await.unwrap());

        let (winner, loser) = match (a, b) {
            (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
            (a, b) => panic!("round {round}: expected one winner, got {a:?} and {b:?}"),
        };
        assert!(
            matches!(loser, RefreshError::Reused),
            "round {round}: {loser:?}"
        );
        assert_eq!(winner.family.generation, 1);
        // The loser saw reuse: the family, winner's new token included, is revoked.
        let mut c = conn(&s.db);
        let row = store::find(&mut c, g.family_id).unwrap().unwrap();
        assert_eq!(row.revoked_reason.as_deref(), Some("reuse_detected"));
        assert_invalid_grant(rotate(&mut c, &s, &winner.new_token, round + 1), "Revoked");
    }
    let mut c = conn(&s.db);
    assert_eq!(audit_events(&mut c, "refresh_family.revoked").len(), 8);
    assert_eq!(chain().verify(&mut c).unwrap().broken, None);
}
