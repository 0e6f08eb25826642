//! Several nodes at once: each call runs on its own pooled connection, as
//! two nodes would.

use std::sync::Arc;

use chrono::Duration;
use latchkey_core::{AccountTier, Role};
use latchkey_recovery::{Refusal, State};
use latchkey_store::{approvals, credentials};
use tokio::sync::Barrier;

use crate::{SESSION, harness, origin, refusal};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_approvals_each_make_one_transition_and_neither_is_lost() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Elevated, &[]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let alan = h.account("alan", AccountTier::Standard, &[Role::Approver]);
    let id = h.recover(ada.id).await.request.id;
    h.code(id, &ada.codes[0]).await.unwrap();
    let fact = h.own_passkey(&ada);
    h.engine.present_passkey(id, fact, &origin()).await.unwrap();
    h.advance(Duration::hours(24));
    h.engine.tick(h.clock_now()).await.unwrap();

    let barrier = Arc::new(Barrier::new(2));
    let mut tasks = Vec::new();
    for approver in [&grace, &alan] {
        let assertion = h.assertion(id, approver).await;
        let (engine, barrier) = (h.engine.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            engine.approve(id, assertion, "", &origin()).await
        }));
    }
    let mut seen = Vec::new();
    for task in tasks {
        let after = task.await.unwrap().expect("both approvals are taken");
        seen.push((after.approvals.len(), after.state));
    }
    seen.sort();

    // One after the other: the second saw the first.
    assert_eq!(seen, [(1, State::AwaitingApprovals), (2, State::Ready)]);
    let stored = h.engine.view(id).await.unwrap();
    assert_eq!((stored.state, stored.approvals.len()), (State::Ready, 2));
    assert_eq!(
        approvals::for_action(&mut h.conn(), &id.to_string())
            .unwrap()
            .len(),
        2
    );
    let recorded = h
        .audit_kinds(id)
        .into_iter()
        .filter(|k| k == "guarded_action.approval_recorded")
        .count();
    assert_eq!(recorded, 2);
    h.chain_is_intact();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_racing_completion_has_exactly_one_winner() {
    for _ in 0..5 {
        let h = harness();
        let ada = h.account("ada", AccountTier::Standard, &[]);
        let id = h.recover(ada.id).await.request.id;
        h.code(id, &ada.codes[0]).await.unwrap();
        h.advance(Duration::hours(1));
        h.engine.tick(h.clock_now()).await.unwrap();

        let barrier = Arc::new(Barrier::new(2));
        let (e1, b1) = (h.engine.clone(), barrier.clone());
        let complete = tokio::spawn(async move {
            b1.wait().await;
            e1.complete(id, SESSION, &origin()).await
        });
        let (e2, b2) = (h.engine.clone(), barrier.clone());
        let owner = ada.id;
        let cancel = tokio::spawn(async move {
            b2.wait().await;
            e2.cancel(id, owner, &origin()).await
        });
        let completed = complete.await.unwrap();
        let cancelled = cancel.await.unwrap();

        let state = h.engine.view(id).await.unwrap().state;
        let active = credentials::count_active(&mut h.conn(), ada.id).unwrap();
        match (completed, cancelled) {
            (Ok(done), Err(e)) => {
                assert!(done.enrolment_grant.is_some());
                assert_eq!(
                    refusal(Err::<(), _>(e)),
                    Refusal::Final {
                        state: State::Completed
                    }
                );
                assert_eq!((state, active), (State::Completed, 0));
            }
            (Err(e), Ok(_)) => {
                assert_eq!(
                    refusal(Err::<(), _>(e)),
                    Refusal::Final {
                        state: State::Cancelled
                    }
                );
                assert_eq!((state, active), (State::Cancelled, 1));
            }
            (a, b) => panic!("exactly one must win: {a:?} / {b:?}"),
        }
        h.chain_is_intact();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ticks_on_several_nodes_expire_each_request_exactly_once() {
    let h = harness();
    let mut ids = Vec::new();
    for i in 0..8 {
        let who = h.account(&format!("user{i}"), AccountTier::Standard, &[]);
        ids.push(h.recover(who.id).await.request.id);
    }
    h.advance(Duration::days(8));

    let now = h.clock_now();
    let nodes: Vec<_> = (0..3)
        .map(|_| {
            let engine = h.engine.clone();
            tokio::spawn(async move { engine.tick(now).await })
        })
        .collect();
    let mut expired = 0;
    for node in nodes {
        expired += node.await.unwrap().unwrap().expired;
    }
    // What a node skipped (locked by another) is left for its next pass.
    expired += h.engine.tick(now).await.unwrap().expired;

    assert_eq!(expired, ids.len());
    for id in &ids {
        let n = h
            .audit_kinds(*id)
            .into_iter()
            .filter(|k| k == "guarded_action.expired")
            .count();
        assert_eq!(n, 1, "request {id}");
    }
    h.chain_is_intact();
}
