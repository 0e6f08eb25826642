//! Token-signing keys: generation, sealing, and the first key of an instance.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use latchkey_core::{AuditEventKind, SigningKeyId};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::seal::MasterKey;
use latchkey_store::signing_keys::{self, NewSigningKey, STATE_ACTIVE};
use latchkey_store::{DbConnection, StoreError, settings};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};

/// The purpose string of the sealer for private signing keys.
pub const SEAL_PURPOSE: &str = "signing-keys";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("generating a signing key failed")]
    Generate,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new ES256 key in the given life-cycle state, its private part sealed.
pub fn generate_es256(master: &MasterKey, state: &'static str) -> Result<NewSigningKey, KeyError> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| KeyError::Generate)?;
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|_| KeyError::Generate)?;
    // Uncompressed point: 0x04 ‖ x (32) ‖ y (32).
    let point = pair.public_key().as_ref();
    if point.len() != 65 {
        return Err(KeyError::Generate);
    }
    let id = SigningKeyId::generate();
    let jwk = serde_json::json!({
        "kty": "EC",
        "crv": "P-256",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        "kid": id.as_str(),
        "alg": "ES256",
        "use": "sig",
    });
    let sealed = master
        .sealer(SEAL_PURPOSE)
        .seal(pkcs8.as_ref(), id.as_str().as_bytes())?;
    Ok(NewSigningKey {
        id,
        alg: "ES256".to_owned(),
        state,
        public_jwk: jwk.to_string(),
        private_key_sealed: sealed,
    })
}

/// Makes sure an active ES256 key exists, creating (and auditing) the first
/// one. Several nodes starting at once agree on one first key.
pub fn ensure_active_key(
    conn: &mut DbConnection,
    master: &MasterKey,
    audit: &AuditChain,
    now: DateTime<Utc>,
) -> Result<Option<SigningKeyId>, KeyError> {
    if signing_keys::active(conn, "ES256")?.is_some() {
        return Ok(None);
    }
    let new = generate_es256(master, STATE_ACTIVE)?;
    let (winner, won) = settings::set_if_absent(conn, "first_signing_key", new.id.as_str(), now)?;
    if !won || winner != new.id.as_str() {
        return Ok(None);
    }
    latchkey_store::write_transaction(conn, |conn| {
        signing_keys::insert(conn, &new, now)?;
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::SigningKeyCreated)
                .actor("system")
                .subject(new.id.as_str())
                .detail(serde_json::json!({ "alg": "ES256", "state": STATE_ACTIVE })),
        )?;
        Ok(())
    })?;
    Ok(Some(new.id))
}

/// Opens a stored key's private part (PKCS#8) for signing.
pub fn open_es256(
    master: &MasterKey,
    key: &signing_keys::SigningKey,
) -> Result<EcdsaKeyPair, KeyError> {
    let pkcs8 = master
        .sealer(SEAL_PURPOSE)
        .open(&key.private_key_sealed, key.id.as_bytes())?;
    EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8.expose(),
        &SystemRandom::new(),
    )
    .map_err(|_| KeyError::Generate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    #[test]
    fn generated_key_publishes_its_public_part_and_opens_only_with_the_master_key() {
        let master = MasterKey::generate().unwrap();
        let new = generate_es256(&master, STATE_ACTIVE).unwrap();
        let jwk: serde_json::Value = serde_json::from_str(&new.public_jwk).unwrap();
        assert_eq!(jwk["kid"], new.id.as_str());
        assert!(
            jwk.get("d").is_none(),
            "the private scalar must never be published"
        );
        let stored = signing_keys::SigningKey {
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
        let pair = open_es256(&master, &stored).unwrap();
        let sig = pair.sign(&SystemRandom::new(), b"message").unwrap();
        let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
        let y = URL_SAFE_NO_PAD.decode(jwk["y"].as_str().unwrap()).unwrap();
        let point = [&[4u8][..], &x, &y].concat();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
            .verify(b"message", sig.as_ref())
            .unwrap();
        assert!(open_es256(&MasterKey::generate().unwrap(), &stored).is_err());
    }
}
