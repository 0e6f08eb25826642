//! The audit log in the console (administrators only): filter by kind,
//! actor, subject, time range and guarded-action request; page back by
//! sequence number; export the filtered range as JSON Lines or CSV
//! (streamed in batches, so a long range is never held in memory); and
//! verify the hash chain with the same check as `latchkey audit verify`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_core::AuditEventKind;
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
use crate::views::{AuditPage, AuditRow, when};

/// Events per page.
pub const PAGE: i64 = 50;

/// Why an approver who is not an administrator is refused: they see a
/// request's own trail on its page, not the whole log.
const ADMINS_ONLY: &str = "The audit log is for administrators.";

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
    let mut page = AuditPage {
        chrome: Chrome::console(req).await,
        me,
        kinds: AuditEventKind::ALL.iter().map(|k| k.as_str()).collect(),
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
            page.error = Some(sentence);
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
    page.rows = events.iter().map(|e| row(e, &names)).collect();
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

pub(crate) fn row(e: &AuditEvent, names: &[(String, String)]) -> AuditRow {
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
        at: when(from_db(e.occurred_at)),
        kind: e.kind.clone(),
        actor: name(&e.actor).unwrap_or_default(),
        actor_id: e.actor.clone().unwrap_or_default(),
        subject: name(&e.subject).unwrap_or_default(),
        subject_id: e.subject.clone().unwrap_or_default(),
        ip: e.ip.clone().unwrap_or_default(),
        detail: e.detail.clone(),
    }
}
