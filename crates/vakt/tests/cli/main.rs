//! The `vakt` binary's integration tests: each module runs the real binary against a real database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod platform;
mod corpus;
