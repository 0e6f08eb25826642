//! Redis only: the store survives its connection being dropped by the server
//! (a Redis restart, a failover, an idle timeout) without a restart of its own.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use latchkey_core::{TestClock, UserId};
use latchkey_session::SessionStore;
use latchkey_testkit::test_redis_url;
use redis::aio::MultiplexedConnection;

use crate::lifetimes;

/// The Redis database the store under test selects. The suite's other
/// stores use the URL's own (by default 0), so the store's connection is the
/// only new one on this database and can be killed by id alone: `CLIENT KILL
/// TYPE normal` would also cut the connections of every other test running
/// against the same server at the same time.
const DB: u32 = 15;

/// `url` with its database number replaced by (or set to) `db`.
fn with_db(url: &str, db: u32) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = base.trim_end_matches('/');
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority..].find('/') {
        Some(i) => &base[..authority + i],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{db}?{query}"),
        None => format!("{base}/{db}"),
    }
}

/// Ids of the clients connected to database `db`, from `CLIENT LIST`.
async fn client_ids_on(admin: &mut MultiplexedConnection, db: u32) -> BTreeSet<u64> {
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(admin)
        .await
        .expect("CLIENT LIST");
    let db = db.to_string();
    list.lines()
        .filter_map(|line| {
            let field = |name: &str| {
                line.split_whitespace().find_map(|kv| {
                    kv.split_once('=')
                        .filter(|(k, _)| *k == name)
                        .map(|(_, v)| v)
                })
            };
            (field("db") == Some(db.as_str())).then(|| field("id")?.parse().ok())?
        })
        .collect()
}

#[test]
fn with_db_sets_or_replaces_the_database_number() {
    assert_eq!(
        with_db("redis://127.0.0.1:6379", 15),
        "redis://127.0.0.1:6379/15"
    );
    assert_eq!(
        with_db("redis://127.0.0.1:6379/", 15),
        "redis://127.0.0.1:6379/15"
    );
    assert_eq!(with_db("redis://:pw@h:6379/3", 15), "redis://:pw@h:6379/15");
    assert_eq!(
        with_db("redis://h:6379/0?protocol=resp3", 15),
        "redis://h:6379/15?protocol=resp3"
    );
}

#[tokio::test]
async fn redis_store_recovers_after_connection_is_killed() {
    let Some(url) = test_redis_url() else {
        eprintln!("skipped: LATCHKEY_TEST_REDIS_URL is not set, the session store is not on Redis");
        return;
    };
    let admin = redis::Client::open(url.as_str()).expect("a valid Redis URL");
    let mut admin = admin
        .get_multiplexed_async_connection()
        .await
        .expect("an admin connection to Redis");

    let before = client_ids_on(&mut admin, DB).await;
    let prefix = format!("lktest:{}:", UserId::new());
    let clock = TestClock::fixed();
    let store = SessionStore::redis(
        &with_db(&url, DB),
        &prefix,
        Arc::new(clock.clone()),
        lifetimes(),
    )
    .expect("a Redis session store");
    store.ping().await.expect("the store connects");
    let connected = client_ids_on(&mut admin, DB).await;
    let new: Vec<u64> = connected.difference(&before).copied().collect();
    let [victim] = new[..] else {
        panic!("expected exactly one new connection on database {DB}, found {new:?}");
    };

    store
        .put("ns", "before", b"kept", Duration::minutes(5))
        .await
        .expect("put");
    let (token, _) = store
        .create_session(UserId::new(), serde_json::json!({}))
        .await
        .expect("create a session");

    let killed: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(victim)
        .query_async(&mut admin)
        .await
        .expect("CLIENT KILL");
    assert_eq!(killed, 1, "the store's connection was killed");

    // The next operation may fail once (it was sent on the dead connection);
    // the connection manager reconnects and the ones after succeed.
    let mut errors = Vec::new();
    let recovered = tokio::time::timeout(StdDuration::from_secs(3), async {
        loop {
            match store.get("ns", "before").await {
                Ok(value) => return value,
                Err(e) => {
                    errors.push(format!("{e:?}"));
                    tokio::time::sleep(StdDuration::from_millis(100)).await;
                }
            }
        }
    })
    .await;
    let value =
        recovered.unwrap_or_else(|_| panic!("the store did not recover within 3 s: {errors:#?}"));
    assert_eq!(
        value,
        Some(b"kept".to_vec()),
        "data survives, only the connection was lost"
    );
    assert!(
        errors.len() <= 1,
        "more than one failure before recovery: {errors:#?}"
    );

    // Everything works on the new connection.
    store.ping().await.expect("ping");
    assert!(store.load_session(&token).await.expect("load").is_some());
    store
        .put("ns", "after", b"new", Duration::minutes(5))
        .await
        .expect("put");
    assert_eq!(
        store.take("ns", "after").await.expect("take"),
        Some(b"new".to_vec())
    );
    assert_eq!(
        store
            .hit("rl", Duration::minutes(1))
            .await
            .expect("hit")
            .count,
        1
    );

    let now_connected = client_ids_on(&mut admin, DB).await;
    assert!(
        !now_connected.contains(&victim),
        "the killed connection is gone"
    );
    assert_eq!(
        now_connected.difference(&before).count(),
        1,
        "one new connection replaced it: {now_connected:?}"
    );

    store.delete("ns", "before").await.expect("clean up");
    store.revoke_session(&token).await.expect("clean up");
}
