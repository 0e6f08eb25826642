//! Attestation policies: which authenticators a credential must come from.
//!
//! Pure evaluation: [`evaluate`] takes a policy, the facts of one credential
//! (as registered, or as stored) and what the authenticator metadata says
//! today about its model, and answers whether the credential complies — or
//! which rules it breaks and what would satisfy each. The caller gathers the
//! facts and decides what a violation means (refuse a registration, refuse a
//! sign-in to a client, count it in a report).
//!
//! Security invariant: the model named by an AAGUID is proven only by a
//! verified attestation. An unattested AAGUID is the client's claim, so the
//! rules that name models (allowlist, certification level) are met only by
//! attested credentials. The compromise rule, though, believes a claim that
//! makes things worse: an unattested credential claiming a compromised model
//! is refused too.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::mds::{CertificationLevel, StatusReport};

mod compare;
pub use compare::{
    Comparison, RuleChange, compare, compare_assignment, describe_certification, describe_models,
};

/// Status report values by which the FIDO Alliance says a model can no
/// longer be trusted (FIDO Metadata Service §3.1.4, `AuthenticatorStatus`).
pub const COMPROMISE_STATUSES: &[&str] = &[
    "REVOKED",
    "USER_VERIFICATION_BYPASS",
    "ATTESTATION_KEY_COMPROMISE",
    "USER_KEY_REMOTE_COMPROMISE",
    "USER_KEY_PHYSICAL_COMPROMISE",
];

/// Whether a status report value says the model is compromised.
pub fn is_compromise_status(status: &str) -> bool {
    COMPROMISE_STATUSES.contains(&status)
}

/// The rules of a policy. The default demands nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRules {
    /// The credential must come with a verified attestation.
    pub require_attestation: bool,
    /// The credential must be device-bound: backup-eligible (synced)
    /// passkeys are refused.
    pub device_bound: bool,
    /// When not empty, only these models (AAGUIDs, proven by attestation).
    pub allowed_aaguids: Vec<Uuid>,
    /// The model's FIDO certification level must be at least this.
    pub min_certification: Option<CertificationLevel>,
    /// Refuse models whose metadata reports a compromise
    /// ([`COMPROMISE_STATUSES`]).
    pub refuse_compromised: bool,
}

impl PolicyRules {
    /// Whether a registration under these rules must ask for (and verify)
    /// direct attestation: attestation itself, or a rule that only an
    /// attested model can meet.
    pub fn needs_attestation(&self) -> bool {
        self.require_attestation
            || !self.allowed_aaguids.is_empty()
            || self.min_certification.is_some()
    }
}

/// A named policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationPolicy {
    pub name: String,
    pub rules: PolicyRules,
}

/// What is known about one credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialFacts {
    /// The AAGUID it reported (`None` when all zero).
    pub aaguid: Option<Uuid>,
    /// Whether a verified attestation proved the model.
    pub attested: bool,
    /// The BE flag: the key may be synced to other devices.
    pub backup_eligible: bool,
}

/// What the authenticator metadata says today about a model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelStatus {
    pub description: String,
    pub certification_level: Option<CertificationLevel>,
    pub status_reports: Vec<StatusReport>,
}

impl ModelStatus {
    /// The compromise statuses among the model's reports, in report order.
    pub fn compromises(&self) -> Vec<&str> {
        self.status_reports
            .iter()
            .map(|r| r.status.as_str())
            .filter(|s| is_compromise_status(s))
            .collect()
    }
}

/// A rule of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    AttestationRequired,
    DeviceBound,
    AllowedModels,
    MinimumCertification,
    NotCompromised,
}

impl Rule {
    /// A stable code, for logs, audit events and error bodies.
    pub fn code(self) -> &'static str {
        match self {
            Self::AttestationRequired => "attestation_required",
            Self::DeviceBound => "device_bound",
            Self::AllowedModels => "allowed_models",
            Self::MinimumCertification => "minimum_certification",
            Self::NotCompromised => "not_compromised",
        }
    }
}

/// A broken rule: what was found, and what would satisfy the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub rule: Rule,
    /// What the credential is.
    pub found: Finding,
    /// What would satisfy the rule.
    pub required: Requirement,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} {}",
            self.rule.code(),
            self.found.text(),
            self.required.text()
        )
    }
}

/// What a refused passkey (or sign-in) was found to be. The pages say it in
/// their language by its kind; [`Finding::text`] is the English sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// The model is not proven by a verified attestation.
    Unproven,
    /// The passkey is backup eligible.
    Synced,
    /// The passkey is synced, so its authenticator cannot be attested.
    SyncedUnattestable,
    /// The attestation does not verify against an allowed model's metadata.
    AttestationUnverified,
    /// No allowed model with attestation roots is in the metadata.
    NoTrustedModels,
    /// The attested model is not on the allowlist.
    ModelNotListed { aaguid: String },
    /// The authenticator names no model.
    NoModel,
    /// The model's certification, below the minimum.
    Certified { level: String },
    /// The metadata reports no certification for the model.
    NotCertified,
    /// The metadata's compromise reports for the model.
    Compromised { reports: Vec<String> },
    /// The sign-in did not use a registered passkey.
    NoRegisteredPasskey,
    /// The session's step-up did not use a registered passkey.
    StepUpNotRegistered,
    /// The passkey complies but was flagged as a possible clone.
    PossibleClone,
}

impl Finding {
    /// The English sentence.
    pub fn text(&self) -> String {
        match self {
            Self::Unproven => {
                "The authenticator's model is not proven by a verified attestation.".into()
            }
            Self::Synced => "The passkey can be synced to other devices (backup eligible).".into(),
            Self::SyncedUnattestable => "The passkey can be synced to other devices, so its authenticator cannot be attested.".into(),
            Self::AttestationUnverified => "The authenticator's attestation does not verify against the FIDO metadata of an allowed model.".into(),
            Self::NoTrustedModels => "No allowed authenticator model with attestation roots is in the imported FIDO metadata.".into(),
            Self::ModelNotListed { aaguid } => {
                format!("The authenticator model {aaguid} is not on the list.")
            }
            Self::NoModel => "The authenticator names no model.".into(),
            Self::Certified { level } => format!("The model is FIDO certified {level}."),
            Self::NotCertified => {
                "The metadata reports no FIDO certification for the model.".into()
            }
            Self::Compromised { reports } => format!(
                "The FIDO metadata reports the model as compromised ({}).",
                reports.join(", ")
            ),
            Self::NoRegisteredPasskey => "This sign-in did not use a registered passkey.".into(),
            Self::StepUpNotRegistered => {
                "This session's step-up did not use a registered passkey.".into()
            }
            Self::PossibleClone => "The passkey may have been copied.".into(),
        }
    }
}

/// What would satisfy a broken rule. The pages say it in their language by
/// its kind; [`Requirement::text`] is the English sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Requirement {
    Attested,
    DeviceBound,
    DeviceBoundInMetadata,
    AllowedModelAttested,
    MetadataImport,
    AllowedModel { models: Vec<String> },
    Certified { level: String },
    Uncompromised,
    CompliantSignIn,
    AnotherPasskey,
    OwnPasskey,
}

impl Requirement {
    /// The English sentence.
    pub fn text(&self) -> String {
        match self {
            Self::Attested => "Use a security key or device-bound authenticator whose attestation verifies against the imported FIDO metadata.".into(),
            Self::DeviceBound => "Use a device-bound passkey, such as a hardware security key, that never leaves the authenticator.".into(),
            Self::DeviceBoundInMetadata => "Use a device-bound passkey, such as a hardware security key, whose model is in the imported FIDO metadata.".into(),
            Self::AllowedModelAttested => "Use a security key or device-bound authenticator of an allowed model, with attestation enabled.".into(),
            Self::MetadataImport => "An administrator must import the FIDO metadata blob (latchkey metadata import) before such passkeys can be registered.".into(),
            Self::AllowedModel { models } => format!(
                "Use an attested authenticator of an allowed model: {}.",
                models.join(", ")
            ),
            Self::Certified { level } => {
                format!("Use an attested authenticator certified FIDO {level} or higher.")
            }
            Self::Uncompromised => {
                "Use an authenticator of a model without compromise reports.".into()
            }
            Self::CompliantSignIn => {
                "Sign in with a passkey that meets the application's policy.".into()
            }
            Self::AnotherPasskey => "Sign in with another passkey.".into(),
            Self::OwnPasskey => "Confirm with one of your passkeys.".into(),
        }
    }
}

/// The answer of [`evaluate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Complies,
    /// Every rule broken, in the order of [`Rule`].
    Violates(Vec<Violation>),
}

impl Verdict {
    pub fn complies(&self) -> bool {
        matches!(self, Self::Complies)
    }

    pub fn violations(&self) -> &[Violation] {
        match self {
            Self::Complies => &[],
            Self::Violates(v) => v,
        }
    }
}

/// Checks `credential` against `policy`, with `model` the metadata of the
/// credential's AAGUID if any is known.
pub fn evaluate(
    policy: &AttestationPolicy,
    credential: &CredentialFacts,
    model: Option<&ModelStatus>,
) -> Verdict {
    let rules = &policy.rules;
    let mut out = Vec::new();
    if rules.require_attestation && !credential.attested {
        out.push(Violation {
            rule: Rule::AttestationRequired,
            found: Finding::Unproven,
            required: Requirement::Attested,
        });
    }
    if rules.device_bound && credential.backup_eligible {
        out.push(Violation {
            rule: Rule::DeviceBound,
            found: Finding::Synced,
            required: Requirement::DeviceBound,
        });
    }
    if !rules.allowed_aaguids.is_empty() {
        let allowed = credential.attested
            && credential
                .aaguid
                .is_some_and(|a| rules.allowed_aaguids.contains(&a));
        if !allowed {
            let found = match (credential.attested, credential.aaguid) {
                (false, _) => Finding::Unproven,
                (true, Some(a)) => Finding::ModelNotListed {
                    aaguid: a.to_string(),
                },
                (true, None) => Finding::NoModel,
            };
            out.push(Violation {
                rule: Rule::AllowedModels,
                found,
                required: Requirement::AllowedModel {
                    models: rules.allowed_aaguids.iter().map(Uuid::to_string).collect(),
                },
            });
        }
    }
    if let Some(min) = rules.min_certification {
        let level = model.and_then(|m| m.certification_level);
        let ok = credential.attested && level.is_some_and(|l| l >= min);
        if !ok {
            let found = match (credential.attested, level) {
                (false, _) => Finding::Unproven,
                (true, Some(l)) => Finding::Certified {
                    level: l.as_str().to_owned(),
                },
                (true, None) => Finding::NotCertified,
            };
            out.push(Violation {
                rule: Rule::MinimumCertification,
                found,
                required: Requirement::Certified {
                    level: min.as_str().to_owned(),
                },
            });
        }
    }
    if rules.refuse_compromised
        && let Some(m) = model
    {
        let compromises = m.compromises();
        if !compromises.is_empty() {
            out.push(Violation {
                rule: Rule::NotCompromised,
                found: Finding::Compromised {
                    reports: compromises.iter().map(|c| (*c).to_owned()).collect(),
                },
                required: Requirement::Uncompromised,
            });
        }
    }
    if out.is_empty() {
        Verdict::Complies
    } else {
        Verdict::Violates(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: Uuid = uuid::uuid!("6d44ba9b-f6ec-2e49-b930-0c8fe920cb73");
    const OTHER: Uuid = uuid::uuid!("cb69481e-8ff7-4039-93ec-0a2729a154a8");

    fn policy(rules: PolicyRules) -> AttestationPolicy {
        AttestationPolicy {
            name: "hardware".into(),
            rules,
        }
    }

    fn attested_key() -> CredentialFacts {
        CredentialFacts {
            aaguid: Some(KEY),
            attested: true,
            backup_eligible: false,
        }
    }

    fn synced() -> CredentialFacts {
        CredentialFacts {
            aaguid: None,
            attested: false,
            backup_eligible: true,
        }
    }

    fn model(level: Option<CertificationLevel>, statuses: &[&str]) -> ModelStatus {
        ModelStatus {
            description: "Test Key".into(),
            certification_level: level,
            status_reports: statuses
                .iter()
                .map(|s| StatusReport {
                    status: (*s).to_owned(),
                    effective_date: None,
                })
                .collect(),
        }
    }

    fn rules_broken(v: &Verdict) -> Vec<Rule> {
        v.violations().iter().map(|v| v.rule).collect()
    }

    #[test]
    fn an_empty_policy_accepts_every_credential() {
        let p = policy(PolicyRules::default());
        assert!(evaluate(&p, &synced(), None).complies());
        assert!(!p.rules.needs_attestation());
    }

    #[test]
    fn attestation_required_refuses_an_unattested_credential_and_says_what_would_do() {
        let p = policy(PolicyRules {
            require_attestation: true,
            ..Default::default()
        });
        let v = evaluate(
            &p,
            &CredentialFacts {
                attested: false,
                ..attested_key()
            },
            None,
        );
        assert_eq!(rules_broken(&v), [Rule::AttestationRequired]);
        assert!(
            v.violations()[0]
                .required
                .text()
                .contains("attestation verifies")
        );
        assert!(evaluate(&p, &attested_key(), None).complies());
        assert!(p.rules.needs_attestation());
    }

    #[test]
    fn device_bound_refuses_a_backup_eligible_credential() {
        let p = policy(PolicyRules {
            device_bound: true,
            ..Default::default()
        });
        assert_eq!(
            rules_broken(&evaluate(&p, &synced(), None)),
            [Rule::DeviceBound]
        );
        let unattested_device_bound = CredentialFacts {
            aaguid: None,
            attested: false,
            backup_eligible: false,
        };
        assert!(evaluate(&p, &unattested_device_bound, None).complies());
        assert!(!p.rules.needs_attestation());
    }

    #[test]
    fn allowed_models_accept_only_an_attested_listed_aaguid() {
        let p = policy(PolicyRules {
            allowed_aaguids: vec![KEY],
            ..Default::default()
        });
        assert!(p.rules.needs_attestation());
        assert!(evaluate(&p, &attested_key(), None).complies());
        let other = CredentialFacts {
            aaguid: Some(OTHER),
            ..attested_key()
        };
        let v = evaluate(&p, &other, None);
        assert_eq!(rules_broken(&v), [Rule::AllowedModels]);
        assert!(v.violations()[0].found.text().contains(&OTHER.to_string()));
        assert!(v.violations()[0].required.text().contains(&KEY.to_string()));
        // The right AAGUID, but only claimed: not proof of the model.
        let claimed = CredentialFacts {
            attested: false,
            ..attested_key()
        };
        assert_eq!(
            rules_broken(&evaluate(&p, &claimed, None)),
            [Rule::AllowedModels]
        );
    }

    #[test]
    fn minimum_certification_compares_levels_from_the_metadata() {
        let p = policy(PolicyRules {
            min_certification: Some(CertificationLevel::L2),
            ..Default::default()
        });
        let l2 = model(Some(CertificationLevel::L2), &[]);
        let l3 = model(Some(CertificationLevel::L3), &[]);
        let l1 = model(Some(CertificationLevel::L1Plus), &[]);
        assert!(evaluate(&p, &attested_key(), Some(&l2)).complies());
        assert!(evaluate(&p, &attested_key(), Some(&l3)).complies());
        let v = evaluate(&p, &attested_key(), Some(&l1));
        assert_eq!(rules_broken(&v), [Rule::MinimumCertification]);
        assert!(v.violations()[0].found.text().contains("L1+"));
        assert!(v.violations()[0].required.text().contains("L2"));
        // No metadata, or no certification in it.
        assert!(!evaluate(&p, &attested_key(), None).complies());
        assert!(!evaluate(&p, &attested_key(), Some(&model(None, &[]))).complies());
        // Certified model, but unattested.
        let claimed = CredentialFacts {
            attested: false,
            ..attested_key()
        };
        assert!(!evaluate(&p, &claimed, Some(&l3)).complies());
    }

    #[test]
    fn refuse_compromised_refuses_every_compromise_status_and_only_those() {
        let p = policy(PolicyRules {
            refuse_compromised: true,
            ..Default::default()
        });
        assert!(!p.rules.needs_attestation());
        for status in COMPROMISE_STATUSES {
            let m = model(Some(CertificationLevel::L2), &["FIDO_CERTIFIED_L2", status]);
            let v = evaluate(&p, &attested_key(), Some(&m));
            assert_eq!(rules_broken(&v), [Rule::NotCompromised], "{status}");
            assert!(v.violations()[0].found.text().contains(status));
            // A claimed compromised model is refused too.
            let claimed = CredentialFacts {
                attested: false,
                ..attested_key()
            };
            assert!(!evaluate(&p, &claimed, Some(&m)).complies());
        }
        let fine = model(
            Some(CertificationLevel::L2),
            &["FIDO_CERTIFIED_L2", "UPDATE_AVAILABLE"],
        );
        assert!(evaluate(&p, &attested_key(), Some(&fine)).complies());
        assert!(evaluate(&p, &attested_key(), None).complies());
        // Without the rule, compromise reports are not looked at.
        let lax = policy(PolicyRules::default());
        let revoked = model(None, &["REVOKED"]);
        assert!(evaluate(&lax, &attested_key(), Some(&revoked)).complies());
    }

    #[test]
    fn every_broken_rule_is_reported_in_rule_order() {
        let p = policy(PolicyRules {
            require_attestation: true,
            device_bound: true,
            allowed_aaguids: vec![KEY],
            min_certification: Some(CertificationLevel::L1),
            refuse_compromised: true,
        });
        let revoked = model(None, &["REVOKED"]);
        let v = evaluate(&p, &synced(), Some(&revoked));
        assert_eq!(
            rules_broken(&v),
            [
                Rule::AttestationRequired,
                Rule::DeviceBound,
                Rule::AllowedModels,
                Rule::MinimumCertification,
                Rule::NotCompromised,
            ]
        );
        let l1 = model(Some(CertificationLevel::L1), &[]);
        assert!(evaluate(&p, &attested_key(), Some(&l1)).complies());
    }

    #[test]
    fn rules_serialise_and_come_back_unchanged() {
        let rules = PolicyRules {
            require_attestation: true,
            device_bound: true,
            allowed_aaguids: vec![KEY, OTHER],
            min_certification: Some(CertificationLevel::L2Plus),
            refuse_compromised: true,
        };
        let json = serde_json::to_string(&rules).unwrap();
        assert_eq!(serde_json::from_str::<PolicyRules>(&json).unwrap(), rules);
    }
}
