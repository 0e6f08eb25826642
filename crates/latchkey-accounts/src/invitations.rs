//! Invitations: a single-use, expiring link that creates an account. The
//! command line and the console create them through this one operation.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{
    AccountTier, AuditEventKind, GroupId, PlainToken, SharedClock, TokenKind, UserId,
};
use latchkey_store::Db;
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::mail::EmailAddress;
use latchkey_store::{groups, invitations, users, write_transaction};

use crate::error::AccountsError;

/// Who creates an invitation, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inviter {
    /// The `latchkey user invite` command (an operator on the machine).
    CommandLine,
    /// An administrator, from the console: with the passkey of their
    /// step-up, their address and the HTTP request id, for the audit log.
    Admin {
        user: UserId,
        passkey: Option<String>,
        ip: String,
        request_id: Option<String>,
    },
}

/// A new invitation: the token is in the link and is shown only now.
#[derive(Debug)]
pub struct CreatedInvitation {
    pub email: String,
    pub admin: bool,
    pub token: PlainToken,
    pub expires_at: DateTime<Utc>,
}

impl CreatedInvitation {
    /// The link the invitee opens, under `issuer` (no trailing slash needed).
    pub fn link(&self, issuer: &str) -> String {
        format!(
            "{}/invite/{}",
            issuer.trim_end_matches('/'),
            self.token.expose()
        )
    }
}

/// Creates invitations. Built from [`crate::Accounts::invitations`], or on
/// its own where no session store or relying party exists (the command
/// line).
#[derive(Debug, Clone)]
pub struct Invitations {
    db: Db,
    audit: Arc<AuditChain>,
    clock: SharedClock,
}

/// An invitee's address: an addr-spec under a domain with a dot,
/// lower-cased.
pub fn parse_invitee(email: &str) -> Result<EmailAddress, AccountsError> {
    EmailAddress::parse(&email.trim().to_lowercase())
        .ok()
        .filter(|a| a.domain().contains('.'))
        .ok_or(AccountsError::invalid(
            "invalid_email",
            "That is not an e-mail address.",
        ))
}

/// `event` with the client's address, when there is one (not for the
/// command line).
fn with_ip(event: NewAuditEvent, ip: &str) -> NewAuditEvent {
    if ip.is_empty() { event } else { event.ip(ip) }
}

impl Invitations {
    pub fn new(db: Db, audit: Arc<AuditChain>, clock: SharedClock) -> Self {
        Self { db, audit, clock }
    }

    /// Creates a single-use invitation for `email` (lower-cased), valid for
    /// `lifetime`; `admin` makes the invitee an administrator. Audited.
    pub async fn create(
        &self,
        email: &str,
        admin: bool,
        lifetime: Duration,
        by: Inviter,
    ) -> Result<CreatedInvitation, AccountsError> {
        self.create_with_terms(
            email,
            admin,
            lifetime,
            by,
            AccountTier::Standard,
            Vec::new(),
        )
        .await
    }

    /// [`Self::create`], the new account starting under `tier` (an
    /// administrator's at least elevated) and joining `groups` in its
    /// enrolment's transaction. An unknown group is refused, nothing
    /// created.
    pub async fn create_with_terms(
        &self,
        email: &str,
        admin: bool,
        lifetime: Duration,
        by: Inviter,
        tier: AccountTier,
        group_ids: Vec<GroupId>,
    ) -> Result<CreatedInvitation, AccountsError> {
        let address = parse_invitee(email)?;
        if lifetime <= Duration::zero() {
            return Err(AccountsError::invalid(
                "invalid_lifetime",
                "An invitation must be valid for some time.",
            ));
        }
        let now = self.clock.now();
        let expires_at = now + lifetime;
        let token = PlainToken::generate(TokenKind::Invitation);
        let (hashed, audit, mail) = (token.hashed(), self.audit.clone(), address.to_string());
        let (invited_by, actor, passkey, ip, request_id) = match by {
            Inviter::CommandLine => (None, "cli".to_owned(), None, String::new(), None),
            Inviter::Admin {
                user,
                passkey,
                ip,
                request_id,
            } => (Some(user), user.to_string(), passkey, ip, request_id),
        };
        self.db
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    // An invitation creates an account; it never gives an
                    // existing one a new way in (that is recovery's job).
                    if users::email_taken(conn, &mail)? {
                        return Ok(Err(AccountsError::invalid(
                            "account_exists",
                            "An account with this address exists. Invitations create new accounts; \
                             a lost passkey is recovered through account recovery.",
                        )));
                    }
                    // Past the founding administrators, the admin role is
                    // granted only through a guarded role request.
                    if admin && !users::founding_open(conn)? {
                        return Ok(Err(AccountsError::invalid(
                            "founding_admins_complete",
                            "This instance has its founding administrators. Further administrators \
                             are granted the role through a guarded request that other administrators approve.",
                        )));
                    }
                    let mut names = Vec::new();
                    for g in &group_ids {
                        match groups::find(conn, *g)? {
                            Some(group) => names.push(group.name),
                            None => {
                                return Ok(Err(AccountsError::invalid(
                                    "unknown_group",
                                    "There is no such group.",
                                )));
                            }
                        }
                    }
                    let id = invitations::create(
                        conn, &mail, &hashed, admin, invited_by, now, expires_at,
                    )?;
                    invitations::set_terms(conn, id, tier, &group_ids)?;
                    audit.append(
                        conn,
                        now,
                        &with_ip(
                            NewAuditEvent::new(AuditEventKind::InvitationCreated)
                                .actor(actor)
                                .subject(id)
                                .detail(serde_json::json!({
                                    "admin": admin,
                                    "expires_at": expires_at.to_rfc3339(),
                                    "tier": tier.as_str(),
                                    "groups": names,
                                    "passkey": passkey,
                                }))
                                .request_id(request_id.as_deref()),
                            &ip,
                        ),
                    )?;
                    Ok(Ok(()))
                })
            })
            .await??;
        Ok(CreatedInvitation {
            email: address.to_string(),
            admin,
            token,
            expires_at,
        })
    }
}
