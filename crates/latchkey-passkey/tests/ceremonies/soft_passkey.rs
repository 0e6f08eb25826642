//! webauthn-authenticator-rs's `SoftPasskey`: non-discoverable credentials.

use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::AllowCredentials;

use super::*;

/// SoftPasskey refuses `requireResidentKey`; a browser in front of such an
/// authenticator would still create a non-discoverable key.
fn non_resident(options: serde_json::Value) -> CreationChallengeResponse {
    let mut ccr: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    let selection = ccr.public_key.authenticator_selection.as_mut().unwrap();
    selection.require_resident_key = false;
    selection.resident_key = None;
    ccr
}

#[test]
fn soft_passkey_registration_round_trips() {
    let rp = rp();
    let alice = user("alice");
    let (options, state) = rp
        .start_registration(&alice, &[], &RegistrationPolicy::none())
        .unwrap();
    let mut token = SoftPasskey::new(true);
    let response = browser_create(&mut token, non_resident(options));
    let new = rp
        .finish_registration(
            &serde_json::to_string(&response).unwrap(),
            stored_state(&state),
        )
        .unwrap();
    assert_eq!(new.owner, alice.id);
    assert_eq!(new.credential_id, response.raw_id);
    assert!(!new.backup_eligible);
    assert_eq!(new.discoverable, None, "the client reported no credProps");
}

#[test]
fn non_discoverable_passkey_cannot_sign_in_without_a_user_handle() {
    let rp = rp();
    let alice = user("alice");
    let (options, state) = rp
        .start_registration(&alice, &[], &RegistrationPolicy::none())
        .unwrap();
    let mut token = SoftPasskey::new(true);
    let reg = browser_create(&mut token, non_resident(options));
    let new = rp
        .finish_registration(&serde_json::to_string(&reg).unwrap(), state)
        .unwrap();

    // SoftPasskey needs allowCredentials to find its key; even then it
    // sends no user handle, which a discoverable sign-in cannot do without.
    let (options, state) = rp.start_authentication().unwrap();
    let mut rcr: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    rcr.public_key.allow_credentials = vec![AllowCredentials {
        type_: "public-key".into(),
        id: new.credential_id.clone(),
        transports: None,
    }];
    let response = browser_get(&mut token, rcr);
    let json = serde_json::to_string(&response).unwrap();
    let err = rp.identify(&json).unwrap_err();
    assert!(matches!(err, PasskeyError::UserHandleMissing), "{err:?}");
    let err = rp
        .finish_authentication(&json, state, &stored(&new))
        .unwrap_err();
    assert_eq!(err.reason_code(), "user_handle_missing");
}
