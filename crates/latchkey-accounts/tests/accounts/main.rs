//! The account operations over a real database and session store: a
//! temporary SQLite file by default, a fresh PostgreSQL schema and a Redis
//! key prefix when `LATCHKEY_TEST_DATABASE_URL` / `LATCHKEY_TEST_REDIS_URL`
//! name servers. Ceremonies are real, with the testkit's software
//! authenticator; time never comes from the wall clock.

mod approval;
mod changes;
mod enrolment;
mod metadata;
mod signin;

use std::sync::Arc;

use latchkey_accounts::{
    Accounts, AccountsConfig, ActiveSession, ClientInfo, FinishEnrolment, Flow, NewSession, SignIn,
};
use latchkey_core::{Clock as _, PlainToken, UserId};
use latchkey_passkey::RpConfig;
use latchkey_session::Lifetimes;
use latchkey_store::audit::{AuditChain, AuditEvent};
use latchkey_store::recovery_codes::RecoveryCodeHasher;
use latchkey_store::seal::MasterKey;
use latchkey_testkit::{SoftAuthenticator, TestSessions};
use serde_json::json;

pub const ORIGIN: &str = "http://localhost:8080";

/// One test's world: the service over its own database and session store.
#[derive(Debug)]
pub struct World {
    pub accounts: Accounts,
    pub env: TestSessions,
    pub audit: Arc<AuditChain>,
}

pub fn client() -> ClientInfo {
    client_at("192.0.2.1")
}

pub fn client_at(ip: &str) -> ClientInfo {
    ClientInfo {
        ip: ip.to_owned(),
        platform: "linux",
        user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0".into(),
        request_id: None,
    }
}

/// Someone enrolled: their authenticator, id and signed-in session.
#[derive(Debug)]
pub struct Person {
    pub auth: SoftAuthenticator,
    pub user: UserId,
    pub session: ActiveSession,
}

impl World {
    pub async fn new() -> Self {
        Self::with_self_signup(false).await
    }

    pub async fn with_self_signup(self_signup: bool) -> Self {
        let env = TestSessions::new(Lifetimes::default()).await;
        let master = MasterKey::from_bytes([0x17; 32]);
        let audit = Arc::new(AuditChain::new(&master));
        let rp =
            RpConfig::new("localhost", "Latchkey", &[url::Url::parse(ORIGIN).unwrap()]).unwrap();
        let recovery_codes = Arc::new(RecoveryCodeHasher::new(&master));
        let guarded = latchkey_recovery::GuardedActions::new(
            env.db.db.clone(),
            Arc::new(env.clock.clone()),
            audit.clone(),
            recovery_codes.clone(),
            latchkey_recovery::EngineConfig::new(ORIGIN),
        );
        let accounts = Accounts::new(AccountsConfig {
            db: env.db.db.clone(),
            sessions: env.store.clone(),
            clock: Arc::new(env.clock.clone()),
            audit: audit.clone(),
            rp: Arc::new(rp),
            recovery_codes,
            settings: latchkey_store::live_settings::LiveSettings::new(
                env.db.db.clone(),
                self_signup,
            ),
            guarded,
        });
        Self {
            accounts,
            env,
            audit,
        }
    }

    /// A new one-time bootstrap link's token.
    pub async fn bootstrap_token(&self) -> String {
        let (audit, now) = (self.audit.clone(), self.env.clock.now());
        self.env
            .db
            .db
            .run(move |c| latchkey_store::accounts::issue_bootstrap_token(c, &audit, now))
            .await
            .unwrap()
            .unwrap()
            .expose()
            .to_owned()
    }

    /// Enrols through `grant` (`bootstrap`, `invite`, `signup`) with a new
    /// authenticator, in a browser that has `previous` (if any).
    pub async fn try_enrol(
        &self,
        grant: &str,
        token: &str,
        username: &str,
        auth: &mut SoftAuthenticator,
        previous: Option<&ActiveSession>,
    ) -> Result<NewSession, latchkey_accounts::AccountsError> {
        let start = self
            .accounts
            .start_enrolment(grant, token, username, username, &client())
            .await?;
        let response = auth.register(&json!({ "publicKey": start.public_key }), ORIGIN);
        self.accounts
            .finish_enrolment(FinishEnrolment {
                unnamed: None,
                ceremony: &start.id,
                response: &response.to_string(),
                client: &client(),
                previous,
            })
            .await
            .result
    }

    pub async fn enrol(&self, grant: &str, token: &str, username: &str) -> Person {
        let mut auth = SoftAuthenticator::new();
        let new = self
            .try_enrol(grant, token, username, &mut auth, None)
            .await
            .unwrap();
        let session = self.session(new.token).await.unwrap();
        Person {
            auth,
            user: new.user,
            session,
        }
    }

    /// The first administrator, through the bootstrap link.
    pub async fn admin(&self) -> Person {
        let token = self.bootstrap_token().await;
        self.enrol("bootstrap", &token, "ada").await
    }

    /// An invited (non-admin) person with an e-mail address.
    pub async fn invited(&self, username: &str) -> Person {
        let invitation = self
            .accounts
            .invitations()
            .create(
                &format!("{username}@example.com"),
                false,
                chrono::Duration::days(1),
                latchkey_accounts::Inviter::CommandLine,
            )
            .await
            .unwrap();
        self.enrol("invite", invitation.token.expose(), username)
            .await
    }

    pub async fn session(&self, token: PlainToken) -> Option<ActiveSession> {
        self.accounts.active_session(token).await.unwrap()
    }

    /// A sign-in with `auth`'s newest passkey, from `ip`, in a browser that
    /// has `previous`.
    pub async fn sign_in_from(
        &self,
        auth: &mut SoftAuthenticator,
        previous: Option<&ActiveSession>,
        ip: &str,
    ) -> latchkey_accounts::Finished<NewSession> {
        let client = client_at(ip);
        let start = self.accounts.start_sign_in(&client).await.unwrap();
        let response = auth.authenticate(&json!({ "publicKey": start.public_key }), ORIGIN);
        self.accounts
            .finish_sign_in(SignIn {
                ceremony: &start.id,
                response: &response.to_string(),
                flow: Flow::Modal,
                client: &client,
                previous,
            })
            .await
    }

    pub async fn sign_in(
        &self,
        auth: &mut SoftAuthenticator,
        previous: Option<&ActiveSession>,
    ) -> latchkey_accounts::Finished<NewSession> {
        self.sign_in_from(auth, previous, "192.0.2.1").await
    }

    /// Every audit event of the given kind, oldest first.
    pub async fn audit_events(&self, kind: &str) -> Vec<AuditEvent> {
        let kind = kind.to_owned();
        let mut events: Vec<AuditEvent> = self
            .env
            .db
            .db
            .run(|c| AuditChain::recent(c, 1000))
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == kind)
            .collect();
        events.sort_by_key(|e| e.seq);
        events
    }

    /// The e-mail messages in the outbox, as (to, subject).
    pub async fn mail(&self) -> Vec<(String, String)> {
        self.env
            .db
            .db
            .run(|c| latchkey_store::outbox::recent(c, 1000))
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == latchkey_store::mail::EMAIL_KIND)
            .map(|m| {
                let v: serde_json::Value = serde_json::from_str(&m.payload).unwrap();
                (
                    v["to"].as_str().unwrap().to_owned(),
                    v["subject"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}
