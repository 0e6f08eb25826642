//! The authorization server end to end. The relying party is the
//! `openidconnect` crate, configured from our discovery document; the user
//! is a browser holding a software passkey.

mod clients;
mod consent;
mod context;
mod discovery;
mod errors;
mod flow;
mod keys;
mod logout;
mod nodes;
mod pending;
mod revocation;
mod scopes_and_resources;
mod stepup;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::{Acr, Clock as _};
use latchkey_oidc::clients::{ClientRegistration, register};
use latchkey_testkit::authenticator::SoftAuthenticator;
use latchkey_testkit::{Browser, TestApp};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreResponseType, CoreTokenResponse,
};
use openidconnect::{
    AuthorizationCode, AuthorizationRequest, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IntrospectionUrl, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RevocationUrl, Scope, TokenResponse as _,
};
use openidconnect::{RequestTokenError, TokenIntrospectionResponse as _};
use serde_json::Value;

use crate::people::{sign_in_finish, sign_in_options};

/// The `openidconnect` client as discovery configures it, plus the
/// revocation and introspection endpoints.
pub type RpClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointSet,
    EndpointSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Where the relying party wants the user back. Nothing listens there: the
/// tests read the redirect.
pub const REDIRECT_URI: &str = "http://localhost:4180/callback";
pub const POST_LOGOUT_URI: &str = "http://localhost:4180/signed-out";

/// How a test client is registered.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub public: bool,
    pub first_party: bool,
    pub min_acr: Option<Acr>,
    pub alg: &'static str,
    /// The scopes registered for the client; `None`: the default ones.
    pub scopes: Option<&'static [&'static str]>,
    /// The resources (RFC 8707) registered for the client.
    pub resources: &'static [&'static str],
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            public: false,
            first_party: true,
            min_acr: None,
            alg: "ES256",
            scopes: None,
            resources: &[],
        }
    }
}

/// A registered client and the library configured for it.
pub struct Rp {
    pub client: RpClient,
    /// An HTTP client that does not follow redirects (as the library asks).
    pub http: reqwest::Client,
    pub id: String,
    pub secret: Option<String>,
    pub issuer: String,
    pub alg: CoreJwsSigningAlgorithm,
}

/// Registers a client directly in the store (as `latchkey client create`
/// does); returns its id and secret.
pub async fn register_client(app: &TestApp, opts: &ClientOptions) -> (String, Option<String>) {
    let mut reg = ClientRegistration::new("Test App", vec![REDIRECT_URI.to_owned()]);
    reg.public = opts.public;
    reg.first_party = opts.first_party;
    reg.min_acr = opts.min_acr;
    reg.id_token_alg = opts.alg.to_owned();
    reg.post_logout_redirect_uris = vec![POST_LOGOUT_URI.to_owned()];
    if let Some(scopes) = opts.scopes {
        reg.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
    }
    reg.resources = opts.resources.iter().map(|r| (*r).to_owned()).collect();
    let (audit, master, keys, now) = (
        app.state.audit.clone(),
        app.state.master.clone(),
        app.state.keys.clone(),
        app.clock.now(),
    );
    let (id, secret) = app
        .state
        .db
        .run(move |c| {
            let created = register(c, &audit, "test", &reg, now);
            // As `latchkey client create` does: publish a key of the
            // client's algorithm before its first token.
            let alg = latchkey_oidc::signing::SigningAlg::parse(&reg.id_token_alg).unwrap();
            latchkey_oidc::keys::ensure_algorithm(c, &master, &audit, alg, now).unwrap();
            // What every node does within a minute.
            keys.reload(c, &master, now).unwrap();
            Ok(created)
        })
        .await
        .unwrap()
        .expect("a valid registration");
    (
        id.as_str().to_owned(),
        secret.map(|s| s.expose().to_owned()),
    )
}

impl Rp {
    pub async fn new(app: &TestApp) -> Self {
        Self::with(app, ClientOptions::default()).await
    }

    pub async fn with(app: &TestApp, opts: ClientOptions) -> Self {
        let (id, secret) = register_client(app, &opts).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let client = configure(app, &http, &id, secret.as_deref()).await;
        let alg = match opts.alg {
            "RS256" => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            "EdDSA" => CoreJwsSigningAlgorithm::EdDsa,
            _ => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        };
        Self {
            client,
            http,
            id,
            secret,
            issuer: app.address.clone(),
            alg,
        }
    }

    /// Fetches discovery and the JWKS again (as a library does when it sees
    /// an unknown `kid`).
    pub async fn rediscover(&mut self, app: &TestApp) {
        self.client = configure(app, &self.http, &self.id, self.secret.as_deref()).await;
    }

    /// An authorization request for `scopes`, with PKCE S256, changed by
    /// `tweak` (prompt, max_age, acr_values...).
    pub fn start<F>(&self, scopes: &[&str], tweak: F) -> Started
    where
        F: FnOnce(
            AuthorizationRequest<'_, CoreAuthDisplay, CoreAuthPrompt, CoreResponseType>,
        )
            -> AuthorizationRequest<'_, CoreAuthDisplay, CoreAuthPrompt, CoreResponseType>,
    {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in scopes {
            request = request.add_scope(Scope::new((*s).to_owned()));
        }
        let (url, state, nonce) = tweak(request).url();
        Started {
            url,
            state,
            nonce,
            verifier,
        }
    }

    /// Exchanges a code the way the library does, and validates the ID token.
    pub async fn exchange(
        &self,
        code: &str,
        verifier: PkceCodeVerifier,
        nonce: &Nonce,
    ) -> (CoreTokenResponse, CoreIdTokenClaims) {
        let tokens = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .expect("the token endpoint issues tokens");
        let claims = self.verify_id_token(&tokens, nonce);
        (tokens, claims)
    }

    /// Validates the ID token of a token response with the library: signature
    /// (JWKS), iss, aud, exp, nonce and at_hash.
    pub fn verify_id_token(&self, tokens: &CoreTokenResponse, nonce: &Nonce) -> CoreIdTokenClaims {
        let id_token = tokens.id_token().expect("an ID token");
        let verifier = self
            .client
            .id_token_verifier()
            .set_allowed_algs(vec![self.alg.clone()]);
        let claims = id_token
            .claims(&verifier, nonce)
            .expect("the ID token verifies")
            .clone();
        let expected = openidconnect::AccessTokenHash::from_token(
            openidconnect::OAuth2TokenResponse::access_token(tokens),
            id_token.signing_alg().unwrap(),
            id_token.signing_key(&verifier).unwrap(),
        )
        .unwrap();
        assert_eq!(claims.access_token_hash(), Some(&expected), "at_hash");
        claims
    }
}

/// The library configured from discovery for one client.
async fn configure(
    app: &TestApp,
    http: &reqwest::Client,
    id: &str,
    secret: Option<&str>,
) -> RpClient {
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.address.clone()).unwrap(), http)
            .await
            .expect("the library accepts our discovery document and JWKS");
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(id.to_owned()),
        secret.map(|s| ClientSecret::new(s.to_owned())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.to_owned()).unwrap())
    .set_revocation_url(RevocationUrl::new(app.url("/revoke")).unwrap())
    .set_introspection_url(IntrospectionUrl::new(app.url("/introspect")).unwrap())
}

/// A started authorization request.
pub struct Started {
    pub url: url::Url,
    pub state: CsrfToken,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
}

/// A response without following redirects: status, Location, body.
pub async fn get(browser: &Browser, url: &str) -> (u16, Option<String>, String) {
    let res = browser.client.get(browser.url(url)).send().await.unwrap();
    latchkey_testkit::app::reply(res).await
}

/// The query of a redirect to the client, as name → value.
pub fn callback_params(location: &str) -> std::collections::BTreeMap<String, String> {
    assert!(
        location.starts_with(REDIRECT_URI),
        "expected a redirect to the client, got {location}"
    );
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// The authorization URL with one parameter replaced (or removed when
/// `value` is `None`).
pub fn with_param(url: &url::Url, name: &str, value: Option<&str>) -> String {
    let mut out = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != name)
        .collect();
    {
        let mut q = out.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        if let Some(v) = value {
            q.append_pair(name, v);
        }
    }
    out.to_string()
}

/// The code of a successful authorization response, after checking `state`
/// and `iss` (RFC 9207) as a careful client does.
pub fn code_from(location: &str, started: &Started, issuer: &str) -> String {
    let params = callback_params(location);
    assert_eq!(params.get("error"), None, "{location}");
    assert_eq!(
        params.get("state").map(String::as_str),
        Some(started.state.secret().as_str())
    );
    assert_eq!(params.get("iss").map(String::as_str), Some(issuer));
    params.get("code").expect("a code").clone()
}

/// The error of an authorization error response (with `state` and `iss`).
pub fn error_from(location: &str, started: &Started, issuer: &str) -> String {
    let params = callback_params(location);
    assert_eq!(
        params.get("state").map(String::as_str),
        Some(started.state.secret().as_str()),
        "{location}"
    );
    assert_eq!(params.get("iss").map(String::as_str), Some(issuer));
    assert!(!params.contains_key("code"), "{location}");
    params.get("error").expect("an error").clone()
}

/// Runs the passkey ceremony on the sign-in page `signin_location`
/// (`/signin?next=...`) and returns the page to go back to.
pub async fn sign_in_at(
    app: &TestApp,
    browser: &mut Browser,
    auth: &mut SoftAuthenticator,
    signin_location: &str,
) -> String {
    assert!(
        signin_location.starts_with("/signin?next="),
        "expected the sign-in page, got {signin_location}"
    );
    let next: String = url::form_urlencoded::parse(&signin_location.as_bytes()["/signin?".len()..])
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let options = sign_in_options(browser).await;
    let credential = auth.authenticate(&options.body, &app.address);
    let done = sign_in_finish(browser, &options, credential, "modal").await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    next
}

/// From authorization request to code, signing in on the way when asked.
pub async fn authorize(
    app: &TestApp,
    rp: &Rp,
    browser: &mut Browser,
    auth: &mut SoftAuthenticator,
    started: &Started,
) -> String {
    let (status, location, body) = get(browser, started.url.as_str()).await;
    assert_eq!(status, 303, "{body}");
    let mut location = location.unwrap();
    if location.starts_with("/signin") {
        let next = sign_in_at(app, browser, auth, &location).await;
        let (status, again, body) = get(browser, &next).await;
        assert_eq!(status, 303, "{body}");
        location = again.unwrap();
    }
    code_from(&location, started, &rp.issuer)
}

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

pub async fn active(rp: &Rp, token: &openidconnect::AccessToken) -> bool {
    rp.client
        .introspect(token)
        .request_async(&rp.http)
        .await
        .expect("introspection answers")
        .active()
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

/// The value of a hidden form field.
pub fn hidden(page: &str, name: &str) -> String {
    page.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no hidden field {name} in {page}"))
        .to_owned()
}
