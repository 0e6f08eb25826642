//! A request from start to end: notices, delays, completion, grants,
//! revocations, cancel, expiry.

use chrono::Duration;
use latchkey_core::{AccountTier, Role};
use latchkey_recovery::{FactorKind, GuardedAction, NewRequest, Refusal, State};
use latchkey_store::{credentials, recovery_codes, users};

use crate::{SESSION, harness, origin, refusal};

#[tokio::test]
async fn standard_recovery_completes_an_hour_after_one_code_and_grants_enrolment_to_its_session() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let requested = h.recover(ada.id).await;
    let id = requested.request.id;
    assert_eq!(requested.request.state, State::Requested);
    assert!(requested.cancel_token.expose().starts_with("lkx_"));

    let after_code = h.code(id, &ada.codes[0]).await.unwrap();
    assert_eq!(after_code.state, State::Waiting);
    assert_eq!(
        after_code.factors.iter().copied().collect::<Vec<_>>(),
        [FactorKind::RecoveryCode]
    );

    assert_eq!(
        refusal(h.engine.complete(id, SESSION, &origin()).await),
        Refusal::NotYetEligible {}
    );
    h.advance(Duration::hours(1));
    assert_eq!(
        refusal(h.engine.complete(id, "another session", &origin()).await),
        Refusal::SessionMismatch {}
    );
    let done = h.engine.complete(id, SESSION, &origin()).await.unwrap();

    assert_eq!(done.request.state, State::Completed);
    assert!(done.end_sessions);
    assert_eq!(done.passkeys_revoked, [ada.passkey]);
    assert_eq!(credentials::count_active(&mut h.conn(), ada.id).unwrap(), 0);
    let grant = done.enrolment_grant.expect("an enrolment grant");
    assert!(grant.expose().starts_with("lke_"));
    assert_eq!(
        refusal(
            h.engine
                .redeem_enrolment_grant(grant.expose(), "another session", &origin())
                .await
        ),
        Refusal::GrantInvalid {}
    );
    let redeemed = h
        .engine
        .redeem_enrolment_grant(grant.expose(), SESSION, &origin())
        .await
        .unwrap();
    assert_eq!((redeemed.user, redeemed.request), (ada.id, Some(id)));
    assert_eq!(
        refusal(
            h.engine
                .redeem_enrolment_grant(grant.expose(), SESSION, &origin())
                .await
        ),
        Refusal::GrantInvalid {}
    );

    let kinds = h.audit_kinds(id);
    for want in [
        "guarded_action.requested",
        "guarded_action.factor_verified",
        "guarded_action.transitioned",
        "guarded_action.completed",
        "passkey.revoked",
        "enrolment_grant.issued",
        "enrolment_grant.redeemed",
    ] {
        assert!(
            kinds.iter().any(|k| k == want),
            "{want} missing from {kinds:?}"
        );
    }
    h.chain_is_intact();
    // The code is spent, and appears in no audit event.
    assert_eq!(recovery_codes::remaining(&mut h.conn(), ada.id).unwrap(), 9);
    assert!(
        h.audit_events()
            .iter()
            .all(|e| !e.detail.contains(&ada.codes[0]))
    );
}

#[tokio::test]
async fn request_notifies_the_account_with_a_cancel_link_that_works_once() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let requested = h.recover(ada.id).await;
    let token = requested.cancel_token.expose().to_owned();

    let mails = h.mails_to("ada");
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0]["subject"]
            .as_str()
            .unwrap()
            .contains("recover the account")
    );
    let text = mails[0]["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("https://id.example.test/recovery/cancel#{token}")),
        "{text}"
    );

    let cancelled = h.engine.cancel_by_link(&token, &origin()).await.unwrap();
    assert_eq!(cancelled.state, State::Cancelled);
    assert_eq!(
        refusal(h.engine.cancel_by_link(&token, &origin()).await),
        Refusal::CancelLinkInvalid {}
    );
    assert_eq!(
        refusal(h.engine.cancel_by_link("lkx_nonsense", &origin()).await),
        Refusal::CancelLinkInvalid {}
    );
    assert_eq!(
        refusal(h.engine.cancel_by_link("no-prefix", &origin()).await),
        Refusal::CancelLinkInvalid {}
    );
    assert!(
        h.mails_to("ada").last().unwrap()["subject"]
            .as_str()
            .unwrap()
            .starts_with("Cancelled")
    );
    assert!(
        h.audit_kinds(requested.request.id)
            .contains(&"guarded_action.cancelled".to_owned())
    );
}

#[tokio::test]
async fn owner_cancel_wins_over_a_ready_request_and_a_stranger_cannot_cancel() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let eve = h.account("eve", AccountTier::Standard, &[]);
    let id = h.recover(ada.id).await.request.id;
    h.code(id, &ada.codes[1]).await.unwrap();
    h.advance(Duration::hours(2));
    h.engine.tick(h.clock_now()).await.unwrap();
    assert_eq!(h.engine.view(id).await.unwrap().state, State::Ready);

    assert_eq!(
        refusal(h.engine.cancel(id, eve.id, &origin()).await),
        Refusal::NotOwner {}
    );
    let open = h.engine.open_for(ada.id).await.unwrap();
    assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
    h.engine.cancel(id, ada.id, &origin()).await.unwrap();

    assert_eq!(
        refusal(h.engine.complete(id, SESSION, &origin()).await),
        Refusal::Final {
            state: State::Cancelled
        }
    );
    assert!(h.engine.open_for(ada.id).await.unwrap().is_empty());
    assert_eq!(credentials::count_active(&mut h.conn(), ada.id).unwrap(), 1);
}

#[tokio::test]
async fn tick_expires_a_request_at_its_lifetime_once_and_it_never_completes() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let id = h.recover(ada.id).await.request.id;
    h.code(id, &ada.codes[0]).await.unwrap();

    h.advance(Duration::days(7));
    let first = h.engine.tick(h.clock_now()).await.unwrap();
    let second = h.engine.tick(h.clock_now()).await.unwrap();

    assert_eq!((first.examined, first.changed, first.expired), (1, 1, 1));
    assert_eq!((second.examined, second.changed), (0, 0));
    assert_eq!(h.engine.view(id).await.unwrap().state, State::Expired);
    assert_eq!(
        refusal(h.engine.complete(id, SESSION, &origin()).await),
        Refusal::Final {
            state: State::Expired
        }
    );
    let expired_events = h
        .audit_kinds(id)
        .into_iter()
        .filter(|k| k == "guarded_action.expired")
        .count();
    assert_eq!(expired_events, 1);
    assert!(
        h.mails_to("ada").last().unwrap()["subject"]
            .as_str()
            .unwrap()
            .starts_with("Expired")
    );
}

#[tokio::test]
async fn add_passkey_with_a_fresh_step_up_is_ready_at_once_on_a_standard_account() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let requested = h
        .engine
        .request(
            NewRequest {
                action: GuardedAction::AddPasskey,
                subject: ada.id,
                requester: Some(ada.id),
                session_handle: SESSION.into(),
            },
            &origin(),
        )
        .await
        .unwrap();
    let id = requested.request.id;
    let fact = h.own_passkey(&ada);

    let ready = h.engine.present_passkey(id, fact, &origin()).await.unwrap();
    assert_eq!(ready.state, State::Ready);
    let done = h.engine.complete(id, SESSION, &origin()).await.unwrap();

    assert!(done.enrolment_grant.is_some());
    assert!(done.passkeys_revoked.is_empty());
    assert!(!done.end_sessions);
    assert_eq!(credentials::count_active(&mut h.conn(), ada.id).unwrap(), 1);
}

#[tokio::test]
async fn add_passkey_on_an_elevated_account_waits_24_hours_with_a_notice() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[Role::Admin]);
    let id = h
        .engine
        .request(
            NewRequest {
                action: GuardedAction::AddPasskey,
                subject: ada.id,
                requester: Some(ada.id),
                session_handle: SESSION.into(),
            },
            &origin(),
        )
        .await
        .unwrap()
        .request
        .id;
    let fact = h.own_passkey(&ada);
    let waiting = h.engine.present_passkey(id, fact, &origin()).await.unwrap();

    assert_eq!(waiting.tier, AccountTier::Elevated);
    assert_eq!(waiting.state, State::Waiting);
    assert_eq!(
        waiting.eligible_at,
        Some(h.clock_now() + Duration::hours(24))
    );
    assert_eq!(h.mails_to("ada").len(), 1);
}

#[tokio::test]
async fn remove_passkey_and_new_recovery_codes_are_carried_out_at_completion() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let second = {
        let mut c = h.conn();
        credentials::insert(
            &mut c,
            &credentials::NewCredential {
                user_id: ada.id,
                webauthn_id: vec![9, 9, 9],
                label: "phone".into(),
                passkey_json: "{}".into(),
                aaguid: None,
                backup_eligible: true,
                backup_state: true,
                attested: false,
                attestation_format: None,
                attestation_json: None,
                sign_count: 0,
            },
            h.clock_now(),
        )
        .unwrap()
    };
    for action in [
        GuardedAction::RemovePasskey { credential: second },
        GuardedAction::RegenerateRecoveryCodes,
    ] {
        let id = h
            .engine
            .request(
                NewRequest {
                    action: action.clone(),
                    subject: ada.id,
                    requester: Some(ada.id),
                    session_handle: SESSION.into(),
                },
                &origin(),
            )
            .await
            .unwrap()
            .request
            .id;
        let fact = h.own_passkey(&ada);
        let shown = h.engine.present_passkey(id, fact, &origin()).await.unwrap();
        match action {
            // Nothing to hand to a browser: ready, it completes by itself.
            GuardedAction::RemovePasskey { .. } => {
                assert_eq!(shown.state, State::Completed);
                assert!(
                    credentials::find_active(&mut h.conn(), second)
                        .unwrap()
                        .is_none()
                );
            }
            _ => {
                let done = h.engine.complete(id, SESSION, &origin()).await.unwrap();
                let codes = done.recovery_codes.expect("new codes").into_inner();
                assert_eq!(codes.len(), 10);
                assert!(!codes.contains(&ada.codes[0]));
            }
        }
    }
    assert_eq!(credentials::count_active(&mut h.conn(), ada.id).unwrap(), 1);
    assert_eq!(
        recovery_codes::remaining(&mut h.conn(), ada.id).unwrap(),
        10
    );
}

#[tokio::test]
async fn request_is_refused_for_a_disabled_account_and_for_actions_asked_by_someone_else() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let eve = h.account("eve", AccountTier::Standard, &[]);
    let ask = |action, requester| NewRequest {
        action,
        subject: ada.id,
        requester,
        session_handle: SESSION.into(),
    };

    let by_eve = h
        .engine
        .request(ask(GuardedAction::AddPasskey, Some(eve.id)), &origin())
        .await;
    assert_eq!(refusal(by_eve), Refusal::InvalidAction {});
    let grant = h
        .engine
        .request(
            ask(GuardedAction::GrantRole { role: Role::Admin }, Some(eve.id)),
            &origin(),
        )
        .await;
    assert_eq!(refusal(grant), Refusal::InvalidAction {});
    users::disable(&mut h.conn(), ada.id, h.clock_now()).unwrap();
    let disabled = h
        .engine
        .request(ask(GuardedAction::RecoverAccount, None), &origin())
        .await;
    assert_eq!(refusal(disabled), Refusal::AccountUnavailable {});
    assert!(h.outbox().is_empty());
}

#[tokio::test]
async fn requests_are_rate_limited_per_account() {
    let h = crate::harness_with(|c| c.requests_per_account.max = 2);
    let ada = h.account("ada", AccountTier::Standard, &[]);
    h.recover(ada.id).await;
    h.recover(ada.id).await;
    let third = h
        .engine
        .request(
            NewRequest {
                action: GuardedAction::RecoverAccount,
                subject: ada.id,
                requester: None,
                session_handle: SESSION.into(),
            },
            &origin(),
        )
        .await;
    assert_eq!(refusal(third), Refusal::RateLimited {});
}

#[tokio::test]
async fn security_webhook_gets_an_event_per_notice_when_configured() {
    let h = crate::harness_with(|c| c.security_webhook = true);
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let id = h.recover(ada.id).await.request.id;

    let events: Vec<serde_json::Value> = h
        .outbox()
        .into_iter()
        .filter(|m| m.kind == latchkey_store::outbox::SECURITY_WEBHOOK_KIND)
        .map(|m| serde_json::from_str(&m.payload).unwrap())
        .collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "guarded_action.requested");
    assert_eq!(events[0]["request"], id.to_string());
    assert!(!events[0].to_string().contains("lkx_"));
}

impl crate::Harness {
    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use latchkey_core::Clock as _;
        self.clock.now()
    }
}
