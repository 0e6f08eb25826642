//! Issuing tokens: short-lived JWT access tokens (RFC 9068), which are not
//! recorded — they carry what a revocation is matched by
//! ([`crate::revocation`]) — and ID tokens signed with the client's
//! algorithm, whose keys are created on first use.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{Acr, Amr, ClientId, HashedToken, RefreshFamilyId, UserId};
use latchkey_store::token_revocations::code_grant_id;
use latchkey_store::users::User;

use crate::OAuthError;
use crate::clients::RegisteredClient;
use crate::jwt::{self, AccessTokenInput, IdTokenInput};
use crate::keyring::KeyRing;
use crate::keys;
use crate::provider::Provider;
use crate::signing::SigningAlg;

/// Access tokens live ten minutes; refresh tokens renew them.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::minutes(10);
/// ID tokens live as long.
pub const ID_TOKEN_LIFETIME: Duration = Duration::minutes(10);

/// What a grant entitles the client to, and what the tokens are tied to.
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
    /// The refresh-token family the access token is issued under.
    pub family: Option<RefreshFamilyId>,
    /// The SHA-256 of the code redeemed, so a replay revokes the token.
    pub code_hash: Option<HashedToken>,
    /// With an ID token (a user, and `openid` granted).
    pub with_id_token: bool,
    /// The resources (RFC 8707) the access token is for, already checked
    /// against the client and the grant; empty: the default audience.
    pub resources: BTreeSet<String>,
    /// The end user's account when the caller read it already (in the
    /// database call that checked the grant): the ID token's profile claims
    /// come from it instead of another read.
    pub account: Option<User>,
}

/// Whether an ID token for `scope` carries profile or email claims (and so
/// needs the account).
pub fn needs_account(scope: &str) -> bool {
    scope.split(' ').any(|s| s == "profile" || s == "email")
}

/// Tokens minted for one grant.
#[derive(Debug)]
pub struct Issued {
    pub access_token: String,
    pub expires_in: i64,
    pub id_token: Option<String>,
}

impl Provider {
    /// Creates the keys of an algorithm no client used before (or that
    /// another node created and this one has not reloaded yet) and reloads
    /// the ring.
    async fn ring_with(&self, alg: SigningAlg) -> Result<Arc<KeyRing>, OAuthError> {
        let (master, audit, ring, now) = (
            self.master().clone(),
            self.audit(),
            self.keys().clone(),
            self.now(),
        );
        self.db()
            .run(move |c| {
                Ok(keys::ensure_algorithm(c, &master, &audit, alg, now)
                    .and_then(|_| ring.reload(c, &master, now)))
            })
            .await??;
        Ok(self.keys().current())
    }

    /// Mints an access token (writing nothing) and, when the grant asks, an ID
    /// token for `client`; `code` is the plain code redeemed (`c_hash`).
    pub(crate) async fn mint(
        &self,
        client: &RegisteredClient,
        grant: &Grant,
        code: Option<&str>,
    ) -> Result<Issued, OAuthError> {
        let now = self.now();
        let ring = self.keys().current();
        let jti = uuid::Uuid::new_v4().simple().to_string();
        let expires_at = now + ACCESS_TOKEN_LIFETIME;
        let subject = grant
            .user_id
            .map_or_else(|| grant.client_id.to_string(), |u| u.to_string());
        let access_token = jwt::mint_access_token(
            &ring,
            &AccessTokenInput {
                issuer: self.issuer().to_owned(),
                subject: subject.clone(),
                client_id: grant.client_id.clone(),
                scope: grant.scope.clone(),
                jti,
                issued_at: now,
                expires_at,
                auth_time: grant.auth_time,
                acr: grant.acr,
                amr: grant.amr.clone(),
                resources: grant.resources.iter().cloned().collect(),
                sid: grant.sid.clone(),
                refresh_family: grant.family.map(|f| f.to_string()),
                code_grant: grant.code_hash.as_ref().map(code_grant_id),
            },
        )?;
        let id_token = match (grant.with_id_token, grant.user_id) {
            (true, Some(user)) => Some(
                self.id_token(client, grant, user, ring, &access_token, code)
                    .await?,
            ),
            _ => None,
        };
        Ok(Issued {
            access_token,
            expires_in: ACCESS_TOKEN_LIFETIME.num_seconds(),
            id_token,
        })
    }

    async fn id_token(
        &self,
        client: &RegisteredClient,
        grant: &Grant,
        user: UserId,
        ring: Arc<KeyRing>,
        access_token: &str,
        code: Option<&str>,
    ) -> Result<String, OAuthError> {
        let now = self.now();
        let scopes: Vec<&str> = grant.scope.split(' ').collect();
        let (profile, email) = (scopes.contains(&"profile"), scopes.contains(&"email"));
        let prefetched = grant.account.as_ref().filter(|a| a.id == user.to_string());
        let fetched = if prefetched.is_none() && (profile || email) {
            self.db()
                .run(move |c| latchkey_store::users::find(c, user))
                .await?
        } else {
            None
        };
        let account = prefetched.or(fetched.as_ref());
        let alg = client.id_token_alg;
        let ring = if ring.signer(alg).is_some() {
            ring
        } else {
            self.ring_with(alg).await?
        };
        Ok(jwt::mint_id_token(
            &ring,
            alg,
            &IdTokenInput {
                issuer: self.issuer().to_owned(),
                subject: user.to_string(),
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
                access_token: Some(access_token.to_owned()),
                code: code.map(str::to_owned),
            },
        )?)
    }
}
