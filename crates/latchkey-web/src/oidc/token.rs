//! `/token` (RFC 6749 §3.2): the form and the client's credentials are read
//! here; `latchkey_oidc::Provider` authenticates the client and answers the
//! grant.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use latchkey_oidc::TokenRequest;
use latchkey_oidc::clients::{AuthenticatedClient, PresentedClientAuth};

use super::ProtocolError;
use crate::state::AppState;

/// Reads the body of a protocol endpoint: at most [`crate::MAX_BODY_BYTES`],
/// like every other body; a larger one is an RFC 6749 §5.2 `invalid_request`
/// (JSON, like the endpoint's other errors), and is not read further.
pub(crate) async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<web::Bytes, ProtocolError> {
    let too_large = || {
        ProtocolError::invalid_request(format!(
            "The request body is larger than {} bytes.",
            crate::MAX_BODY_BYTES
        ))
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > crate::MAX_BODY_BYTES) {
        return Err(too_large());
    }
    match payload.to_bytes_limited(crate::MAX_BODY_BYTES).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(_)) => Err(ProtocolError::invalid_request(
            "The request body could not be read.",
        )),
        Err(_) => Err(too_large()),
    }
}

/// Form fields, each at most once but for [`REPEATABLE`] ones.
pub(crate) struct Form(Vec<(String, String)>);

/// The parameters that may appear more than once: RFC 8707 `resource`.
const REPEATABLE: [&str; 1] = ["resource"];

impl Form {
    pub(crate) fn parse(req: &HttpRequest, body: &[u8]) -> Result<Self, ProtocolError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !content_type.starts_with("application/x-www-form-urlencoded") {
            return Err(ProtocolError::invalid_request(
                "The body must be application/x-www-form-urlencoded.",
            ));
        }
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
        let mut seen = std::collections::BTreeSet::new();
        for (k, _) in &pairs {
            if !seen.insert(k.as_str()) && !REPEATABLE.contains(&k.as_str()) {
                return Err(ProtocolError::invalid_request(format!(
                    "The parameter {k} appears more than once."
                )));
            }
        }
        Ok(Self(pairs))
    }

    /// A parameter's value; an empty one counts as absent (RFC 6749 §3.1).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Every non-empty value of a repeatable parameter, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Authenticates the client of a token, revocation or introspection request
/// from the `Authorization` header and the form.
pub(crate) async fn authenticate_client(
    state: &AppState,
    req: &HttpRequest,
    form: &Form,
) -> Result<AuthenticatedClient, ProtocolError> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let presented = PresentedClientAuth::from_request(
        authorization,
        form.get("client_id"),
        form.get("client_secret"),
    )
    .map_err(latchkey_oidc::OAuthError::from)?;
    Ok(state.oidc.authenticate_client(presented).await?)
}

fn no_store(body: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .insert_header(("pragma", "no-cache"))
        .json(body)
}

#[post("/token")]
pub async fn post_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ProtocolError> {
    let body = read_body(&req, payload).await?;
    let form = Form::parse(&req, &body)?;
    let client = authenticate_client(&state, &req, &form).await?;
    let result = match TokenRequest::from_params(|name| form.get(name), form.all("resource")) {
        Ok(request) => state.oidc.token(&client, request).await,
        Err(e) => Err(e),
    };
    let res = match result {
        Ok(tokens) => no_store(&tokens),
        Err(e) => actix_web::ResponseError::error_response(&ProtocolError::from(e)),
    };
    Ok(with_cors(res, cors_origin(&req, &client)))
}

/// The `Origin` a browser-based (public) client may read answers from: one
/// of its redirect URIs' origins. Confidential clients keep their secret on
/// a server and get no cross-origin access.
pub(crate) fn cors_origin(req: &HttpRequest, client: &AuthenticatedClient) -> Option<String> {
    if !client.client.is_public() {
        return None;
    }
    let origin = req.headers().get(header::ORIGIN)?.to_str().ok()?;
    client
        .client
        .redirect_uris
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
