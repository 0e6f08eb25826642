//! `latchkey client update` and `latchkey client rotate-secret`: the same
//! operations as the console's client pages (`clients::update`,
//! `clients::rotate_secret`), audited with the actor `cli`.

use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Duration;
use clap::Args;
use latchkey_core::{Acr, ClientId, Clock as _, SystemClock};
use latchkey_oidc::clients::{self, ClientUpdate, RegisteredClient, RotateError};

use crate::config::Config;

/// The arguments of `latchkey client update`: what is given replaces what
/// the client has; what is not given stays.
#[derive(Debug, Clone, Args)]
pub struct ClientUpdateArgs {
    /// The client id.
    pub id: String,
    /// A new name, shown on the consent screen.
    #[arg(long)]
    pub name: Option<String>,
    /// The redirect URIs (repeat for several): replace every registered one.
    #[arg(long = "redirect-uri", value_name = "URI")]
    pub redirect_uris: Vec<String>,
    /// The post-logout redirect URIs (repeatable): replace every registered one.
    #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
    pub post_logout_redirect_uris: Vec<String>,
    /// Remove every post-logout redirect URI.
    #[arg(long, conflicts_with = "post_logout_redirect_uris")]
    pub clear_post_logout_redirect_uris: bool,
    /// The least authentication level every sign-in needs; `none` removes it.
    #[arg(long, value_name = "ACR", value_parser = ["phr", "phrh", "none"])]
    pub min_acr: Option<String>,
    /// Whether users are asked for consent (`false`) or not (`true`).
    #[arg(long, value_name = "BOOL")]
    pub first_party: Option<bool>,
    /// The scopes the client may be granted (repeatable): replace the list.
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// The resources (RFC 8707) the client may ask for (repeatable): replace the list.
    #[arg(long = "resource", value_name = "URI")]
    pub resources: Vec<String>,
    /// Remove every resource.
    #[arg(long, conflicts_with = "resources")]
    pub clear_resources: bool,
}

impl ClientUpdateArgs {
    /// The client's settings with these arguments applied.
    pub fn apply(&self, client: &RegisteredClient) -> ClientUpdate {
        let mut u = ClientUpdate::of(client);
        if let Some(name) = &self.name {
            name.clone_into(&mut u.name);
        }
        if !self.redirect_uris.is_empty() {
            u.redirect_uris.clone_from(&self.redirect_uris);
        }
        if !self.post_logout_redirect_uris.is_empty() || self.clear_post_logout_redirect_uris {
            u.post_logout_redirect_uris
                .clone_from(&self.post_logout_redirect_uris);
        }
        match self.min_acr.as_deref() {
            Some("none") => u.min_acr = None,
            Some("phr") => u.min_acr = Some(Acr::Phr),
            Some("phrh") => u.min_acr = Some(Acr::Phrh),
            _ => {}
        }
        if let Some(first_party) = self.first_party {
            u.first_party = first_party;
        }
        if !self.scopes.is_empty() {
            u.scopes.clone_from(&self.scopes);
        }
        if !self.resources.is_empty() || self.clear_resources {
            u.resources.clone_from(&self.resources);
        }
        u
    }
}

fn parse_id(id: &str) -> Option<ClientId> {
    let parsed = ClientId::parse(id).ok();
    if parsed.is_none() {
        eprintln!("latchkey: {id:?} is not a client id (see `latchkey client list`)");
    }
    parsed
}

/// Changes a client's settings: exit 2 for bad input (naming the flag), 1
/// when no client has the id.
pub async fn update(config: Config, args: ClientUpdateArgs) -> anyhow::Result<ExitCode> {
    let Some(id) = parse_id(&args.id) else {
        return Ok(ExitCode::from(2));
    };
    let instance = crate::startup::open_instance(&config).await?;
    let (audit, now, cid) = (instance.audit.clone(), SystemClock.now(), id.clone());
    let result = instance
        .db
        .run(move |c| {
            let Some(client) = clients::find(c, &cid)? else {
                return Ok(Ok(None));
            };
            let change = args.apply(&client);
            Ok(clients::update(c, &audit, "cli", &cid, &change, now))
        })
        .await
        .context("updating the client")?;
    match result {
        Ok(Some(client)) => {
            print!(
                "Updated {id}.\n{}",
                crate::cli_clients::describe_list(&[client])
            );
            Ok(ExitCode::SUCCESS)
        }
        Ok(None) => {
            eprintln!("latchkey: no client has the id {id}");
            Ok(ExitCode::FAILURE)
        }
        Err(clients::RegistrationError::Store(e)) => {
            Err(anyhow::Error::new(e).context("updating the client"))
        }
        Err(e) => {
            eprintln!("latchkey: {}: {e}", crate::cli_clients::flag_of(e.field()));
            Ok(ExitCode::from(2))
        }
    }
}

/// Parses `--overlap`: `0` (the current secret stops at once) or a duration
/// like `24h`, at most 30 days.
pub fn parse_overlap(text: &str) -> Result<Duration, String> {
    let overlap = if text.trim() == "0" {
        Duration::zero()
    } else {
        crate::config::parse_duration("--overlap", text).map_err(|e| e.to_string())?
    };
    if overlap > clients::MAX_SECRET_OVERLAP {
        return Err("--overlap: at most 30d".to_owned());
    }
    Ok(overlap)
}

/// Gives a confidential client a new secret, printed once; the current one
/// keeps working for the overlap. Exit 2 for bad input, 1 when no
/// confidential client has the id.
pub async fn rotate_secret(config: Config, id: &str, overlap: &str) -> anyhow::Result<ExitCode> {
    let Some(id) = parse_id(id) else {
        return Ok(ExitCode::from(2));
    };
    let overlap = match parse_overlap(overlap) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("latchkey: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let instance = crate::startup::open_instance(&config).await?;
    let (audit, now, cid) = (instance.audit.clone(), SystemClock.now(), id.clone());
    let result = instance
        .db
        .run(move |c| Ok(clients::rotate_secret(c, &audit, "cli", &cid, overlap, now)))
        .await
        .context("rotating the secret")?;
    match result {
        Ok(rotated) => {
            println!("New secret for {id} (shown once; only its hash is kept):");
            println!("{}", rotated.secret.expose());
            match rotated.previous_until {
                Some(t) => println!(
                    "The previous secret is accepted until {} UTC.",
                    t.format("%Y-%m-%d %H:%M")
                ),
                None => println!("The previous secret no longer works."),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(RotateError::NotFound) => {
            eprintln!("latchkey: no client has the id {id}");
            Ok(ExitCode::FAILURE)
        }
        Err(RotateError::PublicClient) => {
            eprintln!("latchkey: {id} is a public client: it has no secret to rotate");
            Ok(ExitCode::FAILURE)
        }
        Err(e @ RotateError::OverlapTooLong) => {
            eprintln!("latchkey: --overlap: {e}");
            Ok(ExitCode::from(2))
        }
        Err(RotateError::Store(e)) => Err(anyhow::Error::new(e).context("rotating the secret")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_accepts_zero_and_durations_up_to_thirty_days() {
        assert_eq!(parse_overlap("0").unwrap(), Duration::zero());
        assert_eq!(parse_overlap("24h").unwrap(), Duration::hours(24));
        assert_eq!(parse_overlap("30d").unwrap(), Duration::days(30));
        assert!(parse_overlap("31d").unwrap_err().contains("30d"));
        assert!(parse_overlap("soon").unwrap_err().contains("--overlap"));
        assert!(parse_overlap("-1h").is_err());
    }
}
