//! Revocation (RFC 7009) and introspection (RFC 7662).

use latchkey_testkit::TestApp;
use openidconnect::{OAuth2TokenResponse as _, TokenIntrospectionResponse as _};

use super::{Rp, active, authorize, revoke, token_error};
use crate::people::bootstrap_admin;

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
