//! One server for the whole corpus, two signed-in people and a registered
//! client, and the preparations some cases need (a fresh code, a spent
//! refresh token, a finished ceremony). Preparations run while the corpus
//! is built, before any case is measured.

use latchkey_testkit::authenticator::SoftAuthenticator;
use latchkey_testkit::{Browser, JsonReply, TestApp};
use serde_json::{Value, json};

use super::request::Who;
use crate::oidc::{REDIRECT_URI, Rp, authorize};
use crate::people::{Person, bootstrap_admin, invited_user, sign_in_options};

pub struct Fixture {
    pub app: TestApp,
    /// A confidential, first-party client (codes come without consent).
    pub rp: Rp,
    pub ada: Person,
    pub bob: Person,
    pub anonymous: Browser,
}

/// A code ready to be redeemed, with what the client must present.
pub struct FreshCode {
    pub code: String,
    pub verifier: String,
}

impl Fixture {
    pub async fn new() -> Self {
        let app = TestApp::spawn().await;
        let ada = bootstrap_admin(&app).await;
        let bob = invited_user(&app, "bob").await;
        let rp = Rp::new(&app).await;
        let anonymous = app.browser();
        Self {
            app,
            rp,
            ada,
            bob,
            anonymous,
        }
    }

    pub fn browser(&mut self, who: Who) -> &mut Browser {
        match who {
            Who::Anonymous => &mut self.anonymous,
            Who::Ada => &mut self.ada.browser,
            Who::Bob => &mut self.bob.browser,
        }
    }

    pub fn secret(&self) -> String {
        self.rp.secret.clone().expect("a confidential client")
    }

    /// An authorization request URL of the client, PKCE S256, as the
    /// library builds it.
    pub fn authorize_url(&self) -> url::Url {
        self.rp.start(&["openid"], |r| r).url
    }

    /// A code issued to Ada (signed in) for `scopes`.
    pub async fn code(&mut self, scopes: &[&str]) -> FreshCode {
        let started = self.rp.start(scopes, |r| r);
        let code = authorize(
            &self.app,
            &self.rp,
            &mut self.ada.browser,
            &mut self.ada.auth,
            &started,
        )
        .await;
        FreshCode {
            code,
            verifier: started.verifier.secret().clone(),
        }
    }

    /// A token-endpoint request of the client, answered 200.
    pub async fn token(&self, form: &[(&str, &str)]) -> Value {
        let res = self
            .app
            .client
            .post(self.app.url("/token"))
            .basic_auth(&self.rp.id, self.rp.secret.as_deref())
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "preparing a token request");
        res.json().await.unwrap()
    }

    /// Redeems `code` as the client would.
    pub async fn redeem(&self, code: &FreshCode) -> Value {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", &code.code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &code.verifier),
        ])
        .await
    }

    /// An access token of Ada's, for the bearer endpoints.
    pub async fn access_token(&mut self) -> String {
        let code = self.code(&["openid"]).await;
        self.redeem(&code).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A refresh token that has already been rotated away.
    pub async fn spent_refresh_token(&mut self) -> String {
        let code = self.code(&["openid", "offline_access"]).await;
        let first = self.redeem(&code).await["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned();
        self.token(&[("grant_type", "refresh_token"), ("refresh_token", &first)])
            .await;
        first
    }

    /// Sign-in options in a browser of its own (not signed in).
    pub async fn signin_options(&self) -> (Browser, JsonReply) {
        let mut browser = self.app.browser();
        let options = sign_in_options(&mut browser).await;
        (browser, options)
    }

    /// Ada's assertion for `options`.
    pub fn ada_assertion(&mut self, options: &JsonReply) -> Value {
        self.ada.auth.authenticate(&options.body, &self.app.address)
    }

    /// Bob's assertion for `options`, presenting `user_handle` instead of
    /// his own.
    pub fn bob_assertion_as(&mut self, options: &JsonReply, user_handle: Vec<u8>) -> Value {
        self.bob.auth.present_user_handle_next(Some(user_handle));
        self.bob.auth.authenticate(&options.body, &self.app.address)
    }

    /// Options of a ceremony started in `who`'s session (`path` is
    /// `/stepup/options` or `/account/passkeys/options`).
    pub async fn ceremony_of(&mut self, who: Who, path: &str) -> JsonReply {
        let reply = self.browser(who).post_json(path, &json!({})).await;
        assert_eq!(reply.status, 200, "{path}: {:?}", reply.body);
        reply
    }

    /// A new passkey made by a new authenticator for registration options.
    pub fn new_passkey_for(&self, options: &JsonReply) -> Value {
        SoftAuthenticator::new().register(&options.body, &self.app.address)
    }

    /// The id of Ada's passkey (as the account page names it).
    pub async fn adas_passkey(&self) -> String {
        let user = self.ada.user_id;
        self.app
            .state
            .db
            .run(move |c| latchkey_store::credentials::list_active(c, user))
            .await
            .unwrap()[0]
            .id
            .clone()
    }
}
