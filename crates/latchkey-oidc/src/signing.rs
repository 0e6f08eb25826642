//! Token signing over ring: one [`RingSigningKey`] type for ES256, RS256 and
//! EdDSA that implements openidconnect's public [`PrivateSigningKey`] trait,
//! so `IdToken::new` signs with it and fills `at_hash`/`c_hash`.
//!
//! Security invariants enforced here:
//! - every signature is made by ring (`EcdsaKeyPair` with fixed-length
//!   ECDSA P-256 SHA-256 signatures as JWS requires, `Ed25519KeyPair`,
//!   `RsaKeyPair` with PKCS#1 v1.5 SHA-256). The `rsa` crate never signs: its
//!   private-key operations are not constant time (RUSTSEC-2023-0071, Marvin).
//! - a key signs only with its own algorithm; asking an ES256 key for an RS256
//!   signature is an error, never a silent substitution.
//! - the published JWK is derived from the private key itself and carries only
//!   public parameters (`x`/`y`, `x`, `n`/`e`), its `kid`, `alg` and
//!   `use: sig`; `Debug` prints the key id and algorithm only.

use std::fmt;
use std::str::FromStr;

use latchkey_core::{Secret, SigningKeyId};
use latchkey_store::StoreError;
use openidconnect::core::{CoreJsonCurveType, CoreJsonWebKey, CoreJwsSigningAlgorithm};
use openidconnect::{JsonWebKeyId, PrivateSigningKey, SigningError};
use ring::rand::SystemRandom;
use ring::signature::{
    self, ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, EcdsaKeyPair,
    Ed25519KeyPair, KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
    UnparsedPublicKey,
};

/// Why a key operation failed: generating, opening or signing with a key
/// (here), or storing one ([`crate::keys`]).
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("generating a signing key failed")]
    Generate,
    #[error("{0:?} is not a signing algorithm this server supports (ES256, RS256, EdDSA)")]
    UnknownAlgorithm(String),
    #[error("the signing key {kid} cannot be opened (another master key, or damaged key material)")]
    Open { kid: String },
    #[error("signing with the key {kid} failed")]
    Sign { kid: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The JWS algorithms Latchkey signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum SigningAlg {
    /// ECDSA P-256 with SHA-256: the default for every token.
    #[default]
    Es256,
    /// RSA PKCS#1 v1.5 with SHA-256, for relying parties that know nothing
    /// else (OpenID Connect's mandatory-to-implement algorithm).
    Rs256,
    /// Ed25519.
    EdDsa,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 3] = [Self::Es256, Self::Rs256, Self::EdDsa];

    /// The JWS `alg` value: `ES256`, `RS256`, `EdDSA`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// Parses a JWS `alg` value (exact, case-sensitive as in RFC 7518).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The algorithm as openidconnect names it.
    pub fn jws(self) -> CoreJwsSigningAlgorithm {
        match self {
            Self::Es256 => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            Self::Rs256 => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            Self::EdDsa => CoreJwsSigningAlgorithm::EdDsa,
        }
    }

    /// The inverse of [`SigningAlg::jws`]; `None` for algorithms we never use.
    pub fn from_jws(alg: &CoreJwsSigningAlgorithm) -> Option<Self> {
        Self::ALL.into_iter().find(|a| &a.jws() == alg)
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SigningAlg {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| KeyError::UnknownAlgorithm(s.to_owned()))
    }
}

enum Pair {
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
    EdDsa(Ed25519KeyPair),
}

/// A private signing key opened from PKCS#8, ready to sign, with its public
/// JWK. Opened once when the key ring loads, never per request.
pub struct RingSigningKey {
    kid: SigningKeyId,
    alg: SigningAlg,
    pair: Pair,
    jwk: CoreJsonWebKey,
}

impl fmt::Debug for RingSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingSigningKey")
            .field("kid", &self.kid.as_str())
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// Generates a new private key for `alg` as PKCS#8 DER.
///
/// ES256 and EdDSA keys come from ring. ring cannot generate RSA keys, so
/// for RS256 the `rsa` crate (already in the tree through webauthn-rs, pinned
/// to that exact pre-release) generates a 2048-bit key with e = 65537 from the
/// operating system's RNG and exports it as PKCS#8; that is all it does. The
/// key is then loaded into ring, which does every signing operation (the
/// `rsa` crate's signing is not constant time: RUSTSEC-2023-0071).
pub fn generate_pkcs8(alg: SigningAlg) -> Result<Secret<Vec<u8>>, KeyError> {
    let rng = SystemRandom::new();
    let der = match alg {
        SigningAlg::Es256 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| KeyError::Generate)?
            .as_ref()
            .to_vec(),
        SigningAlg::EdDsa => Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| KeyError::Generate)?
            .as_ref()
            .to_vec(),
        SigningAlg::Rs256 => {
            use rsa::pkcs8::EncodePrivateKey as _;
            // `UnwrapErr` turns the OS RNG into the infallible RNG the `rsa`
            // crate asks for; the OS RNG failing is not recoverable anyway.
            let mut os_rng = getrandom::rand_core::UnwrapErr(getrandom::SysRng);
            let key = rsa::RsaPrivateKey::new(&mut os_rng, 2048).map_err(|_| KeyError::Generate)?;
            key.to_pkcs8_der()
                .map_err(|_| KeyError::Generate)?
                .as_bytes()
                .to_vec()
        }
    };
    Ok(Secret::new(der))
}

impl RingSigningKey {
    /// Opens a PKCS#8 private key of algorithm `alg` under key id `kid`.
    pub fn from_pkcs8(alg: SigningAlg, kid: SigningKeyId, pkcs8: &[u8]) -> Result<Self, KeyError> {
        let invalid = || KeyError::Open {
            kid: kid.to_string(),
        };
        let key_id = Some(JsonWebKeyId::new(kid.to_string()));
        let (pair, jwk) = match alg {
            SigningAlg::Es256 => {
                let pair = EcdsaKeyPair::from_pkcs8(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    pkcs8,
                    &SystemRandom::new(),
                )
                .map_err(|_| invalid())?;
                // Uncompressed point: 0x04 ‖ x (32) ‖ y (32).
                let point = pair.public_key().as_ref();
                if point.len() != 65 || point[0] != 4 {
                    return Err(invalid());
                }
                let jwk = CoreJsonWebKey::new_ec(
                    point[1..33].to_vec(),
                    point[33..65].to_vec(),
                    CoreJsonCurveType::P256,
                    key_id,
                );
                (Pair::Es256(pair), jwk)
            }
            SigningAlg::EdDsa => {
                let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| invalid())?;
                let jwk = CoreJsonWebKey::new_okp(
                    pair.public_key().as_ref().to_vec(),
                    CoreJsonCurveType::Ed25519,
                    key_id,
                );
                (Pair::EdDsa(pair), jwk)
            }
            SigningAlg::Rs256 => {
                let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(|_| invalid())?;
                let public = signature::RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
                let jwk = CoreJsonWebKey::new_rsa(public.n, public.e, key_id);
                (Pair::Rs256(pair), jwk)
            }
        };
        let jwk = with_alg(jwk, alg).ok_or_else(invalid)?;
        Ok(Self {
            kid,
            alg,
            pair,
            jwk,
        })
    }

    pub fn kid(&self) -> &SigningKeyId {
        &self.kid
    }

    pub fn alg(&self) -> SigningAlg {
        self.alg
    }

    /// The public half as a JWK (`kid`, `alg`, `use: sig`, no private part).
    pub fn public_jwk(&self) -> &CoreJsonWebKey {
        &self.jwk
    }

    /// Signs `message` with this key's own algorithm (JWS signature bytes:
    /// fixed-length `r ‖ s` for ES256).
    pub fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let failed = || KeyError::Sign {
            kid: self.kid.to_string(),
        };
        let rng = SystemRandom::new();
        match &self.pair {
            Pair::Es256(pair) => Ok(pair
                .sign(&rng, message)
                .map_err(|_| failed())?
                .as_ref()
                .to_vec()),
            Pair::EdDsa(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            Pair::Rs256(pair) => {
                let mut out = vec![0u8; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut out)
                    .map_err(|_| failed())?;
                Ok(out)
            }
        }
    }

    /// Checks a signature made by this key (with ring, over the public key).
    pub fn verify_message(&self, message: &[u8], signature: &[u8]) -> bool {
        let result = match &self.pair {
            Pair::Es256(pair) => {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, pair.public_key())
                    .verify(message, signature)
            }
            Pair::EdDsa(pair) => {
                UnparsedPublicKey::new(&ED25519, pair.public_key()).verify(message, signature)
            }
            Pair::Rs256(pair) => UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public())
                .verify(message, signature),
        };
        result.is_ok()
    }
}

/// `CoreJsonWebKey` has no setter for `alg`; it round-trips through JSON.
fn with_alg(jwk: CoreJsonWebKey, alg: SigningAlg) -> Option<CoreJsonWebKey> {
    let mut value = serde_json::to_value(&jwk).ok()?;
    value
        .as_object_mut()?
        .insert("alg".to_owned(), alg.as_str().into());
    serde_json::from_value(value).ok()
}

impl PrivateSigningKey for RingSigningKey {
    type VerificationKey = CoreJsonWebKey;

    fn sign(
        &self,
        signature_alg: &CoreJwsSigningAlgorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, SigningError> {
        if signature_alg != &self.alg.jws() {
            return Err(SigningError::UnsupportedAlg(
                serde_json::to_string(signature_alg).unwrap_or_default(),
            ));
        }
        self.sign_message(message)
            .map_err(|_| SigningError::CryptoError)
    }

    fn as_verification_key(&self) -> CoreJsonWebKey {
        self.jwk.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openidconnect::JsonWebKey as _;

    #[test]
    fn algorithm_names_round_trip_and_unknown_names_are_refused() {
        for alg in SigningAlg::ALL {
            assert_eq!(SigningAlg::parse(alg.as_str()), Some(alg));
            assert_eq!(SigningAlg::from_jws(&alg.jws()), Some(alg));
            assert_eq!(alg.as_str().parse::<SigningAlg>().unwrap(), alg);
        }
        assert_eq!(SigningAlg::parse("es256"), None);
        assert_eq!(SigningAlg::parse("none"), None);
        assert!("HS256".parse::<SigningAlg>().is_err());
    }

    #[test]
    fn each_key_signs_only_with_its_own_algorithm_and_verifies_with_its_jwk() {
        for alg in [SigningAlg::Es256, SigningAlg::EdDsa] {
            let pkcs8 = generate_pkcs8(alg).unwrap();
            let kid = SigningKeyId::generate();
            let key = RingSigningKey::from_pkcs8(alg, kid.clone(), pkcs8.expose()).unwrap();
            let sig = PrivateSigningKey::sign(&key, &alg.jws(), b"message").unwrap();
            let jwk = key.as_verification_key();
            assert_eq!(jwk.key_id().map(|k| k.as_str()), Some(kid.as_str()));
            jwk.verify_signature(&alg.jws(), b"message", &sig).unwrap();
            assert!(key.verify_message(b"message", &sig));
            assert!(!key.verify_message(b"massage", &sig));
            let other = if alg == SigningAlg::Es256 {
                SigningAlg::EdDsa
            } else {
                SigningAlg::Es256
            };
            assert!(PrivateSigningKey::sign(&key, &other.jws(), b"message").is_err());
        }
    }

    #[test]
    fn key_of_another_algorithm_does_not_open() {
        let pkcs8 = generate_pkcs8(SigningAlg::EdDsa).unwrap();
        let err =
            RingSigningKey::from_pkcs8(SigningAlg::Es256, SigningKeyId::generate(), pkcs8.expose())
                .unwrap_err();
        assert!(matches!(err, KeyError::Open { .. }), "{err:?}");
    }
}
