//! Building and running the application (zero2prod's `Application::build`):
//! everything is constructed here and passed in; nothing is global.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use latchkey_core::SharedClock;
use latchkey_session::{Lifetimes, SessionStore};
use latchkey_store::audit::AuditChain;
use latchkey_store::seal::MasterKey;
use latchkey_store::{Db, PoolOptions};
use latchkey_web::{AppState, Metrics};
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::{instance, master_key, notify, worker};

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    bootstrap_url: Option<String>,
    server: Server,
    worker: JoinHandle<()>,
    key_reloader: JoinHandle<()>,
    state: AppState,
}

/// Creates the data directory (owner-only) if it does not exist.
pub fn ensure_data_dir(config: &Config) -> anyhow::Result<()> {
    let dir = &config.data_dir;
    if !dir.exists() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Opens the database, checks it answers (with the real cause if not) and
/// applies pending migrations.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let url = config.database_url.clone();
    let db = Db::open(
        &url,
        &PoolOptions {
            max_size: config.database_pool_size,
            ..PoolOptions::default()
        },
    );
    let migrate_db = db.clone();
    let applied = tokio::task::spawn_blocking(move || {
        Db::check_blocking(&url).with_context(|| format!("connecting to {url}"))?;
        migrate_db
            .migrate_blocking()
            .context("applying database migrations")
    })
    .await??;
    for name in applied {
        tracing::info!(migration = %name, "applied migration");
    }
    Ok(db)
}

/// An opened, migrated, initialised instance: what both the server and the
/// administrative commands start from.
pub struct Instance {
    pub db: Db,
    pub audit: Arc<AuditChain>,
    pub master: MasterKey,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

/// Reloads the signing keys every minute, so a rotation made by `latchkey
/// keys rotate` (or another node) is picked up without a restart.
async fn reload_keys(
    db: Db,
    master: MasterKey,
    keys: latchkey_oidc::keyring::SharedKeyRing,
    clock: SharedClock,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let (master, keys, now) = (master.clone(), keys.clone(), clock.now());
        let result = db
            .run(move |c| {
                keys.reload(c, &master, now)
                    .map(drop)
                    .map_err(|e| latchkey_store::StoreError::Corrupt(e.to_string()))
            })
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "reloading the signing keys failed; the previous keys stay in use");
        }
    }
}

/// While the instance has no administrator, every start prints a new
/// one-time link that creates the first one (stdout and the log).
async fn issue_bootstrap_link(
    db: &Db,
    audit: &Arc<AuditChain>,
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Option<String>> {
    let audit = audit.clone();
    let token = db
        .run(move |c| latchkey_store::accounts::issue_bootstrap_token(c, &audit, now))
        .await
        .context("issuing the bootstrap link")?;
    Ok(token.map(|t| {
        let url = format!("{}/bootstrap/{}", config.issuer.as_str().trim_end_matches('/'), t.expose());
        println!("No administrator exists yet. Open this one-time link to create the first one:\n  {url}");
        tracing::warn!(bootstrap_url = %url, "no administrator exists yet; open the one-time bootstrap link to create the first one");
        url
    }))
}

/// Stores the configured guarded-action policies on the first start, and
/// afterwards takes from the configuration file only what tightens a stored
/// policy: relaxing one needs a `weaken_policy` request with its approvals,
/// so a relaxed value in the file is left out with a warning.
async fn sync_recovery_policies(engine: &latchkey_recovery::GuardedActions) -> anyhow::Result<()> {
    let sync = engine
        .sync_policies()
        .await
        .context("storing the guarded-action policies")?;
    if sync.initialised {
        tracing::info!("guarded-action policies stored from the configuration");
    }
    for (tier, action) in &sync.tightened {
        tracing::info!(%tier, %action, "guarded-action policy tightened from the configuration file");
    }
    for (tier, action, knobs) in &sync.kept {
        tracing::warn!(
            %tier,
            %action,
            relaxed = %knobs.join(","),
            "the configuration file relaxes a stored guarded-action policy; it stays as stored. Relaxing a policy needs approvals: ask for it on the console's recovery policies page"
        );
    }
    Ok(())
}

/// Says at start-up whether FIDO metadata is imported, warning when the
/// imported blob is past its nextUpdate. Never stops the start: metadata is
/// optional (model names fall back to the built-in table).
async fn warn_if_metadata_stale(db: &Db, now: chrono::DateTime<chrono::Utc>) {
    match db
        .run(latchkey_store::authenticator_metadata::last_blob)
        .await
    {
        Ok(None) => tracing::info!(
            "no FIDO metadata blob imported; model names come from the built-in table"
        ),
        Ok(Some(blob)) => {
            let next_update = blob.next_update.date_naive();
            if latchkey_passkey::mds::is_past_next_update(next_update, now) {
                tracing::warn!(
                    serial = blob.serial,
                    next_update = %next_update,
                    "the imported FIDO metadata blob is past its nextUpdate; download a current one and run `latchkey metadata import`"
                );
            } else {
                tracing::info!(serial = blob.serial, entries = blob.entries, next_update = %next_update, "FIDO metadata imported");
            }
        }
        Err(e) => tracing::warn!(error = %e, "reading the FIDO metadata status failed"),
    }
}

/// Opens the instance with the system clock (for commands).
pub async fn open_instance(config: &Config) -> anyhow::Result<Instance> {
    open_instance_at(config, Arc::new(latchkey_core::SystemClock)).await
}

/// Creates the data directory and master key if needed, migrates, and
/// initialises a new instance (audited).
pub async fn open_instance_at(config: &Config, clock: SharedClock) -> anyhow::Result<Instance> {
    ensure_data_dir(config)?;
    let master = master_key::load(config, true)?;
    if master.created {
        tracing::warn!(path = %master.origin, "generated a new master key; back it up, nothing sealed with it can be read without it");
    }
    let db = open_database(config).await?;
    tracing::info!(database = %config.database_url, "database ready");
    let audit = Arc::new(AuditChain::new(&master.key));
    let init = {
        let (db, audit, key, created, origin) = (
            db.clone(),
            audit.clone(),
            master.key.clone(),
            master.created,
            master.origin.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let mut conn = db.get_blocking()?;
            instance::initialise(&mut conn, &key, created, &origin, &audit, clock.now())
        })
        .await??
    };
    if init.initialised_now {
        tracing::info!(instance_id = %init.instance_id, "initialised a new instance");
    }
    if let Some(kid) = &init.signing_key_created {
        tracing::info!(kid = %kid, "created the first signing key");
    }
    Ok(Instance {
        db,
        audit,
        master: master.key,
    })
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// The browser-session store the configuration names (Redis, else the
/// database).
pub fn session_store(
    config: &Config,
    db: &Db,
    clock: &SharedClock,
) -> anyhow::Result<SessionStore> {
    let lifetimes = Lifetimes {
        idle: config.session_idle,
        absolute: config.session_absolute,
    };
    Ok(match &config.redis_url {
        Some(url) => {
            let store =
                SessionStore::redis(url.expose(), &config.redis_prefix, clock.clone(), lifetimes)
                    .context("LATCHKEY_REDIS_URL")?;
            tracing::info!("sessions in Redis");
            store
        }
        None => {
            tracing::info!("sessions in the database");
            SessionStore::sql(db.clone(), clock.clone(), lifetimes)
        }
    })
}

/// The guarded-action engine under the configured policies.
pub fn engine(
    config: &Config,
    db: &Db,
    clock: &SharedClock,
    audit: &Arc<latchkey_store::audit::AuditChain>,
    recovery_codes: &Arc<latchkey_store::recovery_codes::RecoveryCodeHasher>,
    issuer_id: &str,
) -> latchkey_recovery::GuardedActions {
    let mut engine = latchkey_recovery::EngineConfig::new(issuer_id);
    engine.policies = config.policies.clone();
    engine.security_webhook = config.security_webhook.is_some();
    engine.instance_name = config.instance_name.clone();
    latchkey_recovery::GuardedActions::new(
        db.clone(),
        clock.clone(),
        audit.clone(),
        recovery_codes.clone(),
        engine,
    )
}

impl Application {
    /// Builds the application listening on the configured address.
    pub async fn build(config: Config, clock: SharedClock) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.listen)
            .with_context(|| format!("LATCHKEY_LISTEN: cannot listen on {}", config.listen))?;
        Self::build_with_listener(config, clock, listener).await
    }

    /// Builds the application on an already bound listener (tests bind port 0
    /// first so that the issuer can name the port).
    pub async fn build_with_listener(
        config: Config,
        clock: SharedClock,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let Instance { db, audit, master } = open_instance_at(&config, clock.clone()).await?;
        let rp =
            latchkey_passkey::RpConfig::new(&config.rp_id, &config.rp_name, &config.rp_origins)
                .context("LATCHKEY_RP_ID / LATCHKEY_RP_ORIGINS")?;
        let bootstrap_url = issue_bootstrap_link(&db, &audit, &config, clock.now()).await?;
        warn_if_metadata_stale(&db, clock.now()).await;
        let keys = {
            let (db, master, now) = (db.clone(), master.clone(), clock.now());
            tokio::task::spawn_blocking(move || {
                let mut conn = db.get_blocking()?;
                latchkey_oidc::keyring::SharedKeyRing::load(&mut conn, &master, now)
                    .context("loading the signing keys")
            })
            .await??
        };

        let sessions = session_store(&config, &db, &clock)?;

        let rp = Arc::new(rp);
        let recovery_codes = Arc::new(latchkey_store::recovery_codes::RecoveryCodeHasher::new(
            &master,
        ));
        let issuer_id = latchkey_oidc::discovery::issuer_identifier(&config.issuer);
        let live_settings =
            latchkey_store::live_settings::LiveSettings::new(db.clone(), config.self_signup)
                .with_brand(config.branding.clone());
        let oidc = latchkey_oidc::Provider::new(latchkey_oidc::ProviderParts {
            db: db.clone(),
            sessions: sessions.clone(),
            clock: clock.clone(),
            audit: audit.clone(),
            keys: keys.clone(),
            master: master.clone(),
            issuer: issuer_id.clone(),
            settings: live_settings.clone(),
            ui_locales: latchkey_i18n::codes(),
        });
        let metrics = crate::metrics_endpoint::start(Metrics::new(), &config)?;
        let guarded_actions = {
            engine(&config, &db, &clock, &audit, &recovery_codes, &issuer_id).with_metrics(
                latchkey_recovery::EngineMetrics::register(metrics.registry())
                    .context("registering the guarded-action metrics")?,
            )
        };
        sync_recovery_policies(&guarded_actions).await?;
        let accounts = latchkey_accounts::Accounts::new(latchkey_accounts::AccountsConfig {
            db: db.clone(),
            sessions: sessions.clone(),
            clock: clock.clone(),
            audit: audit.clone(),
            rp: rp.clone(),
            recovery_codes: recovery_codes.clone(),
            settings: live_settings,
            guarded: guarded_actions.clone(),
        });
        let state = AppState {
            db,
            sessions,
            clock,
            audit,
            metrics,
            issuer: config.issuer.clone(),
            origin: config.issuer.origin().ascii_serialization(),
            issuer_id,
            rp,
            keys: keys.clone(),
            master: master.clone(),
            trusted_proxies: Arc::new(latchkey_web::client::TrustedProxies::new(
                config.trusted_proxies.clone(),
            )),
            recovery_codes,
            self_signup: config.self_signup,
            accounts,
            oidc,
            recovery: guarded_actions.clone(),
        };

        let port = listener.local_addr()?.port();
        let data = web::Data::new(state.clone());
        let console = guarded_actions.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(actix_web::middleware::from_fn(
                    latchkey_web::middleware::limit_headers,
                ))
                .wrap(actix_web::middleware::from_fn(
                    latchkey_web::chrome::localise_error_pages,
                ))
                .wrap(actix_web::middleware::from_fn(
                    latchkey_web::csrf::ensure_cookie,
                ))
                .wrap(latchkey_web::middleware::security_headers())
                .wrap(actix_web::middleware::from_fn(
                    latchkey_web::middleware::observe,
                ))
                .configure(latchkey_admin::routes(console.clone()))
                .configure(latchkey_web::routes)
        })
        .shutdown_timeout(30)
        // Signals are handled by the caller (`cli::serve`), installed before
        // the server announces itself, so an early SIGTERM is never missed.
        .disable_signals()
        .listen(listener)?
        .run();
        let mailer = notify::mailer_from_config(&config).context("configuring mail")?;
        let webhook = match &config.security_webhook {
            Some((url, secret)) => {
                let hook = notify::webhook::SecurityWebhook::new(
                    url.clone(),
                    secret,
                    std::time::Duration::from_secs(20),
                )
                .context("configuring the security webhook")?;
                tracing::info!(
                    host = url.host_str().unwrap_or_default(),
                    "security webhook configured"
                );
                Some(Arc::new(hook))
            }
            None => None,
        };
        let worker = tokio::spawn(worker::run(worker::WorkerDeps {
            db: state.db.clone(),
            sessions: state.sessions.clone(),
            clock: state.clock.clone(),
            registry: state.metrics.registry().clone(),
            mailer,
            webhook,
            guarded_actions,
        }));
        let key_reloader = tokio::spawn(reload_keys(
            state.db.clone(),
            master.clone(),
            keys,
            state.clock.clone(),
        ));
        Ok(Self {
            port,
            bootstrap_url,
            server,
            worker,
            key_reloader,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The one-time link printed at this start, while no administrator exists.
    pub fn bootstrap_url(&self) -> Option<&str> {
        self.bootstrap_url.as_deref()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle that stops the server gracefully.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM/SIGINT (or `handle().stop(true)`), letting
    /// in-flight requests finish, then stops the worker.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let result = self.server.await;
        self.worker.abort();
        self.key_reloader.abort();
        // Wait for the aborted tasks, then for the pool to stop opening
        // connections: exiting during a TLS handshake to PostgreSQL crashes
        // in OpenSSL's exit-time clean-up.
        let _ = self.worker.await;
        let _ = self.key_reloader.await;
        if !self
            .state
            .db
            .quiesce(std::time::Duration::from_secs(5))
            .await
        {
            tracing::warn!("the database did not answer while shutting down");
        }
        tracing::info!("stopped");
        result.context("running the HTTP server")
    }
}
