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
    /// Outgoing mail server (`smtp://`, `smtps://`, optionally with
    /// `user:password@`); unset: mail is written as `.eml` files under
    /// `<data_dir>/mail/`.
    pub smtp_url: Option<Secret<String>>,
    /// The From address of notifications.
    pub mail_from: String,
    /// Whether anyone may create an account without an invitation.
    pub self_signup: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (CIDR networks or
    /// single addresses); empty: the TCP peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
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
    smtp_url: Option<String>,
    mail_from: Option<String>,
    self_signup: Option<bool>,
    trusted_proxies: Option<Vec<String>>,
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
    "LATCHKEY_TRUSTED_PROXIES",
    "LATCHKEY_SMTP_URL",
    "LATCHKEY_MAIL_FROM",
    "LATCHKEY_SELF_SIGNUP",
];

/// Parses `90s`, `30m`, `8h`, `7d` (a whole number and one unit).
pub fn parse_duration(key: &str, text: &str) -> Result<Duration, ConfigError> {
    let text = text.trim();
    let bad = || {
        invalid(
            key,
            format!("{text:?} is not a duration (use e.g. 90s, 30m, 8h or 7d)"),
        )
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = text.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let d = match unit {
        "s" => Duration::try_seconds(n),
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        _ => None,
    }
    .ok_or_else(bad)?;
    if d <= Duration::zero() {
        return Err(invalid(key, "must be longer than zero"));
    }
    Ok(d)
}

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

        let issuer = match pick("LATCHKEY_ISSUER", "issuer", fc.issuer) {
            Some((key, v)) => parse_issuer(&key, &v)?,
            None => parse_issuer("issuer", "http://localhost:8080")?,
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

        // The relying party is checked here, so a bad value stops start-up
        // before anything is opened (public suffix, origin outside the RP ID).
        latchkey_passkey::RpConfig::validate(&rp_id, &rp_name, &rp_origins)
            .map_err(|e| invalid("LATCHKEY_RP_ID / LATCHKEY_RP_ORIGINS", e.to_string()))?;

        Ok((
            Self {
                listen,
                issuer,
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
                smtp_url,
                mail_from,
                self_signup,
                trusted_proxies,
            },
            warnings,
        ))
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host.ends_with(".localhost")
}

/// The issuer is an https URL (http only for localhost) without query or
/// fragment; a trailing slash is dropped so `iss` compares exactly.
fn parse_issuer(key: &str, v: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(v).map_err(|e| invalid(key, format!("{v:?} is not a URL: {e}")))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&host) => {}
        "http" => {
            return Err(invalid(
                key,
                "must use https (http is allowed only for localhost)",
            ));
        }
        _ => return Err(invalid(key, "must be an https URL")),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(key, "must not have a query or fragment"));
    }
    if url.path() != "/" {
        // Every route is served at the root; an issuer path would make `iss`
        // and the endpoint URLs disagree.
        return Err(invalid(
            key,
            "must not have a path (serve Latchkey at the root of its host)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(key, "must not hold credentials"));
    }
    Ok(url)
}

fn parse_origin(key: &str, v: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(v).map_err(|e| invalid(key, format!("{v:?} is not an origin: {e}")))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let secure = url.scheme() == "https" || (url.scheme() == "http" && is_loopback_host(&host));
    if !secure || url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            key,
            format!("{v:?} is not an origin (scheme://host[:port], https unless localhost)"),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn err(pairs: &[(&str, &str)]) -> String {
        Config::from_sources(None, &env(pairs))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn defaults_need_no_configuration() {
        let (c, warnings) = Config::from_sources(None, &env(&[])).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.issuer.as_str(), "http://localhost:8080/");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(
            c.database_url,
            DatabaseUrl::sqlite_file("./data/latchkey.db")
        );
        assert!(c.redis_url.is_none());
        assert_eq!(c.rp_id, "localhost");
        assert_eq!(c.rp_origins[0].as_str(), "http://localhost:8080/");
        assert!(matches!(c.master_key, MasterKeySource::DataDir));
        assert!(warnings.is_empty());
    }

    #[test]
    fn trusted_proxies_are_networks_or_addresses_and_default_to_none() {
        let none = Config::from_sources(None, &env(&[])).unwrap().0;
        assert!(none.trusted_proxies.is_empty());
        let some = Config::from_sources(
            None,
            &env(&[(
                "LATCHKEY_TRUSTED_PROXIES",
                "10.0.0.0/8, 192.0.2.7,2001:db8::/32",
            )]),
        )
        .unwrap()
        .0;
        let shown: Vec<String> = some
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]);
        assert!(
            err(&[("LATCHKEY_TRUSTED_PROXIES", "10.0.0.0/8,proxy")])
                .starts_with("LATCHKEY_TRUSTED_PROXIES:")
        );
    }

    #[test]
    fn bad_values_name_their_key() {
        assert!(err(&[("LATCHKEY_LISTEN", "bogus")]).starts_with("LATCHKEY_LISTEN:"));
        assert!(err(&[("LATCHKEY_ISSUER", "http://example.com")]).starts_with("LATCHKEY_ISSUER:"));
        assert!(
            err(&[("LATCHKEY_ISSUER", "https://example.com/idp")]).starts_with("LATCHKEY_ISSUER:")
        );
        assert!(
            err(&[("LATCHKEY_DATABASE_URL", "mysql://x")]).starts_with("LATCHKEY_DATABASE_URL:")
        );
        assert!(err(&[("LATCHKEY_REDIS_URL", "http://x")]).starts_with("LATCHKEY_REDIS_URL:"));
        assert!(err(&[("LATCHKEY_MASTER_KEY", "abc")]).starts_with("LATCHKEY_MASTER_KEY:"));
        assert!(err(&[("LATCHKEY_SESSION_IDLE", "forever")]).starts_with("LATCHKEY_SESSION_IDLE:"));
        assert!(err(&[("LATCHKEY_LOG_FORMAT", "xml")]).starts_with("LATCHKEY_LOG_FORMAT:"));
        assert!(
            err(&[("LATCHKEY_DATABASE_POOL_SIZE", "0")])
                .starts_with("LATCHKEY_DATABASE_POOL_SIZE:")
        );
        let e = err(&[
            ("LATCHKEY_ISSUER", "https://github.io"),
            ("LATCHKEY_RP_ID", "github.io"),
        ]);
        assert!(e.contains("public suffix"), "{e}");
        let e = err(&[("LATCHKEY_RP_ORIGINS", "https://evil.example")]);
        assert!(e.contains("not inside the relying party id"), "{e}");
    }

    #[test]
    fn unknown_file_key_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latchkey.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9000\"\nlisten_port = 9000\n").unwrap();
        let e = Config::from_sources(Some(&path), &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("listen_port"), "{e}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latchkey.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\nsession_idle = \"30m\"\n",
        )
        .unwrap();
        let (c, _) =
            Config::from_sources(Some(&path), &env(&[("LATCHKEY_LISTEN", "0.0.0.0:9001")]))
                .unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:9001");
        assert_eq!(c.session_idle, Duration::minutes(30));
        std::fs::write(&path, "listen = \"nope\"\n").unwrap();
        let e = Config::from_sources(Some(&path), &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("listen:"), "{e}");
    }

    #[test]
    fn unknown_environment_variable_is_a_warning_not_an_error() {
        let (_, warnings) = Config::from_sources(
            None,
            &env(&[
                ("LATCHKEY_PORT", "tcp://10.0.0.1:80"),
                ("LATCHKEY_TEST_DATABASE_URL", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(
            warnings,
            vec!["ignoring unknown environment variable LATCHKEY_PORT".to_owned()]
        );
    }

    #[test]
    fn rp_id_and_origins_follow_the_issuer() {
        let (c, _) =
            Config::from_sources(None, &env(&[("LATCHKEY_ISSUER", "https://id.example.com")]))
                .unwrap();
        assert_eq!(c.rp_id, "id.example.com");
        let (c, _) = Config::from_sources(
            None,
            &env(&[
                ("LATCHKEY_ISSUER", "https://id.example.com"),
                ("LATCHKEY_RP_ID", "example.com"),
                (
                    "LATCHKEY_RP_ORIGINS",
                    "https://id.example.com, https://example.com",
                ),
            ]),
        )
        .unwrap();
        assert_eq!(c.rp_origins.len(), 2);
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("k", "90s").unwrap(), Duration::seconds(90));
        assert_eq!(parse_duration("k", "7d").unwrap(), Duration::days(7));
        assert!(parse_duration("k", "0s").is_err());
        assert!(parse_duration("k", "5").is_err());
        assert!(parse_duration("k", "h").is_err());
    }
}
