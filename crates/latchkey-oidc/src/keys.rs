//! Token-signing keys: generation, sealing, and their life cycle.
//!
//! Every algorithm in use has one `active` key (signs) and one `next` key
//! (already published in the JWKS, not yet signing), so relying parties have
//! the next key cached before any token carries it. [`rotate`] promotes
//! `next` → `active`, retires the old active key — still published until
//! every token it signed has expired — and creates a fresh `next`.
//!
//! ES256 keys exist from the first start ([`ensure_active_key`]); RS256 and
//! EdDSA keys are made on first need ([`ensure_algorithm`]), so start-up
//! never waits for an RSA key.
//!
//! Several nodes may run these at once. Each creation or rotation is claimed
//! in `instance_settings` (`settings::set_if_absent`) inside the same write
//! transaction as the change: a node that loses the claim changes nothing,
//! and a crash rolls the claim back with the change.

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{AuditEventKind, SigningKeyId};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::seal::MasterKey;
use latchkey_store::signing_keys::{
    self, NewSigningKey, STATE_ACTIVE, STATE_NEXT, STATE_RETIRED, SigningKey,
};
use latchkey_store::{DbConnection, StoreError, settings, write_transaction};

pub use crate::signing::KeyError;
use crate::signing::{RingSigningKey, SigningAlg, generate_pkcs8};

/// The purpose string of the sealer for private signing keys.
pub const SEAL_PURPOSE: &str = "signing-keys";

/// Where a key is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyState {
    /// Signs new tokens.
    Active,
    /// Published, signs nothing yet; becomes active at the next rotation.
    Next,
    /// Signs nothing; published until `publish_until`.
    Retired,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => STATE_ACTIVE,
            Self::Next => STATE_NEXT,
            Self::Retired => STATE_RETIRED,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Active, Self::Next, Self::Retired]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A new key of `alg` in the given life-cycle state, its private part
/// (PKCS#8) sealed with the master key under the key id.
pub fn generate(
    master: &MasterKey,
    alg: SigningAlg,
    state: KeyState,
) -> Result<NewSigningKey, KeyError> {
    let pkcs8 = generate_pkcs8(alg)?;
    let id = SigningKeyId::generate();
    // Opening it once proves the material is usable and gives the public JWK.
    let key = RingSigningKey::from_pkcs8(alg, id.clone(), pkcs8.expose())?;
    let public_jwk = serde_json::to_string(key.public_jwk()).map_err(|_| KeyError::Generate)?;
    let sealed = master
        .sealer(SEAL_PURPOSE)
        .seal(pkcs8.expose(), id.as_str().as_bytes())?;
    Ok(NewSigningKey {
        id,
        alg: alg.as_str().to_owned(),
        state: state.as_str(),
        public_jwk,
        private_key_sealed: sealed,
    })
}

/// Opens a stored key's private part for signing.
pub fn open(master: &MasterKey, key: &SigningKey) -> Result<RingSigningKey, KeyError> {
    let open_error = || KeyError::Open {
        kid: key.id.clone(),
    };
    let alg =
        SigningAlg::parse(&key.alg).ok_or_else(|| KeyError::UnknownAlgorithm(key.alg.clone()))?;
    let kid = SigningKeyId::parse(&key.id).map_err(|_| open_error())?;
    let pkcs8 = master
        .sealer(SEAL_PURPOSE)
        .open(&key.private_key_sealed, key.id.as_bytes())
        .map_err(|_| open_error())?;
    RingSigningKey::from_pkcs8(alg, kid, pkcs8.expose())
}

/// A key this module created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedKey {
    pub kid: SigningKeyId,
    pub alg: SigningAlg,
    pub state: KeyState,
}

/// Makes sure ES256 has an active and a next key, creating (and auditing)
/// what is missing. Returns the id of the active key if this call created
/// it (the first start). Several nodes starting at once agree on one key.
pub fn ensure_active_key(
    conn: &mut DbConnection,
    master: &MasterKey,
    audit: &AuditChain,
    now: DateTime<Utc>,
) -> Result<Option<SigningKeyId>, KeyError> {
    let created = ensure_algorithm(conn, master, audit, SigningAlg::Es256, now)?;
    Ok(created
        .into_iter()
        .find(|k| k.state == KeyState::Active)
        .map(|k| k.kid))
}

/// The settings key that claims the first active key of `alg`. ES256 keeps
/// the name it had before the other algorithms existed.
fn first_key_claim(alg: SigningAlg) -> String {
    match alg {
        SigningAlg::Es256 => "first_signing_key".to_owned(),
        other => format!("first_signing_key.{}", other.as_str()),
    }
}

/// Whether `alg` has an active and a next key among `keys`.
fn present(keys: &[SigningKey], alg: SigningAlg) -> (bool, bool) {
    let of_alg = |state: &str| {
        keys.iter()
            .any(|k| k.alg == alg.as_str() && k.state == state)
    };
    (of_alg(STATE_ACTIVE), of_alg(STATE_NEXT))
}

fn created_event(key: &NewSigningKey, actor: &str) -> NewAuditEvent {
    NewAuditEvent::new(AuditEventKind::SigningKeyCreated)
        .actor(actor)
        .subject(key.id.as_str())
        .detail(serde_json::json!({ "alg": key.alg, "state": key.state }))
}

/// Inserts `key` if this call wins `claim`; false if another node did.
fn insert_claimed(
    conn: &mut DbConnection,
    audit: &AuditChain,
    claim: &str,
    key: &NewSigningKey,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (_, won) = settings::set_if_absent(conn, claim, key.id.as_str(), now)?;
    if !won {
        return Ok(false);
    }
    signing_keys::insert(conn, key, now)?;
    audit.append(conn, now, &created_event(key, "system"))?;
    Ok(true)
}

/// Makes sure `alg` has an active and a next key, creating (and auditing)
/// what is missing; returns what it created. Cheap when both exist, so it
/// can run before the first token of an algorithm is signed. Keys are
/// generated before the write transaction opens (an RSA key takes a while).
pub fn ensure_algorithm(
    conn: &mut DbConnection,
    master: &MasterKey,
    audit: &AuditChain,
    alg: SigningAlg,
    now: DateTime<Utc>,
) -> Result<Vec<CreatedKey>, KeyError> {
    let (has_active, has_next) = present(&signing_keys::published(conn, now)?, alg);
    if has_active && has_next {
        return Ok(Vec::new());
    }
    let new_active = (!has_active)
        .then(|| generate(master, alg, KeyState::Active))
        .transpose()?;
    let new_next = (!has_next)
        .then(|| generate(master, alg, KeyState::Next))
        .transpose()?;
    let mut created = Vec::new();
    write_transaction(conn, |conn| {
        let active_id = match signing_keys::active(conn, alg.as_str())? {
            Some(active) => active.id,
            None => {
                // Keys never vanish: with an active key seen before the
                // transaction, there is one now.
                let Some(key) = new_active else {
                    return Ok(());
                };
                if !insert_claimed(conn, audit, &first_key_claim(alg), &key, now)? {
                    // Another node made the first key (and its next key).
                    return Ok(());
                }
                created.push(CreatedKey {
                    kid: key.id.clone(),
                    alg,
                    state: KeyState::Active,
                });
                key.id.to_string()
            }
        };
        let (_, has_next) = present(&signing_keys::published(conn, now)?, alg);
        // No key made beforehand: a next key existed before the transaction,
        // and still does (a rotation replaces it in the same transaction).
        if let (false, Some(key)) = (has_next, new_next) {
            let claim = format!("signing_key.next_for.{active_id}");
            if insert_claimed(conn, audit, &claim, &key, now)? {
                created.push(CreatedKey {
                    kid: key.id.clone(),
                    alg,
                    state: KeyState::Next,
                });
            }
        }
        Ok(())
    })?;
    Ok(created)
}

/// One algorithm's rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub alg: SigningAlg,
    /// The former next key, now signing. `None` when the algorithm had no
    /// next key: one was created instead (rotate again once relying parties
    /// have fetched it).
    pub activated: Option<SigningKeyId>,
    /// The former active key, now retired.
    pub retired: Option<SigningKeyId>,
    /// Until when the retired key stays in the JWKS.
    pub publish_until: Option<DateTime<Utc>>,
    /// The new next key.
    pub created_next: SigningKeyId,
}

/// What [`rotate`] did, one entry per algorithm that has keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotationReport {
    pub rotations: Vec<Rotation>,
}

/// Rotates every algorithm that has keys, in one write transaction with its
/// audit events: `next` → `active` (SigningKeyActivated), the old active key
/// → `retired`, published until `now + retire_after` (SigningKeyRetired),
/// and a fresh `next` (SigningKeyCreated).
///
/// `retire_after` must cover the longest lifetime of any token the old key
/// signed, plus how long other nodes may keep signing with it before they
/// reload their key ring, plus a margin.
pub fn rotate(
    conn: &mut DbConnection,
    master: &MasterKey,
    audit: &AuditChain,
    now: DateTime<Utc>,
    retire_after: Duration,
) -> Result<RotationReport, KeyError> {
    rotate_by(conn, master, audit, now, retire_after, "system", None)
}

/// How long a retired key stays in the JWKS: longer than any token it
/// signed lives (access and ID tokens: 10 minutes), plus the minute other
/// nodes may keep signing with it before they reload their keys, with a
/// wide margin. `latchkey keys rotate` and the console's "Rotate now" use it.
pub const RETIRE_AFTER: Duration = Duration::hours(1);

/// [`rotate`], its audit events recorded with `actor` (an administrator's
/// id from the console).
pub fn rotate_by(
    conn: &mut DbConnection,
    master: &MasterKey,
    audit: &AuditChain,
    now: DateTime<Utc>,
    retire_after: Duration,
    actor: &str,
    request_id: Option<&str>,
) -> Result<RotationReport, KeyError> {
    let published = signing_keys::published(conn, now)?;
    let mut algs: Vec<SigningAlg> = published
        .iter()
        .filter(|k| k.state != STATE_RETIRED)
        .filter_map(|k| SigningAlg::parse(&k.alg))
        .collect();
    algs.sort();
    algs.dedup();
    // Generated before the transaction: an RSA key takes a while.
    let mut fresh = algs
        .iter()
        .map(|&alg| generate(master, alg, KeyState::Next).map(|k| (alg, k)))
        .collect::<Result<Vec<_>, _>>()?;
    let publish_until = now + retire_after;
    let report = write_transaction(conn, |conn| {
        let mut report = RotationReport::default();
        for (alg, new_next) in fresh.drain(..) {
            if let Some(rotation) = rotate_one(
                conn,
                audit,
                alg,
                new_next,
                now,
                publish_until,
                (actor, request_id),
            )? {
                report.rotations.push(rotation);
            }
        }
        Ok(report)
    })?;
    Ok(report)
}

fn rotate_one(
    conn: &mut DbConnection,
    audit: &AuditChain,
    alg: SigningAlg,
    new_next: NewSigningKey,
    now: DateTime<Utc>,
    publish_until: DateTime<Utc>,
    (actor, request_id): (&str, Option<&str>),
) -> Result<Option<Rotation>, StoreError> {
    let keys = signing_keys::published(conn, now)?;
    let current = |state: &str| {
        keys.iter()
            .filter(|k| k.alg == alg.as_str() && k.state == state)
            .min_by_key(|k| k.created_at)
            .map(|k| k.id.clone())
    };
    let (old_active, next) = (current(STATE_ACTIVE), current(STATE_NEXT));
    // One rotation per (active, next) pair: a node rotating at the same
    // moment loses this claim and leaves the algorithm alone.
    let claim = format!(
        "signing_key.rotated.{}.{}",
        old_active.as_deref().unwrap_or("-"),
        next.as_deref().unwrap_or("-")
    );
    let (_, won) = settings::set_if_absent(conn, &claim, new_next.id.as_str(), now)?;
    if !won {
        return Ok(None);
    }
    let activated = match next {
        Some(_) => signing_keys::promote_next(conn, alg.as_str(), now, publish_until)?,
        None => None,
    };
    let parse = |id: &str| SigningKeyId::parse(id).map_err(|e| StoreError::Corrupt(e.to_string()));
    let mut rotation = Rotation {
        alg,
        activated: activated.as_deref().map(parse).transpose()?,
        retired: None,
        publish_until: None,
        created_next: new_next.id.clone(),
    };
    if let Some(activated) = &activated {
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::SigningKeyActivated)
                .actor(actor)
                .request_id(request_id)
                .subject(activated)
                .detail(serde_json::json!({ "alg": alg.as_str(), "replaces": old_active })),
        )?;
        if let Some(old) = &old_active {
            audit.append(
                conn,
                now,
                &NewAuditEvent::new(AuditEventKind::SigningKeyRetired)
                    .actor(actor)
                    .request_id(request_id)
                    .subject(old)
                    .detail(serde_json::json!({
                        "alg": alg.as_str(),
                        "replaced_by": activated,
                        "publish_until": publish_until.to_rfc3339(),
                    })),
            )?;
            rotation.retired = Some(parse(old)?);
            rotation.publish_until = Some(publish_until);
        }
    }
    signing_keys::insert(conn, &new_next, now)?;
    audit.append(
        conn,
        now,
        &created_event(&new_next, actor).request_id(request_id),
    )?;
    Ok(Some(rotation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_publishes_its_public_part_and_opens_only_with_the_master_key() {
        let master = MasterKey::generate().unwrap();
        for alg in [SigningAlg::Es256, SigningAlg::EdDsa] {
            let new = generate(&master, alg, KeyState::Active).unwrap();
            let jwk: serde_json::Value = serde_json::from_str(&new.public_jwk).unwrap();
            assert_eq!(jwk["kid"], new.id.as_str());
            assert_eq!(jwk["alg"], alg.as_str());
            assert_eq!(jwk["use"], "sig");
            assert!(
                jwk.get("d").is_none(),
                "the private part must never be published"
            );
            let stored = SigningKey {
                id: new.id.to_string(),
                alg: new.alg.clone(),
                state: STATE_ACTIVE.into(),
                public_jwk: new.public_jwk.clone(),
                private_key_sealed: new.private_key_sealed.clone(),
                created_at: chrono::NaiveDateTime::default(),
                activated_at: None,
                retired_at: None,
                publish_until: None,
            };
            let key = open(&master, &stored).unwrap();
            let sig = key.sign_message(b"message").unwrap();
            assert!(key.verify_message(b"message", &sig));
            assert_eq!(serde_json::to_value(key.public_jwk()).unwrap(), jwk);
            let other = MasterKey::generate().unwrap();
            assert!(matches!(open(&other, &stored), Err(KeyError::Open { .. })));
            let moved = SigningKey {
                id: SigningKeyId::generate().to_string(),
                ..stored
            };
            assert!(
                open(&master, &moved).is_err(),
                "sealed material copied to another key id does not open"
            );
        }
    }

    #[test]
    fn key_states_round_trip_through_their_stored_names() {
        for state in [KeyState::Active, KeyState::Next, KeyState::Retired] {
            assert_eq!(KeyState::parse(state.as_str()), Some(state));
        }
        assert_eq!(KeyState::parse("revoked"), None);
    }
}
