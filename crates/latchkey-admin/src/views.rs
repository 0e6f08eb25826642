//! The console's page views (`templates/admin/`), and how the engine's
//! requests read on them: labels for actions, states and audit events,
//! times and ages. Every string shown comes from here or from stored data
//! (escaped by askama); nothing from the query string is echoed.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Duration, Utc};
use latchkey_i18n::{Arg, Locale, msg};
use latchkey_recovery::{
    AccountName, ActionKind, Feasibility, GuardedAction, QueueItem, Request, Review, State,
    TimelineEntry,
};
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

/// How long ago, coarsely: "just now", "12 min", "5 h", "3 d".
pub fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = now - since;
    if d < Duration::minutes(1) {
        "just now".to_owned()
    } else if d < Duration::hours(1) {
        format!("{} min", d.num_minutes())
    } else if d < Duration::days(1) {
        format!("{} h", d.num_hours())
    } else {
        format!("{} d", d.num_days())
    }
}

fn name(l: Locale, account: Option<&AccountName>) -> String {
    account.map_or_else(
        || l.t(msg("console-unknown-account")),
        |a| a.username.clone(),
    )
}

/// The message key of an action's name ("Account recovery").
pub fn action_label(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::RecoverAccount => msg("console-action-recover-account"),
        ActionKind::AddPasskey => msg("console-action-add-passkey"),
        ActionKind::RemovePasskey => msg("console-action-remove-passkey"),
        ActionKind::RegenerateRecoveryCodes => msg("console-action-regenerate-codes"),
        ActionKind::ChangeEmail => msg("console-action-change-email"),
        ActionKind::GrantRole => msg("console-action-grant-role"),
        ActionKind::ChangeTier => msg("console-action-change-tier"),
        ActionKind::WeakenPolicy => msg("console-action-weaken-policy"),
        ActionKind::EnableAccount => msg("console-action-enable-account"),
    }
}

/// The message key of a request's state ("Awaiting approvals").
pub fn state_label(state: State) -> &'static str {
    match state {
        State::Requested => msg("console-state-requested"),
        State::VerifyingFactors => msg("console-state-verifying-factors"),
        State::Waiting => msg("console-state-waiting"),
        State::AwaitingApprovals => msg("console-state-awaiting-approvals"),
        State::Ready => msg("console-state-ready"),
        State::Completed => msg("console-state-completed"),
        State::Cancelled => msg("console-state-cancelled"),
        State::Denied => msg("console-state-denied"),
        State::Expired => msg("console-state-expired"),
        State::Locked => msg("console-state-locked"),
    }
}

fn factor_label(kind: &str) -> &'static str {
    match kind {
        "recovery_code" => msg("console-factor-recovery-code"),
        "email_link" => msg("console-factor-email-link"),
        "passkey" => msg("console-factor-passkey"),
        "out_of_band" => msg("console-factor-out-of-band"),
        _ => msg("console-factor-other"),
    }
}

/// The message key of an out-of-band check's method.
pub fn method_label(method: &str) -> &'static str {
    match method {
        "document" => msg("console-method-document"),
        "video_call" => msg("console-method-video-call"),
        "in_person" => msg("console-method-in-person"),
        _ => msg("console-method-other"),
    }
}

/// The parameters of the action, as the approver must see them.
fn parameters(l: Locale, action: &GuardedAction) -> Vec<Fact> {
    let (label, value) = match action {
        GuardedAction::RemovePasskey { credential } => {
            (msg("console-fact-passkey"), credential.to_string())
        }
        GuardedAction::ChangeEmail { new_email } => {
            (msg("console-fact-new-address"), new_email.clone())
        }
        GuardedAction::GrantRole { role } => (msg("console-fact-role"), role.to_string()),
        GuardedAction::ChangeTier { tier } => {
            (msg("console-fact-new-tier"), tier.as_str().to_owned())
        }
        GuardedAction::WeakenPolicy { change } => {
            return crate::policy_views::change_facts(l, change);
        }
        GuardedAction::RecoverAccount
        | GuardedAction::AddPasskey
        | GuardedAction::EnableAccount
        | GuardedAction::RegenerateRecoveryCodes => return Vec::new(),
    };
    vec![Fact { label, value }]
}

/// "1 of 2".
fn of(l: Locale, n: usize, total: impl Into<Arg<'static>>) -> String {
    l.format(
        msg("console-n-of-total"),
        &[("n", Arg::from(n)), ("total", total.into())],
    )
}

pub fn approvals_text(l: Locale, r: &Request) -> String {
    of(l, r.approvals.len(), r.policy.approvals)
}

fn oob_text(r: &Request) -> Option<&'static str> {
    let recorded = if r.out_of_band_by.is_some() {
        msg("console-oob-recorded")
    } else {
        msg("console-oob-missing")
    };
    r.policy.out_of_band_check.then_some(recorded)
}

pub fn warning(l: Locale, f: Feasibility) -> Option<String> {
    match f {
        Feasibility::Feasible => None,
        Feasibility::NotEnoughApprovers {
            required,
            available,
        } => Some(l.format(
            msg("console-warning-not-enough-approvers"),
            &[
                ("required", Arg::from(required)),
                ("available", Arg::from(available)),
            ],
        )),
        Feasibility::StaleChange => Some(l.t(msg("console-warning-stale-change"))),
    }
}

impl QueueRow {
    pub fn of(l: Locale, item: &QueueItem, now: DateTime<Utc>) -> Self {
        let r = &item.request;
        Self {
            id: r.id.to_string(),
            action: l.t(action_label(r.action.kind())),
            subject: name(l, item.subject.as_ref()),
            tier: r.tier.as_str(),
            state: l.t(state_label(r.state)),
            age: age_in(l, r.created_at, now),
            approvals: approvals_text(l, r),
            oob: oob_text(r).map(|k| l.t(k)),
            warning: warning(l, item.feasibility),
        }
    }
}

/// The page's summary of a request.
pub fn summary(l: Locale, review: &Review, now: DateTime<Utc>) -> Vec<Fact> {
    let r = &review.request;
    let mut facts = vec![
        Fact {
            label: msg("console-fact-state"),
            value: l.t(state_label(r.state)),
        },
        Fact {
            label: msg("console-fact-account"),
            value: review.subject.as_ref().map_or_else(
                || l.t(msg("console-unknown-account")),
                |s| format!("{} ({})", s.username, s.display_name),
            ),
        },
        Fact {
            label: msg("console-fact-asked-by"),
            value: review.requester.as_ref().map_or_else(
                || l.t(msg("console-asked-by-nobody")),
                |a| a.username.clone(),
            ),
        },
        Fact {
            label: msg("console-fact-tier"),
            value: r.tier.as_str().to_owned(),
        },
        Fact {
            label: msg("console-fact-requested"),
            value: l.format(
                msg("console-when-ago"),
                &[
                    ("when", Arg::from(when(r.created_at))),
                    ("age", Arg::from(age_in(l, r.created_at, now))),
                ],
            ),
        },
        Fact {
            label: msg("console-fact-factors"),
            value: of(
                l,
                r.factors
                    .iter()
                    .filter(|k| r.policy.factor_kinds.contains(k))
                    .count(),
                r.policy.factors,
            ),
        },
        Fact {
            label: msg("console-fact-approvals"),
            value: approvals_text(l, r),
        },
    ];
    facts.extend(parameters(l, &r.action));
    if let Some(oob) = oob_text(r) {
        facts.push(Fact {
            label: msg("console-fact-oob"),
            value: l.t(oob),
        });
    }
    if let Some(at) = r.eligible_at {
        facts.push(Fact {
            label: msg("console-fact-earliest-completion"),
            value: when(at),
        });
    }
    facts.push(Fact {
        label: msg("console-fact-expires"),
        value: when(r.expires_at),
    });
    facts
}

pub fn factor_row(l: Locale, kind: &str, at: DateTime<Utc>) -> FactorRow {
    FactorRow {
        kind: l.t(factor_label(kind)),
        at: when(at),
    }
}

fn event_label(kind: &str) -> &'static str {
    match kind {
        "guarded_action.requested" => msg("console-event-requested"),
        "guarded_action.transitioned" => msg("console-event-transitioned"),
        "guarded_action.factor_verified" => msg("console-event-factor-verified"),
        "guarded_action.factor_failed" => msg("console-event-factor-failed"),
        "guarded_action.approval_recorded" => msg("console-event-approved"),
        "guarded_action.denied" => msg("console-event-denied"),
        "guarded_action.oob_recorded" => msg("console-event-oob-recorded"),
        "guarded_action.cancelled" => msg("console-event-cancelled"),
        "guarded_action.expired" => msg("console-event-expired"),
        "guarded_action.locked" => msg("console-event-locked"),
        "guarded_action.completed" => msg("console-event-completed"),
        "guarded_action.notified" => msg("console-event-notified"),
        "enrolment_grant.issued" => msg("console-event-grant-issued"),
        "enrolment_grant.redeemed" => msg("console-event-grant-redeemed"),
        "passkey.revoked" => msg("console-event-passkey-revoked"),
        "refresh_family.revoked" => msg("console-event-families-revoked"),
        "recovery_codes.generated" => msg("console-event-codes-generated"),
        "user.tier_changed" => msg("console-event-tier-changed"),
        _ => msg("console-event-other"),
    }
}

pub fn channels_text(l: Locale, channels: &[String]) -> String {
    if channels.is_empty() {
        l.t(msg("console-no-channel"))
    } else {
        channels.join(", ")
    }
}

pub fn timeline_row(l: Locale, e: &TimelineEntry) -> TimelineRow {
    let text = |key: &str| e.detail[key].as_str().unwrap_or_default().to_owned();
    let detail = if e.kind == "guarded_action.notified" {
        let channels: Vec<String> = e.detail["channels"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        format!("{}: {}", text("notice"), channels_text(l, &channels))
    } else {
        // States by their name in the page's language; reasons are codes.
        let state = |key: &str| {
            let code = text(key);
            code.parse::<State>().map_or(code, |s| l.t(state_label(s)))
        };
        let (from, to, reason) = (state("from"), state("to"), text("reason"));
        match (from.is_empty() || from == to, reason.is_empty()) {
            (false, false) => format!("{from} → {to} ({reason})"),
            (false, true) => format!("{from} → {to}"),
            (true, false) => reason,
            (true, true) => String::new(),
        }
    };
    TimelineRow {
        at: when(e.at),
        what: l.t(event_label(&e.kind)),
        detail,
        actor: e
            .actor
            .as_ref()
            .map_or_else(|| e.actor_text.clone(), |a| a.username.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_coarse() {
        let t = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        assert_eq!(age(t, t + Duration::seconds(30)), "just now");
        assert_eq!(age(t, t + Duration::minutes(12)), "12 min");
        assert_eq!(age(t, t + Duration::hours(5)), "5 h");
        assert_eq!(age(t, t + Duration::days(3)), "3 d");
    }

    #[test]
    fn a_feasible_request_carries_no_warning() {
        assert_eq!(warning(Locale::DEFAULT, Feasibility::Feasible), None);
        let w = warning(
            Locale::DEFAULT,
            Feasibility::NotEnoughApprovers {
                required: 2,
                available: 1,
            },
        )
        .unwrap();
        assert!(
            w.starts_with("Needs 2 more approvers but only 1 account could"),
            "{w}"
        );
        let w = warning(
            Locale::DEFAULT,
            Feasibility::NotEnoughApprovers {
                required: 1,
                available: 0,
            },
        )
        .unwrap();
        assert!(
            w.starts_with("Needs 1 more approver but nobody else could"),
            "{w}"
        );
        let w = warning(Locale::DEFAULT, Feasibility::StaleChange).unwrap();
        assert!(w.contains("changed since"), "{w}");
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
