//! OAuth clients: registration and client authentication at the token,
//! revocation and introspection endpoints (RFC 6749 §2.3, §5.2).
//!
//! Confidential clients get a 256-bit random secret, shown once and stored
//! as its SHA-256 (a brute-force-resistant hash adds nothing for a secret of
//! that entropy). They authenticate with `client_secret_basic` or
//! `client_secret_post`; public clients with `none` (and PKCE, which every
//! client must use). Every authentication failure that could tell an
//! attacker something — unknown client, wrong secret, disabled client — is
//! the same [`ClientAuthError::InvalidClient`].

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use latchkey_core::{Acr, AuditEventKind, ClientId, HashedToken, PlainToken, TokenKind};
use latchkey_store::audit::AuditChain;
use latchkey_store::clients::{self as store, Client, NewClient};
use latchkey_store::{DbConnection, StoreError, write_transaction};

use crate::access::{self, MAX_RESOURCES, MAX_SCOPE_LEN, MAX_SCOPES, ResourceUriError};
use crate::redirect::{self, RedirectUriError};
use crate::signing::SigningAlg;

mod authentication;
mod changes;
mod console;
#[cfg(feature = "fetch-logos")]
pub mod logo_fetch;
pub mod presentation;

pub use authentication::{
    AuthenticatedClient, ClientAuthError, PresentedClientAuth, authenticate, authenticate_row,
};
pub use changes::{
    ChangedBy, ClientUpdate, MAX_SECRET_OVERLAP, RotateError, RotatedSecret,
    register_publishing_key, rotate_secret, update,
};

/// The `id_token_signed_response_alg` values a client may choose.
pub const ID_TOKEN_ALGS: [&str; 3] = ["ES256", "RS256", "EdDSA"];
/// The default `id_token_signed_response_alg`.
pub const DEFAULT_ID_TOKEN_ALG: &str = "ES256";
/// The longest client name accepted.
pub const MAX_NAME_LEN: usize = 100;
/// The most redirect URIs (of each kind) one client may register.
pub const MAX_REDIRECT_URIS: usize = 20;

/// How a client authenticates at the token endpoint (RFC 7591 §2
/// `token_endpoint_auth_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    None,
}

impl ClientAuthMethod {
    /// Every method, for discovery's `token_endpoint_auth_methods_supported`.
    pub const ALL: [ClientAuthMethod; 3] =
        [Self::ClientSecretBasic, Self::ClientSecretPost, Self::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether the method presents a client secret.
    pub fn uses_secret(self) -> bool {
        !matches!(self, Self::None)
    }
}

impl std::fmt::Display for ClientAuthMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an administrator registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRegistration {
    pub name: String,
    /// At least one; each validated by [`redirect::validate`], matched
    /// byte-exactly later.
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may return to; same rules, may be empty.
    pub post_logout_redirect_uris: Vec<String>,
    /// A public client (native or browser app) has no secret and
    /// authenticates with `none`.
    pub public: bool,
    /// The least `acr` every authorization of this client requires.
    pub min_acr: Option<Acr>,
    /// A first-party client skips the consent screen.
    pub first_party: bool,
    /// One of [`ID_TOKEN_ALGS`].
    pub id_token_alg: String,
    /// Every scope the client may be granted (RFC 6749 §3.3 values).
    pub scopes: Vec<String>,
    /// The resources (RFC 8707) the client may ask access tokens for, each
    /// checked by [`access::validate_resource`] and matched exactly.
    pub resources: Vec<String>,
}

impl ClientRegistration {
    /// A registration with the defaults: confidential, no minimum acr,
    /// third-party, ES256, no post-logout redirect URIs, the OpenID Connect
    /// scopes ([`access::OIDC_SCOPES`]) and no resource.
    pub fn new(name: impl Into<String>, redirect_uris: Vec<String>) -> Self {
        Self {
            name: name.into(),
            redirect_uris,
            post_logout_redirect_uris: Vec::new(),
            public: false,
            min_acr: None,
            first_party: false,
            id_token_alg: DEFAULT_ID_TOKEN_ALG.to_owned(),
            scopes: access::default_scopes(),
            resources: Vec::new(),
        }
    }
}

/// Why a registration was refused. Each names the field it is about.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("the client name must be 1 to {MAX_NAME_LEN} characters without control characters")]
    InvalidName,
    #[error("at least one redirect URI is required")]
    NoRedirectUri,
    #[error("at most {MAX_REDIRECT_URIS} redirect URIs may be registered")]
    TooManyRedirectUris,
    #[error("redirect URI {uri:?} is refused: {reason}")]
    InvalidRedirectUri {
        uri: String,
        #[source]
        reason: RedirectUriError,
    },
    #[error("post-logout redirect URI {uri:?} is refused: {reason}")]
    InvalidPostLogoutRedirectUri {
        uri: String,
        #[source]
        reason: RedirectUriError,
    },
    #[error("redirect URI {0:?} is listed twice")]
    DuplicateRedirectUri(String),
    #[error("the ID token algorithm {0:?} is not supported; use ES256, RS256 or EdDSA")]
    UnsupportedIdTokenAlg(String),
    #[error(
        "{0:?} is not a scope value: use 1 to {MAX_SCOPE_LEN} printable ASCII characters without spaces, quotes or backslashes (RFC 6749 §3.3)"
    )]
    InvalidScope(String),
    #[error("at most {MAX_SCOPES} scopes may be registered")]
    TooManyScopes,
    #[error("scope {0:?} is listed twice")]
    DuplicateScope(String),
    #[error("resource {uri:?} is refused: {reason}")]
    InvalidResource {
        uri: String,
        #[source]
        reason: ResourceUriError,
    },
    #[error("at most {MAX_RESOURCES} resources may be registered")]
    TooManyResources,
    #[error("resource {0:?} is listed twice")]
    DuplicateResource(String),
    #[error("registering the client failed")]
    Store(#[from] StoreError),
}

impl RegistrationError {
    /// The registration field the error is about (`None` for storage
    /// failures), so a caller can name its own flag or form field.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::InvalidName => Some("name"),
            Self::NoRedirectUri
            | Self::TooManyRedirectUris
            | Self::InvalidRedirectUri { .. }
            | Self::DuplicateRedirectUri(_) => Some("redirect_uris"),
            Self::InvalidPostLogoutRedirectUri { .. } => Some("post_logout_redirect_uris"),
            Self::UnsupportedIdTokenAlg(_) => Some("id_token_alg"),
            Self::InvalidScope(_) | Self::TooManyScopes | Self::DuplicateScope(_) => Some("scopes"),
            Self::InvalidResource { .. } | Self::TooManyResources | Self::DuplicateResource(_) => {
                Some("resources")
            }
            Self::Store(_) => None,
        }
    }
}

/// Checks a registration without storing anything.
pub fn validate_registration(reg: &ClientRegistration) -> Result<(), RegistrationError> {
    let name = reg.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN || name.chars().any(char::is_control)
    {
        return Err(RegistrationError::InvalidName);
    }
    if reg.redirect_uris.is_empty() {
        return Err(RegistrationError::NoRedirectUri);
    }
    if reg.redirect_uris.len() > MAX_REDIRECT_URIS
        || reg.post_logout_redirect_uris.len() > MAX_REDIRECT_URIS
    {
        return Err(RegistrationError::TooManyRedirectUris);
    }
    for (i, uri) in reg.redirect_uris.iter().enumerate() {
        redirect::validate(uri).map_err(|reason| RegistrationError::InvalidRedirectUri {
            uri: uri.clone(),
            reason,
        })?;
        if reg.redirect_uris[..i].contains(uri) {
            return Err(RegistrationError::DuplicateRedirectUri(uri.clone()));
        }
    }
    for uri in &reg.post_logout_redirect_uris {
        redirect::validate(uri).map_err(|reason| {
            RegistrationError::InvalidPostLogoutRedirectUri {
                uri: uri.clone(),
                reason,
            }
        })?;
    }
    if !ID_TOKEN_ALGS.contains(&reg.id_token_alg.as_str()) {
        return Err(RegistrationError::UnsupportedIdTokenAlg(
            reg.id_token_alg.chars().take(32).collect(),
        ));
    }
    validate_scopes_and_resources(reg)
}

/// The scopes and resources of a registration: valid, each once, not too
/// many.
fn validate_scopes_and_resources(reg: &ClientRegistration) -> Result<(), RegistrationError> {
    if reg.scopes.len() > MAX_SCOPES {
        return Err(RegistrationError::TooManyScopes);
    }
    for (i, scope) in reg.scopes.iter().enumerate() {
        if !access::is_scope_value(scope) {
            return Err(RegistrationError::InvalidScope(
                scope.chars().take(MAX_SCOPE_LEN).collect(),
            ));
        }
        if reg.scopes[..i].contains(scope) {
            return Err(RegistrationError::DuplicateScope(scope.clone()));
        }
    }
    if reg.resources.len() > MAX_RESOURCES {
        return Err(RegistrationError::TooManyResources);
    }
    for (i, uri) in reg.resources.iter().enumerate() {
        access::validate_resource(uri).map_err(|reason| RegistrationError::InvalidResource {
            uri: uri.clone(),
            reason,
        })?;
        if reg.resources[..i].contains(uri) {
            return Err(RegistrationError::DuplicateResource(uri.clone()));
        }
    }
    Ok(())
}

/// Registers a client and audits it (`client.created`, never with the
/// secret). Returns its new id and, for a confidential client, its secret —
/// the only time the secret exists outside the caller's hands.
pub fn register(
    conn: &mut DbConnection,
    audit: &AuditChain,
    by: impl Into<ChangedBy>,
    reg: &ClientRegistration,
    now: DateTime<Utc>,
) -> Result<(ClientId, Option<PlainToken>), RegistrationError> {
    let by = by.into();
    validate_registration(reg)?;
    let id = ClientId::generate();
    let secret = (!reg.public).then(|| PlainToken::generate(TokenKind::ClientSecret));
    let method = if reg.public {
        ClientAuthMethod::None
    } else {
        ClientAuthMethod::ClientSecretBasic
    };
    let new = NewClient {
        id: id.clone(),
        name: reg.name.trim().to_owned(),
        secret_hash: secret.as_ref().map(PlainToken::hashed),
        auth_method: method.as_str().to_owned(),
        redirect_uris: reg.redirect_uris.clone(),
        post_logout_redirect_uris: reg.post_logout_redirect_uris.clone(),
        min_acr: reg.min_acr.map(|a| a.as_str().to_owned()),
        first_party: reg.first_party,
        id_token_alg: reg.id_token_alg.clone(),
        allowed_scopes: reg.scopes.clone(),
        allowed_resources: reg.resources.clone(),
    };
    write_transaction(conn, |conn| {
        store::insert(conn, &new, now)?;
        audit.append(
            conn,
            now,
            &by.event(AuditEventKind::ClientCreated)
                .subject(&id)
                .detail(by.detail(serde_json::json!({
                    "name": new.name,
                    "public": reg.public,
                    "auth_method": new.auth_method,
                    "redirect_uris": new.redirect_uris,
                    "post_logout_redirect_uris": new.post_logout_redirect_uris,
                    "min_acr": new.min_acr,
                    "first_party": new.first_party,
                    "id_token_alg": new.id_token_alg,
                    "scopes": new.allowed_scopes,
                    "resources": new.allowed_resources,
                }))),
        )?;
        Ok(())
    })?;
    Ok((id, secret))
}

/// What disabling a client ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DisableReport {
    pub refresh_families_revoked: usize,
}

/// Disables a client: it can no longer authorize, authenticate or use a
/// token, and every grant it holds ends now (its refresh-token families and
/// unexpired access tokens are revoked). Audited as `client.updated`.
/// `None` if no client has this id or it was disabled already.
pub fn disable(
    conn: &mut DbConnection,
    audit: &AuditChain,
    by: impl Into<ChangedBy>,
    id: &ClientId,
    now: DateTime<Utc>,
) -> Result<Option<DisableReport>, StoreError> {
    let by = by.into();
    write_transaction(conn, |conn| {
        if !store::disable(conn, id, now)? {
            return Ok(None);
        }
        // Every access token issued to the client so far; then its
        // families, each audited.
        crate::revocation::revoke_client(conn, id, now)?;
        let families = crate::refresh::revoke_families_of_client(conn, audit, &by.actor, id, now)
            .map_err(crate::refresh::RefreshError::into_store)?;
        let report = DisableReport {
            refresh_families_revoked: families.families.len(),
        };
        audit.append(
            conn,
            now,
            &by.event(AuditEventKind::ClientUpdated)
                .subject(id)
                .detail(by.detail(serde_json::json!({
                    "disabled": true,
                    "refresh_families_revoked": report.refresh_families_revoked,
                }))),
        )?;
        Ok(Some(report))
    })
}

/// Enables a disabled client again (its ended grants stay ended). Audited as
/// `client.updated`. Whether it was disabled.
pub fn enable(
    conn: &mut DbConnection,
    audit: &AuditChain,
    by: impl Into<ChangedBy>,
    id: &ClientId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let by = by.into();
    write_transaction(conn, |conn| {
        if !store::enable(conn, id, now)? {
            return Ok(false);
        }
        audit.append(
            conn,
            now,
            &by.event(AuditEventKind::ClientUpdated)
                .subject(id)
                .detail(by.detail(serde_json::json!({ "disabled": false }))),
        )?;
        Ok(true)
    })
}

/// A registered client, parsed from its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredClient {
    pub id: ClientId,
    pub name: String,
    /// How the client was registered to authenticate. Confidential clients
    /// may use either secret method.
    pub auth_method: ClientAuthMethod,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub min_acr: Option<Acr>,
    pub first_party: bool,
    /// The algorithm of the client's ID tokens. A stored value this server
    /// does not know makes the row unusable (never a silent default).
    pub id_token_alg: SigningAlg,
    pub disabled: bool,
    /// The scopes the client may be granted.
    pub scopes: BTreeSet<String>,
    /// The resources (RFC 8707) the client may ask access tokens for.
    pub resources: BTreeSet<String>,
    secret: Option<HashedToken>,
    /// The secret before the last rotation and until when it is accepted.
    previous_secret: Option<(HashedToken, DateTime<Utc>)>,
}

impl RegisteredClient {
    pub fn from_row(row: Client) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("client {:?}: {what}", row.id));
        let auth_method = ClientAuthMethod::parse(&row.auth_method)
            .ok_or_else(|| corrupt("unknown auth_method"))?;
        let secret = row.secret();
        if auth_method.uses_secret() && secret.is_none() {
            return Err(corrupt("a confidential client without a secret"));
        }
        let min_acr = match &row.min_acr {
            Some(a) => Some(a.parse::<Acr>().map_err(|e| corrupt(&e.to_string()))?),
            None => None,
        };
        let id_token_alg =
            SigningAlg::parse(&row.id_token_alg).ok_or_else(|| corrupt("unknown id_token_alg"))?;
        Ok(Self {
            id: ClientId::parse(&row.id).map_err(|e| corrupt(&e.to_string()))?,
            redirect_uris: row.redirect_uri_list()?,
            post_logout_redirect_uris: row.post_logout_redirect_uri_list()?,
            scopes: row.allowed_scope_list()?.into_iter().collect(),
            resources: row.allowed_resource_list()?.into_iter().collect(),
            auth_method,
            min_acr,
            first_party: row.first_party,
            disabled: row.disabled_at.is_some(),
            id_token_alg,
            previous_secret: row.previous_secret(),
            name: row.name,
            secret,
        })
    }

    /// Until when the secret before the last rotation is still accepted, if
    /// that is later than `now`.
    pub fn previous_secret_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.previous_secret
            .as_ref()
            .map(|(_, until)| *until)
            .filter(|until| now < *until)
    }

    /// The registration this client has now (for editing it: change some
    /// fields, then [`update`]).
    pub fn registration(&self) -> ClientRegistration {
        ClientRegistration {
            name: self.name.clone(),
            redirect_uris: self.redirect_uris.clone(),
            post_logout_redirect_uris: self.post_logout_redirect_uris.clone(),
            public: self.is_public(),
            min_acr: self.min_acr,
            first_party: self.first_party,
            id_token_alg: self.id_token_alg.as_str().to_owned(),
            scopes: self.scopes.iter().cloned().collect(),
            resources: self.resources.iter().cloned().collect(),
        }
    }

    /// A public client: no secret, authenticates with `none`.
    pub fn is_public(&self) -> bool {
        !self.auth_method.uses_secret()
    }

    /// The registered redirect URI byte-identical to `presented`, if any.
    pub fn redirect_uri(&self, presented: &str) -> Option<&str> {
        redirect::exact_match(&self.redirect_uris, presented)
    }

    /// The registered post-logout redirect URI byte-identical to
    /// `presented`, if any.
    pub fn post_logout_redirect_uri(&self, presented: &str) -> Option<&str> {
        redirect::exact_match(&self.post_logout_redirect_uris, presented)
    }
}

/// The client with this id, enabled or not.
pub fn find(
    conn: &mut DbConnection,
    id: &ClientId,
) -> Result<Option<RegisteredClient>, StoreError> {
    store::find(conn, id)?
        .map(RegisteredClient::from_row)
        .transpose()
}

/// The client with this id if it exists and is enabled: what the
/// authorization endpoint looks up before trusting a redirect URI.
pub fn find_active(
    conn: &mut DbConnection,
    id: &ClientId,
) -> Result<Option<RegisteredClient>, StoreError> {
    Ok(find(conn, id)?.filter(|c| !c.disabled))
}

/// Every client, oldest first (no secrets: [`RegisteredClient`] keeps only
/// the hash, privately).
pub fn list(conn: &mut DbConnection) -> Result<Vec<RegisteredClient>, StoreError> {
    store::list(conn)?
        .into_iter()
        .map(RegisteredClient::from_row)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_methods_round_trip() {
        for m in ClientAuthMethod::ALL {
            assert_eq!(ClientAuthMethod::parse(m.as_str()), Some(m));
        }
        assert_eq!(ClientAuthMethod::parse("private_key_jwt"), None);
    }
}
