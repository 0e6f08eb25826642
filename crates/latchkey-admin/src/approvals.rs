//! The approval queue and the request page: review a guarded-action
//! request, approve or deny it with a passkey assertion bound to it, record
//! an out-of-band identity check. The engine decides; these handlers parse,
//! call it and render.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_core::{CredentialId, GuardedActionId};
use latchkey_i18n::msg;
use latchkey_recovery::{
    ApproverAssertion, EngineError, FactorKind, GuardedActions, OobCheck, OobMethod, Origin, State,
};
use latchkey_web::ceremony::{count, options_json, refused};
use latchkey_web::chrome::Chrome;
use latchkey_web::error::{ApiError, WebError};
use latchkey_web::state::AppState;
use latchkey_web::{client, csrf};
use serde::Deserialize;

use crate::access::{self, Console};
use crate::error::{api_error, page_error};
use crate::request_views::{
    channels_text, factor_row, method_label, summary, timeline_row, warning,
};
use crate::views::{ApprovalPage, ApprovalsPage, DecisionRow, NoticeRow, OobRow, QueueRow, when};
use latchkey_web::recover_state::sentence_in;

/// The most requests the queue shows (oldest first).
const QUEUE_LIMIT: i64 = 200;

fn request_id(raw: &str) -> Option<GuardedActionId> {
    GuardedActionId::parse(raw).ok()
}

fn origin(req: &HttpRequest) -> Origin {
    Origin {
        ip: Some(client::ip(req)),
        request_id: client::request_id(req),
    }
}

fn see_other(to: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

#[get("")]
pub async fn get_console() -> HttpResponse {
    see_other("/admin/approvals".to_owned())
}

#[get("/approvals")]
pub async fn get_approvals(
    req: HttpRequest,
    state: web::Data<AppState>,
    engine: web::Data<GuardedActions>,
) -> Result<ApprovalsPage, WebError> {
    let console = access::page(&req, &state).await?;
    let queue = engine.queue(QUEUE_LIMIT).await.map_err(page_error)?;
    let now = state.clock.now();
    let chrome = Chrome::console(&req).await;
    let l = chrome.locale;
    Ok(ApprovalsPage {
        chrome,
        me: username(&state, &console).await?,
        rows: queue
            .iter()
            .map(|item| QueueRow::of(l, item, now))
            .collect(),
    })
}

/// The signed-in account's username, for the page's header.
pub(crate) async fn username(state: &AppState, console: &Console) -> Result<String, WebError> {
    let user = console.me.user_id();
    let account = state
        .db
        .run(move |c| latchkey_store::accounts::user(c, user))
        .await?;
    Ok(account.username)
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// Fixed messages only: nothing from the query string is echoed.
fn flash(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "approved" => Some(msg("console-flash-approved")),
        "denied" => Some(msg("console-flash-denied")),
        "oob" => Some(msg("console-flash-oob")),
        _ => None,
    }
}

#[get("/approvals/{id}")]
pub async fn get_approval(
    req: HttpRequest,
    state: web::Data<AppState>,
    engine: web::Data<GuardedActions>,
    path: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<ApprovalPage, WebError> {
    let console = access::page(&req, &state).await?;
    let id = request_id(&path).ok_or(WebError::NotFound)?;
    let mut page = render(&req, &state, &engine, &console, id).await?;
    page.flash = flash(q.done.as_deref()).map(|k| page.chrome.t(k));
    Ok(page)
}

/// The request page as it is now.
async fn render(
    req: &HttpRequest,
    state: &AppState,
    engine: &GuardedActions,
    console: &Console,
    id: GuardedActionId,
) -> Result<ApprovalPage, WebError> {
    let review = engine.review(id).await.map_err(page_error)?;
    let now = state.clock.now();
    let r = &review.request;
    let me = console.me.user_id();
    let open = !r.state.is_final();
    // When the engine takes a check (`transition`, `OobRecorded`): the policy
    // asks for one until the request is ready, or counts one as a factor
    // while factors are being shown. The form is offered then; the engine
    // still decides.
    let verifying = matches!(r.state, State::Requested | State::VerifyingFactors);
    let oob_taken = r.policy.out_of_band_check
        || (verifying && r.policy.factor_kinds.contains(&FactorKind::OutOfBand));
    let chrome = Chrome::console(req).await;
    let l = chrome.locale;
    Ok(ApprovalPage {
        chrome,
        me: username(state, console).await?,
        id: r.id.to_string(),
        action: l.t(crate::request_views::action_label(r.action.kind())),
        subject: review.subject.as_ref().map_or_else(
            || l.t(msg("console-unknown-account")),
            |s| s.username.clone(),
        ),
        summary: summary(l, &review, now),
        warning: warning(l, review.feasibility),
        flash: None,
        error: None,
        factors: review
            .factors
            .iter()
            .map(|f| factor_row(l, &f.kind, f.at))
            .collect(),
        decisions: review
            .decisions
            .iter()
            .map(|d| DecisionRow {
                approver: d.approver.username.clone(),
                decision: l.t(if d.approved {
                    msg("console-decision-approved")
                } else {
                    msg("console-decision-denied")
                }),
                comment: d.comment.clone(),
                at: when(d.at),
            })
            .collect(),
        oob: review.oob.as_ref().map(|o| OobRow {
            by: o.by.username.clone(),
            method: l.t(method_label(&o.method)),
            evidence: o.evidence.clone(),
            at: when(o.at),
        }),
        notices: review
            .notices
            .iter()
            .map(|n| NoticeRow {
                notice: n.notice.clone(),
                channels: channels_text(l, &n.channels),
                at: when(n.at),
            })
            .collect(),
        timeline: review.timeline.iter().map(|e| timeline_row(l, e)).collect(),
        open,
        approvable: r.policy.approvals > 0 && !r.approvals.contains(&me),
        approved_by_me: r.approvals.contains(&me),
        own: me == r.subject || Some(me) == r.requester,
        takes_oob: open && oob_taken && r.out_of_band_by.is_none() && r.state != State::Ready,
    })
}

/// Starts the approval ceremony for this request: a user-verified
/// assertion with one of the approver's passkeys whose challenge carries
/// the request's approval challenge.
#[post("/approvals/{id}/ceremony")]
pub async fn post_approval_ceremony(
    req: HttpRequest,
    state: web::Data<AppState>,
    engine: web::Data<GuardedActions>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let console = access::decision(&req, &state).await?;
    let id = request_id(&path).ok_or(ApiError::NotFound("No such request."))?;
    let request = engine.view(id).await.map_err(api_error)?;
    let start = state
        .accounts
        .start_approval(&console.me, request.approval_challenge())
        .await
        .map_err(|e| refused(&state, e))?;
    Ok(HttpResponse::Ok().json(options_json(&start)))
}

#[derive(Debug, Deserialize)]
pub struct DecisionBody {
    ceremony: String,
    credential: serde_json::Value,
    #[serde(default)]
    comment: String,
}

#[post("/approvals/{id}/approve")]
pub async fn post_approve(
    req: HttpRequest,
    state: web::Data<AppState>,
    engine: web::Data<GuardedActions>,
    path: web::Path<String>,
    body: web::Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    decide(&req, &state, &engine, &path, &body, true).await
}

#[post("/approvals/{id}/deny")]
pub async fn post_deny(
    req: HttpRequest,
    state: web::Data<AppState>,
    engine: web::Data<GuardedActions>,
    path: web::Path<String>,
    body: web::Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    decide(&req, &state, &engine, &path, &body, false).await
}

/// Finishes the approval ceremony and hands the bound assertion to the
/// engine, which counts it only for the request it was made for.
async fn decide(
    req: &HttpRequest,
    state: &AppState,
    engine: &GuardedActions,
    path: &str,
    body: &DecisionBody,
    approve: bool,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(req, None, &state.origin)?;
    let console = access::decision(req, state).await?;
    let id = request_id(path).ok_or(ApiError::NotFound("No such request."))?;
    let client = client::info(req);
    let finished = state
        .accounts
        .finish_approval(
            &console.me,
            &body.ceremony,
            &body.credential.to_string(),
            &client,
        )
        .await;
    count(state, &finished.outcome);
    let a = finished.result.map_err(|e| refused(state, e))?;
    let assertion = ApproverAssertion {
        approver: a.user,
        credential: a.credential,
        uv_at: a.uv_at,
        bound_digest: a.bound_digest,
    };
    let origin = origin(req);
    let result = if approve {
        engine.approve(id, assertion, &body.comment, &origin).await
    } else {
        engine.deny(id, assertion, &body.comment, &origin).await
    };
    match result {
        Ok(_) => {
            let done = if approve { "approved" } else { "denied" };
            Ok(HttpResponse::Ok().json(serde_json::json!({
                "redirect": format!("/admin/approvals/{id}?done={done}"),
            })))
        }
        Err(EngineError::Refused(r)) => {
            let locale = Chrome::console(req).await.locale;
            Ok(HttpResponse::Conflict().json(serde_json::json!({
                "error": r.code(),
                "message": sentence_in(locale, &r),
            })))
        }
        Err(e) => Err(api_error(e)),
    }
}

#[derive(Debug, Deserialize)]
pub struct OobForm {
    csrf: String,
    method: OobMethod,
    note: String,
}

/// Records an out-of-band identity check with the session's own fresh
/// user verification. A refusal shows the page again with the reason.
#[post("/approvals/{id}/oob")]
pub async fn post_oob(
    req: HttpRequest,
    state: web::Data<AppState>,
    engine: web::Data<GuardedActions>,
    path: web::Path<String>,
    form: web::Form<OobForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let id = request_id(&path).ok_or(WebError::NotFound)?;
    let page = format!("/admin/approvals/{id}");
    let console = access::page_to(&req, &state, &page).await?;
    let credential = console
        .me
        .data
        .credential
        .as_deref()
        .and_then(|c| CredentialId::parse(c).ok())
        .ok_or(WebError::StepUpRequired { next: page.clone() })?;
    let check = OobCheck {
        recorder: console.me.user_id(),
        credential,
        uv_at: console.me.data.uv_at,
        method: form.method,
        evidence: form.note.clone(),
    };
    match engine.record_oob(id, check, &origin(&req)).await {
        Ok(_) => Ok(see_other(format!("{page}?done=oob"))),
        Err(EngineError::Refused(r)) => {
            let mut view = render(&req, &state, &engine, &console, id).await?;
            view.error = Some(sentence_in(view.chrome.locale, &r));
            let body =
                askama::Template::render(&view).map_err(|e| WebError::Internal(Box::new(e)))?;
            Ok(HttpResponse::Conflict()
                .content_type(header::ContentType::html())
                .body(body))
        }
        Err(e) => Err(page_error(e)),
    }
}
