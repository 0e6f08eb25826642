//! An attestation policy's refusal in the page's language: what a passkey
//! was found to be, and what would satisfy the policy.

use latchkey_i18n::{Arg, Locale, msg};
use latchkey_passkey::{Finding, Requirement, Violation};

/// `(what was found, what would comply)` in `locale`.
pub fn violation(locale: Locale, v: &Violation) -> (String, String) {
    (finding(locale, &v.found), requirement(locale, &v.required))
}

fn finding(l: Locale, f: &Finding) -> String {
    match f {
        Finding::Unproven => l.t(msg("violation-found-unproven")),
        Finding::Synced => l.t(msg("violation-found-synced")),
        Finding::SyncedUnattestable => l.t(msg("violation-found-synced-unattestable")),
        Finding::AttestationUnverified => l.t(msg("violation-found-attestation-unverified")),
        Finding::NoTrustedModels => l.t(msg("violation-found-no-trusted-models")),
        Finding::ModelNotListed { aaguid } => l.format(
            msg("violation-found-model-not-listed"),
            &[("aaguid", Arg::from(aaguid))],
        ),
        Finding::NoModel => l.t(msg("violation-found-no-model")),
        Finding::Certified { level } => l.format(
            msg("violation-found-certified"),
            &[("level", Arg::from(level))],
        ),
        Finding::NotCertified => l.t(msg("violation-found-not-certified")),
        Finding::Compromised { reports } => l.format(
            msg("violation-found-compromised"),
            &[("reports", Arg::from(reports.join(", ")))],
        ),
        Finding::NoRegisteredPasskey => l.t(msg("violation-found-no-registered-passkey")),
        Finding::StepUpNotRegistered => l.t(msg("violation-found-step-up-not-registered")),
        Finding::PossibleClone => l.t(msg("violation-found-possible-clone")),
    }
}

fn requirement(l: Locale, r: &Requirement) -> String {
    match r {
        Requirement::Attested => l.t(msg("violation-required-attested")),
        Requirement::DeviceBound => l.t(msg("violation-required-device-bound")),
        Requirement::DeviceBoundInMetadata => {
            l.t(msg("violation-required-device-bound-in-metadata"))
        }
        Requirement::AllowedModelAttested => l.t(msg("violation-required-allowed-model-attested")),
        Requirement::MetadataImport => l.t(msg("violation-required-metadata-import")),
        Requirement::AllowedModel { models } => l.format(
            msg("violation-required-allowed-model"),
            &[("models", Arg::from(models.join(", ")))],
        ),
        Requirement::Certified { level } => l.format(
            msg("violation-required-certified"),
            &[("level", Arg::from(level))],
        ),
        Requirement::Uncompromised => l.t(msg("violation-required-uncompromised")),
        Requirement::CompliantSignIn => l.t(msg("violation-required-compliant-sign-in")),
        Requirement::AnotherPasskey => l.t(msg("violation-required-another-passkey")),
        Requirement::OwnPasskey => l.t(msg("violation-required-own-passkey")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every() -> Vec<(Finding, Requirement)> {
        let s = |t: &str| t.to_owned();
        vec![
            (Finding::Unproven, Requirement::Attested),
            (Finding::Synced, Requirement::DeviceBound),
            (
                Finding::SyncedUnattestable,
                Requirement::DeviceBoundInMetadata,
            ),
            (
                Finding::AttestationUnverified,
                Requirement::AllowedModelAttested,
            ),
            (Finding::NoTrustedModels, Requirement::MetadataImport),
            (
                Finding::ModelNotListed { aaguid: s("a-b") },
                Requirement::AllowedModel {
                    models: vec![s("x"), s("y")],
                },
            ),
            (Finding::NoModel, Requirement::Uncompromised),
            (
                Finding::Certified { level: s("L1") },
                Requirement::Certified { level: s("L2") },
            ),
            (Finding::NotCertified, Requirement::CompliantSignIn),
            (
                Finding::Compromised {
                    reports: vec![s("REVOKED"), s("USER_VERIFICATION_BYPASS")],
                },
                Requirement::AnotherPasskey,
            ),
            (Finding::NoRegisteredPasskey, Requirement::OwnPasskey),
            (Finding::StepUpNotRegistered, Requirement::OwnPasskey),
            (Finding::PossibleClone, Requirement::OwnPasskey),
        ]
    }

    #[test]
    fn every_finding_and_requirement_reads_in_english_as_the_policy_words_it_and_is_translated() {
        for (f, r) in every() {
            let v = Violation {
                rule: latchkey_passkey::Rule::DeviceBound,
                found: f.clone(),
                required: r.clone(),
            };
            assert_eq!(
                violation(Locale::DEFAULT, &v),
                (f.text(), r.text()),
                "{f:?} {r:?}"
            );
            for code in ["de", "ar"] {
                let (found, required) = violation(Locale::from_code(code).unwrap(), &v);
                assert_ne!(found, f.text(), "{f:?} in {code}");
                assert_ne!(required, r.text(), "{r:?} in {code}");
                assert!(!found.contains('{') && !required.contains('{'), "{code}");
            }
        }
    }
}
