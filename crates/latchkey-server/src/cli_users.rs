//! `latchkey user disable USERNAME`: the operator of the host disables an
//! account through the same operation as the console's button
//! (`Accounts::disable_account`'s change: sessions, refresh and access
//! tokens end at once; audited with the actor `cli`). There is no command
//! to enable an account again: that gives access back, and is a guarded
//! change other people approve, asked for in the console.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use latchkey_accounts::{Accounts, AccountsConfig, AccountsError};
use latchkey_core::{SharedClock, SystemClock};

use crate::config::Config;
use crate::startup::{engine, open_instance, session_store};

pub async fn disable(config: Config, username: &str) -> anyhow::Result<ExitCode> {
    let instance = open_instance(&config).await?;
    let clock: SharedClock = Arc::new(SystemClock);
    let rp = latchkey_passkey::RpConfig::new(&config.rp_id, &config.rp_name, &config.rp_origins)
        .context("LATCHKEY_RP_ID / LATCHKEY_RP_ORIGINS")?;
    let sessions = session_store(&config, &instance.db, &clock)?;
    let recovery_codes = Arc::new(latchkey_store::recovery_codes::RecoveryCodeHasher::new(
        &instance.master,
    ));
    let issuer_id = latchkey_oidc::discovery::issuer_identifier(&config.issuer);
    let accounts = Accounts::new(AccountsConfig {
        db: instance.db.clone(),
        sessions,
        clock: clock.clone(),
        audit: instance.audit.clone(),
        rp: Arc::new(rp),
        recovery_codes: recovery_codes.clone(),
        settings: latchkey_store::live_settings::LiveSettings::new(
            instance.db.clone(),
            config.self_signup,
        ),
        guarded: engine(
            &config,
            &instance.db,
            &clock,
            &instance.audit,
            &recovery_codes,
            &issuer_id,
        ),
    });
    match accounts.disable_from_command_line(username).await {
        Ok(Some(done)) => {
            println!(
                "Disabled {}: {} session(s) ended, {} refresh-token famil{} and every access token revoked.",
                username.trim(),
                done.sessions,
                done.families,
                if done.families == 1 { "y" } else { "ies" },
            );
            Ok(ExitCode::SUCCESS)
        }
        Ok(None) => {
            println!("{} was disabled already.", username.trim());
            Ok(ExitCode::SUCCESS)
        }
        Err(AccountsError::NotFound(_)) => {
            eprintln!("latchkey: no account is named {:?}", username.trim());
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}
