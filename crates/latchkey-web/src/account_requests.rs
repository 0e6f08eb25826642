//! The guarded requests on the account page: the open requests about the
//! account (a recovery someone started, a sensitive change of an elevated
//! or critical account waiting out its delay) with the time left and a
//! cancel button, and the new recovery codes of a ready request, shown once.
//! The engine is `latchkey_recovery`'s, reached through `latchkey_accounts`
//! for the changes.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use latchkey_core::{GuardedActionId, UserId};
use latchkey_i18n::msg;
use latchkey_recovery::{ActionKind, EngineError, GuardedAction, Refusal, Request, State};
use latchkey_store::credentials;

use crate::chrome::Chrome;
use crate::csrf::{self, CsrfForm};
use crate::error::WebError;
use crate::session::MaybeSignedIn;
use crate::state::AppState;
use crate::views::{PendingRow, RecoveryCodesPage};

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

fn sign_in_first(req: &HttpRequest) -> WebError {
    WebError::SignInRequired {
        next: req
            .uri()
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_else(|| "/account".into()),
    }
}

pub(crate) fn engine_error(e: EngineError) -> WebError {
    match e {
        EngineError::Refused(r) => WebError::BadRequest(crate::recover_state::sentence(&r)),
        EngineError::Store(e) => e.into(),
    }
}

/// The message that says what a request asks for.
pub(crate) fn action_words(kind: ActionKind) -> &'static str {
    use ActionKind as A;
    match kind {
        A::RecoverAccount => msg("action-recover-account"),
        A::AddPasskey => msg("action-add-passkey"),
        A::RemovePasskey => msg("action-remove-passkey"),
        A::RegenerateRecoveryCodes => msg("action-regenerate-codes"),
        A::ChangeEmail => msg("action-change-email"),
        A::GrantRole => msg("action-grant-role"),
        A::ChangeTier => msg("action-change-tier"),
        A::WeakenPolicy => msg("action-weaken-policy"),
        A::EnableAccount => msg("action-enable-account"),
    }
}

/// The message of a request's state.
fn state_words(state: State) -> &'static str {
    match state {
        State::Requested => msg("request-state-requested"),
        State::VerifyingFactors => msg("request-state-verifying-factors"),
        State::Waiting => msg("request-state-waiting"),
        State::AwaitingApprovals => msg("request-state-awaiting-approvals"),
        State::Ready => msg("request-state-ready"),
        State::Completed => msg("request-state-completed"),
        State::Cancelled => msg("request-state-cancelled"),
        State::Denied => msg("request-state-denied"),
        State::Expired => msg("request-state-expired"),
        State::Locked => msg("request-state-locked"),
    }
}

/// The open requests about `user`, brought up to date first: a delay that
/// ended while nobody looked completes a change that completes by itself
/// (a pending passkey becomes active) before the page is drawn.
pub(crate) async fn pending_rows(
    state: &AppState,
    chrome: &Chrome,
    user: UserId,
) -> Result<Vec<PendingRow>, WebError> {
    let now = state.clock.now();
    let open = state.recovery.open_for(user).await.map_err(engine_error)?;
    let mut fresh = Vec::with_capacity(open.len());
    for r in open {
        let due = now >= r.expires_at
            || (r.state == State::Waiting && r.eligible_at.is_some_and(|at| now >= at));
        let r = if due {
            state.recovery.advance(r.id).await.map_err(engine_error)?
        } else {
            r
        };
        if !r.state.is_final() {
            fresh.push(r);
        }
    }
    let (passkeys, pending) = state
        .db
        .run(move |c| {
            Ok((
                credentials::list_active(c, user)?,
                credentials::list_pending(c, user)?,
            ))
        })
        .await?;
    Ok(fresh
        .into_iter()
        .map(|r| {
            let label = |id: String| {
                passkeys
                    .iter()
                    .chain(pending.iter())
                    .find(|p| p.id == id)
                    .map(|p| format!("“{}”", p.label))
            };
            let detail = match &r.action {
                GuardedAction::AddPasskey => pending
                    .iter()
                    .find(|p| p.pending_action_id.as_deref() == Some(&r.id.to_string()))
                    .map(|p| chrome.t1("pending-detail-add-passkey", "label", &p.label)),
                GuardedAction::RemovePasskey { credential } => label(credential.to_string()),
                GuardedAction::ChangeEmail { new_email } => {
                    Some(chrome.t1("pending-detail-change-email", "email", new_email))
                }
                _ => None,
            };
            row(chrome, &r, detail, now)
        })
        .collect())
}

fn row(chrome: &Chrome, r: &Request, detail: Option<String>, now: DateTime<Utc>) -> PendingRow {
    let waiting = r.state == State::Waiting;
    PendingRow {
        id: r.id.to_string(),
        action: chrome.t(action_words(r.action.kind())),
        detail,
        state: chrome.t(state_words(r.state)),
        created: chrome.when(r.created_at),
        eligible: r
            .eligible_at
            .map_or_else(|| chrome.t("pending-after-proof"), |t| chrome.when(t)),
        time_left: r
            .eligible_at
            .filter(|_| waiting)
            .map(|at| crate::recover::time_left(chrome.locale, now, at)),
        approvals: (r.policy.approvals > 0).then(|| {
            chrome.t2(
                "pending-approvals",
                "have",
                r.approvals.len(),
                "need",
                u32::from(r.policy.approvals),
            )
        }),
        collect_codes: r.state == State::Ready
            && matches!(r.action, GuardedAction::RegenerateRecoveryCodes),
    }
}

/// Cancels an open request about this account (a recovery someone else
/// started, a sensitive change): the owner's cancel wins until completion.
/// A pending passkey of the request is deleted with it.
#[post("/account/requests/{id}/cancel")]
pub async fn post_cancel_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| sign_in_first(&req))?;
    let id = GuardedActionId::parse(&path).map_err(|_| WebError::NotFound)?;
    match state
        .recovery
        .cancel(id, me.user_id(), &crate::recover::origin(&req))
        .await
    {
        Ok(_) => Ok(see_other("/account?done=request-cancelled")),
        // Somebody else's request is as unknown as a request that is not.
        Err(EngineError::Refused(Refusal::NotOwner {} | Refusal::NotFound {})) => {
            Err(WebError::NotFound)
        }
        Err(e) => Err(engine_error(e)),
    }
}

/// Shows the new recovery codes of a ready request made from this account,
/// once (fresh step-up; from any session of the owner's).
#[post("/account/requests/{id}/codes")]
pub async fn post_collect_codes(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<RecoveryCodesPage, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| sign_in_first(&req))?;
    let codes = state
        .accounts
        .collect_recovery_codes(&me, &path, &crate::client::info(&req))
        .await?;
    Ok(RecoveryCodesPage {
        chrome: Chrome::of(&req).await,
        codes,
    })
}
