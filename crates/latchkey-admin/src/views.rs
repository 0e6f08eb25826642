//! The console's page views (`templates/admin/`), with times and ages as
//! they read on them (how the engine's requests read: `request_views`).
//! Every string shown comes from here, the catalogue or stored data
//! (escaped by askama); nothing from the query string is echoed.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Duration, Utc};
use latchkey_i18n::{Arg, Locale, msg};
use latchkey_web::chrome::Chrome;

/// One request of the queue.
#[derive(Debug)]
pub struct QueueRow {
    pub id: String,
    pub action: String,
    pub subject: String,
    pub tier: &'static str,
    pub state: String,
    pub age: String,
    /// "1 of 2".
    pub approvals: String,
    /// The out-of-band check, when the policy asks for one.
    pub oob: Option<String>,
    pub warning: Option<String>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/approvals.html")]
pub struct ApprovalsPage {
    pub chrome: Chrome,
    pub me: String,
    pub rows: Vec<QueueRow>,
}

/// A label and a value of the request's summary (on the accounts,
/// applications and dashboard pages, the label is its message's key).
#[derive(Debug)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

#[derive(Debug)]
pub struct FactorRow {
    pub kind: String,
    pub at: String,
}

#[derive(Debug)]
pub struct DecisionRow {
    pub approver: String,
    pub decision: String,
    pub comment: String,
    pub at: String,
}

#[derive(Debug)]
pub struct OobRow {
    pub by: String,
    pub method: String,
    pub evidence: String,
    pub at: String,
}

#[derive(Debug)]
pub struct NoticeRow {
    pub notice: String,
    pub channels: String,
    pub at: String,
}

#[derive(Debug)]
pub struct TimelineRow {
    pub at: String,
    pub what: String,
    pub detail: String,
    pub actor: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/approval.html")]
pub struct ApprovalPage {
    pub chrome: Chrome,
    pub me: String,
    pub id: String,
    pub action: String,
    pub subject: String,
    pub summary: Vec<Fact>,
    pub warning: Option<String>,
    pub flash: Option<String>,
    /// A refusal of the form just sent.
    pub error: Option<String>,
    pub factors: Vec<FactorRow>,
    pub decisions: Vec<DecisionRow>,
    pub oob: Option<OobRow>,
    pub notices: Vec<NoticeRow>,
    pub timeline: Vec<TimelineRow>,
    /// The request is still open: decisions are possible.
    pub open: bool,
    /// The policy takes approvals (not only a denial).
    pub approvable: bool,
    /// This approver's approval is counted already: no second one.
    pub approved_by_me: bool,
    /// The signed-in account is the request's subject or requester.
    pub own: bool,
    /// An out-of-band check can be recorded now.
    pub takes_oob: bool,
}

pub fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// [`when`] on a page in `locale`: the same text, kept left to right as a
/// whole inside right-to-left text (U+2066 LEFT-TO-RIGHT ISOLATE … U+2069).
pub fn when_in(locale: Locale, t: DateTime<Utc>) -> String {
    match locale.dir() {
        latchkey_i18n::Direction::Ltr => when(t),
        latchkey_i18n::Direction::Rtl => format!("\u{2066}{}\u{2069}", when(t)),
    }
}

/// How long ago, coarsely, in `locale`: "just now", "12 min", "5 h", "3 d".
pub fn age_in(locale: Locale, since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = now - since;
    let n = |key: &str, n: i64| locale.format(key, &[("n", Arg::Number(n))]);
    if d < Duration::minutes(1) {
        locale.t(msg("console-age-now"))
    } else if d < Duration::hours(1) {
        n(msg("console-age-minutes"), d.num_minutes())
    } else if d < Duration::days(1) {
        n(msg("console-age-hours"), d.num_hours())
    } else {
        n(msg("console-age-days"), d.num_days())
    }
}

/// One event of the audit page.
#[derive(Debug)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    /// The message of the kind's label, in the page's language.
    pub label: &'static str,
    /// The actor's username where it names an account, else as stored.
    pub actor: String,
    pub actor_id: String,
    pub subject: String,
    pub subject_id: String,
    pub ip: String,
    pub detail: String,
}

#[derive(Debug, Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub me: String,
    /// Every kind of event, with its label's message.
    pub kinds: Vec<(&'static str, &'static str)>,
    /// The filter as sent, to fill the form again (escaped by askama).
    pub query: crate::audit_filter::AuditQuery,
    /// Why the filter was refused; no events are read then.
    pub error: Option<String>,
    pub verdict: Option<crate::audit::Verdict>,
    pub rows: Vec<AuditRow>,
    /// The query string of the next (older) page.
    pub older: Option<String>,
    /// The filter's query string for the export links.
    pub export: String,
}

/// One account of the list.
#[derive(Debug)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    /// The message of the tier's name.
    pub tier: &'static str,
    pub roles: String,
    pub disabled: bool,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub chrome: Chrome,
    pub me: String,
    /// The search text as sent (escaped by askama).
    pub q: String,
    /// Every group, and the one searched in (its id, or empty).
    pub groups: Vec<GroupRef>,
    pub group: String,
    pub rows: Vec<UserRow>,
    /// The query string of the next page.
    pub next: Option<String>,
}

/// A passkey on an account's page.
#[derive(Debug)]
pub struct PasskeyRow {
    pub label: String,
    pub model: String,
    /// The message of "synced" or "device-bound".
    pub kind: &'static str,
    pub attestation: String,
    pub created: String,
    pub last_used: String,
    pub clone_suspected: bool,
}

/// A guarded-action request on an account's page.
#[derive(Debug)]
pub struct RequestRow {
    pub id: String,
    /// The action's code (`grant_role`), for the row's data attribute.
    pub code: String,
    /// The action and the state, in the page's language.
    pub action: String,
    pub state: String,
    pub created: String,
    pub age: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/user.html")]
pub struct UserPage {
    pub chrome: Chrome,
    pub me: String,
    pub id: String,
    pub username: String,
    pub disabled: bool,
    /// Not disabled yet, and not the signed-in administrator's own account.
    pub can_disable: bool,
    /// The signed-in administrator's own account.
    pub own: bool,
    /// Roles and tier may be asked for (enabled, not one's own account).
    pub can_change: bool,
    /// Disabled, and not one's own account.
    pub can_enable: bool,
    /// The roles the account does not hold, with their button's message.
    pub grantable: Vec<(&'static str, &'static str)>,
    /// The stored tier.
    pub tier: String,
    /// The groups the account is in, and the others it could join.
    pub groups: Vec<GroupRef>,
    pub other_groups: Vec<GroupRef>,
    /// The message of what was just done.
    pub flash: Option<&'static str>,
    /// The request just opened from this page.
    pub requested: Option<String>,
    pub facts: Vec<Fact>,
    pub passkeys: Vec<PasskeyRow>,
    pub sessions: Vec<SessionRow>,
    pub consents: Vec<ConsentRow>,
    pub requests: Vec<RequestRow>,
    pub events: Vec<AuditRow>,
}

/// A live browser session of the account.
#[derive(Debug)]
pub struct SessionRow {
    /// The session's handle (the SHA-256 of its token, never the token).
    pub handle: String,
    pub device: String,
    pub ip: String,
    pub created: String,
    pub last_seen: String,
}

/// An application the account allowed.
#[derive(Debug)]
pub struct ConsentRow {
    pub application: String,
    pub scopes: String,
    pub granted: String,
}

/// A group, as a choice in a form.
#[derive(Debug, Clone)]
pub struct GroupRef {
    pub id: String,
    pub name: String,
}

/// A new invitation, its link shown once (the page is not cached).
#[derive(Debug, Template)]
#[template(path = "admin/invited.html")]
pub struct InvitedPage {
    pub chrome: Chrome,
    pub me: String,
    pub email: String,
    pub admin: bool,
    /// The message of the tier's name.
    pub tier: &'static str,
    pub expires: String,
    pub link: String,
}
