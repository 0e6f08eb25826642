//! Whether a change of rules tightens or weakens a policy.
//!
//! Security invariant: a change is tighter-or-equal only when no rule is
//! relaxed. A change that relaxes one rule and tightens another is a
//! weakening: some credential refused before may be accepted after, and
//! that is what the guarded-action engine must see.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{PolicyRules, Rule};

/// One rule that differs between the old and the new rules, as the
/// console and the approvers read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleChange {
    pub rule: Rule,
    pub before: String,
    pub after: String,
}

/// The answer of [`compare`]: the rules relaxed and the rules tightened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    pub relaxed: Vec<RuleChange>,
    pub tightened: Vec<RuleChange>,
}

impl Comparison {
    /// Some rule is relaxed (mixed changes included).
    pub fn is_weakening(&self) -> bool {
        !self.relaxed.is_empty()
    }

    /// No rule is relaxed.
    pub fn is_tighter_or_equal(&self) -> bool {
        self.relaxed.is_empty()
    }

    /// Nothing changes.
    pub fn is_equal(&self) -> bool {
        self.relaxed.is_empty() && self.tightened.is_empty()
    }

    /// Every change, relaxed first, each in rule order.
    pub fn changes(&self) -> impl Iterator<Item = (&RuleChange, bool)> {
        self.relaxed
            .iter()
            .map(|c| (c, true))
            .chain(self.tightened.iter().map(|c| (c, false)))
    }
}

fn yes_no(required: bool, what: &str) -> String {
    if required {
        format!("{what} required")
    } else {
        format!("{what} not required")
    }
}

/// How an allowlist reads: "any model" when empty.
pub fn describe_models(list: &[Uuid]) -> String {
    if list.is_empty() {
        "any model".to_owned()
    } else {
        list.iter()
            .map(Uuid::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How a minimum certification level reads.
pub fn describe_certification(rules: &PolicyRules) -> String {
    rules.min_certification.map_or_else(
        || "none".to_owned(),
        |l| format!("FIDO {} or higher", l.as_str()),
    )
}

/// Compares `old` with `new`, rule by rule. User verification is not a rule
/// of a policy: every ceremony requires it, so no change can relax it.
pub fn compare(old: &PolicyRules, new: &PolicyRules) -> Comparison {
    let mut out = Comparison::default();
    let mut push = |rule, relaxed: bool, before: String, after: String| {
        let change = RuleChange {
            rule,
            before,
            after,
        };
        if relaxed {
            out.relaxed.push(change);
        } else {
            out.tightened.push(change);
        }
    };
    if old.require_attestation != new.require_attestation {
        push(
            Rule::AttestationRequired,
            old.require_attestation,
            yes_no(old.require_attestation, "attestation"),
            yes_no(new.require_attestation, "attestation"),
        );
    }
    if old.device_bound != new.device_bound {
        let say = |b: bool| {
            if b {
                "device-bound only".to_owned()
            } else {
                "synced passkeys allowed".to_owned()
            }
        };
        push(
            Rule::DeviceBound,
            old.device_bound,
            say(old.device_bound),
            say(new.device_bound),
        );
    }
    let (before, after) = (&old.allowed_aaguids, &new.allowed_aaguids);
    // An empty list admits every model: it is the loosest list of all.
    let gains =
        !before.is_empty() && (after.is_empty() || after.iter().any(|a| !before.contains(a)));
    let loses =
        !after.is_empty() && (before.is_empty() || before.iter().any(|a| !after.contains(a)));
    for (happened, relaxed) in [(gains, true), (loses, false)] {
        if happened {
            push(
                Rule::AllowedModels,
                relaxed,
                describe_models(before),
                describe_models(after),
            );
        }
    }
    if old.min_certification != new.min_certification {
        // `None` is below every level.
        push(
            Rule::MinimumCertification,
            new.min_certification < old.min_certification,
            describe_certification(old),
            describe_certification(new),
        );
    }
    if old.refuse_compromised != new.refuse_compromised {
        let say = |b: bool| {
            if b {
                "compromised models refused".to_owned()
            } else {
                "compromised models accepted".to_owned()
            }
        };
        push(
            Rule::NotCompromised,
            old.refuse_compromised,
            say(old.refuse_compromised),
            say(new.refuse_compromised),
        );
    }
    out
}

/// Compares what a target (a group, a tier, a client) demands before and
/// after its policy changes: `None` is no policy, which demands nothing.
/// Unassigning a policy that demands something is a weakening; assigning
/// one a tightening; replacing one is compared rule by rule.
pub fn compare_assignment(old: Option<&PolicyRules>, new: Option<&PolicyRules>) -> Comparison {
    let none = PolicyRules::default();
    compare(old.unwrap_or(&none), new.unwrap_or(&none))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mds::CertificationLevel;

    const KEY: Uuid = uuid::uuid!("6d44ba9b-f6ec-2e49-b930-0c8fe920cb73");
    const OTHER: Uuid = uuid::uuid!("cb69481e-8ff7-4039-93ec-0a2729a154a8");

    fn strict() -> PolicyRules {
        PolicyRules {
            require_attestation: true,
            device_bound: true,
            allowed_aaguids: vec![KEY],
            min_certification: Some(CertificationLevel::L2),
            refuse_compromised: true,
        }
    }

    fn relaxed_rules(c: &Comparison) -> Vec<Rule> {
        c.relaxed.iter().map(|r| r.rule).collect()
    }

    #[test]
    fn the_same_rules_are_equal_and_not_a_weakening() {
        let c = compare(&strict(), &strict());
        assert!(c.is_equal());
        assert!(c.is_tighter_or_equal());
        assert!(!c.is_weakening());
    }

    #[test]
    fn every_relaxed_rule_alone_is_a_weakening() {
        let cases: Vec<(Rule, PolicyRules)> = vec![
            (
                Rule::AttestationRequired,
                PolicyRules {
                    require_attestation: false,
                    ..strict()
                },
            ),
            (
                Rule::DeviceBound,
                PolicyRules {
                    device_bound: false,
                    ..strict()
                },
            ),
            (
                Rule::AllowedModels,
                PolicyRules {
                    allowed_aaguids: vec![KEY, OTHER],
                    ..strict()
                },
            ),
            (
                Rule::AllowedModels,
                PolicyRules {
                    allowed_aaguids: vec![],
                    ..strict()
                },
            ),
            (
                Rule::MinimumCertification,
                PolicyRules {
                    min_certification: Some(CertificationLevel::L1Plus),
                    ..strict()
                },
            ),
            (
                Rule::MinimumCertification,
                PolicyRules {
                    min_certification: None,
                    ..strict()
                },
            ),
            (
                Rule::NotCompromised,
                PolicyRules {
                    refuse_compromised: false,
                    ..strict()
                },
            ),
        ];
        for (rule, new) in cases {
            let c = compare(&strict(), &new);
            assert!(c.is_weakening(), "{rule:?}");
            assert_eq!(relaxed_rules(&c), [rule]);
            assert!(c.tightened.is_empty(), "{rule:?}");
            // The way back is a tightening.
            let back = compare(&new, &strict());
            assert!(back.is_tighter_or_equal() && !back.is_equal(), "{rule:?}");
        }
    }

    #[test]
    fn every_tightened_rule_from_nothing_is_tighter() {
        let c = compare(&PolicyRules::default(), &strict());
        assert!(c.is_tighter_or_equal());
        assert_eq!(c.tightened.len(), 5);
        let higher = PolicyRules {
            min_certification: Some(CertificationLevel::L3),
            ..strict()
        };
        assert!(compare(&strict(), &higher).is_tighter_or_equal());
        let fewer = PolicyRules {
            allowed_aaguids: vec![KEY],
            ..strict()
        };
        let two = PolicyRules {
            allowed_aaguids: vec![KEY, OTHER],
            ..strict()
        };
        let c = compare(&two, &fewer);
        assert!(c.is_tighter_or_equal() && !c.is_equal());
    }

    #[test]
    fn a_mixed_change_is_a_weakening() {
        let new = PolicyRules {
            device_bound: false,
            min_certification: Some(CertificationLevel::L3),
            ..strict()
        };
        let c = compare(&strict(), &new);
        assert!(c.is_weakening());
        assert_eq!(relaxed_rules(&c), [Rule::DeviceBound]);
        assert_eq!(c.tightened[0].rule, Rule::MinimumCertification);
        // Swapping one allowed model for another relaxes and tightens.
        let swapped = PolicyRules {
            allowed_aaguids: vec![OTHER],
            ..strict()
        };
        let c = compare(&strict(), &swapped);
        assert!(c.is_weakening());
        assert_eq!(c.tightened.len(), 1);
    }

    #[test]
    fn changes_read_as_before_and_after() {
        let new = PolicyRules {
            allowed_aaguids: vec![],
            min_certification: None,
            ..strict()
        };
        let c = compare(&strict(), &new);
        let models = &c.relaxed[0];
        assert_eq!(models.before, KEY.to_string());
        assert_eq!(models.after, "any model");
        assert_eq!(c.relaxed[1].before, "FIDO L2 or higher");
        assert_eq!(c.relaxed[1].after, "none");
    }

    #[test]
    fn unassigning_is_a_weakening_and_assigning_a_tightening() {
        let rules = strict();
        assert!(compare_assignment(Some(&rules), None).is_weakening());
        assert!(compare_assignment(None, Some(&rules)).is_tighter_or_equal());
        let weaker = PolicyRules {
            device_bound: false,
            ..strict()
        };
        assert!(compare_assignment(Some(&rules), Some(&weaker)).is_weakening());
        // A policy that demands nothing changes nothing either way.
        let empty = PolicyRules::default();
        assert!(compare_assignment(Some(&empty), None).is_equal());
    }
}
