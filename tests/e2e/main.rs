//! End-to-end tests: the whole server on port 0, driven over HTTP.
//! One binary; a module per capability.

mod health;
mod readiness;
mod support;
