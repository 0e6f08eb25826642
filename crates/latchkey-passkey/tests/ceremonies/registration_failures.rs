//! Every way a registration is refused, each with its precise error.

use super::soft_authenticator::SoftAuthenticatorError;
use super::*;

fn registration_error(
    configure: impl FnOnce(&mut SoftAuthenticator),
    origin: &str,
) -> PasskeyError {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    configure(&mut auth);
    let (options, state) = rp
        .start_registration(&user("mallory"), &[], &RegistrationPolicy::none())
        .unwrap();
    let response = auth.register(&options, origin);
    rp.finish_registration(&response.to_string(), state)
        .unwrap_err()
}

#[test]
fn registration_is_refused_from_another_origin() {
    let err = registration_error(|_| {}, "https://evil.com");
    assert!(matches!(err, PasskeyError::OriginMismatch), "{err:?}");
    // Origins match exactly: another port of the right host is another origin.
    let err = registration_error(|_| {}, "https://id.example.com:8443");
    assert_eq!(err.reason_code(), "origin_mismatch");
}

#[test]
fn registration_is_refused_for_another_rp_id() {
    let err = registration_error(|a| a.use_rp_id_next("evil.com"), ORIGIN);
    assert!(matches!(err, PasskeyError::RpIdMismatch), "{err:?}");
}

#[test]
fn registration_is_refused_without_user_verification() {
    let err = registration_error(|a| a.user_verified = false, ORIGIN);
    assert!(
        matches!(err, PasskeyError::UserVerificationMissing),
        "{err:?}"
    );
}

#[test]
fn registration_is_refused_without_user_presence() {
    let err = registration_error(|a| a.user_present = false, ORIGIN);
    assert_eq!(err.reason_code(), "user_presence_missing");
}

#[test]
fn registration_is_refused_when_backed_up_but_not_backup_eligible() {
    let err = registration_error(|a| a.backup_state = true, ORIGIN);
    assert!(
        matches!(err, PasskeyError::BackupFlagsInconsistent),
        "{err:?}"
    );
}

#[test]
fn registration_is_refused_when_the_browser_reports_a_non_discoverable_key() {
    let err = registration_error(|a| a.reports_discoverable = Some(false), ORIGIN);
    assert!(matches!(err, PasskeyError::NotDiscoverable), "{err:?}");
}

#[test]
fn registration_is_refused_for_a_response_to_another_challenge() {
    let rp = rp();
    let alice = user("alice");
    let mut auth = SoftAuthenticator::new();
    let (first, _first_state) = rp
        .start_registration(&alice, &[], &RegistrationPolicy::none())
        .unwrap();
    let (_second, second_state) = rp
        .start_registration(&alice, &[], &RegistrationPolicy::none())
        .unwrap();
    let response = auth.register(&first, ORIGIN);
    let err = rp
        .finish_registration(&response.to_string(), second_state)
        .unwrap_err();
    assert!(matches!(err, PasskeyError::ChallengeMismatch), "{err:?}");
}

#[test]
fn registration_of_an_excluded_credential_is_refused() {
    let rp = rp();
    let alice = user("alice");
    let mut auth = SoftAuthenticator::new();
    let first = register(&rp, &mut auth, &alice);

    let (options, state) = rp
        .start_registration(
            &alice,
            std::slice::from_ref(&first.credential_id),
            &RegistrationPolicy::none(),
        )
        .unwrap();
    // An honest authenticator refuses in the browser (InvalidStateError)...
    assert_eq!(
        auth.try_register(&options, ORIGIN).unwrap_err(),
        SoftAuthenticatorError::Excluded
    );
    // ...and a forged client re-registering it is refused by the server.
    auth.reuse_credential_next(&first.credential_id);
    let response = auth.register(&options, ORIGIN);
    let err = rp
        .finish_registration(&response.to_string(), state)
        .unwrap_err();
    assert!(matches!(err, PasskeyError::CredentialExcluded), "{err:?}");
}

#[test]
fn registration_of_malformed_json_is_refused() {
    let rp = rp();
    for junk in [
        "{not json",
        "{}",
        r#"{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"AAAA"}}"#,
    ] {
        let (_, state) = rp
            .start_registration(&user("x"), &[], &RegistrationPolicy::none())
            .unwrap();
        let err = rp.finish_registration(junk, state).unwrap_err();
        assert!(
            matches!(err, PasskeyError::MalformedResponse { .. }),
            "{junk}: {err:?}"
        );
    }
}

#[test]
fn registration_is_refused_for_a_sign_in_response() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    register(&rp, &mut auth, &user("alice"));
    let (options, _) = sign_in_options(&rp);
    let assertion = auth.authenticate(&options, ORIGIN).to_string();
    let (_, state) = rp
        .start_registration(&user("alice"), &[], &RegistrationPolicy::none())
        .unwrap();
    let err = rp.finish_registration(&assertion, state).unwrap_err();
    assert_eq!(err.reason_code(), "malformed_response");
}

#[test]
fn registration_is_refused_from_a_cross_origin_frame() {
    let err = registration_error(|a| a.cross_origin_next(), ORIGIN);
    assert!(matches!(err, PasskeyError::CrossOrigin), "{err:?}");
    assert_eq!(err.reason_code(), "cross_origin");
}

#[test]
fn registration_is_refused_under_a_foreign_top_origin() {
    let err = registration_error(|a| a.top_origin_next("https://evil.example"), ORIGIN);
    assert!(matches!(err, PasskeyError::TopOriginMismatch), "{err:?}");
    assert_eq!(err.reason_code(), "top_origin_mismatch");
    let err = registration_error(
        |a| {
            a.cross_origin_next();
            a.top_origin_next("https://evil.example");
        },
        ORIGIN,
    );
    assert_eq!(err.reason_code(), "cross_origin");
}

#[test]
fn registration_is_refused_when_the_origin_is_not_exactly_the_origin() {
    for origin in [
        "https://id.example.com/",
        "https://id.example.com/enroll",
        "HTTPS://id.example.com",
    ] {
        let err = registration_error(|_| {}, origin);
        assert_eq!(err.reason_code(), "origin_mismatch", "{origin}");
    }
}
