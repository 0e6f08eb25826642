//! Attestation policies where passkeys are registered and used.
//!
//! - Registration: every registration path (enrolment by bootstrap link,
//!   invitation or sign-up; another passkey on the account page; the passkey
//!   after a recovery) starts with [`Accounts::registration_policy`] and
//!   finishes with [`Accounts::finish_policy_registration`]. When a policy
//!   that applies to the account needs attestation, the ceremony asks for
//!   `direct` attestation verified against the imported metadata's roots;
//!   a passkey that breaks a rule is refused, naming the rule and what would
//!   satisfy it, and nothing is stored. What was verified is kept with the
//!   credential for auditors.
//! - Sign-in to a client: [`Accounts::client_gate`] checks the client's
//!   policy against the passkey of this session, every time, with today's
//!   metadata; [`Accounts::start_policy_step_up`] asks for one of the
//!   account's complying passkeys only.

use chrono::{DateTime, Utc};
use latchkey_core::{AccountTier, ClientId, UserId};
use latchkey_passkey::policy::{
    self, AttestationPolicy, CredentialFacts, Finding, Requirement, Rule, Violation,
};
use latchkey_passkey::{
    AttestationTrust, NewPasskey, PasskeyError, RegistrationPolicy, RegistrationState,
    StoredPasskey,
};
use latchkey_store::attestation_policies as stored;
use latchkey_store::authenticator_metadata::{self, MetadataEntry};
use latchkey_store::credentials::{self, Credential};
use latchkey_store::{DbConnection, StoreError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ceremony::{CeremonyKind, CeremonyOutcome, CeremonyStart, ClientInfo, Finished, Flow};
use crate::error::AccountsError;
use crate::policies::{Models, evaluate_stored, model_status, rules_of};
use crate::ratelimit::CEREMONIES_PER_ACCOUNT;
use crate::service::{Accounts, ActiveSession};
use crate::signin::{Failure, Pending, fail};

/// Namespace of policy step-up ceremonies.
const NS_POLICY_STEPUP: &str = "ceremony-policy-stepup";

/// A verified new passkey with the record of its attestation.
#[derive(Debug, Clone)]
pub struct Registered {
    pub passkey: NewPasskey,
    /// What was verified, for the credential's `attestation_json`.
    pub attestation_json: Option<String>,
}

impl std::ops::Deref for Registered {
    type Target = NewPasskey;
    fn deref(&self) -> &NewPasskey {
        &self.passkey
    }
}

/// Whether this session's passkey may be used for a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientGate {
    /// The client has no attestation policy.
    NoPolicy,
    /// The passkey of this session satisfies the client's policy.
    Complies,
    /// It does not (or the session used no passkey).
    Refused(PolicyRefusal),
}

/// A client's policy that this session's passkey does not meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRefusal {
    pub policy: AttestationPolicy,
    pub violations: Vec<Violation>,
    /// How many of the account's other passkeys satisfy the policy.
    pub compliant_passkeys: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct PolicyStepUpState {
    auth: latchkey_passkey::BoundAuthenticationState,
    session: String,
    client: String,
}

/// The binding of a policy step-up: the client it is for.
fn binding(client: &ClientId) -> [u8; 32] {
    let mut input = b"latchkey policy step-up\0".to_vec();
    input.extend_from_slice(client.as_str().as_bytes());
    let d = ring::digest::digest(&ring::digest::SHA256, &input);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// The trusted roots for a registration under `policies`: every model of the
/// imported metadata with attestation roots that every policy's allowlist
/// admits. Roots that are not valid certificates are skipped (and logged).
fn trust_for(policies: &[AttestationPolicy], entries: &[MetadataEntry]) -> AttestationTrust {
    let mut trust = AttestationTrust::new();
    for e in entries {
        let admitted = policies.iter().all(|p| {
            p.rules.allowed_aaguids.is_empty() || p.rules.allowed_aaguids.contains(&e.aaguid)
        });
        if !admitted {
            continue;
        }
        for root in &e.attestation_roots {
            match trust.clone().allow(root, e.aaguid, &e.description) {
                Ok(t) => trust = t,
                Err(_) => tracing::warn!(
                    aaguid = %e.aaguid,
                    "an attestation root of the FIDO metadata is not a certificate; skipped"
                ),
            }
        }
    }
    trust
}

/// The first policy that `facts` break, with its violations.
fn first_refusal(
    policies: &[AttestationPolicy],
    facts: &CredentialFacts,
    model: Option<&policy::ModelStatus>,
) -> Option<(String, Vec<Violation>)> {
    policies
        .iter()
        .find_map(|p| match policy::evaluate(p, facts, model) {
            policy::Verdict::Complies => None,
            policy::Verdict::Violates(v) => Some((p.name.clone(), v)),
        })
}

/// The refusal of an attested registration that webauthn-rs turned down.
fn attestation_refusal(policies: &[AttestationPolicy], synced: bool) -> AccountsError {
    let name = policies
        .iter()
        .find(|p| p.rules.needs_attestation())
        .map_or_else(String::new, |p| p.name.clone());
    let violation = if synced {
        Violation {
            rule: Rule::DeviceBound,
            found: Finding::SyncedUnattestable,
            required: Requirement::DeviceBoundInMetadata,
        }
    } else {
        Violation {
            rule: Rule::AttestationRequired,
            found: Finding::AttestationUnverified,
            required: Requirement::AllowedModelAttested,
        }
    };
    AccountsError::PolicyRefused {
        policy: name,
        violations: vec![violation],
    }
}

impl Accounts {
    /// The registration policy for the existing account `user`: the
    /// policies of its tier and groups.
    pub(crate) async fn registration_policy(
        &self,
        user: UserId,
    ) -> Result<RegistrationPolicy, AccountsError> {
        let rows = self.db().run(move |c| stored::for_user(c, user)).await?;
        self.registration_policy_of(rows).await
    }

    /// The registration policy for a new account of `tier` (it has no
    /// groups yet).
    pub(crate) async fn registration_policy_for_tier(
        &self,
        tier: AccountTier,
    ) -> Result<RegistrationPolicy, AccountsError> {
        let rows = self
            .db()
            .run(move |c| Ok(stored::for_tier(c, tier.as_str())?.into_iter().collect()))
            .await?;
        self.registration_policy_of(rows).await
    }

    async fn registration_policy_of(
        &self,
        rows: Vec<stored::Policy>,
    ) -> Result<RegistrationPolicy, AccountsError> {
        let policies = rows.iter().map(rules_of).collect::<Result<Vec<_>, _>>()?;
        if !policies.iter().any(|p| p.rules.needs_attestation()) {
            return Ok(RegistrationPolicy::none().with_policies(policies));
        }
        let entries = self.db().run(authenticator_metadata::list).await?;
        let trust = trust_for(&policies, &entries);
        if trust.is_empty() {
            let name = policies
                .iter()
                .find(|p| p.rules.needs_attestation())
                .map_or_else(String::new, |p| p.name.clone());
            return Err(AccountsError::PolicyRefused {
                policy: name,
                violations: vec![Violation {
                    rule: Rule::AttestationRequired,
                    found: Finding::NoTrustedModels,
                    required: Requirement::MetadataImport,
                }],
            });
        }
        Ok(RegistrationPolicy::direct(trust).with_policies(policies))
    }

    /// Verifies a registration response and checks the new passkey against
    /// the policies the ceremony was started under, with today's metadata.
    /// A refused passkey is [`AccountsError::PolicyRefused`]; nothing is
    /// stored here either way.
    pub(crate) async fn finish_policy_registration(
        &self,
        response: &str,
        state: RegistrationState,
    ) -> Result<Registered, AccountsError> {
        let policies = state.policies().to_vec();
        let needs_attestation = policies.iter().any(|p| p.rules.needs_attestation());
        let passkey = match self.rp().finish_registration(response, state) {
            Ok(p) => p,
            Err(e @ PasskeyError::AttestationRefused { .. }) if needs_attestation => {
                let synced = matches!(&e, PasskeyError::AttestationRefused { detail, .. }
                    if *detail == latchkey_passkey::registration::SYNCED_UNDER_ATTESTATION);
                tracing::info!(error = ?e, "a registration's attestation was refused under a policy");
                return Err(attestation_refusal(&policies, synced));
            }
            Err(e) => return Err(e.into()),
        };
        let aaguid = passkey
            .aaguid
            .as_deref()
            .and_then(|a| Uuid::parse_str(a).ok());
        let entry = match aaguid {
            Some(a) => {
                self.db()
                    .run(move |c| authenticator_metadata::find(c, &a))
                    .await?
            }
            None => None,
        };
        let model = entry.as_ref().map(model_status);
        let facts = CredentialFacts {
            aaguid,
            attested: passkey.attested,
            backup_eligible: passkey.backup_eligible,
        };
        if let Some((policy, violations)) = first_refusal(&policies, &facts, model.as_ref()) {
            return Err(AccountsError::PolicyRefused { policy, violations });
        }
        let attestation_json = passkey.attested.then(|| {
            let root = entry
                .as_ref()
                .and_then(|e| passkey.attestation_root(&e.attestation_roots));
            record(&passkey, root, model.as_ref(), &policies, self.now()).to_string()
        });
        Ok(Registered {
            passkey,
            attestation_json,
        })
    }

    /// Whether the passkey this session signed in with satisfies the
    /// policy of `client`, with today's metadata (so a model reported
    /// compromised since, or a tightened policy, makes it fail).
    pub async fn client_gate(
        &self,
        client: &ClientId,
        user: UserId,
        credential: Option<&str>,
    ) -> Result<ClientGate, AccountsError> {
        let (client, credential) = (client.clone(), credential.map(str::to_owned));
        self.db()
            .run(move |c| gate(c, &client, user, credential.as_deref()))
            .await?
    }

    /// Starts a step-up for `client`: a user-verified assertion limited to
    /// the account's passkeys that satisfy the client's policy (none flagged
    /// as a possible clone). `PolicyRefused` when there is none.
    pub async fn start_policy_step_up(
        &self,
        me: &ActiveSession,
        client: &ClientId,
    ) -> Result<CeremonyStart, AccountsError> {
        let user = me.user_id();
        self.limit(CEREMONIES_PER_ACCOUNT, &user.to_string())
            .await?;
        let cid = client.clone();
        let (policy, compliant) = self
            .db()
            .run(move |c| compliant_passkeys(c, &cid, user))
            .await??;
        let Some(policy) = policy else {
            return Err(AccountsError::NotFound("the application's policy"));
        };
        if compliant.is_empty() {
            return Err(AccountsError::PolicyRefused {
                policy: policy.name,
                violations: Vec::new(),
            });
        }
        let passkeys: Vec<StoredPasskey> = compliant
            .into_iter()
            .map(|row| StoredPasskey {
                owner: user,
                sign_count: u32::try_from(row.sign_count).unwrap_or(u32::MAX),
                attested: row.attested,
                passkey_json: row.passkey_json,
            })
            .collect();
        let (options, auth) = self
            .rp()
            .start_bound_authentication(&binding(client), &passkeys)?;
        let saved = PolicyStepUpState {
            auth,
            session: me.session.handle.clone(),
            client: client.as_str().to_owned(),
        };
        self.save_ceremony(NS_POLICY_STEPUP, &options, &saved).await
    }

    /// Finishes a policy step-up: in the session that started it, with one
    /// of the account's passkeys that satisfies the client's policy (checked
    /// again); the session's authentication becomes this one (time, acr,
    /// amr, passkey), as a step-up does.
    pub async fn finish_policy_step_up(
        &self,
        me: &ActiveSession,
        client: &ClientId,
        ceremony: &str,
        response: &str,
        info: &ClientInfo,
    ) -> Finished<()> {
        let mut outcome = CeremonyOutcome::new(CeremonyKind::Authentication, Flow::StepUp, info);
        let result = self
            .policy_step_up(me, client, ceremony, response, info)
            .await;
        if let Ok(credential) = &result {
            outcome.user = Some(me.user_id());
            outcome.credential = Some(credential.clone());
        }
        Finished::done(outcome, result.map(drop))
    }

    async fn policy_step_up(
        &self,
        me: &ActiveSession,
        client: &ClientId,
        ceremony: &str,
        response: &str,
        info: &ClientInfo,
    ) -> Result<String, Failure> {
        let saved: PolicyStepUpState = self
            .take_ceremony(NS_POLICY_STEPUP, ceremony)
            .await
            .map_err(|e| fail(e, None))?;
        let me_id = me.user_id();
        if saved.session != me.session.handle || saved.client != client.as_str() {
            return Err(fail(
                AccountsError::SessionMismatch(
                    "This confirmation was started for another request.",
                ),
                Some(me_id),
            ));
        }
        let verified = self
            .verify_assertion(response, Pending::Bound(saved.auth), &info.ip)
            .await?;
        if verified.user != me_id || verified.bound_digest != Some(binding(client)) {
            return Err(fail(AccountsError::WrongAccount, Some(me_id)));
        }
        let used = verified.credential.id.clone();
        let gate = self
            .client_gate(client, me_id, Some(&used))
            .await
            .map_err(|e| fail(e, Some(me_id)))?;
        if let ClientGate::Refused(r) = gate {
            return Err(fail(
                AccountsError::PolicyRefused {
                    policy: r.policy.name,
                    violations: r.violations,
                },
                Some(me_id),
            ));
        }
        let now = self.now();
        let mut data = me.data.clone();
        data.auth_time = now;
        data.uv_at = now;
        data.acr = verified.outcome.acr;
        data.amr = verified.outcome.amr.clone();
        data.credential = Some(used.clone());
        self.sessions()
            .update_session_data(&me.token, data.to_value())
            .await
            .map_err(|e| fail(e, Some(me_id)))?;
        Ok(used)
    }
}

/// A client's policy, if any, and the account's passkeys that satisfy it.
type Compliant = (Option<AttestationPolicy>, Vec<Credential>);

/// The client's policy and the account's active passkeys that satisfy it.
fn compliant_passkeys(
    conn: &mut DbConnection,
    client: &ClientId,
    user: UserId,
) -> Result<Result<Compliant, AccountsError>, StoreError> {
    let Some(row) = stored::for_client(conn, client)? else {
        return Ok(Ok((None, Vec::new())));
    };
    let policy = match rules_of(&row) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let mut models = Models::default();
    let mut out = Vec::new();
    for c in credentials::list_active(conn, user)? {
        if c.clone_suspected_at.is_none()
            && evaluate_stored(conn, &mut models, &policy, &c)?.complies()
        {
            out.push(c);
        }
    }
    Ok(Ok((Some(policy), out)))
}

fn gate(
    conn: &mut DbConnection,
    client: &ClientId,
    user: UserId,
    credential: Option<&str>,
) -> Result<Result<ClientGate, AccountsError>, StoreError> {
    let (policy, compliant) = match compliant_passkeys(conn, client, user)? {
        Ok((Some(p), compliant)) => (p, compliant),
        Ok((None, _)) => return Ok(Ok(ClientGate::NoPolicy)),
        Err(e) => return Ok(Err(e)),
    };
    if credential.is_some_and(|id| compliant.iter().any(|c| c.id == id)) {
        return Ok(Ok(ClientGate::Complies));
    }
    let used = match credential {
        Some(id) => latchkey_core::CredentialId::parse(id)
            .ok()
            .map(|id| credentials::find_active(conn, id))
            .transpose()?
            .flatten()
            .filter(|c| c.user_id == user.to_string()),
        None => None,
    };
    let violations = match &used {
        Some(c) => evaluate_stored(conn, &mut Models::default(), &policy, c)?
            .violations()
            .to_vec(),
        None => vec![Violation {
            rule: Rule::AttestationRequired,
            found: Finding::NoRegisteredPasskey,
            required: Requirement::CompliantSignIn,
        }],
    };
    let violations = if violations.is_empty() {
        // The passkey complies but was flagged as a possible clone.
        vec![Violation {
            rule: Rule::NotCompromised,
            found: Finding::PossibleClone,
            required: Requirement::AnotherPasskey,
        }]
    } else {
        violations
    };
    Ok(Ok(ClientGate::Refused(PolicyRefusal {
        policy,
        violations,
        compliant_passkeys: compliant.len(),
    })))
}

/// The record kept with an attested credential, for auditors.
fn record(
    p: &NewPasskey,
    root: Option<latchkey_passkey::AttestationRoot>,
    model: Option<&policy::ModelStatus>,
    policies: &[AttestationPolicy],
    now: DateTime<Utc>,
) -> serde_json::Value {
    serde_json::json!({
        "format": p.attestation_format,
        "aaguid": p.aaguid,
        "chain_verified": p.attested,
        "root": root,
        "model": model.map(|m| m.description.clone()),
        "certification_level": model.and_then(|m| m.certification_level).map(|l| l.as_str()),
        "status": model.map(|m| m.status_reports.iter().map(|r| r.status.clone()).collect::<Vec<_>>()),
        "compromised": model.is_some_and(|m| !m.compromises().is_empty()),
        "policies": policies.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        "checked_at": now.to_rfc3339(),
    })
}
