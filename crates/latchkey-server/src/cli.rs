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
    /// User commands.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// OAuth/OIDC client commands.
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Token-signing key commands.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// FIDO authenticator metadata (MDS3) commands.
    Metadata {
        #[command(subcommand)]
        command: MetadataCommand,
    },
    /// Attestation policy commands.
    Policy {
        #[command(subcommand)]
        command: crate::cli_policy::PolicyCommand,
    },
    /// Group commands (the targets of attestation policies).
    Group {
        #[command(subcommand)]
        command: crate::cli_policy::GroupCommand,
    },
}

#[derive(Debug, Subcommand)]
enum MetadataCommand {
    /// Verify a FIDO MDS3 blob (as downloaded from
    /// https://mds3.fidoalliance.org/) and replace the stored authenticator
    /// models with its entries; a refused blob changes nothing.
    Import {
        /// The blob file.
        file: PathBuf,
    },
    /// Show the imported blob: serial, models, next update.
    Status,
}

#[derive(Debug, Subcommand)]
enum ClientCommand {
    /// Register a client; prints its id and (confidential clients) its secret once.
    Create(crate::cli_clients::ClientCreateArgs),
    /// List the registered clients (never their secrets).
    List,
    /// Disable a client and end every grant it holds (refresh and access
    /// tokens); users can no longer sign in to it.
    Disable {
        /// The client id.
        id: String,
    },
    /// Enable a disabled client again (ended grants stay ended).
    Enable {
        /// The client id.
        id: String,
    },
    /// Change a client's name, redirect URIs, minimum acr, consent, scopes
    /// or resources; flags given replace what the client has.
    Update(crate::cli_client_changes::ClientUpdateArgs),
    /// Give a confidential client a new secret, printed once; the current
    /// one keeps working for the overlap so the application can switch.
    RotateSecret {
        /// The client id.
        id: String,
        /// How long the current secret keeps working (0 for not at all; at most 30d).
        #[arg(long, default_value = "24h")]
        overlap: String,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Promote every algorithm's next key, retire the active one (published
    /// until the tokens it signed have expired) and publish a new next key.
    Rotate,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Print a single-use, expiring invitation link for a new account.
    Invite {
        /// The invitee's email address (notifications go there).
        email: String,
        /// The new account is an administrator.
        #[arg(long)]
        admin: bool,
        /// How long the link works (e.g. 72h, 7d).
        #[arg(long, default_value = "7d")]
        expires: String,
    },
    /// Disable an account at once: its sessions, refresh and access tokens
    /// end. Enabling it again is a guarded change asked for in the console.
    Disable {
        /// The account's username.
        username: String,
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
    let file = cli.config.clone();
    let (config, warnings) = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("latchkey: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if matches!(cli.command, Command::Serve) {
        logging::init(config.log_format, &config.log_filter);
    } else {
        logging::init_stderr(config.log_format, &config.log_filter);
    }
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
            Command::User {
                command:
                    UserCommand::Invite {
                        email,
                        admin,
                        expires,
                    },
            } => invite(config, file.as_deref(), &email, admin, &expires).await,
            Command::User {
                command: UserCommand::Disable { username },
            } => crate::cli_users::disable(config, &username).await,
            Command::Client {
                command: ClientCommand::Create(args),
            } => crate::cli_clients::create(config, args).await,
            Command::Client {
                command: ClientCommand::List,
            } => crate::cli_clients::list(config).await,
            Command::Client {
                command: ClientCommand::Disable { id },
            } => crate::cli_clients::set_disabled(config, &id, true).await,
            Command::Client {
                command: ClientCommand::Enable { id },
            } => crate::cli_clients::set_disabled(config, &id, false).await,
            Command::Client {
                command: ClientCommand::Update(args),
            } => crate::cli_client_changes::update(config, args).await,
            Command::Client {
                command: ClientCommand::RotateSecret { id, overlap },
            } => crate::cli_client_changes::rotate_secret(config, &id, &overlap).await,
            Command::Keys {
                command: KeysCommand::Rotate,
            } => crate::cli_keys::rotate(config).await,
            Command::Metadata {
                command: MetadataCommand::Import { file },
            } => crate::cli_metadata::import(config, &file).await,
            Command::Metadata {
                command: MetadataCommand::Status,
            } => crate::cli_metadata::status(config).await,
            Command::Policy { command } => crate::cli_policy::run(config, command).await,
            Command::Group { command } => crate::cli_policy::run_group(config, command).await,
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
    println!("{}", report.summary());
    Ok(if report.broken.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Where the issuer came from, for the operator: the environment, the
/// configuration file, or the built-in default.
fn issuer_origin(config: &Config, file: Option<&std::path::Path>) -> String {
    match (config.issuer_source.as_deref(), file) {
        (Some("LATCHKEY_ISSUER"), _) => "from LATCHKEY_ISSUER".to_owned(),
        (Some(_), Some(path)) => format!("from {}", path.display()),
        (Some(key), None) => format!("from {key}"),
        (None, _) => "the built-in default: neither LATCHKEY_ISSUER nor a configuration file \
             (--config, LATCHKEY_CONFIG) sets one, so the link works only if the server runs \
             with that issuer too"
            .to_owned(),
    }
}

/// Creates an invitation through the same operation as the console and
/// prints its link under the configured issuer (stdout); which issuer, and
/// where it came from, goes to stderr.
async fn invite(
    config: Config,
    file: Option<&std::path::Path>,
    email: &str,
    admin: bool,
    expires: &str,
) -> anyhow::Result<ExitCode> {
    if latchkey_accounts::invitations::parse_invitee(email).is_err() {
        eprintln!("latchkey: {:?} is not an email address", email.trim());
        return Ok(ExitCode::from(2));
    }
    let lifetime = match crate::config::parse_duration("--expires", expires) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("latchkey: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let instance = crate::startup::open_instance(&config).await?;
    let invitations = latchkey_accounts::Invitations::new(
        instance.db.clone(),
        instance.audit.clone(),
        Arc::new(SystemClock),
    );
    let created = invitations
        .create(
            email,
            admin,
            lifetime,
            latchkey_accounts::Inviter::CommandLine,
        )
        .await?;
    eprintln!(
        "latchkey: issuer {} ({})",
        config.issuer,
        issuer_origin(&config, file)
    );
    println!(
        "Invitation for {}{} (valid until {} UTC, single use):",
        created.email,
        if admin { " (administrator)" } else { "" },
        created.expires_at.format("%Y-%m-%d %H:%M")
    );
    println!("{}", created.link(config.issuer.as_str()));
    Ok(ExitCode::SUCCESS)
}
