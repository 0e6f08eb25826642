//! Accounts and clients are made the way an operator makes them: with the
//! server's own command line (`latchkey user invite`, `latchkey client
//! create`), run with the server's configuration so it writes to the same
//! database. The load generator never writes the database itself.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, bail};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A client to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSpec {
    pub name: String,
    pub redirect_uri: String,
    /// Public (no secret, PKCE only) rather than confidential.
    pub public: bool,
}

/// A registered client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    pub id: String,
    pub secret: Option<String>,
}

/// How invitations and clients come to exist.
pub trait Provision: Send + Sync {
    /// An invitation link for a new account, as `latchkey user invite` prints it.
    fn invite<'a>(&'a self, email: &'a str) -> BoxFuture<'a, anyhow::Result<String>>;

    /// Registers a first-party ES256 client.
    fn create_client<'a>(
        &'a self,
        spec: &'a ClientSpec,
    ) -> BoxFuture<'a, anyhow::Result<ClientCredentials>>;
}

/// The `latchkey` binary, run with this process's environment (the
/// `LATCHKEY_*` variables the server was started with) and, if given, the
/// server's configuration file.
#[derive(Debug, Clone)]
pub struct Cli {
    pub bin: PathBuf,
    pub config: Option<PathBuf>,
}

impl Cli {
    /// Runs the CLI. A busy SQLite database ("database is locked" while
    /// the server writes) is retried a few times, with back-off, as an
    /// operator would.
    async fn run(&self, args: Vec<String>) -> anyhow::Result<String> {
        let shown = format!("{} {}", self.bin.display(), args.join(" "));
        let mut attempt = 0;
        loop {
            let mut cmd = Command::new(&self.bin);
            if let Some(config) = &self.config {
                cmd.arg("--config").arg(config);
            }
            cmd.args(&args);
            let out = tokio::task::spawn_blocking(move || cmd.output())
                .await?
                .with_context(|| format!("running {shown}"))?;
            if out.status.success() {
                return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
            }
            let stderr = String::from_utf8_lossy(&out.stderr);
            attempt += 1;
            if is_busy(&stderr) && attempt < CLI_ATTEMPTS {
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                continue;
            }
            bail!("{shown} failed ({}): {}", out.status, stderr.trim());
        }
    }
}

/// Runs of the CLI before a busy database counts as a failure.
const CLI_ATTEMPTS: u32 = 6;

/// Whether the CLI failed only because SQLite was busy.
pub fn is_busy(stderr: &str) -> bool {
    stderr.contains("database is locked") || stderr.contains("database is busy")
}

/// The invitation link in `latchkey user invite`'s output.
pub fn invitation_link(stdout: &str) -> Option<String> {
    stdout
        .lines()
        .map(str::trim)
        .find(|l| l.contains("/invite/") && l.starts_with("http"))
        .map(str::to_owned)
}

/// Client id and secret in `latchkey client create`'s output.
pub fn client_credentials(stdout: &str) -> Option<ClientCredentials> {
    let field = |name: &str| {
        stdout.lines().find_map(|l| {
            l.trim()
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(':'))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
    };
    Some(ClientCredentials {
        id: field("client_id")?,
        secret: field("client_secret"),
    })
}

impl Provision for Cli {
    fn invite<'a>(&'a self, email: &'a str) -> BoxFuture<'a, anyhow::Result<String>> {
        Box::pin(async move {
            let out = self
                .run(vec![
                    "user".into(),
                    "invite".into(),
                    email.to_owned(),
                    "--expires".into(),
                    "1d".into(),
                ])
                .await?;
            invitation_link(&out).with_context(|| {
                format!("no invitation link in the output of `latchkey user invite`: {out}")
            })
        })
    }

    fn create_client<'a>(
        &'a self,
        spec: &'a ClientSpec,
    ) -> BoxFuture<'a, anyhow::Result<ClientCredentials>> {
        Box::pin(async move {
            let mut args = vec![
                "client".into(),
                "create".into(),
                "--name".into(),
                spec.name.clone(),
                "--redirect-uri".into(),
                spec.redirect_uri.clone(),
                "--first-party".into(),
                "--id-token-alg".into(),
                "ES256".into(),
            ];
            if spec.public {
                args.push("--public".into());
            }
            let out = self.run(args).await?;
            let creds = client_credentials(&out).with_context(|| {
                format!("no client_id in the output of `latchkey client create`: {out}")
            })?;
            if !spec.public && creds.secret.is_none() {
                bail!("`latchkey client create` printed no secret for a confidential client");
            }
            Ok(creds)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invitation_link_is_found_in_the_cli_output() {
        let out = "Invitation for a@example.com (valid until 2030-01-01 00:00 UTC, single use):\nhttp://localhost:8080/invite/lki_abc\n";
        assert_eq!(
            invitation_link(out).as_deref(),
            Some("http://localhost:8080/invite/lki_abc")
        );
        assert_eq!(invitation_link("nothing here"), None);
    }

    #[test]
    fn only_a_busy_database_is_retried() {
        assert!(is_busy(
            "latchkey: connecting to SQLite file x.db: could not connect to the database: database is locked"
        ));
        assert!(!is_busy("latchkey: \"a\" is not an email address"));
    }

    #[test]
    fn client_id_and_secret_are_found_in_the_cli_output() {
        let out = "Registered confidential client \"x\"\nclient_id: cl_123\ntoken_endpoint_auth_method: client_secret_basic\nredirect_uri: http://localhost/cb\nclient_secret: lks_456\n";
        assert_eq!(
            client_credentials(out),
            Some(ClientCredentials {
                id: "cl_123".into(),
                secret: Some("lks_456".into())
            })
        );
        let public =
            "Registered public client \"x\"\nclient_id: cl_9\ntoken_endpoint_auth_method: none\n";
        assert_eq!(client_credentials(public).unwrap().secret, None);
        assert_eq!(client_credentials("oops"), None);
    }
}
