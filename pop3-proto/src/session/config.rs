//! What a POP3 server session offers and enforces: [`ServerConfig`].

use sasl::{AuthPolicy, Mechanism};

use crate::types::capability::ExpirePolicy;

/// The settings of a POP3 server session, shared by all its connections.
///
/// Fields are public; [`ServerConfig::new`] gives the defaults named on each.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The server's host name: in the greeting and in the `APOP` timestamp.
    pub hostname: String,
    /// `IMPLEMENTATION` text of `CAPA` (RFC 2449 §6.9); `None` leaves it out. Default `None`.
    pub implementation: Option<String>,
    /// The application has a TLS configuration: `STLS` (RFC 2595 §4) is offered on plain
    /// connections. Default false (the driver sets it when given TLS).
    pub stls: bool,
    /// The authentication rules: `USER`/`PASS` and plaintext SASL mechanisms without TLS
    /// (refused with `-ERR [AUTH]` until `STLS`), failed logins tolerated (the next one ends
    /// the session), the driver's delay before each failure's `-ERR`. The same contract as every
    /// server of the family: see [`sasl::AuthPolicy`]. Default [`sasl::AuthPolicy::default`].
    pub auth: AuthPolicy,
    /// SASL mechanisms offered with `AUTH` (RFC 5034); empty: no `AUTH`. Default PLAIN and
    /// SCRAM-SHA-256.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Offer `APOP` (RFC 1939 §7): the greeting carries a timestamp. Default false: APOP needs
    /// the plaintext secret on the server and MD5, both weak; prefer SCRAM.
    pub apop: bool,
    /// `EXPIRE` (RFC 2449 §6.7): `Days(0)` also deletes each message retrieved with `RETR` at
    /// `QUIT` (a `TOP` preview does not count).
    /// Default `None` (not advertised: the server never deletes on its own).
    pub expire: Option<ExpirePolicy>,
    /// `LOGIN-DELAY` seconds advertised (RFC 2449 §6.5); enforcing it is the application's.
    /// Default `None`.
    pub login_delay: Option<u32>,
    /// Longest command line, CRLF included. Default 255 (RFC 2449 §4); longer lines are answered
    /// `-ERR` and count as bad commands.
    pub max_line_length: usize,
    /// Longest argument. Default 40 (RFC 2449 §4).
    pub max_argument_length: usize,
    /// Longest client line during a SASL exchange, CRLF included. Default 12 288 (as RFC 4954
    /// §4 allows for SMTP).
    pub max_auth_line_length: usize,
    /// Bad commands (malformed, unknown, out of place) tolerated; the next one ends the session.
    /// Default 10.
    pub max_bad_commands: u32,
    /// Back-pressure: while more than this many octets of responses wait to be written, the
    /// session takes no further pipelined command and returns [`super::Event::Flush`]; a
    /// `LIST` or `UIDL` listing is generated only as the output drains below it. The output never
    /// holds more than this plus one line (or one chunk of a message the driver streams).
    /// Default 64 KiB.
    pub max_pending_output: usize,
}

impl ServerConfig {
    /// A configuration with the defaults named on each field.
    pub fn new(hostname: impl Into<String>) -> Self {
        Self {
            hostname: hostname.into(),
            implementation: None,
            stls: false,
            auth: AuthPolicy::default(),
            sasl_mechanisms: vec![Mechanism::Plain, Mechanism::ScramSha256],
            apop: false,
            expire: None,
            login_delay: None,
            max_line_length: crate::parse::command::MAX_COMMAND_LINE,
            max_argument_length: crate::parse::command::MAX_ARGUMENT,
            max_auth_line_length: 12_288,
            max_bad_commands: 10,
            max_pending_output: 64 * 1024,
        }
    }
}
