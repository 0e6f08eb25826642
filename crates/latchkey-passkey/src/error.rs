//! Why a ceremony failed, as domain facts with stable reason codes.

use std::error::Error as StdError;

use webauthn_rs::prelude::WebauthnError;

/// The underlying cause of a failure, kept for the log (never shown to users).
pub type Cause = Box<dyn StdError + Send + Sync + 'static>;

/// A registration or authentication ceremony that did not succeed.
///
/// Every variant is a fact about the response (or about us) with a stable
/// [`reason_code`](PasskeyError::reason_code) for logs and metrics. Messages
/// are sentences; the web layer decides what the user sees.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The response answers another challenge than the one this ceremony issued
    /// (a replay, or a response to a ceremony started in another tab).
    #[error("The response does not answer the challenge this ceremony issued.")]
    ChallengeMismatch,

    /// The browser reported an origin that is not one of the configured origins.
    #[error("The response comes from an origin that is not configured for this service.")]
    OriginMismatch,

    /// The ceremony ran in a frame of another origin (`crossOrigin: true`);
    /// Latchkey's pages are never framed.
    #[error("The passkey request came from a page framed by another site.")]
    CrossOrigin,

    /// The client data names a top-level origin that is not configured.
    #[error("The passkey request came from a page inside another site.")]
    TopOriginMismatch,

    /// The authenticator data is bound to another relying party ID.
    #[error("The authenticator signed for another relying party ID than this service's.")]
    RpIdMismatch,

    /// The authenticator did not report user presence.
    #[error("The authenticator did not confirm that a user was present.")]
    UserPresenceMissing,

    /// The authenticator did not verify the user (PIN or biometric); we require it.
    #[error(
        "The authenticator did not verify the user with a PIN or biometric, which is required."
    )]
    UserVerificationMissing,

    /// The assertion signature does not verify with the stored public key.
    #[error("The signature does not verify with the passkey's public key.")]
    SignatureInvalid {
        #[source]
        cause: Option<Cause>,
    },

    /// The signature counter did not increase: two copies of the private key may exist.
    ///
    /// The message is shown to the client, so it names no counter (which would
    /// tell a cloner what value to present); the counters are in the fields,
    /// for the audit event and the log.
    #[error("The signature counter did not increase; the passkey may have been cloned.")]
    CounterRegression { stored: u32, presented: u32 },

    /// The response's user handle is not the owner of the credential presented.
    #[error("The passkey presented belongs to another account than the one its user handle names.")]
    UserHandleMismatch,

    /// A discoverable sign-in response carried no user handle.
    #[error("The response carries no user handle, so the account cannot be identified.")]
    UserHandleMissing,

    /// The credential (or the user handle it carries) is not one of ours.
    #[error("The passkey presented is not registered with this service.")]
    UnknownCredential,

    /// The response could not be parsed, or is internally inconsistent.
    #[error("The response from the browser is malformed.")]
    MalformedResponse {
        #[source]
        cause: Cause,
    },

    /// A registration response for a credential the account already holds.
    #[error("This passkey is already registered to the account.")]
    CredentialExcluded,

    /// The client reported that the credential it created is not discoverable,
    /// so it could never be used to sign in without a username.
    #[error(
        "The authenticator created a passkey that is not discoverable, so it could not be used to sign in."
    )]
    NotDiscoverable,

    /// The credential uses an algorithm we did not offer or do not accept.
    #[error("The passkey uses a signature algorithm this service does not accept.")]
    UnsupportedAlgorithm,

    /// The backup flags are inconsistent or changed since registration.
    #[error(
        "The passkey's backup flags are inconsistent with its registration; it must be registered again."
    )]
    BackupFlagsInconsistent,

    /// The attestation does not satisfy the registration policy.
    #[error("The authenticator's attestation does not satisfy the registration policy: {detail}")]
    AttestationRefused {
        detail: &'static str,
        #[source]
        cause: Option<Cause>,
    },

    /// A fault on our side (bad stored data, misuse of the library).
    #[error("The passkey ceremony failed on the server: {detail}")]
    Internal {
        detail: &'static str,
        #[source]
        cause: Option<Cause>,
    },
}

impl PasskeyError {
    /// A stable, lowercase code for logs and metrics labels.
    pub fn reason_code(&self) -> &'static str {
        match self {
            Self::ChallengeMismatch => "challenge_mismatch",
            Self::OriginMismatch => "origin_mismatch",
            Self::CrossOrigin => "cross_origin",
            Self::TopOriginMismatch => "top_origin_mismatch",
            Self::RpIdMismatch => "rp_id_mismatch",
            Self::UserPresenceMissing => "user_presence_missing",
            Self::UserVerificationMissing => "user_verification_missing",
            Self::SignatureInvalid { .. } => "signature_invalid",
            Self::CounterRegression { .. } => "counter_regression",
            Self::UserHandleMismatch => "user_handle_mismatch",
            Self::UserHandleMissing => "user_handle_missing",
            Self::UnknownCredential => "unknown_credential",
            Self::MalformedResponse { .. } => "malformed_response",
            Self::CredentialExcluded => "credential_excluded",
            Self::NotDiscoverable => "not_discoverable",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::BackupFlagsInconsistent => "backup_flags_inconsistent",
            Self::AttestationRefused { .. } => "attestation_refused",
            Self::Internal { .. } => "internal",
        }
    }

    /// Whether the failure is ours rather than the client's (worth an error log).
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Internal { .. })
    }

    pub(crate) fn malformed(cause: impl Into<Cause>) -> Self {
        Self::MalformedResponse {
            cause: cause.into(),
        }
    }

    pub(crate) fn internal(detail: &'static str, cause: impl Into<Cause>) -> Self {
        Self::Internal {
            detail,
            cause: Some(cause.into()),
        }
    }
}

/// Maps webauthn-rs's error onto our facts. The mapping is exhaustive on
/// purpose: a new variant in an upgrade fails the build here.
impl From<WebauthnError> for PasskeyError {
    fn from(e: WebauthnError) -> Self {
        use WebauthnError as W;
        match e {
            W::MismatchedChallenge | W::ChallengeNotFound => Self::ChallengeMismatch,
            W::InvalidRPOrigin => Self::OriginMismatch,
            W::CredentialCrossOrigin => Self::CrossOrigin,
            W::InvalidRPIDHash => Self::RpIdMismatch,
            W::UserNotPresent => Self::UserPresenceMissing,
            W::UserNotVerified => Self::UserVerificationMissing,
            W::AuthenticationFailure | W::SignatureInvalid => Self::SignatureInvalid {
                cause: Some(Box::new(e)),
            },
            // Counters are not part of the error; `authentication` re-reads them.
            W::CredentialPossibleCompromise => Self::CounterRegression {
                stored: 0,
                presented: 0,
            },
            W::CredentialNotFound | W::InvalidUserUniqueId => Self::UnknownCredential,
            W::CredentialExcludedFromRequest => Self::CredentialExcluded,
            // webauthn-rs also reports an excluded credential as an altered
            // algorithm; `registration` checks the exclusion list first, so
            // this really is an algorithm we did not offer.
            W::CredentialAlteredAlgFromRequest
            | W::CredentialInsecureCryptography
            | W::COSEKeyEDUnsupported
            | W::COSEKeyInvalidAlgorithm
            | W::COSEKeyECDSAInvalidCurve
            | W::COSEKeyEDDSAInvalidCurve
            | W::ECDSACurveInvalidNid => Self::UnsupportedAlgorithm,
            // Also raised for a synced passkey under an attestation policy;
            // `registration` tells the two apart.
            W::CredentialBackupEligibilityInconsistent | W::CredentialMayNotBeHardwareBound => {
                Self::BackupFlagsInconsistent
            }
            W::InvalidClientDataType
            | W::InvalidExtensions
            | W::AuthenticatorDataMissingExtension
            | W::MissingAttestationCredentialData
            | W::ParseBase64Failure(_)
            | W::ParseCBORFailure(_)
            | W::ParseJSONFailure(_)
            | W::ParseNOMFailure
            | W::ParseInsufficientBytesAvailable
            | W::COSEKeyInvalidCBORValue
            | W::COSEKeyInvalidType
            | W::COSEKeyECDSAXYInvalid
            | W::COSEKeyRSANEInvalid
            | W::COSEKeyEDDSAXInvalid
            | W::EcdsaPointInvalid
            | W::RsaParametersInvalid => Self::malformed(e),
            W::AttestationNotSupported
            | W::AttestationStatementMapInvalid
            | W::AttestationStatementResponseMissing
            | W::AttestationStatementResponseInvalid
            | W::AttestationStatementSigMissing
            | W::AttestationStatementSigInvalid
            | W::AttestationStatementVerMissing
            | W::AttestationStatementVerInvalid
            | W::AttestationStatementVerUnsupported
            | W::AttestationStatementX5CMissing
            | W::AttestationStatementX5CInvalid
            | W::AttestationStatementAlgMissing
            | W::AttestationStatementCertInfoMissing
            | W::AttestationStatementMissingExtension
            | W::AttestationStatementPubAreaMissing
            | W::AttestationStatementAlgMismatch
            | W::AttestationStatementAlgInvalid
            | W::AttestationTrustFailure
            | W::AttestationCertificateAAGUIDMismatch
            | W::AttestationCertificateNonceMismatch
            | W::AttestationTpmStInvalid
            | W::AttestationTpmPubAreaMismatch
            | W::AttestationTpmExtraDataInvalid
            | W::AttestationTpmExtraDataMismatch
            | W::AttestationTpmPubAreaHashUnknown
            | W::AttestationTpmPubAreaHashInvalid
            | W::AttestationTpmAttestCertifyInvalid
            | W::AttestationCertificateRequirementsNotMet
            | W::AttestationLeafCertMissing
            | W::AttestationCredentialSubjectKeyMismatch
            | W::CertificatePublicKeyInvalid
            | W::CertificatePublicKeyAlgorthimMismatch
            | W::X509DerInvalid
            | W::TrustFailure => Self::AttestationRefused {
                detail: "the attestation statement could not be verified.",
                cause: Some(Box::new(e)),
            },
            W::AttestationNotVerifiable
            | W::AttestationChainNotTrusted(_)
            | W::AttestationCertificateTrustStoreEmpty => Self::AttestationRefused {
                detail: "the authenticator is not from a trusted manufacturer.",
                cause: Some(Box::new(e)),
            },
            W::AttestationUntrustedAaguid | W::AttestationFormatMissingAaguid => {
                Self::AttestationRefused {
                    detail: "the authenticator model is not on the allowlist.",
                    cause: Some(Box::new(e)),
                }
            }
            W::Configuration
            | W::ChallengePersistenceError
            | W::CredentialExistCheckError
            | W::CredentialAlreadyExists
            | W::CredentialPersistenceError
            | W::CredentialRetrievalError
            | W::CredentialCounterUpdateFailure
            | W::CredentialCompromiseReportFailure
            | W::InconsistentUserVerificationPolicy
            | W::InvalidUsername
            | W::MissingAttestationCaList
            | W::SshPublicKeyBackupState
            | W::SshPublicKeyEDUnsupported
            | W::SshPublicKeyInvalidCurve
            | W::SshPublicKeyInvalidPubkey
            | W::SshPublicKeyInconsistentUserVerification
            | W::HmacKeyInvalid => Self::internal("webauthn-rs refused the request.", e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webauthn_errors_map_to_precise_reason_codes() {
        let cases = [
            (WebauthnError::MismatchedChallenge, "challenge_mismatch"),
            (WebauthnError::InvalidRPOrigin, "origin_mismatch"),
            (WebauthnError::InvalidRPIDHash, "rp_id_mismatch"),
            (WebauthnError::UserNotVerified, "user_verification_missing"),
            (WebauthnError::UserNotPresent, "user_presence_missing"),
            (WebauthnError::AuthenticationFailure, "signature_invalid"),
            (WebauthnError::SignatureInvalid, "signature_invalid"),
            (
                WebauthnError::CredentialPossibleCompromise,
                "counter_regression",
            ),
            (WebauthnError::CredentialNotFound, "unknown_credential"),
            (WebauthnError::ParseNOMFailure, "malformed_response"),
            (
                WebauthnError::AttestationUntrustedAaguid,
                "attestation_refused",
            ),
            (
                WebauthnError::CredentialBackupEligibilityInconsistent,
                "backup_flags_inconsistent",
            ),
            (WebauthnError::Configuration, "internal"),
        ];
        for (webauthn, code) in cases {
            assert_eq!(PasskeyError::from(webauthn).reason_code(), code);
        }
    }

    #[test]
    fn messages_are_sentences() {
        let e = PasskeyError::CounterRegression {
            stored: 7,
            presented: 3,
        };
        let text = e.to_string();
        assert_eq!(
            text,
            "The signature counter did not increase; the passkey may have been cloned."
        );
        assert!(!text.contains('7') && !text.contains('3'), "{text}");
        assert!(format!("{e:?}").contains("stored: 7"));
    }
}
