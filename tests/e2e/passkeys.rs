//! Passkey sign-up and sign-in through the real endpoints, with a software
//! authenticator; every failure answers a clear error and changes nothing.

use latchkey_testkit::TestApp;
use latchkey_testkit::authenticator::SoftAuthenticator;
use serde_json::json;

use crate::people::{
    bootstrap_admin, invited_user, session_count, sign_in, sign_in_finish, sign_in_options,
};

#[tokio::test]
async fn bootstrap_link_creates_the_first_administrator_and_then_is_dead() {
    let app = TestApp::spawn().await;
    let url = app.bootstrap_url.clone().unwrap();
    let mut visitor = app.browser();
    assert_eq!(visitor.page(&url).await.0, 200);

    let mut ada = bootstrap_admin(&app).await;
    let roles = {
        let id = ada.user_id;
        app.state
            .db
            .run(move |c| latchkey_store::users::roles(c, id))
            .await
            .unwrap()
    };
    assert_eq!(roles, ["admin", "approver"]);
    let (status, html) = ada.browser.page("/account").await;
    assert_eq!(status, 200);
    assert!(html.contains("administrator"), "{html}");

    // The link is single use.
    assert_eq!(visitor.page(&url).await.0, 410);
    let token = url.rsplit('/').next().unwrap();
    let again = visitor
        .post_json("/enrol/options", &json!({ "grant": "bootstrap", "token": token, "username": "eve", "display_name": "Eve" }))
        .await;
    assert_eq!(again.status, 404, "{:?}", again.body);
    let eve = app
        .state
        .db
        .run(|c| latchkey_store::users::find_by_username(c, "eve"))
        .await
        .unwrap();
    assert!(eve.is_none());
}

#[tokio::test]
async fn invitation_creates_an_account_once_and_onboarding_shows_ten_recovery_codes_once() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let (status, html) = bob.browser.page("/onboarding").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<li>").count(), 10, "{html}");
    assert!(html.contains("Add a passkey on another device"));
    let (_, again) = bob.browser.page("/onboarding").await;
    assert_eq!(
        again.matches("<li>").count(),
        0,
        "codes are shown only once"
    );
    assert!(again.contains("shown once already"));
    let id = bob.user_id;
    let left = app
        .state
        .db
        .run(move |c| latchkey_store::recovery_codes::remaining(c, id))
        .await
        .unwrap();
    assert_eq!(left, 10);
}

#[tokio::test]
async fn sign_in_with_a_discoverable_passkey_starts_a_session_with_a_host_cookie() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    assert_eq!(options.body["publicKey"]["userVerification"], "required");
    let challenge = options.body["publicKey"]["challenge"].as_str().unwrap();
    assert!(challenge.len() >= 22, "at least 16 random bytes");
    let credential = ada.auth.authenticate(&options.body, &app.address);
    let done = sign_in_finish(&mut browser, &options, credential, "autofill").await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.body["redirect"], "/account");
    let cookie = done
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-latchkey_session="))
        .unwrap();
    for attr in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    let (status, html) = browser.page("/account").await;
    assert_eq!(status, 200);
    assert!(html.contains("ada"));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains(r#"latchkey_passkey_ceremonies_total{ceremony="authentication",flow="autofill",outcome="success"} 1"#), "{metrics}");
}

#[tokio::test]
async fn cross_device_sign_in_offers_a_passkey_on_this_device() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    let credential = ada.auth.authenticate(&options.body, &app.address);
    let done = sign_in_finish(&mut browser, &options, credential, "cross-device").await;
    assert_eq!(done.status, 200);
    let next = done.body["redirect"].as_str().unwrap();
    assert!(next.starts_with("/account/passkeys/here"), "{next}");
    let (status, html) = browser.page(next).await;
    assert_eq!(status, 200);
    assert!(html.contains("Create a passkey on this device"));
}

#[tokio::test]
async fn account_page_without_a_session_redirects_to_sign_in() {
    let app = TestApp::spawn().await;
    let res = app.get("/account").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/signin?next=%2Faccount");
}

/// Runs one failing sign-in and checks the error code and that no session
/// was created and the stored counter did not move.
async fn refused(
    app: &TestApp,
    person: &mut crate::people::Person,
    expected: &str,
    tweak: impl FnOnce(&mut SoftAuthenticator),
    origin: Option<&str>,
) {
    let before_sessions = session_count(app, person.user_id).await;
    let user = person.user_id;
    let counters = || async move {
        app.state
            .db
            .run(move |c| latchkey_store::credentials::list_active(c, user))
            .await
            .unwrap()
            .iter()
            .map(|c| c.sign_count)
            .collect::<Vec<_>>()
    };
    let before_counters = counters().await;
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    tweak(&mut person.auth);
    let credential = person
        .auth
        .authenticate(&options.body, origin.unwrap_or(&app.address));
    let reply = sign_in_finish(&mut browser, &options, credential, "modal").await;
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    assert_eq!(reply.error(), expected, "{:?}", reply.body);
    assert!(
        !reply.body["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
    assert_eq!(
        session_count(app, person.user_id).await,
        before_sessions,
        "no session may be created"
    );
    assert_eq!(
        counters().await,
        before_counters,
        "nothing about the passkey may change"
    );
    assert_eq!(
        browser.page("/account").await.0,
        303,
        "the browser is not signed in"
    );
}

#[tokio::test]
async fn sign_in_is_refused_from_a_wrong_origin() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    refused(
        &app,
        &mut ada,
        "origin_mismatch",
        |_| {},
        Some("http://localhost:1"),
    )
    .await;
}

#[tokio::test]
async fn sign_in_is_refused_for_a_wrong_rp_id() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    refused(
        &app,
        &mut ada,
        "rp_id_mismatch",
        |a| a.use_rp_id_next("example.com"),
        None,
    )
    .await;
}

#[tokio::test]
async fn sign_in_is_refused_without_user_verification() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let auth = std::mem::take(&mut ada.auth);
    ada.auth = auth.with_user_verified(false);
    refused(&app, &mut ada, "user_verification_missing", |_| {}, None).await;
}

#[tokio::test]
async fn sign_in_is_refused_with_a_tampered_signature() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    refused(
        &app,
        &mut ada,
        "signature_invalid",
        SoftAuthenticator::tamper_next_signature,
        None,
    )
    .await;
}

#[tokio::test]
async fn sign_in_is_refused_when_a_credential_is_presented_for_another_user() {
    let app = TestApp::spawn().await;
    let ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let ada_handle = ada.user_id.as_uuid().as_bytes().to_vec();
    refused(
        &app,
        &mut bob,
        "user_handle_mismatch",
        move |a| a.present_user_handle_next(Some(ada_handle)),
        None,
    )
    .await;
}

#[tokio::test]
async fn sign_in_is_refused_on_counter_regression_and_the_passkey_is_flagged() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    // Two good sign-ins move the counter forward.
    sign_in(&app, &mut ada.auth).await;
    sign_in(&app, &mut ada.auth).await;
    let cred = ada.auth.last_credential_id().unwrap();
    let before = session_count(&app, ada.user_id).await;
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    ada.auth.set_counter(&cred, 1);
    let credential = ada.auth.authenticate(&options.body, &app.address);
    let reply = sign_in_finish(&mut browser, &options, credential, "modal").await;
    assert_eq!(
        (reply.status, reply.error()),
        (400, "counter_regression"),
        "{:?}",
        reply.body
    );
    // The client gets a fixed sentence; the counters go to the audit log only.
    let message = reply.body["message"].as_str().unwrap();
    assert!(!message.chars().any(|c| c.is_ascii_digit()), "{message}");
    assert_eq!(
        message,
        "The signature counter did not increase; the passkey may have been cloned."
    );
    assert_eq!(session_count(&app, ada.user_id).await, before);
    let user = ada.user_id;
    let stored = app
        .state
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, user))
        .await
        .unwrap();
    assert!(stored[0].clone_suspected_at.is_some());
    let events = app
        .state
        .db
        .run(|c| latchkey_store::audit::AuditChain::recent(c, 5))
        .await
        .unwrap();
    let flagged = events
        .iter()
        .find(|e| e.kind == "passkey.clone_suspected")
        .unwrap();
    let detail = &flagged.detail;
    assert!(detail.contains("\"stored_counter\":3"), "{detail}");
    assert!(detail.contains("\"presented_counter\":2"), "{detail}");
}

#[tokio::test]
async fn a_challenge_is_single_use() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    let credential = ada.auth.authenticate(&options.body, &app.address);
    let first = sign_in_finish(&mut browser, &options, credential.clone(), "modal").await;
    assert_eq!(first.status, 200);
    let sessions = session_count(&app, ada.user_id).await;
    let mut other = app.browser();
    let replay = sign_in_finish(&mut other, &options, credential, "modal").await;
    assert_eq!(
        (replay.status, replay.error()),
        (400, "challenge_expired"),
        "{:?}",
        replay.body
    );
    assert_eq!(session_count(&app, ada.user_id).await, sessions);
}

#[tokio::test]
async fn a_challenge_expires_after_five_minutes() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    let credential = ada.auth.authenticate(&options.body, &app.address);
    app.clock
        .advance(chrono::Duration::minutes(5) + chrono::Duration::seconds(1));
    let reply = sign_in_finish(&mut browser, &options, credential, "modal").await;
    assert_eq!(
        (reply.status, reply.error()),
        (400, "challenge_expired"),
        "{:?}",
        reply.body
    );
}

#[tokio::test]
async fn malformed_json_is_a_clear_error() {
    let app = TestApp::spawn().await;
    let mut browser = app.browser();
    let csrf = browser.csrf().await;
    let res = browser
        .client
        .post(app.url("/signin/finish"))
        .header("x-csrf-token", csrf)
        .header("content-type", "application/json")
        .body("{\"ceremony\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "malformed_request");
    // Well-formed JSON that is not a credential.
    let options = sign_in_options(&mut browser).await;
    let reply = sign_in_finish(&mut browser, &options, json!({ "id": "x" }), "modal").await;
    assert_eq!(
        (reply.status, reply.error()),
        (400, "malformed_response"),
        "{:?}",
        reply.body
    );
}

#[tokio::test]
async fn an_oversize_body_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let mut browser = app.browser();
    let csrf = browser.csrf().await;
    let big = format!(
        "{{\"ceremony\":\"{}\"}}",
        "a".repeat(latchkey_web::MAX_BODY_BYTES)
    );
    let res = browser
        .client
        .post(app.url("/signin/finish"))
        .header("x-csrf-token", csrf)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "payload_too_large");
}

#[tokio::test]
async fn posts_without_the_csrf_token_or_from_another_origin_are_refused() {
    let app = TestApp::spawn().await;
    let mut browser = app.browser();
    browser.csrf().await;
    let no_token = browser
        .client
        .post(app.url("/signin/options"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403);
    let csrf = browser.csrf().await;
    let foreign = browser
        .client
        .post(app.url("/signin/options"))
        .header("x-csrf-token", csrf)
        .header("origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let csrf = browser.csrf().await;
    let opaque_cross_site = browser
        .client
        .post(app.url("/signin/options"))
        .header("x-csrf-token", csrf)
        .header("origin", "null")
        .header("sec-fetch-site", "cross-site")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(opaque_cross_site.status(), 403);
}

#[tokio::test]
async fn ceremony_starts_are_rate_limited_per_ip_with_retry_after() {
    let app = TestApp::spawn().await;
    let mut browser = app.browser();
    let limit = latchkey_web::ratelimit::CEREMONY_STARTS_PER_IP.max;
    for _ in 0..limit {
        assert_eq!(
            browser
                .post_json("/signin/options", &json!({}))
                .await
                .status,
            200
        );
    }
    let refused = browser.post_json("/signin/options", &json!({})).await;
    assert_eq!((refused.status, refused.error()), (429, "rate_limited"));
    let retry: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    app.clock.advance(chrono::Duration::seconds(61));
    if app.state.sessions.backend_name() == "database" {
        // The window follows the injected clock on the SQL backend.
        assert_eq!(
            browser
                .post_json("/signin/options", &json!({}))
                .await
                .status,
            200
        );
    }
}

#[tokio::test]
async fn self_signup_is_off_by_default_and_works_when_switched_on() {
    let app = TestApp::spawn().await;
    let mut visitor = app.browser();
    assert_eq!(visitor.page("/signup").await.0, 404);
    let refused = visitor
        .post_json(
            "/enrol/options",
            &json!({ "grant": "signup", "username": "mallory", "display_name": "M" }),
        )
        .await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);

    let mut on = std::collections::BTreeMap::new();
    on.insert("LATCHKEY_SELF_SIGNUP".to_owned(), "true".to_owned());
    let open = TestApp::spawn_with(on).await;
    let mut visitor = open.browser();
    let (status, html) = visitor.page("/signin").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("/signup"),
        "the sign-in page links to sign-up"
    );
    assert_eq!(visitor.page("/signup").await.0, 200);
    let carol = crate::people::enrol(&open, "signup", "", "carol", SoftAuthenticator::new()).await;
    let id = carol.user_id;
    let roles = open
        .state
        .db
        .run(move |c| latchkey_store::users::roles(c, id))
        .await
        .unwrap();
    assert!(roles.is_empty(), "self sign-up never grants a role");
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited_per_account() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let limit = latchkey_web::ratelimit::CEREMONIES_PER_ACCOUNT.max;
    let mut last = None;
    for _ in 0..=limit {
        let mut browser = app.browser();
        let options = sign_in_options(&mut browser).await;
        ada.auth.tamper_next_signature();
        let credential = ada.auth.authenticate(&options.body, &app.address);
        last = Some(sign_in_finish(&mut browser, &options, credential, "modal").await);
    }
    let last = last.unwrap();
    assert_eq!(
        (last.status, last.error()),
        (429, "rate_limited"),
        "{:?}",
        last.body
    );
    assert!(last.headers.contains_key("retry-after"));
    // Even a good assertion is refused until the window ends.
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    let credential = ada.auth.authenticate(&options.body, &app.address);
    assert_eq!(
        sign_in_finish(&mut browser, &options, credential, "modal")
            .await
            .status,
        429
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_limit_is_per_forwarded_client() {
    let behind = TestApp::spawn_with(
        [(
            "LATCHKEY_TRUSTED_PROXIES".to_owned(),
            "127.0.0.1/32".to_owned(),
        )]
        .into_iter()
        .collect(),
    )
    .await;
    let limit = latchkey_web::ratelimit::CEREMONY_STARTS_PER_IP.max;
    // The test server is reached from 127.0.0.1, the trusted proxy here.
    let mut browser = behind.browser();
    let csrf = browser.csrf().await;
    let post = |browser: &latchkey_testkit::Browser, client: &'static str| {
        let request = browser
            .client
            .post(browser.url("/signin/options"))
            .header("x-csrf-token", csrf.clone())
            .header("x-forwarded-for", client)
            .json(&json!({}));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    for _ in 0..limit {
        assert_eq!(post(&browser, "203.0.113.1").await, 200);
    }
    assert_eq!(post(&browser, "203.0.113.1").await, 429);
    // Another client behind the same proxy has its own window.
    assert_eq!(post(&browser, "198.51.100.2").await, 200);

    // Without trusted proxies the header changes nothing: all one client.
    let direct = TestApp::spawn().await;
    let mut browser = direct.browser();
    let csrf = browser.csrf().await;
    for i in 0..=limit {
        let status = browser
            .client
            .post(browser.url("/signin/options"))
            .header("x-csrf-token", csrf.clone())
            .header("x-forwarded-for", format!("198.51.100.{}", i % 250))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, if i < limit { 200 } else { 429 }, "request {i}");
    }
}
