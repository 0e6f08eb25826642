//! The transactional outbox: leases, retries, concurrent workers.

use std::collections::HashSet;

use chrono::Duration;
use latchkey_store::outbox::{self, OutboxMessage};
use latchkey_store::{DbConnection, StoreError, to_db, write_transaction};
use latchkey_testkit::TestDb;
use serde_json::json;

use crate::{at, conn, t0};

const LEASE: Duration = Duration::seconds(60);

fn claim(conn: &mut DbConnection, worker: &str, now_secs: i64, limit: i64) -> Vec<OutboxMessage> {
    outbox::claim(conn, worker, at(now_secs), LEASE, limit).unwrap()
}

#[test]
fn claim_leases_an_enqueued_message_to_the_worker_with_one_attempt() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let payload = json!({"to": "alice@example.test", "template": "welcome", "n": [1, 2]});
    let id = outbox::enqueue(&mut c, "mail.send", &payload, t0()).unwrap();

    let claimed = claim(&mut c, "worker-a", 0, 10);

    assert_eq!(claimed.len(), 1);
    let m = &claimed[0];
    assert_eq!(m.id, id.to_string());
    assert_eq!(m.kind, "mail.send");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&m.payload).unwrap(),
        payload
    );
    assert_eq!(m.created_at, to_db(t0()));
    assert_eq!(m.available_at, to_db(t0()));
    assert_eq!(m.attempts, 1);
    assert_eq!(m.locked_by.as_deref(), Some("worker-a"));
    assert_eq!(m.locked_until, Some(to_db(t0() + LEASE)));
    assert_eq!(m.delivered_at, None);
    assert_eq!(m.last_error, None);
}

#[test]
fn claim_returns_nothing_while_the_lease_holds() {
    let db = TestDb::new();
    let mut c = conn(&db);
    outbox::enqueue(&mut c, "webhook", &json!({}), t0()).unwrap();
    assert_eq!(claim(&mut c, "worker-a", 0, 10).len(), 1);

    assert_eq!(claim(&mut c, "worker-b", 0, 10), Vec::new());
    assert_eq!(claim(&mut c, "worker-b", 59, 10), Vec::new());
    // The lease runs until, and including, its end.
    assert_eq!(claim(&mut c, "worker-b", 60, 10), Vec::new());
}

#[test]
fn claim_hands_the_message_out_again_after_the_lease_expires_so_a_dead_worker_loses_nothing() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let id = outbox::enqueue(&mut c, "webhook", &json!({"n": 1}), t0()).unwrap();
    claim(&mut c, "worker-that-dies", 0, 10);

    let again = claim(&mut c, "worker-b", 61, 10);

    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, id.to_string());
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].locked_by.as_deref(), Some("worker-b"));
    assert_eq!(again[0].locked_until, Some(to_db(at(61) + LEASE)));
    assert_eq!(outbox::pending_count(&mut c).unwrap(), 1);
}

#[test]
fn claim_takes_at_most_limit_messages_oldest_first() {
    let db = TestDb::new();
    let mut c = conn(&db);
    // Enqueued out of order: claims follow availability, not insertion.
    let mut by_time = std::collections::BTreeMap::new();
    for s in [3, 1, 4, 0, 2] {
        let id = outbox::enqueue(&mut c, "k", &json!({ "s": s }), at(s)).unwrap();
        by_time.insert(s, id.to_string());
    }
    let by_time: Vec<String> = by_time.into_values().collect();

    let first: Vec<String> = claim(&mut c, "w", 10, 2)
        .into_iter()
        .map(|m| m.id)
        .collect();
    let second: Vec<String> = claim(&mut c, "w", 10, 2)
        .into_iter()
        .map(|m| m.id)
        .collect();
    let third: Vec<String> = claim(&mut c, "w", 10, 2)
        .into_iter()
        .map(|m| m.id)
        .collect();

    assert_eq!(first, by_time[0..2]);
    assert_eq!(second, by_time[2..4]);
    assert_eq!(third, by_time[4..]);
    assert_eq!(claim(&mut c, "w", 10, 2), Vec::new());
}

#[test]
fn claim_ignores_messages_not_yet_available() {
    let db = TestDb::new();
    let mut c = conn(&db);
    outbox::enqueue(&mut c, "k", &json!({}), at(100)).unwrap();

    assert_eq!(claim(&mut c, "w", 99, 10), Vec::new());
    assert_eq!(claim(&mut c, "w", 100, 10).len(), 1);
}

#[test]
fn mark_delivered_takes_the_message_out_of_claims_and_pending_count() {
    let db = TestDb::new();
    let mut c = conn(&db);
    outbox::enqueue(&mut c, "k", &json!({"n": 1}), t0()).unwrap();
    outbox::enqueue(&mut c, "k", &json!({"n": 2}), at(1)).unwrap();
    assert_eq!(outbox::pending_count(&mut c).unwrap(), 2);
    let first = claim(&mut c, "w", 1, 1).remove(0);

    outbox::mark_delivered(&mut c, &first.id, at(2)).unwrap();

    assert_eq!(outbox::pending_count(&mut c).unwrap(), 1);
    // Long after every lease: only the undelivered message comes back.
    let rest = claim(&mut c, "w", 10_000, 10);
    assert_eq!(rest.len(), 1);
    assert_ne!(rest[0].id, first.id);
}

#[test]
fn pending_count_includes_leased_messages_and_counts_zero_when_empty() {
    let db = TestDb::new();
    let mut c = conn(&db);
    assert_eq!(outbox::pending_count(&mut c).unwrap(), 0);
    for n in 0..3 {
        outbox::enqueue(&mut c, "k", &json!({ "n": n }), t0()).unwrap();
    }

    claim(&mut c, "w", 0, 2);

    assert_eq!(outbox::pending_count(&mut c).unwrap(), 3);
}

#[test]
fn mark_failed_releases_the_lease_and_moves_available_at_with_exponential_backoff() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let id = outbox::enqueue(&mut c, "webhook", &json!({}), t0())
        .unwrap()
        .to_string();

    // First failure: retry 30 s later.
    let m = claim(&mut c, "w", 0, 10).remove(0);
    let retry_at = outbox::mark_failed(&mut c, &m, "connection refused", at(5)).unwrap();
    assert_eq!(retry_at, at(35));
    assert_eq!(
        claim(&mut c, "w", 34, 10),
        Vec::new(),
        "not before available_at"
    );
    let m = claim(&mut c, "w", 35, 10).remove(0);
    assert_eq!(m.id, id);
    assert_eq!(m.available_at, to_db(at(35)));
    assert_eq!(m.last_error.as_deref(), Some("connection refused"));
    assert_eq!(m.attempts, 2);

    // Second failure: 60 s; the lease is released at once, not left to expire.
    let retry_at = outbox::mark_failed(&mut c, &m, "HTTP 503", at(40)).unwrap();
    assert_eq!(retry_at, at(100));
    assert_eq!(claim(&mut c, "w", 99, 10), Vec::new());
    let m = claim(&mut c, "w", 100, 10).remove(0);
    assert_eq!(m.attempts, 3);
    assert_eq!(m.last_error.as_deref(), Some("HTTP 503"));

    // Third: 120 s. Delivery afterwards clears the error.
    assert_eq!(
        outbox::mark_failed(&mut c, &m, "timeout", at(100)).unwrap(),
        at(220)
    );
    let m = claim(&mut c, "w", 220, 10).remove(0);
    outbox::mark_delivered(&mut c, &m.id, at(221)).unwrap();
    assert_eq!(outbox::pending_count(&mut c).unwrap(), 0);
}

#[test]
fn mark_failed_caps_the_backoff_at_one_hour() {
    let db = TestDb::new();
    let mut c = conn(&db);
    outbox::enqueue(&mut c, "webhook", &json!({}), t0()).unwrap();
    let m = claim(&mut c, "w", 0, 10).remove(0);

    let many = OutboxMessage { attempts: 40, ..m };
    let retry_at = outbox::mark_failed(&mut c, &many, "still down", at(10)).unwrap();

    assert_eq!(retry_at, at(10 + 3600));
    assert_eq!(claim(&mut c, "w", 10 + 3599, 10), Vec::new());
    assert_eq!(claim(&mut c, "w", 10 + 3600, 10).len(), 1);
}

#[test]
fn enqueue_inside_a_rolled_back_transaction_leaves_nothing_to_deliver() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let result: Result<(), StoreError> = write_transaction(&mut c, |c| {
        outbox::enqueue(c, "mail.send", &json!({"n": 1}), t0())?;
        Err(StoreError::Conflict("the change this message announces"))
    });
    assert!(result.is_err());
    write_transaction(&mut c, |c| {
        outbox::enqueue(c, "mail.send", &json!({"n": 2}), t0())
    })
    .unwrap();

    assert_eq!(outbox::pending_count(&mut c).unwrap(), 1);
    let claimed = claim(&mut c, "w", 0, 10);
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].payload, json!({"n": 2}).to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claim_by_4_concurrent_workers_over_20_messages_never_hands_out_a_message_twice() {
    let t = TestDb::new();
    let enqueued: HashSet<String> =
        t.db.run(|c| {
            (0..20)
                .map(|n| outbox::enqueue(c, "k", &json!({ "n": n }), t0()).map(|id| id.to_string()))
                .collect()
        })
        .await
        .unwrap();

    let workers: Vec<_> = (0..4)
        .map(|w| {
            let db = t.db.clone();
            tokio::spawn(async move {
                let worker = format!("worker-{w}");
                let mut mine = Vec::new();
                loop {
                    let name = worker.clone();
                    let batch = db
                        .run(move |c| outbox::claim(c, &name, at(1), LEASE, 3))
                        .await
                        .unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    for m in batch {
                        assert_eq!(m.locked_by.as_deref(), Some(worker.as_str()));
                        assert_eq!(m.attempts, 1, "claimed once before: {}", m.id);
                        mine.push(m.id);
                    }
                }
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for worker in workers {
        for id in worker.await.unwrap() {
            assert!(seen.insert(id.clone()), "message {id} was claimed twice");
        }
    }

    assert_eq!(seen, enqueued, "every message was claimed exactly once");
    let (leftover, pending) =
        t.db.run(|c| {
            Ok((
                outbox::claim(c, "late", at(2), LEASE, 100)?,
                outbox::pending_count(c)?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(leftover, Vec::new());
    assert_eq!(pending, 20);
}
