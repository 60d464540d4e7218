//! Operational tests of the tokio POP3 server over real 127.0.0.1 sockets, with a small client of
//! the tests' own built on the crate's codec: idle time-out, connection limits, the delay after
//! failed logins, graceful shutdown, the per-session tracing line, SASL (RFC 5034), streaming a
//! large message, pipelining (RFC 2449 §6.6) and dropped connections.

mod support;

#[path = "operations/client.rs"]
mod client;
#[path = "operations/jammed.rs"]
mod jammed;
#[path = "operations/limits.rs"]
mod limits;
#[path = "operations/pipelining.rs"]
mod pipelining;
#[path = "operations/sasl_auth.rs"]
mod sasl_auth;
#[path = "operations/shutdown.rs"]
mod shutdown;
#[path = "operations/streaming.rs"]
mod streaming;
#[path = "operations/tracing_line.rs"]
mod tracing_line;
