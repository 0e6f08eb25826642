//! Configuration: embedded defaults, then an optional TOML file, then
//! `LATCHKEY_*` environment variables. Every bad value stops start-up with a
//! message naming the key; an unknown key in the file does too.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::Duration;
use latchkey_core::Secret;
use latchkey_store::DatabaseUrl;
use serde::Deserialize;
use url::Url;

mod branding;
mod metrics;
#[cfg(test)]
mod tests;
mod values;

pub use metrics::MetricsConfig;
pub use values::parse_duration;
use values::{parse_issuer, parse_origin};

/// A configuration problem, naming the key it is about.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("configuration file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{key}: {message}")]
    Invalid { key: String, message: String },
}

/// A table's value from the environment (first) or the file, with the key
/// it came from; an empty or blank value counts as unset.
fn pick_set(
    env: &BTreeMap<String, String>,
    env_key: &'static str,
    file_key: &'static str,
    file_value: Option<String>,
) -> Option<(&'static str, String)> {
    env.get(env_key)
        .map(|v| (env_key, v.clone()))
        .or_else(|| file_value.map(|v| (file_key, v)))
        .filter(|(_, v)| !v.trim().is_empty())
}

fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        message: message.into(),
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Pretty on a terminal, JSON otherwise.
    Auto,
    Pretty,
    Json,
}

/// Where the master key comes from.
#[derive(Debug, Clone)]
pub enum MasterKeySource {
    /// `LATCHKEY_MASTER_KEY`: 64 hex characters.
    Value(Secret<String>),
    /// A file holding 64 hex characters; must exist.
    File(PathBuf),
    /// `<data_dir>/master.key`, generated (mode 0600) on first start.
    DataDir,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub issuer: Url,
    /// Where the issuer came from: `LATCHKEY_ISSUER` or the file's `issuer`;
    /// `None` for the built-in default.
    pub issuer_source: Option<String>,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub database_pool_size: u32,
    pub redis_url: Option<Secret<String>>,
    pub redis_prefix: String,
    pub rp_id: String,
    pub rp_origins: Vec<Url>,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub master_key: MasterKeySource,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Name of the relying party shown by authenticators.
    pub rp_name: String,
    /// The instance's name, in the header and title of every page and in
    /// the notices (default "Latchkey").
    pub instance_name: String,
    /// Outgoing mail server (`smtp://`, `smtps://`, optionally with
    /// `user:password@`); unset: mail is written as `.eml` files under
    /// `<data_dir>/mail/`.
    pub smtp_url: Option<Secret<String>>,
    /// The From address of notifications.
    pub mail_from: String,
    /// The security webhook every guarded-action notice is also POSTed to,
    /// signed with the secret (HMAC-SHA256); unset: none.
    pub security_webhook: Option<(Url, Secret<String>)>,
    /// Whether anyone may create an account without an invitation.
    pub self_signup: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (CIDR networks or
    /// single addresses); empty: the TCP peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Who may read `/metrics`.
    pub metrics: MetricsConfig,
    /// The guarded-action policies: the built-in defaults with the file's
    /// `[recovery.<tier>.<action>]` tables applied, checked.
    pub policies: latchkey_recovery::PolicySet,
    /// The instance's name, colour, logo and support link (the default
    /// until an administrator changes them in the console).
    pub branding: latchkey_store::branding::Brand,
}

/// The keys of the TOML file. Each is also `LATCHKEY_<KEY>` in upper case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    issuer: Option<String>,
    data_dir: Option<String>,
    database_url: Option<String>,
    database_pool_size: Option<u32>,
    redis_url: Option<String>,
    redis_prefix: Option<String>,
    rp_id: Option<String>,
    rp_origins: Option<Vec<String>>,
    log_format: Option<String>,
    log: Option<String>,
    master_key_file: Option<String>,
    session_idle: Option<String>,
    session_absolute: Option<String>,
    rp_name: Option<String>,
    instance_name: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    security_webhook_url: Option<String>,
    security_webhook_secret: Option<String>,
    self_signup: Option<bool>,
    trusted_proxies: Option<Vec<String>>,
    metrics: Option<metrics::MetricsFile>,
    branding: Option<branding::BrandingFile>,
    /// `[recovery.<tier>.<action>]`: complete policies replacing the
    /// defaults (file only: a policy is a table, not one value).
    recovery: Option<latchkey_recovery::PolicyOverrides>,
}

/// Every environment variable the server reads (besides `LATCHKEY_TEST_*`,
/// which only the tests read).
pub const ENV_KEYS: &[&str] = &[
    "LATCHKEY_CONFIG",
    "LATCHKEY_LISTEN",
    "LATCHKEY_ISSUER",
    "LATCHKEY_DATA_DIR",
    "LATCHKEY_DATABASE_URL",
    "LATCHKEY_DATABASE_POOL_SIZE",
    "LATCHKEY_REDIS_URL",
    "LATCHKEY_REDIS_PREFIX",
    "LATCHKEY_RP_ID",
    "LATCHKEY_RP_ORIGINS",
    "LATCHKEY_LOG_FORMAT",
    "LATCHKEY_LOG",
    "LATCHKEY_MASTER_KEY",
    "LATCHKEY_MASTER_KEY_FILE",
    "LATCHKEY_SESSION_IDLE",
    "LATCHKEY_SESSION_ABSOLUTE",
    "LATCHKEY_RP_NAME",
    "LATCHKEY_INSTANCE_NAME",
    "LATCHKEY_TRUSTED_PROXIES",
    "LATCHKEY_SMTP_URL",
    "LATCHKEY_MAIL_FROM",
    "LATCHKEY_SECURITY_WEBHOOK_URL",
    "LATCHKEY_SECURITY_WEBHOOK_SECRET",
    "LATCHKEY_SELF_SIGNUP",
    "LATCHKEY_METRICS_TOKEN",
    "LATCHKEY_METRICS_LISTEN",
    "LATCHKEY_BRANDING_COLOUR",
    "LATCHKEY_BRANDING_LOGO_FILE",
    "LATCHKEY_BRANDING_SUPPORT_URL",
];

impl Config {
    /// Loads the configuration from an optional file and the process
    /// environment.
    pub fn load(file: Option<&Path>) -> Result<(Self, Vec<String>), ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("LATCHKEY_"))
            .collect();
        Self::from_sources(file, &env)
    }

    /// Resolves a configuration from a file and a set of environment
    /// variables. Also returns warnings (unknown `LATCHKEY_*` variables).
    pub fn from_sources(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
    ) -> Result<(Self, Vec<String>), ConfigError> {
        let fc = match file {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
                        path: path.to_owned(),
                        source,
                    })?;
                toml::from_str::<FileConfig>(&text).map_err(|e| ConfigError::File {
                    path: path.to_owned(),
                    message: e.message().to_owned(),
                })?
            }
            None => FileConfig::default(),
        };

        // Unknown LATCHKEY_* variables are reported, not fatal: orchestrators
        // inject their own (Kubernetes adds LATCHKEY_PORT for a service named
        // latchkey).
        let warnings = env
            .keys()
            .filter(|k| !ENV_KEYS.contains(&k.as_str()) && !k.starts_with("LATCHKEY_TEST_"))
            .map(|k| format!("ignoring unknown environment variable {k}"))
            .collect();

        // Environment first, then the file; the key named in errors is the
        // one the value came from.
        let pick = |env_key: &'static str,
                    file_key: &'static str,
                    file_value: Option<String>|
         -> Option<(String, String)> {
            env.get(env_key)
                .map(|v| (env_key.to_owned(), v.clone()))
                .or_else(|| file_value.map(|v| (file_key.to_owned(), v)))
        };

        let listen = match pick("LATCHKEY_LISTEN", "listen", fc.listen) {
            Some((key, v)) => v.parse::<SocketAddr>().map_err(|_| {
                invalid(
                    &key,
                    format!("{v:?} is not a socket address (use host:port, e.g. 127.0.0.1:8080)"),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };

        let (issuer, issuer_source) = match pick("LATCHKEY_ISSUER", "issuer", fc.issuer) {
            Some((key, v)) => (parse_issuer(&key, &v)?, Some(key)),
            None => (parse_issuer("issuer", "http://localhost:8080")?, None),
        };

        let data_dir = match pick("LATCHKEY_DATA_DIR", "data_dir", fc.data_dir) {
            Some((key, v)) if v.trim().is_empty() => {
                return Err(invalid(&key, "must not be empty"));
            }
            Some((_, v)) => PathBuf::from(v),
            None => PathBuf::from("./data"),
        };

        let database_url = match pick("LATCHKEY_DATABASE_URL", "database_url", fc.database_url) {
            Some((key, v)) => DatabaseUrl::parse(&v).map_err(|e| invalid(&key, e.to_string()))?,
            None => DatabaseUrl::sqlite_file(data_dir.join("latchkey.db")),
        };

        let database_pool_size = match env.get("LATCHKEY_DATABASE_POOL_SIZE") {
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=512).contains(n))
                .ok_or_else(|| {
                    invalid(
                        "LATCHKEY_DATABASE_POOL_SIZE",
                        format!("{v:?} is not a whole number from 1 to 512"),
                    )
                })?,
            None => match fc.database_pool_size {
                Some(n) if (1..=512).contains(&n) => n,
                Some(n) => {
                    return Err(invalid(
                        "database_pool_size",
                        format!("{n} is not from 1 to 512"),
                    ));
                }
                None => 10,
            },
        };

        let redis_url = match pick("LATCHKEY_REDIS_URL", "redis_url", fc.redis_url) {
            Some((_, v)) if v.trim().is_empty() => None,
            Some((key, v)) => {
                if !(v.starts_with("redis://")
                    || v.starts_with("rediss://")
                    || v.starts_with("redis+unix://"))
                {
                    return Err(invalid(
                        &key,
                        "must start with redis://, rediss:// or redis+unix://",
                    ));
                }
                Some(Secret::new(v))
            }
            None => None,
        };

        let redis_prefix = pick("LATCHKEY_REDIS_PREFIX", "redis_prefix", fc.redis_prefix)
            .map(|(_, v)| v)
            .unwrap_or_else(|| "latchkey:".to_owned());

        let issuer_host = issuer.host_str().unwrap_or("localhost").to_owned();
        let rp_id = match pick("LATCHKEY_RP_ID", "rp_id", fc.rp_id) {
            Some((key, v)) => {
                let v = v.trim().to_ascii_lowercase();
                if v.is_empty() || v.contains(['/', ':', ' ']) {
                    return Err(invalid(&key, format!("{v:?} is not a domain name")));
                }
                v
            }
            None => issuer_host,
        };

        let origins_from_env = env.get("LATCHKEY_RP_ORIGINS").map(|v| {
            (
                "LATCHKEY_RP_ORIGINS".to_owned(),
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .collect::<Vec<_>>(),
            )
        });
        let origins =
            origins_from_env.or_else(|| fc.rp_origins.map(|v| ("rp_origins".to_owned(), v)));
        let rp_origins = match origins {
            Some((key, list)) => {
                if list.is_empty() || list.iter().any(String::is_empty) {
                    return Err(invalid(&key, "needs one or more origins, comma-separated"));
                }
                list.iter()
                    .map(|o| parse_origin(&key, o))
                    .collect::<Result<Vec<_>, _>>()?
            }
            None => vec![parse_origin(
                "issuer",
                issuer.origin().ascii_serialization().as_str(),
            )?],
        };
        for origin in &rp_origins {
            let host = origin.host_str().unwrap_or_default();
            if host != rp_id && !host.ends_with(&format!(".{rp_id}")) {
                return Err(invalid(
                    "LATCHKEY_RP_ORIGINS",
                    format!("origin {origin} is not inside the relying party id {rp_id:?}"),
                ));
            }
        }

        let log_format = match pick("LATCHKEY_LOG_FORMAT", "log_format", fc.log_format) {
            Some((key, v)) => match v.as_str() {
                "auto" => LogFormat::Auto,
                "pretty" => LogFormat::Pretty,
                "json" => LogFormat::Json,
                _ => {
                    return Err(invalid(
                        &key,
                        format!("{v:?} is not one of auto, pretty, json"),
                    ));
                }
            },
            None => LogFormat::Auto,
        };

        let log_filter = match pick("LATCHKEY_LOG", "log", fc.log) {
            Some((key, v)) => {
                tracing_subscriber::EnvFilter::try_new(&v)
                    .map_err(|e| invalid(&key, format!("not a log filter: {e}")))?;
                v
            }
            None => "info".to_owned(),
        };

        let master_key = if let Some(v) = env.get("LATCHKEY_MASTER_KEY") {
            if latchkey_store::seal::MasterKey::from_hex(v).is_none() {
                return Err(invalid(
                    "LATCHKEY_MASTER_KEY",
                    "must be 64 hexadecimal characters (32 bytes)",
                ));
            }
            MasterKeySource::Value(Secret::new(v.clone()))
        } else {
            match pick(
                "LATCHKEY_MASTER_KEY_FILE",
                "master_key_file",
                fc.master_key_file,
            ) {
                Some((key, v)) if v.trim().is_empty() => {
                    return Err(invalid(&key, "must not be empty"));
                }
                Some((_, v)) => MasterKeySource::File(PathBuf::from(v)),
                None => MasterKeySource::DataDir,
            }
        };

        let session_idle = match pick("LATCHKEY_SESSION_IDLE", "session_idle", fc.session_idle) {
            Some((key, v)) => parse_duration(&key, &v)?,
            None => Duration::hours(8),
        };
        let session_absolute = match pick(
            "LATCHKEY_SESSION_ABSOLUTE",
            "session_absolute",
            fc.session_absolute,
        ) {
            Some((key, v)) => parse_duration(&key, &v)?,
            None => Duration::hours(24),
        };
        if session_idle > session_absolute {
            return Err(invalid(
                "session_idle",
                "must not be longer than session_absolute",
            ));
        }

        let rp_name = match pick("LATCHKEY_RP_NAME", "rp_name", fc.rp_name) {
            Some((key, v)) if v.trim().is_empty() || v.len() > 64 => {
                return Err(invalid(&key, "must be 1 to 64 characters"));
            }
            Some((_, v)) => v,
            None => "Latchkey".to_owned(),
        };

        // The same check as a name set in the console.
        let instance_name = match pick("LATCHKEY_INSTANCE_NAME", "instance_name", fc.instance_name)
        {
            Some((key, v)) => latchkey_core::branding::check_name(&v).map_err(|_| {
                invalid(
                    &key,
                    "must be 1 to 64 characters, without control characters",
                )
            })?,
            None => latchkey_store::branding::DEFAULT_NAME.to_owned(),
        };

        let smtp_url = match pick("LATCHKEY_SMTP_URL", "smtp_url", fc.smtp_url) {
            Some((_, v)) if v.trim().is_empty() => None,
            Some((key, v)) => {
                let parsed = Url::parse(&v).map_err(|_| {
                    invalid(
                        &key,
                        "is not a URL (use smtp://host:587 or smtps://host:465)",
                    )
                })?;
                if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
                    return Err(invalid(
                        &key,
                        "must be smtp://host[:port] or smtps://host[:port]",
                    ));
                }
                Some(Secret::new(v))
            }
            None => None,
        };

        let webhook_url = pick(
            "LATCHKEY_SECURITY_WEBHOOK_URL",
            "security_webhook_url",
            fc.security_webhook_url,
        )
        .filter(|(_, v)| !v.trim().is_empty());
        let webhook_secret = pick(
            "LATCHKEY_SECURITY_WEBHOOK_SECRET",
            "security_webhook_secret",
            fc.security_webhook_secret,
        )
        .filter(|(_, v)| !v.is_empty());
        let security_webhook = match (webhook_url, webhook_secret) {
            (None, None) => None,
            (None, Some((key, _))) => {
                return Err(invalid(&key, "is set but no security webhook URL is"));
            }
            (Some((key, _)), None) => {
                return Err(invalid(
                    &key,
                    "needs a signing secret too (LATCHKEY_SECURITY_WEBHOOK_SECRET, at least 32 characters)",
                ));
            }
            (Some((url_key, url)), Some((secret_key, secret))) => {
                let url = crate::notify::webhook::check_url(&url)
                    .map_err(|e| invalid(&url_key, e.to_string()))?;
                if secret.len() < crate::notify::webhook::MIN_SECRET_LEN {
                    return Err(invalid(&secret_key, "must be at least 32 characters"));
                }
                Some((url, Secret::new(secret)))
            }
        };

        let mail_from = match pick("LATCHKEY_MAIL_FROM", "mail_from", fc.mail_from) {
            Some((key, v)) => {
                if !v.contains('@') || v.contains(['\r', '\n']) {
                    return Err(invalid(&key, format!("{v:?} is not a mail address")));
                }
                v
            }
            None => "Latchkey <latchkey@localhost>".to_owned(),
        };

        let self_signup = match env.get("LATCHKEY_SELF_SIGNUP") {
            Some(v) => match v.as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => {
                    return Err(invalid(
                        "LATCHKEY_SELF_SIGNUP",
                        format!("{v:?} is not true or false"),
                    ));
                }
            },
            None => fc.self_signup.unwrap_or(false),
        };

        let proxies = match env.get("LATCHKEY_TRUSTED_PROXIES") {
            Some(v) => Some((
                "LATCHKEY_TRUSTED_PROXIES",
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
            )),
            None => fc.trusted_proxies.map(|v| ("trusted_proxies", v)),
        };
        let trusted_proxies = match proxies {
            Some((key, list)) => list
                .iter()
                .map(|n| {
                    latchkey_web::client::TrustedProxies::parse_network(n)
                        .map_err(|e| invalid(key, e))
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };

        let metrics = metrics::resolve(env, fc.metrics, listen)?;
        let branding = branding::resolve(env, fc.branding, instance_name.clone())?;

        let policies =
            latchkey_recovery::PolicySet::with_overrides(fc.recovery.unwrap_or_default())
                .map_err(|e| invalid("recovery", e.to_string()))?;

        // The relying party is checked here, so a bad value stops start-up
        // before anything is opened (public suffix, origin outside the RP ID).
        latchkey_passkey::RpConfig::validate(&rp_id, &rp_name, &rp_origins)
            .map_err(|e| invalid("LATCHKEY_RP_ID / LATCHKEY_RP_ORIGINS", e.to_string()))?;

        Ok((
            Self {
                listen,
                issuer,
                issuer_source,
                data_dir,
                database_url,
                database_pool_size,
                redis_url,
                redis_prefix,
                rp_id,
                rp_origins,
                log_format,
                log_filter,
                master_key,
                session_idle,
                session_absolute,
                rp_name,
                instance_name,
                smtp_url,
                mail_from,
                security_webhook,
                self_signup,
                trusted_proxies,
                metrics,
                policies,
                branding,
            },
            warnings,
        ))
    }
}
