//! What clients and resource servers ask about tokens: userinfo (OpenID
//! Connect Core §5.3), revocation (RFC 7009) and introspection (RFC 7662).

use latchkey_core::{PlainToken, TokenKind, UserId};
use latchkey_store::{DbConnection, StoreError, refresh_tokens};
use serde_json::{Value, json};

use crate::OAuthError;
use crate::clients::AuthenticatedClient;
use crate::jwt::{AccessTokenClaims, access_token_audience};
use crate::provider::Provider;
use crate::{refresh, revocation};

impl Provider {
    /// The claims of a valid, unrevoked access token of ours: signature
    /// and expiry checked against the key ring in memory, then one read of
    /// the revocation records (shared by every node).
    pub async fn active_access_token(&self, token: &str) -> Result<AccessTokenClaims, OAuthError> {
        Ok(self.active_access_token_then(token, |_, _| Ok(())).await?.0)
    }

    /// [`Self::active_access_token`], then `then` with the claims on the
    /// same database connection (one hand-off to the blocking pool, not
    /// two); `then` runs only for an unrevoked token.
    async fn active_access_token_then<T: Send + 'static>(
        &self,
        token: &str,
        then: impl FnOnce(&mut DbConnection, &AccessTokenClaims) -> Result<T, StoreError>
        + Send
        + 'static,
    ) -> Result<(AccessTokenClaims, T), OAuthError> {
        let now = self.now();
        let claims = self
            .keys()
            .current()
            .verify_access_token(token, self.issuer(), now)
            .map_err(|_| OAuthError::invalid_token("The access token is not valid."))?;
        let (claims, then) = self
            .db()
            .run(move |c| {
                let then = if revocation::is_revoked(c, &claims)? {
                    None
                } else {
                    Some(then(c, &claims)?)
                };
                Ok((claims, then))
            })
            .await?;
        match then {
            Some(then) => Ok((claims, then)),
            None => Err(OAuthError::invalid_token("The access token was revoked.")),
        }
    }

    /// The userinfo response for a bearer access token: `sub`, and the
    /// claims its scopes allow. The token must be meant for userinfo (its
    /// `aud` names the endpoint: a token asked for another resource is not),
    /// needs `openid` (`insufficient_scope` otherwise) and an enabled
    /// account.
    pub async fn userinfo(&self, token: &str) -> Result<Value, OAuthError> {
        let audience = access_token_audience(self.issuer());
        let (claims, account) = self
            .active_access_token_then(token, move |c, claims| match claims.sub.parse::<UserId>() {
                Ok(user) if claims.is_for(&audience) => latchkey_store::users::find(c, user),
                _ => Ok(None),
            })
            .await?;
        if !claims.is_for(&access_token_audience(self.issuer())) {
            return Err(OAuthError::invalid_token(
                "The access token is not meant for userinfo.",
            ));
        }
        if claims.sub.parse::<UserId>().is_err() {
            return Err(OAuthError::invalid_token(
                "The access token has no end user.",
            ));
        }
        let account = account
            .filter(|u| !u.is_disabled())
            .ok_or_else(|| OAuthError::invalid_token("The account no longer exists."))?;
        let scopes: Vec<&str> = claims.scope.split(' ').collect();
        if !scopes.contains(&"openid") {
            return Err(OAuthError::new(
                "insufficient_scope",
                "The access token lacks the openid scope.",
            ));
        }
        let mut out = json!({ "sub": account.id });
        if scopes.contains(&"profile") {
            out["name"] = account.display_name.clone().into();
            out["preferred_username"] = account.username.clone().into();
        }
        if scopes.contains(&"email")
            && let Some(email) = &account.email
        {
            out["email"] = email.clone().into();
            out["email_verified"] = account.email_verified_at.is_some().into();
        }
        Ok(out)
    }

    /// RFC 7009: revokes `token` if it is one of `client`'s — a refresh
    /// token with its family (audited), or an access token. Anything else
    /// changes nothing and is not an error (§2.2).
    pub async fn revoke(
        &self,
        client: &AuthenticatedClient,
        token: &str,
    ) -> Result<(), OAuthError> {
        let now = self.now();
        if let Some(presented) = PlainToken::from_presented(TokenKind::RefreshToken, token) {
            let (audit, cid) = (self.audit(), client.id().clone());
            self.db()
                .run(move |c| {
                    Ok(refresh::revoke_family_by_token(
                        c, &audit, &presented, &cid, now,
                    ))
                })
                .await?
                .map_err(OAuthError::server)?;
        } else if let Ok(claims) =
            self.keys()
                .current()
                .verify_access_token(token, self.issuer(), now)
            && claims.client_id == *client.id()
        {
            let jti = claims.jti;
            self.db()
                .run(move |c| revocation::revoke_token(c, &jti, now))
                .await?;
        }
        Ok(())
    }

    /// RFC 7662: what `token` is, told only to the confidential client it
    /// was issued to (`{"active": false}` for anything else).
    pub async fn introspect(
        &self,
        client: &AuthenticatedClient,
        token: Option<&str>,
    ) -> Result<Value, OAuthError> {
        // Introspection is for confidential clients (resource servers) only.
        if client.client.is_public() {
            return Err(OAuthError::invalid_client());
        }
        let token = token.ok_or_else(|| OAuthError::invalid_request("token is required."))?;
        let now = self.now();
        let inactive = json!({ "active": false });
        if let Some(presented) = PlainToken::from_presented(TokenKind::RefreshToken, token) {
            let grant = self
                .db()
                .run(move |c| Ok(refresh::active_grant(c, &presented, now)))
                .await?
                .map_err(OAuthError::server)?;
            return Ok(match grant.filter(|g| g.client_id == *client.id()) {
                Some(g) => json!({
                    "active": true,
                    "token_type": "refresh_token",
                    "client_id": g.client_id,
                    "sub": g.user_id,
                    "scope": g.scope,
                    "iss": self.issuer(),
                    "exp": g.expires_at.timestamp(),
                }),
                None => inactive,
            });
        }
        // A user's token ends with the account (client_credentials tokens
        // have the client as subject): checked in the same call.
        let claims = match self
            .active_access_token_then(token, |c, claims| match claims.sub.parse::<UserId>() {
                Ok(_) => refresh_tokens::user_is_disabled(c, &claims.sub),
                Err(_) => Ok(false),
            })
            .await
        {
            Ok((claims, false)) if claims.client_id == *client.id() => Some(claims),
            _ => None,
        };
        Ok(match claims {
            Some(claims) => json!({
                "active": true,
                "token_type": "Bearer",
                "client_id": claims.client_id,
                "sub": claims.sub,
                "scope": claims.scope,
                "aud": claims.aud,
                "iss": self.issuer(),
                "exp": claims.exp.timestamp(),
                "iat": claims.iat.timestamp(),
                "jti": claims.jti,
            }),
            None => inactive,
        })
    }
}
