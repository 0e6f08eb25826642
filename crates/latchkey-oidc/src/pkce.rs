//! Proof Key for Code Exchange (RFC 7636), `S256` only, required of every
//! client (RFC 9700 §2.1.1).
//!
//! The challenge is kept as the 32-byte digest it encodes, so verification
//! is one SHA-256 of the verifier and a constant-time comparison of digests.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::HashedToken;

/// The only accepted `code_challenge_method`.
pub const METHOD_S256: &str = "S256";

/// Why an authorization request's PKCE parameters were refused. Every case
/// is the protocol's `invalid_request`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkceError {
    #[error("code_challenge is required (PKCE with S256)")]
    MissingChallenge,
    #[error("code_challenge_method is required and must be S256")]
    MissingMethod,
    #[error("code_challenge_method plain is not allowed; use S256")]
    PlainNotAllowed,
    #[error("code_challenge_method {0:?} is not supported; use S256")]
    UnsupportedMethod(String),
    #[error(
        "code_challenge must be the 43-character base64url encoding (no padding) of a SHA-256 digest"
    )]
    MalformedChallenge,
}

impl PkceError {
    /// The OAuth error code (RFC 6749 §4.1.2.1; RFC 7636 §4.4.1).
    pub fn error_code(&self) -> &'static str {
        "invalid_request"
    }
}

/// A parsed `S256` code challenge.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeChallenge(HashedToken);

impl std::fmt::Debug for CodeChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not a secret, but there is no reason to spread it through logs.
        f.write_str("CodeChallenge(S256)")
    }
}

impl CodeChallenge {
    /// Parses the `code_challenge` and `code_challenge_method` parameters of
    /// an authorization request (absent parameters as `None`). RFC 7636 makes
    /// a missing method mean `plain`; since `plain` is refused, so is a
    /// missing method.
    pub fn parse(challenge: Option<&str>, method: Option<&str>) -> Result<Self, PkceError> {
        let challenge = challenge
            .filter(|c| !c.is_empty())
            .ok_or(PkceError::MissingChallenge)?;
        match method.filter(|m| !m.is_empty()) {
            None => return Err(PkceError::MissingMethod),
            Some(METHOD_S256) => {}
            Some("plain") => return Err(PkceError::PlainNotAllowed),
            Some(other) => {
                return Err(PkceError::UnsupportedMethod(
                    other.chars().take(32).collect(),
                ));
            }
        }
        Self::from_encoded(challenge)
    }

    /// Parses a stored challenge (as produced by [`CodeChallenge::encoded`]).
    pub fn from_encoded(challenge: &str) -> Result<Self, PkceError> {
        if challenge.len() != 43 {
            return Err(PkceError::MalformedChallenge);
        }
        // The decoder refuses non-zero trailing bits, so the encoding is
        // canonical: equal digests means equal challenge strings.
        let bytes = URL_SAFE_NO_PAD
            .decode(challenge)
            .map_err(|_| PkceError::MalformedChallenge)?;
        HashedToken::from_bytes(&bytes)
            .map(Self)
            .ok_or(PkceError::MalformedChallenge)
    }

    /// The challenge a client would send for `verifier`: what tests and
    /// example clients use. `None` if the verifier is not well formed.
    pub fn of_verifier(verifier: &str) -> Option<Self> {
        verifier_is_well_formed(verifier).then(|| Self(HashedToken::of(verifier)))
    }

    /// The challenge as sent (43 characters of base64url), for storing with
    /// the pending request.
    pub fn encoded(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }

    /// Whether `verifier` is well formed (RFC 7636 §4.1) and
    /// `BASE64URL(SHA256(verifier))` equals this challenge, compared in
    /// constant time.
    pub fn verify(&self, verifier: &str) -> bool {
        verifier_is_well_formed(verifier) && self.0.matches(&HashedToken::of(verifier))
    }
}

/// `verify(challenge, verifier)`: see [`CodeChallenge::verify`].
pub fn verify(challenge: &CodeChallenge, verifier: &str) -> bool {
    challenge.verify(verifier)
}

/// 43–128 characters of `[A-Za-z0-9-._~]` (RFC 7636 §4.1).
pub fn verifier_is_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    // RFC 7636 Appendix B.
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc_7636_example_verifies() {
        let c = CodeChallenge::parse(Some(RFC_CHALLENGE), Some("S256")).unwrap();
        assert!(c.verify(RFC_VERIFIER));
        assert!(verify(&c, RFC_VERIFIER));
        assert_eq!(c.encoded(), RFC_CHALLENGE);
        assert_eq!(CodeChallenge::of_verifier(RFC_VERIFIER), Some(c.clone()));
        assert_eq!(CodeChallenge::from_encoded(&c.encoded()), Ok(c));
    }

    #[test]
    fn missing_or_weak_methods_are_refused_as_invalid_request() {
        let p = |m| CodeChallenge::parse(Some(RFC_CHALLENGE), m);
        assert_eq!(p(None), Err(PkceError::MissingMethod));
        assert_eq!(p(Some("")), Err(PkceError::MissingMethod));
        assert_eq!(p(Some("plain")), Err(PkceError::PlainNotAllowed));
        assert_eq!(
            p(Some("s256")),
            Err(PkceError::UnsupportedMethod("s256".into()))
        );
        assert_eq!(
            p(Some("S512")),
            Err(PkceError::UnsupportedMethod("S512".into()))
        );
        assert_eq!(
            CodeChallenge::parse(None, Some("S256")),
            Err(PkceError::MissingChallenge)
        );
        assert_eq!(
            CodeChallenge::parse(Some(""), Some("S256")),
            Err(PkceError::MissingChallenge)
        );
        assert!(PkceError::PlainNotAllowed.to_string().contains("plain"));
        assert_eq!(PkceError::PlainNotAllowed.error_code(), "invalid_request");
    }

    #[test]
    fn malformed_challenges_are_refused() {
        for bad in [
            "short",
            &RFC_CHALLENGE[..42],
            &format!("{RFC_CHALLENGE}A"),
            &format!("{RFC_CHALLENGE}="),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM", // not url-safe
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN", // trailing bits set
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c=",
        ] {
            assert_eq!(
                CodeChallenge::parse(Some(bad), Some("S256")),
                Err(PkceError::MalformedChallenge),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn malformed_verifiers_never_verify() {
        let short = "a".repeat(42);
        let long = "a".repeat(129);
        assert!(CodeChallenge::of_verifier(&short).is_none());
        assert!(CodeChallenge::of_verifier(&long).is_none());
        assert!(CodeChallenge::of_verifier(&"a".repeat(43)).is_some());
        assert!(CodeChallenge::of_verifier(&"a".repeat(128)).is_some());
        // A challenge computed over a bad verifier still refuses it.
        for bad in [
            short.as_str(),
            long.as_str(),
            &format!("{}+", "a".repeat(42)),
        ] {
            let digest = HashedToken::of(bad);
            let c =
                CodeChallenge::from_encoded(&URL_SAFE_NO_PAD.encode(digest.as_bytes())).unwrap();
            assert!(!c.verify(bad), "{bad:?}");
        }
    }

    fn verifier() -> impl Strategy<Value = String> {
        "[A-Za-z0-9._~-]{43,128}"
    }

    proptest! {
        #[test]
        fn the_challenge_of_a_verifier_verifies_it(v in verifier()) {
            let c = CodeChallenge::of_verifier(&v).unwrap();
            let parsed = CodeChallenge::parse(Some(&c.encoded()), Some("S256")).unwrap();
            prop_assert!(parsed.verify(&v));
        }

        #[test]
        fn any_other_verifier_fails(v in verifier(), w in verifier()) {
            prop_assume!(v != w);
            let c = CodeChallenge::of_verifier(&v).unwrap();
            prop_assert!(!c.verify(&w));
        }

        #[test]
        fn a_one_character_change_fails(v in verifier(), i in any::<usize>(), c in "[A-Za-z0-9._~-]") {
            let i = i % v.len();
            let mut w = v.clone();
            w.replace_range(i..=i, &c);
            prop_assume!(v != w);
            let challenge = CodeChallenge::of_verifier(&v).unwrap();
            prop_assert!(!challenge.verify(&w));
        }

        #[test]
        fn parse_never_panics(c in "\\PC{0,60}", m in "\\PC{0,8}") {
            let _ = CodeChallenge::parse(Some(&c), Some(&m));
        }
    }
}
