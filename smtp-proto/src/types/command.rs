//! SMTP, ESMTP and LMTP commands (RFC 5321 §4.1.1, RFC 2033, RFC 3030, RFC 3207, RFC 4954,
//! RFC 1985) and the parameters of `MAIL` and `RCPT` (RFC 1870, 6152, 3030, 6531, 3461, 4954,
//! 8689, 6710).
//!
//! Parse them with [`crate::parse::command::parse_command`], write them with
//! [`Command::write_to`].

use std::borrow::Cow;

use sasl::Secret;

use super::address::{ForwardPath, Host, Mailbox, ReversePath, owned};

/// One command line, its arguments borrowed from the line.
///
/// `AUTH`'s initial response (which carries the password in `PLAIN`) is wrapped in [`Secret`],
/// whose `Debug` prints `[redacted]`, so logging a command never leaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<'a> {
    /// `EHLO` (RFC 5321 §4.1.1.1): a domain or an address literal.
    Ehlo {
        /// The client's name for itself.
        host: Host<'a>,
    },
    /// `HELO` (RFC 5321 §4.1.1.1): a domain only.
    Helo {
        /// The client's name for itself (always [`Host::Domain`]).
        host: Host<'a>,
    },
    /// `LHLO` (RFC 2033 §4.1): LMTP's `EHLO`.
    Lhlo {
        /// The client's name for itself.
        host: Host<'a>,
    },
    /// `MAIL FROM:<reverse-path> [params]` (RFC 5321 §4.1.1.2).
    Mail(MailFrom<'a>),
    /// `RCPT TO:<forward-path> [params]` (RFC 5321 §4.1.1.3).
    Rcpt(Rcpt<'a>),
    /// `DATA` (RFC 5321 §4.1.1.4).
    Data,
    /// `BDAT size [LAST]` (RFC 3030 §2).
    Bdat {
        /// The chunk's size in octets.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// `RSET` (RFC 5321 §4.1.1.5).
    Rset,
    /// `VRFY string` (RFC 5321 §4.1.1.6), the argument as sent.
    Vrfy(Cow<'a, str>),
    /// `EXPN string` (RFC 5321 §4.1.1.7), the argument as sent.
    Expn(Cow<'a, str>),
    /// `HELP [string]` (RFC 5321 §4.1.1.8).
    Help(Option<Cow<'a, str>>),
    /// `NOOP [string]` (RFC 5321 §4.1.1.9).
    Noop(Option<Cow<'a, str>>),
    /// `QUIT` (RFC 5321 §4.1.1.10).
    Quit,
    /// `STARTTLS` (RFC 3207 §4).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4).
    Auth {
        /// The SASL mechanism name, uppercased.
        mechanism: Cow<'a, str>,
        /// The initial response as sent (base64 text, or `=` for an empty response); the
        /// [`crate::auth`] module decodes it. Borrowed from the line when parsed (a `Cow` so
        /// that [`Command::into_owned`] can keep it without leaking). A credential: see
        /// [`Secret`].
        initial_response: Option<Secret<Cow<'a, [u8]>>>,
    },
    /// `ETRN node-name` (RFC 1985 §5): a domain, `@domain` or `#queue`, as sent.
    Etrn(Cow<'a, str>),
}

impl Command<'_> {
    /// The command verb in upper case (`"MAIL"`, `"STARTTLS"`, ...).
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Ehlo { .. } => "EHLO",
            Command::Helo { .. } => "HELO",
            Command::Lhlo { .. } => "LHLO",
            Command::Mail(_) => "MAIL",
            Command::Rcpt(_) => "RCPT",
            Command::Data => "DATA",
            Command::Bdat { .. } => "BDAT",
            Command::Rset => "RSET",
            Command::Vrfy(_) => "VRFY",
            Command::Expn(_) => "EXPN",
            Command::Help(_) => "HELP",
            Command::Noop(_) => "NOOP",
            Command::Quit => "QUIT",
            Command::StartTls => "STARTTLS",
            Command::Auth { .. } => "AUTH",
            Command::Etrn(_) => "ETRN",
        }
    }

    /// Detaches the command from the line it borrowed from.
    pub fn into_owned(self) -> Command<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        match self {
            Command::Ehlo { host } => Command::Ehlo {
                host: host.into_owned(),
            },
            Command::Helo { host } => Command::Helo {
                host: host.into_owned(),
            },
            Command::Lhlo { host } => Command::Lhlo {
                host: host.into_owned(),
            },
            Command::Mail(m) => Command::Mail(m.into_owned()),
            Command::Rcpt(r) => Command::Rcpt(r.into_owned()),
            Command::Data => Command::Data,
            Command::Bdat { size, last } => Command::Bdat { size, last },
            Command::Rset => Command::Rset,
            Command::Vrfy(s) => Command::Vrfy(own(s)),
            Command::Expn(s) => Command::Expn(own(s)),
            Command::Help(s) => Command::Help(s.map(own)),
            Command::Noop(s) => Command::Noop(s.map(own)),
            Command::Quit => Command::Quit,
            Command::StartTls => Command::StartTls,
            Command::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: own(mechanism),
                initial_response: initial_response
                    .map(|r| Secret::new(Cow::Owned(r.into_inner().into_owned()))),
            },
            Command::Etrn(s) => Command::Etrn(own(s)),
        }
    }
}

/// `MAIL FROM:` with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFrom<'a> {
    /// The sender, or the null path.
    pub path: ReversePath<'a>,
    /// The ESMTP parameters.
    pub params: MailParams<'a>,
}

impl MailFrom<'_> {
    /// Detaches the value from the line it borrowed from.
    pub fn into_owned(self) -> MailFrom<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> MailFrom<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(
        self,
        f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
    ) -> MailFrom<'b> {
        MailFrom {
            path: self.path.map_text(f),
            params: self.params.map_text(f),
        }
    }
}

/// The parameters of `MAIL FROM:` (RFC 5321 §4.1.2 `Mail-parameters`), known ones decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailParams<'a> {
    /// `SIZE=n`, the declared message size (RFC 1870 §3).
    pub size: Option<u64>,
    /// `BODY=7BIT|8BITMIME|BINARYMIME` (RFC 6152 §2, RFC 3030 §3).
    pub body: Option<Body>,
    /// `SMTPUTF8` (RFC 6531 §3.4).
    pub smtputf8: bool,
    /// `RET=FULL|HDRS` (RFC 3461 §4.3).
    pub ret: Option<Ret>,
    /// `ENVID=xtext` (RFC 3461 §4.4), xtext-decoded.
    pub envid: Option<Cow<'a, str>>,
    /// `AUTH=mailbox` or `AUTH=<>` (RFC 4954 §5), xtext-decoded; `AUTH=<>` is `Some(None)`.
    pub auth: Option<Option<Mailbox<'a>>>,
    /// `REQUIRETLS` (RFC 8689 §4.1).
    pub requiretls: bool,
    /// `MT-PRIORITY=n`, -9 to 9 (RFC 6710 §3).
    pub mt_priority: Option<i8>,
    /// Any other parameter, in the order sent.
    pub other: Vec<Param<'a>>,
}

impl MailParams<'_> {
    /// Detaches the parameters from the line they borrowed from.
    pub fn into_owned(self) -> MailParams<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> MailParams<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(
        self,
        f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
    ) -> MailParams<'b> {
        MailParams {
            size: self.size,
            body: self.body,
            smtputf8: self.smtputf8,
            ret: self.ret,
            envid: self.envid.map(&mut *f),
            auth: self.auth.map(|a| a.map(|m| m.map_text(f))),
            requiretls: self.requiretls,
            mt_priority: self.mt_priority,
            other: map_params(self.other, f),
        }
    }
}

/// The `BODY` parameter's value (RFC 6152 §2, RFC 3030 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// `7BIT`.
    SevenBit,
    /// `8BITMIME`.
    EightBitMime,
    /// `BINARYMIME` (needs `BDAT`).
    BinaryMime,
}

impl Body {
    /// The keyword as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Body::SevenBit => "7BIT",
            Body::EightBitMime => "8BITMIME",
            Body::BinaryMime => "BINARYMIME",
        }
    }
}

/// The `RET` parameter's value (RFC 3461 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `FULL`: return the whole message in a failure DSN.
    Full,
    /// `HDRS`: return the headers only.
    Hdrs,
}

impl Ret {
    /// The keyword as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Ret::Full => "FULL",
            Ret::Hdrs => "HDRS",
        }
    }
}

/// `RCPT TO:` with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rcpt<'a> {
    /// The recipient.
    pub path: ForwardPath<'a>,
    /// The ESMTP parameters.
    pub params: RcptParams<'a>,
}

impl Rcpt<'_> {
    /// Detaches the value from the line it borrowed from.
    pub fn into_owned(self) -> Rcpt<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> Rcpt<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(self, f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>) -> Rcpt<'b> {
        Rcpt {
            path: self.path.map_text(f),
            params: self.params.map_text(f),
        }
    }
}

/// The parameters of `RCPT TO:` (RFC 5321 §4.1.2 `Rcpt-parameters`), known ones decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RcptParams<'a> {
    /// `NOTIFY=...` (RFC 3461 §4.1).
    pub notify: Option<Notify>,
    /// `ORCPT=addr-type;xtext` (RFC 3461 §4.2).
    pub orcpt: Option<Orcpt<'a>>,
    /// Any other parameter, in the order sent.
    pub other: Vec<Param<'a>>,
}

impl RcptParams<'_> {
    /// Detaches the parameters from the line they borrowed from.
    pub fn into_owned(self) -> RcptParams<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> RcptParams<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(
        self,
        f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
    ) -> RcptParams<'b> {
        RcptParams {
            notify: self.notify,
            orcpt: self.orcpt.map(|o| o.map_text(f)),
            other: map_params(self.other, f),
        }
    }
}

/// The `NOTIFY` parameter (RFC 3461 §4.1):
/// `"NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notify {
    /// `NEVER`: no DSN at all.
    Never,
    /// A non-empty set of the conditions that produce a DSN.
    On {
        /// `SUCCESS`.
        success: bool,
        /// `FAILURE`.
        failure: bool,
        /// `DELAY`.
        delay: bool,
    },
}

/// The `ORCPT` parameter (RFC 3461 §4.2): `addr-type ";" xtext`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Orcpt<'a> {
    /// The address type (`rfc822`, `utf-8`, ...), as sent.
    pub addr_type: Cow<'a, str>,
    /// The original recipient, xtext-decoded.
    pub addr: Cow<'a, str>,
}

impl Orcpt<'_> {
    /// Detaches the value from the line it borrowed from.
    pub fn into_owned(self) -> Orcpt<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> Orcpt<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(
        self,
        f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
    ) -> Orcpt<'b> {
        Orcpt {
            addr_type: f(self.addr_type),
            addr: f(self.addr),
        }
    }
}

/// [`Param::map_text`] over `params`, in order.
fn map_params<'a, 'b>(
    params: Vec<Param<'a>>,
    f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
) -> Vec<Param<'b>> {
    if params.is_empty() {
        // The usual case: nothing to map, no iterator to run.
        return Vec::new();
    }
    params.into_iter().map(|p| p.map_text(f)).collect()
}

/// An ESMTP parameter this crate does not decode (RFC 5321 §4.1.2 `esmtp-param`), kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Param<'a> {
    /// The keyword, as sent (compare it case-insensitively).
    pub keyword: Cow<'a, str>,
    /// The value after `=`, if any.
    pub value: Option<Cow<'a, str>>,
}

impl Param<'_> {
    /// Detaches the parameter from the line it borrowed from.
    pub fn into_owned(self) -> Param<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> Param<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(
        self,
        f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
    ) -> Param<'b> {
        Param {
            keyword: f(self.keyword),
            value: self.value.map(&mut *f),
        }
    }
}
