//! Sign-in and step-up.

use latchkey_accounts::{AccountsError, Flow};
use latchkey_passkey::PasskeyError;
use serde_json::json;

use crate::{ORIGIN, World, client, client_at};

#[tokio::test]
async fn sign_in_starts_a_session_audited_and_logs_the_outcome() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let finished = w.sign_in(&mut ada.auth, None).await;
    assert!(finished.outcome.is_success());
    assert_eq!(finished.outcome.user, Some(ada.user));
    assert_eq!(finished.outcome.flow, Flow::Modal);
    let new = finished.result.unwrap();
    assert_eq!(Some(new.credential.clone()), finished.outcome.credential);
    assert!(new.max_age > 0);
    let session = w.session(new.token).await.unwrap();
    assert_eq!(session.user_id(), ada.user);
    assert_eq!(session.data.flow, "modal");
    let events = w.audit_events("sign_in.succeeded").await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].actor.as_deref(),
        Some(ada.user.to_string().as_str())
    );
}

#[tokio::test]
async fn signing_in_again_keeps_the_sid_and_ends_the_previous_session() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let first = w.sign_in(&mut ada.auth, None).await.result.unwrap();
    let first = w.session(first.token).await.unwrap();
    let second = w.sign_in(&mut ada.auth, Some(&first)).await.result.unwrap();
    let second = w.session(second.token).await.unwrap();
    assert_eq!(
        second.data.sid, first.data.sid,
        "same user: same OIDC session"
    );
    assert!(
        w.session(first.token.clone()).await.is_none(),
        "no fixation"
    );

    // Another user signing in in this browser gets a new sid.
    let mut bob = w.invited("bob").await;
    let third = w
        .sign_in(&mut bob.auth, Some(&second))
        .await
        .result
        .unwrap();
    let third = w.session(third.token).await.unwrap();
    assert_ne!(third.data.sid, second.data.sid);
    assert!(w.session(second.token.clone()).await.is_none());
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let (user, now) = (ada.user, latchkey_core::Clock::now(&w.env.clock));
    w.env
        .db
        .db
        .run(move |c| latchkey_store::users::disable(c, user, now))
        .await
        .unwrap();
    let finished = w.sign_in(&mut ada.auth, None).await;
    assert!(matches!(
        finished.result,
        Err(AccountsError::AccountDisabled)
    ));
    assert_eq!(finished.outcome.result, "account_disabled");
}

#[tokio::test]
async fn a_ceremony_is_used_once() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let start = w.accounts.start_sign_in(&client()).await.unwrap();
    let response = ada
        .auth
        .authenticate(&json!({ "publicKey": start.public_key }), ORIGIN)
        .to_string();
    let sign_in = latchkey_accounts::SignIn {
        ceremony: &start.id,
        response: &response,
        flow: Flow::Autofill,
        client: &client(),
        previous: None,
    };
    assert!(w.accounts.finish_sign_in(sign_in).await.result.is_ok());
    let replay = w.accounts.finish_sign_in(sign_in).await;
    assert!(matches!(
        replay.result,
        Err(AccountsError::ChallengeExpired)
    ));
    assert_eq!(replay.outcome.result, "challenge_expired");
}

#[tokio::test]
async fn a_counter_that_goes_back_flags_the_passkey_and_is_audited() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    w.sign_in(&mut ada.auth, None).await.result.unwrap();
    let id = ada.auth.last_credential_id().unwrap();
    ada.auth.set_counter(&id, 0);
    let finished = w.sign_in(&mut ada.auth, None).await;
    assert!(matches!(
        finished.result,
        Err(AccountsError::Passkey(
            PasskeyError::CounterRegression { .. }
        ))
    ));
    assert_eq!(w.audit_events("passkey.clone_suspected").await.len(), 1);
    let failed = w.audit_events("sign_in.failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].subject.as_deref(),
        Some(ada.user.to_string().as_str())
    );
}

#[tokio::test]
async fn sign_in_attempts_against_an_account_are_limited() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let limit = latchkey_accounts::ratelimit::CEREMONIES_PER_ACCOUNT.max;
    for i in 0..limit {
        ada.auth.tamper_next_signature();
        let ip = format!("198.51.100.{i}");
        let finished = w.sign_in_from(&mut ada.auth, None, &ip).await;
        assert_eq!(finished.outcome.result, "signature_invalid");
    }
    let finished = w.sign_in(&mut ada.auth, None).await;
    assert!(
        matches!(
            finished.result,
            Err(AccountsError::RateLimited {
                limit: "ceremony-account",
                ..
            })
        ),
        "{:?}",
        finished.result
    );
}

#[tokio::test]
async fn step_up_refreshes_the_session_with_a_passkey_of_the_same_account() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let mut bob = w.invited("bob").await;
    w.env.clock.advance(chrono::Duration::minutes(10));
    let me = w.session(ada.session.token.clone()).await.unwrap();
    assert!(matches!(
        w.accounts.require_step_up(&me),
        Err(AccountsError::StepUpRequired)
    ));

    // Bob's passkey does not confirm Ada.
    let start = w.accounts.start_step_up(&me).await.unwrap();
    let response = bob
        .auth
        .authenticate(&json!({ "publicKey": start.public_key }), ORIGIN);
    let wrong = w
        .accounts
        .finish_step_up(&me, &start.id, &response.to_string(), &client())
        .await;
    assert!(matches!(wrong.result, Err(AccountsError::WrongAccount)));

    // Nor does a step-up begun in another session.
    let other = w.sign_in(&mut ada.auth, None).await.result.unwrap();
    let other = w.session(other.token).await.unwrap();
    let start = w.accounts.start_step_up(&other).await.unwrap();
    let response = ada
        .auth
        .authenticate(&json!({ "publicKey": start.public_key }), ORIGIN);
    let mismatch = w
        .accounts
        .finish_step_up(&me, &start.id, &response.to_string(), &client())
        .await;
    assert!(matches!(
        mismatch.result,
        Err(AccountsError::SessionMismatch(_))
    ));

    let start = w.accounts.start_step_up(&me).await.unwrap();
    let response = ada
        .auth
        .authenticate(&json!({ "publicKey": start.public_key }), ORIGIN);
    let ok = w
        .accounts
        .finish_step_up(&me, &start.id, &response.to_string(), &client())
        .await;
    assert!(ok.result.is_ok(), "{:?}", ok.result);
    assert_eq!(ok.outcome.flow, Flow::StepUp);
    let me = w.session(me.token.clone()).await.unwrap();
    w.accounts.require_step_up(&me).unwrap();
    assert_eq!(me.data.sid, ada.session.data.sid, "the sid stays");
}

/// A response for a passkey that is not registered here, naming `victim`
/// as its user handle.
fn forged_response(victim: latchkey_core::UserId, options: &serde_json::Value) -> String {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let mut mallory = latchkey_testkit::SoftAuthenticator::new();
    mallory.register(
        &json!({ "publicKey": {
            "challenge": b64(b"not a challenge of ours"),
            "rp": { "id": "localhost", "name": "Latchkey" },
            "user": { "id": b64(victim.as_uuid().as_bytes()), "name": "x", "displayName": "x" },
            "pubKeyCredParams": [{ "type": "public-key", "alg": -7 }],
        }}),
        ORIGIN,
    );
    mallory.authenticate(options, ORIGIN).to_string()
}

#[tokio::test]
async fn forged_responses_naming_a_victim_neither_lock_them_out_nor_write_their_audit_trail() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let attacker = client_at("203.0.113.66");
    let limit = latchkey_accounts::ratelimit::CEREMONIES_PER_ACCOUNT.max;
    let mut last = None;
    for _ in 0..=limit {
        let start = w.accounts.start_sign_in(&attacker).await.unwrap();
        let response = forged_response(ada.user, &json!({ "publicKey": start.public_key }));
        let finished = w
            .accounts
            .finish_sign_in(latchkey_accounts::SignIn {
                ceremony: &start.id,
                response: &response,
                flow: Flow::Modal,
                client: &attacker,
                previous: None,
            })
            .await;
        assert_eq!(finished.outcome.user, None, "nobody's account is concerned");
        last = Some(finished);
    }
    // The attacker's address runs out of attempts ...
    assert!(matches!(
        last.unwrap().result,
        Err(AccountsError::RateLimited {
            limit: "unknown-credential-ip",
            ..
        })
    ));
    // ... while the victim signs in as usual, and nothing was written about them.
    let finished = w.sign_in(&mut ada.auth, None).await;
    assert!(finished.result.is_ok(), "{:?}", finished.result);
    assert!(w.audit_events("sign_in.failed").await.is_empty());
}

#[tokio::test]
async fn a_passkey_flagged_as_a_possible_clone_is_refused_even_with_a_higher_counter() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    w.sign_in(&mut ada.auth, None).await.result.unwrap();
    w.sign_in(&mut ada.auth, None).await.result.unwrap();
    let id = ada.auth.last_credential_id().unwrap();
    ada.auth.set_counter(&id, 1);
    assert!(w.sign_in(&mut ada.auth, None).await.result.is_err());
    // The copy (or the original) moves on past the stored counter.
    ada.auth.set_counter(&id, 100);
    let again = w.sign_in(&mut ada.auth, None).await;
    assert!(
        matches!(again.result, Err(AccountsError::CloneSuspected)),
        "{:?}",
        again.result
    );
    assert_eq!(again.outcome.result, "clone_suspected");
    let failed = w.audit_events("sign_in.failed").await;
    assert_eq!(failed.len(), 2, "both refusals are audited");
}

#[tokio::test]
async fn the_owner_after_a_step_up_or_an_administrator_clears_the_clone_flag() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let mut bob = w.invited("bob").await;
    let credential = bob.session.data.credential.clone().unwrap();
    let flag = |w: &World| {
        let id = latchkey_core::CredentialId::parse(&credential).unwrap();
        let (db, now) = (w.env.db.db.clone(), latchkey_core::Clock::now(&w.env.clock));
        async move {
            db.run(move |c| latchkey_store::credentials::mark_clone_suspected(c, id, now))
                .await
                .unwrap()
        }
    };
    flag(&w).await;
    assert!(matches!(
        w.sign_in(&mut bob.auth, None).await.result,
        Err(AccountsError::CloneSuspected)
    ));

    // Not another account, not without a step-up.
    assert!(matches!(
        w.accounts
            .clear_clone_flag(&ada.session, &credential, &client())
            .await,
        Err(AccountsError::NotFound(_))
    ));
    assert!(matches!(
        w.accounts
            .clear_clone_flag_as_admin(&bob.session, &credential, &client())
            .await,
        Err(AccountsError::AdminRequired)
    ));
    w.env.clock.advance(chrono::Duration::minutes(6));
    let stale = w.session(bob.session.token.clone()).await.unwrap();
    assert!(matches!(
        w.accounts
            .clear_clone_flag(&stale, &credential, &client())
            .await,
        Err(AccountsError::StepUpRequired)
    ));

    // The owner, with a fresh confirmation (as after a step-up), clears it.
    let owner_fresh = {
        let mut s = w.session(bob.session.token.clone()).await.unwrap();
        s.data.uv_at = latchkey_core::Clock::now(&w.env.clock);
        s
    };
    w.accounts
        .clear_clone_flag(&owner_fresh, &credential, &client())
        .await
        .unwrap();
    assert!(w.sign_in(&mut bob.auth, None).await.result.is_ok());
    let cleared = w.audit_events("passkey.clone_flag_cleared").await;
    assert_eq!(cleared.len(), 1);
    assert_eq!(
        cleared[0].actor.as_deref(),
        Some(bob.user.to_string().as_str())
    );

    // An administrator may clear it too.
    flag(&w).await;
    let admin = w.sign_in(&mut ada.auth, None).await.result.unwrap();
    let admin = w.session(admin.token).await.unwrap();
    w.accounts
        .clear_clone_flag_as_admin(&admin, &credential, &client())
        .await
        .unwrap();
    assert!(w.sign_in(&mut bob.auth, None).await.result.is_ok());
    assert_eq!(w.audit_events("passkey.clone_flag_cleared").await.len(), 2);
}
