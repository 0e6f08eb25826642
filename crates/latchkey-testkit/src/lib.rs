#![doc = include_str!("../README.md")]

pub mod app;
pub mod db;
pub mod sessions;

pub use app::TestApp;
pub use db::{TestDb, test_backend};
pub use sessions::{TestSessions, test_redis_url};
