//! ID token checks as a relying party makes them: the ES256 signature
//! against the provider's JWKS, then issuer, audience, nonce and expiry.

use std::collections::HashMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
use serde_json::Value;

/// The ES256 (P-256) keys of a JWKS by `kid`; keys of other types are
/// skipped (the load generator's clients are registered for ES256).
#[derive(Debug, Default, Clone)]
pub struct Jwks {
    keys: HashMap<String, Vec<u8>>,
}

impl Jwks {
    /// Reads the P-256 keys of a JWKS document.
    pub fn parse(doc: &Value) -> Self {
        let keys = doc["keys"]
            .as_array()
            .map(|keys| {
                keys.iter()
                    .filter(|k| k["kty"] == "EC" && k["crv"] == "P-256")
                    .filter(|k| k.get("alg").is_none_or(|a| a == "ES256"))
                    .filter(|k| k.get("use").is_none_or(|u| u == "sig"))
                    .filter_map(|k| {
                        let kid = k["kid"].as_str()?.to_owned();
                        let x = URL_SAFE_NO_PAD.decode(k["x"].as_str()?).ok()?;
                        let y = URL_SAFE_NO_PAD.decode(k["y"].as_str()?).ok()?;
                        if x.len() != 32 || y.len() != 32 {
                            return None;
                        }
                        // Uncompressed SEC1 point.
                        let mut point = Vec::with_capacity(65);
                        point.push(0x04);
                        point.extend_from_slice(&x);
                        point.extend_from_slice(&y);
                        Some((kid, point))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self { keys }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn has(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }
}

/// Why an ID token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdTokenError {
    Malformed,
    Algorithm(String),
    /// No key with this `kid`: fetch the JWKS again (rotation) and retry.
    UnknownKey(String),
    Signature,
    Issuer,
    Audience,
    Nonce,
    Expired,
}

impl IdTokenError {
    /// A short, fixed name for error counts.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::Algorithm(_) => "unexpected alg",
            Self::UnknownKey(_) => "unknown kid",
            Self::Signature => "bad signature",
            Self::Issuer => "wrong iss",
            Self::Audience => "wrong aud",
            Self::Nonce => "wrong nonce",
            Self::Expired => "expired",
        }
    }
}

impl fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Algorithm(a) => write!(f, "unexpected alg {a:?}"),
            Self::UnknownKey(k) => write!(f, "no key {k:?} in the JWKS"),
            other => f.write_str(other.kind()),
        }
    }
}

impl std::error::Error for IdTokenError {}

/// What the relying party expects of the token.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
    pub nonce: Option<&'a str>,
    /// Seconds since the epoch.
    pub now: i64,
}

/// Verifies an ES256 ID token and returns its claims.
pub fn verify(jwks: &Jwks, token: &str, expected: &Expected<'_>) -> Result<Value, IdTokenError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(IdTokenError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| IdTokenError::Malformed)
    };
    let header: Value = serde_json::from_slice(&decode(h)?).map_err(|_| IdTokenError::Malformed)?;
    let alg = header["alg"].as_str().unwrap_or_default();
    if alg != "ES256" {
        return Err(IdTokenError::Algorithm(alg.to_owned()));
    }
    let kid = header["kid"].as_str().unwrap_or_default();
    let key = jwks
        .keys
        .get(kid)
        .ok_or_else(|| IdTokenError::UnknownKey(kid.to_owned()))?;
    let signature = decode(s)?;
    let signed = &token[..h.len() + 1 + p.len()];
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key)
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| IdTokenError::Signature)?;

    let claims: Value = serde_json::from_slice(&decode(p)?).map_err(|_| IdTokenError::Malformed)?;
    if claims["iss"].as_str() != Some(expected.issuer) {
        return Err(IdTokenError::Issuer);
    }
    let aud_ok = match &claims["aud"] {
        Value::String(a) => a == expected.audience,
        Value::Array(list) => list.iter().any(|a| a == expected.audience),
        _ => false,
    };
    if !aud_ok {
        return Err(IdTokenError::Audience);
    }
    if let Some(nonce) = expected.nonce
        && claims["nonce"].as_str() != Some(nonce)
    {
        return Err(IdTokenError::Nonce);
    }
    match claims["exp"].as_i64() {
        Some(exp) if exp > expected.now => Ok(claims),
        _ => Err(IdTokenError::Expired),
    }
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
    use serde_json::json;

    use super::*;

    fn key() -> (EcdsaKeyPair, Value) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let public = pair.public_key().as_ref();
        let jwks = json!({ "keys": [
            { "kty": "RSA", "kid": "r1", "n": "AQAB", "e": "AQAB" },
            { "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": "k1",
              "x": URL_SAFE_NO_PAD.encode(&public[1..33]),
              "y": URL_SAFE_NO_PAD.encode(&public[33..65]) },
        ]});
        (pair, jwks)
    }

    fn sign(pair: &EcdsaKeyPair, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = pair.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }

    fn claims() -> Value {
        json!({ "iss": "http://localhost:8080", "aud": "cl_1", "nonce": "n1", "exp": 2000, "sub": "u" })
    }

    const EXPECTED: Expected<'static> = Expected {
        issuer: "http://localhost:8080",
        audience: "cl_1",
        nonce: Some("n1"),
        now: 1000,
    };

    #[test]
    fn a_good_token_verifies_and_yields_its_claims() {
        let (pair, doc) = key();
        let jwks = Jwks::parse(&doc);
        assert_eq!(jwks.len(), 1, "only the P-256 key");
        let token = sign(&pair, &json!({ "alg": "ES256", "kid": "k1" }), &claims());
        let got = verify(&jwks, &token, &EXPECTED).unwrap();
        assert_eq!(got["sub"], "u");
    }

    #[test]
    fn tampering_and_wrong_claims_are_refused() {
        let (pair, doc) = key();
        let jwks = Jwks::parse(&doc);
        let header = json!({ "alg": "ES256", "kid": "k1" });
        let token = sign(&pair, &header, &claims());
        // Another payload under the same signature.
        let mut parts: Vec<&str> = token.split('.').collect();
        let other = URL_SAFE_NO_PAD.encode(json!({ "iss": "x" }).to_string());
        parts[1] = &other;
        assert_eq!(
            verify(&jwks, &parts.join("."), &EXPECTED),
            Err(IdTokenError::Signature)
        );
        let with = |k: &str, v: Value| {
            let mut c = claims();
            c[k] = v;
            sign(&pair, &header, &c)
        };
        assert_eq!(
            verify(&jwks, &with("iss", json!("http://evil")), &EXPECTED),
            Err(IdTokenError::Issuer)
        );
        assert_eq!(
            verify(&jwks, &with("aud", json!(["other"])), &EXPECTED),
            Err(IdTokenError::Audience)
        );
        assert!(verify(&jwks, &with("aud", json!(["other", "cl_1"])), &EXPECTED).is_ok());
        assert_eq!(
            verify(&jwks, &with("nonce", json!("n2")), &EXPECTED),
            Err(IdTokenError::Nonce)
        );
        assert_eq!(
            verify(&jwks, &with("exp", json!(999)), &EXPECTED),
            Err(IdTokenError::Expired)
        );
        let unknown = sign(&pair, &json!({ "alg": "ES256", "kid": "k9" }), &claims());
        assert_eq!(
            verify(&jwks, &unknown, &EXPECTED),
            Err(IdTokenError::UnknownKey("k9".into()))
        );
        let none = sign(&pair, &json!({ "alg": "none", "kid": "k1" }), &claims());
        assert!(matches!(
            verify(&jwks, &none, &EXPECTED),
            Err(IdTokenError::Algorithm(_))
        ));
        assert_eq!(
            verify(&jwks, "a.b", &EXPECTED),
            Err(IdTokenError::Malformed)
        );
    }
}
