//! Authenticator models by AAGUID: a small built-in table of common passkey
//! providers and security keys, so account pages can say "iCloud Keychain"
//! rather than a UUID. Names follow the community-maintained
//! passkey-authenticator-aaguids list and the vendors' FIDO metadata.
//!
//! An AAGUID from a "none" attestation is self-reported by the client and not
//! proof of the model: use it for display, never for policy. An all-zero
//! AAGUID (Safari, Chromium's virtual authenticator, privacy-preserving
//! clients) names no model.

use uuid::Uuid;

const MODELS: &[(Uuid, &str)] = &[
    // Platform and password-manager passkeys (synced).
    (
        uuid::uuid!("fbfc3007-154e-4ecc-8c0b-6e020557d7bd"),
        "iCloud Keychain",
    ),
    (
        uuid::uuid!("dd4ec289-e01d-41c9-bb89-70fa845d4bf2"),
        "iCloud Keychain (Managed)",
    ),
    (
        uuid::uuid!("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"),
        "Google Password Manager",
    ),
    (
        uuid::uuid!("adce0002-35bc-c60a-648b-0b25f1f05503"),
        "Chrome on Mac",
    ),
    (
        uuid::uuid!("b5397666-4885-aa6b-cebf-e52262a439a2"),
        "Chromium Browser",
    ),
    (
        uuid::uuid!("771b48fd-d3d4-4f74-9232-fc157ab0507a"),
        "Microsoft Password Manager",
    ),
    (
        uuid::uuid!("08987058-cadc-4b81-b6e1-30de50dcbe96"),
        "Windows Hello",
    ),
    (
        uuid::uuid!("9ddd1817-af5a-4672-a2b9-3e3dd95000a9"),
        "Windows Hello",
    ),
    (
        uuid::uuid!("6028b017-b1d4-4c02-b4b3-afcdafc96bb2"),
        "Windows Hello",
    ),
    (
        uuid::uuid!("53414d53-554e-4700-0000-000000000000"),
        "Samsung Pass",
    ),
    (
        uuid::uuid!("bada5566-a7aa-401f-bd96-45619a55120d"),
        "1Password",
    ),
    (
        uuid::uuid!("d548826e-79b4-db40-a3d8-11116f7e8349"),
        "Bitwarden",
    ),
    (
        uuid::uuid!("531126d6-e717-415c-9320-3d9aa6981239"),
        "Dashlane",
    ),
    (
        uuid::uuid!("0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6"),
        "Keeper",
    ),
    (
        uuid::uuid!("f3809540-7f14-49c1-a8b3-8f813b225541"),
        "Enpass",
    ),
    (
        uuid::uuid!("50726f74-6f6e-5061-7373-50726f746f6e"),
        "Proton Pass",
    ),
    (
        uuid::uuid!("fdb141b2-5d84-443e-8a35-4698c205a502"),
        "KeePassXC",
    ),
    // Security keys (device-bound).
    (
        uuid::uuid!("cb69481e-8ff7-4039-93ec-0a2729a154a8"),
        "YubiKey 5 Series",
    ),
    (
        uuid::uuid!("ee882879-721c-4913-9775-3dfcce97072a"),
        "YubiKey 5 Series",
    ),
    (
        uuid::uuid!("fa2b99dc-9e39-4257-8f92-4a30d23c4118"),
        "YubiKey 5 Series with NFC",
    ),
    (
        uuid::uuid!("2fc0579f-8113-47ea-b116-bb5a8db9202a"),
        "YubiKey 5 Series with NFC",
    ),
    (
        uuid::uuid!("c5ef55ff-ad9a-4b9f-b580-adebafe026d0"),
        "YubiKey 5Ci",
    ),
    (
        uuid::uuid!("73bb0cd4-e502-49b8-9c6f-b59445bf720b"),
        "YubiKey 5 FIPS Series",
    ),
    (
        uuid::uuid!("c1f9a0bc-1dd2-404a-b27f-8e29047a43fd"),
        "YubiKey 5 FIPS Series with NFC",
    ),
    (
        uuid::uuid!("d8522d9f-575b-4866-88a9-ba99fa02f35b"),
        "YubiKey Bio Series",
    ),
    (
        uuid::uuid!("f8a011f3-8c0a-4d15-8006-17111f9edc7d"),
        "Security Key by Yubico",
    ),
    (
        uuid::uuid!("42b4fb4a-2866-43b2-9bf7-6c6669c2e5d3"),
        "Google Titan Security Key",
    ),
];

/// The model name of an authenticator, if its AAGUID is one we know.
/// The all-zero AAGUID is never a model.
pub fn model_for_aaguid(aaguid: &Uuid) -> Option<&'static str> {
    if aaguid.is_nil() {
        return None;
    }
    MODELS
        .iter()
        .find(|(id, _)| id == aaguid)
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_aaguids_name_their_model() {
        let icloud = uuid::uuid!("fbfc3007-154e-4ecc-8c0b-6e020557d7bd");
        assert_eq!(model_for_aaguid(&icloud), Some("iCloud Keychain"));
        let gpm = uuid::uuid!("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4");
        assert_eq!(model_for_aaguid(&gpm), Some("Google Password Manager"));
        let yk = uuid::uuid!("ee882879-721c-4913-9775-3dfcce97072a");
        assert_eq!(model_for_aaguid(&yk), Some("YubiKey 5 Series"));
    }

    #[test]
    fn nil_and_unknown_aaguids_name_no_model() {
        assert_eq!(model_for_aaguid(&Uuid::nil()), None);
        assert_eq!(model_for_aaguid(&Uuid::from_u128(42)), None);
    }

    #[test]
    fn table_has_no_duplicate_aaguids() {
        for (i, (a, _)) in MODELS.iter().enumerate() {
            assert!(MODELS[i + 1..].iter().all(|(b, _)| a != b), "duplicate {a}");
            assert!(!a.is_nil());
        }
    }
}
