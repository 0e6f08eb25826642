//! Direct attestation, with webauthn-authenticator-rs's `SoftToken` (packed
//! attestation under its own CA).

use crypto_glue::traits::EncodeDer;

use webauthn_authenticator_rs::softtoken::{AAGUID as SOFTTOKEN_AAGUID, SoftToken};

use latchkey_passkey::AttestationTrust;

use super::*;

fn token_and_trust() -> (SoftToken, AttestationTrust) {
    let (token, ca) = SoftToken::new(true).unwrap();
    let trust = AttestationTrust::new()
        .allow(&ca.to_der().unwrap(), SOFTTOKEN_AAGUID, "SoftToken")
        .unwrap();
    (token, trust)
}

fn register_with(
    token: &mut SoftToken,
    policy: &RegistrationPolicy,
) -> Result<NewPasskey, PasskeyError> {
    let rp = rp();
    let (options, state) = rp.start_registration(&user("dora"), &[], policy).unwrap();
    assert_eq!(options["publicKey"]["attestation"], "direct");
    let mut ccr: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    // SoftToken cannot hold resident keys.
    let selection = ccr.public_key.authenticator_selection.as_mut().unwrap();
    selection.require_resident_key = false;
    selection.resident_key = None;
    let response = browser_create(token, ccr);
    rp.finish_registration(
        &serde_json::to_string(&response).unwrap(),
        stored_state(&state),
    )
}

#[test]
fn direct_attestation_from_a_trusted_model_is_recorded_as_attested() {
    let (mut token, trust) = token_and_trust();
    let new = register_with(&mut token, &RegistrationPolicy::direct(trust)).unwrap();
    assert!(new.attested);
    assert_eq!(new.attestation_format.as_deref(), Some("packed"));
    assert_eq!(new.aaguid, Some(SOFTTOKEN_AAGUID.to_string()));
    assert!(!new.backup_eligible);
}

#[test]
fn direct_attestation_is_refused_when_the_ca_is_not_trusted() {
    let (mut token, _) = token_and_trust();
    let (_, other_trust) = token_and_trust();
    let err = register_with(&mut token, &RegistrationPolicy::direct(other_trust)).unwrap_err();
    assert!(
        matches!(err, PasskeyError::AttestationRefused { .. }),
        "{err:?}"
    );
}

#[test]
fn direct_attestation_is_refused_when_the_model_is_not_allowlisted() {
    let (mut token, ca) = SoftToken::new(true).unwrap();
    let trust = AttestationTrust::new()
        .allow(&ca.to_der().unwrap(), ICLOUD, "not this model")
        .unwrap();
    let err = register_with(&mut token, &RegistrationPolicy::direct(trust)).unwrap_err();
    assert_eq!(err.reason_code(), "attestation_refused");
}

#[test]
fn direct_attestation_policy_refuses_a_passkey_without_attestation() {
    let (_, trust) = token_and_trust();
    let rp = rp();
    let (options, state) = rp
        .start_registration(&user("eve"), &[], &RegistrationPolicy::direct(trust))
        .unwrap();
    let response = SoftAuthenticator::synced().register(&options, ORIGIN);
    let err = rp
        .finish_registration(&response.to_string(), state)
        .unwrap_err();
    assert_eq!(err.reason_code(), "attestation_refused", "{err:?}");
}

#[test]
fn trust_refuses_a_certificate_that_is_not_der() {
    let err = AttestationTrust::new()
        .allow(b"not a certificate", SOFTTOKEN_AAGUID, "Broken")
        .unwrap_err();
    assert!(err.to_string().contains("Broken"));
}

#[test]
fn an_attested_passkey_names_the_root_its_chain_verifies_to() {
    let (mut token, ca) = SoftToken::new(true).unwrap();
    let ca_der = ca.to_der().unwrap();
    let trust = AttestationTrust::new()
        .allow(&ca_der, SOFTTOKEN_AAGUID, "SoftToken")
        .unwrap();
    let new = register_with(&mut token, &RegistrationPolicy::direct(trust)).unwrap();
    let (_, other_ca) = SoftToken::new(true).unwrap();
    let other_der = other_ca.to_der().unwrap();

    let root = new
        .attestation_root(&[other_der.clone(), ca_der.clone()])
        .expect("the chain verifies to the token's CA");
    let digest = ring::digest::digest(&ring::digest::SHA256, &ca_der);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(root.sha256, hex);
    assert!(!root.subject.is_empty());
    assert_eq!(new.attestation_root(&[other_der]), None);
    assert_eq!(new.attestation_root(&[b"junk".to_vec()]), None);
}

#[test]
fn the_policies_a_registration_starts_under_come_back_with_the_passkey() {
    use latchkey_passkey::{AttestationPolicy, PolicyRules};
    let policy = AttestationPolicy {
        name: "hardware".into(),
        rules: PolicyRules {
            device_bound: true,
            ..PolicyRules::default()
        },
    };
    let rp = rp();
    let (options, state) = rp
        .start_registration(
            &user("pat"),
            &[],
            &RegistrationPolicy::none().with_policies(vec![policy.clone()]),
        )
        .unwrap();
    let state = stored_state(&state);
    assert_eq!(state.policies(), std::slice::from_ref(&policy));
    let response = SoftAuthenticator::new().register(&options, ORIGIN);
    let new = rp
        .finish_registration(&response.to_string(), state)
        .unwrap();
    assert_eq!(new.policies, [policy]);
    // An unattested passkey has no attestation root.
    assert_eq!(new.attestation_root(&[vec![1, 2, 3]]), None);
}
