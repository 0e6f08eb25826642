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
