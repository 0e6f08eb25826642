//! Consent for third-party clients: asked once, remembered, withdrawable.

use latchkey_testkit::TestApp;
use openidconnect::OAuth2TokenResponse as _;
use openidconnect::core::CoreAuthPrompt;

use super::{ClientOptions, Rp, active, audited, authorize, error_from, get, hidden, token_error};
use crate::people::invited_user;

#[tokio::test]
async fn third_party_clients_ask_for_consent_once_and_it_can_be_withdrawn() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let rp = Rp::with(
        &app,
        ClientOptions {
            first_party: false,
            ..ClientOptions::default()
        },
    )
    .await;

    // prompt=none cannot show the consent page.
    let silent = rp.start(&["openid", "email"], |r| r.add_prompt(CoreAuthPrompt::None));
    let (status, location, _) = get(&bob.browser, silent.url.as_str()).await;
    assert_eq!(status, 303);
    assert_eq!(
        error_from(&location.unwrap(), &silent, &rp.issuer),
        "consent_required"
    );

    // Deny: access_denied, and nothing is remembered.
    let started = rp.start(&["openid", "email", "offline_access"], |r| r);
    let (status, _, page) = get(&bob.browser, started.url.as_str()).await;
    assert_eq!(status, 200);
    assert!(page.contains("Allow Test App?"), "{page}");
    let request = hidden(&page, "request");
    let (status, location, _) = bob
        .browser
        .post_form(
            "/authorize/consent",
            &[
                ("request", &request),
                ("decision", "deny"),
                ("user", &bob.user_id.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        error_from(&location.unwrap(), &started, &rp.issuer),
        "access_denied"
    );

    let started = rp.start(&["openid", "email", "offline_access"], |r| r);
    let res = bob
        .browser
        .client
        .get(started.url.as_str())
        .send()
        .await
        .unwrap();
    // The form's answer redirects to the client: the page's policy allows it.
    let policy = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("form-action 'self' http://localhost:4180;"),
        "{policy}"
    );
    let page = res.text().await.unwrap();
    let request = hidden(&page, "request");
    assert_eq!(hidden(&page, "user"), bob.user_id.to_string());
    bob.browser.page("/account").await;
    // An answer given on a page shown to another account is not taken: the
    // one signed in now is asked.
    let (status, _, again) = bob
        .browser
        .post_form(
            "/authorize/consent",
            &[
                ("request", &request),
                ("decision", "allow"),
                ("user", "01900000-0000-7000-8000-000000000000"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(again.contains("Allow Test App?"), "{again}");
    assert!(!audited(&app, "consent.granted").await);
    let (status, location, _) = bob
        .browser
        .post_form(
            "/authorize/consent",
            &[
                ("request", &request),
                ("decision", "allow"),
                ("user", &hidden(&page, "user")),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let code = super::code_from(&location.unwrap(), &started, &rp.issuer);
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert!(audited(&app, "consent.granted").await);

    // Remembered: the next request for the same scopes skips the page.
    let again = rp.start(&["openid", "email"], |r| r);
    let code = authorize(&app, &rp, &mut bob.browser, &mut bob.auth, &again).await;
    let (plain, _) = rp.exchange(&code, again.verifier, &again.nonce).await;

    // The account page lists the app; withdrawing ends its refresh tokens.
    let (_, page) = bob.browser.page("/account").await;
    assert!(page.contains(&format!("data-app=\"{}\"", rp.id)), "{page}");
    let (status, location, _) = bob
        .browser
        .post_form(&format!("/account/apps/{}/revoke", rp.id), &[])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/account?done=app-removed"))
    );
    assert!(
        !active(&rp, plain.access_token()).await,
        "its access tokens end too"
    );
    let refused = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(refused), "invalid_grant");
    // Allowed again (a second later): the new grant's token is active,
    // the withdrawn one's stays revoked.
    app.clock.advance(chrono::Duration::seconds(1));
    let asked_again = rp.start(&["openid", "email"], |r| r);
    let (status, _, page) = get(&bob.browser, asked_again.url.as_str()).await;
    assert_eq!(status, 200);
    assert!(page.contains("Allow Test App?"));
    let (status, location, _) = bob
        .browser
        .post_form(
            "/authorize/consent",
            &[
                ("request", &hidden(&page, "request")),
                ("decision", "allow"),
                ("user", &hidden(&page, "user")),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let code = super::code_from(&location.unwrap(), &asked_again, &rp.issuer);
    let (renewed, _) = rp
        .exchange(&code, asked_again.verifier, &asked_again.nonce)
        .await;
    assert!(active(&rp, renewed.access_token()).await);
    assert!(!active(&rp, plain.access_token()).await);
    let kinds = app
        .state
        .db
        .run(|c| latchkey_store::audit::AuditChain::recent(c, 20))
        .await
        .unwrap();
    assert!(kinds.iter().any(|e| e.kind == "consent.revoked"));
}

#[tokio::test]
async fn prompt_consent_shows_the_consent_page_again_to_a_user_who_allowed_the_client() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let rp = Rp::with(
        &app,
        ClientOptions {
            first_party: false,
            ..ClientOptions::default()
        },
    )
    .await;
    let allow = |page: &str| {
        [
            ("request", hidden(page, "request")),
            ("decision", "allow".to_owned()),
            ("user", hidden(page, "user")),
        ]
    };
    let started = rp.start(&["openid", "email"], |r| r);
    let (status, _, page) = get(&bob.browser, started.url.as_str()).await;
    assert_eq!(status, 200);
    let form = allow(&page);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location, _) = bob.browser.post_form("/authorize/consent", &form).await;
    assert_eq!(status, 303);
    super::code_from(&location.unwrap(), &started, &rp.issuer);

    // Allowed before, asked again.
    let again = rp.start(&["openid", "email"], |r| {
        r.add_prompt(CoreAuthPrompt::Consent)
    });
    let (status, _, page) = get(&bob.browser, again.url.as_str()).await;
    assert_eq!(status, 200);
    assert!(page.contains("Allow Test App?"), "{page}");
    let form = allow(&page);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location, _) = bob.browser.post_form("/authorize/consent", &form).await;
    assert_eq!(status, 303);
    let code = super::code_from(&location.unwrap(), &again, &rp.issuer);
    rp.exchange(&code, again.verifier, &again.nonce).await;

    // prompt=none cannot ask; a first-party client is never asked.
    let silent = rp.start(&["openid"], |r| {
        r.add_prompt(CoreAuthPrompt::None)
            .add_prompt(CoreAuthPrompt::Consent)
    });
    let (_, location, _) = get(&bob.browser, silent.url.as_str()).await;
    assert_eq!(
        error_from(&location.unwrap(), &silent, &rp.issuer),
        "invalid_request"
    );
    let first_party = Rp::new(&app).await;
    let started = first_party.start(&["openid"], |r| r.add_prompt(CoreAuthPrompt::Consent));
    let code = authorize(
        &app,
        &first_party,
        &mut bob.browser,
        &mut bob.auth,
        &started,
    )
    .await;
    first_party
        .exchange(&code, started.verifier, &started.nonce)
        .await;
}
