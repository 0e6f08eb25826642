//! The master key and what is derived from it. Every purpose gets its own
//! HKDF-derived subkey, so the audit chain key, the sealing key of signing
//! keys and the recovery-code hashing key are independent.

use std::fmt;

use latchkey_core::Secret;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf::{HKDF_SHA256, KeyType, Salt};
use ring::hmac;
use ring::rand::{SecureRandom as _, SystemRandom};

use crate::StoreError;

/// 32 secret bytes from which every at-rest key is derived.
#[derive(Clone)]
pub struct MasterKey(Secret<[u8; 32]>);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl MasterKey {
    pub const LEN: usize = 32;

    pub fn generate() -> Result<Self, StoreError> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| StoreError::Crypto)?;
        Ok(Self(Secret::new(bytes)))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Secret::new(bytes))
    }

    /// Parses 64 hex characters (surrounding white space ignored).
    pub fn from_hex(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self(Secret::new(out)))
    }

    pub fn to_hex(&self) -> Secret<String> {
        Secret::new(self.0.expose().iter().map(|b| format!("{b:02x}")).collect())
    }

    fn derive(&self, purpose: &[u8]) -> [u8; 32] {
        let prk = Salt::new(HKDF_SHA256, b"latchkey master key v1").extract(self.0.expose());
        let mut out = [0u8; 32];
        // Expanding 32 bytes from SHA-256 cannot fail (limit is 255 * 32).
        if let Ok(okm) = prk.expand(&[purpose], Len(32)) {
            let _ = okm.fill(&mut out);
        }
        out
    }

    /// The key of the audit hash chain.
    pub fn audit_chain_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.derive(b"audit-chain"))
    }

    /// A keyed hash for low-entropy secrets (recovery codes).
    pub fn keyed_hash_key(&self, purpose: &str) -> hmac::Key {
        hmac::Key::new(
            hmac::HMAC_SHA256,
            &self.derive(format!("keyed-hash:{purpose}").as_bytes()),
        )
    }

    /// An AES-256-GCM sealer for one purpose (e.g. `signing-keys`).
    pub fn sealer(&self, purpose: &str) -> Sealer {
        let bytes = self.derive(format!("seal:{purpose}").as_bytes());
        // A 32-byte key is always valid for AES-256-GCM.
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map(LessSafeKey::new);
        Sealer { key: key.ok() }
    }
}

/// Encrypts small secrets at rest: random 96-bit nonce ‖ ciphertext ‖ tag.
pub struct Sealer {
    key: Option<LessSafeKey>,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer(<redacted>)")
    }
}

impl Sealer {
    /// `aad` binds the ciphertext to its row (e.g. the key id), so a sealed
    /// value copied to another row does not open.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
        let key = self.key.as_ref().ok_or(StoreError::Crypto)?;
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| StoreError::Crypto)?;
        let mut buf = plaintext.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut buf,
        )
        .map_err(|_| StoreError::Crypto)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Secret<Vec<u8>>, StoreError> {
        let key = self.key.as_ref().ok_or(StoreError::Crypto)?;
        if sealed.len() < NONCE_LEN {
            return Err(StoreError::Crypto);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| StoreError::Crypto)?;
        let mut buf = ciphertext.to_vec();
        let plain = key
            .open_in_place(nonce, Aad::from(aad), &mut buf)
            .map_err(|_| StoreError::Crypto)?;
        Ok(Secret::new(plain.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_value_opens_only_with_same_key_purpose_and_aad() {
        let mk = MasterKey::generate().unwrap();
        let sealed = mk
            .sealer("signing-keys")
            .seal(b"private", b"kid-1")
            .unwrap();
        assert_eq!(
            mk.sealer("signing-keys")
                .open(&sealed, b"kid-1")
                .unwrap()
                .expose(),
            b"private"
        );
        assert!(mk.sealer("signing-keys").open(&sealed, b"kid-2").is_err());
        assert!(mk.sealer("other").open(&sealed, b"kid-1").is_err());
        let other = MasterKey::generate().unwrap();
        assert!(
            other
                .sealer("signing-keys")
                .open(&sealed, b"kid-1")
                .is_err()
        );
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(mk.sealer("signing-keys").open(&tampered, b"kid-1").is_err());
    }

    #[test]
    fn master_key_round_trips_through_hex_and_never_prints() {
        let mk = MasterKey::generate().unwrap();
        let hex = mk.to_hex();
        let back = MasterKey::from_hex(hex.expose()).unwrap();
        assert_eq!(back.to_hex().expose(), hex.expose());
        assert!(!format!("{mk:?}").contains(hex.expose().as_str()));
        assert!(MasterKey::from_hex("zz").is_none());
        assert!(MasterKey::from_hex(&"g".repeat(64)).is_none());
    }
}
