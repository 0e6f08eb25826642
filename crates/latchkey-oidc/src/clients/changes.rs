//! Changing a registered client: its settings ([`update`]) and its secret
//! ([`rotate_secret`]), each in one transaction with its audit event, on
//! behalf of whoever [`ChangedBy`] names — the CLI or an administrator in
//! the console.

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{AuditEventKind, ClientId, PlainToken, TokenKind};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::clients::{self as store, ClientChanges};
use latchkey_store::{DbConnection, StoreError, write_transaction};

use super::{ClientRegistration, RegisteredClient, RegistrationError, validate_registration};

/// The longest time the previous secret may stay valid after a rotation.
pub const MAX_SECRET_OVERLAP: Duration = Duration::days(30);

/// Who changes a client, as the audit log records it: the actor (`cli`, or
/// an administrator's account id) and, for the console, the address and
/// the passkey of the administrator's step-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedBy {
    pub actor: String,
    pub ip: Option<String>,
    pub passkey: Option<String>,
}

impl ChangedBy {
    /// An administrator in the console.
    pub fn admin(account: impl ToString, ip: impl ToString, passkey: Option<String>) -> Self {
        Self {
            actor: account.to_string(),
            ip: Some(ip.to_string()),
            passkey,
        }
    }

    /// An audit event of `kind` with this actor and address.
    pub(super) fn event(&self, kind: AuditEventKind) -> NewAuditEvent {
        let event = NewAuditEvent::new(kind).actor(&self.actor);
        match &self.ip {
            Some(ip) => event.ip(ip),
            None => event,
        }
    }

    /// `detail` with the passkey of the step-up added, when there is one.
    pub(super) fn detail(&self, mut detail: serde_json::Value) -> serde_json::Value {
        if let (Some(passkey), Some(map)) = (&self.passkey, detail.as_object_mut()) {
            map.insert("passkey".to_owned(), passkey.clone().into());
        }
        detail
    }
}

impl From<&str> for ChangedBy {
    /// A named actor without address or passkey (`"cli"`).
    fn from(actor: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            ip: None,
            passkey: None,
        }
    }
}

/// A client's new settings. The authentication method (public or
/// confidential) and the ID token algorithm are fixed at registration: a
/// relying party configured for one would break on the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientUpdate {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub min_acr: Option<latchkey_core::Acr>,
    pub first_party: bool,
    pub scopes: Vec<String>,
    pub resources: Vec<String>,
}

impl ClientUpdate {
    /// The client's settings as they are now.
    pub fn of(client: &RegisteredClient) -> Self {
        let reg = client.registration();
        Self {
            name: reg.name,
            redirect_uris: reg.redirect_uris,
            post_logout_redirect_uris: reg.post_logout_redirect_uris,
            min_acr: reg.min_acr,
            first_party: reg.first_party,
            scopes: reg.scopes,
            resources: reg.resources,
        }
    }
}

/// Changes a client's settings after the same checks as registration.
/// Audited as `client.updated` with the fields that changed, old and new.
/// `Ok(None)`: no client has this id. Nothing changes when nothing differs
/// (and nothing is audited).
pub fn update(
    conn: &mut DbConnection,
    audit: &AuditChain,
    by: impl Into<ChangedBy>,
    id: &ClientId,
    new: &ClientUpdate,
    now: DateTime<Utc>,
) -> Result<Option<RegisteredClient>, RegistrationError> {
    let by = by.into();
    let Some(old) = super::find(conn, id)? else {
        return Ok(None);
    };
    // Public or confidential and the ID token algorithm never change, so
    // the registration checked here stays valid inside the transaction.
    let reg = ClientRegistration {
        name: new.name.trim().to_owned(),
        redirect_uris: new.redirect_uris.clone(),
        post_logout_redirect_uris: new.post_logout_redirect_uris.clone(),
        public: old.is_public(),
        min_acr: new.min_acr,
        first_party: new.first_party,
        id_token_alg: old.id_token_alg.as_str().to_owned(),
        scopes: new.scopes.clone(),
        resources: new.resources.clone(),
    };
    validate_registration(&reg)?;
    let changes = ClientChanges {
        name: reg.name.clone(),
        redirect_uris: reg.redirect_uris.clone(),
        post_logout_redirect_uris: reg.post_logout_redirect_uris.clone(),
        min_acr: reg.min_acr.map(|a| a.as_str().to_owned()),
        first_party: reg.first_party,
        allowed_scopes: reg.scopes.clone(),
        allowed_resources: reg.resources.clone(),
    };
    Ok(write_transaction(conn, |conn| {
        let Some(current) = super::find(conn, id)? else {
            return Ok(None);
        };
        let changed = changed_fields(&ClientUpdate::of(&current), &reg);
        if changed.as_object().is_some_and(|m| m.is_empty()) {
            return Ok(Some(current));
        }
        store::update(conn, id, &changes, now)?;
        audit.append(
            conn,
            now,
            &by.event(AuditEventKind::ClientUpdated)
                .subject(id)
                .detail(by.detail(serde_json::json!({ "changed": changed }))),
        )?;
        super::find(conn, id)
    })?)
}

/// The fields that differ, each with its old and new value. Lists compare
/// as sets where order means nothing (scopes, resources).
fn changed_fields(old: &ClientUpdate, new: &ClientRegistration) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let mut field = |name: &str, a: serde_json::Value, b: serde_json::Value| {
        if a != b {
            out.insert(name.to_owned(), serde_json::json!({ "old": a, "new": b }));
        }
    };
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v.dedup();
        serde_json::json!(v)
    };
    field("name", old.name.clone().into(), new.name.clone().into());
    field(
        "redirect_uris",
        serde_json::json!(old.redirect_uris),
        serde_json::json!(new.redirect_uris),
    );
    field(
        "post_logout_redirect_uris",
        serde_json::json!(old.post_logout_redirect_uris),
        serde_json::json!(new.post_logout_redirect_uris),
    );
    field(
        "min_acr",
        serde_json::json!(old.min_acr.map(|a| a.as_str())),
        serde_json::json!(new.min_acr.map(|a| a.as_str())),
    );
    field(
        "first_party",
        old.first_party.into(),
        new.first_party.into(),
    );
    field("scopes", sorted(&old.scopes), sorted(&new.scopes));
    field("resources", sorted(&old.resources), sorted(&new.resources));
    serde_json::Value::Object(out)
}

/// Why a secret was not rotated.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error("no client has this id")]
    NotFound,
    #[error("a public client has no secret to rotate")]
    PublicClient,
    #[error("the overlap may be at most 30 days")]
    OverlapTooLong,
    #[error("rotating the secret failed")]
    Store(#[from] StoreError),
}

/// A new secret, and until when the one before it is still accepted.
#[derive(Debug)]
pub struct RotatedSecret {
    pub secret: PlainToken,
    pub previous_until: Option<DateTime<Utc>>,
}

/// Gives a confidential client a new secret — returned once, stored hashed —
/// and keeps accepting the current one for `overlap` (zero: not at all), so
/// the relying party can switch without an outage. A secret left over from
/// an earlier rotation stops working now: at most two are ever valid.
/// Audited as `client.secret_rotated` (never with a secret). A disabled
/// client may be rotated (e.g. after a leak, before enabling it again).
pub fn rotate_secret(
    conn: &mut DbConnection,
    audit: &AuditChain,
    by: impl Into<ChangedBy>,
    id: &ClientId,
    overlap: Duration,
    now: DateTime<Utc>,
) -> Result<RotatedSecret, RotateError> {
    let by = by.into();
    if overlap > MAX_SECRET_OVERLAP || overlap < Duration::zero() {
        return Err(RotateError::OverlapTooLong);
    }
    let client = super::find(conn, id)?.ok_or(RotateError::NotFound)?;
    if client.is_public() {
        return Err(RotateError::PublicClient);
    }
    let secret = PlainToken::generate(TokenKind::ClientSecret);
    let previous_until = (overlap > Duration::zero()).then(|| now + overlap);
    let rotated = write_transaction(conn, |conn| {
        // Only a client with a secret is changed (a public one never is).
        if !store::rotate_secret(conn, id, &secret.hashed(), previous_until, now)? {
            return Ok(false);
        }
        audit.append(
            conn,
            now,
            &by.event(AuditEventKind::ClientSecretRotated)
                .subject(id)
                .detail(by.detail(serde_json::json!({
                    "overlap_seconds": overlap.num_seconds(),
                    "previous_until": previous_until.map(|t| t.to_rfc3339()),
                }))),
        )?;
        Ok(true)
    })?;
    if !rotated {
        return Err(RotateError::NotFound);
    }
    Ok(RotatedSecret {
        secret,
        previous_until,
    })
}

/// [`super::register`], then publishes a signing key of the client's ID
/// token algorithm if there is none yet, so its first token can be signed:
/// what `latchkey client create` and the console both do.
pub fn register_publishing_key(
    conn: &mut DbConnection,
    audit: &AuditChain,
    master: &latchkey_store::seal::MasterKey,
    by: impl Into<ChangedBy>,
    reg: &ClientRegistration,
    now: DateTime<Utc>,
) -> Result<(ClientId, Option<PlainToken>), RegistrationError> {
    let created = super::register(conn, audit, by, reg, now)?;
    if let Some(alg) = crate::signing::SigningAlg::parse(&reg.id_token_alg) {
        crate::keys::ensure_algorithm(conn, master, audit, alg, now)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    }
    Ok(created)
}
