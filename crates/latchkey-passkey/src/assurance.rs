//! What a user-verified passkey assertion proves, as OIDC `acr`/`amr`.

use latchkey_core::{Acr, Amr};

/// Whether the private key can leave the authenticator (synced passkey) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStorage {
    /// Not backup eligible: the key never leaves one authenticator.
    DeviceBound,
    /// Backup eligible: the provider may copy the key to other devices.
    Synced,
}

impl KeyStorage {
    pub fn from_backup_eligible(backup_eligible: bool) -> Self {
        if backup_eligible {
            Self::Synced
        } else {
            Self::DeviceBound
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeviceBound => "device_bound",
            Self::Synced => "synced",
        }
    }
}

/// The `acr` a user-verified assertion earns.
///
/// `phrh` (hardware-protected, AAL3-like) needs a device-bound key *and* a
/// verified attestation that says which authenticator holds it; every other
/// user-verified passkey is `phr`.
pub fn acr_for(storage: KeyStorage, attested: bool) -> Acr {
    match (storage, attested) {
        (KeyStorage::DeviceBound, true) => Acr::Phrh,
        _ => Acr::Phr,
    }
}

/// The `amr` values (RFC 8176) of a user-verified passkey assertion:
/// `hwk` for a device-bound key, `swk` for a synced one, then `user` (the
/// authenticator verified the user) and `pop` (proof of possession).
pub fn amr_for(storage: KeyStorage) -> Vec<Amr> {
    let key = match storage {
        KeyStorage::DeviceBound => Amr::Hwk,
        KeyStorage::Synced => Amr::Swk,
    };
    vec![key, Amr::User, Amr::Pop]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_bound_attested_passkey_earns_phrh_and_hwk() {
        let s = KeyStorage::from_backup_eligible(false);
        assert_eq!(acr_for(s, true), Acr::Phrh);
        assert_eq!(amr_for(s), vec![Amr::Hwk, Amr::User, Amr::Pop]);
    }

    #[test]
    fn device_bound_unattested_passkey_earns_only_phr() {
        assert_eq!(acr_for(KeyStorage::DeviceBound, false), Acr::Phr);
    }

    #[test]
    fn synced_passkey_earns_phr_and_swk_even_when_attested() {
        let s = KeyStorage::from_backup_eligible(true);
        assert_eq!(acr_for(s, true), Acr::Phr);
        assert_eq!(acr_for(s, false), Acr::Phr);
        assert_eq!(amr_for(s), vec![Amr::Swk, Amr::User, Amr::Pop]);
    }
}
