//! Every way a sign-in is refused, each with its precise error.

use super::*;

/// Registers alice's passkey, then signs in once with `configure` applied.
fn sign_in_error(configure: impl FnOnce(&mut SoftAuthenticator), origin: &str) -> PasskeyError {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let new = register(&rp, &mut auth, &user("alice"));
    configure(&mut auth);
    let (options, state) = sign_in_options(&rp);
    let response = auth.authenticate(&options, origin).to_string();
    rp.finish_authentication(&response, state, &stored(&new))
        .unwrap_err()
}

#[test]
fn sign_in_is_refused_from_another_origin() {
    let err = sign_in_error(|_| {}, "https://evil.com");
    assert!(matches!(err, PasskeyError::OriginMismatch), "{err:?}");
    let err = sign_in_error(|_| {}, "http://id.example.com");
    assert_eq!(err.reason_code(), "origin_mismatch");
}

#[test]
fn sign_in_is_refused_for_another_rp_id() {
    let err = sign_in_error(|a| a.use_rp_id_next("evil.com"), ORIGIN);
    assert!(matches!(err, PasskeyError::RpIdMismatch), "{err:?}");
}

#[test]
fn sign_in_is_refused_without_user_verification() {
    let err = sign_in_error(|a| a.user_verified = false, ORIGIN);
    assert!(
        matches!(err, PasskeyError::UserVerificationMissing),
        "{err:?}"
    );
    assert_eq!(err.reason_code(), "user_verification_missing");
}

#[test]
fn sign_in_is_refused_with_a_tampered_signature() {
    let err = sign_in_error(|a| a.tamper_next_signature(), ORIGIN);
    assert!(
        matches!(err, PasskeyError::SignatureInvalid { .. }),
        "{err:?}"
    );
    assert_eq!(err.reason_code(), "signature_invalid");
}

#[test]
fn sign_in_is_refused_when_a_device_bound_key_turns_backup_eligible() {
    let err = sign_in_error(|a| a.backup_eligible = true, ORIGIN);
    assert!(
        matches!(err, PasskeyError::BackupFlagsInconsistent),
        "{err:?}"
    );
    let err = sign_in_error(|a| a.backup_state = true, ORIGIN);
    assert_eq!(err.reason_code(), "backup_flags_inconsistent");
}

#[test]
fn sign_in_is_refused_for_a_response_to_another_challenge() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let new = register(&rp, &mut auth, &user("alice"));
    let (first, _) = sign_in_options(&rp);
    let (_, second_state) = sign_in_options(&rp);
    let response = auth.authenticate(&first, ORIGIN).to_string();
    let err = rp
        .finish_authentication(&response, second_state, &stored(&new))
        .unwrap_err();
    assert!(matches!(err, PasskeyError::ChallengeMismatch), "{err:?}");
}

#[test]
fn replayed_sign_in_with_a_copied_state_is_refused_by_the_counter() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let new = register(&rp, &mut auth, &user("alice"));
    let stored = stored(&new);
    let (options, state) = rp.start_authentication().unwrap();
    let state_json = serde_json::to_string(&state).unwrap();
    let response = auth.authenticate(&options, ORIGIN).to_string();
    let outcome = rp.finish_authentication(&response, state, &stored).unwrap();
    let stored = updated(&stored, &outcome);

    // A session store that failed to take the state once would let this
    // through; the counter is the last line.
    let copy: AuthenticationState = serde_json::from_str(&state_json).unwrap();
    let err = rp
        .finish_authentication(&response, copy, &stored)
        .unwrap_err();
    assert!(
        matches!(
            err,
            PasskeyError::CounterRegression {
                stored: 2,
                presented: 2
            }
        ),
        "{err:?}"
    );
}

#[test]
fn replay_of_a_zero_counter_passkey_is_not_detected_here_so_state_must_be_single_use() {
    // Documents the boundary: for synced passkeys (counter always 0) only the
    // session store's single-use take stops a replayed response.
    let rp = rp();
    let mut auth = SoftAuthenticator::synced();
    let new = register(&rp, &mut auth, &user("alice"));
    let (options, state) = rp.start_authentication().unwrap();
    let state_json = serde_json::to_string(&state).unwrap();
    let response = auth.authenticate(&options, ORIGIN).to_string();
    rp.finish_authentication(&response, state, &stored(&new))
        .unwrap();
    let copy: AuthenticationState = serde_json::from_str(&state_json).unwrap();
    assert!(
        rp.finish_authentication(&response, copy, &stored(&new))
            .is_ok()
    );
}

#[test]
fn sign_in_is_refused_when_the_counter_goes_back() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let new = register(&rp, &mut auth, &user("alice"));
    let first = sign_in(&rp, &mut auth, &stored(&new)).unwrap();
    assert_eq!(first.sign_count, 2);
    let stored = updated(&stored(&new), &first);

    // A clone that lags behind.
    auth.set_counter(&new.credential_id, 0);
    let err = sign_in(&rp, &mut auth, &stored).unwrap_err();
    assert!(
        matches!(
            err,
            PasskeyError::CounterRegression {
                stored: 2,
                presented: 1
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.reason_code(), "counter_regression");

    // An equal counter is a regression too.
    auth.set_counter(&new.credential_id, 1);
    let err = sign_in(&rp, &mut auth, &stored).unwrap_err();
    assert!(matches!(
        err,
        PasskeyError::CounterRegression {
            stored: 2,
            presented: 2
        }
    ));
}

#[test]
fn sign_in_counter_check_uses_the_stored_column_when_it_is_ahead_of_the_json() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let new = register(&rp, &mut auth, &user("alice"));
    let stored = StoredPasskey {
        sign_count: 10,
        ..stored(&new)
    };
    let err = sign_in(&rp, &mut auth, &stored).unwrap_err();
    assert!(
        matches!(
            err,
            PasskeyError::CounterRegression {
                stored: 10,
                presented: 2
            }
        ),
        "{err:?}"
    );
}

#[test]
fn sign_in_with_anothers_user_handle_is_refused() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let alice = user("alice");
    let bob = user("bob");
    let alice_key = register(&rp, &mut auth, &alice);
    let bob_key = register(&rp, &mut auth, &bob);

    // Alice's credential, presented with Bob's user handle.
    auth.present_user_handle_next(Some(bob.id.as_uuid().as_bytes().to_vec()));
    let (options, state) = sign_in_options(&rp);
    let response = auth
        .authenticate_with(&options, ORIGIN, &alice_key.credential_id)
        .to_string();
    let who = rp.identify(&response).unwrap();
    assert_eq!(who.user_id, bob.id, "identify only reads the claim");
    assert_eq!(who.credential_id, alice_key.credential_id);

    // Loaded by credential id, the passkey's owner is Alice: refused.
    let err = rp
        .finish_authentication(&response, stored_state(&state), &stored(&alice_key))
        .unwrap_err();
    assert!(matches!(err, PasskeyError::UserHandleMismatch), "{err:?}");
    assert_eq!(err.reason_code(), "user_handle_mismatch");

    // Loaded by the claimed user instead (wrong, but it must still fail).
    let err = rp
        .finish_authentication(&response, state, &stored(&bob_key))
        .unwrap_err();
    assert!(matches!(err, PasskeyError::UnknownCredential), "{err:?}");
}

#[test]
fn sign_in_without_a_user_handle_is_refused() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let new = register(&rp, &mut auth, &user("alice"));
    auth.present_user_handle_next(None);
    let (options, state) = sign_in_options(&rp);
    let response = auth.authenticate(&options, ORIGIN).to_string();
    assert!(matches!(
        rp.identify(&response),
        Err(PasskeyError::UserHandleMissing)
    ));
    let err = rp
        .finish_authentication(&response, state, &stored(&new))
        .unwrap_err();
    assert!(matches!(err, PasskeyError::UserHandleMissing), "{err:?}");
}

#[test]
fn sign_in_with_a_user_handle_that_is_not_ours_is_unknown() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    register(&rp, &mut auth, &user("alice"));
    auth.present_user_handle_next(Some(b"not-a-uuid".to_vec()));
    let (options, _) = sign_in_options(&rp);
    let response = auth.authenticate(&options, ORIGIN).to_string();
    let err = rp.identify(&response).unwrap_err();
    assert!(matches!(err, PasskeyError::UnknownCredential), "{err:?}");
}

#[test]
fn sign_in_of_malformed_json_is_refused() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let new = register(&rp, &mut auth, &user("alice"));
    for junk in ["", "[]", "{\"id\": 3}", "null"] {
        let (_, state) = sign_in_options(&rp);
        let err = rp
            .finish_authentication(junk, state, &stored(&new))
            .unwrap_err();
        assert!(
            matches!(err, PasskeyError::MalformedResponse { .. }),
            "{junk}: {err:?}"
        );
        assert_eq!(
            rp.identify(junk).unwrap_err().reason_code(),
            "malformed_response"
        );
    }
    // A registration response is not a sign-in response.
    let (options, _) = rp
        .start_registration(&user("bob"), &[], &RegistrationPolicy::none())
        .unwrap();
    let registration = auth.register(&options, ORIGIN).to_string();
    let (_, state) = sign_in_options(&rp);
    let err = rp
        .finish_authentication(&registration, state, &stored(&new))
        .unwrap_err();
    assert_eq!(err.reason_code(), "malformed_response");
}

#[test]
fn sign_in_with_unreadable_stored_passkey_is_an_internal_error() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let new = register(&rp, &mut auth, &user("alice"));
    let broken = StoredPasskey {
        passkey_json: "{}".into(),
        ..stored(&new)
    };
    let err = sign_in(&rp, &mut auth, &broken).unwrap_err();
    assert!(err.is_internal(), "{err:?}");
    assert_eq!(err.reason_code(), "internal");
}

#[test]
fn sign_in_at_a_localhost_relying_party_works_over_http() {
    let origin = "http://localhost:8080";
    let rp = RpConfig::new("localhost", "Dev", &[Url::parse(origin).unwrap()]).unwrap();
    let mut auth = SoftAuthenticator::new();
    let alice = user("alice");
    let (options, state) = rp
        .start_registration(&alice, &[], &RegistrationPolicy::none())
        .unwrap();
    let new = rp
        .finish_registration(&auth.register(&options, origin).to_string(), state)
        .unwrap();
    let (options, state) = rp.start_authentication().unwrap();
    let response = auth.authenticate(&options, origin).to_string();
    let outcome = rp
        .finish_authentication(&response, state, &stored(&new))
        .unwrap();
    assert_eq!(outcome.user_id, alice.id);
}

#[test]
fn sign_in_is_refused_from_a_cross_origin_frame() {
    let err = sign_in_error(|a| a.cross_origin_next(), ORIGIN);
    assert!(matches!(err, PasskeyError::CrossOrigin), "{err:?}");
    assert_eq!(err.reason_code(), "cross_origin");
}

#[test]
fn sign_in_is_refused_under_a_foreign_top_origin() {
    let err = sign_in_error(|a| a.top_origin_next("https://evil.example"), ORIGIN);
    assert!(matches!(err, PasskeyError::TopOriginMismatch), "{err:?}");
    assert_eq!(err.reason_code(), "top_origin_mismatch");
}

#[test]
fn sign_in_is_refused_when_the_origin_has_a_trailing_slash_or_a_path() {
    for origin in ["https://id.example.com/", "https://id.example.com/signin"] {
        let err = sign_in_error(|_| {}, origin);
        assert_eq!(err.reason_code(), "origin_mismatch", "{origin}");
    }
}

#[test]
fn sign_in_from_a_top_level_page_of_the_origin_is_accepted_with_top_origin() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let new = register(&rp, &mut auth, &user("alice"));
    auth.top_origin_next(ORIGIN);
    let (options, state) = sign_in_options(&rp);
    let response = auth.authenticate(&options, ORIGIN).to_string();
    rp.finish_authentication(&response, state, &stored(&new))
        .unwrap();
}
