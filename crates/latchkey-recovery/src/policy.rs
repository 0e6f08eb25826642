//! Policy per account tier and action: which independent factors, how many,
//! the delay, the approvals and from which role, whether an out-of-band
//! identity check is required, how long a request lives, and what completion
//! revokes. Defaults follow the design (§6); a server configuration can
//! override any (tier, action) pair from TOML.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::Duration;
use latchkey_core::{AccountTier, ParseError, Role};
use serde::{Deserialize, Serialize};

use crate::action::ActionKind;

mod defaults;

use defaults::default_policy;

/// An independent way to show who you are. There is no SMS, by design: a
/// phone number can be moved to another SIM by a phone shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    /// One of the account's single-use recovery codes.
    RecoveryCode,
    /// A one-time link sent to the account's verified address.
    EmailLink,
    /// A user-verified assertion by another registered passkey.
    Passkey,
    /// An identity check (document, video call) recorded by an approver.
    OutOfBand,
}

impl FactorKind {
    pub const ALL: [FactorKind; 4] = [
        Self::RecoveryCode,
        Self::EmailLink,
        Self::Passkey,
        Self::OutOfBand,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RecoveryCode => "recovery_code",
            Self::EmailLink => "email_link",
            Self::Passkey => "passkey",
            Self::OutOfBand => "out_of_band",
        }
    }
}

impl fmt::Display for FactorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FactorKind {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ParseError::new("factor kind", s))
    }
}

/// What completing a request withdraws from the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Revocation {
    /// Every passkey registered before completion (the grant then enrols a
    /// new one).
    OtherPasskeys,
    /// Every browser session of the account.
    Sessions,
    /// Every refresh-token family (and so the access tokens they issued).
    RefreshFamilies,
}

/// The rules one (tier, action) pair is held to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// How many distinct factor kinds must be shown.
    pub factors: u8,
    /// The kinds that count.
    pub factor_kinds: BTreeSet<FactorKind>,
    /// How long after the factors are verified the request may complete.
    #[serde(with = "crate::duration")]
    pub delay: Duration,
    /// Distinct approvals needed, none by the requester or the subject.
    pub approvals: u8,
    /// The role approvers (and recorders of out-of-band checks) must hold.
    #[serde(default = "default_approver_role")]
    pub approver_role: Role,
    /// Whether an approver must record an out-of-band identity check.
    #[serde(default)]
    pub out_of_band_check: bool,
    /// How long a request lives from its creation; it expires after that.
    #[serde(with = "crate::duration")]
    pub lifetime: Duration,
    /// What completion revokes.
    #[serde(default)]
    pub revokes: BTreeSet<Revocation>,
}

fn default_approver_role() -> Role {
    Role::Approver
}

/// The most distinct approvals a policy may ask for.
pub const MAX_APPROVALS: u8 = 10;
/// The longest delay a policy may set.
pub const MAX_DELAY: Duration = Duration::days(30);
/// The longest a request may live.
pub const MAX_LIFETIME: Duration = Duration::days(90);

/// Whether a policy can be met with the approvers there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feasibility {
    Feasible,
    /// Fewer accounts hold the approver role (excluding the requester and
    /// the subject) than the policy needs: a request would wait until it
    /// expires.
    NotEnoughApprovers {
        required: u8,
        available: u64,
    },
    /// A policy change whose policy (or target) has changed since it was
    /// asked for: it cannot complete, whatever is decided.
    StaleChange,
}

impl Policy {
    /// Whether the policy can be met given how many accounts could approve
    /// (hold the approver role, are enabled, and are neither the requester
    /// nor the subject). An out-of-band check needs one such account too.
    pub fn feasibility(&self, eligible_approvers: u64) -> Feasibility {
        let required = self
            .approvals
            .max(u8::from(self.needs_out_of_band_recorder()));
        if u64::from(required) > eligible_approvers {
            Feasibility::NotEnoughApprovers {
                required,
                available: eligible_approvers,
            }
        } else {
            Feasibility::Feasible
        }
    }

    fn needs_out_of_band_recorder(&self) -> bool {
        self.out_of_band_check
            || (self.factor_kinds.len() == usize::from(self.factors)
                && self.factor_kinds.contains(&FactorKind::OutOfBand))
    }

    /// Checks the policy on its own.
    pub fn check(&self) -> Result<(), String> {
        if self.factors == 0 {
            return Err("factors must be at least 1: every guarded action needs proof".into());
        }
        if usize::from(self.factors) > self.factor_kinds.len() {
            return Err(format!(
                "factors is {} but only {} factor kinds are allowed: factors must be independent",
                self.factors,
                self.factor_kinds.len()
            ));
        }
        if self.approvals > MAX_APPROVALS {
            return Err(format!("approvals must be at most {MAX_APPROVALS}"));
        }
        if self.delay < Duration::zero() || self.delay > MAX_DELAY {
            return Err("delay must be between 0 and 30 days".into());
        }
        if self.lifetime <= self.delay || self.lifetime > MAX_LIFETIME {
            return Err("lifetime must be longer than delay and at most 90 days".into());
        }
        Ok(())
    }

    /// The knobs on which `self` is laxer than `current`, the policy it
    /// would replace: fewer factors, more kinds that count, a shorter delay,
    /// fewer approvals, another approver role, no out-of-band check where
    /// there was one, a longer life (more time for an attacker's request),
    /// or less revoked at completion. Empty: `self` is at least as strict,
    /// and may replace `current` at once.
    pub fn relaxed_knobs(&self, current: &Policy) -> Vec<&'static str> {
        let checks = [
            (self.factors < current.factors, "factors"),
            (
                !self.factor_kinds.is_subset(&current.factor_kinds),
                "factor_kinds",
            ),
            (self.delay < current.delay, "delay"),
            (self.approvals < current.approvals, "approvals"),
            (self.approver_role != current.approver_role, "approver_role"),
            (
                current.out_of_band_check && !self.out_of_band_check,
                "out_of_band_check",
            ),
            (self.lifetime > current.lifetime, "lifetime"),
            (!current.revokes.is_subset(&self.revokes), "revokes"),
        ];
        checks
            .into_iter()
            .filter_map(|(relaxed, knob)| relaxed.then_some(knob))
            .collect()
    }

    /// Whether `self` is at least as strict as `lower` on every knob.
    fn weaker_knob_than(&self, lower: &Policy) -> Option<&'static str> {
        if self.factors < lower.factors {
            Some("factors")
        } else if self.delay < lower.delay {
            Some("delay")
        } else if self.approvals < lower.approvals {
            Some("approvals")
        } else if lower.out_of_band_check && !self.out_of_band_check {
            Some("out_of_band_check")
        } else if !lower.revokes.is_subset(&self.revokes) {
            Some("revokes")
        } else {
            None
        }
    }
}

/// A policy that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("the guarded-action policies are not valid TOML")]
    Toml(#[source] toml::de::Error),
    #[error("the {tier} policy for {action} is not valid: {problem}")]
    Invalid {
        tier: AccountTier,
        action: ActionKind,
        problem: String,
    },
    #[error("the {tier} policy for {action} is weaker than the {lower} one in {knob}")]
    WeakerThanLowerTier {
        tier: AccountTier,
        lower: AccountTier,
        action: ActionKind,
        knob: &'static str,
    },
}

/// Overrides as a configuration file gives them: a table per tier, a table
/// per action inside, each a complete [`Policy`].
///
/// ```toml
/// [elevated.recover_account]
/// factors = 2
/// factor_kinds = ["recovery_code", "email_link", "passkey"]
/// delay = "48h"
/// approvals = 2
/// lifetime = "14d"
/// revokes = ["other_passkeys", "sessions", "refresh_families"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyOverrides {
    pub standard: BTreeMap<ActionKind, Policy>,
    pub elevated: BTreeMap<ActionKind, Policy>,
    pub critical: BTreeMap<ActionKind, Policy>,
}

/// A policy for every (tier, action) pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySet {
    policies: BTreeMap<(AccountTier, ActionKind), Policy>,
}

impl Default for PolicySet {
    fn default() -> Self {
        Self::defaults()
    }
}

impl PolicySet {
    /// The built-in policies.
    pub fn defaults() -> Self {
        let mut policies = BTreeMap::new();
        for tier in AccountTier::ALL {
            for action in ActionKind::ALL {
                policies.insert((tier, action), default_policy(tier, action));
            }
        }
        Self { policies }
    }

    /// The defaults with `overrides` applied, checked.
    pub fn with_overrides(overrides: PolicyOverrides) -> Result<Self, PolicyError> {
        let mut set = Self::defaults();
        for (tier, table) in [
            (AccountTier::Standard, overrides.standard),
            (AccountTier::Elevated, overrides.elevated),
            (AccountTier::Critical, overrides.critical),
        ] {
            for (action, policy) in table {
                set.policies.insert((tier, action), policy);
            }
        }
        set.validate()?;
        Ok(set)
    }

    /// Reads overrides from TOML text (see [`PolicyOverrides`]).
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let overrides: PolicyOverrides = toml::from_str(text).map_err(PolicyError::Toml)?;
        Self::with_overrides(overrides)
    }

    /// Every policy is valid on its own, and no tier is weaker than the one
    /// below it for the same action.
    pub fn validate(&self) -> Result<(), PolicyError> {
        for ((tier, action), policy) in &self.policies {
            policy.check().map_err(|problem| PolicyError::Invalid {
                tier: *tier,
                action: *action,
                problem,
            })?;
        }
        for action in ActionKind::ALL {
            for pair in AccountTier::ALL.windows(2) {
                let (lower, higher) = (pair[0], pair[1]);
                if let Some(knob) = self
                    .policy(higher, action)
                    .weaker_knob_than(self.policy(lower, action))
                {
                    return Err(PolicyError::WeakerThanLowerTier {
                        tier: higher,
                        lower,
                        action,
                        knob,
                    });
                }
            }
        }
        Ok(())
    }

    /// The set with `policy` for `tier` and `action`, checked as a whole
    /// (the policy itself, and no tier weaker than the one below it).
    pub fn with_policy(
        &self,
        tier: AccountTier,
        action: ActionKind,
        policy: Policy,
    ) -> Result<Self, PolicyError> {
        let mut set = self.clone();
        set.policies.insert((tier, action), policy);
        set.validate()?;
        Ok(set)
    }

    /// Puts `policy` in for `tier` and `action`, unchecked (the caller
    /// validates the whole set).
    pub(crate) fn replace(&mut self, tier: AccountTier, action: ActionKind, policy: Policy) {
        self.policies.insert((tier, action), policy);
    }

    /// Every (tier, action) pair with its policy.
    pub fn iter(&self) -> impl Iterator<Item = ((AccountTier, ActionKind), &Policy)> {
        self.policies.iter().map(|(k, p)| (*k, p))
    }

    pub fn policy(&self, tier: AccountTier, action: ActionKind) -> &Policy {
        // Every pair is present: built from `defaults()`, only replaced since.
        self.policies
            .get(&(tier, action))
            .unwrap_or_else(|| &FALLBACK)
    }
}

/// Never used (every pair is filled in); the strictest built-in policy, so
/// that a bug could only make a request harder.
static FALLBACK: std::sync::LazyLock<Policy> =
    std::sync::LazyLock::new(|| default_policy(AccountTier::Critical, ActionKind::RecoverAccount));

/// The tier an account is under: the tier stored for it, raised to the
/// floor of each role it holds (admins and approvers are at least elevated).
pub fn effective_tier(stored: AccountTier, roles: &[Role]) -> AccountTier {
    roles
        .iter()
        .map(|r| r.tier_floor())
        .fold(stored, std::cmp::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_follow_the_design() {
        let set = PolicySet::defaults();
        set.validate().unwrap();
        let std = set.policy(AccountTier::Standard, ActionKind::RecoverAccount);
        assert_eq!((std.factors, std.approvals), (1, 0));
        assert_eq!(std.delay, Duration::hours(1));
        let elev = set.policy(AccountTier::Elevated, ActionKind::RecoverAccount);
        assert_eq!((elev.factors, elev.approvals), (2, 2));
        assert_eq!(elev.delay, Duration::hours(24));
        let crit = set.policy(AccountTier::Critical, ActionKind::RecoverAccount);
        assert_eq!((crit.factors, crit.approvals), (2, 2));
        assert!(crit.out_of_band_check);
        assert_eq!(crit.delay, Duration::hours(72));
    }

    #[test]
    fn toml_overrides_replace_one_pair_and_keep_the_rest() {
        let set = PolicySet::from_toml(
            r#"
            [critical.recover_account]
            factors = 3
            factor_kinds = ["recovery_code", "email_link", "passkey"]
            delay = "96h"
            approvals = 3
            approver_role = "admin"
            out_of_band_check = true
            lifetime = "30d"
            revokes = ["other_passkeys", "sessions", "refresh_families"]
            "#,
        )
        .unwrap();
        let crit = set.policy(AccountTier::Critical, ActionKind::RecoverAccount);
        assert_eq!(crit.factors, 3);
        assert_eq!(crit.delay, Duration::hours(96));
        assert_eq!(crit.approver_role, Role::Admin);
        assert_eq!(
            set.policy(AccountTier::Standard, ActionKind::RecoverAccount),
            PolicySet::defaults().policy(AccountTier::Standard, ActionKind::RecoverAccount)
        );
    }

    #[test]
    fn toml_policy_with_sms_is_refused() {
        let err = PolicySet::from_toml(
            r#"
            [standard.recover_account]
            factors = 1
            factor_kinds = ["sms"]
            delay = "1h"
            approvals = 0
            lifetime = "7d"
            "#,
        )
        .unwrap_err();
        assert!(matches!(err, PolicyError::Toml(_)), "{err:?}");
    }

    #[test]
    fn policy_is_refused_when_factors_exceed_independent_kinds() {
        let err = PolicySet::from_toml(
            r#"
            [standard.add_passkey]
            factors = 2
            factor_kinds = ["passkey"]
            delay = "0s"
            approvals = 0
            lifetime = "1d"
            "#,
        )
        .unwrap_err();
        assert!(matches!(err, PolicyError::Invalid { .. }), "{err}");
    }

    #[test]
    fn policy_is_refused_when_a_higher_tier_is_weaker() {
        let err = PolicySet::from_toml(
            r#"
            [elevated.recover_account]
            factors = 2
            factor_kinds = ["recovery_code", "email_link"]
            delay = "30m"
            approvals = 2
            lifetime = "14d"
            revokes = ["other_passkeys", "sessions", "refresh_families"]
            "#,
        )
        .unwrap_err();
        assert!(
            matches!(err, PolicyError::WeakerThanLowerTier { knob: "delay", .. }),
            "{err}"
        );
    }

    #[test]
    fn policy_is_refused_when_lifetime_does_not_outlast_delay() {
        let mut p = PolicySet::defaults()
            .policy(AccountTier::Standard, ActionKind::RecoverAccount)
            .clone();
        p.lifetime = p.delay;
        assert!(p.check().is_err());
    }

    #[test]
    fn feasibility_reports_too_few_approvers() {
        let set = PolicySet::defaults();
        let elev = set.policy(AccountTier::Elevated, ActionKind::RecoverAccount);
        assert_eq!(
            elev.feasibility(1),
            Feasibility::NotEnoughApprovers {
                required: 2,
                available: 1
            }
        );
        assert_eq!(elev.feasibility(2), Feasibility::Feasible);
        let std = set.policy(AccountTier::Standard, ActionKind::RecoverAccount);
        assert_eq!(std.feasibility(0), Feasibility::Feasible);
    }

    #[test]
    fn tier_is_raised_by_roles_and_never_lowered() {
        assert_eq!(
            effective_tier(AccountTier::Standard, &[]),
            AccountTier::Standard
        );
        assert_eq!(
            effective_tier(AccountTier::Standard, &[Role::Approver]),
            AccountTier::Elevated
        );
        assert_eq!(
            effective_tier(AccountTier::Critical, &[Role::Admin]),
            AccountTier::Critical
        );
    }
}
