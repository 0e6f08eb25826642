//! Signing keys, their rotation, the JWTs they sign and the discovery
//! document, against a real database: a temporary SQLite file by default, a
//! fresh PostgreSQL schema when `LATCHKEY_TEST_DATABASE_URL` names a server.
//! Time comes from a `TestClock`, never from the wall clock.
//!
//! ID tokens are checked the way a relying party checks them: with
//! openidconnect's verifier built from our discovery document and JWKS.

mod access_tokens;
mod discovery;
mod id_tokens;
mod rotation;

use std::ops::DerefMut;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{Acr, Amr, Clock as _, TestClock};
use latchkey_oidc::discovery::provider_metadata;
use latchkey_oidc::jwt::IdTokenInput;
use latchkey_oidc::keyring::KeyRing;
use latchkey_oidc::signing::SigningAlg;
use latchkey_store::DbConnection;
use latchkey_store::audit::{AuditChain, AuditEvent};
use latchkey_store::seal::MasterKey;
use latchkey_testkit::TestDb;
use openidconnect::core::{CoreClient, CoreIdTokenVerifier, CoreProviderMetadata};
use url::Url;

pub const ISSUER: &str = "https://id.example.com";
pub const CLIENT: &str = "client-1";

pub fn issuer() -> Url {
    Url::parse(ISSUER).unwrap()
}

/// One test's database, master key, audit chain and clock (2030-01-01).
#[derive(Debug)]
pub struct Fixture {
    pub db: TestDb,
    pub master: MasterKey,
    pub audit: AuditChain,
    pub clock: TestClock,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    pub fn new() -> Self {
        let master = MasterKey::from_bytes([0x42; 32]);
        Self {
            db: TestDb::new(),
            audit: AuditChain::new(&master),
            master,
            clock: TestClock::fixed(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn conn(&self) -> impl DerefMut<Target = DbConnection> + use<> {
        self.db
            .db
            .get_blocking()
            .unwrap_or_else(|e| panic!("connecting to {}: {e:?}", self.db.url))
    }

    /// The key ring as a node loads it now.
    pub fn ring(&self) -> KeyRing {
        KeyRing::load(&mut self.conn(), &self.master, self.now()).unwrap()
    }

    /// Every audit event, oldest first.
    pub fn audit_events(&self) -> Vec<AuditEvent> {
        let mut events = AuditChain::recent(&mut self.conn(), 1000).unwrap();
        events.reverse();
        assert!(
            self.audit
                .verify(&mut self.conn())
                .unwrap()
                .broken
                .is_none(),
            "the audit chain stays intact"
        );
        events
    }
}

/// An ID token's input for user `u-1` signed in at `now` with a passkey.
pub fn id_token_input(now: DateTime<Utc>) -> IdTokenInput {
    IdTokenInput {
        issuer: ISSUER.to_owned(),
        subject: "u-1".to_owned(),
        audience: latchkey_core::ClientId::parse(CLIENT).unwrap(),
        issued_at: now,
        expires_at: now + Duration::minutes(10),
        auth_time: Some(now - Duration::minutes(1)),
        nonce: Some("n-0S6_WzA2Mj".to_owned()),
        sid: Some("sid-1".to_owned()),
        acr: Some(Acr::Phrh),
        amr: vec![Amr::Hwk, Amr::User],
        name: Some("Ada Lovelace".to_owned()),
        preferred_username: Some("ada".to_owned()),
        email: Some("ada@example.com".to_owned()),
        email_verified: Some(true),
        access_token: Some("the-access-token".to_owned()),
        code: Some("the-code".to_owned()),
    }
}

/// Runs `check` with the verifier a relying party builds from our discovery
/// document and JWKS (`CoreClient::from_provider_metadata`), its clock
/// standing at `now`.
pub fn with_relying_party<R>(
    ring: &KeyRing,
    now: DateTime<Utc>,
    check: impl FnOnce(&CoreIdTokenVerifier<'_>) -> R,
) -> R {
    let metadata: CoreProviderMetadata =
        serde_json::from_value(provider_metadata(&issuer(), &ring.algorithms())).unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata.set_jwks(ring.jwks()),
        openidconnect::ClientId::new(CLIENT.to_owned()),
        None,
    );
    let verifier = client.id_token_verifier().set_time_fn(move || now);
    check(&verifier)
}

/// The decoded JSON of a JWT's header and payload.
pub fn decode(token: &str) -> (serde_json::Value, serde_json::Value) {
    use base64::Engine as _;
    let part = |i: usize| -> serde_json::Value {
        let text = token.split('.').nth(i).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(text)
                .unwrap(),
        )
        .unwrap()
    };
    (part(0), part(1))
}

/// Which algorithms' keys the ring has, for assertions.
pub fn kids(ring: &KeyRing) -> Vec<String> {
    ring.jwks()
        .keys()
        .iter()
        .map(|k| {
            openidconnect::JsonWebKey::key_id(k)
                .unwrap()
                .as_str()
                .to_owned()
        })
        .collect()
}

pub fn active_kid(ring: &KeyRing, alg: SigningAlg) -> String {
    ring.signer(alg).unwrap().kid().to_string()
}
