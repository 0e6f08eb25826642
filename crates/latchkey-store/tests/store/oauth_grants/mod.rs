//! What the authorization server remembers about grants: consents, revoked
//! access tokens, refresh-token families and their rotation.

use std::collections::BTreeSet;

use latchkey_core::{ClientId, HashedToken, PlainToken, RefreshFamilyId, TokenKind, UserId};
use latchkey_store::clients::{self, NewClient};
use latchkey_store::refresh_tokens::{self, NewRefreshFamily, Refusal, RotateOutcome};
use latchkey_store::{DbConnection, StoreError, consents, to_db};
use latchkey_testkit::TestDb;

use crate::{at, conn, new_user, t0};

mod consent;
mod refresh_families;
mod token_revocation_records;

fn client(conn: &mut DbConnection, id: &str, name: &str) -> ClientId {
    let id = ClientId::parse(id).unwrap();
    clients::insert(
        conn,
        &NewClient {
            id: id.clone(),
            name: name.into(),
            secret_hash: None,
            auth_method: "none".into(),
            redirect_uris: vec![format!("https://{name}.example.test/cb")],
            post_logout_redirect_uris: vec![],
            min_acr: None,
            first_party: false,
            id_token_alg: "ES256".into(),
            allowed_scopes: vec!["openid".into()],
            allowed_resources: vec![],
        },
        t0(),
    )
    .unwrap();
    id
}

fn user(conn: &mut DbConnection, name: &str) -> UserId {
    new_user(conn, name).user_id().unwrap()
}

fn set(scopes: &[&str]) -> BTreeSet<String> {
    scopes.iter().map(|s| (*s).to_owned()).collect()
}
