//! `TestAttestationCa`: a test authenticator vendor whose attestation root
//! a test metadata entry can name ([`crate::mds::TestMds::entry_with_root`]),
//! and whose keys make packed attestation statements.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use ring::rand::SystemRandom;
use ring::signature::EcdsaKeyPair;

use crate::mds::TEST_AAGUID;

/// 2020-01-01 and 2040-01-01 (seconds since the epoch): around both the
/// fixed test clock and the real one, which webauthn-rs reads.
const VALID_FROM: i64 = 1_577_836_800;
const VALID_TO: i64 = 2_208_988_800;

/// A test authenticator vendor: an attestation root CA and the attestation
/// certificate of the model [`TEST_AAGUID`] it signs, for authenticators
/// with packed attestation
/// ([`crate::authenticator::SoftAuthenticator::with_packed_attestation`]).
pub struct TestAttestationCa {
    root_der: Vec<u8>,
    leaf_der: Vec<u8>,
    leaf_pkcs8: Vec<u8>,
}

impl std::fmt::Debug for TestAttestationCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestAttestationCa").finish_non_exhaustive()
    }
}

impl Default for TestAttestationCa {
    fn default() -> Self {
        Self::new()
    }
}

impl TestAttestationCa {
    pub fn new() -> Self {
        let root_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut root_params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Latchkey Test Keys");
        dn.push(DnType::CommonName, "Test Attestation Root");
        root_params.distinguished_name = dn;
        root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        root_params.not_before = time::OffsetDateTime::from_unix_timestamp(VALID_FROM).unwrap();
        root_params.not_after = time::OffsetDateTime::from_unix_timestamp(VALID_TO).unwrap();
        root_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let root = CertifiedIssuer::self_signed(root_params, root_key).unwrap();
        let rng = SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
                .unwrap();
        let leaf_key = KeyPair::try_from(pkcs8.as_ref()).unwrap();
        // Packed attestation certificate requirements (WebAuthn §8.2.1).
        let mut leaf = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "SE");
        dn.push(DnType::OrganizationName, "Latchkey Test Keys");
        dn.push(DnType::OrganizationalUnitName, "Authenticator Attestation");
        dn.push(DnType::CommonName, "Latchkey Test Key Attestation");
        leaf.distinguished_name = dn;
        leaf.is_ca = IsCa::ExplicitNoCa;
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.not_before = time::OffsetDateTime::from_unix_timestamp(VALID_FROM).unwrap();
        leaf.not_after = time::OffsetDateTime::from_unix_timestamp(VALID_TO).unwrap();
        let leaf_cert = leaf.signed_by(&leaf_key, &*root).unwrap();
        Self {
            root_der: root.der().to_vec(),
            leaf_der: leaf_cert.der().to_vec(),
            leaf_pkcs8: pkcs8.as_ref().to_vec(),
        }
    }

    /// The root (DER), for the metadata entry of the model.
    pub fn root_der(&self) -> &[u8] {
        &self.root_der
    }

    /// The attestation identity of one key of the model.
    pub fn packed(&self) -> crate::authenticator::PackedAttestation {
        crate::authenticator::PackedAttestation::new(self.leaf_der.clone(), &self.leaf_pkcs8)
    }

    /// A device-bound authenticator of the model [`TEST_AAGUID`] with
    /// packed attestation by this vendor.
    pub fn authenticator(&self) -> crate::authenticator::SoftAuthenticator {
        crate::authenticator::SoftAuthenticator::new()
            .with_aaguid(uuid::Uuid::parse_str(TEST_AAGUID).unwrap())
            .with_packed_attestation(self.packed())
    }
}
