//! Changing a client after registration: its settings (`update`) and its
//! secret (`rotate_secret`, with an overlap during which the previous
//! secret still authenticates).

use chrono::Duration;
use latchkey_core::{Acr, ClientId, Secret};
use latchkey_oidc::clients::{
    ChangedBy, ClientAuthError, ClientRegistration, ClientUpdate, PresentedClientAuth,
    RegistrationError, RotateError, authenticate, find, register, rotate_secret, update,
};
use latchkey_testkit::TestDb;

use crate::{at, audit_events, chain, conn, t0};

fn wiki() -> ClientRegistration {
    ClientRegistration::new("Wiki", vec!["https://wiki.example.com/cb".into()])
}

fn basic(id: &ClientId, secret: &str) -> PresentedClientAuth {
    PresentedClientAuth::Basic {
        client_id: id.clone(),
        secret: Secret::new(secret.to_owned()),
    }
}

#[test]
fn update_changes_the_settings_and_audits_old_and_new_values_of_what_changed() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, _) = register(&mut c, &chain(), "cli", &wiki(), t0()).unwrap();
    let before = find(&mut c, &id).unwrap().unwrap();

    let mut change = ClientUpdate::of(&before);
    change.name = "  Team wiki ".into();
    change
        .redirect_uris
        .push("https://wiki.example.com/cb2".into());
    change.min_acr = Some(Acr::Phrh);
    let by = ChangedBy::admin("admin-7", "203.0.113.9", Some("cred-1".into()));
    let after = update(&mut c, &chain(), by, &id, &change, at(5))
        .unwrap()
        .unwrap();

    assert_eq!(after.name, "Team wiki");
    assert_eq!(after.redirect_uris.len(), 2);
    assert!(after.redirect_uri("https://wiki.example.com/cb2").is_some());
    assert_eq!(after.min_acr, Some(Acr::Phrh));
    // Fixed at registration.
    assert_eq!(after.is_public(), before.is_public());
    assert_eq!(after.id_token_alg, before.id_token_alg);

    let events = audit_events(&mut c, "client.updated");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.actor.as_deref(), Some("admin-7"));
    assert_eq!(e.ip.as_deref(), Some("203.0.113.9"));
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
    assert_eq!(detail["passkey"], "cred-1");
    assert_eq!(detail["changed"]["name"]["old"], "Wiki");
    assert_eq!(detail["changed"]["name"]["new"], "Team wiki");
    assert_eq!(detail["changed"]["min_acr"]["old"], serde_json::Value::Null);
    assert_eq!(detail["changed"]["min_acr"]["new"], "phrh");
    assert!(detail["changed"].get("scopes").is_none(), "{detail}");
    assert!(detail["changed"].get("first_party").is_none(), "{detail}");

    // The same settings again: nothing changes, nothing is audited.
    update(&mut c, &chain(), "cli", &id, &change, at(6)).unwrap();
    assert_eq!(audit_events(&mut c, "client.updated").len(), 1);
    assert_eq!(chain().verify(&mut c).unwrap().broken, None);
}

/// A change that makes an update invalid.
type Bad = Box<dyn Fn(&mut ClientUpdate)>;

#[test]
fn a_bad_update_is_refused_naming_its_field_and_changes_nothing() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, _) = register(&mut c, &chain(), "cli", &wiki(), t0()).unwrap();
    let before = find(&mut c, &id).unwrap().unwrap();

    let cases: Vec<(&str, Bad)> = vec![
        ("redirect_uris", Box::new(|u| u.redirect_uris.clear())),
        (
            "redirect_uris",
            Box::new(|u| u.redirect_uris = vec!["http://evil.example.com/cb".into()]),
        ),
        ("name", Box::new(|u| u.name = " ".into())),
        ("scopes", Box::new(|u| u.scopes.push("bad scope".into()))),
        (
            "resources",
            Box::new(|u| u.resources.push("https://api.example.com/#frag".into())),
        ),
    ];
    for (field, bad) in cases {
        let mut change = ClientUpdate::of(&before);
        bad(&mut change);
        let err = update(&mut c, &chain(), "cli", &id, &change, at(1)).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
        assert!(!matches!(err, RegistrationError::Store(_)));
    }
    assert_eq!(find(&mut c, &id).unwrap().unwrap(), before);
    assert!(audit_events(&mut c, "client.updated").is_empty());

    let unknown = ClientId::generate();
    let change = ClientUpdate::of(&before);
    assert!(
        update(&mut c, &chain(), "cli", &unknown, &change, at(1))
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_rotated_secret_overlaps_with_the_previous_one_until_the_overlap_ends() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, old) = register(&mut c, &chain(), "cli", &wiki(), t0()).unwrap();
    let old = old.unwrap();

    let rotated = rotate_secret(&mut c, &chain(), "cli", &id, Duration::hours(1), at(10)).unwrap();
    assert_eq!(rotated.previous_until, Some(at(10 + 3600)));
    let new = rotated.secret;
    assert_ne!(new.expose(), old.expose());

    // Both work during the overlap…
    for (secret, t) in [(&new, at(11)), (&old, at(11)), (&old, at(3609))] {
        authenticate(&mut c, &basic(&id, secret.expose()), t).unwrap();
    }
    // …the old one not from its end on; the new one still.
    assert!(matches!(
        authenticate(&mut c, &basic(&id, old.expose()), at(3610)),
        Err(ClientAuthError::InvalidClient)
    ));
    authenticate(&mut c, &basic(&id, new.expose()), at(3610)).unwrap();

    let client = find(&mut c, &id).unwrap().unwrap();
    assert_eq!(client.previous_secret_until(at(11)), Some(at(3610)));
    assert_eq!(client.previous_secret_until(at(3610)), None);

    let events = audit_events(&mut c, "client.secret_rotated");
    assert_eq!(events.len(), 1);
    for secret in [&old, &new] {
        assert!(!events[0].detail.contains(secret.expose()));
        assert!(!events[0].detail.contains(&secret.hashed().to_hex()));
    }
    let detail: serde_json::Value = serde_json::from_str(&events[0].detail).unwrap();
    assert_eq!(detail["overlap_seconds"], 3600);
}

#[test]
fn rotating_again_ends_the_oldest_secret_and_no_overlap_ends_the_current_one_at_once() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (id, first) = register(&mut c, &chain(), "cli", &wiki(), t0()).unwrap();
    let first = first.unwrap();
    let second = rotate_secret(&mut c, &chain(), "cli", &id, Duration::days(1), at(1))
        .unwrap()
        .secret;
    let third = rotate_secret(&mut c, &chain(), "cli", &id, Duration::days(1), at(2))
        .unwrap()
        .secret;
    // At most two secrets are valid: the first is gone.
    assert!(authenticate(&mut c, &basic(&id, first.expose()), at(3)).is_err());
    authenticate(&mut c, &basic(&id, second.expose()), at(3)).unwrap();
    authenticate(&mut c, &basic(&id, third.expose()), at(3)).unwrap();

    let fourth = rotate_secret(&mut c, &chain(), "cli", &id, Duration::zero(), at(4)).unwrap();
    assert_eq!(fourth.previous_until, None);
    assert!(authenticate(&mut c, &basic(&id, third.expose()), at(5)).is_err());
    assert!(authenticate(&mut c, &basic(&id, second.expose()), at(5)).is_err());
    authenticate(&mut c, &basic(&id, fourth.secret.expose()), at(5)).unwrap();
}

#[test]
fn rotation_refuses_public_and_unknown_clients_and_too_long_an_overlap() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let public = ClientRegistration {
        public: true,
        ..ClientRegistration::new("CLI", vec!["http://127.0.0.1:9000/cb".into()])
    };
    let (public_id, _) = register(&mut c, &chain(), "cli", &public, t0()).unwrap();
    let (id, secret) = register(&mut c, &chain(), "cli", &wiki(), t0()).unwrap();

    assert!(matches!(
        rotate_secret(
            &mut c,
            &chain(),
            "cli",
            &public_id,
            Duration::hours(1),
            at(1)
        ),
        Err(RotateError::PublicClient)
    ));
    assert!(matches!(
        rotate_secret(
            &mut c,
            &chain(),
            "cli",
            &ClientId::generate(),
            Duration::hours(1),
            at(1)
        ),
        Err(RotateError::NotFound)
    ));
    assert!(matches!(
        rotate_secret(&mut c, &chain(), "cli", &id, Duration::days(31), at(1)),
        Err(RotateError::OverlapTooLong)
    ));
    assert!(matches!(
        rotate_secret(&mut c, &chain(), "cli", &id, Duration::seconds(-1), at(1)),
        Err(RotateError::OverlapTooLong)
    ));
    // The original secret still works; nothing was audited.
    authenticate(&mut c, &basic(&id, secret.unwrap().expose()), at(2)).unwrap();
    assert!(audit_events(&mut c, "client.secret_rotated").is_empty());
}
