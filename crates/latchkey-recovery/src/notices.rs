//! What the account's channels are told: a plain-text e-mail to the address
//! on file and, when the operator configured one, an event for the security
//! webhook. Neither ever carries a factor's value; only the e-mail of a new
//! request carries the one-click cancel link.

use chrono::{DateTime, Utc};
use latchkey_core::PlainToken;
use latchkey_i18n::{Arg, Locale, msg};
use serde_json::json;

use crate::action::{ActionKind, GuardedAction};
use crate::machine::{Notice, Request};

/// What the change is, in words, for notices (in `locale`).
pub fn describe(locale: Locale, action: &GuardedAction) -> String {
    match action {
        GuardedAction::RecoverAccount => locale.t("notice-what-recover-account"),
        GuardedAction::AddPasskey => locale.t("notice-what-add-passkey"),
        GuardedAction::RemovePasskey { .. } => locale.t("notice-what-remove-passkey"),
        GuardedAction::RegenerateRecoveryCodes => locale.t("notice-what-regenerate-codes"),
        GuardedAction::ChangeEmail { new_email } => {
            locale.format("notice-what-change-email", &[("email", new_email.into())])
        }
        GuardedAction::GrantRole { role } => locale.format(
            "notice-what-grant-role",
            &[("role", role.to_string().into())],
        ),
        GuardedAction::ChangeTier { tier } => locale.format(
            "notice-what-change-tier",
            &[("tier", tier.to_string().into())],
        ),
        GuardedAction::WeakenPolicy { .. } => locale.t("notice-what-weaken-policy"),
        GuardedAction::EnableAccount => locale.t("notice-what-enable-account"),
    }
}

/// The message of an action's kind (as the account page names it).
fn kind_words(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::RecoverAccount => msg("action-recover-account"),
        ActionKind::AddPasskey => msg("action-add-passkey"),
        ActionKind::RemovePasskey => msg("action-remove-passkey"),
        ActionKind::RegenerateRecoveryCodes => msg("action-regenerate-codes"),
        ActionKind::ChangeEmail => msg("action-change-email"),
        ActionKind::GrantRole => msg("action-grant-role"),
        ActionKind::ChangeTier => msg("action-change-tier"),
        ActionKind::WeakenPolicy => msg("action-weaken-policy"),
        ActionKind::EnableAccount => msg("action-enable-account"),
    }
}

/// The subject and text of the e-mail for `notice`, in the account's
/// language.
pub fn email(
    locale: Locale,
    notice: Notice,
    request: &Request,
    username: &str,
    instance: &str,
    cancel_link: Option<(&str, &PlainToken)>,
) -> (String, String) {
    let what = describe(locale, &request.action);
    let when = |t: DateTime<Utc>| locale.datetime(t);
    let t = |key: &str, args: &[(&str, Arg<'_>)]| {
        let mut all: Vec<(&str, Arg<'_>)> = vec![
            ("what", what.as_str().into()),
            ("username", username.into()),
        ];
        all.extend_from_slice(args);
        locale.format(key, &all)
    };
    let footer = locale.format(
        "notice-footer",
        &[
            ("request", request.id.to_string().into()),
            ("instance", instance.into()),
        ],
    );
    let live = made_in_a_live_session(request);
    let (subject, body) = match notice {
        Notice::Requested if live => live_requested(locale, request, &what, username, cancel_link),
        Notice::Ready if live => (
            t("notice-live-ready-subject", &[]),
            if matches!(request.action, GuardedAction::RegenerateRecoveryCodes) {
                t(
                    "notice-live-ready-codes",
                    &[("until", when(request.expires_at).into())],
                )
            } else {
                t("notice-live-ready", &[])
            },
        ),
        Notice::Requested => {
            let mut body = format!(
                "{}\n\n{}",
                t(
                    "notice-requested",
                    &[("made", when(request.created_at).into())]
                ),
                t(
                    "notice-requested-limits",
                    &[("until", when(request.expires_at).into())]
                ),
            );
            if let Some((base, token)) = cancel_link {
                body.push_str(&format!(
                    "\n\n{}\n{base}{}",
                    t("notice-requested-cancel", &[]),
                    token.expose()
                ));
            }
            (t("notice-requested-subject", &[]), body)
        }
        Notice::Ready => (
            t("notice-ready-subject", &[]),
            t(
                "notice-ready",
                &[("until", when(request.expires_at).into())],
            ),
        ),
        Notice::Completed => (
            t("notice-completed-subject", &[]),
            t(
                "notice-completed",
                &[(
                    "at",
                    when(request.completed_at.unwrap_or(request.updated_at)).into(),
                )],
            ),
        ),
        Notice::Cancelled => (
            t("notice-cancelled-subject", &[]),
            t(
                "notice-cancelled",
                &[("at", when(request.updated_at).into())],
            ),
        ),
        Notice::Denied => (
            t("notice-denied-subject", &[]),
            t("notice-denied", &[("at", when(request.updated_at).into())]),
        ),
        Notice::Expired => (
            t("notice-expired-subject", &[]),
            t("notice-expired", &[("at", when(request.expires_at).into())]),
        ),
        Notice::Locked => (
            t("notice-locked-subject", &[]),
            t("notice-locked", &[("at", when(request.updated_at).into())]),
        ),
    };
    (subject, format!("{body}\n\n{footer}"))
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
    locale: Locale,
    request: &Request,
    what: &str,
    username: &str,
    cancel_link: Option<(&str, &PlainToken)>,
) -> (String, String) {
    let cancel = match cancel_link {
        Some((base, token)) => format!(
            "\n\n{}\n{base}{}",
            locale.t("notice-live-cancel"),
            token.expose()
        ),
        None => String::new(),
    };
    let args: Vec<(&str, Arg<'_>)> = vec![
        ("username", username.into()),
        ("what", what.into()),
        ("made", locale.datetime(request.created_at).into()),
        (
            "effective",
            locale
                .datetime(request.created_at + request.policy.delay)
                .into(),
        ),
        ("n", u32::from(request.policy.approvals).into()),
    ];
    let approvals = request.policy.approvals > 0;
    let (subject, key) = match (&request.action, approvals) {
        (GuardedAction::AddPasskey, false) => ("notice-live-added-subject", "notice-live-added"),
        (GuardedAction::AddPasskey, true) => {
            ("notice-live-added-subject", "notice-live-added-approvals")
        }
        (_, false) => ("notice-live-requested-subject", "notice-live-requested"),
        (_, true) => (
            "notice-live-requested-subject",
            "notice-live-requested-approvals",
        ),
    };
    (
        locale.format(subject, &args),
        format!("{}{cancel}", locale.format(key, &args)),
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
    locale: Locale,
    action: ActionKind,
    username: &str,
    instance: &str,
    base: &str,
    token: &PlainToken,
) -> (String, String) {
    let args = [
        ("username", Arg::from(username)),
        ("action", locale.t(kind_words(action)).into()),
    ];
    (
        locale.format("notice-link-subject", &args),
        format!(
            "{}\n{base}{}\n\n{}\n\n{instance}",
            locale.format("notice-link", &args),
            token.expose(),
            locale.t("notice-link-ignore"),
        ),
    )
}
