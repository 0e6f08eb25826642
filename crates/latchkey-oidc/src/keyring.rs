//! The key ring: every published signing key, opened once and ready to sign
//! and verify, and a shared handle the server reloads periodically (another
//! node may have rotated).
//!
//! Security invariants enforced here:
//! - only `active` keys sign ([`KeyRing::signer`]); `next` and `retired` keys
//!   only verify and are published;
//! - the JWKS ([`KeyRing::jwks`]) is built from the public JWKs of the opened
//!   keys, which never hold a private part;
//! - a key that cannot be opened fails the load: the server never runs with
//!   a partial key set it would publish or verify against.

use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, NaiveDateTime, Utc};
use latchkey_store::seal::MasterKey;
use latchkey_store::{DbConnection, from_db, signing_keys};
use openidconnect::core::CoreJsonWebKeySet;

use crate::keys::{self, KeyError, KeyState};
use crate::published::Published;
use crate::signing::{RingSigningKey, SigningAlg};

/// One published key with its life-cycle facts.
#[derive(Debug)]
pub struct PublishedKey {
    pub key: RingSigningKey,
    pub state: KeyState,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    /// For a retired key: when it leaves the key set.
    pub publish_until: Option<DateTime<Utc>>,
}

/// The published signing keys, parsed and ready. Immutable: a reload builds
/// a new ring.
#[derive(Debug)]
pub struct KeyRing {
    /// Active first, then next, then retired; by algorithm, then age.
    keys: Vec<PublishedKey>,
    loaded_at: DateTime<Utc>,
    /// The JWKS as served, serialised once per ring.
    jwks_document: Published,
}

fn time(t: NaiveDateTime) -> DateTime<Utc> {
    from_db(t)
}

impl KeyRing {
    /// Opens every key published at `now` (next, active, and retired keys
    /// before their `publish_until`).
    pub fn load(
        conn: &mut DbConnection,
        master: &MasterKey,
        now: DateTime<Utc>,
    ) -> Result<Self, KeyError> {
        let rows = signing_keys::published(conn, now)?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in rows {
            let state = KeyState::parse(&row.state).ok_or_else(|| KeyError::Open {
                kid: row.id.clone(),
            })?;
            keys.push(PublishedKey {
                key: keys::open(master, &row)?,
                state,
                created_at: time(row.created_at),
                activated_at: row.activated_at.map(time),
                publish_until: row.publish_until.map(time),
            });
        }
        Ok(Self::from_keys(keys, now))
    }

    /// A ring of already opened keys (tests, tools).
    pub fn from_keys(mut keys: Vec<PublishedKey>, loaded_at: DateTime<Utc>) -> Self {
        keys.sort_by_key(|k| (k.state, k.key.alg(), k.created_at));
        let jwks_document = Published::json(&jwks_of(&keys));
        Self {
            keys,
            loaded_at,
            jwks_document,
        }
    }

    /// When this ring was loaded.
    pub fn loaded_at(&self) -> DateTime<Utc> {
        self.loaded_at
    }

    /// Every key in the ring.
    pub fn keys(&self) -> &[PublishedKey] {
        &self.keys
    }

    /// The key that signs new tokens of `alg` (the most recently activated
    /// active key), if the algorithm is in use.
    pub fn signer(&self, alg: SigningAlg) -> Option<&RingSigningKey> {
        self.keys
            .iter()
            .filter(|k| k.state == KeyState::Active && k.key.alg() == alg)
            .max_by_key(|k| k.activated_at)
            .map(|k| &k.key)
    }

    /// Any published key by its `kid` (to verify a token).
    pub fn key(&self, kid: &str) -> Option<&RingSigningKey> {
        self.keys
            .iter()
            .find(|k| k.key.kid().as_str() == kid)
            .map(|k| &k.key)
    }

    /// The algorithms that can sign now (have an active key), in the order
    /// ES256, RS256, EdDSA.
    pub fn algorithms(&self) -> Vec<SigningAlg> {
        SigningAlg::ALL
            .into_iter()
            .filter(|&alg| self.signer(alg).is_some())
            .collect()
    }

    /// The JWKS: every published key's public part, active keys first.
    pub fn jwks(&self) -> CoreJsonWebKeySet {
        jwks_of(&self.keys)
    }

    /// The JWKS serialised, with its ETag: what `/jwks` serves.
    pub fn jwks_document(&self) -> &Published {
        &self.jwks_document
    }
}

fn jwks_of(keys: &[PublishedKey]) -> CoreJsonWebKeySet {
    CoreJsonWebKeySet::new(keys.iter().map(|k| k.key.public_jwk().clone()).collect())
}

/// The key ring shared by every request of one node; [`SharedKeyRing::reload`]
/// swaps in a freshly loaded ring without blocking signers for longer than a
/// pointer copy. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SharedKeyRing(Arc<RwLock<Arc<KeyRing>>>);

impl SharedKeyRing {
    pub fn new(ring: KeyRing) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(ring))))
    }

    /// Loads the ring from the database.
    pub fn load(
        conn: &mut DbConnection,
        master: &MasterKey,
        now: DateTime<Utc>,
    ) -> Result<Self, KeyError> {
        Ok(Self::new(KeyRing::load(conn, master, now)?))
    }

    /// The current ring. Hold the `Arc` for one request: a reload meanwhile
    /// does not change what this request signs and verifies with.
    pub fn current(&self) -> Arc<KeyRing> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the current ring.
    pub fn replace(&self, ring: KeyRing) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(ring);
    }

    /// Loads the keys published at `now` and makes them current. On error
    /// the previous ring stays in use.
    pub fn reload(
        &self,
        conn: &mut DbConnection,
        master: &MasterKey,
        now: DateTime<Utc>,
    ) -> Result<Arc<KeyRing>, KeyError> {
        let ring = Arc::new(KeyRing::load(conn, master, now)?);
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = ring.clone();
        Ok(ring)
    }
}
