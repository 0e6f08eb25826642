//! Account tiers: the recovery and sensitive-change policy an account is under.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountTier {
    Standard,
    Elevated,
    Critical,
}

impl AccountTier {
    pub const ALL: [AccountTier; 3] = [Self::Standard, Self::Elevated, Self::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Elevated => "elevated",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for AccountTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountTier {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseError::new("account tier", s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_round_trip_and_order_by_strength() {
        for t in AccountTier::ALL {
            assert_eq!(t.as_str().parse::<AccountTier>(), Ok(t));
        }
        assert!(AccountTier::Standard < AccountTier::Elevated);
        assert!(AccountTier::Elevated < AccountTier::Critical);
        assert!("root".parse::<AccountTier>().is_err());
    }
}
