//! Registering a new passkey: discoverable, user-verified, attestation per policy.

use latchkey_core::UserId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use webauthn_rs::prelude::{
    AttestationCaList, AttestationCaListBuilder, AttestedPasskeyRegistration,
    CreationChallengeResponse, Credential, Passkey, PasskeyRegistration, WebauthnError,
};
use webauthn_rs_proto::{
    AuthenticatorSelectionCriteria, ResidentKeyRequirement, UserVerificationPolicy,
};

use crate::assurance::KeyStorage;
use crate::client_data;
use crate::config::RelyingParty;
use crate::error::PasskeyError;
use crate::metadata::model_for_aaguid;
use crate::policy::AttestationPolicy;
use crate::wire;

/// The detail of [`PasskeyError::AttestationRefused`] for a synced passkey
/// under an attestation policy.
pub const SYNCED_UNDER_ATTESTATION: &str =
    "the passkey is synced (backup eligible) but the policy requires a device-bound authenticator.";

/// The account a passkey is being registered for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyUser {
    /// Becomes the WebAuthn user handle (16 bytes), returned at every sign-in.
    pub id: UserId,
    /// Shown by the authenticator's account picker, e.g. an email address.
    pub name: String,
    pub display_name: String,
}

/// What a registration must prove about the authenticator.
#[derive(Debug, Clone, Default)]
pub struct RegistrationPolicy {
    pub attestation: AttestationRequirement,
    /// The attestation policies that apply to the account: kept with the
    /// ceremony and handed back with the new passkey, for the caller to
    /// evaluate ([`crate::policy::evaluate`]) before storing it.
    pub policies: Vec<AttestationPolicy>,
}

impl RegistrationPolicy {
    /// Conveyance "none": any user-verifying authenticator, synced or not.
    pub fn none() -> Self {
        Self::default()
    }

    /// Conveyance "direct": the attestation must chain to one of `trust`'s
    /// CAs and name one of its AAGUIDs; synced (backup-eligible) passkeys are
    /// refused, since they cannot be attested.
    pub fn direct(trust: AttestationTrust) -> Self {
        Self {
            attestation: AttestationRequirement::Direct(trust),
            policies: Vec::new(),
        }
    }

    /// The same requirement, with the policies it was derived from.
    pub fn with_policies(mut self, policies: Vec<AttestationPolicy>) -> Self {
        self.policies = policies;
        self
    }
}

/// Attestation conveyance and what is done with it.
#[derive(Debug, Clone, Default)]
pub enum AttestationRequirement {
    /// Ask for no attestation; nothing about the model is proven.
    #[default]
    None,
    /// Ask for direct attestation and verify it against trusted CAs.
    Direct(AttestationTrust),
}

/// Trusted attestation roots, each with the authenticator models (AAGUIDs) it
/// may vouch for: the allowlist of an attestation policy.
#[derive(Debug, Clone, Default)]
pub struct AttestationTrust {
    entries: Vec<(Vec<u8>, Uuid, String)>,
    list: AttestationCaList,
}

/// A trusted CA certificate that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("The attestation CA certificate for {model:?} is not a valid DER X.509 certificate.")]
pub struct AttestationTrustError {
    pub model: String,
}

impl AttestationTrust {
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts `ca_der` (a DER X.509 root) to vouch for the model `aaguid`.
    pub fn allow(
        mut self,
        ca_der: &[u8],
        aaguid: Uuid,
        model: &str,
    ) -> Result<Self, AttestationTrustError> {
        self.entries
            .push((ca_der.to_vec(), aaguid, model.to_owned()));
        let mut builder = AttestationCaListBuilder::new();
        for (der, id, name) in &self.entries {
            builder
                .insert_device_der(der, *id, name.clone(), Default::default())
                .map_err(|_| AttestationTrustError {
                    model: name.clone(),
                })?;
        }
        self.list = builder.build();
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The server-side state of a registration in progress: keep it in the
/// session store (single use, 5-minute expiry), never in the browser.
#[derive(Debug, Serialize, Deserialize)]
pub struct RegistrationState {
    owner: UserId,
    exclude: Vec<Vec<u8>>,
    ceremony: RegistrationCeremony,
    #[serde(default)]
    policies: Vec<AttestationPolicy>,
}

#[derive(Debug, Serialize, Deserialize)]
enum RegistrationCeremony {
    Passkey(PasskeyRegistration),
    Attested(AttestedPasskeyRegistration),
}

impl RegistrationState {
    /// The account this registration was started for.
    pub fn owner(&self) -> UserId {
        self.owner
    }

    /// The attestation policies the registration was started under.
    pub fn policies(&self) -> &[AttestationPolicy] {
        &self.policies
    }
}

/// A freshly registered passkey, for the caller to store.
///
/// The caller must refuse a `credential_id` that is already stored for any
/// account (a unique index on it does this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPasskey {
    pub owner: UserId,
    /// The WebAuthn credential id (raw bytes).
    pub credential_id: Vec<u8>,
    /// The serialized webauthn-rs `Passkey`, needed to verify sign-ins.
    pub passkey_json: String,
    /// The authenticator model's AAGUID, hyphenated; `None` when all zero.
    pub aaguid: Option<String>,
    /// A known model name for the AAGUID (display only unless `attested`).
    pub model: Option<&'static str>,
    /// Whether the key may be synced to other devices (BE flag).
    pub backup_eligible: bool,
    /// Whether the key is currently backed up / synced (BS flag).
    pub backup_state: bool,
    /// Whether a verified attestation proved the authenticator model.
    pub attested: bool,
    /// The attestation statement format ("packed", "tpm", ...); `None` for "none".
    pub attestation_format: Option<String>,
    pub sign_count: u32,
    /// The browser's (unsigned) report that the key is discoverable, if any.
    pub discoverable: Option<bool>,
    /// The attestation policies the registration was started under.
    pub policies: Vec<AttestationPolicy>,
}

/// The root certificate an attestation chain was verified to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationRoot {
    /// The root's subject, RFC 4514 style (`CN=…, O=…`).
    pub subject: String,
    /// SHA-256 of the root's DER, lowercase hex.
    pub sha256: String,
}

impl NewPasskey {
    pub fn key_storage(&self) -> KeyStorage {
        KeyStorage::from_backup_eligible(self.backup_eligible)
    }

    /// Which of `roots` (DER certificates, e.g. the metadata's roots for
    /// this model) the passkey's attestation chain verifies to; `None` for
    /// an unattested passkey or when none does.
    pub fn attestation_root(&self, roots: &[Vec<u8>]) -> Option<AttestationRoot> {
        let aaguid = self
            .aaguid
            .as_deref()
            .and_then(|a| Uuid::parse_str(a).ok())?;
        if !self.attested {
            return None;
        }
        let passkey: Passkey = serde_json::from_str(&self.passkey_json).ok()?;
        let credential = Credential::from(passkey);
        for der in roots {
            let mut builder = AttestationCaListBuilder::new();
            if builder
                .insert_device_der(der, aaguid, String::new(), Default::default())
                .is_err()
            {
                continue;
            }
            let list = builder.build();
            if let Ok(Some(_)) = credential.verify_attestation(&list) {
                let digest = ring::digest::digest(&ring::digest::SHA256, der);
                let sha256 = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
                let subject = x509_parser::parse_x509_certificate(der)
                    .map(|(_, c)| c.subject().to_string())
                    .unwrap_or_default();
                return Some(AttestationRoot { subject, sha256 });
            }
        }
        None
    }
}

impl RelyingParty {
    /// Starts registering a discoverable, user-verified passkey for `user`.
    ///
    /// `exclude` lists the WebAuthn ids of the user's existing passkeys, so
    /// the browser does not create a second one on the same authenticator.
    /// Returns the `CreationChallengeResponse` JSON for
    /// `navigator.credentials.create()` and the state to keep server-side.
    pub fn start_registration(
        &self,
        user: &PasskeyUser,
        exclude: &[Vec<u8>],
        policy: &RegistrationPolicy,
    ) -> Result<(serde_json::Value, RegistrationState), PasskeyError> {
        let exclude_list = (!exclude.is_empty()).then(|| exclude.to_vec());
        let (mut ccr, ceremony) = match &policy.attestation {
            AttestationRequirement::None => {
                let (ccr, reg) = self.webauthn.start_passkey_registration(
                    user.id.as_uuid(),
                    &user.name,
                    &user.display_name,
                    exclude_list,
                )?;
                (ccr, RegistrationCeremony::Passkey(reg))
            }
            AttestationRequirement::Direct(trust) => {
                if trust.is_empty() {
                    return Err(PasskeyError::Internal {
                        detail: "a direct-attestation policy has no trusted authenticators.",
                        cause: None,
                    });
                }
                let (ccr, reg) = self.webauthn.start_attested_passkey_registration(
                    user.id.as_uuid(),
                    &user.name,
                    &user.display_name,
                    exclude_list,
                    trust.list.clone(),
                    None,
                )?;
                (ccr, RegistrationCeremony::Attested(reg))
            }
        };
        require_discoverable(&mut ccr);
        drop_removed_extensions(&mut ccr);
        let options = serde_json::to_value(&ccr)
            .map_err(|e| PasskeyError::internal("the creation options did not serialise.", e))?;
        Ok((
            options,
            RegistrationState {
                owner: user.id,
                exclude: exclude.to_vec(),
                ceremony,
                policies: policy.policies.clone(),
            },
        ))
    }

    /// Verifies the browser's `create()` response against `state`.
    ///
    /// Checks (by webauthn-rs): challenge, RP ID hash, user presence and
    /// verification, algorithm, attestation per policy. Checks here: the
    /// client data's origin is exactly a configured one, not cross-origin and
    /// without a foreign top origin (`client_data::check`); the credential is
    /// not one of the excluded (already registered) ones, and the browser did
    /// not report it as non-discoverable.
    pub fn finish_registration(
        &self,
        response_json: &str,
        state: RegistrationState,
    ) -> Result<NewPasskey, PasskeyError> {
        let reg = wire::parse_registration(response_json)?;
        client_data::check(&reg.response.client_data_json, self.config().origins())?;
        let facts = wire::attestation_facts(&reg.response.attestation_object)?;
        let excluded = state.exclude.contains(&facts.credential_id);
        // A synced passkey cannot be attested: say so, whatever else its
        // attestation statement lacks.
        if matches!(state.ceremony, RegistrationCeremony::Attested(_))
            && facts.flags & wire::FLAG_BACKUP_ELIGIBLE != 0
            && !excluded
        {
            return Err(PasskeyError::AttestationRefused {
                detail: SYNCED_UNDER_ATTESTATION,
                cause: None,
            });
        }
        let verified = match &state.ceremony {
            RegistrationCeremony::Passkey(s) => self.webauthn.finish_passkey_registration(&reg, s),
            RegistrationCeremony::Attested(s) => self
                .webauthn
                .finish_attested_passkey_registration(&reg, s)
                .map(Passkey::from),
        };
        let passkey = match verified {
            Ok(passkey) => passkey,
            // webauthn-rs reports an excluded credential as an altered algorithm.
            Err(WebauthnError::CredentialAlteredAlgFromRequest) if excluded => {
                return Err(PasskeyError::CredentialExcluded);
            }
            // The same error covers "backed up but not eligible" (inconsistent
            // flags) and "synced under an attestation policy".
            Err(e @ WebauthnError::CredentialMayNotBeHardwareBound)
                if facts.flags & wire::FLAG_BACKUP_ELIGIBLE != 0 =>
            {
                return Err(PasskeyError::AttestationRefused {
                    detail: SYNCED_UNDER_ATTESTATION,
                    cause: Some(Box::new(e)),
                });
            }
            Err(e) => return Err(e.into()),
        };
        if excluded {
            return Err(PasskeyError::CredentialExcluded);
        }
        let discoverable = reg.extensions.cred_props.as_ref().and_then(|p| p.rk);
        if discoverable == Some(false) {
            return Err(PasskeyError::NotDiscoverable);
        }
        let credential = Credential::from(passkey.clone());
        let passkey_json = serde_json::to_string(&passkey)
            .map_err(|e| PasskeyError::internal("the new passkey did not serialise.", e))?;
        let attested = matches!(state.ceremony, RegistrationCeremony::Attested(_));
        let aaguid = (!facts.aaguid.is_nil()).then_some(facts.aaguid);
        Ok(NewPasskey {
            owner: state.owner,
            credential_id: credential.cred_id.clone(),
            passkey_json,
            aaguid: aaguid.map(|a| a.hyphenated().to_string()),
            model: aaguid.as_ref().and_then(model_for_aaguid),
            backup_eligible: credential.backup_eligible,
            backup_state: credential.backup_state,
            attested,
            attestation_format: (facts.fmt != "none").then_some(facts.fmt),
            sign_count: credential.counter,
            discoverable,
            policies: state.policies,
        })
    }
}

/// webauthn-rs 0.6.2 asks for the `uvm` extension, which WebAuthn Level 3
/// removed: browsers ignore it, and an options document that asks for what
/// the standard no longer has is not what we mean to send.
fn drop_removed_extensions(ccr: &mut CreationChallengeResponse) {
    if let Some(extensions) = ccr.public_key.extensions.as_mut() {
        extensions.uvm = None;
    }
}

/// webauthn-rs's passkey ceremonies ask for a non-resident key; Latchkey
/// signs in without a username, so the browser must create a discoverable one.
fn require_discoverable(ccr: &mut CreationChallengeResponse) {
    let selection = ccr
        .public_key
        .authenticator_selection
        .get_or_insert_with(|| AuthenticatorSelectionCriteria {
            user_verification: UserVerificationPolicy::Required,
            ..Default::default()
        });
    selection.resident_key = Some(ResidentKeyRequirement::Required);
    selection.require_resident_key = true;
}
