//! Attestation policies, their targets, and groups: which policies apply to
//! an account and to a client, and who a policy's report looks at.

use latchkey_core::{AccountTier, ClientId, UserId};
use latchkey_store::StoreError;
use latchkey_store::attestation_policies::{self as policies, PolicyRules, TargetKind};
use latchkey_store::groups;
use latchkey_testkit::TestDb;

use crate::{at, conn, new_user, t0};

fn hardware() -> PolicyRules {
    PolicyRules {
        require_attestation: true,
        require_device_bound: true,
        aaguid_allowlist: vec!["6d44ba9b-f6ec-2e49-b930-0c8fe920cb73".into()],
        min_certification: Some("L2".into()),
        refuse_compromised: true,
    }
}

fn uid(u: &latchkey_store::users::User) -> UserId {
    u.user_id().unwrap()
}

#[test]
fn a_policy_is_stored_with_every_rule_and_names_are_unique() {
    let db = TestDb::new();
    let mut c = conn(&db);

    let created = policies::create(&mut c, "hardware", "keys only", &hardware(), t0()).unwrap();
    assert_eq!(created.name, "hardware");
    assert_eq!(created.rules, hardware());
    let found = policies::find_by_name(&mut c, "hardware").unwrap().unwrap();
    assert_eq!(found, created);
    assert_eq!(found.description, "keys only");

    let err = policies::create(&mut c, "hardware", "", &PolicyRules::default(), t0()).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(policies::list(&mut c).unwrap().len(), 1);
    assert_eq!(policies::find_by_name(&mut c, "nope").unwrap(), None);
}

#[test]
fn updating_rules_replaces_them_and_an_unknown_policy_is_not_found() {
    let db = TestDb::new();
    let mut c = conn(&db);
    policies::create(&mut c, "p", "", &PolicyRules::default(), t0()).unwrap();

    let updated = policies::update_rules(&mut c, "p", &hardware(), at(60)).unwrap();
    assert_eq!(updated.rules, hardware());
    assert_eq!(updated.updated_at, at(60));
    assert_eq!(updated.created_at, t0());
    let err = policies::update_rules(&mut c, "q", &hardware(), at(60)).unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)));
}

#[test]
fn a_user_gets_the_policies_of_their_tier_and_groups_once_each() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let ann = new_user(&mut c, "ann");
    let bob = new_user(&mut c, "bob");
    let tier =
        policies::create(&mut c, "tier-standard", "", &PolicyRules::default(), t0()).unwrap();
    let ops = policies::create(&mut c, "ops", "", &hardware(), t0()).unwrap();
    let group = groups::create(&mut c, "production", "", t0()).unwrap();
    let other = groups::create(&mut c, "finance", "", t0()).unwrap();

    assert!(policies::for_user(&mut c, uid(&ann)).unwrap().is_empty());
    policies::assign(&mut c, tier.id, TargetKind::Tier, "standard", t0()).unwrap();
    policies::assign(
        &mut c,
        ops.id,
        TargetKind::Group,
        &group.id.to_string(),
        t0(),
    )
    .unwrap();
    policies::assign(
        &mut c,
        ops.id,
        TargetKind::Group,
        &other.id.to_string(),
        t0(),
    )
    .unwrap();
    assert!(groups::add_member(&mut c, group.id, uid(&ann), t0()).unwrap());
    assert!(!groups::add_member(&mut c, group.id, uid(&ann), t0()).unwrap());
    groups::add_member(&mut c, other.id, uid(&ann), t0()).unwrap();

    let names = |c: &mut latchkey_store::DbConnection, u: UserId| -> Vec<String> {
        policies::for_user(c, u)
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    assert_eq!(names(&mut c, uid(&ann)), ["ops", "tier-standard"]);
    assert_eq!(names(&mut c, uid(&bob)), ["tier-standard"]);
    assert!(names(&mut c, UserId::new()).is_empty());
    assert_eq!(
        groups::of_user(&mut c, uid(&ann))
            .unwrap()
            .into_iter()
            .map(|g| g.name)
            .collect::<Vec<_>>(),
        ["finance", "production"]
    );
    assert_eq!(groups::members(&mut c, group.id).unwrap(), [uid(&ann)]);
    assert!(groups::remove_member(&mut c, group.id, uid(&ann)).unwrap());
    assert!(!groups::remove_member(&mut c, group.id, uid(&ann)).unwrap());
}

#[test]
fn a_target_has_one_policy_and_assigning_another_replaces_it() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let a = policies::create(&mut c, "a", "", &PolicyRules::default(), t0()).unwrap();
    let b = policies::create(&mut c, "b", "", &hardware(), t0()).unwrap();
    let client = ClientId::parse("lk_app").unwrap();

    assert_eq!(policies::for_client(&mut c, &client).unwrap(), None);
    policies::assign(&mut c, a.id, TargetKind::Client, client.as_str(), t0()).unwrap();
    assert_eq!(
        policies::for_client(&mut c, &client).unwrap().unwrap().name,
        "a"
    );
    policies::assign(&mut c, b.id, TargetKind::Client, client.as_str(), at(1)).unwrap();
    assert_eq!(
        policies::for_client(&mut c, &client).unwrap().unwrap().name,
        "b"
    );
    assert!(policies::assignments_of(&mut c, a.id).unwrap().is_empty());
    let targets = policies::assignments_of(&mut c, b.id).unwrap();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].kind, TargetKind::Client);
    assert_eq!(targets[0].target, "lk_app");

    policies::assign(
        &mut c,
        a.id,
        TargetKind::Tier,
        AccountTier::Elevated.as_str(),
        t0(),
    )
    .unwrap();
    assert_eq!(
        policies::for_tier(&mut c, "elevated")
            .unwrap()
            .unwrap()
            .name,
        "a"
    );
    assert_eq!(policies::for_tier(&mut c, "standard").unwrap(), None);

    assert!(policies::unassign(&mut c, TargetKind::Client, "lk_app").unwrap());
    assert!(!policies::unassign(&mut c, TargetKind::Client, "lk_app").unwrap());
    assert_eq!(policies::for_client(&mut c, &client).unwrap(), None);

    policies::delete(&mut c, "a").unwrap();
    assert_eq!(policies::for_tier(&mut c, "elevated").unwrap(), None);
    assert!(matches!(
        policies::delete(&mut c, "a"),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn the_scope_of_a_policy_is_its_groups_and_tiers_or_everyone_for_a_client() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let ann = new_user(&mut c, "ann");
    let bob = new_user(&mut c, "bob");
    let cy = new_user(&mut c, "cy");
    latchkey_store::users::set_tier(&mut c, uid(&cy), AccountTier::Elevated, false, t0()).unwrap();
    let gone = new_user(&mut c, "gone");
    latchkey_store::users::disable(&mut c, uid(&gone), t0()).unwrap();
    let p = policies::create(&mut c, "p", "", &hardware(), t0()).unwrap();
    let names = |c: &mut latchkey_store::DbConnection| -> Vec<String> {
        policies::users_in_scope(c, p.id)
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect()
    };

    // Not assigned yet: a dry run looks at every enabled account.
    assert_eq!(names(&mut c), ["ann", "bob", "cy"]);
    let group = groups::create(&mut c, "ops", "", t0()).unwrap();
    groups::add_member(&mut c, group.id, uid(&ann), t0()).unwrap();
    groups::add_member(&mut c, group.id, uid(&gone), t0()).unwrap();
    policies::assign(&mut c, p.id, TargetKind::Group, &group.id.to_string(), t0()).unwrap();
    assert_eq!(names(&mut c), ["ann"]);
    policies::assign(&mut c, p.id, TargetKind::Tier, "elevated", t0()).unwrap();
    assert_eq!(names(&mut c), ["ann", "cy"]);
    policies::assign(&mut c, p.id, TargetKind::Client, "lk_app", t0()).unwrap();
    assert_eq!(names(&mut c), ["ann", "bob", "cy"]);
    let _ = bob;
}

#[test]
fn the_console_policy_is_a_target_of_its_own_and_its_scope_is_the_role_holders() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let ann = new_user(&mut c, "ann");
    let _bob = new_user(&mut c, "bob");
    let cy = new_user(&mut c, "cy");
    latchkey_store::users::grant_role(&mut c, uid(&ann), "admin", None, t0()).unwrap();
    latchkey_store::users::grant_role(&mut c, uid(&cy), "approver", None, t0()).unwrap();
    let p = policies::create(&mut c, "console-keys", "", &hardware(), t0()).unwrap();
    let console = policies::CONSOLE_TARGET;
    assert_eq!(
        policies::for_target(&mut c, TargetKind::Console, console).unwrap(),
        None
    );

    policies::assign(&mut c, p.id, TargetKind::Console, console, t0()).unwrap();

    let found = policies::for_target(&mut c, TargetKind::Console, console).unwrap();
    assert_eq!(found.map(|f| f.name).as_deref(), Some("console-keys"));
    assert_eq!(TargetKind::parse("console"), Some(TargetKind::Console));
    let names: Vec<String> = policies::users_in_scope(&mut c, p.id)
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["ann", "cy"]);
    assert!(policies::unassign(&mut c, TargetKind::Console, console).unwrap());
    assert_eq!(
        policies::for_target(&mut c, TargetKind::Console, console).unwrap(),
        None
    );
}

#[test]
fn group_names_are_unique() {
    let db = TestDb::new();
    let mut c = conn(&db);
    let g = groups::create(&mut c, "ops", "on call", t0()).unwrap();
    assert_eq!(
        groups::find_by_name(&mut c, "ops").unwrap().as_ref(),
        Some(&g)
    );
    assert_eq!(groups::find(&mut c, g.id).unwrap().as_ref(), Some(&g));
    assert!(matches!(
        groups::create(&mut c, "ops", "", t0()),
        Err(StoreError::Conflict(_))
    ));
}
