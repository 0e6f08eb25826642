//! Assertions bound to a decision: the challenge carries the caller's
//! binding, the verified assertion gives it back, and a response signed over
//! another binding does not pass for this one.

use latchkey_passkey::BoundAuthenticationState;
use latchkey_passkey::bound::{BINDING_LEN, NONCE_LEN};

use super::*;

const BINDING_A: [u8; 32] = [0xA1; 32];
const BINDING_B: [u8; 32] = [0xB2; 32];

fn bound_options(
    rp: &RelyingParty,
    binding: &[u8; 32],
    passkeys: &[StoredPasskey],
) -> (serde_json::Value, BoundAuthenticationState) {
    let (options, state) = rp.start_bound_authentication(binding, passkeys).unwrap();
    (options, stored_state(&state))
}

fn challenge_of(options: &serde_json::Value) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(options["publicKey"]["challenge"].as_str().unwrap())
        .unwrap()
}

/// Alice with one registered passkey.
fn alice(rp: &RelyingParty) -> (SoftAuthenticator, StoredPasskey) {
    let mut auth = SoftAuthenticator::new();
    let new = register(rp, &mut auth, &user("alice"));
    (auth, stored(&new))
}

#[test]
fn bound_challenge_is_the_binding_then_sixteen_random_bytes_for_the_accounts_passkeys_only() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let first = stored(&register(&rp, &mut auth, &user("alice")));
    let (options, _) = bound_options(&rp, &BINDING_A, std::slice::from_ref(&first));
    let challenge = challenge_of(&options);
    assert_eq!(challenge.len(), BINDING_LEN + NONCE_LEN);
    assert_eq!(challenge[..BINDING_LEN], BINDING_A);
    let pk = &options["publicKey"];
    assert_eq!(pk["userVerification"], "required");
    assert_eq!(pk["rpId"], RP_ID);
    assert!(!options.to_string().contains("uvm"), "{options}");
    assert!(options.get("mediation").is_none_or(|m| m.is_null()));
    let allowed: Vec<&str> = pk["allowCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        allowed,
        vec![b64(auth.last_credential_id().unwrap().as_slice())]
    );

    // The same binding twice: the random half differs.
    let (again, _) = bound_options(&rp, &BINDING_A, &[first]);
    let again = challenge_of(&again);
    assert_eq!(again[..BINDING_LEN], BINDING_A);
    assert_ne!(again[BINDING_LEN..], challenge[BINDING_LEN..]);
}

#[test]
fn a_bound_assertion_gives_back_the_binding_it_was_signed_over() {
    let rp = rp();
    let (mut auth, stored) = alice(&rp);
    let (options, state) = bound_options(&rp, &BINDING_A, std::slice::from_ref(&stored));
    let response = auth.authenticate(&options, ORIGIN).to_string();
    let bound = rp
        .finish_bound_authentication(&response, state, &stored)
        .unwrap();
    assert_eq!(bound.bound_digest, BINDING_A);
    assert_eq!(bound.outcome.user_id, stored.owner);
    assert!(bound.outcome.user_verified);
    assert_eq!(bound.outcome.sign_count, 2);

    // Another binding, another digest.
    let stored = updated(&stored, &bound.outcome);
    let (options, state) = bound_options(&rp, &BINDING_B, std::slice::from_ref(&stored));
    let response = auth.authenticate(&options, ORIGIN).to_string();
    let other = rp
        .finish_bound_authentication(&response, state, &stored)
        .unwrap();
    assert_eq!(other.bound_digest, BINDING_B);
}

#[test]
fn a_response_signed_over_another_binding_is_refused() {
    let rp = rp();
    let (mut auth, stored) = alice(&rp);
    let (_, state_a) = bound_options(&rp, &BINDING_A, std::slice::from_ref(&stored));
    let (options_b, _) = bound_options(&rp, &BINDING_B, std::slice::from_ref(&stored));
    let signed_for_b = auth.authenticate(&options_b, ORIGIN).to_string();
    let err = rp
        .finish_bound_authentication(&signed_for_b, state_a, &stored)
        .unwrap_err();
    assert!(matches!(err, PasskeyError::ChallengeMismatch), "{err:?}");
}

#[test]
fn client_data_rewritten_to_another_binding_breaks_the_signature() {
    let rp = rp();
    let (mut auth, stored) = alice(&rp);
    let (options_a, _) = bound_options(&rp, &BINDING_A, std::slice::from_ref(&stored));
    let (options_b, state_b) = bound_options(&rp, &BINDING_B, std::slice::from_ref(&stored));
    let mut response = auth.authenticate(&options_a, ORIGIN);
    // Move the assertion made for A onto B's ceremony: the client data now
    // names B's challenge, but the signature was made over A's.
    let client_data = URL_SAFE_NO_PAD
        .decode(response["response"]["clientDataJSON"].as_str().unwrap())
        .unwrap();
    let rewritten = String::from_utf8(client_data).unwrap().replace(
        options_a["publicKey"]["challenge"].as_str().unwrap(),
        options_b["publicKey"]["challenge"].as_str().unwrap(),
    );
    response["response"]["clientDataJSON"] = b64(rewritten.as_bytes()).into();
    let err = rp
        .finish_bound_authentication(&response.to_string(), state_b, &stored)
        .unwrap_err();
    assert!(
        matches!(err, PasskeyError::SignatureInvalid { .. }),
        "{err:?}"
    );
}

#[test]
fn a_passkey_the_ceremony_did_not_name_is_refused() {
    let rp = rp();
    let (_, alices) = alice(&rp);
    let mut bobs_auth = SoftAuthenticator::new();
    let bobs = stored(&register(&rp, &mut bobs_auth, &user("bob")));
    let (mut options, state) = bound_options(&rp, &BINDING_A, &[alices]);
    // A browser that ignored allowCredentials.
    options["publicKey"]["allowCredentials"] = serde_json::json!([]);
    let response = bobs_auth.authenticate(&options, ORIGIN).to_string();
    let err = rp
        .finish_bound_authentication(&response, state, &bobs)
        .unwrap_err();
    assert!(matches!(err, PasskeyError::UnknownCredential), "{err:?}");
}

#[test]
fn a_user_handle_may_be_left_out_but_never_name_another_account() {
    let rp = rp();
    let (mut auth, stored) = alice(&rp);
    let (options, state) = bound_options(&rp, &BINDING_A, std::slice::from_ref(&stored));
    auth.present_user_handle_next(None);
    let response = auth.authenticate(&options, ORIGIN).to_string();
    let bound = rp
        .finish_bound_authentication(&response, state, &stored)
        .unwrap();
    assert_eq!(bound.bound_digest, BINDING_A);

    let stored = updated(&stored, &bound.outcome);
    let (options, state) = bound_options(&rp, &BINDING_A, std::slice::from_ref(&stored));
    auth.present_user_handle_next(Some(UserId::new().as_uuid().as_bytes().to_vec()));
    let response = auth.authenticate(&options, ORIGIN).to_string();
    let err = rp
        .finish_bound_authentication(&response, state, &stored)
        .unwrap_err();
    assert!(matches!(err, PasskeyError::UserHandleMismatch), "{err:?}");
}

#[test]
fn a_bound_assertion_without_user_verification_is_refused() {
    let rp = rp();
    let (mut auth, stored) = alice(&rp);
    let (options, state) = bound_options(&rp, &BINDING_A, std::slice::from_ref(&stored));
    auth.user_verified = false;
    let response = auth.authenticate(&options, ORIGIN).to_string();
    let err = rp
        .finish_bound_authentication(&response, state, &stored)
        .unwrap_err();
    assert_eq!(err.reason_code(), "user_verification_missing");
}

#[test]
fn a_bound_ceremony_needs_at_least_one_passkey() {
    let err = rp()
        .start_bound_authentication(&BINDING_A, &[])
        .unwrap_err();
    assert!(matches!(err, PasskeyError::UnknownCredential), "{err:?}");
}
