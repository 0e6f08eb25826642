//! Assurance vocabulary shared by the passkey and OIDC layers.
//!
//! `acr` values follow the phishing-resistant levels used by OpenID
//! implementations (`phr`: phishing-resistant; `phrh`: phishing-resistant,
//! hardware-protected). `amr` values are those of RFC 8176.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Authentication context class. Ordered: `Phrh` satisfies a demand for `Phr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Acr {
    /// A user-verified passkey (NIST AAL2, phishing-resistant).
    Phr,
    /// A user-verified, device-bound passkey whose attestation was verified
    /// (NIST AAL3).
    Phrh,
}

impl Acr {
    pub const ALL: [Acr; 2] = [Self::Phr, Self::Phrh];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phr => "phr",
            Self::Phrh => "phrh",
        }
    }

    /// Whether a session at level `self` meets a demand for `required`.
    pub fn satisfies(self, required: Acr) -> bool {
        self >= required
    }
}

impl fmt::Display for Acr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Acr {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| ParseError::new("acr value", s))
    }
}

/// Authentication method reference (RFC 8176).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Amr {
    /// Proof of possession of a hardware-secured key.
    Hwk,
    /// Proof of possession of a software-secured key.
    Swk,
    /// User presence and verification (PIN or biometric on the authenticator).
    User,
    /// Proof of possession of a key.
    Pop,
    /// A one-time code (recovery code, email code).
    Otp,
    /// Multiple factors.
    Mfa,
}

impl Amr {
    pub const ALL: [Amr; 6] = [
        Self::Hwk,
        Self::Swk,
        Self::User,
        Self::Pop,
        Self::Otp,
        Self::Mfa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hwk => "hwk",
            Self::Swk => "swk",
            Self::User => "user",
            Self::Pop => "pop",
            Self::Otp => "otp",
            Self::Mfa => "mfa",
        }
    }
}

impl fmt::Display for Amr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Amr {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| ParseError::new("amr value", s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrh_satisfies_phr_but_not_the_reverse() {
        assert!(Acr::Phrh.satisfies(Acr::Phr));
        assert!(Acr::Phr.satisfies(Acr::Phr));
        assert!(!Acr::Phr.satisfies(Acr::Phrh));
    }

    #[test]
    fn acr_and_amr_round_trip_through_text() {
        for a in Acr::ALL {
            assert_eq!(a.as_str().parse::<Acr>(), Ok(a));
        }
        for a in Amr::ALL {
            assert_eq!(a.as_str().parse::<Amr>(), Ok(a));
        }
        assert!("pwd".parse::<Amr>().is_err());
    }
}
