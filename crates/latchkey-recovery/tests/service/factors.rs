//! Factors: recovery codes (and the lock after five wrong ones), e-mail
//! links bound to the requester's session, passkeys.

use chrono::Duration;
use latchkey_core::{AccountTier, Clock as _};
use latchkey_recovery::{FactorKind, PasskeyFact, Refusal, State};
use latchkey_store::recovery_codes;

use crate::{SESSION, harness, harness_with, origin, refusal};

#[tokio::test]
async fn five_wrong_recovery_codes_lock_the_request_and_the_owner_is_told() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let id = h.recover(ada.id).await.request.id;

    for left in (1..=4).rev() {
        let wrong = h.code(id, "AAAAA-BBBBB-CCCCC-DDDDD").await;
        assert_eq!(
            refusal(wrong),
            Refusal::WrongFactor {
                attempts_left: left
            }
        );
    }
    assert_eq!(h.engine.view(id).await.unwrap().failed_attempts, 4);
    assert_eq!(
        refusal(h.code(id, "AAAAA-BBBBB-CCCCC-DDDDD").await),
        Refusal::LockedNow {}
    );

    let locked = h.engine.view(id).await.unwrap();
    assert_eq!(locked.state, State::Locked);
    assert!(locked.locked_at.is_some());
    // Even the right code does nothing now, and is not spent.
    assert_eq!(
        refusal(h.code(id, &ada.codes[0]).await),
        Refusal::Final {
            state: State::Locked
        }
    );
    assert_eq!(
        recovery_codes::remaining(&mut h.conn(), ada.id).unwrap(),
        10
    );
    assert!(
        h.mails_to("ada").last().unwrap()["subject"]
            .as_str()
            .unwrap()
            .starts_with("Locked")
    );
    let kinds = h.audit_kinds(id);
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "guarded_action.factor_failed")
            .count(),
        4
    );
    assert!(kinds.contains(&"guarded_action.locked".to_owned()));
}

#[tokio::test]
async fn recovery_code_attempts_are_rate_limited_per_account_across_requests() {
    let h = harness_with(|c| c.factor_attempts_per_account.max = 3);
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let first = h.recover(ada.id).await.request.id;
    let second = h.recover(ada.id).await.request.id;
    h.code(first, "WRONG-1").await.unwrap_err();
    h.code(first, "WRONG-2").await.unwrap_err();
    h.code(second, "WRONG-3").await.unwrap_err();

    assert_eq!(
        refusal(h.code(second, &ada.codes[0]).await),
        Refusal::RateLimited {}
    );
    assert_eq!(
        recovery_codes::remaining(&mut h.conn(), ada.id).unwrap(),
        10
    );
    h.advance(Duration::minutes(15));
    assert_eq!(
        h.code(second, &ada.codes[0]).await.unwrap().state,
        State::Waiting
    );
}

#[tokio::test]
async fn a_spent_recovery_code_counts_as_wrong_on_another_request() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let first = h.recover(ada.id).await.request.id;
    let second = h.recover(ada.id).await.request.id;
    h.code(first, &ada.codes[3]).await.unwrap();

    assert_eq!(
        refusal(h.code(second, &ada.codes[3]).await),
        Refusal::WrongFactor { attempts_left: 4 }
    );
}

#[tokio::test]
async fn email_link_counts_only_from_the_requesters_session_and_once() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let id = h.recover(ada.id).await.request.id;
    assert_eq!(
        refusal(h.engine.send_email_link(id, &origin()).await),
        Refusal::NoVerifiedEmail {}
    );
    h.db.execute(&format!(
        "UPDATE users SET email_verified_at = created_at WHERE id = '{}'",
        ada.id
    ));

    h.engine.send_email_link(id, &origin()).await.unwrap();
    let mail = h.mails_to("ada").pop().unwrap();
    let text = mail["text"].as_str().unwrap();
    let token = text
        .split("https://id.example.test/recovery/email#")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a link in the mail")
        .to_owned();
    assert!(token.starts_with("lkv_"));

    let elsewhere = h
        .engine
        .present_email_link(&token, "the owner's own browser", &origin())
        .await;
    assert_eq!(refusal(elsewhere), Refusal::SessionMismatch {});
    let verified = h
        .engine
        .present_email_link(&token, SESSION, &origin())
        .await
        .unwrap();
    assert_eq!(verified.state, State::Waiting);
    assert!(verified.factors.contains(&FactorKind::EmailLink));
    let again = h
        .engine
        .present_email_link(&token, SESSION, &origin())
        .await;
    assert_eq!(refusal(again), Refusal::LinkInvalid {});
}

#[tokio::test]
async fn email_link_expires_after_thirty_minutes() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[]);
    h.db.execute(&format!(
        "UPDATE users SET email_verified_at = created_at WHERE id = '{}'",
        ada.id
    ));
    let id = h.recover(ada.id).await.request.id;
    h.engine.send_email_link(id, &origin()).await.unwrap();
    let text = h.mails_to("ada").pop().unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = text
        .split("recovery/email#")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();

    h.advance(Duration::minutes(30));
    assert_eq!(
        refusal(
            h.engine
                .present_email_link(&token, SESSION, &origin())
                .await
        ),
        Refusal::LinkInvalid {}
    );
}

#[tokio::test]
async fn passkey_factor_is_refused_when_stale_or_another_accounts_passkey() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Elevated, &[]);
    let eve = h.account("eve", AccountTier::Standard, &[]);
    h.account(
        "grace",
        AccountTier::Standard,
        &[latchkey_core::Role::Approver],
    );
    h.account(
        "alan",
        AccountTier::Standard,
        &[latchkey_core::Role::Approver],
    );
    let id = h.recover(ada.id).await.request.id;
    let now = h.clock.now();

    let stale = PasskeyFact {
        user: ada.id,
        credential: ada.passkey,
        uv_at: now - Duration::minutes(6),
    };
    assert_eq!(
        refusal(h.engine.present_passkey(id, stale, &origin()).await),
        Refusal::PasskeyNotAccepted {}
    );
    let eves = PasskeyFact {
        user: eve.id,
        credential: eve.passkey,
        uv_at: now,
    };
    assert_eq!(
        refusal(h.engine.present_passkey(id, eves, &origin()).await),
        Refusal::PasskeyNotAccepted {}
    );
    let mixed = PasskeyFact {
        user: ada.id,
        credential: eve.passkey,
        uv_at: now,
    };
    assert_eq!(
        refusal(h.engine.present_passkey(id, mixed, &origin()).await),
        Refusal::PasskeyNotAccepted {}
    );
    let good = PasskeyFact {
        user: ada.id,
        credential: ada.passkey,
        uv_at: now,
    };
    let after = h.engine.present_passkey(id, good, &origin()).await.unwrap();
    assert_eq!(after.state, State::VerifyingFactors);
    assert_eq!(
        refusal(h.code(id, "WRONG").await),
        Refusal::WrongFactor { attempts_left: 4 }
    );
}
