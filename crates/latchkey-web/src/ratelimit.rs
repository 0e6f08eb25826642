//! The ceremony rate limits are account policy (`latchkey_accounts::ratelimit`);
//! exceeding one answers 429 with `Retry-After` (`error.rs`) and is counted
//! in `rate_limited_total` (`ceremony::refused`).

pub use latchkey_accounts::ratelimit::{CEREMONIES_PER_ACCOUNT, CEREMONY_STARTS_PER_IP, Limit};
