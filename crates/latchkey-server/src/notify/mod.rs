//! Notifications: e-mail enqueued in the transactional outbox next to the
//! change it announces, and delivered by the worker through a [`Mailer`].
//!
//! - [`enqueue_email`] writes the message on the caller's connection, inside
//!   its transaction.
//! - [`Delivery::deliver_due`] is one pass of the worker: claim (a lease),
//!   send, mark delivered or failed with backoff.
//! - [`mailer_from_config`] picks SMTP (`LATCHKEY_SMTP_URL`) or `.eml` files
//!   under `<data_dir>/mail/`.

mod delivery;
mod email;
mod mailer;
pub mod webhook;

use std::sync::Arc;

use lettre::message::Mailbox;

pub use delivery::{Delivery, DeliveryMetrics, DeliveryReport, MAX_ATTEMPTS};
pub use email::{EMAIL_KIND, Email, EmailAddress, enqueue_email};
pub use mailer::{
    FileMailer, MailError, Mailer, SMTP_TIMEOUT, SendFuture, SmtpEndpoint, SmtpMailer,
    SmtpSecurity, error_chain,
};

use crate::config::Config;

/// The mailer the configuration asks for: SMTP if `smtp_url` is set, else
/// `.eml` files under `<data_dir>/mail/`. Logs which one (host and port
/// only, never credentials). Must run inside a Tokio runtime.
pub fn mailer_from_config(config: &Config) -> Result<Arc<dyn Mailer>, MailError> {
    let from: Mailbox = config.mail_from.parse().map_err(MailError::InvalidFrom)?;
    match &config.smtp_url {
        Some(url) => {
            let mailer = SmtpMailer::new(SmtpEndpoint::parse(url)?, from)?;
            tracing::info!(
                "mail via SMTP {}{}",
                mailer.endpoint(),
                if mailer.endpoint().has_credentials() {
                    ", with credentials"
                } else {
                    ""
                }
            );
            Ok(Arc::new(mailer))
        }
        None => {
            let mailer = FileMailer::new(config.data_dir.join("mail"), from);
            tracing::info!("mail written to {}", mailer.dir().display());
            Ok(Arc::new(mailer))
        }
    }
}

/// A name for this process in `locked_by`: host name, process id and a
/// random part (two processes may share a pid in different containers).
pub fn worker_id() -> String {
    let host = lettre::transport::smtp::extension::ClientId::default().to_string();
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{host}:{}:{}",
        std::process::id(),
        random.get(..8).unwrap_or(&random)
    )
}
