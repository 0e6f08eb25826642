//! The token endpoint (RFC 6749 §3.2): client authentication, then the
//! authorization_code, refresh_token and client_credentials grants.

use latchkey_core::{PlainToken, TokenKind};
use serde::Serialize;

use crate::clients::{self, AuthenticatedClient, PresentedClientAuth, RegisteredClient};
use crate::mint::{Grant, Issued, needs_account};
use crate::provider::Provider;
use crate::refresh;
use crate::{OAuthError, access};

/// A token request, its parameters read from the form. `resources` are its
/// RFC 8707 `resource` parameters (the one parameter that may repeat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRequest<'a> {
    AuthorizationCode {
        code: &'a str,
        redirect_uri: &'a str,
        code_verifier: &'a str,
        resources: Vec<&'a str>,
    },
    RefreshToken {
        refresh_token: &'a str,
        scope: Option<&'a str>,
        resources: Vec<&'a str>,
    },
    ClientCredentials {
        scope: Option<&'a str>,
        resources: Vec<&'a str>,
    },
}

impl<'a> TokenRequest<'a> {
    /// Reads the grant from the form parameters (`param` answers `None` for
    /// an absent or empty one): `grant_type` and the parameters it needs;
    /// `resources` are the values of the `resource` parameters.
    pub fn from_params(
        param: impl Fn(&'static str) -> Option<&'a str>,
        resources: Vec<&'a str>,
    ) -> Result<Self, OAuthError> {
        let require = |name: &'static str| {
            param(name).ok_or_else(|| OAuthError::invalid_request(format!("{name} is required.")))
        };
        match require("grant_type")? {
            "authorization_code" => Ok(Self::AuthorizationCode {
                code: require("code")?,
                redirect_uri: require("redirect_uri")?,
                code_verifier: param("code_verifier").ok_or_else(|| {
                    OAuthError::invalid_request("code_verifier is required (PKCE).")
                })?,
                resources,
            }),
            "refresh_token" => Ok(Self::RefreshToken {
                refresh_token: require("refresh_token")?,
                scope: param("scope"),
                resources,
            }),
            "client_credentials" => Ok(Self::ClientCredentials {
                scope: param("scope"),
                resources,
            }),
            _ => Err(OAuthError::new(
                "unsupported_grant_type",
                "Supported grants: authorization_code, refresh_token, client_credentials.",
            )),
        }
    }
}

/// A successful token response (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl TokenResponse {
    pub(crate) fn bearer(issued: Issued, scope: String, refresh_token: Option<String>) -> Self {
        Self {
            access_token: issued.access_token,
            token_type: "Bearer",
            expires_in: issued.expires_in,
            scope,
            id_token: issued.id_token,
            refresh_token,
        }
    }
}

impl Provider {
    /// Authenticates the client of a token, revocation or introspection
    /// request.
    pub async fn authenticate_client(
        &self,
        presented: PresentedClientAuth,
    ) -> Result<AuthenticatedClient, OAuthError> {
        let now = self.now();
        Ok(self
            .db()
            .run(move |c| Ok(clients::authenticate(c, &presented, now)))
            .await??)
    }

    /// Answers a token request of an authenticated client.
    pub async fn token(
        &self,
        client: &AuthenticatedClient,
        request: TokenRequest<'_>,
    ) -> Result<TokenResponse, OAuthError> {
        let client = &client.client;
        match request {
            TokenRequest::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
                resources,
            } => {
                self.redeem_code(client, code, redirect_uri, code_verifier, &resources)
                    .await
            }
            TokenRequest::RefreshToken {
                refresh_token,
                scope,
                resources,
            } => self.refresh(client, refresh_token, scope, &resources).await,
            TokenRequest::ClientCredentials { scope, resources } => {
                self.client_credentials(client, scope, &resources).await
            }
        }
    }

    /// The refresh_token grant: rotates the token (reuse revokes the
    /// family) and mints new tokens for the same or a narrower scope, and
    /// for the same or fewer resources (RFC 8707 §2.2).
    async fn refresh(
        &self,
        client: &RegisteredClient,
        presented: &str,
        asked: Option<&str>,
        resources: &[&str],
    ) -> Result<TokenResponse, OAuthError> {
        let token = PlainToken::from_presented(TokenKind::RefreshToken, presented)
            .ok_or_else(|| OAuthError::invalid_grant("The refresh token is not valid."))?;
        // A narrower scope or fewer resources may be asked for, never more:
        // checked before the token is rotated, so a refused request leaves
        // the grant intact.
        if asked.is_some() || !resources.is_empty() {
            let (current, now) = (token.clone(), self.now());
            let grant = self
                .db()
                .run(move |c| Ok(refresh::active_grant(c, &current, now)))
                .await??;
            if let Some(grant) = grant.filter(|g| g.client_id == client.id) {
                if let Some(asked) = asked {
                    narrowed_scope(asked, &grant.scope)?;
                }
                access::narrowed_resources(resources, &grant.resources)?;
            }
        }
        let (audit, cid, now) = (self.audit(), client.id.clone(), self.now());
        // The rotation reads the account for the ID token too.
        let rotated = self
            .db()
            .run(move |c| Ok(refresh::rotate(c, &audit, &token, &cid, now)))
            .await?;
        let refresh::Rotated {
            new_token,
            family,
            account,
        } = rotated.inspect_err(|e| {
            if matches!(e, refresh::RefreshError::Reused) {
                tracing::warn!(client = %client.id, "a rotated refresh token was presented again; its family is revoked");
            }
        })?;
        // Checked again against the family actually rotated.
        let scope = match asked {
            Some(asked) => narrowed_scope(asked, &family.scope)?,
            None => family.scope.clone(),
        };
        let audience = access::narrowed_resources(resources, &family.resources)?;
        let grant = Grant {
            client_id: client.id.clone(),
            user_id: Some(family.user_id),
            scope: scope.clone(),
            auth_time: Some(family.auth_time),
            acr: Some(family.acr),
            amr: family.amr.clone(),
            sid: family.session_id.clone(),
            nonce: None,
            family: Some(family.family_id),
            code_hash: None,
            with_id_token: scope.split(' ').any(|s| s == "openid"),
            resources: audience,
            account: needs_account(&family.scope).then_some(account),
        };
        let issued = self.mint(client, &grant, None).await?;
        Ok(TokenResponse::bearer(
            issued,
            scope,
            Some(new_token.expose().to_owned()),
        ))
    }

    /// The client_credentials grant: a confidential client acting for
    /// itself, for scopes registered for it (no user, so no OpenID Connect
    /// scope) and resources registered for it. Refused before anything is
    /// minted or recorded.
    async fn client_credentials(
        &self,
        client: &RegisteredClient,
        scope: Option<&str>,
        resources: &[&str],
    ) -> Result<TokenResponse, OAuthError> {
        if client.is_public() {
            return Err(OAuthError::unauthorized_client(
                "Public clients cannot use client_credentials.",
            ));
        }
        let asked = access::parse_scope(scope.unwrap_or_default())?;
        if asked
            .iter()
            .any(|s| access::OIDC_SCOPES.contains(&s.as_str()))
        {
            return Err(OAuthError::invalid_scope(
                "client_credentials grants no user scopes.",
            ));
        }
        access::check_allowed_scopes(&asked, &client.scopes)?;
        let resources =
            access::resources_within(resources, &client.resources, access::NOT_REGISTERED)?;
        let scope = asked.into_iter().collect::<Vec<_>>().join(" ");
        let grant = Grant {
            client_id: client.id.clone(),
            user_id: None,
            scope: scope.clone(),
            auth_time: None,
            acr: None,
            amr: Vec::new(),
            sid: None,
            nonce: None,
            family: None,
            code_hash: None,
            with_id_token: false,
            resources,
            account: None,
        };
        let issued = self.mint(client, &grant, None).await?;
        Ok(TokenResponse::bearer(issued, scope, None))
    }
}

/// The scopes of `asked`, each once and sorted like every scope string this
/// server issues, if every one was granted; else `invalid_scope`.
pub fn narrowed_scope(asked: &str, granted: &str) -> Result<String, OAuthError> {
    let asked: std::collections::BTreeSet<&str> =
        asked.split(' ').filter(|s| !s.is_empty()).collect();
    if asked.is_empty() {
        return Err(OAuthError::invalid_scope("The scope asked for is empty."));
    }
    if asked.iter().all(|s| granted.split(' ').any(|g| g == *s)) {
        Ok(asked.into_iter().collect::<Vec<_>>().join(" "))
    } else {
        Err(OAuthError::invalid_scope(
            "The scope asked for exceeds the one granted.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params<'a>(
        pairs: &'a [(&'static str, &'a str)],
    ) -> impl Fn(&'static str) -> Option<&'a str> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| *v)
                .filter(|v| !v.is_empty())
        }
    }

    #[test]
    fn token_requests_name_their_missing_parameters() {
        let e = TokenRequest::from_params(params(&[]), Vec::new()).unwrap_err();
        assert_eq!(e.code(), "invalid_request");
        let e = TokenRequest::from_params(params(&[("grant_type", "password")]), Vec::new())
            .unwrap_err();
        assert_eq!(e.code(), "unsupported_grant_type");
        let e = TokenRequest::from_params(
            params(&[
                ("grant_type", "authorization_code"),
                ("code", "c"),
                ("redirect_uri", "https://app.example/cb"),
            ]),
            Vec::new(),
        )
        .unwrap_err();
        assert!(e.description().contains("PKCE"), "{e}");
        assert_eq!(
            TokenRequest::from_params(
                params(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", "r"),
                    ("scope", ""),
                ]),
                vec!["https://api.example"]
            )
            .unwrap(),
            TokenRequest::RefreshToken {
                refresh_token: "r",
                scope: None,
                resources: vec!["https://api.example"],
            }
        );
    }

    #[test]
    fn a_narrowed_scope_may_only_shrink() {
        assert_eq!(
            narrowed_scope("openid", "offline_access openid").unwrap(),
            "openid"
        );
        assert_eq!(
            narrowed_scope("email", "openid").unwrap_err().code(),
            "invalid_scope"
        );
        assert_eq!(
            narrowed_scope("openid openid  offline_access", "offline_access openid").unwrap(),
            "offline_access openid"
        );
        assert_eq!(
            narrowed_scope(" ", "openid").unwrap_err().code(),
            "invalid_scope"
        );
    }
}
