#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod admin_changes;
mod approval;
mod attestation;
pub mod branding;
pub mod ceremony;
mod changes;
mod console;
mod disable;
mod email;
mod enrol;
mod error;
mod guarded;
pub mod input;
pub mod invitations;
mod memberships;
pub mod metadata;
mod notify;
pub mod policies;
mod policy_edits;
pub mod ratelimit;
mod service;
mod sessions;
mod settings;
mod signin;

pub use admin_changes::AccountChange;
pub use approval::{BoundAssertion, NS_APPROVAL};
pub use attestation::{ClientGate, PolicyRefusal, Registered};
pub use ceremony::{CeremonyKind, CeremonyOutcome, CeremonyStart, ClientInfo, Finished, Flow};
pub use console::{CONSOLE_DEFAULT_POLICY, ConsoleRefusal, console_default_policy};
pub use disable::Disabled;
pub use email::{EMAIL_VERIFICATION_TTL, EmailVerification};
pub use enrol::{BOOTSTRAP_GONE, FinishEnrolment, GrantRequest, INVITATION_GONE, OpenInvitation};
pub use error::AccountsError;
pub use guarded::{Change, PasskeyAdded};
pub use invitations::{CreatedInvitation, Invitations, Inviter};
pub use memberships::Membership;
pub use metadata::{ImportedMetadata, Metadata, MetadataStatus};
pub use policies::{
    Policies, PolicyReport, PolicyTarget, ReportedCredential, ReportedUser, SavedPolicy,
};
pub use policy_edits::{Proposal, TargetView};
pub use service::{Accounts, AccountsConfig, ActiveSession, NewSession};
pub use sessions::SessionEnd;
pub use signin::SignIn;
