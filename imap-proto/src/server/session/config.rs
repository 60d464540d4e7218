//! What an IMAP server session offers and enforces: [`ServerConfig`].

use std::time::Duration;

use sasl::{AuthPolicy, Mechanism};

use crate::framing::FramerLimits;

/// The settings of an IMAP server session, shared by all its connections.
///
/// Fields are public; [`ServerConfig::new`] gives the defaults named on each.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The server's host name, in the greeting and the `BYE` of LOGOUT.
    pub hostname: String,
    /// The application has a TLS configuration: `STARTTLS` (RFC 9051 §6.2.1) is offered on
    /// plain connections. Default false (the driver sets it when given TLS).
    pub starttls: bool,
    /// The authentication rules: LOGIN and plaintext SASL mechanisms without TLS are refused
    /// (`LOGINDISABLED` advertised, RFC 9051 §6.2.3) unless `allow_plaintext`; failed logins
    /// tolerated (the next one ends the session with `BYE`); the driver's delay before each
    /// failure's `NO`. The same contract as every server of the family: [`sasl::AuthPolicy`].
    pub auth: AuthPolicy,
    /// SASL mechanisms offered with `AUTHENTICATE` (RFC 9051 §6.2.2). Default PLAIN and
    /// SCRAM-SHA-256.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Line, literal and whole-command limits of the command framer. Default
    /// [`FramerLimits::default`] (64 KiB line, 64 MiB literal, 1 MiB command without its
    /// streamed APPEND literals).
    pub limits: FramerLimits,
    /// `APPENDLIMIT` (RFC 7889): the largest message APPEND takes; a larger literal is refused
    /// with `NO [TOOBIG]` before it is sent. Default 64 MiB (the framer's literal limit).
    pub append_limit: u64,
    /// Offer `COMPRESS=DEFLATE` (RFC 4978). Default true.
    pub compress: bool,
    /// The server's `ID` (RFC 2971) fields, sent in answer to the client's `ID`; empty sends
    /// `ID NIL`. Default `name` = "imap-proto".
    pub id: Vec<(String, String)>,
    /// Bad commands (malformed, unknown, out of place) tolerated; the next one ends the session
    /// with `BYE`. Default 20.
    pub max_bad_commands: u32,
    /// Back-pressure: while more than this many octets of responses wait to be written, the
    /// session takes no further pipelined command and returns [`super::Event::Flush`], and the
    /// mailbox glue stops after the response it is writing (a FETCH of many messages resumes as
    /// the output drains). Default 64 KiB.
    pub max_pending_output: usize,
    /// Autologout before authentication (RFC 9051 §5.4 leaves it to the server; short, as an
    /// unauthenticated connection costs without serving anyone). Default 60 s.
    pub autologout_unauthenticated: Duration,
    /// Autologout once authenticated (RFC 9051 §5.4: at least 30 minutes). Default 30 min.
    pub autologout: Duration,
}

impl ServerConfig {
    /// A configuration with the defaults named on each field.
    pub fn new(hostname: impl Into<String>) -> Self {
        Self {
            hostname: hostname.into(),
            starttls: false,
            auth: AuthPolicy::default(),
            sasl_mechanisms: vec![Mechanism::Plain, Mechanism::ScramSha256],
            limits: FramerLimits::default(),
            append_limit: 64 * 1024 * 1024,
            compress: true,
            id: vec![("name".into(), "imap-proto".into())],
            max_bad_commands: 20,
            max_pending_output: 64 * 1024,
            autologout_unauthenticated: Duration::from_secs(60),
            autologout: Duration::from_secs(30 * 60),
        }
    }
}
