//! How the guarded-action engine's requests read on the console's pages:
//! the names of actions, states, factors and events, a request's summary,
//! its queue row and its timeline, in the page's language.

use chrono::{DateTime, Utc};
use latchkey_i18n::{Arg, Locale, msg};
use latchkey_recovery::{
    AccountName, ActionKind, Feasibility, GuardedAction, QueueItem, Request, Review, State,
    TimelineEntry,
};

use crate::views::{Fact, FactorRow, QueueRow, TimelineRow, age_in, when};

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
    use chrono::Duration;

    use super::*;

    #[test]
    fn ages_are_coarse() {
        let t = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let en = Locale::DEFAULT;
        assert_eq!(age_in(en, t, t + Duration::seconds(30)), "just now");
        assert_eq!(age_in(en, t, t + Duration::minutes(12)), "12 min");
        assert_eq!(age_in(en, t, t + Duration::hours(5)), "5 h");
        assert_eq!(age_in(en, t, t + Duration::days(3)), "3 d");
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
