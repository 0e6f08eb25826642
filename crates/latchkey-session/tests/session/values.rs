//! Single-use values: ceremony challenges, authorization state, one-time
//! codes. Expiry follows the injected clock; `take` hands a value to exactly
//! one caller.

use std::time::Duration as StdDuration;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::{is_redis, sessions};

const NS: &str = "challenge";

fn ttl() -> Duration {
    Duration::minutes(5)
}

#[tokio::test]
async fn value_put_is_read_by_get_without_being_consumed() {
    let t = sessions().await;
    t.store.put(NS, "k", b"v1", ttl()).await.expect("put");

    assert_eq!(
        t.store.get(NS, "k").await.expect("get"),
        Some(b"v1".to_vec())
    );
    assert_eq!(
        t.store.get(NS, "k").await.expect("get again"),
        Some(b"v1".to_vec())
    );
    assert!(t.store.value_is_stored(NS, "k").await.expect("stored"));
}

#[tokio::test]
async fn value_is_absent_when_never_put() {
    let t = sessions().await;
    assert_eq!(t.store.get(NS, "missing").await.expect("get"), None);
    assert_eq!(t.store.take(NS, "missing").await.expect("take"), None);
    assert!(!t.store.delete(NS, "missing").await.expect("delete"));
    assert!(
        !t.store
            .value_is_stored(NS, "missing")
            .await
            .expect("stored")
    );
}

#[tokio::test]
async fn value_take_returns_it_once_and_then_none() {
    let t = sessions().await;
    t.store.put(NS, "k", b"once", ttl()).await.expect("put");

    assert_eq!(
        t.store.take(NS, "k").await.expect("take"),
        Some(b"once".to_vec())
    );
    assert_eq!(t.store.take(NS, "k").await.expect("second take"), None);
    assert_eq!(t.store.get(NS, "k").await.expect("get"), None);
    assert!(!t.store.value_is_stored(NS, "k").await.expect("stored"));
}

#[tokio::test]
async fn value_delete_removes_it_and_reports_whether_it_existed() {
    let t = sessions().await;
    t.store.put(NS, "k", b"v", ttl()).await.expect("put");

    assert!(t.store.delete(NS, "k").await.expect("delete"));
    assert_eq!(t.store.get(NS, "k").await.expect("get"), None);
    assert_eq!(t.store.take(NS, "k").await.expect("take"), None);
    assert!(!t.store.delete(NS, "k").await.expect("delete again"));
}

#[tokio::test]
async fn values_under_different_namespaces_or_keys_are_independent() {
    let t = sessions().await;
    t.store.put("a", "k", b"a/k", ttl()).await.expect("put");
    t.store.put("b", "k", b"b/k", ttl()).await.expect("put");
    t.store.put("a", "j", b"a/j", ttl()).await.expect("put");

    assert_eq!(
        t.store.take("a", "k").await.expect("take"),
        Some(b"a/k".to_vec())
    );
    assert_eq!(
        t.store.get("b", "k").await.expect("get"),
        Some(b"b/k".to_vec())
    );
    assert_eq!(
        t.store.get("a", "j").await.expect("get"),
        Some(b"a/j".to_vec())
    );
}

#[tokio::test]
async fn value_bytes_round_trip_unchanged_including_empty_and_binary() {
    let t = sessions().await;
    let binary: Vec<u8> = (0..=255).chain([b':', 0, b':']).collect();
    t.store.put(NS, "bin", &binary, ttl()).await.expect("put");
    t.store.put(NS, "empty", b"", ttl()).await.expect("put");
    t.store
        .put(NS, "colon:key", b"1:2:3", ttl())
        .await
        .expect("put");

    assert_eq!(
        t.store.get(NS, "bin").await.expect("get"),
        Some(binary.clone())
    );
    assert_eq!(t.store.take(NS, "bin").await.expect("take"), Some(binary));
    assert_eq!(
        t.store.take(NS, "empty").await.expect("take"),
        Some(Vec::new())
    );
    assert_eq!(
        t.store.take(NS, "colon:key").await.expect("take"),
        Some(b"1:2:3".to_vec())
    );
}

#[tokio::test]
async fn value_is_gone_when_the_clock_reaches_its_expiry() {
    let t = sessions().await;
    t.store.put(NS, "get", b"v", ttl()).await.expect("put");
    t.store.put(NS, "take", b"v", ttl()).await.expect("put");

    t.clock.advance(ttl() - Duration::seconds(1));
    assert_eq!(
        t.store.get(NS, "get").await.expect("get"),
        Some(b"v".to_vec())
    );

    t.clock.advance(Duration::seconds(1));
    assert_eq!(t.store.get(NS, "get").await.expect("get"), None);
    assert_eq!(t.store.take(NS, "take").await.expect("take"), None);
    assert_eq!(t.store.take(NS, "get").await.expect("take"), None);
}

#[tokio::test]
async fn value_put_replaces_the_earlier_value_and_its_expiry() {
    let t = sessions().await;
    t.store
        .put(NS, "k", b"old", Duration::minutes(1))
        .await
        .expect("put");
    t.store
        .put(NS, "k", b"new", Duration::minutes(10))
        .await
        .expect("put again");
    assert_eq!(
        t.store.get(NS, "k").await.expect("get"),
        Some(b"new".to_vec())
    );

    // The replacement's expiry counts, not the earlier one's.
    t.clock.advance(Duration::minutes(2));
    assert_eq!(
        t.store.get(NS, "k").await.expect("get"),
        Some(b"new".to_vec())
    );

    // And a shorter replacement shortens it.
    t.store
        .put(NS, "k", b"short", Duration::seconds(30))
        .await
        .expect("put short");
    t.clock.advance(Duration::seconds(30));
    assert_eq!(t.store.get(NS, "k").await.expect("get"), None);
}

#[tokio::test]
async fn put_if_absent_is_refused_while_a_live_value_exists() {
    let t = sessions().await;
    assert!(
        t.store
            .put_if_absent(NS, "k", b"first", ttl())
            .await
            .expect("first")
    );
    assert!(
        !t.store
            .put_if_absent(NS, "k", b"second", ttl())
            .await
            .expect("second")
    );

    t.clock.advance(ttl() - Duration::seconds(1));
    assert!(
        !t.store
            .put_if_absent(NS, "k", b"third", ttl())
            .await
            .expect("third")
    );
    assert_eq!(
        t.store.get(NS, "k").await.expect("get"),
        Some(b"first".to_vec())
    );
}

#[tokio::test]
async fn put_if_absent_succeeds_when_earlier_value_expired_or_was_taken() {
    let t = sessions().await;
    assert!(
        t.store
            .put_if_absent(NS, "k", b"first", ttl())
            .await
            .expect("first")
    );

    t.clock.advance(ttl());
    assert!(
        t.store
            .put_if_absent(NS, "k", b"second", ttl())
            .await
            .expect("after expiry")
    );
    assert_eq!(
        t.store.get(NS, "k").await.expect("get"),
        Some(b"second".to_vec())
    );

    // The new value has an expiry of its own, counted from now.
    t.clock.advance(ttl() - Duration::seconds(1));
    assert_eq!(
        t.store.get(NS, "k").await.expect("get"),
        Some(b"second".to_vec())
    );

    assert_eq!(
        t.store.take(NS, "k").await.expect("take"),
        Some(b"second".to_vec())
    );
    assert!(
        t.store
            .put_if_absent(NS, "k", b"third", ttl())
            .await
            .expect("after take")
    );
    assert_eq!(
        t.store.get(NS, "k").await.expect("get"),
        Some(b"third".to_vec())
    );
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct AuthState {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    nonce: Option<String>,
    max_age: Option<u32>,
}

#[tokio::test]
async fn json_value_round_trips_through_put_json_and_take_json_once() {
    let t = sessions().await;
    let state = AuthState {
        client_id: "my-app".into(),
        redirect_uri: "https://app.example/cb?x=1".into(),
        scopes: vec!["openid".into(), "profile".into()],
        nonce: Some("n-0S6_WzA2Mj".into()),
        max_age: None,
    };
    t.store
        .put_json("authz", "st", &state, ttl())
        .await
        .expect("put_json");

    let taken: Option<AuthState> = t.store.take_json("authz", "st").await.expect("take_json");
    assert_eq!(taken, Some(state));
    let again: Option<AuthState> = t
        .store
        .take_json("authz", "st")
        .await
        .expect("take_json again");
    assert_eq!(again, None);
}

#[tokio::test]
async fn take_json_fails_when_stored_bytes_are_not_the_expected_json() {
    let t = sessions().await;
    t.store
        .put("authz", "bad", b"not json", ttl())
        .await
        .expect("put");
    let result = t.store.take_json::<AuthState>("authz", "bad").await;
    assert!(
        matches!(result, Err(latchkey_session::SessionError::Corrupt(_))),
        "{result:?}"
    );
}

/// 100 tasks take the same key at once, on 8 worker threads: exactly one of
/// them gets the value, in every round.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_takes_of_one_value_hand_it_to_exactly_one_taker() {
    let t = sessions().await;
    for round in 0..5 {
        let key = format!("race-{round}");
        let value = format!("value-{round}").into_bytes();
        t.store.put(NS, &key, &value, ttl()).await.expect("put");

        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(100));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let (store, key, barrier) = (t.store.clone(), key.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.take(NS, &key).await
                })
            })
            .collect();
        let results = futures::future::join_all(tasks).await;

        let won: Vec<Vec<u8>> = results
            .into_iter()
            .filter_map(|r| r.expect("task").expect("take"))
            .collect();
        assert_eq!(
            won,
            [value],
            "round {round}: exactly one taker gets the value"
        );
        assert!(
            !t.store.value_is_stored(NS, &key).await.expect("stored"),
            "round {round}"
        );
    }
}

/// Expired values are not only unreadable but physically removed: by
/// `sweep_expired` on SQL, by the key's TTL (in real time) on Redis.
#[tokio::test]
async fn expired_values_disappear_from_storage() {
    let t = sessions().await;
    let short = Duration::milliseconds(300);
    t.store.put(NS, "short", b"v", short).await.expect("put");
    t.store
        .put(NS, "long", b"v", Duration::hours(1))
        .await
        .expect("put");
    assert!(t.store.value_is_stored(NS, "short").await.expect("stored"));

    t.clock.advance(Duration::seconds(1));
    assert_eq!(
        t.store.get(NS, "short").await.expect("get"),
        None,
        "logically expired"
    );

    if is_redis(&t.store) {
        // The key's TTL is real time: expires_at − now at the put, 300 ms.
        tokio::time::sleep(StdDuration::from_millis(600)).await;
        assert!(!t.store.value_is_stored(NS, "short").await.expect("stored"));
    } else {
        // Expired but not yet swept: still physically present.
        assert!(t.store.value_is_stored(NS, "short").await.expect("stored"));
        let swept = t.store.sweep_expired().await.expect("sweep");
        assert!(swept.values > 0, "{swept:?}");
        assert_eq!(swept.values, 1, "{swept:?}");
        assert!(!t.store.value_is_stored(NS, "short").await.expect("stored"));
        let again = t.store.sweep_expired().await.expect("sweep again");
        assert_eq!(again.values, 0, "{again:?}");
    }
    assert!(
        t.store.value_is_stored(NS, "long").await.expect("stored"),
        "live values stay"
    );
    assert_eq!(
        t.store.get(NS, "long").await.expect("get"),
        Some(b"v".to_vec())
    );
}

#[tokio::test]
async fn counts_report_what_the_store_holds_by_kind_and_namespace() {
    let t = sessions().await;
    let empty = t.store.count_entries().await.expect("count");
    assert_eq!(empty, latchkey_session::Entries::default());

    t.store.put(NS, "a", b"1", ttl()).await.expect("put");
    t.store.put(NS, "b", b"2", ttl()).await.expect("put");
    // A namespace that starts like the other, and pattern characters that
    // must match only themselves.
    t.store
        .put(&format!("{NS}-other"), "c", b"3", ttl())
        .await
        .expect("put");
    t.store.put("a_b%*?", "d", b"4", ttl()).await.expect("put");
    t.store
        .hit("rl-test", Duration::minutes(1))
        .await
        .expect("hit");
    t.store
        .create_session(latchkey_core::UserId::new(), serde_json::json!({}))
        .await
        .expect("session");

    assert_eq!(t.store.count_values(NS).await.expect("count"), 2);
    assert_eq!(
        t.store
            .count_values(&format!("{NS}-other"))
            .await
            .expect("count"),
        1
    );
    // As patterns, these would match the namespace above.
    for pattern in ["a%", "a*", "a_b%*?"] {
        let expected = u64::from(pattern == "a_b%*?");
        assert_eq!(
            t.store.count_values(pattern).await.expect("count"),
            expected,
            "{pattern}"
        );
    }
    assert_eq!(
        t.store.count_entries().await.expect("count"),
        latchkey_session::Entries {
            sessions: 1,
            values: 4,
            counters: 1,
        }
    );
    t.store.take(NS, "a").await.expect("take");
    assert_eq!(t.store.count_values(NS).await.expect("count"), 1);
}
