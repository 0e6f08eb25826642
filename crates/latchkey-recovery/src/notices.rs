//! What the account's channels are told: a plain-text e-mail to the address
//! on file and, when the operator configured one, an event for the security
//! webhook. Neither ever carries a factor's value; only the e-mail of a new
//! request carries the one-click cancel link.

use chrono::{DateTime, Utc};
use latchkey_core::PlainToken;
use serde_json::json;

use crate::action::{ActionKind, GuardedAction};
use crate::machine::{Notice, Request};

/// What the change is, in words, for notices.
pub fn describe(action: &GuardedAction) -> String {
    match action {
        GuardedAction::RecoverAccount => {
            "recover the account and register a new passkey (every existing passkey stops working)"
                .into()
        }
        GuardedAction::AddPasskey => "add a passkey".into(),
        GuardedAction::RemovePasskey { .. } => "remove a passkey".into(),
        GuardedAction::RegenerateRecoveryCodes => "make new recovery codes".into(),
        GuardedAction::ChangeEmail { new_email } => {
            format!("change the e-mail address to {new_email}")
        }
        GuardedAction::GrantRole { role } => format!("grant the {role} role"),
        GuardedAction::ChangeTier { tier } => format!("change the account tier to {tier}"),
        GuardedAction::WeakenPolicy { .. } => "relax a security policy".into(),
        GuardedAction::EnableAccount => "enable the account again".into(),
    }
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The subject and text of the e-mail for `notice`.
pub fn email(
    notice: Notice,
    request: &Request,
    username: &str,
    instance: &str,
    cancel_link: Option<(&str, &PlainToken)>,
) -> (String, String) {
    let what = describe(&request.action);
    let footer = format!(
        "\n\nRequest {} — {instance}. This message was sent because of a change to your account; \
         Latchkey never asks for a recovery code by e-mail or phone.",
        request.id
    );
    let live = made_in_a_live_session(request);
    let (subject, body) = match notice {
        Notice::Requested if live => live_requested(request, &what, username, cancel_link),
        Notice::Ready if live => (
            format!("The waiting period to {what} has ended"),
            if matches!(request.action, GuardedAction::RegenerateRecoveryCodes) {
                format!(
                    "The request to {what} on your account {username} passed its waiting period. \
                     Sign in and open your account page to see the new codes, once, before {}. \
                     If this was not you, sign in with a passkey and cancel it.",
                    when(request.expires_at)
                )
            } else {
                format!(
                    "The request to {what} on your account {username} passed its waiting period \
                     and takes effect now."
                )
            },
        ),
        Notice::Requested => {
            let cancel = match cancel_link {
                Some((base, token)) => format!(
                    "\n\nIf this was not you, cancel it now with this link (it works once):\n{base}{}",
                    token.expose()
                ),
                None => String::new(),
            };
            (
                format!("A request to {what} on your account"),
                format!(
                    "Someone asked to {what} on your account {username} at {}.\n\n\
                     It cannot complete before its waiting period has passed after identity checks, \
                     and it expires at {}. You can also cancel it after signing in with one of your passkeys.{cancel}",
                    when(request.created_at),
                    when(request.expires_at),
                ),
            )
        }
        Notice::Ready => (
            format!("The request to {what} can now be completed"),
            format!(
                "The request to {what} on your account {username} passed its checks and waiting period. \
                 It can be completed from the browser that made it until {}. If this was not you, \
                 sign in with a passkey and cancel it.",
                when(request.expires_at)
            ),
        ),
        Notice::Completed => (
            format!("Completed: {what}"),
            format!(
                "The request to {what} on your account {username} was completed at {}. \
                 If this was not you, contact your administrator at once.",
                when(request.completed_at.unwrap_or(request.updated_at))
            ),
        ),
        Notice::Cancelled => (
            format!("Cancelled: the request to {what}"),
            format!(
                "The request to {what} on your account {username} was cancelled at {}. Nothing was changed.",
                when(request.updated_at)
            ),
        ),
        Notice::Denied => (
            format!("Denied: the request to {what}"),
            format!(
                "An approver denied the request to {what} on your account {username} at {}. Nothing was changed.",
                when(request.updated_at)
            ),
        ),
        Notice::Expired => (
            format!("Expired: the request to {what}"),
            format!(
                "The request to {what} on your account {username} expired at {} without completing. \
                 Nothing was changed.",
                when(request.expires_at)
            ),
        ),
        Notice::Locked => (
            format!("Locked: the request to {what}"),
            format!(
                "The request to {what} on your account {username} was locked at {} after too many \
                 wrong answers. Nothing was changed. If this was not you, someone may be trying to \
                 take over your account: tell your administrator.",
                when(request.updated_at)
            ),
        ),
    };
    (subject, format!("{body}{footer}"))
}

/// Whether the owner asked for the change in a signed-in session (the
/// session's step-up was the factor), rather than someone proving who they
/// are to recover the account.
fn made_in_a_live_session(request: &Request) -> bool {
    request.requester == Some(request.subject)
        && request.requester_session.is_some()
        && !matches!(request.action, GuardedAction::RecoverAccount)
}

/// The notice of a change asked for in a signed-in session: when it takes
/// effect, and for a new passkey that it is registered but inactive.
fn live_requested(
    request: &Request,
    what: &str,
    username: &str,
    cancel_link: Option<(&str, &PlainToken)>,
) -> (String, String) {
    let cancel = match cancel_link {
        Some((base, token)) => format!(
            "\n\nIf this was not you, someone has a session on your account: cancel the change \
             now with this link (it works once), then sign in and sign out your other sessions:\n{base}{}",
            token.expose()
        ),
        None => String::new(),
    };
    let effective = when(request.created_at + request.policy.delay);
    let approvals = match request.policy.approvals {
        0 => String::new(),
        1 => " and once an approver of your organisation has approved it".to_owned(),
        n => format!(" and once {n} approvers of your organisation have approved it"),
    };
    let made = when(request.created_at);
    if matches!(request.action, GuardedAction::AddPasskey) {
        return (
            "A new passkey was added to your account".to_owned(),
            format!(
                "A new passkey was registered on your account {username} at {made}, from a session \
                 signed in with one of your passkeys. It stays inactive until {effective}{approvals}, \
                 and then works for signing in. Cancelling deletes it.{cancel}"
            ),
        );
    }
    (
        format!("Your account: a request to {what}"),
        format!(
            "A session signed in to your account {username} asked at {made} to {what}. It takes \
             effect at {effective}{approvals}, unless you cancel it before then.{cancel}"
        ),
    )
}

/// The security-webhook event for `notice`: identifiers, states and times
/// only.
pub fn webhook_event(notice: Notice, request: &Request, now: DateTime<Utc>) -> serde_json::Value {
    json!({
        "type": format!("guarded_action.{}", notice.as_str()),
        "occurred_at": now.to_rfc3339(),
        "request": request.id,
        "action": request.action.kind().as_str(),
        "subject": request.subject,
        "requester": request.requester,
        "tier": request.tier,
        "state": request.state,
        "eligible_at": request.eligible_at.map(|t| t.to_rfc3339()),
        "expires_at": request.expires_at.to_rfc3339(),
    })
}

/// The e-mail carrying a one-time link that proves control of the address.
pub fn email_link(
    action: ActionKind,
    username: &str,
    instance: &str,
    base: &str,
    token: &PlainToken,
) -> (String, String) {
    (
        format!("Confirm the request on your account {username}"),
        format!(
            "To confirm a request ({action}) on your account {username}, open this link in the \
             browser that made the request (it works once, for 30 minutes):\n{base}{}\n\n\
             If you did not ask for this, ignore this message and sign in to cancel the request.\n\n{instance}",
            token.expose()
        ),
    )
}
