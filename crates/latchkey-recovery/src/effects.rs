//! Carrying out the machine's effects, on the caller's connection, inside
//! the transaction that stores the transition: an audit event, a notice or
//! a revocation is written if and only if the change it belongs to is.

use chrono::{DateTime, Utc};
use latchkey_core::{AuditEventKind, CredentialId, PlainToken, Role, Secret, UserId};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::mail::{EmailAddress, enqueue_email};
use latchkey_store::recovery_codes::{self, RecoveryCodeHasher};
use latchkey_store::users::User;
use latchkey_store::{
    DbConnection, StoreError, branding, credentials, enrolment_grants, outbox, refresh_tokens,
    users,
};
use serde_json::json;

use crate::action::GuardedAction;
use crate::config::EngineConfig;
use crate::machine::{Effect, Notice, Request};
use crate::notices;
use crate::policy::Revocation;
use crate::service::pending_event;
use crate::state::State;

/// Who caused a change, for the audit log.
#[derive(Debug, Clone)]
pub(crate) enum Actor {
    /// Whoever made the request (anonymous for a recovery).
    Requester,
    User(UserId),
    /// The holder of a cancel link.
    Link,
    /// The background job.
    System,
}

/// The circumstances of a change: who, from where, with which passkey.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub actor: Actor,
    pub ip: Option<String>,
    pub credential: Option<CredentialId>,
    /// The cancel link of a new request, for its first notice.
    pub cancel_token: Option<PlainToken>,
    /// The HTTP request's id, recorded with its audit events.
    pub request_id: Option<String>,
}

impl Ctx {
    fn actor_text(&self, request: &Request) -> String {
        match &self.actor {
            Actor::Requester => request
                .requester
                .map_or_else(|| "anonymous".to_owned(), |u| u.to_string()),
            Actor::User(u) => u.to_string(),
            Actor::Link => "cancel-link".to_owned(),
            Actor::System => "system".to_owned(),
        }
    }

    pub(crate) fn event(&self, request: &Request, kind: AuditEventKind) -> NewAuditEvent {
        let mut e = NewAuditEvent::new(kind)
            .actor(self.actor_text(request))
            .subject(request.subject);
        if let Some(ip) = &self.ip {
            e = e.ip(ip);
        }
        e.request_id(self.request_id.as_deref())
    }
}

/// What the effects produced for the caller.
#[derive(Debug, Default)]
pub(crate) struct Executed {
    pub grant: Option<PlainToken>,
    pub recovery_codes: Option<Secret<Vec<String>>>,
    pub end_sessions: bool,
    pub passkeys_revoked: Vec<CredentialId>,
    pub refresh_families_revoked: usize,
    /// Pending passkeys made active by this completion.
    pub activated: Vec<CredentialId>,
}

impl Executed {
    /// Adds what a further step in the same transaction produced.
    pub fn absorb(&mut self, more: Executed) {
        self.grant = self.grant.take().or(more.grant);
        self.recovery_codes = self.recovery_codes.take().or(more.recovery_codes);
        self.end_sessions |= more.end_sessions;
        self.passkeys_revoked.extend(more.passkeys_revoked);
        self.refresh_families_revoked += more.refresh_families_revoked;
        self.activated.extend(more.activated);
    }
}

pub(crate) struct Executor<'a> {
    pub audit: &'a AuditChain,
    pub codes: &'a RecoveryCodeHasher,
    pub config: &'a EngineConfig,
}

impl Executor<'_> {
    pub fn execute(
        &self,
        conn: &mut DbConnection,
        request: &Request,
        effects: &[Effect],
        ctx: &Ctx,
        now: DateTime<Utc>,
    ) -> Result<Executed, StoreError> {
        let mut out = Executed::default();
        if effects.is_empty() {
            return Ok(out);
        }
        // Read before any change: a completed address change is announced
        // to the address it replaced.
        let account = users::find(conn, request.subject)?;
        for effect in effects {
            match effect {
                Effect::Audit(step) => {
                    let event = ctx.event(request, step.kind).detail(json!({
                        "request": request.id,
                        "action": request.action.kind().as_str(),
                        "tier": request.tier,
                        "from": step.from,
                        "to": step.to,
                        "reason": step.reason,
                        "credential": ctx.credential,
                        "factors": request.factors.len(),
                        "approvals": request.approvals.len(),
                        "failed_attempts": request.failed_attempts,
                        "eligible_at": request.eligible_at.map(|t| t.to_rfc3339()),
                    }));
                    self.audit.append(conn, now, &event)?;
                    if matches!(
                        step.to,
                        State::Cancelled | State::Denied | State::Expired | State::Locked
                    ) {
                        // A passkey registered for this request never
                        // becomes usable: it goes with the request.
                        for dropped in credentials::discard_pending(conn, request.id)? {
                            let e = pending_event(request, &dropped, false, step.reason);
                            self.audit.append(conn, now, &e)?;
                        }
                    }
                    tracing::info!(
                        target: "latchkey::guarded_action",
                        request = %request.id,
                        action = request.action.kind().as_str(),
                        from = step.from.as_str(),
                        to = step.to.as_str(),
                        reason = step.reason,
                        "guarded action step"
                    );
                }
                Effect::Notify(notice) => {
                    self.notify(conn, *notice, request, account.as_ref(), ctx, now)?
                }
                Effect::IssueEnrolmentGrant => {
                    let Some(session) = &request.requester_session else {
                        continue;
                    };
                    // The passkey was registered with the request and is
                    // active now: there is nothing left to enrol.
                    if !out.activated.is_empty() {
                        continue;
                    }
                    let (grant, token) = enrolment_grants::issue(
                        conn,
                        request.subject,
                        Some(request.id),
                        session,
                        self.config.enrolment_grant_ttl,
                        now,
                    )?;
                    let event = ctx
                        .event(request, AuditEventKind::EnrolmentGrantIssued)
                        .detail(json!({ "request": request.id, "grant": grant.to_string() }));
                    self.audit.append(conn, now, &event)?;
                    out.grant = Some(token);
                }
                Effect::Revoke(what) => self.revoke(conn, request, what, ctx, now, &mut out)?,
                Effect::Apply(action) => self.apply(conn, request, action, ctx, now, &mut out)?,
            }
        }
        Ok(out)
    }

    fn notify(
        &self,
        conn: &mut DbConnection,
        notice: Notice,
        request: &Request,
        account: Option<&User>,
        ctx: &Ctx,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let to = account.and_then(|a| a.email.as_deref()).and_then(|e| {
            EmailAddress::parse(e)
                .inspect_err(|_| {
                    tracing::warn!(request = %request.id, "the account's stored e-mail address does not parse; no notice sent to it");
                })
                .ok()
        });
        let mut channels = Vec::new();
        if let (Some(account), Some(to)) = (account, to.as_ref()) {
            let link = match (notice, &ctx.cancel_token) {
                (Notice::Requested, Some(token)) => {
                    Some((self.config.cancel_link_base.as_str(), token))
                }
                _ => None,
            };
            let locale =
                latchkey_i18n::Locale::stored(users::locale(conn, account.user_id()?)?.as_deref());
            let instance = branding::name_in(conn, &self.config.instance_name)?;
            let (subject, text) =
                notices::email(locale, notice, request, &account.username, &instance, link);
            enqueue_email(conn, to, &subject, &text, now)?;
            channels.push("email");
        }
        if self.config.security_webhook {
            outbox::enqueue_security_webhook(
                conn,
                &notices::webhook_event(notice, request, now),
                now,
            )?;
            channels.push("webhook");
        }
        // Which notice went out on which channels (never the address or the
        // link): reviewers see that the account's owner was told, or that
        // nothing could reach them.
        let event = ctx
            .event(request, AuditEventKind::GuardedActionNotified)
            .detail(json!({
                "request": request.id,
                "notice": notice.as_str(),
                "channels": channels,
            }));
        self.audit.append(conn, now, &event)?;
        Ok(())
    }

    fn revoke(
        &self,
        conn: &mut DbConnection,
        request: &Request,
        what: &std::collections::BTreeSet<Revocation>,
        ctx: &Ctx,
        now: DateTime<Utc>,
        out: &mut Executed,
    ) -> Result<(), StoreError> {
        if what.contains(&Revocation::OtherPasskeys) {
            for credential in credentials::list_active(conn, request.subject)? {
                let id = credential.credential_id()?;
                credentials::revoke(conn, request.subject, id, now)?;
                let event = ctx
                    .event(request, AuditEventKind::PasskeyRevoked)
                    .detail(json!({ "credential": id, "reason": "guarded_action_completed", "request": request.id }));
                self.audit.append(conn, now, &event)?;
                out.passkeys_revoked.push(id);
            }
        }
        if what.contains(&Revocation::RefreshFamilies) {
            let revoked = refresh_tokens::revoke_of_user(
                conn,
                request.subject,
                "guarded_action_completed",
                now,
            )?;
            if !revoked.is_empty() {
                let event = ctx
                    .event(request, AuditEventKind::RefreshFamilyRevoked)
                    .detail(json!({ "families": revoked.len(), "reason": "guarded_action_completed", "request": request.id }));
                self.audit.append(conn, now, &event)?;
            }
            out.refresh_families_revoked = revoked.len();
        }
        // Browser sessions live in the session store, which the web layer
        // holds; it ends them when told to.
        out.end_sessions = what.contains(&Revocation::Sessions);
        Ok(())
    }

    fn apply(
        &self,
        conn: &mut DbConnection,
        request: &Request,
        action: &GuardedAction,
        ctx: &Ctx,
        now: DateTime<Utc>,
        out: &mut Executed,
    ) -> Result<(), StoreError> {
        let subject = request.subject;
        match action {
            // The enrolment grant carries this out.
            GuardedAction::RecoverAccount => {}
            // The passkey registered with the request becomes active (a
            // request made without one hands out an enrolment grant).
            GuardedAction::AddPasskey => {
                for activated in credentials::activate_pending(conn, request.id)? {
                    let e = pending_event(request, &activated, true, "guarded_action_completed");
                    self.audit.append(conn, now, &e)?;
                    out.activated.push(activated.credential_id()?);
                }
            }
            GuardedAction::RemovePasskey { credential } => {
                match credentials::revoke(conn, subject, *credential, now) {
                    Ok(()) | Err(StoreError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
                let event = ctx
                    .event(request, AuditEventKind::PasskeyRevoked)
                    .detail(json!({ "credential": credential, "request": request.id }));
                self.audit.append(conn, now, &event)?;
                out.passkeys_revoked.push(*credential);
            }
            GuardedAction::RegenerateRecoveryCodes => {
                let codes = recovery_codes::regenerate(conn, self.codes, subject, now)?;
                let event = ctx
                    .event(request, AuditEventKind::RecoveryCodesGenerated)
                    .detail(json!({ "count": codes.expose().len(), "request": request.id }));
                self.audit.append(conn, now, &event)?;
                out.recovery_codes = Some(codes);
            }
            GuardedAction::ChangeEmail { new_email } => {
                users::set_email(conn, subject, Some(new_email), now)?;
            }
            GuardedAction::GrantRole { role } => {
                match users::grant_role(conn, subject, role.as_str(), request.requester, now) {
                    Ok(()) => {
                        let event = ctx
                            .event(request, AuditEventKind::UserRoleGranted)
                            .detail(json!({ "role": role, "request": request.id }));
                        self.audit.append(conn, now, &event)?;
                    }
                    Err(StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
                if *role == Role::Admin || *role == Role::Approver {
                    // Role holders are at least elevated: the stored tier
                    // follows, so the policies that apply say so too.
                    let current = users::find(conn, subject)?
                        .map(|u| u.account_tier())
                        .transpose()?;
                    if let Some(tier) = current
                        && tier < role.tier_floor()
                    {
                        users::set_tier(conn, subject, role.tier_floor(), false, now)?;
                    }
                }
            }
            GuardedAction::ChangeTier { tier } => {
                users::set_tier(conn, subject, *tier, true, now)?;
                let event = ctx
                    .event(request, AuditEventKind::UserTierChanged)
                    .detail(json!({ "tier": tier, "request": request.id }));
                self.audit.append(conn, now, &event)?;
            }
            GuardedAction::EnableAccount => {
                if users::enable(conn, subject, now)? {
                    let event = ctx
                        .event(request, AuditEventKind::UserEnabled)
                        .detail(json!({ "request": request.id }));
                    self.audit.append(conn, now, &event)?;
                }
            }
            GuardedAction::WeakenPolicy { change } => {
                crate::policy_changes::apply(
                    conn,
                    self.audit,
                    &self.config.policies,
                    request,
                    change,
                    ctx.ip.as_deref(),
                    now,
                )?;
            }
        }
        Ok(())
    }
}
