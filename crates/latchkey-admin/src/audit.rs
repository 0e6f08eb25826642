//! The audit log in the console (administrators only): filter by kind,
//! actor, subject, time range and guarded-action request; page back by
//! sequence number; export the filtered range as JSON Lines or CSV
//! (streamed in batches, so a long range is never held in memory); and
//! verify the hash chain with the same check as `latchkey audit verify`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_core::AuditEventKind;
use latchkey_i18n::{Locale, msg};
use latchkey_store::audit::AuditEvent;
use latchkey_store::audit_query::{self, AuditFilter, Walk};
use latchkey_store::{Db, from_db, users};
use latchkey_web::chrome::Chrome;
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use latchkey_web::{client, csrf};

use crate::access::{self, Console};
use crate::audit_export::{Format, export_stream};
use crate::audit_filter::{AuditQuery, Parsed, query_string};
use crate::views::{AuditPage, AuditRow, when_in};

/// Events per page.
pub const PAGE: i64 = 50;

/// Why an approver who is not an administrator is refused: they see a
/// request's own trail on its page, not the whole log.
pub(crate) const ADMINS_ONLY: &str = "The audit log is for administrators.";

#[get("/audit")]
pub async fn get_audit(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let page = render(&req, &state, &console, &q, None).await?;
    page_response(page)
}

/// Runs the chain check and shows its verdict above the (unfiltered) log.
#[post("/audit/verify")]
pub async fn post_verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<csrf::CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let console = access::admin_page_to(&req, &state, "/admin/audit", ADMINS_ONLY).await?;
    let chain = state.audit.clone();
    let report = state.db.run(move |c| chain.verify(c)).await?;
    let verdict = Verdict {
        intact: report.broken.is_none(),
        text: report.summary(),
    };
    let page = render(
        &req,
        &state,
        &console,
        &AuditQuery::default(),
        Some(verdict),
    )
    .await?;
    page_response(page)
}

#[get("/audit/export.{format}")]
pub async fn get_export(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let format = Format::from_extension(&format).ok_or(WebError::NotFound)?;
    let Parsed { filter, .. } = q.parse().map_err(WebError::BadRequest)?;
    record_export(&state, &console, &req, &filter, format).await?;
    let name = format!(
        "latchkey-audit-{}.{}",
        state.clock.now().format("%Y%m%dT%H%M%SZ"),
        format.extension()
    );
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(export_stream(state.db.clone(), filter, format)))
}

/// An export is an administrator's action: recorded (who, from where, which
/// range, which format) before the first byte is sent.
async fn record_export(
    state: &AppState,
    console: &Console,
    req: &HttpRequest,
    filter: &AuditFilter,
    format: Format,
) -> Result<(), WebError> {
    state
        .accounts
        .record_audit_export(
            console.me.user_id(),
            &client::ip(req),
            format.extension(),
            &query_string(filter),
        )
        .await?;
    Ok(())
}

/// The chain check's result, shown once.
#[derive(Debug)]
pub struct Verdict {
    pub intact: bool,
    pub text: String,
}

fn page_response(page: AuditPage) -> Result<HttpResponse, WebError> {
    use askama::Template as _;
    let status = if page.error.is_some() {
        actix_web::http::StatusCode::BAD_REQUEST
    } else {
        actix_web::http::StatusCode::OK
    };
    let body = page.render().map_err(|e| WebError::Internal(Box::new(e)))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    console: &Console,
    q: &AuditQuery,
    verdict: Option<Verdict>,
) -> Result<AuditPage, WebError> {
    let me = crate::approvals::username(state, console).await?;
    let chrome = Chrome::console(req).await;
    let locale = chrome.locale;
    let mut page = AuditPage {
        chrome,
        me,
        kinds: AuditEventKind::ALL
            .iter()
            .map(|k| (k.as_str(), event_key(k.as_str())))
            .collect(),
        query: q.clone(),
        error: None,
        verdict,
        rows: Vec::new(),
        older: None,
        export: String::new(),
    };
    let parsed = match q.parse() {
        Ok(p) => p,
        Err(sentence) => {
            page.error = Some(crate::error::in_language(locale, sentence));
            return Ok(page);
        }
    };
    let (events, names) = load(&state.db, parsed.filter.clone(), parsed.before).await?;
    let qs = query_string(&parsed.filter);
    page.older = (events.len() as i64 == PAGE)
        .then(|| events.last().map(|e| e.seq))
        .flatten()
        .map(|seq| {
            if qs.is_empty() {
                format!("before={seq}")
            } else {
                format!("{qs}&before={seq}")
            }
        });
    page.export = qs;
    page.rows = events.iter().map(|e| row(locale, e, &names)).collect();
    Ok(page)
}

/// A page of events and the usernames of the accounts they name.
async fn load(
    db: &Db,
    filter: AuditFilter,
    before: Option<i64>,
) -> Result<(Vec<AuditEvent>, Vec<(String, String)>), WebError> {
    Ok(db
        .run(move |c| {
            let events = audit_query::search(c, &filter, Walk::Before(before), PAGE)?;
            let mut ids: Vec<String> = events
                .iter()
                .flat_map(|e| [e.actor.clone(), e.subject.clone()])
                .flatten()
                .collect();
            ids.sort();
            ids.dedup();
            let names = users::usernames(c, &ids)?;
            Ok((events, names))
        })
        .await?)
}

pub(crate) fn row(locale: Locale, e: &AuditEvent, names: &[(String, String)]) -> AuditRow {
    let name = |id: &Option<String>| {
        id.as_ref().map(|id| {
            names
                .iter()
                .find(|(i, _)| i == id)
                .map_or_else(|| id.clone(), |(_, n)| n.clone())
        })
    };
    AuditRow {
        seq: e.seq,
        at: when_in(locale, from_db(e.occurred_at)),
        kind: e.kind.clone(),
        label: event_key(&e.kind),
        actor: name(&e.actor).unwrap_or_default(),
        actor_id: e.actor.clone().unwrap_or_default(),
        subject: name(&e.subject).unwrap_or_default(),
        subject_id: e.subject.clone().unwrap_or_default(),
        ip: e.ip.clone().unwrap_or_default(),
        detail: e.detail.clone(),
    }
}

/// The message of an audit event kind's label, for the page (the exports
/// keep the kind itself).
pub(crate) fn event_key(kind: &str) -> &'static str {
    match kind {
        "instance.initialised" => msg("admin-event-instance-initialised"),
        "instance.master_key_created" => msg("admin-event-instance-master-key-created"),
        "signing_key.created" => msg("admin-event-signing-key-created"),
        "signing_key.activated" => msg("admin-event-signing-key-activated"),
        "signing_key.retired" => msg("admin-event-signing-key-retired"),
        "admin.bootstrap_issued" => msg("admin-event-admin-bootstrap-issued"),
        "admin.bootstrapped" => msg("admin-event-admin-bootstrapped"),
        "user.created" => msg("admin-event-user-created"),
        "user.disabled" => msg("admin-event-user-disabled"),
        "user.enabled" => msg("admin-event-user-enabled"),
        "user.role_granted" => msg("admin-event-user-role-granted"),
        "user.tier_changed" => msg("admin-event-user-tier-changed"),
        "invitation.created" => msg("admin-event-invitation-created"),
        "invitation.accepted" => msg("admin-event-invitation-accepted"),
        "passkey.registered" => msg("admin-event-passkey-registered"),
        "passkey.renamed" => msg("admin-event-passkey-renamed"),
        "passkey.revoked" => msg("admin-event-passkey-revoked"),
        "passkey.clone_suspected" => msg("admin-event-passkey-clone-suspected"),
        "passkey.clone_flag_cleared" => msg("admin-event-passkey-clone-flag-cleared"),
        "sign_in.succeeded" => msg("admin-event-sign-in-succeeded"),
        "sign_in.failed" => msg("admin-event-sign-in-failed"),
        "sessions.revoked" => msg("admin-event-sessions-revoked"),
        "session.ended" => msg("admin-event-session-ended"),
        "recovery_codes.generated" => msg("admin-event-recovery-codes-generated"),
        "recovery_codes.used" => msg("admin-event-recovery-codes-used"),
        "client.created" => msg("admin-event-client-created"),
        "client.updated" => msg("admin-event-client-updated"),
        "client.secret_rotated" => msg("admin-event-client-secret-rotated"),
        "audit.exported" => msg("admin-event-audit-exported"),
        "console.refused" => msg("admin-event-console-refused"),
        "guarded_action.requested" => msg("admin-event-guarded-action-requested"),
        "guarded_action.transitioned" => msg("admin-event-guarded-action-transitioned"),
        "guarded_action.approval_recorded" => msg("admin-event-guarded-action-approval-recorded"),
        "guarded_action.oob_recorded" => msg("admin-event-guarded-action-oob-recorded"),
        "guarded_action.factor_verified" => msg("admin-event-guarded-action-factor-verified"),
        "guarded_action.factor_failed" => msg("admin-event-guarded-action-factor-failed"),
        "guarded_action.cancelled" => msg("admin-event-guarded-action-cancelled"),
        "guarded_action.denied" => msg("admin-event-guarded-action-denied"),
        "guarded_action.expired" => msg("admin-event-guarded-action-expired"),
        "guarded_action.locked" => msg("admin-event-guarded-action-locked"),
        "guarded_action.completed" => msg("admin-event-guarded-action-completed"),
        "guarded_action.notified" => msg("admin-event-guarded-action-notified"),
        "enrolment_grant.issued" => msg("admin-event-enrolment-grant-issued"),
        "enrolment_grant.redeemed" => msg("admin-event-enrolment-grant-redeemed"),
        "policy.changed" => msg("admin-event-policy-changed"),
        "recovery_policy.initialised" => msg("admin-event-recovery-policy-initialised"),
        "recovery_policy.changed" => msg("admin-event-recovery-policy-changed"),
        "setting.changed" => msg("admin-event-setting-changed"),
        "refresh_family.revoked" => msg("admin-event-refresh-family-revoked"),
        "consent.granted" => msg("admin-event-consent-granted"),
        "consent.revoked" => msg("admin-event-consent-revoked"),
        "metadata.imported" => msg("admin-event-metadata-imported"),
        "attestation_policy.saved" => msg("admin-event-attestation-policy-saved"),
        "attestation_policy.assigned" => msg("admin-event-attestation-policy-assigned"),
        "attestation_policy.unassigned" => msg("admin-event-attestation-policy-unassigned"),
        "group.created" => msg("admin-event-group-created"),
        "group.member_added" => msg("admin-event-group-member-added"),
        "group.member_removed" => msg("admin-event-group-member-removed"),
        "email.verification_sent" => msg("admin-event-email-verification-sent"),
        "email.verified" => msg("admin-event-email-verified"),
        _ => msg("admin-event-other"),
    }
}
