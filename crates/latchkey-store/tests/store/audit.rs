//! The hash-chained audit log: appends, verification and tampering with the
//! rows behind the store's back (raw SQL, as someone with database access but
//! without the master key would).

use std::sync::Arc;

use diesel::RunQueryDsl as _;
use latchkey_core::AuditEventKind;
use latchkey_store::audit::{AuditChain, AuditEvent, ChainBreak, ChainReport, NewAuditEvent};
use latchkey_store::seal::MasterKey;
use latchkey_store::{DbConnection, StoreError, to_db, write_transaction};
use latchkey_testkit::TestDb;
use serde_json::json;

use crate::{at, conn};

fn master() -> MasterKey {
    MasterKey::from_bytes([0x4c; 32])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn event(n: i64) -> NewAuditEvent {
    NewAuditEvent::new(AuditEventKind::UserCreated)
        .actor("admin")
        .subject(format!("user-{n}"))
        .ip("192.0.2.7")
        .detail(json!({ "n": n, "note": "créé" }))
}

/// Appends `n` events, the `i`-th at `at(i)`, varying which optional fields
/// are absent.
fn append(conn: &mut DbConnection, chain: &AuditChain, n: i64) -> Vec<AuditEvent> {
    (1..=n)
        .map(|i| {
            let mut e = event(i);
            if i % 2 == 0 {
                e.ip = None;
            }
            if i % 3 == 0 {
                e.actor = None;
                e.kind = AuditEventKind::SignInFailed;
            }
            chain.append(conn, at(i), &e).unwrap()
        })
        .collect()
}

fn tamper(conn: &mut DbConnection, sql: &str) {
    let n = diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert!(n > 0, "{sql} changed no row");
}

fn broken_at(report: &ChainReport) -> &ChainBreak {
    report.broken.as_ref().expect("a break is reported")
}

#[test]
fn append_numbers_events_from_one_and_links_each_to_the_previous_hash() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());

    let events = append(&mut c, &chain, 4);

    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(events[0].prev_hash, vec![0u8; 32]);
    for pair in events.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    assert_eq!(events[0].occurred_at, to_db(at(1)));
    assert_eq!(events[0].kind, "user.created");
    assert_eq!(events[2].kind, "sign_in.failed");
    let stored = AuditChain::recent(&mut c, 10).unwrap();
    assert_eq!(
        stored.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [4, 3, 2, 1]
    );
    let (first, stored_first) = (&events[0], &stored[3]);
    assert_eq!(stored_first.id, first.id);
    assert_eq!(stored_first.occurred_at, first.occurred_at);
    assert_eq!(stored_first.actor.as_deref(), Some("admin"));
    assert_eq!(stored_first.subject.as_deref(), Some("user-1"));
    assert_eq!(stored_first.ip.as_deref(), Some("192.0.2.7"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stored_first.detail).unwrap(),
        json!({"n": 1, "note": "créé"})
    );
    assert_eq!(stored_first.hash, first.hash);
    assert_eq!(AuditChain::recent(&mut c, 2).unwrap().len(), 2);
}

#[test]
fn verify_reports_no_break_and_the_newest_head_for_an_untouched_chain() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    let events = append(&mut c, &chain, 6);

    let report = chain.verify(&mut c).unwrap();

    assert_eq!(
        report,
        ChainReport {
            rows: 6,
            head_seq: 6,
            head_hash: hex(&events[5].hash),
            broken: None,
        }
    );
}

#[test]
fn verify_reports_an_empty_chain_as_unbroken_at_the_genesis_head() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let report = AuditChain::new(&master()).verify(&mut c).unwrap();

    assert_eq!(
        report,
        ChainReport {
            rows: 0,
            head_seq: 0,
            head_hash: "0".repeat(64),
            broken: None,
        }
    );
}

#[test]
fn verify_reports_changed_at_the_row_whose_detail_was_updated() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    let events = append(&mut c, &chain, 5);

    tamper(
        &mut c,
        r#"UPDATE audit_events SET detail = '{"n":2,"note":"nothing to see"}' WHERE seq = 2"#,
    );

    let report = chain.verify(&mut c).unwrap();
    assert_eq!(broken_at(&report), &ChainBreak::Changed { seq: 2 });
    assert_eq!(
        report.rows, 1,
        "only the rows before the break are vouched for"
    );
    assert_eq!(report.head_seq, 1);
    assert_eq!(report.head_hash, hex(&events[0].hash));
}

#[test]
fn verify_reports_changed_at_the_row_when_any_hashed_field_is_updated() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    let edits = [
        (
            "UPDATE audit_events SET id = 'not-the-original-id' WHERE seq = 3",
            3,
        ),
        (
            "UPDATE audit_events SET occurred_at = (SELECT occurred_at FROM audit_events WHERE seq = 1) \
             WHERE seq = 3",
            3,
        ),
        (
            "UPDATE audit_events SET kind = 'user.disabled' WHERE seq = 3",
            3,
        ),
        (
            "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1",
            1,
        ),
        ("UPDATE audit_events SET actor = NULL WHERE seq = 1", 1),
        (
            "UPDATE audit_events SET subject = 'user-99' WHERE seq = 3",
            3,
        ),
        // Absent and empty are different values.
        ("UPDATE audit_events SET ip = '' WHERE seq = 2", 2),
        (
            "UPDATE audit_events SET ip = '198.51.100.1' WHERE seq = 3",
            3,
        ),
    ];

    for (sql, seq) in edits {
        diesel::sql_query("DELETE FROM audit_events")
            .execute(&mut *c)
            .unwrap();
        append(&mut c, &chain, 4);

        tamper(&mut c, sql);

        let report = chain.verify(&mut c).unwrap();
        assert_eq!(
            report.broken,
            Some(ChainBreak::Changed { seq }),
            "after {sql}"
        );
        assert_eq!(report.head_seq, seq - 1, "after {sql}");
    }
}

#[test]
fn verify_reports_removed_when_the_last_row_is_renumbered() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    append(&mut c, &chain, 4);

    tamper(&mut c, "UPDATE audit_events SET seq = 7 WHERE seq = 4");

    let report = chain.verify(&mut c).unwrap();
    assert_eq!(
        broken_at(&report),
        &ChainBreak::Removed {
            from_seq: 4,
            to_seq: 6
        }
    );
    assert_eq!(report.rows, 3);
}

#[test]
fn verify_reports_removed_when_a_middle_row_is_deleted() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    let events = append(&mut c, &chain, 5);

    tamper(&mut c, "DELETE FROM audit_events WHERE seq = 3");

    let report = chain.verify(&mut c).unwrap();
    assert_eq!(
        broken_at(&report),
        &ChainBreak::Removed {
            from_seq: 3,
            to_seq: 3
        }
    );
    assert_eq!(report.rows, 2);
    assert_eq!(report.head_seq, 2);
    assert_eq!(report.head_hash, hex(&events[1].hash));
}

#[test]
fn verify_reports_removed_range_when_several_rows_or_the_first_row_are_deleted() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    append(&mut c, &chain, 6);

    tamper(&mut c, "DELETE FROM audit_events WHERE seq IN (2, 3, 4)");
    assert_eq!(
        chain.verify(&mut c).unwrap().broken,
        Some(ChainBreak::Removed {
            from_seq: 2,
            to_seq: 4
        })
    );

    tamper(&mut c, "DELETE FROM audit_events WHERE seq = 1");
    let report = chain.verify(&mut c).unwrap();
    assert_eq!(
        broken_at(&report),
        &ChainBreak::Removed {
            from_seq: 1,
            to_seq: 4
        }
    );
    assert_eq!(report.rows, 0);
}

#[test]
fn verify_reports_inserted_when_a_row_points_at_the_wrong_previous_hash() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    append(&mut c, &chain, 5);

    tamper(
        &mut c,
        "UPDATE audit_events SET prev_hash = (SELECT hash FROM audit_events WHERE seq = 1) WHERE seq = 3",
    );

    let report = chain.verify(&mut c).unwrap();
    assert_eq!(broken_at(&report), &ChainBreak::Inserted { seq: 3 });
    assert_eq!(report.rows, 2);
}

#[test]
fn verify_reports_inserted_when_an_old_row_is_replayed_at_the_head() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    let events = append(&mut c, &chain, 5);

    // A verbatim copy of row 3 (with its genuine hash) appended as row 6.
    tamper(
        &mut c,
        "INSERT INTO audit_events (seq, id, occurred_at, kind, actor, subject, ip, detail, prev_hash, hash) \
         SELECT 6, 'replayed', occurred_at, kind, actor, subject, ip, detail, prev_hash, hash \
         FROM audit_events WHERE seq = 3",
    );

    let report = chain.verify(&mut c).unwrap();
    assert_eq!(broken_at(&report), &ChainBreak::Inserted { seq: 6 });
    assert_eq!(report.rows, 5);
    assert_eq!(report.head_hash, hex(&events[4].hash));
}

#[test]
fn verify_reports_changed_when_a_forged_row_is_linked_correctly_but_hashed_without_the_key() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    append(&mut c, &chain, 5);

    // Correct seq and prev_hash; the forger cannot compute the HMAC, so reuses one.
    tamper(
        &mut c,
        "INSERT INTO audit_events (seq, id, occurred_at, kind, actor, subject, ip, detail, prev_hash, hash) \
         SELECT 6, 'forged', occurred_at, 'user.disabled', actor, subject, ip, '{}', hash, hash \
         FROM audit_events WHERE seq = 5",
    );

    let report = chain.verify(&mut c).unwrap();
    assert_eq!(broken_at(&report), &ChainBreak::Changed { seq: 6 });
    assert_eq!(report.rows, 5);
}

#[test]
fn verify_with_another_master_key_reports_a_break_at_the_first_row() {
    let db = TestDb::new();
    let mut c = conn(&db);
    append(&mut c, &AuditChain::new(&master()), 3);

    let other = AuditChain::new(&MasterKey::from_bytes([0x4d; 32]));
    let report = other.verify(&mut c).unwrap();

    assert_eq!(broken_at(&report), &ChainBreak::Changed { seq: 1 });
    assert_eq!(report.rows, 0);
    assert_eq!(report.head_seq, 0);
}

#[test]
fn verify_accepts_a_chain_cut_at_the_end_but_reports_the_older_head() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    let events = append(&mut c, &chain, 5);

    // The documented limit: truncation is caught by comparing heads, which
    // `append` writes to the log.
    tamper(&mut c, "DELETE FROM audit_events WHERE seq = 5");

    let report = chain.verify(&mut c).unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.head_seq, 4);
    assert_eq!(report.head_hash, hex(&events[3].hash));
    assert_ne!(report.head_hash, hex(&events[4].hash));
}

#[test]
fn append_continues_the_chain_after_many_rows_across_verify_batches() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());

    // More than one verification batch (1000 rows).
    write_transaction(&mut c, |c| {
        for i in 0..1005 {
            chain.append(c, at(i), &event(i))?;
        }
        Ok(())
    })
    .unwrap();

    let report = chain.verify(&mut c).unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.rows, 1005);
    assert_eq!(report.head_seq, 1005);
    tamper(
        &mut c,
        "UPDATE audit_events SET detail = '{}' WHERE seq = 1003",
    );
    assert_eq!(
        chain.verify(&mut c).unwrap().broken,
        Some(ChainBreak::Changed { seq: 1003 })
    );
}

#[test]
fn append_inside_a_rolled_back_transaction_records_nothing() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    append(&mut c, &chain, 2);

    let result: Result<(), StoreError> = write_transaction(&mut c, |c| {
        chain.append(c, at(10), &event(10))?;
        Err(StoreError::NotFound("the change the event describes"))
    });
    assert!(result.is_err());
    let next = write_transaction(&mut c, |c| chain.append(c, at(11), &event(11))).unwrap();

    assert_eq!(next.seq, 3, "the rolled-back event left no gap");
    let report = chain.verify(&mut c).unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.rows, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn append_by_20_concurrent_tasks_yields_a_contiguous_valid_chain() {
    let t = TestDb::new();
    let chain = Arc::new(AuditChain::new(&master()));

    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let db = t.db.clone();
            let chain = Arc::clone(&chain);
            tokio::spawn(async move { db.run(move |c| chain.append(c, at(i), &event(i))).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await.unwrap().unwrap().seq);
    }

    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
    let report = t.db.run(move |c| chain.verify(c)).await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.rows, 20);
    assert_eq!(report.head_seq, 20);
    let newest = t.db.run(|c| AuditChain::recent(c, 1)).await.unwrap();
    assert_eq!(report.head_hash, hex(&newest[0].hash));
}

#[test]
fn events_of_a_guarded_action_are_those_of_its_account_naming_it_oldest_first() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let chain = AuditChain::new(&master());
    let (request, other) = (
        "0192f1a2-0000-7000-8000-00000000000a",
        "0192f1a2-0000-7000-8000-00000000000b",
    );
    let about = |subject: &str, request: &str, reason: &str| {
        NewAuditEvent::new(AuditEventKind::GuardedActionTransitioned)
            .subject(subject)
            .detail(json!({ "request": request, "reason": reason }))
    };
    chain
        .append(&mut c, at(1), &about("ada", request, "requested"))
        .unwrap();
    chain
        .append(&mut c, at(2), &about("ada", other, "requested"))
        .unwrap();
    chain
        .append(&mut c, at(3), &about("eve", request, "forged"))
        .unwrap();
    chain.append(&mut c, at(4), &event(4)).unwrap();
    chain
        .append(&mut c, at(5), &about("ada", request, "ready"))
        .unwrap();

    let events = AuditChain::for_guarded_action(&mut c, "ada", request, 100).unwrap();
    let reasons: Vec<String> = events
        .iter()
        .map(|e| {
            serde_json::from_str::<serde_json::Value>(&e.detail).unwrap()["reason"].to_string()
        })
        .collect();
    assert_eq!(reasons, vec!["\"requested\"", "\"ready\""]);
    assert_eq!(
        AuditChain::for_guarded_action(&mut c, "ada", request, 1)
            .unwrap()
            .len(),
        1
    );
}
