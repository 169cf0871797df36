//! In-process HTTP tests: the real router on 127.0.0.1:0, a temporary SQLite database, reqwest as the
//! browser. One test binary (modules below) to keep link time down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod browser;
mod csrf;
mod deviation_mail;
mod deviations;
mod directory_paging;
mod headers;
mod hostile;
mod i18n;
mod local_time;
mod sessions;
mod signin;
mod tokens;

// Directory, audit, settings and API (the `cli` work).
mod api_openapi;
mod authz_routes;
mod hostile_input;
mod instructions;
mod schema;
mod world;

// Mail and training.
mod mail;
mod reminders;
mod smtp;
mod training;
