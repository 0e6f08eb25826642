//! Revocation records: matched by key, cut-off times, swept.

use latchkey_store::token_revocations::{self, Revoked, code_grant_id};

use super::*;

/// The keys of a user's token from `client` in session `sid`.
fn keys_of(
    jti: &str,
    client: &ClientId,
    user: UserId,
    sid: &str,
    family: RefreshFamilyId,
    code: &str,
) -> Vec<Revoked> {
    vec![
        Revoked::Token(jti.into()),
        Revoked::Client(client.clone()),
        Revoked::Session(sid.into()),
        Revoked::Family(family),
        Revoked::CodeGrant(code_grant_id(&HashedToken::of(code))),
        Revoked::User(user),
        Revoked::UserClient(user, client.clone()),
    ]
}

#[test]
fn each_kind_of_revocation_matches_only_its_own_key() {
    let wiki = ClientId::parse("wiki").unwrap();
    let mail = ClientId::parse("mail").unwrap();
    let (ada, bob) = (UserId::new(), UserId::new());
    let (f1, f2) = (RefreshFamilyId::new(), RefreshFamilyId::new());
    let token = keys_of("jti-1", &wiki, ada, "sid-1", f1, "lkc_a");
    let revocations = [
        (
            Revoked::Token("jti-1".into()),
            Revoked::Token("jti-2".into()),
        ),
        (
            Revoked::Session("sid-1".into()),
            Revoked::Session("sid-2".into()),
        ),
        (Revoked::Family(f1), Revoked::Family(f2)),
        (
            Revoked::CodeGrant(code_grant_id(&HashedToken::of("lkc_a"))),
            Revoked::CodeGrant(code_grant_id(&HashedToken::of("lkc_b"))),
        ),
        (Revoked::Client(wiki.clone()), Revoked::Client(mail.clone())),
        (Revoked::User(ada), Revoked::User(bob)),
        (
            Revoked::UserClient(ada, wiki.clone()),
            Revoked::UserClient(ada, mail.clone()),
        ),
    ];
    for (matching, other) in revocations {
        let db = TestDb::new();
        let mut c = conn(&db);
        token_revocations::record(&mut c, &other, at(5), at(900)).unwrap();
        assert!(
            !token_revocations::revokes_any(&mut c, &token, t0()).unwrap(),
            "{other:?} revokes another token"
        );
        token_revocations::record(&mut c, &matching, at(5), at(900)).unwrap();
        assert!(
            token_revocations::revokes_any(&mut c, &token, t0()).unwrap(),
            "{matching:?} revokes the token"
        );
    }
}

#[test]
fn cut_off_revocations_spare_tokens_issued_after_them_and_the_others_do_not() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let wiki = ClientId::parse("wiki").unwrap();
    let ada = UserId::new();
    for revoked in [
        Revoked::Client(wiki.clone()),
        Revoked::User(ada),
        Revoked::UserClient(ada, wiki.clone()),
    ] {
        assert!(revoked.has_cut_off());
        token_revocations::record(&mut c, &revoked, at(10), at(900)).unwrap();
        let keys = [revoked];
        assert!(token_revocations::revokes_any(&mut c, &keys, at(9)).unwrap());
        assert!(
            token_revocations::revokes_any(&mut c, &keys, at(10)).unwrap(),
            "issued in the same second"
        );
        assert!(
            !token_revocations::revokes_any(&mut c, &keys, at(11)).unwrap(),
            "issued after the cut-off (re-enabled, consented again)"
        );
    }
    // A session, family, code or single token never issues again: its
    // revocation holds for every token that carries it.
    let sid = Revoked::Session("sid-1".into());
    assert!(!sid.has_cut_off());
    token_revocations::record(&mut c, &sid, at(10), at(900)).unwrap();
    assert!(token_revocations::revokes_any(&mut c, &[sid], at(60)).unwrap());
    assert!(!token_revocations::revokes_any(&mut c, &[], at(60)).unwrap());
}

#[test]
fn revocation_records_are_swept_once_no_token_they_match_can_be_alive() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let old = Revoked::Token("old".into());
    let new = Revoked::Token("new".into());
    token_revocations::record(&mut c, &old, t0(), at(600)).unwrap();
    token_revocations::record(&mut c, &new, t0(), at(6000)).unwrap();

    assert_eq!(
        token_revocations::delete_expired(&mut c, at(599)).unwrap(),
        0
    );
    assert_eq!(
        token_revocations::delete_expired(&mut c, at(600)).unwrap(),
        1
    );
    assert!(!token_revocations::revokes_any(&mut c, &[old], t0()).unwrap());
    assert!(token_revocations::revokes_any(&mut c, &[new], t0()).unwrap());
}

#[test]
fn code_grant_ids_are_short_and_differ_by_code() {
    let a = code_grant_id(&HashedToken::of("lkc_a"));
    assert_eq!(a.len(), 32);
    assert_eq!(a, code_grant_id(&HashedToken::of("lkc_a")));
    assert_ne!(a, code_grant_id(&HashedToken::of("lkc_b")));
}
