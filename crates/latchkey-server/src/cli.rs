//! The command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use latchkey_core::SystemClock;
use latchkey_store::Db;
use latchkey_store::audit::AuditChain;

use crate::config::Config;
use crate::startup::{Application, open_database};
use crate::{logging, master_key};

#[derive(Debug, Parser)]
#[command(
    name = "latchkey",
    version,
    about = "Passkey-first OpenID Connect identity provider"
)]
pub struct Cli {
    /// TOML configuration file; LATCHKEY_* environment variables override it.
    #[arg(long, global = true, value_name = "FILE", env = "LATCHKEY_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (applies pending migrations first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Audit log commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the audit log; exits 1 naming the first
    /// changed, inserted or removed event.
    Verify,
}

/// Parses the command line, runs the command, and maps the outcome to an
/// exit code: 0 success, 1 failure, 2 bad configuration or usage.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let (config, warnings) = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("latchkey: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    logging::init(config.log_format, &config.log_filter);
    for w in warnings {
        tracing::warn!("{w}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("latchkey: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve => serve(config).await,
            Command::Migrate => migrate(config).await,
            Command::Audit {
                command: AuditCommand::Verify,
            } => audit_verify(config).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "failed");
            eprintln!("latchkey: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let issuer = config.issuer.clone();
    let app = Application::build(config, Arc::new(SystemClock)).await?;
    // Graceful shutdown: stop accepting, let in-flight requests finish
    // (up to the shutdown timeout), then exit 0.
    let handle = app.handle();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!("SIGTERM received, shutting down"),
            _ = tokio::signal::ctrl_c() => tracing::info!("interrupt received, shutting down"),
        }
        handle.stop(true).await;
    });
    tracing::info!(port = app.port(), issuer = %issuer, "listening");
    app.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}

async fn migrate(config: Config) -> anyhow::Result<ExitCode> {
    crate::startup::ensure_data_dir(&config)?;
    open_database(&config).await?;
    println!("database is up to date ({})", config.database_url);
    Ok(ExitCode::SUCCESS)
}

async fn audit_verify(config: Config) -> anyhow::Result<ExitCode> {
    let master = master_key::load(&config, false)?;
    let db = Db::open(&config.database_url, &Default::default());
    let chain = AuditChain::new(&master.key);
    let report = db
        .run(move |conn| chain.verify(conn))
        .await
        .with_context(|| format!("reading the audit log from {}", config.database_url))?;
    match report.broken {
        None => {
            println!(
                "audit chain intact: {} events, head #{} {}",
                report.rows, report.head_seq, report.head_hash
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(brk) => {
            println!(
                "audit chain BROKEN: {brk} (the {} events before it verify; last good head #{} {})",
                report.rows, report.head_seq, report.head_hash
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
