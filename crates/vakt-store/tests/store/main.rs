//! The store conformance suite: every test runs against SQLite (a temp dir) and, when
//! `VAKT_TEST_POSTGRES_URL` is set, against PostgreSQL (a fresh database per test, dropped after).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod audit;
mod deviations;
mod directory;
mod harness;
mod import;
mod instructions;
mod jobs;
