//! Calls that verify factors: recovery codes, e-mail links, passkeys, and
//! the out-of-band check an approver records.

use latchkey_core::{GuardedActionId, HashedToken, PlainToken, Secret, TokenKind};
use latchkey_store::mail::{EmailAddress, enqueue_email};
use latchkey_store::{ephemeral, guarded_actions, recovery_codes, users};

use super::checks::{fresh, passkey_of, roles_of};
use super::types::{OobCheck, Origin, PasskeyFact};
use super::{EngineError, GuardedActions, Prepared, Write, in_transaction, presented};
use crate::effects::{Actor, Ctx};
use crate::machine::{Event, MAX_FAILED_ATTEMPTS, Request};
use crate::notices;
use crate::policy::FactorKind;
use crate::record::from_record;
use crate::state::Refusal;

fn email_link_key(token: &HashedToken) -> String {
    format!("guarded-email-link:{}", token.to_hex())
}

impl GuardedActions {
    /// Counts a factor attempt against the account's limit.
    async fn factor_attempt_allowed(&self, id: GuardedActionId) -> Result<(), EngineError> {
        let subject = self.view(id).await?.subject;
        let key = format!("guarded-factor:{subject}");
        if self
            .within_limit(key, self.config().factor_attempts_per_account)
            .await?
        {
            Ok(())
        } else {
            Err(Refusal::RateLimited {}.into())
        }
    }

    /// Presents one of the account's recovery codes. A right code is spent
    /// and counts as the `recovery_code` factor; a wrong one counts toward
    /// the request's lock (refused with [`Refusal::WrongFactor`], or
    /// [`Refusal::LockedNow`] at the fifth). Attempts are also limited per
    /// account across requests. The code is never logged.
    pub async fn present_recovery_code(
        &self,
        id: GuardedActionId,
        code: Secret<String>,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        self.factor_attempt_allowed(id).await?;
        let ctx = Ctx {
            actor: Actor::Requester,
            ip: origin.ip.clone(),
            credential: None,
            cancel_token: None,
            request_id: origin.request_id.clone(),
        };
        self.drive(id, ctx, move |conn, inner, request, now| {
            let kind = FactorKind::RecoveryCode;
            request.accepts_factor(kind, now)?;
            if recovery_codes::consume(conn, &inner.codes, request.subject, code.expose(), now)? {
                return Ok(Prepared {
                    event: Event::FactorPresented { kind },
                    writes: vec![Write::Factor {
                        kind: kind.as_str(),
                        detail: String::new(),
                    }],
                    after: None,
                });
            }
            let left =
                MAX_FAILED_ATTEMPTS.saturating_sub(request.failed_attempts.saturating_add(1));
            Ok(Prepared {
                event: Event::FactorFailed { kind },
                writes: Vec::new(),
                after: Some(if left == 0 {
                    Refusal::LockedNow {}
                } else {
                    Refusal::WrongFactor {
                        attempts_left: left,
                    }
                }),
            })
        })
        .await
    }

    /// Sends a one-time link (30 minutes) to the account's verified
    /// address; opening it in the requester's browser session is the
    /// `email_link` factor.
    pub async fn send_email_link(
        &self,
        id: GuardedActionId,
        origin: &Origin,
    ) -> Result<(), EngineError> {
        self.factor_attempt_allowed(id).await?;
        let now = self.now();
        let ip = origin.ip.clone();
        self.run(move |conn, inner| {
            in_transaction(conn, |conn| {
                let record = guarded_actions::lock(conn, id)?.ok_or(Refusal::NotFound {})?;
                let (request, _) = from_record(&record)?;
                request.accepts_factor(FactorKind::EmailLink, now)?;
                let account =
                    users::find(conn, request.subject)?.ok_or(Refusal::AccountUnavailable {})?;
                let (Some(to), Some(_)) = (
                    account
                        .email
                        .as_deref()
                        .and_then(|e| EmailAddress::parse(e).ok()),
                    account.email_verified_at,
                ) else {
                    return Err(Refusal::NoVerifiedEmail {}.into());
                };
                let token = PlainToken::generate(TokenKind::EmailVerification);
                let ttl = inner.config.email_link_ttl;
                ephemeral::put_value(
                    conn,
                    &email_link_key(&token.hashed()),
                    request.id.to_string().as_bytes(),
                    now + ttl,
                )?;
                let locale =
                    latchkey_i18n::Locale::stored(users::locale(conn, request.subject)?.as_deref());
                let instance =
                    latchkey_store::branding::name_in(conn, &inner.config.instance_name)?;
                let (subject, text) = notices::email_link(
                    locale,
                    request.action.kind(),
                    &account.username,
                    &instance,
                    &inner.config.email_link_base,
                    &token,
                );
                enqueue_email(conn, &to, &subject, &text, now)?;
                tracing::info!(
                    target: "latchkey::guarded_action",
                    request = %request.id,
                    ip = ip.as_deref().unwrap_or(""),
                    "e-mail link sent"
                );
                Ok(())
            })
        })
        .await
    }

    /// Presents the e-mail link's token from `session_handle`: it must be
    /// the requester's session (a link the account's owner opens by mistake
    /// does not help someone else's request). Spent once.
    pub async fn present_email_link(
        &self,
        token: &str,
        session_handle: &str,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        let hashed =
            presented(TokenKind::EmailVerification, token).ok_or(Refusal::LinkInvalid {})?;
        let key = email_link_key(&hashed);
        let now = self.now();
        let lookup = key.clone();
        let id = self
            .run(move |conn, _| Ok(ephemeral::get_value(conn, &lookup, now)?))
            .await?
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|v| GuardedActionId::parse(&v).ok())
            .ok_or(Refusal::LinkInvalid {})?;
        let session = HashedToken::of(session_handle);
        let ctx = Ctx {
            actor: Actor::Requester,
            ip: origin.ip.clone(),
            credential: None,
            cancel_token: None,
            request_id: origin.request_id.clone(),
        };
        self.drive(id, ctx, move |conn, _, request, now| {
            let kind = FactorKind::EmailLink;
            request.accepts_factor(kind, now)?;
            if !request
                .requester_session
                .as_ref()
                .is_some_and(|s| s.matches(&session))
            {
                return Err(Refusal::SessionMismatch {}.into());
            }
            if ephemeral::take_value(conn, &key, now)?.is_none() {
                return Err(Refusal::LinkInvalid {}.into());
            }
            Ok(Prepared {
                event: Event::FactorPresented { kind },
                writes: vec![Write::Factor {
                    kind: kind.as_str(),
                    detail: String::new(),
                }],
                after: None,
            })
        })
        .await
    }

    /// Presents a user-verified assertion by a registered passkey of the
    /// requester (of the subject for a recovery), made in the last few
    /// minutes, as the `passkey` factor.
    pub async fn present_passkey(
        &self,
        id: GuardedActionId,
        fact: PasskeyFact,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        self.factor_attempt_allowed(id).await?;
        let ctx = Ctx {
            actor: Actor::User(fact.user),
            ip: origin.ip.clone(),
            credential: Some(fact.credential),
            cancel_token: None,
            request_id: origin.request_id.clone(),
        };
        self.drive(id, ctx, move |conn, _, request, now| {
            let kind = FactorKind::Passkey;
            request.accepts_factor(kind, now)?;
            let owner = request.requester.unwrap_or(request.subject);
            if fact.user != owner || !fresh(fact.uv_at, now) {
                return Err(Refusal::PasskeyNotAccepted {}.into());
            }
            roles_of(conn, fact.user)?;
            passkey_of(conn, fact.user, fact.credential)?;
            Ok(Prepared {
                event: Event::FactorPresented { kind },
                writes: vec![Write::Factor {
                    kind: kind.as_str(),
                    detail: fact.credential.to_string(),
                }],
                after: None,
            })
        })
        .await
    }

    /// Records an approver's out-of-band identity check.
    pub async fn record_oob(
        &self,
        id: GuardedActionId,
        check: OobCheck,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        let ctx = Ctx {
            actor: Actor::User(check.recorder),
            ip: origin.ip.clone(),
            credential: Some(check.credential),
            cancel_token: None,
            request_id: origin.request_id.clone(),
        };
        self.drive(id, ctx, move |conn, _, _, now| {
            let roles = roles_of(conn, check.recorder)?;
            passkey_of(conn, check.recorder, check.credential)?;
            if !fresh(check.uv_at, now) {
                return Err(Refusal::ApprovalNotFresh {}.into());
            }
            let evidence = check.evidence.trim().to_owned();
            if evidence.chars().count() > 2000 {
                return Err(Refusal::InvalidAction {}.into());
            }
            Ok(Prepared {
                event: Event::OobRecorded {
                    by: check.recorder,
                    by_roles: roles,
                    method: check.method,
                    evidence: evidence.clone(),
                },
                writes: vec![Write::Oob {
                    by: check.recorder,
                    method: check.method.as_str(),
                    evidence,
                }],
                after: None,
            })
        })
        .await
    }
}
