//! The discovery document (OpenID Connect Discovery 1.0 §3, RFC 8414): what
//! the server implements, exactly — a relying party trusts every line.
//!
//! The issuer identifier is the configured issuer URL without a trailing
//! slash; `iss` in tokens and authorization responses is byte-identical to
//! `issuer` here. Endpoints are the issuer plus a fixed path. The server's
//! configuration refuses an issuer with a path (every route is served at the
//! root), but this function keeps one if given.

use latchkey_core::Acr;
use openidconnect::core::{
    CoreClaimName, CoreClientAuthMethod, CoreGrantType, CoreResponseMode, CoreResponseType,
    CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthUrl, AuthenticationContextClass, IssuerUrl, JsonWebKeySetUrl,
    LanguageTag, ProviderMetadata, ResponseTypes, Scope, TokenUrl, UserInfoUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::signing::SigningAlg;

pub const AUTHORIZATION_PATH: &str = "/authorize";
pub const TOKEN_PATH: &str = "/token";
pub const USERINFO_PATH: &str = "/userinfo";
pub const JWKS_PATH: &str = "/jwks";
pub const REVOCATION_PATH: &str = "/revoke";
pub const INTROSPECTION_PATH: &str = "/introspect";
pub const END_SESSION_PATH: &str = "/logout";
/// Where the discovery document is served, relative to the issuer.
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// The scopes advertised: the OpenID Connect scopes, which every server
/// gives the same meaning. A scope registered for one client only is not
/// listed (OpenID Connect Discovery §3 lets a server leave some out).
pub const SCOPES: [&str; 4] = crate::access::OIDC_SCOPES;

/// The claims the server can put in ID tokens or return from userinfo.
pub const CLAIMS: [&str; 14] = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "sid",
    "name",
    "preferred_username",
    "email",
    "email_verified",
];

/// The issuer identifier: the issuer URL without a trailing slash.
pub fn issuer_identifier(issuer: &Url) -> String {
    issuer.as_str().trim_end_matches('/').to_owned()
}

/// The URL of an endpoint: the issuer identifier followed by `path`
/// (one of the `*_PATH` constants).
pub fn endpoint_url(issuer: &Url, path: &str) -> String {
    format!("{}{path}", issuer_identifier(issuer))
}

/// Metadata fields `CoreProviderMetadata` does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatchkeyProviderMetadata {
    /// RFC 7009.
    pub revocation_endpoint: String,
    pub revocation_endpoint_auth_methods_supported: Vec<CoreClientAuthMethod>,
    /// RFC 7662.
    pub introspection_endpoint: String,
    pub introspection_endpoint_auth_methods_supported: Vec<CoreClientAuthMethod>,
    /// OpenID Connect RP-Initiated Logout 1.0.
    pub end_session_endpoint: String,
    /// RFC 7636 (PKCE): S256 only, `plain` is refused.
    pub code_challenge_methods_supported: Vec<String>,
    /// OpenID Connect Prompt Create 1.0 lists `create` here.
    pub prompt_values_supported: Vec<String>,
    /// RFC 9207: `iss` is in every authorization response.
    pub authorization_response_iss_parameter_supported: bool,
}

impl AdditionalProviderMetadata for LatchkeyProviderMetadata {}

/// Latchkey's provider metadata: `CoreProviderMetadata` with
/// [`LatchkeyProviderMetadata`] as the additional fields.
pub type LatchkeyProviderMetadataDocument = ProviderMetadata<
    LatchkeyProviderMetadata,
    openidconnect::core::CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    openidconnect::core::CoreClaimType,
    CoreGrantType,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJweKeyManagementAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// An openidconnect URL type from a string that `url` already parsed; the
/// fallback (never taken) keeps this free of panics.
fn published<T>(
    text: String,
    new: fn(String) -> Result<T, url::ParseError>,
    from: fn(Url) -> T,
    issuer: &Url,
) -> T {
    new(text).unwrap_or_else(|_| from(issuer.clone()))
}

/// The discovery document for `issuer`, advertising `algs` for ID tokens
/// (the algorithms the server signs with; OpenID Connect Discovery §3 wants
/// RS256 among them for relying parties that know nothing else).
pub fn provider_metadata(issuer: &Url, algs: &[SigningAlg]) -> serde_json::Value {
    provider_metadata_with_locales(issuer, algs, &[])
}

/// [`provider_metadata`] that also lists the languages of the pages
/// (`ui_locales_supported`; none listed when `ui_locales` is empty).
pub fn provider_metadata_with_locales(
    issuer: &Url,
    algs: &[SigningAlg],
    ui_locales: &[String],
) -> serde_json::Value {
    let url = |path: &str| endpoint_url(issuer, path);
    let secret_methods = vec![
        CoreClientAuthMethod::ClientSecretBasic,
        CoreClientAuthMethod::ClientSecretPost,
    ];
    let metadata = LatchkeyProviderMetadataDocument::new(
        published(
            issuer_identifier(issuer),
            IssuerUrl::new,
            IssuerUrl::from_url,
            issuer,
        ),
        published(
            url(AUTHORIZATION_PATH),
            AuthUrl::new,
            AuthUrl::from_url,
            issuer,
        ),
        published(
            url(JWKS_PATH),
            JsonWebKeySetUrl::new,
            JsonWebKeySetUrl::from_url,
            issuer,
        ),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        algs.iter().map(|a| a.jws()).collect(),
        LatchkeyProviderMetadata {
            revocation_endpoint: url(REVOCATION_PATH),
            // A public client revokes its own tokens with `none` (RFC 7009 §5).
            revocation_endpoint_auth_methods_supported: [
                CoreClientAuthMethod::ClientSecretBasic,
                CoreClientAuthMethod::ClientSecretPost,
                CoreClientAuthMethod::None,
            ]
            .to_vec(),
            introspection_endpoint: url(INTROSPECTION_PATH),
            introspection_endpoint_auth_methods_supported: secret_methods.clone(),
            end_session_endpoint: url(END_SESSION_PATH),
            code_challenge_methods_supported: vec!["S256".to_owned()],
            prompt_values_supported: ["none", "login", "consent", "create"]
                .map(String::from)
                .to_vec(),
            authorization_response_iss_parameter_supported: true,
        },
    )
    .set_token_endpoint(Some(published(
        url(TOKEN_PATH),
        TokenUrl::new,
        TokenUrl::from_url,
        issuer,
    )))
    .set_userinfo_endpoint(Some(published(
        url(USERINFO_PATH),
        UserInfoUrl::new,
        UserInfoUrl::from_url,
        issuer,
    )))
    .set_response_modes_supported(Some(vec![CoreResponseMode::Query]))
    .set_grant_types_supported(Some(vec![
        CoreGrantType::AuthorizationCode,
        CoreGrantType::RefreshToken,
        CoreGrantType::ClientCredentials,
    ]))
    .set_token_endpoint_auth_methods_supported(Some(
        secret_methods
            .into_iter()
            .chain([CoreClientAuthMethod::None])
            .collect(),
    ))
    .set_scopes_supported(Some(SCOPES.map(|s| Scope::new(s.to_owned())).to_vec()))
    .set_claims_supported(Some(
        CLAIMS.map(|c| CoreClaimName::new(c.to_owned())).to_vec(),
    ))
    .set_acr_values_supported(Some(
        Acr::ALL
            .map(|a| AuthenticationContextClass::new(a.to_string()))
            .to_vec(),
    ))
    .set_claims_parameter_supported(Some(false))
    .set_request_parameter_supported(Some(false))
    .set_request_uri_parameter_supported(Some(false))
    .set_ui_locales_supported((!ui_locales.is_empty()).then(|| {
        ui_locales
            .iter()
            .map(|l| LanguageTag::new(l.clone()))
            .collect()
    }));
    // Strings, booleans and lists of them: serialising cannot fail.
    serde_json::to_value(&metadata).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_identifier_drops_only_the_trailing_slash() {
        let bare = Url::parse("https://id.example.com").unwrap();
        assert_eq!(issuer_identifier(&bare), "https://id.example.com");
        let with_path = Url::parse("https://example.com/sso/").unwrap();
        assert_eq!(issuer_identifier(&with_path), "https://example.com/sso");
        assert_eq!(
            endpoint_url(&with_path, TOKEN_PATH),
            "https://example.com/sso/token"
        );
    }
}
