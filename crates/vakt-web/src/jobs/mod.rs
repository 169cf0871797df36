//! Background jobs and the outbox worker (owned by the `cli` work; empty until it lands).
