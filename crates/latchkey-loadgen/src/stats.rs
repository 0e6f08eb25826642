//! Latencies, percentiles and error counts of a run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The value at quantile `q` (0 < q ≤ 1) of ascending `sorted` values, by
/// the nearest-rank method: the smallest value with at least `q` of the
/// values at or below it. `None` for no values.
pub fn percentile(sorted: &[u64], q: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let q = q.clamp(0.0, 1.0);
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// A latency distribution, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    pub mean_us: u64,
}

impl Latency {
    /// Summarises `samples` (any order); `None` if there are none.
    pub fn of(mut samples: Vec<u64>) -> Option<Self> {
        samples.sort_unstable();
        let sum: u128 = samples.iter().map(|&s| u128::from(s)).sum();
        let mean = u64::try_from(sum / samples.len().max(1) as u128).unwrap_or(u64::MAX);
        Some(Self {
            p50_us: percentile(&samples, 0.50)?,
            p90_us: percentile(&samples, 0.90)?,
            p99_us: percentile(&samples, 0.99)?,
            max_us: *samples.last()?,
            mean_us: mean,
        })
    }
}

/// What one worker saw: latencies of successful operations by kind, and
/// failures by kind.
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    pub latencies_us: BTreeMap<&'static str, Vec<u64>>,
    pub errors: BTreeMap<String, u64>,
}

impl Recorder {
    pub fn ok(&mut self, op: &'static str, micros: u64) {
        self.latencies_us.entry(op).or_default().push(micros);
    }

    pub fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }

    pub fn merge(&mut self, other: Recorder) {
        for (op, mut v) in other.latencies_us {
            self.latencies_us.entry(op).or_default().append(&mut v);
        }
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
    }

    pub fn successes(&self) -> u64 {
        self.latencies_us.values().map(|v| v.len() as u64).sum()
    }

    pub fn failures(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// One operation kind inside a blended scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationSummary {
    pub ops: u64,
    pub latency: Option<Latency>,
}

/// What the server spent during a measured segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerUsage {
    pub pid: u32,
    /// User + system CPU time per operation attempted.
    pub cpu_us_per_op: f64,
    /// CPU time over wall time: 1.0 is one core busy throughout.
    pub cpu_cores_busy: f64,
    pub rss_before_bytes: u64,
    pub rss_after_bytes: u64,
    /// VmHWM after the segment: the peak since the server started.
    pub peak_rss_bytes: u64,
}

/// The outcome of one scenario at one concurrency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentResult {
    pub scenario: String,
    pub concurrency: usize,
    /// The arrival rate asked for, if operations were paced.
    #[serde(default)]
    pub rate_per_s: Option<f64>,
    /// Successful operations.
    pub ops: u64,
    pub errors: u64,
    pub elapsed_s: f64,
    /// Successful operations per second of wall time.
    pub ops_per_s: f64,
    /// Latency of the successful operations.
    pub latency: Option<Latency>,
    pub errors_by_kind: BTreeMap<String, u64>,
    /// By operation kind (more than one only for a blend).
    pub operations: BTreeMap<String, OperationSummary>,
    pub server: Option<ServerUsage>,
    /// CPU time of the load generator itself over wall time (it shares the
    /// machine with the server).
    #[serde(default)]
    pub client_cores_busy: Option<f64>,
}

impl SegmentResult {
    pub fn from_recorder(
        scenario: &str,
        concurrency: usize,
        rec: Recorder,
        elapsed_s: f64,
        server: Option<ServerUsage>,
    ) -> Self {
        let ops = rec.successes();
        let errors = rec.failures();
        let all: Vec<u64> = rec.latencies_us.values().flatten().copied().collect();
        let operations = rec
            .latencies_us
            .into_iter()
            .map(|(op, v)| {
                (
                    op.to_owned(),
                    OperationSummary {
                        ops: v.len() as u64,
                        latency: Latency::of(v),
                    },
                )
            })
            .collect();
        Self {
            scenario: scenario.to_owned(),
            concurrency,
            rate_per_s: None,
            ops,
            errors,
            elapsed_s,
            ops_per_s: if elapsed_s > 0.0 {
                ops as f64 / elapsed_s
            } else {
                0.0
            },
            latency: Latency::of(all),
            errors_by_kind: rec.errors,
            operations,
            server,
            client_cores_busy: None,
        }
    }
}

impl SegmentResult {
    /// The scenario, with its pace if it had one (`signin @500/s`).
    pub fn label(&self) -> String {
        match self.rate_per_s {
            Some(r) => format!("{} @{r:.0}/s", self.scenario),
            None => self.scenario.clone(),
        }
    }
}

/// Microseconds as milliseconds with two decimals.
pub fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// The human table of a run: one line per segment, then the errors.
pub fn table(segments: &[SegmentResult]) -> String {
    let header = [
        "scenario",
        "conc",
        "ops",
        "ops/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "errors",
        "srv µs/op",
        "srv cores",
        "peak RSS MiB",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| (*s).to_owned()).collect()];
    for s in segments {
        let lat = |f: fn(&Latency) -> u64| s.latency.as_ref().map_or("-".into(), |l| ms(f(l)));
        rows.push(vec![
            s.label(),
            s.concurrency.to_string(),
            s.ops.to_string(),
            format!("{:.0}", s.ops_per_s),
            lat(|l| l.p50_us),
            lat(|l| l.p90_us),
            lat(|l| l.p99_us),
            lat(|l| l.max_us),
            s.errors.to_string(),
            s.server
                .as_ref()
                .map_or("-".into(), |u| format!("{:.0}", u.cpu_us_per_op)),
            s.server
                .as_ref()
                .map_or("-".into(), |u| format!("{:.2}", u.cpu_cores_busy)),
            s.server
                .as_ref()
                .map_or("-".into(), |u| mib(u.peak_rss_bytes)),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i] - c.chars().count();
                if i == 0 {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if n == 0 {
            let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    for s in segments.iter().filter(|s| s.errors > 0) {
        out.push_str(&format!(
            "\nerrors in {} at concurrency {}:\n",
            s.scenario, s.concurrency
        ));
        for (kind, n) in &s.errors_by_kind {
            out.push_str(&format!("  {n:>8}  {kind}\n"));
        }
    }
    for s in segments.iter().filter(|s| s.operations.len() > 1) {
        out.push_str(&format!(
            "\n{} at concurrency {}, by operation:\n",
            s.scenario, s.concurrency
        ));
        for (op, o) in &s.operations {
            let (p50, p99) = o
                .latency
                .map_or(("-".into(), "-".into()), |l| (ms(l.p50_us), ms(l.p99_us)));
            out.push_str(&format!(
                "  {op:<20} {:>8} ops  p50 {p50:>7} ms  p99 {p99:>7} ms\n",
                o.ops
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.50), Some(50));
        assert_eq!(percentile(&v, 0.90), Some(90));
        assert_eq!(percentile(&v, 0.99), Some(99));
        assert_eq!(percentile(&v, 1.0), Some(100));
        assert_eq!(percentile(&v, 0.0), Some(1));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.99), Some(7));
        // Ten values: p99 is the largest, p50 the fifth.
        let ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1000];
        assert_eq!(percentile(&ten, 0.99), Some(1000));
        assert_eq!(percentile(&ten, 0.50), Some(5));
        assert_eq!(percentile(&ten, 0.90), Some(9));
    }

    #[test]
    fn latency_summary_sorts_first() {
        let l = Latency::of(vec![30, 10, 20, 40]).unwrap();
        assert_eq!(l.p50_us, 20);
        assert_eq!(l.max_us, 40);
        assert_eq!(l.mean_us, 25);
        assert!(Latency::of(Vec::new()).is_none());
    }

    #[test]
    fn recorders_merge_and_count() {
        let mut a = Recorder::default();
        a.ok("signin", 10);
        a.error("token: HTTP 400 invalid_grant".into());
        let mut b = Recorder::default();
        b.ok("signin", 20);
        b.ok("jwks", 1);
        b.error("token: HTTP 400 invalid_grant".into());
        a.merge(b);
        assert_eq!(a.successes(), 3);
        assert_eq!(a.failures(), 2);
        assert_eq!(a.errors["token: HTTP 400 invalid_grant"], 2);
        let s = SegmentResult::from_recorder("mixed", 4, a, 2.0, None);
        assert_eq!(s.ops, 3);
        assert!((s.ops_per_s - 1.5).abs() < 1e-9);
        assert_eq!(s.operations["signin"].ops, 2);
        let text = table(&[s]);
        assert!(text.contains("mixed"), "{text}");
        assert!(text.contains("token: HTTP 400 invalid_grant"), "{text}");
    }
}
