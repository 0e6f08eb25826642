//! Short-lived state of the SQL session store: browser sessions, single-use
//! values, rate counters and the expiry sweep.

use chrono::Duration;
use latchkey_store::ephemeral::{self, SessionRow, Swept};
use latchkey_store::{DbConnection, StoreError, to_db};
use latchkey_testkit::TestDb;

use crate::{at, conn, t0};

fn session(
    id: &[u8],
    user: &str,
    created: i64,
    idle_until: i64,
    absolute_until: i64,
) -> SessionRow {
    SessionRow {
        id_hash: id.to_vec(),
        user_id: user.to_owned(),
        data: format!(r#"{{"session":"{}"}}"#, String::from_utf8_lossy(id)),
        created_at: to_db(at(created)),
        last_seen_at: to_db(at(created)),
        idle_expires_at: to_db(at(idle_until)),
        absolute_expires_at: to_db(at(absolute_until)),
    }
}

fn live_ids(conn: &mut DbConnection, user: &str, now_secs: i64) -> Vec<Vec<u8>> {
    ephemeral::live_sessions_of(conn, user, at(now_secs))
        .unwrap()
        .into_iter()
        .map(|s| s.id_hash)
        .collect()
}

// ---- single-use values ----------------------------------------------------

#[test]
fn get_value_returns_the_stored_value_until_expiry_without_consuming_it() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::put_value(&mut c, "challenge:1", &[0, 1, 2, 255], at(60)).unwrap();

    assert_eq!(
        ephemeral::get_value(&mut c, "challenge:1", t0()).unwrap(),
        Some(vec![0, 1, 2, 255])
    );
    assert_eq!(
        ephemeral::get_value(&mut c, "challenge:1", at(59)).unwrap(),
        Some(vec![0, 1, 2, 255])
    );
    assert_eq!(
        ephemeral::get_value(&mut c, "challenge:1", at(60)).unwrap(),
        None
    );
    assert_eq!(
        ephemeral::get_value(&mut c, "challenge:1", at(61)).unwrap(),
        None
    );
    assert_eq!(ephemeral::get_value(&mut c, "other", t0()).unwrap(), None);
}

#[test]
fn get_value_respects_sub_second_expiry() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let expires = at(1) + Duration::milliseconds(500);
    ephemeral::put_value(&mut c, "k", b"v", expires).unwrap();

    let get = |c: &mut DbConnection, now| ephemeral::get_value(c, "k", now).unwrap();
    assert_eq!(get(&mut c, at(1)), Some(b"v".to_vec()));
    assert_eq!(
        get(&mut c, expires - Duration::microseconds(1)),
        Some(b"v".to_vec())
    );
    assert_eq!(get(&mut c, expires), None);
    assert_eq!(get(&mut c, at(1) + Duration::milliseconds(750)), None);
    assert_eq!(get(&mut c, at(2)), None);
}

#[test]
fn put_value_replaces_an_earlier_value_and_its_expiry() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::put_value(&mut c, "k", b"first", at(10)).unwrap();

    ephemeral::put_value(&mut c, "k", b"second", at(100)).unwrap();

    assert_eq!(
        ephemeral::get_value(&mut c, "k", at(50)).unwrap(),
        Some(b"second".to_vec())
    );
}

#[test]
fn take_value_returns_the_value_once_and_then_none() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::put_value(&mut c, "code:abc", b"state", at(60)).unwrap();
    ephemeral::put_value(&mut c, "code:other", b"kept", at(60)).unwrap();

    assert_eq!(
        ephemeral::take_value(&mut c, "code:abc", t0()).unwrap(),
        Some(b"state".to_vec())
    );
    assert_eq!(
        ephemeral::take_value(&mut c, "code:abc", t0()).unwrap(),
        None
    );
    assert_eq!(
        ephemeral::get_value(&mut c, "code:abc", t0()).unwrap(),
        None
    );
    assert_eq!(
        ephemeral::get_value(&mut c, "code:other", t0()).unwrap(),
        Some(b"kept".to_vec())
    );
    assert_eq!(
        ephemeral::take_value(&mut c, "never-stored", t0()).unwrap(),
        None
    );
}

#[test]
fn take_value_returns_none_after_expiry_and_removes_the_row() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::put_value(&mut c, "k", b"v", at(60)).unwrap();

    assert_eq!(ephemeral::take_value(&mut c, "k", at(60)).unwrap(), None);

    // Gone, not just hidden: nothing left for the sweep, and an earlier
    // clock cannot resurrect it.
    assert_eq!(ephemeral::get_value(&mut c, "k", t0()).unwrap(), None);
    assert_eq!(
        ephemeral::sweep_expired(&mut c, at(1000)).unwrap().values,
        0
    );
}

#[test]
fn delete_value_removes_the_value_and_reports_whether_it_existed() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::put_value(&mut c, "k", b"v", at(60)).unwrap();

    assert!(ephemeral::delete_value(&mut c, "k").unwrap());
    assert!(!ephemeral::delete_value(&mut c, "k").unwrap());
    assert_eq!(ephemeral::get_value(&mut c, "k", t0()).unwrap(), None);
}

#[test]
fn put_value_if_absent_stores_only_when_no_live_value_exists() {
    let db = TestDb::new();
    let mut c = conn(&db);

    assert!(ephemeral::put_value_if_absent(&mut c, "nonce", b"first", t0(), at(60)).unwrap());
    assert!(!ephemeral::put_value_if_absent(&mut c, "nonce", b"second", at(30), at(90)).unwrap());
    assert_eq!(
        ephemeral::get_value(&mut c, "nonce", at(30)).unwrap(),
        Some(b"first".to_vec())
    );

    // Once the first value has expired, the key is free again.
    assert!(ephemeral::put_value_if_absent(&mut c, "nonce", b"third", at(60), at(120)).unwrap());
    assert_eq!(
        ephemeral::get_value(&mut c, "nonce", at(61)).unwrap(),
        Some(b"third".to_vec())
    );
}

#[test]
fn sweep_expired_removes_expired_values_sessions_and_counters_and_keeps_live_ones() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::put_value(&mut c, "old", b"x", at(10)).unwrap();
    ephemeral::put_value(&mut c, "new", b"y", at(100)).unwrap();
    ephemeral::insert_session(&mut c, &session(b"idle-out", "u", 0, 10, 1000)).unwrap();
    ephemeral::insert_session(&mut c, &session(b"absolute-out", "u", 0, 500, 20)).unwrap();
    ephemeral::insert_session(&mut c, &session(b"live", "u", 0, 500, 1000)).unwrap();
    ephemeral::hit_counter(&mut c, "rate:old", t0(), at(10)).unwrap();
    ephemeral::hit_counter(&mut c, "rate:new", t0(), at(100)).unwrap();

    let swept = ephemeral::sweep_expired(&mut c, at(50)).unwrap();

    assert_eq!(
        swept,
        Swept {
            sessions: 2,
            values: 1,
            counters: 1,
        }
    );
    assert_eq!(
        ephemeral::get_value(&mut c, "new", at(50)).unwrap(),
        Some(b"y".to_vec())
    );
    assert_eq!(live_ids(&mut c, "u", 50), [b"live".to_vec()]);
    // The surviving counter keeps counting in its window.
    assert_eq!(
        ephemeral::hit_counter(&mut c, "rate:new", at(50), at(150))
            .unwrap()
            .0,
        2
    );
    assert_eq!(
        ephemeral::sweep_expired(&mut c, at(50)).unwrap(),
        Swept::default()
    );
    assert!(
        !ephemeral::delete_value(&mut c, "old").unwrap(),
        "really deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn take_value_is_won_by_exactly_one_of_100_concurrent_takers() {
    let t = TestDb::new();
    t.db.run(|c| ephemeral::put_value(c, "authorization-code", b"the grant", at(600)))
        .await
        .unwrap();

    let takers: Vec<_> = (0..100)
        .map(|_| {
            let db = t.db.clone();
            tokio::spawn(async move {
                db.run(|c| ephemeral::take_value(c, "authorization-code", at(1)))
                    .await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for taker in takers {
        if let Some(value) = taker.await.unwrap().unwrap() {
            winners.push(value);
        }
    }

    assert_eq!(
        winners,
        [b"the grant".to_vec()],
        "exactly one taker gets the value"
    );
    let left =
        t.db.run(|c| ephemeral::get_value(c, "authorization-code", at(1)))
            .await
            .unwrap();
    assert_eq!(left, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn put_value_if_absent_is_won_by_exactly_one_of_20_concurrent_callers() {
    let t = TestDb::new();

    let callers: Vec<_> = (0..20u8)
        .map(|i| {
            let db = t.db.clone();
            tokio::spawn(async move {
                let stored = db
                    .run(move |c| ephemeral::put_value_if_absent(c, "lock", &[i], t0(), at(60)))
                    .await
                    .unwrap();
                (i, stored)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for caller in callers {
        let (i, stored) = caller.await.unwrap();
        if stored {
            winners.push(i);
        }
    }

    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let value =
        t.db.run(|c| ephemeral::get_value(c, "lock", t0()))
            .await
            .unwrap();
    assert_eq!(value, Some(vec![winners[0]]));
}

// ---- browser sessions -----------------------------------------------------

#[test]
fn inserted_session_is_live_with_every_field_intact() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let row = session(b"s1", "user-1", 0, 1800, 86_400);

    ephemeral::insert_session(&mut c, &row).unwrap();

    assert_eq!(
        ephemeral::live_session(&mut c, b"s1", at(1)).unwrap(),
        Some(row)
    );
    assert_eq!(
        ephemeral::live_session(&mut c, b"unknown", at(1)).unwrap(),
        None
    );
}

#[test]
fn insert_session_is_refused_as_conflict_when_the_id_exists() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::insert_session(&mut c, &session(b"s1", "alice", 0, 100, 1000)).unwrap();

    let err =
        ephemeral::insert_session(&mut c, &session(b"s1", "mallory", 1, 100, 1000)).unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        ephemeral::live_session(&mut c, b"s1", at(2))
            .unwrap()
            .unwrap()
            .user_id,
        "alice"
    );
}

#[test]
fn live_session_is_none_from_the_idle_expiry_on() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::insert_session(&mut c, &session(b"s1", "u", 0, 100, 1000)).unwrap();

    assert!(
        ephemeral::live_session(&mut c, b"s1", at(99))
            .unwrap()
            .is_some()
    );
    assert_eq!(
        ephemeral::live_session(&mut c, b"s1", at(100)).unwrap(),
        None
    );
    assert_eq!(
        ephemeral::live_session(&mut c, b"s1", at(101)).unwrap(),
        None
    );
}

#[test]
fn touch_session_extends_the_idle_expiry_and_records_activity() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::insert_session(&mut c, &session(b"s1", "u", 0, 100, 1000)).unwrap();

    assert!(ephemeral::touch_session(&mut c, b"s1", at(90), at(190)).unwrap());

    let row = ephemeral::live_session(&mut c, b"s1", at(150))
        .unwrap()
        .expect("still live");
    assert_eq!(row.last_seen_at, to_db(at(90)));
    assert_eq!(row.idle_expires_at, to_db(at(190)));
    assert_eq!(row.created_at, to_db(t0()));
    assert_eq!(
        ephemeral::live_session(&mut c, b"s1", at(190)).unwrap(),
        None
    );
    assert!(!ephemeral::touch_session(&mut c, b"unknown", at(90), at(190)).unwrap());
}

#[test]
fn live_session_is_none_from_the_absolute_expiry_on_however_recently_touched() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::insert_session(&mut c, &session(b"s1", "u", 0, 100, 300)).unwrap();

    ephemeral::touch_session(&mut c, b"s1", at(280), at(380)).unwrap();

    assert!(
        ephemeral::live_session(&mut c, b"s1", at(299))
            .unwrap()
            .is_some()
    );
    assert_eq!(
        ephemeral::live_session(&mut c, b"s1", at(300)).unwrap(),
        None
    );
    assert_eq!(live_ids(&mut c, "u", 300), Vec::<Vec<u8>>::new());
}

#[test]
fn set_session_data_replaces_the_data_of_that_session_only() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::insert_session(&mut c, &session(b"s1", "u", 0, 100, 1000)).unwrap();
    ephemeral::insert_session(&mut c, &session(b"s2", "u", 0, 100, 1000)).unwrap();

    assert!(ephemeral::set_session_data(&mut c, b"s1", r#"{"acr":"phrh"}"#).unwrap());
    assert!(!ephemeral::set_session_data(&mut c, b"unknown", "{}").unwrap());

    let s1 = ephemeral::live_session(&mut c, b"s1", at(1))
        .unwrap()
        .unwrap();
    let s2 = ephemeral::live_session(&mut c, b"s2", at(1))
        .unwrap()
        .unwrap();
    assert_eq!(s1.data, r#"{"acr":"phrh"}"#);
    assert_eq!(s2, session(b"s2", "u", 0, 100, 1000));
}

#[test]
fn delete_session_removes_it_and_reports_whether_it_existed() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::insert_session(&mut c, &session(b"s1", "u", 0, 100, 1000)).unwrap();

    assert!(ephemeral::delete_session(&mut c, b"s1").unwrap());
    assert!(!ephemeral::delete_session(&mut c, b"s1").unwrap());
    assert_eq!(ephemeral::live_session(&mut c, b"s1", at(1)).unwrap(), None);
}

#[test]
fn live_sessions_of_lists_the_users_live_sessions_oldest_first() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::insert_session(&mut c, &session(b"newer", "alice", 20, 500, 1000)).unwrap();
    ephemeral::insert_session(&mut c, &session(b"older", "alice", 10, 500, 1000)).unwrap();
    ephemeral::insert_session(&mut c, &session(b"expired", "alice", 0, 30, 1000)).unwrap();
    ephemeral::insert_session(&mut c, &session(b"bobs", "bob", 5, 500, 1000)).unwrap();

    assert_eq!(
        live_ids(&mut c, "alice", 40),
        [b"older".to_vec(), b"newer".to_vec()]
    );
    assert_eq!(live_ids(&mut c, "bob", 40), [b"bobs".to_vec()]);
    assert_eq!(live_ids(&mut c, "nobody", 40), Vec::<Vec<u8>>::new());
}

#[test]
fn delete_sessions_of_removes_every_session_of_the_user_except_the_kept_one() {
    let db = TestDb::new();
    let mut c = conn(&db);
    for (id, user) in [
        (&b"a1"[..], "alice"),
        (b"a2", "alice"),
        (b"a3", "alice"),
        (b"b1", "bob"),
    ] {
        ephemeral::insert_session(&mut c, &session(id, user, 0, 500, 1000)).unwrap();
    }

    let removed = ephemeral::delete_sessions_of(&mut c, "alice", Some(b"a2")).unwrap();

    assert_eq!(removed, 2);
    assert_eq!(live_ids(&mut c, "alice", 1), [b"a2".to_vec()]);
    assert_eq!(
        live_ids(&mut c, "bob", 1),
        [b"b1".to_vec()],
        "another user is untouched"
    );
}

#[test]
fn delete_sessions_of_without_keep_removes_every_session_of_the_user() {
    let db = TestDb::new();
    let mut c = conn(&db);
    ephemeral::insert_session(&mut c, &session(b"a1", "alice", 0, 500, 1000)).unwrap();
    ephemeral::insert_session(&mut c, &session(b"a2", "alice", 0, 500, 1000)).unwrap();
    ephemeral::insert_session(&mut c, &session(b"b1", "bob", 0, 500, 1000)).unwrap();

    assert_eq!(
        ephemeral::delete_sessions_of(&mut c, "alice", None).unwrap(),
        2
    );
    assert_eq!(
        ephemeral::delete_sessions_of(&mut c, "alice", None).unwrap(),
        0
    );

    assert_eq!(live_ids(&mut c, "alice", 1), Vec::<Vec<u8>>::new());
    assert_eq!(live_ids(&mut c, "bob", 1), [b"b1".to_vec()]);
}

// ---- rate counters --------------------------------------------------------

#[test]
fn hit_counter_counts_up_within_the_window_that_the_first_hit_opened() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let first = ephemeral::hit_counter(&mut c, "signin:1.2.3.4", t0(), at(60)).unwrap();
    // Later hits pass their own window end; the open window is kept.
    let second = ephemeral::hit_counter(&mut c, "signin:1.2.3.4", at(10), at(70)).unwrap();
    let third = ephemeral::hit_counter(&mut c, "signin:1.2.3.4", at(59), at(119)).unwrap();

    assert_eq!(first, (1, at(60)));
    assert_eq!(second, (2, at(60)));
    assert_eq!(third, (3, at(60)));
    assert_eq!(
        ephemeral::hit_counter(&mut c, "signin:5.6.7.8", at(59), at(119)).unwrap(),
        (1, at(119))
    );
}

#[test]
fn hit_counter_starts_a_new_window_at_one_after_the_window_ends() {
    let db = TestDb::new();
    let mut c = conn(&db);
    for s in 0..5 {
        ephemeral::hit_counter(&mut c, "k", at(s), at(s + 60)).unwrap();
    }

    let after = ephemeral::hit_counter(&mut c, "k", at(60), at(120)).unwrap();
    let next = ephemeral::hit_counter(&mut c, "k", at(61), at(121)).unwrap();

    assert_eq!(after, (1, at(120)));
    assert_eq!(next, (2, at(120)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hit_counter_by_50_concurrent_hits_returns_each_count_from_1_to_50_exactly_once() {
    let t = TestDb::new();

    let hits: Vec<_> = (0..50)
        .map(|_| {
            let db = t.db.clone();
            tokio::spawn(async move {
                db.run(|c| ephemeral::hit_counter(c, "burst", at(1), at(60)))
                    .await
            })
        })
        .collect();
    let mut counts = Vec::new();
    for hit in hits {
        let (count, window_ends) = hit.await.unwrap().unwrap();
        assert_eq!(window_ends, at(60));
        counts.push(count);
    }

    counts.sort_unstable();
    assert_eq!(counts, (1..=50).collect::<Vec<i64>>());
    let next =
        t.db.run(|c| ephemeral::hit_counter(c, "burst", at(2), at(61)))
            .await
            .unwrap();
    assert_eq!(next, (51, at(60)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn put_value_by_20_concurrent_writers_of_one_key_all_succeed_and_one_value_remains() {
    let t = TestDb::new();
    t.db.run(|c| ephemeral::put_value(c, "k", b"earlier", at(60)))
        .await
        .unwrap();

    let writers: Vec<_> = (0..20u8)
        .map(|i| {
            let db = t.db.clone();
            tokio::spawn(async move {
                db.run(move |c| ephemeral::put_value(c, "k", &[i], at(60)))
                    .await
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap().unwrap();
    }

    let value =
        t.db.run(|c| ephemeral::get_value(c, "k", t0()))
            .await
            .unwrap()
            .unwrap();
    assert!(matches!(value.as_slice(), [i] if *i < 20), "{value:?}");
}
