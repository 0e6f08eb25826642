//! Group membership from an account's page in the console. Adding someone
//! to a group is immediate: at most it puts them under the group's
//! attestation policy, which only asks more of their passkeys. Removing
//! someone is immediate only from a group that carries no attestation
//! policy: leaving one that does relaxes what applies to them, so it is
//! refused (detach the policy from the group, or reassign it, through the
//! guarded policy changes) — nothing changes.

use chrono::{DateTime, Utc};
use latchkey_core::{AuditEventKind, GroupId, UserId};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::{DbConnection, StoreError, attestation_policies, groups, users};
use serde_json::json;

use crate::ceremony::ClientInfo;
use crate::error::AccountsError;
use crate::service::{Accounts, ActiveSession};

/// Who changes a membership, for the audit log.
pub(crate) struct Actor<'a> {
    pub actor: &'a str,
    pub ip: Option<&'a str>,
    pub passkey: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

/// Adds `user` to `group` in the caller's transaction, audited as
/// `group.member_added`; `false` when they were a member already.
pub(crate) fn add_in(
    c: &mut DbConnection,
    audit: &AuditChain,
    group: &groups::Group,
    user: UserId,
    by: &Actor<'_>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if !groups::add_member(c, group.id, user, now)? {
        return Ok(false);
    }
    audit.append(
        c,
        now,
        &event(AuditEventKind::GroupMemberAdded, group, user, by),
    )?;
    Ok(true)
}

fn event(
    kind: AuditEventKind,
    group: &groups::Group,
    user: UserId,
    by: &Actor<'_>,
) -> NewAuditEvent {
    let mut e = NewAuditEvent::new(kind)
        .actor(by.actor)
        .subject(user)
        .detail(json!({ "group": group.name, "group_id": group.id, "passkey": by.passkey }));
    if let Some(ip) = by.ip {
        e = e.ip(ip);
    }
    e.request_id(by.request_id)
}

/// What the console may do about one membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Add,
    Remove,
}

impl Accounts {
    /// Adds `user` to, or removes them from, `group` on behalf of the
    /// administrator signed in as `me` (fresh step-up, admin role checked in
    /// the transaction). `Ok(false)` when there was nothing to change.
    /// Removal from a group carrying an attestation policy is refused.
    pub async fn change_membership(
        &self,
        me: &ActiveSession,
        user: UserId,
        group: GroupId,
        change: Membership,
        client: &ClientInfo,
    ) -> Result<bool, AccountsError> {
        self.require_step_up(me)?;
        let admin = me.user_id();
        let passkey = me.data.credential.clone();
        let (audit, ip, now) = (self.audit(), client.ip.clone(), self.now());
        let request_id = client.request_id.clone();
        self.db()
            .run(move |c| {
                latchkey_store::write_transaction(c, |c| {
                    if !users::is_enabled_admin(c, admin)? {
                        return Ok(Err(AccountsError::AdminRequired));
                    }
                    let Some(g) = groups::find(c, group)? else {
                        return Ok(Err(AccountsError::NotFound("the group")));
                    };
                    if users::find(c, user)?.is_none() {
                        return Ok(Err(AccountsError::NotFound("the account")));
                    }
                    let actor = admin.to_string();
                    let by = Actor {
                        actor: &actor,
                        ip: Some(&ip).filter(|ip| !ip.is_empty()).map(String::as_str),
                        passkey: passkey.as_deref(),
                        request_id: request_id.as_deref(),
                    };
                    match change {
                        Membership::Add => Ok(Ok(add_in(c, &audit, &g, user, &by, now)?)),
                        Membership::Remove => {
                            if attestation_policies::for_group(c, g.id)?.is_some() {
                                return Ok(Err(AccountsError::invalid(
                                    "group_has_policy",
                                    "This group carries an attestation policy: leaving it would relax what applies to this account. Detach the policy from the group first.",
                                )));
                            }
                            if !groups::remove_member(c, g.id, user)? {
                                return Ok(Ok(false));
                            }
                            let e = event(AuditEventKind::GroupMemberRemoved, &g, user, &by);
                            audit.append(c, now, &e)?;
                            Ok(Ok(true))
                        }
                    }
                })
            })
            .await?
    }
}
