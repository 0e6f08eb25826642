//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). With a valid
//! `id_token_hint` the browser session ends at once, its refresh tokens are
//! revoked, and the user returns to a registered `post_logout_redirect_uri`;
//! without one, the user is asked first (a link alone cannot sign anyone out).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_core::ClientId;
use latchkey_oidc::jwt::IdTokenHint;
use latchkey_store::clients;
use serde::Deserialize;

use crate::error::WebError;
use crate::session::{self, SignedIn};
use crate::state::AppState;
use crate::views::SignedOutPage;
use crate::{cookies, csrf};

#[derive(Debug, Deserialize)]
pub struct LogoutQuery {
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    client_id: Option<String>,
}

/// The hint if it is an ID token this server signed (expired ones
/// included: a hint is usually old).
fn verify_hint(state: &AppState, token: &str) -> Option<IdTokenHint> {
    state
        .keys
        .current()
        .verify_id_token_hint(token, state.issuer_str())
        .ok()
}

async fn end_session(state: &AppState, me: &SignedIn) -> Result<(), WebError> {
    state.sessions.revoke_session(&me.token).await?;
    session::revoke_session_grants(state, vec![me.data.sid.clone()]).await?;
    Ok(())
}

/// The sign-out page: a confirmation form, or "you are signed out".
fn signed_out_page(csrf: String, confirm: bool) -> Result<HttpResponse, WebError> {
    let body = askama::Template::render(&SignedOutPage { csrf, confirm })
        .map_err(|e| WebError::Internal(Box::new(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body))
}

#[get("/logout")]
pub async fn get_logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<LogoutQuery>,
) -> Result<HttpResponse, WebError> {
    let hint = q
        .id_token_hint
        .as_deref()
        .and_then(|t| verify_hint(&state, t));
    if q.id_token_hint.is_some() && hint.is_none() {
        return Err(WebError::BadRequest(
            "The id_token_hint is not a token this server issued.".into(),
        ));
    }
    let client_id = match (&hint, q.client_id.as_deref()) {
        (Some(h), Some(c)) if h.audience() != Some(c) => {
            return Err(WebError::BadRequest(
                "client_id does not match the id_token_hint.".into(),
            ));
        }
        (Some(h), _) => h.audience().map(str::to_owned),
        (None, c) => c.map(str::to_owned),
    };
    // Validate the redirect before doing anything: never redirect to an
    // unregistered address.
    let redirect = match &q.post_logout_redirect_uri {
        Some(uri) => {
            let id = client_id
                .as_deref()
                .and_then(|c| ClientId::parse(c).ok())
                .ok_or_else(|| {
                    WebError::BadRequest(
                        "post_logout_redirect_uri needs id_token_hint or client_id.".into(),
                    )
                })?;
            let client = state
                .db
                .run(move |c| clients::find(c, &id))
                .await?
                .filter(|c| c.disabled_at.is_none())
                .ok_or_else(|| WebError::BadRequest("Unknown client.".into()))?;
            if !client
                .post_logout_redirect_uri_list()?
                .iter()
                .any(|r| r == uri)
            {
                return Err(WebError::BadRequest(
                    "post_logout_redirect_uri is not registered for this client.".into(),
                ));
            }
            Some(uri.clone())
        }
        None => None,
    };
    let me = session::current(&req).await?;
    let Some(hint) = hint else {
        return signed_out_page(csrf::token(&req), me.is_some());
    };
    let ended = match &me {
        Some(me) if me.user_id().to_string() == hint.sub => {
            end_session(&state, me).await?;
            true
        }
        // Someone else is signed in here: the hint does not speak for
        // them, so they are asked (and nobody is redirected).
        Some(_) => {
            return signed_out_page(csrf::token(&req), true);
        }
        None => false,
    };
    let mut res = match redirect {
        Some(uri) => {
            let fields: Vec<(&str, &str)> = q.state.iter().map(|s| ("state", s.as_str())).collect();
            HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    latchkey_oidc::authorize::with_query(&uri, &fields),
                ))
                .finish()
        }
        None => signed_out_page(String::new(), false)?,
    };
    if ended {
        let _ = res.add_cookie(&cookies::session_removal());
    }
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    csrf: String,
}

#[post("/logout")]
pub async fn post_logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    if let Some(me) = session::current(&req).await? {
        end_session(&state, &me).await?;
    }
    let mut res = signed_out_page(String::new(), false)?;
    let _ = res.add_cookie(&cookies::session_removal());
    Ok(res)
}
