//! Capabilities listed by `CAPA` (RFC 2449 §5–§6, RFC 2595 §4, RFC 3206 §6, RFC 5034 §3,
//! RFC 6856 §2–§3).
//!
//! Parse a line with [`crate::parse::listing::parse_capability`]; write one with `Display`, or
//! the whole `CAPA` response with [`crate::build::response::write_capa`].

use std::borrow::Cow;

/// The `EXPIRE` policy (RFC 2449 §6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpirePolicy {
    /// Messages are kept this many days after retrieval (0: deleted at `QUIT` even without
    /// `DELE`).
    Days(u32),
    /// `NEVER`: the server never deletes messages on its own.
    Never,
}

/// One capability line of a `CAPA` response.
///
/// ```text
/// capa-resp = *( capability CRLF ) "." CRLF        ; after "+OK" CRLF, RFC 2449 §5
/// capability = capa-tag *(SP param)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Capability<'a> {
    /// `TOP` (RFC 2449 §6.1).
    Top,
    /// `USER` (RFC 2449 §6.2).
    User,
    /// `SASL mech...` (RFC 2449 §6.3, RFC 5034 §3): the mechanisms, as sent.
    Sasl(Vec<Cow<'a, str>>),
    /// `RESP-CODES` (RFC 2449 §6.4).
    RespCodes,
    /// `LOGIN-DELAY n [USER]` (RFC 2449 §6.5).
    LoginDelay {
        /// Minimum seconds between logins.
        seconds: u32,
        /// `USER`: the value may differ per user (only before authentication).
        per_user: bool,
    },
    /// `PIPELINING` (RFC 2449 §6.6).
    Pipelining,
    /// `EXPIRE n|NEVER [USER]` (RFC 2449 §6.7).
    Expire {
        /// The retention policy.
        policy: ExpirePolicy,
        /// `USER`: the value may differ per user (only before authentication).
        per_user: bool,
    },
    /// `UIDL` (RFC 2449 §6.8).
    Uidl,
    /// `IMPLEMENTATION text` (RFC 2449 §6.9): the rest of the line.
    Implementation(Cow<'a, str>),
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `UTF8 [USER]` (RFC 6856 §2): `USER` means `USER`/`PASS` accept UTF-8 names.
    Utf8 {
        /// Whether `USER` follows.
        user: bool,
    },
    /// `LANG` (RFC 6856 §3).
    Lang,
    /// `AUTH-RESP-CODE` (RFC 3206 §6).
    AuthRespCode,
    /// Any other capability: its tag (upper case when parsed) and parameters, as sent.
    Other {
        /// The capability tag.
        name: Cow<'a, str>,
        /// Its parameters.
        params: Vec<Cow<'a, str>>,
    },
}

impl Capability<'_> {
    /// The capability tag (`"TOP"`, `"SASL"`, `"LOGIN-DELAY"`, ...).
    pub fn tag(&self) -> &str {
        match self {
            Capability::Top => "TOP",
            Capability::User => "USER",
            Capability::Sasl(_) => "SASL",
            Capability::RespCodes => "RESP-CODES",
            Capability::LoginDelay { .. } => "LOGIN-DELAY",
            Capability::Pipelining => "PIPELINING",
            Capability::Expire { .. } => "EXPIRE",
            Capability::Uidl => "UIDL",
            Capability::Implementation(_) => "IMPLEMENTATION",
            Capability::Stls => "STLS",
            Capability::Utf8 { .. } => "UTF8",
            Capability::Lang => "LANG",
            Capability::AuthRespCode => "AUTH-RESP-CODE",
            Capability::Other { name, .. } => name,
        }
    }

    /// Detaches the capability from the buffer it borrowed from.
    pub fn into_owned(self) -> Capability<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        match self {
            Capability::Top => Capability::Top,
            Capability::User => Capability::User,
            Capability::Sasl(m) => Capability::Sasl(m.into_iter().map(own).collect()),
            Capability::RespCodes => Capability::RespCodes,
            Capability::LoginDelay { seconds, per_user } => {
                Capability::LoginDelay { seconds, per_user }
            }
            Capability::Pipelining => Capability::Pipelining,
            Capability::Expire { policy, per_user } => Capability::Expire { policy, per_user },
            Capability::Uidl => Capability::Uidl,
            Capability::Implementation(t) => Capability::Implementation(own(t)),
            Capability::Stls => Capability::Stls,
            Capability::Utf8 { user } => Capability::Utf8 { user },
            Capability::Lang => Capability::Lang,
            Capability::AuthRespCode => Capability::AuthRespCode,
            Capability::Other { name, params } => Capability::Other {
                name: own(name),
                params: params.into_iter().map(own).collect(),
            },
        }
    }
}
