//! Authentication requirements: a client's minimum acr, the request's
//! acr_values and max_age, prompt=login. A weaker token is never issued:
//! the user goes through a new ceremony, or the client gets an error.

use latchkey_core::{Acr, Clock as _};
use latchkey_testkit::TestApp;
use latchkey_testkit::authenticator::SoftAuthenticator;
use openidconnect::core::CoreAuthPrompt;
use openidconnect::{AuthenticationContextClass, OAuth2TokenResponse as _, TokenResponse as _};

use super::jwt_part;
use super::{ClientOptions, Rp, code_from, error_from, get, sign_in_at};
use crate::people::{Person, enrol, invitation};

async fn person(app: &TestApp, username: &str, auth: SoftAuthenticator) -> Person {
    let token = invitation(app, &format!("{username}@example.com")).await;
    enrol(app, "invite", &token, username, auth).await
}

/// Marks every passkey of `person` as attested, as a verified attestation
/// statement would have at registration.
fn attest(app: &TestApp, person: &Person) {
    let changed = app.db.execute(&format!(
        "UPDATE credentials SET attested = true WHERE user_id = '{}'",
        person.user_id
    ));
    assert_eq!(changed, 1);
}

fn phrh_client() -> ClientOptions {
    ClientOptions {
        min_acr: Some(Acr::Phrh),
        ..ClientOptions::default()
    }
}

#[tokio::test]
async fn a_client_with_minimum_acr_phrh_refuses_synced_passkeys_and_accepts_attested_device_bound_ones()
 {
    let app = TestApp::spawn().await;
    let rp = Rp::with(&app, phrh_client()).await;

    // A synced passkey, even attested, is phr: a fresh ceremony still falls
    // short, and the client is told so instead of getting a weaker token.
    let mut sam = person(&app, "sam", SoftAuthenticator::synced()).await;
    attest(&app, &sam);
    let started = rp.start(&["openid"], |r| r);
    let (status, location, _) = get(&sam.browser, started.url.as_str()).await;
    assert_eq!(status, 303);
    let next = sign_in_at(&app, &mut sam.browser, &mut sam.auth, &location.unwrap()).await;
    let (status, location, _) = get(&sam.browser, &next).await;
    assert_eq!(status, 303);
    assert_eq!(
        error_from(&location.unwrap(), &started, &rp.issuer),
        "unmet_authentication_requirements"
    );

    // A device-bound passkey without verified attestation: phr, refused too.
    let mut dee = person(&app, "dee", SoftAuthenticator::new()).await;
    let started = rp.start(&["openid"], |r| r);
    let (_, location, _) = get(&dee.browser, started.url.as_str()).await;
    let location = location.unwrap();
    assert!(
        location.starts_with("/signin?next="),
        "step-up first: {location}"
    );
    let next = sign_in_at(&app, &mut dee.browser, &mut dee.auth, &location).await;
    let (_, location, _) = get(&dee.browser, &next).await;
    assert_eq!(
        error_from(&location.unwrap(), &started, &rp.issuer),
        "unmet_authentication_requirements"
    );

    // Attested and device-bound: the step-up ceremony earns phrh.
    attest(&app, &dee);
    let started = rp.start(&["openid"], |r| r);
    let (_, location, _) = get(&dee.browser, started.url.as_str()).await;
    let next = sign_in_at(&app, &mut dee.browser, &mut dee.auth, &location.unwrap()).await;
    let (_, location, _) = get(&dee.browser, &next).await;
    let code = code_from(&location.unwrap(), &started, &rp.issuer);
    let (_, claims) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("phrh"));
    let amr: Vec<&str> = claims
        .auth_method_refs()
        .unwrap()
        .iter()
        .map(|a| a.as_str())
        .collect();
    assert_eq!(amr, ["hwk", "user", "pop"]);

    // That session now meets the minimum without another ceremony.
    let started = rp.start(&["openid"], |r| r);
    let (_, location, _) = get(&dee.browser, started.url.as_str()).await;
    code_from(&location.unwrap(), &started, &rp.issuer);
}

#[tokio::test]
async fn acr_values_phrh_steps_up_and_prompt_none_answers_interaction_required() {
    let app = TestApp::spawn().await;
    let rp = Rp::new(&app).await;
    let mut dee = person(&app, "dee", SoftAuthenticator::new()).await;
    let phrh = || AuthenticationContextClass::new("phrh".into());

    // The enrolment session is phr (not attested yet).
    let silent = rp.start(&["openid"], |r| {
        r.add_auth_context_value(phrh())
            .add_prompt(CoreAuthPrompt::None)
    });
    let (_, location, _) = get(&dee.browser, silent.url.as_str()).await;
    assert_eq!(
        error_from(&location.unwrap(), &silent, &rp.issuer),
        "interaction_required"
    );

    attest(&app, &dee);
    let started = rp.start(&["openid"], |r| r.add_auth_context_value(phrh()));
    let (_, location, _) = get(&dee.browser, started.url.as_str()).await;
    let next = sign_in_at(&app, &mut dee.browser, &mut dee.auth, &location.unwrap()).await;
    let (_, location, _) = get(&dee.browser, &next).await;
    let code = code_from(&location.unwrap(), &started, &rp.issuer);
    let (tokens, claims) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("phrh"));
    let access = jwt_part(tokens.access_token().secret(), 1);
    assert_eq!(access["acr"], "phrh");

    // Unknown acr values are ignored (they are voluntary).
    let started = rp.start(&["openid"], |r| {
        r.add_auth_context_value(AuthenticationContextClass::new("urn:example:gold".into()))
    });
    let (_, location, _) = get(&dee.browser, started.url.as_str()).await;
    code_from(&location.unwrap(), &started, &rp.issuer);
    let _ = tokens.id_token();
}

#[tokio::test]
async fn max_age_zero_and_prompt_login_force_a_new_ceremony() {
    let app = TestApp::spawn().await;
    let rp = Rp::new(&app).await;
    let mut dee = person(&app, "dee", SoftAuthenticator::new()).await;
    let enrolled_at = app.clock.now();
    app.clock.advance(chrono::Duration::minutes(10));

    // max_age=600 is still met by the enrolment ten minutes ago.
    let started = rp.start(&["openid"], |r| {
        r.set_max_age(std::time::Duration::from_secs(601))
    });
    let (_, location, _) = get(&dee.browser, started.url.as_str()).await;
    let code = code_from(&location.unwrap(), &started, &rp.issuer);
    let (_, claims) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(
        claims.auth_time().map(|t| t.timestamp()),
        Some(enrolled_at.timestamp())
    );

    for tweak in ["max_age=0", "prompt=login"] {
        let started = rp.start(&["openid"], |r| match tweak {
            "max_age=0" => r.set_max_age(std::time::Duration::from_secs(0)),
            _ => r.add_prompt(CoreAuthPrompt::Login),
        });
        let (_, location, _) = get(&dee.browser, started.url.as_str()).await;
        let location = location.unwrap();
        assert!(location.starts_with("/signin?next="), "{tweak}: {location}");
        // Going back without signing in does not skip the ceremony.
        let next: String = url::form_urlencoded::parse(&location.as_bytes()["/signin?".len()..])
            .find(|(k, _)| k == "next")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let (_, again, _) = get(&dee.browser, &next).await;
        assert!(again.unwrap().starts_with("/signin?next="), "{tweak}");

        app.clock.advance(chrono::Duration::seconds(5));
        let next = sign_in_at(&app, &mut dee.browser, &mut dee.auth, &location).await;
        let (_, location, _) = get(&dee.browser, &next).await;
        let code = code_from(&location.unwrap(), &started, &rp.issuer);
        let (_, claims) = rp.exchange(&code, started.verifier, &started.nonce).await;
        assert_eq!(
            claims.auth_time().map(|t| t.timestamp()),
            Some(app.clock.now().timestamp()),
            "{tweak}"
        );
    }

    // With prompt=none, a stale session is login_required.
    app.clock.advance(chrono::Duration::minutes(1));
    let silent = rp.start(&["openid"], |r| {
        r.set_max_age(std::time::Duration::from_secs(10))
            .add_prompt(CoreAuthPrompt::None)
    });
    let (_, location, _) = get(&dee.browser, silent.url.as_str()).await;
    assert_eq!(
        error_from(&location.unwrap(), &silent, &rp.issuer),
        "login_required"
    );
}
