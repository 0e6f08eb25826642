//! How an application presents itself on the sign-in, consent and step-up
//! pages: its home page, privacy policy and terms as links, and its logo.
//! The logo is fetched once, when an administrator sets `logo_uri`, checked
//! like the instance's (PNG or script-free SVG, 100 KiB), and stored: pages
//! serve it from this origin, so the Content-Security-Policy never names
//! another site and the application learns nothing of who signs in.

use std::time::Duration;

use chrono::{DateTime, Utc};
use latchkey_core::branding::{BrandingError, LOGO_MAX_BYTES, check_logo};
use latchkey_core::{AuditEventKind, ClientId};
use latchkey_store::audit::AuditChain;
use latchkey_store::client_presentations::{self as store, Presentation};
use latchkey_store::{DbConnection, StoreError, write_transaction};
use serde_json::{Value, json};
use url::Url;

use super::ChangedBy;
use crate::provider::Provider;

/// The longest link accepted.
const LINK_MAX: usize = 512;
/// How long fetching a logo may take, in all.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a presentation was not stored; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum PresentationError {
    #[error(
        "{field}: {value:?} is not a link people can follow: give an https address (http only to this machine), without a user name or password, of at most 512 characters."
    )]
    Link { field: &'static str, value: String },
    #[error("The logo could not be fetched from {url}: {reason}.")]
    Fetch { url: String, reason: String },
    #[error("The logo at {url} was refused: {reason}")]
    Logo { url: String, reason: BrandingError },
    #[error("no client has this id")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a link shown to people: `https` (or `http` to a loopback host),
/// with a host, no user name or password, at most 512 characters. Returns
/// it normalised.
pub fn check_link(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() > LINK_MAX {
        return None;
    }
    let url = Url::parse(s).ok()?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    (scheme_ok && url.host_str().is_some() && url.username().is_empty() && url.password().is_none())
        .then(|| url.to_string())
}

/// The four links as an administrator typed them; empty is "none".
#[derive(Debug, Clone, Default)]
pub struct PresentationForm {
    pub client_uri: String,
    pub policy_uri: String,
    pub tos_uri: String,
    pub logo_uri: String,
}

impl PresentationForm {
    /// The links checked, each `None` when left empty.
    fn checked(&self) -> Result<[Option<String>; 4], PresentationError> {
        let one = |field: &'static str, value: &str| match value.trim() {
            "" => Ok(None),
            v => check_link(v).map(Some).ok_or(PresentationError::Link {
                field,
                value: v.to_owned(),
            }),
        };
        Ok([
            one("client_uri", &self.client_uri)?,
            one("policy_uri", &self.policy_uri)?,
            one("tos_uri", &self.tos_uri)?,
            one("logo_uri", &self.logo_uri)?,
        ])
    }
}

/// Fetches a logo: no redirects, at most [`FETCH_TIMEOUT`], at most
/// [`LOGO_MAX_BYTES`] read, then checked by its content.
pub async fn fetch_logo(url: &str) -> Result<(String, Vec<u8>), PresentationError> {
    let fail = |reason: String| PresentationError::Fetch {
        url: url.to_owned(),
        reason,
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(FETCH_TIMEOUT)
        .user_agent("Latchkey (application logo)")
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let mut res = client.get(url).send().await.map_err(|e| {
        fail(if e.is_timeout() {
            "no answer in time".into()
        } else {
            "no connection".into()
        })
    })?;
    if !res.status().is_success() {
        return Err(fail(format!("it answered {}", res.status().as_u16())));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|_| fail("the transfer broke off".into()))?
    {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > LOGO_MAX_BYTES {
            return Err(PresentationError::Logo {
                url: url.to_owned(),
                reason: BrandingError::LogoTooLarge(bytes.len()),
            });
        }
    }
    let kind = check_logo(&bytes).map_err(|reason| PresentationError::Logo {
        url: url.to_owned(),
        reason,
    })?;
    Ok((kind.mime().to_owned(), bytes))
}

/// What changed, for the audit event (a logo by its size, never its bytes).
fn changed(old: &Presentation, new: &Presentation) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    let mut field = |name: &str, a: Value, b: Value| {
        if a != b {
            out.insert(name.to_owned(), json!({ "old": a, "new": b }));
        }
    };
    field("client_uri", json!(old.client_uri), json!(new.client_uri));
    field("policy_uri", json!(old.policy_uri), json!(new.policy_uri));
    field("tos_uri", json!(old.tos_uri), json!(new.tos_uri));
    field("logo_uri", json!(old.logo_uri), json!(new.logo_uri));
    let logo = |p: &Presentation| json!(p.logo.as_ref().map(Vec::len));
    field("logo_bytes", logo(old), logo(new));
    out
}

fn store_presentation(
    conn: &mut DbConnection,
    audit: &AuditChain,
    by: &ChangedBy,
    id: &ClientId,
    wanted: Presentation,
    keep_logo: bool,
    now: DateTime<Utc>,
) -> Result<Option<Presentation>, PresentationError> {
    Ok(write_transaction(conn, |conn| {
        if super::find(conn, id)?.is_none() {
            return Ok(None);
        }
        let old = store::find(conn, id)?.unwrap_or_default();
        let mut new = wanted.clone();
        if keep_logo {
            (new.logo_type, new.logo) = (old.logo_type.clone(), old.logo.clone());
        }
        let diff = changed(&old, &new);
        if !diff.is_empty() {
            store::store(conn, id, &new, now)?;
            audit.append(
                conn,
                now,
                &by.event(AuditEventKind::ClientUpdated)
                    .subject(id)
                    .detail(by.detail(json!({ "changed": diff }))),
            )?;
        }
        Ok(Some(new))
    })?)
}

/// The application a page is on the way to, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestingApp {
    pub id: ClientId,
    pub name: String,
    /// Whether `/clients/{id}/logo` has a logo to show.
    pub has_logo: bool,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
}

impl RequestingApp {
    /// The logo's address on this origin, when there is one.
    pub fn logo_path(&self) -> Option<String> {
        self.has_logo.then(|| format!("/clients/{}/logo", self.id))
    }
}

impl Provider {
    /// The application the stored authorization request `request_id` is
    /// for, with its links and whether it has a logo; `None` when the
    /// request or its client is gone.
    pub async fn requesting_app(
        &self,
        request_id: &str,
    ) -> Result<Option<RequestingApp>, crate::flow::FlowError> {
        let Some(name) = self.requesting_client_name(request_id).await? else {
            return Ok(None);
        };
        let id = match self.pending_client_id(request_id).await {
            Ok(id) => id,
            Err(crate::flow::FlowError::RequestGone) => return Ok(None),
            Err(e) => return Err(e),
        };
        let shown = self.client_presentation(&id).await?;
        Ok(Some(RequestingApp {
            has_logo: shown.logo.is_some(),
            client_uri: shown.client_uri,
            policy_uri: shown.policy_uri,
            tos_uri: shown.tos_uri,
            id,
            name,
        }))
    }

    /// The client's presentation (empty when none is set).
    pub async fn client_presentation(&self, id: &ClientId) -> Result<Presentation, StoreError> {
        let id = id.clone();
        Ok(self
            .db()
            .run(move |c| store::find(c, &id))
            .await?
            .unwrap_or_default())
    }

    /// Sets how a client presents itself. A `logo_uri` that differs from
    /// the stored one is fetched first (outside any transaction); the same
    /// `logo_uri` keeps the stored logo; none removes it. Audited as
    /// `client.updated` with what changed. `Ok(None)`: no such client.
    pub async fn set_client_presentation(
        &self,
        by: ChangedBy,
        id: &ClientId,
        form: PresentationForm,
    ) -> Result<Option<Presentation>, PresentationError> {
        let [client_uri, policy_uri, tos_uri, logo_uri] = form.checked()?;
        let current = self.client_presentation(id).await?;
        let keep_logo = logo_uri.is_some() && logo_uri == current.logo_uri;
        let (logo_type, logo) = match (&logo_uri, keep_logo) {
            (Some(url), false) => {
                let (kind, bytes) = fetch_logo(url).await?;
                (Some(kind), Some(bytes))
            }
            _ => (None, None),
        };
        let wanted = Presentation {
            client_uri,
            policy_uri,
            tos_uri,
            logo_uri,
            logo_type,
            logo,
        };
        let (audit, now, id) = (self.audit(), self.now(), id.clone());
        self.db()
            .run(move |c| {
                Ok(store_presentation(
                    c, &audit, &by, &id, wanted, keep_logo, now,
                ))
            })
            .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_must_be_https_or_loopback_without_credentials() {
        assert_eq!(
            check_link(" https://payroll.example.com/privacy ").as_deref(),
            Some("https://payroll.example.com/privacy")
        );
        assert!(check_link("http://localhost:9000/logo.svg").is_some());
        assert!(check_link("http://127.0.0.1/x").is_some());
        for bad in [
            "http://payroll.example.com",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "https://user:pw@payroll.example.com",
            "//payroll.example.com",
            "",
        ] {
            assert!(check_link(bad).is_none(), "{bad}");
        }
        assert!(check_link(&format!("https://example.com/{}", "a".repeat(600))).is_none());
    }

    #[test]
    fn a_form_names_the_field_it_refuses() {
        let form = PresentationForm {
            policy_uri: "ftp://example.com/p".into(),
            ..Default::default()
        };
        let err = form.checked().unwrap_err();
        assert!(err.to_string().starts_with("policy_uri:"), "{err}");
    }
}
