//! What every handler can reach. Built once by the server and shared.

use std::sync::Arc;

use latchkey_core::SharedClock;
use latchkey_passkey::RelyingParty;
use latchkey_session::SessionStore;
use latchkey_store::Db;
use latchkey_store::audit::AuditChain;
use latchkey_store::recovery_codes::RecoveryCodeHasher;
use url::Url;

use crate::metrics::Metrics;
use crate::proxies::TrustedProxies;

/// The application state. Cheap to clone (everything inside is shared).
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub sessions: SessionStore,
    pub clock: SharedClock,
    pub audit: Arc<AuditChain>,
    pub metrics: Metrics,
    pub issuer: Url,
    /// The issuer exactly as `iss` carries it (no trailing slash).
    pub issuer_id: String,
    /// The issuer's origin (`scheme://host[:port]`): state-changing requests
    /// must come from it.
    pub origin: String,
    pub rp: Arc<RelyingParty>,
    /// The token-signing keys, parsed once and reloaded by the worker.
    pub keys: latchkey_oidc::keyring::SharedKeyRing,
    /// Opens the signing keys sealed in the database (and seals new ones
    /// when a client needs an algorithm that has no key yet).
    pub master: latchkey_store::seal::MasterKey,
    pub recovery_codes: Arc<RecoveryCodeHasher>,
    /// Whether anyone may create an account without an invitation.
    pub self_signup: bool,
    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Sign-in, step-up, enrolment and account changes.
    pub accounts: latchkey_accounts::Accounts,
    /// The authorization server: every OpenID Connect flow goes through it.
    pub oidc: latchkey_oidc::Provider,
    /// The guarded-action engine: account recovery and the requests the
    /// account page lists.
    pub recovery: latchkey_recovery::GuardedActions,
}

impl AppState {
    /// The issuer identifier (`iss`), byte-identical in discovery, tokens and
    /// authorization responses.
    pub fn issuer_str(&self) -> &str {
        &self.issuer_id
    }

    /// The instance's branding in force (name, logo, colour, support
    /// link), for the header and title of every page. Every page gets it
    /// here and nowhere else: the configured one until an administrator
    /// changes it, then the stored one (read through a 5 s cache). When it
    /// cannot be read, the page still renders, with the built-in name.
    pub async fn brand(&self) -> std::sync::Arc<latchkey_store::branding::Brand> {
        match self.accounts.settings().brand().current().await {
            Ok(brand) => brand,
            Err(e) => {
                tracing::warn!(error = %e, "the branding could not be read");
                std::sync::Arc::new(latchkey_store::branding::Brand::default())
            }
        }
    }
}
