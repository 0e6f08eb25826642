//! The authorization code flow as a certified library drives it: PKCE, ID
//! token validation, userinfo, refresh rotation and reuse, code reuse,
//! revocation, introspection, consent, client authentication methods.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::Clock as _;
use openidconnect::core::{CoreAuthPrompt, CoreUserInfoClaims};
use openidconnect::{
    AuthType, OAuth2TokenResponse as _, RequestTokenError, TokenIntrospectionResponse as _,
    TokenResponse as _,
};
use serde_json::Value;

use super::{ClientOptions, Rp, authorize, callback_params, error_from, get};
use crate::people::{bootstrap_admin, invited_user};
use latchkey_testkit::TestApp;

/// The payload of a JWT, unverified (the library verified it already).
pub fn jwt_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// The error code of a failed token request.
pub fn token_error<RE, T>(e: RequestTokenError<RE, T>) -> String
where
    RE: std::error::Error + 'static,
    T: openidconnect::ErrorResponse + 'static,
{
    match e {
        RequestTokenError::ServerResponse(r) => serde_json::to_value(&r).unwrap()["error"]
            .as_str()
            .unwrap()
            .to_owned(),
        other => panic!("expected an OAuth error response, got {other:?}"),
    }
}

/// RFC 7009 revocation as the client (the library refuses http:// revocation
/// endpoints, so this is a plain form post). Always 200.
async fn revoke(app: &TestApp, rp: &Rp, token: &str) {
    let res = app
        .client
        .post(app.url("/revoke"))
        .basic_auth(&rp.id, rp.secret.as_deref())
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "revocation answers 200");
    assert_eq!(res.headers()["cache-control"], "no-store");
}

async fn active(rp: &Rp, token: &openidconnect::AccessToken) -> bool {
    rp.client
        .introspect(token)
        .request_async(&rp.http)
        .await
        .expect("introspection answers")
        .active()
}

#[tokio::test]
async fn code_flow_with_pkce_issues_an_id_token_the_library_validates_and_userinfo() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid", "profile", "email"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (tokens, claims) = rp.exchange(&code, started.verifier, &started.nonce).await;

    assert_eq!(claims.subject().as_str(), ada.user_id.to_string());
    assert_eq!(claims.issuer().as_str(), app.address);
    assert_eq!(claims.audiences().len(), 1);
    assert_eq!(claims.audiences()[0].as_str(), rp.id);
    assert_eq!(
        claims.auth_time().map(|t| t.timestamp()),
        Some(app.clock.now().timestamp())
    );
    assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("phr"));
    let amr: Vec<&str> = claims
        .auth_method_refs()
        .unwrap()
        .iter()
        .map(|a| a.as_str())
        .collect();
    assert_eq!(amr, ["hwk", "user", "pop"]);
    assert_eq!(claims.preferred_username().map(|u| u.as_str()), Some("ada"));
    let id_token = tokens.id_token().unwrap().to_string();
    let payload = jwt_part(&id_token, 1);
    assert!(
        payload["sid"].as_str().is_some_and(|s| s.len() >= 32),
        "{payload}"
    );
    assert!(payload["c_hash"].is_string(), "{payload}");
    assert!(
        tokens.refresh_token().is_none(),
        "no offline_access, no refresh token"
    );

    // The access token is an RFC 9068 JWT.
    let access = tokens.access_token().secret().clone();
    assert_eq!(jwt_part(&access, 0)["typ"], "at+jwt");
    let at = jwt_part(&access, 1);
    assert_eq!(at["client_id"], rp.id.as_str());
    assert_eq!(at["sub"], ada.user_id.to_string());
    assert_eq!(at["scope"], "email openid profile");

    let info: CoreUserInfoClaims = rp
        .client
        .user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        )
        .unwrap()
        .request_async(&rp.http)
        .await
        .expect("userinfo answers for the token's user");
    assert_eq!(info.preferred_username().map(|u| u.as_str()), Some("ada"));
    assert!(info.name().is_some());

    // The same browser signs in to the client again without a ceremony.
    let again = rp.start(&["openid"], |r| r);
    let (status, location, _) = get(&ada.browser, again.url.as_str()).await;
    assert_eq!(status, 303);
    let params = callback_params(&location.unwrap());
    assert!(params.contains_key("code"));
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (first, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    let r1 = first
        .refresh_token()
        .expect("offline_access gives a refresh token")
        .clone();

    let second = rp
        .client
        .exchange_refresh_token(&r1)
        .unwrap()
        .request_async(&rp.http)
        .await
        .expect("the refresh token works once");
    let r2 = second.refresh_token().expect("a new refresh token").clone();
    assert_ne!(r1.secret(), r2.secret(), "rotated on use");
    assert!(second.id_token().is_some());
    assert!(active(&rp, second.access_token()).await);

    // r1 again: somebody copied it. The whole family ends.
    let replay = rp
        .client
        .exchange_refresh_token(&r1)
        .unwrap()
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(replay), "invalid_grant");
    let after = rp
        .client
        .exchange_refresh_token(&r2)
        .unwrap()
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(after), "invalid_grant");
    assert!(
        !active(&rp, second.access_token()).await,
        "its access tokens too"
    );

    // A narrower scope may be asked for, never a wider one.
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    let wider = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .add_scope(openidconnect::Scope::new("email".into()))
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(wider), "invalid_scope");
    // The refused request left the grant as it was.
    let narrower = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .add_scope(openidconnect::Scope::new("openid".into()))
        .request_async(&rp.http)
        .await
        .expect("the refresh token still works");
    assert_eq!(
        narrower
            .scopes()
            .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
        Some(vec!["openid"])
    );
    assert!(
        audited(&app, "refresh_family.revoked").await,
        "the replay is audited"
    );
}

/// Whether an audit event of this kind was recorded.
pub async fn audited(app: &TestApp, kind: &'static str) -> bool {
    audited_with(app, kind, "").await
}

/// Whether an audit event of this kind, whose detail contains `needle`, was
/// recorded.
pub async fn audited_with(app: &TestApp, kind: &'static str, needle: &str) -> bool {
    app.state
        .db
        .run(|c| latchkey_store::audit::AuditChain::recent(c, 100))
        .await
        .unwrap()
        .iter()
        .any(|e| e.kind == kind && e.detail.contains(needle))
}

#[tokio::test]
async fn a_code_used_twice_is_refused_and_revokes_what_it_issued() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let verifier = started.verifier.secret().clone();
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert!(active(&rp, tokens.access_token()).await);

    let second = rp
        .client
        .exchange_code(openidconnect::AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(openidconnect::PkceCodeVerifier::new(verifier))
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(second), "invalid_grant");
    assert!(!active(&rp, tokens.access_token()).await);
    let refresh = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(refresh), "invalid_grant");
    assert!(audited_with(&app, "refresh_family.revoked", "code_reused").await);
    let userinfo = app
        .client
        .get(app.url("/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 401);
    assert!(
        userinfo.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer error=\"invalid_token\"")
    );
}

#[tokio::test]
async fn revocation_and_introspection_follow_rfc_7009_and_7662() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let other = Rp::new(&app).await;
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;

    let about = rp
        .client
        .introspect(tokens.access_token())
        .request_async(&rp.http)
        .await
        .unwrap();
    assert!(about.active());
    assert_eq!(about.client_id().map(|c| c.as_str()), Some(rp.id.as_str()));
    assert_eq!(about.sub(), Some(ada.user_id.to_string().as_str()));
    assert_eq!(about.iss(), Some(app.address.as_str()));
    // Another client learns nothing about it, and cannot revoke it.
    assert!(!active(&other, tokens.access_token()).await);
    revoke(&app, &other, tokens.access_token().secret()).await;
    assert!(active(&rp, tokens.access_token()).await);

    // The owner revokes the access token, then the refresh token.
    revoke(&app, &rp, tokens.access_token().secret()).await;
    assert!(!active(&rp, tokens.access_token()).await);
    let refresh = tokens.refresh_token().unwrap().clone();
    let as_token = openidconnect::AccessToken::new(refresh.secret().clone());
    let about = rp.client.introspect(&as_token);
    assert!(about.request_async(&rp.http).await.unwrap().active());
    revoke(&app, &rp, refresh.secret()).await;
    let refused = rp
        .client
        .exchange_refresh_token(&refresh)
        .unwrap()
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(refused), "invalid_grant");
    // A disabled account's tokens are not active any more.
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (fresh, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert!(active(&rp, fresh.access_token()).await);
    let disabled = app.db.execute(&format!(
        "UPDATE users SET disabled_at = created_at WHERE id = '{}'",
        ada.user_id
    ));
    assert_eq!(disabled, 1);
    assert!(!active(&rp, fresh.access_token()).await);
    let refresh_as_token =
        openidconnect::AccessToken::new(fresh.refresh_token().unwrap().secret().clone());
    assert!(!active(&rp, &refresh_as_token).await);
    // An unknown token: still 200 (RFC 7009 §2.2).
    revoke(&app, &rp, "lk_rt_nonsense").await;
}

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
    let asked_again = rp.start(&["openid", "email"], |r| r);
    let (status, _, page) = get(&bob.browser, asked_again.url.as_str()).await;
    assert_eq!(status, 200);
    assert!(page.contains("Allow Test App?"));
    let kinds = app
        .state
        .db
        .run(|c| latchkey_store::audit::AuditChain::recent(c, 20))
        .await
        .unwrap();
    assert!(kinds.iter().any(|e| e.kind == "consent.revoked"));
}

/// The value of a hidden form field.
pub fn hidden(page: &str, name: &str) -> String {
    page.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no hidden field {name} in {page}"))
        .to_owned()
}

#[tokio::test]
async fn discovery_and_jwks_publish_what_is_implemented() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    let text = serde_json::to_string(&doc)
        .unwrap()
        .replace(&app.address, "http://localhost:[port]");
    let doc: Value = serde_json::from_str(&text).unwrap();
    insta::assert_json_snapshot!("served_discovery", doc);

    let jwks: Value = app.get("/jwks").await.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    // The active ES256 key and the next one, published before it signs.
    assert_eq!(keys.len(), 2, "{jwks}");
    for k in keys {
        assert_eq!(k["kty"], "EC");
        assert_eq!(k["crv"], "P-256");
        assert_eq!(k["alg"], "ES256");
        assert_eq!(k["use"], "sig");
        assert!(k["kid"].is_string());
        assert!(k.get("d").is_none(), "no private part: {k}");
    }
    insta::assert_json_snapshot!("served_jwks", jwks, {
        ".keys[].kid" => "[kid]",
        ".keys[].x" => "[x]",
        ".keys[].y" => "[y]",
    });
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
    assert_eq!(report.access_tokens_revoked, 1);

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
