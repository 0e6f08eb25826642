//! `latchkey client create` and `latchkey client list`.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use latchkey_core::{Acr, Clock as _, SystemClock};
use latchkey_oidc::clients::{self, ClientRegistration, ID_TOKEN_ALGS, RegisteredClient};

use crate::config::Config;

/// The arguments of `latchkey client create`.
#[derive(Debug, Clone, Args)]
pub struct ClientCreateArgs {
    /// The application's name, shown on the consent screen.
    #[arg(long)]
    pub name: String,
    /// A redirect URI, matched exactly (repeat for several): https, http on
    /// localhost, 127.0.0.1 or `[::1]`, or a private-use scheme like
    /// com.example.app:/callback.
    #[arg(long = "redirect-uri", value_name = "URI", required = true)]
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may return to (repeatable).
    #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
    pub post_logout_redirect_uris: Vec<String>,
    /// A public client (native or single-page app): no secret; it
    /// authenticates with `none` and PKCE.
    #[arg(long)]
    pub public: bool,
    /// The least authentication level every sign-in to this client needs.
    #[arg(long, value_name = "ACR", value_parser = ["phr", "phrh"])]
    pub min_acr: Option<String>,
    /// A first-party client: users are not asked for consent.
    #[arg(long)]
    pub first_party: bool,
    /// The ID token signing algorithm.
    #[arg(long, value_name = "ALG", default_value = "ES256", value_parser = ID_TOKEN_ALGS)]
    pub id_token_alg: String,
    /// A scope the client may be granted (repeat for several). Without
    /// any: openid, profile, email and offline_access. Given, the list is
    /// all the client may get: include openid if it signs users in.
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// A resource (RFC 8707) the client may ask access tokens for, which
    /// becomes their `aud` (repeatable): an absolute https URI (http only on
    /// localhost) without a fragment, matched exactly.
    #[arg(long = "resource", value_name = "URI")]
    pub resources: Vec<String>,
    /// The attestation policy every sign-in to this client must meet
    /// (`latchkey policy create`), checked against the passkey used.
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
}

/// A usage error, naming the flag it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    pub flag: &'static str,
    pub message: String,
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.flag, self.message)
    }
}

impl ClientCreateArgs {
    /// The registration these arguments describe, checked as registration
    /// will check it, so bad input is reported before anything is opened.
    pub fn registration(&self) -> Result<ClientRegistration, UsageError> {
        let min_acr = match &self.min_acr {
            None => None,
            Some(a) => Some(a.parse::<Acr>().map_err(|_| UsageError {
                flag: "--min-acr",
                message: format!("{a:?} is not an acr value; use phr or phrh"),
            })?),
        };
        let reg = ClientRegistration {
            name: self.name.clone(),
            redirect_uris: self.redirect_uris.clone(),
            post_logout_redirect_uris: self.post_logout_redirect_uris.clone(),
            public: self.public,
            min_acr,
            first_party: self.first_party,
            id_token_alg: self.id_token_alg.clone(),
            scopes: if self.scopes.is_empty() {
                latchkey_oidc::access::default_scopes()
            } else {
                self.scopes.clone()
            },
            resources: self.resources.clone(),
        };
        clients::validate_registration(&reg).map_err(|e| UsageError {
            flag: flag_of(e.field()),
            message: e.to_string(),
        })?;
        Ok(reg)
    }
}

pub(crate) fn flag_of(field: Option<&'static str>) -> &'static str {
    match field {
        Some("name") => "--name",
        Some("redirect_uris") => "--redirect-uri",
        Some("post_logout_redirect_uris") => "--post-logout-redirect-uri",
        Some("id_token_alg") => "--id-token-alg",
        Some("scopes") => "--scope",
        Some("resources") => "--resource",
        _ => "latchkey client create",
    }
}

/// Registers a client and prints its id and, for a confidential client, its
/// secret — once: only its hash is kept. Bad input exits 2 naming the flag.
pub async fn create(config: Config, args: ClientCreateArgs) -> anyhow::Result<ExitCode> {
    let reg = match args.registration() {
        Ok(reg) => reg,
        Err(e) => {
            eprintln!("latchkey: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let instance = crate::startup::open_instance(&config).await?;
    let policies = latchkey_accounts::Policies::new(
        instance.db.clone(),
        instance.audit.clone(),
        std::sync::Arc::new(SystemClock),
    );
    if let Some(name) = &args.policy {
        let known = policies.list().await.context("reading the policies")?;
        if !known.iter().any(|p| &p.name == name) {
            eprintln!("latchkey: --policy: there is no attestation policy {name:?}");
            return Ok(ExitCode::from(2));
        }
    }
    let now = SystemClock.now();
    let audit = instance.audit.clone();
    let registration = reg.clone();
    let master = instance.master.clone();
    let outcome = instance
        .db
        .run(move |conn| {
            Ok(clients::register_publishing_key(
                conn,
                &audit,
                &master,
                "cli",
                &registration,
                now,
            ))
        })
        .await
        .context("registering the client")?;
    let (id, secret) = match outcome {
        Ok(created) => created,
        Err(e) if e.field().is_some() => {
            eprintln!("latchkey: {}: {e}", flag_of(e.field()));
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(anyhow::Error::new(e).context("registering the client")),
    };
    print!("{}", describe_created(&reg, id.as_str()));
    if let Some(name) = &args.policy {
        policies
            .assign(
                name,
                latchkey_accounts::PolicyTarget::Client(id.clone()),
                "cli",
            )
            .await
            .context("assigning the attestation policy")?;
        println!("attestation_policy: {name}");
    }
    if !reg.scopes.iter().any(|s| s == "openid") {
        eprintln!(
            "latchkey: openid is not among the client's scopes: it cannot sign users in, only use client_credentials"
        );
    }
    if let Some(secret) = secret {
        println!("client_secret: {}", secret.expose());
        eprintln!(
            "latchkey: store the client secret now; it is kept only as a hash and cannot be shown again"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What `create` prints before the secret.
fn describe_created(reg: &ClientRegistration, id: &str) -> String {
    let mut out = format!(
        "Registered {} client {:?}\nclient_id: {id}\ntoken_endpoint_auth_method: {}\n",
        if reg.public { "public" } else { "confidential" },
        reg.name.trim(),
        if reg.public {
            "none"
        } else {
            "client_secret_basic (client_secret_post also accepted)"
        },
    );
    for uri in &reg.redirect_uris {
        out.push_str(&format!("redirect_uri: {uri}\n"));
    }
    out.push_str(&format!("scopes: {}\n", scope_list(&reg.scopes)));
    for uri in &reg.resources {
        out.push_str(&format!("resource: {uri}\n"));
    }
    out
}

/// Scopes as one line, `-` for none.
fn scope_list<'a>(scopes: impl IntoIterator<Item = &'a String>) -> String {
    let line = scopes
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    if line.is_empty() {
        "-".to_owned()
    } else {
        line
    }
}

/// Prints every registered client, without secrets.
pub async fn list(config: Config) -> anyhow::Result<ExitCode> {
    let instance = crate::startup::open_instance(&config).await?;
    let all = instance
        .db
        .run(clients::list)
        .await
        .context("reading the clients")?;
    print!("{}", describe_list(&all));
    Ok(ExitCode::SUCCESS)
}

/// `client disable` / `client enable`: exit 2 for an id that cannot be a
/// client's, 1 when no such client exists (or it already was in that state).
pub async fn set_disabled(config: Config, id: &str, disabled: bool) -> anyhow::Result<ExitCode> {
    let Ok(id) = latchkey_core::ClientId::parse(id) else {
        eprintln!("latchkey: {id:?} is not a client id (see `latchkey client list`)");
        return Ok(ExitCode::from(2));
    };
    let instance = crate::startup::open_instance(&config).await?;
    let (audit, now, cid) = (instance.audit.clone(), SystemClock.now(), id.clone());
    if disabled {
        let report = instance
            .db
            .run(move |c| clients::disable(c, &audit, "cli", &cid, now))
            .await
            .context("disabling the client")?;
        match report {
            Some(r) => {
                println!(
                    "Disabled {id}: {} refresh-token grants and every access token revoked.",
                    r.refresh_families_revoked
                );
                Ok(ExitCode::SUCCESS)
            }
            None => {
                eprintln!("latchkey: no enabled client has the id {id}");
                Ok(ExitCode::FAILURE)
            }
        }
    } else {
        let enabled = instance
            .db
            .run(move |c| clients::enable(c, &audit, "cli", &cid, now))
            .await
            .context("enabling the client")?;
        if enabled {
            println!("Enabled {id}.");
            Ok(ExitCode::SUCCESS)
        } else {
            eprintln!("latchkey: no disabled client has the id {id}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The listing as `list` prints it: one block per client.
pub fn describe_list(all: &[RegisteredClient]) -> String {
    if all.is_empty() {
        return "No clients are registered. Add one with `latchkey client create`.\n".to_owned();
    }
    let mut out = String::new();
    for c in all {
        out.push_str(&format!(
            "{}  {:?}{}\n  type: {}  auth: {}  id_token_alg: {}  min_acr: {}  first_party: {}\n",
            c.id,
            c.name,
            if c.disabled { "  (disabled)" } else { "" },
            if c.is_public() {
                "public"
            } else {
                "confidential"
            },
            c.auth_method,
            c.id_token_alg,
            c.min_acr.map_or("-", Acr::as_str),
            if c.first_party { "yes" } else { "no" },
        ));
        for uri in &c.redirect_uris {
            out.push_str(&format!("  redirect_uri: {uri}\n"));
        }
        for uri in &c.post_logout_redirect_uris {
            out.push_str(&format!("  post_logout_redirect_uri: {uri}\n"));
        }
        out.push_str(&format!("  scopes: {}\n", scope_list(&c.scopes)));
        for uri in &c.resources {
            out.push_str(&format!("  resource: {uri}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: ClientCreateArgs,
    }

    fn parse(argv: &[&str]) -> Result<ClientCreateArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("create").chain(argv.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn flags_parse_into_a_registration() {
        let args = parse(&[
            "--name",
            "Wiki",
            "--redirect-uri",
            "https://wiki.example.com/cb",
            "--redirect-uri",
            "http://localhost:8080/cb",
            "--post-logout-redirect-uri",
            "https://wiki.example.com/",
            "--min-acr",
            "phrh",
            "--first-party",
            "--id-token-alg",
            "EdDSA",
            "--scope",
            "openid",
            "--scope",
            "orders:read",
            "--resource",
            "https://api.example.com/orders",
            "--resource",
            "http://localhost:9000/",
        ])
        .unwrap();
        let reg = args.registration().unwrap();
        assert_eq!(reg.scopes, ["openid", "orders:read"]);
        assert_eq!(
            reg.resources,
            ["https://api.example.com/orders", "http://localhost:9000/"]
        );
        assert_eq!(reg.name, "Wiki");
        assert_eq!(reg.redirect_uris.len(), 2);
        assert_eq!(reg.post_logout_redirect_uris, ["https://wiki.example.com/"]);
        assert_eq!(reg.min_acr, Some(Acr::Phrh));
        assert!(reg.first_party && !reg.public);
        assert_eq!(reg.id_token_alg, "EdDSA");

        let minimal = parse(&[
            "--name",
            "CLI",
            "--public",
            "--redirect-uri",
            "com.example.cli:/cb",
        ])
        .unwrap()
        .registration()
        .unwrap();
        assert!(minimal.public);
        assert_eq!(minimal.id_token_alg, "ES256");
        assert_eq!(minimal.min_acr, None);
        // No --scope: the OpenID Connect scopes; no --resource: none.
        assert_eq!(
            minimal.scopes,
            ["openid", "profile", "email", "offline_access"]
        );
        assert!(minimal.resources.is_empty());
    }

    #[test]
    fn clap_refuses_missing_redirect_uri_and_unknown_values_naming_the_flag() {
        let err = parse(&["--name", "Wiki"]).unwrap_err();
        assert!(err.to_string().contains("--redirect-uri"), "{err}");
        let err = parse(&[
            "--name",
            "W",
            "--redirect-uri",
            "https://a.example/cb",
            "--min-acr",
            "aal1",
        ])
        .unwrap_err();
        assert!(err.to_string().contains("--min-acr"), "{err}");
        let err = parse(&[
            "--name",
            "W",
            "--redirect-uri",
            "https://a.example/cb",
            "--id-token-alg",
            "HS256",
        ])
        .unwrap_err();
        assert!(err.to_string().contains("--id-token-alg"), "{err}");
    }

    #[test]
    fn bad_values_are_usage_errors_naming_the_flag() {
        let base = || {
            parse(&[
                "--name",
                "Wiki",
                "--redirect-uri",
                "https://wiki.example.com/cb",
            ])
            .unwrap()
        };
        let cases: Vec<(ClientCreateArgs, &str, &str)> = vec![
            (
                ClientCreateArgs {
                    redirect_uris: vec!["http://wiki.example.com/cb".into()],
                    ..base()
                },
                "--redirect-uri",
                "loopback",
            ),
            (
                ClientCreateArgs {
                    redirect_uris: vec!["https://wiki.example.com/cb#x".into()],
                    ..base()
                },
                "--redirect-uri",
                "fragment",
            ),
            (
                ClientCreateArgs {
                    post_logout_redirect_uris: vec!["javascript:alert(1)".into()],
                    ..base()
                },
                "--post-logout-redirect-uri",
                "javascript",
            ),
            (
                ClientCreateArgs {
                    name: " ".into(),
                    ..base()
                },
                "--name",
                "name",
            ),
            (
                ClientCreateArgs {
                    min_acr: Some("aal3".into()),
                    ..base()
                },
                "--min-acr",
                "aal3",
            ),
            (
                ClientCreateArgs {
                    id_token_alg: "none".into(),
                    ..base()
                },
                "--id-token-alg",
                "none",
            ),
            (
                ClientCreateArgs {
                    scopes: vec!["orders read".into()],
                    ..base()
                },
                "--scope",
                "RFC 6749",
            ),
            (
                ClientCreateArgs {
                    scopes: vec!["openid".into(), "openid".into()],
                    ..base()
                },
                "--scope",
                "twice",
            ),
            (
                ClientCreateArgs {
                    resources: vec!["https://api.example.com/#top".into()],
                    ..base()
                },
                "--resource",
                "fragment",
            ),
            (
                ClientCreateArgs {
                    resources: vec!["http://api.example.com/".into()],
                    ..base()
                },
                "--resource",
                "localhost",
            ),
            (
                ClientCreateArgs {
                    resources: vec!["orders-api".into()],
                    ..base()
                },
                "--resource",
                "absolute",
            ),
            (
                ClientCreateArgs {
                    resources: vec![
                        "https://api.example.com/".into(),
                        "https://api.example.com/".into(),
                    ],
                    ..base()
                },
                "--resource",
                "twice",
            ),
        ];
        for (args, flag, mentions) in cases {
            let e = args.registration().unwrap_err();
            assert_eq!(e.flag, flag, "{e}");
            assert!(e.to_string().starts_with(flag), "{e}");
            assert!(e.message.contains(mentions), "{e}");
        }
    }

    #[test]
    fn creation_output_names_the_client_and_the_listing_shows_no_secret() {
        let reg = parse(&[
            "--name",
            "Wiki",
            "--redirect-uri",
            "https://wiki.example.com/cb",
        ])
        .unwrap()
        .registration()
        .unwrap();
        let out = describe_created(&reg, "lk_123");
        assert!(out.contains("client_id: lk_123"), "{out}");
        assert!(out.contains("confidential"), "{out}");
        assert!(
            out.contains("scopes: openid profile email offline_access\n"),
            "{out}"
        );
        assert!(!out.contains("resource: "), "{out}");
        assert!(describe_list(&[]).contains("No clients"));
    }
}
