//! Discovery, JWKS, userinfo (OIDC Core §5.3), revocation (RFC 7009),
//! introspection (RFC 7662).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, route, web};
use latchkey_core::{ClientId, PlainToken, TokenKind, UserId};
use latchkey_oidc::refresh;
use latchkey_store::access_tokens;
use latchkey_store::refresh_tokens;

use latchkey_oidc::signing::SigningAlg;

use super::OAuthError;
use super::token::{Form, authenticate_client};
use crate::state::AppState;

#[get("/.well-known/openid-configuration")]
pub async fn get_discovery(state: web::Data<AppState>) -> HttpResponse {
    // Every algorithm a client can be registered with; the key of one no
    // client uses yet is created on first use (OIDC Discovery §3: RS256 is
    // always listed).
    HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=300"))
        .insert_header(("access-control-allow-origin", "*"))
        .json(latchkey_oidc::discovery::provider_metadata(
            &state.issuer,
            &SigningAlg::ALL,
        ))
}

#[get("/jwks")]
pub async fn get_jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=300"))
        .insert_header(("access-control-allow-origin", "*"))
        .json(state.keys.current().jwks())
}

fn bearer(req: &HttpRequest, form: Option<&Form>) -> Option<String> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match header {
        Some(h) if h.len() > 7 && h[..7].eq_ignore_ascii_case("bearer ") => {
            Some(h[7..].trim().to_owned())
        }
        _ => form.and_then(|f| f.get("access_token")).map(str::to_owned),
    }
}

/// The verified, unrevoked access token's claims.
async fn active_access_token(
    state: &AppState,
    token: &str,
) -> Result<latchkey_oidc::jwt::AccessTokenClaims, OAuthError> {
    let now = state.clock.now();
    let claims = state
        .keys
        .current()
        .verify_access_token(token, state.issuer_str(), now)
        .map_err(|_| OAuthError::invalid_token("The access token is not valid."))?;
    let jti = claims.jti.clone();
    if !state
        .db
        .run(move |c| access_tokens::is_active(c, &jti, now))
        .await?
    {
        return Err(OAuthError::invalid_token("The access token was revoked."));
    }
    Ok(claims)
}

/// A bearer-token endpoint: any origin may call it (no cookie is involved).
#[route("/userinfo", method = "OPTIONS")]
pub async fn userinfo_preflight() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST"))
        .insert_header((
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            "authorization, content-type",
        ))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
        .finish()
}

#[route("/userinfo", method = "GET", method = "POST")]
pub async fn userinfo(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let mut res = userinfo_answer(req, state, body)
        .await
        .unwrap_or_else(|e| actix_web::ResponseError::error_response(&e));
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    res.headers_mut().insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        header::HeaderValue::from_static("www-authenticate"),
    );
    res
}

async fn userinfo_answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, OAuthError> {
    let form = if body.is_empty() {
        None
    } else {
        Form::parse(&req, &body).ok()
    };
    let token = bearer(&req, form.as_ref()).ok_or_else(|| OAuthError {
        www_authenticate: Some("Bearer realm=\"latchkey\"".into()),
        ..OAuthError::invalid_token("A bearer access token is required.")
    })?;
    let claims = active_access_token(&state, &token).await?;
    let user = claims
        .sub
        .parse::<UserId>()
        .map_err(|_| OAuthError::invalid_token("The access token has no end user."))?;
    let account = state
        .db
        .run(move |c| latchkey_store::users::find(c, user))
        .await?;
    let account = account
        .filter(|u| !u.is_disabled())
        .ok_or_else(|| OAuthError::invalid_token("The account no longer exists."))?;
    let scopes: Vec<&str> = claims.scope.split(' ').collect();
    if !scopes.contains(&"openid") {
        return Err(OAuthError {
            status: actix_web::http::StatusCode::FORBIDDEN,
            error: "insufficient_scope",
            description: "The access token lacks the openid scope.".into(),
            www_authenticate: Some("Bearer error=\"insufficient_scope\", scope=\"openid\"".into()),
        });
    }
    let mut out = serde_json::json!({ "sub": account.id });
    if scopes.contains(&"profile") {
        out["name"] = account.display_name.clone().into();
        out["preferred_username"] = account.username.clone().into();
    }
    if scopes.contains(&"email")
        && let Some(email) = &account.email
    {
        out["email"] = email.clone().into();
        out["email_verified"] = account.email_verified_at.is_some().into();
    }
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(out))
}

/// RFC 7009: answers 200 whether or not the token was valid.
#[post("/revoke")]
pub async fn post_revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, OAuthError> {
    let form = Form::parse(&req, &body)?;
    let client = authenticate_client(&state, &req, &form).await?;
    let cors = super::token::cors_origin(&req, &client);
    let token = form
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required."))?
        .to_owned();
    let now = state.clock.now();
    if let Some(presented) = PlainToken::from_presented(TokenKind::RefreshToken, &token) {
        let (audit, cid) = (
            state.audit.clone(),
            ClientId::parse(&client.id).map_err(|e| OAuthError::internal(&e))?,
        );
        state
            .db
            .run(move |c| {
                Ok(refresh::revoke_family_by_token(
                    c, &audit, &presented, &cid, now,
                ))
            })
            .await?
            .map_err(|e| OAuthError::internal(&e))?;
    } else if let Ok(claims) =
        state
            .keys
            .current()
            .verify_access_token(&token, state.issuer_str(), now)
        && claims.client_id.as_str() == client.id
    {
        let jti = claims.jti;
        state
            .db
            .run(move |c| access_tokens::revoke(c, &jti, now).map(drop))
            .await?;
    }
    Ok(super::token::with_cors(
        HttpResponse::Ok()
            .insert_header(("cache-control", "no-store"))
            .finish(),
        cors,
    ))
}

/// RFC 7662: a client learns about its own tokens only.
#[post("/introspect")]
pub async fn post_introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, OAuthError> {
    let form = Form::parse(&req, &body)?;
    let client = authenticate_client(&state, &req, &form).await?;
    // Introspection is for confidential clients (resource servers) only.
    if client.secret_hash.is_none() {
        return Err(OAuthError::invalid_client());
    }
    let token = form
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required."))?
        .to_owned();
    let now = state.clock.now();
    let inactive = || {
        HttpResponse::Ok()
            .insert_header(("cache-control", "no-store"))
            .json(serde_json::json!({ "active": false }))
    };
    if let Some(presented) = PlainToken::from_presented(TokenKind::RefreshToken, &token) {
        let grant = state
            .db
            .run(move |c| Ok(refresh::active_grant(c, &presented, now)))
            .await?
            .map_err(|e| OAuthError::internal(&e))?;
        return Ok(match grant.filter(|g| g.client_id.as_str() == client.id) {
            Some(g) => HttpResponse::Ok()
                .insert_header(("cache-control", "no-store"))
                .json(serde_json::json!({
                    "active": true,
                    "token_type": "refresh_token",
                    "client_id": g.client_id,
                    "sub": g.user_id,
                    "scope": g.scope,
                    "iss": state.issuer_str(),
                    "exp": g.expires_at.timestamp(),
                })),
            None => inactive(),
        });
    }
    let claims = match active_access_token(&state, &token).await {
        Ok(claims) if claims.client_id.as_str() == client.id => Some(claims),
        _ => None,
    };
    // A user's token ends with the account (client_credentials tokens have
    // the client as subject).
    let claims = match claims {
        Some(claims) if claims.sub.parse::<UserId>().is_ok() => {
            let sub = claims.sub.clone();
            let disabled = state
                .db
                .run(move |c| refresh_tokens::user_is_disabled(c, &sub))
                .await?;
            (!disabled).then_some(claims)
        }
        other => other,
    };
    match claims {
        Some(claims) => Ok(HttpResponse::Ok()
            .insert_header(("cache-control", "no-store"))
            .json(serde_json::json!({
                "active": true,
                "token_type": "Bearer",
                "client_id": claims.client_id,
                "sub": claims.sub,
                "scope": claims.scope,
                "iss": state.issuer_str(),
                "exp": claims.exp.timestamp(),
                "iat": claims.iat.timestamp(),
                "jti": claims.jti,
            }))),
        None => Ok(inactive()),
    }
}
