//! Account changes carried out at completion: e-mail address, tier.

use chrono::Duration;
use latchkey_core::{AccountTier, Role, UserId};
use latchkey_recovery::{GuardedAction, NewRequest, Refusal, State};
use latchkey_store::users;

use crate::{Account, Harness, SESSION, harness, origin, refusal};

async fn ask(
    h: &Harness,
    action: GuardedAction,
    subject: UserId,
    requester: &Account,
) -> latchkey_core::GuardedActionId {
    let id = h
        .engine
        .request(
            NewRequest {
                action,
                subject,
                requester: Some(requester.id),
                session_handle: SESSION.into(),
            },
            &origin(),
        )
        .await
        .unwrap()
        .request
        .id;
    let fact = h.own_passkey(requester);
    h.engine.present_passkey(id, fact, &origin()).await.unwrap();
    id
}

#[tokio::test]
async fn email_change_completes_after_an_hour_and_the_old_address_is_told() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let new_email = GuardedAction::ChangeEmail {
        new_email: "ada@new.example.test".into(),
    };
    let id = ask(&h, new_email, ada.id, &ada).await;
    assert_eq!(
        refusal(h.engine.complete(id, SESSION, &origin()).await),
        Refusal::NotYetEligible {}
    );

    h.advance(Duration::hours(1));
    h.engine.complete(id, SESSION, &origin()).await.unwrap();

    let account = users::find(&mut h.conn(), ada.id).unwrap().unwrap();
    assert_eq!(account.email.as_deref(), Some("ada@new.example.test"));
    assert_eq!(account.email_verified_at, None);
    let last = h.mails_to("ada").pop().unwrap();
    assert!(
        last["subject"].as_str().unwrap().starts_with("Completed"),
        "{last}"
    );
}

#[tokio::test]
async fn email_change_is_refused_for_an_implausible_address() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    for bad in [
        "",
        "no-at-sign",
        "a b@example.test",
        "ada@example.test\r\nBcc: eve@example.test",
    ] {
        let refused = h
            .engine
            .request(
                NewRequest {
                    action: GuardedAction::ChangeEmail {
                        new_email: bad.into(),
                    },
                    subject: ada.id,
                    requester: Some(ada.id),
                    session_handle: SESSION.into(),
                },
                &origin(),
            )
            .await;
        assert_eq!(refusal(refused), Refusal::InvalidAction {}, "{bad:?}");
    }
}

#[tokio::test]
async fn tier_change_by_an_admin_pins_the_tier_after_approval_and_delay() {
    let h = harness();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let id = ask(
        &h,
        GuardedAction::ChangeTier {
            tier: AccountTier::Critical,
        },
        ada.id,
        &root,
    )
    .await;
    let approval = h.assertion(id, &grace).await;
    h.engine.approve(id, approval, "", &origin()).await.unwrap();
    h.advance(Duration::hours(24));

    let done = h.engine.complete(id, SESSION, &origin()).await.unwrap();

    assert_eq!(done.request.state, State::Completed);
    let account = users::find(&mut h.conn(), ada.id).unwrap().unwrap();
    assert_eq!(
        (account.tier.as_str(), account.tier_pinned),
        ("critical", true)
    );
    assert!(h.audit_kinds(id).contains(&"user.tier_changed".to_owned()));
}
