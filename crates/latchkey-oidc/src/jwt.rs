//! The JWTs Latchkey issues: ID tokens (OpenID Connect Core §2, signed
//! through openidconnect's `IdToken::new`, which fills `at_hash`/`c_hash`)
//! and access tokens in the JWT profile of RFC 9068 (built here: the header
//! must say `typ: at+jwt`, which openidconnect cannot set).
//!
//! Access-token audience: the resources the client asked for with RFC 8707
//! `resource` parameters (registered for the client, see [`crate::access`]),
//! a string for one and an array for several. Without any, RFC 9068 §3 asks
//! for a default resource indicator: ours is the issuer's userinfo endpoint
//! — the one protected resource this server runs. The client id is NOT the
//! audience: a token whose `aud` named the client could be passed off to it
//! as an ID token. An API validates the token against the JWKS and checks
//! that `aud` names it (or asks /introspect, which answers a confidential
//! client about the tokens issued to it).
//!
//! Security invariants enforced by [`KeyRing::verify_access_token`]: the
//! header's `typ` is `at+jwt` (an ID token — same keys, same issuer — is
//! never accepted as an access token), the `kid` names a key of the ring,
//! the header's `alg` is that key's algorithm (no `none`, no algorithm
//! switching), the signature verifies (ring), `iss` is ours, `aud` is not
//! empty and `exp` is in the future. Whoever serves a resource checks that
//! `aud` names it ([`AccessTokenClaims::is_for`]; userinfo does).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SubsecRound as _, Utc};
use latchkey_core::{Acr, Amr, ClientId};
use openidconnect::core::{
    CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AccessToken, AdditionalClaims, Audience, AuthenticationContextClass,
    AuthenticationMethodReference, AuthorizationCode, EndUserEmail, EndUserName, EndUserUsername,
    IssuerUrl, LocalizedClaim, Nonce, StandardClaims, SubjectIdentifier,
};
use serde::{Deserialize, Serialize};

use crate::discovery::USERINFO_PATH;
use crate::keyring::KeyRing;
use crate::signing::KeyError;
use crate::signing::SigningAlg;

/// The `typ` header of an RFC 9068 access token.
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no {0} key is active, so nothing can be signed with {0}")]
    NoSigningKey(SigningAlg),
    #[error("the issuer URL cannot be a token's iss")]
    Issuer(#[source] url::ParseError),
    #[error("signing the ID token failed")]
    IdToken(#[source] openidconnect::JsonWebTokenError),
    #[error("serialising the token failed")]
    Serialize(#[source] serde_json::Error),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("the token is not a well-formed signed JWT")]
    Malformed,
    #[error("the token is not an access token (its typ is not at+jwt)")]
    NotAnAccessToken,
    #[error("the token is an access token, not an ID token")]
    NotAnIdToken,
    #[error("the token names no key, or a key this server does not publish")]
    UnknownKey,
    #[error("the token's algorithm is not the algorithm of its key")]
    AlgorithmMismatch,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    #[error("the token has expired")]
    Expired,
}

/// The claims our ID tokens add to OpenID Connect's: the session id `sid`
/// (Front-/Back-Channel Logout, RP-Initiated Logout).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionIdClaim {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

impl AdditionalClaims for SessionIdClaim {}

/// ID-token claims as Latchkey issues them.
pub type IdTokenClaims = openidconnect::IdTokenClaims<SessionIdClaim, CoreGenderClaim>;

/// An ID token as Latchkey issues it.
pub type IdToken = openidconnect::IdToken<
    SessionIdClaim,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// What an ID token says. The profile claims are included only when the
/// granted scopes allow them (the caller decides).
pub struct IdTokenInput {
    /// The issuer identifier ([`crate::discovery::issuer_identifier`]: no trailing slash).
    pub issuer: String,
    pub subject: String,
    /// The client the token is for (`aud`).
    pub audience: ClientId,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub auth_time: Option<DateTime<Utc>>,
    pub nonce: Option<String>,
    pub sid: Option<String>,
    pub acr: Option<Acr>,
    pub amr: Vec<Amr>,
    pub name: Option<String>,
    pub preferred_username: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    /// The access token issued with this ID token: fills `at_hash`.
    pub access_token: Option<String>,
    /// The authorization code it was exchanged for: fills `c_hash`.
    pub code: Option<String>,
}

impl std::fmt::Debug for IdTokenInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("IdTokenInput")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .field("audience", &self.audience)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("auth_time", &self.auth_time)
            .field("nonce", &self.nonce)
            .field("sid", &self.sid)
            .field("acr", &self.acr)
            .field("amr", &self.amr)
            .field("access_token", &redacted(&self.access_token))
            .field("code", &redacted(&self.code))
            .finish_non_exhaustive()
    }
}

/// Signs an ID token with the active key of `alg`.
pub fn mint_id_token(
    keyring: &KeyRing,
    alg: SigningAlg,
    input: &IdTokenInput,
) -> Result<String, TokenError> {
    let signer = keyring.signer(alg).ok_or(TokenError::NoSigningKey(alg))?;
    let issuer = IssuerUrl::new(input.issuer.clone()).map_err(TokenError::Issuer)?;
    let mut standard = StandardClaims::new(SubjectIdentifier::new(input.subject.clone()));
    if let Some(name) = &input.name {
        standard = standard.set_name(Some(LocalizedClaim::from(EndUserName::new(name.clone()))));
    }
    if let Some(username) = &input.preferred_username {
        standard = standard.set_preferred_username(Some(EndUserUsername::new(username.clone())));
    }
    if let Some(email) = &input.email {
        standard = standard
            .set_email(Some(EndUserEmail::new(email.clone())))
            .set_email_verified(input.email_verified);
    }
    let claims = IdTokenClaims::new(
        issuer,
        vec![Audience::new(input.audience.to_string())],
        input.expires_at,
        input.issued_at,
        standard,
        SessionIdClaim {
            sid: input.sid.clone(),
        },
    )
    .set_auth_time(input.auth_time)
    .set_nonce(input.nonce.clone().map(Nonce::new))
    .set_auth_context_ref(
        input
            .acr
            .map(|a| AuthenticationContextClass::new(a.to_string())),
    )
    .set_auth_method_refs((!input.amr.is_empty()).then(|| {
        input
            .amr
            .iter()
            .map(|a| AuthenticationMethodReference::new(a.to_string()))
            .collect()
    }));
    let access_token = input
        .access_token
        .as_ref()
        .map(|t| AccessToken::new(t.clone()));
    let code = input
        .code
        .as_ref()
        .map(|c| AuthorizationCode::new(c.clone()));
    let token = IdToken::new(
        claims,
        signer,
        alg.jws(),
        access_token.as_ref(),
        code.as_ref(),
    )
    .map_err(TokenError::IdToken)?;
    Ok(token.to_string())
}

/// An access token's `aud` (RFC 7519 §4.1.3): one resource as a string,
/// several as an array; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenAudience(Vec<String>);

impl AccessTokenAudience {
    /// The audience of `resources`, or `None` if there is none.
    pub fn of(resources: impl IntoIterator<Item = String>) -> Option<Self> {
        let list: Vec<String> = resources.into_iter().collect();
        (!list.is_empty()).then_some(Self(list))
    }

    /// Every resource it names.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Whether it names `resource` (byte-exactly).
    pub fn contains(&self, resource: &str) -> bool {
        self.0.iter().any(|r| r == resource)
    }
}

impl Serialize for AccessTokenAudience {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => one.serialize(serializer),
            many => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for AccessTokenAudience {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        let list = match OneOrMany::deserialize(deserializer)? {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        };
        Self::of(list).ok_or_else(|| serde::de::Error::custom("an empty audience"))
    }
}

/// What an access token says (RFC 9068 §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    /// The resources asked for, or the issuer's userinfo endpoint (see the
    /// module documentation).
    pub aud: AccessTokenAudience,
    pub client_id: ClientId,
    #[serde(with = "chrono::serde::ts_seconds")]
    pub iat: DateTime<Utc>,
    #[serde(with = "chrono::serde::ts_seconds")]
    pub exp: DateTime<Utc>,
    pub jti: String,
    /// Granted scopes, space-separated.
    pub scope: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "chrono::serde::ts_seconds_option"
    )]
    pub auth_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<Acr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<Amr>,
    /// The browser session the token was issued in (ending it revokes the
    /// token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The refresh-token family the token was issued under (revoking the
    /// family revokes the token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_family: Option<String>,
    /// The authorization code it was issued for, as
    /// [`latchkey_store::token_revocations::code_grant_id`] (a replay of the
    /// code revokes the token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_grant: Option<String>,
}

impl AccessTokenClaims {
    /// Whether the token is meant for `resource` (its `aud` names it).
    pub fn is_for(&self, resource: &str) -> bool {
        self.aud.contains(resource)
    }
}

/// What an access token is issued for. For `client_credentials` the subject
/// is the client and there is no `auth_time`, `acr` or `amr`.
#[derive(Debug, Clone)]
pub struct AccessTokenInput {
    /// The issuer identifier ([`crate::discovery::issuer_identifier`]: no trailing slash).
    pub issuer: String,
    pub subject: String,
    pub client_id: ClientId,
    /// Granted scopes, space-separated.
    pub scope: String,
    /// A unique token id (e.g. a random UUID), by which the token alone is
    /// revoked.
    pub jti: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub auth_time: Option<DateTime<Utc>>,
    pub acr: Option<Acr>,
    pub amr: Vec<Amr>,
    /// The resources (RFC 8707) the token is for: its `aud`. Empty: the
    /// default audience, [`access_token_audience`].
    pub resources: Vec<String>,
    /// The browser session (`sid`) it is issued in, if any.
    pub sid: Option<String>,
    /// The refresh-token family it is issued under, if any.
    pub refresh_family: Option<String>,
    /// The code grant it is issued for, if any.
    pub code_grant: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct JwsHeader {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crit: Option<serde_json::Value>,
}

/// The `aud` of an access token for `issuer` (an issuer identifier) that
/// names no resource: its userinfo endpoint, RFC 9068's default resource
/// (module documentation).
pub fn access_token_audience(issuer: &str) -> String {
    format!("{issuer}{USERINFO_PATH}")
}

/// Signs an RFC 9068 access token with the active ES256 key (ES256 exists
/// from the first start and every resource server understands it). Times
/// are carried in whole seconds.
pub fn mint_access_token(
    keyring: &KeyRing,
    input: &AccessTokenInput,
) -> Result<String, TokenError> {
    let alg = SigningAlg::Es256;
    let signer = keyring.signer(alg).ok_or(TokenError::NoSigningKey(alg))?;
    let aud = AccessTokenAudience::of(input.resources.iter().cloned())
        .unwrap_or_else(|| AccessTokenAudience(vec![access_token_audience(&input.issuer)]));
    let claims = AccessTokenClaims {
        iss: input.issuer.clone(),
        sub: input.subject.clone(),
        aud,
        client_id: input.client_id.clone(),
        iat: input.issued_at.trunc_subsecs(0),
        exp: input.expires_at.trunc_subsecs(0),
        jti: input.jti.clone(),
        scope: input.scope.clone(),
        auth_time: input.auth_time.map(|t| t.trunc_subsecs(0)),
        acr: input.acr,
        amr: input.amr.clone(),
        sid: input.sid.clone(),
        refresh_family: input.refresh_family.clone(),
        code_grant: input.code_grant.clone(),
    };
    let header = JwsHeader {
        alg: alg.as_str().to_owned(),
        kid: Some(signer.kid().to_string()),
        typ: Some(ACCESS_TOKEN_TYPE.to_owned()),
        crit: None,
    };
    let signing_input = format!("{}.{}", encode_json(&header)?, encode_json(&claims)?);
    let signature = signer.sign_message(signing_input.as_bytes())?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

fn encode_json<T: Serialize>(value: &T) -> Result<String, TokenError> {
    let json = serde_json::to_vec(value).map_err(TokenError::Serialize)?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

/// Whether a JOSE `typ` names an RFC 9068 access token.
fn is_access_token_type(typ: &str) -> bool {
    typ.eq_ignore_ascii_case(ACCESS_TOKEN_TYPE) || typ.eq_ignore_ascii_case("application/at+jwt")
}

/// What an `id_token_hint` (RP-Initiated Logout) says: whose session, for
/// which client.
#[derive(Debug, Clone, Deserialize)]
pub struct IdTokenHint {
    pub sub: String,
    aud: serde_json::Value,
}

impl IdTokenHint {
    /// The one audience (client id), if the token has exactly one.
    pub fn audience(&self) -> Option<&str> {
        match &self.aud {
            serde_json::Value::String(a) => Some(a),
            serde_json::Value::Array(list) if list.len() == 1 => list[0].as_str(),
            _ => None,
        }
    }
}

impl KeyRing {
    /// The payload of `token` once its form, `typ` (`typ_ok`, else
    /// `wrong_typ`), key, algorithm and signature have been checked.
    fn verified_payload<'t>(
        &self,
        token: &'t str,
        typ_ok: impl Fn(&str) -> bool,
        wrong_typ: TokenError,
    ) -> Result<&'t str, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let head: JwsHeader = decode_json(header)?;
        if head.crit.is_some() {
            return Err(TokenError::Malformed);
        }
        if !typ_ok(head.typ.as_deref().unwrap_or_default()) {
            return Err(wrong_typ);
        }
        let key = head
            .kid
            .as_deref()
            .and_then(|kid| self.key(kid))
            .ok_or(TokenError::UnknownKey)?;
        if SigningAlg::parse(&head.alg) != Some(key.alg()) {
            return Err(TokenError::AlgorithmMismatch);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let signing_input = &token[..header.len() + 1 + payload.len()];
        if !key.verify_message(signing_input.as_bytes(), &signature) {
            return Err(TokenError::BadSignature);
        }
        Ok(payload)
    }

    /// Verifies one of our own access tokens (for userinfo, introspection,
    /// revocation): `typ`, key, algorithm, signature, `iss`, `exp` — see the
    /// module documentation. Which resource the token is for is the
    /// caller's to check ([`AccessTokenClaims::is_for`]). Tokens signed by
    /// a `next` or retired key verify too (another node may have rotated
    /// before this one reloaded).
    pub fn verify_access_token(
        &self,
        token: &str,
        issuer: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessTokenClaims, TokenError> {
        let payload =
            self.verified_payload(token, is_access_token_type, TokenError::NotAnAccessToken)?;
        let claims: AccessTokenClaims = decode_json(payload)?;
        if claims.iss != issuer {
            return Err(TokenError::WrongIssuer);
        }
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    /// Verifies an `id_token_hint`: an ID token this issuer signed with a
    /// published key (never an access token). Its expiry is not checked: a
    /// hint is usually old.
    pub fn verify_id_token_hint(
        &self,
        token: &str,
        issuer: &str,
    ) -> Result<IdTokenHint, TokenError> {
        #[derive(Deserialize)]
        struct Claims {
            iss: String,
            #[serde(flatten)]
            hint: IdTokenHint,
        }
        let payload = self.verified_payload(
            token,
            |typ| !is_access_token_type(typ),
            TokenError::NotAnIdToken,
        )?;
        let claims: Claims = decode_json(payload)?;
        if claims.iss != issuer {
            return Err(TokenError::WrongIssuer);
        }
        Ok(claims.hint)
    }
}
