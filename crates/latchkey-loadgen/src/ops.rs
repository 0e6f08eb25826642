//! What each operation sends and checks.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use ring::rand::SystemRandom;
use serde_json::{Value, json};
use tokio::sync::Notify;
use url::Url;

use crate::authenticator::SoftAuthenticator;
use crate::browser::{Browser, OpError, json_of_200};
use crate::idtoken::{self, Expected, IdTokenError, Jwks};
use crate::pkce::{Pkce, random_token};
use crate::provision::ClientCredentials;
use crate::routes;
use crate::scenario::Op;
use crate::target::Target;

/// The scopes every sign-in asks for.
pub const SCOPE: &str = "openid profile email offline_access";

/// A user's tokens from their last sign-in or refresh.
#[derive(Debug, Clone)]
pub struct UserTokens {
    pub access: String,
    pub refresh: Option<String>,
    pub obtained: Instant,
}

/// A person with a browser and a passkey on a software authenticator.
#[derive(Debug)]
pub struct VirtualUser {
    pub index: usize,
    pub username: String,
    pub browser: Browser,
    pub auth: SoftAuthenticator,
    pub tokens: Option<UserTokens>,
}

/// The users not busy right now. A user is used by one operation at a
/// time, as a person is: their passkey's counter and their refresh-token
/// chain only ever move forward.
#[derive(Debug, Default)]
pub struct UserPool {
    idle: Mutex<VecDeque<VirtualUser>>,
    returned: Notify,
}

impl UserPool {
    pub fn new(users: Vec<VirtualUser>) -> Self {
        Self {
            idle: Mutex::new(users.into()),
            returned: Notify::new(),
        }
    }

    pub async fn take(&self) -> VirtualUser {
        loop {
            let next = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop_front();
            if let Some(user) = next {
                return user;
            }
            self.returned.notified().await;
        }
    }

    pub fn put(&self, user: VirtualUser) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(user);
        self.returned.notify_one();
    }

    /// Takes every user out (none may be busy).
    pub fn drain(&self) -> Vec<VirtualUser> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
            .collect()
    }

    pub fn len(&self) -> usize {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Access tokens of the confidential client, for introspection.
#[derive(Debug, Default)]
pub struct ServiceTokens {
    pub tokens: Vec<String>,
    pub obtained: Option<Instant>,
}

/// Everything the operations share.
#[derive(Debug)]
pub struct Shared {
    pub target: Target,
    /// The issuer as discovery states it (ID tokens' `iss`).
    pub issuer: String,
    /// The relying party's back end: one client, kept-alive connections.
    pub rp: reqwest::Client,
    pub public_client: ClientCredentials,
    pub confidential_client: ClientCredentials,
    pub redirect_uri: String,
    pub jwks: RwLock<Arc<Jwks>>,
    pub users: UserPool,
    pub service_tokens: RwLock<ServiceTokens>,
    pub rng: SystemRandom,
    turn: AtomicUsize,
}

/// The wall clock, for token expiry as a relying party checks it.
#[allow(clippy::disallowed_methods)]
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

impl Shared {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        target: Target,
        issuer: String,
        rp: reqwest::Client,
        public_client: ClientCredentials,
        confidential_client: ClientCredentials,
        redirect_uri: String,
        jwks: Jwks,
        users: Vec<VirtualUser>,
    ) -> Self {
        Self {
            target,
            issuer,
            rp,
            public_client,
            confidential_client,
            redirect_uri,
            jwks: RwLock::new(Arc::new(jwks)),
            users: UserPool::new(users),
            service_tokens: RwLock::new(ServiceTokens::default()),
            rng: SystemRandom::new(),
            turn: AtomicUsize::new(0),
        }
    }

    /// Runs one operation, taking a user from the pool if it needs one.
    pub async fn run(&self, op: Op) -> Result<(), OpError> {
        match op {
            Op::Signin | Op::Refresh | Op::Userinfo => {
                let mut user = self.users.take().await;
                let result = match op {
                    Op::Signin => self.sign_in(&mut user).await,
                    Op::Refresh => self.refresh(&mut user).await,
                    _ => self.userinfo(&user).await,
                };
                self.users.put(user);
                result
            }
            Op::ClientCredentials => self.client_credentials().await.map(drop),
            Op::Introspect => self.introspect().await,
            Op::Discovery => self.discovery().await.map(drop),
            Op::Jwks => self.fetch_jwks().await.map(drop),
        }
    }

    fn url(&self, path: &str) -> String {
        self.target.url(path)
    }

    /// The full sign-in of a returning user in a fresh browser session:
    /// authorization request with PKCE, the sign-in page, a discoverable
    /// passkey assertion, back to the authorization endpoint, the code
    /// exchanged, the ID token verified.
    pub async fn sign_in(&self, user: &mut VirtualUser) -> Result<(), OpError> {
        let browser = &mut user.browser;
        browser.clear();
        let pkce = Pkce::generate(&self.rng);
        let state = random_token(&self.rng, 16);
        let nonce = random_token(&self.rng, 16);
        let mut authorize = Url::parse(&self.url(routes::AUTHORIZE))
            .map_err(|_| OpError::protocol("authorize", "bad URL"))?;
        authorize
            .query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.public_client.id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", SCOPE)
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        let reply = browser.get("authorize", authorize.as_str()).await?;
        let to_signin = match (reply.status, reply.location) {
            (302 | 303, Some(l)) => l,
            (status, _) => return Err(OpError::status("authorize", status, &reply.body)),
        };
        let signin_url = Url::parse(&self.target.base)
            .and_then(|b| b.join(&to_signin))
            .map_err(|_| OpError::protocol("authorize", "bad Location"))?;
        let next = signin_url
            .query_pairs()
            .find(|(k, _)| k == "next")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| OpError::protocol("authorize", "no next in the sign-in redirect"))?;
        browser.page("signin page", signin_url.as_str()).await?;

        let options = browser
            .post_json("signin/options", routes::SIGNIN_OPTIONS, &json!({}))
            .await?;
        let credential = user
            .auth
            .try_authenticate(&options, &self.target.origin, None)
            .map_err(|_| OpError::protocol("authenticator", "refused to sign"))?;
        let done = browser
            .post_json(
                "signin/finish",
                routes::SIGNIN_FINISH,
                &json!({
                    "ceremony": options["ceremony"],
                    "credential": credential,
                    "flow": "modal",
                    "next": next,
                }),
            )
            .await?;
        let back = done["redirect"]
            .as_str()
            .ok_or_else(|| OpError::protocol("signin/finish", "no redirect"))?
            .to_owned();
        let reply = browser.get("authorize/continue", &back).await?;
        let callback = match (reply.status, reply.location) {
            (302 | 303, Some(l)) => l,
            (status, _) => return Err(OpError::status("authorize/continue", status, &reply.body)),
        };
        let code = self.code_from_callback(&callback, &state)?;

        let tokens = browser
            .post_form(
                "token (code)",
                routes::TOKEN,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", &self.redirect_uri),
                    ("client_id", &self.public_client.id),
                    ("code_verifier", &pkce.verifier),
                ],
            )
            .await?;
        let id_token = tokens["id_token"]
            .as_str()
            .ok_or_else(|| OpError::protocol("token (code)", "no id_token"))?;
        self.verify_id_token(id_token, &nonce).await?;
        user.tokens = Some(user_tokens(&tokens, "token (code)")?);
        Ok(())
    }

    /// The code of a successful authorization response, after checking
    /// `state` and the RFC 9207 `iss`.
    fn code_from_callback(&self, callback: &str, state: &str) -> Result<String, OpError> {
        const STEP: &str = "authorize/continue";
        if !callback.starts_with(&self.redirect_uri) {
            return Err(OpError::protocol(STEP, "redirect to an unexpected place"));
        }
        let url = Url::parse(callback).map_err(|_| OpError::protocol(STEP, "bad Location"))?;
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if let Some(error) = param("error") {
            let plain =
                error.len() <= 48 && error.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            return Err(OpError::protocol(
                STEP,
                &format!("error={}", if plain { error.as_str() } else { "?" }),
            ));
        }
        if param("state").as_deref() != Some(state) {
            return Err(OpError::protocol(STEP, "state does not match"));
        }
        if param("iss").as_deref() != Some(self.issuer.as_str()) {
            return Err(OpError::protocol(STEP, "iss does not match"));
        }
        param("code").ok_or_else(|| OpError::protocol(STEP, "no code"))
    }

    /// Verifies an ID token as a relying party does, fetching the JWKS
    /// again once if the token names a key it does not know (rotation).
    pub async fn verify_id_token(&self, token: &str, nonce: &str) -> Result<Value, OpError> {
        let expected = Expected {
            issuer: &self.issuer,
            audience: &self.public_client.id,
            nonce: Some(nonce),
            now: unix_now(),
        };
        let keys = self
            .jwks
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match idtoken::verify(&keys, token, &expected) {
            Err(IdTokenError::UnknownKey(_)) => {
                let fresh = Arc::new(self.fetch_jwks().await?);
                *self.jwks.write().unwrap_or_else(PoisonError::into_inner) = fresh.clone();
                idtoken::verify(&fresh, token, &expected)
            }
            other => other,
        }
        .map_err(|e| OpError::protocol("id_token", e.kind()))
    }

    /// Rotates the user's refresh token.
    pub async fn refresh(&self, user: &mut VirtualUser) -> Result<(), OpError> {
        const STEP: &str = "token (refresh)";
        let current = user
            .tokens
            .as_ref()
            .and_then(|t| t.refresh.clone())
            .ok_or_else(|| OpError::protocol(STEP, "the user has no refresh token"))?;
        let tokens = user
            .browser
            .post_form(
                STEP,
                routes::TOKEN,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &current),
                    ("client_id", &self.public_client.id),
                ],
            )
            .await?;
        let fresh = user_tokens(&tokens, STEP)?;
        if fresh.refresh.is_none() {
            return Err(OpError::protocol(STEP, "no new refresh token"));
        }
        user.tokens = Some(fresh);
        Ok(())
    }

    /// The relying party's back end asks for the user's claims.
    pub async fn userinfo(&self, user: &VirtualUser) -> Result<(), OpError> {
        const STEP: &str = "userinfo";
        let access = user
            .tokens
            .as_ref()
            .map(|t| t.access.clone())
            .ok_or_else(|| OpError::protocol(STEP, "the user has no access token"))?;
        let res = self
            .rp
            .get(self.url(routes::USERINFO))
            .bearer_auth(access)
            .send()
            .await
            .map_err(|e| OpError::transport(STEP, &e))?;
        let claims = json_of_200(STEP, res).await?;
        if claims["sub"].as_str().is_none_or(str::is_empty) {
            return Err(OpError::protocol(STEP, "no sub"));
        }
        Ok(())
    }

    /// A token for the confidential client itself.
    pub async fn client_credentials(&self) -> Result<String, OpError> {
        const STEP: &str = "token (client_credentials)";
        let res = self
            .rp
            .post(self.url(routes::TOKEN))
            .basic_auth(
                &self.confidential_client.id,
                self.confidential_client.secret.as_deref(),
            )
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| OpError::transport(STEP, &e))?;
        let body = json_of_200(STEP, res).await?;
        body["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| OpError::protocol(STEP, "no access_token"))
    }

    /// A resource server (the confidential client) introspects one of its
    /// access tokens.
    pub async fn introspect(&self) -> Result<(), OpError> {
        const STEP: &str = "introspect";
        let token = {
            let held = self
                .service_tokens
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            if held.tokens.is_empty() {
                return Err(OpError::protocol(STEP, "no token to introspect"));
            }
            let n = self.turn.fetch_add(1, Ordering::Relaxed);
            held.tokens[n % held.tokens.len()].clone()
        };
        let res = self
            .rp
            .post(self.url(routes::INTROSPECT))
            .basic_auth(
                &self.confidential_client.id,
                self.confidential_client.secret.as_deref(),
            )
            .form(&[("token", token.as_str())])
            .send()
            .await
            .map_err(|e| OpError::transport(STEP, &e))?;
        let body = json_of_200(STEP, res).await?;
        if body["active"] != true {
            return Err(OpError::protocol(STEP, "token reported inactive"));
        }
        Ok(())
    }

    pub async fn discovery(&self) -> Result<Value, OpError> {
        const STEP: &str = "discovery";
        let res = self
            .rp
            .get(self.url(routes::DISCOVERY))
            .send()
            .await
            .map_err(|e| OpError::transport(STEP, &e))?;
        let doc = json_of_200(STEP, res).await?;
        if doc["issuer"].as_str().is_none() {
            return Err(OpError::protocol(STEP, "no issuer"));
        }
        Ok(doc)
    }

    pub async fn fetch_jwks(&self) -> Result<Jwks, OpError> {
        const STEP: &str = "jwks";
        let res = self
            .rp
            .get(self.url(routes::JWKS))
            .send()
            .await
            .map_err(|e| OpError::transport(STEP, &e))?;
        let keys = Jwks::parse(&json_of_200(STEP, res).await?);
        if keys.is_empty() {
            return Err(OpError::protocol(STEP, "no ES256 key"));
        }
        Ok(keys)
    }

    /// Makes sure every user holds tokens younger than `max_age` (a sign-in
    /// for those without, a refresh for the others), `parallel` at a time.
    pub async fn ensure_user_tokens(
        self: &Arc<Self>,
        max_age: Duration,
        parallel: usize,
    ) -> Result<(), OpError> {
        let users = self.users.drain();
        let stale: Vec<VirtualUser>;
        let fresh: Vec<VirtualUser>;
        (stale, fresh) = users.into_iter().partition(|u| {
            u.tokens
                .as_ref()
                .is_none_or(|t| t.obtained.elapsed() > max_age)
        });
        for u in fresh {
            self.users.put(u);
        }
        let queue = Arc::new(Mutex::new(stale));
        let mut tasks = Vec::new();
        for _ in 0..parallel.max(1) {
            let (me, queue) = (self.clone(), queue.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).pop();
                    let Some(mut user) = next else {
                        return Ok(());
                    };
                    // A refresh where there is a refresh token; a sign-in
                    // where there is none or it no longer works.
                    let refreshed = user.tokens.as_ref().is_some_and(|t| t.refresh.is_some())
                        && me.refresh(&mut user).await.is_ok();
                    let result = if refreshed {
                        Ok(())
                    } else {
                        me.sign_in(&mut user).await
                    };
                    me.users.put(user);
                    result?;
                }
            }));
        }
        let mut first_error = None;
        for t in tasks {
            match t.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => first_error = first_error.or(Some(e)),
                Err(_) => {
                    first_error =
                        first_error.or(Some(OpError::protocol("preparation", "task failed")))
                }
            }
        }
        // Users a failed task had not reached yet.
        for u in queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
        {
            self.users.put(u);
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Makes sure `n` client-credentials tokens younger than `max_age` are
    /// at hand for introspection.
    pub async fn ensure_service_tokens(&self, n: usize, max_age: Duration) -> Result<(), OpError> {
        let fresh = {
            let held = self
                .service_tokens
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            held.tokens.len() >= n && held.obtained.is_some_and(|t| t.elapsed() <= max_age)
        };
        if fresh {
            return Ok(());
        }
        let mut tokens = Vec::with_capacity(n);
        for _ in 0..n {
            tokens.push(self.client_credentials().await?);
        }
        *self
            .service_tokens
            .write()
            .unwrap_or_else(PoisonError::into_inner) = ServiceTokens {
            tokens,
            obtained: Some(Instant::now()),
        };
        Ok(())
    }
}

fn user_tokens(body: &Value, step: &str) -> Result<UserTokens, OpError> {
    Ok(UserTokens {
        access: body["access_token"]
            .as_str()
            .ok_or_else(|| OpError::protocol(step, "no access_token"))?
            .to_owned(),
        refresh: body["refresh_token"].as_str().map(str::to_owned),
        obtained: Instant::now(),
    })
}
