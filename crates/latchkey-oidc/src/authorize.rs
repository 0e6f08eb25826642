//! The authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1),
//! parsed and validated in the order that decides where errors may go:
//! until the client and its redirect URI are known to be valid, an error is
//! shown to the user and never redirected (RFC 6749 §4.1.2.1, RFC 9700).

use std::collections::BTreeSet;

use latchkey_core::{Acr, ClientId};
use serde::{Deserialize, Serialize};

use crate::access;

/// An error shown as a page: the client or redirect URI cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UntrustedRequest {
    #[error("The request names no application (client_id is missing).")]
    MissingClientId,
    #[error("The request names an application this server does not know.")]
    UnknownClient,
    #[error("The request has no redirect_uri.")]
    MissingRedirectUri,
    #[error("The redirect_uri is not one registered for this application.")]
    RedirectUriMismatch,
    #[error("The parameter {0} appears more than once.")]
    DuplicateParameter(&'static str),
}

/// An error returned to the client at its validated redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    pub redirect_uri: String,
    pub state: Option<String>,
    /// RFC 6749 §4.1.2.1 / OIDC Core §3.1.2.6 error code.
    pub error: &'static str,
    pub description: String,
}

/// Why an authorization request cannot proceed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    Untrusted(UntrustedRequest),
    Redirect(RedirectError),
}

/// The `prompt` values (OIDC Core §3.1.2.1; `create` from Initiating User
/// Registration 1.0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    /// Ask for consent again, even if it was given before (OIDC Core §11).
    #[serde(default)]
    pub consent: bool,
    pub create: bool,
}

/// A validated authorization request, kept server-side while the user signs
/// in and consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: ClientId,
    pub redirect_uri: String,
    pub scopes: BTreeSet<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// BASE64URL(SHA-256(code_verifier)).
    pub code_challenge: String,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    /// The strongest `acr` the request asks for, if any it understands.
    pub acr: Option<Acr>,
    pub login_hint: Option<String>,
    /// The resources (RFC 8707) the access tokens of this grant may be
    /// for; empty: the default audience.
    #[serde(default)]
    pub resources: BTreeSet<String>,
    /// `ui_locales`: the languages the client asks the pages in, most
    /// preferred first (BCP 47 tags, at most [`MAX_UI_LOCALES`]; the pages
    /// use the first one they have).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ui_locales: Vec<String>,
}

impl AuthorizationRequest {
    /// The scope string (space-separated, sorted).
    pub fn scope(&self) -> String {
        self.scopes.iter().cloned().collect::<Vec<_>>().join(" ")
    }
}

/// The client facts validation needs (from the client registry).
#[derive(Debug, Clone)]
pub struct ClientFacts {
    pub id: ClientId,
    pub redirect_uris: Vec<String>,
    /// The scopes the client may be granted.
    pub scopes: BTreeSet<String>,
    /// The resources the client may name.
    pub resources: BTreeSet<String>,
}

/// The longest value of any parameter, in bytes. `state` gets all of it:
/// some client libraries carry their sign-in context in it (ASP.NET Core's
/// encrypted properties often pass 1 KB).
pub const MAX_PARAM: usize = 2048;

/// Parameters with a tighter bound than [`MAX_PARAM`], in bytes. The
/// specifications set no length; these leave room for every value a client
/// has reason to send and keep what a pending request stores small.
pub const PARAM_LIMITS: [(&str, usize); 4] = [
    // Libraries send 22–128 characters of randomness (some with a time).
    ("nonce", 512),
    // An e-mail address is at most 254 octets (RFC 5321 §4.5.3.1.3).
    ("login_hint", 256),
    // A few acr names, space-separated; unknown ones are ignored.
    ("acr_values", 256),
    // A few language tags, space-separated.
    ("ui_locales", 256),
];

/// The most `ui_locales` tags kept with a request.
pub const MAX_UI_LOCALES: usize = 8;

/// `ui_locales` as kept: well-formed tags only (letters, digits and `-`,
/// at most 35 characters), at most [`MAX_UI_LOCALES`]. The parameter is a
/// preference (OpenID Connect Core §3.1.2.1), so a tag that is not
/// well-formed is skipped rather than refused.
pub fn parse_ui_locales(value: &str) -> Vec<String> {
    value
        .split(' ')
        .filter(|t| {
            !t.is_empty()
                && t.len() <= 35
                && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .take(MAX_UI_LOCALES)
        .map(str::to_owned)
        .collect()
}

/// The bound on parameter `name`'s value.
pub fn max_len(name: &str) -> usize {
    PARAM_LIMITS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(MAX_PARAM, |(_, max)| *max)
}

fn single<'a>(
    params: &'a [(String, String)],
    name: &'static str,
) -> Result<Option<&'a str>, &'static str> {
    let mut found = params
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(name);
    }
    // An empty parameter is treated as omitted (RFC 6749 §3.1).
    Ok(first.filter(|v| !v.is_empty()))
}

/// Step one: the client id, before anything else is looked at.
pub fn client_id(params: &[(String, String)]) -> Result<ClientId, UntrustedRequest> {
    let raw = single(params, "client_id")
        .map_err(UntrustedRequest::DuplicateParameter)?
        .ok_or(UntrustedRequest::MissingClientId)?;
    ClientId::parse(raw).map_err(|_| UntrustedRequest::UnknownClient)
}

/// Step two, with the client known: the redirect URI must match a
/// registered one exactly; after that every error is redirected.
pub fn validate(
    params: &[(String, String)],
    client: &ClientFacts,
) -> Result<AuthorizationRequest, AuthorizeError> {
    let untrusted = AuthorizeError::Untrusted;
    let redirect_uri = single(params, "redirect_uri")
        .map_err(|p| untrusted(UntrustedRequest::DuplicateParameter(p)))?
        .ok_or(untrusted(UntrustedRequest::MissingRedirectUri))?;
    if crate::redirect::exact_match(&client.redirect_uris, redirect_uri).is_none() {
        return Err(untrusted(UntrustedRequest::RedirectUriMismatch));
    }
    // The state goes back even with errors, so read it first (if it is
    // duplicated, none is echoed).
    let state = single(params, "state").ok().flatten().map(str::to_owned);
    let fail = |error: &'static str, description: &str| {
        AuthorizeError::Redirect(RedirectError {
            redirect_uri: redirect_uri.to_owned(),
            state: state.clone(),
            error,
            description: description.to_owned(),
        })
    };
    for (k, v) in params {
        if v.len() > max_len(k) {
            return Err(fail(
                "invalid_request",
                &format!("The parameter {k} is too long."),
            ));
        }
    }
    let get = |name: &'static str| {
        single(params, name).map_err(|p| {
            fail(
                "invalid_request",
                &format!("The parameter {p} appears more than once."),
            )
        })
    };
    // A duplicated state was read as none above; it is refused like any
    // other duplicate (and none is echoed).
    get("state")?;
    if get("request")?.is_some() {
        return Err(fail(
            "request_not_supported",
            "Request objects are not supported.",
        ));
    }
    if get("request_uri")?.is_some() {
        return Err(fail(
            "request_uri_not_supported",
            "request_uri is not supported.",
        ));
    }
    match get("response_type")? {
        Some("code") => {}
        Some(_) => {
            return Err(fail(
                "unsupported_response_type",
                "Only response_type=code is supported.",
            ));
        }
        None => return Err(fail("invalid_request", "response_type is required.")),
    }
    if let Some(mode) = get("response_mode")?
        && mode != "query"
    {
        return Err(fail(
            "invalid_request",
            "Only response_mode=query is supported.",
        ));
    }
    let as_redirect = |e: crate::OAuthError| fail(e.code(), e.description());
    let scope =
        get("scope")?.ok_or_else(|| fail("invalid_scope", "The scope must include openid."))?;
    let scopes = access::parse_scope(scope).map_err(as_redirect)?;
    if !scopes.contains("openid") {
        return Err(fail("invalid_scope", "The scope must include openid."));
    }
    access::check_allowed_scopes(&scopes, &client.scopes).map_err(as_redirect)?;
    // `resource` may be repeated (RFC 8707 §2).
    let named: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "resource")
        .map(|(_, v)| v.as_str())
        .collect();
    let resources = access::resources_within(&named, &client.resources, access::NOT_REGISTERED)
        .map_err(as_redirect)?;
    let code_challenge =
        crate::pkce::CodeChallenge::parse(get("code_challenge")?, get("code_challenge_method")?)
            .map_err(|e| fail(e.error_code(), &e.to_string()))?
            .encoded();
    let mut prompt = Prompt::default();
    if let Some(p) = get("prompt")? {
        for value in p.split(' ').filter(|s| !s.is_empty()) {
            match value {
                "none" => prompt.none = true,
                "login" => prompt.login = true,
                "consent" => prompt.consent = true,
                "create" => prompt.create = true,
                // select_account: not offered (one account per browser).
                other => {
                    return Err(fail(
                        "invalid_request",
                        &format!("prompt={other} is not supported."),
                    ));
                }
            }
        }
        if prompt.none && (prompt.login || prompt.consent || prompt.create) {
            return Err(fail(
                "invalid_request",
                "prompt=none cannot be combined with other values.",
            ));
        }
    }
    let max_age = match get("max_age")? {
        Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            fail(
                "invalid_request",
                "max_age must be a non-negative number of seconds.",
            )
        })?),
        None => None,
    };
    // acr_values are voluntary (OIDC Core §3.1.2.1): unknown values are
    // ignored; the strongest known one is what the session must meet.
    let acr =
        get("acr_values")?.and_then(|v| v.split(' ').filter_map(|a| a.parse::<Acr>().ok()).max());
    Ok(AuthorizationRequest {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        state: state.clone(),
        nonce: get("nonce")?.map(str::to_owned),
        code_challenge,
        prompt,
        max_age,
        acr,
        login_hint: get("login_hint")?.map(str::to_owned),
        resources,
        ui_locales: get("ui_locales")?.map(parse_ui_locales).unwrap_or_default(),
    })
}

/// The URL that carries a successful or failed authorization response back
/// to the client, always with `iss` (RFC 9207).
pub fn response_url(redirect_uri: &str, issuer: &str, fields: &[(&str, &str)]) -> String {
    let mut all = fields.to_vec();
    all.push(("iss", issuer));
    with_query(redirect_uri, &all)
}

/// `uri` with `fields` appended to its query, form-encoded; the registered
/// part stays byte-identical (no re-serialisation by a URL parser).
pub fn with_query(uri: &str, fields: &[(&str, &str)]) -> String {
    let mut url = uri.to_owned();
    let mut sep = if url.contains('?') { '&' } else { '?' };
    for (k, v) in fields {
        url.push(sep);
        url.push_str(k);
        url.push('=');
        url.extend(url::form_urlencoded::byte_serialize(v.as_bytes()));
        sep = '&';
    }
    url
}

impl RedirectError {
    pub fn to_url(&self, issuer: &str) -> String {
        let mut fields = vec![
            ("error", self.error),
            ("error_description", self.description.as_str()),
        ];
        if let Some(s) = &self.state {
            fields.push(("state", s));
        }
        response_url(&self.redirect_uri, issuer, &fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn client() -> ClientFacts {
        ClientFacts {
            id: ClientId::parse("app").unwrap(),
            redirect_uris: vec!["https://app.example/cb".into()],
            scopes: ["openid", "email", "orders:read"].map(str::to_owned).into(),
            resources: ["https://api.example/orders", "https://api.example/billing"]
                .map(str::to_owned)
                .into(),
        }
    }

    fn params(extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = [
            ("client_id", "app"),
            ("redirect_uri", "https://app.example/cb"),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("state", "s1"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (k, v) in extra {
            p.retain(|(pk, _)| pk != k);
            if !v.is_empty() {
                p.push(((*k).to_owned(), (*v).to_owned()));
            }
        }
        p
    }

    fn redirected(extra: &[(&str, &str)]) -> RedirectError {
        match validate(&params(extra), &client()) {
            Err(AuthorizeError::Redirect(r)) => r,
            other => panic!("expected a redirected error, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_request_parses() {
        let r = validate(
            &params(&[
                ("max_age", "0"),
                ("acr_values", "phrh urn:other"),
                ("prompt", "login"),
            ]),
            &client(),
        )
        .unwrap();
        assert_eq!(r.scope(), "email openid");
        assert_eq!(r.max_age, Some(0));
        assert_eq!(r.acr, Some(Acr::Phrh));
        assert!(r.prompt.login);
    }

    #[test]
    fn client_and_redirect_uri_errors_are_never_redirected() {
        let p = params(&[("redirect_uri", "https://evil.example/cb")]);
        assert_eq!(
            validate(&p, &client()),
            Err(AuthorizeError::Untrusted(
                UntrustedRequest::RedirectUriMismatch
            ))
        );
        let p = params(&[("redirect_uri", "")]);
        assert_eq!(
            validate(&p, &client()),
            Err(AuthorizeError::Untrusted(
                UntrustedRequest::MissingRedirectUri
            ))
        );
        let mut p = params(&[]);
        p.push(("redirect_uri".into(), "https://app.example/cb".into()));
        assert!(matches!(
            validate(&p, &client()),
            Err(AuthorizeError::Untrusted(
                UntrustedRequest::DuplicateParameter(_)
            ))
        ));
        assert_eq!(
            client_id(&params(&[("client_id", "")])),
            Err(UntrustedRequest::MissingClientId)
        );
    }

    #[test]
    fn a_duplicated_state_is_refused_and_not_echoed() {
        let mut p = params(&[]);
        p.push(("state".into(), "s2".into()));
        match validate(&p, &client()) {
            Err(AuthorizeError::Redirect(e)) => {
                assert_eq!((e.error, e.state), ("invalid_request", None));
                assert!(e.description.contains("state"), "{}", e.description);
            }
            other => panic!("expected a redirected error, got {other:?}"),
        }
    }

    #[test]
    fn pkce_is_required_and_only_s256() {
        assert_eq!(
            redirected(&[("code_challenge", "")]).error,
            "invalid_request"
        );
        assert_eq!(
            redirected(&[("code_challenge_method", "")]).error,
            "invalid_request"
        );
        assert_eq!(
            redirected(&[("code_challenge_method", "plain")]).error,
            "invalid_request"
        );
        assert_eq!(
            redirected(&[("code_challenge", "short")]).error,
            "invalid_request"
        );
    }

    #[test]
    fn other_errors_are_redirected_with_state() {
        let e = redirected(&[("response_type", "token")]);
        assert_eq!(
            (e.error, e.state.as_deref()),
            ("unsupported_response_type", Some("s1"))
        );
        assert_eq!(redirected(&[("scope", "email")]).error, "invalid_scope");
        assert_eq!(
            redirected(&[("scope", "openid admin")]).error,
            "invalid_scope"
        );
        assert_eq!(
            redirected(&[("prompt", "none login")]).error,
            "invalid_request"
        );
        assert_eq!(
            redirected(&[("prompt", "none consent")]).error,
            "invalid_request"
        );
        assert_eq!(
            redirected(&[("prompt", "select_account")]).error,
            "invalid_request"
        );
        assert_eq!(redirected(&[("max_age", "-1")]).error, "invalid_request");
        assert_eq!(
            redirected(&[("request", "eyJ")]).error,
            "request_not_supported"
        );
        assert_eq!(
            redirected(&[("response_mode", "fragment")]).error,
            "invalid_request"
        );
    }

    #[test]
    fn parameters_over_their_bound_are_refused_at_the_redirect_uri() {
        for (name, max) in [
            ("state", MAX_PARAM),
            ("nonce", 512),
            ("login_hint", 256),
            ("acr_values", 256),
            ("ui_locales", 256),
        ] {
            assert!(
                validate(&params(&[(name, &"a".repeat(max))]), &client()).is_ok(),
                "{name} at its bound"
            );
            let e = redirected(&[(name, &"a".repeat(max + 1))]);
            assert_eq!(e.error, "invalid_request", "{name}");
            assert!(e.description.contains(name), "{name}: {}", e.description);
        }
    }

    #[test]
    fn ui_locales_are_kept_in_order_and_malformed_tags_are_skipped() {
        let r = validate(&params(&[("ui_locales", "fr-CA  de <x> en")]), &client()).unwrap();
        assert_eq!(r.ui_locales, ["fr-CA", "de", "en"]);
        let many = vec!["de"; 20].join(" ");
        assert_eq!(parse_ui_locales(&many).len(), MAX_UI_LOCALES);
        assert_eq!(parse_ui_locales(&"a".repeat(36)), Vec::<String>::new());
        let none = validate(&params(&[]), &client()).unwrap();
        assert!(none.ui_locales.is_empty());
    }

    #[test]
    fn only_the_clients_scopes_and_resources_may_be_asked_for() {
        let mut p = params(&[("scope", "openid orders:read")]);
        p.push(("resource".into(), "https://api.example/orders".into()));
        p.push(("resource".into(), "https://api.example/billing".into()));
        let r = validate(&p, &client()).unwrap();
        assert_eq!(r.scope(), "openid orders:read");
        assert_eq!(
            r.resources.iter().map(String::as_str).collect::<Vec<_>>(),
            ["https://api.example/billing", "https://api.example/orders"]
        );
        assert!(
            validate(&params(&[]), &client())
                .unwrap()
                .resources
                .is_empty()
        );

        // A scope this server knows, but not registered for the client.
        let e = redirected(&[("scope", "openid profile")]);
        assert_eq!((e.error, e.state.as_deref()), ("invalid_scope", Some("s1")));
        assert!(e.description.contains("profile"), "{}", e.description);
        assert_eq!(
            redirected(&[("scope", "openid orders:write")]).error,
            "invalid_scope"
        );
        for resource in [
            "https://api.example/other",
            "https://api.example/orders/",
            "https://api.example/orders#x",
            "orders",
        ] {
            let e = redirected(&[("resource", resource)]);
            assert_eq!(
                (e.error, e.state.as_deref()),
                ("invalid_target", Some("s1")),
                "{resource}"
            );
        }
    }

    #[test]
    fn response_urls_carry_iss_and_encode_values() {
        let e = redirected(&[("response_type", "token"), ("state", "a b&c")]);
        let url = e.to_url("https://id.example");
        assert!(
            url.starts_with("https://app.example/cb?error=unsupported_response_type&"),
            "{url}"
        );
        assert!(url.contains("state=a+b%26c"), "{url}");
        assert!(url.ends_with("&iss=https%3A%2F%2Fid.example"), "{url}");
        assert_eq!(
            response_url(
                "https://app.example/cb?x=1",
                "https://id.example",
                &[("code", "c")]
            ),
            "https://app.example/cb?x=1&code=c&iss=https%3A%2F%2Fid.example"
        );
    }
}
