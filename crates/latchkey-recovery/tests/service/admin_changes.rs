//! Changes an administrator asks for about another account: roles, tier,
//! enabling a disabled account — made with the admin's step-up as the
//! factor, completing by themselves once ready while the requester is still
//! an administrator.

use chrono::Duration;
use latchkey_core::{AccountTier, Role};
use latchkey_recovery::{AdminChange, GuardedAction, Refusal, State};
use latchkey_store::users;

use crate::{Account, Harness, SESSION, harness, origin, refusal};

fn change(h: &Harness, action: GuardedAction, subject: &Account, admin: &Account) -> AdminChange {
    AdminChange {
        action,
        subject: subject.id,
        admin: admin.id,
        session_handle: SESSION.into(),
        step_up: h.own_passkey(admin),
    }
}

fn disable(h: &Harness, who: &Account) {
    let now = latchkey_core::Clock::now(&h.clock);
    users::disable(&mut h.conn(), who.id, now).unwrap();
}

#[tokio::test]
async fn role_granted_by_an_admin_takes_effect_by_itself_after_approval_and_delay() {
    let h = harness();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let grant = GuardedAction::GrantRole {
        role: Role::Approver,
    };
    let requested = h
        .engine
        .request_by_admin(change(&h, grant, &ada, &root), &origin())
        .await
        .unwrap();
    let id = requested.request.id;
    assert_eq!(requested.request.state, State::Waiting);
    let approval = h.assertion(id, &grace).await;
    let waiting = h.engine.approve(id, approval, "", &origin()).await.unwrap();
    assert_eq!(waiting.state, State::Waiting);
    assert!(users::roles(&mut h.conn(), ada.id).unwrap().is_empty());

    h.advance(Duration::hours(24));
    let done = h.engine.advance(id).await.unwrap();

    assert_eq!(done.state, State::Completed);
    assert_eq!(users::roles(&mut h.conn(), ada.id).unwrap(), ["approver"]);
    let account = users::find(&mut h.conn(), ada.id).unwrap().unwrap();
    assert_eq!(account.tier, "elevated");
    assert!(h.audit_kinds(id).contains(&"user.role_granted".to_owned()));
    h.chain_is_intact();
}

#[tokio::test]
async fn admin_change_stays_ready_when_its_requester_lost_the_admin_role() {
    let h = harness();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let tier = GuardedAction::ChangeTier {
        tier: AccountTier::Critical,
    };
    let id = h
        .engine
        .request_by_admin(change(&h, tier, &ada, &root), &origin())
        .await
        .unwrap()
        .request
        .id;
    let approval = h.assertion(id, &grace).await;
    h.engine.approve(id, approval, "", &origin()).await.unwrap();
    disable(&h, &root);

    h.advance(Duration::hours(24));
    let left = h.engine.advance(id).await.unwrap();

    assert_eq!(left.state, State::Ready);
    let account = users::find(&mut h.conn(), ada.id).unwrap().unwrap();
    assert_eq!(account.tier, "standard");
}

#[tokio::test]
async fn admin_change_is_refused_for_oneself_a_non_admin_a_stale_step_up_or_another_kind() {
    let h = harness();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let _grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let bob = h.account("bob", AccountTier::Standard, &[]);
    let grant = || GuardedAction::GrantRole { role: Role::Admin };

    let own = h
        .engine
        .request_by_admin(change(&h, grant(), &root, &root), &origin())
        .await;
    assert_eq!(refusal(own), Refusal::InvalidAction {});
    let by_bob = h
        .engine
        .request_by_admin(change(&h, grant(), &ada, &bob), &origin())
        .await;
    assert_eq!(refusal(by_bob), Refusal::InvalidAction {});
    let mut stale = change(&h, grant(), &ada, &root);
    stale.step_up.uv_at -= Duration::minutes(10);
    assert_eq!(
        refusal(h.engine.request_by_admin(stale, &origin()).await),
        Refusal::PasskeyNotAccepted {}
    );
    let email = GuardedAction::ChangeEmail {
        new_email: "x@example.test".into(),
    };
    assert_eq!(
        refusal(
            h.engine
                .request_by_admin(change(&h, email, &ada, &root), &origin())
                .await
        ),
        Refusal::InvalidAction {}
    );
    // An account that is not disabled cannot be enabled.
    assert_eq!(
        refusal(
            h.engine
                .request_by_admin(
                    change(&h, GuardedAction::EnableAccount, &ada, &root),
                    &origin()
                )
                .await
        ),
        Refusal::InvalidAction {}
    );
    // Nothing was stored.
    assert!(
        latchkey_store::guarded_actions::for_user(&mut h.conn(), ada.id, 10)
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn disabled_account_is_enabled_again_once_an_approver_agrees() {
    let h = harness();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let ada = h.account("ada", AccountTier::Standard, &[]);
    disable(&h, &ada);

    let id = h
        .engine
        .request_by_admin(
            change(&h, GuardedAction::EnableAccount, &ada, &root),
            &origin(),
        )
        .await
        .unwrap()
        .request
        .id;
    assert!(
        users::find(&mut h.conn(), ada.id)
            .unwrap()
            .unwrap()
            .is_disabled()
    );
    // The standard policy: one approval, no delay — the approval completes it.
    let approval = h.assertion(id, &grace).await;
    let done = h.engine.approve(id, approval, "", &origin()).await.unwrap();

    assert_eq!(done.state, State::Completed);
    assert!(
        !users::find(&mut h.conn(), ada.id)
            .unwrap()
            .unwrap()
            .is_disabled()
    );
    assert!(h.audit_kinds(id).contains(&"user.enabled".to_owned()));
    h.chain_is_intact();
}

#[tokio::test]
async fn elevated_account_is_enabled_only_after_two_approvals_and_a_day() {
    let h = harness();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let alan = h.account("alan", AccountTier::Standard, &[Role::Approver]);
    let ada = h.account("ada", AccountTier::Elevated, &[]);
    disable(&h, &ada);
    let id = h
        .engine
        .request_by_admin(
            change(&h, GuardedAction::EnableAccount, &ada, &root),
            &origin(),
        )
        .await
        .unwrap()
        .request
        .id;
    let first = h.assertion(id, &grace).await;
    h.engine.approve(id, first, "", &origin()).await.unwrap();
    let second = h.assertion(id, &alan).await;
    let waiting = h.engine.approve(id, second, "", &origin()).await.unwrap();
    assert_eq!(waiting.state, State::Waiting);
    h.advance(Duration::hours(23));
    assert_eq!(h.engine.advance(id).await.unwrap().state, State::Waiting);

    h.advance(Duration::hours(1));
    assert_eq!(h.engine.advance(id).await.unwrap().state, State::Completed);
    assert!(
        !users::find(&mut h.conn(), ada.id)
            .unwrap()
            .unwrap()
            .is_disabled()
    );
}
