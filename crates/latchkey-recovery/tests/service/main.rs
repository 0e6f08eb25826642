//! The engine over a real database (SQLite by default, PostgreSQL when
//! `LATCHKEY_TEST_DATABASE_URL` is set): each test gets its own database,
//! a fixed clock it moves by hand, and its own master key.

mod admin_changes;
mod approvals;
mod changes;
mod concurrency;
mod console;
mod factors;
mod lifecycle;
mod metrics;
mod policies;
mod policy_changes;

use std::sync::Arc;

use chrono::Duration;
use latchkey_core::{
    AccountTier, Clock as _, CredentialId, GuardedActionId, Role, Secret, TestClock, UserId,
};
use latchkey_recovery::{
    ApproverAssertion, EngineConfig, EngineError, GuardedAction, GuardedActions, NewRequest,
    Origin, Refusal, Requested,
};
use latchkey_store::audit::{AuditChain, AuditEvent};
use latchkey_store::credentials::{self, NewCredential};
use latchkey_store::outbox::{self, OutboxMessage};
use latchkey_store::recovery_codes::{self, RecoveryCodeHasher};
use latchkey_store::seal::MasterKey;
use latchkey_store::users::{self, NewUser};
use latchkey_testkit::TestDb;

pub const SESSION: &str = "requester-session-handle";

#[derive(Debug)]
pub struct Harness {
    pub db: TestDb,
    pub clock: TestClock,
    pub engine: GuardedActions,
    pub audit: Arc<AuditChain>,
    pub codes: Arc<RecoveryCodeHasher>,
}

pub fn harness() -> Harness {
    harness_with(|_| {})
}

pub fn harness_with(tune: impl FnOnce(&mut EngineConfig)) -> Harness {
    let db = TestDb::new();
    let clock = TestClock::fixed();
    let master = MasterKey::generate().unwrap();
    let audit = Arc::new(AuditChain::new(&master));
    let codes = Arc::new(RecoveryCodeHasher::new(&master));
    let mut config = EngineConfig::new("https://id.example.test");
    tune(&mut config);
    let engine = GuardedActions::new(
        db.db.clone(),
        Arc::new(clock.clone()),
        audit.clone(),
        codes.clone(),
        config,
    );
    Harness {
        db,
        clock,
        engine,
        audit,
        codes,
    }
}

pub fn origin() -> Origin {
    Origin {
        ip: Some("203.0.113.7".into()),
        ..Default::default()
    }
}

impl Harness {
    pub fn conn(&self) -> impl std::ops::DerefMut<Target = latchkey_store::DbConnection> + use<> {
        self.db.db.get_blocking().unwrap()
    }

    /// An account with an address, a passkey and a batch of recovery codes.
    pub fn account(&self, name: &str, tier: AccountTier, roles: &[Role]) -> Account {
        let mut c = self.conn();
        let user = users::create(
            &mut c,
            &NewUser {
                username: name.into(),
                display_name: name.into(),
                email: Some(format!("{name}@example.test")),
                tier,
            },
            self.clock.now(),
        )
        .unwrap();
        let id = user.user_id().unwrap();
        for role in roles {
            users::grant_role(&mut c, id, role.as_str(), None, self.clock.now()).unwrap();
        }
        let passkey = credentials::insert(
            &mut c,
            &NewCredential {
                user_id: id,
                webauthn_id: uuid::Uuid::new_v4().as_bytes().to_vec(),
                label: format!("{name}'s laptop"),
                passkey_json: "{}".into(),
                aaguid: None,
                backup_eligible: false,
                backup_state: false,
                attested: false,
                attestation_format: None,
                attestation_json: None,
                sign_count: 0,
            },
            self.clock.now(),
        )
        .unwrap();
        let codes = recovery_codes::regenerate(&mut c, &self.codes, id, self.clock.now())
            .unwrap()
            .into_inner();
        Account { id, passkey, codes }
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub async fn recover(&self, subject: UserId) -> Requested {
        self.engine
            .request(
                NewRequest {
                    action: GuardedAction::RecoverAccount,
                    subject,
                    requester: None,
                    session_handle: SESSION.into(),
                },
                &origin(),
            )
            .await
            .unwrap()
    }

    pub async fn code(
        &self,
        id: GuardedActionId,
        code: &str,
    ) -> Result<latchkey_recovery::Request, EngineError> {
        self.engine
            .present_recovery_code(id, Secret::new(code.to_owned()), &origin())
            .await
    }

    /// `who` presenting their own active passkey, verified now.
    pub fn own_passkey(&self, who: &Account) -> latchkey_recovery::PasskeyFact {
        latchkey_recovery::PasskeyFact {
            user: who.id,
            credential: who.passkey,
            uv_at: self.clock_now(),
        }
    }

    /// A fresh, correctly bound assertion by `approver`.
    pub async fn assertion(&self, id: GuardedActionId, approver: &Account) -> ApproverAssertion {
        let request = self.engine.view(id).await.unwrap();
        ApproverAssertion {
            approver: approver.id,
            credential: approver.passkey,
            uv_at: self.clock.now() - Duration::seconds(20),
            bound_digest: request.approval_challenge(),
        }
    }

    pub fn audit_events(&self) -> Vec<AuditEvent> {
        let mut events = AuditChain::recent(&mut self.conn(), 1000).unwrap();
        events.reverse();
        events
    }

    pub fn audit_kinds(&self, request: GuardedActionId) -> Vec<String> {
        let id = request.to_string();
        self.audit_events()
            .into_iter()
            .filter(|e| e.detail.contains(&id))
            .map(|e| e.kind)
            .collect()
    }

    pub fn outbox(&self) -> Vec<OutboxMessage> {
        let mut all = outbox::recent(&mut self.conn(), 1000).unwrap();
        all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        all
    }

    pub fn mails_to(&self, who: &str) -> Vec<serde_json::Value> {
        self.outbox()
            .into_iter()
            .filter(|m| m.kind == latchkey_store::mail::EMAIL_KIND)
            .map(|m| serde_json::from_str::<serde_json::Value>(&m.payload).unwrap())
            .filter(|p| p["to"] == format!("{who}@example.test"))
            .collect()
    }

    pub fn chain_is_intact(&self) {
        let report = self.audit.verify(&mut self.conn()).unwrap();
        assert_eq!(report.broken, None);
    }
}

#[derive(Debug)]
pub struct Account {
    pub id: UserId,
    pub passkey: CredentialId,
    pub codes: Vec<String>,
}

pub fn refusal(result: Result<impl std::fmt::Debug, EngineError>) -> Refusal {
    match result {
        Err(EngineError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}
