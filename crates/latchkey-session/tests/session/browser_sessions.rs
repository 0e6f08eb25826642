//! Browser sessions: sign-in, idle and absolute expiry, sign-out, and the
//! account page's list of sessions.

use chrono::Duration;
use latchkey_core::{Clock as _, PlainToken, TokenKind, UserId};
use latchkey_session::{BrowserSession, SessionStore, TOUCH_EVERY};
use serde_json::json;

use crate::{absolute, idle, sessions};

async fn load(store: &SessionStore, token: &PlainToken) -> Option<BrowserSession> {
    store.load_session(token).await.expect("loading a session")
}

async fn create(store: &SessionStore, user: UserId) -> (PlainToken, BrowserSession) {
    store
        .create_session(user, json!({ "acr": "aal2" }))
        .await
        .expect("creating a session")
}

fn handles(list: &[BrowserSession]) -> Vec<&str> {
    list.iter().map(|s| s.handle.as_str()).collect()
}

#[tokio::test]
async fn created_session_loads_with_its_user_and_data() {
    let t = sessions().await;
    let user = UserId::new();
    let data = json!({ "acr": "aal2", "amr": ["hwk", "user"], "csrf": "c1" });
    let now = t.clock.now();

    let (token, created) = t
        .store
        .create_session(user, data.clone())
        .await
        .expect("create");

    assert!(token.expose().starts_with(TokenKind::Session.prefix()));
    assert_eq!(token.kind(), TokenKind::Session);
    assert_eq!(created.handle, token.hashed().to_hex());
    assert_eq!(created.user_id, user);
    assert_eq!(created.data, data);
    assert_eq!(created.created_at, now);
    assert_eq!(created.last_seen_at, now);
    assert_eq!(created.idle_expires_at, now + idle());
    assert_eq!(created.absolute_expires_at, now + absolute());

    let loaded = load(&t.store, &token).await.expect("the session is live");
    assert_eq!(loaded, created);
}

#[tokio::test]
async fn every_sign_in_gets_a_new_token_and_handle() {
    let t = sessions().await;
    let user = UserId::new();
    let (a, sa) = create(&t.store, user).await;
    let (b, sb) = create(&t.store, user).await;
    assert_ne!(a.expose(), b.expose());
    assert_ne!(sa.handle, sb.handle);
}

#[tokio::test]
async fn session_is_not_found_when_token_is_of_another_kind_or_unknown() {
    let t = sessions().await;
    let (token, _) = create(&t.store, UserId::new()).await;

    let other_kind = PlainToken::generate(TokenKind::RefreshToken);
    assert_eq!(load(&t.store, &other_kind).await, None);

    let random = PlainToken::generate(TokenKind::Session);
    assert_eq!(load(&t.store, &random).await, None);

    // A presented value with the right prefix that is not a token we issued.
    let forged = PlainToken::from_presented(TokenKind::Session, "lks_forged").expect("prefix");
    assert_eq!(load(&t.store, &forged).await, None);

    // The same characters as the session token, presented as another kind,
    // name no session either.
    let relabelled = format!(
        "{}{}",
        TokenKind::RefreshToken.prefix(),
        &token.expose()[4..]
    );
    let relabelled =
        PlainToken::from_presented(TokenKind::RefreshToken, &relabelled).expect("prefix");
    assert_eq!(load(&t.store, &relabelled).await, None);

    assert!(
        load(&t.store, &token).await.is_some(),
        "the real token still works"
    );
}

#[tokio::test]
async fn session_ends_when_unused_for_the_idle_lifetime() {
    let t = sessions().await;
    let user = UserId::new();
    let (token, _) = create(&t.store, user).await;

    t.clock.advance(idle() - Duration::seconds(1));
    let (token2, _) = create(&t.store, user).await;
    t.clock.advance(Duration::seconds(1));

    assert_eq!(load(&t.store, &token).await, None, "idle expiry reached");
    let listed = t.store.list_user_sessions(user).await.expect("list");
    assert_eq!(listed.len(), 1, "the expired session is not listed");
    assert!(load(&t.store, &token2).await.is_some());
}

#[tokio::test]
async fn session_stays_alive_when_used_within_the_idle_lifetime() {
    let t = sessions().await;
    let (token, created) = create(&t.store, UserId::new()).await;

    // Three times the idle lifetime in all, but never idle for that long.
    for _ in 0..6 {
        t.clock.advance(idle() / 2);
        let now = t.clock.now();
        let loaded = load(&t.store, &token).await.expect("still live");
        assert_eq!(loaded.last_seen_at, now);
        assert_eq!(loaded.idle_expires_at, now + idle());
        assert_eq!(loaded.created_at, created.created_at);
        assert_eq!(loaded.absolute_expires_at, created.absolute_expires_at);
    }

    // The extension was stored, not only returned: it is still live one idle
    // lifetime after the last use, less a second, and ends at it.
    t.clock.advance(idle() - Duration::seconds(1));
    assert!(load(&t.store, &token).await.is_some());
    t.clock.advance(idle());
    assert_eq!(load(&t.store, &token).await, None);
}

#[tokio::test]
async fn a_session_used_again_within_a_minute_is_not_written_again() {
    let t = sessions().await;
    let (token, created) = create(&t.store, UserId::new()).await;

    // Used 59 s after sign-in: the idle expiry would move by less than
    // `TOUCH_EVERY`, so nothing is written and the stored times come back.
    t.clock.advance(TOUCH_EVERY - Duration::seconds(1));
    let early = load(&t.store, &token).await.expect("live");
    assert_eq!(early.last_seen_at, created.last_seen_at);
    assert_eq!(early.idle_expires_at, created.idle_expires_at);
    // Still not written: a fresh load from the store agrees.
    let again = load(&t.store, &token).await.expect("live");
    assert_eq!(again.idle_expires_at, created.idle_expires_at);

    // A minute after the last write, the use is stored.
    t.clock.advance(Duration::seconds(1));
    let now = t.clock.now();
    let later = load(&t.store, &token).await.expect("live");
    assert_eq!(later.last_seen_at, now);
    assert_eq!(later.idle_expires_at, now + idle());

    // And it lasts: one idle lifetime after that use, less a second, it is
    // still live; at the idle lifetime it ends.
    t.clock.advance(idle() - Duration::seconds(1));
    assert!(load(&t.store, &token).await.is_some());
    t.clock.advance(idle());
    assert_eq!(load(&t.store, &token).await, None);
}

#[tokio::test]
async fn session_ends_at_absolute_expiry_even_with_constant_activity() {
    let t = sessions().await;
    let (token, created) = create(&t.store, UserId::new()).await;
    let step = Duration::minutes(10);

    while t.clock.now() + step < created.absolute_expires_at {
        t.clock.advance(step);
        let loaded = load(&t.store, &token)
            .await
            .expect("live before absolute expiry");
        assert!(loaded.idle_expires_at <= created.absolute_expires_at);
    }

    // Used a second before the end: the idle expiry is capped at the absolute one.
    t.clock
        .set(created.absolute_expires_at - Duration::seconds(1));
    let last = load(&t.store, &token)
        .await
        .expect("live a second before absolute expiry");
    assert_eq!(last.idle_expires_at, created.absolute_expires_at);

    t.clock.set(created.absolute_expires_at);
    assert_eq!(load(&t.store, &token).await, None);
    assert!(
        t.store
            .list_user_sessions(created.user_id)
            .await
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn revoked_session_no_longer_loads_and_others_stay() {
    let t = sessions().await;
    let user = UserId::new();
    let (token, _) = create(&t.store, user).await;
    let (other, _) = create(&t.store, user).await;

    assert!(t.store.revoke_session(&token).await.expect("revoke"));
    assert_eq!(load(&t.store, &token).await, None);
    assert!(
        !t.store.revoke_session(&token).await.expect("revoke again"),
        "already gone"
    );
    assert!(load(&t.store, &other).await.is_some());
}

#[tokio::test]
async fn session_revoked_by_handle_from_the_list_no_longer_loads() {
    let t = sessions().await;
    let user = UserId::new();
    let (token, created) = create(&t.store, user).await;
    let (other, _) = create(&t.store, user).await;

    assert!(
        t.store
            .revoke_by_handle(&created.handle)
            .await
            .expect("revoke")
    );
    assert_eq!(load(&t.store, &token).await, None);
    assert!(load(&t.store, &other).await.is_some());
    assert!(
        !t.store
            .revoke_by_handle(&created.handle)
            .await
            .expect("again")
    );
    assert!(
        !t.store
            .revoke_by_handle("not-a-handle")
            .await
            .expect("garbage handle")
    );
    let unknown = PlainToken::generate(TokenKind::Session).hashed().to_hex();
    assert!(
        !t.store
            .revoke_by_handle(&unknown)
            .await
            .expect("unknown handle")
    );
}

#[tokio::test]
async fn user_sessions_are_listed_oldest_first_without_other_users_or_expired_ones() {
    let t = sessions().await;
    let (alice, bob) = (UserId::new(), UserId::new());

    let (_, stale) = create(&t.store, alice).await;
    t.clock.advance(Duration::minutes(20));
    let (_, first) = create(&t.store, alice).await;
    t.clock.advance(Duration::minutes(1));
    let (_, _bobs) = create(&t.store, bob).await;
    let (_, second) = create(&t.store, alice).await;
    t.clock.advance(Duration::minutes(1));
    let (_, third) = create(&t.store, alice).await;
    // `stale` was never used again: 32 minutes idle.
    t.clock.advance(Duration::minutes(10));

    let listed = t.store.list_user_sessions(alice).await.expect("list");
    assert_eq!(
        handles(&listed),
        [&first.handle, &second.handle, &third.handle]
    );
    assert!(!handles(&listed).contains(&stale.handle.as_str()));
    assert!(listed.iter().all(|s| s.user_id == alice));
    assert_eq!(listed[0], first, "listing does not count as activity");

    assert_eq!(
        t.store.list_user_sessions(bob).await.expect("list").len(),
        1
    );
    assert!(
        t.store
            .list_user_sessions(UserId::new())
            .await
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn revoking_all_but_current_session_ends_the_others_and_keeps_current() {
    let t = sessions().await;
    let (alice, bob) = (UserId::new(), UserId::new());
    let (a1, _) = create(&t.store, alice).await;
    let (current, kept) = create(&t.store, alice).await;
    let (a3, _) = create(&t.store, alice).await;
    let (b1, _) = create(&t.store, bob).await;

    let ended = t
        .store
        .revoke_user_sessions(alice, Some(&current))
        .await
        .expect("revoke");

    assert_eq!(ended, 2);
    assert_eq!(load(&t.store, &a1).await, None);
    assert_eq!(load(&t.store, &a3).await, None);
    assert!(load(&t.store, &current).await.is_some());
    let listed = t.store.list_user_sessions(alice).await.expect("list");
    assert_eq!(handles(&listed), [&kept.handle]);
    assert!(
        load(&t.store, &b1).await.is_some(),
        "another user's session is untouched"
    );

    // Nothing else left to end.
    assert_eq!(
        t.store
            .revoke_user_sessions(alice, Some(&current))
            .await
            .expect("again"),
        0
    );
}

#[tokio::test]
async fn revoking_all_sessions_without_keep_ends_every_one_of_the_user() {
    let t = sessions().await;
    let (alice, bob) = (UserId::new(), UserId::new());
    let (a1, _) = create(&t.store, alice).await;
    let (a2, _) = create(&t.store, alice).await;
    let (b1, _) = create(&t.store, bob).await;

    assert_eq!(
        t.store
            .revoke_user_sessions(alice, None)
            .await
            .expect("revoke"),
        2
    );
    assert_eq!(load(&t.store, &a1).await, None);
    assert_eq!(load(&t.store, &a2).await, None);
    assert!(
        t.store
            .list_user_sessions(alice)
            .await
            .expect("list")
            .is_empty()
    );
    assert!(load(&t.store, &b1).await.is_some());
    assert_eq!(
        t.store
            .revoke_user_sessions(UserId::new(), None)
            .await
            .expect("nobody"),
        0
    );
}

#[tokio::test]
async fn session_data_update_is_seen_by_the_next_load() {
    let t = sessions().await;
    let user = UserId::new();
    let (token, created) = create(&t.store, user).await;
    let (other, other_created) = create(&t.store, user).await;
    let stepped_up = json!({ "acr": "aal3", "amr": ["hwk", "pin"], "auth_time": 1_893_456_000 });

    t.clock.advance(Duration::minutes(1));
    assert!(
        t.store
            .update_session_data(&token, stepped_up.clone())
            .await
            .expect("update")
    );

    let loaded = load(&t.store, &token).await.expect("live");
    assert_eq!(loaded.data, stepped_up);
    assert_eq!(loaded.user_id, user);
    assert_eq!(loaded.created_at, created.created_at);
    assert_eq!(
        load(&t.store, &other).await.expect("live").data,
        other_created.data
    );
}

#[tokio::test]
async fn session_data_update_is_refused_when_session_is_unknown_revoked_or_expired() {
    let t = sessions().await;
    let unknown = PlainToken::generate(TokenKind::Session);
    assert!(
        !t.store
            .update_session_data(&unknown, json!({}))
            .await
            .expect("unknown")
    );

    let (revoked, _) = create(&t.store, UserId::new()).await;
    t.store.revoke_session(&revoked).await.expect("revoke");
    assert!(
        !t.store
            .update_session_data(&revoked, json!({}))
            .await
            .expect("revoked")
    );

    let (expired, _) = create(&t.store, UserId::new()).await;
    t.clock.advance(idle());
    assert!(
        !t.store
            .update_session_data(&expired, json!({}))
            .await
            .expect("expired")
    );
    assert_eq!(load(&t.store, &expired).await, None);
}

#[tokio::test]
async fn sessions_of_two_users_are_independent() {
    let t = sessions().await;
    let (alice, bob) = (UserId::new(), UserId::new());
    let (a, _) = t
        .store
        .create_session(alice, json!({ "who": "alice" }))
        .await
        .expect("create");
    let (b, _) = t
        .store
        .create_session(bob, json!({ "who": "bob" }))
        .await
        .expect("create");

    assert!(
        t.store
            .update_session_data(&a, json!({ "who": "alice", "step": 2 }))
            .await
            .expect("update")
    );
    let bs = load(&t.store, &b).await.expect("bob's session");
    assert_eq!((bs.user_id, bs.data), (bob, json!({ "who": "bob" })));

    assert!(t.store.revoke_session(&a).await.expect("revoke"));
    assert_eq!(load(&t.store, &a).await, None);
    assert!(load(&t.store, &b).await.is_some());
    assert!(
        t.store
            .list_user_sessions(alice)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        t.store.list_user_sessions(bob).await.expect("list").len(),
        1
    );
}

#[tokio::test]
async fn session_token_never_appears_in_debug_output() {
    let t = sessions().await;
    let (token, created) = create(&t.store, UserId::new()).await;
    let loaded = load(&t.store, &token).await.expect("live");
    let secret = &token.expose()[TokenKind::Session.prefix().len()..];

    let outputs = [
        format!("{created:?}"),
        format!("{created:#?}"),
        format!("{loaded:?}"),
        format!("{:?}", t.store),
        format!("{:#?}", t.store),
        format!("{t:?}"),
        format!("{token:?}"),
    ];
    for out in outputs {
        assert!(
            !out.contains(secret),
            "Debug output reveals the session token: {out}"
        );
    }
}

#[tokio::test]
async fn sweep_removes_expired_sessions_and_keeps_live_ones() {
    let t = sessions().await;
    let user = UserId::new();
    let (stale, _) = create(&t.store, user).await;
    t.clock.advance(Duration::minutes(20));
    let (live, _) = create(&t.store, user).await;
    t.clock.advance(Duration::minutes(15));

    let swept = t.store.sweep_expired().await.expect("sweep");
    // Redis removes expired keys by itself; only the SQL backend sweeps.
    let expected = if crate::is_redis(&t.store) { 0 } else { 1 };
    assert_eq!(swept.sessions, expected, "{swept:?}");

    assert_eq!(load(&t.store, &stale).await, None);
    assert!(load(&t.store, &live).await.is_some());
    assert_eq!(
        t.store.list_user_sessions(user).await.expect("list").len(),
        1
    );
}
