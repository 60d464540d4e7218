//! What a server session offers and enforces: protocol, extensions, limits.

use super::deps::{AuthPolicy, BareLineEndingPolicy, Mechanism};

/// Which protocol the session speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// SMTP/ESMTP (RFC 5321): EHLO or HELO, one reply after the end of data.
    #[default]
    Smtp,
    /// LMTP (RFC 2033): LHLO only, one reply per accepted recipient after the end of data.
    Lmtp,
}

/// ESMTP extensions the session advertises in its EHLO/LHLO reply and accepts parameters of.
///
/// `PIPELINING` and `ENHANCEDSTATUSCODES` are always advertised: the session implements them itself.
/// `STARTTLS` and `AUTH` follow [`ServerConfig::starttls`] and [`ServerConfig::auth_mechanisms`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extensions {
    /// `8BITMIME` (RFC 6152): `BODY=8BITMIME` accepted.
    pub eight_bit_mime: bool,
    /// `SMTPUTF8` (RFC 6531): UTF-8 mailboxes accepted with the `SMTPUTF8` parameter.
    pub smtputf8: bool,
    /// `CHUNKING` (RFC 3030): `BDAT` accepted.
    pub chunking: bool,
    /// `BINARYMIME` (RFC 3030): `BODY=BINARYMIME` accepted (needs `chunking`).
    pub binary_mime: bool,
    /// `DSN` (RFC 3461): advertised; the parameters reach the application in `MailFrom`/`Rcpt`.
    pub dsn: bool,
    /// `REQUIRETLS` (RFC 8689): advertised and accepted over TLS only.
    pub requiretls: bool,
    /// `EXPN` advertised (the application answers [`super::Event::Expn`]).
    pub expn: bool,
    /// `ETRN` (RFC 1985) advertised (the application answers [`super::Event::Etrn`]).
    pub etrn: bool,
}

impl Default for Extensions {
    fn default() -> Self {
        Self {
            eight_bit_mime: true,
            smtputf8: true,
            chunking: true,
            binary_mime: true,
            dsn: false,
            requiretls: false,
            expn: false,
            etrn: false,
        }
    }
}

/// Configuration shared by every session of a server (wrap it in an `Arc`).
///
/// Build with [`ServerConfig::new`] and change the public fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The server's host name, used in the greeting and the EHLO reply.
    pub hostname: String,
    /// SMTP or LMTP.
    pub protocol: Protocol,
    /// Extensions offered.
    pub extensions: Extensions,
    /// Longest command line in octets, CRLF included (RFC 5321 §4.5.3.1.4: at least 512). Default 2048.
    pub max_line_length: usize,
    /// Most recipients accepted per message (RFC 5321 §4.5.3.1.8: at least 100). Default 100.
    pub max_recipients: usize,
    /// Largest message body in octets, advertised with `SIZE` (RFC 1870); `None` for no limit.
    pub max_message_size: Option<u64>,
    /// Bad commands (syntax errors, wrong order) tolerated; the next one is answered 421 4.7.0 and the session closes.
    pub max_bad_commands: u32,
    /// The application has a TLS configuration: `STARTTLS` is offered on plain connections.
    pub starttls: bool,
    /// SASL mechanisms offered with `AUTH` (RFC 4954); empty: no AUTH.
    pub auth_mechanisms: Vec<Mechanism>,
    /// The authentication rules: plaintext mechanisms without TLS (refused with 538 5.7.11 and
    /// hidden from EHLO), failures tolerated (the next one is answered 535 5.7.8 and 421 4.7.0,
    /// and the session closes), the driver's delay after a failure. The same contract as every
    /// server of the family: see [`sasl::AuthPolicy`]. Default [`sasl::AuthPolicy::default`].
    pub auth: AuthPolicy,
    /// `MAIL` is refused with 530 5.7.0 until the client has authenticated (message submission, RFC 6409).
    pub require_auth: bool,
    /// What to do with a bare CR or LF inside a DATA body (RFC 5321 §2.3.8).
    pub bare_line_endings: BareLineEndingPolicy,
    /// Back-pressure: while more than this many octets of replies wait to be written, the session takes
    /// no further pipelined command and returns [`super::Event::Flush`]. The output never holds more than
    /// this plus one reply. Default 64 KiB.
    pub max_pending_output: usize,
}

impl ServerConfig {
    /// A configuration with the defaults named on each field.
    pub fn new(hostname: impl Into<String>) -> Self {
        Self {
            hostname: hostname.into(),
            protocol: Protocol::Smtp,
            extensions: Extensions::default(),
            max_line_length: 2048,
            max_recipients: 100,
            max_message_size: Some(25 * 1024 * 1024),
            max_bad_commands: 10,
            starttls: false,
            auth_mechanisms: Vec::new(),
            auth: AuthPolicy::default(),
            require_auth: false,
            bare_line_endings: BareLineEndingPolicy::default(),
            max_pending_output: 64 * 1024,
        }
    }

    /// Whether `mechanism` may be offered and used, given the connection's TLS state.
    pub fn mechanism_allowed(&self, mechanism: Mechanism, tls: bool) -> bool {
        self.auth_mechanisms.contains(&mechanism)
            && (!mechanism.sends_reusable_credential() || self.auth.plaintext_allowed(tls))
    }
}
