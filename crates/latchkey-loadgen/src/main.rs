//! `latchkey-load`: see the crate's README.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use latchkey_loadgen::provision::Cli as LatchkeyCli;
use latchkey_loadgen::report::{Backend, BackendKind, Machine, ReportInput, render};
use latchkey_loadgen::{Bounds, RunConfig, Scenario, Target, floor, stats};

#[derive(Debug, Parser)]
#[command(
    name = "latchkey-load",
    version,
    about = "Load generator for a Latchkey server on this machine: real passkey sign-ins and OIDC traffic"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Enrol users and clients through the server's CLI and pages, then
    /// drive scenarios and report throughput, latency, errors and server cost.
    Run(Box<RunArgs>),
    /// Measure ring's ES256 signing and P-256 verification on one core.
    Floor {
        /// Seconds spent on each primitive.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        /// Also write the result as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Write the performance page (Markdown) from `floor` and `run` JSON files.
    Report {
        /// The JSON of `latchkey-load floor`.
        #[arg(long, value_name = "FILE")]
        floor: PathBuf,
        /// A backend's results: `sqlite=a.json,b.json` or
        /// `postgres-redis=c.json` (repeat for each backend).
        #[arg(long = "backend", value_name = "KIND=FILES", required = true)]
        backends: Vec<String>,
        /// The date the numbers were taken.
        #[arg(long)]
        date: String,
        /// A remark shown at the top (e.g. that the machine was shared).
        #[arg(long)]
        note: Option<String>,
        /// Where to write the page (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn report(
    floor: PathBuf,
    backends: Vec<String>,
    date: String,
    note: Option<String>,
    out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let mut parsed = Vec::new();
    for spec in backends {
        let (kind, files) = spec
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--backend {spec:?}: expected KIND=FILE[,FILE]"))?;
        let kind = BackendKind::parse(kind).ok_or_else(|| {
            anyhow::anyhow!("--backend {spec:?}: the kind is sqlite or postgres-redis")
        })?;
        let runs = files
            .split(',')
            .map(|f| read_json(std::path::Path::new(f)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        parsed.push(Backend { kind, runs });
    }
    let page = render(&ReportInput {
        date,
        note,
        machine: Machine::this(),
        floor: read_json(&floor)?,
        backends: parsed,
    });
    match out {
        Some(path) => {
            std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))?
        }
        None => print!("{page}"),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The server's base URL (its issuer). Only localhost, 127.0.0.0/8 and
    /// [::1] are accepted.
    #[arg(long, default_value = "http://localhost:8080")]
    base_url: String,
    /// Scenarios, comma-separated: signin, refresh, client-credentials,
    /// userinfo, introspect, discovery, jwks, mixed, or all.
    #[arg(long, default_value = "signin")]
    scenario: String,
    /// Concurrent clients, comma-separated for several segments (e.g. 1,8,32).
    #[arg(long, default_value = "1", value_delimiter = ',')]
    concurrency: Vec<usize>,
    /// Stop each segment after this many operations.
    #[arg(long)]
    count: Option<u64>,
    /// Stop each segment after this many seconds.
    #[arg(long)]
    duration: Option<f64>,
    /// Seconds of unmeasured load before each segment.
    #[arg(long)]
    warmup: Option<f64>,
    /// Users to enrol (at least the highest concurrency). Each signs in at
    /// most 20 times a minute (the server's per-account limit), so sign-ins
    /// sustain at most users/3 per second.
    #[arg(long, default_value_t = 64)]
    users: usize,
    /// Enrolments in flight at once.
    #[arg(long, default_value_t = 4)]
    enrol_parallel: usize,
    /// The `latchkey` binary, run for `user invite` and `client create`
    /// with this environment (use the server's LATCHKEY_* variables).
    #[arg(long, value_name = "PATH", default_value = "latchkey")]
    latchkey_bin: PathBuf,
    /// The server's configuration file, passed to the CLI as --config.
    #[arg(long, value_name = "FILE")]
    latchkey_config: Option<PathBuf>,
    /// Measure this process (the server): CPU time per operation, memory.
    #[arg(long, value_name = "PID")]
    server_pid: Option<u32>,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// A name for the run in the JSON (e.g. sqlite).
    #[arg(long)]
    label: Option<String>,
    /// Start this many operations a second (open loop; latency counts from
    /// when each was due). Needs enough --concurrency to keep up.
    #[arg(long)]
    rate: Option<f64>,
    /// Worker threads of the load generator.
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

fn seconds(flag: &str, s: Option<f64>) -> anyhow::Result<Option<Duration>> {
    s.map(|s| {
        Duration::try_from_secs_f64(s).map_err(|_| anyhow::anyhow!("{flag}: {s} is not a duration"))
    })
    .transpose()
}

fn write_json(path: &PathBuf, value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
}

fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let target = Target::parse(&args.base_url)?;
    let scenarios = Scenario::parse_list(&args.scenario).map_err(anyhow::Error::msg)?;
    let bounds = Bounds::new(args.count, seconds("--duration", args.duration)?)?;
    if args.concurrency.is_empty() {
        anyhow::bail!("--concurrency: give at least one value");
    }
    let config = RunConfig {
        target,
        scenarios,
        concurrency: args.concurrency,
        bounds,
        warmup: seconds("--warmup", args.warmup)?,
        users: args.users,
        enrol_parallel: args.enrol_parallel,
        server_pid: args.server_pid,
        rate: args.rate,
        label: args.label,
    };
    let provision = Arc::new(LatchkeyCli {
        bin: args.latchkey_bin,
        config: args.latchkey_config,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.clamp(1, 64))
        .enable_all()
        .build()?;
    let report = runtime.block_on(latchkey_loadgen::run(config, provision))?;
    print!("{}", stats::table(&report.segments));
    if let Some(path) = &args.json {
        write_json(path, &report)?;
    }
    Ok(if report.errors() > 0 {
        eprintln!("latchkey-load: {} operations failed", report.errors());
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Run(run_args) => run(*run_args),
        Command::Floor { seconds: s, json } => (|| {
            let budget = Duration::try_from_secs_f64(s.clamp(0.01, 60.0))?;
            let f = floor::measure(budget)?;
            println!(
                "ES256 sign   {:>8.1} µs  {:>9.0}/s per core\nP-256 verify {:>8.1} µs  {:>9.0}/s per core\ncores        {:>8}",
                f.es256_sign_us,
                f.es256_signs_per_s_per_core,
                f.p256_verify_us,
                f.p256_verifies_per_s_per_core,
                f.cores
            );
            if let Some(path) = &json {
                write_json(path, &f)?;
            }
            Ok(ExitCode::SUCCESS)
        })(),
        Command::Report {
            floor,
            backends,
            date,
            note,
            out,
        } => report(floor, backends, date, note, out),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("latchkey-load: {e:#}");
            ExitCode::from(2)
        }
    }
}
