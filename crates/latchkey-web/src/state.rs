//! What every handler can reach. Built once by the server and shared.

use std::sync::Arc;

use latchkey_core::SharedClock;
use latchkey_session::SessionStore;
use latchkey_store::Db;
use latchkey_store::audit::AuditChain;
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
}
