//! `docs/performance.md` from the results of `bench/run`: method, machine,
//! crypto floor, targets and one results table per backend.

use std::fmt::Write as _;

use crate::floor::Floor;
use crate::run::RunReport;
use crate::scenario::{Op, Scenario};
use crate::stats::{SegmentResult, mib, ms};

/// The storage a server ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    PostgresRedis,
}

impl BackendKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sqlite" => Some(Self::Sqlite),
            "postgres-redis" | "postgres" => Some(Self::PostgresRedis),
            _ => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::PostgresRedis => "PostgreSQL + Redis",
        }
    }
}

/// The results of one backend (a sweep and a paced run, say).
#[derive(Debug, Clone)]
pub struct Backend {
    pub kind: BackendKind,
    pub runs: Vec<RunReport>,
}

impl Backend {
    fn segments(&self) -> impl Iterator<Item = &SegmentResult> {
        self.runs.iter().flat_map(|r| r.segments.iter())
    }

    /// The unpaced segment of `scenario` with the highest throughput.
    fn best(&self, scenario: &str) -> Option<&SegmentResult> {
        self.segments()
            .filter(|s| s.scenario == scenario && s.rate_per_s.is_none())
            .max_by(|a, b| a.ops_per_s.total_cmp(&b.ops_per_s))
    }

    fn paced(&self, scenario: &str) -> Option<&SegmentResult> {
        self.segments()
            .find(|s| s.scenario == scenario && s.rate_per_s.is_some())
    }

    fn idle_rss(&self) -> Option<u64> {
        self.runs.iter().find_map(|r| r.server_rss_at_start_bytes)
    }

    fn peak_rss(&self) -> Option<u64> {
        self.segments()
            .filter_map(|s| s.server.as_ref().map(|u| u.peak_rss_bytes))
            .max()
    }
}

/// Where the numbers were taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub cores: usize,
    pub cpu_model: String,
    pub memory_bytes: u64,
}

impl Machine {
    /// This machine, from `/proc`.
    pub fn this() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Self {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".into()),
            memory_bytes: crate::procfs::parse_status_kb(&meminfo, "MemTotal").unwrap_or(0),
        }
    }
}

/// The `model name` of the first CPU in `/proc/cpuinfo`.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == "model name").then(|| v.trim().to_owned())
    })
}

/// Everything the page is made from.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub date: String,
    pub note: Option<String>,
    pub machine: Machine,
    pub floor: Floor,
    pub backends: Vec<Backend>,
}

#[derive(Debug, Clone, Copy)]
enum Goal {
    /// At least this many operations a second (best concurrency).
    OpsPerS(f64),
    /// At most this many µs of server CPU per operation (at the best concurrency).
    CpuUs(f64),
    /// p99 at most this many ms when operations arrive at `rate` a second.
    P99AtRate { ms: f64, rate: f64 },
    /// Resident memory of the idle server, MiB.
    IdleRssMib(f64),
}

/// The performance targets: what later optimisation aims at.
fn goals(kind: BackendKind) -> Vec<(&'static str, Goal)> {
    let (cc, refresh, signin) = match kind {
        BackendKind::Sqlite => (10_000.0, 3_000.0, 1_000.0),
        BackendKind::PostgresRedis => (8_000.0, 2_500.0, 1_500.0),
    };
    let mut g = vec![("client-credentials", Goal::OpsPerS(cc))];
    if kind == BackendKind::Sqlite {
        g.push(("client-credentials", Goal::CpuUs(100.0)));
    }
    g.extend([
        ("discovery", Goal::CpuUs(15.0)),
        ("jwks", Goal::CpuUs(15.0)),
        ("refresh", Goal::OpsPerS(refresh)),
        ("signin", Goal::OpsPerS(signin)),
        (
            "signin",
            Goal::P99AtRate {
                ms: 15.0,
                rate: signin / 2.0,
            },
        ),
        ("idle server", Goal::IdleRssMib(20.0)),
    ]);
    g
}

/// The paced sign-in rate the targets ask about, per backend.
pub fn half_signin_target(kind: BackendKind) -> f64 {
    match kind {
        BackendKind::Sqlite => 500.0,
        BackendKind::PostgresRedis => 750.0,
    }
}

/// `12345.6` → `12,346`.
pub fn thousands(x: f64) -> String {
    let n = x.round().max(0.0) as u64;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ops_of(scenario: &str) -> Vec<Op> {
    match scenario.parse::<Scenario>() {
        Ok(Scenario::One(op)) => vec![op],
        Ok(Scenario::Mixed(cycle)) => cycle,
        Err(_) => Vec::new(),
    }
}

/// Floor cost of one operation of a scenario, µs on one core.
fn floor_cost(floor: &Floor, scenario: &str) -> Option<f64> {
    floor.cost_us_of(&ops_of(scenario))
}

fn goal_text(goal: Goal) -> String {
    match goal {
        Goal::OpsPerS(n) => format!("≥ {}/s", thousands(n)),
        Goal::CpuUs(us) => format!("≤ {us:.0} µs server CPU per op"),
        Goal::P99AtRate { ms, rate } => format!("p99 ≤ {ms:.0} ms at {}/s", thousands(rate)),
        Goal::IdleRssMib(mib) => format!("idle RSS ≤ {mib:.0} MiB"),
    }
}

/// Measured value and whether the goal is met (`None`: not measured).
fn evaluate(backend: &Backend, scenario: &str, goal: Goal) -> (String, Option<bool>) {
    match goal {
        Goal::OpsPerS(n) => match backend.best(scenario) {
            Some(s) => (
                format!(
                    "{}/s (at {} clients)",
                    thousands(s.ops_per_s),
                    s.concurrency
                ),
                Some(s.ops_per_s >= n && s.errors == 0),
            ),
            None => ("not measured".into(), None),
        },
        Goal::CpuUs(us) => match backend.best(scenario).and_then(|s| s.server.as_ref()) {
            Some(u) => (
                format!("{:.0} µs", u.cpu_us_per_op),
                Some(u.cpu_us_per_op <= us),
            ),
            None => ("not measured".into(), None),
        },
        Goal::P99AtRate { ms: limit, rate } => match backend.paced(scenario) {
            Some(s) => {
                let p99 = s.latency.map(|l| l.p99_us as f64 / 1000.0);
                let reached = s.ops_per_s >= 0.95 * rate;
                let text = format!(
                    "p99 {} ms, {}/s reached",
                    p99.map_or("-".into(), |v| format!("{v:.1}")),
                    thousands(s.ops_per_s)
                );
                (
                    text,
                    Some(reached && p99.is_some_and(|v| v <= limit) && s.errors == 0),
                )
            }
            None => ("not measured".into(), None),
        },
        Goal::IdleRssMib(limit) => match backend.idle_rss() {
            Some(b) => (
                format!("{} MiB", mib(b)),
                Some(b as f64 / (1024.0 * 1024.0) <= limit),
            ),
            None => ("not measured".into(), None),
        },
    }
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "not yet",
        None => "—",
    }
}

/// The whole page.
pub fn render(input: &ReportInput) -> String {
    let mut o = String::new();
    let f = &input.floor;
    let first_run = input.backends.iter().flat_map(|b| b.runs.first()).next();
    let duration = first_run.and_then(|r| r.segment_duration_s);
    let warmup = first_run.and_then(|r| r.warmup_s);
    let concurrencies: Vec<String> = {
        let mut c: Vec<usize> = input
            .backends
            .iter()
            .flat_map(|b| b.segments())
            .filter(|s| s.rate_per_s.is_none())
            .map(|s| s.concurrency)
            .collect();
        c.sort_unstable();
        c.dedup();
        c.iter().map(ToString::to_string).collect()
    };

    let _ = writeln!(o, "# Performance\n");
    let _ = writeln!(
        o,
        "Written by `bench/run` on {}. Regenerate with `bench/run` on a quiet machine; \
         the targets below are goals for later optimisation, not assertions.\n",
        input.date
    );
    if let Some(note) = &input.note {
        let _ = writeln!(o, "> {note}\n");
    }

    let _ = writeln!(o, "## Method\n");
    let _ = writeln!(
        o,
        "- Release builds of `latchkey` and `latchkey-load` (`cargo build --release -p latchkey-server -p latchkey-loadgen`).\n\
         - One server per backend, default configuration (INFO logs, JSON, to a file: one line per request, routine fetches of discovery, JWKS and the probes at DEBUG): \
         SQLite in a temporary directory; PostgreSQL (a fresh `bench_*` database, dropped afterwards) with Redis sessions under a unique key prefix.\n\
         - `latchkey-load` enrols its users the way people do — an invitation from `latchkey user invite`, the invitation page, \
         a passkey registered on a software authenticator (discoverable, user-verified ES256) — and registers its clients with \
         `latchkey client create`. Each user has its own browser (cookies, CSRF token, kept-alive connection from a loopback address of its own).\n\
         - Each scenario runs at {} concurrent clients, closed loop, {} per segment{}; the load generator shares the machine with the server \
         (one thread), so the server's own CPU time per operation (utime + stime from `/proc/PID/stat`, before and after) is the steadier figure. \
         It counts the `latchkey` process only: on PostgreSQL + Redis the database's and Redis's own work is not in it.\n\
         - Sign-ins are also paced at half their target rate (open loop; latency counted from when each was due) for the p99 target.\n\
         - A sign-in is the whole flow: `/authorize` with PKCE → sign-in page → `/signin/options` → assertion → `/signin/finish` → \
         `/authorize/continue` → code → `/token` → ID token verified against `/jwks`.\n\
         - Crypto floor: ring's ES256 signing and P-256 verification on one core, measured in the same run. \
         \"% of floor\" is the throughput over what all {} cores would reach doing nothing but the operation's signatures; \
         \"× crypto\" is the server CPU per operation over that signature work \
         (sign-in: 1 verification + 2 signatures; refresh: 2 signatures; client credentials: 1 signature; userinfo, introspection: 1 verification; \
         documents: none).\n\
         - Idle RSS: the server's resident memory after start-up, before any load.\n",
        if concurrencies.is_empty() {
            "—".to_owned()
        } else {
            concurrencies.join(", ")
        },
        duration.map_or("a fixed number of operations".into(), |d| format!(
            "{d:.0} s"
        )),
        warmup.map_or(String::new(), |w| format!(" after {w:.0} s of warm-up")),
        f.cores,
    );

    let _ = writeln!(o, "## Machine\n");
    let _ = writeln!(o, "| | |\n|---|---|");
    let _ = writeln!(o, "| cores (`nproc`) | {} |", input.machine.cores);
    let _ = writeln!(o, "| CPU | {} |", input.machine.cpu_model);
    let _ = writeln!(
        o,
        "| memory | {:.1} GiB |\n",
        input.machine.memory_bytes as f64 / (1024.0 * 1024.0 * 1024.0)
    );

    let _ = writeln!(o, "## Crypto floor (ring, one core)\n");
    let _ = writeln!(
        o,
        "| primitive | µs each | per second per core |\n|---|---:|---:|"
    );
    let _ = writeln!(
        o,
        "| ES256 sign | {:.1} | {} |",
        f.es256_sign_us,
        thousands(f.es256_signs_per_s_per_core)
    );
    let _ = writeln!(
        o,
        "| P-256 verify | {:.1} | {} |\n",
        f.p256_verify_us,
        thousands(f.p256_verifies_per_s_per_core)
    );

    let _ = writeln!(o, "## Targets\n");
    for b in &input.backends {
        let _ = writeln!(o, "### {}\n", b.kind.title());
        let _ = writeln!(o, "| scenario | target | measured | |\n|---|---|---|---|");
        for (scenario, goal) in goals(b.kind) {
            let (measured, met) = evaluate(b, scenario, goal);
            let _ = writeln!(
                o,
                "| {scenario} | {} | {measured} | {} |",
                goal_text(goal),
                verdict(met)
            );
        }
        let _ = writeln!(o);
    }

    for b in &input.backends {
        let _ = writeln!(o, "## Results: {}\n", b.kind.title());
        if let Some(r) = b.runs.first() {
            let _ = writeln!(
                o,
                "{} users enrolled through the CLI and their invitation pages in {:.1} s (enrolment route `{}`). \
                 Idle RSS {} MiB, peak RSS {} MiB.\n",
                r.users,
                r.setup_s,
                r.enrol_route,
                b.idle_rss().map_or("-".into(), mib),
                b.peak_rss().map_or("-".into(), mib),
            );
        }
        let _ = writeln!(
            o,
            "| scenario | clients | ops/s | % of floor | p50 ms | p99 ms | max ms | server CPU µs/op | × crypto | server cores busy | load generator cores busy | errors |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for s in b.segments() {
            let cost = floor_cost(f, &s.scenario);
            let of_floor = cost.map_or("—".into(), |c| {
                format!("{:.1} %", 100.0 * s.ops_per_s * c / (f.cores as f64 * 1e6))
            });
            let cpu = s.server.as_ref().map(|u| u.cpu_us_per_op);
            let x_crypto = match (cpu, cost) {
                (Some(cpu), Some(c)) => format!("{:.1}", cpu / c),
                _ => "—".into(),
            };
            let lat = |g: fn(&crate::stats::Latency) -> u64| {
                s.latency.as_ref().map_or("-".into(), |l| ms(g(l)))
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {of_floor} | {} | {} | {} | {} | {x_crypto} | {} | {} | {} |",
                s.label(),
                s.concurrency,
                thousands(s.ops_per_s),
                lat(|l| l.p50_us),
                lat(|l| l.p99_us),
                lat(|l| l.max_us),
                cpu.map_or("-".into(), |c| format!("{c:.0}")),
                s.server
                    .as_ref()
                    .map_or("-".into(), |u| format!("{:.2}", u.cpu_cores_busy)),
                s.client_cores_busy
                    .map_or("-".into(), |c| format!("{c:.2}")),
                s.errors,
            );
        }
        let _ = writeln!(o);
        let failing: Vec<&SegmentResult> = b.segments().filter(|s| s.errors > 0).collect();
        if !failing.is_empty() {
            let _ = writeln!(o, "Errors:\n");
            for s in failing {
                for (kind, n) in &s.errors_by_kind {
                    let _ = writeln!(o, "- {} × {}: {n} × `{kind}`", s.label(), s.concurrency);
                }
            }
            let _ = writeln!(o);
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::stats::{Latency, ServerUsage};

    fn segment(
        scenario: &str,
        conc: usize,
        ops_per_s: f64,
        cpu: f64,
        rate: Option<f64>,
    ) -> SegmentResult {
        SegmentResult {
            scenario: scenario.into(),
            concurrency: conc,
            rate_per_s: rate,
            ops: (ops_per_s * 10.0) as u64,
            errors: 0,
            elapsed_s: 10.0,
            ops_per_s,
            latency: Some(Latency {
                p50_us: 2_000,
                p90_us: 5_000,
                p99_us: 12_000,
                max_us: 30_000,
                mean_us: 2_500,
            }),
            errors_by_kind: BTreeMap::new(),
            operations: BTreeMap::new(),
            client_cores_busy: Some(0.5),
            server: Some(ServerUsage {
                pid: 1,
                cpu_us_per_op: cpu,
                cpu_cores_busy: 1.5,
                rss_before_bytes: 10_000_000,
                rss_after_bytes: 30_000_000,
                peak_rss_bytes: 40_000_000,
            }),
        }
    }

    fn input() -> ReportInput {
        let run = RunReport {
            label: Some("sqlite".into()),
            base_url: "http://localhost:1".into(),
            users: 100,
            distinct_addresses: true,
            enrol_route: "/enrol/options".into(),
            segment_count: None,
            segment_duration_s: Some(10.0),
            warmup_s: Some(2.0),
            setup_s: 3.0,
            server_rss_at_start_bytes: Some(15_000_000),
            segments: vec![
                segment("client-credentials", 1, 2_000.0, 150.0, None),
                segment("client-credentials", 8, 12_000.0, 90.0, None),
                segment("jwks", 8, 30_000.0, 20.0, None),
                segment("signin", 8, 400.0, 3_000.0, None),
                segment("signin", 64, 500.0, 3_000.0, Some(500.0)),
                segment("mixed", 8, 3_000.0, 300.0, None),
            ],
        };
        ReportInput {
            date: "2030-01-01".into(),
            note: Some("The machine was shared.".into()),
            machine: Machine {
                cores: 2,
                cpu_model: "Test CPU".into(),
                memory_bytes: 24 << 30,
            },
            floor: Floor {
                es256_sign_us: 20.0,
                p256_verify_us: 60.0,
                es256_signs_per_s_per_core: 50_000.0,
                p256_verifies_per_s_per_core: 16_667.0,
                cores: 2,
            },
            backends: vec![Backend {
                kind: BackendKind::Sqlite,
                runs: vec![run],
            }],
        }
    }

    #[test]
    fn the_page_has_method_machine_floor_targets_and_results() {
        let page = render(&input());
        for needle in [
            "# Performance",
            "2030-01-01",
            "The machine was shared.",
            "| cores (`nproc`) | 2 |",
            "| CPU | Test CPU |",
            "| ES256 sign | 20.0 | 50,000 |",
            "## Results: SQLite",
            "| client-credentials | ≥ 10,000/s | 12,000/s (at 8 clients) | met |",
            "| client-credentials | ≤ 100 µs server CPU per op | 90 µs | met |",
            "| jwks | ≤ 15 µs server CPU per op | 20 µs | not yet |",
            "| signin | ≥ 1,000/s | 400/s (at 8 clients) | not yet |",
            "| signin | p99 ≤ 15 ms at 500/s | p99 12.0 ms, 500/s reached | met |",
            "| refresh | ≥ 3,000/s | not measured | — |",
            "| idle server | idle RSS ≤ 20 MiB | 14.3 MiB | met |",
            "| signin @500/s | 64 |",
        ] {
            assert!(page.contains(needle), "missing {needle:?} in\n{page}");
        }
        // 12,000/s × 20 µs over 2 cores = 12 % of the floor; 90 µs / 20 µs = 4.5 ×.
        assert!(
            page.contains("| client-credentials | 8 | 12,000 | 12.0 % |"),
            "{page}"
        );
        assert!(page.contains("| 90 | 4.5 |"), "{page}");
    }

    #[test]
    fn helpers() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1234.5), "1,235");
        assert_eq!(thousands(10_000_000.0), "10,000,000");
        assert_eq!(
            cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n").as_deref(),
            Some("AMD EPYC 7B13")
        );
        assert_eq!(BackendKind::parse("sqlite"), Some(BackendKind::Sqlite));
        assert_eq!(
            BackendKind::parse("postgres-redis"),
            Some(BackendKind::PostgresRedis)
        );
        assert_eq!(BackendKind::parse("mysql"), None);
    }
}
