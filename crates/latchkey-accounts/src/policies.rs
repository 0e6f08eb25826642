//! Attestation policies: saving them, attaching them to groups, tiers and
//! clients, and the compliance report (a dry run of who would stop
//! complying). Saving and assigning are audited. The command line calls
//! these operations; the console will call the same ones.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use latchkey_core::{AccountTier, AuditEventKind, ClientId, SharedClock, UserId};
use latchkey_passkey::mds::{CertificationLevel, StatusReport};
use latchkey_passkey::policy::{self, AttestationPolicy, CredentialFacts, ModelStatus};
use latchkey_passkey::{PolicyRules, Violation};
use latchkey_store::attestation_policies as stored;
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::authenticator_metadata::{self, MetadataEntry};
use latchkey_store::credentials::{self, Credential};
use latchkey_store::{Db, DbConnection, StoreError, groups, write_transaction};
use uuid::Uuid;

use crate::error::AccountsError;

/// The longest policy or group name accepted.
const MAX_NAME: usize = 64;

/// Where a policy is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyTarget {
    /// A group, by name.
    Group(String),
    Tier(AccountTier),
    Client(ClientId),
    /// The admin console: a console step-up's passkey must comply.
    Console,
}

/// A policy as shown and reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPolicy {
    pub name: String,
    pub rules: PolicyRules,
}

/// One credential that does not comply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedCredential {
    pub id: String,
    pub label: String,
    pub aaguid: Option<String>,
    pub violations: Vec<Violation>,
}

/// One account in the policy's scope with a credential that does not comply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedUser {
    pub id: UserId,
    pub username: String,
    /// How many of the account's passkeys comply.
    pub compliant: usize,
    pub failing: Vec<ReportedCredential>,
}

impl ReportedUser {
    /// The account has no passkey that complies: it would be refused.
    pub fn locked_out(&self) -> bool {
        self.compliant == 0
    }
}

/// What a policy would refuse today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyReport {
    pub policy: String,
    /// Accounts in the policy's scope.
    pub users: usize,
    /// Accounts without one complying passkey.
    pub users_locked_out: usize,
    /// Passkeys (of accounts in scope) that do not comply.
    pub failing_credentials: usize,
    /// The accounts with at least one failing passkey, by username.
    pub affected: Vec<ReportedUser>,
}

/// Saves, assigns and reports attestation policies.
#[derive(Debug, Clone)]
pub struct Policies {
    pub(crate) db: Db,
    pub(crate) audit: Arc<AuditChain>,
    pub(crate) clock: SharedClock,
    /// Where the changes come from, for their audit events.
    pub(crate) from: Stamp,
}

/// The address and step-up passkey of the administrator making changes in
/// the console (none for the command line), added to their audit events.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stamp {
    ip: Option<String>,
    passkey: Option<String>,
}

impl Stamp {
    pub(crate) fn on(&self, mut event: NewAuditEvent) -> NewAuditEvent {
        if let Some(ip) = &self.ip {
            event = event.ip(ip);
        }
        if let (Some(passkey), Some(map)) = (&self.passkey, event.detail.as_object_mut()) {
            map.insert("passkey".to_owned(), passkey.clone().into());
        }
        event
    }
}

pub(crate) fn parse_name(name: &str, what: &'static str) -> Result<String, AccountsError> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(AccountsError::invalid(
            "invalid_name",
            match what {
                "group" => "A group name is 1 to 64 letters, digits, '-', '_' or '.'.",
                _ => "A policy name is 1 to 64 letters, digits, '-', '_' or '.'.",
            },
        ))
    }
}

/// The passkey crate's rules from the stored ones.
pub(crate) fn rules_of(p: &stored::Policy) -> Result<AttestationPolicy, AccountsError> {
    let corrupt = || AccountsError::Internal(format!("attestation policy {} is corrupt", p.name));
    let allowed_aaguids = p
        .rules
        .aaguid_allowlist
        .iter()
        .map(|a| Uuid::parse_str(a).map_err(|_| corrupt()))
        .collect::<Result<Vec<_>, _>>()?;
    let min_certification = match &p.rules.min_certification {
        Some(l) => Some(CertificationLevel::parse(l).ok_or_else(corrupt)?),
        None => None,
    };
    Ok(AttestationPolicy {
        name: p.name.clone(),
        rules: PolicyRules {
            require_attestation: p.rules.require_attestation,
            device_bound: p.rules.require_device_bound,
            allowed_aaguids,
            min_certification,
            refuse_compromised: p.rules.refuse_compromised,
        },
    })
}

pub(crate) fn to_stored(rules: &PolicyRules) -> stored::PolicyRules {
    stored::PolicyRules {
        require_attestation: rules.require_attestation,
        require_device_bound: rules.device_bound,
        aaguid_allowlist: rules.allowed_aaguids.iter().map(Uuid::to_string).collect(),
        min_certification: rules.min_certification.map(|l| l.as_str().to_owned()),
        refuse_compromised: rules.refuse_compromised,
    }
}

/// What the metadata says today about a stored model.
pub(crate) fn model_status(entry: &MetadataEntry) -> ModelStatus {
    ModelStatus {
        description: entry.description.clone(),
        certification_level: entry
            .certification_level
            .as_deref()
            .and_then(CertificationLevel::parse),
        status_reports: serde_json::from_value::<Vec<StatusReport>>(entry.status_reports.clone())
            .unwrap_or_default(),
    }
}

/// The facts of a stored credential.
pub(crate) fn facts_of(c: &Credential) -> CredentialFacts {
    CredentialFacts {
        aaguid: c
            .aaguid
            .as_deref()
            .and_then(|a| Uuid::parse_str(a).ok())
            .filter(|a| !a.is_nil()),
        attested: c.attested,
        backup_eligible: c.backup_eligible,
    }
}

/// Caches metadata look-ups by AAGUID within one database call.
#[derive(Default)]
pub(crate) struct Models(BTreeMap<Uuid, Option<ModelStatus>>);

impl Models {
    pub(crate) fn get(
        &mut self,
        conn: &mut DbConnection,
        aaguid: Option<Uuid>,
    ) -> Result<Option<&ModelStatus>, StoreError> {
        let Some(aaguid) = aaguid else {
            return Ok(None);
        };
        if let std::collections::btree_map::Entry::Vacant(slot) = self.0.entry(aaguid) {
            slot.insert(authenticator_metadata::find(conn, &aaguid)?.map(|e| model_status(&e)));
        }
        Ok(self.0.get(&aaguid).and_then(Option::as_ref))
    }
}

/// Evaluates a stored credential against `policy`, with today's metadata.
pub(crate) fn evaluate_stored(
    conn: &mut DbConnection,
    models: &mut Models,
    policy: &AttestationPolicy,
    credential: &Credential,
) -> Result<policy::Verdict, StoreError> {
    let facts = facts_of(credential);
    let model = models.get(conn, facts.aaguid)?;
    Ok(policy::evaluate(policy, &facts, model))
}

fn report(
    conn: &mut DbConnection,
    policy: &stored::Policy,
) -> Result<Result<PolicyReport, AccountsError>, StoreError> {
    let rules = match rules_of(policy) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let scope = stored::users_in_scope(conn, policy.id)?;
    report_over(conn, &rules, scope).map(Ok)
}

/// What `rules` would refuse among the accounts of `scope`, today.
pub(crate) fn report_over(
    conn: &mut DbConnection,
    rules: &AttestationPolicy,
    scope: Vec<stored::ScopeUser>,
) -> Result<PolicyReport, StoreError> {
    let mut models = Models::default();
    let mut out = PolicyReport {
        policy: rules.name.clone(),
        users: scope.len(),
        users_locked_out: 0,
        failing_credentials: 0,
        affected: Vec::new(),
    };
    for user in scope {
        let mut reported = ReportedUser {
            id: user.id,
            username: user.username,
            compliant: 0,
            failing: Vec::new(),
        };
        for c in credentials::list_active(conn, user.id)? {
            let verdict = evaluate_stored(conn, &mut models, rules, &c)?;
            if verdict.complies() {
                reported.compliant += 1;
            } else {
                reported.failing.push(ReportedCredential {
                    id: c.id.clone(),
                    label: c.label.clone(),
                    aaguid: c.aaguid.clone(),
                    violations: verdict.violations().to_vec(),
                });
            }
        }
        if reported.locked_out() {
            out.users_locked_out += 1;
        }
        out.failing_credentials += reported.failing.len();
        if !reported.failing.is_empty() || reported.locked_out() {
            out.affected.push(reported);
        }
    }
    Ok(out)
}

impl Policies {
    pub fn new(db: Db, audit: Arc<AuditChain>, clock: SharedClock) -> Self {
        Self {
            db,
            audit,
            clock,
            from: Stamp::default(),
        }
    }

    /// The same operations, audited with the acting administrator's address
    /// and the passkey of their step-up (the console).
    pub fn acting_from(mut self, ip: &str, passkey: Option<&str>) -> Self {
        self.from = Stamp {
            ip: Some(ip.to_owned()).filter(|ip| !ip.is_empty()),
            passkey: passkey.map(str::to_owned),
        };
        self
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Creates the policy `name` (audited as `actor`). A taken name is
    /// refused and changes nothing.
    pub async fn create(
        &self,
        name: &str,
        rules: PolicyRules,
        actor: &str,
    ) -> Result<SavedPolicy, AccountsError> {
        let name = parse_name(name, "policy")?;
        let (audit, now, actor) = (self.audit.clone(), self.now(), actor.to_owned());
        let row = to_stored(&rules);
        let n = name.clone();
        let from = self.from.clone();
        let created = self
            .db
            .run(move |c| {
                write_transaction(c, |c| {
                    let p = stored::create(c, &n, "", &row, now)?;
                    audit.append(
                        c,
                        now,
                        &from.on(NewAuditEvent::new(AuditEventKind::AttestationPolicySaved)
                            .actor(&actor)
                            .subject(p.id)
                            .detail(rules_detail(&p.name, &row, "created"))),
                    )?;
                    Ok(())
                })
            })
            .await;
        match created {
            Ok(()) => Ok(SavedPolicy { name, rules }),
            Err(StoreError::Conflict(_)) => Err(AccountsError::invalid(
                "policy_exists",
                "An attestation policy with this name exists already.",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// The AAGUIDs a model name or AAGUID names: an AAGUID as given, or
    /// every model of the imported metadata whose description is `model`
    /// (case-insensitive). An unknown model is refused.
    pub async fn resolve_model(&self, model: &str) -> Result<Vec<Uuid>, AccountsError> {
        if let Ok(aaguid) = Uuid::parse_str(model.trim()) {
            return Ok(vec![aaguid]);
        }
        let wanted = model.trim().to_lowercase();
        let found: Vec<Uuid> = self
            .db
            .run(authenticator_metadata::list)
            .await?
            .into_iter()
            .filter(|e| e.description.to_lowercase() == wanted)
            .map(|e| e.aaguid)
            .collect();
        if found.is_empty() {
            return Err(AccountsError::invalid(
                "unknown_model",
                "No authenticator model of that name is in the imported FIDO metadata; give its AAGUID or import the metadata first.",
            ));
        }
        Ok(found)
    }

    /// Every policy, by name.
    pub async fn list(&self) -> Result<Vec<SavedPolicy>, AccountsError> {
        let rows = self.db.run(stored::list).await?;
        rows.iter()
            .map(|p| {
                rules_of(p).map(|r| SavedPolicy {
                    name: r.name,
                    rules: r.rules,
                })
            })
            .collect()
    }

    /// The dry run: the accounts in the policy's scope and their passkeys
    /// that do not comply with it today.
    pub async fn report(&self, name: &str) -> Result<PolicyReport, AccountsError> {
        let name = name.trim().to_owned();
        self.db
            .run(move |c| {
                let policy = stored::find_by_name(c, &name)?
                    .ok_or(StoreError::NotFound("the attestation policy"))?;
                report(c, &policy)
            })
            .await
            .map_err(not_found("the attestation policy"))?
    }

    /// Creates a group (audited).
    pub async fn create_group(&self, name: &str, actor: &str) -> Result<(), AccountsError> {
        let name = parse_name(name, "group")?;
        let (audit, now, actor) = (self.audit.clone(), self.now(), actor.to_owned());
        let created = self
            .db
            .run(move |c| {
                write_transaction(c, |c| {
                    let g = groups::create(c, &name, "", now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::GroupCreated)
                            .actor(&actor)
                            .subject(g.id)
                            .detail(serde_json::json!({ "group": g.name })),
                    )?;
                    Ok(())
                })
            })
            .await;
        match created {
            Err(StoreError::Conflict(_)) => Err(AccountsError::invalid(
                "group_exists",
                "A group with this name exists already.",
            )),
            other => Ok(other?),
        }
    }

    /// Adds the account `username` to the group `group` (audited).
    pub async fn add_member(
        &self,
        group: &str,
        username: &str,
        actor: &str,
    ) -> Result<(), AccountsError> {
        let (group, username) = (group.trim().to_owned(), username.trim().to_owned());
        let (audit, now, actor) = (self.audit.clone(), self.now(), actor.to_owned());
        self.db
            .run(move |c| {
                write_transaction(c, |c| {
                    let g = groups::find_by_name(c, &group)?
                        .ok_or(StoreError::NotFound("the group"))?;
                    let user = latchkey_store::users::find_by_username(c, &username)?
                        .ok_or(StoreError::NotFound("the account"))?;
                    let by = crate::memberships::Actor {
                        actor: &actor,
                        ip: None,
                        passkey: None,
                        request_id: None,
                    };
                    crate::memberships::add_in(c, &audit, &g, user.user_id()?, &by, now)?;
                    Ok(())
                })
            })
            .await
            .map_err(|e| match e {
                StoreError::NotFound(what) => AccountsError::NotFound(what),
                e => e.into(),
            })
    }
}

pub(crate) fn not_found(what: &'static str) -> impl Fn(StoreError) -> AccountsError {
    move |e| match e {
        StoreError::NotFound(_) => AccountsError::NotFound(what),
        e => e.into(),
    }
}

pub(crate) fn rules_detail(name: &str, r: &stored::PolicyRules, change: &str) -> serde_json::Value {
    serde_json::json!({
        "policy": name,
        "change": change,
        "rules": {
            "require_attestation": r.require_attestation,
            "device_bound": r.require_device_bound,
            "allowed_aaguids": r.aaguid_allowlist,
            "min_certification": r.min_certification,
            "refuse_compromised": r.refuse_compromised,
        },
    })
}
