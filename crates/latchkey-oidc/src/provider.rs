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
    /// (`prompt=create` then goes to sign-up instead of sign-in), read at
    /// each request.
    pub settings: latchkey_store::live_settings::LiveSettings,
    /// The languages of the pages, listed in discovery as
    /// `ui_locales_supported`.
    pub ui_locales: Vec<String>,
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
            Published::json(&crate::discovery::provider_metadata_with_locales(
                issuer,
                &crate::signing::SigningAlg::ALL,
                &self.0.ui_locales,
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

    /// How long a new refresh-token family lives (set in the console).
    pub(crate) async fn refresh_lifetime(
        &self,
    ) -> Result<chrono::Duration, latchkey_store::StoreError> {
        self.0.settings.refresh_lifetime().await
    }

    pub(crate) async fn signup_open(&self) -> Result<bool, latchkey_store::StoreError> {
        self.0.settings.self_signup().await
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.0.clock.now()
    }

    /// Rotates the signing keys of every algorithm in use
    /// ([`crate::keys::rotate_by`], audited with `actor`) and reloads this
    /// node's key ring at once; other nodes pick the change up at their next
    /// reload (within a minute). `latchkey keys rotate` makes the same
    /// change.
    pub async fn rotate_keys(
        &self,
        actor: &str,
        request_id: Option<&str>,
    ) -> Result<crate::keys::RotationReport, crate::keys::KeyError> {
        let (master, audit, now, keys) = (
            self.master().clone(),
            self.audit(),
            self.now(),
            self.keys().clone(),
        );
        let actor = actor.to_owned();
        let request_id = request_id.map(str::to_owned);
        self.db()
            .run(move |c| {
                let report = match crate::keys::rotate_by(
                    c,
                    &master,
                    &audit,
                    now,
                    crate::keys::RETIRE_AFTER,
                    &actor,
                    request_id.as_deref(),
                ) {
                    Ok(r) => r,
                    Err(e) => return Ok(Err(e)),
                };
                Ok(keys.reload(c, &master, now).map(|_| report))
            })
            .await?
    }
}
