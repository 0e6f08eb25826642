//! The background worker on a real database: it moves guarded actions on
//! when their time has come, without anyone calling the engine.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use latchkey_core::{AccountTier, Clock as _, TestClock};
use latchkey_recovery::{EngineConfig, GuardedAction, GuardedActions, NewRequest, Origin, State};
use latchkey_server::notify::FileMailer;
use latchkey_server::worker::{self, WorkerDeps, WorkerOptions};
use latchkey_session::{Lifetimes, SessionStore};
use latchkey_store::audit::AuditChain;
use latchkey_store::recovery_codes::RecoveryCodeHasher;
use latchkey_store::seal::MasterKey;
use latchkey_store::users::{self, NewUser};
use latchkey_testkit::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_expires_a_guarded_action_whose_lifetime_ran_out() {
    let db = TestDb::new();
    let clock = TestClock::fixed();
    let master = MasterKey::generate().unwrap();
    let audit = Arc::new(AuditChain::new(&master));
    let codes = Arc::new(RecoveryCodeHasher::new(&master));
    let engine = GuardedActions::new(
        db.db.clone(),
        Arc::new(clock.clone()),
        audit,
        codes,
        EngineConfig::new("https://id.example.test"),
    );
    let user = {
        let mut c = db.db.get_blocking().unwrap();
        users::create(
            &mut c,
            &NewUser {
                username: "ada".into(),
                display_name: "Ada".into(),
                email: Some("ada@example.test".into()),
                tier: AccountTier::Standard,
            },
            clock.now(),
        )
        .unwrap()
        .user_id()
        .unwrap()
    };
    let id = engine
        .request(
            NewRequest {
                action: GuardedAction::RecoverAccount,
                subject: user,
                requester: None,
                session_handle: "session".into(),
            },
            &Origin::default(),
        )
        .await
        .unwrap()
        .request
        .id;
    assert_ne!(engine.view(id).await.unwrap().state, State::Expired);

    let mail = tempfile::tempdir().unwrap();
    let deps = WorkerDeps {
        db: db.db.clone(),
        sessions: SessionStore::sql(db.db.clone(), Arc::new(clock.clone()), Lifetimes::default()),
        clock: Arc::new(clock.clone()),
        registry: prometheus::Registry::new(),
        mailer: Arc::new(FileMailer::new(
            mail.path(),
            "Latchkey <latchkey@example.test>".parse().unwrap(),
        )),
        webhook: None,
        guarded_actions: engine.clone(),
    };
    let options = WorkerOptions {
        guarded_actions_every: StdDuration::from_millis(50),
        ..WorkerOptions::default()
    };
    let running = tokio::spawn(worker::run_with(deps, options));

    // Nothing is due yet: the worker leaves the request alone.
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_ne!(engine.view(id).await.unwrap().state, State::Expired);

    // A week later the request has outlived its lifetime.
    clock.advance(Duration::days(8));
    let mut state = engine.view(id).await.unwrap().state;
    for _ in 0..100 {
        if state == State::Expired {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
        state = engine.view(id).await.unwrap().state;
    }
    running.abort();
    assert_eq!(state, State::Expired, "the worker expired the request");
}
