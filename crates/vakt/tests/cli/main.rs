//! The `vakt` binary's integration tests (one test binary; one module per area): each module runs the
//! real binary against real files and a real database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod corpus;
mod demo_deviations;
mod platform;
mod scan;
