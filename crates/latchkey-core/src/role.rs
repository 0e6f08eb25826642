//! Roles an account can hold. Stored as text in `user_roles`; roles that
//! other code stores but this enum does not know are ignored by
//! [`Role::parse_all`], never mistaken for one it knows.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{AccountTier, ParseError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the instance: users, clients, policies.
    Admin,
    /// Approves or denies guarded actions (recoveries, sensitive changes) of
    /// other accounts.
    Approver,
}

impl Role {
    pub const ALL: [Role; 2] = [Self::Admin, Self::Approver];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Approver => "approver",
        }
    }

    /// The roles among `stored` that this enum knows, in order, without
    /// duplicates.
    pub fn parse_all<I, S>(stored: I) -> Vec<Role>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut roles: Vec<Role> = stored
            .into_iter()
            .filter_map(|s| s.as_ref().parse().ok())
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// The lowest tier an account holding this role may be under: holders
    /// of either role are at least [`AccountTier::Elevated`].
    pub fn tier_floor(self) -> AccountTier {
        match self {
            Self::Admin | Self::Approver => AccountTier::Elevated,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ParseError::new("role", s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text_and_unknown_ones_are_ignored() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
        assert_eq!(
            Role::parse_all(["approver", "auditor", "admin", "approver"]),
            vec![Role::Admin, Role::Approver]
        );
    }

    #[test]
    fn role_holders_are_at_least_elevated() {
        for r in Role::ALL {
            assert!(r.tier_floor() >= AccountTier::Elevated);
        }
    }
}
