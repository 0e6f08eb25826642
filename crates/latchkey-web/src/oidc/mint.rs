//! Issuing tokens: short-lived JWT access tokens (RFC 9068), recorded by
//! `jti` so they can be revoked, and ID tokens signed with the client's
//! algorithm.

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{Acr, Amr, ClientId, HashedToken, RefreshFamilyId, UserId};
use latchkey_oidc::signing::SigningAlg;
use latchkey_store::access_tokens::{self, NewAccessToken};
use latchkey_store::clients::Client;

use super::OAuthError;
use crate::state::AppState;

/// Access tokens live ten minutes; refresh tokens renew them.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::minutes(10);
/// ID tokens live as long.
pub const ID_TOKEN_LIFETIME: Duration = Duration::minutes(10);

/// What a grant entitles the client to.
#[derive(Debug, Clone)]
pub struct Grant {
    pub client_id: ClientId,
    /// `None` for client_credentials.
    pub user_id: Option<UserId>,
    pub scope: String,
    pub auth_time: Option<DateTime<Utc>>,
    pub acr: Option<Acr>,
    pub amr: Vec<Amr>,
    pub sid: Option<String>,
    pub nonce: Option<String>,
}

#[derive(Debug)]
pub struct Issued {
    pub access_token: String,
    pub expires_in: i64,
    pub id_token: Option<String>,
}

/// Creates the keys of an algorithm no client used before (or that another
/// process created and this node has not reloaded yet) and reloads the ring.
async fn key_for(
    state: &AppState,
    alg: SigningAlg,
) -> Result<std::sync::Arc<latchkey_oidc::keyring::KeyRing>, OAuthError> {
    let (master, audit, keys, now) = (
        state.master.clone(),
        state.audit.clone(),
        state.keys.clone(),
        state.clock.now(),
    );
    state
        .db
        .run(move |c| {
            let corrupt =
                |e: &dyn std::fmt::Display| latchkey_store::StoreError::Corrupt(e.to_string());
            latchkey_oidc::keys::ensure_algorithm(c, &master, &audit, alg, now)
                .map_err(|e| corrupt(&e))?;
            keys.reload(c, &master, now)
                .map(drop)
                .map_err(|e| corrupt(&e))
        })
        .await?;
    Ok(state.keys.current())
}

/// Mints (and records) an access token and, when asked, an ID token.
pub async fn issue(
    state: &AppState,
    client: &Client,
    grant: &Grant,
    code: Option<&str>,
    family: Option<RefreshFamilyId>,
    code_hash: Option<HashedToken>,
    with_id_token: bool,
) -> Result<Issued, OAuthError> {
    let now = state.clock.now();
    let ring = state.keys.current();
    let jti = uuid::Uuid::new_v4().simple().to_string();
    let expires_at = now + ACCESS_TOKEN_LIFETIME;
    let subject = grant
        .user_id
        .map_or_else(|| grant.client_id.to_string(), |u| u.to_string());
    let access_token = latchkey_oidc::jwt::mint_access_token(
        &ring,
        &latchkey_oidc::jwt::AccessTokenInput {
            issuer: state.issuer_str().to_owned(),
            subject: subject.clone(),
            client_id: grant.client_id.clone(),
            scope: grant.scope.clone(),
            jti: jti.clone(),
            issued_at: now,
            expires_at,
            auth_time: grant.auth_time,
            acr: grant.acr,
            amr: grant.amr.clone(),
        },
    )
    .map_err(|e| OAuthError::internal(&e))?;
    let record = NewAccessToken {
        jti,
        client_id: grant.client_id.clone(),
        user_id: grant.user_id,
        family_id: family,
        code_hash,
        scope: grant.scope.clone(),
        issued_at: now,
        expires_at,
        session_id: grant.sid.clone(),
    };
    state
        .db
        .run(move |c| access_tokens::record(c, &record))
        .await?;

    let id_token = match (with_id_token, grant.user_id) {
        (true, Some(user)) => {
            let scopes: Vec<&str> = grant.scope.split(' ').collect();
            let (profile, email) = (scopes.contains(&"profile"), scopes.contains(&"email"));
            let account = if profile || email {
                state
                    .db
                    .run(move |c| latchkey_store::users::find(c, user))
                    .await?
            } else {
                None
            };
            let account = account.as_ref();
            let alg = SigningAlg::parse(&client.id_token_alg).unwrap_or(SigningAlg::Es256);
            let ring = if ring.signer(alg).is_some() {
                ring
            } else {
                key_for(state, alg).await?
            };
            Some(
                latchkey_oidc::jwt::mint_id_token(
                    &ring,
                    alg,
                    &latchkey_oidc::jwt::IdTokenInput {
                        issuer: state.issuer_str().to_owned(),
                        subject,
                        audience: grant.client_id.clone(),
                        issued_at: now,
                        expires_at: now + ID_TOKEN_LIFETIME,
                        auth_time: grant.auth_time,
                        nonce: grant.nonce.clone(),
                        sid: grant.sid.clone(),
                        acr: grant.acr,
                        amr: grant.amr.clone(),
                        name: account.filter(|_| profile).map(|a| a.display_name.clone()),
                        preferred_username: account.filter(|_| profile).map(|a| a.username.clone()),
                        email: account.filter(|_| email).and_then(|a| a.email.clone()),
                        email_verified: account
                            .filter(|a| email && a.email.is_some())
                            .map(|a| a.email_verified_at.is_some()),
                        access_token: Some(access_token.clone()),
                        code: code.map(str::to_owned),
                    },
                )
                .map_err(|e| OAuthError::internal(&e))?,
            )
        }
        _ => None,
    };
    Ok(Issued {
        access_token,
        expires_in: ACCESS_TOKEN_LIFETIME.num_seconds(),
        id_token,
    })
}
