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

/// The application state. Cheap to clone (everything inside is shared).
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub sessions: SessionStore,
    pub clock: SharedClock,
    pub audit: Arc<AuditChain>,
    pub metrics: Metrics,
    pub issuer: Url,
    /// The issuer's origin (`scheme://host[:port]`): state-changing requests
    /// must come from it.
    pub origin: String,
    pub rp: Arc<RelyingParty>,
    pub recovery_codes: Arc<RecoveryCodeHasher>,
    /// Whether anyone may create an account without an invitation.
    pub self_signup: bool,
}
