//! Client authentication at the token, revocation and introspection
//! endpoints (RFC 6749 §2.3): `client_secret_basic`, `client_secret_post`
//! and `none`. Unknown client, wrong secret, wrong method and disabled
//! client are one answer, [`ClientAuthError::InvalidClient`], reached by the
//! same path (a constant-time comparison happens even for unknown clients).

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use chrono::{DateTime, Utc};
use latchkey_core::{ClientId, HashedToken, Secret};
use latchkey_store::clients::{self as store, Client};
use latchkey_store::{DbConnection, StoreError};

use super::{ClientAuthMethod, RegisteredClient};

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
    /// A header that is not Basic, not well formed, or names a client id
    /// that cannot be one of ours is `invalid_client`: the client tried to
    /// authenticate with the header and failed, which RFC 6749 §5.2 answers
    /// with 401 and a `WWW-Authenticate` challenge.
    pub fn from_basic_header(value: &str) -> Result<Self, ClientAuthError> {
        let value = value.trim();
        let (scheme, rest) = value
            .split_once(' ')
            .ok_or(ClientAuthError::InvalidClient)?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(ClientAuthError::InvalidClient);
        }
        let malformed = || ClientAuthError::InvalidClient;
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

/// Looks the client up and checks the presented credentials at `now`.
pub fn authenticate(
    conn: &mut DbConnection,
    presented: &PresentedClientAuth,
    now: DateTime<Utc>,
) -> Result<AuthenticatedClient, ClientAuthError> {
    let row = store::find(conn, presented.client_id())?;
    authenticate_row(row, presented, now)
}

/// Checks presented credentials against an already loaded client row
/// (`None`: no client has that id).
///
/// Rules: a public client must use `none` and present no secret; a
/// confidential client must present its secret with Basic or Post,
/// compared in constant time; a disabled client never authenticates. After
/// a rotation with overlap, the previous secret also authenticates until
/// the overlap ends (strictly before its end).
pub fn authenticate_row(
    row: Option<Client>,
    presented: &PresentedClientAuth,
    now: DateTime<Utc>,
) -> Result<AuthenticatedClient, ClientAuthError> {
    let client = row.map(RegisteredClient::from_row).transpose()?;
    let presented_hash = presented.secret().map(|s| HashedToken::of(s.expose()));
    // Compare even when there is nothing to compare against, so the
    // answer's timing says nothing about whether the client exists.
    let stored = client
        .as_ref()
        .and_then(|c| c.secret.as_ref())
        .unwrap_or(&NO_SECRET);
    let previous = client
        .as_ref()
        .and_then(|c| c.previous_secret.as_ref())
        .filter(|(_, until)| now < *until)
        .map_or(&*NO_SECRET, |(hash, _)| hash);
    // Both comparisons always run: which secret matched is not timed.
    let current_ok = presented_hash.as_ref().is_some_and(|h| stored.matches(h));
    let previous_ok = presented_hash.as_ref().is_some_and(|h| previous.matches(h));
    let secret_ok = current_ok | previous_ok;
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
    fn basic_credentials_decode_with_or_without_padding() {
        let enc = base64::engine::general_purpose::STANDARD.encode("a:b");
        assert_eq!(LENIENT_BASE64.decode(enc).unwrap(), b"a:b");
        assert_eq!(LENIENT_BASE64.decode("YTpi").unwrap(), b"a:b");
        assert_eq!(LENIENT_BASE64.decode("YTpiYw").unwrap(), b"a:bc");
    }
}
