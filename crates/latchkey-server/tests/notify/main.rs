//! Outbox e-mail delivery against a real SMTP server on loopback (a small one
//! written here), `.eml` files, leases and retries. Runs on SQLite, or on
//! PostgreSQL when `LATCHKEY_TEST_DATABASE_URL` is set.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{Clock as _, OutboxId, Secret, TestClock};
use latchkey_server::notify::{
    Delivery, DeliveryMetrics, EMAIL_KIND, Email, EmailAddress, FileMailer, Mailer, SendFuture,
    SmtpEndpoint, SmtpMailer, enqueue_email,
};
use latchkey_store::outbox::{self, OutboxMessage};
use latchkey_store::{Db, StoreError, write_transaction};
use latchkey_testkit::{TestApp, TestDb};
use lettre::message::Mailbox;
use prometheus::Registry;

mod smtp_server;
mod webhook;

use smtp_server::SmtpServer;

// ---------------------------------------------------------------------------
// Helpers

const FROM: &str = "Latchkey <latchkey@id.example.com>";

fn from() -> Mailbox {
    FROM.parse().unwrap()
}

fn smtp_mailer(port: u16) -> Arc<dyn Mailer> {
    let endpoint = SmtpEndpoint::parse(&Secret::new(format!("smtp://127.0.0.1:{port}"))).unwrap();
    Arc::new(SmtpMailer::new(endpoint, from()).unwrap())
}

fn delivery(db: &TestDb, mailer: Arc<dyn Mailer>, clock: &TestClock, worker: &str) -> Delivery {
    Delivery::new(
        db.db.clone(),
        mailer,
        Arc::new(clock.clone()),
        worker.to_owned(),
        DeliveryMetrics::register(&Registry::new()).unwrap(),
    )
}

async fn new_db() -> TestDb {
    tokio::task::spawn_blocking(TestDb::new).await.unwrap()
}

async fn enqueue(db: &Db, now: DateTime<Utc>, to: &str, subject: &str, text: &str) -> OutboxId {
    let to = EmailAddress::parse(to).unwrap();
    let (subject, text) = (subject.to_owned(), text.to_owned());
    db.run(move |conn| enqueue_email(conn, &to, &subject, &text, now))
        .await
        .unwrap()
}

async fn pending(db: &Db) -> i64 {
    db.run(outbox::pending_count).await.unwrap()
}

/// The undelivered rows as stored. The store has no getter, so this claims
/// everything far in the future inside a transaction that is rolled back,
/// and undoes the claim's own `attempts + 1`.
async fn pending_rows(db: &Db) -> Vec<OutboxMessage> {
    db.run(|conn| {
        let far = DateTime::from_timestamp(4_102_444_800, 0).unwrap(); // 2100
        let mut rows = Vec::new();
        let _ = write_transaction(conn, |conn| {
            rows = outbox::claim(conn, "probe", far, Duration::seconds(1), 10_000)?;
            Err::<(), _>(StoreError::Conflict("the probe (rolled back)"))
        });
        for row in &mut rows {
            row.attempts -= 1;
        }
        Ok(rows)
    })
    .await
    .unwrap()
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    let head = message.split("\r\n\r\n").next()?;
    head.split("\r\n")
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
}

fn body(message: &str) -> &str {
    message.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

/// A mailer that records outbox ids and always succeeds.
#[derive(Debug, Default)]
struct RecordingMailer {
    sent: Mutex<Vec<String>>,
}

impl Mailer for RecordingMailer {
    fn send<'a>(&'a self, email: &'a Email) -> SendFuture<'a> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            self.sent.lock().unwrap().push(email.id.clone());
            Ok(())
        })
    }

    fn describe(&self) -> String {
        "memory".to_owned()
    }
}

// ---------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn email_is_delivered_over_smtp_with_headers_and_body() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let server = SmtpServer::start().await;
    let worker = delivery(&db, smtp_mailer(server.port), &clock, "node-a");
    let text = "Hello Ada,\n\n.a line starting with a dot\n.\nThe line above is a lone dot.";
    let id = enqueue(
        &db.db,
        clock.now(),
        "ada@example.com",
        "Welcome to Latchkey",
        text,
    )
    .await;
    assert_eq!(pending(&db.db).await, 1);

    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.claimed, report.delivered, report.failed), (1, 1, 0));

    let received = server.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.from, "latchkey@id.example.com");
    assert_eq!(mail.to, vec!["ada@example.com".to_owned()]);
    assert_eq!(header(&mail.data, "From"), Some(FROM));
    assert_eq!(header(&mail.data, "To"), Some("ada@example.com"));
    assert_eq!(header(&mail.data, "Subject"), Some("Welcome to Latchkey"));
    assert_eq!(
        header(&mail.data, "Date"),
        Some("Tue, 01 Jan 2030 00:00:00 +0000")
    );
    assert_eq!(
        header(&mail.data, "Message-ID"),
        Some(format!("<{id}@id.example.com>").as_str())
    );
    assert!(
        header(&mail.data, "Content-Type").is_some_and(|v| v.starts_with("text/plain")),
        "{}",
        mail.data
    );
    assert_eq!(body(&mail.data), text.replace('\n', "\r\n"));

    assert_eq!(pending(&db.db).await, 0);
    assert_eq!(worker.metrics.delivered(EMAIL_KIND), 1);
    assert_eq!(worker.deliver_due().await.unwrap().claimed, 0);
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn email_waits_while_the_smtp_server_is_down_and_is_delivered_after_the_backoff() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    // A port with nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let worker = delivery(&db, smtp_mailer(port), &clock, "node-a");
    let start = clock.now();
    enqueue(&db.db, start, "ada@example.com", "Hi", "Hello").await;
    enqueue(&db.db, start, "bob@example.com", "Hi", "Hello").await;

    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.claimed, report.delivered, report.failed), (2, 0, 2));
    let rows = pending_rows(&db.db).await;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row.attempts, 1);
        assert_eq!(row.available_at.and_utc(), start + Duration::seconds(30));
        let error = row.last_error.as_deref().unwrap();
        assert!(error.contains("could not be reached"), "{error}");
    }
    assert_eq!(worker.metrics.failed(EMAIL_KIND), 2);

    // Not due before the backoff has passed.
    let server = SmtpServer::start_on(port).await;
    clock.advance(Duration::seconds(29));
    assert_eq!(worker.deliver_due().await.unwrap().claimed, 0);
    clock.advance(Duration::seconds(2));
    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.claimed, report.delivered), (2, 2));
    let mut to: Vec<_> = server.received().into_iter().flat_map(|r| r.to).collect();
    to.sort();
    assert_eq!(to, ["ada@example.com", "bob@example.com"]);
    assert_eq!(pending(&db.db).await, 0);
}

#[tokio::test]
async fn temporary_smtp_refusal_is_retried_after_backoff_without_duplicates() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let server = SmtpServer::start().await;
    server.refuse_next(2);
    let worker = delivery(&db, smtp_mailer(server.port), &clock, "node-a");
    let start = clock.now();
    enqueue(&db.db, start, "ada@example.com", "Hi", "Hello").await;

    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.delivered, report.failed), (0, 1));
    let row = &pending_rows(&db.db).await[0];
    assert_eq!(row.attempts, 1);
    assert_eq!(row.available_at.and_utc(), start + Duration::seconds(30));
    let error = row.last_error.as_deref().unwrap();
    assert!(error.contains("451"), "{error}");

    // Second refusal: the backoff doubles.
    clock.advance(Duration::seconds(30));
    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.delivered, report.failed), (0, 1));
    let row = &pending_rows(&db.db).await[0];
    assert_eq!(row.attempts, 2);
    assert_eq!(
        row.available_at.and_utc(),
        start + Duration::seconds(30 + 60)
    );

    clock.advance(Duration::seconds(59));
    assert_eq!(worker.deliver_due().await.unwrap().claimed, 0);
    clock.advance(Duration::seconds(1));
    assert_eq!(worker.deliver_due().await.unwrap().delivered, 1);
    clock.advance(Duration::hours(2));
    assert_eq!(worker.deliver_due().await.unwrap().claimed, 0);

    assert_eq!(server.refused(), 2);
    assert_eq!(server.received().len(), 1);
    assert_eq!(pending(&db.db).await, 0);
    assert_eq!(worker.metrics.failed(EMAIL_KIND), 2);
    assert_eq!(worker.metrics.delivered(EMAIL_KIND), 1);
}

#[tokio::test]
async fn file_mailer_writes_one_eml_file_per_message() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let dir = tempfile::tempdir().unwrap();
    let mail_dir = dir.path().join("mail");
    let mailer = FileMailer::new(&mail_dir, from());
    let worker = delivery(&db, Arc::new(mailer), &clock, "node-a");
    let a = enqueue(&db.db, clock.now(), "ada@example.com", "First", "One").await;
    let b = enqueue(&db.db, clock.now(), "bob@example.com", "Second", "Two").await;

    assert_eq!(worker.deliver_due().await.unwrap().delivered, 2);

    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&mail_dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(path.extension().and_then(|e| e.to_str()), Some("eml"));
        let text = std::fs::read_to_string(&path).unwrap();
        let id = header(&text, "Message-ID").unwrap().to_owned();
        files.insert(id, text);
    }
    assert_eq!(files.len(), 2);
    let first = &files[&format!("<{a}@id.example.com>")];
    assert_eq!(header(first, "From"), Some(FROM));
    assert_eq!(header(first, "To"), Some("ada@example.com"));
    assert_eq!(header(first, "Subject"), Some("First"));
    assert_eq!(body(first), "One");
    let second = &files[&format!("<{b}@id.example.com>")];
    assert_eq!(header(second, "To"), Some("bob@example.com"));
    assert_eq!(body(second), "Two");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&mail_dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "mail directory mode {mode:o}");
    }
    assert_eq!(pending(&db.db).await, 0);
}

#[tokio::test]
async fn message_leased_by_a_dead_worker_is_delivered_once_after_the_lease() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let server = SmtpServer::start().await;
    let worker = delivery(&db, smtp_mailer(server.port), &clock, "node-b");
    enqueue(&db.db, clock.now(), "ada@example.com", "Hi", "Hello").await;

    // node-a claims it, then dies without sending.
    let now = clock.now();
    let taken = db
        .db
        .run(move |conn| outbox::claim(conn, "node-a", now, Duration::minutes(2), 20))
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);

    assert_eq!(worker.deliver_due().await.unwrap().claimed, 0);
    clock.advance(Duration::minutes(2));
    assert_eq!(worker.deliver_due().await.unwrap().claimed, 0);
    assert!(server.received().is_empty());

    clock.advance(Duration::seconds(1));
    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.claimed, report.delivered), (1, 1));
    clock.advance(Duration::hours(1));
    assert_eq!(worker.deliver_due().await.unwrap().claimed, 0);
    assert_eq!(server.received().len(), 1);
    assert_eq!(pending(&db.db).await, 0);
}

#[tokio::test]
async fn several_workers_deliver_each_message_exactly_once() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let mailer = Arc::new(RecordingMailer::default());
    let workers: Vec<_> = ["node-a", "node-b", "node-c"]
        .into_iter()
        .map(|w| {
            let mut d = delivery(&db, mailer.clone(), &clock, w);
            d.batch = 4;
            d
        })
        .collect();
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(
            enqueue(
                &db.db,
                clock.now(),
                "ada@example.com",
                "Hi",
                &format!("#{i}"),
            )
            .await,
        );
    }

    loop {
        let (a, b, c) = tokio::join!(
            workers[0].deliver_due(),
            workers[1].deliver_due(),
            workers[2].deliver_due()
        );
        let claimed = a.unwrap().claimed + b.unwrap().claimed + c.unwrap().claimed;
        if claimed == 0 {
            break;
        }
    }

    let mut sent = mailer.sent.lock().unwrap().clone();
    sent.sort();
    let mut expected: Vec<String> = ids.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(sent, expected);
    assert_eq!(pending(&db.db).await, 0);
}

#[tokio::test]
async fn bad_recipient_address_is_refused_and_nothing_is_enqueued() {
    let db = new_db().await;
    for bad in [
        "not an address",
        "ada@",
        "Ada <ada@example.com>",
        "ada@example.com\r\nBcc: eve@example.com",
    ] {
        let error = EmailAddress::parse(bad).unwrap_err();
        assert_eq!(error.to_string(), "the e-mail address is not valid");
    }
    assert_eq!(pending(&db.db).await, 0);
}

#[tokio::test]
async fn enqueued_email_is_rolled_back_with_its_transaction() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let to = EmailAddress::parse("ada@example.com").unwrap();
    let now = clock.now();
    let result = db
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                enqueue_email(conn, &to, "Hi", "Hello", now)?;
                Err::<(), _>(StoreError::Conflict("the account"))
            })
        })
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))));
    assert_eq!(pending(&db.db).await, 0);
}

/// Every row, delivered, pending or given up on.
async fn all_rows(db: &Db) -> Vec<OutboxMessage> {
    db.run(|conn| outbox::recent(conn, 1000)).await.unwrap()
}

#[tokio::test]
async fn unknown_kinds_and_bad_payloads_are_given_up_on_at_once_and_kept() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let mailer = Arc::new(RecordingMailer::default());
    let worker = delivery(&db, mailer.clone(), &clock, "node-a");
    let now = clock.now();
    db.db
        .run(move |conn| {
            outbox::enqueue(conn, "webhook", &serde_json::json!({"url": "x"}), now)?;
            outbox::enqueue(
                conn,
                EMAIL_KIND,
                &serde_json::json!({"to": "nobody", "subject": "s", "text": "t"}),
                now,
            )?;
            outbox::enqueue(conn, EMAIL_KIND, &serde_json::json!({"to": 1}), now)
        })
        .await
        .unwrap();

    let report = worker.deliver_due().await.unwrap();
    assert_eq!(
        (report.claimed, report.delivered, report.failed, report.dead),
        (3, 0, 0, 3)
    );
    assert!(mailer.sent.lock().unwrap().is_empty());
    let mut errors: Vec<_> = all_rows(&db.db)
        .await
        .into_iter()
        .inspect(|r| assert!(r.dead_at.is_some(), "{r:?}"))
        .map(|r| (r.kind, r.last_error.unwrap()))
        .collect();
    errors.sort();
    assert_eq!(errors[0].0, "email");
    assert_eq!(errors[2].0, "webhook");
    assert!(
        errors[2]
            .1
            .contains("no deliverer handles outbox messages of kind \"webhook\""),
        "{errors:?}"
    );
    let email_errors = format!("{} / {}", errors[0].1, errors[1].1);
    assert!(
        email_errors.contains("not an e-mail message"),
        "{email_errors}"
    );
    assert!(
        email_errors.contains("address is not valid"),
        "{email_errors}"
    );
    assert_eq!(worker.metrics.dead("webhook"), 1);
    assert_eq!(worker.metrics.dead(EMAIL_KIND), 2);
    assert_eq!(pending(&db.db).await, 0);
    assert_eq!(db.db.run(outbox::dead_count).await.unwrap(), 3);
    // Never claimed again.
    clock.advance(Duration::days(3));
    assert_eq!(worker.deliver_due().await.unwrap().claimed, 0);
}

#[tokio::test]
async fn a_permanent_smtp_refusal_is_given_up_on_without_retrying() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let server = SmtpServer::start().await;
    server.reject_next(1);
    let worker = delivery(&db, smtp_mailer(server.port), &clock, "node-a");
    enqueue(&db.db, clock.now(), "ada@example.com", "Hi", "Hello").await;
    enqueue(&db.db, clock.now(), "bob@example.com", "Hi", "Hello").await;

    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.delivered, report.failed, report.dead), (1, 0, 1));
    let dead: Vec<_> = all_rows(&db.db)
        .await
        .into_iter()
        .filter(|r| r.dead_at.is_some())
        .collect();
    assert_eq!(dead.len(), 1);
    let error = dead[0].last_error.as_deref().unwrap();
    assert!(error.contains("550"), "{error}");
    clock.advance(Duration::days(3));
    assert_eq!(worker.deliver_due().await.unwrap().claimed, 0);
    assert_eq!(server.refused(), 1);
}

#[tokio::test]
async fn a_message_out_of_attempts_is_given_up_on() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let server = SmtpServer::start().await;
    server.refuse_next(2);
    let worker = delivery(&db, smtp_mailer(server.port), &clock, "node-a");
    enqueue(&db.db, clock.now(), "ada@example.com", "Hi", "Hello").await;
    // As if it had been refused for about two days already.
    let last = latchkey_server::notify::MAX_ATTEMPTS - 1;
    assert_eq!(
        db.execute(&format!("UPDATE outbox SET attempts = {}", last - 1)),
        1
    );

    let report = worker.deliver_due().await.unwrap();
    assert_eq!(
        (report.failed, report.dead),
        (1, 0),
        "attempt {last} is retried"
    );
    clock.advance(Duration::hours(1));
    let report = worker.deliver_due().await.unwrap();
    assert_eq!(
        (report.failed, report.dead),
        (0, 1),
        "the last attempt gives up"
    );
    assert_eq!(pending(&db.db).await, 0);
}

#[tokio::test]
async fn application_worker_writes_mail_to_files_by_default() {
    let app = TestApp::spawn().await;
    let now = app.clock.now();
    let to = EmailAddress::parse("ada@example.com").unwrap();
    let id = app
        .state
        .db
        .run(move |conn| enqueue_email(conn, &to, "Hi", "Hello", now))
        .await
        .unwrap();

    let mail_dir = app.data_dir.path().join("mail");
    let mut found = None;
    for _ in 0..150 {
        if let Ok(mut entries) = std::fs::read_dir(&mail_dir)
            && let Some(entry) = entries.next()
        {
            found = Some(std::fs::read_to_string(entry.unwrap().path()).unwrap());
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    let text = found.expect("the worker wrote the message within 15 s");
    assert_eq!(
        header(&text, "Message-ID"),
        Some(format!("<{id}@localhost>").as_str())
    );
    // Marked delivered right after the file is written.
    for _ in 0..50 {
        if pending(&app.state.db).await == 0 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    assert_eq!(pending(&app.state.db).await, 0);
    let metrics = app.state.metrics.render();
    assert!(
        metrics.contains("latchkey_outbox_delivered_total{kind=\"email\"} 1"),
        "{metrics}"
    );
}
