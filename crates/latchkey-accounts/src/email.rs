//! The owner's verification of their e-mail address. Only a verified
//! address is a recovery factor (and receives the recovery engine's e-mail
//! link), so it must be proven by someone who reads its mail:
//!
//! - the signed-in owner asks for a link; it goes to the address on file
//!   through the outbox, carrying a single-use `lkv_` token in the URL
//!   fragment (never sent to a server, never in a `Referer`), valid for 24
//!   hours and stored only as its SHA-256, bound to the account and the
//!   address it was sent to;
//! - opening the link shows a page; only its button (a POST) verifies, so
//!   mail scanners that fetch links verify nothing;
//! - an address changed since (`change_email` through the engine, which
//!   leaves the new address unverified) is not verified by an older link.
//!
//! Both steps are audited (`email.verification_sent`, `email.verified`),
//! never with the token; the address is not repeated in the log.

use chrono::Duration;
use latchkey_core::{AuditEventKind, HashedToken, PlainToken, TokenKind, UserId};
use latchkey_i18n::{Arg, Locale};
use latchkey_session::Limit;
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::mail::{EmailAddress, enqueue_email};
use latchkey_store::{StoreError, ephemeral, users, write_transaction};
use serde::{Deserialize, Serialize};

use crate::ceremony::ClientInfo;
use crate::error::AccountsError;
use crate::service::{Accounts, ActiveSession};

/// How long a verification link works.
pub const EMAIL_VERIFICATION_TTL: Duration = Duration::hours(24);

/// Verification links one account may ask for.
pub const EMAIL_VERIFICATIONS_PER_ACCOUNT: Limit = Limit {
    name: "email-verification-account",
    max: 5,
    window: Duration::hours(1),
};

/// What asking for a verification link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailVerification {
    Sent,
    /// The address is verified already; nothing was sent.
    AlreadyVerified,
}

/// What a link stands for, kept under the hash of its token.
#[derive(Debug, Serialize, Deserialize)]
struct Sent {
    user: UserId,
    email: String,
}

fn key(token: &HashedToken) -> String {
    format!("email-verification:{}", token.to_hex())
}

const LINK_INVALID: AccountsError = AccountsError::InvalidInput {
    code: "link_invalid",
    message: "This link is not valid any more. Ask for a new one on your account page.",
};

impl Accounts {
    /// Mails a verification link to the signed-in account's address.
    pub async fn send_email_verification(
        &self,
        me: &ActiveSession,
        client: &ClientInfo,
    ) -> Result<EmailVerification, AccountsError> {
        let user = me.user_id();
        self.limit(EMAIL_VERIFICATIONS_PER_ACCOUNT, &user.to_string())
            .await?;
        let token = PlainToken::generate(TokenKind::EmailVerification);
        let link = format!(
            "{}{}",
            self.engine().config().email_verify_link_base,
            token.expose()
        );
        let configured = self.engine().config().instance_name.clone();
        let (audit, ip, now, hashed) =
            (self.audit(), client.ip.clone(), self.now(), token.hashed());
        self.db()
            .run(move |c| {
                write_transaction(c, |c| {
                    let account =
                        users::find(c, user)?.ok_or(StoreError::NotFound("the account"))?;
                    if account.is_disabled() {
                        return Ok(Err(AccountsError::AccountDisabled));
                    }
                    let Some(stored) = account.email.clone() else {
                        return Ok(Err(AccountsError::invalid(
                            "no_email",
                            "This account has no email address to verify.",
                        )));
                    };
                    if account.email_verified_at.is_some() {
                        return Ok(Ok(EmailVerification::AlreadyVerified));
                    }
                    let Ok(to) = EmailAddress::parse(&stored) else {
                        return Ok(Err(AccountsError::invalid(
                            "email_unusable",
                            "The email address of this account cannot receive mail.",
                        )));
                    };
                    let sent = serde_json::to_vec(&Sent {
                        user,
                        email: stored,
                    })
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    ephemeral::put_value(c, &key(&hashed), &sent, now + EMAIL_VERIFICATION_TTL)?;
                    let locale = Locale::stored(users::locale(c, user)?.as_deref());
                    // The name in force now (an administrator may have
                    // changed it since start-up).
                    let instance = latchkey_store::branding::name_in(c, &configured)?;
                    let text = format!(
                        "{}\n\n{link}\n\n{}\n\n{instance}",
                        locale.format(
                            "notice-verify",
                            &[
                                ("address", to.as_str().into()),
                                ("username", Arg::from(&account.username)),
                            ],
                        ),
                        locale.t("notice-verify-why"),
                    );
                    let subject = locale.t("notice-verify-subject");
                    enqueue_email(c, &to, &subject, &text, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::EmailVerificationSent)
                            .actor(user)
                            .subject(user)
                            .ip(ip),
                    )?;
                    Ok(Ok(EmailVerification::Sent))
                })
            })
            .await?
    }

    /// Verifies the address the link was sent to, once. Needs no sign-in:
    /// the link is the proof of reading that address's mail.
    pub async fn verify_email(
        &self,
        token: &str,
        client: &ClientInfo,
    ) -> Result<(), AccountsError> {
        let hashed = PlainToken::from_presented(TokenKind::EmailVerification, token.trim())
            .ok_or(LINK_INVALID)?
            .hashed();
        let (audit, ip, now) = (self.audit(), client.ip.clone(), self.now());
        self.db()
            .run(move |c| {
                write_transaction(c, |c| {
                    // Spent by this attempt, whatever follows.
                    let Some(raw) = ephemeral::take_value(c, &key(&hashed), now)? else {
                        return Ok(Err(LINK_INVALID));
                    };
                    let Ok(sent) = serde_json::from_slice::<Sent>(&raw) else {
                        return Ok(Err(LINK_INVALID));
                    };
                    match users::find(c, sent.user)? {
                        Some(a) if !a.is_disabled() => {}
                        _ => return Ok(Err(LINK_INVALID)),
                    }
                    if !users::mark_email_verified(c, sent.user, &sent.email, now)? {
                        // The address changed since the link was sent.
                        return Ok(Err(LINK_INVALID));
                    }
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::EmailVerified)
                            .actor(sent.user)
                            .subject(sent.user)
                            .ip(ip),
                    )?;
                    Ok(Ok(()))
                })
            })
            .await?
    }
}
