//! Delivering the outbox: claim due messages with a lease, send each, mark it
//! delivered or failed (with backoff). One pass is [`Delivery::deliver_due`];
//! the worker calls it in a loop.
//!
//! Delivery is at least once. A message is marked delivered only after the
//! mailer took it; if the node dies in between, or marking fails, the lease
//! runs out and another pass sends it again (with the same `Message-ID`).
//! Leases also keep several nodes from sending the same message at once.

use std::sync::Arc;

use chrono::Duration;
use latchkey_core::SharedClock;
use latchkey_store::outbox::{self, OutboxMessage};
use latchkey_store::{Db, StoreError};
use prometheus::{IntCounterVec, Opts, Registry};

use super::webhook::{SecurityWebhook, WebhookFailure};
use super::{EMAIL_KIND, Email, MailError, Mailer, error_chain};

const WEBHOOK_KIND: &str = outbox::SECURITY_WEBHOOK_KIND;

/// Counters of delivery outcomes, by kind (`email`, or `unknown` for kinds
/// no deliverer handles: the label set stays bounded).
#[derive(Debug, Clone)]
pub struct DeliveryMetrics {
    delivered: IntCounterVec,
    failed: IntCounterVec,
    dead: IntCounterVec,
}

impl DeliveryMetrics {
    /// Registers `outbox_delivered_total` and `outbox_failed_total` on
    /// `registry` (exported as `latchkey_outbox_…` by the app's registry).
    /// Fails if they are already registered there.
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let delivered = IntCounterVec::new(
            Opts::new(
                "outbox_delivered_total",
                "Outbox messages delivered, by kind.",
            ),
            &["kind"],
        )?;
        let failed = IntCounterVec::new(
            Opts::new(
                "outbox_failed_total",
                "Outbox delivery attempts that failed (and will be retried), by kind.",
            ),
            &["kind"],
        )?;
        let dead = IntCounterVec::new(
            Opts::new(
                "outbox_dead_total",
                "Outbox messages given up on (refused for good or out of attempts), by kind.",
            ),
            &["kind"],
        )?;
        registry.register(Box::new(delivered.clone()))?;
        registry.register(Box::new(failed.clone()))?;
        registry.register(Box::new(dead.clone()))?;
        Ok(Self {
            delivered,
            failed,
            dead,
        })
    }

    pub fn dead(&self, kind: &str) -> u64 {
        self.dead.with_label_values(&[kind_label(kind)]).get()
    }

    pub fn delivered(&self, kind: &str) -> u64 {
        self.delivered.with_label_values(&[kind_label(kind)]).get()
    }

    pub fn failed(&self, kind: &str) -> u64 {
        self.failed.with_label_values(&[kind_label(kind)]).get()
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        EMAIL_KIND => EMAIL_KIND,
        WEBHOOK_KIND => WEBHOOK_KIND,
        _ => "unknown",
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Messages this pass leased.
    pub claimed: usize,
    pub delivered: usize,
    /// Marked failed, to be retried after the backoff.
    pub failed: usize,
    /// Given up on: refused for good, or out of attempts.
    pub dead: usize,
    /// Not attempted because half the lease had passed; they stay leased
    /// and are claimed again when it runs out.
    pub deferred: usize,
}

/// Why one message was not delivered. Its `Display` is what the log gets:
/// no recipient, no body.
/// After this many attempts (about two days with the backoff capped at an
/// hour) a message is given up on.
pub const MAX_ATTEMPTS: i64 = 50;

#[derive(Debug, thiserror::Error)]
enum Undelivered {
    #[error("no deliverer handles outbox messages of kind {0:?}")]
    UnknownKind(String),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Webhook(#[from] WebhookFailure),
    #[error("sending took longer than {} s", .0.as_secs())]
    TimedOut(std::time::Duration),
    #[error("not attempted: {0}")]
    Skipped(String),
}

impl Undelivered {
    /// Trying again cannot help.
    fn is_permanent(&self) -> bool {
        match self {
            Self::UnknownKind(_) => true,
            Self::Mail(e) => e.is_permanent(),
            Self::Webhook(e) => e.is_permanent(),
            Self::TimedOut(_) | Self::Skipped(_) => false,
        }
    }
}

/// Delivers the outbox through a mailer. Build one per worker.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub db: Db,
    pub mailer: Arc<dyn Mailer>,
    pub clock: SharedClock,
    /// Recorded in `locked_by`; unique per process ([`super::worker_id`]).
    pub worker_id: String,
    /// How long a claim holds a message. No send starts after half of it,
    /// and each send is cut off after a quarter, so a message is never
    /// still being sent when another node may claim it.
    pub lease: Duration,
    /// Messages claimed per pass.
    pub batch: i64,
    pub metrics: DeliveryMetrics,
    /// Where `security_webhook` events go; `None`: none is configured (the
    /// engine then enqueues none, and one found is given up on).
    pub webhook: Option<Arc<SecurityWebhook>>,
}

impl Delivery {
    pub const DEFAULT_LEASE: Duration = Duration::minutes(2);
    pub const DEFAULT_BATCH: i64 = 20;

    pub fn new(
        db: Db,
        mailer: Arc<dyn Mailer>,
        clock: SharedClock,
        worker_id: String,
        metrics: DeliveryMetrics,
    ) -> Self {
        Self {
            db,
            mailer,
            clock,
            worker_id,
            lease: Self::DEFAULT_LEASE,
            batch: Self::DEFAULT_BATCH,
            metrics,
            webhook: None,
        }
    }

    /// One pass: claims up to `batch` due messages and tries each once.
    /// A database error stops the pass; messages it leaves leased are
    /// claimed again after the lease.
    pub async fn deliver_due(&self) -> Result<DeliveryReport, StoreError> {
        let claimed_at = self.clock.now();
        let (worker, lease, batch) = (self.worker_id.clone(), self.lease, self.batch);
        let messages = self
            .db
            .run(move |conn| outbox::claim(conn, &worker, claimed_at, lease, batch))
            .await?;
        let mut report = DeliveryReport {
            claimed: messages.len(),
            ..DeliveryReport::default()
        };
        let start_by = claimed_at + lease / 2;
        let send_limit = (lease / 4).to_std().unwrap_or_default();
        let mut unreachable: Option<String> = None;

        for message in messages {
            if self.clock.now() > start_by {
                report.deferred += 1;
                continue;
            }
            let outcome = match &unreachable {
                Some(reason) => Err(Undelivered::Skipped(reason.clone())),
                None => self.send(&message, send_limit).await,
            };
            match outcome {
                Ok(()) => {
                    let (id, now) = (message.id.clone(), self.clock.now());
                    self.db
                        .run(move |conn| outbox::mark_delivered(conn, &id, now))
                        .await?;
                    self.metrics
                        .delivered
                        .with_label_values(&[kind_label(&message.kind)])
                        .inc();
                    report.delivered += 1;
                    tracing::info!(
                        outbox_id = %message.id,
                        kind = kind_label(&message.kind),
                        attempts = message.attempts,
                        "outbox message delivered"
                    );
                }
                Err(error)
                    if error.is_permanent()
                        || (message.attempts >= MAX_ATTEMPTS
                            && !matches!(error, Undelivered::Skipped(_))) =>
                {
                    let detail = error_chain(&error);
                    let (now, stored, text) = (self.clock.now(), message.clone(), detail.clone());
                    self.db
                        .run(move |conn| outbox::mark_dead(conn, &stored, &text, now))
                        .await?;
                    self.metrics
                        .dead
                        .with_label_values(&[kind_label(&message.kind)])
                        .inc();
                    report.dead += 1;
                    tracing::error!(
                        outbox_id = %message.id,
                        kind = kind_label(&message.kind),
                        attempts = message.attempts,
                        error = %error,
                        "outbox message given up on; it stays in the outbox with its last error"
                    );
                    tracing::debug!(outbox_id = %message.id, error = %detail, "delivery failure details");
                }
                Err(error) => {
                    let detail = error_chain(&error);
                    let (now, stored, text) = (self.clock.now(), message.clone(), detail.clone());
                    let retry_at = self
                        .db
                        .run(move |conn| outbox::mark_failed(conn, &stored, &text, now))
                        .await?;
                    self.metrics
                        .failed
                        .with_label_values(&[kind_label(&message.kind)])
                        .inc();
                    report.failed += 1;
                    if matches!(error, Undelivered::Skipped(_)) {
                        tracing::debug!(outbox_id = %message.id, %retry_at, error = %error, "outbox message not attempted");
                    } else {
                        tracing::warn!(
                            outbox_id = %message.id,
                            kind = kind_label(&message.kind),
                            attempts = message.attempts,
                            %retry_at,
                            error = %error,
                            "outbox message not delivered; will retry"
                        );
                        // The full chain may quote the recipient.
                        tracing::debug!(outbox_id = %message.id, error = %detail, "delivery failure details");
                    }
                    if let Undelivered::Mail(e) = &error
                        && e.is_unreachable()
                    {
                        unreachable = Some(error.to_string());
                    }
                }
            }
        }
        if report.deferred > 0 {
            tracing::warn!(
                deferred = report.deferred,
                "half the outbox lease passed; the rest of the batch is retried after it"
            );
        }
        Ok(report)
    }

    async fn send(
        &self,
        message: &OutboxMessage,
        limit: std::time::Duration,
    ) -> Result<(), Undelivered> {
        match message.kind.as_str() {
            EMAIL_KIND => {
                let email = Email::from_outbox(message)?;
                tracing::debug!(outbox_id = %message.id, to = %email.to, "sending e-mail");
                tokio::time::timeout(limit, self.mailer.send(&email))
                    .await
                    .map_err(|_| Undelivered::TimedOut(limit))??;
                Ok(())
            }
            WEBHOOK_KIND => {
                let Some(webhook) = &self.webhook else {
                    return Err(Undelivered::UnknownKind(WEBHOOK_KIND.to_owned()));
                };
                let now = self.clock.now();
                tokio::time::timeout(
                    limit,
                    webhook.send(&message.id, message.payload.as_bytes(), now),
                )
                .await
                .map_err(|_| Undelivered::TimedOut(limit))??;
                Ok(())
            }
            other => Err(Undelivered::UnknownKind(other.to_owned())),
        }
    }
}
