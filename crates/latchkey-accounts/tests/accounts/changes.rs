//! Account changes: passkeys, recovery codes, sessions.

use latchkey_accounts::{AccountsError, Change, PasskeyAdded, SessionEnd};
use latchkey_testkit::SoftAuthenticator;
use serde_json::json;

use crate::{ORIGIN, World, client};

#[tokio::test]
async fn adding_a_passkey_needs_a_fresh_step_up_and_notifies_the_owner() {
    let w = World::new().await;
    let bob = w.invited("bob").await;
    w.env.clock.advance(chrono::Duration::minutes(6));
    let stale = w.session(bob.session.token.clone()).await.unwrap();
    assert!(matches!(
        w.accounts.start_add_passkey(&stale, "Laptop").await,
        Err(AccountsError::StepUpRequired)
    ));

    let w = World::new().await;
    let bob = w.invited("bob").await;
    let start = w
        .accounts
        .start_add_passkey(&bob.session, "  Laptop ")
        .await
        .unwrap();
    let mut laptop = SoftAuthenticator::new();
    let response = laptop.register(&json!({ "publicKey": start.public_key }), ORIGIN);
    let finished = w
        .accounts
        .finish_add_passkey(
            &bob.session,
            &start.id,
            &response.to_string(),
            &client(),
            None,
        )
        .await;
    let Ok(PasskeyAdded::Active(id)) = finished.result else {
        panic!(
            "a standard account's passkey is active at once: {:?}",
            finished.result
        );
    };
    assert_eq!(finished.outcome.credential, Some(id.to_string()));
    let user = bob.user;
    let labels: Vec<String> = w
        .env
        .db
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, user))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert!(labels.contains(&"Laptop".to_owned()), "{labels:?}");
    assert!(w.mail().await.contains(&(
        "bob@example.com".to_owned(),
        "A passkey was added to your account".to_owned()
    )));
}

#[tokio::test]
async fn the_last_passkey_stays_while_no_recovery_code_remains() {
    let w = World::new().await;
    let _ada = w.admin().await;
    let bob = w.invited("bob").await;
    let credential = bob.session.data.credential.clone().unwrap();
    let codes = w
        .accounts
        .take_onboarding_codes(&bob.session)
        .await
        .unwrap()
        .unwrap();
    let (user, now) = (bob.user, latchkey_core::Clock::now(&w.env.clock));
    // Spend every recovery code (as recoveries would).
    w.env
        .db
        .db
        .run(move |c| {
            let hasher = latchkey_store::recovery_codes::RecoveryCodeHasher::new(
                &latchkey_store::seal::MasterKey::from_bytes([0x17; 32]),
            );
            for code in &codes {
                assert!(latchkey_store::recovery_codes::consume(
                    c, &hasher, user, code, now
                )?);
            }
            Ok(())
        })
        .await
        .unwrap();
    let refused = w
        .accounts
        .revoke_passkey(&bob.session, &credential, &client())
        .await;
    assert!(
        matches!(refused, Err(AccountsError::LastPasskey)),
        "{refused:?}"
    );
    assert!(w.audit_events("passkey.revoked").await.is_empty());

    // With new codes it can go.
    let codes = w
        .accounts
        .regenerate_recovery_codes(&bob.session, &client())
        .await
        .unwrap();
    let Change::Done(codes) = codes else {
        panic!("a standard account's codes are made at once");
    };
    assert_eq!(codes.len(), 10);
    w.accounts
        .revoke_passkey(&bob.session, &credential, &client())
        .await
        .unwrap();
    assert_eq!(w.audit_events("passkey.revoked").await.len(), 1);
}

#[tokio::test]
async fn another_accounts_passkey_cannot_be_renamed_or_revoked() {
    let w = World::new().await;
    let ada = w.admin().await;
    let bob = w.invited("bob").await;
    let adas = ada.session.data.credential.clone().unwrap();
    assert!(matches!(
        w.accounts
            .rename_passkey(&bob.session, &adas, "mine", &client())
            .await,
        Err(AccountsError::NotFound(_))
    ));
    assert!(matches!(
        w.accounts
            .revoke_passkey(&bob.session, &adas, &client())
            .await,
        Err(AccountsError::NotFound(_))
    ));
    assert!(matches!(
        w.accounts
            .rename_passkey(&ada.session, &adas, "   ", &client())
            .await,
        Err(AccountsError::InvalidInput { .. })
    ));
    w.accounts
        .rename_passkey(&ada.session, &adas, "Phone", &client())
        .await
        .unwrap();
    assert_eq!(w.audit_events("passkey.renamed").await.len(), 1);
}

#[tokio::test]
async fn signing_out_everywhere_else_keeps_only_this_session() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let other = w.sign_in(&mut ada.auth, None).await.result.unwrap();
    let ended = w
        .accounts
        .sign_out_everywhere_else(&ada.session, &client())
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert!(w.session(other.token).await.is_none());
    assert!(w.session(ada.session.token.clone()).await.is_some());
    assert_eq!(w.audit_events("sessions.revoked").await.len(), 1);

    w.accounts
        .sign_out(&ada.session, SessionEnd::SignOut, &client())
        .await
        .unwrap();
    assert!(w.session(ada.session.token.clone()).await.is_none());
    let ended = w.audit_events("session.ended").await;
    assert_eq!(ended.len(), 1);
}

#[tokio::test]
async fn ending_one_session_ends_only_it_and_never_another_accounts() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let bob = w.invited("bob").await;
    let other = w.sign_in(&mut ada.auth, None).await.result.unwrap();
    let handle = other.session.handle.clone();
    assert_ne!(handle, other.token.expose(), "the handle is not the token");
    // The session knows which browser and address started it.
    let data = latchkey_session::SessionData::of(&other.session).unwrap();
    assert!(data.user_agent.contains("Firefox/133.0"), "{data:?}");
    assert_eq!(data.ip, "192.0.2.1");

    // Bob names Ada's session: nothing happens.
    assert!(
        !w.accounts
            .end_session(
                bob.session.user_id(),
                &handle,
                SessionEnd::FromAnotherSession,
                &client()
            )
            .await
            .unwrap()
    );
    assert!(w.session(other.token.clone()).await.is_some());
    assert!(w.audit_events("session.ended").await.is_empty());

    assert!(
        w.accounts
            .end_session(
                ada.session.user_id(),
                &handle,
                SessionEnd::FromAnotherSession,
                &client()
            )
            .await
            .unwrap()
    );
    assert!(w.session(other.token.clone()).await.is_none());
    assert!(w.session(ada.session.token.clone()).await.is_some());
    assert!(w.session(bob.session.token.clone()).await.is_some());
    assert_eq!(w.audit_events("session.ended").await.len(), 1);
    // Once ended, it cannot be ended again.
    assert!(
        !w.accounts
            .end_session(
                ada.session.user_id(),
                &handle,
                SessionEnd::FromAnotherSession,
                &client()
            )
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn the_owner_is_told_in_the_language_the_account_chose() {
    let w = World::new().await;
    let bob = w.invited("bob").await;
    let (user, now) = (bob.user, latchkey_core::Clock::now(&w.env.clock));
    w.env
        .db
        .db
        .run(move |c| latchkey_store::users::set_locale(c, user, Some("de"), now))
        .await
        .unwrap();
    let start = w
        .accounts
        .start_add_passkey(&bob.session, "Laptop")
        .await
        .unwrap();
    let mut laptop = SoftAuthenticator::new();
    let response = laptop.register(&json!({ "publicKey": start.public_key }), ORIGIN);
    let finished = w
        .accounts
        .finish_add_passkey(
            &bob.session,
            &start.id,
            &response.to_string(),
            &client(),
            None,
        )
        .await;
    assert!(matches!(finished.result, Ok(PasskeyAdded::Active(_))));
    assert!(w.mail().await.contains(&(
        "bob@example.com".to_owned(),
        "Ihrem Konto wurde ein Passkey hinzugefügt".to_owned()
    )));
}
