//! The authorization code flow as a certified library drives it: PKCE, ID
//! token validation, userinfo, refresh rotation and reuse, code reuse.

use latchkey_core::Clock as _;
use latchkey_testkit::TestApp;
use openidconnect::core::CoreUserInfoClaims;
use openidconnect::{OAuth2TokenResponse as _, TokenResponse as _};

use super::{
    Rp, active, audited, audited_with, authorize, callback_params, get, jwt_part, token_error,
};
use crate::people::bootstrap_admin;

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
    // A scope named twice is granted once.
    let twice = rp
        .client
        .exchange_refresh_token(narrower.refresh_token().unwrap())
        .unwrap()
        .add_scope(openidconnect::Scope::new("openid".into()))
        .add_scope(openidconnect::Scope::new("openid".into()))
        .request_async(&rp.http)
        .await
        .expect("the refresh token works");
    assert_eq!(
        twice
            .scopes()
            .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
        Some(vec!["openid"])
    );
    assert_eq!(
        jwt_part(twice.access_token().secret(), 1)["scope"],
        "openid"
    );
    assert!(
        audited(&app, "refresh_family.revoked").await,
        "the replay is audited"
    );
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
