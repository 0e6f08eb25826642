//! Guarded-action requests, their factors, out-of-band checks, approvals,
//! enrolment grants and the notices they enqueue.

use std::sync::{Arc, Barrier};

use chrono::Duration;
use latchkey_core::{GuardedActionId, HashedToken, PlainToken, TokenKind, UserId};
use latchkey_store::approvals::{self, DECISION_APPROVE, DECISION_DENY, NewDecision};
use latchkey_store::guarded_actions::{self, GuardedActionUpdate, NewGuardedAction};
use latchkey_store::{DbConnection, StoreError, enrolment_grants, outbox, to_db, users};
use latchkey_testkit::TestDb;

use crate::{at, conn, new_user, t0};

fn new_request(
    subject: UserId,
    state: &str,
    eligible: Option<i64>,
    expires: i64,
) -> (NewGuardedAction, PlainToken) {
    let cancel = PlainToken::generate(TokenKind::CancelLink);
    let new = NewGuardedAction {
        id: GuardedActionId::new(),
        subject,
        action: "recover_account".into(),
        state: state.into(),
        tier: "elevated".into(),
        requested_by: None,
        requester_session: Some(HashedToken::of("session handle")),
        payload: r#"{"action":"recover_account"}"#.into(),
        policy: r#"{"factors":2}"#.into(),
        factors_required: 2,
        approvals_required: 2,
        oob_required: false,
        delay: Duration::hours(24),
        cancel_token: cancel.hashed(),
        created_at: t0(),
        eligible_at: eligible.map(at),
        expires_at: at(expires),
    };
    (new, cancel)
}

fn insert(
    conn: &mut DbConnection,
    subject: UserId,
    state: &str,
    eligible: Option<i64>,
    expires: i64,
) -> GuardedActionId {
    let (new, _) = new_request(subject, state, eligible, expires);
    guarded_actions::insert(conn, &new).unwrap();
    new.id
}

fn user(conn: &mut DbConnection, name: &str) -> UserId {
    new_user(conn, name).user_id().unwrap()
}

fn moved_to(id: GuardedActionId, version: i64, state: &str, now: i64) -> GuardedActionUpdate {
    GuardedActionUpdate {
        id,
        expected_version: version,
        state: state.into(),
        failed_attempts: 0,
        updated_at: at(now),
        eligible_at: None,
        completed_at: None,
        cancelled_at: None,
        denied_at: None,
        expired_at: None,
        locked_at: None,
        clear_cancel_token: false,
    }
}

fn approve<'a>(id: GuardedActionId, approver: UserId, decision: &'a str) -> NewDecision<'a> {
    NewDecision {
        action_id: id,
        approver,
        decision,
        comment: "",
        user_verified_at: t0(),
        credential: None,
    }
}

// ---- requests ---------------------------------------------------------------

#[test]
fn find_returns_the_inserted_request_with_its_factors_approvals_and_oob_check() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let subject = user(&mut c, "ada");
    let approver = user(&mut c, "grace");
    let (new, _) = new_request(subject, "requested", None, 86_400);
    guarded_actions::insert(&mut c, &new).unwrap();
    guarded_actions::add_factor(&mut c, new.id, "recovery_code", "", at(1)).unwrap();
    guarded_actions::add_oob(&mut c, new.id, approver, "video_call", "passport", at(2)).unwrap();
    approvals::record(&mut c, &approve(new.id, approver, DECISION_APPROVE), at(3)).unwrap();

    let record = guarded_actions::find(&mut c, new.id).unwrap().unwrap();

    let row = &record.row;
    assert_eq!(row.id, new.id.to_string());
    assert_eq!(row.subject().unwrap(), subject);
    assert_eq!(
        (row.action.as_str(), row.state.as_str()),
        ("recover_account", "requested")
    );
    assert_eq!(
        row.requester_session,
        Some(HashedToken::of("session handle").to_hex())
    );
    assert_eq!(row.delay_seconds, 86_400);
    assert_eq!(row.version, 0);
    assert_eq!(row.expires_at, to_db(at(86_400)));
    assert_eq!(record.factors.len(), 1);
    assert_eq!(record.factors[0].kind, "recovery_code");
    assert_eq!(
        record.oob.as_ref().unwrap().admin_user_id,
        approver.to_string()
    );
    assert_eq!(record.approvals.len(), 1);
    assert_eq!(record.approvals[0].decision, DECISION_APPROVE);
    assert_eq!(
        guarded_actions::find(&mut c, GuardedActionId::new()).unwrap(),
        None
    );
}

#[test]
fn update_stores_the_transition_and_bumps_the_version() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let subject = user(&mut c, "ada");
    let id = insert(&mut c, subject, "requested", None, 86_400);

    let mut change = moved_to(id, 0, "waiting", 10);
    change.eligible_at = Some(at(3600));
    change.failed_attempts = 2;
    guarded_actions::update(&mut c, &change).unwrap();

    let row = guarded_actions::find(&mut c, id).unwrap().unwrap().row;
    assert_eq!(row.state, "waiting");
    assert_eq!(row.version, 1);
    assert_eq!(row.failed_attempts, 2);
    assert_eq!(row.eligible_at, Some(to_db(at(3600))));
    assert_eq!(row.updated_at, to_db(at(10)));
}

#[test]
fn update_is_refused_when_the_version_is_stale() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let subject = user(&mut c, "ada");
    let id = insert(&mut c, subject, "requested", None, 86_400);
    guarded_actions::update(&mut c, &moved_to(id, 0, "verifying_factors", 1)).unwrap();

    let stale = guarded_actions::update(&mut c, &moved_to(id, 0, "cancelled", 2));

    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let row = guarded_actions::find(&mut c, id).unwrap().unwrap().row;
    assert_eq!((row.state.as_str(), row.version), ("verifying_factors", 1));
}

#[test]
fn cancel_link_finds_its_request_until_the_update_clears_it() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let subject = user(&mut c, "ada");
    let (new, link) = new_request(subject, "requested", None, 86_400);
    guarded_actions::insert(&mut c, &new).unwrap();

    assert_eq!(
        guarded_actions::find_by_cancel_token(&mut c, &link.hashed()).unwrap(),
        Some(new.id)
    );
    let other = PlainToken::generate(TokenKind::CancelLink);
    assert_eq!(
        guarded_actions::find_by_cancel_token(&mut c, &other.hashed()).unwrap(),
        None
    );

    let mut cancel = moved_to(new.id, 0, "cancelled", 5);
    cancel.cancelled_at = Some(at(5));
    cancel.clear_cancel_token = true;
    guarded_actions::update(&mut c, &cancel).unwrap();

    assert_eq!(
        guarded_actions::find_by_cancel_token(&mut c, &link.hashed()).unwrap(),
        None
    );
}

#[test]
fn add_factor_is_refused_for_a_second_factor_of_the_same_kind() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let subject = user(&mut c, "ada");
    let id = insert(&mut c, subject, "requested", None, 86_400);
    guarded_actions::add_factor(&mut c, id, "recovery_code", "", at(1)).unwrap();

    let again = guarded_actions::add_factor(&mut c, id, "recovery_code", "", at(2));

    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    guarded_actions::add_factor(&mut c, id, "email_link", "", at(3)).unwrap();
}

#[test]
fn add_oob_is_refused_for_a_second_check_of_one_request() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let subject = user(&mut c, "ada");
    let (a, b) = (user(&mut c, "grace"), user(&mut c, "alan"));
    let id = insert(&mut c, subject, "requested", None, 86_400);
    guarded_actions::add_oob(&mut c, id, a, "document", "passport", at(1)).unwrap();

    let again = guarded_actions::add_oob(&mut c, id, b, "document", "passport", at(2));

    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

#[test]
fn claim_due_returns_only_open_requests_whose_delay_or_lifetime_ran_out() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let s = user(&mut c, "ada");
    let expired = insert(&mut c, s, "requested", None, 100);
    let eligible = insert(&mut c, s, "waiting", Some(50), 1000);
    let _still_waiting = insert(&mut c, s, "waiting", Some(500), 1000);
    let _ready = insert(&mut c, s, "ready", Some(10), 1000);
    let _done = insert(&mut c, s, "completed", Some(10), 50);

    let mut due =
        latchkey_store::write_transaction(&mut c, |c| guarded_actions::claim_due(c, at(100), 10))
            .unwrap();
    due.sort();

    let mut want = vec![expired, eligible];
    want.sort();
    assert_eq!(due, want);
    let limited =
        latchkey_store::write_transaction(&mut c, |c| guarded_actions::claim_due(c, at(100), 1))
            .unwrap();
    assert_eq!(limited.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claim_due_by_concurrent_workers_processes_each_request_exactly_once() {
    let t = TestDb::new();
    let ids: Vec<GuardedActionId> =
        t.db.run(|c| {
            let s = new_user(c, "ada").user_id()?;
            Ok((0..12)
                .map(|_| insert(c, s, "requested", None, 10))
                .collect())
        })
        .await
        .unwrap();

    let workers: Vec<_> = (0..4)
        .map(|_| {
            let db = t.db.clone();
            tokio::spawn(async move {
                db.run(|c| {
                    latchkey_store::write_transaction(c, |c| {
                        let claimed = guarded_actions::claim_due(c, at(20), 5)?;
                        for id in &claimed {
                            let row = guarded_actions::lock(c, *id)?.expect("claimed row").row;
                            let mut change = moved_to(*id, row.version, "expired", 20);
                            change.expired_at = Some(at(20));
                            guarded_actions::update(c, &change)?;
                        }
                        Ok(claimed)
                    })
                })
                .await
            })
        })
        .collect();
    let mut processed = Vec::new();
    for w in workers {
        processed.extend(w.await.unwrap().unwrap());
    }
    // A pass that found only locked rows leaves the rest to the next pass.
    let rest =
        t.db.run(|c| {
            latchkey_store::write_transaction(c, |c| guarded_actions::claim_due(c, at(20), 100))
        })
        .await
        .unwrap();
    assert!(
        rest.is_empty() || processed.len() + rest.len() == ids.len(),
        "{rest:?}"
    );

    let mut seen = processed.clone();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), processed.len(), "a request was processed twice");
    if rest.is_empty() {
        assert_eq!(processed.len(), ids.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_serialises_two_concurrent_changes_so_neither_is_lost() {
    let t = TestDb::new();
    let (id, approvers) =
        t.db.run(|c| {
            let s = new_user(c, "ada").user_id()?;
            let a = new_user(c, "grace").user_id()?;
            let b = new_user(c, "alan").user_id()?;
            Ok((insert(c, s, "awaiting_approvals", Some(0), 86_400), [a, b]))
        })
        .await
        .unwrap();
    let barrier = Arc::new(Barrier::new(2));

    let tasks: Vec<_> = approvers
        .into_iter()
        .map(|approver| {
            let (db, barrier) = (t.db.clone(), barrier.clone());
            tokio::spawn(async move {
                db.run(move |c| {
                    barrier.wait();
                    guarded_actions::with_locked(c, id, |c, record| {
                        let record = record.expect("the request");
                        approvals::record(c, &approve(id, approver, DECISION_APPROVE), at(1))?;
                        let seen = i64::try_from(record.approvals.len()).unwrap_or_default();
                        let state = if seen == 1 {
                            "ready"
                        } else {
                            "awaiting_approvals"
                        };
                        guarded_actions::update(c, &moved_to(id, record.row.version, state, 1))?;
                        Ok(seen)
                    })
                })
                .await
            })
        })
        .collect();
    let mut seen = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap().unwrap());
    }
    seen.sort();

    // The second saw the first's approval: one change each, in turn.
    assert_eq!(seen, [0, 1]);
    let record =
        t.db.run(move |c| guarded_actions::find(c, id))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(record.approvals.len(), 2);
    assert_eq!(record.row.version, 2);
    assert_eq!(record.row.state, "ready");
}

#[test]
fn open_for_user_and_awaiting_decision_list_only_open_requests() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, bob) = (user(&mut c, "ada"), user(&mut c, "bob"));
    let open = insert(&mut c, ada, "waiting", Some(10), 1000);
    let _closed = insert(&mut c, ada, "cancelled", None, 1000);
    let bobs = insert(&mut c, bob, "requested", None, 1000);

    let mine: Vec<String> = guarded_actions::open_for_user(&mut c, ada)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(mine, [open.to_string()]);
    let queue: Vec<String> = guarded_actions::awaiting_decision(&mut c, 10)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(queue, [open.to_string(), bobs.to_string()]);
}

// ---- approvals ----------------------------------------------------------------

#[test]
fn approval_counts_once_per_approver_and_request() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (s, a) = (user(&mut c, "ada"), user(&mut c, "grace"));
    let id = insert(&mut c, s, "waiting", Some(10), 1000);
    approvals::record(&mut c, &approve(id, a, DECISION_APPROVE), at(1)).unwrap();

    let again = approvals::record(&mut c, &approve(id, a, DECISION_APPROVE), at(2));

    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(
        approvals::for_action(&mut c, &id.to_string())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn denial_replaces_an_earlier_approval_by_the_same_approver() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (s, a) = (user(&mut c, "ada"), user(&mut c, "grace"));
    let id = insert(&mut c, s, "waiting", Some(10), 1000);
    approvals::record(&mut c, &approve(id, a, DECISION_APPROVE), at(1)).unwrap();

    approvals::record(&mut c, &approve(id, a, DECISION_DENY), at(2)).unwrap();

    let rows = approvals::for_action(&mut c, &id.to_string()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].decision, DECISION_DENY);
    assert_eq!(rows[0].created_at, to_db(at(2)));
}

#[test]
fn eligible_approvers_exclude_the_disabled_and_the_named_accounts() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let names = ["ada", "grace", "alan", "edsger", "barbara"];
    let ids: Vec<UserId> = names.iter().map(|n| user(&mut c, n)).collect();
    for id in &ids[..4] {
        users::grant_role(&mut c, *id, "approver", None, t0()).unwrap();
    }
    users::grant_role(&mut c, ids[4], "admin", None, t0()).unwrap();
    users::disable(&mut c, ids[3], t0()).unwrap();

    assert_eq!(
        approvals::count_eligible_approvers(&mut c, "approver", &[]).unwrap(),
        3
    );
    assert_eq!(
        approvals::count_eligible_approvers(&mut c, "approver", &[ids[0], ids[1]]).unwrap(),
        1
    );
    assert_eq!(
        approvals::count_eligible_approvers(&mut c, "admin", &[]).unwrap(),
        1
    );
}

// ---- enrolment grants -------------------------------------------------------

#[test]
fn enrolment_grant_is_redeemed_once_and_only_from_its_session() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let s = user(&mut c, "ada");
    let action = insert(&mut c, s, "completed", Some(0), 1000);
    let session = HashedToken::of("the requester's session");
    let (id, token) = enrolment_grants::issue(
        &mut c,
        s,
        Some(action),
        &session,
        Duration::minutes(15),
        t0(),
    )
    .unwrap();
    assert!(token.expose().starts_with("lke_"));

    let elsewhere =
        enrolment_grants::redeem(&mut c, &token.hashed(), &HashedToken::of("another"), at(1))
            .unwrap();
    assert_eq!(elsewhere, None);
    let grant = enrolment_grants::redeem(&mut c, &token.hashed(), &session, at(2))
        .unwrap()
        .unwrap();
    assert_eq!(grant.id, id.to_string());
    assert_eq!(grant.user().unwrap(), s);
    assert_eq!(grant.action_id, Some(action.to_string()));
    assert_eq!(grant.used_at, Some(to_db(at(2))));
    assert_eq!(
        enrolment_grants::redeem(&mut c, &token.hashed(), &session, at(3)).unwrap(),
        None
    );
    assert_eq!(
        enrolment_grants::for_action(&mut c, action).unwrap().len(),
        1
    );
}

#[test]
fn enrolment_grant_is_refused_when_expired_or_unknown() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let s = user(&mut c, "ada");
    let session = HashedToken::of("session");
    let (id, token) =
        enrolment_grants::issue(&mut c, s, None, &session, Duration::minutes(15), t0()).unwrap();

    assert_eq!(
        enrolment_grants::redeem(&mut c, &token.hashed(), &session, at(15 * 60)).unwrap(),
        None
    );
    let unknown = PlainToken::generate(TokenKind::EnrolmentGrant);
    assert_eq!(
        enrolment_grants::redeem(&mut c, &unknown.hashed(), &session, at(1)).unwrap(),
        None
    );
    assert_eq!(
        enrolment_grants::find(&mut c, id).unwrap().unwrap().used_at,
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn enrolment_grant_is_won_by_exactly_one_of_20_concurrent_redemptions() {
    let t = TestDb::new();
    let session = HashedToken::of("session");
    let token = {
        let session = session.clone();
        t.db.run(move |c| {
            let s = new_user(c, "ada").user_id()?;
            Ok(enrolment_grants::issue(c, s, None, &session, Duration::minutes(15), t0())?.1)
        })
        .await
        .unwrap()
    };
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (db, token, session) = (t.db.clone(), token.hashed(), session.clone());
            tokio::spawn(async move {
                db.run(move |c| enrolment_grants::redeem(c, &token, &session, at(1)))
                    .await
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap().unwrap().is_some());
    }
    assert_eq!(winners, 1);
}

// ---- notices ------------------------------------------------------------------

#[test]
fn typed_enqueue_writes_an_email_and_a_security_webhook_event() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let to = latchkey_store::mail::EmailAddress::parse("ada@example.test").unwrap();
    latchkey_store::mail::enqueue_email(&mut c, &to, "Subject", "Body", t0()).unwrap();
    let event = serde_json::json!({"event": "guarded_action.requested", "request": "x"});
    outbox::enqueue_security_webhook(&mut c, &event, t0()).unwrap();

    let mut kinds: Vec<(String, serde_json::Value)> = outbox::recent(&mut c, 10)
        .unwrap()
        .into_iter()
        .map(|m| (m.kind, serde_json::from_str(&m.payload).unwrap()))
        .collect();
    kinds.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(kinds[0].0, latchkey_store::mail::EMAIL_KIND);
    assert_eq!(
        kinds[0].1,
        serde_json::json!({"to": "ada@example.test", "subject": "Subject", "text": "Body"})
    );
    assert_eq!(kinds[1], (outbox::SECURITY_WEBHOOK_KIND.to_owned(), event));
}

// ---- account changes a completed request applies ------------------------

#[test]
fn set_email_replaces_the_address_and_clears_its_verification() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let ada = user(&mut c, "ada");
    db.execute(&format!(
        "UPDATE users SET email = 'ada@old.example.test', email_verified_at = created_at WHERE id = '{ada}'"
    ));

    users::set_email(&mut c, ada, Some("ada@new.example.test"), at(5)).unwrap();

    let account = users::find(&mut c, ada).unwrap().unwrap();
    assert_eq!(account.email.as_deref(), Some("ada@new.example.test"));
    assert_eq!(account.email_verified_at, None);
    assert_eq!(account.updated_at, to_db(at(5)));
    let bob = user(&mut c, "bob");
    let taken = users::set_email(&mut c, bob, Some("ada@new.example.test"), at(6));
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    let missing = users::set_email(&mut c, UserId::new(), None, at(7));
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}
