//! The `vakt` binary's integration tests (one test binary; one module per area).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod scan;
