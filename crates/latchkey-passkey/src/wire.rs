//! Reading the parts of a browser response that webauthn-rs does not hand
//! back: the AAGUID and attestation format of a new credential (dropped for
//! "none" attestation), and the counter of a refused assertion.

use serde_cbor_2::Value;
use uuid::Uuid;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use crate::error::PasskeyError;

const RP_ID_HASH_LEN: usize = 32;
const FLAGS_AT: usize = RP_ID_HASH_LEN;
const COUNTER_AT: usize = FLAGS_AT + 1;
const AAGUID_AT: usize = COUNTER_AT + 4;
const CRED_ID_LEN_AT: usize = AAGUID_AT + 16;
const CRED_ID_AT: usize = CRED_ID_LEN_AT + 2;
pub(crate) const FLAG_BACKUP_ELIGIBLE: u8 = 0x08;
const FLAG_ATTESTED_CREDENTIAL_DATA: u8 = 0x40;

/// A browser response that does not parse, in words for the log.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Unreadable(&'static str);

pub(crate) fn parse_registration(json: &str) -> Result<RegisterPublicKeyCredential, PasskeyError> {
    serde_json::from_str(json).map_err(PasskeyError::malformed)
}

pub(crate) fn parse_assertion(json: &str) -> Result<PublicKeyCredential, PasskeyError> {
    serde_json::from_str(json).map_err(PasskeyError::malformed)
}

/// What the attestation object says about the new credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttestationFacts {
    /// The attestation statement format ("none", "packed", "tpm", ...).
    pub fmt: String,
    /// The authenticator data flags (UP, UV, BE, BS, AT, ED).
    pub flags: u8,
    pub aaguid: Uuid,
    /// The credential id as the authenticator wrote it (authoritative, unlike
    /// the JSON `rawId`).
    pub credential_id: Vec<u8>,
}

pub(crate) fn attestation_facts(
    attestation_object: &[u8],
) -> Result<AttestationFacts, PasskeyError> {
    let value: Value =
        serde_cbor_2::from_slice(attestation_object).map_err(PasskeyError::malformed)?;
    let Value::Map(map) = value else {
        return Err(PasskeyError::malformed(Unreadable(
            "the attestation object is not a CBOR map",
        )));
    };
    let fmt = match map.get(&Value::Text("fmt".into())) {
        Some(Value::Text(fmt)) => fmt.clone(),
        _ => {
            return Err(PasskeyError::malformed(Unreadable(
                "the attestation object has no format",
            )));
        }
    };
    let auth_data = match map.get(&Value::Text("authData".into())) {
        Some(Value::Bytes(bytes)) => bytes.as_slice(),
        _ => {
            return Err(PasskeyError::malformed(Unreadable(
                "the attestation object has no authenticator data",
            )));
        }
    };
    let short = || PasskeyError::malformed(Unreadable("the authenticator data is too short"));
    let flags = *auth_data.get(FLAGS_AT).ok_or_else(short)?;
    if flags & FLAG_ATTESTED_CREDENTIAL_DATA == 0 {
        return Err(PasskeyError::malformed(Unreadable(
            "the authenticator data carries no attested credential",
        )));
    }
    let aaguid_bytes: [u8; 16] = auth_data
        .get(AAGUID_AT..CRED_ID_LEN_AT)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(short)?;
    let len_bytes: [u8; 2] = auth_data
        .get(CRED_ID_LEN_AT..CRED_ID_AT)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(short)?;
    let len = usize::from(u16::from_be_bytes(len_bytes));
    let credential_id = auth_data
        .get(CRED_ID_AT..CRED_ID_AT + len)
        .ok_or_else(short)?
        .to_vec();
    Ok(AttestationFacts {
        fmt,
        flags,
        aaguid: Uuid::from_bytes(aaguid_bytes),
        credential_id,
    })
}

/// The signature counter in an assertion's authenticator data.
pub(crate) fn assertion_counter(authenticator_data: &[u8]) -> Option<u32> {
    authenticator_data
        .get(COUNTER_AT..AAGUID_AT)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_be_bytes)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn auth_data(flags: u8, aaguid: [u8; 16], cred_id: &[u8]) -> Vec<u8> {
        let mut d = vec![0u8; 32];
        d.push(flags);
        d.extend_from_slice(&7u32.to_be_bytes());
        d.extend_from_slice(&aaguid);
        d.extend_from_slice(&(cred_id.len() as u16).to_be_bytes());
        d.extend_from_slice(cred_id);
        d
    }

    fn object(fmt: &str, auth_data: Vec<u8>) -> Vec<u8> {
        let mut map = BTreeMap::new();
        map.insert(Value::Text("fmt".into()), Value::Text(fmt.into()));
        map.insert(Value::Text("attStmt".into()), Value::Map(BTreeMap::new()));
        map.insert(Value::Text("authData".into()), Value::Bytes(auth_data));
        serde_cbor_2::to_vec(&Value::Map(map)).unwrap()
    }

    #[test]
    fn attestation_facts_are_read_from_the_authenticator_data() {
        let aaguid = [9u8; 16];
        let facts = attestation_facts(&object("none", auth_data(0x45, aaguid, b"cred"))).unwrap();
        assert_eq!(facts.fmt, "none");
        assert_eq!(facts.aaguid, Uuid::from_bytes(aaguid));
        assert_eq!(facts.credential_id, b"cred");
    }

    #[test]
    fn attestation_facts_are_refused_when_truncated_or_without_credential() {
        let mut truncated = auth_data(0x45, [0; 16], b"credential");
        truncated.truncate(truncated.len() - 3);
        let err = attestation_facts(&object("none", truncated)).unwrap_err();
        assert_eq!(err.reason_code(), "malformed_response");
        let err = attestation_facts(&object("none", auth_data(0x05, [0; 16], b"c"))).unwrap_err();
        assert_eq!(err.reason_code(), "malformed_response");
        let err = attestation_facts(b"\x01").unwrap_err();
        assert_eq!(err.reason_code(), "malformed_response");
    }

    #[test]
    fn assertion_counter_is_big_endian_after_the_flags() {
        let mut d = vec![0u8; 32];
        d.push(0x05);
        d.extend_from_slice(&0x0102_0304u32.to_be_bytes());
        assert_eq!(assertion_counter(&d), Some(0x0102_0304));
        assert_eq!(assertion_counter(&d[..35]), None);
    }
}
