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

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use chrono::{DateTime, Utc};
use latchkey_core::{Acr, AuditEventKind, ClientId, HashedToken, PlainToken, Secret, TokenKind};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::clients::{self as store, Client, NewClient};
use latchkey_store::{DbConnection, StoreError, write_transaction};

use crate::redirect::{self, RedirectUriError};

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
}

impl ClientRegistration {
    /// A registration with the defaults: confidential, no minimum acr,
    /// third-party, ES256, no post-logout redirect URIs.
    pub fn new(name: impl Into<String>, redirect_uris: Vec<String>) -> Self {
        Self {
            name: name.into(),
            redirect_uris,
            post_logout_redirect_uris: Vec::new(),
            public: false,
            min_acr: None,
            first_party: false,
            id_token_alg: DEFAULT_ID_TOKEN_ALG.to_owned(),
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
    Ok(())
}

/// Registers a client and audits it (`client.created`, never with the
/// secret). Returns its new id and, for a confidential client, its secret —
/// the only time the secret exists outside the caller's hands.
pub fn register(
    conn: &mut DbConnection,
    audit: &AuditChain,
    actor: &str,
    reg: &ClientRegistration,
    now: DateTime<Utc>,
) -> Result<(ClientId, Option<PlainToken>), RegistrationError> {
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
    };
    write_transaction(conn, |conn| {
        store::insert(conn, &new, now)?;
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::ClientCreated)
                .actor(actor)
                .subject(&id)
                .detail(serde_json::json!({
                    "name": new.name,
                    "public": reg.public,
                    "auth_method": new.auth_method,
                    "redirect_uris": new.redirect_uris,
                    "post_logout_redirect_uris": new.post_logout_redirect_uris,
                    "min_acr": new.min_acr,
                    "first_party": new.first_party,
                    "id_token_alg": new.id_token_alg,
                })),
        )?;
        Ok(())
    })?;
    Ok((id, secret))
}

/// What disabling a client ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DisableReport {
    pub refresh_families_revoked: usize,
    pub access_tokens_revoked: usize,
}

/// Disables a client: it can no longer authorize, authenticate or use a
/// token, and every grant it holds ends now (its refresh-token families and
/// unexpired access tokens are revoked). Audited as `client.updated`.
/// `None` if no client has this id or it was disabled already.
pub fn disable(
    conn: &mut DbConnection,
    audit: &AuditChain,
    actor: &str,
    id: &ClientId,
    now: DateTime<Utc>,
) -> Result<Option<DisableReport>, StoreError> {
    write_transaction(conn, |conn| {
        if !store::disable(conn, id, now)? {
            return Ok(None);
        }
        let families = latchkey_store::refresh_tokens::revoke_of_client(
            conn,
            id,
            latchkey_store::refresh_tokens::REASON_CLIENT_DISABLED,
            now,
        )?;
        let report = DisableReport {
            refresh_families_revoked: families.len(),
            access_tokens_revoked: latchkey_store::access_tokens::revoke_of_client(conn, id, now)?,
        };
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::ClientUpdated)
                .actor(actor)
                .subject(id)
                .detail(serde_json::json!({
                    "disabled": true,
                    "refresh_families_revoked": report.refresh_families_revoked,
                    "access_tokens_revoked": report.access_tokens_revoked,
                })),
        )?;
        Ok(Some(report))
    })
}

/// Enables a disabled client again (its ended grants stay ended). Audited as
/// `client.updated`. Whether it was disabled.
pub fn enable(
    conn: &mut DbConnection,
    audit: &AuditChain,
    actor: &str,
    id: &ClientId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    write_transaction(conn, |conn| {
        if !store::enable(conn, id, now)? {
            return Ok(false);
        }
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::ClientUpdated)
                .actor(actor)
                .subject(id)
                .detail(serde_json::json!({ "disabled": false })),
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
    pub id_token_alg: String,
    pub disabled: bool,
    secret: Option<HashedToken>,
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
        Ok(Self {
            id: ClientId::parse(&row.id).map_err(|e| corrupt(&e.to_string()))?,
            redirect_uris: row.redirect_uri_list()?,
            post_logout_redirect_uris: row.post_logout_redirect_uri_list()?,
            auth_method,
            min_acr,
            first_party: row.first_party,
            disabled: row.disabled_at.is_some(),
            id_token_alg: row.id_token_alg,
            name: row.name,
            secret,
        })
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

/// Client credentials as presented in a request. The web layer builds it
/// with [`PresentedClientAuth::from_request`] (or the two helpers it uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresentedClientAuth {
    /// `Authorization: Basic` (`client_secret_basic`).
    Basic {
        client_id: ClientId,
        secret: Secret<String>,
    },
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Post {
        client_id: ClientId,
        secret: Secret<String>,
    },
    /// Only `client_id` in the form body (`none`).
    None { client_id: ClientId },
}

impl PresentedClientAuth {
    pub fn client_id(&self) -> &ClientId {
        match self {
            Self::Basic { client_id, .. }
            | Self::Post { client_id, .. }
            | Self::None { client_id } => client_id,
        }
    }

    pub fn method(&self) -> ClientAuthMethod {
        match self {
            Self::Basic { .. } => ClientAuthMethod::ClientSecretBasic,
            Self::Post { .. } => ClientAuthMethod::ClientSecretPost,
            Self::None { .. } => ClientAuthMethod::None,
        }
    }

    /// Parses an `Authorization` header value `Basic <base64>`. Per RFC 6749
    /// §2.3.1 the client id and secret were each form-urlencoded before
    /// being joined with `:` and base64-encoded; both are decoded here.
    ///
    /// A header that is not Basic, or not well formed, is `invalid_request`;
    /// a client id that cannot be one of ours is `invalid_client`.
    pub fn from_basic_header(value: &str) -> Result<Self, ClientAuthError> {
        let value = value.trim();
        let (scheme, rest) = value
            .split_once(' ')
            .ok_or(ClientAuthError::InvalidRequest(
                "malformed Authorization header",
            ))?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(ClientAuthError::InvalidRequest(
                "unsupported Authorization scheme; use Basic",
            ));
        }
        let malformed = || ClientAuthError::InvalidRequest("malformed Basic credentials");
        let decoded = LENIENT_BASE64
            .decode(rest.trim_start())
            .map_err(|_| malformed())?;
        let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
        let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
        let id = form_urldecode(id).ok_or_else(malformed)?;
        let secret = form_urldecode(secret).ok_or_else(malformed)?;
        Ok(Self::Basic {
            client_id: ClientId::parse(&id).map_err(|_| ClientAuthError::InvalidClient)?,
            secret: Secret::new(secret),
        })
    }

    /// Builds `Post` or `None` from the `client_id` and `client_secret`
    /// form parameters (already form-decoded by the web layer). An empty
    /// parameter counts as absent (RFC 6749 §3.1). No client id at all is
    /// `invalid_client` (no client authentication included).
    pub fn from_form(
        client_id: Option<&str>,
        client_secret: Option<&str>,
    ) -> Result<Self, ClientAuthError> {
        let client_id = client_id
            .filter(|s| !s.is_empty())
            .ok_or(ClientAuthError::InvalidClient)?;
        let client_id = ClientId::parse(client_id).map_err(|_| ClientAuthError::InvalidClient)?;
        Ok(match client_secret.filter(|s| !s.is_empty()) {
            Some(secret) => Self::Post {
                client_id,
                secret: Secret::new(secret.to_owned()),
            },
            None => Self::None { client_id },
        })
    }

    /// Decides the method from a whole request: the `Authorization` header
    /// (if any) and the `client_id` / `client_secret` form parameters.
    /// Basic together with a `client_secret` parameter is two methods at
    /// once: `invalid_request` (RFC 6749 §2.3). A `client_id` parameter next
    /// to Basic is tolerated only when it names the same client.
    pub fn from_request(
        authorization: Option<&str>,
        form_client_id: Option<&str>,
        form_client_secret: Option<&str>,
    ) -> Result<Self, ClientAuthError> {
        let form_client_id = form_client_id.filter(|s| !s.is_empty());
        let form_client_secret = form_client_secret.filter(|s| !s.is_empty());
        match authorization.filter(|h| !h.trim().is_empty()) {
            Some(header) => {
                if form_client_secret.is_some() {
                    return Err(ClientAuthError::InvalidRequest(
                        "more than one client authentication method was used",
                    ));
                }
                let basic = Self::from_basic_header(header)?;
                if form_client_id.is_some_and(|id| id != basic.client_id().as_str()) {
                    return Err(ClientAuthError::InvalidRequest(
                        "client_id does not match the Authorization header",
                    ));
                }
                Ok(basic)
            }
            None => Self::from_form(form_client_id, form_client_secret),
        }
    }

    fn secret(&self) -> Option<&Secret<String>> {
        match self {
            Self::Basic { secret, .. } | Self::Post { secret, .. } => Some(secret),
            Self::None { .. } => None,
        }
    }
}

/// Standard base64 that accepts missing padding (some clients strip it).
static LENIENT_BASE64: LazyLock<GeneralPurpose> = LazyLock::new(|| {
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
});

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a
/// space, `%XX` a byte; a `%` not followed by two hex digits stays as it is
/// (as the WHATWG URL standard does). `None` if the result is not UTF-8.
fn form_urldecode(s: &str) -> Option<String> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Why client authentication failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientAuthError {
    /// Unknown client, wrong or missing secret, a method the client may not
    /// use, or a disabled client — deliberately indistinguishable.
    #[error("client authentication failed")]
    InvalidClient,
    /// The request itself is malformed (e.g. two methods at once).
    #[error("invalid client authentication request: {0}")]
    InvalidRequest(&'static str),
    /// The authenticated client may not use what it asked for (set by the
    /// caller, e.g. a grant type the client is not allowed).
    #[error("the client is not authorized for this request: {0}")]
    UnauthorizedClient(&'static str),
    #[error("looking up the client failed")]
    Store(#[from] StoreError),
}

impl ClientAuthError {
    /// The token endpoint error code (RFC 6749 §5.2); `server_error` for
    /// storage failures, which the web layer answers with a 500.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::InvalidClient => "invalid_client",
            Self::InvalidRequest(_) => "invalid_request",
            Self::UnauthorizedClient(_) => "unauthorized_client",
            Self::Store(_) => "server_error",
        }
    }
}

/// A client whose credentials were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedClient {
    pub client: RegisteredClient,
    /// The method it used.
    pub method: ClientAuthMethod,
}

impl AuthenticatedClient {
    pub fn id(&self) -> &ClientId {
        &self.client.id
    }
}

/// A digest no secret has: compared against when the client is unknown, so
/// unknown and known clients take the same path.
static NO_SECRET: LazyLock<HashedToken> =
    LazyLock::new(|| HashedToken::of("latchkey: no client has this secret"));

/// Looks the client up and checks the presented credentials.
pub fn authenticate(
    conn: &mut DbConnection,
    presented: &PresentedClientAuth,
) -> Result<AuthenticatedClient, ClientAuthError> {
    let row = store::find(conn, presented.client_id())?;
    authenticate_row(row, presented)
}

/// Checks presented credentials against an already loaded client row
/// (`None`: no client has that id).
///
/// Rules: a public client must use `none` and present no secret; a
/// confidential client must present its secret with Basic or Post,
/// compared in constant time; a disabled client never authenticates.
pub fn authenticate_row(
    row: Option<Client>,
    presented: &PresentedClientAuth,
) -> Result<AuthenticatedClient, ClientAuthError> {
    let client = row.map(RegisteredClient::from_row).transpose()?;
    let presented_hash = presented.secret().map(|s| HashedToken::of(s.expose()));
    // Compare even when there is nothing to compare against, so the
    // answer's timing says nothing about whether the client exists.
    let stored = client
        .as_ref()
        .and_then(|c| c.secret.as_ref())
        .unwrap_or(&NO_SECRET);
    let secret_ok = presented_hash.as_ref().is_some_and(|h| stored.matches(h));
    let Some(client) = client else {
        return Err(ClientAuthError::InvalidClient);
    };
    if client.disabled || client.id != *presented.client_id() {
        return Err(ClientAuthError::InvalidClient);
    }
    let ok = if client.is_public() {
        presented.method() == ClientAuthMethod::None
    } else {
        presented.method().uses_secret() && secret_ok
    };
    if !ok {
        return Err(ClientAuthError::InvalidClient);
    }
    Ok(AuthenticatedClient {
        method: presented.method(),
        client,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_urldecode_handles_plus_percent_and_stray_percent() {
        assert_eq!(form_urldecode("a+b").as_deref(), Some("a b"));
        assert_eq!(form_urldecode("a%2Bb%3A%25").as_deref(), Some("a+b:%"));
        assert_eq!(form_urldecode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(form_urldecode("100%").as_deref(), Some("100%"));
        assert_eq!(form_urldecode("%zz").as_deref(), Some("%zz"));
        assert_eq!(form_urldecode("%4").as_deref(), Some("%4"));
        assert_eq!(form_urldecode("%FF"), None);
    }

    #[test]
    fn auth_methods_round_trip() {
        for m in ClientAuthMethod::ALL {
            assert_eq!(ClientAuthMethod::parse(m.as_str()), Some(m));
        }
        assert_eq!(ClientAuthMethod::parse("private_key_jwt"), None);
    }

    #[test]
    fn basic_credentials_decode_with_or_without_padding() {
        let enc = base64::engine::general_purpose::STANDARD.encode("a:b");
        assert_eq!(LENIENT_BASE64.decode(enc).unwrap(), b"a:b");
        assert_eq!(LENIENT_BASE64.decode("YTpi").unwrap(), b"a:b");
        assert_eq!(LENIENT_BASE64.decode("YTpiYw").unwrap(), b"a:bc");
    }
}
