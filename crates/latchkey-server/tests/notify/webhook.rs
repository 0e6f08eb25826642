//! The security webhook against a real HTTP receiver on loopback (a small
//! one written here): signed POSTs from the outbox, retried on 5xx and
//! connection failures, given up on when refused.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::Duration;
use latchkey_core::{Clock as _, Secret, TestClock};
use latchkey_server::notify::webhook::{
    EVENT_ID_HEADER, SIGNATURE_HEADER, SecurityWebhook, TIMESTAMP_HEADER, check_url,
};
use latchkey_store::outbox;
use ring::hmac;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::{FileMailer, delivery, from, new_db, pending, pending_rows};

const SECRET: &str = "a-webhook-secret-of-at-least-32-characters";

/// One request as received: lower-cased headers and the body.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Answers every request with `status`, recording it.
struct Receiver {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(status: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head_end, length) = loop {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break (None, 0);
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..i]).to_string();
                        let length = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        break (Some(i + 4), length);
                    }
                };
                let Some(start) = head_end else { continue };
                while buf.len() < start + length {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let head = String::from_utf8_lossy(&buf[..start]).to_string();
                let headers = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                log.lock().unwrap().push(Received {
                    headers,
                    body: buf[start..start + length].to_vec(),
                });
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            }
        });
        Self { port, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn webhook(port: u16) -> Arc<SecurityWebhook> {
    Arc::new(
        SecurityWebhook::new(
            check_url(&format!("http://127.0.0.1:{port}/hooks/latchkey")).unwrap(),
            &Secret::new(SECRET.to_owned()),
            StdDuration::from_secs(5),
        )
        .unwrap(),
    )
}

async fn enqueue_event(db: &latchkey_store::Db, clock: &TestClock) -> String {
    let now = clock.now();
    let event = serde_json::json!({
        "type": "guarded_action.requested",
        "request": "0190c1d2-0000-7000-8000-000000000001",
        "action": "recover_account",
    });
    db.run(move |c| outbox::enqueue_security_webhook(c, &event, now))
        .await
        .unwrap()
        .to_string()
}

fn a_mailer(dir: &tempfile::TempDir) -> Arc<dyn latchkey_server::notify::Mailer> {
    Arc::new(FileMailer::new(dir.path(), from()))
}

#[tokio::test]
async fn an_event_is_posted_signed_with_its_id_and_timestamp() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let receiver = Receiver::start(204).await;
    let dir = tempfile::tempdir().unwrap();
    let mut worker = delivery(&db, a_mailer(&dir), &clock, "node-a");
    worker.webhook = Some(webhook(receiver.port));
    let id = enqueue_event(&db.db, &clock).await;
    let stored = pending_rows(&db.db).await[0].payload.clone();

    let report = worker.deliver_due().await.unwrap();

    assert_eq!((report.delivered, report.failed, report.dead), (1, 0, 0));
    assert_eq!(pending(&db.db).await, 0);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let event = &got[0];
    assert_eq!(event.body, stored.as_bytes(), "the stored JSON, as it is");
    assert_eq!(event.header("content-type"), Some("application/json"));
    assert_eq!(event.header(EVENT_ID_HEADER), Some(id.as_str()));
    let timestamp = event.header(TIMESTAMP_HEADER).unwrap();
    assert_eq!(timestamp, clock.now().timestamp().to_string());
    // The receiver's check: HMAC-SHA256 over "<timestamp>.<body>".
    let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes());
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(&event.body);
    let sig = event.header(SIGNATURE_HEADER).unwrap();
    let mac = hex::decode(sig.strip_prefix("v1=").unwrap()).unwrap();
    assert!(hmac::verify(&key, &signed, &mac).is_ok());
    let wrong = hmac::Key::new(hmac::HMAC_SHA256, b"another secret of 32 characters!!");
    assert!(hmac::verify(&wrong, &signed, &mac).is_err());
}

#[tokio::test]
async fn a_failing_or_unreachable_receiver_is_retried_and_a_refusal_is_given_up_on() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let dir = tempfile::tempdir().unwrap();

    // 503: retried after the backoff, then delivered when the receiver is back.
    let down = Receiver::start(503).await;
    let mut worker = delivery(&db, a_mailer(&dir), &clock, "node-a");
    worker.webhook = Some(webhook(down.port));
    enqueue_event(&db.db, &clock).await;
    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.delivered, report.failed, report.dead), (0, 1, 0));
    assert_eq!(down.received().len(), 1);
    let up = Receiver::start(200).await;
    worker.webhook = Some(webhook(up.port));
    clock.advance(Duration::hours(2));
    let report = worker.deliver_due().await.unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(up.received().len(), 1);
    assert_eq!(
        up.received()[0].header(EVENT_ID_HEADER),
        down.received()[0].header(EVENT_ID_HEADER),
        "the same event id on a retry"
    );

    // Nobody listening: retried.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    worker.webhook = Some(webhook(closed));
    enqueue_event(&db.db, &clock).await;
    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.delivered, report.failed, report.dead), (0, 1, 0));
    assert_eq!(pending(&db.db).await, 1);

    // 400: refused for good.
    let refusing = Receiver::start(400).await;
    worker.webhook = Some(webhook(refusing.port));
    clock.advance(Duration::hours(2));
    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.delivered, report.failed, report.dead), (0, 0, 1));
    assert_eq!(pending(&db.db).await, 0);
    let dead = worker.metrics.dead(outbox::SECURITY_WEBHOOK_KIND);
    assert_eq!(dead, 1);
}

#[tokio::test]
async fn without_a_configured_webhook_an_event_is_given_up_on_not_lost_silently() {
    let db = new_db().await;
    let clock = TestClock::fixed();
    let dir = tempfile::tempdir().unwrap();
    let worker = delivery(&db, a_mailer(&dir), &clock, "node-a");
    enqueue_event(&db.db, &clock).await;
    let report = worker.deliver_due().await.unwrap();
    assert_eq!((report.delivered, report.dead), (0, 1));
}
