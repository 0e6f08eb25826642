//! The discovery document: its exact content, and that a relying-party
//! library reads it.

use latchkey_oidc::discovery::provider_metadata;
use latchkey_oidc::signing::SigningAlg;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreProviderMetadata};
use url::Url;

use crate::issuer;

#[test]
fn discovery_document_lists_exactly_what_the_server_implements() {
    let document = provider_metadata(&issuer(), &SigningAlg::ALL);

    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("discovery", document);
    });
}

#[test]
fn discovery_document_is_read_by_a_relying_party_library() {
    let document = provider_metadata(&issuer(), &[SigningAlg::Es256, SigningAlg::Rs256]);

    let metadata: CoreProviderMetadata = serde_json::from_value(document).unwrap();

    assert_eq!(metadata.issuer().as_str(), "https://id.example.com");
    assert_eq!(
        metadata.token_endpoint().unwrap().as_str(),
        "https://id.example.com/token"
    );
    assert_eq!(
        metadata.id_token_signing_alg_values_supported(),
        &[
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256
        ]
    );
}

#[test]
fn issuer_with_a_path_keeps_it_in_every_endpoint_and_drops_a_trailing_slash() {
    let issuer = Url::parse("https://example.com/sso/").unwrap();

    let document = provider_metadata(&issuer, &[SigningAlg::Es256]);

    assert_eq!(document["issuer"], "https://example.com/sso");
    assert_eq!(
        document["authorization_endpoint"],
        "https://example.com/sso/authorize"
    );
    assert_eq!(document["jwks_uri"], "https://example.com/sso/jwks");
    assert_eq!(
        document["end_session_endpoint"],
        "https://example.com/sso/logout"
    );
}
