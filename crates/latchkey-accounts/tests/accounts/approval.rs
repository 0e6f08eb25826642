//! The approval ceremony: an approver's assertion bound to a decision, and
//! who may use the console.

use latchkey_accounts::{AccountsError, Flow};
use latchkey_core::Role;
use serde_json::json;

use crate::{ORIGIN, Person, World, client};

const BINDING: [u8; 32] = [0x5A; 32];

async fn grant(w: &World, who: &Person, role: &str) {
    let (user, role, now) = (
        who.user,
        role.to_owned(),
        latchkey_core::Clock::now(&w.env.clock),
    );
    w.env
        .db
        .db
        .run(move |c| latchkey_store::users::grant_role(c, user, &role, None, now))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_approval_assertion_gives_back_its_binding_and_records_the_passkeys_use() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let start = w
        .accounts
        .start_approval(&ada.session, BINDING)
        .await
        .unwrap();
    let allowed = start.public_key["allowCredentials"].as_array().unwrap();
    assert_eq!(allowed.len(), 1, "only Ada's own passkeys are asked for");
    let response = ada
        .auth
        .authenticate(&json!({ "publicKey": start.public_key }), ORIGIN);
    let finished = w
        .accounts
        .finish_approval(&ada.session, &start.id, &response.to_string(), &client())
        .await;
    assert_eq!(finished.outcome.flow, Flow::Approval);
    let assertion = finished.result.unwrap();
    assert_eq!(assertion.user, ada.user);
    assert_eq!(assertion.bound_digest, BINDING);
    assert_eq!(assertion.uv_at, latchkey_core::Clock::now(&w.env.clock));
    let user = ada.user;
    let passkeys = w
        .env
        .db
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, user))
        .await
        .unwrap();
    assert_eq!(passkeys[0].credential_id().unwrap(), assertion.credential);
    assert!(passkeys[0].last_used_at.is_some(), "the use is recorded");

    // Single use.
    let again = w
        .accounts
        .finish_approval(&ada.session, &start.id, &response.to_string(), &client())
        .await;
    assert!(matches!(again.result, Err(AccountsError::ChallengeExpired)));
}

#[tokio::test]
async fn an_approval_ceremony_is_bound_to_its_session_and_its_account() {
    let w = World::new().await;
    let mut ada = w.admin().await;
    let mut bob = w.invited("bob").await;

    // Started in Ada's session, finished in Bob's: refused.
    let start = w
        .accounts
        .start_approval(&ada.session, BINDING)
        .await
        .unwrap();
    let response = ada
        .auth
        .authenticate(&json!({ "publicKey": start.public_key }), ORIGIN);
    let finished = w
        .accounts
        .finish_approval(&bob.session, &start.id, &response.to_string(), &client())
        .await;
    assert!(matches!(
        finished.result,
        Err(AccountsError::SessionMismatch(_))
    ));

    // Bob's passkey in Ada's ceremony (a browser that ignored
    // allowCredentials): refused, Bob's passkey untouched.
    let start = w
        .accounts
        .start_approval(&ada.session, BINDING)
        .await
        .unwrap();
    let mut options = json!({ "publicKey": start.public_key });
    options["publicKey"]["allowCredentials"] = json!([]);
    let response = bob.auth.authenticate(&options, ORIGIN);
    let finished = w
        .accounts
        .finish_approval(&ada.session, &start.id, &response.to_string(), &client())
        .await;
    assert_eq!(finished.outcome.result, "unknown_credential");
    assert!(finished.result.is_err());
    let user = bob.user;
    let bobs = w
        .env
        .db
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, user))
        .await
        .unwrap();
    assert_eq!(bobs[0].last_used_at, None);
}

#[tokio::test]
async fn the_console_is_for_approvers_and_administrators() {
    let w = World::new().await;
    let ada = w.admin().await;
    let bob = w.invited("bob").await;
    let carol = w.invited("carol").await;
    grant(&w, &carol, "approver").await;
    assert_eq!(
        w.accounts.console_roles(&ada.session).await.unwrap(),
        vec![Role::Admin, Role::Approver]
    );
    assert_eq!(
        w.accounts.console_roles(&carol.session).await.unwrap(),
        vec![Role::Approver]
    );
    assert!(matches!(
        w.accounts.console_roles(&bob.session).await,
        Err(AccountsError::ApproverRequired)
    ));
    let (user, now) = (carol.user, latchkey_core::Clock::now(&w.env.clock));
    w.env
        .db
        .db
        .run(move |c| latchkey_store::users::disable(c, user, now))
        .await
        .unwrap();
    assert!(matches!(
        w.accounts.console_roles(&carol.session).await,
        Err(AccountsError::AccountDisabled)
    ));
}
