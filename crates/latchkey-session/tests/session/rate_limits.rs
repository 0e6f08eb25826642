//! Rate-limit counters: a fixed window that starts at the first hit.

use std::time::Duration as StdDuration;

use chrono::Duration;
use latchkey_core::Clock as _;

use crate::sessions;

fn minute() -> Duration {
    Duration::minutes(1)
}

#[tokio::test]
async fn hits_count_up_within_one_window() {
    let t = sessions().await;
    let now = t.clock.now();

    let first = t.store.hit("login:alice", minute()).await.expect("hit");
    assert_eq!(first.count, 1);
    assert!(
        first.resets_at > now && first.resets_at <= now + minute(),
        "{first:?}"
    );

    assert_eq!(
        t.store
            .hit("login:alice", minute())
            .await
            .expect("hit")
            .count,
        2
    );
    let third = t.store.hit("login:alice", minute()).await.expect("hit");
    assert_eq!(third.count, 3);
    assert!(
        third.resets_at > now && third.resets_at <= first.resets_at,
        "{third:?}"
    );
}

#[tokio::test]
async fn hits_on_different_keys_are_counted_separately() {
    let t = sessions().await;
    for expected in 1..=3 {
        assert_eq!(
            t.store
                .hit("ip:192.0.2.1", minute())
                .await
                .expect("hit")
                .count,
            expected
        );
    }
    assert_eq!(
        t.store
            .hit("ip:192.0.2.2", minute())
            .await
            .expect("hit")
            .count,
        1
    );
    assert_eq!(
        t.store
            .hit("user:192.0.2.1", minute())
            .await
            .expect("hit")
            .count,
        1
    );
    assert_eq!(
        t.store
            .hit("ip:192.0.2.1", minute())
            .await
            .expect("hit")
            .count,
        4
    );
}

/// The window ends by the injected clock on SQL and in real time on Redis
/// (the counter key's TTL), so the test moves both past it.
#[tokio::test]
async fn hit_count_restarts_at_one_after_the_window_ends() {
    let t = sessions().await;
    let window = Duration::milliseconds(500);
    assert_eq!(t.store.hit("otp:bob", window).await.expect("hit").count, 1);
    assert_eq!(t.store.hit("otp:bob", window).await.expect("hit").count, 2);

    t.clock.advance(window);
    tokio::time::sleep(StdDuration::from_millis(1_000)).await;

    let now = t.clock.now();
    let restarted = t.store.hit("otp:bob", window).await.expect("hit");
    assert_eq!(restarted.count, 1, "{restarted:?}");
    assert!(
        restarted.resets_at > now && restarted.resets_at <= now + window,
        "{restarted:?}"
    );
    assert_eq!(t.store.hit("otp:bob", window).await.expect("hit").count, 2);
}

/// 50 hits at once on one key, on 8 worker threads: every count from 1 to
/// 50 is handed out exactly once, including the race on the first hit.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_hits_on_one_key_get_each_count_exactly_once() {
    let t = sessions().await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (store, barrier) = (t.store.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                store.hit("burst", Duration::hours(1)).await
            })
        })
        .collect();
    let mut counts: Vec<i64> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("task").expect("hit").count)
        .collect();
    counts.sort_unstable();

    assert_eq!(counts, (1..=50).collect::<Vec<i64>>());
    assert_eq!(
        t.store
            .hit("burst", Duration::hours(1))
            .await
            .expect("hit")
            .count,
        51
    );
}

#[tokio::test]
async fn check_limit_refuses_only_hits_over_the_maximum_and_says_when_to_retry() {
    let t = sessions().await;
    let limit = latchkey_session::Limit {
        name: "test-ip",
        max: 3,
        window: minute(),
    };
    for _ in 0..3 {
        assert_eq!(
            t.store.check_limit(limit, "192.0.2.1").await.expect("hit"),
            None
        );
    }
    let over = t
        .store
        .check_limit(limit, "192.0.2.1")
        .await
        .expect("hit")
        .expect("the fourth hit is over the limit");
    assert_eq!(over.limit, "test-ip");
    assert!((1..=60).contains(&over.retry_after), "{over:?}");
    // Another subject, and the same subject under another limit, count apart.
    assert_eq!(
        t.store.check_limit(limit, "192.0.2.2").await.expect("hit"),
        None
    );
    let other = latchkey_session::Limit {
        name: "other-ip",
        ..limit
    };
    assert_eq!(
        t.store.check_limit(other, "192.0.2.1").await.expect("hit"),
        None
    );
}
