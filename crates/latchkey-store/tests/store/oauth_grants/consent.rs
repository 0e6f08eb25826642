//! Consents: granted, widened, listed, revoked.

use super::*;

#[test]
fn consent_is_granted_found_and_widened_by_later_grants() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, wiki) = (user(&mut c, "ada"), client(&mut c, "wiki", "wiki"));
    assert_eq!(consents::find(&mut c, ada, &wiki).unwrap(), None);

    let now = consents::grant(&mut c, ada, &wiki, ["openid", "profile"], at(1)).unwrap();
    assert_eq!(now, set(&["openid", "profile"]));
    assert_eq!(
        consents::find(&mut c, ada, &wiki).unwrap(),
        Some(set(&["openid", "profile"]))
    );

    let now = consents::grant(&mut c, ada, &wiki, ["email", "openid"], at(2)).unwrap();
    assert_eq!(now, set(&["email", "openid", "profile"]));
    let row = consents::find_row(&mut c, ada, &wiki).unwrap().unwrap();
    assert_eq!(row.scopes, "email openid profile");
    assert_eq!(row.granted_at, to_db(at(2)));
    assert!(consents::covers(&mut c, ada, &wiki, ["openid", "email"]).unwrap());
    assert!(!consents::covers(&mut c, ada, &wiki, ["openid", "offline_access"]).unwrap());
}

#[test]
fn consent_belongs_to_one_user_and_one_client() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, bob) = (user(&mut c, "ada"), user(&mut c, "bob"));
    let (wiki, chat) = (
        client(&mut c, "wiki", "wiki"),
        client(&mut c, "chat", "chat"),
    );

    consents::grant(&mut c, ada, &wiki, ["openid"], t0()).unwrap();

    assert_eq!(consents::find(&mut c, bob, &wiki).unwrap(), None);
    assert_eq!(consents::find(&mut c, ada, &chat).unwrap(), None);
    assert!(!consents::covers(&mut c, bob, &wiki, ["openid"]).unwrap());
}

#[test]
fn revoking_a_consent_removes_it_entirely() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, wiki) = (user(&mut c, "ada"), client(&mut c, "wiki", "wiki"));
    consents::grant(&mut c, ada, &wiki, ["openid", "email"], t0()).unwrap();

    assert!(consents::revoke(&mut c, ada, &wiki).unwrap());
    assert!(!consents::revoke(&mut c, ada, &wiki).unwrap());

    assert_eq!(consents::find(&mut c, ada, &wiki).unwrap(), None);
    let now = consents::grant(&mut c, ada, &wiki, ["openid"], at(5)).unwrap();
    assert_eq!(now, set(&["openid"]), "a new grant starts from nothing");
}

#[test]
fn consents_of_a_user_are_listed_with_client_names() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, bob) = (user(&mut c, "ada"), user(&mut c, "bob"));
    let wiki = client(&mut c, "lk_wiki", "Wiki");
    let chat = client(&mut c, "lk_chat", "Chat");
    consents::grant(&mut c, ada, &wiki, ["openid", "profile"], at(1)).unwrap();
    consents::grant(&mut c, ada, &chat, ["openid"], at(2)).unwrap();
    consents::grant(&mut c, bob, &wiki, ["openid"], at(3)).unwrap();

    let listed = consents::list_for_user(&mut c, ada).unwrap();

    let names: Vec<&str> = listed.iter().map(|l| l.client_name.as_str()).collect();
    assert_eq!(names, ["Chat", "Wiki"]);
    assert_eq!(listed[0].client_id, "lk_chat");
    assert_eq!(listed[0].scopes, set(&["openid"]));
    assert_eq!(listed[1].scopes, set(&["openid", "profile"]));
    assert_eq!(listed[1].granted_at, to_db(at(1)));
    assert!(
        consents::list_for_user(&mut c, UserId::new())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_scope_with_a_space_or_nothing_in_it_is_refused() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let (ada, wiki) = (user(&mut c, "ada"), client(&mut c, "wiki", "wiki"));

    for bad in ["openid profile", "", "quo\"te", "back\\slash"] {
        let err = consents::grant(&mut c, ada, &wiki, ["openid", bad], t0()).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{bad:?}: {err:?}");
    }
    assert_eq!(consents::find(&mut c, ada, &wiki).unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_grants_both_land() {
    let db = TestDb::new();
    let (ada, wiki) = {
        let mut c = conn(&db);
        (user(&mut c, "ada"), client(&mut c, "wiki", "wiki"))
    };
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let grant = |scope: &'static str| {
        let (d, b, w) = (db.db.clone(), barrier.clone(), wiki.clone());
        tokio::spawn(async move {
            d.run(move |c| {
                b.wait();
                consents::grant(c, ada, &w, [scope], t0())
            })
            .await
        })
    };
    let (a, b) = (grant("email"), grant("profile"));
    a.await.unwrap().unwrap();
    b.await.unwrap().unwrap();

    let mut c = conn(&db);
    assert_eq!(
        consents::find(&mut c, ada, &wiki).unwrap(),
        Some(set(&["email", "profile"]))
    );
}
