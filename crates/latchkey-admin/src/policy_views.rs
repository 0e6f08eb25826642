//! Attestation-policy changes as people read them: on the approval pages
//! (a `weaken_policy` request, rule by rule, old → new) and on the console's
//! policy pages.

use latchkey_passkey::PolicyRules;
use latchkey_passkey::mds::CertificationLevel;
use latchkey_passkey::policy::{self, Comparison, Rule};
use latchkey_recovery::policy_changes::{AttestationPolicyChange, AttestationRules, PolicyChange};
use uuid::Uuid;

use latchkey_i18n::{Arg, Locale, msg};

use crate::views::Fact;

/// The message key of a rule's name on the pages.
pub fn rule_label(rule: Rule) -> &'static str {
    match rule {
        Rule::AttestationRequired => msg("console-rule-attestation"),
        Rule::DeviceBound => msg("console-rule-device-bound"),
        Rule::AllowedModels => msg("console-rule-allowed-models"),
        Rule::MinimumCertification => msg("console-rule-min-certification"),
        Rule::NotCompromised => msg("console-rule-compromised"),
    }
}

/// The passkey crate's rules from a change's; `None` when they do not parse.
pub fn rules_from_change(r: &AttestationRules) -> Option<PolicyRules> {
    let allowed_aaguids = r
        .allowed_aaguids
        .iter()
        .map(|a| Uuid::parse_str(a).ok())
        .collect::<Option<Vec<_>>>()?;
    let min_certification = match &r.min_certification {
        Some(l) => Some(CertificationLevel::parse(l)?),
        None => None,
    };
    Some(PolicyRules {
        require_attestation: r.require_attestation,
        device_bound: r.device_bound,
        allowed_aaguids,
        min_certification,
        refuse_compromised: r.refuse_compromised,
    })
}

/// How `rule` reads under `rules`, in `l` ("device-bound only").
pub fn rule_value(l: Locale, rule: Rule, rules: &PolicyRules) -> String {
    match rule {
        Rule::AttestationRequired => l.t(if rules.require_attestation {
            msg("console-value-attestation-required")
        } else {
            msg("console-value-attestation-not-required")
        }),
        Rule::DeviceBound => l.t(if rules.device_bound {
            msg("console-value-device-bound")
        } else {
            msg("console-value-synced-allowed")
        }),
        Rule::AllowedModels if rules.allowed_aaguids.is_empty() => {
            l.t(msg("console-value-any-model"))
        }
        Rule::AllowedModels => policy::describe_models(&rules.allowed_aaguids),
        Rule::MinimumCertification => match rules.min_certification {
            None => l.t(msg("console-value-no-certification")),
            Some(level) => l.format(
                msg("console-value-certification"),
                &[("level", Arg::from(level.as_str()))],
            ),
        },
        Rule::NotCompromised => l.t(if rules.refuse_compromised {
            msg("console-value-compromised-refused")
        } else {
            msg("console-value-compromised-accepted")
        }),
    }
}

/// One fact per rule that differs between `before` and `after`: "before →
/// after", marked relaxed or tightened (`c`, their comparison).
pub fn comparison_facts(
    l: Locale,
    c: &Comparison,
    before: &PolicyRules,
    after: &PolicyRules,
) -> Vec<Fact> {
    c.changes()
        .map(|(change, relaxed)| Fact {
            label: rule_label(change.rule),
            value: l.format(
                if relaxed {
                    msg("console-rule-relaxed")
                } else {
                    msg("console-rule-tightened")
                },
                &[
                    ("before", Arg::from(rule_value(l, change.rule, before))),
                    ("after", Arg::from(rule_value(l, change.rule, after))),
                ],
            ),
        })
        .collect()
}

/// What a `weaken_policy` request changes, for the approvers.
pub fn change_facts(l: Locale, change: &serde_json::Value) -> Vec<Fact> {
    let raw = || {
        vec![Fact {
            label: msg("console-fact-change"),
            value: change.to_string(),
        }]
    };
    let c = match PolicyChange::parse(change) {
        Ok(PolicyChange::Attestation(c)) => c,
        Ok(PolicyChange::Recovery(c)) => return crate::recovery_policies::change_facts(l, &c),
        Err(_) => return raw(),
    };
    match c {
        AttestationPolicyChange::Update {
            policy: name,
            before,
            after,
        } => {
            let (Some(b), Some(a)) = (rules_from_change(&before), rules_from_change(&after)) else {
                return raw();
            };
            let mut facts = vec![Fact {
                label: msg("console-fact-attestation-policy"),
                value: name,
            }];
            facts.extend(comparison_facts(l, &policy::compare(&b, &a), &b, &a));
            facts
        }
        AttestationPolicyChange::Target {
            target_kind,
            label,
            before,
            after,
            ..
        } => {
            let none = || l.t(msg("console-no-policy"));
            vec![
                Fact {
                    label: msg("console-fact-applies-to"),
                    value: format!("{target_kind} {label}"),
                },
                Fact {
                    label: msg("console-fact-attestation-policy"),
                    value: format!(
                        "{} → {}",
                        before.unwrap_or_else(none),
                        after.unwrap_or_else(none)
                    ),
                },
            ]
        }
    }
}
