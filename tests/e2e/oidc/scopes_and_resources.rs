//! What a client may be granted: the scopes registered for it, and access
//! tokens whose `aud` names the resources (RFC 8707) it asked for among
//! those registered for it — and, for a user's grant, authorized.

use latchkey_testkit::TestApp;
use openidconnect::OAuth2TokenResponse as _;
use serde_json::{Value, json};

use super::{ClientOptions, Rp, authorize, error_from, get, hidden, jwt_part, token_error};
use crate::people::{bootstrap_admin, invited_user};

const ORDERS: &str = "https://api.example.test/orders";
const BILLING: &str = "https://billing.example.test/";
const REPORTS: &str = "https://reports.example.test/";

/// A token request of `rp` (client_secret_basic) with these form fields:
/// the status and the JSON body.
async fn token(app: &TestApp, rp: &Rp, form: &[(&str, &str)]) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/token"))
        .basic_auth(&rp.id, rp.secret.as_deref())
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// A client_credentials request with `extra` fields.
async fn client_credentials(app: &TestApp, rp: &Rp, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![("grant_type", "client_credentials")];
    form.extend_from_slice(extra);
    token(app, rp, &form).await
}

/// What introspection says about `token`, asked by the client it was
/// issued to.
async fn introspect(app: &TestApp, rp: &Rp, token: &str) -> Value {
    let res = app
        .client
        .post(app.url("/introspect"))
        .basic_auth(&rp.id, rp.secret.as_deref())
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The `aud` of an access token in a token response.
fn aud(body: &Value) -> Value {
    jwt_part(body["access_token"].as_str().expect("an access token"), 1)["aud"].clone()
}

#[tokio::test]
async fn client_credentials_grants_only_the_scopes_registered_for_the_client() {
    let app = TestApp::spawn().await;
    let api = Rp::with(
        &app,
        ClientOptions {
            scopes: Some(&["orders:read", "orders:write"]),
            ..ClientOptions::default()
        },
    )
    .await;
    let plain = Rp::new(&app).await;

    // Not registered for the client: invalid_scope, and nothing is issued.
    for (rp, scope) in [
        (&api, "orders:delete"),
        (&api, "orders:read admin"),
        (&plain, "orders:read"),
        (&plain, "anything"),
    ] {
        let (status, body) = client_credentials(&app, rp, &[("scope", scope)]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope")),
            "{scope}: {body}"
        );
        assert!(body.get("access_token").is_none(), "{body}");
    }

    // Registered: granted as asked, through a real client library too.
    let tokens = api
        .client
        .exchange_client_credentials()
        .unwrap()
        .add_scope(openidconnect::Scope::new("orders:read".into()))
        .request_async(&api.http)
        .await
        .expect("a registered scope is granted");
    assert_eq!(
        jwt_part(tokens.access_token().secret(), 1)["scope"],
        "orders:read"
    );
    let (status, body) =
        client_credentials(&app, &api, &[("scope", "orders:write orders:read")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "orders:read orders:write");
    assert_eq!(
        jwt_part(body["access_token"].as_str().unwrap(), 1)["scope"],
        "orders:read orders:write"
    );
    // No scope asked: a token without one, for any confidential client.
    let (status, body) = client_credentials(&app, &plain, &[]).await;
    assert_eq!((status, &body["scope"]), (200, &json!("")), "{body}");
}

#[tokio::test]
async fn client_credentials_for_registered_resources_names_them_as_the_audience() {
    let app = TestApp::spawn().await;
    let api = Rp::with(
        &app,
        ClientOptions {
            resources: &[ORDERS, BILLING],
            ..ClientOptions::default()
        },
    )
    .await;

    let (status, one) = client_credentials(&app, &api, &[("resource", ORDERS)]).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(aud(&one), json!(ORDERS));
    let about = introspect(&app, &api, one["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (&about["active"], &about["aud"]),
        (&json!(true), &json!(ORDERS))
    );

    let (status, two) =
        client_credentials(&app, &api, &[("resource", ORDERS), ("resource", BILLING)]).await;
    assert_eq!(status, 200, "{two}");
    assert_eq!(aud(&two), json!([ORDERS, BILLING]));
    let about = introspect(&app, &api, two["access_token"].as_str().unwrap()).await;
    assert_eq!(about["aud"], json!([ORDERS, BILLING]));

    // None named: the default audience, as for a client without resources.
    let (status, none) = client_credentials(&app, &api, &[]).await;
    assert_eq!(status, 200, "{none}");
    assert_eq!(aud(&none), json!(format!("{}/userinfo", app.address)));
}

#[tokio::test]
async fn a_resource_not_registered_for_the_client_is_invalid_target_at_token_and_nothing_is_issued()
{
    let app = TestApp::spawn().await;
    let api = Rp::with(
        &app,
        ClientOptions {
            resources: &[ORDERS],
            ..ClientOptions::default()
        },
    )
    .await;
    let plain = Rp::new(&app).await;

    for (rp, resources) in [
        (&api, vec![REPORTS]),
        (&api, vec![ORDERS, REPORTS]),
        // Matched exactly: no normalisation.
        (&api, vec!["https://api.example.test/orders/"]),
        (&api, vec!["https://API.example.test/orders"]),
        (&api, vec!["https://api.example.test/orders#x"]),
        (&api, vec!["orders"]),
        (&plain, vec![ORDERS]),
    ] {
        let extra: Vec<(&str, &str)> = resources.iter().map(|r| ("resource", *r)).collect();
        let (status, body) = client_credentials(&app, rp, &extra).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_target")),
            "{resources:?}: {body}"
        );
        assert!(body.get("access_token").is_none(), "{body}");
    }
}

#[tokio::test]
async fn authorize_refuses_scopes_and_resources_not_registered_for_the_client_at_its_redirect_uri()
{
    let app = TestApp::spawn().await;
    let ada = bootstrap_admin(&app).await;
    let rp = Rp::with(
        &app,
        ClientOptions {
            scopes: Some(&["openid", "orders:read"]),
            resources: &[ORDERS],
            ..ClientOptions::default()
        },
    )
    .await;

    for started in [
        rp.start(&["openid"], |r| r.add_extra_param("resource", REPORTS)),
        rp.start(&["openid"], |r| {
            r.add_extra_param("resource", ORDERS)
                .add_extra_param("resource", BILLING)
        }),
        rp.start(&["openid"], |r| {
            r.add_extra_param("resource", "https://api.example.test/orders#frag")
        }),
    ] {
        let (status, location, body) = get(&ada.browser, started.url.as_str()).await;
        assert_eq!(status, 303, "{body}");
        assert_eq!(
            error_from(&location.unwrap(), &started, &rp.issuer),
            "invalid_target"
        );
    }
    // A scope this server knows, but not registered for this client; and
    // one registered for another client only.
    let other = Rp::with(
        &app,
        ClientOptions {
            scopes: Some(&["openid", "reports:read"]),
            ..ClientOptions::default()
        },
    )
    .await;
    for scopes in [["openid", "profile"], ["openid", "reports:read"]] {
        let started = rp.start(&scopes, |r| r);
        let (status, location, body) = get(&ada.browser, started.url.as_str()).await;
        assert_eq!(status, 303, "{body}");
        assert_eq!(
            error_from(&location.unwrap(), &started, &rp.issuer),
            "invalid_scope",
            "{scopes:?}"
        );
    }
    let started = other.start(&["openid", "orders:read"], |r| r);
    let (_, location, _) = get(&ada.browser, started.url.as_str()).await;
    assert_eq!(
        error_from(&location.unwrap(), &started, &other.issuer),
        "invalid_scope"
    );
}

#[tokio::test]
async fn code_flow_tokens_are_for_the_authorized_resources_and_a_refresh_may_narrow_them_never_widen()
 {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::with(
        &app,
        ClientOptions {
            scopes: Some(&["openid", "offline_access", "orders:read"]),
            resources: &[ORDERS, BILLING, REPORTS],
            ..ClientOptions::default()
        },
    )
    .await;
    let started = rp.start(&["openid", "offline_access", "orders:read"], |r| {
        r.add_extra_param("resource", ORDERS)
            .add_extra_param("resource", BILLING)
    });
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;

    // No resource at the token endpoint: every authorized one.
    let access = tokens.access_token().secret();
    assert_eq!(jwt_part(access, 1)["aud"], json!([ORDERS, BILLING]));
    assert_eq!(
        jwt_part(access, 1)["scope"],
        "offline_access openid orders:read"
    );
    // A token for the APIs is not a token for userinfo.
    let userinfo = app
        .client
        .get(app.url("/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 401);

    // A resource registered for the client but not in the grant: refused,
    // and the refresh token stays good.
    let refresh = tokens.refresh_token().unwrap().secret().clone();
    let (status, body) = token(
        &app,
        &rp,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("resource", REPORTS),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_target")),
        "{body}"
    );
    let narrowed = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .add_extra_param("resource", ORDERS)
        .request_async(&rp.http)
        .await
        .expect("a refresh may narrow the resources");
    assert_eq!(
        jwt_part(narrowed.access_token().secret(), 1)["aud"],
        json!(ORDERS)
    );
    // The grant is not narrowed for good: the next refresh may ask for all.
    let all = rp
        .client
        .exchange_refresh_token(narrowed.refresh_token().unwrap())
        .unwrap()
        .request_async(&rp.http)
        .await
        .unwrap();
    assert_eq!(
        jwt_part(all.access_token().secret(), 1)["aud"],
        json!([ORDERS, BILLING])
    );

    // At the code exchange, too, only the authorized resources.
    let started = rp.start(&["openid"], |r| r.add_extra_param("resource", ORDERS));
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let refused = rp
        .client
        .exchange_code(openidconnect::AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(started.verifier)
        .add_extra_param("resource", BILLING)
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(refused), "invalid_target");
}

#[tokio::test]
async fn a_grant_authorized_without_resources_keeps_the_default_audience_and_cannot_gain_one() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::with(
        &app,
        ClientOptions {
            resources: &[ORDERS],
            ..ClientOptions::default()
        },
    )
    .await;
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(
        jwt_part(tokens.access_token().secret(), 1)["aud"],
        json!(format!("{}/userinfo", app.address))
    );
    let widened = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .add_extra_param("resource", ORDERS)
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(widened), "invalid_target");
}

#[tokio::test]
async fn a_third_party_client_asking_for_a_registered_api_scope_shows_it_on_the_consent_page() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let rp = Rp::with(
        &app,
        ClientOptions {
            first_party: false,
            scopes: Some(&["openid", "orders:read"]),
            ..ClientOptions::default()
        },
    )
    .await;
    let started = rp.start(&["openid", "orders:read"], |r| r);
    let (status, _, page) = get(&bob.browser, started.url.as_str()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("orders:read"), "{page}");
    let request = hidden(&page, "request");
    let (status, location, _) = bob
        .browser
        .post_form(
            "/authorize/consent",
            &[
                ("request", &request),
                ("decision", "allow"),
                ("user", &bob.user_id.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let code = super::code_from(&location.unwrap(), &started, &rp.issuer);
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(
        jwt_part(tokens.access_token().secret(), 1)["scope"],
        "openid orders:read"
    );
}
