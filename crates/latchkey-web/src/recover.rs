//! Account recovery for someone who lost every passkey: "Lost your
//! passkey?" on the sign-in page names the account, the factor page takes
//! the proof, and the status page follows the request until it is ready.
//! Every step is a `latchkey_recovery::GuardedActions` call; the pages add
//! the browser binding (`recover_state`), CSRF and the equal answers that
//! keep an account's existence to itself.
//!
//! Whether an account exists is never told: for an unknown or disabled
//! account (or one whose request the engine refused), the browser gets a
//! decoy request that lives only in its signed cookie. The answers to
//! naming the account, to a code and to asking for an e-mail link are the
//! same page, the same cookie and take at least [`RESPONSE_FLOOR`].

use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use latchkey_core::{GuardedActionId, Secret};
use latchkey_i18n::Locale;
use latchkey_recovery::{EngineError, GuardedAction, NewRequest, Origin, Refusal, Request, State};
use latchkey_session::Limit;
use latchkey_store::users;
use serde::Deserialize;

use crate::chrome::Chrome;
use crate::error::WebError;
use crate::recover_state::{Recovering, Seen, sentence};
use crate::state::AppState;
use crate::views::{RecoverFactorPage, RecoverPage, RecoverStatusPage};
use crate::{client, csrf};

/// The least time naming an account, presenting a code or asking for a
/// link takes, whatever the answer: long enough for the real work (a
/// request stored and announced, a code checked against its hash).
pub const RESPONSE_FLOOR: Duration = Duration::from_millis(300);

/// Recoveries started from one address (before any account is looked up,
/// so a known and an unknown account count alike).
pub const RECOVERIES_PER_IP: Limit = Limit {
    name: "recovery-ip",
    max: 10,
    window: chrono::Duration::hours(1),
};

/// Codes and e-mail links asked for from one address.
pub const RECOVERY_PROOFS_PER_IP: Limit = Limit {
    name: "recovery-proof-ip",
    max: 20,
    window: chrono::Duration::minutes(15),
};

/// The wrong codes after which a request locks (the engine's number).
const MAX_FAILURES: u32 = latchkey_recovery::MAX_FAILED_ATTEMPTS;

pub(crate) fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// Waits until `floor` has passed since `started` (without blocking).
async fn hold(started: Instant) {
    if let Some(left) = RESPONSE_FLOOR.checked_sub(started.elapsed()) {
        tokio::time::sleep(left).await;
    }
}

pub(crate) fn origin(req: &HttpRequest) -> Origin {
    Origin {
        ip: Some(client::ip(req)),
        request_id: client::request_id(req),
    }
}

/// Counts a hit against a per-address limit; over it, 429.
pub(crate) async fn limit(
    state: &AppState,
    limit: Limit,
    req: &HttpRequest,
) -> Result<(), WebError> {
    match state.sessions.check_limit(limit, &client::ip(req)).await? {
        None => Ok(()),
        Some(over) => {
            state
                .metrics
                .rate_limited
                .with_label_values(&[limit.name])
                .inc();
            Err(WebError::TooManyRequests {
                retry_after: over.retry_after,
            })
        }
    }
}

fn store_error(e: EngineError) -> WebError {
    match e {
        EngineError::Refused(r) => WebError::BadRequest(sentence(&r)),
        EngineError::Store(e) => e.into(),
    }
}

#[get("/recover")]
pub async fn get_recover(req: HttpRequest) -> RecoverPage {
    RecoverPage {
        chrome: Chrome::of(&req).await,
        account: String::new(),
        error: None,
    }
}

#[derive(Debug, Deserialize)]
pub struct RecoverForm {
    csrf: String,
    account: String,
}

/// Names the account: makes a recovery request for a real, enabled account
/// (the engine announces it on every channel of the account), or a decoy.
#[post("/recover")]
pub async fn post_recover(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RecoverForm>,
) -> Result<HttpResponse, WebError> {
    let started = Instant::now();
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let name = form.account.trim().to_owned();
    if name.is_empty() || name.chars().count() > 254 || name.chars().any(char::is_control) {
        let chrome = Chrome::of(&req).await;
        let page = RecoverPage {
            account: String::new(),
            error: Some(chrome.t("recover-name-account")),
            chrome,
        };
        return Ok(crate::recover_links::render(
            actix_web::http::StatusCode::BAD_REQUEST,
            &page,
        ));
    }
    limit(&state, RECOVERIES_PER_IP, &req).await?;
    let lookup = name.clone();
    let account = state
        .db
        .run(
            move |c| match users::find_by_username(c, &lookup.to_lowercase())? {
                Some(u) => Ok(Some(u)),
                None => users::find_by_email(c, &lookup),
            },
        )
        .await?
        .filter(|u| !u.is_disabled());
    let decoy = Recovering::new(GuardedActionId::new())?;
    let browser = match account {
        Some(user) => {
            let mut browser = decoy;
            let made = state
                .recovery
                .request(
                    NewRequest {
                        action: GuardedAction::RecoverAccount,
                        subject: user.user_id()?,
                        requester: None,
                        session_handle: browser.handle.clone(),
                    },
                    &origin(&req),
                )
                .await;
            match made {
                Ok(made) => browser.request = made.request.id.to_string(),
                // Refused (too many requests for the account, a policy
                // that cannot be met): the engine logged why; the browser
                // keeps the decoy it would have had for an unknown account.
                Err(EngineError::Refused(_)) => {}
                Err(EngineError::Store(e)) => return Err(e.into()),
            }
            browser
        }
        None => decoy,
    };
    hold(started).await;
    Ok(HttpResponse::SeeOther()
        .cookie(browser.cookie(&state))
        .insert_header((header::LOCATION, "/recover/factor"))
        .finish())
}

/// Proofs given and needed, while proof is still taken; `None` once the
/// request went past that (or locked).
fn proof_progress(seen: &Seen, browser: &Recovering) -> Option<(usize, usize)> {
    match seen {
        Seen::Decoy if browser.failures >= MAX_FAILURES => None,
        Seen::Decoy => Some((0, 1)),
        Seen::Real(r) if matches!(r.state, State::Requested | State::VerifyingFactors) => {
            let given = r.factors.len();
            // Until one proof was right, every request reads like one
            // that needs a single proof (as a decoy does).
            let needed = if given == 0 {
                1
            } else {
                usize::from(r.policy.factors)
            };
            Some((given, needed))
        }
        Seen::Real(_) => None,
    }
}

fn factor_page(
    chrome: Chrome,
    progress: (usize, usize),
    message: Option<String>,
    error: bool,
) -> RecoverFactorPage {
    RecoverFactorPage {
        chrome,
        message,
        error,
        given: progress.0,
        needed: progress.1,
    }
}

#[get("/recover/factor")]
pub async fn get_factor(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let Some(browser) = Recovering::of(&req, &state) else {
        return Ok(see_other("/recover"));
    };
    let seen = browser.load(&state).await?;
    Ok(match proof_progress(&seen, &browser) {
        Some(progress) => crate::recover_links::render(
            actix_web::http::StatusCode::OK,
            &factor_page(Chrome::of(&req).await, progress, None, false),
        ),
        None => see_other("/recover/status"),
    })
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: String,
    code: String,
}

fn wrong_code(chrome: &Chrome, left: u32) -> String {
    chrome.t1("recover-factor-wrong-code", "left", left)
}

/// Presents a recovery code. A wrong one counts toward the lock (the
/// engine's, for a real request; the cookie's, for a decoy).
#[post("/recover/code")]
pub async fn post_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, WebError> {
    let started = Instant::now();
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let Some(mut browser) = Recovering::of(&req, &state) else {
        return Ok(see_other("/recover"));
    };
    limit(&state, RECOVERY_PROOFS_PER_IP, &req).await?;
    let code: String = form.code.trim().chars().take(64).collect();
    let seen = browser.load(&state).await?;
    let Some(progress) = proof_progress(&seen, &browser) else {
        return Ok(see_other("/recover/status"));
    };
    let outcome: Result<(), Refusal> = match &seen {
        Seen::Real(r) => match state
            .recovery
            .present_recovery_code(r.id, Secret::new(code), &origin(&req))
            .await
        {
            Ok(_) => Ok(()),
            Err(EngineError::Refused(refusal)) => Err(refusal),
            Err(EngineError::Store(e)) => return Err(e.into()),
        },
        Seen::Decoy => {
            let left = MAX_FAILURES.saturating_sub(browser.failures.saturating_add(1));
            Err(if left == 0 {
                Refusal::LockedNow {}
            } else {
                Refusal::WrongFactor {
                    attempts_left: left,
                }
            })
        }
    };
    let response = match outcome {
        Ok(()) => see_other("/recover/status"),
        Err(Refusal::WrongFactor { attempts_left }) => {
            browser.failures = browser.failures.saturating_add(1);
            let chrome = Chrome::of(&req).await;
            let message = wrong_code(&chrome, attempts_left);
            let page = factor_page(chrome, progress, Some(message), true);
            let mut res =
                crate::recover_links::render(actix_web::http::StatusCode::BAD_REQUEST, &page);
            res.add_cookie(&browser.cookie(&state))
                .map_err(|e| WebError::Internal(Box::new(e)))?;
            res
        }
        Err(Refusal::LockedNow {}) => {
            browser.failures = browser.failures.saturating_add(1);
            HttpResponse::SeeOther()
                .cookie(browser.cookie(&state))
                .insert_header((header::LOCATION, "/recover/status"))
                .finish()
        }
        Err(Refusal::RateLimited {}) => {
            return Err(WebError::TooManyRequests { retry_after: 900 });
        }
        Err(other) => {
            let chrome = Chrome::of(&req).await;
            let message = crate::recover_state::sentence_in(chrome.locale, &other);
            let page = factor_page(chrome, progress, Some(message), true);
            crate::recover_links::render(actix_web::http::StatusCode::CONFLICT, &page)
        }
    };
    hold(started).await;
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// Asks for a one-time link to the account's verified address. The answer
/// is the same whether a link went out or not.
#[post("/recover/email")]
pub async fn post_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, WebError> {
    let started = Instant::now();
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let Some(browser) = Recovering::of(&req, &state) else {
        return Ok(see_other("/recover"));
    };
    limit(&state, RECOVERY_PROOFS_PER_IP, &req).await?;
    let seen = browser.load(&state).await?;
    let Some(progress) = proof_progress(&seen, &browser) else {
        return Ok(see_other("/recover/status"));
    };
    if let Seen::Real(r) = &seen {
        match state.recovery.send_email_link(r.id, &origin(&req)).await {
            // No verified address, or the policy does not count links:
            // logged by the engine, told to nobody.
            Ok(()) | Err(EngineError::Refused(_)) => {}
            Err(EngineError::Store(e)) => return Err(e.into()),
        }
    }
    let chrome = Chrome::of(&req).await;
    let sent = chrome.t("recover-factor-link-sent");
    let page = factor_page(chrome, progress, Some(sent), false);
    hold(started).await;
    Ok(crate::recover_links::render(
        actix_web::http::StatusCode::OK,
        &page,
    ))
}

/// "42 minutes", "3 hours 5 minutes", "2 days", in the page's language.
pub fn time_left(locale: Locale, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    locale.duration(to - from)
}

/// What the policy still waits for, in words.
fn missing(chrome: &Chrome, r: &Request) -> Vec<String> {
    let mut out = Vec::new();
    let need = usize::from(r.policy.approvals);
    let have = r.approvals.len();
    if have < need {
        out.push(chrome.t2(
            "recover-missing-approvals",
            "n",
            need - have,
            "role",
            r.policy.approver_role.as_str(),
        ));
    }
    if r.policy.out_of_band_check && r.out_of_band_by.is_none() {
        out.push(chrome.t("recover-missing-identity-check"));
    }
    out
}

fn status_page(
    chrome: Chrome,
    seen: &Seen,
    browser: &Recovering,
    now: DateTime<Utc>,
) -> RecoverStatusPage {
    let locale = chrome.locale;
    let t = |key: &str| chrome.t(key);
    let mut page = RecoverStatusPage {
        state: "requested",
        heading: t("recover-state-requested-heading"),
        explanation: t("recover-state-requested"),
        time_left: None,
        approvals_have: 0,
        approvals_need: 0,
        missing: vec![t("recover-missing-proof")],
        needs_proof: true,
        ready: false,
        enrol: false,
        refresh: true,
        chrome: chrome.clone(),
    };
    let r = match seen {
        Seen::Decoy if browser.failures >= MAX_FAILURES => return locked(page),
        Seen::Decoy => return page,
        Seen::Real(r) => r,
    };
    page.state = r.state.as_str();
    page.needs_proof = false;
    page.missing = missing(&chrome, r);
    page.approvals_need = usize::from(r.policy.approvals);
    page.approvals_have = r.approvals.len();
    let (heading, explanation) = match r.state {
        State::Requested => {
            page.needs_proof = true;
            page.missing = vec![t("recover-missing-proof")];
            page.approvals_need = 0;
            (
                t("recover-state-requested-heading"),
                t("recover-state-requested"),
            )
        }
        State::VerifyingFactors => {
            page.needs_proof = true;
            page.missing.insert(0, t("recover-missing-another-proof"));
            (
                t("recover-state-requested-heading"),
                chrome.t2(
                    "recover-state-verifying",
                    "given",
                    r.factors.len(),
                    "needed",
                    u32::from(r.policy.factors),
                ),
            )
        }
        State::Waiting => {
            page.time_left = r.eligible_at.map(|at| time_left(locale, now, at));
            (
                t("recover-state-waiting-heading"),
                t("recover-state-waiting"),
            )
        }
        State::AwaitingApprovals => (
            t("recover-state-approvals-heading"),
            t("recover-state-approvals"),
        ),
        State::Ready => {
            page.ready = true;
            page.refresh = false;
            (
                t("recover-state-ready-heading"),
                chrome.t1(
                    "recover-state-ready",
                    "left",
                    time_left(locale, now, r.expires_at),
                ),
            )
        }
        State::Completed => {
            page.refresh = false;
            page.enrol = browser.grant.is_some();
            let explanation = if page.enrol {
                t("recover-state-completed-enrol")
            } else {
                t("recover-state-completed")
            };
            (t("recover-state-completed-heading"), explanation)
        }
        State::Cancelled => {
            page.refresh = false;
            (
                t("recover-state-cancelled-heading"),
                t("recover-state-cancelled"),
            )
        }
        State::Denied => {
            page.refresh = false;
            (t("recover-state-denied-heading"), t("recover-state-denied"))
        }
        State::Expired => {
            page.refresh = false;
            (
                t("recover-state-expired-heading"),
                t("recover-state-expired"),
            )
        }
        State::Locked => return locked(page),
    };
    page.heading = heading;
    page.explanation = explanation;
    if page.state != "requested" && r.state.is_final() {
        page.missing.clear();
        page.approvals_need = 0;
    }
    page
}

fn locked(mut page: RecoverStatusPage) -> RecoverStatusPage {
    page.state = "locked";
    page.heading = page.chrome.t("recover-state-locked-heading");
    page.explanation = page.chrome.t("recover-state-locked");
    page.missing.clear();
    page.needs_proof = false;
    page.refresh = false;
    page
}

/// Where the recovery stands (refreshes itself while something may change).
#[get("/recover/status")]
pub async fn get_status(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let Some(browser) = Recovering::of(&req, &state) else {
        return Ok(see_other("/recover"));
    };
    let seen = browser.load(&state).await?;
    let page = status_page(Chrome::of(&req).await, &seen, &browser, state.clock.now());
    Ok(crate::recover_links::render(
        actix_web::http::StatusCode::OK,
        &page,
    ))
}

/// Finishes a ready recovery from the browser that made it: the engine
/// revokes what the policy says and issues the enrolment grant, kept in
/// this browser's cookie for the passkey page.
#[post("/recover/complete")]
pub async fn post_complete(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let Some(mut browser) = Recovering::of(&req, &state) else {
        return Ok(see_other("/recover"));
    };
    let Seen::Real(r) = browser.load(&state).await? else {
        return Ok(see_other("/recover/status"));
    };
    let done = state
        .recovery
        .complete(r.id, &browser.handle, &origin(&req))
        .await
        .map_err(store_error)?;
    if done.end_sessions {
        state
            .accounts
            .end_every_session(r.subject, "recovery_completed", &client::ip(&req))
            .await?;
    }
    browser.grant = done.enrolment_grant.map(|g| g.expose().to_owned());
    Ok(HttpResponse::SeeOther()
        .cookie(browser.cookie(&state))
        .insert_header((header::LOCATION, "/recover/enrol"))
        .finish())
}
