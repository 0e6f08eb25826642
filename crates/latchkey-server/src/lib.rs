#![doc = include_str!("../README.md")]

pub mod cli;
pub mod cli_client_changes;
pub mod cli_clients;
pub mod cli_keys;
pub mod cli_metadata;
pub mod cli_policy;
pub mod cli_users;
pub mod config;
pub mod instance;
pub mod logging;
pub mod master_key;
pub mod metrics_endpoint;
pub mod notify;
pub mod startup;
pub mod worker;

pub use config::Config;
pub use startup::Application;
