//! `/token` (RFC 6749 §3.2): authorization_code, refresh_token and
//! client_credentials grants, client authentication, and RFC 6749 §5.2
//! errors.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Duration;
use latchkey_core::{ClientId, HashedToken, PlainToken, TokenKind};
use latchkey_oidc::clients::{self as oclients, PresentedClientAuth};
use latchkey_oidc::pkce::CodeChallenge;
use latchkey_oidc::refresh;
use latchkey_store::clients::{self, Client};
use serde::Serialize;

use super::OAuthError;
use super::authorize::{CodeRecord, NS_CODE};
use super::mint::{self, Grant};
use crate::state::AppState;

/// A redeemed code is remembered this long, so a second use can revoke what
/// the first one issued (RFC 6749 §4.1.2).
const USED_CODE_MEMORY: Duration = Duration::hours(1);
const NS_CODE_USED: &str = "authz-code-used";

/// Form fields, each at most once.
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    pub(crate) fn parse(req: &HttpRequest, body: &[u8]) -> Result<Self, OAuthError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !content_type.starts_with("application/x-www-form-urlencoded") {
            return Err(OAuthError::invalid_request(
                "The body must be application/x-www-form-urlencoded.",
            ));
        }
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
        let mut seen = std::collections::BTreeSet::new();
        for (k, _) in &pairs {
            if !seen.insert(k.as_str()) {
                return Err(OAuthError::invalid_request(format!(
                    "The parameter {k} appears more than once."
                )));
            }
        }
        Ok(Self(pairs))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn require(&self, name: &'static str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("{name} is required.")))
    }
}

/// Authenticates the client of a token, revocation or introspection request.
pub(crate) async fn authenticate_client(
    state: &AppState,
    req: &HttpRequest,
    form: &Form,
) -> Result<Client, OAuthError> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let presented = PresentedClientAuth::from_request(
        authorization,
        form.get("client_id"),
        form.get("client_secret"),
    )
    .map_err(auth_error)?;
    let id = presented.client_id().clone();
    let client = state.db.run(move |c| clients::find(c, &id)).await?;
    oclients::authenticate_row(client.clone(), &presented).map_err(auth_error)?;
    client.ok_or_else(OAuthError::invalid_client)
}

fn auth_error(e: oclients::ClientAuthError) -> OAuthError {
    match e {
        oclients::ClientAuthError::InvalidRequest(why) => OAuthError::invalid_request(why),
        oclients::ClientAuthError::UnauthorizedClient(why) => {
            OAuthError::new("unauthorized_client", why)
        }
        oclients::ClientAuthError::Store(e) => OAuthError::internal(&e),
        oclients::ClientAuthError::InvalidClient => OAuthError::invalid_client(),
    }
}

#[derive(Debug, Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

fn no_store(body: &TokenResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .insert_header(("pragma", "no-cache"))
        .json(body)
}

#[post("/token")]
pub async fn post_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, OAuthError> {
    let form = Form::parse(&req, &body)?;
    let client = authenticate_client(&state, &req, &form).await?;
    let result = match form.require("grant_type")? {
        "authorization_code" => authorization_code(&state, &client, &form).await,
        "refresh_token" => refresh(&state, &client, &form).await,
        "client_credentials" => client_credentials(&state, &client, &form).await,
        _ => Err(OAuthError::new(
            "unsupported_grant_type",
            "Supported grants: authorization_code, refresh_token, client_credentials.",
        )),
    };
    Ok(with_cors(
        result.unwrap_or_else(|e| actix_web::ResponseError::error_response(&e)),
        cors_origin(&req, &client),
    ))
}

/// The `Origin` a browser-based (public) client may read answers from: one
/// of its redirect URIs' origins. Confidential clients keep their secret on
/// a server and get no cross-origin access.
pub(crate) fn cors_origin(req: &HttpRequest, client: &Client) -> Option<String> {
    if client.secret_hash.is_some() {
        return None;
    }
    let origin = req.headers().get(header::ORIGIN)?.to_str().ok()?;
    let registered = client.redirect_uri_list().ok()?;
    registered
        .iter()
        .filter_map(|u| url::Url::parse(u).ok())
        .filter(|u| u.has_host())
        .any(|u| u.origin().ascii_serialization() == origin)
        .then(|| origin.to_owned())
}

/// Lets the browser hand the response to the page of `origin`, if any.
pub(crate) fn with_cors(mut res: HttpResponse, origin: Option<String>) -> HttpResponse {
    if let Some(origin) = origin
        && let Ok(value) = header::HeaderValue::from_str(&origin)
    {
        res.headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        res.headers_mut()
            .insert(header::VARY, header::HeaderValue::from_static("Origin"));
    }
    res
}

fn client_id_of(client: &Client) -> Result<ClientId, OAuthError> {
    ClientId::parse(&client.id).map_err(|e| OAuthError::internal(&e))
}

async fn authorization_code(
    state: &AppState,
    client: &Client,
    form: &Form,
) -> Result<HttpResponse, OAuthError> {
    let code = form.require("code")?;
    let redirect_uri = form.require("redirect_uri")?;
    let verifier = form
        .require("code_verifier")
        .map_err(|_| OAuthError::invalid_request("code_verifier is required (PKCE)."))?;
    let code_hash = HashedToken::of(code);
    let key = code_hash.to_hex();
    let Some(record) = state
        .sessions
        .take_json::<CodeRecord>(NS_CODE, &key)
        .await?
    else {
        // Used before? Then revoke everything it issued (RFC 6749 §4.1.2).
        if state.sessions.get(NS_CODE_USED, &key).await?.is_some() {
            // Marked first, so a redemption still minting sees it and
            // revokes what it is about to hand out.
            state
                .sessions
                .put(NS_CODE_USED, &key, REPLAYED, USED_CODE_MEMORY)
                .await?;
            revoke_issued_by_code(state, &code_hash).await?;
            tracing::warn!(client = %client.id, "an authorization code was used twice; its tokens are revoked");
        }
        return Err(OAuthError::invalid_grant(
            "The code is not valid: unknown, expired or already used.",
        ));
    };
    state
        .sessions
        .put(NS_CODE_USED, &key, b"1", USED_CODE_MEMORY)
        .await?;
    if record.client_id.as_str() != client.id {
        return Err(OAuthError::invalid_grant(
            "The code was issued to another client.",
        ));
    }
    if record.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the one of the authorization request.",
        ));
    }
    // A challenge that does not decode can match no verifier.
    let matches = CodeChallenge::from_encoded(&record.code_challenge)
        .is_ok_and(|challenge| challenge.verify(verifier));
    if !matches {
        return Err(OAuthError::invalid_grant(
            "The code_verifier does not match the code_challenge.",
        ));
    }
    let now = state.clock.now();
    let client_id = client_id_of(client)?;
    let grant = Grant {
        client_id: client_id.clone(),
        user_id: Some(record.user_id),
        scope: record.scope.clone(),
        auth_time: Some(record.auth_time),
        acr: Some(record.acr),
        amr: record.amr.clone(),
        sid: Some(record.sid.clone()),
        nonce: record.nonce.clone(),
    };
    let refresh = if record.scope.split(' ').any(|s| s == "offline_access") {
        let new = refresh::NewGrant {
            client_id: client_id.clone(),
            user_id: record.user_id,
            session_id: Some(record.sid.clone()),
            scope: record.scope.clone(),
            acr: record.acr,
            amr: record.amr.clone(),
            auth_time: record.auth_time,
            code_hash: Some(code_hash.clone()),
            lifetime: refresh::DEFAULT_FAMILY_LIFETIME,
        };
        let (token, family) = state
            .db
            .run(move |c| Ok(refresh::issue(c, &new, now)))
            .await?
            .map_err(refresh_error)?;
        Some((token, family.family_id))
    } else {
        None
    };
    let issued = mint::issue(
        state,
        client,
        &grant,
        Some(code),
        refresh.as_ref().map(|(_, f)| *f),
        Some(code_hash.clone()),
        true,
    )
    .await?;
    // A replay that arrived while these were minted found nothing to revoke.
    if state.sessions.get(NS_CODE_USED, &key).await?.as_deref() == Some(REPLAYED) {
        revoke_issued_by_code(state, &code_hash).await?;
        return Err(OAuthError::invalid_grant(
            "The code is not valid: unknown, expired or already used.",
        ));
    }
    Ok(no_store(&TokenResponse {
        access_token: issued.access_token,
        token_type: "Bearer",
        expires_in: issued.expires_in,
        scope: record.scope,
        id_token: issued.id_token,
        refresh_token: refresh.map(|(t, _)| t.expose().to_owned()),
    }))
}

async fn refresh(
    state: &AppState,
    client: &Client,
    form: &Form,
) -> Result<HttpResponse, OAuthError> {
    let presented = form.require("refresh_token")?;
    let client_id = client_id_of(client)?;
    // A narrower scope may be asked for, never a wider one: checked before
    // the token is rotated, so a refused request leaves the grant intact.
    let asked = form.get("scope").map(str::to_owned);
    let token = PlainToken::from_presented(TokenKind::RefreshToken, presented)
        .ok_or_else(|| OAuthError::invalid_grant("The refresh token is not valid."))?;
    if let Some(asked) = &asked {
        let (current, now) = (token.clone(), state.clock.now());
        let grant = state
            .db
            .run(move |c| Ok(refresh::active_grant(c, &current, now)))
            .await?
            .map_err(refresh_error)?;
        if let Some(grant) = grant.filter(|g| g.client_id.as_str() == client.id) {
            narrowed_scope(asked, &grant.scope)?;
        }
    }
    let (audit, cid, now) = (state.audit.clone(), client_id.clone(), state.clock.now());
    let rotated = state
        .db
        .run(move |c| Ok(refresh::rotate(c, &audit, &token, &cid, now)))
        .await?;
    let refresh::Rotated { new_token, family } = match rotated {
        Ok(rotated) => rotated,
        Err(refresh::RefreshError::Reused) => {
            tracing::warn!(client = %client.id, "a rotated refresh token was presented again; its family is revoked");
            return Err(refresh_error(refresh::RefreshError::Reused));
        }
        Err(e) => return Err(refresh_error(e)),
    };
    // Checked again against the family actually rotated.
    let scope = match asked.as_deref() {
        Some(asked) => narrowed_scope(asked, &family.scope)?,
        None => family.scope.clone(),
    };
    let grant = Grant {
        client_id,
        user_id: Some(family.user_id),
        scope: scope.clone(),
        auth_time: Some(family.auth_time),
        acr: Some(family.acr),
        amr: family.amr.clone(),
        sid: family.session_id.clone(),
        nonce: None,
    };
    let family_id = family.family_id;
    let issued = mint::issue(
        state,
        client,
        &grant,
        None,
        Some(family_id),
        None,
        scope.split(' ').any(|s| s == "openid"),
    )
    .await?;
    Ok(no_store(&TokenResponse {
        access_token: issued.access_token,
        token_type: "Bearer",
        expires_in: issued.expires_in,
        scope,
        id_token: issued.id_token,
        refresh_token: Some(new_token.expose().to_owned()),
    }))
}

async fn client_credentials(
    state: &AppState,
    client: &Client,
    form: &Form,
) -> Result<HttpResponse, OAuthError> {
    if client.secret_hash.is_none() {
        return Err(OAuthError::new(
            "unauthorized_client",
            "Public clients cannot use client_credentials.",
        ));
    }
    // No user: no OpenID scopes.
    let scope = form.get("scope").unwrap_or_default().to_owned();
    // RFC 6749 §3.3 scope tokens, a bounded number of them.
    let is_token = |s: &str| s.len() <= 128 && latchkey_store::consents::is_scope_token(s);
    if !scope.is_empty() && (scope.split(' ').count() > 32 || !scope.split(' ').all(is_token)) {
        return Err(OAuthError::new(
            "invalid_scope",
            "The scope is not a list of scope tokens.",
        ));
    }
    if scope
        .split(' ')
        .any(|s| matches!(s, "openid" | "profile" | "email" | "offline_access"))
    {
        return Err(OAuthError::new(
            "invalid_scope",
            "client_credentials grants no user scopes.",
        ));
    }
    let grant = Grant {
        client_id: client_id_of(client)?,
        user_id: None,
        scope: scope.clone(),
        auth_time: None,
        acr: None,
        amr: Vec::new(),
        sid: None,
        nonce: None,
    };
    let issued = mint::issue(state, client, &grant, None, None, None, false).await?;
    Ok(no_store(&TokenResponse {
        access_token: issued.access_token,
        token_type: "Bearer",
        expires_in: issued.expires_in,
        scope,
        id_token: None,
        refresh_token: None,
    }))
}

/// `asked` if every scope in it was granted; else `invalid_scope`.
fn narrowed_scope(asked: &str, granted: &str) -> Result<String, OAuthError> {
    if asked.split(' ').all(|s| granted.split(' ').any(|g| g == s)) {
        Ok(asked.to_owned())
    } else {
        Err(OAuthError::new(
            "invalid_scope",
            "The scope asked for exceeds the one granted.",
        ))
    }
}

/// The marker of a code presented again.
const REPLAYED: &[u8] = b"replayed";

/// Revokes every token a code issued, directly or through refreshes of the
/// families it started, and audits the families.
async fn revoke_issued_by_code(
    state: &AppState,
    code_hash: &HashedToken,
) -> Result<(), OAuthError> {
    let (h, now, audit) = (code_hash.clone(), state.clock.now(), state.audit.clone());
    state
        .db
        .run(move |c| Ok(refresh::revoke_families_by_code(c, &audit, &h, now)))
        .await?
        .map_err(refresh_error)?;
    Ok(())
}

/// A refused refresh token is `invalid_grant`, whatever the reason (the
/// client learns nothing more); storage failures are `server_error`.
fn refresh_error(e: refresh::RefreshError) -> OAuthError {
    match e {
        refresh::RefreshError::Store(e) => OAuthError::internal(&e),
        other => OAuthError::invalid_grant(other.description()),
    }
}
