//! Authorization codes: issued once per authorization request, redeemed once.
//!
//! Security invariants enforced here:
//! - a stored pending request is taken (atomically) before its code is
//!   made, so two tabs cannot mint two codes from one request; a request
//!   answered at once was never stored, and its code is its only trace;
//! - a code is taken atomically at redemption: of concurrent redemptions on
//!   any nodes exactly one gets it;
//! - a code presented again while its `authz-code-used` marker lives revokes
//!   what the first redemption issued (RFC 6749 §4.1.2) — also when the
//!   second arrives while the first is still minting: the marker is set to
//!   "replayed" first, and the first redemption checks it once its tokens
//!   exist, revokes them and fails;
//! - a code issued in an OpenID Connect session that has since been ended
//!   on purpose (sign-out, logout) is refused, checked before minting and
//!   again after, so an end that races the redemption still wins.

use latchkey_core::{AuthenticatedSubject, HashedToken, PlainToken, TokenKind};
use latchkey_store::ended_sessions;

use super::token::TokenResponse;
use super::{
    AuthorizeStep, CODE_TTL, CodeRecord, FlowError, NS_CODE, NS_CODE_USED, NS_PENDING, Pending,
    USED_CODE_MEMORY,
};
use crate::authorize::{AuthorizationRequest, response_url};
use crate::clients::RegisteredClient;
use crate::mint::{Grant, needs_account};
use crate::pkce::CodeChallenge;
use crate::provider::Provider;
use crate::refresh::{self, NewGrant};
use crate::{OAuthError, access};

/// The marker of a code presented again.
const REPLAYED: &[u8] = b"replayed";

fn session_ended() -> OAuthError {
    OAuthError::invalid_grant("The code is not valid: the user signed out since it was issued.")
}

fn unknown_code() -> OAuthError {
    OAuthError::invalid_grant("The code is not valid: unknown, expired or already used.")
}

impl Provider {
    /// Spends the stored request and redirects to the client with a code.
    pub(super) async fn issue_code(
        &self,
        request_id: &str,
        pending: &Pending,
        me: &AuthenticatedSubject,
    ) -> Result<AuthorizeStep, FlowError> {
        if self
            .sessions()
            .take(NS_PENDING, request_id)
            .await?
            .is_none()
        {
            return Err(FlowError::RequestGone);
        }
        self.mint_code(&pending.request, me).await
    }

    /// A code for `r` and the redirect that carries it to the client. The
    /// caller has spent the request (or never stored it).
    pub(super) async fn mint_code(
        &self,
        r: &AuthorizationRequest,
        me: &AuthenticatedSubject,
    ) -> Result<AuthorizeStep, FlowError> {
        let code = PlainToken::generate(TokenKind::AuthorizationCode);
        let record = CodeRecord {
            client_id: r.client_id.clone(),
            redirect_uri: r.redirect_uri.clone(),
            user_id: me.user,
            scope: r.scope(),
            nonce: r.nonce.clone(),
            code_challenge: r.code_challenge.clone(),
            auth_time: me.auth_time,
            acr: me.acr,
            amr: me.amr.clone(),
            sid: me.sid.clone(),
            issued_at: self.now(),
            resources: r.resources.clone(),
        };
        self.sessions()
            .put_json(NS_CODE, &code.hashed().to_hex(), &record, CODE_TTL)
            .await?;
        let mut fields = vec![("code", code.expose())];
        if let Some(s) = &r.state {
            fields.push(("state", s));
        }
        Ok(AuthorizeStep::Redirect(response_url(
            &r.redirect_uri,
            self.issuer(),
            &fields,
        )))
    }

    /// The authorization_code grant: `code` for `client`, presented with
    /// the request's `redirect_uri` and the PKCE `verifier`; `resources`
    /// (RFC 8707) may name fewer of the authorization request's resources.
    pub(super) async fn redeem_code(
        &self,
        client: &RegisteredClient,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
        resources: &[&str],
    ) -> Result<TokenResponse, OAuthError> {
        let code_hash = HashedToken::of(code);
        let key = code_hash.to_hex();
        let Some(record) = self
            .sessions()
            .take_json::<CodeRecord>(NS_CODE, &key)
            .await?
        else {
            // Used before? Then revoke everything it issued.
            if self.sessions().get(NS_CODE_USED, &key).await?.is_some() {
                // Marked first, so a redemption still minting sees it and
                // revokes what it is about to hand out.
                self.sessions()
                    .put(NS_CODE_USED, &key, REPLAYED, USED_CODE_MEMORY)
                    .await?;
                self.revoke_issued_by_code(&code_hash).await?;
                tracing::warn!(client = %client.id, "an authorization code was used twice; its tokens are revoked");
            }
            return Err(unknown_code());
        };
        self.sessions()
            .put(NS_CODE_USED, &key, b"1", USED_CODE_MEMORY)
            .await?;
        if record.client_id != client.id {
            return Err(OAuthError::invalid_grant(
                "The code was issued to another client.",
            ));
        }
        if record.redirect_uri != redirect_uri {
            return Err(OAuthError::invalid_grant(
                "redirect_uri does not match the one of the authorization request.",
            ));
        }
        // A challenge that does not decode can match no verifier.
        let matches = CodeChallenge::from_encoded(&record.code_challenge)
            .is_ok_and(|challenge| challenge.verify(verifier));
        if !matches {
            return Err(OAuthError::invalid_grant(
                "The code_verifier does not match the code_challenge.",
            ));
        }
        let audience = access::narrowed_resources(resources, &record.resources)?;
        let now = self.now();
        let offline = record.scope.split(' ').any(|s| s == "offline_access");
        let new = if offline {
            Some(NewGrant {
                client_id: client.id.clone(),
                user_id: record.user_id,
                session_id: Some(record.sid.clone()),
                scope: record.scope.clone(),
                acr: record.acr,
                amr: record.amr.clone(),
                auth_time: record.auth_time,
                code_hash: Some(code_hash.clone()),
                lifetime: self.refresh_lifetime().await?,
                // The whole grant: a refresh may ask for any of them.
                resources: record.resources.clone(),
            })
        } else {
            None
        };
        // One database call: the session's end, the refresh family and the
        // account for the ID token.
        let (sid, user, with_account) = (
            record.sid.clone(),
            record.user_id,
            needs_account(&record.scope),
        );
        let (ended, refresh, account) = self
            .db()
            .run(move |c| {
                if ended_sessions::has_ended(c, &sid, now)? {
                    return Ok(Ok((true, None, None)));
                }
                let refresh = match new.map(|new| refresh::issue(c, &new, now)).transpose() {
                    Ok(refresh) => refresh,
                    Err(e) => return Ok(Err(e)),
                };
                let account = if with_account {
                    latchkey_store::users::find(c, user)?
                } else {
                    None
                };
                Ok(Ok((false, refresh, account)))
            })
            .await??;
        if ended {
            return Err(session_ended());
        }
        let refresh = refresh.map(|(token, family)| (token, family.family_id));
        let grant = Grant {
            client_id: client.id.clone(),
            user_id: Some(record.user_id),
            scope: record.scope.clone(),
            auth_time: Some(record.auth_time),
            acr: Some(record.acr),
            amr: record.amr.clone(),
            sid: Some(record.sid.clone()),
            nonce: record.nonce.clone(),
            family: refresh.as_ref().map(|(_, f)| *f),
            code_hash: Some(code_hash.clone()),
            with_id_token: true,
            resources: audience,
            account,
        };
        let issued = self.mint(client, &grant, Some(code)).await?;
        // A replay that arrived while these were minted found nothing to revoke.
        if self.sessions().get(NS_CODE_USED, &key).await?.as_deref() == Some(REPLAYED) {
            self.revoke_issued_by_code(&code_hash).await?;
            return Err(unknown_code());
        }
        // The session ended while these were minted: end it again, now
        // that they exist.
        if self.session_ended(&record.sid).await? {
            self.end_sessions(vec![record.sid]).await?;
            return Err(session_ended());
        }
        Ok(TokenResponse::bearer(
            issued,
            record.scope,
            refresh.map(|(t, _)| t.expose().to_owned()),
        ))
    }

    /// Whether the OpenID Connect session `sid` was ended on purpose
    /// recently enough for a code issued in it to be alive.
    async fn session_ended(&self, sid: &str) -> Result<bool, OAuthError> {
        let (sid, now) = (sid.to_owned(), self.now());
        Ok(self
            .db()
            .run(move |c| ended_sessions::has_ended(c, &sid, now))
            .await?)
    }

    /// Revokes every token a code issued, directly or through refreshes of
    /// the families it started, and audits the families.
    async fn revoke_issued_by_code(&self, code_hash: &HashedToken) -> Result<(), OAuthError> {
        let (h, now, audit) = (code_hash.clone(), self.now(), self.audit());
        self.db()
            .run(move |c| Ok(refresh::revoke_families_by_code(c, &audit, &h, now)))
            .await??;
        Ok(())
    }
}
