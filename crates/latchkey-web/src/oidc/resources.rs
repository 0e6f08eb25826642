//! Discovery, JWKS, userinfo (OIDC Core §5.3), revocation (RFC 7009),
//! introspection (RFC 7662).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, route, web};
use latchkey_oidc::published::Published;

use super::ProtocolError;
use super::token::{Form, authenticate_client, read_body};
use crate::state::AppState;

/// Serves a published document: `304` without a body when the client's
/// `If-None-Match` names this version, else the bytes serialised once.
fn serve(req: &HttpRequest, doc: &Published) -> HttpResponse {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| doc.matches(v));
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header(("cache-control", "public, max-age=300"))
        .insert_header(("access-control-allow-origin", "*"))
        .insert_header((header::ETAG, doc.etag()));
    if fresh {
        return res.finish();
    }
    res.content_type("application/json")
        .body(web::Bytes::from_owner(doc.body()))
}

#[get("/.well-known/openid-configuration")]
pub async fn get_discovery(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    serve(&req, state.oidc.discovery_document(&state.issuer))
}

#[get("/jwks")]
pub async fn get_jwks(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    serve(&req, state.oidc.keys().current().jwks_document())
}

/// The bearer token of a request: from the `Authorization` header or the
/// form body (RFC 6750 §2.1, §2.2). Both at once is `invalid_request`
/// (§2: one method per request).
fn bearer(req: &HttpRequest, form: Option<&Form>) -> Result<Option<String>, ProtocolError> {
    let in_header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| {
            let (scheme, token) = h.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        })
        .filter(|t| !t.is_empty());
    let in_body = form.and_then(|f| f.get("access_token")).map(str::to_owned);
    match (in_header, in_body) {
        (Some(_), Some(_)) => Err(ProtocolError::bearer_invalid_request(
            "Send the access token once: in the Authorization header or in the body.",
        )),
        (header, body) => Ok(header.or(body)),
    }
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
    payload: web::Payload,
) -> HttpResponse {
    let mut res = userinfo_answer(req, state, payload)
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
    payload: web::Payload,
) -> Result<HttpResponse, ProtocolError> {
    let body = read_body(&req, payload).await?;
    let form = if body.is_empty() {
        None
    } else {
        Form::parse(&req, &body).ok()
    };
    let token = bearer(&req, form.as_ref())?.ok_or_else(ProtocolError::no_bearer_token)?;
    let claims = state.oidc.userinfo(&token).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(claims))
}

/// RFC 7009: answers 200 whether or not the token was valid.
#[post("/revoke")]
pub async fn post_revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ProtocolError> {
    let body = read_body(&req, payload).await?;
    let form = Form::parse(&req, &body)?;
    let client = authenticate_client(&state, &req, &form).await?;
    let cors = super::token::cors_origin(&req, &client);
    let token = form
        .get("token")
        .ok_or_else(|| ProtocolError::invalid_request("token is required."))?;
    state.oidc.revoke(&client, token).await?;
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
    payload: web::Payload,
) -> Result<HttpResponse, ProtocolError> {
    let body = read_body(&req, payload).await?;
    let form = Form::parse(&req, &body)?;
    let client = authenticate_client(&state, &req, &form).await?;
    let about = state.oidc.introspect(&client, form.get("token")).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(about))
}
