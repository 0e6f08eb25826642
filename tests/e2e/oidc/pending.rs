//! What `/authorize` keeps before anyone has signed in: a request is stored
//! only when the browser must go to sign-in or consent, within a size bound,
//! and at most so many times a minute from one address. Everything else is
//! answered at once and leaves the session store as it was.

use std::net::{IpAddr, Ipv4Addr};

use latchkey_oidc::flow::{NS_CODE, NS_PENDING, PENDING_REQUESTS_PER_IP};
use latchkey_session::Entries;
use latchkey_testkit::TestApp;
use openidconnect::core::CoreAuthPrompt;

use super::{
    ClientOptions, Rp, callback_params, code_from, error_from, get, sign_in_at, with_param,
};
use crate::people::{bootstrap_admin, invited_user};

async fn entries(app: &TestApp) -> Entries {
    app.state.sessions.count_entries().await.unwrap()
}

async fn stored(app: &TestApp, namespace: &str) -> u64 {
    app.state.sessions.count_values(namespace).await.unwrap()
}

/// The error of a redirect to the client (its `state` may be one the test
/// replaced, so it is not compared here).
fn error_of(location: &str) -> String {
    callback_params(location)
        .get("error")
        .unwrap_or_else(|| panic!("no error in {location}"))
        .clone()
}

#[tokio::test]
async fn requests_answered_at_once_leave_the_session_store_as_it_was() {
    let app = TestApp::spawn().await;
    let ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let third = Rp::with(
        &app,
        ClientOptions {
            first_party: false,
            ..ClientOptions::default()
        },
    )
    .await;
    let anonymous = app.browser();
    let before = entries(&app).await;

    // prompt=none, nobody signed in: login_required.
    let silent = rp.start(&["openid"], |r| r.add_prompt(CoreAuthPrompt::None));
    let (_, location, _) = get(&anonymous, silent.url.as_str()).await;
    assert_eq!(
        error_from(&location.unwrap(), &silent, &rp.issuer),
        "login_required"
    );
    // prompt=none with a session too old for max_age: login_required.
    let stale = rp.start(&["openid"], |r| {
        r.add_prompt(CoreAuthPrompt::None)
            .set_max_age(std::time::Duration::from_secs(0))
    });
    let (_, location, _) = get(&ada.browser, stale.url.as_str()).await;
    assert_eq!(
        error_from(&location.unwrap(), &stale, &rp.issuer),
        "login_required"
    );
    // prompt=none, signed in, but no consent for a third-party client.
    let silent = third.start(&["openid"], |r| r.add_prompt(CoreAuthPrompt::None));
    let (_, location, _) = get(&ada.browser, silent.url.as_str()).await;
    assert_eq!(
        error_from(&location.unwrap(), &silent, &third.issuer),
        "consent_required"
    );
    // Error redirects, for a browser that would otherwise be sent to sign in.
    let started = rp.start(&["openid"], |r| r);
    for (url, error) in [
        (
            with_param(&started.url, "response_type", Some("token")),
            "unsupported_response_type",
        ),
        (
            with_param(&started.url, "code_challenge", None),
            "invalid_request",
        ),
        (
            with_param(&started.url, "scope", Some("openid admin")),
            "invalid_scope",
        ),
        (
            with_param(&started.url, "prompt", Some("none login")),
            "invalid_request",
        ),
    ] {
        for browser in [&anonymous, &ada.browser] {
            let (status, location, body) = get(browser, &url).await;
            assert_eq!(status, 303, "{url}: {body}");
            assert_eq!(error_from(&location.unwrap(), &started, &rp.issuer), error);
        }
    }
    // An error page (unregistered redirect URI).
    let (status, _, _) = get(
        &anonymous,
        &with_param(
            &started.url,
            "redirect_uri",
            Some("https://attacker.example/cb"),
        ),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(entries(&app).await, before, "nothing was stored");

    // A signed-in user who needs no consent gets the code at once: the code
    // is all that is stored, with or without prompt=none.
    for tweak in [false, true] {
        let started = rp.start(&["openid"], |r| {
            if tweak {
                r.add_prompt(CoreAuthPrompt::None)
            } else {
                r
            }
        });
        let (_, location, _) = get(&ada.browser, started.url.as_str()).await;
        code_from(&location.unwrap(), &started, &rp.issuer);
    }
    assert_eq!(stored(&app, NS_PENDING).await, 0);
    assert_eq!(stored(&app, NS_CODE).await, 2);
    let after = entries(&app).await;
    assert_eq!(
        (after.sessions, after.values, after.counters),
        (before.sessions, before.values + 2, before.counters)
    );
}

#[tokio::test]
async fn a_parameter_over_its_bound_is_refused_at_the_redirect_uri_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let rp = Rp::new(&app).await;
    let anonymous = app.browser();
    let started = rp.start(&["openid"], |r| r);
    let before = entries(&app).await;
    for (name, value) in [
        ("state", "s".repeat(2049)),
        ("nonce", "n".repeat(513)),
        ("login_hint", "h".repeat(257)),
        ("acr_values", "phr ".repeat(65)),
        ("ui_locales", "x".repeat(2049)),
        // Within every parameter bound, but six bytes a character once
        // stored: over the bound of the stored request.
        ("state", "\u{1}".repeat(2048)),
    ] {
        let url = with_param(&started.url, name, Some(&value));
        let (status, location, body) = get(&anonymous, &url).await;
        assert_eq!(status, 303, "{name}: {body}");
        assert_eq!(error_of(&location.unwrap()), "invalid_request", "{name}");
    }
    assert_eq!(entries(&app).await, before, "nothing was stored");

    // At the bounds, the request waits for sign-in as usual.
    let url = with_param(&started.url, "nonce", Some(&"n".repeat(512)));
    let url = with_param(
        &url::Url::parse(&url).unwrap(),
        "login_hint",
        Some(&"h".repeat(256)),
    );
    let (status, location, body) = get(&anonymous, &url).await;
    assert_eq!(status, 303, "{body}");
    assert!(location.unwrap().starts_with("/signin?next="));
    assert_eq!(stored(&app, NS_PENDING).await, 1);
}

#[tokio::test]
async fn pending_requests_over_the_limit_from_one_address_are_refused_while_another_address_works()
{
    let app = TestApp::spawn().await;
    let rp = Rp::new(&app).await;
    let max = u64::try_from(PENDING_REQUESTS_PER_IP.max).unwrap();
    let browser = app.browser();
    for _ in 0..max {
        let started = rp.start(&["openid"], |r| r);
        let (status, location, body) = get(&browser, started.url.as_str()).await;
        assert_eq!(status, 303, "{body}");
        assert!(location.unwrap().starts_with("/signin?next="));
    }
    assert_eq!(stored(&app, NS_PENDING).await, max);

    let started = rp.start(&["openid"], |r| r);
    let res = browser
        .client
        .get(started.url.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let page = res.text().await.unwrap();
    assert!(page.contains("<html"), "the error page: {page}");
    assert_eq!(
        stored(&app, NS_PENDING).await,
        max,
        "the refused one is not stored"
    );
    assert_eq!(
        app.state
            .metrics
            .rate_limited
            .with_label_values(&[PENDING_REQUESTS_PER_IP.name])
            .get(),
        1
    );

    // Answered at once, so not limited: prompt=none from the same address.
    let silent = rp.start(&["openid"], |r| r.add_prompt(CoreAuthPrompt::None));
    let (_, location, _) = get(&browser, silent.url.as_str()).await;
    assert_eq!(
        error_from(&location.unwrap(), &silent, &rp.issuer),
        "login_required"
    );

    // Another address has its own window.
    let elsewhere = app.browser_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    let started = rp.start(&["openid"], |r| r);
    let (status, location, body) = get(&elsewhere, started.url.as_str()).await;
    assert_eq!(status, 303, "{body}");
    assert!(location.unwrap().starts_with("/signin?next="));
    assert_eq!(stored(&app, NS_PENDING).await, max + 1);
}

#[tokio::test]
async fn a_stored_request_is_taken_when_it_ends_with_a_code_or_an_error() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;

    // Sign-in through the full flow: stored while the user signs in, taken
    // with the code.
    let started = rp.start(&["openid", "email"], |r| r);
    let mut browser = app.browser();
    let (_, location, _) = get(&browser, started.url.as_str()).await;
    assert_eq!(stored(&app, NS_PENDING).await, 1);
    let next = sign_in_at(&app, &mut browser, &mut ada.auth, &location.unwrap()).await;
    let (_, location, _) = get(&browser, &next).await;
    let code = code_from(&location.unwrap(), &started, &rp.issuer);
    assert_eq!(stored(&app, NS_PENDING).await, 0);
    let (_, claims) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(claims.subject().as_str(), ada.user_id.to_string());

    // A request that ends in an error after sign-in is taken as well: a
    // fresh ceremony that cannot meet the client's minimum acr.
    let strict = Rp::with(
        &app,
        ClientOptions {
            min_acr: Some(latchkey_core::Acr::Phrh),
            ..ClientOptions::default()
        },
    )
    .await;
    let mut bob = invited_user(&app, "bob").await;
    let started = strict.start(&["openid"], |r| r);
    let (_, location, _) = get(&bob.browser, started.url.as_str()).await;
    assert_eq!(stored(&app, NS_PENDING).await, 1);
    let next = sign_in_at(&app, &mut bob.browser, &mut bob.auth, &location.unwrap()).await;
    let (_, location, _) = get(&bob.browser, &next).await;
    assert_eq!(
        error_from(&location.unwrap(), &started, &strict.issuer),
        "unmet_authentication_requirements"
    );
    assert_eq!(stored(&app, NS_PENDING).await, 0);
    let (status, _, _) = get(&bob.browser, &next).await;
    assert_eq!(status, 410, "the request is over");
}
