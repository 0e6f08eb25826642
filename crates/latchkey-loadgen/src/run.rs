//! A run: preparation once, then each scenario at each concurrency for a
//! bounded number of operations or time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use crate::ops::Shared;
use crate::procfs::{ProcSample, ServerProcess};
use crate::provision::Provision;
use crate::scenario::{Op, Scenario};
use crate::setup;
use crate::stats::{Recorder, SegmentResult, ServerUsage};
use crate::target::Target;

/// Upper bounds, so that no run can go on unattended.
pub const MAX_COUNT: u64 = 10_000_000;
pub const MAX_DURATION: Duration = Duration::from_secs(3600);
pub const MAX_CONCURRENCY: usize = 4096;
pub const MAX_USERS: usize = 100_000;
/// One operation (several requests) may take this long before it counts as failed.
pub const OP_TIMEOUT: Duration = Duration::from_secs(60);
/// Tokens older than this are renewed before a segment that uses them
/// (access tokens live ten minutes).
const TOKEN_MAX_AGE: Duration = Duration::from_secs(240);
/// Access tokens the confidential client keeps for introspection.
const SERVICE_TOKENS: usize = 16;

/// When a segment stops: after `count` operations, after `duration`, or at
/// whichever comes first. At least one is always set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub count: Option<u64>,
    pub duration: Option<Duration>,
}

impl Bounds {
    /// Checks the bounds; with neither given, 1,000 operations.
    pub fn new(count: Option<u64>, duration: Option<Duration>) -> anyhow::Result<Self> {
        if let Some(c) = count
            && !(1..=MAX_COUNT).contains(&c)
        {
            bail!("--count must be between 1 and {MAX_COUNT}");
        }
        if let Some(d) = duration
            && (d.is_zero() || d > MAX_DURATION)
        {
            bail!(
                "--duration must be more than 0 and at most {} s",
                MAX_DURATION.as_secs()
            );
        }
        Ok(match (count, duration) {
            (None, None) => Self {
                count: Some(1000),
                duration: None,
            },
            _ => Self { count, duration },
        })
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub target: Target,
    pub scenarios: Vec<Scenario>,
    pub concurrency: Vec<usize>,
    pub bounds: Bounds,
    /// Unmeasured load before each segment.
    pub warmup: Option<Duration>,
    /// Virtual users to enrol (at least the highest concurrency).
    pub users: usize,
    /// Enrolments in flight at once.
    pub enrol_parallel: usize,
    pub server_pid: Option<u32>,
    /// Start operations at this many a second (open loop) instead of each
    /// worker starting its next as soon as the last one ends.
    pub rate: Option<f64>,
    /// A name for the run in the report (e.g. the backend).
    pub label: Option<String>,
}

/// A run's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    pub label: Option<String>,
    pub base_url: String,
    pub users: usize,
    /// Users connected from loopback addresses of their own.
    pub distinct_addresses: bool,
    pub enrol_route: String,
    /// Each segment's bounds and warm-up.
    pub segment_count: Option<u64>,
    pub segment_duration_s: Option<f64>,
    pub warmup_s: Option<f64>,
    pub setup_s: f64,
    /// The server's resident memory before the load generator did anything.
    pub server_rss_at_start_bytes: Option<u64>,
    pub segments: Vec<SegmentResult>,
}

impl RunReport {
    pub fn errors(&self) -> u64 {
        self.segments.iter().map(|s| s.errors).sum()
    }
}

fn note(msg: &str) {
    eprintln!("latchkey-load: {msg}");
}

/// Prepares the server once, then runs every scenario at every concurrency.
pub async fn run(config: RunConfig, provision: Arc<dyn Provision>) -> anyhow::Result<RunReport> {
    let max_conc = config.concurrency.iter().copied().max().unwrap_or(1);
    if config
        .concurrency
        .iter()
        .any(|&c| c == 0 || c > MAX_CONCURRENCY)
    {
        bail!("--concurrency must be between 1 and {MAX_CONCURRENCY}");
    }
    let users = config.users.max(max_conc);
    if users > MAX_USERS {
        bail!("--users must be at most {MAX_USERS}");
    }
    let server = config.server_pid.map(ServerProcess::new);
    let at_start = match &server {
        Some(s) => Some(s.sample().context("reading the server process")?),
        None => None,
    };

    let started = Instant::now();
    let run_id = crate::pkce::random_token(&ring::rand::SystemRandom::new(), 6)
        .to_ascii_lowercase()
        .replace(['-', '_'], "x");
    note(&format!(
        "enrolling {users} users through `latchkey user invite` and their invitation pages"
    ));
    let prepared = setup::prepare(
        &config.target,
        provision,
        users,
        config.enrol_parallel,
        &run_id,
    )
    .await?;
    let shared = prepared.shared;
    if !prepared.distinct_addresses {
        note(
            "the server listens on IPv6 only: every user connects from ::1, so per-address \
             rate limits on sign-in apply to all of them together",
        );
    }
    let setup_s = started.elapsed().as_secs_f64();
    note(&format!("ready in {setup_s:.1} s"));

    let mut segments = Vec::new();
    for scenario in &config.scenarios {
        for &concurrency in &config.concurrency {
            prepare_segment(&shared, scenario, max_conc)
                .await
                .with_context(|| format!("preparing {scenario}"))?;
            if let Some(w) = config.warmup {
                let warm = Bounds {
                    count: None,
                    duration: Some(w),
                };
                run_segment(&shared, scenario, concurrency, warm, config.rate, None).await;
            }
            let result = run_segment(
                &shared,
                scenario,
                concurrency,
                config.bounds,
                config.rate,
                server,
            )
            .await;
            note(&format!(
                "{scenario} × {concurrency}: {} ops in {:.1} s, {:.0}/s, {} errors",
                result.ops, result.elapsed_s, result.ops_per_s, result.errors
            ));
            segments.push(result);
        }
    }
    Ok(RunReport {
        label: config.label,
        base_url: config.target.base.clone(),
        users,
        distinct_addresses: prepared.distinct_addresses,
        enrol_route: prepared.enrol_routes.options.to_owned(),
        segment_count: config.bounds.count,
        segment_duration_s: config.bounds.duration.map(|d| d.as_secs_f64()),
        warmup_s: config.warmup.map(|d| d.as_secs_f64()),
        setup_s,
        server_rss_at_start_bytes: at_start.map(|s| s.rss_bytes),
        segments,
    })
}

/// Tokens a scenario needs, fresh enough to last through it.
async fn prepare_segment(
    shared: &Arc<Shared>,
    scenario: &Scenario,
    parallel: usize,
) -> anyhow::Result<()> {
    let ops = scenario.ops();
    if ops.iter().any(|op| op.needs_user_tokens()) {
        shared
            .ensure_user_tokens(TOKEN_MAX_AGE, parallel)
            .await
            .context("signing every user in once")?;
    }
    if ops.contains(&Op::Introspect) {
        shared
            .ensure_service_tokens(SERVICE_TOKENS, TOKEN_MAX_AGE)
            .await
            .context("getting tokens to introspect")?;
    }
    Ok(())
}

/// Runs one scenario at one concurrency until its bounds, measuring the
/// server's CPU time and memory around it. With a `rate`, the n-th
/// operation is due at n/rate seconds and its latency counts from then, so
/// a server falling behind shows in the latencies (no coordinated omission).
pub async fn run_segment(
    shared: &Arc<Shared>,
    scenario: &Scenario,
    concurrency: usize,
    bounds: Bounds,
    rate: Option<f64>,
    server: Option<ServerProcess>,
) -> SegmentResult {
    let me = ServerProcess::new(std::process::id());
    let before: Option<ProcSample> = server.as_ref().and_then(|s| s.sample().ok());
    let me_before = me.sample().ok();
    let started = Instant::now();
    let deadline = bounds.duration.map(|d| started + d);
    let issued = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (shared, scenario, issued) = (shared.clone(), scenario.clone(), issued.clone());
        workers.push(tokio::spawn(async move {
            let mut rec = Recorder::default();
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if bounds.count.is_some_and(|count| n >= count) {
                    break;
                }
                let due = rate.map(|r| started + Duration::from_secs_f64(n as f64 / r));
                if let Some(due) = due {
                    if deadline.is_some_and(|d| due >= d) {
                        break;
                    }
                    tokio::time::sleep_until(due.into()).await;
                }
                let op = scenario.op_at(usize::try_from(n).unwrap_or(usize::MAX));
                let t = due.unwrap_or_else(Instant::now);
                match tokio::time::timeout(OP_TIMEOUT, shared.run(op)).await {
                    Ok(Ok(())) => rec.ok(op.name(), t.elapsed().as_micros() as u64),
                    Ok(Err(e)) => rec.error(format!("{}: {}", op.name(), e.kind)),
                    Err(_) => rec.error(format!("{}: operation timed out", op.name())),
                }
            }
            rec
        }));
    }
    let mut rec = Recorder::default();
    for w in workers {
        match w.await {
            Ok(r) => rec.merge(r),
            Err(_) => rec.error("worker panicked".into()),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after = server.as_ref().and_then(|s| s.sample().ok());
    let me_after = me.sample().ok();
    let attempted = rec.successes() + rec.failures();
    let usage = match (server, before, after) {
        (Some(s), Some(b), Some(a)) => {
            let cpu = a.cpu_us.saturating_sub(b.cpu_us) as f64;
            Some(ServerUsage {
                pid: s.pid,
                cpu_us_per_op: if attempted > 0 {
                    cpu / attempted as f64
                } else {
                    0.0
                },
                cpu_cores_busy: cpu / 1e6 / elapsed.max(1e-9),
                rss_before_bytes: b.rss_bytes,
                rss_after_bytes: a.rss_bytes,
                peak_rss_bytes: a.peak_rss_bytes,
            })
        }
        _ => None,
    };
    let mut result =
        SegmentResult::from_recorder(scenario.name(), concurrency, rec, elapsed, usage);
    result.rate_per_s = rate;
    if let (Some(b), Some(a)) = (me_before, me_after) {
        result.client_cores_busy =
            Some(a.cpu_us.saturating_sub(b.cpu_us) as f64 / 1e6 / elapsed.max(1e-9));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_default_to_a_thousand_operations_and_are_capped() {
        assert_eq!(
            Bounds::new(None, None).unwrap(),
            Bounds {
                count: Some(1000),
                duration: None
            }
        );
        assert!(Bounds::new(Some(0), None).is_err());
        assert!(Bounds::new(Some(MAX_COUNT + 1), None).is_err());
        assert!(Bounds::new(None, Some(Duration::ZERO)).is_err());
        assert!(Bounds::new(None, Some(MAX_DURATION + Duration::from_secs(1))).is_err());
        let both = Bounds::new(Some(5), Some(Duration::from_secs(2))).unwrap();
        assert_eq!(both.count, Some(5));
        assert_eq!(both.duration, Some(Duration::from_secs(2)));
    }
}
