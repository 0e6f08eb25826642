//! Client authentication methods, client_credentials, disabling a client,
//! and CORS for browser-based public clients.

use latchkey_core::Clock as _;
use latchkey_testkit::TestApp;
use openidconnect::{AuthType, OAuth2TokenResponse as _};
use serde_json::Value;

use super::{ClientOptions, Rp, audited_with, authorize, get, jwt_part, token_error};
use crate::people::bootstrap_admin;

#[tokio::test]
async fn client_secret_post_and_public_clients_with_pkce_work() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;

    let mut post = Rp::new(&app).await;
    post.client = post.client.clone().set_auth_type(AuthType::RequestBody);
    let started = post.start(&["openid"], |r| r);
    let code = authorize(&app, &post, &mut ada.browser, &mut ada.auth, &started).await;
    post.exchange(&code, started.verifier, &started.nonce).await;

    let public = Rp::with(
        &app,
        ClientOptions {
            public: true,
            ..ClientOptions::default()
        },
    )
    .await;
    assert!(public.secret.is_none());
    let started = public.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &public, &mut ada.browser, &mut ada.auth, &started).await;
    let (tokens, _) = public
        .exchange(&code, started.verifier, &started.nonce)
        .await;
    // A public client may refresh and revoke, but not introspect.
    let refreshed = public
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&public.http)
        .await
        .unwrap();
    let introspect = app
        .client
        .post(app.url("/introspect"))
        .form(&[
            ("client_id", public.id.as_str()),
            ("token", refreshed.access_token().secret().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(introspect.status(), 401);
    // A public client cannot pretend to have a secret.
    let with_secret = app
        .client
        .post(app.url("/token"))
        .basic_auth(&public.id, Some("guess"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(with_secret.status(), 401);
}

#[tokio::test]
async fn client_credentials_is_for_confidential_clients_and_carries_no_user() {
    let app = TestApp::spawn().await;
    let rp = Rp::new(&app).await;
    let tokens = rp
        .client
        .exchange_client_credentials()
        .unwrap()
        .request_async(&rp.http)
        .await
        .expect("a confidential client gets a token");
    assert!(tokens.refresh_token().is_none());
    let claims = jwt_part(tokens.access_token().secret(), 1);
    assert_eq!(claims["sub"], rp.id.as_str());
    assert_eq!(claims["client_id"], rp.id.as_str());
    let user_scope = rp
        .client
        .exchange_client_credentials()
        .unwrap()
        .add_scope(openidconnect::Scope::new("openid".into()))
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(user_scope), "invalid_scope");

    let public = Rp::with(
        &app,
        ClientOptions {
            public: true,
            ..ClientOptions::default()
        },
    )
    .await;
    let refused = public
        .client
        .exchange_client_credentials()
        .unwrap()
        .request_async(&public.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(refused), "unauthorized_client");
}

#[tokio::test]
async fn disabling_a_client_ends_its_grants_and_refuses_it_everywhere() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;

    let (audit, id, now) = (
        app.state.audit.clone(),
        latchkey_core::ClientId::parse(&rp.id).unwrap(),
        app.clock.now(),
    );
    let report = app
        .state
        .db
        .run(move |c| latchkey_oidc::clients::disable(c, &audit, "test", &id, now))
        .await
        .unwrap()
        .expect("it was enabled");
    assert_eq!(report.refresh_families_revoked, 1);

    let userinfo = app
        .client
        .get(app.url("/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 401);
    let refresh = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(refresh), "invalid_client");
    let started = rp.start(&["openid"], |r| r);
    let (status, location, _) = get(&ada.browser, started.url.as_str()).await;
    assert_eq!(
        (status, location),
        (400, None),
        "an error page, no redirect"
    );
    assert!(audited_with(&app, "client.updated", "\"disabled\":true").await);
}

#[tokio::test]
async fn browser_based_public_clients_may_call_token_revoke_and_userinfo_across_origins() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let public = Rp::with(
        &app,
        ClientOptions {
            public: true,
            ..ClientOptions::default()
        },
    )
    .await;
    let started = public.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &public, &mut ada.browser, &mut ada.auth, &started).await;
    let app_origin = "http://localhost:4180";
    let res = app
        .client
        .post(app.url("/token"))
        .header("origin", app_origin)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", super::REDIRECT_URI),
            ("client_id", public.id.as_str()),
            ("code_verifier", started.verifier.secret().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], app_origin);
    let tokens: Value = res.json().await.unwrap();

    // Another origin, or an error for this one: the browser is told which.
    let refused = app
        .client
        .post(app.url("/token"))
        .header("origin", "https://attacker.example")
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ("client_id", public.id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let error = app
        .client
        .post(app.url("/token"))
        .header("origin", app_origin)
        .form(&[
            ("grant_type", "password"),
            ("client_id", public.id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(error.status(), 400);
    assert_eq!(error.headers()["access-control-allow-origin"], app_origin);

    // Userinfo takes a bearer token from any origin, after a preflight.
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/userinfo"))
        .header("origin", app_origin)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let info = app
        .client
        .get(app.url("/userinfo"))
        .header("origin", app_origin)
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), 200);
    assert_eq!(info.headers()["access-control-allow-origin"], "*");

    let revoked = app
        .client
        .post(app.url("/revoke"))
        .header("origin", app_origin)
        .form(&[
            ("token", tokens["refresh_token"].as_str().unwrap()),
            ("client_id", public.id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(revoked.headers()["access-control-allow-origin"], app_origin);

    // A confidential client's answers are never readable cross-origin.
    let rp = Rp::new(&app).await;
    let res = app
        .client
        .post(app.url("/token"))
        .header("origin", app_origin)
        .basic_auth(&rp.id, rp.secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_client_whose_stored_min_acr_does_not_parse_is_refused_at_authorize_with_a_server_error()
{
    let app = TestApp::spawn().await;
    let ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    // A row written by hand (or by a newer version): the minimum it meant
    // is unknown, so nothing may proceed without it.
    let changed = app.db.execute(&format!(
        "UPDATE clients SET min_acr = 'aal9' WHERE id = '{}'",
        rp.id
    ));
    assert_eq!(changed, 1);
    let started = rp.start(&["openid"], |r| r);
    let (status, location, body) = get(&ada.browser, started.url.as_str()).await;
    assert_eq!((status, location), (500, None), "{body}");
    assert!(body.contains("<html"), "an HTML error page: {body}");
}

#[tokio::test]
async fn a_client_with_an_unknown_id_token_alg_gets_server_error_at_token_and_nothing_is_issued() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let changed = app.db.execute(&format!(
        "UPDATE clients SET id_token_alg = 'HS256' WHERE id = '{}'",
        rp.id
    ));
    assert_eq!(changed, 1);
    let res = app
        .client
        .post(app.url("/token"))
        .basic_auth(&rp.id, rp.secret.as_deref())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", super::REDIRECT_URI),
            ("code_verifier", started.verifier.secret().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "server_error", "{body}");
    assert!(body.get("access_token").is_none(), "{body}");
    // Nothing was recorded for the client: no refresh family.
    let touch = |table: &str| {
        app.db.execute(&format!(
            "UPDATE {table} SET client_id = client_id WHERE client_id = '{}'",
            rp.id
        ))
    };
    assert_eq!(touch("refresh_token_families"), 0);
}
