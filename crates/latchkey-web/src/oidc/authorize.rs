//! `/authorize`: validate, sign in (or step up), consent, issue a code.
//!
//! A weaker session is never used silently: when the client's minimum acr,
//! the request's `acr_values` or `max_age`, or `prompt=login` is not met by the
//! current session, the user goes through a new passkey ceremony; if even a
//! fresh ceremony cannot meet the requirement, the client gets
//! `unmet_authentication_requirements`, never a weaker token.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Duration, Utc};
use latchkey_core::{Acr, Amr, ClientId, PlainToken, TokenKind, UserId};
use latchkey_oidc::authorize::{
    self as authz, AuthorizationRequest, AuthorizeError, ClientFacts, RedirectError,
};
use latchkey_store::clients::{self, Client};
use latchkey_store::consents;
use serde::{Deserialize, Serialize};

use crate::error::WebError;
use crate::session::{self, SignedIn};
use crate::state::AppState;
use crate::views::ConsentPage;
use crate::{ceremony, csrf};

const NS_PENDING: &str = "authz-pending";
pub(crate) const NS_CODE: &str = "authz-code";
const PENDING_TTL: Duration = Duration::minutes(15);
/// An authorization code lives one minute and is used once.
pub(crate) const CODE_TTL: Duration = Duration::seconds(60);

/// A request waiting for the user to sign in or consent.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    request: AuthorizationRequest,
    created_at: DateTime<Utc>,
    /// A ceremony must happen after `created_at` (prompt=login, max_age).
    fresh_auth_required: bool,
    /// The handle of the browser session when the request arrived: a fresh
    /// ceremony always starts a new session, so that one never counts as fresh.
    session_at_request: Option<String>,
}

/// What an authorization code stands for, until it is redeemed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeRecord {
    pub client_id: ClientId,
    pub redirect_uri: String,
    pub user_id: UserId,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub auth_time: DateTime<Utc>,
    pub acr: Acr,
    pub amr: Vec<Amr>,
    pub sid: String,
    pub issued_at: DateTime<Utc>,
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

fn redirect_error(
    state: &AppState,
    redirect_uri: &str,
    st: Option<&str>,
    error: &'static str,
    description: &str,
) -> HttpResponse {
    let e = RedirectError {
        redirect_uri: redirect_uri.to_owned(),
        state: st.map(str::to_owned),
        error,
        description: description.to_owned(),
    };
    see_other(&e.to_url(state.issuer_str()))
}

async fn load_client(state: &AppState, id: ClientId) -> Result<Option<Client>, WebError> {
    Ok(state
        .db
        .run(move |c| clients::find(c, &id))
        .await?
        .filter(|c| c.disabled_at.is_none()))
}

/// The strongest acr this client and request need.
fn required_acr(client: &Client, request: &AuthorizationRequest) -> Option<Acr> {
    let min = client
        .min_acr
        .as_deref()
        .and_then(|a| a.parse::<Acr>().ok());
    min.max(request.acr)
}

#[get("/authorize")]
pub async fn get_authorize(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let untrusted = |e: authz::UntrustedRequest| WebError::BadRequest(e.to_string());
    let client_id = authz::client_id(&params).map_err(untrusted)?;
    let client = load_client(&state, client_id.clone())
        .await?
        .ok_or_else(|| untrusted(authz::UntrustedRequest::UnknownClient))?;
    let facts = ClientFacts {
        id: client_id,
        redirect_uris: client.redirect_uri_list()?,
    };
    let request = match authz::validate(&params, &facts) {
        Ok(r) => r,
        Err(AuthorizeError::Untrusted(e)) => return Err(untrusted(e)),
        Err(AuthorizeError::Redirect(e)) => return Ok(see_other(&e.to_url(state.issuer_str()))),
    };
    let now = state.clock.now();
    let me = session::current(&req).await?;
    let stale = match (request.max_age, &me) {
        (Some(max_age), Some(me)) => (now - me.data.auth_time).num_seconds() >= max_age,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let pending = Pending {
        fresh_auth_required: request.prompt.login || stale,
        request,
        created_at: now,
        session_at_request: me.as_ref().map(|m| m.session.handle.clone()),
    };
    let id = ceremony::new_id();
    state
        .sessions
        .put_json(NS_PENDING, &id, &pending, PENDING_TTL)
        .await?;
    decide(&req, &state, &id, &pending, &client, me).await
}

#[derive(Debug, Deserialize)]
pub struct ContinueQuery {
    id: String,
}

/// Where the sign-in page sends the user back to.
#[get("/authorize/continue")]
pub async fn get_authorize_continue(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ContinueQuery>,
) -> Result<HttpResponse, WebError> {
    let pending: Pending = load_pending(&state, &q.id).await?;
    let client = load_client(&state, pending.request.client_id.clone())
        .await?
        .ok_or(WebError::Gone("The application is no longer registered."))?;
    let me = session::current(&req).await?;
    decide(&req, &state, &q.id, &pending, &client, me).await
}

async fn load_pending(state: &AppState, id: &str) -> Result<Pending, WebError> {
    if id.is_empty() || id.len() > 128 {
        return Err(WebError::Gone(PENDING_GONE));
    }
    let bytes = state
        .sessions
        .get(NS_PENDING, id)
        .await?
        .ok_or(WebError::Gone(PENDING_GONE))?;
    serde_json::from_slice(&bytes).map_err(|e| WebError::Internal(Box::new(e)))
}

const PENDING_GONE: &str =
    "This sign-in request has expired. Go back to the application and start again.";

async fn decide(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
    pending: &Pending,
    client: &Client,
    me: Option<SignedIn>,
) -> Result<HttpResponse, WebError> {
    let r = &pending.request;
    let required = required_acr(client, r);
    let fresh = |me: &SignedIn| {
        me.data.auth_time >= pending.created_at
            && pending.session_at_request.as_deref() != Some(me.session.handle.as_str())
    };
    let acr_ok = |me: &SignedIn| required.is_none_or(|need| me.data.acr.satisfies(need));
    let usable = me
        .as_ref()
        .filter(|m| (!pending.fresh_auth_required || fresh(m)) && acr_ok(m));
    let Some(me) = usable else {
        let err = |code, text| {
            Ok(redirect_error(
                state,
                &r.redirect_uri,
                r.state.as_deref(),
                code,
                text,
            ))
        };
        if let Some(m) = &me
            && fresh(m)
            && !acr_ok(m)
        {
            // A ceremony happened for this very request and still fell short.
            return err(
                "unmet_authentication_requirements",
                "The passkey used does not meet the authentication level this application requires.",
            );
        }
        if r.prompt.none {
            return if me.is_some() && !pending.fresh_auth_required {
                err("interaction_required", "A stronger sign-in is needed.")
            } else {
                err("login_required", "The user must sign in.")
            };
        }
        let next = format!("/authorize/continue?id={id}");
        let page = if r.prompt.create && state.self_signup && me.is_none() {
            "/signup"
        } else {
            "/signin"
        };
        let enc: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        return Ok(see_other(&format!("{page}?next={enc}")));
    };
    if !client.first_party {
        let (user, cid) = (me.user_id(), r.client_id.clone());
        let granted = state.db.run(move |c| consents::find(c, user, &cid)).await?;
        let covered = granted.is_some_and(|g| r.scopes.iter().all(|s| g.contains(s)));
        if !covered {
            if r.prompt.none {
                return Ok(redirect_error(
                    state,
                    &r.redirect_uri,
                    r.state.as_deref(),
                    "consent_required",
                    "The user has not allowed this application.",
                ));
            }
            let user = me.user_id();
            let account = state
                .db
                .run(move |c| latchkey_store::accounts::user(c, user))
                .await?;
            let page = ConsentPage {
                csrf: csrf::token(req),
                client_name: client.name.clone(),
                username: account.username,
                scopes: r.scopes.iter().map(|s| describe_scope(s)).collect(),
                request: id.to_owned(),
                user: user.to_string(),
            };
            return Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                // The consent form's answer redirects to the client: browsers
                // apply form-action to that redirect, so allow its origin.
                .insert_header((
                    header::CONTENT_SECURITY_POLICY,
                    consent_page_policy(&r.redirect_uri),
                ))
                .body(
                    askama::Template::render(&page).map_err(|e| WebError::Internal(Box::new(e)))?,
                ));
        }
    }
    issue_code(state, id, pending, me).await
}

/// The page policy with `form-action` widened to the client's redirect URI
/// (its origin, or its scheme for a private-use scheme like
/// `com.example.app:/callback`).
fn consent_page_policy(redirect_uri: &str) -> String {
    let target = match url::Url::parse(redirect_uri) {
        Ok(u) if u.has_host() => u.origin().ascii_serialization(),
        Ok(u) => format!("{}:", u.scheme()),
        Err(_) => String::new(),
    };
    crate::middleware::CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'",
        &format!("form-action 'self' {target}"),
    )
}

fn describe_scope(scope: &str) -> &'static str {
    match scope {
        "openid" => "your account id",
        "profile" => "your name and username",
        "email" => "your email address",
        "offline_access" => "access while you are away (refresh tokens)",
        _ => "other information",
    }
}

async fn issue_code(
    state: &AppState,
    id: &str,
    pending: &Pending,
    me: &SignedIn,
) -> Result<HttpResponse, WebError> {
    // Single use of the pending request: a second tab cannot mint a second code.
    if state.sessions.take(NS_PENDING, id).await?.is_none() {
        return Err(WebError::Gone(PENDING_GONE));
    }
    let r = &pending.request;
    let now = state.clock.now();
    let code = PlainToken::generate(TokenKind::AuthorizationCode);
    let record = CodeRecord {
        client_id: r.client_id.clone(),
        redirect_uri: r.redirect_uri.clone(),
        user_id: me.user_id(),
        scope: r.scope(),
        nonce: r.nonce.clone(),
        code_challenge: r.code_challenge.clone(),
        auth_time: me.data.auth_time,
        acr: me.data.acr,
        amr: me.data.amr.clone(),
        sid: me.data.sid.clone(),
        issued_at: now,
    };
    state
        .sessions
        .put_json(NS_CODE, &code.hashed().to_hex(), &record, CODE_TTL)
        .await?;
    let mut fields = vec![("code", code.expose())];
    if let Some(s) = &r.state {
        fields.push(("state", s));
    }
    Ok(see_other(&authz::response_url(
        &r.redirect_uri,
        state.issuer_str(),
        &fields,
    )))
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    csrf: String,
    request: String,
    decision: String,
    /// The account the page was shown to.
    user: String,
}

#[post("/authorize/consent")]
pub async fn post_authorize_consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ConsentForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let pending = load_pending(&state, &form.request).await?;
    let me = session::current(&req)
        .await?
        .ok_or_else(|| WebError::SignInRequired {
            next: format!("/authorize/continue?id={}", form.request),
        })?;
    let r = &pending.request;
    // Someone else signed in in this browser since the page was shown: the
    // answer was not theirs to give; ask them.
    if form.user != me.user_id().to_string() {
        let client = load_client(&state, r.client_id.clone())
            .await?
            .ok_or(WebError::Gone("The application is no longer registered."))?;
        return decide(&req, &state, &form.request, &pending, &client, Some(me)).await;
    }
    if form.decision != "allow" {
        let _ = state.sessions.take(NS_PENDING, &form.request).await?;
        return Ok(redirect_error(
            &state,
            &r.redirect_uri,
            r.state.as_deref(),
            "access_denied",
            "The user did not allow the request.",
        ));
    }
    let client = load_client(&state, r.client_id.clone())
        .await?
        .ok_or(WebError::Gone("The application is no longer registered."))?;
    let (user, cid, scope, now, audit, ip) = (
        me.user_id(),
        r.client_id.clone(),
        r.scope(),
        state.clock.now(),
        state.audit.clone(),
        crate::client::ip(&req),
    );
    state
        .db
        .run(move |c| {
            latchkey_store::write_transaction(c, |c| {
                let all = consents::grant(c, user, &cid, scope.split(' '), now)?;
                audit.append(
                    c,
                    now,
                    &latchkey_store::audit::NewAuditEvent::new(
                        latchkey_core::AuditEventKind::ConsentGranted,
                    )
                    .actor(user)
                    .subject(user)
                    .ip(ip)
                    .detail(serde_json::json!({ "client_id": cid.as_str(), "scopes": all })),
                )
            })
        })
        .await?;
    decide(&req, &state, &form.request, &pending, &client, Some(me)).await
}
