//! The errors of RFC 6749 §4.1.2.1 (authorization) and §5.2 (token): an
//! error page where the client cannot be trusted, a redirect with `error`,
//! `state` and `iss` where it can, JSON with the right status at /token.

use base64::Engine as _;
use latchkey_testkit::TestApp;
use openidconnect::core::CoreAuthPrompt;
use openidconnect::{AuthorizationCode, PkceCodeVerifier};
use serde_json::Value;

use super::token_error;
use super::{REDIRECT_URI, Rp, authorize, error_from, get, with_param};
use crate::people::bootstrap_admin;

#[tokio::test]
async fn an_unknown_client_or_unregistered_redirect_uri_gets_an_error_page_never_a_redirect() {
    let app = TestApp::spawn().await;
    let ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid"], |r| r);
    let cases = [
        with_param(
            &started.url,
            "client_id",
            Some("lk_client_unknown0000000000"),
        ),
        with_param(&started.url, "client_id", None),
        with_param(
            &started.url,
            "redirect_uri",
            Some("http://localhost:4180/other"),
        ),
        with_param(
            &started.url,
            "redirect_uri",
            Some("https://attacker.example/callback"),
        ),
        with_param(
            &started.url,
            "redirect_uri",
            Some(&format!("{REDIRECT_URI}/")),
        ),
        with_param(&started.url, "redirect_uri", None),
    ];
    for url in cases {
        let (status, location, body) = get(&ada.browser, &url).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(location, None, "{url}");
        assert!(body.contains("<html"), "an HTML error page: {body}");
    }
}

#[tokio::test]
async fn authorization_errors_redirect_with_error_state_and_iss() {
    let app = TestApp::spawn().await;
    let ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid"], |r| r);
    let cases = [
        (
            with_param(&started.url, "code_challenge", None),
            "invalid_request",
        ),
        (
            with_param(&started.url, "code_challenge_method", Some("plain")),
            "invalid_request",
        ),
        (
            with_param(&started.url, "code_challenge_method", None),
            "invalid_request",
        ),
        (
            with_param(&started.url, "code_challenge", Some("short")),
            "invalid_request",
        ),
        (
            // 43 characters, but not the canonical encoding of 32 bytes.
            with_param(
                &started.url,
                "code_challenge",
                Some(&format!("{}B", "A".repeat(42))),
            ),
            "invalid_request",
        ),
        (
            with_param(&started.url, "response_type", Some("token")),
            "unsupported_response_type",
        ),
        (
            with_param(&started.url, "response_type", None),
            "invalid_request",
        ),
        (
            with_param(&started.url, "scope", Some("profile")),
            "invalid_scope",
        ),
        (
            with_param(&started.url, "prompt", Some("none login")),
            "invalid_request",
        ),
        (
            with_param(&started.url, "max_age", Some("soon")),
            "invalid_request",
        ),
        (
            with_param(&started.url, "request", Some("eyJ.x.y")),
            "request_not_supported",
        ),
    ];
    for (url, expected) in cases {
        let (status, location, body) = get(&ada.browser, &url).await;
        assert_eq!(status, 303, "{url}: {body}");
        assert_eq!(
            error_from(&location.unwrap(), &started, &rp.issuer),
            expected,
            "{url}"
        );
    }
}

#[tokio::test]
async fn prompt_none_without_a_session_is_login_required() {
    let app = TestApp::spawn().await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid"], |r| r.add_prompt(CoreAuthPrompt::None));
    let (status, location, _) = get(&app.browser(), started.url.as_str()).await;
    assert_eq!(status, 303);
    assert_eq!(
        error_from(&location.unwrap(), &started, &rp.issuer),
        "login_required"
    );
}

/// A token request with a raw form body.
async fn token(
    app: &TestApp,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, Value, Option<String>) {
    let mut req = app.client.post(app.url("/token")).form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(res.headers()["cache-control"], "no-store");
    (status, res.json().await.unwrap(), challenge)
}

#[tokio::test]
async fn token_endpoint_errors_follow_rfc_6749_section_5_2() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let other = Rp::new(&app).await;
    let secret = rp.secret.clone().unwrap();
    let creds = Some((rp.id.as_str(), secret.as_str()));

    // Wrong verifier: invalid_grant, and the code is spent.
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let wrong = rp
        .client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .unwrap()
        .set_pkce_verifier(PkceCodeVerifier::new("a".repeat(64)))
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(wrong), "invalid_grant");
    let (status, body, _) = token(
        &app,
        creds,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", started.verifier.secret()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // No verifier at all.
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (status, body, _) = token(
        &app,
        creds,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    // Expired: codes live 60 seconds.
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    app.clock.advance(chrono::Duration::seconds(61));
    let expired = rp
        .client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(started.verifier)
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(expired), "invalid_grant");

    // Another client's code, and a different redirect_uri.
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let stolen = other
        .client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(PkceCodeVerifier::new(started.verifier.secret().clone()))
        .request_async(&other.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(stolen), "invalid_grant");
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (status, body, _) = token(
        &app,
        creds,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://localhost:4180/other"),
            ("code_verifier", started.verifier.secret()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // Client authentication failures: 401 with a challenge.
    for (basic, form) in [
        (
            Some((rp.id.as_str(), "wrong-secret")),
            vec![("grant_type", "client_credentials")],
        ),
        (
            Some(("lk_client_unknown0000000000", "x")),
            vec![("grant_type", "client_credentials")],
        ),
        (None, vec![("grant_type", "client_credentials")]),
        (
            None,
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", rp.id.as_str()),
                ("client_secret", "wrong"),
            ],
        ),
    ] {
        let (status, body, challenge) = token(&app, basic, &form).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"], "invalid_client");
        assert!(challenge.unwrap().starts_with("Basic "));
    }

    // Unsupported grant, missing grant, repeated parameter.
    let (status, body, _) = token(&app, creds, &[("grant_type", "password")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, body, _) = token(&app, creds, &[("scope", "openid")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body, _) = token(
        &app,
        creds,
        &[
            ("grant_type", "client_credentials"),
            ("grant_type", "client_credentials"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    // Two authentication methods at once.
    let (status, body, _) = token(
        &app,
        creds,
        &[
            ("grant_type", "client_credentials"),
            ("client_secret", secret.as_str()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    // Malformed bodies: not a form, not UTF-8 form, empty.
    for (content_type, body) in [
        (
            "application/json",
            br#"{"grant_type":"client_credentials"}"#.to_vec(),
        ),
        (
            "application/x-www-form-urlencoded",
            vec![0xff, 0xfe, b'=', 0x80],
        ),
        ("application/x-www-form-urlencoded", Vec::new()),
    ] {
        let res = app
            .client
            .post(app.url("/token"))
            .basic_auth(&rp.id, Some(&secret))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{body}");
        assert!(body["error_description"].is_string());
    }
}

#[tokio::test]
async fn prompt_create_sends_a_new_user_to_sign_up_only_when_self_sign_up_is_open() {
    let closed = TestApp::spawn().await;
    let rp = Rp::new(&closed).await;
    let started = rp.start(&["openid"], |r| {
        r.add_prompt(CoreAuthPrompt::Extension("create".into()))
    });
    let (status, location, _) = get(&closed.browser(), started.url.as_str()).await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/signin?next="));

    let open = TestApp::spawn_with(
        [("LATCHKEY_SELF_SIGNUP".to_owned(), "true".to_owned())]
            .into_iter()
            .collect(),
    )
    .await;
    let rp = Rp::new(&open).await;
    let started = rp.start(&["openid"], |r| {
        r.add_prompt(CoreAuthPrompt::Extension("create".into()))
    });
    let (status, location, _) = get(&open.browser(), started.url.as_str()).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(
        location.starts_with("/signup?next=%2Fauthorize%2Fcontinue%3Fid%3D"),
        "{location}"
    );
    // The new account is created, shown its recovery codes, and continues
    // to the application.
    let next: String = url::form_urlencoded::parse(&location.as_bytes()["/signup?".len()..])
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let mut browser = open.browser();
    let (status, page) = browser.page(&location).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("data-next=\"{next}\"")), "{page}");
    let mut auth = latchkey_testkit::SoftAuthenticator::new();
    let options = browser
        .post_json(
            "/enrol/options",
            &serde_json::json!({ "grant": "signup", "username": "newcomer", "display_name": "New Comer" }),
        )
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let credential = auth.register(&options.body, &open.address);
    let done = browser
        .post_json(
            "/enrol/finish",
            &serde_json::json!({ "ceremony": options.body["ceremony"], "credential": credential, "next": next }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    let onboarding = done.body["redirect"].as_str().unwrap().to_owned();
    let (_, page) = browser.page(&onboarding).await;
    assert!(page.contains("recovery-codes"), "{page}");
    let continue_to = next.replace('&', "&amp;");
    assert!(page.contains(&format!("href=\"{continue_to}\"")), "{page}");
    let (status, location, _) = get(&browser, &next).await;
    assert_eq!(status, 303);
    super::code_from(&location.unwrap(), &started, &rp.issuer);
}

#[tokio::test]
async fn a_malformed_or_non_basic_authorization_header_at_token_is_401_invalid_client() {
    let app = TestApp::spawn().await;
    let rp = Rp::new(&app).await;
    for authorization in [
        "Bearer abc".to_owned(),
        "Basic".to_owned(),
        "Basic !!!notbase64".to_owned(),
        format!(
            "Digest {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{}:x", rp.id))
        ),
    ] {
        let res = app
            .client
            .post(app.url("/token"))
            .header("authorization", &authorization)
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{authorization}");
        let challenge = res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.starts_with("Basic "), "{challenge}");
        assert_eq!(res.headers()["cache-control"], "no-store");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client", "{authorization}: {body}");
    }
}

#[tokio::test]
async fn protocol_endpoints_refuse_bodies_over_64_kib_with_a_json_invalid_request() {
    let app = TestApp::spawn().await;
    let rp = Rp::new(&app).await;
    let secret = rp.secret.clone().unwrap();
    // Over the limit every other body has, under actix's default of 256 KiB;
    // and over that too.
    for size in [100 * 1024, 300 * 1024] {
        let padding = "a".repeat(size);
        for path in ["/token", "/revoke", "/introspect", "/userinfo"] {
            let res = app
                .client
                .post(app.url(path))
                .basic_auth(&rp.id, Some(&secret))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("token", "x"),
                    ("padding", padding.as_str()),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 400, "{path}, {size} bytes");
            assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"], "invalid_request", "{path}: {body}");
            assert!(body["error_description"].is_string(), "{path}: {body}");
        }
    }
    // Just under the limit is read (and answered on its merits).
    let res = app
        .client
        .post(app.url("/token"))
        .basic_auth(&rp.id, Some(&secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("padding", "a".repeat(60 * 1024).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_bearer_token_in_both_the_header_and_the_body_is_400_invalid_request() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    let token = openidconnect::OAuth2TokenResponse::access_token(&tokens)
        .secret()
        .clone();

    let res = app
        .client
        .post(app.url("/userinfo"))
        .bearer_auth(&token)
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer error=\"invalid_request\"")
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request", "{body}");

    // Either one alone works.
    for (header, form) in [(true, false), (false, true)] {
        let mut req = app.client.post(app.url("/userinfo"));
        if header {
            req = req.bearer_auth(&token);
        }
        if form {
            req = req.form(&[("access_token", token.as_str())]);
        }
        assert_eq!(req.send().await.unwrap().status(), 200);
    }
}
