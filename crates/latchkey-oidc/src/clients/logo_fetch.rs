//! Fetching an application's logo and storing how it presents itself, on
//! behalf of an administrator (feature `fetch-logos`: the crates that only
//! read presentations, and the fuzz targets, go without an HTTP client).

use std::time::Duration;

use chrono::{DateTime, Utc};
use latchkey_core::branding::{BrandingError, LOGO_MAX_BYTES, check_logo};
use latchkey_core::{AuditEventKind, ClientId};
use latchkey_store::audit::AuditChain;
use latchkey_store::client_presentations::{self as store, Presentation};
use latchkey_store::{DbConnection, write_transaction};
use serde_json::{Value, json};

use super::ChangedBy;
use super::presentation::{PresentationError, PresentationForm};
use crate::provider::Provider;

/// How long fetching a logo may take, in all.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

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

impl Provider {
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
