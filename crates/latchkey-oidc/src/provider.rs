//! The authorization server as one service: what the flows need (database,
//! session store, clock, audit chain, signing keys, master key, issuer),
//! built once by the server and shared by every request. The web layer,
//! the recovery engine and the console all drive the protocol through it.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use latchkey_core::SharedClock;
use latchkey_session::SessionStore;
use latchkey_store::Db;
use latchkey_store::audit::AuditChain;
use latchkey_store::seal::MasterKey;

use crate::keyring::SharedKeyRing;
use crate::published::Published;

/// What a [`Provider`] is built from.
pub struct ProviderParts {
    pub db: Db,
    pub sessions: SessionStore,
    pub clock: SharedClock,
    pub audit: Arc<AuditChain>,
    /// The token-signing keys, reloaded by the server.
    pub keys: SharedKeyRing,
    /// Opens sealed signing keys and seals new ones (a client's first
    /// token with an algorithm that has no key yet).
    pub master: MasterKey,
    /// The issuer identifier (`iss`): [`crate::discovery::issuer_identifier`].
    pub issuer: String,
    /// Whether a new user may create an account from the sign-in flow
    /// (`prompt=create` then goes to sign-up instead of sign-in).
    pub signup_open: bool,
}

impl std::fmt::Debug for ProviderParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderParts")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// The OpenID Provider. Cheap to clone.
#[derive(Clone)]
pub struct Provider(Arc<ProviderParts>, Arc<OnceLock<Published>>);

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.0.issuer)
            .field("sessions", &self.0.sessions)
            .finish_non_exhaustive()
    }
}

impl Provider {
    pub fn new(parts: ProviderParts) -> Self {
        Self(Arc::new(parts), Arc::default())
    }

    /// The issuer identifier, byte-identical in discovery, tokens and
    /// authorization responses.
    pub fn issuer(&self) -> &str {
        &self.0.issuer
    }

    /// The discovery document as served, serialised on first use: every
    /// algorithm a client can be registered with (the key of one no client
    /// uses yet is created on first use; OIDC Discovery §3: RS256 is always
    /// listed). `issuer` is the issuer URL the identifier came from.
    pub fn discovery_document(&self, issuer: &url::Url) -> &Published {
        self.1.get_or_init(|| {
            Published::json(&crate::discovery::provider_metadata(
                issuer,
                &crate::signing::SigningAlg::ALL,
            ))
        })
    }

    /// The signing keys.
    pub fn keys(&self) -> &SharedKeyRing {
        &self.0.keys
    }

    pub(crate) fn db(&self) -> &Db {
        &self.0.db
    }

    pub(crate) fn sessions(&self) -> &SessionStore {
        &self.0.sessions
    }

    pub(crate) fn audit(&self) -> Arc<AuditChain> {
        self.0.audit.clone()
    }

    pub(crate) fn master(&self) -> &MasterKey {
        &self.0.master
    }

    pub(crate) fn signup_open(&self) -> bool {
        self.0.signup_open
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.0.clock.now()
    }
}
