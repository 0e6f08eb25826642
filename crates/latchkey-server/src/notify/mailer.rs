//! Sending mail: the [`Mailer`] trait (an external effect, so a trait) and
//! its two implementations, SMTP and `.eml` files.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Duration;

use latchkey_core::Secret;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use url::{Host, Url};

use super::Email;

/// How long connecting, and each SMTP reply, may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a message could not be built or sent. `Display` never shows the
/// recipient, the body or what the server replied (which often quotes the
/// recipient): it is what the info-level log gets. The details are in the
/// source chain, see [`error_chain`].
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the e-mail address is not valid")]
    InvalidAddress(#[source] Option<lettre::address::AddressError>),
    #[error(
        "the From address (LATCHKEY_MAIL_FROM) is not a mailbox such as \"Latchkey <id@example.com>\""
    )]
    InvalidFrom(#[source] lettre::address::AddressError),
    #[error("the SMTP URL (LATCHKEY_SMTP_URL) {0}")]
    InvalidSmtpUrl(&'static str),
    #[error("the outbox payload is not an e-mail message")]
    BadPayload(#[source] serde_json::Error),
    #[error("building the message failed")]
    Build(#[source] lettre::error::Error),
    #[error("preparing TLS for the mail server failed")]
    Tls(#[source] lettre::transport::smtp::Error),
    #[error("{}", smtp_summary(.0))]
    Smtp(#[source] lettre::transport::smtp::Error),
    #[error("creating the mail directory {} failed", .path.display())]
    MailDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing the message file failed")]
    File(#[source] lettre::transport::file::Error),
}

impl MailError {
    /// Whether this message can never be delivered, however often it is
    /// tried: a bad address or payload, or a permanent (5xx) refusal. A 5xx
    /// about authentication (530–538) is the server's configuration, not
    /// the message's, and is retried.
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::InvalidAddress(_) | Self::BadPayload(_) | Self::Build(_) => true,
            Self::Smtp(e) => {
                e.is_permanent()
                    && e.status()
                        .is_none_or(|code| !code.to_string().starts_with("53"))
            }
            _ => false,
        }
    }

    /// Whether the mail server could not be reached at all (connection,
    /// TLS, timeout), as opposed to refusing this one message: other
    /// messages sent now would fail the same way.
    pub fn is_unreachable(&self) -> bool {
        match self {
            Self::Smtp(e) => e.status().is_none() && !e.is_client() && !e.is_response(),
            Self::MailDir { .. } => true,
            _ => false,
        }
    }
}

/// A reply code is safe to log; the text after it is not (servers quote the
/// recipient).
fn smtp_summary(e: &lettre::transport::smtp::Error) -> String {
    match e.status() {
        Some(code) if e.is_transient() => {
            format!("the mail server refused the message for now (reply {code})")
        }
        Some(code) => format!("the mail server refused the message (reply {code})"),
        None if e.is_timeout() => "the mail server did not answer in time".to_owned(),
        None if e.is_tls() => "TLS with the mail server failed".to_owned(),
        // Client errors carry lettre's own fixed texts ("STARTTLS is not
        // supported on this server"), never message data.
        None if e.is_client() => format!("the message cannot be sent to this server ({e})"),
        None if e.is_response() => "the mail server sent a reply that is not SMTP".to_owned(),
        None => "the mail server could not be reached".to_owned(),
    }
}

/// An error with its causes, `a: b: c`, skipping a cause whose text the
/// previous one already ends with (lettre prints its source itself).
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

/// What [`Mailer::send`] returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), MailError>> + Send + 'a>>;

/// Somewhere mail goes. Used as `Arc<dyn Mailer>`.
pub trait Mailer: Send + Sync + fmt::Debug {
    /// Sends one message. `Ok` means the server (or the file) took it.
    fn send<'a>(&'a self, email: &'a Email) -> SendFuture<'a>;

    /// Where mail goes, for the start-up log. Never shows credentials.
    fn describe(&self) -> String;
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Unencrypted: only for a server on the loopback interface.
    Plain,
    /// `smtp://`: STARTTLS, required (no downgrade to plain text).
    StartTls,
    /// `smtps://`: TLS from the first byte.
    ImplicitTls,
}

/// A parsed `LATCHKEY_SMTP_URL`: `smtp://[user:password@]host[:port]` or
/// `smtps://…`. `Display` shows host, port and protection, never the
/// credentials.
#[derive(Debug, Clone)]
pub struct SmtpEndpoint {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    credentials: Option<(String, Secret<String>)>,
}

impl SmtpEndpoint {
    /// `smtp://` on a loopback host (`localhost`, `127.0.0.0/8`, `::1`) is
    /// plain text, for development and tests; on any other host it requires
    /// STARTTLS. `smtps://` is implicit TLS. Default ports: 25 (loopback),
    /// 587 (STARTTLS), 465 (implicit TLS).
    pub fn parse(url: &Secret<String>) -> Result<Self, MailError> {
        let url = Url::parse(url.expose())
            .map_err(|_| MailError::InvalidSmtpUrl("is not a URL (use smtp://host:587)"))?;
        let host = match url.host() {
            Some(Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(MailError::InvalidSmtpUrl("has no host")),
        };
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(MailError::InvalidSmtpUrl(
                "must be smtp://[user:password@]host[:port] or smtps://… without a path or query",
            ));
        }
        let loopback = host == "localhost"
            || host
                .parse::<IpAddr>()
                .is_ok_and(|ip: IpAddr| ip.is_loopback());
        let (security, default_port) = match url.scheme() {
            "smtp" if loopback => (SmtpSecurity::Plain, 25),
            "smtp" => (SmtpSecurity::StartTls, 587),
            "smtps" => (SmtpSecurity::ImplicitTls, 465),
            _ => {
                return Err(MailError::InvalidSmtpUrl(
                    "must start with smtp:// or smtps://",
                ));
            }
        };
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            ("", Some(_)) => {
                return Err(MailError::InvalidSmtpUrl("has a password but no user name"));
            }
            (user, password) => {
                let bad =
                    || MailError::InvalidSmtpUrl("has a badly percent-encoded user or password");
                let user = percent_decode(user).ok_or_else(bad)?;
                let password = percent_decode(password.unwrap_or_default()).ok_or_else(bad)?;
                Some((user, Secret::new(password)))
            }
        };
        Ok(Self {
            host,
            port: url.port().unwrap_or(default_port),
            security,
            credentials,
        })
    }

    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }
}

impl fmt::Display for SmtpEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let security = match self.security {
            SmtpSecurity::Plain => "plain text, loopback",
            SmtpSecurity::StartTls => "STARTTLS",
            SmtpSecurity::ImplicitTls => "TLS",
        };
        if self.host.contains(':') {
            write!(f, "[{}]:{} ({security})", self.host, self.port)
        } else {
            write!(f, "{}:{} ({security})", self.host, self.port)
        }
    }
}

/// Decodes `%XX` sequences (userinfo in a URL stays percent-encoded).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Mail through an SMTP server, over lettre's pooled async transport.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    endpoint: SmtpEndpoint,
    from: Mailbox,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("endpoint", &self.endpoint.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Builds the transport; does not connect. Must run inside a Tokio
    /// runtime (the connection pool starts a cleanup task).
    pub fn new(endpoint: SmtpEndpoint, from: Mailbox) -> Result<Self, MailError> {
        let host = endpoint.host.clone();
        let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone());
        let builder = match endpoint.security {
            SmtpSecurity::Plain => builder,
            SmtpSecurity::StartTls => builder.tls(Tls::Required(
                TlsParameters::new(host).map_err(MailError::Tls)?,
            )),
            SmtpSecurity::ImplicitTls => builder.tls(Tls::Wrapper(
                TlsParameters::new(host).map_err(MailError::Tls)?,
            )),
        };
        let mut builder = builder.port(endpoint.port).timeout(Some(SMTP_TIMEOUT));
        if let Some((user, password)) = &endpoint.credentials {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().clone()));
        }
        Ok(Self {
            transport: builder.build(),
            endpoint,
            from,
        })
    }

    pub fn endpoint(&self) -> &SmtpEndpoint {
        &self.endpoint
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, email: &'a Email) -> SendFuture<'a> {
        Box::pin(async move {
            let message = email.to_message(&self.from)?;
            self.transport
                .send(message)
                .await
                .map(drop)
                .map_err(MailError::Smtp)
        })
    }

    fn describe(&self) -> String {
        format!("SMTP {}", self.endpoint)
    }
}

/// Mail written as RFC 5322 `.eml` files (`<uuid>.eml`) into a directory:
/// the default without an SMTP server, and handy in development.
#[derive(Clone)]
pub struct FileMailer {
    dir: PathBuf,
    transport: AsyncFileTransport<Tokio1Executor>,
    from: Mailbox,
}

impl fmt::Debug for FileMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileMailer")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl FileMailer {
    /// The directory is created (owner-only) when the first message is
    /// written: messages may hold one-time links.
    pub fn new(dir: impl Into<PathBuf>, from: Mailbox) -> Self {
        let dir = dir.into();
        Self {
            transport: AsyncFileTransport::new(&dir),
            dir,
            from,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    async fn ensure_dir(&self) -> Result<(), MailError> {
        let failed = |source| MailError::MailDir {
            path: self.dir.clone(),
            source,
        };
        if tokio::fs::try_exists(&self.dir).await.map_err(failed)? {
            return Ok(());
        }
        let mut builder = tokio::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        builder.mode(0o700);
        builder.create(&self.dir).await.map_err(failed)
    }
}

impl Mailer for FileMailer {
    fn send<'a>(&'a self, email: &'a Email) -> SendFuture<'a> {
        Box::pin(async move {
            let message = email.to_message(&self.from)?;
            self.ensure_dir().await?;
            self.transport
                .send(message)
                .await
                .map(drop)
                .map_err(MailError::File)
        })
    }

    fn describe(&self) -> String {
        format!("files in {}", self.dir.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(url: &str) -> Result<SmtpEndpoint, MailError> {
        SmtpEndpoint::parse(&Secret::new(url.to_owned()))
    }

    #[test]
    fn smtp_on_loopback_is_plain_elsewhere_starttls_is_required() {
        let e = endpoint("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.security),
            ("127.0.0.1", 2525, SmtpSecurity::Plain)
        );
        let e = endpoint("smtp://localhost").unwrap();
        assert_eq!((e.port, e.security), (25, SmtpSecurity::Plain));
        let e = endpoint("smtp://[::1]:1025").unwrap();
        assert_eq!((e.host.as_str(), e.security), ("::1", SmtpSecurity::Plain));
        assert_eq!(e.to_string(), "[::1]:1025 (plain text, loopback)");
        let e = endpoint("smtp://mail.example.com").unwrap();
        assert_eq!((e.port, e.security), (587, SmtpSecurity::StartTls));
        let e = endpoint("smtp://10.0.0.5:25").unwrap();
        assert_eq!(e.security, SmtpSecurity::StartTls);
        let e = endpoint("smtps://mail.example.com").unwrap();
        assert_eq!((e.port, e.security), (465, SmtpSecurity::ImplicitTls));
    }

    #[test]
    fn credentials_are_decoded_and_never_shown() {
        let e = endpoint("smtps://user%40example.com:p%40ss%2Fw0rd@mail.example.com:465").unwrap();
        let (user, password) = e.credentials.clone().unwrap();
        assert_eq!(user, "user@example.com");
        assert_eq!(password.expose(), "p@ss/w0rd");
        assert_eq!(e.to_string(), "mail.example.com:465 (TLS)");
        let debug = format!("{e:?}");
        assert!(!debug.contains("w0rd"), "{debug}");
    }

    #[test]
    fn bad_smtp_urls_are_refused() {
        for bad in [
            "mail.example.com",
            "http://mail.example.com",
            "smtp://:secret@mail.example.com",
            "smtp://mail.example.com/ehlo",
            "smtp://mail.example.com?tls=opportunistic",
            "smtp://user:%zz@mail.example.com",
        ] {
            assert!(endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn percent_decoding_handles_edges() {
        assert_eq!(percent_decode("a%20b").as_deref(), Some("a b"));
        assert_eq!(percent_decode("%").as_deref(), None);
        assert_eq!(percent_decode("%4").as_deref(), None);
        assert_eq!(percent_decode("%+1").as_deref(), None);
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("é"));
    }
}
