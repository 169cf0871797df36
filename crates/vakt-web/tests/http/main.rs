//! vakt-web's HTTP tests: a real server on 127.0.0.1 with a real store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_openapi;
mod authz_routes;
mod hostile_input;
mod schema;
mod world;
