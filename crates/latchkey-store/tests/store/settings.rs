//! Instance-wide settings.

use latchkey_store::settings::{self, INSTANCE_ID};
use latchkey_testkit::TestDb;

use crate::{at, conn, t0};

#[test]
fn get_returns_none_for_a_setting_never_set() {
    let db = TestDb::new();
    let mut c = conn(&db);

    assert_eq!(settings::get(&mut c, INSTANCE_ID).unwrap(), None);
}

#[test]
fn set_stores_a_value_and_overwrites_it_on_the_next_call() {
    let db = TestDb::new();
    let mut c = conn(&db);

    settings::set(&mut c, "theme", "dark", t0()).unwrap();
    assert_eq!(
        settings::get(&mut c, "theme").unwrap().as_deref(),
        Some("dark")
    );

    settings::set(&mut c, "theme", "light", at(1)).unwrap();
    assert_eq!(
        settings::get(&mut c, "theme").unwrap().as_deref(),
        Some("light")
    );
    assert_eq!(settings::get(&mut c, "other").unwrap(), None);
}

#[test]
fn set_if_absent_sets_the_first_value_and_keeps_it_afterwards() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let first = settings::set_if_absent(&mut c, INSTANCE_ID, "instance-a", t0()).unwrap();
    let second = settings::set_if_absent(&mut c, INSTANCE_ID, "instance-b", at(1)).unwrap();

    assert_eq!(first, ("instance-a".to_owned(), true));
    assert_eq!(second, ("instance-a".to_owned(), false));
    assert_eq!(
        settings::get(&mut c, INSTANCE_ID).unwrap().as_deref(),
        Some("instance-a")
    );
}

#[test]
fn set_if_absent_keeps_a_value_written_by_set() {
    let db = TestDb::new();
    let mut c = conn(&db);
    settings::set(&mut c, "marker", "from-set", t0()).unwrap();

    let result = settings::set_if_absent(&mut c, "marker", "from-set-if-absent", at(1)).unwrap();

    assert_eq!(result, ("from-set".to_owned(), false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn set_if_absent_by_16_concurrent_callers_agrees_on_one_value_set_by_exactly_one() {
    let t = TestDb::new();

    let callers: Vec<_> = (0..16)
        .map(|i| {
            let db = t.db.clone();
            tokio::spawn(async move {
                db.run(move |c| settings::set_if_absent(c, INSTANCE_ID, &format!("node-{i}"), t0()))
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for caller in callers {
        results.push(caller.await.unwrap().unwrap());
    }

    let stored =
        t.db.run(|c| settings::get(c, INSTANCE_ID))
            .await
            .unwrap()
            .unwrap();
    assert!(
        results.iter().all(|(value, _)| *value == stored),
        "every caller sees the stored value {stored}: {results:?}"
    );
    assert_eq!(
        results.iter().filter(|(_, set)| *set).count(),
        1,
        "{results:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn set_by_16_concurrent_writers_of_a_new_setting_all_succeed_and_one_value_remains() {
    let t = TestDb::new();

    let writers: Vec<_> = (0..16)
        .map(|i| {
            let db = t.db.clone();
            tokio::spawn(async move {
                db.run(move |c| settings::set(c, "theme", &format!("theme-{i}"), t0()))
                    .await
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap().unwrap();
    }

    let stored =
        t.db.run(|c| settings::get(c, "theme"))
            .await
            .unwrap()
            .unwrap();
    assert!(stored.starts_with("theme-"), "{stored}");
}
